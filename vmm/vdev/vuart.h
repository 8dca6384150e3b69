/* SPDX-License-Identifier: GPL-2.0-only */
/* vuart.h: the VMM-local write-only COM1 stand-in (16550 register layout,
 * PC16550D data sheet) used while no IOPM serves guest UARTs: guest output
 * is copied into the VMM log, one line at a time, with the guest's name. */
#ifndef VMM_VUART_H
#define VMM_VUART_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/serial.h" /* COM1_PORT, UART_* registers */
#include "vmm/lib/ratelimit.h"

#define VUART_LINE_MAX 160
#define VUART_LSR_IDLE (UART_LSR_THRE | UART_LSR_TEMT) /* what LSR always reads */
/* Guest output reaches the VMM log at most this fast (lines): a burst for
 * a test's whole report, then a trickle, so that a flooding guest cannot
 * keep the log lock, nor the serial line, from everyone else. */
#define VUART_LINES_BURST      400
#define VUART_LINES_PER_SECOND 20

struct vuart {
	const char *name; /* prefix of the log lines */
	char line[VUART_LINE_MAX];
	uint32_t len;
	uint64_t bytes;
	uint64_t lines_dropped; /* refused by the rate limit, in all */
	struct ratelimit rl;
	uint8_t lcr, scratch;
};

/* tsc_khz: the clock of the rate limit (0: the burst only). */
void vuart_init(struct vuart *u, const char *name, uint64_t tsc_khz);
/* 1-byte access to port COM1_PORT + off; returns 0 or -ENOENT. */
int vuart_io(struct vuart *u, uint16_t port, bool write, uint8_t *val);
void vuart_flush(struct vuart *u);
/* The guest ends: its last line, and how many were dropped since the last report. */
void vuart_end(struct vuart *u);

#endif
