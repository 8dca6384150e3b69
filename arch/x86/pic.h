/* pic.h: the legacy 8259A pair (Intel 8259A datasheet; PC/AT ports
 * 0x20/0x21 and 0xa0/0xa1). The VMM remaps it away from the exception
 * vectors and masks every line: external interrupts come via the IOAPIC. */
#ifndef ARCH_X86_PIC_H
#define ARCH_X86_PIC_H

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define PIC_ICW1_INIT_ICW4 0x11  /* edge, cascade, ICW4 follows */
#define PIC_ICW4_8086      0x01
#define PIC_CASCADE_IRQ    2
#define PIC1_VECTOR_BASE   0x20  /* where a stray 8259 interrupt would land */
#define PIC2_VECTOR_BASE   0x28
#define PIC_MASK_ALL       0xff

void pic_disable(void);

#endif
