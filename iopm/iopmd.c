/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd.c: the IOPM daemon (docs/iopm.md "iopmd"): the IOPM's end of the
 * VMM <-> IOPM channel (docs/channel.md). It maps its part of the shared
 * zone through /dev/coopvmm, marks the IOPM RUNNING, produces on the IOPM
 * ring and consumes the VMM ring (shared/coop_ring.h), says HELLO, answers
 * PINGs, passes the VMM's guest RAM announcements to iopm.ko, keeps the
 * heartbeat (a word every 100 ms, a HEARTBEAT message every second),
 * serves vmctl on a control socket (iopm/iopmd_ctl.c) and keeps the
 * attached guest consoles (iopm/iopmd_console.c) in the same event loop.
 *
 * It is the only producer of the IOPM ring. Everything read from the VMM
 * ring is copied, then checked (type and direction, length, flags, vCPU);
 * what fails is counted in coop_iopm_ctrl.msgs_refused and logged
 * (rate-limited). In IPI mode it sleeps in poll() on /dev/coopvmm after
 * coop_ring_arm (arm, re-check: no lost wake-up) and notifies the VMM only
 * when coop_ring_push says so; in polling mode it spins on the ring with
 * COOP_RING_POLLING set (the VMM sends no IPIs), yielding the CPU each pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "iopmd.h"
#include "iopmd_virtio.h"

#define WAIT_FDS                                                                                             \
	(1 + IOPMD_CONSOLE_CLIENTS + IOPMD_GUESTS) /* the control socket, the attached consoles, taps */
#define POLL_SPIN_NS	1000000ULL		   /* polling mode: spin on the ring this long ... */
#define POLL_FDS_NS	1000000ULL		   /* ... and look at the descriptors this often */
#define SPIN_US_DEFAULT 50			   /* IPI mode: spin after a message (--spin-us) */
#define SPIN_US_MAX	10000

static volatile sig_atomic_t got_hup;

static void on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * NS + (uint64_t)t.tv_nsec;
}

/* One line to the kernel log (and so the console), as "iopmd[pid]: ...". */
void klog(int level, const char *fmt, ...)
{
	char msg[320];
	int n, fd;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "<%d>iopmd[%d]: ", level, (int)getpid());
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n - 1, fmt, ap);
	va_end(ap);
	strcat(msg, "\n"); /* without it the kernel holds the record as a continuation */
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, msg, strlen(msg)) < 0)
		fprintf(stderr, "%s", msg + 3);
	if (fd >= 0)
		close(fd);
}

/* Rate limit: the first LOG_FIRST of a kind, then one in 1000. */
static int log_ok(uint64_t *count)
{
	uint64_t n = (*count)++;

	return n < LOG_FIRST || n % 1000 == 0;
}

/* VMM-written text, made printable (it reaches the console). */
static void clean_text(char *out, const char *in, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && in[i]; i++)
		out[i] = (in[i] >= ' ' && in[i] <= '~') ? in[i] : '?';
	out[i] = 0;
}

static void publish_counters(struct iopmd *d)
{
	struct coop_iopm_ctrl *c = d->dev.ctrl;

	__atomic_store_n(&c->msgs_sent, d->sent, __ATOMIC_RELEASE);
	__atomic_store_n(&c->msgs_received, d->received, __ATOMIC_RELEASE);
	__atomic_store_n(&c->msgs_refused, d->refused, __ATOMIC_RELEASE);
}

static const char *type_name(unsigned t)
{
	static const char *const names[COOP_MSG_TYPES] = {
	    [COOP_MSG_NONE] = "NONE",
	    [COOP_MSG_ERROR] = "ERROR",
	    [COOP_MSG_PING] = "PING",
	    [COOP_MSG_PONG] = "PONG",
	    [COOP_MSG_HELLO] = "HELLO",
	    [COOP_MSG_HEARTBEAT] = "HEARTBEAT",
	    [COOP_MSG_IO_DONE] = "IO_DONE",
	    [COOP_MSG_IRQ_LINE] = "IRQ_LINE",
	    [COOP_MSG_MSI] = "MSI",
	    [COOP_MSG_ROUTE_PIN] = "ROUTE_PIN",
	    [COOP_MSG_PIN_EOI] = "PIN_EOI",
	    [COOP_MSG_VM_REQUEST] = "VM_REQUEST",
	    [COOP_MSG_SET_MODE] = "SET_MODE",
	    [COOP_MSG_RAM_DONE] = "RAM_DONE",
	    [COOP_MSG_HELLO_REPLY] = "HELLO_REPLY",
	    [COOP_MSG_IO_REQUEST] = "IO_REQUEST",
	    [COOP_MSG_IO_POSTED] = "IO_POSTED",
	    [COOP_MSG_RAM_MAP] = "RAM_MAP",
	    [COOP_MSG_ROUTE_REPLY] = "ROUTE_REPLY",
	    [COOP_MSG_VM_REPLY] = "VM_REPLY",
	};
	return t < COOP_MSG_TYPES && names[t] ? names[t] : "?";
}

/* ---- sending ---- */

static void notify_vmm(struct iopmd *d)
{
	if (ioctl(d->dev.fd, COOPVMM_IOC_NOTIFY) == 0)
		d->notifies_sent++;
	else
		d->notify_failed++; /* ENODEV: fake zone, or the VMM takes no IPIs */
}

/* Put one message (its id as given: a reply echoes the request's) and
 * publish it, notifying the VMM when it asked for it.
 * A full ring is waited on for up to a second (the VMM drains it on its
 * own), then the message is dropped and counted. */
int send_msg(struct iopmd *d, struct coop_msg *m)
{
	uint64_t until = 0;
	int r;

	if (d->tx_dead)
		return -1;
	while ((r = coop_ring_put(&d->tx, m)) == -COOP_ENOSPC) {
		if (!until)
			until = now_ns() + FULL_WAIT_NS;
		else if (now_ns() > until) {
			d->dropped++;
			return -1;
		}
		sched_yield();
	}
	if (r < 0) {
		d->tx_dead = 1;
		klog(3, "the VMM's cons of the IOPM ring (%u) is impossible for our prod %u: no more sending",
		     coop_load_acquire(&d->tx.peer->cons), d->tx.prod);
		return -1;
	}
	d->sent++;
	if (coop_ring_push(&d->tx))
		notify_vmm(d);
	publish_counters(d);
	return 0;
}

int send_type(struct iopmd *d, uint16_t type, const void *payload, uint16_t len)
{
	struct coop_msg m;

	coop_msg_init(&m, type, ++d->next_id, 0, 0, payload, len);
	return send_msg(d, &m);
}

void set_mode(struct iopmd *d, int polling)
{
	struct coop_msg_mode mode = {.vmm_mode = polling ? COOP_MODE_POLL : COOP_MODE_IPI};

	if (!polling && !d->vector)
		polling = 1; /* no vector to take IPIs on: we can only poll */
	d->polling = polling;
	coop_ring_set_polling(&d->rx, polling);
	send_type(d, COOP_MSG_SET_MODE, &mode, sizeof(mode));
}

/* ---- receiving ---- */

/* NULL when the copy `m` is a well-formed VMM -> IOPM message. */
static const char *check_msg(const struct coop_msg *m)
{
	uint16_t size = coop_msg_len(m->type, 0);

	if (!size)
		return "unknown type or wrong direction";
	if (!(coop_msg_rings(m->type) & COOP_RINGS_DAEMON))
		return "a kernel-ring type (iopm.ko's) on iopmd's ring";
	if (m->len != size)
		return "length is not the type's payload size";
	if (m->flags & ~(m->type == COOP_MSG_VM_REPLY ? COOP_VM_MORE : 0))
		return "unknown flags";
	if (m->vcpu && m->type != COOP_MSG_IO_REQUEST && m->type != COOP_MSG_IO_POSTED)
		return "vcpu set on a type without one";
	return NULL;
}

/* The VMM's announcement goes to iopm.ko, which reads the ring entry
 * `index` itself (it must not be released yet: called before the entry is
 * consumed). */
static void ram_map(struct iopmd *d, const struct coop_msg *m, uint32_t index)
{
	struct coop_msg_ram r;
	struct coopvmm_ram req;

	memcpy(&r, m->payload, sizeof(r));
	memset(&req, 0, sizeof(req));
	req.ring_index = index;
	req.vm = m->vm;
	req.op = r.op;
	req.gpa = r.gpa;
	req.hpa = r.hpa;
	req.size = r.size;
	if (r.op == COOP_RAM_REMOVE)
		guest_ended(m->vm); /* its devices stop, its RAM is unmapped here */
	if (ioctl(d->dev.fd, COOPVMM_IOC_RAM, &req) < 0) {
		klog(4, "RAM_MAP vm %u op %u gpa 0x%llx hpa 0x%llx size 0x%llx: iopm.ko refused it: %s",
		     m->vm, r.op, (unsigned long long)r.gpa, (unsigned long long)r.hpa,
		     (unsigned long long)r.size, strerror(errno));
	} else if (r.op == COOP_RAM_REMOVE) {
		/* iopm.ko has revoked every mapping of it: the VMM may reuse it. */
		struct coop_msg_ram done = {.op = COOP_RAM_REMOVE};
		struct coop_msg msg;

		coop_msg_init(&msg, COOP_MSG_RAM_DONE, ++d->next_id, m->vm, 0, &done, sizeof(done));
		send_msg(d, &msg);
	} else {
		guest_ram_add(d, m->vm, r.gpa, r.size); /* for its devices (virtqueues, buffers) */
	}
}

const char *vm_state_name(uint32_t s)
{
	switch (s) {
	case COOP_VMS_RUNNING:
		return "running";
	case COOP_VMS_PAUSED:
		return "paused";
	case COOP_VMS_EXITED:
		return "exited";
	case COOP_VMS_KILLED:
		return "killed";
	case COOP_VMS_CREATED:
		return "created";
	default:
		return "?";
	}
}

/* Ask the VMM for its VMs (VM_LIST), to learn a new guest's name; the
 * replies name every guest with devices here (vm_reply). One at a time. */
void ask_names(struct iopmd *d)
{
	struct coop_msg_vm v;
	struct coop_msg m;

	if (d->names_id || d->hello != HELLO_ACCEPTED)
		return;
	memset(&v, 0, sizeof(v));
	v.op = COOP_VM_LIST;
	d->names_id = ++d->next_id;
	coop_msg_init(&m, COOP_MSG_VM_REQUEST, d->names_id, 0, 0, &v, sizeof(v));
	if (send_msg(d, &m) < 0)
		d->names_id = 0;
}

/* A STATS or HOST reply: its counters go to d->stats in order; a reply
 * out of order or past the array is counted as unserved and ends the wait
 * (vm_status -COOP_EPROTO). */
static void stats_reply(struct iopmd *d, const struct coop_msg *m)
{
	struct coop_msg_vm_stats s;

	memcpy(&s, m->payload, sizeof(s));
	if (!d->vm_wait || m->id != d->vm_id) {
		d->unserved[m->type]++;
		return;
	}
	if (s.status) {
		d->vm_status = s.status;
		d->vm_wait = 0;
		return;
	}
	if (s.first != d->nstats || s.count > COOP_VM_STATS_VALUES ||
	    s.first + s.count > sizeof(d->stats) / sizeof(d->stats[0])) {
		d->unserved[m->type]++;
		d->vm_status = -COOP_EPROTO;
		d->vm_wait = 0;
		return;
	}
	memcpy(d->stats + s.first, s.value, s.count * sizeof(s.value[0]));
	d->nstats += s.count;
	if (!(m->flags & COOP_VM_MORE))
		d->vm_wait = 0;
}

static void vm_reply(struct iopmd *d, const struct coop_msg *m)
{
	struct coop_msg_vm v;
	char name[COOP_VM_NAME_MAX];

	memcpy(&v, m->payload, sizeof(v));
	if (v.op == COOP_VM_STATS || v.op == COOP_VM_HOST) {
		stats_reply(d, m);
		return;
	}
	clean_text(name, v.name, sizeof(name));
	if (!v.status)
		guest_set_name(m->vm, name);
	if (d->names_id && m->id == d->names_id) {
		if (v.status || !(m->flags & COOP_VM_MORE))
			d->names_id = 0;
		return;
	}
	if (!d->vm_wait || m->id != d->vm_id) {
		d->unserved[m->type]++;
		return;
	}
	d->vm_last = v;
	d->vm_last_vm = m->vm;
	if (v.status) {
		d->vm_status = v.status;
		d->vm_wait = 0;
		return;
	}
	if (v.op == COOP_VM_LIST && d->nlisted < sizeof(d->listed) / sizeof(d->listed[0])) {
		d->listed[d->nlisted].id = m->vm;
		snprintf(d->listed[d->nlisted].name, sizeof(d->listed[0].name), "%s", name);
		d->nlisted++;
	}
	if (d->vm_len + 160 < sizeof(d->vm_out))
		d->vm_len += snprintf(d->vm_out + d->vm_len, sizeof(d->vm_out) - d->vm_len,
				      "%-6u %-20s %-8s %-5u %-8llu %llu\n", m->vm, name,
				      vm_state_name(v.state), v.vcpus, (unsigned long long)(v.mem >> 20),
				      (unsigned long long)(v.cpu_ns / 1000000));
	if (!(m->flags & COOP_VM_MORE))
		d->vm_wait = 0;
}

static void handle(struct iopmd *d, const struct coop_msg *m, uint32_t index)
{
	const char *bad = check_msg(m);
	struct coop_msg_error e;
	struct coop_msg_hello h;
	struct coop_msg_ping p;
	char text[sizeof(e.text)];

	if (bad) {
		d->refused++;
		if (log_ok(&d->logged_refusals))
			klog(4, "refused a VMM message (#%llu refused): type %u (%s) len %u id %u: %s",
			     (unsigned long long)d->refused, m->type, type_name(m->type), m->len, m->id, bad);
		return;
	}
	switch (m->type) {
	case COOP_MSG_ERROR:
		memcpy(&e, m->payload, sizeof(e));
		clean_text(text, e.text, sizeof(text));
		if (d->hello == HELLO_SENT && e.bad_id == d->hello_id) {
			d->hello = HELLO_REFUSED;
			klog(3, "HELLO refused by the VMM: reason %u code %d: %s", e.reason, e.code, text);
		} else if (log_ok(&d->logged_errors)) {
			klog(4, "the VMM refused our message id %u type %u (%s): reason %u code %d: %s",
			     e.bad_id, e.bad_type, type_name(e.bad_type), e.reason, e.code, text);
		}
		break;
	case COOP_MSG_PING: {
		struct coop_msg pong = *m;

		pong.type = COOP_MSG_PONG;
		if (send_msg(d, &pong) == 0)
			d->pings_answered++;
		break;
	}
	case COOP_MSG_PONG: {
		uint64_t tsc = __rdtsc();

		memcpy(&p, m->payload, sizeof(p));
		d->pongs++;
		if (p.seq == d->want_seq && !d->got) {
			d->got = 1;
			d->got_tsc = tsc;
		} else if (d->burst_first && p.seq >= d->burst_first && p.seq <= d->ping_seq) {
			d->burst_got++;
		} else {
			d->pongs_stray++;
		}
		break;
	}
	case COOP_MSG_HELLO_REPLY:
		memcpy(&h, m->payload, sizeof(h));
		if (h.abi_version != COOP_ABI_VERSION) {
			d->hello = HELLO_REFUSED;
			klog(3, "HELLO_REPLY says ABI version %u, this iopmd speaks %u: not attached",
			     h.abi_version, COOP_ABI_VERSION);
			break;
		}
		d->hello = HELLO_ACCEPTED;
		d->epoch = h.epoch;
		klog(6, "HELLO accepted: VMM ABI version %u, epoch %u (header epoch %u), features 0x%x",
		     h.abi_version, h.epoch, d->dev.hdr->epoch, h.features);
		/* Requests made before we ran (or left by an iopmd before us),
		 * and the names of the guests served before this reply came. */
		io_scan(d);
		ask_names(d);
		break;
	case COOP_MSG_IO_REQUEST:
		io_request(d, m);
		break;
	case COOP_MSG_RAM_MAP:
		ram_map(d, m, index);
		break;
	case COOP_MSG_VM_REPLY:
		vm_reply(d, m);
		break;
	case COOP_MSG_IO_POSTED:
		io_posted(d, m);
		break;
	default:
		if (!d->unserved[m->type]++)
			klog(4, "%s from the VMM: not served by this iopmd yet (counted)",
			     type_name(m->type));
		break;
	}
}

/* Take and handle everything waiting on the VMM ring. Each message is
 * copied, checked and handled before its entry is released (cons), so
 * that iopm.ko can read a RAM_MAP entry that the VMM cannot yet reuse. */
int pump(struct iopmd *d)
{
	struct coop_msg m, done;
	int n = 0, avail;

	while (!d->rx_dead) {
		avail = coop_ring_pending(&d->rx);
		if (avail < 0) {
			d->rx_dead = 1;
			klog(3,
			     "the VMM ring's prod (%u) is impossible for our cons %u: no longer reading it",
			     coop_load_acquire(d->rx.prod_p), d->rx.cons);
			break;
		}
		if (!avail)
			break;
		memcpy(&m, &d->rx.ent[d->rx.cons & COOP_RING_MASK], sizeof(m));
		handle(d, &m, d->rx.cons);
		if (coop_ring_recv(&d->rx, &done) <= 0)
			break;
		d->received++;
		n++;
	}
	d->virtio_busy = io_virtio_work(d->virtio_mode);
	if (n) {
		publish_counters(d);
		d->last_msg_ns = now_ns();
	}
	return n;
}

/* ---- time ---- */

static void tick(struct iopmd *d)
{
	uint64_t t = now_ns();

	io_tick(t);
	if (got_hup) {
		got_hup = 0;
		klog(6, "SIGHUP: carrying on (heartbeat %llu)", (unsigned long long)d->beat);
	}
	if (t >= d->next_beat) {
		__atomic_store_n(&d->dev.ctrl->heartbeat, ++d->beat, __ATOMIC_RELEASE);
		d->next_beat += HEARTBEAT_NS;
		if (d->next_beat < t) /* a long stall: no burst of beats to catch up */
			d->next_beat = t + HEARTBEAT_NS;
	}
	if (t >= d->next_hbmsg) {
		struct coop_msg_heartbeat hb = {.count = ++d->hbcount};

		d->next_hbmsg = t + HEARTBEAT_MSG_NS;
		if (coop_ring_space(&d->tx) > 0)
			send_type(d, COOP_MSG_HEARTBEAT, &hb, sizeof(hb));
		else
			d->dropped++;
	}
	if (d->hello == HELLO_SENT && !d->hello_warned && t - d->hello_ns > HELLO_WAIT_NS) {
		d->hello_warned = 1;
		if (d->fake)
			klog(5,
			     "fake zone (iopm.ko fake=1): no VMM answers the HELLO; the channel stays idle");
		else
			klog(4,
			     "no HELLO_REPLY from the VMM after %llu s (VMM cons of the IOPM ring %u of %u "
			     "sent): the VMM side of the channel does not answer",
			     (unsigned long long)(HELLO_WAIT_NS / NS), coop_load_acquire(&d->tx.peer->cons),
			     d->tx.prod);
	}
}

static uint64_t next_timer(const struct iopmd *d)
{
	uint64_t t = d->next_beat < d->next_hbmsg ? d->next_beat : d->next_hbmsg, io = io_next_event();

	if (d->virtio_busy)
		return 0; /* virtio requests wait: no sleep */
	return io < t ? io : t;
}

/* Wait for the VMM until `until` (ns) at the latest. Polling mode spins on
 * the VMM ring (one load per look) for up to POLL_SPIN_NS, and looks at the
 * `n` descriptors of `extra` and yields the CPU only when the ring stayed
 * empty that long or POLL_FDS_NS passed since their last look (a busy ring
 * does not starve vmctl): a request costs no system call. IPI mode arms the
 * ring (and drains instead if a message slipped in) and sleeps in poll() on
 * /dev/coopvmm and the descriptors. Their revents are set (0 when not
 * polled). */
/* Spin on the VMM ring (one load per look, the clock every 64 looks) for
 * `span` ns from *t, or until `until`: whether a message came; *t is the
 * time last read. */
static int spin_on_ring(struct iopmd *d, uint64_t *t, uint64_t span, uint64_t until)
{
	uint64_t stop = *t + span < until ? *t + span : until;
	unsigned looks = 0;

	while (coop_ring_pending(&d->rx) <= 0 && (++looks % 64 || (*t = now_ns()) < stop))
		__builtin_ia32_pause();
	return coop_ring_pending(&d->rx) > 0;
}

static void wait_vmm(struct iopmd *d, uint64_t until, struct pollfd *extra, unsigned n)
{
	struct pollfd p[1 + WAIT_FDS] = {{.fd = d->dev.fd, .events = POLLIN}};
	uint64_t t = now_ns(), cnt;
	int ms;

	if (n > WAIT_FDS)
		n = WAIT_FDS;
	for (unsigned i = 0; i < n; i++)
		extra[i].revents = 0;
	if (d->polling) {
		if (spin_on_ring(d, &t, POLL_SPIN_NS, until) && t < d->next_fds_ns)
			return; /* a message: served at once */
		d->next_fds_ns = t + POLL_FDS_NS;
		if (n)
			poll(extra, n, 0);
		if (coop_ring_pending(&d->rx) <= 0)
			sched_yield();
		return;
	}
	/* IPI mode: first spin a while (as KVM's halt polling does): a guest
	 * making requests back to back sends its next one within microseconds,
	 * and the unarmed ring costs the VMM no IPI and iopmd no wake-up. */
	if (d->spin_ns && d->spun_since_ns < d->last_msg_ns) {
		if (spin_on_ring(d, &t, d->spin_ns, until))
			return;
		d->spun_since_ns = t; /* nothing came: no spin until a message does */
	}
	if (coop_ring_arm(&d->rx))
		return;
	memcpy(p + 1, extra, n * sizeof(*extra));
	ms = until > t ? (int)((until - t + 999999) / 1000000) : 0;
	if (poll(p, 1 + n, ms) > 0 && (p[0].revents & POLLIN) && read(d->dev.fd, &cnt, sizeof(cnt)) > 0)
		d->wakeups += cnt;
	for (unsigned i = 0; i < n; i++)
		extra[i].revents = p[1 + i].revents;
}

/* Run the channel until cond(d) holds (1) or `ns` passed (0). */
int run_until(struct iopmd *d, int (*cond)(struct iopmd *), uint64_t ns)
{
	uint64_t end = now_ns() + ns, nt;

	for (;;) {
		pump(d);
		if (cond(d))
			return 1;
		tick(d);
		if (now_ns() >= end)
			return 0;
		nt = next_timer(d);
		wait_vmm(d, nt < end ? nt : end, NULL, 0);
	}
}

const char *mode_name(int polling)
{
	return polling ? "poll" : "ipi";
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iopmd [-d] [--poll] [--spin-us N] [--virtio notify|poll|adaptive]\n"
		"  The IOPM's end of the VMM <-> IOPM channel: map the shared zone (" COOPDEV_PATH "),\n"
		"  set the IOPM state RUNNING, heartbeat (a word every 100 ms, a message every second),\n"
		"  HELLO, PONGs, guest RAM announcements to iopm.ko, and vmctl's requests on " IOPMD_SOCK
		".\n"
		"  -d      daemonize (fork, new session, stdio to /dev/null)\n"
		"  --poll  poll the VMM ring (and ask the VMM to poll ours) instead of IPIs\n"
		"  --spin-us N  IPI mode: after a message, spin on the ring N us (default %d, at most\n"
		"          %d; 0: sleep at once) before sleeping until an IPI\n"
		"  --virtio MODE  how the guests' virtqueue requests are found: their notifications\n"
		"          (notify, the default), polling the queues (poll), polling while busy (adaptive)\n",
		SPIN_US_DEFAULT, SPIN_US_MAX);
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static struct iopmd d;
	struct coopvmm_info inf;
	struct sigaction sa;
	char err[256];
	int i, background = 0, want_poll = 0;
	long spin_us = SPIN_US_DEFAULT;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d"))
			background = 1;
		else if (!strcmp(argv[i], "--poll"))
			want_poll = 1;
		else if (!strcmp(argv[i], "--virtio") && i + 1 < argc) {
			d.virtio_mode = virtio_mode_parse(argv[++i]);
			if (d.virtio_mode < 0) {
				fprintf(stderr, "iopmd: --virtio: notify, poll or adaptive, not '%s'\n",
					argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--spin-us") && i + 1 < argc) {
			char *end;

			spin_us = strtol(argv[++i], &end, 10);
			if (*end || end == argv[i] || spin_us < 0 || spin_us > SPIN_US_MAX) {
				fprintf(stderr, "iopmd: --spin-us: 0..%d, not '%s'\n", SPIN_US_MAX, argv[i]);
				return 64;
			}
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 64;
		}
	}
	if (coopdev_open(&d.dev, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "iopmd: %s\n", err);
		return 1;
	}
	if (coopdev_rings(&d.dev, &d.tx, &d.rx, err, sizeof(err)) < 0) {
		fprintf(stderr, "iopmd: %s\n", err);
		return 1;
	}
	if (ioctl(d.dev.fd, COOPVMM_IOC_INFO, &inf) < 0) {
		fprintf(stderr, "iopmd: COOPVMM_IOC_INFO: %s (an iopm.ko of another build?)\n",
			strerror(errno));
		return 1;
	}
	d.vector = (int)inf.notify_vector;
	d.spin_ns = (uint64_t)spin_us * 1000;
	d.fake = inf.fake && !inf.fake_vmm;
	d.listen_fd = ctl_listen();
	if (d.listen_fd < 0) {
		fprintf(stderr, "iopmd: %s: %s\n", IOPMD_SOCK, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	if (background && daemonize() < 0) {
		fprintf(stderr, "iopmd: daemonize: %s\n", strerror(errno));
		return 1;
	}

	d.beat = __atomic_load_n(&d.dev.ctrl->heartbeat, __ATOMIC_RELAXED);
	d.sent = d.dev.ctrl->msgs_sent; /* a restarted iopmd counts on (its own area) */
	d.received = d.dev.ctrl->msgs_received;
	d.refused = d.dev.ctrl->msgs_refused;
	__atomic_store_n(&d.dev.ctrl->state, COOP_IOPM_RUNNING, __ATOMIC_RELEASE);
	klog(6, "started: state RUNNING, heartbeat every 100 ms from %llu (zone 0x%llx, %llu KiB)",
	     (unsigned long long)d.beat, (unsigned long long)d.dev.hdr->zone_base,
	     (unsigned long long)d.dev.size / 1024);
	d.polling = want_poll || !d.vector;
	coop_ring_set_polling(&d.rx, d.polling);
	klog(6,
	     "channel: %s mode (spin %llu us), notify vector 0x%02x, VMM at APIC ID %u vector 0x%02x, rings "
	     "at "
	     "prod %u cons %u, control socket " IOPMD_SOCK,
	     mode_name(d.polling), (unsigned long long)(d.spin_ns / 1000), d.vector, d.dev.hdr->vmm_apic_id,
	     d.dev.hdr->vmm_notify_vector, d.tx.prod, d.rx.cons);

	struct coop_msg_hello h = {
	    .abi_version = COOP_ABI_VERSION, .features = COOP_FEAT_POSTED, .pid = (uint32_t)getpid()};
	d.hello = HELLO_SENT;
	d.hello_ns = now_ns();
	d.hello_id = d.next_id + 1;
	send_type(&d, COOP_MSG_HELLO, &h, sizeof(h));
	if (d.polling) {
		struct coop_msg_mode m = {.vmm_mode = COOP_MODE_POLL};

		send_type(&d, COOP_MSG_SET_MODE, &m, sizeof(m));
	}
	d.next_beat = now_ns() + HEARTBEAT_NS;
	d.next_hbmsg = now_ns() + HEARTBEAT_MSG_NS;

	for (;;) {
		struct pollfd p[WAIT_FDS] = {{.fd = d.listen_fd, .events = POLLIN}};
		unsigned n;

		pump(&d);
		console_flush(&d); /* what the guests wrote meanwhile, to their consoles */
		tick(&d);
		unsigned nc = console_pollfds(p + 1, WAIT_FDS - 1);

		n = 1 + nc;
		n += io_pollfds(p + n, WAIT_FDS - n); /* the guests' taps: read in the next pump */
		wait_vmm(&d, next_timer(&d), p, n);
		if (p[0].revents & POLLIN)
			serve_client(&d);
		console_events(&d, p + 1, nc);
	}
}
