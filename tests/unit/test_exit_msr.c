/* SPDX-License-Identifier: GPL-2.0-only */
/* test_exit_msr.c: RDMSR/WRMSR exits: the allow-list of
 * docs/guest-platform.md, #GP(0) for everything else and for values the
 * CPU would refuse, and no host WRMSR with a value the VMM did not check. */
#include "exit_util.h"

TEST(exit_msr, unknown_msrs_are_gp0)
{
	static const uint32_t bad[] = {0x0, 0x3a, 0x12345, 0x480, 0xc0000080 + 0x100, 0x40000000, 0x900};
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_context("msr 0x%x", bad[i]);
		v->regs[RAX] = v->regs[RDX] = 0x5555;
		struct hv_result r = rdmsr_exit(v, bad[i]);
		EXPECT_EQ(r.inject, XGP0);
		EXPECT_EQ(r.inject_error, 0);
		EXPECT_EQ(r.rip_after, r.rip_before); /* a fault: RIP stays */
		EXPECT_EQ(v->regs[RAX], 0x5555);
		r = wrmsr_exit(v, bad[i], 1);
		EXPECT_EQ(r.inject, XGP0);
		EXPECT_EQ(r.rip_after, r.rip_before);
	}
	EXPECT_EQ(fcpu_wrmsr_count(), 0);
	EXIT_DONE(vm);
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: #GP injected with an error code while CR0.PE=0
 * (unrestricted guest): the VM entry fails (SDM 26.2.1.3) and the VM is killed instead of taking
 * #GP */
TEST(exit_msr, gp_in_real_mode_has_no_error_code)
{
	struct vm *vm = exit_vm(HV_REAL);
	struct hv_result r = rdmsr_exit(&vm->vcpu[0], 0x12345);
	EXPECT_EQ(r.inject, XGP_REAL);
	EXIT_DONE(vm);
}

TEST(exit_msr, syscall_msrs_reach_the_cpu_when_valid)
{
	static const struct {
		uint32_t msr;
		uint64_t val;
	} ok[] = {
	    {HV_MSR_STAR, 0x0023001000000000ULL},
	    {HV_MSR_LSTAR, 0xffffffff81000000ULL},
	    {HV_MSR_CSTAR, 0x00007fffffffffffULL},
	    {HV_MSR_KERNEL_GS_BASE, 0xffff888000000000ULL},
	    {HV_MSR_SFMASK, 0x47700},
	    {HV_MSR_TSC_AUX, 0xffffffff},
	};
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		test_context("msr 0x%x", ok[i].msr);
		fcpu_clear_wrmsr_log();
		struct hv_result r = wrmsr_exit(v, ok[i].msr, ok[i].val);
		EXPECT_EQ(r.inject, 0);
		EXPECT_EQ(r.rip_after, r.rip_before + 2);
		EXPECT_EQ(fcpu_wrmsr_count(), 1);
		EXPECT_EQ(fcpu_wrmsr_at(0)->msr, ok[i].msr);
		EXPECT_EQ(fcpu_wrmsr_at(0)->val, ok[i].val);
		r = rdmsr_exit(v, ok[i].msr);
		EXPECT_EQ((v->regs[RDX] << 32) | v->regs[RAX], ok[i].val);
	}
	EXIT_DONE(vm);
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: WRMSR LSTAR/CSTAR/KERNEL_GS_BASE with a
 * non-canonical address, or SFMASK/TSC_AUX with EDX != 0, is executed on the host CPU: #GP in the
 * VMM (host crash) instead of the guest's #GP */
TEST(exit_msr, syscall_msrs_refuse_what_the_cpu_refuses)
{
	static const struct {
		uint32_t msr;
		uint64_t val;
	} bad[] = {
	    {HV_MSR_LSTAR, 0x0000800000000000ULL},	    {HV_MSR_CSTAR, 0x8000000000000000ULL},
	    {HV_MSR_KERNEL_GS_BASE, 0x1234567812345678ULL}, {HV_MSR_SFMASK, 1ULL << 32},
	    {HV_MSR_TSC_AUX, 0xffffffff00000000ULL},
	};
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_context("msr 0x%x value 0x%llx", bad[i].msr, (unsigned long long)bad[i].val);
		struct hv_result r = wrmsr_exit(v, bad[i].msr, bad[i].val);
		EXPECT_CLEAN();
		EXPECT_EQ(r.inject, XGP0);
		EXPECT_EQ(fcpu_wrmsr_count(), 0);
	}
	EXIT_DONE(vm);
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: WRMSR
 * FS_BASE/GS_BASE/SYSENTER_ESP/SYSENTER_EIP with a non-canonical value is stored in the VMCS: the
 * next VM entry fails and the VM is killed instead of taking #GP */
TEST(exit_msr, vmcs_msrs_refuse_non_canonical)
{
	static const uint32_t msrs[] = {HV_MSR_FS_BASE, HV_MSR_GS_BASE, HV_MSR_SYSENTER_ESP,
					HV_MSR_SYSENTER_EIP};
	for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		test_context("msr 0x%x", msrs[i]);
		struct vm *vm = exit_vm(HV_LONG64);
		struct hv_result r = wrmsr_exit(&vm->vcpu[0], msrs[i], 0x0000800000000000ULL);
		EXPECT_CLEAN();
		EXPECT_EQ(r.inject, XGP0);
		EXIT_DONE(vm);
	}
}

TEST(exit_msr, vmcs_msrs)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	wrmsr_exit(v, HV_MSR_FS_BASE, 0x7fff12340000ULL);
	EXPECT_EQ(fvmcs_get(GUEST_FS_BASE), 0x7fff12340000ULL);
	wrmsr_exit(v, HV_MSR_GS_BASE, 0xffff880000001000ULL);
	EXPECT_EQ(fvmcs_get(GUEST_GS_BASE), 0xffff880000001000ULL);
	wrmsr_exit(v, HV_MSR_SYSENTER_CS, 0x10);
	wrmsr_exit(v, HV_MSR_SYSENTER_EIP, 0xffffffff81234567ULL);
	EXPECT_EQ(fvmcs_get(GUEST_SYSENTER_CS), 0x10);
	EXPECT_EQ(fvmcs_get(GUEST_SYSENTER_EIP), 0xffffffff81234567ULL);
	rdmsr_exit(v, HV_MSR_SYSENTER_EIP);
	EXPECT_EQ(v->regs[RDX], 0xffffffffULL);
	EXPECT_EQ(v->regs[RAX], 0x81234567ULL);
	EXPECT_EQ(fcpu_wrmsr_count(), 0); /* none of these touches the host CPU */
	EXIT_DONE(vm);
}

TEST(exit_msr, efer)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	struct hv_result r = wrmsr_exit(v, MSR_IA32_EFER, EFER_SCE | EFER_LME | EFER_NXE);
	EXPECT_EQ(r.inject, 0);
	/* LMA is the CPU's: kept. */
	EXPECT_EQ(fvmcs_get(GUEST_IA32_EFER), EFER_SCE | EFER_LME | EFER_NXE | EFER_LMA);
	r = wrmsr_exit(v, MSR_IA32_EFER, EFER_LME | (1ULL << 2)); /* reserved bit */
	EXPECT_EQ(r.inject, XGP0);
	rdmsr_exit(v, MSR_IA32_EFER);
	EXPECT_EQ(v->regs[RAX], EFER_SCE | EFER_LME | EFER_NXE | EFER_LMA);
	EXIT_DONE(vm);
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: WRMSR EFER clearing LME while CR0.PG=1 (or
 * setting it) is accepted: LMA != LME with paging on, the VM entry fails and the VM is killed
 * instead of taking #GP (SDM 9.8.5) */
TEST(exit_msr, efer_lme_cannot_change_with_paging_on)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct hv_result r = wrmsr_exit(&vm->vcpu[0], MSR_IA32_EFER, EFER_SCE);
	EXPECT_CLEAN();
	EXPECT_EQ(r.inject, XGP0);
	EXIT_DONE(vm);
}

TEST(exit_msr, pat)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	struct hv_result r = wrmsr_exit(v, MSR_IA32_PAT, 0x0007010600070106ULL);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(fvmcs_get(GUEST_IA32_PAT), 0x0007010600070106ULL);
	for (unsigned bad = 2; bad <= 8; bad += (bad == 3 ? 5 : 1)) {
		test_context("type %u", bad);
		r = wrmsr_exit(v, MSR_IA32_PAT,
			       (0x0007040600070406ULL & ~(0xffULL << 40)) | ((uint64_t)bad << 40));
		EXPECT_EQ(r.inject, XGP0);
	}
	EXPECT_EQ(fvmcs_get(GUEST_IA32_PAT), 0x0007010600070106ULL);
	EXIT_DONE(vm);
}

TEST(exit_msr, tsc_misc_mtrr)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	rdmsr_exit(v, 0x10);
	uint64_t t0 = (v->regs[RDX] << 32) | v->regs[RAX];
	rdmsr_exit(v, 0x10);
	uint64_t t1 = (v->regs[RDX] << 32) | v->regs[RAX];
	EXPECT_GT(t1, t0);
	/* WRMSR TSC sets the guest's TSC through the offset; TSC_ADJUST follows. */
	EXPECT_EQ(wrmsr_exit(v, 0x10, 0x1000000000ULL).inject, 0);
	EXPECT_EQ(fvmcs_get(TSC_OFFSET), v->tsc_offset);
	rdmsr_exit(v, 0x10);
	uint64_t t2 = (v->regs[RDX] << 32) | v->regs[RAX];
	EXPECT_GE(t2, 0x1000000000ULL);
	EXPECT_LT(t2, 0x1000000000ULL + 1000000);
	rdmsr_exit(v, 0x3b);
	uint64_t adj = (v->regs[RDX] << 32) | v->regs[RAX];
	EXPECT_EQ(adj, v->tsc_offset);
	/* Writing TSC_ADJUST moves the TSC by the difference. */
	EXPECT_EQ(wrmsr_exit(v, 0x3b, adj + 5000).inject, 0);
	EXPECT_EQ(v->tsc_adjust, adj + 5000);
	EXPECT_EQ(fvmcs_get(TSC_OFFSET), adj + 5000);
	rdmsr_exit(v, 0x1a0);
	EXPECT_EQ(v->regs[RAX], 1);				  /* fast strings */
	EXPECT_EQ(wrmsr_exit(v, 0x1a0, 1).inject, 0);		  /* the value read: accepted */
	EXPECT_EQ(wrmsr_exit(v, 0x1a0, 0).inject, 0);		  /* fast strings is writable */
	EXPECT_EQ(wrmsr_exit(v, 0x1a0, 1ULL << 22).inject, XGP0); /* other bits as reported */
	rdmsr_exit(v, 0x1a0);
	EXPECT_EQ(v->regs[RAX], 0);
	rdmsr_exit(v, 0xfe);
	EXPECT_EQ(v->regs[RAX] | v->regs[RDX], 0);	  /* no MTRRs */
	EXPECT_EQ(wrmsr_exit(v, 0xfe, 0).inject, XGP0);	  /* read-only */
	EXPECT_EQ(wrmsr_exit(v, 0x2ff, 0xc06).inject, 0); /* accepted, no effect */
	EXIT_DONE(vm);
}

TEST(exit_msr, apic_base_and_x2apic)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	rdmsr_exit(v, MSR_IA32_APIC_BASE);
	EXPECT_EQ(v->regs[RAX], 0xfee00000ULL | APIC_BASE_BSP | APIC_BASE_ENABLE);
	/* x2APIC registers #GP in xAPIC mode. */
	EXPECT_EQ(rdmsr_exit(v, 0x802).inject, XGP0);
	struct hv_result r = wrmsr_exit(v, MSR_IA32_APIC_BASE,
					0xfee00000ULL | APIC_BASE_BSP | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	EXPECT_EQ(r.inject, 0);
	r = rdmsr_exit(v, 0x802); /* x2APIC ID */
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(v->regs[RAX], 0);
	r = rdmsr_exit(v, 0x803); /* version */
	EXPECT_EQ(v->regs[RAX] & 0xff, 0x14);
	/* x2APIC -> xAPIC directly is invalid. */
	r = wrmsr_exit(v, MSR_IA32_APIC_BASE, 0xfee00000ULL | APIC_BASE_BSP | APIC_BASE_ENABLE);
	EXPECT_EQ(r.inject, XGP0);
	/* A self IPI through the x2APIC ICR lands in the vLAPIC and is injected. */
	fvmcs_set(GUEST_RFLAGS, 0x202);
	r = wrmsr_exit(v, 0x830, (1ULL << 18) | 0x51); /* shorthand self, vector 0x51 */
	EXPECT_EQ(r.inject, INTR_INFO_VALID | INTR_TYPE_EXT_INTR | 0x51);
	EXPECT_EQ(fcpu_wrmsr_count(), 0);
	EXIT_DONE(vm);
}

TEST(exit_msr, tsc_deadline)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	EXPECT_EQ(wrmsr_exit(v, MSR_IA32_TSC_DEADLINE, 12345).inject, 0); /* not in deadline mode: ignored */
	rdmsr_exit(v, MSR_IA32_TSC_DEADLINE);
	EXPECT_EQ(v->regs[RAX], 0);
	EXIT_DONE(vm);
}

/* IA32_DEBUGCTL (architectural, no CPUID bit): the guest's own, in the VMCS
 * (saved at exit, loaded at entry). BTF is the one bit offered; LBR, BTS
 * and the freeze bits need MSRs or a DS area the VMM does not provide.
 * Found while documenting the MSRs (docs/guest-platform.md): every RDMSR
 * and WRMSR of it was #GP, so BTF (single-step on branches, SDM Vol. 3B
 * 17.4.3) could not be used and the VMM's BTF rule for the single-step
 * traps it emulates (exit_single_stepping) could never apply. */
TEST(exit_msr, debugctl_btf)
{
	static const uint64_t bad[] = {1ULL << 0, 1ULL << 6, 1ULL << 7, 1ULL << 11, 1ULL << 32};
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	struct hv_result r = rdmsr_exit(v, MSR_IA32_DEBUGCTL);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(v->regs[RAX] | v->regs[RDX], 0);
	r = wrmsr_exit(v, MSR_IA32_DEBUGCTL, DEBUGCTL_BTF);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(fvmcs_get(GUEST_IA32_DEBUGCTL), DEBUGCTL_BTF);
	rdmsr_exit(v, MSR_IA32_DEBUGCTL);
	EXPECT_EQ(v->regs[RAX], DEBUGCTL_BTF);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_context("value 0x%llx", (unsigned long long)bad[i]);
		r = wrmsr_exit(v, MSR_IA32_DEBUGCTL, bad[i] | DEBUGCTL_BTF);
		EXPECT_EQ(r.inject, XGP0);
		EXPECT_EQ(fvmcs_get(GUEST_IA32_DEBUGCTL), DEBUGCTL_BTF);
	}
	EXPECT_EQ(wrmsr_exit(v, MSR_IA32_DEBUGCTL, 0).inject, 0);
	EXPECT_EQ(fvmcs_get(GUEST_IA32_DEBUGCTL), 0);
	EXPECT_EQ(fcpu_wrmsr_count(), 0);
	EXIT_DONE(vm);
}

/* IA32_APIC_BASE: address bits from MAXPHYADDR (CPUID.80000008H:EAX[7:0],
 * the host's, 39 in the harness) up are reserved: #GP (SDM Vol. 3A 10.4.4,
 * Vol. 4 table 2-2). Found while documenting the MSRs: the vLAPIC's limit
 * stayed at 52 bits (vlapic.h lets the VMM lower it; nothing did). */
TEST(exit_msr, apic_base_above_maxphyaddr_is_gp)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	uint64_t base = 0xfee00000ULL | APIC_BASE_BSP | APIC_BASE_ENABLE;
	EXPECT_EQ(wrmsr_exit(v, MSR_IA32_APIC_BASE, base | (1ULL << 39)).inject, XGP0);
	EXPECT_EQ(wrmsr_exit(v, MSR_IA32_APIC_BASE, base | (1ULL << 51)).inject, XGP0);
	rdmsr_exit(v, MSR_IA32_APIC_BASE);
	EXPECT_EQ((v->regs[RDX] << 32) | v->regs[RAX], base);
	EXPECT_EQ(wrmsr_exit(v, MSR_IA32_APIC_BASE, base | (1ULL << 38)).inject, 0); /* below MAXPHYADDR */
	rdmsr_exit(v, MSR_IA32_APIC_BASE);
	EXPECT_EQ((v->regs[RDX] << 32) | v->regs[RAX], base | (1ULL << 38));
	EXPECT_EQ(wrmsr_exit(v, MSR_IA32_APIC_BASE, base).inject, 0);
	EXIT_DONE(vm);
}
