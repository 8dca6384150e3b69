/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_fuzz.h: what the virtio fuzzers (fuzz_virtio.c, fuzz_virtio_blk.c,
 * fuzz_virtio_console.c, fuzz_virtio_net.c) share: the guest's RAM
 * (RAM_SIZE bytes at RAM_BASE) behind the virtq_mem_ops callbacks, which
 * check the length of every access and, through the fuzzer's
 * check_write(), every write the model makes inside RAM; MSI-X and INTx
 * as the device's interrupt callbacks see them; the driver's
 * stores into RAM (little-endian fields, whole descriptors, a head made
 * available) and the guest's random ones; and the driver's steps on the
 * common configuration of the device's BAR: reset and feature
 * negotiation, a queue's set up, DRIVER_OK.
 *
 * The fuzzer defines before including it FUZZ_NAME (fuzz_input.h),
 * BAR_ADDR (where it placed the BAR), READ_MAX and WRITE_MAX (the longest
 * read and write of guest memory the model may make), and defines
 * check_write() after it. */
#ifndef TESTS_FUZZ_VIRTIO_FUZZ_H
#define TESTS_FUZZ_VIRTIO_FUZZ_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz_input.h"
#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_pci.h"
#include "iopm/dev/virtio_spec.h"
#include "iopm/dev/virtq.h"

#define RAM_BASE 0x100000ull
#define RAM_SIZE 0x10000ull

static uint8_t ram[RAM_SIZE];

static inline bool in_ram(uint64_t gpa, uint64_t len)
{
	return gpa >= RAM_BASE && gpa - RAM_BASE <= RAM_SIZE && len <= RAM_SIZE - (gpa - RAM_BASE);
}

/* [gpa, gpa + len) inside the used ring of a set-up queue. */
static inline bool in_used_ring(const struct virtq *q, uint64_t gpa, size_t len)
{
	uint64_t end = q->used + VIRTQ_USED_RING + (uint64_t)VIRTQ_USED_ELEM_SIZE * q->size + 2;
	return q->size && gpa >= q->used && gpa + len <= end;
}

/* The fuzzer's checks of a write of buf to [gpa, gpa + len), inside RAM. */
static void check_write(uint64_t gpa, const void *buf, size_t len);

static inline int m_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	(void)ctx;
	CHECK(len > 0 && len <= READ_MAX);
	if (!in_ram(gpa, len))
		return -EFAULT;
	memcpy(buf, ram + (gpa - RAM_BASE), len);
	return 0;
}

static inline int m_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	(void)ctx;
	CHECK(len > 0 && len <= WRITE_MAX);
	if (!in_ram(gpa, len))
		return -EFAULT;
	check_write(gpa, buf, len);
	memcpy(ram + (gpa - RAM_BASE), buf, len);
	return 0;
}

static inline int m_check(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	(void)ctx;
	(void)write;
	return in_ram(gpa, len) ? 0 : -EFAULT;
}

static const struct virtq_mem_ops mem_ops = {m_read, m_write, m_check};

/* The driver's stores and loads of n-byte little-endian fields: none (0)
 * unless the whole field is in RAM. */
static inline void ram_put(uint64_t gpa, unsigned n, uint64_t v)
{
	if (!in_ram(gpa, n))
		return;
	for (unsigned i = 0; i < n; i++)
		ram[gpa - RAM_BASE + i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t ram_get(uint64_t gpa, unsigned n)
{
	uint64_t v = 0;
	if (!in_ram(gpa, n))
		return 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)ram[gpa - RAM_BASE + i] << (8 * i);
	return v;
}

/* Descriptor i of the table at `table`: nothing unless all of it is in RAM. */
static inline void put_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
			    uint16_t next)
{
	uint64_t at = table + VIRTQ_DESC_SIZE * i;
	if (!in_ram(at, VIRTQ_DESC_SIZE))
		return;
	ram_put(at + VIRTQ_DESC_ADDR, 8, addr);
	ram_put(at + VIRTQ_DESC_LEN, 4, len);
	ram_put(at + VIRTQ_DESC_FLAGS, 2, flags);
	ram_put(at + VIRTQ_DESC_NEXT, 2, next);
}

/* `head` made available in the ring at `avail` of a queue of `size`, at
 * the index the ring in RAM has (whatever the guest stored there); false
 * if that index is not in RAM. */
static inline bool avail_add(uint64_t avail, uint16_t size, uint16_t head)
{
	uint64_t idx_at = avail + VIRTQ_AVAIL_IDX;
	if (!in_ram(idx_at, 2))
		return false;
	uint16_t idx = (uint16_t)ram_get(idx_at, 2);
	ram_put(avail + VIRTQ_AVAIL_RING + 2ull * (idx % size), 2, head);
	ram_put(idx_at, 2, (uint16_t)(idx + 1));
	return true;
}

/* The guest stores up to 16 random bytes anywhere in its RAM. */
static inline void guest_stores(struct input *in)
{
	unsigned off = half(in) % RAM_SIZE, n = byte(in) % 17;
	for (unsigned i = 0; i < n && off + i < RAM_SIZE; i++)
		ram[off + i] = byte(in);
}

/* MSI-X is enabled on the device's function. */
static inline bool msix_on(const struct virtio_pci *vp)
{
	return pci_fn_get(&vp->fn, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2) & PCI_MSIX_CTRL_ENABLE;
}

/* The INTx callback's checks: each call changes the line (*line), which
 * is never raised with MSI-X on. */
static inline void check_intx(const struct virtio_pci *vp, bool *line, bool level)
{
	CHECK(level != *line);
	CHECK(!level || !msix_on(vp));
	*line = level;
}

/* The driver's write of a field of the common configuration. */
static inline void common_wr(struct virtio_pci *vp, unsigned field, unsigned size, uint64_t v)
{
	virtio_pci_mmio(vp, BAR_ADDR + VIRTIO_PCI_BAR_COMMON + field, size, true, &v);
}

/* After a reset: ACKNOWLEDGE | DRIVER, the driver's features f (of any
 * bits), FEATURES_OK (which the device may refuse). */
static inline void drv_negotiate(struct virtio_pci *vp, uint64_t f)
{
	common_wr(vp, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	common_wr(vp, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	common_wr(vp, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)f);
	common_wr(vp, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	common_wr(vp, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(f >> 32));
	common_wr(vp, VIRTIO_PCI_COMMON_STATUS, 1,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

/* Queue q: `size` entries, its MSI-X vector unless `vector` is negative,
 * its rings at desc, avail and used; enabled. */
static inline void drv_set_queue(struct virtio_pci *vp, unsigned q, unsigned size, int vector, uint64_t desc,
				 uint64_t avail, uint64_t used)
{
	common_wr(vp, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	common_wr(vp, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	if (vector >= 0)
		common_wr(vp, VIRTIO_PCI_COMMON_Q_MSIX, 2, (unsigned)vector);
	common_wr(vp, VIRTIO_PCI_COMMON_Q_DESC, 8, desc);
	common_wr(vp, VIRTIO_PCI_COMMON_Q_AVAIL, 8, avail);
	common_wr(vp, VIRTIO_PCI_COMMON_Q_USED, 8, used);
	common_wr(vp, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

static inline void drv_ok(struct virtio_pci *vp)
{
	common_wr(vp, VIRTIO_PCI_COMMON_STATUS, 1,
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
		      VIRTIO_STATUS_DRIVER_OK);
}

#endif
