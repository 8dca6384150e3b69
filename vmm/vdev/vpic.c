/* SPDX-License-Identifier: GPL-2.0-only */
/* vpic.c: the virtual 8259A pair. Intel 8259A datasheet: ICW1-ICW4, OCW1
 * mask, OCW2 EOI/rotation, OCW3 read register/poll/special mask, priority
 * resolution; PIIX/ICH "Edge/Level Control Register" at 0x4d0/0x4d1.
 * Results for programming the datasheet leaves undefined: docs/vdevices.md. */
#include "vmm/vdev/vpic.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define MASTER 0
#define SLAVE  1

/* OCW2 R/SL/EOI commands (8259A datasheet, OCW2 table) */
enum ocw2_cmd {
	OCW2_ROTATE_AEOI_CLEAR = 0, /* 000 */
	OCW2_NONSPECIFIC_EOI = 1,   /* 001 */
	OCW2_NOP = 2,		    /* 010 */
	OCW2_SPECIFIC_EOI = 3,	    /* 011 */
	OCW2_ROTATE_AEOI_SET = 4,   /* 100 */
	OCW2_ROTATE_NS_EOI = 5,	    /* 101 */
	OCW2_SET_PRIORITY = 6,	    /* 110 */
	OCW2_ROTATE_S_EOI = 7,	    /* 111 */
};

#define IR_MASK (PIC_IRQS_PER_CHIP - 1)
#define NO_IR	(-1)

static uint8_t ir_bit(unsigned ir)
{
	return (uint8_t)(1u << (ir & IR_MASK));
}

static bool cascaded(const struct vpic *p)
{
	return !p->chip[MASTER].single;
}

static uint8_t level_mask(const struct vpic_chip *c)
{
	return c->ltim ? 0xff : c->elcr;
}

/* Priority rank of ir: 0 is the highest, 7 the lowest. */
static unsigned rank(const struct vpic_chip *c, unsigned ir)
{
	return (ir - c->lowest - 1u) & IR_MASK;
}

/* The highest-priority IR set in bits, or NO_IR. */
static int highest(const struct vpic_chip *c, uint8_t bits)
{
	for (unsigned i = 0; i < PIC_IRQS_PER_CHIP; i++) {
		unsigned ir = (c->lowest + 1u + i) & IR_MASK;

		if (bits & ir_bit(ir))
			return (int)ir;
	}
	return NO_IR;
}

static int chip_request(const struct vpic *p, unsigned idx);

/* IRR as the priority resolver sees it: in cascade mode the master's IR2 is
 * the slave's INT output (sampled as a level). */
static uint8_t chip_irr(const struct vpic *p, unsigned idx)
{
	const struct vpic_chip *c = &p->chip[idx];

	if (idx == SLAVE || !cascaded(p))
		return c->irr;
	return (uint8_t)((c->irr & ~ir_bit(PIC_CASCADE_IRQ)) |
			 (chip_request(p, SLAVE) != NO_IR ? ir_bit(PIC_CASCADE_IRQ) : 0));
}

/* ISR bits that block lower priorities: in special mask mode, masked levels
 * do not block (datasheet, "Special Mask Mode"). */
static uint8_t blocking_isr(const struct vpic_chip *c)
{
	return c->special_mask ? (uint8_t)(c->isr & ~c->imr) : c->isr;
}

/* The IR this chip asks an INTA for (INT output asserted), or NO_IR. */
static int chip_request(const struct vpic *p, unsigned idx)
{
	const struct vpic_chip *c = &p->chip[idx];
	int req, srv;

	if (c->init_state != VPIC_READY)
		return NO_IR;
	req = highest(c, (uint8_t)(chip_irr(p, idx) & ~c->imr));
	if (req == NO_IR)
		return NO_IR;
	srv = highest(c, blocking_isr(c));
	if (srv != NO_IR && rank(c, (unsigned)srv) <= rank(c, (unsigned)req))
		return NO_IR;
	return req;
}

/* An INTA (or poll) accepted ir: IRR -> ISR. A level-triggered input keeps
 * requesting while its line is high, so only edge latches are cleared. */
static void chip_accept(struct vpic_chip *c, unsigned ir)
{
	uint8_t bit = ir_bit(ir);

	c->irr = (uint8_t)((c->irr & ~bit) | (c->line & level_mask(c) & bit));
	if (!c->aeoi)
		c->isr |= bit;
	else if (c->rotate_aeoi)
		c->lowest = (uint8_t)ir;
}

static void chip_eoi(struct vpic_chip *c, unsigned ir, bool rotate)
{
	c->isr &= (uint8_t)~ir_bit(ir);
	if (rotate)
		c->lowest = (uint8_t)(ir & IR_MASK);
}

static void write_icw1(struct vpic_chip *c, uint8_t v)
{
	c->ltim = v & PIC_ICW1_LTIM;
	c->single = v & PIC_ICW1_SNGL;
	c->icw4_needed = v & PIC_ICW1_IC4;
	/* Edge sense reset: an edge input needs a fresh 0->1 transition. */
	c->irr = c->line & level_mask(c);
	c->isr = 0;
	c->imr = 0;
	c->lowest = IR_MASK;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_aeoi = false;
	if (!c->icw4_needed) {
		c->aeoi = false;
		c->mode_8086 = false;
		c->sfnm = false;
	}
	c->init_state = VPIC_WANT_ICW2;
}

static void write_ocw2(struct vpic_chip *c, uint8_t v)
{
	unsigned level = v & PIC_OCW2_LEVEL;
	unsigned cmd = (v >> PIC_OCW2_CMD_SHIFT) & PIC_OCW2_CMD_MASK;
	int ir;

	switch (cmd) {
	case OCW2_NONSPECIFIC_EOI:
	case OCW2_ROTATE_NS_EOI:
		/* In special mask mode a masked in-service level is skipped. */
		ir = highest(c, blocking_isr(c));
		if (ir != NO_IR)
			chip_eoi(c, (unsigned)ir, cmd == OCW2_ROTATE_NS_EOI);
		break;
	case OCW2_SPECIFIC_EOI:
		chip_eoi(c, level, false);
		break;
	case OCW2_ROTATE_S_EOI:
		chip_eoi(c, level, true);
		break;
	case OCW2_SET_PRIORITY:
		c->lowest = (uint8_t)level;
		break;
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_aeoi = true;
		break;
	case OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_aeoi = false;
		break;
	default: /* OCW2_NOP */
		break;
	}
}

static void write_ocw3(struct vpic_chip *c, uint8_t v)
{
	if (v & PIC_OCW3_ESMM)
		c->special_mask = v & PIC_OCW3_SMM;
	if (v & PIC_OCW3_RR)
		c->read_isr = v & PIC_OCW3_RIS;
	c->poll = v & PIC_OCW3_POLL;
}

static void write_data(struct vpic_chip *c, uint8_t v)
{
	switch (c->init_state) {
	case VPIC_WANT_ICW2:
		c->vector_base = v & PIC_ICW2_VECTOR;
		if (!c->single)
			c->init_state = VPIC_WANT_ICW3;
		else
			c->init_state = c->icw4_needed ? VPIC_WANT_ICW4 : VPIC_READY;
		break;
	case VPIC_WANT_ICW3:
		c->icw3 = v;
		c->init_state = c->icw4_needed ? VPIC_WANT_ICW4 : VPIC_READY;
		break;
	case VPIC_WANT_ICW4:
		c->aeoi = v & PIC_ICW4_AEOI;
		c->sfnm = v & PIC_ICW4_SFNM;
		c->mode_8086 = v & PIC_ICW4_UPM;
		c->init_state = VPIC_READY;
		break;
	default: /* VPIC_UNINIT, VPIC_READY: OCW1 */
		c->imr = v;
		break;
	}
}

/* A read while a poll command is outstanding: acknowledge the highest
 * request like an INTA (on the master, IR2 only sets the master's ISR; the
 * guest polls the slave next) and return the poll word. */
static uint8_t read_poll(struct vpic *p, unsigned idx)
{
	struct vpic_chip *c = &p->chip[idx];
	int ir = chip_request(p, idx);

	c->poll = false;
	if (ir == NO_IR)
		return 0;
	chip_accept(c, (unsigned)ir);
	return (uint8_t)(PIC_POLL_INT | (unsigned)ir);
}

static void write_elcr(struct vpic_chip *c, uint8_t v, uint8_t writable)
{
	uint8_t now_level;

	c->elcr = v & writable;
	/* Inputs that are level-triggered now request iff their line is high. */
	now_level = level_mask(c);
	c->irr = (uint8_t)((c->irr & ~now_level) | (c->line & now_level));
}

static int elcr_io(struct vpic *p, unsigned idx, bool write, uint8_t *val)
{
	struct vpic_chip *c = &p->chip[idx];

	if (write)
		write_elcr(c, *val, idx == MASTER ? PIC_ELCR1_WRITABLE : PIC_ELCR2_WRITABLE);
	else
		*val = c->elcr;
	return 0;
}

void vpic_init(struct vpic *p)
{
	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < ARRAY_SIZE(p->chip); i++) {
		p->chip[i].imr = 0xff;
		p->chip[i].lowest = IR_MASK;
		p->chip[i].init_state = VPIC_UNINIT;
	}
}

int vpic_io(struct vpic *p, uint16_t port, bool write, uint8_t *val)
{
	unsigned idx;
	bool data;
	struct vpic_chip *c;

	switch (port) {
	case PIC1_CMD:
		idx = MASTER;
		data = false;
		break;
	case PIC1_DATA:
		idx = MASTER;
		data = true;
		break;
	case PIC2_CMD:
		idx = SLAVE;
		data = false;
		break;
	case PIC2_DATA:
		idx = SLAVE;
		data = true;
		break;
	case PIC_ELCR1:
		return elcr_io(p, MASTER, write, val);
	case PIC_ELCR2:
		return elcr_io(p, SLAVE, write, val);
	default:
		return -ENOENT;
	}
	c = &p->chip[idx];
	if (write) {
		if (data)
			write_data(c, *val);
		else if (*val & PIC_ICW1_SELECT)
			write_icw1(c, *val);
		else if (*val & PIC_OCW3_SELECT)
			write_ocw3(c, *val);
		else
			write_ocw2(c, *val);
	} else if (c->poll) {
		*val = read_poll(p, idx); /* any read after a poll command */
	} else if (data) {
		*val = c->imr;
	} else {
		*val = c->read_isr ? c->isr : chip_irr(p, idx);
	}
	return 0;
}

void vpic_set_irq(struct vpic *p, unsigned irq, bool level)
{
	struct vpic_chip *c;
	uint8_t bit;

	if (irq >= ISA_IRQS)
		return;
	if (irq == PIC_CASCADE_IRQ && cascaded(p))
		return;
	c = &p->chip[irq / PIC_IRQS_PER_CHIP];
	bit = ir_bit(irq);
	if (level_mask(c) & bit) {
		c->irr = (uint8_t)(level ? c->irr | bit : c->irr & ~bit);
	} else if (level && !(c->line & bit)) {
		c->irr |= bit; /* rising edge; kept when the line drops again */
	}
	c->line = (uint8_t)(level ? c->line | bit : c->line & ~bit);
}

int vpic_pending(const struct vpic *p)
{
	int ir = chip_request(p, MASTER);

	if (ir == NO_IR)
		return -1;
	if (ir == PIC_CASCADE_IRQ && cascaded(p))
		return p->chip[SLAVE].vector_base | chip_request(p, SLAVE);
	return p->chip[MASTER].vector_base | ir;
}

int vpic_ack(struct vpic *p)
{
	struct vpic_chip *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
	int ir, sir;

	if (m->init_state != VPIC_READY)
		return -1;
	ir = chip_request(p, MASTER);
	if (ir == NO_IR)
		return m->vector_base | PIC_SPURIOUS_IRQ;
	if (ir != PIC_CASCADE_IRQ || !cascaded(p)) {
		chip_accept(m, (unsigned)ir);
		return m->vector_base | ir;
	}
	sir = chip_request(p, SLAVE); /* resolved before the master's ISR changes */
	chip_accept(m, (unsigned)ir);
	if (sir == NO_IR)
		return s->vector_base | PIC_SPURIOUS_IRQ;
	chip_accept(s, (unsigned)sir);
	return s->vector_base | sir;
}
