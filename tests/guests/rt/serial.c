/* SPDX-License-Identifier: GPL-2.0-only */
/* serial.c: polled output on COM1, a 16550 at 0x3f8 (PC16550D datasheet:
 * THR, LCR/DLAB divisor, LSR bit 5 "THR empty"). Under coopvmm COM1 is a
 * write-only stand-in whose LSR always says "empty"; the bound on the poll
 * keeps a missing or stuck UART from hanging the guest. */
#include "rt/rt.h"

#define COM1_BASE	 0x3f8
#define UART_THR	 0 /* transmit holding (DLAB = 0) */
#define UART_DLL	 0 /* divisor low (DLAB = 1) */
#define UART_IER	 1 /* interrupt enable (DLAB = 0) */
#define UART_DLM	 1 /* divisor high (DLAB = 1) */
#define UART_FCR	 2 /* FIFO control */
#define UART_LCR	 3 /* line control */
#define UART_MCR	 4 /* modem control */
#define UART_LSR	 5 /* line status */
#define LCR_8N1		 0x03
#define LCR_DLAB	 0x80
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS	 0x03
#define LSR_THR_EMPTY	 0x20
#define UART_DIV_115200	 1
#define POLL_BOUND	 100000

void serial_init(void);

void serial_init(void)
{
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, LCR_DLAB);
	outb(COM1_BASE + UART_DLL, UART_DIV_115200);
	outb(COM1_BASE + UART_DLM, 0);
	outb(COM1_BASE + UART_LCR, LCR_8N1);
	outb(COM1_BASE + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1_BASE + UART_MCR, MCR_DTR_RTS);
}

int putchar(int c)
{
	for (int i = 0; i < POLL_BOUND; i++)
		if (inb(COM1_BASE + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(COM1_BASE + UART_THR, (uint8_t)c);
	return (uint8_t)c;
}

int puts(const char *s)
{
	while (*s)
		putchar(*s++);
	putchar('\n');
	return 0;
}
