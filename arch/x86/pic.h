/* SPDX-License-Identifier: GPL-2.0-only */
/* pic.h: the legacy 8259A pair (Intel 8259A datasheet; PC/AT ports
 * 0x20/0x21 and 0xa0/0xa1, the slave on master IR2) and the PIIX/ICH
 * Edge/Level Control Registers at 0x4d0/0x4d1 (Intel 82371AB PIIX4
 * datasheet, ELCR1/ELCR2). The VMM remaps the real pair away from the
 * exception vectors and masks every line: external interrupts come via the
 * IOAPIC. The guests' vPIC (vmm/vdev/vpic.c) decodes the same commands. */
#ifndef ARCH_X86_PIC_H
#define ARCH_X86_PIC_H

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define PIC_ELCR1 0x4d0 /* ELCR for IRQ 0-7 */
#define PIC_ELCR2 0x4d1 /* ELCR for IRQ 8-15 */

#define ISA_IRQS	  16 /* ISA IRQ 0-15: 8 inputs on each 8259A */
#define PIC_IRQS_PER_CHIP 8
#define PIC_CASCADE_IRQ	  2 /* master input the slave's INT drives */
#define PIC_SPURIOUS_IRQ  7 /* IR whose vector a spurious INTA returns */

/* Command port writes (A0 = 0): ICW1 has D4 set; else OCW3 has D3 set,
 * OCW2 neither. */
#define PIC_ICW1_SELECT	   0x10
#define PIC_ICW1_LTIM	   0x08 /* level-triggered mode */
#define PIC_ICW1_SNGL	   0x02 /* single 8259A, no ICW3 */
#define PIC_ICW1_IC4	   0x01 /* ICW4 follows */
#define PIC_OCW3_SELECT	   0x08
#define PIC_OCW3_ESMM	   0x40 /* enable special mask mode change */
#define PIC_OCW3_SMM	   0x20 /* special mask mode on/off */
#define PIC_OCW3_POLL	   0x04 /* poll command */
#define PIC_OCW3_RR	   0x02 /* read register command */
#define PIC_OCW3_RIS	   0x01 /* read ISR (1) or IRR (0) */
#define PIC_OCW2_CMD_SHIFT 5	/* R, SL, EOI in bits 7:5 */
#define PIC_OCW2_CMD_MASK  0x7
#define PIC_OCW2_LEVEL	   0x07 /* L2-L0 */
/* Data port writes during initialisation. */
#define PIC_ICW2_VECTOR 0xf8 /* T7-T3; T2-T0 come from the IR number */
#define PIC_ICW4_UPM	0x01 /* 8086/8088 mode */
#define PIC_ICW4_AEOI	0x02
#define PIC_ICW4_SFNM	0x10
#define PIC_POLL_INT	0x80 /* poll word: an interrupt was pending */
/* ELCR bits the chipset implements: IRQ 0, 1, 2, 8 and 13 are always edge. */
#define PIC_ELCR1_WRITABLE 0xf8
#define PIC_ELCR2_WRITABLE 0xde

#define PIC_ICW1_INIT_ICW4 (PIC_ICW1_SELECT | PIC_ICW1_IC4) /* edge, cascade, ICW4 follows */
#define PIC1_VECTOR_BASE   0x20				    /* where a stray 8259 interrupt would land */
#define PIC2_VECTOR_BASE   0x28
#define PIC_MASK_ALL	   0xff

void pic_disable(void);

#endif
