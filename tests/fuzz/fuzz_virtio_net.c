/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_virtio_net.c: libFuzzer target for iopmd's virtio network device
 * (iopm/dev/virtio_net.c over iopm/dev/virtio_pci.c and virtq.c;
 * docs/virtio.md "virtio-net"). The input is a script of what a guest
 * driver and the host side may do: BAR accesses anywhere, a driver
 * bring-up with random features and queue sizes, receive and transmit
 * chains of random buffers (readable or writable, in RAM or not, direct
 * or indirect), stores of random bytes into guest RAM, kicks, resets, and
 * the host's frames of random lengths, transmit processing with random
 * budgets and link changes. After each step: no crash (ASan/UBSan); the
 * device writes guest memory only inside a used ring or, while it
 * delivers a frame, inside the writable buffers of the chain it took;
 * every frame given to ops->tx is 14 to 1514 bytes; virtio_net_rx()
 * answers as its header says (a frame of a bad length never uses a
 * buffer, an error other than -EMSGSIZE/-ENOBUFS leaves the device
 * broken); virtio_net_process() takes at most its budget; the counters
 * match what the callbacks saw; a broken device stays broken and
 * delivers nothing until the driver resets it. The script is bounded
 * (at most 256 steps), so each input runs in bounded time.
 *
 *   make -C tests/fuzz run-virtio-net [SECONDS=60]
 */
#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_net.h"

#define FUZZ_NAME "fuzz_virtio_net"
#define BAR_ADDR  0xfe008000ull
#define READ_MAX  (VIRTIO_NET_HDR_SIZE + VIRTIO_NET_FRAME_MAX) /* n.buf: a chain gathered */
#define WRITE_MAX SIZE_MAX				       /* any length: a frame delivered at once */
#include "virtio_fuzz.h"

#define DEVFN	  PCI_DEVFN(3, 0)
#define QBASE(q)  (RAM_BASE + 0x2000ull * (q)) /* each queue's rings, up to 64 entries */
#define BUFS	  (RAM_BASE + 0x4000)
#define MAX_STEPS 256

static struct pcihost h;
static struct virtio_net n;
static bool in_rx; /* virtio_net_rx() is running: its chain's buffers are writable */
static uint64_t txs, tx_bytes;

/* The driver's view of a queue. */
struct drv {
	uint16_t size, avail_idx, next;
	bool set_up;
};
static struct drv dq[2];

static bool in_rx_chain(uint64_t gpa, size_t len)
{
	for (unsigned i = 0; in_rx && i < VIRTIO_NET_MAX_SEGS; i++) {
		const struct virtq_seg *s = &n.segs[i];
		if (s->write && s->len && gpa >= s->gpa && gpa + len <= s->gpa + s->len)
			return true;
	}
	return false;
}

/* The model writes only inside a used ring or, while it delivers a frame,
 * inside the writable buffers of the chain it took. */
static void check_write(uint64_t gpa, const void *buf, size_t len)
{
	(void)buf;
	CHECK(in_used_ring(&n.vp.q[0].vq, gpa, len) || in_used_ring(&n.vp.q[1].vq, gpa, len) ||
	      in_rx_chain(gpa, len));
}

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
}

static void o_tx(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	CHECK(frame && len >= VIRTIO_NET_FRAME_MIN && len <= VIRTIO_NET_FRAME_MAX);
	CHECK(!in_rx);
	txs++;
	tx_bytes += len;
}

static void o_rx_room(void *ctx)
{
	(void)ctx;
	CHECK(virtio_pci_vq(&n.vp, VIRTIO_NET_Q_RX));
}

static void o_tx_kick(void *ctx)
{
	(void)ctx;
	CHECK(virtio_pci_vq(&n.vp, VIRTIO_NET_Q_TX));
}

static const struct virtio_net_ops net_ops = {o_tx, o_rx_room, o_tx_kick};
static const struct virtio_pci_host_ops host_ops = {&mem_ops, h_intx, h_msi};

static uint64_t bar(unsigned off, unsigned size, bool write, uint64_t v)
{
	virtio_pci_mmio(&n.vp, BAR_ADDR + off, size, write, &v);
	return v;
}

#define COMMON(x) (VIRTIO_PCI_BAR_COMMON + VIRTIO_PCI_COMMON_##x)

static uint64_t avail_of(unsigned q)
{
	return QBASE(q) + 16ull * dq[q].size;
}

static uint64_t used_of(unsigned q)
{
	return (avail_of(q) + 6 + 2ull * dq[q].size + 3) & ~3ull;
}

/* virtio's probe and virtnet's queue set up, with random choices. */
static void bring_up(struct input *in)
{
	uint32_t feat = word(in);
	common_wr(&n.vp, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	memset(dq, 0, sizeof(dq));
	common_wr(&n.vp, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	drv_negotiate(&n.vp, feat | 1ull << VIRTIO_F_VERSION_1);
	for (unsigned q = 0; q < 2; q++) {
		dq[q].size = (uint16_t)(1u << (byte(in) % 7)); /* 1 to 64 */
		memset(ram + (QBASE(q) - RAM_BASE), 0, 0x2000);
		drv_set_queue(&n.vp, q, dq[q].size, (int)q + 1, QBASE(q), avail_of(q), used_of(q));
		dq[q].set_up = true;
	}
	drv_ok(&n.vp);
}

/* A chain of 1 to 4 buffers (or an indirect table of them) on queue q. */
static void add_chain(struct input *in, unsigned q)
{
	struct drv *d = &dq[q];
	if (!d->set_up)
		return;
	uint8_t shape = byte(in);
	unsigned nb = 1 + (shape & 3);
	bool indirect = shape & 4, out_of_ram = (shape & 0xf8) == 0xf8;
	uint64_t table = indirect ? BUFS + 0xb000 : QBASE(q);
	uint16_t first = indirect ? 0 : d->next;
	for (unsigned i = 0; i < nb; i++) {
		uint8_t b = byte(in);
		uint64_t addr =
		    out_of_ram && i == nb - 1 ? RAM_BASE + RAM_SIZE - 8 : BUFS + 0x10ull * (half(in) % 0xb00);
		uint32_t len = half(in) % 0x800;
		uint16_t flags = (uint16_t)((i + 1 < nb ? VIRTQ_DESC_F_NEXT : 0) |
					    ((b & 1) ^ (q == VIRTIO_NET_Q_RX) ? VIRTQ_DESC_F_WRITE : 0));
		unsigned at = indirect ? i : (unsigned)(first + i) % d->size;
		unsigned nx = indirect ? i + 1 : (unsigned)(first + i + 1) % d->size;
		put_desc(table, at, addr, len, flags, (uint16_t)nx);
		if (q == VIRTIO_NET_Q_TX && i == 0 && !(b & 2))
			ram_put(addr, 2, 0); /* a header without offloads, mostly */
	}
	uint16_t head = d->next;
	if (indirect) {
		uint64_t e = QBASE(q) + 16ull * head;
		ram_put(e + VIRTQ_DESC_ADDR, 8, table);
		ram_put(e + VIRTQ_DESC_LEN, 4, 16 * nb);
		ram_put(e + VIRTQ_DESC_FLAGS, 2, VIRTQ_DESC_F_INDIRECT);
		d->next = (uint16_t)((head + 1) % d->size);
	} else {
		d->next = (uint16_t)((head + nb) % d->size);
	}
	ram_put(avail_of(q) + VIRTQ_AVAIL_RING + 2ull * (d->avail_idx % d->size), 2, head);
	d->avail_idx++;
	ram_put(avail_of(q) + VIRTQ_AVAIL_IDX, 2, d->avail_idx);
}

static void check_broken(bool was_broken)
{
	if (n.vp.broken)
		CHECK(n.vp.status & VIRTIO_STATUS_NEEDS_RESET);
	if (was_broken)
		CHECK(n.vp.broken);
	CHECK(n.stats.tx_frames == txs && n.stats.tx_bytes == tx_bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = {0x52, 0x54, 0, 1, 2, 3};
	static uint8_t frame[VIRTIO_NET_FRAME_MAX + 64];
	struct input in = {data, size};
	memset(ram, 0, sizeof(ram));
	txs = tx_bytes = 0;
	in_rx = false;
	pcihost_init(&h);
	CHECK(virtio_net_init(&n, mac, &net_ops, NULL, &host_ops, NULL) == 0);
	CHECK(pcihost_attach(&h, DEVFN, &n.vp.fn) == 0);
	pcihost_cfg_write(&h, 0, DEVFN, PCI_BAR0, 4, (uint32_t)BAR_ADDR);
	pcihost_cfg_write(&h, 0, DEVFN, PCI_BAR0 + 4, 4, 0);
	pcihost_cfg_write(&h, 0, DEVFN, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	memset(dq, 0, sizeof(dq));
	for (unsigned step = 0; step < MAX_STEPS && in.n; step++) {
		uint8_t op = byte(&in);
		bool was_broken = n.vp.broken;
		switch (op % 12) {
		case 0: { /* any BAR access */
			unsigned off = half(&in) % VIRTIO_PCI_BAR_SIZE;
			unsigned sz = 1u << (byte(&in) % 4);
			uint64_t v = word(&in);
			bool write = op & 0x80;
			bar(off, sz, write, v);
			if (write && off == COMMON(STATUS) && sz == 1 && !(uint8_t)v)
				was_broken = false; /* a reset */
			break;
		}
		case 1:
			bring_up(&in);
			was_broken = false;
			break;
		case 2: { /* the guest stores into its RAM */
			uint64_t at = RAM_BASE + half(&in) % RAM_SIZE;
			ram_put(at, 4, word(&in));
			break;
		}
		case 3:
		case 4:
			add_chain(&in, op % 12 == 3 ? VIRTIO_NET_Q_RX : VIRTIO_NET_Q_TX);
			break;
		case 5:
		case 6:
		case 7: { /* a frame from the host */
			size_t len = half(&in) % sizeof(frame);
			memset(frame, byte(&in), len);
			bool live = virtio_pci_vq(&n.vp, VIRTIO_NET_Q_RX) != NULL;
			uint64_t frames = n.stats.rx_frames;
			memset(n.segs, 0, sizeof(n.segs)); /* only this chain's buffers are writable */
			in_rx = true;
			int r = virtio_net_rx(&n, frame, len);
			in_rx = false;
			CHECK(r >= -4095 && r <= 1);
			if (len < VIRTIO_NET_FRAME_MIN || len > VIRTIO_NET_FRAME_MAX)
				CHECK(r == -EMSGSIZE);
			if (!live)
				CHECK(r == 0 || r == -EMSGSIZE);
			if (r < 0 && r != -EMSGSIZE && r != -ENOBUFS)
				CHECK(n.vp.broken);
			CHECK(n.stats.rx_frames == frames + (r == 1));
			break;
		}
		case 8:
		case 9: { /* transmit processing */
			unsigned budget = byte(&in) % 17;
			CHECK(virtio_net_process(&n, budget) <= budget);
			break;
		}
		case 10: /* kicks */
			bar(VIRTIO_PCI_BAR_NOTIFY + VIRTIO_PCI_NOTIFY_OFF_MULT * (op >> 7), 2, true, 0);
			break;
		default:
			virtio_net_set_link(&n, op & 0x80);
			break;
		}
		check_broken(was_broken);
		if (n.vp.broken) {
			CHECK(!virtio_pci_vq(&n.vp, VIRTIO_NET_Q_RX) &&
			      !virtio_pci_vq(&n.vp, VIRTIO_NET_Q_TX));
			memset(frame, 0, 64);
			CHECK(virtio_net_rx(&n, frame, 64) == 0);
		}
	}
	return 0;
}
