/* SPDX-License-Identifier: GPL-2.0-only */
/* coopdev.h: userland access to the shared zone through iopm.ko's
 * /dev/coopvmm (mmap of the whole zone, shared/coopvmm_abi.h layout; the
 * ioctls and read/poll of iopm/coopvmm_ioctl.h on `fd`), used by iopmd,
 * vmctl and the test tools.
 */
#ifndef COOPDEV_H
#define COOPDEV_H

#include <stddef.h>

#include "coop_ring.h"
#include "coop_zone.h"
#include "coopvmm_ioctl.h"

#define COOPDEV_PATH "/dev/coopvmm"

struct coopdev {
	int fd; /* /dev/coopvmm, open until coopdev_close */
	void *base;
	size_t size;
	const struct coop_shared_header *hdr;
	const struct coop_vmm_ctrl *vmm;
	struct coop_iopm_ctrl *ctrl; /* read-only mapping unless opened writable */
};

/* Map the zone (read-only unless `writable`) and check its header.
 * Returns 0, or -1 with a one-line reason in `err`. */
int coopdev_open(struct coopdev *dev, int writable, char *err, size_t errlen);
void coopdev_close(struct coopdev *dev);

/* The IOPM's ends of the two rings (IOPM ring: producer; VMM ring:
 * consumer), attached from the indices the IOPM last published, so that a
 * restarted iopmd (or a test tool while iopmd is stopped) carries on where
 * the previous producer/consumer stopped. Checked against the VMM's indices
 * (at most a ring apart): -1 with a reason in `err` otherwise. A first start
 * (both published indices 0) is the same as coop_ring_tx_init/rx_init. */
int coopdev_rings(struct coopdev *dev, struct coop_ring_tx *tx, struct coop_ring_rx *rx, char *err,
		  size_t errlen);

#endif
