/* SPDX-License-Identifier: GPL-2.0-only */
/* ioapic.h: the I/O APIC (Intel 82093AA datasheet: IOREGSEL/IOWIN at
 * 0xfec00000, registers ID/VER, redirection table at 0x10 + 2 * pin). */
#ifndef GUEST_RT_IOAPIC_H
#define GUEST_RT_IOAPIC_H

#include <stdint.h>

#define IOAPIC_BASE	       0xfec00000U
#define IOAPIC_REGSEL	       0x00
#define IOAPIC_WIN	       0x10
#define IOAPIC_REG_ID	       0x00
#define IOAPIC_REG_VER	       0x01 /* bits 7:0 version, 23:16 highest entry */
#define IOAPIC_REG_REDTBL(pin) (0x10 + 2 * (pin))
#define IOAPIC_RTE_MASKED      (1U << 16)
#define IOAPIC_RTE_LEVEL       (1U << 15)
#define IOAPIC_RTE_REMOTE_IRR  (1U << 14) /* read-only: a level interrupt awaits its EOI */
#define IOAPIC_RTE_ACTIVE_LOW  (1U << 13)
#define IOAPIC_RTE_DEST_SHIFT  24 /* high dword: physical destination APIC ID */

uint32_t ioapic_read(uint32_t reg);
void ioapic_write(uint32_t reg, uint32_t v);
/* Edge, active high, fixed delivery to physical APIC dest; masked if masked. */
void ioapic_route(int pin, uint8_t vector, uint32_t dest, bool masked);
void ioapic_mask(int pin, bool masked);
void ioapic_mask_all(void);

#endif
