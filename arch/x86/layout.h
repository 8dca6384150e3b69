/* SPDX-License-Identifier: GPL-2.0-only */
/* layout.h: fixed addresses and sizes of the VMM image, shared by C, nasm
 * (through the generated build/asm_defs.inc) and the linker script (through
 * cpp). Each value is written here once and nowhere else. */
#ifndef ARCH_X86_LAYOUT_H
#define ARCH_X86_LAYOUT_H

#if defined(__LINKER__)
#define U64(x) x
#else
#define U64(x) x##ULL
#endif

#define VMM_LOAD_ADDR	  U64(0x100000) /* physical = virtual load address (identity map) */
#define TRAMPOLINE_ADDR	  U64(0x8000)	/* AP real-mode entry page; SIPI vector 0x08 */
#define BOOT_STACK_SIZE	  U64(0x4000)	/* BSP stack until per-CPU stacks exist */
#define CPU_STACK_SIZE	  U64(0x4000)	/* each CPU's kernel stack */
#define IST_STACK_SIZE	  U64(0x2000)	/* each CPU's double-fault / NMI / #MC stack */
#define MAX_CPUS	  64		/* CPUs the VMM can manage */
#define MBI_COPY_SIZE	  U64(0x10000)	/* room for the copied Multiboot2 information */
#define BOOT_IDENTITY_GIB 4		/* boot page tables identity-map this much */

/* GDT selectors (SDM Vol. 3A 3.4.2). */
#define GDT_NULL    0x00
#define GDT_CODE64  0x08
#define GDT_DATA    0x10
#define GDT_CODE32  0x18 /* trampoline / boot protected mode only */
#define GDT_TSS	    0x20 /* 16-byte 64-bit TSS descriptor */
#define GDT_ENTRIES 6

#endif
