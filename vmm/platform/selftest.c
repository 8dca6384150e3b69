/* SPDX-License-Identifier: GPL-2.0-only */
/* selftest.c: run the fault selected by selftest= after the boot report:
 * a NULL read (#PF, page 0 is unmapped) or UD2 (#UD) on the BSP, or a NULL
 * read on a VMM AP, reached by a fixed IPI (Intel SDM Vol. 3A 10.6); or an
 * NMI IPI to every VMM CPU, which each must count and survive. */
#define LOG_PREFIX "selftest"
#include "vmm/platform/selftest.h"

#include "arch/x86/apic.h"
#include "vmm/platform/log.h"
#include "vmm/platform/percpu.h"
#include "vmm/platform/trap.h"

#define SELFTEST_VECTOR 0xf1
#define NULL_ADDR	0

static void null_read(void)
{
	uint64_t v = *(volatile uint64_t *)(uintptr_t)NULL_ADDR;
	pr_err("NULL read returned 0x%llx: page 0 is mapped", (unsigned long long)v);
}

static void selftest_ipi(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
	pr_info("cpu %u: reading address 0", this_cpu()->index);
	null_read();
}

void selftest_run(enum selftest which)
{
	switch (which) {
	case SELFTEST_NONE:
		return;
	case SELFTEST_PF:
		pr_info("cpu 0: reading address 0");
		null_read();
		return;
	case SELFTEST_UD:
		pr_info("cpu 0: executing UD2");
		__asm__ volatile("ud2");
		return;
	case SELFTEST_AP_PF:
		for (uint32_t i = ncpus; i-- > 1;) {
			if (cpus[i].role == CPU_ROLE_VMM && cpus[i].state == CPU_ONLINE) {
				trap_set_handler(SELFTEST_VECTOR, selftest_ipi);
				pr_info("sending vector 0x%x to cpu %u", SELFTEST_VECTOR, i);
				lapic_send_ipi(cpus[i].apic_id, ICR_DM_FIXED | SELFTEST_VECTOR);
				return;
			}
		}
		pr_err("ap_pf: no online VMM AP to fault on");
		return;
	case SELFTEST_NMI:
		for (uint32_t i = 0; i < ncpus; i++) {
			if (cpus[i].role == CPU_ROLE_VMM && cpus[i].state == CPU_ONLINE) {
				pr_info("sending an NMI to cpu %u", i);
				lapic_send_ipi(cpus[i].apic_id, ICR_DM_NMI);
			}
		}
		return;
	}
}
