/* SPDX-License-Identifier: GPL-2.0-only */
/* channel.c: the VMM's end of the channel with one IOPM (vmm/iopm/channel.h,
 * docs/channel.md). The IOPM's kernel can write anything anywhere in its
 * part at any time, so nothing is read from the part twice: each message is
 * copied out of the ring (coop_ring_recv), then checked field by field
 * against the copy; a slot's answer likewise. What the VMM wrote (its
 * indices, its counters, its slot records) lives in struct chan and is only
 * published to the part, never read back. */
#define LOG_PREFIX "iopm"
#include "vmm/iopm/channel.h"

#include "vmm/lib/lib.h"
#include "vmm/lib/sanitize.h"
#include "vmm/platform/log.h"

/* Which VM and vCPU a message type names (docs/channel.md "Validation"). */
enum vm_rule {
	VM_NONE,   /* coop_msg.vm and .vcpu are 0 */
	VM_SERVED, /* .vm is a VM with a range served by this IOPM, .vcpu 0 */
	VM_OWN,	   /* the handler checks (VM_REQUEST: the op says; IO_DONE: the slot's request) */
};

struct msg_rule {
	const char *name;
	uint8_t vm;	   /* enum vm_rule */
	bool before_hello; /* accepted before a HELLO was */
};

/* The IOPM -> VMM (and either-way) types; a type not here is refused, and
 * so is one on the other pair's ring (coop_msg_rings: ROUTE_PIN and
 * PIN_EOI travel on the kernel ring). Each one's payload size is
 * coop_msg_len(type, 1) (shared/coopvmm_abi.h). */
static const struct msg_rule rules[COOP_MSG_TYPES] = {
    [COOP_MSG_ERROR] = {"ERROR", VM_NONE, false},
    [COOP_MSG_PING] = {"PING", VM_NONE, true},
    [COOP_MSG_PONG] = {"PONG", VM_NONE, false},
    [COOP_MSG_HELLO] = {"HELLO", VM_NONE, true},
    [COOP_MSG_HEARTBEAT] = {"HEARTBEAT", VM_NONE, false},
    [COOP_MSG_IO_DONE] = {"IO_DONE", VM_OWN, false},
    [COOP_MSG_IRQ_LINE] = {"IRQ_LINE", VM_SERVED, false},
    [COOP_MSG_MSI] = {"MSI", VM_SERVED, false},
    [COOP_MSG_ROUTE_PIN] = {"ROUTE_PIN", VM_NONE, false},
    [COOP_MSG_PIN_EOI] = {"PIN_EOI", VM_NONE, false},
    [COOP_MSG_VM_REQUEST] = {"VM_REQUEST", VM_OWN, false},
    [COOP_MSG_SET_MODE] = {"SET_MODE", VM_NONE, false},
    [COOP_MSG_RAM_DONE] = {"RAM_DONE", VM_OWN, false},
};

static const char *const reason_name[] = {
    [COOP_ERR_NONE] = "not implemented",
    [COOP_ERR_TYPE] = "type",
    [COOP_ERR_LEN] = "length",
    [COOP_ERR_VM] = "VM",
    [COOP_ERR_VCPU] = "vCPU",
    [COOP_ERR_SLOT] = "slot",
    [COOP_ERR_SEQ] = "sequence",
    [COOP_ERR_FIELD] = "field",
    [COOP_ERR_STATE] = "state",
    [COOP_ERR_VERSION] = "version",
    [COOP_ERR_FLAGS] = "flags",
};

/* The errno an ERROR reply carries for each reason. */
static int32_t reason_code(uint16_t reason)
{
	switch (reason) {
	case COOP_ERR_NONE:
		return -COOP_ENOSYS;
	case COOP_ERR_LEN:
		return -COOP_EMSGSIZE;
	case COOP_ERR_VM:
	case COOP_ERR_VCPU:
		return -COOP_ENOENT;
	case COOP_ERR_STATE:
		return -COOP_EPROTO;
	case COOP_ERR_VERSION:
		return -COOP_EPROTONOSUPPORT;
	default:
		return -COOP_EINVAL;
	}
}

static bool known_status(int32_t s)
{
	switch (-s) {
	case 0:
	case COOP_EPERM:
	case COOP_ENOENT:
	case COOP_EIO:
	case COOP_EBUSY:
	case COOP_EEXIST:
	case COOP_EINVAL:
	case COOP_ENOSPC:
	case COOP_ENOSYS:
	case COOP_EPROTO:
	case COOP_EMSGSIZE:
	case COOP_EPROTONOSUPPORT:
		return true;
	default:
		return false;
	}
}

/* The counts of the ring pair the message being handled came on. */
static struct chan_counters *counts(struct chan *c)
{
	return c->kernel_msg ? &c->kn : &c->n;
}

static void publish(struct chan *c)
{
	volatile struct coop_vmm_ctrl *v = c->vctrl;
	v->msgs_sent = c->n.msgs_sent;
	v->msgs_received = c->n.msgs_received;
	v->msgs_refused = c->n.msgs_refused;
	v->notifies_sent = c->n.notifies_sent + c->kn.notifies_sent; /* IPIs to the IOPM, both ring pairs */
	v->notifies_received = c->n.notifies_received;
}

/* What this IOPM makes the VMM log is rate-limited (one bucket per IOPM). */
static bool log_allowed(struct chan *c)
{
	if (!ratelimit_allow(&c->rl, c->now))
		return false;
	uint64_t n = ratelimit_take_suppressed(&c->rl);
	if (n)
		pr_warn("iopm%u: %llu channel lines suppressed (rate limit: %u at once, then %u a second)",
			c->index, (unsigned long long)n, CHAN_LOG_BURST, CHAN_LOG_PER_SEC);
	return true;
}

void chan_init(struct chan *c, uint32_t index, uint8_t *part, uint32_t epoch, uint64_t tsc_khz,
	       const struct chan_ops *ops, void *ctx)
{
	memset(c, 0, sizeof(*c));
	memset(part + COOP_VMM_CTRL_OFF, 0, COOP_PART_SIZE - COOP_VMM_CTRL_OFF);
	c->index = index;
	c->part = part;
	c->vctrl = (volatile struct coop_vmm_ctrl *)(part + COOP_VMM_CTRL_OFF);
	c->ictrl = (const volatile struct coop_iopm_ctrl *)(part + COOP_IOPM_CTRL_OFF);
	c->vslot = (struct coop_slot_req *)(part + COOP_VMM_SLOT_OFF);
	c->islot = (const volatile struct coop_slot_rsp *)(part + COOP_IOPM_SLOT_OFF);
	c->log = part + COOP_LOG_OFF;
	c->epoch = epoch;
	c->ops = ops;
	c->ctx = ctx;
	coop_ring_tx_init(&c->tx, (struct coop_msg *)(part + COOP_VMM_RING_OFF), COOP_RING_ENTRIES,
			  &c->vctrl->tx, &c->ictrl->rx);
	coop_ring_rx_init(&c->rx, (const struct coop_msg *)(part + COOP_IOPM_RING_OFF), COOP_RING_ENTRIES,
			  &c->vctrl->rx, &c->ictrl->tx);
	coop_ring_tx_init(&c->ktx, (struct coop_msg *)(part + COOP_VMM_KRING_OFF), COOP_KRING_ENTRIES,
			  &c->vctrl->ktx, &c->ictrl->krx);
	coop_ring_rx_init(&c->krx, (const struct coop_msg *)(part + COOP_IOPM_KRING_OFF), COOP_KRING_ENTRIES,
			  &c->vctrl->krx, &c->ictrl->ktx);
	ratelimit_init(&c->rl, CHAN_LOG_BURST, CHAN_LOG_PER_SEC, tsc_khz);
}

void chan_log_write(struct chan *c, const char *s, uint32_t len)
{
	coop_log_write(c->log, &c->log_head, &c->vctrl->log_head, s, len);
}

/* A counter that both sides of the lock below move. */
static void count(uint64_t *n)
{
	__atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
}

/* The sending side (the VMM ring's producer, the slots' records, the
 * counters it publishes) is shared by the BSP and the CPUs whose vCPUs
 * submit requests: one lock, a leaf (nothing is taken while it is held;
 * its holders have interrupts off), so that it nests inside a VM's lock. */
static void tx_lock(struct chan *c)
{
	while (__atomic_exchange_n(&c->tx_locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&c->tx_locked, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static void tx_unlock(struct chan *c)
{
	__atomic_store_n(&c->tx_locked, 0, __ATOMIC_RELEASE);
}

/* chan_send with the lock held. */
static int send_locked(struct chan *c, const struct coop_msg *m)
{
	if (c->tx_broken)
		return -COOP_EPROTO;
	int r = coop_ring_put(&c->tx, m);
	if (r == -COOP_EPROTO) {
		c->tx_broken = true;
		count(&c->n.msgs_refused);
		count(&c->n.broken);
		pr_err("iopm%u: the IOPM's index of the VMM ring is impossible (cons %u, prod %u): "
		       "nothing more is sent to it",
		       c->index, coop_load_acquire(&c->ictrl->rx.cons), c->tx.prod);
		publish(c);
	}
	if (r)
		return r;
	c->n.msgs_sent++;
	if (coop_ring_push(&c->tx) && c->notify_vec) {
		c->ops->notify(c->ctx, c->notify_vec);
		c->n.notifies_sent++;
	}
	publish(c);
	return 0;
}

int chan_send(struct chan *c, const struct coop_msg *m)
{
	tx_lock(c);
	int r = send_locked(c, m);
	tx_unlock(c);
	return r;
}

void chan_notified(struct chan *c)
{
	/* Only this counter moves: published alone (the send lock is not
	 * taken in an interrupt handler; a sender's publish may write the
	 * value it read a moment before, and the next publish corrects it). */
	c->n.notifies_received++;
	c->vctrl->notifies_received = c->n.notifies_received;
	c->work = true;
}

static int ksend(struct chan *c, const struct coop_msg *m);

/* Send a reply to `req` (its id echoed) on the ring pair it came on; a full
 * or broken ring drops it. */
static void reply(struct chan *c, const struct coop_msg *req, uint16_t type, uint32_t vm, uint16_t flags,
		  const void *payload, uint16_t len)
{
	struct coop_msg m;
	coop_msg_init(&m, type, req->id, vm, 0, payload, len);
	m.flags = flags;
	if (c->kernel_msg ? ksend(c, &m) : chan_send(c, &m))
		count(&counts(c)->replies_dropped);
}

static const char *type_name(uint16_t type)
{
	return type < COOP_MSG_TYPES && rules[type].name ? rules[type].name : "message";
}

/* Refuse message `m`: count it, log it (rate-limited) and answer ERROR
 * (never to an ERROR: two sides refusing each other's refusals would not
 * stop). Returns false, for the validators' convenience. */
__attribute__((format(printf, 4, 5))) static bool refuse(struct chan *c, const struct coop_msg *m,
							 uint16_t reason, const char *fmt, ...)
{
	struct coop_msg_error e;
	memset(&e, 0, sizeof(e));
	e.code = reason_code(reason);
	e.bad_type = m->type;
	e.reason = reason;
	e.bad_id = m->id;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.text, sizeof(e.text), fmt, ap);
	va_end(ap);
	count(&counts(c)->msgs_refused);
	if (log_allowed(c)) {
		if (reason == COOP_ERR_VERSION)
			pr_warn("iopm%u: HELLO refused: %s", c->index, e.text);
		else
			pr_warn("iopm%u: %s (type %u, id %u)%s refused (%s): %s", c->index,
				type_name(m->type), m->type, m->id,
				c->kernel_msg ? " on the kernel ring" : "", reason_name[reason], e.text);
	}
	if (m->type != COOP_MSG_ERROR)
		reply(c, m, COOP_MSG_ERROR, 0, 0, &e, sizeof(e));
	return false;
}

/* The VM and vCPU that `m` names, by its type's rule (VM_OWN: left to the
 * type's handler). */
static bool check_vm(struct chan *c, const struct coop_msg *m, uint8_t rule)
{
	if (rule == VM_NONE) {
		if (m->vm || m->vcpu)
			return refuse(c, m, COOP_ERR_FLAGS, "vm %u vcpu %u: this type names no VM", m->vm,
				      m->vcpu);
		return true;
	}
	if (rule == VM_OWN)
		return true;
	struct chan_vm vm;
	if (!c->ops->vm_find(c->ctx, m->vm, &vm))
		return refuse(c, m, COOP_ERR_VM, "no VM %u", m->vm);
	if (!vm.served)
		return refuse(c, m, COOP_ERR_VM, "VM %u has no device of iopm%u", m->vm, c->index);
	if (m->vcpu)
		return refuse(c, m, COOP_ERR_FLAGS, "vcpu %u: this type names no vCPU", m->vcpu);
	return true;
}

static void hello(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_hello h;
	memcpy(&h, m->payload, sizeof(h));
	if (h.abi_version != COOP_ABI_VERSION) {
		c->hello = false;
		refuse(c, m, COOP_ERR_VERSION, "ABI version %u, the VMM speaks %u", h.abi_version,
		       COOP_ABI_VERSION);
		return;
	}
	/* The IOPM's vector: read once, here, and kept. */
	uint32_t vec = c->ictrl->notify_vector;
	c->notify_vec = vec >= CHAN_VECTOR_MIN && vec <= CHAN_VECTOR_MAX ? (uint8_t)vec : 0;
	if (!c->notify_vec && vec && log_allowed(c))
		pr_warn("iopm%u: notify vector 0x%x is not one of 0x%x-0x%x: the VMM sends it no IPIs (it "
			"must poll)",
			c->index, vec, CHAN_VECTOR_MIN, CHAN_VECTOR_MAX);
	c->hello = true;
	if (log_allowed(c))
		pr_info("iopm%u: HELLO from pid %u: ABI %u, epoch %u, features 0x%x, notify vector 0x%x%s",
			c->index, h.pid, h.abi_version, c->epoch, h.features & CHAN_FEATURES, c->notify_vec,
			c->notify_vec ? "" : " (none: poll)");
	c->features = h.features & CHAN_FEATURES;
	struct coop_msg_hello r = {COOP_ABI_VERSION, c->epoch, c->features, 0};
	reply(c, m, COOP_MSG_HELLO_REPLY, 0, 0, &r, sizeof(r));
}

static void peer_error(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_error e;
	memcpy(&e, m->payload, sizeof(e));
	if (e.reserved) {
		refuse(c, m, COOP_ERR_FLAGS, "reserved %u", e.reserved);
		return;
	}
	counts(c)->errors_received++;
	char text[4 * sizeof(e.text) + 1];
	sanitize_text(text, sizeof(text), e.text, sizeof(e.text));
	if (log_allowed(c))
		pr_warn("iopm%u refused the VMM's message %u (type %u): code %d, reason %u: %s", c->index,
			e.bad_id, e.bad_type, e.code, e.reason, text);
}

static void set_mode(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_mode mo;
	memcpy(&mo, m->payload, sizeof(mo));
	if (mo.reserved) {
		refuse(c, m, COOP_ERR_FLAGS, "reserved %u", mo.reserved);
		return;
	}
	if (mo.vmm_mode != COOP_MODE_IPI && mo.vmm_mode != COOP_MODE_POLL) {
		refuse(c, m, COOP_ERR_FIELD, "mode %u", mo.vmm_mode);
		return;
	}
	c->polling = mo.vmm_mode == COOP_MODE_POLL;
	coop_ring_set_polling(&c->rx, c->polling);
	coop_ring_set_polling(&c->krx, c->polling);
	if (log_allowed(c))
		pr_info("iopm%u: the VMM now %s", c->index,
			c->polling ? "polls the IOPM's ring" : "takes the IOPM's messages by IPI");
}

/* Which fields a VM_REQUEST's op may set: everything else is 0. */
static bool vm_fields_ok(const struct coop_msg_vm *q)
{
	bool create = q->op == COOP_VM_CREATE, start = q->op == COOP_VM_START;
	if (q->status || q->state || q->cpu_ns || q->reserved)
		return false;
	if (!create && (q->vcpus || q->mem || q->iopm || q->devices || q->name[0]))
		return false;
	return start || (!q->boot && !q->entry && !q->arg);
}

/* STATS and HOST: the counters in replies of COOP_VM_STATS_VALUES, all
 * sent or (no room in the ring for all of them) none. */
static void vm_stats_reply(struct chan *c, const struct coop_msg *m, uint32_t op)
{
	uint64_t v[(unsigned)COOP_STATS + (unsigned)COOP_HOST_STATS]; /* room for either */
	struct coop_msg_vm_stats r;
	memset(&r, 0, sizeof(r));
	r.op = op;
	int32_t n = c->ops->vm_stats ? c->ops->vm_stats(c->ctx, op, m->vm, v, ARRAY_SIZE(v)) : -COOP_ENOSYS;
	uint32_t msgs = n > 0 ? ((uint32_t)n + COOP_VM_STATS_VALUES - 1) / COOP_VM_STATS_VALUES : 1;
	int space = coop_ring_space(&c->tx);
	if (n > 0 && space >= 0 && space < (int)msgs)
		n = -COOP_EBUSY; /* ask again */
	if (n <= 0) {
		r.status = n ? n : -COOP_ENOENT;
		reply(c, m, COOP_MSG_VM_REPLY, m->vm, 0, &r, sizeof(r));
		return;
	}
	for (uint32_t first = 0; first < (uint32_t)n; first += COOP_VM_STATS_VALUES) {
		r.first = first;
		r.count = MIN((uint32_t)n - first, COOP_VM_STATS_VALUES);
		memset(r.value, 0, sizeof(r.value));
		memcpy(r.value, v + first, r.count * sizeof(v[0]));
		reply(c, m, COOP_MSG_VM_REPLY, m->vm, first + r.count < (uint32_t)n ? COOP_VM_MORE : 0, &r,
		      sizeof(r));
	}
}

static void vm_list_reply(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_vm r;
	memset(&r, 0, sizeof(r));
	r.op = COOP_VM_LIST;
	if (!c->ops->vm_list) {
		r.status = -COOP_ENOSYS;
		reply(c, m, COOP_MSG_VM_REPLY, 0, 0, &r, sizeof(r));
		return;
	}
	uint32_t n = c->ops->vm_list(c->ctx, c->list, CHAN_VM_LIST_MAX);
	if (n > CHAN_VM_LIST_MAX)
		n = CHAN_VM_LIST_MAX;
	int space = coop_ring_space(&c->tx);
	if (space >= 0 && space < (int)(n ? n : 1)) {
		r.status = -COOP_EBUSY; /* no room for the whole list: ask again */
		reply(c, m, COOP_MSG_VM_REPLY, 0, 0, &r, sizeof(r));
		return;
	}
	if (!n) {
		r.status = -COOP_ENOENT; /* no VM */
		reply(c, m, COOP_MSG_VM_REPLY, 0, 0, &r, sizeof(r));
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct coop_msg_vm e = c->list[i].info;
		e.op = COOP_VM_LIST;
		e.status = 0;
		e.name[sizeof(e.name) - 1] = 0;
		reply(c, m, COOP_MSG_VM_REPLY, c->list[i].id, i + 1 < n ? COOP_VM_MORE : 0, &e, sizeof(e));
	}
}

static void vm_request(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_vm q;
	memcpy(&q, m->payload, sizeof(q));
	if (q.op >= COOP_VM_OPS) {
		refuse(c, m, COOP_ERR_FIELD, "op %u", q.op);
		return;
	}
	if (!vm_fields_ok(&q) || m->vcpu) {
		refuse(c, m, COOP_ERR_FLAGS, "op %u: a field it does not use is set", q.op);
		return;
	}
	if (strnlen(q.name, sizeof(q.name)) == sizeof(q.name)) {
		refuse(c, m, COOP_ERR_FIELD, "name not NUL-terminated");
		return;
	}
	bool global = q.op == COOP_VM_LIST || q.op == COOP_VM_CREATE || q.op == COOP_VM_HOST;
	struct chan_vm vm;
	if (global && m->vm) {
		refuse(c, m, COOP_ERR_VM, "op %u names no VM (vm %u)", q.op, m->vm);
		return;
	}
	if (!global && !c->ops->vm_find(c->ctx, m->vm, &vm)) {
		refuse(c, m, COOP_ERR_VM, "no VM %u", m->vm);
		return;
	}
	/* One VM: the managing IOPM may act on any, another on its own; only
	 * the managing IOPM creates VMs and sees the VMM's resources. */
	bool allowed = c->index == CHAN_MANAGER_IOPM || (!global && vm.served);
	struct coop_msg_vm r;
	memset(&r, 0, sizeof(r));
	r.op = q.op;
	uint32_t id = m->vm;
	if (!allowed && q.op != COOP_VM_LIST) {
		r.status = -COOP_EPERM;
	} else if (q.op == COOP_VM_LIST) {
		vm_list_reply(c, m);
		return;
	} else if (q.op == COOP_VM_STATS || q.op == COOP_VM_HOST) {
		vm_stats_reply(c, m, q.op);
		return;
	} else if (q.op == COOP_VM_CREATE) {
		id = 0;
		r.status =
		    c->ops->vm_create ? c->ops->vm_create(c->ctx, c->index, &q, &id, &r) : -COOP_ENOSYS;
	} else {
		r.status = c->ops->vm_op ? c->ops->vm_op(c->ctx, m->vm, &q, &r) : -COOP_ENOSYS;
	}
	r.op = q.op;
	r.name[sizeof(r.name) - 1] = 0;
	if (r.status && !(q.op == COOP_VM_CREATE && r.status == -COOP_ENOMEM)) {
		/* a refusal says nothing else (but how much RAM there is, when
		 * there was not enough: r.mem) */
		int32_t st = r.status;
		memset(&r, 0, sizeof(r));
		r.op = q.op;
		r.status = st;
	}
	reply(c, m, COOP_MSG_VM_REPLY, r.status ? m->vm : id, 0, &r, sizeof(r));
}

/* IO_DONE: the slot says which request; the message's seq, VM and vCPU
 * must be that request's (checked in this order), then its answer. */
static void io_done(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_slot s;
	memcpy(&s, m->payload, sizeof(s));
	if (s.reserved) {
		refuse(c, m, COOP_ERR_FLAGS, "reserved %u", s.reserved);
		return;
	}
	/* A copy of the VMM's record (submitted from other CPUs under the
	 * lock); a busy slot stays as copied until completed, here. */
	struct chan_slot rec = {false, {0}};
	if (s.slot < COOP_SLOTS) {
		tx_lock(c);
		rec.busy = c->slot[s.slot].busy;
		if (rec.busy)
			rec.req = c->slot[s.slot].req;
		tx_unlock(c);
	}
	if (!rec.busy) {
		refuse(c, m, COOP_ERR_SLOT, "slot %u: no request outstanding", s.slot);
		return;
	}
	const struct coop_ioreq *q = &rec.req;
	if (s.seq != q->seq) {
		refuse(c, m, COOP_ERR_SEQ, "slot %u holds request %llu, not %llu", s.slot,
		       (unsigned long long)q->seq, (unsigned long long)s.seq);
		return;
	}
	if (m->vm != q->vm || m->vcpu != q->vcpu) {
		refuse(c, m, m->vm != q->vm ? COOP_ERR_VM : COOP_ERR_VCPU,
		       "slot %u holds a request of VM %u vCPU %u", s.slot, q->vm, q->vcpu);
		return;
	}
	struct coop_ioreq out;
	uint16_t why;
	if (chan_slot_complete(c, s.slot, s.seq, &out, &why)) {
		refuse(c, m, why, "slot %u seq %llu: %s", s.slot, (unsigned long long)s.seq,
		       why == COOP_ERR_SEQ     ? "the answer is for another request"
		       : why == COOP_ERR_SLOT  ? "not COMPLETE"
		       : why == COOP_ERR_FLAGS ? "reserved field not 0"
					       : "bad answer (status or count)");
		return;
	}
	if (c->ops->io_done)
		c->ops->io_done(c->ctx, s.slot, &out);
}

static void irq_line(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_irq_line l;
	memcpy(&l, m->payload, sizeof(l));
	if (l.line >= CHAN_IRQ_LINES || l.op > COOP_IRQ_PULSE) {
		refuse(c, m, COOP_ERR_FIELD, "line %u op %u", l.line, l.op);
		return;
	}
	if (!c->ops->irq_line) {
		refuse(c, m, COOP_ERR_NONE, "IRQ_LINE: not implemented");
		return;
	}
	if (!c->ops->irq_line(c->ctx, m->vm, l.line, l.op)) {
		refuse(c, m, COOP_ERR_VM, "VM %u has gone", m->vm);
		return;
	}
	c->n.irq_lines++;
}

static void msi(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_msi x;
	memcpy(&x, m->payload, sizeof(x));
	if (x.reserved) {
		refuse(c, m, COOP_ERR_FLAGS, "reserved %u", x.reserved);
		return;
	}
	if ((x.addr & MSI_ADDR_MASK) != MSI_ADDR_BASE) {
		refuse(c, m, COOP_ERR_FIELD, "MSI address 0x%llx", (unsigned long long)x.addr);
		return;
	}
	if (!c->ops->msi) {
		refuse(c, m, COOP_ERR_NONE, "MSI: not implemented");
		return;
	}
	int r = c->ops->msi(c->ctx, m->vm, x.addr, x.data);
	if (r < 0) {
		refuse(c, m, COOP_ERR_VM, "VM %u has gone", m->vm);
		return;
	}
	if (!r) {
		refuse(c, m, COOP_ERR_FIELD, "MSI data 0x%x: an illegal vector or delivery mode", x.data);
		return;
	}
	c->n.msis++;
}

/* The checks every message passes first, on either ring pair (`ring`:
 * COOP_RINGS_DAEMON or COOP_RINGS_KERNEL): its type, the pair it travels
 * on, its length, its flags. The type's rule, or NULL (refused). */
static const struct msg_rule *check_header(struct chan *c, const struct coop_msg *m, unsigned ring)
{
	const struct msg_rule *r = m->type < COOP_MSG_TYPES ? &rules[m->type] : NULL;
	if (!r || !r->name) {
		refuse(c, m, COOP_ERR_TYPE, "type %u is not one the IOPM sends", m->type);
		return NULL;
	}
	if (!(coop_msg_rings(m->type) & ring)) {
		refuse(c, m, COOP_ERR_TYPE,
		       ring == COOP_RINGS_DAEMON ? "%s travels on the kernel ring (iopm.ko's)"
						 : "%s travels on iopmd's ring, not the kernel ring",
		       r->name);
		return NULL;
	}
	uint16_t len = coop_msg_len(m->type, 1);
	if (m->len != len) {
		refuse(c, m, COOP_ERR_LEN, "len %u, a %s has %u", m->len, r->name, len);
		return NULL;
	}
	if (m->flags) {
		refuse(c, m, COOP_ERR_FLAGS, "flags 0x%x", m->flags);
		return NULL;
	}
	return r;
}

/* RAM_DONE: the IOPM no longer maps VM m->vm's RAM (an ended VM: not in
 * the VM table any more; the VMM holds its memory until this). */
static void ram_done(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_ram r;
	memcpy(&r, m->payload, sizeof(r));
	if (m->vcpu || r.gpa || r.hpa || r.size || r.reserved) {
		refuse(c, m, COOP_ERR_FLAGS, "vcpu, gpa, hpa, size and reserved of a RAM_DONE are 0");
		return;
	}
	if (r.op != COOP_RAM_REMOVE) {
		refuse(c, m, COOP_ERR_FIELD, "op %u (only REMOVE is acknowledged)", r.op);
		return;
	}
	if (!c->ops->ram_done || !c->ops->ram_done(c->ctx, m->vm)) {
		refuse(c, m, COOP_ERR_VM, "no RAM of VM %u is held for iopm%u", m->vm, c->index);
		return;
	}
	c->n.ram_done++;
}

/* One message, already copied out of the ring. */
static void dispatch(struct chan *c, const struct coop_msg *m)
{
	const struct msg_rule *r = check_header(c, m, COOP_RINGS_DAEMON);
	if (!r)
		return;
	if (!c->hello && !r->before_hello) {
		refuse(c, m, COOP_ERR_STATE, "no HELLO yet");
		return;
	}
	if (!check_vm(c, m, r->vm))
		return;
	switch (m->type) {
	case COOP_MSG_HELLO:
		hello(c, m);
		break;
	case COOP_MSG_PING:
		reply(c, m, COOP_MSG_PONG, 0, 0, m->payload, sizeof(struct coop_msg_ping));
		break;
	case COOP_MSG_PONG:
		c->n.pongs++;
		break;
	case COOP_MSG_HEARTBEAT:
		memcpy(&c->heartbeat, m->payload, sizeof(c->heartbeat));
		c->n.heartbeats++;
		break;
	case COOP_MSG_ERROR:
		peer_error(c, m);
		break;
	case COOP_MSG_SET_MODE:
		set_mode(c, m);
		break;
	case COOP_MSG_VM_REQUEST:
		vm_request(c, m);
		break;
	case COOP_MSG_IO_DONE:
		io_done(c, m);
		break;
	case COOP_MSG_IRQ_LINE:
		irq_line(c, m);
		break;
	case COOP_MSG_MSI:
		msi(c, m);
		break;
	case COOP_MSG_RAM_DONE:
		ram_done(c, m);
		break;
	default: /* ROUTE_PIN, PIN_EOI: the kernel ring's (kdispatch) */
		break;
	}
}

/* ---- the kernel rings (iopm.ko <-> VMM): interrupt routes ---- */

static void kpublish(struct chan *c)
{
	volatile struct coop_vmm_ctrl *v = c->vctrl;
	v->kmsgs_sent = c->kn.msgs_sent;
	v->kmsgs_received = c->kn.msgs_received;
	v->kmsgs_refused = c->kn.msgs_refused;
	v->notifies_sent = c->n.notifies_sent + c->kn.notifies_sent;
}

/* Put one message on the VMM kernel ring and publish it; IPI iopm.ko when
 * the ring protocol says so (on the IOPM's one vector, known from HELLO:
 * before it, iopm.ko polls). 0, -COOP_ENOSPC or -COOP_EPROTO. */
static int ksend(struct chan *c, const struct coop_msg *m)
{
	if (c->ktx_broken)
		return -COOP_EPROTO;
	int r = coop_ring_put(&c->ktx, m);
	if (r == -COOP_EPROTO) {
		c->ktx_broken = true;
		c->kn.msgs_refused++;
		c->kn.broken++;
		pr_err("iopm%u: iopm.ko's index of the VMM kernel ring is impossible (cons %u, prod %u): "
		       "nothing more is sent on it",
		       c->index, coop_load_acquire(&c->ictrl->krx.cons), c->ktx.prod);
	}
	if (r) {
		kpublish(c);
		return r;
	}
	c->kn.msgs_sent++;
	if (coop_ring_push(&c->ktx) && c->notify_vec) {
		c->ops->notify(c->ctx, c->notify_vec);
		c->kn.notifies_sent++;
	}
	kpublish(c);
	return 0;
}

static const char *route_status_name(uint32_t s)
{
	switch (s) {
	case COOP_ROUTE_NONE:
		return "NONE";
	case COOP_ROUTE_ACTIVE:
		return "ACTIVE";
	case COOP_ROUTE_REFUSED_OWNED:
		return "REFUSED_OWNED";
	default:
		return "REFUSED_BAD";
	}
}

/* ROUTE_PIN: route, update (MASKED, vector) or release a pin; always a
 * ROUTE_REPLY. A refused route (REFUSED_OWNED, REFUSED_BAD) is counted
 * with the refusals and logged; new and released routes are logged, mask
 * updates only at debug level. */
static void kroute(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_route q;
	memcpy(&q, m->payload, sizeof(q));
	const uint32_t known = COOP_ROUTE_VALID | COOP_ROUTE_LEVEL | COOP_ROUTE_MASKED;
	if ((q.flags & ~known) || q.status || (!(q.flags & COOP_ROUTE_VALID) && (q.flags || q.vector))) {
		refuse(c, m, COOP_ERR_FLAGS, "flags 0x%x vector 0x%x status %u", q.flags, q.vector, q.status);
		return;
	}
	if (!c->ops->route_pin) {
		refuse(c, m, COOP_ERR_NONE, "ROUTE_PIN: not implemented");
		return;
	}
	struct fwd_result res;
	c->ops->route_pin(c->ctx, q.irq, q.vector, q.flags, &res);
	struct coop_msg_route a = {q.irq, q.vector, res.flags, res.status};
	bool valid = q.flags & COOP_ROUTE_VALID;
	if (res.status == COOP_ROUTE_REFUSED_OWNED || res.status == COOP_ROUTE_REFUSED_BAD) {
		c->kn.msgs_refused++;
		if (log_allowed(c))
			pr_warn("iopm%u: ROUTE_PIN IRQ %u vector 0x%x (id %u) refused: %s: %s", c->index,
				q.irq, q.vector, m->id, route_status_name(res.status), res.why);
	} else if (res.changed && log_allowed(c)) {
		if (valid)
			pr_info("iopm%u: ROUTE_PIN IRQ %u -> vector 0x%x (%s%s): ACTIVE", c->index, q.irq,
				q.vector, (res.flags & COOP_ROUTE_LEVEL) ? "level" : "edge",
				(res.flags & COOP_ROUTE_MASKED) ? ", masked" : "");
		else
			pr_info("iopm%u: ROUTE_PIN IRQ %u released", c->index, q.irq);
	} else {
		pr_debug("iopm%u: ROUTE_PIN IRQ %u: %s%s", c->index, q.irq, route_status_name(res.status),
			 (res.flags & COOP_ROUTE_MASKED) ? ", masked" : "");
	}
	reply(c, m, COOP_MSG_ROUTE_REPLY, 0, 0, &a, sizeof(a));
}

/* PIN_EOI: the level pin that waits for it is unmasked; no reply unless refused. */
static void keoi(struct chan *c, const struct coop_msg *m)
{
	struct coop_msg_route q;
	memcpy(&q, m->payload, sizeof(q));
	if (q.vector || q.flags || q.status) {
		refuse(c, m, COOP_ERR_FLAGS, "a PIN_EOI names only the IRQ");
		return;
	}
	if (!c->ops->pin_eoi) {
		refuse(c, m, COOP_ERR_NONE, "PIN_EOI: not implemented");
		return;
	}
	const char *why = "";
	int reason = c->ops->pin_eoi(c->ctx, q.irq, &why);
	if (reason)
		refuse(c, m, (uint16_t)reason, "IRQ %u: %s", q.irq, why);
}

/* One message of the kernel ring, already copied out: the same checks as
 * dispatch's, in the same order, but no HELLO is needed (iopm.ko checked
 * the header's ABI version when it loaded, before iopmd runs). */
static void kdispatch(struct chan *c, const struct coop_msg *m)
{
	const struct msg_rule *r = check_header(c, m, COOP_RINGS_KERNEL);
	if (!r || !check_vm(c, m, r->vm))
		return;
	switch (m->type) {
	case COOP_MSG_PING:
		reply(c, m, COOP_MSG_PONG, 0, 0, m->payload, sizeof(struct coop_msg_ping));
		break;
	case COOP_MSG_PONG:
		c->kn.pongs++;
		break;
	case COOP_MSG_ERROR:
		peer_error(c, m);
		break;
	case COOP_MSG_ROUTE_PIN:
		kroute(c, m);
		break;
	default: /* PIN_EOI */
		keoi(c, m);
		break;
	}
}

/* Drain one of the IOPM's rings -- iopmd's (`kernel` false) or iopm.ko's --
 * taking at most `budget` messages, each copied, then validated and acted on
 * by its dispatcher; in IPI mode arm the ring before it is left empty. A
 * corrupt index stops that ring for good. True when messages are left. */
static bool drain(struct chan *c, bool kernel, uint32_t budget)
{
	struct coop_ring_rx *rx = kernel ? &c->krx : &c->rx;
	bool *broken = kernel ? &c->krx_broken : &c->rx_broken;
	c->kernel_msg = kernel;
	struct chan_counters *n = counts(c);
	bool more = false;
	for (uint32_t i = 0; !*broken; i++) {
		if (i == budget) {
			more = true; /* the rest on the next pass: the CPU has other work */
			break;
		}
		struct coop_msg m;
		int r = coop_ring_recv(rx, &m);
		if (r < 0) {
			*broken = true;
			count(&n->msgs_refused);
			count(&n->broken);
			pr_err(kernel
				   ? "iopm%u: iopm.ko's index of its kernel ring is impossible (prod %u, "
				     "cons %u): "
				     "that ring is no longer read (routes stay as they are)"
				   : "iopm%u: the IOPM's index of its ring is impossible (prod %u, cons %u): "
				     "its ring is no longer read",
			       c->index, coop_load_acquire(rx->prod_p), rx->cons);
			break;
		}
		if (r == 0) {
			/* Empty: in IPI mode ask for an IPI for the next one,
			 * then look once more (coop_ring_arm). */
			if (c->polling || !coop_ring_arm(rx))
				break;
			continue;
		}
		n->msgs_received++;
		uint64_t refused = n->msgs_refused - n->broken;
		if (kernel)
			kdispatch(c, &m);
		else
			dispatch(c, &m);
		if (n->msgs_refused - n->broken == refused)
			n->msgs_handled++;
	}
	c->kernel_msg = false;
	return more;
}

/* Doorbells that found the ring full when their slot was submitted (the
 * lock held). */
static void send_owed_doorbells(struct chan *c)
{
	for (uint32_t s = 0; s < COOP_SLOTS && c->doorbells_owed; s++) {
		if (!(c->doorbells_owed & (1ULL << s)))
			continue;
		struct coop_msg m;
		struct coop_msg_slot d = {s, 0, c->slot[s].req.seq};
		coop_msg_init(&m, COOP_MSG_IO_REQUEST, 0, c->slot[s].req.vm, c->slot[s].req.vcpu, &d,
			      sizeof(d));
		if (send_locked(c, &m))
			return;
		c->doorbells_owed &= ~(1ULL << s);
	}
}

bool chan_poll(struct chan *c, uint64_t now)
{
	c->now = now;
	c->work = false;
	tx_lock(c);
	send_owed_doorbells(c);
	tx_unlock(c);
	bool more = drain(c, false, CHAN_RX_BUDGET);
	tx_lock(c);
	publish(c);
	tx_unlock(c);
	bool kmore = drain(c, true, CHAN_KRX_BUDGET);
	kpublish(c);
	return more || kmore || (c->polling && !(c->rx_broken && c->krx_broken));
}

int chan_slot_submit(struct chan *c, uint32_t slot, const struct coop_ioreq *req)
{
	if (slot >= COOP_SLOTS)
		return -COOP_EINVAL;
	bool string = req->flags & COOP_IOREQ_STRING;
	if (req->space > COOP_IOREQ_MMIO || req->dir > COOP_IOREQ_WRITE ||
	    (req->size != 1 && req->size != 2 && req->size != 4 && req->size != 8) ||
	    (req->flags & ~COOP_IOREQ_STRING) || req->count == 0 ||
	    (string ? req->count > COOP_IOREQ_DATA_MAX / req->size : req->count != 1))
		return -COOP_EINVAL;
	tx_lock(c);
	if (c->slot[slot].busy) {
		tx_unlock(c);
		return -COOP_EBUSY;
	}
	struct coop_slot_req *h = &c->vslot[slot];
	memcpy(&h->req, req, sizeof(*req));
	h->req.status = 0;
	h->req.reserved = 0;
	coop_store_release(&h->state, COOP_SLOT_PENDING);
	c->slot[slot].busy = true;
	c->slot[slot].req = *req;
	c->n.slots_submitted++;
	c->doorbells_owed |= 1ULL << slot;
	send_owed_doorbells(c);
	tx_unlock(c);
	return 0;
}

int chan_post(struct chan *c, const struct coop_ioreq *req)
{
	if (!c->hello || !(c->features & COOP_FEAT_POSTED))
		return -COOP_ENOSYS;
	if (req->dir != COOP_IOREQ_WRITE || (req->flags & COOP_IOREQ_STRING) || req->count != 1 ||
	    req->space > COOP_IOREQ_MMIO ||
	    (req->size != 1 && req->size != 2 && req->size != 4 && req->size != 8))
		return -COOP_EINVAL;
	struct coop_msg_posted p = {req->seq, req->addr, req->data, req->space, req->size, {0}};
	struct coop_msg m;
	coop_msg_init(&m, COOP_MSG_IO_POSTED, 0, req->vm, req->vcpu, &p, sizeof(p));
	tx_lock(c);
	send_owed_doorbells(c);
	int r = c->doorbells_owed ? -COOP_ENOSPC : send_locked(c, &m);
	if (!r)
		c->n.posted++;
	tx_unlock(c);
	return r ? -COOP_ENOSPC : 0;
}

/* chan_slot_complete with the lock held. */
static int complete_locked(struct chan *c, uint32_t slot, uint64_t seq, struct coop_ioreq *out, uint16_t *why)
{
	*why = COOP_ERR_SLOT;
	if (slot >= COOP_SLOTS || !c->slot[slot].busy)
		return -COOP_EINVAL;
	const struct coop_ioreq *q = &c->slot[slot].req;
	*why = COOP_ERR_SEQ;
	if (seq != q->seq)
		return -COOP_EINVAL;
	/* The state first (acquire), then a copy of the rest, checked. */
	const volatile struct coop_slot_rsp *p = &c->islot[slot];
	uint32_t state = coop_load_acquire(&p->state);
	*why = COOP_ERR_SLOT;
	if (state != COOP_SLOT_COMPLETE)
		return -COOP_EINVAL;
	struct coop_slot_rsp r;
	memcpy(&r, (const void *)p, sizeof(r));
	*why = COOP_ERR_SEQ;
	if (r.seq != q->seq)
		return -COOP_EINVAL;
	*why = COOP_ERR_FLAGS;
	if (r.reserved)
		return -COOP_EINVAL;
	*why = COOP_ERR_FIELD;
	if (!known_status(r.status))
		return -COOP_EINVAL;
	bool string = q->flags & COOP_IOREQ_STRING, read = q->dir == COOP_IOREQ_READ;
	if (string && read && r.count != q->count)
		return -COOP_EINVAL;
	*out = *q;
	out->status = r.status;
	if (read && !r.status) {
		if (string)
			memcpy(out->buf, r.buf, (size_t)q->count * q->size);
		else
			out->data = q->size == 8 ? r.data : r.data & ((1ULL << (8 * q->size)) - 1);
	}
	coop_store_release(&c->vslot[slot].state, COOP_SLOT_FREE);
	c->slot[slot].busy = false;
	*why = COOP_ERR_NONE;
	return 0;
}

int chan_slot_complete(struct chan *c, uint32_t slot, uint64_t seq, struct coop_ioreq *out, uint16_t *why)
{
	tx_lock(c);
	int r = complete_locked(c, slot, seq, out, why);
	tx_unlock(c);
	return r;
}
