/* SPDX-License-Identifier: GPL-2.0-only */
/* test_virtio_net.c: unit tests of the virtio network device
 * (iopm/dev/virtio_net.c) on the modern PCI transport and iopmd's PCI bus,
 * driven by a guest driver written here as Linux's virtio_net does it in
 * "small buffers" mode: the probe (device ID, class, features, mac,
 * status, mtu), receive buffers of header + 1518 bytes in one descriptor,
 * transmit chains with the header in its own descriptor or in front of
 * the frame, direct or indirect; frames round trip byte-exact both ways;
 * no receive buffer, a buffer too small, oversize and runt frames, offload
 * requests in the header, bad chains breaking the device until reset, the
 * transmit budget, the link status, and many frames through a small
 * queue. */
#include <stdlib.h>

#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_net.h"
#include "test.h"
#include "virtio_util.h"

#define DEVFN	  PCI_DEVFN(3, 0)
#define BAR_ADDR  0xfe008000ull
#define MSI_ADDR  0xfee00000u
#define NQ	  2
#define RXQ	  VIRTIO_NET_Q_RX
#define TXQ	  VIRTIO_NET_Q_TX
#define HDR	  VIRTIO_NET_HDR_SIZE
#define SMALL_BUF (HDR + 1518) /* Linux: hdr_len + GOOD_PACKET_LEN */
#define RXBUF(i)  (GRAM_BASE + 0x10000 + 0x800ull * (i))
#define NRXBUF	  24
#define TXBUF	  (GRAM_BASE + 0x28000)
#define INDIRECT  (GRAM_BASE + 0x2f000)
#define OFFERED                                                                                              \
	((1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) | (1ull << VIRTIO_NET_F_MTU) |           \
	 (1ull << VIRTIO_F_EVENT_IDX) | (1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << VIRTIO_F_VERSION_1))
#define MAXTX 8

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

struct fx {
	struct gmem m;
	struct pcihost h;
	struct virtio_net n;
	unsigned nmsi, msi_per_vector[NQ + 1];
	unsigned rx_rooms, tx_kicks;
	unsigned ntx;
	size_t tx_len[MAXTX];
	uint8_t tx_frame[MAXTX][VIRTIO_NET_FRAME_MAX];
	struct vdrv q[NQ];
	struct vpdrv pci;
	uint64_t features;
	bool loopback; /* ops->tx hands the frame back to virtio_net_rx() */
	int loop_rc;
};

static void h_intx(void *ctx, bool level)
{
	(void)ctx;
	(void)level;
}

static void h_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct fx *f = ctx;
	EXPECT_EQ(addr, MSI_ADDR);
	EXPECT_GE(data, 0x40);
	EXPECT_LE(data, 0x40 + NQ);
	f->nmsi++;
	f->msi_per_vector[data - 0x40]++;
}

static void o_tx(void *ctx, const uint8_t *frame, size_t len)
{
	struct fx *f = ctx;
	EXPECT_GE(len, VIRTIO_NET_FRAME_MIN);
	EXPECT_LE(len, VIRTIO_NET_FRAME_MAX);
	if (f->ntx < MAXTX) {
		memcpy(f->tx_frame[f->ntx], frame, len);
		f->tx_len[f->ntx] = len;
	}
	f->ntx++;
	if (f->loopback)
		f->loop_rc = virtio_net_rx(&f->n, frame, len);
}

static void o_rx_room(void *ctx)
{
	((struct fx *)ctx)->rx_rooms++;
}

static void o_tx_kick(void *ctx)
{
	((struct fx *)ctx)->tx_kicks++;
}

static const struct virtio_net_ops net_ops = {o_tx, o_rx_room, o_tx_kick};
static const struct virtio_pci_host_ops host_ops = {&gmem_ops, h_intx, h_msi};

static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	EXPECT_EQ(virtio_net_init(&f->n, MAC, &net_ops, f, &host_ops, f), 0);
	vpdrv_attach(&f->pci, &f->h, DEVFN, &f->n.vp, BAR_ADDR);
	return f;
}

#define DEVCFG(x) (VIRTIO_PCI_BAR_DEVICE + VIRTIO_NET_CFG_##x)

/* iopmd pre-assigns the BAR (docs/virtio.md); MSI-X vector v to the LAPIC
 * with vector 0x40 + v: 0 the configuration's, 1 receiveq, 2 transmitq. */
static void setup_pci(struct fx *f)
{
	vpdrv_place(&f->pci);
	vpdrv_msix(&f->pci, NQ + 1, MSI_ADDR);
}

/* virtio's probe up to FEATURES_OK, then virtnet_probe's queues: receiveq
 * and transmitq of `qsize` entries, each with its vector. */
static void negotiate_and_set_up(struct fx *f, uint64_t want, uint16_t qsize)
{
	f->features = vpdrv_negotiate(&f->pci, want, true);
	EXPECT_EQ(vpdrv_device_features(&f->pci), OFFERED);
	EXPECT_EQ(vpdrv_rd(&f->pci, COMMON(NUMQ), 2), NQ);
	for (unsigned i = 0; i < NQ; i++) {
		vdrv_init(&f->q[i], &f->m, qsize, GRAM_BASE + 0x8000ull * i,
			  f->features >> VIRTIO_F_EVENT_IDX & 1);
		vpdrv_queue(&f->pci, i, VIRTIO_NET_QUEUE_MAX, &f->q[i], true);
	}
}

/* try_fill_recv: `n` small buffers, one descriptor each; kicks if asked. */
static void post_rx(struct fx *f, unsigned first, unsigned n, bool do_kick)
{
	for (unsigned i = first; i < first + n; i++) {
		uint64_t a = RXBUF(i % NRXBUF);
		uint32_t l = SMALL_BUF;
		memset(gmem_ptr(&f->m, a, l, true), 0xee, l);
		vdrv_add(&f->q[RXQ], 1, &a, &l, 1);
	}
	if (do_kick)
		vpdrv_kick(&f->pci, RXQ);
}

/* The whole bring-up: negotiation, queues, buffers posted, DRIVER_OK. */
static void bring_up(struct fx *f, uint64_t want, uint16_t qsize, unsigned nrx)
{
	setup_pci(f);
	negotiate_and_set_up(f, want, qsize);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(vpdrv_status(&f->pci) & VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_DRIVER_OK);
	if (nrx)
		post_rx(f, 0, nrx, true);
}

static void make_frame(uint8_t *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

enum tx_layout {
	TX_HDR_APART,	 /* header in its own descriptor, then the frame */
	TX_HDR_IN_FRONT, /* can_push: header and frame in one descriptor */
	TX_INDIRECT,	 /* header and the frame in three pieces, indirect */
};

/* xmit_skb: the header (zeroed, no offloads) and the frame at TXBUF. */
static uint16_t send(struct fx *f, const uint8_t *frame, size_t len, enum tx_layout how, bool do_kick)
{
	struct vdrv *d = &f->q[TXQ];
	uint8_t *p = gmem_ptr(&f->m, TXBUF, HDR + len, true);
	memset(p, 0, HDR);
	memcpy(p + HDR, frame, len);
	uint16_t head;
	if (how == TX_HDR_APART) {
		uint64_t a[2] = {TXBUF, TXBUF + HDR};
		uint32_t l[2] = {HDR, (uint32_t)len};
		head = vdrv_add(d, 2, a, l, 0);
	} else if (how == TX_HDR_IN_FRONT) {
		uint64_t a = TXBUF;
		uint32_t l = (uint32_t)(HDR + len);
		head = vdrv_add(d, 1, &a, &l, 0);
	} else {
		uint32_t half = (uint32_t)len / 2;
		vdrv_desc(d, INDIRECT, 0, TXBUF, HDR, VIRTQ_DESC_F_NEXT, 1);
		vdrv_desc(d, INDIRECT, 1, TXBUF + HDR, half, VIRTQ_DESC_F_NEXT, 2);
		vdrv_desc(d, INDIRECT, 2, TXBUF + HDR + half, (uint32_t)len - half, 0, 0);
		head = d->next;
		vdrv_desc(d, d->desc, head, INDIRECT, 3 * VIRTQ_DESC_SIZE, VIRTQ_DESC_F_INDIRECT, 0);
		d->next = (uint16_t)((head + 1) % d->size);
		vdrv_publish(d, head);
	}
	if (do_kick)
		vpdrv_kick(&f->pci, TXQ);
	return head;
}

/* What the guest finds in receive buffer `i` after a frame. */
static void expect_rx(struct fx *f, const uint8_t *frame, size_t len)
{
	uint32_t id, used;
	EXPECT_TRUE(vdrv_used(&f->q[RXQ], &id, &used));
	EXPECT_EQ(used, HDR + len);
	uint64_t a = gm_get(&f->m, f->q[RXQ].desc + 16ull * id + VIRTQ_DESC_ADDR, 8);
	uint8_t *p = gmem_ptr(&f->m, a, SMALL_BUF, false);
	EXPECT_TRUE(p != NULL);
	uint8_t hdr[HDR] = {0};
	hdr[VIRTIO_NET_HDR_NUM_BUFFERS] = 1;
	EXPECT_MEMEQ(p, hdr, HDR);
	EXPECT_MEMEQ(p + HDR, frame, len);
	EXPECT_EQ(p[HDR + len], 0xee); /* nothing written past the frame */
}

TEST(virtio_net, probe_sees_a_network_device)
{
	struct fx *f = fx_new();
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, PCI_VENDOR_ID, 2), VIRTIO_PCI_VENDOR_ID);
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, PCI_DEVICE_ID, 2), VIRTIO_PCI_DEVICE_ID_BASE + VIRTIO_ID_NET);
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, PCI_REVISION_ID, 4) >> 8, PCI_CLASS_NETWORK_ETHERNET);
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, VIRTIO_PCI_CFG_DEVICE + VIRTIO_PCI_CAP_LENGTH, 4),
		  VIRTIO_NET_CONFIG_SIZE);
	setup_pci(f);
	negotiate_and_set_up(f, ~0ull, 256);
	EXPECT_EQ(f->features, OFFERED);
	/* virtnet_probe: virtio_cread_bytes(mac), status, mtu. */
	for (unsigned i = 0; i < 6; i++)
		EXPECT_EQ(vpdrv_rd(&f->pci, DEVCFG(MAC) + i, 1), MAC[i]);
	EXPECT_EQ(vpdrv_rd(&f->pci, DEVCFG(STATUS), 2), VIRTIO_NET_S_LINK_UP);
	EXPECT_EQ(vpdrv_rd(&f->pci, DEVCFG(MTU), 2), 1500);
	EXPECT_EQ(vpdrv_rd(&f->pci, DEVCFG(MAC), 4), 0x12005452);
	EXPECT_EQ(vpdrv_rd(&f->pci, DEVCFG(MAC) + 4, 4), VIRTIO_NET_S_LINK_UP << 16 | 0x5634);
	/* Read-only: the address does not change by a config write. */
	vpdrv_wr(&f->pci, DEVCFG(MAC), 4, 0xffffffff);
	vpdrv_wr(&f->pci, DEVCFG(STATUS), 2, 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, DEVCFG(MAC), 1), 0x52);
	EXPECT_EQ(vpdrv_rd(&f->pci, DEVCFG(STATUS), 2), VIRTIO_NET_S_LINK_UP);
	/* Past the configuration: 0. */
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_NET_CONFIG_SIZE, 4), 0);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_TRUE(virtio_pci_vq(&f->n.vp, RXQ) != NULL);
	EXPECT_TRUE(virtio_pci_vq(&f->n.vp, TXQ) != NULL);
	EXPECT_EQ(f->rx_rooms, 0); /* nothing posted */
	EXPECT_EQ(f->tx_kicks, 0);
	free(f);
}

TEST(virtio_net, init_refuses_missing_callbacks)
{
	struct fx *f = fx_new();
	struct virtio_net_ops none = {o_tx, o_rx_room, NULL};
	EXPECT_EQ(virtio_net_init(&f->n, MAC, &none, f, &host_ops, f), -EINVAL);
	none = (struct virtio_net_ops){NULL, o_rx_room, o_tx_kick};
	EXPECT_EQ(virtio_net_init(&f->n, MAC, &none, f, &host_ops, f), -EINVAL);
	EXPECT_EQ(virtio_net_init(&f->n, NULL, &net_ops, f, &host_ops, f), -EINVAL);
	free(f);
}

TEST(virtio_net, transmit_round_trip_byte_exact)
{
	struct fx *f = fx_new();
	bring_up(f, ~0ull, 256, 0);
	static const size_t lens[] = {14, 60, 1514, 1000, 15, 1513};
	static uint8_t frame[VIRTIO_NET_FRAME_MAX];
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		test_context("frame %u of %zu bytes, layout %u", i, lens[i], i % 3);
		make_frame(frame, lens[i], i);
		unsigned kicks = f->tx_kicks, ntx = f->ntx, msi = f->msi_per_vector[1 + TXQ];
		uint16_t head = send(f, frame, lens[i], (enum tx_layout)(i % 3), true);
		EXPECT_EQ(f->tx_kicks, kicks + 1);
		EXPECT_EQ(virtio_net_process(&f->n, 64), 1);
		EXPECT_EQ(f->ntx, ntx + 1);
		EXPECT_EQ(f->tx_len[ntx], lens[i]);
		EXPECT_MEMEQ(f->tx_frame[ntx], frame, lens[i]);
		uint32_t id, len;
		EXPECT_TRUE(vdrv_used(&f->q[TXQ], &id, &len));
		EXPECT_EQ(id, head);
		EXPECT_EQ(len, 0);
		EXPECT_EQ(f->msi_per_vector[1 + TXQ], msi + 1);
		/* virtqueue_enable_cb: interrupt me after what I reaped. */
		vdrv_set_used_event(&f->q[TXQ], f->q[TXQ].last_used);
		EXPECT_EQ(virtio_net_process(&f->n, 64), 0);
	}
	test_context("counters");
	EXPECT_EQ(f->n.stats.tx_frames, 6);
	EXPECT_EQ(f->n.stats.tx_bytes, 14 + 60 + 1514 + 1000 + 15 + 1513);
	EXPECT_EQ(f->n.stats.tx_drop_size + f->n.stats.tx_drop_hdr + f->n.stats.bad_chains, 0);
	EXPECT_EQ(f->m.refused, 0);
	free(f);
}

TEST(virtio_net, receive_round_trip_byte_exact)
{
	struct fx *f = fx_new();
	bring_up(f, ~0ull, 256, 8);
	EXPECT_EQ(f->rx_rooms, 1); /* the kick after posting */
	static const size_t lens[] = {14, 60, 1514, 1000, 15, 1513};
	static uint8_t frame[VIRTIO_NET_FRAME_MAX];
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		test_context("frame %u of %zu bytes", i, lens[i]);
		make_frame(frame, lens[i], 100 + i);
		unsigned msi = f->msi_per_vector[1 + RXQ];
		EXPECT_EQ(virtio_net_rx(&f->n, frame, lens[i]), 1);
		expect_rx(f, frame, lens[i]);
		EXPECT_EQ(f->msi_per_vector[1 + RXQ], msi + 1);
		vdrv_set_used_event(&f->q[RXQ], f->q[RXQ].last_used);
	}
	test_context("counters");
	EXPECT_EQ(f->n.stats.rx_frames, 6);
	EXPECT_EQ(f->n.stats.rx_bytes, 14 + 60 + 1514 + 1000 + 15 + 1513);
	EXPECT_EQ(f->n.stats.rx_drop_size + f->n.stats.rx_drop_small + f->n.stats.rx_no_buffer, 0);
	free(f);
}

/* Writable buffers that split the header and the frame anywhere. */
TEST(virtio_net, receive_across_segments)
{
	struct fx *f = fx_new();
	bring_up(f, ~0ull, 256, 0);
	uint64_t base = RXBUF(0);
	uint64_t a[4] = {base, base + 0x100, base + 0x200, base + 0x1000};
	uint32_t l[4] = {5, 9, 100, 2000};
	memset(gmem_ptr(&f->m, base, 0x2000, true), 0xee, 0x2000);
	uint16_t head = vdrv_add(&f->q[RXQ], 4, a, l, 4);
	static uint8_t frame[1200];
	make_frame(frame, sizeof(frame), 7);
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 1);
	uint32_t id, len;
	EXPECT_TRUE(vdrv_used(&f->q[RXQ], &id, &len));
	EXPECT_EQ(id, head);
	EXPECT_EQ(len, HDR + sizeof(frame));
	uint8_t got[HDR + sizeof(frame)];
	unsigned at = 0;
	for (unsigned i = 0; i < 4 && at < sizeof(got); i++) {
		unsigned k = l[i] < sizeof(got) - at ? l[i] : (unsigned)sizeof(got) - at;
		memcpy(got + at, gmem_ptr(&f->m, a[i], k, false), k);
		at += k;
	}
	EXPECT_EQ(gm_get(&f->m, a[3] + (sizeof(got) - 5 - 9 - 100), 1), 0xee);
	EXPECT_EQ(got[VIRTIO_NET_HDR_NUM_BUFFERS], 1);
	EXPECT_EQ(got[0] | got[1] | got[2] | got[3] | got[4] | got[11], 0);
	EXPECT_MEMEQ(got + HDR, frame, sizeof(frame));
	free(f);
}

TEST(virtio_net, receive_without_buffers)
{
	struct fx *f = fx_new();
	static uint8_t frame[100];
	make_frame(frame, sizeof(frame), 3);
	/* Before the driver: no live queue. */
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 0);
	setup_pci(f);
	negotiate_and_set_up(f, ~0ull, 16);
	/* Buffers posted before DRIVER_OK: the kick is dropped, DRIVER_OK
	 * tells the caller. */
	post_rx(f, 0, 2, true);
	EXPECT_EQ(f->rx_rooms, 0);
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 0);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(f->rx_rooms, 1);
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 1);
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 1);
	/* The ring is empty: 0, nothing written, no interrupt. */
	unsigned msi = f->nmsi;
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 0);
	EXPECT_EQ(f->nmsi, msi);
	EXPECT_EQ(f->n.stats.rx_no_buffer, 3);
	/* The driver refills and kicks (EVENT_IDX: avail_event asked for it). */
	uint16_t old = f->q[RXQ].avail_idx;
	post_rx(f, 2, 1, false);
	EXPECT_TRUE(vdrv_kick_needed(&f->q[RXQ], old));
	vpdrv_kick(&f->pci, RXQ);
	EXPECT_EQ(f->rx_rooms, 2);
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 1);
	uint32_t id, len;
	EXPECT_TRUE(vdrv_used(&f->q[RXQ], &id, &len));
	EXPECT_TRUE(vdrv_used(&f->q[RXQ], &id, &len));
	expect_rx(f, frame, sizeof(frame));
	EXPECT_EQ(f->n.stats.rx_frames, 3);
	EXPECT_FALSE(f->n.vp.broken);
	free(f);
}

TEST(virtio_net, oversize_and_runt_frames_are_dropped)
{
	struct fx *f = fx_new();
	bring_up(f, ~0ull, 256, 4);
	static uint8_t frame[VIRTIO_NET_FRAME_MAX + 1];
	make_frame(frame, sizeof(frame), 9);
	/* Receive: refused before any buffer is used. */
	EXPECT_EQ(virtio_net_rx(&f->n, frame, VIRTIO_NET_FRAME_MAX + 1), -EMSGSIZE);
	EXPECT_EQ(virtio_net_rx(&f->n, frame, VIRTIO_NET_FRAME_MIN - 1), -EMSGSIZE);
	EXPECT_EQ(virtio_net_rx(&f->n, frame, 0), -EMSGSIZE);
	EXPECT_EQ(f->n.stats.rx_drop_size, 3);
	uint32_t id, len;
	EXPECT_FALSE(vdrv_used(&f->q[RXQ], &id, &len));
	/* Transmit: the chain is returned, the frame dropped and counted. */
	send(f, frame, VIRTIO_NET_FRAME_MAX + 1, TX_HDR_APART, false);
	send(f, frame, VIRTIO_NET_FRAME_MIN - 1, TX_HDR_IN_FRONT, false);
	uint64_t a = TXBUF;
	uint32_t l = HDR - 1; /* not even a header */
	vdrv_add(&f->q[TXQ], 1, &a, &l, 0);
	l = 0x10000; /* a 64 KiB chain: inside the chain bound, no frame */
	vdrv_add(&f->q[TXQ], 1, &a, &l, 0);
	send(f, frame, 60, TX_INDIRECT, true);
	EXPECT_EQ(virtio_net_process(&f->n, 64), 5);
	EXPECT_EQ(f->n.stats.tx_drop_size, 4);
	EXPECT_EQ(f->ntx, 1);
	EXPECT_EQ(f->tx_len[0], 60);
	EXPECT_MEMEQ(f->tx_frame[0], frame, 60);
	for (unsigned i = 0; i < 5; i++) {
		EXPECT_TRUE(vdrv_used(&f->q[TXQ], &id, &len));
		EXPECT_EQ(len, 0);
	}
	EXPECT_FALSE(f->n.vp.broken);
	EXPECT_EQ(virtio_net_rx(&f->n, frame, 60), 1);
	free(f);
}

TEST(virtio_net, receive_buffer_too_small)
{
	struct fx *f = fx_new();
	bring_up(f, ~0ull, 256, 0);
	uint64_t a = RXBUF(0);
	uint32_t l = HDR + 100;
	memset(gmem_ptr(&f->m, a, 0x800, true), 0xee, 0x800);
	uint16_t small = vdrv_add(&f->q[RXQ], 1, &a, &l, 1);
	post_rx(f, 1, 1, true);
	static uint8_t frame[200];
	make_frame(frame, sizeof(frame), 5);
	/* The frame does not fit: dropped, the buffer back empty, untouched. */
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), -ENOBUFS);
	uint32_t id, len;
	EXPECT_TRUE(vdrv_used(&f->q[RXQ], &id, &len));
	EXPECT_EQ(id, small);
	EXPECT_EQ(len, 0);
	EXPECT_EQ(gm_get(&f->m, a, 8), 0xeeeeeeeeeeeeeeeeull);
	EXPECT_EQ(f->n.stats.rx_drop_small, 1);
	/* One that fits exactly, then the next frame to the big buffer. */
	EXPECT_FALSE(f->n.vp.broken);
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 1);
	expect_rx(f, frame, sizeof(frame));
	free(f);
}

/* ops->tx may deliver to the same device: the frame comes back to the
 * guest byte-exact (the bounce buffer and the receive chain's segments
 * do not get in each other's way). */
TEST(virtio_net, transmit_looped_back_to_receive)
{
	struct fx *f = fx_new();
	bring_up(f, ~0ull, 256, 4);
	f->loopback = true;
	static uint8_t frame[VIRTIO_NET_FRAME_MAX];
	for (unsigned i = 0; i < 3; i++) {
		size_t len = i == 0 ? VIRTIO_NET_FRAME_MAX : 60 + 100 * i;
		test_context("frame %u, %zu bytes", i, len);
		make_frame(frame, len, 40 + i);
		send(f, frame, len, (enum tx_layout)i, true);
		f->loop_rc = -1;
		EXPECT_EQ(virtio_net_process(&f->n, 8), 1);
		EXPECT_EQ(f->loop_rc, 1);
		expect_rx(f, frame, len);
		uint32_t id, used;
		EXPECT_TRUE(vdrv_used(&f->q[TXQ], &id, &used));
	}
	EXPECT_EQ(f->n.stats.rx_frames, 3);
	EXPECT_EQ(f->n.stats.tx_frames, 3);
	/* A bad receive chain met from inside ops->tx breaks the device
	 * once: one bad chain counted, the transmit chain not returned. */
	uint64_t a[2] = {RXBUF(20), RXBUF(21)};
	uint32_t l[2] = {64, SMALL_BUF};
	f->loopback = false;
	EXPECT_EQ(virtio_net_rx(&f->n, frame, 60), 1); /* the fourth buffer */
	vdrv_add(&f->q[RXQ], 2, a, l, 1);
	f->loopback = true;
	send(f, frame, 60, TX_HDR_APART, true);
	EXPECT_EQ(virtio_net_process(&f->n, 8), 1);
	EXPECT_EQ(f->loop_rc, -EINVAL);
	EXPECT_TRUE(f->n.vp.broken);
	EXPECT_EQ(f->n.stats.bad_chains, 1);
	free(f);
}

TEST(virtio_net, header_offload_requests_are_dropped)
{
	struct fx *f = fx_new();
	bring_up(f, ~0ull, 256, 0);
	static uint8_t frame[64];
	make_frame(frame, sizeof(frame), 1);
	static const uint8_t flags[] = {VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0x02, 0x04};
	static const uint8_t gso[] = {0, 1, 0, 0};
	for (unsigned i = 0; i < 4; i++) {
		test_context("flags %#x gso_type %u", flags[i], gso[i]);
		send(f, frame, sizeof(frame), TX_HDR_APART, false);
		gm_put(&f->m, TXBUF + VIRTIO_NET_HDR_FLAGS, 1, flags[i]);
		gm_put(&f->m, TXBUF + VIRTIO_NET_HDR_GSO_TYPE, 1, gso[i]);
		EXPECT_EQ(virtio_net_process(&f->n, 1), 1);
	}
	/* Checksum and GSO requests dropped; unknown flag bits ignored. */
	EXPECT_EQ(f->n.stats.tx_drop_hdr, 2);
	EXPECT_EQ(f->ntx, 2);
	EXPECT_MEMEQ(f->tx_frame[1], frame, sizeof(frame));
	EXPECT_FALSE(f->n.vp.broken);
	free(f);
}

static void expect_broken(struct fx *f)
{
	EXPECT_TRUE(f->n.vp.broken);
	EXPECT_TRUE(vpdrv_status(&f->pci) & VIRTIO_STATUS_NEEDS_RESET);
	EXPECT_EQ(f->n.stats.bad_chains, 1);
	static uint8_t frame[60];
	EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 0);
	EXPECT_EQ(virtio_net_process(&f->n, 8), 0);
}

TEST(virtio_net, bad_chains_break_the_device_until_reset)
{
	static uint8_t frame[60];
	make_frame(frame, sizeof(frame), 2);
	for (unsigned c = 0; c < 5; c++) {
		test_context("case %u", c);
		struct fx *f = fx_new();
		bring_up(f, ~0ull, 16, 0);
		uint64_t a[2] = {RXBUF(0), RXBUF(1)};
		uint32_t l[2] = {64, SMALL_BUF};
		unsigned cfg_msi = f->msi_per_vector[0];
		switch (c) {
		case 0: /* a device-readable buffer in a receive chain */
			vdrv_add(&f->q[RXQ], 2, a, l, 1);
			EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), -EINVAL);
			break;
		case 1: /* a receive buffer outside RAM */
			a[0] = GRAM_BASE + GRAM_SIZE - 16;
			vdrv_add(&f->q[RXQ], 1, a, l + 1, 1);
			EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), -EFAULT);
			break;
		case 2: /* a device-writable buffer in a transmit chain */
			vdrv_add(&f->q[TXQ], 2, a, l, 1);
			EXPECT_EQ(virtio_net_process(&f->n, 8), 1);
			break;
		case 3: /* a transmit buffer in the read-only page is fine, one
			 * outside RAM is not */
			a[0] = GROM_BASE;
			l[0] = HDR + 60;
			vdrv_add(&f->q[TXQ], 1, a, l, 0);
			a[0] = 0x10000000;
			vdrv_add(&f->q[TXQ], 1, a, l, 0);
			EXPECT_EQ(virtio_net_process(&f->n, 8), 1);
			EXPECT_EQ(f->ntx, 1);
			break;
		default: /* a transmit chain longer than the device takes */
			l[0] = l[1] = VIRTIO_NET_CHAIN_MAX / 2 + 1;
			a[0] = GRAM_BASE;
			a[1] = GRAM_BASE;
			vdrv_add(&f->q[TXQ], 2, a, l, 0);
			EXPECT_EQ(virtio_net_process(&f->n, 8), 0);
			break;
		}
		expect_broken(f);
		EXPECT_EQ(f->msi_per_vector[0], cfg_msi + 1); /* 2.1.2: a configuration interrupt */
		/* The driver resets it: everything works again. */
		bring_up(f, ~0ull, 16, 1);
		EXPECT_FALSE(f->n.vp.broken);
		EXPECT_EQ(virtio_net_rx(&f->n, frame, sizeof(frame)), 1);
		expect_rx(f, frame, sizeof(frame));
		send(f, frame, sizeof(frame), TX_INDIRECT, true);
		unsigned ntx = f->ntx;
		EXPECT_EQ(virtio_net_process(&f->n, 8), 1);
		EXPECT_EQ(f->ntx, ntx + 1);
		free(f);
	}
}

TEST(virtio_net, transmit_budget_and_kicks)
{
	struct fx *f = fx_new();
	setup_pci(f);
	negotiate_and_set_up(f, ~0ull, 16);
	static uint8_t frame[100];
	make_frame(frame, sizeof(frame), 4);
	/* Frames added before DRIVER_OK: the kick is dropped, DRIVER_OK tells. */
	send(f, frame, sizeof(frame), TX_HDR_APART, true);
	EXPECT_EQ(f->tx_kicks, 0);
	EXPECT_EQ(virtio_net_process(&f->n, 8), 0);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(f->tx_kicks, 1);
	for (unsigned i = 0; i < 4; i++)
		send(f, frame, sizeof(frame), TX_HDR_IN_FRONT, false);
	unsigned msi = f->msi_per_vector[1 + TXQ];
	EXPECT_EQ(virtio_net_process(&f->n, 2), 2);
	EXPECT_EQ(virtio_net_process(&f->n, 2), 2);
	EXPECT_EQ(virtio_net_process(&f->n, 2), 1);
	EXPECT_EQ(virtio_net_process(&f->n, 2), 0);
	EXPECT_EQ(f->ntx, 5);
	/* One interrupt per call that returned chains (EVENT_IDX: used_event
	 * 0 was passed by the first; Linux moves it as it reaps). */
	EXPECT_EQ(f->msi_per_vector[1 + TXQ], msi + 1);
	free(f);
}

TEST(virtio_net, link_status_change)
{
	struct fx *f = fx_new();
	bring_up(f, ~0ull, 16, 0);
	uint8_t gen = (uint8_t)vpdrv_rd(&f->pci, COMMON(CFGGEN), 1);
	unsigned msi = f->msi_per_vector[0];
	virtio_net_set_link(&f->n, false);
	EXPECT_EQ(vpdrv_rd(&f->pci, DEVCFG(STATUS), 2), 0);
	EXPECT_EQ(f->msi_per_vector[0], msi + 1);
	EXPECT_NE(vpdrv_rd(&f->pci, COMMON(CFGGEN), 1), gen);
	virtio_net_set_link(&f->n, false); /* no change, no interrupt */
	EXPECT_EQ(f->msi_per_vector[0], msi + 1);
	virtio_net_set_link(&f->n, true);
	EXPECT_EQ(vpdrv_rd(&f->pci, DEVCFG(STATUS), 2), VIRTIO_NET_S_LINK_UP);
	EXPECT_EQ(f->msi_per_vector[0], msi + 2);
	free(f);
}

/* Many frames both ways through 8-entry queues, with and without
 * EVENT_IDX and indirect descriptors: the 16-bit indices wrap. */
TEST(virtio_net, many_frames_through_small_queues)
{
	for (unsigned mode = 0; mode < 2; mode++) {
		test_context("mode %u", mode);
		struct fx *f = fx_new();
		uint64_t want =
		    mode ? ~0ull : OFFERED & ~(1ull << VIRTIO_F_EVENT_IDX | 1ull << VIRTIO_F_INDIRECT_DESC);
		bring_up(f, want, 8, 4);
		static uint8_t frame[VIRTIO_NET_FRAME_MAX];
		unsigned rx_posted = 4;
		for (unsigned i = 0; i < 70000; i++) {
			size_t len = VIRTIO_NET_FRAME_MIN +
				     (i * 97) % (VIRTIO_NET_FRAME_MAX - VIRTIO_NET_FRAME_MIN + 1);
			make_frame(frame, len, i);
			send(f, frame, len, mode ? (enum tx_layout)(i % 3) : TX_HDR_APART, false);
			EXPECT_EQ(virtio_net_process(&f->n, 4), 1);
			uint32_t id, used;
			EXPECT_TRUE(vdrv_used(&f->q[TXQ], &id, &used));
			EXPECT_EQ(f->tx_len[0], len);
			EXPECT_MEMEQ(f->tx_frame[0], frame, len);
			f->ntx = 0;
			EXPECT_EQ(virtio_net_rx(&f->n, frame, len), 1);
			expect_rx(f, frame, len);
			post_rx(f, rx_posted++, 1, false);
		}
		EXPECT_EQ(f->n.stats.tx_frames, 70000);
		EXPECT_EQ(f->n.stats.rx_frames, 70000);
		EXPECT_EQ(f->m.refused, 0);
		free(f);
	}
}
