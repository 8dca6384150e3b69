/* SPDX-License-Identifier: GPL-2.0-only */
/* pit.c: PIT channel 0 as a periodic interrupt source (8254 datasheet,
 * mode 2 "rate generator"; on a PC its output is ISA IRQ0). */
#include "rt/pit.h"

#include "rt/rt.h"

uint16_t pit_ch0_periodic(uint32_t hz)
{
	uint32_t div = (PIT_HZ + hz / 2) / hz;
	if (div < 2 || div > 0xffff)
		fail("pit_ch0_periodic: %u Hz is out of range", hz);
	outb(PIT_CMD, PIT_CMD_CH0 | PIT_CMD_LOHI | PIT_CMD_MODE2);
	outb(PIT_CH0, (uint8_t)div);
	outb(PIT_CH0, (uint8_t)(div >> 8));
	return (uint16_t)div;
}

void pit_ch0_stop(void)
{
	/* Mode 0 raises OUT once at terminal count and stays there: program a
	 * full count and mask IRQ0 at the interrupt controller as well. */
	outb(PIT_CMD, PIT_CMD_CH0 | PIT_CMD_LOHI | PIT_CMD_MODE0);
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);
}
