/* SPDX-License-Identifier: GPL-2.0-only */
/* pit.h: the 8254 PIT (Intel 8254 datasheet: control word, read-back
 * command, status byte; PC/AT ports 0x40-0x43, channel 0 on IRQ 0) and
 * the PC/AT system control port B at 0x61 (channel 2's gate and output,
 * speaker, refresh toggle). The VMM uses channel 2 only, to calibrate the
 * TSC and LAPIC timer at boot (the ACPI PM timer's rate is in
 * arch/x86/acpi_tables.h); the guests' vPIT (vmm/vdev/vpit.c) models all three. */
#ifndef ARCH_X86_PIT_H
#define ARCH_X86_PIT_H

#define PIT_HZ	     1193182U /* input clock (CLK) of every channel */
#define PIT_CHANNELS 3
#define PIT_IRQ	     0 /* channel 0's OUT: ISA IRQ 0 */
#define PIT_CH0_DATA 0x40
#define PIT_CH1_DATA 0x41
#define PIT_CH2_DATA 0x42
#define PIT_CMD	     0x43 /* control word register, write-only */

/* Control word. */
#define PIT_CW_SC_SHIFT	       6 /* SC1-SC0: channel, or 3 = read-back */
#define PIT_CW_SC_READBACK     3
#define PIT_CW_RW_SHIFT	       4 /* RW1-RW0: 0 = counter latch command, 1 lo, 2 hi, 3 lo/hi */
#define PIT_CW_RW_MASK	       0x3
#define PIT_CW_RW_LOHI	       3
#define PIT_CW_M_SHIFT	       1 /* M2-M0 */
#define PIT_CW_M_MASK	       0x7
#define PIT_CW_BCD	       0x01
#define PIT_CW_CTRL_BITS       0x3f /* RW, M, BCD: echoed in the status byte */
#define PIT_MODE_ALIAS_MIN     6    /* modes 6 and 7 are 2 and 3 (M2 is "don't care") */
#define PIT_MODE_ALIAS_SUB     4
#define PIT_CMD_CH2_LOHI_MODE0 (2 << PIT_CW_SC_SHIFT | PIT_CW_RW_LOHI << PIT_CW_RW_SHIFT) /* 0xb0, binary */
/* Read-back command: bits 5/4 are active low. */
#define PIT_RB_NO_COUNT	  0x20
#define PIT_RB_NO_STATUS  0x10
#define PIT_RB_CHANNEL(i) (0x02u << (i)) /* CNT0 is bit 1 */
/* Status byte. */
#define PIT_ST_OUT  0x80
#define PIT_ST_NULL 0x40
/* A count of 0 means 2^16 (binary) or 10^4 (BCD). */
#define PIT_BINARY_RANGE 65536u
#define PIT_BCD_RANGE	 10000u

/* System control port B. */
#define PORT_SYS_CTRL_B		 0x61
#define SYS_CTRL_B_GATE2	 0x01 /* PIT channel 2 gate */
#define SYS_CTRL_B_SPEAKER	 0x02 /* speaker data enable (kept off) */
#define SYS_CTRL_B_WRITABLE	 0x0f /* bits 3:2: parity/IOCHK check enables */
#define SYS_CTRL_B_REFRESH	 0x10 /* refresh toggle, read-only: flips every 15.085 us */
#define SYS_CTRL_B_OUT2		 0x20 /* PIT channel 2 output, read-only */
#define SYS_CTRL_B_REFRESH_TICKS 18   /* 15.085 us in PIT clocks */
#define PIT_GATED_CHANNEL	 2    /* its GATE is bit 0 of port 0x61, its OUT bit 5 */

#endif
