/* SPDX-License-Identifier: GPL-2.0-only */
/* test_conbuf.c: unit tests of a guest console's buffers in iopmd
 * (iopm/conbuf.c): the output ring read by offset -- from the start,
 * across the wrap, cut at `max`, an offset past the head, a reader fallen
 * behind told how much it lost, the backlog offset -- and the bounded input
 * queue: order kept across its wrap, full means the rest is refused, spans
 * and partial takes; then random writes and reads against a model. */
#include <stdlib.h>

#include "iopm/conbuf.h"
#include "test.h"

#define RING 16

struct ring {
	uint8_t buf[RING];
	uint64_t head;
};

/* The stream's byte at offset i: what ring_write put there. */
static uint8_t byte_at(uint64_t i)
{
	return (uint8_t)(i * 7 + 3);
}

static void ring_write(struct ring *r, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++, r->head++)
		r->buf[r->head % RING] = byte_at(r->head);
}

static void expect_stream(const uint8_t *out, uint64_t from, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		test_context("stream byte %llu", (unsigned long long)(from + i));
		EXPECT_EQ(out[i], byte_at(from + i));
	}
}

TEST(conbuf, ring_reads_from_an_offset_and_advances)
{
	struct ring r = {0};
	uint8_t out[64];
	uint64_t pos = 0, lost = 99;

	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, sizeof(out), &lost), 0);
	EXPECT_EQ(pos, 0);
	EXPECT_EQ(lost, 0);
	ring_write(&r, 10);
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, sizeof(out), &lost), 10);
	expect_stream(out, 0, 10);
	EXPECT_EQ(pos, 10);
	EXPECT_EQ(lost, 0);
	/* Nothing new: nothing read, the offset stays. */
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, sizeof(out), &lost), 0);
	EXPECT_EQ(pos, 10);
	ring_write(&r, 3);
	pos = 11;
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, sizeof(out), &lost), 2);
	expect_stream(out, 11, 2);
	EXPECT_EQ(pos, 13);
}

TEST(conbuf, ring_read_across_the_wrap)
{
	struct ring r = {0};
	uint8_t out[64];
	uint64_t pos, lost;

	ring_write(&r, 12);
	pos = 12;
	ring_write(&r, 10); /* bytes 12..21: indexes 12..15 then 0..5 */
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, sizeof(out), &lost), 10);
	EXPECT_EQ(lost, 0);
	expect_stream(out, 12, 10);
	EXPECT_EQ(pos, 22);
}

TEST(conbuf, ring_read_cut_at_max)
{
	struct ring r = {0};
	uint8_t out[64];
	uint64_t pos = 0, lost;

	ring_write(&r, 14);
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, 5, &lost), 5);
	expect_stream(out, 0, 5);
	EXPECT_EQ(pos, 5);
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, 5, &lost), 5);
	expect_stream(out, 5, 5);
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, 5, &lost), 4);
	expect_stream(out, 10, 4);
	EXPECT_EQ(pos, 14);
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, 0, &lost), 0);
	EXPECT_EQ(pos, 14);
}

TEST(conbuf, ring_reader_behind_is_told_what_it_lost)
{
	struct ring r = {0};
	uint8_t out[64];
	uint64_t pos = 3, lost;

	ring_write(&r, 40); /* the ring keeps 24..39 */
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, sizeof(out), &lost), RING);
	EXPECT_EQ(lost, 21); /* 3..23 */
	expect_stream(out, 24, RING);
	EXPECT_EQ(pos, 40);
	/* Exactly at the oldest byte kept: nothing lost. */
	ring_write(&r, 5);
	pos = r.head - RING;
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, 4, &lost), 4);
	EXPECT_EQ(lost, 0);
	expect_stream(out, 29, 4);
	/* Lost, then cut at max: the offset is past the lost bytes and those read. */
	pos = 0;
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, 6, &lost), 6);
	EXPECT_EQ(lost, 29);
	expect_stream(out, 29, 6);
	EXPECT_EQ(pos, 35);
}

TEST(conbuf, ring_offset_past_the_head_reads_nothing)
{
	struct ring r = {0};
	uint8_t out[8];
	uint64_t pos = 1000, lost = 7;

	ring_write(&r, 5);
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, sizeof(out), &lost), 0);
	EXPECT_EQ(pos, 5); /* taken as the head: what comes next is read */
	EXPECT_EQ(lost, 0);
	ring_write(&r, 2);
	EXPECT_EQ(con_ring_read(r.buf, RING, r.head, &pos, out, sizeof(out), &lost), 2);
	expect_stream(out, 5, 2);
}

TEST(conbuf, ring_backlog_offset)
{
	EXPECT_EQ(con_ring_backlog(RING, 0, 4), 0);
	EXPECT_EQ(con_ring_backlog(RING, 3, 4), 0);
	EXPECT_EQ(con_ring_backlog(RING, 10, 4), 6);
	EXPECT_EQ(con_ring_backlog(RING, 100, 4), 96);
	EXPECT_EQ(con_ring_backlog(RING, 100, 0), 100);
	/* More than the ring keeps: the oldest byte kept. */
	EXPECT_EQ(con_ring_backlog(RING, 100, 1000), 100 - RING);
	EXPECT_EQ(con_ring_backlog(RING, 10, 1000), 0);
}

TEST(conbuf, inq_keeps_order_and_refuses_past_full)
{
	static struct con_inq q;
	static uint8_t in[CON_INQ_SIZE + 100];
	const uint8_t *p;

	memset(&q, 0, sizeof(q));
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 13 + 1);
	EXPECT_EQ(con_inq_span(&q, &p), 0);
	EXPECT_EQ(con_inq_put(&q, in, 10), 10);
	EXPECT_EQ(con_inq_span(&q, &p), 10);
	EXPECT_TRUE(!memcmp(p, in, 10));
	/* Full: what does not fit is refused, not overwritten. */
	EXPECT_EQ(con_inq_put(&q, in + 10, sizeof(in) - 10), CON_INQ_SIZE - 10);
	EXPECT_EQ(q.len, CON_INQ_SIZE);
	EXPECT_EQ(con_inq_put(&q, in, 1), 0);
	EXPECT_EQ(con_inq_span(&q, &p), CON_INQ_SIZE);
	EXPECT_TRUE(!memcmp(p, in, CON_INQ_SIZE));
	/* Take some, put more: the new bytes wrap; the span stops at the end. */
	con_inq_take(&q, 100);
	EXPECT_EQ(con_inq_put(&q, in + CON_INQ_SIZE, 100), 100);
	EXPECT_EQ(con_inq_span(&q, &p), CON_INQ_SIZE - 100);
	EXPECT_TRUE(!memcmp(p, in + 100, CON_INQ_SIZE - 100));
	con_inq_take(&q, CON_INQ_SIZE - 100);
	EXPECT_EQ(con_inq_span(&q, &p), 100);
	EXPECT_TRUE(!memcmp(p, in + CON_INQ_SIZE, 100));
	/* Taking more than is queued empties it. */
	con_inq_take(&q, 1000);
	EXPECT_EQ(q.len, 0);
	EXPECT_EQ(con_inq_span(&q, &p), 0);
}

TEST(conbuf, inq_partial_takes)
{
	static struct con_inq q;
	const uint8_t *p;
	uint8_t in[5] = {1, 2, 3, 4, 5};

	memset(&q, 0, sizeof(q));
	EXPECT_EQ(con_inq_put(&q, in, 5), 5);
	con_inq_take(&q, 2);
	EXPECT_EQ(con_inq_span(&q, &p), 3);
	EXPECT_EQ(p[0], 3);
	con_inq_take(&q, 0);
	EXPECT_EQ(con_inq_span(&q, &p), 3);
	con_inq_take(&q, 3);
	EXPECT_EQ(con_inq_span(&q, &p), 0);
}

/* Random writes and reads against a model: the reader sees the stream in
 * order, and what it skipped is exactly what it was told it lost. */
TEST(conbuf, ring_random_against_a_model)
{
	struct ring r = {0};
	uint8_t out[3 * RING];
	uint64_t pos = 0, seen = 0, lost_total = 0;

	srand(1234);
	for (int step = 0; step < 20000; step++) {
		ring_write(&r, (uint64_t)(rand() % (2 * RING)));
		uint64_t before = pos, lost;
		size_t max = (size_t)(rand() % (int)sizeof(out));
		size_t n = con_ring_read(r.buf, RING, r.head, &pos, out, max, &lost);

		test_context("step %d", step);
		EXPECT_EQ(lost, r.head > RING && before < r.head - RING ? r.head - RING - before : 0);
		EXPECT_LE(n, max);
		EXPECT_EQ(pos, before + lost + n);
		EXPECT_LE(pos, r.head);
		expect_stream(out, before + lost, n);
		seen += n;
		lost_total += lost;
	}
	EXPECT_EQ(seen + lost_total, pos);
}

TEST(conbuf, inq_random_against_a_model)
{
	static struct con_inq q;
	static uint8_t model[1 << 20];
	size_t mhead = 0, mtail = 0; /* model[mhead..mtail): what the queue holds */
	uint8_t next = 0, in[CON_INQ_SIZE];

	memset(&q, 0, sizeof(q));
	srand(99);
	for (int step = 0; step < 20000 && mtail + CON_INQ_SIZE < sizeof(model); step++) {
		size_t n = (size_t)(rand() % 700), put;
		const uint8_t *p;

		test_context("step %d", step);
		for (size_t i = 0; i < n; i++)
			in[i] = next++;
		put = con_inq_put(&q, in, n);
		EXPECT_EQ(put, n < CON_INQ_SIZE - (mtail - mhead) ? n : CON_INQ_SIZE - (mtail - mhead));
		memcpy(model + mtail, in, put);
		next = (uint8_t)(next - (n - put)); /* the refused bytes are offered again */
		mtail += put;
		size_t span = con_inq_span(&q, &p), take = span ? (size_t)rand() % (span + 1) : 0;
		EXPECT_LE(span, mtail - mhead);
		EXPECT_TRUE(!memcmp(p, model + mhead, span));
		con_inq_take(&q, take);
		mhead += take;
		EXPECT_EQ(q.len, mtail - mhead);
	}
}
