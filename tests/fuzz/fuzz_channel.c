/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_channel.c: libFuzzer target for the VMM's end of the channel
 * (vmm/iopm/channel.c, docs/channel.md "Validation on the VMM side"). The
 * input is a script of what an IOPM may do to its part of the shared zone
 * -- put messages on its ring, write any bytes anywhere in the pages it
 * owns (its control area with the ring indices, its ring, its slot
 * halves), take the VMM's messages, send the notify IPI -- interleaved with
 * the VMM polling and submitting requests into slots. After each step:
 * the VMM wrote nothing outside its own pages of the part (the part is a
 * heap block of exactly COOP_PART_SIZE, so ASan catches a write beyond it;
 * the IOPM's pages and the header are compared with a copy), its counters
 * add up (received = handled + refused - broken; the published counters
 * and indices equal its own; its slot states match its records).
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

static const struct chan_ops ops = {f_notify, f_vm_find, f_vm_list, f_io_done, f_irq_line};

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
	const struct chan_counters *n = &c.n;
	const struct coop_vmm_ctrl *v = (const void *)(part + COOP_VMM_CTRL_OFF);
	CHECK(n->msgs_received == n->msgs_handled + n->msgs_refused - n->broken);
	CHECK(n->broken <= 2);
	CHECK(n->broken == (uint64_t)c.rx_broken + (uint64_t)c.tx_broken);
	CHECK(n->notifies_sent <= n->msgs_sent);
	CHECK(n->notifies_sent == notifies);
	CHECK(v->msgs_sent == n->msgs_sent && v->msgs_received == n->msgs_received &&
	      v->msgs_refused == n->msgs_refused && v->notifies_sent == n->notifies_sent &&
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
	OPS
};

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
		}
		check_untouched();
		check_counters();
	}
	chan_poll(&c, now + 1);
	check_untouched();
	check_counters();
	return 0;
}
