/* SPDX-License-Identifier: GPL-2.0-only */
/* guest_mem.h: access to a guest's memory from the VMM: guest-physical
 * (through the VM's RAM mapping) and guest-linear (walking the guest's own
 * page tables: Intel SDM Vol. 3A 4.3 32-bit, 4.4 PAE, 4.5 4-level paging,
 * with the access rights of 4.6 checked as the CPU would check them). */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/* What the access is, for the rights check (4.6). */
enum guest_access { GUEST_READ, GUEST_WRITE, GUEST_FETCH };

/* Why a linear access failed: a page fault the guest must see (error code
 * and CR2 as the CPU would report them, 4.7), or a guest-physical address
 * that is not RAM (the access needs the MMIO path, or is a guest error). */
struct guest_fault {
	bool gp; /* a non-canonical address in 64-bit mode: #GP(0) (SDM Vol. 3A 3.3.7.1) */
	bool page_fault;
	uint32_t error_code; /* PF_ERR_* when page_fault */
	uint64_t la;	     /* CR2 */
	uint64_t gpa;	     /* when !page_fault: the address that is not RAM */
};

/* Translate a guest-linear address with the vCPU's current paging mode and
 * privilege (CPL = SS.DPL): 0, or -EFAULT with *f filled (f may be NULL). */
int guest_translate(struct vcpu *v, uint64_t la, enum guest_access acc, uint64_t *gpa, struct guest_fault *f);
/* Copy from/to guest-linear memory that is RAM (not MMIO), checking rights
 * page by page; on -EFAULT *f says why (f may be NULL). Nothing is written
 * to a page after the first one that fails, but earlier pages are. */
int guest_read_linear(struct vcpu *v, uint64_t la, void *dst, uint32_t len, enum guest_access acc,
		      struct guest_fault *f);
int guest_write_linear(struct vcpu *v, uint64_t la, const void *src, uint32_t len, struct guest_fault *f);
/* Would such an access succeed (rights, and RAM behind every page)? */
int guest_check_linear(struct vcpu *v, uint64_t la, uint32_t len, enum guest_access acc,
		       struct guest_fault *f);
uint64_t guest_seg_base(enum seg_reg s);
/* Segment base as the CPU applies it: 0 for ES/CS/SS/DS in 64-bit mode
 * (SDM Vol. 3A 3.4.4). */
uint64_t guest_seg_base_effective(enum seg_reg s);
/* Address size of the guest's current code segment: 2, 4 or 8. */
unsigned guest_addr_size(void);
/* Is a an address this CPU's linear-address width allows (CPUID
 * 80000008H:EAX[15:8]: bits 63 down to that width all equal)? */
bool guest_canonical(uint64_t a);
/* The guest's current privilege level (SS.DPL, SDM Vol. 3C 26.3.1.2). */
unsigned guest_cpl(void);

#endif
