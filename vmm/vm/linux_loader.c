/* SPDX-License-Identifier: GPL-2.0-only */
/* linux_loader.c: the Linux x86 boot protocol (Documentation/arch/x86/
 * boot.rst): the setup header checks both bzImage loaders share ('HdrS',
 * version, relocatable kernel, alignment, pref_address, init_size), and the
 * guest loader for the 64-bit entry ("64-bit boot protocol"): kernel at an
 * aligned address >= pref_address with init_size of RAM, the initramfs
 * high below 4 GiB and initrd_addr_max, a zero page with the guest's e820
 * (vmm/vm/vm_layout.h) and ACPI RSDP, the command line, an identity map of
 * 0-4 GiB and a GDT with __BOOT_CS/__BOOT_DS. The image comes from outside
 * the VMM: every field is checked before it is used. */
#include "vmm/vm/linux_loader.h"

#include "arch/x86/acpi_tables.h" /* E820_* */
#include "arch/x86/desc.h"	  /* DESC_CODE64, DESC_DATA */
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"
#include "vmm/vm/vm_layout.h"

#define SECTOR		    512
#define HEADER_MAX_END	    0x280		    /* a header running past here is bogus */
#define CMDLINE_DEFAULT_MAX 255			    /* before protocol 2.06 */
#define LINUX_E820_MAX	    (VM_RAM_RANGES_MAX + 1) /* RAM ranges and the reserved 0x9fc00-1 MiB */

static uint16_t rd16(const uint8_t *p, uint32_t off)
{
	uint16_t v;
	memcpy(&v, p + off, 2);
	return v;
}

static uint32_t rd32(const uint8_t *p, uint32_t off)
{
	uint32_t v;
	memcpy(&v, p + off, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p, uint32_t off)
{
	uint64_t v;
	memcpy(&v, p + off, 8);
	return v;
}

static void wr32(uint8_t *p, uint32_t off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

bool bzimage_is(const uint8_t *img, uint64_t size)
{
	return size >= HEADER_MAX_END && rd16(img, LB_BOOT_FLAG) == LB_BOOT_FLAG_VALUE &&
	       rd32(img, LB_HEADER_MAGIC_OFF) == LB_HEADER_MAGIC;
}

int bzimage_parse(const uint8_t *img, uint64_t size, struct bzimage_hdr *h, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	if (size < HEADER_MAX_END) {
		snprintf(err, errlen, "not a bzImage: %llu bytes is too small", (unsigned long long)size);
		return -EINVAL;
	}
	if (!bzimage_is(img, size)) {
		snprintf(err, errlen, "not a bzImage: no boot flag 0xAA55 / 'HdrS' header");
		return -EINVAL;
	}
	h->version = rd16(img, LB_VERSION);
	if (h->version < LB_MIN_VERSION) {
		snprintf(err, errlen, "boot protocol %u.%02u is too old (need 2.12 or later)",
			 h->version >> 8, h->version & 0xff);
		return -EINVAL;
	}
	h->hdr_end = 0x202 + img[LB_JUMP_END];
	if (h->hdr_end > HEADER_MAX_END) {
		snprintf(err, errlen, "setup header claims to end at 0x%x", h->hdr_end);
		return -EINVAL;
	}
	uint32_t setup_sects = img[LB_SETUP_SECTS] ? img[LB_SETUP_SECTS] : LB_DEFAULT_SETUP_SECTS;
	h->pm_off = (uint64_t)(setup_sects + 1) * SECTOR;
	if (h->pm_off >= size) {
		snprintf(err, errlen, "setup_sects %u puts the kernel past the end of the image",
			 setup_sects);
		return -EINVAL;
	}
	h->pm_size = size - h->pm_off;
	if (!img[LB_RELOCATABLE]) {
		snprintf(err, errlen, "the kernel is not relocatable (relocatable_kernel = 0)");
		return -EINVAL;
	}
	if (!(img[LB_LOADFLAGS] & LB_LOADED_HIGH)) {
		snprintf(err, errlen, "not a bzImage: loadflags LOADED_HIGH clear");
		return -EINVAL;
	}
	h->align = rd32(img, LB_KERNEL_ALIGNMENT);
	if (!h->align || (h->align & (h->align - 1)) || h->align > (1U << 30)) {
		snprintf(err, errlen, "kernel_alignment 0x%x is not a power of two", h->align);
		return -EINVAL;
	}
	/* pref_address (protocol 2.10+) is LOAD_PHYSICAL_ADDR for a relocatable
	 * kernel (arch/x86/boot/header.S): startup_32 in
	 * arch/x86/boot/compressed/head_64.S rounds its load address up to
	 * kernel_alignment and, if that is below LOAD_PHYSICAL_ADDR,
	 * decompresses to LOAD_PHYSICAL_ADDR instead (16 MiB for Debian's
	 * CONFIG_PHYSICAL_START=0x1000000). So the kernel is only ever loaded
	 * at or above it. */
	h->pref = rd64(img, LB_PREF_ADDRESS);
	if (!h->pref || h->pref >= LB_ADDR_32BIT_LIMIT) {
		snprintf(err, errlen, "pref_address 0x%llx is no load address below 4 GiB",
			 (unsigned long long)h->pref);
		return -EINVAL;
	}
	h->init_size = rd32(img, LB_INIT_SIZE);
	if (h->init_size < h->pm_size) {
		snprintf(err, errlen, "init_size 0x%x is smaller than the kernel (0x%llx)", h->init_size,
			 (unsigned long long)h->pm_size);
		return -EINVAL;
	}
	h->cmdline_max = rd32(img, LB_CMDLINE_SIZE);
	if (!h->cmdline_max)
		h->cmdline_max = CMDLINE_DEFAULT_MAX;
	h->initrd_max = rd32(img, LB_INITRD_ADDR_MAX);
	h->xloadflags = rd16(img, LB_XLOADFLAGS);
	return 0;
}

int bzimage_check_cmdline(const struct bzimage_hdr *h, const char *cmdline, char *err, size_t errlen)
{
	size_t cmdlen = strlen(cmdline);
	if (cmdlen > h->cmdline_max || cmdlen >= LB_CMDLINE_AREA) {
		snprintf(err, errlen, "command line of %zu bytes exceeds the kernel's limit of %u", cmdlen,
			 h->cmdline_max);
		return -EINVAL;
	}
	return 0;
}

void bzimage_zero_page(uint8_t *zp, const uint8_t *img, const struct bzimage_hdr *h)
{
	memset(zp, 0, ZP_SIZE);
	memcpy(zp + LB_SETUP_SECTS, img + LB_SETUP_SECTS, h->hdr_end - LB_SETUP_SECTS);
	zp[LB_TYPE_OF_LOADER] = LB_TYPE_UNDEFINED;
}

/* Host pointer to guest-physical [gpa, gpa + len) if it is RAM. */
static uint8_t *gpa_ptr(uint8_t *ram, uint64_t ram_size, uint64_t gpa, uint64_t len)
{
	uint64_t off;
	return vm_ram_offset(ram_size, gpa, len, &off) ? ram + off : NULL;
}

/* The guest's e820 map: its RAM ranges, low RAM up to 639 KiB, the EBDA
 * KiB and the BIOS area (the firmware tables, vmm/vm/acpi_build.h)
 * reserved, as the Multiboot map (docs/guest-platform.md "Guest RAM"). */
static unsigned guest_e820(uint64_t ram_size, struct e820_entry e[LINUX_E820_MAX])
{
	struct vm_ram_range r[VM_RAM_RANGES_MAX];
	unsigned n = vm_ram_ranges(ram_size, r), k = 0;
	for (unsigned i = 0; i < n; i++) {
		if (r[i].gpa == 0) {
			e[k++] = (struct e820_entry){0, MIN(r[i].size, VM_LOW_USABLE_END), E820_RAM};
			e[k++] = (struct e820_entry){VM_LOW_USABLE_END, VM_HOLE_END - VM_LOW_USABLE_END,
						     E820_RESERVED};
			continue;
		}
		uint64_t start = MAX(r[i].gpa, VM_HOLE_END);
		e[k++] = (struct e820_entry){start, r[i].gpa + r[i].size - start, E820_RAM};
	}
	return k;
}

/* The identity map of 0-4 GiB with 2 MiB pages and the GDT. */
static void build_start(uint8_t *ram, uint64_t ram_size)
{
	uint64_t *pml4 = (uint64_t *)gpa_ptr(ram, ram_size, LINUX_PML4_GPA, PAGE_SIZE);
	uint64_t *pdpt = (uint64_t *)gpa_ptr(ram, ram_size, LINUX_PDPT_GPA, PAGE_SIZE);
	uint64_t *pd = (uint64_t *)gpa_ptr(ram, ram_size, LINUX_PD_GPA, LINUX_PD_COUNT * PAGE_SIZE);
	uint64_t *gdt = (uint64_t *)gpa_ptr(ram, ram_size, LINUX_GDT_GPA, PAGE_SIZE);

	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	pml4[0] = LINUX_PDPT_GPA | PTE_P | PTE_W;
	for (unsigned i = 0; i < LINUX_PD_COUNT; i++)
		pdpt[i] = (LINUX_PD_GPA + i * PAGE_SIZE) | PTE_P | PTE_W;
	for (uint64_t i = 0; i < LINUX_PD_COUNT * PT_ENTRIES; i++)
		pd[i] = (i * LARGE_PAGE_SIZE) | PTE_P | PTE_W | PTE_PS;
	memset(gdt, 0, PAGE_SIZE);
	gdt[LB_BOOT_CS / 8] = DESC_CODE64;
	gdt[LB_BOOT_DS / 8] = DESC_DATA;
}

int linux_load(uint8_t *ram, uint64_t ram_size, const uint8_t *image, uint64_t image_size,
	       const uint8_t *initrd, uint64_t initrd_size, const char *cmdline, uint64_t rsdp,
	       struct linux_result *out, char *err, size_t errlen)
{
	struct bzimage_hdr h;
	int r;

	memset(out, 0, sizeof(*out));
	if (!initrd_size)
		initrd = NULL; /* an empty initramfs is none */
	r = bzimage_parse(image, image_size, &h, err, errlen);
	if (r)
		return r;
	if (!(h.xloadflags & LB_XLF_KERNEL_64)) {
		snprintf(err, errlen, "not a 64-bit kernel (xloadflags 0x%x: XLF_KERNEL_64 clear)",
			 h.xloadflags);
		return -EINVAL;
	}
	r = bzimage_check_cmdline(&h, cmdline, err, errlen);
	if (r)
		return r;
	if (ram_size <= VM_HOLE_END) {
		snprintf(err, errlen, "a Linux guest needs RAM above 1 MiB (it has %llu KiB)",
			 (unsigned long long)(ram_size >> 10));
		return -ENOSPC;
	}

	/* The kernel: the first aligned address at or above pref_address (and
	 * 1 MiB), its init_size in the RAM range from 1 MiB (the only one
	 * there is above 1 MiB and below 4 GiB: vm_layout.h). */
	struct vm_ram_range rr[VM_RAM_RANGES_MAX];
	vm_ram_ranges(ram_size, rr);
	uint64_t low_end = rr[1].gpa + rr[1].size; /* ram_size > 1 MiB: range 1 exists */
	uint64_t kbase = ALIGN_UP(MAX(h.pref, VM_HOLE_END), (uint64_t)h.align);
	uint64_t kend = kbase + h.init_size;
	if (kbase >= low_end || kend > low_end) {
		snprintf(err, errlen,
			 "the kernel needs RAM 0x%llx-0x%llx (pref_address, init_size %u MiB); "
			 "the guest's RAM below 4 GiB ends at 0x%llx: raise memory",
			 (unsigned long long)kbase, (unsigned long long)kend, h.init_size >> 20,
			 (unsigned long long)low_end);
		return -ENOSPC;
	}
	/* The initramfs: page-aligned at the top of that RAM and below
	 * initrd_addr_max, above the kernel. */
	uint64_t ird = 0;
	if (initrd) {
		uint64_t top = low_end;
		if (h.initrd_max && (uint64_t)h.initrd_max + 1 < top)
			top = (uint64_t)h.initrd_max + 1;
		if (initrd_size > top || ALIGN_DOWN(top - initrd_size, PAGE_SIZE) < kend) {
			snprintf(err, errlen,
				 "initramfs of %llu KiB does not fit between the kernel's end 0x%llx and "
				 "0x%llx (the end of RAM below 4 GiB, initrd_addr_max 0x%x): raise memory",
				 (unsigned long long)(initrd_size >> 10), (unsigned long long)kend,
				 (unsigned long long)top, h.initrd_max);
			return -ENOSPC;
		}
		ird = ALIGN_DOWN(top - initrd_size, PAGE_SIZE);
	}

	uint8_t *kdst = gpa_ptr(ram, ram_size, kbase, h.init_size);
	uint8_t *zp = gpa_ptr(ram, ram_size, LINUX_ZERO_PAGE_GPA, ZP_SIZE);
	uint8_t *cl = gpa_ptr(ram, ram_size, LINUX_CMDLINE_GPA, LB_CMDLINE_AREA);
	uint8_t *irp = initrd ? gpa_ptr(ram, ram_size, ird, initrd_size) : NULL;
	if (!kdst || !zp || !cl || (initrd && !irp) || !gpa_ptr(ram, ram_size, 0, LINUX_LOW_END)) {
		snprintf(err, errlen, "layout outside the guest's RAM (loader bug)");
		return -EINVAL;
	}
	memcpy(kdst, image + h.pm_off, h.pm_size);
	if (initrd)
		memcpy(irp, initrd, initrd_size);
	memset(cl, 0, LB_CMDLINE_AREA);
	memcpy(cl, cmdline, strlen(cmdline));
	build_start(ram, ram_size);

	bzimage_zero_page(zp, image, &h);
	wr32(zp, LB_CODE32_START, (uint32_t)kbase);
	wr32(zp, LB_CMD_LINE_PTR, (uint32_t)LINUX_CMDLINE_GPA);
	if (initrd) {
		wr32(zp, LB_RAMDISK_IMAGE, (uint32_t)ird);
		wr32(zp, LB_RAMDISK_SIZE, (uint32_t)initrd_size);
		wr32(zp, ZP_EXT_RAMDISK_IMAGE, (uint32_t)(ird >> 32));
		wr32(zp, ZP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_size >> 32));
	}
	if (rsdp)
		memcpy(zp + ZP_ACPI_RSDP_ADDR, &rsdp, sizeof(rsdp));
	struct e820_entry e[LINUX_E820_MAX];
	unsigned ne = guest_e820(ram_size, e);
	zp[ZP_E820_ENTRIES] = (uint8_t)ne;
	memcpy(zp + ZP_E820_TABLE, e, ne * sizeof(e[0]));

	out->entry = kbase + LB_STARTUP_64_OFFSET;
	out->zero_page = LINUX_ZERO_PAGE_GPA;
	out->cr3 = LINUX_PML4_GPA;
	out->gdt_base = LINUX_GDT_GPA;
	out->gdt_limit = LINUX_GDT_LIMIT;
	out->version = h.version;
	out->kernel_base = kbase;
	out->kernel_end = kend;
	out->initrd_base = ird;
	out->initrd_size = initrd ? initrd_size : 0;
	out->cmdline_addr = LINUX_CMDLINE_GPA;
	return 0;
}
