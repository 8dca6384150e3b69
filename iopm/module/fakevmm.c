/* SPDX-License-Identifier: GPL-2.0-only */
/* fakevmm.c: test mode fake=1 fake_vmm=1 (docs/iopm.md "Test modes"): a
 * kernel thread plays the VMM's side of the channel in the fake zone, so
 * that iopmd, vmctl and the test tools can be exercised under plain QEMU
 * without a VMM (iopm/test/qemu_iopm.py). It answers HELLO (HELLO_REPLY, or
 * ERROR COOP_ERR_VERSION), PING (PONG), VM_REQUEST (VM_REPLY -ENOSYS),
 * takes SET_MODE and HEARTBEAT, refuses a message with a bad type, length,
 * VM id, slot or reserved field with one ERROR each and counts it, stops
 * reading a ring whose prod is impossible, counts everything in the VMM
 * control area and writes a few lines into the VMM log. On the kernel
 * rings it answers iopm.ko's ROUTE_PIN with a ROUTE_REPLY -- REFUSED_OWNED
 * for a route (it forwards no interrupt: plain QEMU's 8259 keeps them, so
 * the console stays interrupt-driven), NONE for a release -- a PING with a
 * PONG, and refuses the rest (a PIN_EOI is never owed). Its "IPIs" are a
 * self-IPI on the IOPM's notify vector one way and a wake-up of this thread
 * (COOPVMM_IOC_NOTIFY) the other. It is not the VMM (vmm/iopm/channel.c):
 * only what the IOPM side's tests need, checked the same way.
 */
#include "iopm.h"

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <asm/apic.h>
#include <asm/irq_vectors.h>

#include "coop_ring.h"

static struct task_struct *fv_task;
static DECLARE_WAIT_QUEUE_HEAD(fv_wq);
static atomic_t fv_kick = ATOMIC_INIT(0);
static struct coop_ring_tx fv_tx;
static struct coop_ring_rx fv_rx;
static struct coop_ring_tx fv_ktx; /* the VMM kernel ring */
static struct coop_ring_rx fv_krx; /* iopm.ko's kernel ring */
static u64 fv_log_head;
static bool fv_dead, fv_kdead;
static u64 fv_ram_hpa;			    /* fake_vmm_ram: announced as VM 1's RAM */
static atomic_t fv_remove = ATOMIC_INIT(0); /* VM id + 1 whose RAM to withdraw */
static unsigned long fv_beat_at;

static struct coop_vmm_ctrl *fv_ctrl(void)
{
	return (struct coop_vmm_ctrl *)iopm_zone.vmm; /* the fake zone is ours to write */
}

static void fv_log(const char *fmt, ...)
{
	struct coop_vmm_ctrl *v = fv_ctrl();
	char line[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[n++] = '\n';
	coop_log_write((u8 *)iopm_zone.virt + COOP_LOG_OFF, &fv_log_head, &v->log_head, line, n);
}

/* Send on iopmd's ring (`kernel` false) or the kernel ring. */
static int fv_send_on(bool kernel, struct coop_msg *m)
{
	struct coop_vmm_ctrl *v = fv_ctrl();
	u32 vec = READ_ONCE(iopm_zone.ctrl->notify_vector);
	struct coop_ring_tx *t = kernel ? &fv_ktx : &fv_tx;

	if (coop_ring_put(t, m))
		return -ENOSPC; /* full or broken: the VMM would drop and count it */
	if (kernel)
		WRITE_ONCE(v->kmsgs_sent, v->kmsgs_sent + 1);
	else
		WRITE_ONCE(v->msgs_sent, v->msgs_sent + 1);
	if (coop_ring_push(t) && vec >= FIRST_EXTERNAL_VECTOR) {
		apic->send_IPI_self(vec);
		WRITE_ONCE(v->notifies_sent, v->notifies_sent + 1);
	}
	return 0;
}

static int fv_send(struct coop_msg *m)
{
	return fv_send_on(false, m);
}

static int fv_error_on(bool kernel, const struct coop_msg *bad, u16 reason, int code, const char *text)
{
	struct coop_msg m = {.type = COOP_MSG_ERROR, .len = sizeof(struct coop_msg_error), .id = bad->id};
	struct coop_msg_error e = {.code = code, .bad_type = bad->type, .reason = reason, .bad_id = bad->id};
	struct coop_vmm_ctrl *v = fv_ctrl();

	strscpy(e.text, text, sizeof(e.text));
	memcpy(m.payload, &e, sizeof(e));
	if (kernel)
		WRITE_ONCE(v->kmsgs_refused, v->kmsgs_refused + 1);
	else
		WRITE_ONCE(v->msgs_refused, v->msgs_refused + 1);
	fv_log("[chan] iopm0: refused %smessage id %u type %u: %s", kernel ? "kernel-ring " : "", bad->id,
	       bad->type, text);
	return fv_send_on(kernel, &m);
}

static int fv_error(const struct coop_msg *bad, u16 reason, int code, const char *text)
{
	return fv_error_on(false, bad, reason, code, text);
}

/* A message of iopm.ko's kernel ring. */
static int fv_khandle(const struct coop_msg *m)
{
	struct coop_msg r = *m;
	struct coop_msg_route q;
	u16 size = coop_msg_len(m->type, 1);

	if (!size || !(coop_msg_rings(m->type) & COOP_RINGS_KERNEL))
		return fv_error_on(true, m, COOP_ERR_TYPE, -COOP_EINVAL, "not a kernel-ring type");
	if (m->len != size)
		return fv_error_on(true, m, COOP_ERR_LEN, -COOP_EMSGSIZE,
				   "len is not the type's payload size");
	if (m->flags || m->vm || m->vcpu)
		return fv_error_on(true, m, COOP_ERR_FLAGS, -COOP_EINVAL, "flags, vm or vcpu set");
	switch (m->type) {
	case COOP_MSG_PING:
		r.type = COOP_MSG_PONG;
		return fv_send_on(true, &r);
	case COOP_MSG_ROUTE_PIN:
		memcpy(&q, m->payload, sizeof(q));
		if ((q.flags & ~(COOP_ROUTE_VALID | COOP_ROUTE_LEVEL | COOP_ROUTE_MASKED)) || q.status)
			return fv_error_on(true, m, COOP_ERR_FLAGS, -COOP_EINVAL,
					   "ROUTE_PIN: unknown flag or status");
		q.status = (q.flags & COOP_ROUTE_VALID) ? COOP_ROUTE_REFUSED_OWNED : COOP_ROUTE_NONE;
		fv_log("[chan] iopm0: ROUTE_PIN IRQ %u vector 0x%x flags 0x%x: %s", q.irq, q.vector, q.flags,
		       q.status ? "REFUSED_OWNED (the fake VMM forwards no interrupt)" : "released");
		q.flags &= COOP_ROUTE_LEVEL;
		r.type = COOP_MSG_ROUTE_REPLY;
		memcpy(r.payload, &q, sizeof(q));
		return fv_send_on(true, &r);
	case COOP_MSG_PIN_EOI:
		return fv_error_on(true, m, COOP_ERR_STATE, -COOP_EPROTO,
				   "PIN_EOI: the fake VMM forwarded nothing");
	default: /* PONG, ERROR: taken */
		return 0;
	}
}

/* Returns what fv_send/fv_error returned, 0 for a message taken silently. */
static int fv_handle(const struct coop_msg *m)
{
	struct coop_msg r = *m;
	struct coop_msg_hello h;
	struct coop_msg_mode mode;
	struct coop_msg_slot slot;
	struct coop_msg_vm vm;
	u16 size = coop_msg_len(m->type, 1);

	if (!size || !(coop_msg_rings(m->type) & COOP_RINGS_DAEMON))
		return fv_error(m, COOP_ERR_TYPE, -COOP_EINVAL,
				"unknown type, wrong direction or wrong ring");
	if (m->len != size)
		return fv_error(m, COOP_ERR_LEN, -COOP_EMSGSIZE, "len is not the type's payload size");
	if (m->flags)
		return fv_error(m, COOP_ERR_FLAGS, -COOP_EINVAL, "unknown flags");
	if (m->vm && m->type != COOP_MSG_IRQ_LINE && m->type != COOP_MSG_IO_DONE)
		return fv_error(m, COOP_ERR_VM, -COOP_ENOENT, "a VM id on a message without one");
	switch (m->type) {
	case COOP_MSG_HELLO:
		memcpy(&h, m->payload, sizeof(h));
		if (h.abi_version != COOP_ABI_VERSION)
			return fv_error(m, COOP_ERR_VERSION, -COOP_EPROTONOSUPPORT,
					"HELLO: ABI version differs");
		if (h.epoch)
			return fv_error(m, COOP_ERR_FLAGS, -COOP_EINVAL, "HELLO: reserved field not 0");
		h = (struct coop_msg_hello){.abi_version = COOP_ABI_VERSION, .epoch = iopm_zone.hdr->epoch};
		r.type = COOP_MSG_HELLO_REPLY;
		memcpy(r.payload, &h, sizeof(h));
		fv_log("[chan] iopm0: HELLO from pid %u, ABI version %u: accepted, epoch %u",
		       ((struct coop_msg_hello *)m->payload)->pid, COOP_ABI_VERSION, iopm_zone.hdr->epoch);
		return fv_send(&r);
	case COOP_MSG_PING:
		r.type = COOP_MSG_PONG;
		return fv_send(&r);
	case COOP_MSG_SET_MODE:
		memcpy(&mode, m->payload, sizeof(mode));
		if (mode.reserved)
			return fv_error(m, COOP_ERR_FLAGS, -COOP_EINVAL, "SET_MODE: reserved field not 0");
		if (mode.vmm_mode > COOP_MODE_POLL)
			return fv_error(m, COOP_ERR_FIELD, -COOP_EINVAL, "SET_MODE: bad mode");
		coop_ring_set_polling(&fv_rx, mode.vmm_mode == COOP_MODE_POLL);
		return 0;
	case COOP_MSG_IO_DONE:
		memcpy(&slot, m->payload, sizeof(slot));
		if (slot.slot >= COOP_SLOTS)
			return fv_error(m, COOP_ERR_SLOT, -COOP_EINVAL, "IO_DONE: slot out of range");
		return fv_error(m, COOP_ERR_VM, -COOP_ENOENT, "IO_DONE: no such VM");
	case COOP_MSG_IRQ_LINE:
		return fv_error(m, COOP_ERR_VM, -COOP_ENOENT, "IRQ_LINE: no such VM");
	case COOP_MSG_VM_REQUEST:
		memset(&vm, 0, sizeof(vm));
		memcpy(&vm, m->payload, sizeof(vm));
		vm.status = -COOP_ENOSYS;
		r.type = COOP_MSG_VM_REPLY;
		memcpy(r.payload, &vm, sizeof(vm));
		return fv_send(&r);
	default: /* HEARTBEAT, PONG, ERROR: taken */
		return 0;
	}
}

static int fv_ram(u32 vm, u32 op, u64 gpa, u64 hpa, u64 size)
{
	struct coop_msg m = {.type = COOP_MSG_RAM_MAP, .len = sizeof(struct coop_msg_ram), .vm = vm};
	struct coop_msg_ram r = {.gpa = gpa, .hpa = hpa, .size = size, .op = op};

	memcpy(m.payload, &r, sizeof(r));
	return fv_send(&m);
}

/* fake_vmm_ram=HPA: VM 1's 1 MiB at guest-physical 0 is announced at HPA
 * (memmap=-reserved RAM, not Linux's), and VM 2's first page at the fake
 * zone itself (this kernel's RAM: iopm.ko must refuse it). */
static void fv_announce(void)
{
	if (!fv_ram_hpa)
		return;
	fv_ram(1, COOP_RAM_ADD, 0, fv_ram_hpa, SZ_1M);
	fv_ram(2, COOP_RAM_ADD, 0, iopm_zone.base, PAGE_SIZE);
	fv_log(
	    "[chan] iopm0: RAM_MAP: vm 1 gpa 0 size 1 MiB at hpa 0x%llx; vm 2 gpa 0 at hpa 0x%llx (IOPM RAM)",
	    fv_ram_hpa, (u64)iopm_zone.base);
}

static int fv_thread(void *unused)
{
	struct coop_vmm_ctrl *v = fv_ctrl();
	struct coop_msg m;
	int r, vm;

	fv_announce();
	while (!kthread_should_stop()) {
		vm = atomic_xchg(&fv_remove, 0);
		if (vm)
			fv_ram(vm - 1, COOP_RAM_REMOVE, 0, 0, 0);
		while (!fv_kdead && (r = coop_ring_recv(&fv_krx, &m)) != 0) {
			if (r < 0) {
				fv_kdead = true;
				WRITE_ONCE(v->kmsgs_refused, v->kmsgs_refused + 1);
				fv_log("[chan] iopm0: kernel ring prod %u impossible (cons %u): not read",
				       READ_ONCE(iopm_zone.ctrl->ktx.prod), fv_krx.cons);
				break;
			}
			WRITE_ONCE(v->kmsgs_received, v->kmsgs_received + 1);
			fv_khandle(&m);
		}
		while (!fv_dead && (r = coop_ring_recv(&fv_rx, &m)) != 0) {
			if (r < 0) {
				fv_dead = true;
				fv_log("[chan] iopm0: IOPM ring prod %u impossible (cons %u): not read",
				       READ_ONCE(iopm_zone.ctrl->tx.prod), fv_rx.cons);
				break;
			}
			WRITE_ONCE(v->msgs_received, v->msgs_received + 1);
			fv_handle(&m);
		}
		if (fv_rx.mine->flags & COOP_RING_POLLING) {
			usleep_range(50, 100);
			if (!time_after(jiffies, fv_beat_at))
				continue;
		}
		if (coop_ring_arm(&fv_rx) && !fv_dead)
			continue;
		if (coop_ring_arm(&fv_krx) && !fv_kdead)
			continue;
		wait_event_interruptible_timeout(fv_wq, atomic_xchg(&fv_kick, 0) || kthread_should_stop(),
						 HZ / 2);
		if (time_after(jiffies, fv_beat_at)) { /* the VMM's heartbeat: once a second */
			fv_beat_at = jiffies + HZ;
			WRITE_ONCE(v->heartbeat, v->heartbeat + 1);
		}
	}
	return 0;
}

/* COOPVMM_IOC_NOTIFY in this mode: the IOPM's IPI to the "VMM". */
void iopm_fakevmm_notify(void)
{
	struct coop_vmm_ctrl *v = fv_ctrl();

	WRITE_ONCE(v->notifies_received, v->notifies_received + 1);
	atomic_set(&fv_kick, 1);
	wake_up_interruptible(&fv_wq);
}

bool iopm_fakevmm_on(void)
{
	return fv_task != NULL;
}

/* Writing VM to /sys/module/iopm/parameters/fake_vmm_remove: the fake VMM
 * withdraws that VM's RAM (RAM_MAP REMOVE). */
int iopm_fakevmm_remove(u32 vm)
{
	if (!fv_task)
		return -ENODEV;
	atomic_set(&fv_remove, vm + 1);
	atomic_set(&fv_kick, 1);
	wake_up_interruptible(&fv_wq);
	return 0;
}

int iopm_fakevmm_start(u64 ram_hpa)
{
	struct coop_shared_header *h = (struct coop_shared_header *)iopm_zone.hdr;
	struct coop_vmm_ctrl *v = fv_ctrl();

	h->vmm_notify_vector = 0xf0; /* a token: its IPIs are wake-ups of the thread */
	fv_ram_hpa = ram_hpa;
	coop_ring_tx_init(&fv_tx, (struct coop_msg *)((u8 *)iopm_zone.virt + COOP_VMM_RING_OFF),
			  COOP_RING_ENTRIES, &v->tx, &iopm_zone.ctrl->rx);
	coop_ring_rx_init(&fv_rx, (const struct coop_msg *)((u8 *)iopm_zone.virt + COOP_IOPM_RING_OFF),
			  COOP_RING_ENTRIES, &v->rx, &iopm_zone.ctrl->tx);
	coop_ring_tx_init(&fv_ktx, (struct coop_msg *)((u8 *)iopm_zone.virt + COOP_VMM_KRING_OFF),
			  COOP_KRING_ENTRIES, &v->ktx, &iopm_zone.ctrl->krx);
	coop_ring_rx_init(&fv_krx, (const struct coop_msg *)((u8 *)iopm_zone.virt + COOP_IOPM_KRING_OFF),
			  COOP_KRING_ENTRIES, &v->krx, &iopm_zone.ctrl->ktx);
	fv_log("coopvmm boot report (fake VMM in iopm.ko, fake_vmm=1: test mode)");
	fv_log("[chan] iopm0: channel up: ABI version %u, epoch %u", COOP_ABI_VERSION, h->epoch);
	fv_task = kthread_run(fv_thread, NULL, "coopvmm-fakevmm");
	if (IS_ERR(fv_task)) {
		int err = PTR_ERR(fv_task);

		fv_task = NULL;
		return err;
	}
	pr_warn("fake_vmm=1: TEST MODE: a kernel thread answers as the VMM in the fake zone\n");
	return 0;
}

void iopm_fakevmm_stop(void)
{
	if (fv_task)
		kthread_stop(fv_task);
	fv_task = NULL;
}
