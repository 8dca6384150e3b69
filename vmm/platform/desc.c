/* SPDX-License-Identifier: GPL-2.0-only */
/* desc.c: per-CPU GDT and TSS, the shared IDT, and loading them on a CPU
 * (Intel SDM Vol. 3A 3.5.1, 6.10, 6.14.5 "Interrupt Stack Table"). */
#include "vmm/platform/desc.h"

#include "arch/x86/msr.h"
#include "vmm/lib/lib.h"
#include "vmm/platform/percpu.h"

extern const uint64_t isr_stub_table[IDT_VECTORS];
static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

void idt_init(void)
{
	for (int v = 0; v < IDT_VECTORS; v++) {
		uint64_t a = isr_stub_table[v];
		idt[v] = (struct idt_gate){
		    .offset_lo = (uint16_t)a,
		    .selector = GDT_CODE64,
		    .ist = (v == 2 || v == 8 || v == 18) ? IST_CRITICAL : 0,
		    .type_attr = IDT_GATE_INTR,
		    .offset_mid = (uint16_t)(a >> 16),
		    .offset_hi = (uint32_t)(a >> 32),
		};
	}
}

static void set_tss_desc(uint64_t *gdt, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss, limit = sizeof(*tss) - 1;
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (DESC_TSS_TYPE << 40) |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;
}

void cpu_load_tables(struct cpu *c)
{
	c->self = c;
	c->gdt[GDT_NULL / 8] = 0;
	c->gdt[GDT_CODE64 / 8] = DESC_CODE64;
	c->gdt[GDT_DATA / 8] = DESC_DATA;
	c->gdt[GDT_CODE32 / 8] = DESC_CODE32;
	memset(&c->tss, 0, sizeof(c->tss));
	c->tss.rsp[0] = c->stack_top;
	c->tss.ist[IST_CRITICAL - 1] = c->ist_top;
	c->tss.iomap_base = sizeof(c->tss); /* no I/O bitmap */
	set_tss_desc(c->gdt, &c->tss);

	struct desc_ptr gp = {sizeof(c->gdt) - 1, (uint64_t)(uintptr_t)c->gdt};
	struct desc_ptr ip = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
	__asm__ volatile("lgdt %0" ::"m"(gp));
	/* Reload CS with a far return, then the data segments. */
	__asm__ volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:" ::"i"(GDT_CODE64)
			 : "rax", "memory");
	__asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" ::"r"((uint16_t)GDT_DATA));
	__asm__ volatile("ltr %0" ::"r"((uint16_t)GDT_TSS));
	__asm__ volatile("lidt %0" ::"m"(ip));
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
}
