/* SPDX-License-Identifier: GPL-2.0-only */
/* ratelimit.h: a token bucket on TSC time for what a less trusted source
 * (an IOPM, a guest) can make the VMM log: `burst` messages at once, then
 * `per_second` a second. Refused messages are counted, so that the caller
 * can say how many it dropped once it is allowed again. One bucket per
 * source; the caller serializes the calls on a bucket. Pure C (host-tested
 * in tests/unit/test_ratelimit.c). */
#ifndef VMM_RATELIMIT_H
#define VMM_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	uint64_t cost;	     /* TSC cycles that earn one message */
	uint64_t cap;	     /* most credit that can build up: burst * cost */
	uint64_t credit;     /* earned TSC cycles not yet spent */
	uint64_t last;	     /* TSC of the last refill (never moves back) */
	uint64_t suppressed; /* refused since the last ratelimit_take_suppressed */
	bool refill;	     /* false: per_second or tsc_khz was 0, the burst is all */
	bool started;
};

/* Start full: `burst` messages are allowed at once. per_second = 0 or
 * tsc_khz = 0 (no clock): the burst is never refilled. */
void ratelimit_init(struct ratelimit *rl, uint32_t burst, uint32_t per_second, uint64_t tsc_khz);
/* May the source log one more message at TSC `now`? A TSC that goes
 * backwards (another CPU's) counts as no time passed. */
bool ratelimit_allow(struct ratelimit *rl, uint64_t now_tsc);
/* How many messages were refused since the last call; resets the count. */
uint64_t ratelimit_take_suppressed(struct ratelimit *rl);

#endif
