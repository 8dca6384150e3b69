/* SPDX-License-Identifier: GPL-2.0-only */
/* vlapic.c: virtual local APIC of one guest vCPU, after Intel SDM Vol. 3A
 * ch. 10: register map 10.4.1 (Table 10-1) and x2APIC map 10.12.1.2 (Table
 * 10-6), LVT/timer/ESR 10.5, ICR 10.6.1 and x2APIC ICR 10.12.9, TPR/PPR/EOI
 * 10.8, IA32_APIC_BASE and mode transitions 10.4.4 and 10.12.5.
 *
 * Choices where the SDM leaves room (docs/vdevices.md, vlapic section):
 * - The timer's input ("bus") clock is the TSC: the count drops by one every
 *   divisor TSC cycles, so counts convert to TSC time by a shift.
 * - The xAPIC ID register is read-only (writability is model specific,
 *   10.4.6), so the ID always equals the initial APIC ID the VMM reports.
 * - IPIs are delivered at once: the ICR delivery-status bit always reads 0.
 * - Lowest-priority IPIs are passed to the VMM in xAPIC mode and refused with
 *   ESR "redirectible IPI" in x2APIC mode (10.12.9). Reserved delivery modes
 *   (011b, 111b) are not sent.
 * - Any change of the LVT timer mode disarms the timer (10.5.4.1); the
 *   initial-count register keeps its value. A write selecting the reserved
 *   mode 11b is ignored (xAPIC) or #GP (x2APIC).
 * - While software-disabled the APIC accepts no new fixed interrupts and
 *   vlapic_pending() offers none; IRR/ISR are kept (10.4.7.2). */
#include "vmm/vdev/vlapic.h"

#include "arch/x86/apic.h"
#include "arch/x86/msr.h"
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

/* The SVR bits the model stores: no EOI-broadcast suppression (bit 12). */
#define VLAPIC_SVR_WRITABLE (APIC_SVR_VECTOR | APIC_SVR_ENABLE | APIC_SVR_FOCUS_OFF)
/* x2APIC ICR bits a WRMSR may set: delivery status (bit 12) is ignored. */
#define VLAPIC_ICR_X2_DEFINED (ICR_LO_WRITABLE | ICR_BUSY)

#define VLAPIC_U32_MASK	     0xffffffffULL
#define VLAPIC_PAGE_MASK     0xfffULL
#define VLAPIC_MIN_PHYS_BITS 32 /* the default base needs 32 bits */

/* Per LVT entry: its MMIO offset and which bits exist (read) and which the
 * guest can write; the rest are reserved (#GP in x2APIC). */
static const struct {
	uint16_t reg;
	uint32_t defined;
	uint32_t writable;
} lvt_regs[VLAPIC_NR_LVT] = {
    [VLAPIC_LVT_CMCI] = {APIC_LVT_CMCI,
			 APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_DELIVS | APIC_LVT_MASKED,
			 APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_MASKED},
    [VLAPIC_LVT_TIMER] = {APIC_LVT_TIMER,
			  APIC_VECTOR_MASK | APIC_LVT_DELIVS | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE,
			  APIC_VECTOR_MASK | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE},
    [VLAPIC_LVT_THERMAL] = {APIC_LVT_THERMAL,
			    APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_DELIVS | APIC_LVT_MASKED,
			    APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_MASKED},
    [VLAPIC_LVT_PERF] = {APIC_LVT_PERF,
			 APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_DELIVS | APIC_LVT_MASKED,
			 APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_MASKED},
    [VLAPIC_LVT_LINT0] = {APIC_LVT_LINT0,
			  APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_DELIVS | APIC_LVT_POLARITY |
			      APIC_LVT_REMOTE_IRR | APIC_LVT_LEVEL | APIC_LVT_MASKED,
			  APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_POLARITY | APIC_LVT_LEVEL |
			      APIC_LVT_MASKED},
    [VLAPIC_LVT_LINT1] = {APIC_LVT_LINT1,
			  APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_DELIVS | APIC_LVT_POLARITY |
			      APIC_LVT_REMOTE_IRR | APIC_LVT_LEVEL | APIC_LVT_MASKED,
			  APIC_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_POLARITY | APIC_LVT_LEVEL |
			      APIC_LVT_MASKED},
    [VLAPIC_LVT_ERROR] = {APIC_LVT_ERROR, APIC_VECTOR_MASK | APIC_LVT_DELIVS | APIC_LVT_MASKED,
			  APIC_VECTOR_MASK | APIC_LVT_MASKED},
};

/* Outcome of one register access, mapped to MMIO or MSR semantics. */
enum reg_result {
	REG_OK,
	REG_NONE,     /* no such register in this mode */
	REG_RO,	      /* write to a read-only register */
	REG_WO,	      /* read of a write-only register */
	REG_RESERVED, /* x2APIC write setting reserved bits */
};

/* --- 256-bit vector banks (IRR, ISR, TMR) --- */

static void vec_set(uint32_t bank[8], uint8_t v)
{
	bank[v >> 5] |= 1U << (v & 31);
}

static void vec_clear(uint32_t bank[8], uint8_t v)
{
	bank[v >> 5] &= ~(1U << (v & 31));
}

static bool vec_test(const uint32_t bank[8], uint8_t v)
{
	return bank[v >> 5] & (1U << (v & 31));
}

/* Highest vector set in the bank, or -1. */
static int vec_highest(const uint32_t bank[8])
{
	int i;

	for (i = 7; i >= 0; i--)
		if (bank[i])
			return i * 32 + 31 - __builtin_clz(bank[i]);
	return -1;
}

/* --- mode and priority --- */

static bool hw_enabled(const struct vlapic *l)
{
	return l->apic_base & APIC_BASE_ENABLE;
}

bool vlapic_is_x2apic(const struct vlapic *l)
{
	return hw_enabled(l) && (l->apic_base & APIC_BASE_X2APIC);
}

static bool sw_enabled(const struct vlapic *l)
{
	return hw_enabled(l) && (l->svr & APIC_SVR_ENABLE);
}

static uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> APIC_X2_LDR_MEMBER_BITS) << APIC_X2_LDR_CLUSTER_SHIFT) |
	       (1U << (id & ((1U << APIC_X2_LDR_MEMBER_BITS) - 1)));
}

/* PPR (10.8.3.1): the TPR if its class is at least the class of the
 * highest in-service vector, else that class. */
static uint32_t ppr(const struct vlapic *l)
{
	int isrv = vec_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & APIC_PRIO_CLASS;

	if ((l->tpr & APIC_PRIO_CLASS) >= isr_class)
		return l->tpr;
	return isr_class;
}

/* --- errors and local delivery --- */

/* Log errors in the ESR (10.5.3) and raise the LVT error interrupt. An
 * illegal error vector only adds "receive illegal vector": no recursion. */
static void record_error(struct vlapic *l, uint32_t bits)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_ERROR];
	uint8_t v = lvt & APIC_VECTOR_MASK;

	l->esr_pending |= bits;
	if (lvt & APIC_LVT_MASKED)
		return;
	if (v < APIC_MIN_VECTOR) {
		l->esr_pending |= APIC_ESR_RECV_ILLEGAL;
		return;
	}
	vec_set(l->irr, v);
	vec_clear(l->tmr, v);
}

static void set_irr(struct vlapic *l, uint8_t v, bool level)
{
	if (v < APIC_MIN_VECTOR) {
		record_error(l, APIC_ESR_RECV_ILLEGAL);
		return;
	}
	vec_set(l->irr, v);
	if (level)
		vec_set(l->tmr, v);
	else
		vec_clear(l->tmr, v);
}

/* A locally generated interrupt (timer): always fixed, edge. */
static void lvt_fire(struct vlapic *l, enum vlapic_lvt i)
{
	uint32_t lvt = l->lvt[i];

	if (!(lvt & APIC_LVT_MASKED))
		set_irr(l, lvt & APIC_VECTOR_MASK, false);
}

/* --- timer (10.5.4) --- */

static uint32_t timer_mode(const struct vlapic *l)
{
	return (l->lvt[VLAPIC_LVT_TIMER] & APIC_LVT_TIMER_MODE) >> APIC_LVT_TIMER_SHIFT;
}

/* log2 of the divisor: DCR bits 3,1,0 = 000b -> 2, 001b -> 4, ... 110b ->
 * 128, 111b -> 1 (Figure 10-10). */
static uint32_t dcr_shift(uint32_t dcr)
{
	uint32_t code = (dcr & APIC_TIMER_DCR_LOW) | ((dcr & APIC_TIMER_DCR_HIGH) >> 1);

	return (code + 1) & 7;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t timer_expiry(const struct vlapic *l)
{
	return add_sat(l->timer_start, (uint64_t)l->timer_count << l->timer_shift);
}

static uint32_t timer_current(const struct vlapic *l, uint64_t now)
{
	uint64_t ticks;

	if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE || !l->timer_running)
		return 0;
	if (now <= l->timer_start)
		return l->timer_count;
	ticks = (now - l->timer_start) >> l->timer_shift;
	return ticks >= l->timer_count ? 0 : l->timer_count - (uint32_t)ticks;
}

static void timer_start(struct vlapic *l, uint32_t count, uint64_t now)
{
	l->timer_running = count != 0;
	l->timer_count = count;
	l->timer_start = now;
}

uint64_t vlapic_timer_update(struct vlapic *l, uint64_t now_tsc)
{
	bool masked = l->lvt[VLAPIC_LVT_TIMER] & APIC_LVT_MASKED;
	uint64_t exp, period;

	if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE) {
		if (!l->tsc_deadline)
			return UINT64_MAX;
		if (now_tsc >= l->tsc_deadline) {
			l->tsc_deadline = 0;
			lvt_fire(l, VLAPIC_LVT_TIMER);
			return UINT64_MAX;
		}
		return masked ? UINT64_MAX : l->tsc_deadline;
	}
	if (!l->timer_running)
		return UINT64_MAX;
	exp = timer_expiry(l);
	if (now_tsc >= exp) {
		lvt_fire(l, VLAPIC_LVT_TIMER);
		if (timer_mode(l) != APIC_TIMER_PERIODIC || !l->timer_initial) {
			l->timer_running = false;
			return UINT64_MAX;
		}
		/* Re-base on the last period start at or before now. */
		period = (uint64_t)l->timer_initial << l->timer_shift;
		l->timer_start = exp + (now_tsc - exp) / period * period;
		l->timer_count = l->timer_initial;
		exp = timer_expiry(l);
	}
	return masked ? UINT64_MAX : exp;
}

/* --- reset --- */

/* Power-on register values (10.4.7.1), identity and IA32_APIC_BASE kept. */
static void reset_registers(struct vlapic *l)
{
	size_t i;

	l->tpr = 0;
	l->ldr = vlapic_is_x2apic(l) ? x2apic_ldr(l->id) : 0;
	l->dfr = APIC_DFR_RESET;
	l->svr = APIC_SVR_RESET;
	l->esr = 0;
	l->esr_pending = 0;
	l->icr_lo = 0;
	l->icr_hi = 0;
	for (i = 0; i < VLAPIC_NR_LVT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->timer_initial = 0;
	l->timer_dcr = 0;
	l->timer_shift = dcr_shift(0);
	l->timer_count = 0;
	l->timer_running = false;
	l->timer_start = 0;
	l->tsc_deadline = 0;
}

void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t tsc_khz, const struct vlapic_ops *ops,
		 void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->ops = ops;
	l->ctx = ctx;
	l->tsc_khz = tsc_khz;
	l->id = apic_id;
	l->max_phys_bits = PHYS_ADDR_BITS_MAX;
	l->apic_base = APIC_DEFAULT_BASE | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
	reset_registers(l);
}

void vlapic_init_signal(struct vlapic *l)
{
	reset_registers(l);
}

/* --- IPIs and EOI --- */

static void send_ipi(struct vlapic *l, uint32_t lo, uint32_t dest)
{
	uint8_t vector = lo & APIC_VECTOR_MASK;
	uint8_t dm = (lo >> ICR_DM_SHIFT) & APIC_DM_MASK;
	uint8_t sh = (lo >> ICR_SH_SHIFT) & ICR_SH_MASK;

	switch (dm) {
	case APIC_DM_LOWEST:
		if (vlapic_is_x2apic(l)) {
			record_error(l, APIC_ESR_REDIR_IPI);
			return;
		}
		__attribute__((fallthrough)); /* its vector is checked like a fixed IPI's */
	case APIC_DM_FIXED:
		if (vector < APIC_MIN_VECTOR) {
			record_error(l, APIC_ESR_SEND_ILLEGAL);
			return;
		}
		break;
	case APIC_DM_SMI:
	case APIC_DM_NMI:
	case APIC_DM_INIT:
	case APIC_DM_STARTUP:
		break;
	default: /* 011b and 111b are reserved for IPIs */
		return;
	}
	if (l->ops && l->ops->send_ipi)
		l->ops->send_ipi(l->ctx, dest, lo & ICR_LOGICAL, sh, dm, vector, lo & ICR_ASSERT);
}

static void self_ipi(struct vlapic *l, uint8_t vector)
{
	send_ipi(l, vector | ICR_ASSERT | ((uint32_t)ICR_SH_SELF << ICR_SH_SHIFT), 0);
}

/* EOI (10.8.5): retire the highest in-service vector. */
static void eoi(struct vlapic *l)
{
	int v = vec_highest(l->isr);

	if (v < 0)
		return;
	vec_clear(l->isr, (uint8_t)v);
	if (vec_test(l->tmr, (uint8_t)v) && l->ops && l->ops->eoi_level)
		l->ops->eoi_level(l->ctx, (uint8_t)v);
}

/* --- register access, shared by MMIO and MSR --- */

static int lvt_index(uint32_t reg)
{
	int i;

	for (i = 0; i < VLAPIC_NR_LVT; i++)
		if (lvt_regs[i].reg == reg)
			return i;
	return -1;
}

static bool in_bank(uint32_t reg, uint32_t bank)
{
	return reg >= bank && reg < bank + APIC_BANK_SIZE;
}

static enum reg_result reg_read(struct vlapic *l, uint32_t reg, uint64_t *val, uint64_t now)
{
	bool x2 = vlapic_is_x2apic(l);
	uint32_t word = (reg & (APIC_BANK_SIZE - 1)) >> APIC_REG_SHIFT;
	int lvt = lvt_index(reg);

	if (lvt >= 0) {
		*val = l->lvt[lvt];
		return REG_OK;
	}
	if (in_bank(reg, APIC_ISR)) {
		*val = l->isr[word];
		return REG_OK;
	}
	if (in_bank(reg, APIC_TMR)) {
		*val = l->tmr[word];
		return REG_OK;
	}
	if (in_bank(reg, APIC_IRR)) {
		*val = l->irr[word];
		return REG_OK;
	}
	switch (reg) {
	case APIC_ID:
		*val = x2 ? l->id : (l->id & APIC_XAPIC_ID_MASK) << APIC_ID_SHIFT;
		return REG_OK;
	case APIC_VERSION:
		*val = VLAPIC_VERSION | ((VLAPIC_NR_LVT - 1) << APIC_VERSION_MAXLVT_SHIFT);
		return REG_OK;
	case APIC_TPR:
		*val = l->tpr;
		return REG_OK;
	case APIC_APR: /* arbitration is not modelled */
	case APIC_RRD: /* remote read is not supported */
		*val = 0;
		return x2 ? REG_NONE : REG_OK;
	case APIC_PPR:
		*val = ppr(l);
		return REG_OK;
	case APIC_EOI:
		return REG_WO;
	case APIC_LDR:
		*val = l->ldr;
		return REG_OK;
	case APIC_DFR:
		*val = l->dfr;
		return x2 ? REG_NONE : REG_OK;
	case APIC_SVR:
		*val = l->svr;
		return REG_OK;
	case APIC_ESR:
		*val = l->esr;
		return REG_OK;
	case APIC_ICR_LO:
		*val = x2 ? ((uint64_t)l->icr_hi << 32) | l->icr_lo : l->icr_lo;
		return REG_OK;
	case APIC_ICR_HI:
		*val = l->icr_hi;
		return x2 ? REG_NONE : REG_OK;
	case APIC_TIMER_ICR:
		*val = l->timer_initial;
		return REG_OK;
	case APIC_TIMER_CCR:
		*val = timer_current(l, now);
		return REG_OK;
	case APIC_TIMER_DCR:
		*val = l->timer_dcr;
		return REG_OK;
	case APIC_SELF_IPI:
		return x2 ? REG_WO : REG_NONE;
	default:
		return REG_NONE;
	}
}

static enum reg_result write_lvt(struct vlapic *l, int i, uint64_t val, uint64_t now)
{
	bool x2 = vlapic_is_x2apic(l);
	uint32_t v = (uint32_t)val & lvt_regs[i].writable;
	uint32_t mode;

	if (x2 && (val & ~(uint64_t)lvt_regs[i].defined))
		return REG_RESERVED;
	if (!sw_enabled(l))
		v |= APIC_LVT_MASKED; /* 10.4.7.2: cannot be unmasked */
	if (i == VLAPIC_LVT_TIMER) {
		mode = (v & APIC_LVT_TIMER_MODE) >> APIC_LVT_TIMER_SHIFT;
		if (mode == APIC_TIMER_MODE_RESERVED)
			return x2 ? REG_RESERVED : REG_OK;
		if (mode != timer_mode(l)) { /* 10.5.4.1: disarm */
			timer_start(l, 0, now);
			l->tsc_deadline = 0;
		}
	}
	l->lvt[i] = v;
	return REG_OK;
}

/* For an x2APIC write: does val set bits outside `defined`? */
static bool reserved_bits(const struct vlapic *l, uint64_t val, uint64_t defined)
{
	return vlapic_is_x2apic(l) && (val & ~defined);
}

static enum reg_result reg_write(struct vlapic *l, uint32_t reg, uint64_t val, uint64_t now)
{
	bool x2 = vlapic_is_x2apic(l);
	int lvt = lvt_index(reg);
	uint32_t cur;
	size_t i;

	if (lvt >= 0)
		return write_lvt(l, lvt, val, now);
	if (in_bank(reg, APIC_ISR) || in_bank(reg, APIC_TMR) || in_bank(reg, APIC_IRR))
		return REG_RO;
	switch (reg) {
	case APIC_ID: /* read-only in xAPIC mode too (see the top) */
	case APIC_VERSION:
	case APIC_PPR:
	case APIC_TIMER_CCR:
		return REG_RO;
	case APIC_APR:
	case APIC_RRD:
		return x2 ? REG_NONE : REG_RO;
	case APIC_TPR:
		if (reserved_bits(l, val, APIC_TPR_MASK))
			return REG_RESERVED;
		l->tpr = (uint32_t)val & APIC_TPR_MASK;
		return REG_OK;
	case APIC_EOI:
		if (x2 && val)
			return REG_RESERVED;
		eoi(l);
		return REG_OK;
	case APIC_LDR:
		if (x2)
			return REG_RO;
		l->ldr = (uint32_t)val & APIC_LDR_XAPIC_MASK;
		return REG_OK;
	case APIC_DFR:
		if (x2)
			return REG_NONE;
		l->dfr = ((uint32_t)val & APIC_DFR_MODEL) | ~APIC_DFR_MODEL;
		return REG_OK;
	case APIC_SVR:
		if (reserved_bits(l, val, VLAPIC_SVR_WRITABLE))
			return REG_RESERVED;
		l->svr = (uint32_t)val & VLAPIC_SVR_WRITABLE;
		if (!(l->svr & APIC_SVR_ENABLE))
			for (i = 0; i < VLAPIC_NR_LVT; i++)
				l->lvt[i] |= APIC_LVT_MASKED;
		return REG_OK;
	case APIC_ESR: /* latch the errors logged since the last write */
		if (x2 && val)
			return REG_RESERVED;
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return REG_OK;
	case APIC_ICR_LO:
		if (x2) {
			if (val & ~(((uint64_t)UINT32_MAX << 32) | VLAPIC_ICR_X2_DEFINED))
				return REG_RESERVED;
			l->icr_lo = (uint32_t)val & ICR_LO_WRITABLE;
			l->icr_hi = (uint32_t)(val >> 32);
			send_ipi(l, l->icr_lo, l->icr_hi);
		} else {
			l->icr_lo = (uint32_t)val & ICR_LO_WRITABLE;
			send_ipi(l, l->icr_lo, l->icr_hi >> ICR_HI_DEST_SHIFT);
		}
		return REG_OK;
	case APIC_ICR_HI:
		if (x2)
			return REG_NONE;
		l->icr_hi = (uint32_t)val & ICR_HI_XAPIC_DEST;
		return REG_OK;
	case APIC_TIMER_ICR:
		if (reserved_bits(l, val, VLAPIC_U32_MASK))
			return REG_RESERVED;
		if (timer_mode(l) == APIC_TIMER_TSC_DEADLINE)
			return REG_OK; /* ignored in TSC-deadline mode */
		l->timer_initial = (uint32_t)val;
		timer_start(l, l->timer_initial, now);
		return REG_OK;
	case APIC_TIMER_DCR: /* the count goes on from its current value */
		if (reserved_bits(l, val, APIC_TIMER_DCR_MASK))
			return REG_RESERVED;
		cur = timer_current(l, now);
		l->timer_dcr = (uint32_t)val & APIC_TIMER_DCR_MASK;
		l->timer_shift = dcr_shift(l->timer_dcr);
		if (l->timer_running) {
			l->timer_start = now;
			l->timer_count = cur;
		}
		return REG_OK;
	case APIC_SELF_IPI:
		if (!x2)
			return REG_NONE;
		if (val & ~(uint64_t)APIC_VECTOR_MASK)
			return REG_RESERVED;
		self_ipi(l, (uint8_t)val);
		return REG_OK;
	default:
		return REG_NONE;
	}
}

int vlapic_mmio(struct vlapic *l, uint32_t offset, bool write, uint32_t *val, uint64_t now_tsc)
{
	enum reg_result r;
	uint64_t v = 0;

	if (!val)
		return -EINVAL;
	if (!hw_enabled(l) || vlapic_is_x2apic(l)) {
		if (!write)
			*val = UINT32_MAX;
		return -ENODEV;
	}
	if (offset >= APIC_MMIO_SIZE || (offset & ((1U << APIC_REG_SHIFT) - 1))) {
		if (!write)
			*val = 0;
		return -EINVAL;
	}
	vlapic_timer_update(l, now_tsc);
	if (write)
		r = reg_write(l, offset, *val, now_tsc);
	else
		r = reg_read(l, offset, &v, now_tsc);
	if (r == REG_NONE)
		record_error(l, APIC_ESR_ILLEGAL_REG);
	if (!write)
		*val = r == REG_OK ? (uint32_t)v : 0;
	return 0;
}

int vlapic_msr(struct vlapic *l, uint32_t msr, bool write, uint64_t *val, uint64_t now_tsc)
{
	enum reg_result r;
	uint32_t reg;
	uint64_t v = 0;

	if (!val || !vlapic_is_x2apic(l) || msr < MSR_X2APIC_BASE || msr > MSR_X2APIC_LAST)
		return -EINVAL;
	reg = (msr - MSR_X2APIC_BASE) << APIC_REG_SHIFT;
	/* Upper halves are reserved except the ICR's (10.12.1.2). */
	if (write && reg != APIC_ICR_LO && (*val >> 32))
		return -EINVAL;
	vlapic_timer_update(l, now_tsc);
	if (write)
		return reg_write(l, reg, *val, now_tsc) == REG_OK ? 0 : -EINVAL;
	r = reg_read(l, reg, &v, now_tsc);
	if (r != REG_OK)
		return -EINVAL;
	*val = v;
	return 0;
}

/* --- IA32_APIC_BASE, TSC deadline, CR8 --- */

int vlapic_set_apic_base(struct vlapic *l, uint64_t val)
{
	uint32_t bits = MIN(MAX(l->max_phys_bits, VLAPIC_MIN_PHYS_BITS), PHYS_ADDR_BITS_MAX);
	uint64_t addr_mask = ((1ULL << bits) - 1) & ~VLAPIC_PAGE_MASK;
	bool en = val & APIC_BASE_ENABLE, extd = val & APIC_BASE_X2APIC;
	bool was_en = hw_enabled(l), was_x2 = vlapic_is_x2apic(l);

	if (val & ~(addr_mask | APIC_BASE_BSP | APIC_BASE_X2APIC | APIC_BASE_ENABLE))
		return -EINVAL;
	if (extd && !en)
		return -EINVAL; /* invalid state (10.12.5, Figure 10-27) */
	if (was_x2 && en && !extd)
		return -EINVAL; /* x2APIC -> xAPIC must go through disabled */
	if (!was_en && extd)
		return -EINVAL; /* disabled -> x2APIC must go through xAPIC */
	l->apic_base =
	    (val & (addr_mask | APIC_BASE_X2APIC | APIC_BASE_ENABLE)) | (l->apic_base & APIC_BASE_BSP);
	if (!en && was_en)
		reset_registers(l); /* disabling loses the state (10.4.3) */
	else if (extd && !was_x2)
		l->ldr = x2apic_ldr(l->id); /* 10.12.5.1: ID and LDR from the x2APIC ID */
	return 0;
}

int vlapic_tsc_deadline(struct vlapic *l, bool write, uint64_t *val, uint64_t now_tsc)
{
	bool deadline_mode = hw_enabled(l) && timer_mode(l) == APIC_TIMER_TSC_DEADLINE;

	if (!val)
		return -EINVAL;
	vlapic_timer_update(l, now_tsc);
	if (!write) {
		*val = deadline_mode ? l->tsc_deadline : 0;
		return 0;
	}
	if (deadline_mode) {
		l->tsc_deadline = *val;
		vlapic_timer_update(l, now_tsc); /* a past deadline fires now */
	}
	return 0;
}

uint64_t vlapic_cr8_read(const struct vlapic *l)
{
	return (l->tpr & APIC_PRIO_CLASS) >> 4;
}

int vlapic_cr8_write(struct vlapic *l, uint64_t val)
{
	if (val & ~(uint64_t)(APIC_PRIO_CLASS >> 4))
		return -EINVAL;
	l->tpr = (uint32_t)val << 4;
	return 0;
}

/* --- interrupt flow --- */

void vlapic_accept(struct vlapic *l, uint8_t vector, bool level)
{
	if (!sw_enabled(l))
		return;
	set_irr(l, vector, level);
}

int vlapic_pending(const struct vlapic *l)
{
	int v;

	if (!sw_enabled(l))
		return -1;
	v = vec_highest(l->irr);
	if (v < 0 || ((uint32_t)v & APIC_PRIO_CLASS) <= (ppr(l) & APIC_PRIO_CLASS))
		return -1;
	return v;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	if (!vec_test(l->irr, vector))
		return;
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
}

/* --- destinations (10.6.2, x2APIC 10.12.10) --- */

bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical)
{
	uint32_t ldr8, cluster;

	if (!hw_enabled(l))
		return false;
	if (vlapic_is_x2apic(l)) {
		if (dest == APIC_BROADCAST_X2APIC)
			return true;
		if (!logical)
			return dest == l->id;
		return (dest >> APIC_X2_LDR_CLUSTER_SHIFT) == (l->ldr >> APIC_X2_LDR_CLUSTER_SHIFT) &&
		       (dest & l->ldr & APIC_X2_LDR_MEMBERS);
	}
	dest &= APIC_BROADCAST_XAPIC;
	if (dest == APIC_BROADCAST_XAPIC)
		return true;
	if (!logical)
		return dest == (l->id & APIC_XAPIC_ID_MASK);
	ldr8 = l->ldr >> APIC_LDR_SHIFT;
	if ((l->dfr & APIC_DFR_MODEL) != APIC_DFR_MODEL_CLUSTER)
		return dest & ldr8; /* flat: any model but 0000b */
	cluster = dest >> APIC_LDR_CLUSTER_SHIFT;
	return (cluster == APIC_LDR_CLUSTER_ALL || cluster == ldr8 >> APIC_LDR_CLUSTER_SHIFT) &&
	       (dest & ldr8 & APIC_LDR_CLUSTER_MEMBERS);
}

uint32_t vlapic_lint(const struct vlapic *l, unsigned int pin)
{
	uint32_t v;

	if (pin > 1)
		return APIC_LVT_MASKED;
	v = l->lvt[VLAPIC_LVT_LINT0 + pin];
	return sw_enabled(l) ? v : v | APIC_LVT_MASKED;
}
