/* SPDX-License-Identifier: GPL-2.0-only */
/* dbg: single-stepping and RF as on hardware, also across instructions the
 * VMM carries out (Intel SDM Vol. 3B 17.3.1.1 RF, 17.3.1.4 single-step
 * trap): with EFLAGS.TF set, CPUID, IN, OUT, RDMSR, an MMIO load and each
 * iteration of REP INSB each end with exactly one #DB (DR6.BS) whose EIP is
 * the next instruction (for REP: the same instruction until the count is
 * done); a fault raised for an instruction (#GP from WRMSR to an MSR that
 * does not exist, #UD from UD2) pushes EFLAGS with RF set; an I/O
 * breakpoint (CR4.DE, DR7 R/W = 10b) on a port and a data breakpoint on an
 * MMIO address trap after the OUT / the load the VMM carried out (17.2.4). */
#include "rt/rt.h"

#include "rt/testdev.h"

#define EFLAGS_TF      (1U << 8)
#define EFLAGS_RF      (1U << 16)
#define DR6_BS	       (1U << 14)
#define UNCLAIMED_PORT 0x2e0
#define MSR_IA32_TSC   0x10
#define MSR_NONE       0x1234 /* no such MSR: #GP */
#define REP_COUNT      3

static volatile uint32_t db_count, db_eip[8], db_dr6[8];
static volatile uint32_t keep_tf; /* traps after which TF stays set */

#define CR4_DE	       (1U << 3)
#define DR7_L0	       (1U << 0)
#define DR7_RW0_IO     (2U << 16)
#define DR7_RW0_ACCESS (3U << 16)
#define DR7_LEN0_4     (3U << 18)
#define DR7_FIXED1     0x400U
#define DR6_B0	       (1U << 0)

static inline void write_dr0(uint32_t v)
{
	__asm__ volatile("mov %0, %%db0" : : "r"(v));
}

static inline void write_dr7(uint32_t v)
{
	__asm__ volatile("mov %0, %%db7" : : "r"(v));
}

static inline uint32_t read_dr6(void)
{
	uint32_t v;
	__asm__ volatile("mov %%db6, %0" : "=r"(v));
	return v;
}

static inline void write_dr6(uint32_t v)
{
	__asm__ volatile("mov %0, %%db6" : : "r"(v));
}

static void db_handler(struct trap_frame *f)
{
	if (db_count < ARRAY_SIZE(db_eip)) {
		db_eip[db_count] = f->eip;
		db_dr6[db_count] = read_dr6();
	}
	db_count++;
	write_dr6(0);
	if (keep_tf)
		keep_tf--;
	else
		f->eflags &= ~EFLAGS_TF; /* one trap per stepped instruction */
}

/* Each stepped instruction is preceded by a POPF that sets TF (the trap
 * comes after the instruction following POPF) and followed by a label;
 * the #DB handler clears TF, so the code after the label is not stepped. */
extern char after_cpuid[], after_in[], after_out[], after_rdmsr[], after_mmio[], rep_insb[], after_insb[];

static void expect_steps(const char *what, unsigned n, const uint32_t *eips)
{
	printf("  %-24s %u #DB:", what, db_count);
	for (unsigned i = 0; i < db_count && i < ARRAY_SIZE(db_eip); i++)
		printf(" eip %#x dr6 %#x;", db_eip[i], db_dr6[i]);
	printf("\n");
	EXPECT_EQ(db_count, n);
	for (unsigned i = 0; i < n && i < ARRAY_SIZE(db_eip); i++) {
		EXPECT_EQ(db_eip[i], eips[i]);
		EXPECT_TRUE(db_dr6[i] & DR6_BS);
	}
	db_count = 0;
}

#define STEP(label, insn, ...)                                                                               \
	__asm__ volatile("pushfl\n\t"                                                                        \
			 "orl %[tf], (%%esp)\n\t"                                                            \
			 "popfl\n\t" insn "\n"                                                               \
			 ".globl " label "\n" label ":" __VA_ARGS__)

static uint8_t insb_buf[REP_COUNT];

static void check_single_step(void)
{
	uint32_t a, b, c, d;
	uint32_t mmio = under_coopvmm() ? TESTDEV_MMIO_BASE + TESTDEV_SCRATCH : (uint32_t)insb_buf;
	trap_set_handler(VEC_DB, db_handler);
	printf("single-step across instructions that exit:\n");

	STEP("after_cpuid", "cpuid",
	     : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
	     : "a"(0), "c"(0), [tf] "i"(EFLAGS_TF)
	     : "memory", "cc");
	uint32_t e1[] = {(uint32_t)after_cpuid};
	expect_steps("cpuid", 1, e1);

	STEP("after_in", "inb %%dx, %%al",
	     : "=a"(a)
	     : "d"(UNCLAIMED_PORT), [tf] "i"(EFLAGS_TF)
	     : "memory", "cc");
	uint32_t e2[] = {(uint32_t)after_in};
	expect_steps("in al, dx", 1, e2);

	STEP("after_out", "outb %%al, %%dx",
	     :
	     : "a"(0), "d"(UNCLAIMED_PORT), [tf] "i"(EFLAGS_TF)
	     : "memory", "cc");
	uint32_t e3[] = {(uint32_t)after_out};
	expect_steps("out dx, al", 1, e3);

	STEP("after_rdmsr", "rdmsr",
	     : "=a"(a), "=d"(d)
	     : "c"(MSR_IA32_TSC), [tf] "i"(EFLAGS_TF)
	     : "memory", "cc");
	uint32_t e4[] = {(uint32_t)after_rdmsr};
	expect_steps("rdmsr", 1, e4);

	STEP("after_mmio", "movl (%[m]), %%eax",
	     : "=a"(a)
	     : [m] "r"(mmio), [tf] "i"(EFLAGS_TF)
	     : "memory", "cc");
	uint32_t e5[] = {(uint32_t)after_mmio};
	expect_steps("mov eax, [mmio]", 1, e5);

	/* REP INSB: a trap after every iteration, EIP on the instruction
	 * until the last one (17.3.1.4). Plain QEMU TCG traps once more at the
	 * instruction with ECX = 0 before it completes: checked under coopvmm. */
	if (skip_unless_coopvmm("single-step of REP INSB iterations")) {
		trap_set_handler(VEC_DB, NULL);
		return;
	}
	uint32_t cnt = REP_COUNT, dst = (uint32_t)insb_buf;
	keep_tf = 3;
	STEP("after_insb", ".globl rep_insb\nrep_insb: cld; rep insb",
	     : "+c"(cnt), "+D"(dst)
	     : "d"(UNCLAIMED_PORT), [tf] "i"(EFLAGS_TF)
	     : "memory", "cc");
	uint32_t rep = (uint32_t)rep_insb + 1; /* the REP INSB after CLD */
	/* CLD is stepped too: #DB after CLD, after iterations 1 and 2 (EIP on
	 * REP INSB), after the last (EIP after it). */
	uint32_t e6[] = {rep, rep, rep, (uint32_t)after_insb};
	expect_steps("cld; rep insb x3", 4, e6);
	EXPECT_EQ(cnt, 0);
	trap_set_handler(VEC_DB, NULL);
}

extern char after_bp_out[], after_bp_mmio[];

/* Breakpoints on accesses the VMM carries out: the #DB (DR6.B0) follows
 * the instruction, as on hardware. */
static void check_breakpoints(void)
{
	if (skip_unless_coopvmm("I/O and MMIO breakpoints on accesses the VMM carries out"))
		return;
	uint32_t a;
	trap_set_handler(VEC_DB, db_handler);
	printf("breakpoints on accesses the VMM carries out:\n");
	write_cr4(read_cr4() | CR4_DE);
	write_dr0(UNCLAIMED_PORT);
	write_dr7(DR7_FIXED1 | DR7_L0 | DR7_RW0_IO);
	__asm__ volatile("outb %%al, %%dx\n.globl after_bp_out\nafter_bp_out:"
			 :
			 : "a"(0), "d"(UNCLAIMED_PORT)
			 : "memory");
	write_dr7(DR7_FIXED1);
	printf("  I/O breakpoint on port %#x: %u #DB, eip %#x, dr6 %#x\n", UNCLAIMED_PORT, db_count,
	       db_eip[0], db_dr6[0]);
	EXPECT_EQ(db_count, 1);
	EXPECT_EQ(db_eip[0], (uint32_t)after_bp_out);
	EXPECT_TRUE(db_dr6[0] & DR6_B0);
	db_count = 0;

	uint32_t mmio = TESTDEV_MMIO_BASE + TESTDEV_SCRATCH;
	write_dr0(mmio);
	write_dr7(DR7_FIXED1 | DR7_L0 | DR7_RW0_ACCESS | DR7_LEN0_4);
	__asm__ volatile("movl (%1), %0\n.globl after_bp_mmio\nafter_bp_mmio:"
			 : "=a"(a)
			 : "r"(mmio)
			 : "memory");
	write_dr7(DR7_FIXED1);
	write_cr4(read_cr4() & ~CR4_DE);
	printf("  data breakpoint on MMIO %#x: %u #DB, eip %#x, dr6 %#x\n", mmio, db_count, db_eip[0],
	       db_dr6[0]);
	EXPECT_EQ(db_count, 1);
	EXPECT_EQ(db_eip[0], (uint32_t)after_bp_mmio);
	EXPECT_TRUE(db_dr6[0] & DR6_B0);
	db_count = 0;
	trap_set_handler(VEC_DB, NULL);
}

static volatile uint32_t fault_eflags, fault_vector;

static void fault_handler(struct trap_frame *f)
{
	fault_eflags = f->eflags;
	fault_vector = f->vector;
	f->eip += 2; /* WRMSR and UD2 are 2 bytes */
}

static void check_rf(void)
{
	/* Plain QEMU TCG pushes RF = 0 for faults (hardware and Bochs: 1). */
	if (skip_unless_coopvmm("RF in the EFLAGS a fault pushes"))
		return;
	printf("RF in the EFLAGS a fault pushes:\n");
	trap_set_handler(VEC_UD, fault_handler);
	__asm__ volatile("ud2" ::: "memory");
	printf("  ud2: vector %u, pushed EFLAGS %#x\n", fault_vector, fault_eflags);
	EXPECT_EQ(fault_vector, VEC_UD);
	EXPECT_TRUE(fault_eflags & EFLAGS_RF);
	trap_set_handler(VEC_UD, NULL);
	trap_set_handler(VEC_GP, fault_handler);
	__asm__ volatile("wrmsr" : : "c"(MSR_NONE), "a"(0), "d"(0) : "memory");
	printf("  wrmsr 0x1234 (#GP injected by the VMM): vector %u, pushed EFLAGS %#x\n", fault_vector,
	       fault_eflags);
	EXPECT_EQ(fault_vector, VEC_GP);
	EXPECT_TRUE(fault_eflags & EFLAGS_RF);
	trap_set_handler(VEC_GP, NULL);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	check_single_step();
	check_breakpoints();
	check_rf();
	return 0;
}
