/* SPDX-License-Identifier: GPL-2.0-only */
/* irq_forward.c: the ISA IRQs the VMM routes to IOPMs (irq_forward.h).
 *
 * A level-triggered pin must be masked before the local APIC's EOI: the EOI
 * of a level-triggered interrupt is broadcast to the IOAPICs (Intel SDM
 * Vol. 3A 10.8.5 "Signaling Interrupt Servicing Completion") and clears the
 * pin's Remote IRR (82093AA I/O APIC datasheet 3.2.4, RTE bit 14); the
 * device still asserts the line until the IOPM's driver has serviced it, so
 * an unmasked pin would be delivered again at once, over and over (an
 * interrupt storm on the VMM CPU). The pin is unmasked when the IOPM's
 * PIN_EOI for it arrives (iopm.ko sends it after its handler ran), or, if
 * the interrupt could not be delivered (Linux had the IRQ masked), when
 * Linux unmasks it -- a still asserted line then fires anew. An edge pin
 * stays unmasked while routed (an edge at a masked IOAPIC pin is lost): an
 * edge that fires while Linux has the IRQ masked is held, one deep, and
 * forwarded at the unmask, as the 8259's IRR would have kept it. A pin with
 * no route is masked; what still arrives is dropped (counted). */
#include <stddef.h>

#include "vmm/iopm/irq_forward.h"

static bool vector_ok(uint32_t v)
{
	return v >= COOP_VECTOR_MIN && v <= COOP_VECTOR_MAX;
}

void fwd_keep(struct fwd_table *t, uint32_t irq)
{
	if (irq < COOP_ROUTE_IRQS)
		t->pin[irq].owner = FWD_VMM;
}

void fwd_assign(struct fwd_table *t, uint32_t irq, uint32_t iopm)
{
	if (irq >= COOP_ROUTE_IRQS)
		return;
	t->pin[irq].owner = FWD_IOPM;
	t->pin[irq].iopm = iopm;
	t->pin[irq].assigned = true;
}

/* The pin's RTE mask bit follows its hold: set it (level: before the EOI). */
static void hold_pin(struct fwd_pin *p, uint32_t irq, const struct fwd_ops *ops, void *ctx)
{
	bool was_open = p->hold == FWD_OPEN;
	p->hold = FWD_HELD;
	if (was_open)
		ops->mask(ctx, irq);
}

static void open_pin(struct fwd_pin *p, uint32_t irq, const struct fwd_ops *ops, void *ctx)
{
	bool was_open = p->hold == FWD_OPEN;
	p->hold = FWD_OPEN;
	if (!was_open)
		ops->unmask(ctx, irq);
}

static void release(struct fwd_pin *p, uint32_t irq, const struct fwd_ops *ops, void *ctx,
		    struct fwd_result *out)
{
	out->status = COOP_ROUTE_NONE;
	if (p->owner == FWD_FREE || !p->routed)
		return; /* no route: nothing to release */
	out->changed = true;
	p->routed = false;
	p->masked = false;
	if (p->pending)
		p->dropped++;
	p->pending = false;
	/* Level and waiting for an EOI: none will come; the pin stays masked. */
	if (p->hold == FWD_WAIT_EOI)
		p->hold = FWD_HELD;
	else
		hold_pin(p, irq, ops, ctx);
	if (!p->assigned)
		p->owner = FWD_FREE;
}

/* The vector is free among IOPM `iopm`'s other routes. */
static bool vector_free(const struct fwd_table *t, uint32_t iopm, uint32_t irq, uint32_t vector)
{
	for (uint32_t i = 0; i < COOP_ROUTE_IRQS; i++) {
		const struct fwd_pin *q = &t->pin[i];
		if (i != irq && q->owner == FWD_IOPM && q->iopm == iopm && q->routed && q->vector == vector)
			return false;
	}
	return true;
}

/* Why IOPM `iopm` may not route pin `irq` to `vector` now (NULL: it may),
 * and the status that says so. */
static const char *route_refusal(struct fwd_table *t, uint32_t iopm, uint32_t irq, uint32_t vector,
				 uint32_t flags, const struct fwd_ops *ops, void *ctx, uint32_t *status)
{
	*status = COOP_ROUTE_REFUSED_OWNED;
	if (irq >= COOP_ROUTE_IRQS) {
		*status = COOP_ROUTE_REFUSED_BAD;
		return "not an ISA IRQ (0-15)";
	}
	struct fwd_pin *p = &t->pin[irq];
	if (p->owner == FWD_VMM)
		return "the VMM keeps this pin";
	if (p->owner == FWD_IOPM && p->iopm != iopm)
		return "another IOPM has this pin";
	if (!(flags & COOP_ROUTE_VALID))
		return NULL; /* a release */
	*status = COOP_ROUTE_REFUSED_BAD;
	if (!vector_ok(vector))
		return "vector outside 0x20-0xef";
	if (!vector_free(t, iopm, irq, vector))
		return "vector taken by another route of this IOPM";
	if (!p->claimed) {
		bool level = false;
		if (ops->claim(ctx, irq, &level))
			return "no IOAPIC pin for this IRQ";
		p->claimed = true;
		p->level = level;
		p->hold = FWD_HELD; /* programmed masked */
	}
	if (!(flags & COOP_ROUTE_LEVEL) != !p->level)
		return p->level ? "the pin is level-triggered: the route must say LEVEL"
				: "the pin is edge-triggered: the route must not say LEVEL";
	return NULL;
}

void fwd_route(struct fwd_table *t, uint32_t iopm, uint32_t irq, uint32_t vector, uint32_t flags,
	       const struct fwd_ops *ops, void *ctx, struct fwd_result *out)
{
	out->status = COOP_ROUTE_NONE;
	out->flags = 0;
	out->changed = false;
	out->why = route_refusal(t, iopm, irq, vector, flags, ops, ctx, &out->status);
	if (out->why) {
		if (irq < COOP_ROUTE_IRQS && t->pin[irq].claimed && t->pin[irq].level)
			out->flags = COOP_ROUTE_LEVEL; /* the pin's trigger mode, if known */
		return;
	}
	struct fwd_pin *p = &t->pin[irq];
	out->why = "";
	if (!(flags & COOP_ROUTE_VALID)) {
		release(p, irq, ops, ctx, out);
		out->flags = p->level ? COOP_ROUTE_LEVEL : 0;
		return;
	}
	if (p->owner == FWD_FREE || p->iopm != iopm) {
		/* A pin this IOPM takes: its counts start over. */
		p->forwarded = p->held = p->dropped = p->eois = 0;
		p->owner = FWD_IOPM;
		p->iopm = iopm;
	}
	out->changed = !p->routed || p->vector != vector;
	p->routed = true;
	p->vector = (uint8_t)vector;
	p->masked = flags & COOP_ROUTE_MASKED;
	if (p->level) {
		/* Held for want of a route or because Linux masked it: open
		 * unless Linux (still) masks it. Waiting for an EOI: still. */
		if (p->hold == FWD_HELD && !p->masked)
			open_pin(p, irq, ops, ctx);
	} else {
		open_pin(p, irq, ops, ctx);
		if (p->pending && !p->masked) {
			p->pending = false;
			ops->send(ctx, iopm, p->vector);
			p->forwarded++;
		}
	}
	out->status = COOP_ROUTE_ACTIVE;
	out->flags =
	    COOP_ROUTE_VALID | (p->level ? COOP_ROUTE_LEVEL : 0) | (p->masked ? COOP_ROUTE_MASKED : 0);
}

int fwd_eoi(struct fwd_table *t, uint32_t iopm, uint32_t irq, const struct fwd_ops *ops, void *ctx,
	    const char **why)
{
	if (irq >= COOP_ROUTE_IRQS) {
		*why = "not an ISA IRQ (0-15)";
		return COOP_ERR_FIELD;
	}
	struct fwd_pin *p = &t->pin[irq];
	if (p->owner != FWD_IOPM || p->iopm != iopm || !p->routed) {
		*why = "not routed to this IOPM";
		return COOP_ERR_FIELD;
	}
	if (!p->level || p->hold != FWD_WAIT_EOI) {
		*why = p->level ? "not waiting for an EOI" : "an edge-triggered pin takes no EOI";
		return COOP_ERR_STATE;
	}
	p->eois++;
	if (p->masked)
		p->hold = FWD_HELD; /* Linux masked it meanwhile: open at its unmask */
	else
		open_pin(p, irq, ops, ctx);
	*why = "";
	return 0;
}

bool fwd_interrupt(struct fwd_table *t, uint32_t irq, const struct fwd_ops *ops, void *ctx)
{
	if (irq >= COOP_ROUTE_IRQS) {
		ops->eoi(ctx);
		return false;
	}
	struct fwd_pin *p = &t->pin[irq];
	bool routed = p->owner == FWD_IOPM && p->routed, deliver = routed && !p->masked;
	if (p->level) {
		/* Mask before the EOI: the line is still asserted. */
		ops->mask(ctx, irq);
		p->hold = deliver ? FWD_WAIT_EOI : FWD_HELD;
	}
	if (deliver) {
		ops->send(ctx, p->iopm, p->vector);
		p->forwarded++;
	} else if (routed) {
		p->held++;
		p->pending = !p->level; /* level: the line fires anew at the unmask */
	} else {
		p->dropped++;
	}
	ops->eoi(ctx);
	return deliver;
}

void fwd_view(const struct fwd_table *t, uint32_t iopm, uint32_t irq, struct coop_pin_view *out)
{
	const struct fwd_pin *p = irq < COOP_ROUTE_IRQS ? &t->pin[irq] : 0;
	*out = (struct coop_pin_view){0};
	if (!p || p->owner == FWD_VMM || p->iopm != iopm || !p->vector)
		return; /* never routed to this IOPM */
	out->vector = p->vector;
	out->flags = (p->routed ? COOP_ROUTE_VALID : 0) | (p->level ? COOP_ROUTE_LEVEL : 0) |
		     (p->masked ? COOP_ROUTE_MASKED : 0);
	out->forwarded = p->forwarded;
	out->held = p->held;
	out->dropped = p->dropped;
	out->eois = p->eois;
}
