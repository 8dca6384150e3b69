/* SPDX-License-Identifier: GPL-2.0-only */
/* linux_loader.h: the Linux x86 boot protocol (Linux
 * Documentation/arch/x86/boot.rst: "The real-mode kernel header",
 * "Loading the rest of the kernel", "64-bit boot protocol"; the zero page
 * layout of arch/x86/include/uapi/asm/bootparam.h). One checker of a
 * bzImage's setup header, used by the IOPM's loader (vmm/iopm/linux_boot.c,
 * the 32-bit entry) and by the guest loader here (the 64-bit entry: kernel,
 * zero page, command line, initramfs, identity-mapping page tables and a GDT
 * in the guest's RAM). Pure logic on memory the caller maps: host-testable,
 * and compiled into iopmd as mb1_loader.c is. */
#ifndef VMM_LINUX_LOADER_H
#define VMM_LINUX_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/coopvmm_abi.h" /* COOP_LINUX64_*: the addresses a START relies on */

/* Offsets in the image / zero page (boot.rst "The real-mode kernel header",
 * bootparam.h struct boot_params). */
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
#define LB_XLF_KERNEL_64       0x01 /* xloadflags: startup_64 at load address + 0x200 */
#define LB_STARTUP_64_OFFSET   0x200
#define LB_TYPE_UNDEFINED      0xff
#define LB_DEFAULT_SETUP_SECTS 4
#define LB_CMDLINE_AREA	       4096	      /* what a loader reserves for the command line */
#define LB_ADDR_32BIT_LIMIT    0x100000000ULL /* the 32-bit fields' reach */
/* Selectors the protocol requires at the 32- and 64-bit entries
 * (boot.rst "32-bit boot protocol": __BOOT_CS 0x10, __BOOT_DS 0x18). */
#define LB_BOOT_CS COOP_LINUX64_CS
#define LB_BOOT_DS COOP_LINUX64_DS

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

/* The checked facts of a bzImage's setup header. */
struct bzimage_hdr {
	uint16_t version;
	uint16_t xloadflags;
	uint32_t hdr_end; /* the setup header is image[LB_SETUP_SECTS, hdr_end) */
	uint64_t pm_off;  /* the protected-mode kernel: image[pm_off, pm_off + pm_size) */
	uint64_t pm_size;
	uint32_t align;	      /* kernel_alignment: a power of two, at most 1 GiB */
	uint64_t pref;	      /* pref_address: nonzero, below 4 GiB */
	uint32_t init_size;   /* >= pm_size */
	uint32_t cmdline_max; /* bytes without the NUL */
	uint32_t initrd_max;  /* initrd_addr_max: highest address of the initrd's last byte */
};

/* Does the image start like a bzImage (boot flag and 'HdrS')? */
bool bzimage_is(const uint8_t *image, uint64_t size);

/* Check the setup header of an untrusted image (every field the loaders
 * use is bounds-checked); 0 or -EINVAL with err naming the problem ("not a
 * bzImage: ...", "boot protocol 2.04 is too old ..."). */
int bzimage_parse(const uint8_t *image, uint64_t size, struct bzimage_hdr *h, char *err, size_t errlen);

/* Is the command line within the kernel's limit (and a 4 KiB area)?
 * 0 or -EINVAL with err set. */
int bzimage_check_cmdline(const struct bzimage_hdr *h, const char *cmdline, char *err, size_t errlen);

/* A zeroed zero page with the image's setup header copied in and
 * type_of_loader 0xff ("undefined"): the common start of both loaders. */
void bzimage_zero_page(uint8_t *zp, const uint8_t *image, const struct bzimage_hdr *h);

/* Where the guest loader puts the 64-bit start in the guest's low RAM
 * (docs/guest-platform.md "Boot (Linux, 64-bit)"): fixed, so that a START
 * carries only the entry and the zero page (COOP_VM_BOOT_LINUX64; docs/channel.md
 * "Lifecycle requests"). The page
 * tables identity-map guest-physical 0-4 GiB with 2 MiB pages: the PML4,
 * one PDPT and four page directories. */
#define LINUX_GDT_GPA	    ((uint64_t)COOP_LINUX64_GDT)
#define LINUX_GDT_LIMIT	    COOP_LINUX64_GDT_LIMIT
#define LINUX_PML4_GPA	    ((uint64_t)COOP_LINUX64_PML4)
#define LINUX_PDPT_GPA	    0x3000ULL
#define LINUX_PD_GPA	    0x4000ULL /* 4 pages: 0-1, 1-2, 2-3, 3-4 GiB */
#define LINUX_PD_COUNT	    4
#define LINUX_ZERO_PAGE_GPA 0x8000ULL
#define LINUX_CMDLINE_GPA   0x9000ULL
#define LINUX_LOW_END	    (LINUX_CMDLINE_GPA + LB_CMDLINE_AREA) /* what the loader uses below 1 MiB */

struct linux_result {
	uint64_t entry;	    /* RIP: startup_64 = kernel_base + 0x200 */
	uint64_t zero_page; /* RSI */
	uint64_t cr3;	    /* the PML4 */
	uint64_t gdt_base;  /* GDTR */
	uint16_t gdt_limit;
	uint16_t version;     /* the boot protocol */
	uint64_t kernel_base; /* kernel_end = kernel_base + init_size */
	uint64_t kernel_end;
	uint64_t initrd_base; /* 0: none */
	uint64_t initrd_size;
	uint64_t cmdline_addr;
};

/* Load a bzImage for the 64-bit entry into the RAM of a guest with
 * ram_size bytes, whose host block (vmm/vm/vm_layout.h) is `ram`: the
 * protected-mode kernel at the lowest address >= pref_address aligned to
 * kernel_alignment with init_size of RAM, the initramfs (initrd NULL: none)
 * page-aligned at the top of the RAM below 4 GiB and initrd_addr_max, above
 * the kernel; zero page (e820 from the guest's RAM ranges and the reserved
 * 0x9fc00-1 MiB, ACPI RSDP `rsdp` unless 0), command line, page tables and
 * GDT at the LINUX_* addresses. Returns 0, or -EINVAL / -ENOSPC with err
 * set. */
int linux_load(uint8_t *ram, uint64_t ram_size, const uint8_t *image, uint64_t image_size,
	       const uint8_t *initrd, uint64_t initrd_size, const char *cmdline, uint64_t rsdp,
	       struct linux_result *out, char *err, size_t errlen);

#endif
