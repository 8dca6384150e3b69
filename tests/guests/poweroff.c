/* SPDX-License-Identifier: GPL-2.0-only */
/* poweroff: the ACPI power button's registers and S5 through the runtime's
 * rt/acpi_power, with no press (the press itself comes from `vmctl
 * shutdown`, system.bochs_iopm_guests):
 *  (a) after acpi_power_init: PWRBTN_STS clear, PWRBTN_EN reads back,
 *      writing 1 to the clear PWRBTN_STS changes nothing, SCI_EN set, the
 *      SCI neither pending in the LAPIC nor awaiting an EOI at its I/O
 *      APIC pin, and none taken when interrupts are opened; under coopvmm
 *      no other enable or status bit but TMR_STS, and PWRBTN_EN through
 *      the enable register's high byte alone (QEMU ignores that write);
 *  (b) the SCI's path, proven with the one event a guest can wait for
 *      without a press: TMR_EN, and TMR_STS when the PM timer's top bit
 *      changes (under coopvmm 2 s after the VM was made, on a 24-bit timer
 *      every 2.3 s): exactly one SCI on the vector the MADT's route gives,
 *      the handler found TMR_STS and cleared it, no second one after its
 *      EOI (level-triggered, the line low);
 *  (c) S5: "PASS: poweroff", then SLP_TYP (the DSDT's \_S5) | SLP_EN: the
 *      machine goes off (under coopvmm "[vm N poweroff] powered off (ACPI
 *      S5)" and exit status 0; bare QEMU exits 0). Still running a second
 *      later is a FAIL.
 * Under coopvmm also the platform's values (docs/guest-platform.md). */
#include "rt/rt.h"

#include "rt/acpi.h"
#include "rt/acpi_power.h"
#include "rt/hv.h"
#include "rt/ioapic.h"
#include "rt/lapic.h"
#include "rt/timer.h"

#define VEC_SCI	     0x51
#define VEC_WATCHDOG 0x52
#define TMR_WAIT_MS  8000 /* the top bit changes within 2.4 s on any PM timer we meet */

/* coopvmm's platform (docs/guest-platform.md), written here on purpose. */
#define COOP_PM1A_EVT 0x600
#define COOP_PM1A_EN  0x602
#define COOP_PM1A_CNT 0x604
#define COOP_SCI      9
#define COOP_S5_TYP   7

static volatile uint32_t watchdog_fired;

static void watchdog(struct trap_frame *f)
{
	(void)f;
	watchdog_fired++;
	lapic_eoi();
}

/* With IF = 0: is the SCI's vector waiting in the LAPIC (IRR) or in
 * service, or its level pin awaiting an EOI? */
static bool sci_pending(void)
{
	const struct acpi_power *p = &acpi_power;
	if (!p->ioapic)
		return false; /* the 8259 route: nothing to read without side effects */
	uint32_t irr = lapic_read(APIC_VECTOR_REG(APIC_IRR0, p->vector)) & APIC_VECTOR_BIT(p->vector);
	mmio_write32(p->ioapic_addr + IOAPIC_REGSEL, IOAPIC_REG_REDTBL(p->sci_gsi));
	uint32_t rte = mmio_read32(p->ioapic_addr + IOAPIC_WIN);
	return irr || lapic_in_service(p->vector) || (rte & IOAPIC_RTE_REMOTE_IRR);
}

/* Interrupts open for a moment: anything pending is taken now. */
static void open_interrupts(void)
{
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
}

static void check_no_press(void)
{
	const struct acpi_power *p = &acpi_power;
	uint16_t sts = inw(p->pm1a_sts), en = inw(p->pm1a_en), cnt = inw(p->pm1a_cnt);
	printf("no press: PM1 status %#x, enable %#x, control %#x\n", sts, en, cnt);
	EXPECT_EQ(sts & PM1_STS_PWRBTN, 0);
	EXPECT_EQ(en & PM1_EN_PWRBTN, PM1_EN_PWRBTN);
	EXPECT_TRUE(cnt & PM1_CNT_SCI_EN);
	/* Writing 1 to a clear status bit: nothing changes. */
	outw(p->pm1a_sts, PM1_STS_PWRBTN);
	EXPECT_EQ(inw(p->pm1a_sts) & PM1_STS_PWRBTN, 0);
	EXPECT_EQ(inw(p->pm1a_en) & PM1_EN_PWRBTN, PM1_EN_PWRBTN);
	EXPECT_FALSE(sci_pending());
	open_interrupts();
	EXPECT_EQ(p->scis, 0);
	printf("no press: PWRBTN_STS clear, PWRBTN_EN set, SCI_EN set, no SCI\n");
	if (skip_unless_coopvmm("coopvmm's PM1 values and byte access (QEMU ignores byte writes at 0x603)"))
		return;
	EXPECT_EQ(inw(p->pm1a_en), PM1_EN_PWRBTN);
	EXPECT_EQ(inw(p->pm1a_sts) & (uint16_t)~PM1_STS_TMR, 0);
	/* PWRBTN_EN is bit 8: the enable register's high byte, alone. */
	outb((uint16_t)(p->pm1a_en + 1), 0);
	EXPECT_EQ(inw(p->pm1a_en), 0);
	outb((uint16_t)(p->pm1a_en + 1), PM1_EN_PWRBTN >> 8);
	EXPECT_EQ(inw(p->pm1a_en), PM1_EN_PWRBTN);
	EXPECT_EQ(inb((uint16_t)(p->pm1a_en + 1)), PM1_EN_PWRBTN >> 8);
}

/* Wait (HLT, with a TSC-deadline watchdog where there is one) until an
 * SCI came or the budget is spent. */
static void wait_for_sci(uint64_t until)
{
	const struct acpi_power *p = &acpi_power;
	bool deadline = p->ioapic && cpu_has(CPUID_LEAF_FEATURES, REG_ECX, CPUID1_ECX_TSC_DEADLINE);
	if (deadline) {
		trap_set_handler(VEC_WATCHDOG, watchdog);
		lapic_write(APIC_LVT_TIMER, APIC_LVT_TSC_DEADLINE | VEC_WATCHDOG);
		wrmsr(MSR_IA32_TSC_DEADLINE, until);
	}
	while (!p->scis && rdtsc() < until) {
		if (deadline)
			__asm__ volatile("sti; hlt; cli" ::: "memory");
		else
			open_interrupts();
	}
	if (deadline) {
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
		lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	}
}

static void check_sci_path(void)
{
	struct acpi_power *p = &acpi_power;
	uint64_t t0 = rdtsc();
	acpi_power_enable(PM1_EN_PWRBTN | PM1_EN_TMR);
	wait_for_sci(t0 + ms_to_tsc(TMR_WAIT_MS));
	acpi_power_enable(PM1_EN_PWRBTN);
	uint32_t ms = (uint32_t)udiv64(tsc_to_us(rdtsc() - t0), 1000, NULL);
	if (!p->scis)
		fail("no SCI within %u ms of TMR_EN (PM1 status %#x)", TMR_WAIT_MS, acpi_power_status());
	printf("SCI: %u interrupt(s) on vector %#x within %u ms of TMR_EN, the handler found PM1 status %#x "
	       "and cleared it\n",
	       p->scis, p->vector, ms, p->last);
	EXPECT_EQ(p->scis, 1);
	EXPECT_EQ(p->last, PM1_STS_TMR);
	EXPECT_EQ(acpi_power_status() & PM1_STS_TMR, 0);
	/* Cleared before its EOI: the level is down, nothing comes again. */
	EXPECT_FALSE(sci_pending());
	open_interrupts();
	EXPECT_EQ(p->scis, 1);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	const char *why = acpi_power_init(VEC_SCI);
	if (why)
		fail("acpi_power_init: %s", why);
	const struct acpi_power *p = &acpi_power;
	/* Two lines: the VMM's COM1 cuts lines at 159 characters. */
	printf("ACPI power: PM1a status %#x, enable %#x, control %#x; \\_S5 SLP_TYP %u; ACPI mode %s\n",
	       p->pm1a_sts, p->pm1a_en, p->pm1a_cnt, p->s5_typ,
	       p->acpi_enabled_here ? "entered through SMI_CMD" : "already on (SCI_EN set)");
	printf("ACPI power: SCI IRQ %u -> GSI %u (%s, active %s) through the %s on vector %#x\n", p->sci_irq,
	       p->sci_gsi, p->sci_level ? "level" : "edge", p->sci_active_low ? "low" : "high",
	       p->ioapic ? "I/O APIC" : "8259", p->vector);
	if (!skip_unless_coopvmm("coopvmm's PM block, SCI route and \\_S5 value")) {
		EXPECT_EQ(p->pm1a_sts, COOP_PM1A_EVT);
		EXPECT_EQ(p->pm1a_en, COOP_PM1A_EN);
		EXPECT_EQ(p->pm1a_cnt, COOP_PM1A_CNT);
		EXPECT_EQ(p->sci_irq, COOP_SCI);
		EXPECT_EQ(p->sci_gsi, COOP_SCI);
		EXPECT_TRUE(p->sci_level);
		EXPECT_FALSE(p->sci_active_low);
		EXPECT_TRUE(p->ioapic);
		EXPECT_EQ(p->s5_typ, COOP_S5_TYP);
		EXPECT_FALSE(p->acpi_enabled_here);
		EXPECT_EQ(p->smi_cmd, 0);
	}
	cli();
	check_no_press();
	check_sci_path();
	printf("powering off through S5 (SLP_TYP %u | SLP_EN)\n", p->s5_typ);
	printf("PASS: %s\n", guest_name);
	why = acpi_power_off();
	fail("%s", why);
}
