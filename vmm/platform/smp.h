/* SPDX-License-Identifier: GPL-2.0-only */
/* smp.h: the CPU list, roles, and starting the VMM's application
 * processors (Intel SDM Vol. 3A 8.4 "Multiple-Processor Initialization"). */
#ifndef VMM_SMP_H
#define VMM_SMP_H

#include "vmm/platform/acpi.h"
#include "vmm/platform/cmdline.h"
#include "vmm/platform/percpu.h"

/* Build cpus[] from the firmware list: index 0 is the BSP; indexes 1..iopms
 * are reserved for IOPMs 0..iopms-1; the rest belong to the VMM. */
void smp_init_cpus(const struct platform *p, uint32_t bsp_apic_id, uint32_t iopms);
/* Allocate a CPU's stacks and VMXON region from the VMM heap. */
void smp_prepare_cpu(struct cpu *c);
/* Enter VMX root operation on the calling CPU. */
void smp_vmx_on_this_cpu(struct cpu *c);
/* INIT, 10 ms, SIPI, 200 us, SIPI (SDM Vol. 3A 8.4.4.1) to `apic_id`, whose
 * trampoline is already at TRAMPOLINE_ADDR; true as soon as started(ctx)
 * says it ran, false if it did not within wait_us after the last SIPI (the
 * CPU is then sent INIT again, so that it cannot start later). */
bool smp_init_sipi_sipi(uint32_t apic_id, bool (*started)(const void *ctx), const void *ctx,
			uint64_t wait_us);
/* INIT-SIPI-SIPI every VMM AP in turn and wait for it to report in. */
uint32_t smp_start_aps(void (*work)(void));

#endif
