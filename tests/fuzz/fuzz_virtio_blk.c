/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_virtio_blk.c: libFuzzer target for iopmd's virtio block device
 * (iopm/dev/virtio_blk.c over iopm/dev/virtio_pci.c and virtq.c;
 * docs/virtio.md "virtio-blk"). The input is a script of what a guest
 * driver and iopmd may do: bring-ups with random features, requests built
 * from fuzz bytes (header type and sector, a header maybe split or short,
 * data buffers of any length and direction, a status byte or none, direct
 * or indirect), kicks, stores of random bytes into guest RAM, BAR accesses,
 * resets and the polling loop's virtio_blk_process() with random budgets,
 * on a read-only or writable disk whose backend may fail. After each step:
 * no crash (ASan/UBSan); the backend is asked only for ranges inside the
 * disk and inside a buffer of the request being served with the right
 * direction, never to write a read-only disk; the device writes guest
 * memory only in the used ring or in a writable buffer of that request;
 * a used element names that request's head with a length no larger than
 * its writable bytes; every completed request is counted once (reads +
 * writes + flushes + get_ids + errors + unsupported + bad = used elements
 * written); a read-only disk never changes.
 *
 *   make -C tests/fuzz run-virtio-blk [SECONDS=60]
 */
#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_blk.h"

#define FUZZ_NAME "fuzz_virtio_blk"
#define BAR_ADDR  0xfe000000ull
#define READ_MAX  VIRTQ_DESC_SIZE
#define WRITE_MAX VIRTIO_BLK_HDR_SIZE
#include "virtio_fuzz.h"

#define DEVFN	   PCI_DEVFN(2, 0)
#define SECTORS	   32
#define DISK_BYTES (SECTORS * 512)
#define Q_DESC	   (RAM_BASE + 0x0000) /* up to 64 entries */
#define Q_AVAIL	   (RAM_BASE + 0x0800)
#define Q_USED	   (RAM_BASE + 0x1000)
#define IND_TABLE  (RAM_BASE + 0x1800)
#define HDR_AREA   (RAM_BASE + 0x2000)
#define DATA_AREA  (RAM_BASE + 0x3000)
#define MAX_DESC   8

static uint8_t disk[DISK_BYTES], disk_before[DISK_BYTES];
static struct pcihost h;
static struct virtio_blk b;
static bool ro, line, serving;
static int rw_error, flush_error;
static uint64_t used_elems; /* used elements the device wrote */

/* [gpa, gpa + len) inside one buffer of the request being served, of the
 * given direction. */
static bool in_request(uint64_t gpa, uint64_t len, bool write)
{
	if (!serving)
		return false;
	for (unsigned i = 0; i < b.chain.nsegs; i++) {
		const struct virtq_seg *s = &b.segs[i];
		if (s->write == write && gpa >= s->gpa && gpa - s->gpa <= s->len &&
		    len <= s->len - (gpa - s->gpa))
			return true;
	}
	return false;
}

/* The model writes only in the used ring or in a writable buffer of the
 * request being served; a used element names that request. */
static void check_write(uint64_t gpa, const void *buf, size_t len)
{
	const struct virtq *q = &b.vp.q[0].vq;
	bool ring = in_used_ring(q, gpa, len);
	CHECK(ring || in_request(gpa, len, true));
	if (ring && len == VIRTQ_USED_ELEM_SIZE && gpa >= q->used + VIRTQ_USED_RING) {
		/* A used element: the request just served. */
		const uint8_t *e = buf;
		uint32_t id = e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24;
		uint32_t n = e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24;
		CHECK(serving && id == b.chain.head && n <= b.chain.write_len);
		used_elems++;
	}
}

static int be_rw(void *ctx, bool write, uint64_t off, uint64_t gpa, uint32_t len)
{
	(void)ctx;
	CHECK(len > 0 && off <= b.capacity * 512 && len <= b.capacity * 512 - off);
	CHECK(off + len <= DISK_BYTES);
	CHECK(!write || !ro);
	/* IN fills writable buffers, OUT reads readable ones. */
	CHECK(in_request(gpa, len, !write));
	if (rw_error)
		return rw_error;
	if (write)
		memcpy(disk + off, ram + (gpa - RAM_BASE), len);
	else
		memcpy(ram + (gpa - RAM_BASE), disk + off, len);
	return 0;
}

static int be_flush(void *ctx)
{
	(void)ctx;
	CHECK(serving);
	return flush_error;
}

static const struct virtio_blk_backend backend = {be_rw, be_flush};

static void h_intx(void *ctx, bool level)
{
	(void)ctx;
	CHECK(level != line);
	line = level;
}

static void h_msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)addr;
	(void)data;
	CHECK(msix_on(&b.vp));
}

static const struct virtio_pci_host_ops host_ops = {&mem_ops, h_intx, h_msi};

static void kick(void)
{
	serving = true; /* the kick serves requests */
	virtio_pci_mmio(&b.vp, BAR_ADDR + VIRTIO_PCI_BAR_NOTIFY, 2, true, &(uint64_t){0});
	serving = false;
}

/* Reset, features (VERSION_1 and some of the offered ones), the queue of a
 * random power-of-2 size, DRIVER_OK (which serves what is waiting). */
static void bring_up(struct input *in)
{
	uint8_t k = byte(in);
	uint64_t f = (1ull << VIRTIO_F_VERSION_1) | (b.ops.features & ((uint64_t)word(in) | 1ull << 32));
	common_wr(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	drv_negotiate(&b.vp, f);
	drv_set_queue(&b.vp, 0, 1u << (k % 7), -1, Q_DESC, Q_AVAIL, Q_USED);
	serving = true;
	drv_ok(&b.vp);
	serving = false;
}

/* A request as a driver might make one, more or less well. */
static void drv_request(struct input *in)
{
	static const uint32_t types[] = {VIRTIO_BLK_T_IN,     VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH,
					 VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_IN,	VIRTIO_BLK_T_OUT};
	const struct virtq *q = &b.vp.q[0].vq;
	if (!q->size)
		return;
	uint8_t k = byte(in), shape = byte(in);
	uint32_t type = k & 0x80 ? word(in) : types[k % 6];
	uint64_t sector = k & 0x40 ? (uint64_t)word(in) << 32 | word(in) : byte(in) % (SECTORS + 2);
	uint64_t hdr = HDR_AREA + (byte(in) % 16) * 16;
	ram_put(hdr + VIRTIO_BLK_HDR_TYPE, 4, type);
	ram_put(hdr + 4, 4, word(in));
	ram_put(hdr + VIRTIO_BLK_HDR_SECTOR, 8, sector);

	uint64_t addr[MAX_DESC];
	uint32_t len[MAX_DESC];
	bool wr[MAX_DESC];
	unsigned n = 0;
	/* The header: whole, or in two pieces, or short. */
	if (shape & 1) {
		unsigned cut = byte(in) % 17;
		addr[n] = hdr, len[n] = cut, wr[n++] = false;
		addr[n] = hdr + cut, len[n] = 16 - cut, wr[n++] = false;
	} else {
		addr[n] = hdr, len[n] = shape & 2 ? byte(in) % 20 : 16, wr[n++] = false;
	}
	/* Data buffers, in the type's direction or not, whole sectors or not. */
	bool data_wr = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	unsigned nd = (shape >> 2) % 4;
	for (unsigned i = 0; i < nd && n < MAX_DESC - 1; i++) {
		uint8_t d = byte(in);
		addr[n] = DATA_AREA + half(in) % (RAM_SIZE - (DATA_AREA - RAM_BASE));
		len[n] = d & 0x80 ? half(in) % 0x2000 : 512u * (1 + d % 4);
		wr[n++] = d & 0x40 ? !data_wr : data_wr;
	}
	/* The status byte, or none. */
	if (!(shape & 0x10))
		addr[n] = HDR_AREA + 0x100 + byte(in), len[n] = 1, wr[n++] = true;

	bool indirect = shape & 0x20;
	uint16_t head = (uint16_t)(byte(in) % q->size);
	if (indirect) {
		for (unsigned i = 0; i < n; i++)
			put_desc(IND_TABLE, i, addr[i], len[i],
				 (uint16_t)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
					    (wr[i] ? VIRTQ_DESC_F_WRITE : 0)),
				 (uint16_t)(i + 1));
		put_desc(Q_DESC, head, IND_TABLE, VIRTQ_DESC_SIZE * n, VIRTQ_DESC_F_INDIRECT, 0);
	} else {
		for (unsigned i = 0; i < n; i++)
			put_desc(Q_DESC, (head + i) % q->size, addr[i], len[i],
				 (uint16_t)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
					    (wr[i] ? VIRTQ_DESC_F_WRITE : 0)),
				 (uint16_t)((head + i + 1) % q->size));
	}
	avail_add(Q_AVAIL, q->size, head);
	if (shape & 0x40)
		kick();
}

static void check(void)
{
	CHECK(b.reads + b.writes + b.flushes + b.get_ids + b.errors + b.unsupported + b.bad == used_elems);
	CHECK(b.bytes_read <= b.reads * (uint64_t)DISK_BYTES &&
	      b.bytes_written <= b.writes * (uint64_t)DISK_BYTES);
	CHECK(!ro || (!b.writes && !memcmp(disk, disk_before, sizeof(disk))));
	CHECK(!b.vp.broken || (b.vp.status & VIRTIO_STATUS_NEEDS_RESET));
	CHECK(b.vp.intx == line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	uint8_t k = byte(&in);
	memset(ram, 0, sizeof(ram));
	for (unsigned i = 0; i < DISK_BYTES; i++)
		disk[i] = (uint8_t)(i * 13 + 1);
	memcpy(disk_before, disk, sizeof(disk));
	ro = k & 1;
	line = serving = false;
	rw_error = flush_error = 0;
	used_elems = 0;
	pcihost_init(&h);
	/* Sometimes a disk with a partial sector, or none. */
	uint64_t bytes = k & 2 ? DISK_BYTES - (k >> 2) : DISK_BYTES;
	CHECK(virtio_blk_init(&b, bytes, ro, "fuzz", &backend, NULL, &host_ops, NULL) == 0);
	CHECK(b.capacity == bytes / 512);
	CHECK(pcihost_attach(&h, DEVFN, &b.vp.fn) == 0);
	pcihost_cfg_write(&h, 0, DEVFN, PCI_BAR0, 4, (uint32_t)BAR_ADDR);
	pcihost_cfg_write(&h, 0, DEVFN, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (k & 0x80)
		pcihost_cfg_write(&h, 0, DEVFN, VIRTIO_PCI_CFG_MSIX + PCI_MSIX_CTRL, 2, PCI_MSIX_CTRL_ENABLE);

	for (unsigned steps = 0; in.n && steps < 1024; steps++) {
		uint8_t op = byte(&in);
		switch (op % 10) {
		case 0:
			bring_up(&in);
			break;
		case 1:
		case 2:
		case 3:
			drv_request(&in);
			break;
		case 4:
			kick();
			break;
		case 5: { /* the polling loop */
			serving = true;
			unsigned budget = byte(&in) % 9, done = virtio_blk_process(&b, budget);
			serving = false;
			CHECK(done <= budget);
			if (!done && budget)
				CHECK(!virtio_blk_pending(&b));
			break;
		}
		case 6:
			guest_stores(&in);
			break;
		case 7: /* the backend's next answers */
			rw_error = op & 0x10 ? -(int)(byte(&in) % 40) : 0;
			flush_error = op & 0x20 ? -EIO : 0;
			break;
		case 8: { /* the BAR: the device configuration mostly */
			unsigned off = op & 0x80
					   ? half(&in) % VIRTIO_PCI_BAR_SIZE
					   : VIRTIO_PCI_BAR_DEVICE + byte(&in) % (VIRTIO_BLK_CFG_SIZE + 8);
			uint64_t v = (uint64_t)word(&in) << 32 | word(&in);
			unsigned sz = 1u << (byte(&in) % 4);
			serving = true; /* a notify among them serves */
			virtio_pci_mmio(&b.vp, BAR_ADDR + off, sz, op & 0x40, &v);
			serving = false;
			if (!(op & 0x40) && off >= VIRTIO_PCI_BAR_DEVICE &&
			    off + sz <= VIRTIO_PCI_BAR_DEVICE + VIRTIO_BLK_CFG_SIZE) {
				unsigned c = off - VIRTIO_PCI_BAR_DEVICE;
				uint64_t want = 0;
				for (unsigned i = 0; i < sz; i++)
					want |= (uint64_t)b.config[c + i] << (8 * i);
				CHECK(sz == 8 || v == want);
			}
			break;
		}
		default:
			common_wr(&b.vp, VIRTIO_PCI_COMMON_STATUS, 1, 0);
			break;
		}
		check();
	}
	return 0;
}
