/* SPDX-License-Identifier: GPL-2.0-only */
/* chan_hostile.c: a misbehaving IOPM on the channel (issue 14), for the
 * system tests (tests/system/_iopm.py channel_checks) and the IOPM userland
 * test (iopm/test/qemu_iopm.py, against iopm.ko's fake VMM). Run it with
 * iopmd stopped: iopmd is the only producer of the IOPM ring, and this tool
 * takes its place, attaching to both rings from the indices last published.
 *
 *   chan_hostile        the checks below, one PASS/FAIL line each, then
 *                       "chan_hostile: N passed, N failed"; exit 0 when all pass
 *
 * 1. HELLO with ABI version 99           -> ERROR reason COOP_ERR_VERSION
 * 2. HELLO with this ABI version         -> HELLO_REPLY (attached again)
 * 3. a message of type 200               -> ERROR COOP_ERR_TYPE
 * 4. a PING with len 15                  -> ERROR COOP_ERR_LEN
 * 5. IRQ_LINE for VM 0x7fffffff          -> ERROR COOP_ERR_VM
 * 6. IO_DONE for slot 9999               -> ERROR COOP_ERR_SLOT
 * 7. a PING with flags 0x4000            -> ERROR COOP_ERR_FLAGS
 * 8. SET_MODE with reserved 0xdead       -> ERROR COOP_ERR_FLAGS
 * 9. ROUTE_PIN on this ring (it travels on iopm.ko's kernel ring)
 *                                         -> ERROR COOP_ERR_TYPE
 * 10. PIN_EOI on this ring                -> ERROR COOP_ERR_TYPE
 *    and the VMM's msgs_refused grew by exactly the ERRORs of 1 and 3-10
 * 11. a good PING                         -> PONG (the VMM still serves us)
 * 12. the kernel ring: its entries are iopm.ko's alone (mapped read-only
 *    here), but its index words sit in the IOPM control area, which this
 *    tool can write: iopm.ko's prod published as the VMM's cons + 1000.
 *    The VMM must stop reading that ring only: it logs a line naming the
 *    kernel ring within 5 s, counts it once in kmsgs_refused, and still
 *    answers a PING on this ring. (iopm.ko's routes stay as they were; the
 *    boot's later route messages are lost: run this last.)
 * 13. last: the IOPM ring's prod published as the VMM's cons + 1000: the
 *    VMM must stop reading the ring and keep running: it logs something
 *    within 5 s (the tool prints those VMM log lines) and its heartbeat in
 *    the VMM control area moves on by 2 within 10 s.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "coopdev.h"

#define WAIT_NS 5000000000ULL

static struct coopdev dev;
static struct coop_ring_tx tx;
static struct coop_ring_rx rx;
static int passed, failed;
static uint32_t next_id = 0x48000000; /* far from iopmd's ids */

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void result(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void result(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		printf("PASS: chan_hostile.%s\n", name);
	} else {
		failed++;
		printf("FAIL: chan_hostile.%s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
}

static uint64_t vmm_refused(void)
{
	return __atomic_load_n(&dev.vmm->msgs_refused, __ATOMIC_ACQUIRE);
}

/* Put and publish one raw message; notify the VMM if it asked. */
static uint32_t send_raw(struct coop_msg *m)
{
	m->id = ++next_id;
	if (coop_ring_put(&tx, m) < 0)
		return 0;
	if (coop_ring_push(&tx))
		ioctl(dev.fd, COOPVMM_IOC_NOTIFY);
	return m->id;
}

static uint32_t send_msg(uint16_t type, uint16_t len, uint32_t vm, uint16_t flags, const void *payload,
			 size_t size)
{
	struct coop_msg m;

	coop_msg_init(&m, type, 0, vm, 0, payload, (uint16_t)size);
	m.len = len; /* as given: the hostile cases send wrong lengths */
	m.flags = flags;
	return send_raw(&m);
}

/* Wait for a message of `type` answering `id` (ERROR: bad_id; others: id);
 * everything else on the ring is taken and dropped. 1 and *out, or 0. */
static int wait_for(uint16_t type, uint32_t id, struct coop_msg *out)
{
	uint64_t end = now_ns() + WAIT_NS;
	struct timespec ms = {0, 1000000L};
	struct coop_msg m;
	int r;

	while (now_ns() < end) {
		r = coop_ring_recv(&rx, &m);
		if (r < 0)
			return 0;
		if (r == 0) {
			nanosleep(&ms, NULL);
			continue;
		}
		if (m.type != type)
			continue;
		if (type == COOP_MSG_ERROR) {
			struct coop_msg_error e;

			memcpy(&e, m.payload, sizeof(e));
			if (e.bad_id != id)
				continue;
		} else if (m.id != id) {
			continue;
		}
		*out = m;
		return 1;
	}
	return 0;
}

static uint8_t logbuf[COOP_LOG_SIZE];

/* Wait up to WAIT_NS for the VMM's log past *pos to contain `needle`. */
static int log_wait_for(uint64_t *pos, const char *needle)
{
	uint64_t end = now_ns() + WAIT_NS, lost;
	static char text[COOP_LOG_SIZE + 1];
	size_t len = 0;

	while (now_ns() < end) {
		uint32_t n = coop_log_read((const volatile uint8_t *)dev.base + dev.hdr->log_off,
					   &dev.vmm->log_head, pos, logbuf, sizeof(logbuf), &lost);
		if (n > sizeof(text) - 1 - len)
			n = (uint32_t)(sizeof(text) - 1 - len);
		memcpy(text + len, logbuf, n);
		len += n;
		text[len] = 0;
		if (strstr(text, needle))
			return 1;
		nanosleep(&(struct timespec){0, 50000000L}, NULL);
	}
	return 0;
}

/* 12: iopm.ko's kernel-ring prod, corrupted through the IOPM control area. */
static void kernel_ring_corrupt(void)
{
	uint64_t pos = __atomic_load_n(&dev.vmm->log_head, __ATOMIC_ACQUIRE);
	uint64_t k0 = __atomic_load_n(&dev.vmm->kmsgs_refused, __ATOMIC_ACQUIRE), k1;
	uint32_t kcons = coop_load_acquire(&dev.vmm->krx.cons);
	struct coop_msg_ping p = {.seq = 0xc0de};
	struct coop_msg m = {0};

	coop_store_release(&dev.ctrl->ktx.prod, kcons + 1000);
	ioctl(dev.fd, COOPVMM_IOC_NOTIFY);
	printf("chan_hostile: corrupt kernel-ring prod published: %u, VMM cons %u\n", kcons + 1000, kcons);
	result(log_wait_for(&pos, "kernel ring"), "kernel_corrupt_prod_logged",
	       "no VMM log line naming the kernel ring within 5 s of its corrupt prod");
	k1 = __atomic_load_n(&dev.vmm->kmsgs_refused, __ATOMIC_ACQUIRE);
	result(k1 == k0 + 1, "kernel_corrupt_prod_counted",
	       "the VMM's kmsgs_refused went %llu -> %llu (want +1)", (unsigned long long)k0,
	       (unsigned long long)k1);
	uint32_t id = send_msg(COOP_MSG_PING, sizeof(p), 0, 0, &p, sizeof(p));
	int pong = wait_for(COOP_MSG_PONG, id, &m);
	struct coop_msg_ping back;
	memcpy(&back, m.payload, sizeof(back));
	result(pong && back.seq == 0xc0de, "iopmd_ring_still_served",
	       "no PONG on this ring after the kernel ring was broken: the VMM stopped more than that ring");
}

static int expect_error(const char *name, uint32_t id, uint16_t reason)
{
	struct coop_msg m;
	struct coop_msg_error e;

	if (!id) {
		result(0, name, "the IOPM ring is full or broken: nothing sent");
		return 0;
	}
	if (!wait_for(COOP_MSG_ERROR, id, &m)) {
		result(0, name, "no ERROR for message id %u within 5 s", id);
		return 0;
	}
	memcpy(&e, m.payload, sizeof(e));
	e.text[sizeof(e.text) - 1] = 0;
	result(e.reason == reason && e.code < 0, name,
	       "ERROR reason %u code %d (want reason %u, code < 0): %s", e.reason, e.code, reason, e.text);
	return 1;
}

int main(int argc, char **argv)
{
	struct coop_msg m;
	char err[256];
	uint64_t r0, r1;
	int errors = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: chan_hostile   (with iopmd stopped)\n");
		return 64;
	}
	memset(&m, 0, sizeof(m));
	if (coopdev_open(&dev, 1, err, sizeof(err)) < 0 ||
	    coopdev_rings(&dev, &tx, &rx, err, sizeof(err)) < 0) {
		fprintf(stderr, "chan_hostile: %s\n", err);
		return 1;
	}
	coop_ring_set_polling(&rx, 1); /* we poll: the VMM sends us no IPIs */
	printf("chan_hostile: attached at IOPM ring prod %u, VMM ring cons %u; VMM refused so far %llu\n",
	       tx.prod, rx.cons, (unsigned long long)vmm_refused());
	r0 = vmm_refused();

	struct coop_msg_hello h = {.abi_version = 99, .pid = 1};
	errors += expect_error("hello_version_99", send_msg(COOP_MSG_HELLO, sizeof(h), 0, 0, &h, sizeof(h)),
			       COOP_ERR_VERSION);

	h.abi_version = COOP_ABI_VERSION;
	uint32_t id = send_msg(COOP_MSG_HELLO, sizeof(h), 0, 0, &h, sizeof(h));
	result(wait_for(COOP_MSG_HELLO_REPLY, id, &m), "hello_good_after", "no HELLO_REPLY to a good HELLO");

	struct coop_msg_ping p = {.seq = 1};
	errors += expect_error("bad_type", send_msg(200, 0, 0, 0, NULL, 0), COOP_ERR_TYPE);
	errors += expect_error("bad_len", send_msg(COOP_MSG_PING, 15, 0, 0, &p, sizeof(p)), COOP_ERR_LEN);
	struct coop_msg_irq_line il = {.line = 4, .op = COOP_IRQ_PULSE};
	errors += expect_error(
	    "bad_vm", send_msg(COOP_MSG_IRQ_LINE, sizeof(il), 0x7fffffff, 0, &il, sizeof(il)), COOP_ERR_VM);
	struct coop_msg_slot sl = {.slot = 9999, .seq = 1};
	errors += expect_error("bad_slot", send_msg(COOP_MSG_IO_DONE, sizeof(sl), 0, 0, &sl, sizeof(sl)),
			       COOP_ERR_SLOT);
	errors += expect_error("bad_flags", send_msg(COOP_MSG_PING, sizeof(p), 0, 0x4000, &p, sizeof(p)),
			       COOP_ERR_FLAGS);
	struct coop_msg_mode md = {.vmm_mode = COOP_MODE_IPI, .reserved = 0xdead};
	errors += expect_error("bad_reserved", send_msg(COOP_MSG_SET_MODE, sizeof(md), 0, 0, &md, sizeof(md)),
			       COOP_ERR_FLAGS);
	struct coop_msg_route rt = {.irq = 3, .vector = 0x33, .flags = COOP_ROUTE_VALID};
	errors +=
	    expect_error("route_pin_wrong_ring",
			 send_msg(COOP_MSG_ROUTE_PIN, sizeof(rt), 0, 0, &rt, sizeof(rt)), COOP_ERR_TYPE);
	struct coop_msg_route eoi = {.irq = 3};
	errors +=
	    expect_error("pin_eoi_wrong_ring",
			 send_msg(COOP_MSG_PIN_EOI, sizeof(eoi), 0, 0, &eoi, sizeof(eoi)), COOP_ERR_TYPE);
	r1 = vmm_refused();
	result(r1 - r0 == (uint64_t)errors, "vmm_refused_counted",
	       "the VMM's msgs_refused went %llu -> %llu (+%llu) for %d ERRORs received",
	       (unsigned long long)r0, (unsigned long long)r1, (unsigned long long)(r1 - r0), errors);
	printf("chan_hostile: VMM msgs_refused %llu -> %llu\n", (unsigned long long)r0,
	       (unsigned long long)r1);

	p.seq = 0x600d;
	id = send_msg(COOP_MSG_PING, sizeof(p), 0, 0, &p, sizeof(p));
	int pong = wait_for(COOP_MSG_PONG, id, &m);
	struct coop_msg_ping back;
	memcpy(&back, m.payload, sizeof(back));
	result(pong && back.seq == 0x600d, "good_ping_after", "no PONG echoing seq 0x600d within 5 s");

	kernel_ring_corrupt();

	/* Last: an impossible prod. */
	uint64_t head0 = __atomic_load_n(&dev.vmm->log_head, __ATOMIC_ACQUIRE), pos = head0, lost;
	uint32_t cons = coop_load_acquire(&dev.vmm->rx.cons);
	coop_store_release(&dev.ctrl->tx.prod, cons + 1000);
	ioctl(dev.fd, COOPVMM_IOC_NOTIFY);
	printf("chan_hostile: corrupt prod published: IOPM ring prod %u, VMM cons %u\n", cons + 1000, cons);
	fflush(stdout);
	uint64_t end = now_ns() + WAIT_NS;
	uint8_t *buf = logbuf;
	while (now_ns() < end) {
		struct timespec ms = {0, 50000000L};

		nanosleep(&ms, NULL);
		if (__atomic_load_n(&dev.vmm->log_head, __ATOMIC_ACQUIRE) != head0)
			break;
	}
	nanosleep(&(struct timespec){0, 300000000L}, NULL); /* the rest of the lines */
	uint32_t n = coop_log_read((const volatile uint8_t *)dev.base + dev.hdr->log_off, &dev.vmm->log_head,
				   &pos, buf, sizeof(logbuf), &lost);
	for (uint32_t i = 0; i < n; i++)
		buf[i] = (buf[i] == '\n' || (buf[i] >= ' ' && buf[i] <= '~')) ? buf[i] : '?';
	printf("chan_hostile: VMM log after the corrupt prod (%u bytes):\n%.*s", n, (int)n, buf);
	if (n && buf[n - 1] != '\n')
		printf("\n");
	result(n > 0, "corrupt_prod_logged",
	       "the VMM wrote nothing to its log within 5 s of the corrupt prod");
	uint64_t beat0 = __atomic_load_n(&dev.vmm->heartbeat, __ATOMIC_ACQUIRE), beat = beat0;
	end = now_ns() + 2 * WAIT_NS;
	while (now_ns() < end && beat < beat0 + 2) {
		nanosleep(&(struct timespec){0, 100000000L}, NULL);
		beat = __atomic_load_n(&dev.vmm->heartbeat, __ATOMIC_ACQUIRE);
	}
	result(beat >= beat0 + 2, "vmm_alive_after",
	       "the VMM's heartbeat went %llu -> %llu in 10 s after the corrupt prod",
	       (unsigned long long)beat0, (unsigned long long)beat);
	printf("chan_hostile: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
