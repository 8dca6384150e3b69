/* SPDX-License-Identifier: GPL-2.0-only */
/* virtq.c: the device side of a split virtqueue (VIRTIO 1.2, 2.7). Every
 * guest memory access goes through the caller's callbacks, every index the
 * driver wrote is bounded before use, and a chain is walked with a budget
 * of descriptors (the queue size, or the indirect table's entries) so a
 * loop ends; the first bad thing breaks the queue (virtq.broken) until
 * virtq_reset(). The barriers are the device's half of 2.7.13's protocol:
 * acquire after reading avail->idx, release before writing used->idx, a
 * full fence between publishing used->idx (or our suppression) and reading
 * the driver's. docs/virtio.md. */
#include "iopm/dev/virtq.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "iopm/dev/virtio_spec.h"

static int fail(struct virtq *q, int err)
{
	q->broken = true;
	if (!q->error)
		q->error = err;
	return err;
}

/* [gpa, gpa + len) as a range that does not wrap, in the guest's RAM. */
static int check(struct virtq *q, uint64_t gpa, uint64_t len, bool write)
{
	if (gpa + len < gpa)
		return -EFAULT;
	return q->mem->check(q->ctx, gpa, len, write) ? -EFAULT : 0;
}

static int rd16(struct virtq *q, uint64_t gpa, uint16_t *v)
{
	uint8_t b[2];
	if (gpa > UINT64_MAX - sizeof(b) || q->mem->read(q->ctx, gpa, b, sizeof(b)))
		return -EFAULT;
	*v = (uint16_t)(b[0] | b[1] << 8);
	return 0;
}

static int wr16(struct virtq *q, uint64_t gpa, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	if (gpa > UINT64_MAX - sizeof(b) || q->mem->write(q->ctx, gpa, b, sizeof(b)))
		return -EFAULT;
	return 0;
}

static uint64_t le(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* Offsets of the fields after the rings, which depend on the size. */
static uint64_t used_event_gpa(const struct virtq *q)
{
	return q->avail + VIRTQ_AVAIL_RING + 2ull * q->size;
}

static uint64_t avail_event_gpa(const struct virtq *q)
{
	return q->used + VIRTQ_USED_RING + (uint64_t)VIRTQ_USED_ELEM_SIZE * q->size;
}

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

int virtq_setup(struct virtq *q, const struct virtq_mem_ops *mem, void *ctx, uint16_t size, uint64_t desc,
		uint64_t avail, uint64_t used, uint64_t features, uint64_t max_chain_len)
{
	virtq_reset(q);
	q->mem = mem;
	q->ctx = ctx;
	q->size = size;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->event_idx = features >> VIRTIO_F_EVENT_IDX & 1;
	q->indirect = features >> VIRTIO_F_INDIRECT_DESC & 1;
	q->max_chain_len = max_chain_len ? max_chain_len : UINT32_MAX;
	if (!size || size > VIRTQ_MAX_SIZE || (size & (size - 1)) || desc % VIRTQ_DESC_ALIGN ||
	    avail % VIRTQ_AVAIL_ALIGN || used % VIRTQ_USED_ALIGN)
		return fail(q, -EINVAL);
	/* avail: flags, idx, ring, used_event; used: flags, idx, ring, avail_event. */
	if (check(q, desc, (uint64_t)VIRTQ_DESC_SIZE * size, false) ||
	    check(q, avail, VIRTQ_AVAIL_RING + 2ull * size + 2, false) ||
	    check(q, used, VIRTQ_USED_RING + (uint64_t)VIRTQ_USED_ELEM_SIZE * size + 2, true))
		return fail(q, -EFAULT);
	return 0;
}

bool virtq_pending(struct virtq *q)
{
	uint16_t idx;
	if (!q->size || q->broken || rd16(q, q->avail + VIRTQ_AVAIL_IDX, &idx))
		return false;
	return idx != q->last_avail;
}

/* Walk the chain at `head` into segs[]. */
static int walk(struct virtq *q, uint16_t head, struct virtq_seg *segs, unsigned max_segs,
		struct virtq_chain *c)
{
	uint64_t table = q->desc;
	uint32_t entries = q->size;
	uint32_t budget = q->size; /* descriptors left before it must be a loop */
	bool indirect = false, writable = false;
	uint32_t i = head;

	memset(c, 0, sizeof(*c));
	c->head = head;
	for (;;) {
		uint8_t d[VIRTQ_DESC_SIZE];
		if (!budget--)
			return -ELOOP;
		c->ndesc++;
		if (q->mem->read(q->ctx, table + (uint64_t)VIRTQ_DESC_SIZE * i, d, sizeof(d)))
			return -EFAULT;
		uint64_t addr = le(d + VIRTQ_DESC_ADDR, 8);
		uint32_t len = (uint32_t)le(d + VIRTQ_DESC_LEN, 4);
		uint16_t flags = (uint16_t)le(d + VIRTQ_DESC_FLAGS, 2);
		uint16_t next = (uint16_t)le(d + VIRTQ_DESC_NEXT, 2);
		if (flags & VIRTQ_DESC_F_INDIRECT) {
			/* 2.7.5.3.1: only with the feature, never with NEXT, never
			 * nested; a table of whole descriptors. The write flag of
			 * this descriptor means nothing. */
			if (!q->indirect || indirect || (flags & VIRTQ_DESC_F_NEXT) || !len ||
			    len % VIRTQ_DESC_SIZE || len / VIRTQ_DESC_SIZE > VIRTQ_MAX_SIZE)
				return -EINVAL;
			if (check(q, addr, len, false))
				return -EFAULT;
			indirect = true;
			table = addr;
			entries = budget = len / VIRTQ_DESC_SIZE;
			i = 0;
			continue;
		}
		bool w = flags & VIRTQ_DESC_F_WRITE;
		if (writable && !w)
			return -EINVAL; /* 2.7.4.2: readable buffers come first */
		writable = w;
		if (len) {
			if (check(q, addr, len, w))
				return -EFAULT;
			if (c->read_len + c->write_len + len > q->max_chain_len || c->nsegs >= max_segs)
				return -E2BIG;
			segs[c->nsegs++] = (struct virtq_seg){.gpa = addr, .len = len, .write = w};
			if (w)
				c->write_len += len;
			else
				c->read_len += len;
		}
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (next >= entries)
			return -EINVAL;
		i = next;
	}
}

int virtq_pop(struct virtq *q, struct virtq_seg *segs, unsigned max_segs, struct virtq_chain *chain)
{
	uint16_t idx, head;
	if (!q->size || q->broken)
		return -EIO;
	if (rd16(q, q->avail + VIRTQ_AVAIL_IDX, &idx))
		return fail(q, -EFAULT);
	uint16_t n = (uint16_t)(idx - q->last_avail);
	if (n > q->size)
		return fail(q, -EINVAL); /* more entries than the ring holds */
	if (!n)
		return 0;
	/* Barrier: the ring entry and the descriptors are read after the
	 * index that published them (the driver wrote them first). */
	atomic_thread_fence(memory_order_acquire);
	if (rd16(q, q->avail + VIRTQ_AVAIL_RING + 2ull * (q->last_avail & (q->size - 1)), &head))
		return fail(q, -EFAULT);
	if (head >= q->size)
		return fail(q, -EINVAL);
	int err = walk(q, head, segs, max_segs, chain);
	if (err)
		return fail(q, err);
	q->last_avail++;
	/* 2.7.10: with EVENT_IDX, "kick me when you go past what I took". */
	if (q->event_idx && !q->notify_off && wr16(q, avail_event_gpa(q), q->last_avail))
		return fail(q, -EFAULT);
	return 1;
}

int virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	if (!q->size || q->broken)
		return -EIO;
	if (head >= q->size)
		return fail(q, -EINVAL);
	uint8_t e[VIRTQ_USED_ELEM_SIZE];
	for (unsigned i = 0; i < 4; i++) {
		e[i] = (uint8_t)(head >> (8 * i));
		e[4 + i] = (uint8_t)(len >> (8 * i));
	}
	uint64_t at =
	    q->used + VIRTQ_USED_RING + (uint64_t)VIRTQ_USED_ELEM_SIZE * (q->used_idx & (q->size - 1));
	if (q->mem->write(q->ctx, at, e, sizeof(e)))
		return fail(q, -EFAULT);
	/* Barrier: the entry is visible before the index that publishes it. */
	atomic_thread_fence(memory_order_release);
	if (wr16(q, q->used + VIRTQ_USED_IDX, (uint16_t)(q->used_idx + 1)))
		return fail(q, -EFAULT);
	q->used_idx++;
	return 0;
}

bool virtq_need_interrupt(struct virtq *q)
{
	uint16_t v;
	if (!q->size || q->broken)
		return false;
	uint16_t old = q->signalled, now = q->used_idx;
	bool valid = q->signalled_valid;
	if (valid && old == now)
		return false;
	q->signalled = now;
	q->signalled_valid = true;
	/* Barrier: used->idx is visible before the driver's suppression is
	 * read, or a driver re-enabling interrupts right now is missed. */
	atomic_thread_fence(memory_order_seq_cst);
	if (q->event_idx) {
		if (rd16(q, used_event_gpa(q), &v)) {
			fail(q, -EFAULT);
			return false;
		}
		/* 2.7.7.2: interrupt if used_event is among the entries
		 * pushed since the last interrupt, (old, now]. */
		return !valid || (uint16_t)(now - v - 1) < (uint16_t)(now - old);
	}
	if (rd16(q, q->avail + VIRTQ_AVAIL_FLAGS, &v)) {
		fail(q, -EFAULT);
		return false;
	}
	return !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

bool virtq_set_notify(struct virtq *q, bool on)
{
	if (!q->size || q->broken)
		return false;
	q->notify_off = !on;
	/* With EVENT_IDX the driver ignores the flags (2.7.10.2): on is
	 * avail_event at what we took; off is avail_event one behind it, an
	 * index the driver has passed already, so that it does not kick
	 * again before another 65535 entries (and pops leave it there). */
	int err = q->event_idx ? wr16(q, avail_event_gpa(q), (uint16_t)(q->last_avail - !on))
			       : wr16(q, q->used + VIRTQ_USED_FLAGS, on ? 0 : VIRTQ_USED_F_NO_NOTIFY);
	if (err) {
		fail(q, err);
		return false;
	}
	if (!on)
		return false;
	/* Barrier: our request is visible before we look at avail->idx, so an
	 * entry the driver added without kicking is seen here. */
	atomic_thread_fence(memory_order_seq_cst);
	return virtq_pending(q);
}
