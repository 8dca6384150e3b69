/* SPDX-License-Identifier: GPL-2.0-only */
/* crmsr.c: the CR/MSR fuzzers' model, sweeps and executor (rt/crmsr.h):
 * what the CPU that CPUID describes does with each MOV to CRn, WRMSR and
 * XSETBV (Intel SDM Vol. 2B "MOV -- Move to/from Control Registers"
 * exceptions, "WRMSR", "XSETBV"; Vol. 3A 2.5 control registers, 4.4.1 PAE
 * PDPTEs, 9.8.5 IA-32e mode; Vol. 4 table 2-2 architectural MSRs) and,
 * under coopvmm, which MSRs exist (docs/guest-platform.md "CPU"). */
#include "rt/crmsr.h"

#include "rt/hv.h"
#include "rt/rt.h"
#include "rt/timer.h"

/* Architectural MSRs (Vol. 4 table 2-2), spelled here: the guests share no
 * constants with the VMM. */
#define MSR_TSC		   0x010
#define MSR_APIC_BASE	   0x01b
#define MSR_TSC_ADJUST	   0x03b
#define MSR_MTRRCAP	   0x0fe
#define MSR_SYSENTER_CS	   0x174
#define MSR_SYSENTER_ESP   0x175
#define MSR_SYSENTER_EIP   0x176
#define MSR_MISC_ENABLE	   0x1a0
#define MSR_DEBUGCTL	   0x1d9
#define DEBUGCTL_BTF_	   0x2ULL
#define MSR_PAT		   0x277
#define MSR_MTRR_DEF_TYPE  0x2ff
#define MSR_TSC_DEADLINE   0x6e0
#define MSR_X2APIC_FIRST_  0x800
#define MSR_X2APIC_LAST_   0x8ff
#define MSR_EFER	   0xc0000080
#define MSR_STAR	   0xc0000081
#define MSR_LSTAR	   0xc0000082
#define MSR_CSTAR	   0xc0000083
#define MSR_SFMASK	   0xc0000084
#define MSR_FS_BASE	   0xc0000100
#define MSR_GS_BASE	   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX	   0xc0000103

#define CR0_MP_	     (1ULL << 1)
#define CR0_EM_	     (1ULL << 2)
#define CR0_TS_	     (1ULL << 3)
#define CR0_DEFINED  0xe005003fULL /* PE MP EM TS ET NE WP AM NW CD PG */
#define CR4_CET	     (1ULL << 23)
#define CR4_KL	     (1ULL << 19)
#define CR4_PKS	     (1ULL << 24)
#define CR3_PCID     0xfffULL
#define CR3_NOFLUSH  (1ULL << 63)
#define PDPTE_P	     (1ULL << 0)
#define PDPTE_RSVD   0x1e6ULL /* bits 8:5, 2:1 (4.4.1; bits 63:MAXPHYADDR too) */
#define PDPTE_A	     (1ULL << 5)
#define PAT_VALID(t) ((t) == 0 || (t) == 1 || ((t) >= 4 && (t) <= 7))
#define BATCH	     RMOPS_MAX

/* CPUID facts (crmsr_init). */
static uint64_t cr4_supported;
static unsigned maxphy, linear_bits;
static bool has_nx, has_lm, has_syscall;
static bool coop;

static const char *const kind_names[OPK_CR_UD + 1] = {
    [OPK_RDMSR] = "rdmsr",   [OPK_WRMSR] = "wrmsr",   [OPK_CR0] = "mov cr0",
    [OPK_CR3] = "mov cr3",   [OPK_CR4] = "mov cr4",   [OPK_CR8] = "mov cr8",
    [OPK_XSETBV] = "xsetbv", [OPK_XGETBV] = "xgetbv", [OPK_CR_UD] = "mov crN (undefined)",
};

static bool cpuid_bit(uint32_t leaf, int reg, uint32_t bit)
{
	return cpu_has(leaf, reg, 1U << bit);
}

void crmsr_init(void)
{
	coop = under_coopvmm();
	/* CR4 bits that exist: each is enumerated by a CPUID feature flag
	 * (Vol. 3A 2.5 "Control Registers", CR4 bit descriptions). */
	struct {
		uint32_t leaf;
		int reg;
		int bit;
		uint64_t cr4;
	} const map[] = {
	    {1, REG_EDX, 1, CR4_VME | CR4_PVI}, {1, REG_EDX, 2, CR4_DE},
	    {1, REG_EDX, 3, CR4_PSE},		{1, REG_EDX, 4, CR4_TSD},
	    {1, REG_EDX, 6, CR4_PAE},		{1, REG_EDX, 7, CR4_MCE},
	    {1, REG_EDX, 13, CR4_PGE},		{1, REG_EDX, 24, CR4_OSFXSR},
	    {1, REG_EDX, 25, CR4_OSXMMEXCPT},	{1, REG_ECX, 5, CR4_VMXE},
	    {1, REG_ECX, 6, CR4_SMXE},		{1, REG_ECX, 17, CR4_PCIDE},
	    {1, REG_ECX, 26, CR4_OSXSAVE},	{7, REG_EBX, 0, CR4_FSGSBASE},
	    {7, REG_EBX, 7, CR4_SMEP},		{7, REG_EBX, 20, CR4_SMAP},
	    {7, REG_ECX, 2, CR4_UMIP},		{7, REG_ECX, 3, CR4_PKE},
	    {7, REG_ECX, 7, CR4_CET},		{7, REG_ECX, 16, CR4_LA57},
	    {7, REG_ECX, 23, CR4_KL},		{7, REG_ECX, 31, CR4_PKS},
	    {7, REG_EDX, 20, CR4_CET},
	};
	cr4_supported = CR4_PCE; /* P6 and later */
	for (unsigned i = 0; i < ARRAY_SIZE(map); i++)
		if (cpuid_bit(map[i].leaf, map[i].reg, (uint32_t)map[i].bit))
			cr4_supported |= map[i].cr4;
	has_nx = cpuid_bit(CPUID_LEAF_EXT_FEATURES, REG_EDX, 20);
	has_lm = cpuid_bit(CPUID_LEAF_EXT_FEATURES, REG_EDX, 29);
	has_syscall = cpuid_bit(CPUID_LEAF_EXT_FEATURES, REG_EDX, 11);
	maxphy = 36;
	linear_bits = 32;
	if (cpuid(CPUID_LEAF_EXT_MAX, 0).eax >= 0x80000008U) {
		uint32_t a = cpuid(0x80000008U, 0).eax;
		maxphy = a & 0xff;
		linear_bits = (a >> 8) & 0xff;
	}
	if (linear_bits == 0) /* leaf 0x80000008 without long mode */
		linear_bits = has_lm ? 48 : 32;
	printf("model: CR4 bits that exist %#llx, MAXPHYADDR %u, linear address bits %u, NX %u, LM %u, "
	       "SYSCALL %u, %s MSR list\n",
	       (unsigned long long)cr4_supported, maxphy, linear_bits, has_nx, has_lm, has_syscall,
	       coop ? "coopvmm's" : "no");
}

void crmsr_env_read(struct crmsr_env *env)
{
	env->cr0 = read_cr0();
	env->cr3 = read_cr3();
	env->cr4 = read_cr4();
	env->efer = has_lm || has_nx || has_syscall ? rdmsr(MSR_IA32_EFER) : 0;
	if (env->real)
		env->cr0 &= ~(uint64_t)CR0_PE;
}

/* ---- the model ---- */

static bool canonical(uint64_t a)
{
	if (linear_bits >= 64)
		return true;
	int64_t s = (int64_t)(a << (64 - linear_bits)) >> (64 - linear_bits);
	return (uint64_t)s == a;
}

static uint64_t phys_reserved(void)
{
	return maxphy >= 64 ? 0 : ~0ULL << maxphy;
}

/* The four PDPTEs at cr3 are loadable (4.4.1): no present one with a
 * reserved bit. Guest memory is identity mapped or paging is off. */
static bool pdptes_ok(uint64_t cr3)
{
	const volatile uint64_t *p = (const volatile uint64_t *)(uintptr_t)(cr3 & 0xffffffe0ULL);
	/* QEMU 7.2 TCG sets the accessed bit (5) of the PDPTEs it walks,
	 * a reserved bit: not counted there. */
	uint64_t rsvd = (coop ? PDPTE_RSVD : PDPTE_RSVD & ~PDPTE_A) | phys_reserved();
	for (int i = 0; i < 4; i++)
		if ((p[i] & PDPTE_P) && (p[i] & rsvd))
			return false;
	return true;
}

struct pred {
	int outcome; /* OUTCOME_OK/GP/UD, or -1: any of OK/#GP (platform specific) */
	bool check;  /* compare the read-back with want */
	uint64_t want;
};

static struct pred pred_cr0(const struct crmsr_env *env, uint64_t v)
{
	struct pred p = {OUTCOME_GP, false, 0};
	bool pg = v & CR0_PG, pe = v & CR0_PE;
	if (env->long64 && (v >> 32))
		return p; /* reserved bits 63:32 */
	if ((pg && !pe) || ((v & CR0_NW) && !(v & CR0_CD)))
		return p;
	if (env->long64 && !pg)
		return p; /* leaving IA-32e mode from 64-bit code (9.8.5.4) */
	if (pg && !(env->cr0 & CR0_PG) && (env->efer & EFER_LME) && !(env->cr4 & CR4_PAE))
		return p;
	if (!pg && (env->cr4 & CR4_PCIDE))
		return p;
	if ((env->cr4 & CR4_CET) && !(v & CR0_WP))
		return p;
	/* PAE paging after the write, CD/NW/PG changed: PDPTEs loaded (4.4.1). */
	if (pg && (env->cr4 & CR4_PAE) && !env->long64 && ((v ^ env->cr0) & (CR0_PG | CR0_CD | CR0_NW)) &&
	    !pdptes_ok(env->cr3))
		return p;
	p.outcome = OUTCOME_OK;
	p.check = true;
	p.want = (v & CR0_DEFINED) | CR0_ET; /* reserved bits 31:0 ignored; ET reads 1 */
	return p;
}

static struct pred pred_cr4(const struct crmsr_env *env, uint64_t v)
{
	struct pred p = {OUTCOME_GP, false, 0};
	if (v & ~cr4_supported)
		return p;
	if ((v & CR4_PCIDE) && !env->long64 && !(env->cr4 & CR4_PCIDE))
		return p; /* PCIDE can be set in IA-32e mode only */
	if (env->long64) {
		if (!(v & CR4_PAE))
			return p;
		if ((v ^ env->cr4) & CR4_LA57)
			return p;
		if ((v & CR4_PCIDE) && !(env->cr4 & CR4_PCIDE) && (env->cr3 & CR3_PCID))
			return p;
	}
	if ((v & CR4_CET) && !(env->cr0 & CR0_WP))
		return p;
	if ((env->cr0 & CR0_PG) && (v & CR4_PAE) && !env->long64 &&
	    ((v ^ env->cr4) & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) && !pdptes_ok(env->cr3))
		return p;
	p.outcome = OUTCOME_OK;
	p.check = true;
	p.want = v;
	return p;
}

static struct pred pred_cr3(const struct crmsr_env *env, uint64_t v)
{
	struct pred p = {OUTCOME_GP, false, 0};
	if (env->long64) {
		uint64_t rsvd = phys_reserved() & ~CR3_NOFLUSH;
		if (!(env->cr4 & CR4_PCIDE))
			rsvd |= CR3_NOFLUSH;
		if (v & rsvd)
			return p;
	} else if ((env->cr0 & CR0_PG) && (env->cr4 & CR4_PAE) && !pdptes_ok(v)) {
		return p;
	}
	p.outcome = OUTCOME_OK;
	p.check = true;
	p.want = env->long64 && (env->cr4 & CR4_PCIDE) ? v & ~CR3_NOFLUSH : v;
	return p;
}

static bool efer_valid(const struct crmsr_env *env, uint64_t v)
{
	uint64_t ok =
	    EFER_LMA | (has_syscall ? EFER_SCE : 0) | (has_lm ? EFER_LME : 0) | (has_nx ? EFER_NXE : 0);
	if (v & ~ok)
		return false;
	return !(((v ^ env->efer) & EFER_LME) && (env->cr0 & CR0_PG));
}

static bool pat_valid(uint64_t v)
{
	for (int i = 0; i < 8; i++)
		if (!PAT_VALID((v >> (8 * i)) & 0xff))
			return false;
	return true;
}

/* Does RDMSR of msr work? -1: not predicted (not under coopvmm). */
static int msr_readable(uint32_t msr)
{
	if (!coop)
		return -1;
	switch (msr) {
	case MSR_TSC:
	case MSR_TSC_ADJUST:
	case MSR_APIC_BASE:
	case MSR_MTRRCAP:
	case MSR_SYSENTER_CS:
	case MSR_SYSENTER_ESP:
	case MSR_SYSENTER_EIP:
	case MSR_MISC_ENABLE:
	case MSR_DEBUGCTL:
	case MSR_PAT:
	case MSR_MTRR_DEF_TYPE:
	case MSR_TSC_DEADLINE:
	case MSR_EFER:
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SFMASK:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_TSC_AUX:
		return 1;
	default:
		return 0; /* x2APIC MSRs too: the LAPIC is in xAPIC mode here */
	}
}

/* What WRMSR msr, v does (the MSR reads or not, per `readable`; cur: what
 * it read before). */
static struct pred pred_wrmsr(const struct crmsr_env *env, uint32_t msr, uint64_t v, int readable,
			      uint64_t cur)
{
	struct pred p = {-1, false, 0};
	bool ok;
	switch (msr) {
	case MSR_STAR:
		ok = true;
		break;
	case MSR_SYSENTER_CS:
		ok = true;
		p.want = v & 0xffffffffULL; /* bits 63:32: writes ignored */
		break;
	case MSR_SYSENTER_ESP:
	case MSR_SYSENTER_EIP:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
		ok = canonical(v);
		break;
	case MSR_SFMASK:
	case MSR_TSC_AUX:
		ok = !(v >> 32);
		break;
	case MSR_PAT:
		ok = pat_valid(v);
		break;
	case MSR_EFER:
		ok = efer_valid(env, v);
		p.want = (v & ~EFER_LMA) | (env->efer & EFER_LMA);
		break;
	case MSR_TSC_DEADLINE:
	case MSR_APIC_BASE: /* write-back only (no random values: see crmsr.h) */
		ok = true;
		p.check = false;
		goto done;
	case MSR_MTRR_DEF_TYPE: /* coopvmm: accepted and ignored, reads 0 */
		ok = true;
		p.want = 0;
		break;
	case MSR_TSC:	     /* coopvmm: sets the guest's TSC (offsetting) */
	case MSR_TSC_ADJUST: /* and moves it by the difference */
		ok = true;
		p.check = false;
		goto done;
	case MSR_MISC_ENABLE: /* coopvmm: fast strings (bit 0) writable, other bits as read */
		ok = !((v ^ cur) & ~1ULL);
		p.want = v;
		break;
	case MSR_DEBUGCTL: /* coopvmm: only BTF is writable (docs/guest-platform.md) */
		ok = !(v & ~DEBUGCTL_BTF_);
		break;
	case MSR_MTRRCAP:
		ok = false; /* coopvmm: read-only (documented) */
		break;
	default:
		ok = false;
		break;
	}
	if (!coop)
		return p; /* QEMU TCG stores unchecked values, knows other MSRs */
	if (readable == 0)
		ok = false; /* nothing else exists */
	p.outcome = ok ? OUTCOME_OK : OUTCOME_GP;
	if (ok && msr != MSR_SYSENTER_CS && msr != MSR_EFER && msr != MSR_MTRR_DEF_TYPE &&
	    msr != MSR_MISC_ENABLE)
		p.want = v;
	p.check = ok;
	return p;
done:
	if (coop)
		p.outcome = readable == 0 ? OUTCOME_GP : OUTCOME_OK;
	return p;
}

/* ---- execution ---- */

static int outcome_of(uint16_t vector)
{
	return vector == OP_NO_VECTOR ? OUTCOME_OK
	       : vector == VEC_GP     ? OUTCOME_GP
	       : vector == VEC_UD     ? OUTCOME_UD
				      : OUTCOME_OTHER;
}

static const char *outcome_name(int o)
{
	return o == OUTCOME_OK ? "ok" : o == OUTCOME_GP ? "#GP" : o == OUTCOME_UD ? "#UD" : "other";
}

/* clang-format off */
#define CR_TRIPLE(n, op)                                                                                     \
	__asm__ volatile("mov %1, %%cr" #n "\n\tmov %%cr" #n ", %0\n\tmov %2, %%cr" #n                    \
			 : "=&r"(out) : "r"((uintptr_t)(op)->val), "r"((uintptr_t)(op)->restore) : "memory")
/* clang-format on */

static void exec_one(void *arg)
{
	struct crmsr_op *op = arg;
	uintptr_t out = 0;
	uint32_t lo, hi;
	switch (op->kind) {
	case OPK_RDMSR:
		op->out = rdmsr(op->index);
		return;
	case OPK_WRMSR:
		wrmsr(op->index, op->val);
		return;
	case OPK_CR0:
		CR_TRIPLE(0, op);
		break;
	case OPK_CR3:
		CR_TRIPLE(3, op);
		break;
	case OPK_CR4:
		CR_TRIPLE(4, op);
		break;
#ifdef __x86_64__
	case OPK_CR8:
		CR_TRIPLE(8, op);
		break;
#endif
	case OPK_XSETBV:
		__asm__ volatile("xsetbv"
				 :
				 : "c"(op->index), "a"((uint32_t)op->val), "d"((uint32_t)(op->val >> 32))
				 : "memory");
		return;
	case OPK_XGETBV:
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(op->index));
		op->out = ((uint64_t)hi << 32) | lo;
		return;
	case OPK_CR_UD: /* MOV to CRn from (R/E)AX: 0F 22 /r, REX.R for CR8-15 */
		switch (op->index) {
		case 1:
			__asm__ volatile(".byte 0x0f, 0x22, 0xc8" : : "a"((uintptr_t)op->val));
			break;
		case 5:
			__asm__ volatile(".byte 0x0f, 0x22, 0xe8" : : "a"((uintptr_t)op->val));
			break;
		case 6:
			__asm__ volatile(".byte 0x0f, 0x22, 0xf0" : : "a"((uintptr_t)op->val));
			break;
		case 7:
			__asm__ volatile(".byte 0x0f, 0x22, 0xf8" : : "a"((uintptr_t)op->val));
			break;
#ifdef __x86_64__
		case 9:
			__asm__ volatile(".byte 0x44, 0x0f, 0x22, 0xc8" : : "a"((uintptr_t)op->val));
			break;
		case 12:
			__asm__ volatile(".byte 0x44, 0x0f, 0x22, 0xe0" : : "a"((uintptr_t)op->val));
			break;
		case 15:
			__asm__ volatile(".byte 0x44, 0x0f, 0x22, 0xf8" : : "a"((uintptr_t)op->val));
			break;
#endif
		default:
			fail("OPK_CR_UD: no encoding for CR%u", op->index);
		}
		return;
	default:
		fail("crmsr: unknown operation kind %u", op->kind);
	}
	op->out = out;
}

void crmsr_exec(const struct crmsr_env *env, struct crmsr_op *ops, uint32_t n)
{
#ifndef __x86_64__
	if (env->real) {
		if (ops != (struct crmsr_op *)RMOPS_BUF || n > RMOPS_MAX)
			fail("crmsr_exec: real-mode operations must be at RMOPS_BUF, at most %u", RMOPS_MAX);
		rmops_run(n);
		return;
	}
#else
	if (env->real)
		fail("crmsr_exec: no real mode in the 64-bit runtime");
#endif
	for (uint32_t i = 0; i < n; i++) {
		struct trap_info ti;
		int v = trap_catch(exec_one, &ops[i], &ti);
		ops[i].vector = v == TRAP_NONE ? OP_NO_VECTOR : (uint16_t)v;
	}
}

/* ---- checking ---- */

/* Mismatches are grouped by signature (mode, kind, what went wrong, and the
 * bits in which the read-back differs): one example and a count each. */
#define MAX_SIGS 24
struct sig {
	const char *mode, *why;
	uint16_t kind;
	int got, want;
	uint64_t diff;
	uint32_t count;
	struct crmsr_op example;
	struct pred p;
};
static struct sig sigs[MAX_SIGS];
static uint32_t nsigs;

static void note_mismatch(const struct crmsr_env *env, const struct crmsr_op *op, struct pred p, int got,
			  const char *why)
{
	uint64_t diff = got == OUTCOME_OK && p.check ? op->out ^ p.want : 0;
	if (op->kind == OPK_WRMSR || op->kind == OPK_RDMSR)
		diff = 0; /* MSRs: one signature per outcome, whatever the value */
	for (uint32_t i = 0; i < nsigs; i++) {
		struct sig *g = &sigs[i];
		if (g->mode == env->mode && g->kind == op->kind && g->why == why && g->got == got &&
		    g->want == p.outcome && g->diff == diff) {
			g->count++;
			return;
		}
	}
	if (nsigs == MAX_SIGS)
		return; /* the table is full: counted in the totals only */
	sigs[nsigs++] = (struct sig){env->mode, why, op->kind, got, p.outcome, diff, 1, *op, p};
	printf("MISMATCH %s: %s index %#x value %#llx: %s\n", env->mode, kind_names[op->kind], op->index,
	       (unsigned long long)op->val, why);
	printf("  got %s (vector %u), expected %s; read-back %#llx, expected %#llx\n", outcome_name(got),
	       op->vector == OP_NO_VECTOR ? 0 : op->vector,
	       p.outcome < 0 ? "ok or #GP" : outcome_name(p.outcome), (unsigned long long)op->out,
	       (unsigned long long)p.want);
}

static void record(const struct crmsr_env *env, struct crmsr_stats *st, const struct crmsr_op *op,
		   struct pred p)
{
	int got = outcome_of(op->vector);
	st->n[op->kind][got]++;
	st->ops++;
	const char *why = NULL;
	if (got == OUTCOME_OTHER)
		why = "unexpected exception";
	else if (p.outcome >= 0 && got != p.outcome)
		why = p.outcome == OUTCOME_OK ? "refused, the CPU accepts it" : "the CPU refuses it";
	else if (p.outcome < 0 && got == OUTCOME_UD && op->kind == OPK_WRMSR)
		why = "#UD from WRMSR";
	else if (got == OUTCOME_OK && p.check && op->out != p.want && op->kind != OPK_WRMSR)
		why = "read-back differs";
	if (!why)
		return;
	st->mismatches++;
	note_mismatch(env, op, p, got, why);
}

/* After each batch: the sane state is back (a failed restore would leave
 * the guest running on a value it did not keep). */
static void check_sane(const struct crmsr_env *env, struct crmsr_stats *st)
{
	if (env->real)
		return; /* rmops_run returns with the protected-mode state it saved */
	uint64_t cr0 = read_cr0(), cr3 = read_cr3(), cr4 = read_cr4();
	if (cr0 == env->cr0 && cr3 == env->cr3 && cr4 == env->cr4)
		return;
	st->restore_failures++;
	printf("MISMATCH %s: state after the batch cr0 %#llx cr3 %#llx cr4 %#llx, saved %#llx %#llx %#llx\n",
	       env->mode, (unsigned long long)cr0, (unsigned long long)cr3, (unsigned long long)cr4,
	       (unsigned long long)env->cr0, (unsigned long long)env->cr3, (unsigned long long)env->cr4);
	write_cr4((uintptr_t)env->cr4);
	write_cr3((uintptr_t)env->cr3);
	write_cr0((uintptr_t)env->cr0);
}

static struct crmsr_op *op_buf(void)
{
	return (struct crmsr_op *)RMOPS_BUF;
}

static struct crmsr_op mk(uint16_t kind, uint32_t index, uint64_t val, uint64_t restore)
{
	return (struct crmsr_op){kind, OP_NO_VECTOR, index, val, restore, 0};
}

/* A random 64-bit value of the kinds MSRs care about. */
static uint64_t msr_value(struct rng *r, const struct crmsr_env *env, uint64_t current)
{
	uint64_t x = rng_next(r);
	switch (rng_below(r, 8)) {
	case 0:
		return x; /* anything */
	case 1:
		return x & 0xffffffffULL; /* EDX = 0 */
	case 2:
		return current ^ (1ULL << rng_below(r, 64)); /* one bit flipped */
	case 3:
		return (uint64_t)(int64_t)(int32_t)x; /* sign-extended 32 bits */
	case 4:
		return 1ULL << rng_below(r, 64);
	case 5: /* near the canonical boundary */
		return (rng_below(r, 2) ? ~0ULL << (linear_bits - 1) : (1ULL << (linear_bits - 1)) - 1) ^
		       (x & 0xfff);
	case 6: /* PAT-like: eight memory-type bytes */
		return x & 0x0707070707070707ULL;
	default:
		return env->efer ^ (x & 0xfff); /* EFER-like */
	}
}

static bool random_write_allowed(uint32_t msr, int readable)
{
	if (msr == MSR_APIC_BASE || msr == MSR_TSC || msr == MSR_TSC_ADJUST)
		return false;
	/* Not under coopvmm: only MSRs that do not read, or coopvmm's own (the
	 * others do model-specific things). */
	if (!coop && readable &&
	    !(msr == MSR_SYSENTER_CS || msr == MSR_SYSENTER_ESP || msr == MSR_SYSENTER_EIP ||
	      msr == MSR_PAT || msr == MSR_EFER || (msr >= MSR_STAR && msr <= MSR_SFMASK) ||
	      (msr >= MSR_FS_BASE && msr <= MSR_TSC_AUX)))
		return false;
	return true;
}

/* One batch: reads of msrs[0..n), then the writes each result calls for. */
static void msr_batch(const struct crmsr_env *env, struct crmsr_stats *st, const uint32_t *msrs, uint32_t n,
		      struct rng *r)
{
	struct crmsr_op *ops = op_buf();
	static uint8_t readable[BATCH / 4];
	static uint64_t orig[BATCH / 4];
	for (uint32_t i = 0; i < n; i++)
		ops[i] = mk(OPK_RDMSR, msrs[i], 0, 0);
	crmsr_exec(env, ops, n);
	for (uint32_t i = 0; i < n; i++) {
		int want = msr_readable(msrs[i]);
		struct pred p = {want < 0 ? -1 : want ? OUTCOME_OK : OUTCOME_GP, false, 0};
		record(env, st, &ops[i], p);
		readable[i] = ops[i].vector == OP_NO_VECTOR;
		orig[i] = ops[i].out;
	}
	/* Per MSR that reads: write-back, random, read-back, write-back (4 ops);
	 * per MSR that does not: one random write. */
	uint32_t k = 0;
	uint64_t vals[BATCH / 4];
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v = msr_value(r, env, orig[i]);
		vals[i] = v;
		if (readable[i]) {
			ops[k++] = mk(OPK_WRMSR, msrs[i], orig[i], 0);
			if (random_write_allowed(msrs[i], 1)) {
				ops[k++] = mk(OPK_WRMSR, msrs[i], v, 0);
				ops[k++] = mk(OPK_RDMSR, msrs[i], 0, 0);
				ops[k++] = mk(OPK_WRMSR, msrs[i], orig[i], 0);
			}
		} else if (random_write_allowed(msrs[i], 0)) {
			ops[k++] = mk(OPK_WRMSR, msrs[i], v, 0);
		}
	}
	crmsr_exec(env, ops, k);
	k = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t msr = msrs[i];
		if (readable[i]) {
			/* The value just read goes back in, except where coopvmm
			 * documents the MSR read-only (TSC, MISC_ENABLE, MTRRcap). */
			struct pred wb = pred_wrmsr(env, msr, orig[i], 1, orig[i]);
			record(env, st, &ops[k++], wb);
			if (!random_write_allowed(msr, 1))
				continue;
			struct pred p = pred_wrmsr(env, msr, vals[i], 1, orig[i]);
			struct crmsr_op *w = &ops[k++], *rb = &ops[k++], *re = &ops[k++];
			record(env, st, w, p);
			/* The read-back after an accepted write. */
			struct pred pr = {OUTCOME_OK, p.check && w->vector == OP_NO_VECTOR, p.want};
			if (!coop)
				pr.outcome = -1;
			record(env, st, rb, pr);
			record(env, st, re, wb);
		} else if (random_write_allowed(msr, 0)) {
			record(env, st, &ops[k++], pred_wrmsr(env, msr, vals[i], 0, 0));
		}
	}
	check_sane(env, st);
}

void crmsr_msr_sweep(const struct crmsr_env *env, struct crmsr_stats *st, uint32_t first, uint32_t last,
		     struct rng *r)
{
	uint32_t msrs[BATCH / 4], n = 0;
	for (uint64_t m = first; m <= last; m++) {
		msrs[n++] = (uint32_t)m;
		if (n == ARRAY_SIZE(msrs) || m == last) {
			msr_batch(env, st, msrs, n, r);
			n = 0;
		}
	}
}

void crmsr_msr_random(const struct crmsr_env *env, struct crmsr_stats *st, uint32_t count, struct rng *r)
{
	/* Boundaries of the SDM's ranges, then random indices. */
	static const uint32_t edges[] = {0x1fff,     0x2000,	 0x3fffffff, 0x40000000,
					 0x400000ff, 0x40000100, 0xbfffffff, 0xc0000000,
					 0xc0001fff, 0xc0002000, 0xffffffff, 0x7fffffff};
	uint32_t msrs[BATCH / 4], n = 0;
	for (uint32_t i = 0; i < count; i++) {
		msrs[n++] = i < ARRAY_SIZE(edges) ? edges[i] : rng_u32(r);
		if (n == ARRAY_SIZE(msrs) || i + 1 == count) {
			msr_batch(env, st, msrs, n, r);
			n = 0;
		}
	}
}

/* A random value near a sane one: a few bits flipped, or anything. */
static uint64_t near(struct rng *r, uint64_t sane, unsigned width)
{
	uint64_t v = sane;
	switch (rng_below(r, 4)) {
	case 0:
		v = rng_next(r);
		break;
	default:
		for (uint32_t k = rng_below(r, 3) + 1; k; k--)
			v ^= 1ULL << rng_below(r, width);
		break;
	}
	return width == 64 ? v : v & ((1ULL << width) - 1);
}

static uint64_t cr3_value(const struct crmsr_env *env, struct rng *r, unsigned width)
{
	if (!(env->cr0 & CR0_PG))
		return near(r, env->cr3, width); /* paging off: anything, harmless */
	uint64_t v = env->cr3_roots[rng_below(r, 2)];
	if (env->long64) {
		v |= rng_next(r) & 0xfff;
		/* A reserved bit; not in QEMU 7.2 TCG, which hangs on them. */
		if (coop && rng_below(r, 2))
			v |= 1ULL << (maxphy + rng_below(r, 64 - maxphy));
	} else if (env->cr4 & CR4_PAE) {
		/* QEMU 7.2 TCG loads PDPTEs without checking them: the PDPT
		 * with a reserved bit is tried under coopvmm only. */
		if (env->cr3_bad && coop && rng_below(r, 4) == 0)
			v = env->cr3_bad;
		v |= rng_next(r) & 0x1f; /* bits 4:0 are ignored */
	} else {
		v |= rng_next(r) & 0xfff;
	}
	return v;
}

void crmsr_cr_fuzz(const struct crmsr_env *env, struct crmsr_stats *st, uint32_t count, uint64_t deadline,
		   struct rng *r)
{
	static const uint32_t undefined_crs[] = {1, 5, 6, 7, 9, 12, 15};
	unsigned width = env->long64 ? 64 : 32;
	uint32_t done = 0;
	while (done < count && rdtsc() < deadline) {
		uint32_t n = count - done < RMOPS_MAX ? count - done : RMOPS_MAX;
		struct crmsr_op *ops = op_buf();
		for (uint32_t i = 0; i < n; i++) {
			uint32_t which = rng_below(r, 16);
			uint64_t v;
			if (which < 4) {
				v = near(r, env->cr0, width);
				/* QEMU 7.2 TCG keeps reserved CR0 bits and takes PG
				 * without PE: there, valid values only. */
				if (!coop) {
					v &= CR0_DEFINED;
					if ((v & CR0_PG) && !(v & CR0_PE))
						v &= ~(uint64_t)CR0_PG;
					if ((v & CR0_NW) && !(v & CR0_CD))
						v &= ~(uint64_t)CR0_NW;
					if (env->long64)
						v |= CR0_PG | CR0_PE;
				}
				/* Paging on, not long mode: PAE stays as it is in
				 * CR4, so no PG/PE combination maps differently. */
				ops[i] = mk(OPK_CR0, 0, v, env->cr0);
			} else if (which < 7) {
				ops[i] = mk(OPK_CR3, 3, cr3_value(env, r, width), env->cr3);
			} else if (which < 11) {
				v = near(r, env->cr4, width);
				/* PAE paging on outside long mode: clearing PAE would
				 * turn the PDPT into a legacy page directory (the CPU
				 * accepts that and the guest's mappings are gone). */
				if ((env->cr0 & CR0_PG) && (env->cr4 & CR4_PAE) && !env->long64)
					v |= CR4_PAE;
				/* QEMU 7.2 TCG hangs on a MOV to CR4 with a bit it does
				 * not know (instead of #GP), and turns PAE on with
				 * paging on without checking the PDPTEs: there, known
				 * bits only and PAE as it is. */
				if (!coop) {
					v &= cr4_supported;
					if (env->cr0 & CR0_PG)
						v = (v & ~(uint64_t)CR4_PAE) | (env->cr4 & CR4_PAE);
				}
				ops[i] = mk(OPK_CR4, 4, v, env->cr4);
			} else if (which < 13 && env->long64) {
				v = rng_below(r, 2) ? rng_below(r, 16) : near(r, 0, 64);
				if (!coop) /* QEMU 7.2 TCG takes CR8 bits 63:4 without #GP */
					v &= 0xf;
				ops[i] = mk(OPK_CR8, 8, v, 0);
			} else if (which < 14) {
				ops[i] = mk(OPK_XSETBV, rng_below(r, 2) ? 0 : rng_u32(r),
					    rng_below(r, 2) ? 7 : rng_next(r), 0);
			} else if (which < 15) {
				ops[i] = mk(OPK_XGETBV, rng_below(r, 2) ? 0 : rng_u32(r), 0, 0);
			} else {
				uint32_t cr = undefined_crs[rng_below(r, env->long64 ? 7 : 4)];
				ops[i] = mk(OPK_CR_UD, cr, rng_next(r), 0);
			}
		}
		crmsr_exec(env, ops, n);
		for (uint32_t i = 0; i < n; i++) {
			struct crmsr_op *op = &ops[i];
			struct pred p = {OUTCOME_UD, false, 0};
			switch (op->kind) {
			case OPK_CR0:
				p = pred_cr0(env, op->val);
				break;
			case OPK_CR3:
				p = pred_cr3(env, op->val);
				break;
			case OPK_CR4:
				p = pred_cr4(env, op->val);
				break;
			case OPK_CR8:
				p.outcome = op->val > 15 ? OUTCOME_GP : OUTCOME_OK;
				p.check = op->val <= 15;
				p.want = op->val;
				break;
			default: /* XSETBV/XGETBV with CR4.OSXSAVE = 0, undefined CRs: #UD */
				break;
			}
			record(env, st, op, p);
		}
		check_sane(env, st);
		done += n;
	}
	if (done < count)
		printf("%s: CR fuzzing stopped by its time bound after %u of %u operations\n", env->mode,
		       done, count);
}

void crmsr_report_signatures(void)
{
	if (!nsigs)
		return;
	printf("mismatch signatures (%u%s):\n", nsigs, nsigs == MAX_SIGS ? ", table full" : "");
	for (uint32_t i = 0; i < nsigs; i++) {
		const struct sig *g = &sigs[i];
		printf("  %5u x %s, %s: %s (got %s, expected %s, read-back bits %#llx)\n", g->count, g->mode,
		       kind_names[g->kind], g->why, outcome_name(g->got),
		       g->want < 0 ? "ok or #GP" : outcome_name(g->want), (unsigned long long)g->diff);
		printf("          e.g. index %#x value %#llx read-back %#llx\n", g->example.index,
		       (unsigned long long)g->example.val, (unsigned long long)g->example.out);
	}
}

uint32_t crmsr_report(const struct crmsr_env *env, const struct crmsr_stats *st)
{
	printf("%s: %u operations, %u mismatches, %u failed restores\n", env->mode, st->ops, st->mismatches,
	       st->restore_failures);
	for (int k = OPK_RDMSR; k <= OPK_CR_UD; k++) {
		const uint32_t *c = st->n[k];
		if (c[0] + c[1] + c[2] + c[3])
			printf("  %-20s ok %6u  #GP %6u  #UD %6u  other %u\n", kind_names[k], c[OUTCOME_OK],
			       c[OUTCOME_GP], c[OUTCOME_UD], c[OUTCOME_OTHER]);
	}
	return st->mismatches + st->restore_failures;
}
