/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_net.c: the virtio network device (VIRTIO 1.2, 5.1) over the
 * modern PCI transport: the device configuration (mac, link status, mtu),
 * the transmit queue gathered into a bounce buffer and handed to the
 * caller, received frames scattered into the receive queue's buffers
 * behind the 12-byte struct virtio_net_hdr. No offloads, no control
 * queue, one queue pair. docs/virtio.md "virtio-net". */
#include "iopm/dev/virtio_net.h"

#include <errno.h>
#include <string.h>

#define F(bit) (1ull << (bit))

static struct virtio_net *to_net(void *ctx)
{
	return ctx;
}

/* The device configuration (5.1.4): mac, status, max_virtqueue_pairs (1:
 * only read with MQ or RSS, which are not offered), mtu. Read-only: a 1.x
 * driver changes the address only through the control queue, which is not
 * offered, so writes are dropped. */
static void config_read(void *ctx, unsigned off, unsigned size, uint32_t *val)
{
	struct virtio_net *n = to_net(ctx);
	uint8_t cfg[VIRTIO_NET_CONFIG_SIZE];
	memcpy(cfg + VIRTIO_NET_CFG_MAC, n->mac, sizeof(n->mac));
	cfg[VIRTIO_NET_CFG_STATUS] = (uint8_t)n->status;
	cfg[VIRTIO_NET_CFG_STATUS + 1] = (uint8_t)(n->status >> 8);
	cfg[VIRTIO_NET_CFG_MAX_VQ_PAIRS] = 1;
	cfg[VIRTIO_NET_CFG_MAX_VQ_PAIRS + 1] = 0;
	cfg[VIRTIO_NET_CFG_MTU] = (uint8_t)VIRTIO_NET_MTU;
	cfg[VIRTIO_NET_CFG_MTU + 1] = (uint8_t)(VIRTIO_NET_MTU >> 8);
	*val = 0;
	for (unsigned i = 0; i < size && off + i < sizeof(cfg); i++)
		*val |= (uint32_t)cfg[off + i] << (8 * i);
}

static void kick(void *ctx, unsigned q)
{
	struct virtio_net *n = to_net(ctx);
	if (q == VIRTIO_NET_Q_RX)
		n->ops->rx_room(n->ctx);
	else if (q == VIRTIO_NET_Q_TX)
		n->ops->tx_kick(n->ctx);
}

/* Entries the driver made available before DRIVER_OK were not kicked (a
 * kick before DRIVER_OK is dropped): look now. */
static void driver_ok(void *ctx)
{
	struct virtio_net *n = to_net(ctx);
	struct virtq *rx = virtio_pci_vq(&n->vp, VIRTIO_NET_Q_RX);
	struct virtq *tx = virtio_pci_vq(&n->vp, VIRTIO_NET_Q_TX);
	if (rx && virtq_pending(rx))
		n->ops->rx_room(n->ctx);
	if (tx && virtq_pending(tx))
		n->ops->tx_kick(n->ctx);
}

static const struct virtio_dev_ops net_ops = {
    .device_id = VIRTIO_ID_NET,
    .class_code = PCI_CLASS_NETWORK_ETHERNET,
    .features = F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) | F(VIRTIO_NET_F_MTU) | F(VIRTIO_F_EVENT_IDX) |
		F(VIRTIO_F_INDIRECT_DESC),
    .num_queues = 2,
    .queue_max = VIRTIO_NET_QUEUE_MAX,
    .config_size = VIRTIO_NET_CONFIG_SIZE,
    .max_chain_len = VIRTIO_NET_CHAIN_MAX,
    .config_read = config_read,
    .kick = kick,
    .driver_ok = driver_ok,
};

int virtio_net_init(struct virtio_net *n, const uint8_t mac[6], const struct virtio_net_ops *ops, void *ctx,
		    const struct virtio_pci_host_ops *host, void *host_ctx)
{
	if (!mac || !ops || !ops->tx || !ops->rx_room || !ops->tx_kick)
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	n->ops = ops;
	n->ctx = ctx;
	memcpy(n->mac, mac, sizeof(n->mac));
	n->status = VIRTIO_NET_S_LINK_UP;
	return virtio_pci_init(&n->vp, &net_ops, n, host, host_ctx);
}

void virtio_net_set_link(struct virtio_net *n, bool up)
{
	uint16_t st = up ? VIRTIO_NET_S_LINK_UP : 0;
	if (st == n->status)
		return;
	n->status = st;
	virtio_pci_config_changed(&n->vp);
}

/* A chain the driver got wrong, or guest memory that refused what the
 * queue had validated: the device stops until the driver resets it. */
static int bad_chain(struct virtio_net *n, int err)
{
	n->stats.bad_chains++;
	virtio_pci_set_broken(&n->vp);
	return err;
}

/* Write `len` bytes at offset `off` of the chain's (writable) buffers. */
static int to_chain(struct virtio_net *n, const struct virtq_chain *c, uint64_t off, const uint8_t *src,
		    size_t len)
{
	const struct virtq_mem_ops *mem = n->vp.host->mem;
	for (unsigned i = 0; i < c->nsegs && len; i++) {
		const struct virtq_seg *s = &n->segs[i];
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		size_t k = s->len - off < len ? (size_t)(s->len - off) : len;
		int r = mem->write(n->vp.host_ctx, s->gpa + off, src, k);
		if (r)
			return r;
		src += k;
		len -= k;
		off = 0;
	}
	return len ? -EFAULT : 0;
}

int virtio_net_rx(struct virtio_net *n, const uint8_t *frame, size_t len)
{
	if (len < VIRTIO_NET_FRAME_MIN || len > VIRTIO_NET_FRAME_MAX) {
		n->stats.rx_drop_size++;
		return -EMSGSIZE;
	}
	struct virtq_chain c;
	int r = 0;
	if (virtio_pci_vq(&n->vp, VIRTIO_NET_Q_RX))
		r = virtio_pci_pop(&n->vp, VIRTIO_NET_Q_RX, n->segs, VIRTIO_NET_MAX_SEGS, &c);
	if (r == 0) {
		n->stats.rx_no_buffer++;
		return 0;
	}
	if (r < 0) {
		n->stats.bad_chains++; /* the transport broke the device */
		return r;
	}
	/* 5.1.6.3: receive buffers are device-writable only. */
	if (c.read_len)
		return bad_chain(n, -EINVAL);
	if (c.write_len < VIRTIO_NET_HDR_SIZE + len) {
		/* The driver should post at least header + 1514 bytes
		 * (5.1.6.3.1, a SHOULD): not a broken device, but the frame
		 * cannot be split over chains without MRG_RXBUF. Give the
		 * buffer back empty; Linux counts a length error. */
		n->stats.rx_drop_small++;
		if (virtio_pci_push(&n->vp, VIRTIO_NET_Q_RX, c.head, 0) < 0) {
			n->stats.bad_chains++;
			return -EIO;
		}
		virtio_pci_interrupt(&n->vp, VIRTIO_NET_Q_RX);
		return -ENOBUFS;
	}
	/* 5.1.6.4: no offloads, so no flags and GSO_NONE; num_buffers 1
	 * (without MRG_RXBUF the device must set it so). */
	uint8_t hdr[VIRTIO_NET_HDR_SIZE] = {0};
	hdr[VIRTIO_NET_HDR_FLAGS] = 0;
	hdr[VIRTIO_NET_HDR_GSO_TYPE] = VIRTIO_NET_HDR_GSO_NONE;
	hdr[VIRTIO_NET_HDR_NUM_BUFFERS] = 1;
	if (to_chain(n, &c, 0, hdr, sizeof(hdr)) || to_chain(n, &c, sizeof(hdr), frame, len))
		return bad_chain(n, -EFAULT);
	if (virtio_pci_push(&n->vp, VIRTIO_NET_Q_RX, c.head, (uint32_t)(VIRTIO_NET_HDR_SIZE + len)) < 0) {
		n->stats.bad_chains++;
		return -EIO;
	}
	n->stats.rx_frames++;
	n->stats.rx_bytes += len;
	virtio_pci_interrupt(&n->vp, VIRTIO_NET_Q_RX);
	return 1;
}

/* Read the chain's `c->read_len` bytes into the bounce buffer. */
static int from_chain(struct virtio_net *n, const struct virtq_chain *c)
{
	const struct virtq_mem_ops *mem = n->vp.host->mem;
	size_t at = 0;
	for (unsigned i = 0; i < c->nsegs; i++) {
		const struct virtq_seg *s = &n->segs[i];
		if (s->len > sizeof(n->buf) - at)
			return -EFAULT; /* cannot happen: read_len was checked */
		int r = mem->read(n->vp.host_ctx, s->gpa, n->buf + at, s->len);
		if (r)
			return r;
		at += s->len;
	}
	return 0;
}

/* One transmit chain, validated: give the frame to ops->tx or drop it. */
static void transmit(struct virtio_net *n, size_t total)
{
	if (total < VIRTIO_NET_HDR_SIZE + VIRTIO_NET_FRAME_MIN ||
	    total > VIRTIO_NET_HDR_SIZE + VIRTIO_NET_FRAME_MAX) {
		n->stats.tx_drop_size++;
		return;
	}
	/* 5.1.6.2.2: flag bits it does not know the device ignores; a
	 * checksum or segmentation request without the feature (5.1.6.2.1
	 * forbids it) would put a wrong frame on the wire. */
	if ((n->buf[VIRTIO_NET_HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
	    n->buf[VIRTIO_NET_HDR_GSO_TYPE] != VIRTIO_NET_HDR_GSO_NONE) {
		n->stats.tx_drop_hdr++;
		return;
	}
	size_t len = total - VIRTIO_NET_HDR_SIZE;
	n->stats.tx_frames++;
	n->stats.tx_bytes += len;
	n->ops->tx(n->ctx, n->buf + VIRTIO_NET_HDR_SIZE, len);
}

unsigned virtio_net_process(struct virtio_net *n, unsigned budget)
{
	unsigned done = 0;
	while (done < budget && virtio_pci_vq(&n->vp, VIRTIO_NET_Q_TX)) {
		struct virtq_chain c;
		int r = virtio_pci_pop(&n->vp, VIRTIO_NET_Q_TX, n->segs, VIRTIO_NET_MAX_SEGS, &c);
		if (r == 0)
			break;
		if (r < 0) {
			n->stats.bad_chains++;
			break;
		}
		done++;
		/* 5.1.6.2: transmit buffers are device-readable only. */
		if (c.write_len) {
			bad_chain(n, -EINVAL);
			break;
		}
		if (c.read_len <= sizeof(n->buf) && from_chain(n, &c)) {
			bad_chain(n, -EFAULT);
			break;
		}
		/* ops->tx may deliver to this device's receive queue: it uses
		 * n->segs, which this chain no longer needs. */
		transmit(n, (size_t)c.read_len);
		/* The device wrote nothing into the chain: used length 0. A
		 * device that ops->tx broke (a bad receive chain) is not
		 * counted twice. */
		bool was_broken = n->vp.broken;
		if (virtio_pci_push(&n->vp, VIRTIO_NET_Q_TX, c.head, 0) < 0) {
			if (!was_broken)
				n->stats.bad_chains++;
			break;
		}
	}
	if (done)
		virtio_pci_interrupt(&n->vp, VIRTIO_NET_Q_TX);
	return done;
}
