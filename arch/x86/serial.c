/* SPDX-License-Identifier: GPL-2.0-only */
/* serial.c: polled 16550A output for the VMM log (PC16550D data sheet:
 * LCR/DLAB divisor programming, LSR.THRE polling). */
#include "arch/x86/serial.h"

#include "arch/x86/cpu.h"

void serial_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(UART_BASE_CLOCK / baud);
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, (uint8_t)div);
	outb(port + UART_DLM, (uint8_t)(div >> 8));
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, UART_MCR_DTR_RTS);
}

void serial_putc(uint16_t port, char c)
{
	/* Bounded wait: a machine without the UART must not hang the VMM. */
	for (int i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(port + UART_LSR) & UART_LSR_THRE)
			break;
	outb(port + UART_THR, (uint8_t)c);
}
