/* SPDX-License-Identifier: GPL-2.0-only */
/* bootinfo.h: what the VMM takes from the Multiboot2 information, copied
 * into VMM memory first (GRUB leaves it in low RAM that later belongs to
 * the IOPM) and validated tag by tag (Multiboot2 spec 3.6). */
#ifndef VMM_BOOTINFO_H
#define VMM_BOOTINFO_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/platform/acpi.h"
#include "vmm/platform/memmap.h"

#define BOOT_MAX_MODULES 64
#define BOOT_CMDLINE_MAX 1024

struct boot_module {
	uint64_t start, end; /* [start, end) as loaded by GRUB */
	const char *name;    /* the module's command line, whole (in the VMM's
				copy of the information, kept for good) */
};

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[64];
	uint32_t nmodules;
	struct boot_module module[BOOT_MAX_MODULES];
	struct memmap mmap;    /* raw entries, normalised later */
	uint32_t mmap_dropped; /* entries beyond MEMMAP_MAX */
	bool have_rsdp;
	uint8_t rsdp[sizeof(struct acpi_rsdp)];
};

/* The module whose command line names it `name`: the first word, or the
 * second when the first is a path ("/boot/x name args"). *args points at
 * what follows the name ("" if nothing). NULL when there is none. */
const struct boot_module *bootinfo_find_module(const struct boot_info *bi, const char *name,
					       const char **args);

/* Parse the MBI at `mbi` (physical); returns 0 or -errno with `err` set. */
int bootinfo_parse(uint32_t magic, uint64_t mbi, struct boot_info *bi, char *err, size_t errlen);

#endif
