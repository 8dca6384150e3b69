/* SPDX-License-Identifier: GPL-2.0-only */
/* palloc.h: physical page allocator, a bitmap (one bit per 4 KiB page, set
 * = in use) over one or more physical ranges. It never touches the memory it
 * manages; the caller provides the bitmap storage and does the locking. */
#ifndef VMM_PALLOC_H
#define VMM_PALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/platform/memmap.h"

#define PALLOC_MAX_RANGES 40
#define PALLOC_WORD_BITS  64 /* bits per bitmap word */

struct palloc_range {
	uint64_t base; /* physical, page-aligned */
	uint64_t pages;
	uint64_t first_word; /* this range's first bitmap word */
};

struct palloc {
	const char *name; /* for log messages */
	uint32_t nranges; /* sorted by base */
	struct palloc_range range[PALLOC_MAX_RANGES];
	uint64_t *bitmap;
	uint64_t total_pages, free_pages;
	uint32_t hint_range; /* next-fit: where the next search starts */
	uint64_t hint_page;
};

/* Bitmap storage palloc_init() needs for these ranges, in bytes. */
size_t palloc_bitmap_bytes(const struct zone *ranges, uint32_t n);

/* Manage n ranges, all pages free. Ranges must be page-aligned, non-empty,
 * non-overlapping, above address 0 and below MEMMAP_PHYS_LIMIT; bitmap must
 * be 8-byte aligned and at least palloc_bitmap_bytes() long. n may be 0.
 * Returns 0 or -EINVAL. */
int palloc_init(struct palloc *pa, const char *name, const struct zone *ranges, uint32_t n, void *bitmap,
		size_t bitmap_bytes);

/* Mark the pages touching [base, base + size) in use (module pages, the
 * bitmap itself). -EINVAL if any page is outside the ranges, -EBUSY if any is
 * already in use; nothing is changed then. */
int palloc_reserve(struct palloc *pa, uint64_t base, uint64_t size);

/* Give back pages marked by palloc_reserve(). -EINVAL if any page is outside
 * the ranges or free; nothing is changed then. */
int palloc_release(struct palloc *pa, uint64_t base, uint64_t size);

/* Allocate npages contiguous pages whose physical address is a multiple of
 * align (a power of two >= PAGE_SIZE). Returns the address, or 0 when no
 * such run is free or the arguments are invalid (0 is never managed). */
uint64_t palloc_alloc(struct palloc *pa, uint64_t npages, uint64_t align);

/* Free pages from palloc_alloc(). -EINVAL for a misaligned address, a page
 * outside the ranges or a page not in use (double free); nothing is freed
 * then. */
int palloc_free(struct palloc *pa, uint64_t addr, uint64_t npages);

uint64_t palloc_free_pages(const struct palloc *pa);
uint64_t palloc_total_pages(const struct palloc *pa);

#endif
