/* SPDX-License-Identifier: GPL-2.0-only */
/* trap.c: exception reports and interrupt dispatch. An exception in the VMM
 * prints vector, error code, RIP, CR2 and every register, then stops that
 * CPU cleanly (Intel SDM Vol. 3A 6.15 "Exception and Interrupt Reference"). */
#define LOG_PREFIX "trap"
#include "vmm/platform/trap.h"

#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "vmm/platform/log.h"
#include "vmm/platform/percpu.h"

static irq_handler_t handlers[256];
static volatile uint64_t spurious_count;

static const char *const exception_names[EXCEPTION_VECTORS] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization exception",
    "#CP control protection",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security",
    "reserved 31",
};

void trap_set_handler(uint8_t vector, irq_handler_t h)
{
	handlers[vector] = h;
}

static __attribute__((noreturn)) void exception_report(struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	uint32_t idx = c ? c->index : 0;
	pr_err("EXCEPTION %s (vector %llu) on cpu %u, error code 0x%llx", exception_names[f->vector],
	       (unsigned long long)f->vector, idx, (unsigned long long)f->error);
	pr_err("  rip %016llx cs %04llx rflags %016llx rsp %016llx ss %04llx", (unsigned long long)f->rip,
	       (unsigned long long)f->cs, (unsigned long long)f->rflags, (unsigned long long)f->rsp,
	       (unsigned long long)f->ss);
	pr_err("  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx", (unsigned long long)read_cr0(),
	       (unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
	       (unsigned long long)read_cr4());
	pr_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx", (unsigned long long)f->rax,
	       (unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	pr_err("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx", (unsigned long long)f->rsi,
	       (unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->r8);
	pr_err("  r9  %016llx r10 %016llx r11 %016llx r12 %016llx", (unsigned long long)f->r9,
	       (unsigned long long)f->r10, (unsigned long long)f->r11, (unsigned long long)f->r12);
	pr_err("  r13 %016llx r14 %016llx r15 %016llx", (unsigned long long)f->r13,
	       (unsigned long long)f->r14, (unsigned long long)f->r15);
	pr_err("cpu %u stopped", idx);
	if (c)
		c->state = CPU_STOPPED;
	cpu_stop();
}

void trap_dispatch(struct trap_frame *f)
{
	/* The VMM sends itself no NMI: one from elsewhere (a watchdog, another
	 * CPU, one that interrupted a guest, vmm/vcpu/exit.c) is counted and the
	 * CPU carries on; the IRETQ of the return unblocks NMIs (SDM Vol. 3A
	 * 6.7.1). Nothing here may take a lock. */
	if (f->vector == EXC_NMI) {
		struct cpu *c = this_cpu();
		if (c)
			c->nmis++;
		return;
	}
	if (f->vector < EXCEPTION_VECTORS)
		exception_report(f);
	irq_handler_t h = handlers[f->vector];
	if (h) {
		h(f);
		return;
	}
	/* The APIC spurious vector needs no EOI; anything else unexpected gets
	 * one so that the LAPIC does not stay blocked at its priority. */
	spurious_count++;
	if (f->vector != APIC_SPURIOUS_VECTOR)
		lapic_eoi();
}
