/* ioapic.h: I/O APIC registers (Intel 82093AA I/O APIC datasheet, 3.0
 * "Register Description"): indirect access through IOREGSEL/IOWIN. */
#ifndef ARCH_X86_IOAPIC_H
#define ARCH_X86_IOAPIC_H

#include <stdint.h>

#define IOAPIC_REGSEL  0x00
#define IOAPIC_WIN     0x10
#define IOAPIC_REG_ID  0x00
#define IOAPIC_REG_VER 0x01  /* bits 23:16: max redirection entry */
#define IOAPIC_REG_REDTBL(pin) (0x10 + 2 * (pin))
#define IOAPIC_RTE_MASKED (1U << 16)
#define IOAPIC_MAX_PINS 240

#endif
