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
#include "vmm/vm/linux_loader.h"

/* The setup header and zero page offsets, struct e820_entry and the
 * header checks: vmm/vm/linux_loader.h, shared with the guest loader. */

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
