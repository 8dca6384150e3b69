/* SPDX-License-Identifier: GPL-2.0-only */
/* test_exit_io.c: I/O-instruction exits: IN/OUT to the VMM's devices and
 * to unclaimed ports, INS/OUTS with and without REP, both directions, the
 * address sizes, the batch limit, faults. */
#include "exit_util.h"

#define PORT_SCRATCH 0xe0 /* test device: byte-laned 32-bit scratch */
#define PORT_NONE    0x1234

TEST(exit_io, out_then_in_through_a_device)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	v->regs[RAX] = 0xdeadbeef12345678ULL;
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(PORT_SCRATCH, 4, false), 1);
	EXPECT_EQ(r.rip_after, r.rip_before + 1);
	EXPECT_EQ(vm->testdev.port_scratch, 0x12345678);
	v->regs[RAX] = 0;
	r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(PORT_SCRATCH, 2, true), 2);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(v->regs[RAX], 0x5678);
	v->regs[RAX] = 0xffffffffffffff00ULL;
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(PORT_SCRATCH + 3, 1, true), 2);
	EXPECT_EQ(v->regs[RAX], 0xffffffffffffff12ULL); /* AL only */
	EXIT_DONE(vm);
}

TEST(exit_io, unclaimed_ports_read_all_ones)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	v->regs[RAX] = 0x1111111111111111ULL;
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(PORT_NONE, 1, true), 1);
	EXPECT_EQ(v->regs[RAX], 0x11111111111111ffULL);
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(PORT_NONE, 2, true), 1);
	EXPECT_EQ(v->regs[RAX], 0x111111111111ffffULL);
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(PORT_NONE, 4, true), 1);
	EXPECT_EQ(v->regs[RAX], 0xffffffffULL); /* 32-bit IN zero-extends */
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(PORT_NONE, 4, false), 1);
	EXPECT_TRUE(r.running);
	EXPECT_EQ(vm->unclaimed_io, 4);
	EXIT_DONE(vm);
}

TEST(exit_io, pic_mask_register)
{
	struct vm *vm = exit_vm(HV_REAL);
	struct vcpu *v = &vm->vcpu[0];
	v->regs[RAX] = 0xfb;
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x21, 1, false), 2);
	v->regs[RAX] = 0;
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x21, 1, true), 2);
	EXPECT_EQ(v->regs[RAX], 0xfb);
	EXIT_DONE(vm);
}

TEST(exit_io, debug_exit_port_ends_the_vm)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	v->regs[RAX] = 0x21;
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0xf4, 1, false), 2);
	EXPECT_FALSE(r.running);
	EXPECT_EQ(vm->state, VM_EXITED);
	EXPECT_EQ(vm->exit_status, 0x43); /* (0x21 << 1) | 1 */
	EXIT_DONE(vm);
}

TEST(exit_io, rep_outsb_to_com1)
{
	struct vm *vm = exit_vm(HV_PAE);
	struct vcpu *v = &vm->vcpu[0];
	memcpy(hv_gpa(vm, 0x5000, 6), "hello\n", 6);
	v->regs[RSI] = 0x5000;
	v->regs[RCX] = 5;
	struct hv_exit e = string_exit(0x3f8, 1, false, true, 1, 3 /* DS */);
	struct hv_result r = hv_run(v, &e);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(v->regs[RSI], 0x5005);
	EXPECT_EQ(v->regs[RCX], 0);
	EXPECT_EQ(vm->uart.len, 5);
	EXPECT_EQ(memcmp(vm->uart.line, "hello", 5), 0);
	EXIT_DONE(vm);
}

TEST(exit_io, rep_insw_unclaimed_backwards)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fvmcs_set(GUEST_RFLAGS, 0x2 | RFLAGS_DF);
	v->regs[RDI] = 0x6004;
	v->regs[RCX] = 3;
	struct hv_exit e = string_exit(PORT_NONE, 2, true, true, 1, 0);
	struct hv_result r = hv_run(v, &e);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(v->regs[RDI], 0x6004 - 6);
	EXPECT_EQ(v->regs[RCX], 0);
	const uint8_t *m = hv_gpa(vm, 0x6000, 6);
	for (unsigned i = 0; i < 6; i++)
		EXPECT_EQ(m[i], 0xff);
	EXPECT_EQ(*(uint8_t *)hv_gpa(vm, 0x5fff, 1), 0); /* nothing below */
	EXIT_DONE(vm);
}

TEST(exit_io, rep_batches_leave_rip_on_the_instruction)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	v->regs[RSI] = 0x10000;
	v->regs[RCX] = 1000;
	struct hv_exit e = string_exit(PORT_SCRATCH, 1, false, true, 2, 3);
	struct hv_result r = hv_run(v, &e);
	EXPECT_EQ(r.rip_after, r.rip_before); /* not done: re-executed */
	EXPECT_LT(v->regs[RCX], 1000);
	EXPECT_GT(v->regs[RCX], 0);
	EXPECT_EQ(v->regs[RSI] - 0x10000, 1000 - v->regs[RCX]);
	for (int i = 0; i < 20 && v->regs[RCX]; i++)
		r = hv_run(v, &e);
	EXPECT_EQ(v->regs[RCX], 0);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXIT_DONE(vm);
}

TEST(exit_io, sixteen_bit_address_wraps)
{
	struct vm *vm = exit_vm(HV_REAL);
	struct vcpu *v = &vm->vcpu[0];
	v->regs[RSI] = 0xabcd0000ffffULL; /* SI = 0xffff; the rest is not the address */
	v->regs[RCX] = 0x55550002ULL;	  /* CX = 2 */
	struct hv_exit e = string_exit(PORT_SCRATCH, 1, false, true, 0, 3);
	struct hv_result r = hv_run(v, &e);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(v->regs[RSI], 0xabcd00000001ULL);
	EXPECT_EQ(v->regs[RCX], 0x55550000ULL);
	EXIT_DONE(vm);
}

TEST(exit_io, outs_segment_override_from_instruction_info)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fvmcs_set(GUEST_FS_BASE, 0x7000);
	memcpy(hv_gpa(vm, 0x7010, 1), "Z", 1);
	v->regs[RSI] = 0x10;
	struct hv_exit e = string_exit(0x3f8, 1, false, false, 1, 4 /* FS */);
	hv_run(v, &e);
	EXPECT_EQ(vm->uart.line[0], 'Z');
	EXPECT_EQ(v->regs[RSI], 0x11);
	EXIT_DONE(vm);
}

TEST(exit_io, outs_from_non_ram_kills_only_the_vm)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	v->regs[RSI] = 0xfeb00000; /* test device MMIO, not RAM */
	struct hv_exit e = string_exit(0x3f8, 1, false, false, 1, 3);
	struct hv_result r = hv_run(v, &e);
	EXPECT_FALSE(r.running);
	EXPECT_STRCONTAINS(vm->why, "not RAM");
	EXIT_DONE(vm);
}

TEST(exit_io, ins_to_a_read_only_user_page_faults)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	/* CPL 3 and a page mapped user, read-only. */
	static const uint32_t ars[] = {GUEST_CS_AR, GUEST_SS_AR};
	for (unsigned i = 0; i < 2; i++)
		fvmcs_set(ars[i], fvmcs_get(ars[i]) | (3U << 5));
	hv_map(vm, HV_CODE, HV_CODE, PTE_U);
	hv_map(vm, 0x400000, 0x9000, PTE_U);
	v->regs[RDI] = 0x400000;
	struct hv_exit e = string_exit(PORT_SCRATCH, 4, true, false, 2, 0);
	uint32_t before = vm->testdev.port_scratch;
	struct hv_result r = hv_run(v, &e);
	EXPECT_TRUE(r.running);
	EXPECT_EQ(r.inject, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | INTR_INFO_ERROR_VALID | 14);
	EXPECT_EQ(r.inject_error, PF_ERR_P | PF_ERR_W | PF_ERR_U);
	EXPECT_EQ(fcpu_cr2(), 0x400000);
	EXPECT_EQ(r.rip_after, r.rip_before);
	EXPECT_EQ(v->regs[RDI], 0x400000);
	EXPECT_EQ(vm->testdev.port_scratch, before);
	EXIT_DONE(vm);
}

TEST(exit_io, insd_without_instruction_information)
{
	/* CPUs without IA32_VMX_BASIC[54]: the address size is the code segment's. */
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	vmx_caps.basic &= ~(1ULL << 54);
	v->regs[RDI] = 0x6000;
	struct hv_exit e = string_exit(PORT_NONE, 4, true, false, 0, 0);
	e.has_info = false;
	struct hv_result r = hv_run(v, &e);
	EXPECT_EQ(r.rip_after, r.rip_before + 1);
	EXPECT_EQ(*(uint32_t *)hv_gpa(vm, 0x6000, 4), 0xffffffffU);
	EXPECT_EQ(v->regs[RDI], 0x6004);
	EXIT_DONE(vm);
}

/* An I/O breakpoint (DR7 R/W = 10b with CR4.DE) on a port the VMM serves:
 * the #DB trap the CPU would raise after OUT is pending at entry (B0 and
 * "enabled breakpoint"); without CR4.DE nothing. */
TEST(exit_io, io_breakpoint_pending_after_out)
{
	for (int de = 0; de <= 1; de++) {
		test_context("CR4.DE %d", de);
		struct vm *vm = exit_vm(HV_PROT32);
		struct vcpu *v = &vm->vcpu[0];
		fcpu_set_dr(0, 0x2e0);
		fvmcs_set(GUEST_DR7, 0x400 | 1 | (2U << 16)); /* L0, R/W0 = I/O, LEN0 = 1 */
		if (de)
			fvmcs_set(GUEST_CR4, fvmcs_get(GUEST_CR4) | CR4_DE);
		fvmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
		v->regs[RAX] = 0x12;
		struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, 0x2e0ULL << 16, 1); /* out dx, al */
		EXPECT_EQ(r.inject, 0);
		EXPECT_EQ(fvmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), de ? (1ULL | (1ULL << 12)) : 0);
		EXIT_DONE(vm);
	}
}
