/* SPDX-License-Identifier: GPL-2.0-only */
/* exit_util.h: helpers shared by the test_exit_*.c tests, which drive the
 * VM-exit handlers through exit_dispatch() in the host harness
 * (tests/harness/harness.h, docs/exit-harness.md). */
#ifndef TESTS_UNIT_EXIT_UTIL_H
#define TESTS_UNIT_EXIT_UTIL_H

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "arch/x86/paging.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "test.h"
#include "tests/harness/harness.h"
#include "vmm/vcpu/exit.h"
#include "vmm/vdev/vlapic.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vcpu/vmcs_access.h"
#include "vmm/platform/vmx.h"

#define XGP0		    (INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | INTR_INFO_ERROR_VALID | 13U)
#define XGP_REAL	    (INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | 13U) /* real mode: no error code */
#define XUD		    (INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | 6U)
#define IOQ(port, size, in) (((uint64_t)(port) << 16) | ((size) == 4 ? 3U : (size)-1U) | ((in) ? IOQ_IN : 0))
#define CRQ(cr, type, gpr)  ((uint64_t)(cr) | ((uint64_t)(type) << 4) | ((uint64_t)(gpr) << 8))

/* No invariant broken so far (fake VMCS, fake CPU, checks after exits). */
#define EXPECT_CLEAN()                                                                                       \
	EXPECT_MSG(hv_violations() == 0, "%u violation(s); first: %s", hv_violations(), hv_violation_text(0))

static inline struct vm *exit_vm(enum hv_mode m)
{
	struct vm *vm = hv_create(HV_MEM, 1, m);
	if (!vm)
		test_fail(__FILE__, __LINE__, "hv_create: %s", hv_violation_text(0));
	return vm;
}

/* End the VM and check nothing leaked and no invariant broke. */
#define EXIT_DONE(vm)                                                                                        \
	do {                                                                                                 \
		hv_destroy(vm);                                                                              \
		EXPECT_CLEAN();                                                                              \
	} while (0)

/* An EPT violation on MMIO at gpa (linear address la) made by the
 * instruction bytes insn, put at RIP. */
static inline struct hv_result mmio_exit(struct vcpu *v, const void *insn, unsigned len, uint64_t gpa,
					 uint64_t la, bool write)
{
	struct hv_exit e;
	hv_poke(v->vm, fvmcs_get(GUEST_RIP), insn, len);
	memset(&e, 0, sizeof(e));
	e.reason = EXIT_EPT_VIOLATION;
	e.qual = (write ? EPTQ_WRITE : EPTQ_READ) | EPTQ_GLA_VALID | EPTQ_GLA_FINAL;
	e.gpa = gpa;
	e.has_gpa = true;
	e.gla = la;
	e.has_gla = true;
	return hv_run(v, &e);
}

/* An INS/OUTS exit with its instruction information (address size asz: 0
 * 16-bit, 1 32-bit, 2 64-bit; segment seg, SDM Vol. 3C 28.2.5). */
static inline struct hv_exit string_exit(uint16_t port, unsigned size, bool in, bool rep, unsigned asz,
					 unsigned seg)
{
	struct hv_exit e;
	memset(&e, 0, sizeof(e));
	e.reason = EXIT_IO_INSTRUCTION;
	e.qual = IOQ(port, size, in) | IOQ_STRING | (rep ? IOQ_REP : 0);
	e.len = rep ? 2 : 1;
	e.has_len = true;
	e.insn_info = (asz << 7) | (seg << 15);
	e.has_info = true;
	e.has_gla = true;
	return e;
}

/* RDMSR/WRMSR exits (2 bytes). */
static inline struct hv_result rdmsr_exit(struct vcpu *v, uint32_t msr)
{
	v->regs[RCX] = msr;
	return hv_run_insn(v, EXIT_RDMSR, 0, 2);
}

static inline struct hv_result wrmsr_exit(struct vcpu *v, uint32_t msr, uint64_t val)
{
	v->regs[RCX] = msr;
	v->regs[RAX] = (uint32_t)val;
	v->regs[RDX] = val >> 32;
	return hv_run_insn(v, EXIT_WRMSR, 0, 2);
}

/* MOV to CRn from RAX (3 bytes). */
static inline struct hv_result mov_to_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
	v->regs[RAX] = val;
	return hv_run_insn(v, EXIT_CR_ACCESS, CRQ(cr, 0, RAX), 3);
}

#endif
