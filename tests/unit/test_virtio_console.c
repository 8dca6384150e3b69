/* SPDX-License-Identifier: GPL-2.0-only */
/* test_virtio_console.c: unit tests of the virtio console
 * (iopm/dev/virtio_console.c) on the virtio-pci transport and iopmd's PCI
 * bus, driven by a guest written as Linux's virtio_console does it for
 * hvc0 without multiport: the features it knows (SIZE, MULTIPORT,
 * EMERG_WRITE), the receiveq filled with buffers of one device-writable
 * descriptor each and kicked, output as one device-readable buffer kicked
 * and waited for, consumed receive buffers posted again. Output and input
 * round trips, input with no room (nothing taken, ops->rx_room once the
 * guest posts buffers), chains with buffers of the wrong direction or
 * outside RAM (the device broken until reset), resets in the middle, the
 * console size, polling, the 16-bit index wrap. docs/virtio.md
 * "virtio-console". */
#include <stdlib.h>

#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_console.h"
#include "iopm/dev/virtio_spec.h"
#include "test.h"
#include "virtio_util.h"

#define DEVFN	 PCI_DEVFN(4, 0)
#define BAR_ADDR 0xfe010000ull /* where iopmd places it (issue 16) */
#define MSI_ADDR 0xfee00000u
#define RXBUF	 (GRAM_BASE + 0x20000) /* the receive buffers, RXLEN each */
#define RXLEN	 64
#define TXBUF	 (GRAM_BASE + 0x30000)
#define F_SIZE	 (1ull << VIRTIO_CONSOLE_F_SIZE)
#define F_MULTI	 (1ull << VIRTIO_CONSOLE_F_MULTIPORT)
#define F_EMERG	 (1ull << VIRTIO_CONSOLE_F_EMERG_WRITE)
#define F_EVIDX	 (1ull << VIRTIO_F_EVENT_IDX)
#define F_INDIR	 (1ull << VIRTIO_F_INDIRECT_DESC)
#define F_V1	 (1ull << VIRTIO_F_VERSION_1)

/* The guest's memory first: the memory callbacks get the same ctx. */
struct fx {
	struct gmem m;
	struct pcihost h;
	struct virtio_console c;
	struct vdrv q[2];
	struct vpdrv pci;
	uint64_t qbase; /* where the rings of the last bring-up are */
	bool intx;
	unsigned nmsi, msi_per_vec[3], rx_rooms, outs;
	uint8_t out[8192];
	size_t nout;
	size_t max_out_chunk;
	/* What out() does besides recording. */
	bool echo;				      /* feed the bytes back as input */
	bool reset_in_out;			      /* the driver resets the device (another vCPU) */
	uint16_t rxbuf_of[VIRTIO_CONSOLE_QUEUE_SIZE]; /* head -> receive buffer index */
};

static void h_intx(void *ctx, bool level)
{
	struct fx *f = ctx;
	EXPECT_NE(level, f->intx);
	f->intx = level;
}

static void h_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct fx *f = ctx;
	EXPECT_EQ(addr, MSI_ADDR);
	EXPECT_GE(data, 0x40);
	EXPECT_LT(data, 0x43);
	f->nmsi++;
	if (data >= 0x40 && data < 0x43)
		f->msi_per_vec[data - 0x40]++;
}

static void c_out(void *ctx, const uint8_t *buf, size_t n)
{
	struct fx *f = ctx;
	EXPECT_GT(n, 0);
	EXPECT_LE(n, VIRTIO_CONSOLE_CHUNK);
	f->outs++;
	if (n > f->max_out_chunk)
		f->max_out_chunk = n;
	for (size_t i = 0; i < n && f->nout < sizeof(f->out); i++)
		f->out[f->nout++] = buf[i];
	if (f->echo)
		EXPECT_EQ(virtio_console_input(&f->c, buf, n), n);
	if (f->reset_in_out)
		vpdrv_wr(&f->pci, COMMON(STATUS), 1, 0);
}

static void c_rx_room(void *ctx)
{
	((struct fx *)ctx)->rx_rooms++;
}

static const struct virtio_console_ops con_ops = {c_out, c_rx_room};
static const struct virtio_pci_host_ops host_ops = {&gmem_ops, h_intx, h_msi};

static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		abort();
	EXPECT_EQ(virtio_console_init(&f->c, &con_ops, f, &host_ops, f), 0);
	vpdrv_attach(&f->pci, &f->h, DEVFN, &f->c.vp, BAR_ADDR);
	return f;
}

/* iopmd pre-assigns the BAR (it is the firmware); MSI-X as Linux sets it:
 * vector v sends 0x40 + v. */
static void place(struct fx *f, bool msix)
{
	vpdrv_place(&f->pci);
	if (msix)
		vpdrv_msix(&f->pci, 3, MSI_ADDR);
}

/* Linux's probe up to the queues: reset, ACKNOWLEDGE, DRIVER, the features
 * both know, FEATURES_OK; the two queues of `qsize` at `base` (vectors 1
 * and 2 with MSI-X, the configuration's 0). Returns the features. */
static uint64_t setup(struct fx *f, bool msix, uint64_t want, uint16_t qsize, uint64_t base)
{
	uint64_t feat = vpdrv_negotiate(&f->pci, want, msix);
	EXPECT_EQ(vpdrv_rd(&f->pci, COMMON(NUMQ), 2), 2);
	f->qbase = base;
	for (unsigned i = 0; i < 2; i++) {
		vdrv_init(&f->q[i], &f->m, qsize, base + 0x4000 * i, feat & F_EVIDX);
		vpdrv_queue(&f->pci, i, VIRTIO_CONSOLE_QUEUE_SIZE, &f->q[i], msix);
	}
	return feat;
}

/* virtqueue_kick: notify only if the device asked for it. */
static void kick_if_needed(struct fx *f, unsigned q, uint16_t old)
{
	if (vdrv_kick_needed(&f->q[q], old))
		vpdrv_kick(&f->pci, q);
}

/* Receive buffer i (of RXLEN bytes at RXBUF + i * RXLEN) posted again. */
static void post_rx(struct fx *f, unsigned i)
{
	uint64_t a = RXBUF + (uint64_t)i * RXLEN;
	uint32_t l = RXLEN;
	uint16_t head = vdrv_add(&f->q[0], 1, &a, &l, 1);
	f->rxbuf_of[head] = (uint16_t)i;
}

/* fill_queue: as many receive buffers as the queue holds, one kick. */
static void fill_rx(struct fx *f)
{
	uint16_t old = f->q[0].avail_idx;
	for (unsigned i = 0; i < f->q[0].size; i++)
		post_rx(f, i);
	kick_if_needed(f, 0, old);
}

/* The whole of Linux's bring-up: setup, DRIVER_OK, the receiveq filled. */
static uint64_t bring_up(struct fx *f, bool msix, uint16_t qsize)
{
	place(f, msix);
	uint64_t feat =
	    setup(f, msix, F_SIZE | F_MULTI | F_EMERG | F_EVIDX | F_INDIR | F_V1, qsize, GRAM_BASE);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_TRUE(virtio_pci_vq(&f->c.vp, 0) != NULL);
	EXPECT_TRUE(virtio_pci_vq(&f->c.vp, 1) != NULL);
	fill_rx(f);
	return feat;
}

/* hvc's put_chars: the bytes in one readable buffer, kick, spin on the used
 * ring. Returns whether the buffer came back (with used length 0). */
static bool put_chars(struct fx *f, const char *s)
{
	size_t n = strlen(s);
	uint64_t a = TXBUF;
	uint32_t l = (uint32_t)n, id, len;
	memcpy(gmem_ptr(&f->m, TXBUF, n, true), s, n);
	uint16_t old = f->q[1].avail_idx;
	uint16_t head = vdrv_add(&f->q[1], 1, &a, &l, 0);
	kick_if_needed(f, 1, old);
	if (!vdrv_used(&f->q[1], &id, &len))
		return false;
	EXPECT_EQ(id, head);
	EXPECT_EQ(len, 0);
	return true;
}

/* hvc's get_chars: the next used receive buffer's bytes into buf (it
 * is posted again at once, as Linux does after consuming it). */
static size_t get_chars(struct fx *f, char *buf, size_t max)
{
	uint32_t id, len;
	if (!vdrv_used(&f->q[0], &id, &len))
		return 0;
	EXPECT_LT(id, f->q[0].size);
	EXPECT_LE(len, RXLEN);
	EXPECT_LE(len, max);
	unsigned i = f->rxbuf_of[id];
	memcpy(buf, gmem_ptr(&f->m, RXBUF + (uint64_t)i * RXLEN, len, false), len);
	uint16_t old = f->q[0].avail_idx;
	post_rx(f, i);
	kick_if_needed(f, 0, old);
	return len;
}

TEST(virtio_console, identity_features_and_config)
{
	struct fx *f = fx_new();
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, PCI_VENDOR_ID, 2), 0x1af4);
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, PCI_DEVICE_ID, 2), 0x1043); /* 0x1040 + console */
	EXPECT_EQ(vpdrv_cfg_rd(&f->pci, PCI_REVISION_ID, 4) >> 8, PCI_CLASS_COMMUNICATION_OTHER);
	place(f, false);
	vpdrv_wr(&f->pci, COMMON(DFSELECT), 4, 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, COMMON(DF), 4),
		  F_SIZE | F_EVIDX); /* no MULTIPORT, EMERG_WRITE, INDIRECT */
	vpdrv_wr(&f->pci, COMMON(DFSELECT), 4, 1);
	EXPECT_EQ(vpdrv_rd(&f->pci, COMMON(DF), 4), 1);
	/* 5.3.4: cols, rows, max_nr_ports; any width, any byte. */
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_COLS, 2), 80);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_ROWS, 2), 24);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_COLS, 4), 24u << 16 | 80);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_MAX_NR_PORTS, 4), 1);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_COLS, 8),
		  1ull << 32 | 24u << 16 | 80);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + 1, 2), 24u << 8);
	/* emerg_wr is not there (not offered): reads 0, a write is nothing. */
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_EMERG_WR, 4), 0);
	vpdrv_wr(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_EMERG_WR, 4, 'x');
	vpdrv_wr(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_COLS, 2, 132);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_COLS, 2), 80);
	EXPECT_EQ(f->nout, 0);
	/* A driver that asks for MULTIPORT anyway fails FEATURES_OK. */
	vpdrv_wr(&f->pci, COMMON(STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vpdrv_wr(&f->pci, COMMON(GFSELECT), 4, 0);
	vpdrv_wr(&f->pci, COMMON(GF), 4, (uint32_t)(F_SIZE | F_MULTI));
	vpdrv_wr(&f->pci, COMMON(GFSELECT), 4, 1);
	vpdrv_wr(&f->pci, COMMON(GF), 4, 1);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_FEATURES_OK);
	EXPECT_FALSE(vpdrv_rd(&f->pci, COMMON(STATUS), 1) & VIRTIO_STATUS_FEATURES_OK);
	/* No out callback: refused. */
	struct virtio_console *c = calloc(1, sizeof(*c));
	struct virtio_console_ops none = {NULL, NULL};
	EXPECT_EQ(virtio_console_init(c, &none, NULL, &host_ops, f), -EINVAL);
	EXPECT_EQ(virtio_console_init(c, NULL, NULL, &host_ops, f), -EINVAL);
	free(c);
	free(f);
}

TEST(virtio_console, output_round_trip_msix)
{
	struct fx *f = fx_new();
	EXPECT_EQ(bring_up(f, true, VIRTIO_CONSOLE_QUEUE_SIZE), F_SIZE | F_EVIDX | F_V1);
	EXPECT_EQ(f->rx_rooms, 1); /* the fill's kick: buffers there, nothing waiting (harmless) */
	EXPECT_TRUE(put_chars(f, "login: "));
	EXPECT_EQ(f->nout, 7);
	EXPECT_MEMEQ(f->out, "login: ", 7);
	EXPECT_EQ(f->msi_per_vec[2], 1); /* the transmitq's vector */
	EXPECT_EQ(f->c.tx_bytes, 7);
	EXPECT_EQ(f->c.tx_chains, 1);
	/* A chain of three readable buffers, one of them empty (left out),
	 * arrives in order. */
	memcpy(gmem_ptr(&f->m, TXBUF + 0x100, 3, true), "abc", 3);
	memcpy(gmem_ptr(&f->m, TXBUF + 0x200, 4, true), "defg", 4);
	uint64_t a[3] = {TXBUF + 0x100, TXBUF + 0x180, TXBUF + 0x200};
	uint32_t l[3] = {3, 0, 4}, id, len;
	vdrv_add(&f->q[1], 3, a, l, 0);
	vpdrv_kick(&f->pci, 1);
	EXPECT_TRUE(vdrv_used(&f->q[1], &id, &len));
	EXPECT_EQ(len, 0);
	EXPECT_EQ(f->nout, 14);
	EXPECT_MEMEQ(f->out + 7, "abcdefg", 7);
	/* A long buffer comes through out() in chunks of at most 256 bytes. */
	char big[1001];
	for (unsigned i = 0; i < 1000; i++)
		big[i] = (char)('A' + i % 26);
	big[1000] = 0;
	unsigned outs = f->outs;
	EXPECT_TRUE(put_chars(f, big));
	EXPECT_EQ(f->nout, 1014);
	EXPECT_MEMEQ(f->out + 14, big, 1000);
	EXPECT_EQ(f->outs - outs, 4);
	EXPECT_EQ(f->max_out_chunk, VIRTIO_CONSOLE_CHUNK);
	EXPECT_EQ(f->c.tx_bytes, 1014);
	EXPECT_EQ(f->c.bad_chains, 0);
	EXPECT_FALSE(f->intx);
	free(f);
}

TEST(virtio_console, output_with_intx)
{
	struct fx *f = fx_new();
	EXPECT_EQ(bring_up(f, false, 16), F_SIZE | F_EVIDX | F_V1);
	EXPECT_TRUE(put_chars(f, "x"));
	EXPECT_TRUE(f->intx);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_ISR, 1), VIRTIO_PCI_ISR_QUEUE);
	EXPECT_FALSE(f->intx);
	EXPECT_EQ(f->nmsi, 0);
	/* Without EVENT_IDX (a driver that does not take it) too. */
	struct fx *g = fx_new();
	place(g, false);
	EXPECT_EQ(setup(g, false, F_SIZE | F_V1, 8, GRAM_BASE), F_SIZE | F_V1);
	vpdrv_set_status(&g->pci, VIRTIO_STATUS_DRIVER_OK);
	fill_rx(g);
	EXPECT_TRUE(put_chars(g, "yz"));
	EXPECT_EQ(g->nout, 2);
	EXPECT_TRUE(g->intx);
	free(g);
	free(f);
}

TEST(virtio_console, input_round_trip)
{
	struct fx *f = fx_new();
	bring_up(f, true, 4);
	EXPECT_TRUE(virtio_console_rx_ready(&f->c));
	/* 100 bytes: buffers of 64 and 36, given back at once, one interrupt. */
	uint8_t in[200];
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	EXPECT_EQ(virtio_console_input(&f->c, in, 100), 100);
	EXPECT_EQ(f->msi_per_vec[1], 1);
	EXPECT_EQ(f->c.rx_bytes, 100);
	EXPECT_EQ(f->c.rx_chains, 2);
	char got[RXLEN];
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 64);
	EXPECT_MEMEQ(got, in, 64);
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 36);
	EXPECT_MEMEQ(got, in + 64, 36);
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 0);
	/* One byte at a time, as typed: each in a buffer of its own. */
	for (unsigned i = 0; i < 10; i++) {
		test_context("byte %u", i);
		EXPECT_EQ(virtio_console_input(&f->c, in + i, 1), 1);
		EXPECT_EQ(get_chars(f, got, sizeof(got)), 1);
		EXPECT_EQ((uint8_t)got[0], in[i]);
	}
	EXPECT_EQ(virtio_console_input(&f->c, in, 0), 0);
	EXPECT_EQ(f->c.rx_refused, 0);
	EXPECT_EQ(f->c.bad_chains, 0);
	free(f);
}

TEST(virtio_console, input_without_room)
{
	struct fx *f = fx_new();
	uint8_t in[300];
	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(0x80 + i);
	/* No driver at all. */
	EXPECT_FALSE(virtio_console_rx_ready(&f->c));
	EXPECT_EQ(virtio_console_input(&f->c, in, 5), 0);
	EXPECT_EQ(f->c.rx_refused, 5);
	/* Queues set up, buffers posted before DRIVER_OK (their kick is
	 * dropped): DRIVER_OK tells the caller there is room. */
	place(f, true);
	setup(f, true, F_SIZE | F_EVIDX | F_V1, 4, GRAM_BASE);
	for (unsigned i = 0; i < 2; i++)
		post_rx(f, i);
	vpdrv_kick(&f->pci, 0);
	EXPECT_EQ(virtio_console_input(&f->c, in, 5), 0);
	EXPECT_EQ(f->rx_rooms, 0);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	EXPECT_EQ(f->rx_rooms, 1);
	EXPECT_TRUE(virtio_console_rx_ready(&f->c));
	/* 300 bytes, room for 128: the rest is the caller's. */
	EXPECT_EQ(virtio_console_input(&f->c, in, 300), 128);
	EXPECT_FALSE(virtio_console_rx_ready(&f->c));
	EXPECT_EQ(virtio_console_input(&f->c, in + 128, 172), 0);
	EXPECT_EQ(f->c.rx_refused, 5 + 5 + 172 + 172);
	/* The guest reads them and posts the buffers again (kicking: the
	 * device took every entry, so avail_event asks for it). */
	char got[RXLEN];
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 64);
	EXPECT_MEMEQ(got, in, 64);
	EXPECT_EQ(f->rx_rooms, 2);
	EXPECT_TRUE(virtio_console_rx_ready(&f->c));
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 64);
	EXPECT_MEMEQ(got, in + 64, 64);
	/* The caller offers the rest from rx_room: two buffers' worth. */
	EXPECT_EQ(virtio_console_input(&f->c, in + 128, 172), 128);
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 64);
	EXPECT_MEMEQ(got, in + 128, 64);
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 64);
	EXPECT_MEMEQ(got, in + 192, 64);
	EXPECT_EQ(virtio_console_input(&f->c, in + 256, 44), 44);
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 44);
	EXPECT_MEMEQ(got, in + 256, 44);
	EXPECT_EQ(f->c.rx_bytes, 300);
	free(f);
}

TEST(virtio_console, empty_receive_buffer_given_back)
{
	struct fx *f = fx_new();
	place(f, true);
	setup(f, true, F_SIZE | F_V1, 4, GRAM_BASE);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	/* A chain whose one writable buffer has length 0 (left out by the
	 * queue): given back empty, the input goes into the next. */
	uint64_t a[2] = {RXBUF, RXBUF + RXLEN};
	uint32_t l0 = 0, l1 = RXLEN, id, len;
	uint16_t h0 = vdrv_add(&f->q[0], 1, &a[0], &l0, 1);
	uint16_t h1 = vdrv_add(&f->q[0], 1, &a[1], &l1, 1);
	EXPECT_EQ(virtio_console_input(&f->c, (const uint8_t *)"hi", 2), 2);
	EXPECT_TRUE(vdrv_used(&f->q[0], &id, &len));
	EXPECT_EQ(id, h0);
	EXPECT_EQ(len, 0);
	EXPECT_TRUE(vdrv_used(&f->q[0], &id, &len));
	EXPECT_EQ(id, h1);
	EXPECT_EQ(len, 2);
	EXPECT_MEMEQ(gmem_ptr(&f->m, RXBUF + RXLEN, 2, false), "hi", 2);
	EXPECT_FALSE(f->c.vp.broken);
	/* Input over several writable buffers of one chain. */
	uint64_t b[3] = {RXBUF + 0x400, RXBUF + 0x500, RXBUF + 0x600};
	uint32_t lb[3] = {2, 3, 8};
	uint16_t h2 = vdrv_add(&f->q[0], 3, b, lb, 3);
	EXPECT_EQ(virtio_console_input(&f->c, (const uint8_t *)"0123456", 7), 7);
	EXPECT_TRUE(vdrv_used(&f->q[0], &id, &len));
	EXPECT_EQ(id, h2);
	EXPECT_EQ(len, 7);
	EXPECT_MEMEQ(gmem_ptr(&f->m, RXBUF + 0x400, 2, false), "01", 2);
	EXPECT_MEMEQ(gmem_ptr(&f->m, RXBUF + 0x500, 3, false), "234", 3);
	EXPECT_MEMEQ(gmem_ptr(&f->m, RXBUF + 0x600, 2, false), "56", 2);
	free(f);
}

/* After a bad chain: NEEDS_RESET, a configuration interrupt, no queue
 * live, nothing written to the used rings; a reset and a new bring-up
 * work again. */
static void expect_broken(struct fx *f, unsigned bad, uint16_t used0, uint16_t used1)
{
	EXPECT_TRUE(f->c.vp.broken);
	EXPECT_TRUE(vpdrv_rd(&f->pci, COMMON(STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET);
	EXPECT_EQ(f->c.bad_chains, bad);
	EXPECT_GE(f->msi_per_vec[0], 1);
	EXPECT_FALSE(virtio_console_rx_ready(&f->c));
	EXPECT_FALSE(virtio_console_tx_pending(&f->c));
	EXPECT_EQ(virtio_console_input(&f->c, (const uint8_t *)"z", 1), 0);
	EXPECT_EQ(virtio_console_process(&f->c, 100), 0);
	EXPECT_EQ(gm_get(&f->m, f->q[0].used + VIRTQ_USED_IDX, 2), used0);
	EXPECT_EQ(gm_get(&f->m, f->q[1].used + VIRTQ_USED_IDX, 2), used1);
}

static void recover(struct fx *f)
{
	f->nout = 0;
	memset(f->msi_per_vec, 0, sizeof(f->msi_per_vec));
	bring_up(f, true, 8);
	EXPECT_FALSE(f->c.vp.broken);
	EXPECT_TRUE(put_chars(f, "ok"));
	EXPECT_EQ(f->nout, 2);
	EXPECT_EQ(virtio_console_input(&f->c, (const uint8_t *)"in", 2), 2);
	char got[RXLEN];
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 2);
	EXPECT_MEMEQ(got, "in", 2);
}

TEST(virtio_console, transmit_chain_with_writable_buffer)
{
	struct fx *f = fx_new();
	bring_up(f, true, 8);
	uint64_t a[2] = {TXBUF, TXBUF + 0x100};
	uint32_t l[2] = {4, 4};
	memcpy(gmem_ptr(&f->m, TXBUF, 4, true), "nope", 4);
	vdrv_add(&f->q[1], 2, a, l, 1);
	vpdrv_kick(&f->pci, 1);
	EXPECT_EQ(f->nout, 0); /* nothing of it went out */
	expect_broken(f, 1, 0, 0);
	/* Kicks of a broken device are dropped. */
	vpdrv_kick(&f->pci, 1);
	EXPECT_EQ(f->c.bad_chains, 1);
	recover(f);
	free(f);
}

TEST(virtio_console, receive_chain_with_readable_buffer)
{
	struct fx *f = fx_new();
	place(f, true);
	setup(f, true, F_SIZE | F_EVIDX | F_V1, 8, GRAM_BASE);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	uint64_t a[2] = {RXBUF, RXBUF + RXLEN};
	uint32_t l[2] = {RXLEN, RXLEN};
	vdrv_add(&f->q[0], 2, a, l, 1); /* readable, then writable */
	EXPECT_EQ(virtio_console_input(&f->c, (const uint8_t *)"abc", 3), 0);
	EXPECT_EQ(f->c.rx_refused, 3);
	expect_broken(f, 1, 0, 0);
	recover(f);
	free(f);
}

TEST(virtio_console, chains_outside_ram)
{
	struct fx *f = fx_new();
	bring_up(f, true, 8);
	/* A transmit buffer in a hole: the queue refuses the chain. */
	uint64_t a = GRAM_BASE + GRAM_SIZE - 2;
	uint32_t l = 4;
	vdrv_add(&f->q[1], 1, &a, &l, 0);
	vpdrv_kick(&f->pci, 1);
	EXPECT_EQ(f->nout, 0);
	expect_broken(f, 1, 0, 0);
	recover(f);
	/* A receive buffer in the ROM (readable, not writable). */
	struct fx *g = fx_new();
	place(g, true);
	setup(g, true, F_SIZE | F_V1, 8, GRAM_BASE);
	vpdrv_set_status(&g->pci, VIRTIO_STATUS_DRIVER_OK);
	uint64_t r = GROM_BASE;
	uint32_t rl = 16;
	vdrv_add(&g->q[0], 1, &r, &rl, 1);
	EXPECT_EQ(virtio_console_input(&g->c, (const uint8_t *)"abc", 3), 0);
	expect_broken(g, 1, 0, 0);
	EXPECT_EQ(gm_get(&g->m, GROM_BASE, 4), 0);
	/* A chain longer than VIRTIO_CONSOLE_MAX_CHAIN (8 buffers of 192 KiB
	 * over the same RAM): the queue refuses it as E2BIG. */
	recover(g);
	uint64_t b[8];
	uint32_t bl[8];
	for (unsigned i = 0; i < 8; i++) {
		b[i] = GRAM_BASE;
		bl[i] = 0x30000;
	}
	vdrv_add(&g->q[1], 8, b, bl, 0);
	vpdrv_kick(&g->pci, 1);
	EXPECT_EQ(g->c.vp.q[1].vq.error, -E2BIG);
	EXPECT_EQ(g->c.bad_chains, 2);
	EXPECT_TRUE(g->c.vp.broken);
	free(g);
	free(f);
}

TEST(virtio_console, reset_with_work_queued)
{
	struct fx *f = fx_new();
	bring_up(f, true, 8);
	/* Output and receive buffers available, not yet looked at (the
	 * kick not made: a polling device), then the driver resets. */
	memcpy(gmem_ptr(&f->m, TXBUF, 5, true), "stale", 5);
	uint64_t a = TXBUF;
	uint32_t l = 5;
	vdrv_add(&f->q[1], 1, &a, &l, 0);
	EXPECT_TRUE(virtio_console_tx_pending(&f->c));
	vpdrv_wr(&f->pci, COMMON(STATUS), 1, 0);
	EXPECT_FALSE(virtio_console_tx_pending(&f->c));
	EXPECT_FALSE(virtio_console_rx_ready(&f->c));
	EXPECT_EQ(virtio_console_process(&f->c, 100), 0);
	EXPECT_EQ(virtio_console_input(&f->c, (const uint8_t *)"q", 1), 0);
	EXPECT_EQ(f->nout, 0);
	EXPECT_EQ(gm_get(&f->m, f->q[0].used + VIRTQ_USED_IDX, 2), 0);
	EXPECT_EQ(gm_get(&f->m, f->q[1].used + VIRTQ_USED_IDX, 2), 0);
	/* The new rings elsewhere; the old ones are never touched again. */
	uint8_t old_rings[0x8000];
	memcpy(old_rings, gmem_ptr(&f->m, GRAM_BASE, sizeof(old_rings), false), sizeof(old_rings));
	setup(f, true, F_SIZE | F_EVIDX | F_V1, 8, GRAM_BASE + 0x8000);
	vpdrv_set_status(&f->pci, VIRTIO_STATUS_DRIVER_OK);
	fill_rx(f);
	EXPECT_TRUE(put_chars(f, "fresh"));
	EXPECT_EQ(f->nout, 5);
	EXPECT_MEMEQ(f->out, "fresh", 5);
	EXPECT_EQ(virtio_console_input(&f->c, (const uint8_t *)"k", 1), 1);
	char got[RXLEN];
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 1);
	EXPECT_MEMEQ(gmem_ptr(&f->m, GRAM_BASE, sizeof(old_rings), false), old_rings, sizeof(old_rings));
	free(f);
}

TEST(virtio_console, reset_while_sending)
{
	struct fx *f = fx_new();
	bring_up(f, true, 8);
	/* Two chains; while the first goes out, the driver (on another vCPU)
	 * resets the device: the chain is not given back, the second not
	 * taken, the used ring not written. */
	memcpy(gmem_ptr(&f->m, TXBUF, 4, true), "abcd", 4);
	uint64_t a[2] = {TXBUF, TXBUF + 2};
	uint32_t l[2] = {2, 2};
	vdrv_add(&f->q[1], 1, &a[0], &l[0], 0);
	vdrv_add(&f->q[1], 1, &a[1], &l[1], 0);
	f->reset_in_out = true;
	EXPECT_EQ(virtio_console_process(&f->c, 10), 0);
	f->reset_in_out = false;
	EXPECT_EQ(f->nout, 2);
	EXPECT_MEMEQ(f->out, "ab", 2);
	EXPECT_EQ(gm_get(&f->m, f->q[1].used + VIRTQ_USED_IDX, 2), 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, COMMON(STATUS), 1), 0);
	EXPECT_FALSE(f->c.vp.broken);
	EXPECT_EQ(f->c.bad_chains, 0);
	recover(f);
	/* A chain of 600 bytes: the reset during the first chunk's out()
	 * stops it; the rest is not read. */
	bring_up(f, true, 8);
	f->nout = 0;
	uint64_t b = TXBUF;
	uint32_t bl = 600;
	vdrv_add(&f->q[1], 1, &b, &bl, 0);
	f->reset_in_out = true;
	EXPECT_EQ(virtio_console_process(&f->c, 10), 0);
	f->reset_in_out = false;
	EXPECT_EQ(f->nout, VIRTIO_CONSOLE_CHUNK);
	EXPECT_EQ(gm_get(&f->m, f->q[1].used + VIRTQ_USED_IDX, 2), 0);
	free(f);
}

TEST(virtio_console, echo_from_out_and_polling)
{
	struct fx *f = fx_new();
	bring_up(f, true, 8);
	/* out() may give input back at once (a loopback caller). */
	f->echo = true;
	EXPECT_TRUE(put_chars(f, "ping"));
	f->echo = false;
	char got[RXLEN];
	EXPECT_EQ(get_chars(f, got, sizeof(got)), 4);
	EXPECT_MEMEQ(got, "ping", 4);
	/* A polling caller: chains made available without kicks. */
	uint64_t a[3] = {TXBUF, TXBUF + 1, TXBUF + 2};
	uint32_t l[3] = {1, 1, 1};
	memcpy(gmem_ptr(&f->m, TXBUF, 3, true), "xyz", 3);
	for (unsigned i = 0; i < 3; i++)
		vdrv_add(&f->q[1], 1, &a[i], &l[i], 0);
	f->nout = 0;
	EXPECT_TRUE(virtio_console_tx_pending(&f->c));
	EXPECT_EQ(virtio_console_process(&f->c, 2), 2);
	EXPECT_TRUE(virtio_console_tx_pending(&f->c));
	EXPECT_EQ(virtio_console_process(&f->c, 2), 1);
	EXPECT_FALSE(virtio_console_tx_pending(&f->c));
	EXPECT_EQ(virtio_console_process(&f->c, 2), 0);
	EXPECT_EQ(f->nout, 3);
	EXPECT_MEMEQ(f->out, "xyz", 3);
	free(f);
}

TEST(virtio_console, console_size)
{
	struct fx *f = fx_new();
	bring_up(f, true, 8);
	uint8_t gen = (uint8_t)vpdrv_rd(&f->pci, COMMON(CFGGEN), 1);
	virtio_console_set_size(&f->c, 132, 50);
	EXPECT_EQ(f->msi_per_vec[0], 1);
	EXPECT_NE(vpdrv_rd(&f->pci, COMMON(CFGGEN), 1), gen);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_COLS, 2), 132);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_ROWS, 2), 50);
	/* The same size again: no interrupt. */
	virtio_console_set_size(&f->c, 132, 50);
	EXPECT_EQ(f->msi_per_vec[0], 1);
	/* The size survives a reset (it is the console's, not the driver's). */
	vpdrv_wr(&f->pci, COMMON(STATUS), 1, 0);
	EXPECT_EQ(vpdrv_rd(&f->pci, VIRTIO_PCI_BAR_DEVICE + VIRTIO_CONSOLE_CFG_COLS, 2), 132);
	free(f);
}

TEST(virtio_console, index_wrap)
{
	/* 70000 round trips each way through 4-entry queues: the 16-bit
	 * indices wrap, with EVENT_IDX deciding kicks and interrupts. */
	struct fx *f = fx_new();
	bring_up(f, true, 4);
	char got[RXLEN];
	unsigned bad = 0;
	for (unsigned i = 0; i < 70000; i++) {
		char s[2] = {(char)('a' + i % 26), 0};
		f->nout = 0;
		if (!put_chars(f, s) || f->nout != 1 || f->out[0] != (uint8_t)s[0])
			bad++;
		if (virtio_console_input(&f->c, (const uint8_t *)s, 1) != 1 || get_chars(f, got, 1) != 1 ||
		    got[0] != s[0])
			bad++;
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(f->c.tx_chains, 70000);
	EXPECT_EQ(f->c.rx_chains, 70000);
	EXPECT_FALSE(f->c.vp.broken);
	free(f);
}
