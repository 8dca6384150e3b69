/* SPDX-License-Identifier: GPL-2.0-only */
/* vmcs_check.c: when a VM entry fails on guest state, find which check of
 * Intel SDM Vol. 3C 26.3.1 "Checks on the Guest State Area" the current
 * VMCS breaks (the CPU only says "invalid guest state"). Covers control
 * registers, PAT/EFER, RFLAGS, segment registers, TR/LDTR, GDTR/IDTR,
 * activity and interruptibility state and the VMCS link pointer. */
#include "vmm/vcpu/vmcs.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "vmm/lib/lib.h"
#include "vmm/vcpu/vmcs_access.h"
#include "vmm/platform/vmx.h"

struct seg {
	const char *name;
	uint32_t sel, base, limit, ar;
};

static const struct seg segs[] = {
    {"ES", GUEST_ES_SEL, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR},
    {"CS", GUEST_CS_SEL, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR},
    {"SS", GUEST_SS_SEL, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR},
    {"DS", GUEST_DS_SEL, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR},
    {"FS", GUEST_FS_SEL, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR},
    {"GS", GUEST_GS_SEL, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR},
    {"LDTR", GUEST_LDTR_SEL, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT, GUEST_LDTR_AR},
    {"TR", GUEST_TR_SEL, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR},
};

#define FAIL(...)                                                                                            \
	do {                                                                                                 \
		snprintf(buf, len, __VA_ARGS__);                                                             \
		return buf;                                                                                  \
	} while (0)

static const char *check_segments(bool ia32e, bool unrestricted, char *buf, size_t len)
{
	for (unsigned i = 0; i < ARRAY_SIZE(segs); i++) {
		const struct seg *s = &segs[i];
		uint64_t ar = vmcs_read(s->ar), limit = vmcs_read(s->limit), base = vmcs_read(s->base);
		bool tr = s->ar == GUEST_TR_AR, cs = s->ar == GUEST_CS_AR;
		if ((ar & AR_UNUSABLE) && !tr && !cs)
			continue;
		if (ar & AR_RESERVED)
			FAIL("%s access rights 0x%llx: reserved bits set (26.3.1.2)", s->name,
			     (unsigned long long)ar);
		if (!(ar & AR_P))
			FAIL("%s is usable but not present (26.3.1.2)", s->name);
		if ((limit & SEG_LIMIT_PAGE_LOW) != SEG_LIMIT_PAGE_LOW && (ar & AR_G))
			FAIL("%s limit 0x%llx with G=1 needs bits 11:0 set", s->name,
			     (unsigned long long)limit);
		if ((limit & SEG_LIMIT_HIGH) && !(ar & AR_G))
			FAIL("%s limit 0x%llx above 1 MiB needs G=1", s->name, (unsigned long long)limit);
		if (!is_canonical(base, LINEAR_BITS_4LEVEL))
			FAIL("%s base 0x%llx is not canonical", s->name, (unsigned long long)base);
		if (tr) {
			if (AR_TYPE(ar) != AR_TYPE_TSS_BUSY && !(AR_TYPE(ar) == AR_TYPE_TSS16_BUSY && !ia32e))
				FAIL("TR type %llu: must be a busy TSS (11, or 3 outside IA-32e mode)",
				     (unsigned long long)AR_TYPE(ar));
			if (ar & AR_S)
				FAIL("TR must be a system descriptor (S=0)");
		} else if (s->ar == GUEST_LDTR_AR) {
			if (AR_TYPE(ar) != AR_TYPE_LDT || (ar & AR_S))
				FAIL("LDTR usable but not an LDT descriptor (type %llu)",
				     (unsigned long long)AR_TYPE(ar));
		} else {
			if (!(ar & AR_S))
				FAIL("%s must be a code/data descriptor (S=1)", s->name);
			if (cs && !(AR_TYPE(ar) & AR_TYPE_CODE) &&
			    !(unrestricted && AR_TYPE(ar) == AR_TYPE_DATA_RW_ACC))
				FAIL("CS type %llu is not code", (unsigned long long)AR_TYPE(ar));
			if (!cs && !(AR_TYPE(ar) & AR_TYPE_ACCESSED))
				FAIL("%s type %llu is not accessed (bit 0)", s->name,
				     (unsigned long long)AR_TYPE(ar));
			if (cs && ia32e && (ar & AR_L) && (ar & AR_DB))
				FAIL("CS has both L and D/B set in IA-32e mode");
		}
	}
	return NULL;
}

const char *vmcs_check_guest_state(char *buf, size_t len)
{
	const struct vmx_caps *c = &vmx_caps;
	uint64_t cr0 = vmcs_read(GUEST_CR0), cr4 = vmcs_read(GUEST_CR4), efer = vmcs_read(GUEST_IA32_EFER);
	uint64_t entry = vmcs_read(VM_ENTRY_CONTROLS), proc2 = vmcs_read(PROC_BASED_CONTROLS2);
	bool unrestricted = proc2 & PROC2_UNRESTRICTED_GUEST, ia32e = entry & ENTRY_IA32E_MODE_GUEST;
	uint64_t fixed0 = c->cr0_fixed0 & ~(unrestricted ? (CR0_PE | CR0_PG) : 0);
	if ((cr0 & fixed0) != fixed0 || (cr0 & ~c->cr0_fixed1))
		FAIL("CR0 0x%llx breaks the VMX fixed bits (fixed0 0x%llx, fixed1 0x%llx) (26.3.1.1)",
		     (unsigned long long)cr0, (unsigned long long)fixed0, (unsigned long long)c->cr0_fixed1);
	if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
		FAIL("CR0.PG=1 with CR0.PE=0 (26.3.1.1)");
	if ((cr4 & c->cr4_fixed0) != c->cr4_fixed0 || (cr4 & ~c->cr4_fixed1))
		FAIL("CR4 0x%llx breaks the VMX fixed bits (26.3.1.1)", (unsigned long long)cr4);
	if (entry & ENTRY_LOAD_PAT) {
		uint64_t pat = vmcs_read(GUEST_IA32_PAT);
		for (unsigned i = 0; i < PAT_ENTRIES; i++)
			if (!PAT_TYPE_VALID(PAT_ENTRY(pat, i)))
				FAIL("IA32_PAT 0x%llx: entry %u is not a memory type (26.3.1.1)",
				     (unsigned long long)pat, i);
	}
	if (entry & ENTRY_LOAD_EFER) {
		if (efer & ~EFER_DEFINED)
			FAIL("IA32_EFER 0x%llx: reserved bits set (26.3.1.1)", (unsigned long long)efer);
		if (!!(efer & EFER_LMA) != ia32e)
			FAIL("IA32_EFER.LMA %d differs from the IA-32e-mode-guest entry control (26.3.1.1)",
			     !!(efer & EFER_LMA));
		if ((cr0 & CR0_PG) && !!(efer & EFER_LMA) != !!(efer & EFER_LME))
			FAIL("CR0.PG=1 and IA32_EFER.LMA != LME (26.3.1.1)");
	}
	if (ia32e && (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE)))
		FAIL("IA-32e mode guest without CR0.PG and CR4.PAE (26.3.1.1)");
	uint64_t rflags = vmcs_read(GUEST_RFLAGS);
	if ((rflags & RFLAGS_RESERVED_ZERO) || !(rflags & RFLAGS_RESERVED_ONE))
		FAIL("RFLAGS 0x%llx: reserved bits wrong (26.3.1.4)", (unsigned long long)rflags);
	if ((rflags & RFLAGS_VM) && (ia32e || !(cr0 & CR0_PE)))
		FAIL("RFLAGS.VM=1 in IA-32e mode or with CR0.PE=0 (26.3.1.4)");
	const char *seg = check_segments(ia32e, unrestricted, buf, len);
	if (seg)
		return seg;
	uint64_t gdtr = vmcs_read(GUEST_GDTR_LIMIT), idtr = vmcs_read(GUEST_IDTR_LIMIT);
	if (gdtr > 0xffff || idtr > 0xffff)
		FAIL("GDTR/IDTR limit above 0xffff (26.3.1.3)");
	uint64_t act = vmcs_read(GUEST_ACTIVITY_STATE), intr = vmcs_read(GUEST_INTERRUPTIBILITY);
	if (act > ACTIVITY_WAIT_SIPI)
		FAIL("activity state %llu is invalid (26.3.1.5)", (unsigned long long)act);
	if ((intr & INTERRUPTIBILITY_STI) && (intr & INTERRUPTIBILITY_MOVSS))
		FAIL("blocking by STI and by MOV SS together (26.3.1.5)");
	if ((intr & INTERRUPTIBILITY_STI) && !(rflags & RFLAGS_IF))
		FAIL("blocking by STI with RFLAGS.IF=0 (26.3.1.5)");
	uint64_t inj = vmcs_read(VM_ENTRY_INTR_INFO);
	if ((inj & INTR_INFO_VALID) && (inj & INTR_TYPE_MASK) == INTR_TYPE_EXT_INTR &&
	    (!(rflags & RFLAGS_IF) || (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))))
		FAIL("external interrupt injected while the guest blocks interrupts (26.3.1.5)");
	if (vmcs_read(VMCS_LINK_POINTER) != ~0ULL)
		FAIL("VMCS link pointer is not all ones (26.3.1.5)");
	return NULL;
}
