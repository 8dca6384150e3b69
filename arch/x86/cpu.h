/* SPDX-License-Identifier: GPL-2.0-only */
/* cpu.h: control registers, CPUID, TSC and other instruction wrappers
 * (Intel SDM Vol. 3A 2.5 "Control Registers", Vol. 2A CPUID). */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#define CR0_PE (1ULL << 0) /* protection enable */
#define CR0_MP (1ULL << 1)
#define CR0_EM (1ULL << 2)
#define CR0_TS (1ULL << 3)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5) /* native FPU error reporting (required by VMX) */
#define CR0_WP (1ULL << 16)
#define CR0_AM (1ULL << 18)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31) /* paging */
/* CR0 after power-up, RESET or INIT: CD, NW and ET set (Vol. 3A 9.1.1,
 * table 9-1). */
#define CR0_RESET (CR0_CD | CR0_NW | CR0_ET)
/* Bits 63:32 are reserved (MOV to CR0 #GP); the other reserved bits of
 * 31:0 are ignored by a write and read as 0 (2.5). */
#define CR0_DEFINED                                                                                          \
	(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)
#define CR0_RESERVED_HIGH 0xffffffff00000000ULL
#define CR3_PCID_MASK	  0xfffULL /* with CR4.PCIDE (4.10.1) */
#define CR4_VME		  (1ULL << 0)
#define CR4_PVI		  (1ULL << 1)
#define CR4_TSD		  (1ULL << 2)
#define CR4_DE		  (1ULL << 3)
#define CR4_PSE		  (1ULL << 4)
#define CR4_PAE		  (1ULL << 5)
#define CR4_MCE		  (1ULL << 6)
#define CR4_PGE		  (1ULL << 7)
#define CR4_PCE		  (1ULL << 8)
#define CR4_OSFXSR	  (1ULL << 9)
#define CR4_OSXMMEXCPT	  (1ULL << 10)
#define CR4_UMIP	  (1ULL << 11) /* CPUID.7.0:ECX.UMIP */
#define CR4_LA57	  (1ULL << 12) /* CPUID.7.0:ECX.LA57: 5-level paging */
#define CR4_VMXE	  (1ULL << 13) /* VMX enable */
#define CR4_SMXE	  (1ULL << 14) /* CPUID.1:ECX.SMX */
#define CR4_FSGSBASE	  (1ULL << 16) /* CPUID.7.0:EBX.FSGSBASE */
#define CR4_PCIDE	  (1ULL << 17) /* CPUID.1:ECX.PCID */
#define CR4_OSXSAVE	  (1ULL << 18) /* CPUID.1:ECX.XSAVE */
#define CR4_SMEP	  (1ULL << 20) /* CPUID.7.0:EBX.SMEP */
#define CR4_SMAP	  (1ULL << 21) /* CPUID.7.0:EBX.SMAP */
#define CR4_PKE		  (1ULL << 22) /* CPUID.7.0:ECX.PKU */
#define CR8_TPR_MASK	  0xfULL       /* CR8[3:0] = TPR[7:4]; 63:4 reserved (10.8.6.1) */

/* Exception vectors (SDM Vol. 3A 6.3.1, table 6-1). Vectors 0-31 are the
 * architecture's (exceptions and reserved, 6.2); interrupts use 32-255. */
#define EXCEPTION_VECTORS 32
#define EXC_DE		  0 /* divide error */
#define EXC_DB		  1 /* debug */
#define EXC_NMI		  2
#define EXC_BP		  3  /* breakpoint (INT3) */
#define EXC_UD		  6  /* invalid opcode */
#define EXC_DF		  8  /* double fault (error code 0) */
#define EXC_GP		  13 /* general protection (error code) */
#define EXC_PF		  14 /* page fault (error code, CR2) */
/* The fault-class exceptions (table 6-1 "Type" column): #DE, #BR, #UD,
 * #NM, #TS, #NP, #SS, #GP, #PF, #MF, #AC, #XM, #VE. */
#define EXC_FAULTS                                                                                           \
	((1U << 0) | (1U << 5) | (1U << 6) | (1U << 7) | (1U << 10) | (1U << 11) | (1U << 12) | (1U << 13) | \
	 (1U << 14) | (1U << 16) | (1U << 17) | (1U << 19) | (1U << 20))
/* Page-fault error code (6.15, interrupt 14). */
#define PF_ERR_P    (1U << 0) /* protection violation (else not present) */
#define PF_ERR_W    (1U << 1) /* write */
#define PF_ERR_U    (1U << 2) /* user-mode access */
#define PF_ERR_RSVD (1U << 3)
#define PF_ERR_I    (1U << 4) /* instruction fetch */

/* CPUID leaf 1 feature bits. */
/* CPUID leaves (SDM Vol. 2A CPUID, table 3-8). */
#define CPUID_LEAF_THERMAL	 6
#define CPUID_LEAF_STRUCT_EXT	 7 /* structured extended features, sub-leaf 0 */
#define CPUID_LEAF_PERFMON	 0xa
#define CPUID_LEAF_TOPOLOGY	 0xb
#define CPUID_LEAF_XSAVE	 0xd
#define CPUID_LEAF_TOPOLOGY_V2	 0x1f
#define CPUID1_EBX_LOGICAL_SHIFT 16	   /* leaf 1 EBX 23:16: logical processors */
#define CPUID1_EBX_APIC_ID_SHIFT 24	   /* leaf 1 EBX 31:24: initial APIC ID */
#define CPUID1_ECX_DTES64	 (1U << 2) /* DS area MSRs */
#define CPUID1_ECX_MONITOR	 (1U << 3)
#define CPUID1_ECX_DSCPL	 (1U << 4)
#define CPUID1_ECX_SMX		 (1U << 6)
#define CPUID1_ECX_EST		 (1U << 7) /* IA32_PERF_CTL/STATUS */
#define CPUID1_ECX_TM2		 (1U << 8)
#define CPUID1_ECX_XTPR		 (1U << 14) /* IA32_MISC_ENABLE bit 23 */
#define CPUID1_ECX_PDCM		 (1U << 15) /* IA32_PERF_CAPABILITIES */
#define CPUID1_ECX_DCA		 (1U << 18) /* IA32_PLATFORM_DCA_CAP */
#define CPUID1_ECX_XSAVE	 (1U << 26)
#define CPUID1_ECX_OSXSAVE	 (1U << 27)
#define CPUID1_ECX_AVX		 (1U << 28)
#define CPUID1_EDX_MCA		 (1U << 14) /* IA32_MCG_CAP and the MCi banks */
#define CPUID1_EDX_DS		 (1U << 21) /* IA32_DS_AREA */
#define CPUID1_EDX_ACPI		 (1U << 22) /* thermal monitor MSRs */
#define CPUID1_EDX_TM		 (1U << 29)
#define CPUID1_EDX_PBE		 (1U << 31)
#define CPUID7_EBX_SGX		 (1U << 2)
#define CPUID7_EBX_AVX2		 (1U << 5)
#define CPUID7_EBX_PQM		 (1U << 12)
#define CPUID7_EBX_MPX		 (1U << 14) /* BNDCFGS, XSAVE state */
#define CPUID7_EBX_PQE		 (1U << 15)
#define CPUID7_EBX_AVX512F	 (1U << 16)
#define CPUID7_EBX_PT		 (1U << 25) /* processor trace MSRs */
#define CPUID7_ECX_PKU		 (1U << 3)
#define CPUID7_ECX_OSPKE	 (1U << 4)
#define CPUID7_ECX_LA57		 (1U << 16)
#define CPUID7_EDX_SPEC_MSRS                                                                                 \
	0xfc000000U /* bits 26-31: SPEC_CTRL, STIBP, FLUSH_CMD, ARCH/CORE_CAPABILITIES, SSBD */
#define CPUID1_ECX_VMX		    (1U << 5)
#define CPUID1_ECX_X2APIC	    (1U << 21)
#define CPUID1_ECX_TSC_DEADLINE	    (1U << 24)
#define CPUID1_ECX_HYPERVISOR	    (1U << 31)
#define CPUID1_EDX_TSC		    (1U << 4)
#define CPUID1_EDX_MSR		    (1U << 5)
#define CPUID1_EDX_APIC		    (1U << 9)
#define CPUID1_EDX_HTT		    (1U << 28) /* leaf 1 EBX[23:16] is valid */
#define CPUID_EXT_MAX		    0x80000000U
#define CPUID_EXT_FEATURES	    0x80000001U
#define CPUIDX_EDX_LM		    (1U << 29) /* long mode */
#define CPUIDX_EDX_NX		    (1U << 20)
#define CPUIDX_EDX_PDPE1GB	    (1U << 26)
#define CPUID_LEAF_APM		    0x80000007U
#define CPUID_APM_EDX_INVARIANT_TSC (1U << 8)
#define CPUID_LEAF_ADDR_SIZES	    0x80000008U
#define CPUID_ADDR_PHYS_BITS(eax)   ((eax)&0xff) /* MAXPHYADDR */
#define CPUID_MAXPHYADDR_DEFAULT    36		 /* without leaf 0x80000008 (SDM Vol. 3A 4.1.4) */
#define CPUID_ADDR_LINEAR_BITS(eax) (((eax) >> 8) & 0xff)
/* RFLAGS (SDM Vol. 1 3.4.3, Vol. 3A 2.3). */
#define RFLAGS_CF	    (1ULL << 0)
#define RFLAGS_RESERVED_ONE (1ULL << 1) /* reserved, always 1 */
#define RFLAGS_PF	    (1ULL << 2)
#define RFLAGS_AF	    (1ULL << 4)
#define RFLAGS_ZF	    (1ULL << 6)
#define RFLAGS_SF	    (1ULL << 7)
#define RFLAGS_TF	    (1ULL << 8)
#define RFLAGS_IF	    (1ULL << 9)
#define RFLAGS_DF	    (1ULL << 10)
#define RFLAGS_OF	    (1ULL << 11)
#define RFLAGS_RF	    (1ULL << 16)
#define RFLAGS_VM	    (1ULL << 17)
#define RFLAGS_AC	    (1ULL << 18)
/* The status flags an arithmetic instruction sets (Vol. 1 3.4.3.1). */
#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)
/* Reserved bits that must be 0: 63:22, 15, 5 and 3 (a VM entry checks
 * them, Vol. 3C 26.3.1.4). */
#define RFLAGS_RESERVED_ZERO 0xffffffffffc08028ULL

/* Current privilege level 3: user mode, for paging's U/S checks (Vol. 3A
 * 5.5, 4.6). */
#define CPL_USER 3

/* Linear addresses (Vol. 1 3.3.7.1, Vol. 3A 4.1.1): 32 bits outside IA-32e
 * mode (an address wraps at 4 GiB), 48 bits with 4-level paging. */
#define LA32_MASK	   0xffffffffULL
#define LINEAR_BITS_4LEVEL 48

/* The x87/SSE state that FXSAVE/FXRSTOR move (Vol. 1 10.5.1, table 10-2):
 * a 512-byte, 16-byte aligned area with MXCSR at byte 24. FCW after FINIT
 * (Vol. 1 8.1.5) and MXCSR after reset (Vol. 1 10.2.3, Vol. 3A 9.1.1). */
#define FXSAVE_AREA_SIZE    512
#define FXSAVE_AREA_ALIGN   16
#define FXSAVE_MXCSR_OFFSET 24
#define FXSAVE_FCW_INIT	    0x37f
#define MXCSR_INIT	    0x1f80

#ifndef __ASSEMBLER__
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(sub));
	return r;
}

#define DEFINE_CR_ACCESSORS(n)                                                                               \
	static inline uint64_t read_cr##n(void)                                                              \
	{                                                                                                    \
		uint64_t v;                                                                                  \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                            \
		return v;                                                                                    \
	}                                                                                                    \
	static inline void write_cr##n(uint64_t v)                                                           \
	{                                                                                                    \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");                                     \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

/* Debug registers (SDM Vol. 3B 17.2): not part of the VMCS except DR7. */
#define DEFINE_DR_ACCESSORS(n)                                                                               \
	static inline uint64_t read_dr##n(void)                                                              \
	{                                                                                                    \
		uint64_t v;                                                                                  \
		__asm__ volatile("mov %%db" #n ", %0" : "=r"(v));                                            \
		return v;                                                                                    \
	}                                                                                                    \
	static inline void write_dr##n(uint64_t v)                                                           \
	{                                                                                                    \
		__asm__ volatile("mov %0, %%db" #n ::"r"(v) : "memory");                                     \
	}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(1)
DEFINE_DR_ACCESSORS(2)
DEFINE_DR_ACCESSORS(3)
DEFINE_DR_ACCESSORS(6)
#undef DEFINE_DR_ACCESSORS
#define DR6_INIT  0xffff0ff0ULL /* DR6 after reset (17.2.3) */
#define DR7_RESET 0x400ULL	/* DR7 after reset, and after a VM exit (17.2.4, Vol. 3C 27.5.1) */
/* DR7 (17.2.4): breakpoint i is enabled by L<i> (bit 2i) or G<i> (bit
 * 2i+1); R/W<i> (bits 17:16 + 4i) says what it watches, LEN<i> (bits 19:18
 * + 4i) how many bytes. */
#define DR7_ENABLED(dr7, i) (((dr7) >> (2 * (i))) & 3)
#define DR7_ENABLE_BITS	    0xffULL /* L0-L3, G0-G3 */
#define DR7_RW(dr7, i)	    (((dr7) >> (16 + 4 * (i))) & 3)
#define DR7_LEN(dr7, i)	    (((dr7) >> (18 + 4 * (i))) & 3)
#define DR7_LEN_BYTES(len)  ((len) == 2 ? 8U : (len) + 1U) /* LEN 00: 1, 01: 2, 10: 8, 11: 4 */
#define DR7_RW_EXEC	    0
#define DR7_RW_WRITE	    1
#define DR7_RW_IO	    2 /* with CR4.DE */
#define DR7_RW_ACCESS	    3 /* read or write */
#define DR_BREAKPOINTS	    4

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* A canonical address for a CPU with `bits` linear-address bits: bits
 * 63:bits-1 all equal (SDM Vol. 1 3.3.7.1). */
static inline int is_canonical(uint64_t a, unsigned bits)
{
	int64_t s = (int64_t)(a << (64 - bits)) >> (64 - bits);
	return (uint64_t)s == a;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}
/* Deliver an NMI to this CPU's own handler (vector 2 of the host IDT). */
static inline void nmi_self(void)
{
	__asm__ volatile("int $2" ::: "memory");
}
static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
static inline void cpu_halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}
/* Take the host interrupts that are pending, then block them again. STI
 * delays interrupts by one instruction (SDM Vol. 2B STI), so a bare
 * "sti; cli" would take none: the NOP is where they arrive. */
static inline void irq_window(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}
/* sti;hlt: the STI shadow makes "enable and sleep" atomic w.r.t. interrupts. */
static inline void cpu_idle(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}
static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}
static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}
static inline void mfence(void)
{
	__asm__ volatile("mfence" ::: "memory");
}

/* Port I/O (SDM Vol. 1 18). */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Read firmware data at a fixed low physical address; the empty asm hides
 * the constant address from gcc's array-bounds analysis. */
static inline uint16_t phys_read16(uint64_t addr)
{
	volatile uint16_t *p = (volatile uint16_t *)(uintptr_t)addr;
	__asm__("" : "+r"(p));
	return *p;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}
static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)addr = v;
}

/* Stop this CPU for good: interrupts off, halt forever (NMIs re-halt). */
static inline __attribute__((noreturn)) void cpu_stop(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

#ifdef COOPVMM_HOST_TEST
/* Host build of the exit-handler harness (tests/harness, docs/exits.md):
 * the instructions the handlers execute become calls into a fake CPU that
 * records and checks them (tests/harness/fake_cpu.c). Never defined when
 * building the VMM. */
struct cpuid_regs host_test_cpuid(uint32_t leaf, uint32_t sub);
uint64_t host_test_rdtsc(void);
uint64_t host_test_read_rflags(void);
void host_test_irq_disable(void);
void host_test_irq_enable(void);
void host_test_cpu_relax(void);
void host_test_nmi_self(void);
uint64_t host_test_read_cr2(void);
void host_test_write_cr2(uint64_t v);
#define cpuid(leaf, sub) host_test_cpuid(leaf, sub)
#define rdtsc()		 host_test_rdtsc()
#define read_rflags()	 host_test_read_rflags()
#define irq_disable()	 host_test_irq_disable()
#define irq_enable()	 host_test_irq_enable()
#define cpu_relax()	 host_test_cpu_relax()
#define nmi_self()	 host_test_nmi_self()
#define read_cr2()	 host_test_read_cr2()
#define write_cr2(v)	 host_test_write_cr2(v)
uint64_t host_test_read_dr(unsigned n);
void host_test_write_dr(unsigned n, uint64_t v);
#define read_dr0()   host_test_read_dr(0)
#define read_dr1()   host_test_read_dr(1)
#define read_dr2()   host_test_read_dr(2)
#define read_dr3()   host_test_read_dr(3)
#define read_dr6()   host_test_read_dr(6)
#define write_dr0(v) host_test_write_dr(0, v)
#define write_dr1(v) host_test_write_dr(1, v)
#define write_dr2(v) host_test_write_dr(2, v)
#define write_dr3(v) host_test_write_dr(3, v)
#define write_dr6(v) host_test_write_dr(6, v)
#endif
#endif

#endif
