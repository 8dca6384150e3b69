/* SPDX-License-Identifier: GPL-2.0-only */
/* defer.h: completing a request later, on another CPU -- how the VMM's
 * deferred test device answers (vmm/vdev/testdev_defer.h), the way an IOPM
 * will: the request waits in the queue of a CPU other than the vCPU's for
 * a delay, then that CPU completes it through ioreq_complete(). Holds no
 * pointer into the VM: a VM that ends meanwhile just finds its completion
 * refused. */
#ifndef VMM_DEFER_H
#define VMM_DEFER_H

#include <stdint.h>

#include "vmm/vcpu/ioreq.h"

#define DEFER_QUEUE_MAX 64 /* requests waiting per CPU (every vCPU of every VM fits) */

/* Queue req's completion for the next VMM CPU after `vcpu_cpu` (that CPU
 * itself when it is the only one), due delay_us from now; serve() fills the
 * answer then, its arg non-NULL when that CPU is not vcpu_cpu. -EBUSY when
 * that queue is full. */
int defer_request(uint32_t vcpu_cpu, const struct coop_ioreq *req, uint32_t delay_us, ioreq_serve_fn serve);
/* Scheduler hook, on every VMM CPU: complete this CPU's requests that are
 * due; returns when the next one is (UINT64_MAX: none queued). */
uint64_t defer_run(uint64_t now);

#endif
