/* SPDX-License-Identifier: GPL-2.0-only */
/* sandbox.h: running a few instructions at CPL 0 or 3 in an address space,
 * GDT, IDT and TSS of their own, and getting back whatever ends them
 * (Intel SDM Vol. 3A 5.8-5.9 privilege levels, 6.12-6.14 exception
 * delivery with stack switches and the 64-bit IST, 7.2 TSS, 4.5 paging).
 * For fuzz_insn and fuzz_insn64 (docs/guest-tests.md "fuzz_insn").
 *
 * The sandbox's address space maps every linear address (every canonical
 * one in 64-bit mode): the sandbox's own code, IDT, GDT and TSS read-only
 * for the supervisor, its exception stack and CPL-0 stack writable for the
 * supervisor, one code page writable for everyone, and every other page to
 * one of SB_SCRATCH_PAGES scratch pages (user, writable; no-execute in
 * 64-bit mode). The code page (SB_CODE_LINEAR) and the CPL-0 stack
 * (SB_STACK_LINEAR) are among scratch pages, far from the read-only ones. So code in the sandbox reaches
 * nothing of the guest's own but the code page: not its page tables, IDT, GDT, data or stacks. Every
 * exception and interrupt ends the run: the sandbox's IDT switches back
 * (CR3, GDTR, IDTR, stack) and reports vector, error code, IP, CS, FLAGS,
 * SP, SS and CR2. 64-bit: every vector on IST 1, so an exception is
 * delivered wherever RSP points. 32-bit: CPL 3 enters the exception stack
 * through the TSS; a CPL-0 run keeps its stack, and code at CPL 0 can put
 * any value in ESP (POP ESP of a value another case left in a scratch
 * page, MOV ESP, XCHG...). On one of the sandbox's read-only pages the
 * pushes of the next exception would fault, and that fault's, and the
 * #DF's: a triple fault, as on the hardware. So every CPL-0 stack segment
 * of the 32-bit sandbox (SBX_DATA, SBX_STACK, SBX_XSTACK) is a 16-bit
 * stack segment (B = 0, SDM Vol. 3A 3.4.5: pushes and pops use SP; Vol.
 * 2B PUSH: ESP's upper half is left alone) whose SB_STACK_WINDOW bytes
 * from its base are all writable pages (sb_init checks): an exception is
 * delivered whatever ESP holds. The code's explicit memory operands
 * ([ESP + n]) still use all of ESP.
 * The caller arms a timer: code that loops ends on the interrupt. */
#ifndef GUEST_RT_SANDBOX_H
#define GUEST_RT_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>

#define SB_SCRATCH_PAGES 16
#define SB_PAGE		 4096
/* Where the code page and the CPL-0 stack appear in the sandbox: far from
 * its read-only pages (identity mapped near the image at 1 MiB), among
 * scratch pages, so a CPL-0 stack pointer that drifts stays writable. */
#define SB_CODE_LINEAR	0x60000000UL
#define SB_STACK_LINEAR 0x70000000UL
/* 32-bit: where the exception stack appears too, the top page of
 * SBX_XSTACK's window (far from the read-only pages as well). */
#define SB_XSTACK_LINEAR 0x78000000UL
/* What a 16-bit stack pointer reaches from its segment's base; a stack
 * page is the top page of its window. */
#define SB_STACK_WINDOW 0x10000UL
/* The sandbox's read-only pages: its code, its GDT/TSS page, its IDT. */
#define SB_RO_PAGES 3

struct sb_regs {
	uintptr_t ax, bx, cx, dx, si, di, bp;
#ifdef __x86_64__
	uintptr_t r8, r9, r10, r11, r12, r13, r14, r15;
#endif
	uintptr_t sp;	 /* CPL 3 (and 64-bit CPL 0); 32-bit CPL 0: the sandbox's stack */
	uintptr_t flags; /* as the code starts (IF, IOPL, AC, arithmetic flags) */
};

struct sb_result {
	uint32_t vector, error_code; /* the error code: 0 when the CPU pushes none */
	uintptr_t ip, cs, flags, sp, ss, cr2;
};

#define SB_CPL0	  0
#define SB_CPL3	  3
#define SB_COMPAT 0x100 /* 64-bit runtime, with SB_CPL3: 32-bit code (compatibility mode) */

/* Build the tables and the address space; 32-bit: turn on paging for the
 * guest itself (4 MiB pages, identity). Sets CR0.WP (supervisor writes
 * honour read-only pages), CR0.AM (alignment checks at CPL 3), CR4.SMEP
 * where CPUID has it (CPL 0 executes no user page); 64-bit: EFER.NXE. */
void sb_init(void);
/* The code page: the guest's pointer to it (identity); in the sandbox it
 * is at SB_CODE_LINEAR. */
uint8_t *sb_code_page(void);
/* A supervisor, read-only sandbox page (to aim writes at). */
uintptr_t sb_supervisor_page(void);
/* The first page of each of the sandbox's read-only parts, i < SB_RO_PAGES. */
uintptr_t sb_readonly_page(unsigned i);
/* The scratch pages (the kernel's view), and one linear address in the
 * sandbox that maps scratch page 0. */
uint8_t *sb_scratch(unsigned i);
/* The code page as CPL-0 code needs it (supervisor: with CR4.SMEP CPL 0
 * executes no user page, so nothing but the code page and the sandbox's
 * own) or as CPL-3 code does (user). Writable either way: a 32-bit CPL-0
 * stack pointer that ends up in it must not make exceptions undeliverable. */
void sb_code_for(int cpl);
/* Map a page of the sandbox's address space: linear -> phys with the
 * given user/writable bits (for a test's own pages: a device page, a
 * read-only user page). 4 KiB pages; at most a few. */
void sb_map(uintptr_t linear, uint64_t phys, bool user, bool writable);
/* Run code at entry with regs at the given CPL (SB_CPL0, SB_CPL3, or
 * SB_CPL3 | SB_COMPAT); returns when an exception or interrupt ends it. */
void sb_run(int cpl, uintptr_t entry, const struct sb_regs *regs, struct sb_result *res);

#endif
