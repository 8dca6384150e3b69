/* SPDX-License-Identifier: GPL-2.0-only */
/* virtio_blk.c: the virtio block device (VIRTIO 1.2, 5.2) over the modern
 * virtio-pci transport: the device configuration (5.2.4) and the request
 * queue's requests (5.2.6). Each chain the queue hands out (already checked
 * to be guest RAM, readable buffers first) is parsed as header, data and
 * status; a request that does not fit its type, or a sector range outside
 * the disk, is answered VIRTIO_BLK_S_IOERR without touching the backing
 * store, and the device goes on. Data moves between the store and guest RAM
 * through the caller's backend (iopmd's pread/pwrite into its mapping of the
 * guest), the header, the ID string and the status byte through the
 * transport's guest memory callbacks. docs/virtio.md "virtio-blk". */
#include "iopm/dev/virtio_blk.h"

#include <errno.h>
#include <string.h>

#include "iopm/dev/virtio_spec.h"

#define MEM_CHUNK 16 /* what the guest memory callbacks move at a time (docs/virtio.md) */

static void put_le(uint8_t *p, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int mem_read(struct virtio_blk *b, uint64_t gpa, void *buf, size_t len)
{
	return b->vp.host->mem->read(b->vp.host_ctx, gpa, buf, len);
}

static int mem_write(struct virtio_blk *b, uint64_t gpa, const void *buf, size_t len)
{
	return b->vp.host->mem->write(b->vp.host_ctx, gpa, buf, len);
}

/* The first `len` (at most MEM_CHUNK) bytes of the buffers s[0..n): a
 * header may be split across buffers. */
static int read_stream(struct virtio_blk *b, const struct virtq_seg *s, unsigned n, uint8_t *buf,
		       unsigned len)
{
	unsigned done = 0;
	for (unsigned i = 0; i < n && done < len; i++) {
		unsigned k = s[i].len < len - done ? (unsigned)s[i].len : len - done;
		if (mem_read(b, s[i].gpa, buf + done, k))
			return -EFAULT;
		done += k;
	}
	return done == len ? 0 : -EINVAL;
}

/* Write `len` bytes of buf at the start of the buffers s[0..n) (enough
 * room checked by the caller); how many were written. */
static uint64_t write_stream(struct virtio_blk *b, const struct virtq_seg *s, unsigned n, const uint8_t *buf,
			     unsigned len)
{
	unsigned done = 0;
	for (unsigned i = 0; i < n && done < len; i++) {
		for (uint32_t at = 0; at < s[i].len && done < len;) {
			unsigned k = len - done;
			if (k > MEM_CHUNK)
				k = MEM_CHUNK;
			if (k > s[i].len - at)
				k = s[i].len - at;
			if (mem_write(b, s[i].gpa + at, buf + done, k))
				return done;
			at += k;
			done += k;
		}
	}
	return done;
}

/* Move `len` bytes from stream offset `skip` of the buffers s[0..n)
 * between guest RAM and the store at byte `off`, a backend call per
 * buffer piece. Returns the bytes moved before the first error (*err). */
static uint64_t transfer(struct virtio_blk *b, bool write, const struct virtq_seg *s, unsigned n,
			 uint64_t skip, uint64_t len, uint64_t off, int *err)
{
	uint64_t done = 0;
	*err = 0;
	for (unsigned i = 0; i < n && done < len; i++) {
		uint64_t gpa = s[i].gpa, l = s[i].len;
		if (skip >= l) {
			skip -= l;
			continue;
		}
		gpa += skip;
		l -= skip;
		skip = 0;
		if (l > len - done)
			l = len - done;
		int r = b->be->rw(b->be_ctx, write, off + done, gpa, (uint32_t)l);
		if (r) {
			*err = r < 0 ? r : -EIO;
			break;
		}
		done += l;
	}
	return done;
}

/* `bytes` (a multiple of 512) from `sector` are on the disk. */
static bool in_disk(const struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
	return sector <= b->capacity && bytes / VIRTIO_BLK_SECTOR_SIZE <= b->capacity - sector;
}

/* Serve one request; returns the used length: the bytes written from the
 * start of the writable buffers (2.7.8.2), the status byte included when
 * they reach it. */
static uint32_t serve(struct virtio_blk *b, const struct virtq_chain *c)
{
	unsigned nr = 0;
	while (nr < c->nsegs && !b->segs[nr].write)
		nr++;
	const struct virtq_seg *rs = b->segs, *ws = b->segs + nr;
	unsigned nw = c->nsegs - nr;
	if (!c->write_len) {
		b->bad++; /* no status byte: nothing to answer in */
		return 0;
	}
	/* The status is the last writable byte; the data before it. */
	uint64_t status_gpa = ws[nw - 1].gpa + ws[nw - 1].len - 1;
	uint64_t wdata = c->write_len - 1, rdata = 0, written = 0;
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE], st = VIRTIO_BLK_S_IOERR;
	int err = 0;

	if (c->read_len < VIRTIO_BLK_HDR_SIZE || read_stream(b, rs, nr, hdr, sizeof(hdr))) {
		b->bad++;
		goto answer;
	}
	rdata = c->read_len - VIRTIO_BLK_HDR_SIZE;
	/* The reserved field (Linux puts the I/O priority there) is ignored. */
	uint32_t type = (uint32_t)get_le(hdr + VIRTIO_BLK_HDR_TYPE, 4);
	uint64_t sector = get_le(hdr + VIRTIO_BLK_HDR_SECTOR, 8);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		/* Data only in the writable part, whole sectors, on the disk. */
		if (rdata || wdata % VIRTIO_BLK_SECTOR_SIZE || !in_disk(b, sector, wdata)) {
			b->bad++;
			break;
		}
		written = transfer(b, false, ws, nw, 0, wdata, sector * VIRTIO_BLK_SECTOR_SIZE, &err);
		if (err) {
			b->errors++;
			break;
		}
		b->reads++;
		b->bytes_read += wdata;
		st = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_OUT:
		if (wdata || rdata % VIRTIO_BLK_SECTOR_SIZE || !in_disk(b, sector, rdata)) {
			b->bad++;
			break;
		}
		if (b->read_only) {
			b->errors++;
			break;
		}
		transfer(b, true, rs, nr, VIRTIO_BLK_HDR_SIZE, rdata, sector * VIRTIO_BLK_SECTOR_SIZE, &err);
		if (err) {
			b->errors++;
			break;
		}
		b->writes++;
		b->bytes_written += rdata;
		st = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_FLUSH:
		/* 5.2.6.2: sector 0, no data. */
		if (rdata || wdata || sector) {
			b->bad++;
			break;
		}
		if (b->be->flush(b->be_ctx)) {
			b->errors++;
			break;
		}
		b->flushes++;
		st = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		/* Up to 20 bytes, NUL-padded, in what the driver gave. */
		if (rdata) {
			b->bad++;
			break;
		}
		unsigned n = wdata < VIRTIO_BLK_ID_BYTES ? (unsigned)wdata : VIRTIO_BLK_ID_BYTES;
		written = write_stream(b, ws, nw, (const uint8_t *)b->serial, n);
		if (written != n) {
			b->errors++;
			break;
		}
		b->get_ids++;
		st = VIRTIO_BLK_S_OK;
		break;
	}
	default:
		b->unsupported++;
		st = VIRTIO_BLK_S_UNSUPP;
		break;
	}
answer:
	if (mem_write(b, status_gpa, &st, 1))
		return (uint32_t)written;
	return (uint32_t)(written == wdata ? written + 1 : written);
}

unsigned virtio_blk_process(struct virtio_blk *b, unsigned budget)
{
	unsigned n = 0;
	while (n < budget) {
		/* An error breaks the device (the transport's job). */
		if (virtio_pci_pop(&b->vp, 0, b->segs, VIRTIO_BLK_MAX_SEGS, &b->chain) != 1)
			break;
		uint32_t len = serve(b, &b->chain);
		if (virtio_pci_push(&b->vp, 0, b->chain.head, len))
			break;
		n++;
	}
	if (n)
		virtio_pci_interrupt(&b->vp, 0);
	return n;
}

bool virtio_blk_pending(struct virtio_blk *b)
{
	struct virtq *q = virtio_pci_vq(&b->vp, 0);
	return q && virtq_pending(q);
}

/* The transport's callbacks. */

static void blk_config_read(void *ctx, unsigned off, unsigned size, uint32_t *val)
{
	struct virtio_blk *b = ctx;
	*val = off + size <= sizeof(b->config) ? (uint32_t)get_le(b->config + off, size) : 0;
}

static void blk_config_write(void *ctx, unsigned off, unsigned size, uint32_t val)
{
	/* Only writeback is writable, with VIRTIO_BLK_F_CONFIG_WCE: not offered. */
	(void)ctx;
	(void)off;
	(void)size;
	(void)val;
}

static void blk_kick(void *ctx, unsigned queue)
{
	if (queue == 0)
		virtio_blk_process(ctx, VIRTIO_BLK_KICK_BUDGET);
}

static void blk_driver_ok(void *ctx)
{
	/* Requests made available before DRIVER_OK were not kicked. */
	virtio_blk_process(ctx, VIRTIO_BLK_KICK_BUDGET);
}

int virtio_blk_init(struct virtio_blk *b, uint64_t size_bytes, bool read_only, const char *serial,
		    const struct virtio_blk_backend *be, void *be_ctx, const struct virtio_pci_host_ops *host,
		    void *host_ctx)
{
	if (!b || !be || !be->rw || !be->flush)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->be = be;
	b->be_ctx = be_ctx;
	b->capacity = size_bytes / VIRTIO_BLK_SECTOR_SIZE;
	b->read_only = read_only;
	for (size_t i = 0; serial && i < sizeof(b->serial) && serial[i]; i++) /* (strnlen is not C11) */
		b->serial[i] = serial[i];

	put_le(b->config + VIRTIO_BLK_CFG_CAPACITY, 8, b->capacity);
	put_le(b->config + VIRTIO_BLK_CFG_SEG_MAX, 4, VIRTIO_BLK_SEG_MAX);
	put_le(b->config + VIRTIO_BLK_CFG_BLK_SIZE, 4, VIRTIO_BLK_SECTOR_SIZE);
	put_le(b->config + VIRTIO_BLK_CFG_NUM_QUEUES, 2, 1);

	b->ops = (struct virtio_dev_ops){
	    .device_id = VIRTIO_ID_BLOCK,
	    .class_code = PCI_CLASS_STORAGE_SCSI,
	    .features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
			1ull << VIRTIO_BLK_F_FLUSH | (read_only ? 1ull << VIRTIO_BLK_F_RO : 0) |
			1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_F_INDIRECT_DESC,
	    .num_queues = 1,
	    .queue_max = VIRTIO_BLK_QUEUE_MAX,
	    .config_size = VIRTIO_BLK_CFG_SIZE,
	    .max_chain_len = 0, /* the transport's bound, 4 GiB - 1 */
	    .config_read = blk_config_read,
	    .config_write = blk_config_write,
	    .kick = blk_kick,
	    .driver_ok = blk_driver_ok,
	};
	return virtio_pci_init(&b->vp, &b->ops, b, host, host_ctx);
}
