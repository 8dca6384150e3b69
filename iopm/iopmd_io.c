/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_io.c: guest I/O served by iopmd (docs/iopm.md "Guest devices in
 * iopmd", docs/channel.md "The slot"): the VMM puts a guest's access to a
 * range this IOPM serves into the vCPU's slot and rings its doorbell
 * (IO_REQUEST); iopmd copies the request, checks it, takes the slot
 * (PROCESSING), lets the guest's device model answer, publishes the answer
 * (COMPLETE) and rings back (IO_DONE). A device model's interrupt goes to
 * the VMM as IRQ_LINE before the IO_DONE of the access that raised it, so
 * the guest's vCPU resumes with its line already set.
 *
 * Each guest (a VM id) gets its devices at its first request: a 16550A on
 * COM1, the RTC/CMOS and a PCI host bridge (iopm/dev/). What the guest
 * writes to its UART is kept (the last IOPMD_CONSOLE_SIZE bytes) for
 * `vmctl console` and copied line by line into the kernel log.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "iopmd.h"
#include "iopmd_io.h"
#include "iopmd_virtio.h"

static struct guest guests[IOPMD_GUESTS];

/* ---- the guest table ---- */

struct guest *guest_find(uint32_t vm)
{
	for (unsigned i = 0; i < IOPMD_GUESTS; i++)
		if (guests[i].used && guests[i].vm == vm)
			return &guests[i];
	return NULL;
}

/* A live guest of that name, else the ended one with the newest VM id (a
 * name comes back when a guest is destroyed and created again). */
struct guest *guest_by_name(const char *name)
{
	struct guest *found = NULL;

	for (unsigned i = 0; i < IOPMD_GUESTS; i++) {
		struct guest *g = &guests[i];

		if (!g->used || strcmp(g->name, name))
			continue;
		if (!g->ended)
			return g;
		if (!found || g->vm > found->vm)
			found = g;
	}
	return found;
}

void guest_set_name(uint32_t vm, const char *name)
{
	struct guest *g = guest_find(vm);

	if (g && *name) /* (a reply that names nothing: DESTROY's) */
		snprintf(g->name, sizeof(g->name), "%s", name);
}

/* A new guest's devices; when the table is full, the guest whose last
 * request is oldest makes room (the VMM does not yet tell iopmd that a VM
 * has ended: the lifecycle messages will). */
static struct guest *guest_get(struct iopmd *d, uint32_t vm, uint64_t now)
{
	struct guest *g = guest_find(vm), *old = &guests[0];

	if (g && !g->ended) {
		g->last_ns = now;
		return g;
	}
	if (g)
		return g; /* ended (a late request): its devices are gone, it reads all ones */
	for (unsigned i = 0; i < IOPMD_GUESTS; i++) {
		if (!guests[i].used) {
			old = &guests[i];
			break;
		}
		if (guests[i].last_ns < old->last_ns)
			old = &guests[i];
	}
	if (old->used && !old->ended)
		klog(4, "guest table full (%u): vm %u's devices dropped for vm %u", IOPMD_GUESTS, old->vm,
		     vm);
	guest_virtio_fini(old);
	guest_ram_unmap(old);
	guest_devices_fini(old);
	memset(old, 0, sizeof(*old));
	old->used = 1;
	old->vm = vm;
	old->last_ns = now;
	old->d = d;
	snprintf(old->name, sizeof(old->name), "vm%u", vm);
	guest_devices_init(old, now);
	klog(6, "vm %u: its COM1, RTC and PCI configuration served here", vm);
	ask_names(d);
	return old;
}

struct guest *guest_open(struct iopmd *d, uint32_t vm)
{
	return guest_get(d, vm, now_ns());
}

/* The VMM withdrew the guest's RAM: it has ended. Its devices go; its
 * console stays readable (vmctl console) until its place is needed. */
void guest_ended(uint32_t vm)
{
	struct guest *g = guest_find(vm);

	if (!g || g->ended)
		return;
	g->ended = 1;
	g->last_ns = 0; /* the first to give its place up */
	guest_virtio_fini(g);
	guest_ram_unmap(g); /* before RAM_DONE: the VMM may reuse it then */
	guest_devices_fini(g);
	klog(6, "vm %u %s ended: its devices dropped after %llu requests", vm, g->name,
	     (unsigned long long)g->requests);
}

/* ---- the guest's console ---- */

void guest_console_put(struct guest *g, uint8_t c)
{
	g->con[g->con_head++ % IOPMD_CONSOLE_SIZE] = c;
	if (c == '\n' || g->line_len == sizeof(g->line) - 1) {
		g->line[g->line_len] = 0;
		if (g->lines_logged++ < IOPMD_CONSOLE_LOG_LINES)
			klog(7, "[vm %u %s] %s", g->vm, g->name, g->line); /* dmesg, not the console */
		g->line_len = 0;
		return;
	}
	if (c == '\r')
		return;
	g->line[g->line_len++] = (c >= ' ' && c <= '~') ? (char)c : '?';
}

size_t guest_console_read(const struct guest *g, char *out, size_t max)
{
	uint64_t n = g->con_head < IOPMD_CONSOLE_SIZE ? g->con_head : IOPMD_CONSOLE_SIZE;
	uint64_t from = g->con_head - n;
	size_t i;

	if (n > max)
		from = g->con_head - max, n = max;
	for (i = 0; i < n; i++)
		out[i] = (char)g->con[(from + i) % IOPMD_CONSOLE_SIZE];
	return (size_t)n;
}

/* ---- interrupts ---- */

void guest_irq(struct guest *g, uint32_t line, int level)
{
	struct coop_msg_irq_line l = {.line = line, .op = level ? COOP_IRQ_RAISE : COOP_IRQ_LOWER};
	struct coop_msg m;

	coop_msg_init(&m, COOP_MSG_IRQ_LINE, ++g->d->next_id, g->vm, 0, &l, sizeof(l));
	if (send_msg(g->d, &m) == 0)
		g->irq_msgs++;
}

/* ---- requests ---- */

/* One access of `size` bytes at `addr`: the guest's device model answers
 * (a port: COM1, RTC, PCI configuration; memory: a PCI function's BAR);
 * -COOP_EIO where none is (the guest reads all ones). */
static int access_one(struct guest *g, const struct coop_ioreq *q, uint64_t addr, uint64_t *val)
{
	uint32_t v = (uint32_t)*val;
	int r;

	if (q->space == COOP_IOREQ_MMIO)
		return guest_virtio_mmio(g, addr, q->size, q->dir == COOP_IOREQ_WRITE, val) ? -COOP_EIO : 0;
	if (q->size > 4)
		return -COOP_EIO;
	r = guest_device_io(g, (uint16_t)addr, q->size, q->dir == COOP_IOREQ_WRITE, &v);
	*val = v;
	return r;
}

/* Serve request q into r (the slot's IOPM half, not yet published). */
static void serve(struct guest *g, const struct coop_ioreq *q, struct coop_slot_rsp *r)
{
	uint64_t v;
	int err;

	if (!(q->flags & COOP_IOREQ_STRING)) {
		v = q->data;
		err = access_one(g, q, q->addr, &v);
		r->status = err;
		r->data = q->dir == COOP_IOREQ_READ && !err ? v : 0;
		return;
	}
	/* String I/O: element by element, at the port (step 0) or moving. */
	for (uint32_t i = 0; i < q->count; i++) {
		uint64_t addr = q->addr + (int64_t)(int32_t)q->step * i;

		v = 0;
		if (q->dir == COOP_IOREQ_WRITE)
			memcpy(&v, q->buf + (size_t)i * q->size, q->size);
		err = access_one(g, q, addr, &v);
		if (q->dir == COOP_IOREQ_READ) {
			if (err)
				v = ~0ULL;
			memcpy(r->buf + (size_t)i * q->size, &v, q->size);
		}
	}
	r->count = q->dir == COOP_IOREQ_READ ? q->count : 0;
}

/* NULL when the copy of a slot's request half is the request the doorbell
 * (slot, seq, vm, vcpu) rang for; else why it is not (a stale doorbell:
 * nothing to answer). */
static const char *check_req(const struct coop_slot_req *s, uint64_t seq, uint32_t vm, uint16_t vcpu)
{
	if (s->state != COOP_SLOT_PENDING)
		return "the slot is not PENDING";
	if (s->req.seq != seq)
		return "the slot holds another request";
	if (s->req.vm != vm || s->req.vcpu != vcpu)
		return "the slot's request is another vCPU's";
	return NULL;
}

/* A request iopmd can carry out (else it is answered -COOP_EINVAL: the
 * vCPU must not wait forever for a request iopmd will not serve). */
static int well_formed(const struct coop_ioreq *q)
{
	int string = q->flags & COOP_IOREQ_STRING;

	return q->space <= COOP_IOREQ_MMIO && q->dir <= COOP_IOREQ_WRITE &&
	       (q->size == 1 || q->size == 2 || q->size == 4 || q->size == 8) &&
	       !(q->flags & ~COOP_IOREQ_STRING) &&
	       (string ? q->count && q->count <= COOP_IOREQ_DATA_MAX / q->size : q->count == 1);
}

/* Take slot `slot` for request `seq` of (vm, vcpu), serve it, answer. */
static void take_slot(struct iopmd *d, uint32_t slot, uint64_t seq, uint32_t vm, uint16_t vcpu)
{
	const struct coop_slot_req *sr = coop_vmm_slot(d->dev.base, slot);
	struct coop_slot_rsp *rsp = coop_iopm_slot(d->dev.base, slot);
	static struct coop_slot_req req;
	static struct coop_slot_rsp out;
	struct coop_msg_slot done = {.slot = slot, .seq = seq};
	struct coop_msg m;
	const char *bad;
	struct guest *g;

	/* The state first (acquire), then a copy, checked: the VMM may not
	 * change a PENDING slot, but nothing it wrote is trusted twice. */
	req.state = coop_load_acquire(&sr->state);
	memcpy(&req.req, (const void *)&sr->req, sizeof(req.req));
	bad = check_req(&req, seq, vm, vcpu);
	if (bad && (rsp->seq == seq || seq < rsp->seq)) {
		d->io_repeated++; /* a doorbell for a request answered already (by io_scan) */
		return;
	}
	if (bad) {
		d->io_refused++;
		if (d->io_refused <= LOG_FIRST)
			klog(4, "IO_REQUEST slot %u seq %llu vm %u vcpu %u refused: %s", slot,
			     (unsigned long long)seq, vm, vcpu, bad);
		return;
	}
	if (rsp->seq == seq && coop_load_acquire(&rsp->state) == COOP_SLOT_COMPLETE) {
		d->io_repeated++; /* answered already (a doorbell seen twice, or a restart's scan) */
		return;
	}
	rsp->seq = seq;
	coop_store_release(&rsp->state, COOP_SLOT_PROCESSING);
	g = guest_get(d, vm, now_ns());
	memset(&out, 0, sizeof(out));
	if (well_formed(&req.req)) {
		serve(g, &req.req, &out);
	} else {
		out.status = -COOP_EINVAL;
		d->io_malformed++;
	}
	g->requests++;
	d->io_served++;
	rsp->status = out.status;
	rsp->data = out.data;
	rsp->count = out.count;
	rsp->reserved = 0;
	if (out.count)
		memcpy(rsp->buf, out.buf, (size_t)out.count * req.req.size);
	coop_store_release(&rsp->state, COOP_SLOT_COMPLETE);
	coop_msg_init(&m, COOP_MSG_IO_DONE, ++d->next_id, vm, vcpu, &done, sizeof(done));
	send_msg(d, &m);
}

void io_request(struct iopmd *d, const struct coop_msg *m)
{
	struct coop_msg_slot s;

	memcpy(&s, m->payload, sizeof(s));
	if (s.slot >= COOP_SLOTS || s.reserved) {
		d->io_refused++;
		if (d->io_refused <= LOG_FIRST)
			klog(4, "IO_REQUEST with slot %u reserved %u refused", s.slot, s.reserved);
		return;
	}
	take_slot(d, s.slot, s.seq, m->vm, m->vcpu);
}

/* IO_POSTED: a single write the VMM did not wait for (it came in ring
 * order: before any later request of the guest's). Nothing is answered;
 * a malformed one is counted and dropped. */
void io_posted(struct iopmd *d, const struct coop_msg *m)
{
	struct coop_msg_posted p;
	struct coop_ioreq q;
	struct guest *g;
	uint64_t v;

	memcpy(&p, m->payload, sizeof(p));
	memset(&q, 0, sizeof(q));
	q.space = p.space;
	q.dir = COOP_IOREQ_WRITE;
	q.size = p.size;
	q.count = 1;
	q.addr = p.addr;
	q.data = p.data;
	q.seq = p.seq;
	if (!well_formed(&q) || p.reserved[0] || p.reserved[1] || p.reserved[2] || p.reserved[3] ||
	    p.reserved[4] || p.reserved[5]) {
		d->io_malformed++;
		if (d->io_malformed <= LOG_FIRST)
			klog(4, "IO_POSTED vm %u seq %llu malformed (space %u size %u): dropped", m->vm,
			     (unsigned long long)p.seq, p.space, p.size);
		return;
	}
	g = guest_get(d, m->vm, now_ns());
	v = q.data;
	access_one(g, &q, q.addr, &v);
	g->requests++;
	d->io_posted++;
}

void io_scan(struct iopmd *d)
{
	for (uint32_t s = 0; s < COOP_SLOTS; s++) {
		const struct coop_slot_req *sr = coop_vmm_slot(d->dev.base, s);

		if (coop_load_acquire(&sr->state) != COOP_SLOT_PENDING)
			continue;
		take_slot(d, s, sr->req.seq, sr->req.vm, sr->req.vcpu);
	}
}

/* ---- time ---- */

uint64_t io_next_event(void)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < IOPMD_GUESTS; i++) {
		uint64_t t = guests[i].used ? guest_devices_next(&guests[i]) : UINT64_MAX;

		if (t < next)
			next = t;
	}
	return next;
}

void io_tick(uint64_t now)
{
	for (unsigned i = 0; i < IOPMD_GUESTS; i++)
		if (guests[i].used)
			guest_devices_tick(&guests[i], now);
}

int io_virtio_work(int mode)
{
	uint64_t now = now_ns();
	int more = 0;

	for (unsigned i = 0; i < IOPMD_GUESTS; i++)
		if (guests[i].used && guests[i].vio)
			more |= guest_virtio_work(&guests[i], mode, now, IOPMD_VIRTIO_BUDGET);
	return more;
}

unsigned io_pollfds(struct pollfd *p, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < IOPMD_GUESTS && n < max; i++)
		if (guests[i].used && guests[i].vio)
			n += guest_virtio_pollfds(&guests[i], p + n, max - n);
	return n;
}

unsigned io_guests(struct guest **out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < IOPMD_GUESTS && n < max; i++)
		if (guests[i].used)
			out[n++] = &guests[i];
	return n;
}
