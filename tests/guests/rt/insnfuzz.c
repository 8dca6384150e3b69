/* SPDX-License-Identifier: GPL-2.0-only */
/* insnfuzz.c: the instruction fuzzer (rt/insnfuzz.h). A case: 16 random
 * bytes at STREAM_OFF of the sandbox's code page, the rest of the page INT3
 * (0xCC), so a stream that runs off its end, or jumps within the page, ends
 * on a #BP; fresh random registers and flags (IF = 1); a watchdog timer.
 * CPL-0 streams are filtered (rules below); CPL-3 streams are not: a CPL-3
 * instruction cannot reach anything the sandbox does not map for it, and
 * IOPL 0 makes every port access #GP. Intel SDM Vol. 2 (opcode maps,
 * Appendix A), Vol. 3A 6 (exceptions), 10.5.4.1 (TSC-deadline mode). */
#include "rt/insnfuzz.h"

#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/rand.h"
#include "rt/rt.h"
#include "rt/sandbox.h"
#include "rt/smp.h"
#include "rt/testdev.h"
#include "rt/timer.h"

#define STREAM_OFF    0x800
#define STREAM_LEN    16
#define VEC_WD	      0xf0 /* the watchdog: priority class 15 */
#define WD_US	      200
#define PHASE_MS      600 /* time bound of one phase of one round */
#define PHASE_MS_QEMU 150 /* not under coopvmm (qemu-check: -icount with 2 CPUs is slow) */
#define PHASE_CASES   20000
#define MAX_SHOWN     8
#define AP_STACK      8192
#define AP_WAIT_MS    1000
#define FLOOD_PORT    0x2e0
#define L_RO	      0x40000000UL /* permission checks: a user read-only page, */
#define L_RW	      0x40001000UL /* a user writable one, */
#define L_TD	      0x40002000UL /* the test device's page (user, writable) */
#define EFLAGS_BASE   (EFLAGS_IF | 0x2)
#define EFLAGS_RAND   (EFLAGS_CF | EFLAGS_PF | 0x10 | EFLAGS_ZF | EFLAGS_SF | EFLAGS_DF | EFLAGS_OF | EFLAGS_AC)
#define IOPL3	      (3U << 12)
#define MSR_TSC_DL    0x6e0

enum phase { PH_CPL0, PH_CPL3, PH_COMPAT, PH_CROSS, PHASES };
static const char *const phase_names[PHASES] = {"CPL 0, filtered", "CPL 3", "CPL 3, compatibility mode",
						"CPL 3, code rewritten by vCPU 1"};

struct stats {
	uint32_t cases, completed, watchdog, late, intn, skipped;
	uint32_t vec[32];
};
static struct stats st[PHASES];
static uint32_t anomalies;
static bool tsc_deadline, coop;
static uint32_t bus_per_ms;

/* ---- CPL-0 filter ----
 * At CPL 0 a stream may not contain what would end the test instead of
 * the case, or reach outside the sandbox:
 *   FA CLI, 9D POPF, CF IRET: IF must stay 1 (the watchdog is an interrupt);
 *   EC-EF, 6C-6F: port I/O through DX (DX could be 0xf4, the debug exit);
 *   E4-E7 ib where the 1-4 bytes at port ib touch F4-F7 (the debug exit),
 *   64 (keyboard controller: reset), 92 (system control port A: reset),
 *   20-21 or A0-A1 (the 8259s: unmasking them would let IRQs in);
 *   0F 22 MOV to CRn (CR3, CR0.PG, CR8...), 0F 23 MOV to DRn, 0F 30 WRMSR;
 *   0F 01 /2, /3 with a memory operand: LGDT, LIDT.
 * Everything else runs: LMSW and CLTS (CR0 is restored after each case),
 * LLDT/LTR (#GP), HLT (the watchdog wakes it), INT n, far transfers into
 * the sandbox's GDT, SYSENTER/SYSCALL (#GP/#UD), VMX instructions (#UD),
 * RDMSR, CPUID, WBINVD, string instructions, immediate-port I/O. */
static bool bad_single(uint8_t b)
{
	return b == 0xfa || b == 0x9d || b == 0xcf || (b >= 0xec && b <= 0xef) || (b >= 0x6c && b <= 0x6f);
}

static bool bad_port(uint8_t p)
{
	static const uint8_t danger[][2] = {
	    {0x20, 0x21}, {0x64, 0x64}, {0x92, 0x92}, {0xa0, 0xa1}, {0xf4, 0xf7}};
	for (unsigned i = 0; i < ARRAY_SIZE(danger); i++)
		if (p + 3 >= danger[i][0] && p <= danger[i][1])
			return true;
	return false;
}

static bool bad_pair(uint8_t a, uint8_t b)
{
	if (a >= 0xe4 && a <= 0xe7 && bad_port(b))
		return true;
	return a == 0x0f && (b == 0x22 || b == 0x23 || b == 0x30);
}

static bool bad_triple(uint8_t a, uint8_t b, uint8_t c)
{
	return a == 0x0f && b == 0x01 && ((c >> 3) & 7) >= 2 && ((c >> 3) & 7) <= 3 && (c >> 6) != 3;
}

static void gen_stream(struct rng *r, uint8_t *s, bool filtered)
{
	for (int i = 0; i < STREAM_LEN; i++)
		s[i] = (uint8_t)rng_next(r);
	if (!filtered)
		return;
	for (bool again = true; again;) {
		again = false;
		for (int i = 0; i < STREAM_LEN; i++) {
			/* The byte after the stream is 0xCC, harmless in every rule. */
			uint8_t n1 = i + 1 < STREAM_LEN ? s[i + 1] : 0xcc,
				n2 = i + 2 < STREAM_LEN ? s[i + 2] : 0xcc;
			if (bad_single(s[i]) || bad_pair(s[i], n1) || bad_triple(s[i], n1, n2)) {
				s[i] = (uint8_t)rng_next(r);
				again = true;
			}
		}
	}
}

/* ---- the watchdog ---- */

static void late_handler(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
}

static void wd_arm(void)
{
	if (tsc_deadline) {
		lapic_write(APIC_LVT_TIMER, APIC_LVT_TSC_DEADLINE | VEC_WD);
		wrmsr(MSR_TSC_DL, rdtsc() + us_to_tsc(WD_US));
	} else {
		lapic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | VEC_WD);
		lapic_write(APIC_TIMER_ICR, (uint32_t)udiv64((uint64_t)bus_per_ms * WD_US, 1000, NULL) + 1);
	}
}

static void wd_disarm(void)
{
	if (tsc_deadline)
		wrmsr(MSR_TSC_DL, 0);
	else
		lapic_write(APIC_TIMER_ICR, 0);
}

static bool wd_pending(void)
{
	return (lapic_read(APIC_VECTOR_REG(APIC_IRR0, VEC_WD)) & APIC_VECTOR_BIT(VEC_WD)) != 0;
}

/* ---- the second vCPU ---- */

static uint8_t ap_stack[AP_STACK] __attribute__((aligned(16)));
static volatile uint32_t ap_rewrite, ap_stop, ap_writes;
static volatile uint64_t ap_seed;
static bool have_ap;

static void ap_fn(void *arg)
{
	(void)arg;
	struct rng r = {ap_seed};
	volatile uint8_t *s = sb_code_page() + STREAM_OFF;
	while (!ap_stop) {
		if (!ap_rewrite) {
			cpu_relax();
			continue;
		}
		s[rng_below(&r, STREAM_LEN)] = (uint8_t)rng_next(&r);
		ap_writes++;
	}
}

/* ---- one case ---- */

/* Register values: small ones, pointers near the code (CPL 3: into the
 * code page; CPL 0: around its stack), and anything. Whatever ends up in
 * ESP, the next exception is delivered (rt/sandbox.h; check_stack_anywhere
 * below). */
static uintptr_t rand_reg(struct rng *r, bool cpl0)
{
	uint64_t v = rng_next(r);
	switch (rng_below(r, 4)) {
	case 0:
		return (uintptr_t)(v & 0xff); /* small: counts, ports, selectors */
	case 1:
		return cpl0 ? (uintptr_t)(SB_STACK_LINEAR - 0x800 + (v & 0xfff))
			    : (uintptr_t)(SB_CODE_LINEAR + (v & 0xfff));
	default:
		return (uintptr_t)v;
	}
}

static uintptr_t rand_sp(struct rng *r)
{
#ifdef __x86_64__
	uint64_t v = rng_next(r) & 0x00007ffffffffff8ULL; /* canonical, lower half */
	return rng_below(r, 4) ? v : v | 0xffff800000000000ULL;
#else
	return (uintptr_t)(rng_u32(r) & ~3U);
#endif
}

static void show_case(const char *why, enum phase ph, uint32_t idx, const uint8_t *s, const struct sb_regs *g,
		      const struct sb_result *res)
{
	if (++anomalies > MAX_SHOWN)
		return;
	printf("ANOMALY %s, phase %s, case %u: vector %u error %#x ip %#lx cs %#lx flags %#lx cr2 %#lx\n",
	       why, phase_names[ph], idx, res->vector, res->error_code, (unsigned long)res->ip,
	       (unsigned long)res->cs, (unsigned long)res->flags, (unsigned long)res->cr2);
	printf("  bytes");
	for (int i = 0; i < STREAM_LEN; i++)
		printf(" %02x", s[i]);
	printf("; ax %#lx bx %#lx cx %#lx dx %#lx si %#lx di %#lx bp %#lx sp %#lx flags %#lx\n",
	       (unsigned long)g->ax, (unsigned long)g->bx, (unsigned long)g->cx, (unsigned long)g->dx,
	       (unsigned long)g->si, (unsigned long)g->di, (unsigned long)g->bp, (unsigned long)g->sp,
	       (unsigned long)g->flags);
}

static uintptr_t sane_cr0, sane_cr3, sane_cr4;
static uint64_t sane_efer;

static void check_state(enum phase ph, uint32_t idx, const uint8_t *s, const struct sb_regs *g,
			const struct sb_result *res)
{
	uintptr_t cr0 = read_cr0(), cr3 = read_cr3(), cr4 = read_cr4();
	uint64_t efer = rdmsr(MSR_IA32_EFER);
	/* CLTS and LMSW may change TS, EM, MP: put them back. */
	if ((cr0 & ~(uintptr_t)(CR0_TS | CR0_EM | CR0_MP)) !=
		(sane_cr0 & ~(uintptr_t)(CR0_TS | CR0_EM | CR0_MP)) ||
	    cr3 != sane_cr3 || cr4 != sane_cr4 || efer != sane_efer) {
		show_case("control registers changed", ph, idx, s, g, res);
		printf("  cr0 %#lx cr3 %#lx cr4 %#lx efer %#llx; were %#lx %#lx %#lx %#llx\n",
		       (unsigned long)cr0, (unsigned long)cr3, (unsigned long)cr4, (unsigned long long)efer,
		       (unsigned long)sane_cr0, (unsigned long)sane_cr3, (unsigned long)sane_cr4,
		       (unsigned long long)sane_efer);
		write_cr4(sane_cr4);
		write_cr3(sane_cr3);
		wrmsr(MSR_IA32_EFER, sane_efer);
	}
	if (cr0 != sane_cr0)
		write_cr0(sane_cr0);
}

static bool stream_has(const uint8_t *s, uint8_t a, uint8_t b)
{
	for (int i = 0; i + 1 < STREAM_LEN; i++)
		if (s[i] == a && s[i + 1] == b)
			return true;
	return false;
}

static void run_case(enum phase ph, struct rng *r, uint32_t idx, bool write_stream)
{
	uint8_t *page = sb_code_page(), s[STREAM_LEN];
	struct sb_regs g;
	struct sb_result res;
	int cpl = ph == PH_CPL0 ? SB_CPL0 : ph == PH_COMPAT ? SB_CPL3 | SB_COMPAT : SB_CPL3;
	if (write_stream) {
		gen_stream(r, s, ph == PH_CPL0);
		uintptr_t c = SB_PAGE / 4, d = (uintptr_t)page;
		__asm__ volatile("cld; rep stosl" : "+c"(c), "+D"(d) : "a"(0xccccccccU) : "memory");
		memcpy(page + STREAM_OFF, s, STREAM_LEN);
	} else {
		/* The other vCPU owns the stream; the rest of the page is INT3 again. */
		memset(page, 0xcc, STREAM_OFF);
		memset(page + STREAM_OFF + STREAM_LEN, 0xcc, SB_PAGE - STREAM_OFF - STREAM_LEN);
		memcpy(s, page + STREAM_OFF, STREAM_LEN);
	}
	g.ax = rand_reg(r, ph == PH_CPL0);
	g.bx = rand_reg(r, ph == PH_CPL0);
	g.cx = rand_reg(r, ph == PH_CPL0);
	g.dx = rand_reg(r, ph == PH_CPL0);
	g.si = rand_reg(r, ph == PH_CPL0);
	g.di = rand_reg(r, ph == PH_CPL0);
	g.bp = rand_reg(r, ph == PH_CPL0);
#ifdef __x86_64__
	g.r8 = rand_reg(r, ph == PH_CPL0);
	g.r9 = rand_reg(r, ph == PH_CPL0);
	g.r10 = rand_reg(r, ph == PH_CPL0);
	g.r11 = rand_reg(r, ph == PH_CPL0);
	g.r12 = rand_reg(r, ph == PH_CPL0);
	g.r13 = rand_reg(r, ph == PH_CPL0);
	g.r14 = rand_reg(r, ph == PH_CPL0);
	g.r15 = rand_reg(r, ph == PH_CPL0);
	if (cpl & SB_COMPAT)
		g.sp = rng_u32(r) & ~3U;
	else
		g.sp = rand_sp(r);
#else
	g.sp = rand_sp(r);
#endif
	g.flags = EFLAGS_BASE | (rng_u32(r) & EFLAGS_RAND);
	wd_arm();
	sb_run(cpl, SB_CODE_LINEAR + STREAM_OFF, &g, &res);
	wd_disarm();
	struct stats *t = &st[ph];
	t->cases++;
	if (res.vector == VEC_WD && lapic_in_service(VEC_WD)) {
		lapic_eoi();
		t->watchdog++;
	} else if (res.vector == VEC_BP && res.ip > SB_CODE_LINEAR + STREAM_OFF + STREAM_LEN &&
		   res.ip <= SB_CODE_LINEAR + SB_PAGE) {
		t->completed++; /* ran into the INT3 after its bytes */
	} else if (res.vector < 32) {
		t->vec[res.vector]++;
		/* No exception delivery can fail here (valid IDT, GDT, TSS and
		 * stacks), so a #DF means an exception made up or mis-combined;
		 * #MC is never right either; unless the case asked by INT n. */
		if ((res.vector == VEC_DF || res.vector == VEC_MC) &&
		    !stream_has(s, 0xcd, (uint8_t)res.vector))
			show_case(res.vector == VEC_DF ? "double fault" : "machine check", ph, idx, s, &g,
				  &res);
	} else {
		t->intn++;
	}
	if (wd_pending()) { /* fired after the case had ended: take it now */
		t->late++;
		sti();
		__asm__ volatile("nop");
		cli();
	}
	check_state(ph, idx, s, &g, &res);
}

static void run_phase(enum phase ph, struct rng *r)
{
	uint64_t end = rdtsc() + ms_to_tsc(coop ? PHASE_MS : PHASE_MS_QEMU);
	uint32_t n = 0;
	sb_code_for(ph == PH_CPL0 ? SB_CPL0 : SB_CPL3);
	if (ph == PH_CROSS) {
		ap_seed = rng_next(r);
		barrier();
		ap_rewrite = 1;
	}
	while (n < PHASE_CASES && rdtsc() < end)
		run_case(ph, r, n++, ph != PH_CROSS);
	ap_rewrite = 0;
}

static void report(int first, int last)
{
	static const char *const short_names[32] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
						    "#DF", "9",	  "#TS", "#NP", "#SS", "#GP", "#PF", "15",
						    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "22",  "23",
						    "24",  "25",  "26",	 "27",	"28",  "29",  "30",  "31"};
	for (int p = first; p <= last; p++) {
		struct stats *t = &st[p];
		if (!t->cases)
			continue;
		printf("phase %s: %u cases: ran off the end %u, watchdog %u (late %u), INT n / other vectors "
		       "%u\n",
		       phase_names[p], t->cases, t->completed, t->watchdog, t->late, t->intn);
		printf("  exceptions:");
		for (int v = 0; v < 32; v++)
			if (t->vec[v])
				printf(" %s %u", short_names[v], t->vec[v]);
		printf("\n");
	}
}

/* ---- permission checks: string I/O and MMIO emulation ---- */

static uint8_t ro_page[SB_PAGE] __attribute__((aligned(SB_PAGE)));
static uint8_t rw_page[SB_PAGE] __attribute__((aligned(SB_PAGE)));

struct perm {
	const char *what;
	int cpl;
	uint8_t code[4];
	unsigned len;
	uintptr_t si, di, cx;
	uint32_t want_vec, want_err; /* want_vec VEC_BP: completes */
	uintptr_t want_cr2;
	bool coop_only;
};

static void check_permissions(void)
{
	uintptr_t sup = sb_supervisor_page();
	sb_map(L_RO, (uintptr_t)ro_page, true, false);
	sb_map(L_RW, (uintptr_t)rw_page, true, true);
	sb_map(L_TD, TESTDEV_MMIO_BASE, true, true);
	memset(rw_page, 0x11, sizeof(rw_page));
	const struct perm checks[] = {
	    {"CPL 3 REP INSB into a supervisor page",
	     SB_CPL3,
	     {0xf3, 0x6c},
	     2,
	     0,
	     sup,
	     4,
	     VEC_PF,
	     PF_ERR_P | PF_ERR_W | PF_ERR_U,
	     sup,
	     false},
	    {"CPL 3 REP INSB into a read-only user page",
	     SB_CPL3,
	     {0xf3, 0x6c},
	     2,
	     0,
	     L_RO,
	     4,
	     VEC_PF,
	     PF_ERR_P | PF_ERR_W | PF_ERR_U,
	     L_RO,
	     false},
	    {"CPL 3 REP OUTSB from a supervisor page",
	     SB_CPL3,
	     {0xf3, 0x6e},
	     2,
	     sup,
	     0,
	     4,
	     VEC_PF,
	     PF_ERR_P | PF_ERR_U,
	     sup,
	     false},
	    {"CPL 3 REP INSB into a user page", SB_CPL3, {0xf3, 0x6c}, 2, 0, L_RW, 4, VEC_BP, 0, 0, false},
	    {"CPL 0 REP INSB into a read-only page (CR0.WP = 1)",
	     SB_CPL0,
	     {0xf3, 0x6c},
	     2,
	     0,
	     sup,
	     4,
	     VEC_PF,
	     PF_ERR_P | PF_ERR_W,
	     sup,
	     false},
	    {"CPL 3 MOVSD from the test device into a supervisor page",
	     SB_CPL3,
	     {0xa5},
	     1,
	     L_TD,
	     sup,
	     0,
	     VEC_PF,
	     PF_ERR_P | PF_ERR_W | PF_ERR_U,
	     sup,
	     true},
	    {"CPL 3 MOVSD from a supervisor page into the test device",
	     SB_CPL3,
	     {0xa5},
	     1,
	     sup,
	     L_TD,
	     0,
	     VEC_PF,
	     PF_ERR_P | PF_ERR_U,
	     sup,
	     true},
	    {"CPL 3 MOVSD from a user page into the test device",
	     SB_CPL3,
	     {0xa5},
	     1,
	     L_RW,
	     L_TD,
	     0,
	     VEC_BP,
	     0,
	     0,
	     true},
#ifdef __x86_64__
	    {"CPL 3 REP INSB to a non-canonical address",
	     SB_CPL3,
	     {0xf3, 0x6c},
	     2,
	     0,
	     0x0000800000000000ULL,
	     4,
	     VEC_GP,
	     0,
	     0,
	     false},
#endif
	};
	uint8_t before[16];
	memcpy(before, (void *)sup, sizeof(before));
	uint32_t td_before = coop ? mmio_read32(TESTDEV_MMIO_BASE + TESTDEV_SCRATCH) : 0;
	uint32_t bad = 0;
	printf("permission checks (page walk of string I/O and MMIO emulation):\n");
	for (unsigned i = 0; i < ARRAY_SIZE(checks); i++) {
		const struct perm *c = &checks[i];
		if (c->coop_only && !coop) {
			skip("%s (the test device: not under coopvmm)", c->what);
			continue;
		}
		sb_code_for(c->cpl);
		uint8_t *page = sb_code_page();
		memset(page, 0xcc, SB_PAGE);
		memcpy(page + STREAM_OFF, c->code, c->len);
		struct sb_regs g = {0};
		g.si = c->si;
		g.di = c->di;
		g.cx = c->cx;
		g.dx = FLOOD_PORT;
		g.sp = L_RW + SB_PAGE - 64;
		g.flags = 0x2 | IOPL3; /* IOPL 3: port access at CPL 3; IF 0 */
		struct sb_result res;
		sb_run(c->cpl, SB_CODE_LINEAR + STREAM_OFF, &g, &res);
		bool ok = res.vector == c->want_vec &&
			  (c->want_vec == VEC_BP ? res.ip == SB_CODE_LINEAR + STREAM_OFF + c->len + 1
						 : res.error_code == c->want_err &&
						       (c->want_vec != VEC_PF || res.cr2 == c->want_cr2));
		printf("  %s: vector %u error %#x cr2 %#lx ip %#lx: %s\n", c->what, res.vector,
		       res.error_code, (unsigned long)res.cr2, (unsigned long)res.ip, ok ? "ok" : "WRONG");
		if (!ok) {
			printf("  expected vector %u error %#x cr2 %#lx\n", c->want_vec, c->want_err,
			       (unsigned long)c->want_cr2);
			bad++;
		}
	}
	if (memcmp(before, (void *)sup, sizeof(before))) {
		printf("  the supervisor page was written\n");
		bad++;
	}
	if (memcmp(ro_page, (uint8_t[16]){0}, 16)) {
		printf("  the read-only user page was written\n");
		bad++;
	}
	for (int i = 0; i < 4; i++)
		if (rw_page[i] != 0xff) {
			printf("  REP INSB into the user page: byte %d is %#x, not all ones\n", i,
			       rw_page[i]);
			bad++;
		}
	if (coop) {
		uint32_t td = mmio_read32(TESTDEV_MMIO_BASE + TESTDEV_SCRATCH);
		printf("  test device scratch %#x (was %#x)\n", td, td_before);
		if (td != 0xffffffffU) { /* the user page's first dword after the INSB */
			printf("  MOVSD into the test device: scratch %#x, expected 0xffffffff\n", td);
			bad++;
		}
	}
	if (bad) {
		anomalies += bad;
		printf("ANOMALY: %u permission checks went wrong\n", bad);
	}
}

/* ---- a CPL-0 stack pointer on the sandbox's read-only pages ----
 * A CPL-0 stream can load ESP with anything: seed 0x36e847528545f62a, case
 * 2615 of its CPL-0 phase (POP ESP; ...; 62 CC, #UD) died with ESP
 * 0x0010d425, the sandbox's GDT/TSS page, a value an earlier case had left
 * in the dword above the stack: the #UD, the #PF of its push, the #DF
 * could not be delivered, a triple fault, as on the hardware (bare QEMU
 * too). With 16-bit stack segments (rt/sandbox.h) the exception arrives. */
static void check_stack_anywhere(void)
{
	static const uint32_t offs[] = {0, 4, 0x425, SB_PAGE - 4};
	uint32_t n = 0, bad = 0;
	sb_code_for(SB_CPL0);
	for (unsigned i = 0; i < SB_RO_PAGES; i++)
		for (unsigned k = 0; k < ARRAY_SIZE(offs); k++) {
			uint32_t sp = (uint32_t)sb_readonly_page(i) + offs[k];
			uint8_t *page = sb_code_page();
			memset(page, 0xcc, SB_PAGE);
			page[STREAM_OFF] = 0xbc; /* MOV ESP, imm32 */
			memcpy(page + STREAM_OFF + 1, &sp, 4);
			page[STREAM_OFF + 5] = 0x0f; /* UD2 */
			page[STREAM_OFF + 6] = 0x0b;
			struct sb_regs g = {0};
			g.flags = 0x2; /* IF 0 */
			struct sb_result res;
			sb_run(SB_CPL0, SB_CODE_LINEAR + STREAM_OFF, &g, &res);
			n++;
			if (res.vector != VEC_UD || res.ip != SB_CODE_LINEAR + STREAM_OFF + 5) {
				printf("  ESP %#x: vector %u ip %#lx, expected #UD at %#lx\n", sp, res.vector,
				       (unsigned long)res.ip,
				       (unsigned long)(SB_CODE_LINEAR + STREAM_OFF + 5));
				bad++;
			}
		}
	printf("CPL-0 stack pointer on the sandbox's read-only pages: %u of %u exceptions delivered\n",
	       n - bad, n);
	if (bad) {
		anomalies += bad;
		printf("ANOMALY: %u exceptions with ESP on a read-only page went wrong\n", bad);
	}
}

void insnfuzz_main(uint64_t fixed_seed)
{
	coop = under_coopvmm();
	uint64_t seeds[RAND_MAX_SEEDS];
	int nseeds = rand_seeds(fixed_seed, seeds);
	trap_set_handler(VEC_WD, late_handler);
	lapic_enable(false);
	tsc_deadline = cpu_has(CPUID_LEAF_FEATURES, REG_ECX, CPUID1_ECX_TSC_DEADLINE);
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, 0xffffffff);
	delay_ms(2);
	bus_per_ms = (uint32_t)udiv64((uint64_t)(0xffffffff - lapic_read(APIC_TIMER_CCR)) * tsc_khz(),
				      (uint32_t)(rdtsc() - t0), NULL);
	lapic_timer_stop();
	uint32_t cpus = smp_cpus();
	sb_init();
	sane_cr0 = read_cr0();
	sane_cr3 = read_cr3();
	sane_cr4 = read_cr4();
	sane_efer = rdmsr(MSR_IA32_EFER);
	printf("%s: watchdog %u us (%s), %u vCPU(s), cr0 %#lx cr4 %#lx efer %#llx\n", guest_name, WD_US,
	       tsc_deadline ? "TSC deadline" : "one-shot", cpus, (unsigned long)sane_cr0,
	       (unsigned long)sane_cr4, (unsigned long long)sane_efer);
	uint64_t start = rdtsc();
	struct rng rounds[RAND_MAX_SEEDS];
	for (int i = 0; i < nseeds; i++) {
		rand_round(&rounds[i], guest_name, seeds[i]);
		for (int p = PH_CPL0; p < PH_CROSS; p++) {
#ifndef __x86_64__
			if (p == PH_COMPAT)
				continue;
#endif
			run_phase((enum phase)p, &rounds[i]);
		}
	}
	report(PH_CPL0, PH_COMPAT);
	/* vCPU 1 last: should its start-up fail, the results above are out. */
	have_ap = cpus >= 2 && smp_start_ap(1, ap_fn, NULL, ap_stack, sizeof(ap_stack), AP_WAIT_MS);
	if (coop && cpus >= 2 && !have_ap)
		fail("vCPU 1 did not start");
	if (have_ap) {
		for (int i = 0; i < nseeds; i++)
			run_phase(PH_CROSS, &rounds[i]);
		ap_stop = 1;
		report(PH_CROSS, PH_CROSS);
		printf("vCPU 1 rewrote %u stream bytes\n", ap_writes);
	} else {
		skip("phase '%s' (%u vCPU(s): run=%s:16M:2, QEMU -smp 2)", phase_names[PH_CROSS], cpus,
		     guest_name);
	}
	check_permissions();
	check_stack_anywhere();
	printf("%s: %u anomalies, %llu ms\n", guest_name, anomalies,
	       (unsigned long long)udiv64(tsc_to_us(rdtsc() - start), 1000, NULL));
	EXPECT_EQ(anomalies, 0);
	for (int p = 0; p < PHASES; p++)
		if (p != PH_CROSS || have_ap)
#ifndef __x86_64__
			if (p != PH_COMPAT)
#endif
				EXPECT_GT(st[p].cases, 0);
}
