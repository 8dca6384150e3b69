/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_pci.c: the modern virtio-pci transport (VIRTIO 1.2, 4.1): the
 * PCI function with its capabilities, the common configuration structure
 * and the device status state machine (2.1, 3.1), feature negotiation
 * (2.2), the ISR status with INTx, MSI-X (PCI 3.0 6.8.2: table, pending
 * bits, per-vector and function masks), notifications and the device
 * configuration; the queues are iopm/dev/virtq.c's. docs/virtio.md. */
#include "iopm/dev/virtio_pci.h"

#include <errno.h>
#include <string.h>

#include "iopm/dev/virtio_spec.h"

/* The pending bits are one 32-bit word. */
_Static_assert(VIRTIO_PCI_MAX_VECTORS <= 32, "pending bits");

#define STATUS_DRIVER_BITS                                                                                   \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK |                        \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_FAILED)

static uint64_t offered(const struct virtio_pci *vp)
{
	return vp->dev->features | 1ull << VIRTIO_F_VERSION_1;
}

static bool power_of_two(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* Interrupts. */

static bool msix_enabled(const struct virtio_pci *vp)
{
	return pci_fn_get(&vp->fn, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2) & PCI_MSIX_CTRL_ENABLE;
}

static bool msix_masked(const struct virtio_pci *vp, unsigned v)
{
	return (pci_fn_get(&vp->fn, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2) & PCI_MSIX_CTRL_MASKALL) ||
	       (vp->msix[v].ctrl & PCI_MSIX_ENTRY_MASKED);
}

static void update_intx(struct virtio_pci *vp)
{
	bool level =
	    vp->isr && !msix_enabled(vp) && !(pci_fn_get(&vp->fn, PCI_COMMAND, 2) & PCI_COMMAND_INTX_DISABLE);
	uint32_t st = pci_fn_get(&vp->fn, PCI_STATUS, 2);
	pci_fn_set(&vp->fn, PCI_STATUS, 2, level ? st | PCI_STATUS_INTERRUPT : st & ~PCI_STATUS_INTERRUPT);
	if (level != vp->intx) {
		vp->intx = level;
		vp->host->intx(vp->host_ctx, level);
	}
}

static void msix_send(struct virtio_pci *vp, uint16_t v)
{
	if (v >= vp->nvectors)
		return; /* VIRTIO_MSI_NO_VECTOR: the driver wants none */
	if (msix_masked(vp, v)) {
		vp->pending |= 1u << v;
		return;
	}
	const struct virtio_pci_msix_entry *e = &vp->msix[v];
	vp->host->msi(vp->host_ctx, (uint64_t)e->addr_hi << 32 | e->addr_lo, e->data);
}

/* Send what became unmasked. */
static void msix_flush(struct virtio_pci *vp)
{
	if (!msix_enabled(vp))
		return;
	for (unsigned v = 0; v < vp->nvectors; v++) {
		if ((vp->pending & 1u << v) && !msix_masked(vp, v)) {
			vp->pending &= ~(1u << v);
			msix_send(vp, (uint16_t)v);
		}
	}
}

static void config_interrupt(struct virtio_pci *vp)
{
	/* 4.1.5.3: the ISR bit is set with MSI-X too. */
	vp->isr |= VIRTIO_PCI_ISR_CONFIG;
	if (msix_enabled(vp))
		msix_send(vp, vp->msix_config);
	update_intx(vp);
}

/* Queues and status. */

static bool queue_live(const struct virtio_pci *vp, unsigned q)
{
	return q < vp->dev->num_queues && vp->q[q].enabled && !vp->broken &&
	       (vp->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FAILED)) == VIRTIO_STATUS_DRIVER_OK &&
	       !vp->q[q].vq.broken;
}

struct virtq *virtio_pci_vq(struct virtio_pci *vp, unsigned q)
{
	return queue_live(vp, q) ? &vp->q[q].vq : NULL;
}

void virtio_pci_set_broken(struct virtio_pci *vp)
{
	if (vp->broken)
		return;
	vp->broken = true;
	vp->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (vp->status & VIRTIO_STATUS_DRIVER_OK)
		config_interrupt(vp);
}

int virtio_pci_pop(struct virtio_pci *vp, unsigned q, struct virtq_seg *segs, unsigned max_segs,
		   struct virtq_chain *chain)
{
	if (!queue_live(vp, q))
		return -EIO;
	int r = virtq_pop(&vp->q[q].vq, segs, max_segs, chain);
	if (r < 0)
		virtio_pci_set_broken(vp);
	return r;
}

int virtio_pci_push(struct virtio_pci *vp, unsigned q, uint16_t head, uint32_t len)
{
	if (!queue_live(vp, q))
		return -EIO;
	int r = virtq_push(&vp->q[q].vq, head, len);
	if (r < 0)
		virtio_pci_set_broken(vp);
	return r;
}

bool virtio_pci_interrupt(struct virtio_pci *vp, unsigned q)
{
	if (!queue_live(vp, q))
		return false;
	if (!virtq_need_interrupt(&vp->q[q].vq)) {
		if (vp->q[q].vq.broken)
			virtio_pci_set_broken(vp);
		return false;
	}
	if (msix_enabled(vp)) {
		msix_send(vp, vp->q[q].vector);
	} else {
		vp->isr |= VIRTIO_PCI_ISR_QUEUE;
		update_intx(vp);
	}
	return true;
}

void virtio_pci_config_changed(struct virtio_pci *vp)
{
	vp->config_generation++;
	if (vp->status & VIRTIO_STATUS_DRIVER_OK)
		config_interrupt(vp);
}

static void device_reset(struct virtio_pci *vp)
{
	vp->status = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->driver_features = 0;
	vp->msix_config = VIRTIO_MSI_NO_VECTOR;
	vp->queue_select = 0;
	vp->isr = 0;
	vp->broken = false;
	for (unsigned i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++) {
		struct virtio_pci_queue *q = &vp->q[i];
		memset(q, 0, sizeof(*q));
		virtq_reset(&q->vq);
		q->size = i < vp->dev->num_queues ? vp->dev->queue_max : 0;
		q->vector = VIRTIO_MSI_NO_VECTOR;
	}
	update_intx(vp);
}

/* 2.1, 3.1.1: bits are only added, each after its predecessor; only a
 * write of 0 clears them (a reset). FEATURES_OK sticks only if the
 * driver accepted VERSION_1 and nothing the device did not offer; no
 * DRIVER_OK after FAILED. Writes that break the order are dropped whole. */
static void set_status(struct virtio_pci *vp, uint8_t v)
{
	if (!v) {
		device_reset(vp);
		if (vp->dev->reset)
			vp->dev->reset(vp->dev_ctx);
		return;
	}
	uint8_t old = vp->status & STATUS_DRIVER_BITS, drv = v & STATUS_DRIVER_BITS;
	if (old & ~drv)
		return;
	uint8_t added = drv & ~old;
	if (added & VIRTIO_STATUS_FEATURES_OK) {
		bool ok =
		    !(vp->driver_features & ~offered(vp)) && (vp->driver_features >> VIRTIO_F_VERSION_1 & 1);
		if (!ok) {
			drv &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
			added &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
		}
	}
	if (((added & VIRTIO_STATUS_DRIVER) && !(drv & VIRTIO_STATUS_ACKNOWLEDGE)) ||
	    ((added & VIRTIO_STATUS_FEATURES_OK) && !(drv & VIRTIO_STATUS_DRIVER)) ||
	    ((added & VIRTIO_STATUS_DRIVER_OK) &&
	     (!(drv & VIRTIO_STATUS_FEATURES_OK) || (drv & VIRTIO_STATUS_FAILED))))
		return;
	vp->status = (uint8_t)((vp->status & VIRTIO_STATUS_NEEDS_RESET) | drv);
	if ((added & VIRTIO_STATUS_DRIVER_OK) && vp->dev->driver_ok)
		vp->dev->driver_ok(vp->dev_ctx);
}

static struct virtio_pci_queue *selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->dev->num_queues ? &vp->q[vp->queue_select] : NULL;
}

static uint16_t vector_or_none(const struct virtio_pci *vp, uint32_t v)
{
	return v < vp->nvectors ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
}

static void enable_queue(struct virtio_pci *vp, struct virtio_pci_queue *q)
{
	q->enabled = true;
	if (virtq_setup(&q->vq, vp->host->mem, vp->host_ctx, q->size, q->desc, q->driver, q->device,
			vp->driver_features, vp->dev->max_chain_len))
		virtio_pci_set_broken(vp); /* misaligned or outside RAM */
}

/* The common configuration structure (4.1.4.3). */

struct field {
	uint8_t off, size;
};

static const struct field fields[] = {
    {VIRTIO_PCI_COMMON_DFSELECT, 4}, {VIRTIO_PCI_COMMON_DF, 4},	    {VIRTIO_PCI_COMMON_GFSELECT, 4},
    {VIRTIO_PCI_COMMON_GF, 4},	     {VIRTIO_PCI_COMMON_MSIX, 2},   {VIRTIO_PCI_COMMON_NUMQ, 2},
    {VIRTIO_PCI_COMMON_STATUS, 1},   {VIRTIO_PCI_COMMON_CFGGEN, 1}, {VIRTIO_PCI_COMMON_Q_SELECT, 2},
    {VIRTIO_PCI_COMMON_Q_SIZE, 2},   {VIRTIO_PCI_COMMON_Q_MSIX, 2}, {VIRTIO_PCI_COMMON_Q_ENABLE, 2},
    {VIRTIO_PCI_COMMON_Q_NOFF, 2},   {VIRTIO_PCI_COMMON_Q_DESC, 8}, {VIRTIO_PCI_COMMON_Q_AVAIL, 8},
    {VIRTIO_PCI_COMMON_Q_USED, 8},
};

static const struct field *field_at(unsigned off)
{
	for (unsigned i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (off >= fields[i].off && off < fields[i].off + fields[i].size)
			return &fields[i];
	return NULL;
}

static uint64_t common_get(struct virtio_pci *vp, unsigned off)
{
	struct virtio_pci_queue *q = selected(vp);
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return vp->dfselect;
	case VIRTIO_PCI_COMMON_DF:
		return vp->dfselect < 2 ? (uint32_t)(offered(vp) >> (32 * vp->dfselect)) : 0;
	case VIRTIO_PCI_COMMON_GFSELECT:
		return vp->gfselect;
	case VIRTIO_PCI_COMMON_GF:
		return vp->gfselect < 2 ? (uint32_t)(vp->driver_features >> (32 * vp->gfselect)) : 0;
	case VIRTIO_PCI_COMMON_MSIX:
		return vp->msix_config;
	case VIRTIO_PCI_COMMON_NUMQ:
		return vp->dev->num_queues;
	case VIRTIO_PCI_COMMON_STATUS:
		return vp->status;
	case VIRTIO_PCI_COMMON_CFGGEN:
		return vp->config_generation;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return vp->queue_select;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return q ? q->size : 0; /* 0: no such queue */
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return q ? q->vector : VIRTIO_MSI_NO_VECTOR;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return q ? q->enabled : 0;
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return q ? vp->queue_select : 0;
	case VIRTIO_PCI_COMMON_Q_DESC:
		return q ? q->desc : 0;
	case VIRTIO_PCI_COMMON_Q_AVAIL:
		return q ? q->driver : 0;
	case VIRTIO_PCI_COMMON_Q_USED:
		return q ? q->device : 0;
	}
	return 0;
}

static uint64_t common_read(struct virtio_pci *vp, unsigned off, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++) {
		const struct field *f = field_at(off + i);
		if (f)
			v |= (common_get(vp, f->off) >> (8 * (off + i - f->off)) & 0xff) << (8 * i);
	}
	return v;
}

/* A 64-bit address field: all of it, or one 32-bit half (4.1.3.1). */
static void set_addr(uint64_t *a, unsigned at, unsigned size, uint64_t v)
{
	if (size == 8)
		*a = v;
	else if (at == 0)
		*a = (*a & 0xffffffff00000000ull) | (uint32_t)v;
	else
		*a = (*a & 0xffffffffull) | (uint64_t)(uint32_t)v << 32;
}

/* Writes of the field's own width (or a 64-bit field's halves) only. */
static void common_write(struct virtio_pci *vp, unsigned off, unsigned size, uint64_t v)
{
	const struct field *f = field_at(off);
	if (!f)
		return;
	unsigned at = off - f->off;
	if (!(at == 0 && size == f->size) && !(f->size == 8 && size == 4 && (at == 0 || at == 4)))
		return;
	struct virtio_pci_queue *q = selected(vp);
	bool q_writable = q && !q->enabled;
	switch (f->off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		vp->dfselect = (uint32_t)v;
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		vp->gfselect = (uint32_t)v;
		break;
	case VIRTIO_PCI_COMMON_GF:
		/* Fixed once FEATURES_OK is set; only bits 0-63 exist. */
		if (vp->gfselect < 2 && !(vp->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned sh = 32 * vp->gfselect;
			vp->driver_features =
			    (vp->driver_features & ~(0xffffffffull << sh)) | (v & 0xffffffffull) << sh;
		}
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		vp->msix_config = vector_or_none(vp, (uint32_t)v);
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		set_status(vp, (uint8_t)v);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		vp->queue_select = (uint16_t)v;
		break;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		/* Down from queue_max, a power of 2 (2.7), before enabling. */
		if (q_writable && power_of_two((uint32_t)v) && v <= vp->dev->queue_max)
			q->size = (uint16_t)v;
		break;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (q)
			q->vector = vector_or_none(vp, (uint32_t)v);
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		/* 1 only (4.1.4.3.2: the driver never writes 0), once the
		 * features are fixed, not on a broken or failed device. */
		if (q_writable && v == 1 && (vp->status & VIRTIO_STATUS_FEATURES_OK) &&
		    !(vp->status & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET)))
			enable_queue(vp, q);
		break;
	case VIRTIO_PCI_COMMON_Q_DESC:
		if (q_writable)
			set_addr(&q->desc, at, size, v);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAIL:
		if (q_writable)
			set_addr(&q->driver, at, size, v);
		break;
	case VIRTIO_PCI_COMMON_Q_USED:
		if (q_writable)
			set_addr(&q->device, at, size, v);
		break;
	default: /* read-only: device_feature, num_queues, config_generation, queue_notify_off */
		break;
	}
}

/* The other structures of the BAR. */

static uint64_t msix_read(struct virtio_pci *vp, unsigned off, unsigned size)
{
	if (off >= VIRTIO_PCI_BAR_MSIX_PBA) /* one qword: at most 32 vectors */
		return off == VIRTIO_PCI_BAR_MSIX_PBA ? vp->pending : 0;
	unsigned e = (off - VIRTIO_PCI_BAR_MSIX_TABLE) / PCI_MSIX_ENTRY_SIZE;
	unsigned at = (off - VIRTIO_PCI_BAR_MSIX_TABLE) % PCI_MSIX_ENTRY_SIZE;
	if (e >= vp->nvectors)
		return 0;
	const uint32_t *w = &vp->msix[e].addr_lo;
	uint64_t v = w[at / 4];
	if (size == 8)
		v |= (uint64_t)w[at / 4 + 1] << 32;
	return v;
}

static void msix_write(struct virtio_pci *vp, unsigned off, unsigned size, uint64_t v)
{
	if (off >= VIRTIO_PCI_BAR_MSIX_PBA)
		return; /* the PBA is read-only */
	unsigned e = (off - VIRTIO_PCI_BAR_MSIX_TABLE) / PCI_MSIX_ENTRY_SIZE;
	unsigned at = (off - VIRTIO_PCI_BAR_MSIX_TABLE) % PCI_MSIX_ENTRY_SIZE;
	if (e >= vp->nvectors)
		return;
	struct virtio_pci_msix_entry *m = &vp->msix[e];
	for (unsigned i = 0; i < size / 4; i++) {
		uint32_t w = (uint32_t)(v >> (32 * i));
		switch (at + 4 * i) {
		case PCI_MSIX_ENTRY_ADDR_LO:
			m->addr_lo = w & ~3u; /* dword aligned: bits 1:0 read 0 */
			break;
		case PCI_MSIX_ENTRY_ADDR_HI:
			m->addr_hi = w;
			break;
		case PCI_MSIX_ENTRY_DATA:
			m->data = w;
			break;
		default:
			m->ctrl = w & PCI_MSIX_ENTRY_MASKED;
			break;
		}
	}
	msix_flush(vp);
}

static void notify_write(struct virtio_pci *vp, unsigned off, unsigned size)
{
	unsigned q = off / VIRTIO_PCI_NOTIFY_OFF_MULT;
	/* 4.1.5.2: a 16-bit write (32 with NOTIFICATION_DATA, which is not
	 * offered) at the queue's address; anything else is no kick. */
	if (off % VIRTIO_PCI_NOTIFY_OFF_MULT || (size != 2 && size != 4) || !queue_live(vp, q))
		return;
	if (vp->dev->kick)
		vp->dev->kick(vp->dev_ctx, q);
}

static uint64_t device_cfg_read(struct virtio_pci *vp, unsigned off, unsigned size)
{
	uint64_t v = 0;
	for (unsigned done = 0; done < size; done += 4) { /* 8 bytes: two dwords */
		unsigned n = size < 4 ? size : 4;
		uint32_t w = 0;
		if (off + done + n <= vp->dev->config_size && vp->dev->config_read)
			vp->dev->config_read(vp->dev_ctx, off + done, n, &w);
		if (n < 4)
			w &= (1u << (8 * n)) - 1;
		v |= (uint64_t)w << (8 * done);
	}
	return v;
}

static void device_cfg_write(struct virtio_pci *vp, unsigned off, unsigned size, uint64_t v)
{
	for (unsigned done = 0; done < size; done += 4) {
		unsigned n = size < 4 ? size : 4;
		if (off + done + n <= vp->dev->config_size && vp->dev->config_write)
			vp->dev->config_write(vp->dev_ctx, off + done, n, (uint32_t)(v >> (8 * done)));
	}
}

int virtio_pci_bar_io(struct virtio_pci *vp, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	if ((size != 1 && size != 2 && size != 4 && size != 8) || off >= VIRTIO_PCI_BAR_SIZE ||
	    size > VIRTIO_PCI_BAR_SIZE - off) {
		if (!write)
			*val = UINT64_MAX;
		return -EINVAL;
	}
	unsigned region = (unsigned)off & ~(VIRTIO_PCI_REGION - 1), at = (unsigned)off - region;
	uint64_t mask = size == 8 ? UINT64_MAX : (1ull << (8 * size)) - 1, v = 0;
	bool aligned = !(at % size);
	if (write)
		*val &= mask;
	switch (region) {
	case VIRTIO_PCI_BAR_COMMON:
		if (at + size > VIRTIO_PCI_COMMON_SIZE)
			break;
		if (write)
			common_write(vp, at, size, *val);
		else
			v = common_read(vp, at, size);
		break;
	case VIRTIO_PCI_BAR_ISR:
		/* Reading clears it, and the INTx line with it (4.1.4.5). */
		if (!write && at == 0) {
			v = vp->isr;
			vp->isr = 0;
			update_intx(vp);
		}
		break;
	case VIRTIO_PCI_BAR_DEVICE:
		if (write)
			device_cfg_write(vp, at, size, *val);
		else
			v = device_cfg_read(vp, at, size);
		break;
	case VIRTIO_PCI_BAR_NOTIFY:
		if (write)
			notify_write(vp, at, size);
		break;
	case VIRTIO_PCI_BAR_MSIX_TABLE:
	case VIRTIO_PCI_BAR_MSIX_PBA:
		/* 6.8.2: dword and aligned qword accesses. */
		if ((size != 4 && size != 8) || !aligned)
			break;
		if (write)
			msix_write(vp, (unsigned)off, size, *val);
		else
			v = msix_read(vp, (unsigned)off, size);
		break;
	default:
		break;
	}
	if (!write)
		*val = v & mask;
	return 0;
}

int virtio_pci_mmio(struct virtio_pci *vp, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	uint64_t base = pci_fn_bar_addr(&vp->fn, VIRTIO_PCI_BAR);
	if (!(pci_fn_get(&vp->fn, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY) || gpa < base ||
	    gpa - base >= VIRTIO_PCI_BAR_SIZE) {
		if (!write)
			*val = UINT64_MAX;
		return -ENOENT;
	}
	return virtio_pci_bar_io(vp, gpa - base, size, write, val);
}

/* Configuration space. */

/* The VIRTIO_PCI_CAP_PCI_CFG window (4.1.4.9): an access to pci_cfg_data
 * is one of cap.length bytes at cap.offset of BAR cap.bar. The driver must
 * give a length of 1, 2 or 4, aligned, in our BAR; otherwise nothing
 * happens and the data bytes are plain storage. */
static bool window_hit(unsigned off, unsigned size)
{
	unsigned d = VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA;
	return off < d + 4 && off + size > d;
}

static bool window(const struct virtio_pci *vp, uint32_t *boff, unsigned *len)
{
	unsigned c = VIRTIO_PCI_CFG_PCI;
	*boff = pci_fn_get(&vp->fn, c + VIRTIO_PCI_CAP_OFFSET, 4);
	*len = pci_fn_get(&vp->fn, c + VIRTIO_PCI_CAP_LENGTH, 4);
	return pci_fn_get(&vp->fn, c + VIRTIO_PCI_CAP_BAR, 1) == VIRTIO_PCI_BAR &&
	       (*len == 1 || *len == 2 || *len == 4) && !(*boff % *len) && *boff < VIRTIO_PCI_BAR_SIZE;
}

static void cfg_read(void *ctx, struct pci_fn *fn, unsigned off, unsigned size, uint32_t *val)
{
	struct virtio_pci *vp = ctx;
	uint32_t boff;
	unsigned len;
	uint64_t v;
	if (!window_hit(off, size) || !window(vp, &boff, &len))
		return;
	virtio_pci_bar_io(vp, boff, len, false, &v);
	pci_fn_set(fn, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA, len, (uint32_t)v);
	*val = pci_fn_get(fn, off, size);
}

static void cfg_written(void *ctx, struct pci_fn *fn, unsigned off, unsigned size)
{
	struct virtio_pci *vp = ctx;
	uint32_t boff;
	unsigned len;
	if (window_hit(off, size) && window(vp, &boff, &len)) {
		uint64_t v = pci_fn_get(fn, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA, len);
		virtio_pci_bar_io(vp, boff, len, true, &v);
	}
	/* The command register's INTx disable, MSI-X enable and function
	 * mask: the line and the pending vectors follow. */
	if ((off < PCI_COMMAND + 2 && off + size > PCI_COMMAND) ||
	    (off < VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL + 2 &&
	     off + size > VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL)) {
		update_intx(vp);
		msix_flush(vp);
	}
}

static const struct pci_fn_ops cfg_ops = {cfg_read, cfg_written};

static void put_cap(struct virtio_pci *vp, unsigned at, unsigned next, unsigned len, unsigned type,
		    unsigned offset, unsigned length)
{
	struct pci_fn *fn = &vp->fn;
	pci_fn_set(fn, at + PCI_CAP_ID, 1, PCI_CAP_ID_VNDR);
	pci_fn_set(fn, at + PCI_CAP_NEXT, 1, next);
	pci_fn_set(fn, at + VIRTIO_PCI_CAP_LEN, 1, len);
	pci_fn_set(fn, at + VIRTIO_PCI_CAP_CFG_TYPE, 1, type);
	pci_fn_set(fn, at + VIRTIO_PCI_CAP_BAR, 1, VIRTIO_PCI_BAR);
	pci_fn_set(fn, at + VIRTIO_PCI_CAP_OFFSET, 4, offset);
	pci_fn_set(fn, at + VIRTIO_PCI_CAP_LENGTH, 4, length);
}

int virtio_pci_init(struct virtio_pci *vp, const struct virtio_dev_ops *dev, void *dev_ctx,
		    const struct virtio_pci_host_ops *host, void *host_ctx)
{
	if (!dev || !host || !host->mem || !host->intx || !host->msi || !dev->num_queues ||
	    dev->num_queues > VIRTIO_PCI_MAX_QUEUES || !power_of_two(dev->queue_max) ||
	    dev->queue_max > VIRTQ_MAX_SIZE || dev->config_size > VIRTIO_PCI_DEVICE_CFG_MAX)
		return -EINVAL;
	memset(vp, 0, sizeof(*vp));
	vp->dev = dev;
	vp->dev_ctx = dev_ctx;
	vp->host = host;
	vp->host_ctx = host_ctx;
	vp->nvectors = dev->num_queues + 1u;

	struct pci_fn *fn = &vp->fn;
	pci_fn_init(fn, VIRTIO_PCI_VENDOR_ID, (uint16_t)(VIRTIO_PCI_DEVICE_ID_BASE + dev->device_id),
		    VIRTIO_PCI_REVISION, dev->class_code, PCI_HEADER_TYPE_NORMAL);
	fn->ops = &cfg_ops;
	fn->ctx = vp;
	/* No I/O BAR: the command's I/O enable stays 0. */
	fn->wmask[PCI_COMMAND] &= (uint8_t)~PCI_COMMAND_IO;
	pci_fn_set(fn, PCI_SUBSYSTEM_VENDOR_ID, 2, VIRTIO_PCI_VENDOR_ID);
	pci_fn_set(fn, PCI_SUBSYSTEM_ID, 2, VIRTIO_PCI_SUBSYSTEM_ID);
	pci_fn_set(fn, PCI_INTERRUPT_PIN, 1, PCI_INTERRUPT_PIN_INTA);
	pci_fn_set(fn, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	pci_fn_set(fn, PCI_CAPABILITY_LIST, 1, VIRTIO_PCI_CFG_MSIX);
	pci_fn_bar(fn, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE, PCI_BAR_MEM_64);

	/* MSI-X: the table and the PBA in our BAR; enable and function mask
	 * writable. */
	unsigned m = VIRTIO_PCI_CFG_MSIX;
	pci_fn_set(fn, m + PCI_CAP_ID, 1, PCI_CAP_ID_MSIX);
	pci_fn_set(fn, m + PCI_CAP_NEXT, 1, VIRTIO_PCI_CFG_COMMON);
	pci_fn_set(fn, m + PCI_MSIX_CTRL, 2, vp->nvectors - 1);
	pci_fn_set(fn, m + PCI_MSIX_TABLE, 4, VIRTIO_PCI_BAR_MSIX_TABLE | VIRTIO_PCI_BAR);
	pci_fn_set(fn, m + PCI_MSIX_PBA, 4, VIRTIO_PCI_BAR_MSIX_PBA | VIRTIO_PCI_BAR);
	fn->wmask[m + PCI_MSIX_CTRL + 1] = (PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL) >> 8;
	for (unsigned v = 0; v < vp->nvectors; v++)
		vp->msix[v].ctrl = PCI_MSIX_ENTRY_MASKED;

	put_cap(vp, VIRTIO_PCI_CFG_COMMON, VIRTIO_PCI_CFG_NOTIFY, VIRTIO_PCI_CAP_SIZE,
		VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_BAR_COMMON, VIRTIO_PCI_COMMON_SIZE);
	put_cap(vp, VIRTIO_PCI_CFG_NOTIFY, VIRTIO_PCI_CFG_ISR, VIRTIO_PCI_NOTIFY_CAP_SIZE,
		VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_BAR_NOTIFY,
		VIRTIO_PCI_NOTIFY_OFF_MULT * dev->num_queues);
	pci_fn_set(fn, VIRTIO_PCI_CFG_NOTIFY + VIRTIO_PCI_NOTIFY_MULTIPLIER, 4, VIRTIO_PCI_NOTIFY_OFF_MULT);
	put_cap(vp, VIRTIO_PCI_CFG_ISR, dev->config_size ? VIRTIO_PCI_CFG_DEVICE : VIRTIO_PCI_CFG_PCI,
		VIRTIO_PCI_CAP_SIZE, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_BAR_ISR, 1);
	if (dev->config_size)
		put_cap(vp, VIRTIO_PCI_CFG_DEVICE, VIRTIO_PCI_CFG_PCI, VIRTIO_PCI_CAP_SIZE,
			VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_BAR_DEVICE, dev->config_size);
	/* The window: bar, offset, length and data are the driver's. */
	unsigned w = VIRTIO_PCI_CFG_PCI;
	put_cap(vp, w, 0, VIRTIO_PCI_CFG_CAP_SIZE, VIRTIO_PCI_CAP_PCI_CFG, 0, 0);
	fn->wmask[w + VIRTIO_PCI_CAP_BAR] = 0xff;
	memset(fn->wmask + w + VIRTIO_PCI_CAP_OFFSET, 0xff, 8);
	memset(fn->wmask + w + VIRTIO_PCI_CFG_DATA, 0xff, 4);

	device_reset(vp);
	return 0;
}
