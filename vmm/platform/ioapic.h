/* SPDX-License-Identifier: GPL-2.0-only */
/* ioapic.h: the host's I/O APICs as the firmware tables list them
 * (vmm/platform/acpi.c, vmm/platform/mptable.c) and the driver that masks and
 * routes their pins (vmm/platform/ioapic.c); the registers are in
 * arch/x86/ioapic.h. */
#ifndef VMM_IOAPIC_H
#define VMM_IOAPIC_H

#include <stdint.h>

#include "arch/x86/ioapic.h"

#define MAX_IOAPICS 8

struct ioapic {
	uint32_t id;
	uint64_t base;	   /* MMIO physical address */
	uint32_t gsi_base; /* first global system interrupt */
	uint32_t pins;	   /* redirection entries */
	uint32_t version;
};

extern struct ioapic ioapics[MAX_IOAPICS];
extern uint32_t nioapics;

/* Read each IOAPIC's version and mask every pin. */
void ioapic_init_all(void);
uint64_t ioapic_read_rte(const struct ioapic *io, uint32_t pin);
void ioapic_write_rte(const struct ioapic *io, uint32_t pin, uint64_t rte);

#endif
