/* SPDX-License-Identifier: GPL-2.0-only */
/* mptable.h: the layouts of the Intel MultiProcessor Specification 1.4
 * tables, read by the VMM (vmm/platform/mptable.c) and built for its guests
 * (vmm/vm/acpi_build.c): 4.1 MP floating pointer, 4.2 configuration table
 * header, 4.3 base table entries (Tables 4-3 to 4-12). */
#ifndef ARCH_X86_MPTABLE_H
#define ARCH_X86_MPTABLE_H

#include <stdint.h>

/* Chapter 4: where an OS looks for the floating pointer, 16-byte aligned:
 * the first KiB of the EBDA, else the last KiB of base memory, else the
 * BIOS ROM 0xF0000-0xFFFFF. */
#define MP_BASE_MEM_LAST_KIB 0x9fc00ULL
#define MP_BIOS_ROM_START    0xf0000ULL
#define MP_BIOS_ROM_SIZE     0x10000
#define MP_FLOAT_ALIGN	     16

#define MP_SIG_FLOAT	"_MP_"
#define MP_SIG_CONFIG	"PCMP"
#define MP_SPEC_REV_1_4 4

struct mp_float {
	char signature[4]; /* "_MP_" */
	uint32_t config;   /* physical address of the configuration table */
	uint8_t length;	   /* in 16-byte units: 1 */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t features[5]; /* [0] = 0: a configuration table is present; [1] bit 7: IMCR */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_float) == 16, "MP floating pointer is 16 bytes");

struct mp_config {
	char signature[4]; /* "PCMP" */
	uint16_t length;   /* base table, header included */
	uint8_t spec_rev;
	uint8_t checksum; /* base table sums to 0 */
	char oem_id[8];
	char product_id[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entry_count;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mp_config) == 44, "MP configuration table header is 44 bytes");

#define MP_ENTRY_PROCESSOR 0
#define MP_ENTRY_BUS	   1
#define MP_ENTRY_IOAPIC	   2
#define MP_ENTRY_IOINT	   3
#define MP_ENTRY_LINT	   4

struct mp_processor {
	uint8_t type; /* MP_ENTRY_PROCESSOR */
	uint8_t lapic_id;
	uint8_t lapic_version;
	uint8_t flags;	    /* MP_CPU_* */
	uint32_t signature; /* CPUID.1 EAX stepping/model/family */
	uint32_t features;  /* CPUID.1 EDX */
	uint32_t reserved[2];
} __attribute__((packed));
_Static_assert(sizeof(struct mp_processor) == 20, "MP processor entry is 20 bytes");

#define MP_CPU_ENABLED 0x1
#define MP_CPU_BSP     0x2

struct mp_bus {
	uint8_t type; /* MP_ENTRY_BUS */
	uint8_t bus_id;
	char bus_type[6]; /* "ISA   ", space padded */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_bus) == 8, "MP bus entry is 8 bytes");

#define MP_BUS_ISA "ISA   "

struct mp_ioapic {
	uint8_t type; /* MP_ENTRY_IOAPIC */
	uint8_t id;
	uint8_t version;
	uint8_t flags; /* MP_IOAPIC_ENABLED */
	uint32_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct mp_ioapic) == 8, "MP I/O APIC entry is 8 bytes");

#define MP_IOAPIC_ENABLED 0x1

/* I/O interrupt assignment (MP_ENTRY_IOINT) and local interrupt
 * assignment (MP_ENTRY_LINT) share this layout (Tables 4-10, 4-12). */
struct mp_intsrc {
	uint8_t type;
	uint8_t irq_type; /* MP_INT_* */
	uint16_t flags;	  /* polarity bits 1:0, trigger bits 3:2 (MPS_INTI_* of acpi_tables.h) */
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dst_id;	 /* I/O APIC ID, or local APIC ID (MP_ALL_LAPICS: all) */
	uint8_t dst_pin; /* I/O APIC INTIN#, or LINTIN# */
} __attribute__((packed));
_Static_assert(sizeof(struct mp_intsrc) == 8, "MP interrupt entry is 8 bytes");

#define MP_INT_INT    0
#define MP_INT_NMI    1
#define MP_INT_SMI    2
#define MP_INT_EXTINT 3
#define MP_ALL_LAPICS 0xff

#endif
