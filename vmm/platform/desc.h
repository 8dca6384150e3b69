/* SPDX-License-Identifier: GPL-2.0-only */
/* desc.h: the VMM's descriptor tables (vmm/platform/desc.c): the IDT shared by
 * every CPU, each CPU's GDT and TSS in its struct cpu; the descriptor
 * formats are in arch/x86/desc.h. */
#ifndef VMM_DESC_H
#define VMM_DESC_H

#include "arch/x86/desc.h"

struct cpu;

void idt_init(void);
/* Load this CPU's GDT, TSS, the IDT, and point GS_BASE at its struct cpu. */
void cpu_load_tables(struct cpu *c);

#endif
