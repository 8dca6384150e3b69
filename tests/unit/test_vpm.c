/* SPDX-License-Identifier: GPL-2.0-only */
/* test_vpm.c: unit tests of the guest's ACPI PM block (vmm/vdev/vpm.c): the PM
 * timer against a 128-bit reference clock at several TSC rates (start
 * value, rate over seconds and years, the 32-bit wrap to the TSC cycle,
 * time never running backwards), reads of 1, 2 and 4 bytes at every port,
 * TMR_STS on the top bit's changes, PM1 enable and control bits; the
 * power button (with and without PWRBTN_EN), the SCI's level through its
 * callback (status & enable, write-1-to-clear, byte lanes, TMR_STS at the
 * deadline vpm_update names), S5 through SLP_EN and what other sleep types
 * do, and random accesses and presses against a reference of the level. */
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
	vpm_init(&p, 2400000, BASE_TSC, NULL, NULL);
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
		vpm_init(&p, khz, BASE_TSC, NULL, NULL);
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
		vpm_init(&p, khz, BASE_TSC, NULL, NULL);
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
	vpm_init(&p, 2400000, BASE_TSC, NULL, NULL);
	uint32_t late = vpm_timer(&p, BASE_TSC + 1000000);
	EXPECT_EQ(vpm_timer(&p, BASE_TSC + 5), late);	/* an earlier TSC (another CPU's) */
	EXPECT_EQ(vpm_timer(&p, BASE_TSC - 100), late); /* even before creation */
	EXPECT_EQ(in(&p, VPM_PM_TMR, 4, BASE_TSC), late);
	EXPECT_GT(vpm_timer(&p, BASE_TSC + 2000000), late);
}

TEST(vpm, rates_are_clamped)
{
	struct vpm lo, hi;
	vpm_init(&lo, 0, 0, NULL, NULL);
	vpm_init(&hi, ~0ULL / 1000, 0, NULL, NULL);
	EXPECT_EQ(lo.tsc_hz, TSC_HZ(VPM_MIN_TSC_KHZ));
	EXPECT_EQ(hi.tsc_hz, TSC_HZ(VPM_MAX_TSC_KHZ));
	/* The largest TSC at the largest rate: no overflow in the remainder term. */
	EXPECT_EQ(vpm_timer(&hi, UINT64_MAX), ref_timer(VPM_MAX_TSC_KHZ, UINT64_MAX));
}

TEST(vpm, reads_of_one_two_and_four_bytes)
{
	struct vpm p;
	vpm_init(&p, 100000, BASE_TSC, NULL, NULL);
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
	vpm_init(&p, 2400000, BASE_TSC, NULL, NULL);
	out(&p, VPM_PM_TMR, 4, 0, BASE_TSC + 10);
	out(&p, VPM_PM_TMR + 1, 1, 0, BASE_TSC + 10);
	EXPECT_EQ(in(&p, VPM_PM_TMR, 4, BASE_TSC + 2400), ref_timer(2400000, 2400));
	EXPECT_EQ(p.pm1_en, 0);
	EXPECT_EQ(p.pm1_cnt, 0);
}

TEST(vpm, ports_outside_the_block)
{
	struct vpm p;
	vpm_init(&p, 2400000, BASE_TSC, NULL, NULL);
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
	vpm_init(&p, khz, BASE_TSC, NULL, NULL);
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
	vpm_init(&p, 2400000, BASE_TSC, NULL, NULL);
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
	vpm_init(&p, 2400000, BASE_TSC, NULL, NULL);
	EXPECT_EQ(in(&p, VPM_PM1_CNT, 2, BASE_TSC), ACPI_PM1_SCI_EN);
	/* SLP_TYP and BM_RLD are kept; SLP_EN and GBL_RLS read 0; SCI_EN stays 1
	 * (SLP_TYP 7 with SLP_EN is S5: the block is off, its registers still answer). */
	out(&p, VPM_PM1_CNT, 2, ACPI_PM1_SLP_EN | ACPI_PM1_SLP_TYP | ACPI_PM1_BM_RLD | ACPI_PM1_GBL_RLS,
	    BASE_TSC);
	EXPECT_TRUE(p.off);
	EXPECT_EQ(in(&p, VPM_PM1_CNT, 2, BASE_TSC), ACPI_PM1_SLP_TYP | ACPI_PM1_BM_RLD | ACPI_PM1_SCI_EN);
	out(&p, VPM_PM1_CNT, 2, 0, BASE_TSC);
	EXPECT_EQ(in(&p, VPM_PM1_CNT, 2, BASE_TSC), ACPI_PM1_SCI_EN);
}

TEST(vpm, random_accesses_keep_the_timer)
{
	const uint64_t khz = 100000;
	struct vpm p;
	vpm_init(&p, khz, BASE_TSC, NULL, NULL);
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

/* ---- the power button, the SCI, S5 ---- */

/* What the block told the machine. */
struct rec {
	unsigned sci_calls, raises, lowers, power_offs;
	bool level;
};

static void rec_sci(void *ctx, bool level)
{
	struct rec *r = ctx;
	/* Only changes are reported. */
	EXPECT_NE(level, r->level);
	r->sci_calls++;
	r->level = level;
	if (level)
		r->raises++;
	else
		r->lowers++;
}

static void rec_power_off(void *ctx)
{
	struct rec *r = ctx;
	r->power_offs++;
}

static const struct vpm_ops rec_ops = {.sci = rec_sci, .power_off = rec_power_off};

static void rec_init(struct vpm *p, struct rec *r, uint64_t khz)
{
	memset(r, 0, sizeof(*r));
	vpm_init(p, khz, BASE_TSC, &rec_ops, r);
}

#define PWRBTN_TYP(t) ((uint32_t)(t) << ACPI_PM1_SLP_TYP_SHIFT)

TEST(vpm, press_without_enable_sets_status_only)
{
	struct vpm p;
	struct rec r;
	rec_init(&p, &r, 2400000);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, BASE_TSC), 0);
	EXPECT_TRUE(vpm_power_button(&p, BASE_TSC));
	/* Status set whatever PWRBTN_EN says (4.8.2.2.1.1), no SCI. */
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, BASE_TSC), ACPI_PM1_PWRBTN_STS);
	EXPECT_EQ(r.sci_calls, 0);
	EXPECT_EQ(p.presses, 1);
	/* Enabling it with the status still set asserts the SCI at once. */
	out(&p, VPM_PM1_EN, 2, ACPI_PM1_PWRBTN_EN, BASE_TSC);
	EXPECT_EQ(r.raises, 1);
	EXPECT_TRUE(r.level);
	/* The other enables do not matter. */
	out(&p, VPM_PM1_EN, 2, ACPI_PM1_PWRBTN_EN | ACPI_PM1_SLPBTN_EN | ACPI_PM1_RTC_EN, BASE_TSC);
	EXPECT_EQ(r.sci_calls, 1);
	/* Disabling it lowers the SCI; the status stays. */
	out(&p, VPM_PM1_EN, 2, ACPI_PM1_SLPBTN_EN, BASE_TSC);
	EXPECT_FALSE(r.level);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, BASE_TSC), ACPI_PM1_PWRBTN_STS);
	EXPECT_EQ(r.power_offs, 0);
}

TEST(vpm, press_with_enable_asserts_the_sci_until_cleared)
{
	struct vpm p;
	struct rec r;
	rec_init(&p, &r, 2400000);
	out(&p, VPM_PM1_EN, 2, ACPI_PM1_PWRBTN_EN, BASE_TSC);
	EXPECT_EQ(r.sci_calls, 0); /* enable alone: no event */
	EXPECT_TRUE(vpm_power_button(&p, BASE_TSC + 10));
	EXPECT_EQ(r.raises, 1);
	EXPECT_TRUE(r.level);
	/* A second press while the first is pending: the level stays, no new call. */
	EXPECT_TRUE(vpm_power_button(&p, BASE_TSC + 20));
	EXPECT_EQ(r.sci_calls, 1);
	EXPECT_EQ(p.presses, 2);
	/* Reads do not clear it; writing 0 or 1s to other bits do not either. */
	EXPECT_EQ(in(&p, VPM_PM1_EVT, 4, BASE_TSC + 30), (ACPI_PM1_PWRBTN_EN << 16) | ACPI_PM1_PWRBTN_STS);
	out(&p, VPM_PM1_STS, 2, 0, BASE_TSC + 40);
	out(&p, VPM_PM1_STS, 2, 0xffffU & ~ACPI_PM1_PWRBTN_STS, BASE_TSC + 40);
	EXPECT_TRUE(r.level);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, BASE_TSC + 50), ACPI_PM1_PWRBTN_STS);
	/* Write 1 to clear: the SCI goes down with it. */
	out(&p, VPM_PM1_STS, 2, ACPI_PM1_PWRBTN_STS, BASE_TSC + 60);
	EXPECT_FALSE(r.level);
	EXPECT_EQ(r.lowers, 1);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, BASE_TSC + 70), 0);
	EXPECT_EQ(in(&p, VPM_PM1_EN, 2, BASE_TSC + 70), ACPI_PM1_PWRBTN_EN); /* enable kept */
	/* The next press raises it again. */
	EXPECT_TRUE(vpm_power_button(&p, BASE_TSC + 80));
	EXPECT_EQ(r.raises, 2);
}

TEST(vpm, status_and_enable_through_byte_lanes)
{
	struct vpm p;
	struct rec r;
	rec_init(&p, &r, 2400000);
	/* PWRBTN_EN is bit 8: the enable register's high byte (0x603). */
	out(&p, VPM_PM1_EN + 1, 1, ACPI_PM1_PWRBTN_EN >> 8, BASE_TSC);
	EXPECT_EQ(in(&p, VPM_PM1_EN, 2, BASE_TSC), ACPI_PM1_PWRBTN_EN);
	out(&p, VPM_PM1_EN, 1, 0, BASE_TSC); /* the low byte leaves it */
	EXPECT_EQ(in(&p, VPM_PM1_EN, 2, BASE_TSC), ACPI_PM1_PWRBTN_EN);
	vpm_power_button(&p, BASE_TSC);
	EXPECT_TRUE(r.level);
	EXPECT_EQ(in(&p, VPM_PM1_STS + 1, 1, BASE_TSC), ACPI_PM1_PWRBTN_STS >> 8);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 1, BASE_TSC), 0);
	/* All ones to the low status byte: bit 8 is not in it. */
	out(&p, VPM_PM1_STS, 1, 0xff, BASE_TSC);
	EXPECT_TRUE(r.level);
	/* Bit 0 of the high byte is PWRBTN_STS. */
	out(&p, VPM_PM1_STS + 1, 1, 0x01, BASE_TSC);
	EXPECT_FALSE(r.level);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, BASE_TSC), 0);
	/* An unaligned 2-byte write at 0x601 covers STS's high byte and EN's low byte. */
	vpm_power_button(&p, BASE_TSC);
	EXPECT_TRUE(r.level);
	out(&p, VPM_PM1_STS + 1, 2, 0x0001, BASE_TSC);
	EXPECT_FALSE(r.level);
	EXPECT_EQ(in(&p, VPM_PM1_EN, 2, BASE_TSC), ACPI_PM1_PWRBTN_EN);
	/* One 4-byte write clears the status and disables the event: stays low. */
	vpm_power_button(&p, BASE_TSC);
	EXPECT_TRUE(r.level);
	out(&p, VPM_PM1_EVT, 4, ACPI_PM1_PWRBTN_STS, BASE_TSC);
	EXPECT_FALSE(r.level);
	EXPECT_EQ(in(&p, VPM_PM1_EVT, 4, BASE_TSC), 0);
	/* ... and one that enables it while a press is pending raises it. */
	vpm_power_button(&p, BASE_TSC);
	EXPECT_FALSE(r.level);
	out(&p, VPM_PM1_EVT, 4, ACPI_PM1_PWRBTN_EN << 16, BASE_TSC);
	EXPECT_TRUE(r.level);
	EXPECT_EQ(r.raises, 4);
	EXPECT_EQ(r.lowers, 3);
}

TEST(vpm, tmr_sts_raises_the_sci_at_the_deadline)
{
	for (unsigned i = 0; i < N(rates_khz); i++) {
		uint64_t khz = rates_khz[i];
		test_context("%llu kHz", (unsigned long long)khz);
		struct vpm p;
		struct rec r;
		rec_init(&p, &r, khz);
		/* Without TMR_EN: no deadline, no SCI at the wrap. */
		EXPECT_EQ(vpm_update(&p, BASE_TSC), UINT64_MAX);
		uint64_t wrap = BASE_TSC + ref_tsc(khz, WRAP - VPM_TMR_START);
		EXPECT_EQ(vpm_update(&p, wrap + 5), UINT64_MAX); /* TMR_STS is set, but not enabled */
		EXPECT_EQ(r.sci_calls, 0);
		out(&p, VPM_PM1_STS, 2, ACPI_PM1_TMR_STS, wrap + 5);

		/* Enabled: the deadline is when bit 31 next changes (1 -> 0), to the
		 * TSC cycle. */
		vpm_init(&p, khz, BASE_TSC, &rec_ops, &r);
		memset(&r, 0, sizeof(r));
		out(&p, VPM_PM1_EN, 2, ACPI_PM1_TMR_EN, BASE_TSC);
		uint64_t d = vpm_update(&p, BASE_TSC + 1);
		EXPECT_EQ(d, wrap);
		EXPECT_FALSE(r.level);
		EXPECT_EQ(vpm_update(&p, wrap - 1), d); /* asking again names the same time */
		EXPECT_FALSE(r.level);
		EXPECT_EQ(vpm_update(&p, d), UINT64_MAX); /* raised: nothing more to wait for */
		EXPECT_TRUE(r.level);
		EXPECT_EQ(in(&p, VPM_PM1_STS, 2, d), ACPI_PM1_TMR_STS);
		/* Cleared: down, and the next deadline is the 0 -> 1 change of bit 31. */
		out(&p, VPM_PM1_STS, 2, ACPI_PM1_TMR_STS, d + 1);
		EXPECT_FALSE(r.level);
		uint64_t half = BASE_TSC + ref_tsc(khz, WRAP + WRAP / 2 - VPM_TMR_START);
		uint64_t d2 = vpm_update(&p, d + 2);
		EXPECT_EQ(d2, half);
		EXPECT_EQ(vpm_update(&p, d2 - 1), d2);
		EXPECT_FALSE(r.level);
		/* A read past the change, before any update, already raises it. */
		EXPECT_EQ(in(&p, VPM_PM1_STS, 2, d2 + 1000), ACPI_PM1_TMR_STS);
		EXPECT_TRUE(r.level);
		EXPECT_EQ(r.raises, 2);
		/* TMR_EN off while TMR_STS is set: down, no deadline. */
		out(&p, VPM_PM1_EN, 2, 0, d2 + 2000);
		EXPECT_FALSE(r.level);
		EXPECT_EQ(vpm_update(&p, d2 + 3000), UINT64_MAX);
	}
}

TEST(vpm, deadline_at_the_largest_rate_and_tsc)
{
	struct vpm p;
	struct rec r;
	memset(&r, 0, sizeof(r));
	vpm_init(&p, VPM_MAX_TSC_KHZ, UINT64_MAX - 1000, &rec_ops, &r);
	out(&p, VPM_PM1_EN, 2, ACPI_PM1_TMR_EN, UINT64_MAX - 1000);
	/* Two seconds at 5 THz do not fit before the TSC wraps: no deadline. */
	EXPECT_EQ(vpm_update(&p, UINT64_MAX - 1000), UINT64_MAX);
	EXPECT_FALSE(r.level);
}

TEST(vpm, s5_write_powers_off_once)
{
	struct vpm p;
	struct rec r;
	rec_init(&p, &r, 2400000);
	/* As Linux enters S5 (acpi_hw_legacy_sleep): SLP_TYP first, then
	 * SLP_TYP | SLP_EN, 16-bit writes. */
	out(&p, VPM_PM1_CNT, 2, PWRBTN_TYP(VPM_SLP_TYP_S5), BASE_TSC);
	EXPECT_EQ(r.power_offs, 0);
	EXPECT_FALSE(p.off);
	out(&p, VPM_PM1_CNT, 2, PWRBTN_TYP(VPM_SLP_TYP_S5) | ACPI_PM1_SLP_EN, BASE_TSC);
	EXPECT_EQ(r.power_offs, 1);
	EXPECT_TRUE(p.off);
	/* SLP_EN reads 0; SLP_TYP and SCI_EN read back. */
	EXPECT_EQ(in(&p, VPM_PM1_CNT, 2, BASE_TSC), PWRBTN_TYP(VPM_SLP_TYP_S5) | ACPI_PM1_SCI_EN);
	/* Off for good: a second S5 write and presses do nothing. */
	out(&p, VPM_PM1_CNT, 2, PWRBTN_TYP(VPM_SLP_TYP_S5) | ACPI_PM1_SLP_EN, BASE_TSC);
	EXPECT_EQ(r.power_offs, 1);
	out(&p, VPM_PM1_EN, 2, ACPI_PM1_PWRBTN_EN, BASE_TSC);
	EXPECT_FALSE(vpm_power_button(&p, BASE_TSC));
	EXPECT_EQ(p.presses, 0);
	EXPECT_EQ(in(&p, VPM_PM1_STS, 2, BASE_TSC), 0);
	EXPECT_EQ(r.sci_calls, 0);

	/* One byte at 0x605 holds SLP_TYP and SLP_EN: S5 in one write. */
	rec_init(&p, &r, 2400000);
	out(&p, VPM_PM1_CNT + 1, 1, (PWRBTN_TYP(VPM_SLP_TYP_S5) | ACPI_PM1_SLP_EN) >> 8, BASE_TSC);
	EXPECT_EQ(r.power_offs, 1);
	/* A 4-byte write at 0x604 too (0x606-0x607 are ignored). */
	rec_init(&p, &r, 2400000);
	out(&p, VPM_PM1_CNT, 4, 0xffff0000U | PWRBTN_TYP(VPM_SLP_TYP_S5) | ACPI_PM1_SLP_EN, BASE_TSC);
	EXPECT_EQ(r.power_offs, 1);
	/* Without callbacks the block still goes off. */
	vpm_init(&p, 2400000, BASE_TSC, NULL, NULL);
	out(&p, VPM_PM1_CNT, 2, PWRBTN_TYP(VPM_SLP_TYP_S5) | ACPI_PM1_SLP_EN, BASE_TSC);
	EXPECT_TRUE(p.off);
}

TEST(vpm, slp_en_without_the_s5_value_is_ignored)
{
	struct vpm p;
	struct rec r;
	rec_init(&p, &r, 2400000);
	/* Every other SLP_TYP with SLP_EN: counted, nothing else. */
	for (unsigned t = 0; t < 8; t++) {
		if (t == VPM_SLP_TYP_S5)
			continue;
		out(&p, VPM_PM1_CNT, 2, PWRBTN_TYP(t) | ACPI_PM1_SLP_EN, BASE_TSC);
	}
	EXPECT_EQ(r.power_offs, 0);
	EXPECT_EQ(p.sleeps_ignored, 7);
	EXPECT_FALSE(p.off);
	/* S5's SLP_TYP without SLP_EN: stored, nothing entered. */
	out(&p, VPM_PM1_CNT, 2, PWRBTN_TYP(VPM_SLP_TYP_S5), BASE_TSC);
	EXPECT_EQ(r.power_offs, 0);
	/* The low byte cannot hold SLP_EN: all ones there enter nothing. */
	out(&p, VPM_PM1_CNT, 1, 0xff, BASE_TSC);
	EXPECT_EQ(r.power_offs, 0);
	/* SLP_EN goes with the SLP_TYP written with it, not the one stored. */
	out(&p, VPM_PM1_CNT + 1, 1, ACPI_PM1_SLP_EN >> 8, BASE_TSC);
	EXPECT_EQ(r.power_offs, 0);
	EXPECT_EQ(p.sleeps_ignored, 8);
	/* The machine keeps working: the button still raises the SCI. */
	out(&p, VPM_PM1_EN, 2, ACPI_PM1_PWRBTN_EN, BASE_TSC);
	EXPECT_TRUE(vpm_power_button(&p, BASE_TSC));
	EXPECT_TRUE(r.level);
}

/* Random accesses of any size at and around the block, presses and
 * updates: the SCI reported is always (status & enable) != 0 as the
 * registers read, power-off comes once and only from a write that put
 * S5's SLP_TYP with SLP_EN. */
TEST(vpm, hostile_accesses_keep_the_sci_right)
{
	const uint64_t khz = 100000;
	struct vpm p;
	struct rec r;
	rec_init(&p, &r, khz);
	srand(23);
	uint64_t t = BASE_TSC;
	bool s5_written = false;
	enum { STEPS = 200000, LATE_STEPS = 5000 };
	for (int i = 0; i < STEPS; i++) {
		test_context("step %d", i);
		t += (uint64_t)(rand() % 5000000); /* up to 50 ms: many wraps of bit 31 over the run */
		int what = rand() % 8;
		if (what == 0) {
			bool off = p.off;
			EXPECT_EQ(vpm_power_button(&p, t), !off);
		} else if (what == 1) {
			uint64_t d = vpm_update(&p, t);
			EXPECT_GT(d, t - 1);
		} else {
			uint16_t port = (uint16_t)(VPM_PORT_BASE - 2 + rand() % 16);
			unsigned size = 1U << (rand() % 3);
			uint32_t v = (uint32_t)rand() * 2654435761U;
			bool write = rand() & 1;
			/* Power-off only from a write whose bytes put S5 with SLP_EN
			 * in 0x605; such writes are kept out but for the last steps,
			 * so that presses count most of the run. */
			if (write && port <= VPM_PM1_CNT + 1 && port + size > VPM_PM1_CNT + 1) {
				unsigned shift = 8 * (VPM_PM1_CNT + 1 - port);
				uint16_t cnt = (uint16_t)(((v >> shift) & 0xff) << 8);
				if ((cnt & ACPI_PM1_SLP_EN) &&
				    (cnt & ACPI_PM1_SLP_TYP) == PWRBTN_TYP(VPM_SLP_TYP_S5)) {
					if (i >= STEPS - LATE_STEPS)
						s5_written = true;
					else
						v &= ~((uint32_t)(ACPI_PM1_SLP_EN >> 8) << shift);
				}
			}
			vpm_io(&p, port, size, write, &v, t);
		}
		uint32_t sts = in(&p, VPM_PM1_STS, 2, t), en = in(&p, VPM_PM1_EN, 2, t);
		EXPECT_EQ(r.level, (sts & en) != 0);
		EXPECT_EQ(sts & ~(ACPI_PM1_TMR_STS | ACPI_PM1_PWRBTN_STS), 0);
		EXPECT_EQ(r.power_offs, s5_written ? 1 : 0);
		EXPECT_EQ(p.off, s5_written);
	}
	test_context("%s", "");
	EXPECT_GT(r.raises, 100);
	EXPECT_TRUE(s5_written);
}
