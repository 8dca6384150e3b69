/* SPDX-License-Identifier: GPL-2.0-only */
/* mm.c: the VMM heap and guest-RAM pool allocators, and the VMM's own
 * identity-mapped page tables (Intel SDM Vol. 3A 4.5 "4-Level Paging",
 * 11.12 PAT: PCD|PWT selects UC with the power-on PAT). */
#define LOG_PREFIX "mm"
#include "vmm/platform/mm.h"

#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/log.h"
#include "vmm/lib/spinlock.h"

struct palloc vmm_heap;
struct palloc guest_pool;
uint64_t vmm_cr3;
static struct spinlock heap_lock;

int mm_init(const struct partition_plan *plan, char *err, size_t errlen)
{
	const struct zone *hz = &plan->vmm_heap;
	size_t hbytes = palloc_bitmap_bytes(hz, 1);
	size_t gbytes = palloc_bitmap_bytes(plan->guest, plan->guest_ranges);
	uint64_t meta = ALIGN_UP((uint64_t)(hbytes + gbytes), PAGE_SIZE);
	if (meta >= hz->size) {
		snprintf(err, errlen, "vmm_mem: heap of %llu KiB cannot hold its own bitmaps (%llu KiB)",
			 (unsigned long long)(hz->size / KiB), (unsigned long long)(meta / KiB));
		return -ENOSPC;
	}
	uint8_t *bitmaps = (uint8_t *)(uintptr_t)hz->base;
	int r = palloc_init(&vmm_heap, "heap", hz, 1, bitmaps, hbytes);
	if (!r)
		r = palloc_reserve(&vmm_heap, hz->base, meta);
	if (!r && plan->guest_ranges)
		r = palloc_init(&guest_pool, "guest", plan->guest, plan->guest_ranges, bitmaps + hbytes,
				gbytes);
	if (r)
		snprintf(err, errlen, "allocator set-up failed (%d)", r);
	return r;
}

uint64_t heap_try_alloc_pages(uint64_t npages)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	uint64_t pa = palloc_alloc(&vmm_heap, npages, PAGE_SIZE);
	spin_unlock_irqrestore(&heap_lock, flags);
	if (pa)
		memset((void *)(uintptr_t)pa, 0, npages * PAGE_SIZE);
	return pa;
}

void heap_free_pages(uint64_t pa, uint64_t npages)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	int r = palloc_free(&vmm_heap, pa, npages);
	spin_unlock_irqrestore(&heap_lock, flags);
	ASSERT(r == 0);
}

uint64_t guest_ram_alloc(uint64_t bytes)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	uint64_t pa = palloc_alloc(&guest_pool, ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE, LARGE_PAGE_SIZE);
	spin_unlock_irqrestore(&heap_lock, flags);
	if (pa)
		memset((void *)(uintptr_t)pa, 0, bytes);
	return pa;
}

void guest_ram_free(uint64_t pa, uint64_t bytes)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	int r = palloc_free(&guest_pool, pa, ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE);
	spin_unlock_irqrestore(&heap_lock, flags);
	ASSERT(r == 0);
}

uint64_t heap_alloc_pages(uint64_t npages)
{
	uint64_t pa = heap_try_alloc_pages(npages);
	if (!pa)
		fatal("VMM heap exhausted allocating %llu pages (%llu free): raise vmm_mem=",
		      (unsigned long long)npages, (unsigned long long)palloc_free_pages(&vmm_heap));
	return pa;
}

static uint64_t *table(uint64_t pa)
{
	return (uint64_t *)(uintptr_t)pa;
}

/* Does [base, base+size) overlap usable RAM? */
static bool overlaps_ram(const struct memmap *mm, uint64_t base, uint64_t size)
{
	for (uint32_t i = 0; i < mm->count; i++) {
		const struct mem_range *r = &mm->r[i];
		if (r->type == MEM_USABLE && r->base < base + size && base < r->base + r->size)
			return true;
	}
	return false;
}

uint64_t paging_init(const struct memmap *mm)
{
	uint64_t top = 4 * GiB;
	for (uint32_t i = 0; i < mm->count; i++)
		if (mm->r[i].type == MEM_USABLE)
			top = MAX(top, mm->r[i].base + mm->r[i].size);
	top = ALIGN_UP(top, GiB);
	uint64_t gib = top / GiB;
	if (gib > PT_ENTRIES)
		fatal("RAM above 512 GiB is not supported (top 0x%llx)", (unsigned long long)top);

	uint64_t pml4 = heap_alloc_pages(1);
	uint64_t pdpt = heap_alloc_pages(1);
	uint64_t pds = heap_alloc_pages(gib);
	uint64_t pt0 = heap_alloc_pages(1);
	table(pml4)[0] = pdpt | PTE_P | PTE_W;
	for (uint64_t g = 0; g < gib; g++)
		table(pdpt)[g] = (pds + g * PAGE_SIZE) | PTE_P | PTE_W;
	uint64_t uc = 0;
	for (uint64_t i = 0; i < gib * PT_ENTRIES; i++) {
		uint64_t pa = i * LARGE_PAGE_SIZE;
		uint64_t attr = PTE_P | PTE_W | PTE_PS;
		if (pa >= 1 * MiB && !overlaps_ram(mm, pa, LARGE_PAGE_SIZE)) {
			attr |= PTE_PCD | PTE_PWT;
			uc++;
		}
		table(pds)[i] = pa | attr;
	}
	/* First 2 MiB with 4 KiB pages: page 0 stays unmapped. */
	for (uint64_t i = 1; i < PT_ENTRIES; i++)
		table(pt0)[i] = (i * PAGE_SIZE) | PTE_P | PTE_W;
	table(pds)[0] = pt0 | PTE_P | PTE_W;
	write_cr3(pml4);
	vmm_cr3 = pml4;
	pr_info("identity map 0-0x%llx: %llu x 2 MiB pages, %llu uncached, page 0 unmapped",
		(unsigned long long)top, (unsigned long long)(gib * PT_ENTRIES), (unsigned long long)uc);
	return pml4;
}
