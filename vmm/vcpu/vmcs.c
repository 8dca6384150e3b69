/* SPDX-License-Identifier: GPL-2.0-only */
/* vmcs.c: the VMCS of a vCPU, written in one place (Intel SDM Vol. 3C
 * 24.4 guest state, 24.5 host state, 24.6-24.8 controls; every control word
 * computed from its capability MSR, Appendix A.3-A.5). */
#define LOG_PREFIX "vmcs"
#include "vmm/vcpu/vmcs.h"

#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/layout.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/log.h"
#include "vmm/platform/mm.h"
#include "vmm/platform/percpu.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vcpu/vmcs_access.h"
#include "vmm/platform/vmx.h"

#define FLAT_LIMIT     0xffffffffU
#define REAL_LIMIT     0xffffU
#define TR_LIMIT       0xffU
#define GUEST_SEL_CODE 0x08
#define GUEST_SEL_DATA 0x10

extern char vmx_exit_landing[];

/* want: bits the VMM needs; optional: bits it uses when allowed. Returns the
 * value to write, or sets *bad to the required bits the CPU refuses. */
static uint32_t adjust(struct vmx_ctl c, uint32_t want, uint32_t optional, uint32_t *bad)
{
	uint32_t v = (want | (optional & c.may1) | c.must1) & c.may1;
	*bad |= want & ~v;
	return v;
}

struct segment {
	uint16_t sel;
	uint64_t base;
	uint32_t limit, ar;
};

static void write_segment(unsigned idx, const struct segment *s)
{
	/* Fields of ES..TR are spaced by 2 in every group (Appendix B). */
	vmcs_write(GUEST_ES_SEL + 2 * idx, s->sel);
	vmcs_write(GUEST_ES_BASE + 2 * idx, s->base);
	vmcs_write(GUEST_ES_LIMIT + 2 * idx, s->limit);
	vmcs_write(GUEST_ES_AR + 2 * idx, s->ar);
}

enum { IDX_ES, IDX_CS, IDX_SS, IDX_DS, IDX_FS, IDX_GS, IDX_LDTR, IDX_TR };

/* What a vCPU's first entry (flat protected mode) and an INIT-SIPI start
 * share: CS, the other data segments alike, TR, and the rest of the state. */
static void write_common_guest_state(const struct segment *code, const struct segment *data,
				     const struct segment *tr)
{
	const struct segment ldtr = {0, 0, 0, AR_UNUSABLE};
	write_segment(IDX_CS, code);
	for (unsigned i = IDX_ES; i <= IDX_GS; i++)
		if (i != IDX_CS)
			write_segment(i, data);
	write_segment(IDX_TR, tr);
	write_segment(IDX_LDTR, &ldtr);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, REAL_LIMIT);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, REAL_LIMIT);
	vmcs_write(GUEST_CR3, 0);
	vmcs_write(GUEST_CR4, CR4_VMXE); /* required in VMX operation; hidden by the shadow */
	vmcs_write(CR4_READ_SHADOW, 0);
	vmcs_write(GUEST_DR7, DR7_RESET);
	vmcs_write(GUEST_RFLAGS, RFLAGS_RESERVED_ONE);
	vmcs_write(GUEST_IA32_EFER, 0);
	vmcs_write(GUEST_IA32_PAT, PAT_RESET);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VM_ENTRY_INTR_INFO, 0);
	uint64_t entry = vmcs_read(VM_ENTRY_CONTROLS);
	vmcs_write(VM_ENTRY_CONTROLS, entry & ~ENTRY_IA32E_MODE_GUEST);
}

void vmcs_guest_protected_flat(uint32_t eip)
{
	const struct segment code = {GUEST_SEL_CODE, 0, FLAT_LIMIT, AR_CODE32};
	const struct segment data = {GUEST_SEL_DATA, 0, FLAT_LIMIT, AR_DATA32};
	const struct segment tr = {0, 0, TR_LIMIT, AR_TSS32_BUSY};
	write_common_guest_state(&code, &data, &tr);
	vmcs_write(GUEST_CR0, VMCS_GUEST_CR0(CR0_PE | CR0_ET));
	vmcs_write(CR0_READ_SHADOW, CR0_PE | CR0_ET);
	vmcs_write(GUEST_RIP, eip);
	vmcs_write(GUEST_RSP, 0);
}

void vmcs_guest_long_flat(uint64_t rip, const struct vcpu_start64 *s)
{
	/* SDM Vol. 3C 26.3.1: IA-32e mode guest needs CR0.PG and CR4.PAE
	 * (26.3.1.1), EFER.LMA = the control and LME = LMA with paging on
	 * (26.3.1.1, "load IA32_EFER"), CS.L = 1 with D/B = 0, TR a busy
	 * 64-bit TSS (type 11), GDTR base canonical (26.3.1.2-3). */
	const struct segment code = {s->cs, 0, FLAT_LIMIT, AR_CODE64};
	const struct segment data = {s->ds, 0, FLAT_LIMIT, AR_DATA32};
	const struct segment tr = {0, 0, TR_LIMIT, AR_TSS32_BUSY};
	write_common_guest_state(&code, &data, &tr);
	vmcs_write(GUEST_GDTR_BASE, s->gdt_base);
	vmcs_write(GUEST_GDTR_LIMIT, s->gdt_limit);
	vmcs_write(GUEST_CR3, s->cr3);
	vmcs_write(GUEST_CR4, CR4_VMXE | CR4_PAE);
	vmcs_write(CR4_READ_SHADOW, CR4_PAE);
	vmcs_write(GUEST_CR0, VMCS_GUEST_CR0(CR0_PE | CR0_ET | CR0_PG));
	vmcs_write(CR0_READ_SHADOW, CR0_PE | CR0_ET | CR0_PG);
	vmcs_write(GUEST_IA32_EFER, EFER_LME | EFER_LMA);
	vmcs_write(VM_ENTRY_CONTROLS, vmcs_read(VM_ENTRY_CONTROLS) | ENTRY_IA32E_MODE_GUEST);
	vmcs_write(GUEST_RIP, rip);
	vmcs_write(GUEST_RSP, 0);
}

void vmcs_guest_sipi(uint8_t vector)
{
	const struct segment code = {(uint16_t)SIPI_CS_SELECTOR(vector), SIPI_CS_BASE(vector), REAL_LIMIT,
				     AR_CODE16};
	const struct segment data = {0, 0, REAL_LIMIT, AR_DATA16};
	/* TR after INIT: a 32-bit busy TSS, as hardware leaves it (SDM Vol. 3A
	 * table 9-1) and as VM entry requires of an IA-32e-mode guest later
	 * (26.3.1.2): an AP that goes to long mode must not triple-fault. */
	const struct segment tr = {0, 0, REAL_LIMIT, AR_TSS32_BUSY};
	write_common_guest_state(&code, &data, &tr);
	vmcs_write(GUEST_CR0, VMCS_GUEST_CR0(CR0_RESET));
	vmcs_write(CR0_READ_SHADOW, CR0_RESET);
	vmcs_write(GUEST_RIP, 0);
	vmcs_write(GUEST_RSP, 0);
}

void vmcs_proc_controls(uint32_t set, uint32_t clear)
{
	uint64_t p = vmcs_read(PROC_BASED_CONTROLS);
	vmcs_write(PROC_BASED_CONTROLS, (p | set) & ~clear);
}

static int write_controls(struct vcpu *v)
{
	const struct vmx_caps *c = &vmx_caps;
	uint32_t bad = 0;
	/* Virtual NMIs: guests get NMIs (IPIs, vIOAPIC), with blocking by NMI
	 * tracked by the CPU and NMI-window exiting (24.6.1, 25.3). */
	uint32_t pin = adjust(
	    c->pin, PIN_EXTINT_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER | PIN_VIRTUAL_NMIS, 0, &bad);
	/* CR8 exiting: the guest's TPR is its virtual LAPIC's, never the
	 * physical one that gates the VMM's own vectors. RDPMC exiting:
	 * CPUID shows no performance counters and the host's are not
	 * switched, so RDPMC is #GP. */
	uint32_t proc =
	    adjust(c->proc,
		   PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_SECONDARY_CONTROLS |
		       PROC_MWAIT_EXITING | PROC_MONITOR_EXITING | PROC_CR8_LOAD_EXITING |
		       PROC_CR8_STORE_EXITING | PROC_RDPMC_EXITING | PROC_USE_TSC_OFFSETTING,
		   0, &bad);
	/* The true controls let these be 0: the guest owns CR3 and INVLPG;
	 * unconditional I/O exiting is replaced by the bitmaps. */
	proc &= ~((PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING | PROC_INVLPG_EXITING |
		   PROC_UNCOND_IO_EXITING | PROC_INTR_WINDOW_EXITING) &
		  ~c->proc.must1);
	/* WBINVD exiting: a guest must not flush every cache of the machine. */
	uint32_t proc2 = adjust(
	    c->proc2, PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST | PROC2_WBINVD_EXITING,
	    PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID, &bad);
	/* Debug controls: a VM exit sets DR7 to 0x400 (27.5.1), so without them
	 * the guest's breakpoints would vanish at its first exit. */
	uint32_t exitc = adjust(
	    c->exit, EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_DEBUG_CONTROLS,
	    EXIT_SAVE_PAT | EXIT_LOAD_PAT, &bad);
	uint32_t entry = adjust(c->entry, ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG_CONTROLS, ENTRY_LOAD_PAT, &bad);
	entry &= ~ENTRY_IA32E_MODE_GUEST;
	if (bad) {
		pr_err("vcpu %u: required VMX controls refused by the CPU: 0x%x", v->id, bad);
		return -EIO;
	}
	vmcs_write(PIN_BASED_CONTROLS, pin);
	vmcs_write(PROC_BASED_CONTROLS, proc);
	vmcs_write(PROC_BASED_CONTROLS2, proc2);
	vmcs_write(VM_EXIT_CONTROLS, exitc);
	vmcs_write(VM_ENTRY_CONTROLS, entry);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(PAGE_FAULT_ERROR_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO, 0);
	vmcs_write(TPR_THRESHOLD, 0);
	vmcs_write(IO_BITMAP_A, v->vm->io_bitmap[0]);
	vmcs_write(IO_BITMAP_B, v->vm->io_bitmap[1]);
	vmcs_write(MSR_BITMAP, v->vm->msr_bitmap);
	vmcs_write(EPT_POINTER, ept_eptp(&v->vm->ept));
	vmcs_write(VMCS_VPID, v->vpid);
	vmcs_write(VMCS_LINK_POINTER, VMCS_LINK_NONE);
	vmcs_write(TSC_OFFSET, v->tsc_offset);
	/* Bits the guest may not change freely: CR0.NE (required by VMX, the
	 * guest sees its own value), CR0.CD and NW (VM entry does not load
	 * them, SDM 26.3.2.1: a guest's value would become the CPU's, for the
	 * VMM and every other guest; the guest sees its own in the shadow,
	 * guest RAM stays write-back through EPT) and VMCS_CR4_OWNED. */
	vmcs_write(CR0_GUEST_HOST_MASK, VMCS_CR0_OWNED);
	vmcs_write(CR4_GUEST_HOST_MASK, VMCS_CR4_OWNED);
	return 0;
}

static void write_host_state(void)
{
	struct cpu *c = this_cpu();
	struct desc_ptr idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CR3, read_cr3());
	vmcs_write(HOST_CR4, read_cr4());
	vmcs_write(HOST_CS_SEL, GDT_CODE64);
	vmcs_write(HOST_SS_SEL, GDT_DATA);
	vmcs_write(HOST_DS_SEL, GDT_DATA);
	vmcs_write(HOST_ES_SEL, GDT_DATA);
	vmcs_write(HOST_FS_SEL, 0);
	vmcs_write(HOST_GS_SEL, 0);
	vmcs_write(HOST_TR_SEL, GDT_TSS);
	vmcs_write(HOST_FS_BASE, 0);
	vmcs_write(HOST_GS_BASE, (uint64_t)(uintptr_t)c);
	vmcs_write(HOST_TR_BASE, (uint64_t)(uintptr_t)&c->tss);
	vmcs_write(HOST_GDTR_BASE, (uint64_t)(uintptr_t)c->gdt);
	vmcs_write(HOST_IDTR_BASE, idtr.base);
	vmcs_write(HOST_SYSENTER_CS, 0);
	vmcs_write(HOST_SYSENTER_ESP, 0);
	vmcs_write(HOST_SYSENTER_EIP, 0);
	vmcs_write(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_landing);
}

int vmcs_load(struct vcpu *v)
{
	struct cpu *c = this_cpu();
	if (c->current_vmcs == v->vmcs)
		return 0;
	if (!vmx_vmptrld(v->vmcs)) {
		pr_err("VMPTRLD 0x%llx failed", (unsigned long long)v->vmcs);
		return -EIO;
	}
	c->current_vmcs = v->vmcs;
	return 0;
}

/* A VM's EPT root and a vCPU's VPID are reused once their VM is gone:
 * drop what this CPU may still cache for them before the vCPU's first entry
 * (SDM Vol. 3C 28.3.3.3 "Guidelines for Use of the INVVPID Instruction",
 * 28.3.3.4 INVEPT). vCPUs are pinned, so the CPU that runs a vCPU is the
 * one that flushes for it. */
static bool flush_stale_translations(const struct vcpu *v)
{
	uint64_t cap = vmx_caps.ept_vpid;
	bool ok = vmx_invept(cap & EPT_CAP_INVEPT_SINGLE ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT,
			     ept_eptp(&v->vm->ept));
	ok &= vmx_invvpid(cap & VPID_CAP_SINGLE ? INVVPID_SINGLE_CONTEXT : INVVPID_ALL_CONTEXT, v->vpid);
	return ok;
}

int vmcs_setup(struct vcpu *v)
{
	*(volatile uint32_t *)(uintptr_t)v->vmcs = vmx_caps.revision;
	if (!vmx_vmclear(v->vmcs)) {
		pr_err("VMCLEAR 0x%llx failed", (unsigned long long)v->vmcs);
		return -EIO;
	}
	this_cpu()->current_vmcs = 0;
	if (vmcs_load(v))
		return -EIO;
	vmcs_errors();
	if (write_controls(v))
		return -EIO;
	write_host_state();
	/* vCPU 0 starts at the loader's entry point (its EAX/EBX or RSI are
	 * in v->regs); APs wait for SIPI, which rewrites this state. */
	if (v->start64.on)
		vmcs_guest_long_flat(v->start_rip, &v->start64);
	else
		vmcs_guest_protected_flat((uint32_t)v->start_rip);
	uint32_t n = vmcs_errors();
	if (n) {
		pr_err("vcpu %u: %u VMCS writes failed", v->id, n);
		return -EIO;
	}
	if (!flush_stale_translations(v)) {
		pr_err("vcpu %u: INVEPT/INVVPID failed", v->id);
		return -EIO;
	}
	v->vmcs_ready = true;
	v->launched = false;
	return 0;
}

void vmcs_dump_guest(struct vcpu *v)
{
	pr_err("  rip %016llx rsp %016llx rflags %016llx cr0 %llx cr3 %llx cr4 %llx efer %llx",
	       (unsigned long long)vmcs_read(GUEST_RIP), (unsigned long long)vmcs_read(GUEST_RSP),
	       (unsigned long long)vmcs_read(GUEST_RFLAGS), (unsigned long long)vmcs_read(GUEST_CR0),
	       (unsigned long long)vmcs_read(GUEST_CR3), (unsigned long long)vmcs_read(GUEST_CR4),
	       (unsigned long long)vmcs_read(GUEST_IA32_EFER));
	pr_err("  cs %04llx base %llx limit %llx ar %llx; ss %04llx ar %llx; tr ar %llx",
	       (unsigned long long)vmcs_read(GUEST_CS_SEL), (unsigned long long)vmcs_read(GUEST_CS_BASE),
	       (unsigned long long)vmcs_read(GUEST_CS_LIMIT), (unsigned long long)vmcs_read(GUEST_CS_AR),
	       (unsigned long long)vmcs_read(GUEST_SS_SEL), (unsigned long long)vmcs_read(GUEST_SS_AR),
	       (unsigned long long)vmcs_read(GUEST_TR_AR));
	pr_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx", (unsigned long long)v->regs[RAX],
	       (unsigned long long)v->regs[RBX], (unsigned long long)v->regs[RCX],
	       (unsigned long long)v->regs[RDX]);
	pr_err("  rsi %016llx rdi %016llx rbp %016llx", (unsigned long long)v->regs[RSI],
	       (unsigned long long)v->regs[RDI], (unsigned long long)v->regs[RBP]);
	pr_err("  interruptibility %llx activity %llx idt-vectoring %llx",
	       (unsigned long long)vmcs_read(GUEST_INTERRUPTIBILITY),
	       (unsigned long long)vmcs_read(GUEST_ACTIVITY_STATE),
	       (unsigned long long)vmcs_read(IDT_VECTORING_INFO));
}

void vmcs_dump_entry_failure(struct vcpu *v, int vmfail, char *why, unsigned whylen)
{
	if (vmfail) {
		uint64_t err = vmcs_read(VM_INSTRUCTION_ERROR);
		snprintf(why, whylen, "VM entry failed: VM-instruction error %llu (%s)",
			 (unsigned long long)err, vm_instruction_error_name(err));
	} else {
		uint64_t reason = vmcs_read(VM_EXIT_REASON), qual = vmcs_read(EXIT_QUALIFICATION);
		const char *what = EXIT_REASON_BASIC(reason) == EXIT_INVALID_GUEST_STATE
				       ? "invalid guest state"
				   : EXIT_REASON_BASIC(reason) == EXIT_MSR_LOADING   ? "MSR loading"
				   : EXIT_REASON_BASIC(reason) == EXIT_MACHINE_CHECK ? "machine check"
										     : "unknown";
		char check[96];
		const char *failed = vmcs_check_guest_state(check, sizeof(check));
		snprintf(why, whylen, "VM entry failed: %s (exit reason %llu, qualification %llu%s): %s",
			 what, (unsigned long long)EXIT_REASON_BASIC(reason), (unsigned long long)qual,
			 qual == 2   ? ", PDPTE load"
			 : qual == 3 ? ", NMI injection"
			 : qual == 4 ? ", VMCS link pointer"
				     : "",
			 failed ? failed : "no implemented check fails");
	}
	vmcs_dump_guest(v);
}
