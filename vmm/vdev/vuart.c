/* SPDX-License-Identifier: GPL-2.0-only */
/* vuart.c: write-only 16550 stand-in for guest COM1 (PC16550D register
 * map: THR/RBR 0, IER 1, IIR/FCR 2, LCR 3, MCR 4, LSR 5, MSR 6, SCR 7).
 * Bytes written to THR are collected into lines and logged, at most
 * VUART_LINES_PER_SECOND a second after a burst (the count of lines
 * dropped is logged when output resumes and at the end); the LSR always
 * says "transmitter idle" so polling drivers never wait. */
#define LOG_PREFIX "vuart"
#include "vmm/vdev/vuart.h"

#include "arch/x86/cpu.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/log.h"

void vuart_init(struct vuart *u, const char *name, uint64_t tsc_khz)
{
	memset(u, 0, sizeof(*u));
	u->name = name;
	ratelimit_init(&u->rl, VUART_LINES_BURST, VUART_LINES_PER_SECOND, tsc_khz);
}

static void report_dropped(struct vuart *u)
{
	uint64_t n = ratelimit_take_suppressed(&u->rl);
	if (n) {
		u->lines_dropped += n;
		log_raw("[guest %s] (%llu lines dropped: output rate limit)", u->name, (unsigned long long)n);
	}
}

void vuart_flush(struct vuart *u)
{
	if (!u->len)
		return;
	u->line[u->len] = '\0';
	u->len = 0;
	if (!ratelimit_allow(&u->rl, rdtsc()))
		return;
	report_dropped(u);
	log_raw("[guest %s] %s", u->name, u->line);
}

void vuart_end(struct vuart *u)
{
	vuart_flush(u);
	report_dropped(u);
}

static void put(struct vuart *u, uint8_t c)
{
	u->bytes++;
	if (c == '\n') {
		vuart_flush(u);
		return;
	}
	if (c == '\r')
		return;
	/* Keep the log readable whatever the guest sends. */
	u->line[u->len++] = (c >= ' ' && c < 0x7f) ? (char)c : '?';
	if (u->len >= VUART_LINE_MAX - 1)
		vuart_flush(u);
}

int vuart_io(struct vuart *u, uint16_t port, bool write, uint8_t *val)
{
	if (port < COM1_PORT || port >= COM1_PORT + UART_REGS)
		return -ENOENT;
	unsigned reg = port - COM1_PORT;
	if (write) {
		if (reg == UART_THR && !(u->lcr & UART_LCR_DLAB))
			put(u, *val);
		else if (reg == UART_LCR)
			u->lcr = *val;
		else if (reg == UART_SCR)
			u->scratch = *val;
		return 0;
	}
	switch (reg) {
	case UART_LSR:
		*val = VUART_LSR_IDLE;
		break;
	case UART_LCR:
		*val = u->lcr;
		break;
	case UART_SCR:
		*val = u->scratch;
		break;
	default:
		*val = 0;
		break;
	}
	return 0;
}
