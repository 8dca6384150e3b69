/* SPDX-License-Identifier: GPL-2.0-only */
/* timer.h: TSC-based time for the guests. The TSC rate comes from coopvmm's
 * CPUID leaf 0x40000001 (EAX = TSC kHz) or, without it (e.g. plain QEMU),
 * from counting TSC ticks across a PIT channel 2 countdown. */
#ifndef GUEST_RT_TIMER_H
#define GUEST_RT_TIMER_H

#include <stdint.h>

uint32_t tsc_khz(void);		  /* cached; first call may calibrate */
uint32_t tsc_khz_from_pit(void);  /* always measures (about 2 ms x 5) */
const char *tsc_khz_source(void); /* "cpuid 0x40000001" or "PIT" */
uint64_t ms_to_tsc(uint32_t ms);
uint64_t us_to_tsc(uint32_t us);
uint64_t tsc_to_us(uint64_t ticks);
void delay_us(uint32_t us);
void delay_ms(uint32_t ms);
/* Spin until rdtsc() >= deadline. */
void wait_tsc(uint64_t deadline);

#endif
