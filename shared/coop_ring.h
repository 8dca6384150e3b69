/* SPDX-License-Identifier: GPL-2.0-only */
/* coop_ring.h: the ring and log protocol of the shared zone
 * (shared/coopvmm_abi.h; docs/channel.md "Rings" and "Why no wake-up is
 * lost"), one implementation for the VMM, iopm.ko, iopmd, vmctl and the
 * host tests. Each side keeps its own index in a local copy and only ever
 * publishes it: it never reads back a word of the zone that it wrote,
 * since the peer could not have written it but a corrupt peer could make
 * it look so. Everything read from the peer is checked: an index that
 * claims more than COOP_RING_ENTRIES outstanding messages is -COOP_EPROTO.
 * Messages are copied out before anyone looks at them.
 */
#ifndef COOP_RING_H
#define COOP_RING_H

#ifndef __KERNEL__
#include <stdbool.h>
#endif

#include "coopvmm_abi.h"

#define COOP_RING_MASK (COOP_RING_ENTRIES - 1U) /* an entry of iopmd's rings: index & mask */

/* The producer's view of one ring. */
struct coop_ring_tx {
	struct coop_msg *ent;			    /* `entries` entries */
	uint32_t entries;			    /* a power of two */
	uint32_t prod;				    /* messages put (local, authoritative) */
	uint32_t pushed;			    /* prod as last published */
	volatile uint32_t *prod_p;		    /* where prod is published (own ctrl area) */
	const volatile struct coop_ring_cons *peer; /* the consumer's index and suppression words */
};

/* The consumer's view of one ring. */
struct coop_ring_rx {
	const struct coop_msg *ent;
	uint32_t entries;		      /* a power of two */
	uint32_t cons;			      /* messages taken (local, authoritative) */
	volatile struct coop_ring_cons *mine; /* where cons, event, flags are published */
	const volatile uint32_t *prod_p;      /* the producer's index */
};

/* A ring of `entries` messages at `ent`, both indices 0 (a first start). */
static inline void coop_ring_tx_init(struct coop_ring_tx *t, struct coop_msg *ent, uint32_t entries,
				     volatile struct coop_ring_prod *mine,
				     const volatile struct coop_ring_cons *peer)
{
	t->ent = ent;
	t->entries = entries;
	t->prod = t->pushed = 0;
	t->prod_p = &mine->prod;
	t->peer = peer;
	coop_store_release(t->prod_p, 0);
}

static inline void coop_ring_rx_init(struct coop_ring_rx *r, const struct coop_msg *ent, uint32_t entries,
				     volatile struct coop_ring_cons *mine,
				     const volatile struct coop_ring_prod *peer)
{
	r->ent = ent;
	r->entries = entries;
	r->cons = 0;
	r->mine = mine;
	r->prod_p = &peer->prod;
	mine->flags = 0;
	mine->event = 1;
	coop_store_release(&mine->cons, 0);
}

/* Attach to a ring that may already carry messages, from the index this
 * side published last (a restarted producer or consumer: iopmd, a test
 * tool, a reloaded iopm.ko) -- the one place a side reads back its own
 * word, checked against the peer's: -COOP_EPROTO when the two are more
 * than a ring apart. The consumer asks to be notified of the next message
 * and does not poll. */
static inline int coop_ring_tx_attach(struct coop_ring_tx *t, struct coop_msg *ent, uint32_t entries,
				      volatile struct coop_ring_prod *mine,
				      const volatile struct coop_ring_cons *peer)
{
	uint32_t prod = coop_load_acquire(&mine->prod);
	if (prod - coop_load_acquire(&peer->cons) > entries)
		return -COOP_EPROTO;
	t->ent = ent;
	t->entries = entries;
	t->prod = t->pushed = prod;
	t->prod_p = &mine->prod;
	t->peer = peer;
	return 0;
}

static inline int coop_ring_rx_attach(struct coop_ring_rx *r, const struct coop_msg *ent, uint32_t entries,
				      volatile struct coop_ring_cons *mine,
				      const volatile struct coop_ring_prod *peer)
{
	uint32_t cons = coop_load_acquire(&mine->cons);
	if (coop_load_acquire(&peer->prod) - cons > entries)
		return -COOP_EPROTO;
	r->ent = ent;
	r->entries = entries;
	r->cons = cons;
	r->mine = mine;
	r->prod_p = &peer->prod;
	coop_store_release(&mine->flags, 0);
	coop_store_release(&mine->event, cons + 1);
	return 0;
}

/* A message: the header's fields, the payload copied (`len` bytes, at most
 * COOP_MSG_PAYLOAD), everything else zero. */
static inline void coop_msg_init(struct coop_msg *m, uint16_t type, uint32_t id, uint32_t vm, uint16_t vcpu,
				 const void *payload, uint16_t len)
{
	__builtin_memset(m, 0, sizeof(*m));
	m->type = type;
	m->len = len;
	m->id = id;
	m->vm = vm;
	m->vcpu = vcpu;
	if (len)
		__builtin_memcpy(m->payload, payload, len);
}

/* Messages the producer may still put: 0 when full, -COOP_EPROTO when the
 * consumer's index is impossible (ahead of prod, or more than a ring
 * behind). */
static inline int coop_ring_space(const struct coop_ring_tx *t)
{
	uint32_t used = t->prod - coop_load_acquire(&t->peer->cons);
	if (used > t->entries)
		return -COOP_EPROTO;
	return (int)(t->entries - used);
}

/* Put one message (not yet visible to the consumer: coop_ring_push).
 * 0, -COOP_ENOSPC (full) or -COOP_EPROTO. */
static inline int coop_ring_put(struct coop_ring_tx *t, const struct coop_msg *m)
{
	int space = coop_ring_space(t);
	if (space < 0)
		return space;
	if (space == 0)
		return -COOP_ENOSPC;
	__builtin_memcpy(&t->ent[t->prod & (t->entries - 1U)], m, sizeof(*m));
	t->prod++;
	return 0;
}

/* Publish what was put; true when the consumer asked to be notified of one
 * of these messages (its event index lies in (pushed, prod]) and does not
 * poll. The fence orders the publication before the read of the event
 * word: the consumer's arm-then-recheck is the other half. */
static inline bool coop_ring_push(struct coop_ring_tx *t)
{
	uint32_t old = t->pushed, now = t->prod;
	if (old == now)
		return false;
	coop_store_release(t->prod_p, now);
	t->pushed = now;
	coop_fence();
	uint32_t event = coop_load_acquire(&t->peer->event);
	uint32_t flags = coop_load_acquire(&t->peer->flags);
	if (flags & COOP_RING_POLLING)
		return false;
	return (uint32_t)(now - event) < (uint32_t)(now - old);
}

/* Take one message into *out (a copy: the entry is free for the producer
 * once cons is published). 1, 0 when empty, or -COOP_EPROTO when the
 * producer's index is impossible. */
static inline int coop_ring_recv(struct coop_ring_rx *r, struct coop_msg *out)
{
	uint32_t prod = coop_load_acquire(r->prod_p);
	uint32_t avail = prod - r->cons;
	if (avail == 0)
		return 0;
	if (avail > r->entries)
		return -COOP_EPROTO;
	__builtin_memcpy(out, &r->ent[r->cons & (r->entries - 1U)], sizeof(*out));
	r->cons++;
	coop_store_release(&r->mine->cons, r->cons);
	return 1;
}

/* Messages waiting (or -COOP_EPROTO), without taking any. */
static inline int coop_ring_pending(const struct coop_ring_rx *r)
{
	uint32_t avail = coop_load_acquire(r->prod_p) - r->cons;
	return avail > r->entries ? -COOP_EPROTO : (int)avail;
}

/* Before sleeping: ask to be notified of the next message, then look once
 * more. True: something arrived meanwhile, drain again instead of
 * sleeping. False: sleeping is safe, the producer of the next message
 * sees the event and notifies. */
static inline bool coop_ring_arm(struct coop_ring_rx *r)
{
	coop_store_release(&r->mine->event, r->cons + 1);
	coop_fence();
	return coop_load_acquire(r->prod_p) != r->cons;
}

/* Polling consumers ask for no notifications at all. */
static inline void coop_ring_set_polling(struct coop_ring_rx *r, bool polling)
{
	coop_store_release(&r->mine->flags, polling ? COOP_RING_POLLING : 0);
	coop_fence();
}

/* ---- the VMM log: a byte ring with a free-running head ---- */

/* The writer publishes its head at least every COOP_LOG_CHUNK bytes, so at
 * any time it may be overwriting at most that many bytes past the head it
 * published: the reader's check counts on it (a seqlock without a
 * sequence word: the head is one). */
#define COOP_LOG_CHUNK 512U

/* Writer (the VMM): append `len` bytes; the last COOP_LOG_SIZE bytes stay.
 * The bytes are stored through a volatile pointer so that the compiler
 * keeps them after the previous chunk's head (x86 keeps stores in order). */
static inline void coop_log_write(uint8_t *log, uint64_t *head_local, volatile uint64_t *head_p,
				  const char *s, uint32_t len)
{
	volatile uint8_t *l = log;
	uint64_t h = *head_local;
	while (len) {
		uint32_t n = len < COOP_LOG_CHUNK ? len : COOP_LOG_CHUNK;
		for (uint32_t i = 0; i < n; i++)
			l[(h + i) & (COOP_LOG_SIZE - 1)] = (uint8_t)s[i];
		h += n;
		s += n;
		len -= n;
		*head_local = h;
		coop_store_release64(head_p, h);
	}
}

/* Reader: copy the bytes from *pos on into out (at most cap), move *pos
 * past them and return how many. Bytes already overwritten are skipped:
 * *lost says how many (0 if none). The copy is checked against the head
 * read after it: a byte is returned only if the writer, even one chunk
 * (COOP_LOG_CHUNK) past that head, cannot have overwritten it, so no byte
 * overwritten during the copy is returned (a reader a whole buffer behind
 * loses up to a chunk of the oldest bytes more than strictly needed). */
static inline uint32_t coop_log_read(const volatile uint8_t *log, const volatile uint64_t *head_p,
				     uint64_t *pos, uint8_t *out, uint32_t cap, uint64_t *lost)
{
	uint64_t head = coop_load_acquire64(head_p);
	uint64_t p = *pos;
	*lost = 0;
	if (p > head)
		p = head; /* a reader ahead of the writer (a restarted VMM): start over at the head */
	if (head - p > COOP_LOG_SIZE) {
		*lost = head - COOP_LOG_SIZE - p;
		p = head - COOP_LOG_SIZE;
	}
	uint32_t n = (uint32_t)(head - p < cap ? head - p : cap);
	for (uint32_t i = 0; i < n; i++)
		out[i] = log[(p + i) & (COOP_LOG_SIZE - 1)];
	coop_fence();
	uint64_t after = coop_load_acquire64(head_p);
	/* The oldest byte the writer cannot be overwriting now. */
	uint64_t safe = after + COOP_LOG_CHUNK > COOP_LOG_SIZE ? after + COOP_LOG_CHUNK - COOP_LOG_SIZE : 0;
	if (safe > p) { /* the writer lapped (or may be lapping) part of what was copied */
		uint64_t gone = safe - p;
		if (gone >= n) {
			*lost += n;
			*pos = p + n;
			return 0;
		}
		__builtin_memmove(out, out + gone, n - gone);
		*lost += gone;
		p += gone;
		n -= (uint32_t)gone;
	}
	*pos = p + n;
	return n;
}

#endif
