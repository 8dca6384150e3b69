/* SPDX-License-Identifier: GPL-2.0-only */
/* rtc.h: the MC146818A real-time clock and its CMOS RAM (Motorola MC146818A
 * data sheet: address map, time/calendar/alarm data modes table, registers
 * A-D, update cycle, periodic interrupt rate table) at the PC/AT's ports
 * 0x70/0x71 and IRQ 8, with the PC/AT's CMOS RAM bytes (IBM PC/AT Technical
 * Reference, "CMOS RAM address map") and ACPI's century byte (ACPI 6.4
 * 5.2.9, FADT CENTURY). Modelled by iopmd's iopm/dev/rtc.c. */
#ifndef ARCH_X86_RTC_H
#define ARCH_X86_RTC_H

#define RTC_INDEX_PORT	0x70 /* write-only: bit 7 masks NMI (PC/AT), bits 6:0 the register */
#define RTC_DATA_PORT	0x71
#define RTC_IRQ		8 /* ISA IRQ of the ~IRQ pin */
#define RTC_NMI_DISABLE 0x80
#define RTC_INDEX_MASK	0x7f
#define RTC_CMOS_SIZE	128 /* 14 clock registers, 114 bytes of RAM */

/* Time, calendar and alarm bytes. */
#define RTC_SECONDS	  0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES	  0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS	  0x04
#define RTC_HOURS_ALARM	  0x05
#define RTC_DAY_OF_WEEK	  0x06 /* 1-7, Sunday = 1; advanced at midnight, never checked */
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH	  0x08
#define RTC_YEAR	  0x09 /* 0-99 */
#define RTC_REG_A	  0x0a
#define RTC_REG_B	  0x0b
#define RTC_REG_C	  0x0c /* read-only */
#define RTC_REG_D	  0x0d /* read-only */
#define RTC_FIRST_RAM	  0x0e /* general-purpose RAM from here on */
#define RTC_SHUTDOWN	  0x0f /* PC/AT: shutdown status byte (RAM) */
#define RTC_CENTURY	  0x32 /* PC/AT and ACPI FADT CENTURY: the century, BCD or binary as register B says */

#define RTC_HOURS_PM	    0x80 /* 12-hour mode: the hours byte's PM bit */
#define RTC_ALARM_DONT_CARE 0xc0 /* an alarm byte with bits 7:6 set matches every value */

/* Register A. */
#define RTC_A_UIP	0x80 /* update in progress (read-only): set 244 us before each update */
#define RTC_A_DV_MASK	0x70 /* DV2-DV0: time base / divider control */
#define RTC_A_DV_32KHZ	0x20 /* 010: 32.768 kHz time base, the divider runs */
#define RTC_A_DV_RESET	0x60 /* 11x: divider chain held in reset */
#define RTC_A_RS_MASK	0x0f /* RS3-RS0: periodic interrupt rate, 0 = none */
#define RTC_A_WRITABLE	0x7f
#define RTC_A_RS_1024HZ 0x06 /* 976.5625 us, what PC firmware leaves */
/* The periodic interrupt rate table at 32.768 kHz: RS >= 3 divides the
 * time base by 2^(RS-1) (122.07 us to 500 ms); RS 1 and 2 give the rates
 * of RS 8 and 9. */
#define RTC_A_RS_ALIAS_MAX 2
#define RTC_A_RS_ALIAS_ADD 7

/* Register B. */
#define RTC_B_SET	0x80 /* inhibits updates; setting it clears UIE and UIP */
#define RTC_B_PIE	0x40 /* periodic interrupt enable */
#define RTC_B_AIE	0x20 /* alarm interrupt enable */
#define RTC_B_UIE	0x10 /* update-ended interrupt enable */
#define RTC_B_SQWE	0x08 /* square-wave output enable */
#define RTC_B_DM_BINARY 0x04 /* data mode: binary (else BCD) */
#define RTC_B_24H	0x02 /* 24-hour mode (else 12-hour with RTC_HOURS_PM) */
#define RTC_B_DSE	0x01 /* daylight savings enable */

/* Register C: the flags, all cleared by reading it. PF, AF and UF are
 * set whether or not their enable bits are; IRQF when a flag and its
 * enable bit are both set, and then ~IRQ is driven. */
#define RTC_C_IRQF 0x80
#define RTC_C_PF   0x40 /* periodic */
#define RTC_C_AF   0x20 /* alarm */
#define RTC_C_UF   0x10 /* update ended */

/* Register D. */
#define RTC_D_VRT 0x80 /* valid RAM and time: the battery is good */

/* Timing at the 32.768 kHz time base. */
#define RTC_TIMEBASE_HZ	    32768
#define RTC_UIP_NS	    244000U    /* UIP rises this long before an update */
#define RTC_FIRST_UPDATE_NS 500000000U /* first update after the divider leaves reset */

#endif
