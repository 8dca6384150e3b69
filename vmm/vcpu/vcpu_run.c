/* SPDX-License-Identifier: GPL-2.0-only */
/* vcpu_run.c: the VM entry/exit loop of one vCPU for one time slice (Intel
 * SDM Vol. 3C 26 "VM Entries", 27 "VM Exits", 25.5.1 VMX-preemption timer).
 * Host interrupts are taken between exits; the guest's FPU/SSE state is
 * switched lazily, only when another vCPU ran on this CPU (FXSAVE). */
#define LOG_PREFIX "vcpu"
#include "vmm/vcpu/vcpu_run.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "vmm/vcpu/exit.h"
#include "vmm/vcpu/ioreq.h"
#include "vmm/platform/log.h"
#include "vmm/platform/percpu.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vcpu/vmcs.h"
#include "vmm/vcpu/vmcs_access.h"
#include "vmm/platform/vmx.h"

int vmx_enter(uint64_t regs[GPR_COUNT], int launched);

/* MSRs the guest uses directly (vmm/vcpu/exit.c validates its writes and passes
 * them through), switched with the FPU state when another vCPU runs on
 * this CPU; every value written back is one the guest's CPU held. */
static const uint32_t switched_msrs[VCPU_SWITCHED_MSRS] = {
    MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE, MSR_TSC_AUX,
};

/* The guest state VMX leaves in the CPU: FPU/SSE, the syscall MSRs, CR2,
 * DR0-DR3 and DR6 (SDM Vol. 3C 27.3.1: not saved on exit; DR7 and
 * DEBUGCTL are in the VMCS). One guest never sees another's. */
static void context_switch(struct cpu *c, struct vcpu *v)
{
	struct vcpu *old = c->last_vcpu;
	if (old == v)
		return;
	if (old) {
		__asm__ volatile("fxsave64 %0" : "=m"(old->fpu));
		for (unsigned i = 0; i < VCPU_SWITCHED_MSRS; i++)
			old->msrs[i] = rdmsr(switched_msrs[i]);
		old->cr2 = read_cr2();
		old->dr[0] = read_dr0();
		old->dr[1] = read_dr1();
		old->dr[2] = read_dr2();
		old->dr[3] = read_dr3();
		old->dr6 = read_dr6();
	}
	__asm__ volatile("fxrstor64 %0" ::"m"(v->fpu));
	for (unsigned i = 0; i < VCPU_SWITCHED_MSRS; i++)
		wrmsr(switched_msrs[i], v->msrs[i]);
	write_cr2(v->cr2);
	write_dr0(v->dr[0]);
	write_dr1(v->dr[1]);
	write_dr2(v->dr[2]);
	write_dr3(v->dr[3]);
	write_dr6(v->dr6);
	c->last_vcpu = v;
}

enum run_result vcpu_run(struct vcpu *v, uint64_t slice)
{
	struct cpu *c = this_cpu();
	struct vm *vm = v->vm;
	if (!v->vmcs_ready ? vmcs_setup(v) != 0 : vmcs_load(v) != 0) {
		vm_kill(vm, "vcpu %u: VMCS set-up failed (see the vmcs lines above)", v->id);
		return RUN_STOPPED;
	}
	uint64_t end = rdtsc() + slice;
	uint32_t rate = (uint32_t)VMX_MISC_PREEMPT_RATE(vmx_caps.misc);
	for (;;) {
		if (vm->state != VM_RUNNING)
			return RUN_STOPPED;
		if (vm->paused)
			return RUN_SLICE_DONE; /* the scheduler skips it from now on */
		/* A device request outstanding: the vCPU waits (the completion
		 * kicks this CPU); once answered, its instruction is finished
		 * here, which may make the next request. */
		if (!ioreq_idle(&v->io)) {
			bool resume;
			if (!ioreq_ready(v, &resume))
				return RUN_IDLE;
			if (resume) {
				context_switch(c, v); /* its DR0-DR3 and CR2 live, as at the exit */
				exit_resume(v);
				continue;
			}
		}
		if (!virq_prepare_entry(v))
			return RUN_IDLE;
		uint64_t now = rdtsc();
		uint64_t until = v->next_deadline < end ? v->next_deadline : end;
		uint64_t ticks = until > now ? (until - now) >> rate : 0;
		vmcs_write(VMX_PREEMPTION_TIMER, ticks > UINT32_MAX ? UINT32_MAX : ticks);
		context_switch(c, v);
		int fail = vmx_enter(v->regs, v->launched);
		if (fail) {
			char why[sizeof(vm->why)];
			vmcs_dump_entry_failure(v, 1, why, sizeof(why));
			vm_kill(vm, "%s", why);
			return RUN_STOPPED;
		}
		uint32_t reason = (uint32_t)vmcs_read(VM_EXIT_REASON);
		if (reason & EXIT_REASON_ENTRY_FAIL) {
			char why[sizeof(vm->why)];
			vmcs_dump_entry_failure(v, 0, why, sizeof(why));
			vm_kill(vm, "%s", why);
			return RUN_STOPPED;
		}
		v->launched = true;
		v->exits++;
		exit_dispatch(v, EXIT_REASON_BASIC(reason));
		/* Take the host interrupt that caused an external-interrupt exit. */
		irq_window();
		if (rdtsc() >= end)
			return RUN_SLICE_DONE;
	}
}
