/* SPDX-License-Identifier: GPL-2.0-only */
/* channel.h: the VMM's end of the channel with one IOPM (docs/channel.md):
 * its views of the rings of the IOPM's part of the shared zone (iopmd's
 * pair, and iopm.ko's kernel rings for interrupt routes), the
 * sending of messages (with the IPI to the IOPM's CPU when the ring
 * protocol asks for one), the receive loop that copies every message out
 * of the IOPM's ring and validates it completely before acting on it, and
 * the VMM's half of the request slots. Pure C over memory the caller maps:
 * what needs the machine (the IPI, the VM table) are callbacks, so that
 * all of it is host-tested (tests/unit/test_channel.c) and fuzzed
 * (tests/fuzz/fuzz_channel.c). Every function is called with interrupts
 * off; chan_send, chan_slot_submit and chan_log_write from any CPU (the
 * sending side has its own lock, taken inside), the others on one CPU
 * (the BSP: its scheduler hook and its interrupt handler). */
#ifndef VMM_CHANNEL_H
#define VMM_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/apic.h" /* MSI_ADDR_BASE */
#include "shared/coop_ring.h"
#include "vmm/iopm/irq_forward.h"
#include "vmm/lib/ratelimit.h"

#define CHAN_RX_BUDGET	 COOP_RING_ENTRIES  /* messages taken per chan_poll at most */
#define CHAN_KRX_BUDGET	 COOP_KRING_ENTRIES /* ... from the kernel ring */
#define CHAN_VECTOR_MIN	 COOP_VECTOR_MIN    /* an IOPM notify vector: not an exception ... */
#define CHAN_VECTOR_MAX	 COOP_VECTOR_MAX    /* ... nor the VMM's APIC timer and above */
#define CHAN_FEATURES	 COOP_FEAT_POSTED   /* COOP_FEAT_* the VMM supports */
#define CHAN_LOG_BURST	 20		    /* refused messages logged at once ... */
#define CHAN_LOG_PER_SEC 5		    /* ... then per second */
#define CHAN_IRQ_LINES	 24		    /* guest GSIs an IRQ_LINE may name (the vIOAPIC's pins) */

#define CHAN_VM_LIST_MAX 16 /* VMs a VM_LIST answers with at most */

/* A VM as the IOPM may name it. */
struct chan_vm {
	uint32_t vcpus; /* vCPUs of the VM */
	bool served;	/* one of its device ranges is served by this IOPM */
};

/* The IOPM whose console manages every VM (vmctl); another IOPM may act
 * only on the VMs it serves. */
#define CHAN_MANAGER_IOPM 0

/* One VM of a VM_LIST: its id (the reply's coop_msg.vm) and what the reply says. */
struct chan_vm_entry {
	uint32_t id;
	struct coop_msg_vm info; /* state, vcpus, mem, cpu_ns, name */
};

/* What the channel needs of the machine (vmm/iopm/iopm.c; fakes in the tests). */
struct chan_ops {
	/* Send the IOPM's CPU an IPI on `vector` (validated at HELLO). */
	void (*notify)(void *ctx, uint8_t vector);
	/* Look VM `id` up: false when there is none. */
	bool (*vm_find)(void *ctx, uint32_t id, struct chan_vm *out);
	/* Fill at most `max` entries with the VMs that exist; returns how
	 * many. NULL: VM_LIST answers ENOSYS. */
	uint32_t (*vm_list)(void *ctx, struct chan_vm_entry *out, uint32_t max);
	/* A slot's request completed (validated; `rsp` is the request with the
	 * answer: data, status, buf). NULL: IO_DONE answers ENOSYS. */
	void (*io_done)(void *ctx, uint32_t slot, const struct coop_ioreq *rsp);
	/* Set guest interrupt line `line` (< CHAN_IRQ_LINES) of VM `vm` (a VM
	 * this IOPM serves) as `op` (enum coop_irq_op) says: false when the VM
	 * has gone meanwhile. NULL: IRQ_LINE answers ENOSYS. */
	bool (*irq_line)(void *ctx, uint32_t vm, uint32_t line, uint32_t op);
	/* Deliver an MSI (address checked: 0xfeeXXXXX; data as given) to VM
	 * `vm`: 1 delivered, 0 refused (an illegal vector or delivery mode),
	 * -1 the VM has gone meanwhile. NULL: MSI answers ENOSYS. */
	int (*msi)(void *ctx, uint32_t vm, uint64_t addr, uint32_t data);
	/* A VM_REQUEST `q` on VM `vm` (validated: it exists, this IOPM may act
	 * on it, the fields its op does not use are 0): COOP_VM_INFO fills *out
	 * (state, vcpus, mem, cpu_ns, name, iopm, devices); START, PAUSE,
	 * UNPAUSE, SHUTDOWN and DESTROY act. Returns the reply's status (0 or
	 * -COOP_E*); -COOP_ENOSYS for an op it does not serve. NULL: every
	 * such op answers ENOSYS. */
	int32_t (*vm_op)(void *ctx, uint32_t vm, const struct coop_msg_vm *q, struct coop_msg_vm *out);
	/* CREATE from IOPM `iopm` (the manager; the name is NUL-terminated,
	 * the rest is for the VMM to judge): 0 with *id the new VM's and *out
	 * describing it, or -COOP_E* (-COOP_ENOMEM: out->mem says how much
	 * guest RAM is free). NULL: CREATE answers ENOSYS. */
	int32_t (*vm_create)(void *ctx, uint32_t iopm, const struct coop_msg_vm *q, uint32_t *id,
			     struct coop_msg_vm *out);
	/* STATS of VM `vm` (enum coop_vm_stat) or HOST (enum coop_host_stat,
	 * vm 0): fill at most `max` values; returns how many, or -COOP_E*.
	 * NULL: both answer ENOSYS. */
	int32_t (*vm_stats)(void *ctx, uint32_t op, uint32_t vm, uint64_t *values, uint32_t max);
	/* RAM_DONE for VM `vm` (fields checked): the IOPM no longer maps its
	 * RAM; false when no RAM of that VM is held for this IOPM. NULL: every
	 * RAM_DONE is refused. */
	bool (*ram_done)(void *ctx, uint32_t vm);
	/* A ROUTE_PIN from iopm.ko (no unknown flag, status 0; a release names
	 * no vector): route, update or release the pin, as fwd_route
	 * (vmm/iopm/irq_forward.h). NULL: ROUTE_PIN answers ENOSYS. */
	void (*route_pin)(void *ctx, uint32_t irq, uint32_t vector, uint32_t flags, struct fwd_result *out);
	/* A PIN_EOI (only the IRQ set): 0, or as fwd_eoi a refusal's reason
	 * with *why. NULL: PIN_EOI answers ENOSYS. */
	int (*pin_eoi)(void *ctx, uint32_t irq, const char **why);
};

/* What the VMM counted on this channel; published in coop_vmm_ctrl. */
struct chan_counters {
	uint64_t msgs_sent, msgs_received, msgs_refused, notifies_sent, notifies_received;
	uint64_t msgs_handled;	  /* received and acted on: received = handled + refused - broken */
	uint64_t broken;	  /* directions stopped for an impossible index (0-2; counted in refused) */
	uint64_t replies_dropped; /* a reply or ERROR found the VMM ring full */
	uint64_t heartbeats, pongs, errors_received;
	uint64_t slots_submitted; /* requests put in a slot (chan_slot_submit) */
	uint64_t posted;	  /* writes sent as IO_POSTED (chan_post) */
	uint64_t ram_done;	  /* RAM_DONE messages acted on */
	uint64_t irq_lines;	  /* IRQ_LINE messages acted on */
	uint64_t msis;		  /* MSI messages delivered */
};

/* The VMM's record of a request it put in a slot (never read back from the zone). */
struct chan_slot {
	bool busy;
	struct coop_ioreq req; /* as submitted */
};

struct chan {
	uint32_t index;		     /* the IOPM's number (log lines say "iopmN") */
	volatile uint32_t tx_locked; /* the sending side's lock (channel.c says what it covers) */
	uint8_t *part;		     /* COOP_PART_SIZE bytes */
	volatile struct coop_vmm_ctrl *vctrl;
	const volatile struct coop_iopm_ctrl *ictrl;
	struct coop_slot_req *vslot;		    /* COOP_SLOTS: the VMM's halves */
	const volatile struct coop_slot_rsp *islot; /* COOP_SLOTS: the IOPM's halves */
	uint8_t *log;				    /* COOP_LOG_SIZE */
	struct coop_ring_tx tx;
	struct coop_ring_rx rx;
	uint32_t epoch;
	bool hello;		 /* a HELLO with our version was accepted */
	uint32_t features;	 /* COOP_FEAT_* both sides support (the HELLO_REPLY's) */
	uint8_t notify_vec;	 /* the IOPM's vector, copied at HELLO; 0: never notify */
	bool polling;		 /* SET_MODE poll: the VMM polls this ring, asks for no IPIs */
	bool rx_broken;		 /* the IOPM's prod was impossible: its ring is no longer read */
	bool tx_broken;		 /* the IOPM's cons was impossible: nothing more is sent */
	bool work;		 /* an IPI said there are messages (the hook drains) */
	uint64_t heartbeat;	 /* the IOPM's last HEARTBEAT count */
	uint64_t log_head;	 /* bytes ever written to the log (local, authoritative) */
	uint64_t doorbells_owed; /* slots whose IO_REQUEST found the ring full (bit per slot) */
	struct chan_counters n;
	struct chan_slot slot[COOP_SLOTS];
	struct ratelimit rl; /* what this IOPM's messages make the VMM log */
	uint64_t now;	     /* TSC of the chan_poll running (the rate limit's clock) */
	struct chan_vm_entry list[CHAN_VM_LIST_MAX]; /* VM_LIST's scratch */
	const struct chan_ops *ops;
	void *ctx;
	/* The kernel rings (iopm.ko's pair: ROUTE_PIN, PIN_EOI, ROUTE_REPLY),
	 * drained by chan_poll after the IOPM's ring, with their own counts
	 * (kn: msgs_*, broken, replies_dropped, pongs, errors_received). */
	struct coop_ring_tx ktx;
	struct coop_ring_rx krx;
	bool krx_broken; /* iopm.ko's prod was impossible: its ring is no longer read */
	bool ktx_broken; /* iopm.ko's cons was impossible: nothing more is sent to it */
	bool kernel_msg; /* the message being handled came on the kernel ring */
	struct chan_counters kn;
};

/* Set the channel up over a part (the header is the caller's; the control
 * areas, rings and slots are zeroed here): the VMM's ring empty, the
 * IOPM's ring empty and armed (IPI mode), the log empty. */
void chan_init(struct chan *c, uint32_t index, uint8_t *part, uint32_t epoch, uint64_t tsc_khz,
	       const struct chan_ops *ops, void *ctx);
/* Put one message on the VMM ring and publish it; notify the IOPM when the
 * ring protocol says so. 0, -COOP_ENOSPC (full) or -COOP_EPROTO (the ring
 * is broken: the IOPM's index was impossible). */
int chan_send(struct chan *c, const struct coop_msg *m);
/* The IOPM's notification IPI arrived (its interrupt handler). */
void chan_notified(struct chan *c);
/* Drain the IOPM's ring (at most CHAN_RX_BUDGET messages), then the IOPM
 * kernel ring (CHAN_KRX_BUDGET), validating and answering each; then, in
 * IPI mode, arm each ring for the next IPI. Returns true when it wants to
 * run again at once (messages left, or polling mode). */
bool chan_poll(struct chan *c, uint64_t now_tsc);
/* Append text to the VMM log in the part (the log's sink). */
void chan_log_write(struct chan *c, const char *s, uint32_t len);

/* Slots: put `req` into slot `slot` (PENDING) and ring its doorbell.
 * -COOP_EINVAL (bad slot or request), -COOP_EBUSY (the slot is
 * outstanding). A full ring delays the doorbell (sent by the next
 * chan_poll); the slot is PENDING either way. */
int chan_slot_submit(struct chan *c, uint32_t slot, const struct coop_ioreq *req);
/* Send the single write `req` as IO_POSTED (the IOPM applies it, answers
 * nothing): 0, -COOP_ENOSYS (no HELLO, or the IOPM does not take posted
 * writes), -COOP_EINVAL (not a single write), -COOP_ENOSPC (the ring is
 * full: the caller makes it a request). Doorbells owed go first, so that
 * the ring keeps the order in which the requests were made. */
int chan_post(struct chan *c, const struct coop_ioreq *req);
/* Take the completion of slot `slot` for request `seq`: validate the IOPM's
 * half (a copy), copy the answer into *out (the request as submitted, with
 * data, status and buf answered) and free the slot. 0, or a negative
 * -COOP_E* with *why the reason (enum coop_err_reason) and the slot
 * left outstanding. */
int chan_slot_complete(struct chan *c, uint32_t slot, uint64_t seq, struct coop_ioreq *out, uint16_t *why);

#endif
