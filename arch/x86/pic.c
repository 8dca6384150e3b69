/* SPDX-License-Identifier: GPL-2.0-only */
/* pic.c: re-initialise the 8259A pair with vectors 0x20-0x2f (never the
 * exception range) and mask all 16 lines (8259A datasheet, ICW1-ICW4, OCW1). */
#include "arch/x86/pic.h"

#include "arch/x86/cpu.h"

void pic_disable(void)
{
	outb(PIC1_CMD, PIC_ICW1_INIT_ICW4);
	outb(PIC2_CMD, PIC_ICW1_INIT_ICW4);
	outb(PIC1_DATA, PIC1_VECTOR_BASE);
	outb(PIC2_DATA, PIC2_VECTOR_BASE);
	outb(PIC1_DATA, 1 << PIC_CASCADE_IRQ);
	outb(PIC2_DATA, PIC_CASCADE_IRQ);
	outb(PIC1_DATA, PIC_ICW4_UPM);
	outb(PIC2_DATA, PIC_ICW4_UPM);
	outb(PIC1_DATA, PIC_MASK_ALL);
	outb(PIC2_DATA, PIC_MASK_ALL);
}
