/* SPDX-License-Identifier: GPL-2.0-only */
/* acpi_tables.h: the layouts and field values of the ACPI tables that the
 * VMM reads (vmm/platform/acpi.c) and builds for its guests (vmm/vm/acpi_build.c):
 * ACPI 6.4 5.2.3.2 Generic Address Structure, 5.2.5.3 RSDP, 5.2.6 header,
 * 5.2.7/5.2.8 RSDT/XSDT, 5.2.9 FADT, 5.2.10 FACS, 5.2.12 MADT; 4.8.3 PM1. */
#ifndef ARCH_X86_ACPI_TABLES_H
#define ARCH_X86_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>

/* 5.2.5.1 Finding the RSDP on IA-PC systems: in the first KiB of the EBDA
 * (its real-mode segment is the BIOS data area word at 0x40e), or in the
 * BIOS read-only memory 0xE0000-0xFFFFF, on a 16-byte boundary. */
#define BIOS_EBDA_SEG_PTR 0x40e
#define EBDA_SCAN_LEN	  1024
#define BIOS_ROM_START	  0xe0000
#define BIOS_ROM_END	  0x100000ULL /* 1 MiB: the end of the PC/AT's real-mode memory */
/* Conventional RAM of the PC/AT ends at 640 KiB; the legacy video window
 * and option ROMs follow, then the BIOS (15 "System Address Map
 * Interfaces" reports the hole as not RAM). */
#define PC_LOW_RAM_END 0xa0000ULL

/* 15.1 Address Range Types of the system address map (the BIOS's INT 15h
 * E820h types, also in Linux's boot_params e820_table). */
#define E820_RAM      1 /* AddressRangeMemory */
#define E820_RESERVED 2 /* AddressRangeReserved */
#define E820_ACPI     3 /* AddressRangeACPI */
#define E820_NVS      4 /* AddressRangeNVS */
#define E820_UNUSABLE 5 /* AddressRangeUnusable: OSPM must not use it */

#define ACPI_SIG_RSDP "RSD PTR "
#define ACPI_SIG_RSDT "RSDT"
#define ACPI_SIG_XSDT "XSDT"
#define ACPI_SIG_FADT "FACP"
#define ACPI_SIG_FACS "FACS"
#define ACPI_SIG_DSDT "DSDT"
#define ACPI_SIG_MADT "APIC"

/* 5.2.5.3 Root System Description Pointer (ACPI 2.0+ layout). */
struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* first 20 bytes */
	char oem_id[6];
	uint8_t revision; /* 0: ACPI 1.0, 2+: has the fields below */
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t ext_checksum; /* the whole structure */
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");

#define ACPI_RSDP_V1_SIZE  20 /* the ACPI 1.0 part the first checksum covers */
#define ACPI_RSDP_REVISION 2  /* ACPI 2.0 and later */
#define ACPI_RSDP_ALIGN	   16 /* found by a scan on 16-byte boundaries (5.2.5.1) */
_Static_assert(offsetof(struct acpi_rsdp, length) == ACPI_RSDP_V1_SIZE, "RSDP 1.0 part");

/* 5.2.6 System Description Table Header. */
struct acpi_header {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* the whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_header) == 36, "table header is 36 bytes");

/* 5.2.7 RSDT (4-byte entries) and 5.2.8 XSDT (8-byte entries) follow the
 * header; their revision is 1. */
#define ACPI_RSDT_REVISION 1
#define ACPI_XSDT_REVISION 1

/* 5.2.3.2 Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* ACPI_GAS_ACCESS_* */
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes");

#define ACPI_GAS_SYSTEM_IO    1
#define ACPI_GAS_ACCESS_WORD  2
#define ACPI_GAS_ACCESS_DWORD 3

/* 5.2.9 Fixed ACPI Description Table, revision 6 (ACPI 6.x). */
struct acpi_fadt {
	struct acpi_header header;
	uint32_t firmware_ctrl; /* FACS */
	uint32_t dsdt;
	uint8_t reserved0; /* ACPI 1.0 INT_MODEL */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd; /* 0: no SMM, ACPI mode always on */
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk;
	uint32_t pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat;
	uint16_t flush_size, flush_stride;
	uint8_t duty_offset, duty_width;
	uint8_t day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags; /* ACPI_FADT_* */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 is 276 bytes");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_blk) == 76, "FADT PM_TMR_BLK offset");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_len) == 91, "FADT PM_TMR_LEN offset");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT Flags offset");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "FADT X_FIRMWARE_CTRL offset");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "FADT X_PM_TMR_BLK offset");

#define ACPI_FADT_REVISION 6
/* PM1 control register: SCI_EN, the platform is in ACPI mode (ACPI 6.4 4.8.3.2.1). */
#define ACPI_PM1_CNT_SCI_EN	 (1U << 0)
#define ACPI_FADT_MINOR_VERSION	 4    /* ACPI 6.4 */
#define ACPI_FADT_V1_SIZE	 116  /* through Flags: every FADT has these */
#define ACPI_FADT_C2_UNSUPPORTED 101  /* P_LVL2_LAT > 100 us: no C2 */
#define ACPI_FADT_C3_UNSUPPORTED 1001 /* P_LVL3_LAT > 1000 us: no C3 */
#define ACPI_PM1_EVT_LEN	 4    /* PM1 status + enable, 16 bits each */
#define ACPI_PM1_CNT_LEN	 2
#define ACPI_PM_TMR_LEN		 4

/* FADT Flags (Table 5.10). */
#define ACPI_FADT_WBINVD      (1U << 0)	 /* WBINVD flushes all caches */
#define ACPI_FADT_PROC_C1     (1U << 2)	 /* C1 (HLT) on every processor */
#define ACPI_FADT_PWR_BUTTON  (1U << 4)	 /* set: no fixed-feature power button */
#define ACPI_FADT_SLP_BUTTON  (1U << 5)	 /* set: no fixed-feature sleep button */
#define ACPI_FADT_FIX_RTC     (1U << 6)	 /* set: RTC wake status not in fixed registers */
#define ACPI_FADT_TMR_VAL_EXT (1U << 8)	 /* PM timer is 32 bits (clear: 24 bits) */
#define ACPI_FADT_HEADLESS    (1U << 12) /* no monitor or keyboard */
#define ACPI_FADT_HW_REDUCED  (1U << 20)

/* FADT IA-PC Boot Architecture Flags (Table 5.11). */
#define ACPI_BOOT_LEGACY_DEVICES (1U << 0) /* ISA/LPC devices (COM1, PIC, PIT) */
#define ACPI_BOOT_8042		 (1U << 1)
#define ACPI_BOOT_NO_VGA	 (1U << 2)
#define ACPI_BOOT_NO_CMOS_RTC	 (1U << 5)

/* 4.8.3.1 PM1 status and enable registers (Tables 4.16, 4.17), 4.8.3.2
 * PM1 control (Table 4.18), 4.8.3.3 the PM timer: 3.579545 MHz. */
#define ACPI_PM1_TMR_STS       (1U << 0) /* the timer's top bit changed; write 1 to clear */
#define ACPI_PM1_BM_STS	       (1U << 4)
#define ACPI_PM1_GBL_STS       (1U << 5)
#define ACPI_PM1_PWRBTN_STS    (1U << 8)
#define ACPI_PM1_SLPBTN_STS    (1U << 9)
#define ACPI_PM1_RTC_STS       (1U << 10)
#define ACPI_PM1_WAK_STS       (1U << 15)
#define ACPI_PM1_TMR_EN	       (1U << 0)
#define ACPI_PM1_GBL_EN	       (1U << 5)
#define ACPI_PM1_PWRBTN_EN     (1U << 8)
#define ACPI_PM1_SLPBTN_EN     (1U << 9)
#define ACPI_PM1_RTC_EN	       (1U << 10)
#define ACPI_PM1_SCI_EN	       (1U << 0) /* PM1 control: SCI (ACPI mode) enabled */
#define ACPI_PM1_BM_RLD	       (1U << 1)
#define ACPI_PM1_GBL_RLS       (1U << 2)  /* write-only */
#define ACPI_PM1_SLP_TYP       (7U << 10) /* the sleep type SLP_EN enters (values: the DSDT's \_Sx) */
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_EN	       (1U << 13) /* write-only */
#define PM_TIMER_HZ	       3579545U
#define PM_TIMER_MASK24	       0xffffffU /* TMR_VAL_EXT clear: bits 31:24 read 0 */
#define PM_TIMER_MSB_SHIFT32   31	 /* a 32-bit timer sets TMR_STS when bit 31 changes */

/* 5.2.10 Firmware ACPI Control Structure (64-byte aligned, version 2). */
struct acpi_facs {
	char signature[4]; /* "FACS" */
	uint32_t length;   /* 64 */
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS is 64 bytes");

#define ACPI_FACS_ALIGN	   64
#define ACPI_FACS_VERSION  2
#define ACPI_DSDT_REVISION 2 /* 2: AML integers are 64 bits */

/* 20.2 AML encoding (ACPI 6.4 chapter 20), the few terms a DSDT of
 * Name(_S5, Package(){...}) needs: NameOp NameString DataRefObject
 * (20.2.5.1), PackageOp PkgLength NumElements PackageElementList
 * (20.2.5.4), a PkgLength of one byte (20.2.4: bits 7:6 = 0, bits 5:0 the
 * length of the package counting this byte, up to 63), NameSeg of four
 * characters (20.2.2), integer constants (20.2.3: ZeroOp, ByteConst). */
#define ACPI_AML_ZERO_OP     0x00 /* the integer 0 */
#define ACPI_AML_NAME_OP     0x08 /* DefName := NameOp NameString DataRefObject */
#define ACPI_AML_BYTE_PREFIX 0x0a /* ByteConst := BytePrefix ByteData */
#define ACPI_AML_PACKAGE_OP  0x12 /* DefPackage := PackageOp PkgLength NumElements ... */
#define ACPI_AML_NAMESEG_LEN 4
/* 7.4.2 \_Sx (System States): a package of SLP_TYPa, SLP_TYPb and two
 * reserved integers, the values OSPM writes to PM1a_CNT and PM1b_CNT's
 * SLP_TYP to enter state x; \_S5 is soft off. */
#define ACPI_S5_NAME	      "_S5_"
#define ACPI_SX_PACKAGE_ELEMS 4

/* The terms the PCI host bridge's device adds (ACPI 6.4 20.2): DefScope :=
 * ScopeOp PkgLength NameString TermList (20.2.5.1), DefDevice := DeviceOp
 * PkgLength NameString TermList (20.2.5.2, DeviceOp is ExtOpPrefix 0x82),
 * DefBuffer := BufferOp PkgLength BufferSize ByteList (20.2.5.4); a
 * NameString starting at the root: RootChar NameSeg (20.2.2); integers of
 * 4 bytes (20.2.3). A PkgLength (20.2.4) of more than 63 takes 1 to 3
 * more bytes: the lead byte's bits 7:6 count them, its bits 3:0 are the
 * length's low nibble, each following byte the next 8 bits; 28 bits at most. */
#define ACPI_AML_DWORD_PREFIX	     0x0c /* DWordConst := DWordPrefix DWordData */
#define ACPI_AML_SCOPE_OP	     0x10
#define ACPI_AML_BUFFER_OP	     0x11
#define ACPI_AML_EXT_OP_PREFIX	     0x5b
#define ACPI_AML_DEVICE_OP	     0x82 /* after ACPI_AML_EXT_OP_PREFIX */
#define ACPI_AML_ROOT_CHAR	     '\\'
#define ACPI_AML_PKGLEN_1_MAX	     0x3f /* the one-byte form: bits 5:0 */
#define ACPI_AML_PKGLEN_NIBBLE	     0x0f /* the lead byte's share in the longer forms */
#define ACPI_AML_PKGLEN_MAX	     0x0fffffff
#define ACPI_AML_PKGLEN_FOLLOW_SHIFT 6 /* lead byte bits 7:6: how many bytes follow */
#define ACPI_AML_PKGLEN_MAX_FOLLOW   3
/* 5.3.1 the \_SB namespace (devices on the system bus); 6.1.5 _HID, 6.1.12
 * _UID, 6.5.5 _BBN (base bus number), 6.2.2 _CRS (current resources). */
#define ACPI_SB_NAME  "_SB_"
#define ACPI_HID_NAME "_HID"
#define ACPI_UID_NAME "_UID"
#define ACPI_BBN_NAME "_BBN"
#define ACPI_CRS_NAME "_CRS"
/* 6.1.5 _HID as an EISA ID (ASL's EISAID(), 19.6: three letters of five
 * bits each, 'A' = 1, then four hex digits, stored big endian), here
 * PNP0A03, the PCI host bridge (PNP0A08 would be PCI Express) that OSPM
 * binds its PCI root driver to: the bytes 41 d0 0a 03, a little-endian
 * DWord. */
#define ACPI_EISAID_PNP0A03 0x030ad041U
/* 6.2.13 _PRT (PCI Routing Table): a package of packages {Address, Pin,
 * Source, Source Index}. Address: the device in bits 31:16, 0xFFFF in
 * bits 15:0 (any function); Pin: 0-3 for INTA#-INTD#; Source 0 (an
 * Integer, not a link device's name): the pin is wired to the global
 * system interrupt Source Index, level-triggered, active low, shareable.
 * Its integers add OneOp (20.2.3) to ZeroOp, ByteConst and DWordConst. */
#define ACPI_PRT_NAME		    "_PRT"
#define ACPI_PRT_ENTRY_ELEMS	    4
#define ACPI_PRT_ADDR_DEVICE_SHIFT  16
#define ACPI_PRT_ADDR_ALL_FUNCTIONS 0xffff
#define ACPI_PRT_SOURCE_GSI	    0 /* Source: none, Source Index is a GSI */
#define ACPI_AML_ONE_OP		    0x01

/* 6.4 Resource Data Types for ACPI: the descriptors of a _CRS buffer.
 * 6.4.2 small items: one tag byte (bit 7 clear, bits 6:3 the item, bits 2:0
 * the length that follows); 6.4.3 large items: a tag byte (bit 7 set), a
 * 16-bit length of what follows. The template ends with an End Tag. */
#define ACPI_RES_IO		0x47 /* 6.4.2.5 I/O Port Descriptor, 7 bytes follow */
#define ACPI_RES_IO_DECODE16	0x01 /* information bit 0: decodes 16 address bits */
#define ACPI_RES_END_TAG	0x79 /* 6.4.2.9 End Tag, 1 byte follows: a checksum */
#define ACPI_RES_DWORD_ADDR	0x87 /* 6.4.3.5.2 DWord Address Space Descriptor */
#define ACPI_RES_WORD_ADDR	0x88 /* 6.4.3.5.3 Word Address Space Descriptor */
#define ACPI_RES_DWORD_ADDR_LEN 0x17 /* bytes after the tag and length field */
#define ACPI_RES_WORD_ADDR_LEN	0x0d
/* Address space descriptors (6.4.3.5.2, 6.4.3.5.3): Resource Type, General
 * Flags and Type Specific Flags (6.4.3.5.5), then Granularity, Minimum,
 * Maximum, Translation Offset and Length, each a word or a dword. */
#define ACPI_RES_TYPE_MEMORY	   0
#define ACPI_RES_TYPE_IO	   1
#define ACPI_RES_TYPE_BUS	   2
#define ACPI_RES_FLAG_CONSUMER	   (1U << 0) /* clear: the device produces the range (a bridge's window) */
#define ACPI_RES_FLAG_SUB_DEC	   (1U << 1) /* clear: positive decode */
#define ACPI_RES_FLAG_MIN_FIXED	   (1U << 2) /* _MIF */
#define ACPI_RES_FLAG_MAX_FIXED	   (1U << 3) /* _MAF */
#define ACPI_RES_IO_RNG_ENTIRE	   0x03	     /* I/O _RNG: ISA and non-ISA ports */
#define ACPI_RES_MEM_RW		   (1U << 0) /* memory _RW: read-write */
#define ACPI_RES_MEM_NON_CACHEABLE (0U << 1) /* memory _MEM bits 2:1 */

/* 5.2.12 Multiple APIC Description Table, and its entries (5.2.12.2-7). */
struct acpi_madt {
	struct acpi_header header;
	uint32_t lapic_addr; /* local APIC physical address */
	uint32_t flags;	     /* ACPI_MADT_PCAT_COMPAT */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header is 44 bytes");

#define ACPI_MADT_REVISION    5	 /* ACPI 6.3 and later */
#define ACPI_MADT_PCAT_COMPAT 1U /* dual 8259s present */

struct acpi_madt_entry {
	uint8_t type, length;
} __attribute__((packed));

#define MADT_TYPE_LAPIC	     0
#define MADT_TYPE_IOAPIC     1
#define MADT_TYPE_ISO	     2
#define MADT_TYPE_LAPIC_NMI  4
#define MADT_TYPE_LAPIC_ADDR 5
#define MADT_TYPE_X2APIC     9

struct acpi_madt_lapic { /* Processor Local APIC */
	struct acpi_madt_entry h;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags; /* MADT_LAPIC_ENABLED, MADT_LAPIC_ONLINE_CAPABLE */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC entry");

#define MADT_LAPIC_ENABLED	  0x1
#define MADT_LAPIC_ONLINE_CAPABLE 0x2

struct acpi_madt_ioapic {
	struct acpi_madt_entry h;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT I/O APIC entry");

struct acpi_madt_iso { /* Interrupt Source Override */
	struct acpi_madt_entry h;
	uint8_t bus;	/* 0: ISA */
	uint8_t source; /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags (Table 5.50) */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "MADT interrupt source override");

struct acpi_madt_lapic_nmi { /* Local APIC NMI */
	struct acpi_madt_entry h;
	uint8_t processor_uid; /* ACPI_MADT_ALL_PROCESSORS: every one */
	uint16_t flags;	       /* MPS INTI flags */
	uint8_t lint;	       /* LINT0 or LINT1 */
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT local APIC NMI");

struct acpi_madt_x2apic { /* Processor Local x2APIC */
	struct acpi_madt_entry h;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t processor_uid;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "MADT x2APIC entry");

struct acpi_madt_lapic_addr { /* Local APIC Address Override */
	struct acpi_madt_entry h;
	uint16_t reserved;
	uint64_t address;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_madt_lapic_addr) == 12, "MADT LAPIC address override");

#define ACPI_MADT_ALL_PROCESSORS 0xff
#define ACPI_ISA_BUS		 0

/* MPS INTI flags (ACPI Table 5.50, the MP spec's I/O interrupt flags):
 * polarity bits 1:0, trigger mode bits 3:2; 0 = conforms to the bus. */
#define MPS_INTI_CONFORMS    0x0
#define MPS_INTI_ACTIVE_HIGH 0x1
#define MPS_INTI_ACTIVE_LOW  0x3
#define MPS_INTI_EDGE	     (0x1 << 2)
#define MPS_INTI_LEVEL	     (0x3 << 2)

#endif
