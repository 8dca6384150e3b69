/* SPDX-License-Identifier: GPL-2.0-only */
/* io.h: instruction wrappers for test guests: port I/O, MMIO, MSRs, CPUID,
 * TSC, control registers, interrupt flag, HLT (Intel SDM Vol. 2; control
 * registers Vol. 3A 2.5; EFLAGS Vol. 1 3.4.3). 32-bit protected mode or
 * 64-bit mode (the 64-bit runtime): register-sized values are uintptr_t. */
#ifndef GUEST_RT_IO_H
#define GUEST_RT_IO_H

#include <stdbool.h>
#include <stdint.h>

#define EFLAGS_CF (1U << 0)
#define EFLAGS_PF (1U << 2)
#define EFLAGS_ZF (1U << 6)
#define EFLAGS_SF (1U << 7)
#define EFLAGS_TF (1U << 8)
#define EFLAGS_IF (1U << 9)
#define EFLAGS_DF (1U << 10)
#define EFLAGS_OF (1U << 11)
#define EFLAGS_VM (1U << 17)

#define EFLAGS_IOPL (3U << 12)
#define EFLAGS_NT   (1U << 14)
#define EFLAGS_RF   (1U << 16)
#define EFLAGS_AC   (1U << 18)
#define EFLAGS_ID   (1U << 21)

#define CR0_PE	       (1U << 0)
#define CR0_MP	       (1U << 1)
#define CR0_EM	       (1U << 2)
#define CR0_TS	       (1U << 3)
#define CR0_ET	       (1U << 4)
#define CR0_NE	       (1U << 5)
#define CR0_WP	       (1U << 16)
#define CR0_AM	       (1U << 18)
#define CR0_NW	       (1U << 29)
#define CR0_CD	       (1U << 30)
#define CR0_PG	       (1U << 31)
#define CR4_VME	       (1U << 0)
#define CR4_PVI	       (1U << 1)
#define CR4_TSD	       (1U << 2)
#define CR4_DE	       (1U << 3)
#define CR4_PSE	       (1U << 4)
#define CR4_PAE	       (1U << 5)
#define CR4_MCE	       (1U << 6)
#define CR4_PGE	       (1U << 7)
#define CR4_PCE	       (1U << 8)
#define CR4_OSFXSR     (1U << 9)
#define CR4_OSXMMEXCPT (1U << 10)
#define CR4_UMIP       (1U << 11)
#define CR4_LA57       (1U << 12)
#define CR4_VMXE       (1U << 13)
#define CR4_SMXE       (1U << 14)
#define CR4_FSGSBASE   (1U << 16)
#define CR4_PCIDE      (1U << 17)
#define CR4_OSXSAVE    (1U << 18)
#define CR4_SMEP       (1U << 20)
#define CR4_SMAP       (1U << 21)
#define CR4_PKE	       (1U << 22)

#define MSR_IA32_EFER 0xc0000080
#define EFER_SCE      (1ULL << 0)
#define EFER_LME      (1ULL << 8)
#define EFER_LMA      (1ULL << 10)
#define EFER_NXE      (1ULL << 11)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
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

/* MMIO: one access of exactly the given width (volatile, no merging). */
static inline uint8_t mmio_read8(uintptr_t a)
{
	return *(volatile uint8_t *)a;
}
static inline uint16_t mmio_read16(uintptr_t a)
{
	return *(volatile uint16_t *)a;
}
static inline uint32_t mmio_read32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}
static inline void mmio_write8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}
static inline void mmio_write16(uintptr_t a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}
static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Control registers: 32 bits wide in 32-bit mode, 64 in 64-bit mode. */
#define DEFINE_CR(n)                                                                                         \
	static inline uintptr_t read_cr##n(void)                                                             \
	{                                                                                                    \
		uintptr_t v;                                                                                 \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                            \
		return v;                                                                                    \
	}                                                                                                    \
	static inline void write_cr##n(uintptr_t v)                                                          \
	{                                                                                                    \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                                   \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#ifdef __x86_64__
DEFINE_CR(8) /* the task-priority register, 64-bit mode only (Vol. 3A 10.8.6.1) */
#endif
#undef DEFINE_CR

static inline uintptr_t read_eflags(void)
{
	uintptr_t f;
	__asm__ volatile("pushf; pop %0" : "=r"(f));
	return f;
}

static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}
static inline void sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}
static inline void hlt(void)
{
	__asm__ volatile("hlt" : : : "memory");
}
/* STI's one-instruction interrupt shadow: no interrupt between sti and hlt. */
static inline void sti_hlt(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}
static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}
static inline void barrier(void)
{
	__asm__ volatile("" : : : "memory");
}

static inline bool irqs_enabled(void)
{
	return read_eflags() & EFLAGS_IF;
}

static inline void wbinvd(void)
{
	__asm__ volatile("wbinvd" : : : "memory");
}

static inline uint16_t read_cs(void)
{
	uint16_t v;
	__asm__ volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

#endif
