/* SPDX-License-Identifier: GPL-2.0-only */
/* smp.c: CPU roles and AP start-up with INIT-SIPI-SIPI through the
 * real-mode trampoline (Intel SDM Vol. 3A 8.4.4.1 "Typical BSP
 * Initialization Sequence": INIT, 10 ms, SIPI, 200 us, SIPI). APs kept by
 * the VMM load their own tables, enable their LAPIC, enter VMX root and
 * report in; CPUs reserved for IOPMs are left untouched. */
#define LOG_PREFIX "smp"
#include "vmm/platform/smp.h"

#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/trampoline.h"
#include "arch/x86/vmx.h"
#include "vmm/platform/desc.h"
#include "vmm/platform/log.h"
#include "vmm/platform/mm.h"
#include "vmm/platform/timer.h"
#include "vmm/platform/vmx.h"

#define AP_WAIT_US 1000000

struct cpu cpus[MAX_CPUS];
uint32_t ncpus;

extern const uint8_t trampoline_blob[], trampoline_blob_end[];

void smp_init_cpus(const struct platform *p, uint32_t bsp_apic_id, uint32_t iopms)
{
	ncpus = 1;
	cpus[0].index = 0;
	cpus[0].apic_id = bsp_apic_id;
	cpus[0].role = CPU_ROLE_VMM;
	cpus[0].state = CPU_ONLINE;
	for (uint32_t i = 0; i < p->ncpus && ncpus < MAX_CPUS; i++) {
		if (!p->cpu[i].enabled || p->cpu[i].apic_id == bsp_apic_id)
			continue;
		struct cpu *c = &cpus[ncpus];
		c->index = ncpus;
		c->apic_id = p->cpu[i].apic_id;
		if (ncpus <= iopms) {
			c->role = CPU_ROLE_IOPM;
			c->iopm = ncpus - 1;
			c->state = CPU_RESERVED;
		} else {
			c->role = CPU_ROLE_VMM;
			c->state = CPU_PENDING;
		}
		ncpus++;
	}
}

void smp_prepare_cpu(struct cpu *c)
{
	c->stack_top = heap_alloc_pages(CPU_STACK_SIZE / PAGE_SIZE) + CPU_STACK_SIZE;
	c->ist_top = heap_alloc_pages(IST_STACK_SIZE / PAGE_SIZE) + IST_STACK_SIZE;
	if (vmx_caps.supported)
		c->vmxon_region = heap_alloc_pages(1);
}

void smp_vmx_on_this_cpu(struct cpu *c)
{
	if (!vmx_caps.supported) {
		c->vmx_error = "VT-x not available";
		return;
	}
	c->vmx_error = vmx_on(c->vmxon_region);
	c->vmx_on = c->vmx_error == NULL;
	if (c->vmx_on)
		pr_info("cpu %u: VMXON ok (region 0x%llx)", c->index, (unsigned long long)c->vmxon_region);
	else
		pr_err("cpu %u: %s", c->index, c->vmx_error);
}

/* What an AP runs once it is online (the layer above says: the scheduler). */
static void (*ap_work)(void);

static __attribute__((noreturn)) void ap_main(uint32_t index)
{
	struct cpu *c = &cpus[index];
	cpu_load_tables(c);
	lapic_init_ap();
	uint32_t id = lapic_id();
	if (id != c->apic_id)
		pr_warn("cpu %u: firmware said APIC ID %u, the LAPIC says %u", index, c->apic_id, id);
	smp_vmx_on_this_cpu(c);
	c->state = CPU_ONLINE;
	pr_info("cpu %u (apic %u) online", index, id);
	ap_work();
	for (;;)
		cpu_idle();
}

/* Spin until started(ctx) or `us` microseconds passed. */
static bool wait_started(bool (*started)(const void *), const void *ctx, uint64_t us)
{
	uint64_t t0 = rdtsc();
	uint64_t limit = us * timer_rates.tsc_khz / 1000;
	while (rdtsc() - t0 < limit) {
		if (started(ctx))
			return true;
		cpu_relax();
	}
	return started(ctx);
}

bool smp_init_sipi_sipi(uint32_t apic_id, bool (*started)(const void *ctx), const void *ctx, uint64_t wait_us)
{
	if (!lapic_send_ipi(apic_id, ICR_DM_INIT | ICR_LEVEL | ICR_ASSERT))
		return false;
	if (!lapic_x2apic())
		lapic_send_ipi(apic_id, ICR_DM_INIT | ICR_LEVEL); /* de-assert (xAPIC only) */
	udelay(APIC_INIT_DELAY_US);
	uint32_t sipi = ICR_DM_STARTUP | (uint32_t)(TRAMPOLINE_ADDR >> PAGE_SHIFT);
	for (int i = 0; i < 2; i++) {
		lapic_send_ipi(apic_id, sipi);
		if (wait_started(started, ctx, APIC_SIPI_DELAY_US))
			return true;
	}
	if (wait_started(started, ctx, wait_us))
		return true;
	/* Too late: the caller gives the CPU up, so it must not come up later
	 * behind the VMM's back (an emulator's CPU thread can be starved for
	 * longer than any wait): INIT holds it in the wait-for-SIPI state (SDM
	 * Vol. 3A 8.4.4.1). */
	lapic_send_ipi(apic_id, ICR_DM_INIT | ICR_LEVEL | ICR_ASSERT);
	if (!lapic_x2apic())
		lapic_send_ipi(apic_id, ICR_DM_INIT | ICR_LEVEL);
	return false;
}

static bool cpu_online(const void *ctx)
{
	return ((const struct cpu *)ctx)->state == CPU_ONLINE;
}

static bool start_ap(struct cpu *c)
{
	volatile struct trampoline_params *tp =
	    (volatile void *)(uintptr_t)(TRAMPOLINE_ADDR + TRAMP_PARAMS_OFFSET);
	tp->cr3 = vmm_cr3;
	tp->stack_top = c->stack_top;
	tp->entry = (uint64_t)(uintptr_t)ap_main;
	tp->efer = rdmsr(MSR_IA32_EFER) & (EFER_LME | EFER_NXE);
	tp->cpu = c->index;
	mfence();
	return smp_init_sipi_sipi(c->apic_id, cpu_online, c, AP_WAIT_US);
}

uint32_t smp_start_aps(void (*work)(void))
{
	ap_work = work;
	uint64_t size = (uint64_t)(trampoline_blob_end - trampoline_blob);
	ASSERT(size <= TRAMP_PARAMS_OFFSET + sizeof(struct trampoline_params) && size <= PAGE_SIZE);
	memcpy((void *)(uintptr_t)TRAMPOLINE_ADDR, trampoline_blob, size);
	uint32_t online = 0;
	for (uint32_t i = 1; i < ncpus; i++) {
		struct cpu *c = &cpus[i];
		if (c->role != CPU_ROLE_VMM)
			continue;
		smp_prepare_cpu(c);
		if (start_ap(c)) {
			online++;
		} else {
			c->state = CPU_FAILED;
			pr_err("cpu %u (apic %u) did not come online", i, c->apic_id);
		}
	}
	return online;
}
