/* SPDX-License-Identifier: GPL-2.0-only */
/* vmx.c: discover VMX, check every feature the VMM relies on, and enter
 * VMX root operation (Intel SDM Vol. 3C 23.6 "Discovering Support for
 * VMX", 23.7 "Enabling and Entering VMX Operation", Appendix A). */
#define LOG_PREFIX "vmx"
#include "vmm/platform/vmx.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "vmm/platform/log.h"

struct vmx_caps vmx_caps;
static char missing[96];

static struct vmx_ctl read_ctl(uint32_t msr)
{
	uint64_t v = rdmsr(msr);
	return (struct vmx_ctl){.must1 = (uint32_t)v, .may1 = (uint32_t)(v >> 32)};
}

const char *vmx_feature_control(void)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (fc & FEATURE_CONTROL_LOCK)
		return (fc & FEATURE_CONTROL_VMX) ? NULL
						  : "IA32_FEATURE_CONTROL is locked with VMX outside SMX "
						    "disabled (firmware setting)";
	wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_VMX | FEATURE_CONTROL_LOCK);
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if ((fc & (FEATURE_CONTROL_VMX | FEATURE_CONTROL_LOCK)) !=
	    (FEATURE_CONTROL_VMX | FEATURE_CONTROL_LOCK))
		return "IA32_FEATURE_CONTROL did not accept lock + VMX outside SMX";
	return NULL;
}

struct requirement {
	const char *name;
	bool ok;
};

static void print_ctl(const char *name, struct vmx_ctl c)
{
	pr_info("  %-24s must-be-1 %08x may-be-1 %08x", name, c.must1, c.may1);
}

bool vmx_check(void)
{
	struct vmx_caps *c = &vmx_caps;
	struct cpuid_regs r = cpuid(1, 0);
	if (!(r.ecx & CPUID1_ECX_VMX)) {
		c->reason = "CPUID.1:ECX.VMX[bit 5] = 0 (no VT-x on this CPU or emulator)";
		goto unsupported;
	}
	c->reason = vmx_feature_control();
	if (c->reason)
		goto unsupported;

	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->revision = (uint32_t)(c->basic & VMX_BASIC_REVISION_MASK);
	c->region_size = (uint32_t)VMX_BASIC_REGION_SIZE(c->basic);
	c->true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->pin = read_ctl(c->true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	c->proc = read_ctl(c->true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = read_ctl(c->true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	c->entry = read_ctl(c->true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	bool has_proc2 = c->proc.may1 & PROC_SECONDARY_CONTROLS;
	if (has_proc2)
		c->proc2 = read_ctl(MSR_IA32_VMX_PROCBASED_CTLS2);
	bool has_ept_vpid = has_proc2 && (c->proc2.may1 & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID));
	if (has_ept_vpid)
		c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);

	const struct requirement req[] = {
	    {"true controls (VMX_BASIC bit 55)", c->true_ctls},
	    {"VMCS region <= 4 KiB", c->region_size && c->region_size <= 4096},
	    {"VMCS memory type WB", VMX_BASIC_MEMTYPE(c->basic) == MEMTYPE_WB},
	    {"secondary controls", has_proc2},
	    {"EPT", c->proc2.may1 & PROC2_ENABLE_EPT},
	    {"EPT 4-level walk", c->ept_vpid & EPT_CAP_WALK4},
	    {"EPT write-back memory type", c->ept_vpid & EPT_CAP_WB},
	    {"EPT 2 MiB pages", c->ept_vpid & EPT_CAP_2MB},
	    {"INVEPT (single or all context)",
	     (c->ept_vpid & EPT_CAP_INVEPT) && (c->ept_vpid & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))},
	    {"unrestricted guest", c->proc2.may1 & PROC2_UNRESTRICTED_GUEST},
	    {"VPID", c->proc2.may1 & PROC2_ENABLE_VPID},
	    {"INVVPID", c->ept_vpid & VPID_CAP_INVVPID},
	    {"VMX preemption timer", c->pin.may1 & PIN_PREEMPTION_TIMER},
	    {"external-interrupt exiting", c->pin.may1 & PIN_EXTINT_EXITING},
	    {"HLT exiting", c->proc.may1 & PROC_HLT_EXITING},
	    {"I/O bitmaps", c->proc.may1 & PROC_USE_IO_BITMAPS},
	    {"MSR bitmaps", c->proc.may1 & PROC_USE_MSR_BITMAPS},
	    {"64-bit host (exit control)", c->exit.may1 & EXIT_HOST_ADDR_SPACE_SIZE},
	    {"acknowledge interrupt on exit", c->exit.may1 & EXIT_ACK_INTR_ON_EXIT},
	    {"save/load IA32_EFER on exit",
	     (c->exit.may1 & (EXIT_SAVE_EFER | EXIT_LOAD_EFER)) == (EXIT_SAVE_EFER | EXIT_LOAD_EFER)},
	    {"load IA32_EFER on entry", c->entry.may1 & ENTRY_LOAD_EFER},
	    {"interrupt-window exiting", c->proc.may1 & PROC_INTR_WINDOW_EXITING},
	};

	pr_info("VMX capabilities: revision 0x%x, region %u bytes, preemption timer rate TSC>>%llu",
		c->revision, c->region_size, (unsigned long long)VMX_MISC_PREEMPT_RATE(c->misc));
	print_ctl("pin-based", c->pin);
	print_ctl("processor-based", c->proc);
	print_ctl("secondary proc-based", c->proc2);
	print_ctl("VM-exit", c->exit);
	print_ctl("VM-entry", c->entry);
	pr_info("  %-24s %016llx", "EPT/VPID capabilities", (unsigned long long)c->ept_vpid);
	bool all = true;
	for (unsigned i = 0; i < ARRAY_SIZE(req); i++) {
		pr_info("  %-36s %s", req[i].name, req[i].ok ? "yes" : "MISSING");
		if (!req[i].ok && all) {
			all = false;
			snprintf(missing, sizeof(missing), "required VMX feature missing: %s", req[i].name);
			c->reason = missing;
		}
	}
	if (!all)
		goto unsupported;
	c->supported = true;
	return true;

unsupported:
	c->supported = false;
	pr_warn("VT-x not available: %s; the VMM runs without guests", c->reason);
	return false;
}

const char *vmx_on(uint64_t region_phys)
{
	const struct vmx_caps *c = &vmx_caps;
	if (!c->supported)
		return "VT-x not available";
	const char *why = vmx_feature_control();
	if (why)
		return why;
	/* CR0/CR4 must satisfy the VMX fixed bits (23.8). */
	uint64_t cr0 = (read_cr0() | c->cr0_fixed0) & c->cr0_fixed1;
	/* OSFXSR/OSXMMEXCPT: the VMM saves and restores guests' SSE state. */
	uint64_t cr4 = (read_cr4() | c->cr4_fixed0 | CR4_VMXE | CR4_OSFXSR | CR4_OSXMMEXCPT) & c->cr4_fixed1;
	write_cr0(cr0);
	write_cr4(cr4);
	*(volatile uint32_t *)(uintptr_t)region_phys = c->revision;
	uint8_t fail_invalid, fail_valid;
	__asm__ volatile("vmxon %2; setc %0; setz %1"
			 : "=qm"(fail_invalid), "=qm"(fail_valid)
			 : "m"(region_phys)
			 : "cc", "memory");
	if (fail_invalid)
		return "VMXON failed (VMfailInvalid: bad region or revision)";
	if (fail_valid)
		return "VMXON failed (VMfailValid)";
	return NULL;
}
