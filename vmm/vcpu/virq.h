/* SPDX-License-Identifier: GPL-2.0-only */
/* virq.h: interrupt routing inside a VM: ISA lines to the vPIC and the
 * vIOAPIC, the vIOAPIC and IPIs to vLAPICs, the vPIC to vCPU 0's LINT0;
 * and event injection at VM entry (Intel SDM Vol. 3C 26.6 "Event
 * Injection", 25.7.5 interrupt-window exiting). */
#ifndef VMM_VIRQ_H
#define VMM_VIRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/pit.h" /* PIT_IRQ */

struct vm;
struct vcpu;

/* The VM's interrupt wiring (docs/vdevices.md "Wiring"), which its ACPI
 * MADT and MP table describe to the guest (vmm/vm/acpi_build.c). */
#define VIRQ_IOAPIC_ID	    0 /* the vIOAPIC's ID */
#define VIRQ_IOAPIC_PIN_PIT 2 /* IRQ0 (PIT_IRQ) reaches the vIOAPIC on pin 2; pin 0 is unconnected */

/* The vIOAPIC pin of ISA IRQ irq: pin irq, except IRQ0's. */
static inline unsigned virq_isa_pin(unsigned irq)
{
	return irq == PIT_IRQ ? VIRQ_IOAPIC_PIN_PIT : irq;
}

void virq_init_devices(struct vm *vm);
void virq_init_vcpu(struct vcpu *v);
/* Pulse ISA IRQ `irq` (PIC input irq, IOAPIC pin irq; IRQ0 is pin 2). Caller holds vm->lock. */
void virq_pulse_isa(struct vm *vm, unsigned irq);
/* Set the level of the VM's interrupt line `gsi` (< VIOAPIC_PINS): its
 * vIOAPIC pin, and for an ISA line (1-15) the vPIC input of the ISA IRQ on
 * that pin (GSI 2 is IRQ0's); vCPU 0's CPU is kicked, wherever it runs.
 * Caller holds vm->lock. */
void virq_set_gsi(struct vm *vm, unsigned gsi, bool level);
/* A message-signalled interrupt with this address (0xfeeXXXXX) and data
 * (SDM Vol. 3A 10.11): to the vLAPICs its destination names, fixed,
 * lowest-priority or NMI, always edge. false (nothing delivered) for an
 * illegal vector (below 16) or another delivery mode. Caller holds
 * vm->lock. */
bool virq_msi(struct vm *vm, uint64_t addr, uint32_t data);
/* Before a VM entry, with interrupts off and the vCPU's VMCS current:
 * advance the VM's timers, handle INIT/SIPI, inject the highest-priority
 * pending interrupt or ask for an interrupt window; set v->next_deadline.
 * Returns false when the vCPU must not run (halted with nothing to
 * deliver, or waiting for SIPI). */
bool virq_prepare_entry(struct vcpu *v);
/* After a VM exit: remember an event whose delivery the exit interrupted. */
void virq_save_idt_vectoring(struct vcpu *v);
/* Queue a hardware exception for the next entry (#GP, #UD, ...). */
void virq_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
/* A page fault at linear address la (CR2) with the given error code. */
void virq_inject_page_fault(struct vcpu *v, uint64_t la, uint32_t error);

#endif
