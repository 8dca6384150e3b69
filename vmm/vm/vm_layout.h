/* SPDX-License-Identifier: GPL-2.0-only */
/* vm_layout.h: where a guest's RAM lies in its guest-physical address space
 * (docs/guest-platform.md "Guest RAM"), PC-like: low RAM below the legacy
 * hole, RAM from 1 MiB up to at most 3 GiB, the rest from 4 GiB up, so that
 * 3-4 GiB stays free for devices (test device, IOAPIC, LAPIC). The one place
 * for these rules: the EPT (vm.c), the VMM's own guest accesses
 * (vm_gpa_ptr) and the Multiboot memory map (mb1_loader.c) follow it.
 * Host-testable: no VMM state. */
#ifndef VMM_VM_LAYOUT_H
#define VMM_VM_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/acpi_tables.h" /* PC_LOW_RAM_END, BIOS_ROM_END */
#include "arch/x86/mptable.h"	  /* MP_BASE_MEM_LAST_KIB, MP_BIOS_ROM_START */

/* The PC hole (VGA, option ROMs): not RAM, from VM_HOLE_START to
 * VM_BIOS_START. The BIOS ROM area above it, up to 1 MiB (VM_HOLE_END), is
 * RAM holding the firmware tables (acpi_build.h), reserved in the memory
 * map. Low RAM below the hole is usable up to VM_LOW_USABLE_END (639 KiB);
 * the memory map calls the last KiB reserved, where a PC has its EBDA. */
#define VM_HOLE_START	  PC_LOW_RAM_END
#define VM_BIOS_START	  MP_BIOS_ROM_START
#define VM_HOLE_END	  BIOS_ROM_END
#define VM_LOW_USABLE_END MP_BASE_MEM_LAST_KIB
#define VM_MMIO_START	  0xc0000000ULL	 /* RAM below 4 GiB ends here at the latest */
#define VM_HIGH_RAM_START 0x100000000ULL /* where the rest of a large guest's RAM continues */
#define VM_RAM_RANGES_MAX 3

/* The PCI memory window: the guest's PCI functions' memory BARs (iopmd's
 * virtio devices, docs/virtio.md "Where the devices are") lie here; the
 * VMM forwards every access in it to the IOPM serving the guest's PCI bus
 * (vdev.c), which places the BARs as a PC's firmware would. Below the test
 * device (0xfeb00000), the IOAPIC and the LAPIC. */
#define VM_PCI_MMIO_BASE 0xfe000000ULL
#define VM_PCI_MMIO_SIZE 0x00100000ULL

/* One RAM range: guest-physical [gpa, gpa + size), backed by the VM's host
 * RAM block (mem bytes, contiguous) at offset off. */
struct vm_ram_range {
	uint64_t gpa, size, off;
};

/* The RAM ranges of a guest with `mem` bytes of RAM, in address order;
 * returns how many (1 to VM_RAM_RANGES_MAX). Every byte of the host block
 * below VM_MMIO_START that is not behind the hole, and every byte above it,
 * is in exactly one range. */
unsigned vm_ram_ranges(uint64_t mem, struct vm_ram_range r[VM_RAM_RANGES_MAX]);

/* Is guest-physical [gpa, gpa + len) RAM, inside one range (len 0 counts as
 * 1)? Then *off is its offset in the host block. */
bool vm_ram_offset(uint64_t mem, uint64_t gpa, uint64_t len, uint64_t *off);

#endif
