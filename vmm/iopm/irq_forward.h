/* SPDX-License-Identifier: GPL-2.0-only */
/* irq_forward.h: what the VMM does with an IOAPIC pin it routes for an
 * IOPM (docs/iopm-boot.md "Interrupt path"): when the pin fires on a VMM
 * CPU, and when the 100 ms poll looks at the IOPM's route. The hardware
 * actions (RTE mask bit, LAPIC EOI, IPI) are callbacks, so that their order
 * is host-tested (tests/unit/test_irq_forward.c). Pure C. The caller
 * serializes the calls on one pin (vmm/iopm/iopm.c: the BSP, both the interrupt
 * handler and the poll run with interrupts disabled). */
#ifndef VMM_IRQ_FORWARD_H
#define VMM_IRQ_FORWARD_H

#include <stdbool.h>
#include <stdint.h>

struct fwd_ops {
	void (*mask)(void *ctx);		 /* set the pin's RTE mask bit */
	void (*unmask)(void *ctx);		 /* clear it */
	void (*eoi)(void *ctx);			 /* EOI this CPU's local APIC */
	void (*send)(void *ctx, uint8_t vector); /* fixed IPI to the IOPM's CPU */
};

/* A level pin the VMM keeps masked, and why. */
enum fwd_hold {
	FWD_OPEN = 0, /* unmasked */
	FWD_WAIT_EOI, /* forwarded: masked until the IOPM's eoi_count moves */
	FWD_HELD,     /* not deliverable when it fired: masked until it is */
};

struct fwd_pin {
	bool level;
	uint8_t vector; /* the IOPM's vector, validated when the route was applied */
	enum fwd_hold hold;
	uint32_t eoi_mark; /* the IOPM's eoi_count when the interrupt was forwarded */
	uint64_t forwarded, dropped;
};

/* The IOPM's route for this pin as the VMM sees it right now. */
struct fwd_route {
	bool valid;	    /* requested, VALID, accepted (ACTIVE), IOPM started */
	bool masked;	    /* Linux masked the IRQ (COOP_ROUTE_MASKED) */
	uint32_t eoi_count; /* the IOPM's count of serviced level interrupts */
};

/* The pin fired (called from its interrupt handler). Returns true if it
 * was forwarded to the IOPM. */
bool fwd_interrupt(struct fwd_pin *p, const struct fwd_route *r, const struct fwd_ops *ops, void *ctx);
/* The poll: unmask a level pin whose reason to stay masked has gone. */
void fwd_poll(struct fwd_pin *p, const struct fwd_route *r, const struct fwd_ops *ops, void *ctx);

#endif
