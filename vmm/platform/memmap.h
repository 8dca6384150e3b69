/* SPDX-License-Identifier: GPL-2.0-only */
/* memmap.h: the physical memory map, built from the Multiboot2 memory map
 * tag (Multiboot2 spec 3.6.8; types as in ACPI's E820 "address range types")
 * and normalized into sorted, disjoint, merged ranges. */
#ifndef VMM_MEMMAP_H
#define VMM_MEMMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/paging.h" /* PHYS_ADDR_BITS_MAX */

/* Multiboot2 memory types. Any other value is treated as MEM_RESERVED. */
enum {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIM = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

#define MEMMAP_MAX 128
/* Highest physical address + 1 on x86-64 (MAXPHYADDR <= 52, SDM Vol. 3A
 * 4.1.4). Entries are clipped here, so base + size never wraps. */
#define MEMMAP_PHYS_LIMIT (1ULL << PHYS_ADDR_BITS_MAX)

/* A physical address range [base, base + size), used by the planner and the
 * page allocator. */
struct zone {
	uint64_t base, size;
};

struct mem_range {
	uint64_t base, size;
	uint32_t type;
};

struct memmap {
	uint32_t count;
	struct mem_range r[MEMMAP_MAX];
};

/* Add one raw entry as the firmware gave it. Zero-size entries and entries
 * at or above MEMMAP_PHYS_LIMIT are ignored; entries running past it (or
 * wrapping past 2^64) are clipped; unknown types become MEM_RESERVED. When
 * the map is full it is normalized to make room; if still full, usable RAM
 * is dropped (never a non-usable range) and -ENOSPC is returned. */
int memmap_add(struct memmap *m, uint64_t base, uint64_t size, uint32_t type);

/* Sort, clip, split overlaps (the most restrictive type wins: bad > reserved
 * > ACPI NVS > ACPI reclaimable > usable) and merge adjacent ranges of the
 * same type. Returns 0, or -ENOSPC when the result needed more than
 * MEMMAP_MAX ranges and usable RAM was dropped to fit (the map is still
 * normalized and safe). */
int memmap_normalize(struct memmap *m);

/* Bytes of MEM_USABLE RAM in a normalized map. */
uint64_t memmap_usable_bytes(const struct memmap *m);

/* True when [base, base + size) lies entirely inside one usable range of a
 * normalized map (size > 0). */
bool memmap_is_usable(const struct memmap *m, uint64_t base, uint64_t size);

/* True when the map is sorted, disjoint, clipped, of known types, with
 * adjacent same-type ranges merged: what memmap_normalize produces. */
bool memmap_is_normalized(const struct memmap *m);

/* Short name of a type for logs: "usable", "reserved", "ACPI", "ACPI NVS",
 * "bad". */
const char *memmap_type_name(uint32_t type);

#endif
