/* iopm_e820.c: build the e820 table (ACPI 6.4 15 "System Address Map
 * Interfaces" types) for IOPM n from the normalized firmware map and the
 * partition plan: usable RAM splits into RAM (IOPM n's zone and low slice)
 * and reserved (everything the IOPM must not allocate). */
#include "vmm/iopm_e820.h"

#include "vmm/errno.h"
#include "vmm/lib.h"

static int push(struct e820_entry *out, unsigned *n, unsigned max, uint64_t addr, uint64_t size, uint32_t type)
{
	if (!size)
		return 0;
	if (*n && out[*n - 1].type == type && out[*n - 1].addr + out[*n - 1].size == addr) {
		out[*n - 1].size += size;
		return 0;
	}
	if (*n == max)
		return -ENOSPC;
	out[(*n)++] = (struct e820_entry){ addr, size, type };
	return 0;
}

static uint32_t firmware_type(uint32_t t)
{
	return t == MEM_ACPI_RECLAIM ? E820_ACPI : t == MEM_ACPI_NVS ? E820_NVS : E820_RESERVED;
}

int iopm_build_e820(const struct memmap *mm, const struct partition_plan *plan, unsigned iopm,
		    struct e820_entry *out, unsigned max)
{
	const struct zone own[2] = { plan->iopm_low[iopm], plan->iopm[iopm] };
	unsigned n = 0;
	for (uint32_t i = 0; i < mm->count; i++) {
		const struct mem_range *r = &mm->r[i];
		uint64_t a = r->base, end = r->base + r->size;
		if (r->type != MEM_USABLE) {
			if (push(out, &n, max, a, r->size, firmware_type(r->type)))
				return -ENOSPC;
			continue;
		}
		/* Walk the usable range, cutting at the IOPM-owned zones (sorted: low slice first). */
		while (a < end) {
			uint64_t next = end;
			uint32_t type = E820_RESERVED;
			for (unsigned k = 0; k < 2; k++) {
				uint64_t zb = own[k].base, ze = own[k].base + own[k].size;
				if (!own[k].size)
					continue;
				if (a >= zb && a < ze) {
					type = E820_RAM;
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
