/* SPDX-License-Identifier: GPL-2.0-only */
/* mkzone.c: write the first pages of a shared zone as a VMM would leave them
 * (shared/coopvmm_abi.h), for iopm/test/qemu_iopm.py to load into reserved
 * guest RAM with QEMU's generic loader: iopm.ko's real (non-fake) path.
 * usage: mkzone OUT BASE SIZE ACK [bad-magic]
 *   ACK: none (no VMM answer), or a route status number: the VMM's
 *   ROUTE_REPLY to a freshly loaded iopm.ko's first ROUTE_PIN (id 1: the
 *   console's, IRQ 3 on vector 0x33), already waiting on the VMM kernel
 *   ring, as if the VMM had answered at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coop_ring.h"
#include "coop_zone.h"

#define CONSOLE_IRQ    3
#define CONSOLE_VECTOR 0x33 /* ISA_IRQ_VECTOR(3) under noapic: what iopm.ko asks for */
#define FIRST_ROUTE_ID 1    /* iopm.ko numbers its kernel-ring requests from 1 */

static unsigned char zone[COOP_VMM_KRING_OFF + COOP_KRING_ENTRIES * COOP_MSG_SIZE];

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
	h->console_irq = CONSOLE_IRQ;
	v->heartbeat = 42;
	if (strcmp(argv[4], "none")) {
		struct coop_ring_tx t;
		struct coop_msg m;
		uint32_t status = (uint32_t)atoi(argv[4]);
		struct coop_msg_route r = {CONSOLE_IRQ, CONSOLE_VECTOR,
					   status == COOP_ROUTE_ACTIVE ? COOP_ROUTE_VALID : 0, status};

		coop_ring_tx_init(&t, (struct coop_msg *)(zone + COOP_VMM_KRING_OFF), COOP_KRING_ENTRIES,
				  &v->ktx, &((struct coop_iopm_ctrl *)(zone + COOP_IOPM_CTRL_OFF))->krx);
		coop_msg_init(&m, COOP_MSG_ROUTE_REPLY, FIRST_ROUTE_ID, 0, 0, &r, sizeof(r));
		coop_ring_put(&t, &m);
		coop_ring_push(&t);
		v->kmsgs_sent = 1; /* (the request itself stays on iopm.ko's ring: nothing takes it) */
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(zone, sizeof(zone), 1, f) != 1 || fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
