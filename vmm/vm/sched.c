/* SPDX-License-Identifier: GPL-2.0-only */
/* sched.c: each VMM CPU runs the vCPUs pinned to it round-robin; a slice
 * ends on the VMX preemption timer (Intel SDM Vol. 3C 25.5.1); a halted
 * vCPU costs its CPU nothing: when nothing is runnable the CPU sleeps in
 * HLT with its LAPIC timer armed for the earliest device deadline, and a
 * kick IPI wakes it when an interrupt arrives for one of its vCPUs. */
#define LOG_PREFIX "sched"
#include "vmm/vm/sched.h"

#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_ops.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/kick.h"
#include "vmm/platform/log.h"
#include "vmm/platform/percpu.h"
#include "vmm/platform/timer.h"
#include "vmm/platform/trap.h"
#include "vmm/vcpu/vcpu_run.h"
#include "vmm/vcpu/vm_types.h"

#define HEARTBEAT_US	1000000
#define TIMER_MIN_COUNT 1

struct runq {
	struct spinlock lock;
	struct vcpu *v[SCHED_MAX_VCPUS];
	uint32_t n, next;
	sched_hook_fn hook[SCHED_MAX_HOOKS];
	uint64_t hook_due[SCHED_MAX_HOOKS]; /* when each wants its next run */
	uint64_t hooks_due;		    /* the earliest of them */
	uint32_t nhooks;
	uint64_t hooks_kicks; /* kicks counted at the hooks' last run */
};

static struct runq runqs[MAX_CPUS];
static sched_retire_fn retire_hook;

static void timer_handler(struct trap_frame *f)
{
	(void)f;
	this_cpu()->ticks++;
	lapic_eoi();
}

void sched_init(sched_retire_fn retire)
{
	retire_hook = retire;
	for (uint32_t i = 0; i < ncpus; i++)
		cpus[i].runq = &runqs[i];
	cpu_kick_init();
	trap_set_handler(APIC_TIMER_VECTOR, timer_handler);
}

uint32_t sched_pick_cpu(uint32_t n)
{
	uint32_t online[MAX_CPUS], k = 0;
	for (uint32_t i = 0; i < ncpus; i++)
		if (cpu_runs_vcpus(i))
			online[k++] = i;
	return k ? online[n % k] : 0;
}

int sched_add(struct vcpu *v)
{
	struct runq *q = &runqs[v->cpu];
	uint64_t flags = spin_lock_irqsave(&q->lock);
	bool added = q->n < SCHED_MAX_VCPUS;
	if (added)
		q->v[q->n++] = v;
	spin_unlock_irqrestore(&q->lock, flags);
	if (!added)
		return -ENOSPC;
	cpu_kick(v->cpu);
	return 0;
}

int sched_add_hook(uint32_t cpu, sched_hook_fn fn)
{
	for (uint32_t i = 0; i < ncpus; i++) {
		if (cpu != SCHED_ALL_CPUS && i != cpu)
			continue;
		struct runq *q = &runqs[i];
		if (q->nhooks == SCHED_MAX_HOOKS)
			return -ENOSPC;
		q->hook_due[q->nhooks] = 0;
		q->hooks_due = 0;
		q->hook[q->nhooks++] = fn;
	}
	return 0;
}

/* The hooks whose time has come -- all of them after a kick, which may
 * have brought them work; returns the earliest time one wants the next. */
static uint64_t run_hooks(struct runq *q, uint64_t kicks)
{
	bool kicked = kicks != q->hooks_kicks;
	/* Most passes (a vCPU's timer woke the CPU, say): nothing to run. */
	if (!kicked && rdtsc() < q->hooks_due)
		return q->hooks_due;
	q->hooks_kicks = kicks;
	uint64_t next = UINT64_MAX;
	for (uint32_t i = 0; i < q->nhooks; i++) {
		if (kicked || rdtsc() >= q->hook_due[i])
			q->hook_due[i] = q->hook[i](rdtsc());
		next = MIN(next, q->hook_due[i]);
	}
	q->hooks_due = next;
	return next;
}

static void remove(struct runq *q, uint32_t i)
{
	uint64_t flags = spin_lock_irqsave(&q->lock);
	q->v[i] = q->v[--q->n];
	if (q->next >= q->n)
		q->next = 0;
	spin_unlock_irqrestore(&q->lock, flags);
}

/* Retire a vCPU whose VM ended: its VMCS leaves this CPU first. */
static void retire(struct runq *q, uint32_t i)
{
	struct vcpu *v = q->v[i];
	struct cpu *c = this_cpu();
	remove(q, i);
	if (v->vmcs_ready)
		vmx_vmclear(v->vmcs);
	if (c->current_vmcs == v->vmcs)
		c->current_vmcs = 0;
	if (c->last_vcpu == v)
		c->last_vcpu = NULL;
	retire_hook(v);
}

/* Arm this CPU's LAPIC timer (one-shot) for a TSC deadline. */
static void arm_timer(uint64_t deadline)
{
	uint64_t now = rdtsc();
	uint64_t delta = deadline > now ? deadline - now : 0;
	uint64_t count = delta * timer_rates.lapic_khz / timer_rates.tsc_khz / APIC_TIMER_DIVISOR;
	if (count < TIMER_MIN_COUNT)
		count = TIMER_MIN_COUNT;
	if (count > UINT32_MAX)
		count = UINT32_MAX;
	lapic_write(APIC_TIMER_DCR, APIC_TIMER_DIV_16);
	lapic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR);
	lapic_write(APIC_TIMER_ICR, (uint32_t)count);
}

/* NMIs the CPUs took since the last report (vmm/platform/trap.c counts them). */
static void report_nmis(void)
{
	static uint64_t reported[MAX_CPUS];
	for (uint32_t i = 0; i < ncpus; i++) {
		uint64_t n = cpus[i].nmis;
		if (n != reported[i]) {
			pr_warn("cpu %u took %llu NMI(s) (ignored)", i,
				(unsigned long long)(n - reported[i]));
			reported[i] = n;
		}
	}
}

void sched_loop(void)
{
	struct cpu *c = this_cpu();
	struct runq *q = c->runq;
	uint64_t beat_cycles = HEARTBEAT_US * timer_rates.tsc_khz / 1000;
	uint64_t next_beat = rdtsc() + beat_cycles, beats = 0;
	irq_disable();
	for (;;) {
		uint64_t wakeups = cpu_kicks(c->index);
		if (c->index == 0 && rdtsc() >= next_beat) {
			next_beat += beat_cycles;
			/* Debug level (loglevel=3): the default log has no
			 * periodic line (docs/boot-report.md). */
			log_printf(LOG_DEBUG, "vmm", "alive %llu", (unsigned long long)++beats);
			report_nmis();
		}
		uint64_t hooks_due = run_hooks(q, wakeups);
		/* Round-robin over this CPU's vCPUs; retire those whose VM ended. */
		bool ran = false;
		uint64_t deadline = MIN(c->index == 0 ? next_beat : UINT64_MAX, hooks_due);
		for (uint32_t tries = q->n; tries && !ran; tries--) {
			uint32_t i = q->next < q->n ? q->next : 0;
			struct vcpu *v = q->v[i];
			q->next = i + 1 >= q->n ? 0 : i + 1;
			if (v->vm->state != VM_RUNNING) {
				retire(q, i);
				continue;
			}
			if (v->vm->paused)
				continue; /* not run; unpausing kicks its CPU */
			uint64_t t0 = rdtsc();
			enum run_result r = vcpu_run(v, SCHED_SLICE_US * timer_rates.tsc_khz / 1000);
			v->run_tsc += rdtsc() - t0;
			if (r == RUN_STOPPED) {
				retire(q, i);
				continue;
			}
			if (r == RUN_SLICE_DONE)
				ran = true;
			else if (v->next_deadline < deadline)
				deadline = v->next_deadline; /* RUN_IDLE: halted, nothing pending */
		}
		/* Take pending host interrupts (timer, kicks) between slices. */
		irq_window();
		if (ran)
			continue;
		/* A vCPU woken during the pass (by a vCPU of this CPU, or by a
		 * kick taken between exits) after its turn: look again. */
		if (cpu_kicks(c->index) != wakeups)
			continue;
		/* Nothing runnable: sleep until an interrupt, a kick or a deadline.
		 * Interrupts stay disabled from the check above to cpu_idle's
		 * sti; hlt, so a kick sent after the check ends the HLT. */
		arm_timer(deadline);
		cpu_idle();
		irq_disable();
	}
}
