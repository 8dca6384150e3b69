/* SPDX-License-Identifier: GPL-2.0-only */
/* test_partition.c: unit tests of the partition planner (vmm/platform/partition.c) on
 * the memory maps QEMU and Bochs give, holes, tiny RAM, modules in the way,
 * every error class, and random maps. check_plan() verifies the invariants
 * of every successful plan: disjoint zones inside usable RAM, alignments,
 * and that every usable byte above 1 MiB is accounted for. */
#include <stdlib.h>

#include "test.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/partition.h"

#define N(a)	   (sizeof(a) / sizeof((a)[0]))
#define ERR_LEN	   256
#define IMAGE_BASE 0x100000ULL
#define IMAGE_END  0x180000ULL /* a 512 KiB VMM image at 1 MiB */
#define QEMU_ACPI  0x20000ULL  /* QEMU reserves the top 128 KiB of low RAM */

/* ---- memory maps ---- */

static void add(struct memmap *m, uint64_t base, uint64_t end, uint32_t type)
{
	EXPECT_EQ(memmap_add(m, base, end - base, type), 0);
}

static void finish(struct memmap *m)
{
	EXPECT_EQ(memmap_normalize(m), 0);
}

/* QEMU (SeaBIOS) i440fx: low RAM, VGA/BIOS hole, RAM from 1 MiB; above
 * 3 GiB the rest of RAM is moved above 4 GiB. */
static void map_qemu(struct memmap *m, uint64_t ram)
{
	uint64_t low_top = ram > 3 * GiB ? 3 * GiB : ram;

	memset(m, 0, sizeof(*m));
	add(m, 0, 0x9fc00, MEM_USABLE);
	add(m, 0x9fc00, 0xa0000, MEM_RESERVED);
	add(m, 0xf0000, 0x100000, MEM_RESERVED);
	add(m, 0x100000, low_top - QEMU_ACPI, MEM_USABLE);
	add(m, low_top - QEMU_ACPI, low_top, MEM_RESERVED);
	add(m, 0xfeffc000, 0xff000000, MEM_RESERVED);
	add(m, 0xfffc0000, 0x100000000ULL, MEM_RESERVED);
	add(m, 0xfd00000000ULL, 0x10000000000ULL, MEM_RESERVED); /* HT hole */
	if (ram > 3 * GiB)
		add(m, 4 * GiB, 4 * GiB + ram - 3 * GiB, MEM_USABLE);
	finish(m);
}

/* Bochs BIOS: ACPI tables in the top 64 KiB of RAM. */
static void map_bochs(struct memmap *m, uint64_t ram)
{
	memset(m, 0, sizeof(*m));
	add(m, 0, 0x9f000, MEM_USABLE);
	add(m, 0x9f000, 0xa0000, MEM_RESERVED);
	add(m, 0xe8000, 0x100000, MEM_RESERVED);
	add(m, 0x100000, ram - 0x10000, MEM_USABLE);
	add(m, ram - 0x10000, ram, MEM_ACPI_RECLAIM);
	add(m, 0xfffc0000, 0x100000000ULL, MEM_RESERVED);
	finish(m);
}

static struct boot_config config(const char *line)
{
	struct boot_config cfg;
	char err[ERR_LEN];

	cmdline_defaults(&cfg);
	EXPECT_EQ(cmdline_parse(line, &cfg, err, sizeof(err)), 0);
	return cfg;
}

/* ---- invariants ---- */

struct named {
	const char *name;
	unsigned idx;
	struct zone z;
};

static uint64_t zend(const struct zone *z)
{
	return z->base + z->size;
}

/* Bytes of z inside usable RAM at or above 1 MiB. */
static uint64_t usable_high(const struct memmap *mm, const struct zone *z)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < mm->count; i++) {
		const struct mem_range *r = &mm->r[i];
		uint64_t b = MAX(MAX(r->base, z->base), PLAN_HIGH_BASE);
		uint64_t e = MIN(r->base + r->size, zend(z));

		if (r->type == MEM_USABLE && b < e)
			sum += e - b;
	}
	return sum;
}

static void check_plan(const struct memmap *mm, const struct boot_config *cfg, const struct partition_plan *p)
{
	static struct named all[8 + 2 * CONFIG_MAX_IOPMS + 2 * PLAN_MAX_RANGES];
	const struct zone everything = {0, MEMMAP_PHYS_LIMIT};
	uint64_t usable = 0, accounted = 0, slack, nusable = 0, low_slice = 0;
	size_t n = 0, i, j;

	EXPECT_EQ(p->iopms, cfg->iopms);
	EXPECT_LE(p->guest_ranges, PLAN_MAX_RANGES);
	EXPECT_LE(p->modules, PLAN_MAX_RANGES);

	all[n++] = (struct named){"image", 0, p->image};
	all[n++] = (struct named){"heap", 0, p->vmm_heap};
	all[n++] = (struct named){"shared", 0, p->shared};
	all[n++] = (struct named){"trampoline", 0, p->trampoline};
	for (i = 0; i < p->iopms; i++) {
		all[n++] = (struct named){"iopm", (unsigned)i, p->iopm[i]};
		all[n++] = (struct named){"iopm_low", (unsigned)i, p->iopm_low[i]};
	}
	for (i = 0; i < p->guest_ranges; i++)
		all[n++] = (struct named){"guest", (unsigned)i, p->guest[i]};
	for (i = 0; i < p->modules; i++)
		all[n++] = (struct named){"module", (unsigned)i, p->module[i]};

	/* pairwise disjoint */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			EXPECT_MSG(!(all[i].z.base < zend(&all[j].z) && all[j].z.base < zend(&all[i].z)),
				   "%s %u [0x%llx-0x%llx) overlaps %s %u [0x%llx-0x%llx)", all[i].name,
				   all[i].idx, (unsigned long long)all[i].z.base,
				   (unsigned long long)zend(&all[i].z), all[j].name, all[j].idx,
				   (unsigned long long)all[j].z.base, (unsigned long long)zend(&all[j].z));

	/* every zone (not image/modules) lies inside one usable range */
	for (i = 0; i < n; i++) {
		if (!strcmp(all[i].name, "image") || !strcmp(all[i].name, "module"))
			continue;
		EXPECT_MSG(memmap_is_usable(mm, all[i].z.base, all[i].z.size),
			   "%s %u [0x%llx+0x%llx) not inside usable RAM", all[i].name, all[i].idx,
			   (unsigned long long)all[i].z.base, (unsigned long long)all[i].z.size);
	}

	/* sizes and alignments */
	EXPECT_EQ(p->trampoline.base, TRAMPOLINE_ADDR);
	EXPECT_EQ(p->trampoline.size, PAGE_SIZE);
	EXPECT_EQ(p->vmm_heap.size, cfg->vmm_mem);
	EXPECT_EQ(p->vmm_heap.base % PAGE_SIZE, 0);
	EXPECT_GE(p->vmm_heap.base, PLAN_HIGH_BASE);
	EXPECT_EQ(p->shared.size, cfg->shared_mem);
	EXPECT_EQ(p->shared.base % LARGE_PAGE_SIZE, 0);
	EXPECT_GE(p->shared.base, PLAN_HIGH_BASE);
	if (cfg->iopm_mem_set)
		EXPECT_EQ(p->iopm_mem, cfg->iopm_mem);
	EXPECT_EQ(p->iopm_mem_lowered, p->iopm_mem != cfg->iopm_mem);
	for (i = 0; i < p->iopms; i++) {
		EXPECT_EQ(p->iopm[i].size, p->iopm_mem);
		EXPECT_EQ(p->iopm[i].base % LARGE_PAGE_SIZE, 0);
		EXPECT_GE(p->iopm[i].base, PLAN_HIGH_BASE);
		EXPECT_EQ(p->iopm_low[i].base, PLAN_LOW_BASE + i * p->iopm_low[0].size);
		EXPECT_EQ(p->iopm_low[i].size, p->iopm_low[0].size);
		EXPECT_EQ(p->iopm_low[i].size % PAGE_SIZE, 0);
		EXPECT_GE(p->iopm_low[i].size, PLAN_LOW_SLICE_MIN);
		EXPECT_LE(zend(&p->iopm_low[i]), PLAN_LOW_LIMIT);
		low_slice = p->iopm_low[i].size;
	}
	for (i = p->iopms; i < CONFIG_MAX_IOPMS; i++) {
		EXPECT_EQ(p->iopm[i].size, 0);
		EXPECT_EQ(p->iopm_low[i].size, 0);
	}
	for (i = 0; i < p->guest_ranges; i++) {
		EXPECT_EQ(p->guest[i].base % PAGE_SIZE, 0);
		EXPECT_EQ(p->guest[i].size % PAGE_SIZE, 0);
		EXPECT_GT(p->guest[i].size, 0);
		EXPECT_GE(p->guest[i].base, PLAN_HIGH_BASE);
		if (i)
			EXPECT_GT(p->guest[i].base, zend(&p->guest[i - 1]));
		EXPECT_TRUE(plan_is_guest_ram(p, p->guest[i].base, p->guest[i].size));
	}
	for (i = 0; i < p->modules; i++) {
		EXPECT_EQ(p->module[i].base % PAGE_SIZE, 0);
		EXPECT_EQ(p->module[i].size % PAGE_SIZE, 0);
	}
	EXPECT_FALSE(plan_is_guest_ram(p, p->vmm_heap.base, PAGE_SIZE));
	EXPECT_FALSE(plan_is_guest_ram(p, p->shared.base, PAGE_SIZE));

	/* accounting: usable RAM >= 1 MiB = image + modules + heap + IOPM
	 * zones + shared + guest pool + slack */
	usable = usable_high(mm, &everything);
	for (i = 0; i < mm->count; i++)
		nusable += mm->r[i].type == MEM_USABLE;
	accounted = usable_high(mm, &p->image) + p->vmm_heap.size + p->shared.size + p->iopms * p->iopm_mem;
	for (i = 0; i < p->modules; i++)
		accounted += usable_high(mm, &p->module[i]);
	for (i = 0; i < p->guest_ranges; i++)
		accounted += p->guest[i].size;
	EXPECT_LE(accounted, usable);
	slack = usable - accounted;
	/* slack: the sub-page ends of usable ranges, and what the pool left out */
	EXPECT_MSG(slack <= p->guest_dropped + 2 * PAGE_SIZE * nusable,
		   "slack %llu bytes (dropped %llu, %llu usable ranges)", (unsigned long long)slack,
		   (unsigned long long)p->guest_dropped, (unsigned long long)nusable);
	EXPECT_GE(slack, p->guest_dropped);
	(void)low_slice;
}

static struct partition_plan plan;

static int plan_with(const struct memmap *mm, const struct boot_config *cfg, const struct zone *mods,
		     uint32_t nmods, char *err)
{
	int ret = plan_partitions(mm, cfg, IMAGE_BASE, IMAGE_END, mods, nmods, &plan, err, ERR_LEN);

	if (!ret) {
		EXPECT_STREQ(err, "");
		check_plan(mm, cfg, &plan);
	} else {
		EXPECT_TRUE(ret == -EINVAL || ret == -ENOSPC);
		EXPECT_GT(strlen(err), 0);
	}
	return ret;
}

static void plan_ok(const struct memmap *mm, const char *line)
{
	struct boot_config cfg = config(line);
	char err[ERR_LEN];

	test_context("%s", line);
	EXPECT_EQ(plan_with(mm, &cfg, NULL, 0, err), 0);
	test_context("%s", "");
}

/* ---- typical machines ---- */

TEST(plan, bochs_512m_default)
{
	struct memmap mm;

	map_bochs(&mm, 512 * MiB);
	plan_ok(&mm, "");
	/* shared zone at the top, then the IOPM below it */
	EXPECT_EQ(plan.shared.base, 0x1fc00000);
	EXPECT_EQ(plan.iopms, 1);
	EXPECT_FALSE(plan.iopm_mem_lowered); /* 128M is under half of RAM */
	EXPECT_EQ(plan.iopm_mem, 128 * MiB);
	EXPECT_EQ(zend(&plan.iopm[0]), plan.shared.base);
	EXPECT_EQ(plan.vmm_heap.base, IMAGE_END);
	EXPECT_EQ(plan.iopm_low[0].base, 0x10000);
	EXPECT_EQ(plan.iopm_low[0].size, 0x9f000 - 0x10000);
	EXPECT_EQ(plan.guest_ranges, 2);
	EXPECT_EQ(plan.guest[0].base, IMAGE_END + 16 * MiB);
	EXPECT_EQ(zend(&plan.guest[0]), plan.iopm[0].base);
	EXPECT_EQ(plan.guest[1].base, zend(&plan.shared));
	EXPECT_EQ(zend(&plan.guest[1]), 512 * MiB - 0x10000);
}

TEST(plan, qemu_512m_default)
{
	struct memmap mm;

	map_qemu(&mm, 512 * MiB);
	plan_ok(&mm, "");
	EXPECT_EQ(plan.shared.base, 0x1fc00000);
	EXPECT_EQ(plan.iopm_low[0].size, 0x9f000 - 0x10000);
	EXPECT_EQ(plan.guest_dropped, 0);
}

TEST(plan, qemu_256m_default_lowered)
{
	struct memmap mm;

	map_qemu(&mm, 256 * MiB);
	plan_ok(&mm, "");
	EXPECT_TRUE(plan.iopm_mem_lowered);
	EXPECT_EQ(plan.iopm_mem, 62 * MiB); /* (256M - 1M hole - 128K) / 4 */
}

TEST(plan, qemu_4g_with_hole)
{
	struct memmap mm;

	map_qemu(&mm, 4 * GiB);
	plan_ok(&mm, "iopms=2");
	EXPECT_FALSE(plan.iopm_mem_lowered);
	EXPECT_EQ(plan.iopm_mem, 128 * MiB);
	/* top-down below 4 GiB even though RAM continues above */
	EXPECT_EQ(plan.shared.base, 3 * GiB - 2 * LARGE_PAGE_SIZE);
	EXPECT_EQ(zend(&plan.iopm[0]), plan.shared.base);
	EXPECT_EQ(zend(&plan.iopm[1]), plan.iopm[0].base);
	EXPECT_EQ(plan.iopm_low[1].base, 0x10000 + plan.iopm_low[0].size);
	/* the RAM above 4 GiB is all guest RAM */
	EXPECT_TRUE(plan_is_guest_ram(&plan, 4 * GiB, GiB));
	EXPECT_FALSE(plan_is_guest_ram(&plan, 4 * GiB, GiB + 1));
}

TEST(plan, iopm_counts)
{
	static const char *const lines[] = {
	    "iopms=0",
	    "iopms=1",
	    "iopms=2",
	    "iopms=3",
	    "iopms=8",
	    "iopms=8 iopm_mem=256M",
	    "iopms=8 iopm_mem=16M shared_mem=2M", /* 8 parts of 256K */
	};
	struct memmap mm;
	size_t i;

	map_qemu(&mm, 8 * GiB);
	for (i = 0; i < N(lines); i++)
		plan_ok(&mm, lines[i]);
	plan_ok(&mm, "iopms=0");
	EXPECT_EQ(plan.iopm_low[0].size, 0);
	plan_ok(&mm, "iopms=8");
	EXPECT_EQ(plan.iopm_low[0].size, 68 * KiB); /* (0x9f000 - 0x10000) / 8 */
}

TEST(plan, iopms_zero_on_small_machine)
{
	struct memmap mm;

	map_qemu(&mm, 32 * MiB);
	plan_ok(&mm, "iopms=0");
	EXPECT_EQ(plan.iopms, 0);
	EXPECT_FALSE(plan.iopm_mem_lowered);
}

TEST(plan, explicit_iopm_mem_never_lowered)
{
	struct memmap mm;

	map_qemu(&mm, 256 * MiB);
	plan_ok(&mm, "iopm_mem=128M");
	EXPECT_FALSE(plan.iopm_mem_lowered);
	EXPECT_EQ(plan.iopm[0].size, 128 * MiB);
}

TEST(plan, default_lowering_floor)
{
	struct memmap mm;

	/* RAM/4 is below the 16M minimum: the default goes to 16M */
	map_qemu(&mm, 48 * MiB);
	plan_ok(&mm, "");
	EXPECT_TRUE(plan.iopm_mem_lowered);
	EXPECT_EQ(plan.iopm_mem, 16 * MiB);
}

TEST(plan, above_4g_fallback)
{
	struct memmap mm;

	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, 0x9fc00, MEM_USABLE);
	add(&mm, 0x100000, 0x4000000, MEM_USABLE); /* 64 MiB below 4G */
	add(&mm, 4 * GiB, 8 * GiB, MEM_USABLE);
	finish(&mm);
	plan_ok(&mm, "iopm_mem=1G iopms=2");
	EXPECT_LT(plan.shared.base, 4 * GiB);	 /* shared fits below */
	EXPECT_EQ(zend(&plan.iopm[0]), 8 * GiB); /* IOPMs do not */
	EXPECT_EQ(zend(&plan.iopm[1]), 7 * GiB);
}

TEST(plan, zones_avoid_misaligned_ram)
{
	struct memmap mm;

	/* usable RAM not page- or 2M-aligned at either end */
	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, 0x9fc00, MEM_USABLE);
	add(&mm, 0x100000, 0x100123, MEM_RESERVED);
	add(&mm, 0x100123, 0x12345fff, MEM_USABLE);
	finish(&mm);
	plan_ok(&mm, "");
	EXPECT_LE(zend(&plan.shared), 0x12345000);
}

TEST(plan, holes_and_many_ranges)
{
	struct memmap mm;
	uint64_t i;

	/* 40 MiB RAM chunks separated by reserved holes */
	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, 0x9fc00, MEM_USABLE);
	for (i = 0; i < 20; i++)
		add(&mm, 0x100000 + i * 64 * MiB, 0x100000 + i * 64 * MiB + 40 * MiB, MEM_USABLE);
	finish(&mm);
	plan_ok(&mm, "iopms=2 iopm_mem=32M");
	plan_ok(&mm, "iopms=1 iopm_mem=38M vmm_mem=39M");
}

TEST(plan, fragmented_pool_drops_smallest)
{
	struct memmap mm;
	uint64_t i;

	/* 60 RAM ranges above 1 MiB: the pool keeps the 32 largest */
	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, 0x9fc00, MEM_USABLE);
	for (i = 0; i < 60; i++) {
		uint64_t base = 0x100000 + i * 64 * MiB;

		add(&mm, base, base + (i + 1) * MiB, MEM_USABLE);
	}
	finish(&mm);
	plan_ok(&mm, "iopm_mem=16M vmm_mem=2M");
	EXPECT_EQ(plan.guest_ranges, PLAN_MAX_RANGES);
	EXPECT_GT(plan.guest_dropped, 0);
	for (i = 0; i < plan.guest_ranges; i++)
		EXPECT_GE(plan.guest[i].size, 20 * MiB);
}

/* ---- modules and image ---- */

TEST(plan, modules_where_zones_would_go)
{
	static const struct zone mods[] = {
	    {0x1fd00000, 0x100000}, /* where the shared zone would go */
	    {0x180000, 0x800123},   /* right after the image: heap's place */
	    {0x10000000, 0x5},	    /* tiny, unaligned */
	    {0x12345678, 0},	    /* empty: ignored */
	};
	struct boot_config cfg = config("");
	struct memmap mm;
	char err[ERR_LEN];

	map_bochs(&mm, 512 * MiB);
	EXPECT_EQ(plan_with(&mm, &cfg, mods, N(mods), err), 0);
	EXPECT_EQ(plan.modules, 3);
	EXPECT_EQ(plan.module[1].base, 0x180000);
	EXPECT_EQ(plan.module[1].size, 0x801000);
	EXPECT_EQ(plan.module[2].base, 0x10000000);
	EXPECT_EQ(plan.module[2].size, PAGE_SIZE);
	EXPECT_EQ(plan.vmm_heap.base, 0x981000);
	EXPECT_EQ(zend(&plan.shared), 0x1fc00000);
	EXPECT_FALSE(plan_is_guest_ram(&plan, 0x10000000, 1));
}

TEST(plan, module_spanning_usable_and_reserved)
{
	static const struct zone mods[] = {{0x1ff00000, 0x200000}};
	struct boot_config cfg = config("");
	struct memmap mm;
	char err[ERR_LEN];

	map_bochs(&mm, 512 * MiB);
	EXPECT_EQ(plan_with(&mm, &cfg, mods, N(mods), err), 0);
}

TEST(plan, image_elsewhere)
{
	struct boot_config cfg = config("vmm_mem=8M");
	struct memmap mm;
	char err[ERR_LEN];

	map_qemu(&mm, 512 * MiB);
	/* an image at 16 MiB, unaligned end; the heap fits below it */
	EXPECT_EQ(plan_partitions(&mm, &cfg, 16 * MiB, 16 * MiB + 0x12345, NULL, 0, &plan, err, sizeof(err)),
		  0);
	check_plan(&mm, &cfg, &plan);
	EXPECT_EQ(plan.image.size, 0x13000);
	EXPECT_EQ(plan.vmm_heap.base, 0x100000);
	/* a 16M heap does not fit in the 15 MiB below the image */
	cfg = config("");
	EXPECT_EQ(plan_partitions(&mm, &cfg, 16 * MiB, 16 * MiB + 0x12345, NULL, 0, &plan, err, sizeof(err)),
		  0);
	EXPECT_EQ(plan.vmm_heap.base, 16 * MiB + 0x13000);
}

/* ---- errors ---- */

struct plan_error {
	const char *line;
	uint64_t ram; /* QEMU map of this size */
	int ret;
	const char *prefix;
	const char *contains;
};

static const struct plan_error plan_errors[] = {
    {"iopm_mem=999G", 512 * MiB, -ENOSPC, "iopm_mem=999G: ",
     "IOPM zone 0 of 1 (1022976 MiB, 2 MiB aligned) does not fit: largest free RAM range is 506 MiB (508 MiB "
     "free above 1 MiB)"},
    {"iopms=4 iopm_mem=128M", 512 * MiB, -ENOSPC, "iopm_mem=128M: ", "IOPM zone 3 of 4"},
    {"shared_mem=256M", 256 * MiB, -ENOSPC,
     "shared_mem=256M: ", "shared zone (256 MiB, 2 MiB aligned) does not fit"},
    {"vmm_mem=1G", 512 * MiB, -ENOSPC, "vmm_mem=1G: ", "VMM heap (1024 MiB) does not fit"},
    {"", 24 * MiB, -ENOSPC, "vmm_mem (default 16M): ", "VMM heap (16 MiB) does not fit"},
    {"", 16 * MiB, -ENOSPC,
     "iopm_mem (default 128M, lowered to 16M for small RAM): ", "IOPM zone 0 of 1 (16 MiB"},
    {"iopms=0 vmm_mem=4M shared_mem=2M", 4 * MiB, -ENOSPC, "shared_mem=2M: ", "does not fit"},
    {"iopms=0", 2 * MiB, -ENOSPC,
     "shared_mem (default 2M): ", "largest free RAM range is 384 KiB (384 KiB free above 1 MiB)"},
    /* each IOPM needs its own part of the shared zone (shared/coopvmm_abi.h) */
    {"iopms=2 shared_mem=256K", 512 * MiB, -EINVAL,
     "shared_mem=256K: ", "too small for 2 IOPM(s): each needs 256K of the shared zone"},
    {"iopms=5 shared_mem=1M", 512 * MiB, -EINVAL, "shared_mem=1M: ", "too small for 5 IOPM(s)"},
};

TEST(plan, errors)
{
	size_t i;

	for (i = 0; i < N(plan_errors); i++) {
		const struct plan_error *e = &plan_errors[i];
		struct boot_config cfg = config(e->line);
		struct memmap mm;
		char err[ERR_LEN];

		map_qemu(&mm, e->ram);
		test_context("\"%s\" on %llu MiB", e->line, (unsigned long long)(e->ram / MiB));
		EXPECT_EQ(plan_with(&mm, &cfg, NULL, 0, err), e->ret);
		EXPECT_STRSTARTS(err, e->prefix);
		EXPECT_STRCONTAINS(err, e->contains);
	}
}

static void expect_error(const struct memmap *mm, const struct boot_config *cfg, const struct zone *mods,
			 uint32_t nmods, int ret, const char *contains)
{
	char err[ERR_LEN];

	EXPECT_EQ(plan_with(mm, cfg, mods, nmods, err), ret);
	EXPECT_STRCONTAINS(err, contains);
}

TEST(plan, no_memory_map)
{
	struct boot_config cfg = config("");
	struct memmap mm;
	char err[ERR_LEN];

	memset(&mm, 0, sizeof(mm));
	expect_error(&mm, &cfg, NULL, 0, -EINVAL, "no memory map");
	EXPECT_EQ(plan_partitions(NULL, &cfg, IMAGE_BASE, IMAGE_END, NULL, 0, &plan, err, sizeof(err)),
		  -EINVAL);
}

TEST(plan, unnormalized_map_refused)
{
	struct boot_config cfg = config("");
	struct memmap mm;

	memset(&mm, 0, sizeof(mm));
	add(&mm, 0x100000, 0x10000000, MEM_USABLE);
	add(&mm, 0, 0x9fc00, MEM_USABLE);
	expect_error(&mm, &cfg, NULL, 0, -EINVAL, "not normalized");
}

TEST(plan, trampoline_not_usable)
{
	struct boot_config cfg = config("");
	struct memmap mm;

	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, 0x1000, MEM_USABLE);
	add(&mm, 0x8000, 0x9000, MEM_RESERVED);
	add(&mm, 0x10000, 0x9f000, MEM_USABLE);
	add(&mm, 0x100000, 0x10000000, MEM_USABLE);
	finish(&mm);
	expect_error(&mm, &cfg, NULL, 0, -EINVAL, "AP trampoline page 0x8000 is not usable RAM");
}

TEST(plan, too_many_iopms_for_low_memory)
{
	struct boot_config cfg = config("iopms=4 iopm_mem=16M");
	struct memmap mm;
	char err[ERR_LEN];

	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, 0x40000, MEM_USABLE); /* 192 KiB at 0x10000 */
	add(&mm, 0x100000, 0x20000000, MEM_USABLE);
	finish(&mm);
	EXPECT_EQ(plan_with(&mm, &cfg, NULL, 0, err), -ENOSPC);
	EXPECT_STREQ(err, "iopms=4: too many IOPMs for low memory: 192 KiB at "
			  "0x10000-0x40000 gives 48 KiB each, need 64 KiB");
	cfg = config("iopms=3 iopm_mem=16M");
	EXPECT_EQ(plan_with(&mm, &cfg, NULL, 0, err), 0);
	EXPECT_EQ(plan.iopm_low[2].base, 0x30000);
}

TEST(plan, no_low_ram_at_0x10000)
{
	struct boot_config cfg = config("");
	struct memmap mm;

	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, 0x9000, MEM_USABLE);
	add(&mm, 0x100000, 0x20000000, MEM_USABLE);
	finish(&mm);
	expect_error(&mm, &cfg, NULL, 0, -ENOSPC, "iopms (default 1): no usable RAM at 0x10000");
	cfg = config("iopms=0");
	expect_error(&mm, &cfg, NULL, 0, 0, "");
}

TEST(plan, low_range_clipped_at_vga_hole)
{
	struct boot_config cfg = config("iopms=2");
	struct memmap mm;
	char err[ERR_LEN];

	/* a BIOS that reports RAM right up to 1 MiB */
	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, 0x20000000, MEM_USABLE);
	finish(&mm);
	EXPECT_EQ(plan_with(&mm, &cfg, NULL, 0, err), 0);
	EXPECT_EQ(plan.iopm_low[0].size, (0xa0000 - 0x10000) / 2);
	EXPECT_EQ(zend(&plan.iopm_low[1]), 0xa0000);
}

TEST(plan, module_in_low_memory)
{
	static const struct zone in_slices[] = {{0x20000, 0x1000}};
	static const struct zone on_trampoline[] = {{0x7800, 0x1000}};
	static const struct zone below_slices[] = {{0x1000, 0x1000}};
	struct boot_config cfg = config("");
	struct memmap mm;
	char err[ERR_LEN];

	map_qemu(&mm, 512 * MiB);
	expect_error(&mm, &cfg, in_slices, 1, -EINVAL,
		     "boot module at 0x20000-0x21000 overlaps the IOPM low-memory slices");
	expect_error(&mm, &cfg, on_trampoline, 1, -EINVAL, "overlaps the AP trampoline page");
	EXPECT_EQ(plan_with(&mm, &cfg, below_slices, 1, err), 0);
	EXPECT_EQ(plan_partitions(&mm, &cfg, 0x8000, 0x9000, NULL, 0, &plan, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "VMM image at 0x8000-0x9000 overlaps");
}

TEST(plan, bad_modules_and_image)
{
	static struct zone many[PLAN_MAX_RANGES + 1];
	static const struct zone wrap[] = {{0xfffffffffffff000ULL, 0x2000}};
	struct boot_config cfg = config("");
	struct memmap mm;
	char err[ERR_LEN];
	size_t i;

	map_qemu(&mm, 512 * MiB);
	for (i = 0; i < N(many); i++)
		many[i] = (struct zone){0x2000000 + i * 0x10000, 0x1000};
	expect_error(&mm, &cfg, many, N(many), -EINVAL, "too many boot modules (33, maximum 32)");
	EXPECT_EQ(plan_with(&mm, &cfg, many, PLAN_MAX_RANGES, err), 0);
	expect_error(&mm, &cfg, wrap, 1, -EINVAL,
		     "boot module 0 at 0xfffffffffffff000 size 0x2000 is invalid");
	expect_error(&mm, &cfg, NULL, 1, -EINVAL, "too many boot modules");
	EXPECT_EQ(plan_partitions(&mm, &cfg, 0x200000, 0x200000, NULL, 0, &plan, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "VMM image range 0x200000-0x200000 is invalid");
	EXPECT_EQ(plan_partitions(&mm, &cfg, 0x200000, 0x100000, NULL, 0, &plan, err, sizeof(err)), -EINVAL);
}

TEST(plan, bad_config_refused)
{
	struct boot_config cfg;
	struct memmap mm;

	map_qemu(&mm, 512 * MiB);
	cmdline_defaults(&cfg);
	cfg.iopms = CONFIG_MAX_IOPMS + 1;
	expect_error(&mm, &cfg, NULL, 0, -EINVAL, "too many IOPMs (maximum 8)");
	cmdline_defaults(&cfg);
	cfg.vmm_mem = 0x1800;
	expect_error(&mm, &cfg, NULL, 0, -EINVAL, "vmm_mem (default 6K): must be a non-zero multiple of 4K");
	cmdline_defaults(&cfg);
	cfg.iopm_mem = 0;
	expect_error(&mm, &cfg, NULL, 0, -EINVAL, "must be a non-zero multiple of 2M");
	cmdline_defaults(&cfg);
	cfg.shared_mem = UINT64_MAX & ~0xfffULL;
	expect_error(&mm, &cfg, NULL, 0, -EINVAL, "shared_mem");
}

TEST(plan, err_buffer_optional)
{
	struct boot_config cfg = config("vmm_mem=1G");
	struct memmap mm;

	map_qemu(&mm, 256 * MiB);
	EXPECT_EQ(plan_partitions(&mm, &cfg, IMAGE_BASE, IMAGE_END, NULL, 0, &plan, NULL, 0), -ENOSPC);
	EXPECT_EQ(plan_partitions(&mm, &cfg, IMAGE_BASE, IMAGE_END, NULL, 0, &plan, NULL, 99), -ENOSPC);
}

/* ---- CPUs ---- */

TEST(plan, check_cpus)
{
	struct boot_config cfg = config("iopms=3");
	char err[ERR_LEN];

	EXPECT_EQ(plan_check_cpus(&cfg, 2, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "iopms=3: needs 4 CPUs (1 VMM + 3 IOPM) but the machine has 2");
	EXPECT_EQ(plan_check_cpus(&cfg, 4, err, sizeof(err)), 0);
	EXPECT_STREQ(err, "");
	EXPECT_EQ(plan_check_cpus(&cfg, 64, err, sizeof(err)), 0);
	cfg = config("");
	EXPECT_EQ(plan_check_cpus(&cfg, 1, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "iopms (default 1): needs 2 CPUs (1 VMM + 1 IOPM) but the machine has 1");
	cfg = config("iopms=0");
	EXPECT_EQ(plan_check_cpus(&cfg, 1, err, sizeof(err)), 0);
	EXPECT_EQ(plan_check_cpus(&cfg, 0, err, sizeof(err)), -EINVAL);
	cfg = config("iopms=8");
	EXPECT_EQ(plan_check_cpus(&cfg, 8, NULL, 0), -EINVAL);
	EXPECT_EQ(plan_check_cpus(&cfg, 9, NULL, 0), 0);
}

TEST(plan, is_guest_ram)
{
	struct partition_plan p;

	memset(&p, 0, sizeof(p));
	p.guest_ranges = 2;
	p.guest[0] = (struct zone){0x1000000, 0x1000000};
	p.guest[1] = (struct zone){0x4000000, 0x1000};
	EXPECT_TRUE(plan_is_guest_ram(&p, 0x1000000, 0x1000000));
	EXPECT_TRUE(plan_is_guest_ram(&p, 0x1fff000, 0x1000));
	EXPECT_FALSE(plan_is_guest_ram(&p, 0x1fff000, 0x1001));
	EXPECT_FALSE(plan_is_guest_ram(&p, 0xfff000, 0x2000));
	EXPECT_FALSE(plan_is_guest_ram(&p, 0x1000000, 0));
	EXPECT_FALSE(plan_is_guest_ram(&p, 0x1800000, 0x3000000)); /* spans the gap */
	EXPECT_TRUE(plan_is_guest_ram(&p, 0x4000fff, 1));
	EXPECT_FALSE(plan_is_guest_ram(&p, UINT64_MAX, 2));
}

/* ---- random maps ---- */

TEST(plan, random_maps)
{
	static const char *const lines[] = {
	    "",
	    "iopms=0",
	    "iopms=2 iopm_mem=16M",
	    "iopms=8 iopm_mem=16M vmm_mem=2M",
	    "shared_mem=256K vmm_mem=2M iopm_mem=32M",
	    "iopm_mem=64M iopms=3",
	};
	unsigned int seed = 99;
	int iter, ok = 0;

	for (iter = 0; iter < 3000; iter++) {
		struct boot_config cfg = config(lines[(size_t)rand_r(&seed) % N(lines)]);
		struct zone mods[6];
		struct memmap mm;
		uint32_t nmods = (uint32_t)rand_r(&seed) % N(mods), i;
		int n = 1 + rand_r(&seed) % 20, k;
		char err[ERR_LEN];

		memset(&mm, 0, sizeof(mm));
		add(&mm, 0, 0x9fc00, MEM_USABLE);
		for (k = 0; k < n; k++) {
			uint64_t b = (uint64_t)rand_r(&seed) % (6 * GiB / 0x1000) * 0x1000 +
				     (uint64_t)(rand_r(&seed) % 3) * 0x123;
			uint64_t s = (uint64_t)rand_r(&seed) % (256 * MiB);
			uint32_t t = rand_r(&seed) % 2 ? MEM_USABLE : MEM_RESERVED;

			EXPECT_EQ(memmap_add(&mm, b, s, t), 0);
		}
		EXPECT_SLT(memmap_normalize(&mm), 1);
		for (i = 0; i < nmods; i++) {
			mods[i].base = 0x100000 + (uint64_t)rand_r(&seed) % (2 * GiB);
			mods[i].size = (uint64_t)rand_r(&seed) % (64 * MiB);
			/* keep modules apart from each other and the image */
			mods[i].base = 0x200000 + i * 1 * GiB + mods[i].base % (256 * MiB);
		}
		test_context("iteration %d", iter);
		if (!plan_with(&mm, &cfg, mods, nmods, err))
			ok++;
	}
	/* the generator must exercise both outcomes */
	EXPECT_GT(ok, 300);
	EXPECT_LT(ok, 2900);
}
