/* SPDX-License-Identifier: GPL-2.0-only */
/* ring_stress.c: two threads, a producer and a consumer, pass N messages
 * through one ring using shared/coop_ring.h only (docs/channel.md "Why no
 * wake-up is lost"), each message carrying its sequence number and a
 * checksum of its payload; the consumer checks that none is lost,
 * duplicated, reordered or torn. Two modes: "ipi", where the consumer
 * sleeps after coop_ring_arm says it may and the producer's notification
 * (coop_ring_push returned true) is a futex wake standing in for the IPI;
 * and "poll", where the consumer sets COOP_RING_POLLING and spins; "kipi"
 * is "ipi" through a ring of COOP_KRING_ENTRIES (32), the size of the
 * kernel rings, where the producer finds the ring full far more often. A third
 * check, "log", has a writer append to the log ring while a reader copies
 * it: every byte returned must be the one written at its position (nothing
 * overwritten during the copy is returned). Built with ThreadSanitizer and
 * with ASan/UBSan by tests/stress/Makefile.
 *
 * Usage: ring_stress MODE N   (MODE: ipi, kipi, poll or log)
 * Prints "ring_stress MODE: N messages, ..." and exits 0, or prints what
 * went wrong and exits 1. */
#include <errno.h>
#include <sched.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shared/coop_ring.h"

static struct coop_msg ent[COOP_RING_ENTRIES];
static struct coop_ring_prod prod_area;
static struct coop_ring_cons cons_area;
static struct coop_ring_tx tx;
static struct coop_ring_rx rx;

static uint64_t total;
static int polling;

/* The "IPI": a counter the consumer sleeps on (futex). */
static uint32_t doorbell;
static uint64_t notifies, sleeps, full_waits;

static long futex(uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static void ring_bell(void)
{
	__atomic_fetch_add(&doorbell, 1, __ATOMIC_SEQ_CST);
	futex(&doorbell, FUTEX_WAKE_PRIVATE, 1);
}

static uint64_t checksum(const struct coop_msg *m)
{
	uint64_t h = 1469598103934665603ULL;
	for (unsigned i = 8; i < COOP_MSG_PAYLOAD; i++)
		h = (h ^ m->payload[i]) * 1099511628211ULL;
	return h ^ m->id ^ ((uint64_t)m->vm << 32);
}

static void fill(struct coop_msg *m, uint64_t seq)
{
	memset(m, 0, sizeof(*m));
	m->type = COOP_MSG_PING;
	m->len = COOP_MSG_PAYLOAD;
	m->id = (uint32_t)seq;
	m->vm = (uint32_t)(seq >> 32);
	uint64_t x = seq * 0x9e3779b97f4a7c15ULL;
	for (unsigned i = 8; i < COOP_MSG_PAYLOAD; i++) {
		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ULL;
		m->payload[i] = (uint8_t)x;
	}
	uint64_t c = checksum(m);
	memcpy(m->payload, &c, sizeof(c));
}

static void *producer(void *arg)
{
	(void)arg;
	struct coop_msg m;
	uint64_t seq = 0;
	while (seq < total) {
		/* Batches of up to 16 per push, as a real producer does. */
		unsigned batch = 1 + (unsigned)(seq % 16);
		for (unsigned k = 0; k < batch && seq < total; k++) {
			fill(&m, seq);
			int r = coop_ring_put(&tx, &m);
			if (r == -COOP_ENOSPC) {
				full_waits++;
				break;
			}
			if (r) {
				fprintf(stderr, "ring_stress: put returned %d at %llu\n", r,
					(unsigned long long)seq);
				exit(1);
			}
			seq++;
		}
		if (coop_ring_push(&tx)) {
			notifies++;
			ring_bell();
		}
		if (coop_ring_space(&tx) == 0)
			sched_yield();
	}
	return NULL;
}

static int fail(const char *what, uint64_t want, const struct coop_msg *m)
{
	fprintf(stderr, "ring_stress: %s: expected message %llu, got id %u vm %u type %u len %u\n", what,
		(unsigned long long)want, m->id, m->vm, m->type, m->len);
	exit(1);
}

static void *consumer(void *arg)
{
	(void)arg;
	struct coop_msg m;
	uint64_t want = 0;
	if (polling)
		coop_ring_set_polling(&rx, true);
	while (want < total) {
		int r = coop_ring_recv(&rx, &m);
		if (r < 0) {
			fprintf(stderr, "ring_stress: recv returned %d at %llu\n", r,
				(unsigned long long)want);
			exit(1);
		}
		if (r == 1) {
			uint64_t seq = m.id | ((uint64_t)m.vm << 32), c;
			memcpy(&c, m.payload, sizeof(c));
			if (seq != want)
				fail(seq < want ? "duplicated or reordered" : "lost", want, &m);
			if (m.type != COOP_MSG_PING || m.len != COOP_MSG_PAYLOAD || c != checksum(&m))
				fail("torn (checksum)", want, &m);
			want++;
			continue;
		}
		if (polling) {
			sched_yield(); /* still polling; but the producer may share our core */
			continue;
		}
		/* Empty: arm, re-check, sleep until the bell rings. */
		uint32_t bell = __atomic_load_n(&doorbell, __ATOMIC_SEQ_CST);
		if (coop_ring_arm(&rx))
			continue;
		sleeps++;
		/* A lost wake-up would hang here: the watchdog in main ends it. */
		while (__atomic_load_n(&doorbell, __ATOMIC_SEQ_CST) == bell)
			if (futex(&doorbell, FUTEX_WAIT_PRIVATE, bell) && errno != EAGAIN && errno != EINTR) {
				perror("futex");
				exit(1);
			}
	}
	return NULL;
}

/* ---- the log ring: writer and reader ---- */

static uint8_t logbuf[COOP_LOG_SIZE];
static uint64_t log_head_local;
static volatile uint64_t log_head;

static uint8_t log_byte(uint64_t pos)
{
	uint64_t x = (pos + 1) * 0x9e3779b97f4a7c15ULL;
	return (uint8_t)(x >> 56);
}

static void *log_writer(void *arg)
{
	(void)arg;
	char chunk[300];
	uint64_t pos = 0;
	while (pos < total) {
		uint32_t len = 1 + (uint32_t)(pos % sizeof(chunk));
		for (uint32_t i = 0; i < len; i++)
			chunk[i] = (char)log_byte(pos + i);
		coop_log_write(logbuf, &log_head_local, &log_head, chunk, len);
		pos += len;
	}
	return NULL;
}

static uint64_t log_read_bytes, log_lost;

static void *log_reader(void *arg)
{
	(void)arg;
	static uint8_t out[COOP_LOG_SIZE];
	uint64_t pos = 0, lost;
	for (;;) {
		uint64_t at = pos;
		uint32_t cap = 1 + (uint32_t)(at % COOP_LOG_SIZE);
		uint32_t n = coop_log_read(logbuf, &log_head, &pos, out, cap, &lost);
		uint64_t first = pos - n;
		if (first != at + lost) {
			fprintf(stderr, "ring_stress log: position %llu after %llu lost, expected %llu\n",
				(unsigned long long)first, (unsigned long long)lost,
				(unsigned long long)(at + lost));
			exit(1);
		}
		for (uint32_t i = 0; i < n; i++)
			if (out[i] != log_byte(first + i)) {
				fprintf(stderr, "ring_stress log: byte at %llu is 0x%02x, written 0x%02x\n",
					(unsigned long long)(first + i), out[i], log_byte(first + i));
				exit(1);
			}
		log_read_bytes += n;
		log_lost += lost;
		if (n == 0 && __atomic_load_n(&log_head, __ATOMIC_ACQUIRE) >= total && pos >= total)
			break;
	}
	return NULL;
}

/* Progress: the consumer's published index, or the log's head. */
static void *watchdog(void *arg)
{
	(void)arg;
	uint64_t last = ~0ULL;
	for (;;) {
		sleep(30);
		uint64_t now = __atomic_load_n(&cons_area.cons, __ATOMIC_ACQUIRE) +
			       __atomic_load_n(&log_head, __ATOMIC_ACQUIRE);
		if (now == last) {
			fprintf(stderr, "ring_stress: no progress for 30 s: a lost wake-up or a hang\n");
			exit(1);
		}
		last = now;
	}
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "ipi") && strcmp(argv[1], "kipi") && strcmp(argv[1], "poll") &&
			  strcmp(argv[1], "log"))) {
		fprintf(stderr, "usage: ring_stress ipi|kipi|poll|log N\n");
		return 2;
	}
	total = strtoull(argv[2], NULL, 0);
	polling = !strcmp(argv[1], "poll");
	bool log = !strcmp(argv[1], "log");
	/* Start the indices near 2^32 so that they wrap during the run. */
	uint32_t entries = strcmp(argv[1], "kipi") ? COOP_RING_ENTRIES : COOP_KRING_ENTRIES;
	coop_ring_tx_init(&tx, ent, entries, &prod_area, &cons_area);
	coop_ring_rx_init(&rx, ent, entries, &cons_area, &prod_area);
	uint32_t start = UINT32_MAX - 1000;
	tx.prod = tx.pushed = start;
	prod_area.prod = start;
	rx.cons = start;
	cons_area.cons = start;
	cons_area.event = start + 1;

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_t p, c, w;
	pthread_create(&w, NULL, watchdog, NULL);
	pthread_create(&c, NULL, log ? log_reader : consumer, NULL);
	pthread_create(&p, NULL, log ? log_writer : producer, NULL);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (log) {
		printf("ring_stress log: %llu bytes written, %llu read, %llu lost to lapping, every byte "
		       "checked, "
		       "%.1f s\n",
		       (unsigned long long)total, (unsigned long long)log_read_bytes,
		       (unsigned long long)log_lost, s);
		return log_read_bytes + log_lost >= total ? 0 : 1;
	}
	printf("ring_stress %s: %llu messages in order, none lost or duplicated, checksums good; "
	       "%llu notifies, %llu consumer sleeps, %llu full-ring waits, %.1f s\n",
	       argv[1], (unsigned long long)total, (unsigned long long)notifies, (unsigned long long)sleeps,
	       (unsigned long long)full_waits, s);
	return 0;
}
