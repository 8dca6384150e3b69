/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_virtio.c: a guest's virtio devices in iopmd (docs/virtio.md
 * "In iopmd") -- the pure models of iopm/dev/ (virtio_pci, virtio_blk)
 * bound to one guest:
 *
 *  - its RAM, as the VMM announced it (RAM_MAP ADD: each range mapped from
 *    /dev/coopvmm's window of that VM, iopm.ko checking each page) and
 *    withdrew it (REMOVE: unmapped before iopmd says RAM_DONE). Every
 *    access a device makes to guest memory goes through guest_ram_ptr(),
 *    which answers only for bytes inside one announced range: a driver's
 *    address anywhere else is refused, never followed;
 *  - the PCI functions on its bus (iopmd_devs.c's pcihost), their BARs
 *    placed in the PCI memory window (vm_layout.h VM_PCI_MMIO_BASE) as a
 *    PC's firmware would, memory decoding on;
 *  - the MMIO accesses the VMM forwards from that window;
 *  - MSI-X messages to the VMM (COOP_MSG_MSI), INTx as the line
 *    IOPMD_GSI_PCI_INTX (IRQ_LINE), raised while any device asserts it;
 *  - virtio-console's output into the guest's console buffer (its UART's),
 *    and the typed input once the guest has written to hvc0;
 *  - virtio-net's frames to and from a tap of its own (cvtapVM) in the
 *    IOPM's bridge br0 (iopmd_tap.c, docs/iopm.md "Network");
 *  - virtio-blk's backing: a file or block device of the IOPM, opened at
 *    `vmctl create`, read and written with pread/pwrite straight into the
 *    guest's mapped RAM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h> /* BLKGETSIZE64 */
#include <poll.h>

#include "coopvmm_ioctl.h"
#include "dev/pcihost.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_console.h"
#include "dev/virtio_net.h"
#include "dev/virtio_pci.h"
#include "iopmd.h"
#include "iopmd_tap.h"
#include "iopmd_virtio.h"
#include "vmcfg.h"
#include "vmm/vm/vm_layout.h"

/* One device's link to its guest: the host context of its transport. */
struct vdev_host {
	struct guest *g;
	unsigned intx_bit;
};

struct guest_virtio {
	struct guest *g;
	uint32_t intx; /* the devices asserting INTx, by bit */
	struct vdev_host blk_host;
	struct virtio_blk blk;
	int blk_on;
	int disk_fd;
	/* polling (guest_virtio_work) */
	int blk_polling;      /* its queue's notifications suppressed by us */
	uint64_t blk_last_ns; /* the last request found (adaptive) */
	uint64_t blk_kicks, blk_polled, blk_to_poll, blk_to_notify;
	uint64_t blk_kicks_seen; /* blk_kicks at the last pass (adaptive) */
	struct vdev_host con_host;
	struct virtio_console con;
	int con_on;
	int con_used; /* the guest wrote to it: typed input goes here (guest_virtio_console_input) */
	struct vdev_host net_host;
	struct virtio_net net;
	int net_on;
	int tap_fd;
	char tap[16];
	int net_tx_more;    /* the transmit queue's last batch took its whole budget */
	size_t net_rx_len;  /* a frame read from the tap that waits for a receive buffer */
	uint64_t tap_drops; /* frames the tap would not take (its queue full) or that were too long */
	uint8_t net_rx[VIRTIO_NET_FRAME_MAX];
};

static const char *const mode_names[IOPMD_VIRTIO_MODES] = {"notify", "poll", "adaptive"};

const char *virtio_mode_name(int mode)
{
	return mode >= 0 && mode < IOPMD_VIRTIO_MODES ? mode_names[mode] : "?";
}

int virtio_mode_parse(const char *s)
{
	for (int i = 0; i < IOPMD_VIRTIO_MODES; i++)
		if (!strcmp(s, mode_names[i]))
			return i;
	return -1;
}

/* ---- guest RAM ---- */

void guest_ram_add(struct iopmd *d, uint32_t vm, uint64_t gpa, uint64_t size)
{
	struct guest *g = guest_open(d, vm);
	void *p;

	if (!g || g->ended)
		return;
	if (g->nram == IOPMD_RAM_RANGES || !size) {
		klog(4,
		     "vm %u: RAM range 0x%llx+0x%llx not mapped (%u ranges already): its devices cannot "
		     "reach it",
		     vm, (unsigned long long)gpa, (unsigned long long)size, g->nram);
		return;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, d->dev.fd,
		 (off_t)(COOPVMM_MMAP_VM(vm) + gpa));
	if (p == MAP_FAILED) {
		klog(4, "vm %u: cannot map its RAM 0x%llx+0x%llx: %s", vm, (unsigned long long)gpa,
		     (unsigned long long)size, strerror(errno));
		return;
	}
	g->ram[g->nram].gpa = gpa;
	g->ram[g->nram].size = size;
	g->ram[g->nram].p = p;
	g->nram++;
}

void guest_ram_unmap(struct guest *g)
{
	for (unsigned i = 0; i < g->nram; i++)
		munmap(g->ram[i].p, g->ram[i].size);
	g->nram = 0;
}

void *guest_ram_ptr(struct guest *g, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < g->nram; i++) {
		const struct guest_ram *r = &g->ram[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return r->p + (gpa - r->gpa);
	}
	return NULL;
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct vdev_host *h = ctx;
	void *p = guest_ram_ptr(h->g, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t len)
{
	struct vdev_host *h = ctx;
	void *p = guest_ram_ptr(h->g, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static int mem_check(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct vdev_host *h = ctx;

	(void)write; /* every announced range is the guest's writable RAM */
	return guest_ram_ptr(h->g, gpa, len) ? 0 : -EFAULT;
}

static const struct virtq_mem_ops mem_ops = {.read = mem_read, .write = mem_write, .check = mem_check};

/* ---- interrupts ---- */

static void host_intx(void *ctx, bool level)
{
	struct vdev_host *h = ctx;
	struct guest_virtio *v = h->g->vio;
	uint32_t was = v->intx;

	v->intx = level ? v->intx | h->intx_bit : v->intx & ~h->intx_bit;
	if (!was != !v->intx)
		guest_irq(h->g, IOPMD_GSI_PCI_INTX, v->intx != 0);
}

static void host_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct vdev_host *h = ctx;
	struct coop_msg_msi x = {.addr = addr, .data = data};
	struct coop_msg m;

	coop_msg_init(&m, COOP_MSG_MSI, ++h->g->d->next_id, h->g->vm, 0, &x, sizeof(x));
	if (send_msg(h->g->d, &m) == 0)
		h->g->irq_msgs++;
}

static const struct virtio_pci_host_ops host_ops = {.mem = &mem_ops, .intx = host_intx, .msi = host_msi};

/* ---- virtio-blk's backing ---- */

static int blk_rw(void *ctx, bool write, uint64_t off, uint64_t gpa, uint32_t len)
{
	struct vdev_host *h = ctx;
	struct guest_virtio *v = h->g->vio;
	uint8_t *p = guest_ram_ptr(h->g, gpa, len);

	if (!p)
		return -EFAULT;
	while (len) {
		ssize_t n =
		    write ? pwrite(v->disk_fd, p, len, (off_t)off) : pread(v->disk_fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO; /* (a read past the end: the file shrank) */
		p += n;
		off += (uint64_t)n;
		len -= (uint32_t)n;
	}
	return 0;
}

static int blk_flush(void *ctx)
{
	struct vdev_host *h = ctx;

	return fdatasync(h->g->vio->disk_fd) ? -errno : 0;
}

static const struct virtio_blk_backend blk_backend = {.rw = blk_rw, .flush = blk_flush};

int virtio_disk_open(const char *path, int *fd, uint64_t *size, char *err, size_t errlen)
{
	struct stat st;
	int f = open(path, O_RDWR | O_CLOEXEC);

	if (f < 0) {
		snprintf(err, errlen, "disk %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(f, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "disk %s: not a regular file or a block device", path);
		close(f);
		return -1;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(f, BLKGETSIZE64, size) < 0) {
			snprintf(err, errlen, "disk %s: its size: %s", path, strerror(errno));
			close(f);
			return -1;
		}
	} else {
		*size = (uint64_t)st.st_size;
	}
	if (*size < VIRTIO_BLK_SECTOR_SIZE) {
		snprintf(err, errlen, "disk %s: %llu bytes, less than one 512-byte sector", path,
			 (unsigned long long)*size);
		close(f);
		return -1;
	}
	*fd = f;
	return 0;
}

/* ---- virtio-console: hvc0 beside the UART, one console buffer ---- */

static void con_out(void *ctx, const uint8_t *buf, size_t n)
{
	struct vdev_host *h = ctx;

	h->g->vio->con_used = 1;
	for (size_t i = 0; i < n; i++)
		guest_console_put(h->g, buf[i]);
}

static void con_rx_room(void *ctx)
{
	struct vdev_host *h = ctx;

	guest_console_room(h->g);
}

static const struct virtio_console_ops con_ops = {.out = con_out, .rx_room = con_rx_room};

int guest_virtio_console_active(const struct guest *g)
{
	return g->vio && g->vio->con_on && g->vio->con_used;
}

size_t guest_virtio_console_input(struct guest *g, const uint8_t *buf, size_t n)
{
	return guest_virtio_console_active(g) ? virtio_console_input(&g->vio->con, buf, n) : 0;
}

/* ---- virtio-net: a tap in the IOPM's bridge ---- */

static void net_tx(void *ctx, const uint8_t *frame, size_t len)
{
	struct vdev_host *h = ctx;
	struct guest_virtio *v = h->g->vio;

	if (tap_write(v->tap_fd, frame, len) < 0)
		v->tap_drops++; /* a full tap queue drops, as a switch port would */
}

static void net_rx_room(void *ctx)
{
	(void)ctx; /* the waiting frame is offered again by guest_virtio_work */
}

static void net_tx_kick(void *ctx)
{
	struct vdev_host *h = ctx;
	struct guest_virtio *v = h->g->vio;

	v->net_tx_more = virtio_net_process(&v->net, IOPMD_VIRTIO_BUDGET) == IOPMD_VIRTIO_BUDGET;
}

static const struct virtio_net_ops net_ops = {.tx = net_tx, .rx_room = net_rx_room, .tx_kick = net_tx_kick};

/* Frames from the tap into the guest's receive buffers, up to `budget`:
 * whether iopmd must come back without sleeping (more frames than the
 * budget, or transmit work left). A frame waiting for receive buffers is
 * not a reason to spin: the guest's kick that posts them wakes iopmd. */
static int net_work(struct guest_virtio *v, unsigned budget)
{
	if (v->net_tx_more)
		v->net_tx_more = virtio_net_process(&v->net, budget) == budget;
	for (unsigned i = 0; i < budget; i++) {
		if (!v->net_rx_len) {
			int n = tap_read(v->tap_fd, v->net_rx, sizeof(v->net_rx));

			if (n == 0)
				return v->net_tx_more;
			if (n < 0) {
				v->tap_drops++; /* longer than a frame the device takes, or a read error */
				if (n == -EMSGSIZE)
					continue;
				return v->net_tx_more; /* a failing tap: poll() says when to try again */
			}
			v->net_rx_len = (size_t)n;
		}
		int r = virtio_net_rx(&v->net, v->net_rx, v->net_rx_len);

		if (r == 0) /* no buffer: kept; the guest's receive kick (a message: a pump pass) retries */
			return v->net_tx_more;
		v->net_rx_len = 0; /* delivered, or refused and counted by the model */
	}
	return 1;
}

unsigned guest_virtio_pollfds(struct guest *g, struct pollfd *p, unsigned max)
{
	struct guest_virtio *v = g->vio;

	if (!max || !v || !v->net_on || v->net_rx_len)
		return 0; /* a frame waits for buffers: the guest's kick wakes us, not the tap */
	p->fd = v->tap_fd;
	p->events = POLLIN;
	p->revents = 0;
	return 1;
}

/* ---- the devices ---- */

static struct guest_virtio *vio_get(struct guest *g)
{
	if (!g->vio) {
		g->vio = calloc(1, sizeof(*g->vio));
		if (!g->vio)
			return NULL;
		g->vio->g = g;
		g->vio->disk_fd = -1;
		g->vio->tap_fd = -1;
	}
	return g->vio;
}

/* Put a device's function at 00:dev.0 with its BAR where iopmd_virtio.h says. */
static int place(struct guest *g, struct virtio_pci *vp, unsigned dev, uint64_t bar)
{
	struct pcihost *pci = guest_pci(g);

	if (!pci || pcihost_attach(pci, PCI_DEVFN(dev, 0), &vp->fn))
		return -1;
	pci_fn_set(&vp->fn, PCI_BAR0 + 4 * VIRTIO_PCI_BAR, 4,
		   (uint32_t)bar |
		       (pci_fn_get(&vp->fn, PCI_BAR0 + 4 * VIRTIO_PCI_BAR, 4) & PCI_BAR_MEM_FLAGS));
	pci_fn_set(&vp->fn, PCI_BAR0 + 4 * VIRTIO_PCI_BAR + 4, 4, (uint32_t)(bar >> 32));
	pci_fn_set(&vp->fn, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	return 0;
}

int guest_virtio_attach(struct iopmd *d, uint32_t vm, const struct vmcfg *c, int disk_fd, uint64_t disk_size,
			char *err, size_t errlen)
{
	struct guest *g = guest_open(d, vm);
	struct guest_virtio *v = g ? vio_get(g) : NULL;

	if (!v || !g->devs) {
		snprintf(err, errlen, "out of memory for its devices");
		if (disk_fd >= 0)
			close(disk_fd);
		return -1;
	}
	if (c->devices & VMCFG_DEV_VIRTIO_BLK) {
		char serial[VIRTIO_BLK_ID_BYTES + 1];

		snprintf(serial, sizeof(serial), "coopvmm-%u", vm);
		v->blk_host.g = g;
		v->blk_host.intx_bit = 1U << IOPMD_VIRTIO_BLK_DEV;
		v->disk_fd = disk_fd;
		if (virtio_blk_init(&v->blk, disk_size, false, serial, &blk_backend, &v->blk_host, &host_ops,
				    &v->blk_host) ||
		    place(g, &v->blk.vp, IOPMD_VIRTIO_BLK_DEV, IOPMD_VIRTIO_BLK_BAR)) {
			snprintf(err, errlen, "virtio-blk: cannot place the device");
			return -1; /* (the descriptor is closed with the guest's devices) */
		}
		v->blk_on = 1;
		klog(6, "vm %u: virtio-blk at 00:%02x.0, BAR 0x%llx, %llu sectors", vm, IOPMD_VIRTIO_BLK_DEV,
		     (unsigned long long)IOPMD_VIRTIO_BLK_BAR, (unsigned long long)(disk_size / 512));
	}
	if (c->devices & VMCFG_DEV_VIRTIO_NET) {
		uint8_t mac[6] = {0x52, 0x54, 0x00, 0xc0, (uint8_t)(vm >> 8), (uint8_t)vm};

		snprintf(v->tap, sizeof(v->tap), "cvtap%u", vm);
		v->tap_fd = tap_open(v->tap, err, errlen);
		if (v->tap_fd < 0)
			return -1;
		if (tap_attach(v->tap, TAP_BRIDGE, err, errlen))
			return -1;
		v->net_host.g = g;
		v->net_host.intx_bit = 1U << IOPMD_VIRTIO_NET_DEV;
		if (virtio_net_init(&v->net, mac, &net_ops, &v->net_host, &host_ops, &v->net_host) ||
		    place(g, &v->net.vp, IOPMD_VIRTIO_NET_DEV, IOPMD_VIRTIO_NET_BAR)) {
			snprintf(err, errlen, "virtio-net: cannot place the device");
			return -1;
		}
		v->net_on = 1;
		klog(6,
		     "vm %u: virtio-net at 00:%02x.0, BAR 0x%llx, MAC 52:54:00:c0:%02x:%02x on %s "
		     "in " TAP_BRIDGE,
		     vm, IOPMD_VIRTIO_NET_DEV, (unsigned long long)IOPMD_VIRTIO_NET_BAR, (vm >> 8) & 0xff,
		     vm & 0xff, v->tap);
	}
	if (c->devices & VMCFG_DEV_VIRTIO_CONSOLE) {
		v->con_host.g = g;
		v->con_host.intx_bit = 1U << IOPMD_VIRTIO_CONSOLE_DEV;
		if (virtio_console_init(&v->con, &con_ops, &v->con_host, &host_ops, &v->con_host) ||
		    place(g, &v->con.vp, IOPMD_VIRTIO_CONSOLE_DEV, IOPMD_VIRTIO_CONSOLE_BAR)) {
			snprintf(err, errlen, "virtio-console: cannot place the device");
			return -1;
		}
		v->con_on = 1;
		klog(6, "vm %u: virtio-console at 00:%02x.0, BAR 0x%llx", vm, IOPMD_VIRTIO_CONSOLE_DEV,
		     (unsigned long long)IOPMD_VIRTIO_CONSOLE_BAR);
	}
	return 0;
}

void guest_virtio_fini(struct guest *g)
{
	struct guest_virtio *v = g->vio;

	if (!v)
		return;
	if (v->disk_fd >= 0)
		close(v->disk_fd);
	if (v->tap_fd >= 0)
		close(v->tap_fd); /* the tap goes with it (not persistent) */
	free(v);
	g->vio = NULL;
}

int guest_virtio_mmio(struct guest *g, uint64_t gpa, unsigned size, int write, uint64_t *val)
{
	struct guest_virtio *v = g->vio;
	int r = -ENOENT;

	if (v && v->blk_on) {
		r = virtio_pci_mmio(&v->blk.vp, gpa, size, write, val);
		if (!r && write && gpa - IOPMD_VIRTIO_BLK_BAR >= VIRTIO_PCI_BAR_NOTIFY &&
		    gpa - IOPMD_VIRTIO_BLK_BAR < VIRTIO_PCI_BAR_NOTIFY + VIRTIO_PCI_REGION)
			v->blk_kicks++;
	}
	if (r == -ENOENT && v && v->con_on)
		r = virtio_pci_mmio(&v->con.vp, gpa, size, write, val);
	if (r == -ENOENT && v && v->net_on)
		r = virtio_pci_mmio(&v->net.vp, gpa, size, write, val);
	return r;
}

static uint64_t blk_requests(const struct virtio_blk *b)
{
	return b->reads + b->writes + b->flushes + b->get_ids + b->errors + b->unsupported + b->bad;
}

/* Notifications of queue q on (a kick per request batch) or off (we poll). */
static void set_polling(struct guest_virtio *v, struct virtq *q, int on)
{
	if (on == v->blk_polling)
		return;
	v->blk_polling = on;
	if (on)
		v->blk_to_poll++;
	else
		v->blk_to_notify++;
	virtq_set_notify(q, !on); /* (entries that came meanwhile: served below, pending) */
}

int guest_virtio_work(struct guest *g, int mode, uint64_t now, unsigned budget)
{
	struct guest_virtio *v = g->vio;
	struct virtq *q;
	uint64_t before;
	int busy;

	int other = 0;

	if (v && v->con_on && virtio_console_tx_pending(&v->con))
		virtio_console_process(&v->con, budget); /* what its kick's batch left */
	if (v && v->con_on)
		other |= virtio_console_tx_pending(&v->con);
	if (v && v->net_on)
		other |= net_work(v, budget);
	if (!v || !v->blk_on)
		return other;
	q = virtio_pci_vq(&v->blk.vp, 0);
	if (!q) {
		v->blk_polling = 0; /* not live (reset, not yet DRIVER_OK): a new queue asks for kicks */
		return 0;
	}
	if (mode == IOPMD_VIRTIO_POLL)
		set_polling(v, q, 1);
	else if (mode == IOPMD_VIRTIO_NOTIFY)
		set_polling(v, q, 0);
	busy = virtio_blk_pending(&v->blk);
	/* Adaptive: a kick since the last pass is activity too (its handler
	 * served the requests at once, so none are pending now). */
	if (mode == IOPMD_VIRTIO_ADAPTIVE && v->blk_kicks != v->blk_kicks_seen) {
		v->blk_last_ns = now;
		set_polling(v, q, 1);
	}
	v->blk_kicks_seen = v->blk_kicks;
	if (busy) {
		before = blk_requests(&v->blk);
		virtio_blk_process(&v->blk, budget);
		if (v->blk_polling)
			v->blk_polled += blk_requests(&v->blk) - before;
		v->blk_last_ns = now;
		if (mode == IOPMD_VIRTIO_ADAPTIVE)
			set_polling(v, q, 1); /* busy: stop the kicks, poll */
	} else if (mode == IOPMD_VIRTIO_ADAPTIVE && v->blk_polling &&
		   now - v->blk_last_ns > IOPMD_VIRTIO_IDLE_NS) {
		set_polling(v, q, 0); /* idle: kicks again (and what slipped in is served next pass) */
	}
	return virtio_blk_pending(&v->blk) || v->blk_polling || other;
}

void guest_virtio_stats(const struct guest *g, struct guest_virtio_stats *s)
{
	const struct guest_virtio *v = g->vio;

	memset(s, 0, sizeof(*s));
	if (v && v->net_on) {
		s->net = 1;
		snprintf(s->tap, sizeof(s->tap), "%s", v->tap);
		s->net_stats = v->net.stats;
		s->net_broken = v->net.vp.broken;
		s->tap_drops = v->tap_drops;
	}
	if (v && v->con_on) {
		s->con = 1;
		s->con_tx_bytes = v->con.tx_bytes;
		s->con_rx_bytes = v->con.rx_bytes;
		s->con_broken = v->con.vp.broken;
		s->con_used = v->con_used;
	}
	if (!v || !v->blk_on)
		return;
	s->blk = 1;
	s->blk_reads = v->blk.reads;
	s->blk_writes = v->blk.writes;
	s->blk_flushes = v->blk.flushes;
	s->blk_errors = v->blk.errors + v->blk.unsupported;
	s->blk_bad = v->blk.bad;
	s->blk_bytes_read = v->blk.bytes_read;
	s->blk_bytes_written = v->blk.bytes_written;
	s->blk_broken = v->blk.vp.broken;
	s->blk_polling = v->blk_polling;
	s->blk_kicks = v->blk_kicks;
	s->blk_polled = v->blk_polled;
	s->blk_to_poll = v->blk_to_poll;
	s->blk_to_notify = v->blk_to_notify;
}
