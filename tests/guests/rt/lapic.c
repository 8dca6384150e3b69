/* SPDX-License-Identifier: GPL-2.0-only */
/* lapic.c: local APIC access for the guests, xAPIC by MMIO at APIC_BASE or
 * x2APIC by MSR (Intel SDM Vol. 3A 10.4.3 enabling, 10.12.1 x2APIC MSRs). */
#include "rt/lapic.h"

#include "rt/hv.h"
#include "rt/rt.h"

static bool x2apic_mode;
static uint32_t xapic_base = LAPIC_DEFAULT_BASE;

bool lapic_enable(bool x2apic)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	if (x2apic) {
		if (!cpu_has(CPUID_LEAF_FEATURES, REG_ECX, CPUID1_ECX_X2APIC))
			return false;
		/* xAPIC -> x2APIC is a legal transition (10.12.5): both bits at once is too. */
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_EXTD);
		x2apic_mode = true;
	} else {
		if (base & APIC_BASE_EXTD)
			fail("lapic_enable: already in x2APIC mode");
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
		xapic_base = (uint32_t)base & APIC_BASE_ADDR_MASK;
		x2apic_mode = false;
	}
	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	return true;
}

bool lapic_x2apic(void)
{
	return x2apic_mode;
}

uint32_t lapic_read(uint32_t reg)
{
	if (x2apic_mode)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + (reg >> 4));
	return mmio_read32(xapic_base + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic_mode)
		wrmsr(MSR_X2APIC_FIRST + (reg >> 4), v);
	else
		mmio_write32(xapic_base + reg, v);
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(APIC_ID);
	return x2apic_mode ? id : id >> 24;
}

void lapic_virtual_wire(void)
{
	lapic_write(APIC_LVT_LINT0, APIC_LVT_DM_EXTINT);
	lapic_write(APIC_LVT_LINT1, APIC_LVT_DM_NMI);
}

bool lapic_in_service(uint8_t vector)
{
	return (lapic_read(APIC_VECTOR_REG(APIC_ISR0, vector)) & APIC_VECTOR_BIT(vector)) != 0;
}

void lapic_timer_stop(void)
{
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	lapic_write(APIC_TIMER_ICR, 0);
}

void lapic_send_ipi(uint32_t dest, uint32_t icr_lo)
{
	if (x2apic_mode) {
		wrmsr(MSR_X2APIC_ICR, ((uint64_t)dest << 32) | icr_lo);
		return;
	}
	lapic_write(APIC_ICR_HI, ICR_XAPIC_DEST(dest));
	lapic_write(APIC_ICR_LO, icr_lo);
	for (uint32_t i = 0; lapic_read(APIC_ICR_LO) & ICR_BUSY; i++)
		if (i == 1000000)
			fail("ICR delivery status still busy after %u reads (ICR %#x)", i,
			     lapic_read(APIC_ICR_LO));
}
