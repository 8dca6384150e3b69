/* SPDX-License-Identifier: GPL-2.0-only */
/* mkzone.c: write the first pages of a shared zone as a VMM would leave them
 * (shared/coopvmm_abi.h), for iopm/test/qemu_iopm.py to load into reserved
 * guest RAM with QEMU's generic loader: iopm.ko's real (non-fake) path.
 * usage: mkzone OUT BASE SIZE ACK [bad-magic]
 *   ACK: none (no VMM answer), or a route status number for route 0,
 *   pre-acknowledged as the VMM's answer to route_seq 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop_zone.h"

static unsigned char zone[COOP_VMM_RING_OFF];

int main(int argc, char **argv)
{
	struct coop_shared_header *h = (void *)zone;
	struct coop_vmm_ctrl *v = (void *)(zone + COOP_VMM_CTRL_OFF);
	unsigned long long size;
	FILE *f;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: mkzone OUT BASE SIZE ACK [bad-magic]\n");
		return 64;
	}
	size = strtoull(argv[3], NULL, 0);
	coop_part_header_init(h, strtoull(argv[2], NULL, 0));
	h->zone_size = size; /* as asked: a size other than COOP_PART_SIZE is a test of the refusal */
	if (argc == 6)
		h->magic = 0x0123456789abcdefULL;
	h->epoch = 1;
	h->tsc_khz = 1000000;
	h->lapic_khz = 1000000;
	h->vmm_apic_id = 7;  /* no such CPU in the test: nothing is sent to it */
	h->iopm_apic_id = 0; /* QEMU's CPU 0 */
	h->iopm_index = 0;
	h->vmm_notify_vector = 0xf0;
	h->console_irq = 3;
	v->heartbeat = 42;
	if (strcmp(argv[4], "none")) {
		v->route_ack_seq = 1;
		v->route_status[0] = (uint32_t)atoi(argv[4]);
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(zone, sizeof(zone), 1, f) != 1 || fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
