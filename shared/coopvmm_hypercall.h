/* SPDX-License-Identifier: GPL-2.0-only */
/* coopvmm_hypercall.h: the guest -> VMM hypercall ABI (docs/guest-platform.md
 * "Hypercalls"): VMCALL with the function number in RAX and arguments in
 * RBX, RCX, RDX, RSI; the result in RAX (a negative errno on failure, as
 * KVM and Xen guests expect: unknown numbers give -ENOSYS). Outside 64-bit
 * mode the registers are their low 32 bits. Only CPL 0 may call (else
 * -EPERM). CPUID leaf 0x40000001 EBX bit 0 says the interface is there. */
#ifndef COOPVMM_HYPERCALL_H
#define COOPVMM_HYPERCALL_H

#define COOP_HC_ABI_VERSION 1

/* Function numbers (RAX). */
#define COOP_HC_VERSION 0 /* RAX = COOP_HC_ABI_VERSION, RBX = the COOP_HC_F_* functions offered */

/* RBX of COOP_HC_VERSION: one bit per function number. */
#define COOP_HC_F_VERSION (1ULL << COOP_HC_VERSION)

/* Errors (negated in RAX; the Linux errno values). */
#define COOP_HC_EPERM  1
#define COOP_HC_ENOSYS 38

/* CPUID leaves of the VMM, in the range Intel leaves to hypervisors
 * (SDM Vol. 2A CPUID: 0x40000000-0x4fffffff give no processor
 * information). The VMM answers 0x40000000-0x400000ff itself; leaves
 * above COOP_CPUID_FEATURES read as zero. */
#define COOP_CPUID_BASE                                                                                      \
	0x40000000U /* EAX: highest leaf (COOP_CPUID_FEATURES); EBX:ECX:EDX "CoopVMMCoopV"                   \
		     */
#define COOP_CPUID_FEATURES 0x40000001U /* EAX: TSC kHz; EBX: COOP_CPUID_HV_FEATURES_* */
#define COOP_CPUID_LAST	    0x400000ffU

/* CPUID leaf 0x40000001 EBX. */
#define COOP_CPUID_HV_FEATURES_HYPERCALL (1U << 0)

#endif
