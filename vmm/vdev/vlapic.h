/* SPDX-License-Identifier: GPL-2.0-only */
/* vlapic.h: a guest vCPU's virtual local APIC (Intel SDM Vol. 3A ch. 10:
 * registers 10.4-10.5, IPIs 10.6, priorities/EOI 10.8, x2APIC 10.12). Pure
 * logic: no hardware access, no allocation, no globals; time is the guest's
 * TSC passed in by the caller, who also holds the VM's lock. */
#ifndef VMM_VLAPIC_H
#define VMM_VLAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/apic.h"   /* registers and fields, APIC_DEFAULT_BASE */
#include "arch/x86/msr.h"    /* IA32_APIC_BASE fields (APIC_BASE_*) */
#include "arch/x86/paging.h" /* PHYS_ADDR_BITS_MAX */

#define VLAPIC_VERSION 0x14 /* integrated APIC (Version register bits 7:0) */
#define VLAPIC_NR_LVT  7    /* CMCI, timer, thermal, perf, LINT0, LINT1, error */

/* Index into struct vlapic.lvt[]: ordered as the version register counts
 * them (SDM 10.5.1, Figure 10-8). */
enum vlapic_lvt {
	VLAPIC_LVT_CMCI,
	VLAPIC_LVT_TIMER,
	VLAPIC_LVT_THERMAL,
	VLAPIC_LVT_PERF,
	VLAPIC_LVT_LINT0,
	VLAPIC_LVT_LINT1,
	VLAPIC_LVT_ERROR,
};

/* Callbacks into the VMM core. Called with the vlapic's state consistent, so
 * they may call vlapic_accept() on any vlapic of the VM, this one included. */
struct vlapic_ops {
	/* ICR or SELF IPI write: deliver an IPI inside the VM (never to a real
	 * CPU). dest: xAPIC 8 bits (ICR bits 63:56), x2APIC 32 bits; to be
	 * matched with vlapic_match_dest(). shorthand: ICR_SH_*. */
	void (*send_ipi)(void *ctx, uint32_t dest, bool logical, uint8_t shorthand, uint8_t delivery_mode,
			 uint8_t vector, bool level_assert);
	/* EOI of a level-triggered vector (TMR bit set): forward to the vIOAPIC. */
	void (*eoi_level)(void *ctx, uint8_t vector);
};

/* All state of one virtual local APIC. Fields are the caller's to read (for
 * logs and dumps) but only the vlapic_ functions change them, except
 * max_phys_bits, which the caller may lower after vlapic_init() to the
 * guest's CPUID.80000008H:EAX[7:0]. */
struct vlapic {
	const struct vlapic_ops *ops;
	void *ctx;
	uint64_t tsc_khz;	/* TSC = LAPIC bus clock (see vlapic.c) */
	uint64_t apic_base;	/* IA32_APIC_BASE as the guest reads it */
	uint32_t max_phys_bits; /* address bits IA32_APIC_BASE may set */
	uint32_t id;		/* initial APIC ID; xAPIC ID = bits 7:0 */

	uint32_t tpr; /* bits 7:0 */
	uint32_t ldr; /* xAPIC: bits 31:24 written; x2APIC: derived */
	uint32_t dfr; /* xAPIC only: model in bits 31:28 */
	uint32_t svr;
	uint32_t esr;	      /* what ESR reads: errors latched at the last ESR write */
	uint32_t esr_pending; /* errors since the last ESR write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_NR_LVT];
	uint32_t irr[8], isr[8], tmr[8]; /* bit v%32 of word v/32 = vector v */

	/* Timer (SDM 10.5.4). One-shot/periodic: while timer_running, the count
	 * was timer_count at TSC timer_start and drops by one every
	 * 2^timer_shift TSC cycles; it expires at timer_start +
	 * (timer_count << timer_shift). TSC-deadline: armed iff tsc_deadline. */
	uint32_t timer_initial; /* initial-count register */
	uint32_t timer_dcr;	/* divide-configuration register (bits 0,1,3) */
	uint32_t timer_count;
	uint32_t timer_shift; /* log2 of the divisor from timer_dcr */
	bool timer_running;
	uint64_t timer_start;
	uint64_t tsc_deadline; /* IA32_TSC_DEADLINE, 0 = disarmed */
};

/* Power-on state (SDM 10.4.7.1): globally enabled in xAPIC mode at
 * APIC_DEFAULT_BASE, software-disabled (SVR = 0xff), every LVT masked.
 * tsc_khz is recorded for reporting; ops/ctx receive the callbacks (ops or
 * its members may be NULL: IPIs and level EOIs are then dropped). */
void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t tsc_khz, const struct vlapic_ops *ops,
		 void *ctx);

/* INIT received (SDM 10.4.7.3): registers back to their power-on values,
 * except the APIC ID and IA32_APIC_BASE (mode and address are kept). */
void vlapic_init_signal(struct vlapic *l);

/* xAPIC MMIO: a 32-bit access at offset (within the 4 KiB page at the base).
 * The caller handles other sizes itself and passes only 4-byte accesses.
 * Returns 0; -EINVAL if offset is not 16-byte aligned (the registers are on
 * 128-bit boundaries, SDM 10.4.1) or is >= 0x1000: reads then give 0 and
 * writes are ignored; -ENODEV if the APIC is not in xAPIC mode (disabled or
 * x2APIC, SDM 10.12.1.2): reads give 0xffffffff (no device), writes are
 * ignored. An unimplemented register reads 0, ignores writes and sets the
 * ESR's illegal-register bit; read-only registers ignore writes; EOI reads 0. */
int vlapic_mmio(struct vlapic *l, uint32_t offset, bool write, uint32_t *val, uint64_t now_tsc);

/* x2APIC RDMSR/WRMSR of msr 0x800-0x8ff. Returns 0, or -EINVAL meaning
 * "inject #GP(0)": not in x2APIC mode, an MSR not in SDM Table 10-6, a write
 * to a read-only or read of a write-only register, a non-zero write to EOI
 * or ESR, or a write setting reserved bits (SDM 10.12.1.2-3, 10.12.9). *val
 * is unchanged on a failed read. */
int vlapic_msr(struct vlapic *l, uint32_t msr, bool write, uint64_t *val, uint64_t now_tsc);

/* WRMSR IA32_APIC_BASE (SDM 10.4.4, 10.12.5). Returns 0, or -EINVAL (#GP)
 * for reserved bits (7:0, 9, >= max_phys_bits), EXTD without EN, and the
 * invalid transitions x2APIC -> xAPIC and disabled -> x2APIC. Disabling
 * resets the registers (state is lost, SDM 10.4.3); enabling x2APIC keeps
 * them and derives the LDR. The BSP bit is not writable (kept). */
int vlapic_set_apic_base(struct vlapic *l, uint64_t val);
static inline uint64_t vlapic_get_apic_base(const struct vlapic *l)
{
	return l->apic_base;
}

/* RDMSR/WRMSR IA32_TSC_DEADLINE (SDM 10.5.4.1). Outside TSC-deadline mode
 * reads give 0 and writes are ignored. A past deadline fires at once.
 * Returns 0 (-EINVAL only for a NULL val). */
int vlapic_tsc_deadline(struct vlapic *l, bool write, uint64_t *val, uint64_t now_tsc);

/* MOV to/from CR8 (SDM 10.8.6.1): CR8[3:0] = TPR[7:4]. The write returns
 * -EINVAL (#GP) if bits 63:4 are set. */
uint64_t vlapic_cr8_read(const struct vlapic *l);
int vlapic_cr8_write(struct vlapic *l, uint64_t val);

/* A fixed interrupt for this APIC (vIOAPIC, an IPI the caller matched to
 * it, LINT0/LINT1 in fixed mode): sets IRR, and TMR if level else clears
 * it. Dropped while the APIC is disabled (globally or in software); a vector
 * 0-15 sets ESR "receive illegal vector" instead (SDM 10.5.3). */
void vlapic_accept(struct vlapic *l, uint8_t vector, bool level);

/* Highest IRR vector whose priority class beats the PPR (SDM 10.8.3.1), or
 * -1; always -1 while the APIC is disabled (globally or in software). */
int vlapic_pending(const struct vlapic *l);

/* The vCPU takes vector (normally vlapic_pending()'s): IRR -> ISR, which
 * raises the PPR. Ignored if the vector is not in IRR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);

/* Advance the timer to now_tsc: an expired one-shot or deadline fires once
 * and disarms; a periodic timer fires once however many periods passed
 * (coalesced) and re-bases on the latest period. Firing sets IRR unless the
 * LVT timer is masked. Returns the TSC of the next interrupt, or UINT64_MAX
 * if none is due (stopped, or masked: a masked timer counts, lazily). Call
 * it again after every vlapic_mmio/msr/tsc_deadline/set_apic_base/
 * init_signal to re-arm the host timer. */
uint64_t vlapic_timer_update(struct vlapic *l, uint64_t now_tsc);

bool vlapic_is_x2apic(const struct vlapic *l);

/* Is this APIC a destination of an IPI or a vIOAPIC message (SDM 10.6.2)?
 * Physical: ID equality or broadcast (xAPIC 0xff, x2APIC 0xffffffff).
 * Logical: xAPIC flat (LDR bits & dest) or cluster (DFR model 0: cluster
 * nibble equal or 0xf, member bits &), x2APIC cluster (bits 31:16 equal,
 * bits 15:0 &); 0xff / 0xffffffff match all. xAPIC uses dest bits 7:0.
 * A globally disabled APIC matches nothing. */
bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical);

/* The LVT LINT0 (pin 0) or LINT1 (pin 1) entry as the caller should act on
 * it (ExtINT/NMI/fixed routing of the vPIC and NMI lines): mask bit forced
 * while the APIC is disabled; a masked value for any other pin. */
uint32_t vlapic_lint(const struct vlapic *l, unsigned int pin);

#endif
