/* SPDX-License-Identifier: GPL-2.0-only */
/* hlt: HLT puts the vCPU to sleep until an interrupt is pending
 * (docs/guest-platform.md "CPU"; Intel SDM Vol. 2A HLT): a one-shot LAPIC
 * timer wakes `sti; hlt` (the handler ran, the TSC advanced by at least the
 * programmed time, less a margin); with a periodic timer each HLT returns
 * once per period (one interrupt per wake-up); and a HLT loop over a fixed
 * time sees the periodic rate. */
#include "rt/rt.h"

#include "rt/lapic.h"
#include "rt/timer.h"

#define VEC_TIMER     0x40
#define ONESHOT_MS    20
#define PERIOD_US     2000
#define HLT_LOOPS     10
#define LOOP_MS	      40
#define TOLERANCE_PCT 20

static volatile uint32_t fired;
static uint32_t bus_khz;

static void timer_handler(struct trap_frame *f)
{
	(void)f;
	fired++;
	lapic_eoi();
}

static uint32_t measure_bus_khz(void)
{
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, 0xffffffff);
	wait_tsc(t0 + ms_to_tsc(5));
	uint32_t ccr = lapic_read(APIC_TIMER_CCR);
	uint64_t ticks = rdtsc() - t0;
	lapic_timer_stop();
	return (uint32_t)udiv64((uint64_t)(0xffffffffU - ccr) * tsc_khz(), (uint32_t)ticks, NULL);
}

static void check_oneshot_wakeup(void)
{
	printf("one-shot %u ms, then sti; hlt:\n", ONESHOT_MS);
	fired = 0;
	lapic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | VEC_TIMER);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, bus_khz * ONESHOT_MS);
	sti_hlt();
	cli();
	uint64_t us = tsc_to_us(rdtsc() - t0);
	printf("  woke after %llu us, %u interrupt(s)\n", (unsigned long long)us, fired);
	EXPECT_EQ(fired, 1);
	EXPECT_GE(us, ONESHOT_MS * 1000 * (100 - TOLERANCE_PCT) / 100);
	EXPECT_LE(us, ONESHOT_MS * 1000 * (100 + TOLERANCE_PCT) / 100);
	lapic_timer_stop();
}

static void check_periodic_wakeups(void)
{
	printf("periodic %u us, %u x sti; hlt:\n", PERIOD_US, HLT_LOOPS);
	fired = 0;
	lapic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | VEC_TIMER);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, (uint32_t)udiv64((uint64_t)bus_khz * PERIOD_US, 1000, NULL));
	for (uint32_t i = 1; i <= HLT_LOOPS; i++) {
		sti_hlt();
		cli();
		EXPECT_EQ(fired, i); /* each wake-up is one interrupt */
	}
	uint64_t us = tsc_to_us(rdtsc() - t0);
	printf("  %u wake-ups in %llu us\n", HLT_LOOPS, (unsigned long long)us);
	EXPECT_GE(us, (uint64_t)HLT_LOOPS * PERIOD_US * (100 - TOLERANCE_PCT) / 100);
	EXPECT_LE(us, (uint64_t)HLT_LOOPS * PERIOD_US * (100 + TOLERANCE_PCT) / 100);

	/* HLT with IF = 1 in a loop for a fixed time: the rate holds. */
	fired = 0;
	t0 = rdtsc();
	uint64_t end = t0 + ms_to_tsc(LOOP_MS);
	sti();
	while (rdtsc() < end)
		hlt();
	cli();
	us = tsc_to_us(rdtsc() - t0);
	uint32_t want = (uint32_t)udiv64(us, PERIOD_US, NULL);
	printf("  hlt loop: %u interrupts in %llu us, expected %u +- %u%%\n", fired, (unsigned long long)us,
	       want, TOLERANCE_PCT);
	EXPECT_RANGE(fired, want - want * TOLERANCE_PCT / 100, want + want * TOLERANCE_PCT / 100);
	lapic_timer_stop();
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	lapic_enable(false);
	trap_set_handler(VEC_TIMER, timer_handler);
	bus_khz = measure_bus_khz();
	printf("LAPIC timer %u kHz, TSC %u kHz (%s)\n", bus_khz, tsc_khz(), tsc_khz_source());
	check_oneshot_wakeup();
	check_periodic_wakeups();
	return 0;
}
