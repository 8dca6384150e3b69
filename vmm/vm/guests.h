/* SPDX-License-Identifier: GPL-2.0-only */
/* guests.h: starting the guests named by run= at boot, from GRUB modules
 * (docs/guest-platform.md). */
#ifndef VMM_GUESTS_H
#define VMM_GUESTS_H

#include <stdint.h>

#include "vmm/platform/bootinfo.h"
#include "vmm/vcpu/vm_types.h"

struct run_entry {
	char name[VM_NAME_MAX];
	uint64_t mem;
	uint32_t vcpus;
	int32_t iopm; /* the IOPM serving its platform devices, or VM_NO_IOPM */
};

#define RUN_MAX 16

/* Parse "NAME[:MEM[:VCPUS[:iopmN]]],..." (MEM with K/M/G suffix; iopmN:
 * IOPM N serves the guest's COM1, RTC and PCI configuration ports). Returns the
 * number of entries or -EINVAL with err set. */
int guests_parse_run(const char *run, struct run_entry *out, unsigned max, char *err, size_t errlen);
/* Create and start every guest of run=; returns how many started. */
unsigned guests_start(const char *run, const struct boot_info *bi);

#endif
