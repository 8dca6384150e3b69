/* SPDX-License-Identifier: GPL-2.0-only */
/* acpi.h: what the VMM learns from the firmware tables: ACPI (6.4 5.2.5
 * RSDP, 5.2.7/5.2.8 RSDT/XSDT, 5.2.9 FADT, 5.2.12 MADT; layouts in
 * arch/x86/acpi_tables.h) and the MP table fallback (Intel MultiProcessor
 * Specification 1.4, chapter 4; layouts in arch/x86/mptable.h). */
#ifndef VMM_ACPI_H
#define VMM_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/acpi_tables.h"
#include "arch/x86/layout.h"

#define FW_TABLE_MAX_LEN (1U << 20) /* sanity bound for a table we walk */
#define BIOS_EBDA_MIN	 0x80000    /* an EBDA below this is not plausible */

#define MAX_IRQ_OVERRIDES 16

struct irq_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
};

struct platform_cpu {
	uint32_t apic_id;
	bool enabled;
};

/* What the firmware tables say about the machine. */
struct platform {
	const char *source; /* "ACPI MADT" or "MP table" */
	uint32_t ncpus;
	struct platform_cpu cpu[MAX_CPUS];
	uint32_t cpus_ignored; /* beyond MAX_CPUS */
	uint64_t lapic_base;
	uint64_t rsdp_phys;	/* where the RSDP is, when found in memory (0: a loader's copy) */
	uint16_t pm_timer_port; /* 0: none */
	uint16_t smi_cmd;	/* FADT SMI_CMD port, 0: none (ACPI mode always on) */
	uint8_t acpi_enable;	/* what SMI_CMD takes to enter ACPI mode */
	uint16_t pm1a_cnt;	/* PM1a control port, 0: none */
	bool pm_timer_32bit;
	uint32_t noverrides;
	struct irq_override overrides[MAX_IRQ_OVERRIDES];
};

extern struct platform platform;
/* Physical address of the EBDA from the BIOS data area (0 if implausible).
 * Read by platform_save_bios_data() while page 0 is still mapped. */
extern uint64_t bios_ebda_addr;
void platform_save_bios_data(void);

/* Fill `platform` and the IOAPIC list from ACPI (rsdp may be NULL: then
 * scan the BIOS areas), falling back to the MP table; or from the MP table
 * only (the ACPI FADT is still read for the PM timer). */
int platform_discover(const struct acpi_rsdp *rsdp_copy, bool mptable_only);
/* Put the platform into ACPI mode (the FADT's ACPI_ENABLE to SMI_CMD) if it
 * is not, once, at boot, before any guest runs: the firmware's SMI handler
 * then runs while no CPU is in VMX non-root operation, and the IOPM's Linux
 * finds ACPI mode on and sends no SMI of its own. */
void platform_acpi_mode(void);
int mptable_discover(struct platform *p);

#endif
