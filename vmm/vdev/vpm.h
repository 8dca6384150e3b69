/* SPDX-License-Identifier: GPL-2.0-only */
/* vpm.h: a guest's ACPI power-management I/O block, in the VMM because the
 * PM timer is timing-critical: PM1a status/enable, PM1a control and the
 * 32-bit PM timer at 3.579545 MHz (ACPI 6.4 4.8.3.1-4.8.3.3), at the ports
 * the guest's FADT names (vmm/vm/acpi_build.c). Time is the caller's TSC. */
#ifndef VMM_VPM_H
#define VMM_VPM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/acpi_tables.h"

/* The block's ports: the layout of the PIIX4 PM I/O space at the base
 * QEMU's pc machine uses (0x600), none of them used by other devices. */
#define VPM_PORT_BASE 0x600
#define VPM_PM1_EVT   (VPM_PORT_BASE + 0x0) /* PM1 status (2 bytes), PM1 enable (2 bytes) */
#define VPM_PM1_STS   VPM_PM1_EVT
#define VPM_PM1_EN    (VPM_PORT_BASE + 0x2)
#define VPM_PM1_CNT   (VPM_PORT_BASE + 0x4) /* 2 bytes; 0x606-0x607 are not registers */
#define VPM_PM_TMR    (VPM_PORT_BASE + 0x8) /* 4 bytes, read-only */
#define VPM_PORT_LAST (VPM_PM_TMR + ACPI_PM_TMR_LEN - 1)

/* The SCI's ISA IRQ as the FADT names it. The model raises no SCI yet
 * (docs/vdevices.md): no fixed event is wired to one. */
#define VPM_SCI_IRQ 9

/* The timer's value when the VM is created: two seconds before it wraps
 * from 0xffffffff to 0, so that a guest meets the wrap early (as Linux
 * starts jiffies five minutes before theirs), not after 20 minutes. */
#define VPM_TMR_START ((uint32_t)(0U - 2U * PM_TIMER_HZ))

/* TSC rates vpm_init() accepts (clamped): the upper bound keeps the
 * remainder product (t % hz) * PM_TIMER_HZ below 2^64. */
#define VPM_MIN_TSC_KHZ 1000ULL
#define VPM_MAX_TSC_KHZ 5000000000ULL

struct vpm {
	uint64_t tsc_hz;
	uint64_t base_tsc;	   /* TSC at creation: the timer read VPM_TMR_START */
	uint64_t last_tsc;	   /* latest TSC seen: the model's time never runs backwards */
	uint64_t msb_changes_seen; /* bit-31 changes up to the last TMR_STS clear */
	uint16_t pm1_en;	   /* enable bits as written (ACPI_PM1_*_EN) */
	uint16_t pm1_cnt;	   /* BM_RLD and SLP_TYP as written */
};

void vpm_init(struct vpm *p, uint64_t tsc_khz, uint64_t now_tsc);
/* The PM timer's 32-bit value at TSC now_tsc. */
uint32_t vpm_timer(struct vpm *p, uint64_t now_tsc);
/* An access of `size` bytes (1, 2 or 4) at `port`: bytes outside the
 * block's registers read 0xff and ignore writes. Returns 0, or -ENOENT if
 * `port` is not in the block. */
int vpm_io(struct vpm *p, uint16_t port, unsigned size, bool write, uint32_t *val, uint64_t now_tsc);

#endif
