/* SPDX-License-Identifier: GPL-2.0-only */
/* coopvmm_ioctl.h: the Linux UAPI of iopm.ko's /dev/coopvmm (docs/iopm.md
 * "/dev/coopvmm"), between the module and iopmd, vmctl and the test tools.
 * The VMM does not see it: it is not part of the shared-zone ABI.
 *
 *   mmap offset 0 .. zone size      the IOPM's part of the shared zone (the
 *                                   VMM-written pages read-only)
 *   mmap offset COOPVMM_MMAP_VM(vm) + gpa
 *                                   guest RAM of VM `vm` at guest-physical
 *                                   `gpa`, only pages the VMM announced with
 *                                   RAM_MAP (and iopmd passed on with
 *                                   COOPVMM_IOC_RAM); any other page is SIGBUS
 *   read(8 bytes)                   notifications (IPIs from the VMM) since
 *                                   this file's last read; blocks while none,
 *                                   unless O_NONBLOCK (EAGAIN)
 *   poll                            POLLIN while such notifications are unread
 */
#ifndef COOPVMM_IOCTL_H
#define COOPVMM_IOCTL_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

#define COOPVMM_MMAP_VM_FLAG  (1ULL << 62)
#define COOPVMM_MMAP_VM_SHIFT 40 /* guest-physical addresses below 1 TiB */
#define COOPVMM_MMAP_VM_MAX   (1U << 20)
#define COOPVMM_MMAP_VM(vm)   (COOPVMM_MMAP_VM_FLAG | ((uint64_t)(vm) << COOPVMM_MMAP_VM_SHIFT))

/* COOPVMM_IOC_INFO */
struct coopvmm_info {
	uint64_t notifies_sent;	    /* IPIs sent to the VMM (COOPVMM_IOC_NOTIFY) */
	uint64_t notifies_received; /* IPIs taken from the VMM on notify_vector */
	uint32_t notify_vector;	    /* as published in coop_iopm_ctrl.notify_vector; 0: none */
	uint32_t notify_irq;	    /* the Linux IRQ behind it */
	uint32_t vmm_apic_id;	    /* where NOTIFY sends (header), COOP_NO_APIC_ID: nowhere */
	uint32_t vmm_vector;	    /* header.vmm_notify_vector */
	uint32_t ram_ranges;	    /* guest RAM ranges currently announced, all VMs */
	uint32_t ram_refused;	    /* COOPVMM_IOC_RAM calls refused */
	uint64_t ram_bytes;	    /* bytes in those ranges */
	uint32_t fake;		    /* iopm.ko fake=1: no VMM */
	uint32_t fake_vmm;	    /* fake_vmm=1: iopm.ko's test thread answers as the VMM */
	uint32_t reserved[6];
};

/* COOPVMM_IOC_RAM: "the VMM ring entry `ring_index` is a RAM_MAP message:
 * apply it". The module reads that entry itself from the VMM ring (which
 * only the VMM writes), checks that it is a well-formed RAM_MAP and that
 * the index is produced, not yet released to the VMM (>= the IOPM's
 * published cons) and later than the last one applied, and only then uses
 * the entry's own contents; `vm`, `op`, `gpa`, `hpa`, `size` must equal
 * them (iopmd says what it expects; a difference is -ESTALE). Call it before
 * moving cons past the entry. */
struct coopvmm_ram {
	uint32_t ring_index; /* free-running index of the entry in the VMM ring */
	uint32_t vm;
	uint32_t op; /* COOP_RAM_ADD or COOP_RAM_REMOVE */
	uint32_t reserved;
	uint64_t gpa, hpa, size;
};

#define COOPVMM_IOC_MAGIC  0xc0
#define COOPVMM_IOC_NOTIFY _IO(COOPVMM_IOC_MAGIC, 1) /* IPI the VMM: ENODEV if there is none */
#define COOPVMM_IOC_INFO   _IOR(COOPVMM_IOC_MAGIC, 2, struct coopvmm_info)
#define COOPVMM_IOC_RAM	   _IOW(COOPVMM_IOC_MAGIC, 3, struct coopvmm_ram)

#endif
