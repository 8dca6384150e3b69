/* SPDX-License-Identifier: GPL-2.0-only */
/* test_vm_power.c: the ACPI power button and S5 of a VM in the exit
 * harness (vmm/vm/vm.c vm_power_button, vmm/vm/vdev.c's PM block wiring,
 * vmm/vcpu/virq.c's timer deadline): a press reaches the guest as the
 * vector of its I/O APIC pin 9 (level) once PWRBTN_EN is set, clearing
 * PWRBTN_STS lowers the line, TMR_STS raises the SCI at the deadline the
 * vCPU is given; the \_S5 value found in the VM's own DSDT, written with
 * SLP_EN to the port its FADT names, ends the VM powered off with status
 * 0; a VM that is ending takes no press. */
#include "exit_util.h"

#include "arch/x86/acpi_tables.h"
#include "arch/x86/ioapic.h"
#include "vmm/vdev/vioapic.h"
#include "vmm/vdev/vlapic.h"
#include "vmm/vdev/vpm.h"
#include "vmm/vm/vm.h"

/* The platform as docs/guest-platform.md states it, written here on purpose. */
#define PM1_STS	     0x600
#define PM1_EN	     0x602
#define PM1_CNT	     0x604
#define SCI_GSI	     9
#define SCI_VECTOR   0x51
#define PWRBTN	     (1U << 8) /* PWRBTN_STS / PWRBTN_EN */
#define TMR	     (1U << 0) /* TMR_STS / TMR_EN */
#define SLP_EN	     (1U << 13)
#define RFLAGS_IF_ON 0x202ULL

static void ioapic_reg(struct vm *vm, uint32_t reg, uint32_t v)
{
	EXPECT_EQ(vioapic_mmio(&vm->ioapic, IOAPIC_REGSEL, true, &reg), 0);
	EXPECT_EQ(vioapic_mmio(&vm->ioapic, IOAPIC_WIN, true, &v), 0);
}

/* Pin 9 as a guest that read the MADT programs it: level, active high,
 * fixed, to APIC ID 0, unmasked. */
static void route_sci(struct vm *vm)
{
	ioapic_reg(vm, IOAPIC_REG_REDTBL(SCI_GSI) + 1, 0);
	ioapic_reg(vm, IOAPIC_REG_REDTBL(SCI_GSI), SCI_VECTOR | (uint32_t)IOAPIC_RTE_LEVEL);
}

static void out16(struct vcpu *v, uint16_t port, uint16_t val)
{
	v->regs[RDX] = port;
	v->regs[RAX] = val;
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(port, 2, false), 1);
}

static uint16_t in16(struct vcpu *v, uint16_t port)
{
	v->regs[RDX] = port;
	v->regs[RAX] = 0;
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(port, 2, true), 1);
	return (uint16_t)v->regs[RAX];
}

static bool sci_line(struct vm *vm)
{
	return vm->ioapic.line & (1U << SCI_GSI);
}

TEST(vm_power, press_reaches_the_guest_as_its_sci_vector)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	route_sci(vm);
	out16(v, PM1_EN, PWRBTN);
	EXPECT_EQ(in16(v, PM1_EN), PWRBTN);
	EXPECT_FALSE(sci_line(vm));
	EXPECT_EQ(vlapic_pending(&v->lapic), -1);
	/* The press, as the BSP's channel poll makes it (from another CPU). */
	unsigned kicks = fenv_kicks();
	vm_power_button(vm);
	EXPECT_TRUE(sci_line(vm));
	EXPECT_GT(fenv_kicks(), kicks); /* vCPU 0's CPU is told */
	EXPECT_EQ(vlapic_pending(&v->lapic), SCI_VECTOR);
	EXPECT_EQ(vm->pm.presses, 1);
	/* The guest takes it at its next entry (IF set). */
	fvmcs_set(GUEST_RFLAGS, RFLAGS_IF_ON);
	struct hv_result r = hv_run_insn(v, EXIT_CPUID, 0, 2);
	EXPECT_EQ(r.inject, INTR_INFO_VALID | INTR_TYPE_EXT_INTR | SCI_VECTOR);
	/* Its handler reads PWRBTN_STS and clears it: the line goes down ... */
	EXPECT_EQ(in16(v, PM1_STS) & PWRBTN, PWRBTN);
	out16(v, PM1_STS, PWRBTN);
	EXPECT_FALSE(sci_line(vm));
	EXPECT_EQ(in16(v, PM1_STS) & PWRBTN, 0);
	/* ... and its EOI brings no second delivery (level, line low). */
	vioapic_eoi(&vm->ioapic, SCI_VECTOR);
	EXPECT_EQ(vlapic_pending(&v->lapic), -1);
	EXPECT_TRUE(r.running);
	EXIT_DONE(vm);
}

TEST(vm_power, press_without_pwrbtn_en_raises_nothing)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	route_sci(vm);
	vm_power_button(vm);
	EXPECT_FALSE(sci_line(vm));
	EXPECT_EQ(vlapic_pending(&v->lapic), -1);
	EXPECT_EQ(in16(v, PM1_STS) & PWRBTN, PWRBTN); /* the status is there */
	/* Enabling the event with the press pending delivers it then. */
	out16(v, PM1_EN, PWRBTN);
	EXPECT_TRUE(sci_line(vm));
	EXPECT_EQ(vlapic_pending(&v->lapic), SCI_VECTOR);
	EXIT_DONE(vm);
}

TEST(vm_power, tmr_sts_raises_the_sci_at_the_vcpu_deadline)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	route_sci(vm);
	out16(v, PM1_EN, TMR);
	/* The wrap of the timer, 2 s after the VM was made (2 GHz fake TSC),
	 * is vCPU 0's next deadline: nothing else is armed. */
	uint64_t wrap = vm->pm.base_tsc + 2 * 2000000000ULL;
	EXPECT_EQ(v->next_deadline, wrap);
	EXPECT_FALSE(sci_line(vm));
	/* Past it, the next entry raises the SCI. */
	fcpu_set_tsc_step(wrap - fcpu_tsc());
	hv_run_insn(v, EXIT_CPUID, 0, 2);
	fcpu_set_tsc_step(100);
	EXPECT_TRUE(sci_line(vm));
	EXPECT_EQ(vlapic_pending(&v->lapic), SCI_VECTOR);
	EXPECT_EQ(in16(v, PM1_STS) & TMR, TMR);
	/* The next change of bit 31 is 2^31 ticks (600 s) later. */
	out16(v, PM1_STS, TMR);
	EXPECT_FALSE(sci_line(vm));
	EXPECT_GT(v->next_deadline, wrap + 599ULL * 2000000000ULL);
	EXPECT_LT(v->next_deadline, wrap + 601ULL * 2000000000ULL);
	EXIT_DONE(vm);
}

/* \_S5's SLP_TYPa from the VM's own DSDT (through the RSDP, RSDT, FADT). */
static unsigned s5_from_the_dsdt(struct vm *vm, uint16_t *pm1a_cnt)
{
	const uint8_t *rsdp = hv_gpa(vm, 0xf0000, 36);
	uint32_t rsdt, fadt = 0, dsdt;
	memcpy(&rsdt, rsdp + 16, 4);
	const uint8_t *t = hv_gpa(vm, rsdt, 44);
	for (int i = 0; i < 2; i++) {
		uint32_t a;
		memcpy(&a, t + 36 + 4 * i, 4);
		if (!memcmp(hv_gpa(vm, a, 4), "FACP", 4))
			fadt = a;
	}
	EXPECT_NE(fadt, 0);
	struct acpi_fadt f;
	memcpy(&f, hv_gpa(vm, fadt, sizeof(f)), sizeof(f));
	*pm1a_cnt = (uint16_t)f.pm1a_cnt_blk;
	dsdt = f.dsdt;
	uint32_t len;
	memcpy(&len, (const uint8_t *)hv_gpa(vm, dsdt, 8) + 4, 4);
	const uint8_t *aml = hv_gpa(vm, dsdt, len);
	/* Name (_S5, Package (4) {BytePrefix x, ...}) right after the header. */
	EXPECT_GE(len, 36 + 10);
	EXPECT_TRUE(!memcmp(aml + 36, "\x08_S5_\x12", 6));
	EXPECT_EQ(aml[36 + 8], 0x0a);
	return aml[36 + 9];
}

TEST(vm_power, s5_from_the_dsdt_ends_the_vm_powered_off)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	uint16_t cnt;
	unsigned typ = s5_from_the_dsdt(vm, &cnt);
	EXPECT_EQ(cnt, PM1_CNT);
	/* Another sleep type first: ignored, the VM runs on. */
	out16(v, cnt, (uint16_t)(((typ + 1) & 7) << 10 | SLP_EN));
	EXPECT_EQ(vm->state, VM_RUNNING);
	EXPECT_EQ(vm->pm.sleeps_ignored, 1);
	/* As Linux does it: SLP_TYP, then SLP_TYP | SLP_EN. */
	out16(v, cnt, (uint16_t)(typ << 10));
	EXPECT_EQ(vm->state, VM_RUNNING);
	v->regs[RDX] = cnt;
	v->regs[RAX] = typ << 10 | SLP_EN;
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(cnt, 2, false), 1);
	EXPECT_FALSE(r.running);
	EXPECT_EQ(vm->state, VM_EXITED);
	EXPECT_EQ(vm->exit_status, 0);
	EXPECT_TRUE(vm->powered_off);
	/* Ending: a press now does nothing. */
	vm_power_button(vm);
	EXPECT_EQ(vm->pm.presses, 0);
	EXPECT_FALSE(sci_line(vm));
	EXIT_DONE(vm);
}

TEST(vm_power, debug_exit_is_not_a_power_off)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	v->regs[RAX] = 0;
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0xf4, 1, false), 2);
	EXPECT_FALSE(r.running);
	EXPECT_EQ(vm->exit_status, 1);
	EXPECT_FALSE(vm->powered_off);
	EXIT_DONE(vm);
}

/* A REP OUTSW whose first element enters S5: the rest is not written, the
 * VM ends powered off (the string stops as at the debug-exit port). */
TEST(vm_power, s5_inside_a_string_write_stops_it)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	uint16_t words[3] = {(uint16_t)(VPM_SLP_TYP_S5 << 10 | SLP_EN), 0, 0};
	memcpy(hv_gpa(vm, 0x5000, sizeof(words)), words, sizeof(words));
	v->regs[RSI] = 0x5000;
	v->regs[RCX] = 3;
	v->regs[RDX] = PM1_CNT;
	struct hv_exit e = string_exit(PM1_CNT, 2, false, true, 1, 3 /* DS */);
	struct hv_result r = hv_run(v, &e);
	EXPECT_FALSE(r.running);
	EXPECT_TRUE(vm->powered_off);
	EXPECT_EQ(vm->exit_status, 0);
	EXIT_DONE(vm);
}
