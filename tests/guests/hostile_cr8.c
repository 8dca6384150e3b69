/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_cr8: the task-priority register through CR8 (Intel SDM Vol. 3A
 * 10.8.6.1 "Interaction of TPR and CR8": CR8[3:0] = TPR[7:4]; 10.8.3.1
 * TPR and interrupt acceptance). The guest's TPR belongs to its virtual
 * LAPIC: MOV CR8, 15 must read back 15 and make the xAPIC TPR (and, in
 * x2APIC mode, MSR 0x808) read 0xf0; a timer interrupt of a lower priority
 * class stays pending in the IRR until CR8 drops; MOV CR8 of a value above
 * 15 is #GP. Then the attack (rt/pace.h timetable): CR8 = 15 while it
 * spins, CR8 = 14 while it halts waiting for a priority-15 timer, until the
 * end; if CR8 reached the physical TPR, the VMM CPU would stop taking its
 * own interrupts and the victim beside it would starve or see its TPR. */
/* guest: 64-bit */
#include "rt/rt.h"

#include "rt/lapic.h"
#include "rt/pace.h"
#include "rt/timer.h"

#define VEC_LOW	   0x40 /* priority class 4 */
#define VEC_HIGH   0xf1 /* class 15: above TPR 14 */
#define SPIN_US	   2000
#define WAIT_MS	   20
#define MSR_X2_TPR 0x808

static volatile uint32_t low_irqs, high_irqs;
static uint32_t bus_per_ms;

static void low_handler(struct trap_frame *f)
{
	(void)f;
	low_irqs++;
	lapic_eoi();
}

static void high_handler(struct trap_frame *f)
{
	(void)f;
	high_irqs++;
	lapic_eoi();
}

static void spurious_handler(struct trap_frame *f)
{
	(void)f;
}

static void do_write_cr8(void *p)
{
	write_cr8((uintptr_t)p);
}

static void oneshot(uint8_t vector, uint32_t us)
{
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | vector);
	lapic_write(APIC_TIMER_ICR, (uint32_t)udiv64((uint64_t)bus_per_ms * us, 1000, NULL) + 1);
}

static bool irr_has(uint8_t v)
{
	return (lapic_read(APIC_VECTOR_REG(APIC_IRR0, v)) & APIC_VECTOR_BIT(v)) != 0;
}

static void check_semantics(void)
{
	struct trap_info ti;
	write_cr8(15);
	printf("CR8 = 15: reads %lu, xAPIC TPR %#x\n", (unsigned long)read_cr8(), lapic_read(APIC_TPR));
	EXPECT_EQ(read_cr8(), 15);
	EXPECT_EQ(lapic_read(APIC_TPR) & 0xf0, 0xf0);

	/* A class-4 timer interrupt with TPR class 15: pending, not delivered. */
	oneshot(VEC_LOW, 1000);
	sti();
	delay_ms(WAIT_MS);
	cli();
	printf("class-4 interrupt with CR8 15: delivered %u, pending in IRR %u\n", low_irqs,
	       irr_has(VEC_LOW));
	EXPECT_EQ(low_irqs, 0);
	EXPECT_TRUE(irr_has(VEC_LOW));
	write_cr8(3); /* class 4 > 3: now it goes */
	sti();
	delay_ms(1);
	cli();
	printf("after CR8 = 3: delivered %u, TPR %#x\n", low_irqs, lapic_read(APIC_TPR));
	EXPECT_EQ(low_irqs, 1);
	EXPECT_EQ(lapic_read(APIC_TPR) & 0xf0, 0x30);

	/* TPR written through the xAPIC reads back through CR8. */
	lapic_write(APIC_TPR, 0xa0);
	EXPECT_EQ(read_cr8(), 10);
	write_cr8(0);
	EXPECT_EQ(lapic_read(APIC_TPR), 0);

	/* Reserved bits 63:4: #GP(0), CR8 unchanged (QEMU 7.2 TCG takes them). */
	if (under_coopvmm()) {
		EXPECT_EQ(trap_catch(do_write_cr8, (void *)16, &ti), VEC_GP);
		EXPECT_EQ(ti.error_code, 0);
		EXPECT_EQ(trap_catch(do_write_cr8, (void *)(1ULL << 63), &ti), VEC_GP);
		EXPECT_EQ(read_cr8(), 0);
	} else {
		skip("#GP for CR8 bits 63:4 (QEMU TCG takes them)");
	}

	/* x2APIC: the TPR MSR follows CR8 too. */
	if (lapic_enable(true)) {
		write_cr8(15);
		uint64_t tpr = rdmsr(MSR_X2_TPR);
		printf("x2APIC: CR8 = 15, TPR MSR %#llx\n", (unsigned long long)tpr);
		EXPECT_EQ(tpr & 0xf0, 0xf0);
		write_cr8(0);
		EXPECT_EQ(rdmsr(MSR_X2_TPR), 0);
		/* Back to xAPIC: disable, then enable (10.12.5). */
		uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
		wrmsr(MSR_IA32_APIC_BASE, base & ~(uint64_t)(APIC_BASE_ENABLE | APIC_BASE_EXTD));
		lapic_enable(false);
	} else {
		skip("x2APIC TPR MSR (CPUID.1:ECX.x2APIC clear)");
	}
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	pace_t0();
	trap_set_handler(VEC_LOW, low_handler);
	trap_set_handler(VEC_HIGH, high_handler);
	trap_set_handler(APIC_SPURIOUS_VECTOR, spurious_handler);
	lapic_enable(false);
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, 0xffffffff);
	delay_ms(2);
	bus_per_ms = (uint32_t)udiv64((uint64_t)(0xffffffff - lapic_read(APIC_TIMER_CCR)) * tsc_khz(),
				      (uint32_t)(rdtsc() - t0), NULL);
	lapic_timer_stop();
	check_semantics();

	pace_hostile_start("CR8 = 15 spins and CR8 = 14 halts");
	uint32_t rounds = 0, bad = 0;
	uint32_t high_before = high_irqs;
	while (pace_hostile_running()) {
		write_cr8(15);
		uint64_t end = rdtsc() + us_to_tsc(SPIN_US);
		while (rdtsc() < end)
			bad += read_cr8() != 15;
		write_cr8(14);
		oneshot(VEC_HIGH, 500); /* class 15 > 14: wakes the HLT */
		sti_hlt();
		cli();
		bad += read_cr8() != 14;
		rounds++;
	}
	lapic_timer_stop();
	write_cr8(0);
	printf("%u rounds of CR8 15 spin / CR8 14 halt, %u class-15 wake-ups, %u CR8 reads not as written\n",
	       rounds, high_irqs - high_before, bad);
	EXPECT_GT(rounds, 0);
	EXPECT_EQ(bad, 0);
	EXPECT_GE(high_irqs - high_before, rounds);
	EXPECT_EQ(lapic_read(APIC_TPR), 0);
	return 0;
}
