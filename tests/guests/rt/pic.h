/* SPDX-License-Identifier: GPL-2.0-only */
/* pic.h: the PC/AT 8259A pair (Intel 8259A datasheet: ICW1-4, OCW1 mask,
 * OCW2 non-specific EOI); master at 0x20/0x21, slave at 0xa0/0xa1 on IRQ2. */
#ifndef GUEST_RT_PIC_H
#define GUEST_RT_PIC_H

#include <stdint.h>

#define PIC1_CMD	  0x20
#define PIC1_DATA	  0x21
#define PIC2_CMD	  0xa0
#define PIC2_DATA	  0xa1
#define PIC_ICW1_INIT	  0x11 /* edge, cascade, ICW4 follows */
#define PIC_ICW4_8086	  0x01
#define PIC_CASCADE_IRQ	  2
#define PIC_OCW2_EOI	  0x20 /* non-specific EOI */
#define PIC_OCW3_READ_IRR 0x0a
#define PIC_OCW3_READ_ISR 0x0b
#define PIC1_VECTOR_BASE  0x20 /* where rt_start puts the 8259s (all lines masked) */
#define PIC2_VECTOR_BASE  0x28
/* Edge/level control registers (PIIX/ICH ELCR1/ELCR2): bit n set makes
 * IRQ n (ELCR2: IRQ 8 + n) level-triggered. */
#define PIC_ELCR1 0x4d0
#define PIC_ELCR2 0x4d1

/* Initialize both with vector bases base1/base2; all 16 lines masked. */
void pic_init(uint8_t base1, uint8_t base2);
/* Bit n masks IRQ n (the cascade line stays open while a slave line is). */
void pic_set_mask(uint16_t mask);
uint16_t pic_get_mask(void);
void pic_eoi(int irq);
void pic_mask_all(void);

#endif
