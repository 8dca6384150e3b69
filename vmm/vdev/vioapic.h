/* SPDX-License-Identifier: GPL-2.0-only */
/* vioapic.h: a guest's virtual I/O APIC: 24 pins, one MMIO page at
 * 0xFEC00000. Intel 82093AA I/O APIC datasheet 3.0 (IOREGSEL/IOWIN, ID,
 * version, arbitration ID, redirection table), with the EOI register at
 * 0x40 of I/O APIC version 0x20. Deliveries go to a caller callback. */
#ifndef VMM_VIOAPIC_H
#define VMM_VIOAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/apic.h"   /* delivery modes APIC_DM_* */
#include "arch/x86/ioapic.h" /* registers and redirection entry fields */

#define VIOAPIC_BASE	IOAPIC_DEFAULT_BASE /* guest-physical MMIO page: the PC's */
#define VIOAPIC_PINS	24
#define VIOAPIC_VERSION 0x20 /* has the EOI register */

/* What to deliver to the VM's LAPIC(s). */
struct vioapic_msg {
	uint32_t dest; /* RTE bits 63:56 */
	uint8_t vector;
	uint8_t delivery_mode; /* APIC_DM_* */
	bool logical;	       /* destination mode */
	bool level;	       /* level-triggered: the LAPIC must report its EOI */
};

/* Called with the VM's lock held. It must not call back into this vioapic
 * (queue the interrupt; the EOI comes later through vioapic_eoi()). */
typedef void (*vioapic_deliver_fn)(void *ctx, const struct vioapic_msg *m);

struct vioapic {
	uint64_t redir[VIOAPIC_PINS]; /* redirection table */
	uint32_t line;		      /* asserted input pins, bit per pin */
	uint8_t id;		      /* 4-bit I/O APIC ID (ARB follows it) */
	uint8_t regsel;		      /* IOREGSEL */
	vioapic_deliver_fn deliver;   /* NULL: deliveries are dropped */
	void *ctx;
};

/* Reset state: every pin masked, edge, vector 0; all lines deasserted. */
void vioapic_init(struct vioapic *io, uint32_t id, vioapic_deliver_fn fn, void *ctx);

/* A 32-bit access at offset (from VIOAPIC_BASE) to IOREGSEL, IOWIN or EOI;
 * a read stores the value in *val. Returns 0; any other offset reads all
 * ones, ignores writes and returns -EINVAL (the caller counts them). */
int vioapic_mmio(struct vioapic *io, uint64_t offset, bool write, uint32_t *val);

/* The same for an access of size bytes (1, 2, 4 or 8): anything but a
 * 4-byte access reads all ones (size bytes of them), ignores writes and
 * returns -EINVAL; 4-byte accesses go to vioapic_mmio(). */
int vioapic_mmio_sized(struct vioapic *io, uint64_t offset, unsigned size, bool write, uint64_t *val);

/* Drive input pin 0-23 (others ignored); level is "asserted", whatever the
 * programmed polarity. Edge pins deliver on 0->1 if unmasked (an edge
 * while masked is lost); level pins deliver while asserted, unmasked and
 * remote IRR clear. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);

/* EOI of vector (LAPIC EOI of a level-triggered vector, or the EOI
 * register): clears remote IRR of every pin with that vector and delivers
 * again where the line is still asserted and the pin unmasked. */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

#endif
