/* SPDX-License-Identifier: GPL-2.0-only */
/* ioreq.h: the request path (docs/architecture.md "The life of a guest I/O
 * request"). An exit handler dispatches a guest's port or MMIO access
 * through the VM's range map (vmm/vcpu/iomap.h): a device model that
 * answers at once is called directly; for a server that answers later, from
 * any CPU, through ioreq_complete(), the access becomes a request (the
 * vCPU's io.req, shared/coopvmm_ioreq.h). A vCPU whose request is
 * outstanding waits: it is not run and holds no lock; when the completion
 * arrives its own CPU finishes the instruction (vmm/vcpu/exit.h exit_resume). */
#ifndef VMM_IOREQ_H
#define VMM_IOREQ_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/coopvmm_ioreq.h"
#include "vmm/vcpu/vcpu_io.h"

struct vcpu;
struct vm;

enum ioreq_result {
	IOREQ_DONE, /* answered now (or refused): read data where the call says */
	IOREQ_WAIT, /* a server completes it later; the vCPU waits */
};

/* One access dispatched through the VM's range map: a port access of 1,
 * 2 or 4 bytes, an MMIO access of 1, 2, 4 or 8 (the vCPU's xAPIC page
 * first, wherever its APIC base puts it). A write's value is cut to size,
 * a read starts from 0. A device model that answers at once is called
 * directly, under the VM's lock: no request is made; IOREQ_DONE, a read's
 * data in *val. An access whose server answers later becomes the vCPU's
 * request (v->io.req, with seq, vm and vcpu): IOREQ_WAIT, the data comes
 * with the completion. Unclaimed reads and refused accesses read all
 * ones. Called without the VM's lock. */
enum ioreq_result ioreq_pio(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val);
enum ioreq_result ioreq_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val);

/* Dispatch the string request v->io.req (port I/O, COOP_IOREQ_STRING),
 * whose space, dir, addr, size, flags, count, step and (for a write) buf
 * the caller filled; the rest is set here. Answered at once (elements in
 * buf) or, like a single access, made to wait for its server. */
enum ioreq_result ioreq_string(struct vcpu *v);

/* Nothing outstanding (the common case, checked before every entry)? */
static inline bool ioreq_idle(const struct vcpu_io *io)
{
	return __atomic_load_n(&io->state, __ATOMIC_ACQUIRE) == IOREQ_IDLE;
}

/* On the vCPU's own CPU, before an entry: false while its request is
 * outstanding (do not run it); true when none is, or when the completion
 * has arrived -- then the request is taken (state IDLE again) and *resume
 * says the caller must finish the instruction (exit_resume). */
bool ioreq_ready(struct vcpu *v, bool *resume);

/* Fill in a completion: the server's answer, under the VM's lock. */
typedef void (*ioreq_serve_fn)(struct vm *vm, struct coop_ioreq *req, void *arg);

/* How a request for IOPM `iopm` is handed to it: registered by the IOPMs'
 * layer (vmm/iopm/iopm.c) once its channel is up; until then an IOPM's
 * ranges are refused (read all ones). Called like an iomap_defer_fn: with
 * the VM's lock held, it must only queue; 0 promises a completion through
 * ioreq_complete(), a negative errno refuses the request now. */
typedef int (*ioreq_iopm_fn)(struct vm *vm, uint32_t iopm, const struct coop_ioreq *req);
/* A single write to a range whose writes may be posted (iomap_range.posted):
 * 0 when it was sent (the access is done: the IOPM applies it before any
 * later request of the VM's it takes from the same ring), else a negative
 * errno and the write goes as a request. Under the VM's lock, as above. */
typedef int (*ioreq_post_fn)(struct vm *vm, uint32_t iopm, const struct coop_ioreq *req);
void ioreq_set_iopm_server(ioreq_iopm_fn fn, ioreq_post_fn post);

/* Complete request `seq` of vCPU `vcpu` of VM `vm_id` from any CPU:
 * serve() fills the read data and status (under the VM's lock), the request
 * becomes COMPLETE and the vCPU's CPU is kicked. -ESRCH (and counted) when
 * that VM has ended or that request is not outstanding (a late or forged
 * completion): nothing is touched. */
int ioreq_complete(uint32_t vm_id, uint32_t vcpu, uint64_t seq, ioreq_serve_fn serve, void *arg);

/* Completions that found no outstanding request (all VMs). */
uint64_t ioreq_stale_completions(void);

#endif
