/* SPDX-License-Identifier: GPL-2.0-only */
/* testdev_defer.h: the test device that answers later (a test-only range,
 * docs/guest-platform.md "The deferred test device"): the test device's
 * registers (vmm/vdev/testdev.h) at other addresses, served on another CPU a
 * guest-set delay after the access -- the way an IOPM will answer -- so
 * that the request path's waiting, completion and resumption are tested
 * by guests (tests/guests/deferred_io*.c). */
#ifndef VMM_TESTDEV_DEFER_H
#define VMM_TESTDEV_DEFER_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/coopvmm_ioreq.h"
#include "vmm/vdev/testdev.h"

/* Ports 0x500-0x50f are the test device's 0xe0-0xef (scratch 0x500-0x503,
 * FIFO 0x508, FIFO count 0x50c; 0x504-0x507 refused: no IRQ pulse here);
 * 0x510-0x513 the delay in microseconds (32 bits, byte lanes). */
#define TESTDEV_DEFER_PORT_FIRST 0x500
#define TESTDEV_DEFER_PORT_DELAY 0x510
#define TESTDEV_DEFER_PORT_LAST	 0x513
/* MMIO: the test device's page (scratch 0x000-0x0ff, access registers
 * 0x100-0x117), on the page after it. */
#define TESTDEV_DEFER_MMIO_BASE	    (TESTDEV_MMIO_BASE + TESTDEV_MMIO_SIZE)
#define TESTDEV_DEFER_MMIO_SIZE	    TESTDEV_MMIO_SIZE
#define TESTDEV_DEFER_DELAY_INIT_US 1000
#define TESTDEV_DEFER_DELAY_MAX_US  100000
struct testdev_defer {
	struct testdev dev;
	uint32_t delay_us;
	uint64_t served;	/* elements answered */
	uint64_t served_remote; /* requests answered on another CPU than the vCPU's */
};

void testdev_defer_init(struct testdev_defer *t);
/* Answer a request against the device's state (string I/O element by
 * element): the read data, status 0 or -EINVAL (refused: reads all ones).
 * Pure: vmm/vm/vdev.c runs it on the completing CPU under the VM's lock. */
void testdev_defer_serve(struct testdev_defer *t, struct coop_ioreq *req);

#endif
