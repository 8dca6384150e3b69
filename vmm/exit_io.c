/* SPDX-License-Identifier: GPL-2.0-only */
/* exit_io.c: I/O-instruction exits (Intel SDM Vol. 3C 28.2.1 table 28-5,
 * 28.2.5 "Information for VM Exits Due to Instruction Execution" for
 * INS/OUTS): IN/OUT of 1, 2 and 4 bytes, INS/OUTS with and without REP,
 * dispatched to the VMM's devices; unclaimed reads give all ones. */
#define LOG_PREFIX "io"
#include "vmm/exit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "vmm/errno.h"
#include "vmm/guest_mem.h"
#include "vmm/log.h"
#include "vmm/vdev.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "vmm/vmcs_access.h"

void port_io(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	struct vm *vm = v->vm;
	if (write)
		*val &= (uint32_t)size_mask(size);
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	if (!vdev_pio(v, port, size, write, val))
		vm->unclaimed_io++;
	bool ended = vm->exit_pending;
	spin_unlock_irqrestore(&vm->lock, flags);
	if (ended)
		vm_exit(vm, vm->exit_status);
}

/* The new value of RCX/RSI/RDI after a string iteration with this address
 * size: 64 bits as is, 32 bits zero-extended (a 32-bit register write, SDM
 * Vol. 1 3.4.1.1: 0x67 in 64-bit mode clears bits 63:32), 16 bits merged. */
uint64_t addr_reg_update(uint64_t old, uint64_t val, unsigned asize)
{
	if (asize == 8)
		return val;
	if (asize == 4)
		return (uint32_t)val;
	return (old & ~0xffffULL) | (val & 0xffffULL);
}

/* A string I/O memory operand the guest cannot access: the page fault its
 * CPU would raise (RIP stays on the instruction, the completed iterations
 * stay done), or, for an address that is not RAM, the end of the guest. */
static void string_io_fault(struct vcpu *v, bool in, const struct guest_fault *f)
{
	if (f->gp) {
		virq_inject_exception(v, EXC_GP, true, 0);
		return;
	}
	if (f->page_fault) {
		virq_inject_page_fault(v, f->la, f->error_code);
		return;
	}
	vm_kill(v->vm, "%s guest-physical address 0x%llx that is not RAM", in ? "INS to" : "OUTS from",
		(unsigned long long)f->gpa);
}

static void string_io(struct vcpu *v, uint64_t q)
{
	unsigned size = IOQ_SIZE(q);
	bool in = q & IOQ_IN, rep = q & IOQ_REP;
	uint16_t port = (uint16_t)IOQ_PORT(q);
	unsigned asize = guest_addr_size();
	enum seg_reg seg = in ? SEG_ES : SEG_DS;
	if (vmx_caps.basic & VMX_BASIC_INS_OUTS_INFO) {
		uint64_t info = vmcs_read(VM_EXIT_INSTRUCTION_INFO);
		asize = 2U << INSN_INFO_ADDR_SIZE(info);
		if (!in)
			seg = (enum seg_reg)INSN_INFO_SEG(info);
	}
	uint64_t amask = size_mask(asize);
	uint64_t count = rep ? v->regs[RCX] & amask : 1;
	bool down = vmcs_read(GUEST_RFLAGS) & RFLAGS_DF;
	unsigned idx = in ? RDI : RSI;
	/* In 64-bit mode only FS and GS have a base (SDM Vol. 3A 3.4.4). */
	uint64_t base = guest_seg_base_effective(seg);
	uint64_t batch = exit_rep_batch();
	for (uint64_t n = 0; n < count && n < batch; n++) {
		uint64_t off = v->regs[idx] & amask;
		uint32_t val = 0;
		struct guest_fault f;
		/* The memory operand is checked with the guest's own rights
		 * (CPL, U/S, R/W) before the port is touched: a page fault
		 * leaves the device and the registers as they were. */
		int r = in ? guest_check_linear(v, base + off, size, GUEST_WRITE, &f)
			   : guest_read_linear(v, base + off, &val, size, GUEST_READ, &f);
		if (r) {
			string_io_fault(v, in, &f);
			return;
		}
		port_io(v, port, size, !in, &val);
		if (in && guest_write_linear(v, base + off, &val, size, &f)) {
			string_io_fault(v, in, &f);
			return;
		}
		bool hit = exit_breakpoints(BP_IO, port, size);
		hit |= exit_breakpoints(in ? BP_WRITE : BP_READ, base + off, size);
		off = down ? off - size : off + size;
		v->regs[idx] = addr_reg_update(v->regs[idx], off, asize);
		if (rep)
			v->regs[RCX] = addr_reg_update(v->regs[RCX], v->regs[RCX] - 1, asize);
		if (v->vm->state != VM_RUNNING)
			return;
		if (hit)
			break;   /* the #DB comes after this iteration (SDM Vol. 3B 17.3.1.2) */
	}
	if (!rep || !(v->regs[RCX] & amask))
		exit_skip_instruction();
	else
		exit_single_step_trap();  /* RIP stays: the REP continues after the next entry */
}

void exit_io(struct vcpu *v)
{
	uint64_t q = vmcs_read(EXIT_QUALIFICATION);
	if (q & IOQ_STRING) {
		string_io(v, q);
		return;
	}
	unsigned size = IOQ_SIZE(q);
	uint32_t val = (uint32_t)v->regs[RAX];
	bool in = q & IOQ_IN;
	port_io(v, (uint16_t)IOQ_PORT(q), size, !in, &val);
	exit_breakpoints(BP_IO, IOQ_PORT(q), size);
	if (in) {
		uint64_t m = size_mask(size);
		/* IN to EAX zero-extends in 64-bit mode; AL/AX keep the rest. */
		v->regs[RAX] = size == 4 ? val : (v->regs[RAX] & ~m) | (val & m);
	}
	exit_skip_instruction();
}
