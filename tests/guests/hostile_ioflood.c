/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_ioflood: a storm of port I/O exits to an unclaimed port (0x2e0),
 * bounded in time: single OUTs, then IN, then REP OUTSB/INSB bursts, each
 * for a fixed TSC interval (or a count cap). The VMM must keep up (and keep
 * its other guests running); the guest then passes. */
#include "rt/rt.h"

#include "rt/timer.h"

#define FLOOD_PORT  0x2e0
#define PHASE_MS    150
#define MAX_SINGLE  2000000U
#define BURST_BYTES 512

static uint8_t burst[BURST_BYTES];

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	uint64_t ticks = ms_to_tsc(PHASE_MS);

	uint32_t outs = 0;
	uint64_t end = rdtsc() + ticks;
	while (outs < MAX_SINGLE && rdtsc() < end)
		for (int i = 0; i < 64; i++, outs++)
			outb(FLOOD_PORT, (uint8_t)outs);
	printf("%u single OUTs in %u ms\n", outs, PHASE_MS);

	uint32_t ins = 0, bad = 0;
	end = rdtsc() + ticks;
	while (ins < MAX_SINGLE && rdtsc() < end)
		for (int i = 0; i < 64; i++, ins++)
			bad += inl(FLOOD_PORT) != 0xffffffff;
	printf("%u single INs in %u ms, %u not all ones\n", ins, PHASE_MS, bad);

	uint32_t bursts = 0;
	end = rdtsc() + ticks;
	while (bursts < MAX_SINGLE / BURST_BYTES && rdtsc() < end) {
		uint32_t c = BURST_BYTES, s = (uint32_t)burst;
		__asm__ volatile("cld; rep outsb" : "+c"(c), "+S"(s) : "d"(FLOOD_PORT) : "memory");
		c = BURST_BYTES;
		uint32_t d = (uint32_t)burst;
		__asm__ volatile("cld; rep insb" : "+c"(c), "+D"(d) : "d"(FLOOD_PORT) : "memory");
		bursts++;
	}
	printf("%u REP OUTSB + REP INSB bursts of %u bytes in %u ms\n", bursts, BURST_BYTES, PHASE_MS);
	EXPECT_GT(outs, 0);
	EXPECT_GT(ins, 0);
	EXPECT_GT(bursts, 0);
	EXPECT_EQ(bad, 0);
	for (int i = 0; i < BURST_BYTES; i++)
		EXPECT_EQ(burst[i], 0xff);
	return 0;
}
