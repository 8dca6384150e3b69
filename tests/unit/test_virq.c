/* SPDX-License-Identifier: GPL-2.0-only */
/* test_virq.c: a VM's interrupt lines and messages (vmm/vcpu/virq.c) in the
 * exit harness: an MSI (SDM Vol. 3A 10.11) reaches the vLAPIC its address
 * names with its vector, an NMI-mode MSI latches an NMI, an illegal vector
 * or delivery mode is refused; a GSI line reaches the vPIC and vIOAPIC:
 * the PCI INTx line as a guest programs it from its _PRT (level, active
 * low) delivers while raised. */
#include "exit_util.h"

#include "arch/x86/ioapic.h"
#include "arch/x86/pic.h"
#include "shared/coopvmm_abi.h" /* COOP_GUEST_GSI_PCI_INTX */
#include "vmm/vcpu/virq.h"
#include "vmm/vdev/vioapic.h"
#include "vmm/vdev/vlapic.h"
#include "vmm/vdev/vpic.h"

TEST(virq, msi_fixed_nmi_and_refusals)
{
	struct vm *vm = exit_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	EXPECT_EQ(vlapic_pending(&v->lapic), -1);
	/* Fixed, physical destination 0 (vCPU 0's APIC ID), vector 0x41. */
	EXPECT_TRUE(virq_msi(vm, 0xfee00000ULL, 0x0041));
	EXPECT_EQ(vlapic_pending(&v->lapic), 0x41);
	/* Another destination: nobody takes it. */
	EXPECT_TRUE(virq_msi(vm, 0xfee07000ULL, 0x0052));
	EXPECT_EQ(vlapic_pending(&v->lapic), 0x41);
	/* NMI delivery mode (4 << 8): an NMI is latched, the vector ignored. */
	EXPECT_FALSE(v->nmi_pending);
	EXPECT_TRUE(virq_msi(vm, 0xfee00000ULL, 0x0400));
	EXPECT_TRUE(v->nmi_pending);
	/* Vectors 0-15 are illegal; SMI (2), INIT (5), ExtINT (7) are not delivered. */
	EXPECT_FALSE(virq_msi(vm, 0xfee00000ULL, 0x0005));
	EXPECT_FALSE(virq_msi(vm, 0xfee00000ULL, 0x0241));
	EXPECT_FALSE(virq_msi(vm, 0xfee00000ULL, 0x0541));
	EXPECT_FALSE(virq_msi(vm, 0xfee00000ULL, 0x0741));
	EXPECT_EQ(vlapic_pending(&v->lapic), 0x41);
	EXIT_DONE(vm);
}

static void ioapic_wr(struct vm *vm, uint32_t reg, uint32_t val)
{
	EXPECT_EQ(vioapic_mmio(&vm->ioapic, IOAPIC_REGSEL, true, &reg), 0);
	EXPECT_EQ(vioapic_mmio(&vm->ioapic, IOAPIC_WIN, true, &val), 0);
}

static uint32_t ioapic_rd(struct vm *vm, uint32_t reg)
{
	uint32_t val = 0;
	EXPECT_EQ(vioapic_mmio(&vm->ioapic, IOAPIC_REGSEL, true, &reg), 0);
	EXPECT_EQ(vioapic_mmio(&vm->ioapic, IOAPIC_WIN, false, &val), 0);
	return val;
}

static void guest_eoi(struct vcpu *v)
{
	uint32_t zero = 0;
	EXPECT_EQ(vlapic_mmio(&v->lapic, APIC_EOI, true, &zero, 0), 0);
}

#define INTX_VECTOR    0x39
#define INTX_SLAVE_BIT (1U << (COOP_GUEST_GSI_PCI_INTX - 8)) /* IRQ 11: the slave's IR3 */

/* The PCI INTx line, GSI COOP_GUEST_GSI_PCI_INTX, which iopmd raises
 * while any of its functions asserts INTA# and lowers when none does
 * (IRQ_LINE -> virq_set_gsi()). With the redirection entry Linux writes
 * for the _PRT's static entry (fixed, physical, level, active low) a raise
 * delivers the vector: the vIOAPIC keeps the line's logical "asserted"
 * level, the polarity bit does not invert it. A second raise while the
 * first is in service adds nothing (Remote IRR); the EOI of a line still
 * raised delivers again; after the lower, the EOI ends it. Active high
 * behaves the same. On the vPIC (a guest without I/O APIC, ELCR bit 11
 * set as Linux does for a level GSI) the IRQ requests while raised. */
TEST(virq, pci_intx_line_level_active_low)
{
	const uint32_t pin = COOP_GUEST_GSI_PCI_INTX;
	const uint64_t pols[] = {IOAPIC_RTE_ACTIVE_LOW, 0};
	for (unsigned i = 0; i < 2; i++) {
		test_context("%s", pols[i] ? "active low" : "active high");
		struct vm *vm = exit_vm(HV_PROT32);
		struct vcpu *v = &vm->vcpu[0];
		ioapic_wr(vm, IOAPIC_REG_REDTBL(pin) + 1, 0); /* destination APIC ID 0 */
		ioapic_wr(vm, IOAPIC_REG_REDTBL(pin), (uint32_t)(INTX_VECTOR | IOAPIC_RTE_LEVEL | pols[i]));
		EXPECT_EQ(vlapic_pending(&v->lapic), -1);
		virq_set_gsi(vm, pin, true);
		EXPECT_EQ(vlapic_pending(&v->lapic), INTX_VECTOR);
		vlapic_ack(&v->lapic, INTX_VECTOR);
		EXPECT_TRUE(ioapic_rd(vm, IOAPIC_REG_REDTBL(pin)) & IOAPIC_RTE_REMOTE_IRR);
		virq_set_gsi(vm, pin, true); /* another function asserts: the same line */
		EXPECT_EQ(vlapic_pending(&v->lapic), -1);
		guest_eoi(v); /* the handler served one function; the line is still raised */
		EXPECT_EQ(vlapic_pending(&v->lapic), INTX_VECTOR);
		vlapic_ack(&v->lapic, INTX_VECTOR);
		virq_set_gsi(vm, pin, false); /* no function asserts any more */
		guest_eoi(v);
		EXPECT_EQ(vlapic_pending(&v->lapic), -1);
		EXPECT_FALSE(ioapic_rd(vm, IOAPIC_REG_REDTBL(pin)) & IOAPIC_RTE_REMOTE_IRR);
		virq_set_gsi(vm, pin, true);
		EXPECT_EQ(vlapic_pending(&v->lapic), INTX_VECTOR);
		/* The vPIC: a level input requests exactly while raised. */
		uint8_t elcr = (uint8_t)INTX_SLAVE_BIT;
		EXPECT_EQ(vpic_io(&vm->pic, PIC_ELCR2, true, &elcr), 0);
		EXPECT_TRUE(vm->pic.chip[1].irr & INTX_SLAVE_BIT);
		virq_set_gsi(vm, pin, false);
		EXPECT_FALSE(vm->pic.chip[1].irr & INTX_SLAVE_BIT);
		virq_set_gsi(vm, pin, true);
		EXPECT_TRUE(vm->pic.chip[1].irr & INTX_SLAVE_BIT);
		EXIT_DONE(vm);
	}
	test_context("%s", "");
}
