/* SPDX-License-Identifier: GPL-2.0-only */
/* test_vpic.c: unit tests of the virtual 8259A pair (vmm/vdev/vpic.c): Linux's
 * and SeaBIOS's initialisation sequences, priority, nesting, cascade, EOI
 * flavours, AEOI, masking, ELCR/LTIM level inputs, spurious IRQ7, OCW3
 * reads, poll, rotation, special mask mode and random garbage. Byte values
 * are the datasheet's command words, commented where they are written. */
#include <stdlib.h>

#include "test.h"
#include "vmm/lib/errno.h"
#include "vmm/vdev/vpic.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void out(struct vpic *p, uint16_t port, uint8_t v)
{
	EXPECT_EQ(vpic_io(p, port, true, &v), 0);
}

static uint8_t in(struct vpic *p, uint16_t port)
{
	uint8_t v = 0x5a;

	EXPECT_EQ(vpic_io(p, port, false, &v), 0);
	return v;
}

/* SeaBIOS's pic_setup(): ICW1 0x11 (edge, cascade, ICW4), ICW2 0x08 and
 * 0x70, ICW3 0x04 / 0x02, ICW4 0x01 (8086), then IMR 0xfb / 0xff. */
static void seabios_init(struct vpic *p)
{
	vpic_init(p);
	out(p, PIC1_CMD, 0x11);
	out(p, PIC2_CMD, 0x11);
	out(p, PIC1_DATA, 0x08);
	out(p, PIC2_DATA, 0x70);
	out(p, PIC1_DATA, 0x04);
	out(p, PIC2_DATA, 0x02);
	out(p, PIC1_DATA, 0x01);
	out(p, PIC2_DATA, 0x01);
	out(p, PIC1_DATA, 0xfb);
	out(p, PIC2_DATA, 0xff);
}

/* ICWs for master at 0x20, slave at 0x28, then everything unmasked. */
static void icw_both(struct vpic *p, uint8_t icw4)
{
	out(p, PIC1_CMD, 0x11);
	out(p, PIC1_DATA, 0x20);
	out(p, PIC1_DATA, 0x04);
	out(p, PIC1_DATA, icw4);
	out(p, PIC2_CMD, 0x11);
	out(p, PIC2_DATA, 0x28);
	out(p, PIC2_DATA, 0x02);
	out(p, PIC2_DATA, icw4);
	out(p, PIC1_DATA, 0x00);
	out(p, PIC2_DATA, 0x00);
}

static void open_init(struct vpic *p, uint8_t icw4)
{
	vpic_init(p);
	icw_both(p, icw4);
}

static void pulse(struct vpic *p, unsigned irq)
{
	vpic_set_irq(p, irq, true);
	vpic_set_irq(p, irq, false);
}

static uint8_t read_isr(struct vpic *p, uint16_t cmd)
{
	out(p, cmd, 0x0b); /* OCW3: read ISR */
	return in(p, cmd);
}

static uint8_t read_irr(struct vpic *p, uint16_t cmd)
{
	out(p, cmd, 0x0a); /* OCW3: read IRR */
	return in(p, cmd);
}

#define EOI_MASTER(p) out(p, PIC1_CMD, 0x20) /* OCW2 non-specific EOI */
#define EOI_SLAVE(p)  out(p, PIC2_CMD, 0x20)

TEST(vpic, power_on_state)
{
	struct vpic p;

	vpic_init(&p);
	EXPECT_EQ(vpic_pending(&p), -1);
	EXPECT_EQ(vpic_ack(&p), -1);
	EXPECT_EQ(in(&p, PIC1_DATA), 0xff);
	EXPECT_EQ(in(&p, PIC2_DATA), 0xff);
	EXPECT_EQ(in(&p, PIC1_CMD), 0);
	EXPECT_EQ(in(&p, PIC_ELCR1), 0);
	EXPECT_EQ(in(&p, PIC_ELCR2), 0);
	/* Nothing is presented before an ICW sequence, even unmasked. */
	out(&p, PIC1_DATA, 0);
	vpic_set_irq(&p, 1, true);
	EXPECT_EQ(vpic_pending(&p), -1);
	EXPECT_EQ(vpic_ack(&p), -1);
}

TEST(vpic, ports_not_owned)
{
	static const uint16_t ports[] = {0x1f, 0x22, 0x9f, 0xa2, 0x4cf, 0x4d2, 0x40, 0x61, 0xffff};
	struct vpic p;
	uint8_t v = 0x77;

	vpic_init(&p);
	for (size_t i = 0; i < N(ports); i++) {
		test_context("port %#x", ports[i]);
		EXPECT_EQ(vpic_io(&p, ports[i], false, &v), -ENOENT);
		EXPECT_EQ(v, 0x77);
		EXPECT_EQ(vpic_io(&p, ports[i], true, &v), -ENOENT);
	}
}

TEST(vpic, linux_init_sequence)
{
	struct vpic p;

	/* arch/x86/kernel/i8259.c init_8259A(): mask all, ICW1 0x11, ICW2
	 * 0x30, ICW3 0x04, ICW4 0x01; slave ICW1 0x11, ICW2 0x38, ICW3 0x02,
	 * ICW4 0x01; restore the masks (all but the cascade masked). */
	vpic_init(&p);
	out(&p, PIC1_DATA, 0xff);
	out(&p, PIC2_DATA, 0xff);
	out(&p, PIC1_CMD, 0x11);
	out(&p, PIC1_DATA, 0x30);
	out(&p, PIC1_DATA, 0x04);
	out(&p, PIC1_DATA, 0x01);
	out(&p, PIC2_CMD, 0x11);
	out(&p, PIC2_DATA, 0x38);
	out(&p, PIC2_DATA, 0x02);
	out(&p, PIC2_DATA, 0x01);
	out(&p, PIC1_DATA, 0xfb);
	out(&p, PIC2_DATA, 0xff);
	EXPECT_EQ(in(&p, PIC1_DATA), 0xfb);
	EXPECT_EQ(in(&p, PIC2_DATA), 0xff);

	pulse(&p, 0);
	EXPECT_EQ(vpic_pending(&p), -1); /* masked */
	out(&p, PIC1_DATA, 0xfa);	 /* unmask IRQ0 */
	EXPECT_EQ(vpic_pending(&p), 0x30);
	EXPECT_EQ(vpic_ack(&p), 0x30);
	EXPECT_EQ(vpic_pending(&p), -1);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x01);
	EOI_MASTER(&p);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);

	out(&p, PIC2_DATA, 0xfe); /* unmask IRQ8 (RTC) */
	pulse(&p, 8);
	EXPECT_EQ(vpic_pending(&p), 0x38);
	EXPECT_EQ(vpic_ack(&p), 0x38);
	EXPECT_EQ(read_isr(&p, PIC2_CMD), 0x01);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x04);
	EOI_SLAVE(&p);
	EOI_MASTER(&p);
	EXPECT_EQ(read_isr(&p, PIC2_CMD), 0);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);
}

TEST(vpic, seabios_init_sequence)
{
	struct vpic p;

	seabios_init(&p);
	EXPECT_EQ(in(&p, PIC1_DATA), 0xfb);
	out(&p, PIC1_DATA, 0xf8); /* timer and keyboard on */
	pulse(&p, 1);
	EXPECT_EQ(vpic_ack(&p), 0x09);
	EOI_MASTER(&p);
	out(&p, PIC2_DATA, 0xef); /* IRQ12 (mouse) */
	pulse(&p, 12);
	EXPECT_EQ(vpic_pending(&p), 0x74);
	EXPECT_EQ(vpic_ack(&p), 0x74);
}

TEST(vpic, guest_runtime_sequence)
{
	struct vpic p;

	/* tests/guests/rt/pic.c: both ICW1s first, then the ICW2/3/4 pairs
	 * interleaved; then everything masked. */
	vpic_init(&p);
	out(&p, PIC1_CMD, 0x11);
	out(&p, PIC2_CMD, 0x11);
	out(&p, PIC1_DATA, 0x20);
	out(&p, PIC2_DATA, 0x28);
	out(&p, PIC1_DATA, 0x04);
	out(&p, PIC2_DATA, 0x02);
	out(&p, PIC1_DATA, 0x01);
	out(&p, PIC2_DATA, 0x01);
	out(&p, PIC1_DATA, 0xff);
	out(&p, PIC2_DATA, 0xff);
	EXPECT_EQ(in(&p, PIC1_DATA) | in(&p, PIC2_DATA) << 8, 0xffff);
	out(&p, PIC1_DATA, 0xfa);
	out(&p, PIC2_DATA, 0xfd);
	pulse(&p, 9);
	EXPECT_EQ(vpic_ack(&p), 0x29);
}

TEST(vpic, priority_among_requests)
{
	static const struct {
		uint16_t raised; /* IRQ bitmap */
		int order[4];	 /* expected INTA vectors, -1 terminated */
	} cases[] = {
	    {0x0001, {0x20, -1}},
	    {0x002a, {0x21, 0x23, 0x25, -1}},
	    {0x0081, {0x20, 0x27, -1}},
	    {0x0108, {0x28, 0x23, -1}}, /* slave on IR2 beats IR3 */
	    {0x1102, {0x21, 0x28, 0x2c, -1}},
	    {0x8080, {0x2f, 0x27, -1}},
	    {0x4030, {0x2e, 0x24, 0x25, -1}},
	};
	struct vpic p;

	for (size_t i = 0; i < N(cases); i++) {
		test_context("raised %#x", cases[i].raised);
		open_init(&p, 0x01);
		for (unsigned irq = 0; irq < 16; irq++)
			if (cases[i].raised & (1u << irq))
				pulse(&p, irq);
		for (size_t k = 0; cases[i].order[k] != -1; k++) {
			int v = cases[i].order[k];

			EXPECT_EQ(vpic_pending(&p), v);
			EXPECT_EQ(vpic_ack(&p), v);
			if (v >= 0x28)
				EOI_SLAVE(&p);
			EOI_MASTER(&p);
		}
		EXPECT_EQ(vpic_pending(&p), -1);
		EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);
		EXPECT_EQ(read_isr(&p, PIC2_CMD), 0);
	}
}

TEST(vpic, nested_in_service_priority)
{
	struct vpic p;

	open_init(&p, 0x01);
	pulse(&p, 3);
	EXPECT_EQ(vpic_ack(&p), 0x23);
	pulse(&p, 5);
	EXPECT_EQ(vpic_pending(&p), -1); /* lower than IR3 in service */
	pulse(&p, 3);
	EXPECT_EQ(vpic_pending(&p), -1); /* same level waits too */
	pulse(&p, 1);
	EXPECT_EQ(vpic_pending(&p), 0x21); /* higher nests */
	EXPECT_EQ(vpic_ack(&p), 0x21);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x0a);
	EXPECT_EQ(read_irr(&p, PIC1_CMD), 0x28);
	EOI_MASTER(&p); /* clears the highest: IR1 */
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x08);
	EXPECT_EQ(vpic_pending(&p), -1);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_ack(&p), 0x23);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_ack(&p), 0x25);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_pending(&p), -1);
}

TEST(vpic, cascade_through_ir2)
{
	struct vpic p;

	open_init(&p, 0x01);
	pulse(&p, 12);
	EXPECT_EQ(read_irr(&p, PIC1_CMD), 0x04); /* slave INT on IR2 */
	EXPECT_EQ(read_irr(&p, PIC2_CMD), 0x10);
	EXPECT_EQ(vpic_ack(&p), 0x2c);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x04);
	EXPECT_EQ(read_isr(&p, PIC2_CMD), 0x10);
	EXPECT_EQ(read_irr(&p, PIC1_CMD), 0);

	pulse(&p, 9); /* higher than 12 on the slave, but master IR2 is in service */
	EXPECT_EQ(vpic_pending(&p), -1);
	pulse(&p, 3); /* lower than IR2 on the master */
	EXPECT_EQ(vpic_pending(&p), -1);
	pulse(&p, 1); /* higher than IR2 */
	EXPECT_EQ(vpic_ack(&p), 0x21);
	EOI_MASTER(&p);
	EOI_SLAVE(&p);			 /* IRQ12 done on the slave */
	EXPECT_EQ(vpic_pending(&p), -1); /* master IR2 still in service */
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_ack(&p), 0x29);
	EOI_SLAVE(&p);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_ack(&p), 0x23);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_pending(&p), -1);

	/* Masking IR2 on the master hides the whole slave. */
	out(&p, PIC1_DATA, 0x04);
	pulse(&p, 15);
	EXPECT_EQ(vpic_pending(&p), -1);
	out(&p, PIC1_DATA, 0x00);
	EXPECT_EQ(vpic_pending(&p), 0x2f);
	/* IRQ2 is the cascade input: driving it does nothing. */
	out(&p, PIC2_DATA, 0xff);
	vpic_set_irq(&p, 2, true);
	EXPECT_EQ(vpic_pending(&p), -1);
	EXPECT_EQ(read_irr(&p, PIC1_CMD), 0);
}

TEST(vpic, specific_and_nonspecific_eoi)
{
	struct vpic p;

	open_init(&p, 0x01);
	pulse(&p, 6);
	EXPECT_EQ(vpic_ack(&p), 0x26);
	pulse(&p, 4);
	EXPECT_EQ(vpic_ack(&p), 0x24);
	pulse(&p, 0);
	EXPECT_EQ(vpic_ack(&p), 0x20);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x51);
	out(&p, PIC1_CMD, 0x64); /* specific EOI, IR4 */
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x41);
	out(&p, PIC1_CMD, 0x65); /* specific EOI of a level not in service */
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x41);
	EOI_MASTER(&p); /* the highest: IR0 */
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x40);
	EOI_MASTER(&p);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);
	EOI_MASTER(&p);		 /* nothing in service: harmless */
	out(&p, PIC1_CMD, 0x40); /* OCW2 no-operation */
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);
	EXPECT_EQ(vpic_pending(&p), -1);
}

TEST(vpic, auto_eoi)
{
	struct vpic p;

	open_init(&p, 0x03); /* ICW4: 8086, AEOI */
	pulse(&p, 4);
	EXPECT_EQ(vpic_ack(&p), 0x24);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);
	pulse(&p, 5);
	EXPECT_EQ(vpic_ack(&p), 0x25); /* nothing blocks: no EOI needed */
	pulse(&p, 10);
	EXPECT_EQ(vpic_ack(&p), 0x2a);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);
	EXPECT_EQ(read_isr(&p, PIC2_CMD), 0);
	/* ICW1 without IC4 clears AEOI. */
	out(&p, PIC1_CMD, 0x10);
	out(&p, PIC1_DATA, 0x20);
	out(&p, PIC1_DATA, 0x04);
	EXPECT_EQ(in(&p, PIC1_DATA), 0); /* ICW1 cleared the IMR */
	pulse(&p, 4);
	EXPECT_EQ(vpic_ack(&p), 0x24);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x10);
}

TEST(vpic, masking)
{
	struct vpic p;

	open_init(&p, 0x01);
	out(&p, PIC1_DATA, 0x10);
	pulse(&p, 4);
	EXPECT_EQ(vpic_pending(&p), -1);
	EXPECT_EQ(read_irr(&p, PIC1_CMD), 0x10); /* latched, masked */
	pulse(&p, 6);
	EXPECT_EQ(vpic_ack(&p), 0x26);
	EOI_MASTER(&p);
	out(&p, PIC1_DATA, 0x00);
	EXPECT_EQ(vpic_ack(&p), 0x24);
	EOI_MASTER(&p);
	/* A masked request in service still blocks lower levels (no SMM). */
	pulse(&p, 1);
	EXPECT_EQ(vpic_ack(&p), 0x21);
	out(&p, PIC1_DATA, 0x02);
	pulse(&p, 5);
	EXPECT_EQ(vpic_pending(&p), -1);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_pending(&p), 0x25);
}

TEST(vpic, elcr_level_triggered)
{
	struct vpic p;

	open_init(&p, 0x01);
	out(&p, PIC_ELCR1, 0xff);
	out(&p, PIC_ELCR2, 0xff);
	EXPECT_EQ(in(&p, PIC_ELCR1), 0xf8); /* IRQ 0, 1, 2 are always edge */
	EXPECT_EQ(in(&p, PIC_ELCR2), 0xde); /* IRQ 8, 13 likewise */
	out(&p, PIC_ELCR1, 0x00);
	out(&p, PIC_ELCR2, 0x04); /* IRQ10 level */

	vpic_set_irq(&p, 10, true);
	EXPECT_EQ(vpic_ack(&p), 0x2a);
	EXPECT_EQ(vpic_pending(&p), -1); /* in service */
	EOI_SLAVE(&p);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_pending(&p), 0x2a); /* still high: again */
	EXPECT_EQ(vpic_ack(&p), 0x2a);
	EOI_SLAVE(&p);
	EOI_MASTER(&p);
	vpic_set_irq(&p, 10, false);
	EXPECT_EQ(vpic_pending(&p), -1); /* follows the level */
	EXPECT_EQ(read_irr(&p, PIC2_CMD), 0);

	/* A level request withdrawn before INTA is lost. */
	vpic_set_irq(&p, 10, true);
	vpic_set_irq(&p, 10, false);
	EXPECT_EQ(vpic_pending(&p), -1);

	/* An edge input keeps a pulse. */
	pulse(&p, 11);
	EXPECT_EQ(vpic_ack(&p), 0x2b);
	EOI_SLAVE(&p);
	EOI_MASTER(&p);
	/* An edge input held high requests once. */
	vpic_set_irq(&p, 11, true);
	EXPECT_EQ(vpic_ack(&p), 0x2b);
	EOI_SLAVE(&p);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_pending(&p), -1);
	/* Switching a high line to level makes it request. */
	out(&p, PIC_ELCR2, 0x0c);
	EXPECT_EQ(vpic_pending(&p), 0x2b);
}

TEST(vpic, ltim_level_triggered)
{
	struct vpic p;

	vpic_init(&p);
	out(&p, PIC1_CMD, 0x19); /* ICW1: LTIM, cascade, IC4 */
	out(&p, PIC1_DATA, 0x20);
	out(&p, PIC1_DATA, 0x04);
	out(&p, PIC1_DATA, 0x01);
	vpic_set_irq(&p, 3, true);
	EXPECT_EQ(vpic_ack(&p), 0x23);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_pending(&p), 0x23);
	vpic_set_irq(&p, 3, false);
	EXPECT_EQ(vpic_pending(&p), -1);
	/* ICW1 while a level line is high: it requests at once (no edge
	 * needed); an edge line must rise again. */
	vpic_set_irq(&p, 3, true);
	out(&p, PIC1_CMD, 0x19);
	out(&p, PIC1_DATA, 0x20);
	out(&p, PIC1_DATA, 0x04);
	out(&p, PIC1_DATA, 0x01);
	EXPECT_EQ(vpic_pending(&p), 0x23);
	out(&p, PIC1_CMD, 0x11);
	out(&p, PIC1_DATA, 0x20);
	out(&p, PIC1_DATA, 0x04);
	out(&p, PIC1_DATA, 0x01);
	EXPECT_EQ(vpic_pending(&p), -1);
	vpic_set_irq(&p, 3, false);
	vpic_set_irq(&p, 3, true);
	EXPECT_EQ(vpic_pending(&p), 0x23);
}

TEST(vpic, spurious_irq7)
{
	struct vpic p;

	open_init(&p, 0x01);
	out(&p, PIC_ELCR1, 0x20); /* IRQ5 level */
	vpic_set_irq(&p, 5, true);
	EXPECT_EQ(vpic_pending(&p), 0x25);
	vpic_set_irq(&p, 5, false); /* withdrawn before INTA */
	EXPECT_EQ(vpic_ack(&p), 0x27);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);

	/* Masked between the check and the INTA. */
	pulse(&p, 4);
	EXPECT_EQ(vpic_pending(&p), 0x24);
	out(&p, PIC1_DATA, 0x10);
	EXPECT_EQ(vpic_ack(&p), 0x27);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);

	/* A slave request withdrawn: the master has nothing, IRQ7's vector. */
	out(&p, PIC1_DATA, 0x00);
	EXPECT_EQ(vpic_ack(&p), 0x24);
	EOI_MASTER(&p);
	out(&p, PIC_ELCR2, 0x80); /* IRQ15 level */
	vpic_set_irq(&p, 15, true);
	EXPECT_EQ(vpic_pending(&p), 0x2f);
	vpic_set_irq(&p, 15, false);
	EXPECT_EQ(vpic_ack(&p), 0x27);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);
	EXPECT_EQ(read_isr(&p, PIC2_CMD), 0);

	/* A real IRQ7 does set ISR7. */
	pulse(&p, 7);
	EXPECT_EQ(vpic_ack(&p), 0x27);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x80);
}

TEST(vpic, ocw3_register_reads)
{
	struct vpic p;

	open_init(&p, 0x01);
	out(&p, PIC1_DATA, 0xff);
	pulse(&p, 3);
	pulse(&p, 6);
	EXPECT_EQ(in(&p, PIC1_CMD), 0x48); /* IRR after ICW1 */
	out(&p, PIC1_CMD, 0x0b);
	EXPECT_EQ(in(&p, PIC1_CMD), 0); /* ISR */
	EXPECT_EQ(in(&p, PIC1_CMD), 0); /* stays selected */
	out(&p, PIC1_CMD, 0x08);	/* RR = 0: no change */
	EXPECT_EQ(in(&p, PIC1_CMD), 0);
	out(&p, PIC1_CMD, 0x0a);
	EXPECT_EQ(in(&p, PIC1_CMD), 0x48);
	EXPECT_EQ(in(&p, PIC1_DATA), 0xff); /* data port: IMR */
	out(&p, PIC1_DATA, 0x00);
	EXPECT_EQ(vpic_ack(&p), 0x23);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x08);
	EXPECT_EQ(read_irr(&p, PIC1_CMD), 0x40);
}

TEST(vpic, poll_command)
{
	struct vpic p;

	open_init(&p, 0x01);
	out(&p, PIC1_CMD, 0x0c);	   /* OCW3: poll */
	EXPECT_EQ(in(&p, PIC1_CMD), 0x00); /* no request */
	pulse(&p, 5);
	pulse(&p, 3);
	out(&p, PIC1_CMD, 0x0c);
	EXPECT_EQ(in(&p, PIC1_CMD), 0x83);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x08);
	EXPECT_EQ(in(&p, PIC1_DATA), 0x00); /* poll is one read only */
	EOI_MASTER(&p);
	out(&p, PIC1_CMD, 0x0c);
	EXPECT_EQ(in(&p, PIC1_DATA), 0x85); /* any read port answers */
	EOI_MASTER(&p);
	/* A slave request: the master reports IR2, then poll the slave. */
	pulse(&p, 13);
	out(&p, PIC1_CMD, 0x0c);
	EXPECT_EQ(in(&p, PIC1_CMD), 0x82);
	out(&p, PIC2_CMD, 0x0c);
	EXPECT_EQ(in(&p, PIC2_CMD), 0x85);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x04);
	EXPECT_EQ(read_isr(&p, PIC2_CMD), 0x20);
	EXPECT_EQ(vpic_pending(&p), -1);
}

TEST(vpic, rotation)
{
	struct vpic p;

	open_init(&p, 0x01);
	out(&p, PIC1_CMD, 0xc4); /* set priority: IR4 lowest, IR5 highest */
	pulse(&p, 0);
	pulse(&p, 4);
	pulse(&p, 6);
	EXPECT_EQ(vpic_ack(&p), 0x26);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_ack(&p), 0x20);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_ack(&p), 0x24);
	out(&p, PIC1_CMD, 0xa0); /* rotate on non-specific EOI: IR4 lowest */
	/* Equal-priority round robin: each served IR becomes the lowest. */
	pulse(&p, 1);
	pulse(&p, 3);
	EXPECT_EQ(vpic_ack(&p), 0x21);
	out(&p, PIC1_CMD, 0xa0);
	pulse(&p, 1);
	EXPECT_EQ(vpic_ack(&p), 0x23); /* IR1 is now lowest */
	out(&p, PIC1_CMD, 0xe3);       /* rotate on specific EOI, IR3 */
	EXPECT_EQ(vpic_ack(&p), 0x21);
	out(&p, PIC1_CMD, 0x61);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);

	/* Rotate in AEOI mode. */
	open_init(&p, 0x03);
	out(&p, PIC1_CMD, 0x80); /* set rotate in AEOI */
	pulse(&p, 1);
	EXPECT_EQ(vpic_ack(&p), 0x21);
	pulse(&p, 1);
	pulse(&p, 3);
	EXPECT_EQ(vpic_ack(&p), 0x23);
	out(&p, PIC1_CMD, 0x00); /* clear rotate in AEOI */
	pulse(&p, 3);
	EXPECT_EQ(vpic_ack(&p), 0x21); /* IR3 lowest from the last rotation */
	EXPECT_EQ(vpic_ack(&p), 0x23);
	pulse(&p, 1);
	pulse(&p, 3);
	EXPECT_EQ(vpic_ack(&p), 0x21); /* no more rotation: IR3 stays lowest */
}

TEST(vpic, special_mask_mode)
{
	struct vpic p;

	open_init(&p, 0x01);
	pulse(&p, 3);
	EXPECT_EQ(vpic_ack(&p), 0x23);
	out(&p, PIC1_DATA, 0x08); /* mask the level in service */
	out(&p, PIC1_CMD, 0x68);  /* OCW3: set special mask mode */
	pulse(&p, 6);
	EXPECT_EQ(vpic_ack(&p), 0x26); /* lower level allowed */
	EOI_MASTER(&p);		       /* skips the masked IR3 */
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0x08);
	out(&p, PIC1_CMD, 0x48); /* reset special mask mode */
	pulse(&p, 6);
	EXPECT_EQ(vpic_pending(&p), -1); /* IR3 in service blocks again */
	out(&p, PIC1_CMD, 0x28);	 /* ESMM = 0: SMM bit ignored */
	EXPECT_EQ(vpic_pending(&p), -1);
	EOI_MASTER(&p);
	EXPECT_EQ(vpic_ack(&p), 0x26);
}

TEST(vpic, single_mode_and_no_icw4)
{
	struct vpic p;

	vpic_init(&p);
	out(&p, PIC1_CMD, 0x13); /* single, IC4: no ICW3 */
	out(&p, PIC1_DATA, 0x40);
	out(&p, PIC1_DATA, 0x01); /* this is ICW4 */
	EXPECT_EQ(in(&p, PIC1_DATA), 0x00);
	out(&p, PIC1_DATA, 0xf0);
	EXPECT_EQ(in(&p, PIC1_DATA), 0xf0);
	vpic_set_irq(&p, 2, true); /* IR2 is an ordinary input */
	EXPECT_EQ(vpic_ack(&p), 0x42);

	vpic_init(&p);
	out(&p, PIC1_CMD, 0x12); /* single, no ICW4: ready after ICW2 */
	out(&p, PIC1_DATA, 0x48);
	out(&p, PIC1_DATA, 0xfe); /* OCW1 */
	pulse(&p, 0);
	EXPECT_EQ(vpic_ack(&p), 0x48);
}

TEST(vpic, icw2_low_bits_ignored)
{
	struct vpic p;

	vpic_init(&p);
	out(&p, PIC1_CMD, 0x11);
	out(&p, PIC1_DATA, 0x37); /* T2-T0 come from the IR */
	out(&p, PIC1_DATA, 0x04);
	out(&p, PIC1_DATA, 0x01);
	pulse(&p, 1);
	EXPECT_EQ(vpic_ack(&p), 0x31);
	/* A new ICW1 mid-use restarts the sequence and clears ISR. */
	out(&p, PIC1_CMD, 0x11);
	EXPECT_EQ(vpic_pending(&p), -1);
	EXPECT_EQ(vpic_ack(&p), -1);
	out(&p, PIC1_DATA, 0x50);
	out(&p, PIC1_DATA, 0x04);
	out(&p, PIC1_DATA, 0x01);
	EXPECT_EQ(read_isr(&p, PIC1_CMD), 0);
	pulse(&p, 1);
	EXPECT_EQ(vpic_ack(&p), 0x51);
}

static bool valid_vector(const struct vpic *p, int v)
{
	return v == -1 || (v & 0xf8) == p->chip[0].vector_base || (v & 0xf8) == p->chip[1].vector_base;
}

TEST(vpic, random_garbage)
{
	static const uint16_t ports[] = {PIC1_CMD, PIC1_DATA, PIC2_CMD, PIC2_DATA, PIC_ELCR1, PIC_ELCR2};
	struct vpic p;
	unsigned seed = 12345;

	for (int round = 0; round < 50; round++) {
		vpic_init(&p);
		if (round & 1)
			open_init(&p, (uint8_t)(round & 2 ? 0x03 : 0x01));
		for (int i = 0; i < 4000; i++) {
			unsigned r = (unsigned)rand_r(&seed);
			uint8_t v = (uint8_t)(r >> 8);
			int vec;

			test_context("round %d step %d r %#x", round, i, r);
			switch (r % 6) {
			case 0:
			case 1:
				EXPECT_EQ(vpic_io(&p, ports[(r >> 16) % N(ports)], r & 0x10000000, &v), 0);
				break;
			case 2:
			case 3:
				vpic_set_irq(&p, (r >> 16) % 20, r & 0x10000000);
				break;
			case 4:
				vec = vpic_pending(&p);
				EXPECT_TRUE(valid_vector(&p, vec));
				break;
			default:
				vec = vpic_ack(&p);
				EXPECT_TRUE(valid_vector(&p, vec));
				EXPECT_EQ(vec == -1, p.chip[0].init_state != VPIC_READY);
				break;
			}
			EXPECT_EQ(p.chip[0].elcr & 0x07, 0);
			EXPECT_EQ(p.chip[1].elcr & 0x21, 0);
			EXPECT_LE(p.chip[0].lowest, 7);
			EXPECT_LE(p.chip[1].lowest, 7);
			EXPECT_LE(p.chip[0].init_state, VPIC_READY);
		}
	}
}

/* The guest sees only 1-byte ports; every command byte on every port in
 * every init state must leave the pair usable after a fresh ICW sequence. */
TEST(vpic, every_byte_then_reinit)
{
	static const uint16_t ports[] = {PIC1_CMD, PIC1_DATA, PIC2_CMD, PIC2_DATA};
	struct vpic p;

	for (size_t pi = 0; pi < N(ports); pi++) {
		for (unsigned b = 0; b < 256; b++) {
			test_context("port %#x byte %#x", ports[pi], b);
			open_init(&p, 0x01);
			pulse(&p, 4);
			out(&p, ports[pi], (uint8_t)b);
			(void)in(&p, ports[pi]);
			(void)vpic_ack(&p);
			icw_both(&p, 0x01);
			EXPECT_EQ(vpic_pending(&p), -1);
			pulse(&p, 9);
			EXPECT_EQ(vpic_ack(&p), 0x29);
		}
	}
}
