/* SPDX-License-Identifier: GPL-2.0-only */
/* hot.h: the most frequent keys of a stream in fixed space -- which I/O
 * ports and MMIO pages a guest's exits go to (`vmctl stats`). The
 * space-saving algorithm (Metwally, Agrawal, El Abbadi, 2005): HOT_SLOTS
 * counters; a key in the table counts up; a new key takes a free slot, or
 * the slot of the smallest count, starting from that count plus one. So a
 * count is exact for a key that has been in the table since its first
 * occurrence, and otherwise over-estimates by at most `err` (the count it
 * inherited); every key occurring more than total / HOT_SLOTS times is in
 * the table. The caller serializes the calls on a table; a reader on
 * another CPU may see a slot mid-update (the figures are information,
 * never a decision). Pure C (host-tested in tests/unit/test_hot.c). */
#ifndef VMM_HOT_H
#define VMM_HOT_H

#include <stdint.h>

#define HOT_SLOTS 8

struct hot {
	uint64_t key[HOT_SLOTS];
	uint64_t count[HOT_SLOTS]; /* 0: a free slot */
	uint64_t err[HOT_SLOTS];   /* of count, what the key inherited */
};

void hot_add(struct hot *h, uint64_t key);
/* The (at most) n most counted keys, most counted first (equal counts:
 * smaller key first); how many. count[i] - err[i] is a lower bound of
 * key i's occurrences, count[i] an upper one. */
unsigned hot_top(const struct hot *h, unsigned n, uint64_t *keys, uint64_t *counts, uint64_t *errs);

#endif
