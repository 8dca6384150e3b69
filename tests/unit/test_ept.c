/* SPDX-License-Identifier: GPL-2.0-only */
/* test_ept.c: the EPT builder (vmm/platform/ept.c) with a host-side table allocator:
 * page sizes chosen, translations, permissions, refusals, table accounting. */
#include <stdlib.h>

#include "test.h"

#include "vmm/platform/ept.h"
#include "vmm/lib/errno.h"

#define FAKE_TABLES 64
#define FAKE_BASE   0x10000000ULL /* fake physical addresses of the tables */

struct fake {
	uint64_t *page[FAKE_TABLES];
	bool used[FAKE_TABLES];
	unsigned allocs, frees, limit;
};

static uint64_t fake_alloc(void *ctx)
{
	struct fake *f = ctx;
	if (f->allocs - f->frees >= f->limit)
		return 0;
	for (unsigned i = 0; i < FAKE_TABLES; i++) {
		if (f->used[i])
			continue;
		if (!f->page[i])
			f->page[i] = aligned_alloc(4096, 4096);
		memset(f->page[i], 0, 4096);
		f->used[i] = true;
		f->allocs++;
		return FAKE_BASE + (uint64_t)i * 4096;
	}
	return 0;
}

static void fake_free(void *ctx, uint64_t pa)
{
	struct fake *f = ctx;
	unsigned i = (unsigned)((pa - FAKE_BASE) / 4096);
	if (i >= FAKE_TABLES || !f->used[i])
		test_fail(__FILE__, __LINE__, "free of a table that is not allocated: 0x%llx",
			  (unsigned long long)pa);
	f->used[i] = false;
	f->frees++;
}

static void *fake_ptr(void *ctx, uint64_t pa)
{
	struct fake *f = ctx;
	unsigned i = (unsigned)((pa - FAKE_BASE) / 4096);
	if (i >= FAKE_TABLES || !f->used[i])
		test_fail(__FILE__, __LINE__, "access to a table that is not allocated: 0x%llx",
			  (unsigned long long)pa);
	return f->page[i];
}

static struct fake fk;
static struct ept e;

static void setup(unsigned limit)
{
	for (unsigned i = 0; i < FAKE_TABLES; i++)
		free(fk.page[i]);
	memset(&fk, 0, sizeof(fk));
	fk.limit = limit;
	struct ept_ops ops = {fake_alloc, fake_free, fake_ptr, &fk};
	EXPECT_EQ(ept_init(&e, &ops), 0);
}

TEST(ept, aligned_ram_uses_2m_pages)
{
	setup(FAKE_TABLES);
	EXPECT_EQ(ept_map(&e, 0, 0x40000000, 16ULL << 20, EPT_RWX, MEMTYPE_WB), 0);
	EXPECT_EQ(e.pages_2m, 8);
	EXPECT_EQ(e.pages_4k, 0);
	EXPECT_EQ(e.tables, 3); /* PML4, PDPT, PD */
	uint64_t hpa, perms;
	EXPECT_TRUE(ept_lookup(&e, 0x123456, &hpa, &perms));
	EXPECT_EQ(hpa, 0x40123456);
	EXPECT_EQ(perms, EPT_RWX);
	EXPECT_TRUE(ept_lookup(&e, (16ULL << 20) - 1, &hpa, NULL));
	EXPECT_EQ(hpa, 0x40000000 + (16ULL << 20) - 1);
	EXPECT_FALSE(ept_lookup(&e, 16ULL << 20, &hpa, NULL));
	EXPECT_FALSE(ept_lookup(&e, 0xfee00000, &hpa, NULL));
	/* leaf entry format: WB memory type, ignore PAT, large page */
	uint64_t *pml4 = fake_ptr(&fk, e.root);
	uint64_t *pdpt = fake_ptr(&fk, pml4[0] & EPT_ADDR_MASK);
	uint64_t *pd = fake_ptr(&fk, pdpt[0] & EPT_ADDR_MASK);
	EXPECT_EQ(pd[1], 0x40200000 | EPT_RWX | (MEMTYPE_WB << EPT_MT_SHIFT) | EPT_IGNORE_PAT | EPT_LARGE);
	EXPECT_EQ(pml4[0] & EPT_RWX, EPT_RWX);
	EXPECT_EQ(pml4[1], 0);
	EXPECT_EQ(ept_eptp(&e), e.root | 0x1e);
}

TEST(ept, misaligned_host_address_uses_4k_pages)
{
	setup(FAKE_TABLES);
	/* GPA 2 MiB aligned but HPA only 4 KiB aligned: no large pages */
	EXPECT_EQ(ept_map(&e, 0x200000, 0x40001000, 0x200000, EPT_RWX, MEMTYPE_WB), 0);
	EXPECT_EQ(e.pages_2m, 0);
	EXPECT_EQ(e.pages_4k, 512);
	uint64_t hpa;
	EXPECT_TRUE(ept_lookup(&e, 0x3fffff, &hpa, NULL));
	EXPECT_EQ(hpa, 0x40200fff); /* 0x40001000 + (0x3fffff - 0x200000) */
}

TEST(ept, mixed_head_large_tail)
{
	setup(FAKE_TABLES);
	/* 1 MiB .. 5 MiB: 4K pages up to 2 MiB, one 2M page, then 4K pages */
	EXPECT_EQ(ept_map(&e, 0x100000, 0x80100000, 0x400000, EPT_R | EPT_W, MEMTYPE_WB), 0);
	EXPECT_EQ(e.pages_4k, 256 + 256);
	EXPECT_EQ(e.pages_2m, 1);
	uint64_t hpa, perms;
	EXPECT_TRUE(ept_lookup(&e, 0x4fffff, &hpa, &perms));
	EXPECT_EQ(hpa, 0x804fffff);
	EXPECT_EQ(perms, EPT_R | EPT_W);
	EXPECT_FALSE(ept_lookup(&e, 0xff000, NULL, NULL));
}

TEST(ept, refusals)
{
	setup(FAKE_TABLES);
	EXPECT_EQ(ept_map(&e, 0x1001, 0, 0x1000, EPT_RWX, MEMTYPE_WB), -EINVAL);
	EXPECT_EQ(ept_map(&e, 0, 0x1001, 0x1000, EPT_RWX, MEMTYPE_WB), -EINVAL);
	EXPECT_EQ(ept_map(&e, 0, 0, 0, EPT_RWX, MEMTYPE_WB), -EINVAL);
	EXPECT_EQ(ept_map(&e, 0, 0, 0x1000, EPT_W, MEMTYPE_WB), -EINVAL); /* W without R: misconfig */
	EXPECT_EQ(ept_map(&e, 0, 0, 0x1000, EPT_RWX | 8, MEMTYPE_WB), -EINVAL);
	EXPECT_EQ(ept_map(&e, 0, 0, 0x1000, EPT_RWX, 7), -EINVAL);
	EXPECT_EQ(ept_map(&e, EPT_MAX_GPA - 0x1000, 0, 0x2000, EPT_RWX, MEMTYPE_WB), -EINVAL);
	EXPECT_EQ(ept_map(&e, ~0xfffULL, 0, 0x2000, EPT_RWX, MEMTYPE_WB), -EINVAL); /* wraps */
	EXPECT_EQ(e.tables, 1);
	EXPECT_EQ(ept_map(&e, 0, 0x40000000, 0x400000, EPT_RWX, MEMTYPE_WB), 0);
	/* overlaps: with a large page, with its middle, and partly */
	EXPECT_EQ(ept_map(&e, 0x1ff000, 0x90000000, 0x1000, EPT_RWX, MEMTYPE_WB), -EEXIST);
	EXPECT_EQ(ept_map(&e, 0x3ff000, 0x90000000, 0x2000, EPT_RWX, MEMTYPE_WB), -EEXIST);
	uint64_t hpa;
	EXPECT_TRUE(ept_lookup(&e, 0x3ff000, &hpa, NULL));
	EXPECT_EQ(hpa, 0x403ff000);
	EXPECT_FALSE(ept_lookup(&e, 0x400000, NULL, NULL)); /* the refused map changed nothing */
}

TEST(ept, out_of_tables)
{
	setup(2); /* PML4 + PDPT only: the PD cannot be allocated */
	EXPECT_EQ(ept_map(&e, 0, 0x40000000, 0x200000, EPT_RWX, MEMTYPE_WB), -ENOMEM);
	ept_destroy(&e);
	EXPECT_EQ(fk.allocs, fk.frees);
}

TEST(ept, destroy_frees_every_table)
{
	setup(FAKE_TABLES);
	EXPECT_EQ(ept_map(&e, 0, 0x40000000, 0x600000, EPT_RWX, MEMTYPE_WB), 0);
	EXPECT_EQ(ept_map(&e, 0xfee00000, 0x50000000, 0x1000, EPT_R, MEMTYPE_UC), 0);
	EXPECT_EQ(ept_map(&e, 1ULL << 40, 0x60000000, 0x1000, EPT_RWX, MEMTYPE_WB), 0);
	EXPECT_EQ(e.tables, fk.allocs);
	uint64_t hpa, perms;
	EXPECT_TRUE(ept_lookup(&e, 0xfee00010, &hpa, &perms));
	EXPECT_EQ(hpa, 0x50000010);
	EXPECT_EQ(perms, EPT_R);
	ept_destroy(&e);
	EXPECT_EQ(fk.frees, fk.allocs);
	EXPECT_EQ(e.tables, 0);
	EXPECT_EQ(e.root, 0);
}
