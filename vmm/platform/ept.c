/* SPDX-License-Identifier: GPL-2.0-only */
/* ept.c: 4-level EPT construction and lookup (Intel SDM Vol. 3C 29.3.2
 * "EPT Translation Mechanism", 29.3.7 "EPT and Memory Typing"). Leaves are
 * 2 MiB (PDE with bit 7) or 4 KiB (PTE); non-leaf entries allow RWX so the
 * leaf decides. Only the caller's ranges are ever present. */
#include "vmm/platform/ept.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define LEVEL_SHIFT(level)	(PAGE_SHIFT + PT_INDEX_BITS * (level)) /* level 0 = PT ... 3 = PML4 */
#define LEVEL_INDEX(gpa, level) (((gpa) >> LEVEL_SHIFT(level)) & (PT_ENTRIES - 1))
#define PRESENT(e)		(((e)&EPT_RWX) != 0)

static uint64_t *tbl(const struct ept *e, uint64_t pa)
{
	return e->ops.table_ptr(e->ops.ctx, pa);
}

int ept_init(struct ept *e, const struct ept_ops *ops)
{
	memset(e, 0, sizeof(*e));
	e->ops = *ops;
	e->root = ops->alloc_table(ops->ctx);
	if (!e->root)
		return -ENOMEM;
	e->tables = 1;
	return 0;
}

/* The entry for gpa at `level`, creating tables above it; NULL if a large
 * page is in the way or memory ran out (*err says which). */
static uint64_t *walk_create(struct ept *e, uint64_t gpa, int level, int *err)
{
	uint64_t *t = tbl(e, e->root);
	for (int l = EPT_LEVELS - 1; l > level; l--) {
		uint64_t *ent = &t[LEVEL_INDEX(gpa, l)];
		if (!PRESENT(*ent)) {
			uint64_t pa = e->ops.alloc_table(e->ops.ctx);
			if (!pa) {
				*err = -ENOMEM;
				return NULL;
			}
			e->tables++;
			*ent = pa | EPT_RWX;
		} else if (*ent & EPT_LARGE) {
			*err = -EEXIST;
			return NULL;
		}
		t = tbl(e, *ent & EPT_ADDR_MASK);
	}
	return &t[LEVEL_INDEX(gpa, level)];
}

/* Is anything mapped in [gpa, gpa+size)? */
static bool range_used(const struct ept *e, uint64_t gpa, uint64_t size)
{
	for (uint64_t a = gpa; a < gpa + size;) {
		const uint64_t *t = tbl(e, e->root);
		int l;
		for (l = EPT_LEVELS - 1; l >= 0; l--) {
			uint64_t ent = t[LEVEL_INDEX(a, l)];
			if (!PRESENT(ent))
				break;
			if (l == 0 || (ent & EPT_LARGE))
				return true;
			t = tbl(e, ent & EPT_ADDR_MASK);
		}
		/* Skip the whole unmapped region at level l. */
		uint64_t span = 1ULL << LEVEL_SHIFT(l < 0 ? 0 : l);
		a = ALIGN_DOWN(a, span) + span;
	}
	return false;
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t perms, uint64_t mt)
{
	if (!size || !IS_ALIGNED(gpa | hpa | size, PAGE_SIZE) || gpa + size > EPT_MAX_GPA ||
	    gpa + size < gpa || (perms & ~EPT_RWX) || !(perms & EPT_R) || mt > MEMTYPE_WB)
		return -EINVAL;
	if (range_used(e, gpa, size))
		return -EEXIST;
	uint64_t leaf = perms | (mt << EPT_MT_SHIFT) | EPT_IGNORE_PAT;
	for (uint64_t off = 0; off < size;) {
		uint64_t g = gpa + off, h = hpa + off;
		bool large = IS_ALIGNED(g | h, LARGE_PAGE_SIZE) && size - off >= LARGE_PAGE_SIZE;
		int err = 0;
		uint64_t *ent = walk_create(e, g, large ? 1 : 0, &err);
		if (!ent)
			return err; /* only -ENOMEM here: range_used() excluded overlaps */
		*ent = h | leaf | (large ? EPT_LARGE : 0);
		if (large) {
			e->pages_2m++;
			off += LARGE_PAGE_SIZE;
		} else {
			e->pages_4k++;
			off += PAGE_SIZE;
		}
	}
	return 0;
}

bool ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *perms)
{
	if (gpa >= EPT_MAX_GPA)
		return false;
	const uint64_t *t = tbl(e, e->root);
	for (int l = EPT_LEVELS - 1; l >= 0; l--) {
		uint64_t ent = t[LEVEL_INDEX(gpa, l)];
		if (!PRESENT(ent))
			return false;
		if (l == 0 || (ent & EPT_LARGE)) {
			uint64_t off = gpa & ((1ULL << LEVEL_SHIFT(l)) - 1);
			if (hpa)
				*hpa = (ent & EPT_ADDR_MASK & ~((1ULL << LEVEL_SHIFT(l)) - 1)) + off;
			if (perms)
				*perms = ent & EPT_RWX;
			return true;
		}
		t = tbl(e, ent & EPT_ADDR_MASK);
	}
	return false;
}

static void free_level(struct ept *e, uint64_t pa, int level)
{
	uint64_t *t = tbl(e, pa);
	if (level > 0)
		for (int i = 0; i < PT_ENTRIES; i++)
			if (PRESENT(t[i]) && !(t[i] & EPT_LARGE))
				free_level(e, t[i] & EPT_ADDR_MASK, level - 1);
	e->ops.free_table(e->ops.ctx, pa);
	e->tables--;
}

void ept_destroy(struct ept *e)
{
	if (e->root)
		free_level(e, e->root, EPT_LEVELS - 1);
	e->root = 0;
}

uint64_t ept_eptp(const struct ept *e)
{
	return e->root | EPTP_WALK4 | MEMTYPE_WB; /* memory type in bits 2:0 */
}
