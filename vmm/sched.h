/* SPDX-License-Identifier: GPL-2.0-only */
/* sched.h: per-CPU round-robin scheduling of pinned vCPUs. Each VMM CPU
 * runs sched_loop(): the next runnable vCPU for one time slice (the VMX
 * preemption timer ends it), or sleeps in HLT until an interrupt, a kick or
 * the next device deadline. */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H

#include <stdint.h>

struct vcpu;

#define SCHED_SLICE_US 10000
#define KICK_VECTOR 0xf2
#define SCHED_MAX_VCPUS 32   /* per CPU */

void sched_init(void);
/* The VMM CPU for the n-th vCPU placed (round-robin over online VMM CPUs). */
uint32_t sched_pick_cpu(uint32_t n);
void sched_add(struct vcpu *v);
/* Make v's CPU look at v again (an interrupt arrived, its VM ended). */
void sched_kick(struct vcpu *v);
__attribute__((noreturn)) void sched_loop(void);

#endif
