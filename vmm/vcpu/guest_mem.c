/* SPDX-License-Identifier: GPL-2.0-only */
/* guest_mem.c: guest-linear to guest-physical translation by walking the
 * guest's page tables in guest RAM (Intel SDM Vol. 3A 4.3-4.5: 32-bit with
 * 4 MiB PSE pages, PAE with 2 MiB pages, 4-level with 2 MiB/1 GiB pages),
 * checking the access rights of 4.6 (U/S, R/W with CR0.WP, XD with
 * EFER.NXE, SMEP, SMAP) so that the VMM never reads or writes on a guest's
 * behalf what the guest itself could not; a refusal is the page fault the
 * CPU would raise (4.7). Accessed/dirty bits are not set. */
#include "vmm/vcpu/guest_mem.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vcpu/vmcs_access.h"

uint64_t guest_seg_base(enum seg_reg s)
{
	static const uint32_t field[] = {GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE,
					 GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE};
	return vmcs_read(field[s]);
}

uint64_t guest_seg_base_effective(enum seg_reg s)
{
	if (guest_addr_size() == 8 && s != SEG_FS && s != SEG_GS)
		return 0;
	return guest_seg_base(s);
}

unsigned guest_cpl(void)
{
	return AR_DPL(vmcs_read(GUEST_SS_AR));
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

/* The rights gathered along a walk (4.6.1): writable and user only if every
 * level says so, execute-disable if any level says so. */
struct rights {
	bool w, u, xd;
};

static void gather(struct rights *r, uint64_t e, bool xd_valid)
{
	r->w &= (e & PTE_W) != 0;
	r->u &= (e & PTE_U) != 0;
	if (xd_valid && (e & PTE_NX))
		r->xd = true;
}

static unsigned linear_bits(void)
{
	static unsigned bits;
	if (!bits) {
		unsigned b = LINEAR_BITS_4LEVEL;
		if (cpuid(CPUID_EXT_MAX, 0).eax >= CPUID_LEAF_ADDR_SIZES)
			b = CPUID_ADDR_LINEAR_BITS(cpuid(CPUID_LEAF_ADDR_SIZES, 0).eax);
		bits = b >= LINEAR_BITS_4LEVEL && b <= 64 ? b : LINEAR_BITS_4LEVEL;
	}
	return bits;
}

bool guest_canonical(uint64_t a)
{
	return is_canonical(a, linear_bits());
}

static int fault(struct guest_fault *f, uint64_t la, uint32_t err, bool page_fault, uint64_t gpa)
{
	if (f) {
		f->gp = false;
		f->page_fault = page_fault;
		f->error_code = err;
		f->la = la;
		f->gpa = gpa;
	}
	return -EFAULT;
}

int guest_translate(struct vcpu *v, uint64_t la, enum guest_access acc, uint64_t *gpa, struct guest_fault *f)
{
	uint64_t cr0 = vmcs_read(GUEST_CR0), cr4 = vmcs_read(GUEST_CR4), cr3 = vmcs_read(GUEST_CR3);
	uint64_t efer = vmcs_read(GUEST_IA32_EFER), e;
	struct vm *vm = v->vm;
	if (!(cr0 & CR0_PG)) {
		*gpa = la & LA32_MASK;
		return 0;
	}
	/* 64-bit mode: a non-canonical address is #GP before any walk. */
	if ((efer & EFER_LMA) && guest_addr_size() == 8 && !guest_canonical(la)) {
		fault(f, la, 0, false, 0);
		if (f)
			f->gp = true;
		return -EFAULT;
	}
	bool user = guest_cpl() == CPL_USER, write = acc == GUEST_WRITE, fetch = acc == GUEST_FETCH;
	bool nxe = (efer & EFER_NXE) && (cr4 & CR4_PAE);
	/* Error code of a not-present fault; a protection fault adds P (4.7). */
	uint32_t err = (write ? PF_ERR_W : 0) | (user ? PF_ERR_U : 0) |
		       (fetch && (nxe || (cr4 & CR4_SMEP)) ? PF_ERR_I : 0);
	struct rights r = {true, true, false};
	uint64_t page_mask, frame;

	if (!(cr4 & CR4_PAE)) {
		/* 32-bit paging: PDE then PTE, 4-byte entries. */
		la &= LA32_MASK;
		if (!read_pte(vm, (cr3 & PTE32_ADDR_MASK) + ((la >> 22) << 2), 4, &e))
			return fault(f, la, 0, false, (cr3 & PTE32_ADDR_MASK) + ((la >> 22) << 2));
		if (!(e & PTE_P))
			return fault(f, la, err, true, 0);
		gather(&r, e, false);
		if ((e & PTE_PS) && (cr4 & CR4_PSE)) {
			page_mask = ~PDE32_4M_ADDR_MASK & LA32_MASK;
			frame = e & PDE32_4M_ADDR_MASK;
		} else {
			uint64_t pte_pa = (e & PTE32_ADDR_MASK) + (((la >> 12) & 0x3ff) << 2);
			if (!read_pte(vm, pte_pa, 4, &e))
				return fault(f, la, 0, false, pte_pa);
			if (!(e & PTE_P))
				return fault(f, la, err, true, 0);
			gather(&r, e, false);
			page_mask = PAGE_SIZE - 1;
			frame = e & PTE32_ADDR_MASK;
		}
	} else {
		int levels;
		uint64_t table;
		if (efer & EFER_LMA) {
			levels = 4;
			table = cr3 & PTE_ADDR_MASK;
		} else {
			/* PAE: the PDPTEs the CPU loaded with CR3 (26.3.2.4: saved in
			 * the VMCS on exit with EPT); they carry no rights (4.4.1). */
			la &= LA32_MASK;
			e = vmcs_read(GUEST_PDPTE0 + 2 * (uint32_t)(la >> 30));
			if (!(e & PTE_P))
				return fault(f, la, err, true, 0);
			levels = 2;
			table = e & PTE_ADDR_MASK;
		}
		for (int l = levels - 1;; l--) {
			unsigned shift = PAGE_SHIFT + PT_INDEX_BITS * l;
			uint64_t pa = table + (((la >> shift) & (PT_ENTRIES - 1)) << 3);
			if (!read_pte(vm, pa, 8, &e))
				return fault(f, la, 0, false, pa);
			if (!(e & PTE_P))
				return fault(f, la, err, true, 0);
			if (!nxe && (e & PTE_NX))
				return fault(f, la, err | PF_ERR_P | PF_ERR_RSVD, true, 0);
			gather(&r, e, nxe);
			if (l == 0 || (l <= 2 && (e & PTE_PS))) {
				page_mask = (1ULL << shift) - 1;
				frame = e & PTE_ADDR_MASK & ~page_mask;
				break;
			}
			table = e & PTE_ADDR_MASK;
		}
	}

	/* Access rights (4.6): user accesses need U on every level and, for a
	 * write, W; supervisor writes need W when CR0.WP is set; SMEP forbids
	 * supervisor fetches and SMAP (with EFLAGS.AC clear) supervisor data
	 * accesses to user pages; XD forbids fetches. */
	bool ok = true;
	if (user) {
		ok = r.u && (!write || r.w);
	} else {
		if (write && !r.w && (cr0 & CR0_WP))
			ok = false;
		if (r.u && fetch && (cr4 & CR4_SMEP))
			ok = false;
		if (r.u && !fetch && (cr4 & CR4_SMAP) && !(vmcs_read(GUEST_RFLAGS) & RFLAGS_AC))
			ok = false;
	}
	if (fetch && r.xd)
		ok = false;
	if (!ok)
		return fault(f, la, err | PF_ERR_P, true, 0);
	*gpa = frame | (la & page_mask);
	return 0;
}

static int copy_linear(struct vcpu *v, uint64_t la, uint8_t *buf, uint32_t len, enum guest_access acc,
		       struct guest_fault *f)
{
	bool write = acc == GUEST_WRITE;
	while (len) {
		uint64_t gpa;
		uint32_t chunk = (uint32_t)MIN((uint64_t)len, PAGE_SIZE - (la & (PAGE_SIZE - 1)));
		if (guest_translate(v, la, acc, &gpa, f))
			return -EFAULT;
		void *p = vm_gpa_ptr(v->vm, gpa, chunk);
		if (!p)
			return fault(f, la, 0, false, gpa);
		if (!buf)
			; /* a check only */
		else if (write)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		if (buf)
			buf += chunk;
		la += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_read_linear(struct vcpu *v, uint64_t la, void *dst, uint32_t len, enum guest_access acc,
		      struct guest_fault *f)
{
	return copy_linear(v, la, dst, len, acc == GUEST_WRITE ? GUEST_READ : acc, f);
}

int guest_check_linear(struct vcpu *v, uint64_t la, uint32_t len, enum guest_access acc,
		       struct guest_fault *f)
{
	return copy_linear(v, la, NULL, len, acc, f);
}

int guest_write_linear(struct vcpu *v, uint64_t la, const void *src, uint32_t len, struct guest_fault *f)
{
	return copy_linear(v, la, (uint8_t *)(uintptr_t)src, len, GUEST_WRITE, f);
}

unsigned guest_addr_size(void)
{
	uint64_t ar = vmcs_read(GUEST_CS_AR);
	if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && (ar & AR_L))
		return 8;
	return (ar & AR_DB) ? 4 : 2;
}
