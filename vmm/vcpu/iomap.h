/* SPDX-License-Identifier: GPL-2.0-only */
/* iomap.h: a VM's device range map (docs/architecture.md "The request
 * path"): which port and MMIO ranges have a device, and who serves each --
 * a device model in the VMM (called at once, or completing later from
 * another CPU) or an IOPM (by number; the channel carries the request).
 * Each VM has its own map, filled when the VM is made. Pure data: no VM
 * state, host-testable. */
#ifndef VMM_IOMAP_H
#define VMM_IOMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/coopvmm_ioreq.h"

#define IOMAP_MAX_RANGES 32

struct vcpu;
struct vm;

enum iomap_server {
	IOMAP_VMM,  /* a device model in the VMM */
	IOMAP_IOPM, /* an IOPM's device model, through the channel */
};

/* A VMM device model that answers at once (under the VM's lock): port
 * accesses of 1, 2 or 4 bytes, MMIO of 1, 2, 4 or 8. 0, or a negative
 * errno for an access the device refuses (reads all ones, writes dropped). */
typedef int (*iomap_pio_fn)(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val);
typedef int (*iomap_mmio_fn)(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val);
/* A VMM device model that completes later: it takes the request (a copy of
 * the vCPU's; it keeps what it needs) and returns 0 once it has promised a
 * completion through ioreq_complete(), from any CPU; a negative errno
 * refuses it at once (reads all ones, writes dropped). Called with the
 * VM's lock held: it must only queue. */
typedef int (*iomap_defer_fn)(struct vm *vm, const struct coop_ioreq *req);

struct iomap_range {
	const char *name;
	uint8_t space;	      /* COOP_IOREQ_PIO / COOP_IOREQ_MMIO */
	uint64_t first, last; /* inclusive */
	enum iomap_server server;
	uint32_t iopm;	  /* IOPM number, when server == IOMAP_IOPM */
	bool posted;	  /* (an IOPM's) a single write may be posted: it completes once sent */
	bool bytewise;	  /* (answering at once) a multi-byte access goes byte by byte */
	iomap_pio_fn pio; /* VMM, answering at once: exactly one of pio/mmio/defer */
	iomap_mmio_fn mmio;
	iomap_defer_fn defer; /* VMM, completing later */
};

/* The ranges of each space (COOP_IOREQ_PIO, COOP_IOREQ_MMIO) apart: a
 * lookup scans only its own. */
struct iomap {
	struct iomap_range r[2][IOMAP_MAX_RANGES];
	unsigned n[2];
};

void iomap_init(struct iomap *m);
/* Add a range: -EINVAL for a malformed one (first > last, a port beyond
 * 0xffff, no handler for a VMM range, a handler for an IOPM range),
 * -EEXIST when it overlaps a range of the same space, -ENOSPC when that
 * space has IOMAP_MAX_RANGES. */
int iomap_add(struct iomap *m, const struct iomap_range *r);
/* The range holding addr in space, or NULL (inline: every device access
 * looks its address up). */
static inline const struct iomap_range *iomap_find(const struct iomap *m, uint8_t space, uint64_t addr)
{
	if (space > COOP_IOREQ_MMIO)
		return NULL;
	const struct iomap_range *t = m->r[space];
	for (unsigned i = 0; i < m->n[space]; i++)
		if (addr >= t[i].first && addr <= t[i].last)
			return &t[i];
	return NULL;
}
/* Does any range of space overlap [addr, addr + len)? */
bool iomap_overlaps(const struct iomap *m, uint8_t space, uint64_t addr, uint64_t len);
/* Does [addr, addr + len) lie inside r? */
bool iomap_contains(const struct iomap_range *r, uint64_t addr, uint64_t len);

#endif
