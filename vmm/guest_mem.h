/* guest_mem.h: access to a guest's memory from the VMM: guest-physical
 * (through the VM's RAM mapping) and guest-linear (walking the guest's own
 * page tables: Intel SDM Vol. 3A 4.3 32-bit, 4.4 PAE, 4.5 4-level paging). */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/* Translate a guest-linear address with the vCPU's current paging mode.
 * Returns 0, or -EFAULT when the guest's tables do not map it (or map it
 * read-only for a write). */
int guest_linear_to_phys(struct vcpu *v, uint64_t la, bool write, uint64_t *gpa);
/* Copy from guest-linear memory that is RAM (not MMIO). */
int guest_read_linear(struct vcpu *v, uint64_t la, void *dst, uint32_t len);
int guest_write_linear(struct vcpu *v, uint64_t la, const void *src, uint32_t len);
uint64_t guest_seg_base(enum seg_reg s);
/* Address size of the guest's current code segment: 2, 4 or 8. */
unsigned guest_addr_size(void);

#endif
