/* vmcs.h: writing a vCPU's VMCS, all in one place (Intel SDM Vol. 3C 24
 * "Virtual Machine Control Structures", 26.2-26.3 entry checks). */
#ifndef VMM_VMCS_H
#define VMM_VMCS_H

#include <stddef.h>
#include <stdint.h>

struct vcpu;

/* Load the vCPU's VMCS on this CPU (VMCLEAR + VMPTRLD the first time) and
 * write every field: controls from the capability MSRs, host state of this
 * CPU, and the guest's initial state. Returns 0 or -EIO. */
int vmcs_setup(struct vcpu *v);
/* Make the vCPU's VMCS current on this CPU. */
int vmcs_load(struct vcpu *v);
/* Guest state for a Multiboot entry: 32-bit flat protected mode at eip. */
void vmcs_guest_protected_flat(uint32_t eip);
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
