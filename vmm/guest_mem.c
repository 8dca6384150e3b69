/* guest_mem.c: guest-linear to guest-physical translation by walking the
 * guest's page tables in guest RAM (Intel SDM Vol. 3A 4.3-4.5: 32-bit with
 * 4 MiB PSE pages, PAE with 2 MiB pages, 4-level with 2 MiB/1 GiB pages),
 * and copies out of guest RAM. Accessed/dirty bits are not set. */
#include "vmm/guest_mem.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"
#include "vmm/errno.h"
#include "vmm/lib.h"
#include "vmm/vm.h"
#include "vmm/vmcs_access.h"

#define CR4_PSE (1ULL << 4)
#define PTE32_ADDR 0xfffff000ULL
#define PSE_4M_MASK 0xffc00000ULL
#define PAE_PDPT_ADDR 0xffffffe0ULL

uint64_t guest_seg_base(enum seg_reg s)
{
	static const uint32_t field[] = { GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
					  GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE };
	return vmcs_read(field[s]);
}

static bool read_pte(struct vm *vm, uint64_t pa, unsigned size, uint64_t *out)
{
	void *p = vm_gpa_ptr(vm, pa, size);
	if (!p)
		return false;
	*out = 0;
	memcpy(out, p, size);
	return true;
}

int guest_linear_to_phys(struct vcpu *v, uint64_t la, bool write, uint64_t *gpa)
{
	uint64_t cr0 = vmcs_read(GUEST_CR0), cr4 = vmcs_read(GUEST_CR4), cr3 = vmcs_read(GUEST_CR3);
	uint64_t efer = vmcs_read(GUEST_IA32_EFER), e;
	struct vm *vm = v->vm;
	if (!(cr0 & CR0_PG)) {
		*gpa = la & 0xffffffffULL;
		return 0;
	}
	bool wp = cr0 & CR0_WP;
	if (!(cr4 & CR4_PAE)) {
		/* 32-bit paging: PDE then PTE, 4-byte entries. */
		la &= 0xffffffffULL;
		if (!read_pte(vm, (cr3 & PTE32_ADDR) + ((la >> 22) << 2), 4, &e) || !(e & PTE_P))
			return -EFAULT;
		if (write && wp && !(e & PTE_W))
			return -EFAULT;
		if ((e & PTE_PS) && (cr4 & CR4_PSE)) {
			*gpa = (e & PSE_4M_MASK) | (la & ~PSE_4M_MASK);
			return 0;
		}
		if (!read_pte(vm, (e & PTE32_ADDR) + (((la >> 12) & 0x3ff) << 2), 4, &e) || !(e & PTE_P))
			return -EFAULT;
		if (write && wp && !(e & PTE_W))
			return -EFAULT;
		*gpa = (e & PTE32_ADDR) | (la & 0xfff);
		return 0;
	}
	int levels;
	uint64_t table;
	if (efer & EFER_LMA) {
		levels = 4;
		table = cr3 & PTE_ADDR_MASK;
	} else {
		/* PAE: the PDPTE comes from the 32-byte aligned table at CR3. */
		la &= 0xffffffffULL;
		if (!read_pte(vm, (cr3 & PAE_PDPT_ADDR) + ((la >> 30) << 3), 8, &e) || !(e & PTE_P))
			return -EFAULT;
		levels = 2;
		table = e & PTE_ADDR_MASK;
	}
	for (int l = levels - 1; l >= 0; l--) {
		unsigned shift = PAGE_SHIFT + 9 * l;
		if (!read_pte(vm, table + (((la >> shift) & 0x1ff) << 3), 8, &e) || !(e & PTE_P))
			return -EFAULT;
		if (write && wp && !(e & PTE_W))
			return -EFAULT;
		if (l == 0 || (l <= 2 && (e & PTE_PS))) {
			uint64_t mask = (1ULL << shift) - 1;
			*gpa = (e & PTE_ADDR_MASK & ~mask) | (la & mask);
			return 0;
		}
		table = e & PTE_ADDR_MASK;
	}
	return -EFAULT;
}

static int copy_linear(struct vcpu *v, uint64_t la, uint8_t *buf, uint32_t len, bool write)
{
	while (len) {
		uint64_t gpa;
		uint32_t chunk = (uint32_t)MIN((uint64_t)len, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
		if (guest_linear_to_phys(v, la, write, &gpa))
			return -EFAULT;
		void *p = vm_gpa_ptr(v->vm, gpa, chunk);
		if (!p)
			return -EFAULT;
		if (write)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		buf += chunk;
		la += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_read_linear(struct vcpu *v, uint64_t la, void *dst, uint32_t len)
{
	return copy_linear(v, la, dst, len, false);
}

int guest_write_linear(struct vcpu *v, uint64_t la, const void *src, uint32_t len)
{
	return copy_linear(v, la, (uint8_t *)(uintptr_t)src, len, true);
}

unsigned guest_addr_size(void)
{
	uint64_t ar = vmcs_read(GUEST_CS_AR);
	if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && (ar & AR_L))
		return 8;
	return (ar & AR_DB) ? 4 : 2;
}
