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

#include "coopvmm_abi.h"

static unsigned char zone[COOP_DATA_OFF];

int main(int argc, char **argv)
{
	struct coop_shared_header *h = (void *)zone;
	struct coop_vmm_ctrl *v = (void *)(zone + COOP_VMM_CTRL_OFF);
	unsigned long long size;
	uint32_t data;
	FILE *f;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: mkzone OUT BASE SIZE ACK [bad-magic]\n");
		return 64;
	}
	size = strtoull(argv[3], NULL, 0);
	h->magic = argc == 6 ? 0x0123456789abcdefULL : COOP_SHARED_MAGIC;
	h->version = COOP_ABI_VERSION;
	h->header_size = sizeof(*h);
	h->zone_base = strtoull(argv[2], NULL, 0);
	h->zone_size = size;
	h->vmm_ctrl_off = COOP_VMM_CTRL_OFF;
	h->vmm_ctrl_size = COOP_PAGE;
	h->iopm_ctrl_off = COOP_IOPM_CTRL_OFF;
	h->iopm_ctrl_size = COOP_PAGE;
	data = (uint32_t)((size - COOP_DATA_OFF) / 2 / COOP_PAGE * COOP_PAGE);
	h->vmm_data_off = COOP_DATA_OFF;
	h->vmm_data_size = data;
	h->iopm_data_off = COOP_DATA_OFF + data;
	h->iopm_data_size = (uint32_t)(size - COOP_DATA_OFF - data);
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
