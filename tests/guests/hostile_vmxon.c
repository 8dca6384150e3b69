/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_vmxon: VMX is hidden from guests (docs/guest-platform.md "CPU"):
 * setting CR4.VMXE raises #GP (a reserved bit when CPUID.1:ECX.VMX = 0,
 * Intel SDM Vol. 3A 2.5), and VMXON, VMREAD, VMWRITE, VMPTRLD,
 * VMCLEAR, VMLAUNCH, VMRESUME, INVEPT, INVVPID each raise #UD in the guest
 * (the guest's own handler sees it); VMCALL is coopvmm's hypercall (the
 * hypercall guest checks it). The guest then passes. */
#include "rt/rt.h"

#include "rt/hv.h"

#define CR4_VMXE	    (1U << 13)
#define VMCS_VM_EXIT_REASON 0x4402 /* SDM Vol. 3D Appendix B: a read-only field */
#define VMCS_GUEST_RIP	    0x681e

static uint64_t region __attribute__((aligned(4096)));
static uint64_t desc[2] __attribute__((aligned(16)));

#define NOINLINE __attribute__((noinline))
static NOINLINE void do_set_vmxe(void *a)
{
	(void)a;
	write_cr4(read_cr4() | CR4_VMXE);
}
static NOINLINE void do_vmxon(void *a)
{
	(void)a;
	__asm__ volatile("vmxon %0" : : "m"(region) : "memory", "cc");
}
static NOINLINE void do_vmread(void *a)
{
	(void)a;
	uint32_t v;
	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((uint32_t)VMCS_VM_EXIT_REASON) : "memory", "cc");
}
static NOINLINE void do_vmwrite(void *a)
{
	(void)a;
	__asm__ volatile("vmwrite %1, %0" : : "r"((uint32_t)VMCS_GUEST_RIP), "r"(0U) : "memory", "cc");
}
static NOINLINE void do_vmptrld(void *a)
{
	(void)a;
	__asm__ volatile("vmptrld %0" : : "m"(region) : "memory", "cc");
}
static NOINLINE void do_vmclear(void *a)
{
	(void)a;
	__asm__ volatile("vmclear %0" : : "m"(region) : "memory", "cc");
}
static NOINLINE void do_vmlaunch(void *a)
{
	(void)a;
	__asm__ volatile("vmlaunch" : : : "memory", "cc");
}
static NOINLINE void do_vmresume(void *a)
{
	(void)a;
	__asm__ volatile("vmresume" : : : "memory", "cc");
}
static NOINLINE void do_invept(void *a)
{
	(void)a;
	__asm__ volatile("invept %0, %1" : : "m"(desc), "r"(1U) : "memory", "cc");
}
static NOINLINE void do_invvpid(void *a)
{
	(void)a;
	__asm__ volatile("invvpid %0, %1" : : "m"(desc), "r"(1U) : "memory", "cc");
}

static const struct {
	const char *name;
	void (*fn)(void *);
} ud_insns[] = {
    {"vmxon", do_vmxon},       {"vmread", do_vmread},	{"vmwrite", do_vmwrite},
    {"vmptrld", do_vmptrld},   {"vmclear", do_vmclear}, {"vmlaunch", do_vmlaunch},
    {"vmresume", do_vmresume}, {"invept", do_invept},	{"invvpid", do_invvpid},
};

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	struct trap_info ti;
	EXPECT_FALSE(cpu_has(CPUID_LEAF_FEATURES, REG_ECX, CPUID1_ECX_VMX));
	int v;
	if (!skip_unless_coopvmm("CR4.VMXE = 1 (QEMU 7.2 TCG hangs on it instead of raising #GP)")) {
		v = trap_catch(do_set_vmxe, NULL, &ti);
		printf("%-10s -> %s (error code %#x), CR4 %#x\n", "CR4.VMXE=1",
		       v == TRAP_NONE ? "no exception" : trap_name(v), ti.error_code, read_cr4());
		EXPECT_EQ(v, VEC_GP);
		EXPECT_EQ(ti.error_code, 0);
		EXPECT_FALSE(read_cr4() & CR4_VMXE);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ud_insns); i++) {
		v = trap_catch(ud_insns[i].fn, NULL, &ti);
		printf("%-10s -> %s at %#x\n", ud_insns[i].name,
		       v == TRAP_NONE ? "no exception" : trap_name(v), ti.eip);
		EXPECT_EQ(v, VEC_UD);
	}
	printf("every VMX instruction raised #UD\n");
	return 0;
}
