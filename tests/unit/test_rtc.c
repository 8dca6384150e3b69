/* SPDX-License-Identifier: GPL-2.0-only */
/* test_rtc.c: unit tests of iopmd's MC146818A RTC and CMOS RAM
 * (iopm/dev/rtc.c), against the C library's gmtime/timegm as the calendar
 * reference: reset values, every field in BCD and binary, 24- and 12-hour
 * mode, dates across midnight, month and year ends, leap days (2000,
 * 2024, 2100) and centuries, random instants from 1970 to 2500, Linux's
 * mc146818_set_time (SET and the divider reset: first update 500 ms
 * later) and mc146818_get_time/avoid_UIP with slow port accesses, the UIP
 * window, alarms with "don't care" bytes, update-ended and periodic
 * interrupts at every rate, IRQ 8 raised once and lowered by reading C,
 * rtc_next_event_ns() exact to the ns, the RAM, the ports, hostile bytes,
 * a host clock that steps back, then random accesses against invariants. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "iopm/dev/rtc.h"
#include "test.h"

#define NS	   1000000000ull
#define DIV_RESET2 0x60 /* Linux's RTC_DIV_RESET2 */

struct rfx {
	struct rtc r;
	uint64_t now;	 /* the fake host clock */
	uint64_t access; /* ns each port access takes */
	unsigned irq_calls;
	bool level;
};

static uint64_t rfx_now(void *ctx)
{
	return ((struct rfx *)ctx)->now;
}

static void rfx_irq(void *ctx, bool level)
{
	struct rfx *f = ctx;
	EXPECT_MSG(level != f->level, "irq(%d) called without a change", level);
	f->level = level;
	f->irq_calls++;
}

static const struct rtc_ops rfx_ops = {rfx_now, rfx_irq};

/* Seconds since the epoch of a UTC date (negative before 1970). */
static int64_t at_s(int y, int mon, int d, int h, int mi, int s)
{
	struct tm tm = {
	    .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
	return (int64_t)timegm(&tm);
}

/* The host time (ns) of a UTC date from 1970 on. */
static uint64_t at(int y, int mon, int d, int h, int mi, int s)
{
	return (uint64_t)at_s(y, mon, d, h, mi, s) * NS;
}

static void rfx_init(struct rfx *f, uint64_t now)
{
	memset(f, 0, sizeof(*f));
	f->now = now;
	rtc_init(&f->r, &rfx_ops, f);
}

static void port_out(struct rfx *f, uint16_t port, uint8_t val)
{
	uint32_t v = val;
	EXPECT_EQ(rtc_io(&f->r, port, 1, true, &v), 0);
	f->now += f->access;
}

static uint8_t port_in(struct rfx *f, uint16_t port)
{
	uint32_t v = 0x5a5a5a5a;
	EXPECT_EQ(rtc_io(&f->r, port, 1, false, &v), 0);
	EXPECT_LE(v, 0xff);
	f->now += f->access;
	return (uint8_t)v;
}

static uint8_t rd(struct rfx *f, unsigned idx)
{
	port_out(f, RTC_INDEX_PORT, (uint8_t)idx);
	return port_in(f, RTC_DATA_PORT);
}

static void wr(struct rfx *f, unsigned idx, uint8_t val)
{
	port_out(f, RTC_INDEX_PORT, (uint8_t)idx);
	port_out(f, RTC_DATA_PORT, val);
}

static uint8_t bcd(unsigned v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned unbcd(uint8_t b)
{
	return (b >> 4) * 10u + (b & 0xf);
}

/* Every time byte against gmtime at guest second `secs`; the day of week
 * too unless the guest set it (or stopped the clock without setting it). */
static void expect_time_wday(struct rfx *f, time_t secs, bool wday)
{
	struct tm tm;
	gmtime_r(&secs, &tm);
	test_context("expecting %04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		     tm.tm_hour, tm.tm_min, tm.tm_sec);
	uint8_t b = rd(f, RTC_REG_B);
	unsigned (*d)(uint8_t) = b & RTC_B_DM_BINARY ? NULL : unbcd;
#define DEC(x) (d ? d(x) : (x))
	EXPECT_EQ(DEC(rd(f, RTC_SECONDS)), tm.tm_sec);
	EXPECT_EQ(DEC(rd(f, RTC_MINUTES)), tm.tm_min);
	uint8_t h = rd(f, RTC_HOURS);
	if (b & RTC_B_24H) {
		EXPECT_EQ(DEC(h), tm.tm_hour);
	} else {
		EXPECT_EQ(!!(h & RTC_HOURS_PM), tm.tm_hour >= 12);
		EXPECT_EQ(DEC((uint8_t)(h & ~RTC_HOURS_PM)), tm.tm_hour % 12 ? tm.tm_hour % 12 : 12);
	}
	if (wday)
		EXPECT_EQ(DEC(rd(f, RTC_DAY_OF_WEEK)), tm.tm_wday + 1);
	EXPECT_EQ(DEC(rd(f, RTC_DAY_OF_MONTH)), tm.tm_mday);
	EXPECT_EQ(DEC(rd(f, RTC_MONTH)), tm.tm_mon + 1);
	EXPECT_EQ(DEC(rd(f, RTC_YEAR)), (tm.tm_year + 1900) % 100);
	EXPECT_EQ(DEC(rd(f, RTC_CENTURY)), (tm.tm_year + 1900) / 100);
#undef DEC
	test_context("%s", "");
}

static void expect_time(struct rfx *f, time_t secs)
{
	expect_time_wday(f, secs, true);
}

/* The clock shows the host's own time (no offset). */
static void expect_host_time(struct rfx *f)
{
	expect_time(f, (time_t)(f->now / NS));
}

TEST(rtc, reset_values_and_host_time)
{
	struct rfx f;
	rfx_init(&f, at(2024, 7, 14, 13, 37, 42) + 123456789);
	EXPECT_EQ(rd(&f, RTC_REG_A), RTC_A_DV_32KHZ | RTC_A_RS_1024HZ);
	EXPECT_EQ(rd(&f, RTC_REG_B), RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_REG_C), 0);
	EXPECT_EQ(rd(&f, RTC_REG_D), RTC_D_VRT);
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x42);
	EXPECT_EQ(rd(&f, RTC_MINUTES), 0x37);
	EXPECT_EQ(rd(&f, RTC_HOURS), 0x13);
	EXPECT_EQ(rd(&f, RTC_DAY_OF_WEEK), 1); /* a Sunday */
	EXPECT_EQ(rd(&f, RTC_DAY_OF_MONTH), 0x14);
	EXPECT_EQ(rd(&f, RTC_MONTH), 0x07);
	EXPECT_EQ(rd(&f, RTC_YEAR), 0x24);
	EXPECT_EQ(rd(&f, RTC_CENTURY), 0x20);
	for (unsigned i = RTC_SECONDS_ALARM; i <= RTC_HOURS_ALARM; i += 2)
		EXPECT_EQ(rd(&f, i), 0);
	EXPECT_EQ(rd(&f, RTC_SHUTDOWN), 0);
	EXPECT_EQ(f.irq_calls, 0);
	EXPECT_EQ(rtc_next_event_ns(&f.r), UINT64_MAX); /* nothing enabled */
}

TEST(rtc, binary_bcd_and_12_hour_modes)
{
	static const uint8_t bcd12[24] = {0x12, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
					  0x08, 0x09, 0x10, 0x11, 0x92, 0x81, 0x82, 0x83,
					  0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x90, 0x91};
	struct rfx f;
	rfx_init(&f, at(1999, 12, 31, 0, 0, 0));
	for (unsigned b = 0; b < 4; b++) {
		wr(&f, RTC_REG_B, (uint8_t)((b & 1 ? RTC_B_DM_BINARY : 0) | (b & 2 ? RTC_B_24H : 0)));
		for (unsigned h = 0; h < 24; h++) {
			f.now = at(1999, 12, 31 + (int)b, (int)h, 59, 58) + NS / 2; /* time goes forward */
			expect_host_time(&f);
			uint8_t want = b & 2 ? (b & 1 ? (uint8_t)h : bcd(h))
					     : (b & 1 ? (uint8_t)((bcd12[h] & 0x80) | unbcd(bcd12[h] & 0x7f))
						      : bcd12[h]);
			EXPECT_EQ(rd(&f, RTC_HOURS), want);
		}
	}
	/* Binary: the values as numbers. */
	wr(&f, RTC_REG_B, RTC_B_DM_BINARY | RTC_B_24H);
	f.now = at(2087, 11, 30, 23, 45, 59);
	EXPECT_EQ(rd(&f, RTC_YEAR), 87);
	EXPECT_EQ(rd(&f, RTC_CENTURY), 20);
	EXPECT_EQ(rd(&f, RTC_DAY_OF_MONTH), 30);
	EXPECT_EQ(rd(&f, RTC_SECONDS), 59);
}

TEST(rtc, date_rollovers_and_leap_days)
{
	static const struct {
		int y, m, d;
	} eves[] = {
	    {2023, 12, 31}, {2024, 1, 31},  {2024, 2, 28},  {2024, 2, 29},  {2023, 2, 28}, {2000, 2, 28},
	    {2000, 2, 29},  {2100, 2, 28},  {2099, 12, 31}, {1999, 12, 31}, {2024, 4, 30}, {2024, 6, 30},
	    {2024, 9, 30},  {2024, 11, 30}, {2037, 12, 31}, {2038, 1, 19},  {2400, 2, 28}, {2400, 2, 29},
	};
	for (unsigned mode = 0; mode < 3; mode++) {
		for (unsigned i = 0; i < sizeof(eves) / sizeof(eves[0]); i++) {
			struct rfx f;
			uint64_t t = at(eves[i].y, eves[i].m, eves[i].d, 23, 59, 59);
			rfx_init(&f, t + NS - 1);
			wr(&f, RTC_REG_B,
			   (uint8_t)(mode == 1	 ? RTC_B_DM_BINARY | RTC_B_24H
				     : mode == 2 ? 0
						 : RTC_B_24H));
			f.now = t + NS - 1;
			expect_host_time(&f);
			f.now = t + NS; /* midnight */
			expect_host_time(&f);
			f.now = t + NS + 86400 * NS - 1;
			expect_host_time(&f);
		}
	}
}

TEST(rtc, random_instants_against_gmtime)
{
	struct rfx f;
	rfx_init(&f, 0);
	srand(146818);
	/* Forward in random steps of up to 20 days, 1970 to about 2500. */
	for (unsigned n = 0; n < 20000; n++) {
		f.now += ((uint64_t)rand() << 16 ^ (uint64_t)rand()) % (20 * 86400 * NS / 65536) * 65536 + 1;
		if (n % 1000 == 0)
			wr(&f, RTC_REG_B,
			   (uint8_t)(RTC_B_24H * (rand() & 1) | RTC_B_DM_BINARY * (rand() & 1)));
		expect_host_time(&f);
	}
	EXPECT_GT(f.now / NS, (uint64_t)at_s(2400, 1, 1, 0, 0, 0));
}

/* Linux's mc146818_set_time (drivers/rtc/rtc-mc146818-lib.c): SET, the
 * divider in reset, the fields, then B and A restored. */
static void linux_set_time(struct rfx *f, int y, int mon, int d, int h, int mi, int s)
{
	bool bin = rd(f, RTC_REG_B) & RTC_B_DM_BINARY;
	uint8_t (*e)(unsigned) = bin ? NULL : bcd;
#define ENC(x) (e ? e(x) : (uint8_t)(x))
	uint8_t save_control = rd(f, RTC_REG_B);
	wr(f, RTC_REG_B, save_control | RTC_B_SET);
	uint8_t save_freq = rd(f, RTC_REG_A);
	wr(f, RTC_REG_A, save_freq | DIV_RESET2);
	wr(f, RTC_YEAR, ENC((unsigned)y % 100));
	wr(f, RTC_MONTH, ENC((unsigned)mon));
	wr(f, RTC_DAY_OF_MONTH, ENC((unsigned)d));
	wr(f, RTC_HOURS, ENC((unsigned)h));
	wr(f, RTC_MINUTES, ENC((unsigned)mi));
	wr(f, RTC_SECONDS, ENC((unsigned)s));
	wr(f, RTC_CENTURY, ENC((unsigned)y / 100));
	wr(f, RTC_REG_B, save_control);
	wr(f, RTC_REG_A, save_freq);
#undef ENC
}

TEST(rtc, linux_set_time_then_half_a_second)
{
	struct rfx f;
	rfx_init(&f, at(2024, 3, 1, 12, 0, 0) + 250000000);
	f.access = 1000;
	linux_set_time(&f, 2031, 5, 6, 7, 8, 9);
	uint64_t released = f.now - f.access; /* the register A write */
	/* The divider left reset: the first update is 500 ms later. */
	f.access = 0;
	f.now = released + RTC_FIRST_UPDATE_NS - 1;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x09);
	f.now = released + RTC_FIRST_UPDATE_NS;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x10);
	/* An hour of host time later, an hour of guest time later. */
	f.now = released + 3600 * NS + RTC_FIRST_UPDATE_NS - 1;
	expect_time_wday(&f, at_s(2031, 5, 6, 8, 8, 9), false); /* Linux leaves the weekday */
	f.now += 1;
	expect_time_wday(&f, at_s(2031, 5, 6, 8, 8, 10), false);
	EXPECT_EQ(rd(&f, RTC_REG_B), RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_REG_A), RTC_A_DV_32KHZ | RTC_A_RS_1024HZ);
	/* In binary mode, and back to the past. */
	wr(&f, RTC_REG_B, RTC_B_24H | RTC_B_DM_BINARY);
	linux_set_time(&f, 1985, 10, 26, 1, 21, 0);
	f.now += 10 * NS;
	EXPECT_EQ(rd(&f, RTC_YEAR), 85);
	EXPECT_EQ(rd(&f, RTC_CENTURY), 19);
	EXPECT_EQ(rd(&f, RTC_SECONDS), 10);
}

TEST(rtc, set_bit_alone_keeps_the_phase)
{
	struct rfx f;
	rfx_init(&f, at(2024, 3, 1, 12, 0, 0) + 300000000);
	wr(&f, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x00); /* latched */
	f.now += 5 * NS;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x00); /* frozen while SET */
	EXPECT_EQ(rd(&f, RTC_REG_A) & RTC_A_UIP, 0);
	wr(&f, RTC_MINUTES, 0x30);
	wr(&f, RTC_SECONDS, 0x15);
	wr(&f, RTC_REG_B, RTC_B_24H);
	/* The divider ran on: the guest's seconds still turn where they
	 * would have (here on the host's whole seconds), not 1 s after SET. */
	f.now = at(2024, 3, 1, 12, 0, 6) - 1;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x15);
	f.now += 1;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x16);
	EXPECT_EQ(rd(&f, RTC_MINUTES), 0x30);
	EXPECT_EQ(rd(&f, RTC_HOURS), 0x12);
}

TEST(rtc, writes_to_a_running_clock)
{
	struct rfx f;
	uint64_t t = at(2024, 1, 31, 10, 20, 30) + 100;
	rfx_init(&f, t);
	wr(&f, RTC_MINUTES, 0x45);
	expect_time(&f, at_s(2024, 1, 31, 10, 45, 30));
	wr(&f, RTC_MONTH, 0x02); /* February 31 runs into March */
	expect_time(&f, at_s(2024, 3, 2, 10, 45, 30));
	wr(&f, RTC_CENTURY, 0x19);
	expect_time(&f, at_s(1924, 3, 2, 10, 45, 30));
	f.now += 2 * NS;
	expect_time(&f, at_s(1924, 3, 2, 10, 45, 32));
	EXPECT_EQ(rd(&f, RTC_DAY_OF_WEEK), 1); /* 1924-03-02 was a Sunday */
	/* The day of week is whatever the guest says, counted at midnight. */
	wr(&f, RTC_DAY_OF_WEEK, 7);
	EXPECT_EQ(rd(&f, RTC_DAY_OF_WEEK), 7);
	wr(&f, RTC_HOURS, 0x23);
	wr(&f, RTC_MINUTES, 0x59);
	wr(&f, RTC_SECONDS, 0x59);
	f.now += NS;
	EXPECT_EQ(rd(&f, RTC_DAY_OF_WEEK), 1);
	EXPECT_EQ(rd(&f, RTC_DAY_OF_MONTH), 0x03);
	/* 12-hour mode: the PM bit. */
	wr(&f, RTC_REG_B, 0);
	wr(&f, RTC_HOURS, 0x92); /* 12 PM: noon */
	EXPECT_EQ(rd(&f, RTC_HOURS), 0x92);
	wr(&f, RTC_REG_B, RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_HOURS), 0x12);
	wr(&f, RTC_REG_B, 0);
	wr(&f, RTC_HOURS, 0x12); /* 12 AM: midnight */
	wr(&f, RTC_REG_B, RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_HOURS), 0x00);
}

TEST(rtc, uip_window)
{
	struct rfx f;
	uint64_t t = at(2024, 5, 5, 5, 5, 5);
	rfx_init(&f, t);
	f.now = t + NS - RTC_UIP_NS - 1;
	EXPECT_EQ(rd(&f, RTC_REG_A) & RTC_A_UIP, 0);
	f.now = t + NS - RTC_UIP_NS;
	EXPECT_EQ(rd(&f, RTC_REG_A), RTC_A_UIP | RTC_A_DV_32KHZ | RTC_A_RS_1024HZ);
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x05); /* not updated yet */
	f.now = t + NS - 1;
	EXPECT_EQ(rd(&f, RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
	f.now = t + NS;
	EXPECT_EQ(rd(&f, RTC_REG_A) & RTC_A_UIP, 0);
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x06);
	/* No UIP with SET or the divider stopped. */
	f.now = t + 2 * NS - 1000;
	wr(&f, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_REG_A) & RTC_A_UIP, 0);
	wr(&f, RTC_REG_B, RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
	wr(&f, RTC_REG_A, DIV_RESET2);
	EXPECT_EQ(rd(&f, RTC_REG_A), DIV_RESET2);
	/* Bit 7 of A is read-only. */
	wr(&f, RTC_REG_A, 0xff);
	EXPECT_EQ(rd(&f, RTC_REG_A), 0x7f);
}

/* Linux 6.1's mc146818_get_time: mc146818_avoid_UIP() around a callback
 * that reads the fields and register B, then the conversion. Returns
 * false when it gave up after 10 tries. */
static bool linux_get_time(struct rfx *f, struct tm *tm)
{
	for (int i = 0; i < 10; i++) {
		uint8_t seconds = rd(f, RTC_SECONDS);
		if (rd(f, RTC_REG_A) & RTC_A_UIP) {
			f->now += 1000000; /* mdelay(1) */
			continue;
		}
		if (seconds != rd(f, RTC_SECONDS))
			continue;
		uint8_t min = rd(f, RTC_MINUTES), hour = rd(f, RTC_HOURS), mday = rd(f, RTC_DAY_OF_MONTH);
		uint8_t mon = rd(f, RTC_MONTH), year = rd(f, RTC_YEAR), century = rd(f, RTC_CENTURY);
		uint8_t ctrl = rd(f, RTC_REG_B);
		if (rd(f, RTC_REG_A) & RTC_A_UIP) {
			f->now += 1000000;
			continue;
		}
		if (seconds != rd(f, RTC_SECONDS))
			continue;
		unsigned (*d)(uint8_t) = ctrl & RTC_B_DM_BINARY ? NULL : unbcd;
#define DEC(x) (d ? d(x) : (x))
		tm->tm_sec = (int)DEC(seconds);
		tm->tm_min = (int)DEC(min);
		tm->tm_hour = (int)DEC(hour);
		tm->tm_mday = (int)DEC(mday);
		tm->tm_mon = (int)DEC(mon) - 1;
		tm->tm_year = (int)DEC(year);
		unsigned c = DEC(century);
#undef DEC
		if (c > 20)
			tm->tm_year += (int)(c - 19) * 100;
		if (tm->tm_year <= 69)
			tm->tm_year += 100;
		return true;
	}
	return false;
}

TEST(rtc, linux_get_time_around_updates)
{
	static const uint64_t costs[] = {100, 1000, 30000, 150000};
	for (unsigned c = 0; c < sizeof(costs) / sizeof(costs[0]); c++) {
		for (uint64_t phase = NS - 3 * RTC_UIP_NS; phase < NS + 3 * RTC_UIP_NS; phase += 7919) {
			struct rfx f;
			uint64_t t = at(2029, 12, 31, 23, 59, 59);
			rfx_init(&f, t);
			wr(&f, RTC_REG_B, (uint8_t)(RTC_B_24H | (phase & 1 ? RTC_B_DM_BINARY : 0)));
			f.access = costs[c];
			f.now = t + phase;
			uint64_t start = f.now;
			struct tm tm;
			test_context("access %llu ns, start %llu ns into the second",
				     (unsigned long long)costs[c], (unsigned long long)phase);
			EXPECT_TRUE(linux_get_time(&f, &tm));
			time_t got = timegm(&tm);
			/* A time the clock showed while it was being read. */
			EXPECT_GE((uint64_t)got, start / NS);
			EXPECT_LE((uint64_t)got, f.now / NS);
			EXPECT_LE(f.now - start, 20 * costs[c] * 3 + 2000000);
		}
	}
}

/* Run the host clock to rtc_next_event_ns(): nothing one ns before, IRQ 8 at it. */
static uint64_t run_to_event(struct rfx *f)
{
	uint64_t t = rtc_next_event_ns(&f->r);
	EXPECT_NE(t, UINT64_MAX);
	EXPECT_GT(t, f->now > 0 ? f->now - 1 : 0);
	rtc_tick(&f->r, t - 1);
	EXPECT_FALSE(f->level);
	f->now = t;
	rtc_tick(&f->r, t);
	EXPECT_TRUE(f->level);
	return t;
}

TEST(rtc, update_ended_interrupt)
{
	struct rfx f;
	uint64_t t = at(2024, 8, 1, 0, 0, 0);
	rfx_init(&f, t + 400000000);
	wr(&f, RTC_REG_A, RTC_A_DV_32KHZ); /* no periodic rate: no PF in C */
	wr(&f, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	EXPECT_EQ(rtc_next_event_ns(&f.r), t + NS);
	EXPECT_EQ(run_to_event(&f), t + NS);
	EXPECT_EQ(f.irq_calls, 1);
	EXPECT_EQ(rtc_next_event_ns(&f.r), UINT64_MAX); /* high until C is read */
	f.now += 5 * NS;
	rtc_tick(&f.r, f.now);
	EXPECT_EQ(f.irq_calls, 1);
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
	EXPECT_FALSE(f.level);
	EXPECT_EQ(f.irq_calls, 2);
	EXPECT_EQ(rd(&f, RTC_REG_C), 0);
	EXPECT_EQ(rtc_next_event_ns(&f.r), t + 7 * NS);
	/* UF without UIE: the flag, no interrupt. */
	wr(&f, RTC_REG_B, RTC_B_24H);
	f.now = t + 9 * NS;
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_UF);
	EXPECT_EQ(f.irq_calls, 2);
	/* Enabling UIE while UF is set raises IRQF at once. */
	f.now = t + 10 * NS;
	wr(&f, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	EXPECT_TRUE(f.level);
	/* Clearing UIE does not lower it: only reading C does. */
	wr(&f, RTC_REG_B, RTC_B_24H);
	EXPECT_TRUE(f.level);
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
	EXPECT_FALSE(f.level);
	/* SET clears UIE, whatever the write says. */
	wr(&f, RTC_REG_B, RTC_B_SET | RTC_B_UIE | RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_REG_B), RTC_B_SET | RTC_B_24H);
	EXPECT_EQ(rtc_next_event_ns(&f.r), UINT64_MAX);
}

TEST(rtc, alarm_exact_and_dont_care)
{
	struct rfx f;
	uint64_t t = at(2024, 8, 1, 6, 30, 0);
	rfx_init(&f, t + 5);
	wr(&f, RTC_REG_A, RTC_A_DV_32KHZ);
	wr(&f, RTC_HOURS_ALARM, 0x06);
	wr(&f, RTC_MINUTES_ALARM, 0x30);
	wr(&f, RTC_SECONDS_ALARM, 0x03);
	wr(&f, RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	EXPECT_EQ(run_to_event(&f), t + 3 * NS);
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	/* Next: tomorrow, same time. */
	EXPECT_EQ(rtc_next_event_ns(&f.r), t + 3 * NS + 86400 * NS);
	/* Seconds "don't care": every second of 06:30. */
	wr(&f, RTC_SECONDS_ALARM, RTC_ALARM_DONT_CARE);
	EXPECT_EQ(run_to_event(&f), t + 4 * NS);
	rd(&f, RTC_REG_C);
	f.now = t + 59 * NS + 1;
	rtc_tick(&f.r, f.now);
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	EXPECT_EQ(rtc_next_event_ns(&f.r), t + 86400 * NS); /* 06:31 does not match */
	/* Everything "don't care" (0xc0-0xff): every second. */
	wr(&f, RTC_MINUTES_ALARM, 0xff);
	wr(&f, RTC_HOURS_ALARM, 0xd3);
	EXPECT_EQ(rtc_next_event_ns(&f.r), t + 60 * NS);
	/* Hours don't care, minute 0, second 0: the top of each hour. */
	wr(&f, RTC_HOURS_ALARM, RTC_ALARM_DONT_CARE);
	wr(&f, RTC_MINUTES_ALARM, 0x00);
	wr(&f, RTC_SECONDS_ALARM, 0x00);
	EXPECT_EQ(run_to_event(&f), at(2024, 8, 1, 7, 0, 0));
	rd(&f, RTC_REG_C);
	/* A missed alarm is still flagged: ticked late, AF is set. */
	f.now = at(2024, 8, 1, 9, 30, 0);
	rtc_tick(&f.r, f.now);
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	/* A byte the clock never shows: never. */
	wr(&f, RTC_SECONDS_ALARM, 0x60);
	EXPECT_EQ(rtc_next_event_ns(&f.r), UINT64_MAX);
	f.now += 86400 * NS * 3;
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_UF);
	/* 12-hour mode compares the bytes as shown: 1 PM is 0x81. */
	wr(&f, RTC_REG_B, RTC_B_AIE);
	wr(&f, RTC_HOURS_ALARM, 0x81);
	wr(&f, RTC_MINUTES_ALARM, 0x00);
	wr(&f, RTC_SECONDS_ALARM, 0x00);
	EXPECT_EQ(f.now, at(2024, 8, 4, 9, 30, 0));
	EXPECT_EQ(run_to_event(&f), at(2024, 8, 4, 13, 0, 0));
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
	wr(&f, RTC_HOURS_ALARM, 0x12); /* 12 AM: midnight */
	EXPECT_EQ(rtc_next_event_ns(&f.r), at(2024, 8, 5, 0, 0, 0));
	/* Binary 24-hour. */
	wr(&f, RTC_REG_B, RTC_B_AIE | RTC_B_24H | RTC_B_DM_BINARY);
	wr(&f, RTC_HOURS_ALARM, 23);
	wr(&f, RTC_MINUTES_ALARM, 59);
	wr(&f, RTC_SECONDS_ALARM, 59);
	EXPECT_EQ(rtc_next_event_ns(&f.r), at(2024, 8, 4, 23, 59, 59));
}

TEST(rtc, periodic_rates)
{
	for (unsigned rs = 0; rs < 16; rs++) {
		struct rfx f;
		uint64_t t = at(2024, 8, 1, 6, 30, 0);
		rfx_init(&f, t + 12345);
		wr(&f, RTC_REG_A, (uint8_t)(RTC_A_DV_32KHZ | rs));
		wr(&f, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
		unsigned period = rs == 0 ? 0 : rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1);
		test_context("RS %u", rs);
		if (!period) {
			EXPECT_EQ(rtc_next_event_ns(&f.r), UINT64_MAX);
			continue;
		}
		unsigned edges = 0;
		uint64_t prev = 0;
		while (1) {
			uint64_t e = run_to_event(&f);
			if (e > t + 2 * NS)
				break;
			/* The edge is the first ns at which the 32.768 kHz count
			 * reaches a multiple of the period. */
			uint64_t cycles = (e % NS) * RTC_TIMEBASE_HZ / NS;
			EXPECT_EQ(cycles % period, 0);
			EXPECT_EQ((e - 1) % NS * RTC_TIMEBASE_HZ / NS % period, period - 1);
			if (prev)
				EXPECT_LE(e - prev, (uint64_t)period * NS / RTC_TIMEBASE_HZ + 1);
			prev = e;
			EXPECT_EQ(rd(&f, RTC_REG_C) & ~RTC_C_UF, RTC_C_IRQF | RTC_C_PF);
			if (e > t + NS)
				edges++;
		}
		EXPECT_EQ(edges, RTC_TIMEBASE_HZ / period); /* one second's worth */
	}
	/* PF without PIE: the flag only; while SET the divider still ticks. */
	struct rfx f;
	rfx_init(&f, at(2024, 8, 1, 6, 30, 0));
	wr(&f, RTC_REG_A, RTC_A_DV_32KHZ | 0x0f); /* 500 ms */
	wr(&f, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	f.now += NS / 2;
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_PF); /* no UF: SET stops updates */
	EXPECT_EQ(f.irq_calls, 0);
	/* Divider in reset: nothing. */
	wr(&f, RTC_REG_A, DIV_RESET2 | 0x0f);
	wr(&f, RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	f.now += 10 * NS;
	EXPECT_EQ(rd(&f, RTC_REG_C), 0);
	EXPECT_EQ(rtc_next_event_ns(&f.r), UINT64_MAX);
}

TEST(rtc, divider_reset_freezes_the_clock)
{
	struct rfx f;
	uint64_t t = at(2024, 8, 1, 6, 30, 0);
	rfx_init(&f, t + 100);
	wr(&f, RTC_REG_A, DIV_RESET2 | RTC_A_RS_1024HZ);
	f.now += 100 * NS;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x00);
	EXPECT_EQ(rd(&f, RTC_MINUTES), 0x30);
	wr(&f, RTC_REG_A, RTC_A_DV_32KHZ | RTC_A_RS_1024HZ);
	uint64_t released = f.now;
	f.now = released + RTC_FIRST_UPDATE_NS - 1;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x00);
	f.now = released + RTC_FIRST_UPDATE_NS;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x01);
	/* Other DV values stop it as well. */
	wr(&f, RTC_REG_A, 0x00);
	f.now += 10 * NS;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x01);
}

TEST(rtc, hostile_time_bytes_decode_to_defined_values)
{
	struct rfx f;
	rfx_init(&f, at(2024, 8, 1, 6, 30, 0));
	wr(&f, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	wr(&f, RTC_SECONDS, 0xff); /* BCD "15 15": clamped to 59 */
	wr(&f, RTC_MINUTES, 0x7a);
	wr(&f, RTC_HOURS, 0x25);
	wr(&f, RTC_DAY_OF_MONTH, 0x31);
	wr(&f, RTC_MONTH, 0x00);
	wr(&f, RTC_YEAR, 0xa0);
	wr(&f, RTC_CENTURY, 0x20);
	wr(&f, RTC_DAY_OF_WEEK, 0x00);
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0xff); /* stopped: the bytes as written */
	wr(&f, RTC_REG_B, RTC_B_24H);
	expect_time_wday(&f, at_s(2099, 1, 31, 23, 59, 59), false);
	EXPECT_EQ(rd(&f, RTC_DAY_OF_WEEK), 1); /* 0 clamped to 1 */
	wr(&f, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	wr(&f, RTC_MONTH, 0x02); /* February 31st, 2099 */
	wr(&f, RTC_REG_B, RTC_B_24H);
	expect_time_wday(&f, at_s(2099, 3, 3, 23, 59, 59), false);
	/* 12-hour bytes, counted in 12-hour mode: hour 0 AM is 12 AM, 13 PM
	 * is 12 PM; then shown in 24-hour mode. */
	wr(&f, RTC_REG_B, RTC_B_SET);
	wr(&f, RTC_HOURS, 0x00);
	wr(&f, RTC_REG_B, 0);
	EXPECT_EQ(rd(&f, RTC_HOURS), 0x12);
	wr(&f, RTC_REG_B, RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_HOURS), 0x00);
	wr(&f, RTC_REG_B, RTC_B_SET);
	wr(&f, RTC_HOURS, 0x93);
	wr(&f, RTC_REG_B, 0);
	wr(&f, RTC_REG_B, RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_HOURS), 0x12);
	/* Bytes written in one format and counted in another (SET cleared
	 * together with a mode change) decode in the new one, as on the chip. */
	wr(&f, RTC_REG_B, RTC_B_SET);
	wr(&f, RTC_HOURS, 0x93);
	wr(&f, RTC_REG_B, RTC_B_24H);
	EXPECT_EQ(rd(&f, RTC_HOURS), 0x23);
	/* Year 9999 runs into year 10000, shown as century 0, year 0. */
	wr(&f, RTC_REG_B, RTC_B_SET | RTC_B_24H);
	wr(&f, RTC_CENTURY, 0x99);
	wr(&f, RTC_YEAR, 0x99);
	wr(&f, RTC_MONTH, 0x12);
	wr(&f, RTC_DAY_OF_MONTH, 0x31);
	wr(&f, RTC_HOURS, 0x23);
	wr(&f, RTC_MINUTES, 0x59);
	wr(&f, RTC_SECONDS, 0x59);
	wr(&f, RTC_REG_B, RTC_B_24H);
	f.now += 2 * NS;
	EXPECT_EQ(rd(&f, RTC_CENTURY), 0x00);
	EXPECT_EQ(rd(&f, RTC_YEAR), 0x00);
	EXPECT_EQ(rd(&f, RTC_MONTH), 0x01);
}

TEST(rtc, ram_ports_and_sizes)
{
	struct rfx f;
	rfx_init(&f, at(2024, 8, 1, 6, 30, 0));
	for (unsigned i = RTC_FIRST_RAM; i < RTC_CMOS_SIZE; i++) {
		if (i == RTC_CENTURY)
			continue;
		wr(&f, i, (uint8_t)(i * 7));
	}
	for (unsigned i = RTC_FIRST_RAM; i < RTC_CMOS_SIZE; i++)
		if (i != RTC_CENTURY)
			EXPECT_EQ(rd(&f, i), (uint8_t)(i * 7));
	EXPECT_EQ(rtc_set_ram(&f.r, RTC_SHUTDOWN, 0x0a), 0);
	EXPECT_EQ(rd(&f, RTC_SHUTDOWN), 0x0a);
	EXPECT_EQ(rtc_set_ram(&f.r, RTC_CENTURY, 0), -EINVAL);
	EXPECT_EQ(rtc_set_ram(&f.r, RTC_REG_D, 0), -EINVAL);
	EXPECT_EQ(rtc_set_ram(&f.r, RTC_CMOS_SIZE, 0), -EINVAL);
	/* C and D are read-only. */
	wr(&f, RTC_REG_C, 0xff);
	wr(&f, RTC_REG_D, 0x00);
	EXPECT_EQ(rd(&f, RTC_REG_C), 0);
	EXPECT_EQ(rd(&f, RTC_REG_D), RTC_D_VRT);
	/* The index port: bit 7 the NMI mask (kept), write-only. */
	port_out(&f, RTC_INDEX_PORT, RTC_NMI_DISABLE | RTC_SHUTDOWN);
	EXPECT_TRUE(f.r.nmi_disabled);
	EXPECT_EQ(port_in(&f, RTC_DATA_PORT), 0x0a);
	EXPECT_EQ(port_in(&f, RTC_INDEX_PORT), 0xff);
	port_out(&f, RTC_INDEX_PORT, RTC_SHUTDOWN);
	EXPECT_FALSE(f.r.nmi_disabled);
	/* A word at 0x70: index then data (what "out 0x70, ax" does). */
	uint32_t v = RTC_SHUTDOWN | 0x55 << 8;
	EXPECT_EQ(rtc_io(&f.r, RTC_INDEX_PORT, 2, true, &v), 0);
	EXPECT_EQ(rd(&f, RTC_SHUTDOWN), 0x55);
	EXPECT_EQ(rtc_io(&f.r, RTC_INDEX_PORT, 4, false, &v), 0);
	EXPECT_EQ(v, 0xffff55ffu);
	EXPECT_EQ(rtc_io(&f.r, RTC_DATA_PORT, 2, false, &v), 0);
	EXPECT_EQ(v, 0xff55u);
	static const unsigned bad[] = {0, 3, 5, 8};
	for (unsigned i = 0; i < 4; i++) {
		EXPECT_EQ(rtc_io(&f.r, RTC_DATA_PORT, bad[i], false, &v), -EINVAL);
		EXPECT_EQ(v, 0xffffffffu);
		EXPECT_EQ(rtc_io(&f.r, RTC_INDEX_PORT, bad[i], true, &v), -EINVAL);
	}
	EXPECT_EQ(rtc_io(&f.r, 0x72, 1, false, &v), -ENOENT);
	EXPECT_EQ(v, 0xffffffffu);
	EXPECT_EQ(rtc_io(&f.r, 0x6f, 4, true, &v), -ENOENT);
	EXPECT_EQ(rd(&f, RTC_SHUTDOWN), 0x55);
}

TEST(rtc, host_clock_stepping_back)
{
	struct rfx f;
	uint64_t t = at(2024, 8, 1, 6, 30, 10);
	rfx_init(&f, t);
	wr(&f, RTC_REG_A, RTC_A_DV_32KHZ);
	wr(&f, RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	f.now = t - 30 * NS;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x10); /* the guest's clock waits */
	EXPECT_EQ(rd(&f, RTC_REG_C), 0);
	EXPECT_EQ(rtc_next_event_ns(&f.r), t + NS);
	f.now = t + NS;
	EXPECT_EQ(rd(&f, RTC_SECONDS), 0x11);
	EXPECT_EQ(rd(&f, RTC_REG_C), RTC_C_IRQF | RTC_C_UF);
}

TEST(rtc, random_accesses_keep_the_invariants)
{
	struct rfx f;
	rfx_init(&f, at(2024, 8, 1, 6, 30, 10));
	srand(8);
	for (unsigned n = 0; n < 100000; n++) {
		unsigned op = (unsigned)rand() % 8;
		uint32_t v = (uint32_t)rand();
		if (op < 4) {
			unsigned size = 1u << (rand() % 3);
			EXPECT_EQ(rtc_io(&f.r, (uint16_t)(RTC_INDEX_PORT + (rand() & 1)), size, op & 1, &v),
				  0);
		} else if (op == 4) {
			f.now += (uint64_t)rand() % (2 * NS);
		} else if (op == 5) {
			uint64_t e = rtc_next_event_ns(&f.r);
			if (e != UINT64_MAX && e >= f.now && e - f.now < 100 * NS) {
				bool was = f.level;
				f.now = e;
				rtc_tick(&f.r, e);
				EXPECT_TRUE(f.level || was);
			}
		} else {
			rtc_tick(&f.r, f.now);
		}
		EXPECT_EQ(f.level, !!(f.r.flags & RTC_C_IRQF));
		EXPECT_LT(f.r.last.ns, NS);
		EXPECT_LT(f.r.off.ns, NS);
		EXPECT_LT(f.r.wday_adj, 7);
		if (f.level)
			EXPECT_EQ(rtc_next_event_ns(&f.r), UINT64_MAX);
	}
}
