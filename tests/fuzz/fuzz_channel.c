/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_channel.c: libFuzzer target for the VMM's end of the channel
 * (vmm/iopm/channel.c, docs/channel.md "Validation on the VMM side"). The
 * input is a script of what an IOPM may do to its part of the shared zone
 * -- put messages on its ring and on its kernel ring, write any bytes
 * anywhere in the pages it owns (its control area with the ring indices,
 * its rings, its slot halves), take the VMM's messages, send the notify
 * IPI, route pins and EOI them -- interleaved with the VMM polling,
 * submitting requests into slots and taking the routed pins' interrupts
 * (the real pin table, vmm/iopm/irq_forward.c, over fake hardware). After
 * each step: the VMM wrote nothing outside its own pages of the part (the
 * part is a heap block of exactly COOP_PART_SIZE, so ASan catches a write
 * beyond it; the IOPM's pages and the header are compared with a copy),
 * its counters add up for each ring pair (received = handled + refused -
 * broken; the published counters and indices equal its own; its slot
 * states match its records), and the pins obey the routing rules: the
 * VMM's pin (4) and another IOPM's (5) are never unmasked nor forwarded, an
 * IPI goes only to a routed pin's vector, a level pin is masked from its
 * forward to its EOI (never forwarded twice in between), every interrupt
 * is EOIed once.
 *
 *   make -C tests/fuzz run-channel [SECONDS=60]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "fuzz"
#include "shared/coop_ring.h"
#include "shared/coop_zone.h"
#include "vmm/iopm/channel.h"
#include "vmm/platform/log.h"

/* ---- what channel.c needs from the VMM around it ---- */

void log_printf(enum log_level level, const char *prefix, const char *fmt, ...)
{
	(void)level;
	(void)prefix;
	(void)fmt;
}

void log_raw(const char *fmt, ...)
{
	(void)fmt;
}

void log_fatal(const char *prefix, const char *fmt, ...)
{
	(void)prefix;
	(void)fmt;
	abort();
}

#define CHECK(c)                                                                                             \
	do {                                                                                                 \
		if (!(c)) {                                                                                  \
			fprintf(stderr, "fuzz_channel: INVARIANT VIOLATED: %s (line %d)\n", #c, __LINE__);   \
			abort();                                                                             \
		}                                                                                            \
	} while (0)

static unsigned notifies;
static unsigned io_dones;

/* The fake IOAPIC behind the pin table: what each pin's RTE says. */
#define F_LEVEL_IRQS ((1U << 9) | (1U << 10) | (1U << 11))
#define F_NO_PIN_IRQ 13
static struct fwd_table pins;
static bool claimed[COOP_ROUTE_IRQS], masked[COOP_ROUTE_IRQS], in_service, sent_this_fire;
static unsigned eois_this_fire;

static void f_notify(void *ctx, uint8_t vector)
{
	(void)ctx;
	CHECK(vector >= CHAN_VECTOR_MIN && vector <= CHAN_VECTOR_MAX);
	notifies++;
}

static bool f_vm_find(void *ctx, uint32_t id, struct chan_vm *out)
{
	(void)ctx;
	if (id < 1 || id > 3)
		return false;
	out->vcpus = id;       /* VM 1: 1 vCPU, 2: 2, 3: 3 */
	out->served = id != 2; /* VM 2 has no range of this IOPM */
	return true;
}

static uint32_t f_vm_list(void *ctx, struct chan_vm_entry *out, uint32_t max)
{
	(void)ctx;
	uint32_t n = 0;
	for (uint32_t id = 1; id <= 3 && n < max; id++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].id = id;
		out[n].info.vcpus = id;
		snprintf(out[n].info.name, sizeof(out[n].info.name), "vm%u", id);
	}
	return n;
}

/* The lifecycle ops: what the channel passes on must have passed its checks. */
static int32_t f_vm_op(void *ctx, uint32_t vm, const struct coop_msg_vm *q, struct coop_msg_vm *out)
{
	(void)ctx;
	(void)out;
	CHECK(vm >= 1 && vm <= 3);
	CHECK(q->op < COOP_VM_OPS && q->op != COOP_VM_CREATE && q->op != COOP_VM_LIST);
	CHECK(!q->status && !q->state && !q->cpu_ns && !q->reserved && !q->mem && !q->name[0]);
	return 0;
}

static int32_t f_vm_create(void *ctx, uint32_t iopm, const struct coop_msg_vm *q, uint32_t *id,
			   struct coop_msg_vm *out)
{
	(void)ctx;
	(void)out;
	CHECK(iopm == 0 && q->op == COOP_VM_CREATE && !q->boot && !q->entry && !q->arg);
	CHECK(strnlen(q->name, sizeof(q->name)) < sizeof(q->name));
	*id = 4;
	return q->vcpus & 1 ? 0 : -COOP_EINVAL;
}

static int32_t f_vm_stats(void *ctx, uint32_t op, uint32_t vm, uint64_t *v, uint32_t max)
{
	(void)ctx;
	CHECK(op == COOP_VM_STATS || op == COOP_VM_HOST);
	CHECK(op == COOP_VM_HOST ? vm == 0 : vm >= 1 && vm <= 3);
	uint32_t n = op == COOP_VM_HOST ? COOP_HOST_STATS : COOP_STATS;
	CHECK(max >= n);
	for (uint32_t i = 0; i < n; i++)
		v[i] = i;
	return (int32_t)n;
}

static bool f_ram_done(void *ctx, uint32_t vm)
{
	(void)ctx;
	return vm == 7; /* an ended VM whose RAM is held */
}

static void f_io_done(void *ctx, uint32_t slot, const struct coop_ioreq *rsp)
{
	(void)ctx;
	CHECK(slot < COOP_SLOTS);
	CHECK(rsp->count >= 1 && (size_t)rsp->count * rsp->size <= COOP_IOREQ_DATA_MAX);
	io_dones++;
}

static bool f_irq_line(void *ctx, uint32_t vm, uint32_t line, uint32_t op)
{
	(void)ctx;
	(void)vm;
	CHECK(line < CHAN_IRQ_LINES && op <= COOP_IRQ_PULSE);
	return true;
}

static int f_claim(void *ctx, uint32_t irq, bool *level)
{
	(void)ctx;
	CHECK(irq < COOP_ROUTE_IRQS && !claimed[irq]);
	CHECK(irq != 4 && irq != 5); /* never the VMM's nor another IOPM's */
	if (irq == F_NO_PIN_IRQ)
		return -1;
	claimed[irq] = true;
	masked[irq] = true;
	*level = F_LEVEL_IRQS & (1U << irq);
	return 0;
}

static void f_mask(void *ctx, uint32_t irq)
{
	(void)ctx;
	CHECK(irq < COOP_ROUTE_IRQS && claimed[irq]);
	masked[irq] = true;
}

static void f_unmask(void *ctx, uint32_t irq)
{
	(void)ctx;
	CHECK(irq < COOP_ROUTE_IRQS && claimed[irq]);
	CHECK(pins.pin[irq].owner == FWD_IOPM && pins.pin[irq].iopm == 0 && pins.pin[irq].routed);
	CHECK(!pins.pin[irq].level || pins.pin[irq].hold == FWD_OPEN);
	masked[irq] = false;
}

static void f_eoi(void *ctx)
{
	(void)ctx;
	CHECK(in_service);
	eois_this_fire++;
}

static void f_send(void *ctx, uint32_t iopm, uint8_t vector)
{
	(void)ctx;
	CHECK(iopm == 0);
	CHECK(vector >= COOP_VECTOR_MIN && vector <= COOP_VECTOR_MAX);
	bool found = false;
	for (uint32_t i = 0; i < COOP_ROUTE_IRQS; i++)
		if (pins.pin[i].routed && pins.pin[i].vector == vector && pins.pin[i].owner == FWD_IOPM &&
		    pins.pin[i].iopm == 0 && !pins.pin[i].masked)
			found = true;
	CHECK(found);
	sent_this_fire = true;
}

static const struct fwd_ops fops = {f_claim, f_mask, f_unmask, f_eoi, f_send};

static void f_route_pin(void *ctx, uint32_t irq, uint32_t vector, uint32_t flags, struct fwd_result *out)
{
	(void)ctx;
	fwd_route(&pins, 0, irq, vector, flags, &fops, NULL, out);
	CHECK(out->why != NULL);
	CHECK(out->status <= COOP_ROUTE_REFUSED_BAD);
}

static int f_pin_eoi(void *ctx, uint32_t irq, const char **why)
{
	(void)ctx;
	int r = fwd_eoi(&pins, 0, irq, &fops, NULL, why);
	CHECK(r == 0 || r == COOP_ERR_FIELD || r == COOP_ERR_STATE);
	return r;
}

static int f_msi(void *ctx, uint32_t vm, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)vm;
	CHECK((addr & MSI_ADDR_MASK) == MSI_ADDR_BASE);
	return (data & MSI_DATA_VECTOR_MASK) >= MSI_DATA_VECTOR_MIN;
}

static const struct chan_ops ops = {
    .notify = f_notify,
    .vm_find = f_vm_find,
    .vm_list = f_vm_list,
    .io_done = f_io_done,
    .irq_line = f_irq_line,
    .msi = f_msi,
    .vm_op = f_vm_op,
    .vm_create = f_vm_create,
    .vm_stats = f_vm_stats,
    .ram_done = f_ram_done,
    .route_pin = f_route_pin,
    .pin_eoi = f_pin_eoi,
};

/* The pin of `irq` fires, as the IOAPIC would deliver it: only while unmasked. */
static void fire(uint32_t irq)
{
	if (irq >= COOP_ROUTE_IRQS || !claimed[irq] || masked[irq])
		return;
	bool level = pins.pin[irq].level, waited = pins.pin[irq].hold == FWD_WAIT_EOI;
	CHECK(!(level && waited)); /* a level pin waiting for its EOI is masked */
	in_service = true;
	sent_this_fire = false;
	eois_this_fire = 0;
	bool fwd = fwd_interrupt(&pins, irq, &fops, NULL);
	in_service = false;
	CHECK(eois_this_fire == 1);
	CHECK(fwd == sent_this_fire);
	if (level)
		CHECK(masked[irq] && pins.pin[irq].hold == (fwd ? FWD_WAIT_EOI : FWD_HELD));
}

/* ---- the script ---- */

struct input {
	const uint8_t *d;
	size_t n;
};

static bool take(struct input *in, void *out, size_t len)
{
	if (in->n < len)
		return false;
	memcpy(out, in->d, len);
	in->d += len;
	in->n -= len;
	return true;
}

static uint8_t *part;
static uint8_t *shadow; /* the IOPM's pages and the header as the IOPM (and init) left them */
static struct chan c;

static bool iopm_owned(uint64_t off)
{
	return coop_part_iopm_writes(off) || off < COOP_VMM_CTRL_OFF;
}

/* The VMM did not write the IOPM's pages or the header. */
static void check_untouched(void)
{
	for (uint64_t off = 0; off < COOP_PART_SIZE; off += COOP_PAGE)
		if (iopm_owned(off))
			CHECK(!memcmp(part + off, shadow + off, COOP_PAGE));
}

static void iopm_write(uint64_t off, const void *src, size_t len)
{
	memcpy(part + off, src, len);
	memcpy(shadow + off, src, len);
}

static void check_counters(void)
{
	const struct chan_counters *n = &c.n, *k = &c.kn;
	const struct coop_vmm_ctrl *v = (const void *)(part + COOP_VMM_CTRL_OFF);
	CHECK(n->msgs_received == n->msgs_handled + n->msgs_refused - n->broken);
	CHECK(n->broken <= 2);
	CHECK(n->broken == (uint64_t)c.rx_broken + (uint64_t)c.tx_broken);
	CHECK(k->msgs_received == k->msgs_handled + k->msgs_refused - k->broken);
	CHECK(k->broken == (uint64_t)c.krx_broken + (uint64_t)c.ktx_broken);
	CHECK(!c.kernel_msg);
	CHECK(v->kmsgs_sent == k->msgs_sent && v->kmsgs_received == k->msgs_received &&
	      v->kmsgs_refused == k->msgs_refused);
	CHECK(v->ktx.prod == (uint32_t)k->msgs_sent);
	CHECK(v->krx.cons == (uint32_t)k->msgs_received);
	CHECK(v->krx.flags == (c.polling ? COOP_RING_POLLING : 0));
	CHECK(n->notifies_sent <= n->msgs_sent && k->notifies_sent <= k->msgs_sent);
	CHECK(n->notifies_sent + k->notifies_sent == notifies);
	for (uint32_t i = 0; i < COOP_ROUTE_IRQS; i++) {
		const struct fwd_pin *p = &pins.pin[i];
		CHECK(i == 4 ? p->owner == FWD_VMM : i == 5 ? p->owner == FWD_IOPM && p->iopm == 1 : 1);
		CHECK(p->forwarded == 0 || (i != 4 && i != 5));
		if (p->claimed && p->level && p->hold != FWD_OPEN)
			CHECK(masked[i]); /* held or waiting for its EOI: masked */
		if (p->claimed && !p->routed)
			CHECK(masked[i]); /* no route: masked */
	}
	CHECK(v->msgs_sent == n->msgs_sent && v->msgs_received == n->msgs_received &&
	      v->msgs_refused == n->msgs_refused && v->notifies_sent == n->notifies_sent + k->notifies_sent &&
	      v->notifies_received == n->notifies_received);
	CHECK(v->tx.prod == (uint32_t)n->msgs_sent);
	CHECK(v->rx.cons == (uint32_t)n->msgs_received);
	CHECK(v->rx.flags == (c.polling ? COOP_RING_POLLING : 0));
	for (unsigned s = 0; s < COOP_SLOTS; s++) {
		const struct coop_slot_req *r = (const void *)(part + COOP_VMM_SLOT_OFF + s * COOP_SLOT_SIZE);
		CHECK(r->state == (c.slot[s].busy ? COOP_SLOT_PENDING : COOP_SLOT_FREE));
	}
}

enum op {
	OP_MSG,	   /* put a message (up to 128 bytes from the input) and publish prod */
	OP_WRITE,  /* write bytes anywhere in the IOPM's pages */
	OP_POLL,   /* the VMM drains */
	OP_SUBMIT, /* the VMM submits a request into a slot */
	OP_DRAIN,  /* the IOPM takes the VMM's messages (and re-arms) */
	OP_IPI,	   /* the IOPM's notify IPI */
	OP_HELLO,  /* a well-formed HELLO (to reach the attached states) */
	OP_ANSWER, /* a well-formed answer to an outstanding slot, with its doorbell */
	OP_KMSG,   /* put a message on the kernel ring (up to 128 bytes) and publish prod */
	OP_KROUTE, /* a well-formed ROUTE_PIN on the kernel ring */
	OP_KEOI,   /* a well-formed PIN_EOI on the kernel ring */
	OP_FIRE,   /* a pin fires (if its RTE is unmasked) */
	OP_KDRAIN, /* iopm.ko takes the VMM's kernel-ring messages (and re-arms) */
	OPS
};

/* The fake iopm.ko's kernel ring: put `m` at its own index and publish it. */
static uint32_t kprod;

static void kput(const struct coop_msg *m)
{
	iopm_write(COOP_IOPM_KRING_OFF + (kprod & (COOP_KRING_ENTRIES - 1)) * COOP_MSG_SIZE, m, sizeof(*m));
	kprod++;
	iopm_write(COOP_IOPM_CTRL_OFF + __builtin_offsetof(struct coop_iopm_ctrl, ktx.prod), &kprod,
		   sizeof(kprod));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!part) {
		part = malloc(COOP_PART_SIZE);
		shadow = malloc(COOP_PART_SIZE);
	}
	memset(part, 0, COOP_PART_SIZE);
	coop_part_header_init((struct coop_shared_header *)part, 0x1000000);
	notifies = io_dones = 0;
	memset(&pins, 0, sizeof(pins));
	memset(claimed, 0, sizeof(claimed));
	memset(masked, 0, sizeof(masked));
	fwd_keep(&pins, 4);
	fwd_assign(&pins, 5, 1);
	fwd_assign(&pins, 3, 0);
	kprod = 0;
	chan_init(&c, 0, part, 1, 1000000, &ops, NULL);
	memcpy(shadow, part, COOP_PART_SIZE);
	uint32_t iprod = 0; /* the fake IOPM's own index */
	uint64_t seq = 1, now = 0;
	struct input in = {data, size};
	uint8_t op;
	while (take(&in, &op, 1)) {
		now += 1000000;
		switch (op % OPS) {
		case OP_MSG: {
			struct coop_msg m;
			memset(&m, 0, sizeof(m));
			uint8_t len;
			if (!take(&in, &len, 1))
				break;
			len = len % (COOP_MSG_SIZE + 1);
			if (in.n < len)
				len = (uint8_t)in.n;
			take(&in, &m, len);
			iopm_write(COOP_IOPM_RING_OFF + (iprod & COOP_RING_MASK) * COOP_MSG_SIZE, &m,
				   sizeof(m));
			iprod++;
			iopm_write(COOP_IOPM_CTRL_OFF + __builtin_offsetof(struct coop_iopm_ctrl, tx.prod),
				   &iprod, sizeof(iprod));
			break;
		}
		case OP_WRITE: {
			uint32_t off;
			uint8_t len, buf[256];
			if (!take(&in, &off, sizeof(off)) || !take(&in, &len, 1))
				break;
			off %= COOP_PART_SIZE;
			if (!coop_part_iopm_writes(off))
				off = COOP_IOPM_CTRL_OFF + off % COOP_PAGE; /* steer into the IOPM's pages */
			if (off + len > COOP_PART_SIZE || !coop_part_iopm_writes(off + len - 1))
				len = 1;
			if (!take(&in, buf, len))
				break;
			iopm_write(off, buf, len);
			break;
		}
		case OP_POLL:
			chan_poll(&c, now);
			break;
		case OP_SUBMIT: {
			uint8_t b[4];
			if (!take(&in, b, sizeof(b)))
				break;
			struct coop_ioreq q;
			memset(&q, 0, sizeof(q));
			q.seq = seq++;
			q.vm = 1 + b[1] % 3;
			q.vcpu = (uint16_t)(b[1] >> 4) % (uint16_t)q.vm;
			q.dir = b[2] & 1;
			q.size = (uint8_t)(1u << ((b[2] >> 1) & 3));
			if (b[2] & 0x10) {
				q.flags = COOP_IOREQ_STRING;
				q.count = 1 + b[3] % (COOP_IOREQ_DATA_MAX / q.size);
			} else {
				q.count = 1;
			}
			int r = chan_slot_submit(&c, b[0] % COOP_SLOTS, &q);
			CHECK(r == 0 || r == -COOP_EBUSY || r == -COOP_EPROTO);
			break;
		}
		case OP_DRAIN: {
			uint32_t icons = ((struct coop_vmm_ctrl *)(part + COOP_VMM_CTRL_OFF))->tx.prod;
			iopm_write(COOP_IOPM_CTRL_OFF + __builtin_offsetof(struct coop_iopm_ctrl, rx.cons),
				   &icons, sizeof(icons));
			uint32_t ev = icons + 1;
			iopm_write(COOP_IOPM_CTRL_OFF + __builtin_offsetof(struct coop_iopm_ctrl, rx.event),
				   &ev, sizeof(ev));
			break;
		}
		case OP_IPI:
			chan_notified(&c);
			break;
		case OP_HELLO: {
			struct coop_msg m;
			memset(&m, 0, sizeof(m));
			m.type = COOP_MSG_HELLO;
			m.len = sizeof(struct coop_msg_hello);
			struct coop_msg_hello h = {COOP_ABI_VERSION, 0, 0, 1};
			memcpy(m.payload, &h, sizeof(h));
			uint32_t vec = 0x60;
			iopm_write(COOP_IOPM_CTRL_OFF +
				       __builtin_offsetof(struct coop_iopm_ctrl, notify_vector),
				   &vec, sizeof(vec));
			iopm_write(COOP_IOPM_RING_OFF + (iprod & COOP_RING_MASK) * COOP_MSG_SIZE, &m,
				   sizeof(m));
			iprod++;
			iopm_write(COOP_IOPM_CTRL_OFF + __builtin_offsetof(struct coop_iopm_ctrl, tx.prod),
				   &iprod, sizeof(iprod));
			break;
		}
		case OP_ANSWER: {
			uint8_t b[2];
			if (!take(&in, b, sizeof(b)))
				break;
			unsigned s = b[0] % COOP_SLOTS;
			if (!c.slot[s].busy)
				break;
			const struct coop_ioreq *q = &c.slot[s].req;
			struct coop_slot_rsp r;
			memset(&r, 0, sizeof(r));
			r.seq = q->seq;
			r.data = 0x1122334455667788ULL;
			r.count = (q->flags & COOP_IOREQ_STRING) && !q->dir ? q->count : 0;
			r.status = b[1] & 1 ? -COOP_EIO : 0;
			iopm_write(COOP_IOPM_SLOT_OFF + s * COOP_SLOT_SIZE, &r, sizeof(r));
			uint32_t st = COOP_SLOT_COMPLETE;
			iopm_write(COOP_IOPM_SLOT_OFF + s * COOP_SLOT_SIZE, &st, sizeof(st));
			struct coop_msg m;
			memset(&m, 0, sizeof(m));
			m.type = COOP_MSG_IO_DONE;
			m.len = sizeof(struct coop_msg_slot);
			m.vm = q->vm;
			m.vcpu = q->vcpu;
			struct coop_msg_slot d = {s, 0, q->seq};
			memcpy(m.payload, &d, sizeof(d));
			iopm_write(COOP_IOPM_RING_OFF + (iprod & COOP_RING_MASK) * COOP_MSG_SIZE, &m,
				   sizeof(m));
			iprod++;
			iopm_write(COOP_IOPM_CTRL_OFF + __builtin_offsetof(struct coop_iopm_ctrl, tx.prod),
				   &iprod, sizeof(iprod));
			break;
		}
		case OP_KMSG: {
			struct coop_msg m;
			memset(&m, 0, sizeof(m));
			uint8_t len;
			if (!take(&in, &len, 1))
				break;
			len = len % (COOP_MSG_SIZE + 1);
			if (in.n < len)
				len = (uint8_t)in.n;
			take(&in, &m, len);
			kput(&m);
			break;
		}
		case OP_KROUTE:
		case OP_KEOI: {
			uint8_t b[3];
			if (!take(&in, b, sizeof(b)))
				break;
			struct coop_msg_route r = {b[0] % 18, 0, 0, 0};
			if ((op % OPS) == OP_KROUTE) {
				r.flags = b[1] & 7;
				r.vector =
				    (r.flags & COOP_ROUTE_VALID) ? (b[2] % 4 == 0 ? b[2] : 0x30 + r.irq) : 0;
			}
			struct coop_msg m;
			coop_msg_init(&m, (op % OPS) == OP_KROUTE ? COOP_MSG_ROUTE_PIN : COOP_MSG_PIN_EOI,
				      seq++, 0, 0, &r, sizeof(r));
			kput(&m);
			break;
		}
		case OP_FIRE: {
			uint8_t irq;
			if (take(&in, &irq, 1))
				fire(irq % COOP_ROUTE_IRQS);
			break;
		}
		case OP_KDRAIN: {
			uint32_t kc = ((struct coop_vmm_ctrl *)(part + COOP_VMM_CTRL_OFF))->ktx.prod;
			iopm_write(COOP_IOPM_CTRL_OFF + __builtin_offsetof(struct coop_iopm_ctrl, krx.cons),
				   &kc, sizeof(kc));
			uint32_t ev = kc + 1;
			iopm_write(COOP_IOPM_CTRL_OFF + __builtin_offsetof(struct coop_iopm_ctrl, krx.event),
				   &ev, sizeof(ev));
			break;
		}
		}
		check_untouched();
		check_counters();
	}
	chan_poll(&c, now + 1);
	check_untouched();
	check_counters();
	return 0;
}
