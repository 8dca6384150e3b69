/* SPDX-License-Identifier: GPL-2.0-only */
/* test_uart16550.c: unit tests of iopmd's guest 16550A (iopm/dev/uart16550.c):
 * reset values, scratch, the divisor latch and DLAB, IER's fixed bits, the
 * IIR priorities and what clears each source, FIFO mode with its trigger
 * levels and clears, input taken only while there is room (and the room
 * callback), loopback (data, MSR wiring, overruns in both modes), LSR and
 * MSR bits cleared on read, OUT2 and loopback gating the interrupt line,
 * the irq callback on changes only, odd sizes and offsets, Linux's 8250
 * autoconfig and startup probes (it must find a 16550A), then random
 * accesses checked against invariants. */
#include <errno.h>
#include <stdlib.h>

#include "iopm/dev/uart16550.h"
#include "test.h"

struct fx {
	struct uart16550 u;
	uint8_t tx[4096];
	size_t ntx;
	unsigned irq_calls, room_calls;
	bool level;
};

static void fx_tx(void *ctx, uint8_t byte)
{
	struct fx *f = ctx;
	if (f->ntx < sizeof(f->tx))
		f->tx[f->ntx] = byte;
	f->ntx++;
}

static void fx_irq(void *ctx, bool level)
{
	struct fx *f = ctx;
	EXPECT_MSG(level != f->level, "irq(%d) called without a change", level);
	f->level = level;
	f->irq_calls++;
}

static void fx_room(void *ctx)
{
	((struct fx *)ctx)->room_calls++;
}

static const struct uart_ops fx_ops = {fx_tx, fx_irq, fx_room};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	uart_init(&f->u, &fx_ops, f);
}

static uint8_t rd(struct fx *f, unsigned reg)
{
	uint32_t v = 0x5a5a5a5a;
	EXPECT_EQ(uart_io(&f->u, reg, 1, false, &v), 0);
	EXPECT_LE(v, 0xff);
	return (uint8_t)v;
}

static void wr(struct fx *f, unsigned reg, uint8_t val)
{
	uint32_t v = val;
	EXPECT_EQ(uart_io(&f->u, reg, 1, true, &v), 0);
}

static size_t rx_str(struct fx *f, const char *s)
{
	return uart_rx(&f->u, (const uint8_t *)s, strlen(s));
}

TEST(uart16550, reset_values)
{
	struct fx f;
	fx_init(&f);
	EXPECT_EQ(rd(&f, UART_IER), 0);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_NO_INT);
	EXPECT_EQ(rd(&f, UART_LCR), 0);
	EXPECT_EQ(rd(&f, UART_MCR), 0);
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	EXPECT_EQ(rd(&f, UART_SCR), 0);
	EXPECT_EQ(rd(&f, UART_RBR), 0); /* nothing received yet */
	wr(&f, UART_LCR, UART_LCR_DLAB);
	EXPECT_EQ(rd(&f, UART_DLL), UART_DIVISOR_9600);
	EXPECT_EQ(rd(&f, UART_DLM), 0);
	EXPECT_EQ(f.irq_calls, 0);
	EXPECT_FALSE(f.u.irq);
}

TEST(uart16550, scratch_register)
{
	struct fx f;
	fx_init(&f);
	for (unsigned v = 0; v < 256; v++) {
		wr(&f, UART_SCR, (uint8_t)v);
		EXPECT_EQ(rd(&f, UART_SCR), v);
	}
	/* DLAB does not hide it. */
	wr(&f, UART_LCR, UART_LCR_DLAB);
	EXPECT_EQ(rd(&f, UART_SCR), 0xff);
}

TEST(uart16550, divisor_latch_and_dlab_toggling)
{
	struct fx f;
	fx_init(&f);
	wr(&f, UART_IER, UART_IER_RDI | UART_IER_MSI);
	wr(&f, UART_LCR, UART_LCR_DLAB | UART_LCR_8N1);
	wr(&f, UART_DLL, 0x01);
	wr(&f, UART_DLM, 0x02);
	EXPECT_EQ(rd(&f, UART_DLL), 0x01);
	EXPECT_EQ(rd(&f, UART_DLM), 0x02);
	EXPECT_EQ(f.ntx, 0); /* a DLL write is not a byte sent */
	EXPECT_EQ(rd(&f, UART_LCR), UART_LCR_DLAB | UART_LCR_8N1);
	/* DLAB off: the same offsets are THR/RBR and IER again, unchanged. */
	wr(&f, UART_LCR, UART_LCR_8N1);
	EXPECT_EQ(rd(&f, UART_IER), UART_IER_RDI | UART_IER_MSI);
	EXPECT_EQ(rx_str(&f, "x"), 1);
	wr(&f, UART_LCR, UART_LCR_DLAB);
	EXPECT_EQ(rd(&f, UART_RBR), 0x01); /* DLL, and the byte stays */
	EXPECT_EQ(rd(&f, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	wr(&f, UART_LCR, 0);
	EXPECT_EQ(rd(&f, UART_RBR), 'x');
	wr(&f, UART_THR, 'y');
	EXPECT_EQ(f.ntx, 1);
	EXPECT_EQ(f.tx[0], 'y');
	wr(&f, UART_LCR, UART_LCR_DLAB);
	EXPECT_EQ(rd(&f, UART_DLL), 0x01);
	EXPECT_EQ(rd(&f, UART_DLM), 0x02);
	/* IIR and FCR do not care about DLAB. */
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_NO_INT);
}

TEST(uart16550, ier_high_bits_read_zero)
{
	struct fx f;
	fx_init(&f);
	wr(&f, UART_IER, 0xff);
	EXPECT_EQ(rd(&f, UART_IER), UART_IER_MASK);
	wr(&f, UART_MCR, 0xff);
	EXPECT_EQ(rd(&f, UART_MCR), UART_MCR_MASK);
}

TEST(uart16550, transmit_is_immediate)
{
	struct fx f;
	fx_init(&f);
	const char *s = "hello\n";
	for (const char *p = s; *p; p++) {
		wr(&f, UART_THR, (uint8_t)*p);
		EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	}
	EXPECT_EQ(f.ntx, strlen(s));
	EXPECT_MEMEQ(f.tx, s, strlen(s));
	EXPECT_EQ(f.u.tx_bytes, strlen(s));
	/* FIFO mode changes nothing for the sender. */
	wr(&f, UART_FCR, UART_FCR_ENABLE_CLEAR);
	for (unsigned i = 0; i < 100; i++)
		wr(&f, UART_THR, (uint8_t)i);
	EXPECT_EQ(f.ntx, strlen(s) + 100);
	EXPECT_EQ(f.tx[strlen(s) + 99], 99);
}

TEST(uart16550, thre_interrupt_and_its_acknowledgement)
{
	struct fx f;
	fx_init(&f);
	wr(&f, UART_MCR, UART_MCR_OUT2);
	wr(&f, UART_IER, UART_IER_THRI); /* THR is empty: at once */
	EXPECT_TRUE(f.level);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_THRI);
	EXPECT_FALSE(f.level); /* reading IIR with THRE as its source cleared it */
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_NO_INT);
	wr(&f, UART_THR, 'a'); /* sent at once: THR empty again */
	EXPECT_TRUE(f.level);
	wr(&f, UART_IER, 0);
	EXPECT_FALSE(f.level);
	/* Disabled and enabled again: reasserted (Linux's UART_BUG_THRE test). */
	wr(&f, UART_IER, UART_IER_THRI);
	EXPECT_TRUE(f.level);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_THRI);
	wr(&f, UART_IER, 0);
	wr(&f, UART_IER, UART_IER_THRI);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_THRI);
	/* Reading IIR while a higher source is pending does not clear THRE. */
	wr(&f, UART_THR, 'b');
	wr(&f, UART_IER, UART_IER_THRI | UART_IER_RDI);
	EXPECT_EQ(rx_str(&f, "z"), 1);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_RDI);
	EXPECT_EQ(rd(&f, UART_RBR), 'z');
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_THRI);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_NO_INT);
	EXPECT_FALSE(f.level);
}

TEST(uart16550, iir_priorities)
{
	struct fx f;
	fx_init(&f);
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(&f, UART_MCR, UART_MCR_OUT2);
	EXPECT_EQ(uart_rx_break(&f.u), 0); /* a BI byte at the top */
	EXPECT_EQ(rx_str(&f, "ab"), 2);
	wr(&f, UART_THR, '!');
	uart_set_lines(&f.u, UART_MSR_DSR); /* CTS and DCD dropped: deltas */
	EXPECT_FALSE(f.level);		    /* nothing enabled */
	wr(&f, UART_IER, UART_IER_MASK);
	EXPECT_TRUE(f.level);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_RLSI);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_RLSI); /* only LSR clears it */
	uint8_t lsr = rd(&f, UART_LSR);
	EXPECT_EQ(lsr, UART_LSR_DR | UART_LSR_BI | UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_RXFE);
	/* Trigger level 1: "data available", not the timeout. */
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_RDI);
	EXPECT_EQ(rd(&f, UART_RBR), 0);
	EXPECT_EQ(rd(&f, UART_RBR), 'a');
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_RDI);
	EXPECT_EQ(rd(&f, UART_RBR), 'b');
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_THRI);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_MSI);
	EXPECT_TRUE(f.level);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_DSR | UART_MSR_DCTS | UART_MSR_DDCD);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_NO_INT);
	EXPECT_FALSE(f.level);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_DSR);
}

TEST(uart16550, rx_trigger_levels_and_timeout)
{
	static const uint8_t trig[4] = {1, 4, 8, 14};
	for (unsigned t = 0; t < 4; t++) {
		struct fx f;
		fx_init(&f);
		wr(&f, UART_FCR, (uint8_t)(UART_FCR_ENABLE_FIFO | t << UART_FCR_TRIGGER_SHIFT));
		wr(&f, UART_IER, UART_IER_RDI);
		for (unsigned k = 1; k <= UART_FIFO_SIZE; k++) {
			test_context("trigger %u, %u bytes", trig[t], k);
			EXPECT_EQ(uart_rx(&f.u, (const uint8_t *)"q", 1), 1);
			uint8_t want = k >= trig[t] ? UART_IIR_RDI : UART_IIR_TIMEOUT;
			EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | want);
		}
		/* Reading down below the trigger: timeout until empty. */
		for (unsigned k = UART_FIFO_SIZE; k > 0; k--) {
			test_context("trigger %u, reading with %u left", trig[t], k);
			EXPECT_EQ(rd(&f, UART_RBR), 'q');
			uint8_t want = k - 1 == 0	  ? UART_IIR_NO_INT
				       : k - 1 >= trig[t] ? UART_IIR_RDI
							  : UART_IIR_TIMEOUT;
			EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | want);
		}
	}
}

TEST(uart16550, input_taken_only_with_room)
{
	struct fx f;
	fx_init(&f);
	uint8_t buf[20];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)('A' + i);
	/* 16450 mode: the RBR holds one byte. */
	EXPECT_EQ(uart_rx_room(&f.u), 1);
	EXPECT_EQ(uart_rx(&f.u, buf, sizeof(buf)), 1);
	EXPECT_EQ(uart_rx(&f.u, buf + 1, 19), 0);
	EXPECT_EQ(f.room_calls, 0);
	EXPECT_EQ(rd(&f, UART_RBR), 'A');
	EXPECT_EQ(f.room_calls, 1);
	EXPECT_EQ(rd(&f, UART_RBR), 'A'); /* empty: the last byte again, no callback */
	EXPECT_EQ(f.room_calls, 1);
	/* FIFO mode: 16. */
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO);
	EXPECT_EQ(uart_rx(&f.u, buf, sizeof(buf)), UART_FIFO_SIZE);
	EXPECT_EQ(uart_rx_room(&f.u), 0);
	EXPECT_EQ(uart_rx(&f.u, buf + 16, 4), 0);
	EXPECT_EQ(rd(&f, UART_LSR) & UART_LSR_OE, 0); /* refused, not overrun */
	EXPECT_EQ(f.u.overruns, 0);
	EXPECT_EQ(rd(&f, UART_RBR), 'A');
	EXPECT_EQ(f.room_calls, 2);
	EXPECT_EQ(uart_rx(&f.u, buf + 16, 4), 1);
	for (unsigned i = 1; i <= 16; i++)
		EXPECT_EQ(rd(&f, UART_RBR), 'A' + i);
	EXPECT_EQ(rd(&f, UART_LSR) & UART_LSR_DR, 0);
	EXPECT_EQ(f.u.rx_bytes, 1 + 16 + 1);
	/* Loopback disconnects the line: nothing taken; leaving it calls back. */
	unsigned calls = f.room_calls;
	wr(&f, UART_MCR, UART_MCR_LOOP);
	EXPECT_EQ(uart_rx_room(&f.u), 0);
	EXPECT_EQ(uart_rx(&f.u, buf, 3), 0);
	EXPECT_EQ(uart_rx_break(&f.u), -EAGAIN);
	EXPECT_EQ(f.room_calls, calls);
	wr(&f, UART_MCR, 0);
	EXPECT_EQ(f.room_calls, calls + 1);
	/* A clear of the FIFO makes room too. */
	EXPECT_EQ(uart_rx(&f.u, buf, 20), 16);
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RX);
	EXPECT_EQ(f.room_calls, calls + 2);
	EXPECT_EQ(uart_rx_room(&f.u), 16);
}

/* The room callback may feed the UART at once. */
static struct fx *refill_fx;
static void refill_room(void *ctx)
{
	(void)ctx;
	refill_fx->room_calls++;
	EXPECT_EQ(uart_rx(&refill_fx->u, (const uint8_t *)"R", 1), 1);
}

TEST(uart16550, room_callback_may_refill)
{
	static const struct uart_ops ops = {fx_tx, fx_irq, refill_room};
	struct fx f;
	memset(&f, 0, sizeof(f));
	refill_fx = &f;
	uart_init(&f.u, &ops, &f);
	wr(&f, UART_MCR, UART_MCR_OUT2);
	wr(&f, UART_IER, UART_IER_RDI);
	EXPECT_EQ(rx_str(&f, "12"), 1);
	EXPECT_TRUE(f.level);
	EXPECT_EQ(rd(&f, UART_RBR), '1');
	EXPECT_EQ(f.room_calls, 1);
	EXPECT_TRUE(f.level); /* the refilled byte */
	EXPECT_EQ(rd(&f, UART_RBR), 'R');
	EXPECT_FALSE(f.level);
	EXPECT_EQ(f.room_calls, 1); /* nothing was refused the second time */
}

TEST(uart16550, fifo_enable_toggle_and_clears)
{
	struct fx f;
	fx_init(&f);
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO | 1 << UART_FCR_TRIGGER_SHIFT);
	EXPECT_EQ(rx_str(&f, "abc"), 3);
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO | 1 << UART_FCR_TRIGGER_SHIFT); /* same mode: kept */
	EXPECT_EQ(rd(&f, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	wr(&f, UART_FCR, 0); /* mode change: emptied */
	EXPECT_EQ(rd(&f, UART_LSR) & UART_LSR_DR, 0);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_NO_INT);
	EXPECT_EQ(rx_str(&f, "d"), 1);
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO);
	EXPECT_EQ(rd(&f, UART_LSR) & UART_LSR_DR, 0);
	EXPECT_EQ(rx_str(&f, "ef"), 2);
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_TX);
	EXPECT_EQ(rd(&f, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RX);
	EXPECT_EQ(rd(&f, UART_LSR) & UART_LSR_DR, 0);
	/* Bits 1-7 need bit 0 in the same write. */
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO | 3 << UART_FCR_TRIGGER_SHIFT);
	wr(&f, UART_FCR, 0);
	wr(&f, UART_FCR, 3 << UART_FCR_TRIGGER_SHIFT | UART_FCR_CLEAR_RX);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_NO_INT); /* still 16450 mode */
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO);	      /* trigger 1 now */
	wr(&f, UART_IER, UART_IER_RDI);
	EXPECT_EQ(rx_str(&f, "g"), 1);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_RDI);
}

TEST(uart16550, loopback_msr_wiring)
{
	struct fx f;
	fx_init(&f);
	/* Linux's test: MCR = LOOP | OUT2 | RTS gives MSR 7:4 = 0x9. */
	wr(&f, UART_MCR, UART_MCR_LOOP | 0x0a);
	EXPECT_EQ(rd(&f, UART_MSR) & UART_MSR_LINES, 0x90);
	for (unsigned m = 0; m < 16; m++) {
		wr(&f, UART_MCR, (uint8_t)(UART_MCR_LOOP | m));
		uint8_t want = (m & UART_MCR_RTS ? UART_MSR_CTS : 0) | (m & UART_MCR_DTR ? UART_MSR_DSR : 0) |
			       (m & UART_MCR_OUT1 ? UART_MSR_RI : 0) | (m & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
		rd(&f, UART_MSR);
		EXPECT_EQ(rd(&f, UART_MSR), want);
	}
	/* Deltas: each line once; TERI only when RI goes off. */
	wr(&f, UART_MCR, UART_MCR_LOOP);
	rd(&f, UART_MSR);
	wr(&f, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_RI); /* RI came on: no TERI */
	wr(&f, UART_MCR, UART_MCR_LOOP);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_TERI);
	wr(&f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_DTR | UART_MCR_OUT2);
	EXPECT_EQ(rd(&f, UART_MSR),
		  UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD | UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	/* Leaving loopback: the outside lines again (CTS DSR DCD: no change). */
	wr(&f, UART_MCR, UART_MCR_RTS | UART_MCR_DTR | UART_MCR_OUT2);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	wr(&f, UART_MCR, UART_MCR_LOOP);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
}

TEST(uart16550, loopback_data_and_overruns)
{
	struct fx f;
	fx_init(&f);
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(&f, UART_MCR, UART_MCR_LOOP);
	for (unsigned i = 0; i < 20; i++)
		wr(&f, UART_THR, (uint8_t)i);
	EXPECT_EQ(f.ntx, 0); /* nothing leaves in loopback */
	EXPECT_EQ(f.u.overruns, 4);
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	for (unsigned i = 0; i < 16; i++) /* the FIFO kept the first 16 */
		EXPECT_EQ(rd(&f, UART_RBR), i);
	EXPECT_EQ(rd(&f, UART_LSR) & UART_LSR_DR, 0);
	/* 16450 mode: the new byte replaces the unread one. */
	wr(&f, UART_FCR, 0);
	wr(&f, UART_THR, 'x');
	wr(&f, UART_THR, 'y');
	EXPECT_EQ(f.u.overruns, 5);
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	EXPECT_EQ(rd(&f, UART_RBR), 'y');
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	/* The overrun is a line status interrupt (raised inside the chip only:
	 * loopback keeps it off the IRQ line). */
	wr(&f, UART_IER, UART_IER_RLSI);
	wr(&f, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	wr(&f, UART_THR, '1');
	wr(&f, UART_THR, '2');
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_RLSI);
	EXPECT_FALSE(f.level);
	rd(&f, UART_LSR);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_NO_INT);
}

TEST(uart16550, lsr_error_bits_clear_on_read)
{
	struct fx f;
	fx_init(&f);
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO);
	EXPECT_EQ(rx_str(&f, "a"), 1);
	EXPECT_EQ(uart_rx_break(&f.u), 0);
	EXPECT_EQ(rx_str(&f, "b"), 1);
	/* The break is second: not shown yet, but the FIFO has an error. */
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_RXFE);
	EXPECT_EQ(rd(&f, UART_RBR), 'a');
	EXPECT_EQ(rd(&f, UART_LSR),
		  UART_LSR_DR | UART_LSR_BI | UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_RXFE);
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_RXFE);
	EXPECT_EQ(rd(&f, UART_RBR), 0);
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	EXPECT_EQ(rd(&f, UART_RBR), 'b');
	/* 16450 mode: BI without RXFE. */
	wr(&f, UART_FCR, 0);
	EXPECT_EQ(uart_rx_break(&f.u), 0);
	EXPECT_EQ(uart_rx_break(&f.u), -EAGAIN);
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_DR | UART_LSR_BI | UART_LSR_THRE | UART_LSR_TEMT);
	EXPECT_EQ(f.room_calls, 0);
	EXPECT_EQ(rd(&f, UART_RBR), 0);
	EXPECT_EQ(f.room_calls, 1); /* the refused break may come now */
	/* LSR and MSR writes are ignored. */
	wr(&f, UART_LSR, 0xff);
	wr(&f, UART_MSR, 0xff);
	EXPECT_EQ(rd(&f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
}

TEST(uart16550, modem_lines_and_msr_interrupt)
{
	struct fx f;
	fx_init(&f);
	wr(&f, UART_MCR, UART_MCR_OUT2);
	wr(&f, UART_IER, UART_IER_MSI);
	EXPECT_FALSE(f.level);
	uart_set_lines(&f.u, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD | UART_MSR_RI);
	EXPECT_FALSE(f.level); /* RI coming on is no delta */
	uart_set_lines(&f.u, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	EXPECT_TRUE(f.level);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_MSI);
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD | UART_MSR_TERI);
	EXPECT_FALSE(f.level);
	uart_set_lines(&f.u, 0xff); /* bits 3:0 are not lines; RI on: no delta */
	EXPECT_EQ(rd(&f, UART_MSR), UART_MSR_LINES);
	/* Deltas accumulate until read. */
	uart_set_lines(&f.u, 0);
	uart_set_lines(&f.u, UART_MSR_CTS);
	EXPECT_EQ(rd(&f, UART_MSR),
		  UART_MSR_CTS | UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD | UART_MSR_TERI);
}

TEST(uart16550, out2_and_loopback_gate_the_line)
{
	struct fx f;
	fx_init(&f);
	wr(&f, UART_IER, UART_IER_THRI);
	EXPECT_EQ(rd(&f, UART_IIR) & UART_IIR_NO_INT, 0); /* pending inside... */
	EXPECT_FALSE(f.level);				  /* ...but OUT2 is off */
	wr(&f, UART_THR, 'a');
	EXPECT_FALSE(f.level);
	wr(&f, UART_MCR, UART_MCR_OUT2);
	EXPECT_TRUE(f.level);
	wr(&f, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	EXPECT_FALSE(f.level);
	wr(&f, UART_MCR, UART_MCR_OUT2);
	EXPECT_TRUE(f.level);
	wr(&f, UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
	EXPECT_FALSE(f.level);
	EXPECT_EQ(f.irq_calls, 4);
	/* The master reset lowers it too. */
	wr(&f, UART_MCR, UART_MCR_OUT2);
	wr(&f, UART_SCR, 0x42);
	EXPECT_TRUE(f.level);
	uart_reset(&f.u);
	EXPECT_FALSE(f.level);
	EXPECT_EQ(rd(&f, UART_SCR), 0x42);
	EXPECT_EQ(rd(&f, UART_IER), 0);
	EXPECT_EQ(rd(&f, UART_MCR), 0);
	wr(&f, UART_LCR, UART_LCR_DLAB);
	EXPECT_EQ(rd(&f, UART_DLL), UART_DIVISOR_9600);
}

TEST(uart16550, sizes_and_offsets)
{
	struct fx f;
	fx_init(&f);
	static const unsigned bad[] = {0, 3, 5, 8, 16, 0xffffffffu};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t v = 0;
		EXPECT_EQ(uart_io(&f.u, 0, bad[i], false, &v), -EINVAL);
		EXPECT_EQ(v, 0xffffffffu);
		v = 'x';
		EXPECT_EQ(uart_io(&f.u, 0, bad[i], true, &v), -EINVAL);
	}
	EXPECT_EQ(f.ntx, 0);
	uint32_t v = 0;
	EXPECT_EQ(uart_io(&f.u, UART_REGS, 1, false, &v), -ENOENT);
	EXPECT_EQ(v, 0xffffffffu);
	EXPECT_EQ(uart_io(&f.u, 0xffffffffu, 4, true, &v), -ENOENT);
	/* Wider accesses are byte accesses on consecutive ports. */
	v = 0x44332208;
	EXPECT_EQ(uart_io(&f.u, UART_MCR, 4, true, &v), 0); /* MCR LSR MSR SCR */
	EXPECT_EQ(rd(&f, UART_MCR), UART_MCR_OUT2);
	EXPECT_EQ(rd(&f, UART_SCR), 0x44);
	EXPECT_EQ(uart_io(&f.u, UART_SCR, 2, false, &v), 0);
	EXPECT_EQ(v, 0xff44); /* SCR and the port after the UART */
	EXPECT_EQ(uart_io(&f.u, UART_LSR, 4, false, &v), 0);
	EXPECT_EQ(v, 0xff440000u | (uint32_t)(UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD) << 8 | 0x60);
	v = 'h' | 'i' << 8;
	EXPECT_EQ(uart_io(&f.u, UART_THR, 2, true, &v), 0); /* THR 'h', IER 'i' & 0x0f */
	EXPECT_EQ(f.ntx, 1);
	EXPECT_EQ(rd(&f, UART_IER), 'i' & UART_IER_MASK);
	EXPECT_EQ(rx_str(&f, "k"), 1);
	EXPECT_EQ(uart_io(&f.u, UART_RBR, 2, false, &v), 0);
	EXPECT_EQ(v, 'k' | ('i' & UART_IER_MASK) << 8);
}

/* Linux's 8250 probe, access by access (drivers/tty/serial/8250/8250_port.c,
 * autoconfig() and autoconfig_16550a(), read for the facts): the type it
 * settles on, by the same tests. */
static const char *linux_autoconfig(struct fx *f)
{
	/* The IER test. */
	uint8_t saved = rd(f, UART_IER);
	wr(f, UART_IER, 0);
	uint8_t s2 = rd(f, UART_IER) & 0x0f;
	wr(f, UART_IER, 0x0f);
	uint8_t s3 = rd(f, UART_IER) & 0x0f;
	wr(f, UART_IER, saved);
	if (s2 != 0 || s3 != 0x0f)
		return "none (IER test)";
	uint8_t save_mcr = rd(f, UART_MCR), save_lcr = rd(f, UART_LCR);
	/* The loopback test. */
	wr(f, UART_MCR, UART_MCR_LOOP | 0x0a);
	uint8_t msr = rd(f, UART_MSR) & 0xf0;
	wr(f, UART_MCR, save_mcr);
	if (msr != 0x90)
		return "none (loopback test)";
	/* EFR (at the FCR's offset behind LCR 0xbf) cleared, then the FIFO bits. */
	wr(f, UART_LCR, 0xbf);
	wr(f, UART_FCR, 0);
	wr(f, UART_LCR, 0);
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	uint8_t fifo = rd(f, UART_IIR) >> 6;
	if (fifo != 3)
		return fifo == 0 ? "8250/16450" : fifo == 2 ? "16550" : "unknown";
	/* autoconfig_16550a: no EFR under LCR 0x80 nor 0xbf... */
	wr(f, UART_LCR, UART_LCR_DLAB);
	if (rd(f, UART_FCR) == 0)
		return "ST16C650V1";
	wr(f, UART_LCR, 0xbf);
	if (rd(f, UART_FCR) == 0)
		return "EFR UART";
	/* ...no National Semiconductor EXCR1 mirroring MCR.LOOP... */
	wr(f, UART_LCR, 0);
	uint8_t st1 = rd(f, UART_MCR);
	wr(f, UART_LCR, 0xe0);
	uint8_t st2 = rd(f, UART_FCR);
	if (!((st2 ^ st1) & UART_MCR_LOOP)) {
		wr(f, UART_LCR, 0);
		wr(f, UART_MCR, st1 ^ UART_MCR_LOOP);
		wr(f, UART_LCR, 0xe0);
		st2 = rd(f, UART_FCR);
		wr(f, UART_LCR, 0);
		wr(f, UART_MCR, st1);
		if ((st2 ^ st1) & UART_MCR_LOOP)
			return "NS16550A";
	}
	/* ...no 64-byte FIFO bit (TI16750)... */
	wr(f, UART_LCR, 0);
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO | 0x20);
	st1 = rd(f, UART_IIR) >> 5;
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(f, UART_LCR, UART_LCR_DLAB);
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO | 0x20);
	st2 = rd(f, UART_IIR) >> 5;
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(f, UART_LCR, 0);
	if (st1 == 6 && st2 == 7)
		return "TI16750";
	/* ...no IER bit 6 (XScale)... */
	uint8_t ier = rd(f, UART_IER);
	wr(f, UART_IER, ier & ~0x40);
	if (!(rd(f, UART_IER) & 0x40)) {
		wr(f, UART_IER, ier | 0x40);
		if (rd(f, UART_IER) & 0x40)
			return "XScale";
	}
	wr(f, UART_IER, ier);
	/* ...and size_fifo(): 256 bytes through loopback, count what arrives. */
	wr(f, UART_LCR, 0);
	uint8_t old_fcr = rd(f, UART_FCR), old_mcr = rd(f, UART_MCR);
	wr(f, UART_FCR, UART_FCR_ENABLE_CLEAR);
	wr(f, UART_MCR, UART_MCR_LOOP);
	wr(f, UART_LCR, UART_LCR_DLAB);
	uint8_t dll = rd(f, UART_DLL), dlm = rd(f, UART_DLM);
	wr(f, UART_DLL, 1);
	wr(f, UART_DLM, 0);
	wr(f, UART_LCR, UART_LCR_8N1);
	for (unsigned c = 0; c < 256; c++)
		wr(f, UART_THR, (uint8_t)c);
	unsigned count = 0;
	while ((rd(f, UART_LSR) & UART_LSR_DR) && count < 256) {
		rd(f, UART_RBR);
		count++;
	}
	wr(f, UART_FCR, old_fcr);
	wr(f, UART_MCR, old_mcr);
	wr(f, UART_LCR, UART_LCR_DLAB);
	wr(f, UART_DLL, dll);
	wr(f, UART_DLM, dlm);
	wr(f, UART_LCR, save_lcr);
	if (count == 64)
		return "U6_16550A";
	EXPECT_EQ(count, UART_FIFO_SIZE);
	/* The reset at the end of autoconfig(). */
	wr(f, UART_MCR, save_mcr);
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(f, UART_FCR, UART_FCR_ENABLE_CLEAR);
	wr(f, UART_FCR, 0);
	rd(f, UART_RBR);
	wr(f, UART_IER, 0);
	return "16550A";
}

TEST(uart16550, linux_autoconfig_finds_a_16550a)
{
	struct fx f;
	fx_init(&f);
	EXPECT_STREQ(linux_autoconfig(&f), "16550A");
	EXPECT_EQ(f.ntx, 0);	   /* size_fifo's bytes stayed in loopback */
	EXPECT_EQ(f.irq_calls, 0); /* OUT2 was never on */
	/* It left the UART as it found it, divisor included. */
	EXPECT_EQ(rd(&f, UART_LCR), 0);
	EXPECT_EQ(rd(&f, UART_MCR), 0);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_NO_INT);
	wr(&f, UART_LCR, UART_LCR_DLAB);
	EXPECT_EQ(rd(&f, UART_DLL), UART_DIVISOR_9600);
	/* A second probe (a re-bound driver) finds the same. */
	wr(&f, UART_LCR, 0);
	EXPECT_STREQ(linux_autoconfig(&f), "16550A");
}

TEST(uart16550, linux_startup_and_receive)
{
	struct fx f;
	fx_init(&f);
	EXPECT_STREQ(linux_autoconfig(&f), "16550A");
	/* serial8250_do_startup: clear the FIFOs and the interrupt sources. */
	wr(&f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(&f, UART_FCR, UART_FCR_ENABLE_CLEAR);
	wr(&f, UART_FCR, 0);
	rd(&f, UART_LSR);
	rd(&f, UART_RBR);
	rd(&f, UART_IIR);
	rd(&f, UART_MSR);
	EXPECT_NE(rd(&f, UART_LSR), 0xff);
	/* The THRE re-assertion test: no UART_BUG_THRE. */
	EXPECT_TRUE(rd(&f, UART_LSR) & UART_LSR_THRE);
	wr(&f, UART_IER, UART_IER_THRI);
	uint8_t iir1 = rd(&f, UART_IIR);
	wr(&f, UART_IER, 0);
	wr(&f, UART_IER, UART_IER_THRI);
	uint8_t iir = rd(&f, UART_IIR);
	wr(&f, UART_IER, 0);
	EXPECT_FALSE(!(iir1 & UART_IIR_NO_INT) && (iir & UART_IIR_NO_INT));
	EXPECT_EQ(iir, UART_IIR_THRI);
	/* 8N1, DTR RTS OUT2, and the TX-enable test: no UART_BUG_TXEN. */
	wr(&f, UART_LCR, UART_LCR_8N1);
	wr(&f, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	wr(&f, UART_IER, UART_IER_THRI);
	uint8_t lsr = rd(&f, UART_LSR);
	iir = rd(&f, UART_IIR);
	wr(&f, UART_IER, 0);
	EXPECT_FALSE((lsr & UART_LSR_TEMT) && (iir & UART_IIR_NO_INT));
	rd(&f, UART_LSR);
	rd(&f, UART_RBR);
	rd(&f, UART_IIR);
	rd(&f, UART_MSR);
	EXPECT_FALSE(f.level);
	/* set_termios: the 16550A's FIFO, trigger 8; then RX interrupts. */
	wr(&f, UART_FCR, UART_FCR_ENABLE_CLEAR | 2 << UART_FCR_TRIGGER_SHIFT);
	wr(&f, UART_IER, UART_IER_RLSI | UART_IER_RDI);
	EXPECT_FALSE(f.level);
	EXPECT_EQ(rx_str(&f, "ls\n"), 3);
	EXPECT_TRUE(f.level);
	/* The interrupt handler: IIR, then LSR/RBR until DR clears. */
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_TIMEOUT);
	char got[4] = {0};
	for (unsigned i = 0; rd(&f, UART_LSR) & UART_LSR_DR; i++)
		got[i] = (char)rd(&f, UART_RBR);
	EXPECT_STREQ(got, "ls\n");
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_NO_INT);
	EXPECT_FALSE(f.level);
	/* Sending: THRI on, the handler writes up to 16 bytes per THRE. */
	wr(&f, UART_IER, UART_IER_RLSI | UART_IER_RDI | UART_IER_THRI);
	EXPECT_TRUE(f.level);
	EXPECT_EQ(rd(&f, UART_IIR), UART_IIR_FIFO_ON | UART_IIR_THRI);
	for (unsigned i = 0; i < 16; i++)
		wr(&f, UART_THR, 'o');
	wr(&f, UART_IER, UART_IER_RLSI | UART_IER_RDI); /* nothing more to send */
	EXPECT_FALSE(f.level);
	EXPECT_EQ(f.ntx, 16);
}

TEST(uart16550, random_accesses_keep_the_invariants)
{
	struct fx f;
	fx_init(&f);
	srand(16550);
	uint8_t buf[32];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	for (unsigned n = 0; n < 200000; n++) {
		unsigned op = (unsigned)rand() % 16;
		uint32_t v = (uint32_t)rand();
		unsigned size = 1u << (rand() % 3);
		if (op < 6) {
			EXPECT_EQ(uart_io(&f.u, (unsigned)rand() % UART_REGS, size, op & 1, &v), 0);
			if (!(op & 1) && size < 4)
				EXPECT_LT(v, 1u << (8 * size));
		} else if (op < 8) {
			size_t room = uart_rx_room(&f.u), want = (size_t)rand() % sizeof(buf);
			size_t took = uart_rx(&f.u, buf, want);
			EXPECT_EQ(took, want < room ? want : room);
		} else if (op == 8) {
			uart_rx_break(&f.u);
		} else if (op == 9) {
			uart_set_lines(&f.u, (uint8_t)v);
		} else if (op == 10 && n % 64 == 0) {
			uart_reset(&f.u);
		} else {
			EXPECT_EQ(uart_io(&f.u, UART_THR, 1, true, &v), 0);
		}
		EXPECT_LE(f.u.rx_count, (f.u.fcr & UART_FCR_ENABLE_FIFO) ? UART_FIFO_SIZE : 1);
		EXPECT_LE(f.u.rx_errors, f.u.rx_count);
		EXPECT_LT(f.u.rx_head, UART_FIFO_SIZE);
		EXPECT_EQ(f.level, f.u.irq);
	}
}
