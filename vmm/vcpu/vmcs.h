/* SPDX-License-Identifier: GPL-2.0-only */
/* vmcs.h: writing a vCPU's VMCS, all in one place (Intel SDM Vol. 3C 24
 * "Virtual Machine Control Structures", 26.2-26.3 entry checks). */
#ifndef VMM_VMCS_H
#define VMM_VMCS_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/cpu.h"

struct vcpu;
struct vcpu_start64;

/* CR0 bits the VMM owns (guest/host mask, 24.6.6): the guest reads its own
 * value from the read shadow; in the real CR0 NE is always set (VMX) and
 * CD/NW always clear (VM entry does not load them, 26.3.2.1, so a guest's
 * value would reach the CPU the VMM and other guests use). */
#define VMCS_CR0_OWNED (CR0_NE | CR0_CD | CR0_NW)
/* CR4 bits the VMM owns: VMXE must stay set under VMX; the others enable
 * features CPUID hides, so setting them exits and is #GP (vmm/vcpu/exit.c). */
#define VMCS_CR4_OWNED (CR4_VMXE | CR4_OSXSAVE | CR4_SMXE | CR4_LA57 | CR4_PKE)
/* The real CR0 for a guest's CR0 value. */
#define VMCS_GUEST_CR0(cr0) (((cr0) & ~(uint64_t)(CR0_CD | CR0_NW)) | CR0_NE)

/* Load the vCPU's VMCS on this CPU (VMCLEAR + VMPTRLD the first time) and
 * write every field: controls from the capability MSRs, host state of this
 * CPU, and the guest's initial state. Returns 0 or -EIO. */
int vmcs_setup(struct vcpu *v);
/* Make the vCPU's VMCS current on this CPU. */
int vmcs_load(struct vcpu *v);
/* Guest state for a Multiboot entry: 32-bit flat protected mode at eip. */
void vmcs_guest_protected_flat(uint32_t eip);
/* Guest state for a 64-bit entry (Linux's 64-bit boot protocol): long
 * mode with the loader's page tables and GDT (s), CS a 64-bit code segment,
 * the data segments flat, interrupts off, RIP = rip. */
void vmcs_guest_long_flat(uint64_t rip, const struct vcpu_start64 *s);
/* Guest state at SIPI: real mode at vector << 12. */
void vmcs_guest_sipi(uint8_t vector);
/* Set or clear bits in the primary processor-based controls. */
void vmcs_proc_controls(uint32_t set, uint32_t clear);
/* Report why a VM entry failed: VM-instruction error, or for an entry that
 * failed on guest state the basic reason and qualification (26.8). */
void vmcs_dump_entry_failure(struct vcpu *v, int vmfail, char *why, unsigned whylen);
void vmcs_dump_guest(struct vcpu *v);
/* The first guest-state check of SDM 26.3.1 the current VMCS fails, or
 * NULL if none of the checks implemented here fails. */
const char *vmcs_check_guest_state(char *buf, size_t len);

#endif
