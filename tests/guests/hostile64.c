/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile64: the hostile guests' attacks from 64-bit mode (docs/guest-tests.md
 * "hostile64"; Intel SDM Vol. 4 table 2-2 and Vol. 2B WRMSR for the MSR
 * checks, Vol. 3A 3.3.7.1 canonical addresses, 10.8.6.1 CR8, Vol. 1 3.3.7
 * and Vol. 2B MOVS/INS/OUTS for address sizes in 64-bit mode).
 *  - WRMSR of non-canonical LSTAR, CSTAR, KERNEL_GS_BASE, FS_BASE, GS_BASE,
 *    SYSENTER_ESP/EIP, of TSC_AUX and SFMASK with bits 63:32, of EFER with
 *    a reserved bit or LME cleared: #GP(0), the MSR unchanged; canonical
 *    values work, and FS/GS bases written by WRMSR (and KERNEL_GS_BASE after
 *    SWAPGS) are the bases FS:/GS: accesses use;
 *  - MOV CR8, 15: reads 15, TPR 0xf0; MOV CR8 of 16: #GP;
 *  - WBINVD and INVD loops;
 *  - string I/O in 64-bit mode: REP OUTSB/INSB of 4096 bytes on an unclaimed
 *    port (all ones in), with 64-bit and 32-bit (0x67) address size, DF 0
 *    and 1; RCX/RSI/RDI after each must equal what the same string
 *    instruction leaves on RAM (REP MOVSB, run natively), upper halves
 *    included; a 4096-byte REP OUTSB to COM1;
 *  - MMIO from 64-bit mode: 8-byte loads and stores, REX registers (R9,
 *    R14), MOVABS with a 64-bit address, RIP-relative operands (through an
 *    alias of the test device's 2 MiB region at 0x7fe00000), checked
 *    against the test device's scratch and access registers;
 *  - jumps and IRETQ to non-canonical addresses, SYSCALL with EFER.SCE = 0,
 *    SYSENTER with SYSENTER_CS = 0: #GP or #UD, the guest carries on. */
/* guest: 64-bit */
#include "rt/rt.h"

#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/testdev.h"
#include "rt/timer.h"

#define MSR_SYSENTER_CS	   0x174
#define MSR_SYSENTER_ESP   0x175
#define MSR_SYSENTER_EIP   0x176
#define MSR_STAR	   0xc0000081
#define MSR_LSTAR	   0xc0000082
#define MSR_CSTAR	   0xc0000083
#define MSR_SFMASK	   0xc0000084
#define MSR_FS_BASE	   0xc0000100
#define MSR_GS_BASE	   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX	   0xc0000103
#define FLOOD_PORT	   0x2e0
#define COM1		   0x3f8
#define IO_BYTES	   4096
#define WBINVD_LOOPS	   2000
#define INVD_LOOPS	   200
#define ALIAS_LINEAR	   0x7fe00000ULL /* 2 MiB alias of GPA 0xfea00000 (test device at +1 MiB) */
#define ALIAS_GPA	   0xfea00000ULL
#define ALIAS_TESTDEV	   (ALIAS_LINEAR + (TESTDEV_MMIO_BASE - ALIAS_GPA))
#define PTE_P		   (1ULL << 0)
#define PTE_W		   (1ULL << 1)
#define PTE_PS		   (1ULL << 7)
#define PTE_ADDR	   0x000ffffffffff000ULL

extern uint64_t rt_pml4[512];

/* Checks that report and go on (the guest fails at the end): one VMM bug
 * must not hide the checks after it. */
static uint32_t wrong;
#define CHECK_EQ(what, got, want)                                                                            \
	do {                                                                                                 \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                                        \
		if (g_ != w_) {                                                                              \
			wrong++;                                                                             \
			printf("WRONG %s: %#llx, expected %#llx (line %d)\n", what, (unsigned long long)g_,  \
			       (unsigned long long)w_, __LINE__);                                            \
		}                                                                                            \
	} while (0)

/* ---- MSRs ---- */

static unsigned linear_bits = 48;

static uint64_t noncanon(int which)
{
	switch (which) {
	case 0:
		return 1ULL << (linear_bits - 1); /* first address above the lower half */
	case 1:
		return 0x8000000000001000ULL;
	default:
		return ~0ULL << linear_bits; /* upper bits set, bit linear-1 clear */
	}
}

static void refused(const char *name, uint32_t msr, uint64_t value)
{
	struct trap_info ti;
	uint64_t before = rdmsr(msr);
	int v = wrmsr_safe(msr, value, &ti);
	printf("  wrmsr %-14s %#018llx: %s\n", name, (unsigned long long)value,
	       v == TRAP_NONE ? "accepted" : trap_name(v));
	CHECK_EQ(name, v, VEC_GP);
	CHECK_EQ("its error code", ti.error_code, 0);
	CHECK_EQ("the MSR after a refused write", rdmsr(msr), before);
}

static void accepted(const char *name, uint32_t msr, uint64_t value)
{
	struct trap_info ti;
	uint64_t before = rdmsr(msr);
	int v = wrmsr_safe(msr, value, &ti);
	if (v != TRAP_NONE)
		fail("wrmsr %s %#llx: %s, error %#x", name, (unsigned long long)value, trap_name(v),
		     ti.error_code);
	CHECK_EQ(name, rdmsr(msr), value);
	wrmsr(msr, before);
}

static void check_msrs(void)
{
	if (cpuid(CPUID_LEAF_EXT_MAX, 0).eax >= 0x80000008U) {
		unsigned b = (cpuid(0x80000008U, 0).eax >> 8) & 0xff;
		if (b >= 48)
			linear_bits = b;
	}
	printf("MSR values the CPU refuses (%u-bit linear addresses):\n", linear_bits);
	static const struct {
		const char *name;
		uint32_t msr;
	} addr_msrs[] = {
	    {"LSTAR", MSR_LSTAR},
	    {"CSTAR", MSR_CSTAR},
	    {"KERNEL_GS_BASE", MSR_KERNEL_GS_BASE},
	    {"FS_BASE", MSR_FS_BASE},
	    {"GS_BASE", MSR_GS_BASE},
	    {"SYSENTER_ESP", MSR_SYSENTER_ESP},
	    {"SYSENTER_EIP", MSR_SYSENTER_EIP},
	};
	bool coop = under_coopvmm();
	for (unsigned i = 0; i < ARRAY_SIZE(addr_msrs); i++) {
		if (coop) /* QEMU 7.2 TCG stores non-canonical values */
			for (int w = 0; w < 3; w++)
				refused(addr_msrs[i].name, addr_msrs[i].msr, noncanon(w));
		accepted(addr_msrs[i].name, addr_msrs[i].msr,
			 (~0ULL << (linear_bits - 1)) | 0x1000); /* high half */
		accepted(addr_msrs[i].name, addr_msrs[i].msr,
			 (1ULL << (linear_bits - 1)) - 0x1000); /* top of low */
	}
	if (coop) {
		refused("TSC_AUX", MSR_TSC_AUX, 0x100000007ULL);
		refused("TSC_AUX", MSR_TSC_AUX, 0xffffffff00000000ULL);
		refused("SFMASK", MSR_SFMASK, 0x8000000000000000ULL);
		refused("EFER", MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | (1ULL << 2));	    /* reserved */
		refused("EFER", MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) & ~(uint64_t)EFER_LME); /* paging on */
	} else {
		skip("#GP for invalid TSC_AUX/SFMASK/EFER values and non-canonical addresses (QEMU TCG "
		     "stores them)");
	}
	accepted("TSC_AUX", MSR_TSC_AUX, 0xfffffffe);
	accepted("STAR", MSR_STAR, 0x0023001000000000ULL);

	/* FS/GS bases: WRMSR sets what FS:/GS: accesses use; SWAPGS swaps in
	 * KERNEL_GS_BASE. */
	static volatile uint64_t fs_buf = 0x1111222233334444ULL, gs_buf = 0x5555666677778888ULL,
				 kgs_buf = 0x9999aaaabbbbccccULL;
	uint64_t fs0 = rdmsr(MSR_FS_BASE), gs0 = rdmsr(MSR_GS_BASE), kgs0 = rdmsr(MSR_KERNEL_GS_BASE);
	wrmsr(MSR_FS_BASE, (uintptr_t)&fs_buf);
	wrmsr(MSR_GS_BASE, (uintptr_t)&gs_buf);
	wrmsr(MSR_KERNEL_GS_BASE, (uintptr_t)&kgs_buf);
	uint64_t f, g, k;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(f));
	__asm__ volatile("mov %%gs:0, %0" : "=r"(g));
	__asm__ volatile("swapgs; mov %%gs:0, %0; swapgs" : "=r"(k) : : "memory");
	printf("FS: %#llx, GS: %#llx, GS after SWAPGS: %#llx\n", (unsigned long long)f, (unsigned long long)g,
	       (unsigned long long)k);
	CHECK_EQ("FS: load through FS_BASE", f, fs_buf);
	CHECK_EQ("GS: load through GS_BASE", g, gs_buf);
	CHECK_EQ("GS: load after SWAPGS", k, kgs_buf);
	CHECK_EQ("GS_BASE after two SWAPGS", rdmsr(MSR_GS_BASE), (uintptr_t)&gs_buf);
	wrmsr(MSR_FS_BASE, fs0);
	wrmsr(MSR_GS_BASE, gs0);
	wrmsr(MSR_KERNEL_GS_BASE, kgs0);
}

/* ---- CR8, caches ---- */

static void do_cr8(void *p)
{
	write_cr8((uintptr_t)p);
}

static void check_cr8_and_caches(void)
{
	struct trap_info ti;
	lapic_enable(false);
	write_cr8(15);
	printf("CR8 = 15: reads %lu, TPR %#x\n", (unsigned long)read_cr8(), lapic_read(APIC_TPR));
	EXPECT_EQ(read_cr8(), 15);
	EXPECT_EQ(lapic_read(APIC_TPR) & 0xf0, 0xf0);
	if (under_coopvmm()) { /* QEMU 7.2 TCG takes CR8 bits 63:4 without #GP */
		EXPECT_EQ(trap_catch(do_cr8, (void *)16, &ti), VEC_GP);
		EXPECT_EQ(read_cr8(), 15);
	}
	write_cr8(0);
	EXPECT_EQ(lapic_read(APIC_TPR), 0);
	uint64_t t0 = rdtsc();
	for (int i = 0; i < WBINVD_LOOPS; i++)
		wbinvd();
	for (int i = 0; i < INVD_LOOPS; i++)
		__asm__ volatile("invd" : : : "memory");
	printf("%u WBINVD, %u INVD in %llu us\n", WBINVD_LOOPS, INVD_LOOPS,
	       (unsigned long long)tsc_to_us(rdtsc() - t0));
}

/* ---- string I/O ---- */

static uint8_t io_buf[2 * IO_BYTES] __attribute__((aligned(4096)));
static uint8_t ram_dst[2 * IO_BYTES] __attribute__((aligned(4096)));

struct sregs {
	uint64_t rcx, rsi, rdi;
};

/* The same string instruction on RAM (REP MOVSB: no exit) and on a port
 * (REP OUTSB/INSB: one exit per batch); a32: with the 0x67 prefix. Upper
 * register halves start with garbage that a 32-bit address size must
 * clear or keep exactly as the CPU does for REP MOVSB. */
#define HIGH 0x5a5a5a5a00000000ULL

static struct sregs run_movsb(bool a32, bool down, uint64_t n, uint8_t *src, uint8_t *dst)
{
	struct sregs r = {n | (a32 ? HIGH : 0), (uintptr_t)src | (a32 ? HIGH : 0),
			  (uintptr_t)dst | (a32 ? HIGH : 0)};
	if (down)
		__asm__ volatile("std");
	if (a32)
		__asm__ volatile("addr32 rep movsb" : "+c"(r.rcx), "+S"(r.rsi), "+D"(r.rdi) : : "memory");
	else
		__asm__ volatile("rep movsb" : "+c"(r.rcx), "+S"(r.rsi), "+D"(r.rdi) : : "memory");
	__asm__ volatile("cld");
	return r;
}

static struct sregs run_outsb(bool a32, bool down, uint64_t n, uint8_t *src, uint16_t port)
{
	struct sregs r = {n | (a32 ? HIGH : 0), (uintptr_t)src | (a32 ? HIGH : 0), 0};
	if (down)
		__asm__ volatile("std");
	if (a32)
		__asm__ volatile("addr32 rep outsb" : "+c"(r.rcx), "+S"(r.rsi) : "d"(port) : "memory");
	else
		__asm__ volatile("rep outsb" : "+c"(r.rcx), "+S"(r.rsi) : "d"(port) : "memory");
	__asm__ volatile("cld");
	return r;
}

static struct sregs run_insb(bool a32, bool down, uint64_t n, uint8_t *dst, uint16_t port)
{
	struct sregs r = {n | (a32 ? HIGH : 0), 0, (uintptr_t)dst | (a32 ? HIGH : 0)};
	if (down)
		__asm__ volatile("std");
	if (a32)
		__asm__ volatile("addr32 rep insb" : "+c"(r.rcx), "+D"(r.rdi) : "d"(port) : "memory");
	else
		__asm__ volatile("rep insb" : "+c"(r.rcx), "+D"(r.rdi) : "d"(port) : "memory");
	__asm__ volatile("cld");
	return r;
}

static void check_string_io(void)
{
	printf("string I/O, 64-bit mode, %u bytes, against REP MOVSB on RAM:\n", IO_BYTES);
	for (int a32 = 0; a32 < 2; a32++)
		for (int down = 0; down < 2; down++) {
			uint8_t *src = down ? io_buf + IO_BYTES * 2 - 1 : io_buf;
			uint8_t *dst = down ? ram_dst + IO_BYTES * 2 - 1 : ram_dst;
			struct sregs m = run_movsb(a32, down, IO_BYTES, src, dst);
			struct sregs o = run_outsb(a32, down, IO_BYTES, src, FLOOD_PORT);
			memset(ram_dst, 0, sizeof(ram_dst));
			struct sregs n = run_movsb(a32, down, IO_BYTES, src, dst);
			struct sregs i = run_insb(a32, down, IO_BYTES, dst, FLOOD_PORT);
			printf("  a%d df%d: movsb rcx %#llx rsi %#llx rdi %#llx; outsb rcx %#llx rsi %#llx; "
			       "insb rcx %#llx "
			       "rdi %#llx\n",
			       a32 ? 32 : 64, down, (unsigned long long)m.rcx, (unsigned long long)m.rsi,
			       (unsigned long long)m.rdi, (unsigned long long)o.rcx,
			       (unsigned long long)o.rsi, (unsigned long long)i.rcx,
			       (unsigned long long)i.rdi);
			CHECK_EQ("REP OUTSB RCX (as REP MOVSB leaves it)", o.rcx, m.rcx);
			CHECK_EQ("REP OUTSB RSI (as REP MOVSB leaves it)", o.rsi, m.rsi);
			CHECK_EQ("REP INSB RCX (as REP MOVSB leaves it)", i.rcx, n.rcx);
			CHECK_EQ("REP INSB RDI (as REP MOVSB leaves it)", i.rdi, n.rdi);
			uint8_t *lo = down ? ram_dst + IO_BYTES : ram_dst;
			uint32_t not_ones = 0;
			for (int b = 0; b < IO_BYTES; b++)
				not_ones += lo[b] != 0xff;
			CHECK_EQ("REP INSB bytes that are not all ones", not_ones, 0);
		}
	for (int i = 0; i < IO_BYTES; i++)
		io_buf[i] = i % 100 == 99 ? '\n' : (uint8_t)('A' + i % 26);
	run_outsb(false, false, IO_BYTES, io_buf, COM1);
	printf("REP OUTSB of %u bytes to COM1 done\n", IO_BYTES);
}

/* ---- MMIO from 64-bit mode ---- */

/* RIP-relative operands need the target within 2 GiB of the code: built
 * at run time, the displacements computed for where the bytes run:
 *   C7 05 disp32 imm32   mov dword [rip + disp32], imm32
 *   8B 05 disp32         mov eax, [rip + disp32]
 *   C3                   ret */
static uint8_t rip_code[32] __attribute__((aligned(16)));

static uint32_t rip_relative_store_load(uintptr_t target, uint32_t value)
{
	uint8_t *c = rip_code;
	int32_t d1 = (int32_t)(target - ((uintptr_t)c + 10));
	int32_t d2 = (int32_t)(target - ((uintptr_t)c + 16));
	c[0] = 0xc7;
	c[1] = 0x05;
	memcpy(c + 2, &d1, 4);
	memcpy(c + 6, &value, 4);
	c[10] = 0x8b;
	c[11] = 0x05;
	memcpy(c + 12, &d2, 4);
	c[16] = 0xc3;
	uint32_t r;
	__asm__ volatile("call *%1"
			 : "=a"(r)
			 : "r"(c)
			 : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
	return r;
}

static uint64_t td_count(void)
{
	return *(volatile uint64_t *)(uintptr_t)(TESTDEV_MMIO_BASE + TESTDEV_ACCESS_COUNT);
}

static void map_alias(void)
{
	uint64_t *pdpt = (uint64_t *)(uintptr_t)(rt_pml4[0] & PTE_ADDR);
	uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[ALIAS_LINEAR >> 30] & PTE_ADDR);
	pd[(ALIAS_LINEAR >> 21) & 511] = ALIAS_GPA | PTE_P | PTE_W | PTE_PS;
	__asm__ volatile("invlpg (%0)" : : "r"(ALIAS_TESTDEV) : "memory");
}

static void check_mmio(void)
{
	if (skip_unless_coopvmm("64-bit MMIO forms against the test device"))
		return;
	map_alias();
	volatile uint64_t *q = (volatile uint64_t *)(uintptr_t)TESTDEV_MMIO_BASE;
	uint64_t c0 = td_count();
	q[1] = 0x0123456789abcdefULL; /* 8-byte store */
	CHECK_EQ("8-byte MMIO store and load", q[1], 0x0123456789abcdefULL);
	uint64_t r9v, r14v;
	__asm__ volatile(
	    "mov %2, %%r9\n\tmov %%r9, 16(%3)\n\tmov 16(%3), %%r14\n\tmov %%r14, %1\n\tmov %%r9, %0"
	    : "=r"(r9v), "=r"(r14v)
	    : "r"(0xfeedfacecafebeefULL), "r"(q)
	    : "r9", "r14", "memory");
	CHECK_EQ("MMIO store from R9, load into R14", r14v, 0xfeedfacecafebeefULL);
	uint64_t abs;
	__asm__ volatile("movabs 0xfeb00010, %%rax" : "=a"(abs) : : "memory"); /* moffs64 */
	CHECK_EQ("MOVABS RAX, moffs64", abs, 0xfeedfacecafebeefULL);
	uint32_t rip_rel = rip_relative_store_load(ALIAS_TESTDEV + 0x20, 0x5eed1e55);
	printf("MMIO 64-bit forms: 8-byte %#llx, r14 %#llx, movabs %#llx, rip-relative %#x\n",
	       (unsigned long long)q[1], (unsigned long long)r14v, (unsigned long long)abs, rip_rel);
	CHECK_EQ("RIP-relative MMIO store and load", rip_rel, 0x5eed1e55);
	CHECK_EQ("RIP-relative store, read through the identity map",
		 *(volatile uint32_t *)(uintptr_t)(TESTDEV_MMIO_BASE + 0x20), 0x5eed1e55);
	CHECK_EQ("test device: size of the previous access",
		 *(volatile uint32_t *)(uintptr_t)(TESTDEV_MMIO_BASE + TESTDEV_LAST_SIZE), 4);
	/* Since the first count read (1): q[1] store and load (2), R9 store and
	 * R14 load (2), MOVABS (1), RIP-relative store and load (2), q[1] for
	 * the printf (1), the reads at 0x20 and of LAST_SIZE (2). */
	CHECK_EQ("test device accesses counted", td_count() - c0, 11);
	(void)r9v;
}

/* ---- control transfers ---- */

static void do_jmp_noncanon(void *p)
{
	(void)p;
	__asm__ volatile("jmp *%0" : : "r"(0x0000800000000000ULL));
}

static void do_iretq_noncanon(void *p)
{
	(void)p;
	__asm__ volatile(
	    "mov %%ss, %%eax\n\tpushq %%rax\n\tpushq %%rsp\n\tpushfq\n\tmov %%cs, %%eax\n\tpushq %%rax\n\t"
	    "pushq %0\n\tiretq"
	    :
	    : "r"(0x8000000000000000ULL)
	    : "rax", "memory");
}

static void do_syscall(void *p)
{
	(void)p;
	__asm__ volatile("syscall" : : : "rcx", "r11", "memory");
}

static void do_sysenter(void *p)
{
	(void)p;
	__asm__ volatile("sysenter" : : : "memory");
}

static void check_transfers(void)
{
	struct trap_info ti;
	int v = trap_catch(do_jmp_noncanon, NULL, &ti);
	printf("jmp to a non-canonical address: %s at rip %#lx\n", v == TRAP_NONE ? "nothing" : trap_name(v),
	       (unsigned long)ti.eip);
	CHECK_EQ("jmp to a non-canonical address", v, VEC_GP);
	v = trap_catch(do_iretq_noncanon, NULL, &ti);
	printf("iretq to a non-canonical address: %s\n", v == TRAP_NONE ? "nothing" : trap_name(v));
	CHECK_EQ("iretq to a non-canonical address", v, VEC_GP);
	uint64_t efer = rdmsr(MSR_IA32_EFER);
	EXPECT_EQ(efer & EFER_SCE, 0);
	v = trap_catch(do_syscall, NULL, &ti);
	printf("syscall with EFER.SCE = 0: %s\n", v == TRAP_NONE ? "nothing" : trap_name(v));
	CHECK_EQ("syscall with EFER.SCE = 0", v, VEC_UD);
	/* SYSENTER in 64-bit mode: Intel runs it (#GP(0) with SYSENTER_CS = 0),
	 * AMD makes it #UD (QEMU follows the host's vendor). */
	char vendor[13];
	struct cpuid_regs r = cpuid(0, 0);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	uint64_t cs = rdmsr(MSR_SYSENTER_CS);
	wrmsr(MSR_SYSENTER_CS, 0);
	v = trap_catch(do_sysenter, NULL, &ti);
	printf("sysenter with SYSENTER_CS = 0 (%s): %s\n", vendor, v == TRAP_NONE ? "nothing" : trap_name(v));
	CHECK_EQ("sysenter with SYSENTER_CS = 0", v, strcmp(vendor, "GenuineIntel") == 0 ? VEC_GP : VEC_UD);
	wrmsr(MSR_SYSENTER_CS, cs);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	check_msrs();
	check_cr8_and_caches();
	check_string_io();
	check_mmio();
	check_transfers();
	printf("hostile64: %u wrong results\n", wrong);
	EXPECT_EQ(wrong, 0);
	return 0;
}
