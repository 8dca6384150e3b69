/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_ipistorm: interrupts between the vCPUs of one guest as fast as
 * they can be sent (Intel SDM Vol. 3A 10.6 IPIs, 8.4.4.1 INIT-SIPI-SIPI;
 * docs/guest-tests.md "Resource isolation"). Run with two vCPUs
 * (run=hostile_ipistorm:16M:2). After a quiet start (rt/pace.h) vCPU 0
 * starts vCPU 1; until the end of the attack vCPU 0 sends fixed IPIs to
 * vCPU 1, self IPIs, IPIs to an APIC ID nobody has, "all excluding self"
 * broadcasts and now and then an NMI to vCPU 1 (which coopvmm drops: NMI
 * IPIs are not supported), and every RESTART_MS it restarts vCPU 1 with INIT-SIPI-SIPI;
 * vCPU 1 answers every IPI and sends itself self IPIs. Each side counts
 * what it received; both must have received some of each kind that was
 * sent to them, and every restart must bring vCPU 1 back. */
#include "rt/rt.h"

#include "rt/lapic.h"
#include "rt/pace.h"
#include "rt/smp.h"
#include "rt/timer.h"

#define VEC_SELF   0x52 /* the lowest class: self IPIs must not starve the others */
#define VEC_PING   0x70 /* vCPU 0 -> 1 */
#define VEC_PONG   0x71 /* vCPU 1 -> 0 */
#define VEC_BCAST  0x80
#define NOBODY	   7 /* an APIC ID no vCPU has */
#define RESTART_MS 100
#define NMI_EVERY  1024
#define AP_WAIT_MS 1000
#define AP_STACK   8192

static uint8_t ap_stack[AP_STACK] __attribute__((aligned(16)));
static volatile uint32_t stop, ap_generation;
static volatile uint32_t bsp_pongs, bsp_self, ap_pings, ap_self, ap_bcast, ap_nmis, bsp_other;

static bool on_ap(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	return sp >= (uintptr_t)ap_stack && sp < (uintptr_t)ap_stack + sizeof(ap_stack);
}

/* The AP's own xAPIC, by MMIO: lapic_* follow vCPU 0's mode. */
static void ap_eoi(void)
{
	mmio_write32(LAPIC_DEFAULT_BASE + APIC_EOI, 0);
}

static void ap_send(uint32_t dest, uint32_t lo)
{
	mmio_write32(LAPIC_DEFAULT_BASE + APIC_ICR_HI, ICR_XAPIC_DEST(dest));
	mmio_write32(LAPIC_DEFAULT_BASE + APIC_ICR_LO, lo);
}

static void ping_handler(struct trap_frame *f)
{
	(void)f;
	if (!on_ap()) {
		bsp_other++;
		lapic_eoi();
		return;
	}
	ap_pings++;
	ap_send(0, ICR_DM_FIXED | ICR_ASSERT | VEC_PONG);
	ap_eoi();
}

static void pong_handler(struct trap_frame *f)
{
	(void)f;
	if (on_ap()) {
		ap_eoi();
		return;
	}
	bsp_pongs++;
	lapic_eoi();
}

static void self_handler(struct trap_frame *f)
{
	(void)f;
	if (on_ap()) {
		ap_self++;
		ap_eoi();
	} else {
		bsp_self++;
		lapic_eoi();
	}
}

static void bcast_handler(struct trap_frame *f)
{
	(void)f;
	if (on_ap()) {
		ap_bcast++;
		ap_eoi();
	} else {
		bsp_other++; /* "excluding self": never here */
		lapic_eoi();
	}
}

static void nmi_handler(struct trap_frame *f)
{
	(void)f;
	if (on_ap())
		ap_nmis++;
	else
		bsp_other++;
}

static void spurious_handler(struct trap_frame *f)
{
	(void)f;
}

static void ap_main_fn(void *arg)
{
	(void)arg;
	ap_generation++;
	mmio_write32(LAPIC_DEFAULT_BASE + APIC_TPR, 0);
	mmio_write32(LAPIC_DEFAULT_BASE + APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	sti();
	while (!stop)
		ap_send(0, ICR_SH_SELF | ICR_DM_FIXED | ICR_ASSERT | VEC_SELF);
	cli();
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	pace_t0();
	trap_set_handler(VEC_PING, ping_handler);
	trap_set_handler(VEC_PONG, pong_handler);
	trap_set_handler(VEC_SELF, self_handler);
	trap_set_handler(VEC_BCAST, bcast_handler);
	trap_set_handler(VEC_NMI, nmi_handler);
	trap_set_handler(APIC_SPURIOUS_VECTOR, spurious_handler);
	lapic_enable(false);
	uint32_t cpus = smp_cpus();
	pace_hostile_start("an IPI storm between vCPUs");
	bool two = cpus >= 2 && smp_start_ap(1, ap_main_fn, NULL, ap_stack, sizeof(ap_stack), AP_WAIT_MS);
	if (!two) {
		if (under_coopvmm() && cpus >= 2)
			fail("vCPU 1 did not start");
		skip("IPIs to vCPU 1 (%u vCPU(s): run=%s:16M:2, QEMU -smp 2)", cpus, guest_name);
	}
	uint32_t sent = 0, restarts = 0;
	uint64_t next_restart = rdtsc() + ms_to_tsc(RESTART_MS);
	sti();
	while (pace_hostile_running()) {
		lapic_send_ipi(0, ICR_SH_SELF | ICR_DM_FIXED | ICR_ASSERT | VEC_SELF);
		lapic_send_ipi(NOBODY, ICR_DM_FIXED | ICR_ASSERT | VEC_PING);
		if (two) {
			lapic_send_ipi(1, ICR_DM_FIXED | ICR_ASSERT | VEC_PING);
			lapic_send_ipi(0, ICR_SH_OTHERS | ICR_DM_FIXED | ICR_ASSERT | VEC_BCAST);
			/* Not every round: where NMIs arrive (QEMU), a stream of
			 * them keeps vCPU 1 in its NMI handler. */
			if (sent % NMI_EVERY == 0)
				lapic_send_ipi(1, ICR_DM_NMI | ICR_ASSERT);
		}
		sent++;
		if (two && rdtsc() >= next_restart) {
			cli();
			uint32_t gen = ap_generation;
			if (!smp_start_ap(1, ap_main_fn, NULL, ap_stack, sizeof(ap_stack), AP_WAIT_MS))
				fail("restart %u: vCPU 1 did not come back within %u ms", restarts + 1,
				     AP_WAIT_MS);
			EXPECT_EQ(ap_generation, gen + 1);
			restarts++;
			sti();
			next_restart = rdtsc() + ms_to_tsc(RESTART_MS);
		}
	}
	stop = 1;
	delay_ms(5);
	cli();
	printf("vCPU 0 sent %u rounds; received %u pongs, %u self IPIs, %u misdirected\n", sent, bsp_pongs,
	       bsp_self, bsp_other);
	printf("vCPU 1: %u pings, %u self IPIs, %u broadcasts, %u NMIs, %u restarts (generation %u)\n",
	       ap_pings, ap_self, ap_bcast, ap_nmis, restarts, ap_generation);
	EXPECT_GT(sent, 0);
	EXPECT_GT(bsp_self, 0);
	EXPECT_EQ(bsp_other, 0);
	if (two) {
		EXPECT_GT(ap_pings, 0);
		EXPECT_GT(bsp_pongs, 0);
		EXPECT_GT(ap_self, 0);
		EXPECT_GT(ap_bcast, 0);
		EXPECT_GT(restarts, 0);
		EXPECT_EQ(ap_generation, restarts + 1);
	}
	return 0;
}
