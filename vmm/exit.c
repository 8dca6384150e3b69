/* exit.c: the VM-exit dispatcher and the small handlers (Intel SDM Vol. 3C
 * 25.1-25.2 "Instructions That Cause VM Exits", 28.2 exit information,
 * Appendix C reasons). Anything unexpected dumps the exit and the guest
 * state and kills that VM only; the VMM and other VMs carry on. */
#define LOG_PREFIX "exit"
#include "vmm/exit.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "vmm/log.h"
#include "vmm/timer.h"
#include "vmm/virq.h"
#include "vmm/vm.h"
#include "vmm/vmcs.h"
#include "vmm/vmcs_access.h"

#define EXC_UD 6
#define EXC_GP 13
#define CPUID_HV_BASE 0x40000000U
#define CPUID_HV_LAST 0x400000ffU
#define CPUID_HV_MAX 0x40000001U
#define CPUID1_ECX_MONITOR (1U << 3)
#define CPUID1_ECX_SMX (1U << 6)
#define CPUID1_ECX_XSAVE (1U << 26)
#define CPUID1_ECX_OSXSAVE (1U << 27)
#define CPUID1_ECX_AVX (1U << 28)
#define CPUID1_EBX_APIC_ID_SHIFT 24
#define CPUID1_EBX_LOGICAL_SHIFT 16
#define CPUID_LEAF_THERMAL 6
#define CPUID_LEAF_EXT_FEATURES 7
#define CPUID_LEAF_PERFMON 0xa
#define CPUID_LEAF_TOPOLOGY 0xb
#define CPUID_LEAF_XSAVE 0xd
#define CPUID7_EBX_AVX2 (1U << 5)
#define CPUID7_EBX_AVX512F (1U << 16)
#define CR4_OSXSAVE (1ULL << 18)
#define CR4_SMXE (1ULL << 14)
#define CR0_RESERVED_HIGH 0xffffffff00000000ULL
#define CR4_PAE_BIT (1ULL << 5)
#define PDPTE_COUNT 4

/* MSRs a guest may use; everything else is #GP (docs/guest-platform.md). */
enum msr_policy { MSR_RW_SHADOW, MSR_RO_ZERO, MSR_VMCS, MSR_APIC };
#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_CAP 0xfe
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081 /* also in vcpu_run.c's switched list */
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX 0xc0000103
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff
#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)
#define MISC_ENABLE_FAST_STRINGS 1
#define PAT_TYPE_RSVD2 2
#define PAT_TYPE_RSVD3 3
#define PAT_TYPE_MAX 7

static uint64_t gpr(struct vcpu *v, unsigned n)
{
	return n == RSP ? vmcs_read(GUEST_RSP) : v->regs[n];
}

void exit_advance_rip(uint64_t len)
{
	vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + len);
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
		vmcs_write(GUEST_INTERRUPTIBILITY, intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

void exit_skip_instruction(void)
{
	exit_advance_rip(vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

static void handle_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs[RAX], sub = (uint32_t)v->regs[RCX];
	struct cpuid_regs r = { 0, 0, 0, 0 };
	if (leaf >= CPUID_HV_BASE && leaf <= CPUID_HV_LAST) {
		if (leaf == CPUID_HV_BASE) {
			static const char sig[12] = "CoopVMMCoopV";
			r.eax = CPUID_HV_MAX;
			memcpy(&r.ebx, sig, 4);
			memcpy(&r.ecx, sig + 4, 4);
			memcpy(&r.edx, sig + 8, 4);
		} else if (leaf == CPUID_HV_MAX) {
			r.eax = (uint32_t)timer_rates.tsc_khz;
		}
	} else {
		r = cpuid(leaf, sub);
		switch (leaf) {
		case 1:
			r.ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_MONITOR | CPUID1_ECX_XSAVE |
				   CPUID1_ECX_OSXSAVE | CPUID1_ECX_AVX);
			r.ecx |= CPUID1_ECX_HYPERVISOR | CPUID1_ECX_X2APIC;
			r.ebx = (r.ebx & 0xffffU) | (v->id << CPUID1_EBX_APIC_ID_SHIFT) |
				(v->vm->nvcpus << CPUID1_EBX_LOGICAL_SHIFT);
			break;
		case CPUID_LEAF_EXT_FEATURES:
			if (sub == 0)
				r.ebx &= ~(CPUID7_EBX_AVX2 | CPUID7_EBX_AVX512F);
			break;
		case CPUID_LEAF_THERMAL:
		case CPUID_LEAF_PERFMON:
		case CPUID_LEAF_XSAVE:
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
			break;
		case CPUID_LEAF_TOPOLOGY:
			r.edx = v->id;   /* x2APIC ID of this vCPU */
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

static void handle_hlt(struct vcpu *v)
{
	exit_skip_instruction();
	v->state = VCPU_HALTED;
}

/* Read or write an allowed MSR; false means #GP. */
static bool msr_access(struct vcpu *v, uint32_t msr, bool write, uint64_t *val)
{
	uint64_t now = rdtsc();
	switch (msr) {
	case MSR_IA32_TSC:
		if (write)
			return false; /* TSC offsetting is not offered */
		*val = now;
		return true;
	case MSR_IA32_APIC_BASE:
		if (write)
			return vlapic_set_apic_base(&v->lapic, *val) == 0;
		*val = vlapic_get_apic_base(&v->lapic);
		return true;
	case MSR_IA32_TSC_DEADLINE:
		return vlapic_tsc_deadline(&v->lapic, write, val, now) == 0;
	case MSR_IA32_EFER:
		if (write) {
			if (*val & ~EFER_GUEST_WRITABLE)
				return false;
			uint64_t lma = vmcs_read(GUEST_IA32_EFER) & EFER_LMA;
			vmcs_write(GUEST_IA32_EFER, *val | lma);
		} else {
			*val = vmcs_read(GUEST_IA32_EFER);
		}
		return true;
	case MSR_IA32_PAT:
		if (write) {
			/* Each entry must be a valid memory type (SDM 11.12.2): 0, 1, 4-7. */
			for (unsigned i = 0; i < 8; i++) {
				uint8_t t = (uint8_t)(*val >> (8 * i));
				if (t > PAT_TYPE_MAX || t == PAT_TYPE_RSVD2 || t == PAT_TYPE_RSVD3)
					return false;
			}
			vmcs_write(GUEST_IA32_PAT, *val);
		} else
			*val = vmcs_read(GUEST_IA32_PAT);
		return true;
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP: {
		static const uint32_t f[] = { GUEST_SYSENTER_CS, GUEST_SYSENTER_ESP, GUEST_SYSENTER_EIP };
		if (write)
			vmcs_write(f[msr - MSR_IA32_SYSENTER_CS], *val);
		else
			*val = vmcs_read(f[msr - MSR_IA32_SYSENTER_CS]);
		return true;
	}
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (write)
			vmcs_write(msr == MSR_FS_BASE ? GUEST_FS_BASE : GUEST_GS_BASE, *val);
		else
			*val = vmcs_read(msr == MSR_FS_BASE ? GUEST_FS_BASE : GUEST_GS_BASE);
		return true;
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SFMASK:
	case MSR_KERNEL_GS_BASE:
	case MSR_TSC_AUX: {
		/* The VMM never uses these: the guest's values stay in the CPU
		 * while it runs and are switched with its FPU state. */
		if (write)
			wrmsr(msr, *val);
		else
			*val = rdmsr(msr);
		return true;
	}
	case MSR_IA32_MISC_ENABLE:
		if (write)
			return false;
		*val = MISC_ENABLE_FAST_STRINGS;
		return true;
	case MSR_MTRR_CAP:
	case MSR_MTRR_DEF_TYPE:
		if (write)
			return msr == MSR_MTRR_DEF_TYPE; /* accepted, no effect: EPT sets WB */
		*val = 0;
		return true;
	default:
		if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
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

/* After a CR0/CR4 change: IA-32e activation (SDM 9.8.5) and PAE PDPTEs
 * (26.3.1.6: with EPT the CPU loads them from the VMCS at entry). */
static bool update_paging_mode(struct vcpu *v)
{
	uint64_t cr0 = vmcs_read(GUEST_CR0), cr4 = vmcs_read(GUEST_CR4), efer = vmcs_read(GUEST_IA32_EFER);
	uint64_t entry = vmcs_read(VM_ENTRY_CONTROLS);
	bool lma = (cr0 & CR0_PG) && (efer & EFER_LME);
	if (lma && !(cr4 & CR4_PAE_BIT))
		return false;
	vmcs_write(GUEST_IA32_EFER, lma ? efer | EFER_LMA : efer & ~EFER_LMA);
	vmcs_write(VM_ENTRY_CONTROLS, lma ? entry | ENTRY_IA32E_MODE_GUEST : entry & ~ENTRY_IA32E_MODE_GUEST);
	if ((cr0 & CR0_PG) && (cr4 & CR4_PAE_BIT) && !lma) {
		uint64_t cr3 = vmcs_read(GUEST_CR3) & ~0x1fULL;
		uint64_t *pdpte = vm_gpa_ptr(v->vm, cr3, PDPTE_COUNT * sizeof(uint64_t));
		if (!pdpte)
			return false;
		for (unsigned i = 0; i < PDPTE_COUNT; i++)
			vmcs_write(GUEST_PDPTE0 + 2 * i, pdpte[i]);
	}
	return true;
}

static void handle_cr(struct vcpu *v)
{
	uint64_t q = vmcs_read(EXIT_QUALIFICATION);
	unsigned cr = CRQ_NUM(q), type = CRQ_TYPE(q);
	uint64_t val;
	if (type == 0 && cr == 0) {           /* MOV to CR0 */
		val = gpr(v, CRQ_GPR(q));
		if (val & CR0_RESERVED_HIGH) {
			virq_inject_exception(v, EXC_GP, true, 0);
			return;
		}
		vmcs_write(CR0_READ_SHADOW, val);
		vmcs_write(GUEST_CR0, val | CR0_NE);
	} else if (type == 0 && cr == 4) {    /* MOV to CR4 */
		val = gpr(v, CRQ_GPR(q));
		if (val & (CR4_VMXE | CR4_OSXSAVE | CR4_SMXE)) {
			virq_inject_exception(v, EXC_GP, true, 0);  /* features CPUID hides */
			return;
		}
		vmcs_write(CR4_READ_SHADOW, val);
		vmcs_write(GUEST_CR4, val | CR4_VMXE);
	} else if (type == 3) {               /* LMSW: bits 3:0 of CR0; PE cannot be cleared */
		uint64_t shadow = vmcs_read(CR0_READ_SHADOW), src = CRQ_LMSW_SRC(q) & 0xf;
		val = (shadow & ~0xeULL) | src | (shadow & CR0_PE);
		vmcs_write(CR0_READ_SHADOW, val);
		vmcs_write(GUEST_CR0, (vmcs_read(GUEST_CR0) & ~0xfULL) | (val & 0xf) | CR0_NE);
	} else {
		vm_kill(v->vm, "unexpected control-register exit: qualification 0x%llx", (unsigned long long)q);
		return;
	}
	if (!update_paging_mode(v)) {
		virq_inject_exception(v, EXC_GP, true, 0);
		return;
	}
	exit_skip_instruction();
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
	struct vm *vm = v->vm;
	if (reason < EXIT_REASONS)
		vm->exit_count[reason]++;
	virq_save_idt_vectoring(v);
	switch (reason) {
	case EXIT_EXCEPTION_NMI:     /* a host NMI (the exception bitmap is empty) */
	case EXIT_EXTERNAL_INTERRUPT:
	case EXIT_PREEMPTION_TIMER:
	case EXIT_INTERRUPT_WINDOW:
		break;   /* the host takes the interrupt; injection happens at entry */
	case EXIT_CPUID:
		handle_cpuid(v);
		break;
	case EXIT_HLT:
		handle_hlt(v);
		break;
	case EXIT_IO_INSTRUCTION:
		exit_io(v);
		break;
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		handle_msr(v, reason == EXIT_WRMSR);
		break;
	case EXIT_CR_ACCESS:
		handle_cr(v);
		break;
	case EXIT_EPT_VIOLATION:
		exit_ept_violation(v);
		break;
	case EXIT_INVD:
	case EXIT_WBINVD:
		/* Guest RAM is write-back and coherent: nothing to flush for it. */
		exit_skip_instruction();
		break;
	case EXIT_XSETBV:
	case EXIT_MONITOR:
	case EXIT_MWAIT:
	case EXIT_VMCALL:
	case EXIT_VMCLEAR:
	case EXIT_VMLAUNCH:
	case EXIT_VMPTRLD:
	case EXIT_VMPTRST:
	case EXIT_VMREAD:
	case EXIT_VMRESUME:
	case EXIT_VMWRITE:
	case EXIT_VMXOFF:
	case EXIT_VMXON:
	case EXIT_INVEPT:
	case EXIT_INVVPID:
	case EXIT_GETSEC:
		/* Features CPUID does not offer: the instruction is undefined. */
		virq_inject_exception(v, EXC_UD, false, 0);
		break;
	case EXIT_TRIPLE_FAULT:
		pr_err("vm %u %s vcpu %u: triple fault", vm->id, vm->name, v->id);
		vmcs_dump_guest(v);
		vm_kill(vm, "triple fault at rip 0x%llx", (unsigned long long)vmcs_read(GUEST_RIP));
		break;
	case EXIT_EPT_MISCONFIG:
		vm_kill(vm, "EPT misconfiguration at GPA 0x%llx (VMM bug)",
			(unsigned long long)vmcs_read(GUEST_PHYSICAL_ADDRESS));
		break;
	case EXIT_INIT:
		/* Not sent by the VMM to a running guest; ignore a stray one. */
		break;
	default:
		unhandled(v, reason);
		break;
	}
}
