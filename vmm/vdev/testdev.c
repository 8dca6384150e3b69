/* SPDX-License-Identifier: GPL-2.0-only */
/* testdev.c: the guest test suite's device (docs/guest-platform.md):
 * MMIO scratch memory 0x000-0x0ff that remembers every access's size,
 * direction and offset, a byte-laned 32-bit scratch port, an IRQ pulse
 * port and a 256-byte FIFO for string I/O. */
#include "vmm/vdev/testdev.h"

#include "arch/x86/pic.h"
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

void testdev_init(struct testdev *t)
{
	memset(t, 0, sizeof(*t));
	t->irq_pulse = -1;
}

/* Registers are 8 bytes (0x100 count, 0x110 offset) or 4 bytes (0x108
 * size, 0x10c write); an 8-byte one may also be read as two 4-byte halves. */
static bool read_reg(const struct testdev *t, uint64_t off, unsigned size, uint64_t *val)
{
	uint64_t base = off & ~7ULL, v;
	if (base == TESTDEV_REG_COUNT)
		v = t->count;
	else if (base == TESTDEV_REG_LAST_OFFSET)
		v = t->last_offset;
	else if (off == TESTDEV_REG_LAST_SIZE && size == 4) {
		*val = t->last_size;
		return true;
	} else if (off == TESTDEV_REG_LAST_WRITE && size == 4) {
		*val = t->last_write;
		return true;
	} else
		return false;
	if (size == 8 && off == base)
		*val = v;
	else if (size == 4)
		*val = (v >> (8 * (off - base))) & 0xffffffffULL;
	else
		return false;
	return true;
}

int testdev_mmio(struct testdev *t, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	int r = 0;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	if (off < TESTDEV_SCRATCH_SIZE && off + size <= TESTDEV_SCRATCH_SIZE) {
		if (write)
			memcpy(&t->scratch[off], val, size);
		else {
			*val = 0;
			memcpy(val, &t->scratch[off], size);
		}
	} else if (write || !read_reg(t, off, size, val)) {
		if (!write)
			*val = size_mask(size);
		r = -EINVAL;
	}
	/* Record after the access, so a read of a register sees the previous one. */
	t->count++;
	t->last_size = size;
	t->last_write = write;
	t->last_offset = off;
	return r;
}

static void fifo_io(struct testdev *t, unsigned size, bool write, uint32_t *val)
{
	uint8_t *b = (uint8_t *)val;
	if (!write)
		*val = (uint32_t)size_mask(size);
	for (unsigned i = 0; i < size; i++) {
		if (write && t->fifo_len < TESTDEV_FIFO_SIZE) {
			t->fifo[(t->fifo_head + t->fifo_len) % TESTDEV_FIFO_SIZE] = b[i];
			t->fifo_len++;
		} else if (!write && t->fifo_len) {
			b[i] = t->fifo[t->fifo_head];
			t->fifo_head = (t->fifo_head + 1) % TESTDEV_FIFO_SIZE;
			t->fifo_len--;
		}
	}
}

int testdev_io(struct testdev *t, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	if (port < TESTDEV_PORT_FIRST || port > TESTDEV_PORT_LAST)
		return -ENOENT;
	if (port >= TESTDEV_PORT_SCRATCH && port < TESTDEV_PORT_SCRATCH + 4) {
		unsigned lane = port - TESTDEV_PORT_SCRATCH;
		for (unsigned i = 0; i < size && lane + i < 4; i++) {
			unsigned sh = 8 * (lane + i);
			if (write)
				t->port_scratch =
				    (t->port_scratch & ~(0xffU << sh)) | (((*val >> (8 * i)) & 0xffU) << sh);
		}
		if (!write) {
			uint64_t v = (uint64_t)t->port_scratch >> (8 * lane);
			/* lanes past the register read all ones */
			v |= ~0ULL << (8 * (4 - lane));
			*val = (uint32_t)(v & size_mask(size));
		}
		return 0;
	}
	if (port == TESTDEV_PORT_IRQ) {
		if (write && (*val & 0xff) < ISA_IRQS)
			t->irq_pulse = (int)(*val & 0xff);
		else if (!write)
			*val = (uint32_t)size_mask(size);
		return 0;
	}
	if (port == TESTDEV_PORT_FIFO) {
		fifo_io(t, size, write, val);
		return 0;
	}
	if (port == TESTDEV_PORT_FIFO_COUNT && !write) {
		*val = size == 4 ? t->fifo_len : (uint32_t)size_mask(size);
		return 0;
	}
	if (!write)
		*val = (uint32_t)size_mask(size);
	return 0;
}
