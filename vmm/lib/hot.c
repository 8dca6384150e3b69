/* SPDX-License-Identifier: GPL-2.0-only */
/* hot.c: the most frequent keys of a stream in fixed space (hot.h). */
#include "vmm/lib/hot.h"

#include <stdbool.h>

void hot_add(struct hot *h, uint64_t key)
{
	unsigned min = 0;

	for (unsigned i = 0; i < HOT_SLOTS; i++) {
		if (h->count[i] && h->key[i] == key) {
			h->count[i]++;
			return;
		}
		if (h->count[i] < h->count[min])
			min = i;
	}
	/* Not in the table: a free slot (count 0 is the smallest), or the
	 * least counted key's, which the new key inherits. */
	h->err[min] = h->count[min];
	h->key[min] = key;
	h->count[min]++;
}

static bool before(const struct hot *h, unsigned a, unsigned b)
{
	return h->count[a] > h->count[b] || (h->count[a] == h->count[b] && h->key[a] < h->key[b]);
}

unsigned hot_top(const struct hot *h, unsigned n, uint64_t *keys, uint64_t *counts, uint64_t *errs)
{
	bool taken[HOT_SLOTS] = {false};
	unsigned out = 0;

	for (; out < n; out++) {
		unsigned best = HOT_SLOTS;
		for (unsigned i = 0; i < HOT_SLOTS; i++)
			if (h->count[i] && !taken[i] && (best == HOT_SLOTS || before(h, i, best)))
				best = i;
		if (best == HOT_SLOTS)
			break;
		taken[best] = true;
		keys[out] = h->key[best];
		counts[out] = h->count[best];
		if (errs)
			errs[out] = h->err[best];
	}
	return out;
}
