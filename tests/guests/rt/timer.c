/* SPDX-License-Identifier: GPL-2.0-only */
/* timer.c: TSC rate and delays. Calibration counts TSC ticks while PIT
 * channel 2 counts down in mode 0 with its gate set through port 0x61
 * (8254 datasheet mode 0; PC/AT port 0x61 bits 0 and 5). */
#include "rt/timer.h"

#include "rt/hv.h"
#include "rt/pit.h"
#include "rt/rt.h"

#define CALIBRATE_PIT_TICKS 2386 /* 2 ms */
#define CALIBRATE_RUNS	    5
#define CALIBRATE_MAX_TSC   (1ULL << 40) /* give up on a PIT that never counts down */

static uint32_t khz;
static const char *source = "none";

static uint32_t pit_measure_once(void)
{
	uint8_t ctrl = inb(PORT_SYS_CTRL_B);
	outb(PORT_SYS_CTRL_B, (ctrl & ~SYS_CTRL_B_SPKR) & ~SYS_CTRL_B_GATE2);
	outb(PIT_CMD, PIT_CMD_CH2 | PIT_CMD_LOHI | PIT_CMD_MODE0);
	outb(PIT_CH2, CALIBRATE_PIT_TICKS & 0xff);
	outb(PIT_CH2, CALIBRATE_PIT_TICKS >> 8);
	uint64_t t0 = rdtsc();
	outb(PORT_SYS_CTRL_B, (ctrl & ~SYS_CTRL_B_SPKR) | SYS_CTRL_B_GATE2); /* start counting */
	uint64_t t1;
	do {
		t1 = rdtsc();
		if (t1 - t0 > CALIBRATE_MAX_TSC)
			fail("TSC calibration: PIT channel 2 output never rose (port 0x61 reads %#x)",
			     inb(PORT_SYS_CTRL_B));
	} while (!(inb(PORT_SYS_CTRL_B) & SYS_CTRL_B_OUT2));
	outb(PORT_SYS_CTRL_B, ctrl & ~(SYS_CTRL_B_SPKR | SYS_CTRL_B_GATE2));
	/* kHz = ticks / (CALIBRATE_PIT_TICKS / PIT_HZ s) / 1000 */
	return (uint32_t)udiv64((t1 - t0) * PIT_HZ, CALIBRATE_PIT_TICKS * 1000U, NULL);
}

uint32_t tsc_khz_from_pit(void)
{
	uint32_t best = 0;
	/* The smallest of a few short runs: every error (poll latency, an exit,
	 * the vCPU losing its time slice) lengthens a run, none shortens it. */
	for (int i = 0; i < CALIBRATE_RUNS; i++) {
		uint32_t k = pit_measure_once();
		if (!best || k < best)
			best = k;
	}
	return best;
}

uint32_t tsc_khz(void)
{
	if (khz)
		return khz;
	struct cpuid_regs r = cpuid(CPUID_LEAF_HV_BASE, 0);
	if (under_coopvmm() && r.eax >= CPUID_LEAF_HV_TSC && cpuid(CPUID_LEAF_HV_TSC, 0).eax) {
		khz = cpuid(CPUID_LEAF_HV_TSC, 0).eax;
		source = "cpuid 0x40000001";
	} else {
		khz = tsc_khz_from_pit();
		source = "PIT";
	}
	if (!khz)
		fail("TSC rate is 0 kHz (%s)", source);
	return khz;
}

const char *tsc_khz_source(void)
{
	tsc_khz();
	return source;
}

uint64_t ms_to_tsc(uint32_t ms)
{
	return (uint64_t)ms * tsc_khz();
}

uint64_t us_to_tsc(uint32_t us)
{
	return udiv64((uint64_t)us * tsc_khz(), 1000, NULL);
}

uint64_t tsc_to_us(uint64_t ticks)
{
	/* ticks * 1000 / khz; ticks below 2^54 keep the product in range. */
	return udiv64(ticks * 1000, tsc_khz(), NULL);
}

void wait_tsc(uint64_t deadline)
{
	while (rdtsc() < deadline)
		cpu_relax();
}

void delay_us(uint32_t us)
{
	wait_tsc(rdtsc() + us_to_tsc(us));
}

void delay_ms(uint32_t ms)
{
	wait_tsc(rdtsc() + ms_to_tsc(ms));
}
