/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_net.h: the virtio network device (VIRTIO 1.2, 5.1) for iopmd,
 * over the modern PCI transport (iopm/dev/virtio_pci.h): one receive
 * queue and one transmit queue, no control queue, no offloads, the
 * 12-byte struct virtio_net_hdr. A state machine with callbacks: frames
 * go out through ops->tx and come in through virtio_net_rx(), guest
 * memory only through the transport's virtq_mem_ops; no I/O, no
 * allocation, no clock. docs/virtio.md "virtio-net". */
#ifndef IOPM_DEV_VIRTIO_NET_H
#define IOPM_DEV_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iopm/dev/virtio_pci.h"
#include "iopm/dev/virtio_spec.h"

/* Ethernet frames as the device carries them, without the FCS: at least a
 * header (destination, source, type: 14 bytes), at most that and a
 * 1500-byte payload. The device offers VIRTIO_NET_F_MTU with mtu 1500 so
 * that the driver keeps to it. */
#define VIRTIO_NET_FRAME_MIN   14
#define VIRTIO_NET_MTU	       1500
#define VIRTIO_NET_FRAME_MAX   (VIRTIO_NET_FRAME_MIN + VIRTIO_NET_MTU)
#define VIRTIO_NET_QUEUE_MAX   256     /* entries per queue offered */
#define VIRTIO_NET_MAX_SEGS    64      /* buffers per chain (Linux: at most MAX_SKB_FRAGS + 2) */
#define VIRTIO_NET_CHAIN_MAX   0x20000 /* bytes per chain; more breaks the device */
#define VIRTIO_NET_CONFIG_SIZE VIRTIO_NET_CFG_SIZE_MTU

/* rx_room and tx_kick may call virtio_net_rx() and virtio_net_process()
 * right away; tx may call virtio_net_rx(), not virtio_net_process(). */
struct virtio_net_ops {
	/* A frame the guest sent (header stripped), `len` bytes, at most
	 * VIRTIO_NET_FRAME_MAX; `frame` is valid during the call only. */
	void (*tx)(void *ctx, const uint8_t *frame, size_t len);
	/* The guest posted receive buffers (a kick of the receive queue, or
	 * DRIVER_OK with buffers waiting): retry what waits. */
	void (*rx_room)(void *ctx);
	/* The guest added frames to send (a kick of the transmit queue, or
	 * DRIVER_OK with frames waiting): call virtio_net_process() until it
	 * returns less than its budget, now or later. */
	void (*tx_kick)(void *ctx);
};

/* What happened to the frames, for iopmd's status output. Kept across
 * device resets. */
struct virtio_net_stats {
	uint64_t tx_frames, tx_bytes; /* passed to ops->tx */
	uint64_t tx_drop_size;	      /* chain shorter than the header + 14 or longer than + FRAME_MAX */
	uint64_t tx_drop_hdr;	      /* a checksum or GSO request in the header (not negotiated) */
	uint64_t rx_frames, rx_bytes; /* delivered to the guest */
	uint64_t rx_drop_size;	      /* virtio_net_rx() with a frame outside FRAME_MIN..FRAME_MAX */
	uint64_t rx_drop_small;	      /* the guest's buffer was too small: returned empty */
	uint64_t rx_no_buffer;	      /* virtio_net_rx() answered 0: no buffer, or no live queue */
	uint64_t bad_chains;	      /* chains that broke the device */
};

struct virtio_net {
	struct virtio_pci vp; /* attach &vp.fn to the bus (pcihost_attach) */
	const struct virtio_net_ops *ops;
	void *ctx;
	uint8_t mac[6];
	uint16_t status; /* VIRTIO_NET_S_LINK_UP */
	struct virtio_net_stats stats;
	struct virtq_seg segs[VIRTIO_NET_MAX_SEGS];
	uint8_t buf[VIRTIO_NET_HDR_SIZE + VIRTIO_NET_FRAME_MAX]; /* a transmitted chain, gathered */
};

/* A device after reset with address `mac`, link up. -EINVAL without
 * ops->tx, ops->rx_room or ops->tx_kick, or as virtio_pci_init(). */
int virtio_net_init(struct virtio_net *n, const uint8_t mac[6], const struct virtio_net_ops *ops, void *ctx,
		    const struct virtio_pci_host_ops *host, void *host_ctx);
/* Deliver a frame to the guest: the header (num_buffers 1, no flags) and
 * the frame written into the next receive chain, the chain returned, the
 * driver interrupted if it asked to be. Returns
 *   1          delivered;
 *   0          no receive buffer, or no live receive queue (the driver is
 *              not ready, or the device is broken): the caller keeps the
 *              frame for ops->rx_room or drops it;
 *   -EMSGSIZE  `len` outside VIRTIO_NET_FRAME_MIN..VIRTIO_NET_FRAME_MAX:
 *              dropped, no buffer used;
 *   -ENOBUFS   the chain was too small for the frame: the frame is
 *              dropped and the chain returned with used length 0, nothing
 *              written (the driver counts a length error and reposts);
 *   another negative errno: a bad chain (one with device-readable
 *              buffers, or that virtq_pop() refused) or guest memory that
 *              refused a write: the frame is dropped and the device
 *              broken until the driver resets it. */
int virtio_net_rx(struct virtio_net *n, const uint8_t *frame, size_t len);
/* Send up to `budget` chains of the transmit queue through ops->tx (each
 * returned with used length 0, then one interrupt if the driver wants
 * it). Returns the chains taken; `budget` of them means more may wait. A
 * bad chain (device-writable buffers, or one virtq_pop() refused) breaks
 * the device and ends the call. */
unsigned virtio_net_process(struct virtio_net *n, unsigned budget);
/* The link went up or down: config status and a configuration interrupt. */
void virtio_net_set_link(struct virtio_net *n, bool up);

#endif
