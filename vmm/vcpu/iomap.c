/* SPDX-License-Identifier: GPL-2.0-only */
/* iomap.c: a VM's device range map (vmm/vcpu/iomap.h). */
#include "vmm/vcpu/iomap.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define PORT_LAST 0xffffU

void iomap_init(struct iomap *m)
{
	memset(m, 0, sizeof(*m));
}

static bool well_formed(const struct iomap_range *r)
{
	if (r->first > r->last || (r->space != COOP_IOREQ_PIO && r->space != COOP_IOREQ_MMIO))
		return false;
	if (r->space == COOP_IOREQ_PIO && r->last > PORT_LAST)
		return false;
	unsigned handlers = (r->pio != NULL) + (r->mmio != NULL) + (r->defer != NULL);
	if (r->server == IOMAP_IOPM)
		return handlers == 0;
	if (r->server != IOMAP_VMM || handlers != 1)
		return false;
	if (r->pio && r->space != COOP_IOREQ_PIO)
		return false;
	return !(r->mmio && r->space != COOP_IOREQ_MMIO);
}

int iomap_add(struct iomap *m, const struct iomap_range *r)
{
	if (!well_formed(r))
		return -EINVAL;
	struct iomap_range *t = m->r[r->space];
	unsigned *n = &m->n[r->space];
	for (unsigned i = 0; i < *n; i++)
		if (r->first <= t[i].last && t[i].first <= r->last)
			return -EEXIST;
	if (*n == IOMAP_MAX_RANGES)
		return -ENOSPC;
	t[(*n)++] = *r;
	return 0;
}

bool iomap_contains(const struct iomap_range *r, uint64_t addr, uint64_t len)
{
	return len && addr >= r->first && addr <= r->last && len - 1 <= r->last - addr;
}

bool iomap_overlaps(const struct iomap *m, uint8_t space, uint64_t addr, uint64_t len)
{
	if (space > COOP_IOREQ_MMIO || !len)
		return false;
	const struct iomap_range *t = m->r[space];
	uint64_t last = addr + len - 1;
	for (unsigned i = 0; i < m->n[space]; i++)
		if (addr <= t[i].last && t[i].first <= last)
			return true;
	return false;
}
