/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_com1flood: floods COM1, the port whose bytes the VMM copies to
 * its own log (docs/guest-platform.md "COM1"; docs/guest-tests.md
 * "Resource isolation"). After a quiet start (rt/pace.h) it alternates REP
 * OUTSB of 4096 bytes (lines of 100 characters) and single OUTs of one long
 * line without a newline (4000 characters), to 0x3f8, until the end of the
 * attack, polling nothing. The VMM must keep its other guests' pace (the
 * victim beside it) and stay alive; LSR must keep saying "idle". */
#include "rt/rt.h"

#include "rt/pace.h"
#include "rt/timer.h"

#define COM1	       0x3f8
#define COM1_LSR       (COM1 + 5)
#define LSR_IDLE       0x60 /* THR empty, transmitter empty */
#define BURST	       4096
#define LINE	       100
#define LONG_LINE      4000
#define QUIET_AFTER_MS 500

static char burst[BURST];

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	pace_t0();
	/* Only letters and digits: nothing a log reader could take for a
	 * PASS/FAIL line or a VMM message. */
	for (int i = 0; i < BURST; i++)
		burst[i] = i % LINE == LINE - 1 ? '\n' : "floodABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[i % 41];
	pace_hostile_start("REP OUTSB and single OUTs to COM1");
	uint32_t bursts = 0, lines = 0, not_idle = 0;
	while (pace_hostile_running()) {
		uintptr_t c = BURST, s = (uintptr_t)burst;
		__asm__ volatile("cld; rep outsb" : "+c"(c), "+S"(s) : "d"(COM1) : "memory");
		bursts++;
		for (int i = 0; i < LONG_LINE; i++)
			outb(COM1, (uint8_t)('a' + i % 26));
		outb(COM1, '\n');
		lines++;
		not_idle += inb(COM1_LSR) != LSR_IDLE;
	}
	/* coopvmm rate-limits a guest's COM1 lines (docs/guest-platform.md):
	 * let the limit refill before the lines that report. */
	pace_sleep_until((uint32_t)udiv64(tsc_to_us(rdtsc() - pace_t0()), 1000, NULL) + QUIET_AFTER_MS);
	printf("%u bursts of %u bytes, %u lines of %u bytes\n", bursts, BURST, lines, LONG_LINE);
	EXPECT_GT(bursts, 0);
	if (under_coopvmm())
		EXPECT_EQ(not_idle, 0);
	return 0;
}
