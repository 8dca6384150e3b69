/* SPDX-License-Identifier: GPL-2.0-only */
/* trampoline.h: parameters the BSP writes into the AP trampoline page before
 * INIT-SIPI-SIPI (Intel SDM Vol. 3A 8.4.4.1, "Typical BSP Initialization
 * Sequence"); boot/trampoline.asm reads them at the offsets generated from
 * this struct. */
#ifndef ARCH_X86_TRAMPOLINE_H
#define ARCH_X86_TRAMPOLINE_H

#include <stdint.h>

/* The parameter block sits at the end of the trampoline page. */
#define TRAMP_PARAMS_OFFSET 0xf00

struct trampoline_params {
	uint64_t cr3;	    /* PML4 the AP loads (must be below 4 GiB) */
	uint64_t stack_top; /* the AP's kernel stack */
	uint64_t entry;	    /* 64-bit C entry: void entry(uint32_t cpu) */
	uint64_t efer;	    /* EFER value to load (LME, NXE) */
	uint32_t cpu;	    /* logical CPU index passed to entry */
	uint32_t reserved;
};

/* The IOPM variant (boot/iopm_trampoline.asm): Linux 32-bit entry. */
#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18

struct iopm_trampoline_params {
	uint32_t zero_page; /* ESI for Linux */
	uint32_t entry;	    /* code32_start */
	uint8_t started;    /* set by the AP on its first instruction */
	uint8_t reserved[7];
};

#endif
