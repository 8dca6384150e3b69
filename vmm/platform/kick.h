/* SPDX-License-Identifier: GPL-2.0-only */
/* kick.h: waking a VMM CPU -- the one primitive that the scheduler,
 * virtual interrupts and I/O completions use to make a CPU look at its
 * vCPUs again (instead of calling up into the scheduler). */
#ifndef VMM_KICK_H
#define VMM_KICK_H

#include <stdint.h>

#include "vmm/platform/percpu.h"

#define KICK_VECTOR 0xf2

/* Install the kick vector's handler (an EOI: the wake-up is the point). */
void cpu_kick_init(void);
/* Count a wake-up for `cpu` and, when it is not this CPU, send it the kick
 * IPI. The count is raised before the IPI is sent: a CPU that reads it
 * before it sleeps either sees the change or has the IPI pending. */
void cpu_kick(uint32_t cpu);
/* The wake-ups counted for `cpu` so far. */
static inline uint64_t cpu_kicks(uint32_t cpu)
{
	return __atomic_load_n(&cpus[cpu].kicks, __ATOMIC_SEQ_CST);
}

#endif
