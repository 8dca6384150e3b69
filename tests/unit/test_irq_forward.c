/* SPDX-License-Identifier: GPL-2.0-only */
/* test_irq_forward.c: the order of mask, IPI, EOI and unmask for a pin the
 * VMM routes to an IOPM (vmm/iopm/irq_forward.c). The callbacks record what the
 * hardware would have been told, in order. */
#include "test.h"

#include "vmm/iopm/irq_forward.h"

static char seq[512];

static void add(const char *what)
{
	if (seq[0])
		strncat(seq, " ", sizeof(seq) - strlen(seq) - 1);
	strncat(seq, what, sizeof(seq) - strlen(seq) - 1);
}

static void op_mask(void *ctx)
{
	(void)ctx;
	add("mask");
}
static void op_unmask(void *ctx)
{
	(void)ctx;
	add("unmask");
}
static void op_eoi(void *ctx)
{
	(void)ctx;
	add("eoi");
}
static void op_send(void *ctx, uint8_t vector)
{
	char b[16];
	(void)ctx;
	snprintf(b, sizeof(b), "ipi:0x%x", vector);
	add(b);
}

static const struct fwd_ops ops = {op_mask, op_unmask, op_eoi, op_send};

static const char *fire(struct fwd_pin *p, struct fwd_route r)
{
	seq[0] = 0;
	fwd_interrupt(p, &r, &ops, NULL);
	return seq;
}

static const char *poll(struct fwd_pin *p, struct fwd_route r)
{
	seq[0] = 0;
	fwd_poll(p, &r, &ops, NULL);
	return seq;
}

#define ROUTE(v, m, e) ((struct fwd_route){.valid = (v), .masked = (m), .eoi_count = (e)})

TEST(irq_forward, level_pin_is_masked_before_the_eoi)
{
	/* The line is still asserted when the VMM EOIs: the EOI clears the
	 * IOAPIC's Remote IRR, so an unmasked pin would fire again at once. */
	struct fwd_pin p = {.level = true, .vector = 0x39};
	EXPECT_STREQ(fire(&p, ROUTE(true, false, 7)), "mask ipi:0x39 eoi");
	EXPECT_EQ(p.forwarded, 1);
	EXPECT_EQ(p.hold, FWD_WAIT_EOI);
}

TEST(irq_forward, level_pin_unmasked_only_after_the_iopm_eoi_count_moved)
{
	struct fwd_pin p = {.level = true, .vector = 0x39};
	fire(&p, ROUTE(true, false, 7));
	EXPECT_STREQ(poll(&p, ROUTE(true, false, 7)), ""); /* IOPM not done yet */
	EXPECT_STREQ(poll(&p, ROUTE(true, true, 7)), "");  /* Linux masked it meanwhile: still not done */
	EXPECT_STREQ(poll(&p, ROUTE(true, false, 8)), "unmask");
	EXPECT_EQ(p.hold, FWD_OPEN);
	EXPECT_STREQ(poll(&p, ROUTE(true, false, 9)), ""); /* open: nothing to undo */
}

TEST(irq_forward, eoi_count_moving_before_the_forward_does_not_unmask)
{
	/* The IOPM serviced an earlier interrupt (count 3 -> 4) that no poll
	 * saw; the next forward happens at count 4: unmask only at 5. */
	struct fwd_pin p = {.level = true, .vector = 0x39};
	fire(&p, ROUTE(true, false, 3));
	EXPECT_STREQ(poll(&p, ROUTE(true, false, 4)), "unmask");
	fire(&p, ROUTE(true, false, 4));
	EXPECT_STREQ(poll(&p, ROUTE(true, false, 4)), "");
	EXPECT_STREQ(poll(&p, ROUTE(true, false, 5)), "unmask");
}

TEST(irq_forward, level_pin_not_deliverable_is_held_masked)
{
	/* no route yet, or Linux masked the IRQ: dropping it but leaving the
	 * pin open would be a storm while the line stays asserted */
	struct fwd_pin p = {.level = true, .vector = 0x39};
	EXPECT_STREQ(fire(&p, ROUTE(false, false, 0)), "mask eoi");
	EXPECT_EQ(p.dropped, 1);
	EXPECT_EQ(p.hold, FWD_HELD);
	EXPECT_STREQ(poll(&p, ROUTE(false, false, 0)), "");
	EXPECT_STREQ(poll(&p, ROUTE(true, true, 0)), "");	 /* route there, IRQ masked by Linux */
	EXPECT_STREQ(poll(&p, ROUTE(true, false, 0)), "unmask"); /* deliverable: let it fire again */
	EXPECT_EQ(p.hold, FWD_OPEN);
	EXPECT_STREQ(fire(&p, ROUTE(true, true, 0)), "mask eoi");
	EXPECT_EQ(p.dropped, 2);
}

TEST(irq_forward, withdrawn_route_while_waiting_holds_the_pin)
{
	/* the IOPM withdrew the route before servicing it: no EOI will come;
	 * the pin stays masked until a route is deliverable again */
	struct fwd_pin p = {.level = true, .vector = 0x39};
	fire(&p, ROUTE(true, false, 1));
	EXPECT_STREQ(poll(&p, ROUTE(false, false, 1)), "");
	EXPECT_EQ(p.hold, FWD_HELD);
	EXPECT_STREQ(poll(&p, ROUTE(true, false, 1)), "unmask");
}

TEST(irq_forward, edge_pin_never_masked)
{
	struct fwd_pin p = {.level = false, .vector = 0x33};
	EXPECT_STREQ(fire(&p, ROUTE(true, false, 0)), "ipi:0x33 eoi");
	EXPECT_STREQ(fire(&p, ROUTE(false, false, 0)), "eoi");
	EXPECT_STREQ(fire(&p, ROUTE(true, true, 0)), "eoi");
	EXPECT_EQ(p.forwarded, 1);
	EXPECT_EQ(p.dropped, 2);
	EXPECT_STREQ(poll(&p, ROUTE(true, false, 5)), "");
	EXPECT_EQ(p.hold, FWD_OPEN);
}
