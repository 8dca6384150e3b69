/* SPDX-License-Identifier: GPL-2.0-only */
/* mmio.c: EPT-violation exits on emulated MMIO (Intel SDM Vol. 3C 28.2.1
 * table 28-7, 29.3.3.2): fetch and decode the guest instruction
 * (vmm/vcpu/decode.c), carry it out against the device at the faulting GPA
 * (vLAPIC, vIOAPIC, test device) or guest RAM, update registers and flags,
 * step RIP. Unclaimed MMIO reads all ones and drops writes; an instruction
 * the decoder refuses kills the guest with the reason. */
#define LOG_PREFIX "mmio"
#include "vmm/vcpu/exit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmcs.h"
#include "vmm/vcpu/decode.h"
#include "vmm/lib/errno.h"
#include "vmm/vcpu/guest_mem.h"
#include "vmm/vcpu/ioreq.h"
#include "vmm/platform/log.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vcpu/vmcs_access.h"

/* Exits in a row whose instruction does not match the access (the guest
 * keeps rewriting it, or the decoder disagrees with the CPU) before the
 * guest is stopped: each one re-executes the instruction. */
#define MMIO_MISMATCH_MAX 1000

/* A device access of the instruction being carried out. Its accesses are
 * recorded in v->io.acc: carried out again after a completion, the
 * instruction gets each earlier one's result from there instead of making
 * it twice. A new one is dispatched (vmm/vcpu/ioreq.h ioreq_mmio); false
 * when it waits for its completion (the instruction stops here, nothing
 * after it done). */
static bool dev_access(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	struct vcpu_io *io = &v->io;
	if (io->next_acc < io->nacc) {
		struct mmio_access *a = &io->acc[io->next_acc++];
		if (a->gpa != gpa || a->size != size || a->write != write) {
			/* The guest changed its page tables under the instruction. */
			io->diverged = true;
			return false;
		}
		if (!write)
			*val = a->val;
		return true;
	}
	if (io->nacc == MMIO_ACCESS_MAX) {
		io->diverged = true;
		return false;
	}
	struct mmio_access *a = &io->acc[io->nacc++];
	a->gpa = gpa;
	a->size = (uint8_t)size;
	a->write = write;
	io->next_acc = io->nacc;
	io->cont = IO_CONT_MMIO;
	if (ioreq_mmio(v, gpa, size, write, val) == IOREQ_WAIT)
		return false;
	a->val = *val;
	return true;
}

/* Read or write guest-physical memory that may be RAM or MMIO; false when
 * a device access waits for its completion. */
static bool phys_rw(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	void *p = vm_gpa_ptr(v->vm, gpa, size);
	if (p) {
		if (write)
			memcpy(p, val, size);
		else {
			*val = 0;
			memcpy(val, p, size);
		}
		return true;
	}
	return dev_access(v, gpa, size, write, val);
}

enum access_result { ACCESS_DONE, ACCESS_FAULT, ACCESS_WAIT };

/* Same through a guest-linear address, with the guest's own rights:
 * ACCESS_FAULT with *f filled when the guest's paging refuses it,
 * ACCESS_WAIT when a device access waits for its completion. */
static enum access_result linear_rw(struct vcpu *v, uint64_t la, unsigned size, bool write, uint64_t *val,
				    struct guest_fault *f)
{
	enum guest_access acc = write ? GUEST_WRITE : GUEST_READ;
	uint64_t gpa;
	if (((la & (PAGE_SIZE - 1)) + size) > PAGE_SIZE) {
		/* Crossing a page: both pages are checked before either is touched. */
		uint64_t last = la + size - 1;
		if (guest_translate(v, la, acc, &gpa, f) || guest_translate(v, last, acc, &gpa, f))
			return ACCESS_FAULT;
		uint8_t *b = (uint8_t *)val;
		for (unsigned i = 0; i < size; i++) {
			uint64_t bv = b[i];
			if (guest_translate(v, la + i, acc, &gpa, f))
				return ACCESS_FAULT;
			if (!phys_rw(v, gpa, 1, write, &bv))
				return ACCESS_WAIT;
			b[i] = (uint8_t)bv;
		}
		return ACCESS_DONE;
	}
	if (guest_translate(v, la, acc, &gpa, f))
		return ACCESS_FAULT;
	return phys_rw(v, gpa, size, write, val) ? ACCESS_DONE : ACCESS_WAIT;
}

static uint64_t reg_read(struct vcpu *v, const struct insn *in, unsigned size)
{
	if (in->reg_high8)
		return (v->regs[in->reg - 4] >> 8) & 0xff;
	uint64_t r = in->reg == RSP ? vmcs_read(GUEST_RSP) : v->regs[in->reg];
	return r & size_mask(size);
}

static void reg_write(struct vcpu *v, const struct insn *in, unsigned size, uint64_t val)
{
	if (in->reg_high8) {
		uint64_t *r = &v->regs[in->reg - 4];
		*r = (*r & ~0xff00ULL) | ((val & 0xff) << 8);
		return;
	}
	uint64_t old = in->reg == RSP ? vmcs_read(GUEST_RSP) : v->regs[in->reg];
	/* 32-bit results zero-extend (SDM Vol. 1 3.4.1.1); 8/16 merge. */
	uint64_t nv = size == 4	  ? (val & 0xffffffffULL)
		      : size == 8 ? val
				  : (old & ~size_mask(size)) | (val & size_mask(size));
	if (in->reg == RSP)
		vmcs_write(GUEST_RSP, nv);
	else
		v->regs[in->reg] = nv;
}

#define ALU_CASE(op, sfx, type)                                                                              \
	do {                                                                                                 \
		type x = (type)a, y = (type)b;                                                               \
		__asm__(op sfx " %[y], %[x]; pushfq; popq %[f]"                                              \
			: [x] "+r"(x), [f] "=r"(fl)                                                          \
			: [y] "r"(y)                                                                         \
			: "cc");                                                                             \
		res = (uint64_t)x;                                                                           \
	} while (0)

#define ALU_SIZES(op)                                                                                        \
	do {                                                                                                 \
		switch (size) {                                                                              \
		case 1:                                                                                      \
			ALU_CASE(op, "b", uint8_t);                                                          \
			break;                                                                               \
		case 2:                                                                                      \
			ALU_CASE(op, "w", uint16_t);                                                         \
			break;                                                                               \
		case 4:                                                                                      \
			ALU_CASE(op, "l", uint32_t);                                                         \
			break;                                                                               \
		default:                                                                                     \
			ALU_CASE(op, "q", uint64_t);                                                         \
			break;                                                                               \
		}                                                                                            \
	} while (0)

/* a OP b with the host CPU computing the flags exactly as the guest's would. */
static uint64_t alu(enum insn_kind k, unsigned size, uint64_t a, uint64_t b, uint64_t *flags)
{
	uint64_t res = 0, fl = 0;
	switch (k) {
	case INSN_ADD:
		ALU_SIZES("add");
		break;
	case INSN_SUB:
	case INSN_CMP:
		ALU_SIZES("sub");
		break;
	case INSN_AND:
	case INSN_TEST:
		ALU_SIZES("and");
		break;
	case INSN_OR:
		ALU_SIZES("or");
		break;
	default:
		ALU_SIZES("xor");
		break;
	}
	*flags = fl;
	return res;
}

static void set_arith_flags(uint64_t fl)
{
	uint64_t rf = vmcs_read(GUEST_RFLAGS);
	vmcs_write(GUEST_RFLAGS, (rf & ~RFLAGS_ARITH) | (fl & RFLAGS_ARITH));
}

/* Linear address of a decoded operand: segment base (none for ES-DS in
 * 64-bit mode) plus offset, wrapped at 4 GiB outside 64-bit mode. */
static uint64_t linear_of(enum seg_reg seg, uint64_t offset)
{
	uint64_t la = guest_seg_base_effective(seg) + offset;
	return guest_addr_size() == 8 ? la : la & LA32_MASK;
}

/* MOVS/STOS/LODS, with or without REP, element by element: an element's
 * registers change once both its accesses are done (then the record of
 * device accesses starts again for the next element). ACCESS_FAULT with *f
 * filled when an operand faults, ACCESS_WAIT when a device access waits. */
static enum access_result string_op(struct vcpu *v, const struct insn *in, bool *done, struct guest_fault *f)
{
	uint64_t amask = size_mask(in->addr_size);
	/* F2 repeats MOVS/STOS/LODS like F3 on real processors (vmm/vcpu/decode.h). */
	bool rep = in->rep || in->repne;
	uint64_t count = rep ? v->regs[RCX] & amask : 1;
	int64_t step = (vmcs_read(GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)in->size : (int64_t)in->size;
	enum seg_reg src_seg = in->seg >= 0 ? (enum seg_reg)in->seg : SEG_DS;
	uint64_t batch = exit_rep_batch();
	for (uint64_t n = 0; n < count && n < batch; n++) {
		uint64_t val = 0;
		uint64_t si = v->regs[RSI] & amask, di = v->regs[RDI] & amask;
		enum access_result a = ACCESS_DONE;
		if (in->kind == INSN_STOS)
			val = v->regs[RAX] & size_mask(in->size);
		else
			a = linear_rw(v, linear_of(src_seg, si), in->size, false, &val, f);
		if (a == ACCESS_DONE && in->kind != INSN_LODS)
			a = linear_rw(v, linear_of(SEG_ES, di), in->size, true, &val, f);
		if (a != ACCESS_DONE)
			return a;
		v->io.nacc = v->io.next_acc = 0; /* this element is done */
		if (in->kind == INSN_LODS) {
			struct insn r = *in;
			r.reg = RAX;
			r.reg_high8 = false;
			reg_write(v, &r, in->size, val);
		}
		bool hit = false;
		if (in->kind != INSN_STOS)
			hit |= exit_breakpoints(BP_READ, linear_of(src_seg, si), in->size);
		if (in->kind != INSN_LODS)
			hit |= exit_breakpoints(BP_WRITE, linear_of(SEG_ES, di), in->size);
		if (in->kind != INSN_STOS)
			v->regs[RSI] = addr_reg_update(v->regs[RSI], si + (uint64_t)step, in->addr_size);
		if (in->kind != INSN_LODS)
			v->regs[RDI] = addr_reg_update(v->regs[RDI], di + (uint64_t)step, in->addr_size);
		if (rep)
			v->regs[RCX] = addr_reg_update(v->regs[RCX], v->regs[RCX] - 1, in->addr_size);
		if (hit)
			break; /* the #DB comes after this iteration (SDM Vol. 3B 17.3.1.2) */
	}
	*done = !rep || !(v->regs[RCX] & amask);
	return ACCESS_DONE;
}

static enum cpu_mode guest_mode(void)
{
	/* The guest owns CR0.PE (only NE is masked): the shadow is stale for it. */
	if (!(vmcs_read(GUEST_CR0) & CR0_PE))
		return CPU_MODE_REAL16;
	unsigned a = guest_addr_size();
	return a == 8 ? CPU_MODE_LONG64 : a == 4 ? CPU_MODE_PROT32 : CPU_MODE_PROT16;
}

/* False when a device access waits for its completion. */
static bool op_rw(struct vcpu *v, const struct mmio_operand *op, unsigned size, bool write, uint64_t *val)
{
	if (!op->split)
		return phys_rw(v, op->gpa, size, write, val);
	/* Both pages were checked with the access's rights before the first
	 * byte (exit_ept_violation); a fault now means the guest changed
	 * its tables meanwhile: the bytes it no longer maps read all ones. */
	struct guest_fault f;
	enum access_result a = linear_rw(v, op->la, size, write, val, &f);
	if (a == ACCESS_FAULT && !write)
		*val = size_mask(size);
	return a != ACCESS_WAIT;
}

/* An access of emulate(): stop, changing nothing more, when it waits. */
#define ACCESS(call)                                                                                         \
	do {                                                                                                 \
		if (!(call)) {                                                                               \
			*wait = true;                                                                        \
			return NULL;                                                                         \
		}                                                                                            \
	} while (0)

/* Emulate one decoded instruction whose memory operand is op. NULL, or why
 * the guest must be stopped; a fault for the guest is injected here
 * (*advance false). *wait: a device access waits for its completion; the
 * instruction has changed no register, flag or memory after the accesses
 * recorded so far, and is carried out again from the start when the
 * completion arrives (vmm/vcpu/vcpu_io.h). */
static const char *emulate(struct vcpu *v, const struct insn *in, const struct mmio_operand *op,
			   bool *advance, bool *wait)
{
	uint64_t m = 0, r, res, fl;
	unsigned size = in->size;
	*advance = true;
	*wait = false;
	switch (in->kind) {
	case INSN_MOV_LOAD:
		ACCESS(op_rw(v, op, size, false, &m));
		reg_write(v, in, size, m);
		return NULL;
	case INSN_MOVZX:
	case INSN_MOVSX:
		ACCESS(op_rw(v, op, size, false, &m));
		if (in->kind == INSN_MOVSX && (m >> (8 * size - 1)) & 1)
			m |= ~size_mask(size);
		reg_write(v, in, in->reg_size, m & size_mask(in->reg_size));
		return NULL;
	case INSN_MOV_STORE:
		m = reg_read(v, in, size);
		ACCESS(op_rw(v, op, size, true, &m));
		return NULL;
	case INSN_MOV_STORE_IMM:
		m = in->imm & size_mask(size);
		ACCESS(op_rw(v, op, size, true, &m));
		return NULL;
	case INSN_MOVS:
	case INSN_STOS:
	case INSN_LODS: {
		bool done = true;
		struct guest_fault f;
		enum access_result a = string_op(v, in, &done, &f);
		if (a == ACCESS_WAIT) {
			*wait = true;
			return NULL;
		}
		if (a == ACCESS_FAULT) {
			*advance = false;
			if (f.gp) {
				virq_inject_exception(v, EXC_GP, true, 0);
				return NULL;
			}
			if (!f.page_fault)
				return "string operand outside RAM and devices";
			virq_inject_page_fault(v, f.la, f.error_code);
			return NULL;
		}
		*advance = done;
		return NULL;
	}
	case INSN_AND:
	case INSN_OR:
	case INSN_XOR:
	case INSN_ADD:
	case INSN_SUB:
	case INSN_CMP:
	case INSN_TEST:
		ACCESS(op_rw(v, op, size, false, &m));
		r = in->reg >= 0 ? reg_read(v, in, size) : in->imm & size_mask(size);
		res = in->dst_reg ? alu(in->kind, size, r, m, &fl) : alu(in->kind, size, m, r, &fl);
		if (in->mem_write)
			ACCESS(op_rw(v, op, size, true, &res));
		else if (in->reg_write)
			reg_write(v, in, size, res);
		set_arith_flags(fl);
		return NULL;
	case INSN_XCHG:
		ACCESS(op_rw(v, op, size, false, &m));
		r = reg_read(v, in, size);
		ACCESS(op_rw(v, op, size, true, &r));
		reg_write(v, in, size, m);
		return NULL;
	case INSN_BT: {
		/* With a register bit offset the CPU already moved the address by
		 * (offset / operand bits) operands: the exit's GPA is that
		 * operand, and only the low bits select the bit (SDM Vol. 2A BT). */
		uint64_t bit = (in->reg >= 0 ? reg_read(v, in, size) : in->imm) & (8ULL * size - 1);
		ACCESS(op_rw(v, op, size, false, &m));
		uint64_t rf = vmcs_read(GUEST_RFLAGS) & ~RFLAGS_CF;
		vmcs_write(GUEST_RFLAGS, rf | ((m >> bit) & 1));
		return NULL;
	}
	default:
		return "instruction kind not emulated";
	}
}

/* Does the decoded instruction make the access that exited? The CPU
 * reports the access's linear address (with EPTQ_GLA_VALID); another vCPU
 * may have rewritten the instruction bytes between the exit and the fetch
 * above, and the emulator must never act on an instruction that did not
 * cause the exit (SDM Vol. 3C 28.2.1 table 28-7). Without a reported linear
 * address the decoded operand is translated and compared with the GPA. */
static bool access_matches(struct vcpu *v, const struct insn *in, uint64_t rip_next, uint64_t q, uint64_t gpa,
			   uint64_t *op_la)
{
	uint64_t la[2];
	unsigned n = 0, size = in->size;
	uint64_t regs[GPR_COUNT];
	memcpy(regs, v->regs, sizeof(regs));
	regs[RSP] = vmcs_read(GUEST_RSP);
	if (in->kind == INSN_MOVS || in->kind == INSN_STOS || in->kind == INSN_LODS) {
		uint64_t amask = size_mask(in->addr_size);
		if (in->kind != INSN_STOS)
			la[n++] = linear_of(in->seg >= 0 ? (enum seg_reg)in->seg : SEG_DS, regs[RSI] & amask);
		if (in->kind != INSN_LODS)
			la[n++] = linear_of(SEG_ES, regs[RDI] & amask);
	} else {
		uint64_t ea = insn_effective_addr(in, regs, rip_next);
		if (in->kind == INSN_BT && in->reg >= 0) {
			/* BT with a register offset addresses the operand that holds
			 * the bit: EA + size * floor(offset / bits) (Vol. 2A BT). */
			int64_t off = (int64_t)(reg_read(v, in, size) << (64 - 8 * size)) >> (64 - 8 * size);
			int64_t bits = 8 * (int64_t)size;
			int64_t k = off >= 0 ? off / bits : -((-off + bits - 1) / bits);
			ea = (ea + (uint64_t)(k * (int64_t)size)) & size_mask(in->addr_size);
		}
		la[n++] = linear_of((enum seg_reg)insn_segment(in), ea);
	}
	*op_la = la[0];
	uint64_t gla = vmcs_read(GUEST_LINEAR_ADDRESS);
	for (unsigned i = 0; i < n; i++) {
		if (q & EPTQ_GLA_VALID) {
			if (gla - la[i] < size)
				return true;
			continue;
		}
		uint64_t g;
		if (!guest_translate(v, la[i], GUEST_READ, &g, NULL) && gpa - g < size)
			return true;
		if (!guest_translate(v, la[i] + size - 1, GUEST_READ, &g, NULL) &&
		    gpa - (g - (size - 1)) < size)
			return true;
	}
	return false;
}

/* Where the operand of a non-string instruction is: in one page, its GPA
 * is the exit's, moved back by how far into the operand the faulting
 * access was (the CPU reports the linear address of that access); across a
 * page boundary, both pages are checked with the access's rights now (the
 * CPU would fault before touching either) and the bytes are accessed one
 * by one. False: the fault was injected. */
static bool operand_locate(struct vcpu *v, const struct insn *in, uint64_t q, uint64_t gpa,
			   struct mmio_operand *op)
{
	unsigned size = in->size;
	enum guest_access acc = in->mem_write ? GUEST_WRITE : GUEST_READ;
	struct guest_fault f;
	uint64_t g;
	op->split = ((op->la & (PAGE_SIZE - 1)) + size) > PAGE_SIZE;
	if (!op->split) {
		if (q & EPTQ_GLA_VALID)
			op->gpa = gpa - (vmcs_read(GUEST_LINEAR_ADDRESS) - op->la);
		else if (!guest_translate(v, op->la, acc, &g, NULL))
			op->gpa = g;
		return true;
	}
	if (!guest_translate(v, op->la, acc, &g, &f) && !guest_translate(v, op->la + size - 1, acc, &g, &f))
		return true;
	if (f.gp)
		virq_inject_exception(v, EXC_GP, true, 0);
	else if (f.page_fault)
		virq_inject_page_fault(v, f.la, f.error_code);
	return false;
}

/* Carry out (again) the instruction of v->io: to its end, or until a
 * device access waits for its completion (exit_mmio_resume continues). */
static void mmio_run(struct vcpu *v)
{
	struct vcpu_io *io = &v->io;
	const struct insn *in = &io->insn;
	bool string = in->kind == INSN_MOVS || in->kind == INSN_STOS || in->kind == INSN_LODS;
	bool advance, wait;
	io->next_acc = 0;
	const char *why = emulate(v, in, &io->op, &advance, &wait);
	if (!why && io->diverged)
		why = "its device accesses changed while it waited (page tables rewritten under it)";
	if (why) {
		vm_kill(v->vm, "MMIO at GPA 0x%llx, %s at rip 0x%llx: %s", (unsigned long long)io->exit_gpa,
			insn_kind_name(in->kind), (unsigned long long)vmcs_read(GUEST_RIP), why);
		return;
	}
	if (wait)
		return;
	io->nacc = io->next_acc = 0;
	if (!string && !v->reinject_info)
		exit_breakpoints(in->mem_write ? BP_WRITE : BP_READ, io->op.la, in->size);
	if (advance)
		exit_advance_rip(in->len);
	else if (!v->reinject_info)
		exit_single_step_trap(); /* one REP iteration done, none faulted */
}

void exit_ept_violation(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	uint64_t q = vmcs_read(EXIT_QUALIFICATION);
	uint64_t idt_vectoring = vmcs_read(IDT_VECTORING_INFO);
	/* The exit interrupted an IRET that had unblocked NMIs: block them
	 * again until it re-executes (28.2.3, 27.2.3). */
	if ((q & EPTQ_NMI_UNBLOCK) && !(idt_vectoring & INTR_INFO_VALID))
		vmcs_write(GUEST_INTERRUPTIBILITY, vmcs_read(GUEST_INTERRUPTIBILITY) | INTERRUPTIBILITY_NMI);
	uint64_t rip = vmcs_read(GUEST_RIP);
	if (vm_gpa_ptr(vm, gpa, 1)) {
		vm_kill(vm, "EPT violation inside guest RAM at GPA 0x%llx (qualification 0x%llx)",
			(unsigned long long)gpa, (unsigned long long)q);
		return;
	}
	if (q & EPTQ_FETCH) {
		vm_kill(vm, "instruction fetch from non-RAM GPA 0x%llx at rip 0x%llx",
			(unsigned long long)gpa, (unsigned long long)rip);
		return;
	}
	/* An access made while delivering an event (the IDT, a stack or a TSS
	 * outside RAM) or by the CPU's page walk (paging structures outside
	 * RAM) is not the instruction's: nothing to emulate (28.2.1, 27.2.4). */
	if (idt_vectoring & INTR_INFO_VALID) {
		vm_kill(vm,
			"event delivery accessed non-RAM GPA 0x%llx (descriptor table or stack outside RAM)",
			(unsigned long long)gpa);
		return;
	}
	if ((q & EPTQ_GLA_VALID) && !(q & EPTQ_GLA_FINAL)) {
		vm_kill(vm, "guest page walk read non-RAM GPA 0x%llx (paging structures outside RAM)",
			(unsigned long long)gpa);
		return;
	}
	uint8_t bytes[INSN_MAX_LEN];
	uint64_t la = linear_of(SEG_CS, rip);
	uint32_t avail = INSN_MAX_LEN;
	struct guest_fault f;
	if (guest_read_linear(v, la, bytes, avail, GUEST_FETCH, &f)) {
		/* The instruction may end before the next page: take what the
		 * first page holds and let the decoder say if that is enough. */
		avail = (uint32_t)(PAGE_SIZE - (la & (PAGE_SIZE - 1)));
		if (avail > INSN_MAX_LEN || guest_read_linear(v, la, bytes, avail, GUEST_FETCH, &f)) {
			if (f.page_fault) {
				/* Its tables changed since the CPU fetched it. */
				virq_inject_page_fault(v, f.la, f.error_code);
				return;
			}
			vm_kill(vm, "MMIO at GPA 0x%llx: cannot fetch the instruction at rip 0x%llx",
				(unsigned long long)gpa, (unsigned long long)rip);
			return;
		}
	}
	/* Decoded straight into the vCPU's record of the instruction. */
	struct vcpu_io *io = &v->io;
	struct insn *in = &io->insn;
	int r = decode_insn(bytes, avail, guest_mode(), in);
	if (r) {
		vm_kill(vm, "MMIO at GPA 0x%llx: cannot decode %02x %02x %02x %02x at rip 0x%llx (%s)",
			(unsigned long long)gpa, bytes[0], bytes[1], bytes[2], bytes[3],
			(unsigned long long)rip,
			r == -ENOSYS ? "unsupported instruction" : "invalid encoding");
		return;
	}
	uint64_t op_la;
	if (!access_matches(v, in, rip + in->len, q, gpa, &op_la)) {
		/* Not the instruction that exited: run it again, as the CPU
		 * will, and emulate whatever then exits. */
		vm->mmio_mismatch++;
		if (++v->mmio_mismatch_run >= MMIO_MISMATCH_MAX)
			vm_kill(vm,
				"MMIO at GPA 0x%llx: %u exits in a row at rip 0x%llx whose instruction (%s) "
				"does not make that access",
				(unsigned long long)gpa, MMIO_MISMATCH_MAX, (unsigned long long)rip,
				insn_kind_name(in->kind));
		return;
	}
	v->mmio_mismatch_run = 0;
	io->op = (struct mmio_operand){op_la, gpa, false};
	bool string = in->kind == INSN_MOVS || in->kind == INSN_STOS || in->kind == INSN_LODS;
	if (!string && !operand_locate(v, in, q, gpa, &io->op))
		return; /* a fault injected */
	io->exit_gpa = gpa;
	io->nacc = io->next_acc = 0;
	io->diverged = false;
	mmio_run(v);
}

void exit_mmio_resume(struct vcpu *v)
{
	struct vcpu_io *io = &v->io;
	/* The access that waited: its answer (a refused read reads all ones,
	 * as the request says). */
	if (io->nacc)
		io->acc[io->nacc - 1].val = io->req.data;
	mmio_run(v);
}
