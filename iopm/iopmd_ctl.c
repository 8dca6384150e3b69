/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_ctl.c: iopmd's control socket (iopm/iopmd_ctl.h, docs/iopm.md
 * "iopmd"): vmctl's requests -- ping, burst, mode, stats, list -- served
 * over the channel of iopmd.c, one packet in, one packet out. */
#define _GNU_SOURCE /* accept4, struct ucred */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "iopmd.h"

struct reply {
	char buf[IOPMD_CTL_MAX];
	size_t len;
};

/* Append to the reply (cut at its size). */
static void vsay(struct reply *r, const char *fmt, va_list ap)
{
	int n;

	if (r->len >= sizeof(r->buf) - 1)
		return;
	n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	r->len += n < 0 ? 0 : (size_t)n;
	if (r->len >= sizeof(r->buf))
		r->len = sizeof(r->buf) - 1;
}

static void say(struct reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(r, fmt, ap);
	va_end(ap);
}

/* Replace the reply with "err CODE" and the message. */
static void fail(struct reply *r, int code, const char *fmt, ...)
{
	va_list ap;

	r->len = 0;
	say(r, "err %d\n", code);
	va_start(ap, fmt);
	vsay(r, fmt, ap);
	va_end(ap);
}

static int info(struct iopmd *d, struct coopvmm_info *i)
{
	memset(i, 0, sizeof(*i));
	return ioctl(d->dev.fd, COOPVMM_IOC_INFO, i);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int pong_came(struct iopmd *d)
{
	return d->got;
}

static int can_talk(struct iopmd *d, struct reply *r, const char *what)
{
	if (d->fake) {
		fail(r, 3, "vmctl: %s: fake zone (iopm.ko fake=1): no VMM to talk to\n", what);
		return 0;
	}
	if (d->rx_dead || d->tx_dead) {
		fail(r, 1, "vmctl: %s: the channel is broken (a ring index was impossible); see dmesg\n",
		     what);
		return 0;
	}
	return 1;
}

static void req_ping(struct iopmd *d, long n, int mode, struct reply *r)
{
	struct coopvmm_info i0, i1;
	uint64_t *rtt, t0, tsc_khz = d->dev.hdr->tsc_khz;
	int old = d->polling;
	long k;

	if (!can_talk(d, r, "ping"))
		return;
	rtt = calloc((size_t)n, sizeof(*rtt));
	if (!rtt) {
		fail(r, 1, "vmctl: ping: out of memory\n");
		return;
	}
	if (mode >= 0 && mode != d->polling)
		set_mode(d, mode);
	info(d, &i0);
	for (k = 0; k < n; k++) {
		struct coop_msg_ping p;

		d->want_seq = ++d->ping_seq;
		d->got = 0;
		t0 = __rdtsc();
		p.seq = d->want_seq;
		p.tsc = t0;
		if (send_type(d, COOP_MSG_PING, &p, sizeof(p)) < 0 ||
		    !run_until(d, pong_came, PONG_WAIT_NS)) {
			fail(r, 1,
			     "vmctl: ping: no PONG for PING %ld of %ld (seq %llu) within %llu s: is the VMM "
			     "side "
			     "of the channel answering? (VMM cons of the IOPM ring %u, prod %u; hello %s)\n",
			     k + 1, n, (unsigned long long)d->want_seq,
			     (unsigned long long)(PONG_WAIT_NS / NS), coop_load_acquire(&d->tx.peer->cons),
			     d->tx.prod, d->hello == HELLO_ACCEPTED ? "accepted" : "not accepted");
			d->want_seq = 0;
			if (mode >= 0 && old != d->polling)
				set_mode(d, old);
			free(rtt);
			return;
		}
		rtt[k] = d->got_tsc - t0;
	}
	d->want_seq = 0;
	info(d, &i1);
	if (mode >= 0 && old != d->polling)
		set_mode(d, old);
	qsort(rtt, (size_t)n, sizeof(*rtt), cmp_u64);
	uint64_t med = rtt[n / 2], p99 = rtt[(n * 99 + 99) / 100 - 1];
	say(r, "ok\n");
	say(r, "ping: %ld PINGs answered, %s mode\n", n, mode_name(mode >= 0 ? mode : d->polling));
	say(r, "round trip (TSC cycles): median %llu p99 %llu min %llu max %llu\n", (unsigned long long)med,
	    (unsigned long long)p99, (unsigned long long)rtt[0], (unsigned long long)rtt[n - 1]);
	if (tsc_khz)
		say(r, "round trip (us at %llu kHz): median %.2f p99 %.2f\n", (unsigned long long)tsc_khz,
		    med * 1000.0 / tsc_khz, p99 * 1000.0 / tsc_khz);
	say(r, "notifications: sent %llu received %llu\n",
	    (unsigned long long)(i1.notifies_sent - i0.notifies_sent),
	    (unsigned long long)(i1.notifies_received - i0.notifies_received));
	free(rtt);
}

static long burst_n;

static int burst_done(struct iopmd *d)
{
	return d->burst_got >= (uint64_t)burst_n;
}

static void req_burst(struct iopmd *d, long n, struct reply *r)
{
	struct coopvmm_info i0, i1;
	long k;

	if (!can_talk(d, r, "burst"))
		return;
	info(d, &i0);
	d->burst_first = d->ping_seq + 1;
	d->burst_got = 0;
	burst_n = n;
	for (k = 0; k < n; k++) {
		struct coop_msg_ping p = {.seq = ++d->ping_seq, .tsc = __rdtsc()};

		if (send_type(d, COOP_MSG_PING, &p, sizeof(p)) < 0)
			break;
		pump(d); /* PONGs may already come back; the VMM ring must not fill */
	}
	int ok = run_until(d, burst_done, PONG_WAIT_NS + (uint64_t)n * 10000000ULL);
	info(d, &i1);
	uint64_t got = d->burst_got;
	d->burst_first = 0;
	if (!ok) {
		fail(r, 1,
		     "vmctl: burst: %llu of %ld PONGs within the time limit (VMM cons %u, our prod %u)\n",
		     (unsigned long long)got, n, coop_load_acquire(&d->tx.peer->cons), d->tx.prod);
		return;
	}
	uint64_t s = i1.notifies_sent - i0.notifies_sent, g = i1.notifies_received - i0.notifies_received;
	say(r, "ok\n");
	say(r, "burst: %ld PINGs, %llu PONGs, %s mode\n", n, (unsigned long long)got, mode_name(d->polling));
	say(r, "notifications: sent %llu (%.3f per message) received %llu (%.3f per message)\n",
	    (unsigned long long)s, (double)s / n, (unsigned long long)g, (double)g / n);
}

static int quiet(struct iopmd *d)
{
	return coop_load_acquire(&d->tx.peer->cons) == d->tx.prod && coop_ring_pending(&d->rx) == 0;
}

static void counters(const struct iopmd *d, uint64_t v[10])
{
	const struct coop_vmm_ctrl *vm = d->dev.vmm;

	v[0] = d->sent;
	v[1] = d->received;
	v[2] = d->refused;
	v[3] = __atomic_load_n(&vm->msgs_sent, __ATOMIC_ACQUIRE);
	v[4] = __atomic_load_n(&vm->msgs_received, __ATOMIC_ACQUIRE);
	v[5] = __atomic_load_n(&vm->msgs_refused, __ATOMIC_ACQUIRE);
	v[6] = __atomic_load_n(&vm->notifies_sent, __ATOMIC_ACQUIRE);
	v[7] = __atomic_load_n(&vm->notifies_received, __ATOMIC_ACQUIRE);
	v[8] = coop_load_acquire(&d->tx.peer->cons);
	v[9] = coop_load_acquire(d->rx.prod_p);
}

static void req_stats(struct iopmd *d, struct reply *r)
{
	uint64_t a[10], b[10];
	struct coopvmm_info i;
	int stable = 0, tries;

	/* The rings quiet and the counters the same 20 ms apart: both sides' counts
	 * then describe the same messages. At most about 2 s. */
	for (tries = 0; tries < 40 && !stable; tries++) {
		if (!d->fake && !d->rx_dead && !d->tx_dead)
			run_until(d, quiet, 30000000ULL);
		counters(d, a);
		struct timespec ts = {0, 20000000L};
		nanosleep(&ts, NULL);
		pump(d);
		counters(d, b);
		stable = !memcmp(a, b, sizeof(a)) && quiet(d);
	}
	info(d, &i);
	say(r, "ok\n");
	say(r, "iopmd: pid %d, mode %s, hello %s, epoch %u, notify vector 0x%02x%s\n", (int)getpid(),
	    mode_name(d->polling),
	    d->hello == HELLO_ACCEPTED	? "accepted"
	    : d->hello == HELLO_REFUSED ? "refused"
					: "not answered",
	    d->epoch, d->vector, d->fake ? " (fake zone)" : "");
	say(r, "iopmd: msgs sent %llu received %llu refused %llu notifies sent %llu received %llu\n",
	    (unsigned long long)b[0], (unsigned long long)b[1], (unsigned long long)b[2],
	    (unsigned long long)i.notifies_sent, (unsigned long long)i.notifies_received);
	say(r, "vmm:   msgs sent %llu received %llu refused %llu notifies sent %llu received %llu\n",
	    (unsigned long long)b[3], (unsigned long long)b[4], (unsigned long long)b[5],
	    (unsigned long long)b[6], (unsigned long long)b[7]);
	say(r, "snapshot: %s (IOPM ring prod %u cons %u, VMM ring prod %u cons %u)\n",
	    stable ? "quiet" : "BUSY: the counts may differ by messages in flight", d->tx.prod,
	    (unsigned)b[8], (unsigned)b[9], d->rx.cons);
	say(r,
	    "iopmd: pongs %llu (stray %llu), pings answered %llu, heartbeats %llu, dropped %llu, wakeups "
	    "%llu, notify refused %llu, ram ranges %u (%llu KiB, %u refused)\n",
	    (unsigned long long)d->pongs, (unsigned long long)d->pongs_stray,
	    (unsigned long long)d->pings_answered, (unsigned long long)d->hbcount,
	    (unsigned long long)d->dropped, (unsigned long long)d->wakeups,
	    (unsigned long long)d->notify_failed, i.ram_ranges, (unsigned long long)(i.ram_bytes >> 10),
	    i.ram_refused);
	say(r, "iopmd: guest requests served %llu, refused %llu, repeated %llu, malformed %llu\n",
	    (unsigned long long)d->io_served, (unsigned long long)d->io_refused,
	    (unsigned long long)d->io_repeated, (unsigned long long)d->io_malformed);
	{
		struct guest *gs[IOPMD_GUESTS];
		unsigned n = io_guests(gs, IOPMD_GUESTS);

		for (unsigned k = 0; k < n; k++)
			say(r,
			    "guest %u %s: requests %llu, interrupt line changes %llu, console %llu bytes\n",
			    gs[k]->vm, gs[k]->name, (unsigned long long)gs[k]->requests,
			    (unsigned long long)gs[k]->irq_msgs, (unsigned long long)gs[k]->con_head);
	}
}

static int vm_done(struct iopmd *d)
{
	return !d->vm_wait;
}

/* Send VM_REQUEST `op` (on VM `vm`, 0 for LIST) and wait for its replies
 * (vm_reply collects them in d->vm_out). 0, or -1 with the failure said. */
static int vm_ask(struct iopmd *d, uint32_t op, uint32_t vm, const char *what, struct reply *r)
{
	struct coop_msg m;
	struct coop_msg_vm v;

	if (!can_talk(d, r, what))
		return -1;
	memset(&v, 0, sizeof(v));
	v.op = op;
	d->vm_id = ++d->next_id;
	coop_msg_init(&m, COOP_MSG_VM_REQUEST, d->vm_id, vm, 0, &v, sizeof(v));
	d->vm_wait = 1;
	d->vm_status = 0;
	d->vm_len = 0;
	if (op == COOP_VM_LIST)
		d->nlisted = 0;
	if (send_msg(d, &m) < 0 || !run_until(d, vm_done, 3 * NS)) {
		d->vm_wait = 0;
		fail(r, 1, "vmctl: %s: no VM_REPLY from the VMM within 3 s\n", what);
		return -1;
	}
	if (d->vm_status == -COOP_ENOSYS) {
		fail(r, 2, "vmctl: %s: the VMM does not serve this request (VM_REPLY -ENOSYS)\n", what);
		return -1;
	}
	return 0;
}

#define VM_HEADER "%-6s %-20s %-8s %-5s %-8s %s\n", "ID", "NAME", "STATE", "VCPUS", "MEM(MiB)", "CPU(ms)"

static void req_list(struct iopmd *d, struct reply *r)
{
	if (vm_ask(d, COOP_VM_LIST, 0, "list", r))
		return;
	if (d->vm_status && d->vm_status != -COOP_ENOENT) {
		fail(r, 1, "vmctl: list: the VMM answered status %d\n", d->vm_status);
		return;
	}
	say(r, "ok\n");
	say(r, VM_HEADER);
	say(r, "%.*s", (int)d->vm_len, d->vm_out);
}

/* NAME or ID of a VM the VMM has now: its id, or -1 with the failure said. */
static int64_t vm_resolve(struct iopmd *d, const char *who, const char *what, struct reply *r)
{
	char *end;
	unsigned long id = strtoul(who, &end, 10);

	if (vm_ask(d, COOP_VM_LIST, 0, what, r))
		return -1;
	for (unsigned i = 0; i < d->nlisted; i++)
		if (!strcmp(d->listed[i].name, who) || (*who && !*end && d->listed[i].id == id))
			return d->listed[i].id;
	fail(r, 1, "vmctl: %s: no guest \"%s\"\n", what, who);
	return -1;
}

/* vmctl pause|unpause|destroy|info NAME|ID */
static void req_vm_op(struct iopmd *d, uint32_t op, const char *what, const char *who, struct reply *r)
{
	int64_t id = vm_resolve(d, who, what, r);

	if (id < 0 || vm_ask(d, op, (uint32_t)id, what, r))
		return;
	if (d->vm_status) {
		fail(r, 1, "vmctl: %s %s: refused by the VMM (%s)\n", what, who,
		     d->vm_status == -COOP_ENOENT  ? "it is ending"
		     : d->vm_status == -COOP_EPERM ? "not this IOPM's guest"
						   : "error");
		return;
	}
	say(r, "ok\n");
	if (op == COOP_VM_DESTROY) {
		say(r, "%s: destroyed (its vCPUs stop at their next exit)\n", who);
		return;
	}
	say(r, VM_HEADER);
	say(r, "%.*s", (int)d->vm_len, d->vm_out);
}

/* vmctl console NAME|ID (not a terminal): what the guest wrote so far. */
static void req_console(struct iopmd *d, const char *who, struct reply *r)
{
	static char out[IOPMD_CTL_MAX - 64];
	struct guest *g;
	char *end;
	unsigned long id = strtoul(who, &end, 10);
	size_t n;

	if (d->hello == HELLO_ACCEPTED) { /* names come with a VM_LIST */
		static struct reply scratch;

		scratch.len = 0;
		req_list(d, &scratch);
	}
	g = guest_by_name(who);
	if (!g && *who && !*end)
		g = guest_find((uint32_t)id);
	if (!g) {
		fail(r, 1, "vmctl: console: no guest \"%s\" has devices in this IOPM\n", who);
		return;
	}
	n = guest_console_read(g, out, sizeof(out));
	say(r, "ok\n");
	say(r, "%.*s", (int)n, out);
}

static void request(struct iopmd *d, char *req, struct reply *r)
{
	char *argv[4] = {0};
	int argc = 0;
	char *save = NULL, *w;
	long n = 0;

	for (w = strtok_r(req, " \t\n", &save); w && argc < 4; w = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = w;
	if (argc >= 2 && (!strcmp(argv[0], "ping") || !strcmp(argv[0], "burst"))) {
		char *end;

		n = strtol(argv[1], &end, 10);
		if (*end || n < 1 || n > IOPMD_PING_MAX) {
			fail(r, 64, "vmctl: %s: N must be 1..%d\n", argv[0], IOPMD_PING_MAX);
			return;
		}
	}
	if (argc >= 2 && argc <= 3 && !strcmp(argv[0], "ping")) {
		int mode = -1;

		if (argc == 3 && strcmp(argv[2], "poll") && strcmp(argv[2], "ipi")) {
			fail(r, 64, "vmctl: ping: mode is poll or ipi\n");
			return;
		}
		if (argc == 3)
			mode = !strcmp(argv[2], "poll");
		if (mode == 0 && !d->vector) {
			fail(r, 3,
			     "vmctl: ping: iopm.ko has no notification vector: IPI mode is impossible\n");
			return;
		}
		req_ping(d, n, mode, r);
	} else if (argc == 2 && !strcmp(argv[0], "burst")) {
		req_burst(d, n, r);
	} else if (argc == 2 && !strcmp(argv[0], "mode") &&
		   (!strcmp(argv[1], "poll") || !strcmp(argv[1], "ipi"))) {
		int polling = !strcmp(argv[1], "poll");

		if (!polling && !d->vector) {
			fail(r, 3,
			     "vmctl: mode: iopm.ko has no notification vector: IPI mode is impossible\n");
			return;
		}
		set_mode(d, polling);
		klog(6, "mode %s (iopmd and the VMM)", mode_name(polling));
		say(r, "ok\nmode %s: iopmd %s, SET_MODE %s sent to the VMM\n", argv[1],
		    polling ? "polls the VMM ring" : "sleeps until an IPI", argv[1]);
	} else if (argc == 1 && !strcmp(argv[0], "stats")) {
		req_stats(d, r);
	} else if (argc == 1 && !strcmp(argv[0], "list")) {
		req_list(d, r);
	} else if (argc == 2 && !strcmp(argv[0], "console")) {
		req_console(d, argv[1], r);
	} else if (argc == 2 && !strcmp(argv[0], "pause")) {
		req_vm_op(d, COOP_VM_PAUSE, "pause", argv[1], r);
	} else if (argc == 2 && !strcmp(argv[0], "unpause")) {
		req_vm_op(d, COOP_VM_UNPAUSE, "unpause", argv[1], r);
	} else if (argc == 2 && !strcmp(argv[0], "destroy")) {
		req_vm_op(d, COOP_VM_DESTROY, "destroy", argv[1], r);
	} else if (argc == 2 && !strcmp(argv[0], "info")) {
		req_vm_op(d, COOP_VM_INFO, "info", argv[1], r);
	} else {
		fail(r, 64, "vmctl: iopmd: unknown request\n");
	}
}

void serve_client(struct iopmd *d)
{
	struct timeval tv = {1, 0};
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	static struct reply r;
	char req[256];
	ssize_t n;
	int c = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return;
	r.len = 0;
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != 0) {
		close(c);
		return;
	}
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(c, req, sizeof(req) - 1, 0);
	if (n > 0) {
		req[n] = 0;
		if (console_attach(d, c, req))
			return; /* iopmd_console.c keeps the connection */
		request(d, req, &r);
		send(c, r.buf, r.len, MSG_NOSIGNAL);
	}
	close(c);
}

int ctl_listen(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	mode_t old;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	strncpy(a.sun_path, IOPMD_SOCK, sizeof(a.sun_path) - 1);
	unlink(IOPMD_SOCK);
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	return fd;
}
