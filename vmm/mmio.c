/* mmio.c: EPT-violation exits on emulated MMIO (Intel SDM Vol. 3C 28.2.1
 * table 28-7, 29.3.3.2): fetch and decode the guest instruction
 * (vmm/decode.c), carry it out against the device at the faulting GPA
 * (vLAPIC, vIOAPIC, test device) or guest RAM, update registers and flags,
 * step RIP. Unclaimed MMIO reads all ones and drops writes; an instruction
 * the decoder refuses kills the guest with the reason. */
#define LOG_PREFIX "mmio"
#include "vmm/exit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmcs.h"
#include "vmm/decode.h"
#include "vmm/errno.h"
#include "vmm/guest_mem.h"
#include "vmm/log.h"
#include "vmm/vdev.h"
#include "vmm/vm.h"
#include "vmm/vmcs_access.h"

#define INSN_MAX 15
#define MMIO_REP_MAX 4096
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_ARITH 0x8d5ULL      /* CF PF AF ZF SF OF */
#define RFLAGS_CF_BIT 1ULL

static uint64_t mask_of(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* A device access (vmm/vdev.c); false when no device claims the address. */
static bool mmio_device(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	struct vm *vm = v->vm;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	bool claimed = vdev_mmio(v, gpa, size, write, val);
	if (!claimed)
		vm->unclaimed_mmio++;
	spin_unlock_irqrestore(&vm->lock, flags);
	return claimed;
}

/* Read or write guest-physical memory that may be RAM or MMIO. */
static void phys_rw(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	void *p = vm_gpa_ptr(v->vm, gpa, size);
	if (p) {
		if (write)
			memcpy(p, val, size);
		else {
			*val = 0;
			memcpy(val, p, size);
		}
		return;
	}
	if (!mmio_device(v, gpa, size, write, val) && !write)
		*val = mask_of(size);
}

/* Same through a guest-linear address; false when the guest's paging does
 * not map it (the emulator does not raise #PF: the guest is killed). */
static bool linear_rw(struct vcpu *v, uint64_t la, unsigned size, bool write, uint64_t *val)
{
	uint64_t gpa;
	if (((la & (PAGE_SIZE - 1)) + size) > PAGE_SIZE) {
		/* Crossing a page: byte by byte. */
		uint8_t *b = (uint8_t *)val;
		for (unsigned i = 0; i < size; i++) {
			uint64_t bv = b[i];
			if (guest_linear_to_phys(v, la + i, write, &gpa))
				return false;
			phys_rw(v, gpa, 1, write, &bv);
			b[i] = (uint8_t)bv;
		}
		return true;
	}
	if (guest_linear_to_phys(v, la, write, &gpa))
		return false;
	phys_rw(v, gpa, size, write, val);
	return true;
}

static uint64_t reg_read(struct vcpu *v, const struct insn *in, unsigned size)
{
	if (in->reg_high8)
		return (v->regs[in->reg - 4] >> 8) & 0xff;
	uint64_t r = in->reg == RSP ? vmcs_read(GUEST_RSP) : v->regs[in->reg];
	return r & mask_of(size);
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
	uint64_t nv = size == 4 ? (val & 0xffffffffULL) : size == 8 ? val : (old & ~mask_of(size)) | (val & mask_of(size));
	if (in->reg == RSP)
		vmcs_write(GUEST_RSP, nv);
	else
		v->regs[in->reg] = nv;
}

#define ALU_CASE(op, sfx, type)                                                                  \
	do {                                                                                     \
		type x = (type)a, y = (type)b;                                                   \
		__asm__(op sfx " %[y], %[x]; pushfq; popq %[f]" : [x] "+r"(x), [f] "=r"(fl)      \
			: [y] "r"(y) : "cc");                                                    \
		res = (uint64_t)x;                                                               \
	} while (0)

#define ALU_SIZES(op)                                                                            \
	do {                                                                                     \
		switch (size) {                                                                  \
		case 1: ALU_CASE(op, "b", uint8_t); break;                                       \
		case 2: ALU_CASE(op, "w", uint16_t); break;                                      \
		case 4: ALU_CASE(op, "l", uint32_t); break;                                      \
		default: ALU_CASE(op, "q", uint64_t); break;                                     \
		}                                                                                \
	} while (0)

/* a OP b with the host CPU computing the flags exactly as the guest's would. */
static uint64_t alu(enum insn_kind k, unsigned size, uint64_t a, uint64_t b, uint64_t *flags)
{
	uint64_t res = 0, fl = 0;
	switch (k) {
	case INSN_ADD: ALU_SIZES("add"); break;
	case INSN_SUB:
	case INSN_CMP: ALU_SIZES("sub"); break;
	case INSN_AND:
	case INSN_TEST: ALU_SIZES("and"); break;
	case INSN_OR: ALU_SIZES("or"); break;
	default: ALU_SIZES("xor"); break;
	}
	*flags = fl;
	return res;
}

static void set_arith_flags(uint64_t fl)
{
	uint64_t rf = vmcs_read(GUEST_RFLAGS);
	vmcs_write(GUEST_RFLAGS, (rf & ~RFLAGS_ARITH) | (fl & RFLAGS_ARITH));
}

static uint64_t seg_base_of(const struct insn *in, enum seg_reg dflt)
{
	if (guest_addr_size() == 8 && (in->seg < SEG_FS))
		return 0;   /* 64-bit mode: only FS/GS bases apply */
	return guest_seg_base(in->seg >= 0 ? (enum seg_reg)in->seg : dflt);
}

/* MOVS/STOS/LODS, with or without REP. Returns false if the guest must die. */
static bool string_op(struct vcpu *v, const struct insn *in, bool *done)
{
	uint64_t amask = mask_of(in->addr_size);
	/* F2 repeats MOVS/STOS/LODS like F3 on real processors (vmm/decode.h). */
	bool rep = in->rep || in->repne;
	uint64_t count = rep ? v->regs[RCX] & amask : 1;
	int64_t step = (vmcs_read(GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)in->size : (int64_t)in->size;
	uint64_t src_base = seg_base_of(in, SEG_DS);
	uint64_t dst_base = guest_addr_size() == 8 ? 0 : guest_seg_base(SEG_ES);
	for (uint64_t n = 0; n < count && n < MMIO_REP_MAX; n++) {
		uint64_t val = 0;
		uint64_t si = v->regs[RSI] & amask, di = v->regs[RDI] & amask;
		if (in->kind == INSN_STOS)
			val = v->regs[RAX] & mask_of(in->size);
		else if (!linear_rw(v, src_base + si, in->size, false, &val))
			return false;
		if (in->kind == INSN_LODS) {
			struct insn r = *in;
			r.reg = RAX;
			r.reg_high8 = false;
			reg_write(v, &r, in->size, val);
		} else if (!linear_rw(v, dst_base + di, in->size, true, &val)) {
			return false;
		}
		if (in->kind != INSN_STOS)
			v->regs[RSI] = (v->regs[RSI] & ~amask) | ((si + (uint64_t)step) & amask);
		if (in->kind != INSN_LODS)
			v->regs[RDI] = (v->regs[RDI] & ~amask) | ((di + (uint64_t)step) & amask);
		if (rep)
			v->regs[RCX] = (v->regs[RCX] & ~amask) | ((v->regs[RCX] - 1) & amask);
	}
	*done = !rep || !(v->regs[RCX] & amask);
	return true;
}

static enum cpu_mode guest_mode(void)
{
	/* The guest owns CR0.PE (only NE is masked): the shadow is stale for it. */
	if (!(vmcs_read(GUEST_CR0) & CR0_PE))
		return CPU_MODE_REAL16;
	unsigned a = guest_addr_size();
	return a == 8 ? CPU_MODE_LONG64 : a == 4 ? CPU_MODE_PROT32 : CPU_MODE_PROT16;
}

/* Emulate one decoded instruction whose memory operand is at gpa. */
static const char *emulate(struct vcpu *v, const struct insn *in, uint64_t gpa, bool *advance)
{
	uint64_t m = 0, r, res, fl;
	unsigned size = in->size;
	*advance = true;
	switch (in->kind) {
	case INSN_MOV_LOAD:
		phys_rw(v, gpa, size, false, &m);
		reg_write(v, in, size, m);
		return NULL;
	case INSN_MOVZX:
	case INSN_MOVSX:
		phys_rw(v, gpa, size, false, &m);
		if (in->kind == INSN_MOVSX && (m >> (8 * size - 1)) & 1)
			m |= ~mask_of(size);
		reg_write(v, in, in->reg_size, m & mask_of(in->reg_size));
		return NULL;
	case INSN_MOV_STORE:
		m = reg_read(v, in, size);
		phys_rw(v, gpa, size, true, &m);
		return NULL;
	case INSN_MOV_STORE_IMM:
		m = in->imm & mask_of(size);
		phys_rw(v, gpa, size, true, &m);
		return NULL;
	case INSN_MOVS:
	case INSN_STOS:
	case INSN_LODS: {
		bool done = true;
		if (!string_op(v, in, &done))
			return "string operand not mapped by the guest's page tables";
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
		phys_rw(v, gpa, size, false, &m);
		r = in->reg >= 0 ? reg_read(v, in, size) : in->imm & mask_of(size);
		res = in->dst_reg ? alu(in->kind, size, r, m, &fl) : alu(in->kind, size, m, r, &fl);
		if (in->mem_write)
			phys_rw(v, gpa, size, true, &res);
		else if (in->reg_write)
			reg_write(v, in, size, res);
		set_arith_flags(fl);
		return NULL;
	case INSN_XCHG:
		phys_rw(v, gpa, size, false, &m);
		r = reg_read(v, in, size);
		phys_rw(v, gpa, size, true, &r);
		reg_write(v, in, size, m);
		return NULL;
	case INSN_BT: {
		/* With a register bit offset the CPU already moved the address by
		 * (offset / operand bits) operands: the exit's GPA is that
		 * operand, and only the low bits select the bit (SDM Vol. 2A BT). */
		uint64_t bit = (in->reg >= 0 ? reg_read(v, in, size) : in->imm) & (8ULL * size - 1);
		phys_rw(v, gpa, size, false, &m);
		uint64_t rf = vmcs_read(GUEST_RFLAGS) & ~RFLAGS_CF_BIT;
		vmcs_write(GUEST_RFLAGS, rf | ((m >> bit) & 1));
		return NULL;
	}
	default:
		return "instruction kind not emulated";
	}
}

void exit_ept_violation(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	uint64_t q = vmcs_read(EXIT_QUALIFICATION);
	uint64_t rip = vmcs_read(GUEST_RIP);
	if (vm_gpa_ptr(vm, gpa, 1)) {
		vm_kill(vm, "EPT violation inside guest RAM at GPA 0x%llx (qualification 0x%llx)",
			(unsigned long long)gpa, (unsigned long long)q);
		return;
	}
	if (q & EPTQ_FETCH) {
		vm_kill(vm, "instruction fetch from non-RAM GPA 0x%llx at rip 0x%llx", (unsigned long long)gpa,
			(unsigned long long)rip);
		return;
	}
	uint8_t bytes[INSN_MAX];
	uint64_t la = (guest_addr_size() == 8 ? 0 : guest_seg_base(SEG_CS)) + rip;
	uint32_t avail = INSN_MAX;
	if (guest_read_linear(v, la, bytes, avail)) {
		avail = (uint32_t)(PAGE_SIZE - (la & (PAGE_SIZE - 1)));
		if (avail > INSN_MAX || guest_read_linear(v, la, bytes, avail)) {
			vm_kill(vm, "MMIO at GPA 0x%llx: cannot fetch the instruction at rip 0x%llx",
				(unsigned long long)gpa, (unsigned long long)rip);
			return;
		}
	}
	struct insn in;
	int r = decode_insn(bytes, avail, guest_mode(), &in);
	if (r) {
		vm_kill(vm, "MMIO at GPA 0x%llx: cannot decode %02x %02x %02x %02x at rip 0x%llx (%s)",
			(unsigned long long)gpa, bytes[0], bytes[1], bytes[2], bytes[3], (unsigned long long)rip,
			r == -ENOSYS ? "unsupported instruction" : "invalid encoding");
		return;
	}
	bool advance;
	const char *why = emulate(v, &in, gpa, &advance);
	if (why) {
		vm_kill(vm, "MMIO at GPA 0x%llx, %s at rip 0x%llx: %s", (unsigned long long)gpa,
			insn_kind_name(in.kind), (unsigned long long)rip, why);
		return;
	}
	if (advance)
		exit_advance_rip(in.len);
}
