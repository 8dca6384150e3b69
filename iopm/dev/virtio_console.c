/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_console.c: the virtio console device (VIRTIO 1.2, 5.3) with one
 * port and no multiport: the receiveq takes the caller's input into the
 * buffers the guest posted, the transmitq's buffers go to the caller's
 * out(); VIRTIO_CONSOLE_F_SIZE gives the console's size. A chain with
 * buffers of the wrong direction is a driver bug (5.3.6.1) and breaks the
 * device until the driver resets it. The transport and the queues are
 * iopm/dev/virtio_pci.c's and virtq.c's. docs/virtio.md "virtio-console". */
#include "iopm/dev/virtio_console.h"

#include <errno.h>
#include <string.h>

#include "arch/x86/pci.h"
#include "iopm/dev/virtio_spec.h"

#define RXQ VIRTIO_CONSOLE_RECEIVEQ
#define TXQ VIRTIO_CONSOLE_TRANSMITQ

/* A chain the driver should not have made: the device stops. */
static void bad_chain(struct virtio_console *c)
{
	c->bad_chains++;
	virtio_pci_set_broken(&c->vp);
}

static void put_le(uint8_t *p, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* 5.3.4: read-only for the driver (emerg_wr, past config_size, is not
 * offered). virtio_pci calls with off + size <= VIRTIO_CONSOLE_CFG_SIZE. */
static void con_cfg_read(void *ctx, unsigned off, unsigned size, uint32_t *val)
{
	struct virtio_console *c = ctx;
	uint8_t cfg[VIRTIO_CONSOLE_CFG_SIZE];
	put_le(cfg + VIRTIO_CONSOLE_CFG_COLS, 2, c->cols);
	put_le(cfg + VIRTIO_CONSOLE_CFG_ROWS, 2, c->rows);
	put_le(cfg + VIRTIO_CONSOLE_CFG_MAX_NR_PORTS, 4, 1); /* one port */
	*val = 0;
	for (unsigned i = 0; i < size && off + i < sizeof(cfg); i++)
		*val |= (uint32_t)cfg[off + i] << (8 * i);
}

static void notify_room(struct virtio_console *c)
{
	if (c->ops->rx_room && virtio_console_rx_ready(c))
		c->ops->rx_room(c->ctx);
}

static void con_kick(void *ctx, unsigned q)
{
	struct virtio_console *c = ctx;
	if (q == TXQ)
		virtio_console_process(c, VIRTIO_CONSOLE_QUEUE_SIZE);
	else if (q == RXQ)
		notify_room(c);
}

/* Buffers made available before DRIVER_OK were not kicked (3.1.1). */
static void con_driver_ok(void *ctx)
{
	struct virtio_console *c = ctx;
	if (virtio_console_tx_pending(c))
		virtio_console_process(c, VIRTIO_CONSOLE_QUEUE_SIZE);
	notify_room(c);
}

static const struct virtio_dev_ops console_dev = {
    .device_id = VIRTIO_ID_CONSOLE,
    .class_code = PCI_CLASS_COMMUNICATION_OTHER,
    .features = 1ull << VIRTIO_CONSOLE_F_SIZE | 1ull << VIRTIO_F_EVENT_IDX,
    .num_queues = 2,
    .queue_max = VIRTIO_CONSOLE_QUEUE_SIZE,
    .config_size = VIRTIO_CONSOLE_CFG_SIZE,
    .max_chain_len = VIRTIO_CONSOLE_MAX_CHAIN,
    .config_read = con_cfg_read,
    .kick = con_kick,
    .driver_ok = con_driver_ok,
};

int virtio_console_init(struct virtio_console *c, const struct virtio_console_ops *ops, void *ctx,
			const struct virtio_pci_host_ops *host, void *host_ctx)
{
	if (!ops || !ops->out)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->ctx = ctx;
	c->cols = 80;
	c->rows = 24;
	return virtio_pci_init(&c->vp, &console_dev, c, host, host_ctx);
}

bool virtio_console_rx_ready(struct virtio_console *c)
{
	struct virtq *q = virtio_pci_vq(&c->vp, RXQ);
	return q && virtq_pending(q);
}

bool virtio_console_tx_pending(struct virtio_console *c)
{
	struct virtq *q = virtio_pci_vq(&c->vp, TXQ);
	return q && virtq_pending(q);
}

/* Input into one receive chain's writable buffers: the bytes written, or
 * -EFAULT (the memory callback refused: the device is broken). */
static long fill(struct virtio_console *c, const struct virtq_chain *ch, const uint8_t *buf, size_t n)
{
	const struct virtq_mem_ops *mem = c->vp.host->mem;
	size_t done = 0;
	for (unsigned i = 0; i < ch->nsegs && done < n; i++) {
		const struct virtq_seg *s = &c->rx_segs[i];
		for (uint32_t off = 0; off < s->len && done < n;) {
			size_t k = s->len - off;
			if (k > n - done)
				k = n - done;
			if (k > VIRTIO_CONSOLE_CHUNK)
				k = VIRTIO_CONSOLE_CHUNK;
			if (mem->write(c->vp.host_ctx, s->gpa + off, buf + done, k)) {
				bad_chain(c);
				return -EFAULT;
			}
			off += (uint32_t)k;
			done += k;
		}
	}
	return (long)done;
}

size_t virtio_console_input(struct virtio_console *c, const uint8_t *buf, size_t n)
{
	size_t taken = 0;
	unsigned pushed = 0;
	/* At most one pass over the ring: every chain takes a byte at least,
	 * or is given back empty. */
	for (unsigned i = 0; taken < n && i < VIRTIO_CONSOLE_QUEUE_SIZE; i++) {
		struct virtq_chain ch;
		int r = virtio_pci_pop(&c->vp, RXQ, c->rx_segs, VIRTIO_CONSOLE_MAX_SEGS, &ch);
		if (r < 0 && r != -EIO)
			c->bad_chains++; /* the transport broke the device */
		if (r <= 0)
			break;
		if (ch.read_len) { /* 5.3.6.1: no device-readable buffer in a receiveq */
			bad_chain(c);
			break;
		}
		long k = fill(c, &ch, buf + taken, n - taken);
		if (k < 0 || virtio_pci_push(&c->vp, RXQ, ch.head, (uint32_t)k))
			break;
		taken += (size_t)k;
		c->rx_bytes += (uint64_t)k;
		c->rx_chains++;
		pushed++;
	}
	if (pushed)
		virtio_pci_interrupt(&c->vp, RXQ);
	c->rx_refused += n - taken;
	return taken;
}

/* One transmit chain's bytes to ops->out: 0, -EFAULT (broken), or -EIO
 * (the queue stopped during out(): a reset from another vCPU; the rest of
 * the chain is not read). */
static int send(struct virtio_console *c, const struct virtq_chain *ch)
{
	const struct virtq_mem_ops *mem = c->vp.host->mem;
	uint8_t buf[VIRTIO_CONSOLE_CHUNK];
	for (unsigned i = 0; i < ch->nsegs; i++) {
		const struct virtq_seg *s = &c->tx_segs[i];
		for (uint32_t off = 0; off < s->len;) {
			uint32_t k = s->len - off < sizeof(buf) ? s->len - off : (uint32_t)sizeof(buf);
			if (mem->read(c->vp.host_ctx, s->gpa + off, buf, k)) {
				bad_chain(c);
				return -EFAULT;
			}
			c->ops->out(c->ctx, buf, k);
			c->tx_bytes += k;
			off += k;
			if (!virtio_pci_vq(&c->vp, TXQ))
				return -EIO;
		}
	}
	return 0;
}

unsigned virtio_console_process(struct virtio_console *c, unsigned budget)
{
	unsigned done = 0;
	if (c->in_tx)
		return 0;
	c->in_tx = true;
	while (done < budget) {
		struct virtq_chain ch;
		int r = virtio_pci_pop(&c->vp, TXQ, c->tx_segs, VIRTIO_CONSOLE_MAX_SEGS, &ch);
		if (r < 0 && r != -EIO)
			c->bad_chains++;
		if (r <= 0)
			break;
		if (ch.write_len) { /* 5.3.6.1: no device-writable buffer in a transmitq */
			bad_chain(c);
			break;
		}
		if (send(c, &ch) || virtio_pci_push(&c->vp, TXQ, ch.head, 0))
			break;
		c->tx_chains++;
		done++;
	}
	if (done)
		virtio_pci_interrupt(&c->vp, TXQ);
	c->in_tx = false;
	return done;
}

void virtio_console_set_size(struct virtio_console *c, uint16_t cols, uint16_t rows)
{
	if (c->cols == cols && c->rows == rows)
		return;
	c->cols = cols;
	c->rows = rows;
	virtio_pci_config_changed(&c->vp);
}
