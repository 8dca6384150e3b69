/* vuart.h: the VMM-local write-only COM1 stand-in (16550 register layout,
 * PC16550D data sheet) used while no IOPM serves guest UARTs: guest output
 * is copied into the VMM log, one line at a time, with the guest's name. */
#ifndef VMM_VUART_H
#define VMM_VUART_H

#include <stdbool.h>
#include <stdint.h>

#define VUART_BASE 0x3f8
#define VUART_PORTS 8
#define VUART_LINE_MAX 160
#define VUART_LSR_IDLE 0x60   /* THR empty, transmitter empty */

struct vuart {
	const char *name;        /* prefix of the log lines */
	char line[VUART_LINE_MAX];
	uint32_t len;
	uint64_t bytes;
	uint8_t lcr, scratch;
};

void vuart_init(struct vuart *u, const char *name);
/* 1-byte access to port VUART_BASE + off; returns 0 or -ENOENT. */
int vuart_io(struct vuart *u, uint16_t port, bool write, uint8_t *val);
void vuart_flush(struct vuart *u);

#endif
