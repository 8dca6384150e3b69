/* SPDX-License-Identifier: GPL-2.0-only */
/* uart16550.h: a guest's 16550A UART (PC16550D data sheet: every register,
 * FIFO mode, interrupt priorities, loopback; the PC/AT's OUT2 gate on the
 * interrupt line) for iopmd, as a state machine with callbacks: no I/O, no
 * clock, no allocation. docs/vdevices.md "Device models in iopmd". */
#ifndef IOPM_DEV_UART16550_H
#define IOPM_DEV_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/serial.h"

struct uart16550;

struct uart_ops {
	/* A byte the guest sent (never called in loopback mode). */
	void (*tx)(void *ctx, uint8_t byte);
	/* The interrupt output changed to `level` (called on changes only). */
	void (*irq)(void *ctx, bool level);
	/* Optional: uart_rx() or uart_rx_break() took less than it was offered,
	 * and the guest has made room since (it read the RBR, cleared or
	 * toggled the FIFO, left loopback): offer the rest again. Called at
	 * the end of the access, when calling uart_rx() from it is safe. */
	void (*rx_room)(void *ctx);
};

struct uart16550 {
	const struct uart_ops *ops;
	void *ctx;
	/* The receiver: a FIFO of UART_FIFO_SIZE bytes in FIFO mode, the RBR
	 * alone (depth 1) in 16450 mode; each byte with its error bits (BI). */
	uint8_t rx[UART_FIFO_SIZE];
	uint8_t rx_err[UART_FIFO_SIZE];
	uint8_t rx_head, rx_count, rx_errors; /* rx_errors: bytes with error bits */
	uint8_t rbr;			      /* the last byte read: what an empty RBR reads */
	uint8_t lsr_err;		      /* OE PE FE BI as latched; reading LSR clears them */
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	uint8_t msr;	   /* lines (7:4) and deltas (3:0) as the guest reads them */
	uint8_t lines;	   /* CTS DSR RI DCD of the outside (MSR bit positions) */
	bool thre_pending; /* THR emptied and the THRE interrupt not acknowledged */
	bool rx_wanted;	   /* input was refused: call ops->rx_room once there is room */
	bool room;	   /* room appeared during this access */
	bool irq;	   /* the interrupt output as last reported */
	uint64_t tx_bytes, rx_bytes, overruns;
};

/* Power-on state: FIFOs off, no interrupt enabled, divisor 12 (9600 baud),
 * the outside lines CTS, DSR and DCD on. The output is low; no callback. */
void uart_init(struct uart16550 *u, const struct uart_ops *ops, void *ctx);
/* The master reset: registers to their reset values (the divisor and the
 * scratch register are kept, as on the chip), FIFOs emptied; the output
 * lowered through ops->irq if it was high. */
void uart_reset(struct uart16550 *u);
/* A guest access of `size` bytes (1, 2 or 4) at `offset` from the base:
 * a wider access is the bus's byte accesses on consecutive ports, low
 * byte first; bytes past the 8th port read 0xff and ignore writes.
 * Returns 0, -ENOENT (offset past the UART) or -EINVAL (size); on a
 * refused read *val is all ones. */
int uart_io(struct uart16550 *u, unsigned offset, unsigned size, bool write, uint32_t *val);
/* Bytes from the outside line: returns how many the receiver took (none in
 * loopback mode, where the line is disconnected; at most the room left).
 * The rest is the caller's to offer again (ops->rx_room says when): the
 * model never drops input. */
size_t uart_rx(struct uart16550 *u, const uint8_t *buf, size_t n);
/* A break on the line: a 0 byte with LSR.BI. 0, or -EAGAIN when there is
 * no room (or in loopback mode), as uart_rx(). */
int uart_rx_break(struct uart16550 *u);
/* Room for uart_rx() now. */
size_t uart_rx_room(const struct uart16550 *u);
/* The outside modem lines, as MSR bits (UART_MSR_CTS, _DSR, _RI, _DCD);
 * changes set the delta bits (seen outside loopback mode only). */
void uart_set_lines(struct uart16550 *u, uint8_t lines);

#endif
