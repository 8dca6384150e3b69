/* SPDX-License-Identifier: GPL-2.0-only */
/* vdev.h: the device interface of a VM: port and MMIO ranges, each served
 * in the VMM (a handler here) or, once the channel exists, forwarded to the
 * IOPM (docs/exits.md "Where devices live"). Exit handlers look ranges up
 * here instead of knowing devices. Callers hold vm->lock. */
#ifndef VMM_VDEV_H
#define VMM_VDEV_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

enum vdev_where {
	VDEV_LOCAL,   /* served by a handler in the VMM */
	VDEV_IOPM,    /* forwarded to the IOPM (needs the channel: until then unclaimed) */
};

/* Handlers return 0, or a negative errno for an access the device refuses
 * (then reads give all ones, writes are dropped, and it is counted). */
typedef int (*vdev_pio_fn)(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val);
typedef int (*vdev_mmio_fn)(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val);

struct vdev_range {
	const char *name;
	uint64_t first, last;     /* inclusive */
	enum vdev_where where;
	bool bytewise;            /* a multi-byte access is split into 1-byte ones */
	vdev_pio_fn pio;
	vdev_mmio_fn mmio;
};

/* Port I/O: returns true if some device claimed (part of) the access. */
bool vdev_pio(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val);
/* MMIO (not RAM): returns true if a device claimed it. */
bool vdev_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val);

#endif
