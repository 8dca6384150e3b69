/* SPDX-License-Identifier: GPL-2.0-only */
/* ept.h: building a VM's extended page tables (Intel SDM Vol. 3C 29.3
 * "The Extended Page Table Mechanism": 4-level EPT, table 29-1..29-6).
 * Tables come from a caller-supplied allocator, so the builder is host-
 * testable; the VMM uses its heap (identity-mapped). */
#ifndef VMM_EPT_H
#define VMM_EPT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/paging.h" /* EPT entry bits, memory types */

struct ept_ops {
	uint64_t (*alloc_table)(void *ctx); /* zeroed 4 KiB page, physical address; 0 = none */
	void (*free_table)(void *ctx, uint64_t pa);
	void *(*table_ptr)(void *ctx, uint64_t pa); /* where the VMM can access that page */
	void *ctx;
};

struct ept {
	uint64_t root; /* physical address of the PML4 */
	struct ept_ops ops;
	uint64_t tables; /* paging-structure pages in use */
	uint64_t pages_4k, pages_2m;
};

int ept_init(struct ept *e, const struct ept_ops *ops);
/* Map [gpa, gpa+size) to [hpa, ...) with permissions `perms` (EPT_R/W/X)
 * and memory type `mt`: 2 MiB pages where both addresses and the remaining
 * size allow, 4 KiB pages elsewhere. All arguments page-aligned; nothing
 * may already be mapped there (-EEXIST, and nothing is changed). */
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t perms, uint64_t mt);
/* Translate gpa; returns false when unmapped. */
bool ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *perms);
/* Free every table. */
void ept_destroy(struct ept *e);
uint64_t ept_eptp(const struct ept *e);

#endif
