/* pit.h: the 8254 PIT channel 2 and the PC/AT port 0x61 gate (Intel 8254
 * datasheet: control word, mode 0 "interrupt on terminal count"). Used only
 * to calibrate the TSC and LAPIC timer at boot (the ACPI PM timer's rate is
 * in arch/x86/acpi_tables.h). */
#ifndef ARCH_X86_PIT_H
#define ARCH_X86_PIT_H

#define PIT_HZ          1193182U
#define PIT_CH2_DATA    0x42
#define PIT_CMD         0x43
#define PIT_CMD_CH2_LOHI_MODE0 0xb0   /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_SYS_CTRL_B 0x61
#define SYS_CTRL_B_GATE2   0x01       /* PIT channel 2 gate */
#define SYS_CTRL_B_SPEAKER 0x02       /* speaker data enable (kept off) */
#define SYS_CTRL_B_OUT2    0x20       /* PIT channel 2 output, read-only */

#endif
