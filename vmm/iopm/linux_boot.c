/* SPDX-License-Identifier: GPL-2.0-only */
/* linux_boot.c: the Linux x86 boot protocol for the IOPM's bzImage
 * (Documentation/arch/x86/boot.rst): validate the setup header ('HdrS',
 * version, relocatable kernel, alignment, init_size, pref_address), load
 * the protected-mode kernel at an aligned address of the IOPM zone at or
 * above the kernel's minimum (pref_address), and build
 * the zero page (setup header copy, e820 table, command line, initrd,
 * type_of_loader, ACPI RSDP) for the 32-bit entry. The image is untrusted
 * input: every field is bounds-checked before use. */
#include "vmm/iopm/linux_boot.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define SECTOR		    512
#define HEADER_MAX_END	    0x280 /* a header running past here is bogus */
#define CMDLINE_AREA	    4096
#define CMDLINE_DEFAULT_MAX 255 /* before protocol 2.06 */
#define ADDR_32BIT_LIMIT    0x100000000ULL

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

static uint16_t rd16(const uint8_t *p, uint32_t off)
{
	uint16_t v;
	memcpy(&v, p + off, 2);
	return v;
}

static void wr32(uint8_t *p, uint32_t off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

int linux_boot_prepare(phys_map_fn map, void *ctx, const struct linux_boot_in *in, struct linux_boot_out *out,
		       char *err, size_t errlen)
{
	const uint8_t *img = in->image;
	memset(out, 0, sizeof(*out));
	if (in->image_size < HEADER_MAX_END) {
		snprintf(err, errlen, "not a bzImage: %llu bytes is too small",
			 (unsigned long long)in->image_size);
		return -EINVAL;
	}
	if (rd16(img, LB_BOOT_FLAG) != LB_BOOT_FLAG_VALUE ||
	    rd32(img, LB_HEADER_MAGIC_OFF) != LB_HEADER_MAGIC) {
		snprintf(err, errlen, "not a bzImage: no boot flag 0xAA55 / 'HdrS' header");
		return -EINVAL;
	}
	uint16_t version = rd16(img, LB_VERSION);
	if (version < LB_MIN_VERSION) {
		snprintf(err, errlen, "boot protocol %u.%02u is too old (need 2.12 or later)", version >> 8,
			 version & 0xff);
		return -EINVAL;
	}
	uint32_t hdr_end = 0x202 + img[LB_JUMP_END];
	if (hdr_end > HEADER_MAX_END) {
		snprintf(err, errlen, "setup header claims to end at 0x%x", hdr_end);
		return -EINVAL;
	}
	uint32_t setup_sects = img[LB_SETUP_SECTS] ? img[LB_SETUP_SECTS] : LB_DEFAULT_SETUP_SECTS;
	uint64_t pm_off = (uint64_t)(setup_sects + 1) * SECTOR;
	if (pm_off >= in->image_size) {
		snprintf(err, errlen, "setup_sects %u puts the kernel past the end of the image",
			 setup_sects);
		return -EINVAL;
	}
	uint64_t pm_size = in->image_size - pm_off;
	if (!img[LB_RELOCATABLE]) {
		snprintf(err, errlen, "the kernel is not relocatable (relocatable_kernel = 0)");
		return -EINVAL;
	}
	if (!(img[LB_LOADFLAGS] & LB_LOADED_HIGH)) {
		snprintf(err, errlen, "not a bzImage: loadflags LOADED_HIGH clear");
		return -EINVAL;
	}
	uint32_t align = rd32(img, LB_KERNEL_ALIGNMENT);
	if (!align || (align & (align - 1)) || align > (1U << 30)) {
		snprintf(err, errlen, "kernel_alignment 0x%x is not a power of two", align);
		return -EINVAL;
	}
	/* pref_address (protocol 2.10+) is LOAD_PHYSICAL_ADDR for a relocatable
	 * kernel (arch/x86/boot/header.S): startup_32 in
	 * arch/x86/boot/compressed/head_64.S rounds its load address up to
	 * kernel_alignment and, if that is below LOAD_PHYSICAL_ADDR,
	 * decompresses to LOAD_PHYSICAL_ADDR instead (16 MiB for Debian's
	 * CONFIG_PHYSICAL_START=0x1000000). So the kernel is only ever loaded
	 * at or above it. */
	uint64_t pref = rd64(img, LB_PREF_ADDRESS);
	if (!pref || pref >= ADDR_32BIT_LIMIT) {
		snprintf(err, errlen, "pref_address 0x%llx is no load address below 4 GiB",
			 (unsigned long long)pref);
		return -EINVAL;
	}
	uint32_t init_size = rd32(img, LB_INIT_SIZE);
	if (init_size < pm_size) {
		snprintf(err, errlen, "init_size 0x%x is smaller than the kernel (0x%llx)", init_size,
			 (unsigned long long)pm_size);
		return -EINVAL;
	}
	uint32_t cmdline_max = rd32(img, LB_CMDLINE_SIZE);
	if (!cmdline_max)
		cmdline_max = CMDLINE_DEFAULT_MAX;
	size_t cmdlen = strlen(in->cmdline);
	if (cmdlen > cmdline_max || cmdlen >= CMDLINE_AREA) {
		snprintf(err, errlen, "command line of %zu bytes exceeds the kernel's limit of %u", cmdlen,
			 cmdline_max);
		return -EINVAL;
	}
	uint32_t initrd_max = rd32(img, LB_INITRD_ADDR_MAX);

	/* Layout inside the zone: kernel (aligned) .. +init_size, zero page,
	 * command line, initrd at the top (page aligned, below initrd_addr_max). */
	uint64_t zend = in->zone_base + in->zone_size;
	if (zend <= pref) {
		snprintf(
		    err, errlen,
		    "IOPM zone 0x%llx-0x%llx lies below the kernel's minimum load address 0x%llx "
		    "(pref_address: "
		    "a relocatable x86-64 Linux never runs below its LOAD_PHYSICAL_ADDR and would decompress "
		    "itself outside the zone)",
		    (unsigned long long)in->zone_base, (unsigned long long)zend, (unsigned long long)pref);
		return -EINVAL;
	}
	uint64_t kbase = ALIGN_UP(MAX(in->zone_base, pref), (uint64_t)align);
	uint64_t kend = kbase + init_size;
	uint64_t zp = ALIGN_UP(kend, PAGE_SIZE), cl = zp + ZP_SIZE;
	uint64_t ird = in->initrd ? ALIGN_DOWN(zend - in->initrd_size, PAGE_SIZE) : 0;
	uint64_t need_end = cl + CMDLINE_AREA;
	if (in->initrd && in->initrd_size > in->zone_size) {
		snprintf(err, errlen, "initrd of %llu MiB does not fit the IOPM zone of %llu MiB",
			 (unsigned long long)(in->initrd_size >> 20),
			 (unsigned long long)(in->zone_size >> 20));
		return -ENOSPC;
	}
	if (need_end > (in->initrd ? ird : zend) || kbase >= zend) {
		snprintf(err, errlen,
			 "kernel (%u MiB with init_size) + initrd (%llu MiB) do not fit the IOPM zone of "
			 "%llu MiB: "
			 "raise iopm_mem=",
			 init_size >> 20, (unsigned long long)(in->initrd_size >> 20),
			 (unsigned long long)(in->zone_size >> 20));
		return -ENOSPC;
	}
	if (zp + ZP_SIZE > ADDR_32BIT_LIMIT || cl + CMDLINE_AREA > ADDR_32BIT_LIMIT ||
	    kbase >= ADDR_32BIT_LIMIT) {
		snprintf(err, errlen, "the IOPM zone must start below 4 GiB for the 32-bit entry");
		return -EINVAL;
	}
	if (in->initrd && initrd_max && ird + in->initrd_size - 1 > initrd_max) {
		snprintf(err, errlen, "initrd at 0x%llx is above the kernel's initrd_addr_max 0x%x",
			 (unsigned long long)ird, initrd_max);
		return -ENOSPC;
	}
	if (in->e820_count > ZP_E820_MAX) {
		snprintf(err, errlen, "e820 table of %u entries (maximum %u)", in->e820_count, ZP_E820_MAX);
		return -EINVAL;
	}

	uint8_t *kdst = map(ctx, kbase, pm_size), *zpp = map(ctx, zp, ZP_SIZE),
		*clp = map(ctx, cl, CMDLINE_AREA);
	uint8_t *irp = in->initrd ? map(ctx, ird, in->initrd_size) : NULL;
	if (!kdst || !zpp || !clp || (in->initrd && !irp)) {
		snprintf(err, errlen, "layout outside the IOPM zone (VMM bug)");
		return -EINVAL;
	}
	memcpy(kdst, img + pm_off, pm_size);
	memset(zpp, 0, ZP_SIZE);
	memcpy(zpp + LB_SETUP_SECTS, img + LB_SETUP_SECTS, hdr_end - LB_SETUP_SECTS);
	zpp[LB_TYPE_OF_LOADER] = LB_TYPE_UNDEFINED;
	wr32(zpp, LB_CODE32_START, (uint32_t)kbase);
	wr32(zpp, LB_CMD_LINE_PTR, (uint32_t)cl);
	memset(clp, 0, CMDLINE_AREA);
	memcpy(clp, in->cmdline, cmdlen);
	if (in->initrd) {
		memcpy(irp, in->initrd, in->initrd_size);
		wr32(zpp, LB_RAMDISK_IMAGE, (uint32_t)ird);
		wr32(zpp, LB_RAMDISK_SIZE, (uint32_t)in->initrd_size);
		wr32(zpp, ZP_EXT_RAMDISK_IMAGE, (uint32_t)(ird >> 32));
		wr32(zpp, ZP_EXT_RAMDISK_SIZE, (uint32_t)(in->initrd_size >> 32));
	}
	if (in->rsdp)
		memcpy(zpp + ZP_ACPI_RSDP_ADDR, &in->rsdp, sizeof(in->rsdp));
	zpp[ZP_E820_ENTRIES] = (uint8_t)in->e820_count;
	memcpy(zpp + ZP_E820_TABLE, in->e820, in->e820_count * sizeof(struct e820_entry));

	out->entry = (uint32_t)kbase;
	out->zero_page = (uint32_t)zp;
	out->kernel_base = kbase;
	out->kernel_end = kend;
	out->initrd_base = ird;
	out->cmdline_addr = cl;
	out->version = version;
	return 0;
}
