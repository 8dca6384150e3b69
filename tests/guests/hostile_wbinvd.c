/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_wbinvd: cache control as a weapon (docs/guest-tests.md
 * "Resource isolation"; Intel SDM Vol. 2A WBINVD, INVD; Vol. 3A 11.5.1
 * CR0.CD/NW). After a quiet start (rt/pace.h) it loops WBINVD (on hardware
 * a flush of every cache of the package, which another guest pays for) with
 * an INVD now and then (which must never reach the hardware: it would drop
 * dirty lines of the VMM and of other guests), with CR0.CD (and NW) flipped
 * from what it found, written by a MOV that changes no bit the VMM owns.
 * Its own CR0 must keep reading what it wrote, and the victim beside it
 * (victim_pace) must keep its own CR0 and its pace. */
#include "rt/rt.h"

#include "rt/pace.h"
#include "rt/timer.h"

#define INVD_EVERY 64

static void invd(void)
{
	__asm__ volatile("invd" : : : "memory");
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	pace_t0();
	pace_hostile_start("WBINVD/INVD loop with CR0.CD flipped");
	uintptr_t cr0 = read_cr0();
	/* CD set: NW clear (CD = 0 with NW = 1 is #GP); CD clear: NW clear too. */
	uintptr_t mine =
	    cr0 & CR0_CD ? cr0 & ~(uintptr_t)(CR0_CD | CR0_NW) : (cr0 | CR0_CD) & ~(uintptr_t)CR0_NW;
	write_cr0(mine);
	printf("CR0 %#lx -> %#lx (read back %#lx)\n", (unsigned long)cr0, (unsigned long)mine,
	       (unsigned long)read_cr0());
	EXPECT_EQ(read_cr0(), mine);
	uint32_t loops = 0, changed = 0;
	uintptr_t seen = mine;
	while (pace_hostile_running()) {
		wbinvd();
		if (++loops % INVD_EVERY == 0)
			invd();
		uintptr_t now = read_cr0();
		if (now != mine && !changed++)
			seen = now;
	}
	write_cr0(cr0);
	printf("%u WBINVD, %u INVD; my CR0 read something else %u times (first %#lx)\n", loops,
	       loops / INVD_EVERY, changed, (unsigned long)seen);
	EXPECT_GT(loops, 0);
	EXPECT_EQ(changed, 0);
	EXPECT_EQ(read_cr0(), cr0);
	return 0;
}
