/* SPDX-License-Identifier: GPL-2.0-only */
/* msr: the MSR allow-list of docs/guest-platform.md "CPU": TSC readable and
 * increasing, APIC_BASE = 0xfee00000 | enable | BSP, write + read-back of
 * EFER, SYSENTER_CS/ESP/EIP, STAR/LSTAR/CSTAR/SFMASK, FS/GS/KERNEL_GS base
 * and PAT (each where CPUID says the MSR exists), reads of MISC_ENABLE,
 * MTRRcap, MTRRdefType; #GP(0) for MSRs off the list (0x1234,
 * IA32_FEATURE_CONTROL, the VMX capability MSRs) and for architecturally
 * invalid writes (MTRRcap, a PAT with a reserved memory type, non-canonical
 * LSTAR/CSTAR/KERNEL_GS_BASE/FS/GS/SYSENTER addresses, reserved high bits
 * of SFMASK and TSC_AUX), each leaving the MSR unchanged. */
#include "rt/rt.h"

#include "rt/hv.h"
#include "rt/lapic.h"

#define MSR_IA32_TSC		 0x010
#define MSR_IA32_FEATURE_CONTROL 0x03a /* CPUID.1:ECX.VMX or SMX: not for guests */
#define MSR_IA32_MTRRCAP	 0x0fe /* CPUID.1:EDX.MTRR, read-only */
#define MSR_IA32_SYSENTER_CS	 0x174 /* CPUID.1:EDX.SEP */
#define MSR_IA32_SYSENTER_ESP	 0x175
#define MSR_IA32_SYSENTER_EIP	 0x176
#define MSR_IA32_MISC_ENABLE	 0x1a0
#define MSR_IA32_PAT		 0x277 /* CPUID.1:EDX.PAT */
#define MSR_IA32_MTRR_DEF_TYPE	 0x2ff /* CPUID.1:EDX.MTRR */
#define MSR_IA32_VMX_BASIC	 0x480 /* CPUID.1:ECX.VMX: hidden */
#define MSR_IA32_EFER		 0xc0000080
#define EFER_SCE		 (1ULL << 0)  /* CPUID.80000001:EDX.SYSCALL or LM */
#define EFER_NXE		 (1ULL << 11) /* CPUID.80000001:EDX.NX */
#define MSR_STAR		 0xc0000081   /* CPUID.80000001:EDX.SYSCALL or LM */
#define MSR_LSTAR		 0xc0000082   /* CPUID.80000001:EDX.LM */
#define MSR_CSTAR		 0xc0000083
#define MSR_SFMASK		 0xc0000084
#define MSR_FS_BASE		 0xc0000100
#define MSR_GS_BASE		 0xc0000101
#define MSR_KERNEL_GS_BASE	 0xc0000102
#define MSR_TSC_AUX		 0xc0000103 /* CPUID.80000001:EDX.RDTSCP */
#define CPUIDX_EDX_RDTSCP	 (1U << 27)
#define MSR_UNLISTED		 0x1234
#define MSR_IA32_TSC_ADJUST	 0x03b /* CPUID.7.0:EBX bit 1 */
#define CPUID7_EBX_TSC_ADJUST	 (1U << 1)
#define TSC_JUMP		 (1ULL << 40)
#define TSC_SLACK		 (1ULL << 30) /* cycles between the write and the read back */
#define MISC_RESERVED_BIT	 (1ULL << 22) /* "limit CPUID maxval": reported 0 by coopvmm */

/* PAT: bytes 06 04 07 00 06 04 05 01 (all valid types: UC WC WT WP WB UC-). */
#define PAT_TEST_VALUE	  0x0105040600070406ULL
#define PAT_RESERVED_TYPE 0x0007040600070402ULL /* byte 0 = 2: reserved */

/* Values hardware refuses with #GP(0) (SDM Vol. 4 table 2-2, Vol. 2B WRMSR):
 * a non-canonical address (48-bit linear addresses: bits 63:47 unequal)
 * for the address MSRs, reserved bits 63:32 for SFMASK and TSC_AUX. */
#define NON_CANONICAL	0x0000800000000000ULL
#define NON_CANONICAL_2 0x8000000000001000ULL
#define HIGH_BITS	0x0000000100000000ULL

static void expect_gp(const char *what, int vector, const struct trap_info *ti)
{
	printf("  %s: %s, error code %#x\n", what, vector == TRAP_NONE ? "no exception" : trap_name(vector),
	       ti->error_code);
	EXPECT_EQ(vector, VEC_GP);
	EXPECT_EQ(ti->error_code, 0);
}

static void write_read_back(const char *name, uint32_t msr, uint64_t value)
{
	struct trap_info ti;
	uint64_t old, got;
	int v = rdmsr_safe(msr, &old, &ti);
	if (v != TRAP_NONE)
		fail("rdmsr %s (%#x): %s, error code %#x", name, msr, trap_name(v), ti.error_code);
	v = wrmsr_safe(msr, value, &ti);
	if (v != TRAP_NONE)
		fail("wrmsr %s (%#x) = %#llx: %s, error code %#x", name, msr, (unsigned long long)value,
		     trap_name(v), ti.error_code);
	got = rdmsr(msr);
	printf("  %-14s %#010x: was %#llx, wrote %#llx, read back %#llx\n", name, msr,
	       (unsigned long long)old, (unsigned long long)value, (unsigned long long)got);
	EXPECT_EQ(got, value);
	wrmsr(msr, old);
	EXPECT_EQ(rdmsr(msr), old);
}

static void check_tsc(void)
{
	uint64_t a = rdtsc(), m = rdmsr(MSR_IA32_TSC), b = rdtsc(), m2 = rdmsr(MSR_IA32_TSC);
	printf("TSC: rdtsc %#llx, rdmsr %#llx, rdtsc %#llx, rdmsr %#llx\n", (unsigned long long)a,
	       (unsigned long long)m, (unsigned long long)b, (unsigned long long)m2);
	if (!under_coopvmm() && m == 0 && m2 == 0) {
		skip("rdmsr IA32_TSC reads 0 (plain QEMU TCG does not implement it)");
	} else {
		EXPECT_GT(m, a);
		EXPECT_GT(b, m);
		EXPECT_GT(m2, b);
	}
	/* Never backwards; Bochs with several CPUs advances its TSC once per
	 * scheduling quantum, so two back-to-back reads may be equal there. */
	uint64_t first = rdtsc(), prev = first;
	for (int i = 0; i < 1000; i++) {
		uint64_t now = rdtsc();
		EXPECT_GE(now, prev);
		prev = now;
	}
	EXPECT_GT(prev, first);
}

static void check_apic_base(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	printf("APIC_BASE: %#llx\n", (unsigned long long)base);
	EXPECT_EQ(base, LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE | APIC_BASE_BSP);
}

static void check_listed_writes(void)
{
	bool lm = cpu_has(CPUID_LEAF_EXT_FEATURES, REG_EDX, CPUIDX_EDX_LM);
	bool syscall = lm || cpu_has(CPUID_LEAF_EXT_FEATURES, REG_EDX, CPUIDX_EDX_SYSCALL);
	bool nx = cpu_has(CPUID_LEAF_EXT_FEATURES, REG_EDX, CPUIDX_EDX_NX);
	printf("write + read back (LM %d, SYSCALL %d, NX %d, SEP %d, PAT %d):\n", lm, syscall, nx,
	       cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_SEP),
	       cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_PAT));

	if (syscall || nx) {
		uint64_t efer = rdmsr(MSR_IA32_EFER);
		write_read_back("EFER", MSR_IA32_EFER,
				efer ^ ((syscall ? EFER_SCE : 0) | (nx ? EFER_NXE : 0)));
	} else {
		skip("EFER (no SYSCALL, LM or NX in CPUID 0x80000001)");
	}
	if (cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_SEP)) {
		write_read_back("SYSENTER_CS", MSR_IA32_SYSENTER_CS, 0x0010);
		write_read_back("SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, 0x00123450);
		write_read_back("SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, 0x00654320);
	} else {
		skip("SYSENTER_* (no SEP)");
	}
	if (syscall)
		write_read_back("STAR", MSR_STAR, 0x0023001000654321ULL);
	else
		skip("STAR (no SYSCALL)");
	if (lm) {
		write_read_back("LSTAR", MSR_LSTAR, 0xffff800000123000ULL);
		write_read_back("CSTAR", MSR_CSTAR, 0x0000000000456000ULL);
		write_read_back("SFMASK", MSR_SFMASK, 0x47700);
		write_read_back("FS_BASE", MSR_FS_BASE, 0x00007fff12345000ULL);
		write_read_back("GS_BASE", MSR_GS_BASE, 0xffff888000abc000ULL);
		write_read_back("KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, 0x0000000076543000ULL);
	} else {
		skip("LSTAR, CSTAR, SFMASK, FS/GS/KERNEL_GS base (no long mode)");
	}
	if (cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_PAT))
		write_read_back("PAT", MSR_IA32_PAT, PAT_TEST_VALUE);
	else
		skip("PAT (no PAT)");
}

static void check_listed_reads(void)
{
	struct trap_info ti;
	uint64_t v;
	EXPECT_EQ(rdmsr_safe(MSR_IA32_MISC_ENABLE, &v, &ti), TRAP_NONE);
	printf("MISC_ENABLE: %#llx\n", (unsigned long long)v);
	if (cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_MTRR)) {
		EXPECT_EQ(rdmsr_safe(MSR_IA32_MTRRCAP, &v, &ti), TRAP_NONE);
		printf("MTRRcap: %#llx\n", (unsigned long long)v);
		EXPECT_EQ(rdmsr_safe(MSR_IA32_MTRR_DEF_TYPE, &v, &ti), TRAP_NONE);
		printf("MTRRdefType: %#llx\n", (unsigned long long)v);
	}
	if (cpu_has(CPUID_LEAF_FEATURES, REG_ECX, CPUID1_ECX_TSC_DEADLINE)) {
		EXPECT_EQ(rdmsr_safe(MSR_IA32_TSC_DEADLINE, &v, &ti), TRAP_NONE);
		printf("TSC_DEADLINE: %#llx\n", (unsigned long long)v);
	}
}

static void check_gp(void)
{
	struct trap_info ti;
	uint64_t v;
	if (skip_unless_coopvmm("#GP for MSRs off the allow-list (plain QEMU TCG reads them as 0)"))
		return;
	printf("#GP(0) expected:\n");
	expect_gp("rdmsr 0x1234", rdmsr_safe(MSR_UNLISTED, &v, &ti), &ti);
	expect_gp("wrmsr 0x1234", wrmsr_safe(MSR_UNLISTED, 0, &ti), &ti);
	expect_gp("rdmsr IA32_FEATURE_CONTROL", rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &v, &ti), &ti);
	expect_gp("wrmsr IA32_FEATURE_CONTROL = 5 (lock + VMXON)",
		  wrmsr_safe(MSR_IA32_FEATURE_CONTROL, 5, &ti), &ti);
	expect_gp("rdmsr IA32_VMX_BASIC", rdmsr_safe(MSR_IA32_VMX_BASIC, &v, &ti), &ti);
	if (cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_MTRR))
		expect_gp("wrmsr MTRRcap (read-only)", wrmsr_safe(MSR_IA32_MTRRCAP, 0, &ti), &ti);
	if (cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_PAT)) {
		uint64_t pat = rdmsr(MSR_IA32_PAT);
		expect_gp("wrmsr PAT with reserved type 2", wrmsr_safe(MSR_IA32_PAT, PAT_RESERVED_TYPE, &ti),
			  &ti);
		EXPECT_EQ(rdmsr(MSR_IA32_PAT), pat);
	}
	/* x2APIC MSRs while the LAPIC is in xAPIC mode (SDM Vol. 3A 10.12.1.2). */
	if (!(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD))
		expect_gp("rdmsr x2APIC ID (0x802) in xAPIC mode",
			  rdmsr_safe(MSR_X2APIC_FIRST + (APIC_ID >> 4), &v, &ti), &ti);
}

/* Each refused write must leave the MSR as it was; none may reach the CPU
 * (a VMM that executed WRMSR LSTAR with a non-canonical value would take
 * the #GP itself, in VMX root operation). */
static void expect_refused(const char *name, uint32_t msr, uint64_t value)
{
	struct trap_info ti;
	uint64_t before = rdmsr(msr);
	int v = wrmsr_safe(msr, value, &ti);
	printf("  wrmsr %-14s = %#018llx: %s, error code %#x\n", name, (unsigned long long)value,
	       v == TRAP_NONE ? "no exception" : trap_name(v), ti.error_code);
	EXPECT_EQ(v, VEC_GP);
	EXPECT_EQ(ti.error_code, 0);
	EXPECT_EQ(rdmsr(msr), before);
}

static void check_invalid_values(void)
{
	bool lm = cpu_has(CPUID_LEAF_EXT_FEATURES, REG_EDX, CPUIDX_EDX_LM);
	if (skip_unless_coopvmm("#GP for invalid MSR values (plain QEMU TCG stores them unchecked)"))
		return;
	printf("architecturally invalid values, #GP(0) expected:\n");
	if (lm) {
		expect_refused("LSTAR", MSR_LSTAR, NON_CANONICAL);
		expect_refused("LSTAR", MSR_LSTAR, NON_CANONICAL_2);
		expect_refused("CSTAR", MSR_CSTAR, NON_CANONICAL);
		expect_refused("KERNEL_GS_BASE", MSR_KERNEL_GS_BASE, NON_CANONICAL);
		expect_refused("FS_BASE", MSR_FS_BASE, NON_CANONICAL);
		expect_refused("GS_BASE", MSR_GS_BASE, NON_CANONICAL_2);
		expect_refused("SFMASK", MSR_SFMASK, HIGH_BITS);
	} else {
		skip("non-canonical LSTAR, CSTAR, KERNEL_GS_BASE, FS/GS base, SFMASK (no long mode)");
	}
	if (lm && cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_SEP)) {
		expect_refused("SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, NON_CANONICAL);
		expect_refused("SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, NON_CANONICAL_2);
	}
	if (cpu_has(CPUID_LEAF_EXT_FEATURES, REG_EDX, CPUIDX_EDX_RDTSCP)) {
		write_read_back("TSC_AUX", MSR_TSC_AUX, 0x12345678);
		expect_refused("TSC_AUX", MSR_TSC_AUX, HIGH_BITS | 7);
	} else {
		skip("TSC_AUX (no RDTSCP)");
	}
}

/* Every feature CPUID shows brings the MSRs it implies (SDM Vol. 4 table
 * 2-2 names the gating bit of each): reading them must not #GP. */
static void check_cpuid_implies_msrs(void)
{
	static const struct {
		uint32_t leaf, sub;
		int reg;
		uint32_t bit;
		uint32_t msr;
		const char *what;
	} implied[] = {
	    {1, 0, REG_ECX, 1U << 15, 0x345, "PDCM -> IA32_PERF_CAPABILITIES"},
	    {1, 0, REG_EDX, 1U << 14, 0x179, "MCA -> IA32_MCG_CAP"},
	    {1, 0, REG_EDX, 1U << 21, 0x600, "DS -> IA32_DS_AREA"},
	    {1, 0, REG_ECX, 1U << 7, 0x198, "EST -> IA32_PERF_STATUS"},
	    {1, 0, REG_EDX, 1U << 22, 0x19c, "ACPI -> IA32_THERM_STATUS"},
	    {7, 0, REG_EBX, CPUID7_EBX_TSC_ADJUST, MSR_IA32_TSC_ADJUST, "TSC_ADJUST -> IA32_TSC_ADJUST"},
	};
	printf("MSRs implied by CPUID:\n");
	for (unsigned i = 0; i < ARRAY_SIZE(implied); i++) {
		struct cpuid_regs r = cpuid(implied[i].leaf, implied[i].sub);
		uint32_t regs[4] = {r.eax, r.ebx, r.ecx, r.edx};
		if (implied[i].leaf > cpuid(0, 0).eax || !(regs[implied[i].reg] & implied[i].bit)) {
			printf("  %-32s not shown\n", implied[i].what);
			continue;
		}
		struct trap_info ti;
		uint64_t v;
		int got = rdmsr_safe(implied[i].msr, &v, &ti);
		printf("  %-32s shown, rdmsr %#x: %s\n", implied[i].what, implied[i].msr,
		       got == TRAP_NONE ? "ok" : trap_name(got));
		EXPECT_EQ(got, TRAP_NONE);
	}
}

/* WRMSR IA32_TSC moves the TSC (RDTSC and RDMSR), and IA32_TSC_ADJUST by
 * the same amount where it exists (SDM Vol. 3B 17.17.3); writing the old
 * adjust value back returns the TSC to where it would have been. */
static void check_tsc_write(void)
{
	if (!under_coopvmm() && rdmsr(MSR_IA32_TSC) == 0) {
		skip("WRMSR IA32_TSC (plain QEMU TCG with -icount neither reads nor writes it)");
		return;
	}
	bool adjust = cpu_has(7, REG_EBX, CPUID7_EBX_TSC_ADJUST);
	uint64_t adj0 = adjust ? rdmsr(MSR_IA32_TSC_ADJUST) : 0;
	uint64_t before = rdtsc(), want = before + TSC_JUMP;
	wrmsr(MSR_IA32_TSC, want);
	uint64_t now = rdtsc(), m = rdmsr(MSR_IA32_TSC);
	uint64_t adj = adjust ? rdmsr(MSR_IA32_TSC_ADJUST) : 0;
	printf("TSC written %#llx: rdtsc %#llx, rdmsr %#llx, TSC_ADJUST %#llx -> %#llx\n",
	       (unsigned long long)want, (unsigned long long)now, (unsigned long long)m,
	       (unsigned long long)adj0, (unsigned long long)adj);
	EXPECT_RANGE(m, want, want + TSC_SLACK);
	EXPECT_RANGE(now, want, want + TSC_SLACK);
	if (adjust) {
		EXPECT_RANGE(adj - adj0, TSC_JUMP - TSC_SLACK, TSC_JUMP + TSC_SLACK);
		wrmsr(MSR_IA32_TSC_ADJUST, adj0);
		uint64_t back = rdtsc();
		printf("TSC_ADJUST restored: rdtsc %#llx\n", (unsigned long long)back);
		EXPECT_RANGE(back, before, before + TSC_SLACK);
	} else {
		skip("IA32_TSC_ADJUST (not in CPUID)");
	}
}

/* IA32_MISC_ENABLE: the value read can be written back; under coopvmm
 * only fast strings may change, a bit it reports 0 cannot be set. */
static void check_misc_enable(void)
{
	struct trap_info ti;
	uint64_t v = rdmsr(MSR_IA32_MISC_ENABLE);
	EXPECT_EQ(wrmsr_safe(MSR_IA32_MISC_ENABLE, v, &ti), TRAP_NONE);
	EXPECT_EQ(rdmsr(MSR_IA32_MISC_ENABLE), v);
	printf("MISC_ENABLE %#llx written back\n", (unsigned long long)v);
	if (skip_unless_coopvmm("MISC_ENABLE reserved-bit #GP"))
		return;
	expect_gp("wrmsr MISC_ENABLE with bit 22 set",
		  wrmsr_safe(MSR_IA32_MISC_ENABLE, v | MISC_RESERVED_BIT, &ti), &ti);
	EXPECT_EQ(rdmsr(MSR_IA32_MISC_ENABLE), v);
}

/* A globally disabled APIC is gone from CPUID.1:EDX (SDM Vol. 3A 10.4.3). */
static void check_apic_disable(void)
{
	/* Plain QEMU cannot enable the APIC again once it was disabled. */
	if (skip_unless_coopvmm("CPUID.1:EDX.APIC following APIC_BASE"))
		return;
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	wrmsr(MSR_IA32_APIC_BASE, base & ~(uint64_t)APIC_BASE_ENABLE);
	bool off = cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_APIC);
	wrmsr(MSR_IA32_APIC_BASE, base);
	bool on = cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_APIC);
	printf("CPUID.1:EDX.APIC with the APIC disabled %d, enabled again %d\n", off, on);
	EXPECT_FALSE(off);
	EXPECT_TRUE(on);
	EXPECT_EQ(rdmsr(MSR_IA32_APIC_BASE), base);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	check_tsc();
	check_apic_base();
	check_listed_writes();
	check_listed_reads();
	check_invalid_values();
	check_cpuid_implies_msrs();
	check_tsc_write();
	check_misc_enable();
	check_apic_disable();
	check_gp();
	return 0;
}
