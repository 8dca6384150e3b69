/* SPDX-License-Identifier: GPL-2.0-only */
/* coopdev.h: userland access to the shared zone through iopm.ko's
 * /dev/coopvmm (mmap of the whole zone, shared/coopvmm_abi.h layout),
 * used by iopmd and vmctl.
 */
#ifndef COOPDEV_H
#define COOPDEV_H

#include <stddef.h>

#include "coop_zone.h"

#define COOPDEV_PATH "/dev/coopvmm"

struct coopdev {
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

#endif
