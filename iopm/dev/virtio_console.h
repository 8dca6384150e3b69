/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_console.h: a guest's virtio console (VIRTIO 1.2, 5.3) for iopmd:
 * one port (VIRTIO_CONSOLE_F_MULTIPORT is not offered), its receiveq
 * (queue 0, input for the guest) and transmitq (queue 1, the guest's
 * output), VIRTIO_CONSOLE_F_SIZE with the console's columns and rows, on
 * the modern virtio-pci transport (iopm/dev/virtio_pci.h). A state machine
 * with callbacks: no I/O, no clock, no allocation. docs/virtio.md
 * "virtio-console". */
#ifndef IOPM_DEV_VIRTIO_CONSOLE_H
#define IOPM_DEV_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iopm/dev/virtio_pci.h"

/* The device's limits: the queue size it offers, the buffers of one chain
 * it takes (a chain cannot have more descriptors than the queue: no
 * VIRTIO_F_INDIRECT_DESC), the bytes of one chain, the bytes read or
 * written through the memory callbacks at a time. */
#define VIRTIO_CONSOLE_QUEUE_SIZE 128
#define VIRTIO_CONSOLE_MAX_SEGS	  VIRTIO_CONSOLE_QUEUE_SIZE
#define VIRTIO_CONSOLE_MAX_CHAIN  (1u << 20)
#define VIRTIO_CONSOLE_CHUNK	  256
/* The device configuration's bytes (5.3.4: cols, rows, max_nr_ports). */
#define VIRTIO_CONSOLE_CFG_SIZE 8

struct virtio_console_ops {
	/* Bytes the guest wrote (a transmitq buffer, VIRTIO_CONSOLE_CHUNK at
	 * most at a time). May call virtio_console_input(). */
	void (*out)(void *ctx, const uint8_t *buf, size_t n);
	/* Optional: the guest posted receive buffers (a receiveq kick with
	 * buffers available, or DRIVER_OK with some available already):
	 * offer the input kept back again. Called at the end of the kick,
	 * when calling virtio_console_input() from it is safe. */
	void (*rx_room)(void *ctx);
};

struct virtio_console {
	struct virtio_pci vp; /* attach &vp.fn to the bus (pcihost_attach) */
	const struct virtio_console_ops *ops;
	void *ctx;
	uint16_t cols, rows; /* the configuration (VIRTIO_CONSOLE_F_SIZE) */
	bool in_tx;	     /* virtio_console_process() is running */
	struct virtq_seg rx_segs[VIRTIO_CONSOLE_MAX_SEGS];
	struct virtq_seg tx_segs[VIRTIO_CONSOLE_MAX_SEGS];
	/* Counters, kept across resets. */
	uint64_t tx_bytes, tx_chains; /* output given to ops->out, chains completed */
	uint64_t rx_bytes, rx_chains; /* input written into receive buffers, chains completed */
	uint64_t rx_refused;	      /* input not taken for want of buffers (the caller kept it) */
	uint64_t bad_chains;	      /* chains that broke the device (docs/virtio.md) */
};

/* A device after reset with an 80x24 console; the caller attaches &c->vp.fn
 * to its PCI bus. 0, or -EINVAL (no ops->out, no host callbacks). */
int virtio_console_init(struct virtio_console *c, const struct virtio_console_ops *ops, void *ctx,
			const struct virtio_pci_host_ops *host, void *host_ctx);
/* Input for the guest: returns how many of the n bytes went into the
 * receiveq's available buffers now (each buffer filled as far as the input
 * goes, given back at once, one interrupt at the end); fewer than n (0)
 * when the guest has not posted room or the queue is not live. The caller
 * keeps the rest and offers it again (ops->rx_room says when). The model
 * drops nothing. */
size_t virtio_console_input(struct virtio_console *c, const uint8_t *buf, size_t n);
/* Whether the guest has receive buffers posted (the queue is live and its
 * available ring is ahead). */
bool virtio_console_rx_ready(struct virtio_console *c);
/* The transmitq: up to `budget` chains, their bytes to ops->out, each given
 * back with a used length of 0, one interrupt at the end. Returns the
 * chains completed (0 if the queue is not live, or when called from
 * ops->out). A kick of the transmitq runs it with VIRTIO_CONSOLE_QUEUE_SIZE
 * (all the ring can hold); a polling caller calls it too. */
unsigned virtio_console_process(struct virtio_console *c, unsigned budget);
/* Whether the transmitq has chains waiting (for a polling caller). */
bool virtio_console_tx_pending(struct virtio_console *c);
/* The console's size changed (e.g. the attached client's terminal): the
 * configuration, and a configuration interrupt (5.3.6). */
void virtio_console_set_size(struct virtio_console *c, uint16_t cols, uint16_t rows);

#endif
