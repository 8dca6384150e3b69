/* SPDX-License-Identifier: GPL-2.0-only */
/* test_palloc.c: unit tests of the physical page allocator (vmm/platform/palloc.c)
 * over fake physical ranges: init checks, alloc/free patterns, alignment,
 * exhaustion, double free, reserve/release, several ranges, and a randomized
 * run against a per-page shadow model (nothing handed out twice, and no
 * failure while a fitting run is free). */
#include <stdlib.h>

#include "test.h"
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"
#include "vmm/platform/palloc.h"

#define N(a)	     (sizeof(a) / sizeof((a)[0]))
#define BITMAP_WORDS 65536 /* enough for 16 GiB of pages */

static uint64_t bitmap[BITMAP_WORDS];

static void init_ok(struct palloc *pa, const struct zone *z, uint32_t n)
{
	size_t bytes = palloc_bitmap_bytes(z, n);

	EXPECT_LE(bytes, sizeof(bitmap));
	EXPECT_EQ(palloc_init(pa, "test", z, n, bitmap, bytes), 0);
}

TEST(palloc, bitmap_bytes)
{
	static const struct zone one = {0x100000, 64 * PAGE_SIZE};
	static const struct zone odd = {0x100000, 65 * PAGE_SIZE};
	static const struct zone two[] = {{0x100000, PAGE_SIZE}, {0x200000, PAGE_SIZE}};

	EXPECT_EQ(palloc_bitmap_bytes(&one, 1), 8);
	EXPECT_EQ(palloc_bitmap_bytes(&odd, 1), 16);
	EXPECT_EQ(palloc_bitmap_bytes(two, 2), 16);
	EXPECT_EQ(palloc_bitmap_bytes(NULL, 0), 0);
}

TEST(palloc, init_rejects)
{
	static const struct {
		const char *what;
		struct zone z[2];
		uint32_t n;
	} cases[] = {
	    {"misaligned base", {{0x100800, 0x1000}}, 1},
	    {"misaligned size", {{0x100000, 0x1800}}, 1},
	    {"empty range", {{0x100000, 0}}, 1},
	    {"address 0", {{0, 0x10000}}, 1},
	    {"beyond the physical limit", {{MEMMAP_PHYS_LIMIT - 0x1000, 0x2000}}, 1},
	    {"wraps", {{0xfffffffffffff000ULL, 0x2000}}, 1},
	    {"overlap", {{0x100000, 0x10000}, {0x10f000, 0x10000}}, 2},
	    {"same range twice", {{0x100000, 0x10000}, {0x100000, 0x10000}}, 2},
	    {"overlap, unsorted", {{0x200000, 0x10000}, {0x100000, 0x100001000}}, 2},
	};
	struct palloc pa;
	size_t i;

	for (i = 0; i < N(cases); i++) {
		test_context("%s", cases[i].what);
		EXPECT_EQ(palloc_init(&pa, "t", cases[i].z, cases[i].n, bitmap, sizeof(bitmap)), -EINVAL);
	}
}

TEST(palloc, init_rejects_bitmap_and_count)
{
	static struct zone many[PALLOC_MAX_RANGES + 1];
	static const struct zone z = {0x100000, 0x100000};
	struct palloc pa;
	size_t need = palloc_bitmap_bytes(&z, 1);
	uint32_t i;

	EXPECT_EQ(palloc_init(&pa, "t", &z, 1, bitmap, need - 1), -EINVAL);
	EXPECT_EQ(palloc_init(&pa, "t", &z, 1, NULL, need), -EINVAL);
	EXPECT_EQ(palloc_init(&pa, "t", &z, 1, (char *)bitmap + 4, need), -EINVAL);
	EXPECT_EQ(palloc_init(&pa, "t", NULL, 1, bitmap, need), -EINVAL);
	for (i = 0; i < N(many); i++)
		many[i] = (struct zone){0x100000 + i * 0x10000ULL, 0x1000};
	EXPECT_EQ(palloc_init(&pa, "t", many, N(many), bitmap, sizeof(bitmap)), -EINVAL);
	EXPECT_EQ(palloc_init(&pa, "t", many, PALLOC_MAX_RANGES, bitmap, sizeof(bitmap)), 0);
	EXPECT_EQ(palloc_total_pages(&pa), PALLOC_MAX_RANGES);
}

TEST(palloc, empty_allocator)
{
	struct palloc pa;

	EXPECT_EQ(palloc_init(&pa, "empty", NULL, 0, NULL, 0), 0);
	EXPECT_EQ(palloc_total_pages(&pa), 0);
	EXPECT_EQ(palloc_free_pages(&pa), 0);
	EXPECT_EQ(palloc_alloc(&pa, 1, PAGE_SIZE), 0);
	EXPECT_EQ(palloc_free(&pa, 0x100000, 1), -EINVAL);
	EXPECT_EQ(palloc_reserve(&pa, 0x100000, 1), -EINVAL);
}

TEST(palloc, alloc_until_exhausted)
{
	static const struct zone z = {0x100000, 65 * PAGE_SIZE}; /* odd tail */
	struct palloc pa;
	uint64_t i, a;

	init_ok(&pa, &z, 1);
	EXPECT_EQ(palloc_total_pages(&pa), 65);
	for (i = 0; i < 65; i++) {
		a = palloc_alloc(&pa, 1, PAGE_SIZE);
		EXPECT_EQ(a, 0x100000 + i * PAGE_SIZE);
		EXPECT_EQ(palloc_free_pages(&pa), 64 - i);
	}
	EXPECT_EQ(palloc_alloc(&pa, 1, PAGE_SIZE), 0);
	EXPECT_EQ(palloc_free(&pa, 0x100000 + 64 * PAGE_SIZE, 1), 0);
	EXPECT_EQ(palloc_alloc(&pa, 1, PAGE_SIZE), 0x100000 + 64 * PAGE_SIZE);
	EXPECT_EQ(palloc_alloc(&pa, 1, PAGE_SIZE), 0);
}

TEST(palloc, contiguous_runs_and_next_fit)
{
	static const struct zone z = {0x100000, 16 * PAGE_SIZE};
	struct palloc pa;
	uint64_t a, b, c;

	init_ok(&pa, &z, 1);
	a = palloc_alloc(&pa, 4, PAGE_SIZE);
	b = palloc_alloc(&pa, 4, PAGE_SIZE);
	c = palloc_alloc(&pa, 8, PAGE_SIZE);
	EXPECT_EQ(a, 0x100000);
	EXPECT_EQ(b, 0x104000);
	EXPECT_EQ(c, 0x108000);
	EXPECT_EQ(palloc_alloc(&pa, 1, PAGE_SIZE), 0);
	EXPECT_EQ(palloc_free(&pa, b, 4), 0);
	/* a run of 5 does not fit in the 4-page hole */
	EXPECT_EQ(palloc_alloc(&pa, 5, PAGE_SIZE), 0);
	EXPECT_EQ(palloc_free(&pa, a, 4), 0);
	/* now 8 free pages at a..b+4: the search wraps round to find them */
	EXPECT_EQ(palloc_alloc(&pa, 8, PAGE_SIZE), a);
	EXPECT_EQ(palloc_free_pages(&pa), 0);
}

TEST(palloc, alignment)
{
	static const struct zone z = {0x101000, 0x800000}; /* base not 2 MiB aligned */
	struct palloc pa;
	uint64_t a, b, c;

	init_ok(&pa, &z, 1);
	a = palloc_alloc(&pa, 1, LARGE_PAGE_SIZE);
	EXPECT_EQ(a, 0x200000);
	b = palloc_alloc(&pa, 512, LARGE_PAGE_SIZE);
	EXPECT_EQ(b, 0x400000);
	EXPECT_EQ(palloc_alloc(&pa, 512, LARGE_PAGE_SIZE), 0x600000);
	/* 0x800000 is aligned but the range ends at 0x901000 */
	EXPECT_EQ(palloc_alloc(&pa, 512, LARGE_PAGE_SIZE), 0);
	EXPECT_EQ(palloc_alloc(&pa, 256, LARGE_PAGE_SIZE), 0x800000);
	EXPECT_EQ(palloc_alloc(&pa, 1, LARGE_PAGE_SIZE), 0);
	c = palloc_alloc(&pa, 3, 0x4000);
	EXPECT_EQ(c % 0x4000, 0);
	EXPECT_TRUE(c >= 0x101000 && c + 3 * PAGE_SIZE <= 0x901000);
	EXPECT_NE(palloc_alloc(&pa, 1, PAGE_SIZE), 0);
}

TEST(palloc, bad_arguments)
{
	static const struct zone z = {0x100000, 0x100000};
	struct palloc pa;

	init_ok(&pa, &z, 1);
	EXPECT_EQ(palloc_alloc(&pa, 0, PAGE_SIZE), 0);
	EXPECT_EQ(palloc_alloc(&pa, 1, 0), 0);
	EXPECT_EQ(palloc_alloc(&pa, 1, 2048), 0);
	EXPECT_EQ(palloc_alloc(&pa, 1, 3 * PAGE_SIZE), 0);
	EXPECT_EQ(palloc_alloc(&pa, 1, 1ULL << 63), 0);
	EXPECT_EQ(palloc_alloc(&pa, UINT64_MAX, PAGE_SIZE), 0);
	EXPECT_EQ(palloc_alloc(&pa, 257, PAGE_SIZE), 0);
	EXPECT_EQ(palloc_free_pages(&pa), 256);
	EXPECT_EQ(palloc_alloc(&pa, 256, PAGE_SIZE), 0x100000);
}

TEST(palloc, free_errors_change_nothing)
{
	static const struct zone z = {0x100000, 0x10000};
	struct palloc pa;
	uint64_t a;

	init_ok(&pa, &z, 1);
	a = palloc_alloc(&pa, 4, PAGE_SIZE);
	EXPECT_EQ(palloc_free(&pa, a + 0x800, 1), -EINVAL);	    /* misaligned */
	EXPECT_EQ(palloc_free(&pa, 0x200000, 1), -EINVAL);	    /* outside */
	EXPECT_EQ(palloc_free(&pa, 0xff000, 2), -EINVAL);	    /* straddles start */
	EXPECT_EQ(palloc_free(&pa, 0, 1), -EINVAL);		    /* address 0 */
	EXPECT_EQ(palloc_free(&pa, a, 0), -EINVAL);		    /* no pages */
	EXPECT_EQ(palloc_free(&pa, a, UINT64_MAX), -EINVAL);	    /* overflow */
	EXPECT_EQ(palloc_free(&pa, a, 5), -EINVAL);		    /* 5th page free */
	EXPECT_EQ(palloc_free(&pa, a + 4 * PAGE_SIZE, 1), -EINVAL); /* never allocated */
	EXPECT_EQ(palloc_free_pages(&pa), 12);
	EXPECT_EQ(palloc_free(&pa, a, 4), 0);
	EXPECT_EQ(palloc_free(&pa, a, 4), -EINVAL); /* double free */
	EXPECT_EQ(palloc_free(&pa, a + PAGE_SIZE, 1), -EINVAL);
	EXPECT_EQ(palloc_free_pages(&pa), 16);
}

TEST(palloc, partial_double_free_frees_nothing)
{
	static const struct zone z = {0x100000, 0x10000};
	struct palloc pa;
	uint64_t a, b;

	init_ok(&pa, &z, 1);
	a = palloc_alloc(&pa, 2, PAGE_SIZE);
	b = palloc_alloc(&pa, 2, PAGE_SIZE);
	EXPECT_EQ(b, a + 2 * PAGE_SIZE);
	EXPECT_EQ(palloc_free(&pa, a, 2), 0);
	/* a..a+4 is half free: refused, b stays allocated */
	EXPECT_EQ(palloc_free(&pa, a, 4), -EINVAL);
	EXPECT_EQ(palloc_free_pages(&pa), 14);
	EXPECT_EQ(palloc_free(&pa, b, 2), 0);
	EXPECT_EQ(palloc_free_pages(&pa), 16);
}

TEST(palloc, reserve_and_release)
{
	static const struct zone z = {0x100000, 0x10000};
	struct palloc pa;
	uint64_t i, a;

	init_ok(&pa, &z, 1);
	/* unaligned: rounded out to pages 0x100000..0x102000 */
	EXPECT_EQ(palloc_reserve(&pa, 0x100800, 0x1000), 0);
	EXPECT_EQ(palloc_free_pages(&pa), 14);
	EXPECT_EQ(palloc_reserve(&pa, 0x101000, 1), -EBUSY);
	EXPECT_EQ(palloc_reserve(&pa, 0x10f000, 0x2000), -EINVAL); /* runs past the end */
	EXPECT_EQ(palloc_reserve(&pa, 0x100000, 0), -EINVAL);
	EXPECT_EQ(palloc_reserve(&pa, UINT64_MAX - 10, 100), -EINVAL);
	EXPECT_EQ(palloc_free_pages(&pa), 14);
	for (i = 0; i < 14; i++) {
		a = palloc_alloc(&pa, 1, PAGE_SIZE);
		EXPECT_GE(a, 0x102000);
	}
	EXPECT_EQ(palloc_alloc(&pa, 1, PAGE_SIZE), 0);
	EXPECT_EQ(palloc_release(&pa, 0x100000, 0x2000), 0);
	EXPECT_EQ(palloc_release(&pa, 0x100000, 0x1000), -EINVAL); /* already free */
	EXPECT_EQ(palloc_release(&pa, 0x200000, 0x1000), -EINVAL); /* outside */
	EXPECT_EQ(palloc_free_pages(&pa), 2);
	EXPECT_EQ(palloc_alloc(&pa, 2, PAGE_SIZE), 0x100000);
}

TEST(palloc, reserve_busy_changes_nothing)
{
	static const struct zone z = {0x100000, 0x10000};
	struct palloc pa;
	uint64_t a;

	init_ok(&pa, &z, 1);
	a = palloc_alloc(&pa, 1, PAGE_SIZE);
	EXPECT_EQ(a, 0x100000);
	EXPECT_EQ(palloc_reserve(&pa, 0x100000, 0x4000), -EBUSY);
	EXPECT_EQ(palloc_free_pages(&pa), 15);
	EXPECT_EQ(palloc_reserve(&pa, 0x101000, 0x3000), 0);
	EXPECT_EQ(palloc_free_pages(&pa), 12);
}

TEST(palloc, multiple_ranges)
{
	static const struct zone z[] = {
	    {0x40000000, 4 * PAGE_SIZE}, /* given unsorted */
	    {0x100000, 2 * PAGE_SIZE},
	    {0x102000, 2 * PAGE_SIZE}, /* adjacent to the previous one */
	    {0x200000, 8 * PAGE_SIZE},
	};
	struct palloc pa;
	uint64_t a;

	init_ok(&pa, z, N(z));
	EXPECT_EQ(palloc_total_pages(&pa), 16);
	/* a run never crosses from one range into the next */
	EXPECT_EQ(palloc_alloc(&pa, 3, PAGE_SIZE), 0x200000);
	EXPECT_EQ(palloc_alloc(&pa, 5, PAGE_SIZE), 0x203000);
	EXPECT_EQ(palloc_alloc(&pa, 4, PAGE_SIZE), 0x40000000);
	EXPECT_EQ(palloc_alloc(&pa, 3, PAGE_SIZE), 0);
	EXPECT_EQ(palloc_alloc(&pa, 2, PAGE_SIZE), 0x100000);
	EXPECT_EQ(palloc_alloc(&pa, 2, PAGE_SIZE), 0x102000);
	EXPECT_EQ(palloc_free_pages(&pa), 0);
	/* reserve and free spanning the two adjacent ranges */
	EXPECT_EQ(palloc_free(&pa, 0x101000, 2), 0);
	EXPECT_EQ(palloc_reserve(&pa, 0x101000, 0x2000), 0);
	EXPECT_EQ(palloc_release(&pa, 0x101000, 0x2000), 0);
	a = palloc_alloc(&pa, 1, PAGE_SIZE);
	EXPECT_TRUE(a == 0x101000 || a == 0x102000);
}

TEST(palloc, large_range)
{
	static const struct zone z = {4 * GiB, 4 * GiB};
	struct palloc pa;
	uint64_t i, a;

	init_ok(&pa, &z, 1);
	EXPECT_EQ(palloc_total_pages(&pa), 1ULL << 20);
	for (i = 0; i < 2048; i++) {
		a = palloc_alloc(&pa, 512, LARGE_PAGE_SIZE);
		EXPECT_EQ(a, 4 * GiB + i * LARGE_PAGE_SIZE);
	}
	EXPECT_EQ(palloc_free_pages(&pa), 0);
	EXPECT_EQ(palloc_free(&pa, 6 * GiB, 1), 0);
	EXPECT_EQ(palloc_alloc(&pa, 1, PAGE_SIZE), 6 * GiB);
}

/* Randomized run against a shadow model of every page. */
#define SHADOW_PAGES 4096
#define LIVE_MAX     256

struct live {
	uint64_t addr, npages;
	bool reserved;
};

struct shadow {
	struct zone z[6];
	uint32_t n;
	uint8_t used[SHADOW_PAGES]; /* pages of all ranges, in z[] order */
};

/* Index of addr's page in the shadow, or -1. */
static long shadow_index(const struct shadow *s, uint64_t addr)
{
	long base = 0;
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		if (addr >= s->z[i].base && addr < s->z[i].base + s->z[i].size)
			return base + (long)((addr - s->z[i].base) / PAGE_SIZE);
		base += (long)(s->z[i].size / PAGE_SIZE);
	}
	return -1;
}

/* Is there a free aligned run of npages inside one range? */
static bool shadow_fits(const struct shadow *s, uint64_t npages, uint64_t align)
{
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		uint64_t a = ALIGN_UP(s->z[i].base, align);

		for (; a + npages * PAGE_SIZE <= s->z[i].base + s->z[i].size; a += align) {
			long first = shadow_index(s, a);
			uint64_t k;

			for (k = 0; k < npages && !s->used[first + (long)k]; k++)
				;
			if (k == npages)
				return true;
		}
	}
	return false;
}

TEST(palloc, random_shadow_model)
{
	static struct live live[LIVE_MAX];
	unsigned int seed = 4242;
	int round;

	for (round = 0; round < 20; round++) {
		struct shadow s;
		struct palloc pa;
		uint64_t next = 0x100000 + (uint64_t)(rand_r(&seed) % 16) * PAGE_SIZE;
		uint64_t total = 0, used = 0;
		uint32_t nlive = 0, i;
		int op;

		memset(&s, 0, sizeof(s));
		s.n = 1 + (uint32_t)rand_r(&seed) % N(s.z);
		for (i = 0; i < s.n; i++) {
			uint64_t pages = 1 + (uint64_t)rand_r(&seed) % (SHADOW_PAGES / N(s.z));

			s.z[i].base = next;
			s.z[i].size = pages * PAGE_SIZE;
			total += pages;
			next += s.z[i].size + (uint64_t)(rand_r(&seed) % 3) * 0x10000;
		}
		init_ok(&pa, s.z, s.n);
		EXPECT_EQ(palloc_total_pages(&pa), total);
		for (op = 0; op < 3000; op++) {
			int kind = rand_r(&seed) % 10;

			test_context("round %d op %d", round, op);
			if (kind < 5 && nlive < LIVE_MAX) {
				/* allocate */
				uint64_t np = 1 + (uint64_t)rand_r(&seed) % 24;
				uint64_t align = PAGE_SIZE << (rand_r(&seed) % 6);
				bool fits = shadow_fits(&s, np, align);
				uint64_t a = palloc_alloc(&pa, np, align), k;

				EXPECT_EQ(a != 0, fits);
				if (!a)
					continue;
				EXPECT_EQ(a % align, 0);
				for (k = 0; k < np; k++) {
					long idx = shadow_index(&s, a + k * PAGE_SIZE);

					EXPECT_TRUE(idx >= 0);
					EXPECT_FALSE(s.used[idx]); /* never handed out twice */
					s.used[idx] = 1;
				}
				/* the run lies in one range */
				EXPECT_EQ(shadow_index(&s, a + (np - 1) * PAGE_SIZE) - shadow_index(&s, a),
					  (long)np - 1);
				live[nlive++] = (struct live){a, np, false};
				used += np;
			} else if (kind < 6 && nlive < LIVE_MAX) {
				/* reserve a random span: succeeds iff all free */
				uint64_t a =
				    s.z[0].base + (uint64_t)(rand_r(&seed) % (int)(next - s.z[0].base));
				uint64_t np = 1 + (uint64_t)rand_r(&seed) % 4, k;
				bool inside = true, allfree = true;
				int ret;

				a = ALIGN_DOWN(a, PAGE_SIZE);
				for (k = 0; k < np; k++) {
					long idx = shadow_index(&s, a + k * PAGE_SIZE);

					if (idx < 0)
						inside = false;
					else if (s.used[idx])
						allfree = false;
				}
				ret = palloc_reserve(&pa, a, np * PAGE_SIZE);
				EXPECT_EQ(ret, !inside ? -EINVAL : !allfree ? -EBUSY : 0);
				if (ret)
					continue;
				for (k = 0; k < np; k++)
					s.used[shadow_index(&s, a + k * PAGE_SIZE)] = 1;
				live[nlive++] = (struct live){a, np, true};
				used += np;
			} else if (kind < 9 && nlive) {
				/* free or release one, sometimes try a double free */
				uint32_t j = (uint32_t)rand_r(&seed) % nlive;
				struct live l = live[j];
				uint64_t k;

				if (l.reserved)
					EXPECT_EQ(palloc_release(&pa, l.addr, l.npages * PAGE_SIZE), 0);
				else
					EXPECT_EQ(palloc_free(&pa, l.addr, l.npages), 0);
				for (k = 0; k < l.npages; k++)
					s.used[shadow_index(&s, l.addr + k * PAGE_SIZE)] = 0;
				live[j] = live[--nlive];
				used -= l.npages;
				if (rand_r(&seed) % 4 == 0)
					EXPECT_EQ(palloc_free(&pa, l.addr, l.npages), -EINVAL);
			}
			EXPECT_EQ(palloc_free_pages(&pa), total - used);
		}
		/* free everything: all pages come back */
		while (nlive) {
			struct live l = live[--nlive];

			if (l.reserved)
				EXPECT_EQ(palloc_release(&pa, l.addr, l.npages * PAGE_SIZE), 0);
			else
				EXPECT_EQ(palloc_free(&pa, l.addr, l.npages), 0);
		}
		EXPECT_EQ(palloc_free_pages(&pa), total);
		memset(s.used, 0, sizeof(s.used));
		/* every range is whole again: fill them, largest first */
		while (palloc_free_pages(&pa)) {
			uint64_t biggest = 0;

			for (i = 0; i < s.n; i++)
				if (!s.used[shadow_index(&s, s.z[i].base)])
					biggest = MAX(biggest, s.z[i].size);
			for (i = 0; i < s.n; i++)
				if (!s.used[shadow_index(&s, s.z[i].base)] && s.z[i].size == biggest)
					break;
			EXPECT_EQ(palloc_alloc(&pa, biggest / PAGE_SIZE, PAGE_SIZE) != 0, true);
			s.used[shadow_index(&s, s.z[i].base)] = 1;
		}
	}
}
