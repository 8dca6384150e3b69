/* SPDX-License-Identifier: GPL-2.0-only */
/* notify.c: the channel's IPIs (issue 14, docs/iopm.md "Notifications").
 *
 * From the VMM: Linux runs with noapic, so ISA IRQ n owns vector
 * ISA_IRQ_VECTOR(n) = 0x30 + n on this CPU (init_IRQ). An ISA IRQ that no
 * driver uses (10 by default: not the console's, not 2, 7 or 15 where the
 * 8259 puts its spurious interrupts) is taken over like route.c does with
 * the console's: masked at the 8259, given a chip whose ack EOIs the local
 * APIC, and requested here; its vector is published in
 * coop_iopm_ctrl.notify_vector once a self-IPI proved that it arrives. The
 * VMM never routes a pin to it: only its IPIs come on that vector. The
 * handler takes the VMM's kernel-ring messages (kring.c: route replies),
 * counts, and wakes /dev/coopvmm's readers and pollers (iopmd drains its
 * own ring).
 *
 * To the VMM: a fixed physical IPI on header.vmm_notify_vector to
 * header.vmm_apic_id through Linux's own APIC driver (apic->icr_write,
 * xAPIC or x2APIC), with interrupts off so that no IPI of Linux's own
 * lands between the two xAPIC ICR writes.
 */
#include "iopm.h"

#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/wait.h>
#include <asm/apic.h>
#include <asm/i8259.h>
#include <asm/irq_vectors.h>

DECLARE_WAIT_QUEUE_HEAD(iopm_notify_wq);
atomic64_t iopm_notifies_received = ATOMIC64_INIT(0);
static atomic64_t notifies_sent = ATOMIC64_INIT(0);

static unsigned int notify_irq;	   /* 0: none */
static unsigned int notify_vector; /* as published */
static struct irq_chip *notify_old_chip;

/* Preference order: IRQs an ISA PC rarely wires; never 2 (cascade), 7 or
 * 15 (the 8259's spurious IRQs would count as notifications). */
static const unsigned int notify_irq_pref[] = {10, 11, 5, 6, 14, 13, 12};

static void notify_chip_ack(struct irq_data *d)
{
	apic_eoi();
}

static void notify_chip_nop(struct irq_data *d) {}

static struct irq_chip notify_chip = {
    .name = "coopvmm-notify",
    .irq_ack = notify_chip_ack,
    .irq_mask = notify_chip_nop,
    .irq_unmask = notify_chip_nop,
};

static irqreturn_t notify_handler(int irq, void *dev)
{
	u64 n = atomic64_inc_return(&iopm_notifies_received);

	iopm_kring_poll();
	WRITE_ONCE(iopm_zone.ctrl->notifies_received, n);
	wake_up_interruptible_all(&iopm_notify_wq);
	return IRQ_HANDLED;
}

static bool notify_irq_free(unsigned int irq)
{
	if (irq >= (unsigned int)nr_legacy_irqs() || irq == 2 || irq == iopm_zone.hdr->console_irq)
		return false;
	if (!irq_get_irq_data(irq) || irq_get_chip(irq) != legacy_pic->chip)
		return false;
	return !irq_has_action(irq);
}

static void notify_restore(unsigned int irq)
{
	irq_set_chip_and_handler_name(irq, notify_old_chip, handle_level_irq, NULL);
	irq_modify_status(irq, 0, IRQ_LEVEL); /* as init_ISA_irqs() left it; the 8259 line stays masked */
}

/* irq_param: -1 picks a free ISA IRQ, 0 takes none (iopmd then polls), n
 * takes ISA IRQ n. Never fatal: without a vector the channel polls.
 * `avoid`: IRQs wanted for routes (route_irqs=), never picked by -1 even
 * though no driver has them yet. */
void iopm_notify_init(int irq_param, const unsigned int *avoid, unsigned int navoid)
{
	struct irq_data *d;
	unsigned int irq = 0, vector;
	size_t i;
	int err, n;

	if (irq_param == 0) {
		pr_info("notify_irq=0: no notification vector, the channel polls\n");
		return;
	}
	if (irq_param > 0) {
		if (notify_irq_free(irq_param))
			irq = irq_param;
	} else {
		for (i = 0; i < ARRAY_SIZE(notify_irq_pref) && !irq; i++) {
			unsigned int j;

			for (j = 0; j < navoid && avoid[j] != notify_irq_pref[i]; j++)
				;
			if (j == navoid && notify_irq_free(notify_irq_pref[i]))
				irq = notify_irq_pref[i];
		}
	}
	if (!irq) {
		pr_err("notifications: no free ISA IRQ on the 8259 (notify_irq=%d): the channel polls\n",
		       irq_param);
		return;
	}
	vector = ISA_IRQ_VECTOR(irq);
	d = irq_get_irq_data(irq);
	notify_old_chip = irq_get_chip(irq);
	notify_old_chip->irq_mask(d); /* the 8259 is no source of it */
	irq_set_chip_and_handler_name(irq, &notify_chip, handle_edge_irq, "edge");
	irq_modify_status(irq, IRQ_LEVEL, 0);
	err = request_irq(irq, notify_handler, 0, "coopvmm-notify", &iopm_notify_wq);
	if (err) {
		pr_err("notifications: request_irq(%u): %d: the channel polls\n", irq, err);
		notify_restore(irq);
		return;
	}
	/* The same path as the VMM's IPI: common_interrupt -> vector_irq -> here. */
	apic->send_IPI_self(vector);
	for (n = 0; n < 1000 && !atomic64_read(&iopm_notifies_received); n++)
		udelay(10);
	if (!atomic64_read(&iopm_notifies_received)) {
		pr_err("notifications: a self-IPI on vector 0x%x did NOT reach IRQ %u: the channel polls\n",
		       vector, irq);
		free_irq(irq, &iopm_notify_wq);
		notify_restore(irq);
		return;
	}
	atomic64_set(&iopm_notifies_received, 0);
	WRITE_ONCE(iopm_zone.ctrl->notifies_received, 0);
	WRITE_ONCE(iopm_zone.ctrl->notifies_sent, 0);
	notify_irq = irq;
	notify_vector = vector;
	smp_wmb(); /* the handler is in place before the VMM learns the vector */
	WRITE_ONCE(iopm_zone.ctrl->notify_vector, vector);
	pr_info("notifications from the VMM: vector 0x%x (ISA IRQ %u, unused by Linux), self-test ok\n",
		vector, irq);
}

void iopm_notify_exit(void)
{
	if (!notify_irq)
		return;
	WRITE_ONCE(iopm_zone.ctrl->notify_vector, 0);
	free_irq(notify_irq, &iopm_notify_wq);
	notify_restore(notify_irq);
	notify_irq = 0;
	notify_vector = 0;
}

/* IPI the VMM's CPU on its vector: -ENODEV when there is no VMM (fake
 * zone) or it takes no IPIs (vector 0), -EINVAL for an impossible header. */
int iopm_notify_vmm(void)
{
	u32 id = READ_ONCE(iopm_zone.hdr->vmm_apic_id);
	u32 vec = READ_ONCE(iopm_zone.hdr->vmm_notify_vector);
	unsigned long flags;
	u64 n;

	if (iopm_fakevmm_on()) {
		iopm_fakevmm_notify();
		goto sent;
	}
	if (iopm_zone.fake || id == COOP_NO_APIC_ID || !vec)
		return -ENODEV;
	if (vec < FIRST_EXTERNAL_VECTOR || vec > 0xff || id == read_apic_id() || (!x2apic_mode && id > 0xfe))
		return -EINVAL;
	local_irq_save(flags);
	apic->wait_icr_idle();
	apic->icr_write(APIC_DM_FIXED | APIC_DEST_PHYSICAL | vec, id);
	local_irq_restore(flags);
sent:
	n = atomic64_inc_return(&notifies_sent);
	WRITE_ONCE(iopm_zone.ctrl->notifies_sent, n);
	return 0;
}

void iopm_notify_info(struct coopvmm_info *info)
{
	info->notifies_sent = atomic64_read(&notifies_sent);
	info->notifies_received = atomic64_read(&iopm_notifies_received);
	info->notify_vector = notify_vector;
	info->notify_irq = notify_irq;
	info->vmm_apic_id = READ_ONCE(iopm_zone.hdr->vmm_apic_id);
	info->vmm_vector = READ_ONCE(iopm_zone.hdr->vmm_notify_vector);
	info->fake = iopm_zone.fake;
	info->fake_vmm = iopm_fakevmm_on();
}
