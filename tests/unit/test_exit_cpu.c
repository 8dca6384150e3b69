/* SPDX-License-Identifier: GPL-2.0-only */
/* test_exit_cpu.c: CPUID, HLT, INVD/WBINVD, the #UD exits, the exits that
 * do nothing, and unknown exit reasons, driven through exit_dispatch() in
 * the host harness (docs/exit-harness.md). */
#include "exit_util.h"
#include "shared/coopvmm_hypercall.h"

static struct hv_result cpuid_exit(struct vcpu *v, uint32_t leaf, uint32_t sub)
{
	v->regs[RAX] = 0xdead0000ULL << 32 | leaf;
	v->regs[RCX] = 0xbeef0000ULL << 32 | sub;
	v->regs[RBX] = v->regs[RDX] = ~0ULL;
	return hv_run_insn(v, EXIT_CPUID, 0, 2);
}

TEST(exit_cpuid, leaf1_hides_vmx_smx_monitor_xsave_avx)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fcpu_set_cpuid_mode(FCPU_CPUID_ALL_ONES);
	struct hv_result r = cpuid_exit(v, 1, 0);
	EXPECT_TRUE(r.running && r.enter);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	/* VMX, SMX, MONITOR, XSAVE, OSXSAVE, AVX; and the features whose MSRs the
	 * VMM does not provide: DTES64, DS-CPL, EST, TM2, xTPR, PDCM, DCA. */
	uint32_t hidden = (1U << 5) | (1U << 6) | (1U << 3) | (1U << 26) | (1U << 27) | (1U << 28) |
			  (1U << 2) | (1U << 4) | (1U << 7) | (1U << 8) | (1U << 14) | (1U << 15) |
			  (1U << 18);
	EXPECT_EQ(v->regs[RCX] & hidden, 0);
	EXPECT_EQ(v->regs[RCX] & (CPUID1_ECX_HYPERVISOR | CPUID1_ECX_X2APIC),
		  CPUID1_ECX_HYPERVISOR | CPUID1_ECX_X2APIC);
	EXPECT_EQ(v->regs[RBX] >> 24, 0);	   /* APIC ID = vCPU index */
	EXPECT_EQ((v->regs[RBX] >> 16) & 0xff, 1); /* logical processors = vCPUs */
	EXPECT_EQ(v->regs[RAX] >> 32, 0);	   /* CPUID writes 32-bit values */
	/* EDX: MCA, DS, ACPI, TM, PBE hidden (their MSRs are not provided). */
	EXPECT_EQ(v->regs[RDX],
		  0xffffffffULL & ~((1U << 14) | (1U << 21) | (1U << 22) | (1U << 29) | (1U << 31)));
	EXIT_DONE(vm);
}

TEST(exit_cpuid, leaf1_apic_bit_follows_apic_base)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fcpu_set_cpuid_mode(FCPU_CPUID_ALL_ONES);
	EXPECT_EQ(wrmsr_exit(v, MSR_IA32_APIC_BASE, 0xfee00000ULL | APIC_BASE_BSP).inject, 0);
	cpuid_exit(v, 1, 0);
	EXPECT_EQ(v->regs[RDX] & (1U << 9), 0); /* globally disabled: no APIC */
	EXPECT_EQ(wrmsr_exit(v, MSR_IA32_APIC_BASE, 0xfee00000ULL | APIC_BASE_BSP | APIC_BASE_ENABLE).inject,
		  0);
	cpuid_exit(v, 1, 0);
	EXPECT_EQ(v->regs[RDX] & (1U << 9), 1U << 9);
	EXIT_DONE(vm);
}

TEST(exit_cpuid, leaf1_apic_id_of_second_vcpu)
{
	struct vm *vm = hv_create(HV_MEM, 2, HV_PROT32);
	EXPECT_TRUE(vm != NULL);
	struct vcpu *v = &vm->vcpu[1];
	cpuid_exit(v, 1, 0);
	EXPECT_EQ(v->regs[RBX] >> 24, 1);
	EXPECT_EQ((v->regs[RBX] >> 16) & 0xff, 2);
	cpuid_exit(v, 0xb, 0);
	EXPECT_EQ(v->regs[RDX], 1); /* x2APIC ID */
	EXIT_DONE(vm);
}

TEST(exit_cpuid, leaf7_hides_avx2_avx512)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	fcpu_set_cpuid_mode(FCPU_CPUID_ALL_ONES);
	cpuid_exit(v, 7, 0);
	EXPECT_EQ(v->regs[RBX] & ((1U << 5) | (1U << 16)), 0);
	EXIT_DONE(vm);
}

/* Reproduced by the harness at 09fe4e8, fixed in db27b5b: CPUID.7.0:ECX shows PKU/OSPKE/LA57, which the
 * VMM does not support (PKRU not switched, 4-level walk) */
TEST(exit_cpuid, leaf7_hides_pku_la57)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	fcpu_set_cpuid_mode(FCPU_CPUID_ALL_ONES);
	cpuid_exit(v, 7, 0);
	EXPECT_EQ(v->regs[RCX] & ((1U << 3) | (1U << 4) | (1U << 16)), 0);
	EXIT_DONE(vm);
}

TEST(exit_cpuid, leaf1f_x2apic_id)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	fcpu_set_cpuid_mode(FCPU_CPUID_ALL_ONES);
	cpuid_exit(v, 0x1f, 0);
	EXPECT_EQ(v->regs[RDX], 0);
	EXIT_DONE(vm);
}

TEST(exit_cpuid, zeroed_leaves_and_hypervisor_leaves)
{
	static const uint32_t zero[] = {6, 0xa, 0xd, 0x40000002, 0x400000ff};
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fcpu_set_cpuid_mode(FCPU_CPUID_ALL_ONES);
	for (unsigned i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
		test_context("leaf 0x%x", zero[i]);
		cpuid_exit(v, zero[i], 0);
		EXPECT_EQ(v->regs[RAX] | v->regs[RBX] | v->regs[RCX] | v->regs[RDX], 0);
	}
	test_context("leaf 0x40000000");
	cpuid_exit(v, 0x40000000, 0);
	char sig[13];
	uint32_t w[3] = {(uint32_t)v->regs[RBX], (uint32_t)v->regs[RCX], (uint32_t)v->regs[RDX]};
	memcpy(sig, w, 12);
	sig[12] = '\0';
	EXPECT_STREQ(sig, "CoopVMMCoopV");
	EXPECT_EQ(v->regs[RAX], 0x40000001);
	cpuid_exit(v, 0x40000001, 0);
	EXPECT_EQ(v->regs[RAX], 2000000); /* TSC kHz (the harness's 2 GHz) */
	EXIT_DONE(vm);
}

/* A leaf above the highest basic or extended leaf answers as the highest
 * basic leaf (SDM Vol. 2A CPUID), on a host with leaf 0 max 0xd (Bochs's
 * Haswell). Found while documenting the CPUID leaves
 * (docs/guest-platform.md): the VMM passed such a leaf to the CPU, which
 * answered with its leaf 0xd (XSAVE enumeration) unfiltered, while leaf 0xd
 * itself reads 0 under the VMM. */
TEST(exit_cpuid, leaves_above_the_maximum_answer_as_the_highest_basic_leaf)
{
	static const uint32_t above[] = {0xe,	     0x1f,	 0x3fffffff, 0x40000100,
					 0x7fffffff, 0x80000009, 0xffffffff};
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fcpu_set_cpuid(0, 0, (struct cpuid_regs){0xd, 0x756e6547, 0x6c65746e, 0x49656e69});
	for (unsigned i = 0; i < sizeof(above) / sizeof(above[0]); i++) {
		test_context("leaf 0x%x", above[i]);
		struct hv_result r = cpuid_exit(v, above[i], 0);
		EXPECT_EQ(r.inject, 0);
		EXPECT_EQ(v->regs[RAX] | v->regs[RBX] | v->regs[RCX] | v->regs[RDX], 0); /* leaf 0xd: 0 */
	}
	/* Leaf 0xb is the highest: its answer, the x2APIC ID in EDX included. */
	fcpu_set_cpuid(0, 0, (struct cpuid_regs){0xb, 0x756e6547, 0x6c65746e, 0x49656e69});
	test_context("leaf 0x80000009 with max 0xb");
	cpuid_exit(v, 0x80000009, 0);
	EXPECT_EQ(v->regs[RAX], 1); /* the table's leaf 0xb, sub-leaf 0 */
	EXPECT_EQ(v->regs[RDX], 0); /* vCPU 0, not the host's x2APIC ID 3 */
	/* The leaves up to the maximum are themselves. */
	test_context("leaf 0x80000008");
	cpuid_exit(v, 0x80000008, 0);
	EXPECT_EQ(v->regs[RAX], 0x3027);
	EXIT_DONE(vm);
}

/* Leaf 1 EBX[23:16] (the vCPU count) is valid only with EDX.HTT set (SDM
 * Vol. 2A CPUID, table 3-8 and its note): the VMM sets HTT whatever the
 * host says. Found while documenting the CPUID leaves: HTT was the host's,
 * so on a host with HTT clear a guest with several vCPUs was told it has
 * one logical processor (tests/guests/rt/smp.c counts CPUs so). */
TEST(exit_cpuid, leaf1_htt_announces_the_vcpu_count)
{
	struct vm *vm = hv_create(HV_MEM, 2, HV_PROT32);
	EXPECT_TRUE(vm != NULL);
	fcpu_set_cpuid(1, 0,
		       (struct cpuid_regs){0x000906ea, 0x00000800, 0x7ffafbff, 0xafebfbff}); /* HTT clear */
	for (unsigned i = 0; i < 2; i++) {
		test_context("vcpu %u", i);
		struct vcpu *v = &vm->vcpu[i];
		cpuid_exit(v, 1, 0);
		EXPECT_EQ(v->regs[RDX] & (1U << 28), 1U << 28);
		EXPECT_EQ((v->regs[RBX] >> 16) & 0xff, 2);
		EXPECT_EQ(v->regs[RBX] >> 24, i);
	}
	EXIT_DONE(vm);
}

TEST(exit_cpuid, table_values_pass_through)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	cpuid_exit(v, 0, 0);
	EXPECT_EQ(v->regs[RBX], 0x756e6547); /* "Genu" from the fake CPU */
	cpuid_exit(v, 0x80000008, 0);
	EXPECT_EQ(v->regs[RAX], 0x3027);
	EXIT_DONE(vm);
}

TEST(exit_hlt, halts_and_steps)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fvmcs_set(GUEST_RFLAGS, 0x202);
	fvmcs_set(GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI); /* sti; hlt */
	struct hv_result r = hv_run_insn(v, EXIT_HLT, 0, 1);
	EXPECT_TRUE(r.running);
	EXPECT_FALSE(r.enter); /* nothing to deliver: not entered */
	EXPECT_EQ(v->state, VCPU_HALTED);
	EXPECT_EQ(r.rip_after, r.rip_before + 1);
	EXPECT_EQ(fvmcs_get(GUEST_INTERRUPTIBILITY), 0); /* the STI shadow ends */
	EXIT_DONE(vm);
}

TEST(exit_hlt, wakes_for_a_pending_interrupt)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fvmcs_set(GUEST_RFLAGS, 0x202);
	/* IF=1 and a vLAPIC interrupt pending: HLT, then injected at entry. */
	vlapic_accept(&v->lapic, 0x40, false);
	struct hv_result r = hv_run_insn(v, EXIT_HLT, 0, 1);
	EXPECT_TRUE(r.enter);
	EXPECT_EQ(v->state, VCPU_RUNNABLE);
	EXPECT_EQ(r.inject, INTR_INFO_VALID | INTR_TYPE_EXT_INTR | 0x40);
	EXIT_DONE(vm);
}

TEST(exit_misc, invd_wbinvd_are_skipped)
{
	struct vm *vm = exit_vm(HV_LONG64);
	struct vcpu *v = &vm->vcpu[0];
	struct hv_result r = hv_run_insn(v, EXIT_WBINVD, 0, 2);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(r.inject, 0);
	r = hv_run_insn(v, EXIT_INVD, 0, 2);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(fcpu_wrmsr_count(), 0);
	EXIT_DONE(vm);
}

/* CPUID leaf 0xa shows no performance counters: RDPMC of any index is
 * #GP(0), RIP stays, nothing reaches the host's counters. */
TEST(exit_misc, rdpmc_is_gp)
{
	static const uint64_t idx[] = {0, 1, 0x40000000ULL, 0xffffffffULL};
	for (unsigned m = HV_PROT32; m < HV_MODES; m++)
		for (unsigned i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
			test_context("%s, ECX 0x%llx", hv_mode_names[m], (unsigned long long)idx[i]);
			struct vm *vm = exit_vm((enum hv_mode)m);
			struct vcpu *v = &vm->vcpu[0];
			v->regs[RCX] = idx[i];
			v->regs[RAX] = v->regs[RDX] = 0x5a5a;
			struct hv_result r = hv_run_insn(v, EXIT_RDPMC, 0, 2);
			EXPECT_TRUE(r.running);
			EXPECT_EQ(r.inject, XGP0);
			EXPECT_EQ(r.inject_error, 0);
			EXPECT_EQ(r.rip_after, r.rip_before);
			EXPECT_EQ(v->regs[RAX], 0x5a5a);
			EXPECT_EQ(v->regs[RDX], 0x5a5a);
			EXIT_DONE(vm);
		}
}

TEST(exit_misc, vmx_and_hidden_instructions_raise_ud)
{
	static const uint32_t ud[] = {EXIT_VMCLEAR,  EXIT_VMLAUNCH, EXIT_VMPTRLD, EXIT_VMPTRST, EXIT_VMREAD,
				      EXIT_VMRESUME, EXIT_VMWRITE,  EXIT_VMXOFF,  EXIT_VMXON,	EXIT_INVEPT,
				      EXIT_INVVPID,  EXIT_XSETBV,   EXIT_MONITOR, EXIT_MWAIT,	EXIT_GETSEC};
	for (unsigned m = HV_REAL; m < HV_MODES; m++)
		for (unsigned i = 0; i < sizeof(ud) / sizeof(ud[0]); i++) {
			test_context("%s, exit %u", hv_mode_names[m], ud[i]);
			struct vm *vm = exit_vm((enum hv_mode)m);
			struct hv_result r = hv_run_insn(&vm->vcpu[0], ud[i], 0, 3);
			EXPECT_TRUE(r.running);
			EXPECT_EQ(r.inject, XUD); /* #UD has no error code */
			EXPECT_EQ(r.rip_after, r.rip_before);
			EXIT_DONE(vm);
		}
}

/* VMCALL is the hypercall interface (shared/coopvmm_hypercall.h): a result
 * in RAX, never #UD; CPL > 0 gets -EPERM. */
TEST(exit_misc, vmcall_hypercalls)
{
	for (unsigned m = HV_REAL; m < HV_MODES; m++) {
		test_context("%s", hv_mode_names[m]);
		struct vm *vm = exit_vm((enum hv_mode)m);
		struct vcpu *v = &vm->vcpu[0];
		bool wide = m == HV_LONG64;
		v->regs[RAX] = COOP_HC_VERSION;
		struct hv_result r = hv_run_insn(v, EXIT_VMCALL, 0, 3);
		EXPECT_EQ(r.inject, 0);
		EXPECT_EQ(r.rip_after, r.rip_before + 3);
		EXPECT_EQ(v->regs[RAX], COOP_HC_ABI_VERSION);
		EXPECT_EQ(v->regs[RBX], COOP_HC_F_VERSION);
		/* Bits 63:32 count only in 64-bit mode. */
		v->regs[RAX] = 0x100000000ULL | COOP_HC_VERSION;
		hv_run_insn(v, EXIT_VMCALL, 0, 3);
		EXPECT_EQ(v->regs[RAX], wide ? (uint64_t)-COOP_HC_ENOSYS : COOP_HC_ABI_VERSION);
		v->regs[RAX] = 0x1234;
		hv_run_insn(v, EXIT_VMCALL, 0, 3);
		EXPECT_EQ(v->regs[RAX], wide ? (uint64_t)-COOP_HC_ENOSYS : (uint32_t)-COOP_HC_ENOSYS);
		EXIT_DONE(vm);
	}
	/* CPL 3 (SS.DPL = 3): -EPERM, whatever the number. */
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	fvmcs_set(GUEST_SS_AR, fvmcs_get(GUEST_SS_AR) | (3U << 5));
	v->regs[RAX] = COOP_HC_VERSION;
	struct hv_result r = hv_run_insn(v, EXIT_VMCALL, 0, 3);
	EXPECT_EQ(r.inject, 0);
	EXPECT_EQ(v->regs[RAX], (uint32_t)-COOP_HC_EPERM);
	EXIT_DONE(vm);
}

TEST(exit_misc, asynchronous_exits_change_nothing)
{
	static const uint32_t none[] = {EXIT_EXTERNAL_INTERRUPT, EXIT_PREEMPTION_TIMER, EXIT_INTERRUPT_WINDOW,
					EXIT_INIT, EXIT_EXCEPTION_NMI};
	for (unsigned i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		test_context("exit %u", none[i]);
		struct vm *vm = exit_vm(HV_PROT32);
		struct hv_exit e = {.reason = none[i]};
		if (none[i] == EXIT_EXCEPTION_NMI)
			e.intr_info = INTR_INFO_VALID | INTR_TYPE_NMI | 2;
		uint64_t regs[GPR_COUNT];
		memcpy(regs, vm->vcpu[0].regs, sizeof(regs));
		struct hv_result r = hv_run(&vm->vcpu[0], &e);
		EXPECT_TRUE(r.running && r.enter);
		EXPECT_EQ(r.rip_after, r.rip_before);
		EXPECT_EQ(r.inject, 0);
		EXPECT_EQ(memcmp(regs, vm->vcpu[0].regs, sizeof(regs)), 0);
		EXIT_DONE(vm);
	}
}

TEST(exit_misc, unknown_reasons_kill_the_vm_only)
{
	static const uint32_t bad[] = {EXIT_TASK_SWITCH,
				       EXIT_INVLPG,
				       EXIT_RDTSC,
				       EXIT_RSM,
				       EXIT_DR_ACCESS,
				       EXIT_INVALID_GUEST_STATE,
				       EXIT_PAUSE,
				       EXIT_APIC_ACCESS,
				       EXIT_RDRAND,
				       EXIT_XSAVES,
				       65,
				       69,
				       70,
				       100,
				       0xffff};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_context("exit %u", bad[i]);
		struct vm *vm = exit_vm(HV_PROT32);
		struct hv_result r = hv_run_insn(&vm->vcpu[0], bad[i], 0x1234, 2);
		EXPECT_FALSE(r.running);
		EXPECT_EQ(vm->state, VM_KILLED);
		EXPECT_STRCONTAINS(vm->why, "unhandled exit");
		EXPECT_EQ(r.rip_after, r.rip_before);
		EXIT_DONE(vm);
	}
}

TEST(exit_misc, triple_fault_and_ept_misconfig_kill)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct hv_result r = hv_run_insn(&vm->vcpu[0], EXIT_TRIPLE_FAULT, 0, 0);
	EXPECT_FALSE(r.running);
	EXPECT_STRCONTAINS(vm->why, "triple fault");
	EXIT_DONE(vm);
	vm = exit_vm(HV_PROT32);
	struct hv_exit e = {.reason = EXIT_EPT_MISCONFIG, .gpa = 0xfee00000, .has_gpa = true};
	r = hv_run(&vm->vcpu[0], &e);
	EXPECT_FALSE(r.running);
	EXPECT_STRCONTAINS(vm->why, "EPT misconfiguration");
	EXIT_DONE(vm);
}

TEST(exit_misc, exit_counters)
{
	struct vm *vm = exit_vm(HV_PROT32);
	hv_run_insn(&vm->vcpu[0], EXIT_CPUID, 0, 2);
	hv_run_insn(&vm->vcpu[0], EXIT_CPUID, 0, 2);
	hv_run_insn(&vm->vcpu[0], EXIT_WBINVD, 0, 2);
	EXPECT_EQ(vm->exit_count[EXIT_CPUID], 2);
	EXPECT_EQ(vm->exit_count[EXIT_WBINVD], 1);
	EXIT_DONE(vm);
}

/* The harness catches what it is for. */
TEST(exit_harness, reads_of_unset_fields_are_reported)
{
	struct vm *vm = exit_vm(HV_PROT32);
	/* A CPUID exit with no instruction length: the handler needs it. */
	struct hv_exit e = {.reason = EXIT_CPUID};
	hv_run(&vm->vcpu[0], &e);
	EXPECT_TRUE(hv_has_violation("vmcs-read-unset"));
	hv_clear_violations();
	EXIT_DONE(vm);
}

TEST(exit_harness, fake_vmcs_refuses_read_only_and_unknown_fields)
{
	struct vm *vm = exit_vm(HV_PROT32);
	vmcs_write(EXIT_QUALIFICATION, 1);
	EXPECT_TRUE(hv_has_violation("vmcs-write-read-only"));
	vmcs_read(0x7777);
	EXPECT_TRUE(hv_has_violation("vmcs-unknown-field"));
	EXPECT_EQ(vmcs_errors(), 2);
	hv_clear_violations();
	fvmcs_set(GUEST_CS_SEL, 0x12345); /* 16-bit field keeps 16 bits */
	EXPECT_EQ(fvmcs_get(GUEST_CS_SEL), 0x2345);
	EXIT_DONE(vm);
}

TEST(exit_harness, fake_wrmsr_checks_values)
{
	struct vm *vm = exit_vm(HV_LONG64);
	wrmsr(HV_MSR_LSTAR, 0xffff800000000000ULL);
	EXPECT_CLEAN();
	wrmsr(HV_MSR_LSTAR, 0x0000800000000000ULL);
	EXPECT_TRUE(hv_has_violation("wrmsr-unchecked"));
	hv_clear_violations();
	wrmsr(HV_MSR_TSC_AUX, 1ULL << 32);
	EXPECT_TRUE(hv_has_violation("wrmsr-unchecked"));
	hv_clear_violations();
	wrmsr(MSR_IA32_EFER, 0);
	EXPECT_TRUE(hv_has_violation("wrmsr-unexpected"));
	hv_clear_violations();
	EXPECT_EQ(fcpu_wrmsr_count(), 4);
	uint64_t t0 = rdtsc(), t1 = rdtsc();
	EXPECT_GT(t1, t0);
	EXIT_DONE(vm);
}

TEST(exit_harness, guest_ram_is_fenced)
{
	struct vm *vm = exit_vm(HV_PROT32);
	EXPECT_TRUE(vm_gpa_ptr(vm, HV_MEM - 8, 8) != NULL);
	EXPECT_TRUE(vm_gpa_ptr(vm, HV_MEM - 8, 9) == NULL);
	EXPECT_TRUE(vm_gpa_ptr(vm, 0xa0000, 1) == NULL); /* the PC hole */
	EXPECT_TRUE(hv_entry_check() == NULL);
	for (unsigned m = HV_REAL; m < HV_MODES; m++) {
		test_context("%s", hv_mode_names[m]);
		hv_set_mode(vm, (enum hv_mode)m);
		EXPECT_MSG(hv_entry_check() == NULL, "%s", hv_entry_check());
	}
	EXIT_DONE(vm);
}
