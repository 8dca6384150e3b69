/* SPDX-License-Identifier: GPL-2.0-only */
/* partition.h: the partition planner. From the normalized memory map and the
 * boot configuration it places the VMM heap, the IOPM zones and low-memory
 * slices, the shared zone and the guest-RAM pool (docs/memory-map.md; rules
 * and errors in docs/partitions.md). */
#ifndef VMM_PARTITION_H
#define VMM_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/acpi_tables.h"
#include "arch/x86/layout.h"
#include "vmm/platform/cmdline.h"
#include "vmm/lib/lib.h"
#include "vmm/platform/memmap.h"

#define PLAN_MAX_RANGES 32

#define PLAN_LOW_BASE	   0x10000ULL	   /* IOPM low slices start here... */
#define PLAN_LOW_LIMIT	   PC_LOW_RAM_END  /* ...and end at most here (VGA hole) */
#define PLAN_LOW_SLICE_MIN (64 * KiB)	   /* smallest low slice per IOPM */
#define PLAN_HIGH_BASE	   (1 * MiB)	   /* zones and pool start here */
#define PLAN_PREFER_BELOW  (4 * GiB)	   /* shared and IOPM zones go below if they fit */
#define PLAN_ZONE_ALIGN	   LARGE_PAGE_SIZE /* shared and IOPM zone base */

struct partition_plan {
	struct zone image;    /* the VMM image, page-rounded */
	struct zone vmm_heap; /* VMM page allocator zone */
	uint32_t iopms;
	struct zone iopm[CONFIG_MAX_IOPMS];	/* main RAM of each IOPM, 2 MiB aligned */
	struct zone iopm_low[CONFIG_MAX_IOPMS]; /* each IOPM's slice below 1 MiB */
	struct zone shared;			/* the shared zone, 2 MiB aligned base */
	struct zone trampoline;			/* AP trampoline page, TRAMPOLINE_ADDR */
	uint32_t guest_ranges;
	struct zone guest[PLAN_MAX_RANGES]; /* guest-RAM pool, sorted, page-aligned */
	uint32_t modules;
	struct zone module[PLAN_MAX_RANGES]; /* protected module ranges, page-rounded */
	uint64_t iopm_mem;		     /* size of each IOPM zone actually used */
	bool iopm_mem_lowered;		     /* default iopm_mem lowered for small RAM */
	uint64_t guest_dropped;		     /* free RAM left out: pool had > PLAN_MAX_RANGES ranges */
};

/* Plan the partitions. mm must be normalized (memmap_normalize()); modules
 * (at most PLAN_MAX_RANGES; empty ones are ignored) and the image
 * [image_base, image_end) are kept out of every zone. Returns 0, -EINVAL
 * (bad input or memory map) or -ENOSPC (does not fit) with a one-line
 * message in err naming the parameter, the reason and the sizes. */
int plan_partitions(const struct memmap *mm, const struct boot_config *cfg, uint64_t image_base,
		    uint64_t image_end, const struct zone *modules, uint32_t nmodules,
		    struct partition_plan *plan, char *err, size_t errlen);

/* The VMM needs one CPU of its own plus one per IOPM. Returns 0 or -EINVAL
 * with e.g. "iopms=3: needs 4 CPUs (1 VMM + 3 IOPM) but the machine has 2". */
int plan_check_cpus(const struct boot_config *cfg, uint32_t ncpus, char *err, size_t errlen);

/* True when [base, base + size) lies inside one guest-pool range. */
bool plan_is_guest_ram(const struct partition_plan *p, uint64_t base, uint64_t size);

#endif
