/* SPDX-License-Identifier: GPL-2.0-only */
/* lapic_timer: the virtual local APIC's timer (Intel SDM Vol. 3A 10.5.4;
 * docs/guest-platform.md "LAPIC ... bus clock = TSC rate"): version, SVR and
 * spurious vector; the timer's count rate against the TSC (divide by 1 and
 * 16); one-shot (fires once, near the programmed time, CCR ends at 0);
 * periodic (interrupts over a TSC-measured time, none after stopping); EOI
 * (no EOI blocks the vector: ISR and IRR bits, delivery after EOI);
 * TSC-deadline mode via MSR 0x6e0 (if CPUID.1:ECX.TSC_DEADLINE: on time,
 * disarm with 0, a past deadline fires at once); x2APIC mode (if
 * CPUID.1:ECX.x2APIC: ID/version/SVR through MSRs, periodic timer, EOI). */
#include "rt/rt.h"

#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/timer.h"

#define VEC_ONESHOT	   0x40
#define VEC_PERIODIC	   0x41
#define VEC_DEADLINE	   0x42
#define VEC_NOEOI	   0x43
#define VEC_X2APIC	   0x44
#define TOLERANCE_PCT	   20
#define RATE_TOLERANCE_PCT 10
#define CALIBRATE_MS	   10
#define ONESHOT_MS	   10
#define PERIOD_US	   1000
#define PERIODIC_MS	   50

static volatile uint32_t fired;
static volatile uint64_t fired_tsc;
static uint32_t bus_khz; /* LAPIC timer input rate, measured at divide-by-1 */

static void timer_handler(struct trap_frame *f)
{
	(void)f;
	if (fired++ == 0)
		fired_tsc = rdtsc();
	lapic_eoi();
}

static void noeoi_handler(struct trap_frame *f)
{
	(void)f;
	fired++;
}

static void spurious_handler(struct trap_frame *f)
{
	(void)f;
} /* counted by trap_count; no EOI */

static void run_irqs_for_ms(uint32_t ms)
{
	uint64_t end = rdtsc() + ms_to_tsc(ms);
	sti();
	wait_tsc(end);
	cli();
}

static void expect_near(const char *what, uint64_t got, uint64_t want, uint32_t pct)
{
	uint64_t slack = udiv64(want * pct, 100, NULL);
	printf("  %s: %llu, expected %llu +- %u%%\n", what, (unsigned long long)got, (unsigned long long)want,
	       pct);
	EXPECT_RANGE(got, want - slack, want + slack);
}

static void check_registers(void)
{
	uint32_t ver = lapic_read(APIC_VERSION), svr = lapic_read(APIC_SVR);
	printf("LAPIC: id %u, version %#x (max LVT %u), SVR %#x\n", lapic_id(), ver & 0xff,
	       (ver >> 16) & 0xff, svr);
	EXPECT_RANGE(ver & 0xff, 0x10, 0x15); /* integrated APIC */
	EXPECT_GE((ver >> 16) & 0xff, 3);
	EXPECT_EQ(svr, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	lapic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_ONESHOT);
	EXPECT_EQ(lapic_read(APIC_LVT_TIMER) & (APIC_LVT_MODE_MASK | APIC_LVT_MASKED | APIC_LVT_VECTOR),
		  APIC_LVT_MASKED | VEC_ONESHOT);
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV16);
	EXPECT_EQ(lapic_read(APIC_TIMER_DCR) & APIC_DCR_MASK, APIC_DCR_DIV16);
}

/* Count rate of the timer at a divider, in kHz, from a masked one-shot. */
static uint32_t measure_rate(uint32_t dcr)
{
	lapic_write(APIC_TIMER_DCR, dcr);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_LVT_ONESHOT | VEC_ONESHOT);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, 0xffffffff);
	wait_tsc(t0 + ms_to_tsc(CALIBRATE_MS));
	uint32_t ccr = lapic_read(APIC_TIMER_CCR);
	uint64_t ticks = rdtsc() - t0;
	lapic_timer_stop();
	if (ticks >> 32)
		fail("calibration interval of %llu TSC ticks is too long", (unsigned long long)ticks);
	return (uint32_t)udiv64((uint64_t)(0xffffffffU - ccr) * tsc_khz(), (uint32_t)ticks, NULL);
}

static void check_rate(void)
{
	bus_khz = measure_rate(APIC_DCR_DIV1);
	uint32_t div16 = measure_rate(APIC_DCR_DIV16);
	printf("timer rate: %u kHz at divide 1, %u kHz at divide 16; TSC %u kHz (%s)\n", bus_khz, div16,
	       tsc_khz(), tsc_khz_source());
	EXPECT_NE(bus_khz, 0);
	expect_near("divide-16 rate x 16 (kHz)", (uint64_t)div16 * 16, bus_khz, RATE_TOLERANCE_PCT);
	if (under_coopvmm())
		expect_near("divide-1 rate vs. the TSC rate (kHz)", bus_khz, tsc_khz(), RATE_TOLERANCE_PCT);
}

static void check_oneshot(void)
{
	printf("one-shot, %u ms:\n", ONESHOT_MS);
	trap_set_handler(VEC_ONESHOT, timer_handler);
	fired = 0;
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | VEC_ONESHOT);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, bus_khz * ONESHOT_MS);
	run_irqs_for_ms(3 * ONESHOT_MS);
	printf("  fired %u time(s)\n", fired);
	EXPECT_EQ(fired, 1);
	expect_near("time to the interrupt (us)", tsc_to_us(fired_tsc - t0), ONESHOT_MS * 1000,
		    TOLERANCE_PCT);
	EXPECT_EQ(lapic_read(APIC_TIMER_CCR), 0);
	EXPECT_FALSE(lapic_in_service(VEC_ONESHOT));
	lapic_timer_stop();
}

static void check_periodic(void)
{
	printf("periodic, %u us period over %u ms:\n", PERIOD_US, PERIODIC_MS);
	trap_set_handler(VEC_PERIODIC, timer_handler);
	fired = 0;
	uint32_t icr = (uint32_t)udiv64((uint64_t)bus_khz * PERIOD_US, 1000, NULL);
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | VEC_PERIODIC);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, icr);
	uint32_t ccr = lapic_read(APIC_TIMER_CCR);
	EXPECT_LE(ccr, icr);
	run_irqs_for_ms(PERIODIC_MS);
	uint64_t elapsed_us = tsc_to_us(rdtsc() - t0);
	uint32_t n = fired;
	ccr = lapic_read(APIC_TIMER_CCR);
	EXPECT_NE(ccr, 0); /* still counting: periodic reloads */
	EXPECT_LE(ccr, icr);
	lapic_timer_stop();
	expect_near("interrupts", n, udiv64(elapsed_us, PERIOD_US, NULL), TOLERANCE_PCT);
	run_irqs_for_ms(5);
	EXPECT_EQ(fired, n); /* none after stopping */
}

static void check_eoi(void)
{
	printf("EOI: a handler that does not EOI blocks its vector:\n");
	trap_set_handler(VEC_NOEOI, noeoi_handler);
	fired = 0;
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | VEC_NOEOI);
	lapic_write(APIC_TIMER_ICR, (uint32_t)udiv64((uint64_t)bus_khz * PERIOD_US, 1000, NULL));
	run_irqs_for_ms(10);
	lapic_timer_stop();
	bool irr = (lapic_read(APIC_VECTOR_REG(APIC_IRR0, VEC_NOEOI)) & APIC_VECTOR_BIT(VEC_NOEOI)) != 0;
	printf("  %u interrupt(s) in 10 ms; ISR bit %u, IRR bit %u\n", fired, lapic_in_service(VEC_NOEOI),
	       irr);
	EXPECT_EQ(fired, 1);
	EXPECT_TRUE(lapic_in_service(VEC_NOEOI));
	EXPECT_TRUE(irr);
	lapic_eoi(); /* the pending one is delivered at the next STI */
	run_irqs_for_ms(1);
	printf("  after EOI: %u interrupt(s)\n", fired);
	EXPECT_EQ(fired, 2);
	EXPECT_TRUE(lapic_in_service(VEC_NOEOI));
	lapic_eoi();
	EXPECT_FALSE(lapic_in_service(VEC_NOEOI));
	run_irqs_for_ms(2);
	EXPECT_EQ(fired, 2);
}

static void check_tsc_deadline(void)
{
	if (!cpu_has(CPUID_LEAF_FEATURES, REG_ECX, CPUID1_ECX_TSC_DEADLINE)) {
		skip("TSC-deadline mode (CPUID.1:ECX bit 24 clear)");
		return;
	}
	printf("TSC-deadline, %u ms:\n", ONESHOT_MS);
	trap_set_handler(VEC_DEADLINE, timer_handler);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_TSC_DEADLINE | VEC_DEADLINE);
	fired = 0;
	uint64_t deadline = rdtsc() + ms_to_tsc(ONESHOT_MS);
	wrmsr(MSR_IA32_TSC_DEADLINE, deadline);
	EXPECT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), deadline);
	run_irqs_for_ms(3 * ONESHOT_MS);
	printf("  fired %u time(s), %lld us after the deadline\n", fired,
	       (long long)tsc_to_us(fired_tsc - deadline));
	EXPECT_EQ(fired, 1);
	EXPECT_GE(fired_tsc, deadline);
	EXPECT_LE(fired_tsc - deadline, udiv64(ms_to_tsc(ONESHOT_MS) * TOLERANCE_PCT, 100, NULL));
	EXPECT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);

	/* Writing 0 disarms. */
	fired = 0;
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + ms_to_tsc(ONESHOT_MS));
	run_irqs_for_ms(2);
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	run_irqs_for_ms(2 * ONESHOT_MS);
	printf("  disarmed with 0: fired %u time(s)\n", fired);
	EXPECT_EQ(fired, 0);

	/* A deadline already passed fires at once. */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() - 1);
	run_irqs_for_ms(1);
	printf("  past deadline: fired %u time(s)\n", fired);
	EXPECT_EQ(fired, 1);
	lapic_timer_stop();
}

static void check_x2apic(void)
{
	uint32_t xapic_version = lapic_read(APIC_VERSION);
	uint32_t cpuid_id = CPUID1_EBX_APIC_ID(cpuid(CPUID_LEAF_FEATURES, 0).ebx);
	if (!lapic_enable(true)) {
		skip("x2APIC mode (CPUID.1:ECX bit 21 clear)");
		return;
	}
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	printf("x2APIC: APIC_BASE %#llx, id %u, version %#x, SVR %#x\n", (unsigned long long)base, lapic_id(),
	       lapic_read(APIC_VERSION), lapic_read(APIC_SVR));
	EXPECT_EQ(base & (APIC_BASE_ENABLE | APIC_BASE_EXTD), APIC_BASE_ENABLE | APIC_BASE_EXTD);
	EXPECT_EQ(lapic_id(), cpuid_id);
	EXPECT_EQ(lapic_read(APIC_VERSION), xapic_version);
	EXPECT_EQ(lapic_read(APIC_SVR), APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);

	trap_set_handler(VEC_X2APIC, timer_handler);
	fired = 0;
	uint32_t icr = (uint32_t)udiv64((uint64_t)bus_khz * PERIOD_US, 1000, NULL);
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | VEC_X2APIC);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, icr);
	EXPECT_EQ(lapic_read(APIC_TIMER_ICR), icr);
	run_irqs_for_ms(PERIODIC_MS / 2);
	uint64_t elapsed_us = tsc_to_us(rdtsc() - t0);
	uint32_t n = fired;
	lapic_timer_stop();
	expect_near("x2APIC periodic interrupts", n, udiv64(elapsed_us, PERIOD_US, NULL), TOLERANCE_PCT);
	EXPECT_FALSE(lapic_in_service(VEC_X2APIC));
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	trap_set_handler(APIC_SPURIOUS_VECTOR, spurious_handler);
	lapic_enable(false);
	check_registers();
	check_rate();
	check_oneshot();
	check_periodic();
	check_eoi();
	check_tsc_deadline();
	check_x2apic();
	printf("spurious interrupts: %u\n", trap_count(APIC_SPURIOUS_VECTOR));
	return 0;
}
