/* io.h: instruction wrappers for test guests: port I/O, MMIO, MSRs, CPUID,
 * TSC, control registers, interrupt flag, HLT (Intel SDM Vol. 2; control
 * registers Vol. 3A 2.5; EFLAGS Vol. 1 3.4.3). 32-bit protected mode. */
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

#define CR0_PE	   (1U << 0)
#define CR0_MP	   (1U << 1)
#define CR0_EM	   (1U << 2)
#define CR0_TS	   (1U << 3)
#define CR0_WP	   (1U << 16)
#define CR0_PG	   (1U << 31)
#define CR4_PSE	   (1U << 4)
#define CR4_OSFXSR (1U << 9)

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

#define DEFINE_CR(n)                                                                                         \
	static inline uint32_t read_cr##n(void)                                                              \
	{                                                                                                    \
		uint32_t v;                                                                                  \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                            \
		return v;                                                                                    \
	}                                                                                                    \
	static inline void write_cr##n(uint32_t v)                                                           \
	{                                                                                                    \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");                                   \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline uint32_t read_eflags(void)
{
	uint32_t f;
	__asm__ volatile("pushfl; popl %0" : "=r"(f));
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

static inline uint16_t read_cs(void)
{
	uint16_t v;
	__asm__ volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

#endif
