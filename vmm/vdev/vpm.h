/* SPDX-License-Identifier: GPL-2.0-only */
/* vpm.h: a guest's ACPI power-management I/O block, in the VMM because the
 * PM timer is timing-critical: PM1a status/enable, PM1a control and the
 * 32-bit PM timer at 3.579545 MHz (ACPI 6.4 4.8.3.1-4.8.3.3), at the ports
 * the guest's FADT names (vmm/vm/acpi_build.c); the fixed power button
 * and the timer's TMR_STS as SCI events, S5 (soft off) as the one sleep
 * state. Time is the caller's TSC. */
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

/* The SCI's ISA IRQ as the FADT names it: level-triggered, active high
 * (the MADT's override and the MP table say so), asserted while a PM1
 * status bit and its enable bit are both set (ACPI 6.4 4.8.3.1; 4.8.2.5:
 * with SCI_EN set, which it is for good here). */
#define VPM_SCI_IRQ 9

/* The SLP_TYP value of the one sleep state the platform has, S5 (soft
 * off), as the guest's DSDT announces it in \_S5 (ACPI 6.4 7.4.2;
 * vmm/vm/acpi_build.c):
 * 7, the soft-off encoding of Intel's ICH/PCH chipsets. A write of SLP_EN
 * with this SLP_TYP powers the machine off; SLP_EN with another SLP_TYP
 * is ignored (docs/vdevices.md). */
#define VPM_SLP_TYP_S5 7

/* The timer's value when the VM is created: two seconds before it wraps
 * from 0xffffffff to 0, so that a guest meets the wrap early (as Linux
 * starts jiffies five minutes before theirs), not after 20 minutes. */
#define VPM_TMR_START ((uint32_t)(0U - 2U * PM_TIMER_HZ))

/* TSC rates vpm_init() accepts (clamped): the upper bound keeps the
 * remainder product (t % hz) * PM_TIMER_HZ below 2^64. */
#define VPM_MIN_TSC_KHZ 1000ULL
#define VPM_MAX_TSC_KHZ 5000000000ULL

/* What the block asks of the machine around it; called from inside
 * vpm_io(), vpm_power_button() and vpm_update() (so under the VM's lock). */
struct vpm_ops {
	/* The SCI's level changed (asserted: true). */
	void (*sci)(void *ctx, bool level);
	/* SLP_EN was written with SLP_TYP = VPM_SLP_TYP_S5: the machine is off
	 * from now on. Called once. */
	void (*power_off)(void *ctx);
};

struct vpm {
	const struct vpm_ops *ops; /* NULL: no callbacks */
	void *ctx;
	uint64_t tsc_hz;
	uint64_t base_tsc;	   /* TSC at creation: the timer read VPM_TMR_START */
	uint64_t last_tsc;	   /* latest TSC seen: the model's time never runs backwards */
	uint64_t msb_changes_seen; /* bit-31 changes up to the last TMR_STS clear */
	uint16_t pm1_en;	   /* enable bits as written (ACPI_PM1_*_EN) */
	uint16_t pm1_cnt;	   /* BM_RLD and SLP_TYP as written */
	uint16_t pm1_sts;	   /* latched status bits (PWRBTN_STS); TMR_STS is computed */
	bool sci;		   /* the SCI's level as last reported */
	bool off;		   /* S5 entered: presses are not taken any more */
	uint64_t presses;	   /* power-button presses taken */
	uint64_t sleeps_ignored;   /* SLP_EN writes with a SLP_TYP other than S5's */
};

/* A block whose timer reads VPM_TMR_START at now_tsc, everything else 0;
 * ops (may be NULL) are called with ctx. */
void vpm_init(struct vpm *p, uint64_t tsc_khz, uint64_t now_tsc, const struct vpm_ops *ops, void *ctx);
/* The PM timer's 32-bit value at TSC now_tsc. */
uint32_t vpm_timer(struct vpm *p, uint64_t now_tsc);
/* An access of `size` bytes (1, 2 or 4) at `port`: bytes outside the
 * block's registers read 0xff and ignore writes. Returns 0, or -ENOENT if
 * `port` is not in the block. */
int vpm_io(struct vpm *p, uint16_t port, unsigned size, bool write, uint32_t *val, uint64_t now_tsc);
/* A press of the fixed power button (ACPI 6.4 4.8.2.2.1.1): PWRBTN_STS is set
 * whatever PWRBTN_EN says; with PWRBTN_EN set the SCI is asserted until
 * the guest clears the status. False (nothing done) once the machine is
 * off. */
bool vpm_power_button(struct vpm *p, uint64_t now_tsc);
/* Bring the SCI up to date at now_tsc (TMR_STS comes with time) and return
 * the TSC at which it must be looked at again: the first TSC cycle at
 * which TMR_STS will be set, while TMR_EN is set and TMR_STS is not, else
 * UINT64_MAX. Without TMR_EN it returns at once (nothing changes with
 * time): cheap enough for every VM entry. */
uint64_t vpm_update(struct vpm *p, uint64_t now_tsc);

#endif
