/* SPDX-License-Identifier: GPL-2.0-only */
/* test_virtio_blk.c: unit tests of the virtio block device
 * (iopm/dev/virtio_blk.c) on the virtio-pci transport and iopmd's PCI bus,
 * driven by a guest driver written here as Linux's virtio_blk does it:
 * BAR placement, MSI-X, reset, feature negotiation, the request queue, the
 * configuration (capacity, seg_max, blk_size), then IN, OUT, FLUSH and
 * GET_ID requests (header, data segments, status byte) against a RAM-backed
 * fake backend, data round trips, used lengths, counters, interrupt and
 * kick suppression with VIRTIO_F_EVENT_IDX; then malformed requests, each
 * answered VIRTIO_BLK_S_IOERR with the backing store untouched, and a bad
 * chain that breaks the device until reset. docs/virtio.md "virtio-blk". */
#include <stdlib.h>

#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_blk.h"
#include "test.h"
#include "virtio_util.h"

#define DEVFN	    PCI_DEVFN(2, 0)
#define BAR_ADDR    0xfe000000ull
#define SECTORS	    64
#define DISK_BYTES  (SECTORS * 512)
#define MSI_ADDR    0xfee00000u
#define QSIZE	    256
#define HDR	    (GRAM_BASE + 0x10000) /* the request header */
#define STATUS	    (GRAM_BASE + 0x10800) /* the status byte */
#define DATA	    (GRAM_BASE + 0x20000) /* data buffers, 64 KiB */
#define INDIRECT    (GRAM_BASE + 0x11000) /* an indirect table */
#define F_VERSION_1 (1ull << VIRTIO_F_VERSION_1)
#define F_EVENT_IDX (1ull << VIRTIO_F_EVENT_IDX)
#define F_INDIRECT  (1ull << VIRTIO_F_INDIRECT_DESC)
#define F_SEG_MAX   (1ull << VIRTIO_BLK_F_SEG_MAX)
#define F_BLK_SIZE  (1ull << VIRTIO_BLK_F_BLK_SIZE)
#define F_FLUSH	    (1ull << VIRTIO_BLK_F_FLUSH)
#define F_RO	    (1ull << VIRTIO_BLK_F_RO)
#define OFFERED	    (F_SEG_MAX | F_BLK_SIZE | F_FLUSH | F_EVENT_IDX | F_INDIRECT | F_VERSION_1)
#define CFG(x)	    (VIRTIO_PCI_BAR_DEVICE + VIRTIO_BLK_CFG_##x)
#define SERIAL	    "coopvmm-disk-0"

/* The guest's memory first: the memory callbacks get the same ctx. */
struct fx {
	struct gmem m;
	struct pcihost h;
	struct virtio_blk b;
	uint8_t disk[DISK_BYTES];
	unsigned rw_calls, flushes, nmsi, intx_changes;
	int rw_error, flush_error; /* what the backend answers */
	bool intx;
	uint32_t msi_data[64];
	struct vdrv q;
	struct vpdrv pci;
};

static int be_rw(void *ctx, bool write, uint64_t off, uint64_t gpa, uint32_t len)
{
	struct fx *f = ctx;
	f->rw_calls++;
	/* What iopmd checks: the range is the guest's RAM, inside the disk. */
	uint8_t *p = gmem_ptr(&f->m, gpa, len, !write);
	EXPECT_TRUE(p != NULL);
	EXPECT_LE(off, DISK_BYTES);
	EXPECT_LE(len, DISK_BYTES - off);
	EXPECT_NE(len, 0);
	if (f->rw_error)
		return f->rw_error;
	if (write)
		memcpy(f->disk + off, p, len);
	else
		memcpy(p, f->disk + off, len);
	return 0;
}

static int be_flush(void *ctx)
{
	struct fx *f = ctx;
	f->flushes++;
	return f->flush_error;
}

static const struct virtio_blk_backend backend = {be_rw, be_flush};

static void h_intx(void *ctx, bool level)
{
	struct fx *f = ctx;
	EXPECT_NE(level, f->intx);
	f->intx = level;
	f->intx_changes++;
}

static void h_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct fx *f = ctx;
	EXPECT_EQ(addr, MSI_ADDR);
	if (f->nmsi < 64)
		f->msi_data[f->nmsi] = data;
	f->nmsi++;
}

static const struct virtio_pci_host_ops host_ops = {&gmem_ops, h_intx, h_msi};

static struct fx *fx_new(bool read_only)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	for (unsigned i = 0; i < DISK_BYTES; i++)
		f->disk[i] = (uint8_t)(i * 7 + i / 512);
	/* A disk of 64 sectors and a bit: the bit is not used. */
	EXPECT_EQ(virtio_blk_init(&f->b, DISK_BYTES + 100, read_only, SERIAL, &backend, f, &host_ops, f), 0);
	vpdrv_attach(&f->pci, &f->h, DEVFN, &f->b.vp, BAR_ADDR);
	return f;
}

/* virtio_cread64: two dwords, repeated if the generation moved. */
static uint64_t cread64(struct fx *f, unsigned off)
{
	uint8_t gen;
	uint64_t v;
	do {
		gen = (uint8_t)vpdrv_rd(&f->pci, COMMON(CFGGEN), 1);
		v = vpdrv_rd(&f->pci, off, 4) | vpdrv_rd(&f->pci, off + 4, 4) << 32;
	} while (gen != (uint8_t)vpdrv_rd(&f->pci, COMMON(CFGGEN), 1));
	return v;
}

/* The firmware (iopmd) places the BAR; then virtio_pci_modern's probe and
 * virtblk_probe: MSI-X (vector 0 config, 1 the queue), reset,
 * ACKNOWLEDGE, DRIVER, the features Linux knows, FEATURES_OK, the request
 * queue, DRIVER_OK. Returns the negotiated features. */
static uint64_t bring_up(struct fx *f, bool msix, uint64_t want)
{
	vpdrv_place(&f->pci);
	if (msix)
		vpdrv_msix(&f->pci, 2, MSI_ADDR);
	uint64_t feat = vpdrv_negotiate(&f->pci, want, msix);
	EXPECT_EQ(vpdrv_rd(&f->pci, COMMON(NUMQ), 2), 1);
	vdrv_init(&f->q, &f->m, QSIZE, GRAM_BASE, feat & F_EVENT_IDX);
	vpdrv_queue(&f->pci, 0, QSIZE, &f->q, msix);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_TRUE(virtio_pci_vq(&f->b.vp, 0) != NULL);
	return feat;
}

static void put_hdr(struct fx *f, uint64_t at, uint32_t type, uint64_t sector)
{
	gm_put(&f->m, at + VIRTIO_BLK_HDR_TYPE, 4, type);
	gm_put(&f->m, at + 4, 4, 0x12345678); /* reserved (Linux: the I/O priority) */
	gm_put(&f->m, at + VIRTIO_BLK_HDR_SECTOR, 8, sector);
}

/* Add a chain of n buffers (the last nw writable), kick, and expect it
 * back with the used length `used`. Returns the last writable byte (the
 * status), or 0xee if there is none. */
static uint8_t submit(struct fx *f, unsigned n, const uint64_t *a, const uint32_t *l, unsigned nw,
		      uint32_t used)
{
	if (nw)
		gm_put(&f->m, a[n - 1] + l[n - 1] - 1, 1, 0xee);
	uint16_t head = vdrv_add(&f->q, n, a, l, nw);
	vpdrv_kick(&f->pci, 0);
	uint32_t id, len;
	EXPECT_TRUE(vdrv_used(&f->q, &id, &len));
	EXPECT_EQ(id, head);
	EXPECT_EQ(len, used);
	EXPECT_FALSE(vdrv_used(&f->q, &id, &len));
	return nw ? (uint8_t)gm_get(&f->m, a[n - 1] + l[n - 1] - 1, 1) : 0xee;
}

/* Linux's request: header, data (one buffer), status. */
static uint8_t request(struct fx *f, uint32_t type, uint64_t sector, uint64_t data, uint32_t len, bool in,
		       uint32_t used)
{
	put_hdr(f, HDR, type, sector);
	uint64_t a[3] = {HDR, data, STATUS};
	uint32_t l[3] = {VIRTIO_BLK_HDR_SIZE, len, 1};
	if (!len) {
		a[1] = STATUS;
		l[1] = 1;
		return submit(f, 2, a, l, 1, used);
	}
	return submit(f, 3, a, l, in ? 2 : 1, used);
}

TEST(virtio_blk, identity_features_and_config)
{
	struct fx *f = fx_new(false);
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, PCI_VENDOR_ID, 2), 0x1af4);
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, PCI_DEVICE_ID, 2), 0x1042);
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, PCI_CLASS_PROG + 1, 2),
		  0x0100); /* mass storage, SCSI: what Linux expects */
	vpdrv_cfg_wr(&f->pci, PCI_BAR0, 4, (uint32_t)BAR_ADDR);
	vpdrv_cfg_wr(&f->pci, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	/* Offered: no MQ, DISCARD, WRITE_ZEROES, RO on a writable disk. */
	EXPECT_EQ(vpdrv_device_features(&f->pci), OFFERED);
	EXPECT_EQ(cread64(f, CFG(CAPACITY)), SECTORS);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(CAPACITY), 8), SECTORS);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(SEG_MAX), 4), VIRTIO_BLK_SEG_MAX);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(BLK_SIZE), 4), 512);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(BLK_SIZE) + 1, 2), 2); /* bytes of a field */
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(NUM_QUEUES), 2), 1);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(SIZE_MAX), 4), 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(GEOMETRY), 4), 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(TOPOLOGY), 8), 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(WRITEBACK), 1), 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_BLK_CFG_SIZE - 4, 4), 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_BLK_CFG_SIZE, 4), 0); /* past the end */
	/* The device configuration cap says how much there is. */
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, VIRTIO_PCI_CFG_DEVICE + VIRTIO_PCI_CAP_LENGTH, 4),
		  VIRTIO_BLK_CFG_SIZE);
	/* Nothing in it is writable. */
	vpdrv_wr(&f->pci, CFG(CAPACITY), 4, 0xffffffff);
	vpdrv_wr(&f->pci, CFG(WRITEBACK), 1, 1);
	vpdrv_wr(&f->pci, CFG(BLK_SIZE), 4, 4096);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(CAPACITY), 8), SECTORS);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(WRITEBACK), 1), 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, CFG(BLK_SIZE), 4), 512);
	free(f);

	/* Read-only: RO offered too. */
	f = fx_new(true);
	vpdrv_cfg_wr(&f->pci, PCI_BAR0, 4, (uint32_t)BAR_ADDR);
	vpdrv_cfg_wr(&f->pci, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_EQ(vpdrv_device_features(&f->pci), OFFERED | F_RO);
	free(f);
}

TEST(virtio_blk, init_checks_and_serial)
{
	struct fx *f = fx_new(false);
	struct virtio_blk_backend bad = {NULL, be_flush};
	EXPECT_EQ(virtio_blk_init(&f->b, DISK_BYTES, false, NULL, &bad, f, &host_ops, f), -EINVAL);
	bad = (struct virtio_blk_backend){be_rw, NULL};
	EXPECT_EQ(virtio_blk_init(&f->b, DISK_BYTES, false, NULL, &bad, f, &host_ops, f), -EINVAL);
	EXPECT_EQ(virtio_blk_init(&f->b, DISK_BYTES, false, NULL, NULL, f, &host_ops, f), -EINVAL);
	struct virtio_pci_host_ops h = host_ops;
	h.msi = NULL;
	EXPECT_EQ(virtio_blk_init(&f->b, DISK_BYTES, false, NULL, &backend, f, &h, f), -EINVAL);
	/* A serial of more than 20 bytes keeps 20; none is all zeroes. */
	EXPECT_EQ(
	    virtio_blk_init(&f->b, DISK_BYTES, false, "0123456789abcdefghijKLMN", &backend, f, &host_ops, f),
	    0);
	EXPECT_MEMEQ(f->b.serial, "0123456789abcdefghij", 20);
	EXPECT_EQ(virtio_blk_init(&f->b, 511, false, NULL, &backend, f, &host_ops, f), 0);
	EXPECT_EQ(f->b.capacity, 0);
	for (unsigned i = 0; i < 20; i++)
		EXPECT_EQ(f->b.serial[i], 0);
	free(f);
}

TEST(virtio_blk, linux_driver_round_trips)
{
	struct fx *f = fx_new(false);
	uint64_t feat = bring_up(f, true, OFFERED | F_RO | (1ull << 12) /* MQ */);
	EXPECT_EQ(feat, OFFERED);
	EXPECT_TRUE(f->b.vp.q[0].vq.event_idx && f->b.vp.q[0].vq.indirect);
	/* OUT: 2 sectors at sector 5 from two buffers (a page boundary). */
	uint8_t pat[1024];
	for (unsigned i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(0xa5 ^ i ^ i >> 8);
	memcpy(f->m.ram + (DATA - GRAM_BASE) + 0x1000 - 300, pat, sizeof(pat));
	put_hdr(f, HDR, VIRTIO_BLK_T_OUT, 5);
	uint64_t a[4] = {HDR, DATA + 0x1000 - 300, DATA + 0x1000, STATUS};
	uint32_t l[4] = {16, 300, 724, 1};
	unsigned n = f->nmsi;
	EXPECT_EQ(submit(f, 4, a, l, 1, 1), VIRTIO_BLK_S_OK);
	EXPECT_MEMEQ(f->disk + 5 * 512, pat, sizeof(pat));
	EXPECT_EQ(f->disk[5 * 512 - 1], (uint8_t)((5 * 512 - 1) * 7 + 4));
	EXPECT_EQ(f->disk[7 * 512], (uint8_t)(7 * 512 * 7 + 7));
	EXPECT_EQ(f->nmsi, n + 1); /* the queue's vector */
	EXPECT_EQ(f->msi_data[n], 0x41);
	EXPECT_EQ(f->b.writes, 1);
	EXPECT_EQ(f->b.bytes_written, 1024);
	/* IN: read it back elsewhere, plus the sector after. */
	memset(f->m.ram + (DATA + 0x8000 - GRAM_BASE), 0, 1536);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 5, DATA + 0x8000, 1536, true, 1537), VIRTIO_BLK_S_OK);
	EXPECT_MEMEQ(f->m.ram + (DATA + 0x8000 - GRAM_BASE), pat, sizeof(pat));
	EXPECT_MEMEQ(f->m.ram + (DATA + 0x8000 - GRAM_BASE) + 1024, f->disk + 7 * 512, 512);
	EXPECT_EQ(f->b.reads, 1);
	EXPECT_EQ(f->b.bytes_read, 1536);
	/* The last sector and the first. */
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, SECTORS - 1, DATA, 512, true, 513), VIRTIO_BLK_S_OK);
	EXPECT_MEMEQ(f->m.ram + (DATA - GRAM_BASE), f->disk + DISK_BYTES - 512, 512);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_OUT, 0, DATA, 512, false, 1), VIRTIO_BLK_S_OK);
	EXPECT_MEMEQ(f->disk, f->m.ram + (DATA - GRAM_BASE), 512);
	/* FLUSH: header and status only. */
	EXPECT_EQ(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, 1), VIRTIO_BLK_S_OK);
	EXPECT_EQ(f->flushes, 1);
	EXPECT_EQ(f->b.flushes, 1);
	/* GET_ID: 20 bytes, NUL-padded (virtblk_get_id). */
	memset(f->m.ram + (DATA - GRAM_BASE), 0xff, 32);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_GET_ID, 0, DATA, VIRTIO_BLK_ID_BYTES, true, 21), VIRTIO_BLK_S_OK);
	char id[VIRTIO_BLK_ID_BYTES] = SERIAL;
	EXPECT_MEMEQ(f->m.ram + (DATA - GRAM_BASE), id, sizeof(id));
	EXPECT_EQ(f->m.ram[DATA - GRAM_BASE + 20], 0xff);
	/* A shorter buffer gets what fits. */
	EXPECT_EQ(request(f, VIRTIO_BLK_T_GET_ID, 0, DATA + 0x100, 4, true, 5), VIRTIO_BLK_S_OK);
	EXPECT_MEMEQ(f->m.ram + (DATA + 0x100 - GRAM_BASE), "coop", 4);
	/* A longer one: 20 bytes, the rest untouched; the used length stops
	 * at the first byte not written (the status is not next to them). */
	memset(f->m.ram + (DATA - GRAM_BASE), 0xff, 64);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_GET_ID, 0, DATA, 32, true, 20), VIRTIO_BLK_S_OK);
	EXPECT_MEMEQ(f->m.ram + (DATA - GRAM_BASE), id, sizeof(id));
	EXPECT_EQ(f->m.ram[DATA - GRAM_BASE + 20], 0xff);
	EXPECT_EQ(f->b.get_ids, 3);
	/* Types not served: UNSUPP, the store untouched. */
	unsigned rw = f->rw_calls;
	EXPECT_EQ(request(f, 11 /* DISCARD */, 0, DATA, 16, false, 1), VIRTIO_BLK_S_UNSUPP);
	EXPECT_EQ(request(f, 13 /* WRITE_ZEROES */, 0, DATA, 16, false, 1), VIRTIO_BLK_S_UNSUPP);
	EXPECT_EQ(request(f, 0xffffffff, 0, 0, 0, false, 1), VIRTIO_BLK_S_UNSUPP);
	EXPECT_EQ(f->b.unsupported, 3);
	EXPECT_EQ(f->rw_calls, rw);
	EXPECT_EQ(f->b.bad, 0);
	EXPECT_EQ(f->b.errors, 0);
	EXPECT_EQ(f->intx_changes, 0);
	free(f);
}

TEST(virtio_blk, split_header_indirect_and_status_in_data_buffer)
{
	struct fx *f = fx_new(false);
	bring_up(f, true, OFFERED);
	/* The header in three buffers (5, 7, 4 bytes), then the data. */
	put_hdr(f, HDR, VIRTIO_BLK_T_IN, 3);
	gm_put(&f->m, HDR + 0x40, 4, gm_get(&f->m, HDR + 5, 4)); /* bytes 5..11 moved away */
	gm_put(&f->m, HDR + 0x44, 3, gm_get(&f->m, HDR + 9, 3));
	gm_put(&f->m, HDR + 0x80, 4, gm_get(&f->m, HDR + 12, 4));
	memset(f->m.ram + (HDR + 5 - GRAM_BASE), 0, 11); /* what is left there is not the header */
	uint64_t a[5] = {HDR, HDR + 0x40, HDR + 0x80, DATA, STATUS};
	uint32_t l[5] = {5, 7, 4, 512, 1};
	EXPECT_EQ(submit(f, 5, a, l, 2, 513), VIRTIO_BLK_S_OK);
	EXPECT_MEMEQ(f->m.ram + (DATA - GRAM_BASE), f->disk + 3 * 512, 512);
	/* OUT with the data in the header's buffer, after the header. */
	put_hdr(f, HDR, VIRTIO_BLK_T_OUT, 9);
	memset(f->m.ram + (HDR + 16 - GRAM_BASE), 0x3c, 512);
	uint64_t b[2] = {HDR, STATUS};
	uint32_t m[2] = {16 + 512, 1};
	EXPECT_EQ(submit(f, 2, b, m, 1, 1), VIRTIO_BLK_S_OK);
	EXPECT_EQ(f->disk[9 * 512], 0x3c);
	EXPECT_EQ(f->disk[10 * 512 - 1], 0x3c);
	EXPECT_EQ(f->disk[10 * 512], (uint8_t)(10 * 512 * 7 + 10));
	/* IN with the status the last byte of the data buffer. */
	put_hdr(f, HDR, VIRTIO_BLK_T_IN, 9);
	memset(f->m.ram + (DATA - GRAM_BASE), 0, 513);
	uint64_t c[2] = {HDR, DATA};
	uint32_t n[2] = {16, 513};
	EXPECT_EQ(submit(f, 2, c, n, 1, 513), VIRTIO_BLK_S_OK);
	EXPECT_EQ(f->m.ram[DATA - GRAM_BASE + 511], 0x3c);
	/* Through an indirect table (Linux with more than one buffer). */
	put_hdr(f, HDR, VIRTIO_BLK_T_IN, 9);
	vdrv_desc(&f->q, INDIRECT, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	vdrv_desc(&f->q, INDIRECT, 1, DATA + 0x1000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	vdrv_desc(&f->q, INDIRECT, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	uint16_t head = f->q.next;
	vdrv_desc(&f->q, f->q.desc, head, INDIRECT, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	f->q.next = (uint16_t)((head + 1) % QSIZE);
	gm_put(&f->m, STATUS, 1, 0xee);
	vdrv_publish(&f->q, head);
	vpdrv_kick(&f->pci, 0);
	uint32_t id, len;
	EXPECT_TRUE(vdrv_used(&f->q, &id, &len));
	EXPECT_EQ(id, head);
	EXPECT_EQ(len, 513);
	EXPECT_EQ(gm_get(&f->m, STATUS, 1), VIRTIO_BLK_S_OK);
	EXPECT_EQ(f->m.ram[DATA + 0x1000 - GRAM_BASE], 0x3c);
	EXPECT_EQ(f->b.bad, 0);
	free(f);
}

/* A malformed request: its status (if it has one), the used length, bad
 * counted, nothing asked of the backend, the disk as it was. */
struct bad_case {
	const char *what;
	uint32_t type;
	uint64_t sector;
	unsigned n, nw;
	uint64_t a[4];
	uint32_t l[4];
	uint32_t used;
	uint8_t status; /* 0xee: none written */
};

TEST(virtio_blk, malformed_requests)
{
	struct fx *f = fx_new(false);
	bring_up(f, true, OFFERED);
	static const struct bad_case cases[] = {
	    {"header of 8 bytes",
	     VIRTIO_BLK_T_IN,
	     0,
	     3,
	     2,
	     {HDR, DATA, STATUS},
	     {8, 512, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	    {"header of 15 bytes in two",
	     VIRTIO_BLK_T_OUT,
	     0,
	     3,
	     1,
	     {HDR, HDR + 8, STATUS},
	     {8, 7, 1},
	     1,
	     VIRTIO_BLK_S_IOERR},
	    {"no header, only writable",
	     VIRTIO_BLK_T_IN,
	     0,
	     2,
	     2,
	     {DATA, STATUS},
	     {512, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	    {"no status byte (OUT)", VIRTIO_BLK_T_OUT, 0, 2, 0, {HDR, DATA}, {16, 512}, 0, 0xee},
	    {"no status byte (FLUSH)", VIRTIO_BLK_T_FLUSH, 0, 1, 0, {HDR}, {16}, 0, 0xee},
	    {"IN with readable data",
	     VIRTIO_BLK_T_IN,
	     0,
	     4,
	     2,
	     {HDR, DATA, DATA + 0x1000, STATUS},
	     {16, 512, 512, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	    {"OUT with writable data",
	     VIRTIO_BLK_T_OUT,
	     0,
	     4,
	     2,
	     {HDR, DATA, DATA + 0x1000, STATUS},
	     {16, 512, 512, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	    {"IN of 100 bytes",
	     VIRTIO_BLK_T_IN,
	     0,
	     3,
	     2,
	     {HDR, DATA, STATUS},
	     {16, 100, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	    {"IN of 513 bytes",
	     VIRTIO_BLK_T_IN,
	     0,
	     3,
	     2,
	     {HDR, DATA, STATUS},
	     {16, 513, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	    {"OUT of 511 bytes",
	     VIRTIO_BLK_T_OUT,
	     0,
	     3,
	     1,
	     {HDR, DATA, STATUS},
	     {16, 511, 1},
	     1,
	     VIRTIO_BLK_S_IOERR},
	    {"IN at the capacity",
	     VIRTIO_BLK_T_IN,
	     SECTORS,
	     3,
	     2,
	     {HDR, DATA, STATUS},
	     {16, 512, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	    {"OUT across the end",
	     VIRTIO_BLK_T_OUT,
	     SECTORS - 1,
	     3,
	     1,
	     {HDR, DATA, STATUS},
	     {16, 1024, 1},
	     1,
	     VIRTIO_BLK_S_IOERR},
	    {"IN at sector 2^64 - 1",
	     VIRTIO_BLK_T_IN,
	     UINT64_MAX,
	     3,
	     2,
	     {HDR, DATA, STATUS},
	     {16, 1024, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	    {"OUT at sector 2^55 (byte offset wraps)",
	     VIRTIO_BLK_T_OUT,
	     1ull << 55,
	     3,
	     1,
	     {HDR, DATA, STATUS},
	     {16, 512, 1},
	     1,
	     VIRTIO_BLK_S_IOERR},
	    {"OUT at sector 2^64 - 1, no data",
	     VIRTIO_BLK_T_OUT,
	     UINT64_MAX,
	     2,
	     1,
	     {HDR, STATUS},
	     {16, 1},
	     1,
	     VIRTIO_BLK_S_IOERR},
	    {"FLUSH with readable data",
	     VIRTIO_BLK_T_FLUSH,
	     0,
	     3,
	     1,
	     {HDR, DATA, STATUS},
	     {16, 512, 1},
	     1,
	     VIRTIO_BLK_S_IOERR},
	    {"FLUSH with writable data",
	     VIRTIO_BLK_T_FLUSH,
	     0,
	     3,
	     2,
	     {HDR, DATA, STATUS},
	     {16, 512, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	    {"FLUSH at sector 1", VIRTIO_BLK_T_FLUSH, 1, 2, 1, {HDR, STATUS}, {16, 1}, 1, VIRTIO_BLK_S_IOERR},
	    {"GET_ID with readable data",
	     VIRTIO_BLK_T_GET_ID,
	     0,
	     4,
	     2,
	     {HDR, DATA, DATA + 0x1000, STATUS},
	     {16, 20, 20, 1},
	     0,
	     VIRTIO_BLK_S_IOERR},
	};
	uint8_t before[DISK_BYTES];
	memcpy(before, f->disk, sizeof(before));
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		test_context("%s", c->what);
		put_hdr(f, HDR, c->type, c->sector);
		memset(f->m.ram + (DATA - GRAM_BASE), 0x77, 0x2000);
		uint64_t bad = f->b.bad;
		unsigned rw = f->rw_calls, fl = f->flushes;
		EXPECT_EQ(submit(f, c->n, c->a, c->l, c->nw, c->used), c->status);
		EXPECT_EQ(f->b.bad, bad + 1);
		EXPECT_EQ(f->rw_calls, rw);
		EXPECT_EQ(f->flushes, fl);
		EXPECT_MEMEQ(f->disk, before, sizeof(before));
		EXPECT_EQ(f->m.ram[DATA - GRAM_BASE], 0x77); /* no data written to the guest */
		EXPECT_FALSE(f->b.vp.broken);
	}
	test_context("after");
	EXPECT_EQ(f->b.reads + f->b.writes + f->b.flushes + f->b.errors + f->b.unsupported, 0);
	/* The device goes on. */
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 1, DATA, 512, true, 513), VIRTIO_BLK_S_OK);
	EXPECT_MEMEQ(f->m.ram + (DATA - GRAM_BASE), f->disk + 512, 512);
	free(f);
}

TEST(virtio_blk, read_only_and_backend_errors)
{
	struct fx *f = fx_new(true);
	EXPECT_EQ(bring_up(f, true, OFFERED | F_RO), OFFERED | F_RO);
	uint8_t before[DISK_BYTES];
	memcpy(before, f->disk, sizeof(before));
	memset(f->m.ram + (DATA - GRAM_BASE), 0x11, 512);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_OUT, 0, DATA, 512, false, 1), VIRTIO_BLK_S_IOERR);
	EXPECT_MEMEQ(f->disk, before, sizeof(before));
	EXPECT_EQ(f->rw_calls, 0);
	EXPECT_EQ(f->b.errors, 1);
	EXPECT_EQ(f->b.writes, 0);
	/* Reads and flushes still work. */
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 2, DATA, 512, true, 513), VIRTIO_BLK_S_OK);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, 1), VIRTIO_BLK_S_OK);
	free(f);

	f = fx_new(false);
	bring_up(f, true, OFFERED);
	memcpy(before, f->disk, sizeof(before));
	f->rw_error = -EIO;
	EXPECT_EQ(request(f, VIRTIO_BLK_T_OUT, 0, DATA, 512, false, 1), VIRTIO_BLK_S_IOERR);
	/* A failed IN wrote nothing from the start of its buffers: used 0. */
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 0, DATA, 512, true, 0), VIRTIO_BLK_S_IOERR);
	f->rw_error = 5; /* not an errno: still an error */
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 0, DATA, 512, true, 0), VIRTIO_BLK_S_IOERR);
	f->rw_error = 0;
	f->flush_error = -ENOSPC;
	EXPECT_EQ(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, 1), VIRTIO_BLK_S_IOERR);
	EXPECT_EQ(f->b.errors, 4);
	EXPECT_EQ(f->b.bad, 0);
	EXPECT_EQ(f->b.reads + f->b.writes + f->b.flushes, 0);
	EXPECT_MEMEQ(f->disk, before, sizeof(before));
	f->flush_error = 0;
	EXPECT_EQ(request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, 1), VIRTIO_BLK_S_OK);
	free(f);
}

TEST(virtio_blk, bad_chain_breaks_device_until_reset)
{
	struct fx *f = fx_new(false);
	bring_up(f, true, OFFERED);
	put_hdr(f, HDR, VIRTIO_BLK_T_OUT, 0);
	uint64_t a[3] = {HDR, 0x10000000 /* not RAM */, STATUS};
	uint32_t l[3] = {16, 512, 1};
	gm_put(&f->m, STATUS, 1, 0xee);
	vdrv_add(&f->q, 3, a, l, 1);
	unsigned n = f->nmsi;
	vpdrv_kick(&f->pci, 0);
	EXPECT_TRUE(f->b.vp.broken);
	EXPECT_EQ(vpdrv_rd(&f->pci, COMMON(STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET,
		  VIRTIO_STATUS_NEEDS_RESET);
	EXPECT_EQ(f->nmsi, n + 1); /* the configuration vector */
	EXPECT_EQ(f->msi_data[n], 0x40);
	EXPECT_EQ(f->rw_calls, 0);
	EXPECT_EQ(gm_get(&f->m, STATUS, 1), 0xee);
	uint32_t id, len;
	EXPECT_FALSE(vdrv_used(&f->q, &id, &len));
	EXPECT_EQ(virtio_blk_process(&f->b, 10), 0);
	EXPECT_FALSE(virtio_blk_pending(&f->b));
	/* A chain longer than the segments the device takes breaks it too. */
	bring_up(f, true, OFFERED);
	EXPECT_FALSE(f->b.vp.broken);
	uint64_t many_a[VIRTIO_BLK_MAX_SEGS + 1];
	uint32_t many_l[VIRTIO_BLK_MAX_SEGS + 1];
	for (unsigned i = 0; i < VIRTIO_BLK_MAX_SEGS + 1; i++) {
		many_a[i] = DATA + i;
		many_l[i] = 1;
	}
	put_hdr(f, DATA, VIRTIO_BLK_T_GET_ID, 0);
	uint16_t head = f->q.next;
	for (unsigned i = 0; i < VIRTIO_BLK_MAX_SEGS + 1; i++)
		vdrv_desc(&f->q, INDIRECT, i, many_a[i], many_l[i],
			  (uint16_t)(i < VIRTIO_BLK_MAX_SEGS ? VIRTQ_DESC_F_NEXT : VIRTQ_DESC_F_WRITE),
			  (uint16_t)(i + 1));
	vdrv_desc(&f->q, f->q.desc, head, INDIRECT, (VIRTIO_BLK_MAX_SEGS + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	f->q.next = (uint16_t)(head + 1);
	vdrv_publish(&f->q, head);
	vpdrv_kick(&f->pci, 0);
	EXPECT_TRUE(f->b.vp.broken);
	EXPECT_EQ(f->b.vp.q[0].vq.error, -E2BIG);
	/* After a reset and the bring-up, requests are served again. */
	bring_up(f, true, OFFERED);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 0, DATA, 512, true, 513), VIRTIO_BLK_S_OK);
	free(f);
}

TEST(virtio_blk, interrupts_kicks_and_budget)
{
	struct fx *f = fx_new(false);
	bring_up(f, true, OFFERED);
	/* The first completion always interrupts. */
	unsigned n = f->nmsi;
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 0, DATA, 512, true, 513), VIRTIO_BLK_S_OK);
	EXPECT_EQ(f->nmsi, n + 1);
	/* used_event: the driver wants an interrupt when the 3rd entry is used. */
	vdrv_set_used_event(&f->q, 2);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 1, DATA, 512, true, 513), VIRTIO_BLK_S_OK);
	EXPECT_EQ(f->nmsi, n + 1);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 2, DATA, 512, true, 513), VIRTIO_BLK_S_OK);
	EXPECT_EQ(f->nmsi, n + 2);
	/* The device asks for the next kick (avail_event follows its pops). */
	uint16_t old = f->q.avail_idx;
	put_hdr(f, HDR, VIRTIO_BLK_T_FLUSH, 0);
	uint64_t a[2] = {HDR, STATUS};
	uint32_t l[2] = {16, 1};
	/* Five requests, one kick, a budget of 2 at a time (a polling loop). */
	for (unsigned i = 0; i < 5; i++)
		vdrv_add(&f->q, 2, a, l, 1);
	EXPECT_TRUE(vdrv_kick_needed(&f->q, old));
	EXPECT_TRUE(virtio_blk_pending(&f->b));
	vdrv_set_used_event(&f->q, (uint16_t)(f->q.last_used + 4)); /* after the 5th */
	n = f->nmsi;
	EXPECT_EQ(virtio_blk_process(&f->b, 2), 2);
	EXPECT_EQ(f->nmsi, n);
	EXPECT_TRUE(virtio_blk_pending(&f->b));
	EXPECT_EQ(virtio_blk_process(&f->b, 2), 2);
	EXPECT_EQ(f->nmsi, n);
	EXPECT_EQ(virtio_blk_process(&f->b, 2), 1);
	EXPECT_EQ(f->nmsi, n + 1);
	EXPECT_FALSE(virtio_blk_pending(&f->b));
	EXPECT_EQ(virtio_blk_process(&f->b, 2), 0);
	EXPECT_EQ(f->b.flushes, 5);
	uint32_t id, len;
	for (unsigned i = 0; i < 5; i++) {
		EXPECT_TRUE(vdrv_used(&f->q, &id, &len));
		EXPECT_EQ(len, 1);
	}
	/* With avail_event at what was taken, the next request is kicked. */
	old = f->q.avail_idx;
	vdrv_add(&f->q, 2, a, l, 1);
	EXPECT_TRUE(vdrv_kick_needed(&f->q, old));
	free(f);
}

TEST(virtio_blk, intx_without_msix_or_event_idx)
{
	struct fx *f = fx_new(false);
	EXPECT_EQ(bring_up(f, false, F_VERSION_1 | F_FLUSH), F_VERSION_1 | F_FLUSH);
	memset(f->m.ram + (DATA - GRAM_BASE), 0x5e, 512);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_OUT, 4, DATA, 512, false, 1), VIRTIO_BLK_S_OK);
	EXPECT_TRUE(f->intx);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	EXPECT_FALSE(f->intx);
	/* NO_INTERRUPT: the driver polls the used ring. */
	vdrv_set_no_interrupt(&f->q, true);
	EXPECT_EQ(request(f, VIRTIO_BLK_T_IN, 4, DATA + 0x1000, 512, true, 513), VIRTIO_BLK_S_OK);
	EXPECT_FALSE(f->intx);
	EXPECT_MEMEQ(f->m.ram + (DATA + 0x1000 - GRAM_BASE), f->m.ram + (DATA - GRAM_BASE), 512);
	EXPECT_EQ(f->nmsi, 0);
	free(f);
}

TEST(virtio_blk, requests_made_before_driver_ok)
{
	struct fx *f = fx_new(false);
	bring_up(f, false, OFFERED);
	/* A reset, the bring-up up to the queue, a request, then DRIVER_OK. */
	vpdrv_wr(&f->pci, COMMON(STATUS), 1, 0);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vpdrv_wr(&f->pci, COMMON(GF), 4, 0);
	vpdrv_wr(&f->pci, COMMON(GFSELECT), 4, 1);
	vpdrv_wr(&f->pci, COMMON(GF), 4, 1);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_FEATURES_OK);
	vdrv_init(&f->q, &f->m, QSIZE, GRAM_BASE, false);
	vpdrv_wr(&f->pci, COMMON(Q_DESC), 8, f->q.desc);
	vpdrv_wr(&f->pci, COMMON(Q_AVAIL), 8, f->q.avail);
	vpdrv_wr(&f->pci, COMMON(Q_USED), 8, f->q.used);
	vpdrv_wr(&f->pci, COMMON(Q_ENABLE), 2, 1);
	put_hdr(f, HDR, VIRTIO_BLK_T_IN, 6);
	uint64_t a[3] = {HDR, DATA, STATUS};
	uint32_t l[3] = {16, 512, 1};
	vdrv_add(&f->q, 3, a, l, 2);
	vpdrv_kick(&f->pci, 0); /* before DRIVER_OK: dropped */
	EXPECT_EQ(f->b.reads, 0);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(f->b.reads, 1);
	EXPECT_EQ(gm_get(&f->m, STATUS, 1), VIRTIO_BLK_S_OK);
	EXPECT_MEMEQ(f->m.ram + (DATA - GRAM_BASE), f->disk + 6 * 512, 512);
	free(f);
}
