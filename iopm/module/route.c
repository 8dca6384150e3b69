/* SPDX-License-Identifier: GPL-2.0-only */
/* route.c: interrupt routing, first form (issue 4, docs/iopm.md "Console
 * interrupt routing (first form)"). Linux runs with noapic, so ISA IRQ n is vector ISA_IRQ_VECTOR(n)
 * (asm/irq_vectors.h; init_IRQ() maps it on CPU 0). The VMM owns the IOAPIC
 * and forwards the pin as a fixed IPI on that vector; this file gives the IRQ
 * a chip that EOIs the local APIC (not the 8259) and asks the VMM for the route.
 */
#include "iopm.h"

#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/jiffies.h>
#include <asm/apic.h>
#include <asm/i8259.h>
#include <asm/irq_vectors.h>

struct iopm_route {
	bool used;
	bool level;
	bool active; /* the VMM answered ACTIVE: it forwards this IRQ */
	unsigned int irq;
	unsigned int vector;
	struct irq_chip *old_chip; /* Linux's 8259 chip, put back on release */
	atomic_t acks;		   /* interrupts taken through coop_chip */
};

static struct iopm_route routes[COOP_MAX_ROUTES];
static unsigned int route_timeout_ms;

static int route_wait(u32 seq, unsigned int timeout_ms);

static int route_index(unsigned int irq)
{
	int i;

	for (i = 0; i < COOP_MAX_ROUTES; i++)
		if (routes[i].used && routes[i].irq == irq)
			return i;
	return -1;
}

static void coop_set_masked(struct irq_data *d, bool masked)
{
	int i = route_index(d->irq);
	struct coop_route *r;
	u32 flags;

	if (i < 0)
		return;
	r = &iopm_zone.ctrl->route[i];
	flags = READ_ONCE(r->flags);
	flags = masked ? flags | COOP_ROUTE_MASKED : flags & ~COOP_ROUTE_MASKED;
	WRITE_ONCE(r->flags, flags);
}

static void coop_irq_mask(struct irq_data *d)
{
	coop_set_masked(d, true);
}

static void coop_irq_unmask(struct irq_data *d)
{
	coop_set_masked(d, false);
}

/* Edge routes (handle_edge_irq): acknowledge before the handler runs. */
static void coop_irq_ack(struct irq_data *d)
{
	int i = route_index(d->irq);

	if (i >= 0)
		atomic_inc(&routes[i].acks);
	apic_eoi();
}

/* Level routes (handle_fasteoi_irq): after the handler serviced the device,
 * tell the VMM it may unmask the pin (Xen pirq EOI pattern), then EOI. */
static void coop_irq_eoi(struct irq_data *d)
{
	int i = route_index(d->irq);

	if (i >= 0) {
		struct coop_route *r = &iopm_zone.ctrl->route[i];

		atomic_inc(&routes[i].acks);
		smp_wmb(); /* the device was serviced before the VMM sees the EOI */
		WRITE_ONCE(r->eoi_count, READ_ONCE(r->eoi_count) + 1);
	}
	apic_eoi();
}

static struct irq_chip coop_chip = {
    .name = "coopvmm",
    .irq_mask = coop_irq_mask,
    .irq_unmask = coop_irq_unmask,
    .irq_ack = coop_irq_ack,
    .irq_eoi = coop_irq_eoi,
};

static void route_publish(void)
{
	struct coop_iopm_ctrl *c = iopm_zone.ctrl;

	smp_wmb(); /* entries before the sequence number */
	WRITE_ONCE(c->route_seq, READ_ONCE(c->route_seq) + 1);
}

/* Put coop_chip on `irq` and publish the route request. Returns the route
 * index or a negative errno. */
static int route_add(unsigned int irq, bool level)
{
	struct irq_data *d = irq_get_irq_data(irq);
	struct irq_chip *old = irq_get_chip(irq);
	struct coop_route *r;
	int i;

	if (irq >= (unsigned int)nr_legacy_irqs() || !d || !old) {
		pr_err("route IRQ %u: not a legacy (8259) IRQ in this kernel (%d legacy IRQs)\n", irq,
		       nr_legacy_irqs());
		return -EINVAL;
	}
	if (old != legacy_pic->chip) {
		pr_err("route IRQ %u: it is on chip %s, not the 8259 (%s): is noapic on the kernel command "
		       "line?\n",
		       irq, old->name, legacy_pic->chip ? legacy_pic->chip->name : "none");
		return -ENODEV;
	}
	if (route_index(irq) >= 0)
		return -EEXIST;
	for (i = 0; i < COOP_MAX_ROUTES && routes[i].used; i++)
		;
	if (i == COOP_MAX_ROUTES)
		return -ENOSPC;

	disable_irq(irq); /* no handler of this IRQ runs from here on */
	old->irq_mask(d); /* and the 8259 stops being a source of it (only PIC write we make) */
	routes[i] = (struct iopm_route){
	    .used = true,
	    .level = level,
	    .irq = irq,
	    .vector = ISA_IRQ_VECTOR(irq),
	    .old_chip = old,
	};
	r = &iopm_zone.ctrl->route[i];
	WRITE_ONCE(r->irq, irq);
	WRITE_ONCE(r->vector, routes[i].vector);
	WRITE_ONCE(r->eoi_count, 0);
	WRITE_ONCE(r->flags, COOP_ROUTE_VALID | (level ? COOP_ROUTE_LEVEL : 0) |
				 (irqd_irq_masked(d) ? COOP_ROUTE_MASKED : 0));
	irq_set_chip_and_handler_name(irq, &coop_chip, level ? handle_fasteoi_irq : handle_edge_irq,
				      level ? "fasteoi" : "edge");
	irq_modify_status(irq, level ? 0 : IRQ_LEVEL, level ? IRQ_LEVEL : 0);
	route_publish(); /* forwarded IPIs may come from now on: coop_chip is in place */
	enable_irq(irq);
	return i;
}

/* Withdraw the request and give the IRQ back to Linux's 8259 chip. A route
 * the VMM made ACTIVE keeps coop_chip until the VMM acknowledges the
 * withdrawal (or the timeout passes): an IPI it forwards meanwhile still
 * needs a local APIC EOI, which the 8259 chip would not give. */
static void route_remove(int i)
{
	struct iopm_route *rt = &routes[i];
	struct irq_data *d = irq_get_irq_data(rt->irq);

	disable_irq(rt->irq);
	WRITE_ONCE(iopm_zone.ctrl->route[i].flags, 0);
	route_publish();
	if (rt->active && route_wait(READ_ONCE(iopm_zone.ctrl->route_seq), route_timeout_ms))
		pr_warn("route IRQ %u: the VMM did not acknowledge the withdrawal within %u ms\n", rt->irq,
			route_timeout_ms);
	rt->active = false;
	irq_set_chip_and_handler_name(rt->irq, rt->old_chip, handle_level_irq, NULL);
	irq_modify_status(rt->irq, 0, IRQ_LEVEL); /* as init_ISA_irqs() left it */
	if (!irqd_irq_masked(d))
		rt->old_chip->irq_unmask(d);
	rt->used = false;
	enable_irq(rt->irq);
}

/* Raise the route's vector on this CPU: the same path as a forwarded IPI
 * (common_interrupt -> vector_irq -> coop_chip). True when it got there. */
static bool route_self_ipi(int i)
{
	int before = atomic_read(&routes[i].acks);
	int n;

	apic->send_IPI_self(routes[i].vector);
	for (n = 0; n < 1000 && atomic_read(&routes[i].acks) == before; n++)
		udelay(10);
	return atomic_read(&routes[i].acks) != before;
}

static const char *route_status_name(u32 s)
{
	switch (s) {
	case COOP_ROUTE_NONE:
		return "NONE (not applied)";
	case COOP_ROUTE_ACTIVE:
		return "ACTIVE";
	case COOP_ROUTE_REFUSED_OWNED:
		return "REFUSED: the pin has another owner";
	case COOP_ROUTE_REFUSED_BAD:
		return "REFUSED: bad IRQ or vector";
	default:
		return "unknown status";
	}
}

static int route_wait(u32 seq, unsigned int timeout_ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(timeout_ms);

	for (;;) {
		if (READ_ONCE(iopm_zone.vmm->route_ack_seq) == seq) {
			smp_rmb(); /* the VMM's status before its ack */
			return 0;
		}
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		msleep(10);
	}
}

int iopm_route_console(unsigned int timeout_ms)
{
	unsigned int irq = iopm_zone.hdr->console_irq;
	u32 seq, status;
	int i;

	route_timeout_ms = timeout_ms;
	i = route_add(irq, false);
	if (i < 0) {
		pr_err("route IRQ %u: cannot install the coopvmm chip (%d): console stays on the 8259\n", irq,
		       i);
		return i;
	}
	seq = READ_ONCE(iopm_zone.ctrl->route_seq);
	pr_info("route request %d: IRQ %u -> vector 0x%x on APIC ID %u (edge), seq %u; waiting up to %u ms\n",
		i, irq, routes[i].vector, iopm_zone.hdr->iopm_apic_id, seq, timeout_ms);

	if (route_wait(seq, timeout_ms)) {
		pr_warn("route IRQ %u: no VMM answer after %u ms (vmm route_ack_seq %u, route_seq %u)\n", irq,
			timeout_ms, READ_ONCE(iopm_zone.vmm->route_ack_seq), seq);
		if (route_self_ipi(i))
			pr_info(
			    "self-test: a self-IPI on vector 0x%x reached IRQ %u through the coopvmm chip\n",
			    routes[i].vector, irq);
		else
			pr_err("self-test: a self-IPI on vector 0x%x did NOT reach IRQ %u\n",
			       routes[i].vector, irq);
		route_remove(i);
		pr_warn("route IRQ %u: withdrawn; IRQ %u is back on Linux's 8259 chip\n", irq, irq);
		return -ETIMEDOUT;
	}
	status = READ_ONCE(iopm_zone.vmm->route_status[i]);
	if (status != COOP_ROUTE_ACTIVE) {
		pr_err("route IRQ %u: %s (status %u): IRQ %u stays on the 8259\n", irq,
		       route_status_name(status), status, irq);
		route_remove(i);
		return -EBUSY;
	}
	routes[i].active = true;
	pr_info("route IRQ %u -> vector 0x%x: ACTIVE (VMM acked seq %u)\n", irq, routes[i].vector, seq);
	/* The UART may have raised THRE before the pin was routed and the edge is
	 * lost: run the handler once so a stalled transmitter restarts. */
	if (route_self_ipi(i))
		pr_info("route IRQ %u: kicked once (self-IPI on vector 0x%x)\n", irq, routes[i].vector);
	else
		pr_err("route IRQ %u: kick: self-IPI on vector 0x%x did NOT arrive\n", irq, routes[i].vector);
	return 0;
}

void iopm_route_release_all(void)
{
	int i;

	for (i = 0; i < COOP_MAX_ROUTES; i++)
		if (routes[i].used)
			route_remove(i);
}
