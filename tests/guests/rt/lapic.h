/* SPDX-License-Identifier: GPL-2.0-only */
/* lapic.h: the local APIC as a guest sees it (Intel SDM Vol. 3A 10.4
 * APIC_BASE, 10.5.1 LVT, 10.5.4 timer, 10.8.5 EOI, 10.9 SVR, 10.12 x2APIC:
 * MSR = 0x800 + (xAPIC offset >> 4)). lapic_read/lapic_write use the mode
 * chosen by lapic_enable (xAPIC MMIO or x2APIC MSRs). */
#ifndef GUEST_RT_LAPIC_H
#define GUEST_RT_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_APIC_BASE    0x01b
#define APIC_BASE_BSP	      (1U << 8)
#define APIC_BASE_EXTD	      (1U << 10) /* x2APIC mode */
#define APIC_BASE_ENABLE      (1U << 11)
#define APIC_BASE_ADDR_MASK   0xfffff000U
#define LAPIC_DEFAULT_BASE    0xfee00000U
#define MSR_X2APIC_FIRST      0x800
#define MSR_IA32_TSC_DEADLINE 0x6e0 /* CPUID.1:ECX.TSC_DEADLINE */

#define APIC_ID			 0x020 /* xAPIC: ID in bits 31:24; x2APIC: the 32-bit ID */
#define APIC_VERSION		 0x030 /* bits 7:0 version, 23:16 highest LVT entry */
#define APIC_TPR		 0x080
#define APIC_EOI		 0x0b0
#define APIC_SVR		 0x0f0
#define APIC_SVR_ENABLE		 (1U << 8)
#define APIC_ISR0		 0x100			      /* in-service bits, 8 registers 0x10 apart */
#define APIC_IRR0		 0x200			      /* request bits, 8 registers 0x10 apart */
#define APIC_VECTOR_REG(base, v) ((base) + 0x10 * ((v) / 32)) /* its ISR/TMR/IRR register */
#define APIC_VECTOR_BIT(v)	 (1U << ((v) % 32))
#define APIC_ESR		 0x280
#define APIC_LVT_TIMER		 0x320
#define APIC_LVT_LINT0		 0x350
#define APIC_LVT_LINT1		 0x360
#define APIC_LVT_ERROR		 0x370
#define APIC_TIMER_ICR		 0x380 /* initial count */
#define APIC_TIMER_CCR		 0x390 /* current count */
#define APIC_TIMER_DCR		 0x3e0 /* divide configuration */
#define APIC_DCR_DIV1		 0xb
#define APIC_DCR_DIV16		 0x3
#define APIC_DCR_MASK		 0xbU
#define APIC_LVT_VECTOR		 0xffU
#define APIC_LVT_MASKED		 (1U << 16)
#define APIC_LVT_ONESHOT	 (0U << 17)
#define APIC_LVT_PERIODIC	 (1U << 17)
#define APIC_LVT_TSC_DEADLINE	 (2U << 17)
#define APIC_LVT_MODE_MASK	 (3U << 17)
#define APIC_LVT_DM_NMI		 (4U << 8)
#define APIC_LVT_DM_EXTINT	 (7U << 8)

#define APIC_SPURIOUS_VECTOR 0xff

/* ICR (10.6.1, Figure 10-12); x2APIC: one 64-bit MSR, destination in 63:32
 * (10.12.9). Spelled as in smp_ipi.c, which defines them too. */
#define APIC_ICR_LO	    0x300
#define APIC_ICR_HI	    0x310
#define ICR_DM_FIXED	    (0U << 8)
#define ICR_DM_NMI	    (4U << 8)
#define ICR_DM_INIT	    (5U << 8)
#define ICR_DM_STARTUP	    (6U << 8)
#define ICR_BUSY	    (1U << 12) /* delivery status: send pending */
#define ICR_ASSERT	    (1U << 14)
#define ICR_SH_SELF	    (1U << 18)
#define ICR_SH_ALL	    (2U << 18)
#define ICR_SH_OTHERS	    (3U << 18)
#define ICR_XAPIC_DEST(id)  ((uint32_t)(id) << 24)
#define MSR_X2APIC_ICR	    (MSR_X2APIC_FIRST + (APIC_ICR_LO >> 4))
#define MSR_X2APIC_SELF_IPI 0x83f
#define MSR_X2APIC_TPR	    (MSR_X2APIC_FIRST + (APIC_TPR >> 4))

/* Enable the LAPIC (xAPIC, or x2APIC when x2apic is true), SVR with the
 * spurious vector, TPR 0; returns false when x2APIC was asked for but the
 * CPU lacks it. */
bool lapic_enable(bool x2apic);
bool lapic_x2apic(void);
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
void lapic_eoi(void);
uint32_t lapic_id(void);
/* LINT0 = ExtINT (the 8259 output, virtual wire), LINT1 = NMI, as a PC BIOS leaves them. */
void lapic_virtual_wire(void);
bool lapic_in_service(uint8_t vector);
/* Timer stop: LVT masked, initial count 0. */
void lapic_timer_stop(void);
/* xAPIC: ICR high (destination) then low; waits (bounded) while the
 * delivery status says busy. x2APIC: one write of the ICR MSR. */
void lapic_send_ipi(uint32_t dest, uint32_t icr_lo);

#endif
