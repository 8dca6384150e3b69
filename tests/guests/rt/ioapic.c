/* SPDX-License-Identifier: GPL-2.0-only */
/* ioapic.c: I/O APIC register access and redirection entries (Intel
 * 82093AA datasheet, 3.2 "IOAPIC registers", 3.2.4 redirection table). */
#include "rt/rt.h"

#include "rt/ioapic.h"

uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	return mmio_read32(IOAPIC_BASE + IOAPIC_WIN);
}

void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	mmio_write32(IOAPIC_BASE + IOAPIC_WIN, v);
}

void ioapic_route(int pin, uint8_t vector, uint32_t dest, bool masked)
{
	ioapic_write(IOAPIC_REG_REDTBL(pin), IOAPIC_RTE_MASKED);
	ioapic_write(IOAPIC_REG_REDTBL(pin) + 1, dest << IOAPIC_RTE_DEST_SHIFT);
	ioapic_write(IOAPIC_REG_REDTBL(pin), vector | (masked ? IOAPIC_RTE_MASKED : 0));
}

void ioapic_mask(int pin, bool masked)
{
	uint32_t lo = ioapic_read(IOAPIC_REG_REDTBL(pin));
	ioapic_write(IOAPIC_REG_REDTBL(pin), masked ? lo | IOAPIC_RTE_MASKED : lo & ~IOAPIC_RTE_MASKED);
}

void ioapic_mask_all(void)
{
	int pins = ((ioapic_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;
	for (int pin = 0; pin < pins; pin++)
		ioapic_write(IOAPIC_REG_REDTBL(pin), IOAPIC_RTE_MASKED);
}
