/* SPDX-License-Identifier: GPL-2.0-only */
/* test_mb1.c: the Multiboot v1 guest loader (vmm/vm/mb1_loader.c) against
 * hand-built ELF32 images, well-formed and hostile: segments anywhere in
 * guest RAM, the information placed where no segment is, memory maps of
 * guests up to 5 GiB (vmm/vm/vm_layout.h), no silent limits. */
#include <stdlib.h>
#include <sys/mman.h>

#include "mb1_image.h"
#include "test.h"

#include "vmm/lib/errno.h"
#include "vmm/vm/mb1_loader.h"
#include "vmm/vm/vm_layout.h"

#define RAM (16U << 20)

static uint8_t *ram;
static struct mb1_image im;
static struct mb1_result res;
static char err[200];

static void build(uint32_t paddr, uint32_t filesz, uint32_t memsz, uint32_t entry)
{
	mb1_image_build(&im, paddr, filesz, memsz, entry);
}

static void fresh_ram(void)
{
	if (!ram)
		ram = malloc(RAM);
	memset(ram, 0xcc, RAM);
}

TEST(mb1, loads_and_builds_info)
{
	fresh_ram();
	build(0x100000, 0x800, 0x2000, 0x10000c);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "hello world", &res, err, sizeof(err)), 0);
	EXPECT_EQ(res.entry, 0x10000c);
	EXPECT_EQ(res.mbi, MB1_INFO_GPA);
	EXPECT_EQ(res.load_lo, 0x100000);
	EXPECT_EQ(res.load_hi, 0x102000);
	EXPECT_EQ(memcmp(ram + 0x100000, im.b + 0x1000, 0x800), 0);
	EXPECT_EQ(ram[0x100800], 0); /* bss zeroed */
	EXPECT_EQ(ram[0x101fff], 0);
	EXPECT_EQ(ram[0x102000], 0xcc); /* nothing beyond memsz */
	uint32_t info[13];
	memcpy(info, ram + MB1_INFO_GPA, sizeof(info));
	EXPECT_EQ(info[0], 0x45); /* MEM | CMDLINE | MMAP */
	EXPECT_EQ(info[1], 639);
	EXPECT_EQ(info[2], (RAM - 0x100000) / 1024);
	EXPECT_STREQ((char *)ram + info[4], "hello world");
	EXPECT_EQ(info[11], 3 * 24); /* mmap_length: three 24-byte entries */
	uint64_t base, len;
	uint32_t type;
	memcpy(&base, ram + info[12] + 2 * 24 + 4, 8);
	memcpy(&len, ram + info[12] + 2 * 24 + 12, 8);
	memcpy(&type, ram + info[12] + 2 * 24 + 20, 4);
	EXPECT_EQ(base, 0x100000);
	EXPECT_EQ(len, RAM - 0x100000);
	EXPECT_EQ(type, 1);
}

TEST(mb1, refusals)
{
	fresh_ram();
	build(0x100000, 0x100, 0x100, 0x100000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, 0x40, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "no Multiboot header");

	build(0x100000, 0x100, 0x100, 0x100000);
	mb1_image_put32(&im, 0x1008, 0); /* bad checksum */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "no Multiboot header");

	build(0x100000, 0x100, 0x100, 0x100000);
	mb1_image_put32(&im, 0x1004, 0x4); /* video mode info: unsupported required feature */
	mb1_image_put32(&im, 0x1008, (uint32_t) - (MB1_HEADER_MAGIC + 0x4));
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "unsupported features (flags 0x4)");

	build(0x100000, 0x100, 0x100, 0x100000);
	im.b[4] = 2; /* ELF64 */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "not an ELF32 i386 executable");

	build(0x100000, 0x100, 0x100, 0x100000);
	mb1_image_put32(&im, 0x38, 0x2f00); /* segment file range past the image */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "outside the image");

	build(0x100000, 0x100, 0x100, 0x100000);
	mb1_image_put32(&im, 0x44, 0x200); /* filesz > memsz */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);

	build(RAM - 0x80, 0x100, 0x100, RAM - 0x80); /* runs past guest RAM */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(
	    err, "segment 0: 0xffff80-0x1000080 is not guest RAM (RAM: 0x0-0xa0000, 0xf0000-0x1000000)");

	build(0xb8000, 0x100, 0x100, 0xb8000); /* in the PC hole: not RAM */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err, "0xb8000-0xb8100 is not guest RAM");

	build(0x9ff00, 0x100, 0x200, 0x9ff00); /* runs from low RAM into the hole */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);

	build(0xef000, 0x100, 0x2000, 0x100000); /* from the hole into the BIOS area */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err, "0xef000-0xf1000 is not guest RAM");

	build(0xff000, 0x100, 0x2000, 0x100000); /* over the firmware tables into RAM at 1 MiB */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err,
			   "segment 0: 0xff000-0x101000 overlaps the firmware tables at 0xf0000-0x100000");

	build(0xf0000, 0x100, 0x100, 0xf0000); /* inside the firmware tables */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err, "overlaps the firmware tables");

	build(0xfffffff0, 0x100, 0x100, 0xfffffff0); /* address arithmetic wraps */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);

	build(0x100000, 0x100, 0x100, 0x200000); /* entry outside the segments */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "entry point 0x200000");

	build(0x100000, 0x100, 0x100, 0x100000);
	mb1_image_put16(&im, 44, 0x7fff); /* phnum: headers past the image */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "program headers run past");
}

/* Everything the guest gets is kept whole: no limit on the command line but room. */
TEST(mb1, long_command_line_is_kept_whole)
{
	static char line[5000];
	fresh_ram();
	memset(line, 'x', sizeof(line) - 1);
	build(0x100000, 0x100, 0x100, 0x100000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, line, &res, err, sizeof(err)), 0);
	uint32_t cmd;
	memcpy(&cmd, ram + res.mbi + 16, 4);
	EXPECT_EQ(strlen((char *)ram + cmd), sizeof(line) - 1);
	EXPECT_STREQ((char *)ram + cmd, line);
}

static void read_info(const uint8_t *r, uint32_t mbi, uint32_t info[13])
{
	memcpy(info, r + mbi, 13 * 4);
}

static void mmap_entry(const uint8_t *r, const uint32_t info[13], unsigned i, uint64_t *base, uint64_t *len,
		       uint32_t *type)
{
	uint32_t size;
	memcpy(&size, r + info[12] + i * 24, 4);
	EXPECT_EQ(size, 20);
	memcpy(base, r + info[12] + i * 24 + 4, 8);
	memcpy(len, r + info[12] + i * 24 + 12, 8);
	memcpy(type, r + info[12] + i * 24 + 20, 4);
}

/* [start, end) of what the loader wrote must not overlap [a, b). */
static void expect_apart(uint32_t start, uint32_t end, uint32_t a, uint32_t b)
{
	test_context("0x%x-0x%x against 0x%x-0x%x", start, end, a, b);
	EXPECT_TRUE(end <= a || b <= start);
}

/* The information area: info, memory map and command line inside it, all
 * usable low RAM. */
static void expect_info_area(const uint8_t *r, uint32_t ramsz)
{
	uint32_t info[13];
	read_info(r, res.mbi, info);
	EXPECT_EQ(res.info_area.start, res.mbi);
	EXPECT_GE(res.mbi, MB1_INFO_MIN);
	EXPECT_LE(res.info_area.end, VM_LOW_USABLE_END);
	EXPECT_EQ(info[0], 0x45); /* MEM | CMDLINE | MMAP */
	EXPECT_EQ(info[1], 639);
	EXPECT_EQ(info[2], (ramsz - 0x100000) / 1024);
	EXPECT_GE(info[12], res.mbi + 52);
	EXPECT_LE(info[12] + info[11], res.info_area.end);
	EXPECT_GE(info[4], res.mbi + 52);
	EXPECT_LE(info[4] + strlen((const char *)r + info[4]) + 1, res.info_area.end);
	EXPECT_EQ(info[11], 3 * 24);
	uint64_t base, len;
	uint32_t type;
	mmap_entry(r, info, 0, &base, &len, &type);
	EXPECT_EQ(base, 0);
	EXPECT_EQ(len, 0x9fc00);
	EXPECT_EQ(type, 1);
	mmap_entry(r, info, 1, &base, &len, &type);
	EXPECT_EQ(base, 0x9fc00);
	EXPECT_EQ(len, 0x100000 - 0x9fc00);
	EXPECT_EQ(type, 2);
	mmap_entry(r, info, 2, &base, &len, &type);
	EXPECT_EQ(base, 0x100000);
	EXPECT_EQ(len, ramsz - 0x100000);
	EXPECT_EQ(type, 1);
}

/* Real-mode tests link low: a segment at 0x8000 loads; the information
 * stays at 0x9000, clear of it. */
TEST(mb1, segment_at_0x8000)
{
	fresh_ram();
	build(0x8000, 0x800, 0x1000, 0x800c);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "low", &res, err, sizeof(err)), 0);
	EXPECT_EQ(res.entry, 0x800c);
	EXPECT_EQ(res.load_lo, 0x8000);
	EXPECT_EQ(res.load_hi, 0x9000);
	EXPECT_EQ(memcmp(ram + 0x8000, im.b + 0x1000, 0x800), 0);
	EXPECT_EQ(ram[0x8800], 0);
	EXPECT_EQ(ram[0x8fff], 0);
	EXPECT_EQ(res.mbi, MB1_INFO_GPA);
	expect_info_area(ram, RAM);
	expect_apart(res.info_area.start, res.info_area.end, 0x8000, 0x9000);
	uint32_t info[13];
	read_info(ram, res.mbi, info);
	EXPECT_STREQ((char *)ram + info[4], "low");
}

/* A segment where the information used to go (0x9000): it goes elsewhere,
 * and the segment's bytes are intact after loading. */
TEST(mb1, segment_over_the_info_place_moves_the_info)
{
	fresh_ram();
	build(0x9000, 0x1800, 0x1800, 0x9000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "moved", &res, err, sizeof(err)), 0);
	EXPECT_EQ(memcmp(ram + 0x9000, im.b + 0x1000, 0x1800), 0);
	EXPECT_NE(res.mbi, MB1_INFO_GPA);
	EXPECT_EQ(res.mbi, 0xb000); /* the first free page above */
	expect_apart(res.info_area.start, res.info_area.end, 0x9000, 0xa800);
	expect_info_area(ram, RAM);
	uint32_t info[13];
	read_info(ram, res.mbi, info);
	EXPECT_STREQ((char *)ram + info[4], "moved");

	/* Up to the top of usable low RAM: the information goes below 0x9000. */
	fresh_ram();
	build(0x9000, 0x100, 0x9fc00 - 0x9000, 0x9000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), 0);
	EXPECT_EQ(res.mbi, MB1_INFO_MIN);
	expect_info_area(ram, RAM);
}

TEST(mb1, segment_at_1mib_keeps_the_info_at_0x9000)
{
	fresh_ram();
	build(0x100000, 0x100, 0x100, 0x100000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), 0);
	EXPECT_EQ(res.mbi, MB1_INFO_GPA);
	expect_info_area(ram, RAM);
}

/* No free low RAM for the information: refused, saying so. */
TEST(mb1, no_room_for_the_info)
{
	fresh_ram();
	build(0x1000, 0x100, 0x9fc00 - 0x1000, 0x1000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err, "no room for the Multiboot information");
	EXPECT_STRCONTAINS(err, "in low RAM 0x1000-0x9fc00");
}

TEST(mb1, modules_follow_the_image)
{
	static uint8_t m0[5000], m1[10];
	fresh_ram();
	memset(m0, 0xab, sizeof(m0));
	memset(m1, 0xcd, sizeof(m1));
	build(0x100000, 0x100, 0x1800, 0x100000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "k", &res, err, sizeof(err)), 0);
	const struct mb1_module mods[] = {{m0, sizeof(m0), "initrd one"}, {m1, sizeof(m1), "two"}};
	EXPECT_EQ(mb1_add_modules(ram, RAM, mods, 2, &res, err, sizeof(err)), 0);
	uint32_t info[13];
	memcpy(info, ram + MB1_INFO_GPA, sizeof(info));
	EXPECT_EQ(info[0] & 0x8, 0x8); /* MODS flag */
	EXPECT_EQ(info[5], 2);	       /* mods_count */
	uint32_t e[8];
	memcpy(e, ram + info[6], sizeof(e));
	EXPECT_EQ(e[0], 0x102000); /* page after the 0x1800-byte image */
	EXPECT_EQ(e[1], 0x102000 + sizeof(m0));
	EXPECT_STREQ((char *)ram + e[2], "initrd one");
	EXPECT_EQ(e[4], 0x104000);
	EXPECT_EQ(e[5], 0x104000 + sizeof(m1));
	EXPECT_STREQ((char *)ram + e[6], "two");
	EXPECT_EQ(ram[e[0]], 0xab);
	EXPECT_EQ(ram[e[5] - 1], 0xcd);
	EXPECT_EQ(res.load_hi, 0x105000);
	/* the list and strings in low RAM, apart from the information */
	EXPECT_EQ(info[6], res.mods_area.start);
	EXPECT_LE(res.mods_area.end, VM_LOW_USABLE_END);
	expect_apart(res.mods_area.start, res.mods_area.end, res.info_area.start, res.info_area.end);
	EXPECT_LE(e[6] + 4, res.mods_area.end);
	/* too big for RAM */
	static const struct mb1_module huge = {m0, RAM, "huge"};
	EXPECT_EQ(mb1_add_modules(ram, RAM, &huge, 1, &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err,
			   "module 0 (huge, 16384 KiB) does not fit in guest RAM below 4 GiB from 0x105000");
}

/* An image linked low: its modules go to 1 MiB (never into the PC hole),
 * their list where neither the segment nor the information is. */
TEST(mb1, modules_of_a_low_image_start_at_1mib)
{
	static uint8_t m0[0x3000];
	fresh_ram();
	memset(m0, 0x5a, sizeof(m0));
	build(0x9000, 0x100, 0x1000, 0x9000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), 0);
	const struct mb1_module mods[] = {{m0, sizeof(m0), "m0"}};
	EXPECT_EQ(mb1_add_modules(ram, RAM, mods, 1, &res, err, sizeof(err)), 0);
	uint32_t info[13], e[4];
	read_info(ram, res.mbi, info);
	EXPECT_EQ(info[5], 1);
	memcpy(e, ram + info[6], sizeof(e));
	EXPECT_EQ(e[0], 0x100000);
	EXPECT_EQ(e[1], 0x103000);
	EXPECT_EQ(ram[0x102fff], 0x5a);
	EXPECT_STREQ((char *)ram + e[2], "m0");
	expect_apart(res.mods_area.start, res.mods_area.end, 0x9000, 0xa000);
	expect_apart(res.info_area.start, res.info_area.end, 0x9000, 0xa000);
	expect_apart(res.mods_area.start, res.mods_area.end, res.info_area.start, res.info_area.end);
	EXPECT_EQ(memcmp(ram + 0x9000, im.b + 0x1000, 0x100), 0);
}

/* More than the old limit of 8 modules, strings longer than the old 127
 * bytes: all listed, whole. */
TEST(mb1, many_modules_with_long_strings)
{
	enum { N = 40 };
	static uint8_t data[N][100];
	static char names[N][300];
	struct mb1_module mods[N];
	fresh_ram();
	for (unsigned i = 0; i < N; i++) {
		memset(data[i], (int)i, sizeof(data[i]));
		memset(names[i], 'a' + (char)(i % 26), sizeof(names[i]) - 1);
		mods[i] = (struct mb1_module){data[i], sizeof(data[i]), names[i]};
	}
	build(0x100000, 0x100, 0x100, 0x100000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "k", &res, err, sizeof(err)), 0);
	EXPECT_EQ(mb1_add_modules(ram, RAM, mods, N, &res, err, sizeof(err)), 0);
	uint32_t info[13];
	read_info(ram, res.mbi, info);
	EXPECT_EQ(info[5], N);
	for (unsigned i = 0; i < N; i++) {
		uint32_t e[4];
		test_context("module %u", i);
		memcpy(e, ram + info[6] + i * 16, sizeof(e));
		EXPECT_EQ(e[0], 0x101000 + i * 0x1000);
		EXPECT_EQ(e[1] - e[0], 100);
		EXPECT_EQ(ram[e[1] - 1], i);
		EXPECT_STREQ((char *)ram + e[2], names[i]);
		EXPECT_LE(e[2] + 300, res.mods_area.end);
	}
	expect_apart(res.mods_area.start, res.mods_area.end, res.info_area.start, res.info_area.end);
}

/* The module list needs low RAM too: none left is a clear refusal. */
TEST(mb1, no_room_for_the_module_list)
{
	static char name[0x2000];
	static uint8_t d[1];
	fresh_ram();
	memset(name, 'n', sizeof(name) - 1);
	build(0x1000, 0x100, 0x9d000 - 0x1000, 0x1000); /* leaves 0x9d000-0x9fc00 */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), 0);
	EXPECT_EQ(res.mbi, 0x9d000);
	const struct mb1_module m = {d, 1, name};
	EXPECT_EQ(mb1_add_modules(ram, RAM, &m, 1, &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err, "no room for the module list (8208 bytes)");
}

/* Guests of 2 GiB and more (issue 13 item 4): RAM below 4 GiB ends at
 * 3 GiB at most (vmm/vm/vm_layout.h), the rest is listed from 4 GiB. The
 * host block is a sparse mapping: the loader writes only low RAM and the
 * image. */
struct big_case {
	uint64_t mem;
	uint32_t mem_upper_kib;
	unsigned entries;
	uint64_t high_len; /* length of the entry at 4 GiB, if any */
};

TEST(mb1, memory_map_of_large_guests)
{
	static const struct big_case cases[] = {
	    {2ULL << 30, (uint32_t)(((2ULL << 30) - 0x100000) / 1024), 3, 0},
	    {3ULL << 30, (uint32_t)(((3ULL << 30) - 0x100000) / 1024), 3, 0},
	    {(3ULL << 30) + (2 << 20), (uint32_t)(((3ULL << 30) - 0x100000) / 1024), 4, 2 << 20},
	    {4ULL << 30, (uint32_t)(((3ULL << 30) - 0x100000) / 1024), 4, 1ULL << 30},
	    {5ULL << 30, (uint32_t)(((3ULL << 30) - 0x100000) / 1024), 4, 2ULL << 30},
	};
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct big_case *k = &cases[c];
		test_context("guest of %llu MiB", (unsigned long long)(k->mem >> 20));
		uint8_t *big = mmap(NULL, k->mem, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		EXPECT_TRUE(big != MAP_FAILED);
		build(0x100000, 0x800, 0x1000, 0x100000);
		int r = mb1_load(big, k->mem, im.b, im.len, "big", &res, err, sizeof(err));
		test_context("guest of %llu MiB: %s", (unsigned long long)(k->mem >> 20), r ? err : "");
		EXPECT_EQ(r, 0);
		uint32_t info[13];
		read_info(big, res.mbi, info);
		EXPECT_EQ(info[1], 639);
		EXPECT_EQ(info[2], k->mem_upper_kib);
		EXPECT_EQ(info[11], k->entries * 24);
		uint64_t base, len, total = 0;
		uint32_t type;
		for (unsigned i = 0; i < k->entries; i++) {
			mmap_entry(big, info, i, &base, &len, &type);
			if (type == 1)
				total += len;
		}
		EXPECT_EQ(total,
			  k->mem - (0x100000 - 0x9fc00)); /* all RAM but the reserved tail and the hole */
		mmap_entry(big, info, 2, &base, &len, &type);
		EXPECT_EQ(base, 0x100000);
		EXPECT_EQ(len, (uint64_t)k->mem_upper_kib * 1024);
		if (k->entries == 4) {
			mmap_entry(big, info, 3, &base, &len, &type);
			EXPECT_EQ(base, 1ULL << 32);
			EXPECT_EQ(len, k->high_len);
			EXPECT_EQ(type, 1);
		}
		/* an image segment in 3-4 GiB is not RAM for a guest above 3 GiB */
		if (k->mem > (3ULL << 30)) {
			build(0xc0000000, 0x100, 0x100, 0xc0000000);
			EXPECT_EQ(mb1_load(big, k->mem, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);
			EXPECT_STRCONTAINS(
			    err, "is not guest RAM (RAM: 0x0-0xa0000, 0xf0000-0xc0000000, 0x100000000-");
		}
		munmap(big, k->mem);
	}
}
