/* SPDX-License-Identifier: GPL-2.0-only */
/* virtq.h: the device side of a virtio split virtqueue (VIRTIO 1.2, 2.7:
 * descriptor table, available ring, used ring; 2.7.5.3 indirect
 * descriptors; 2.7.7 and 2.7.10 notification suppression, with and
 * without VIRTIO_F_EVENT_IDX) for iopmd's virtio devices. A state machine:
 * guest memory only through the caller's callbacks, no allocation. Every
 * descriptor chain is validated; a bad one breaks the queue until
 * virtq_reset(). docs/virtio.md. */
#ifndef IOPM_DEV_VIRTQ_H
#define IOPM_DEV_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest memory as the device may use it. Each returns 0, or a negative
 * errno (-EFAULT) if any byte of [gpa, gpa + len) is not the guest's RAM
 * (or, for check with write, not writable RAM); the model never touches
 * memory any other way. */
struct virtq_mem_ops {
	int (*read)(void *ctx, uint64_t gpa, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t gpa, const void *buf, size_t len);
	int (*check)(void *ctx, uint64_t gpa, uint64_t len, bool write);
};

/* One buffer of a chain: device-readable or device-writable guest RAM. */
struct virtq_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/* A chain as virtq_pop() found it: readable segments first, then writable. */
struct virtq_chain {
	uint16_t head;	    /* what virtq_push() gives back */
	unsigned nsegs;	    /* segments in the caller's array (zero-length ones left out) */
	uint64_t read_len;  /* bytes the device may read */
	uint64_t write_len; /* bytes the device may write */
	unsigned ndesc;	    /* descriptors walked, indirect ones included */
};

/* Why a queue broke (virtq.error), as virtq_pop/push returned it. */
struct virtq {
	const struct virtq_mem_ops *mem;
	void *ctx;
	uint16_t size; /* 0: not set up */
	bool event_idx, indirect;
	uint64_t desc, avail, used;
	uint64_t max_chain_len; /* bound of read_len + write_len */
	uint16_t last_avail;	/* the next available entry the device takes */
	uint16_t used_idx;	/* the device's used index (what it wrote to used->idx) */
	uint16_t signalled;	/* used_idx at the last virtq_need_interrupt() */
	bool signalled_valid;	/* signalled holds a value (not after set up) */
	bool notify_off;	/* the device asked for no notifications */
	bool broken;		/* stopped until virtq_reset() */
	int error;		/* the first error (negative errno), 0 if not broken */
};

/* A queue that is not set up and not broken. */
void virtq_reset(struct virtq *q);
/* Set up the queue the driver described: `size` entries (a power of 2 up
 * to VIRTQ_MAX_SIZE), the three parts at their guest-physical addresses
 * (aligned as 2.7 says and inside guest RAM, the used ring writable), the
 * negotiated features (VIRTIO_F_EVENT_IDX and VIRTIO_F_INDIRECT_DESC are
 * the ones it looks at). Chains of more than max_chain_len bytes are bad.
 * Returns 0, or -EINVAL/-EFAULT and the queue is broken. */
int virtq_setup(struct virtq *q, const struct virtq_mem_ops *mem, void *ctx, uint16_t size, uint64_t desc,
		uint64_t avail, uint64_t used, uint64_t features, uint64_t max_chain_len);

/* Take the next available chain: its head and its buffers in segs[] (at
 * most max_segs of them). Returns 1 (a chain), 0 (the ring is empty), or a
 * negative errno and the queue is broken (or was: -EIO):
 *   -EFAULT   a ring, a descriptor table or a buffer outside guest RAM
 *             (the mem callbacks refused it);
 *   -EINVAL   an available index more than `size` ahead, a head or next
 *             index out of the table, INDIRECT without the feature, with
 *             NEXT, inside an indirect table, or with a length that is not
 *             a non-zero multiple of 16, a readable buffer after a
 *             writable one;
 *   -ELOOP    more descriptors than the queue size (a loop);
 *   -E2BIG    more than max_chain_len bytes or more than max_segs buffers;
 *   -EIO      the queue was broken already, or is not set up. */
int virtq_pop(struct virtq *q, struct virtq_seg *segs, unsigned max_segs, struct virtq_chain *chain);
/* Give chain `head` back with `len` bytes written into it: the used ring
 * entry, then (after a write barrier) used->idx. 0, or -EFAULT (the used
 * ring is no longer guest RAM: broken), -EINVAL (head >= size: a device
 * bug, the queue is broken too) or -EIO (broken). */
int virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/* After one or more pushes: should the device interrupt the driver
 * (2.7.7: the used_event index with VIRTIO_F_EVENT_IDX, the
 * VIRTQ_AVAIL_F_NO_INTERRUPT flag without)? False if nothing was pushed
 * since the last call, or the queue is broken. */
bool virtq_need_interrupt(struct virtq *q);
/* Ask the driver for notifications (kicks) or for none (2.7.10), e.g. while
 * the device polls. Turning them on returns true if entries are available
 * already (the driver may have added them without kicking): the device
 * must look at the ring again then. */
bool virtq_set_notify(struct virtq *q, bool on);
/* Whether the driver made entries available that virtq_pop() has not taken
 * (reads avail->idx; false if broken or not set up). */
bool virtq_pending(struct virtq *q);

#endif
