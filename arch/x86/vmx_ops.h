/* SPDX-License-Identifier: GPL-2.0-only */
/* vmx_ops.h: the VMX instructions as inline functions that report
 * VMfailInvalid / VMfailValid (Intel SDM Vol. 3C 31.2 "Conventions": CF=1
 * or ZF=1 after the instruction), and INVEPT/INVVPID descriptors (31.3). */
#ifndef ARCH_X86_VMX_OPS_H
#define ARCH_X86_VMX_OPS_H

#include <stdbool.h>
#include <stdint.h>

#define INVEPT_SINGLE_CONTEXT  1
#define INVEPT_ALL_CONTEXT     2
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXT    2

/* Each returns true on success (neither CF nor ZF set). */
static inline bool vmx_vmptrld(uint64_t pa)
{
	bool fail;
	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmx_vmclear(uint64_t pa)
{
	bool fail;
	__asm__ volatile("vmclear %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmx_vmwrite(uint64_t field, uint64_t val)
{
	bool fail;
	__asm__ volatile("vmwrite %2, %1; setna %0" : "=qm"(fail) : "r"(field), "rm"(val) : "cc");
	return !fail;
}

static inline bool vmx_vmread(uint64_t field, uint64_t *val)
{
	bool fail;
	__asm__ volatile("vmread %2, %1; setna %0" : "=qm"(fail), "=rm"(*val) : "r"(field) : "cc");
	return !fail;
}

struct invept_desc {
	uint64_t eptp, reserved;
};
struct invvpid_desc {
	uint64_t vpid, linear;
};

static inline bool vmx_invept(uint64_t type, uint64_t eptp)
{
	struct invept_desc d = {eptp, 0};
	bool fail;
	__asm__ volatile("invept %1, %2; setna %0" : "=qm"(fail) : "m"(d), "r"(type) : "cc", "memory");
	return !fail;
}

static inline bool vmx_invvpid(uint64_t type, uint16_t vpid)
{
	struct invvpid_desc d = {vpid, 0};
	bool fail;
	__asm__ volatile("invvpid %1, %2; setna %0" : "=qm"(fail) : "m"(d), "r"(type) : "cc", "memory");
	return !fail;
}

#endif
