/* acpi.h: the ACPI tables the VMM reads (ACPI 6.4 5.2.5 RSDP, 5.2.7/5.2.8
 * RSDT/XSDT, 5.2.9 FADT, 5.2.12 MADT) and the MP table fallback (Intel
 * MultiProcessor Specification 1.4, chapter 4). */
#ifndef ARCH_X86_ACPI_H
#define ARCH_X86_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/layout.h"

struct acpi_rsdp {
	char signature[8];      /* "RSD PTR " */
	uint8_t checksum;       /* first 20 bytes */
	char oem_id[6];
	uint8_t revision;       /* 0: ACPI 1.0, 2+: has the fields below */
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

#define ACPI_RSDP_V1_SIZE 20
#define MADT_LAPIC_ADDR_OFFSET 36
#define MADT_ENTRIES_OFFSET 44
#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_IOAPIC 1
#define MADT_TYPE_ISO 2
#define MADT_TYPE_LAPIC_ADDR 5
#define MADT_TYPE_X2APIC 9
#define MADT_LAPIC_ENABLED 0x1
#define MADT_LAPIC_ONLINE_CAPABLE 0x2
#define FADT_PM_TMR_BLK_OFFSET 76
#define FADT_PM_TMR_LEN_OFFSET 91
#define FADT_FLAGS_OFFSET 112
#define FADT_TMR_VAL_EXT (1U << 8)
#define ACPI_TABLE_MAX_LEN (1U << 20)  /* sanity bound for a table we walk */
#define BIOS_EBDA_SEG_PTR 0x40e
#define BIOS_EBDA_MIN 0x80000   /* an EBDA below this is not plausible */
#define BIOS_ROM_START 0xe0000
#define BIOS_ROM_END 0x100000
#define EBDA_SCAN_LEN 1024

#define MAX_IRQ_OVERRIDES 16

struct irq_override {
	uint8_t isa_irq;
	uint32_t gsi;
	uint16_t flags;   /* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
};

struct platform_cpu {
	uint32_t apic_id;
	bool enabled;
};

/* What the firmware tables say about the machine. */
struct platform {
	const char *source;           /* "ACPI MADT" or "MP table" */
	uint32_t ncpus;
	struct platform_cpu cpu[MAX_CPUS];
	uint32_t cpus_ignored;        /* beyond MAX_CPUS */
	uint64_t lapic_base;
	uint64_t rsdp_phys;            /* where the RSDP is, when found in memory (0: a loader's copy) */
	uint16_t pm_timer_port;       /* 0: none */
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
int mptable_discover(struct platform *p);

#endif
