/* SPDX-License-Identifier: GPL-2.0-only */
/* iopm_e820.h: the memory map an IOPM's Linux gets (docs/iopm-boot.md
 * "What Linux gets"): its own zone and low slice as RAM, the shared zone reserved,
 * every other RAM byte of the machine (VMM, guests, other IOPMs) unusable,
 * firmware ranges as the firmware said (iopm_e820.c says why). */
#ifndef VMM_IOPM_E820_H
#define VMM_IOPM_E820_H

#include "vmm/iopm/linux_boot.h"
#include "vmm/platform/memmap.h"
#include "vmm/platform/partition.h"

/* Returns the number of entries (sorted, non-overlapping, adjacent equal
 * types merged) or -ENOSPC when more than `max` are needed. */
int iopm_build_e820(const struct memmap *mm, const struct partition_plan *plan, unsigned iopm,
		    struct e820_entry *out, unsigned max);

#endif
