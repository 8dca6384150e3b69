/* SPDX-License-Identifier: GPL-2.0-only */
/* ioapic.c: I/O APIC discovery results and pin masking (82093AA datasheet
 * 3.2.4 "I/O Redirection Table Registers"). The VMM owns every IOAPIC: at
 * boot each pin is masked, later issues route pins one by one. */
#define LOG_PREFIX "ioapic"
#include "vmm/platform/ioapic.h"

#include "arch/x86/cpu.h"
#include "vmm/platform/log.h"

struct ioapic ioapics[MAX_IOAPICS];
uint32_t nioapics;

static uint32_t ioapic_read(const struct ioapic *io, uint32_t reg)
{
	mmio_write32(io->base + IOAPIC_REGSEL, reg);
	return mmio_read32(io->base + IOAPIC_WIN);
}

static void ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t val)
{
	mmio_write32(io->base + IOAPIC_REGSEL, reg);
	mmio_write32(io->base + IOAPIC_WIN, val);
}

uint64_t ioapic_read_rte(const struct ioapic *io, uint32_t pin)
{
	return ioapic_read(io, IOAPIC_REG_REDTBL(pin)) |
	       ((uint64_t)ioapic_read(io, IOAPIC_REG_REDTBL(pin) + 1) << 32);
}

void ioapic_write_rte(const struct ioapic *io, uint32_t pin, uint64_t rte)
{
	/* Mask first so the entry is never live half-written. */
	ioapic_write(io, IOAPIC_REG_REDTBL(pin), IOAPIC_RTE_MASKED);
	ioapic_write(io, IOAPIC_REG_REDTBL(pin) + 1, (uint32_t)(rte >> 32));
	ioapic_write(io, IOAPIC_REG_REDTBL(pin), (uint32_t)rte);
}

void ioapic_init_all(void)
{
	for (uint32_t i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];
		uint32_t ver = ioapic_read(io, IOAPIC_REG_VER);
		io->version = ver & IOAPIC_VER_MASK;
		io->pins = ((ver >> IOAPIC_VER_MRE_SHIFT) & IOAPIC_VER_MRE_MASK) + 1;
		if (io->pins > IOAPIC_MAX_PINS)
			io->pins = IOAPIC_MAX_PINS;
		uint32_t masked = 0;
		for (uint32_t pin = 0; pin < io->pins; pin++) {
			ioapic_write_rte(io, pin, IOAPIC_RTE_MASKED);
			if (ioapic_read_rte(io, pin) & IOAPIC_RTE_MASKED)
				masked++;
		}
		pr_info("ioapic %u id %u at 0x%llx gsi %u-%u version 0x%x: %u/%u pins masked", i, io->id,
			(unsigned long long)io->base, io->gsi_base, io->gsi_base + io->pins - 1, io->version,
			masked, io->pins);
		if (masked != io->pins)
			pr_err("ioapic %u: %u pins did not stay masked", i, io->pins - masked);
	}
}
