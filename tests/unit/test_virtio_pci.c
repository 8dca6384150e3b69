/* SPDX-License-Identifier: GPL-2.0-only */
/* test_virtio_pci.c: unit tests of the modern virtio-pci transport
 * (iopm/dev/virtio_pci.c) on iopmd's PCI bus (iopm/dev/pcihost.c), driven
 * by a guest driver written here as Linux's virtio_pci_modern and
 * virtio_ring do it: the header and the capability list, BAR sizing and
 * placement, reset and the status bits, feature negotiation, queue set up
 * with 64-bit addresses in two halves, MSI-X vectors, a request round trip
 * with the kick and the interrupt; INTx with the ISR status; MSI-X masks
 * and pending bits; then hostile drivers (status out of order, features
 * not offered, queue sizes not a power of 2, a queue enabled before
 * FEATURES_OK, notifies on disabled queues, bad chains, rings outside
 * RAM, odd access sizes), each answered as docs/virtio.md says. */
#include <stdlib.h>

#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_pci.h"
#include "test.h"
#include "virtio_util.h"

#define DEVFN	    PCI_DEVFN(3, 0)
#define BAR_ADDR    0x800000000ull /* above 4 GiB: the BAR is 64-bit */
#define F_DEV	    (1ull << 1)	   /* a device-specific feature */
#define F_EVENT_IDX (1ull << VIRTIO_F_EVENT_IDX)
#define F_INDIRECT  (1ull << VIRTIO_F_INDIRECT_DESC)
#define F_VERSION_1 (1ull << VIRTIO_F_VERSION_1)
#define OFFERED	    (F_DEV | F_EVENT_IDX | F_INDIRECT)
#define NQ	    2
#define MSI_ADDR    0xfee00000u
#define BUF	    (GRAM_BASE + 0x30000)

/* The guest's memory first: the memory callbacks get the same ctx. */
struct fx {
	struct gmem m;
	struct pcihost h;
	struct virtio_pci vp;
	bool intx;
	unsigned intx_changes, nmsi, resets, driver_oks;
	uint64_t msi_addr[64];
	uint32_t msi_data[64];
	unsigned kicks[NQ];
	uint8_t cfg[12];
	struct vdrv q[NQ];
	struct vpdrv pci; /* the shared driver (virtio_util.h), for MSI-X */
};

static void h_intx(void *ctx, bool level)
{
	struct fx *f = ctx;
	EXPECT_NE(level, f->intx); /* changes only */
	f->intx = level;
	f->intx_changes++;
}

static void h_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct fx *f = ctx;
	if (f->nmsi < 64) {
		f->msi_addr[f->nmsi] = addr;
		f->msi_data[f->nmsi] = data;
	}
	f->nmsi++;
}

static void d_cfg_read(void *ctx, unsigned off, unsigned size, uint32_t *val)
{
	struct fx *f = ctx;
	EXPECT_LE(off + size, sizeof(f->cfg));
	*val = 0;
	for (unsigned i = 0; i < size; i++)
		*val |= (uint32_t)f->cfg[off + i] << (8 * i);
}

static void d_cfg_write(void *ctx, unsigned off, unsigned size, uint32_t val)
{
	struct fx *f = ctx;
	EXPECT_LE(off + size, sizeof(f->cfg));
	for (unsigned i = 0; i < size; i++)
		f->cfg[off + i] = (uint8_t)(val >> (8 * i));
}

static void d_kick(void *ctx, unsigned q)
{
	struct fx *f = ctx;
	EXPECT_LT(q, NQ);
	f->kicks[q]++;
}

static void d_reset(void *ctx)
{
	((struct fx *)ctx)->resets++;
}

static void d_driver_ok(void *ctx)
{
	((struct fx *)ctx)->driver_oks++;
}

static const struct virtio_dev_ops dev_ops = {
    .device_id = VIRTIO_ID_BLOCK,
    .class_code = PCI_CLASS_STORAGE_SCSI,
    .features = OFFERED,
    .num_queues = NQ,
    .queue_max = 256,
    .config_size = 12,
    .max_chain_len = 1u << 20,
    .config_read = d_cfg_read,
    .config_write = d_cfg_write,
    .kick = d_kick,
    .reset = d_reset,
    .driver_ok = d_driver_ok,
};

static const struct virtio_pci_host_ops host_ops = {&gmem_ops, h_intx, h_msi};

static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	EXPECT_EQ(virtio_pci_init(&f->vp, &dev_ops, f, &host_ops, f), 0);
	vpdrv_attach(&f->pci, &f->h, DEVFN, &f->vp, BAR_ADDR);
	for (unsigned i = 0; i < sizeof(f->cfg); i++)
		f->cfg[i] = (uint8_t)(0x10 + i);
	return f;
}

/* Configuration space, as the guest sees it through the bus. */
static uint32_t cfg_rd(struct fx *f, unsigned off, unsigned size)
{
	return pcihost_cfg_read(&f->h, 0, DEVFN, off, size);
}

static void cfg_wr(struct fx *f, unsigned off, unsigned size, uint32_t v)
{
	pcihost_cfg_write(&f->h, 0, DEVFN, off, size, v);
}

/* The BAR, at the address the guest gave it. */
static uint64_t rd(struct fx *f, unsigned off, unsigned size)
{
	uint64_t v = 0x5a5a5a5a5a5a5a5aull;
	EXPECT_EQ(virtio_pci_mmio(&f->vp, BAR_ADDR + off, size, false, &v), 0);
	if (size < 8)
		EXPECT_LT(v, 1ull << (8 * size));
	return v;
}

static void wr(struct fx *f, unsigned off, unsigned size, uint64_t v)
{
	EXPECT_EQ(virtio_pci_mmio(&f->vp, BAR_ADDR + off, size, true, &v), 0);
}

static void set_status(struct fx *f, uint8_t bits)
{
	wr(f, COMMON(STATUS), 1, rd(f, COMMON(STATUS), 1) | bits);
}

/* Linux's pci_read_bases for a 64-bit memory BAR, then the address. */
static void place_bar(struct fx *f)
{
	cfg_wr(f, PCI_BAR0, 4, 0xffffffff);
	cfg_wr(f, PCI_BAR0 + 4, 4, 0xffffffff);
	EXPECT_EQ(cfg_rd(f, PCI_BAR0, 4), (uint32_t)-VIRTIO_PCI_BAR_SIZE | PCI_BAR_MEM_64);
	EXPECT_EQ(cfg_rd(f, PCI_BAR0 + 4, 4), 0xffffffff);
	cfg_wr(f, PCI_BAR0, 4, (uint32_t)BAR_ADDR);
	cfg_wr(f, PCI_BAR0 + 4, 4, (uint32_t)(BAR_ADDR >> 32));
	cfg_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* vp_modern's probe and virtio's init: reset, ACKNOWLEDGE, DRIVER,
 * features, FEATURES_OK, the queues (size `qsize`, vector q + 1 if msix),
 * the config vector 0, DRIVER_OK. */
static void bring_up(struct fx *f, bool msix, uint64_t features, uint16_t qsize)
{
	unsigned oks = f->driver_oks;
	place_bar(f);
	if (msix)
		vpdrv_msix(&f->pci, NQ + 1, MSI_ADDR); /* enabled masked, filled, unmasked */
	wr(f, COMMON(STATUS), 1, 0);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), 0);
	set_status(f, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(f, VIRTIO_STATUS_DRIVER);
	wr(f, COMMON(DFSELECT), 4, 0);
	uint64_t dev = rd(f, COMMON(DF), 4);
	wr(f, COMMON(DFSELECT), 4, 1);
	dev |= rd(f, COMMON(DF), 4) << 32;
	EXPECT_EQ(dev, OFFERED | F_VERSION_1);
	features &= dev;
	wr(f, COMMON(GFSELECT), 4, 0);
	wr(f, COMMON(GF), 4, (uint32_t)features);
	wr(f, COMMON(GFSELECT), 4, 1);
	wr(f, COMMON(GF), 4, (uint32_t)(features >> 32));
	set_status(f, VIRTIO_STATUS_FEATURES_OK);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1) & VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_FEATURES_OK);
	if (msix) {
		wr(f, COMMON(MSIX), 2, 0);
		EXPECT_EQ(rd(f, COMMON(MSIX), 2), 0);
	}
	EXPECT_EQ(rd(f, COMMON(NUMQ), 2), NQ);
	for (unsigned i = 0; i < NQ; i++) {
		test_context("queue %u", i);
		wr(f, COMMON(Q_SELECT), 2, i);
		EXPECT_EQ(rd(f, COMMON(Q_SIZE), 2), 256);
		EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 0);
		wr(f, COMMON(Q_SIZE), 2, qsize);
		EXPECT_EQ(rd(f, COMMON(Q_SIZE), 2), qsize);
		struct vdrv *d = &f->q[i];
		vdrv_init(d, &f->m, qsize, GRAM_BASE + 0x10000 * i, features & F_EVENT_IDX);
		if (msix) {
			wr(f, COMMON(Q_MSIX), 2, i + 1);
			EXPECT_EQ(rd(f, COMMON(Q_MSIX), 2), i + 1);
		}
		/* vp_iowrite64_twopart: low half, then high. */
		wr(f, COMMON(Q_DESC), 4, (uint32_t)d->desc);
		wr(f, COMMON(Q_DESC) + 4, 4, (uint32_t)(d->desc >> 32));
		wr(f, COMMON(Q_AVAIL), 4, (uint32_t)d->avail);
		wr(f, COMMON(Q_AVAIL) + 4, 4, (uint32_t)(d->avail >> 32));
		wr(f, COMMON(Q_USED), 4, (uint32_t)d->used);
		wr(f, COMMON(Q_USED) + 4, 4, (uint32_t)(d->used >> 32));
		EXPECT_EQ(rd(f, COMMON(Q_NOFF), 2), i);
		wr(f, COMMON(Q_ENABLE), 2, 1);
		EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 1);
		EXPECT_EQ(rd(f, COMMON(Q_DESC), 8), d->desc);
	}
	test_context("DRIVER_OK");
	set_status(f, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(f->driver_oks, oks + 1);
	for (unsigned i = 0; i < NQ; i++)
		EXPECT_TRUE(virtio_pci_vq(&f->vp, i) != NULL);
}

static void kick(struct fx *f, unsigned q)
{
	wr(f, VIRTIO_PCI_BAR_NOTIFY + q * VIRTIO_PCI_NOTIFY_OFF_MULT, 2, q);
}

/* One request on queue q: the driver adds it and kicks, the device pops
 * and completes it. Returns the pop's result. */
static int round_trip(struct fx *f, unsigned q)
{
	uint64_t a[2] = {BUF, BUF + 0x100};
	uint32_t l[2] = {16, 1};
	uint16_t head = vdrv_add(&f->q[q], 2, a, l, 1);
	unsigned kicks = f->kicks[q];
	kick(f, q);
	if (f->kicks[q] != kicks + 1)
		return -ENODEV;
	struct virtq_seg segs[4];
	struct virtq_chain c;
	int r = virtio_pci_pop(&f->vp, q, segs, 4, &c);
	if (r != 1)
		return r;
	EXPECT_EQ(c.head, head);
	EXPECT_EQ(c.read_len, 16);
	EXPECT_EQ(c.write_len, 1);
	EXPECT_EQ(virtio_pci_push(&f->vp, q, c.head, 1), 0);
	virtio_pci_interrupt(&f->vp, q);
	uint32_t id, len;
	EXPECT_TRUE(vdrv_used(&f->q[q], &id, &len));
	EXPECT_EQ(id, head);
	EXPECT_EQ(len, 1);
	return r;
}

TEST(virtio_pci, header_and_capabilities)
{
	struct fx *f = fx_new();
	EXPECT_EQ(cfg_rd(f, PCI_VENDOR_ID, 2), 0x1af4);
	EXPECT_EQ(cfg_rd(f, PCI_DEVICE_ID, 2), 0x1042); /* 0x1040 + block */
	EXPECT_EQ(cfg_rd(f, PCI_REVISION_ID, 1), 1);
	EXPECT_EQ(cfg_rd(f, PCI_CLASS_PROG, 1), 0);
	EXPECT_EQ(cfg_rd(f, PCI_CLASS_PROG + 1, 2), 0x0100);
	EXPECT_EQ(cfg_rd(f, PCI_HEADER_TYPE, 1), 0);
	EXPECT_EQ(cfg_rd(f, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	EXPECT_GE(cfg_rd(f, PCI_SUBSYSTEM_ID, 2), 0x40);
	EXPECT_EQ(cfg_rd(f, PCI_INTERRUPT_PIN, 1), 1);
	EXPECT_EQ(cfg_rd(f, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
	EXPECT_EQ(cfg_rd(f, PCI_BAR0 + 8, 4), 0); /* BARs 2-5 unused */
	/* The list as vp_modern_probe walks it (virtio_pci_find_capability). */
	unsigned seen[6] = {0}, msix = 0, hops = 0;
	for (unsigned p = cfg_rd(f, PCI_CAPABILITY_LIST, 1); p; p = cfg_rd(f, p + PCI_CAP_NEXT, 1)) {
		test_context("capability at 0x%x", p);
		EXPECT_LT(hops++, 8);
		EXPECT_GE(p, PCI_CAP_FIRST);
		EXPECT_EQ(p % 4, 0);
		unsigned id = cfg_rd(f, p + PCI_CAP_ID, 1);
		if (id == PCI_CAP_ID_MSIX) {
			msix = p;
			continue;
		}
		EXPECT_EQ(id, PCI_CAP_ID_VNDR);
		unsigned type = cfg_rd(f, p + VIRTIO_PCI_CAP_CFG_TYPE, 1);
		unsigned off = cfg_rd(f, p + VIRTIO_PCI_CAP_OFFSET, 4),
			 len = cfg_rd(f, p + VIRTIO_PCI_CAP_LENGTH, 4);
		EXPECT_EQ(cfg_rd(f, p + VIRTIO_PCI_CAP_BAR, 1), 0);
		EXPECT_TRUE(type >= 1 && type <= 5);
		EXPECT_LE(off + len, VIRTIO_PCI_BAR_SIZE);
		seen[type]++;
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			EXPECT_GE(len, VIRTIO_PCI_COMMON_SIZE);
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			EXPECT_EQ(cfg_rd(f, p + VIRTIO_PCI_CAP_LEN, 1), 20);
			EXPECT_EQ(cfg_rd(f, p + VIRTIO_PCI_NOTIFY_MULTIPLIER, 4), VIRTIO_PCI_NOTIFY_OFF_MULT);
			EXPECT_EQ(off, VIRTIO_PCI_BAR_NOTIFY);
			EXPECT_GE(len, NQ * VIRTIO_PCI_NOTIFY_OFF_MULT);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			EXPECT_EQ(off, VIRTIO_PCI_BAR_ISR);
			EXPECT_GE(len, 1);
			break;
		case VIRTIO_PCI_CAP_PCI_CFG:
			EXPECT_EQ(cfg_rd(f, p + VIRTIO_PCI_CAP_LEN, 1), 20);
			break;
		default:
			EXPECT_EQ(off, VIRTIO_PCI_BAR_DEVICE);
			EXPECT_EQ(len, 12);
			break;
		}
	}
	for (unsigned t = 1; t <= 5; t++)
		EXPECT_EQ(seen[t], 1);
	EXPECT_EQ(msix, VIRTIO_PCI_CFG_MSIX);
	EXPECT_EQ(cfg_rd(f, msix + PCI_MSIX_CTRL, 2), NQ); /* table size - 1, disabled */
	EXPECT_EQ(cfg_rd(f, msix + PCI_MSIX_TABLE, 4), VIRTIO_PCI_BAR_MSIX_TABLE);
	EXPECT_EQ(cfg_rd(f, msix + PCI_MSIX_PBA, 4), VIRTIO_PCI_BAR_MSIX_PBA);
	/* Read-only: IDs, capabilities; the table size stays. */
	cfg_wr(f, PCI_VENDOR_ID, 4, 0);
	cfg_wr(f, VIRTIO_PCI_CFG_COMMON + VIRTIO_PCI_CAP_OFFSET, 4, 0x100);
	cfg_wr(f, msix + PCI_MSIX_CTRL, 2, 0xffff);
	EXPECT_EQ(cfg_rd(f, PCI_VENDOR_ID, 2), 0x1af4);
	EXPECT_EQ(cfg_rd(f, VIRTIO_PCI_CFG_COMMON + VIRTIO_PCI_CAP_OFFSET, 4), 0);
	EXPECT_EQ(cfg_rd(f, msix + PCI_MSIX_CTRL, 2), PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL | NQ);
	/* No I/O BAR: I/O decoding cannot be turned on. */
	cfg_wr(f, PCI_COMMAND, 2, 0xffff);
	EXPECT_EQ(cfg_rd(f, PCI_COMMAND, 2) & PCI_COMMAND_IO, 0);
	free(f);
}

TEST(virtio_pci, device_without_config_and_bad_descriptions)
{
	struct virtio_dev_ops o = dev_ops;
	struct virtio_pci *vp = calloc(1, sizeof(*vp));
	struct gmem *m = calloc(1, sizeof(*m));
	o.config_size = 0;
	EXPECT_EQ(virtio_pci_init(vp, &o, NULL, &host_ops, m), 0);
	/* No device cap: the ISR's is followed by the window. */
	EXPECT_EQ(pci_fn_get(&vp->fn, VIRTIO_PCI_CFG_ISR + PCI_CAP_NEXT, 1), VIRTIO_PCI_CFG_PCI);
	o = dev_ops;
	o.num_queues = 0;
	EXPECT_EQ(virtio_pci_init(vp, &o, NULL, &host_ops, m), -EINVAL);
	o.num_queues = VIRTIO_PCI_MAX_QUEUES + 1;
	EXPECT_EQ(virtio_pci_init(vp, &o, NULL, &host_ops, m), -EINVAL);
	o = dev_ops;
	o.queue_max = 96;
	EXPECT_EQ(virtio_pci_init(vp, &o, NULL, &host_ops, m), -EINVAL);
	o.queue_max = 0;
	EXPECT_EQ(virtio_pci_init(vp, &o, NULL, &host_ops, m), -EINVAL);
	o = dev_ops;
	o.config_size = VIRTIO_PCI_DEVICE_CFG_MAX + 1;
	EXPECT_EQ(virtio_pci_init(vp, &o, NULL, &host_ops, m), -EINVAL);
	free(vp);
	free(m);
}

TEST(virtio_pci, bar_sizing_and_decoding)
{
	struct fx *f = fx_new();
	uint64_t v;
	/* Not placed, memory decoding off: nothing answers. */
	EXPECT_EQ(virtio_pci_mmio(&f->vp, 0, 4, false, &v), -ENOENT);
	EXPECT_EQ(v, UINT64_MAX);
	place_bar(f);
	EXPECT_EQ(pci_fn_bar_addr(&f->vp.fn, 0), BAR_ADDR);
	EXPECT_EQ(rd(f, COMMON(NUMQ), 2), NQ);
	EXPECT_EQ(virtio_pci_mmio(&f->vp, BAR_ADDR - 4, 4, false, &v), -ENOENT);
	EXPECT_EQ(virtio_pci_mmio(&f->vp, BAR_ADDR + VIRTIO_PCI_BAR_SIZE, 1, false, &v), -ENOENT);
	/* Across the end of the BAR, or a size no CPU makes: refused. */
	EXPECT_EQ(virtio_pci_mmio(&f->vp, BAR_ADDR + VIRTIO_PCI_BAR_SIZE - 2, 4, false, &v), -EINVAL);
	EXPECT_EQ(v, UINT64_MAX);
	EXPECT_EQ(virtio_pci_mmio(&f->vp, BAR_ADDR, 3, false, &v), -EINVAL);
	EXPECT_EQ(virtio_pci_mmio(&f->vp, BAR_ADDR, 16, true, &v), -EINVAL);
	cfg_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	EXPECT_EQ(virtio_pci_mmio(&f->vp, BAR_ADDR, 4, false, &v), -ENOENT);
	cfg_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	/* What no register decodes reads 0. */
	EXPECT_EQ(rd(f, 0x7000, 8), 0);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_COMMON + VIRTIO_PCI_COMMON_SIZE, 4), 0);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_ISR + 4, 4), 0);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_NOTIFY, 2), 0);
	wr(f, 0x7000, 8, UINT64_MAX);
	free(f);
}

TEST(virtio_pci, linux_driver_with_msix)
{
	struct fx *f = fx_new();
	bring_up(f, true, OFFERED | F_VERSION_1, 128);
	EXPECT_EQ(f->vp.driver_features, OFFERED | F_VERSION_1);
	EXPECT_EQ(f->vp.q[0].vq.size, 128);
	EXPECT_TRUE(f->vp.q[0].vq.event_idx && f->vp.q[0].vq.indirect);
	/* A request on each queue: the kick, then the queue's vector. */
	for (unsigned q = 0; q < NQ; q++) {
		test_context("queue %u", q);
		unsigned n = f->nmsi;
		vdrv_set_used_event(&f->q[q], 0);
		EXPECT_EQ(round_trip(f, q), 1);
		EXPECT_EQ(f->nmsi, n + 1);
		EXPECT_EQ(f->msi_addr[n], MSI_ADDR);
		EXPECT_EQ(f->msi_data[n], 0x40 + q + 1);
	}
	EXPECT_EQ(f->intx_changes, 0); /* never INTx with MSI-X on */
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_ISR, 1), 0);
	/* The device configuration, through the callbacks. */
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_DEVICE, 1), 0x10);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_DEVICE + 2, 2), 0x1312);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_DEVICE + 4, 4), 0x17161514);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_DEVICE, 8), 0x1716151413121110ull); /* two dwords */
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_DEVICE + 10, 4), 0);		   /* past config_size */
	wr(f, VIRTIO_PCI_BAR_DEVICE + 8, 4, 0xaabbccdd);
	EXPECT_EQ(f->cfg[8], 0xdd);
	EXPECT_EQ(f->cfg[11], 0xaa);
	/* A configuration change: the generation moves, vector 0 fires. */
	uint8_t gen = (uint8_t)rd(f, COMMON(CFGGEN), 1);
	unsigned n = f->nmsi;
	virtio_pci_config_changed(&f->vp);
	EXPECT_EQ(rd(f, COMMON(CFGGEN), 1), (uint8_t)(gen + 1));
	EXPECT_EQ(f->nmsi, n + 1);
	EXPECT_EQ(f->msi_data[n], 0x40);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_ISR, 1), VIRTIO_PCI_ISR_CONFIG);
	/* A reset (the driver unbinding): everything back, the device told. */
	unsigned resets = f->resets;
	wr(f, COMMON(STATUS), 1, 0);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), 0);
	EXPECT_EQ(f->resets, resets + 1);
	EXPECT_EQ(rd(f, COMMON(MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	wr(f, COMMON(Q_SELECT), 2, 1);
	EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 0);
	EXPECT_EQ(rd(f, COMMON(Q_SIZE), 2), 256);
	EXPECT_EQ(rd(f, COMMON(Q_MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	EXPECT_EQ(rd(f, COMMON(Q_DESC), 8), 0);
	EXPECT_TRUE(virtio_pci_vq(&f->vp, 0) == NULL);
	EXPECT_EQ(f->vp.driver_features, 0);
	free(f);
}

TEST(virtio_pci, intx_and_isr_without_msix)
{
	struct fx *f = fx_new();
	bring_up(f, false, F_VERSION_1, 16);
	EXPECT_FALSE(f->vp.q[0].vq.event_idx);
	EXPECT_EQ(round_trip(f, 0), 1);
	EXPECT_TRUE(f->intx);
	EXPECT_EQ(cfg_rd(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	EXPECT_EQ(f->nmsi, 0);
	/* vp_interrupt: reading the ISR acknowledges and lowers the line. */
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	EXPECT_FALSE(f->intx);
	EXPECT_EQ(cfg_rd(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_ISR, 1), 0);
	/* Both causes at once. */
	EXPECT_EQ(round_trip(f, 1), 1);
	virtio_pci_config_changed(&f->vp);
	EXPECT_EQ(f->intx_changes, 3);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_ISR, 4), VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
	EXPECT_FALSE(f->intx);
	/* The command register's INTx disable holds the line down, not the ISR. */
	cfg_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	EXPECT_EQ(round_trip(f, 0), 1);
	EXPECT_FALSE(f->intx);
	cfg_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	EXPECT_TRUE(f->intx);
	/* Enabling MSI-X takes the line away too. */
	cfg_wr(f, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2, PCI_MSIX_CTRL_ENABLE);
	EXPECT_FALSE(f->intx);
	cfg_wr(f, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2, 0);
	EXPECT_TRUE(f->intx);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	EXPECT_FALSE(f->intx);
	/* A reset lowers a raised line. */
	EXPECT_EQ(round_trip(f, 0), 1);
	EXPECT_TRUE(f->intx);
	wr(f, COMMON(STATUS), 1, 0);
	EXPECT_FALSE(f->intx);
	free(f);
}

TEST(virtio_pci, feature_negotiation)
{
	struct fx *f = fx_new();
	place_bar(f);
	set_status(f, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* Beyond bits 0-63 there is nothing. */
	wr(f, COMMON(DFSELECT), 4, 2);
	EXPECT_EQ(rd(f, COMMON(DF), 4), 0);
	wr(f, COMMON(GFSELECT), 4, 2);
	wr(f, COMMON(GF), 4, 0xffffffff);
	EXPECT_EQ(rd(f, COMMON(GF), 4), 0);
	EXPECT_EQ(f->vp.driver_features, 0);
	/* Without VERSION_1 (a legacy driver): FEATURES_OK does not stick. */
	wr(f, COMMON(GFSELECT), 4, 0);
	wr(f, COMMON(GF), 4, (uint32_t)F_DEV);
	set_status(f, VIRTIO_STATUS_FEATURES_OK);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* A feature the device did not offer (bit 3): refused too. */
	wr(f, COMMON(GFSELECT), 4, 1);
	wr(f, COMMON(GF), 4, 1);
	wr(f, COMMON(GFSELECT), 4, 0);
	wr(f, COMMON(GF), 4, (uint32_t)(F_DEV | 1u << 3));
	EXPECT_EQ(rd(f, COMMON(GF), 4), F_DEV | 1u << 3);
	set_status(f, VIRTIO_STATUS_FEATURES_OK);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1) & VIRTIO_STATUS_FEATURES_OK, 0);
	/* A subset with VERSION_1: accepted, then fixed. */
	wr(f, COMMON(GF), 4, (uint32_t)F_DEV);
	set_status(f, VIRTIO_STATUS_FEATURES_OK);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1) & VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_FEATURES_OK);
	wr(f, COMMON(GF), 4, (uint32_t)OFFERED);
	EXPECT_EQ(rd(f, COMMON(GF), 4), F_DEV);
	EXPECT_EQ(f->vp.driver_features, F_DEV | F_VERSION_1);
	/* device_feature is read-only. */
	wr(f, COMMON(DFSELECT), 4, 0);
	wr(f, COMMON(DF), 4, 0);
	EXPECT_EQ(rd(f, COMMON(DF), 4), (uint32_t)OFFERED);
	free(f);
}

TEST(virtio_pci, status_state_machine)
{
	struct fx *f = fx_new();
	place_bar(f);
	/* Out of order: dropped whole. */
	wr(f, COMMON(STATUS), 1, VIRTIO_STATUS_DRIVER);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), 0);
	wr(f, COMMON(STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), 0);
	/* NEEDS_RESET is the device's, the reserved bits nobody's. */
	wr(f, COMMON(STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_NEEDS_RESET | 0x30);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(f, VIRTIO_STATUS_DRIVER);
	set_status(f, VIRTIO_STATUS_DRIVER_OK); /* before FEATURES_OK */
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* Bits are not taken back but by a reset. */
	wr(f, COMMON(STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* FAILED: the driver gave up; nothing goes live after it. */
	set_status(f, VIRTIO_STATUS_FAILED);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1),
		  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FAILED);
	EXPECT_EQ(f->driver_oks, 0);
	EXPECT_EQ(f->resets, 0);
	wr(f, COMMON(GFSELECT), 4, 1);
	wr(f, COMMON(GF), 4, 1);
	set_status(f, VIRTIO_STATUS_FEATURES_OK);
	set_status(f, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_FAILED);
	EXPECT_EQ(f->driver_oks, 0);
	wr(f, COMMON(STATUS), 1, 0);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), 0);
	EXPECT_EQ(f->resets, 1);
	/* A wider or narrower write is no status write. */
	wr(f, COMMON(STATUS), 2, VIRTIO_STATUS_ACKNOWLEDGE);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1), 0);
	free(f);
}

TEST(virtio_pci, queue_configuration_rules)
{
	struct fx *f = fx_new();
	place_bar(f);
	set_status(f, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	struct vdrv d;
	vdrv_init(&d, &f->m, 64, GRAM_BASE, false);
	wr(f, COMMON(Q_SELECT), 2, 0);
	/* Sizes: a power of 2 up to the maximum, else unchanged. */
	static const uint16_t bad[] = {0, 3, 100, 255, 512, 0xffff};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_context("size %u", bad[i]);
		wr(f, COMMON(Q_SIZE), 2, bad[i]);
		EXPECT_EQ(rd(f, COMMON(Q_SIZE), 2), 256);
	}
	test_context("queue set up");
	wr(f, COMMON(Q_SIZE), 2, 64);
	wr(f, COMMON(Q_DESC), 8, d.desc); /* one 64-bit write works too */
	wr(f, COMMON(Q_AVAIL), 8, d.avail);
	wr(f, COMMON(Q_USED), 8, d.used);
	EXPECT_EQ(rd(f, COMMON(Q_AVAIL), 4), (uint32_t)d.avail);
	EXPECT_EQ(rd(f, COMMON(Q_AVAIL) + 4, 4), 0);
	/* A vector that does not exist reads back as none. */
	wr(f, COMMON(Q_MSIX), 2, NQ + 1);
	EXPECT_EQ(rd(f, COMMON(Q_MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	wr(f, COMMON(MSIX), 2, 100);
	EXPECT_EQ(rd(f, COMMON(MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	/* Enabling before FEATURES_OK: ignored. */
	wr(f, COMMON(Q_ENABLE), 2, 1);
	EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 0);
	wr(f, COMMON(GFSELECT), 4, 1);
	wr(f, COMMON(GF), 4, 1);
	set_status(f, VIRTIO_STATUS_FEATURES_OK);
	wr(f, COMMON(Q_ENABLE), 2, 2); /* only 1 enables */
	EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 0);
	wr(f, COMMON(Q_ENABLE), 2, 1);
	EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 1);
	/* Enabled: size and addresses are fixed, 0 does not disable. */
	wr(f, COMMON(Q_SIZE), 2, 32);
	wr(f, COMMON(Q_DESC), 4, 0);
	wr(f, COMMON(Q_ENABLE), 2, 0);
	EXPECT_EQ(rd(f, COMMON(Q_SIZE), 2), 64);
	EXPECT_EQ(rd(f, COMMON(Q_DESC), 8), d.desc);
	EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 1);
	/* A queue that does not exist: size 0, writes go nowhere. */
	wr(f, COMMON(Q_SELECT), 2, NQ);
	EXPECT_EQ(rd(f, COMMON(Q_SELECT), 2), NQ);
	EXPECT_EQ(rd(f, COMMON(Q_SIZE), 2), 0);
	wr(f, COMMON(Q_SIZE), 2, 16);
	wr(f, COMMON(Q_ENABLE), 2, 1);
	EXPECT_EQ(rd(f, COMMON(Q_SIZE), 2), 0);
	EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 0);
	EXPECT_EQ(rd(f, COMMON(Q_MSIX), 2), VIRTIO_MSI_NO_VECTOR);
	/* Sub-field reads see the bytes; sub-field writes are dropped. */
	wr(f, COMMON(Q_SELECT), 2, 0);
	EXPECT_EQ(rd(f, COMMON(Q_SIZE) + 0, 1), 64);
	/* num_queues, device_status, config_generation in one dword. */
	EXPECT_EQ(rd(f, COMMON(NUMQ), 4), NQ | (uint32_t)rd(f, COMMON(STATUS), 1) << 16);
	wr(f, COMMON(Q_SELECT), 1, 1);
	EXPECT_EQ(rd(f, COMMON(Q_SELECT), 2), 0);
	wr(f, COMMON(DFSELECT) + 1, 2, 0xffff);
	EXPECT_EQ(rd(f, COMMON(DFSELECT), 4), 0);
	free(f);
}

TEST(virtio_pci, notifications_only_on_live_queues)
{
	struct fx *f = fx_new();
	place_bar(f);
	/* Before anything: no kick. */
	kick(f, 0);
	EXPECT_EQ(f->kicks[0], 0);
	set_status(f, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(f, COMMON(GFSELECT), 4, 1);
	wr(f, COMMON(GF), 4, 1);
	set_status(f, VIRTIO_STATUS_FEATURES_OK);
	struct vdrv d;
	vdrv_init(&d, &f->m, 16, GRAM_BASE, false);
	wr(f, COMMON(Q_SIZE), 2, 16);
	wr(f, COMMON(Q_DESC), 8, d.desc);
	wr(f, COMMON(Q_AVAIL), 8, d.avail);
	wr(f, COMMON(Q_USED), 8, d.used);
	wr(f, COMMON(Q_ENABLE), 2, 1);
	/* Enabled but no DRIVER_OK yet (3.1.1): dropped. */
	kick(f, 0);
	EXPECT_EQ(f->kicks[0], 0);
	EXPECT_TRUE(virtio_pci_vq(&f->vp, 0) == NULL);
	set_status(f, VIRTIO_STATUS_DRIVER_OK);
	kick(f, 0);
	EXPECT_EQ(f->kicks[0], 1);
	/* Queue 1 was never enabled; queue 5 does not exist. */
	kick(f, 1);
	kick(f, 5);
	EXPECT_EQ(f->kicks[1], 0);
	EXPECT_TRUE(virtio_pci_vq(&f->vp, 1) == NULL);
	EXPECT_TRUE(virtio_pci_vq(&f->vp, 5) == NULL);
	struct virtq_seg s;
	struct virtq_chain c;
	EXPECT_EQ(virtio_pci_pop(&f->vp, 1, &s, 1, &c), -EIO);
	EXPECT_EQ(virtio_pci_push(&f->vp, 1, 0, 0), -EIO);
	EXPECT_FALSE(virtio_pci_interrupt(&f->vp, 1));
	/* Not at the queue's address, or a byte: no kick. A 32-bit one is. */
	wr(f, VIRTIO_PCI_BAR_NOTIFY + 1, 1, 0);
	wr(f, VIRTIO_PCI_BAR_NOTIFY + 2, 2, 0);
	wr(f, VIRTIO_PCI_BAR_NOTIFY, 1, 0);
	wr(f, VIRTIO_PCI_BAR_NOTIFY, 8, 0);
	EXPECT_EQ(f->kicks[0], 1);
	wr(f, VIRTIO_PCI_BAR_NOTIFY, 4, 0);
	EXPECT_EQ(f->kicks[0], 2);
	free(f);
}

TEST(virtio_pci, msix_masks_and_pending_bits)
{
	struct fx *f = fx_new();
	bring_up(f, true, OFFERED | F_VERSION_1, 16);
	unsigned e1 = VIRTIO_PCI_BAR_MSIX_TABLE + PCI_MSIX_ENTRY_SIZE;
	EXPECT_EQ(rd(f, e1 + PCI_MSIX_ENTRY_DATA, 4), 0x41);
	EXPECT_EQ(rd(f, e1, 8), MSI_ADDR);
	/* Vector 1 masked: the interrupt waits in the PBA. */
	wr(f, e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, PCI_MSIX_ENTRY_MASKED);
	EXPECT_EQ(rd(f, e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4), PCI_MSIX_ENTRY_MASKED);
	unsigned n = f->nmsi;
	vdrv_set_used_event(&f->q[0], 0);
	EXPECT_EQ(round_trip(f, 0), 1);
	EXPECT_EQ(f->nmsi, n);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_MSIX_PBA, 8), 1u << 1);
	/* The entry can be changed while masked; unmasking sends it there. */
	wr(f, e1 + PCI_MSIX_ENTRY_DATA, 4, 0x55);
	wr(f, e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 0xfffffffe); /* reserved bits read 0 */
	EXPECT_EQ(rd(f, e1 + PCI_MSIX_ENTRY_VECTOR_CTRL, 4), 0);
	EXPECT_EQ(f->nmsi, n + 1);
	EXPECT_EQ(f->msi_data[n], 0x55);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_MSIX_PBA, 4), 0);
	/* The function mask holds every vector. */
	cfg_wr(f, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2, PCI_MSIX_CTRL_ENABLE | PCI_MSIX_CTRL_MASKALL);
	vdrv_set_used_event(&f->q[1], f->q[1].last_used);
	EXPECT_EQ(round_trip(f, 1), 1);
	virtio_pci_config_changed(&f->vp);
	EXPECT_EQ(f->nmsi, n + 1);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_MSIX_PBA, 8), 1u << 0 | 1u << 2);
	wr(f, VIRTIO_PCI_BAR_MSIX_PBA, 8, 0); /* read-only */
	cfg_wr(f, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2, PCI_MSIX_CTRL_ENABLE);
	EXPECT_EQ(f->nmsi, n + 3);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_MSIX_PBA, 8), 0);
	/* NO_VECTOR: no interrupt at all. */
	wr(f, COMMON(Q_SELECT), 2, 0);
	wr(f, COMMON(Q_MSIX), 2, VIRTIO_MSI_NO_VECTOR);
	EXPECT_EQ(round_trip(f, 0), 1);
	EXPECT_EQ(f->nmsi, n + 3);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_MSIX_PBA, 8), 0);
	/* Table: dword and qword accesses only; entries past the table read 0. */
	uint64_t v;
	EXPECT_EQ(virtio_pci_mmio(&f->vp, BAR_ADDR + e1 + PCI_MSIX_ENTRY_DATA, 2, false, &v), 0);
	EXPECT_EQ(v, 0);
	wr(f, e1 + PCI_MSIX_ENTRY_DATA, 2, 0x66);
	EXPECT_EQ(rd(f, e1 + PCI_MSIX_ENTRY_DATA, 4), 0x55);
	EXPECT_EQ(rd(f, VIRTIO_PCI_BAR_MSIX_TABLE + (NQ + 1) * PCI_MSIX_ENTRY_SIZE, 4), 0);
	free(f);
}

TEST(virtio_pci, bad_chain_marks_the_device_broken)
{
	struct fx *f = fx_new();
	bring_up(f, true, OFFERED | F_VERSION_1, 16);
	EXPECT_EQ(round_trip(f, 1), 1);
	/* A loop on queue 0. */
	struct vdrv *d = &f->q[0];
	vdrv_desc(d, d->desc, 0, BUF, 0, VIRTQ_DESC_F_NEXT, 1);
	vdrv_desc(d, d->desc, 1, BUF, 0, VIRTQ_DESC_F_NEXT, 0);
	vdrv_publish(d, 0);
	kick(f, 0);
	EXPECT_EQ(f->kicks[0], 1);
	unsigned n = f->nmsi;
	struct virtq_seg s[4];
	struct virtq_chain c;
	EXPECT_EQ(virtio_pci_pop(&f->vp, 0, s, 4, &c), -ELOOP);
	/* NEEDS_RESET, and the configuration interrupt that says so (2.1.2). */
	EXPECT_EQ(rd(f, COMMON(STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
	EXPECT_EQ(f->nmsi, n + 1);
	EXPECT_EQ(f->msi_data[n], 0x40);
	/* Every queue stops: no queue, no kick, no pop or push. */
	for (unsigned q = 0; q < NQ; q++) {
		test_context("queue %u", q);
		EXPECT_TRUE(virtio_pci_vq(&f->vp, q) == NULL);
		EXPECT_EQ(virtio_pci_pop(&f->vp, q, s, 4, &c), -EIO);
		EXPECT_EQ(virtio_pci_push(&f->vp, q, 0, 0), -EIO);
		kick(f, q);
	}
	EXPECT_EQ(f->kicks[0], 1);
	EXPECT_EQ(f->kicks[1], 1);
	/* The driver writing its status back keeps NEEDS_RESET; it stays. */
	set_status(f, 0);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
	virtio_pci_set_broken(&f->vp); /* once is enough */
	EXPECT_EQ(f->nmsi, n + 1);
	/* The driver resets and brings it up again: it works. */
	memset(f->kicks, 0, sizeof(f->kicks));
	bring_up(f, true, OFFERED | F_VERSION_1, 16);
	EXPECT_FALSE(f->vp.broken);
	EXPECT_EQ(round_trip(f, 0), 1);
	EXPECT_EQ(round_trip(f, 1), 1);
	/* The driver giving up (FAILED after DRIVER_OK) stops the queues. */
	set_status(f, VIRTIO_STATUS_FAILED);
	EXPECT_TRUE(virtio_pci_vq(&f->vp, 0) == NULL);
	kick(f, 0);
	EXPECT_EQ(f->kicks[0], 1);
	free(f);
}

TEST(virtio_pci, rings_outside_ram_break_the_device)
{
	struct fx *f = fx_new();
	place_bar(f);
	set_status(f, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(f, COMMON(GFSELECT), 4, 1);
	wr(f, COMMON(GF), 4, 1);
	set_status(f, VIRTIO_STATUS_FEATURES_OK);
	wr(f, COMMON(Q_DESC), 8, 0x1000); /* not RAM */
	wr(f, COMMON(Q_AVAIL), 8, GRAM_BASE);
	wr(f, COMMON(Q_USED), 8, GRAM_BASE + 0x1000);
	wr(f, COMMON(Q_ENABLE), 2, 1);
	EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 1);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
	EXPECT_TRUE(f->vp.q[0].vq.broken);
	EXPECT_EQ(f->vp.q[0].vq.error, -EFAULT);
	/* No more queues enabled on a broken device, no DRIVER_OK use. */
	wr(f, COMMON(Q_SELECT), 2, 1);
	wr(f, COMMON(Q_DESC), 8, GRAM_BASE);
	wr(f, COMMON(Q_ENABLE), 2, 1);
	EXPECT_EQ(rd(f, COMMON(Q_ENABLE), 2), 0);
	set_status(f, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_TRUE(virtio_pci_vq(&f->vp, 0) == NULL);
	kick(f, 0);
	EXPECT_EQ(f->kicks[0], 0);
	/* Misaligned rings: the same. */
	wr(f, COMMON(STATUS), 1, 0);
	EXPECT_FALSE(f->vp.broken);
	set_status(f, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(f, COMMON(GFSELECT), 4, 1);
	wr(f, COMMON(GF), 4, 1);
	set_status(f, VIRTIO_STATUS_FEATURES_OK);
	wr(f, COMMON(Q_DESC), 8, GRAM_BASE + 8);
	wr(f, COMMON(Q_AVAIL), 8, GRAM_BASE + 0x2000);
	wr(f, COMMON(Q_USED), 8, GRAM_BASE + 0x3000);
	wr(f, COMMON(Q_ENABLE), 2, 1);
	EXPECT_EQ(f->vp.q[0].vq.error, -EINVAL);
	EXPECT_EQ(rd(f, COMMON(STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
	free(f);
}

/* The VIRTIO_PCI_CAP_PCI_CFG window (4.1.4.9): the BAR through
 * configuration space, memory decoding off. */
static void win_set(struct fx *f, unsigned bar, uint32_t off, uint32_t len)
{
	cfg_wr(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CAP_BAR, 1, bar);
	cfg_wr(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CAP_OFFSET, 4, off);
	cfg_wr(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CAP_LENGTH, 4, len);
}

static uint32_t win_rd(struct fx *f, unsigned bar_off, unsigned len)
{
	win_set(f, 0, bar_off, len);
	return cfg_rd(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA, len);
}

static void win_wr(struct fx *f, unsigned bar_off, unsigned len, uint32_t v)
{
	win_set(f, 0, bar_off, len);
	cfg_wr(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA, len, v);
}

TEST(virtio_pci, configuration_access_window)
{
	struct fx *f = fx_new();
	EXPECT_EQ(cfg_rd(f, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY, 0);
	EXPECT_EQ(win_rd(f, COMMON(NUMQ), 2), NQ);
	win_wr(f, COMMON(DFSELECT), 4, 1);
	EXPECT_EQ(win_rd(f, COMMON(DF), 4), 1); /* VERSION_1 */
	win_wr(f, COMMON(STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE);
	EXPECT_EQ(f->vp.status, VIRTIO_STATUS_ACKNOWLEDGE);
	EXPECT_EQ(win_rd(f, VIRTIO_PCI_BAR_DEVICE + 4, 4), 0x17161514);
	/* The ISR through the window is read-to-clear as well. */
	virtio_pci_config_changed(&f->vp); /* no DRIVER_OK: no interrupt */
	EXPECT_EQ(win_rd(f, VIRTIO_PCI_BAR_ISR, 1), 0);
	/* A bad window does nothing: the data bytes are plain storage. */
	win_set(f, 0, COMMON(NUMQ), 3);
	/* What the last reads left: the ISR's 0 over the config's bytes. */
	EXPECT_EQ(cfg_rd(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA, 4), 0x17161500);
	win_set(f, 0, COMMON(NUMQ) + 1, 2); /* misaligned */
	cfg_wr(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA, 4, 0xabcd);
	EXPECT_EQ(cfg_rd(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA, 4), 0xabcd);
	win_set(f, 2, COMMON(STATUS), 1); /* another BAR */
	cfg_wr(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA, 1, 0);
	win_set(f, 0, VIRTIO_PCI_BAR_SIZE, 4); /* past the BAR */
	cfg_wr(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CFG_DATA, 1, 0);
	EXPECT_EQ(f->vp.status, VIRTIO_STATUS_ACKNOWLEDGE);
	EXPECT_EQ(f->resets, 0);
	/* The other bytes of the capability are read-only. */
	cfg_wr(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CAP_CFG_TYPE, 1, 1);
	EXPECT_EQ(cfg_rd(f, VIRTIO_PCI_CFG_PCI + VIRTIO_PCI_CAP_CFG_TYPE, 1), VIRTIO_PCI_CAP_PCI_CFG);
	free(f);
}
