/* SPDX-License-Identifier: GPL-2.0-only */
/* fake_vmcs.c: the VMCS of the host harness. Replaces vmm/vcpu/vmcs_access.c
 * (VMREAD/VMWRITE on the current VMCS) with a table of the fields
 * arch/x86/vmcs.h names, so the exit handlers run unmodified on the host.
 *
 * Checks, each recorded as a violation (harness.h) rather than stopping:
 *  - VMREAD of a field nobody set: the test forgot it, or the handler reads
 *    a field that is undefined for this exit (the harness unsets the exit
 *    information fields before each exit and sets only those the exit
 *    defines, Intel SDM Vol. 3C 28.2);
 *  - VMREAD/VMWRITE of an encoding that is not a known field (VM-instruction
 *    error 12 on a real CPU);
 *  - VMWRITE to a read-only data field (bits 11:10 = 1; error 13).
 * Values are stored as the CPU stores them: 16- and 32-bit fields keep the
 * low bits of a VMWRITE (Vol. 3C 31.3 VMWRITE, Appendix B width in bits
 * 14:13). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/vmcs.h"
#include "tests/harness/harness.h"
#include "vmm/vcpu/vmcs_access.h"

#define F(name)                                                                                              \
	{                                                                                                    \
		name, #name                                                                                  \
	}
static const struct {
	uint32_t enc;
	const char *name;
} fields[] = {
    F(VMCS_VPID),
    F(GUEST_ES_SEL),
    F(GUEST_CS_SEL),
    F(GUEST_SS_SEL),
    F(GUEST_DS_SEL),
    F(GUEST_FS_SEL),
    F(GUEST_GS_SEL),
    F(GUEST_LDTR_SEL),
    F(GUEST_TR_SEL),
    F(HOST_ES_SEL),
    F(HOST_CS_SEL),
    F(HOST_SS_SEL),
    F(HOST_DS_SEL),
    F(HOST_FS_SEL),
    F(HOST_GS_SEL),
    F(HOST_TR_SEL),
    F(IO_BITMAP_A),
    F(IO_BITMAP_B),
    F(MSR_BITMAP),
    F(VM_EXIT_MSR_STORE_ADDR),
    F(VM_EXIT_MSR_LOAD_ADDR),
    F(VM_ENTRY_MSR_LOAD_ADDR),
    F(TSC_OFFSET),
    F(EPT_POINTER),
    F(GUEST_PHYSICAL_ADDRESS),
    F(VMCS_LINK_POINTER),
    F(GUEST_IA32_DEBUGCTL),
    F(GUEST_IA32_PAT),
    F(GUEST_IA32_EFER),
    F(GUEST_PDPTE0),
    F(GUEST_PDPTE1),
    F(GUEST_PDPTE2),
    F(GUEST_PDPTE3),
    F(HOST_IA32_PAT),
    F(HOST_IA32_EFER),
    F(PIN_BASED_CONTROLS),
    F(PROC_BASED_CONTROLS),
    F(EXCEPTION_BITMAP),
    F(PAGE_FAULT_ERROR_MASK),
    F(PAGE_FAULT_ERROR_MATCH),
    F(CR3_TARGET_COUNT),
    F(VM_EXIT_CONTROLS),
    F(VM_EXIT_MSR_STORE_COUNT),
    F(VM_EXIT_MSR_LOAD_COUNT),
    F(VM_ENTRY_CONTROLS),
    F(VM_ENTRY_MSR_LOAD_COUNT),
    F(VM_ENTRY_INTR_INFO),
    F(VM_ENTRY_EXCEPTION_ERROR),
    F(VM_ENTRY_INSTRUCTION_LEN),
    F(TPR_THRESHOLD),
    F(PROC_BASED_CONTROLS2),
    F(VM_INSTRUCTION_ERROR),
    F(VM_EXIT_REASON),
    F(VM_EXIT_INTR_INFO),
    F(VM_EXIT_INTR_ERROR),
    F(IDT_VECTORING_INFO),
    F(IDT_VECTORING_ERROR),
    F(VM_EXIT_INSTRUCTION_LEN),
    F(VM_EXIT_INSTRUCTION_INFO),
    F(GUEST_ES_LIMIT),
    F(GUEST_CS_LIMIT),
    F(GUEST_SS_LIMIT),
    F(GUEST_DS_LIMIT),
    F(GUEST_FS_LIMIT),
    F(GUEST_GS_LIMIT),
    F(GUEST_LDTR_LIMIT),
    F(GUEST_TR_LIMIT),
    F(GUEST_GDTR_LIMIT),
    F(GUEST_IDTR_LIMIT),
    F(GUEST_ES_AR),
    F(GUEST_CS_AR),
    F(GUEST_SS_AR),
    F(GUEST_DS_AR),
    F(GUEST_FS_AR),
    F(GUEST_GS_AR),
    F(GUEST_LDTR_AR),
    F(GUEST_TR_AR),
    F(GUEST_INTERRUPTIBILITY),
    F(GUEST_ACTIVITY_STATE),
    F(GUEST_SYSENTER_CS),
    F(VMX_PREEMPTION_TIMER),
    F(HOST_SYSENTER_CS),
    F(CR0_GUEST_HOST_MASK),
    F(CR4_GUEST_HOST_MASK),
    F(CR0_READ_SHADOW),
    F(CR4_READ_SHADOW),
    F(EXIT_QUALIFICATION),
    F(GUEST_LINEAR_ADDRESS),
    F(GUEST_CR0),
    F(GUEST_CR3),
    F(GUEST_CR4),
    F(GUEST_ES_BASE),
    F(GUEST_CS_BASE),
    F(GUEST_SS_BASE),
    F(GUEST_DS_BASE),
    F(GUEST_FS_BASE),
    F(GUEST_GS_BASE),
    F(GUEST_LDTR_BASE),
    F(GUEST_TR_BASE),
    F(GUEST_GDTR_BASE),
    F(GUEST_IDTR_BASE),
    F(GUEST_DR7),
    F(GUEST_RSP),
    F(GUEST_RIP),
    F(GUEST_RFLAGS),
    F(GUEST_PENDING_DBG_EXCEPTIONS),
    F(GUEST_SYSENTER_ESP),
    F(GUEST_SYSENTER_EIP),
    F(HOST_CR0),
    F(HOST_CR3),
    F(HOST_CR4),
    F(HOST_FS_BASE),
    F(HOST_GS_BASE),
    F(HOST_TR_BASE),
    F(HOST_GDTR_BASE),
    F(HOST_IDTR_BASE),
    F(HOST_SYSENTER_ESP),
    F(HOST_SYSENTER_EIP),
    F(HOST_RSP),
    F(HOST_RIP),
};
#undef F
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static uint64_t value[NFIELDS];
static bool is_set[NFIELDS], vmm_wrote[NFIELDS];
static uint32_t errors;

#define ENC_LIMIT 0x8000	/* every encoding in Appendix B is below this */
static int16_t slot[ENC_LIMIT]; /* index + 1, 0 = not a field */

static int index_of(uint32_t enc)
{
	if (!slot[fields[0].enc])
		for (unsigned i = 0; i < NFIELDS; i++)
			slot[fields[i].enc] = (int16_t)(i + 1);
	return enc < ENC_LIMIT ? slot[enc] - 1 : -1;
}

/* Appendix B: bits 14:13 width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural). */
static uint64_t width_mask(uint32_t enc)
{
	switch ((enc >> 13) & 3) {
	case 0:
		return 0xffffULL;
	case 2:
		return 0xffffffffULL;
	default:
		return ~0ULL;
	}
}

bool fvmcs_is_read_only(uint32_t enc)
{
	return ((enc >> 10) & 3) == 1;
}

bool fvmcs_is_guest_state(uint32_t enc)
{
	return ((enc >> 10) & 3) == 2;
}

bool fvmcs_is_host_state(uint32_t enc)
{
	return ((enc >> 10) & 3) == 3;
}

bool fvmcs_is_control(uint32_t enc)
{
	return ((enc >> 10) & 3) == 0;
}

const char *fvmcs_name(uint32_t enc)
{
	int i = index_of(enc);
	return i < 0 ? "unknown field" : fields[i].name;
}

unsigned fvmcs_count(void)
{
	return NFIELDS;
}

uint32_t fvmcs_field_at(unsigned i)
{
	return i < NFIELDS ? fields[i].enc : 0;
}

void fvmcs_reset(void)
{
	memset(value, 0, sizeof(value));
	memset(is_set, 0, sizeof(is_set));
	memset(vmm_wrote, 0, sizeof(vmm_wrote));
	errors = 0;
}

void fvmcs_set(uint32_t enc, uint64_t v)
{
	int i = index_of(enc);
	if (i < 0) {
		hv_violation("harness", "fvmcs_set of unknown field 0x%04x", enc);
		return;
	}
	value[i] = v & width_mask(enc);
	is_set[i] = true;
}

void fvmcs_unset(uint32_t enc)
{
	int i = index_of(enc);
	if (i >= 0)
		is_set[i] = false;
}

bool fvmcs_is_set(uint32_t enc)
{
	int i = index_of(enc);
	return i >= 0 && is_set[i];
}

uint64_t fvmcs_get(uint32_t enc)
{
	int i = index_of(enc);
	if (i < 0 || !is_set[i]) {
		hv_violation("harness", "fvmcs_get of %s field 0x%04x (%s)", i < 0 ? "unknown" : "unset", enc,
			     fvmcs_name(enc));
		return 0;
	}
	return value[i];
}

bool fvmcs_vmm_wrote(uint32_t enc)
{
	int i = index_of(enc);
	return i >= 0 && vmm_wrote[i];
}

void fvmcs_clear_writes(void)
{
	memset(vmm_wrote, 0, sizeof(vmm_wrote));
}

/* --- what the VMM links against instead of vmm/vcpu/vmcs_access.c --- */

void vmcs_write(uint32_t enc, uint64_t v)
{
	int i = index_of(enc);
	if (i < 0) {
		errors++;
		hv_violation("vmcs-unknown-field", "VMWRITE of unsupported VMCS field 0x%04x value 0x%llx",
			     enc, (unsigned long long)v);
		return;
	}
	if (fvmcs_is_read_only(enc)) {
		errors++;
		hv_violation("vmcs-write-read-only", "VMWRITE to read-only field %s value 0x%llx",
			     fields[i].name, (unsigned long long)v);
		return;
	}
	value[i] = v & width_mask(enc);
	is_set[i] = true;
	vmm_wrote[i] = true;
}

uint64_t vmcs_read(uint32_t enc)
{
	int i = index_of(enc);
	if (i < 0) {
		errors++;
		hv_violation("vmcs-unknown-field", "VMREAD of unsupported VMCS field 0x%04x", enc);
		return 0;
	}
	if (!is_set[i]) {
		hv_violation("vmcs-read-unset", "VMREAD of %s, which is not set for this exit",
			     fields[i].name);
		return 0;
	}
	return value[i];
}

uint32_t vmcs_errors(void)
{
	uint32_t n = errors;
	errors = 0;
	return n;
}

const char *vm_instruction_error_name(uint64_t err)
{
	return err == 12   ? "VMREAD/VMWRITE from/to unsupported VMCS component"
	       : err == 13 ? "VMWRITE to read-only VMCS component"
			   : "unknown error";
}
