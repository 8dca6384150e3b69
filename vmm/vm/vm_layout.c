/* SPDX-License-Identifier: GPL-2.0-only */
/* vm_layout.c: a guest's RAM ranges in guest-physical space and their
 * offsets in the VM's contiguous host RAM block (rules in vm_layout.h,
 * docs/guest-platform.md "Guest RAM"). */
#include "vmm/vm/vm_layout.h"

#include "vmm/lib/lib.h"

unsigned vm_ram_ranges(uint64_t mem, struct vm_ram_range r[VM_RAM_RANGES_MAX])
{
	unsigned n = 0;
	r[n++] = (struct vm_ram_range){0, MIN(mem, VM_HOLE_START), 0};
	uint64_t low_end = MIN(mem, VM_MMIO_START);
	if (low_end > VM_BIOS_START)
		r[n++] = (struct vm_ram_range){VM_BIOS_START, low_end - VM_BIOS_START, VM_BIOS_START};
	if (mem > VM_MMIO_START)
		r[n++] = (struct vm_ram_range){VM_HIGH_RAM_START, mem - VM_MMIO_START, VM_MMIO_START};
	return n;
}

bool vm_ram_offset(uint64_t mem, uint64_t gpa, uint64_t len, uint64_t *off)
{
	struct vm_ram_range r[VM_RAM_RANGES_MAX];
	unsigned n = vm_ram_ranges(mem, r);
	if (!len)
		len = 1;
	for (unsigned i = 0; i < n; i++) {
		if (gpa < r[i].gpa || gpa - r[i].gpa >= r[i].size)
			continue;
		if (len > r[i].size - (gpa - r[i].gpa))
			return false;
		*off = r[i].off + (gpa - r[i].gpa);
		return true;
	}
	return false;
}
