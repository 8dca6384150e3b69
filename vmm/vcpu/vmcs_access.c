/* SPDX-License-Identifier: GPL-2.0-only */
/* vmcs_access.c: checked VMREAD/VMWRITE on this CPU's current VMCS (Intel
 * SDM Vol. 3C 31.3 VMREAD/VMWRITE, 31.4 error numbers). */
#define LOG_PREFIX "vmcs"
#include "vmm/vcpu/vmcs_access.h"

#include "arch/x86/vmcs.h"
#include "arch/x86/vmx_ops.h"
#include "vmm/platform/log.h"
#include "vmm/platform/percpu.h"

static const char *const vm_errors[] = {
    [1] = "VMCALL in VMX root operation",
    [2] = "VMCLEAR with invalid physical address",
    [3] = "VMCLEAR with VMXON pointer",
    [4] = "VMLAUNCH with non-clear VMCS",
    [5] = "VMRESUME with non-launched VMCS",
    [6] = "VMRESUME after VMXOFF",
    [7] = "VM entry with invalid control field(s)",
    [8] = "VM entry with invalid host-state field(s)",
    [9] = "VMPTRLD with invalid physical address",
    [10] = "VMPTRLD with VMXON pointer",
    [11] = "VMPTRLD with incorrect VMCS revision identifier",
    [12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
    [13] = "VMWRITE to read-only VMCS component",
    [15] = "VMXON executed in VMX root operation",
    [16] = "VM entry with invalid executive-VMCS pointer",
    [17] = "VM entry with non-launched executive VMCS",
    [18] = "VM entry with executive-VMCS pointer not VMXON pointer",
    [19] = "VMCALL with non-clear VMCS",
    [20] = "VMCALL with invalid VM-exit control fields",
    [22] = "VMCALL with incorrect MSEG revision identifier",
    [23] = "VMXOFF under dual-monitor treatment",
    [24] = "VMCALL with invalid SMM-monitor features",
    [25] = "VM entry with invalid VM-execution control fields in executive VMCS",
    [26] = "VM entry with events blocked by MOV SS",
    [28] = "invalid operand to INVEPT/INVVPID",
};

const char *vm_instruction_error_name(uint64_t err)
{
	if (err < sizeof(vm_errors) / sizeof(vm_errors[0]) && vm_errors[err])
		return vm_errors[err];
	return "unknown error";
}

void vmcs_write(uint32_t field, uint64_t val)
{
	if (vmx_vmwrite(field, val))
		return;
	uint64_t err = 0;
	vmx_vmread(VM_INSTRUCTION_ERROR, &err);
	this_cpu()->vmcs_errors++;
	pr_err("VMWRITE field 0x%04x value 0x%llx failed: error %llu (%s)", field, (unsigned long long)val,
	       (unsigned long long)err, vm_instruction_error_name(err));
}

uint64_t vmcs_read(uint32_t field)
{
	uint64_t v = 0;
	if (vmx_vmread(field, &v))
		return v;
	uint64_t err = 0;
	vmx_vmread(VM_INSTRUCTION_ERROR, &err);
	this_cpu()->vmcs_errors++;
	pr_err("VMREAD field 0x%04x failed: error %llu (%s)", field, (unsigned long long)err,
	       vm_instruction_error_name(err));
	return 0;
}

uint32_t vmcs_errors(void)
{
	struct cpu *c = this_cpu();
	uint32_t n = c->vmcs_errors;
	c->vmcs_errors = 0;
	return n;
}
