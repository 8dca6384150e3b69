/* SPDX-License-Identifier: GPL-2.0-only */
/* kick.c: waking a VMM CPU (vmm/platform/kick.h). */
#include "vmm/platform/kick.h"

#include "arch/x86/apic.h"
#include "vmm/platform/percpu.h"
#include "vmm/platform/trap.h"

static void kick_handler(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
}

void cpu_kick_init(void)
{
	trap_set_handler(KICK_VECTOR, kick_handler);
}

void cpu_kick(uint32_t cpu)
{
	if (cpu >= ncpus)
		return;
	__atomic_fetch_add(&cpus[cpu].kicks, 1, __ATOMIC_SEQ_CST);
	if (cpu != this_cpu()->index)
		lapic_send_ipi(cpus[cpu].apic_id, ICR_DM_FIXED | KICK_VECTOR);
}
