/* SPDX-License-Identifier: GPL-2.0-only */
/* test_virq.c: a VM's interrupt lines and messages (vmm/vcpu/virq.c) in the
 * exit harness: an MSI (SDM Vol. 3A 10.11) reaches the vLAPIC its address
 * names with its vector, an NMI-mode MSI latches an NMI, an illegal vector
 * or delivery mode is refused; a GSI line reaches the vPIC and vIOAPIC. */
#include "exit_util.h"

#include "vmm/vcpu/virq.h"
#include "vmm/vdev/vlapic.h"

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
