/* SPDX-License-Identifier: GPL-2.0-only */
/* deferred_io_teardown: a VM that ends while one of its vCPUs waits for a
 * device's answer (docs/guest-platform.md "The deferred test device"):
 * vCPU 1 reads the deferred test device's scratch port with the delay at
 * its maximum (100 ms), again and again; vCPU 0 waits until vCPU 1 is in
 * its loop and then ends the VM through the debug-exit port, while that
 * read is outstanding. The VMM must end the VM cleanly (the system test
 * reads "outstanding at the end 1" and a later completion refused) and
 * keep running the other guests. Run with two vCPUs
 * (run=deferred_io_teardown:16M:2); only under coopvmm. */
#include "rt/rt.h"

#include "rt/lapic.h"
#include "rt/smp.h"
#include "rt/timer.h"

#define DPORT_SCRATCH 0x500
#define DPORT_DELAY   0x510
#define DELAY_MAX_US  100000
#define AP_STACK      8192
#define AP_WAIT_MS    1000

static uint8_t ap_stack[AP_STACK] __attribute__((aligned(16)));
static volatile uint32_t ap_reads;

static void ap_fn(void *arg)
{
	(void)arg;
	for (;;) {
		__atomic_fetch_add(&ap_reads, 1, __ATOMIC_SEQ_CST);
		(void)inl(DPORT_SCRATCH);
	}
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	if (skip_unless_coopvmm("the deferred test device"))
		return 0;
	lapic_enable(false);
	if (smp_cpus() < 2)
		fail("one vCPU: run it as run=%s:16M:2", guest_name);
	outl(DPORT_DELAY, DELAY_MAX_US);
	EXPECT_EQ(inl(DPORT_DELAY), DELAY_MAX_US);
	EXPECT_TRUE(smp_start_ap(1, ap_fn, NULL, ap_stack, sizeof(ap_stack), AP_WAIT_MS));
	/* vCPU 1 is about to make its second read (its first took 100 ms);
	 * 20 ms later that read has been made and waits for 80 ms more. */
	while (__atomic_load_n(&ap_reads, __ATOMIC_SEQ_CST) < 2)
		cpu_relax();
	delay_ms(20);
	printf("vCPU 1 waits for its read %u: ending the VM now\n", ap_reads);
	return 0;
}
