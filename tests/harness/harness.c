/* SPDX-License-Identifier: GPL-2.0-only */
/* harness.c: the harness VM and the invariants checked after every exit
 * (harness.h, docs/exit-harness.md). */
#include "tests/harness/harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "vmm/vcpu/exit.h"
#include "vmm/vcpu/guest_mem.h"
#include "vmm/vcpu/ioreq.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vm/vm.h"
#include "vmm/vcpu/vmcs.h"
#include "vmm/vcpu/vmcs_access.h"

#define MAX_VIOLATIONS 16
#define TEXT_MAX       320
#define PAGE	       4096ULL
#define MAXPHYADDR     39 /* the fake CPU's CPUID 0x80000008 EAX[7:0] */
#define TESTDEV_PAGE   0xfeb00000ULL

/* Segment access rights (24.4.1) beyond arch/x86/vmcs.h's AR_CODE16,
 * AR_DATA16, AR_CODE32, AR_DATA32 and AR_CODE64. */
#define AR_TSS_BUSY	0x008bU
#define AR_LDT_UNUSABLE 0x10000U

const char *const hv_mode_names[HV_MODES] = {"real", "prot16", "prot32", "paging32",
					     "pae",  "long64", "compat"};

/* ---- violations ---- */

static struct {
	char tag[32];
	char text[TEXT_MAX];
} viol[MAX_VIOLATIONS];
static unsigned nviol;

void hv_violation(const char *tag, const char *fmt, ...)
{
	va_list ap;
	if (nviol < MAX_VIOLATIONS) {
		int n;
		snprintf(viol[nviol].tag, sizeof(viol[nviol].tag), "%s", tag);
		n = snprintf(viol[nviol].text, TEXT_MAX, "%s: ", tag);
		va_start(ap, fmt);
		vsnprintf(viol[nviol].text + n, TEXT_MAX - (size_t)n, fmt, ap);
		va_end(ap);
	}
	nviol++;
}

unsigned hv_violations(void)
{
	return nviol;
}

const char *hv_violation_text(unsigned i)
{
	return i < nviol && i < MAX_VIOLATIONS ? viol[i].text : "";
}

const char *hv_violation_tag(unsigned i)
{
	return i < nviol && i < MAX_VIOLATIONS ? viol[i].tag : "";
}

bool hv_has_violation(const char *tag)
{
	for (unsigned i = 0; i < nviol && i < MAX_VIOLATIONS; i++)
		if (!strcmp(viol[i].tag, tag))
			return true;
	return false;
}

void hv_clear_violations(void)
{
	nviol = 0;
}

/* ---- the VM ---- */

static struct vm *cur_vm;
static enum hv_mode cur_mode;
static uint64_t pt_next, pt_root;

void hv_break_locks(void)
{
	if (cur_vm)
		cur_vm->lock.locked = 0;
}

void *hv_gpa(struct vm *vm, uint64_t gpa, uint64_t len)
{
	return vm_gpa_ptr(vm, gpa, len);
}

static uint64_t pt_alloc(struct vm *vm)
{
	uint64_t pa = pt_next;
	if (pa + PAGE > HV_PT_POOL_END) {
		hv_violation("harness", "page-table pool exhausted");
		return HV_PT_POOL;
	}
	pt_next += PAGE;
	memset(hv_gpa(vm, pa, PAGE), 0, PAGE);
	return pa;
}

static uint64_t *entry64(struct vm *vm, uint64_t table, unsigned idx)
{
	return hv_gpa(vm, table + 8ULL * idx, 8);
}

/* The next-level table of *e, made if absent. */
static uint64_t next_table(struct vm *vm, uint64_t *e, uint64_t flags)
{
	if (!(*e & PTE_P))
		*e = pt_alloc(vm) | flags;
	return *e & PTE_ADDR_MASK;
}

void hv_map(struct vm *vm, uint64_t la, uint64_t gpa, uint64_t flags)
{
	uint64_t up = PTE_P | PTE_W | PTE_U;
	flags |= PTE_P;
	switch (cur_mode) {
	case HV_PAGING32: {
		uint32_t *pde = hv_gpa(vm, pt_root + 4 * ((la >> 22) & 0x3ff), 4);
		if (!(*pde & PTE_P))
			*pde = (uint32_t)(pt_alloc(vm) | up);
		uint32_t *pte = hv_gpa(vm, (*pde & 0xfffff000U) + 4 * ((la >> 12) & 0x3ff), 4);
		*pte = (uint32_t)((gpa & 0xfffff000U) | flags);
		break;
	}
	case HV_PAE: {
		uint64_t *pdpte = entry64(vm, pt_root, (unsigned)((la >> 30) & 3));
		uint64_t pd = next_table(vm, pdpte, PTE_P); /* PAE PDPTEs: bits 2:1 reserved */
		uint64_t pt = next_table(vm, entry64(vm, pd, (unsigned)((la >> 21) & 0x1ff)), up);
		*entry64(vm, pt, (unsigned)((la >> 12) & 0x1ff)) = (gpa & PTE_ADDR_MASK) | flags;
		for (unsigned i = 0; i < 4; i++)
			fvmcs_set(GUEST_PDPTE0 + 2 * i, *entry64(vm, pt_root, i));
		break;
	}
	case HV_LONG64:
	case HV_COMPAT: {
		uint64_t t = pt_root;
		for (int l = 3; l >= 1; l--)
			t = next_table(vm, entry64(vm, t, (unsigned)((la >> (12 + 9 * l)) & 0x1ff)), up);
		*entry64(vm, t, (unsigned)((la >> 12) & 0x1ff)) = (gpa & PTE_ADDR_MASK) | flags;
		break;
	}
	default:
		hv_violation("harness", "hv_map without paging (mode %s)", hv_mode_names[cur_mode]);
		break;
	}
}

void hv_poke(struct vm *vm, uint64_t la, const void *bytes, unsigned len)
{
	struct vcpu *v = &vm->vcpu[0];
	const uint8_t *b = bytes;
	for (unsigned i = 0; i < len; i++) {
		uint64_t gpa;
		uint8_t *p;
		if (guest_translate(v, la + i, GUEST_READ, &gpa, NULL) || !(p = hv_gpa(vm, gpa, 1))) {
			hv_violation("harness", "hv_poke: linear 0x%llx is not RAM",
				     (unsigned long long)(la + i));
			return;
		}
		*p = b[i];
	}
}

void hv_set_reg(struct vcpu *v, unsigned reg, uint64_t val)
{
	if (reg == RSP)
		fvmcs_set(GUEST_RSP, val);
	else
		v->regs[reg] = val;
}

uint64_t hv_reg(struct vcpu *v, unsigned reg)
{
	return reg == RSP ? fvmcs_get(GUEST_RSP) : v->regs[reg];
}

enum hv_mode hv_mode(void)
{
	return cur_mode;
}

static void set_segment(unsigned idx, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	fvmcs_set(GUEST_ES_SEL + 2 * idx, sel);
	fvmcs_set(GUEST_ES_BASE + 2 * idx, base);
	fvmcs_set(GUEST_ES_LIMIT + 2 * idx, limit);
	fvmcs_set(GUEST_ES_AR + 2 * idx, ar);
}

/* Controls as vmcs.c's write_controls() chooses them on a host that
 * allows what the VMM asks for. */
static void set_controls(struct vcpu *v, bool ia32e)
{
	fvmcs_set(PIN_BASED_CONTROLS, PIN_EXTINT_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER | 0x16);
	fvmcs_set(PROC_BASED_CONTROLS, PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
					   PROC_SECONDARY_CONTROLS | PROC_MWAIT_EXITING |
					   PROC_MONITOR_EXITING | 0x04006172);
	fvmcs_set(PROC_BASED_CONTROLS2, PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST |
					    PROC2_ENABLE_RDTSCP | PROC2_ENABLE_INVPCID);
	fvmcs_set(VM_EXIT_CONTROLS, EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
					EXIT_SAVE_PAT | EXIT_LOAD_PAT | 0x36dff);
	fvmcs_set(VM_ENTRY_CONTROLS,
		  ENTRY_LOAD_EFER | ENTRY_LOAD_PAT | 0x11ff | (ia32e ? ENTRY_IA32E_MODE_GUEST : 0));
	fvmcs_set(EXCEPTION_BITMAP, 0);
	fvmcs_set(PAGE_FAULT_ERROR_MASK, 0);
	fvmcs_set(PAGE_FAULT_ERROR_MATCH, 0);
	fvmcs_set(CR3_TARGET_COUNT, 0);
	fvmcs_set(VM_EXIT_MSR_STORE_COUNT, 0);
	fvmcs_set(VM_EXIT_MSR_LOAD_COUNT, 0);
	fvmcs_set(VM_ENTRY_MSR_LOAD_COUNT, 0);
	fvmcs_set(VM_ENTRY_INTR_INFO, 0);
	fvmcs_set(VM_ENTRY_EXCEPTION_ERROR, 0);
	fvmcs_set(VM_ENTRY_INSTRUCTION_LEN, 0);
	fvmcs_set(TPR_THRESHOLD, 0);
	fvmcs_set(IO_BITMAP_A, v->vm->io_bitmap[0]);
	fvmcs_set(IO_BITMAP_B, v->vm->io_bitmap[1]);
	fvmcs_set(MSR_BITMAP, v->vm->msr_bitmap);
	fvmcs_set(EPT_POINTER, ept_eptp(&v->vm->ept));
	fvmcs_set(VMCS_VPID, v->vpid);
	fvmcs_set(VMCS_LINK_POINTER, ~0ULL);
	fvmcs_set(TSC_OFFSET, 0);
	fvmcs_set(CR0_GUEST_HOST_MASK, VMCS_CR0_OWNED);
	fvmcs_set(CR4_GUEST_HOST_MASK, VMCS_CR4_OWNED);
	fvmcs_set(VMX_PREEMPTION_TIMER, 1000);
}

/* Host state: never read by the handlers; any value. */
static void set_host_state(void)
{
	for (unsigned i = 0; i < fvmcs_count(); i++)
		if (fvmcs_is_host_state(fvmcs_field_at(i)))
			fvmcs_set(fvmcs_field_at(i), 0x1000);
}

static void set_common_guest_state(void)
{
	set_segment(6, 0, 0, 0, AR_LDT_UNUSABLE); /* LDTR */
	fvmcs_set(GUEST_GDTR_BASE, 0);
	fvmcs_set(GUEST_GDTR_LIMIT, 0xffff);
	fvmcs_set(GUEST_IDTR_BASE, 0);
	fvmcs_set(GUEST_IDTR_LIMIT, 0xffff);
	fvmcs_set(GUEST_DR7, 0x400);
	fvmcs_set(GUEST_RFLAGS, 0x2);
	fvmcs_set(GUEST_IA32_PAT, 0x0007040600070406ULL);
	fvmcs_set(GUEST_IA32_DEBUGCTL, 0);
	fvmcs_set(GUEST_SYSENTER_CS, 0);
	fvmcs_set(GUEST_SYSENTER_ESP, 0);
	fvmcs_set(GUEST_SYSENTER_EIP, 0);
	fvmcs_set(GUEST_INTERRUPTIBILITY, 0);
	fvmcs_set(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	fvmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	for (unsigned i = 0; i < 4; i++)
		fvmcs_set(GUEST_PDPTE0 + 2 * i, 0);
	fvmcs_set(GUEST_RIP, HV_CODE);
	fvmcs_set(GUEST_RSP, HV_STACK);
	fvmcs_set(GUEST_CR3, 0);
	fvmcs_set(GUEST_IA32_EFER, 0);
}

static void set_cr(uint64_t cr0, uint64_t cr4)
{
	fvmcs_set(CR0_READ_SHADOW, cr0);
	fvmcs_set(GUEST_CR0, cr0 | CR0_NE);
	fvmcs_set(CR4_READ_SHADOW, cr4);
	fvmcs_set(GUEST_CR4, cr4 | CR4_VMXE);
}

static void identity_map(struct vm *vm)
{
	uint64_t ram = vm->mem_size < (8ULL << 20) ? vm->mem_size : (8ULL << 20);
	for (uint64_t a = 0; a < ram; a += PAGE)
		hv_map(vm, a, a, PTE_W);
	hv_map(vm, HV_LAPIC, HV_LAPIC, PTE_W);
	hv_map(vm, HV_IOAPIC, HV_IOAPIC, PTE_W);
	hv_map(vm, TESTDEV_PAGE, TESTDEV_PAGE, PTE_W);
}

void hv_guest_sipi(uint8_t vector)
{
	for (unsigned i = 0; i < 6; i++)
		set_segment(i, 0, 0, 0xffff, AR_DATA16);
	set_segment(1, (uint16_t)(vector << 8), (uint64_t)vector << 12, 0xffff, AR_CODE16);
	set_segment(7, 0, 0, 0xffff, AR_TSS_BUSY);
	set_common_guest_state();
	fvmcs_set(GUEST_RIP, 0);
	fvmcs_set(GUEST_RSP, 0);
	set_cr(CR0_ET, 0);
	uint64_t entry = fvmcs_is_set(VM_ENTRY_CONTROLS) ? fvmcs_get(VM_ENTRY_CONTROLS) : 0;
	fvmcs_set(VM_ENTRY_CONTROLS, entry & ~(uint64_t)ENTRY_IA32E_MODE_GUEST);
}

void hv_set_mode(struct vm *vm, enum hv_mode m)
{
	struct vcpu *v = &vm->vcpu[0];
	bool ia32e = m == HV_LONG64 || m == HV_COMPAT;
	uint32_t code_ar = m == HV_REAL || m == HV_PROT16 ? AR_CODE16
			   : m == HV_LONG64		  ? AR_CODE64
							  : AR_CODE32;
	uint32_t data_ar = m == HV_REAL || m == HV_PROT16 ? AR_DATA16 : AR_DATA32;
	uint32_t limit = m == HV_REAL || m == HV_PROT16 ? 0xffff : 0xffffffff;
	cur_mode = m;
	set_controls(v, ia32e);
	set_host_state();
	for (unsigned i = 0; i < 6; i++)
		set_segment(i, m == HV_REAL ? 0 : 0x10, 0, limit, data_ar);
	set_segment(1, m == HV_REAL ? 0 : 0x08, 0, limit, code_ar);
	set_segment(7, m == HV_REAL ? 0 : 0x18, 0, 0x67, AR_TSS_BUSY);
	set_common_guest_state();
	pt_next = HV_PT_POOL;
	switch (m) {
	case HV_REAL:
		set_cr(CR0_ET, 0);
		break;
	case HV_PROT16:
	case HV_PROT32:
		set_cr(CR0_PE | CR0_ET, 0);
		break;
	case HV_PAGING32:
		pt_root = pt_alloc(vm);
		set_cr(CR0_PE | CR0_ET | CR0_WP | CR0_PG, 1ULL << 4 /* PSE */);
		fvmcs_set(GUEST_CR3, pt_root);
		identity_map(vm);
		break;
	case HV_PAE:
		pt_root = pt_alloc(vm);
		set_cr(CR0_PE | CR0_ET | CR0_WP | CR0_PG, CR4_PAE);
		fvmcs_set(GUEST_CR3, pt_root);
		identity_map(vm);
		break;
	default:
		pt_root = pt_alloc(vm);
		set_cr(CR0_PE | CR0_ET | CR0_WP | CR0_PG, CR4_PAE);
		fvmcs_set(GUEST_CR3, pt_root);
		fvmcs_set(GUEST_IA32_EFER, EFER_LME | EFER_LMA | EFER_SCE);
		identity_map(vm);
		break;
	}
}

struct vm *hv_create(uint64_t mem, uint32_t nvcpus, enum hv_mode m)
{
	static const uint32_t switched[] = {HV_MSR_STAR,   HV_MSR_LSTAR,	  HV_MSR_CSTAR,
					    HV_MSR_SFMASK, HV_MSR_KERNEL_GS_BASE, HV_MSR_TSC_AUX};
	char err[128];
	struct vm *vm = NULL;
	if (cur_vm) /* left by a test that stopped early */
		hv_destroy(cur_vm);
	hv_clear_violations();
	fcpu_reset();
	fvmcs_reset();
	fenv_reset();
	for (unsigned i = 0; i < sizeof(switched) / sizeof(switched[0]); i++)
		fcpu_set_msr(switched[i], 0);
	if (vm_create("hv", mem, nvcpus, 0, VM_NO_IOPM, 0, &vm, err, sizeof(err))) {
		hv_violation("harness", "vm_create: %s", err);
		return NULL;
	}
	vm->state = VM_RUNNING; /* as vm_start() leaves it, without the scheduler */
	cur_vm = vm;
	hv_set_mode(vm, m);
	return vm;
}

void hv_destroy(struct vm *vm)
{
	uint32_t n = vm->nvcpus;
	for (uint32_t i = 0; i < n; i++)
		vm_vcpu_stopped(&vm->vcpu[i]); /* the last one frees the VM */
	cur_vm = NULL;
	if (fenv_live_allocations())
		hv_violation("leak", "%llu VMM heap pages not freed after the VM ended",
			     (unsigned long long)fenv_live_allocations());
}

/* ---- the entry checks ---- */

static bool canonical(uint64_t a)
{
	unsigned s = 64 - fcpu_linear_bits();
	return (uint64_t)((int64_t)(a << s) >> s) == a;
}

/* 26.2.1.3: the event-injection field. */
static const char *check_injection(char *buf, size_t len)
{
	uint64_t info = fvmcs_get(VM_ENTRY_INTR_INFO);
	if (!(info & INTR_INFO_VALID))
		return NULL;
	unsigned type = (unsigned)(info >> 8) & 7, vec = (unsigned)info & 0xff;
	bool pe = fvmcs_get(GUEST_CR0) & CR0_PE;
	bool unrestricted = fvmcs_get(PROC_BASED_CONTROLS2) & PROC2_UNRESTRICTED_GUEST;
	bool has_code = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17;
	bool want_code = type == 3 && (pe || !unrestricted) && has_code;
	if (info & 0x7ffff000ULL)
		snprintf(buf, len, "injected event 0x%llx: reserved bits 30:12 set",
			 (unsigned long long)info);
	else if (type == 1 || type == 7)
		snprintf(buf, len, "injected event 0x%llx: type %u is reserved here",
			 (unsigned long long)info, type);
	else if (type == 2 && vec != 2)
		snprintf(buf, len, "injected NMI with vector %u", vec);
	else if (type == 3 && vec > 31)
		snprintf(buf, len, "injected hardware exception with vector %u > 31", vec);
	else if (!!(info & INTR_INFO_ERROR_VALID) != want_code)
		snprintf(buf, len, "injected %s %u %s an error code%s (26.2.1.3)",
			 type == 3 ? "exception" : "event", vec, want_code ? "without" : "with",
			 !pe && unrestricted ? " in real mode (CR0.PE=0)" : "");
	else if ((info & INTR_INFO_ERROR_VALID) && (fvmcs_get(VM_ENTRY_EXCEPTION_ERROR) >> 16))
		snprintf(buf, len, "injected error code 0x%llx: bits 31:16 set",
			 (unsigned long long)fvmcs_get(VM_ENTRY_EXCEPTION_ERROR));
	else if (type >= 4 && type <= 6 &&
		 (fvmcs_get(VM_ENTRY_INSTRUCTION_LEN) == 0 || fvmcs_get(VM_ENTRY_INSTRUCTION_LEN) > 15))
		snprintf(buf, len, "injected software event with instruction length %llu",
			 (unsigned long long)fvmcs_get(VM_ENTRY_INSTRUCTION_LEN));
	else
		return NULL;
	return buf;
}

const char *hv_entry_check(void)
{
	static char buf[TEXT_MAX];
	const char *r = vmcs_check_guest_state(buf, sizeof(buf));
	if (r)
		return r;
	uint64_t rip = fvmcs_get(GUEST_RIP), cs_ar = fvmcs_get(GUEST_CS_AR);
	bool ia32e = fvmcs_get(VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST;
	uint64_t cr0 = fvmcs_get(GUEST_CR0), cr4 = fvmcs_get(GUEST_CR4), cr3 = fvmcs_get(GUEST_CR3);
	if (!(ia32e && (cs_ar & AR_L)) && (rip >> 32)) {
		snprintf(buf, sizeof(buf), "RIP 0x%llx: bits 63:32 set outside 64-bit mode (26.3.1.4)",
			 (unsigned long long)rip);
		return buf;
	}
	if (ia32e && (cs_ar & AR_L) && !canonical(rip)) {
		snprintf(buf, sizeof(buf), "RIP 0x%llx is not canonical (26.3.1.4)", (unsigned long long)rip);
		return buf;
	}
	if (!canonical(fvmcs_get(GUEST_SYSENTER_ESP)) || !canonical(fvmcs_get(GUEST_SYSENTER_EIP))) {
		snprintf(buf, sizeof(buf), "IA32_SYSENTER_ESP/EIP 0x%llx/0x%llx not canonical (26.3.1.1)",
			 (unsigned long long)fvmcs_get(GUEST_SYSENTER_ESP),
			 (unsigned long long)fvmcs_get(GUEST_SYSENTER_EIP));
		return buf;
	}
	if (cr3 >> MAXPHYADDR) {
		snprintf(buf, sizeof(buf), "CR3 0x%llx beyond MAXPHYADDR (26.3.1.1)",
			 (unsigned long long)cr3);
		return buf;
	}
	if ((cr0 & CR0_PG) && (cr4 & CR4_PAE) && !ia32e)
		for (unsigned i = 0; i < 4; i++) {
			uint64_t e = fvmcs_get(GUEST_PDPTE0 + 2 * i);
			if ((e & PTE_P) && (e & (0x1e6ULL | ~((1ULL << MAXPHYADDR) - 1)))) {
				snprintf(buf, sizeof(buf), "PDPTE%u 0x%llx: reserved bits set (26.3.1.6)", i,
					 (unsigned long long)e);
				return buf;
			}
		}
	return check_injection(buf, sizeof(buf));
}

/* ---- one exit ---- */

static const uint32_t exit_info_fields[] = {
    VM_INSTRUCTION_ERROR, VM_EXIT_REASON,	VM_EXIT_INTR_INFO,	 VM_EXIT_INTR_ERROR,
    IDT_VECTORING_INFO,	  IDT_VECTORING_ERROR,	VM_EXIT_INSTRUCTION_LEN, VM_EXIT_INSTRUCTION_INFO,
    EXIT_QUALIFICATION,	  GUEST_LINEAR_ADDRESS, GUEST_PHYSICAL_ADDRESS,
};

#define NCTL 64
static struct {
	uint32_t field[NCTL];
	uint64_t val[NCTL];
	unsigned n;
} ctl_before;

/* Control-field bits a handler (or virq_prepare_entry) may change. */
static uint64_t control_bits_allowed(uint32_t f)
{
	switch (f) {
	case VM_ENTRY_CONTROLS:
		return ENTRY_IA32E_MODE_GUEST;
	case PROC_BASED_CONTROLS:
		return PROC_INTR_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING;
	case VM_ENTRY_INTR_INFO:
	case VM_ENTRY_EXCEPTION_ERROR:
	case VM_ENTRY_INSTRUCTION_LEN:
	case CR0_READ_SHADOW:
	case CR4_READ_SHADOW:
	case VMX_PREEMPTION_TIMER:
	case TSC_OFFSET: /* WRMSR IA32_TSC / IA32_TSC_ADJUST set the guest's TSC */
		return ~0ULL;
	default:
		return 0;
	}
}

static void snapshot_controls(void)
{
	ctl_before.n = 0;
	for (unsigned i = 0; i < fvmcs_count() && ctl_before.n < NCTL; i++) {
		uint32_t f = fvmcs_field_at(i);
		if (!fvmcs_is_control(f) || !fvmcs_is_set(f))
			continue;
		ctl_before.field[ctl_before.n] = f;
		ctl_before.val[ctl_before.n++] = fvmcs_get(f);
	}
}

static void check_controls(void)
{
	for (unsigned i = 0; i < ctl_before.n; i++) {
		uint32_t f = ctl_before.field[i];
		uint64_t diff = fvmcs_get(f) ^ ctl_before.val[i];
		if (diff & ~control_bits_allowed(f))
			hv_violation("control-changed", "%s changed 0x%llx -> 0x%llx", fvmcs_name(f),
				     (unsigned long long)ctl_before.val[i], (unsigned long long)fvmcs_get(f));
	}
	for (unsigned i = 0; i < fvmcs_count(); i++) {
		uint32_t f = fvmcs_field_at(i);
		if (fvmcs_is_host_state(f) && fvmcs_vmm_wrote(f))
			hv_violation("host-state-written", "an exit handler wrote %s", fvmcs_name(f));
	}
}

static void check_locks(struct vcpu *v, const char *when)
{
	if (v->vm->lock.locked) {
		hv_violation("lock-leak", "the VM lock is still held %s", when);
		v->vm->lock.locked = 0;
	}
	if (fcpu_irq_enabled()) {
		hv_violation("irq-enabled", "host interrupts enabled %s", when);
		fcpu_set_irq_enabled(false);
	}
}

/* Automatic mode: every deferred request completed at once, and the
 * instruction finished as the vCPU's CPU would (which may make the next). */
static void settle_deferred(struct vcpu *v)
{
	for (unsigned n = 0; n < 100000 && !fenv_defer_is_manual() && fenv_deferred(); n++) {
		fenv_complete_deferred(0);
		bool resume;
		if (ioreq_ready(v, &resume) && resume) {
			exit_resume(v);
			check_locks(v, "after exit_resume");
		}
	}
}

struct hv_result hv_resume(struct vcpu *v)
{
	struct hv_result res;
	memset(&res, 0, sizeof(res));
	cur_vm = v->vm;
	res.rip_before = fvmcs_get(GUEST_RIP);
	bool resume;
	res.waiting = !ioreq_ready(v, &resume);
	if (!res.waiting && resume) {
		exit_resume(v);
		check_locks(v, "after exit_resume");
		settle_deferred(v);
	}
	res.running = v->vm->state == VM_RUNNING;
	res.waiting = v->io.state != IOREQ_IDLE;
	if (res.running && !res.waiting) {
		res.enter = virq_prepare_entry(v);
		check_locks(v, "after virq_prepare_entry");
		uint64_t inj = fvmcs_get(VM_ENTRY_INTR_INFO);
		if (inj & INTR_INFO_VALID) {
			res.inject = (uint32_t)inj;
			if (inj & INTR_INFO_ERROR_VALID)
				res.inject_error = (uint32_t)fvmcs_get(VM_ENTRY_EXCEPTION_ERROR);
		}
	}
	res.rip_after = fvmcs_get(GUEST_RIP);
	return res;
}

struct hv_result hv_run(struct vcpu *v, const struct hv_exit *e)
{
	struct hv_result res;
	struct vm *vm = v->vm;
	bool delivering = e->idt_info & INTR_INFO_VALID;
	memset(&res, 0, sizeof(res));
	cur_vm = vm;

	/* What the CPU writes at a VM exit. */
	for (unsigned i = 0; i < sizeof(exit_info_fields) / sizeof(exit_info_fields[0]); i++) {
		fvmcs_unset(exit_info_fields[i]);
		if (e->fill_undefined)
			fvmcs_set(exit_info_fields[i], e->undefined * (i + 1));
	}
	fvmcs_set(VM_EXIT_REASON, e->reason);
	fvmcs_set(EXIT_QUALIFICATION, e->qual);
	fvmcs_set(IDT_VECTORING_INFO, e->idt_info);
	if (delivering && (e->idt_info & INTR_INFO_ERROR_VALID))
		fvmcs_set(IDT_VECTORING_ERROR, e->idt_error);
	fvmcs_set(VM_EXIT_INTR_INFO, e->intr_info);
	if (e->has_len)
		fvmcs_set(VM_EXIT_INSTRUCTION_LEN, e->len);
	if (e->has_gpa)
		fvmcs_set(GUEST_PHYSICAL_ADDRESS, e->gpa);
	if (e->has_gla)
		fvmcs_set(GUEST_LINEAR_ADDRESS, e->gla);
	if (e->has_info)
		fvmcs_set(VM_EXIT_INSTRUCTION_INFO, e->insn_info);
	/* The valid bit of the entry's event field is cleared by every exit. */
	fvmcs_set(VM_ENTRY_INTR_INFO, fvmcs_get(VM_ENTRY_INTR_INFO) & ~(uint64_t)INTR_INFO_VALID);

	res.rip_before = fvmcs_get(GUEST_RIP);
	unsigned viol_before = hv_violations();
	res.valid_before = hv_entry_check() == NULL;
	if (hv_violations() != viol_before)
		res.valid_before = false; /* the state itself is incomplete */
	snapshot_controls();
	fvmcs_clear_writes();
	fcpu_clear_wrmsr_log();
	fcpu_set_irq_enabled(false);

	exit_dispatch(v, e->reason);
	check_locks(v, "after exit_dispatch");
	settle_deferred(v);

	res.running = vm->state == VM_RUNNING;
	if (res.running && v->io.state != IOREQ_IDLE) {
		res.waiting = true; /* not entered until the completion (manual mode) */
		res.rip_after = fvmcs_get(GUEST_RIP);
		return res;
	}
	if (!res.running) {
		if (vm->state == VM_KILLED && !vm->why[0])
			hv_violation("kill-without-reason", "the VM was killed without a reason");
		if (vm->state != VM_KILLED && vm->state != VM_EXITED)
			hv_violation("vm-state", "VM state %d", (int)vm->state);
		check_controls();
		res.rip_after = fvmcs_get(GUEST_RIP);
		return res;
	}
	res.enter = virq_prepare_entry(v);
	check_locks(v, "after virq_prepare_entry");
	res.rip_after = fvmcs_get(GUEST_RIP);
	uint64_t inj = fvmcs_get(VM_ENTRY_INTR_INFO);
	if (inj & INTR_INFO_VALID) {
		res.inject = (uint32_t)inj;
		if (inj & INTR_INFO_ERROR_VALID)
			res.inject_error = (uint32_t)fvmcs_get(VM_ENTRY_EXCEPTION_ERROR);
	}
	check_controls();
	if (v->state != VCPU_RUNNABLE && v->state != VCPU_HALTED && v->state != VCPU_WAIT_SIPI)
		hv_violation("vcpu-state", "vCPU state %d while the VM runs", (int)v->state);

	/* RIP moves by the exit's instruction length (the decoded length, at
	 * most 15, for an EPT violation) or not at all; not at all when the
	 * exit interrupted event delivery or the handler raised a fault. */
	uint64_t delta = res.rip_after - res.rip_before;
	bool handler_fault =
	    !delivering && (inj & INTR_INFO_VALID) && (inj & INTR_TYPE_MASK) == INTR_TYPE_HW_EXCEPTION;
	if (delta) {
		if (delivering)
			hv_violation(
			    "rip-during-delivery",
			    "RIP moved by %llu on an exit during event delivery (IDT-vectoring 0x%x)",
			    (unsigned long long)delta, e->idt_info);
		else if (handler_fault)
			hv_violation("rip-with-fault", "RIP moved by %llu and exception 0x%llx injected",
				     (unsigned long long)delta, (unsigned long long)inj);
		else if (e->reason == EXIT_EPT_VIOLATION ? delta > 15 : !(e->has_len && delta == e->len))
			hv_violation("rip-delta", "RIP moved by 0x%llx (exit %u, instruction length %u)",
				     (unsigned long long)delta, e->reason, e->has_len ? e->len : 0);
	}
	if (res.valid_before) {
		viol_before = hv_violations();
		const char *why = hv_entry_check();
		if (why && hv_violations() == viol_before) {
			/* The next VM entry would fail: the VM dies of a state the
			 * guest could not have made itself (the CPU would have
			 * raised #GP or done it right). */
			const char *tag = strstr(why, "inject") ? "bad-injection" : "entry-check";
			hv_violation(tag, "exit %u (%s) leaves a state VM entry refuses: %s", e->reason,
				     exit_reason_name(e->reason), why);
		}
	}
	return res;
}

struct hv_result hv_run_insn(struct vcpu *v, uint32_t reason, uint64_t qual, uint32_t len)
{
	struct hv_exit e;
	memset(&e, 0, sizeof(e));
	e.reason = reason;
	e.qual = qual;
	e.len = len;
	e.has_len = true;
	return hv_run(v, &e);
}

struct hv_result hv_run_ept(struct vcpu *v, uint64_t gpa, uint64_t qual)
{
	struct hv_exit e;
	memset(&e, 0, sizeof(e));
	e.reason = EXIT_EPT_VIOLATION;
	e.qual = qual;
	e.gpa = gpa;
	e.has_gpa = true;
	return hv_run(v, &e);
}

/* ---- known VMM bugs (reported; the fuzzer counts them) ---- */

const struct hv_known_bug hv_known_bugs[] = {
    {NULL, NULL},
};

const struct hv_known_bug *hv_known_bug(const char *tag)
{
	for (const struct hv_known_bug *b = hv_known_bugs; b->tag; b++)
		if (!strcmp(b->tag, tag))
			return b;
	return NULL;
}
