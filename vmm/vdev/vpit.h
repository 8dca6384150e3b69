/* SPDX-License-Identifier: GPL-2.0-only */
/* vpit.h: a guest's virtual 8254 PIT (ports 0x40-0x43) and the PC/AT port
 * 0x61 bits of channel 2 (gate, speaker enable, OUT2, refresh toggle).
 * Intel 8254 datasheet: modes 0-5, counter latch, read-back, status byte.
 * Time is the caller's TSC; nothing here reads a clock or sleeps. */
#ifndef VMM_VPIT_H
#define VMM_VPIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/pit.h" /* ports, port 0x61 bits, control word */

/* vpit_channel.latch_left: latched count bytes still to be read */
#define VPIT_LATCH_LO 0x01
#define VPIT_LATCH_HI 0x02

/* Accepted TSC rates; vpit_init() clamps to these (the lower bound keeps
 * CLK counts below 2^64 for any TSC value, the upper bound keeps the
 * remainder products of the conversions below 2^64). */
#define VPIT_MIN_TSC_KHZ 2000ULL	/* 2 MHz */
#define VPIT_MAX_TSC_KHZ 10000000000ULL /* 10 THz */

/* Counting element state (vpit_channel.state). */
enum vpit_state {
	VPIT_IDLE,    /* control word written, count not (fully) written */
	VPIT_WAIT,    /* modes 1/5: count written, waiting for a GATE trigger */
	VPIT_RUNNING, /* counting (from load_clk on) */
	VPIT_PAUSED,  /* GATE low stops counting (modes 0, 2, 3, 4) */
};

/* CLK edges are numbered from TSC 0: edge k happens at the first TSC value
 * t with floor(t * PIT_HZ / tsc_hz) >= k. "e" below is the number of
 * decrements since the count was loaded (0 at load_clk). */
struct vpit_channel {
	uint8_t ctrl;	    /* RW, M and BCD bits of the last control word (status 5:0) */
	uint8_t mode;	    /* 0-5 (control word modes 6 and 7 are 2 and 3) */
	uint8_t state;	    /* enum vpit_state */
	bool gate;	    /* GATE input: channels 0 and 1 are tied high */
	bool pre_out;	    /* OUT between a (re)load request and load_clk */
	bool cr_pending;    /* a written count not yet in the counting element */
	uint16_t cr;	    /* count register: the last complete count written */
	uint8_t write_lo;   /* access lo/hi: low byte waiting for the high byte */
	bool write_hi_next; /* access lo/hi: the next write is the high byte */
	bool read_hi_next;  /* access lo/hi: the next unlatched read is the high byte */
	uint8_t latch_left; /* latched count bytes not yet read (VPIT_LATCH_*) */
	uint16_t latch;	    /* latched count */
	bool status_latched;
	uint8_t status;	   /* latched status byte */
	uint16_t idle_ce;  /* what a read returns while IDLE or WAIT */
	uint32_t n;	   /* count of the current run: 1-65536 */
	uint64_t load_clk; /* CLK edge that loads n into the counting element */
	uint64_t origin;   /* CLK edge with e == 0 (later than load_clk after a pause) */
	uint64_t frozen_e; /* e when counting stopped (PAUSED) */
	uint64_t sync_clk; /* OUT edges are counted up to this CLK edge */
	uint64_t edges;	   /* OUT rising edges not yet reported (channel 0) */
};

struct vpit {
	uint64_t tsc_hz;   /* TSC rate in Hz */
	uint64_t last_clk; /* latest CLK edge seen: time never runs backwards */
	uint8_t port61;	   /* port 0x61 bits 0-3 as written */
	struct vpit_channel ch[PIT_CHANNELS];
};

/* Power-on state (the datasheet leaves it undefined): every channel as
 * after control word "lo/hi, mode 3, binary" with no count (OUT high, not
 * counting, reads 0), GATE2 low. A firmware-less guest that expects the
 * BIOS's 18.2 Hz IRQ0 needs the caller to program channel 0 via vpit_io().
 * tsc_khz is clamped to [VPIT_MIN_TSC_KHZ, VPIT_MAX_TSC_KHZ]. */
void vpit_init(struct vpit *p, uint64_t tsc_khz);

/* One 1-byte guest access to 0x40-0x43 or 0x61 at TSC time now_tsc; a read
 * stores the value in *val. Returns 0, or -ENOENT for another port. */
int vpit_io(struct vpit *p, uint16_t port, bool write, uint8_t *val, uint64_t now_tsc);

/* Rising edges of channel 0's OUT (IRQ0) in (previous call, now_tsc],
 * including edges caused by control words; the caller raises ISA IRQ0 that
 * many times (it may coalesce). Saturates at UINT_MAX; the rest is reported
 * by the next call. */
unsigned vpit_irq0_edges(struct vpit *p, uint64_t now_tsc);

/* TSC time of the next channel-0 rising edge after now_tsc, or UINT64_MAX
 * if none is scheduled. Returns now_tsc itself while edges are waiting to be
 * collected by vpit_irq0_edges(). vpit_irq0_edges(t) is 0 for every t before
 * the returned time and at least 1 at it, if no I/O happens in between. */
uint64_t vpit_next_edge(const struct vpit *p, uint64_t now_tsc);

#endif
