/* cpu.h: control registers, CPUID, TSC and other instruction wrappers
 * (Intel SDM Vol. 3A 2.5 "Control Registers", Vol. 2A CPUID). */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#define CR0_PE  (1ULL << 0)   /* protection enable */
#define CR0_MP  (1ULL << 1)
#define CR0_ET  (1ULL << 4)
#define CR0_NE  (1ULL << 5)   /* native FPU error reporting (required by VMX) */
#define CR0_WP  (1ULL << 16)
#define CR0_NW  (1ULL << 29)
#define CR0_CD  (1ULL << 30)
#define CR0_PG  (1ULL << 31)  /* paging */
#define CR4_PAE (1ULL << 5)
#define CR4_PGE (1ULL << 7)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_VMXE (1ULL << 13) /* VMX enable */

/* CPUID leaf 1 feature bits. */
#define CPUID1_ECX_VMX      (1U << 5)
#define CPUID1_ECX_X2APIC   (1U << 21)
#define CPUID1_ECX_TSC_DEADLINE (1U << 24)
#define CPUID1_ECX_HYPERVISOR (1U << 31)
#define CPUID1_EDX_TSC      (1U << 4)
#define CPUID1_EDX_MSR      (1U << 5)
#define CPUID1_EDX_APIC     (1U << 9)
#define CPUID_EXT_MAX       0x80000000U
#define CPUID_EXT_FEATURES  0x80000001U
#define CPUIDX_EDX_LM       (1U << 29)  /* long mode */
#define CPUIDX_EDX_NX       (1U << 20)
#define CPUIDX_EDX_PDPE1GB  (1U << 26)
#define CPUID_LEAF_APM      0x80000007U
#define CPUID_APM_EDX_INVARIANT_TSC (1U << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_CF (1ULL << 0)
#define RFLAGS_ZF (1ULL << 6)

#ifndef __ASSEMBLER__
#include <stdint.h>

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(sub));
	return r;
}

#define DEFINE_CR_ACCESSORS(n)                                              \
	static inline uint64_t read_cr##n(void)                                 \
	{                                                                       \
		uint64_t v;                                                         \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                   \
		return v;                                                           \
	}                                                                       \
	static inline void write_cr##n(uint64_t v)                              \
	{                                                                       \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");            \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_halt(void) { __asm__ volatile("hlt" ::: "memory"); }
/* Take the host interrupts that are pending, then block them again. STI
 * delays interrupts by one instruction (SDM Vol. 2B STI), so a bare
 * "sti; cli" would take none: the NOP is where they arrive. */
static inline void irq_window(void) { __asm__ volatile("sti; nop; cli" ::: "memory"); }
/* sti;hlt: the STI shadow makes "enable and sleep" atomic w.r.t. interrupts. */
static inline void cpu_idle(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
static inline void mfence(void) { __asm__ volatile("mfence" ::: "memory"); }

/* Port I/O (SDM Vol. 1 18). */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* Read firmware data at a fixed low physical address; the empty asm hides
 * the constant address from gcc's array-bounds analysis. */
static inline uint16_t phys_read16(uint64_t addr)
{
	volatile uint16_t *p = (volatile uint16_t *)(uintptr_t)addr;
	__asm__("" : "+r"(p));
	return *p;
}

static inline uint32_t mmio_read32(uint64_t addr) { return *(volatile uint32_t *)(uintptr_t)addr; }
static inline void mmio_write32(uint64_t addr, uint32_t v) { *(volatile uint32_t *)(uintptr_t)addr = v; }

/* Stop this CPU for good: interrupts off, halt forever (NMIs re-halt). */
static inline __attribute__((noreturn)) void cpu_stop(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}
#endif

#endif
