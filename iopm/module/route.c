/* SPDX-License-Identifier: GPL-2.0-only */
/* route.c: the IOPM's interrupt chip for the ISA IRQs the VMM routes to it
 * (docs/iopm.md "Interrupt routing", docs/channel.md "Interrupt routes").
 * Linux runs with noapic, so ISA IRQ n is vector ISA_IRQ_VECTOR(n)
 * (asm/irq_vectors.h; init_IRQ() maps it on CPU 0). The VMM owns the
 * IOAPIC and forwards the pin as a fixed IPI on that vector; this file gives
 * the IRQ a chip that EOIs the local APIC (not the 8259) and talks to the
 * VMM on the kernel rings (kring.c): a ROUTE_PIN when the route is asked for
 * (process context: waits, bounded, for the ROUTE_REPLY) and when it is
 * released, a ROUTE_PIN update when Linux masks or unmasks the IRQ (atomic
 * context) and a PIN_EOI after each level interrupt was handled (hardirq);
 * those never wait.
 *
 * Why no PIN_EOI is lost to a full ring (docs/channel.md "Why no EOI is
 * lost"): a message other than PIN_EOI is put only while more than
 * ROUTE_EOI_RESERVE (16) of the COOP_KRING_ENTRIES (32) entries are free,
 * so at most 16 of them are ever in the ring. A PIN_EOI is sent once per
 * interrupt the VMM forwarded on a level route (handle_fasteoi_irq calls
 * irq_eoi once per flow; level IRQs are never resent by software; no
 * self-IPI is sent on a level route), and the VMM keeps that pin masked from
 * the forward until it has taken the PIN_EOI off the ring: so at most one
 * PIN_EOI per level route, at most 16 (ISA IRQs), is in the ring at any
 * time. When one is put, the others take at most 16 + 15 = 31 entries:
 * there is room. Mask updates are coalesced per route (Linux's state
 * against the state last put), so a full ring delays them but loses none:
 * they are put at the next release of the ring lock (any send, the VMM's
 * notification) or by kring.c's retry timer. Should an EOI still find no
 * room (a VMM that stopped draining), it is held the same way.
 */
#include "iopm.h"

#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <asm/apic.h>
#include <asm/i8259.h>
#include <asm/irq_vectors.h>

#include "coop_ring.h"

#define ROUTE_EOI_RESERVE COOP_ROUTE_IRQS /* kernel-ring entries kept for PIN_EOIs: one per ISA IRQ */
#define ROUTE_POLL_MS	  5 /* a waiting request looks at the ring this often (no IPI before HELLO) */

static_assert(ROUTE_EOI_RESERVE < COOP_KRING_ENTRIES, "room for requests beside the EOIs");

/* One routed IRQ, by ISA IRQ number. `used` and the chip are set up and
 * torn down in process context; the rest changes under the kernel rings'
 * lock (iopm_kring_lock). */
struct iopm_route {
	bool used;
	bool level;
	bool active;	  /* the VMM answered ACTIVE: it forwards this IRQ */
	bool releasing;	  /* a release is on its way: no more EOIs or updates */
	bool masked;	  /* Linux's mask (the chip's irq_mask/irq_unmask) */
	bool sent_masked; /* MASKED as last put on the kernel ring */
	bool eoi_owed;	  /* a level interrupt handled, its PIN_EOI not put yet */
	unsigned int irq;
	unsigned int vector;
	struct irq_chip *old_chip; /* Linux's 8259 chip, put back on release */
	atomic_t acks;		   /* interrupts taken through coop_chip */
	u64 eois;		   /* PIN_EOIs put */
};

static struct iopm_route routes[COOP_ROUTE_IRQS];
static unsigned int route_timeout_ms;

/* The one request waiting for its answer (route requests are serialized). */
static DEFINE_MUTEX(request_mutex);
static u32 next_id;
static struct {
	u32 id; /* 0: none */
	bool done;
	int err; /* 0, or the ERROR's code */
	struct coop_msg_route reply;
} wait;

static struct iopm_route *route_of(unsigned int irq)
{
	return irq < COOP_ROUTE_IRQS && READ_ONCE(routes[irq].used) ? &routes[irq] : NULL;
}

static void route_msg(struct coop_msg *m, u16 type, u32 id, unsigned int irq, u32 vector, u32 flags)
{
	struct coop_msg_route q = {irq, vector, flags, 0};

	coop_msg_init(m, type, id, 0, 0, &q, sizeof(q));
}

static u32 route_flags(const struct iopm_route *rt, bool masked)
{
	return COOP_ROUTE_VALID | (rt->level ? COOP_ROUTE_LEVEL : 0) | (masked ? COOP_ROUTE_MASKED : 0);
}

/* Kernel rings' lock held: put the mask updates and EOIs the routes hold.
 * True when something is still held back (the ring is full). */
bool __iopm_route_flush(void)
{
	bool pending = false;
	struct coop_msg m;
	unsigned int irq;
	int err;

	for (irq = 0; irq < COOP_ROUTE_IRQS; irq++) {
		struct iopm_route *rt = &routes[irq];

		if (!rt->used)
			continue;
		if (rt->active && !rt->releasing && rt->masked != rt->sent_masked) {
			route_msg(&m, COOP_MSG_ROUTE_PIN, 0, irq, rt->vector, route_flags(rt, rt->masked));
			err = __iopm_kring_put(&m, ROUTE_EOI_RESERVE);
			if (!err || err == -EPROTO)
				rt->sent_masked = rt->masked;
			pending |= err == -ENOSPC;
		}
		if (rt->eoi_owed) {
			route_msg(&m, COOP_MSG_PIN_EOI, 0, irq, 0, 0);
			err = __iopm_kring_put(&m, 0);
			if (err == -ENOSPC) {
				pending = true;
				pr_warn_ratelimited("route IRQ %u: the kernel ring is full: PIN_EOI held "
						    "back (the VMM takes no messages?)\n",
						    irq);
				continue;
			}
			rt->eoi_owed = false;
			rt->eois += !err;
		}
	}
	return pending;
}

static const char *route_status_name(u32 s)
{
	switch (s) {
	case COOP_ROUTE_NONE:
		return "NONE (released)";
	case COOP_ROUTE_ACTIVE:
		return "ACTIVE";
	case COOP_ROUTE_REFUSED_OWNED:
		return "REFUSED: the pin has another owner";
	case COOP_ROUTE_REFUSED_BAD:
		return "REFUSED: bad IRQ, vector or trigger mode";
	default:
		return "unknown status";
	}
}

/* Kernel rings' lock held: a checked VMM message (kring.c). */
void __iopm_route_msg(const struct coop_msg *m)
{
	struct coop_msg_route r;
	struct coop_msg_error e;

	switch (m->type) {
	case COOP_MSG_ROUTE_REPLY:
		memcpy(&r, m->payload, sizeof(r));
		if (wait.id && m->id == wait.id && !wait.done) {
			wait.reply = r;
			wait.done = true;
		} else if (r.status != COOP_ROUTE_ACTIVE && r.status != COOP_ROUTE_NONE) {
			pr_warn_ratelimited(
			    "route IRQ %u: the VMM answered ROUTE_PIN id %u with %s (status %u)\n", r.irq,
			    m->id, route_status_name(r.status), r.status);
		}
		break;
	case COOP_MSG_ERROR:
		memcpy(&e, m->payload, sizeof(e));
		if (wait.id && e.bad_id == wait.id && !wait.done) {
			wait.err = e.code < 0 ? e.code : -EPROTO;
			wait.done = true;
		}
		pr_warn_ratelimited(
		    "the VMM refused our kernel-ring message id %u (type %u): reason %u code %d: %*pE\n",
		    e.bad_id, e.bad_type, e.reason, e.code, (int)strnlen(e.text, sizeof(e.text)), e.text);
		break;
	default: /* PONG: nothing asks for one yet */
		break;
	}
}

/* Send ROUTE_PIN (irq, vector, flags) and, if `wait_ms`, wait for its
 * ROUTE_REPLY, polling the ring every ROUTE_POLL_MS (the VMM sends no IPI
 * before iopmd's HELLO told it the vector). 0 and *reply, -ETIMEDOUT, an
 * ERROR's code, or -EPROTO/-ENOSPC when it could not be sent. */
static int route_request(unsigned int irq, u32 vector, u32 flags, unsigned int wait_ms, u32 *idp,
			 struct coop_msg_route *reply)
{
	unsigned long end = jiffies + msecs_to_jiffies(wait_ms), lf;
	struct coop_msg m;
	int err;
	u32 id;

	mutex_lock(&request_mutex);
	for (;;) {
		lf = iopm_kring_lock();
		id = ++next_id ? next_id : ++next_id;
		route_msg(&m, COOP_MSG_ROUTE_PIN, id, irq, vector, flags);
		err = __iopm_kring_put(&m, ROUTE_EOI_RESERVE);
		if (!err && wait_ms) {
			wait.id = id;
			wait.done = false;
			wait.err = 0;
		}
		iopm_kring_unlock(lf);
		if (err != -ENOSPC || !time_before(jiffies, end))
			break;
		msleep(ROUTE_POLL_MS);
	}
	*idp = id;
	if (err || !wait_ms)
		goto out;
	for (;;) {
		bool finished;

		iopm_kring_poll();
		lf = iopm_kring_lock();
		finished = wait.done || !time_before(jiffies, end);
		if (wait.done) {
			*reply = wait.reply;
			err = wait.err;
		} else if (finished) {
			err = -ETIMEDOUT;
		}
		if (finished)
			wait.id = 0;
		iopm_kring_unlock(lf);
		if (finished)
			break;
		wait_event_timeout(iopm_kring_wq, READ_ONCE(wait.done), msecs_to_jiffies(ROUTE_POLL_MS));
	}
out:
	mutex_unlock(&request_mutex);
	return err;
}

static void coop_set_masked(struct irq_data *d, bool masked)
{
	unsigned long lf = iopm_kring_lock();
	struct iopm_route *rt = route_of(d->irq);

	if (rt)
		rt->masked = masked; /* put at the unlock, or held while the ring is full */
	iopm_kring_unlock(lf);
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
	struct iopm_route *rt = route_of(d->irq);

	if (rt)
		atomic_inc(&rt->acks);
	apic_eoi();
}

/* Level routes (handle_fasteoi_irq): after the handler serviced the device,
 * tell the VMM it may unmask the pin (Xen pirq EOI pattern), then EOI. */
static void coop_irq_eoi(struct irq_data *d)
{
	unsigned long lf = iopm_kring_lock();
	struct iopm_route *rt = route_of(d->irq);

	if (rt) {
		atomic_inc(&rt->acks);
		/* Not only once `active`: the VMM may forward between its
		 * ROUTE_REPLY and our reading it, and then waits for this EOI. */
		if (!rt->releasing)
			rt->eoi_owed = true; /* put at the unlock: the device was serviced before */
	}
	iopm_kring_unlock(lf);
	apic_eoi();
}

static struct irq_chip coop_chip = {
    .name = "coopvmm",
    .irq_mask = coop_irq_mask,
    .irq_unmask = coop_irq_unmask,
    .irq_ack = coop_irq_ack,
    .irq_eoi = coop_irq_eoi,
};

/* Put coop_chip on `irq`, the IRQ left disabled (no request sent yet; the
 * caller enables it once the VMM answered, so that nothing of Linux's --
 * its unmask at enable_irq drains the kernel ring -- comes between the
 * attach and the first request). Returns 0 or a negative errno. */
static int route_add(unsigned int irq, bool level)
{
	struct irq_data *d = irq_get_irq_data(irq);
	struct irq_chip *old = irq_get_chip(irq);
	struct iopm_route *rt;

	if (irq >= (unsigned int)nr_legacy_irqs() || irq >= COOP_ROUTE_IRQS || !d || !old) {
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
	if (route_of(irq))
		return -EEXIST;

	disable_irq(irq); /* no handler of this IRQ runs from here on */
	old->irq_mask(d); /* and the 8259 stops being a source of it (only PIC write we make) */
	rt = &routes[irq];
	*rt = (struct iopm_route){
	    .level = level,
	    .irq = irq,
	    .vector = ISA_IRQ_VECTOR(irq),
	    .old_chip = old,
	    .masked = irqd_irq_masked(d),
	};
	rt->sent_masked = rt->masked;
	/* Seen by the chip and the flush only from here on (and the ring is
	 * not drained here: a reply waiting before the first request -- the
	 * userland test's pre-written one -- is the request's). */
	smp_store_release(&rt->used, true);
	irq_set_chip_and_handler_name(irq, &coop_chip, level ? handle_fasteoi_irq : handle_edge_irq,
				      level ? "fasteoi" : "edge");
	irq_modify_status(irq, level ? 0 : IRQ_LEVEL, level ? IRQ_LEVEL : 0);
	return 0;
}

/* Release the route and give the IRQ back to Linux's 8259 chip. A route
 * the VMM made ACTIVE keeps coop_chip until the VMM answered the release
 * (or the timeout passed): an IPI it forwards meanwhile still needs a local
 * APIC EOI, which the 8259 chip would not give. A route never made active
 * is released without waiting (a late VMM then drops it). */
static void route_remove(struct iopm_route *rt)
{
	struct irq_data *d = irq_get_irq_data(rt->irq);
	struct coop_msg_route reply;
	unsigned long lf;
	bool active;
	int err;
	u32 id;

	disable_irq(rt->irq);
	lf = iopm_kring_lock();
	active = rt->active;
	rt->releasing = true;
	iopm_kring_unlock(lf); /* an EOI still owed goes before the release */
	err = route_request(rt->irq, 0, 0, active ? route_timeout_ms : 0, &id, &reply);
	if (active && err)
		pr_warn(
		    "route IRQ %u: the VMM did not answer the release (ROUTE_PIN id %u) within %u ms (%d)\n",
		    rt->irq, id, route_timeout_ms, err);
	irq_set_chip_and_handler_name(rt->irq, rt->old_chip, handle_level_irq, NULL);
	irq_modify_status(rt->irq, 0, IRQ_LEVEL); /* as init_ISA_irqs() left it */
	if (!irqd_irq_masked(d))
		rt->old_chip->irq_unmask(d);
	lf = iopm_kring_lock();
	WRITE_ONCE(rt->used, false);
	rt->active = false;
	iopm_kring_unlock(lf);
	enable_irq(rt->irq);
}

/* Raise the route's vector on this CPU: the same path as a forwarded IPI
 * (common_interrupt -> vector_irq -> coop_chip). True when it got there.
 * Edge routes only: on a level route it would cost a PIN_EOI the VMM does
 * not owe. */
static bool route_self_ipi(struct iopm_route *rt)
{
	int before = atomic_read(&rt->acks);
	int n;

	apic->send_IPI_self(rt->vector);
	for (n = 0; n < 1000 && atomic_read(&rt->acks) == before; n++)
		udelay(10);
	return atomic_read(&rt->acks) != before;
}

/* Ask the VMM to forward ISA IRQ `irq` (an edge pin) to this CPU: coop_chip
 * on it, a ROUTE_PIN, the answer awaited (bounded). Never leaves a
 * half-made route: on any failure the IRQ is back on Linux's 8259 chip.
 * `console`: the console's IRQ, whose handler (the UART's) is already
 * there: it is self-tested when the VMM did not answer and run once when
 * the route is active (an edge raised before the route existed is lost).
 * Another IRQ (route_irqs=) gets its handler later, from its driver. */
static int route_make(unsigned int irq, bool console, unsigned int timeout_ms)
{
	const char *what = console ? "console" : "IRQ";
	const char *tag = console ? "" : " (route_irqs)";
	struct coop_msg_route reply;
	struct iopm_route *rt;
	unsigned long lf;
	int err;
	u32 id;

	route_timeout_ms = timeout_ms; /* route_remove's, later */
	err = route_add(irq, false);
	if (err) {
		pr_err("route IRQ %u: cannot install the coopvmm chip (%d): %s stays on the 8259\n", irq, err,
		       what);
		return err;
	}
	rt = &routes[irq];
	pr_info("route request: IRQ %u%s -> vector 0x%x on APIC ID %u (edge), ROUTE_PIN on the kernel ring; "
		"waiting up to %u ms\n",
		irq, tag, rt->vector, iopm_zone.hdr->iopm_apic_id, timeout_ms);
	err = route_request(irq, rt->vector, route_flags(rt, rt->sent_masked), timeout_ms, &id, &reply);
	/* Forwarded IPIs may come from the VMM's answer on: coop_chip is in
	 * place (one that came before is pending in Linux and resent now). */
	enable_irq(irq);
	if (err == -ETIMEDOUT) {
		pr_warn("route IRQ %u: no VMM answer after %u ms to ROUTE_PIN id %u (kernel ring: %llu sent, "
			"the VMM took %u)\n",
			irq, timeout_ms, id, (unsigned long long)READ_ONCE(iopm_zone.ctrl->kmsgs_sent),
			READ_ONCE(iopm_zone.vmm->krx.cons));
		if (console && route_self_ipi(rt))
			pr_info(
			    "self-test: a self-IPI on vector 0x%x reached IRQ %u through the coopvmm chip\n",
			    rt->vector, irq);
		else if (console)
			pr_err("self-test: a self-IPI on vector 0x%x did NOT reach IRQ %u\n", rt->vector,
			       irq);
		route_remove(rt);
		pr_warn("route IRQ %u: released; IRQ %u is back on Linux's 8259 chip\n", irq, irq);
		return err;
	}
	if (err) {
		pr_err("route IRQ %u: ROUTE_PIN id %u not answered (%d%s): IRQ %u stays on the 8259\n", irq,
		       id, err, err == -EPROTO ? ", the kernel ring is not usable" : "", irq);
		route_remove(rt);
		return err;
	}
	if (reply.status != COOP_ROUTE_ACTIVE || reply.irq != irq || reply.vector != rt->vector) {
		pr_err("route IRQ %u: %s (status %u, IRQ %u, vector 0x%x, the VMM's flags 0x%x): IRQ %u "
		       "stays on the 8259\n",
		       irq, route_status_name(reply.status), reply.status, reply.irq, reply.vector,
		       reply.flags, irq);
		route_remove(rt);
		return -EBUSY;
	}
	lf = iopm_kring_lock();
	rt->active = true; /* a mask change while waiting goes at the unlock */
	iopm_kring_unlock(lf);
	pr_info("route IRQ %u -> vector 0x%x: ACTIVE (ROUTE_REPLY to id %u)%s\n", irq, rt->vector, id, tag);
	if (!console)
		return 0;
	/* The UART may have raised THRE before the pin was routed and the edge is
	 * lost: run the handler once so a stalled transmitter restarts. */
	if (route_self_ipi(rt))
		pr_info("route IRQ %u: kicked once (self-IPI on vector 0x%x)\n", irq, rt->vector);
	else
		pr_err("route IRQ %u: kick: self-IPI on vector 0x%x did NOT arrive\n", irq, rt->vector);
	return 0;
}

int iopm_route_console(unsigned int timeout_ms)
{
	return route_make(iopm_zone.hdr->console_irq, true, timeout_ms);
}

int iopm_route_irq(unsigned int irq, unsigned int timeout_ms)
{
	if (irq == iopm_zone.hdr->console_irq) {
		pr_err("route IRQ %u: it is the console's (route_console)\n", irq);
		return -EEXIST;
	}
	return route_make(irq, false, timeout_ms);
}

void iopm_route_release_all(void)
{
	unsigned int irq;

	for (irq = 0; irq < COOP_ROUTE_IRQS; irq++)
		if (route_of(irq))
			route_remove(&routes[irq]);
}
