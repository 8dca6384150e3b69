/* SPDX-License-Identifier: GPL-2.0-only */
/* test_exit_mmio.c: EPT violations: the instruction at RIP fetched through
 * the guest's paging, decoded and carried out against the vLAPIC, the
 * vIOAPIC, the test device or nothing; what kills the VM (and only it). */
#include "exit_util.h"

#define TESTDEV 0xfeb00000ULL

TEST(exit_mmio, mov_store_and_load_test_device_in_every_mode)
{
	/* mov [rbx], eax ; mov ecx, [rbx] (the same bytes in 16-bit code
	 * mean [bp+di]: 32-bit modes and up only, with 67 in 16-bit modes). */
	static const uint8_t store[] = {0x89, 0x03}, load[] = {0x8b, 0x0b};
	for (unsigned m = HV_PROT32; m < HV_MODES; m++) {
		test_context("%s", hv_mode_names[m]);
		struct vm *vm = exit_vm((enum hv_mode)m);
		struct vcpu *v = &vm->vcpu[0];
		v->regs[RBX] = TESTDEV + 0x10;
		v->regs[RAX] = 0x1122334455667788ULL;
		struct hv_result r = mmio_exit(v, store, 2, TESTDEV + 0x10, TESTDEV + 0x10, true);
		EXPECT_TRUE(r.running);
		EXPECT_EQ(r.rip_after, r.rip_before + 2);
		uint32_t got;
		memcpy(&got, &vm->testdev.scratch[0x10], 4);
		EXPECT_EQ(got, 0x55667788);
		v->regs[RCX] = ~0ULL;
		r = mmio_exit(v, load, 2, TESTDEV + 0x10, TESTDEV + 0x10, false);
		EXPECT_EQ(r.rip_after, r.rip_before + 2);
		EXPECT_EQ(v->regs[RCX], 0x55667788); /* 32-bit loads zero-extend */
		EXIT_DONE(vm);
	}
}

TEST(exit_mmio, vlapic_version_and_tpr)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	/* mov eax, [rsi + 0x30] -> 0xfee00030 (version) */
	static const uint8_t ver[] = {0x8b, 0x46, 0x30};
	v->regs[RSI] = HV_LAPIC;
	struct hv_result r = mmio_exit(v, ver, 3, HV_LAPIC + 0x30, HV_LAPIC + 0x30, false);
	EXPECT_EQ(r.rip_after, r.rip_before + 3);
	EXPECT_EQ(v->regs[RAX] & 0xff, 0x14);
	/* mov dword [rbx], 0x50 -> TPR */
	static const uint8_t tpr[] = {0xc7, 0x03, 0x50, 0, 0, 0};
	v->regs[RBX] = HV_LAPIC + 0x80;
	mmio_exit(v, tpr, 6, HV_LAPIC + 0x80, HV_LAPIC + 0x80, true);
	EXPECT_EQ(v->lapic.tpr, 0x50);
	EXIT_DONE(vm);
}

TEST(exit_mmio, ioapic_index_and_data)
{
	struct vm *vm = exit_vm(HV_PAGING32);
	struct vcpu *v = &vm->vcpu[0];
	static const uint8_t st[] = {0x89, 0x03}, ld[] = {0x8b, 0x0b};
	v->regs[RBX] = HV_IOAPIC;
	v->regs[RAX] = 1; /* IOAPICVER */
	mmio_exit(v, st, 2, HV_IOAPIC, HV_IOAPIC, true);
	v->regs[RBX] = HV_IOAPIC + 0x10;
	mmio_exit(v, ld, 2, HV_IOAPIC + 0x10, HV_IOAPIC + 0x10, false);
	EXPECT_EQ((v->regs[RCX] >> 16) & 0xff, 23); /* 24 pins: max redirection entry 23 */
	EXIT_DONE(vm);
}

TEST(exit_mmio, unclaimed_reads_all_ones_writes_dropped)
{
	struct vm *vm = exit_vm(HV_REAL);
	struct vcpu *v = &vm->vcpu[0];
	/* mov al, [bx] at 0xb8000 (VGA: the PC hole, no device) with DS = 0xb800 */
	static const uint8_t ld[] = {0x8a, 0x07}, st[] = {0x88, 0x07};
	fvmcs_set(GUEST_DS_SEL, 0xb800);
	fvmcs_set(GUEST_DS_BASE, 0xb8000);
	v->regs[RBX] = 0x10;
	v->regs[RAX] = 0x1234;
	struct hv_result r = mmio_exit(v, ld, 2, 0xb8010, 0xb8010, false);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(v->regs[RAX], 0x12ff);
	r = mmio_exit(v, st, 2, 0xb8010, 0xb8010, true);
	EXPECT_TRUE(r.running);
	EXPECT_EQ(vm->unclaimed_mmio, 2);
	EXIT_DONE(vm);
}

TEST(exit_mmio, alu_on_a_device_register_sets_flags)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	memset(vm->testdev.scratch, 0, 8);
	vm->testdev.scratch[0] = 5;
	/* sub dword [ebx], 5 -> 0, ZF set */
	static const uint8_t sub[] = {0x83, 0x2b, 0x05};
	v->regs[RBX] = TESTDEV;
	struct hv_result r = mmio_exit(v, sub, 3, TESTDEV, TESTDEV, true);
	EXPECT_EQ(r.rip_after, r.rip_before + 3);
	EXPECT_EQ(vm->testdev.scratch[0], 0);
	EXPECT_TRUE(fvmcs_get(GUEST_RFLAGS) & RFLAGS_ZF);
	EXIT_DONE(vm);
}

TEST(exit_mmio, rep_movsb_from_device_to_ram)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	for (unsigned i = 0; i < 16; i++)
		vm->testdev.scratch[i] = (uint8_t)(0xa0 + i);
	static const uint8_t movs[] = {0xf3, 0xa4};
	v->regs[RSI] = TESTDEV;
	v->regs[RDI] = 0x6000;
	v->regs[RCX] = 16;
	struct hv_result r = mmio_exit(v, movs, 2, TESTDEV, TESTDEV, false);
	EXPECT_EQ(v->regs[RCX], 0);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(memcmp(hv_gpa(vm, 0x6000, 16), vm->testdev.scratch, 16), 0);
	EXIT_DONE(vm);
}

TEST(exit_mmio, refusals_kill_only_the_vm)
{
	static const uint8_t ud2[] = {0x0f, 0x0b};
	static const uint8_t st[] = {0x89, 0x03};
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	struct hv_result r = mmio_exit(v, ud2, 2, TESTDEV, TESTDEV, false);
	EXPECT_FALSE(r.running);
	EXPECT_STRCONTAINS(vm->why, "cannot decode");
	EXIT_DONE(vm);

	vm = exit_vm(HV_PROT32);
	v = &vm->vcpu[0];
	r = mmio_exit(v, st, 2, 0x5000, 0x5000, true); /* RAM: no EPT violation there */
	EXPECT_FALSE(r.running);
	EXPECT_STRCONTAINS(vm->why, "inside guest RAM");
	EXIT_DONE(vm);

	vm = exit_vm(HV_PROT32);
	struct hv_exit e = {.reason = EXIT_EPT_VIOLATION,
			    .qual = EPTQ_FETCH | EPTQ_READ,
			    .gpa = TESTDEV,
			    .has_gpa = true,
			    .has_gla = true,
			    .gla = TESTDEV};
	r = hv_run(&vm->vcpu[0], &e);
	EXPECT_FALSE(r.running);
	EXPECT_STRCONTAINS(vm->why, "fetch");
	EXIT_DONE(vm);
}

TEST(exit_mmio, exit_during_event_delivery_is_not_emulated)
{
	/* The IDT or the stack outside RAM: the access is the delivery's, not
	 * the instruction's (fixed in db27b5b: it was emulated and RIP moved). */
	static const uint8_t st[] = {0x89, 0x03};
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	hv_poke(vm, fvmcs_get(GUEST_RIP), st, 2);
	v->regs[RBX] = TESTDEV;
	struct hv_exit e = {.reason = EXIT_EPT_VIOLATION,
			    .qual = EPTQ_WRITE | EPTQ_GLA_VALID | EPTQ_GLA_FINAL,
			    .gpa = TESTDEV,
			    .has_gpa = true,
			    .gla = TESTDEV,
			    .has_gla = true,
			    .idt_info = INTR_INFO_VALID | INTR_TYPE_EXT_INTR | 0x30,
			    /* undefined for this exit, but read by virq_save_idt_vectoring() */
			    .len = 2,
			    .has_len = true};
	struct hv_result r = hv_run(v, &e);
	EXPECT_EQ(r.rip_after, r.rip_before);
	EXPECT_EQ(vm->testdev.count, 0);
	EXPECT_FALSE(r.running);
	EXPECT_STRCONTAINS(vm->why, "event delivery");
	EXIT_DONE(vm);
}

TEST(exit_mmio, instruction_not_matching_the_exit_is_reexecuted)
{
	/* The instruction at RIP does not access the exit's linear address (it
	 * changed under the exit): nothing emulated, RIP stays. */
	static const uint8_t st[] = {0x89, 0x03};
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	v->regs[RBX] = TESTDEV + 0x40;
	struct hv_result r = mmio_exit(v, st, 2, HV_LAPIC + 0x80, HV_LAPIC + 0x80, true);
	EXPECT_TRUE(r.running);
	EXPECT_EQ(r.rip_after, r.rip_before);
	EXPECT_EQ(v->lapic.tpr, 0);
	EXPECT_EQ(vm->testdev.count, 0);
	EXIT_DONE(vm);
}

TEST(exit_mmio, movs_from_user_mode_respects_supervisor_pages)
{
	/* A CPL-3 REP MOVSB from the device into a supervisor-only page must
	 * fault, not write the page for the user (fixed in db27b5b). */
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	static const uint32_t ars[] = {GUEST_CS_AR, GUEST_SS_AR};
	for (unsigned i = 0; i < 2; i++)
		fvmcs_set(ars[i], fvmcs_get(ars[i]) | (3U << 5));
	hv_map(vm, HV_CODE, HV_CODE, PTE_U);
	hv_map(vm, 0x500000, TESTDEV, PTE_U | PTE_W);
	hv_map(vm, 0x600000, 0x6000, PTE_W); /* supervisor only */
	static const uint8_t movs[] = {0xf3, 0xa4};
	v->regs[RSI] = 0x500000;
	v->regs[RDI] = 0x600000;
	v->regs[RCX] = 4;
	struct hv_result r = mmio_exit(v, movs, 2, TESTDEV, 0x500000, false);
	EXPECT_EQ(r.inject & 0xff, 14);
	EXPECT_EQ(*(uint32_t *)hv_gpa(vm, 0x6000, 4), 0);
	EXIT_DONE(vm);
}
