/* SPDX-License-Identifier: GPL-2.0-only */
/* test_irq_forward.c: the VMM's table of routed ISA IRQs
 * (vmm/iopm/irq_forward.c): who may route a pin, and the order of claim,
 * mask, IPI, EOI and unmask when it fires, when a route is made, updated
 * (Linux's mask) or released, and when a PIN_EOI comes. The callbacks
 * record what the hardware would have been told, in order. The same table
 * behind the channel's kernel ring: tests/unit/test_channel.c. */
#include "test.h"

#include "vmm/iopm/irq_forward.h"

static char seq[512];
static uint32_t level_irqs = (1U << 9) | (1U << 10); /* the fake IOAPIC's level pins */

static void add(const char *fmt, unsigned a, unsigned b)
{
	char buf[32];
	snprintf(buf, sizeof(buf), fmt, a, b);
	if (seq[0])
		strncat(seq, " ", sizeof(seq) - strlen(seq) - 1);
	strncat(seq, buf, sizeof(seq) - strlen(seq) - 1);
}

static int op_claim(void *ctx, uint32_t irq, bool *level)
{
	(void)ctx;
	if (irq == 13)
		return -1; /* no IOAPIC pin */
	*level = level_irqs & (1U << irq);
	add("claim:%u", irq, 0);
	return 0;
}

static void op_mask(void *ctx, uint32_t irq)
{
	(void)ctx;
	add("mask:%u", irq, 0);
}

static void op_unmask(void *ctx, uint32_t irq)
{
	(void)ctx;
	add("unmask:%u", irq, 0);
}

static void op_eoi(void *ctx)
{
	(void)ctx;
	add("eoi", 0, 0);
}

static void op_send(void *ctx, uint32_t iopm, uint8_t vector)
{
	(void)ctx;
	add("ipi%u:0x%x", iopm, vector);
}

static const struct fwd_ops ops = {op_claim, op_mask, op_unmask, op_eoi, op_send};

static struct fwd_table *table(void)
{
	static struct fwd_table t;
	memset(&t, 0, sizeof(t));
	fwd_keep(&t, 4);
	fwd_assign(&t, 3, 0);
	fwd_assign(&t, 5, 1);
	return &t;
}

static const char *fire(struct fwd_table *t, uint32_t irq)
{
	seq[0] = 0;
	fwd_interrupt(t, irq, &ops, NULL);
	return seq;
}

/* IOPM `iopm` routes `irq`; returns the hardware actions, *out the result. */
static const char *route(struct fwd_table *t, uint32_t iopm, uint32_t irq, uint32_t vector, uint32_t flags,
			 struct fwd_result *out)
{
	seq[0] = 0;
	fwd_route(t, iopm, irq, vector, flags, &ops, NULL, out);
	return seq;
}

static const char *eoi(struct fwd_table *t, uint32_t irq, int *reason)
{
	const char *why = "?";
	seq[0] = 0;
	*reason = fwd_eoi(t, 0, irq, &ops, NULL, &why);
	EXPECT_TRUE(why != NULL);
	return seq;
}

#define V COOP_ROUTE_VALID
#define L COOP_ROUTE_LEVEL
#define M COOP_ROUTE_MASKED

TEST(irq_forward, edge_route_claims_unmasks_and_forwards)
{
	struct fwd_table *t = table();
	struct fwd_result r;
	EXPECT_STREQ(fire(t, 3), "eoi"); /* no route yet: dropped */
	EXPECT_STREQ(route(t, 0, 3, 0x33, V, &r), "claim:3 unmask:3");
	EXPECT_EQ(r.status, COOP_ROUTE_ACTIVE);
	EXPECT_EQ(r.flags, V);
	EXPECT_TRUE(r.changed);
	EXPECT_STREQ(fire(t, 3), "ipi0:0x33 eoi");
	EXPECT_STREQ(fire(t, 3), "ipi0:0x33 eoi"); /* an edge pin is never masked while routed */
	EXPECT_EQ(t->pin[3].forwarded, 2);
	EXPECT_EQ(t->pin[3].dropped, 1);
	/* The same route again: nothing changes, no hardware action. */
	EXPECT_STREQ(route(t, 0, 3, 0x33, V, &r), "");
	EXPECT_FALSE(r.changed);
	EXPECT_EQ(r.status, COOP_ROUTE_ACTIVE);
}

TEST(irq_forward, level_pin_is_masked_before_the_eoi_and_opened_by_the_pin_eoi)
{
	/* The line is still asserted when the VMM EOIs: the EOI clears the
	 * IOAPIC's Remote IRR, so an unmasked pin would fire again at once. */
	struct fwd_table *t = table();
	struct fwd_result r;
	int why;
	EXPECT_STREQ(route(t, 0, 9, 0x39, V | L, &r), "claim:9 unmask:9");
	EXPECT_EQ(r.flags, V | L);
	EXPECT_STREQ(fire(t, 9), "mask:9 ipi0:0x39 eoi");
	EXPECT_EQ(t->pin[9].hold, FWD_WAIT_EOI);
	EXPECT_STREQ(eoi(t, 9, &why), "unmask:9");
	EXPECT_EQ(why, 0);
	EXPECT_EQ(t->pin[9].hold, FWD_OPEN);
	EXPECT_EQ(t->pin[9].eois, 1);
	/* A second EOI is not owed: refused, nothing done. */
	EXPECT_STREQ(eoi(t, 9, &why), "");
	EXPECT_EQ(why, COOP_ERR_STATE);
	EXPECT_EQ(t->pin[9].eois, 1);
}

TEST(irq_forward, pin_eoi_unmasks_only_its_own_pin)
{
	struct fwd_table *t = table();
	struct fwd_result r;
	int why;
	route(t, 0, 9, 0x39, V | L, &r);
	route(t, 0, 10, 0x3a, V | L, &r);
	fire(t, 9);
	fire(t, 10);
	EXPECT_STREQ(eoi(t, 10, &why), "unmask:10");
	EXPECT_EQ(t->pin[9].hold, FWD_WAIT_EOI); /* still waiting */
	EXPECT_STREQ(eoi(t, 9, &why), "unmask:9");
}

TEST(irq_forward, eois_refused_with_their_reason)
{
	struct fwd_table *t = table();
	struct fwd_result r;
	int why;
	EXPECT_STREQ(eoi(t, 9, &why), ""); /* never routed */
	EXPECT_EQ(why, COOP_ERR_FIELD);
	EXPECT_STREQ(eoi(t, 16, &why), "");
	EXPECT_EQ(why, COOP_ERR_FIELD);
	EXPECT_STREQ(eoi(t, 5, &why), ""); /* IOPM 1's pin */
	EXPECT_EQ(why, COOP_ERR_FIELD);
	route(t, 0, 9, 0x39, V | L, &r);
	EXPECT_STREQ(eoi(t, 9, &why), ""); /* routed, nothing forwarded */
	EXPECT_EQ(why, COOP_ERR_STATE);
	route(t, 0, 3, 0x33, V, &r);
	fire(t, 3);
	EXPECT_STREQ(eoi(t, 3, &why), ""); /* an edge pin takes no EOI */
	EXPECT_EQ(why, COOP_ERR_STATE);
}

TEST(irq_forward, level_pin_linux_masked_is_held_until_the_unmask)
{
	/* Linux masked the IRQ: dropping the interrupt but leaving the pin
	 * open would be a storm while the line stays asserted. */
	struct fwd_table *t = table();
	struct fwd_result r;
	int why;
	route(t, 0, 9, 0x39, V | L, &r);
	EXPECT_STREQ(route(t, 0, 9, 0x39, V | L | M, &r), ""); /* the next fire masks it */
	EXPECT_EQ(r.flags, V | L | M);
	EXPECT_FALSE(r.changed);
	EXPECT_STREQ(fire(t, 9), "mask:9 eoi");
	EXPECT_EQ(t->pin[9].hold, FWD_HELD);
	EXPECT_EQ(t->pin[9].held, 1);
	EXPECT_STREQ(eoi(t, 9, &why), "");
	EXPECT_EQ(why, COOP_ERR_STATE);
	EXPECT_STREQ(route(t, 0, 9, 0x39, V | L, &r), "unmask:9"); /* a still asserted line fires anew */
	EXPECT_STREQ(fire(t, 9), "mask:9 ipi0:0x39 eoi");
}

TEST(irq_forward, level_pin_masked_while_waiting_stays_masked_after_the_eoi)
{
	/* handle_fasteoi_irq on a disabled IRQ: mask, then EOI. */
	struct fwd_table *t = table();
	struct fwd_result r;
	int why;
	route(t, 0, 9, 0x39, V | L, &r);
	fire(t, 9);
	EXPECT_STREQ(route(t, 0, 9, 0x39, V | L | M, &r), "");
	EXPECT_STREQ(eoi(t, 9, &why), ""); /* taken, but the pin stays masked */
	EXPECT_EQ(why, 0);
	EXPECT_EQ(t->pin[9].hold, FWD_HELD);
	EXPECT_STREQ(route(t, 0, 9, 0x39, V | L, &r), "unmask:9");
}

TEST(irq_forward, edge_fired_while_linux_masked_is_forwarded_at_the_unmask)
{
	struct fwd_table *t = table();
	struct fwd_result r;
	route(t, 0, 3, 0x33, V | M, &r);
	EXPECT_STREQ(seq, "claim:3 unmask:3"); /* open: an edge at a masked pin would be lost */
	EXPECT_STREQ(fire(t, 3), "eoi");
	EXPECT_STREQ(fire(t, 3), "eoi"); /* held one deep, as the 8259's IRR */
	EXPECT_EQ(t->pin[3].held, 2);
	EXPECT_EQ(t->pin[3].forwarded, 0);
	EXPECT_STREQ(route(t, 0, 3, 0x33, V, &r), "ipi0:0x33");
	EXPECT_EQ(t->pin[3].forwarded, 1);
	EXPECT_STREQ(route(t, 0, 3, 0x33, V, &r), ""); /* nothing held any more */
}

TEST(irq_forward, released_route_is_masked_and_not_forwarded)
{
	struct fwd_table *t = table();
	struct fwd_result r;
	route(t, 0, 3, 0x33, V, &r);
	EXPECT_STREQ(route(t, 0, 3, 0, 0, &r), "mask:3");
	EXPECT_EQ(r.status, COOP_ROUTE_NONE);
	EXPECT_TRUE(r.changed);
	EXPECT_STREQ(fire(t, 3), "eoi");
	EXPECT_EQ(t->pin[3].dropped, 1);
	EXPECT_EQ(t->pin[3].forwarded, 0);
	/* Released again: nothing to do. */
	EXPECT_STREQ(route(t, 0, 3, 0, 0, &r), "");
	EXPECT_FALSE(r.changed);
	/* The console pin stays IOPM 0's (assigned); a pin taken by a route goes back to free. */
	EXPECT_EQ(t->pin[3].owner, FWD_IOPM);
	route(t, 0, 6, 0x36, V, &r);
	route(t, 0, 6, 0, 0, &r);
	EXPECT_EQ(t->pin[6].owner, FWD_FREE);
	EXPECT_STREQ(route(t, 1, 6, 0x36, V, &r), "unmask:6"); /* now IOPM 1 may take it */
	EXPECT_EQ(r.status, COOP_ROUTE_ACTIVE);
}

TEST(irq_forward, level_route_released_while_waiting_holds_the_pin)
{
	/* No EOI will come for it: the pin stays masked until routed again. */
	struct fwd_table *t = table();
	struct fwd_result r;
	int why;
	route(t, 0, 9, 0x39, V | L, &r);
	fire(t, 9);
	EXPECT_STREQ(route(t, 0, 9, 0, 0, &r), "");
	EXPECT_EQ(t->pin[9].hold, FWD_HELD);
	EXPECT_STREQ(eoi(t, 9, &why), "");
	EXPECT_EQ(why, COOP_ERR_FIELD);
	EXPECT_STREQ(fire(t, 9), "mask:9 eoi");
	EXPECT_STREQ(route(t, 0, 9, 0x39, V | L, &r), "unmask:9");
}

TEST(irq_forward, routes_refused_and_why)
{
	struct fwd_table *t = table();
	struct fwd_result r;
	struct {
		uint32_t iopm, irq, vector, flags, status;
		const char *why;
	} rows[] = {
	    {0, 4, 0x34, V, COOP_ROUTE_REFUSED_OWNED, "the VMM keeps this pin"},
	    {0, 5, 0x35, V, COOP_ROUTE_REFUSED_OWNED, "another IOPM has this pin"},
	    {1, 3, 0x33, V, COOP_ROUTE_REFUSED_OWNED, "another IOPM has this pin"},
	    {0, 4, 0, 0, COOP_ROUTE_REFUSED_OWNED, "the VMM keeps this pin"}, /* nor released */
	    {0, 16, 0x40, V, COOP_ROUTE_REFUSED_BAD, "not an ISA IRQ (0-15)"},
	    {0, 0xffffffff, 0x40, V, COOP_ROUTE_REFUSED_BAD, "not an ISA IRQ (0-15)"},
	    {0, 3, 0x1f, V, COOP_ROUTE_REFUSED_BAD, "vector outside 0x20-0xef"},
	    {0, 3, 0xf0, V, COOP_ROUTE_REFUSED_BAD, "vector outside 0x20-0xef"},
	    {0, 13, 0x3d, V, COOP_ROUTE_REFUSED_BAD, "no IOAPIC pin for this IRQ"},
	    {0, 9, 0x39, V, COOP_ROUTE_REFUSED_BAD, "the pin is level-triggered: the route must say LEVEL"},
	    {0, 3, 0x33, V | L, COOP_ROUTE_REFUSED_BAD,
	     "the pin is edge-triggered: the route must not say LEVEL"},
	};
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		test_context("row %u: iopm %u irq %u vector 0x%x", i, rows[i].iopm, rows[i].irq,
			     rows[i].vector);
		route(t, rows[i].iopm, rows[i].irq, rows[i].vector, rows[i].flags, &r);
		EXPECT_EQ(r.status, rows[i].status);
		EXPECT_STREQ(r.why, rows[i].why);
	}
	/* A level mismatch says the pin's trigger mode in the reply. */
	route(t, 0, 9, 0x39, V, &r);
	EXPECT_EQ(r.flags, L);
	/* Nothing was routed: no pin was ever unmasked, nothing forwarded. */
	for (uint32_t irq = 0; irq < COOP_ROUTE_IRQS; irq++)
		EXPECT_FALSE(t->pin[irq].routed);
	EXPECT_STREQ(fire(t, 4), "eoi");
	/* One vector per route of an IOPM. */
	route(t, 0, 3, 0x33, V, &r);
	route(t, 0, 6, 0x33, V, &r);
	EXPECT_EQ(r.status, COOP_ROUTE_REFUSED_BAD);
	EXPECT_STREQ(r.why, "vector taken by another route of this IOPM");
	route(t, 0, 3, 0x34, V, &r); /* a route may change its own vector */
	EXPECT_EQ(r.status, COOP_ROUTE_ACTIVE);
	EXPECT_TRUE(r.changed);
	EXPECT_STREQ(fire(t, 3), "ipi0:0x34 eoi");
}

TEST(irq_forward, the_view_shows_only_this_iopms_routed_pins)
{
	struct fwd_table *t = table();
	struct fwd_result r;
	struct coop_pin_view v;
	fwd_view(t, 0, 3, &v);
	EXPECT_EQ(v.vector, 0); /* assigned, never routed */
	route(t, 0, 3, 0x33, V, &r);
	fire(t, 3);
	fwd_view(t, 0, 3, &v);
	EXPECT_EQ(v.vector, 0x33);
	EXPECT_EQ(v.flags, V);
	EXPECT_EQ(v.forwarded, 1);
	fwd_view(t, 1, 3, &v);
	EXPECT_EQ(v.vector, 0); /* not IOPM 1's */
	fwd_view(t, 0, 4, &v);
	EXPECT_EQ(v.vector, 0); /* the VMM's */
	route(t, 0, 3, 0, 0, &r);
	fire(t, 3);
	fwd_view(t, 0, 3, &v);
	EXPECT_EQ(v.vector, 0x33); /* released: flags 0, the counts kept */
	EXPECT_EQ(v.flags, 0);
	EXPECT_EQ(v.dropped, 1);
}
