/* SPDX-License-Identifier: GPL-2.0-only */
/* chanprobe.c: the VMM's end of the channel seen from inside the IOPM
 * (tests/system/qemu_chanvmm.py packs it into a test-only initramfs
 * overlay; not part of the IOPM's real initramfs). It plays a minimal IOPM
 * on the rings of its part through /dev/coopvmm, polling (userland takes
 * and sends no IPIs), and prints one "chanprobe: PASS/FAIL: key: what" line per
 * check, then "chanprobe: done N failed":
 *   - the VMM's log ring holds the boot's first line and later ones;
 *   - the header names the VMM's notify vector;
 *   - a HELLO with another ABI version is refused (ERROR, reason VERSION);
 *   - a message of an unknown type is refused and counted (msgs_refused);
 *   - a message before HELLO is refused for its state;
 *   - HELLO is answered with the epoch; PING x N is answered PONG x N with
 *     the payloads echoed, and the VMM's counters say what the probe counted;
 *   - SET_MODE poll shows in the VMM's ring flags; VM_LIST is answered.
 * Must run before anything else uses the rings (iopmd does not yet).
 * Usage: chanprobe [PINGS]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coop_ring.h"
#include "coopdev.h"

#define WAIT_MS 5000 /* the VMM polls the ring every 100 ms at least */

static int failures;
static struct coop_ring_tx tx;
static struct coop_ring_rx rx;
static const volatile struct coop_vmm_ctrl *vmm;
static uint32_t next_id = 1;

static void check(int ok, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "chanprobe: PASS: key: what" */
static void check(int ok, const char *key, const char *fmt, ...)
{
	va_list ap;
	printf("chanprobe: %s: %s: ", ok ? "PASS" : "FAIL", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failures += !ok;
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

static uint32_t send(uint16_t type, uint16_t len, uint32_t vm, const void *payload)
{
	struct coop_msg m;
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.len = len;
	m.id = next_id++;
	m.vm = vm;
	if (payload)
		memcpy(m.payload, payload, len);
	while (coop_ring_put(&tx, &m) == -COOP_ENOSPC)
		sleep_ms(1);
	coop_ring_push(&tx); /* no IPI from userland: the VMM polls */
	return m.id;
}

/* The VMM's next message, waiting up to WAIT_MS; 0 on timeout. */
static int recv_wait(struct coop_msg *m)
{
	for (int waited = 0; waited < WAIT_MS; waited++) {
		int r = coop_ring_recv(&rx, m);
		if (r)
			return r;
		sleep_ms(1);
	}
	return 0;
}

static void expect_error(const char *what, uint32_t id, uint16_t type, uint16_t reason)
{
	struct coop_msg m;
	struct coop_msg_error e;
	int r = recv_wait(&m);
	memcpy(&e, m.payload, sizeof(e));
	e.text[sizeof(e.text) - 1] = 0;
	check(r == 1 && m.type == COOP_MSG_ERROR && e.bad_id == id && e.bad_type == type && e.reason == reason, what,
	      "ERROR reason %u for id %u (got %d: type %u, reason %u, bad id %u, \"%s\")", reason, id, r,
	      m.type, e.reason, e.bad_id, e.text);
}

static int log_has(const struct coopdev *d, const char *s)
{
	static uint8_t buf[COOP_LOG_SIZE + 1];
	uint64_t pos = 0, lost;
	const volatile uint8_t *log = (const uint8_t *)d->base + COOP_LOG_OFF;
	uint32_t n = coop_log_read(log, &d->vmm->log_head, &pos, buf, COOP_LOG_SIZE, &lost);
	buf[n] = 0;
	return strstr((char *)buf, s) != NULL;
}

int main(int argc, char **argv)
{
	struct coopdev d;
	char err[200];
	unsigned pings = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
	if (coopdev_open(&d, 1, err, sizeof(err))) {
		printf("chanprobe: FAIL: open: %s\nchanprobe: done 1 failed\n", err);
		return 1;
	}
	uint8_t *z = d.base;
	vmm = d.vmm;
	check(log_has(&d, "coopvmm: starting\n") && log_has(&d, "iopm0: started on cpu"), "log_ring_has_boot",
	      "the VMM's log ring holds its first line and 'iopm0: started on cpu' (head %llu)",
	      (unsigned long long)vmm->log_head);
	check(d.hdr->vmm_notify_vector >= 0x20 && d.hdr->vmm_notify_vector <= 0xef, "notify_vector",
	      "the VMM's notify vector 0x%x", d.hdr->vmm_notify_vector);
	d.ctrl->notify_vector = 0; /* no IRQ handler here: the VMM must not IPI */
	coop_ring_tx_init(&tx, (struct coop_msg *)(z + COOP_IOPM_RING_OFF), &d.ctrl->tx, &d.vmm->rx);
	coop_ring_rx_init(&rx, (const struct coop_msg *)(z + COOP_VMM_RING_OFF), &d.ctrl->rx, &d.vmm->tx);
	coop_ring_set_polling(&rx, 1);
	uint64_t refused0 = vmm->msgs_refused, recv0 = vmm->msgs_received, sent0 = vmm->msgs_sent;

	struct coop_msg_hello h = {COOP_ABI_VERSION + 1, 0, 0, 1};
	uint32_t id = send(COOP_MSG_HELLO, sizeof(h), 0, &h);
	expect_error("hello_version_refused", id, COOP_MSG_HELLO, COOP_ERR_VERSION);
	uint8_t junk[16] = {1, 2, 3};
	id = send(99, sizeof(junk), 0, junk);
	expect_error("unknown_type_refused", id, 99, COOP_ERR_TYPE);
	struct coop_msg_heartbeat hb = {1};
	id = send(COOP_MSG_HEARTBEAT, sizeof(hb), 0, &hb);
	expect_error("before_hello_refused", id, COOP_MSG_HEARTBEAT, COOP_ERR_STATE);
	check(vmm->msgs_refused == refused0 + 3, "refusals_counted", "msgs_refused %llu, +3", (unsigned long long)vmm->msgs_refused);

	h.abi_version = COOP_ABI_VERSION;
	id = send(COOP_MSG_HELLO, sizeof(h), 0, &h);
	struct coop_msg m;
	struct coop_msg_hello hr;
	int r = recv_wait(&m);
	memcpy(&hr, m.payload, sizeof(hr));
	check(r == 1 && m.type == COOP_MSG_HELLO_REPLY && m.id == id && hr.abi_version == COOP_ABI_VERSION &&
		  hr.epoch == d.hdr->epoch, "hello_reply",
	      "HELLO_REPLY: version %u epoch %u (header epoch %u)", hr.abi_version, hr.epoch, d.hdr->epoch);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned sent = 0, got = 0, bad = 0;
	while (got < pings) {
		while (sent < pings && sent - got < COOP_RING_ENTRIES / 2) {
			struct coop_msg_ping p = {sent, ~(uint64_t)sent};
			send(COOP_MSG_PING, sizeof(p), 0, &p);
			sent++;
		}
		if (recv_wait(&m) != 1)
			break;
		struct coop_msg_ping p;
		memcpy(&p, m.payload, sizeof(p));
		bad += m.type != COOP_MSG_PONG || p.seq != got || p.tsc != ~(uint64_t)got;
		got++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	check(got == pings && !bad, "ping_pong", "%u PINGs, %u PONGs in order with their payloads (%u bad) in %.2f s", pings, got,
	      bad, s);
	/* Probe's count: 3 refused + HELLO + pings; the VMM's answers: 3 ERRORs + HELLO_REPLY + PONGs. */
	check(vmm->msgs_received == recv0 + 4 + pings && vmm->msgs_sent == sent0 + 4 + pings, "counters_agree",
	      "VMM counters: received %llu (want %llu), sent %llu (want %llu), refused %llu",
	      (unsigned long long)vmm->msgs_received, (unsigned long long)(recv0 + 4 + pings),
	      (unsigned long long)vmm->msgs_sent, (unsigned long long)(sent0 + 4 + pings),
	      (unsigned long long)vmm->msgs_refused);

	struct coop_msg_mode mo = {COOP_MODE_POLL, 0};
	send(COOP_MSG_SET_MODE, sizeof(mo), 0, &mo);
	int polled = 0;
	for (int i = 0; i < WAIT_MS && !polled; i++, sleep_ms(1))
		polled = (vmm->rx.flags & COOP_RING_POLLING) != 0;
	check(polled, "set_mode_poll", "SET_MODE poll: the VMM's ring flags say POLLING");
	struct coop_msg_vm q;
	memset(&q, 0, sizeof(q));
	q.op = COOP_VM_LIST;
	id = send(COOP_MSG_VM_REQUEST, sizeof(q), 0, &q);
	r = recv_wait(&m);
	struct coop_msg_vm a;
	memcpy(&a, m.payload, sizeof(a));
	check(r == 1 && m.type == COOP_MSG_VM_REPLY && m.id == id && a.op == COOP_VM_LIST, "vm_list",
	      "VM_LIST answered: status %d, first VM %u \"%.20s\"", a.status, m.vm, a.name);
	mo.vmm_mode = COOP_MODE_IPI;
	send(COOP_MSG_SET_MODE, sizeof(mo), 0, &mo);
	check(log_has(&d, "HELLO refused: ABI version 3, the VMM speaks 2"), "log_ring_has_refusal",
	      "the refusal is in the VMM's log ring too");
	printf("chanprobe: done %d failed\n", failures);
	coopdev_close(&d);
	return failures != 0;
}
