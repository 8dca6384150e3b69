/* SPDX-License-Identifier: GPL-2.0-only */
/* serial.h: the 16550A UART (National Semiconductor PC16550D data sheet,
 * "Registers" and its register summary table; ports and IRQs of the PC/AT
 * COM1-COM4) and the VMM's polled output on it. The VMM log uses COM1;
 * iopmd's guest UART (iopm/dev/uart16550.c) models the whole register set. */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H

#include <stdint.h>

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8
#define COM1_IRQ  4 /* ISA IRQ of COM1 (and COM3) */
#define COM2_IRQ  3 /* ISA IRQ of COM2 (and COM4) */
#define UART_REGS 8 /* ports of one UART, from its base */

/* Register offsets from the base (the register summary): three of them are two
 * registers, chosen by the access direction or by LCR.DLAB. */
#define UART_RBR	  0  /* receiver buffer (read, DLAB=0) */
#define UART_THR	  0  /* transmit holding register (write, DLAB=0) */
#define UART_DLL	  0  /* divisor latch low (DLAB=1) */
#define UART_IER	  1  /* interrupt enable (DLAB=0) */
#define UART_DLM	  1  /* divisor latch high (DLAB=1) */
#define UART_IIR	  2  /* interrupt identification (read) */
#define UART_FCR	  2  /* FIFO control (write) */
#define UART_LCR	  3  /* line control */
#define UART_MCR	  4  /* modem control */
#define UART_LSR	  5  /* line status */
#define UART_MSR	  6  /* modem status */
#define UART_SCR	  7  /* scratch */
#define UART_FIFO_SIZE	  16 /* bytes in each of the RX and TX FIFOs (FIFO mode) */
#define UART_DIVISOR_9600 12 /* divisor latch for 9600 baud at UART_BASE_CLOCK */

/* Interrupt Enable Register: bits 7:4 are always 0. */
#define UART_IER_RDI  0x01 /* ERBFI: received data available (and FIFO timeout) */
#define UART_IER_THRI 0x02 /* ETBEI: transmitter holding register empty */
#define UART_IER_RLSI 0x04 /* ELSI: receiver line status */
#define UART_IER_MSI  0x08 /* EDSSI: modem status */
#define UART_IER_MASK 0x0f

/* Interrupt Identification Register (its "Interrupt Control Functions"
 * table): bit 0 clear when an interrupt is pending, bits 3:1
 * the highest-priority one, bits 5:4 always 0, bits 7:6 set in FIFO mode. */
#define UART_IIR_NO_INT	 0x01
#define UART_IIR_MSI	 0x00 /* 4th priority: modem status; reset by reading MSR */
#define UART_IIR_THRI	 0x02 /* 3rd: THR empty; reset by reading IIR (if the source) or writing THR */
#define UART_IIR_RDI	 0x04 /* 2nd: RX data available / trigger level reached; reset by reading RBR */
#define UART_IIR_RLSI	 0x06 /* 1st: receiver line status (OE PE FE BI); reset by reading LSR */
#define UART_IIR_TIMEOUT 0x0c /* 2nd: character timeout (FIFO mode); reset by reading RBR */
#define UART_IIR_FIFO_ON 0xc0 /* bits 7:6 when FCR bit 0 is set */

/* FIFO Control Register: bits 1-7 are programmed only by a write that sets bit 0. */
#define UART_FCR_ENABLE_FIFO   0x01 /* changing it clears both FIFOs */
#define UART_FCR_CLEAR_RX      0x02 /* self-clearing */
#define UART_FCR_CLEAR_TX      0x04 /* self-clearing */
#define UART_FCR_DMA_MODE      0x08 /* RXRDY/TXRDY pin mode only */
#define UART_FCR_TRIGGER_SHIFT 6    /* bits 7:6: RX trigger level 1, 4, 8 or 14 bytes */
#define UART_FCR_TRIGGER_MASK  0xc0
#define UART_RX_TRIGGER_1      1
#define UART_RX_TRIGGER_4      4
#define UART_RX_TRIGGER_8      8
#define UART_RX_TRIGGER_14     14
#define UART_FCR_ENABLE_CLEAR  0x07 /* enable FIFOs, clear RX and TX */

/* Line Control Register. */
#define UART_LCR_8N1  0x03
#define UART_LCR_SBC  0x40 /* set break */
#define UART_LCR_DLAB 0x80 /* divisor latch access */

/* Modem Control Register: bits 7:5 are always 0. In loopback mode the four outputs
 * drive the four modem status inputs (CTS = RTS, DSR = DTR, RI = OUT1,
 * DCD = OUT2) and the output pins, ~OUT2 included, are forced inactive. */
#define UART_MCR_DTR	 0x01
#define UART_MCR_RTS	 0x02
#define UART_MCR_OUT1	 0x04
#define UART_MCR_OUT2	 0x08 /* PC/AT: enables the UART's interrupt onto the ISA IRQ line */
#define UART_MCR_LOOP	 0x10
#define UART_MCR_MASK	 0x1f
#define UART_MCR_DTR_RTS 0x03

/* Line Status Register: OE, PE, FE and BI are cleared by reading the LSR. */
#define UART_LSR_DR	0x01 /* data ready */
#define UART_LSR_OE	0x02 /* overrun error */
#define UART_LSR_PE	0x04 /* parity error */
#define UART_LSR_FE	0x08 /* framing error */
#define UART_LSR_BI	0x10 /* break interrupt (in FIFO mode: the byte at the top of the FIFO) */
#define UART_LSR_ERRORS 0x1e /* OE PE FE BI: a receiver line status interrupt */
#define UART_LSR_THRE	0x20 /* transmit holding register empty */
#define UART_LSR_TEMT	0x40 /* transmitter empty */
#define UART_LSR_RXFE	0x80 /* FIFO mode: an errored byte is in the RX FIFO */

/* Modem Status Register: the delta bits are cleared by reading the MSR. */
#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04 /* trailing edge of RI: RI went from on to off */
#define UART_MSR_DDCD	0x08
#define UART_MSR_DELTAS 0x0f
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80
#define UART_MSR_LINES	0xf0

#define UART_BASE_CLOCK 115200 /* 1.8432 MHz / 16: the divisor latch's baud rate unit (PC/AT) */
#define UART_SPIN_LIMIT 100000 /* polls before a missing UART is given up */

void serial_init(uint16_t port, uint32_t baud);
void serial_putc(uint16_t port, char c);

#endif
