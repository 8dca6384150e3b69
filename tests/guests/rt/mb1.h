/* SPDX-License-Identifier: GPL-2.0-only */
/* mb1.h: the Multiboot v1 information structure a guest receives in EBX
 * (Multiboot spec 0.6.96, 3.3 "Boot information format"). */
#ifndef GUEST_RT_MB1_H
#define GUEST_RT_MB1_H

#include <stdint.h>

#define MB1_BOOT_MAGIC	 0x2BADB002U /* EAX at entry */
#define MB1_INFO_MEMORY	 (1U << 0)   /* mem_lower, mem_upper valid */
#define MB1_INFO_CMDLINE (1U << 2)
#define MB1_INFO_MODS	 (1U << 3)
#define MB1_INFO_MMAP	 (1U << 6)
#define MB1_MMAP_RAM	 1 /* mmap entry type: available RAM */

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB below 1 MiB */
	uint32_t mem_upper; /* KiB from 1 MiB up to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
} __attribute__((packed));

/* An mmap entry; `size` does not count itself (next = this + size + 4). */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

#endif
