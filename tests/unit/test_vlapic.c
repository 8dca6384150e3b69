/* SPDX-License-Identifier: GPL-2.0-only */
/* test_vlapic.c: unit tests of the virtual local APIC (vmm/vdev/vlapic.c):
 * reset state, register masks, priorities and EOI, IPIs through the
 * send_ipi callback (xAPIC and x2APIC), ESR, the timer in its three modes
 * and all divide values, IA32_APIC_BASE transitions, x2APIC #GP cases,
 * destination matching, INIT, and a randomized run of hostile accesses. */
#include "test.h"
#include "arch/x86/apic.h"
#include "vmm/lib/errno.h"
#include "vmm/vdev/vlapic.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define KHZ_2G4	 2400000ULL /* 2.4 GHz TSC */
#define KHZ_100M 100000ULL  /* 100 MHz TSC */
#define BASE	 0xfee00000ULL
#define EN	 APIC_BASE_ENABLE
#define EXTD	 APIC_BASE_X2APIC

/* Registers apic.h does not name. */
#define APR	    0x090
#define PPR	    0x0a0
#define RRD	    0x0c0
#define ISR0	    0x100
#define TMR0	    0x180
#define IRR0	    0x200
#define LVT_CMCI    0x2f0
#define LVT_THERMAL 0x330
#define LVT_PERF    0x340
#define SELF_IPI    0x3f0

#define SVR_ON	     0x1ffU /* software-enabled, spurious vector 0xff */
#define LVT_ONESHOT  0x00000U
#define LVT_PERIODIC 0x20000U
#define LVT_DEADLINE 0x40000U
#define MSR(reg)     (0x800U + ((reg) >> 4))

/* --- a recording VMM core --- */

struct ipi {
	uint32_t dest;
	bool logical;
	uint8_t sh, dm, vec;
	bool level;
};

struct rec {
	struct ipi ipi[16];
	unsigned int nipi;
	uint8_t eoi[16];
	unsigned int neoi;
};

static void rec_send_ipi(void *ctx, uint32_t dest, bool logical, uint8_t sh, uint8_t dm, uint8_t vec,
			 bool level)
{
	struct rec *r = ctx;

	if (r->nipi < N(r->ipi))
		r->ipi[r->nipi] = (struct ipi){dest, logical, sh, dm, vec, level};
	r->nipi++;
}

static void rec_eoi_level(void *ctx, uint8_t vec)
{
	struct rec *r = ctx;

	if (r->neoi < N(r->eoi))
		r->eoi[r->neoi] = vec;
	r->neoi++;
}

static const struct vlapic_ops rec_ops = {rec_send_ipi, rec_eoi_level};

static void setup(struct vlapic *l, struct rec *r, uint32_t id)
{
	memset(r, 0, sizeof(*r));
	vlapic_init(l, id, id == 0, KHZ_2G4, &rec_ops, r);
}

static uint32_t rd_t(struct vlapic *l, uint32_t off, uint64_t now)
{
	uint32_t v = 0xdeadbeef;

	EXPECT_EQ(vlapic_mmio(l, off, false, &v, now), 0);
	return v;
}

static void wr_t(struct vlapic *l, uint32_t off, uint32_t v, uint64_t now)
{
	EXPECT_EQ(vlapic_mmio(l, off, true, &v, now), 0);
}

static uint32_t rd(struct vlapic *l, uint32_t off)
{
	return rd_t(l, off, 0);
}

static void wr(struct vlapic *l, uint32_t off, uint32_t v)
{
	wr_t(l, off, v, 0);
}

static void enable(struct vlapic *l)
{
	wr(l, APIC_SVR, SVR_ON);
}

/* Latch and read the ESR (write, then read, as the SDM says). */
static uint32_t esr(struct vlapic *l)
{
	if (vlapic_is_x2apic(l)) {
		uint64_t v = 0;

		EXPECT_EQ(vlapic_msr(l, MSR(APIC_ESR), true, &v, 0), 0);
		EXPECT_EQ(vlapic_msr(l, MSR(APIC_ESR), false, &v, 0), 0);
		return (uint32_t)v;
	}
	wr(l, APIC_ESR, 0);
	return rd(l, APIC_ESR);
}

static int msr(struct vlapic *l, uint32_t reg, bool write, uint64_t *v)
{
	return vlapic_msr(l, MSR(reg), write, v, 0);
}

static uint64_t msr_rd(struct vlapic *l, uint32_t reg)
{
	uint64_t v = 0xdeadbeef;

	EXPECT_EQ(msr(l, reg, false, &v), 0);
	return v;
}

static void msr_wr(struct vlapic *l, uint32_t reg, uint64_t v)
{
	EXPECT_EQ(msr(l, reg, true, &v), 0);
}

static void to_x2apic(struct vlapic *l)
{
	EXPECT_EQ(vlapic_set_apic_base(l, BASE | EN | EXTD), 0);
	EXPECT_TRUE(vlapic_is_x2apic(l));
}

static bool irr_has(struct vlapic *l, uint8_t v)
{
	return rd(l, IRR0 + (v >> 5) * 0x10) & (1U << (v & 31));
}

static bool isr_has(struct vlapic *l, uint8_t v)
{
	return rd(l, ISR0 + (v >> 5) * 0x10) & (1U << (v & 31));
}

/* Take the pending interrupt and check it is v. */
static void take(struct vlapic *l, int v)
{
	EXPECT_EQ(vlapic_pending(l), v);
	vlapic_ack(l, (uint8_t)v);
}

/* --- reset and registers --- */

TEST(vlapic, reset_state)
{
	static const struct {
		uint32_t off, val;
	} regs[] = {
	    {APIC_ID, 0x05000000},
	    {APIC_VERSION, 0x00060014},
	    {APIC_TPR, 0},
	    {APR, 0},
	    {PPR, 0},
	    {RRD, 0},
	    {APIC_LDR, 0},
	    {APIC_DFR, 0xffffffff},
	    {APIC_SVR, 0xff},
	    {APIC_ESR, 0},
	    {LVT_CMCI, 0x10000},
	    {APIC_ICR_LO, 0},
	    {APIC_ICR_HI, 0},
	    {APIC_LVT_TIMER, 0x10000},
	    {LVT_THERMAL, 0x10000},
	    {LVT_PERF, 0x10000},
	    {APIC_LVT_LINT0, 0x10000},
	    {APIC_LVT_LINT1, 0x10000},
	    {APIC_LVT_ERROR, 0x10000},
	    {APIC_TIMER_ICR, 0},
	    {APIC_TIMER_CCR, 0},
	    {APIC_TIMER_DCR, 0},
	    {APIC_EOI, 0},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;

	setup(&l, &r, 5);
	for (i = 0; i < N(regs); i++) {
		test_context("offset 0x%x", regs[i].off);
		EXPECT_EQ(rd(&l, regs[i].off), regs[i].val);
	}
	for (i = 0; i < 8; i++) {
		test_context("bank word %u", i);
		EXPECT_EQ(rd(&l, ISR0 + i * 0x10), 0);
		EXPECT_EQ(rd(&l, TMR0 + i * 0x10), 0);
		EXPECT_EQ(rd(&l, IRR0 + i * 0x10), 0);
	}
	EXPECT_EQ(vlapic_get_apic_base(&l), BASE | EN);
	EXPECT_FALSE(vlapic_is_x2apic(&l));
	EXPECT_EQ(vlapic_pending(&l), -1);
	EXPECT_EQ(vlapic_timer_update(&l, 12345), UINT64_MAX);
	EXPECT_EQ(esr(&l), 0);
	EXPECT_EQ(r.nipi, 0);

	setup(&l, &r, 0);
	EXPECT_EQ(vlapic_get_apic_base(&l), BASE | EN | APIC_BASE_BSP);
}

TEST(vlapic, xapic_write_masks)
{
	static const struct {
		uint32_t off, write, read;
	} regs[] = {
	    {APIC_TPR, 0xffffffff, 0xff},
	    {APIC_LDR, 0xffffffff, 0xff000000},
	    {APIC_DFR, 0x00000000, 0x0fffffff},
	    {APIC_DFR, 0x12345678, 0x1fffffff},
	    {APIC_SVR, 0xffffffff, 0x3ff}, /* bit 12 (EOI suppression) unsupported */
	    {LVT_CMCI, 0xffffffff, 0x107ff},
	    {APIC_TIMER_ICR, 0xffffffff, 0xffffffff}, /* before TSC-deadline mode ignores it */
	    {APIC_LVT_TIMER, 0xfff9ffff, 0x100ff},    /* one-shot */
	    {APIC_LVT_TIMER, 0xfffbffff, 0x300ff},    /* periodic */
	    {APIC_LVT_TIMER, 0xfffdffff, 0x500ff},    /* TSC deadline */
	    {LVT_THERMAL, 0xffffffff, 0x107ff},
	    {LVT_PERF, 0xffffffff, 0x107ff},
	    {APIC_LVT_LINT0, 0xffffffff, 0x1a7ff}, /* no delivery status, no remote IRR */
	    {APIC_LVT_LINT1, 0xffffffff, 0x1a7ff},
	    {APIC_LVT_ERROR, 0xffffffff, 0x100ff},
	    {APIC_ICR_HI, 0xffffffff, 0xff000000},
	    {APIC_ICR_LO, 0xffffffff, 0x000ccfff}, /* no busy bit; DM 111b: not sent */
	    {APIC_TIMER_DCR, 0xffffffff, 0xb},
	    {APIC_ID, 0xffffffff, 0x07000000}, /* read-only */
	    {APIC_VERSION, 0, 0x00060014},
	    {PPR, 0xff, 0},
	    {APR, 0xff, 0},
	    {ISR0 + 0x70, 0xffffffff, 0},
	    {TMR0 + 0x70, 0xffffffff, 0},
	    {IRR0 + 0x70, 0xffffffff, 0},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;

	setup(&l, &r, 7);
	enable(&l);
	for (i = 0; i < N(regs); i++) {
		test_context("offset 0x%x write 0x%x", regs[i].off, regs[i].write);
		if (regs[i].off == APIC_TPR)
			wr(&l, APIC_TPR, 0); /* keep PPR 0 for the PPR row */
		wr(&l, regs[i].off, regs[i].write);
		EXPECT_EQ(rd(&l, regs[i].off), regs[i].read);
		if (regs[i].off == APIC_SVR)
			enable(&l);
		if (regs[i].off == APIC_TPR)
			wr(&l, APIC_TPR, 0);
	}
	test_context("after the table");
	EXPECT_EQ(r.nipi, 0);
	EXPECT_EQ(esr(&l), 0); /* no illegal-register errors */
	EXPECT_EQ(vlapic_pending(&l), -1);
}

TEST(vlapic, xapic_reserved_timer_mode_ignored)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_LVT_TIMER, LVT_PERIODIC | 0x40);
	wr(&l, APIC_LVT_TIMER, 0x60000 | 0x41); /* mode 11b: reserved */
	EXPECT_EQ(rd(&l, APIC_LVT_TIMER), LVT_PERIODIC | 0x40);
}

TEST(vlapic, xapic_unimplemented_registers)
{
	static const uint32_t offs[] = {0x000, 0x010, 0x040, 0x050,    0x060, 0x070, 0x290,
					0x2e0, 0x3a0, 0x3d0, SELF_IPI, 0x400, 0x800, 0xff0};
	struct vlapic l;
	struct rec r;
	uint32_t i;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_LVT_ERROR, 0xfe);
	for (i = 0; i < N(offs); i++) {
		test_context("offset 0x%x", offs[i]);
		EXPECT_EQ(rd(&l, offs[i]), 0);
		EXPECT_EQ(esr(&l), APIC_ESR_ILLEGAL_REG);
		take(&l, 0xfe); /* the LVT error interrupt */
		wr(&l, APIC_EOI, 0);
		wr(&l, offs[i], 0xffffffff);
		EXPECT_EQ(esr(&l), APIC_ESR_ILLEGAL_REG);
		EXPECT_EQ(rd(&l, offs[i]), 0);
		EXPECT_EQ(esr(&l), APIC_ESR_ILLEGAL_REG);
		take(&l, 0xfe);
		wr(&l, APIC_EOI, 0);
		EXPECT_EQ(esr(&l), 0);
	}
	/* A self IPI write in xAPIC mode sent nothing. */
	EXPECT_EQ(r.nipi, 0);
}

TEST(vlapic, mmio_misaligned_and_out_of_page)
{
	static const uint32_t offs[] = {0x021, 0x022, 0x023,  0x024,  0x028,	 0x02c,
					0x0b4, 0x301, 0x1000, 0x1020, 0xfffffff0};
	struct vlapic l;
	struct rec r;
	uint32_t i, v;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_TPR, 0x20);
	for (i = 0; i < N(offs); i++) {
		test_context("offset 0x%x", offs[i]);
		v = 0xdeadbeef;
		EXPECT_EQ(vlapic_mmio(&l, offs[i], false, &v, 0), -EINVAL);
		EXPECT_EQ(v, 0);
		v = 0xff;
		EXPECT_EQ(vlapic_mmio(&l, offs[i], true, &v, 0), -EINVAL);
	}
	test_context("after the table");
	EXPECT_EQ(rd(&l, APIC_TPR), 0x20);
	EXPECT_EQ(esr(&l), 0);
	EXPECT_EQ(vlapic_mmio(&l, APIC_TPR, false, NULL, 0), -EINVAL);
}

TEST(vlapic, mmio_outside_xapic_mode)
{
	struct vlapic l;
	struct rec r;
	uint32_t v = 0;

	setup(&l, &r, 1);
	to_x2apic(&l);
	EXPECT_EQ(vlapic_mmio(&l, APIC_ID, false, &v, 0), -ENODEV);
	EXPECT_EQ(v, 0xffffffff);
	v = 0x1ff;
	EXPECT_EQ(vlapic_mmio(&l, APIC_SVR, true, &v, 0), -ENODEV);
	EXPECT_EQ(msr_rd(&l, APIC_SVR), 0xff);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE), 0);
	EXPECT_EQ(vlapic_mmio(&l, APIC_ID, false, &v, 0), -ENODEV);
	EXPECT_EQ(v, 0xffffffff);
}

TEST(vlapic, xapic_id_read_only)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 0x1a5); /* xAPIC shows the low 8 bits */
	EXPECT_EQ(rd(&l, APIC_ID), 0xa5000000);
	wr(&l, APIC_ID, 0x03000000);
	EXPECT_EQ(rd(&l, APIC_ID), 0xa5000000);
	EXPECT_TRUE(vlapic_match_dest(&l, 0xa5, false));
}

TEST(vlapic, software_disable_masks_lvts)
{
	static const uint32_t lvts[] = {LVT_CMCI,	APIC_LVT_TIMER, LVT_THERMAL,   LVT_PERF,
					APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_ERROR};
	struct vlapic l;
	struct rec r;
	uint32_t i;

	setup(&l, &r, 1);
	/* Reset state: software-disabled, unmasking is ignored. */
	for (i = 0; i < N(lvts); i++) {
		test_context("LVT 0x%x disabled at reset", lvts[i]);
		wr(&l, lvts[i], 0x31);
		EXPECT_EQ(rd(&l, lvts[i]), 0x10031);
	}
	enable(&l);
	for (i = 0; i < N(lvts); i++) {
		test_context("LVT 0x%x enabled", lvts[i]);
		wr(&l, lvts[i], 0x32);
		EXPECT_EQ(rd(&l, lvts[i]), 0x32);
	}
	wr(&l, APIC_SVR, 0xff);
	for (i = 0; i < N(lvts); i++) {
		test_context("LVT 0x%x after disable", lvts[i]);
		EXPECT_EQ(rd(&l, lvts[i]), 0x10032);
		wr(&l, lvts[i], 0x33);
		EXPECT_EQ(rd(&l, lvts[i]), 0x10033);
	}
	enable(&l);
	for (i = 0; i < N(lvts); i++) {
		test_context("LVT 0x%x re-enabled", lvts[i]);
		EXPECT_EQ(rd(&l, lvts[i]), 0x10033); /* stays masked until written */
	}
}

TEST(vlapic, lint_entries)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 0);
	EXPECT_EQ(vlapic_lint(&l, 0), APIC_LVT_MASKED);
	enable(&l);
	wr(&l, APIC_LVT_LINT0, 0x700); /* ExtINT */
	wr(&l, APIC_LVT_LINT1, APIC_LVT_NMI);
	EXPECT_EQ(vlapic_lint(&l, 0), 0x700);
	EXPECT_EQ(vlapic_lint(&l, 1), APIC_LVT_NMI);
	EXPECT_EQ(vlapic_lint(&l, 2), APIC_LVT_MASKED);
	EXPECT_EQ(vlapic_lint(&l, ~0U), APIC_LVT_MASKED);
	wr(&l, APIC_SVR, 0xff);
	EXPECT_EQ(vlapic_lint(&l, 0), 0x700 | APIC_LVT_MASKED);
}

/* --- priorities, acceptance, EOI --- */

TEST(vlapic, ppr_table)
{
	static const struct {
		uint32_t tpr;
		int isr;
		uint32_t ppr;
	} cases[] = {
	    {0x00, -1, 0x00},	{0x35, -1, 0x35},   {0x35, 0x47, 0x40},
	    {0x45, 0x47, 0x45}, {0x4f, 0x47, 0x4f}, {0x50, 0x47, 0x50},
	    {0x00, 0xff, 0xf0}, {0xff, 0x10, 0xff}, {0x10, 0x2f, 0x20},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;

	for (i = 0; i < N(cases); i++) {
		test_context("TPR 0x%x ISR %d", cases[i].tpr, cases[i].isr);
		setup(&l, &r, 1);
		enable(&l);
		if (cases[i].isr >= 0) {
			vlapic_accept(&l, (uint8_t)cases[i].isr, false);
			take(&l, cases[i].isr);
		}
		wr(&l, APIC_TPR, cases[i].tpr);
		EXPECT_EQ(rd(&l, PPR), cases[i].ppr);
		EXPECT_EQ(rd(&l, APIC_TPR), cases[i].tpr);
	}
}

TEST(vlapic, tpr_blocks_same_and_lower_class)
{
	static const struct {
		uint32_t tpr;
		int pending;
	} cases[] = {
	    {0x00, 0x45}, {0x3f, 0x45}, {0x40, -1}, {0x45, -1}, {0x4f, -1}, {0x50, -1}, {0xff, -1},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;

	setup(&l, &r, 1);
	enable(&l);
	vlapic_accept(&l, 0x45, false);
	for (i = 0; i < N(cases); i++) {
		test_context("TPR 0x%x", cases[i].tpr);
		wr(&l, APIC_TPR, cases[i].tpr);
		EXPECT_EQ(vlapic_pending(&l), cases[i].pending);
	}
	/* CR8 is TPR[7:4]. */
	test_context("CR8");
	EXPECT_EQ(vlapic_cr8_write(&l, 3), 0);
	EXPECT_EQ(rd(&l, APIC_TPR), 0x30);
	EXPECT_EQ(vlapic_cr8_read(&l), 3);
	EXPECT_EQ(vlapic_pending(&l), 0x45);
	EXPECT_EQ(vlapic_cr8_write(&l, 4), 0);
	EXPECT_EQ(vlapic_pending(&l), -1);
	EXPECT_EQ(vlapic_cr8_write(&l, 0x10), -EINVAL);
	EXPECT_EQ(vlapic_cr8_write(&l, 1ULL << 63), -EINVAL);
	EXPECT_EQ(vlapic_cr8_read(&l), 4);
	wr(&l, APIC_TPR, 0x5f);
	EXPECT_EQ(vlapic_cr8_read(&l), 5);
}

TEST(vlapic, higher_class_wins_and_nests)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	enable(&l);
	vlapic_accept(&l, 0x31, false);
	vlapic_accept(&l, 0x8f, false);
	vlapic_accept(&l, 0x80, false);
	EXPECT_TRUE(irr_has(&l, 0x31) && irr_has(&l, 0x8f) && irr_has(&l, 0x80));
	take(&l, 0x8f);
	EXPECT_TRUE(isr_has(&l, 0x8f));
	EXPECT_FALSE(irr_has(&l, 0x8f));
	EXPECT_EQ(rd(&l, PPR), 0x80);
	EXPECT_EQ(vlapic_pending(&l), -1); /* 0x80: same class as in service */
	vlapic_accept(&l, 0x91, false);
	take(&l, 0x91); /* a higher class nests */
	EXPECT_EQ(rd(&l, PPR), 0x90);
	EXPECT_EQ(vlapic_pending(&l), -1);
	wr(&l, APIC_EOI, 0); /* retires 0x91 */
	EXPECT_FALSE(isr_has(&l, 0x91));
	EXPECT_TRUE(isr_has(&l, 0x8f));
	EXPECT_EQ(rd(&l, PPR), 0x80);
	EXPECT_EQ(vlapic_pending(&l), -1);
	wr(&l, APIC_EOI, 0); /* retires 0x8f */
	EXPECT_EQ(rd(&l, PPR), 0);
	take(&l, 0x80);
	EXPECT_EQ(vlapic_pending(&l), -1); /* 0x31 is below 0x80's class */
	wr(&l, APIC_EOI, 0);
	take(&l, 0x31);
	wr(&l, APIC_EOI, 0);
	EXPECT_EQ(vlapic_pending(&l), -1);
	EXPECT_EQ(rd(&l, ISR0 + 0x10), 0);
	EXPECT_EQ(rd(&l, ISR0 + 0x40), 0);
	wr(&l, APIC_EOI, 0x1234); /* empty ISR: harmless */
	EXPECT_EQ(rd(&l, PPR), 0);
	EXPECT_EQ(r.neoi, 0);
}

TEST(vlapic, eoi_retires_highest_first)
{
	static const uint8_t vecs[] = {0x20, 0x41, 0x62, 0x83, 0xa4, 0xc5, 0xe6, 0xff};
	struct vlapic l;
	struct rec r;
	int i;

	setup(&l, &r, 1);
	enable(&l);
	for (i = 0; i < (int)N(vecs); i++) {
		vlapic_accept(&l, vecs[i], false);
		take(&l, vecs[i]);
	}
	for (i = (int)N(vecs) - 1; i >= 0; i--) {
		test_context("EOI %d", i);
		EXPECT_TRUE(isr_has(&l, vecs[i]));
		EXPECT_EQ(rd(&l, PPR), vecs[i] & 0xf0);
		wr(&l, APIC_EOI, 0);
		EXPECT_FALSE(isr_has(&l, vecs[i]));
	}
}

TEST(vlapic, level_eoi_callback)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	enable(&l);
	vlapic_accept(&l, 0x60, true);
	vlapic_accept(&l, 0x70, false);
	EXPECT_EQ(rd(&l, TMR0 + 0x30), 1U << 0); /* 0x60 */
	take(&l, 0x70);
	EXPECT_EQ(vlapic_pending(&l), -1); /* 0x60 waits below 0x70 */
	wr(&l, APIC_EOI, 0);		   /* 0x70, edge: no callback */
	EXPECT_EQ(r.neoi, 0);
	take(&l, 0x60);
	wr(&l, APIC_EOI, 0); /* 0x60, level */
	EXPECT_EQ(r.neoi, 1);
	EXPECT_EQ(r.eoi[0], 0x60);
	/* Acceptance sets the TMR bit from the trigger mode each time. */
	vlapic_accept(&l, 0x60, false);
	EXPECT_EQ(rd(&l, TMR0 + 0x30), 0);
	take(&l, 0x60);
	wr(&l, APIC_EOI, 0);
	EXPECT_EQ(r.neoi, 1);
	/* The x2APIC EOI MSR too. */
	to_x2apic(&l);
	vlapic_accept(&l, 0x61, true);
	take(&l, 0x61);
	msr_wr(&l, APIC_EOI, 0);
	EXPECT_EQ(r.neoi, 2);
	EXPECT_EQ(r.eoi[1], 0x61);
}

TEST(vlapic, no_callbacks_is_safe)
{
	static const struct vlapic_ops none = {NULL, NULL};
	struct vlapic l;

	vlapic_init(&l, 1, false, KHZ_2G4, NULL, NULL);
	enable(&l);
	vlapic_accept(&l, 0x60, true);
	take(&l, 0x60);
	wr(&l, APIC_EOI, 0);
	wr(&l, APIC_ICR_LO, 0x40);
	vlapic_init(&l, 1, false, KHZ_2G4, &none, NULL);
	enable(&l);
	vlapic_accept(&l, 0x60, true);
	take(&l, 0x60);
	wr(&l, APIC_EOI, 0);
	wr(&l, APIC_ICR_LO, 0x40);
	EXPECT_EQ(vlapic_pending(&l), -1);
}

TEST(vlapic, accept_illegal_vector_and_esr_latch)
{
	struct vlapic l;
	struct rec r;
	uint32_t v;

	setup(&l, &r, 1);
	enable(&l);
	for (v = 0; v < 16; v++) {
		test_context("vector %u", v);
		vlapic_accept(&l, (uint8_t)v, false);
		EXPECT_EQ(rd(&l, IRR0), 0);
	}
	test_context("latch");
	EXPECT_EQ(rd(&l, APIC_ESR), 0); /* not latched yet */
	wr(&l, APIC_ESR, 0xffffffff);	/* the value written does not matter */
	EXPECT_EQ(rd(&l, APIC_ESR), APIC_ESR_RECV_ILLEGAL);
	EXPECT_EQ(rd(&l, APIC_ESR), APIC_ESR_RECV_ILLEGAL);
	wr(&l, APIC_ESR, 0);
	EXPECT_EQ(rd(&l, APIC_ESR), 0);
	EXPECT_EQ(vlapic_pending(&l), -1); /* LVT error masked */
	/* With the LVT error unmasked, an error raises its vector. */
	wr(&l, APIC_LVT_ERROR, 0xfe);
	vlapic_accept(&l, 15, false);
	EXPECT_EQ(vlapic_pending(&l), 0xfe);
	EXPECT_EQ(esr(&l), APIC_ESR_RECV_ILLEGAL);
	vlapic_accept(&l, 16, false); /* the lowest legal vector */
	EXPECT_TRUE(irr_has(&l, 16));
	EXPECT_EQ(esr(&l), 0);
}

TEST(vlapic, illegal_error_vector_does_not_recurse)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_LVT_ERROR, 0x03);
	vlapic_accept(&l, 2, false);
	EXPECT_EQ(rd(&l, IRR0), 0);
	EXPECT_EQ(esr(&l), APIC_ESR_RECV_ILLEGAL);
	wr(&l, 0x040, 0); /* illegal register */
	EXPECT_EQ(esr(&l), APIC_ESR_ILLEGAL_REG | APIC_ESR_RECV_ILLEGAL);
	EXPECT_EQ(vlapic_pending(&l), -1);
}

TEST(vlapic, disabled_apic_accepts_nothing)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	vlapic_accept(&l, 0x40, false); /* software-disabled at reset */
	EXPECT_EQ(rd(&l, IRR0 + 0x20), 0);
	EXPECT_EQ(vlapic_pending(&l), -1);
	enable(&l);
	vlapic_accept(&l, 0x40, false);
	EXPECT_EQ(vlapic_pending(&l), 0x40);
	wr(&l, APIC_SVR, 0xff); /* held, not offered */
	EXPECT_TRUE(irr_has(&l, 0x40));
	EXPECT_EQ(vlapic_pending(&l), -1);
	enable(&l);
	EXPECT_EQ(vlapic_pending(&l), 0x40);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE), 0); /* globally disabled: state lost */
	vlapic_accept(&l, 0x50, false);
	EXPECT_EQ(vlapic_pending(&l), -1);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN), 0);
	EXPECT_FALSE(irr_has(&l, 0x40));
	EXPECT_FALSE(irr_has(&l, 0x50));
	EXPECT_EQ(rd(&l, APIC_SVR), 0xff);
}

TEST(vlapic, ack_of_a_vector_not_requested)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	enable(&l);
	vlapic_ack(&l, 0x77);
	vlapic_ack(&l, 3);
	EXPECT_FALSE(isr_has(&l, 0x77));
	EXPECT_EQ(rd(&l, PPR), 0);
	vlapic_accept(&l, 0x77, false);
	vlapic_ack(&l, 0x78);
	EXPECT_TRUE(irr_has(&l, 0x77));
	EXPECT_FALSE(isr_has(&l, 0x78));
}

/* --- IPIs --- */

TEST(vlapic, xapic_ipi_fields)
{
	static const struct {
		const char *what;
		uint32_t hi, lo;
		struct ipi want;
	} cases[] = {
	    {"fixed physical", 0x03000000, 0x00004040, {0x03, false, 0, 0, 0x40, true}},
	    {"fixed logical", 0x0f000000, 0x00004841, {0x0f, true, 0, 0, 0x41, true}},
	    {"fixed deassert", 0x01000000, 0x00000042, {0x01, false, 0, 0, 0x42, false}},
	    {"self", 0x05000000, 0x00044043, {0x05, false, 1, 0, 0x43, true}},
	    {"all including self", 0, 0x00084044, {0, false, 2, 0, 0x44, true}},
	    {"all excluding self", 0, 0x000c4045, {0, false, 3, 0, 0x45, true}},
	    {"lowest priority", 0xff000000, 0x00004946, {0xff, true, 0, 1, 0x46, true}},
	    {"SMI", 0x02000000, 0x00004200, {0x02, false, 0, 2, 0, true}},
	    {"NMI", 0x02000000, 0x00004400, {0x02, false, 0, 4, 0, true}},
	    {"INIT assert", 0x02000000, 0x0000c500, {0x02, false, 0, 5, 0, true}},
	    {"INIT deassert all", 0, 0x00088500, {0, false, 2, 5, 0, false}},
	    {"INIT all but self", 0, 0x000c4500, {0, false, 3, 5, 0, true}},
	    {"SIPI page 8", 0x02000000, 0x00004608, {0x02, false, 0, 6, 0x08, true}},
	    {"SIPI page 0x9f", 0x02000000, 0x0000469f, {0x02, false, 0, 6, 0x9f, true}},
	    {"busy bit ignored", 0x04000000, 0x00001050, {0x04, false, 0, 0, 0x50, false}},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;

	for (i = 0; i < N(cases); i++) {
		test_context("%s", cases[i].what);
		setup(&l, &r, 0);
		wr(&l, APIC_ICR_HI, cases[i].hi);
		EXPECT_EQ(r.nipi, 0); /* the high half does not send */
		wr(&l, APIC_ICR_LO, cases[i].lo);
		EXPECT_EQ(r.nipi, 1);
		EXPECT_EQ(r.ipi[0].dest, cases[i].want.dest);
		EXPECT_EQ(r.ipi[0].logical, cases[i].want.logical);
		EXPECT_EQ(r.ipi[0].sh, cases[i].want.sh);
		EXPECT_EQ(r.ipi[0].dm, cases[i].want.dm);
		EXPECT_EQ(r.ipi[0].vec, cases[i].want.vec);
		EXPECT_EQ(r.ipi[0].level, cases[i].want.level);
		EXPECT_EQ(rd(&l, APIC_ICR_LO), cases[i].lo & ~ICR_BUSY); /* delivery status idle */
		EXPECT_EQ(rd(&l, APIC_ICR_HI), cases[i].hi);
		EXPECT_EQ(esr(&l), 0);
	}
}

TEST(vlapic, xapic_ipi_refused)
{
	static const struct {
		const char *what;
		uint32_t lo, esr;
	} cases[] = {
	    {"fixed vector 0", 0x00004000, APIC_ESR_SEND_ILLEGAL},
	    {"fixed vector 15", 0x0000400f, APIC_ESR_SEND_ILLEGAL},
	    {"fixed self vector 2", 0x00044002, APIC_ESR_SEND_ILLEGAL},
	    {"lowest vector 3", 0x00004103, APIC_ESR_SEND_ILLEGAL},
	    {"reserved DM 011b", 0x00004340, 0},
	    {"reserved DM 111b", 0x00004740, 0},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;

	for (i = 0; i < N(cases); i++) {
		test_context("%s", cases[i].what);
		setup(&l, &r, 0);
		wr(&l, APIC_ICR_HI, 0x01000000);
		wr(&l, APIC_ICR_LO, cases[i].lo);
		EXPECT_EQ(r.nipi, 0);
		EXPECT_EQ(esr(&l), cases[i].esr);
	}
}

TEST(vlapic, x2apic_ipi_fields)
{
	struct vlapic l;
	struct rec r;
	uint64_t v;

	setup(&l, &r, 0x101);
	to_x2apic(&l);
	/* One 64-bit write sends; 32-bit destination. */
	msr_wr(&l, APIC_ICR_LO, (0x12345678ULL << 32) | 0x4840);
	EXPECT_EQ(r.nipi, 1);
	EXPECT_EQ(r.ipi[0].dest, 0x12345678);
	EXPECT_TRUE(r.ipi[0].logical);
	EXPECT_EQ(r.ipi[0].sh, 0);
	EXPECT_EQ(r.ipi[0].dm, 0);
	EXPECT_EQ(r.ipi[0].vec, 0x40);
	EXPECT_TRUE(r.ipi[0].level);
	EXPECT_EQ(msr_rd(&l, APIC_ICR_LO), (0x12345678ULL << 32) | 0x4840);
	/* Broadcast, INIT, SIPI, shorthands. */
	msr_wr(&l, APIC_ICR_LO, (0xffffffffULL << 32) | 0x4500);
	EXPECT_EQ(r.ipi[1].dest, 0xffffffff);
	EXPECT_EQ(r.ipi[1].dm, 5);
	msr_wr(&l, APIC_ICR_LO, (7ULL << 32) | 0x4610);
	EXPECT_EQ(r.ipi[2].dm, 6);
	EXPECT_EQ(r.ipi[2].vec, 0x10);
	EXPECT_EQ(r.ipi[2].dest, 7);
	msr_wr(&l, APIC_ICR_LO, 0xc4050);
	EXPECT_EQ(r.ipi[3].sh, 3);
	/* Bit 12 is ignored (10.12.9), not reserved. */
	msr_wr(&l, APIC_ICR_LO, (2ULL << 32) | 0x1051);
	EXPECT_EQ(r.ipi[4].vec, 0x51);
	EXPECT_EQ(msr_rd(&l, APIC_ICR_LO), (2ULL << 32) | 0x51);
	EXPECT_EQ(r.nipi, 5);
	/* SELF IPI MSR: fixed, edge, self. */
	msr_wr(&l, SELF_IPI, 0x55);
	EXPECT_EQ(r.nipi, 6);
	EXPECT_EQ(r.ipi[5].sh, ICR_SH_SELF);
	EXPECT_EQ(r.ipi[5].dm, APIC_DM_FIXED);
	EXPECT_EQ(r.ipi[5].vec, 0x55);
	EXPECT_TRUE(r.ipi[5].level);
	EXPECT_EQ(esr(&l), 0);
	v = 0;
	EXPECT_EQ(msr(&l, SELF_IPI, false, &v), -EINVAL);
}

TEST(vlapic, x2apic_ipi_refused)
{
	static const struct {
		const char *what;
		uint32_t reg;
		uint64_t val;
		int ret;
		uint32_t esr;
	} cases[] = {
	    {"ICR bit 13", APIC_ICR_LO, 0x2040, -EINVAL, 0},
	    {"ICR bit 16", APIC_ICR_LO, 0x10040, -EINVAL, 0},
	    {"ICR bit 17", APIC_ICR_LO, 0x20040, -EINVAL, 0},
	    {"ICR bit 20", APIC_ICR_LO, 0x100040, -EINVAL, 0},
	    {"ICR bit 31", APIC_ICR_LO, 0x80000040, -EINVAL, 0},
	    {"fixed vector 15", APIC_ICR_LO, 0x400f, 0, APIC_ESR_SEND_ILLEGAL},
	    {"lowest priority", APIC_ICR_LO, 0x4140, 0, APIC_ESR_REDIR_IPI},
	    {"lowest, illegal vector", APIC_ICR_LO, 0x4101, 0, APIC_ESR_REDIR_IPI},
	    {"self IPI vector 15", SELF_IPI, 0x0f, 0, APIC_ESR_SEND_ILLEGAL},
	    {"self IPI bit 8", SELF_IPI, 0x140, -EINVAL, 0},
	    {"self IPI upper half", SELF_IPI, 1ULL << 32 | 0x40, -EINVAL, 0},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;
	uint64_t v;

	for (i = 0; i < N(cases); i++) {
		test_context("%s", cases[i].what);
		setup(&l, &r, 0);
		to_x2apic(&l);
		v = cases[i].val;
		EXPECT_EQ(msr(&l, cases[i].reg, true, &v), cases[i].ret);
		EXPECT_EQ(r.nipi, 0);
		EXPECT_EQ(esr(&l), cases[i].esr);
	}
}

/* --- IA32_APIC_BASE and x2APIC --- */

TEST(vlapic, apic_base_transitions)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 0x123);
	enable(&l);
	wr(&l, APIC_TPR, 0x20);
	wr(&l, APIC_LVT_LINT0, 0x700);
	wr(&l, APIC_LDR, 0x01000000);
	vlapic_accept(&l, 0x40, false);

	/* EXTD without EN is never valid; reserved bits fault. */
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EXTD), -EINVAL);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN | 1), -EINVAL);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN | 0x80), -EINVAL);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN | (1ULL << 9)), -EINVAL);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN | (1ULL << 52)), -EINVAL);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN | (1ULL << 63)), -EINVAL);
	EXPECT_EQ(vlapic_get_apic_base(&l), BASE | EN);

	/* xAPIC -> x2APIC keeps the registers; ID and LDR from the x2APIC ID. */
	to_x2apic(&l);
	EXPECT_EQ(vlapic_get_apic_base(&l), BASE | EN | EXTD);
	EXPECT_EQ(msr_rd(&l, APIC_ID), 0x123);
	EXPECT_EQ(msr_rd(&l, APIC_LDR), (0x12U << 16) | (1U << 3));
	EXPECT_EQ(msr_rd(&l, APIC_TPR), 0x20);
	EXPECT_EQ(msr_rd(&l, APIC_LVT_LINT0), 0x700);
	EXPECT_EQ(vlapic_pending(&l), 0x40);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN | EXTD), 0); /* no change */
	EXPECT_EQ(msr_rd(&l, APIC_TPR), 0x20);

	/* x2APIC -> xAPIC is invalid; nothing changes. */
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN), -EINVAL);
	EXPECT_TRUE(vlapic_is_x2apic(&l));
	EXPECT_EQ(msr_rd(&l, APIC_TPR), 0x20);

	/* x2APIC -> disabled: state lost, no interface. */
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE), 0);
	EXPECT_FALSE(vlapic_is_x2apic(&l));
	EXPECT_EQ(vlapic_get_apic_base(&l), BASE);
	{
		uint64_t v = 0;
		uint32_t w = 0;

		EXPECT_EQ(msr(&l, APIC_ID, false, &v), -EINVAL);
		EXPECT_EQ(vlapic_mmio(&l, APIC_ID, false, &w, 0), -ENODEV);
	}
	EXPECT_FALSE(vlapic_match_dest(&l, 0x23, false));

	/* disabled -> x2APIC is invalid; disabled -> xAPIC gives reset state. */
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN | EXTD), -EINVAL);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN), 0);
	EXPECT_EQ(rd(&l, APIC_ID), 0x23000000);
	EXPECT_EQ(rd(&l, APIC_TPR), 0);
	EXPECT_EQ(rd(&l, APIC_LDR), 0);
	EXPECT_EQ(rd(&l, APIC_SVR), 0xff);
	EXPECT_EQ(rd(&l, APIC_LVT_LINT0), 0x10000);
	EXPECT_EQ(vlapic_pending(&l), -1);
	EXPECT_FALSE(irr_has(&l, 0x40));

	/* And to x2APIC again. */
	to_x2apic(&l);
	EXPECT_EQ(msr_rd(&l, APIC_SVR), 0xff);
}

TEST(vlapic, apic_base_address_and_bsp)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 0);
	/* The BSP flag is not writable. */
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN), 0);
	EXPECT_EQ(vlapic_get_apic_base(&l), BASE | EN | APIC_BASE_BSP);
	setup(&l, &r, 1);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN | APIC_BASE_BSP), 0);
	EXPECT_EQ(vlapic_get_apic_base(&l), BASE | EN);
	/* The address moves; registers stay. */
	enable(&l);
	wr(&l, APIC_TPR, 0x30);
	EXPECT_EQ(vlapic_set_apic_base(&l, 0xfed00000ULL | EN), 0);
	EXPECT_EQ(vlapic_get_apic_base(&l), 0xfed00000ULL | EN);
	EXPECT_EQ(rd(&l, APIC_TPR), 0x30);
	EXPECT_EQ(vlapic_set_apic_base(&l, (1ULL << 51) | EN), 0);
	/* The caller can narrow the address width to the guest's. */
	l.max_phys_bits = 36;
	EXPECT_EQ(vlapic_set_apic_base(&l, (1ULL << 36) | EN), -EINVAL);
	EXPECT_EQ(vlapic_set_apic_base(&l, (1ULL << 35) | EN), 0);
	l.max_phys_bits = 0; /* nonsense is clamped, not trusted */
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN), 0);
	l.max_phys_bits = 99;
	EXPECT_EQ(vlapic_set_apic_base(&l, (1ULL << 52) | EN), -EINVAL);
	EXPECT_EQ(vlapic_set_apic_base(&l, BASE | EN), 0);
}

TEST(vlapic, x2apic_id_and_ldr)
{
	static const struct {
		uint32_t id, ldr;
	} cases[] = {
	    {0, 0x00000001},	 {1, 0x00000002},      {15, 0x00008000},	 {16, 0x00010001},
	    {0x123, 0x00120008}, {0xfffe, 0x0fff4000}, {0xfffffffe, 0xffff4000},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;
	uint64_t v;

	for (i = 0; i < N(cases); i++) {
		test_context("id 0x%x", cases[i].id);
		setup(&l, &r, cases[i].id);
		to_x2apic(&l);
		EXPECT_EQ(msr_rd(&l, APIC_ID), cases[i].id);
		EXPECT_EQ(msr_rd(&l, APIC_LDR), cases[i].ldr);
		v = 5;
		EXPECT_EQ(msr(&l, APIC_ID, true, &v), -EINVAL);
		EXPECT_EQ(msr(&l, APIC_LDR, true, &v), -EINVAL);
		EXPECT_EQ(msr_rd(&l, APIC_ID), cases[i].id);
		vlapic_init_signal(&l); /* INIT keeps the mode and the derived LDR */
		EXPECT_TRUE(vlapic_is_x2apic(&l));
		EXPECT_EQ(msr_rd(&l, APIC_LDR), cases[i].ldr);
	}
}

TEST(vlapic, x2apic_msr_access_rules)
{
	static const struct {
		uint32_t msr;
		bool write;
		uint64_t val;
		int ret;
	} cases[] = {
	    {0x802, false, 0, 0},
	    {0x802, true, 0, -EINVAL}, /* ID */
	    {0x803, false, 0, 0},
	    {0x803, true, 0, -EINVAL}, /* version */
	    {0x808, true, 0xff, 0},
	    {0x808, true, 0x100, -EINVAL}, /* TPR */
	    {0x808, true, 1ULL << 32, -EINVAL},
	    {0x809, false, 0, -EINVAL},
	    {0x809, true, 0, -EINVAL}, /* no APR */
	    {0x80a, false, 0, 0},
	    {0x80a, true, 0, -EINVAL}, /* PPR */
	    {0x80b, false, 0, -EINVAL},
	    {0x80b, true, 1, -EINVAL}, /* EOI */
	    {0x80b, true, 0, 0},
	    {0x80c, false, 0, -EINVAL}, /* no RRD */
	    {0x80d, false, 0, 0},
	    {0x80d, true, 0, -EINVAL}, /* LDR */
	    {0x80e, false, 0, -EINVAL},
	    {0x80e, true, 0, -EINVAL}, /* no DFR */
	    {0x80f, true, 0x1ff, 0},
	    {0x80f, true, 0x3ff, 0}, /* SVR */
	    {0x80f, true, 0x11ff, -EINVAL},
	    {0x80f, true, 0x4ff, -EINVAL},
	    {0x810, false, 0, 0},
	    {0x810, true, 0, -EINVAL}, /* ISR */
	    {0x817, true, 0, -EINVAL},
	    {0x818, true, 0, -EINVAL}, /* ISR, TMR */
	    {0x81f, false, 0, 0},
	    {0x827, true, 0, -EINVAL}, /* TMR, IRR */
	    {0x828, true, 0, 0},
	    {0x828, true, 1, -EINVAL}, /* ESR */
	    {0x829, false, 0, -EINVAL},
	    {0x82e, false, 0, -EINVAL},
	    {0x82f, true, 0x107ff, 0},
	    {0x82f, true, 0x800, -EINVAL}, /* CMCI */
	    {0x82f, true, 0x1000, 0},	   /* delivery status: read-only */
	    {0x831, false, 0, -EINVAL},
	    {0x831, true, 0, -EINVAL}, /* no ICR high */
	    {0x832, true, 0x400ff, 0},
	    {0x832, true, 0x600ff, -EINVAL}, /* timer */
	    {0x832, true, 0x800ff, -EINVAL},
	    {0x832, true, 0x1ff, -EINVAL},
	    {0x833, true, 0x107ff, 0},
	    {0x833, true, 0x20000, -EINVAL}, /* thermal */
	    {0x834, true, 0x107ff, 0},
	    {0x834, true, 0x8000, -EINVAL}, /* perf */
	    {0x835, true, 0x1f7ff, 0},
	    {0x835, true, 0x20000, -EINVAL}, /* LINT0 */
	    {0x836, true, 0x1f7ff, 0},
	    {0x836, true, 1ULL << 40, -EINVAL},
	    {0x837, true, 0x110ff, 0},
	    {0x837, true, 0x700, -EINVAL}, /* error */
	    {0x838, true, 0xffffffff, 0},
	    {0x838, true, 1ULL << 32, -EINVAL},
	    {0x839, false, 0, 0},
	    {0x839, true, 0, -EINVAL}, /* current count */
	    {0x83a, false, 0, -EINVAL},
	    {0x83d, true, 0, -EINVAL},
	    {0x83e, true, 0xb, 0},
	    {0x83e, true, 0x4, -EINVAL}, /* DCR */
	    {0x83f, false, 0, -EINVAL},
	    {0x83f, true, 0x100, -EINVAL}, /* SELF IPI */
	    {0x800, false, 0, -EINVAL},
	    {0x801, false, 0, -EINVAL},
	    {0x840, false, 0, -EINVAL},
	    {0x8ff, true, 0, -EINVAL},
	    {0x7ff, false, 0, -EINVAL},
	    {0x900, false, 0, -EINVAL},
	    {0x0, false, 0, -EINVAL},
	    {0xffffffff, true, 0, -EINVAL},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;
	uint64_t v;

	setup(&l, &r, 3);
	for (i = 0; i < N(cases); i++) {
		test_context("xAPIC mode: msr 0x%x %s", cases[i].msr, cases[i].write ? "write" : "read");
		v = cases[i].val;
		EXPECT_EQ(vlapic_msr(&l, cases[i].msr, cases[i].write, &v, 0), -EINVAL);
	}
	to_x2apic(&l);
	msr_wr(&l, APIC_SVR, SVR_ON);
	for (i = 0; i < N(cases); i++) {
		test_context("msr 0x%x %s 0x%llx", cases[i].msr, cases[i].write ? "write" : "read",
			     (unsigned long long)cases[i].val);
		v = cases[i].val;
		EXPECT_EQ(vlapic_msr(&l, cases[i].msr, cases[i].write, &v, 0), cases[i].ret);
		if (!cases[i].write && cases[i].ret)
			EXPECT_EQ(v, cases[i].val); /* a failed read leaves *val alone */
	}
	test_context("NULL");
	EXPECT_EQ(vlapic_msr(&l, 0x802, false, NULL, 0), -EINVAL);
	/* Read-only bits written as 1 are not stored. */
	msr_wr(&l, APIC_LVT_LINT0, 0x1f7ff);
	EXPECT_EQ(msr_rd(&l, APIC_LVT_LINT0), 0x1a7ff);
	/* x2APIC registers read 32-bit values, versions as in xAPIC. */
	EXPECT_EQ(msr_rd(&l, APIC_VERSION), 0x00060014);
}

/* --- destinations --- */

TEST(vlapic, match_dest)
{
	enum { XAPIC, X2APIC, OFF };
	static const struct {
		const char *what;
		int mode;
		uint32_t id, ldr, dfr, dest;
		bool logical, match;
	} cases[] = {
	    {"phys equal", XAPIC, 3, 0, 0, 3, false, true},
	    {"phys other", XAPIC, 3, 0, 0, 4, false, false},
	    {"phys broadcast", XAPIC, 3, 0, 0, 0xff, false, true},
	    {"phys uses bits 7:0", XAPIC, 3, 0, 0, 0x103, false, true},
	    {"phys id > 255", XAPIC, 0x105, 0, 0, 0x05, false, true},
	    {"flat hit", XAPIC, 3, 0x02000000, 0xffffffff, 0x02, true, true},
	    {"flat any bit", XAPIC, 3, 0x02000000, 0xffffffff, 0x03, true, true},
	    {"flat miss", XAPIC, 3, 0x02000000, 0xffffffff, 0x04, true, false},
	    {"flat broadcast", XAPIC, 3, 0x02000000, 0xffffffff, 0xff, true, true},
	    {"flat ldr 0", XAPIC, 3, 0, 0xffffffff, 0x7f, true, false},
	    {"flat ldr 0 broadcast", XAPIC, 3, 0, 0xffffffff, 0xff, true, true},
	    {"cluster hit", XAPIC, 3, 0x21000000, 0x0fffffff, 0x21, true, true},
	    {"cluster several", XAPIC, 3, 0x21000000, 0x0fffffff, 0x23, true, true},
	    {"cluster other cluster", XAPIC, 3, 0x21000000, 0x0fffffff, 0x11, true, false},
	    {"cluster other member", XAPIC, 3, 0x21000000, 0x0fffffff, 0x22, true, false},
	    {"cluster 15: all clusters", XAPIC, 3, 0x21000000, 0x0fffffff, 0xf1, true, true},
	    {"cluster 15 other member", XAPIC, 3, 0x21000000, 0x0fffffff, 0xf2, true, false},
	    {"cluster broadcast", XAPIC, 3, 0x21000000, 0x0fffffff, 0xff, true, true},
	    {"x2 phys equal", X2APIC, 0x123, 0, 0, 0x123, false, true},
	    {"x2 phys low byte only", X2APIC, 0x123, 0, 0, 0x23, false, false},
	    {"x2 phys broadcast", X2APIC, 0x123, 0, 0, 0xffffffff, false, true},
	    {"x2 phys 0xff", X2APIC, 0x123, 0, 0, 0xff, false, false},
	    {"x2 logical hit", X2APIC, 0x123, 0, 0, 0x00120008, true, true},
	    {"x2 logical several", X2APIC, 0x123, 0, 0, 0x0012ff0f, true, true},
	    {"x2 logical member miss", X2APIC, 0x123, 0, 0, 0x00120007, true, false},
	    {"x2 logical cluster miss", X2APIC, 0x123, 0, 0, 0x00130008, true, false},
	    {"x2 logical broadcast", X2APIC, 0x123, 0, 0, 0xffffffff, true, true},
	    {"disabled phys", OFF, 3, 0, 0, 3, false, false},
	    {"disabled broadcast", OFF, 3, 0, 0, 0xff, false, false},
	    {"disabled logical", OFF, 3, 0, 0, 0xff, true, false},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;

	for (i = 0; i < N(cases); i++) {
		test_context("%s", cases[i].what);
		setup(&l, &r, cases[i].id);
		if (cases[i].mode == XAPIC) {
			wr(&l, APIC_LDR, cases[i].ldr);
			wr(&l, APIC_DFR, cases[i].dfr);
		} else if (cases[i].mode == X2APIC) {
			to_x2apic(&l);
		} else {
			EXPECT_EQ(vlapic_set_apic_base(&l, BASE), 0);
		}
		EXPECT_EQ(vlapic_match_dest(&l, cases[i].dest, cases[i].logical), cases[i].match);
	}
}

/* --- timer --- */

static const struct {
	uint32_t dcr, divisor;
} divides[] = {
    {0x0, 2}, {0x1, 4}, {0x2, 8}, {0x3, 16}, {0x8, 32}, {0x9, 64}, {0xa, 128}, {0xb, 1},
};

TEST(vlapic, timer_oneshot_every_divide)
{
	struct vlapic l;
	struct rec r;
	uint32_t i, count = 1000;
	uint64_t t0 = 1000000, exp;

	for (i = 0; i < N(divides); i++) {
		test_context("DCR 0x%x", divides[i].dcr);
		setup(&l, &r, 1);
		enable(&l);
		wr_t(&l, APIC_TIMER_DCR, divides[i].dcr, t0 - 5);
		EXPECT_EQ(rd(&l, APIC_TIMER_DCR), divides[i].dcr);
		wr_t(&l, APIC_LVT_TIMER, LVT_ONESHOT | 0x30, t0 - 3);
		wr_t(&l, APIC_TIMER_ICR, count, t0);
		exp = t0 + (uint64_t)count * divides[i].divisor;
		EXPECT_EQ(vlapic_timer_update(&l, t0), exp);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0), count);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + divides[i].divisor), count - 1);
		EXPECT_EQ(vlapic_timer_update(&l, exp - 1), exp);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, exp - 1), 1);
		EXPECT_EQ(vlapic_pending(&l), -1);
		EXPECT_EQ(vlapic_timer_update(&l, exp), UINT64_MAX);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, exp), 0);
		take(&l, 0x30);
		wr(&l, APIC_EOI, 0);
		/* Once only. */
		EXPECT_EQ(vlapic_timer_update(&l, exp + 100ULL * count * divides[i].divisor), UINT64_MAX);
		EXPECT_EQ(vlapic_pending(&l), -1);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_ICR, exp + 1), count); /* the initial count stays */
	}
}

TEST(vlapic, timer_oneshot_late_update_fires_once)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_TIMER_DCR, 0xb);
	wr(&l, APIC_LVT_TIMER, 0x30);
	wr_t(&l, APIC_TIMER_ICR, 10, 100);
	EXPECT_EQ(vlapic_timer_update(&l, 1000000), UINT64_MAX);
	take(&l, 0x30);
	EXPECT_EQ(vlapic_timer_update(&l, 2000000), UINT64_MAX);
	EXPECT_EQ(vlapic_pending(&l), -1);
}

TEST(vlapic, timer_current_count_linear)
{
	struct vlapic l;
	struct rec r;
	uint64_t t0 = 5000, k;
	uint32_t count = 100000;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_TIMER_DCR, 0x3); /* 16 */
	wr(&l, APIC_LVT_TIMER, 0x30);
	wr_t(&l, APIC_TIMER_ICR, count, t0);
	for (k = 0; k < count; k += 997) {
		test_context("tick %llu", (unsigned long long)k);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + 16 * k), count - k);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + 16 * k + 15), count - k);
		EXPECT_EQ(vlapic_pending(&l), -1);
	}
	test_context("end");
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + 16ULL * count - 1), 1);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + 16ULL * count), 0);
	take(&l, 0x30);
}

TEST(vlapic, timer_periodic_many_periods)
{
	static const struct {
		uint64_t khz;
		uint32_t dcr, divisor;
	} cases[] = {
	    {KHZ_2G4, 0xb, 1},	{KHZ_2G4, 0x3, 16},  {KHZ_2G4, 0xa, 128},
	    {KHZ_100M, 0xb, 1}, {KHZ_100M, 0x3, 16}, {KHZ_100M, 0x8, 32},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i, k, fired, count, half;
	uint64_t t0 = 123456789, period, next;

	for (i = 0; i < N(cases); i++) {
		test_context("%llu kHz divide %u", (unsigned long long)cases[i].khz, cases[i].divisor);
		memset(&r, 0, sizeof(r));
		vlapic_init(&l, 1, false, cases[i].khz, &rec_ops, &r);
		enable(&l);
		/* A 1 ms period: the timer counts TSC cycles / divisor. */
		count = (uint32_t)(cases[i].khz / cases[i].divisor);
		period = (uint64_t)count * cases[i].divisor;
		EXPECT_EQ(period, cases[i].khz);
		half = count - (uint32_t)(period / 2 / cases[i].divisor); /* count half a period in */
		wr(&l, APIC_TIMER_DCR, cases[i].dcr);
		wr(&l, APIC_LVT_TIMER, LVT_PERIODIC | 0xec);
		wr_t(&l, APIC_TIMER_ICR, count, t0);
		next = vlapic_timer_update(&l, t0);
		EXPECT_EQ(next, t0 + period);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + period / 2), half);
		for (fired = 0, k = 1; k <= 1000; k++) {
			EXPECT_EQ(vlapic_timer_update(&l, next - 1), next);
			EXPECT_EQ(vlapic_pending(&l), -1);
			next = vlapic_timer_update(&l, next);
			EXPECT_EQ(next, t0 + (uint64_t)(k + 1) * period);
			EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, next - period), count); /* reloaded */
			if (vlapic_pending(&l) == 0xec) {
				fired++;
				vlapic_ack(&l, 0xec);
				wr(&l, APIC_EOI, 0);
			}
		}
		EXPECT_EQ(fired, 1000);
		/* 10.5 periods late: one interrupt, the grid kept. */
		next = vlapic_timer_update(&l, next + 10 * period + period / 2);
		EXPECT_EQ(next, t0 + 1012ULL * period);
		take(&l, 0xec);
		EXPECT_EQ(vlapic_pending(&l), -1);
		EXPECT_EQ(rd(&l, IRR0 + 0x70), 0);
		wr(&l, APIC_EOI, 0);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, next - period / 2), half);
	}
}

TEST(vlapic, timer_masked_counts_without_interrupts)
{
	struct vlapic l;
	struct rec r;
	uint64_t t0 = 777;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_TIMER_DCR, 0xb);
	wr(&l, APIC_LVT_TIMER, APIC_LVT_MASKED | LVT_PERIODIC | 0x30);
	wr_t(&l, APIC_TIMER_ICR, 1000, t0);
	EXPECT_EQ(vlapic_timer_update(&l, t0), UINT64_MAX); /* nothing to wake up for */
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + 250), 750);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + 5250), 750); /* reloads */
	EXPECT_EQ(vlapic_pending(&l), -1);
	EXPECT_EQ(rd(&l, IRR0 + 0x10), 0);
	/* Unmasked, it interrupts on the same grid. */
	wr_t(&l, APIC_LVT_TIMER, LVT_PERIODIC | 0x30, t0 + 5300);
	EXPECT_EQ(vlapic_timer_update(&l, t0 + 5300), t0 + 6000);
	EXPECT_EQ(vlapic_timer_update(&l, t0 + 6000), t0 + 7000);
	take(&l, 0x30);

	/* A masked one-shot expires silently. */
	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_TIMER_DCR, 0xb);
	wr(&l, APIC_LVT_TIMER, APIC_LVT_MASKED | 0x30);
	wr_t(&l, APIC_TIMER_ICR, 1000, t0);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + 999), 1);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, t0 + 1000), 0);
	wr_t(&l, APIC_LVT_TIMER, 0x30, t0 + 2000); /* unmasking later: nothing */
	EXPECT_EQ(vlapic_timer_update(&l, t0 + 3000), UINT64_MAX);
	EXPECT_EQ(vlapic_pending(&l), -1);
}

TEST(vlapic, timer_initial_count_writes)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_TIMER_DCR, 0xb);
	wr(&l, APIC_LVT_TIMER, LVT_PERIODIC | 0x30);
	wr_t(&l, APIC_TIMER_ICR, 1000, 0);
	/* A new initial count restarts the count. */
	wr_t(&l, APIC_TIMER_ICR, 500, 600);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, 600), 500);
	EXPECT_EQ(vlapic_timer_update(&l, 1000), 1100);
	EXPECT_EQ(vlapic_pending(&l), -1);
	/* 0 stops it, in periodic mode too. */
	wr_t(&l, APIC_TIMER_ICR, 0, 1050);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, 1050), 0);
	EXPECT_EQ(vlapic_timer_update(&l, 1000000), UINT64_MAX);
	EXPECT_EQ(vlapic_pending(&l), -1);
}

TEST(vlapic, timer_divide_change_midway)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_TIMER_DCR, 0x0); /* 2 */
	wr(&l, APIC_LVT_TIMER, 0x30);
	wr_t(&l, APIC_TIMER_ICR, 1000, 10000);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, 11000), 500);
	wr_t(&l, APIC_TIMER_DCR, 0x2, 11000); /* 8: the remaining 500 take 4000 */
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, 11000), 500);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, 11800), 400);
	EXPECT_EQ(vlapic_timer_update(&l, 11000), 15000);
	EXPECT_EQ(vlapic_timer_update(&l, 15000), UINT64_MAX);
	take(&l, 0x30);
}

TEST(vlapic, timer_mode_change_disarms)
{
	static const struct {
		uint32_t from, to;
		bool disarms;
	} cases[] = {
	    {LVT_ONESHOT, LVT_PERIODIC, true},
	    {LVT_PERIODIC, LVT_ONESHOT, true},
	    {LVT_ONESHOT, LVT_DEADLINE, true},
	    {LVT_PERIODIC, LVT_DEADLINE, true},
	    {LVT_ONESHOT, LVT_ONESHOT | APIC_LVT_MASKED, false},
	    {LVT_PERIODIC, LVT_PERIODIC, false},
	};
	struct vlapic l;
	struct rec r;
	uint32_t i;
	uint64_t next;

	for (i = 0; i < N(cases); i++) {
		test_context("LVT 0x%x -> 0x%x", cases[i].from, cases[i].to);
		setup(&l, &r, 1);
		enable(&l);
		wr(&l, APIC_TIMER_DCR, 0xb);
		wr(&l, APIC_LVT_TIMER, cases[i].from | 0x30);
		wr_t(&l, APIC_TIMER_ICR, 1000, 0);
		wr_t(&l, APIC_LVT_TIMER, cases[i].to | 0x31, 100);
		EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, 200), cases[i].disarms ? 0 : 800);
		EXPECT_EQ(rd(&l, APIC_TIMER_ICR), 1000); /* the register keeps its value */
		next = vlapic_timer_update(&l, 100000);
		if (cases[i].disarms || cases[i].to != LVT_PERIODIC)
			EXPECT_EQ(next, UINT64_MAX);
		else
			EXPECT_EQ(next, 101000);
		EXPECT_EQ(vlapic_pending(&l),
			  (cases[i].disarms || (cases[i].to & APIC_LVT_MASKED)) ? -1 : 0x31);
	}
}

TEST(vlapic, timer_tsc_deadline)
{
	struct vlapic l;
	struct rec r;
	uint64_t v;

	setup(&l, &r, 1);
	enable(&l);
	/* Not in TSC-deadline mode: reads 0, writes ignored. */
	v = 5000;
	EXPECT_EQ(vlapic_tsc_deadline(&l, true, &v, 1000), 0);
	EXPECT_EQ(vlapic_tsc_deadline(&l, false, &v, 1000), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(vlapic_timer_update(&l, 10000), UINT64_MAX);
	EXPECT_EQ(vlapic_pending(&l), -1);

	wr(&l, APIC_LVT_TIMER, LVT_DEADLINE | 0x31);
	/* The initial count is ignored, the current count reads 0. */
	wr_t(&l, APIC_TIMER_ICR, 1000, 1000);
	EXPECT_EQ(rd(&l, APIC_TIMER_ICR), 0);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, 1500), 0);
	EXPECT_EQ(vlapic_timer_update(&l, 100000), UINT64_MAX);

	v = 5000;
	EXPECT_EQ(vlapic_tsc_deadline(&l, true, &v, 1000), 0);
	EXPECT_EQ(vlapic_tsc_deadline(&l, false, &v, 1000), 0);
	EXPECT_EQ(v, 5000);
	EXPECT_EQ(vlapic_timer_update(&l, 1000), 5000);
	EXPECT_EQ(vlapic_timer_update(&l, 4999), 5000);
	EXPECT_EQ(vlapic_pending(&l), -1);
	EXPECT_EQ(vlapic_timer_update(&l, 5000), UINT64_MAX); /* fires at the deadline */
	EXPECT_EQ(vlapic_tsc_deadline(&l, false, &v, 5000), 0);
	EXPECT_EQ(v, 0); /* and disarms */
	take(&l, 0x31);
	wr(&l, APIC_EOI, 0);
	EXPECT_EQ(vlapic_timer_update(&l, 50000), UINT64_MAX);
	EXPECT_EQ(vlapic_pending(&l), -1);

	/* Late update: fires once after the deadline. */
	v = 6000;
	vlapic_tsc_deadline(&l, true, &v, 5500);
	EXPECT_EQ(vlapic_timer_update(&l, 9000), UINT64_MAX);
	take(&l, 0x31);
	wr(&l, APIC_EOI, 0);

	/* A past deadline fires at the write. */
	v = 100;
	EXPECT_EQ(vlapic_tsc_deadline(&l, true, &v, 10000), 0);
	take(&l, 0x31);
	wr(&l, APIC_EOI, 0);

	/* Writing 0 disarms; moving the deadline works both ways. */
	v = 20000;
	vlapic_tsc_deadline(&l, true, &v, 10000);
	v = 0;
	vlapic_tsc_deadline(&l, true, &v, 10001);
	EXPECT_EQ(vlapic_timer_update(&l, 30000), UINT64_MAX);
	EXPECT_EQ(vlapic_pending(&l), -1);
	v = 40000;
	vlapic_tsc_deadline(&l, true, &v, 30000);
	v = 35000;
	vlapic_tsc_deadline(&l, true, &v, 30000);
	EXPECT_EQ(vlapic_timer_update(&l, 30000), 35000);
	v = 45000;
	vlapic_tsc_deadline(&l, true, &v, 30000);
	EXPECT_EQ(vlapic_timer_update(&l, 40000), 45000);
	EXPECT_EQ(vlapic_pending(&l), -1);

	/* Leaving TSC-deadline mode disarms and clears the MSR. */
	wr_t(&l, APIC_LVT_TIMER, LVT_ONESHOT | 0x31, 40001);
	wr_t(&l, APIC_LVT_TIMER, LVT_DEADLINE | 0x31, 40002);
	EXPECT_EQ(vlapic_tsc_deadline(&l, false, &v, 40003), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(vlapic_timer_update(&l, 90000), UINT64_MAX);
	EXPECT_EQ(vlapic_pending(&l), -1);

	/* Masked: expires and disarms without an interrupt. */
	wr(&l, APIC_LVT_TIMER, LVT_DEADLINE | APIC_LVT_MASKED | 0x31);
	v = 100000;
	vlapic_tsc_deadline(&l, true, &v, 90000);
	EXPECT_EQ(vlapic_timer_update(&l, 90000), UINT64_MAX);
	EXPECT_EQ(vlapic_timer_update(&l, 100000), UINT64_MAX);
	EXPECT_EQ(vlapic_tsc_deadline(&l, false, &v, 100000), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(vlapic_pending(&l), -1);
	EXPECT_EQ(vlapic_tsc_deadline(&l, false, NULL, 0), -EINVAL);
}

TEST(vlapic, timer_x2apic_msrs)
{
	struct vlapic l;
	struct rec r;
	uint64_t v;

	setup(&l, &r, 1);
	to_x2apic(&l);
	msr_wr(&l, APIC_SVR, SVR_ON);
	msr_wr(&l, APIC_TIMER_DCR, 0x3);
	msr_wr(&l, APIC_LVT_TIMER, 0x30);
	v = 100;
	EXPECT_EQ(vlapic_msr(&l, MSR(APIC_TIMER_ICR), true, &v, 1000), 0);
	EXPECT_EQ(vlapic_msr(&l, MSR(APIC_TIMER_CCR), false, &v, 1000 + 16 * 40), 0);
	EXPECT_EQ(v, 60);
	EXPECT_EQ(vlapic_timer_update(&l, 2000), 1000 + 1600);
	EXPECT_EQ(vlapic_timer_update(&l, 2600), UINT64_MAX);
	take(&l, 0x30);
}

TEST(vlapic, timer_time_going_backwards)
{
	struct vlapic l;
	struct rec r;

	setup(&l, &r, 1);
	enable(&l);
	wr(&l, APIC_TIMER_DCR, 0xb);
	wr(&l, APIC_LVT_TIMER, LVT_PERIODIC | 0x30);
	wr_t(&l, APIC_TIMER_ICR, 100, 1000);
	EXPECT_EQ(rd_t(&l, APIC_TIMER_CCR, 10), 100);
	EXPECT_EQ(vlapic_timer_update(&l, 10), 1100);
	EXPECT_EQ(vlapic_pending(&l), -1);
	/* Near the end of time: saturates, does not wrap. */
	wr_t(&l, APIC_TIMER_DCR, 0xa, UINT64_MAX - 10);
	EXPECT_EQ(vlapic_timer_update(&l, UINT64_MAX - 10), UINT64_MAX);
}

/* --- INIT --- */

TEST(vlapic, init_signal_resets_but_keeps_identity)
{
	struct vlapic l;
	struct rec r;
	uint64_t v;

	setup(&l, &r, 0x42);
	enable(&l);
	EXPECT_EQ(vlapic_set_apic_base(&l, 0xfed00000ULL | EN), 0);
	wr(&l, APIC_TPR, 0x20);
	wr(&l, APIC_LDR, 0x04000000);
	wr(&l, APIC_DFR, 0x0fffffff);
	wr(&l, APIC_LVT_TIMER, LVT_PERIODIC | 0x30);
	wr(&l, APIC_TIMER_DCR, 0x3);
	wr(&l, APIC_TIMER_ICR, 1000);
	wr(&l, APIC_ICR_HI, 0x01000000);
	vlapic_accept(&l, 0x80, true);
	take(&l, 0x80);
	vlapic_accept(&l, 0x90, false);
	vlapic_accept(&l, 3, false);

	vlapic_init_signal(&l);
	EXPECT_EQ(vlapic_get_apic_base(&l), 0xfed00000ULL | EN);
	EXPECT_EQ(rd(&l, APIC_ID), 0x42000000);
	EXPECT_EQ(rd(&l, APIC_TPR), 0);
	EXPECT_EQ(rd(&l, APIC_LDR), 0);
	EXPECT_EQ(rd(&l, APIC_DFR), 0xffffffff);
	EXPECT_EQ(rd(&l, APIC_SVR), 0xff);
	EXPECT_EQ(rd(&l, APIC_LVT_TIMER), 0x10000);
	EXPECT_EQ(rd(&l, APIC_TIMER_ICR), 0);
	EXPECT_EQ(rd(&l, APIC_TIMER_DCR), 0);
	EXPECT_EQ(rd(&l, APIC_ICR_HI), 0);
	EXPECT_FALSE(isr_has(&l, 0x80));
	EXPECT_FALSE(irr_has(&l, 0x90));
	EXPECT_EQ(rd(&l, TMR0 + 0x40), 0);
	EXPECT_EQ(vlapic_timer_update(&l, 1000000), UINT64_MAX);
	EXPECT_EQ(esr(&l), 0);

	/* In x2APIC mode the mode survives and TSC deadline is cleared. */
	to_x2apic(&l);
	msr_wr(&l, APIC_SVR, SVR_ON);
	msr_wr(&l, APIC_LVT_TIMER, LVT_DEADLINE | 0x30);
	v = 99999;
	vlapic_tsc_deadline(&l, true, &v, 0);
	vlapic_init_signal(&l);
	EXPECT_TRUE(vlapic_is_x2apic(&l));
	EXPECT_EQ(msr_rd(&l, APIC_ID), 0x42);
	EXPECT_EQ(msr_rd(&l, APIC_SVR), 0xff);
	EXPECT_EQ(vlapic_tsc_deadline(&l, false, &v, 0), 0);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(vlapic_timer_update(&l, 200000), UINT64_MAX);
}

/* --- hostile guest --- */

struct fuzz_ctx {
	struct vlapic *l;
	unsigned long ipis, eois;
};

/* A VMM that delivers fixed self IPIs back into the same vlapic. */
static void fuzz_send_ipi(void *ctx, uint32_t dest, bool logical, uint8_t sh, uint8_t dm, uint8_t vec,
			  bool level)
{
	struct fuzz_ctx *f = ctx;

	(void)level;
	f->ipis++;
	if (dm == APIC_DM_FIXED &&
	    (sh == ICR_SH_SELF || sh == ICR_SH_ALL || vlapic_match_dest(f->l, dest, logical)))
		vlapic_accept(f->l, vec, false);
}

static void fuzz_eoi(void *ctx, uint8_t vec)
{
	struct fuzz_ctx *f = ctx;

	(void)vec;
	f->eois++;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

TEST(vlapic, hostile_random_accesses)
{
	static const struct vlapic_ops ops = {fuzz_send_ipi, fuzz_eoi};
	static const uint64_t bases[] = {BASE,	      BASE | EN,	 BASE | EN | EXTD,
					 BASE | EXTD, BASE | EN | 0x100, 0x123456789000ULL | EN};
	struct vlapic l;
	struct fuzz_ctx f = {&l, 0, 0};
	uint64_t seed = 0x9e3779b97f4a7c15ULL, now = 0, x, v, next;
	uint32_t w;
	unsigned long i;
	int p;

	vlapic_init(&l, 2, false, KHZ_2G4, &ops, &f);
	for (i = 0; i < 200000; i++) {
		x = xorshift(&seed);
		/* Mostly forward in time, sometimes a leap or a step back. */
		switch (x & 15) {
		case 0:
			now += x >> 20;
			break;
		case 1:
			now -= now < ((x >> 40) & 0xffff) ? now : ((x >> 40) & 0xffff);
			break;
		default:
			now += (x >> 48) & 0xfff;
			break;
		}
		v = xorshift(&seed);
		/* Bias values toward small counts and legal-looking LVTs. */
		if (x & 0x10)
			v &= 0x000fffff;
		switch ((x >> 8) & 15) {
		case 0:
		case 1:
		case 2:
		case 3:
			w = (uint32_t)v;
			vlapic_mmio(&l, (uint32_t)(x >> 16) & ((x >> 29) & 1 ? 0xffc : 0xff0), (x >> 28) & 1,
				    &w, now);
			break;
		case 4:
		case 5:
		case 6:
			vlapic_msr(&l, 0x800 + ((uint32_t)(x >> 16) & 0x3f), (x >> 28) & 1, &v, now);
			break;
		case 7:
			if (((x >> 16) & 63) == 0)
				vlapic_set_apic_base(&l, bases[(x >> 24) % N(bases)]);
			break;
		case 8:
			vlapic_tsc_deadline(&l, (x >> 28) & 1, &v, now);
			break;
		case 9:
			vlapic_accept(&l, (uint8_t)v, (x >> 28) & 1);
			break;
		case 10:
			p = vlapic_pending(&l);
			if (p >= 0)
				vlapic_ack(&l, (uint8_t)p);
			break;
		case 11:
			vlapic_ack(&l, (uint8_t)v);
			break;
		case 12:
			if (((x >> 16) & 255) == 0)
				vlapic_init_signal(&l);
			break;
		case 13:
			vlapic_cr8_write(&l, v & 0x1f);
			break;
		default:
			break;
		}
		next = vlapic_timer_update(&l, now);
		p = vlapic_pending(&l);
		if (!(next > now || next == UINT64_MAX) || (p >= 0 && p < 16) || (l.irr[0] & 0xffff) ||
		    (l.isr[0] & 0xffff) || (l.tmr[0] & 0xffff)) {
			test_context("step %lu", i);
			EXPECT_TRUE(next > now || next == UINT64_MAX);
			EXPECT_TRUE(p < 0 || p >= 16);
			EXPECT_EQ(l.irr[0] & 0xffff, 0);
			EXPECT_EQ(l.isr[0] & 0xffff, 0);
			EXPECT_EQ(l.tmr[0] & 0xffff, 0);
		}
		if (!(l.svr & APIC_SVR_ENABLE) && (l.apic_base & EN)) {
			int k;

			for (k = 0; k < VLAPIC_NR_LVT; k++)
				if (!(l.lvt[k] & APIC_LVT_MASKED)) {
					test_context("step %lu LVT %d", i, k);
					EXPECT_TRUE(l.lvt[k] & APIC_LVT_MASKED);
				}
		}
	}
	test_context("totals");
	EXPECT_GT(f.ipis, 0);
}
