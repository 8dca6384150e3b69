/* SPDX-License-Identifier: GPL-2.0-only */
/* harness.h: the host harness for the VM-exit handlers (vmm/vcpu/exit.c,
 * exit_io.c, mmio.c, guest_mem.c, virq.c and the devices behind them),
 * used by the unit tests (tests/unit/test_exit_*.c) and the fuzzer
 * (tests/fuzz/fuzz_exit.c); docs/exit-harness.md describes it.
 *
 * The handlers are compiled unmodified with COOPVMM_HOST_TEST and linked
 * against fakes instead of the hardware:
 *   fake_vmcs.c  VMREAD/VMWRITE: a field -> value table (vmm/vcpu/vmcs_access.h)
 *   fake_cpu.c   CPUID, RDTSC, RDMSR/WRMSR, CLI/STI (arch/x86/cpu.h, msr.h)
 *   fake_env.c   log, scheduler kicks, VMM heap, guest-RAM pool, timer
 *                rates, VMX capabilities, the vmm/vcpu/vmcs.c functions used
 * The VM itself is made by the real vm_create() (vmm/vm/vm.c): guest RAM is a
 * host mapping with inaccessible guard regions on both sides, so an access
 * past it faults (ASan reports it), and vm_gpa_ptr() is the real one.
 *
 * Everything that breaks an invariant is recorded as a violation with a tag
 * (its class) and a message; tests and the fuzzer read them after each exit. */
#ifndef TESTS_HARNESS_HARNESS_H
#define TESTS_HARNESS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vcpu/vm_types.h"

/* MSR numbers the fake CPU checks (arch/x86/msr.h may not name them all). */
#define HV_MSR_SYSENTER_CS    0x174
#define HV_MSR_SYSENTER_ESP   0x175
#define HV_MSR_SYSENTER_EIP   0x176
#define HV_MSR_STAR	      0xc0000081
#define HV_MSR_LSTAR	      0xc0000082
#define HV_MSR_CSTAR	      0xc0000083
#define HV_MSR_SFMASK	      0xc0000084
#define HV_MSR_FS_BASE	      0xc0000100
#define HV_MSR_GS_BASE	      0xc0000101
#define HV_MSR_KERNEL_GS_BASE 0xc0000102
#define HV_MSR_TSC_AUX	      0xc0000103

/* ---- violations ---- */
void hv_violation(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned hv_violations(void);
/* "tag: message" of the i-th violation since hv_clear_violations(). */
const char *hv_violation_text(unsigned i);
const char *hv_violation_tag(unsigned i);
bool hv_has_violation(const char *tag);
void hv_clear_violations(void);

/* ---- fake VMCS (fake_vmcs.c) ---- */
void fvmcs_reset(void);
void fvmcs_set(uint32_t field, uint64_t val); /* as the CPU or the test sets it */
uint64_t fvmcs_get(uint32_t field);	      /* an unset field is a violation */
bool fvmcs_is_set(uint32_t field);
void fvmcs_unset(uint32_t field);
bool fvmcs_vmm_wrote(uint32_t field); /* the VMM wrote it since fvmcs_clear_writes() */
void fvmcs_clear_writes(void);
const char *fvmcs_name(uint32_t field);
unsigned fvmcs_count(void);
uint32_t fvmcs_field_at(unsigned i);
bool fvmcs_is_read_only(uint32_t field);
bool fvmcs_is_guest_state(uint32_t field);
bool fvmcs_is_host_state(uint32_t field);
bool fvmcs_is_control(uint32_t field);

/* ---- fake CPU (fake_cpu.c) ---- */
enum fcpu_cpuid_mode { FCPU_CPUID_TABLE, FCPU_CPUID_ALL_ONES, FCPU_CPUID_HOST };
struct fcpu_msr {
	uint32_t msr;
	uint64_t val;
};
void fcpu_reset(void);
void fcpu_set_cpuid_mode(enum fcpu_cpuid_mode m);
/* Replace (or add) one leaf of the CPUID table until the next reset. */
void fcpu_set_cpuid(uint32_t leaf, uint32_t sub, struct cpuid_regs r);
unsigned fcpu_linear_bits(void);
void fcpu_set_linear_bits(unsigned bits);
void fcpu_set_tsc_step(uint64_t step);
uint64_t fcpu_tsc(void);
bool fcpu_irq_enabled(void);
void fcpu_set_irq_enabled(bool on);
void fcpu_set_msr(uint32_t msr, uint64_t val);
bool fcpu_get_msr(uint32_t msr, uint64_t *val);
unsigned fcpu_wrmsr_count(void); /* host WRMSRs since the reset / clear */
const struct fcpu_msr *fcpu_wrmsr_at(unsigned i);
void fcpu_clear_wrmsr_log(void);
unsigned fcpu_nmis(void);		  /* NMIs sent to the host's own handler */
uint64_t fcpu_cr2(void);		  /* CR2 as the VMM left it */
void fcpu_set_dr(unsigned n, uint64_t v); /* DR0-DR3, DR6 of the fake CPU */

/* ---- environment (fake_env.c) ---- */
void fenv_reset(void);
const char *fenv_last_log(void); /* the last pr_err/pr_warn/... line */
unsigned fenv_log_count(void);
unsigned fenv_kicks(void); /* cpu_kick() calls */
/* Deferred device requests (vmm/vcpu/defer.h defer_request): kept here. In
 * automatic mode (the default) hv_run() completes them at once and
 * finishes the instruction, so every exit ends with nothing outstanding;
 * in manual mode the test completes request i when it wants
 * (fenv_complete_deferred: ioreq_complete()'s result) and calls hv_resume(). */
void fenv_defer_manual(bool manual);
bool fenv_defer_is_manual(void);
unsigned fenv_deferred(void);
const struct coop_ioreq *fenv_deferred_req(unsigned i);
int fenv_complete_deferred(unsigned i);
unsigned fenv_sipis(void);	      /* vmcs_guest_sipi() calls */
uint64_t fenv_live_allocations(void); /* VMM heap pages not freed */
void fenv_set_panic_hook(void (*hook)(const char *msg));

/* ---- the harness VM (harness.c) ---- */
enum hv_mode {
	HV_REAL,     /* CR0.PE=0 (unrestricted guest), 16-bit */
	HV_PROT16,   /* protected mode, 16-bit code segment, no paging */
	HV_PROT32,   /* flat 32-bit, no paging (the Multiboot entry state) */
	HV_PAGING32, /* 32-bit paging (CR4.PSE), identity map */
	HV_PAE,	     /* PAE paging, identity map */
	HV_LONG64,   /* IA-32e mode, 64-bit code, 4-level paging, identity map */
	HV_COMPAT,   /* IA-32e mode, 32-bit (compatibility) code */
	HV_MODES
};
extern const char *const hv_mode_names[HV_MODES];

#define HV_MEM	       (2ULL << 20) /* default guest RAM */
#define HV_PT_POOL     0x20000ULL   /* page tables are built from here up */
#define HV_PT_POOL_END 0x40000ULL
#define HV_CODE	       0x8000ULL /* where tests put instruction bytes (RIP) */
#define HV_STACK       0x7000ULL
#define HV_LAPIC       0xfee00000ULL
#define HV_IOAPIC      0xfec00000ULL

/* Fresh fakes, then the real vm_create() (nvcpus vCPUs, mem bytes of RAM),
 * and vCPU 0's VMCS in mode m. The VM is current until hv_destroy(). */
struct vm *hv_create(uint64_t mem, uint32_t nvcpus, enum hv_mode m);
void hv_destroy(struct vm *vm);
/* Rewrite the whole VMCS (controls, host state, guest state) for mode m;
 * paging modes get an identity map of RAM and of the device pages
 * (vLAPIC, vIOAPIC, test device) built at HV_PT_POOL. */
void hv_set_mode(struct vm *vm, enum hv_mode m);
enum hv_mode hv_mode(void);
/* Map linear la -> gpa (4 KiB) in the current paging mode with PTE flags
 * (PTE_P is implied; PTE_W, PTE_U as given; every upper level P|W|U). */
void hv_map(struct vm *vm, uint64_t la, uint64_t gpa, uint64_t flags);
/* Host pointer to guest RAM at gpa (len bytes must be RAM, or NULL). */
void *hv_gpa(struct vm *vm, uint64_t gpa, uint64_t len);
/* Write bytes at linear address la through the guest's paging. */
void hv_poke(struct vm *vm, uint64_t la, const void *bytes, unsigned len);
/* Guest register access: RSP lives in the VMCS. */
void hv_set_reg(struct vcpu *v, unsigned reg, uint64_t val);
uint64_t hv_reg(struct vcpu *v, unsigned reg);

/* One VM exit as the CPU reports it. Fields with a has_ flag are written
 * only when set (the rest of the exit information is left unset, so a
 * handler that reads it is caught); idt_info 0 means no event was being
 * delivered. */
struct hv_exit {
	uint32_t reason;
	uint64_t qual;
	uint32_t len; /* VM_EXIT_INSTRUCTION_LEN when has_len */
	bool has_len;
	uint64_t gpa; /* GUEST_PHYSICAL_ADDRESS (EPT exits) */
	bool has_gpa;
	uint64_t gla; /* GUEST_LINEAR_ADDRESS */
	bool has_gla;
	uint32_t insn_info; /* VM_EXIT_INSTRUCTION_INFO */
	bool has_info;
	uint32_t idt_info, idt_error;
	uint32_t intr_info; /* VM_EXIT_INTR_INFO (exception/NMI exits) */
	/* Give the exit information fields this exit leaves undefined this
	 * value (as a real CPU leaves stale values), instead of leaving them
	 * unset; the fuzzer does, the unit tests do not. */
	bool fill_undefined;
	uint64_t undefined;
};

/* What an exit did. */
struct hv_result {
	bool valid_before;     /* the state before the exit passed hv_entry_check() */
	bool running;	       /* the VM is still VM_RUNNING */
	bool enter;	       /* virq_prepare_entry(): the vCPU runs next */
	bool waiting;	       /* a device request is outstanding: the vCPU waits */
	uint32_t inject;       /* VM_ENTRY_INTR_INFO at the next entry (0: none) */
	uint32_t inject_error; /* VM_ENTRY_EXCEPTION_ERROR when inject has an error code */
	uint64_t rip_before, rip_after;
};

/* Load the exit information into the fake VMCS, call exit_dispatch(), and,
 * while the VM runs, virq_prepare_entry() as vcpu_run() does before the
 * next entry; then check the invariants (hv_check). */
struct hv_result hv_run(struct vcpu *v, const struct hv_exit *e);
/* What the vCPU's CPU does before its next entry once its request is
 * answered (vcpu_run()): finish the instruction (exit_resume), then, while
 * the VM runs and nothing is outstanding, virq_prepare_entry(). */
struct hv_result hv_resume(struct vcpu *v);
/* Shorthands: an instruction exit with qualification and length; an EPT
 * violation at gpa (qualification: EPTQ_* bits). */
struct hv_result hv_run_insn(struct vcpu *v, uint32_t reason, uint64_t qual, uint32_t len);
struct hv_result hv_run_ept(struct vcpu *v, uint64_t gpa, uint64_t qual);

/* Is the current VMCS a guest state VM entry accepts (vmcs_check.c's
 * checks plus RIP, SYSENTER, PDPTE and event-injection checks)? NULL or
 * why not (a static buffer). */
const char *hv_entry_check(void);
/* The state SIPI gives (fake vmcs_guest_sipi()): real mode at vector << 12. */
void hv_guest_sipi(uint8_t vector);
/* Force every lock of the current VM free (after a detected deadlock). */
void hv_break_locks(void);

/* Tags of violations that are known VMM bugs, each with a line saying
 * which; the fuzzer counts them instead of stopping unless asked to be
 * strict (docs/exit-harness.md). */
struct hv_known_bug {
	const char *tag;
	const char *what;
};
extern const struct hv_known_bug hv_known_bugs[];
const struct hv_known_bug *hv_known_bug(const char *tag);

#endif
