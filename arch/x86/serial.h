/* SPDX-License-Identifier: GPL-2.0-only */
/* serial.h: polled 16550A UART output (PC16550D data sheet; ports of the
 * PC/AT COM1-COM4). The VMM log uses COM1. */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H

#include <stdint.h>

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8
#define COM1_IRQ  4 /* ISA IRQ of COM1 (and COM3) */
#define COM2_IRQ  3 /* ISA IRQ of COM2 (and COM4) */
#define UART_REGS 8 /* ports of one UART, from its base */

#define UART_THR	      0 /* transmit holding register (DLAB=0) */
#define UART_DLL	      0 /* divisor latch low (DLAB=1) */
#define UART_IER	      1 /* interrupt enable (DLAB=0) */
#define UART_DLM	      1 /* divisor latch high (DLAB=1) */
#define UART_FCR	      2 /* FIFO control */
#define UART_LCR	      3 /* line control */
#define UART_MCR	      4 /* modem control */
#define UART_LSR	      5 /* line status */
#define UART_SCR	      7 /* scratch */
#define UART_LCR_8N1	      0x03
#define UART_LCR_DLAB	      0x80
#define UART_FCR_ENABLE_CLEAR 0x07 /* enable FIFOs, clear RX and TX */
#define UART_MCR_DTR_RTS      0x03
#define UART_LSR_THRE	      0x20 /* transmit holding register empty */
#define UART_LSR_TEMT	      0x40 /* transmitter empty */
#define UART_BASE_CLOCK	      115200
#define UART_SPIN_LIMIT	      100000 /* polls before a missing UART is given up */

void serial_init(uint16_t port, uint32_t baud);
void serial_putc(uint16_t port, char c);

#endif
