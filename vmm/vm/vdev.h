/* SPDX-License-Identifier: GPL-2.0-only */
/* vdev.h: the devices of a VM: every device model the VMM serves, entered
 * in the VM's range map (vmm/vcpu/iomap.h) with who serves each range
 * (docs/guest-platform.md "Devices inside the VMM"). Ranges an IOPM serves
 * are added by the channel. */
#ifndef VMM_VDEV_H
#define VMM_VDEV_H

struct vm;

/* Fill vm->iomap with the VMM's device ranges (at VM creation). 0 or a
 * negative errno from iomap_add(). */
int vdev_attach(struct vm *vm);

#endif
