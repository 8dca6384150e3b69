/* SPDX-License-Identifier: GPL-2.0-only */
/* conbuf.h: the byte buffers of a guest's console in iopmd, as pure
 * functions (no I/O, no allocation; tested on the host: tests/unit/
 * test_conbuf.c). The output ring is what the guest wrote, kept as the last
 * `size` bytes of a stream whose total length (`head`) only grows; a reader
 * follows it by offset and learns how much it lost when it fell behind. The
 * input queue holds what a console client typed that the guest's UART could
 * not take yet, bounded (docs/iopm.md "The interactive console"). */
#ifndef IOPM_CONBUF_H
#define IOPM_CONBUF_H

#include <stddef.h>
#include <stdint.h>

/* Copy up to `max` bytes of the ring (`size` bytes holding the last `size`
 * of the `head` bytes ever written) from stream offset *pos on into `out`,
 * and advance *pos past them. An offset past `head` is taken as `head`
 * (nothing to read); one older than what the ring still holds is moved up
 * to the oldest byte kept, and *lost says how many bytes were skipped (0
 * otherwise). Returns the bytes copied. */
size_t con_ring_read(const uint8_t *ring, size_t size, uint64_t head, uint64_t *pos, uint8_t *out, size_t max,
		     uint64_t *lost);

/* The offset from which a reader sees the last `backlog` bytes still kept. */
uint64_t con_ring_backlog(size_t size, uint64_t head, size_t backlog);

#define CON_INQ_SIZE 4096 /* bytes of input queued per guest */

struct con_inq {
	uint8_t buf[CON_INQ_SIZE];
	size_t head, len; /* the oldest byte's index, bytes queued */
};

/* Append what fits of buf[0..n); returns the bytes queued (the rest is the
 * caller's to drop: the queue is full). */
size_t con_inq_put(struct con_inq *q, const uint8_t *buf, size_t n);
/* The oldest queued bytes that lie contiguous in the buffer: their count,
 * *p pointing at them (0 when the queue is empty). */
size_t con_inq_span(const struct con_inq *q, const uint8_t **p);
/* Forget the n oldest bytes (n at most what is queued). */
void con_inq_take(struct con_inq *q, size_t n);

#endif
