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
 * Vol. 3A 10.4.5 relocation): looked up before the map. */
static bool lapic_page(struct vcpu *v, uint64_t gpa, uint64_t *apic)
{
	uint64_t base = vlapic_get_apic_base(&v->lapic);
	*apic = base & ~(APIC_MMIO_SIZE - 1) & ((1ULL << PHYS_ADDR_BITS_MAX) - 1);
	return (base & APIC_BASE_ENABLE) && !(base & APIC_BASE_X2APIC) && gpa >= *apic &&
	       gpa < *apic + APIC_MMIO_SIZE;
}

/* One MMIO access answered now: the vCPU's xAPIC page (apic: its base,
 * ~0 when gpa is not in it), else the range d. True if a device claimed it. */
static bool mmio_now(struct vcpu *v, const struct iomap_range *d, uint64_t apic, uint64_t gpa, unsigned size,
		     bool write, uint64_t *val)
{
	if (apic != ~0ULL) {
		/* 32-bit accesses only; others read 0 and are dropped (vmm/vdev/vlapic.h). */
		uint32_t v32 = (uint32_t)*val;
		if (size != 4 || vlapic_mmio(&v->lapic, (uint32_t)(gpa - apic), write, &v32, rdtsc()))
			v32 = 0;
		if (!write)
			*val = v32;
		return true;
	}
	if (!d || !d->mmio) {
		if (!write)
			*val = size_mask(size);
		return false;
	}
	if (d->mmio(v, gpa, size, write, val) && !write)
		*val = size_mask(size);
	return true;
}

/* One access answered now, under the VM's lock: d is the range holding its
 * first byte (or NULL), apic as for mmio_now. True if a device claimed it;
 * an unclaimed read gives all ones. */
static bool serve_one(struct vcpu *v, uint8_t space, uint64_t addr, unsigned size, bool write, uint64_t *val,
		      const struct iomap_range *d, uint64_t apic)
{
	struct vm *vm = v->vm;
	if (space == COOP_IOREQ_MMIO) {
		bool claimed = mmio_now(v, d, apic, addr, size, write, val);
		if (!claimed)
			vm->unclaimed_mmio++;
		return claimed;
	}
	uint32_t v32 = (uint32_t)*val;
	bool claimed;
	/* The common cases in one step: the whole access in one range, or in
	 * none at all. */
	if (d && d->pio && !d->bytewise && addr + size - 1 <= d->last)
		claimed = d->pio(v, (uint16_t)addr, size, write, &v32) == 0;
	else if (!d && !iomap_overlaps(&vm->iomap, COOP_IOREQ_PIO, addr, size))
		claimed = false;
	else
		claimed = pio_now(v, (uint16_t)addr, size, write, &v32);
	if (!claimed) {
		vm->unclaimed_io++;
		if (!write)
			v32 = (uint32_t)size_mask(size);
	}
	*val = v32;
	return claimed;
}

/* Every element of a string request answered now; stops after the element
 * that ended the VM (the debug-exit port). The VMM makes string requests
 * of port I/O only (an MMIO string instruction goes element by element,
 * vmm/vcpu/mmio.c): every element goes to the same port. */
static void serve_string(struct vcpu *v, struct coop_ioreq *r, const struct iomap_range *d, uint64_t apic)
{
	struct vm *vm = v->vm;
	bool write = r->dir == COOP_IOREQ_WRITE;
	for (uint32_t i = 0; i < r->count; i++) {
		uint64_t val = 0;
		if (write)
			memcpy(&val, r->buf + i * r->size, r->size);
		if (!serve_one(v, r->space, r->addr, r->size, write, &val, d, apic))
			r->status = -ENODEV;
		if (!write)
			memcpy(r->buf + i * r->size, &val, r->size);
		if (vm->exit_pending) {
			r->count = i + 1;
			break;
		}
	}
}

/* Does d serve r later, r lying wholly in it? (An access that only partly
 * does is answered now: those bytes read all ones.) */
static bool served_later(const struct iomap_range *d, const struct coop_ioreq *r)
{
	if (!d || d->pio || d->mmio)
		return false;
	return iomap_contains(d, r->addr, r->size);
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

enum ioreq_result ioreq_dispatch(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct coop_ioreq *r = &v->io.req;
	r->seq = ++v->io.seq; /* with the VM's id (never reused) and the vCPU: unique */
	r->vm = vm->id;
	r->vcpu = (uint16_t)v->id;
	r->status = 0;
	r->reserved = 0;
	if (!(r->flags & COOP_IOREQ_STRING)) {
		r->count = 1;
		if (r->dir == COOP_IOREQ_WRITE)
			r->data &= size_mask(r->size);
	}
	v->io.requests++;
	enum ioreq_result res = IOREQ_DONE;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	uint64_t apic = ~0ULL;
	const struct iomap_range *d = NULL;
	if (r->space != COOP_IOREQ_MMIO || !lapic_page(v, r->addr, &apic)) {
		apic = ~0ULL;
		d = iomap_find(&vm->iomap, r->space, r->addr);
	}
	if (served_later(d, r)) {
		/* Waiting before the server can complete it (from another CPU). */
		__atomic_store_n(&v->io.state, IOREQ_PENDING, __ATOMIC_RELEASE);
		/* An IOPM's range: the channel carries it (not yet: refused). */
		int err = d->server == IOMAP_VMM ? d->defer(vm, r) : -ENODEV;
		if (!err) {
			res = IOREQ_WAIT;
			v->io.waits++;
		} else {
			__atomic_store_n(&v->io.state, IOREQ_IDLE, __ATOMIC_RELEASE);
			refuse(r, err);
			if (r->space == COOP_IOREQ_PIO)
				vm->unclaimed_io++;
			else
				vm->unclaimed_mmio++;
		}
	} else if (r->flags & COOP_IOREQ_STRING) {
		serve_string(v, r, d, apic);
	} else if (!serve_one(v, r->space, r->addr, r->size, r->dir == COOP_IOREQ_WRITE, &r->data, d, apic)) {
		r->status = -ENODEV;
	}
	bool ended = vm->exit_pending;
	spin_unlock_irqrestore(&vm->lock, flags);
	if (ended)
		vm_exit(vm, vm->exit_status);
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
