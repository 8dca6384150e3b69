/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_pci.h: the modern virtio-pci transport (VIRTIO 1.2, 4.1) for
 * iopmd's virtio devices: a PCI function (iopm/dev/pcihost.h) with the
 * virtio capabilities and an MSI-X capability, one 64-bit memory BAR
 * holding the common configuration, ISR status, device configuration,
 * notification area, MSI-X table and PBA; the device status state
 * machine, feature negotiation, queue setup over iopm/dev/virtq.h, INTx
 * and MSI-X interrupts. A state machine with callbacks: no I/O, no
 * allocation. A device type (blk, net, console) plugs in with a
 * struct virtio_dev_ops. docs/virtio.md. */
#ifndef IOPM_DEV_VIRTIO_PCI_H
#define IOPM_DEV_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtq.h"

#define VIRTIO_PCI_MAX_QUEUES  16
#define VIRTIO_PCI_MAX_VECTORS (VIRTIO_PCI_MAX_QUEUES + 1) /* one per queue and the config's */

/* The BAR (BAR 0, 64-bit, 0 and 1) and where each structure is in it, a
 * 4 KiB page each. */
#define VIRTIO_PCI_BAR		   0
#define VIRTIO_PCI_BAR_SIZE	   0x8000
#define VIRTIO_PCI_BAR_COMMON	   0x0000
#define VIRTIO_PCI_BAR_ISR	   0x1000
#define VIRTIO_PCI_BAR_DEVICE	   0x2000
#define VIRTIO_PCI_BAR_NOTIFY	   0x3000
#define VIRTIO_PCI_BAR_MSIX_TABLE  0x4000
#define VIRTIO_PCI_BAR_MSIX_PBA	   0x5000
#define VIRTIO_PCI_REGION	   0x1000
#define VIRTIO_PCI_NOTIFY_OFF_MULT 4 /* queue q is kicked at BAR_NOTIFY + 4 * q */
#define VIRTIO_PCI_DEVICE_CFG_MAX  VIRTIO_PCI_REGION

/* Where the capabilities are in configuration space. */
#define VIRTIO_PCI_CFG_MSIX   0x40
#define VIRTIO_PCI_CFG_COMMON 0x4c
#define VIRTIO_PCI_CFG_NOTIFY 0x5c
#define VIRTIO_PCI_CFG_ISR    0x70
#define VIRTIO_PCI_CFG_DEVICE 0x80 /* only with a device configuration (config_size > 0) */
#define VIRTIO_PCI_CFG_PCI    0x90 /* the configuration access window (4.1.4.9) */

/* What a device type supplies. */
struct virtio_dev_ops {
	uint16_t device_id;	/* VIRTIO_ID_*: PCI device ID 0x1040 + this */
	uint32_t class_code;	/* PCI class code (base << 16 | sub << 8 | prog-if) */
	uint64_t features;	/* offered; VIRTIO_F_VERSION_1 is added */
	uint16_t num_queues;	/* 1 to VIRTIO_PCI_MAX_QUEUES */
	uint16_t queue_max;	/* largest queue size, a power of 2 up to VIRTQ_MAX_SIZE */
	uint16_t config_size;	/* bytes of device configuration, up to VIRTIO_PCI_DEVICE_CFG_MAX */
	uint64_t max_chain_len; /* longest chain in bytes (0: 4 GiB - 1) */
	/* The device configuration (4.1.4.6): `size` (1, 2 or 4) bytes at
	 * `off`, inside config_size. Optional: reads 0, writes dropped. */
	void (*config_read)(void *ctx, unsigned off, unsigned size, uint32_t *val);
	void (*config_write)(void *ctx, unsigned off, unsigned size, uint32_t val);
	/* The driver notified queue `queue` (live: see virtio_pci_vq()). */
	void (*kick)(void *ctx, unsigned queue);
	/* The driver reset the device (wrote 0 to device_status): forget
	 * every request. Optional. */
	void (*reset)(void *ctx);
	/* The driver set DRIVER_OK: the queues it enabled are live. Optional. */
	void (*driver_ok)(void *ctx);
};

/* What the platform supplies. */
struct virtio_pci_host_ops {
	const struct virtq_mem_ops *mem; /* the guest's RAM, for the queues */
	/* The INTx line (INTA#) changed to `level`. */
	void (*intx)(void *ctx, bool level);
	/* An MSI-X message: write `data` at `addr` (the guest's LAPIC). */
	void (*msi)(void *ctx, uint64_t addr, uint32_t data);
};

struct virtio_pci_queue {
	struct virtq vq;
	uint16_t size, vector;
	bool enabled;
	uint64_t desc, driver, device;
};

struct virtio_pci_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct virtio_pci {
	struct pci_fn fn; /* attach &fn to the bus (pcihost_attach) */
	const struct virtio_dev_ops *dev;
	void *dev_ctx;
	const struct virtio_pci_host_ops *host;
	void *host_ctx;
	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	uint16_t msix_config, queue_select;
	uint8_t status, config_generation, isr;
	bool intx;   /* the level last given to host->intx */
	bool broken; /* a queue broke: NEEDS_RESET, every queue stopped until reset */
	unsigned nvectors;
	uint32_t pending; /* MSI-X pending bits */
	struct virtio_pci_msix_entry msix[VIRTIO_PCI_MAX_VECTORS];
	struct virtio_pci_queue q[VIRTIO_PCI_MAX_QUEUES];
};

/* A device after reset, its configuration space filled in, the BAR not
 * placed, MSI-X disabled with every vector masked. -EINVAL for a device
 * description outside the limits above. */
int virtio_pci_init(struct virtio_pci *vp, const struct virtio_dev_ops *dev, void *dev_ctx,
		    const struct virtio_pci_host_ops *host, void *host_ctx);
/* A guest access of `size` bytes (1, 2, 4 or 8) at `gpa`: -ENOENT if not in
 * the BAR or memory decoding is off, else as virtio_pci_bar_io(). */
int virtio_pci_mmio(struct virtio_pci *vp, uint64_t gpa, unsigned size, bool write, uint64_t *val);
/* An access at offset `off` of the BAR: 0, or -EINVAL for a size other
 * than 1, 2, 4, 8 or an access past the BAR's end (a refused read is all
 * ones). Inside the BAR, what no register decodes reads 0 and ignores
 * writes (docs/virtio.md lists what each structure accepts). */
int virtio_pci_bar_io(struct virtio_pci *vp, uint64_t off, unsigned size, bool write, uint64_t *val);

/* Queue `q` if it is live: DRIVER_OK set and FAILED not, the queue
 * enabled, the device not broken; else NULL. */
struct virtq *virtio_pci_vq(struct virtio_pci *vp, unsigned q);
/* virtq_pop()/virtq_push() on a live queue: -EIO if it is not; an error
 * breaks the device (virtio_pci_set_broken()). */
int virtio_pci_pop(struct virtio_pci *vp, unsigned q, struct virtq_seg *segs, unsigned max_segs,
		   struct virtq_chain *chain);
int virtio_pci_push(struct virtio_pci *vp, unsigned q, uint16_t head, uint32_t len);
/* After pushes: interrupt the driver if the queue's suppression allows (the
 * queue's MSI-X vector, or ISR bit 0 and INTx). Returns whether it did. */
bool virtio_pci_interrupt(struct virtio_pci *vp, unsigned q);
/* The device configuration changed: config_generation moves on, and the
 * driver gets a configuration interrupt. */
void virtio_pci_config_changed(struct virtio_pci *vp);
/* The device cannot go on (a bad chain, a request it cannot parse):
 * NEEDS_RESET, every queue stopped, a configuration interrupt if DRIVER_OK
 * (2.1.2), until the driver resets the device. */
void virtio_pci_set_broken(struct virtio_pci *vp);

#endif
