/* SPDX-License-Identifier: GPL-2.0-only */
/* hv.h: hypervisor detection through CPUID: leaf 1 ECX bit 31 and the
 * hypervisor leaves from 0x40000000 (coopvmm: docs/guest-platform.md "CPU"). */
#ifndef GUEST_RT_HV_H
#define GUEST_RT_HV_H

#include <stdbool.h>
#include <stdint.h>

#define CPUID_LEAF_BASIC	0x00000000U
#define CPUID_LEAF_FEATURES	0x00000001U
#define CPUID_LEAF_EXT_MAX	0x80000000U
#define CPUID_LEAF_EXT_FEATURES 0x80000001U
#define CPUID1_ECX_VMX		(1U << 5)
#define CPUID1_ECX_X2APIC	(1U << 21)
#define CPUID1_ECX_TSC_DEADLINE (1U << 24)
#define CPUID1_ECX_HYPERVISOR	(1U << 31)
#define CPUID1_EDX_PSE		(1U << 3)
#define CPUID1_EDX_TSC		(1U << 4)
#define CPUID1_EDX_MSR		(1U << 5)
#define CPUID1_EDX_APIC		(1U << 9)
#define CPUID1_EDX_SEP		(1U << 11) /* SYSENTER/SYSEXIT and their MSRs */
#define CPUID1_EDX_MTRR		(1U << 12)
#define CPUID1_EDX_PAT		(1U << 16)
#define CPUID1_EBX_APIC_ID(ebx) ((ebx) >> 24)
#define CPUIDX_EDX_SYSCALL	(1U << 11) /* 0x80000001: SYSCALL, EFER.SCE, STAR */
#define CPUIDX_EDX_NX		(1U << 20) /* 0x80000001: EFER.NXE */
#define CPUIDX_EDX_LM		(1U << 29) /* 0x80000001: long mode, FS/GS base MSRs */

#define CPUID_LEAF_HV_BASE   0x40000000U /* EAX: highest hypervisor leaf; EBX:ECX:EDX signature */
#define CPUID_LEAF_HV_TSC    0x40000001U /* coopvmm: EAX = TSC kHz */
#define HV_SIGNATURE_COOPVMM "CoopVMMCoopV"
#define HV_SIGNATURE_LEN     12

/* The 12-character signature of leaf 0x40000000 (NUL-terminated) into sig[13];
 * returns the leaf's EAX. Meaningful only with the hypervisor bit set. */
uint32_t hv_signature(char sig[HV_SIGNATURE_LEN + 1]);
bool hv_signature_is(const char *sig);
bool cpu_has(uint32_t leaf, int reg, uint32_t bit); /* reg: 0 EAX .. 3 EDX */
#define REG_EAX 0
#define REG_EBX 1
#define REG_ECX 2
#define REG_EDX 3

#endif
