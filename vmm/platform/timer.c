/* SPDX-License-Identifier: GPL-2.0-only */
/* timer.c: measure the TSC and the LAPIC timer against a known clock,
 * polled with interrupts off: PIT channel 2 in mode 0 (8254 datasheet),
 * or the ACPI PM timer when the PIT does not count. Three windows are
 * measured and the median kept. */
#define LOG_PREFIX "timer"
#include "vmm/platform/timer.h"

#include "arch/x86/acpi_tables.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pit.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/log.h"

#define CAL_WINDOW_MS	  10
#define CAL_TRIALS	  3
#define CAL_TSC_GUARD	  20000000000ULL /* give up a window after this many cycles */
#define LAPIC_COUNT_START 0xffffffffU

struct timer_rates timer_rates;

struct sample {
	uint64_t tsc;
	uint64_t lapic;
};

static void lapic_count_start(void)
{
	lapic_write(APIC_TIMER_DCR, APIC_TIMER_DIV_16);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	lapic_write(APIC_TIMER_ICR, LAPIC_COUNT_START);
}

/* One window of CAL_WINDOW_MS timed by PIT channel 2; false if OUT2 never rose. */
static bool pit_window(struct sample *s)
{
	uint32_t count = PIT_HZ / (1000 / CAL_WINDOW_MS);
	uint8_t b = inb(PORT_SYS_CTRL_B);
	outb(PORT_SYS_CTRL_B, (uint8_t)((b & ~SYS_CTRL_B_SPEAKER) | SYS_CTRL_B_GATE2));
	outb(PIT_CMD, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2_DATA, (uint8_t)count);
	lapic_count_start();
	outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
	uint64_t t0 = rdtsc();
	uint32_t c0 = lapic_read(APIC_TIMER_CCR);
	while (!(inb(PORT_SYS_CTRL_B) & SYS_CTRL_B_OUT2))
		if (rdtsc() - t0 > CAL_TSC_GUARD)
			return false;
	s->tsc = rdtsc() - t0;
	s->lapic = c0 - lapic_read(APIC_TIMER_CCR);
	outb(PORT_SYS_CTRL_B, b & ~(SYS_CTRL_B_SPEAKER | SYS_CTRL_B_GATE2));
	return true;
}

static uint32_t pm_read(uint16_t port, uint32_t mask)
{
	return inl(port) & mask;
}

static bool pm_window(uint16_t port, bool is32, struct sample *s)
{
	uint32_t mask = is32 ? 0xffffffffU : PM_TIMER_MASK24;
	uint32_t ticks = PM_TIMER_HZ / (1000 / CAL_WINDOW_MS);
	lapic_count_start();
	uint32_t p0 = pm_read(port, mask);
	uint64_t t0 = rdtsc();
	uint32_t c0 = lapic_read(APIC_TIMER_CCR);
	while (((pm_read(port, mask) - p0) & mask) < ticks)
		if (rdtsc() - t0 > CAL_TSC_GUARD)
			return false;
	s->tsc = rdtsc() - t0;
	s->lapic = c0 - lapic_read(APIC_TIMER_CCR);
	return true;
}

static void sort3(struct sample *s)
{
	for (int i = 0; i < CAL_TRIALS; i++)
		for (int j = i + 1; j < CAL_TRIALS; j++)
			if (s[j].tsc < s[i].tsc) {
				struct sample t = s[i];
				s[i] = s[j];
				s[j] = t;
			}
}

int timer_calibrate(uint16_t pm_port, bool pm32, bool pm_only)
{
	struct sample s[CAL_TRIALS];
	const char *source = "pit";
	int i;
	uint64_t flags = read_rflags();
	irq_disable();
	for (i = 0; !pm_only && i < CAL_TRIALS; i++)
		if (!pit_window(&s[i]))
			break;
	if (i < CAL_TRIALS) {
		if (!pm_only)
			pr_warn("PIT channel 2 did not count: trying the ACPI PM timer");
		source = "pmtimer";
		for (i = 0; pm_port && i < CAL_TRIALS; i++)
			if (!pm_window(pm_port, pm32, &s[i]))
				break;
	}
	lapic_timer_stop();
	if (flags & RFLAGS_IF)
		irq_enable();
	if (i < CAL_TRIALS)
		return -ENODEV;
	sort3(s);
	struct sample *m = &s[CAL_TRIALS / 2];
	timer_rates.tsc_khz = m->tsc / CAL_WINDOW_MS;
	timer_rates.lapic_khz = m->lapic * APIC_TIMER_DIVISOR / CAL_WINDOW_MS;
	timer_rates.source = source;
	if (!timer_rates.tsc_khz || !timer_rates.lapic_khz)
		return -ERANGE;
	pr_info("calibrated with %s over %u ms: tsc %llu kHz, lapic timer %llu kHz (spread %llu cycles)",
		source, CAL_WINDOW_MS, (unsigned long long)timer_rates.tsc_khz,
		(unsigned long long)timer_rates.lapic_khz,
		(unsigned long long)(s[CAL_TRIALS - 1].tsc - s[0].tsc));
	return 0;
}

uint64_t tsc_to_us(uint64_t cycles)
{
	return timer_rates.tsc_khz ? cycles * 1000 / timer_rates.tsc_khz : 0;
}

void udelay(uint64_t us)
{
	uint64_t t0 = rdtsc();
	uint64_t cycles = us * (timer_rates.tsc_khz ? timer_rates.tsc_khz : 1000000) / 1000;
	while (rdtsc() - t0 < cycles)
		cpu_relax();
}
