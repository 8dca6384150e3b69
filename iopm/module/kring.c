/* SPDX-License-Identifier: GPL-2.0-only */
/* kring.c: iopm.ko's end of the kernel rings (docs/channel.md "The kernel
 * rings"): a ring pair of its own in the part, beside iopmd's, for what
 * Linux's interrupt code must tell the VMM from contexts iopmd cannot
 * reach -- ROUTE_PIN at request time (process context), mask updates from
 * the chip's irq_mask/irq_unmask (atomic context), PIN_EOI from its
 * irq_eoi (hardirq) -- and the VMM's answers: ROUTE_REPLY, ERROR, PONG.
 * One raw spinlock, taken with interrupts off, serializes every producer
 * and the consumer (this CPU is Linux's only one). Every release of the
 * lock drains what the VMM sent, lets route.c put what it holds pending,
 * publishes, and IPIs the VMM when the ring protocol says so; nothing here
 * sleeps or waits for the VMM. The VMM's messages are taken at its
 * notification IPI (notify.c), by the process waiting for a reply and at
 * every send; a retry timer runs while route.c still holds something
 * back. The ring protocol is shared/coop_ring.h's, as for iopmd.
 */
#include "iopm.h"

#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>

#include "coop_ring.h"

#define KRING_RETRY_MS 1 /* while something is held back: try again this soon */

static DEFINE_RAW_SPINLOCK(kring_lock);
DECLARE_WAIT_QUEUE_HEAD(iopm_kring_wq);

static struct coop_ring_tx ktx; /* the IOPM kernel ring: iopm.ko -> VMM */
static struct coop_ring_rx krx; /* the VMM kernel ring: VMM -> iopm.ko */
static bool ready, tx_broken, rx_broken;
static u64 sent, received, refused;
static struct timer_list retry;

static void publish(void)
{
	struct coop_iopm_ctrl *c = iopm_zone.ctrl;

	WRITE_ONCE(c->kmsgs_sent, sent);
	WRITE_ONCE(c->kmsgs_received, received);
	WRITE_ONCE(c->kmsgs_refused, refused);
}

/* Put one message (lock held); published at the unlock. 0; -ENOSPC when
 * fewer than keep_free + 1 entries are free; -EPROTO when the ring is not
 * usable (never attached, or the VMM's index was impossible). */
int __iopm_kring_put(const struct coop_msg *m, unsigned int keep_free)
{
	int space;

	lockdep_assert_held(&kring_lock);
	if (!ready || tx_broken)
		return -EPROTO;
	space = coop_ring_space(&ktx);
	if (space < 0) {
		tx_broken = true;
		pr_err("kernel ring: the VMM's index of iopm.ko's ring is impossible (cons %u, prod %u): "
		       "nothing more is sent on it\n",
		       READ_ONCE(iopm_zone.vmm->krx.cons), ktx.prod);
		return -EPROTO;
	}
	if (space <= (int)keep_free)
		return -ENOSPC;
	coop_ring_put(&ktx, m);
	sent++;
	return 0;
}

/* A VMM message as iopmd checks its own: a VMM -> IOPM type of the kernel
 * rings, the type's payload size, no flag, no VM, no vCPU. */
static const char *check_msg(const struct coop_msg *m)
{
	u16 size = coop_msg_len(m->type, 0);

	if (!size || !(coop_msg_rings(m->type) & COOP_RINGS_KERNEL))
		return "not a type the VMM sends on the kernel ring";
	if (m->len != size)
		return "length is not the type's payload size";
	if (m->flags || m->vm || m->vcpu)
		return "flags, vm or vcpu set";
	return NULL;
}

/* Lock held: take what the VMM sent (route.c acts on it), then let route.c
 * put what it holds pending, and publish. *got: a message arrived;
 * *pending: route.c still holds something back. True: notify the VMM. */
static bool __kring_run(bool *got, bool *pending)
{
	struct coop_msg m;
	const char *bad;
	int r, n;

	*got = false;
	for (n = 0; ready && !rx_broken && n < 2 * COOP_KRING_ENTRIES; n++) {
		r = coop_ring_recv(&krx, &m);
		if (r < 0) {
			rx_broken = true;
			pr_err("kernel ring: the VMM's index of its ring is impossible (prod %u, cons %u): "
			       "it is no longer read\n",
			       READ_ONCE(iopm_zone.vmm->ktx.prod), krx.cons);
			break;
		}
		if (r == 0) {
			if (!coop_ring_arm(&krx))
				break;
			continue;
		}
		received++;
		*got = true;
		bad = check_msg(&m);
		if (bad) {
			refused++;
			pr_warn_ratelimited("kernel ring: refused a VMM message (type %u len %u id %u): %s\n",
					    m.type, m.len, m.id, bad);
			continue;
		}
		__iopm_route_msg(&m);
	}
	*pending = ready && __iopm_route_flush();
	if (!ready)
		return false;
	publish();
	return coop_ring_push(&ktx);
}

unsigned long iopm_kring_lock(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&kring_lock, flags);
	return flags;
}

void iopm_kring_unlock(unsigned long flags)
{
	bool notify, got, pending;

	notify = __kring_run(&got, &pending);
	raw_spin_unlock_irqrestore(&kring_lock, flags);
	if (notify)
		iopm_notify_vmm();
	if (pending)
		mod_timer(&retry, jiffies + msecs_to_jiffies(KRING_RETRY_MS));
	if (got)
		wake_up_all(&iopm_kring_wq);
}

void iopm_kring_poll(void)
{
	iopm_kring_unlock(iopm_kring_lock());
}

static void retry_fn(struct timer_list *t)
{
	iopm_kring_poll();
}

/* Attach to both kernel rings from the indices last published (a reloaded
 * module goes on where the last one stopped; a first load finds zeros),
 * checked against the VMM's. Not fatal: without the rings no route is
 * asked for, and the console stays on Linux's 8259. */
int iopm_kring_init(void)
{
	const struct coop_shared_header *h = iopm_zone.hdr;
	struct coop_iopm_ctrl *c = iopm_zone.ctrl;
	const struct coop_vmm_ctrl *v = iopm_zone.vmm;
	unsigned long flags;
	int err;

	timer_setup(&retry, retry_fn, 0);
	flags = iopm_kring_lock();
	err = coop_ring_tx_attach(&ktx, iopm_zone.virt + h->iopm_kring_off, COOP_KRING_ENTRIES, &c->ktx,
				  &v->krx);
	if (!err)
		err = coop_ring_rx_attach(&krx, iopm_zone.virt + h->vmm_kring_off, COOP_KRING_ENTRIES,
					  &c->krx, &v->ktx);
	if (!err) {
		sent = READ_ONCE(c->kmsgs_sent);
		received = READ_ONCE(c->kmsgs_received);
		refused = READ_ONCE(c->kmsgs_refused);
		tx_broken = rx_broken = false;
		ready = true;
	}
	raw_spin_unlock_irqrestore(&kring_lock, flags);
	if (err) {
		pr_err("kernel rings: indices out of step (iopm.ko ring prod %u, VMM cons %u; VMM ring prod "
		       "%u, iopm.ko cons %u): no interrupt routes\n",
		       READ_ONCE(c->ktx.prod), READ_ONCE(v->krx.cons), READ_ONCE(v->ktx.prod),
		       READ_ONCE(c->krx.cons));
		return -EPROTO;
	}
	pr_info("kernel rings: %u entries each at 0x%x (iopm.ko -> VMM) and 0x%x (VMM -> iopm.ko), attached "
		"at prod %u cons %u\n",
		COOP_KRING_ENTRIES, h->iopm_kring_off, h->vmm_kring_off, ktx.prod, krx.cons);
	return 0;
}

void iopm_kring_exit(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&kring_lock, flags);
	ready = false;
	raw_spin_unlock_irqrestore(&kring_lock, flags);
	del_timer_sync(&retry);
}
