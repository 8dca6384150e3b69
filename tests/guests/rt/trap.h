/* SPDX-License-Identifier: GPL-2.0-only */
/* trap.h: the guest's IDT and GDT: handlers for any vector, and catching
 * an expected exception (Intel SDM Vol. 3A 6.3 vectors, 6.13 error codes,
 * 6.11 IDT descriptors, 3.4.5 segment descriptors). */
#ifndef GUEST_RT_TRAP_H
#define GUEST_RT_TRAP_H

#include <stdint.h>

#include "rt/layout.h"

#define VEC_DE	       0 /* divide error */
#define VEC_DB	       1 /* debug */
#define VEC_NMI	       2
#define VEC_BP	       3 /* int3 */
#define VEC_OF	       4 /* into */
#define VEC_BR	       5
#define VEC_UD	       6 /* invalid opcode */
#define VEC_NM	       7
#define VEC_DF	       8  /* double fault (error code 0) */
#define VEC_TS	       10 /* invalid TSS (error code) */
#define VEC_NP	       11 /* segment not present (error code) */
#define VEC_SS	       12 /* stack fault (error code) */
#define VEC_GP	       13 /* general protection (error code) */
#define VEC_PF	       14 /* page fault (error code, CR2) */
#define VEC_MF	       16
#define VEC_AC	       17 /* alignment check (error code) */
#define VEC_MC	       18
#define VEC_XM	       19
#define NUM_EXCEPTIONS 32
#define NUM_VECTORS    256

/* #PF error code bits (6.15, interrupt 14). */
#define PF_ERR_P (1U << 0) /* protection violation (else not present) */
#define PF_ERR_W (1U << 1) /* write */
#define PF_ERR_U (1U << 2) /* user mode */

/* Saved by isr.asm (32-bit) or isr64.asm (64-bit): the pushes of the stub
 * and the common path, lowest address first. Handlers may change the saved
 * instruction pointer, flags and general registers. eip/eflags name the
 * same fields in both runtimes. */
#ifdef __x86_64__
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code; /* 0 when the CPU pushes none */
	union {			     /* pushed by the CPU (always SS:RSP in 64-bit mode) */
		uint64_t rip, eip;
	};
	uint64_t cs;
	union {
		uint64_t rflags, eflags;
	};
	uint64_t rsp, ss;
};
#else
struct trap_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax; /* pushad */
	uint32_t vector, error_code;				/* 0 when the CPU pushes none */
	uint32_t eip, cs, eflags;				/* pushed by the CPU */
};
#endif

typedef void (*trap_handler_fn)(struct trap_frame *f);

void trap_init(void);				       /* GDT + IDT, done by rt_start */
void trap_set_handler(int vector, trap_handler_fn fn); /* NULL: back to "unexpected" */
/* Times each vector was delivered (handled, caught, or not). */
uint32_t trap_count(int vector);
const char *trap_name(int vector);

/* Catching an expected exception. trap_catch runs fn(arg); when fn raises
 * an exception (vector < 32) with no handler installed for it, the guest
 * resumes after trap_catch, which returns the vector with *ti filled in;
 * TRAP_NONE when fn returned normally. Not nestable. */
#define TRAP_NONE (-1)
struct trap_info {
	uint32_t vector, error_code;
	uintptr_t eip, cr2; /* the faulting instruction; CR2 for #PF */
};
int trap_catch(void (*fn)(void *), void *arg, struct trap_info *ti);

/* MSR access that may #GP: return TRAP_NONE or the vector. */
int rdmsr_safe(uint32_t msr, uint64_t *val, struct trap_info *ti);
int wrmsr_safe(uint32_t msr, uint64_t val, struct trap_info *ti);

/* GDT: set a spare data segment (SEL_SPARE0/1): 32-bit, writable. */
void gdt_set_data(uint16_t sel, uint32_t base, uint32_t limit);
/* Load the IDT register (rt's IDT: idt_reload()); the GDT register back to
 * the runtime's GDT (after a test loaded its own). */
void lidt(uintptr_t base, uint16_t limit);
void idt_reload(void);
void gdt_reload(void);

#endif
