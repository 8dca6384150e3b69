/* SPDX-License-Identifier: GPL-2.0-only */
/* test_ring.c: the ring, suppression and log protocol of the shared zone
 * (shared/coop_ring.h, docs/channel.md "Rings", "Why no wake-up is lost"):
 * empty, full, indices wrapping at 2^32, notification suppression on and
 * off, polling, every interleaving of a sleeping consumer's arm and
 * re-check with a producer's put and push (no wake-up lost), impossible
 * peer indices, and the log ring's wrap and lapping. */
#include <stdlib.h>

#include "shared/coop_ring.h"
#include "test.h"

/* One ring with both ends, in host memory, as two control areas hold them. */
struct ring {
	struct coop_msg ent[COOP_RING_ENTRIES];
	struct coop_ring_prod prod_area; /* the producer's control area */
	struct coop_ring_cons cons_area; /* the consumer's */
	struct coop_ring_tx tx;
	struct coop_ring_rx rx;
};

/* A ring of `entries` (COOP_RING_ENTRIES, or COOP_KRING_ENTRIES for a kernel ring). */
static struct ring *ring_new_n(uint32_t start, uint32_t entries)
{
	static struct ring r;
	memset(&r, 0, sizeof(r));
	coop_ring_tx_init(&r.tx, r.ent, entries, &r.prod_area, &r.cons_area);
	coop_ring_rx_init(&r.rx, r.ent, entries, &r.cons_area, &r.prod_area);
	/* Start both ends at `start` (as after 2^32 - small messages). */
	r.tx.prod = r.tx.pushed = start;
	r.prod_area.prod = start;
	r.rx.cons = start;
	r.cons_area.cons = start;
	r.cons_area.event = start + 1;
	return &r;
}

static struct ring *ring_new(uint32_t start)
{
	return ring_new_n(start, COOP_RING_ENTRIES);
}

static struct coop_msg msg(uint32_t id)
{
	struct coop_msg m;
	memset(&m, 0, sizeof(m));
	m.type = COOP_MSG_PING;
	m.len = 16;
	m.id = id;
	memcpy(m.payload, &id, sizeof(id));
	m.payload[COOP_MSG_PAYLOAD - 1] = (uint8_t)~id;
	return m;
}

TEST(ring, empty)
{
	struct ring *r = ring_new(0);
	struct coop_msg m;
	EXPECT_EQ(coop_ring_recv(&r->rx, &m), 0);
	EXPECT_EQ(coop_ring_pending(&r->rx), 0);
	EXPECT_EQ(coop_ring_space(&r->tx), (int)COOP_RING_ENTRIES);
	EXPECT_FALSE(coop_ring_push(&r->tx)); /* nothing put: nothing published */
	EXPECT_EQ(r->prod_area.prod, 0);
}

TEST(ring, full_at_256_then_drains_in_order)
{
	struct ring *r = ring_new(0);
	for (uint32_t i = 0; i < COOP_RING_ENTRIES; i++) {
		struct coop_msg m = msg(i);
		EXPECT_EQ(coop_ring_put(&r->tx, &m), 0);
	}
	struct coop_msg m = msg(999);
	EXPECT_EQ(coop_ring_put(&r->tx, &m), -COOP_ENOSPC);
	EXPECT_EQ(coop_ring_space(&r->tx), 0);
	/* Put but not pushed: the consumer sees nothing yet. */
	EXPECT_EQ(coop_ring_pending(&r->rx), 0);
	coop_ring_push(&r->tx);
	EXPECT_EQ(coop_ring_pending(&r->rx), (int)COOP_RING_ENTRIES);
	for (uint32_t i = 0; i < COOP_RING_ENTRIES; i++) {
		struct coop_msg got, want = msg(i);
		EXPECT_EQ(coop_ring_recv(&r->rx, &got), 1);
		EXPECT_MEMEQ(&got, &want, sizeof(got));
		EXPECT_EQ(r->cons_area.cons, i + 1); /* published after each copy */
	}
	EXPECT_EQ(coop_ring_recv(&r->rx, &m), 0);
	EXPECT_EQ(coop_ring_space(&r->tx), (int)COOP_RING_ENTRIES);
}

TEST(ring, indices_wrap_at_2_32)
{
	static const uint32_t starts[] = {UINT32_MAX - 300, UINT32_MAX - 255, UINT32_MAX - 1, UINT32_MAX};
	for (unsigned s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		test_context("start 0x%x", starts[s]);
		struct ring *r = ring_new(starts[s]);
		uint32_t sent = 0, got = 0;
		/* 1000 messages in bursts of up to 200 across the wrap. */
		while (got < 1000) {
			for (unsigned k = 0; k < 200 && sent < 1000; k++, sent++) {
				struct coop_msg m = msg(sent);
				if (coop_ring_put(&r->tx, &m))
					break;
			}
			coop_ring_push(&r->tx);
			EXPECT_LE(coop_ring_pending(&r->rx), COOP_RING_ENTRIES);
			struct coop_msg m;
			while (coop_ring_recv(&r->rx, &m) == 1) {
				EXPECT_EQ(m.id, got);
				got++;
			}
		}
		EXPECT_EQ(r->tx.prod, starts[s] + 1000);
		EXPECT_EQ(r->rx.cons, starts[s] + 1000);
		EXPECT_LT(r->rx.cons, starts[s]); /* it did wrap */
	}
}

TEST(ring, suppression_on_draining_consumer_gets_no_notify)
{
	struct ring *r = ring_new(0);
	struct coop_msg m = msg(0);
	/* Armed at init (event 1): the first push notifies. */
	EXPECT_EQ(coop_ring_put(&r->tx, &m), 0);
	EXPECT_TRUE(coop_ring_push(&r->tx));
	/* The consumer drains without re-arming: no more notifies. */
	for (int i = 0; i < 50; i++) {
		EXPECT_EQ(coop_ring_put(&r->tx, &m), 0);
		EXPECT_FALSE(coop_ring_push(&r->tx));
		struct coop_msg got;
		EXPECT_EQ(coop_ring_recv(&r->rx, &got), 1);
	}
}

TEST(ring, suppression_off_armed_consumer_gets_exactly_one)
{
	struct ring *r = ring_new(UINT32_MAX - 2);
	struct coop_msg m = msg(1), got;
	EXPECT_EQ(coop_ring_put(&r->tx, &m), 0);
	coop_ring_push(&r->tx);
	EXPECT_EQ(coop_ring_recv(&r->rx, &got), 1);
	EXPECT_FALSE(coop_ring_arm(&r->rx)); /* empty: may sleep */
	unsigned notifies = 0;
	for (int i = 0; i < 10; i++) {
		EXPECT_EQ(coop_ring_put(&r->tx, &m), 0);
		notifies += coop_ring_push(&r->tx);
	}
	EXPECT_EQ(notifies, 1);
	/* A batch of several in one push: one notify too. */
	while (coop_ring_recv(&r->rx, &got) == 1)
		;
	EXPECT_FALSE(coop_ring_arm(&r->rx));
	for (int i = 0; i < 5; i++)
		EXPECT_EQ(coop_ring_put(&r->tx, &m), 0);
	EXPECT_TRUE(coop_ring_push(&r->tx));
	EXPECT_FALSE(coop_ring_push(&r->tx)); /* nothing new */
}

TEST(ring, polling_consumer_never_notified)
{
	struct ring *r = ring_new(0);
	coop_ring_set_polling(&r->rx, true);
	EXPECT_EQ(r->cons_area.flags, COOP_RING_POLLING);
	struct coop_msg m = msg(1), got;
	EXPECT_FALSE(coop_ring_arm(&r->rx));
	for (int i = 0; i < 20; i++) {
		EXPECT_EQ(coop_ring_put(&r->tx, &m), 0);
		EXPECT_FALSE(coop_ring_push(&r->tx));
	}
	while (coop_ring_recv(&r->rx, &got) == 1)
		;
	coop_ring_set_polling(&r->rx, false);
	EXPECT_FALSE(coop_ring_arm(&r->rx));
	EXPECT_EQ(coop_ring_put(&r->tx, &m), 0);
	EXPECT_TRUE(coop_ring_push(&r->tx));
}

/* ---- no lost wake-up: every interleaving of a small producer and a
 * sleeping consumer, at the granularity of the protocol's calls ---- */

/* The producer: put, push, for each of N messages, in batches. The
 * consumer: drain; arm; if arm says empty, sleep until notified. Each
 * schedule is a bit string choosing who moves next. Property: when both
 * are done, no message is left unseen while the consumer sleeps. */
enum { P_PUT, P_PUSH };

struct sim {
	struct ring *r;
	uint32_t n;	/* messages to send */
	uint32_t batch; /* puts per push */
	uint32_t sent, put_in_batch;
	int pstep;	  /* the producer's next call */
	bool found_empty; /* the consumer's last recv found nothing: it arms next */
	bool sleeping;	  /* the consumer armed, found nothing, sleeps */
	bool notified;	  /* an IPI is pending for it */
	uint32_t received;
	uint32_t notifies;
};

/* One move of the producer; false when it has finished. */
static bool producer_step(struct sim *s)
{
	if (s->sent == s->n && s->pstep == P_PUT)
		return false;
	if (s->pstep == P_PUT) {
		struct coop_msg m = msg(s->sent);
		if (coop_ring_put(&s->r->tx, &m) == 0) {
			s->sent++;
			s->put_in_batch++;
		}
		if (s->put_in_batch == s->batch || s->sent == s->n)
			s->pstep = P_PUSH;
		return true;
	}
	if (coop_ring_push(&s->r->tx)) {
		s->notifies++;
		s->notified = true; /* the IPI wakes a sleeper, or stays pending */
	}
	s->put_in_batch = 0;
	s->pstep = P_PUT;
	return true;
}

/* One move of the consumer: take one message; or, after finding the ring
 * empty, arm and re-check (sleeping if that finds nothing); or sleep. */
static void consumer_step(struct sim *s)
{
	if (s->sleeping) {
		if (s->notified) { /* the IPI wakes it */
			s->sleeping = false;
			s->notified = false;
		}
		return;
	}
	if (s->found_empty) {
		s->found_empty = false;
		if (!coop_ring_arm(&s->r->rx)) {
			s->sleeping = !s->notified; /* sti; hlt with an IPI pending does not sleep */
			s->notified = false;
		}
		return;
	}
	struct coop_msg m;
	int got = coop_ring_recv(&s->r->rx, &m);
	EXPECT_SLT(-1, got);
	if (got == 1) {
		EXPECT_EQ(m.id, s->received);
		s->received++;
		return;
	}
	s->found_empty = true;
}

static unsigned run_schedule(uint32_t start, uint32_t n, uint32_t batch, uint64_t bits, unsigned len)
{
	struct sim s = {ring_new(start), n, batch, 0, 0, P_PUT, false, false, false, 0, 0};
	bool pdone = false;
	for (unsigned i = 0; i < len; i++) {
		if ((bits >> i) & 1) {
			if (!pdone)
				pdone = !producer_step(&s);
		} else {
			consumer_step(&s);
		}
	}
	while (!pdone)
		pdone = !producer_step(&s);
	/* The producer is done. The consumer runs until it sleeps (or has
	 * everything); a sleeping consumer with messages unseen and no IPI
	 * pending would sleep forever: a lost wake-up. */
	for (unsigned guard = 0; guard < 4 * n + 8; guard++) {
		if (s.sleeping && !s.notified)
			break;
		consumer_step(&s);
	}
	EXPECT_MSG(s.received == n,
		   "lost wake-up: %u of %u messages seen, consumer sleeping (schedule 0x%llx)", s.received, n,
		   (unsigned long long)bits);
	return s.notifies;
}

TEST(ring, no_lost_wakeup)
{
	/* Every schedule of 18 moves (2^18), for a few batchings, at 0 and
	 * across the wrap. */
	static const uint32_t starts[] = {0, UINT32_MAX - 1};
	static const uint32_t batches[] = {1, 2, 3};
	unsigned schedules = 0;
	for (unsigned st = 0; st < 2; st++)
		for (unsigned b = 0; b < 3; b++)
			for (uint64_t bits = 0; bits < (1U << 18); bits++) {
				test_context("start 0x%x batch %u schedule 0x%llx", starts[st], batches[b],
					     (unsigned long long)bits);
				unsigned notifies = run_schedule(starts[st], 4, batches[b], bits, 18);
				EXPECT_LE(notifies, 4); /* at most one per push */
				schedules++;
			}
	EXPECT_EQ(schedules, 6U << 18);
}

TEST(ring, corrupt_peer_indices_are_eproto)
{
	struct ring *r = ring_new(100);
	struct coop_msg m = msg(0);
	/* A producer claiming more than a ring: */
	r->prod_area.prod = 100 + COOP_RING_ENTRIES + 1;
	EXPECT_EQ(coop_ring_recv(&r->rx, &m), -COOP_EPROTO);
	EXPECT_EQ(coop_ring_pending(&r->rx), -COOP_EPROTO);
	EXPECT_EQ(r->rx.cons, 100); /* nothing taken */
	/* ... or behind the consumer: */
	r->prod_area.prod = 99;
	EXPECT_EQ(coop_ring_recv(&r->rx, &m), -COOP_EPROTO);
	/* Exactly a ring is fine. */
	r->prod_area.prod = 100 + COOP_RING_ENTRIES;
	EXPECT_EQ(coop_ring_pending(&r->rx), (int)COOP_RING_ENTRIES);
	/* A consumer ahead of the producer: */
	r->cons_area.cons = r->tx.prod + 1;
	EXPECT_EQ(coop_ring_space(&r->tx), -COOP_EPROTO);
	EXPECT_EQ(coop_ring_put(&r->tx, &m), -COOP_EPROTO);
	/* ... or more than a ring behind: */
	r->cons_area.cons = r->tx.prod - COOP_RING_ENTRIES - 1;
	EXPECT_EQ(coop_ring_put(&r->tx, &m), -COOP_EPROTO);
	EXPECT_EQ(r->tx.prod, 100); /* nothing written */
}

TEST(ring, a_kernel_ring_holds_32_and_wraps_inside_its_page)
{
	struct ring *r = ring_new_n(UINT32_MAX - 40, COOP_KRING_ENTRIES);
	uint32_t got = 0;
	for (uint32_t round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < COOP_KRING_ENTRIES; i++) {
			struct coop_msg m = msg(round * 100 + i);
			EXPECT_EQ(coop_ring_put(&r->tx, &m), 0);
		}
		struct coop_msg m = msg(999);
		EXPECT_EQ(coop_ring_put(&r->tx, &m), -COOP_ENOSPC);
		coop_ring_push(&r->tx);
		EXPECT_EQ(coop_ring_pending(&r->rx), (int)COOP_KRING_ENTRIES);
		for (uint32_t i = 0; i < COOP_KRING_ENTRIES; i++, got++) {
			EXPECT_EQ(coop_ring_recv(&r->rx, &m), 1);
			EXPECT_EQ(m.id, round * 100 + i);
		}
	}
	/* Only the first 32 entries were ever written. */
	struct coop_msg zero;
	memset(&zero, 0, sizeof(zero));
	EXPECT_MEMEQ(&r->ent[COOP_KRING_ENTRIES], &zero, sizeof(zero));
	EXPECT_EQ(got, 3 * COOP_KRING_ENTRIES);
	/* More than 32 outstanding is impossible for this ring (256 would not be). */
	r->prod_area.prod = r->rx.cons + COOP_KRING_ENTRIES + 1;
	EXPECT_EQ(coop_ring_pending(&r->rx), -COOP_EPROTO);
	r->cons_area.cons = r->tx.prod - COOP_KRING_ENTRIES - 1;
	EXPECT_EQ(coop_ring_space(&r->tx), -COOP_EPROTO);
}

TEST(ring, attach_goes_on_from_the_published_indices_or_refuses)
{
	struct ring *r = ring_new_n(0, COOP_KRING_ENTRIES);
	struct coop_ring_tx tx;
	struct coop_ring_rx rx;
	/* A producer restarted after 40 messages, 30 of them taken. */
	r->prod_area.prod = 40;
	r->cons_area.cons = 30;
	r->cons_area.event = 7;
	r->cons_area.flags = COOP_RING_POLLING;
	EXPECT_EQ(coop_ring_tx_attach(&tx, r->ent, COOP_KRING_ENTRIES, &r->prod_area, &r->cons_area), 0);
	EXPECT_EQ(tx.prod, 40);
	EXPECT_EQ(coop_ring_space(&tx), (int)COOP_KRING_ENTRIES - 10);
	EXPECT_EQ(coop_ring_rx_attach(&rx, r->ent, COOP_KRING_ENTRIES, &r->cons_area, &r->prod_area), 0);
	EXPECT_EQ(rx.cons, 30);
	EXPECT_EQ(r->cons_area.event, 31); /* armed, not polling */
	EXPECT_EQ(r->cons_area.flags, 0);
	EXPECT_EQ(coop_ring_pending(&rx), 10);
	/* Indices more than a ring apart: refused, nothing attached. */
	r->cons_area.cons = 40 - COOP_KRING_ENTRIES - 1;
	EXPECT_EQ(coop_ring_tx_attach(&tx, r->ent, COOP_KRING_ENTRIES, &r->prod_area, &r->cons_area),
		  -COOP_EPROTO);
	EXPECT_EQ(coop_ring_rx_attach(&rx, r->ent, COOP_KRING_ENTRIES, &r->cons_area, &r->prod_area),
		  -COOP_EPROTO);
	r->cons_area.cons = 41; /* ahead of the producer */
	EXPECT_EQ(coop_ring_tx_attach(&tx, r->ent, COOP_KRING_ENTRIES, &r->prod_area, &r->cons_area),
		  -COOP_EPROTO);
	/* The same distance is fine for a ring of 256. */
	r->cons_area.cons = 40 - COOP_KRING_ENTRIES - 1;
	EXPECT_EQ(coop_ring_tx_attach(&tx, r->ent, COOP_RING_ENTRIES, &r->prod_area, &r->cons_area), 0);
}

/* ---- the log ring ---- */

static uint8_t logbuf[COOP_LOG_SIZE];
static uint64_t log_head_local;
static volatile uint64_t log_head;

static void log_reset(void)
{
	memset(logbuf, 0, sizeof(logbuf));
	log_head_local = 0;
	log_head = 0;
}

static void log_put(const char *s)
{
	coop_log_write(logbuf, &log_head_local, &log_head, s, (uint32_t)strlen(s));
}

TEST(ring, log_write_read_and_wrap)
{
	log_reset();
	uint64_t pos = 0, lost = 99;
	uint8_t out[COOP_LOG_SIZE];
	log_put("line one\n");
	log_put("line two\n");
	EXPECT_EQ(coop_log_read(logbuf, &log_head, &pos, out, sizeof(out), &lost), 18);
	EXPECT_EQ(lost, 0);
	EXPECT_MEMEQ(out, "line one\nline two\n", 18);
	EXPECT_EQ(pos, 18);
	EXPECT_EQ(coop_log_read(logbuf, &log_head, &pos, out, sizeof(out), &lost), 0);
	/* A small reader buffer: in pieces. */
	log_put("abcdef");
	EXPECT_EQ(coop_log_read(logbuf, &log_head, &pos, out, 4, &lost), 4);
	EXPECT_MEMEQ(out, "abcd", 4);
	EXPECT_EQ(coop_log_read(logbuf, &log_head, &pos, out, 4, &lost), 2);
	EXPECT_MEMEQ(out, "ef", 2);
	/* Across the end of the buffer. */
	log_reset();
	log_head_local = log_head = 5 * COOP_LOG_SIZE - 3;
	pos = log_head;
	log_put("wrapped!");
	EXPECT_EQ(coop_log_read(logbuf, &log_head, &pos, out, sizeof(out), &lost), 8);
	EXPECT_MEMEQ(out, "wrapped!", 8);
	EXPECT_EQ(logbuf[COOP_LOG_SIZE - 3], 'w');
	EXPECT_EQ(logbuf[0], 'p');
}

TEST(ring, log_lapped_reader_skips_and_counts)
{
	log_reset();
	uint64_t pos = 0, lost = 0;
	static uint8_t out[COOP_LOG_SIZE];
	char line[64];
	/* 3 * COOP_LOG_SIZE bytes of numbered 16-byte lines. */
	for (unsigned i = 0; i < 3 * COOP_LOG_SIZE / 16; i++) {
		snprintf(line, sizeof(line), "line %010u\n", i);
		EXPECT_EQ(strlen(line), 16);
		log_put(line);
	}
	/* All but the oldest chunk of the last COOP_LOG_SIZE bytes: the
	 * writer could be rewriting a chunk past its head. */
	uint32_t n = coop_log_read(logbuf, &log_head, &pos, out, sizeof(out), &lost);
	EXPECT_EQ(lost, 2 * COOP_LOG_SIZE + COOP_LOG_CHUNK);
	EXPECT_EQ(n, COOP_LOG_SIZE - COOP_LOG_CHUNK);
	snprintf(line, sizeof(line), "line %010u\n", (2 * COOP_LOG_SIZE + COOP_LOG_CHUNK) / 16);
	EXPECT_MEMEQ(out, line, 16); /* the oldest line returned */
	snprintf(line, sizeof(line), "line %010u\n", 3 * COOP_LOG_SIZE / 16 - 1);
	EXPECT_MEMEQ(out + n - 16, line, 16);
	/* A reader "ahead" of the writer (a restarted VMM) starts at the head. */
	pos = log_head + 1000;
	EXPECT_EQ(coop_log_read(logbuf, &log_head, &pos, out, sizeof(out), &lost), 0);
	EXPECT_EQ(pos, log_head);
}

/* A reader lapped between two reads gets what is still there, the rest
 * counted as lost. (A writer lapping the reader during one copy needs two
 * threads: tests/stress/ring_stress.c checks that no overwritten byte is
 * returned.) */
TEST(ring, log_lapped_between_reads)
{
	log_reset();
	for (unsigned i = 0; i < COOP_LOG_SIZE / 2 / 8; i++)
		log_put("0123456\n");
	uint64_t pos = 0, lost = 0;
	static uint8_t out[COOP_LOG_SIZE];
	/* Read the first quarter; then the writer adds 3/4 of the buffer and
	 * 16 bytes: the reader is a buffer and 16 bytes behind. */
	EXPECT_EQ(coop_log_read(logbuf, &log_head, &pos, out, COOP_LOG_SIZE / 4, &lost), COOP_LOG_SIZE / 4);
	EXPECT_EQ(lost, 0);
	for (unsigned i = 0; i < COOP_LOG_SIZE * 3 / 4 / 8 + 2; i++)
		log_put("ABCDEFG\n");
	EXPECT_EQ(coop_log_read(logbuf, &log_head, &pos, out, COOP_LOG_SIZE, &lost),
		  COOP_LOG_SIZE - COOP_LOG_CHUNK);
	EXPECT_EQ(lost, 16 + COOP_LOG_CHUNK);
	EXPECT_EQ(pos, log_head);
	EXPECT_MEMEQ(out + COOP_LOG_SIZE - COOP_LOG_CHUNK - 8, "ABCDEFG\n", 8);
	/* A long write is published chunk by chunk. */
	log_reset();
	static char big[3 * COOP_LOG_CHUNK + 5];
	memset(big, 'z', sizeof(big));
	coop_log_write(logbuf, &log_head_local, &log_head, big, sizeof(big));
	EXPECT_EQ(log_head, sizeof(big));
	EXPECT_EQ(log_head_local, sizeof(big));
}
