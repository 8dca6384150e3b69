/* SPDX-License-Identifier: GPL-2.0-only */
/* pit.h: the 8254 PIT (Intel 8254 datasheet: control word, modes 0 and 2)
 * and the PC/AT system control port 0x61 that gates channel 2. */
#ifndef GUEST_RT_PIT_H
#define GUEST_RT_PIT_H

#include <stdint.h>

#define PIT_HZ		 1193182U
#define PIT_CH0		 0x40
#define PIT_CH2		 0x42
#define PIT_CMD		 0x43
#define PIT_CMD_CH0	 (0U << 6)
#define PIT_CMD_CH2	 (2U << 6)
#define PIT_CMD_LOHI	 (3U << 4) /* access low byte then high byte */
#define PIT_CMD_MODE0	 (0U << 1) /* interrupt on terminal count */
#define PIT_CMD_MODE2	 (2U << 1) /* rate generator */
#define PORT_SYS_CTRL_B	 0x61
#define SYS_CTRL_B_GATE2 0x01 /* channel 2 gate */
#define SYS_CTRL_B_SPKR	 0x02 /* speaker data (kept off) */
#define SYS_CTRL_B_OUT2	 0x20 /* channel 2 output (read) */

/* Channel 0 as a rate generator at about hz (mode 2); returns the divisor. */
uint16_t pit_ch0_periodic(uint32_t hz);
/* Channel 0 quieted: mode 0 with the longest count, so OUT rises once
 * after about 55 ms and then stays high; mask IRQ0 at the controller too. */
void pit_ch0_stop(void);

#endif
