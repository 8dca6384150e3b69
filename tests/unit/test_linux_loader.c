/* SPDX-License-Identifier: GPL-2.0-only */
/* test_linux_loader.c: the guest bzImage loader for the 64-bit entry
 * (vmm/vm/linux_loader.c): layout of kernel, zero page, command line and
 * initramfs in a guest's RAM (vmm/vm/vm_layout.h), its e820 map, the
 * identity-mapping page tables and GDT, hostile setup headers, and the
 * real Debian kernel when the build has it (build/iopm/vmlinuz). */
#include <stdio.h>
#include <stdlib.h>

#include "test.h"

#include "arch/x86/acpi_tables.h"
#include "arch/x86/desc.h"
#include "arch/x86/paging.h"
#include "vmm/lib/errno.h"
#include "vmm/vm/linux_loader.h"
#include "vmm/vm/vm_layout.h"

#define MiB	  (1ULL << 20)
#define GUEST_MEM (128 * MiB)
#define RSDP	  0xf0000ULL

static uint8_t image[0x8000];
static uint64_t image_size = 5 * 512 + 0x3000;
static uint8_t initrd[0x2345];
static char err[300];

static void w32(uint32_t off, uint32_t v)
{
	memcpy(image + off, &v, 4);
}
static void w16(uint32_t off, uint16_t v)
{
	memcpy(image + off, &v, 2);
}
static uint32_t r32(const uint8_t *p, uint64_t off)
{
	uint32_t v;
	memcpy(&v, p + off, 4);
	return v;
}
static uint64_t r64(const uint8_t *p, uint64_t off)
{
	uint64_t v;
	memcpy(&v, p + off, 8);
	return v;
}

/* A minimal 64-bit bzImage: 4 setup sectors + 0x3000 bytes of "kernel". */
static void make_image(void)
{
	memset(image, 0, sizeof(image));
	image_size = 5 * 512 + 0x3000;
	image[LB_SETUP_SECTS] = 4;
	w16(LB_BOOT_FLAG, LB_BOOT_FLAG_VALUE);
	image[LB_JUMP_END] = 0x6a; /* header ends at 0x26c */
	w32(LB_HEADER_MAGIC_OFF, LB_HEADER_MAGIC);
	w16(LB_VERSION, 0x020f);
	image[LB_LOADFLAGS] = LB_LOADED_HIGH;
	w32(LB_INITRD_ADDR_MAX, 0x7fffffff);
	w32(LB_KERNEL_ALIGNMENT, 0x200000);
	image[LB_RELOCATABLE] = 1;
	w16(LB_XLOADFLAGS, LB_XLF_KERNEL_64);
	w32(LB_CMDLINE_SIZE, 2047);
	w32(LB_INIT_SIZE, 0x1000000);	 /* 16 MiB */
	w32(LB_PREF_ADDRESS, 0x1000000); /* LOAD_PHYSICAL_ADDR of Debian's kernel */
	for (unsigned i = 5 * 512; i < 5 * 512 + 0x3000; i++)
		image[i] = (uint8_t)(i * 7);
	memset(initrd, 0x5a, sizeof(initrd));
}

static uint8_t *ram;
static uint64_t ram_mem;

static uint8_t *guest(uint64_t mem)
{
	free(ram);
	ram = calloc(1, mem); /* pages the loader does not write stay untouched */
	ram_mem = mem;
	EXPECT_TRUE(ram != NULL);
	return ram;
}

/* Host pointer to guest-physical gpa (RAM, asserted). */
static uint8_t *at(uint64_t gpa)
{
	uint64_t off = 0;
	EXPECT_TRUE(vm_ram_offset(ram_mem, gpa, 1, &off));
	return ram + off;
}

static int load(uint64_t mem, const uint8_t *ird, uint64_t ird_size, const char *cmdline,
		struct linux_result *out)
{
	guest(mem);
	return linux_load(ram, mem, image, image_size, ird, ird_size, cmdline, RSDP, out, err, sizeof(err));
}

TEST(linux_loader, lays_out_kernel_zero_page_cmdline_initramfs)
{
	struct linux_result out;
	make_image();
	EXPECT_EQ(load(GUEST_MEM, initrd, sizeof(initrd), "console=ttyS0 rdinit=/bin/sh", &out), 0);
	EXPECT_EQ(out.kernel_base, 0x1000000);
	EXPECT_EQ(out.kernel_end, 0x2000000);
	EXPECT_EQ(out.entry, 0x1000200); /* startup_64 */
	EXPECT_EQ(out.zero_page, LINUX_ZERO_PAGE_GPA);
	EXPECT_EQ(out.cr3, LINUX_PML4_GPA);
	EXPECT_EQ(out.gdt_base, LINUX_GDT_GPA);
	EXPECT_EQ(out.gdt_limit, 31);
	EXPECT_EQ(out.version, 0x020f);
	EXPECT_EQ(out.initrd_base, (GUEST_MEM - sizeof(initrd)) & ~0xfffULL);
	EXPECT_EQ(out.initrd_size, sizeof(initrd));
	EXPECT_EQ(memcmp(at(out.kernel_base), image + 5 * 512, 0x3000), 0);
	EXPECT_EQ(memcmp(at(out.initrd_base), initrd, sizeof(initrd)), 0);
	EXPECT_STREQ((char *)at(LINUX_CMDLINE_GPA), "console=ttyS0 rdinit=/bin/sh");

	const uint8_t *zp = at(out.zero_page);
	EXPECT_EQ(zp[LB_TYPE_OF_LOADER], 0xff);
	EXPECT_EQ(r32(zp, LB_CMD_LINE_PTR), LINUX_CMDLINE_GPA);
	EXPECT_EQ(r32(zp, ZP_EXT_CMD_LINE_PTR), 0);
	EXPECT_EQ(r32(zp, LB_RAMDISK_IMAGE), out.initrd_base);
	EXPECT_EQ(r32(zp, LB_RAMDISK_SIZE), sizeof(initrd));
	EXPECT_EQ(r32(zp, ZP_EXT_RAMDISK_IMAGE), 0);
	EXPECT_EQ(r32(zp, LB_CODE32_START), 0x1000000);
	EXPECT_EQ(r64(zp, ZP_ACPI_RSDP_ADDR), RSDP);
	/* the setup header copied up to its end (0x26c), nothing after */
	EXPECT_EQ(r32(zp, LB_INIT_SIZE), 0x1000000);
	EXPECT_EQ(zp[0x26c], 0);
	EXPECT_EQ(zp[0x1ef], 0);

	/* e820: low RAM, EBDA + BIOS area reserved, RAM from 1 MiB */
	static const struct e820_entry want[] = {
	    {0, 0x9fc00, E820_RAM},
	    {0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED},
	    {0x100000, GUEST_MEM - 0x100000, E820_RAM},
	};
	EXPECT_EQ(zp[ZP_E820_ENTRIES], 3);
	for (unsigned i = 0; i < 3; i++) {
		struct e820_entry e;
		test_context("e820 entry %u", i);
		memcpy(&e, zp + ZP_E820_TABLE + i * sizeof(e), sizeof(e));
		EXPECT_EQ(e.addr, want[i].addr);
		EXPECT_EQ(e.size, want[i].size);
		EXPECT_EQ(e.type, want[i].type);
	}
}

/* Walk the loader's page tables: guest-physical address `va` maps to. */
static uint64_t walk(uint64_t cr3, uint64_t va)
{
	uint64_t e = r64(at(cr3), ((va >> PML4_SHIFT) & 511) * 8);
	EXPECT_TRUE(e & PTE_P);
	e = r64(at(e & PTE_ADDR_MASK), ((va >> PDPT_SHIFT) & 511) * 8);
	EXPECT_TRUE(e & PTE_P);
	EXPECT_FALSE(e & PTE_PS);
	e = r64(at(e & PTE_ADDR_MASK), ((va >> PD_SHIFT) & 511) * 8);
	EXPECT_EQ(e & (PTE_P | PTE_W | PTE_PS), PTE_P | PTE_W | PTE_PS);
	return (e & PTE_ADDR_MASK & ~(LARGE_PAGE_SIZE - 1)) | (va & (LARGE_PAGE_SIZE - 1));
}

TEST(linux_loader, identity_maps_4gib_and_builds_the_boot_gdt)
{
	struct linux_result out;
	make_image();
	EXPECT_EQ(load(GUEST_MEM, NULL, 0, "", &out), 0);
	static const uint64_t probes[] = {0,	      0x8000,	  0x1000200,  0x1fffff8,  GUEST_MEM - 8,
					  0x40000000, 0xbfffffff, 0xc0000000, 0xfee00000, 0xffffffff};
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		test_context("address 0x%llx", (unsigned long long)probes[i]);
		EXPECT_EQ(walk(out.cr3, probes[i]), probes[i]);
	}
	test_context("%s", "");
	/* nothing above 4 GiB: PML4 entries 1-511 and PDPT entries 4-511 absent */
	EXPECT_EQ(r64(at(out.cr3), 8), 0);
	EXPECT_EQ(r64(at(LINUX_PDPT_GPA), 4 * 8), 0);
	const uint8_t *gdt = at(out.gdt_base);
	EXPECT_EQ(r64(gdt, 0), 0);
	EXPECT_EQ(r64(gdt, LB_BOOT_CS), DESC_CODE64);
	EXPECT_EQ(r64(gdt, LB_BOOT_DS), DESC_DATA);
	/* no initramfs: the zero page says so */
	EXPECT_EQ(out.initrd_base, 0);
	EXPECT_EQ(r32(at(out.zero_page), LB_RAMDISK_IMAGE), 0);
	EXPECT_EQ(r32(at(out.zero_page), LB_RAMDISK_SIZE), 0);
}

TEST(linux_loader, large_guest_e820_and_initramfs_below_3gib)
{
	/* 3.5 GiB of RAM: 3 GiB below the device hole, 0.5 GiB from 4 GiB
	 * (vm_layout.h); the initramfs goes below 3 GiB, not above 4 GiB.
	 * Only the layout is checked: a sparse buffer of that size is
	 * fine for the host. */
	struct linux_result out;
	uint64_t mem = 3584 * MiB;
	make_image();
	w32(LB_INITRD_ADDR_MAX, 0xffffffff);
	int r = load(mem, initrd, sizeof(initrd), "x", &out);
	EXPECT_EQ(r, 0);
	EXPECT_EQ(out.initrd_base, (VM_MMIO_START - sizeof(initrd)) & ~0xfffULL);
	const uint8_t *zp = at(out.zero_page);
	EXPECT_EQ(zp[ZP_E820_ENTRIES], 4);
	struct e820_entry e;
	memcpy(&e, zp + ZP_E820_TABLE + 2 * sizeof(e), sizeof(e));
	EXPECT_EQ(e.addr, 0x100000);
	EXPECT_EQ(e.size, VM_MMIO_START - 0x100000);
	memcpy(&e, zp + ZP_E820_TABLE + 3 * sizeof(e), sizeof(e));
	EXPECT_EQ(e.addr, VM_HIGH_RAM_START);
	EXPECT_EQ(e.size, mem - VM_MMIO_START);
	EXPECT_EQ(e.type, E820_RAM);
	free(ram);
	ram = NULL;
}

TEST(linux_loader, initramfs_honours_initrd_addr_max_and_the_kernel)
{
	struct linux_result out;
	make_image();
	w32(LB_INITRD_ADDR_MAX, 0x37ffffff);
	EXPECT_EQ(load(1024 * MiB, initrd, sizeof(initrd), "", &out), 0);
	EXPECT_EQ(out.initrd_base, (0x38000000 - sizeof(initrd)) & ~0xfffULL);
	EXPECT_LE(out.initrd_base + sizeof(initrd) - 1, 0x37ffffff);
	/* initrd_addr_max inside the kernel: refused, never over it */
	make_image();
	w32(LB_INITRD_ADDR_MAX, 0x1800000);
	EXPECT_EQ(load(GUEST_MEM, initrd, sizeof(initrd), "", &out), -ENOSPC);
	EXPECT_STRCONTAINS(err, "initramfs of 8 KiB does not fit");
	/* RAM ending just after the kernel: no room */
	make_image();
	EXPECT_EQ(load(0x2001000, initrd, sizeof(initrd), "", &out), -ENOSPC);
	EXPECT_STRCONTAINS(err, "raise memory");
	/* exactly enough: the initramfs right above the kernel */
	EXPECT_EQ(load(0x2003000, initrd, sizeof(initrd), "", &out), 0);
	EXPECT_EQ(out.initrd_base, 0x2000000);
	/* an initramfs larger than the RAM below 4 GiB */
	EXPECT_EQ(
	    linux_load(ram, ram_mem, image, image_size, initrd, 1ULL << 33, "", RSDP, &out, err, sizeof(err)),
	    -ENOSPC);
}

TEST(linux_loader, kernel_placement_alignment_and_room)
{
	struct linux_result out;
	make_image();
	w32(LB_KERNEL_ALIGNMENT, 0x1000000);
	w32(LB_PREF_ADDRESS, 0x1080000); /* rounded up to the alignment */
	EXPECT_EQ(load(GUEST_MEM, NULL, 0, "", &out), 0);
	EXPECT_EQ(out.kernel_base, 0x2000000);
	EXPECT_EQ(out.entry, 0x2000200);
	/* pref_address below 1 MiB: still above the BIOS area */
	make_image();
	w32(LB_PREF_ADDRESS, 0x1000);
	EXPECT_EQ(load(GUEST_MEM, NULL, 0, "", &out), 0);
	EXPECT_EQ(out.kernel_base, 0x200000);
	/* init_size larger than the RAM */
	make_image();
	EXPECT_EQ(load(24 * MiB, NULL, 0, "", &out), -ENOSPC);
	EXPECT_STRCONTAINS(err, "the kernel needs RAM 0x1000000-0x2000000");
	EXPECT_STRCONTAINS(err, "raise memory");
	/* a guest with no RAM above 1 MiB */
	EXPECT_EQ(load(0xa0000, NULL, 0, "", &out), -ENOSPC);
	EXPECT_STRCONTAINS(err, "RAM above 1 MiB");
	/* init_size that wraps past 4 GiB with a high pref_address */
	make_image();
	w32(LB_PREF_ADDRESS, 0xffe00000);
	w32(LB_INIT_SIZE, 0xffffffff);
	image_size = 5 * 512 + 0x3000;
	EXPECT_EQ(load(GUEST_MEM, NULL, 0, "", &out), -ENOSPC);
}

TEST(linux_loader, hostile_headers_refused)
{
	struct linux_result out;
	static const struct {
		uint32_t off;
		unsigned width;
		uint32_t value;
		int ret;
		const char *msg;
	} cases[] = {
	    {LB_BOOT_FLAG, 2, 0, -EINVAL, "not a bzImage"},
	    {LB_HEADER_MAGIC_OFF, 4, 0x12345678, -EINVAL, "not a bzImage"},
	    {LB_VERSION, 2, 0x0204, -EINVAL, "boot protocol 2.04 is too old"},
	    {LB_RELOCATABLE, 1, 0, -EINVAL, "not relocatable"},
	    {LB_LOADFLAGS, 1, 0, -EINVAL, "LOADED_HIGH"},
	    {LB_KERNEL_ALIGNMENT, 4, 0x300000, -EINVAL, "not a power of two"},
	    {LB_KERNEL_ALIGNMENT, 4, 0, -EINVAL, "not a power of two"},
	    {LB_KERNEL_ALIGNMENT, 4, 0x80000000, -EINVAL, "not a power of two"},
	    {LB_INIT_SIZE, 4, 0x100, -EINVAL, "init_size 0x100 is smaller"},
	    {LB_SETUP_SECTS, 1, 200, -EINVAL, "setup_sects 200"},
	    {LB_JUMP_END, 1, 0xff, -EINVAL, "setup header claims to end at 0x301"},
	    {LB_PREF_ADDRESS, 4, 0, -EINVAL, "pref_address 0x0"},
	    {LB_PREF_ADDRESS + 4, 4, 1, -EINVAL, "pref_address 0x101000000"},
	    {LB_XLOADFLAGS, 2, 0, -EINVAL, "not a 64-bit kernel"},
	    {LB_CMDLINE_SIZE, 4, 3, -EINVAL, "exceeds the kernel's limit of 3"},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_context("case %u: offset 0x%x = 0x%x", i, cases[i].off, cases[i].value);
		make_image();
		if (cases[i].width == 1)
			image[cases[i].off] = (uint8_t)cases[i].value;
		else if (cases[i].width == 2)
			w16(cases[i].off, (uint16_t)cases[i].value);
		else
			w32(cases[i].off, cases[i].value);
		guest(GUEST_MEM);
		EXPECT_EQ(linux_load(ram, ram_mem, image, image_size, NULL, 0, "quiet", RSDP, &out, err,
				     sizeof(err)),
			  cases[i].ret);
		EXPECT_STRCONTAINS(err, cases[i].msg);
		/* refused before anything was written */
		EXPECT_EQ(ram[LINUX_ZERO_PAGE_GPA + LB_TYPE_OF_LOADER], 0);
		EXPECT_EQ(ram[0x1000001], 0);
		EXPECT_EQ(ram[LINUX_PML4_GPA], 0);
	}
	test_context("%s", "");
	/* too small to hold a header; a header that runs past the image */
	make_image();
	guest(GUEST_MEM);
	EXPECT_EQ(linux_load(ram, ram_mem, image, 0x100, NULL, 0, "", RSDP, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "too small");
	EXPECT_EQ(linux_load(ram, ram_mem, image, 5 * 512, NULL, 0, "", RSDP, &out, err, sizeof(err)),
		  -EINVAL);
	EXPECT_STRCONTAINS(err, "past the end of the image");
	EXPECT_FALSE(bzimage_is(image, 0x27f));
	EXPECT_TRUE(bzimage_is(image, 0x280));
}

/* The kernel the IOPM boots (Debian's cloud kernel, tools/fetch), when the
 * build has it: build/iopm/vmlinuz of the repository, or
 * $COOPVMM_VMLINUZ. */
static uint8_t *read_vmlinuz(uint64_t *size)
{
	const char *env = getenv("COOPVMM_VMLINUZ");
	const char *paths[] = {env ? env : "", "../../build/iopm/vmlinuz", "build/iopm/vmlinuz"};
	for (unsigned i = 0; i < 3; i++) {
		FILE *f = paths[i][0] ? fopen(paths[i], "rb") : NULL;
		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		rewind(f);
		uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		fclose(f);
		*size = (uint64_t)n;
		return buf;
	}
	return NULL;
}

TEST(linux_loader, debian_vmlinuz)
{
	uint64_t size = 0;
	uint8_t *k = read_vmlinuz(&size);
	if (!k) {
		printf("  (linux_loader.debian_vmlinuz: no build/iopm/vmlinuz, nothing to check)\n");
		return;
	}
	struct bzimage_hdr h;
	EXPECT_EQ(bzimage_parse(k, size, &h, err, sizeof(err)), 0);
	EXPECT_GE(h.version, 0x020c);
	EXPECT_TRUE(h.xloadflags & LB_XLF_KERNEL_64);
	struct linux_result out;
	guest(512 * MiB);
	int r = linux_load(ram, ram_mem, k, size, initrd, sizeof(initrd), "console=ttyS0", RSDP, &out, err,
			   sizeof(err));
	EXPECT_MSG(r == 0, "linux_load: %.200s", err);
	EXPECT_EQ(out.kernel_base, h.pref);
	EXPECT_EQ(out.kernel_base % h.align, 0);
	EXPECT_EQ(out.entry, out.kernel_base + 0x200);
	EXPECT_GE(out.initrd_base, out.kernel_end);
	EXPECT_EQ(memcmp(at(out.kernel_base), k + h.pm_off, h.pm_size), 0);
	EXPECT_EQ(r32(at(out.zero_page), LB_HEADER_MAGIC_OFF), LB_HEADER_MAGIC);
	free(k);
}
