/* SPDX-License-Identifier: GPL-2.0-only */
/* mb1_loader.h: loading a Multiboot (v1) ELF32 guest into its RAM and
 * building its Multiboot information (Multiboot Specification 0.6.96,
 * sections 3.1 "OS image format", 3.2 "Machine state", 3.3 "Boot
 * information format"). Works on a RAM buffer, so it is host-testable. */
#ifndef VMM_MB1_LOADER_H
#define VMM_MB1_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define MB1_HEADER_MAGIC 0x1badb002U
#define MB1_BOOT_MAGIC	 0x2badb002U /* EAX at entry */
#define MB1_SEARCH_LEN	 8192
/* The Multiboot information goes into low RAM (docs/guest-platform.md
 * "Boot"): at the first free page from MB1_INFO_GPA up, else from
 * MB1_INFO_MIN up, below VM_LOW_USABLE_END (vmm/vm/vm_layout.h); "free" = no
 * loaded segment and nothing else of the information there. */
#define MB1_INFO_GPA 0x9000ULL /* where it goes when no segment is there */
#define MB1_INFO_MIN 0x1000ULL /* never in page 0 (real-mode IVT, BDA) */

struct mb1_module {
	const uint8_t *data;
	uint64_t size;
	const char *cmdline;
};

#define MB1_MAX_SEGMENTS 32 /* PT_LOAD segments with memory in one image */

struct mb1_result {
	uint32_t entry;		   /* EIP */
	uint32_t mbi;		   /* EBX: guest-physical address of the information */
	uint32_t load_lo, load_hi; /* lowest and highest loaded byte + 1 */
	/* Where the loader wrote, guest-physical [start, end): the segments,
	 * then the information area (info, memory map, command line) and,
	 * after mb1_add_modules(), the module area (list and strings). */
	uint32_t nseg;
	struct {
		uint32_t start, end;
	} seg[MB1_MAX_SEGMENTS], info_area, mods_area;
};

/* Load `image` into the RAM of a guest with ram_size bytes, whose host
 * block (vmm/vm/vm_layout.h: guest-physical RAM ranges and their offsets) is
 * `ram`. Segments may lie in any RAM below 4 GiB (low RAM too); the
 * information goes where no segment is. Returns 0, or -EINVAL / -ENOSPC
 * with a message in err naming what is wrong. */
int mb1_load(uint8_t *ram, uint64_t ram_size, const uint8_t *image, uint64_t image_size, const char *cmdline,
	     struct mb1_result *out, char *err, size_t errlen);
/* Copy modules into guest RAM from 1 MiB or the end of the image, whichever
 * is higher (page aligned, below 4 GiB), and list them in the information
 * mb1_load() built (mods_count, mods_addr; Multiboot 3.3); the list and the
 * strings go to low RAM where neither a segment nor the information is.
 * No limit on their number or string length but room. Returns 0 or -ENOSPC
 * with err set. */
int mb1_add_modules(uint8_t *ram, uint64_t ram_size, const struct mb1_module *mods, unsigned n,
		    struct mb1_result *res, char *err, size_t errlen);

#endif
