/* SPDX-License-Identifier: GPL-2.0-only */
/* multiboot2.h: Multiboot2 header and boot-information tags (Multiboot2
 * specification 1.0, sections 3.1 "OS image format" and 3.6 "Boot
 * information format"). */
#ifndef ARCH_X86_MULTIBOOT2_H
#define ARCH_X86_MULTIBOOT2_H

#define MB2_HEADER_MAGIC     0xe85250d6 /* in the OS image header */
#define MB2_BOOTLOADER_MAGIC 0x36d76289 /* in EAX at entry */
#define MB2_ARCH_I386	     0

#define MB2_TAG_END	      0
#define MB2_TAG_CMDLINE	      1
#define MB2_TAG_LOADER_NAME   2
#define MB2_TAG_MODULE	      3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP	      6
#define MB2_TAG_ACPI_OLD      14
#define MB2_TAG_ACPI_NEW      15
#define MB2_TAG_ALIGN	      8

#ifndef __ASSEMBLER__
#include <stdint.h>

struct mb2_info_header {
	uint32_t total_size, reserved;
};
struct mb2_tag {
	uint32_t type, size;
};
struct mb2_tag_module {
	uint32_t type, size, mod_start, mod_end;
	char cmdline[];
};
struct mb2_tag_mmap {
	uint32_t type, size, entry_size, entry_version;
};
struct mb2_mmap_entry {
	uint64_t base, len;
	uint32_t type, reserved;
};
#endif

#endif
