/* SPDX-License-Identifier: GPL-2.0-only */
/* msr.h: model-specific register numbers and accessors used by the VMM
 * (Intel SDM Vol. 4, "Model-Specific Registers"). The CPUID feature that
 * gates each MSR is named on its line. */
#ifndef ARCH_X86_MSR_H
#define ARCH_X86_MSR_H

#define MSR_IA32_TSC			 0x010 /* CPUID.1:EDX.TSC */
#define MSR_IA32_TSC_ADJUST		 0x03b /* CPUID.7.0:EBX.TSC_ADJUST (SDM Vol. 3B 17.17.3) */
#define MSR_IA32_APIC_BASE		 0x01b /* CPUID.1:EDX.APIC */
#define APIC_BASE_BSP			 (1ULL << 8)
#define APIC_BASE_X2APIC		 (1ULL << 10) /* CPUID.1:ECX.x2APIC */
#define APIC_BASE_ENABLE		 (1ULL << 11)
#define APIC_BASE_ADDR_MASK		 0xfffffffff000ULL
#define MSR_IA32_FEATURE_CONTROL	 0x03a /* CPUID.1:ECX.VMX or SMX */
#define FEATURE_CONTROL_LOCK		 (1ULL << 0)
#define FEATURE_CONTROL_VMX_SMX		 (1ULL << 1)
#define FEATURE_CONTROL_VMX		 (1ULL << 2) /* VMXON outside SMX */
#define MSR_IA32_MTRRCAP		 0x0fe	     /* CPUID.1:EDX.MTRR, read-only */
#define MSR_IA32_SYSENTER_CS		 0x174	     /* CPUID.1:EDX.SEP */
#define MSR_IA32_SYSENTER_ESP		 0x175	     /* canonical address (WRMSR #GP otherwise) */
#define MSR_IA32_SYSENTER_EIP		 0x176	     /* canonical address */
#define MSR_IA32_MISC_ENABLE		 0x1a0
#define MISC_ENABLE_FAST_STRINGS	 (1ULL << 0)
#define MSR_IA32_MTRR_DEF_TYPE		 0x2ff /* CPUID.1:EDX.MTRR */
#define MSR_IA32_TSC_DEADLINE		 0x6e0 /* CPUID.1:ECX.TSC_DEADLINE */
#define MSR_IA32_DEBUGCTL		 0x1d9
#define DEBUGCTL_BTF			 (1ULL << 1) /* single-step on branches (SDM Vol. 3B 17.4.1) */
#define MSR_IA32_PAT			 0x277
#define MSR_IA32_VMX_BASIC		 0x480 /* CPUID.1:ECX.VMX */
#define MSR_IA32_VMX_PINBASED_CTLS	 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	 0x482
#define MSR_IA32_VMX_EXIT_CTLS		 0x483
#define MSR_IA32_VMX_ENTRY_CTLS		 0x484
#define MSR_IA32_VMX_MISC		 0x485
#define MSR_IA32_VMX_CR0_FIXED0		 0x486
#define MSR_IA32_VMX_CR0_FIXED1		 0x487
#define MSR_IA32_VMX_CR4_FIXED0		 0x488
#define MSR_IA32_VMX_CR4_FIXED1		 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2	 0x48b /* PROCBASED_CTLS allowed-1 bit 31 */
#define MSR_IA32_VMX_EPT_VPID_CAP	 0x48c /* PROCBASED_CTLS2 allowed-1 EPT or VPID */
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	 0x48d /* VMX_BASIC bit 55 */
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	 0x490
#define MSR_IA32_EFER			 0xc0000080 /* CPUID.80000001:EDX.LM */
#define EFER_SCE			 (1ULL << 0)
#define EFER_LME			 (1ULL << 8)
#define EFER_LMA			 (1ULL << 10)
#define EFER_NXE			 (1ULL << 11)
#define EFER_WRITABLE                                                                                        \
	(EFER_SCE | EFER_LME | EFER_NXE) /* LMA is read-only; the rest reserved (Vol. 4 table 2-2) */
#define EFER_DEFINED	    (EFER_WRITABLE | EFER_LMA)
#define MSR_STAR	    0xc0000081		  /* CPUID.80000001:EDX.SYSCALL; any value */
#define MSR_LSTAR	    0xc0000082		  /* CPUID.80000001:EDX.LM; canonical address */
#define MSR_CSTAR	    0xc0000083		  /* canonical address (unused by Intel CPUs) */
#define MSR_SFMASK	    0xc0000084		  /* bits 63:32 reserved */
#define MSR_FS_BASE	    0xc0000100		  /* canonical address */
#define MSR_GS_BASE	    0xc0000101		  /* canonical address */
#define MSR_KERNEL_GS_BASE  0xc0000102		  /* canonical address */
#define MSR_TSC_AUX	    0xc0000103		  /* CPUID.80000001:EDX.RDTSCP; bits 63:32 reserved */
#define MSR_HIGH32_RESERVED 0xffffffff00000000ULL /* bits 63:32 of SFMASK and TSC_AUX (WRMSR #GP) */
#define MSR_X2APIC_BASE	    0x800 /* x2APIC register block, MSR = 0x800 + (xAPIC offset >> 4) */
#define MSR_X2APIC_LAST	    0x8ff /* end of the x2APIC block (SDM Vol. 3A 10.12.1.2) */

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}

#ifdef COOPVMM_HOST_TEST
/* Host build of the exit-handler harness: RDMSR/WRMSR go to the fake CPU's
 * MSR file, which checks every value written (tests/harness/fake_cpu.c). */
uint64_t host_test_rdmsr(uint32_t msr);
void host_test_wrmsr(uint32_t msr, uint64_t val);
#define rdmsr(msr)	host_test_rdmsr(msr)
#define wrmsr(msr, val) host_test_wrmsr(msr, val)
#endif
#endif

#endif
