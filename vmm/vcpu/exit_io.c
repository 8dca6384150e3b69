/* SPDX-License-Identifier: GPL-2.0-only */
/* exit_io.c: I/O-instruction exits (Intel SDM Vol. 3C 28.2.1 table 28-5,
 * 28.2.5 "Information for VM Exits Due to Instruction Execution" for
 * INS/OUTS): IN/OUT of 1, 2 and 4 bytes, INS/OUTS with and without REP,
 * each made a request (vmm/vcpu/ioreq.h) and finished when it is answered --
 * at once, or later by exit_io_resume() on the vCPU's CPU. Unclaimed
 * reads give all ones. */
#define LOG_PREFIX "io"
#include "vmm/vcpu/exit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "vmm/lib/errno.h"
#include "vmm/vcpu/guest_mem.h"
#include "vmm/vcpu/ioreq.h"
#include "vmm/lib/lib.h"
#include "vmm/platform/log.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vcpu/vmcs_access.h"
#include "vmm/platform/vmx.h"

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

/* INS/OUTS: the elements of the request are written to (INS) or were read
 * from (OUTS) guest memory at RDI/RSI, which step per element; with REP,
 * RCX counts down and the instruction stays at RIP until RCX is 0 (it
 * re-executes after the next entry: a long string never holds its CPU). */
static void string_io_finish(struct vcpu *v)
{
	struct vcpu_io *io = &v->io;
	const struct coop_ioreq *r = &io->req;
	bool in = r->dir == COOP_IOREQ_READ, down = io->down;
	unsigned idx = in ? RDI : RSI, size = r->size;
	uint64_t amask = size_mask(io->asize);
	for (uint32_t n = 0; n < r->count; n++) {
		uint64_t off = v->regs[idx] & amask;
		struct guest_fault f;
		/* Checked at the exit; failing now means the guest changed its
		 * page tables while the port answered: the element is lost. */
		if (in && guest_write_linear(v, io->mem_base + off, r->buf + n * size, size, &f)) {
			string_io_fault(v, in, &f);
			return;
		}
		bool hit = false;
		if (io->bp_armed) {
			hit = exit_breakpoints(BP_IO, r->addr, size);
			hit |= exit_breakpoints(in ? BP_WRITE : BP_READ, io->mem_base + off, size);
		}
		off = down ? off - size : off + size;
		v->regs[idx] = addr_reg_update(v->regs[idx], off, io->asize);
		if (io->rep)
			v->regs[RCX] = addr_reg_update(v->regs[RCX], v->regs[RCX] - 1, io->asize);
		if (v->vm->state != VM_RUNNING)
			return;
		if (hit)
			break; /* the #DB comes after this iteration (SDM Vol. 3B 17.3.1.2) */
	}
	if (!io->rep || !(v->regs[RCX] & amask))
		exit_advance_rip(io->insn_len);
	else
		exit_single_step_trap(); /* RIP stays: the REP continues after the next entry */
}

static void string_io(struct vcpu *v, uint64_t q)
{
	struct vcpu_io *io = &v->io;
	unsigned size = IOQ_SIZE(q);
	bool in = q & IOQ_IN;
	io->rep = q & IOQ_REP;
	io->insn_len = (uint32_t)vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	io->asize = (uint8_t)guest_addr_size();
	enum seg_reg seg = in ? SEG_ES : SEG_DS;
	if (vmx_caps.basic & VMX_BASIC_INS_OUTS_INFO) {
		uint64_t info = vmcs_read(VM_EXIT_INSTRUCTION_INFO);
		io->asize = (uint8_t)(2U << INSN_INFO_ADDR_SIZE(info));
		if (!in)
			seg = (enum seg_reg)INSN_INFO_SEG(info);
	}
	uint64_t amask = size_mask(io->asize);
	uint64_t count = io->rep ? v->regs[RCX] & amask : 1;
	if (!count) {
		exit_advance_rip(io->insn_len);
		return;
	}
	bool down = io->down = vmcs_read(GUEST_RFLAGS) & RFLAGS_DF;
	unsigned idx = in ? RDI : RSI;
	/* In 64-bit mode only FS and GS have a base (SDM Vol. 3A 3.4.4). */
	io->mem_base = guest_seg_base_effective(seg);
	/* One request per batch; one element at a time while a breakpoint
	 * could hit after any of them. */
	io->bp_armed = exit_breakpoints_armed();
	uint64_t batch = io->bp_armed ? 1 : exit_rep_batch();
	batch = MIN(MIN(count, batch), (uint64_t)(COOP_IOREQ_DATA_MAX / size));
	struct coop_ioreq *r = &io->req;
	r->space = COOP_IOREQ_PIO;
	r->dir = in ? COOP_IOREQ_READ : COOP_IOREQ_WRITE;
	r->addr = IOQ_PORT(q);
	r->size = (uint8_t)size;
	r->flags = COOP_IOREQ_STRING;
	r->step = 0;
	uint32_t n = 0;
	uint64_t off = v->regs[idx] & amask;
	for (; n < batch; n++) {
		/* Each memory operand is checked with the guest's own rights
		 * (CPL, U/S, R/W) before the port is touched: the batch ends
		 * before the first that faults, and a fault on the first leaves
		 * the device and the registers as they were. */
		struct guest_fault f;
		int e =
		    in ? guest_check_linear(v, io->mem_base + off, size, GUEST_WRITE, &f)
		       : guest_read_linear(v, io->mem_base + off, r->buf + n * size, size, GUEST_READ, &f);
		if (e) {
			if (!n) {
				string_io_fault(v, in, &f);
				return;
			}
			break;
		}
		off = (down ? off - size : off + size) & amask;
	}
	r->count = n;
	io->cont = IO_CONT_PIO_STRING;
	if (ioreq_string(v) == IOREQ_DONE)
		string_io_finish(v);
}

/* IN/OUT: IN writes AL/AX/EAX (to EAX zero-extends in 64-bit mode; AL and
 * AX keep the rest of RAX). */
static void pio_finish(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t val)
{
	if (in) {
		uint64_t m = size_mask(size);
		v->regs[RAX] = size == 4 ? val : (v->regs[RAX] & ~m) | (val & m);
	}
	exit_breakpoints(BP_IO, port, size);
	exit_advance_rip(v->io.insn_len);
}

void exit_io(struct vcpu *v)
{
	uint64_t q = vmcs_read(EXIT_QUALIFICATION);
	if (q & IOQ_STRING) {
		string_io(v, q);
		return;
	}
	bool in = q & IOQ_IN;
	uint16_t port = (uint16_t)IOQ_PORT(q);
	unsigned size = IOQ_SIZE(q);
	uint32_t val = (uint32_t)v->regs[RAX];
	v->io.insn_len = (uint32_t)vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	v->io.cont = IO_CONT_PIO;
	if (ioreq_pio(v, port, size, !in, &val) == IOREQ_DONE)
		pio_finish(v, port, size, in, val);
}

void exit_io_resume(struct vcpu *v)
{
	const struct coop_ioreq *r = &v->io.req;
	if (v->io.cont == IO_CONT_PIO)
		pio_finish(v, (uint16_t)r->addr, r->size, r->dir == COOP_IOREQ_READ, (uint32_t)r->data);
	else
		string_io_finish(v);
}
