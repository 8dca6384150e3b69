/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_virtio.c: libFuzzer target for iopmd's virtio models
 * (iopm/dev/virtq.c, the split virtqueue; iopm/dev/virtio_pci.c, the
 * modern PCI transport; docs/virtio.md). The input is a script of what a
 * guest driver and the device may do: BAR and configuration space
 * accesses of any size anywhere (and plausible driver steps: status bits,
 * features, queue set up, descriptor chains), stores of random bytes into
 * guest RAM (rings and descriptors included), and the device's pops,
 * pushes, interrupts and notification switches; plus a standalone queue
 * set up with random parameters. After each step: no crash (ASan/UBSan);
 * the model reads only through the callbacks and writes only inside a
 * set-up queue's used ring; every popped buffer is inside RAM (writable
 * ones too), readable before writable, within max_chain_len and the
 * caller's array; a broken queue or device stays broken until reset, and
 * a broken device has NEEDS_RESET and no live queue; the status bits keep
 * their order and FEATURES_OK only with VERSION_1 and offered features;
 * kicks only for live queues; INTx changes only, never with MSI-X on; MSI
 * only with MSI-X on and the function unmasked.
 *
 *   make -C tests/fuzz run-virtio [SECONDS=60]
 */
#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_pci.h"

#define FUZZ_NAME "fuzz_virtio"
#define BAR_ADDR  0xfe000000ull
#define READ_MAX  VIRTQ_DESC_SIZE
#define WRITE_MAX VIRTQ_USED_ELEM_SIZE
#include "virtio_fuzz.h"

#define DEVFN	  PCI_DEVFN(4, 0)
#define NQ	  3
#define MAX_CHAIN 0x8000u
#define OFFERED	  ((1ull << VIRTIO_F_EVENT_IDX) | (1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << 5))

static struct pcihost h;
static struct virtio_pci vp;
static struct virtq solo; /* a queue on its own, random parameters */
static bool line, reset_seen;

/* The model writes only inside a set-up queue's used ring. */
static void check_write(uint64_t gpa, const void *buf, size_t len)
{
	(void)buf;
	bool ok = in_used_ring(&solo, gpa, len);
	for (unsigned i = 0; i < NQ; i++)
		ok = ok || in_used_ring(&vp.q[i].vq, gpa, len);
	CHECK(ok);
}

static void h_intx(void *ctx, bool level)
{
	(void)ctx;
	check_intx(&vp, &line, level);
}

static void h_msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)addr;
	(void)data;
	CHECK(msix_on(&vp));
	CHECK(!(pci_fn_get(&vp.fn, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2) & PCI_MSIX_CTRL_MASKALL));
}

static void d_kick(void *ctx, unsigned q)
{
	(void)ctx;
	CHECK(q < NQ && virtio_pci_vq(&vp, q));
}

static void d_reset(void *ctx)
{
	(void)ctx;
	reset_seen = true;
}

static void d_cfg_read(void *ctx, unsigned off, unsigned size, uint32_t *val)
{
	(void)ctx;
	CHECK(off + size <= 8 && (size == 1 || size == 2 || size == 4));
	*val = 0x12345678;
}

static void d_cfg_write(void *ctx, unsigned off, unsigned size, uint32_t val)
{
	(void)ctx;
	(void)val;
	CHECK(off + size <= 8 && (size == 1 || size == 2 || size == 4));
}

static const struct virtio_dev_ops dev_ops = {
    .device_id = VIRTIO_ID_NET,
    .class_code = PCI_CLASS_NETWORK_ETHERNET,
    .features = OFFERED,
    .num_queues = NQ,
    .queue_max = 64,
    .config_size = 8,
    .max_chain_len = MAX_CHAIN,
    .config_read = d_cfg_read,
    .config_write = d_cfg_write,
    .kick = d_kick,
    .reset = d_reset,
};

static const struct virtio_pci_host_ops host_ops = {&mem_ops, h_intx, h_msi};

static unsigned size_of(uint8_t b)
{
	static const unsigned sizes[8] = {1, 2, 2, 4, 4, 4, 8, 3};
	return b & 0x80 && (b & 0x40) ? 16 : sizes[b & 7];
}

static void bar_rw(unsigned off, unsigned size, bool write, uint64_t v)
{
	int r = virtio_pci_mmio(&vp, BAR_ADDR + off, size, write, &v);
	if (!write && !r && size < 8)
		CHECK(v < 1ull << (8 * size));
	if (!write && r)
		CHECK(v == UINT64_MAX);
}

static uint64_t common_rd(unsigned field, unsigned size)
{
	uint64_t v = 0;
	virtio_pci_mmio(&vp, BAR_ADDR + VIRTIO_PCI_BAR_COMMON + field, size, false, &v);
	return v;
}

static void check_segs(const struct virtq_seg *segs, unsigned max, const struct virtq_chain *c,
		       uint64_t limit)
{
	uint64_t r = 0, w = 0;
	bool writable = false;
	CHECK(c->nsegs <= max && c->nsegs <= c->ndesc);
	for (unsigned i = 0; i < c->nsegs; i++) {
		CHECK(segs[i].len && in_ram(segs[i].gpa, segs[i].len));
		CHECK(!writable || segs[i].write);
		writable = segs[i].write;
		*(segs[i].write ? &w : &r) += segs[i].len;
	}
	CHECK(r == c->read_len && w == c->write_len && r + w <= limit);
}

static void check_device(void)
{
	uint8_t st = vp.status;
	CHECK(!(st & VIRTIO_STATUS_DRIVER_OK) || (st & VIRTIO_STATUS_FEATURES_OK));
	CHECK(!(st & VIRTIO_STATUS_FEATURES_OK) || (st & VIRTIO_STATUS_DRIVER));
	CHECK(!(st & VIRTIO_STATUS_DRIVER) || (st & VIRTIO_STATUS_ACKNOWLEDGE));
	if (st & VIRTIO_STATUS_FEATURES_OK)
		CHECK(!(vp.driver_features & ~(OFFERED | 1ull << VIRTIO_F_VERSION_1)) &&
		      (vp.driver_features >> VIRTIO_F_VERSION_1 & 1));
	CHECK(!vp.broken || (st & VIRTIO_STATUS_NEEDS_RESET));
	for (unsigned i = 0; i < NQ; i++) {
		const struct virtio_pci_queue *q = &vp.q[i];
		CHECK(q->size && q->size <= dev_ops.queue_max && !(q->size & (q->size - 1)));
		CHECK(q->vector < vp.nvectors || q->vector == VIRTIO_MSI_NO_VECTOR);
		if (vp.broken)
			CHECK(!virtio_pci_vq(&vp, i));
		if (q->vq.size)
			CHECK(q->enabled && q->vq.size == q->size);
	}
	CHECK(vp.intx == line);
	CHECK(!(vp.pending >> vp.nvectors));
}

/* The driver's plausible steps. */
static void drv_status(struct input *in)
{
	uint8_t b = byte(in);
	switch (b % 7) {
	case 0:
		common_wr(&vp, VIRTIO_PCI_COMMON_STATUS, 1, 0);
		break;
	case 6: /* the whole bring-up: every queue in its own part of RAM */
		common_wr(&vp, VIRTIO_PCI_COMMON_STATUS, 1, 0);
		drv_negotiate(&vp, ((uint32_t)OFFERED & word(in)) | 1ull << VIRTIO_F_VERSION_1);
		for (unsigned q = 0; q < NQ; q++) {
			uint64_t base = RAM_BASE + 0x2000 * q;
			drv_set_queue(&vp, q, 1u << (byte(in) % 7), -1, base, base + 0x800, base + 0x1000);
		}
		drv_ok(&vp);
		break;
	case 1:
		common_wr(&vp, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
		break;
	case 2: {
		uint64_t f = (OFFERED | 1ull << VIRTIO_F_VERSION_1) & ((uint64_t)word(in) << 32 | word(in));
		if (b & 0x40)
			f |= 1ull << VIRTIO_F_VERSION_1;
		for (unsigned s = 0; s < 2; s++) {
			common_wr(&vp, VIRTIO_PCI_COMMON_GFSELECT, 4, s);
			common_wr(&vp, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(f >> (32 * s)));
		}
		break;
	}
	case 3:
		common_wr(&vp, VIRTIO_PCI_COMMON_STATUS, 1,
			  common_rd(VIRTIO_PCI_COMMON_STATUS, 1) | VIRTIO_STATUS_FEATURES_OK);
		break;
	case 4:
		common_wr(&vp, VIRTIO_PCI_COMMON_STATUS, 1,
			  common_rd(VIRTIO_PCI_COMMON_STATUS, 1) | VIRTIO_STATUS_DRIVER_OK);
		break;
	default:
		common_wr(&vp, VIRTIO_PCI_COMMON_STATUS, 1, byte(in));
		break;
	}
}

/* A queue in RAM at random (16-byte aligned) places, then enabled. */
static void drv_queue(struct input *in)
{
	unsigned q = byte(in) % (NQ + 1), size = 1u << (byte(in) % 8);
	common_wr(&vp, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	common_wr(&vp, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	common_wr(&vp, VIRTIO_PCI_COMMON_Q_MSIX, 2, byte(in) % 5);
	for (unsigned f = 0; f < 3; f++) {
		uint64_t at = RAM_BASE + (half(in) & ~15u) % RAM_SIZE;
		common_wr(&vp, VIRTIO_PCI_COMMON_Q_DESC + 8 * f, 8, at);
	}
	common_wr(&vp, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

/* Plausible descriptors in queue q's table, and the head made available. */
static void drv_chain(struct input *in)
{
	struct virtq *vq = &vp.q[byte(in) % NQ].vq;
	if (!vq->size)
		return;
	unsigned n = 1 + byte(in) % 6;
	uint16_t head = byte(in) % vq->size;
	for (unsigned i = 0; i < n; i++) {
		uint8_t b = byte(in);
		uint64_t addr = b & 0x80 ? (uint64_t)word(in) << 8 : RAM_BASE + half(in) % RAM_SIZE;
		uint32_t len = b & 0x40 ? word(in) : half(in) % 512;
		uint16_t flags = (b & 7) | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		uint16_t next = (uint16_t)((head + i + 1) % (b & 0x20 ? 65536 : vq->size));
		put_desc(vq->desc, (head + i) % vq->size, addr, len, flags, next);
	}
	avail_add(vq->avail, vq->size, head);
}

static uint16_t popped[64];
static unsigned npopped;

static void device_step(struct input *in)
{
	uint8_t b = byte(in);
	unsigned q = (b >> 4) % (NQ + 1);
	struct virtq_seg segs[16];
	struct virtq_chain c;
	switch (b % 5) {
	case 0: {
		unsigned max = byte(in) % 17;
		int r = virtio_pci_pop(&vp, q, segs, max, &c);
		if (r == 1) {
			check_segs(segs, max, &c, MAX_CHAIN);
			if (npopped < 64)
				popped[npopped++] = c.head;
		}
		if (r < 0 && r != -EIO)
			CHECK(vp.broken);
		break;
	}
	case 1: {
		uint16_t head = npopped && !(b & 8) ? popped[--npopped] : half(in);
		int r = virtio_pci_push(&vp, q, head, word(in));
		if (r < 0 && r != -EIO)
			CHECK(vp.broken);
		break;
	}
	case 2:
		virtio_pci_interrupt(&vp, q);
		break;
	case 3: {
		struct virtq *vq = virtio_pci_vq(&vp, q);
		if (vq)
			virtq_set_notify(vq, b & 8);
		break;
	}
	default:
		if (b == 0xff)
			virtio_pci_set_broken(&vp);
		else
			virtio_pci_config_changed(&vp);
		break;
	}
}

static void solo_step(struct input *in)
{
	uint8_t b = byte(in);
	struct virtq_seg segs[16];
	struct virtq_chain c;
	bool was = solo.broken;
	switch (b % 6) {
	case 0: {
		uint16_t size = b & 8 ? half(in) : (uint16_t)(1u << (byte(in) % 9));
		uint64_t a[3];
		for (unsigned i = 0; i < 3; i++)
			a[i] = byte(in) & 1 ? (uint64_t)word(in) << (byte(in) % 33)
					    : RAM_BASE + half(in) % RAM_SIZE;
		uint64_t f = (uint64_t)byte(in) << 27;
		int r =
		    virtq_setup(&solo, &mem_ops, NULL, size, a[0], a[1], a[2], f, word(in) % (2 * MAX_CHAIN));
		CHECK(r == 0 ? !solo.broken : solo.broken && solo.error == r);
		return;
	}
	case 1:
		virtq_reset(&solo);
		return;
	case 2: {
		unsigned max = byte(in) % 17;
		int r = virtq_pop(&solo, segs, max, &c);
		if (r == 1)
			check_segs(segs, max, &c, solo.max_chain_len);
		CHECK(r >= 0 || solo.broken || !solo.size);
		break;
	}
	case 3:
		virtq_push(&solo, half(in), word(in));
		break;
	case 4:
		virtq_need_interrupt(&solo);
		break;
	default:
		virtq_set_notify(&solo, b & 8);
		virtq_pending(&solo);
		break;
	}
	CHECK(!was || solo.broken);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	memset(ram, 0, sizeof(ram));
	line = false;
	npopped = 0;
	virtq_reset(&solo);
	pcihost_init(&h);
	CHECK(virtio_pci_init(&vp, &dev_ops, NULL, &host_ops, NULL) == 0);
	CHECK(pcihost_attach(&h, DEVFN, &vp.fn) == 0);
	pcihost_cfg_write(&h, 0, DEVFN, PCI_BAR0, 4, (uint32_t)BAR_ADDR);
	pcihost_cfg_write(&h, 0, DEVFN, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	for (unsigned steps = 0; in.n && steps < 2048; steps++) {
		bool was_broken = vp.broken;
		reset_seen = false;
		uint8_t op = byte(&in), b = byte(&in);
		unsigned sz = size_of(b);
		bool write = b & 0x08;
		switch (op % 12) {
		case 0:
		case 1: { /* anywhere in the BAR, mostly near the start of a structure */
			unsigned off = op & 0x80 ? half(&in) % (VIRTIO_PCI_BAR_SIZE + 64)
						 : (op >> 4 & 7) * VIRTIO_PCI_REGION + byte(&in) % 0x48;
			bar_rw(off, sz, write, (uint64_t)word(&in) << 32 | word(&in));
			break;
		}
		case 2: { /* configuration space */
			unsigned off = byte(&in);
			if (write)
				pcihost_cfg_write(&h, 0, DEVFN, off, sz, word(&in));
			else
				CHECK(sz > 4 || pcihost_cfg_read(&h, 0, DEVFN, off, sz) <=
						    (sz == 4 ? UINT32_MAX : (1u << (8 * sz)) - 1));
			break;
		}
		case 3:
			guest_stores(&in);
			break;
		case 4:
			drv_status(&in);
			break;
		case 5:
			drv_queue(&in);
			break;
		case 6:
		case 7:
			drv_chain(&in);
			break;
		case 8:
		case 9:
			device_step(&in);
			break;
		case 10:
			solo_step(&in);
			break;
		default: /* a kick */
			bar_rw(VIRTIO_PCI_BAR_NOTIFY + (b >> 4) % (NQ + 1) * VIRTIO_PCI_NOTIFY_OFF_MULT, 2,
			       true, 0);
			break;
		}
		if (was_broken && !reset_seen)
			CHECK(vp.broken);
		check_device();
	}
	return 0;
}
