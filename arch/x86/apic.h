/* SPDX-License-Identifier: GPL-2.0-only */
/* apic.h: local APIC registers and fields (Intel SDM Vol. 3A 10.4-10.12:
 * register map table 10-1, x2APIC MSR mapping in 10.12.1.2), used by the
 * host LAPIC driver (arch/x86/lapic.c) and the guests' vLAPIC
 * (vmm/vdev/vlapic.c). Offsets are xAPIC MMIO offsets; in x2APIC mode the MSR
 * is MSR_X2APIC_BASE + (offset >> APIC_REG_SHIFT). */
#ifndef ARCH_X86_APIC_H
#define ARCH_X86_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_DEFAULT_BASE 0xfee00000ULL /* IA32_APIC_BASE after reset (10.4.1) */
#define MSI_ADDR_BASE	  0xfee00000ULL /* an MSI's address: bits 31:20 are 0FEEH (10.11.1) */
#define MSI_ADDR_MASK	  0xfff00000ULL
/* An MSI's address and data (10.11.1, 10.11.2). */
#define MSI_ADDR_DEST_SHIFT  12 /* bits 19:12: destination ID */
#define MSI_ADDR_DEST_MASK   0xffU
#define MSI_ADDR_DM_LOGICAL  (1U << 2) /* destination mode: logical */
#define MSI_DATA_VECTOR_MASK 0xffU     /* bits 7:0 */
#define MSI_DATA_DM_SHIFT    8	       /* bits 10:8: delivery mode (APIC_DM_*) */
#define MSI_DATA_DM_MASK     0x7U
#define MSI_DATA_VECTOR_MIN  16 /* vectors 0-15 are illegal in an interrupt message (10.5.2) */
#define APIC_MMIO_SIZE	     0x1000
#define APIC_REG_SHIFT	     4 /* registers sit on 16-byte boundaries */

/* Register offsets (table 10-1). */
#define APIC_ID		 0x020 /* xAPIC: ID in bits 31:24 */
#define APIC_VERSION	 0x030 /* bits 23:16: max LVT entry */
#define APIC_TPR	 0x080 /* task priority */
#define APIC_APR	 0x090 /* arbitration priority (xAPIC only) */
#define APIC_PPR	 0x0a0 /* processor priority */
#define APIC_EOI	 0x0b0
#define APIC_RRD	 0x0c0 /* remote read (xAPIC only) */
#define APIC_LDR	 0x0d0
#define APIC_DFR	 0x0e0 /* xAPIC only */
#define APIC_SVR	 0x0f0 /* spurious vector register */
#define APIC_ISR	 0x100 /* 8 registers, 0x100-0x170 */
#define APIC_TMR	 0x180 /* 8 registers, 0x180-0x1f0 */
#define APIC_IRR	 0x200 /* 8 registers, 0x200-0x270 */
#define APIC_BANK_SIZE	 0x80  /* ISR, TMR, IRR: 256 bits in 8 registers */
#define APIC_ESR	 0x280 /* error status */
#define APIC_LVT_CMCI	 0x2f0
#define APIC_ICR_LO	 0x300
#define APIC_ICR_HI	 0x310 /* xAPIC: destination in bits 31:24 */
#define APIC_LVT_TIMER	 0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF	 0x340
#define APIC_LVT_LINT0	 0x350
#define APIC_LVT_LINT1	 0x360
#define APIC_LVT_ERROR	 0x370
#define APIC_TIMER_ICR	 0x380 /* initial count */
#define APIC_TIMER_CCR	 0x390 /* current count */
#define APIC_TIMER_DCR	 0x3e0 /* divide configuration */
#define APIC_SELF_IPI	 0x3f0 /* x2APIC only (MSR 0x83f) */

/* ID, version (10.4.6, 10.4.8); vectors and priorities (10.5.2, 10.8.3.1). */
#define APIC_ID_SHIFT		  24 /* xAPIC ID in bits 31:24 */
#define APIC_XAPIC_ID_MASK	  0xffU
#define APIC_VERSION_MAXLVT_SHIFT 16 /* bits 23:16: LVT entries - 1 */
#define APIC_VECTOR_MASK	  0xffU
#define APIC_MIN_VECTOR		  16	/* 0-15 are illegal */
#define APIC_PRIO_CLASS		  0xf0U /* bits 7:4 of a vector/TPR/PPR */
#define APIC_TPR_MASK		  0xffU
/* Spurious-interrupt vector register (10.9). */
#define APIC_SVR_VECTOR	   0xffU
#define APIC_SVR_ENABLE	   (1U << 8)
#define APIC_SVR_FOCUS_OFF (1U << 9) /* focus processor checking disabled */
#define APIC_SVR_RESET	   0xffU     /* after reset: vector 0xff, software-disabled (10.4.7.1) */
/* Logical destinations (10.6.2.2; x2APIC 10.12.10.2). */
#define APIC_DFR_MODEL		  0xf0000000U /* 1111b flat, 0000b cluster */
#define APIC_DFR_MODEL_CLUSTER	  0U
#define APIC_DFR_RESET		  0xffffffffU
#define APIC_LDR_XAPIC_MASK	  0xff000000U
#define APIC_LDR_SHIFT		  24
#define APIC_LDR_CLUSTER_SHIFT	  4    /* xAPIC cluster model: cluster in bits 7:4 */
#define APIC_LDR_CLUSTER_ALL	  0xfU /* cluster 15: every cluster */
#define APIC_LDR_CLUSTER_MEMBERS  0xfU
#define APIC_X2_LDR_CLUSTER_SHIFT 16 /* x2APIC LDR: cluster in bits 31:16 */
#define APIC_X2_LDR_MEMBER_BITS	  4  /* 16 members per x2APIC cluster */
#define APIC_X2_LDR_MEMBERS	  0xffffU
#define APIC_BROADCAST_XAPIC	  0xffU
#define APIC_BROADCAST_X2APIC	  0xffffffffU

/* Delivery modes of the ICR, the LVT entries (10.5.1, 10.6.1) and the I/O
 * APIC's redirection entries. */
#define APIC_DM_FIXED	0
#define APIC_DM_LOWEST	1
#define APIC_DM_SMI	2
#define APIC_DM_NMI	4
#define APIC_DM_INIT	5
#define APIC_DM_STARTUP 6
#define APIC_DM_EXTINT	7 /* LVT LINT0/LINT1 and I/O APIC only */
#define APIC_DM_MASK	7U

/* LVT entries (10.5.1, figure 10-8). */
#define APIC_LVT_DM_SHIFT	 8
#define APIC_LVT_DM_MASK	 (APIC_DM_MASK << APIC_LVT_DM_SHIFT)
#define APIC_LVT_DELIVS		 (1U << 12) /* delivery status, read-only */
#define APIC_LVT_POLARITY	 (1U << 13) /* LINT0/1: active low */
#define APIC_LVT_REMOTE_IRR	 (1U << 14) /* read-only */
#define APIC_LVT_LEVEL		 (1U << 15) /* LINT0/1 trigger mode: level */
#define APIC_LVT_MASKED		 (1U << 16)
#define APIC_LVT_TIMER_SHIFT	 17 /* timer mode, bits 18:17 */
#define APIC_LVT_TIMER_MODE	 (3U << APIC_LVT_TIMER_SHIFT)
#define APIC_TIMER_ONESHOT	 0U
#define APIC_TIMER_PERIODIC	 1U
#define APIC_TIMER_TSC_DEADLINE	 2U
#define APIC_TIMER_MODE_RESERVED 3U
#define APIC_LVT_PERIODIC	 (APIC_TIMER_PERIODIC << APIC_LVT_TIMER_SHIFT)
#define APIC_LVT_NMI		 ((uint32_t)APIC_DM_NMI << APIC_LVT_DM_SHIFT)
#define APIC_LVT_EXTINT		 ((uint32_t)APIC_DM_EXTINT << APIC_LVT_DM_SHIFT)

/* Error status register (10.5.3, figure 10-9). */
#define APIC_ESR_REDIR_IPI    (1U << 4) /* lowest-priority IPI (x2APIC: unsupported) */
#define APIC_ESR_SEND_ILLEGAL (1U << 5) /* ICR/SELF IPI with vector 0-15 */
#define APIC_ESR_RECV_ILLEGAL (1U << 6) /* accepted/LVT interrupt with vector 0-15 */
#define APIC_ESR_ILLEGAL_REG  (1U << 7) /* xAPIC access to an unimplemented register */

/* Timer divide configuration (10.5.4, figure 10-10): bits 0, 1 and 3. */
#define APIC_TIMER_DCR_MASK 0xbU
#define APIC_TIMER_DCR_LOW  0x3U
#define APIC_TIMER_DCR_HIGH 0x8U
#define APIC_TIMER_DIV_16   0x3
#define APIC_TIMER_DIVISOR  16

/* ICR fields (10.6.1, figure 10-12; x2APIC 10.12.9, figure 10-28). */
#define ICR_DM_SHIFT	    8
#define ICR_DM_FIXED	    ((uint32_t)APIC_DM_FIXED << ICR_DM_SHIFT)
#define ICR_DM_NMI	    ((uint32_t)APIC_DM_NMI << ICR_DM_SHIFT)
#define ICR_DM_INIT	    ((uint32_t)APIC_DM_INIT << ICR_DM_SHIFT)
#define ICR_DM_STARTUP	    ((uint32_t)APIC_DM_STARTUP << ICR_DM_SHIFT)
#define ICR_LOGICAL	    (1U << 11) /* destination mode */
#define ICR_BUSY	    (1U << 12) /* delivery status, xAPIC only */
#define ICR_ASSERT	    (1U << 14)
#define ICR_LEVEL	    (1U << 15)
#define ICR_SH_SHIFT	    18 /* destination shorthand, bits 19:18 */
#define ICR_SH_MASK	    3U
#define ICR_SH_NONE	    0
#define ICR_SH_SELF	    1
#define ICR_SH_ALL	    2 /* all including self */
#define ICR_SH_ALL_BUT_SELF 3
#define ICR_DEST_SELF	    ((uint32_t)ICR_SH_SELF << ICR_SH_SHIFT)
#define ICR_LO_WRITABLE	    0x000ccfffU /* vector, delivery and destination mode, level, trigger, shorthand */
#define ICR_HI_DEST_SHIFT   24		/* xAPIC: destination in ICR_HI bits 31:24 */
#define ICR_HI_XAPIC_DEST   0xff000000U

/* INIT-SIPI-SIPI (Vol. 3A 8.4.4.1): 10 ms after INIT, 200 us after each
 * SIPI. A SIPI with vector VV starts the AP in real mode at VV000H (8.4.3):
 * CS selector VV00H, base VV000H. */
#define APIC_INIT_DELAY_US	 10000
#define APIC_SIPI_DELAY_US	 200
#define SIPI_CS_SELECTOR(vector) ((vector) << 8)
#define SIPI_CS_BASE(vector)	 ((uint64_t)(vector) << 12)

/* The VMM's own vectors on its CPUs. */
#define APIC_SPURIOUS_VECTOR 0xff
#define APIC_TIMER_VECTOR    0xf0
#define APIC_ERROR_VECTOR    0xfe

bool lapic_init(void);	  /* BSP: choose x2APIC or xAPIC, enable */
void lapic_init_ap(void); /* AP: same mode as the BSP */
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
