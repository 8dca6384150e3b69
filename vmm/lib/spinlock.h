/* SPDX-License-Identifier: GPL-2.0-only */
/* spinlock.h: a test-and-test-and-set spinlock that also disables
 * interrupts while held, so an interrupt handler on the same CPU never
 * deadlocks on a lock its CPU holds. */
#ifndef VMM_SPINLOCK_H
#define VMM_SPINLOCK_H

#include <stdint.h>

#include "arch/x86/cpu.h"

struct spinlock {
	volatile uint32_t locked;
};

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = read_rflags();
	irq_disable();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	if (flags & RFLAGS_IF)
		irq_enable();
}

#endif
