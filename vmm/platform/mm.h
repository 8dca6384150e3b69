/* SPDX-License-Identifier: GPL-2.0-only */
/* mm.h: the VMM's two physical allocators built on vmm/platform/palloc.c: the VMM
 * heap (page tables, stacks, VMXON/VMCS regions) and the guest-RAM pool;
 * and the VMM's own page tables (identity map, SDM Vol. 3A 4.5). */
#ifndef VMM_MM_H
#define VMM_MM_H

#include <stdint.h>

#include "vmm/platform/palloc.h"
#include "vmm/platform/partition.h"

extern struct palloc vmm_heap;
extern struct palloc guest_pool;

/* Set up both allocators from the plan; their bitmaps live in the heap. */
int mm_init(const struct partition_plan *plan, char *err, size_t errlen);
/* Zeroed, page-aligned pages from the VMM heap; stops the VMM when the heap
 * is exhausted at boot (a configuration error: raise vmm_mem). */
uint64_t heap_alloc_pages(uint64_t npages);
/* Like heap_alloc_pages, but returns 0 when the heap is exhausted (run time). */
uint64_t heap_try_alloc_pages(uint64_t npages);
void heap_free_pages(uint64_t pa, uint64_t npages);
/* Guest RAM: contiguous, aligned, zeroed; 0 when the pool has no room. */
uint64_t guest_ram_alloc(uint64_t bytes);
void guest_ram_free(uint64_t pa, uint64_t bytes);
/* Build and load the VMM's identity map: RAM write-back, the rest of the
 * first 4 GiB and every hole uncached, page 0 unmapped to catch NULL. */
uint64_t paging_init(const struct memmap *mm);
extern uint64_t vmm_cr3;

#endif
