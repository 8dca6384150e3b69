/* SPDX-License-Identifier: GPL-2.0-only */
/* uart16550.c: the guest's 16550A (PC16550D data sheet: registers, FIFO
 * mode, the interrupt priorities of the IIR table, loopback) with the
 * PC/AT's wiring: the interrupt reaches the ISA line only while MCR.OUT2
 * is set and loopback is off. The line runs at infinite speed: a byte
 * written to the THR is sent at once (THRE and TEMT always read 1), and a
 * byte below the RX trigger level times out at once. Why, and what a
 * guest sees: docs/vdevices.md "Device models in iopmd". */
#include "iopm/dev/uart16550.h"

#include <errno.h>
#include <string.h>

static const uint8_t rx_trigger[4] = {UART_RX_TRIGGER_1, UART_RX_TRIGGER_4, UART_RX_TRIGGER_8,
				      UART_RX_TRIGGER_14};

static bool fifo_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE_FIFO;
}

static bool loopback(const struct uart16550 *u)
{
	return u->mcr & UART_MCR_LOOP;
}

static unsigned rx_depth(const struct uart16550 *u)
{
	return fifo_on(u) ? UART_FIFO_SIZE : 1;
}

size_t uart_rx_room(const struct uart16550 *u)
{
	if (loopback(u))
		return 0;
	return rx_depth(u) - u->rx_count;
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->rx_errors = 0;
	/* PE/FE/BI belonged to the bytes thrown away; an overrun stays. */
	u->lsr_err &= UART_LSR_OE;
	u->room = true;
}

/* A byte leaves the receiver's shift register: into the FIFO (or RBR) if
 * there is room. Its error bits show in the LSR once it is at the top. */
static bool rx_push(struct uart16550 *u, uint8_t byte, uint8_t err)
{
	if (u->rx_count >= rx_depth(u))
		return false;
	unsigned slot = (u->rx_head + u->rx_count) % UART_FIFO_SIZE;
	u->rx[slot] = byte;
	u->rx_err[slot] = err;
	if (!u->rx_count)
		u->lsr_err |= err;
	u->rx_count++;
	if (err)
		u->rx_errors++;
	return true;
}

/* A byte the receiver got with nowhere to go: in FIFO mode the FIFO is
 * kept and the byte is lost; in 16450 mode it replaces the unread one.
 * Either way LSR.OE. Only loopback gets here: outside input is refused
 * instead (uart_rx). */
static void rx_overrun(struct uart16550 *u, uint8_t byte)
{
	u->overruns++;
	u->lsr_err |= UART_LSR_OE;
	if (fifo_on(u))
		return;
	if (u->rx_err[u->rx_head])
		u->rx_errors--;
	u->rx[u->rx_head] = byte;
	u->rx_err[u->rx_head] = 0;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	if (!u->rx_count)
		return u->rbr;
	uint8_t byte = u->rx[u->rx_head];
	if (u->rx_err[u->rx_head])
		u->rx_errors--;
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	if (u->rx_count)
		u->lsr_err |= u->rx_err[u->rx_head];
	u->rbr = byte;
	u->room = true;
	return byte;
}

static uint8_t lsr(const struct uart16550 *u)
{
	uint8_t v = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_err;
	if (u->rx_count)
		v |= UART_LSR_DR;
	if (fifo_on(u) && u->rx_errors)
		v |= UART_LSR_RXFE;
	return v;
}

/* The highest-priority pending interrupt (the IIR table), or NO_INT. */
static uint8_t iir_id(const struct uart16550 *u)
{
	if ((u->ier & UART_IER_RLSI) && (u->lsr_err & UART_LSR_ERRORS))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count) {
		/* Below the trigger level the character timeout (4 character
		 * times without input or reads) has already run out: input
		 * arrives in bursts (uart_rx) and the line has no speed. */
		if (!fifo_on(u) || u->rx_count >= rx_trigger[u->fcr >> UART_FCR_TRIGGER_SHIFT])
			return UART_IIR_RDI;
		return UART_IIR_TIMEOUT;
	}
	if ((u->ier & UART_IER_THRI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & UART_MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void update_irq(struct uart16550 *u)
{
	/* PC/AT: ~OUT2 enables the IRQ driver; in loopback the pin is forced
	 * inactive, so the interrupt stays inside the chip. */
	bool level = iir_id(u) != UART_IIR_NO_INT && (u->mcr & UART_MCR_OUT2) && !loopback(u);
	if (level == u->irq)
		return;
	u->irq = level;
	u->ops->irq(u->ctx, level);
}

/* The end of anything that changed the state: the interrupt output, and
 * the caller's input once there is room for it. */
static void settle(struct uart16550 *u)
{
	update_irq(u);
	if (u->room && u->rx_wanted && uart_rx_room(u)) {
		u->rx_wanted = false;
		u->room = false;
		if (u->ops->rx_room)
			u->ops->rx_room(u->ctx);
	}
	u->room = false;
}

/* The modem status inputs: the outside lines, or in loopback the MCR
 * outputs wired back (CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2). */
static uint8_t modem_inputs(const struct uart16550 *u)
{
	if (!loopback(u))
		return u->lines;
	uint8_t v = 0;
	if (u->mcr & UART_MCR_RTS)
		v |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		v |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		v |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		v |= UART_MSR_DCD;
	return v;
}

static void modem_update(struct uart16550 *u)
{
	uint8_t now = modem_inputs(u), old = u->msr & UART_MSR_LINES;
	uint8_t changed = now ^ old, delta = 0;
	if (changed & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if (changed & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	u->msr = now | (u->msr & UART_MSR_DELTAS) | delta;
}

static void thr_write(struct uart16550 *u, uint8_t byte)
{
	if (loopback(u)) {
		if (!rx_push(u, byte, 0))
			rx_overrun(u, byte);
	} else {
		u->tx_bytes++;
		u->ops->tx(u->ctx, byte);
	}
	/* The byte left the THR (and the TX FIFO) at once: THR empty again,
	 * a new THRE interrupt. */
	u->thre_pending = true;
}

static void fcr_write(struct uart16550 *u, uint8_t v)
{
	if ((v ^ u->fcr) & UART_FCR_ENABLE_FIFO)
		rx_clear(u); /* switching modes empties both FIFOs */
	if (!(v & UART_FCR_ENABLE_FIFO)) {
		u->fcr = 0;
		return;
	}
	if (v & UART_FCR_CLEAR_RX)
		rx_clear(u);
	/* UART_FCR_CLEAR_TX: the TX FIFO is always empty. */
	u->fcr = v & (UART_FCR_ENABLE_FIFO | UART_FCR_DMA_MODE | UART_FCR_TRIGGER_MASK);
}

static void mcr_write(struct uart16550 *u, uint8_t v)
{
	bool was_loop = loopback(u);
	u->mcr = v & UART_MCR_MASK;
	modem_update(u);
	if (was_loop && !loopback(u))
		u->room = true; /* the line is connected again */
}

static void ier_write(struct uart16550 *u, uint8_t v)
{
	/* Enabling ETBEI with the THR empty interrupts at once (Linux's
	 * serial8250_do_startup tests that a 16550 does). */
	if (!(u->ier & UART_IER_THRI) && (v & UART_IER_THRI))
		u->thre_pending = true;
	u->ier = v & UART_IER_MASK;
}

static void reg_write(struct uart16550 *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	switch (reg) {
	case UART_THR:
		if (dlab)
			u->dll = v;
		else
			thr_write(u, v);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			ier_write(u, v);
		break;
	case UART_FCR:
		fcr_write(u, v);
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		mcr_write(u, v);
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:
		break; /* LSR and MSR: factory test writes, ignored */
	}
}

static uint8_t reg_read(struct uart16550 *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;
	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = iir_id(u);
		if (v == UART_IIR_THRI)
			u->thre_pending = false; /* reading the IIR acknowledges THRE */
		return v | (fifo_on(u) ? UART_IIR_FIFO_ON : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = lsr(u);
		u->lsr_err = 0;
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= ~UART_MSR_DELTAS;
		return v;
	default:
		return u->scr;
	}
}

int uart_io(struct uart16550 *u, unsigned offset, unsigned size, bool write, uint32_t *val)
{
	if (offset >= UART_REGS || (size != 1 && size != 2 && size != 4)) {
		if (!write)
			*val = 0xffffffffu;
		return offset >= UART_REGS ? -ENOENT : -EINVAL;
	}
	uint32_t in = write ? *val : 0, out = 0;
	for (unsigned i = 0; i < size; i++) {
		unsigned reg = offset + i;
		if (reg >= UART_REGS)
			out |= 0xffu << (8 * i); /* the next device's port: not ours */
		else if (write)
			reg_write(u, reg, (uint8_t)(in >> (8 * i)));
		else
			out |= (uint32_t)reg_read(u, reg) << (8 * i);
	}
	if (!write)
		*val = out;
	settle(u);
	return 0;
}

size_t uart_rx(struct uart16550 *u, const uint8_t *buf, size_t n)
{
	size_t taken = 0;
	if (!loopback(u))
		while (taken < n && rx_push(u, buf[taken], 0))
			taken++;
	if (taken < n)
		u->rx_wanted = true;
	u->rx_bytes += taken;
	settle(u);
	return taken;
}

int uart_rx_break(struct uart16550 *u)
{
	int ret = 0;
	if (loopback(u) || !rx_push(u, 0, UART_LSR_BI)) {
		u->rx_wanted = true;
		ret = -EAGAIN;
	}
	settle(u);
	return ret;
}

void uart_set_lines(struct uart16550 *u, uint8_t lines)
{
	u->lines = lines & UART_MSR_LINES;
	modem_update(u);
	settle(u);
}

void uart_reset(struct uart16550 *u)
{
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr_err = 0;
	rx_clear(u);
	u->thre_pending = false;
	u->msr = modem_inputs(u); /* lines as they are, no deltas */
	settle(u);
}

void uart_init(struct uart16550 *u, const struct uart_ops *ops, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->ops = ops;
	u->ctx = ctx;
	u->dll = UART_DIVISOR_9600;
	u->lines = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	u->msr = u->lines;
}
