/* SPDX-License-Identifier: GPL-2.0-only */
/* vpit.c: the virtual 8254. Intel 8254 datasheet: control word, modes 0-5
 * with their GATE and reload rules, counter latch, read-back command and
 * status byte, lo/hi flip-flops, BCD. OUT is a closed-form function of CLK
 * edges since the load, so any span of time is O(1) (docs/vdevices.md). */
#include "vmm/vdev/vpit.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

enum pit_rw { RW_LATCH = 0, RW_LO = 1, RW_HI = 2, RW_LOHI = 3 };

/* Counter modes (8254 datasheet, "Modes") */
enum pit_mode {
	MODE_TC_INTERRUPT = 0, /* interrupt on terminal count */
	MODE_ONE_SHOT = 1,     /* hardware retriggerable one-shot */
	MODE_RATE = 2,	       /* rate generator */
	MODE_SQUARE = 3,       /* square wave */
	MODE_SW_STROBE = 4,    /* software triggered strobe */
	MODE_HW_STROBE = 5,    /* hardware triggered (retriggerable) strobe */
};

#define BCD_DIGIT      0xfu
#define BCD_DIGIT_BITS 4
#define BCD_DIGITS     4
#define BCD_BASE       10u
#define BYTE_MASK      0xffu
#define CMD_READ_VALUE 0xff /* the control word register is write-only */
#define NO_EDGE	       UINT64_MAX
#define EDGES_MAX      ((unsigned)~0u)

/* ---- time: CLK edge k is at the first TSC t with floor(t*PIT_HZ/hz) >= k */

/* CLK edges in (0, t]. Split so no product exceeds 2^64: the quotient
 * part is whole seconds, the remainder part is below hz * PIT_HZ. */
static uint64_t tsc_to_clk(uint64_t hz, uint64_t t)
{
	return (t / hz) * PIT_HZ + (t % hz) * PIT_HZ / hz;
}

/* The TSC time of CLK edge k: ceil(k * hz / PIT_HZ), saturating. */
static uint64_t clk_to_tsc(uint64_t hz, uint64_t k)
{
	uint64_t q = k / PIT_HZ, r = k % PIT_HZ;
	uint64_t frac = (r * hz + PIT_HZ - 1) / PIT_HZ;

	if (q > (UINT64_MAX - frac) / hz)
		return UINT64_MAX;
	return q * hz + frac;
}

/* The CLK edge now_tsc falls on; never earlier than one seen before. */
static uint64_t clk_now(struct vpit *p, uint64_t now_tsc)
{
	uint64_t c = tsc_to_clk(p->tsc_hz, now_tsc);

	if (c < p->last_clk)
		c = p->last_clk;
	p->last_clk = c;
	return c;
}

/* ---- counts and the counting element */

static unsigned ch_rw(const struct vpit_channel *ch)
{
	return (ch->ctrl >> PIT_CW_RW_SHIFT) & PIT_CW_RW_MASK;
}

static bool ch_bcd(const struct vpit_channel *ch)
{
	return ch->ctrl & PIT_CW_BCD;
}

static bool periodic(const struct vpit_channel *ch)
{
	return ch->mode == MODE_RATE || ch->mode == MODE_SQUARE;
}

/* BCD digits above 9 count with their binary value (documented). */
static uint32_t from_bcd(uint16_t v)
{
	uint32_t r = 0;

	for (int shift = (BCD_DIGITS - 1) * BCD_DIGIT_BITS; shift >= 0; shift -= BCD_DIGIT_BITS)
		r = r * BCD_BASE + ((v >> shift) & BCD_DIGIT);
	return r;
}

static uint16_t to_bcd(uint32_t v)
{
	uint16_t r = 0;

	for (int shift = 0; shift < BCD_DIGITS * BCD_DIGIT_BITS; shift += BCD_DIGIT_BITS) {
		r |= (uint16_t)((v % BCD_BASE) << shift);
		v /= BCD_BASE;
	}
	return r;
}

static uint32_t ch_range(const struct vpit_channel *ch)
{
	return ch_bcd(ch) ? PIT_BCD_RANGE : PIT_BINARY_RANGE;
}

/* The count register as a number of CLK periods: 1 .. 2^16 (or 16665 for
 * BCD with bad digits). */
static uint32_t cr_count(const struct vpit_channel *ch)
{
	uint32_t v = ch_bcd(ch) ? from_bcd(ch->cr) : ch->cr;

	return v ? v : ch_range(ch);
}

/* Decrements since the load at CLK edge c (0 before origin). */
static uint64_t e_at(const struct vpit_channel *ch, uint64_t c)
{
	return c > ch->origin ? c - ch->origin : 0;
}

/* OUT after e decrements (datasheet waveforms per mode). Modes 2 and 3
 * with the illegal count 1 keep OUT high. */
static bool out_at_e(const struct vpit_channel *ch, uint64_t e)
{
	uint64_t n = ch->n;

	switch (ch->mode) {
	case MODE_TC_INTERRUPT: /* low until terminal count */
	case MODE_ONE_SHOT:	/* low from the trigger until terminal count */
		return e >= n;
	case MODE_RATE: /* low for the one CLK before each reload */
		return n < 2 || e % n != n - 1;
	case MODE_SQUARE: /* high for ceil(n/2), low for floor(n/2) */
		return n < 2 || e % n < (n + 1) / 2;
	default: /* strobes: low for one CLK at terminal count */
		return e != n;
	}
}

/* Counting element value after e decrements, before BCD encoding. */
static uint64_t ce_at_e(const struct vpit_channel *ch, uint64_t e)
{
	uint64_t n = ch->n, m = ch_range(ch), p;

	switch (ch->mode) {
	case MODE_RATE: /* n, n-1, ..., 1, reload */
		return n < 2 ? n : n - e % n;
	case MODE_SQUARE: /* by twos, reloading each half period */
		if (n < 2)
			return n;
		p = e % n;
		if (n % 2 == 0)
			return n - 2 * (p % (n / 2));
		return (n - 1) - 2 * (p < (n + 1) / 2 ? p : p - (n + 1) / 2);
	default: /* one-shots wrap and keep counting after terminal count */
		return (n % m + m - e % m) % m;
	}
}

static bool ch_out(const struct vpit_channel *ch, uint64_t c)
{
	switch (ch->state) {
	case VPIT_IDLE:
		return ch->mode != MODE_TC_INTERRUPT; /* its control word drives OUT low */
	case VPIT_WAIT:
		return true;
	case VPIT_PAUSED:
		if (periodic(ch))
			return true; /* GATE low forces OUT high in modes 2, 3 */
		return c < ch->load_clk ? ch->pre_out : out_at_e(ch, ch->frozen_e);
	default:
		return c < ch->load_clk ? ch->pre_out : out_at_e(ch, e_at(ch, c));
	}
}

/* What a read of the counting element gives at CLK edge c. Between a count
 * write and the CLK edge that loads it, the new count. */
static uint16_t ch_display(const struct vpit_channel *ch, uint64_t c)
{
	uint64_t v;

	switch (ch->state) {
	case VPIT_IDLE:
	case VPIT_WAIT:
		return ch->idle_ce;
	case VPIT_PAUSED:
		v = c < ch->load_clk ? ch->n : ce_at_e(ch, ch->frozen_e);
		break;
	default:
		v = c < ch->load_clk ? ch->n : ce_at_e(ch, e_at(ch, c));
		break;
	}
	v %= ch_range(ch);
	return ch_bcd(ch) ? to_bcd((uint32_t)v) : (uint16_t)v;
}

static bool ch_null_count(const struct vpit_channel *ch, uint64_t c)
{
	if (ch->cr_pending)
		return true;
	return (ch->state == VPIT_RUNNING || ch->state == VPIT_PAUSED) && c < ch->load_clk;
}

/* ---- OUT edges */

/* Rising edges at decrement counts in (e1, e2]. */
static uint64_t rising_e(const struct vpit_channel *ch, uint64_t e1, uint64_t e2)
{
	uint64_t n = ch->n, at;

	switch (ch->mode) {
	case MODE_RATE:
	case MODE_SQUARE:
		return n < 2 ? 0 : e2 / n - e1 / n; /* at e = n, 2n, ... */
	case MODE_TC_INTERRUPT:
	case MODE_ONE_SHOT:
		at = n;
		break;
	default:
		at = n + 1; /* back high one CLK after terminal count */
		break;
	}
	return e1 < at && at <= e2;
}

/* Rising edges of a RUNNING channel at CLK edges in (a, b]. */
static uint64_t rising(const struct vpit_channel *ch, uint64_t a, uint64_t b)
{
	uint64_t edges = 0;

	if (ch->state != VPIT_RUNNING || b <= a || b < ch->load_clk)
		return 0;
	if (a < ch->load_clk) {
		if (!ch->pre_out && out_at_e(ch, 0))
			edges++; /* the load itself raises OUT */
		a = ch->load_clk;
	}
	return edges + rising_e(ch, e_at(ch, a), e_at(ch, b));
}

/* The first CLK edge after c with a rising edge, or NO_EDGE. */
static uint64_t next_rising(const struct vpit_channel *ch, uint64_t c)
{
	bool started = c >= ch->origin;
	uint64_t e = started ? c - ch->origin : 0, n = ch->n, at;

	if (ch->state != VPIT_RUNNING)
		return NO_EDGE;
	if (c < ch->load_clk && !ch->pre_out && out_at_e(ch, 0))
		return ch->load_clk;
	switch (ch->mode) {
	case MODE_RATE:
	case MODE_SQUARE:
		if (n < 2)
			return NO_EDGE;
		at = started ? (e / n + 1) * n : n;
		break;
	case MODE_TC_INTERRUPT:
	case MODE_ONE_SHOT:
		at = n;
		break;
	default:
		at = n + 1;
		break;
	}
	if (started && e >= at)
		return NO_EDGE;
	return ch->origin + at;
}

/* Bring OUT edge counting up to CLK edge c; in modes 2 and 3 a count
 * written while counting is loaded at the end of the period it was written
 * in (the next reload). */
static void ch_sync(struct vpit_channel *ch, uint64_t c)
{
	if (c <= ch->sync_clk)
		return;
	if (ch->state == VPIT_RUNNING && ch->cr_pending && periodic(ch)) {
		uint64_t b = ch->origin + (e_at(ch, ch->sync_clk) / ch->n + 1) * ch->n;

		if (c >= b) {
			ch->edges += rising(ch, ch->sync_clk, b);
			ch->n = cr_count(ch);
			ch->load_clk = ch->origin = b;
			ch->cr_pending = false;
			ch->sync_clk = b;
		}
	}
	ch->edges += rising(ch, ch->sync_clk, c);
	ch->sync_clk = c;
}

/* ---- guest programming */

/* Load the count register into the counting element at the next CLK edge. */
static void ch_start(struct vpit_channel *ch, uint64_t c, bool pre_out)
{
	ch->n = cr_count(ch);
	ch->load_clk = ch->origin = c + 1;
	ch->pre_out = pre_out;
	ch->cr_pending = false;
	ch->state = VPIT_RUNNING;
}

static void ch_pause(struct vpit_channel *ch, uint64_t c)
{
	ch->frozen_e = c < ch->load_clk ? 0 : e_at(ch, c);
	ch->state = VPIT_PAUSED;
}

static void ch_control(struct vpit_channel *ch, uint8_t cw, uint64_t c)
{
	unsigned mode = (cw >> PIT_CW_M_SHIFT) & PIT_CW_M_MASK;

	ch->idle_ce = ch_display(ch, c); /* the element keeps its old value */
	ch->ctrl = cw & PIT_CW_CTRL_BITS;
	ch->mode = (uint8_t)(mode >= PIT_MODE_ALIAS_MIN ? mode - PIT_MODE_ALIAS_SUB : mode);
	ch->state = VPIT_IDLE;
	ch->cr_pending = true;
	ch->write_hi_next = false;
	ch->read_hi_next = false;
	ch->latch_left = 0;
	ch->status_latched = false;
}

/* A complete count is in the count register. */
static void ch_load(struct vpit_channel *ch, uint64_t c)
{
	ch->cr_pending = true;
	switch (ch->mode) {
	case MODE_TC_INTERRUPT: /* OUT low until terminal count; restarts on every write */
	case MODE_SW_STROBE:	/* restarts on every write */
		ch_start(ch, c, ch->mode == MODE_SW_STROBE && ch_out(ch, c));
		if (!ch->gate)
			ch_pause(ch, c);
		break;
	case MODE_ONE_SHOT:
	case MODE_HW_STROBE: /* loaded by the next GATE rising edge */
		if (ch->state == VPIT_IDLE)
			ch->state = VPIT_WAIT;
		break;
	default: /* rate generator, square wave */
		if (ch->state == VPIT_IDLE) {
			ch_start(ch, c, true);
			if (!ch->gate)
				ch_pause(ch, c);
		} else if (ch->state == VPIT_RUNNING && c < ch->load_clk) {
			ch->n = cr_count(ch); /* replaces a count not loaded yet */
			ch->cr_pending = false;
		}
		/* RUNNING: ch_sync() loads it at the next reload; PAUSED: the
		 * GATE rising edge does. */
		break;
	}
}

static void ch_write(struct vpit_channel *ch, uint8_t v, uint64_t c)
{
	switch (ch_rw(ch)) {
	case RW_LO:
		ch->cr = v;
		break;
	case RW_HI:
		ch->cr = (uint16_t)(v << BYTE_BITS);
		break;
	default:
		if (!ch->write_hi_next) {
			ch->write_lo = v;
			ch->write_hi_next = true;
			if (ch->mode == MODE_TC_INTERRUPT) {
				/* Mode 0: the first byte stops counting, OUT goes low. */
				ch->idle_ce = ch_display(ch, c);
				ch->state = VPIT_IDLE;
				ch->cr_pending = true;
			}
			return;
		}
		ch->cr = (uint16_t)(ch->write_lo | v << BYTE_BITS);
		ch->write_hi_next = false;
		break;
	}
	ch_load(ch, c);
}

static void ch_set_gate(struct vpit_channel *ch, bool level, uint64_t c)
{
	if (level == ch->gate)
		return;
	ch->gate = level;
	switch (ch->mode) {
	case MODE_ONE_SHOT:
	case MODE_HW_STROBE: /* a rising edge (re)triggers; the level does not matter */
		if (level && ch->state != VPIT_IDLE)
			ch_start(ch, c, ch_out(ch, c));
		break;
	case MODE_TC_INTERRUPT:
	case MODE_SW_STROBE: /* low suspends counting, high resumes it */
		if (!level && ch->state == VPIT_RUNNING) {
			ch_pause(ch, c);
		} else if (level && ch->state == VPIT_PAUSED) {
			ch->origin = ch->frozen_e ? c - ch->frozen_e : MAX(c, ch->load_clk);
			ch->state = VPIT_RUNNING;
		}
		break;
	default: /* periodic: low stops counting; a rising edge reloads */
		if (!level && ch->state == VPIT_RUNNING)
			ch_pause(ch, c);
		else if (level && ch->state == VPIT_PAUSED)
			ch_start(ch, c, true);
		break;
	}
}

static void ch_latch_count(struct vpit_channel *ch, uint64_t c)
{
	unsigned rw = ch_rw(ch);

	if (ch->latch_left)
		return; /* a second latch before the first is read is ignored */
	ch->latch = ch_display(ch, c);
	ch->latch_left = rw == RW_LO   ? VPIT_LATCH_LO
			 : rw == RW_HI ? VPIT_LATCH_HI
				       : VPIT_LATCH_LO | VPIT_LATCH_HI;
}

static void ch_latch_status(struct vpit_channel *ch, uint64_t c)
{
	if (ch->status_latched)
		return;
	ch->status =
	    (uint8_t)((ch_out(ch, c) ? PIT_ST_OUT : 0) | (ch_null_count(ch, c) ? PIT_ST_NULL : 0) | ch->ctrl);
	ch->status_latched = true;
}

static uint8_t ch_read(struct vpit_channel *ch, uint64_t c)
{
	uint16_t v;

	if (ch->status_latched) { /* status first, then a latched count */
		ch->status_latched = false;
		return ch->status;
	}
	if (ch->latch_left) {
		if (ch->latch_left & VPIT_LATCH_LO) {
			ch->latch_left &= (uint8_t)~VPIT_LATCH_LO;
			return ch->latch & BYTE_MASK;
		}
		ch->latch_left = 0;
		return (uint8_t)(ch->latch >> BYTE_BITS);
	}
	v = ch_display(ch, c);
	switch (ch_rw(ch)) {
	case RW_LO:
		return v & BYTE_MASK;
	case RW_HI:
		return (uint8_t)(v >> BYTE_BITS);
	default:
		ch->read_hi_next = !ch->read_hi_next;
		return ch->read_hi_next ? (v & BYTE_MASK) : (uint8_t)(v >> BYTE_BITS);
	}
}

static void write_command(struct vpit *p, uint8_t cw, uint64_t c)
{
	unsigned sc = cw >> PIT_CW_SC_SHIFT;

	if (sc == PIT_CW_SC_READBACK) {
		/* D0 is reserved (0); a 1 there is ignored. */
		for (unsigned i = 0; i < PIT_CHANNELS; i++) {
			if (!(cw & PIT_RB_CHANNEL(i)))
				continue;
			if (!(cw & PIT_RB_NO_COUNT))
				ch_latch_count(&p->ch[i], c);
			if (!(cw & PIT_RB_NO_STATUS))
				ch_latch_status(&p->ch[i], c);
		}
	} else if (((cw >> PIT_CW_RW_SHIFT) & PIT_CW_RW_MASK) == RW_LATCH) {
		ch_latch_count(&p->ch[sc], c);
	} else {
		ch_control(&p->ch[sc], cw, c);
	}
}

static uint8_t read_port61(const struct vpit *p, uint64_t c)
{
	return (uint8_t)(p->port61 | ((c / SYS_CTRL_B_REFRESH_TICKS) & 1 ? SYS_CTRL_B_REFRESH : 0) |
			 (ch_out(&p->ch[PIT_GATED_CHANNEL], c) ? SYS_CTRL_B_OUT2 : 0));
}

void vpit_init(struct vpit *p, uint64_t tsc_khz)
{
	memset(p, 0, sizeof(*p));
	tsc_khz = MAX(tsc_khz, VPIT_MIN_TSC_KHZ);
	tsc_khz = MIN(tsc_khz, VPIT_MAX_TSC_KHZ);
	p->tsc_hz = tsc_khz * KHZ;
	for (unsigned i = 0; i < PIT_CHANNELS; i++) {
		struct vpit_channel *ch = &p->ch[i];

		ch->ctrl = (uint8_t)(RW_LOHI << PIT_CW_RW_SHIFT | MODE_SQUARE << PIT_CW_M_SHIFT);
		ch->mode = MODE_SQUARE;
		ch->state = VPIT_IDLE;
		ch->cr_pending = true;
		ch->gate = i != PIT_GATED_CHANNEL; /* the others are tied high */
	}
}

int vpit_io(struct vpit *p, uint16_t port, bool write, uint8_t *val, uint64_t now_tsc)
{
	bool out_before[PIT_CHANNELS];
	uint64_t c;
	unsigned i;

	if ((port < PIT_CH0_DATA || port > PIT_CMD) && port != PORT_SYS_CTRL_B)
		return -ENOENT;
	c = clk_now(p, now_tsc);
	for (i = 0; i < PIT_CHANNELS; i++) {
		ch_sync(&p->ch[i], c);
		out_before[i] = ch_out(&p->ch[i], c);
	}
	if (port == PORT_SYS_CTRL_B) {
		if (write) {
			p->port61 = *val & SYS_CTRL_B_WRITABLE;
			ch_set_gate(&p->ch[PIT_GATED_CHANNEL], *val & SYS_CTRL_B_GATE2, c);
		} else {
			*val = read_port61(p, c);
		}
	} else if (port == PIT_CMD) {
		if (write)
			write_command(p, *val, c);
		else
			*val = CMD_READ_VALUE;
	} else if (write) {
		ch_write(&p->ch[port - PIT_CH0_DATA], *val, c);
	} else {
		*val = ch_read(&p->ch[port - PIT_CH0_DATA], c);
	}
	/* A control word or count write can raise OUT at once. */
	for (i = 0; i < PIT_CHANNELS; i++)
		if (!out_before[i] && ch_out(&p->ch[i], c))
			p->ch[i].edges++;
	return 0;
}

unsigned vpit_irq0_edges(struct vpit *p, uint64_t now_tsc)
{
	struct vpit_channel *ch = &p->ch[0];
	uint64_t n;

	ch_sync(ch, clk_now(p, now_tsc));
	n = MIN(ch->edges, (uint64_t)EDGES_MAX);
	ch->edges -= n;
	return (unsigned)n;
}

uint64_t vpit_next_edge(const struct vpit *p, uint64_t now_tsc)
{
	struct vpit_channel ch = p->ch[0];
	uint64_t c = MAX(tsc_to_clk(p->tsc_hz, now_tsc), p->last_clk);
	uint64_t k;

	ch_sync(&ch, c);
	if (ch.edges)
		return now_tsc;
	k = next_rising(&ch, c);
	return k == NO_EDGE ? UINT64_MAX : clk_to_tsc(p->tsc_hz, k);
}
