/* SPDX-License-Identifier: GPL-2.0-only */
/* ioapic: the virtual I/O APIC (docs/guest-platform.md: 0xfec00000, 24
 * pins, version 0x20, ISA IRQ n on pin n except IRQ0 on pin 2; Intel
 * 82093AA datasheet): version and redirection-entry read-back; with the 8259
 * masked, IRQ pulses from the test device (port 0xe4) arrive once on the
 * routed vector, follow a re-routed vector, are dropped while the pin is
 * masked (an edge on a masked pin is lost, not held); the PIT's IRQ0 arrives
 * on pin 2 at its rate and not on pin 0. */
#include "rt/rt.h"

#include "rt/ioapic.h"
#include "rt/lapic.h"
#include "rt/pic.h"
#include "rt/pit.h"
#include "rt/testdev.h"
#include "rt/timer.h"

#define IOAPIC_VERSION 0x20
#define IOAPIC_PINS    24
#define RTE_RO_BITS    ((1U << 12) | (1U << 14)) /* delivery status, remote IRR */
#define VEC_BASE       0x30			 /* pin n -> VEC_BASE + n */
#define PIT_PIN	       2
#define PIT_TEST_HZ    1000
#define MEASURE_MS     50
#define TOLERANCE_PCT  20

static volatile uint32_t irq_count[IOAPIC_PINS];
static volatile uint32_t last_vector;

static void irq_handler(struct trap_frame *f)
{
	last_vector = f->vector;
	irq_count[(f->vector - VEC_BASE) % IOAPIC_PINS]++;
	lapic_eoi();
}

static void let_irqs_in(uint32_t ms)
{
	sti();
	delay_ms(ms);
	cli();
}

static void check_registers(void)
{
	uint32_t ver = ioapic_read(IOAPIC_REG_VER);
	printf("IOAPIC: id %#x, version %#x, highest entry %u\n", ioapic_read(IOAPIC_REG_ID) >> 24,
	       ver & 0xff, (ver >> 16) & 0xff);
	EXPECT_EQ(ver & 0xff, IOAPIC_VERSION);
	EXPECT_EQ((ver >> 16) & 0xff, IOAPIC_PINS - 1);

	uint32_t lo = 0x5a | IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW, hi = 0x3U << 24;
	ioapic_write(IOAPIC_REG_REDTBL(10), lo);
	ioapic_write(IOAPIC_REG_REDTBL(10) + 1, hi);
	EXPECT_EQ(ioapic_read(IOAPIC_REG_REDTBL(10)) & ~RTE_RO_BITS, lo);
	EXPECT_EQ(ioapic_read(IOAPIC_REG_REDTBL(10) + 1) & 0xff000000, hi);
	ioapic_write(IOAPIC_REG_REDTBL(10), IOAPIC_RTE_MASKED);
	EXPECT_EQ(ioapic_read(IOAPIC_REG_REDTBL(10)) & ~RTE_RO_BITS, IOAPIC_RTE_MASKED);
}

static void pulse(int irq)
{
	outb(TESTDEV_PORT_IRQ, (uint8_t)irq);
}

static void check_pulses(void)
{
	if (skip_unless_coopvmm("IRQ pulses from the test device (port 0xe4)"))
		return;
	uint32_t dest = lapic_id();
	printf("test device pulses:\n");
	ioapic_route(5, VEC_BASE + 5, dest, false);
	pulse(5);
	let_irqs_in(2);
	printf("  IRQ 5 -> pin 5 -> vector %#x: %u interrupt(s), last vector %#x\n", VEC_BASE + 5,
	       irq_count[5], last_vector);
	EXPECT_EQ(irq_count[5], 1);
	EXPECT_EQ(last_vector, VEC_BASE + 5);

	/* A different vector on the same pin. */
	ioapic_route(5, VEC_BASE + 6, dest, false);
	pulse(5);
	let_irqs_in(2);
	EXPECT_EQ(irq_count[6], 1);
	EXPECT_EQ(last_vector, VEC_BASE + 6);
	ioapic_route(5, VEC_BASE + 5, dest, false);

	/* Masked: dropped, and still nothing once unmasked (edge lost). */
	ioapic_mask(5, true);
	pulse(5);
	let_irqs_in(2);
	ioapic_mask(5, false);
	let_irqs_in(2);
	printf("  masked pin 5: %u interrupt(s) in all\n", irq_count[5]);
	EXPECT_EQ(irq_count[5], 1);
	pulse(5);
	let_irqs_in(2);
	EXPECT_EQ(irq_count[5], 2);

	/* Another line: IRQ 10 on pin 10; pin 5 untouched. */
	ioapic_route(10, VEC_BASE + 10, dest, false);
	pulse(10);
	let_irqs_in(2);
	printf("  IRQ 10 -> pin 10: %u interrupt(s), last vector %#x\n", irq_count[10], last_vector);
	EXPECT_EQ(irq_count[10], 1);
	EXPECT_EQ(last_vector, VEC_BASE + 10);
	EXPECT_EQ(irq_count[5], 2);
	ioapic_mask(5, true);
	ioapic_mask(10, true);
}

static void check_pit(void)
{
	uint32_t dest = lapic_id();
	printf("PIT (ISA IRQ0) through the IOAPIC:\n");
	ioapic_route(PIT_PIN, VEC_BASE + PIT_PIN, dest, false);
	ioapic_route(0, VEC_BASE + 0, dest, false);
	irq_count[PIT_PIN] = irq_count[0] = 0;
	uint16_t div = pit_ch0_periodic(PIT_TEST_HZ);
	uint64_t t0 = rdtsc();
	sti();
	wait_tsc(t0 + ms_to_tsc(MEASURE_MS));
	cli();
	uint64_t elapsed_us = tsc_to_us(rdtsc() - t0);
	uint32_t n = irq_count[PIT_PIN];
	ioapic_mask(PIT_PIN, true);
	pit_ch0_stop();
	uint64_t want = udiv64(elapsed_us * PIT_HZ, (uint32_t)div * 1000000U, NULL);
	uint64_t slack = udiv64(want * TOLERANCE_PCT, 100, NULL);
	printf("  pin 2: %u interrupts in %llu us, expected %llu +- %u%%; pin 0: %u\n", n,
	       (unsigned long long)elapsed_us, (unsigned long long)want, TOLERANCE_PCT, irq_count[0]);
	EXPECT_RANGE(n, want - slack, want + slack);
	if (under_coopvmm())
		EXPECT_EQ(irq_count[0], 0);
	ioapic_mask(0, true);
	let_irqs_in(5);
	EXPECT_EQ(irq_count[PIT_PIN], n); /* masked: no more */
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	pic_mask_all();
	lapic_enable(false);
	for (int pin = 0; pin < IOAPIC_PINS; pin++)
		trap_set_handler(VEC_BASE + pin, irq_handler);
	ioapic_mask_all();
	check_registers();
	check_pulses();
	check_pit();
	return 0;
}
