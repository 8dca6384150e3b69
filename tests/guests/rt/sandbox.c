/* SPDX-License-Identifier: GPL-2.0-only */
/* sandbox.c: the sandbox's tables and address space (rt/sandbox.h; Intel
 * SDM Vol. 3A 3.4.5 segment descriptors, 7.2.1/7.7 32- and 64-bit TSS,
 * 6.11/6.14.1 IDT gates, 4.3 32-bit paging, 4.5 4-level paging). */
#include "rt/sandbox.h"

#include "rt/hv.h"
#include "rt/rt.h"

#define PTE_P		(1ULL << 0)
#define PTE_W		(1ULL << 1)
#define PTE_U		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL
#define GATE_INTR	0x8e /* present, DPL 0, interrupt gate */
#define GATE_DPL3	0x60
#define TSS_AVAIL	0x89 /* present, available 32/64-bit TSS */
#define TSS_SIZE	0x68
#define TSS_IOMAP	0x66 /* I/O map base offset: beyond the limit, no bitmap */
#define POOL_PAGES	8    /* page-table pages sb_map may split off */
#define VEC_BP_		3
#define VEC_OF_		4
#define CPUID7_EBX_SMEP (1U << 7)

/* The pages mapped in both address spaces, all below 2 MiB (the first
 * page table of either address space covers them). */
uint8_t sb_misc_page[SB_PAGE] __attribute__((aligned(SB_PAGE))); /* GDT, TSS, control block */
static uint8_t idt_page[SB_PAGE] __attribute__((aligned(SB_PAGE)));
static uint8_t exc_stack[SB_PAGE] __attribute__((aligned(SB_PAGE)));
static uint8_t case_stack[SB_PAGE] __attribute__((aligned(SB_PAGE)));
static uint8_t code_page[SB_PAGE] __attribute__((aligned(SB_PAGE)));
static uint8_t scratch[SB_SCRATCH_PAGES][SB_PAGE] __attribute__((aligned(SB_PAGE)));

extern uint8_t sb_text_start[], sb_text_end[];
extern const uintptr_t sb_stub_table[256];
void sb_enter(void);

#define CTL(off) (*(volatile uint64_t *)(sb_misc_page + SB_CTL_OFF + (off)))
#define GDT_OFF	 0x000
#define TSS_OFF	 0x100

struct tbl_reg {
	uint16_t limit;
	uintptr_t base;
} __attribute__((packed));

#ifdef __x86_64__
typedef uint64_t pte_t;
#define PT_ENTRIES 512
/* PML4; the first PDPT/PD/PT (identity for the sandbox's pages); shared
 * PDPT/PD/PT of scratch pages for everything else; a pool for sb_map. */
static pte_t pml4[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
static pte_t pdpt0[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
static pte_t pd0[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
static pte_t pt0[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
static pte_t pdpt_s[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
static pte_t pd_s[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
static pte_t pt_s[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
#define SCRATCH_FLAGS (PTE_P | PTE_W | PTE_U | PTE_NX)
#else
typedef uint32_t pte_t;
#define PT_ENTRIES    1024
static pte_t pd[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
static pte_t pt0[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
static pte_t pt_s[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
/* The guest's own address space while the sandbox is in use: 4 MiB pages. */
static pte_t kernel_pd[PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
#define SCRATCH_FLAGS (PTE_P | PTE_W | PTE_U)
#endif
#define UPPER_FLAGS (PTE_P | PTE_W | PTE_U)
static pte_t pool[POOL_PAGES][PT_ENTRIES] __attribute__((aligned(SB_PAGE)));
static unsigned pool_used;
static bool ready;

uint8_t *sb_code_page(void)
{
	return code_page;
}

uintptr_t sb_supervisor_page(void)
{
	return (uintptr_t)sb_text_start;
}

uintptr_t sb_readonly_page(unsigned i)
{
	const uintptr_t pages[SB_RO_PAGES] = {(uintptr_t)sb_text_start, (uintptr_t)sb_misc_page,
					      (uintptr_t)idt_page};
	return pages[i % SB_RO_PAGES];
}

uint8_t *sb_scratch(unsigned i)
{
	return scratch[i % SB_SCRATCH_PAGES];
}

static uint64_t seg(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags)
{
	return (limit & 0xffffULL) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)flags << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

#ifndef __x86_64__
/* The base of the 16-bit stack segment whose top page is at linear. */
static uint32_t window_base(uintptr_t linear)
{
	return (uint32_t)(linear + SB_PAGE - SB_STACK_WINDOW);
}
#endif

static void build_gdt_tss(void)
{
	uint64_t *gdt = (uint64_t *)(sb_misc_page + GDT_OFF);
	uint8_t *tss = sb_misc_page + TSS_OFF;
	uintptr_t tss_base = (uintptr_t)tss;
	/* Access bytes with the accessed bit set: the CPU never writes the
	 * (read-only) GDT on a segment load. Flags: G, D/B or L. */
	gdt[SBX_CODE32 / 8] = seg(0, 0xfffff, 0x9b, 0xc);
	gdt[SBX_DATA / 8] = seg(0, 0xfffff, 0x93, 0xc);
	gdt[SBX_UCODE32 / 8] = seg(0, 0xfffff, 0xfb, 0xc);
	gdt[SBX_UDATA / 8] = seg(0, 0xfffff, 0xf3, 0xc);
	gdt[SBX_UCODE64 / 8] = seg(0, 0xfffff, 0xfb, 0xa);
	gdt[SBX_CODE64 / 8] = seg(0, 0xfffff, 0x9b, 0xa);
	gdt[SBX_TSS / 8] = seg((uint32_t)tss_base, TSS_SIZE - 1, TSS_AVAIL, 0);
	memset(tss, 0, TSS_SIZE);
#ifdef __x86_64__
	uintptr_t stack_top = (uintptr_t)exc_stack + SB_PAGE;
	gdt[SBX_TSS / 8 + 1] = (uint64_t)tss_base >> 32;
	memcpy(tss + 4, &stack_top, 8);	   /* RSP0 */
	memcpy(tss + 0x24, &stack_top, 8); /* IST1 */
#else
	/* Every DPL-0 data segment a CPL-0 stream can load into SS is a
	 * 16-bit stack segment (flags: G, no B): rt/sandbox.h. */
	gdt[SBX_DATA / 8] = seg(0, 0xfffff, 0x93, 0x8);
	gdt[SBX_STACK / 8] = seg(window_base(SB_STACK_LINEAR), 0xfffff, 0x93, 0x8);
	gdt[SBX_XSTACK / 8] = seg(window_base(SB_XSTACK_LINEAR), 0xfffff, 0x93, 0x8);
	uint32_t ss0 = SBX_XSTACK, esp0 = (uint32_t)SB_STACK_WINDOW - 16;
	memcpy(tss + 4, &esp0, 4); /* ESP0: near the top of SB_XSTACK_LINEAR's page */
	memcpy(tss + 8, &ss0, 4);  /* SS0 */
#endif
	uint16_t iomap = TSS_SIZE + 2;
	memcpy(tss + TSS_IOMAP, &iomap, 2);
	struct tbl_reg g = {SBX_GDT_ENTRIES * 8 - 1, (uintptr_t)gdt};
	memcpy((void *)(sb_misc_page + SB_CTL_OFF + SBC_SGDTR), &g, sizeof(g));
}

static void build_idt(void)
{
	for (int v = 0; v < 256; v++) {
		uintptr_t a = sb_stub_table[v];
		uint8_t type = GATE_INTR | (v == VEC_BP_ || v == VEC_OF_ ? GATE_DPL3 : 0);
#ifdef __x86_64__
		uint8_t *g = idt_page + 16 * v;
		uint16_t sel = SBX_CODE64;
		memset(g, 0, 16);
		memcpy(g, &a, 2);
		memcpy(g + 2, &sel, 2);
		g[4] = 1; /* IST 1 */
		g[5] = type;
		memcpy(g + 6, (uint8_t *)&a + 2, 6);
#else
		uint8_t *g = idt_page + 8 * v;
		uint16_t sel = SBX_CODE32;
		memcpy(g, &a, 2);
		memcpy(g + 2, &sel, 2);
		g[4] = 0;
		g[5] = type;
		memcpy(g + 6, (uint8_t *)&a + 2, 2);
#endif
	}
	struct tbl_reg r = {
#ifdef __x86_64__
	    256 * 16 - 1,
#else
	    256 * 8 - 1,
#endif
	    (uintptr_t)idt_page};
	memcpy((void *)(sb_misc_page + SB_CTL_OFF + SBC_SIDTR), &r, sizeof(r));
}

/* The first table's entry for one 4 KiB page below 2 (4) MiB. */
static pte_t first_pte(uintptr_t page)
{
	uintptr_t a = (uintptr_t)page;
	bool text = a >= (uintptr_t)sb_text_start && a < (uintptr_t)sb_text_end;
	if (text || a == (uintptr_t)idt_page || a == (uintptr_t)sb_misc_page)
		return (pte_t)(a | PTE_P); /* supervisor, read-only */
	if (a == (uintptr_t)exc_stack)
		return (pte_t)(a | PTE_P | PTE_W);
	return (pte_t)((uintptr_t)scratch[(a / SB_PAGE) % SB_SCRATCH_PAGES] | SCRATCH_FLAGS);
}

static void build_paging(void)
{
	if ((uintptr_t)sb_text_end > 0x200000 || (uintptr_t)code_page > 0x200000 ||
	    (uintptr_t)scratch[SB_SCRATCH_PAGES - 1] > 0x200000)
		fail("sandbox: its pages must lie below 2 MiB (text end %p, code %p)", (void *)sb_text_end,
		     (void *)code_page);
	for (int i = 0; i < PT_ENTRIES; i++) {
		pt0[i] = first_pte((uintptr_t)i * SB_PAGE);
		pt_s[i] = (pte_t)((uintptr_t)scratch[i % SB_SCRATCH_PAGES] | SCRATCH_FLAGS);
	}
#ifdef __x86_64__
	for (int i = 0; i < PT_ENTRIES; i++) {
		pd_s[i] = (uintptr_t)pt_s | UPPER_FLAGS;
		pd0[i] = i ? (uintptr_t)pt_s | UPPER_FLAGS : (uintptr_t)pt0 | UPPER_FLAGS;
		pdpt_s[i] = (uintptr_t)pd_s | UPPER_FLAGS;
		pdpt0[i] = i ? (uintptr_t)pd_s | UPPER_FLAGS : (uintptr_t)pd0 | UPPER_FLAGS;
		pml4[i] = i ? (uintptr_t)pdpt_s | UPPER_FLAGS : (uintptr_t)pdpt0 | UPPER_FLAGS;
	}
	CTL(SBC_SCR3) = (uintptr_t)pml4;
#else
	for (int i = 0; i < PT_ENTRIES; i++) {
		pd[i] = (pte_t)((uintptr_t)(i ? pt_s : pt0) | UPPER_FLAGS);
		kernel_pd[i] = (pte_t)(((uint32_t)i << 22) | PTE_P | PTE_W | PTE_PS);
	}
	CTL(SBC_SCR3) = (uintptr_t)pd;
#endif
}

static pte_t *private_copy(pte_t *entry, pte_t *shared)
{
	if ((*entry & PTE_ADDR) != (uintptr_t)shared)
		return (pte_t *)(uintptr_t)(*entry & PTE_ADDR);
	if (pool_used == POOL_PAGES)
		fail("sb_map: out of page-table pages");
	pte_t *p = pool[pool_used++];
	memcpy(p, shared, SB_PAGE);
	*entry = (pte_t)((uintptr_t)p | UPPER_FLAGS);
	return p;
}

void sb_map(uintptr_t linear, uint64_t phys, bool user, bool writable)
{
	pte_t flags = PTE_P | (user ? PTE_U : 0) | (writable ? PTE_W : 0);
#ifdef __x86_64__
	pte_t *l3 = private_copy(&pml4[(linear >> 39) & 511], pdpt_s);
	pte_t *l2 = private_copy(&l3[(linear >> 30) & 511], pd_s);
	pte_t *l1 = private_copy(&l2[(linear >> 21) & 511], pt_s);
	l1[(linear >> 12) & 511] = (phys & PTE_ADDR) | flags;
#else
	pte_t *l1 = private_copy(&pd[(linear >> 22) & 1023], pt_s);
	l1[(linear >> 12) & 1023] = (pte_t)((phys & PTE_ADDR) | flags);
#endif
}

#ifndef __x86_64__
/* Every page of a 16-bit stack segment's window must take the pushes of an
 * exception (rt/sandbox.h). */
static void check_stack_window(uint32_t base)
{
	for (uint32_t off = 0; off < SB_STACK_WINDOW; off += SB_PAGE) {
		uint32_t a = base + off;
		pte_t *l1 = (pte_t *)(uintptr_t)(pd[a >> 22] & PTE_ADDR);
		if ((l1[(a >> 12) & 1023] & (PTE_P | PTE_W)) != (PTE_P | PTE_W))
			fail("sandbox: the stack segment at %#x reaches %#x, not a writable page", base, a);
	}
}
#endif

void sb_init(void)
{
	if (ready)
		return;
	for (int i = 0; i < SB_SCRATCH_PAGES; i++)
		memset(scratch[i], 0xcc, SB_PAGE);
	memset(code_page, 0xcc, SB_PAGE);
	build_gdt_tss();
	build_idt();
	build_paging();
	sb_map(SB_CODE_LINEAR, (uintptr_t)code_page, true, true);
	sb_map(SB_STACK_LINEAR, (uintptr_t)case_stack, false, true);
#ifndef __x86_64__
	sb_map(SB_XSTACK_LINEAR, (uintptr_t)exc_stack, false, true);
	check_stack_window(0); /* SBX_DATA */
	check_stack_window(window_base(SB_STACK_LINEAR));
	check_stack_window(window_base(SB_XSTACK_LINEAR));
#endif
	/* LTR with the sandbox's GDT loaded; TR keeps the TSS afterwards. */
	struct tbl_reg kg;
	__asm__ volatile("sgdt %0" : "=m"(kg));
	__asm__ volatile("lgdt %0\n\tltr %w1\n\tlgdt %2"
			 :
			 : "m"(*(struct tbl_reg *)(sb_misc_page + SB_CTL_OFF + SBC_SGDTR)), "r"(SBX_TSS),
			   "m"(kg)
			 : "memory");
#ifdef __x86_64__
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
#else
	write_cr4(read_cr4() | CR4_PSE);
	write_cr3((uintptr_t)kernel_pd);
	write_cr0(read_cr0() | CR0_PG);
#endif
	write_cr0(read_cr0() | CR0_WP | CR0_AM);
	if (cpu_has(7, REG_EBX, CPUID7_EBX_SMEP))
		write_cr4(read_cr4() | CR4_SMEP);
	ready = true;
}

void sb_code_for(int cpl)
{
	sb_map(SB_CODE_LINEAR, (uintptr_t)code_page, (cpl & 3) == SB_CPL3, true);
}

void sb_run(int cpl, uintptr_t entry, const struct sb_regs *r, struct sb_result *res)
{
	/* The frame is written here, IRET reads it at SB_STACK_LINEAR (32-bit:
	 * through SBX_STACK). */
	uintptr_t *top = (uintptr_t *)(case_stack + SB_PAGE);
	uintptr_t *f;
	bool user = (cpl & 3) == SB_CPL3;
#ifdef __x86_64__
	f = top - 5;
	f[0] = entry;
	f[1] = user ? ((cpl & SB_COMPAT ? SBX_UCODE32 : SBX_UCODE64) | 3) : SBX_CODE64;
	f[2] = r->flags;
	f[3] = r->sp;
	f[4] = user ? SBX_UDATA | 3 : SBX_DATA;
	const uintptr_t gprs[15] = {r->ax, r->bx,  r->cx,  r->dx,  r->si,  r->di,  r->bp, r->r8,
				    r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15};
#else
	if (user) {
		f = top - 5;
		f[3] = r->sp;
		f[4] = SBX_UDATA | 3;
	} else {
		f = top - 3;
	}
	f[0] = entry;
	f[1] = user ? SBX_UCODE32 | 3 : SBX_CODE32;
	f[2] = r->flags;
	const uintptr_t gprs[7] = {r->ax, r->bx, r->cx, r->dx, r->si, r->di, r->bp};
#endif
	for (unsigned i = 0; i < ARRAY_SIZE(gprs); i++)
		CTL(SBC_REGS + 8 * i) = gprs[i];
#ifdef __x86_64__
	CTL(SBC_FRAME) = SB_STACK_LINEAR + ((uintptr_t)f - (uintptr_t)case_stack);
#else
	/* SP in SBX_STACK, whose window's top page is case_stack. */
	CTL(SBC_FRAME) = SB_STACK_WINDOW - SB_PAGE + ((uintptr_t)f - (uintptr_t)case_stack);
#endif
	CTL(SBC_DSEL) = user ? SBX_UDATA | 3 : SBX_DATA;
	sb_enter();
	res->vector = (uint32_t)CTL(SBC_VEC);
	res->error_code = (uint32_t)CTL(SBC_ERR);
	res->ip = (uintptr_t)CTL(SBC_IP);
	res->cs = (uintptr_t)CTL(SBC_CS) & 0xffff;
	res->flags = (uintptr_t)CTL(SBC_FLAGS);
	res->sp = (uintptr_t)CTL(SBC_SP);
	res->ss = (uintptr_t)CTL(SBC_SS) & 0xffff;
	res->cr2 = (uintptr_t)CTL(SBC_CR2);
}
