/* SPDX-License-Identifier: GPL-2.0-only */
/* vdev.h: the devices of a VM: every device model the VMM serves, entered
 * in the VM's range map (vmm/vcpu/iomap.h) with who serves each range
 * (docs/guest-platform.md "Devices inside the VMM"). Ranges an IOPM serves
 * are added by the channel. */
#ifndef VMM_VDEV_H
#define VMM_VDEV_H

#include <stdint.h>

struct vm;

/* Fill vm->iomap with the VMM's device ranges (at VM creation). 0 or a
 * negative errno from iomap_add(). */
int vdev_attach(struct vm *vm);
/* The ACPI PM block (at VM creation; its timer starts at now_tsc) wired to
 * the VM: its SCI drives ISA IRQ 9's line, S5 ends the VM as powered off
 * (exit status 0). */
void vdev_pm_init(struct vm *vm, uint64_t tsc_khz, uint64_t now_tsc);

#endif
