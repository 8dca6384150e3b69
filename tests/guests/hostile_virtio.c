/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_virtio: a malicious virtio driver (issue 16). It finds a modern
 * virtio-pci block device (1af4:1042) on bus 0 through configuration
 * mechanism #1, walks its virtio capabilities (VIRTIO 1.2 4.1.4), takes the
 * memory BAR they name (assigning it at 0xfe000000 if it reads 0) and then,
 * scenario after scenario, initialises the device as a driver does (3.1.1:
 * reset, ACKNOWLEDGE, DRIVER, VERSION_1 [+ INDIRECT_DESC if offered],
 * FEATURES_OK, queue 0 in its own RAM, DRIVER_OK) and hands it one bad
 * thing: a descriptor loop, a next index past the queue, avail->idx far
 * ahead, buffers outside RAM, a 4 GiB length, nested and badly sized
 * indirect tables (beside a good one, the control), a readable buffer
 * after a writable one, a request without a status byte, sectors past the
 * capacity, a queue size that is not a power of 2, a queue in MMIO space,
 * 10000 kicks with nothing available. After each it prints what the
 * device did (device_status: NEEDS_RESET is 0x40; used->idx; the request's
 * status byte or "none") and whether a good read succeeds after a reset,
 * one line each:
 *   HV: loop status=0x4f used=0 req=none good_after_reset=ok
 * then a good read of sector 0 that must succeed (status 0) and
 *   HV: done N scenarios, device alive
 * Every wait for the device is bounded (WAIT_MS of TSC time: "timeout").
 * Without such a device it prints a SKIP line and passes. Runs on bare QEMU
 * (-device virtio-blk-pci,disable-legacy=on: tests/system/qemu_hostile_virtio.py,
 * the reference behaviour) and under coopvmm with iopmd's virtio-blk
 * (iopm/guests/hostile_virtio.cfg). Constants are the guest's own, from the
 * specifications, like any driver's (rt/ shares nothing with the VMM). */
#include "rt/rt.h"

#include "rt/timer.h"

/* PCI Local Bus 3.0: configuration mechanism #1 (3.2.2.3.2), header (6.1). */
#define CFG_ADDR	  0xcf8
#define CFG_DATA	  0xcfc
#define CFG_ENABLE	  0x80000000U
#define CFG_ID		  0x00
#define CFG_COMMAND	  0x04
#define CFG_STATUS	  0x06
#define CFG_BAR0	  0x10
#define CFG_CAP_PTR	  0x34
#define CMD_MEMORY	  0x0002
#define CMD_MASTER	  0x0004
#define STATUS_CAP_LIST	  0x0010
#define BAR_IO		  0x01
#define BAR_TYPE_MASK	  0x06
#define BAR_TYPE_64	  0x04
#define CAP_ID_VNDR	  0x09
#define BAR_ASSIGN	  0xfe000000U /* where iopmd puts 00:02.0's BAR (issue 16) */
#define VIRTIO_VENDOR	  0x1af4
#define VIRTIO_BLK_MODERN 0x1042 /* 4.1.2: 0x1040 + device ID 2 */

/* VIRTIO 1.2: virtio PCI capabilities (4.1.4). */
#define VCAP_CFG_TYPE	0x03
#define VCAP_BAR	0x04
#define VCAP_OFFSET	0x08
#define VCAP_LENGTH	0x0c
#define VCAP_NOTIFY_MUL 0x10
#define VCAP_COMMON	1
#define VCAP_NOTIFY	2
#define VCAP_ISR	3
#define VCAP_DEVICE	4

/* Common configuration (4.1.4.3). */
#define CC_DFSELECT 0x00
#define CC_DF	    0x04
#define CC_GFSELECT 0x08
#define CC_GF	    0x0c
#define CC_MSIX	    0x10
#define CC_STATUS   0x14
#define CC_Q_SELECT 0x16
#define CC_Q_SIZE   0x18
#define CC_Q_MSIX   0x1a
#define CC_Q_ENABLE 0x1c
#define CC_Q_NOFF   0x1e
#define CC_Q_DESC   0x20
#define CC_Q_AVAIL  0x28
#define CC_Q_USED   0x30
#define NO_VECTOR   0xffff

/* Device status (2.1) and feature bits (6). */
#define ST_ACKNOWLEDGE 0x01
#define ST_DRIVER      0x02
#define ST_DRIVER_OK   0x04
#define ST_FEATURES_OK 0x08
#define ST_NEEDS_RESET 0x40
#define ST_FAILED      0x80
#define F_INDIRECT     28 /* VIRTIO_F_INDIRECT_DESC */
#define F_VERSION_1    32

/* Split virtqueue (2.7.5-2.7.8). */
#define D_NEXT	   1
#define D_WRITE	   2
#define D_INDIRECT 4

/* virtio-blk (5.2): configuration (capacity, le64 in 512-byte sectors at
 * 0), requests (5.2.6: le32 type, le32 reserved, le64 sector, data, u8
 * status). */
#define BLK_T_IN     0
#define BLK_S_OK     0
#define BLK_SECTOR   512
#define BLK_HDR_SIZE 16

#define QSIZE	      16   /* the driver's queue size (the device's max may be larger) */
#define WAIT_MS	      2000 /* bound of every wait for the device */
#define STORM_KICKS   10000
#define NO_STATUS     0x100 /* request status byte not written */
#define STATUS_POISON 0xee  /* what the status byte holds before the device writes it */

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* The queue's parts, each in a page of its own (a device with a larger
 * queue than ours still finds each part in RAM), and the request. */
static struct vq_desc desc[256] __attribute__((aligned(4096)));
static volatile uint16_t avail[2048] __attribute__((aligned(4096)));
static volatile uint32_t used[1024] __attribute__((aligned(4096)));
static struct vq_desc indirect[4] __attribute__((aligned(16)));
static struct vq_desc indirect2[2] __attribute__((aligned(16)));
static struct blk_hdr hdr __attribute__((aligned(16)));
static uint8_t data[BLK_SECTOR] __attribute__((aligned(512)));
static volatile uint8_t status_byte;

static uint8_t pci_dev;
static uint32_t common, notify, isr, devcfg, notify_mul, bar_base;
static bool have_isr, have_devcfg, offer_indirect;
static uint16_t qmax, qsize, notify_off;
static uint64_t capacity;
static unsigned scenarios;

/* --- PCI configuration -------------------------------------------------- */

static uint32_t cfg_read32(uint8_t dev, uint8_t off)
{
	outl(CFG_ADDR, CFG_ENABLE | (uint32_t)dev << 11 | (off & 0xfcU));
	return inl(CFG_DATA);
}

static void cfg_write32(uint8_t dev, uint8_t off, uint32_t v)
{
	outl(CFG_ADDR, CFG_ENABLE | (uint32_t)dev << 11 | (off & 0xfcU));
	outl(CFG_DATA, v);
}

static uint8_t cfg_read8(uint8_t dev, uint8_t off)
{
	return (uint8_t)(cfg_read32(dev, off) >> ((off & 3) * 8));
}

static uint16_t cfg_read16(uint8_t dev, uint8_t off)
{
	return (uint16_t)(cfg_read32(dev, off) >> ((off & 2) * 8));
}

static void cfg_write16(uint8_t dev, uint8_t off, uint16_t v)
{
	outl(CFG_ADDR, CFG_ENABLE | (uint32_t)dev << 11 | (off & 0xfcU));
	outw(CFG_DATA + (off & 2), v);
}

/* The BAR's address; 0 if it is not a memory BAR the guest can reach (then
 * it is placed at BAR_ASSIGN). */
static uint32_t bar_address(uint8_t bar)
{
	uint8_t off = CFG_BAR0 + 4 * bar;
	uint32_t lo = cfg_read32(pci_dev, off), hi = 0;
	if (lo & BAR_IO) {
		printf("HV: BAR %u is an I/O BAR (%#x)\n", bar, lo);
		return 0;
	}
	bool is64 = (lo & BAR_TYPE_MASK) == BAR_TYPE_64;
	if (is64 && bar < 5)
		hi = cfg_read32(pci_dev, off + 4);
	uint32_t addr = lo & ~0xfU;
	printf("HV: BAR %u %s-bit %#x%08x\n", bar, is64 ? "64" : "32", hi, addr);
	if (addr && !hi)
		return addr;
	cfg_write32(pci_dev, off, BAR_ASSIGN);
	if (is64 && bar < 5)
		cfg_write32(pci_dev, off + 4, 0);
	addr = cfg_read32(pci_dev, off) & ~0xfU;
	printf("HV: BAR %u assigned at %#x\n", bar, addr);
	return addr;
}

static bool find_device(void)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		uint32_t id = cfg_read32(dev, CFG_ID);
		if ((id & 0xffff) == VIRTIO_VENDOR && id >> 16 == VIRTIO_BLK_MODERN) {
			pci_dev = dev;
			return true;
		}
	}
	return false;
}

/* Walk the capability list (at most 48 entries: a loop in it ends too). */
static bool find_caps(void)
{
	if (!(cfg_read16(pci_dev, CFG_STATUS) & STATUS_CAP_LIST)) {
		printf("HV: no capability list\n");
		return false;
	}
	int common_bar = -1;
	uint32_t off_common = 0, off_notify = 0, off_isr = 0, off_dev = 0;
	bool got_notify = false;
	uint8_t p = cfg_read8(pci_dev, CFG_CAP_PTR) & 0xfc;
	for (int n = 0; p >= 0x40 && n < 48; n++, p = cfg_read8(pci_dev, p + 1) & 0xfc) {
		if (cfg_read8(pci_dev, p) != CAP_ID_VNDR)
			continue;
		uint8_t type = cfg_read8(pci_dev, p + VCAP_CFG_TYPE), bar = cfg_read8(pci_dev, p + VCAP_BAR);
		uint32_t off = cfg_read32(pci_dev, p + VCAP_OFFSET),
			 len = cfg_read32(pci_dev, p + VCAP_LENGTH);
		printf("HV: cap at %#x type %u bar %u offset %#x length %#x\n", p, type, bar, off, len);
		if (type < VCAP_COMMON || type > VCAP_DEVICE || bar > 5)
			continue;
		/* This driver wants all four in the one BAR (as both QEMU and iopmd
		 * lay them out); the first of each type counts (4.1.4). */
		if (common_bar >= 0 && bar != common_bar)
			continue;
		if (type == VCAP_COMMON && common_bar < 0) {
			common_bar = bar;
			off_common = off;
		} else if (type == VCAP_NOTIFY && !got_notify) {
			got_notify = true;
			off_notify = off;
			notify_mul = cfg_read32(pci_dev, p + VCAP_NOTIFY_MUL);
		} else if (type == VCAP_ISR && !have_isr) {
			have_isr = true;
			off_isr = off;
		} else if (type == VCAP_DEVICE && !have_devcfg) {
			have_devcfg = true;
			off_dev = off;
		}
	}
	if (common_bar < 0 || !got_notify) {
		printf("HV: no common or notify capability\n");
		return false;
	}
	bar_base = bar_address(common_bar);
	if (!bar_base)
		return false;
	cfg_write16(pci_dev, CFG_COMMAND, cfg_read16(pci_dev, CFG_COMMAND) | CMD_MEMORY | CMD_MASTER);
	common = bar_base + off_common;
	notify = bar_base + off_notify;
	isr = bar_base + off_isr;
	devcfg = bar_base + off_dev;
	return true;
}

/* --- The device --------------------------------------------------------- */

static uint8_t dev_status(void)
{
	return mmio_read8(common + CC_STATUS);
}

static void set_status(uint8_t s)
{
	mmio_write8(common + CC_STATUS, s);
}

/* Write 0 and wait until the status reads 0 (4.1.4.3.2). */
static bool reset(void)
{
	set_status(0);
	uint64_t until = rdtsc() + ms_to_tsc(WAIT_MS);
	while (dev_status() != 0)
		if (rdtsc() > until)
			return false;
	if (have_isr)
		mmio_read8(isr); /* clears a line left asserted by the last scenario */
	return true;
}

static void write64(uint32_t a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v); /* low, then high, as Linux does */
	mmio_write32(a + 4, (uint32_t)(v >> 32));
}

static uint64_t features(void)
{
	mmio_write32(common + CC_DFSELECT, 0);
	uint64_t f = mmio_read32(common + CC_DF);
	mmio_write32(common + CC_DFSELECT, 1);
	return f | (uint64_t)mmio_read32(common + CC_DF) << 32;
}

/* How a scenario sets up queue 0: the size written (0: min(max, QSIZE)),
 * and the three parts' addresses (0: the guest's own pages). */
struct qsetup {
	uint16_t size;
	uint64_t desc, avail, used;
};

/* 3.1.1 up to DRIVER_OK with queue 0 as Q says. Returns NULL or what went
 * wrong. */
static const char *init_device(const struct qsetup *q)
{
	if (!reset())
		return "reset timeout";
	set_status(ST_ACKNOWLEDGE);
	set_status(ST_ACKNOWLEDGE | ST_DRIVER);
	uint64_t f = features();
	if (!(f & 1ULL << F_VERSION_1))
		return "no VERSION_1";
	offer_indirect = f & 1ULL << F_INDIRECT;
	uint64_t want = 1ULL << F_VERSION_1 | (offer_indirect ? 1ULL << F_INDIRECT : 0);
	mmio_write32(common + CC_GFSELECT, 0);
	mmio_write32(common + CC_GF, (uint32_t)want);
	mmio_write32(common + CC_GFSELECT, 1);
	mmio_write32(common + CC_GF, (uint32_t)(want >> 32));
	set_status(ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK);
	if (!(dev_status() & ST_FEATURES_OK))
		return "FEATURES_OK refused";
	mmio_write16(common + CC_MSIX, NO_VECTOR);
	mmio_write16(common + CC_Q_SELECT, 0);
	qmax = mmio_read16(common + CC_Q_SIZE);
	if (!qmax)
		return "queue 0 absent";
	uint16_t size = q->size ? q->size : qmax < QSIZE ? qmax : QSIZE;
	mmio_write16(common + CC_Q_SIZE, size);
	qsize = mmio_read16(common + CC_Q_SIZE);
	if (!q->size && qsize != size)
		return "queue size refused";
	if (qsize == 0 || qsize > 256)
		qsize = size; /* the driver's idea of the size (the bad scenario's) */
	mmio_write16(common + CC_Q_MSIX, NO_VECTOR);
	notify_off = mmio_read16(common + CC_Q_NOFF);
	status_byte = STATUS_POISON;
	memset(desc, 0, sizeof(desc));
	memset((void *)avail, 0, sizeof(avail));
	memset((void *)used, 0, sizeof(used));
	write64(common + CC_Q_DESC, q->desc ? q->desc : (uint32_t)desc);
	write64(common + CC_Q_AVAIL, q->avail ? q->avail : (uint32_t)avail);
	write64(common + CC_Q_USED, q->used ? q->used : (uint32_t)used);
	mmio_write16(common + CC_Q_ENABLE, 1);
	set_status(ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	return NULL;
}

static void kick(void)
{
	mmio_write16(notify + (uint32_t)notify_off * notify_mul, 0);
}

static uint16_t used_idx(void)
{
	return ((volatile uint16_t *)used)[1];
}

/* Publish head HEAD in the next avail slot and kick. */
static void submit(uint16_t head)
{
	uint16_t idx = avail[1];
	avail[2 + idx % qsize] = head;
	barrier(); /* x86 keeps stores in order: the ring entry before the index (2.7.13) */
	avail[1] = (uint16_t)(idx + 1);
	barrier();
	kick();
}

/* Wait until used->idx moves past SEEN or the device needs a reset. */
static bool wait_device(uint16_t seen)
{
	uint64_t until = rdtsc() + ms_to_tsc(WAIT_MS);
	while (used_idx() == seen && !(dev_status() & ST_NEEDS_RESET)) {
		if (rdtsc() > until)
			return false;
		cpu_relax();
	}
	return true;
}

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	desc[i] = (struct vq_desc){.addr = addr, .len = len, .flags = flags, .next = next};
}

/* The good read of SECTOR: header (readable), data, status (writable) in
 * descriptors 0-2. */
static void good_chain(uint64_t sector)
{
	hdr = (struct blk_hdr){.type = BLK_T_IN, .sector = sector};
	status_byte = STATUS_POISON;
	memset(data, 0, sizeof(data));
	set_desc(0, (uint32_t)&hdr, BLK_HDR_SIZE, D_NEXT, 1);
	set_desc(1, (uint32_t)data, BLK_SECTOR, D_WRITE | D_NEXT, 2);
	set_desc(2, (uint32_t)&status_byte, 1, D_WRITE, 0);
}

/* A good read on the queue as it is: "ok", "status=0xNN", "timeout",
 * "needs_reset". */
static const char *good_read(char *buf, size_t size)
{
	uint16_t seen = used_idx();
	good_chain(0);
	submit(0);
	if (!wait_device(seen))
		return "timeout";
	if (used_idx() == seen)
		return "needs_reset";
	if (status_byte == BLK_S_OK)
		return "ok";
	snprintf(buf, size, "status=%#x", status_byte);
	return buf;
}

/* Reset, set up normally, one good read. */
static const char *good_after_reset(char *buf, size_t size)
{
	static const struct qsetup normal;
	const char *err = init_device(&normal);
	if (err) {
		snprintf(buf, size, "init(%s)", err);
		return buf;
	}
	return good_read(buf, size);
}

/* --- Scenarios ---------------------------------------------------------- */

/* Each builds its bad chain in the freshly set up queue (or does its bad
 * thing) and returns the head to submit, or -1 if it submitted itself. */
typedef int (*scenario_fn)(void);

static int sc_loop(void)
{
	good_chain(0);
	desc[2].flags |= D_NEXT;
	desc[2].next = 1; /* 0 -> 1 -> 2 -> 1 -> ... */
	return 0;
}

static int sc_next_oob(void)
{
	good_chain(0);
	desc[1].next = 1000; /* past the queue's 16 entries */
	return 0;
}

static int sc_avail_ahead(void)
{
	good_chain(0);
	avail[2] = 0;
	avail[1] = 1000; /* 1000 entries "available" in a 16-entry ring */
	barrier();
	kick();
	return -1;
}

static int sc_addr_fff00000(void)
{
	good_chain(0);
	desc[1].addr = 0xfff00000U; /* the device would write the sector there */
	return 0;
}

static int sc_addr_4g(void)
{
	good_chain(0);
	desc[1].addr = 0x100000000ULL;
	return 0;
}

static int sc_addr_top(void)
{
	good_chain(0);
	desc[1].addr = 0xfffffffffffffe00ULL; /* addr + len wraps past 2^64 */
	return 0;
}

static int sc_huge_len(void)
{
	good_chain(0);
	desc[1].len = 0xffffffffU;
	return 0;
}

/* The request in an indirect table (2.7.5.3) that the ring's descriptor 0
 * points at: header, data, status (the third entry ENTRY3). Linux's way. */
static int indirect_chain(uint32_t table_len, struct vq_desc entry3)
{
	good_chain(0);
	indirect[0] =
	    (struct vq_desc){.addr = (uint32_t)&hdr, .len = BLK_HDR_SIZE, .flags = D_NEXT, .next = 1};
	indirect[1] =
	    (struct vq_desc){.addr = (uint32_t)data, .len = BLK_SECTOR, .flags = D_WRITE | D_NEXT, .next = 2};
	indirect[2] = entry3;
	set_desc(0, (uint32_t)indirect, table_len, D_INDIRECT, 0);
	return 0;
}

static const struct vq_desc status_desc = {.addr = 0, .len = 1, .flags = D_WRITE};

/* The control: a good request through an indirect table. */
static int sc_indirect_good(void)
{
	struct vq_desc st = status_desc;
	st.addr = (uint32_t)&status_byte;
	return indirect_chain(3 * sizeof(struct vq_desc), st);
}

static int sc_indirect_nested(void)
{
	indirect2[0] = (struct vq_desc){.addr = (uint32_t)&status_byte, .len = 1, .flags = D_WRITE};
	/* An indirect table in an indirect table. */
	return indirect_chain(
	    3 * sizeof(struct vq_desc),
	    (struct vq_desc){.addr = (uint32_t)indirect2, .len = sizeof(indirect2[0]), .flags = D_INDIRECT});
}

static int sc_indirect_badlen(void)
{
	struct vq_desc st = status_desc;
	st.addr = (uint32_t)&status_byte;
	return indirect_chain(3 * sizeof(struct vq_desc) + 1, st); /* not a multiple of 16 */
}

static int sc_read_after_write(void)
{
	good_chain(0);
	desc[1].next = 3;
	set_desc(3, (uint32_t)&hdr, BLK_HDR_SIZE, D_NEXT, 2); /* readable after the writable data */
	return 0;
}

static int sc_no_status(void)
{
	good_chain(0);
	desc[0].flags = 0; /* the header alone: no data, no status byte */
	return 0;
}

static int sc_past_capacity(void)
{
	good_chain(capacity + 1000);
	return 0;
}

static int sc_sector_huge(void)
{
	good_chain(0xfffffffffffffff0ULL); /* sector * 512 overflows 64 bits */
	return 0;
}

static int sc_storm(void)
{
	for (int i = 0; i < STORM_KICKS; i++)
		kick();
	return -1;
}

struct scenario {
	const char *name;
	scenario_fn fn;
	struct qsetup q;
};

/* A scenario's line: HV: NAME [setup=...] status=0xNN used=N req=... good_after_reset=... */
static void run(const struct scenario *s)
{
	char gbuf[32], rbuf[16], extra[48] = "";
	scenarios++;
	const char *err = init_device(&s->q);
	if (s->q.size)
		snprintf(extra, sizeof(extra), " qsize_readback=%u", mmio_read16(common + CC_Q_SIZE));
	if (err) {
		const char *g = good_after_reset(gbuf, sizeof(gbuf));
		printf("HV: %s setup=%s status=0x%02x%s good_after_reset=%s\n", s->name, err, dev_status(),
		       extra, g);
		return;
	}
	uint16_t seen = used_idx();
	int head = s->fn ? s->fn() : -1;
	if (!s->fn) {
		/* Only the setup was bad: hand it a good request all the same. */
		good_chain(0);
		head = 0;
	}
	if (head >= 0)
		submit((uint16_t)head);
	bool answered = wait_device(seen);
	uint8_t st = dev_status();
	uint16_t u = used_idx();
	if (status_byte == STATUS_POISON)
		snprintf(rbuf, sizeof(rbuf), "none");
	else
		snprintf(rbuf, sizeof(rbuf), "0x%02x", status_byte);
	/* After the storm (status and used as it left them): does the queue
	 * still work without a reset? */
	if (s->fn == sc_storm) {
		char sbuf[32];
		snprintf(extra, sizeof(extra), " still_works=%s", good_read(sbuf, sizeof(sbuf)));
	}
	const char *g = good_after_reset(gbuf, sizeof(gbuf));
	printf("HV: %s status=0x%02x used=%u req=%s%s%s good_after_reset=%s\n", s->name, st, u, rbuf, extra,
	       answered || s->fn == sc_storm ? "" : " wait=timeout", g);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	cli();
	if (!find_device()) {
		skip("no modern virtio-blk (1af4:1042) on bus 0");
		return 0;
	}
	printf("HV: virtio-blk at 00:%02x.0\n", pci_dev);
	if (!find_caps())
		fail("virtio capabilities or BAR unusable");
	printf("HV: BAR %#x common %#x notify %#x (x%u) isr %#x device %#x\n", bar_base, common, notify,
	       notify_mul, have_isr ? isr : 0, have_devcfg ? devcfg : 0);
	static const struct qsetup normal;
	const char *err = init_device(&normal);
	if (err)
		fail("initialisation: %s (status %#x)", err, dev_status());
	if (have_devcfg)
		capacity = mmio_read32(devcfg) | (uint64_t)mmio_read32(devcfg + 4) << 32;
	printf("HV: queue max %u, using %u, notify_off %u, indirect %s, capacity %lu sectors\n", qmax, qsize,
	       notify_off, offer_indirect ? "offered" : "not offered", (unsigned long)capacity);

	/* The queue parts in MMIO space: past the common configuration's
	 * registers in the device's own BAR (reads 0, takes no writes, on QEMU
	 * and iopmd), never RAM. */
	uint32_t mm = bar_base + 0x800;
	const struct scenario list[] = {
	    {"loop", sc_loop, {0}},
	    {"next_oob", sc_next_oob, {0}},
	    {"avail_ahead", sc_avail_ahead, {0}},
	    {"addr_fff00000", sc_addr_fff00000, {0}},
	    {"addr_4g", sc_addr_4g, {0}},
	    {"addr_wrap", sc_addr_top, {0}},
	    {"huge_len", sc_huge_len, {0}},
	    {"indirect_good", sc_indirect_good, {0}},
	    {"indirect_nested", sc_indirect_nested, {0}},
	    {"indirect_badlen", sc_indirect_badlen, {0}},
	    {"read_after_write", sc_read_after_write, {0}},
	    {"no_status", sc_no_status, {0}},
	    {"past_capacity", sc_past_capacity, {0}},
	    {"sector_huge", sc_sector_huge, {0}},
	    {"qsize_3", NULL, {.size = 3}},
	    {"queue_in_mmio", NULL, {.desc = mm, .avail = mm + 0x100, .used = mm + 0x200}},
	    {"kick_storm", sc_storm, {0}},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(list); i++)
		run(&list[i]);

	/* The last word: a good read, checked. */
	char gbuf[32];
	const char *g = good_after_reset(gbuf, sizeof(gbuf));
	scenarios++;
	printf("HV: final_read result=%s status=0x%02x data=%02x%02x%02x%02x%02x%02x%02x%02x\n", g,
	       dev_status(), data[0], data[1], data[2], data[3], data[4], data[5], data[6], data[7]);
	bool alive = !strcmp(g, "ok");
	printf("HV: done %u scenarios, device %s\n", scenarios, alive ? "alive" : "dead");
	reset();
	if (!alive)
		fail("the final good read: %s", g);
	return 0;
}
