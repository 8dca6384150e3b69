/* SPDX-License-Identifier: GPL-2.0-only */
/* smp_ipi: IPIs inside one VM (docs/guest-platform.md "Boot", "Devices";
 * Intel SDM Vol. 3A 10.6 "Issuing Interprocessor Interrupts", 10.12.9-11
 * x2APIC ICR and SELF IPI, 8.4.4.1 "Typical BSP Initialization Sequence"
 * for INIT-SIPI-SIPI, 9.9.1 for the switch to protected mode).
 *
 * On vCPU 0 (the BSP): a self-IPI through the xAPIC ICR with the "self"
 * shorthand is pending in the IRR while IF = 0 and arrives once after STI.
 * Then the AP: a real-mode trampoline at AP_TRAMPOLINE (below 1 MiB, clear
 * of the runtime's real-mode blob at RM_BASE and of the Multiboot
 * information at 0x9000) is started with INIT, 10 ms, SIPI, 200 us, SIPI;
 * it records CS:IP and CR0 as it starts and how often it started, loads the
 * guest's GDT, enters 32-bit protected mode, takes a stack, enables its
 * LAPIC (SVR) and says it is online with its APIC ID, then waits in
 * `sti; hlt`. Round trips: vCPU 0 sends a fixed IPI (physical destination 1)
 * on VEC_PING, the AP's handler counts it and answers with VEC_PONG to
 * vCPU 0; both counts are checked after every trip. A broadcast IPI with the
 * "all excluding self" shorthand reaches the AP and not vCPU 0; "all
 * including self" reaches both once. Last, if CPUID has x2APIC: vCPU 0 in
 * x2APIC mode sends itself an IPI through the SELF IPI MSR (0x83f), one
 * through the ICR MSR (0x830) with the self shorthand, and one with its own
 * x2APIC ID as physical destination; each arrives once. vCPU 0 waits for
 * IPIs in `sti; hlt` with a one-shot LAPIC timer as the only timeout, and
 * the round trips must average under TRIP_AVG_MAX_US: a wake-up the VMM
 * loses shows.
 *
 * Under plain QEMU run it with -smp 2; with one CPU the AP part is skipped
 * (no CPU answers the SIPI). Under coopvmm it needs NAME:MEM:2 (run=), and
 * with one vCPU the AP part is skipped too. */
#include "rt/rt.h"

#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/timer.h"

/* ICR (10.6.1, Figure 10-12); x2APIC: one 64-bit MSR, destination in 63:32. */
#define APIC_ICR_LO	    0x300
#define APIC_ICR_HI	    0x310
#define ICR_DM_FIXED	    (0U << 8)
#define ICR_DM_INIT	    (5U << 8)
#define ICR_DM_STARTUP	    (6U << 8)
#define ICR_BUSY	    (1U << 12) /* delivery status: send pending */
#define ICR_ASSERT	    (1U << 14)
#define ICR_SH_SELF	    (1U << 18)
#define ICR_SH_ALL	    (2U << 18)
#define ICR_SH_OTHERS	    (3U << 18)
#define ICR_XAPIC_DEST(id)  ((uint32_t)(id) << 24)
#define MSR_X2APIC_ICR	    (MSR_X2APIC_FIRST + (APIC_ICR_LO >> 4))
#define MSR_X2APIC_SELF_IPI 0x83f

#define VEC_TICK     0x40 /* vCPU 0's LAPIC timer: the timeout of a wait */
#define VEC_SELF     0x50
#define VEC_X2_SELF  0x51 /* SELF IPI MSR */
#define VEC_X2_ICR   0x52 /* x2APIC ICR, self shorthand */
#define VEC_X2_DEST0 0x53 /* x2APIC ICR, physical destination 0 */
#define VEC_PING     0x60 /* vCPU 0 -> AP */
#define VEC_PONG     0x61 /* AP -> vCPU 0 */
#define VEC_OTHERS   0x62 /* all excluding self */
#define VEC_ALL	     0x63 /* all including self */

#define AP_APIC_ID	 1
#define AP_TRAMPOLINE	 0x8000 /* 4 KiB aligned, below 1 MiB: SIPI vector 0x08 */
#define AP_TRAMPOLINE_SZ 0x1000
#define AP_STACK_SIZE	 4096
#define INIT_DELAY_MS	 10
#define SIPI_DELAY_US	 200
#define ONLINE_WAIT_MS	 1000
#define IPI_WAIT_MS	 1000
#define QUIET_MS	 10 /* after a broadcast: nothing more may arrive */
#define ROUND_TRIPS	 100
/* vCPU 0 waits for each answer in HLT with no other wake-up source than
 * the answer and the 1 s timeout: a lost wake-up costs a trip the VMM's
 * next own deadline (its 100 ms poll) or the timeout. Bochs: 0.2 ms. */
#define TRIP_AVG_MAX_US 5000
#define ICR_BUSY_SPINS	1000000

#define XSTR_(x) #x
#define XSTR(x)	 XSTR_(x)

/* The AP's way in. ap_tramp_start..ap_tramp_end is copied to AP_TRAMPOLINE
 * and runs there in real mode with CS = AP_TRAMPOLINE >> 4, IP = 0 (the
 * SIPI vector is AP_TRAMPOLINE >> 12): it records CS, IP and CR0, counts
 * its starts, loads the GDT register vCPU 0 patched in (the guest's own
 * GDT, from SGDT), sets CR0.PE and jumps to ap_entry32 in the image, which
 * loads the flat data segments and ap_stack_top and calls ap_main. All
 * trampoline data is addressed CS-relative, so the copy works anywhere. */
/* clang-format off */
__asm__(".pushsection .text\n"
	".code16\n"
	".globl ap_tramp_start, ap_tramp_end, ap_tramp_gdtr, ap_tramp_cs, ap_tramp_ip\n"
	".globl ap_tramp_cr0, ap_tramp_starts\n"
	"ap_tramp_start:\n"
	"	cli\n"
	"	call 1f\n" /* IP of the first instruction: pushed IP - (1f - start) */
	"1:	popw %ax\n"
	"	subw $(1b - ap_tramp_start), %ax\n"
	"	movw %ax, %cs:(ap_tramp_ip - ap_tramp_start)\n"
	"	movw %cs, %cs:(ap_tramp_cs - ap_tramp_start)\n"
	"	movl %cr0, %eax\n"
	"	movl %eax, %cs:(ap_tramp_cr0 - ap_tramp_start)\n"
	"	lock incl %cs:(ap_tramp_starts - ap_tramp_start)\n"
	"	lgdtl %cs:(ap_tramp_gdtr - ap_tramp_start)\n"
	"	orl $1, %eax\n" /* CR0.PE */
	"	movl %eax, %cr0\n"
	"	ljmpl $" XSTR(SEL_CODE32) ", $ap_entry32\n"
	"	.balign 4\n"
	"ap_tramp_gdtr:	.word 0\n"
	"	.long 0\n"
	"ap_tramp_cs:	.word 0\n"
	"ap_tramp_ip:	.word 0xffff\n"
	"ap_tramp_cr0:	.long 0xffffffff\n"
	"ap_tramp_starts:	.long 0\n"
	"ap_tramp_end:\n"
	".code32\n"
	"ap_entry32:\n"
	"	movl $" XSTR(SEL_DATA32) ", %eax\n"
	"	movl %eax, %ds\n"
	"	movl %eax, %es\n"
	"	movl %eax, %fs\n"
	"	movl %eax, %gs\n"
	"	movl %eax, %ss\n"
	"	movl ap_stack_top, %esp\n"
	"	call ap_main\n"
	"2:	cli\n"
	"	hlt\n"
	"	jmp 2b\n"
	".popsection\n");
/* clang-format on */

extern char ap_tramp_start[], ap_tramp_end[], ap_tramp_gdtr[], ap_tramp_cs[], ap_tramp_ip[], ap_tramp_cr0[],
    ap_tramp_starts[];
__attribute__((noreturn)) void ap_main(void);

static uint8_t ap_stack[AP_STACK_SIZE] __attribute__((aligned(16)));
uint32_t ap_stack_top; /* read by ap_entry32 */

/* Written by the AP (ap_main, its handlers), read by vCPU 0. */
static volatile uint32_t ap_online, ap_stage, ap_apic_id, ap_cpuid_apic_id, ap_cr0_pm;
static volatile uint64_t ap_apic_base;
static volatile uint32_t ap_pings, ap_others, ap_all;
/* Counted on vCPU 0. */
static volatile uint32_t bsp_pongs, bsp_others, bsp_all, self_count, ticks;
static uint32_t bus_khz;

/* The AP's own xAPIC at the default base: the runtime's lapic_* follow
 * vCPU 0's mode (which becomes x2APIC at the end), the AP stays xAPIC. */
static uint32_t ap_xapic_read(uint32_t reg)
{
	return mmio_read32(LAPIC_DEFAULT_BASE + reg);
}

static void ap_xapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(LAPIC_DEFAULT_BASE + reg, v);
}

/* Am I the AP? (Its handlers run on ap_stack.) */
static bool on_ap(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	return sp >= (uintptr_t)ap_stack && sp < (uintptr_t)ap_stack + sizeof(ap_stack);
}

__attribute__((noreturn)) void ap_main(void)
{
	ap_stage = 1; /* how far it got, for a FAIL line */
	idt_reload();
	ap_cr0_pm = read_cr0();
	ap_apic_base = rdmsr(MSR_IA32_APIC_BASE);
	ap_stage = 2;
	ap_cpuid_apic_id = CPUID1_EBX_APIC_ID(cpuid(CPUID_LEAF_FEATURES, 0).ebx);
	ap_stage = 3;
	ap_xapic_write(APIC_TPR, 0);
	ap_stage = 4;
	ap_xapic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	ap_stage = 5;
	ap_apic_id = ap_xapic_read(APIC_ID) >> 24;
	ap_stage = 6;
	barrier();
	ap_online = 1;
	for (;;)
		sti_hlt();
}

/* ---- handlers ---- */

static void spurious_handler(struct trap_frame *f)
{
	(void)f;
} /* no EOI for the spurious vector (10.9) */

static void tick_handler(struct trap_frame *f)
{
	(void)f;
	ticks++;
	lapic_eoi();
}

static void self_handler(struct trap_frame *f)
{
	(void)f;
	self_count++;
	lapic_eoi();
}

/* AP: count the ping, answer vCPU 0. */
static void ping_handler(struct trap_frame *f)
{
	if (!on_ap())
		fail("ping (vector %#x) delivered to vCPU 0 at eip %#x", VEC_PING, f->eip);
	ap_pings++;
	ap_xapic_write(APIC_ICR_HI, ICR_XAPIC_DEST(0));
	ap_xapic_write(APIC_ICR_LO, ICR_DM_FIXED | ICR_ASSERT | VEC_PONG);
	ap_xapic_write(APIC_EOI, 0);
}

static void pong_handler(struct trap_frame *f)
{
	if (on_ap())
		fail("pong (vector %#x) delivered to the AP at eip %#x", VEC_PONG, f->eip);
	bsp_pongs++;
	lapic_eoi();
}

static void others_handler(struct trap_frame *f)
{
	(void)f;
	if (on_ap()) {
		ap_others++;
		ap_xapic_write(APIC_EOI, 0);
	} else {
		bsp_others++;
		lapic_eoi();
	}
}

static void all_handler(struct trap_frame *f)
{
	(void)f;
	if (on_ap()) {
		ap_all++;
		ap_xapic_write(APIC_EOI, 0);
	} else {
		bsp_all++;
		lapic_eoi();
	}
}

/* ---- vCPU 0 ---- */

static uint32_t measure_bus_khz(void)
{
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TICK);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, 0xffffffff);
	wait_tsc(t0 + ms_to_tsc(5));
	uint32_t ccr = lapic_read(APIC_TIMER_CCR);
	uint64_t ticks_tsc = rdtsc() - t0;
	lapic_timer_stop();
	return (uint32_t)udiv64((uint64_t)(0xffffffffU - ccr) * tsc_khz(), (uint32_t)ticks_tsc, NULL);
}

/* xAPIC: destination first, the low half sends (10.6.1). */
static void send_ipi_xapic(uint32_t dest, uint32_t lo)
{
	lapic_write(APIC_ICR_HI, ICR_XAPIC_DEST(dest));
	lapic_write(APIC_ICR_LO, lo);
	for (uint32_t i = 0; lapic_read(APIC_ICR_LO) & ICR_BUSY; i++)
		if (i == ICR_BUSY_SPINS)
			fail("ICR delivery status still busy after %u reads (ICR %#x)", i,
			     lapic_read(APIC_ICR_LO));
}

static bool irr_set(uint8_t v)
{
	return (lapic_read(APIC_VECTOR_REG(APIC_IRR0, v)) & APIC_VECTOR_BIT(v)) != 0;
}

/* Sleep in `sti; hlt` until *p >= want or ms pass; returns with IF = 0.
 * The timeout is a one-shot LAPIC timer, the only other interrupt vCPU 0
 * expects meanwhile: a wake-up the VMM loses is not hidden by a tick. */
static bool wait_for(volatile uint32_t *p, uint32_t want, uint32_t ms)
{
	cli();
	uint32_t t0 = ticks;
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV16);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | VEC_TICK);
	lapic_write(APIC_TIMER_ICR, bus_khz / 16 * ms);
	while (*p < want && ticks == t0) {
		sti_hlt();
		cli();
	}
	lapic_timer_stop();
	return *p >= want;
}

/* Spin with IF = 1 until *p >= want or ms pass, for what the AP writes
 * without telling vCPU 0 (with one VMM CPU for both vCPUs the AP runs when
 * vCPU 0's time slice ends); returns with IF = 0. */
static bool poll_for(volatile uint32_t *p, uint32_t want, uint32_t ms)
{
	uint64_t deadline = rdtsc() + ms_to_tsc(ms);
	sti();
	while (*p < want && rdtsc() < deadline)
		cpu_relax();
	cli();
	return *p >= want;
}

/* Let pending interrupts in for ms (the waits' timer runs meanwhile). */
static void quiet_period(uint32_t ms)
{
	static volatile uint32_t never;
	wait_for(&never, 1, ms);
}

/* The self IPI arrives once, after STI, and not before (IF = 0). */
static void expect_self_ipi(const char *what, uint8_t vector)
{
	printf("  %s, vector %#x: pending (IRR) %u, ", what, vector, irr_set(vector));
	EXPECT_TRUE(irr_set(vector));
	EXPECT_EQ(self_count, 0);
	quiet_period(QUIET_MS);
	printf("arrived %u time(s), IRR %u, ISR %u\n", self_count, irr_set(vector), lapic_in_service(vector));
	EXPECT_EQ(self_count, 1);
	EXPECT_FALSE(irr_set(vector));
	EXPECT_FALSE(lapic_in_service(vector));
}

static void check_self_ipi_xapic(void)
{
	printf("xAPIC self IPI (ICR, self shorthand):\n");
	trap_set_handler(VEC_SELF, self_handler);
	self_count = 0;
	cli();
	send_ipi_xapic(0, ICR_SH_SELF | ICR_DM_FIXED | ICR_ASSERT | VEC_SELF);
	expect_self_ipi("self shorthand", VEC_SELF);
}

/* How many vCPUs/CPUs to expect (0: do not know). coopvmm puts the vCPU
 * count in CPUID.1:EBX[23:16]; elsewhere that field means something only
 * with the HTT bit, and even then only for one package. */
static uint32_t expected_cpus(void)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_FEATURES, 0);
	uint32_t n = (r.ebx >> 16) & 0xff;
	if (under_coopvmm())
		return n;
	return (r.edx & (1U << 28)) && n >= 2 ? n : 0;
}

/* INIT, 10 ms, SIPI, 200 us, SIPI; true when the AP came online. */
static bool start_ap(void)
{
	uint32_t want = expected_cpus();
	printf("AP start-up (INIT-SIPI-SIPI to APIC ID %u, trampoline at %#x); CPUs expected: %u%s\n",
	       AP_APIC_ID, AP_TRAMPOLINE, want, want ? "" : " (unknown)");
	if (under_coopvmm() && want < 2) {
		skip("AP start-up and IPIs between vCPUs (the VM has %u vCPU: run=%s:MEM:2)", want,
		     guest_name);
		return false;
	}
	size_t n = (size_t)(ap_tramp_end - ap_tramp_start);
	if (n > AP_TRAMPOLINE_SZ)
		fail("AP trampoline is %u bytes", (unsigned)n);
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} gdtr;
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	uint8_t *t = (uint8_t *)AP_TRAMPOLINE;
	memcpy(t, ap_tramp_start, n);
	memcpy(t + (ap_tramp_gdtr - ap_tramp_start), &gdtr, sizeof(gdtr));
	ap_stack_top = (uint32_t)(ap_stack + sizeof(ap_stack));

	uint64_t t0 = rdtsc();
	send_ipi_xapic(AP_APIC_ID, ICR_DM_INIT | ICR_ASSERT);
	delay_ms(INIT_DELAY_MS);
	send_ipi_xapic(AP_APIC_ID, ICR_DM_STARTUP | (AP_TRAMPOLINE >> 12));
	delay_us(SIPI_DELAY_US);
	send_ipi_xapic(AP_APIC_ID, ICR_DM_STARTUP | (AP_TRAMPOLINE >> 12));
	bool up = poll_for(&ap_online, 1, ONLINE_WAIT_MS);
	uint64_t us = tsc_to_us(rdtsc() - t0);
	if (!up) {
		if (want >= 2)
			fail("the AP did not come online within %u ms of INIT (trampoline starts %u, CS %#x; "
			     "ap_main stage %u of 6)",
			     ONLINE_WAIT_MS, *(volatile uint32_t *)(t + (ap_tramp_starts - ap_tramp_start)),
			     *(volatile uint16_t *)(t + (ap_tramp_cs - ap_tramp_start)), ap_stage);
		skip("AP start-up and IPIs between CPUs (no CPU answered INIT-SIPI-SIPI within %u ms; QEMU: "
		     "-smp 2)",
		     ONLINE_WAIT_MS);
		return false;
	}
	uint16_t cs = *(volatile uint16_t *)(t + (ap_tramp_cs - ap_tramp_start));
	uint16_t ip = *(volatile uint16_t *)(t + (ap_tramp_ip - ap_tramp_start));
	uint32_t cr0_rm = *(volatile uint32_t *)(t + (ap_tramp_cr0 - ap_tramp_start));
	uint32_t starts = *(volatile uint32_t *)(t + (ap_tramp_starts - ap_tramp_start));
	printf("  AP online %llu us after INIT: APIC ID %u (CPUID %u), APIC_BASE %#llx\n",
	       (unsigned long long)us, ap_apic_id, ap_cpuid_apic_id, (unsigned long long)ap_apic_base);
	printf("  trampoline: started %u time(s) at %04x:%04x, CR0 %#x there, %#x in protected mode\n",
	       starts, cs, ip, cr0_rm, ap_cr0_pm);
	EXPECT_EQ(ap_apic_id, AP_APIC_ID);
	EXPECT_EQ(ap_cpuid_apic_id, AP_APIC_ID);
	EXPECT_EQ(ap_apic_base & (APIC_BASE_ADDR_MASK | APIC_BASE_ENABLE | APIC_BASE_BSP | APIC_BASE_EXTD),
		  LAPIC_DEFAULT_BASE | APIC_BASE_ENABLE); /* not the BSP, xAPIC */
	EXPECT_EQ(starts, 1);				  /* the second SIPI found it running */
	EXPECT_EQ(cs, AP_TRAMPOLINE >> 4);
	EXPECT_EQ(ip, 0);
	EXPECT_EQ(cr0_rm & (CR0_PE | CR0_PG), 0);
	EXPECT_EQ(ap_cr0_pm & (CR0_PE | CR0_PG), CR0_PE);
	EXPECT_GE(us, INIT_DELAY_MS * 1000); /* it waited for the SIPI */
	return true;
}

static void check_round_trips(void)
{
	printf("%u round trips: fixed IPI to APIC ID %u on %#x, answered on %#x:\n", ROUND_TRIPS, AP_APIC_ID,
	       VEC_PING, VEC_PONG);
	lapic_write(APIC_ESR, 0);
	uint64_t t0 = rdtsc(), worst = 0;
	for (uint32_t i = 1; i <= ROUND_TRIPS; i++) {
		uint64_t s = rdtsc();
		send_ipi_xapic(AP_APIC_ID, ICR_DM_FIXED | ICR_ASSERT | VEC_PING);
		if (!wait_for(&bsp_pongs, i, IPI_WAIT_MS))
			fail("round trip %u: no answer within %u ms (AP pings %u, vCPU 0 pongs %u)", i,
			     IPI_WAIT_MS, ap_pings, bsp_pongs);
		uint64_t d = rdtsc() - s;
		if (d > worst)
			worst = d;
		EXPECT_EQ(bsp_pongs, i);
		EXPECT_EQ(ap_pings, i);
	}
	uint64_t us = tsc_to_us(rdtsc() - t0), avg = udiv64(us, ROUND_TRIPS, NULL);
	quiet_period(QUIET_MS);
	printf(
	    "  AP counted %u ping(s), vCPU 0 %u pong(s); %llu us in all, %llu us per trip, worst %llu us\n",
	    ap_pings, bsp_pongs, (unsigned long long)us, (unsigned long long)avg,
	    (unsigned long long)tsc_to_us(worst));
	EXPECT_LT(avg, TRIP_AVG_MAX_US);
	EXPECT_EQ(ap_pings, ROUND_TRIPS);
	EXPECT_EQ(bsp_pongs, ROUND_TRIPS);
	lapic_write(APIC_ESR, 0);
	EXPECT_EQ(lapic_read(APIC_ESR), 0); /* no send errors */
}

static void check_broadcasts(void)
{
	printf("broadcast IPIs:\n");
	send_ipi_xapic(0, ICR_SH_OTHERS | ICR_DM_FIXED | ICR_ASSERT | VEC_OTHERS);
	bool got = poll_for(&ap_others, 1, IPI_WAIT_MS);
	quiet_period(QUIET_MS);
	printf("  all excluding self, vector %#x: AP %u, vCPU 0 %u\n", VEC_OTHERS, ap_others, bsp_others);
	EXPECT_TRUE(got);
	EXPECT_EQ(ap_others, 1);
	EXPECT_EQ(bsp_others, 0);

	send_ipi_xapic(0, ICR_SH_ALL | ICR_DM_FIXED | ICR_ASSERT | VEC_ALL);
	got = wait_for(&bsp_all, 1, IPI_WAIT_MS) && poll_for(&ap_all, 1, IPI_WAIT_MS);
	quiet_period(QUIET_MS);
	printf("  all including self, vector %#x: AP %u, vCPU 0 %u\n", VEC_ALL, ap_all, bsp_all);
	EXPECT_TRUE(got);
	EXPECT_EQ(ap_all, 1);
	EXPECT_EQ(bsp_all, 1);
	EXPECT_EQ(ap_pings, ROUND_TRIPS); /* nothing else reached the AP's vectors */
	EXPECT_EQ(bsp_pongs, ROUND_TRIPS);
}

static void check_self_ipi_x2apic(void)
{
	if (!lapic_enable(true)) {
		skip("x2APIC self IPIs (CPUID.1:ECX bit 21 clear)");
		return;
	}
	printf("x2APIC self IPIs (ID %u):\n", lapic_id());
	trap_set_handler(VEC_X2_SELF, self_handler);
	trap_set_handler(VEC_X2_ICR, self_handler);
	trap_set_handler(VEC_X2_DEST0, self_handler);

	self_count = 0;
	cli();
	wrmsr(MSR_X2APIC_SELF_IPI, VEC_X2_SELF);
	expect_self_ipi("SELF IPI MSR 0x83f", VEC_X2_SELF);

	self_count = 0;
	cli();
	wrmsr(MSR_X2APIC_ICR, ICR_SH_SELF | ICR_DM_FIXED | ICR_ASSERT | VEC_X2_ICR);
	expect_self_ipi("ICR MSR 0x830, self shorthand", VEC_X2_ICR);

	self_count = 0;
	cli();
	wrmsr(MSR_X2APIC_ICR, ((uint64_t)lapic_id() << 32) | ICR_DM_FIXED | ICR_ASSERT | VEC_X2_DEST0);
	expect_self_ipi("ICR MSR 0x830, physical destination = own ID", VEC_X2_DEST0);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	trap_set_handler(APIC_SPURIOUS_VECTOR, spurious_handler);
	trap_set_handler(VEC_TICK, tick_handler);
	trap_set_handler(VEC_PING, ping_handler);
	trap_set_handler(VEC_PONG, pong_handler);
	trap_set_handler(VEC_OTHERS, others_handler);
	trap_set_handler(VEC_ALL, all_handler);
	lapic_enable(false);
	bus_khz = measure_bus_khz();
	printf("vCPU 0: APIC ID %u; LAPIC timer %u kHz, TSC %u kHz (%s)\n", lapic_id(), bus_khz, tsc_khz(),
	       tsc_khz_source());
	EXPECT_EQ(lapic_id(), 0);
	EXPECT_NE(bus_khz, 0);
	check_self_ipi_xapic();
	if (start_ap()) {
		check_round_trips();
		check_broadcasts();
	}
	check_self_ipi_x2apic();
	printf("spurious interrupts: %u, timeouts (waits that ran out, quiet periods): %u\n",
	       trap_count(APIC_SPURIOUS_VECTOR), ticks);
	return 0;
}
