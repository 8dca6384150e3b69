/* SPDX-License-Identifier: GPL-2.0-only */
/* virq.c: interrupt routing inside a VM and event injection at VM entry
 * (Intel SDM Vol. 3C 26.6 "Event Injection", 27.2.4 "Information for VM
 * Exits During Event Delivery", 25.7.5 interrupt-window exiting). The
 * vPIC, vPIT, vIOAPIC and vLAPICs are pure models; this file connects them
 * to vCPUs. Caller of the model functions always holds vm->lock. */
#define LOG_PREFIX "virq"
#include "vmm/vcpu/virq.h"

#include "arch/x86/cpu.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "vmm/platform/log.h"
#include "vmm/platform/percpu.h"
#include "vmm/platform/kick.h"
#include "vmm/platform/timer.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vcpu/vmcs.h"
#include "vmm/vcpu/vmcs_access.h"

static void deliver_to(struct vcpu *v, uint8_t vector, bool level)
{
	vlapic_accept(&v->lapic, vector, level);
	if (v->state == VCPU_HALTED)
		v->state = VCPU_RUNNABLE;
	cpu_kick(v->cpu);
}

/* An NMI for v (IPI, vIOAPIC or LINT1 in NMI mode): latched until it can be
 * injected; a second one while one is latched is lost, as on hardware
 * (SDM Vol. 3A 6.7.1). It ends HLT whatever EFLAGS.IF says. */
static void deliver_nmi(struct vcpu *v)
{
	if (!(vlapic_get_apic_base(&v->lapic) & APIC_BASE_ENABLE))
		return;
	v->nmi_pending = true;
	if (v->state == VCPU_HALTED)
		v->state = VCPU_RUNNABLE;
	cpu_kick(v->cpu);
}

static void ioapic_deliver(void *ctx, const struct vioapic_msg *m)
{
	struct vm *vm = ctx;
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpu[i];
		if (!vlapic_match_dest(&v->lapic, m->dest, m->logical))
			continue;
		if (m->delivery_mode == APIC_DM_FIXED || m->delivery_mode == APIC_DM_LOWEST) {
			deliver_to(v, m->vector, m->level);
			if (m->delivery_mode == APIC_DM_LOWEST)
				return; /* one vCPU takes it */
		} else if (m->delivery_mode == APIC_DM_NMI) {
			deliver_nmi(v);
		}
	}
}

static void lapic_send_ipi_cb(void *ctx, uint32_t dest, bool logical, uint8_t shorthand, uint8_t mode,
			      uint8_t vector, bool level_assert)
{
	struct vcpu *src = ctx;
	struct vm *vm = src->vm;
	vm->ipis++;
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpu[i];
		bool self = v == src;
		bool match = shorthand == ICR_SH_SELF		? self
			     : shorthand == ICR_SH_ALL		? true
			     : shorthand == ICR_SH_ALL_BUT_SELF ? !self
								: vlapic_match_dest(&v->lapic, dest, logical);
		if (!match)
			continue;
		switch (mode) {
		case APIC_DM_FIXED:
			deliver_to(v, vector, false);
			break;
		case APIC_DM_LOWEST:
			deliver_to(v, vector, false);
			return; /* one vCPU (the first match) takes it */
		case APIC_DM_INIT:
			/* The target may be running on another CPU right now: its
			 * own CPU acts on the INIT at its next entry. */
			if (level_assert && !self) {
				v->init_pending = true;
				v->sipi_vector = 0;
				cpu_kick(v->cpu);
			}
			break;
		case APIC_DM_STARTUP:
			if ((v->state == VCPU_WAIT_SIPI || v->init_pending) && !v->sipi_vector) {
				v->sipi_vector = (uint64_t)vector | (1ULL << 8); /* bit 8: SIPI pending */
				cpu_kick(v->cpu);
			}
			break;
		case APIC_DM_NMI:
			deliver_nmi(v);
			break;
		default:
			break; /* SMI IPIs: there is no SMM in a guest, dropped */
		}
	}
}

static void lapic_eoi_level_cb(void *ctx, uint8_t vector)
{
	struct vcpu *v = ctx;
	vioapic_eoi(&v->vm->ioapic, vector);
}

static const struct vlapic_ops lapic_ops = {lapic_send_ipi_cb, lapic_eoi_level_cb};

void virq_init_devices(struct vm *vm)
{
	vpic_init(&vm->pic);
	vpit_init(&vm->pit, timer_rates.tsc_khz);
	vioapic_init(&vm->ioapic, VIRQ_IOAPIC_ID, ioapic_deliver, vm);
}

void virq_init_vcpu(struct vcpu *v)
{
	vlapic_init(&v->lapic, v->id, v->id == 0, timer_rates.tsc_khz, &lapic_ops, v);
	/* IA32_APIC_BASE address bits from the guest's MAXPHYADDR up are
	 * reserved (SDM Vol. 3A 10.4.4); its CPUID leaf 0x80000008 is the
	 * host's (36 bits without that leaf, 4.1.4). */
	v->lapic.max_phys_bits = cpuid(CPUID_EXT_MAX, 0).eax >= CPUID_LEAF_ADDR_SIZES
				     ? CPUID_ADDR_PHYS_BITS(cpuid(CPUID_LEAF_ADDR_SIZES, 0).eax)
				     : CPUID_MAXPHYADDR_DEFAULT;
	if (v->id == 0) {
		/* What a PC BIOS leaves behind: APIC enabled, LINT0 = ExtINT
		 * (the 8259 reaches the BSP), LINT1 = NMI. */
		uint32_t val = (APIC_SVR_ENABLE | APIC_SVR_RESET);
		vlapic_mmio(&v->lapic, APIC_SVR, true, &val, 0);
		val = APIC_LVT_EXTINT;
		vlapic_mmio(&v->lapic, APIC_LVT_LINT0, true, &val, 0);
		val = APIC_LVT_NMI;
		vlapic_mmio(&v->lapic, APIC_LVT_LINT1, true, &val, 0);
	}
}

void virq_pulse_isa(struct vm *vm, unsigned irq)
{
	unsigned pin = virq_isa_pin(irq);
	vpic_set_irq(&vm->pic, irq, true);
	vpic_set_irq(&vm->pic, irq, false);
	vioapic_set_irq(&vm->ioapic, pin, true);
	vioapic_set_irq(&vm->ioapic, pin, false);
}

void virq_set_gsi(struct vm *vm, unsigned gsi, bool level)
{
	if (gsi && gsi < ISA_IRQS)
		vpic_set_irq(&vm->pic, gsi == VIRQ_IOAPIC_PIN_PIT ? PIT_IRQ : gsi, level);
	vioapic_set_irq(&vm->ioapic, gsi, level);
	cpu_kick(vm->vcpu[0].cpu);
}

bool virq_msi(struct vm *vm, uint64_t addr, uint32_t data)
{
	struct vioapic_msg m = {
	    .dest = (uint32_t)(addr >> MSI_ADDR_DEST_SHIFT) & MSI_ADDR_DEST_MASK,
	    .vector = (uint8_t)(data & MSI_DATA_VECTOR_MASK),
	    .delivery_mode = (uint8_t)((data >> MSI_DATA_DM_SHIFT) & MSI_DATA_DM_MASK),
	    .logical = addr & MSI_ADDR_DM_LOGICAL,
	    .level = false, /* no EOI goes back to a device for an MSI */
	};
	bool fixed = m.delivery_mode == APIC_DM_FIXED || m.delivery_mode == APIC_DM_LOWEST;
	if ((fixed && m.vector < MSI_DATA_VECTOR_MIN) || (!fixed && m.delivery_mode != APIC_DM_NMI))
		return false;
	ioapic_deliver(vm, &m);
	return true;
}

static bool pic_reaches(struct vcpu *v)
{
	if (v->id != 0)
		return false;
	if (!(vlapic_get_apic_base(&v->lapic) & APIC_BASE_ENABLE))
		return true; /* APIC globally disabled: INTR goes straight to the CPU */
	uint32_t lint0 = vlapic_lint(&v->lapic, 0);
	return !(lint0 & APIC_LVT_MASKED) && (lint0 & APIC_LVT_DM_MASK) == APIC_LVT_EXTINT;
}

/* Advance time-driven devices; returns the earliest TSC deadline. */
static uint64_t update_devices(struct vcpu *v, uint64_t now)
{
	struct vm *vm = v->vm;
	uint64_t next = vlapic_timer_update(&v->lapic, now);
	if (v->id == 0) {
		unsigned edges = vpit_irq0_edges(&vm->pit, now);
		if (edges)
			virq_pulse_isa(vm, PIT_IRQ); /* edges coalesce, as on a busy PC */
		uint64_t pit = vpit_next_edge(&vm->pit, now);
		if (pit < next)
			next = pit;
		if (vm->testdev.irq_pulse >= 0) {
			virq_pulse_isa(vm, (unsigned)vm->testdev.irq_pulse);
			vm->testdev.irq_pulse = -1;
		}
		/* The PM block's SCI when TMR_STS comes (TMR_EN set). */
		uint64_t pm = vpm_update(&vm->pm, now);
		if (pm < next)
			next = pm;
	}
	return next;
}

static bool guest_interruptible(void)
{
	return (vmcs_read(GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read(GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

void virq_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	/* An exception raised while another is pending becomes #DF (SDM 6.15,
	 * table 6-5, simplified: contributory or page fault pairs). */
	if (v->reinject_info & INTR_INFO_VALID) {
		vector = EXC_DF;
		has_error = true;
		error = 0;
	}
	/* Real mode pushes no error code (SDM Vol. 3A 20.1.4), and VM entry
	 * refuses to deliver one with CR0.PE = 0 (26.2.1.3). */
	if (!(vmcs_read(GUEST_CR0) & CR0_PE))
		has_error = false;
	/* A fault pushes RFLAGS with RF set, so that the handler's IRET does
	 * not hit an instruction breakpoint again (SDM Vol. 3B 17.3.1.1). */
	if (vector < 32 && (EXC_FAULTS & (1U << vector)))
		vmcs_write(GUEST_RFLAGS, vmcs_read(GUEST_RFLAGS) | RFLAGS_RF);
	v->reinject_info =
	    INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector | (has_error ? INTR_INFO_ERROR_VALID : 0);
	v->reinject_error = error;
	v->reinject_len = 0;
}

/* The registers INIT sets that the VMCS does not hold (SDM Vol. 3A table
 * 9-1, "INIT" column): GPRs 0 but EDX = the processor signature (CPUID.1
 * EAX), CR2 0, DR0-DR3 0, DR6 0xffff0ff0; the VMCS part is written at SIPI
 * (vmcs_guest_sipi). x87/SSE state and the MSRs stay as they were. */
static void vcpu_init_registers(struct vcpu *v)
{
	memset(v->regs, 0, sizeof(v->regs));
	v->regs[RDX] = cpuid(1, 0).eax;
	v->cr2 = 0;
	memset(v->dr, 0, sizeof(v->dr));
	v->dr6 = DR6_INIT;
	if (this_cpu()->last_vcpu == v) {
		/* Its registers are live on this CPU: make them so there. */
		write_cr2(0);
		write_dr0(0);
		write_dr1(0);
		write_dr2(0);
		write_dr3(0);
		write_dr6(DR6_INIT);
	}
}

void virq_inject_page_fault(struct vcpu *v, uint64_t la, uint32_t error)
{
	/* CR2 is not part of the VMCS: the guest's value lives in the CPU
	 * while its vCPU is loaded here (vmm/vcpu/vcpu_run.c switches it). */
	write_cr2(la);
	virq_inject_exception(v, EXC_PF, true, error);
}

void virq_save_idt_vectoring(struct vcpu *v)
{
	uint64_t info = vmcs_read(IDT_VECTORING_INFO);
	if (!(info & INTR_INFO_VALID))
		return;
	v->reinject_info = (uint32_t)info & ~INTR_INFO_NMI_UNBLOCK;
	v->reinject_error = (info & INTR_INFO_ERROR_VALID) ? (uint32_t)vmcs_read(IDT_VECTORING_ERROR) : 0;
	v->reinject_len = (uint32_t)vmcs_read(VM_EXIT_INSTRUCTION_LEN);
}

bool virq_prepare_entry(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	uint64_t now = rdtsc();
	v->next_deadline = update_devices(v, now);

	if (v->init_pending) {
		/* INIT (SDM Vol. 3A 10.4.7.3): the vCPU waits for SIPI; a SIPI
		 * sent after the INIT is already latched in sipi_vector. */
		v->init_pending = false;
		vlapic_init_signal(&v->lapic);
		vcpu_init_registers(v);
		v->reinject_info = 0;
		v->nmi_pending = false;
		v->state = VCPU_WAIT_SIPI;
	}
	if (v->sipi_vector) {
		vmcs_guest_sipi((uint8_t)v->sipi_vector);
		v->sipi_vector = 0;
		v->state = VCPU_RUNNABLE;
	}
	if (v->state == VCPU_WAIT_SIPI) {
		spin_unlock_irqrestore(&vm->lock, flags);
		return false;
	}

	bool window = false, nmi_window = false;
	if (v->reinject_info & INTR_INFO_VALID) {
		vmcs_write(VM_ENTRY_INTR_INFO, v->reinject_info);
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR, v->reinject_error);
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, v->reinject_len);
		v->reinject_info = 0;
		v->state = VCPU_RUNNABLE;
		nmi_window = v->nmi_pending;
	} else if (v->nmi_pending) {
		/* Virtual NMIs (24.6.1): the CPU keeps "blocking by NMI" in the
		 * guest's interruptibility state from the injection until the
		 * handler's IRET; while it (or MOV SS / STI blocking, 26.3.1.5)
		 * holds, NMI-window exiting says when the NMI can go in. */
		if (!(vmcs_read(GUEST_INTERRUPTIBILITY) &
		      (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_MOVSS | INTERRUPTIBILITY_STI))) {
			vmcs_write(VM_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | EXC_NMI);
			v->nmi_pending = false;
			v->nmis++;
			v->state = VCPU_RUNNABLE;
		} else {
			nmi_window = true;
			v->state = VCPU_RUNNABLE; /* an NMI ends HLT (6.7.1) */
		}
		/* An interrupt waiting behind the NMI gets its window afterwards. */
		window = vlapic_pending(&v->lapic) >= 0;
	} else {
		int vec = vlapic_pending(&v->lapic);
		bool from_pic = false;
		if (vec < 0 && pic_reaches(v)) {
			vec = vpic_pending(&vm->pic);
			from_pic = vec >= 0;
		}
		if (vec >= 0) {
			if (guest_interruptible()) {
				if (from_pic)
					vec = vpic_ack(&vm->pic);
				else
					vlapic_ack(&v->lapic, (uint8_t)vec);
				if (vec >= 0) {
					vmcs_write(VM_ENTRY_INTR_INFO,
						   INTR_INFO_VALID | INTR_TYPE_EXT_INTR | (uint32_t)vec);
					vm->injected++;
					v->state = VCPU_RUNNABLE;
				}
			} else {
				window = true;
				/* HLT with IF=0 only an NMI ends: it stays halted. */
			}
		}
	}
	vmcs_proc_controls(
	    (window ? PROC_INTR_WINDOW_EXITING : 0) | (nmi_window ? PROC_NMI_WINDOW_EXITING : 0),
	    (window ? 0 : PROC_INTR_WINDOW_EXITING) | (nmi_window ? 0 : PROC_NMI_WINDOW_EXITING));
	bool run = v->state == VCPU_RUNNABLE;
	spin_unlock_irqrestore(&vm->lock, flags);
	return run;
}
