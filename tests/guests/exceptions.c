/* SPDX-License-Identifier: GPL-2.0-only */
/* exceptions: the guest's own exceptions reach the guest's own IDT with the
 * right vector, error code, faulting EIP (and CR2 for #PF), and the guest
 * continues afterwards (Intel SDM Vol. 3A 6.15 "Exception and Interrupt
 * Reference"): #DE, #DB (single step), #BP, #OF, #UD, #NM, #NP, #SS, #GP
 * (selector, and wrmsr off the allow-list under coopvmm), #PF (not present
 * read/write/fetch, write to read-only with CR0.WP), software INT n. */
#include "rt/rt.h"

#include "rt/hv.h"

#define BAD_SELECTOR	0x1230	   /* GDT index 0x246: beyond the guest's GDT limit */
#define DR6_BS		(1U << 14) /* single-step (SDM Vol. 3B 17.2.3) */
#define SOFT_INT_VECTOR 0x30
#define MSR_UNLISTED	0x1234 /* not on coopvmm's MSR allow-list */

/* #PF: 8-12 MiB mapped by a page table, one page not present, one read-only. */
#define PG_P	      (1U << 0)
#define PG_RW	      (1U << 1)
#define PG_PS	      (1U << 7) /* 4 MiB page (CR4.PSE) */
#define PT_REGION     0x00800000U
#define PAGE_MISSING  (PT_REGION + 0x5000)
#define PAGE_READONLY (PT_REGION + 0x6000)
#define LARGE_PAGE    0x00400000U

/* Labels of the faulting instructions, for the EIP checks. */
extern char de_insn[], db_after[], bp_after[], of_after[], ud_insn[], nm_insn[], np_insn[], ss_insn[],
    gp_insn[];

#define NOINLINE __attribute__((noinline))

static NOINLINE void do_de(void *arg)
{
	(void)arg;
	__asm__ volatile("xor %%edx, %%edx\n\t"
			 "mov $1, %%eax\n\t"
			 "xor %%ecx, %%ecx\n"
			 ".globl de_insn\n"
			 "de_insn: divl %%ecx" ::
			     : "eax", "ecx", "edx");
}

static NOINLINE void do_db(void *arg)
{
	(void)arg;
	/* TF set by POPF traps after the instruction following POPF. */
	__asm__ volatile("pushfl\n\t"
			 "orl %0, (%%esp)\n\t"
			 "popfl\n\t"
			 "nop\n"
			 ".globl db_after\n"
			 "db_after: nop" ::"i"(EFLAGS_TF)
			 : "memory", "cc");
}

static NOINLINE void do_bp(void *arg)
{
	(void)arg;
	__asm__ volatile("int3\n"
			 ".globl bp_after\n"
			 "bp_after:");
}

static NOINLINE void do_of(void *arg)
{
	(void)arg;
	__asm__ volatile("mov $0x7fffffff, %%eax\n\t"
			 "add $1, %%eax\n\t" /* OF = 1 */
			 "into\n"
			 ".globl of_after\n"
			 "of_after:" ::
			     : "eax", "cc");
}

static NOINLINE void do_ud(void *arg)
{
	(void)arg;
	__asm__ volatile(".globl ud_insn\n"
			 "ud_insn: ud2");
}

static NOINLINE void do_nm(void *arg)
{
	(void)arg;
	__asm__ volatile(".globl nm_insn\n"
			 "nm_insn: fnop");
}

static NOINLINE void do_np(void *arg)
{
	(void)arg;
	__asm__ volatile("mov %0, %%eax\n"
			 ".globl np_insn\n"
			 "np_insn: mov %%eax, %%ds" ::"i"(SEL_NOTPRESENT)
			 : "eax", "memory");
}

static NOINLINE void do_ss(void *arg)
{
	(void)arg;
	__asm__ volatile("mov %0, %%eax\n"
			 ".globl ss_insn\n"
			 "ss_insn: mov %%eax, %%ss" ::"i"(SEL_NOTPRESENT)
			 : "eax", "memory");
}

static NOINLINE void do_gp(void *arg)
{
	(void)arg;
	__asm__ volatile("mov %0, %%eax\n"
			 ".globl gp_insn\n"
			 "gp_insn: mov %%eax, %%es" ::"i"(BAD_SELECTOR)
			 : "eax", "memory");
}

static void expect_trap(const char *what, void (*fn)(void *), void *arg, int vector, uint32_t error_code,
			const void *eip)
{
	struct trap_info ti;
	uint32_t before = trap_count(vector);
	int got = trap_catch(fn, arg, &ti);
	printf("%-34s -> %s, error code %#x, eip %#x\n", what,
	       got == TRAP_NONE ? "no exception" : trap_name(got), ti.error_code, ti.eip);
	EXPECT_EQ(got, vector);
	EXPECT_EQ(ti.error_code, error_code);
	if (eip)
		EXPECT_EQ(ti.eip, (uintptr_t)eip);
	EXPECT_EQ(trap_count(vector), before + 1);
}

static void check_simple(void)
{
	expect_trap("div by zero", do_de, NULL, VEC_DE, 0, de_insn);
	__asm__ volatile("mov %0, %%dr6" : : "r"(0U));
	expect_trap("single step (EFLAGS.TF)", do_db, NULL, VEC_DB, 0, db_after);
	uint32_t dr6;
	__asm__ volatile("mov %%dr6, %0" : "=r"(dr6));
	printf("  DR6 %#x\n", dr6);
	EXPECT_TRUE(dr6 & DR6_BS);
	EXPECT_FALSE(read_eflags() & EFLAGS_TF);
	expect_trap("int3", do_bp, NULL, VEC_BP, 0, bp_after);
	expect_trap("into with OF = 1", do_of, NULL, VEC_OF, 0, of_after);
	expect_trap("ud2", do_ud, NULL, VEC_UD, 0, ud_insn);

	uint32_t cr0 = read_cr0();
	write_cr0((cr0 & ~CR0_EM) | CR0_TS | CR0_MP);
	expect_trap("fnop with CR0.TS = 1", do_nm, NULL, VEC_NM, 0, nm_insn);
	write_cr0(cr0 & ~CR0_TS);
	EXPECT_FALSE(read_cr0() & CR0_TS);
	write_cr0(cr0);
}

static void check_segments(void)
{
	expect_trap("mov ds, not-present selector", do_np, NULL, VEC_NP, SEL_NOTPRESENT, np_insn);
	expect_trap("mov ss, not-present selector", do_ss, NULL, VEC_SS, SEL_NOTPRESENT, ss_insn);
	expect_trap("mov es, selector beyond the GDT", do_gp, NULL, VEC_GP, BAD_SELECTOR, gp_insn);
	uint16_t ds, es, ss;
	__asm__ volatile("mov %%ds, %0; mov %%es, %1; mov %%ss, %2" : "=r"(ds), "=r"(es), "=r"(ss));
	EXPECT_EQ(ds, SEL_DATA32);
	EXPECT_EQ(es, SEL_DATA32);
	EXPECT_EQ(ss, SEL_DATA32);
}

static void check_msr_gp(void)
{
	struct trap_info ti;
	if (skip_unless_coopvmm("#GP from wrmsr to an MSR off the allow-list"))
		return;
	int v = wrmsr_safe(MSR_UNLISTED, 0, &ti);
	printf("%-34s -> %s, error code %#x\n", "wrmsr 0x1234",
	       v == TRAP_NONE ? "no exception" : trap_name(v), ti.error_code);
	EXPECT_EQ(v, VEC_GP);
	EXPECT_EQ(ti.error_code, 0);
}

/* ---- #PF ---- */

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint32_t page_table[1024] __attribute__((aligned(4096)));

static void do_read(void *arg)
{
	(void)*(volatile uint32_t *)arg;
}
static void do_write(void *arg)
{
	*(volatile uint32_t *)arg = 0x5a5a5a5a;
}
static void do_fetch(void *arg)
{
	((void (*)(void))arg)();
}

static void expect_pf(const char *what, void (*fn)(void *), uint32_t addr, uint32_t error_code)
{
	struct trap_info ti;
	int got = trap_catch(fn, (void *)addr, &ti);
	printf("%-34s -> %s, error code %#x, cr2 %#x, eip %#x\n", what,
	       got == TRAP_NONE ? "no exception" : trap_name(got), ti.error_code, ti.cr2, ti.eip);
	EXPECT_EQ(got, VEC_PF);
	EXPECT_EQ(ti.cr2, addr);
	EXPECT_EQ(ti.error_code, error_code);
	EXPECT_EQ(read_cr2(), addr);
}

static void check_page_faults(void)
{
	if (!cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_PSE))
		fail("no PSE: the #PF test needs 4 MiB pages");
	for (uint32_t i = 0; i < 1024; i++)
		page_dir[i] = i * LARGE_PAGE | PG_PS | PG_RW | PG_P;
	for (uint32_t i = 0; i < 1024; i++)
		page_table[i] = (PT_REGION + i * 4096) | PG_RW | PG_P;
	page_table[(PAGE_MISSING - PT_REGION) / 4096] = 0;
	page_table[(PAGE_READONLY - PT_REGION) / 4096] &= ~PG_RW;
	page_dir[PT_REGION / LARGE_PAGE] = (uint32_t)page_table | PG_RW | PG_P;

	*(volatile uint32_t *)PAGE_READONLY = 0x600dc0de; /* before paging: plain RAM */
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();
	write_cr4(cr4 | CR4_PSE);
	write_cr3((uint32_t)page_dir);
	write_cr0(cr0 | CR0_PG | CR0_WP);
	printf("paging on: CR0 %#x CR3 %#x CR4 %#x\n", read_cr0(), read_cr3(), read_cr4());

	expect_pf("read of a not-present page", do_read, PAGE_MISSING + 0x10, 0);
	expect_pf("write to a not-present page", do_write, PAGE_MISSING + 0x20, PF_ERR_W);
	expect_pf("write to a read-only page (WP=1)", do_write, PAGE_READONLY + 0x30, PF_ERR_P | PF_ERR_W);
	expect_pf("fetch from a not-present page", do_fetch, PAGE_MISSING, 0);
	EXPECT_EQ(*(volatile uint32_t *)PAGE_READONLY, 0x600dc0de);

	write_cr0(cr0);
	write_cr4(cr4);
	EXPECT_FALSE(read_cr0() & CR0_PG);
	/* Paging off: the same address is plain RAM again. */
	*(volatile uint32_t *)(PAGE_MISSING + 0x10) = 0x12345678;
	EXPECT_EQ(*(volatile uint32_t *)(PAGE_MISSING + 0x10), 0x12345678);
}

/* ---- software interrupt through an installed handler ---- */

static volatile uint32_t soft_int_seen, soft_int_eax;

static void soft_int_handler(struct trap_frame *f)
{
	soft_int_seen = f->vector;
	soft_int_eax = f->eax;
	f->eax = 0xfeedbeef; /* returned to the interrupted code */
}

static void check_soft_int(void)
{
	uint32_t eax = 0x1234;
	trap_set_handler(SOFT_INT_VECTOR, soft_int_handler);
	__asm__ volatile("int %1" : "+a"(eax) : "i"(SOFT_INT_VECTOR) : "memory");
	trap_set_handler(SOFT_INT_VECTOR, NULL);
	printf("%-34s -> handler saw vector %#x eax %#x, returned eax %#x\n", "int 0x30", soft_int_seen,
	       soft_int_eax, eax);
	EXPECT_EQ(soft_int_seen, SOFT_INT_VECTOR);
	EXPECT_EQ(soft_int_eax, 0x1234);
	EXPECT_EQ(eax, 0xfeedbeef);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	check_simple();
	check_segments();
	check_msr_gp();
	check_page_faults();
	check_soft_int();
	return 0;
}
