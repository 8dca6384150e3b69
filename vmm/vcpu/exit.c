/* SPDX-License-Identifier: GPL-2.0-only */
/* exit.c: the VM-exit dispatcher and the small handlers (Intel SDM Vol. 3C
 * 25.1-25.2 "Instructions That Cause VM Exits", 28.2 exit information,
 * Appendix C reasons). Anything unexpected dumps the exit and the guest
 * state and kills that VM only; the VMM and other VMs carry on. */
#define LOG_PREFIX "exit"
#include "vmm/vcpu/exit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "shared/coopvmm_hypercall.h"
#include "vmm/vcpu/guest_mem.h"
#include "vmm/platform/log.h"
#include "vmm/platform/timer.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vcpu/vmcs.h"
#include "vmm/vcpu/vmcs_access.h"
#include "vmm/platform/vmx.h"

/* CPUID leaf 1 bits whose MSRs or state the VMM does not provide: hidden,
 * so that every feature CPUID shows works (docs/guest-platform.md). */
#define HIDDEN_CPUID1_ECX                                                                                    \
	(CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_MONITOR | CPUID1_ECX_XSAVE | CPUID1_ECX_OSXSAVE |      \
	 CPUID1_ECX_AVX | CPUID1_ECX_DTES64 | CPUID1_ECX_DSCPL | CPUID1_ECX_EST | CPUID1_ECX_TM2 |           \
	 CPUID1_ECX_XTPR | CPUID1_ECX_PDCM | CPUID1_ECX_DCA)
#define HIDDEN_CPUID1_EDX (CPUID1_EDX_MCA | CPUID1_EDX_DS | CPUID1_EDX_ACPI | CPUID1_EDX_TM | CPUID1_EDX_PBE)

/* CR4 bits a guest may set, where the CPU supports them in VMX operation
 * (IA32_VMX_CR4_FIXED1): VMXE, SMXE, OSXSAVE, LA57 and PKE belong to
 * features CPUID hides (the VMM's guest page walk is 4-level, XSAVE and
 * PKRU state are not switched), so setting them is #GP. */
#define GUEST_CR4_SETTABLE                                                                                   \
	(CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE |            \
	 CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP | CR4_FSGSBASE | CR4_PCIDE | CR4_SMEP | CR4_SMAP)

static uint64_t gpr(struct vcpu *v, unsigned n)
{
	return n == RSP ? vmcs_read(GUEST_RSP) : v->regs[n];
}

static void set_gpr(struct vcpu *v, unsigned n, uint64_t val)
{
	if (n == RSP)
		vmcs_write(GUEST_RSP, val);
	else
		v->regs[n] = val;
}

bool exit_single_stepping(void)
{
	return (vmcs_read(GUEST_RFLAGS) & RFLAGS_TF) && !(vmcs_read(GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF);
}

unsigned exit_rep_batch(void)
{
	return exit_single_stepping() ? 1 : EXIT_REP_BATCH;
}

void exit_single_step_trap(void)
{
	/* The instruction the VMM carried out ends as the CPU's would: with
	 * EFLAGS.TF set, a single-step #DB (DR6.BS) follows it (SDM Vol. 3B
	 * 17.3.1.4), delivered by the VM entry (26.6.3). */
	if (exit_single_stepping())
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | PENDING_DBG_BS);
}

/* Data and I/O breakpoints (SDM Vol. 3B 17.2.4-17.2.5) on an access the
 * VMM carried out for the guest: the CPU would have raised a #DB trap after
 * the instruction; the VM entry raises it (pending debug exceptions B0-B3,
 * 26.6.3). DR0-DR3 are the guest's, live on this CPU (vmm/vcpu/vcpu_run.c). */
bool exit_breakpoints(enum bp_kind kind, uint64_t addr, unsigned size)
{
	uint64_t dr7 = vmcs_read(GUEST_DR7), hits = 0;
	if (!(dr7 & DR7_ENABLE_BITS))
		return false;
	const uint64_t dr[DR_BREAKPOINTS] = {read_dr0(), read_dr1(), read_dr2(), read_dr3()};
	for (unsigned i = 0; i < DR_BREAKPOINTS; i++) {
		if (!DR7_ENABLED(dr7, i))
			continue;
		unsigned rw = DR7_RW(dr7, i);
		bool watch = kind == BP_IO	? rw == DR7_RW_IO && (vmcs_read(GUEST_CR4) & CR4_DE)
			     : kind == BP_WRITE ? rw == DR7_RW_WRITE || rw == DR7_RW_ACCESS
						: rw == DR7_RW_ACCESS;
		if (!watch)
			continue;
		uint64_t len = DR7_LEN_BYTES(DR7_LEN(dr7, i)), start = dr[i] & ~(len - 1);
		if (addr < start + len && start < addr + size)
			hits |= PENDING_DBG_B(i);
	}
	if (hits)
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | hits | PENDING_DBG_ENABLED_BP);
	return hits != 0;
}

bool exit_breakpoints_armed(void)
{
	return (vmcs_read(GUEST_DR7) & DR7_ENABLE_BITS) != 0;
}

void exit_resume(struct vcpu *v)
{
	if (v->io.cont == IO_CONT_MMIO)
		exit_mmio_resume(v);
	else
		exit_io_resume(v);
}

void exit_advance_rip(uint64_t len)
{
	vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + len);
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
		vmcs_write(GUEST_INTERRUPTIBILITY,
			   intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
	exit_single_step_trap();
}

void exit_skip_instruction(void)
{
	exit_advance_rip(vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

static void handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs[RAX], sub = (uint32_t)v->regs[RCX];
	struct cpuid_regs r = {0, 0, 0, 0};
	if (leaf >= COOP_CPUID_BASE && leaf <= COOP_CPUID_LAST) {
		if (leaf == COOP_CPUID_BASE) {
			static const char sig[12] = "CoopVMMCoopV";
			r.eax = COOP_CPUID_FEATURES;
			memcpy(&r.ebx, sig, 4);
			memcpy(&r.ecx, sig + 4, 4);
			memcpy(&r.edx, sig + 8, 4);
		} else if (leaf == COOP_CPUID_FEATURES) {
			r.eax = (uint32_t)timer_rates.tsc_khz;
			r.ebx = COOP_CPUID_HV_FEATURES_HYPERCALL;
		}
	} else {
		/* A leaf above the highest basic or extended leaf answers as the
		 * highest basic leaf (SDM Vol. 2A CPUID): filtered as that leaf. */
		uint32_t max_basic = cpuid(0, 0).eax;
		if (leaf < CPUID_EXT_MAX ? leaf > max_basic : leaf > cpuid(CPUID_EXT_MAX, 0).eax)
			leaf = max_basic;
		r = cpuid(leaf, sub);
		switch (leaf) {
		case 1:
			r.ecx &= ~HIDDEN_CPUID1_ECX;
			r.edx &= ~HIDDEN_CPUID1_EDX;
			r.ecx |= CPUID1_ECX_HYPERVISOR | CPUID1_ECX_X2APIC;
			/* EBX[23:16] (below) is valid with HTT set (table 3-8). */
			r.edx |= CPUID1_EDX_HTT;
			/* A globally disabled APIC is absent (SDM Vol. 3A 10.4.3). */
			if (!(vlapic_get_apic_base(&v->lapic) & APIC_BASE_ENABLE))
				r.edx &= ~CPUID1_EDX_APIC;
			r.ebx = (r.ebx & 0xffffU) | (v->id << CPUID1_EBX_APIC_ID_SHIFT) |
				(v->vm->nvcpus << CPUID1_EBX_LOGICAL_SHIFT);
			break;
		case CPUID_LEAF_STRUCT_EXT:
			if (sub == 0) {
				r.ebx &= ~(CPUID7_EBX_AVX2 | CPUID7_EBX_AVX512F | CPUID7_EBX_SGX |
					   CPUID7_EBX_PQM | CPUID7_EBX_MPX | CPUID7_EBX_PQE | CPUID7_EBX_PT);
				r.edx &= ~CPUID7_EDX_SPEC_MSRS;
				r.ecx &= ~(CPUID7_ECX_PKU | CPUID7_ECX_OSPKE | CPUID7_ECX_LA57);
			}
			break;
		case CPUID_LEAF_THERMAL:
		case CPUID_LEAF_PERFMON:
		case CPUID_LEAF_XSAVE:
			r = (struct cpuid_regs){0, 0, 0, 0};
			break;
		case CPUID_LEAF_TOPOLOGY:
		case CPUID_LEAF_TOPOLOGY_V2:
			r.edx = v->id; /* x2APIC ID of this vCPU */
			break;
		default:
			break;
		}
	}
	v->regs[RAX] = r.eax;
	v->regs[RBX] = r.ebx;
	v->regs[RCX] = r.ecx;
	v->regs[RDX] = r.edx;
	exit_skip_instruction();
}

/* VMCALL: the hypercall interface of shared/coopvmm_hypercall.h. Unknown
 * numbers answer -ENOSYS in RAX, as KVM and Xen do, never #UD. */
static void handle_vmcall(struct vcpu *v)
{
	bool wide = guest_addr_size() == 8;
	uint64_t nr = wide ? v->regs[RAX] : (uint32_t)v->regs[RAX];
	int64_t ret;
	if (guest_cpl() != 0) {
		ret = -COOP_HC_EPERM;
	} else {
		switch (nr) {
		case COOP_HC_VERSION:
			ret = COOP_HC_ABI_VERSION;
			v->regs[RBX] = COOP_HC_F_VERSION;
			break;
		default:
			ret = -COOP_HC_ENOSYS;
			break;
		}
	}
	v->regs[RAX] = wide ? (uint64_t)ret : (uint32_t)ret;
	exit_skip_instruction();
}

static void handle_hlt(struct vcpu *v)
{
	exit_skip_instruction();
	v->state = VCPU_HALTED;
}

/* The checks of WRMSR to the syscall MSRs (SDM Vol. 4 table 2-2). */
static bool valid_syscall_msr_write(uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_STAR:
		return true;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
		return guest_canonical(val);
	case MSR_SFMASK:
	case MSR_TSC_AUX:
		return !(val & MSR_HIGH32_RESERVED);
	default:
		return false;
	}
}

static bool efer_write(uint64_t val)
{
	uint64_t cur = vmcs_read(GUEST_IA32_EFER);
	/* LMA is the CPU's: a write keeps it (SDM Vol. 3A 9.8.5, Vol. 4 table 2-2). */
	val = (val & ~EFER_LMA) | (cur & EFER_LMA);
	if (val & ~EFER_DEFINED)
		return false;
	/* LME cannot change while paging is on (9.8.5.4). */
	if (((val ^ cur) & EFER_LME) && (vmcs_read(GUEST_CR0) & CR0_PG))
		return false;
	vmcs_write(GUEST_IA32_EFER, val);
	return true;
}

static void set_tsc_offset(struct vcpu *v, uint64_t offset)
{
	v->tsc_adjust += offset - v->tsc_offset;
	v->tsc_offset = offset;
	vmcs_write(TSC_OFFSET, offset);
}

/* Read or write an allowed MSR; false means #GP. Every value written to
 * the VMCS or to a CPU register is checked first as the CPU would check a
 * WRMSR of it: the VMM never executes a WRMSR it has not validated. */
static bool msr_access(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	uint64_t now = rdtsc();
	switch (msr) {
	case MSR_IA32_TSC:
		/* WRMSR sets the guest's TSC through the offset; TSC_ADJUST
		 * follows by the same amount (SDM Vol. 3B 17.17.3). */
		if (write)
			set_tsc_offset(v, *val - now);
		else
			*val = now + v->tsc_offset;
		return true;
	case MSR_IA32_TSC_ADJUST:
		if (write)
			set_tsc_offset(v, v->tsc_offset + (*val - v->tsc_adjust));
		else
			*val = v->tsc_adjust;
		return true;
	case MSR_IA32_APIC_BASE:
		if (write)
			return vlapic_set_apic_base(&v->lapic, *val) == 0;
		*val = vlapic_get_apic_base(&v->lapic);
		return true;
	case MSR_IA32_TSC_DEADLINE: {
		/* The guest writes and reads deadlines on its own TSC; the vLAPIC
		 * counts on the host's. 0 disarms in both. */
		uint64_t host = write && *val ? *val - v->tsc_offset : *val;
		if (vlapic_tsc_deadline(&v->lapic, write, &host, now))
			return false;
		if (!write)
			*val = host ? host + v->tsc_offset : 0;
		return true;
	}
	case MSR_IA32_EFER:
		if (write)
			return efer_write(*val);
		*val = vmcs_read(GUEST_IA32_EFER);
		return true;
	case MSR_IA32_PAT:
		if (write) {
			/* Each entry must be a valid memory type (SDM 11.12.2): 0, 1, 4-7. */
			for (unsigned i = 0; i < PAT_ENTRIES; i++) {
				uint8_t t = (uint8_t)PAT_ENTRY(*val, i);
				if (!PAT_TYPE_VALID(t))
					return false;
			}
			vmcs_write(GUEST_IA32_PAT, *val);
		} else
			*val = vmcs_read(GUEST_IA32_PAT);
		return true;
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP: {
		static const uint32_t f[] = {GUEST_SYSENTER_CS, GUEST_SYSENTER_ESP, GUEST_SYSENTER_EIP};
		if (write) {
			/* ESP/EIP must be canonical (WRMSR; VM entry checks it too, 26.3.1.1). */
			if (msr != MSR_IA32_SYSENTER_CS && !guest_canonical(*val))
				return false;
			vmcs_write(f[msr - MSR_IA32_SYSENTER_CS], *val);
		} else
			*val = vmcs_read(f[msr - MSR_IA32_SYSENTER_CS]);
		return true;
	}
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (write) {
			if (!guest_canonical(*val))
				return false; /* else the next VM entry fails (26.3.1.2) */
			vmcs_write(msr == MSR_FS_BASE ? GUEST_FS_BASE : GUEST_GS_BASE, *val);
		} else
			*val = vmcs_read(msr == MSR_FS_BASE ? GUEST_FS_BASE : GUEST_GS_BASE);
		return true;
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SFMASK:
	case MSR_KERNEL_GS_BASE:
	case MSR_TSC_AUX:
		/* The VMM never uses these: the guest's values stay in the CPU
		 * while it runs and are switched with its FPU state. A value the
		 * CPU would refuse is the guest's #GP, never the VMM's. */
		if (write) {
			if (!valid_syscall_msr_write(msr, *val))
				return false;
			wrmsr(msr, *val);
		} else {
			*val = rdmsr(msr);
		}
		return true;
	case MSR_IA32_DEBUGCTL:
		/* The guest's, in the VMCS. BTF is the one bit offered: LBR, BTS
		 * and the freeze bits need MSRs and a DS area the VMM does not
		 * provide, so they are #GP as bits the CPU lacks (Vol. 3B 17.4.1). */
		if (write) {
			if (*val & ~DEBUGCTL_BTF)
				return false;
			vmcs_write(GUEST_IA32_DEBUGCTL, *val);
		} else {
			*val = vmcs_read(GUEST_IA32_DEBUGCTL);
		}
		return true;
	case MSR_IA32_MISC_ENABLE:
		/* Fast strings is the one bit a guest may change; the others
		 * read as the VMM reports them and must be written back so. */
		if (write) {
			if ((*val ^ v->misc_enable) & ~MISC_ENABLE_FAST_STRINGS)
				return false;
			v->misc_enable = *val;
		} else {
			*val = v->misc_enable;
		}
		return true;
	case MSR_IA32_MTRRCAP:
	case MSR_IA32_MTRR_DEF_TYPE:
		if (write)
			return msr == MSR_IA32_MTRR_DEF_TYPE; /* accepted, no effect: EPT sets WB */
		*val = 0;
		return true;
	default:
		if (msr >= MSR_X2APIC_BASE && msr <= MSR_X2APIC_LAST)
			return vlapic_msr(&v->lapic, msr, write, val, now) == 0;
		return false;
	}
}

static void handle_msr(struct vcpu *v, bool write)
{
	uint32_t msr = (uint32_t)v->regs[RCX];
	uint64_t val = write ? ((v->regs[RDX] << 32) | (uint32_t)v->regs[RAX]) : 0;
	uint64_t flags = spin_lock_irqsave(&v->vm->lock);
	bool ok = msr_access(v, msr, write, &val);
	spin_unlock_irqrestore(&v->vm->lock, flags);
	if (!ok) {
		virq_inject_exception(v, EXC_GP, true, 0);
		return;
	}
	if (!write) {
		v->regs[RAX] = (uint32_t)val;
		v->regs[RDX] = val >> 32;
	}
	exit_skip_instruction();
}

/* PAE paging: the four PDPTEs at CR3 (SDM Vol. 3A 4.4.1), loaded into the
 * VMCS (with EPT the CPU takes them from there at entry, 26.3.1.6). A
 * PDPTE that is present with a reserved bit set makes the MOV #GP. */
static bool load_pdptes(struct vcpu *v, uint64_t cr3)
{
	const uint64_t *pdpte =
	    vm_gpa_ptr(v->vm, cr3 & PAE_CR3_PDPT_MASK, PAE_PDPTE_COUNT * sizeof(uint64_t));
	uint64_t e[PAE_PDPTE_COUNT];
	if (!pdpte)
		return false;
	for (unsigned i = 0; i < PAE_PDPTE_COUNT; i++) {
		e[i] = pdpte[i];
		if ((e[i] & PTE_P) && (e[i] & PAE_PDPTE_RESERVED))
			return false;
	}
	for (unsigned i = 0; i < PAE_PDPTE_COUNT; i++)
		vmcs_write(GUEST_PDPTE0 + 2 * i, e[i]);
	return true;
}

/* MOV to CR0 or CR4 (and LMSW, CLTS) that exited because it changed a bit
 * the VMM owns: check the new pair as the CPU checks it (SDM Vol. 2B "MOV
 * to/from Control Registers" #GP conditions, Vol. 3A 2.5, 9.8.5 IA-32e
 * activation, 4.10.1 PCIDE) and only then write it, with the IA-32e mode
 * and the PAE PDPTEs that follow from it. False: #GP, nothing written. */
static bool set_cr0_cr4(struct vcpu *v, uint64_t cr0, uint64_t cr4)
{
	uint64_t efer = vmcs_read(GUEST_IA32_EFER), cr3 = vmcs_read(GUEST_CR3);
	uint64_t old_cr0 = vmcs_read(GUEST_CR0), old_cr4 = vmcs_read(GUEST_CR4);
	uint64_t entry = vmcs_read(VM_ENTRY_CONTROLS);
	if ((cr0 & CR0_RESERVED_HIGH) || (cr4 & ~(GUEST_CR4_SETTABLE & vmx_caps.cr4_fixed1)))
		return false;
	cr0 &= CR0_DEFINED;
	if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
		return false;
	if ((cr0 & CR0_NW) && !(cr0 & CR0_CD))
		return false;
	bool lma = (cr0 & CR0_PG) && (efer & EFER_LME);
	if (lma && !(cr4 & CR4_PAE))
		return false;
	/* Activating IA-32e mode with a 64-bit CS is #GP (9.8.5). */
	if (lma && !(old_cr0 & CR0_PG) && (vmcs_read(GUEST_CS_AR) & AR_L))
		return false;
	if ((cr4 & CR4_PCIDE) && !(old_cr4 & CR4_PCIDE) && (!lma || (cr3 & CR3_PCID_MASK)))
		return false;
	if (!(cr0 & CR0_PG) && (cr4 & CR4_PCIDE))
		return false; /* clearing PG with PCIDE set */
	if (!(cr0 & CR0_PG) && (efer & EFER_LMA) && (vmcs_read(GUEST_CS_AR) & AR_L))
		return false; /* leaving IA-32e mode from 64-bit code */
	if ((cr0 & CR0_PG) && (cr4 & CR4_PAE) && !lma && !load_pdptes(v, cr3))
		return false;
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR0, VMCS_GUEST_CR0(cr0));
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR4, cr4 | CR4_VMXE);
	vmcs_write(GUEST_IA32_EFER, lma ? efer | EFER_LMA : efer & ~EFER_LMA);
	vmcs_write(VM_ENTRY_CONTROLS, lma ? entry | ENTRY_IA32E_MODE_GUEST : entry & ~ENTRY_IA32E_MODE_GUEST);
	return true;
}

/* The guest's view of CR0/CR4: its own bits from the register, the bits
 * the VMM owns from the read shadow (24.6.6). */
static uint64_t guest_cr(uint32_t reg, uint32_t shadow, uint64_t owned)
{
	return (vmcs_read(reg) & ~owned) | (vmcs_read(shadow) & owned);
}

/* MOV to/from CR8 (CR8-load/-store exiting): the guest's TPR belongs to
 * its virtual LAPIC (SDM Vol. 3A 10.8.6.1), never to the physical one. */
static bool cr8_access(struct vcpu *v, bool write, unsigned reg)
{
	struct vm *vm = v->vm;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	bool ok = true;
	if (write)
		ok = vlapic_cr8_write(&v->lapic, gpr(v, reg)) == 0;
	else
		set_gpr(v, reg, vlapic_cr8_read(&v->lapic));
	spin_unlock_irqrestore(&vm->lock, flags);
	return ok;
}

/* The source of MOV to CR0/CR4: 64 bits in 64-bit mode, else the low 32
 * (Vol. 2B MOV: the operand size is 32 outside 64-bit mode, whatever bits
 * 63:32 of the register still hold from 64-bit code). */
static uint64_t cr_operand(struct vcpu *v, unsigned reg)
{
	uint64_t val = gpr(v, reg);
	return guest_addr_size() == 8 ? val : (uint32_t)val;
}

static void handle_cr(struct vcpu *v)
{
	uint64_t q = vmcs_read(EXIT_QUALIFICATION);
	unsigned cr = CRQ_NUM(q), type = CRQ_TYPE(q);
	uint64_t cr0 = guest_cr(GUEST_CR0, CR0_READ_SHADOW, VMCS_CR0_OWNED);
	uint64_t cr4 = guest_cr(GUEST_CR4, CR4_READ_SHADOW, VMCS_CR4_OWNED);
	bool ok;
	if (cr == 8 && (type == CRQ_MOV_TO || type == CRQ_MOV_FROM)) {
		ok = cr8_access(v, type == CRQ_MOV_TO, CRQ_GPR(q));
	} else if (type == CRQ_MOV_TO && cr == 0) {
		ok = set_cr0_cr4(v, cr_operand(v, CRQ_GPR(q)), cr4);
	} else if (type == CRQ_MOV_TO && cr == 4) {
		ok = set_cr0_cr4(v, cr0, cr_operand(v, CRQ_GPR(q)));
	} else if (type == CRQ_LMSW) {
		/* Bits 3:0 of CR0; LMSW cannot clear PE (Vol. 2A LMSW). */
		uint64_t src = CRQ_LMSW_SRC(q) & (CR0_PE | CR0_MP | CR0_EM | CR0_TS);
		ok = set_cr0_cr4(v, (cr0 & ~(CR0_MP | CR0_EM | CR0_TS)) | src, cr4);
	} else if (type == CRQ_CLTS) {
		ok = set_cr0_cr4(v, cr0 & ~CR0_TS, cr4);
	} else {
		vm_kill(v->vm, "unexpected control-register exit: qualification 0x%llx",
			(unsigned long long)q);
		return;
	}
	if (!ok) {
		virq_inject_exception(v, EXC_GP, true, 0);
		return;
	}
	exit_skip_instruction();
}

/* EXIT_EXCEPTION_NMI: a host NMI (the exception bitmap is empty). With
 * NMI exiting the NMI is blocked until an IRET (27.5.5 is not taken by the
 * host): deliver it through the host IDT. */
static void handle_nmi(struct vcpu *v)
{
	(void)v;
	if ((vmcs_read(VM_EXIT_INTR_INFO) & INTR_TYPE_MASK) == INTR_TYPE_NMI)
		nmi_self();
}

/* External interrupt, preemption timer, interrupt and NMI windows: the host
 * takes the interrupt; injection happens at entry. INIT: not sent by the
 * VMM to a running guest; a stray one is ignored. */
static void handle_nothing(struct vcpu *v)
{
	(void)v;
}

static void handle_rdmsr(struct vcpu *v)
{
	handle_msr(v, false);
}

static void handle_wrmsr(struct vcpu *v)
{
	handle_msr(v, true);
}

/* INVD, WBINVD: guest RAM is write-back and coherent: nothing to flush for
 * it, and a guest must not flush the caches of the whole machine. */
static void handle_cache_flush(struct vcpu *v)
{
	(void)v;
	exit_skip_instruction();
}

/* RDPMC: CPUID leaf 0xa shows no counters: every index is invalid (#GP). */
static void handle_rdpmc(struct vcpu *v)
{
	virq_inject_exception(v, EXC_GP, true, 0);
}

/* Instructions of features CPUID does not offer: undefined (#UD). */
static void handle_undefined(struct vcpu *v)
{
	virq_inject_exception(v, EXC_UD, false, 0);
}

static void handle_triple_fault(struct vcpu *v)
{
	struct vm *vm = v->vm;
	pr_err("vm %u %s vcpu %u: triple fault", vm->id, vm->name, v->id);
	vmcs_dump_guest(v);
	vm_kill(vm, "triple fault at rip 0x%llx", (unsigned long long)vmcs_read(GUEST_RIP));
}

static void handle_ept_misconfig(struct vcpu *v)
{
	vm_kill(v->vm, "EPT misconfiguration at GPA 0x%llx (VMM bug)",
		(unsigned long long)vmcs_read(GUEST_PHYSICAL_ADDRESS));
}

/* The handler of each basic exit reason (SDM Vol. 3D Appendix C). A
 * reason without one (or past the table) is unhandled: the VM is killed. */
static void (*const exit_handlers[EXIT_REASONS])(struct vcpu *v) = {
    [EXIT_EXCEPTION_NMI] = handle_nmi,
    [EXIT_EXTERNAL_INTERRUPT] = handle_nothing,
    [EXIT_TRIPLE_FAULT] = handle_triple_fault,
    [EXIT_INIT] = handle_nothing,
    [EXIT_INTERRUPT_WINDOW] = handle_nothing,
    [EXIT_NMI_WINDOW] = handle_nothing,
    [EXIT_CPUID] = handle_cpuid,
    [EXIT_GETSEC] = handle_undefined,
    [EXIT_HLT] = handle_hlt,
    [EXIT_INVD] = handle_cache_flush,
    [EXIT_RDPMC] = handle_rdpmc,
    [EXIT_VMCALL] = handle_vmcall,
    [EXIT_VMCLEAR] = handle_undefined,
    [EXIT_VMLAUNCH] = handle_undefined,
    [EXIT_VMPTRLD] = handle_undefined,
    [EXIT_VMPTRST] = handle_undefined,
    [EXIT_VMREAD] = handle_undefined,
    [EXIT_VMRESUME] = handle_undefined,
    [EXIT_VMWRITE] = handle_undefined,
    [EXIT_VMXOFF] = handle_undefined,
    [EXIT_VMXON] = handle_undefined,
    [EXIT_CR_ACCESS] = handle_cr,
    [EXIT_IO_INSTRUCTION] = exit_io,
    [EXIT_RDMSR] = handle_rdmsr,
    [EXIT_WRMSR] = handle_wrmsr,
    [EXIT_MWAIT] = handle_undefined,
    [EXIT_MONITOR] = handle_undefined,
    [EXIT_EPT_VIOLATION] = exit_ept_violation,
    [EXIT_EPT_MISCONFIG] = handle_ept_misconfig,
    [EXIT_INVEPT] = handle_undefined,
    [EXIT_PREEMPTION_TIMER] = handle_nothing,
    [EXIT_INVVPID] = handle_undefined,
    [EXIT_WBINVD] = handle_cache_flush,
    [EXIT_XSETBV] = handle_undefined,
};

const char *exit_reason_name(uint32_t reason)
{
	return exit_reason_short_name(reason);
}

static void unhandled(struct vcpu *v, uint32_t reason)
{
	pr_err("vm %u %s vcpu %u: unhandled exit %u (%s), qualification 0x%llx", v->vm->id, v->vm->name,
	       v->id, reason, exit_reason_name(reason), (unsigned long long)vmcs_read(EXIT_QUALIFICATION));
	vmcs_dump_guest(v);
	vm_kill(v->vm, "unhandled exit %u (%s) at rip 0x%llx", reason, exit_reason_name(reason),
		(unsigned long long)vmcs_read(GUEST_RIP));
}

void exit_dispatch(struct vcpu *v, uint32_t reason)
{
	if (reason < EXIT_REASONS)
		v->vm->exit_count[reason]++;
	virq_save_idt_vectoring(v);
	if (reason < EXIT_REASONS && exit_handlers[reason])
		exit_handlers[reason](v);
	else
		unhandled(v, reason);
}
