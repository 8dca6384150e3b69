/* SPDX-License-Identifier: GPL-2.0-only */
/* testdev.h: the VMM's test device for the guest test suite
 * (docs/guest-platform.md "The test device"): an MMIO scratch window with
 * access recording, a scratch I/O register, an IRQ pulse port and a FIFO. */
#ifndef VMM_TESTDEV_H
#define VMM_TESTDEV_H

#include <stdbool.h>
#include <stdint.h>

#define TESTDEV_MMIO_BASE	0xfeb00000ULL
#define TESTDEV_MMIO_SIZE	0x1000ULL
#define TESTDEV_SCRATCH_SIZE	0x100
#define TESTDEV_REG_COUNT	0x100
#define TESTDEV_REG_LAST_SIZE	0x108
#define TESTDEV_REG_LAST_WRITE	0x10c
#define TESTDEV_REG_LAST_OFFSET 0x110
#define TESTDEV_PORT_SCRATCH	0xe0 /* 0xe0-0xe3 */
#define TESTDEV_PORT_IRQ	0xe4
#define TESTDEV_PORT_FIFO	0xe8
#define TESTDEV_PORT_FIFO_COUNT 0xec
#define TESTDEV_PORT_FIRST	0xe0
#define TESTDEV_PORT_LAST	0xef
#define TESTDEV_FIFO_SIZE	256
/* QEMU's isa-debug-exit device where the tests put it (iobase 0xf4,
 * iosize 4): a write of v ends the VM with status (v << 1) | 1. */
#define DEBUG_EXIT_PORT_FIRST 0xf4
#define DEBUG_EXIT_PORT_LAST  0xf7

struct testdev {
	uint8_t scratch[TESTDEV_SCRATCH_SIZE];
	uint64_t count;
	uint32_t last_size, last_write;
	uint64_t last_offset;
	uint32_t port_scratch;
	uint8_t fifo[TESTDEV_FIFO_SIZE];
	uint32_t fifo_head, fifo_len;
	int irq_pulse; /* ISA IRQ to pulse, -1 none (the caller drains it) */
};

void testdev_init(struct testdev *t);
/* size 1, 2, 4 or 8; returns 0 or -EINVAL for an access outside the page or
 * an access the register does not take (reads all ones, writes dropped). */
int testdev_mmio(struct testdev *t, uint64_t offset, unsigned size, bool write, uint64_t *val);
/* size 1, 2 or 4; -ENOENT when the port is not the device's. */
int testdev_io(struct testdev *t, uint16_t port, unsigned size, bool write, uint32_t *val);

#endif
