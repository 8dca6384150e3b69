/* SPDX-License-Identifier: GPL-2.0-only */
/* test_virtio_hostile.c: the scenarios of the hostile_virtio test guest
 * (tests/guests/hostile_virtio.c), replayed on the host against iopmd's
 * virtio-blk model (iopm/dev/virtio_blk.c over virtio_pci.c and virtq.c)
 * exactly as the guest does them: reset, bring-up with VERSION_1 and
 * INDIRECT_DESC, queue 0 of 16 in its own pages, DRIVER_OK, no interrupts,
 * one bad thing, then what the guest looks at -- device_status, used->idx,
 * the request's status byte -- and a good read after a reset. Each test
 * asserts the "expected of iopmd's device" column of docs/virtio.md "A
 * hostile driver", so the guest's lines under coopvmm can be predicted
 * without a Bochs boot. */
#include <stdio.h>
#include <stdlib.h>

#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_blk.h"
#include "test.h"
#include "virtio_util.h"

#define BAR_ADDR   0xfe000000ull /* where iopmd places 00:02.0's BAR 0 (issue 16) */
#define DEVFN	   PCI_DEVFN(2, 0)
#define SECTORS	   64
#define DISK_BYTES (SECTORS * 512)
#define QSZ	   16 /* the guest's queue size */
/* The guest's pages (its .bss, here in the fake RAM). */
#define DESC	  (GRAM_BASE + 0x1000)
#define AVAIL	  (GRAM_BASE + 0x2000)
#define USED	  (GRAM_BASE + 0x3000)
#define HDR	  (GRAM_BASE + 0x4000)
#define DATA	  (GRAM_BASE + 0x5000)
#define STATUS	  (GRAM_BASE + 0x6000)
#define INDIRECT  (GRAM_BASE + 0x7000)
#define INDIRECT2 (GRAM_BASE + 0x7100)
#define POISON	  0xee /* the status byte before the device writes it */
#define ST_ALL                                                                                               \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |                      \
	 VIRTIO_STATUS_DRIVER_OK)
#define ST_BROKEN (ST_ALL | VIRTIO_STATUS_NEEDS_RESET)

struct fx {
	struct gmem m; /* first: the memory callbacks get the same ctx */
	struct pcihost h;
	struct virtio_blk b;
	uint8_t disk[DISK_BYTES];
	struct vpdrv pci;
	uint16_t qsize; /* the driver's idea of the queue size */
};

static int be_rw(void *ctx, bool write, uint64_t off, uint64_t gpa, uint32_t len)
{
	struct fx *f = ctx;
	uint8_t *p = gmem_ptr(&f->m, gpa, len, !write);
	EXPECT_TRUE(p != NULL);
	EXPECT_LE(off, DISK_BYTES);
	EXPECT_LE(len, DISK_BYTES - off);
	if (!p || off > DISK_BYTES || len > DISK_BYTES - off)
		return -EIO;
	if (write)
		memcpy(f->disk + off, p, len);
	else
		memcpy(p, f->disk + off, len);
	return 0;
}

static int be_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

static const struct virtio_blk_backend backend = {be_rw, be_flush};

static void h_intx(void *ctx, bool level)
{
	(void)ctx;
	(void)level;
}

static void h_msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)addr;
	(void)data;
	EXPECT_TRUE(!"an MSI: the guest never enables MSI-X");
}

static const struct virtio_pci_host_ops host_ops = {&gmem_ops, h_intx, h_msi};

/* iopmd's placement: BAR 0 at 0xfe000000, memory decoding on. */
static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	memcpy(f->disk, "HVDISK00", 8);
	EXPECT_EQ(virtio_blk_init(&f->b, DISK_BYTES, false, NULL, &backend, f, &host_ops, f), 0);
	vpdrv_attach(&f->pci, &f->h, DEVFN, &f->b.vp, BAR_ADDR);
	vpdrv_place(&f->pci);
	return f;
}

static void wr64(struct fx *f, unsigned off, uint64_t v)
{
	vpdrv_wr(&f->pci, off, 4, (uint32_t)v); /* low, then high, as the guest does */
	vpdrv_wr(&f->pci, off + 4, 4, v >> 32);
}

/* The guest's init_device(): SIZE 0 = 16; a ring address 0 = its page. */
static void init_device(struct fx *f, uint16_t size, uint64_t desc, uint64_t avail, uint64_t used)
{
	vpdrv_wr(&f->pci, COMMON(STATUS), 1, 0);
	EXPECT_EQ(vpdrv_status(&f->pci), 0);
	vpdrv_wr(&f->pci, COMMON(STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE);
	vpdrv_wr(&f->pci, COMMON(STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	uint64_t feat = vpdrv_device_features(&f->pci);
	EXPECT_TRUE(feat >> VIRTIO_F_VERSION_1 & 1);
	EXPECT_TRUE(feat >> VIRTIO_F_INDIRECT_DESC & 1);
	uint64_t want = 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC;
	vpdrv_wr(&f->pci, COMMON(GFSELECT), 4, 0);
	vpdrv_wr(&f->pci, COMMON(GF), 4, (uint32_t)want);
	vpdrv_wr(&f->pci, COMMON(GFSELECT), 4, 1);
	vpdrv_wr(&f->pci, COMMON(GF), 4, want >> 32);
	vpdrv_wr(&f->pci, COMMON(STATUS), 1,
		 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	EXPECT_EQ(vpdrv_status(&f->pci) & VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_FEATURES_OK);
	vpdrv_wr(&f->pci, COMMON(MSIX), 2, VIRTIO_MSI_NO_VECTOR);
	vpdrv_wr(&f->pci, COMMON(Q_SELECT), 2, 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, COMMON(Q_SIZE), 2), VIRTIO_BLK_QUEUE_MAX);
	vpdrv_wr(&f->pci, COMMON(Q_SIZE), 2, size ? size : QSZ);
	f->qsize = (uint16_t)vpdrv_rd(&f->pci, COMMON(Q_SIZE), 2);
	vpdrv_wr(&f->pci, COMMON(Q_MSIX), 2, VIRTIO_MSI_NO_VECTOR);
	EXPECT_EQ(vpdrv_rd(&f->pci, COMMON(Q_NOFF), 2), 0);
	memset(gmem_ptr(&f->m, DESC, 0x6200, true), 0, 0x6200); /* rings, request, tables */
	gm_put(&f->m, STATUS, 1, POISON);
	wr64(f, COMMON(Q_DESC), desc ? desc : DESC);
	wr64(f, COMMON(Q_AVAIL), avail ? avail : AVAIL);
	wr64(f, COMMON(Q_USED), used ? used : USED);
	vpdrv_wr(&f->pci, COMMON(Q_ENABLE), 2, 1);
	vpdrv_wr(&f->pci, COMMON(STATUS), 1, ST_ALL);
}

static uint16_t used_idx(struct fx *f)
{
	return (uint16_t)gm_get(&f->m, USED + VIRTQ_USED_IDX, 2);
}

static uint8_t status_byte(struct fx *f)
{
	return (uint8_t)gm_get(&f->m, STATUS, 1);
}

static void desc(struct fx *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	uint64_t at = table + 16ull * i;
	gm_put(&f->m, at + VIRTQ_DESC_ADDR, 8, addr);
	gm_put(&f->m, at + VIRTQ_DESC_LEN, 4, len);
	gm_put(&f->m, at + VIRTQ_DESC_FLAGS, 2, flags);
	gm_put(&f->m, at + VIRTQ_DESC_NEXT, 2, next);
}

/* The guest's good_chain(): header, data, status in descriptors 0-2. */
static void good_chain(struct fx *f, uint64_t sector)
{
	gm_put(&f->m, HDR + VIRTIO_BLK_HDR_TYPE, 4, VIRTIO_BLK_T_IN);
	gm_put(&f->m, HDR + 4, 4, 0);
	gm_put(&f->m, HDR + VIRTIO_BLK_HDR_SECTOR, 8, sector);
	gm_put(&f->m, STATUS, 1, POISON);
	desc(f, DESC, 0, HDR, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 1);
	desc(f, DESC, 1, DATA, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	desc(f, DESC, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
}

static void submit(struct fx *f, uint16_t head)
{
	uint16_t idx = (uint16_t)gm_get(&f->m, AVAIL + VIRTQ_AVAIL_IDX, 2);
	gm_put(&f->m, AVAIL + VIRTQ_AVAIL_RING + 2ull * (idx % f->qsize), 2, head);
	gm_put(&f->m, AVAIL + VIRTQ_AVAIL_IDX, 2, (uint16_t)(idx + 1));
	vpdrv_kick(&f->pci, 0);
}

/* good_after_reset=ok: reset, bring-up, a read of sector 0 with status 0. */
static void expect_good_after_reset(struct fx *f)
{
	init_device(f, 0, 0, 0, 0);
	EXPECT_EQ(vpdrv_status(&f->pci), ST_ALL);
	good_chain(f, 0);
	submit(f, 0);
	EXPECT_EQ(used_idx(f), 1);
	EXPECT_EQ(status_byte(f), VIRTIO_BLK_S_OK);
	EXPECT_EQ(memcmp(gmem_ptr(&f->m, DATA, 8, false), "HVDISK00", 8), 0);
	EXPECT_EQ(vpdrv_status(&f->pci), ST_ALL);
}

/* What the guest prints for a chain at head 0 after the device saw it. */
static void expect_outcome(struct fx *f, uint8_t st, uint16_t used, int req)
{
	EXPECT_EQ(vpdrv_status(&f->pci), st);
	EXPECT_EQ(used_idx(f), used);
	EXPECT_EQ(status_byte(f), req < 0 ? POISON : req);
	expect_good_after_reset(f);
	free(f);
}

/* A chain built by BUILD on a normal queue, submitted at head 0. */
static struct fx *bad_chain(void (*build)(struct fx *))
{
	struct fx *f = fx_new();
	init_device(f, 0, 0, 0, 0);
	EXPECT_EQ(f->qsize, QSZ);
	good_chain(f, 0);
	build(f);
	submit(f, 0);
	return f;
}

static void b_loop(struct fx *f)
{
	desc(f, DESC, 2, STATUS, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
}

static void b_next_oob(struct fx *f)
{
	desc(f, DESC, 1, DATA, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1000);
}

static void b_fff00000(struct fx *f)
{
	desc(f, DESC, 1, 0xfff00000ull, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
}

static void b_4g(struct fx *f)
{
	desc(f, DESC, 1, 0x100000000ull, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
}

static void b_wrap(struct fx *f)
{
	desc(f, DESC, 1, 0xfffffffffffffe00ull, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
}

static void b_huge_len(struct fx *f)
{
	desc(f, DESC, 1, DATA, 0xffffffffu, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
}

/* The guest's indirect_chain(): the request in a table at descriptor 0. */
static void indirect_chain(struct fx *f, uint32_t table_len, bool nested)
{
	desc(f, INDIRECT, 0, HDR, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 1);
	desc(f, INDIRECT, 1, DATA, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	if (nested) {
		desc(f, INDIRECT2, 0, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
		desc(f, INDIRECT, 2, INDIRECT2, 16, VIRTQ_DESC_F_INDIRECT, 0);
	} else {
		desc(f, INDIRECT, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	}
	desc(f, DESC, 0, INDIRECT, table_len, VIRTQ_DESC_F_INDIRECT, 0);
}

static void b_indirect_good(struct fx *f)
{
	indirect_chain(f, 48, false);
}

static void b_indirect_nested(struct fx *f)
{
	indirect_chain(f, 48, true);
}

static void b_indirect_badlen(struct fx *f)
{
	indirect_chain(f, 49, false);
}

static void b_read_after_write(struct fx *f)
{
	desc(f, DESC, 1, DATA, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	desc(f, DESC, 3, HDR, VIRTIO_BLK_HDR_SIZE, VIRTQ_DESC_F_NEXT, 2);
}

static void b_no_status(struct fx *f)
{
	desc(f, DESC, 0, HDR, VIRTIO_BLK_HDR_SIZE, 0, 0);
}

static void b_past_capacity(struct fx *f)
{
	gm_put(&f->m, HDR + VIRTIO_BLK_HDR_SECTOR, 8, SECTORS + 1000);
}

static void b_sector_huge(struct fx *f)
{
	gm_put(&f->m, HDR + VIRTIO_BLK_HDR_SECTOR, 8, 0xfffffffffffffff0ull);
}

TEST(virtio_hostile, loop)
{
	expect_outcome(bad_chain(b_loop), ST_BROKEN, 0, -1);
}

TEST(virtio_hostile, next_oob)
{
	expect_outcome(bad_chain(b_next_oob), ST_BROKEN, 0, -1);
}

TEST(virtio_hostile, avail_ahead)
{
	struct fx *f = fx_new();
	init_device(f, 0, 0, 0, 0);
	good_chain(f, 0);
	gm_put(&f->m, AVAIL + VIRTQ_AVAIL_RING, 2, 0);
	gm_put(&f->m, AVAIL + VIRTQ_AVAIL_IDX, 2, 1000);
	vpdrv_kick(&f->pci, 0);
	expect_outcome(f, ST_BROKEN, 0, -1); /* QEMU may do slot 0 first; this device reads no chain */
}

TEST(virtio_hostile, addr_outside_ram)
{
	/* QEMU completes these with status 0, dropping the DMA. */
	expect_outcome(bad_chain(b_fff00000), ST_BROKEN, 0, -1);
	expect_outcome(bad_chain(b_4g), ST_BROKEN, 0, -1);
	expect_outcome(bad_chain(b_wrap), ST_BROKEN, 0, -1);
}

TEST(virtio_hostile, huge_len)
{
	expect_outcome(bad_chain(b_huge_len), ST_BROKEN, 0, -1);
}

TEST(virtio_hostile, indirect)
{
	expect_outcome(bad_chain(b_indirect_good), ST_ALL, 1, VIRTIO_BLK_S_OK);
	expect_outcome(bad_chain(b_indirect_nested), ST_BROKEN, 0, -1);
	expect_outcome(bad_chain(b_indirect_badlen), ST_BROKEN, 0, -1);
}

TEST(virtio_hostile, read_after_write)
{
	expect_outcome(bad_chain(b_read_after_write), ST_BROKEN, 0, -1);
}

TEST(virtio_hostile, no_status)
{
	/* QEMU: NEEDS_RESET. Here: used with length 0, the device goes on. */
	struct fx *f = bad_chain(b_no_status);
	EXPECT_EQ(gm_get(&f->m, USED + VIRTQ_USED_RING + 4, 4), 0);
	expect_outcome(f, ST_ALL, 1, -1);
}

TEST(virtio_hostile, past_capacity)
{
	expect_outcome(bad_chain(b_past_capacity), ST_ALL, 1, VIRTIO_BLK_S_IOERR);
	expect_outcome(bad_chain(b_sector_huge), ST_ALL, 1, VIRTIO_BLK_S_IOERR);
}

TEST(virtio_hostile, qsize_3)
{
	/* QEMU takes 3; this device keeps its maximum, and the guest uses
	 * what it reads back. */
	struct fx *f = fx_new();
	init_device(f, 3, 0, 0, 0);
	EXPECT_EQ(f->qsize, VIRTIO_BLK_QUEUE_MAX);
	good_chain(f, 0);
	submit(f, 0);
	expect_outcome(f, ST_ALL, 1, VIRTIO_BLK_S_OK);
}

TEST(virtio_hostile, queue_in_mmio)
{
	/* The rings past the common configuration in the device's own BAR:
	 * QEMU reads 0 there and does nothing; this device refuses them at
	 * queue_enable, and DRIVER_OK is still taken. */
	struct fx *f = fx_new();
	uint64_t mm = BAR_ADDR + 0x800;
	init_device(f, 0, mm, mm + 0x100, mm + 0x200);
	EXPECT_EQ(vpdrv_status(&f->pci), ST_BROKEN);
	good_chain(f, 0);
	submit(f, 0);
	expect_outcome(f, ST_BROKEN, 0, -1);
}

TEST(virtio_hostile, kick_storm)
{
	struct fx *f = fx_new();
	init_device(f, 0, 0, 0, 0);
	for (int i = 0; i < 10000; i++)
		vpdrv_kick(&f->pci, 0);
	EXPECT_EQ(vpdrv_status(&f->pci), ST_ALL);
	EXPECT_EQ(used_idx(f), 0);
	/* still_works=ok: the same queue, no reset. */
	good_chain(f, 0);
	submit(f, 0);
	EXPECT_EQ(used_idx(f), 1);
	expect_outcome(f, ST_ALL, 1, VIRTIO_BLK_S_OK);
}
