/* SPDX-License-Identifier: GPL-2.0-only */
/* cpuid: what CPUID tells a coopvmm guest (docs/guest-platform.md "CPU"):
 * basic leaves sane, hypervisor bit set, VMX hidden, leaf 0x40000000 says
 * "CoopVMMCoopV" with max leaf >= 0x40000001, leaf 0x40000001 EAX = TSC kHz
 * (nonzero, and close to the rate PIT channel 2 measures), the initial APIC
 * ID matches the LAPIC's ID register. */
#include "rt/rt.h"

#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/timer.h"

#define TSC_KHZ_TOLERANCE_PCT 10

static bool printable(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static void check_basic_leaves(void)
{
	struct cpuid_regs r0 = cpuid(CPUID_LEAF_BASIC, 0);
	char vendor[13];
	memcpy(vendor, &r0.ebx, 4);
	memcpy(vendor + 4, &r0.edx, 4);
	memcpy(vendor + 8, &r0.ecx, 4);
	vendor[12] = '\0';
	printf("leaf 0: max %#x vendor '%s'\n", r0.eax, vendor);
	EXPECT_GE(r0.eax, 1);
	EXPECT_TRUE(printable(vendor, 12));
	EXPECT_NE(vendor[0], ' ');

	struct cpuid_regs r1 = cpuid(CPUID_LEAF_FEATURES, 0);
	uint32_t family = (r1.eax >> 8) & 0xf;
	printf("leaf 1: eax %#x ebx %#x ecx %#x edx %#x\n", r1.eax, r1.ebx, r1.ecx, r1.edx);
	EXPECT_NE(family, 0);
	EXPECT_TRUE(r1.edx & CPUID1_EDX_TSC);
	EXPECT_TRUE(r1.edx & CPUID1_EDX_MSR);
	EXPECT_TRUE(r1.edx & CPUID1_EDX_APIC);

	/* A repeated query gives the same answer. */
	struct cpuid_regs again = cpuid(CPUID_LEAF_FEATURES, 0);
	EXPECT_EQ(again.eax, r1.eax);
	EXPECT_EQ(again.ecx, r1.ecx);
	EXPECT_EQ(again.edx, r1.edx);

	uint32_t ext = cpuid(CPUID_LEAF_EXT_MAX, 0).eax;
	printf("leaf 0x80000000: max %#x\n", ext);
	EXPECT_GE(ext, CPUID_LEAF_EXT_MAX);
	EXPECT_LT(ext, CPUID_LEAF_EXT_MAX + 0x100);

	/* The initial APIC ID (leaf 1 EBX[31:24]) is the LAPIC's ID. */
	lapic_enable(false);
	printf("APIC ID: cpuid %u, LAPIC %u\n", CPUID1_EBX_APIC_ID(r1.ebx), lapic_id());
	EXPECT_EQ(CPUID1_EBX_APIC_ID(r1.ebx), lapic_id());
}

static void check_hypervisor_leaves(void)
{
	struct cpuid_regs r1 = cpuid(CPUID_LEAF_FEATURES, 0);
	char sig[HV_SIGNATURE_LEN + 1];
	uint32_t max = hv_signature(sig);
	printf("hypervisor bit %u, VMX bit %u, leaf 0x40000000: max %#x signature '%s'\n",
	       !!(r1.ecx & CPUID1_ECX_HYPERVISOR), !!(r1.ecx & CPUID1_ECX_VMX), max, sig);
	if (skip_unless_coopvmm("hypervisor bit, VMX hidden, leaves 0x40000000-0x40000001"))
		return;
	EXPECT_TRUE(r1.ecx & CPUID1_ECX_HYPERVISOR);
	EXPECT_FALSE(r1.ecx & CPUID1_ECX_VMX);
	EXPECT_MEMEQ(sig, HV_SIGNATURE_COOPVMM, HV_SIGNATURE_LEN);
	EXPECT_GE(max, CPUID_LEAF_HV_TSC);
	EXPECT_LT(max, CPUID_LEAF_HV_BASE + 0x100);

	uint32_t khz = cpuid(CPUID_LEAF_HV_TSC, 0).eax;
	uint32_t measured = tsc_khz_from_pit();
	printf("leaf 0x40000001: TSC %u kHz; PIT channel 2 measures %u kHz\n", khz, measured);
	EXPECT_NE(khz, 0);
	EXPECT_RANGE(measured, khz - khz / 100 * TSC_KHZ_TOLERANCE_PCT,
		     khz + khz / 100 * TSC_KHZ_TOLERANCE_PCT);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	check_basic_leaves();
	check_hypervisor_leaves();
	return 0;
}
