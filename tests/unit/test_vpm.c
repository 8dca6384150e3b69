/* SPDX-License-Identifier: GPL-2.0-only */
/* test_vpm.c: unit tests of the guest's ACPI PM block (vmm/vdev/vpm.c): the PM
 * timer against a 128-bit reference clock at several TSC rates (start
 * value, rate over seconds and years, the 32-bit wrap to the TSC cycle,
 * time never running backwards), reads of 1, 2 and 4 bytes at every port,
 * TMR_STS on the top bit's changes, PM1 enable and control bits. */
#include <stdlib.h>

#include "test.h"
#include "vmm/lib/errno.h"
#include "vmm/vdev/vpm.h"

#define N(a)	    (sizeof(a) / sizeof((a)[0]))
#define TSC_HZ(khz) ((khz)*1000ULL)
#define YEAR_S	    (365ULL * 24 * 3600)
#define BASE_TSC    123456789ULL /* the TSC when the VM was made */
#define WRAP	    (1ULL << 32)

static const uint64_t rates_khz[] = {100000, 2400000, 2893123, 1000, 4999999999ULL};

/* The timer's value t TSC cycles after creation, computed independently. */
static uint32_t ref_timer(uint64_t khz, uint64_t t)
{
	return (uint32_t)(VPM_TMR_START + (uint64_t)((unsigned __int128)t * PM_TIMER_HZ / TSC_HZ(khz)));
}

/* The first TSC offset at which k ticks have passed: ceil(k * hz / rate). */
static uint64_t ref_tsc(uint64_t khz, uint64_t k)
{
	return (uint64_t)(((unsigned __int128)k * TSC_HZ(khz) + PM_TIMER_HZ - 1) / PM_TIMER_HZ);
}

static uint32_t in(struct vpm *p, uint16_t port, unsigned size, uint64_t t)
{
	uint32_t v = 0x5a5a5a5a;
	EXPECT_EQ(vpm_io(p, port, size, false, &v, t), 0);
	return v;
}

static void out(struct vpm *p, uint16_t port, unsigned size, uint32_t v, uint64_t t)
{
	EXPECT_EQ(vpm_io(p, port, size, true, &v, t), 0);
}

TEST(vpm, starts_two_seconds_before_the_wrap)
{
	struct vpm p;
	vpm_init(&p, 2400000, BASE_TSC);
	EXPECT_EQ(VPM_TMR_START, 0xff92c2ceU); /* 2^32 - 2 * 3579545 */
	EXPECT_EQ(vpm_timer(&p, BASE_TSC), VPM_TMR_START);
	EXPECT_EQ(in(&p, VPM_PM_TMR, 4, BASE_TSC), VPM_TMR_START);
	/* Two seconds later it wraps. */
	EXPECT_EQ(vpm_timer(&p, BASE_TSC + 2 * TSC_HZ(2400000ULL)), 0);
}

TEST(vpm, rate_against_the_reference)
{
	srand(7);
	for (unsigned r = 0; r < N(rates_khz); r++) {
		uint64_t khz = rates_khz[r];
		test_context("%llu kHz", (unsigned long long)khz);
		struct vpm p;
		vpm_init(&p, khz, BASE_TSC);
		/* Exactly one second: 3579545 ticks. */
		EXPECT_EQ((uint32_t)(vpm_timer(&p, BASE_TSC + TSC_HZ(khz)) - VPM_TMR_START), PM_TIMER_HZ);
		/* Increasing times up to ten years, including odd fractions. */
		uint64_t t = TSC_HZ(khz);
		for (int i = 0; i < 2000; i++) {
			t += (uint64_t)rand() * (uint64_t)rand() % (TSC_HZ(khz) * 2) + 1;
			if (i == 1000) { /* jump to 3.3 years (or what 64 bits hold) */
				unsigned __int128 far = (unsigned __int128)10 * YEAR_S * TSC_HZ(khz) / 3;
				t = far < UINT64_MAX / 2 ? (uint64_t)far : UINT64_MAX / 2;
			}
			if (t > UINT64_MAX - BASE_TSC)
				break;
			EXPECT_EQ(vpm_timer(&p, BASE_TSC + t), ref_timer(khz, t));
		}
	}
}

TEST(vpm, wraps_at_32_bits_to_the_tsc_cycle)
{
	for (unsigned r = 0; r < N(rates_khz); r++) {
		uint64_t khz = rates_khz[r];
		test_context("%llu kHz", (unsigned long long)khz);
		struct vpm p;
		vpm_init(&p, khz, BASE_TSC);
		/* Every wrap of the first three: 0xffffffff one TSC cycle before, 0 at it. */
		for (uint64_t w = 1; w <= 3; w++) {
			uint64_t at = ref_tsc(khz, w * WRAP - VPM_TMR_START);
			if (TSC_HZ(khz) < PM_TIMER_HZ) {
				/* Slower than the timer: several ticks per TSC cycle. */
				EXPECT_GT(vpm_timer(&p, BASE_TSC + at - 1), 0xfffffff0U);
				EXPECT_LT(vpm_timer(&p, BASE_TSC + at), 0x10U);
			} else {
				EXPECT_EQ(vpm_timer(&p, BASE_TSC + at - 1), 0xffffffffU);
				EXPECT_EQ(vpm_timer(&p, BASE_TSC + at), 0);
			}
		}
	}
}

TEST(vpm, time_never_runs_backwards)
{
	struct vpm p;
	vpm_init(&p, 2400000, BASE_TSC);
	uint32_t late = vpm_timer(&p, BASE_TSC + 1000000);
	EXPECT_EQ(vpm_timer(&p, BASE_TSC + 5), late);	/* an earlier TSC (another CPU's) */
	EXPECT_EQ(vpm_timer(&p, BASE_TSC - 100), late); /* even before creation */
	EXPECT_EQ(in(&p, VPM_PM_TMR, 4, BASE_TSC), late);
	EXPECT_GT(vpm_timer(&p, BASE_TSC + 2000000), late);
}

TEST(vpm, rates_are_clamped)
{
	struct vpm lo, hi;
	vpm_init(&lo, 0, 0);
	vpm_init(&hi, ~0ULL / 1000, 0);
	EXPECT_EQ(lo.tsc_hz, TSC_HZ(VPM_MIN_TSC_KHZ));
	EXPECT_EQ(hi.tsc_hz, TSC_HZ(VPM_MAX_TSC_KHZ));
	/* The largest TSC at the largest rate: no overflow in the remainder term. */
	EXPECT_EQ(vpm_timer(&hi, UINT64_MAX), ref_timer(VPM_MAX_TSC_KHZ, UINT64_MAX));
}

TEST(vpm, reads_of_one_two_and_four_bytes)
{
	struct vpm p;
	vpm_init(&p, 100000, BASE_TSC);
	for (uint64_t t = BASE_TSC; t < BASE_TSC + 3 * TSC_HZ(100000ULL); t += 12345677) {
		uint32_t v = in(&p, VPM_PM_TMR, 4, t);
		EXPECT_EQ(v, ref_timer(100000, t - BASE_TSC));
		for (unsigned i = 0; i < 4; i++) {
			test_context("t %llu byte %u", (unsigned long long)t, i);
			EXPECT_EQ(in(&p, (uint16_t)(VPM_PM_TMR + i), 1, t), (v >> (8 * i)) & 0xff);
		}
		EXPECT_EQ(in(&p, VPM_PM_TMR, 2, t), v & 0xffff);
		EXPECT_EQ(in(&p, VPM_PM_TMR + 2, 2, t), v >> 16);
		EXPECT_EQ(in(&p, VPM_PM_TMR + 1, 2, t), (v >> 8) & 0xffff); /* unaligned */
		/* Bytes past the block read as all ones. */
		EXPECT_EQ(in(&p, VPM_PM_TMR + 2, 4, t), 0xffff0000U | v >> 16);
		EXPECT_EQ(in(&p, VPM_PORT_LAST, 4, t), 0xffffff00U | v >> 24);
	}
}

TEST(vpm, timer_ignores_writes)
{
	struct vpm p;
	vpm_init(&p, 2400000, BASE_TSC);
	out(&p, VPM_PM_TMR, 4, 0, BASE_TSC + 10);
	out(&p, VPM_PM_TMR + 1, 1, 0, BASE_TSC + 10);
	EXPECT_EQ(in(&p, VPM_PM_TMR, 4, BASE_TSC + 2400), ref_timer(2400000, 2400));
	EXPECT_EQ(p.pm1_en, 0);
	EXPECT_EQ(p.pm1_cnt, 0);
}

TEST(vpm, ports_outside_the_block)
{
	struct vpm p;
	vpm_init(&p, 2400000, BASE_TSC);
	uint32_t v = 0x1234;
	EXPECT_EQ(vpm_io(&p, VPM_PORT_BASE - 1, 1, false, &v, BASE_TSC), -ENOENT);
	EXPECT_EQ(vpm_io(&p, VPM_PORT_LAST + 1, 4, false, &v, BASE_TSC), -ENOENT);
	EXPECT_EQ(vpm_io(&p, VPM_PORT_LAST + 1, 4, true, &v, BASE_TSC), -ENOENT);
	EXPECT_EQ(v, 0x1234);
	/* 0x606-0x607 are inside the block but not registers. */
	EXPECT_EQ(in(&p, VPM_PM1_CNT + 2, 2, BASE_TSC), 0xffff);
	EXPECT_EQ(in(&p, VPM_PM1_CNT, 4, BASE_TSC), 0xffff0000U | ACPI_PM1_SCI_EN);
}

TEST(vpm, tmr_sts_follows_the_top_bit)
{
	const uint64_t khz = 2400000;
	struct vpm p;
	vpm_init(&p, khz, BASE_TSC);
	uint64_t wrap = BASE_TSC + ref_tsc(khz, WRAP - VPM_TMR_START);		  /* bit 31: 1 -> 0 */
	uint64_t half = BASE_TSC + ref_tsc(khz, WRAP + WRAP / 2 - VPM_TMR_START); /* 0 -> 1 */
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, BASE_TSC), 0);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, wrap - 1), 0);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, wrap), ACPI_PM1_TMR_STS);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 1, wrap + 100), ACPI_PM1_TMR_STS);
	EXPECT_EQ(in(&p, VPM_PM1_STS + 1, 1, wrap + 100), 0);
	/* Writing 0, or 1 to other bits, leaves it; writing 1 clears it. */
	out(&p, VPM_PM1_STS, 2, 0, wrap + 200);
	out(&p, VPM_PM1_STS, 2, 0xfffe, wrap + 200);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, wrap + 300), ACPI_PM1_TMR_STS);
	out(&p, VPM_PM1_STS, 1, ACPI_PM1_TMR_STS, wrap + 400);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, wrap + 500), 0);
	/* Set again when bit 31 next changes, not before. */
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, half - 1), 0);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, half), ACPI_PM1_TMR_STS);
	/* Status and enable through one 4-byte access. */
	out(&p, VPM_PM1_EVT, 4, (ACPI_PM1_TMR_EN << 16) | ACPI_PM1_TMR_STS, half + 1);
	EXPECT_EQ(in(&p, VPM_PM1_EVT, 4, half + 2), ACPI_PM1_TMR_EN << 16);
}

TEST(vpm, pm1_enable_bits)
{
	struct vpm p;
	vpm_init(&p, 2400000, BASE_TSC);
	EXPECT_EQ(in(&p, VPM_PM1_EN, 2, BASE_TSC), 0);
	out(&p, VPM_PM1_EN, 2, 0xffff, BASE_TSC);
	uint32_t all =
	    ACPI_PM1_TMR_EN | ACPI_PM1_GBL_EN | ACPI_PM1_PWRBTN_EN | ACPI_PM1_SLPBTN_EN | ACPI_PM1_RTC_EN;
	EXPECT_EQ(in(&p, VPM_PM1_EN, 2, BASE_TSC), all);
	out(&p, VPM_PM1_EN + 1, 1, 0, BASE_TSC); /* high byte only */
	EXPECT_EQ(in(&p, VPM_PM1_EN, 2, BASE_TSC), all & 0xff);
	out(&p, VPM_PM1_EN, 1, 0, BASE_TSC);
	EXPECT_EQ(in(&p, VPM_PM1_EN, 2, BASE_TSC), 0);
}

TEST(vpm, pm1_control_sci_en_fixed)
{
	struct vpm p;
	vpm_init(&p, 2400000, BASE_TSC);
	EXPECT_EQ(in(&p, VPM_PM1_CNT, 2, BASE_TSC), ACPI_PM1_SCI_EN);
	/* SLP_TYP and BM_RLD are kept; SLP_EN and GBL_RLS read 0; SCI_EN stays 1. */
	out(&p, VPM_PM1_CNT, 2, ACPI_PM1_SLP_EN | ACPI_PM1_SLP_TYP | ACPI_PM1_BM_RLD | ACPI_PM1_GBL_RLS,
	    BASE_TSC);
	EXPECT_EQ(in(&p, VPM_PM1_CNT, 2, BASE_TSC), ACPI_PM1_SLP_TYP | ACPI_PM1_BM_RLD | ACPI_PM1_SCI_EN);
	out(&p, VPM_PM1_CNT, 2, 0, BASE_TSC);
	EXPECT_EQ(in(&p, VPM_PM1_CNT, 2, BASE_TSC), ACPI_PM1_SCI_EN);
}

TEST(vpm, random_accesses_keep_the_timer)
{
	const uint64_t khz = 100000;
	struct vpm p;
	vpm_init(&p, khz, BASE_TSC);
	srand(11);
	uint64_t t = BASE_TSC;
	for (int i = 0; i < 100000; i++) {
		uint16_t port = (uint16_t)(VPM_PORT_BASE - 2 + rand() % 16);
		unsigned size = 1U << (rand() % 3);
		uint32_t v = (uint32_t)rand() * 2654435761U;
		t += (uint64_t)(rand() % 100000);
		int r = vpm_io(&p, port, size, rand() & 1, &v, t);
		EXPECT_EQ(r, port >= VPM_PORT_BASE && port <= VPM_PORT_LAST ? 0 : -ENOENT);
		EXPECT_EQ(p.pm1_en & ~(ACPI_PM1_TMR_EN | ACPI_PM1_GBL_EN | ACPI_PM1_PWRBTN_EN |
				       ACPI_PM1_SLPBTN_EN | ACPI_PM1_RTC_EN),
			  0);
		EXPECT_EQ(in(&p, VPM_PM1_CNT, 2, t) & ACPI_PM1_SCI_EN, ACPI_PM1_SCI_EN);
		EXPECT_EQ(in(&p, VPM_PM_TMR, 4, t), ref_timer(khz, t - BASE_TSC));
	}
}
