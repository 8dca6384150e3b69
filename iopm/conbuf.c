/* SPDX-License-Identifier: GPL-2.0-only */
/* conbuf.c: a guest console's output ring read by offset and its bounded
 * input queue (iopm/conbuf.h). */
#include "conbuf.h"

#include <string.h>

size_t con_ring_read(const uint8_t *ring, size_t size, uint64_t head, uint64_t *pos, uint8_t *out, size_t max,
		     uint64_t *lost)
{
	uint64_t from = *pos, oldest = head > size ? head - size : 0;
	size_t n, done = 0;

	*lost = 0;
	if (from > head)
		from = head;
	if (from < oldest) {
		*lost = oldest - from;
		from = oldest;
	}
	n = head - from < max ? (size_t)(head - from) : max;
	while (done < n) { /* at most two pieces: up to the ring's end, then from its start */
		size_t at = (size_t)((from + done) % size), piece = size - at;

		if (piece > n - done)
			piece = n - done;
		memcpy(out + done, ring + at, piece);
		done += piece;
	}
	*pos = from + n;
	return n;
}

uint64_t con_ring_backlog(size_t size, uint64_t head, size_t backlog)
{
	size_t keep = backlog < size ? backlog : size;

	return head > keep ? head - keep : 0;
}

size_t con_inq_put(struct con_inq *q, const uint8_t *buf, size_t n)
{
	size_t room = CON_INQ_SIZE - q->len, done = 0;

	if (n > room)
		n = room;
	while (done < n) {
		size_t at = (q->head + q->len) % CON_INQ_SIZE, piece = CON_INQ_SIZE - at;

		if (piece > n - done)
			piece = n - done;
		memcpy(q->buf + at, buf + done, piece);
		q->len += piece;
		done += piece;
	}
	return n;
}

size_t con_inq_span(const struct con_inq *q, const uint8_t **p)
{
	size_t to_end = CON_INQ_SIZE - q->head;

	*p = q->buf + q->head;
	return q->len < to_end ? q->len : to_end;
}

void con_inq_take(struct con_inq *q, size_t n)
{
	if (n > q->len)
		n = q->len;
	q->head = (q->head + n) % CON_INQ_SIZE;
	q->len -= n;
	if (!q->len)
		q->head = 0;
}
