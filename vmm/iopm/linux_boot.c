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

static void wr32(uint8_t *p, uint32_t off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

int linux_boot_prepare(phys_map_fn map, void *ctx, const struct linux_boot_in *in, struct linux_boot_out *out,
		       char *err, size_t errlen)
{
	const uint8_t *img = in->image;
	struct bzimage_hdr h;
	memset(out, 0, sizeof(*out));
	int r = bzimage_parse(img, in->image_size, &h, err, errlen);
	if (r)
		return r;
	r = bzimage_check_cmdline(&h, in->cmdline, err, errlen);
	if (r)
		return r;
	uint16_t version = h.version;
	uint64_t pm_size = h.pm_size, pref = h.pref;
	uint32_t align = h.align, init_size = h.init_size, initrd_max = h.initrd_max;
	size_t cmdlen = strlen(in->cmdline);

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
	uint64_t need_end = cl + LB_CMDLINE_AREA;
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
	if (zp + ZP_SIZE > LB_ADDR_32BIT_LIMIT || cl + LB_CMDLINE_AREA > LB_ADDR_32BIT_LIMIT ||
	    kbase >= LB_ADDR_32BIT_LIMIT) {
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
		*clp = map(ctx, cl, LB_CMDLINE_AREA);
	uint8_t *irp = in->initrd ? map(ctx, ird, in->initrd_size) : NULL;
	if (!kdst || !zpp || !clp || (in->initrd && !irp)) {
		snprintf(err, errlen, "layout outside the IOPM zone (VMM bug)");
		return -EINVAL;
	}
	memcpy(kdst, img + h.pm_off, pm_size);
	bzimage_zero_page(zpp, img, &h);
	wr32(zpp, LB_CODE32_START, (uint32_t)kbase);
	wr32(zpp, LB_CMD_LINE_PTR, (uint32_t)cl);
	memset(clp, 0, LB_CMDLINE_AREA);
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
