/* SPDX-License-Identifier: GPL-2.0-only */
/* acpi_build.h: the firmware tables of a guest, built into its RAM at VM
 * creation: ACPI 6.4 (5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT, 5.2.9 FADT,
 * 5.2.10 FACS, 5.2.11.1 DSDT with \_S5 and the PCI host bridge, 5.2.12
 * MADT) and the Intel MP Specification 1.4 tables (chapter 4) as the
 * fallback. Works on a RAM buffer (host-testable). */
#ifndef VMM_ACPI_BUILD_H
#define VMM_ACPI_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/mptable.h"
#include "arch/x86/pic.h" /* ISA_IRQS */

/* Where the tables live: the BIOS ROM area 0xF0000-0xFFFFF of the guest,
 * which the VM maps as RAM and the guest's memory map lists as reserved
 * (docs/guest-platform.md "Firmware tables"). The RSDP is its first bytes. */
#define ACPI_BUILD_BASE MP_BIOS_ROM_START
#define ACPI_BUILD_SIZE MP_BIOS_ROM_SIZE

#define ACPI_BUILD_MAX_CPUS 255	 /* 8-bit APIC IDs (MADT type 0, MP processor entries) */
#define ACPI_BUILD_NO_PIN   0xff /* ISA IRQ not connected to the I/O APIC */

/* The platform the tables describe. */
struct acpi_build_cfg {
	uint32_t ncpus; /* processors: APIC ID and ACPI UID = 0 .. ncpus-1, all enabled */
	uint32_t lapic_addr;
	uint8_t lapic_version;
	uint8_t ioapic_id;
	uint8_t ioapic_version;
	uint32_t ioapic_addr;	   /* its GSI base is 0 */
	uint8_t isa_pin[ISA_IRQS]; /* ISA IRQ n -> I/O APIC pin (= GSI), or ACPI_BUILD_NO_PIN */
	uint8_t sci_irq;	   /* ISA IRQ of the SCI: level, active high */
	uint16_t pm1a_evt_port, pm1a_cnt_port, pm_tmr_port;
	uint8_t rtc_century; /* CMOS index of the RTC's century byte; 0: the VM has no CMOS RTC */
	/* A PCI bus (an IOPM's, COOP_VM_DEV_PCI): the DSDT describes its host
	 * bridge \_SB.PCI0, bus 0, configuration mechanism #1, the memory
	 * window [pci_mem_base, + pci_mem_size) below 4 GiB, and its _PRT:
	 * INTA#-INTD# of devices 1-31 all wired to I/O APIC pin (= GSI)
	 * pci_intx_gsi, level, active low. */
	bool pci;
	uint32_t pci_mem_base, pci_mem_size;
	uint8_t pci_intx_gsi;
};

/* Guest-physical addresses of what acpi_build() wrote. */
struct acpi_build_result {
	uint32_t rsdp, rsdt, xsdt, fadt, facs, dsdt, madt;
	uint32_t mp_float, mp_config;
	uint32_t end; /* first byte after the last table */
};

/* The coopvmm guest platform with ncpus vCPUs (docs/guest-platform.md),
 * with a CMOS RTC (an IOPM's) or without, with a PCI bus (an IOPM's, its
 * memory window VM_PCI_MMIO_BASE, vm_layout.h) or without. */
void acpi_build_guest_cfg(struct acpi_build_cfg *c, uint32_t ncpus, bool cmos_rtc, bool pci);
/* Clear [ACPI_BUILD_BASE, +ACPI_BUILD_SIZE) of ram (guest-physical 0 ..
 * ram_size) and write the tables there. Returns 0, -EINVAL (RAM too small,
 * ncpus 0 or above ACPI_BUILD_MAX_CPUS, the SCI's IRQ not connected, a PCI
 * memory window empty or crossing 4 GiB, a PCI INTx GSI that is no I/O APIC
 * pin or one an ISA IRQ is overridden onto) or
 * -ENOSPC (the tables do not fit). */
int acpi_build(uint8_t *ram, uint64_t ram_size, const struct acpi_build_cfg *c,
	       struct acpi_build_result *out);
/* Both in one: what vm_create() calls. */
int acpi_build_guest(uint8_t *ram, uint64_t ram_size, uint32_t ncpus, bool cmos_rtc, bool pci,
		     struct acpi_build_result *out);

#endif
