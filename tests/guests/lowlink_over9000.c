/* SPDX-License-Identifier: GPL-2.0-only */
/* lowlink_over9000: lowlink (lowlink.c) linked at 0x8000 (tests/guests/
 * Makefile: LINK_lowlink_over9000), so that its image covers 0x9000, where
 * coopvmm used to put the Multiboot information. */
#define LINK_ADDR 0x8000U
#include "lowlink.c"
