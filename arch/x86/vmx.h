/* SPDX-License-Identifier: GPL-2.0-only */
/* vmx.h: VMX capability reporting and VMXON (Intel SDM Vol. 3C 23.6-23.8
 * "Discovering/Enabling/Entering VMX", Appendix A "VMX Capability
 * Reporting Facility"): the capability MSRs' fields and the control bits,
 * named by the SDM's tables. What the VMM reads of them: vmm/platform/vmx.h. */
#ifndef ARCH_X86_VMX_H
#define ARCH_X86_VMX_H

#include <stdbool.h>
#include <stdint.h>

/* IA32_VMX_BASIC (A.1). */
#define VMX_BASIC_REVISION_MASK	 0x7fffffffULL
#define VMX_BASIC_REGION_SIZE(b) (((b) >> 32) & 0x1fff)
#define VMX_BASIC_MEMTYPE(b)	 (((b) >> 50) & 0xf)
#define VMX_BASIC_INS_OUTS_INFO	 (1ULL << 54) /* INS/OUTS exits report the instruction information */
#define VMX_BASIC_TRUE_CTLS	 (1ULL << 55)

/* Pin-based controls (Table 24-5). */
#define PIN_EXTINT_EXITING   (1U << 0)
#define PIN_NMI_EXITING	     (1U << 3)
#define PIN_VIRTUAL_NMIS     (1U << 5)
#define PIN_PREEMPTION_TIMER (1U << 6)
/* Primary processor-based controls (Table 24-6). */
#define PROC_INTR_WINDOW_EXITING (1U << 2)
#define PROC_USE_TSC_OFFSETTING	 (1U << 3)
#define PROC_HLT_EXITING	 (1U << 7)
#define PROC_INVLPG_EXITING	 (1U << 9)
#define PROC_MWAIT_EXITING	 (1U << 10)
#define PROC_RDPMC_EXITING	 (1U << 11)
#define PROC_RDTSC_EXITING	 (1U << 12)
#define PROC_CR3_LOAD_EXITING	 (1U << 15)
#define PROC_CR3_STORE_EXITING	 (1U << 16)
#define PROC_CR8_LOAD_EXITING	 (1U << 19)
#define PROC_CR8_STORE_EXITING	 (1U << 20)
#define PROC_NMI_WINDOW_EXITING	 (1U << 22)
#define PROC_UNCOND_IO_EXITING	 (1U << 24)
#define PROC_MONITOR_EXITING	 (1U << 29)
#define PROC_USE_IO_BITMAPS	 (1U << 25)
#define PROC_USE_MSR_BITMAPS	 (1U << 28)
#define PROC_SECONDARY_CONTROLS	 (1U << 31)
/* Secondary processor-based controls (Table 24-7). */
#define PROC2_ENABLE_EPT	 (1U << 1)
#define PROC2_ENABLE_VPID	 (1U << 5)
#define PROC2_ENABLE_RDTSCP	 (1U << 3)
#define PROC2_WBINVD_EXITING	 (1U << 6)
#define PROC2_UNRESTRICTED_GUEST (1U << 7)
#define PROC2_ENABLE_INVPCID	 (1U << 12)
/* VM-exit / VM-entry controls (Tables 24-13, 24-15). */
#define EXIT_SAVE_DEBUG_CONTROLS  (1U << 2) /* DR7 and IA32_DEBUGCTL into the guest state */
#define ENTRY_LOAD_DEBUG_CONTROLS (1U << 2) /* ... and back at entry (exit sets DR7 to 0x400) */
#define EXIT_HOST_ADDR_SPACE_SIZE (1U << 9)
#define EXIT_ACK_INTR_ON_EXIT	  (1U << 15)
#define EXIT_SAVE_PAT		  (1U << 18)
#define EXIT_LOAD_PAT		  (1U << 19)
#define EXIT_SAVE_EFER		  (1U << 20)
#define EXIT_LOAD_EFER		  (1U << 21)
#define ENTRY_IA32E_MODE_GUEST	  (1U << 9)
#define ENTRY_LOAD_PAT		  (1U << 14)
#define ENTRY_LOAD_EFER		  (1U << 15)
/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define EPT_CAP_WALK4	      (1ULL << 6)
#define EPT_CAP_WB	      (1ULL << 14)
#define EPT_CAP_2MB	      (1ULL << 16)
#define EPT_CAP_1GB	      (1ULL << 17)
#define EPT_CAP_INVEPT	      (1ULL << 20)
#define EPT_CAP_AD	      (1ULL << 21)
#define EPT_CAP_INVEPT_SINGLE (1ULL << 25)
#define EPT_CAP_INVEPT_ALL    (1ULL << 26)
#define VPID_CAP_INVVPID      (1ULL << 32)
#define VPID_CAP_SINGLE	      (1ULL << 41)
#define VPID_CAP_ALL	      (1ULL << 42)
/* IA32_VMX_MISC (A.6). */
#define VMX_MISC_PREEMPT_RATE(m) ((m)&0x1f)

#endif
