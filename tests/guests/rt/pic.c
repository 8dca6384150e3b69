/* SPDX-License-Identifier: GPL-2.0-only */
/* pic.c: programming the 8259A pair (8259A datasheet, "Initialization
 * Command Words" and "Operation Command Words"). */
#include "rt/pic.h"

#include "rt/rt.h"

void pic_init(uint8_t base1, uint8_t base2)
{
	outb(PIC1_CMD, PIC_ICW1_INIT);
	outb(PIC2_CMD, PIC_ICW1_INIT);
	outb(PIC1_DATA, base1); /* ICW2: vector base */
	outb(PIC2_DATA, base2);
	outb(PIC1_DATA, 1U << PIC_CASCADE_IRQ); /* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, PIC_CASCADE_IRQ);	/* ICW3: slave identity */
	outb(PIC1_DATA, PIC_ICW4_8086);
	outb(PIC2_DATA, PIC_ICW4_8086);
	pic_mask_all();
}

void pic_set_mask(uint16_t mask)
{
	if ((mask & 0xff00) != 0xff00)
		mask &= (uint16_t) ~(1U << PIC_CASCADE_IRQ);
	outb(PIC1_DATA, (uint8_t)mask);
	outb(PIC2_DATA, (uint8_t)(mask >> 8));
}

uint16_t pic_get_mask(void)
{
	return (uint16_t)(inb(PIC1_DATA) | (inb(PIC2_DATA) << 8));
}

void pic_mask_all(void)
{
	pic_set_mask(0xffff);
}

void pic_eoi(int irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_OCW2_EOI);
	outb(PIC1_CMD, PIC_OCW2_EOI);
}
