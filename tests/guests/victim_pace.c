/* SPDX-License-Identifier: GPL-2.0-only */
/* victim_pace: measures its own progress, alone and beside a hostile guest
 * on the same VMM CPU (docs/guest-tests.md "Resource isolation"; timetable
 * in rt/pace.h). In each window it counts loop iterations per TSC interval
 * (PACE_INTERVALS intervals of PACE_INTERVAL_MS) and LAPIC timer ticks
 * (periodic, every TICK_MS), and it checks that its own CPU state (CR0,
 * CR3, CR4, EFER, PAT, LAPIC TPR and SVR) never changes: another
 * guest's control-register, cache or TPR writes must never reach it. The
 * solo window runs while the hostile guest sleeps, the shared window while
 * it attacks; the system test compares the two (the required fraction and
 * why: docs/guest-tests.md). Output lines the test parses:
 *   PACE solo counts=C1,...,Cn ticks=T
 *   PACE shared counts=C1,...,Cn ticks=T
 * Alone (no hostile guest) both windows are solo. */
#include "rt/rt.h"

#include "rt/lapic.h"
#include "rt/pace.h"
#include "rt/timer.h"

#define VEC_TICK     0x40
#define TICK_MS	     10
#define MSR_PAT	     0x277
#define STATE_FIELDS 7

static volatile uint32_t ticks;
static uint32_t bus_per_ms;

struct state {
	uint64_t v[STATE_FIELDS];
};
static const char *const state_names[STATE_FIELDS] = {"CR0", "CR3", "CR4", "EFER", "PAT", "TPR", "APIC SVR"};
static struct state initial;
static uint32_t changes;

static void tick_handler(struct trap_frame *f)
{
	(void)f;
	ticks++;
	lapic_eoi();
}

static void spurious_handler(struct trap_frame *f)
{
	(void)f;
}

static struct state read_state(void)
{
	struct state s = {{read_cr0(), read_cr3(), read_cr4(), rdmsr(MSR_IA32_EFER), rdmsr(MSR_PAT),
			   lapic_read(APIC_TPR), lapic_read(APIC_SVR)}};
	return s;
}

/* Reported at once, judged at the end (the PACE lines come first). */
static void check_state(const char *when)
{
	struct state s = read_state();
	for (int i = 0; i < STATE_FIELDS; i++)
		if (s.v[i] != initial.v[i]) {
			changes++;
			printf("STATE my %s changed under me (%s window): %#llx, was %#llx\n", state_names[i],
			       when, (unsigned long long)s.v[i], (unsigned long long)initial.v[i]);
		}
}

/* The LAPIC timer's count rate per ms (coopvmm: the TSC rate). */
static uint32_t measure_bus(void)
{
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TICK);
	uint64_t t0 = rdtsc();
	lapic_write(APIC_TIMER_ICR, 0xffffffff);
	delay_ms(5);
	uint32_t done = 0xffffffff - lapic_read(APIC_TIMER_CCR);
	uint64_t el = rdtsc() - t0;
	lapic_timer_stop();
	return (uint32_t)udiv64((uint64_t)done * tsc_khz(), (uint32_t)el, NULL);
}

static void window(const char *name, uint32_t start_ms)
{
	static uint32_t counts[PACE_INTERVALS];
	pace_sleep_until(start_ms);
	lapic_write(APIC_TIMER_DCR, APIC_DCR_DIV1);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | VEC_TICK);
	lapic_write(APIC_TIMER_ICR, bus_per_ms * TICK_MS);
	uint32_t t_before = ticks;
	uint64_t len = ms_to_tsc(PACE_INTERVAL_MS), end = rdtsc();
	sti();
	for (int i = 0; i < PACE_INTERVALS; i++) {
		uint32_t n = 0;
		end += len;
		while (rdtsc() < end)
			n++;
		counts[i] = n;
	}
	cli();
	uint32_t t = ticks - t_before;
	lapic_timer_stop();
	check_state(name);
	printf("PACE %s counts=", name);
	for (int i = 0; i < PACE_INTERVALS; i++)
		printf("%s%u", i ? "," : "", counts[i]);
	printf(" ticks=%u\n", t);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	pace_t0();
	trap_set_handler(VEC_TICK, tick_handler);
	trap_set_handler(APIC_SPURIOUS_VECTOR, spurious_handler);
	lapic_enable(false);
	bus_per_ms = measure_bus();
	EXPECT_NE(bus_per_ms, 0);
	initial = read_state();
	printf(
	    "victim_pace: %u intervals of %u ms per window, timer tick %u ms (%u counts/ms); state cr0 %#llx "
	    "cr4 %#llx tpr %#llx\n",
	    PACE_INTERVALS, PACE_INTERVAL_MS, TICK_MS, bus_per_ms, (unsigned long long)initial.v[0],
	    (unsigned long long)initial.v[2], (unsigned long long)initial.v[5]);
	window("solo", PACE_SOLO_START_MS);
	window("shared", PACE_SHARED_START_MS);
	if (changes)
		fail("%u changes of my CPU state, which nothing in this guest writes", changes);
	return 0;
}
