/* SPDX-License-Identifier: GPL-2.0-only */
/* rtc.h: a guest's MC146818A real-time clock and 128 bytes of CMOS RAM at
 * ports 0x70/0x71, IRQ 8 (MC146818A data sheet; PC/AT CMOS map; ACPI's
 * century byte 0x32) for iopmd, as a state machine: time comes from the
 * now() callback or rtc_tick()'s argument, interrupts go out through
 * irq(), and rtc_next_event_ns() says when the caller must tick it. No
 * thread, no I/O. docs/vdevices.md "Device models in iopmd". */
#ifndef IOPM_DEV_RTC_H
#define IOPM_DEV_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/rtc.h"

struct rtc_ops {
	/* Wall-clock time in ns since 1970-01-01 00:00:00 UTC (the IOPM's
	 * CLOCK_REALTIME). Never changed by the model. */
	uint64_t (*now)(void *ctx);
	/* IRQ 8 changed to `level` (called on changes only): raised when
	 * register C's IRQF sets, lowered when the guest reads register C. */
	void (*irq)(void *ctx, bool level);
};

/* A point of the guest's clock: seconds since the epoch (any of years
 * 0-9999, so signed and wider than ns) and the fraction. */
struct rtc_time {
	int64_t s;
	uint32_t ns;
};

struct rtc {
	const struct rtc_ops *ops;
	void *ctx;
	/* RAM, alarm bytes and registers A and B as written; the time and
	 * century bytes only while the clock is stopped (SET, divider). */
	uint8_t cmos[RTC_CMOS_SIZE];
	uint8_t index;	   /* selected register (bits 6:0 of the last index write) */
	bool nmi_disabled; /* bit 7 of the last index write: kept, no NMI exists */
	uint8_t flags;	   /* register C */
	uint8_t wday_adj;  /* the guest's day of week minus the computed one, mod 7 */
	/* While the divider runs: guest time = host time + offset. */
	struct rtc_time off;
	/* Guest time up to which updates and periodic edges are counted; the
	 * current guest time (it never runs backwards). */
	struct rtc_time last;
	bool irq;
};

/* Power-on: the clock at the host's UTC time, register A 0x26 (32.768 kHz,
 * 1024 Hz periodic rate), B 0x02 (24-hour, BCD, no interrupts), C 0, D
 * VRT; RAM 0. Calls ops->now once, no irq. */
void rtc_init(struct rtc *r, const struct rtc_ops *ops, void *ctx);
/* A guest access of `size` bytes (1, 2, 4) at `port`: 0x70 is the
 * write-only index (reads 0xff), 0x71 the selected byte; a wider access
 * is the bus's byte accesses on consecutive ports (bytes past 0x71 read
 * 0xff). Returns 0, -ENOENT (not these ports) or -EINVAL (size); on a
 * refused read *val is all ones. May call ops->irq. */
int rtc_io(struct rtc *r, uint16_t port, unsigned size, bool write, uint32_t *val);
/* The host time `now_ns` has come: count the updates, alarms and periodic
 * edges up to it, and raise IRQ 8 if one is enabled. */
void rtc_tick(struct rtc *r, uint64_t now_ns);
/* The host time at which rtc_tick() next raises IRQ 8, if no access comes
 * first; UINT64_MAX: never (nothing enabled, IRQ 8 already high until
 * register C is read, or the clock stopped). Ask again after every
 * rtc_io() and rtc_tick(). */
uint64_t rtc_next_event_ns(const struct rtc *r);
/* Fill a RAM byte (index RTC_FIRST_RAM-127 but RTC_CENTURY) before the
 * guest starts, e.g. the PC/AT memory size bytes. 0 or -EINVAL. */
int rtc_set_ram(struct rtc *r, unsigned index, uint8_t val);

#endif
