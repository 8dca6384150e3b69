/* SPDX-License-Identifier: GPL-2.0-only */
/* vpm.c: the guest's ACPI PM1a event and control registers and its PM
 * timer (ACPI 6.4 4.8.3.1 PM1 status/enable, 4.8.3.2 PM1 control, 4.8.3.3
 * PM timer), the fixed power button (4.8.2.2.1.1), the SCI (4.8.2.5) and
 * S5 (4.8.2.3 sleeping/wake control). The timer is a closed-form function
 * of the TSC: tick k comes at the first TSC t with floor((t - base) *
 * 3579545 / tsc_hz) >= k. The SCI is a level: asserted while any status
 * bit is set together with its enable bit (they share bit positions). */
#include "vmm/vdev/vpm.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define PM1_EN_BITS                                                                                          \
	(ACPI_PM1_TMR_EN | ACPI_PM1_GBL_EN | ACPI_PM1_PWRBTN_EN | ACPI_PM1_SLPBTN_EN | ACPI_PM1_RTC_EN)
#define PM1_CNT_STORED	(ACPI_PM1_BM_RLD | ACPI_PM1_SLP_TYP)
#define PM1_STS_LATCHED ACPI_PM1_PWRBTN_STS /* status bits held until cleared; TMR_STS is computed */
#define BLOCK_LEN	(VPM_PORT_LAST - VPM_PORT_BASE + 1)
#define NOT_A_REGISTER	0xff

void vpm_init(struct vpm *p, uint64_t tsc_khz, uint64_t now_tsc, const struct vpm_ops *ops, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->ctx = ctx;
	tsc_khz = MAX(tsc_khz, VPM_MIN_TSC_KHZ);
	tsc_khz = MIN(tsc_khz, VPM_MAX_TSC_KHZ);
	p->tsc_hz = tsc_khz * KHZ;
	p->base_tsc = p->last_tsc = now_tsc;
	p->msb_changes_seen = VPM_TMR_START >> PM_TIMER_MSB_SHIFT32;
}

/* Timer ticks since creation plus the start value, as a 64-bit count that
 * does not wrap. Split so no product exceeds 2^64: whole seconds times the
 * rate, plus the remainder (below tsc_hz) times the rate. */
static uint64_t count64(struct vpm *p, uint64_t now_tsc)
{
	if (now_tsc < p->last_tsc)
		now_tsc = p->last_tsc;
	p->last_tsc = now_tsc;
	uint64_t t = now_tsc - p->base_tsc;
	return (uint64_t)VPM_TMR_START + (t / p->tsc_hz) * PM_TIMER_HZ +
	       (t % p->tsc_hz) * PM_TIMER_HZ / p->tsc_hz;
}

uint32_t vpm_timer(struct vpm *p, uint64_t now_tsc)
{
	return (uint32_t)count64(p, now_tsc);
}

static uint16_t pm1_sts(struct vpm *p, uint64_t now_tsc)
{
	uint16_t tmr =
	    (count64(p, now_tsc) >> PM_TIMER_MSB_SHIFT32) > p->msb_changes_seen ? ACPI_PM1_TMR_STS : 0;
	return (uint16_t)(p->pm1_sts | tmr);
}

/* Tell the machine when the SCI's level changes. */
static void update_sci(struct vpm *p, uint64_t now_tsc)
{
	bool level = (pm1_sts(p, now_tsc) & p->pm1_en) != 0;
	if (level == p->sci)
		return;
	p->sci = level;
	if (p->ops && p->ops->sci)
		p->ops->sci(p->ctx, level);
}

/* SLP_EN written (4.8.3.2.1): the sleep type now in SLP_TYP is entered.
 * S5 is the platform's only sleep state; another type is ignored and
 * counted: the guest runs on, no WAK_STS (nothing slept). */
static void enter_sleep(struct vpm *p)
{
	unsigned typ = (p->pm1_cnt & ACPI_PM1_SLP_TYP) >> ACPI_PM1_SLP_TYP_SHIFT;
	if (typ != VPM_SLP_TYP_S5) {
		p->sleeps_ignored++;
		return;
	}
	if (p->off)
		return;
	p->off = true;
	if (p->ops && p->ops->power_off)
		p->ops->power_off(p->ctx);
}

/* The block as bytes, little endian, as the guest reads it at now_tsc. */
static void read_block(struct vpm *p, uint8_t b[BLOCK_LEN], uint64_t now_tsc)
{
	uint16_t sts = pm1_sts(p, now_tsc);
	uint16_t cnt = (uint16_t)(p->pm1_cnt | ACPI_PM1_SCI_EN); /* SMI_CMD is 0: ACPI mode for good */
	uint32_t tmr = vpm_timer(p, now_tsc);
	memset(b, NOT_A_REGISTER, BLOCK_LEN);
	memcpy(b + (VPM_PM1_STS - VPM_PORT_BASE), &sts, sizeof(sts));
	memcpy(b + (VPM_PM1_EN - VPM_PORT_BASE), &p->pm1_en, sizeof(p->pm1_en));
	memcpy(b + (VPM_PM1_CNT - VPM_PORT_BASE), &cnt, sizeof(cnt));
	memcpy(b + (VPM_PM_TMR - VPM_PORT_BASE), &tmr, sizeof(tmr));
}

/* A write of `v` to the 16-bit register at `reg` through the byte lanes in
 * `lanes` (bit 0: its low byte, bit 1: its high byte). */
static void write_reg(struct vpm *p, uint16_t reg, unsigned lanes, uint16_t v, uint64_t now_tsc)
{
	uint16_t mask = (uint16_t)((lanes & 1 ? 0x00ff : 0) | (lanes & 2 ? 0xff00 : 0));
	v &= mask;
	switch (reg) {
	case VPM_PM1_STS:
		/* Write 1 to clear. */
		if (v & ACPI_PM1_TMR_STS)
			p->msb_changes_seen = count64(p, now_tsc) >> PM_TIMER_MSB_SHIFT32;
		p->pm1_sts &= (uint16_t) ~(v & PM1_STS_LATCHED);
		break;
	case VPM_PM1_EN:
		p->pm1_en = (uint16_t)((p->pm1_en & ~mask) | (v & PM1_EN_BITS));
		break;
	case VPM_PM1_CNT:
		/* SCI_EN is fixed at 1; GBL_RLS is write-only with nothing to
		 * act on (no firmware); SLP_EN is write-only and enters the
		 * sleep type written with it (both are in the high byte). */
		p->pm1_cnt = (uint16_t)((p->pm1_cnt & ~mask) | (v & PM1_CNT_STORED));
		if (v & ACPI_PM1_SLP_EN)
			enter_sleep(p);
		break;
	default:
		break; /* the timer is read-only; 0x606-0x607 are not registers */
	}
}

int vpm_io(struct vpm *p, uint16_t port, unsigned size, bool write, uint32_t *val, uint64_t now_tsc)
{
	if (port < VPM_PORT_BASE || port > VPM_PORT_LAST)
		return -ENOENT;
	unsigned off = port - VPM_PORT_BASE;
	if (!write) {
		uint8_t b[BLOCK_LEN];
		read_block(p, b, now_tsc);
		uint32_t v = 0;
		for (unsigned i = 0; i < size; i++)
			v |= (uint32_t)(off + i < BLOCK_LEN ? b[off + i] : NOT_A_REGISTER) << (8 * i);
		*val = v;
		update_sci(p, now_tsc); /* a read may be the first to see TMR_STS */
		return 0;
	}
	/* Split the write over the 16-bit registers it touches. */
	for (unsigned i = 0; i < size && off + i < BLOCK_LEN; i++) {
		unsigned at = off + i;
		uint16_t reg = (uint16_t)(VPM_PORT_BASE + (at & ~1U));
		uint8_t byte = (uint8_t)(*val >> (8 * i));
		write_reg(p, reg, 1U << (at & 1), (uint16_t)(byte << (8 * (at & 1))), now_tsc);
	}
	update_sci(p, now_tsc);
	return 0;
}

bool vpm_power_button(struct vpm *p, uint64_t now_tsc)
{
	if (p->off)
		return false;
	p->presses++;
	p->pm1_sts |= ACPI_PM1_PWRBTN_STS;
	update_sci(p, now_tsc);
	return true;
}

/* The first TSC at which `ticks` timer ticks have passed since the block
 * was made: base_tsc + ceil(ticks * tsc_hz / PM_TIMER_HZ), split as the
 * timer is (whole seconds, then a remainder whose product stays below
 * 2^64), or UINT64_MAX when that is beyond 64 bits. */
static uint64_t tick_tsc(const struct vpm *p, uint64_t ticks)
{
	uint64_t secs = ticks / PM_TIMER_HZ;
	uint64_t part = ((ticks % PM_TIMER_HZ) * p->tsc_hz + PM_TIMER_HZ - 1) / PM_TIMER_HZ;
	uint64_t room = UINT64_MAX - p->base_tsc;
	if (part > room || secs > (room - part) / p->tsc_hz)
		return UINT64_MAX;
	return p->base_tsc + secs * p->tsc_hz + part;
}

uint64_t vpm_update(struct vpm *p, uint64_t now_tsc)
{
	/* Called before every entry of vCPU 0: without TMR_EN the level only
	 * changes with accesses and presses, which bring it up to date. */
	if (!(p->pm1_en & ACPI_PM1_TMR_EN))
		return UINT64_MAX;
	update_sci(p, now_tsc);
	if (pm1_sts(p, now_tsc) & ACPI_PM1_TMR_STS)
		return UINT64_MAX; /* raised: nothing to wait for until it is cleared */
	/* TMR_STS comes when bit 31 next changes: at the count where its
	 * changes reach msb_changes_seen + 1, counted from VPM_TMR_START. */
	uint64_t target = (p->msb_changes_seen + 1) << PM_TIMER_MSB_SHIFT32;
	return tick_tsc(p, target - VPM_TMR_START);
}
