/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_virtio.h: a guest's RAM mapped in iopmd and its virtio devices
 * (iopmd_virtio.c, docs/virtio.md "In iopmd"). Where the devices are on
 * the guest's PCI bus and in its memory window: */
#ifndef IOPMD_VIRTIO_H
#define IOPMD_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

#include "dev/virtio_net.h" /* struct virtio_net_stats */
#include "vmm/vm/vm_layout.h"

#define IOPMD_VIRTIO_BLK_DEV	 2	   /* 00:02.0 */
#define IOPMD_VIRTIO_NET_DEV	 3	   /* 00:03.0 */
#define IOPMD_VIRTIO_CONSOLE_DEV 4	   /* 00:04.0 */
#define IOPMD_VIRTIO_BAR_STRIDE	 0x8000ULL /* VIRTIO_PCI_BAR_SIZE: each BAR aligned to its size */
#define IOPMD_VIRTIO_BLK_BAR	 (VM_PCI_MMIO_BASE + 0 * IOPMD_VIRTIO_BAR_STRIDE)
#define IOPMD_VIRTIO_NET_BAR	 (VM_PCI_MMIO_BASE + 1 * IOPMD_VIRTIO_BAR_STRIDE)
#define IOPMD_VIRTIO_CONSOLE_BAR (VM_PCI_MMIO_BASE + 2 * IOPMD_VIRTIO_BAR_STRIDE)

struct iopmd;
struct guest;
struct vmcfg;

/* How iopmd learns of a guest's virtqueue requests (docs/virtio.md
 * "Polling"): the guest's notifications (each an MMIO write: a VM exit), or
 * polling the queues from iopmd's loop with notifications suppressed
 * (VIRTIO_F_EVENT_IDX's avail_event, else VIRTQ_USED_F_NO_NOTIFY), or
 * adaptive: polling while requests keep coming, notifications again after
 * IOPMD_VIRTIO_IDLE_NS without one. `vmctl virtio MODE`, iopmd --virtio. */
enum iopmd_virtio_mode { IOPMD_VIRTIO_NOTIFY, IOPMD_VIRTIO_POLL, IOPMD_VIRTIO_ADAPTIVE, IOPMD_VIRTIO_MODES };
#define IOPMD_VIRTIO_IDLE_NS 2000000ULL /* adaptive: 2 ms without a request -> notifications again */
const char *virtio_mode_name(int mode);
int virtio_mode_parse(const char *s); /* the mode, or -1 */

/* RAM_MAP ADD that iopm.ko accepted: map the range for the guest's devices. */
void guest_ram_add(struct iopmd *d, uint32_t vm, uint64_t gpa, uint64_t size);
/* The guest has ended (REMOVE): its ranges unmapped. */
void guest_ram_unmap(struct guest *g);
/* Host address of guest-physical [gpa, gpa + len), all inside one announced
 * range; NULL otherwise. */
void *guest_ram_ptr(struct guest *g, uint64_t gpa, uint64_t len);

/* Open virtio-blk's backing `path` (a regular file or block device, read
 * and write): 0 with its descriptor and size, or -1 with err. */
int virtio_disk_open(const char *path, int *fd, uint64_t *size, char *err, size_t errlen);
/* Give VM `vm` the virtio devices `c` lists (disk_fd: from
 * virtio_disk_open, now the device's; -1 without virtio-blk). 0, or -1 with err. */
int guest_virtio_attach(struct iopmd *d, uint32_t vm, const struct vmcfg *c, int disk_fd, uint64_t disk_size,
			char *err, size_t errlen);
void guest_virtio_fini(struct guest *g);
/* An access the VMM forwarded from the PCI memory window: 0, or -ENOENT
 * where no device's BAR is (the guest reads all ones). */
int guest_virtio_mmio(struct guest *g, uint64_t gpa, unsigned size, int write, uint64_t *val);

/* From iopmd's loop, every pass: apply `mode` to the guest's queues and
 * serve up to `budget` requests they hold (a kick serves a batch; what is
 * left, and in polling what came without a kick, is served here). Whether
 * iopmd must come back without sleeping (requests left, or polling). */
int guest_virtio_work(struct guest *g, int mode, uint64_t now_ns, unsigned budget);

/* The guest's virtio console is live and the guest has written to it:
 * typed input goes there (else to its UART). */
int guest_virtio_console_active(const struct guest *g);
/* Input for hvc0: the bytes taken (fewer when the guest has posted too
 * little room: guest_console_room() is called when it posts more). */
size_t guest_virtio_console_input(struct guest *g, const uint8_t *buf, size_t n);

struct pollfd;
/* The guest's descriptors iopmd must poll (its tap); how many (at most max). */
unsigned guest_virtio_pollfds(struct guest *g, struct pollfd *p, unsigned max);

struct guest_virtio_stats {
	int net, net_broken;
	char tap[16];
	struct virtio_net_stats net_stats;
	uint64_t tap_drops;
	int con, con_broken, con_used;
	uint64_t con_tx_bytes, con_rx_bytes;
	int blk;
	uint64_t blk_reads, blk_writes, blk_flushes, blk_errors, blk_bad, blk_bytes_read, blk_bytes_written;
	int blk_broken, blk_polling;
	uint64_t blk_kicks;		     /* notifications the guest wrote */
	uint64_t blk_polled;		     /* requests found by polling (no notification) */
	uint64_t blk_to_poll, blk_to_notify; /* switches of its queue between the two */
};
void guest_virtio_stats(const struct guest *g, struct guest_virtio_stats *s);

#endif
