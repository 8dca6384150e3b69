/* SPDX-License-Identifier: GPL-2.0-only */
/* vmcs_access.h: checked VMCS reads and writes on the current VMCS. A
 * failed access logs the field and VM_INSTRUCTION_ERROR (Intel SDM Vol. 3C
 * 31.4 "VM Instruction Error Numbers") and is counted; callers that set up
 * a VMCS check vmcs_errors() once at the end. */
#ifndef VMM_VMCS_ACCESS_H
#define VMM_VMCS_ACCESS_H

#include <stdint.h>

void vmcs_write(uint32_t field, uint64_t val);
uint64_t vmcs_read(uint32_t field);
/* Errors since the last call (and reset the count). */
uint32_t vmcs_errors(void);
const char *vm_instruction_error_name(uint64_t err);

#endif
