/* SPDX-License-Identifier: GPL-2.0-only */
/* acpi_power.h: the ACPI power button and soft off for any guest, as an OS
 * does them (ACPI 6.4 4.8.2.2.1.1 fixed power button, 4.8.3.1 PM1
 * status/enable, 4.8.3.2 PM1 control, 4.8.2.5 the SCI, 7.4.2 \_S5; the
 * tables: 5.2.9 FADT, 5.2.12 MADT, the DSDT's AML, chapter 20).
 *
 *	const char *why = acpi_power_init(VECTOR);
 *	if (why)
 *		fail("%s", why);
 *	for (;;)
 *		sti_hlt();
 *
 * acpi_power_init finds the tables, puts the platform in ACPI mode if the
 * FADT says how (SMI_CMD), routes the SCI as the MADT says (its I/O APIC
 * pin on VECTOR, level and polarity from the override; the 8259s if the
 * MADT lists no I/O APIC), installs the SCI handler (rt/trap.h) and sets
 * PWRBTN_EN. From then on a press of the power button prints "power
 * button: powering off" and enters S5 (the \_S5 SLP_TYPa of the DSDT with
 * SLP_EN): the machine goes off. The handler clears (writes 1 to) every
 * status bit it finds set with its enable bit and counts it in
 * acpi_power.seen, so a guest may enable other events (TMR_EN) with
 * acpi_power_enable(). */
#ifndef GUEST_RT_ACPI_POWER_H
#define GUEST_RT_ACPI_POWER_H

#include <stdbool.h>
#include <stdint.h>

/* What acpi_power_init found and did. */
struct acpi_power {
	uint16_t pm1a_sts, pm1a_en, pm1a_cnt; /* ports: PM1a status, enable, control */
	uint32_t smi_cmd;		      /* FADT SMI_CMD (0: ACPI mode only) */
	bool acpi_enabled_here;		      /* SCI_EN was clear: ACPI_ENABLE written to SMI_CMD */
	bool fixed_button;		      /* FADT PWR_BUTTON clear */
	uint8_t s5_typ;			      /* \_S5's SLP_TYPa */
	uint16_t sci_irq;		      /* FADT SCI_INT */
	uint32_t sci_gsi;		      /* after the MADT's override */
	bool sci_level, sci_active_low;	      /* from the override, else the SCI's default (level, low) */
	bool ioapic;			      /* routed through the I/O APIC, else the 8259s */
	uint32_t ioapic_addr;
	uint8_t vector;
	volatile uint32_t scis; /* SCIs taken */
	volatile uint16_t seen; /* status bits the SCIs found set with their enables (and cleared) */
	volatile uint16_t last; /* the last SCI's */
};
extern struct acpi_power acpi_power;

/* The above, the SCI's handler on `vector` (32-255; the I/O APIC route)
 * and PWRBTN_EN set; the guest's interrupts stay as they are (the handler
 * runs once it has IF set). A press made before is acted on then. NULL,
 * or why not (the tables, the route or the mode). */
const char *acpi_power_init(uint8_t vector);
/* PM1a enable bits (PM1_EN_*), as one 16-bit write. */
void acpi_power_enable(uint16_t bits);
uint16_t acpi_power_status(void); /* PM1a status as it reads now */
/* Enter S5: SLP_TYP = \_S5's, then with SLP_EN (as Linux writes them).
 * Returns only if the machine is still on a second later: why. */
const char *acpi_power_off(void);

#endif
