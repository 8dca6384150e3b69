/* SPDX-License-Identifier: GPL-2.0-only */
/* coopdev.c: map the shared zone from /dev/coopvmm (see coopdev.h): first
 * its header page to learn the size, then the whole zone, checking magic,
 * version and that every area the header names lies inside the zone.
 */
#include "coopdev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int coopdev_open(struct coopdev *dev, int writable, char *err, size_t errlen)
{
	const struct coop_shared_header *h;
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);
	int fd;
	void *p;
	uint64_t size;

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	fd = open(COOPDEV_PATH, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s%s", COOPDEV_PATH, strerror(errno),
			 errno == ENOENT ? " (is iopm.ko loaded?)" : "");
		return -1;
	}
	p = mmap(NULL, COOP_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mmap %s (header): %s", COOPDEV_PATH, strerror(errno));
		close(fd);
		return -1;
	}
	h = p;
	if (h->magic != COOP_SHARED_MAGIC || h->version != COOP_ABI_VERSION) {
		snprintf(err, errlen,
			 "bad shared header: magic 0x%016llx version %u (expected 0x%016llx version %u)",
			 (unsigned long long)h->magic, h->version, (unsigned long long)COOP_SHARED_MAGIC,
			 COOP_ABI_VERSION);
		munmap(p, COOP_PAGE);
		close(fd);
		return -1;
	}
	size = h->zone_size;
	munmap(p, COOP_PAGE);
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mmap %s (%llu bytes): %s", COOPDEV_PATH, (unsigned long long)size,
			 strerror(errno));
		close(fd);
		return -1;
	}
	h = p;
	struct coop_shared_header copy = *h;
	const char *bad = coop_part_header_check(&copy, copy.zone_base, size);
	if (bad) {
		snprintf(err, errlen, "bad shared header: field %s is not this build's layout", bad);
		munmap(p, size);
		close(fd);
		return -1;
	}
	dev->fd = fd;
	dev->base = p;
	dev->size = size;
	dev->hdr = h;
	dev->vmm = (const struct coop_vmm_ctrl *)((const char *)p + h->vmm_ctrl_off);
	dev->ctrl = (struct coop_iopm_ctrl *)((char *)p + h->iopm_ctrl_off);
	return 0;
}

void coopdev_close(struct coopdev *dev)
{
	if (dev->base)
		munmap(dev->base, dev->size);
	if (dev->fd >= 0)
		close(dev->fd);
	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
}

int coopdev_rings(struct coopdev *dev, struct coop_ring_tx *tx, struct coop_ring_rx *rx, char *err,
		  size_t errlen)
{
	struct coop_iopm_ctrl *c = dev->ctrl;
	uint32_t prod = coop_load_acquire(&c->tx.prod), cons = coop_load_acquire(&c->rx.cons);
	uint32_t vmm_cons = coop_load_acquire(&dev->vmm->rx.cons),
		 vmm_prod = coop_load_acquire(&dev->vmm->tx.prod);

	if (coop_ring_tx_attach(tx, (struct coop_msg *)((char *)dev->base + dev->hdr->iopm_ring_off),
				COOP_RING_ENTRIES, &c->tx, &dev->vmm->rx) < 0 ||
	    coop_ring_rx_attach(rx,
				(const struct coop_msg *)((const char *)dev->base + dev->hdr->vmm_ring_off),
				COOP_RING_ENTRIES, &c->rx, &dev->vmm->tx) < 0) {
		snprintf(
		    err, errlen,
		    "ring indices out of step: IOPM ring prod %u vs VMM cons %u, VMM ring prod %u vs IOPM "
		    "cons %u",
		    prod, vmm_cons, vmm_prod, cons);
		return -1;
	}
	return 0;
}
