/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile.c: what a misbehaving IOPM can write into its own part of the
 * shared zone (through /dev/coopvmm, as iopmd does), to check that the VMM
 * stays sane: tests/system/qemu_iopm_hostile.py packs it into a test-only
 * initramfs overlay. Not part of the IOPM's real initramfs.
 *   hostile note STATE TEXT   write TEXT as the note (up to 63 bytes), then
 *                             STATE (enum coop_iopm_state) -- the VMM prints
 *                             the note when the state says HALTED/PANICKED
 *   hostile flood SECONDS     request 15 bad routes (route[1..15], IRQ 99)
 *                             and bump route_seq every 10 ms for SECONDS:
 *                             without a rate limit the VMM logs 150 refusals
 *                             a second; then withdraw them
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coopdev.h"

#define FLOOD_FIRST_ROUTE 1  /* route 0 is iopm.ko's console route: left alone */
#define FLOOD_IRQ	  99 /* not an ISA IRQ: the VMM refuses it */
#define FLOOD_PERIOD_NS	  10000000L

static void bump_seq(struct coop_iopm_ctrl *c)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&c->route_seq, c->route_seq + 1, __ATOMIC_RELAXED);
}

static int flood(struct coop_iopm_ctrl *c, double seconds)
{
	struct timespec t0, now, period = {0, FLOOD_PERIOD_NS};
	unsigned long bumps = 0;
	unsigned i;

	for (i = FLOOD_FIRST_ROUTE; i < COOP_MAX_ROUTES; i++) {
		c->route[i].irq = FLOOD_IRQ;
		c->route[i].vector = 0x33;
		c->route[i].flags = COOP_ROUTE_VALID;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		bump_seq(c);
		bumps++;
		nanosleep(&period, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	for (i = FLOOD_FIRST_ROUTE; i < COOP_MAX_ROUTES; i++)
		c->route[i].flags = 0;
	bump_seq(c);
	printf("hostile: flood done: %lu route_seq bumps in %.1f s\n", bumps, seconds);
	return 0;
}

int main(int argc, char **argv)
{
	struct coopdev d;
	char err[256];

	if (argc < 3 || (strcmp(argv[1], "note") && strcmp(argv[1], "flood")) ||
	    (!strcmp(argv[1], "note") && argc != 4)) {
		fprintf(stderr, "usage: hostile note STATE TEXT | hostile flood SECONDS\n");
		return 64;
	}
	if (coopdev_open(&d, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "hostile: %s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "flood"))
		return flood(d.ctrl, atof(argv[2]));
	memset(d.ctrl->note, 0, sizeof(d.ctrl->note));
	strncpy(d.ctrl->note, argv[3], sizeof(d.ctrl->note) - 1);
	__atomic_store_n(&d.ctrl->state, (uint32_t)atoi(argv[2]), __ATOMIC_RELEASE);
	printf("hostile: note written (%zu bytes), state %s\n", strlen(d.ctrl->note), argv[2]);
	return 0;
}
