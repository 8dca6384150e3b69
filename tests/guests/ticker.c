/* SPDX-License-Identifier: GPL-2.0-only */
/* ticker: prints "tick N" about every TICK_MS forever, sleeping in HLT
 * between ticks (LAPIC TSC-deadline timer; a spin where the CPU lacks it),
 * so that its progress is visible on its console and costs its CPU almost
 * nothing: the guest that vmctl pause, unpause and destroy act on in
 * system.bochs_iopm_guests (run=ticker:16M:1:iopm0). Never ends on its own. */
#include "rt/rt.h"

#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/timer.h"
#include "rt/trap.h"

#define TICK_MS	  20
#define VEC_TIMER 0x40

static volatile uint32_t fired;

static void timer_handler(struct trap_frame *f)
{
	(void)f;
	fired++;
	lapic_eoi();
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	bool deadline = cpu_has(CPUID_LEAF_FEATURES, REG_ECX, CPUID1_ECX_TSC_DEADLINE);
	if (deadline) {
		lapic_enable(false);
		trap_set_handler(VEC_TIMER, timer_handler);
		lapic_write(APIC_LVT_TIMER, APIC_LVT_TSC_DEADLINE | VEC_TIMER);
	}
	printf("ticker: a tick every %u ms, %s between ticks\n", TICK_MS,
	       deadline ? "HLT (TSC-deadline timer)" : "spinning");
	for (uint32_t n = 1;; n++) {
		printf("tick %u\n", n);
		if (!deadline) {
			delay_ms(TICK_MS);
			continue;
		}
		uint32_t seen = fired;
		wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + ms_to_tsc(TICK_MS));
		while (fired == seen)
			__asm__ volatile("sti; hlt; cli");
	}
}
