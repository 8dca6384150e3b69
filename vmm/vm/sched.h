/* SPDX-License-Identifier: GPL-2.0-only */
/* sched.h: per-CPU round-robin scheduling of pinned vCPUs. Each VMM CPU
 * runs sched_loop(): the next runnable vCPU for one time slice (the VMX
 * preemption timer ends it), or sleeps in HLT until an interrupt, a kick or
 * the next device deadline. */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H

#include <stdint.h>

struct vcpu;

#define SCHED_SLICE_US	10000
#define SCHED_MAX_VCPUS 32 /* per CPU */
#define SCHED_MAX_HOOKS 4  /* per CPU */
#define SCHED_ALL_CPUS	UINT32_MAX

/* Work that a layer above hands the scheduler loop (the IOPM's polling,
 * deferred device completions): run on its CPU, with interrupts off, by
 * the first pass of the loop at or after the TSC time it returned last
 * (UINT64_MAX: none), and by the first pass after a kick (new work kicks
 * the CPU, vmm/platform/kick.h); it does nothing when it has nothing due. */
typedef uint64_t (*sched_hook_fn)(uint64_t now);
/* What the layer above does with a vCPU that has stopped for good (its VM
 * ended): the loop calls it on the vCPU's CPU once the vCPU has left the
 * run queue and its VMCS the CPU (main.c gives vm_vcpu_stopped). */
typedef void (*sched_retire_fn)(struct vcpu *v);

void sched_init(sched_retire_fn retire);
/* The VMM CPU for the n-th vCPU placed (round-robin over online VMM CPUs). */
uint32_t sched_pick_cpu(uint32_t n);
/* Put v on its CPU's run queue and kick that CPU; -ENOSPC when the queue
 * is full (v was not added). */
int sched_add(struct vcpu *v);
/* Run fn on `cpu` (SCHED_ALL_CPUS: on every CPU) from the scheduler loop;
 * before the CPUs enter the loop. -ENOSPC when full. */
int sched_add_hook(uint32_t cpu, sched_hook_fn fn);
__attribute__((noreturn)) void sched_loop(void);

#endif
