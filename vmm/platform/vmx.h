/* SPDX-License-Identifier: GPL-2.0-only */
/* vmx.h: what the VMM learned of this machine's VMX (vmm/platform/vmx.c reads
 * the capability MSRs once, on the boot CPU) and entering VMX root
 * operation. The MSRs' fields and the control bits: arch/x86/vmx.h. */
#ifndef VMM_VMX_H
#define VMM_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmx.h"

/* Allowed settings of one control word: bits in must1 must be set, bits
 * outside may1 must be clear (A.3-A.5). */
struct vmx_ctl {
	uint32_t must1;
	uint32_t may1;
};

struct vmx_caps {
	bool supported;
	const char *reason; /* why not, when !supported */
	uint64_t basic;
	uint32_t revision;
	uint32_t region_size;
	bool true_ctls;
	struct vmx_ctl pin, proc, proc2, exit, entry;
	uint64_t ept_vpid;
	uint64_t misc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

extern struct vmx_caps vmx_caps;

/* Read and check every VMX feature the VMM needs on this (the boot) CPU,
 * fill vmx_caps and print the capability table. */
bool vmx_check(void);
/* Make IA32_FEATURE_CONTROL allow VMXON on this CPU (set and lock it when
 * firmware left it unlocked); returns NULL or the reason it cannot. */
const char *vmx_feature_control(void);
/* VMXON on this CPU with the given 4 KiB region (identity-mapped). */
const char *vmx_on(uint64_t region_phys);

#endif
