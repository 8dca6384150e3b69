/* SPDX-License-Identifier: GPL-2.0-only */
/* timer.h: boot-time calibration of the TSC and LAPIC timer rates, and
 * TSC-based delays (docs/boot-flow.md step 6). After calibration the VMM
 * keeps time with its own TSC and LAPIC timers only. */
#ifndef VMM_TIMER_H
#define VMM_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct timer_rates {
	uint64_t tsc_khz;
	uint64_t lapic_khz; /* LAPIC timer input clock (before the divider) */
	const char *source; /* "pit" or "pmtimer" */
};

extern struct timer_rates timer_rates;

/* Calibrate against PIT channel 2, falling back to the ACPI PM timer, or
 * against the PM timer only when pm_only. */
int timer_calibrate(uint16_t pm_timer_port, bool pm_timer_32bit, bool pm_only);
void udelay(uint64_t us);
uint64_t tsc_to_us(uint64_t cycles);

#endif
