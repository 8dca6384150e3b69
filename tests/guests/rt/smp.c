/* SPDX-License-Identifier: GPL-2.0-only */
/* smp.c: starting an AP with INIT-SIPI-SIPI through the trampoline of
 * rt/smp_tramp.asm (Intel SDM Vol. 3A 8.4.4.1; the delays are those of the
 * MP start-up algorithm, B.4 of the MultiProcessor Specification 1.4). */
#include "rt/smp.h"

#include "rt/hv.h"
#include "rt/lapic.h"
#include "rt/rt.h"
#include "rt/timer.h"

#define INIT_DELAY_MS  10
#define SIPI_DELAY_US  200
#define CPUID1_EDX_HTT (1U << 28)

extern const uint8_t smp_tramp_blob[], smp_tramp_blob_end[];
extern char rt_ap_entry32[];
__attribute__((noreturn)) void rt_ap_main(void);

static void (*volatile ap_fn)(void *);
static void *volatile ap_arg;
static volatile uint32_t ap_running;

uint32_t smp_cpus(void)
{
	struct cpuid_regs r = cpuid(CPUID_LEAF_FEATURES, 0);
	uint32_t n = (r.ebx >> 16) & 0xff;
	if (under_coopvmm())
		return n ? n : 1;
	return (r.edx & CPUID1_EDX_HTT) && n >= 2 ? n : 1;
}

__attribute__((noreturn)) void rt_ap_main(void)
{
	void (*fn)(void *) = ap_fn;
	void *arg = ap_arg;
	idt_reload();
	__atomic_store_n(&ap_running, 1, __ATOMIC_SEQ_CST);
	fn(arg);
	for (;;)
		__asm__ volatile("cli; hlt");
}

bool smp_start_ap(uint32_t apic_id, void (*fn)(void *), void *arg, void *stack, size_t stack_size,
		  uint32_t timeout_ms)
{
	size_t n = (size_t)(smp_tramp_blob_end - smp_tramp_blob);
	if (n > SMP_TRAMP_MAX)
		fail("AP trampoline is %u bytes", (unsigned)n);
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} gdtr;
#ifdef __x86_64__
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} gdtr64;
	__asm__ volatile("sgdt %0" : "=m"(gdtr64));
	gdtr.limit = gdtr64.limit;
	gdtr.base = (uint32_t)gdtr64.base;
#else
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
#endif
	uint8_t *t = (uint8_t *)SMP_TRAMP_BASE;
	memcpy(t, smp_tramp_blob, n);
	memcpy(t + SMPT_GDTR, &gdtr, sizeof(gdtr));
	uint32_t entry = (uint32_t)(uintptr_t)rt_ap_entry32, sp = (uint32_t)((uintptr_t)stack + stack_size);
	memcpy(t + SMPT_ENTRY32, &entry, 4);
	memcpy(t + SMPT_STACK, &sp, 4);
	ap_fn = fn;
	ap_arg = arg;
	ap_running = 0;
	barrier();

	lapic_send_ipi(apic_id, ICR_DM_INIT | ICR_ASSERT);
	delay_ms(INIT_DELAY_MS);
	lapic_send_ipi(apic_id, ICR_DM_STARTUP | (SMP_TRAMP_BASE >> 12));
	delay_us(SIPI_DELAY_US);
	lapic_send_ipi(apic_id, ICR_DM_STARTUP | (SMP_TRAMP_BASE >> 12));
	/* On one VMM CPU the AP runs when this vCPU's slice ends. */
	uint64_t deadline = rdtsc() + ms_to_tsc(timeout_ms);
	while (!__atomic_load_n(&ap_running, __ATOMIC_SEQ_CST) && rdtsc() < deadline)
		cpu_relax();
	return __atomic_load_n(&ap_running, __ATOMIC_SEQ_CST) != 0;
}
