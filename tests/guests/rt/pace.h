/* SPDX-License-Identifier: GPL-2.0-only */
/* pace.h: the timetable a victim guest (victim_pace) and a hostile guest
 * share when the system test runs them side by side on one VMM CPU
 * (docs/guest-tests.md "Resource isolation"). Times are from each guest's
 * own start (rt_start); guests started in the same boot start within a few
 * ms of each other, far less than the margins here:
 *
 *   0 ..  200 ms   both start
 * 200 .. 1000 ms   victim: solo window (the hostile sleeps in HLT)
 * 1300 ms          hostile: starts its attack
 * 1600 .. 2400 ms  victim: shared window (the hostile attacks)
 * 3400 ms          hostile: stops, checks, ends
 *
 * Not under coopvmm (qemu-check: no victim beside) the hostile guests
 * attack from 100 to 400 ms only. */
#ifndef GUEST_RT_PACE_H
#define GUEST_RT_PACE_H

#include <stdbool.h>
#include <stdint.h>

#define PACE_SOLO_START_MS    200
#define PACE_INTERVAL_MS      100
#define PACE_INTERVALS	      8
#define PACE_HOSTILE_START_MS 1300
#define PACE_SHARED_START_MS  1600
#define PACE_HOSTILE_END_MS   3400

/* TSC at the guest's start: the first call reads it (call it first in main). */
uint64_t pace_t0(void);
/* TSC of t0 + ms. */
uint64_t pace_at(uint32_t ms);
/* Sleep in STI;HLT (LAPIC one-shot timer on vector PACE_VEC_WAKE, xAPIC
 * enabled here) until t0 + ms; returns with IF = 0. */
#define PACE_VEC_WAKE 0x3f
void pace_sleep_until(uint32_t ms);
/* Hostile guests: sleep until PACE_HOSTILE_START_MS, print the start. */
void pace_hostile_start(const char *what);
/* Still within the hostile period? */
bool pace_hostile_running(void);

#endif
