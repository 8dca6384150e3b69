/* SPDX-License-Identifier: GPL-2.0-only */
/* palloc.c: bitmap page allocator over physical ranges with a next-fit
 * search. Bitmap words hold 64 pages; each range starts on a word boundary
 * and the bits past its last page are kept set so they are never handed out.
 * The managed memory is never dereferenced (host-testable with fake ranges). */
#include "vmm/platform/palloc.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define WORD_SHIFT 6 /* log2(PALLOC_WORD_BITS) */
#define WORD_MASK  (PALLOC_WORD_BITS - 1)
#define ALL_ONES   (~0ULL)

static uint64_t words_for(uint64_t pages)
{
	return (pages + WORD_MASK) >> WORD_SHIFT;
}

static uint64_t range_end(const struct palloc_range *r)
{
	return r->base + (r->pages << PAGE_SHIFT);
}

static uint64_t first_bit(const struct palloc_range *r)
{
	return r->first_word << WORD_SHIFT;
}

/* First bit in [from, limit) equal to want_set, or limit. */
static uint64_t find_bit(const struct palloc *pa, uint64_t from, uint64_t limit, bool want_set)
{
	while (from < limit) {
		uint64_t w = pa->bitmap[from >> WORD_SHIFT];

		if (!want_set)
			w = ~w;
		w &= ALL_ONES << (from & WORD_MASK);
		if (w) {
			uint64_t b = (from & ~(uint64_t)WORD_MASK) + (uint64_t)__builtin_ctzll(w);
			return MIN(b, limit);
		}
		from = (from & ~(uint64_t)WORD_MASK) + PALLOC_WORD_BITS;
	}
	return limit;
}

/* Set or clear bits [from, from + n). */
static void write_bits(struct palloc *pa, uint64_t from, uint64_t n, bool set)
{
	while (n) {
		uint64_t bit = from & WORD_MASK;
		uint64_t cnt = MIN(n, PALLOC_WORD_BITS - bit);
		uint64_t mask = (cnt == PALLOC_WORD_BITS ? ALL_ONES : ((1ULL << cnt) - 1)) << bit;

		if (set)
			pa->bitmap[from >> WORD_SHIFT] |= mask;
		else
			pa->bitmap[from >> WORD_SHIFT] &= ~mask;
		from += cnt;
		n -= cnt;
	}
}

static bool zone_valid(const struct zone *z)
{
	return z->base && z->size && IS_ALIGNED(z->base, PAGE_SIZE) && IS_ALIGNED(z->size, PAGE_SIZE) &&
	       z->base < MEMMAP_PHYS_LIMIT && z->size <= MEMMAP_PHYS_LIMIT - z->base;
}

size_t palloc_bitmap_bytes(const struct zone *ranges, uint32_t n)
{
	uint64_t words = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		words += words_for(ranges[i].size >> PAGE_SHIFT);
	return (size_t)(words * sizeof(uint64_t));
}

int palloc_init(struct palloc *pa, const char *name, const struct zone *ranges, uint32_t n, void *bitmap,
		size_t bitmap_bytes)
{
	uint64_t words = 0;
	uint32_t i, j;

	memset(pa, 0, sizeof(*pa));
	pa->name = name;
	if (n > PALLOC_MAX_RANGES || (n && !ranges))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct palloc_range r;

		if (!zone_valid(&ranges[i]))
			return -EINVAL;
		r.base = ranges[i].base;
		r.pages = ranges[i].size >> PAGE_SHIFT;
		r.first_word = 0;
		/* insertion sort by base */
		for (j = i; j > 0 && pa->range[j - 1].base > r.base; j--)
			pa->range[j] = pa->range[j - 1];
		pa->range[j] = r;
	}
	for (i = 0; i < n; i++) {
		if (i && range_end(&pa->range[i - 1]) > pa->range[i].base)
			return -EINVAL;
		pa->range[i].first_word = words;
		words += words_for(pa->range[i].pages);
		pa->total_pages += pa->range[i].pages;
	}
	if (words && (!bitmap || bitmap_bytes < words * sizeof(uint64_t) ||
		      !IS_ALIGNED((uintptr_t)bitmap, sizeof(uint64_t))))
		return -EINVAL;
	pa->nranges = n;
	pa->bitmap = bitmap;
	pa->free_pages = pa->total_pages;
	if (words)
		memset(bitmap, 0, words * sizeof(uint64_t));
	for (i = 0; i < n; i++) {
		const struct palloc_range *r = &pa->range[i];
		uint64_t tail = words_for(r->pages) * PALLOC_WORD_BITS - r->pages;

		write_bits(pa, first_bit(r) + r->pages, tail, true);
	}
	return 0;
}

static const struct palloc_range *find_range(const struct palloc *pa, uint64_t addr)
{
	uint32_t i;

	for (i = 0; i < pa->nranges; i++)
		if (addr >= pa->range[i].base && addr < range_end(&pa->range[i]))
			return &pa->range[i];
	return NULL;
}

enum span_op { SPAN_ALL_FREE, SPAN_ALL_USED, SPAN_SET, SPAN_CLEAR };

/* Apply op to the pages of [base, end) (page-aligned). Returns -EINVAL if a
 * page is outside every range (checked first), 1 if a SPAN_ALL_* condition
 * fails, else 0. */
static int span(struct palloc *pa, uint64_t base, uint64_t end, enum span_op op)
{
	bool failed = false;

	while (base < end) {
		const struct palloc_range *r = find_range(pa, base);
		uint64_t chunk_end, from, n;

		if (!r)
			return -EINVAL;
		chunk_end = MIN(end, range_end(r));
		from = first_bit(r) + ((base - r->base) >> PAGE_SHIFT);
		n = (chunk_end - base) >> PAGE_SHIFT;
		switch (op) {
		case SPAN_ALL_FREE:
			failed |= find_bit(pa, from, from + n, true) != from + n;
			break;
		case SPAN_ALL_USED:
			failed |= find_bit(pa, from, from + n, false) != from + n;
			break;
		case SPAN_SET:
		case SPAN_CLEAR:
			write_bits(pa, from, n, op == SPAN_SET);
			break;
		}
		base = chunk_end;
	}
	return failed ? 1 : 0;
}

/* Page-round [base, base + size) outwards; false if empty or wrapping. */
static bool round_out(uint64_t base, uint64_t size, uint64_t *start, uint64_t *end)
{
	if (!size || base > UINT64_MAX - size || base + size > UINT64_MAX - (PAGE_SIZE - 1))
		return false;
	*start = ALIGN_DOWN(base, PAGE_SIZE);
	*end = ALIGN_UP(base + size, PAGE_SIZE);
	return true;
}

int palloc_reserve(struct palloc *pa, uint64_t base, uint64_t size)
{
	uint64_t start, end;
	int ret;

	if (!round_out(base, size, &start, &end))
		return -EINVAL;
	ret = span(pa, start, end, SPAN_ALL_FREE);
	if (ret)
		return ret < 0 ? ret : -EBUSY;
	span(pa, start, end, SPAN_SET);
	pa->free_pages -= (end - start) >> PAGE_SHIFT;
	return 0;
}

int palloc_release(struct palloc *pa, uint64_t base, uint64_t size)
{
	uint64_t start, end;

	if (!round_out(base, size, &start, &end))
		return -EINVAL;
	if (span(pa, start, end, SPAN_ALL_USED))
		return -EINVAL;
	span(pa, start, end, SPAN_CLEAR);
	pa->free_pages += (end - start) >> PAGE_SHIFT;
	return 0;
}

int palloc_free(struct palloc *pa, uint64_t addr, uint64_t npages)
{
	uint64_t end;

	if (!npages || !IS_ALIGNED(addr, PAGE_SIZE) || npages > (UINT64_MAX >> PAGE_SHIFT) ||
	    addr > UINT64_MAX - (npages << PAGE_SHIFT))
		return -EINVAL;
	end = addr + (npages << PAGE_SHIFT);
	if (span(pa, addr, end, SPAN_ALL_USED))
		return -EINVAL;
	span(pa, addr, end, SPAN_CLEAR);
	pa->free_pages += npages;
	return 0;
}

/* First page index >= from in range r whose address is align-aligned. */
static uint64_t aligned_page(const struct palloc_range *r, uint64_t from, uint64_t align)
{
	uint64_t addr = r->base + (from << PAGE_SHIFT);

	return (ALIGN_UP(addr, align) - r->base) >> PAGE_SHIFT;
}

/* Search range ri from page index from; returns the page index or
 * UINT64_MAX. */
static uint64_t search_range(const struct palloc *pa, uint32_t ri, uint64_t from, uint64_t npages,
			     uint64_t align)
{
	const struct palloc_range *r = &pa->range[ri];
	uint64_t fb = first_bit(r);

	if (npages > r->pages)
		return UINT64_MAX;
	while (from <= r->pages - npages) {
		uint64_t i, used;

		i = find_bit(pa, fb + from, fb + r->pages, false) - fb;
		if (i >= r->pages)
			break;
		i = aligned_page(r, i, align);
		if (i > r->pages - npages)
			break;
		used = find_bit(pa, fb + i, fb + i + npages, true) - fb;
		if (used == i + npages)
			return i;
		from = used + 1;
	}
	return UINT64_MAX;
}

uint64_t palloc_alloc(struct palloc *pa, uint64_t npages, uint64_t align)
{
	uint32_t k, ri = 0;
	uint64_t i = UINT64_MAX;

	if (!npages || npages > pa->free_pages || align < PAGE_SIZE || (align & (align - 1)) ||
	    align > MEMMAP_PHYS_LIMIT)
		return 0;
	/* Next fit: from the hint to the end of the ranges, wrapping round to
	 * the hint range's start. */
	for (k = 0; k <= pa->nranges && i == UINT64_MAX; k++) {
		ri = (pa->hint_range + k) % pa->nranges;
		i = search_range(pa, ri, k == 0 ? pa->hint_page : 0, npages, align);
	}
	if (i == UINT64_MAX)
		return 0;
	write_bits(pa, first_bit(&pa->range[ri]) + i, npages, true);
	pa->free_pages -= npages;
	pa->hint_range = ri;
	pa->hint_page = i + npages;
	return pa->range[ri].base + (i << PAGE_SHIFT);
}

uint64_t palloc_free_pages(const struct palloc *pa)
{
	return pa->free_pages;
}

uint64_t palloc_total_pages(const struct palloc *pa)
{
	return pa->total_pages;
}
