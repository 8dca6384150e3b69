/* SPDX-License-Identifier: GPL-2.0-only */
/* fake_cpu.c: the CPU of the host harness. With COOPVMM_HOST_TEST,
 * arch/x86/cpu.h and msr.h turn the instructions the exit handlers execute
 * into calls of the host_test_* functions here:
 *  - CPUID: a fixed table (a plausible VT-x host, deterministic; a test
 *    may replace entries, fcpu_set_cpuid), all ones (to see which bits the
 *    VMM clears) or the host's own. In the table, a leaf above the highest
 *    basic or extended leaf answers as the highest basic leaf, as Intel
 *    CPUs do (SDM Vol. 2A CPUID);
 *  - RDTSC: a fake TSC that only moves forward (by a settable step);
 *  - RDMSR/WRMSR: a fake MSR file. Every WRMSR is recorded, and one the
 *    real CPU would refuse with #GP (a #GP in the VMM: the host stops) is a
 *    violation: LSTAR, CSTAR, KERNEL_GS_BASE, FS_BASE, GS_BASE and
 *    SYSENTER_ESP/EIP must be canonical for the CPU's linear-address width,
 *    SFMASK and TSC_AUX must have bits 63:32 clear (EDX = 0); a WRMSR of
 *    any other MSR from an exit handler is a violation too;
 *  - CLI/STI/PUSHF: a fake RFLAGS.IF, so the harness can check the handlers
 *    leave interrupts as they found them;
 *  - INT 2 (an NMI for the host's own handler) is counted; MOV to/from CR2
 *    (the guest's CR2, loaded by the VMM before a #PF is injected) is a
 *    fake register;
 *  - PAUSE: only executed while spinning on a held lock, which in the
 *    single-threaded harness means a self-deadlock: a violation, and the
 *    lock is forced free so the run can end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "tests/harness/harness.h"

#define MSR_FILE_MAX	   64
#define CPUID_OVERRIDE_MAX 8
#define WRMSR_LOG_MAX	   16
#define FAKE_TSC_START	   1000000000ULL
#define FAKE_TSC_STEP	   100ULL
#define SPIN_LIMIT	   1000

static struct {
	enum fcpu_cpuid_mode cpuid_mode;
	unsigned linear_bits;
	uint64_t tsc, tsc_step;
	bool irq_enabled;
	unsigned spins, nmis;
	uint64_t cr2;
	struct fcpu_msr file[MSR_FILE_MAX];
	unsigned nfile;
	struct fcpu_msr wr_log[WRMSR_LOG_MAX];
	unsigned nwr;
	struct {
		uint32_t leaf, sub;
		struct cpuid_regs r;
	} cpuid_override[CPUID_OVERRIDE_MAX];
	unsigned ncpuid_override;
} cpu;

/* A VT-x host as the VMM needs it: leaf 1 with VMX, x2APIC, TSC deadline,
 * XSAVE/AVX; leaf 7 with AVX2/AVX-512F; 48-bit linear, 39-bit physical. */
static const struct {
	uint32_t leaf, sub;
	struct cpuid_regs r;
} table[] = {
    {0x0, 0, {0x16, 0x756e6547, 0x6c65746e, 0x49656e69}}, /* GenuineIntel */
    {0x1, 0, {0x000906ea, 0x00100800, 0x7ffafbff, 0xbfebfbff}},
    {0x4, 0, {0x1c004121, 0x01c0003f, 0x0000003f, 0x00000000}},
    {0x6, 0, {0x000027f7, 0x00000002, 0x00000009, 0x00000000}},
    {0x7, 0, {0x00000000, 0x029c6fbf, 0x40000000, 0xbc000400}},
    {0xa, 0, {0x07300404, 0x00000000, 0x00000000, 0x00000603}},
    {0xb, 0, {0x00000001, 0x00000002, 0x00000100, 0x00000003}},
    {0xb, 1, {0x00000004, 0x00000008, 0x00000201, 0x00000003}},
    {0xd, 0, {0x0000001f, 0x00000440, 0x00000440, 0x00000000}},
    {0x16, 0, {0x00000e10, 0x00001194, 0x00000064, 0x00000000}},
    {0x80000000, 0, {0x80000008, 0, 0, 0}},
    {0x80000001, 0, {0x00000000, 0x00000000, 0x00000121, 0x2c100800}},
    {0x80000007, 0, {0x00000000, 0x00000000, 0x00000000, 0x00000100}},
    {0x80000008, 0, {0x00003027, 0x00000000, 0x00000000, 0x00000000}},
};

static uint64_t fake_dr[8];

void fcpu_reset(void)
{
	memset(&cpu, 0, sizeof(cpu));
	memset(fake_dr, 0, sizeof(fake_dr));
	cpu.cpuid_mode = FCPU_CPUID_TABLE;
	cpu.linear_bits = 48;
	cpu.tsc = FAKE_TSC_START;
	cpu.tsc_step = FAKE_TSC_STEP;
	cpu.irq_enabled = false; /* exits are handled with interrupts off */
}

void fcpu_set_cpuid_mode(enum fcpu_cpuid_mode m)
{
	cpu.cpuid_mode = m;
}

void fcpu_set_cpuid(uint32_t leaf, uint32_t sub, struct cpuid_regs r)
{
	unsigned i = 0;
	while (i < cpu.ncpuid_override &&
	       (cpu.cpuid_override[i].leaf != leaf || cpu.cpuid_override[i].sub != sub))
		i++;
	if (i == CPUID_OVERRIDE_MAX) {
		hv_violation("harness", "too many CPUID overrides");
		return;
	}
	if (i == cpu.ncpuid_override)
		cpu.ncpuid_override++;
	cpu.cpuid_override[i].leaf = leaf;
	cpu.cpuid_override[i].sub = sub;
	cpu.cpuid_override[i].r = r;
}

unsigned fcpu_linear_bits(void)
{
	return cpu.linear_bits;
}

void fcpu_set_linear_bits(unsigned bits)
{
	cpu.linear_bits = bits;
}

void fcpu_set_tsc_step(uint64_t step)
{
	cpu.tsc_step = step;
}

uint64_t fcpu_tsc(void)
{
	return cpu.tsc;
}

bool fcpu_irq_enabled(void)
{
	return cpu.irq_enabled;
}

void fcpu_set_irq_enabled(bool on)
{
	cpu.irq_enabled = on;
}

static struct fcpu_msr *find_msr(uint32_t msr)
{
	for (unsigned i = 0; i < cpu.nfile; i++)
		if (cpu.file[i].msr == msr)
			return &cpu.file[i];
	return NULL;
}

void fcpu_set_msr(uint32_t msr, uint64_t val)
{
	struct fcpu_msr *m = find_msr(msr);
	if (!m) {
		if (cpu.nfile == MSR_FILE_MAX) {
			hv_violation("harness", "fake MSR file full");
			return;
		}
		m = &cpu.file[cpu.nfile++];
		m->msr = msr;
	}
	m->val = val;
}

bool fcpu_get_msr(uint32_t msr, uint64_t *val)
{
	struct fcpu_msr *m = find_msr(msr);
	if (!m)
		return false;
	*val = m->val;
	return true;
}

unsigned fcpu_wrmsr_count(void)
{
	return cpu.nwr;
}

const struct fcpu_msr *fcpu_wrmsr_at(unsigned i)
{
	return i < cpu.nwr && i < WRMSR_LOG_MAX ? &cpu.wr_log[i] : NULL;
}

void fcpu_clear_wrmsr_log(void)
{
	cpu.nwr = 0;
}

static bool canonical(uint64_t a)
{
	unsigned s = 64 - cpu.linear_bits;
	return (uint64_t)((int64_t)(a << s) >> s) == a;
}

/* --- the functions arch/x86/cpu.h and msr.h call with COOPVMM_HOST_TEST --- */

/* One leaf of the table (overrides first); a leaf it does not list is 0. */
static struct cpuid_regs table_leaf(uint32_t leaf, uint32_t sub)
{
	bool by_sub = leaf == 0x4 || leaf == 0x7 || leaf == 0xb || leaf == 0xd;
	for (unsigned i = 0; i < cpu.ncpuid_override; i++)
		if (cpu.cpuid_override[i].leaf == leaf && (cpu.cpuid_override[i].sub == sub || !by_sub))
			return cpu.cpuid_override[i].r;
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].leaf == leaf && (table[i].sub == sub || !by_sub))
			return table[i].r;
	return (struct cpuid_regs){0, 0, 0, 0};
}

struct cpuid_regs host_test_cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r = {0, 0, 0, 0};
	uint32_t max_basic, max_ext;
	switch (cpu.cpuid_mode) {
	case FCPU_CPUID_ALL_ONES:
		r = (struct cpuid_regs){~0U, ~0U, ~0U, ~0U};
		break;
	case FCPU_CPUID_HOST:
		__asm__ volatile("cpuid"
				 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
				 : "a"(leaf), "c"(sub));
		break;
	default:
		max_basic = table_leaf(0, 0).eax;
		max_ext = table_leaf(0x80000000U, 0).eax;
		if (leaf < 0x80000000U ? leaf > max_basic : leaf > max_ext)
			leaf = max_basic;
		r = table_leaf(leaf, sub);
		break;
	}
	return r;
}

uint64_t host_test_rdtsc(void)
{
	cpu.tsc += cpu.tsc_step;
	return cpu.tsc;
}

uint64_t host_test_read_rflags(void)
{
	return 0x2 | (cpu.irq_enabled ? RFLAGS_IF : 0);
}

void host_test_irq_disable(void)
{
	cpu.irq_enabled = false;
}

void host_test_irq_enable(void)
{
	cpu.irq_enabled = true;
}

void host_test_cpu_relax(void)
{
	if (++cpu.spins == SPIN_LIMIT)
		hv_violation("deadlock",
			     "spinning on a lock that is held: self-deadlock in a single-threaded run");
	if (cpu.spins >= SPIN_LIMIT)
		hv_break_locks();
}

void host_test_nmi_self(void)
{
	cpu.nmis++;
}

unsigned fcpu_nmis(void)
{
	return cpu.nmis;
}

uint64_t host_test_read_cr2(void)
{
	return cpu.cr2;
}

void host_test_write_cr2(uint64_t v)
{
	cpu.cr2 = v;
}

uint64_t fcpu_cr2(void)
{
	return cpu.cr2;
}

/* DR0-DR3 and DR6 (the numbers 0-3 and 6 of MOV DR); others read 0. */
uint64_t host_test_read_dr(unsigned n)
{
	return n < 8 ? fake_dr[n] : 0;
}

void host_test_write_dr(unsigned n, uint64_t v)
{
	if (n < 8)
		fake_dr[n] = v;
}

void fcpu_set_dr(unsigned n, uint64_t v)
{
	host_test_write_dr(n, v);
}

uint64_t host_test_rdmsr(uint32_t msr)
{
	uint64_t v;
	if (!fcpu_get_msr(msr, &v)) {
		hv_violation("rdmsr-unknown", "host RDMSR of MSR 0x%x that the fake CPU does not have", msr);
		return 0;
	}
	return v;
}

void host_test_wrmsr(uint32_t msr, uint64_t val)
{
	if (cpu.nwr < WRMSR_LOG_MAX)
		cpu.wr_log[cpu.nwr] = (struct fcpu_msr){msr, val};
	cpu.nwr++;
	switch (msr) {
	case HV_MSR_STAR:
		break; /* any value */
	case HV_MSR_LSTAR:
	case HV_MSR_CSTAR:
	case HV_MSR_KERNEL_GS_BASE:
	case HV_MSR_FS_BASE:
	case HV_MSR_GS_BASE:
	case HV_MSR_SYSENTER_ESP:
	case HV_MSR_SYSENTER_EIP:
		if (!canonical(val)) {
			hv_violation("wrmsr-unchecked",
				     "host WRMSR 0x%x with non-canonical 0x%llx: #GP in the VMM", msr,
				     (unsigned long long)val);
			return;
		}
		break;
	case HV_MSR_SFMASK:
	case HV_MSR_TSC_AUX:
		if (val >> 32) {
			hv_violation("wrmsr-unchecked", "host WRMSR 0x%x with EDX 0x%x != 0: #GP in the VMM",
				     msr, (unsigned)(val >> 32));
			return;
		}
		break;
	default:
		hv_violation("wrmsr-unexpected", "host WRMSR 0x%x value 0x%llx from an exit handler", msr,
			     (unsigned long long)val);
		return;
	}
	fcpu_set_msr(msr, val);
}
