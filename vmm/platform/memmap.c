/* SPDX-License-Identifier: GPL-2.0-only */
/* memmap.c: normalization of the firmware memory map (Multiboot2 spec 3.6.8,
 * E820 semantics as in the ACPI spec "System Address Map Interfaces"). The
 * map comes from firmware and is never trusted: entries may be unsorted,
 * overlapping, empty or wrap past 2^64. */
#include "vmm/platform/memmap.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

/* Rank of a type when ranges overlap: the higher rank wins. */
static unsigned int type_rank(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return 0;
	case MEM_ACPI_RECLAIM:
		return 1;
	case MEM_ACPI_NVS:
		return 2;
	case MEM_RESERVED:
		return 3;
	case MEM_BAD:
		return 4;
	default:
		return 3; /* unknown: reserved */
	}
}

static uint32_t known_type(uint32_t type)
{
	return type >= MEM_USABLE && type <= MEM_BAD ? type : MEM_RESERVED;
}

static uint64_t range_end(const struct mem_range *r)
{
	return r->base + r->size;
}

/* Clip an entry to [0, MEMMAP_PHYS_LIMIT); false when nothing is left. */
static bool sanitize(struct mem_range *r)
{
	r->type = known_type(r->type);
	if (!r->size || r->base >= MEMMAP_PHYS_LIMIT)
		return false;
	if (r->size > MEMMAP_PHYS_LIMIT - r->base)
		r->size = MEMMAP_PHYS_LIMIT - r->base;
	return true;
}

static void remove_at(struct mem_range *r, uint32_t *n, uint32_t i)
{
	memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(r[0]));
	(*n)--;
}

/* Free one slot in a sorted, disjoint list without ever making non-usable
 * memory usable: drop the smallest usable range, or, with none, merge the
 * two closest neighbours into one range of the more restrictive type (the
 * gap between them was not RAM anyway). Needs *n >= 2. */
static void make_room(struct mem_range *r, uint32_t *n)
{
	uint32_t i, pick = *n;
	uint64_t best = UINT64_MAX;

	for (i = 0; i < *n; i++) {
		if (r[i].type == MEM_USABLE && r[i].size < best) {
			best = r[i].size;
			pick = i;
		}
	}
	if (pick < *n) {
		remove_at(r, n, pick);
		return;
	}
	pick = 0;
	for (i = 0; i + 1 < *n; i++) {
		if (r[i + 1].base - range_end(&r[i]) < best) {
			best = r[i + 1].base - range_end(&r[i]);
			pick = i;
		}
	}
	if (type_rank(r[pick + 1].type) > type_rank(r[pick].type))
		r[pick].type = r[pick + 1].type;
	r[pick].size = range_end(&r[pick + 1]) - r[pick].base;
	remove_at(r, n, pick + 1);
}

/* Append [base, end) of type to a sorted output list, merging with the last
 * range when adjacent and of the same type. Returns true if RAM was lost. */
static bool emit(struct mem_range *out, uint32_t *n, uint64_t base, uint64_t end, uint32_t type)
{
	bool lost = false;

	for (;;) {
		if (*n && range_end(&out[*n - 1]) == base && out[*n - 1].type == type) {
			out[*n - 1].size += end - base;
			return lost;
		}
		if (*n < MEMMAP_MAX)
			break;
		make_room(out, n);
		lost = true;
	}
	out[*n].base = base;
	out[*n].size = end - base;
	out[*n].type = type;
	(*n)++;
	return lost;
}

/* Merge adjacent ranges of the same type (make_room() can create them). */
static void merge_adjacent(struct mem_range *r, uint32_t *n)
{
	uint32_t i = 1;

	while (i < *n) {
		if (range_end(&r[i - 1]) == r[i].base && r[i - 1].type == r[i].type) {
			r[i - 1].size += r[i].size;
			remove_at(r, n, i);
		} else {
			i++;
		}
	}
}

/* Uses a MEMMAP_MAX-entry output list on the stack (3 KiB). */
int memmap_normalize(struct memmap *m)
{
	struct mem_range out[MEMMAP_MAX];
	uint32_t i, n = 0, in = 0;
	uint64_t p = MEMMAP_PHYS_LIMIT;
	bool lost = false;

	if (m->count > MEMMAP_MAX)
		m->count = MEMMAP_MAX;
	for (i = 0; i < m->count; i++) {
		struct mem_range r = m->r[i];

		if (sanitize(&r))
			m->r[in++] = r;
	}
	for (i = 0; i < in; i++)
		p = MIN(p, m->r[i].base);
	/* Sweep the elementary intervals between consecutive boundaries. */
	while (p < MEMMAP_PHYS_LIMIT) {
		uint64_t next = MEMMAP_PHYS_LIMIT;
		bool covered = false;
		uint32_t type = MEM_USABLE;

		for (i = 0; i < in; i++) {
			const struct mem_range *r = &m->r[i];

			if (r->base <= p && p < range_end(r)) {
				if (!covered || type_rank(r->type) > type_rank(type))
					type = r->type;
				covered = true;
				next = MIN(next, range_end(r));
			} else if (r->base > p) {
				next = MIN(next, r->base);
			}
		}
		if (covered)
			lost |= emit(out, &n, p, next, type);
		p = next;
	}
	merge_adjacent(out, &n);
	for (i = 0; i < n; i++)
		m->r[i] = out[i];
	m->count = n;
	return lost ? -ENOSPC : 0;
}

int memmap_add(struct memmap *m, uint64_t base, uint64_t size, uint32_t type)
{
	struct mem_range r = {base, size, type};
	int ret = 0;

	if (!sanitize(&r))
		return 0;
	if (m->count >= MEMMAP_MAX) {
		ret = memmap_normalize(m);
		if (m->count >= MEMMAP_MAX) {
			if (r.type == MEM_USABLE)
				return -ENOSPC;
			make_room(m->r, &m->count);
			ret = -ENOSPC;
		}
	}
	m->r[m->count++] = r;
	return ret;
}

uint64_t memmap_usable_bytes(const struct memmap *m)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < m->count && i < MEMMAP_MAX; i++)
		if (m->r[i].type == MEM_USABLE)
			sum += m->r[i].size;
	return sum;
}

bool memmap_is_usable(const struct memmap *m, uint64_t base, uint64_t size)
{
	uint32_t i;

	if (!size || size > MEMMAP_PHYS_LIMIT || base > MEMMAP_PHYS_LIMIT - size)
		return false;
	for (i = 0; i < m->count && i < MEMMAP_MAX; i++) {
		const struct mem_range *r = &m->r[i];

		if (r->type == MEM_USABLE && r->base <= base && base + size <= range_end(r))
			return true;
	}
	return false;
}

bool memmap_is_normalized(const struct memmap *m)
{
	uint32_t i;

	if (m->count > MEMMAP_MAX)
		return false;
	for (i = 0; i < m->count; i++) {
		const struct mem_range *r = &m->r[i];

		if (!r->size || r->base >= MEMMAP_PHYS_LIMIT || r->size > MEMMAP_PHYS_LIMIT - r->base ||
		    known_type(r->type) != r->type)
			return false;
		if (i && (range_end(&m->r[i - 1]) > r->base ||
			  (range_end(&m->r[i - 1]) == r->base && m->r[i - 1].type == r->type)))
			return false;
	}
	return true;
}

const char *memmap_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_RESERVED:
		return "reserved";
	case MEM_ACPI_RECLAIM:
		return "ACPI";
	case MEM_ACPI_NVS:
		return "ACPI NVS";
	case MEM_BAD:
		return "bad";
	default:
		return "unknown";
	}
}
