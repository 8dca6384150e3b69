/* SPDX-License-Identifier: GPL-2.0-only */
/* percpu.h: what the VMM knows about each CPU: identity, role in the
 * partitioning (VMM or reserved for an IOPM), state, VMX state, and the
 * CPU's own descriptor tables and stacks. GS_BASE points at the CPU's
 * struct cpu, whose first field points at itself. */
#ifndef VMM_PERCPU_H
#define VMM_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/desc.h"
#include "arch/x86/layout.h"

enum cpu_role { CPU_ROLE_VMM, CPU_ROLE_IOPM };
enum cpu_state { CPU_ABSENT, CPU_PENDING, CPU_ONLINE, CPU_RESERVED, CPU_FAILED, CPU_STOPPED };

struct vcpu;
struct runq;

struct cpu {
	struct cpu *self; /* %gs:0 */
	uint32_t index;	  /* logical index: 0 is the BSP */
	uint32_t apic_id;
	enum cpu_role role;
	uint32_t iopm; /* IOPM number when role == CPU_ROLE_IOPM */
	volatile enum cpu_state state;
	bool vmx_on;
	const char *vmx_error; /* why VMXON failed or was not tried */
	uint64_t vmxon_region; /* physical address of the VMXON region */
	uint64_t stack_top;
	uint64_t ist_top;
	volatile uint64_t ticks; /* LAPIC timer interrupts taken */
	volatile uint64_t nmis;	 /* NMIs taken (none is meant for the VMM: counted, ignored) */
	volatile uint64_t kicks; /* wake-ups sent to this CPU (vmm/platform/kick.c) */
	uint32_t vmcs_errors;	 /* failed VMREAD/VMWRITEs (vmm/vcpu/vmcs_access.c) */
	uint64_t current_vmcs;	 /* VMCS loaded with VMPTRLD, 0 none */
	struct vcpu *last_vcpu;	 /* whose FPU state is in the registers */
	struct runq *runq;	 /* vCPUs pinned to this CPU (vmm/vm/sched.c) */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
};

extern struct cpu cpus[MAX_CPUS];
extern uint32_t ncpus;

/* Does CPU i run vCPUs: a VMM CPU, online, with VMX on? */
static inline bool cpu_runs_vcpus(uint32_t i)
{
	return cpus[i].role == CPU_ROLE_VMM && cpus[i].state == CPU_ONLINE && cpus[i].vmx_on;
}

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

#endif
