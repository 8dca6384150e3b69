/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_util.h: for the virtio unit tests (test_virtq.c,
 * test_virtio_pci.c, test_virtio_blk.c, test_virtio_console.c,
 * test_virtio_net.c, test_virtio_hostile.c): a guest's memory behind the
 * virtq_mem_ops callbacks (RAM, a read-only page, holes elsewhere); the
 * driver half of a split virtqueue, written as Linux's virtio_ring does it:
 * descriptors, the available ring and its index, the used ring read back,
 * used_event and the kick decision with and without VIRTIO_F_EVENT_IDX;
 * and a driver of one virtio-pci function on iopmd's PCI bus, written as
 * Linux's virtio_pci_modern does it: configuration space and BAR
 * accesses, the BAR's placement, MSI-X, feature negotiation, a queue's set
 * up and its kick. */
#ifndef TESTS_UNIT_VIRTIO_UTIL_H
#define TESTS_UNIT_VIRTIO_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86/pci.h"
#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_pci.h"
#include "iopm/dev/virtio_spec.h"
#include "iopm/dev/virtq.h"
#include "test.h"

#define GRAM_BASE 0x100000ull
#define GRAM_SIZE 0x40000ull
#define GROM_BASE 0x200000ull /* readable, not writable (a ROM) */
#define GROM_SIZE 0x1000ull

struct gmem {
	uint8_t ram[GRAM_SIZE];
	uint8_t rom[GROM_SIZE];
	unsigned refused; /* callbacks that answered -EFAULT */
};

static inline uint8_t *gmem_ptr(struct gmem *m, uint64_t gpa, uint64_t len, bool write)
{
	if (gpa >= GRAM_BASE && gpa - GRAM_BASE <= GRAM_SIZE && len <= GRAM_SIZE - (gpa - GRAM_BASE))
		return m->ram + (gpa - GRAM_BASE);
	if (!write && gpa >= GROM_BASE && gpa - GROM_BASE <= GROM_SIZE &&
	    len <= GROM_SIZE - (gpa - GROM_BASE))
		return m->rom + (gpa - GROM_BASE);
	return NULL;
}

static inline int gm_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct gmem *m = ctx;
	uint8_t *p = gmem_ptr(m, gpa, len, false);
	if (!p) {
		m->refused++;
		return -EFAULT;
	}
	memcpy(buf, p, len);
	return 0;
}

static inline int gm_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	struct gmem *m = ctx;
	uint8_t *p = gmem_ptr(m, gpa, len, true);
	if (!p) {
		m->refused++;
		return -EFAULT;
	}
	memcpy(p, buf, len);
	return 0;
}

static inline int gm_check(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct gmem *m = ctx;
	if (!gmem_ptr(m, gpa, len, write)) {
		m->refused++;
		return -EFAULT;
	}
	return 0;
}

static const struct virtq_mem_ops gmem_ops = {gm_read, gm_write, gm_check};

static inline uint64_t gm_get(struct gmem *m, uint64_t gpa, unsigned n)
{
	uint8_t *p = gmem_ptr(m, gpa, n, false);
	uint64_t v = 0;
	for (unsigned i = 0; p && i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline void gm_put(struct gmem *m, uint64_t gpa, unsigned n, uint64_t v)
{
	uint8_t *p = gmem_ptr(m, gpa, n, false); /* the test may write its ROM */
	for (unsigned i = 0; p && i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The driver's side of one queue. */
struct vdrv {
	struct gmem *m;
	uint16_t size;
	uint64_t desc, avail, used;
	uint16_t avail_idx, last_used, next;
	bool event_idx;
};

static inline void vdrv_init(struct vdrv *d, struct gmem *m, uint16_t size, uint64_t base, bool event_idx)
{
	memset(d, 0, sizeof(*d));
	d->m = m;
	d->size = size;
	d->event_idx = event_idx;
	d->desc = base;
	d->avail = d->desc + 16ull * size;
	d->used = (d->avail + 6 + 2ull * size + 3) & ~3ull;
	uint8_t *p = gmem_ptr(m, base, d->used + 6 + 8ull * size - base, true);
	if (p)
		memset(p, 0, d->used + 6 + 8ull * size - base);
}

static inline void vdrv_desc(struct vdrv *d, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
			     uint16_t flags, uint16_t next)
{
	uint64_t at = table + 16ull * i;
	gm_put(d->m, at + VIRTQ_DESC_ADDR, 8, addr);
	gm_put(d->m, at + VIRTQ_DESC_LEN, 4, len);
	gm_put(d->m, at + VIRTQ_DESC_FLAGS, 2, flags);
	gm_put(d->m, at + VIRTQ_DESC_NEXT, 2, next);
}

/* Make `head` available (the ring entry, then the index). */
static inline void vdrv_publish(struct vdrv *d, uint16_t head)
{
	gm_put(d->m, d->avail + VIRTQ_AVAIL_RING + 2ull * (d->avail_idx % d->size), 2, head);
	d->avail_idx++;
	gm_put(d->m, d->avail + VIRTQ_AVAIL_IDX, 2, d->avail_idx);
}

/* A chain of n buffers at addrs[] of lens[], the last nw device-writable,
 * in the next free descriptors; made available. Returns the head. */
static inline uint16_t vdrv_add(struct vdrv *d, unsigned n, const uint64_t *addrs, const uint32_t *lens,
				unsigned nw)
{
	uint16_t head = d->next;
	for (unsigned i = 0; i < n; i++) {
		uint16_t at = (uint16_t)((head + i) % d->size), nx = (uint16_t)((head + i + 1) % d->size);
		uint16_t flags =
		    (uint16_t)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) | (i >= n - nw ? VIRTQ_DESC_F_WRITE : 0));
		vdrv_desc(d, d->desc, at, addrs[i], lens[i], flags, nx);
	}
	d->next = (uint16_t)((head + n) % d->size);
	vdrv_publish(d, head);
	return head;
}

/* The next used entry, if any. */
static inline bool vdrv_used(struct vdrv *d, uint32_t *id, uint32_t *len)
{
	if ((uint16_t)gm_get(d->m, d->used + VIRTQ_USED_IDX, 2) == d->last_used)
		return false;
	uint64_t e = d->used + VIRTQ_USED_RING + 8ull * (d->last_used % d->size);
	*id = (uint32_t)gm_get(d->m, e, 4);
	*len = (uint32_t)gm_get(d->m, e + 4, 4);
	d->last_used++;
	return true;
}

/* 2.7.10: should the driver kick after moving avail->idx from old? */
static inline bool vdrv_need_event(uint16_t event, uint16_t now, uint16_t old)
{
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

static inline bool vdrv_kick_needed(struct vdrv *d, uint16_t old)
{
	if (d->event_idx)
		return vdrv_need_event((uint16_t)gm_get(d->m, d->used + VIRTQ_USED_RING + 8ull * d->size, 2),
				       d->avail_idx, old);
	return !(gm_get(d->m, d->used + VIRTQ_USED_FLAGS, 2) & VIRTQ_USED_F_NO_NOTIFY);
}

/* used_event (EVENT_IDX) or the NO_INTERRUPT flag. */
static inline void vdrv_set_used_event(struct vdrv *d, uint16_t v)
{
	gm_put(d->m, d->avail + VIRTQ_AVAIL_RING + 2ull * d->size, 2, v);
}

static inline void vdrv_set_no_interrupt(struct vdrv *d, bool on)
{
	gm_put(d->m, d->avail + VIRTQ_AVAIL_FLAGS, 2, on ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0);
}

/* The driver of one virtio-pci function: the bus it is on, its place
 * there, the transport (for BAR accesses) and where its BAR 0 goes. */
struct vpdrv {
	struct pcihost *h;
	struct virtio_pci *vp;
	unsigned devfn;
	uint64_t bar;
};

#define COMMON(x) (VIRTIO_PCI_BAR_COMMON + VIRTIO_PCI_COMMON_##x)

/* The function vp (initialized) at devfn of a bus of its own, h; its BAR
 * to go at `bar`. */
static inline void vpdrv_attach(struct vpdrv *d, struct pcihost *h, unsigned devfn, struct virtio_pci *vp,
				uint64_t bar)
{
	*d = (struct vpdrv){h, vp, devfn, bar};
	pcihost_init(h);
	EXPECT_EQ(pcihost_attach(h, devfn, &vp->fn), 0);
}

/* Configuration space, as the guest sees it through the bus. */
static inline uint32_t vpdrv_cfg_rd(struct vpdrv *d, unsigned off, unsigned size)
{
	return pcihost_cfg_read(d->h, 0, d->devfn, off, size);
}

static inline void vpdrv_cfg_wr(struct vpdrv *d, unsigned off, unsigned size, uint32_t v)
{
	pcihost_cfg_write(d->h, 0, d->devfn, off, size, v);
}

/* The BAR, at the address it was placed at: every access answered. */
static inline uint64_t vpdrv_rd(struct vpdrv *d, unsigned off, unsigned size)
{
	uint64_t v = 0;
	EXPECT_EQ(virtio_pci_mmio(d->vp, d->bar + off, size, false, &v), 0);
	return v;
}

static inline void vpdrv_wr(struct vpdrv *d, unsigned off, unsigned size, uint64_t v)
{
	EXPECT_EQ(virtio_pci_mmio(d->vp, d->bar + off, size, true, &v), 0);
}

static inline uint8_t vpdrv_status(struct vpdrv *d)
{
	return (uint8_t)vpdrv_rd(d, COMMON(STATUS), 1);
}

static inline void vpdrv_set_status(struct vpdrv *d, uint8_t bits)
{
	vpdrv_wr(d, COMMON(STATUS), 1, vpdrv_status(d) | bits);
}

static inline uint64_t vpdrv_device_features(struct vpdrv *d)
{
	vpdrv_wr(d, COMMON(DFSELECT), 4, 0);
	uint64_t v = vpdrv_rd(d, COMMON(DF), 4);
	vpdrv_wr(d, COMMON(DFSELECT), 4, 1);
	return v | vpdrv_rd(d, COMMON(DF), 4) << 32;
}

/* The firmware's (iopmd's) placement: BAR 0 (64-bit) at d->bar, memory
 * decoding and bus mastering on. */
static inline void vpdrv_place(struct vpdrv *d)
{
	vpdrv_cfg_wr(d, PCI_BAR0, 4, (uint32_t)d->bar);
	vpdrv_cfg_wr(d, PCI_BAR0 + 4, 4, (uint32_t)(d->bar >> 32));
	vpdrv_cfg_wr(d, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* MSI-X as Linux sets it: the table where the capability says, of nvec
 * vectors; enabled with the function masked, vector v to the LAPIC at
 * msi_addr with vector 0x40 + v, unmasked, then the function unmasked. */
static inline void vpdrv_msix(struct vpdrv *d, unsigned nvec, uint32_t msi_addr)
{
	unsigned table = vpdrv_cfg_rd(d, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_TABLE, 4) & ~PCI_MSIX_BIR_MASK;
	EXPECT_EQ((vpdrv_cfg_rd(d, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2) & PCI_MSIX_CTRL_QSIZE) + 1, nvec);
	vpdrv_cfg_wr(d, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2, PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL);
	for (unsigned v = 0; v < nvec; v++) {
		unsigned e = table + v * PCI_MSIX_ENTRY_SIZE;
		vpdrv_wr(d, e + PCI_MSIX_ENTRY_ADDR_LO, 4, msi_addr);
		vpdrv_wr(d, e + PCI_MSIX_ENTRY_ADDR_HI, 4, 0);
		vpdrv_wr(d, e + PCI_MSIX_ENTRY_DATA, 4, 0x40 + v);
		vpdrv_wr(d, e + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 0);
	}
	vpdrv_cfg_wr(d, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2, PCI_MSIX_CTRL_ENABLE);
}

/* virtio's probe up to the queues: reset, ACKNOWLEDGE, DRIVER, the
 * features both know (the device's among `want`), FEATURES_OK, which the
 * device keeps; with msix, the configuration's vector 0. Returns the
 * features. */
static inline uint64_t vpdrv_negotiate(struct vpdrv *d, uint64_t want, bool msix)
{
	vpdrv_wr(d, COMMON(STATUS), 1, 0);
	vpdrv_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	vpdrv_set_status(d, VIRTIO_STATUS_DRIVER);
	uint64_t feat = vpdrv_device_features(d) & want;
	vpdrv_wr(d, COMMON(GFSELECT), 4, 0);
	vpdrv_wr(d, COMMON(GF), 4, (uint32_t)feat);
	vpdrv_wr(d, COMMON(GFSELECT), 4, 1);
	vpdrv_wr(d, COMMON(GF), 4, (uint32_t)(feat >> 32));
	vpdrv_set_status(d, VIRTIO_STATUS_FEATURES_OK);
	EXPECT_EQ(vpdrv_status(d) & VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_FEATURES_OK);
	if (msix)
		vpdrv_wr(d, COMMON(MSIX), 2, 0);
	return feat;
}

/* Queue i, whose size the device says is `max`, as the driver's q (set up
 * by vdrv_init) has it: its size, with msix vector i + 1, the rings,
 * enabled. */
static inline void vpdrv_queue(struct vpdrv *d, unsigned i, uint16_t max, const struct vdrv *q, bool msix)
{
	vpdrv_wr(d, COMMON(Q_SELECT), 2, i);
	EXPECT_EQ(vpdrv_rd(d, COMMON(Q_SIZE), 2), max);
	vpdrv_wr(d, COMMON(Q_SIZE), 2, q->size);
	if (msix)
		vpdrv_wr(d, COMMON(Q_MSIX), 2, i + 1);
	vpdrv_wr(d, COMMON(Q_DESC), 8, q->desc);
	vpdrv_wr(d, COMMON(Q_AVAIL), 8, q->avail);
	vpdrv_wr(d, COMMON(Q_USED), 8, q->used);
	vpdrv_wr(d, COMMON(Q_ENABLE), 2, 1);
}

/* The driver's notification of queue q (the value written: q). */
static inline void vpdrv_kick(struct vpdrv *d, unsigned q)
{
	vpdrv_wr(d, VIRTIO_PCI_BAR_NOTIFY + q * VIRTIO_PCI_NOTIFY_OFF_MULT, 2, q);
}

#endif
