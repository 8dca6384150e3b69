/* SPDX-License-Identifier: GPL-2.0-only */
/* vmcs.h: VMCS field encodings (Intel SDM Vol. 3D Appendix B "Field
 * Encoding in VMCS"), grouped as there, plus exit reasons (Appendix C),
 * exit-qualification layouts (Vol. 3C 28.2.1) and interruption-information
 * formats (24.8.3, 24.9.2). */
#ifndef ARCH_X86_VMCS_H
#define ARCH_X86_VMCS_H

#include <stdint.h>

enum vmcs_field {
	/* B.1.1 16-bit control fields */
	VMCS_VPID = 0x0000,
	/* B.1.2 16-bit guest-state fields */
	GUEST_ES_SEL = 0x0800,
	GUEST_CS_SEL = 0x0802,
	GUEST_SS_SEL = 0x0804,
	GUEST_DS_SEL = 0x0806,
	GUEST_FS_SEL = 0x0808,
	GUEST_GS_SEL = 0x080a,
	GUEST_LDTR_SEL = 0x080c,
	GUEST_TR_SEL = 0x080e,
	/* B.1.3 16-bit host-state fields */
	HOST_ES_SEL = 0x0c00,
	HOST_CS_SEL = 0x0c02,
	HOST_SS_SEL = 0x0c04,
	HOST_DS_SEL = 0x0c06,
	HOST_FS_SEL = 0x0c08,
	HOST_GS_SEL = 0x0c0a,
	HOST_TR_SEL = 0x0c0c,
	/* B.2.1 64-bit control fields */
	IO_BITMAP_A = 0x2000,
	IO_BITMAP_B = 0x2002,
	MSR_BITMAP = 0x2004,
	VM_EXIT_MSR_STORE_ADDR = 0x2006,
	VM_EXIT_MSR_LOAD_ADDR = 0x2008,
	VM_ENTRY_MSR_LOAD_ADDR = 0x200a,
	TSC_OFFSET = 0x2010,
	EPT_POINTER = 0x201a,
	/* B.2.2 64-bit read-only data fields */
	GUEST_PHYSICAL_ADDRESS = 0x2400,
	/* B.2.3 64-bit guest-state fields */
	VMCS_LINK_POINTER = 0x2800,
	GUEST_IA32_DEBUGCTL = 0x2802,
	GUEST_IA32_PAT = 0x2804,
	GUEST_IA32_EFER = 0x2806,
	GUEST_PDPTE0 = 0x280a,
	GUEST_PDPTE1 = 0x280c,
	GUEST_PDPTE2 = 0x280e,
	GUEST_PDPTE3 = 0x2810,
	/* B.2.4 64-bit host-state fields */
	HOST_IA32_PAT = 0x2c00,
	HOST_IA32_EFER = 0x2c02,
	/* B.3.1 32-bit control fields */
	PIN_BASED_CONTROLS = 0x4000,
	PROC_BASED_CONTROLS = 0x4002,
	EXCEPTION_BITMAP = 0x4004,
	PAGE_FAULT_ERROR_MASK = 0x4006,
	PAGE_FAULT_ERROR_MATCH = 0x4008,
	CR3_TARGET_COUNT = 0x400a,
	VM_EXIT_CONTROLS = 0x400c,
	VM_EXIT_MSR_STORE_COUNT = 0x400e,
	VM_EXIT_MSR_LOAD_COUNT = 0x4010,
	VM_ENTRY_CONTROLS = 0x4012,
	VM_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VM_ENTRY_INTR_INFO = 0x4016,
	VM_ENTRY_EXCEPTION_ERROR = 0x4018,
	VM_ENTRY_INSTRUCTION_LEN = 0x401a,
	TPR_THRESHOLD = 0x401c,
	PROC_BASED_CONTROLS2 = 0x401e,
	/* B.3.2 32-bit read-only data fields */
	VM_INSTRUCTION_ERROR = 0x4400,
	VM_EXIT_REASON = 0x4402,
	VM_EXIT_INTR_INFO = 0x4404,
	VM_EXIT_INTR_ERROR = 0x4406,
	IDT_VECTORING_INFO = 0x4408,
	IDT_VECTORING_ERROR = 0x440a,
	VM_EXIT_INSTRUCTION_LEN = 0x440c,
	VM_EXIT_INSTRUCTION_INFO = 0x440e,
	/* B.3.3 32-bit guest-state fields */
	GUEST_ES_LIMIT = 0x4800,
	GUEST_CS_LIMIT = 0x4802,
	GUEST_SS_LIMIT = 0x4804,
	GUEST_DS_LIMIT = 0x4806,
	GUEST_FS_LIMIT = 0x4808,
	GUEST_GS_LIMIT = 0x480a,
	GUEST_LDTR_LIMIT = 0x480c,
	GUEST_TR_LIMIT = 0x480e,
	GUEST_GDTR_LIMIT = 0x4810,
	GUEST_IDTR_LIMIT = 0x4812,
	GUEST_ES_AR = 0x4814,
	GUEST_CS_AR = 0x4816,
	GUEST_SS_AR = 0x4818,
	GUEST_DS_AR = 0x481a,
	GUEST_FS_AR = 0x481c,
	GUEST_GS_AR = 0x481e,
	GUEST_LDTR_AR = 0x4820,
	GUEST_TR_AR = 0x4822,
	GUEST_INTERRUPTIBILITY = 0x4824,
	GUEST_ACTIVITY_STATE = 0x4826,
	GUEST_SYSENTER_CS = 0x482a,
	VMX_PREEMPTION_TIMER = 0x482e,
	/* B.3.4 32-bit host-state field */
	HOST_SYSENTER_CS = 0x4c00,
	/* B.4.1 natural-width control fields */
	CR0_GUEST_HOST_MASK = 0x6000,
	CR4_GUEST_HOST_MASK = 0x6002,
	CR0_READ_SHADOW = 0x6004,
	CR4_READ_SHADOW = 0x6006,
	/* B.4.2 natural-width read-only data fields */
	EXIT_QUALIFICATION = 0x6400,
	GUEST_LINEAR_ADDRESS = 0x640a,
	/* B.4.3 natural-width guest-state fields */
	GUEST_CR0 = 0x6800,
	GUEST_CR3 = 0x6802,
	GUEST_CR4 = 0x6804,
	GUEST_ES_BASE = 0x6806,
	GUEST_CS_BASE = 0x6808,
	GUEST_SS_BASE = 0x680a,
	GUEST_DS_BASE = 0x680c,
	GUEST_FS_BASE = 0x680e,
	GUEST_GS_BASE = 0x6810,
	GUEST_LDTR_BASE = 0x6812,
	GUEST_TR_BASE = 0x6814,
	GUEST_GDTR_BASE = 0x6816,
	GUEST_IDTR_BASE = 0x6818,
	GUEST_DR7 = 0x681a,
	GUEST_RSP = 0x681c,
	GUEST_RIP = 0x681e,
	GUEST_RFLAGS = 0x6820,
	GUEST_PENDING_DBG_EXCEPTIONS = 0x6822,
	GUEST_SYSENTER_ESP = 0x6824,
	GUEST_SYSENTER_EIP = 0x6826,
	/* B.4.4 natural-width host-state fields */
	HOST_CR0 = 0x6c00,
	HOST_CR3 = 0x6c02,
	HOST_CR4 = 0x6c04,
	HOST_FS_BASE = 0x6c06,
	HOST_GS_BASE = 0x6c08,
	HOST_TR_BASE = 0x6c0a,
	HOST_GDTR_BASE = 0x6c0c,
	HOST_IDTR_BASE = 0x6c0e,
	HOST_SYSENTER_ESP = 0x6c10,
	HOST_SYSENTER_EIP = 0x6c12,
	HOST_RSP = 0x6c14,
	HOST_RIP = 0x6c16,
};

/* VPIDs (24.6.12, 28.1): 16 bits; 0 tags VMX root operation's own
 * translations, and a VM entry with VPID 0 fails (26.2.1.1). */
#define VPID_MIN 1
#define VPID_MAX 0xffff
/* I/O bitmaps A (ports 0-0x7fff) and B (0x8000-0xffff): one 4 KiB page
 * each (24.6.4). */
#define IO_BITMAP_PAGES 2
/* VMCS link pointer without VMCS shadowing: all ones (24.4.2, 26.3.1.5). */
#define VMCS_LINK_NONE (~0ULL)

/* Basic exit reasons (Appendix C). */
enum exit_reason {
	EXIT_EXCEPTION_NMI = 0,
	EXIT_EXTERNAL_INTERRUPT = 1,
	EXIT_TRIPLE_FAULT = 2,
	EXIT_INIT = 3,
	EXIT_SIPI = 4,
	EXIT_IO_SMI = 5,
	EXIT_OTHER_SMI = 6,
	EXIT_INTERRUPT_WINDOW = 7,
	EXIT_NMI_WINDOW = 8,
	EXIT_TASK_SWITCH = 9,
	EXIT_CPUID = 10,
	EXIT_GETSEC = 11,
	EXIT_HLT = 12,
	EXIT_INVD = 13,
	EXIT_INVLPG = 14,
	EXIT_RDPMC = 15,
	EXIT_RDTSC = 16,
	EXIT_RSM = 17,
	EXIT_VMCALL = 18,
	EXIT_VMCLEAR = 19,
	EXIT_VMLAUNCH = 20,
	EXIT_VMPTRLD = 21,
	EXIT_VMPTRST = 22,
	EXIT_VMREAD = 23,
	EXIT_VMRESUME = 24,
	EXIT_VMWRITE = 25,
	EXIT_VMXOFF = 26,
	EXIT_VMXON = 27,
	EXIT_CR_ACCESS = 28,
	EXIT_DR_ACCESS = 29,
	EXIT_IO_INSTRUCTION = 30,
	EXIT_RDMSR = 31,
	EXIT_WRMSR = 32,
	EXIT_INVALID_GUEST_STATE = 33,
	EXIT_MSR_LOADING = 34,
	EXIT_MWAIT = 36,
	EXIT_MONITOR_TRAP = 37,
	EXIT_MONITOR = 39,
	EXIT_PAUSE = 40,
	EXIT_MACHINE_CHECK = 41,
	EXIT_TPR_BELOW_THRESHOLD = 43,
	EXIT_APIC_ACCESS = 44,
	EXIT_EOI_INDUCED = 45,
	EXIT_GDTR_IDTR = 46,
	EXIT_LDTR_TR = 47,
	EXIT_EPT_VIOLATION = 48,
	EXIT_EPT_MISCONFIG = 49,
	EXIT_INVEPT = 50,
	EXIT_RDTSCP = 51,
	EXIT_PREEMPTION_TIMER = 52,
	EXIT_INVVPID = 53,
	EXIT_WBINVD = 54,
	EXIT_XSETBV = 55,
	EXIT_APIC_WRITE = 56,
	EXIT_RDRAND = 57,
	EXIT_INVPCID = 58,
	EXIT_VMFUNC = 59,
	EXIT_ENCLS = 60,
	EXIT_RDSEED = 61,
	EXIT_XSAVES = 63,
	EXIT_XRSTORS = 64,
	EXIT_REASONS = 70,
};
/* The short name of a basic exit reason, as exit counts and messages say
 * it (the VMM's end-of-VM report, vmctl stats); "other" for one without. */
static inline const char *exit_reason_short_name(uint32_t reason)
{
	static const char *const names[EXIT_REASONS] = {
	    [EXIT_EXCEPTION_NMI] = "exception",
	    [EXIT_EXTERNAL_INTERRUPT] = "extint",
	    [EXIT_TRIPLE_FAULT] = "triple-fault",
	    [EXIT_INIT] = "init",
	    [EXIT_SIPI] = "sipi",
	    [EXIT_INTERRUPT_WINDOW] = "intr-window",
	    [EXIT_NMI_WINDOW] = "nmi-window",
	    [EXIT_CPUID] = "cpuid",
	    [EXIT_GETSEC] = "getsec",
	    [EXIT_HLT] = "hlt",
	    [EXIT_INVD] = "invd",
	    [EXIT_RDPMC] = "rdpmc",
	    [EXIT_VMCALL] = "vmcall",
	    [EXIT_VMCLEAR] = "vmclear",
	    [EXIT_VMLAUNCH] = "vmlaunch",
	    [EXIT_VMPTRLD] = "vmptrld",
	    [EXIT_VMPTRST] = "vmptrst",
	    [EXIT_VMREAD] = "vmread",
	    [EXIT_VMRESUME] = "vmresume",
	    [EXIT_VMWRITE] = "vmwrite",
	    [EXIT_VMXOFF] = "vmxoff",
	    [EXIT_VMXON] = "vmxon",
	    [EXIT_CR_ACCESS] = "cr",
	    [EXIT_IO_INSTRUCTION] = "io",
	    [EXIT_RDMSR] = "rdmsr",
	    [EXIT_WRMSR] = "wrmsr",
	    [EXIT_INVALID_GUEST_STATE] = "bad-guest-state",
	    [EXIT_MWAIT] = "mwait",
	    [EXIT_MONITOR] = "monitor",
	    [EXIT_EPT_VIOLATION] = "ept-violation",
	    [EXIT_EPT_MISCONFIG] = "ept-misconfig",
	    [EXIT_INVEPT] = "invept",
	    [EXIT_PREEMPTION_TIMER] = "preemption-timer",
	    [EXIT_INVVPID] = "invvpid",
	    [EXIT_WBINVD] = "wbinvd",
	    [EXIT_XSETBV] = "xsetbv",
	};
	return reason < EXIT_REASONS && names[reason] ? names[reason] : "other";
}
#define EXIT_REASON_ENTRY_FAIL (1U << 31) /* VM-entry failure (basic reason 33/34/41) */
#define EXIT_REASON_BASIC(r)   ((r)&0xffff)

/* VM-entry / exit interruption information (24.8.3, 24.9.2). */
#define INTR_INFO_VECTOR_MASK  0xffU
#define INTR_TYPE_EXT_INTR     (0U << 8)
#define INTR_TYPE_NMI	       (2U << 8)
#define INTR_TYPE_HW_EXCEPTION (3U << 8)
#define INTR_TYPE_SW_INTR      (4U << 8)
#define INTR_TYPE_MASK	       (7U << 8)
#define INTR_INFO_ERROR_VALID  (1U << 11)
#define INTR_INFO_NMI_UNBLOCK  (1U << 12)
#define INTR_INFO_VALID	       (1U << 31)

/* Guest interruptibility state (24.4.2). */
#define INTERRUPTIBILITY_STI   (1U << 0)
#define INTERRUPTIBILITY_MOVSS (1U << 1)
#define INTERRUPTIBILITY_NMI   (1U << 3)
/* Guest pending debug exceptions (24.4.2): BS = a single-step trap is
 * pending, delivered (with DR6.BS) right after VM entry. */
#define PENDING_DBG_BS	       (1ULL << 14)
#define PENDING_DBG_B(i)       (1ULL << (i)) /* breakpoint condition i met */
#define PENDING_DBG_ENABLED_BP (1ULL << 12)  /* one of them is enabled in DR7 */
/* Guest activity states (24.4.2). */
#define ACTIVITY_ACTIVE	   0
#define ACTIVITY_HLT	   1
#define ACTIVITY_SHUTDOWN  2
#define ACTIVITY_WAIT_SIPI 3 /* the highest defined state */

/* Exit qualification for I/O instructions (Table 28-5). */
#define IOQ_SIZE(q) (((q)&7) + 1)
#define IOQ_IN	    (1U << 3)
#define IOQ_STRING  (1U << 4)
#define IOQ_REP	    (1U << 5)
#define IOQ_IMM	    (1U << 6)
#define IOQ_PORT(q) (((q) >> 16) & 0xffff)
/* Exit qualification for control-register accesses (Table 28-3). */
#define CRQ_NUM(q)	((q)&0xf)
#define CRQ_TYPE(q)	(((q) >> 4) & 3)
#define CRQ_MOV_TO	0
#define CRQ_MOV_FROM	1
#define CRQ_CLTS	2
#define CRQ_LMSW	3
#define CRQ_GPR(q)	(((q) >> 8) & 0xf)
#define CRQ_LMSW_SRC(q) (((q) >> 16) & 0xffff)
/* Exit qualification for EPT violations (Table 28-7). */
#define EPTQ_READ	 (1ULL << 0)
#define EPTQ_WRITE	 (1ULL << 1)
#define EPTQ_FETCH	 (1ULL << 2)
#define EPTQ_GLA_VALID	 (1ULL << 7) /* GUEST_LINEAR_ADDRESS holds the access's address */
#define EPTQ_GLA_FINAL	 (1ULL << 8) /* with bit 7: the access itself, not a paging-structure read */
#define EPTQ_NMI_UNBLOCK (1ULL << 12)
/* VM-exit instruction information for INS and OUTS (28.2.5, table 28-8;
 * when IA32_VMX_BASIC bit 54 says so): address size 0/1/2 = 16/32/64 bits,
 * the segment register of OUTS's source. */
#define INSN_INFO_ADDR_SIZE(i) (((i) >> 7) & 7)
#define INSN_INFO_SEG(i)       (((i) >> 15) & 7)

/* Segment access rights (24.4.1, table 24-2; the descriptor's type, S,
 * DPL, P, AVL, L, D/B and G, Vol. 3A 3.4.5). */
#define AR_TYPE(ar)	    ((ar)&0xf)
#define AR_TYPE_ACCESSED    0x01 /* code/data type bit 0 */
#define AR_TYPE_CODE	    0x08 /* code/data type bit 3: code */
#define AR_TYPE_CODE_RX_ACC 0x0b
#define AR_TYPE_DATA_RW_ACC 0x03
#define AR_TYPE_TSS_BUSY    0x0b /* 32/64-bit TSS, busy */
#define AR_TYPE_TSS16_BUSY  0x03
#define AR_TYPE_LDT	    0x02
#define AR_S		    (1U << 4) /* code/data (not system) */
#define AR_DPL(ar)	    (((ar) >> 5) & 3)
#define AR_P		    (1U << 7)
#define AR_L		    (1U << 13)
#define AR_DB		    (1U << 14)
#define AR_G		    (1U << 15)
#define AR_UNUSABLE	    (1U << 16)
#define AR_RESERVED	    0xfffe0f00U /* bits 31:17 and 11:8 */
/* Usual segments: flat 32-bit code and data, 16-bit (real-mode style) code
 * and data, a busy 32-bit TSS. */
#define AR_CODE32 (AR_TYPE_CODE_RX_ACC | AR_S | AR_P | AR_DB | AR_G)
#define AR_DATA32 (AR_TYPE_DATA_RW_ACC | AR_S | AR_P | AR_DB | AR_G)
/* 64-bit code: L = 1 needs D/B = 0 in an IA-32e-mode guest (26.3.1.2;
 * SDM Vol. 3A 3.4.5 "Segment Descriptors", 5.2.1 "Code-Segment Descriptor
 * in 64-bit Mode"). */
#define AR_CODE64     (AR_TYPE_CODE_RX_ACC | AR_S | AR_P | AR_L | AR_G)
#define AR_CODE16     (AR_TYPE_CODE_RX_ACC | AR_S | AR_P)
#define AR_DATA16     (AR_TYPE_DATA_RW_ACC | AR_S | AR_P)
#define AR_TSS32_BUSY (AR_TYPE_TSS_BUSY | AR_P)
/* Limit and granularity agree (26.3.1.2): a limit with any of bits 11:0
 * clear needs G = 0, one with any of bits 31:20 set needs G = 1. */
#define SEG_LIMIT_PAGE_LOW 0xfffU
#define SEG_LIMIT_HIGH	   0xfff00000U

#endif
