/* SPDX-License-Identifier: GPL-2.0-only */
/* ioapic.h: I/O APIC registers (Intel 82093AA I/O APIC datasheet, 3.0
 * "Register Description"): indirect access through IOREGSEL/IOWIN, the ID,
 * version and arbitration registers and the redirection table (3.2.4);
 * the EOI register of version 0x20 I/O APICs (Intel ICH datasheets).
 * Used by the host driver (vmm/platform/ioapic.c) and the guests' vIOAPIC
 * (vmm/vdev/vioapic.c). Delivery modes are the LAPIC's (APIC_DM_*). */
#ifndef ARCH_X86_IOAPIC_H
#define ARCH_X86_IOAPIC_H

#include <stdint.h>

#define IOAPIC_DEFAULT_BASE 0xfec00000ULL /* the PC's first I/O APIC */
#define IOAPIC_MMIO_SIZE    0x1000

/* MMIO offsets. */
#define IOAPIC_REGSEL	       0x00
#define IOAPIC_WIN	       0x10
#define IOAPIC_EOI	       0x40 /* version 0x20: write a vector to end its level interrupt */
#define IOAPIC_REGSEL_MASK     0xffu
#define IOAPIC_EOI_VECTOR_MASK 0xffu

/* Register indices (IOREGSEL). */
#define IOAPIC_REG_ID	       0x00
#define IOAPIC_REG_VER	       0x01
#define IOAPIC_REG_ARB	       0x02
#define IOAPIC_REG_REDTBL_BASE 0x10 /* pin n: low half 0x10 + 2n, high half 0x11 + 2n */
#define IOAPIC_REG_REDTBL(pin) (IOAPIC_REG_REDTBL_BASE + 2 * (pin))
#define IOAPIC_ID_SHIFT	       24 /* ID and ARB: bits 27:24 */
#define IOAPIC_ID_MASK	       0xfu
#define IOAPIC_VER_MASK	       0xffu /* VER bits 7:0: version */
#define IOAPIC_VER_MRE_SHIFT   16    /* VER bits 23:16: maximum redirection entry */
#define IOAPIC_VER_MRE_MASK    0xffu

/* Redirection table entry (3.2.4). */
#define IOAPIC_RTE_VECTOR     0xffULL
#define IOAPIC_RTE_DM_SHIFT   8 /* delivery mode, bits 10:8 */
#define IOAPIC_RTE_DM_MASK    0x7ULL
#define IOAPIC_RTE_LOGICAL    (1ULL << 11) /* destination mode */
#define IOAPIC_RTE_DELIVS     (1ULL << 12) /* delivery status, read-only */
#define IOAPIC_RTE_ACTIVE_LOW (1ULL << 13) /* interrupt input pin polarity */
#define IOAPIC_RTE_REMOTE_IRR (1ULL << 14) /* read-only */
#define IOAPIC_RTE_LEVEL      (1ULL << 15) /* trigger mode */
#define IOAPIC_RTE_MASKED     (1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT 56 /* destination, bits 63:56 */

#define IOAPIC_MAX_PINS 240

#endif
