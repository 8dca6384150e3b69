/* SPDX-License-Identifier: GPL-2.0-only */
/* hv.c: hypervisor detection through CPUID (Intel SDM Vol. 2A CPUID;
 * leaves 0x40000000+ as documented in docs/guest-platform.md "CPU"). */
#include "rt/hv.h"

#include "rt/rt.h"

uint32_t hv_signature(char sig[HV_SIGNATURE_LEN + 1])
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_HV_BASE, 0);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[HV_SIGNATURE_LEN] = '\0';
	return r.eax;
}

bool hv_signature_is(const char *want)
{
	char sig[HV_SIGNATURE_LEN + 1];
	if (!(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID1_ECX_HYPERVISOR))
		return false;
	hv_signature(sig);
	return memcmp(sig, want, HV_SIGNATURE_LEN) == 0;
}

bool cpu_has(uint32_t leaf, int reg, uint32_t bit)
{
	uint32_t max = cpuid(leaf & 0x80000000U, 0).eax;
	if (leaf > max)
		return false;
	struct cpuid_regs r = cpuid(leaf, 0);
	uint32_t v = reg == REG_EAX ? r.eax : reg == REG_EBX ? r.ebx : reg == REG_ECX ? r.ecx : r.edx;
	return (v & bit) != 0;
}
