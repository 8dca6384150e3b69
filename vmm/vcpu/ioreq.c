/* SPDX-License-Identifier: GPL-2.0-only */
/* ioreq.c: the request path (vmm/vcpu/ioreq.h, docs/architecture.md "The life
 * of a guest I/O request"): dispatch through the VM's range map, answers
 * now or later, and completions from any CPU. */
#define LOG_PREFIX "ioreq"
#include "vmm/vcpu/ioreq.h"

#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "vmm/lib/errno.h"
#include "vmm/vcpu/iomap.h"
#include "vmm/platform/kick.h"
#include "vmm/lib/lib.h"
#include "vmm/vcpu/vm_types.h"

static uint64_t stale;

/* One port access answered now: each part goes to the range that holds its
 * first byte, a bytewise range takes one byte at a time; bytes that no
 * range answering now holds read all ones. True if any part was claimed. */
static bool pio_now(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	bool claimed = false;
	uint32_t out = 0;
	for (unsigned off = 0; off < size;) {
		uint16_t p = (uint16_t)(port + off);
		const struct iomap_range *d = iomap_find(&v->vm->iomap, COOP_IOREQ_PIO, p);
		if (d && !d->pio)
			d = NULL; /* a range served later: not as part of another access */
		unsigned n = (!d || d->bytewise) ? 1 : size - off;
		uint32_t part =
		    write ? (uint32_t)((*val >> (8 * off)) & size_mask(n)) : (uint32_t)size_mask(n);
		if (d && d->pio(v, p, n, write, &part) == 0)
			claimed = true;
		else
			part = (uint32_t)size_mask(n);
		out |= (part & (uint32_t)size_mask(n)) << (8 * off);
		off += n;
	}
	if (!write)
		*val = out;
	return claimed;
}

/* The vCPU's own xAPIC page, wherever IA32_APIC_BASE puts it (Intel SDM
 * Vol. 3A 10.4.5 relocation): looked up before the map. Its base when gpa
 * is in it, else ~0. */
static uint64_t lapic_page(struct vcpu *v, uint64_t gpa)
{
	uint64_t base = vlapic_get_apic_base(&v->lapic);
	uint64_t page = base & ~(APIC_MMIO_SIZE - 1) & ((1ULL << PHYS_ADDR_BITS_MAX) - 1);
	if ((base & APIC_BASE_ENABLE) && !(base & APIC_BASE_X2APIC) && gpa - page < APIC_MMIO_SIZE)
		return page;
	return ~0ULL;
}

/* One port access answered now, under the VM's lock: d is the range
 * holding its first byte (or NULL). True if a device claimed it; an
 * unclaimed read gives all ones. */
static bool pio_one(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val,
		    const struct iomap_range *d)
{
	bool claimed;
	/* The common cases in one step: the whole access in one range, or in
	 * none at all. */
	if (d && d->pio && !d->bytewise && (uint64_t)port + size - 1 <= d->last)
		claimed = d->pio(v, port, size, write, val) == 0;
	else if (!d && !iomap_overlaps(&v->vm->iomap, COOP_IOREQ_PIO, port, size))
		claimed = false;
	else
		claimed = pio_now(v, port, size, write, val);
	if (!claimed) {
		v->vm->unclaimed_io++;
		if (!write)
			*val = (uint32_t)size_mask(size);
	}
	return claimed;
}

/* Every element of a string request answered now; stops after the element
 * that ended the VM (the debug-exit port). The VMM makes string requests
 * of port I/O only (an MMIO string instruction goes element by element,
 * vmm/vcpu/mmio.c): every element goes to the same port. */
static void serve_string(struct vcpu *v, struct coop_ioreq *r, const struct iomap_range *d)
{
	struct vm *vm = v->vm;
	bool write = r->dir == COOP_IOREQ_WRITE;
	for (uint32_t i = 0; i < r->count; i++) {
		uint32_t val = 0;
		if (write)
			memcpy(&val, r->buf + i * r->size, r->size);
		if (!pio_one(v, (uint16_t)r->addr, r->size, write, &val, d))
			r->status = -ENODEV;
		if (!write)
			memcpy(r->buf + i * r->size, &val, r->size);
		if (vm->exit_pending) {
			r->count = i + 1;
			break;
		}
	}
}

/* Does d serve an access of size bytes at addr later, the access lying
 * wholly in it? (An access that only partly does is answered now: those
 * bytes read all ones.) */
static bool served_later(const struct iomap_range *d, uint64_t addr, unsigned size)
{
	if (!d || d->pio || d->mmio)
		return false;
	return iomap_contains(d, addr, size);
}

static ioreq_iopm_fn iopm_server;
static ioreq_post_fn iopm_post;

void ioreq_set_iopm_server(ioreq_iopm_fn fn, ioreq_post_fn post)
{
	__atomic_store_n(&iopm_post, post, __ATOMIC_RELEASE);
	__atomic_store_n(&iopm_server, fn, __ATOMIC_RELEASE);
}

/* A request refused by its server: reads all ones. */
static void refuse(struct coop_ioreq *r, int err)
{
	r->status = err;
	if (r->dir == COOP_IOREQ_WRITE)
		return;
	if (r->flags & COOP_IOREQ_STRING)
		memset(r->buf, 0xff, (size_t)r->count * r->size);
	else
		r->data = size_mask(r->size);
}

/* Hand v->io.req, whose access the caller filled in, to d's server, which
 * answers later; under the VM's lock. IOREQ_DONE when the server refuses
 * it (read all ones). */
static enum ioreq_result serve_later(struct vcpu *v, const struct iomap_range *d)
{
	struct vm *vm = v->vm;
	struct coop_ioreq *r = &v->io.req;
	r->seq = ++v->io.seq; /* with the VM's id (never reused) and the vCPU: unique */
	r->vm = vm->id;
	r->vcpu = (uint16_t)v->id;
	r->status = 0;
	r->reserved = 0;
	/* A write the IOPM may take without answering: done once sent. */
	ioreq_post_fn post = __atomic_load_n(&iopm_post, __ATOMIC_ACQUIRE);
	if (d->posted && d->server == IOMAP_IOPM && r->dir == COOP_IOREQ_WRITE &&
	    !(r->flags & COOP_IOREQ_STRING) && post && !post(vm, d->iopm, r)) {
		v->io.posted++;
		return IOREQ_DONE;
	}
	/* Waiting before the server can complete it (from another CPU). */
	__atomic_store_n(&v->io.state, IOREQ_PENDING, __ATOMIC_RELEASE);
	/* An IOPM's range: the channel carries it. */
	ioreq_iopm_fn iopm = __atomic_load_n(&iopm_server, __ATOMIC_ACQUIRE);
	int err = d->server == IOMAP_VMM ? d->defer(vm, r) : iopm ? iopm(vm, d->iopm, r) : -ENODEV;
	if (!err) {
		v->io.waits++;
		return IOREQ_WAIT;
	}
	__atomic_store_n(&v->io.state, IOREQ_IDLE, __ATOMIC_RELEASE);
	refuse(r, err);
	if (r->space == COOP_IOREQ_PIO)
		vm->unclaimed_io++;
	else
		vm->unclaimed_mmio++;
	return IOREQ_DONE;
}

/* A single access that d serves later: it becomes the vCPU's request.
 * *data: the value written, or the value read when it is refused now. */
static enum ioreq_result single_later(struct vcpu *v, const struct iomap_range *d, uint8_t space,
				      uint64_t addr, unsigned size, bool write, uint64_t *data)
{
	struct coop_ioreq *r = &v->io.req;
	r->space = space;
	r->dir = write ? COOP_IOREQ_WRITE : COOP_IOREQ_READ;
	r->addr = addr;
	r->size = (uint8_t)size;
	r->flags = 0;
	r->step = 0;
	r->count = 1;
	r->data = write ? *data : 0;
	enum ioreq_result res = serve_later(v, d);
	*data = r->data;
	return res;
}

/* Drop the VM's lock; the VM ends if a device said so. */
static void unlock_and_check_end(struct vm *vm, uint64_t flags)
{
	bool ended = vm->exit_pending;
	spin_unlock_irqrestore(&vm->lock, flags);
	if (ended)
		vm_exit(vm, vm->exit_status);
}

enum ioreq_result ioreq_pio(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	struct vm *vm = v->vm;
	enum ioreq_result res = IOREQ_DONE;
	*val = write ? *val & (uint32_t)size_mask(size) : 0;
	v->io.requests++;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	hot_add(&vm->hot_io, port);
	const struct iomap_range *d = iomap_find(&vm->iomap, COOP_IOREQ_PIO, port);
	if (served_later(d, port, size)) {
		uint64_t data = *val;
		res = single_later(v, d, COOP_IOREQ_PIO, port, size, write, &data);
		*val = (uint32_t)data;
	} else {
		pio_one(v, port, size, write, val, d);
	}
	unlock_and_check_end(vm, flags);
	return res;
}

enum ioreq_result ioreq_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	struct vm *vm = v->vm;
	enum ioreq_result res = IOREQ_DONE;
	*val = write ? *val & size_mask(size) : 0;
	v->io.requests++;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	hot_add(&vm->hot_mmio, gpa >> PAGE_SHIFT);
	uint64_t apic = lapic_page(v, gpa);
	const struct iomap_range *d;
	if (apic != ~0ULL) {
		/* 32-bit accesses only; others read 0 and are dropped (vmm/vdev/vlapic.h). */
		uint32_t v32 = (uint32_t)*val;
		if (size != 4 || vlapic_mmio(&v->lapic, (uint32_t)(gpa - apic), write, &v32, rdtsc()))
			v32 = 0;
		if (!write)
			*val = v32;
	} else if ((d = iomap_find(&vm->iomap, COOP_IOREQ_MMIO, gpa)) && d->mmio) {
		if (d->mmio(v, gpa, size, write, val) && !write)
			*val = size_mask(size);
	} else if (served_later(d, gpa, size)) {
		res = single_later(v, d, COOP_IOREQ_MMIO, gpa, size, write, val);
	} else {
		vm->unclaimed_mmio++;
		if (!write)
			*val = size_mask(size);
	}
	unlock_and_check_end(vm, flags);
	return res;
}

enum ioreq_result ioreq_string(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct coop_ioreq *r = &v->io.req;
	enum ioreq_result res = IOREQ_DONE;
	r->status = 0;
	v->io.requests++;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	hot_add(&vm->hot_io, r->addr);
	const struct iomap_range *d = iomap_find(&vm->iomap, COOP_IOREQ_PIO, r->addr);
	if (served_later(d, r->addr, r->size))
		res = serve_later(v, d);
	else
		serve_string(v, r, d);
	unlock_and_check_end(vm, flags);
	return res;
}

bool ioreq_ready(struct vcpu *v, bool *resume)
{
	*resume = false;
	uint32_t st = __atomic_load_n(&v->io.state, __ATOMIC_ACQUIRE);
	if (st == IOREQ_IDLE)
		return true;
	if (st != IOREQ_COMPLETE)
		return false;
	__atomic_store_n(&v->io.state, IOREQ_IDLE, __ATOMIC_RELAXED);
	*resume = true;
	return true;
}

struct completion {
	uint32_t vcpu;
	uint64_t seq;
	ioreq_serve_fn serve;
	void *arg;
	int result;
	uint32_t cpu;
};

static void complete_in(struct vm *vm, void *p)
{
	struct completion *c = p;
	c->result = -ESRCH;
	if (c->vcpu >= vm->nvcpus)
		return;
	struct vcpu *v = &vm->vcpu[c->vcpu];
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	if (vm->state == VM_RUNNING && __atomic_load_n(&v->io.state, __ATOMIC_ACQUIRE) == IOREQ_PENDING &&
	    v->io.req.seq == c->seq) {
		c->serve(vm, &v->io.req, c->arg);
		/* The answer first, then the state that hands it over. */
		__atomic_store_n(&v->io.state, IOREQ_COMPLETE, __ATOMIC_RELEASE);
		c->result = 0;
		c->cpu = v->cpu;
	}
	spin_unlock_irqrestore(&vm->lock, flags);
}

int ioreq_complete(uint32_t vm_id, uint32_t vcpu, uint64_t seq, ioreq_serve_fn serve, void *arg)
{
	struct completion c = {vcpu, seq, serve, arg, -ESRCH, 0};
	vm_call(vm_id, complete_in, &c);
	if (c.result) {
		__atomic_fetch_add(&stale, 1, __ATOMIC_RELAXED);
		return c.result;
	}
	cpu_kick(c.cpu);
	return 0;
}

uint64_t ioreq_stale_completions(void)
{
	return __atomic_load_n(&stale, __ATOMIC_RELAXED);
}
