/* SPDX-License-Identifier: GPL-2.0-only */
/* lapic.c: local APIC access in x2APIC (MSR) or xAPIC (MMIO) mode, IPIs
 * and the timer (Intel SDM Vol. 3A 10.4.3 enabling, 10.5.4 timer, 10.6 IPIs,
 * 10.12 x2APIC). The BSP picks the mode; every VMM CPU uses the same one. */
#include "arch/x86/apic.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"

#define ICR_BUSY_SPINS 1000000

static bool x2apic_mode;
static uint64_t xapic_base;

bool lapic_x2apic(void)
{
	return x2apic_mode;
}

uint32_t lapic_read(uint32_t reg)
{
	if (x2apic_mode)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> APIC_REG_SHIFT));
	return mmio_read32(xapic_base + reg);
}

void lapic_write(uint32_t reg, uint32_t val)
{
	if (x2apic_mode)
		wrmsr(MSR_X2APIC_BASE + (reg >> APIC_REG_SHIFT), val);
	else
		mmio_write32(xapic_base + reg, val);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(APIC_ID);
	return x2apic_mode ? id : id >> APIC_ID_SHIFT;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

static void lapic_enable_this_cpu(void)
{
	/* Disabled -> x2APIC directly is an invalid transition (10.12.5):
	 * enable the xAPIC first, then switch to x2APIC. */
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE)) {
		base |= APIC_BASE_ENABLE;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (x2apic_mode && !(base & APIC_BASE_X2APIC)) {
		base |= APIC_BASE_X2APIC;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	xapic_base = base & APIC_BASE_ADDR_MASK;
	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	lapic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	lapic_write(APIC_LVT_LINT1, APIC_LVT_NMI);
	lapic_write(APIC_LVT_ERROR, APIC_ERROR_VECTOR);
	lapic_write(APIC_ESR, 0);
	lapic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

bool lapic_init(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	if (!(r.edx & CPUID1_EDX_APIC))
		return false;
	x2apic_mode = (r.ecx & CPUID1_ECX_X2APIC) != 0;
	lapic_enable_this_cpu();
	return true;
}

void lapic_init_ap(void)
{
	lapic_enable_this_cpu();
}

bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	if (x2apic_mode) {
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR_LO >> APIC_REG_SHIFT), ((uint64_t)apic_id << 32) | icr_lo);
		return true;
	}
	mmio_write32(xapic_base + APIC_ICR_HI, apic_id << ICR_HI_DEST_SHIFT);
	mmio_write32(xapic_base + APIC_ICR_LO, icr_lo);
	for (int i = 0; i < ICR_BUSY_SPINS; i++) {
		if (!(mmio_read32(xapic_base + APIC_ICR_LO) & ICR_BUSY))
			return true;
		cpu_relax();
	}
	return false;
}

void lapic_timer_periodic(uint8_t vector, uint32_t count)
{
	lapic_write(APIC_TIMER_DCR, APIC_TIMER_DIV_16);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | vector);
	lapic_write(APIC_TIMER_ICR, count);
}

void lapic_timer_stop(void)
{
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	lapic_write(APIC_TIMER_ICR, 0);
}
