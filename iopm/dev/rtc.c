/* SPDX-License-Identifier: GPL-2.0-only */
/* rtc.c: the guest's MC146818A (data sheet: time, calendar and alarm
 * bytes in BCD or binary, 12/24-hour mode, registers A-D, the update
 * cycle with UIP, the alarm's "don't care" bytes, the periodic rate table,
 * the divider reset) on top of the host's wall clock: while the divider
 * runs, guest time = host time + an offset that the guest's writes move
 * (the host clock is never set), and the time bytes are computed from it
 * when read. Updates, alarms and periodic edges are counted when an access
 * or rtc_tick() comes, for the whole time since the last one, so register
 * C is exact without a thread. docs/vdevices.md "Device models in iopmd". */
#include "iopm/dev/rtc.h"

#include <errno.h>
#include <string.h>

static const uint32_t ns_per_s = 1000000000u;
static const int64_t secs_per_day = 86400;
static const int64_t epoch_year = 1970; /* 1970-01-01 was a Thursday */
static const int64_t epoch_wday = 4;	/* days after a Sunday */
static const int64_t never = INT64_MAX;

struct rtc_date {
	int64_t year; /* 0-9999 from the guest; the clock may run past it */
	unsigned mon, mday, hour, min, sec;
	unsigned wday; /* 0 = Sunday */
};

/* ---- the calendar (proleptic Gregorian, UTC) ---- */

static const uint16_t days_before_month[2][13] = {
    {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
    {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
};

static bool leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 0000-01-01 to y-01-01, y >= 0: the leap years before y are
 * those in [0, y) divisible by 4, less those by 100, plus those by 400. */
static int64_t days_before_year(int64_t y)
{
	return 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int64_t date_to_seconds(const struct rtc_date *d)
{
	/* A day past the month's end (February 31) runs into the next month. */
	int64_t days = days_before_year(d->year) - days_before_year(epoch_year) +
		       days_before_month[leap_year(d->year)][d->mon - 1] + d->mday - 1;
	return days * secs_per_day + d->hour * 3600 + d->min * 60 + d->sec;
}

static struct rtc_date seconds_to_date(int64_t s)
{
	struct rtc_date d;
	int64_t days = floor_div(s, secs_per_day), sod = s - days * secs_per_day;
	int64_t total = days + days_before_year(epoch_year); /* days since 0000-01-01, >= 0 */
	int64_t y = total * 400 / 146097;		     /* 146097 days in 400 years */
	while (y > 0 && days_before_year(y) > total)
		y--;
	while (days_before_year(y + 1) <= total)
		y++;
	unsigned doy = (unsigned)(total - days_before_year(y)), m = 1;
	const uint16_t *before = days_before_month[leap_year(y)];
	while (m < 12 && before[m] <= doy)
		m++;
	d.year = y;
	d.mon = m;
	d.mday = doy - before[m - 1] + 1;
	d.hour = (unsigned)(sod / 3600);
	d.min = (unsigned)(sod / 60 % 60);
	d.sec = (unsigned)(sod % 60);
	d.wday = (unsigned)(days + epoch_wday - floor_div(days + epoch_wday, 7) * 7);
	return d;
}

/* ---- register formats (the data modes table) ---- */

static bool binary(const struct rtc *r)
{
	return r->cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

static bool hours24(const struct rtc *r)
{
	return r->cmos[RTC_REG_B] & RTC_B_24H;
}

static uint8_t enc(const struct rtc *r, unsigned v)
{
	return (uint8_t)(binary(r) ? v : (v / 10) << 4 | v % 10);
}

/* Bytes the chip would not produce decode to defined values: a BCD digit
 * above 9 counts as its binary value, then the field is clamped. */
static unsigned dec(const struct rtc *r, uint8_t b, unsigned lo, unsigned hi)
{
	unsigned v = binary(r) ? b : (b >> 4) * 10u + (b & 0xf);
	return v < lo ? lo : v > hi ? hi : v;
}

static uint8_t enc_hour(const struct rtc *r, unsigned h)
{
	if (hours24(r))
		return enc(r, h);
	return (uint8_t)(enc(r, h % 12 ? h % 12 : 12) | (h >= 12 ? RTC_HOURS_PM : 0));
}

static unsigned dec_hour(const struct rtc *r, uint8_t b)
{
	if (hours24(r))
		return dec(r, b, 0, 23);
	/* 12 and 0 both mean the first hour of the half-day. */
	return dec(r, b & ~RTC_HOURS_PM, 0, 12) % 12 + (b & RTC_HOURS_PM ? 12 : 0);
}

static bool time_byte(unsigned i)
{
	switch (i) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_DAY_OF_WEEK:
	case RTC_DAY_OF_MONTH:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		return true;
	default:
		return false;
	}
}

/* The time byte `i` of the date `d`. */
static uint8_t enc_field(const struct rtc *r, const struct rtc_date *d, unsigned i)
{
	switch (i) {
	case RTC_SECONDS:
		return enc(r, d->sec);
	case RTC_MINUTES:
		return enc(r, d->min);
	case RTC_HOURS:
		return enc_hour(r, d->hour);
	case RTC_DAY_OF_WEEK:
		return enc(r, (d->wday + r->wday_adj) % 7 + 1);
	case RTC_DAY_OF_MONTH:
		return enc(r, d->mday);
	case RTC_MONTH:
		return enc(r, d->mon);
	case RTC_YEAR:
		return enc(r, (unsigned)(d->year % 100));
	default: /* RTC_CENTURY */
		return enc(r, (unsigned)(d->year / 100 % 100));
	}
}

/* Put the time byte `i` = b into the date `d` (the day of week goes into
 * wday_adj: the chip counts whatever it was given). */
static void dec_field(struct rtc *r, struct rtc_date *d, unsigned i, uint8_t b)
{
	switch (i) {
	case RTC_SECONDS:
		d->sec = dec(r, b, 0, 59);
		break;
	case RTC_MINUTES:
		d->min = dec(r, b, 0, 59);
		break;
	case RTC_HOURS:
		d->hour = dec_hour(r, b);
		break;
	case RTC_DAY_OF_WEEK:
		r->wday_adj = (uint8_t)((dec(r, b, 1, 7) - 1 + 7 - d->wday) % 7);
		break;
	case RTC_DAY_OF_MONTH:
		d->mday = dec(r, b, 1, 31);
		break;
	case RTC_MONTH:
		d->mon = dec(r, b, 1, 12);
		break;
	case RTC_YEAR:
		d->year = d->year / 100 * 100 + dec(r, b, 0, 99);
		break;
	default: /* RTC_CENTURY */
		d->year = dec(r, b, 0, 99) * 100 + d->year % 100;
		break;
	}
}

static const uint8_t date_bytes[] = {RTC_CENTURY, RTC_YEAR,    RTC_MONTH,  RTC_DAY_OF_MONTH,
				     RTC_HOURS,	  RTC_MINUTES, RTC_SECONDS};

/* ---- the time base ---- */

static bool divider_runs(const struct rtc *r)
{
	return (r->cmos[RTC_REG_A] & RTC_A_DV_MASK) == RTC_A_DV_32KHZ;
}

/* The time bytes count (else they hold what was last written). */
static bool ticking(const struct rtc *r)
{
	return divider_runs(r) && !(r->cmos[RTC_REG_B] & RTC_B_SET);
}

static bool earlier(struct rtc_time a, struct rtc_time b)
{
	return a.s < b.s || (a.s == b.s && a.ns < b.ns);
}

static struct rtc_time guest_at(const struct rtc *r, uint64_t host_ns)
{
	struct rtc_time t = {(int64_t)(host_ns / ns_per_s) + r->off.s,
			     (uint32_t)(host_ns % ns_per_s) + r->off.ns};
	if (t.ns >= ns_per_s) {
		t.ns -= ns_per_s;
		t.s++;
	}
	return t;
}

/* The host time at which the guest clock reads `t` (0 if past). */
static uint64_t host_at(const struct rtc *r, struct rtc_time t)
{
	int64_t s = t.s - r->off.s, ns = (int64_t)t.ns - r->off.ns;
	if (s < 0 || (s == 0 && ns <= 0))
		return 0;
	if ((uint64_t)s >= UINT64_MAX / ns_per_s)
		return UINT64_MAX - 1;
	return (uint64_t)s * ns_per_s + (uint64_t)(int64_t)ns;
}

/* Move the guest clock to second `s`, keeping its fraction (the divider
 * chain's phase). */
static void set_seconds(struct rtc *r, int64_t s)
{
	r->off.s += s - r->last.s;
	r->last.s = s;
}

/* Periodic rate in time-base cycles (0: none). */
static unsigned period_cycles(const struct rtc *r)
{
	unsigned rs = r->cmos[RTC_REG_A] & RTC_A_RS_MASK;
	if (!rs)
		return 0;
	if (rs <= RTC_A_RS_ALIAS_MAX)
		rs += RTC_A_RS_ALIAS_ADD;
	return 1u << (rs - 1);
}

static unsigned cycles_in_second(uint32_t ns)
{
	return (unsigned)((uint64_t)ns * RTC_TIMEBASE_HZ / ns_per_s);
}

/* The periodic edges happen where the divider's count crosses a multiple
 * of the period; every period divides a second. */
static bool same_period(struct rtc_time a, struct rtc_time b, unsigned p)
{
	return a.s == b.s && cycles_in_second(a.ns) / p == cycles_in_second(b.ns) / p;
}

static struct rtc_time next_edge(struct rtc_time t, unsigned p)
{
	uint64_t c = (cycles_in_second(t.ns) / p + 1) * (uint64_t)p;
	if (c >= RTC_TIMEBASE_HZ)
		return (struct rtc_time){t.s + 1, 0};
	/* The first ns at which the count reaches c. */
	return (struct rtc_time){t.s, (uint32_t)((c * ns_per_s + RTC_TIMEBASE_HZ - 1) / RTC_TIMEBASE_HZ)};
}

/* ---- the alarm ---- */

enum { ALARM_ANY = -1, ALARM_NONE = -2 };

/* The value the alarm byte `reg` matches: one of 0..range-1, every value
 * (bits 7:6 set), or none (a byte the clock never shows). */
static int alarm_value(const struct rtc *r, unsigned reg, unsigned range)
{
	uint8_t a = r->cmos[reg];
	if ((a & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE)
		return ALARM_ANY;
	for (unsigned v = 0; v < range; v++)
		if ((reg == RTC_HOURS_ALARM ? enc_hour(r, v) : enc(r, v)) == a)
			return (int)v;
	return ALARM_NONE;
}

/* The first second >= from at whose update the alarm matches, or never. */
static int64_t alarm_next(const struct rtc *r, int64_t from)
{
	int hv = alarm_value(r, RTC_HOURS_ALARM, 24), mv = alarm_value(r, RTC_MINUTES_ALARM, 60);
	int sv = alarm_value(r, RTC_SECONDS_ALARM, 60);
	if (hv == ALARM_NONE || mv == ALARM_NONE || sv == ALARM_NONE)
		return never;
	/* Each step moves to the next time the first wrong field is right,
	 * with the fields below it at 0; a handful of steps converge. */
	int64_t t = from;
	for (int step = 0; step < 16; step++) {
		int64_t day = floor_div(t, secs_per_day), sod = t - day * secs_per_day;
		int64_t h = sod / 3600, m = sod / 60 % 60, s = sod % 60;
		if (hv >= 0 && h != hv)
			t = day * secs_per_day + hv * 3600 + (hv < h ? secs_per_day : 0);
		else if (mv >= 0 && m != mv)
			t = t - sod % 3600 + mv * 60 + (mv < m ? 3600 : 0);
		else if (sv >= 0 && s != sv)
			t = t - s + sv + (sv < s ? 60 : 0);
		else
			return t;
	}
	return never;
}

/* ---- events ---- */

/* Count what happened between the last access and host time `now`:
 * the updates (UF, and AF if one matched the alarm) and periodic edges. */
static void advance(struct rtc *r, uint64_t now)
{
	if (!divider_runs(r))
		return;
	struct rtc_time g = guest_at(r, now);
	if (!earlier(r->last, g))
		return; /* the host clock stepped back: the guest's does not */
	if (ticking(r) && g.s > r->last.s) {
		r->flags |= RTC_C_UF;
		if (alarm_next(r, r->last.s + 1) <= g.s)
			r->flags |= RTC_C_AF;
	}
	unsigned p = period_cycles(r);
	if (p && !same_period(r->last, g, p))
		r->flags |= RTC_C_PF;
	r->last = g;
}

static void update_irq(struct rtc *r)
{
	uint8_t f = r->flags, b = r->cmos[RTC_REG_B];
	if (((f & RTC_C_PF) && (b & RTC_B_PIE)) || ((f & RTC_C_AF) && (b & RTC_B_AIE)) ||
	    ((f & RTC_C_UF) && (b & RTC_B_UIE)))
		r->flags |= RTC_C_IRQF;
	bool level = r->flags & RTC_C_IRQF;
	if (level == r->irq)
		return;
	r->irq = level;
	r->ops->irq(r->ctx, level);
}

uint64_t rtc_next_event_ns(const struct rtc *r)
{
	if (!divider_runs(r) || (r->flags & RTC_C_IRQF))
		return UINT64_MAX;
	uint8_t b = r->cmos[RTC_REG_B];
	struct rtc_time best = {never, 0};
	unsigned p = period_cycles(r);
	if ((b & RTC_B_PIE) && p)
		best = next_edge(r->last, p);
	if (ticking(r) && (b & RTC_B_UIE) && r->last.s + 1 < best.s)
		best = (struct rtc_time){r->last.s + 1, 0};
	if (ticking(r) && (b & RTC_B_AIE)) {
		int64_t t = alarm_next(r, r->last.s + 1);
		if (t < best.s || (t == best.s && best.ns))
			best = (struct rtc_time){t, 0};
	}
	return best.s == never ? UINT64_MAX : host_at(r, best);
}

/* ---- stopping and starting the clock ---- */

/* The time bytes take the clock's values, in the current format. */
static void latch(struct rtc *r)
{
	struct rtc_date d = seconds_to_date(r->last.s);
	for (unsigned i = 0; i < sizeof(date_bytes); i++)
		r->cmos[date_bytes[i]] = enc_field(r, &d, date_bytes[i]);
	r->cmos[RTC_DAY_OF_WEEK] = enc_field(r, &d, RTC_DAY_OF_WEEK);
}

/* The second the time bytes say (and the day of week they imply). */
static int64_t unlatch(struct rtc *r)
{
	struct rtc_date d = {.year = 0, .mon = 1, .mday = 1};
	for (unsigned i = 0; i < sizeof(date_bytes); i++)
		dec_field(r, &d, date_bytes[i], r->cmos[date_bytes[i]]);
	int64_t s = date_to_seconds(&d);
	d = seconds_to_date(s);
	dec_field(r, &d, RTC_DAY_OF_WEEK, r->cmos[RTC_DAY_OF_WEEK]);
	return s;
}

/* Registers A and B take `a` and `b`: the clock stops (the time bytes
 * keep the values they show, in the format before the write), or starts
 * (from the values the bytes hold, in the new format). The divider out of
 * reset makes its first update half a second later; SET cleared with the
 * divider running keeps its phase. */
static void set_control(struct rtc *r, uint8_t a, uint8_t b, uint64_t now)
{
	bool was_dividing = divider_runs(r), was_ticking = ticking(r);
	if (was_ticking && !((a & RTC_A_DV_MASK) == RTC_A_DV_32KHZ && !(b & RTC_B_SET)))
		latch(r);
	r->cmos[RTC_REG_A] = a;
	r->cmos[RTC_REG_B] = b;
	if (!was_dividing && divider_runs(r)) {
		struct rtc_time want = {r->last.s, RTC_FIRST_UPDATE_NS};
		int64_t ns = (int64_t)want.ns - (int64_t)(now % ns_per_s);
		r->off.s = want.s - (int64_t)(now / ns_per_s) - (ns < 0);
		r->off.ns = (uint32_t)(ns < 0 ? ns + ns_per_s : ns);
		r->last = want;
	}
	if (!was_ticking && ticking(r))
		set_seconds(r, unlatch(r));
}

/* ---- the ports ---- */

static void data_write(struct rtc *r, uint8_t v, uint64_t now)
{
	unsigned i = r->index;
	switch (i) {
	case RTC_REG_A:
		set_control(r, v & RTC_A_WRITABLE, r->cmos[RTC_REG_B], now);
		return;
	case RTC_REG_B:
		/* Setting SET clears UIE (the data sheet), whatever the write says. */
		set_control(r, r->cmos[RTC_REG_A], v & RTC_B_SET ? v & ~RTC_B_UIE : v, now);
		return;
	case RTC_REG_C:
	case RTC_REG_D:
		return; /* read-only */
	default:
		break;
	}
	if (!time_byte(i) || !ticking(r)) {
		r->cmos[i] = v;
		return;
	}
	/* A running clock takes the new field from here on. */
	struct rtc_date d = seconds_to_date(r->last.s);
	dec_field(r, &d, i, v);
	if (i != RTC_DAY_OF_WEEK)
		set_seconds(r, date_to_seconds(&d));
}

static uint8_t data_read(struct rtc *r)
{
	unsigned i = r->index;
	uint8_t v;
	switch (i) {
	case RTC_REG_A:
		v = r->cmos[RTC_REG_A];
		if (ticking(r) && r->last.ns >= ns_per_s - RTC_UIP_NS)
			v |= RTC_A_UIP; /* the next update is less than 244 us away */
		return v;
	case RTC_REG_C:
		v = r->flags;
		r->flags = 0;
		return v;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		break;
	}
	if (time_byte(i) && ticking(r)) {
		struct rtc_date d = seconds_to_date(r->last.s);
		return enc_field(r, &d, i);
	}
	return r->cmos[i];
}

int rtc_io(struct rtc *r, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	if ((port != RTC_INDEX_PORT && port != RTC_DATA_PORT) || (size != 1 && size != 2 && size != 4)) {
		if (!write)
			*val = 0xffffffffu;
		return port != RTC_INDEX_PORT && port != RTC_DATA_PORT ? -ENOENT : -EINVAL;
	}
	uint64_t now = r->ops->now(r->ctx);
	uint32_t in = write ? *val : 0, out = 0;
	advance(r, now);
	for (unsigned i = 0; i < size; i++) {
		unsigned p = port + i;
		uint8_t b = (uint8_t)(in >> (8 * i));
		if (p == RTC_INDEX_PORT && write) {
			r->index = b & RTC_INDEX_MASK;
			r->nmi_disabled = b & RTC_NMI_DISABLE;
		} else if (p == RTC_DATA_PORT && write) {
			data_write(r, b, now);
		} else if (p == RTC_DATA_PORT) {
			out |= (uint32_t)data_read(r) << (8 * i);
		} else if (!write) {
			out |= 0xffu << (8 * i); /* the write-only index, or past 0x71 */
		}
	}
	if (!write)
		*val = out;
	update_irq(r);
	return 0;
}

void rtc_tick(struct rtc *r, uint64_t now_ns)
{
	advance(r, now_ns);
	update_irq(r);
}

int rtc_set_ram(struct rtc *r, unsigned index, uint8_t val)
{
	if (index < RTC_FIRST_RAM || index >= RTC_CMOS_SIZE || index == RTC_CENTURY)
		return -EINVAL;
	r->cmos[index] = val;
	return 0;
}

void rtc_init(struct rtc *r, const struct rtc_ops *ops, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->ctx = ctx;
	r->cmos[RTC_REG_A] = RTC_A_DV_32KHZ | RTC_A_RS_1024HZ;
	r->cmos[RTC_REG_B] = RTC_B_24H;
	r->last = guest_at(r, ops->now(ctx));
}
