/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile.c: what a misbehaving IOPM can write into its own part of the
 * shared zone (through /dev/coopvmm, as iopmd does), to check that the VMM
 * stays sane: tests/system/qemu_iopm_hostile.py packs it into a test-only
 * initramfs overlay. Not part of the IOPM's real initramfs.
 *   hostile note STATE TEXT   write TEXT as the note (up to 63 bytes), then
 *                             STATE (enum coop_iopm_state) -- the VMM prints
 *                             the note when the state says HALTED/PANICKED
 *   hostile flood SECONDS     with iopmd stopped (it is the IOPM ring's only
 *                             producer), put 15 ROUTE_PINs for IRQ 99 on the
 *                             IOPM ring every 10 ms for SECONDS -- the wrong
 *                             ring (routes travel on iopm.ko's kernel ring)
 *                             and a bad IRQ: without a rate limit the VMM
 *                             logs 1500 refusals a second; the VMM's ERRORs
 *                             are taken off its ring and counted
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "coopdev.h"

#define FLOOD_BATCH	15 /* messages every period */
#define FLOOD_IRQ	99 /* not an ISA IRQ */
#define FLOOD_PERIOD_NS 10000000L

static int flood(struct coopdev *d, double seconds)
{
	struct timespec t0, now, period = {0, FLOOD_PERIOD_NS};
	struct coop_msg_route r = {FLOOD_IRQ, 0x33, COOP_ROUTE_VALID, 0};
	unsigned long sent = 0, errors = 0, full = 0;
	struct coop_ring_tx tx;
	struct coop_ring_rx rx;
	struct coop_msg m;
	char err[256];
	uint32_t id = 0x50000000;

	if (coopdev_rings(d, &tx, &rx, err, sizeof(err)) < 0) {
		fprintf(stderr, "hostile: %s\n", err);
		return 1;
	}
	coop_ring_set_polling(&rx, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < FLOOD_BATCH; i++) {
			coop_msg_init(&m, COOP_MSG_ROUTE_PIN, ++id, 0, 0, &r, sizeof(r));
			if (coop_ring_put(&tx, &m) < 0) {
				full++;
				break;
			}
			sent++;
		}
		if (coop_ring_push(&tx))
			ioctl(d->fd, COOPVMM_IOC_NOTIFY);
		while (coop_ring_recv(&rx, &m) == 1)
			errors += m.type == COOP_MSG_ERROR;
		nanosleep(&period, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	printf(
	    "hostile: flood done: %lu ROUTE_PINs on the IOPM ring in %.1f s, %lu ERRORs back, ring full %lu "
	    "times\n",
	    sent, seconds, errors, full);
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
		return flood(&d, atof(argv[2]));
	memset(d.ctrl->note, 0, sizeof(d.ctrl->note));
	strncpy(d.ctrl->note, argv[3], sizeof(d.ctrl->note) - 1);
	__atomic_store_n(&d.ctrl->state, (uint32_t)atoi(argv[2]), __ATOMIC_RELEASE);
	printf("hostile: note written (%zu bytes), state %s\n", strlen(d.ctrl->note), argv[2]);
	return 0;
}
