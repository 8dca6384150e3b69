/* SPDX-License-Identifier: GPL-2.0-only */
/* iopm.h: starting the IOPMs (an unvirtualized Linux per reserved AP),
 * routing their interrupts through the VMM's IOAPIC as their kernel ring
 * asks, watching them (docs/iopm-boot.md "Boot flow", "Interrupt path of
 * the console"). */
#ifndef VMM_IOPM_H
#define VMM_IOPM_H

#include <stdint.h>

#include "vmm/platform/bootinfo.h"
#include "vmm/platform/cmdline.h"
#include "vmm/platform/partition.h"

#define IOPM_ROUTE_VECTOR_BASE 0x40    /* VMM vectors 0x40..0x4f receive routed pins */
#define IOPM_NOTIFY_VECTOR     0x50    /* the IOPMs' channel IPIs to the VMM (header vmm_notify_vector) */
#define IOPM_POLL_US	       100000  /* state and heartbeat checked this often */
#define IOPM_STALL_US	       3000000 /* a running IOPM whose heartbeat stops this long is reported */

/* Prepare the shared zone, give the console pin to IOPM 0 (its iopm.ko
 * routes it), load and start every IOPM whose kernel is among the boot
 * modules. Returns how many started. */
unsigned iopm_start_all(const struct boot_config *cfg, const struct partition_plan *plan,
			const struct memmap *mm, const struct boot_info *bi, uint64_t rsdp);
/* Run by the BSP's scheduler loop (a hook): drain each IOPM's channel
 * (vmm/iopm/channel.h: its rings and its kernel rings, whose ROUTE_PIN and
 * PIN_EOI act on the pins at once) at every call -- after its IPI kicked
 * the BSP, and at every pass while the IOPM asked the VMM to poll -- and
 * about every IOPM_POLL_US report state changes and a stopped heartbeat,
 * publish the VMM heartbeat. Returns when it wants to run next (TSC). */
uint64_t iopm_poll(uint64_t now_tsc);

#endif
