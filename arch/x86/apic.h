/* apic.h: local APIC registers and the ICR (Intel SDM Vol. 3A 10.4-10.12;
 * x2APIC MSR mapping in 10.12.1.2). Offsets are xAPIC MMIO offsets; in
 * x2APIC mode the MSR is 0x800 + (offset >> 4). */
#ifndef ARCH_X86_APIC_H
#define ARCH_X86_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_ID        0x020  /* xAPIC: ID in bits 31:24 */
#define APIC_VERSION   0x030  /* bits 23:16: max LVT entry */
#define APIC_TPR       0x080  /* task priority */
#define APIC_EOI       0x0b0
#define APIC_LDR       0x0d0
#define APIC_DFR       0x0e0  /* xAPIC only */
#define APIC_SVR       0x0f0  /* spurious vector register */
#define   APIC_SVR_ENABLE (1U << 8)
#define APIC_ESR       0x280  /* error status */
#define APIC_ICR_LO    0x300
#define APIC_ICR_HI    0x310  /* xAPIC: destination in bits 31:24 */
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_ICR 0x380  /* initial count */
#define APIC_TIMER_CCR 0x390  /* current count */
#define APIC_TIMER_DCR 0x3e0  /* divide configuration */
#define   APIC_TIMER_DIV_16 0x3
#define   APIC_TIMER_DIVISOR 16
#define APIC_LVT_MASKED     (1U << 16)
#define APIC_LVT_PERIODIC   (1U << 17)
#define APIC_LVT_NMI        (4U << 8)

/* ICR fields (10.6.1). */
#define ICR_DM_FIXED   (0U << 8)
#define ICR_DM_NMI     (4U << 8)
#define ICR_DM_INIT    (5U << 8)
#define ICR_DM_STARTUP (6U << 8)
#define ICR_BUSY       (1U << 12)  /* delivery status, xAPIC only */
#define ICR_ASSERT     (1U << 14)
#define ICR_LEVEL      (1U << 15)
#define ICR_DEST_SELF  (1U << 18)

#define APIC_MMIO_SIZE 0x1000
#define APIC_SPURIOUS_VECTOR 0xff
#define APIC_TIMER_VECTOR    0xf0
#define APIC_ERROR_VECTOR    0xfe

bool lapic_init(void);             /* BSP: choose x2APIC or xAPIC, enable */
void lapic_init_ap(void);          /* AP: same mode as the BSP */
bool lapic_x2apic(void);
uint32_t lapic_id(void);
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t val);
void lapic_eoi(void);
/* Send an IPI; returns false if an xAPIC ICR stayed busy. */
bool lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo);
void lapic_timer_periodic(uint8_t vector, uint32_t count);
void lapic_timer_stop(void);

#endif
