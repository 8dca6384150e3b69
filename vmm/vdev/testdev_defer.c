/* SPDX-License-Identifier: GPL-2.0-only */
/* testdev_defer.c: the deferred test device's registers (vmm/vdev/testdev_defer.h):
 * the test device's model at other addresses, plus the delay register. */
#include "vmm/vdev/testdev_defer.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define DEFER_PORT_IRQ (TESTDEV_DEFER_PORT_FIRST + (TESTDEV_PORT_IRQ - TESTDEV_PORT_FIRST))
#define DELAY_LANES    4

void testdev_defer_init(struct testdev_defer *t)
{
	memset(t, 0, sizeof(*t));
	testdev_init(&t->dev);
	t->delay_us = TESTDEV_DEFER_DELAY_INIT_US;
}

/* The delay register, byte-laned like the scratch port; a value above the
 * maximum is clamped. */
static int delay_io(struct testdev_defer *t, unsigned lane, unsigned size, bool write, uint64_t *val)
{
	if (lane + size > DELAY_LANES)
		return -EINVAL;
	uint64_t m = size_mask(size) << (8 * lane);
	if (!write) {
		*val = ((uint64_t)t->delay_us & m) >> (8 * lane);
		return 0;
	}
	uint64_t d = ((uint64_t)t->delay_us & ~m) | ((*val << (8 * lane)) & m);
	t->delay_us = (uint32_t)MIN(d, (uint64_t)TESTDEV_DEFER_DELAY_MAX_US);
	return 0;
}

static int pio(struct testdev_defer *t, uint16_t port, unsigned size, bool write, uint64_t *val)
{
	if (port >= TESTDEV_DEFER_PORT_DELAY && port <= TESTDEV_DEFER_PORT_LAST)
		return delay_io(t, port - TESTDEV_DEFER_PORT_DELAY, size, write, val);
	if (port < TESTDEV_DEFER_PORT_FIRST || port + size - 1U >= TESTDEV_DEFER_PORT_DELAY ||
	    (port >= DEFER_PORT_IRQ && port < DEFER_PORT_IRQ + 4U) || size > 4)
		return -EINVAL;
	uint32_t v32 = (uint32_t)*val;
	int r = testdev_io(&t->dev, (uint16_t)(TESTDEV_PORT_FIRST + (port - TESTDEV_DEFER_PORT_FIRST)), size,
			   write, &v32);
	*val = v32;
	return r;
}

void testdev_defer_serve(struct testdev_defer *t, struct coop_ioreq *req)
{
	bool write = req->dir == COOP_IOREQ_WRITE, string = req->flags & COOP_IOREQ_STRING;
	unsigned size = req->size;
	req->status = 0;
	for (uint32_t i = 0; i < req->count; i++) {
		uint64_t val = 0;
		if (write && string)
			memcpy(&val, req->buf + (size_t)i * size, size);
		else if (write)
			val = req->data & size_mask(size);
		int r;
		if (req->space == COOP_IOREQ_PIO)
			r = pio(t, (uint16_t)req->addr, size, write, &val);
		else {
			uint64_t gpa = req->addr + (uint64_t)((int64_t)i * req->step);
			r = gpa >= TESTDEV_DEFER_MMIO_BASE &&
				    gpa - TESTDEV_DEFER_MMIO_BASE < TESTDEV_DEFER_MMIO_SIZE
				? testdev_mmio(&t->dev, gpa - TESTDEV_DEFER_MMIO_BASE, size, write, &val)
				: -EINVAL;
		}
		if (r) {
			req->status = r;
			val = size_mask(size);
		}
		if (!write && string)
			memcpy(req->buf + (size_t)i * size, &val, size);
		else if (!write)
			req->data = val & size_mask(size);
		t->served++;
	}
}
