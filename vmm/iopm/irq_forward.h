/* SPDX-License-Identifier: GPL-2.0-only */
/* irq_forward.h: the VMM's table of the ISA IRQs it routes to IOPMs
 * (docs/iopm-boot.md "Interrupt path", docs/channel.md "Interrupt routes"):
 * who owns each pin, the IOPM's route (vector, Linux's mask), and what
 * happens when the pin fires, when a ROUTE_PIN routes, updates or releases
 * it and when a PIN_EOI comes. The hardware actions (program the pin, its
 * RTE mask bit, the LAPIC EOI, the IPI) are callbacks, so that their order
 * is host-tested (tests/unit/test_irq_forward.c, and through the channel in
 * tests/unit/test_channel.c). Pure C. The caller serializes the calls
 * (vmm/iopm/iopm.c: the BSP, whose interrupt handler and channel hook both
 * run with interrupts disabled). */
#ifndef VMM_IRQ_FORWARD_H
#define VMM_IRQ_FORWARD_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/coopvmm_abi.h"

struct fwd_ops {
	/* Program the pin of `irq` to the VMM, masked; 0, or -1 when there is
	 * no such pin. *level: its trigger mode. */
	int (*claim)(void *ctx, uint32_t irq, bool *level);
	void (*mask)(void *ctx, uint32_t irq);			/* set the pin's RTE mask bit */
	void (*unmask)(void *ctx, uint32_t irq);		/* clear it */
	void (*eoi)(void *ctx);					/* EOI this CPU's local APIC */
	void (*send)(void *ctx, uint32_t iopm, uint8_t vector); /* fixed IPI to the IOPM's CPU */
};

enum fwd_owner {
	FWD_FREE = 0, /* nobody's: the first IOPM that routes it gets it */
	FWD_VMM,      /* the VMM keeps it (its UART, the PIT): never routed */
	FWD_IOPM,     /* an IOPM's (fwd_pin.iopm) */
};

/* The pin's RTE mask bit, and why. */
enum fwd_hold {
	FWD_OPEN = 0, /* unmasked */
	FWD_WAIT_EOI, /* level: forwarded, masked until the IOPM's PIN_EOI */
	FWD_HELD,     /* masked: no route (never routed, released), or level and Linux masked it */
};

struct fwd_pin {
	uint8_t owner;	/* enum fwd_owner */
	bool assigned;	/* given to `iopm` by the VMM's configuration: stays its after a release */
	bool claimed;	/* programmed to the VMM (ops->claim): `level` is known */
	bool level;	/* trigger mode (the MADT's) */
	bool routed;	/* the owner's route is VALID */
	bool masked;	/* Linux masked the IRQ (COOP_ROUTE_MASKED) */
	bool pending;	/* edge: fired while masked, forwarded at the unmask */
	uint8_t hold;	/* enum fwd_hold */
	uint8_t vector; /* the route's vector, validated */
	uint32_t iopm;	/* owner FWD_IOPM: which IOPM */
	uint64_t forwarded, held, dropped, eois;
};

struct fwd_table {
	struct fwd_pin pin[COOP_ROUTE_IRQS];
};

/* What a ROUTE_PIN came to (the ROUTE_REPLY's status and flags). */
struct fwd_result {
	uint32_t status; /* enum coop_route_status */
	uint32_t flags;	 /* the route as applied: VALID, LEVEL (the pin's), MASKED */
	bool changed;	 /* a new route, another vector, or a release (not only MASKED) */
	const char *why; /* a refusal's reason, for the log */
};

/* Configuration, at boot: the VMM keeps pin `irq`; pin `irq` is IOPM `iopm`'s. */
void fwd_keep(struct fwd_table *t, uint32_t irq);
void fwd_assign(struct fwd_table *t, uint32_t irq, uint32_t iopm);
/* IOPM `iopm`'s ROUTE_PIN (flags and status already checked for unknown
 * bits): route, update or (VALID clear) release the pin. */
void fwd_route(struct fwd_table *t, uint32_t iopm, uint32_t irq, uint32_t vector, uint32_t flags,
	       const struct fwd_ops *ops, void *ctx, struct fwd_result *out);
/* IOPM `iopm`'s PIN_EOI: 0 (the pin unmasked, or held if Linux masked it
 * meanwhile), or a refusal's enum coop_err_reason with *why: COOP_ERR_FIELD
 * (not an IRQ routed to this IOPM), COOP_ERR_STATE (not waiting for one). */
int fwd_eoi(struct fwd_table *t, uint32_t iopm, uint32_t irq, const struct fwd_ops *ops, void *ctx,
	    const char **why);
/* The pin of `irq` fired (its interrupt handler). True when it was
 * forwarded to its IOPM. */
bool fwd_interrupt(struct fwd_table *t, uint32_t irq, const struct fwd_ops *ops, void *ctx);
/* The pin as IOPM `iopm` may see it (coop_vmm_ctrl.pins[irq]); all zero
 * when it is not and never was routed to that IOPM. */
void fwd_view(const struct fwd_table *t, uint32_t iopm, uint32_t irq, struct coop_pin_view *out);

#endif
