/* SPDX-License-Identifier: GPL-2.0-only */
/* ratelimit.c: token bucket for log lines (ratelimit.h). Credit is kept in
 * TSC cycles, so no division happens per call: one message costs
 * tsc_hz / per_second cycles, the bucket holds at most burst of them. */
#include "vmm/lib/ratelimit.h"

#include "vmm/lib/lib.h"

void ratelimit_init(struct ratelimit *rl, uint32_t burst, uint32_t per_second, uint64_t tsc_khz)
{
	rl->refill = per_second && tsc_khz;
	rl->cost = 1;
	if (rl->refill) {
		/* tsc_khz * 1000 overflows only above 1.8e13 kHz: no such TSC */
		rl->cost = tsc_khz * KHZ / per_second;
		if (!rl->cost)
			rl->cost = 1;
	}
	if (burst && rl->cost > UINT64_MAX / burst)
		rl->cap = UINT64_MAX;
	else
		rl->cap = (uint64_t)burst * rl->cost;
	rl->credit = rl->cap;
	rl->last = 0;
	rl->suppressed = 0;
	rl->started = false;
}

bool ratelimit_allow(struct ratelimit *rl, uint64_t now_tsc)
{
	if (!rl->started) {
		rl->started = true;
		rl->last = now_tsc;
	} else if (now_tsc > rl->last) {
		uint64_t elapsed = now_tsc - rl->last;
		rl->last = now_tsc;
		if (rl->refill)
			rl->credit = elapsed >= rl->cap - rl->credit ? rl->cap : rl->credit + elapsed;
	}
	if (rl->credit >= rl->cost) {
		rl->credit -= rl->cost;
		return true;
	}
	rl->suppressed++;
	return false;
}

uint64_t ratelimit_take_suppressed(struct ratelimit *rl)
{
	uint64_t n = rl->suppressed;
	rl->suppressed = 0;
	return n;
}
