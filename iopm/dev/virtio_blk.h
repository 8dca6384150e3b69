/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_blk.h: the virtio block device (VIRTIO 1.2, 5.2) for iopmd, over
 * the modern virtio-pci transport (iopm/dev/virtio_pci.h): one request
 * queue, the device configuration (capacity, seg_max, blk_size), and the
 * requests IN, OUT, FLUSH and GET_ID, each validated before the backing
 * store is touched. A state machine: the backing store through the
 * caller's callbacks, guest memory through the transport's, no allocation.
 * docs/virtio.md "virtio-blk". */
#ifndef IOPM_DEV_VIRTIO_BLK_H
#define IOPM_DEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "iopm/dev/virtio_pci.h"
#include "iopm/dev/virtio_spec.h"

#define VIRTIO_BLK_QUEUE_MAX 256 /* the request queue's largest size */
/* seg_max: data segments a request may have, so that header, data and
 * status fit in the queue without indirect descriptors (QEMU's choice). */
#define VIRTIO_BLK_SEG_MAX 254
/* Buffers of a chain the device takes (more: the chain is refused and the
 * device is broken): what seg_max allows, header and status included. */
#define VIRTIO_BLK_MAX_SEGS (VIRTIO_BLK_SEG_MAX + 2)
/* The default budget of the kick callback (virtio_blk_process()). */
#define VIRTIO_BLK_KICK_BUDGET 64

struct virtio_blk_backend {
	/* Move `len` bytes between byte offset `off` of the backing store and
	 * guest RAM at `gpa` (write = guest data to the store). The caller
	 * (iopmd) checks gpa..gpa+len is the guest's RAM and does pread/pwrite
	 * into its mapping. 0 or a negative errno. */
	int (*rw)(void *ctx, bool write, uint64_t off, uint64_t gpa, uint32_t len);
	int (*flush)(void *ctx); /* 0 or -errno */
};

struct virtio_blk {
	struct virtio_pci vp; /* attach &vp.fn to the bus (pcihost_attach) */
	struct virtio_dev_ops ops;
	const struct virtio_blk_backend *be;
	void *be_ctx;
	uint64_t capacity; /* 512-byte sectors */
	bool read_only;
	char serial[VIRTIO_BLK_ID_BYTES]; /* NUL-padded, not necessarily NUL-terminated */
	uint8_t config[VIRTIO_BLK_CFG_SIZE];
	struct virtq_seg segs[VIRTIO_BLK_MAX_SEGS]; /* the request being served, */
	struct virtq_chain chain;		    /* as virtio_pci_pop() gave it */
	/* Counters, kept across device resets. */
	uint64_t reads, writes, flushes, get_ids; /* requests answered VIRTIO_BLK_S_OK */
	uint64_t bytes_read, bytes_written;	  /* bytes moved for IN (to the guest) and OUT */
	uint64_t errors;      /* well-formed requests answered IOERR: backend error, OUT on read-only */
	uint64_t unsupported; /* requests of an unknown type: VIRTIO_BLK_S_UNSUPP */
	uint64_t bad;	      /* malformed requests: IOERR, or no status byte to answer in */
};

/* A device of size_bytes / 512 sectors (bytes past the last whole sector
 * are not used), read-only or not, with the GET_ID string `serial` (up to
 * 20 bytes, NULL: empty), after reset. -EINVAL if a callback is missing. */
int virtio_blk_init(struct virtio_blk *b, uint64_t size_bytes, bool read_only, const char *serial,
		    const struct virtio_blk_backend *be, void *be_ctx, const struct virtio_pci_host_ops *host,
		    void *host_ctx);
/* Serve up to `budget` requests from the request queue (0); how many were
 * served. The kick callback calls it with VIRTIO_BLK_KICK_BUDGET; the
 * caller's polling loop calls it directly (and again while
 * virtio_blk_pending()). Raises the interrupt (virtio_pci_interrupt) after
 * the pushes. */
unsigned virtio_blk_process(struct virtio_blk *b, unsigned budget);
/* Whether requests are waiting in a live request queue. */
bool virtio_blk_pending(struct virtio_blk *b);

#endif
