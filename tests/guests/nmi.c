/* SPDX-License-Identifier: GPL-2.0-only */
/* nmi: NMIs reach the guest as the SDM describes (Vol. 3A 6.7.1 "Handling
 * Multiple NMIs", 10.6.1 ICR delivery mode NMI; coopvmm injects them as
 * virtual NMIs, Vol. 3C 24.6.1): a self-NMI through the ICR is delivered
 * with EFLAGS.IF = 0 on vector 2; a second NMI sent from inside the
 * handler waits until the handler's IRET, then arrives once; an NMI from
 * the I/O APIC (PIT on pin 2 in NMI delivery mode) ends a HLT executed with
 * interrupts disabled. */
#include "rt/rt.h"

#include "rt/ioapic.h"
#include "rt/lapic.h"
#include "rt/pic.h"
#include "rt/pit.h"
#include "rt/timer.h"

#define APIC_ICR_LO	   0x300
#define APIC_ICR_HI	   0x310
#define ICR_DM_NMI	   (4U << 8)
#define ICR_ASSERT	   (1U << 14)
#define ICR_XAPIC_DEST(id) ((uint32_t)(id) << 24)
#define RTE_DM_NMI	   (4U << 8)
#define RTE_DEST(id)	   ((uint32_t)(id) << 24)
#define PIT_PIN		   2
#define NMI_PIT_HZ	   100
#define WAIT_MS		   200
#define BLOCKED_SPIN_MS	   5

static volatile uint32_t nmi_count, nested, send_from_handler, still_blocked;
static volatile uint32_t handler_eflags;

static void self_nmi(void)
{
	lapic_write(APIC_ICR_HI, ICR_XAPIC_DEST(lapic_id()));
	lapic_write(APIC_ICR_LO, ICR_DM_NMI | ICR_ASSERT);
}

static void nmi_handler(struct trap_frame *f)
{
	static volatile uint32_t inside;
	if (inside)
		nested++;
	inside = 1;
	uint32_t mine = ++nmi_count;
	handler_eflags = f->eflags;
	if (send_from_handler) {
		send_from_handler = 0;
		self_nmi();
		/* Blocking by NMI holds until our IRET: nothing may arrive now. */
		uint64_t end = rdtsc() + ms_to_tsc(BLOCKED_SPIN_MS);
		while (rdtsc() < end)
			cpu_relax();
		still_blocked = nmi_count == mine;
	}
	inside = 0;
}

static bool wait_count(uint32_t want)
{
	uint64_t end = rdtsc() + ms_to_tsc(WAIT_MS);
	while (nmi_count < want && rdtsc() < end)
		cpu_relax();
	return nmi_count >= want;
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	cli();
	pic_mask_all();
	lapic_enable(false);
	trap_set_handler(VEC_NMI, nmi_handler);

	self_nmi();
	EXPECT_TRUE(wait_count(1));
	printf("self-NMI with IF = 0: %u delivered, handler saw EFLAGS %#x\n", nmi_count, handler_eflags);
	EXPECT_EQ(nmi_count, 1);
	EXPECT_FALSE(handler_eflags & EFLAGS_IF);

	send_from_handler = 1;
	self_nmi();
	EXPECT_TRUE(wait_count(3));
	delay_ms(BLOCKED_SPIN_MS);
	printf("NMI sent inside the handler: blocked until IRET %s, then delivered (count %u, nested %u)\n",
	       still_blocked ? "yes" : "NO", nmi_count, nested);
	EXPECT_TRUE(still_blocked);
	EXPECT_EQ(nmi_count, 3);
	EXPECT_EQ(nested, 0);

	/* The PIT through the I/O APIC in NMI delivery mode wakes cli; hlt. */
	ioapic_mask_all();
	ioapic_write(IOAPIC_REG_REDTBL(PIT_PIN) + 1, RTE_DEST(lapic_id()));
	ioapic_write(IOAPIC_REG_REDTBL(PIT_PIN), RTE_DM_NMI);
	pit_ch0_periodic(NMI_PIT_HZ);
	uint32_t before = nmi_count;
	uint64_t t0 = rdtsc();
	__asm__ volatile("cli; hlt" ::: "memory");
	uint64_t t1 = rdtsc();
	pit_ch0_stop();
	ioapic_mask(PIT_PIN, true);
	printf("cli; hlt ended by an I/O APIC NMI after %u us (count %u -> %u)\n",
	       (uint32_t)tsc_to_us(t1 - t0), before, nmi_count);
	EXPECT_GT(nmi_count, before);
	return 0;
}
