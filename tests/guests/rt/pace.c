/* SPDX-License-Identifier: GPL-2.0-only */
/* pace.c: the shared timetable of victim and hostile guests (rt/pace.h):
 * TSC-based, sleeping in HLT with a LAPIC one-shot timer (Intel SDM Vol. 3A
 * 10.5.4) so a waiting guest costs its CPU nothing. */
#include "rt/pace.h"

#include "rt/lapic.h"
#include "rt/rt.h"
#include "rt/timer.h"

static uint64_t t0;
static volatile uint32_t wakes;
/* Not under coopvmm no victim runs beside: a short attack (qemu-check). */
#define ALONE_START_MS 100
#define ALONE_END_MS   400
static uint32_t start_ms = PACE_HOSTILE_START_MS, end_ms = PACE_HOSTILE_END_MS;

uint64_t pace_t0(void)
{
	if (!t0)
		t0 = rdtsc();
	return t0;
}

uint64_t pace_at(uint32_t ms)
{
	return pace_t0() + ms_to_tsc(ms);
}

static void wake_handler(struct trap_frame *f)
{
	(void)f;
	wakes++;
	lapic_eoi();
}

void pace_sleep_until(uint32_t ms)
{
	uint64_t deadline = pace_at(ms);
	trap_set_handler(PACE_VEC_WAKE, wake_handler);
	if (!lapic_x2apic())
		lapic_enable(false);
	cli();
	while (rdtsc() < deadline) {
		uint64_t left = deadline - rdtsc();
		if ((int64_t)left <= 0)
			break;
		/* The bus clock of coopvmm's LAPIC is the TSC rate; elsewhere the
		 * wait just wakes early and sleeps again. Divide 16, capped. */
		uint64_t count = left / 16 + 1;
		lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV16);
		lapic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | PACE_VEC_WAKE);
		lapic_write(APIC_TIMER_ICR, count > 0xffffffffULL ? 0xffffffffU : (uint32_t)count);
		sti_hlt();
		cli();
	}
	lapic_timer_stop();
}

void pace_hostile_start(const char *what)
{
	pace_t0();
	if (!under_coopvmm()) {
		start_ms = ALONE_START_MS;
		end_ms = ALONE_END_MS;
	}
	printf("%s: quiet until %u ms, then %s until %u ms\n", guest_name, start_ms, what, end_ms);
	pace_sleep_until(start_ms);
	printf("%s: attack starts\n", guest_name);
}

bool pace_hostile_running(void)
{
	return rdtsc() < pace_at(end_ms);
}
