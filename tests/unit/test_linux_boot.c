/* SPDX-License-Identifier: GPL-2.0-only */
/* test_linux_boot.c: the bzImage checks and zero-page builder
 * (vmm/iopm/linux_boot.c) and the IOPM e820 builder (vmm/iopm/iopm_e820.c). */
#include <stdlib.h>

#include "test.h"

#include "vmm/lib/errno.h"
#include "vmm/iopm/iopm_e820.h"
#include "vmm/iopm/linux_boot.h"

#define ZONE_BASE 0x17c00000ULL
#define ZONE_SIZE (64ULL << 20)

static uint8_t *zone;
static uint8_t image[0x8000];
static char err[200];

static uint8_t *map_zone(void *ctx, uint64_t addr, uint64_t len)
{
	(void)ctx;
	if (addr < ZONE_BASE || addr + len > ZONE_BASE + ZONE_SIZE)
		return NULL;
	return zone + (addr - ZONE_BASE);
}

static void w32(uint32_t off, uint32_t v)
{
	memcpy(image + off, &v, 4);
}
static void w16(uint32_t off, uint16_t v)
{
	memcpy(image + off, &v, 2);
}
static uint32_t z32(uint64_t zp, uint32_t off)
{
	uint32_t v;
	memcpy(&v, zone + (zp - ZONE_BASE) + off, 4);
	return v;
}

/* A minimal bzImage: 4 setup sectors + 0x3000 bytes of "kernel". */
static void make_image(void)
{
	memset(image, 0, sizeof(image));
	image[LB_SETUP_SECTS] = 4;
	w16(LB_BOOT_FLAG, LB_BOOT_FLAG_VALUE);
	image[LB_JUMP_END] = 0x6a; /* header ends at 0x26c */
	w32(LB_HEADER_MAGIC_OFF, LB_HEADER_MAGIC);
	w16(LB_VERSION, 0x020f);
	image[LB_LOADFLAGS] = LB_LOADED_HIGH;
	w32(LB_INITRD_ADDR_MAX, 0x7fffffff);
	w32(LB_KERNEL_ALIGNMENT, 0x200000);
	image[LB_RELOCATABLE] = 1;
	w32(LB_CMDLINE_SIZE, 2047);
	w32(LB_INIT_SIZE, 0x1000000);	 /* 16 MiB */
	w32(LB_PREF_ADDRESS, 0x1000000); /* LOAD_PHYSICAL_ADDR of x86-64 defconfig and Debian */
	for (unsigned i = 5 * 512; i < 5 * 512 + 0x3000; i++)
		image[i] = (uint8_t)(i * 7);
}

static const struct e820_entry e820[] = {{0x10000, 0x8f000, E820_RAM}, {ZONE_BASE, ZONE_SIZE, E820_RAM}};
static uint8_t initrd[0x2345];

static struct linux_boot_in input(void)
{
	if (!zone)
		zone = malloc(ZONE_SIZE);
	memset(zone, 0xcc, ZONE_SIZE);
	struct linux_boot_in in = {image,
				   5 * 512 + 0x3000,
				   initrd,
				   sizeof(initrd),
				   "console=ttyS1 nr_cpus=1",
				   ZONE_BASE,
				   ZONE_SIZE,
				   e820,
				   2,
				   0xf5a10};
	return in;
}

TEST(linux_boot, lays_out_kernel_zero_page_cmdline_initrd)
{
	make_image();
	struct linux_boot_in in = input();
	struct linux_boot_out out;
	memset(initrd, 0x5a, sizeof(initrd));
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), 0);
	EXPECT_EQ(out.entry, ZONE_BASE);
	EXPECT_EQ(out.kernel_end, ZONE_BASE + 0x1000000);
	EXPECT_EQ(out.zero_page, ZONE_BASE + 0x1000000);
	EXPECT_EQ(out.cmdline_addr, ZONE_BASE + 0x1001000);
	EXPECT_EQ(out.initrd_base, (ZONE_BASE + ZONE_SIZE - sizeof(initrd)) & ~0xfffULL);
	EXPECT_EQ(out.version, 0x020f);
	EXPECT_EQ(memcmp(zone, image + 5 * 512, 0x3000), 0); /* protected-mode kernel */
	uint64_t zp = out.zero_page;
	EXPECT_EQ(zone[zp - ZONE_BASE + LB_TYPE_OF_LOADER], 0xff);
	EXPECT_EQ(z32(zp, LB_CODE32_START), ZONE_BASE);
	EXPECT_EQ(z32(zp, LB_CMD_LINE_PTR), out.cmdline_addr);
	EXPECT_STREQ((char *)zone + (out.cmdline_addr - ZONE_BASE), "console=ttyS1 nr_cpus=1");
	EXPECT_EQ(z32(zp, LB_RAMDISK_IMAGE), out.initrd_base);
	EXPECT_EQ(z32(zp, LB_RAMDISK_SIZE), sizeof(initrd));
	EXPECT_EQ(zone[out.initrd_base - ZONE_BASE + sizeof(initrd) - 1], 0x5a);
	EXPECT_EQ(zone[zp - ZONE_BASE + ZP_E820_ENTRIES], 2);
	struct e820_entry e;
	memcpy(&e, zone + (zp - ZONE_BASE) + ZP_E820_TABLE + sizeof(e), sizeof(e));
	EXPECT_EQ(e.addr, ZONE_BASE);
	EXPECT_EQ(e.size, ZONE_SIZE);
	EXPECT_EQ(e.type, E820_RAM);
	uint64_t rsdp;
	memcpy(&rsdp, zone + (zp - ZONE_BASE) + ZP_ACPI_RSDP_ADDR, 8);
	EXPECT_EQ(rsdp, 0xf5a10);
	/* the setup header was copied up to its end (0x26c), nothing after */
	EXPECT_EQ(z32(zp, LB_INIT_SIZE), 0x1000000);
	EXPECT_EQ(zone[zp - ZONE_BASE + 0x26c], 0);
	EXPECT_EQ(zone[zp - ZONE_BASE + 0x1ef], 0); /* sentinel stays 0 */
}

TEST(linux_boot, alignment_rounds_the_load_address_up)
{
	make_image();
	w32(LB_KERNEL_ALIGNMENT, 0x1000000); /* 16 MiB: zone base is only 2 MiB aligned */
	struct linux_boot_in in = input();
	struct linux_boot_out out;
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), 0);
	EXPECT_EQ(out.entry, 0x18000000);
	EXPECT_EQ(out.entry % 0x1000000, 0);
}

TEST(linux_boot, refusals)
{
	struct linux_boot_out out;
	struct linux_boot_in in;
	static const struct {
		void (*edit)(void);
		int ret;
		const char *msg;
	} cases[] = {{NULL, 0, NULL}};
	(void)cases;

	make_image();
	in = input();
	in.image_size = 0x100;
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "too small");
	make_image();
	w16(LB_BOOT_FLAG, 0);
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "not a bzImage");
	make_image();
	w32(LB_HEADER_MAGIC_OFF, 0x12345678);
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	make_image();
	w16(LB_VERSION, 0x0204);
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "boot protocol 2.04 is too old");
	make_image();
	image[LB_RELOCATABLE] = 0;
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "not relocatable");
	make_image();
	w32(LB_KERNEL_ALIGNMENT, 0x300000);
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "not a power of two");
	make_image();
	w32(LB_INIT_SIZE, 0x100);
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "init_size");
	make_image();
	image[LB_SETUP_SECTS] = 200;
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "setup_sects 200");
	make_image();
	image[LB_JUMP_END] = 0xff;
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	make_image();
	w32(LB_INIT_SIZE, 0x4000000);
	in = input(); /* 64 MiB kernel in a 64 MiB zone */
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err, "raise iopm_mem=");
	make_image();
	w32(LB_CMDLINE_SIZE, 10);
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "exceeds the kernel's limit of 10");
	make_image();
	w32(LB_INITRD_ADDR_MAX, 0x10000000);
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err, "initrd_addr_max");
	make_image();
	image[LB_LOADFLAGS] = 0;
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
}

/* A zone elsewhere than ZONE_BASE (a buffer mapped at `base`). */
struct low_zone {
	uint64_t base, size;
	uint8_t *mem;
};

static uint8_t *map_low(void *ctx, uint64_t addr, uint64_t len)
{
	struct low_zone *z = ctx;
	if (addr < z->base || addr + len > z->base + z->size)
		return NULL;
	return z->mem + (addr - z->base);
}

static int prepare_at(uint64_t base, uint64_t size, struct linux_boot_out *out)
{
	struct low_zone z = {base, size, calloc(1, size)};
	struct linux_boot_in in = input();
	in.zone_base = base;
	in.zone_size = size;
	int r = linux_boot_prepare(map_low, &z, &in, out, err, sizeof(err));
	free(z.mem);
	return r;
}

TEST(linux_boot, zone_below_the_kernels_minimum_address_refused)
{
	/* A relocatable x86-64 kernel never runs below LOAD_PHYSICAL_ADDR
	 * (pref_address): loaded lower, it decompresses itself at 16 MiB, i.e.
	 * outside a zone that ends there -- into the VMM's or a guest's RAM. */
	struct linux_boot_out out;
	make_image();
	w32(LB_INIT_SIZE, 0x400000);
	EXPECT_EQ(prepare_at(0x400000, 0xc00000, &out), -EINVAL); /* 4..16 MiB */
	EXPECT_STRCONTAINS(
	    err, "IOPM zone 0x400000-0x1000000 lies below the kernel's minimum load address 0x1000000");
	EXPECT_STRCONTAINS(err, "pref_address");
	EXPECT_EQ(prepare_at(0x200000, 0x200000, &out), -EINVAL); /* 2..4 MiB */
	EXPECT_STRCONTAINS(err, "lies below");
}

TEST(linux_boot, zone_across_the_minimum_address_loads_the_kernel_there)
{
	struct linux_boot_out out;
	make_image();
	w32(LB_INIT_SIZE, 0x400000);
	EXPECT_EQ(prepare_at(0xc00000, 0x3000000, &out), 0); /* 12..60 MiB */
	EXPECT_EQ(out.entry, 0x1000000);
	EXPECT_EQ(out.kernel_end, 0x1400000);
	/* an unaligned pref_address is rounded up like the kernel's own
	 * start-up code rounds its load address to kernel_alignment */
	w32(LB_PREF_ADDRESS, 0x1080000);
	EXPECT_EQ(prepare_at(0xc00000, 0x3000000, &out), 0);
	EXPECT_EQ(out.entry, 0x1200000);
	/* 12..20 MiB: from 16 MiB on, 4 MiB are left for a 16 MiB kernel */
	w32(LB_PREF_ADDRESS, 0x1000000);
	w32(LB_INIT_SIZE, 0x1000000);
	EXPECT_EQ(prepare_at(0xc00000, 0x800000, &out), -ENOSPC);
	EXPECT_STRCONTAINS(err, "raise iopm_mem=");
}

TEST(linux_boot, pref_address_checked)
{
	struct linux_boot_out out;
	struct linux_boot_in in;
	make_image();
	w32(LB_PREF_ADDRESS, 0);
	in = input();
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "pref_address 0x0");
	make_image();
	w32(LB_PREF_ADDRESS, 0);
	w32(LB_PREF_ADDRESS + 4, 1);
	in = input(); /* 4 GiB */
	EXPECT_EQ(linux_boot_prepare(map_zone, NULL, &in, &out, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "pref_address 0x100000000");
}

TEST(iopm_e820, splits_ram_by_owner)
{
	struct memmap mm = {0};
	memmap_add(&mm, 0, 0x9fc00, MEM_USABLE);
	memmap_add(&mm, 0x9fc00, 0x400, MEM_RESERVED);
	memmap_add(&mm, 0xf0000, 0x10000, MEM_RESERVED);
	memmap_add(&mm, 0x100000, 0x1fee0000, MEM_USABLE);
	memmap_add(&mm, 0x1ffe0000, 0x20000, MEM_ACPI_RECLAIM);
	memmap_add(&mm, 0xfffc0000, 0x40000, MEM_RESERVED);
	EXPECT_EQ(memmap_normalize(&mm), 0);
	struct partition_plan p;
	memset(&p, 0, sizeof(p));
	p.iopms = 2;
	p.iopm_low[0] = (struct zone){0x10000, 0x40000};
	p.iopm_low[1] = (struct zone){0x50000, 0x40000};
	p.iopm[0] = (struct zone){0x17c00000, 0x8000000};
	p.iopm[1] = (struct zone){0x13c00000, 0x4000000};
	p.shared = (struct zone){0x1fc00000, 0x200000};
	struct e820_entry e[32];
	int n = iopm_build_e820(&mm, &p, 0, e, 32);
	EXPECT_EQ(n, 11);
	/* RAM that is not the IOPM's own is "unusable" (busy for Linux, so
	 * /dev/mem refuses it), except the shared zone: "reserved", claimed
	 * by iopm.ko itself. Firmware ranges keep their types. */
	const struct e820_entry want[] = {
	    {0, 0x10000, E820_UNUSABLE}, /* page 0, trampoline: the VMM's */
	    {0x10000, 0x40000, E820_RAM},
	    {0x50000, 0x4fc00, E820_UNUSABLE},		      /* IOPM 1's slice and the rest */
	    {0x9fc00, 0x400, E820_RESERVED},		      /* EBDA */
	    {0xf0000, 0x10000, E820_RESERVED},		      /* BIOS */
	    {0x100000, 0x17c00000 - 0x100000, E820_UNUSABLE}, /* VMM, guests, IOPM 1 */
	    {0x17c00000, 0x8000000, E820_RAM},
	    {0x1fc00000, 0x200000, E820_RESERVED}, /* shared zone */
	    {0x1fe00000, 0x1e0000, E820_UNUSABLE}, /* guest pool above it */
	    {0x1ffe0000, 0x20000, E820_ACPI},
	    {0xfffc0000, 0x40000, E820_RESERVED},
	};
	for (int i = 0; i < n && i < 11; i++) {
		test_context("entry %d", i);
		EXPECT_EQ(e[i].addr, want[i].addr);
		EXPECT_EQ(e[i].size, want[i].size);
		EXPECT_EQ(e[i].type, want[i].type);
	}
	test_context("%s", "");
	/* IOPM 1 sees its own zones as RAM and IOPM 0's as reserved */
	n = iopm_build_e820(&mm, &p, 1, e, 32);
	EXPECT_GT(n, 0);
	int ram = 0;
	for (int i = 0; i < n; i++)
		if (e[i].type == E820_RAM) {
			ram++;
			EXPECT_TRUE(e[i].addr == 0x50000 || e[i].addr == 0x13c00000);
		}
	EXPECT_EQ(ram, 2);
	EXPECT_EQ(iopm_build_e820(&mm, &p, 0, e, 3), -ENOSPC);
}
