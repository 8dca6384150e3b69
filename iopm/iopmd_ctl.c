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

#include "arch/x86/vmcs.h" /* exit_reason_short_name */
#include "iopmd.h"
#include "iopmd_virtio.h"
#include "iopmd_load.h"

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
	say(r,
	    "iopmd: guest requests served %llu, refused %llu, repeated %llu, malformed %llu, posted writes "
	    "%llu\n",
	    (unsigned long long)d->io_served, (unsigned long long)d->io_refused,
	    (unsigned long long)d->io_repeated, (unsigned long long)d->io_malformed,
	    (unsigned long long)d->io_posted);
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

/* Send VM_REQUEST `q` (on VM `vm`, 0 for LIST, CREATE, HOST) and wait up
 * to `wait_s` seconds for its replies (vm_reply collects them: d->vm_out,
 * d->vm_last, d->stats). 0, or -1 with the failure said. */
static int vm_ask_q(struct iopmd *d, const struct coop_msg_vm *q, uint32_t vm, unsigned wait_s,
		    const char *what, struct reply *r)
{
	struct coop_msg m;

	if (!can_talk(d, r, what))
		return -1;
	d->vm_id = ++d->next_id;
	coop_msg_init(&m, COOP_MSG_VM_REQUEST, d->vm_id, vm, 0, q, sizeof(*q));
	d->vm_wait = 1;
	d->vm_status = 0;
	d->vm_len = 0;
	d->nstats = 0;
	memset(&d->vm_last, 0, sizeof(d->vm_last));
	if (q->op == COOP_VM_LIST)
		d->nlisted = 0;
	if (send_msg(d, &m) < 0 || !run_until(d, vm_done, wait_s * NS)) {
		d->vm_wait = 0;
		fail(r, 1, "vmctl: %s: no VM_REPLY from the VMM within %u s\n", what, wait_s);
		return -1;
	}
	if (d->vm_status == -COOP_ENOSYS) {
		fail(r, 2, "vmctl: %s: the VMM does not serve this request (VM_REPLY -ENOSYS)\n", what);
		return -1;
	}
	return 0;
}

static int vm_ask(struct iopmd *d, uint32_t op, uint32_t vm, const char *what, struct reply *r)
{
	struct coop_msg_vm q;

	memset(&q, 0, sizeof(q));
	q.op = op;
	return vm_ask_q(d, &q, vm, 3, what, r);
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

/* What a refusal of a request on one guest means. */
static const char *refusal(int status)
{
	switch (status) {
	case -COOP_ENOENT:
		return "it is ending";
	case -COOP_EPERM:
		return "not this IOPM's guest";
	case -COOP_EINVAL:
		return "it has not been started: vmctl start";
	case -COOP_EBUSY:
		return "it is running already";
	default:
		return "error";
	}
}

/* Entry points of the guests created here and not yet started (vmctl
 * create --paused, then vmctl start): START needs what the loader found. */
static struct {
	uint32_t vm, entry, mbi;
	uint16_t boot;
	int used;
} loaded[IOPMD_GUESTS];

static void loaded_put(uint32_t vm, uint16_t boot, uint32_t entry, uint32_t mbi)
{
	unsigned i, free_at = IOPMD_GUESTS;

	for (i = 0; i < IOPMD_GUESTS; i++) {
		if (loaded[i].used && loaded[i].vm == vm)
			free_at = i;
		else if (!loaded[i].used && free_at == IOPMD_GUESTS)
			free_at = i;
	}
	if (free_at == IOPMD_GUESTS)
		free_at = vm % IOPMD_GUESTS; /* full: the oldest guests cannot be started, only destroyed */
	loaded[free_at].vm = vm;
	loaded[free_at].entry = entry;
	loaded[free_at].mbi = mbi;
	loaded[free_at].boot = boot;
	loaded[free_at].used = 1;
}

static int loaded_take(uint32_t vm, uint16_t *boot, uint32_t *entry, uint32_t *mbi)
{
	for (unsigned i = 0; i < IOPMD_GUESTS; i++)
		if (loaded[i].used && loaded[i].vm == vm) {
			*boot = loaded[i].boot;
			*entry = loaded[i].entry;
			*mbi = loaded[i].mbi;
			loaded[i].used = 0;
			return 0;
		}
	return -1;
}

/* START of VM `id` at the loader's entry: 0, or -1 with the failure said. */
static int start_vm(struct iopmd *d, uint32_t id, uint16_t boot, uint32_t entry, uint32_t mbi,
		    const char *who, struct reply *r)
{
	struct coop_msg_vm q;

	memset(&q, 0, sizeof(q));
	q.op = COOP_VM_START;
	q.boot = boot;
	q.entry = entry;
	q.arg = mbi;
	if (vm_ask_q(d, &q, id, 3, "start", r))
		return -1;
	if (d->vm_status) {
		fail(r, 1, "vmctl: start %s: refused by the VMM (%s)\n", who, refusal(d->vm_status));
		return -1;
	}
	return 0;
}

/* vmctl pause|unpause|destroy|info|shutdown|start NAME|ID */
static void req_vm_op(struct iopmd *d, uint32_t op, const char *what, const char *who, struct reply *r)
{
	int64_t id = vm_resolve(d, who, what, r);
	uint32_t entry, mbi;
	uint16_t boot;

	if (id < 0)
		return;
	if (op == COOP_VM_START) {
		if (loaded_take((uint32_t)id, &boot, &entry, &mbi)) {
			fail(r, 1,
			     "vmctl: start %s: not loaded by this iopmd (only a guest made with vmctl create "
			     "--paused can be started)\n",
			     who);
			return;
		}
		if (start_vm(d, (uint32_t)id, boot, entry, mbi, who, r))
			return;
		say(r, "ok\n%s: started at 0x%x\n", who, entry);
		return;
	}
	if (vm_ask(d, op, (uint32_t)id, what, r))
		return;
	if (d->vm_status) {
		fail(r, 1, "vmctl: %s %s: refused by the VMM (%s)\n", what, who, refusal(d->vm_status));
		return;
	}
	say(r, "ok\n");
	if (op == COOP_VM_DESTROY) {
		say(r, "%s: destroyed (its vCPUs stop at their next exit)\n", who);
		return;
	}
	if (op == COOP_VM_SHUTDOWN) {
		say(r, "%s: asked to shut down (ACPI power button pressed; the guest decides)\n", who);
		return;
	}
	say(r, VM_HEADER);
	say(r, "%.*s", (int)d->vm_len, d->vm_out);
}

/* Why the VMM refused a CREATE. */
static void create_refused(struct iopmd *d, const char *path, const struct vmcfg *c, struct reply *r)
{
	switch (d->vm_status) {
	case -COOP_EEXIST:
		fail(r, 1, "vmctl: create: %s: a guest named \"%s\" exists already\n", path, c->name);
		break;
	case -COOP_ENOMEM:
		fail(r, 1,
		     "vmctl: create: %s: not enough guest memory: %s needs %llu MiB in one block, the VMM "
		     "has %llu MiB free\n",
		     path, c->name, (unsigned long long)(c->memory >> 20),
		     (unsigned long long)(d->vm_last.mem >> 20));
		break;
	case -COOP_ENOSPC:
		fail(r, 1, "vmctl: create: %s: the VMM has no room for another guest\n", path);
		break;
	case -COOP_ENODEV:
		fail(r, 1, "vmctl: create: %s: iopm = %d: no such IOPM (only iopm0 runs)\n", path, c->iopm);
		break;
	case -COOP_EPERM:
		fail(r, 1, "vmctl: create: only IOPM 0 creates guests\n");
		break;
	default:
		fail(r, 1, "vmctl: create: %s: the VMM refused it (status %d)\n", path, d->vm_status);
		break;
	}
}

/* vmctl create [--paused] FILE: the config (iopm/vmcfg.c), the images read
 * before anything changes, CREATE, the images loaded into the new VM's RAM
 * (iopmd_load.c), START. A failure after CREATE destroys the VM again. */
static void req_create(struct iopmd *d, const char *path, int paused, struct reply *r)
{
	static char text[VMCFG_FILE_MAX + 1];
	static struct vmcfg c;
	struct load_images im;
	struct load_result res;
	struct coop_msg_vm q;
	char err[512];
	uint32_t id;
	size_t n;
	FILE *f;
	int disk_fd = -1, loaded;
	uint64_t disk_size = 0;

	if (!can_talk(d, r, "create"))
		return;
	f = fopen(path, "r");
	if (!f) {
		fail(r, 66, "vmctl: create: %s: %s\n", path, strerror(errno));
		return;
	}
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (n > VMCFG_FILE_MAX) {
		fail(r, 65, "vmctl: create: %s: longer than %d bytes\n", path, VMCFG_FILE_MAX);
		return;
	}
	text[n] = 0;
	if (vmcfg_parse(text, n, path, &c, err, sizeof(err))) {
		fail(r, 65, "vmctl: create: %s\n", err);
		return;
	}
	if (load_read(&c, &im, err, sizeof(err))) {
		fail(r, 66, "vmctl: create: %s: %s\n", path, err);
		return;
	}
	if ((c.devices & VMCFG_DEV_VIRTIO_BLK) &&
	    virtio_disk_open(c.disk, &disk_fd, &disk_size, err, sizeof(err))) {
		load_free(&im);
		fail(r, 66, "vmctl: create: %s: %s\n", path, err);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.op = COOP_VM_CREATE;
	snprintf(q.name, sizeof(q.name), "%s", c.name);
	q.vcpus = c.vcpus;
	q.mem = c.memory;
	q.iopm = c.iopm == VMCFG_NO_IOPM ? COOP_VM_NO_IOPM : (uint16_t)c.iopm;
	q.devices = c.iopm == VMCFG_NO_IOPM ? 0 : (uint16_t)(c.devices & VMCFG_DEV_VMM);
	/* The VMM zeroes the guest's RAM: allow for a large guest on a slow machine. */
	if (vm_ask_q(d, &q, 0, 60, "create", r)) {
		load_free(&im);
		if (disk_fd >= 0)
			close(disk_fd);
		return;
	}
	if (d->vm_status) {
		create_refused(d, path, &c, r);
		load_free(&im);
		if (disk_fd >= 0)
			close(disk_fd);
		return;
	}
	id = d->vm_last_vm;
	/* Its RAM_MAP announcements came before the reply: iopm.ko has them.
	 * The virtio devices take the disk's descriptor, whatever happens. */
	loaded = !load_into(d->dev.fd, id, &c, &im, &res, err, sizeof(err));
	if (!loaded && disk_fd >= 0)
		close(disk_fd);
	if (!loaded || guest_virtio_attach(d, id, &c, disk_fd, disk_size, err, sizeof(err))) {
		load_free(&im);
		memset(&q, 0, sizeof(q));
		q.op = COOP_VM_DESTROY;
		vm_ask_q(d, &q, id, 3, "create", r);
		fail(r, 65, "vmctl: create: %s: %s (guest %s, VM %u, destroyed again)\n", path, err, c.name,
		     id);
		return;
	}
	load_free(&im);
	klog(6, "vm %u %s: created from %s: %llu MiB, %u vCPU(s), loaded 0x%x-0x%x, entry 0x%x, %u module(s)",
	     id, c.name, path, (unsigned long long)(c.memory >> 20), c.vcpus, res.load_lo, res.load_hi,
	     res.entry, c.nmodules);
	if (paused) {
		loaded_put(id, res.boot, res.entry, res.arg);
		say(r, "ok\n%s: created as VM %u, not started (vmctl start %s)\n", c.name, id, c.name);
		return;
	}
	if (start_vm(d, id, res.boot, res.entry, res.arg, c.name, r))
		return;
	say(r, "ok\n%s: created as VM %u and started: %llu MiB, %u vCPU(s), entry 0x%x\n", c.name, id,
	    (unsigned long long)(c.memory >> 20), c.vcpus, res.entry);
}

/* vmctl virtio [MODE]: set how iopmd learns of virtqueue requests; show
 * it and each guest's virtio devices. */
static void req_virtio(struct iopmd *d, const char *mode, struct reply *r)
{
	struct guest *gs[IOPMD_GUESTS];
	unsigned n = io_guests(gs, IOPMD_GUESTS);

	if (mode) {
		int m = virtio_mode_parse(mode);

		if (m < 0) {
			fail(r, 64, "vmctl: virtio: mode is notify, poll or adaptive, not '%s'\n", mode);
			return;
		}
		d->virtio_mode = m;
		klog(6, "virtio: %s mode", virtio_mode_name(m));
	}
	say(r, "ok\nvirtio mode %s\n", virtio_mode_name(d->virtio_mode));
	for (unsigned i = 0; i < n; i++) {
		struct guest_virtio_stats v;

		guest_virtio_stats(gs[i], &v);
		if (v.net)
			say(r,
			    "%s (vm %u) virtio-net: %s, %s in br0, tx %llu frames %llu bytes, rx %llu frames "
			    "%llu "
			    "bytes, dropped tx %llu rx %llu tap %llu\n",
			    gs[i]->name, gs[i]->vm, v.net_broken ? "BROKEN (needs reset)" : "ok", v.tap,
			    (unsigned long long)v.net_stats.tx_frames,
			    (unsigned long long)v.net_stats.tx_bytes,
			    (unsigned long long)v.net_stats.rx_frames,
			    (unsigned long long)v.net_stats.rx_bytes,
			    (unsigned long long)(v.net_stats.tx_drop_size + v.net_stats.tx_drop_hdr),
			    (unsigned long long)(v.net_stats.rx_drop_size + v.net_stats.rx_drop_small),
			    (unsigned long long)v.tap_drops);
		if (v.con)
			say(r, "%s (vm %u) virtio-console: %s%s, out %llu bytes, in %llu bytes\n",
			    gs[i]->name, gs[i]->vm, v.con_broken ? "BROKEN (needs reset)" : "ok",
			    v.con_used ? ", hvc0 in use (input goes there)" : "",
			    (unsigned long long)v.con_tx_bytes, (unsigned long long)v.con_rx_bytes);
		if (!v.blk)
			continue;
		say(r,
		    "%s (vm %u) virtio-blk: %s%s, reads %llu writes %llu flushes %llu errors %llu bad %llu, "
		    "bytes read %llu written %llu, kicks %llu, polled %llu, to-poll %llu to-notify %llu\n",
		    gs[i]->name, gs[i]->vm, v.blk_broken ? "BROKEN (needs reset)" : "ok",
		    v.blk_polling ? " polling" : " notified", (unsigned long long)v.blk_reads,
		    (unsigned long long)v.blk_writes, (unsigned long long)v.blk_flushes,
		    (unsigned long long)v.blk_errors, (unsigned long long)v.blk_bad,
		    (unsigned long long)v.blk_bytes_read, (unsigned long long)v.blk_bytes_written,
		    (unsigned long long)v.blk_kicks, (unsigned long long)v.blk_polled,
		    (unsigned long long)v.blk_to_poll, (unsigned long long)v.blk_to_notify);
	}
}

/* vmctl stats NAME|ID: the VMM's counters of one guest. */
static void req_vm_stats(struct iopmd *d, const char *who, struct reply *r)
{
	int64_t id = vm_resolve(d, who, "stats", r);
	uint64_t total = 0;

	if (id < 0 || vm_ask(d, COOP_VM_STATS, (uint32_t)id, "stats", r))
		return;
	if (d->vm_status || d->nstats < COOP_STATS) {
		fail(r, 1, "vmctl: stats %s: refused by the VMM (%s)\n", who,
		     d->vm_status ? refusal(d->vm_status) : "too few counters");
		return;
	}
	say(r, "ok\n");
	for (uint32_t i = 0; i < COOP_STAT_EXIT_REASONS; i++)
		total += d->stats[COOP_STAT_EXIT0 + i];
	say(r, "guest %s (VM %lld)\n", who, (long long)id);
	say(r, "exits                %llu\n", (unsigned long long)total);
	for (uint32_t i = 0; i < COOP_STAT_EXIT_REASONS; i++)
		if (d->stats[COOP_STAT_EXIT0 + i])
			say(r, "  %-18s %llu\n", exit_reason_short_name(i),
			    (unsigned long long)d->stats[COOP_STAT_EXIT0 + i]);
	say(r, "device requests      %llu\n", (unsigned long long)d->stats[COOP_STAT_REQUESTS]);
	say(r, "  answered later     %llu\n", (unsigned long long)d->stats[COOP_STAT_WAITS]);
	say(r, "  forwarded to IOPM  %llu\n", (unsigned long long)d->stats[COOP_STAT_FORWARDED]);
	say(r, "  posted writes      %llu\n", (unsigned long long)d->stats[COOP_STAT_POSTED]);
	say(r, "interrupts injected  %llu\n", (unsigned long long)d->stats[COOP_STAT_INJECTED]);
	say(r, "IPIs sent            %llu\n", (unsigned long long)d->stats[COOP_STAT_IPIS]);
	say(r, "unclaimed io         %llu\n", (unsigned long long)d->stats[COOP_STAT_UNCLAIMED_IO]);
	say(r, "unclaimed mmio       %llu\n", (unsigned long long)d->stats[COOP_STAT_UNCLAIMED_MMIO]);
	say(r, "cpu time (ms)        %llu\n", (unsigned long long)(d->stats[COOP_STAT_CPU_NS] / 1000000));
	/* where its device accesses went most (counted in fixed space: see
	 * docs/vmctl.md) */
	for (uint32_t i = 0; i < 2 * COOP_STAT_HOT; i++) {
		const uint64_t *pair = d->stats +
				       (i < COOP_STAT_HOT ? COOP_STAT_HOT_IO : COOP_STAT_HOT_MMIO) +
				       2 * (i % COOP_STAT_HOT);
		if (pair[1])
			say(r,
			    i < COOP_STAT_HOT ? "io port 0x%-4llx       %llu\n" : "mmio page 0x%-9llx %llu\n",
			    (unsigned long long)pair[0], (unsigned long long)pair[1]);
	}
}

/* vmctl host: the VMM's resources. */
static void req_host(struct iopmd *d, struct reply *r)
{
	if (vm_ask(d, COOP_VM_HOST, 0, "host", r))
		return;
	if (d->vm_status || d->nstats < COOP_HOST_STATS) {
		fail(r, 1, "vmctl: host: refused by the VMM (status %d)\n", d->vm_status);
		return;
	}
	say(r, "ok\n");
	say(r, "guest memory free    %llu KiB of %llu KiB\n",
	    (unsigned long long)(d->stats[COOP_HOST_GUEST_RAM_FREE] >> 10),
	    (unsigned long long)(d->stats[COOP_HOST_GUEST_RAM_TOTAL] >> 10));
	say(r, "guest memory held    %llu KiB (ended guests' RAM until the IOPM has unmapped it)\n",
	    (unsigned long long)(d->stats[COOP_HOST_GUEST_RAM_HELD] >> 10));
	say(r, "VMM heap free        %llu pages of %llu\n", (unsigned long long)d->stats[COOP_HOST_HEAP_FREE],
	    (unsigned long long)d->stats[COOP_HOST_HEAP_TOTAL]);
	say(r, "guests               %llu (at most %llu at once), %llu created since boot\n",
	    (unsigned long long)d->stats[COOP_HOST_VMS], (unsigned long long)d->stats[COOP_HOST_VMS_MAX],
	    (unsigned long long)d->stats[COOP_HOST_VMS_MADE]);
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
	} else if (argc == 2 && !strcmp(argv[0], "start")) {
		req_vm_op(d, COOP_VM_START, "start", argv[1], r);
	} else if (argc == 2 && !strcmp(argv[0], "shutdown")) {
		req_vm_op(d, COOP_VM_SHUTDOWN, "shutdown", argv[1], r);
	} else if (argc == 2 && !strcmp(argv[0], "stats")) {
		req_vm_stats(d, argv[1], r);
	} else if (argc == 1 && !strcmp(argv[0], "host")) {
		req_host(d, r);
	} else if ((argc == 1 || argc == 2) && !strcmp(argv[0], "virtio")) {
		req_virtio(d, argc == 2 ? argv[1] : NULL, r);
	} else if ((argc == 2 || argc == 3) && !strcmp(argv[0], "create") &&
		   (argc == 2 || !strcmp(argv[1], "--paused"))) {
		req_create(d, argv[argc - 1], argc == 3, r);
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
	char req[1024];
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
