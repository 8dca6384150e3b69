/* SPDX-License-Identifier: GPL-2.0-only */
/* pic_pit: the virtual 8259 pair and 8254 PIT (docs/guest-platform.md
 * "Devices inside the VMM"; 8259A and 8254 datasheets): ICW1-4 to vectors
 * 0x20/0x28, IMR read-back, PIT channel 0 in mode 2 at 1 kHz on IRQ0 through
 * the LAPIC's LINT0 (ExtINT), the interrupt rate over a TSC-measured time
 * (+-20%), the counter latch; then the same in real mode with an IVT
 * handler (8259 at 0x08/0x70 as a PC BIOS sets it), entered through the
 * runtime's real-mode helper. */
#include "rt/rt.h"

#include "rt/lapic.h"
#include "rt/pic.h"
#include "rt/pit.h"
#include "rt/realmode.h"
#include "rt/timer.h"

#define PIT_TEST_HZ	  1000
#define MEASURE_MS	  100
#define TOLERANCE_PCT	  20
#define PM_VECTOR_BASE	  0x20
#define RM_VECTOR_BASE1	  0x08 /* real-mode PC layout: IRQ0 = INT 8 */
#define RM_VECTOR_BASE2	  0x70
#define PIT_CMD_LATCH_CH0 0x00

static volatile uint32_t irq0_count;

static void irq0_handler(struct trap_frame *f)
{
	(void)f;
	irq0_count++;
	pic_eoi(0);
}

/* Interrupts expected from a PIT divisor over elapsed_us. */
static uint64_t expected_irqs(uint64_t elapsed_us, uint16_t div)
{
	return udiv64(elapsed_us * PIT_HZ, (uint32_t)div * 1000000U, NULL);
}

static void expect_rate(const char *what, uint32_t got, uint64_t elapsed_us, uint16_t div)
{
	uint64_t want = expected_irqs(elapsed_us, div), slack = udiv64(want * TOLERANCE_PCT, 100, NULL);
	printf("  %s: %u interrupts in %llu us, expected %llu +- %u%%\n", what, got,
	       (unsigned long long)elapsed_us, (unsigned long long)want, TOLERANCE_PCT);
	EXPECT_NE(want, 0);
	EXPECT_RANGE(got, want - slack, want + slack);
}

static void check_protected_mode(void)
{
	printf("protected mode, IRQ0 on vector %#x:\n", PM_VECTOR_BASE);
	pic_init(PM_VECTOR_BASE, PM_VECTOR_BASE + 8);
	EXPECT_EQ(pic_get_mask(), 0xffff);
	pic_set_mask((uint16_t)~1U);
	EXPECT_EQ(pic_get_mask(), 0xfffe);
	trap_set_handler(PM_VECTOR_BASE, irq0_handler);
	uint16_t div = pit_ch0_periodic(PIT_TEST_HZ);

	/* The latched count lies within the divisor. */
	outb(PIT_CMD, PIT_CMD_LATCH_CH0);
	uint16_t latched = inb(PIT_CH0);
	latched |= (uint16_t)(inb(PIT_CH0) << 8);
	printf("  divisor %u, latched count %u\n", div, latched);
	EXPECT_LE(latched, div);

	irq0_count = 0;
	uint64_t t0 = rdtsc();
	sti();
	wait_tsc(t0 + ms_to_tsc(MEASURE_MS));
	cli();
	uint32_t n = irq0_count;
	expect_rate("PIT mode 2 at 1 kHz", n, tsc_to_us(rdtsc() - t0), div);

	/* Masked: nothing arrives. */
	pic_set_mask(0xffff);
	irq0_count = 0;
	sti();
	delay_ms(10);
	cli();
	EXPECT_EQ(irq0_count, 0);
	pit_ch0_stop();
	trap_set_handler(PM_VECTOR_BASE, NULL);
}

static void check_real_mode(void)
{
	printf("real mode, IRQ0 on IVT vector %#x:\n", RM_VECTOR_BASE1);
	pic_init(RM_VECTOR_BASE1, RM_VECTOR_BASE2);
	pic_set_mask((uint16_t)~1U);
	uint16_t div = pit_ch0_periodic(PIT_TEST_HZ);
	struct rm_params p = {
	    .vector = RM_VECTOR_BASE1,
	    .eoi_port = PIC1_CMD,
	};
	uint64_t t0 = rdtsc(), deadline = t0 + ms_to_tsc(MEASURE_MS);
	p.deadline_lo = (uint32_t)deadline;
	p.deadline_hi = (uint32_t)(deadline >> 32);
	realmode_run(&p);
	uint64_t elapsed_us = tsc_to_us(rdtsc() - t0);
	pic_mask_all();
	pit_ch0_stop();
	/* Back in protected mode: the runtime's own vectors again. */
	pic_init(PIC1_VECTOR_BASE, PIC2_VECTOR_BASE);
	printf("  in real mode: CR0 %#x, CS %#x\n", p.cr0, p.cs);
	EXPECT_EQ(p.cr0 & CR0_PE, 0);
	EXPECT_EQ(p.cs, 0);
	EXPECT_TRUE(read_cr0() & CR0_PE);
	expect_rate("PIT mode 2 at 1 kHz, real mode", p.irq_count, elapsed_us, div);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	/* 8259 output -> LINT0 as ExtINT (virtual wire), whatever the loader left. */
	lapic_enable(false);
	lapic_virtual_wire();
	check_protected_mode();
	check_real_mode();
	return 0;
}
