/* SPDX-License-Identifier: GPL-2.0-only */
/* test_exit_cr.c: control-register exits: MOV to CR0/CR4 and LMSW, the
 * read shadows, IA-32e activation and PAE PDPTEs, #GP for what the CPU
 * refuses. */
#include "exit_util.h"

TEST(exit_cr, mov_cr0_keeps_ne_and_shadows)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	struct hv_result r = mov_to_cr(v, 0, CR0_PE | CR0_ET | CR0_MP); /* NE cleared by the guest */
	EXPECT_TRUE(r.running);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(r.rip_after, r.rip_before + 3);
	EXPECT_EQ(fvmcs_get(CR0_READ_SHADOW), CR0_PE | CR0_ET | CR0_MP);
	EXPECT_EQ(fvmcs_get(GUEST_CR0), CR0_PE | CR0_ET | CR0_MP | CR0_NE);
	EXIT_DONE(vm);
}

TEST(exit_cr, mov_cr0_from_each_register)
{
	for (unsigned reg = 0; reg < 16; reg++) {
		test_context("gpr %u", reg);
		struct vm *vm = exit_vm(HV_LONG64);
		struct vcpu *v = &vm->vcpu[0];
		uint64_t val = CR0_PE | CR0_ET | CR0_PG | CR0_WP | CR0_MP;
		hv_set_reg(v, reg, val);
		struct hv_result r = hv_run_insn(v, EXIT_CR_ACCESS, CRQ(0, 0, reg), 3);
		EXPECT_EQ(r.inject, 0);
		EXPECT_EQ(fvmcs_get(CR0_READ_SHADOW), val);
		EXIT_DONE(vm);
	}
}

TEST(exit_cr, mov_cr0_reserved_high_bits_gp)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	uint64_t cr0 = fvmcs_get(GUEST_CR0);
	struct hv_result r = mov_to_cr(v, 0, (1ULL << 32) | CR0_PE | CR0_PG);
	EXPECT_EQ(r.inject, XGP0);
	EXPECT_EQ(r.rip_after, r.rip_before);
	EXPECT_EQ(fvmcs_get(GUEST_CR0), cr0);
	EXIT_DONE(vm);
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: MOV to CR0 with PG=1 and PE=0, or NW=1 and
 * CD=0, is written to the VMCS: the VM entry fails and the VM is killed instead of taking #GP */
TEST(exit_cr, mov_cr0_invalid_combinations_gp)
{
	static const uint64_t bad[] = {CR0_PG | CR0_ET, CR0_PE | CR0_NW | CR0_ET};
	for (unsigned i = 0; i < 2; i++) {
		test_context("cr0 0x%llx", (unsigned long long)bad[i]);
		struct vm *vm = exit_vm(HV_PROT32);
		struct hv_result r = mov_to_cr(&vm->vcpu[0], 0, bad[i]);
		EXPECT_CLEAN();
		EXPECT_EQ(r.inject, XGP0);
		EXIT_DONE(vm);
	}
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: MOV to CR0 setting PG with EFER.LME=1 and
 * CR4.PAE=0 writes CR0 before it finds the #GP: the guest is left with PG=1, LME=1, LMA=0 and the
 * VM entry fails */
TEST(exit_cr, mov_cr0_failed_paging_change_leaves_cr0_alone)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	wrmsr_exit(v, MSR_IA32_EFER, EFER_LME);
	struct hv_result r = mov_to_cr(v, 0, CR0_PE | CR0_ET | CR0_PG);
	EXPECT_CLEAN();
	EXPECT_EQ(r.inject, XGP0);
	EXPECT_EQ(fvmcs_get(GUEST_CR0) & CR0_PG, 0);
	EXIT_DONE(vm);
}

TEST(exit_cr, mov_cr0_outside_64bit_mode_uses_32_bits)
{
	struct vm *vm = exit_vm(HV_COMPAT);
	struct vcpu *v = &vm->vcpu[0];
	struct hv_result r =
	    mov_to_cr(v, 0, 0xffffffff00000000ULL | CR0_PE | CR0_ET | CR0_PG | CR0_WP | CR0_MP);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(fvmcs_get(CR0_READ_SHADOW), CR0_PE | CR0_ET | CR0_PG | CR0_WP | CR0_MP);
	EXIT_DONE(vm);
}

TEST(exit_cr, mov_cr4_hidden_features_gp)
{
	static const uint64_t bad[] = {CR4_VMXE, 1ULL << 18 /* OSXSAVE */, 1ULL << 14 /* SMXE */};
	for (unsigned i = 0; i < 3; i++) {
		test_context("cr4 bit 0x%llx", (unsigned long long)bad[i]);
		struct vm *vm = exit_vm(HV_LONG64);
		uint64_t cr4 = fvmcs_get(GUEST_CR4);
		struct hv_result r = mov_to_cr(&vm->vcpu[0], 4, CR4_PAE | bad[i]);
		EXPECT_EQ(r.inject, XGP0);
		EXPECT_EQ(r.rip_after, r.rip_before);
		EXPECT_EQ(fvmcs_get(GUEST_CR4), cr4);
		EXIT_DONE(vm);
	}
}

TEST(exit_cr, mov_cr4_sets_and_shadows)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct hv_result r = mov_to_cr(&vm->vcpu[0], 4, CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(fvmcs_get(CR4_READ_SHADOW), CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT);
	EXPECT_EQ(fvmcs_get(GUEST_CR4), CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_VMXE);
	EXIT_DONE(vm);
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: MOV to CR4 with a reserved or unsupported bit
 * (15, LA57 without support, 23+) is written to the VMCS: the VM entry fails (IA32_VMX_CR4_FIXED1)
 * and the VM is killed instead of taking #GP */
TEST(exit_cr, mov_cr4_reserved_bits_gp)
{
	/* Bits 63:32 exist only for a 64-bit operand (64-bit mode). */
	static const uint64_t bad[] = {1ULL << 15, 1ULL << 12, 1ULL << 23, CR4_PAE | (1ULL << 40)};
	for (unsigned i = 0; i < 4; i++) {
		test_context("cr4 bit 0x%llx", (unsigned long long)bad[i]);
		struct vm *vm = exit_vm(bad[i] >> 32 ? HV_LONG64 : HV_PROT32);
		struct hv_result r = mov_to_cr(&vm->vcpu[0], 4, bad[i]);
		EXPECT_CLEAN();
		EXPECT_EQ(r.inject, XGP0);
		EXIT_DONE(vm);
	}
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: MOV to CR4 clearing PAE in IA-32e mode writes
 * CR4 before it finds the #GP: the VM entry fails */
TEST(exit_cr, clearing_pae_in_long_mode_leaves_cr4_alone)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct hv_result r = mov_to_cr(&vm->vcpu[0], 4, 0);
	EXPECT_CLEAN();
	EXPECT_EQ(r.inject, XGP0);
	EXPECT_TRUE(fvmcs_get(GUEST_CR4) & CR4_PAE);
	EXIT_DONE(vm);
}

TEST(exit_cr, long_mode_activation)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	/* 4-level tables at 0x30000 mapping nothing: activation does not walk them. */
	fvmcs_set(GUEST_CR3, 0x30000);
	EXPECT_EQ(mov_to_cr(v, 4, CR4_PAE).inject, 0);
	EXPECT_EQ(wrmsr_exit(v, MSR_IA32_EFER, EFER_LME).inject, 0);
	struct hv_result r = mov_to_cr(v, 0, CR0_PE | CR0_ET | CR0_PG);
	EXPECT_EQ(r.inject, 0);
	EXPECT_TRUE(fvmcs_get(GUEST_IA32_EFER) & EFER_LMA);
	EXPECT_TRUE(fvmcs_get(VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST);
	/* and back: paging off leaves IA-32e mode */
	r = mov_to_cr(v, 0, CR0_PE | CR0_ET);
	EXPECT_EQ(r.inject, 0);
	EXPECT_FALSE(fvmcs_get(GUEST_IA32_EFER) & EFER_LMA);
	EXPECT_FALSE(fvmcs_get(VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST);
	EXIT_DONE(vm);
}

TEST(exit_cr, pae_paging_loads_pdptes)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	uint64_t *pdpt = hv_gpa(vm, 0x30000, 32);
	pdpt[0] = 0x31001;
	pdpt[1] = 0x32001;
	pdpt[2] = 0;
	pdpt[3] = 0x33001;
	fvmcs_set(GUEST_CR3, 0x30000);
	mov_to_cr(v, 4, CR4_PAE);
	struct hv_result r = mov_to_cr(v, 0, CR0_PE | CR0_ET | CR0_PG);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(fvmcs_get(GUEST_PDPTE0), 0x31001);
	EXPECT_EQ(fvmcs_get(GUEST_PDPTE1), 0x32001);
	EXPECT_EQ(fvmcs_get(GUEST_PDPTE2), 0);
	EXPECT_EQ(fvmcs_get(GUEST_PDPTE3), 0x33001);
	EXPECT_FALSE(fvmcs_get(GUEST_IA32_EFER) & EFER_LMA);
	EXIT_DONE(vm);
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: MOV to CR0 enabling PAE paging with the PDPT
 * outside RAM injects #GP but has already written CR0.PG: the VM entry fails */
TEST(exit_cr, pae_pdpt_outside_ram_gp)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fvmcs_set(GUEST_CR3, 0xfee00000);
	mov_to_cr(v, 4, CR4_PAE);
	struct hv_result r = mov_to_cr(v, 0, CR0_PE | CR0_ET | CR0_PG);
	EXPECT_EQ(r.inject, XGP0);
	EXPECT_CLEAN();
	EXIT_DONE(vm);
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: MOV to CR0/CR4 enabling PAE paging loads
 * PDPTEs with reserved bits set into the VMCS: the VM entry fails (26.3.1.6) instead of the MOV
 * taking #GP */
TEST(exit_cr, pae_reserved_pdpte_bits_gp)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	uint64_t *pdpt = hv_gpa(vm, 0x30000, 32);
	pdpt[0] = 0x31001 | (1ULL << 1); /* bit 1 is reserved in a PAE PDPTE */
	fvmcs_set(GUEST_CR3, 0x30000);
	mov_to_cr(v, 4, CR4_PAE);
	struct hv_result r = mov_to_cr(v, 0, CR0_PE | CR0_ET | CR0_PG);
	EXPECT_CLEAN();
	EXPECT_EQ(r.inject, XGP0);
	EXIT_DONE(vm);
}

TEST(exit_cr, lmsw_sets_pe_but_cannot_clear_it)
{
	struct vm *vm = exit_vm(HV_REAL);
	struct vcpu *v = &vm->vcpu[0];
	struct hv_result r =
	    hv_run_insn(v, EXIT_CR_ACCESS, CRQ(0, 3, 0) | ((uint64_t)(CR0_PE | CR0_MP) << 16), 3);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(fvmcs_get(GUEST_CR0) & 0xf, CR0_PE | CR0_MP);
	r = hv_run_insn(v, EXIT_CR_ACCESS, CRQ(0, 3, 0), 3); /* LMSW 0 */
	EXPECT_EQ(fvmcs_get(GUEST_CR0) & CR0_PE, CR0_PE);
	EXPECT_EQ(fvmcs_get(GUEST_CR0) & CR0_MP, 0);
	EXIT_DONE(vm);
}

TEST(exit_cr, unexpected_cr_exits_kill)
{
	/* MOV from CR0 and MOV to CR3 do not exit with the VMM's controls. */
	struct vm *vm = exit_vm(HV_PROT32);
	struct hv_result r = hv_run_insn(&vm->vcpu[0], EXIT_CR_ACCESS, CRQ(3, 0, 0), 3);
	EXPECT_FALSE(r.running);
	EXPECT_STRCONTAINS(vm->why, "control-register");
	EXIT_DONE(vm);
}
