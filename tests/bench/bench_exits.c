/* SPDX-License-Identifier: GPL-2.0-only */
/* bench_exits: what a VM exit costs under coopvmm, measured by the guest in
 * TSC cycles (docs/benchmarks.md). For each item it runs WARMUP iterations,
 * then ITERS measured ones of one operation between two fenced RDTSCs, and
 * prints the median and the minimum as
 *     BENCH name median=N min=N iters=N
 * then PASS. The empty region ("baseline") is measured first; its median is
 * the measurement overhead, subtracted from every other region item.
 *
 * Fencing (Intel SDM Vol. 2B RDTSC, Vol. 3B 18.17 "Time-Stamp Counter"):
 * "lfence; rdtsc; lfence" on both sides: the first LFENCE keeps RDTSC from
 * reading before the earlier instructions have completed, the second keeps
 * later instructions from starting before it has read. CPUID, the usual
 * serializing fence, cannot be used: under a hypervisor it is itself an exit.
 *
 * The interrupt items (timer_irq_running, hlt_wake_*) compare a programmed
 * deadline with the TSC read first thing in the interrupt handler; they are
 * latencies, nothing is subtracted from them. guest_int_entry is the part of
 * them the guest spends itself: a software INT to the handler's TSC read. */
#include "rt/rt.h"

#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/testdev.h"
#include "rt/timer.h"

#define ITERS		  2000
#define WARMUP		  200
#define IRQ_ITERS	  500 /* interrupt items: each iteration waits WAKE_DELAY_US */
#define IRQ_WARMUP	  20
#define WAKE_DELAY_US	  200
#define REP_BYTES	  64
#define UNCLAIMED_PORT	  0x2e0
#define COM1_SCR	  0x3ff /* COM1's scratch register (PC16550D) */
#define COM1_MCR	  0x3fc /* modem control */
#define COM1_MSR	  0x3fe /* modem status */
#define COM1_MCR_LOOP_ALL 0x1f	/* loopback, with DTR, RTS, OUT1, OUT2 on */
#define COM1_MCR_DTR_RTS  0x03	/* as the runtime's serial_init leaves it */
#define XAPIC_TPR	  (LAPIC_DEFAULT_BASE + APIC_TPR)
#define XAPIC_EOI	  (LAPIC_DEFAULT_BASE + APIC_EOI)
#define MSR_X2APIC_TPR	  (MSR_X2APIC_FIRST + (APIC_TPR >> 4)) /* 0x808 */
#define MSR_X2APIC_EOI	  (MSR_X2APIC_FIRST + (APIC_EOI >> 4)) /* 0x80b */
#define VEC_TIMER	  0x40
#define VEC_SOFT	  0x41
#define CPUID1_EDX_SSE2	  (1U << 26) /* LFENCE */

static uint32_t samples[ITERS];
static uint32_t overhead; /* median of the empty region */
static uint8_t rep_out[REP_BYTES], rep_drain[REP_BYTES];
static volatile uint64_t t_irq;
static volatile uint32_t fired;

static inline uint64_t tsc_fenced(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Run BODY n times, each between two fenced TSC reads, into samples[];
 * AFTER runs after the second read (untimed). */
#define MEASURE(n_, body_, after_)                                                                           \
	do {                                                                                                 \
		for (uint32_t i_ = 0; i_ < (n_); i_++) {                                                     \
			uint64_t t0_ = tsc_fenced();                                                         \
			body_;                                                                               \
			uint64_t t1_ = tsc_fenced();                                                         \
			samples[i_] = (uint32_t)(t1_ - t0_);                                                 \
			after_;                                                                              \
		}                                                                                            \
	} while (0)

/* Warm-up (caches, TLBs, the VMM's first-use paths), then the measured run. */
#define BENCH_AFTER(name_, body_, after_)                                                                    \
	({                                                                                                   \
		MEASURE(WARMUP, body_, after_);                                                              \
		MEASURE(ITERS, body_, after_);                                                               \
		report(name_, ITERS, overhead);                                                              \
	})
#define BENCH(name_, body_) BENCH_AFTER(name_, body_, (void)0)

struct result {
	uint32_t median, min;
};

static void sort(uint32_t *a, uint32_t n)
{
	/* Shell sort with Ciura's gaps: cheap enough for 2000 samples. */
	static const uint32_t gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
	for (uint32_t g = 0; g < ARRAY_SIZE(gaps); g++) {
		uint32_t gap = gaps[g];
		for (uint32_t i = gap; i < n; i++) {
			uint32_t v = a[i], j = i;
			for (; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
	}
}

static uint32_t sub0(uint32_t a, uint32_t b)
{
	return a > b ? a - b : 0;
}

static struct result summarize(uint32_t n, uint32_t subtract)
{
	sort(samples, n);
	uint32_t median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
	return (struct result){sub0(median, subtract), sub0(samples[0], subtract)};
}

static void print_result(const char *name, struct result r, uint32_t n)
{
	printf("BENCH %s median=%u min=%u iters=%u\n", name, r.median, r.min, n);
}

/* Sort samples[0..n) and print the BENCH line with SUBTRACT taken off. */
static struct result report(const char *name, uint32_t n, uint32_t subtract)
{
	struct result r = summarize(n, subtract);
	print_result(name, r, n);
	return r;
}

static void timer_handler(struct trap_frame *f)
{
	(void)f;
	t_irq = tsc_fenced();
	fired++;
	lapic_eoi();
}

static void soft_handler(struct trap_frame *f)
{
	(void)f;
	t_irq = tsc_fenced();
}

static inline void rep_outsb(uint16_t port, const void *buf, uint32_t n)
{
	__asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

static inline void rep_insb(uint16_t port, void *buf, uint32_t n)
{
	__asm__ volatile("rep insb" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

static void bench_baseline(void)
{
	MEASURE(WARMUP, (void)0, (void)0);
	MEASURE(ITERS, (void)0, (void)0);
	struct result r = report("baseline", ITERS, 0);
	overhead = r.median;
	printf("measurement overhead: %u cycles (the baseline median), taken off every region below\n",
	       overhead);
}

static void bench_cpuid(void)
{
	BENCH("cpuid_0", cpuid(CPUID_LEAF_BASIC, 0));
	BENCH("cpuid_40000000", cpuid(CPUID_LEAF_HV_BASE, 0));
}

/* A port an IOPM serves (run=bench_exits:16M:1:iopm0, tools/bench --iopm):
 * COM1's scratch register, a round trip through the channel to iopmd's
 * UART model. The VMM's own COM1 has no scratch register. */
static void bench_iopm(void)
{
	/* The VMM's own COM1 (a stand-in) has no modem lines: in loopback a
	 * 16550's MSR shows the MCR's outputs, the stand-in's reads 0. */
	outb(COM1_MCR, COM1_MCR_LOOP_ALL);
	bool uart = (inb(COM1_MSR) & 0xf0) == 0xf0;
	outb(COM1_MCR, COM1_MCR_DTR_RTS);
	if (!uart) {
		printf("iopm items: COM1 is the VMM's (no IOPM serves it): not measured\n");
		return;
	}
	uint8_t b = 0;
	BENCH("in_iopm_com1_scr", b = inb(COM1_SCR));
	BENCH("out_iopm_com1_scr", outb(COM1_SCR, b++));
}

static void bench_ports(bool coop)
{
	uint32_t v = 0;
	if (coop) {
		BENCH("out_testdev_e0", outl(TESTDEV_PORT_SCRATCH, v++));
		uint32_t last = v - 1;
		BENCH("in_testdev_e0", v = inl(TESTDEV_PORT_SCRATCH));
		EXPECT_EQ(v, last);
	}
	BENCH("in_unclaimed_2e0", v = inl(UNCLAIMED_PORT));
	EXPECT_EQ(v, 0xffffffffU);
	if (!coop)
		return;

	/* REP OUTSB to the FIFO, drained after each iteration (untimed), so
	 * every one appends to an empty FIFO instead of dropping bytes. */
	for (uint32_t i = 0; i < REP_BYTES; i++)
		rep_out[i] = (uint8_t)(i * 7 + 1);
	struct result one = BENCH_AFTER("rep_outsb_1", rep_outsb(TESTDEV_PORT_FIFO, rep_out, 1),
					rep_insb(TESTDEV_PORT_FIFO, rep_drain, 1));
	struct result all = BENCH_AFTER("rep_outsb_64", rep_outsb(TESTDEV_PORT_FIFO, rep_out, REP_BYTES),
					rep_insb(TESTDEV_PORT_FIFO, rep_drain, REP_BYTES));
	EXPECT_MEMEQ(rep_drain, rep_out, REP_BYTES);
	EXPECT_EQ(inl(TESTDEV_PORT_FIFO_COUNT), 0);
	/* The cost of one more byte in the same exit: (64 bytes - 1 byte) / 63. */
	print_result("rep_outsb_per_byte",
		     (struct result){sub0(all.median, one.median) / (REP_BYTES - 1),
				     sub0(all.min, one.min) / (REP_BYTES - 1)},
		     ITERS);
}

static void bench_mmio(void)
{
	uint32_t v = 0;
	BENCH("mmio_write_testdev", mmio_write32(TESTDEV_MMIO_BASE + TESTDEV_SCRATCH, v++));
	uint32_t last = v - 1;
	BENCH("mmio_read_testdev", v = mmio_read32(TESTDEV_MMIO_BASE + TESTDEV_SCRATCH));
	EXPECT_EQ(v, last);
}

static void bench_xapic(void)
{
	uint32_t v = 0;
	BENCH("xapic_tpr_read", v = mmio_read32(XAPIC_TPR));
	EXPECT_EQ(v, 0);
	BENCH("xapic_eoi_write", mmio_write32(XAPIC_EOI, 0));
	uint64_t base = 0;
	BENCH("rdmsr_apic_base", base = rdmsr(MSR_IA32_APIC_BASE));
	EXPECT_EQ(base & (APIC_BASE_ENABLE | APIC_BASE_EXTD), APIC_BASE_ENABLE);
}

/* The guest's own interrupt entry: INT to the handler's TSC read (isr.asm's
 * common path and trap_dispatch), no exit involved. */
static void bench_int_entry(void)
{
	trap_set_handler(VEC_SOFT, soft_handler);
	for (uint32_t round = 0; round < 2; round++) {
		uint32_t n = round ? ITERS : WARMUP;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t t0 = tsc_fenced();
			__asm__ volatile("int %0" : : "i"(VEC_SOFT) : "memory");
			samples[i] = (uint32_t)(t_irq - t0);
		}
	}
	report("guest_int_entry", ITERS, overhead);
}

/* Deadline-to-handler latency of the LAPIC timer, IRQ_ITERS times. MODE:
 * 0 TSC-deadline while the guest spins with IF = 1 (the VMM's preemption
 * timer ends the guest's run and injects); 1 TSC-deadline with sti; hlt; 2
 * one-shot with sti; hlt. For one-shot the deadline is the TSC read before
 * the initial-count write plus the count (bus clock = TSC rate under
 * coopvmm): the vLAPIC starts counting a little later, during that write's
 * exit, so this latency is an upper bound. */
static void irq_latency(const char *name, int mode)
{
	uint64_t delay = us_to_tsc(WAKE_DELAY_US);
	if (mode == 2) {
		lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
		lapic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | VEC_TIMER);
	} else {
		lapic_write(APIC_LVT_TIMER, APIC_LVT_TSC_DEADLINE | VEC_TIMER);
		/* SDM 10.5.4.1: order the LVT write before the deadline MSR write. */
		__asm__ volatile("mfence" : : : "memory");
	}
	for (uint32_t round = 0; round < 2; round++) {
		uint32_t n = round ? IRQ_ITERS : IRQ_WARMUP;
		for (uint32_t i = 0; i < n; i++) {
			fired = 0;
			uint64_t deadline;
			if (mode == 2) {
				deadline = tsc_fenced() + delay;
				lapic_write(APIC_TIMER_ICR, (uint32_t)delay);
			} else {
				deadline = tsc_fenced() + delay;
				wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
			}
			if (mode == 0) {
				sti();
				while (!fired)
					barrier();
				cli();
			} else {
				sti_hlt();
				cli();
			}
			EXPECT_EQ(fired, 1);
			EXPECT_GE(t_irq, deadline);
			samples[i] = (uint32_t)(t_irq - deadline);
		}
	}
	report(name, IRQ_ITERS, 0);
	lapic_timer_stop();
}

static void bench_irqs(void)
{
	trap_set_handler(VEC_TIMER, timer_handler);
	if (cpu_has(CPUID_LEAF_FEATURES, REG_ECX, CPUID1_ECX_TSC_DEADLINE)) {
		irq_latency("timer_irq_running", 0);
		irq_latency("hlt_wake_tscdeadline", 1);
	} else {
		skip("timer_irq_running, hlt_wake_tscdeadline (no TSC-deadline timer)");
	}
	irq_latency("hlt_wake_oneshot", 2);
}

static void bench_x2apic(void)
{
	if (!lapic_enable(true)) {
		skip("x2APIC items (no x2APIC in CPUID)");
		return;
	}
	uint64_t v = 1;
	BENCH("rdmsr_x2apic_tpr", v = rdmsr(MSR_X2APIC_TPR));
	EXPECT_EQ(v, 0);
	BENCH("wrmsr_x2apic_eoi", wrmsr(MSR_X2APIC_EOI, 0));
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	if (!cpu_has(CPUID_LEAF_FEATURES, REG_EDX, CPUID1_EDX_SSE2))
		fail("no SSE2, so no LFENCE to order RDTSC");
	bool coop = under_coopvmm();
	printf("TSC %u kHz (%s); %u iterations after %u warm-up (interrupt items %u after %u)\n", tsc_khz(),
	       tsc_khz_source(), ITERS, WARMUP, IRQ_ITERS, IRQ_WARMUP);
	if (!coop)
		skip("test-device items (not under coopvmm)");
	lapic_enable(false);

	bench_baseline();
	bench_cpuid();
	bench_ports(coop);
	bench_iopm();
	if (coop)
		bench_mmio();
	bench_xapic();
	bench_int_entry();
	bench_irqs();
	bench_x2apic(); /* last: the LAPIC stays in x2APIC mode */
	return 0;
}
