/* SPDX-License-Identifier: GPL-2.0-only */
/* hypercall: coopvmm's hypercall interface (docs/guest-platform.md
 * "Hypercalls"): CPUID leaf 0x40000001 EBX bit 0 announces it; VMCALL with
 * EAX = 0 returns the ABI version (1) in EAX and the offered functions in
 * EBX (bit 0); an unknown number returns -ENOSYS (-38) in EAX and is no
 * #UD (real mode and CPL 3: tests/unit test_exit_cpu.c). The constants are written
 * here again on purpose: the guest checks the VMM, it does not share its
 * header. Not under coopvmm, VMCALL is #UD (no VMX guest): checked too. */
#include "rt/rt.h"

#include "rt/hv.h"

#define HC_VERSION	     0
#define HC_ABI_VERSION	     1
#define HC_F_VERSION	     (1U << 0)
#define HC_ENOSYS	     38
#define HV_FEATURE_HYPERCALL (1U << 0)
#define HC_UNKNOWN	     0x1234

static void do_vmcall(void *arg)
{
	uint32_t *r = arg; /* in: r[0] = EAX; out: r[0] = EAX, r[1] = EBX */
	__asm__ volatile("vmcall" : "+a"(r[0]), "=b"(r[1]) : : "memory", "cc");
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	struct trap_info ti;
	uint32_t r[2] = {HC_VERSION, 0};
	if (!under_coopvmm()) {
		int v = trap_catch(do_vmcall, r, &ti);
		printf("VMCALL not under coopvmm: %s\n", v == TRAP_NONE ? "no exception" : trap_name(v));
		EXPECT_EQ(v, VEC_UD);
		return 0;
	}
	struct cpuid_regs c = cpuid(CPUID_LEAF_HV_TSC, 0);
	printf("CPUID 0x40000001: EAX %u (TSC kHz) EBX %#x\n", c.eax, c.ebx);
	EXPECT_TRUE(c.ebx & HV_FEATURE_HYPERCALL);

	EXPECT_EQ(trap_catch(do_vmcall, r, &ti), TRAP_NONE);
	printf("VMCALL version: EAX %u EBX %#x\n", r[0], r[1]);
	EXPECT_EQ(r[0], HC_ABI_VERSION);
	EXPECT_EQ(r[1], HC_F_VERSION);

	r[0] = HC_UNKNOWN;
	EXPECT_EQ(trap_catch(do_vmcall, r, &ti), TRAP_NONE);
	printf("VMCALL %#x: EAX %d\n", HC_UNKNOWN, (int32_t)r[0]);
	EXPECT_EQ((int32_t)r[0], -HC_ENOSYS);
	return 0;
}
