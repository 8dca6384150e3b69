/* SPDX-License-Identifier: GPL-2.0-only */
/* desc.h: segment descriptors, the 64-bit TSS and IDT gates (Intel SDM
 * Vol. 3A 3.4.5 "Segment Descriptors", 7.7 "Task Management in 64-bit
 * Mode", 6.14.1 "64-Bit Mode IDT"). The VMM's tables: vmm/platform/desc.h. */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H

#include <stdint.h>

#include "arch/x86/layout.h"

#define DESC_CODE64   0x00af9a000000ffffULL /* present, DPL0, execute/read, L=1 */
#define DESC_DATA     0x00cf92000000ffffULL /* present, DPL0, read/write, 4 GiB */
#define DESC_CODE32   0x00cf9a000000ffffULL /* present, DPL0, execute/read, D=1 */
#define DESC_TSS_TYPE 0x89ULL		    /* present, 64-bit TSS (available) */
#define IDT_GATE_INTR 0x8e		    /* present, DPL0, 64-bit interrupt gate */
#define IDT_VECTORS   256
#define IST_CRITICAL  1 /* IST slot for #DF, NMI, #MC */

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#endif
