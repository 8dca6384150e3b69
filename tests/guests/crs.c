/* SPDX-License-Identifier: GPL-2.0-only */
/* crs: control-register writes the VMM handles (those that change a bit it
 * owns: CR0.NE, CR4.VMXE/SMXE/OSXSAVE/LA57/PKE) are checked as the CPU
 * checks them (Intel SDM Vol. 2B "MOV -- Move to/from Control Registers",
 * Vol. 3A 2.5, 4.4.1 PDPTEs): invalid ones raise #GP(0) and change nothing,
 * reserved bits 31:0 of CR0 are ignored, PAE paging turned on through the
 * VMM loads the PDPTEs; WBINVD and INVD leave the guest running (the VMM
 * counts WBINVD exits: the system test checks them); RDPMC is #GP(0), as
 * CPUID shows no performance counters. */
#include "rt/rt.h"

#include "rt/hv.h"

#define CR0_PE	     (1U << 0)
#define CR0_NE	     (1U << 5)
#define CR0_BIT6     (1U << 6) /* reserved: a write ignores it, it reads as 0 */
#define CR0_NW	     (1U << 29)
#define CR0_CD	     (1U << 30)
#define CR0_PG	     (1U << 31)
#define CR4_PAE	     (1U << 5)
#define CR4_LA57     (1U << 12) /* 5-level paging: CPUID hides it */
#define CR4_VMXE     (1U << 13) /* VMX: hidden */
#define CR4_RSVD15   (1U << 15) /* reserved */
#define CR4_OSXSAVE  (1U << 18) /* XSAVE: hidden */
#define PDPTE_P	     (1ULL << 0)
#define PDPTE_RW_RSV (1ULL << 1) /* reserved in a PAE PDPTE (4.4.1) */
#define PDE_P	     (1ULL << 0)
#define PDE_RW	     (1ULL << 1)
#define PDE_PS	     (1ULL << 7)
#define PAGE_2M	     0x200000ULL
#define WBINVD_LOOPS 100

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t bad_pdpt[4] __attribute__((aligned(32)));

static void do_write_cr0(void *arg)
{
	write_cr0((uint32_t)(uintptr_t)arg);
}

static void do_write_cr4(void *arg)
{
	write_cr4((uint32_t)(uintptr_t)arg);
}

static void do_rdpmc(void *arg)
{
	(void)arg;
	uint32_t lo, hi;
	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0));
}

static void expect_gp(const char *what, void (*fn)(void *), uint32_t value)
{
	struct trap_info ti;
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();
	int v = trap_catch(fn, (void *)(uintptr_t)value, &ti);
	printf("  %-46s %#010x: %s, error code %#x\n", what, value,
	       v == TRAP_NONE ? "no exception" : trap_name(v), ti.error_code);
	EXPECT_EQ(v, VEC_GP);
	EXPECT_EQ(ti.error_code, 0);
	EXPECT_EQ(read_cr0(), cr0);
	EXPECT_EQ(read_cr4(), cr4);
}

static void check_cr0(void)
{
	uint32_t cr0 = read_cr0();
	printf("CR0 %#x (NE %u), CR4 %#x\n", cr0, !!(cr0 & CR0_NE), read_cr4());
	/* Each value flips NE so that the write reaches the VMM. Plain QEMU
	 * TCG does not refuse these (hardware and Bochs do). */
	printf("MOV to CR0 through the VMM:\n");
	if (!skip_unless_coopvmm("#GP for NW without CD, PG without PE")) {
		expect_gp("NW without CD", do_write_cr0, ((cr0 ^ CR0_NE) | CR0_NW) & ~CR0_CD);
		expect_gp("PG without PE", do_write_cr0, ((cr0 ^ CR0_NE) | CR0_PG) & ~CR0_PE);
	}

	/* Plain QEMU TCG keeps the bit (hardware, Bochs and coopvmm drop it). */
	if (!skip_unless_coopvmm("reserved CR0 bit 6 ignored")) {
		struct trap_info ti;
		int v = trap_catch(do_write_cr0, (void *)(uintptr_t)((cr0 ^ CR0_NE) | CR0_BIT6), &ti);
		uint32_t got = read_cr0();
		printf("  %-46s %#010x: %s, CR0 now %#x\n", "reserved bit 6 (ignored)",
		       (cr0 ^ CR0_NE) | CR0_BIT6, v == TRAP_NONE ? "no exception" : trap_name(v), got);
		EXPECT_EQ(v, TRAP_NONE);
		EXPECT_EQ(got, cr0 ^ CR0_NE);
	}
	write_cr0(cr0);
	EXPECT_EQ(read_cr0(), cr0);
}

static void check_cr4(void)
{
	uint32_t cr4 = read_cr4();
	/* What plain QEMU TCG accepts depends on its CPU model: checked under
	 * coopvmm, whose CPUID hides these features. */
	if (skip_unless_coopvmm("#GP for CR4 bits of hidden features"))
		return;
	printf("MOV to CR4:\n");
	expect_gp("LA57 (5-level paging hidden)", do_write_cr4, cr4 | CR4_LA57);
	expect_gp("VMXE (VMX hidden)", do_write_cr4, cr4 | CR4_VMXE);
	expect_gp("OSXSAVE (XSAVE hidden)", do_write_cr4, cr4 | CR4_OSXSAVE);
	expect_gp("reserved bit 15", do_write_cr4, cr4 | CR4_RSVD15);
}

/* PAE paging (4.4): identity map of the first 1 GiB with 2 MiB pages. */
static void check_pae(void)
{
	for (unsigned i = 0; i < 512; i++)
		pd[i] = (uint64_t)i * PAGE_2M | PDE_PS | PDE_RW | PDE_P;
	pdpt[0] = (uint32_t)pd | PDPTE_P;
	bad_pdpt[0] = (uint32_t)pd | PDPTE_P;
	bad_pdpt[1] = (uint32_t)pd | PDPTE_P | PDPTE_RW_RSV;
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();
	printf("PAE paging enabled through the VMM (NE flipped):\n");

	write_cr4(cr4 | CR4_PAE);
	if (!skip_unless_coopvmm("#GP for a reserved bit in a PDPTE")) {
		write_cr3((uint32_t)bad_pdpt);
		expect_gp("PG with a PDPTE that has a reserved bit", do_write_cr0, (cr0 ^ CR0_NE) | CR0_PG);
		EXPECT_FALSE(read_cr0() & CR0_PG);
	}

	write_cr3((uint32_t)pdpt);
	struct trap_info ti;
	int v = trap_catch(do_write_cr0, (void *)(uintptr_t)((cr0 ^ CR0_NE) | CR0_PG), &ti);
	uint32_t on = read_cr0();
	/* Paging is on: a write through the identity map lands where it should. */
	volatile uint32_t probe = 0x5a5a1234;
	uint32_t seen = probe;
	write_cr0(cr0);
	write_cr4(cr4);
	printf("  %-46s %#010x: %s, CR0 then %#x, probe %#x\n", "PG with valid PDPTEs",
	       (cr0 ^ CR0_NE) | CR0_PG, v == TRAP_NONE ? "no exception" : trap_name(v), on, seen);
	EXPECT_EQ(v, TRAP_NONE);
	EXPECT_EQ(on, (cr0 ^ CR0_NE) | CR0_PG);
	EXPECT_EQ(seen, 0x5a5a1234);
	EXPECT_EQ(read_cr0(), cr0);
}

static void check_cache_and_pmc(void)
{
	for (int i = 0; i < WBINVD_LOOPS; i++)
		__asm__ volatile("wbinvd" ::: "memory");
	printf("%d WBINVD executed\n", WBINVD_LOOPS);
	if (skip_unless_coopvmm("RDPMC #GP (the bare emulator has counters)"))
		return;
	struct trap_info ti;
	int v = trap_catch(do_rdpmc, NULL, &ti);
	printf("RDPMC ecx=0: %s, error code %#x\n", v == TRAP_NONE ? "no exception" : trap_name(v),
	       ti.error_code);
	EXPECT_EQ(v, VEC_GP);
	EXPECT_EQ(ti.error_code, 0);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	check_cr0();
	check_cr4();
	check_pae();
	check_cache_and_pmc();
	return 0;
}
