/* SPDX-License-Identifier: GPL-2.0-only */
/* defer.c: delayed completions on another CPU (vmm/vcpu/defer.h). */
#define LOG_PREFIX "defer"
#include "vmm/vcpu/defer.h"

#include "arch/x86/cpu.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/kick.h"
#include "vmm/lib/lib.h"
#include "vmm/platform/log.h"
#include "vmm/platform/percpu.h"
#include "vmm/lib/spinlock.h"
#include "vmm/platform/timer.h"

struct deferred {
	uint32_t vm, vcpu, vcpu_cpu;
	uint64_t seq, due;
	ioreq_serve_fn serve;
};

struct defer_queue {
	struct spinlock lock;
	struct deferred item[DEFER_QUEUE_MAX];
	uint32_t n;
	volatile uint64_t next_due; /* earliest due time, UINT64_MAX when empty */
};

static struct defer_queue queues[MAX_CPUS];

/* The next VMM CPU after c, or c. */
static uint32_t other_cpu(uint32_t c)
{
	for (uint32_t k = 1; k < ncpus; k++) {
		uint32_t i = (c + k) % ncpus;
		if (cpu_runs_vcpus(i))
			return i;
	}
	return c;
}

int defer_request(uint32_t vcpu_cpu, const struct coop_ioreq *req, uint32_t delay_us, ioreq_serve_fn serve)
{
	uint32_t cpu = other_cpu(vcpu_cpu);
	struct defer_queue *q = &queues[cpu];
	uint64_t due = rdtsc() + (uint64_t)delay_us * timer_rates.tsc_khz / 1000;
	uint64_t flags = spin_lock_irqsave(&q->lock);
	if (q->n == DEFER_QUEUE_MAX) {
		spin_unlock_irqrestore(&q->lock, flags);
		return -EBUSY;
	}
	if (!q->n || due < q->next_due)
		q->next_due = due;
	q->item[q->n++] = (struct deferred){req->vm, req->vcpu, vcpu_cpu, req->seq, due, serve};
	spin_unlock_irqrestore(&q->lock, flags);
	cpu_kick(cpu);
	return 0;
}

uint64_t defer_run(uint64_t now)
{
	struct defer_queue *q = &queues[this_cpu()->index];
	struct deferred due[DEFER_QUEUE_MAX];
	uint32_t ndue = 0;
	if (!q->n || now < q->next_due)
		return q->n ? q->next_due : UINT64_MAX;
	uint64_t flags = spin_lock_irqsave(&q->lock);
	uint64_t next = UINT64_MAX;
	for (uint32_t i = 0; i < q->n;) {
		if (q->item[i].due <= now) {
			due[ndue++] = q->item[i];
			q->item[i] = q->item[--q->n];
			continue;
		}
		next = MIN(next, q->item[i].due);
		i++;
	}
	q->next_due = next;
	spin_unlock_irqrestore(&q->lock, flags);
	/* Completed without the queue's lock: a completion takes the VM's.
	 * The server learns whether it answers on another CPU than the vCPU's. */
	uint32_t me = this_cpu()->index;
	for (uint32_t i = 0; i < ndue; i++) {
		struct deferred *d = &due[i];
		void *remote = (void *)(uintptr_t)(me != d->vcpu_cpu);
		if (ioreq_complete(d->vm, d->vcpu, d->seq, d->serve, remote))
			pr_info("completion of request %llu of vm %u vcpu %u refused: no longer outstanding "
				"(its VM "
				"ended)",
				(unsigned long long)d->seq, d->vm, d->vcpu);
	}
	return next;
}
