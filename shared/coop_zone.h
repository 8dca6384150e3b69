/* SPDX-License-Identifier: GPL-2.0-only */
/* coop_zone.h: the layout of one IOPM's part of the shared zone
 * (shared/coopvmm_abi.h), written once: the header the VMM (and iopm.ko's
 * fake zone, and the test tools) fill in, the check every reader makes of
 * it, and which pages the IOPM (its user space, its kernel) may write. */
#ifndef COOP_ZONE_H
#define COOP_ZONE_H

#include "coopvmm_abi.h"

/* Fill the layout of a part at physical `base` (the caller fills the rates,
 * APIC IDs, vector, IRQ, index and epoch). The header must be zeroed. */
static inline void coop_part_header_init(struct coop_shared_header *h, uint64_t base)
{
	h->magic = COOP_SHARED_MAGIC;
	h->version = COOP_ABI_VERSION;
	h->header_size = sizeof(*h);
	h->zone_base = base;
	h->zone_size = COOP_PART_SIZE;
	h->vmm_ctrl_off = COOP_VMM_CTRL_OFF;
	h->vmm_ctrl_size = COOP_PAGE;
	h->iopm_ctrl_off = COOP_IOPM_CTRL_OFF;
	h->iopm_ctrl_size = COOP_PAGE;
	h->vmm_ring_off = COOP_VMM_RING_OFF;
	h->iopm_ring_off = COOP_IOPM_RING_OFF;
	h->ring_entries = COOP_RING_ENTRIES;
	h->msg_size = COOP_MSG_SIZE;
	h->vmm_slot_off = COOP_VMM_SLOT_OFF;
	h->iopm_slot_off = COOP_IOPM_SLOT_OFF;
	h->slots = COOP_SLOTS;
	h->slot_size = COOP_SLOT_SIZE;
	h->log_off = COOP_LOG_OFF;
	h->log_size = COOP_LOG_SIZE;
	h->vmm_kring_off = COOP_VMM_KRING_OFF;
	h->iopm_kring_off = COOP_IOPM_KRING_OFF;
	h->kring_entries = COOP_KRING_ENTRIES;
}

/* NULL when the header at `h` (a copy: the caller copies before checking)
 * describes exactly this build's layout for a part of `size` bytes at
 * `base`; otherwise the name of the first field that differs. A version
 * mismatch is "version": the caller reports both versions. */
static inline const char *coop_part_header_check(const struct coop_shared_header *h, uint64_t base,
						 uint64_t size)
{
	if (h->magic != COOP_SHARED_MAGIC)
		return "magic";
	if (h->version != COOP_ABI_VERSION)
		return "version";
	if (h->header_size != sizeof(*h))
		return "header_size";
	if (h->zone_base != base || h->zone_size != size || size != COOP_PART_SIZE)
		return "zone_base/zone_size";
	if (h->vmm_ctrl_off != COOP_VMM_CTRL_OFF || h->vmm_ctrl_size != COOP_PAGE)
		return "vmm_ctrl_off/size";
	if (h->iopm_ctrl_off != COOP_IOPM_CTRL_OFF || h->iopm_ctrl_size != COOP_PAGE)
		return "iopm_ctrl_off/size";
	if (h->vmm_ring_off != COOP_VMM_RING_OFF || h->iopm_ring_off != COOP_IOPM_RING_OFF)
		return "vmm_ring_off/iopm_ring_off";
	if (h->ring_entries != COOP_RING_ENTRIES || h->msg_size != COOP_MSG_SIZE)
		return "ring_entries/msg_size";
	if (h->vmm_slot_off != COOP_VMM_SLOT_OFF || h->iopm_slot_off != COOP_IOPM_SLOT_OFF)
		return "vmm_slot_off/iopm_slot_off";
	if (h->slots != COOP_SLOTS || h->slot_size != COOP_SLOT_SIZE)
		return "slots/slot_size";
	if (h->log_off != COOP_LOG_OFF || h->log_size != COOP_LOG_SIZE)
		return "log_off/log_size";
	if (h->vmm_kring_off != COOP_VMM_KRING_OFF || h->iopm_kring_off != COOP_IOPM_KRING_OFF ||
	    h->kring_entries != COOP_KRING_ENTRIES)
		return "vmm_kring_off/iopm_kring_off/kring_entries";
	return 0;
}

/* Whether the page at byte offset `off` of a part is one the IOPM's user
 * space writes through /dev/coopvmm (its control area, its ring, its slot
 * halves). The IOPM kernel ring is iopm.ko's alone: user space maps it
 * read-only, like the VMM's pages. */
static inline int coop_part_user_writes(uint64_t off)
{
	return (off >= COOP_IOPM_CTRL_OFF && off < COOP_IOPM_CTRL_OFF + COOP_PAGE) ||
	       (off >= COOP_IOPM_RING_OFF && off < COOP_IOPM_RING_OFF + COOP_RING_ENTRIES * COOP_MSG_SIZE) ||
	       (off >= COOP_IOPM_SLOT_OFF && off < COOP_IOPM_SLOT_OFF + COOP_SLOTS * COOP_SLOT_SIZE);
}

/* Whether the page at `off` is one the IOPM side (user space or iopm.ko)
 * writes; the rest is the VMM's. */
static inline int coop_part_iopm_writes(uint64_t off)
{
	return coop_part_user_writes(off) ||
	       (off >= COOP_IOPM_KRING_OFF && off < COOP_IOPM_KRING_OFF + COOP_KRING_ENTRIES * COOP_MSG_SIZE);
}

/* Slot `i`'s halves in a part mapped at `part` (i < COOP_SLOTS). */
static inline struct coop_slot_req *coop_vmm_slot(void *part, uint32_t i)
{
	return (struct coop_slot_req *)((uint8_t *)part + COOP_VMM_SLOT_OFF) + i;
}

static inline struct coop_slot_rsp *coop_iopm_slot(void *part, uint32_t i)
{
	return (struct coop_slot_rsp *)((uint8_t *)part + COOP_IOPM_SLOT_OFF) + i;
}

#endif
