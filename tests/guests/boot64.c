/* SPDX-License-Identifier: GPL-2.0-only */
/* boot64: the 64-bit runtime works (docs/guest-tests.md "64-bit guests";
 * Intel SDM Vol. 3A 9.8.5 IA-32e mode activation, 4.5 4-level paging, 6.14
 * 64-bit exception handling). Checks the Multiboot entry state the 32-bit
 * stub recorded, that the guest now runs in 64-bit mode on the identity
 * map the stub built, that printf formats 64-bit values, that trap_catch
 * catches exceptions with 64-bit RIPs and CR2, that an installed handler
 * can change RAX, and that a LAPIC timer interrupt reaches the 64-bit IDT. */
/* guest: 64-bit */
#include "rt/rt.h"

#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/timer.h"

#define VEC_SOFT	  0x30
#define VEC_TICK	  0x40
#define PTE_P		  (1ULL << 0)
#define PTE_W		  (1ULL << 1)
#define PTE_U		  (1ULL << 2)
#define PTE_PS		  (1ULL << 7)
#define PTE_ADDR	  0x000ffffffffff000ULL
#define PAGE_2M		  0x200000ULL
#define GIB		  (1ULL << 30)
#define NONCANONICAL	  0x0000800000000000ULL /* bit 47 set, 63:48 clear */
#define TIMER_MS	  1
#define TIMER_WAIT_MS	  50
#define CPUIDX_EDX_LM_BIT (1U << 29)

extern uint64_t rt_pml4[512];

static volatile uint32_t ticks;
static volatile uint64_t soft_rax;

static void tick_handler(struct trap_frame *f)
{
	(void)f;
	ticks++;
	lapic_eoi();
}

static void soft_handler(struct trap_frame *f)
{
	soft_rax = f->rax;
	f->rax = 0xfeedface12345678ULL; /* returned to the interrupted code */
}

static void check_entry_state(void)
{
	printf("entry (32-bit, as the loader left it): eflags %#x, cr0 %#x, cs %#x ds %#x ss %#x\n",
	       rt_boot.eflags, rt_boot.cr0, rt_boot.cs, rt_boot.ds, rt_boot.ss);
	EXPECT_EQ(rt_boot.magic, MB1_BOOT_MAGIC);
	EXPECT_EQ(rt_boot.eflags & (EFLAGS_IF | EFLAGS_VM), 0);
	EXPECT_EQ(rt_boot.cr0 & (CR0_PE | CR0_PG), CR0_PE);
}

static void check_long_mode(void)
{
	uint64_t efer = rdmsr(MSR_IA32_EFER);
	uintptr_t cr0 = read_cr0(), cr4 = read_cr4(), cr3 = read_cr3();
	printf("now: cr0 %#lx cr3 %#lx cr4 %#lx efer %#llx cs %#x, sizeof(void *) %u\n", (unsigned long)cr0,
	       (unsigned long)cr3, (unsigned long)cr4, (unsigned long long)efer, read_cs(),
	       (unsigned)sizeof(void *));
	EXPECT_TRUE(cpu_has(CPUID_LEAF_EXT_FEATURES, REG_EDX, CPUIDX_EDX_LM_BIT));
	EXPECT_EQ(sizeof(void *), 8);
	EXPECT_EQ(efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	EXPECT_EQ(cr0 & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
	EXPECT_EQ(cr4 & CR4_PAE, CR4_PAE);
	EXPECT_EQ(cr3, (uintptr_t)rt_pml4);
	EXPECT_EQ(read_cs(), SEL_CODE64);
	EXPECT_EQ(read_eflags() & EFLAGS_IF, 0);

	/* 64-bit operand size: a PUSH moves RSP by 8, a 64-bit value survives. */
	uintptr_t before, after;
	__asm__ volatile("mov %%rsp, %0\n\tpush %%rax\n\tmov %%rsp, %1\n\tpop %%rax"
			 : "=r"(before), "=r"(after)
			 :
			 : "rax", "memory");
	EXPECT_EQ(before - after, 8);
	volatile uint64_t big = 0x123456789ULL;
	big <<= 20;
	EXPECT_EQ(big >> 52, 0x1);
	EXPECT_EQ(big, 0x12345678900000ULL);
}

/* The stub's identity map: PML4[0] -> PDPT, PT64_GIB PDs of 2 MiB pages,
 * supervisor, writable; nothing else present. */
static void check_page_tables(void)
{
	uint64_t *pdpt = (uint64_t *)(uintptr_t)(rt_pml4[0] & PTE_ADDR);
	EXPECT_EQ(rt_pml4[0] & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W);
	for (int i = 1; i < 512; i++)
		EXPECT_EQ(rt_pml4[i] & PTE_P, 0);
	for (int g = 0; g < 512; g++) {
		if (g >= PT64_GIB) {
			EXPECT_EQ(pdpt[g] & PTE_P, 0);
			continue;
		}
		uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[g] & PTE_ADDR);
		for (int j = 0; j < 512; j++) {
			uint64_t want = ((uint64_t)g * GIB + (uint64_t)j * PAGE_2M) | PTE_P | PTE_W | PTE_PS;
			if ((pd[j] & (PTE_ADDR | PTE_P | PTE_W | PTE_U | PTE_PS)) != want)
				fail("PD %d entry %d is %#llx, want %#llx", g, j, (unsigned long long)pd[j],
				     (unsigned long long)want);
		}
	}
	printf("identity map: %d GiB of 2 MiB pages, PML4 at %p\n", PT64_GIB, (void *)rt_pml4);
}

static void check_printf(void)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "%llx %lx %p %ld %d", 0x123456789abcdef0ULL, 0xfedcba9876543210UL,
		 (void *)0xffffffff80001000UL, -1234567890123L, -5);
	printf("printf: %s\n", buf);
	EXPECT_EQ(strcmp(buf, "123456789abcdef0 fedcba9876543210 0xffffffff80001000 -1234567890123 -5"), 0);
}

static void do_ud2(void *p)
{
	(void)p;
	__asm__ volatile(".globl boot64_ud2\nboot64_ud2: ud2");
}

static void do_read(void *p)
{
	(void)*(volatile uint32_t *)p;
}

static void do_div0(void *p)
{
	volatile uint64_t d = (uint64_t)(uintptr_t)p;
	volatile uint64_t q = 1000 / d;
	(void)q;
}

static void check_traps(void)
{
	extern char boot64_ud2[];
	struct trap_info ti;
	int v = trap_catch(do_ud2, NULL, &ti);
	printf("ud2: %s at rip %#lx\n", v == TRAP_NONE ? "no exception" : trap_name(v),
	       (unsigned long)ti.eip);
	EXPECT_EQ(v, VEC_UD);
	EXPECT_EQ(ti.eip, (uintptr_t)boot64_ud2);

	/* Beyond the identity map: #PF, not present, read; CR2 = the address. */
	uintptr_t far = (uintptr_t)PT64_GIB * GIB + 0x1234;
	v = trap_catch(do_read, (void *)far, &ti);
	printf("read at %#lx: %s, error %#x, cr2 %#lx\n", (unsigned long)far,
	       v == TRAP_NONE ? "no exception" : trap_name(v), ti.error_code, (unsigned long)ti.cr2);
	EXPECT_EQ(v, VEC_PF);
	EXPECT_EQ(ti.error_code & (PF_ERR_P | PF_ERR_W | PF_ERR_U), 0);
	EXPECT_EQ(ti.cr2, far);

	/* A non-canonical address: #GP(0), no page walk (3A 3.3.7.1). */
	v = trap_catch(do_read, (void *)NONCANONICAL, &ti);
	printf("read at non-canonical %#llx: %s, error %#x\n", NONCANONICAL,
	       v == TRAP_NONE ? "no exception" : trap_name(v), ti.error_code);
	EXPECT_EQ(v, VEC_GP);
	EXPECT_EQ(ti.error_code, 0);

	v = trap_catch(do_div0, (void *)0, &ti);
	EXPECT_EQ(v, VEC_DE);

	struct trap_info ti2;
	uint64_t val;
	if (under_coopvmm()) {
		EXPECT_EQ(rdmsr_safe(0x1234, &val, &ti2), VEC_GP);
		EXPECT_EQ(ti2.error_code, 0);
	}
	EXPECT_EQ(rdmsr_safe(MSR_IA32_EFER, &val, &ti2), TRAP_NONE);
	EXPECT_EQ(val & EFER_LMA, EFER_LMA);
	printf("trap_catch: #UD, #PF, #GP, #DE caught; rdmsr_safe ok\n");

	trap_set_handler(VEC_SOFT, soft_handler);
	uint64_t rax = 0x1122334455667788ULL;
	__asm__ volatile("int %1" : "+a"(rax) : "i"(VEC_SOFT) : "memory");
	printf("int %#x: handler saw rax %#llx, returned %#llx\n", VEC_SOFT, (unsigned long long)soft_rax,
	       (unsigned long long)rax);
	EXPECT_EQ(soft_rax, 0x1122334455667788ULL);
	EXPECT_EQ(rax, 0xfeedface12345678ULL);
	EXPECT_EQ(trap_count(VEC_SOFT), 1);
}

static void check_timer(void)
{
	trap_set_handler(VEC_TICK, tick_handler);
	lapic_enable(false);
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | VEC_TICK);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, 0xffffffff);
	delay_ms(2);
	uint32_t done = 0xffffffff - lapic_read(APIC_TIMER_CCR);
	uint64_t elapsed = rdtsc() - t0;
	lapic_timer_stop();
	/* Count rate per ms, for a 1 ms one-shot (bus clock unknown on QEMU). */
	uint32_t per_ms = (uint32_t)udiv64((uint64_t)done * tsc_khz(), (uint32_t)elapsed, NULL);
	EXPECT_NE(per_ms, 0);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | VEC_TICK);
	lapic_write(APIC_TIMER_ICR, per_ms * TIMER_MS);
	sti();
	delay_ms(TIMER_WAIT_MS);
	cli();
	lapic_timer_stop();
	printf("LAPIC timer one-shot %u ms (count %u): %u interrupt(s)\n", TIMER_MS, per_ms * TIMER_MS,
	       ticks);
	EXPECT_EQ(ticks, 1);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	printf("mbi at %p: flags %#x, mem_lower %u KiB, mem_upper %u KiB\n", (const void *)mbi, mbi->flags,
	       mbi->mem_lower, mbi->mem_upper);
	EXPECT_TRUE(mbi->flags & MB1_INFO_MEMORY);
	check_entry_state();
	check_long_mode();
	check_page_tables();
	check_printf();
	/* The last word of RAM below 4 GiB, through the identity map. */
	volatile uint32_t *last =
	    (volatile uint32_t *)(uintptr_t)(0x100000ULL + mbi->mem_upper * 1024ULL - 4);
	uint32_t keep = *last;
	*last = 0x64b17e57;
	EXPECT_EQ(*last, 0x64b17e57);
	*last = keep;
	check_traps();
	check_timer();
	return 0;
}
