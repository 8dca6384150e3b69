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

/* PAT: bytes 06 04 07 00 06 04 05 01 (all valid types: UC WC WT WP WB UC-). */
#define PAT_TEST_VALUE	  0x0105040600070406ULL
#define PAT_RESERVED_TYPE 0x0007040600070402ULL /* byte 0 = 2: reserved */

/* Values hardware refuses with #GP(0) (SDM Vol. 4 table 2-2, Vol. 2B WRMSR):
 * a non-canonical address (48-bit linear addresses: bits 63:47 unequal)
 * for the address MSRs, reserved bits 63:32 for SFMASK and TSC_AUX. */
#define NON_CANONICAL	  0x0000800000000000ULL
#define NON_CANONICAL_2	  0x8000000000001000ULL
#define HIGH_BITS	  0x0000000100000000ULL

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

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	check_tsc();
	check_apic_base();
	check_listed_writes();
	check_listed_reads();
	check_invalid_values();
	check_gp();
	return 0;
}
