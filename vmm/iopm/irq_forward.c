/* SPDX-License-Identifier: GPL-2.0-only */
/* irq_forward.c: forwarding a routed IOAPIC pin to an IOPM (irq_forward.h).
 *
 * A level-triggered pin must be masked before the local APIC's EOI: the EOI
 * of a level-triggered interrupt is broadcast to the IOAPICs (Intel SDM
 * Vol. 3A 10.8.5 "Signaling Interrupt Servicing Completion") and clears the
 * pin's Remote IRR (82093AA I/O APIC datasheet 3.2.4, RTE bit 14); the
 * device still asserts the line until the IOPM's driver has serviced it, so
 * an unmasked pin would be delivered again at once, over and over (an
 * interrupt storm on the VMM CPU). The pin is unmasked by the poll once the
 * IOPM's eoi_count moved past its value at the forward (iopm.ko counts after
 * its handler ran), or, if the interrupt could not be delivered, once the
 * route is deliverable again -- a still asserted line then fires anew.
 * Edge pins are never masked: an edge that cannot be delivered is lost. */
#include "vmm/iopm/irq_forward.h"

bool fwd_interrupt(struct fwd_pin *p, const struct fwd_route *r, const struct fwd_ops *ops, void *ctx)
{
	bool deliver = r->valid && !r->masked;
	if (p->level)
		ops->mask(ctx);
	if (deliver) {
		ops->send(ctx, p->vector);
		p->forwarded++;
		if (p->level) {
			p->hold = FWD_WAIT_EOI;
			p->eoi_mark = r->eoi_count;
		}
	} else {
		p->dropped++;
		if (p->level)
			p->hold = FWD_HELD;
	}
	ops->eoi(ctx);
	return deliver;
}

void fwd_poll(struct fwd_pin *p, const struct fwd_route *r, const struct fwd_ops *ops, void *ctx)
{
	switch (p->hold) {
	case FWD_OPEN:
		return;
	case FWD_WAIT_EOI:
		if (r->eoi_count != p->eoi_mark) {
			p->hold = FWD_OPEN;
			ops->unmask(ctx);
		} else if (!r->valid) {
			p->hold = FWD_HELD; /* withdrawn: no EOI will come for it */
		}
		return;
	case FWD_HELD:
		if (r->valid && !r->masked) {
			p->hold = FWD_OPEN;
			ops->unmask(ctx);
		}
		return;
	}
}
