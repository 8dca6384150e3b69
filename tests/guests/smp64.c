/* SPDX-License-Identifier: GPL-2.0-only */
/* smp64: a 64-bit guest starts its second vCPU straight into 64-bit mode
 * the way an OS does (Intel SDM Vol. 3A 8.4.4.1 INIT-SIPI-SIPI, 9.9.1 real
 * to protected mode, 9.8.5 IA-32e activation): the trampoline of
 * rt/smp_tramp.asm enters 32-bit protected mode, then PAE, EFER.LME and
 * CR0.PG on the BSP's page tables, with TR as INIT left it (no LTR first,
 * as Linux's trampoline does). vCPU 1 records CR0, CR4, EFER, CS, its APIC
 * ID and a 64-bit result; vCPU 0 checks them. Run with two vCPUs
 * (run=smp64:16M:2; QEMU -smp 2). */
/* guest: 64-bit */
#include "rt/rt.h"

#include "rt/lapic.h"
#include "rt/smp.h"

#define AP_STACK   8192
#define AP_WAIT_MS 1000

static uint8_t ap_stack[AP_STACK] __attribute__((aligned(16)));
static volatile uint64_t ap_cr0, ap_cr4, ap_efer, ap_result;
static volatile uint32_t ap_cs, ap_id, ap_done;

static void ap_fn(void *arg)
{
	uint64_t x = (uint64_t)(uintptr_t)arg;
	ap_cr0 = read_cr0();
	ap_cr4 = read_cr4();
	ap_efer = rdmsr(MSR_IA32_EFER);
	ap_cs = read_cs();
	ap_id = mmio_read32(LAPIC_DEFAULT_BASE + APIC_ID) >> 24;
	ap_result = x * 0x100000001ULL; /* needs 64-bit registers */
	__atomic_store_n(&ap_done, 1, __ATOMIC_SEQ_CST);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	lapic_enable(false);
	uint32_t cpus = smp_cpus();
	if (cpus < 2) {
		if (under_coopvmm())
			fail("one vCPU: run it as run=%s:16M:2", guest_name);
		skip("the AP (one CPU: QEMU -smp 2)");
		return 0;
	}
	bool up = smp_start_ap(1, ap_fn, (void *)0x12345678UL, ap_stack, sizeof(ap_stack), AP_WAIT_MS);
	for (int i = 0; up && !ap_done && i < 1000000; i++)
		cpu_relax();
	printf("vCPU 1: %s; cr0 %#llx cr4 %#llx efer %#llx cs %#x apic id %u result %#llx\n",
	       up ? "started" : "did not start", (unsigned long long)ap_cr0, (unsigned long long)ap_cr4,
	       (unsigned long long)ap_efer, ap_cs, ap_id, (unsigned long long)ap_result);
	EXPECT_TRUE(up);
	EXPECT_EQ(ap_done, 1);
	EXPECT_EQ(ap_cr0 & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
	EXPECT_EQ(ap_cr4 & CR4_PAE, CR4_PAE);
	EXPECT_EQ(ap_efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	EXPECT_EQ(ap_cs, SEL_CODE64);
	EXPECT_EQ(ap_id, 1);
	EXPECT_EQ(ap_result, 0x1234567812345678ULL);
	return 0;
}
