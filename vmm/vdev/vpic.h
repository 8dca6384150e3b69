/* SPDX-License-Identifier: GPL-2.0-only */
/* vpic.h: a guest's virtual 8259A pair (master 0x20/0x21, slave 0xa0/0xa1
 * wired to master IR2 as on the PC/AT) and the PIIX/ICH Edge/Level Control
 * Register (0x4d0/0x4d1). Intel 8259A datasheet: ICW1-ICW4, OCW1-OCW3.
 * Pure logic over caller-owned state; the caller holds the VM's lock. */
#ifndef VMM_VPIC_H
#define VMM_VPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/pic.h" /* ports, ICW/OCW bits, ISA_IRQS */

/* Which ICW the data port expects next (vpic_chip.init_state). */
enum vpic_init_state {
	VPIC_UNINIT, /* power-on: no ICW1 seen yet, nothing is presented */
	VPIC_WANT_ICW2,
	VPIC_WANT_ICW3,
	VPIC_WANT_ICW4,
	VPIC_READY, /* ICW sequence complete; data port writes are OCW1 */
};

struct vpic_chip {
	uint8_t irr;	     /* interrupt request register (latched edges, levels) */
	uint8_t isr;	     /* in-service register */
	uint8_t imr;	     /* interrupt mask register (OCW1) */
	uint8_t line;	     /* input levels as last set by vpic_set_irq() */
	uint8_t elcr;	     /* level-triggered inputs (ELCR; reserved bits 0) */
	uint8_t vector_base; /* ICW2 bits 7:3 */
	uint8_t icw3;	     /* as written; the wiring is fixed (vpic.c) */
	uint8_t lowest;	     /* IR with the lowest priority (7 unless rotated) */
	uint8_t init_state;  /* enum vpic_init_state */
	bool ltim;	     /* ICW1 LTIM: every input level-triggered */
	bool single;	     /* ICW1 SNGL: no cascade, no ICW3 */
	bool icw4_needed;    /* ICW1 IC4 */
	bool aeoi;	     /* ICW4 AEOI: automatic EOI on INTA */
	bool mode_8086;	     /* ICW4 uPM (vectors are 8086-style either way) */
	bool sfnm;	     /* ICW4 SFNM: stored, not implemented */
	bool rotate_aeoi;    /* OCW2 "rotate in automatic EOI mode" */
	bool special_mask;   /* OCW3 special mask mode */
	bool read_isr;	     /* OCW3 RR/RIS: command port reads ISR, else IRR */
	bool poll;	     /* OCW3 P: the next read is a poll */
};

struct vpic {
	struct vpic_chip chip[2]; /* [0] master, [1] slave */
};

/* Power-on state: both chips uninitialised (an ICW1..ICW4 sequence is needed
 * before anything is presented), IMR 0xff, IRR/ISR 0, ELCR 0 (all edge). */
void vpic_init(struct vpic *p);

/* One 1-byte guest access to 0x20/0x21/0xa0/0xa1/0x4d0/0x4d1; a read stores
 * the value in *val. Returns 0, or -ENOENT for a port the PIC does not own. */
int vpic_io(struct vpic *p, uint16_t port, bool write, uint8_t *val);

/* Drive ISA IRQ line 0-15 (other numbers are ignored). An edge-triggered
 * input latches IRR on 0->1 and keeps it until acknowledged (a pulse is
 * enough); a level-triggered input (ELCR or ICW1 LTIM) requests while high.
 * IRQ2 is the cascade input in cascade mode and ignored there. */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level);

/* The vector the master would deliver if INTA happened now (IMR, ISR
 * priority, rotation, special mask and the slave on IR2 considered), or -1
 * when INTR is not asserted. */
int vpic_pending(const struct vpic *p);

/* The INTA cycle: returns the vector and moves the IR from IRR to ISR (ISR
 * untouched in AEOI mode). If nothing is requesting any more (withdrawn
 * since vpic_pending()), returns the master's IR7 vector and sets no ISR
 * bit (spurious interrupt). -1 only while the master is uninitialised. */
int vpic_ack(struct vpic *p);

#endif
