/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_virtio_console.c: libFuzzer target for iopmd's virtio console
 * (iopm/dev/virtio_console.c over iopm/dev/virtio_pci.c and virtq.c;
 * docs/virtio.md "virtio-console"). The input is a bounded script (at most
 * 1024 steps, queues of at most 32 entries, input of at most 511 bytes a
 * call) of what a guest driver and iopmd may do: BAR and configuration
 * space accesses, plausible bring-ups, descriptor chains of either
 * direction inside and outside RAM on either queue, stores into guest RAM,
 * kicks, and the caller's input, polling, and size changes. After each
 * step: no crash (ASan/UBSan); guest memory is read only in chunks of at
 * most VIRTIO_CONSOLE_CHUNK, written only inside a set-up used ring or,
 * while input is being given, inside RAM; out() gets 1 to
 * VIRTIO_CONSOLE_CHUNK bytes, only while the transmitq is live, never
 * nested, and tx_bytes counts them all; input takes at most what it is
 * offered, nothing when the receiveq is not live, and rx_bytes +
 * rx_refused is every byte offered; rx_room only with buffers posted;
 * bad_chains never goes back and every bad chain left the device broken;
 * a broken device stays broken until the driver resets it.
 *
 *   make -C tests/fuzz run-virtio-console [SECONDS=60]
 */
#include "iopm/dev/pcihost.h"
#include "iopm/dev/virtio_console.h"
#include "iopm/dev/virtio_pci.h"

#define FUZZ_NAME "fuzz_virtio_console"
#define BAR_ADDR  0xfe010000ull
#define READ_MAX  VIRTIO_CONSOLE_CHUNK
#define WRITE_MAX VIRTIO_CONSOLE_CHUNK
#include "virtio_fuzz.h"

#define DEVFN	  PCI_DEVFN(4, 0)
#define MAX_STEPS 1024

static struct pcihost h;
static struct virtio_console con;
static bool line, in_input, in_out, reset_seen;
static uint64_t out_total;

/* The model writes only inside a set-up used ring or, while input is
 * being given, inside RAM. */
static void check_write(uint64_t gpa, const void *buf, size_t len)
{
	(void)buf;
	bool ring = in_used_ring(&con.vp.q[0].vq, gpa, len) || in_used_ring(&con.vp.q[1].vq, gpa, len);
	CHECK(ring || in_input);
}

static void h_intx(void *ctx, bool level)
{
	(void)ctx;
	check_intx(&con.vp, &line, level);
}

static void h_msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)addr;
	(void)data;
	CHECK(msix_on(&con.vp));
}

static void c_out(void *ctx, const uint8_t *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	CHECK(!in_out);
	in_out = true;
	CHECK(n > 0 && n <= VIRTIO_CONSOLE_CHUNK);
	CHECK(virtio_pci_vq(&con.vp, VIRTIO_CONSOLE_TRANSMITQ) != NULL);
	/* A caller may poll from here: the model does not nest. */
	CHECK(virtio_console_process(&con, 1) == 0);
	out_total += n;
	in_out = false;
}

static void c_rx_room(void *ctx)
{
	(void)ctx;
	CHECK(virtio_console_rx_ready(&con));
}

static const struct virtio_console_ops con_ops = {c_out, c_rx_room};
static const struct virtio_pci_host_ops host_ops = {&mem_ops, h_intx, h_msi};

/* A bring-up with random features (mostly the offered ones) and queue
 * sizes; the rings in their own parts of RAM. */
static void bring_up(struct input *in)
{
	uint8_t b = byte(in);
	common_wr(&con.vp, VIRTIO_PCI_COMMON_STATUS, 1, 0);
	reset_seen = true;
	uint32_t lo = b & 0x80 ? word(in) : (uint32_t)(con.vp.dev->features & word(in));
	drv_negotiate(&con.vp, lo | 1ull << VIRTIO_F_VERSION_1);
	for (unsigned q = 0; q < 2; q++) {
		uint64_t base = RAM_BASE + 0x1000 * q;
		unsigned size = 1u << (byte(in) % 6);
		int vector = byte(in) % 4;
		drv_set_queue(&con.vp, q, size, vector, base, base + 0x200, base + 0x400);
	}
	if (!(b & 0x40))
		drv_ok(&con.vp);
}

/* A chain in queue q's table, mostly of the queue's direction, made
 * available. */
static void chain(struct input *in)
{
	uint8_t b = byte(in);
	unsigned qi = b & 1;
	struct virtq *vq = &con.vp.q[qi].vq;
	if (!vq->size)
		return;
	unsigned n = 1 + byte(in) % 4;
	uint16_t head = byte(in) % vq->size;
	for (unsigned i = 0; i < n; i++) {
		/* Mostly plausible: a wild address, a long length, the wrong
		 * direction or INDIRECT (not offered) a quarter of the time or
		 * less each. */
		uint8_t d = byte(in);
		bool wrong = (d & 0x30) == 0x30, write = (qi == VIRTIO_CONSOLE_RECEIVEQ) != wrong;
		uint64_t addr =
		    (d & 0xc0) == 0xc0 ? (uint64_t)word(in) << 4 : RAM_BASE + 0x2000 + half(in) % 0xe000;
		uint32_t len = (d & 0x0c) == 0x08 ? word(in) : half(in) % 1024;
		uint16_t flags =
		    (uint16_t)((i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) | (write ? VIRTQ_DESC_F_WRITE : 0) |
			       ((d & 0x0f) == 0x0f ? VIRTQ_DESC_F_INDIRECT : 0));
		uint16_t next = (uint16_t)((head + i + 1) % vq->size);
		put_desc(vq->desc, (head + i) % vq->size, addr, len, flags, next);
	}
	if (!avail_add(vq->avail, vq->size, head))
		return;
	if (b & 2)
		virtio_pci_mmio(&con.vp, BAR_ADDR + VIRTIO_PCI_BAR_NOTIFY + qi * VIRTIO_PCI_NOTIFY_OFF_MULT,
				2, true, &(uint64_t){qi});
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[512];
	struct input in = {data, size};
	uint64_t offered = 0;
	memset(ram, 0, sizeof(ram));
	line = in_input = in_out = false;
	out_total = 0;
	pcihost_init(&h);
	CHECK(virtio_console_init(&con, &con_ops, NULL, &host_ops, NULL) == 0);
	CHECK(pcihost_attach(&h, DEVFN, &con.vp.fn) == 0);
	pcihost_cfg_write(&h, 0, DEVFN, PCI_BAR0, 4, (uint32_t)BAR_ADDR);
	pcihost_cfg_write(&h, 0, DEVFN, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	for (unsigned steps = 0; in.n && steps < MAX_STEPS; steps++) {
		bool was_broken = con.vp.broken;
		uint64_t bad = con.bad_chains;
		reset_seen = false;
		uint8_t op = byte(&in);
		switch (op % 10) {
		case 0: { /* anywhere in the BAR: common, ISR, device config, notify, MSI-X */
			static const unsigned sizes[8] = {1, 2, 4, 8, 1, 2, 4, 3};
			unsigned off = op & 0x80 ? half(&in) % VIRTIO_PCI_BAR_SIZE
						 : (op >> 4 & 7) * VIRTIO_PCI_REGION + byte(&in) % 0x40;
			uint64_t v = (uint64_t)word(&in) << 32 | word(&in);
			bool write = op & 0x40;
			if (write && off == VIRTIO_PCI_BAR_COMMON + VIRTIO_PCI_COMMON_STATUS)
				reset_seen = true; /* maybe: a write of 0 */
			virtio_pci_mmio(&con.vp, BAR_ADDR + off, sizes[byte(&in) & 7], write, &v);
			break;
		}
		case 1: { /* configuration space (MSI-X enable and masks among it) */
			unsigned off = byte(&in);
			pcihost_cfg_write(&h, 0, DEVFN, off, 1u << (byte(&in) % 3), word(&in));
			break;
		}
		case 2:
			bring_up(&in);
			break;
		case 3:
		case 4:
			chain(&in);
			break;
		case 5:
			guest_stores(&in);
			break;
		case 6: { /* input */
			size_t n = half(&in) % sizeof(buf);
			bool live = virtio_pci_vq(&con.vp, VIRTIO_CONSOLE_RECEIVEQ) != NULL;
			uint64_t before = con.rx_bytes + con.rx_refused;
			for (size_t i = 0; i < n; i++)
				buf[i] = byte(&in);
			in_input = true;
			size_t k = virtio_console_input(&con, buf, n);
			in_input = false;
			CHECK(k <= n && (live || !k));
			offered += n;
			CHECK(con.rx_bytes + con.rx_refused == before + n);
			break;
		}
		case 7: /* polling */
			virtio_console_process(&con, byte(&in) % 40);
			virtio_console_tx_pending(&con);
			virtio_console_rx_ready(&con);
			break;
		case 8:
			virtio_console_set_size(&con, half(&in), half(&in));
			break;
		default: /* a kick of either queue, or of none */
			virtio_pci_mmio(&con.vp,
					BAR_ADDR + VIRTIO_PCI_BAR_NOTIFY +
					    (op >> 4) % 3 * VIRTIO_PCI_NOTIFY_OFF_MULT,
					2, true, &(uint64_t){0});
			break;
		}
		CHECK(con.bad_chains >= bad);
		if (con.bad_chains > bad && !reset_seen)
			CHECK(con.vp.broken);
		if (was_broken && !reset_seen)
			CHECK(con.vp.broken);
		if (con.vp.broken)
			CHECK(!virtio_pci_vq(&con.vp, 0) && !virtio_pci_vq(&con.vp, 1));
		CHECK(con.tx_bytes == out_total);
		CHECK(con.rx_bytes + con.rx_refused == offered);
		CHECK(!con.in_tx);
	}
	return 0;
}
