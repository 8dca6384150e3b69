/* SPDX-License-Identifier: GPL-2.0-only */
/* linux_boot.h: preparing a Linux bzImage for the 32-bit boot-protocol
 * entry (Linux Documentation/arch/x86/boot.rst: the real-mode kernel
 * header, "Loading the rest of the kernel", "32-bit boot protocol"; the
 * zero page layout of arch/x86/include/uapi/asm/bootparam.h). Pure logic
 * on memory the caller maps, so it is host-testable. */
#ifndef VMM_LINUX_BOOT_H
#define VMM_LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/acpi_tables.h" /* E820_* */

#define LB_SETUP_SECTS	       0x1f1
#define LB_BOOT_FLAG	       0x1fe
#define LB_HEADER_MAGIC_OFF    0x202
#define LB_JUMP_END	       0x201 /* header ends at 0x202 + this byte */
#define LB_VERSION	       0x206
#define LB_TYPE_OF_LOADER      0x210
#define LB_LOADFLAGS	       0x211
#define LB_CODE32_START	       0x214
#define LB_RAMDISK_IMAGE       0x218
#define LB_RAMDISK_SIZE	       0x21c
#define LB_CMD_LINE_PTR	       0x228
#define LB_INITRD_ADDR_MAX     0x22c
#define LB_KERNEL_ALIGNMENT    0x230
#define LB_RELOCATABLE	       0x234
#define LB_XLOADFLAGS	       0x236
#define LB_CMDLINE_SIZE	       0x238
#define LB_PREF_ADDRESS	       0x258
#define LB_INIT_SIZE	       0x260
#define ZP_ACPI_RSDP_ADDR      0x070
#define ZP_EXT_RAMDISK_IMAGE   0x0c0
#define ZP_EXT_RAMDISK_SIZE    0x0c4
#define ZP_EXT_CMD_LINE_PTR    0x0c8
#define ZP_E820_ENTRIES	       0x1e8
#define ZP_E820_TABLE	       0x2d0
#define ZP_E820_MAX	       128
#define ZP_SIZE		       4096
#define LB_BOOT_FLAG_VALUE     0xaa55
#define LB_HEADER_MAGIC	       0x53726448U /* "HdrS" */
#define LB_MIN_VERSION	       0x020c	   /* 2.12: xloadflags, 64-bit fields */
#define LB_LOADED_HIGH	       0x01
#define LB_TYPE_UNDEFINED      0xff
#define LB_DEFAULT_SETUP_SECTS 4
/* e820 types: E820_* in arch/x86/acpi_tables.h. */

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

struct linux_boot_in {
	const uint8_t *image;
	uint64_t image_size;
	const uint8_t *initrd; /* NULL: none */
	uint64_t initrd_size;
	const char *cmdline;
	uint64_t zone_base, zone_size; /* where kernel, zero page, cmdline, initrd go */
	const struct e820_entry *e820;
	uint32_t e820_count;
	uint64_t rsdp; /* 0: Linux finds it itself */
};

struct linux_boot_out {
	uint32_t entry;			  /* code32_start: the protected-mode kernel */
	uint32_t zero_page;		  /* ESI at entry */
	uint64_t kernel_base, kernel_end; /* kernel_end = base + init_size */
	uint64_t initrd_base;
	uint64_t cmdline_addr;
	uint16_t version;
};

/* Map [addr, addr+len) of physical memory for writing (the VMM: identity;
 * tests: a buffer). NULL if outside what the caller allows. */
typedef uint8_t *(*phys_map_fn)(void *ctx, uint64_t addr, uint64_t len);

/* Check the bzImage header and lay kernel, zero page, command line and
 * initrd out in the zone; returns 0 or -EINVAL/-ENOSPC with err naming
 * the problem ("not a bzImage: ...", "kernel needs N MiB ..."). */
int linux_boot_prepare(phys_map_fn map, void *ctx, const struct linux_boot_in *in, struct linux_boot_out *out,
		       char *err, size_t errlen);

#endif
