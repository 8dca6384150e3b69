/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_exit.c: libFuzzer target for the VM-exit handlers in the host
 * harness (tests/harness, docs/exit-harness.md). An input is a guest (CPU
 * mode, registers, flags, CPL, APIC mode, guest RAM bytes: the instruction
 * at RIP and page-table entries) and a sequence of up to four VM exits
 * (reason, qualification, instruction length and information, GPA, linear
 * address, event being delivered), each made architecturally possible for
 * the VMM's controls. Every exit goes through exit_dispatch() and
 * virq_prepare_entry(); then the harness checks (hv_run):
 *   - no memory outside the guest's RAM (guard regions) or the VMM's
 *     objects is touched (ASan, UBSan);
 *   - no host WRMSR with a value the CPU would refuse, nor of an MSR the
 *     handlers have no business writing;
 *   - RIP moves by the exit's instruction length (1-15 for EPT violations)
 *     or not at all, and not at all when the exit interrupted event delivery
 *     or the handler raised a fault;
 *   - the injected event is one VM entry accepts (valid, type, vector < 32
 *     for exceptions, error code exactly for the vectors that have one and
 *     never in real mode), and so is the whole guest state (vmcs_check.c plus
 *     RIP, SYSENTER, CR3, PDPTEs) when it was before the exit;
 *   - control fields change only where handlers may, host state never;
 *   - locks are released and host interrupts left off; no self-deadlock;
 *   - the VM is running, or killed with a reason, or exited; no VMM panic;
 *   - every VMREAD is of a field the exit defines, no VMWRITE to a
 *     read-only field; no VMM heap page leaks when the VM ends.
 * A violation prints the violation and the exit sequence and aborts, so
 * libFuzzer saves the input. Known, reported VMM bugs (hv_known_bugs) are
 * counted instead unless FUZZ_EXIT_STRICT=1 is set.
 * Run: make -C tests/fuzz run-exit SECONDS=60, or build/tests/fuzz/fuzz_exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "tests/harness/harness.h"
#include "vmm/vcpu/exit.h"
#include "vmm/vdev/vlapic.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/platform/vmx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_EXITS 4
#define TESTDEV	  0xfeb00000ULL
#define AR_DPL3	  (3U << 5)

struct cursor {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct cursor *c, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++) {
		uint8_t b = 0;
		if (c->n) {
			b = *c->p++;
			c->n--;
		}
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}
#define U8(c)  ((uint8_t)take(c, 1))
#define U16(c) ((uint16_t)take(c, 2))
#define U32(c) ((uint32_t)take(c, 4))
#define U64(c) take(c, 8)

/* Exit reasons the handlers know, and how often each was run. */
static const uint32_t reasons[] = {
    EXIT_IO_INSTRUCTION,
    EXIT_EPT_VIOLATION,
    EXIT_RDMSR,
    EXIT_WRMSR,
    EXIT_CR_ACCESS,
    EXIT_CPUID,
    EXIT_HLT,
    EXIT_IO_INSTRUCTION,
    EXIT_EPT_VIOLATION,
    EXIT_WRMSR,
    EXIT_CR_ACCESS,
    EXIT_EPT_VIOLATION,
    EXIT_EXCEPTION_NMI,
    EXIT_EXTERNAL_INTERRUPT,
    EXIT_TRIPLE_FAULT,
    EXIT_INIT,
    EXIT_INTERRUPT_WINDOW,
    EXIT_INVD,
    EXIT_WBINVD,
    EXIT_RDPMC,
    EXIT_VMCALL,
    EXIT_VMXON,
    EXIT_XSETBV,
    EXIT_MONITOR,
    EXIT_MWAIT,
    EXIT_GETSEC,
    EXIT_INVEPT,
    EXIT_EPT_MISCONFIG,
    EXIT_PREEMPTION_TIMER,
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))
static uint64_t reason_runs[256], reason_kills[256], execs, rejected;
static uint64_t known_hits[32];
static bool strict;

static const uint32_t msrs[] = {
    0x10,	0x1b,	    0x6e0,	0xc0000080, 0x277,	0x174,	    0x175,	0x176, 0xc0000100,
    0xc0000101, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000102, 0xc0000103, 0x1a0, 0xfe,
    0x2ff,	0x802,	    0x803,	0x808,	    0x80b,	0x80f,	    0x830,	0x832, 0x838,
    0x83e,	0x83f,	    0x3a,	0x48,	    0x49,	0x480,	    0x9b,	0xc1,  0x186,
};

/* A value for a register or an address: where the interesting things are. */
static uint64_t pick(uint8_t how, uint64_t raw, uint64_t mem)
{
	switch (how & 7) {
	case 0:
		return raw;
	case 1:
		return raw & 0xff;
	case 2:
		return raw % mem; /* RAM */
	case 3:
		return HV_LAPIC + (raw & 0xfff);
	case 4:
		return TESTDEV + (raw & 0xfff);
	case 5:
		return HV_IOAPIC + (raw & 0x1f);
	case 6:
		return HV_CODE + (raw & 0xfff);
	default:
		return (raw << 32) | (raw & 0xffff); /* stale upper half */
	}
}

static uint64_t pick_gpa(uint8_t how, uint64_t raw, uint64_t mem)
{
	switch (how & 7) {
	case 0:
		return raw & ((1ULL << 39) - 1);
	case 1:
		return 0xa0000 + (raw % 0x50000); /* the PC hole (0xf0000 up: BIOS area, RAM) */
	case 2:
		return mem + (raw & 0xffff); /* just past RAM */
	case 3:
		return HV_LAPIC + (raw & 0xfff);
	case 4:
		return TESTDEV + (raw & 0xfff);
	case 5:
		return HV_IOAPIC + (raw & 0x1f);
	case 6:
		return raw % mem; /* RAM: refused */
	default:
		return 0xfed00000ULL + (raw & 0xfff); /* nothing there */
	}
}

/* An event the CPU could have been delivering when the exit happened. */
static uint32_t pick_idt(uint8_t how, uint8_t vec, uint32_t *len)
{
	static const uint8_t code_vectors[] = {8, 10, 11, 12, 13, 14, 17};
	static const uint8_t plain_vectors[] = {0, 1, 5, 6, 7, 16, 19};
	*len = 1 + vec % 15;
	switch (how % 6) {
	case 0:
		return INTR_INFO_VALID | INTR_TYPE_EXT_INTR | (32U + vec % 224);
	case 1:
		return INTR_INFO_VALID | INTR_TYPE_NMI | 2;
	case 2:
		return INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | INTR_INFO_ERROR_VALID |
		       code_vectors[vec % 7];
	case 3:
		return INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | plain_vectors[vec % 7];
	case 4:
		return INTR_INFO_VALID | INTR_TYPE_SW_INTR | vec;
	default:
		return INTR_INFO_VALID | (6U << 8) | (vec & 1 ? 3 : 4); /* INT3 / INTO */
	}
}

static void describe(const struct hv_exit *ex, unsigned n, enum hv_mode m)
{
	fprintf(stderr, "fuzz_exit: guest mode %s, %u exit(s):\n", hv_mode_names[m], n);
	for (unsigned i = 0; i < n; i++)
		fprintf(stderr,
			"  exit %u (%s) qual 0x%llx len %u%s gpa 0x%llx gla 0x%llx info 0x%x idt 0x%x/0x%x\n",
			ex[i].reason, exit_reason_name(ex[i].reason), (unsigned long long)ex[i].qual,
			ex[i].len, ex[i].has_len ? "" : "(unset)", (unsigned long long)ex[i].gpa,
			(unsigned long long)ex[i].gla, ex[i].insn_info, ex[i].idt_info, ex[i].idt_error);
}

/* Count known bugs; anything else stops the run with the input. */
static void judge(const struct hv_exit *ex, unsigned n, enum hv_mode m)
{
	for (unsigned i = 0; i < hv_violations(); i++) {
		const struct hv_known_bug *b = hv_known_bug(hv_violation_tag(i));
		if (b && !strict) {
			known_hits[b - hv_known_bugs]++;
			continue;
		}
		fprintf(stderr, "fuzz_exit: INVARIANT VIOLATED: %s\n", hv_violation_text(i));
		describe(ex, n, m);
		abort();
	}
	hv_clear_violations();
}

static void report(void)
{
	unsigned covered = 0, others = 0;
	uint64_t other_runs = 0, other_kills = 0;
	fprintf(stderr, "fuzz_exit: %llu executions (%llu inputs with an invalid starting state skipped)\n",
		(unsigned long long)execs, (unsigned long long)rejected);
	fprintf(stderr, "fuzz_exit: exits run (VM killed):");
	for (unsigned r = 0; r < 256; r++) {
		if (!reason_runs[r])
			continue;
		covered++;
		if (strcmp(exit_reason_name(r), "other")) {
			fprintf(stderr, " %u/%s %llu (%llu)", r, exit_reason_name(r),
				(unsigned long long)reason_runs[r], (unsigned long long)reason_kills[r]);
		} else {
			others++;
			other_runs += reason_runs[r];
			other_kills += reason_kills[r];
		}
	}
	fprintf(stderr, "; %u other reasons %llu (%llu)\n", others, (unsigned long long)other_runs,
		(unsigned long long)other_kills);
	fprintf(stderr, "fuzz_exit: %u exit reasons covered\n", covered);
	for (unsigned i = 0; hv_known_bugs[i].tag; i++)
		if (known_hits[i])
			fprintf(stderr, "fuzz_exit: known VMM bug hit %llu times: %s: %s\n",
				(unsigned long long)known_hits[i], hv_known_bugs[i].tag,
				hv_known_bugs[i].what);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	strict = getenv("FUZZ_EXIT_STRICT") && atoi(getenv("FUZZ_EXIT_STRICT"));
	atexit(report);
	return 0;
}

static void set_cpl3(void)
{
	static const uint32_t ars[] = {GUEST_CS_AR, GUEST_SS_AR, GUEST_DS_AR,
				       GUEST_ES_AR, GUEST_FS_AR, GUEST_GS_AR};
	for (unsigned i = 0; i < 6; i++)
		fvmcs_set(ars[i], fvmcs_get(ars[i]) | AR_DPL3);
	fvmcs_set(GUEST_CS_SEL, fvmcs_get(GUEST_CS_SEL) | 3);
	fvmcs_set(GUEST_SS_SEL, fvmcs_get(GUEST_SS_SEL) | 3);
}

/* The exit information for reason r, made possible for the VMM's controls. */
static void make_exit(struct cursor *c, struct vcpu *v, enum hv_mode m, struct hv_exit *e)
{
	uint8_t sel = U8(c);
	uint64_t qraw = U64(c), graw = U64(c);
	uint8_t gsel = U8(c), lsel = U8(c), isel = U8(c), ivec = U8(c);
	uint32_t iraw = U32(c);
	memset(e, 0, sizeof(*e));
	e->reason = sel < 240 ? reasons[sel % NREASONS] : (uint32_t)(qraw & 0xff);
	e->len = 1 + lsel % 15;
	e->has_len = true;
	e->fill_undefined = true;
	e->undefined = graw ^ qraw;
	switch (e->reason) {
	case EXIT_IO_INSTRUCTION: {
		static const unsigned sizes[] = {0, 1, 3};
		bool string = qraw & IOQ_STRING;
		e->qual = sizes[(qraw >> 8) % 3] | (qraw & (IOQ_IN | IOQ_STRING | IOQ_IMM)) |
			  (string ? qraw & IOQ_REP : 0) | ((qraw >> 16 & 0xffff) << 16);
		if (!(qraw & (1ULL << 60))) /* mostly the ports of the VMM's devices */
			e->qual = (e->qual & 0xffff) | ((uint64_t)(0xe0 + (qraw >> 40) % 0x320) << 16);
		if (string) {
			/* 28.2.5: address size 0/1/2 (16/32/64), segment 0-5. */
			unsigned asz = m == HV_LONG64 ? 1 + (iraw & 1) : (iraw & 1);
			e->insn_info = (asz << 7) | ((iraw >> 8) % 6) << 15;
			e->has_info = true;
			e->gla = graw;
			e->has_gla = true;
		}
		break;
	}
	case EXIT_CR_ACCESS: {
		static const unsigned crs[] = {0, 4, 8, 0, 4, 3};
		e->qual = crs[qraw % 6] | (((qraw >> 4) & 3) << 4) | (((qraw >> 8) & 15) << 8) |
			  (((qraw >> 16) & 0xffff) << 16);
		break;
	}
	case EXIT_EPT_VIOLATION:
	case EXIT_EPT_MISCONFIG: {
		static const uint64_t acc[] = {EPTQ_READ, EPTQ_WRITE, EPTQ_FETCH | EPTQ_READ};
		e->has_len = lsel & 0x80; /* undefined for EPT violations: set at random */
		e->gpa = pick_gpa(gsel, graw, v->vm->mem_size);
		e->has_gpa = true;
		e->qual = acc[qraw % 3] | ((qraw & 0x100) ? 0 : EPTQ_GLA_VALID | EPTQ_GLA_FINAL) |
			  (qraw & 0x200 ? EPTQ_GLA_VALID : 0);
		/* Identity-mapped: the linear address is the GPA, or anything. */
		e->gla = (qraw & 0x400) ? qraw >> 11 : e->gpa;
		e->has_gla = true;
		if (isel < 40)
			e->idt_info = pick_idt(isel, ivec, &e->len);
		if (e->idt_info & INTR_INFO_ERROR_VALID)
			e->idt_error = iraw & 0xffff;
		if ((e->idt_info & INTR_TYPE_MASK) >= INTR_TYPE_SW_INTR)
			e->has_len = true;
		break;
	}
	case EXIT_EXCEPTION_NMI:
		e->intr_info = INTR_INFO_VALID | INTR_TYPE_NMI | 2; /* the exception bitmap is 0 */
		e->has_len = false;
		break;
	case EXIT_RDMSR:
	case EXIT_WRMSR:
		if (gsel < 200)
			v->regs[RCX] = msrs[gsel % (sizeof(msrs) / sizeof(msrs[0]))];
		break;
	case EXIT_EXTERNAL_INTERRUPT:
	case EXIT_PREEMPTION_TIMER:
	case EXIT_INTERRUPT_WINDOW:
	case EXIT_INIT:
	case EXIT_TRIPLE_FAULT:
		e->has_len = false;
		break;
	default:
		e->qual = qraw;
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = {data, size};
	struct hv_exit ex[MAX_EXITS];
	enum hv_mode m = (enum hv_mode)(U8(&c) % HV_MODES);
	uint8_t opt = U8(&c), opt2 = U8(&c);
	struct vm *vm = hv_create(HV_MEM, 1 + (opt & 1), m);
	if (!vm) {
		fprintf(stderr, "fuzz_exit: harness: %s\n", hv_violation_text(0));
		abort();
	}
	struct vcpu *v = &vm->vcpu[(opt >> 1) & 1 ? vm->nvcpus - 1 : 0];
	v->state = VCPU_RUNNABLE; /* the vCPU that exits was running */
	execs++;

	/* CPU and platform options. */
	if (opt & 4)
		vmx_caps.basic &= ~(1ULL << 54); /* no INS/OUTS instruction information */
	if (opt & 8)
		fcpu_set_cpuid_mode(FCPU_CPUID_ALL_ONES);
	if ((opt & 0x10) && m >= HV_PAGING32)
		vlapic_set_apic_base(&v->lapic, vlapic_get_apic_base(&v->lapic) | APIC_BASE_X2APIC);
	uint64_t rflags = 0x2 | (opt & 0x20 ? RFLAGS_IF : 0) | (opt & 0x40 ? RFLAGS_DF : 0) |
			  (opt2 & 1 ? RFLAGS_CF | RFLAGS_ZF : 0);
	fvmcs_set(GUEST_RFLAGS, rflags);
	if ((opt2 & 2) && (rflags & RFLAGS_IF))
		fvmcs_set(GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI);
	else if (opt2 & 4)
		fvmcs_set(GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_MOVSS);
	if ((opt & 0x80) && m != HV_REAL)
		set_cpl3();
	if (opt2 & 8)
		fvmcs_set(GUEST_CR0, fvmcs_get(GUEST_CR0) & ~CR0_WP);
	if (opt2 & 0x10)
		vlapic_accept(&v->lapic, (uint8_t)(0x20 + (opt2 >> 5) * 0x10), false);

	/* Registers. */
	for (unsigned r = 0; r < 16; r++) {
		uint8_t how = U8(&c);
		uint64_t raw = how & 0x80 ? U64(&c) : U16(&c);
		hv_set_reg(v, r, pick(how, raw, vm->mem_size));
	}
	if (m <= HV_PROT32) /* 16/32-bit code: EIP fits 32 bits */
		fvmcs_set(GUEST_RIP, HV_CODE + (U8(&c) & 0x3f));
	else
		fvmcs_set(GUEST_RIP, HV_CODE + U16(&c) % 0xff0);

	/* Guest RAM: the instruction bytes at RIP, then entries anywhere
	 * (page tables live at HV_PT_POOL). */
	uint8_t insn[16];
	for (unsigned i = 0; i < sizeof(insn); i++)
		insn[i] = U8(&c);
	memcpy(hv_gpa(vm, fvmcs_get(GUEST_RIP), sizeof(insn)), insn, sizeof(insn));
	unsigned writes = U8(&c) % 12;
	for (unsigned i = 0; i < writes; i++) {
		uint16_t where = U16(&c);
		uint64_t val = U64(&c);
		uint64_t gpa = where & 0x8000 ? HV_PT_POOL + (where & 0x7ff8) % (HV_PT_POOL_END - HV_PT_POOL)
					      : (uint64_t)(where & 0x7fff) << 6;
		uint64_t *p = hv_gpa(vm, gpa & ~7ULL, 8);
		if (p)
			*p = val;
	}

	unsigned n = 1 + U8(&c) % MAX_EXITS, i;
	for (i = 0; i < n; i++) {
		make_exit(&c, v, m, &ex[i]);
		struct hv_result r = hv_run(v, &ex[i]);
		if (i == 0 && !r.valid_before) {
			/* The starting state is not one a VM entry accepts (an option
			 * combination the checks refuse): not a finding. */
			rejected++;
			hv_clear_violations();
			break;
		}
		reason_runs[ex[i].reason & 0xff]++;
		if (!r.running)
			reason_kills[ex[i].reason & 0xff]++;
		judge(ex, i + 1, m);
		if (!r.running || !r.enter)
			break;
	}
	hv_destroy(vm);
	judge(ex, i < n ? i + 1 : n, m);
	return 0;
}
