/* SPDX-License-Identifier: GPL-2.0-only */
/* iopm_e820.c: build the e820 table (ACPI 6.4 15 "System Address Map
 * Interfaces" types) for IOPM n from the normalized firmware map and the
 * partition plan: usable RAM splits into RAM (IOPM n's zone and low slice),
 * reserved (the shared zone, which iopm.ko maps and claims itself) and
 * unusable (everything else: the VMM, the guests, the other IOPMs).
 *
 * Why "unusable" and not "reserved": Linux 6.1 registers every e820 range
 * as an iomem resource and marks it busy unless it is reserved (or
 * persistent memory) above 1 MiB (arch/x86/kernel/e820.c, do_mark_busy());
 * with CONFIG_IO_STRICT_DEVMEM (Debian's config) a busy range is exclusive,
 * and /dev/mem refuses exclusive ranges above 1 MiB (arch/x86/mm/init.c,
 * devmem_is_allowed(); kernel/resource.c, iomem_is_exclusive()). A
 * "reserved" range above 1 MiB stays readable and writable through
 * /dev/mem. ACPI defines AddressRangeUnusable as a range OSPM must not use,
 * which is what the IOPM must do with the VMM's RAM. */
#include "vmm/iopm/iopm_e820.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

static int push(struct e820_entry *out, unsigned *n, unsigned max, uint64_t addr, uint64_t size,
		uint32_t type)
{
	if (!size)
		return 0;
	if (*n && out[*n - 1].type == type && out[*n - 1].addr + out[*n - 1].size == addr) {
		out[*n - 1].size += size;
		return 0;
	}
	if (*n == max)
		return -ENOSPC;
	out[(*n)++] = (struct e820_entry){addr, size, type};
	return 0;
}

static uint32_t firmware_type(uint32_t t)
{
	return t == MEM_ACPI_RECLAIM ? E820_ACPI : t == MEM_ACPI_NVS ? E820_NVS : E820_RESERVED;
}

int iopm_build_e820(const struct memmap *mm, const struct partition_plan *plan, unsigned iopm,
		    struct e820_entry *out, unsigned max)
{
	/* Usable RAM that is not in one of these is E820_UNUSABLE. */
	const struct {
		struct zone z;
		uint32_t type;
	} cut[3] = {
	    {plan->iopm_low[iopm], E820_RAM},
	    {plan->iopm[iopm], E820_RAM},
	    {plan->shared, E820_RESERVED},
	};
	unsigned n = 0;
	for (uint32_t i = 0; i < mm->count; i++) {
		const struct mem_range *r = &mm->r[i];
		uint64_t a = r->base, end = r->base + r->size;
		if (r->type != MEM_USABLE) {
			if (push(out, &n, max, a, r->size, firmware_type(r->type)))
				return -ENOSPC;
			continue;
		}
		/* Walk the usable range, cutting at the zones above. */
		while (a < end) {
			uint64_t next = end;
			uint32_t type = E820_UNUSABLE;
			for (unsigned k = 0; k < ARRAY_SIZE(cut); k++) {
				uint64_t zb = cut[k].z.base, ze = cut[k].z.base + cut[k].z.size;
				if (!cut[k].z.size)
					continue;
				if (a >= zb && a < ze) {
					type = cut[k].type;
					next = MIN(next, ze);
				} else if (zb > a && zb < next) {
					next = zb;
				}
			}
			if (push(out, &n, max, a, next - a, type))
				return -ENOSPC;
			a = next;
		}
	}
	return (int)n;
}
