/* SPDX-License-Identifier: GPL-2.0-only */
/* smp.h: starting the other vCPUs of the guest (Intel SDM Vol. 3A 8.4.4.1
 * INIT-SIPI-SIPI, 10.6.1 ICR). An AP started here runs fn(arg) on its own
 * stack with the runtime's GDT and IDT (32-bit guests: protected mode,
 * paging off; 64-bit guests: 64-bit mode on the runtime's identity map),
 * IF = 0, its xAPIC untouched; when fn returns it halts with IF = 0.
 * trap_catch and the handler table are global: an AP may install handlers
 * for vectors of its own, but must not use trap_catch while vCPU 0 does. */
#ifndef GUEST_RT_SMP_H
#define GUEST_RT_SMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* vCPUs the VM has: CPUID.1:EBX[23:16] under coopvmm; elsewhere that
 * field with the HTT bit (CPUs per package), else 1. */
uint32_t smp_cpus(void);
/* INIT, 10 ms, SIPI, 200 us, SIPI to APIC ID apic_id (xAPIC ICR; call with
 * the LAPIC enabled in xAPIC mode); true once the AP runs fn, false when it
 * did not within timeout_ms (e.g. QEMU without -smp). One AP at a time. */
bool smp_start_ap(uint32_t apic_id, void (*fn)(void *), void *arg, void *stack, size_t stack_size,
		  uint32_t timeout_ms);

#endif
