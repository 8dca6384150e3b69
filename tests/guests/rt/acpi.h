/* SPDX-License-Identifier: GPL-2.0-only */
/* acpi.h: the firmware tables as a guest OS reads them (ACPI 6.4 5.2.5
 * RSDP and how to find it, 5.2.6 header, 5.2.9 FADT fields up to the X_
 * addresses, 5.2.10 FACS, 5.2.12 MADT entries; Intel MP Specification 1.4
 * chapter 4), the ACPI PM timer (4.8.3.3), the PM1 registers (4.8.3.1,
 * 4.8.3.2) and the few AML terms of a \_S5 object (20.2, 7.4.2). Written
 * from the specs. */
#ifndef GUEST_RT_ACPI_H
#define GUEST_RT_ACPI_H

#include <stdint.h>

#define BDA_EBDA_SEGMENT  0x40e	  /* BIOS data area: EBDA real-mode segment */
#define EBDA_SEARCH_LEN	  1024	  /* the RSDP may be in the EBDA's first KiB */
#define BIOS_AREA_START	  0xe0000 /* ... or here, on 16-byte boundaries */
#define BIOS_AREA_END	  0x100000
#define BASE_MEM_LAST_KIB 0x9fc00 /* MP spec: the last KiB of base memory */
#define BIOS_ROM_FSEG	  0xf0000 /* MP spec: the BIOS ROM 0xF0000-0xFFFFF */
#define TABLE_SCAN_STEP	  16

#define PM_TIMER_HZ 3579545U

struct rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* bytes 0-19 */
	char oem_id[6];
	uint8_t revision; /* 0: ACPI 1.0 (20 bytes); 2: the fields below */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

#define RSDP_V1_LEN 20

struct sdt_header {
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

/* FADT fields by offset (every FADT has bytes 0-115). */
#define FADT_FIRMWARE_CTRL   36
#define FADT_DSDT	     40
#define FADT_SCI_INT	     46 /* 2 bytes */
#define FADT_SMI_CMD	     48
#define FADT_ACPI_ENABLE     52 /* 1 byte: written to SMI_CMD to enter ACPI mode */
#define FADT_PM1A_EVT_BLK    56
#define FADT_PM1A_CNT_BLK    64
#define FADT_PM_TMR_BLK	     76
#define FADT_PM1_EVT_LEN     88
#define FADT_PM1_CNT_LEN     89
#define FADT_PM_TMR_LEN	     91
#define FADT_FLAGS	     112
#define FADT_V1_LEN	     116
#define FADT_X_FIRMWARE_CTRL 132 /* 8 bytes, FADT revision 3 and later */
#define FADT_X_DSDT	     140
#define FADT_X_LEN	     148
#define FADT_PWR_BUTTON	     (1U << 4) /* set: no fixed power button (a control method one, if any) */
#define FADT_TMR_VAL_EXT     (1U << 8) /* PM timer is 32 bits, else 24 */
#define FADT_HW_REDUCED	     (1U << 20)

#define FACS_MIN_LEN 64
#define FACS_ALIGN   64

#define PM1_STS_TMR    (1U << 0)
#define PM1_CNT_SCI_EN (1U << 0)

/* PM1 status and enable (4.8.3.1: the enable register is the second half
 * of PM1_EVT_LEN; same bit for an event's status and its enable) and
 * control (4.8.3.2.1). */
#define PM1_EN_TMR	      (1U << 0)
#define PM1_STS_PWRBTN	      (1U << 8)
#define PM1_EN_PWRBTN	      (1U << 8)
#define PM1_STS_WAK	      (1U << 15)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MAX   7 /* 3 bits */
#define PM1_CNT_SLP_EN	      (1U << 13)

/* AML (20.2): NameOp NameSeg PackageOp PkgLength NumElements elements,
 * the integers a \_Sx package holds (20.2.3), PkgLength's lead byte
 * (20.2.4: bits 7:6 = bytes that follow; alone, bits 5:0 are the length;
 * else bits 3:0 are its low nibble). */
#define AML_ZERO_OP	     0x00
#define AML_ONE_OP	     0x01
#define AML_NAME_OP	     0x08
#define AML_BYTE_PREFIX	     0x0a
#define AML_WORD_PREFIX	     0x0b
#define AML_DWORD_PREFIX     0x0c
#define AML_QWORD_PREFIX     0x0e
#define AML_ROOT_CHAR	     0x5c /* a backslash before a NameSeg: from the root */
#define AML_PACKAGE_OP	     0x12
#define AML_ONES_OP	     0xff
#define AML_PKGLEN_FOLLOW(b) ((b) >> 6)
#define AML_PKGLEN_SHORT     0x3f
#define AML_PKGLEN_NIBBLE    0x0f

/* MADT: local APIC address at 36, flags at 40, entries from 44. */
#define MADT_LAPIC_ADDR	 36
#define MADT_FLAGS	 40
#define MADT_PCAT_COMPAT 1 /* dual 8259s */
#define MADT_ENTRIES	 44
#define MADT_LAPIC	 0 /* type, length 8: UID, APIC ID, flags (bit 0 enabled) */
#define MADT_IOAPIC	 1 /* length 12: ID, reserved, address, GSI base */
#define MADT_ISO	 2 /* length 10: bus, source IRQ, GSI, flags */
#define MADT_LAPIC_NMI	 4 /* length 6: UID (0xff all), flags, LINT# */
#define MADT_X2APIC	 9 /* length 16: reserved, x2APIC ID, flags, UID */
#define MADT_ENABLED	 1
#define INTI_ACTIVE_HIGH 0x1 /* MPS INTI flags: polarity bits 1:0 */
#define INTI_ACTIVE_LOW	 0x3
#define INTI_POLARITY	 0x3 /* 00: as the bus says (the SCI: active low) */
#define INTI_LEVEL	 0xc /* trigger bits 3:2 = 11 */
#define INTI_EDGE	 0x4
#define INTI_TRIGGER	 0xc /* 00: as the bus says (the SCI: level) */

/* MP floating pointer (16 bytes) and configuration table (44-byte header). */
struct mp_float {
	char signature[4]; /* "_MP_" */
	uint32_t config;
	uint8_t length;	  /* paragraphs: 1 */
	uint8_t spec_rev; /* 1 or 4 */
	uint8_t checksum;
	uint8_t features[5];
} __attribute__((packed));

struct mp_config {
	char signature[4]; /* "PCMP" */
	uint16_t length;
	uint8_t spec_rev;
	uint8_t checksum;
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

#define MP_PROCESSOR	 0 /* 20 bytes: type, APIC ID, version, flags (0 enabled, 1 BSP) */
#define MP_BUS		 1 /* 8 bytes: type, bus ID, 6-character type */
#define MP_IOAPIC	 2 /* 8 bytes: type, ID, version, flags, address */
#define MP_IOINT	 3 /* 8 bytes: type, int type, flags (2), bus, bus IRQ, I/O APIC ID, pin */
#define MP_LINT		 4 /* 8 bytes: as MP_IOINT, LAPIC ID (0xff all), LINT# */
#define MP_PROCESSOR_LEN 20
#define MP_ENTRY_LEN	 8
#define MP_CPU_ENABLED	 1
#define MP_CPU_BSP	 2
#define MP_INT_INT	 0
#define MP_INT_NMI	 1
#define MP_INT_EXTINT	 3

#endif
