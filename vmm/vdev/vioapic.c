/* SPDX-License-Identifier: GPL-2.0-only */
/* vioapic.c: the virtual I/O APIC. Follows the Intel 82093AA datasheet 3.0
 * (IOREGSEL/IOWIN indirection, IOAPICID, IOAPICVER, IOAPICARB, the
 * redirection table and its read-only delivery status/remote IRR bits) and
 * the EOI register (offset 0x40) of version 0x20 I/O APICs. */
#include "vmm/vdev/vioapic.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define ALL_ONES32	0xffffffffu
#define ALL_ONES64	(~0ULL)
#define DWORD		4u
#define QWORD		8u
#define HALF_SHIFT	32
#define LOW_HALF	0xffffffffULL
#define MAX_REDIR_ENTRY (VIOAPIC_PINS - 1)
#define REG_REDTBL_END	(IOAPIC_REG_REDTBL_BASE + 2 * VIOAPIC_PINS)

/* Bits the guest may write: vector, delivery mode, destination mode,
 * polarity, trigger mode, mask (low half); destination (high half). */
#define RTE_WRITABLE_LO                                                                                      \
	(IOAPIC_RTE_VECTOR | IOAPIC_RTE_DM_MASK << IOAPIC_RTE_DM_SHIFT | IOAPIC_RTE_LOGICAL |                \
	 IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED)
#define RTE_WRITABLE_HI (0xffULL << IOAPIC_RTE_DEST_SHIFT)
#define RTE_RESET	IOAPIC_RTE_MASKED

static uint32_t pin_bit(unsigned pin)
{
	return 1u << pin;
}

static unsigned rte_dm(uint64_t rte)
{
	return (unsigned)((rte >> IOAPIC_RTE_DM_SHIFT) & IOAPIC_RTE_DM_MASK);
}

/* Delivery modes 3 and 6 are reserved: such a pin delivers nothing. */
static bool dm_reserved(unsigned dm)
{
	return dm != APIC_DM_FIXED && dm != APIC_DM_LOWEST && dm != APIC_DM_SMI && dm != APIC_DM_NMI &&
	       dm != APIC_DM_INIT && dm != APIC_DM_EXTINT;
}

/* Level-triggered as delivered: SMI, NMI, INIT and ExtINT are always edge
 * (82093AA, delivery mode descriptions). */
static bool rte_level(uint64_t rte)
{
	unsigned dm = rte_dm(rte);

	return (rte & IOAPIC_RTE_LEVEL) && (dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST);
}

static void pin_deliver(struct vioapic *io, unsigned pin)
{
	uint64_t rte = io->redir[pin];
	struct vioapic_msg m;

	if (dm_reserved(rte_dm(rte)))
		return;
	m.dest = (uint32_t)(rte >> IOAPIC_RTE_DEST_SHIFT);
	m.vector = (uint8_t)(rte & IOAPIC_RTE_VECTOR);
	m.delivery_mode = (uint8_t)rte_dm(rte);
	m.logical = rte & IOAPIC_RTE_LOGICAL;
	m.level = rte_level(rte);
	if (m.level)
		io->redir[pin] |= IOAPIC_RTE_REMOTE_IRR; /* set before the callback runs */
	if (io->deliver)
		io->deliver(io->ctx, &m);
}

/* A level pin delivers while asserted, unmasked and not awaiting an EOI. */
static void pin_check_level(struct vioapic *io, unsigned pin)
{
	uint64_t rte = io->redir[pin];

	if (rte_level(rte) && !(rte & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) &&
	    (io->line & pin_bit(pin)))
		pin_deliver(io, pin);
}

static void write_rte(struct vioapic *io, unsigned pin, bool high, uint32_t v)
{
	uint64_t rte = io->redir[pin];

	if (high)
		rte = (rte & ~RTE_WRITABLE_HI) | (((uint64_t)v << HALF_SHIFT) & RTE_WRITABLE_HI);
	else
		rte = (rte & ~RTE_WRITABLE_LO) | (v & RTE_WRITABLE_LO);
	/* Remote IRR means nothing for an edge pin; switching a pin to edge
	 * clears it (what pre-0x20 Linux relies on to clear a stuck IRR). */
	if (!rte_level(rte))
		rte &= ~IOAPIC_RTE_REMOTE_IRR;
	io->redir[pin] = rte;
	pin_check_level(io, pin);
}

static uint32_t read_reg(const struct vioapic *io, unsigned reg)
{
	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB: /* the arbitration ID follows the ID */
		return (uint32_t)io->id << IOAPIC_ID_SHIFT;
	case IOAPIC_REG_VER:
		return VIOAPIC_VERSION | (uint32_t)MAX_REDIR_ENTRY << IOAPIC_VER_MRE_SHIFT;
	default:
		break;
	}
	if (reg >= IOAPIC_REG_REDTBL_BASE && reg < REG_REDTBL_END) {
		unsigned i = reg - IOAPIC_REG_REDTBL_BASE;
		uint64_t rte = io->redir[i / 2];

		return (uint32_t)(i % 2 ? rte >> HALF_SHIFT : rte & LOW_HALF);
	}
	return 0; /* unimplemented registers read as zero */
}

static void write_reg(struct vioapic *io, unsigned reg, uint32_t v)
{
	if (reg == IOAPIC_REG_ID) {
		io->id = (uint8_t)((v >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK);
	} else if (reg >= IOAPIC_REG_REDTBL_BASE && reg < REG_REDTBL_END) {
		unsigned i = reg - IOAPIC_REG_REDTBL_BASE;

		write_rte(io, i / 2, i % 2, v);
	}
	/* VER, ARB and unimplemented registers ignore writes. */
}

void vioapic_init(struct vioapic *io, uint32_t id, vioapic_deliver_fn fn, void *ctx)
{
	memset(io, 0, sizeof(*io));
	io->id = (uint8_t)(id & IOAPIC_ID_MASK);
	io->deliver = fn;
	io->ctx = ctx;
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->redir[i] = RTE_RESET;
}

int vioapic_mmio(struct vioapic *io, uint64_t offset, bool write, uint32_t *val)
{
	switch (offset) {
	case IOAPIC_REGSEL:
		if (write)
			io->regsel = (uint8_t)(*val & IOAPIC_REGSEL_MASK);
		else
			*val = io->regsel;
		return 0;
	case IOAPIC_WIN:
		if (write)
			write_reg(io, io->regsel, *val);
		else
			*val = read_reg(io, io->regsel);
		return 0;
	case IOAPIC_EOI:
		if (write)
			vioapic_eoi(io, (uint8_t)(*val & IOAPIC_EOI_VECTOR_MASK));
		else
			*val = 0; /* write-only */
		return 0;
	default:
		if (!write)
			*val = ALL_ONES32;
		return -EINVAL;
	}
}

int vioapic_mmio_sized(struct vioapic *io, uint64_t offset, unsigned size, bool write, uint64_t *val)
{
	uint32_t v32;
	int r;

	if (size != DWORD) {
		if (!write)
			*val =
			    size > 0 && size < QWORD ? ALL_ONES64 >> (QWORD - size) * BYTE_BITS : ALL_ONES64;
		return -EINVAL;
	}
	v32 = (uint32_t)*val;
	r = vioapic_mmio(io, offset, write, &v32);
	if (!write)
		*val = v32;
	return r;
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
	bool was;

	if (pin >= VIOAPIC_PINS)
		return;
	was = io->line & pin_bit(pin);
	io->line = level ? io->line | pin_bit(pin) : io->line & ~pin_bit(pin);
	if (rte_level(io->redir[pin]))
		pin_check_level(io, pin);
	else if (level && !was && !(io->redir[pin] & IOAPIC_RTE_MASKED))
		pin_deliver(io, pin);
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t rte = io->redir[pin];

		if (!(rte & IOAPIC_RTE_REMOTE_IRR) || (rte & IOAPIC_RTE_VECTOR) != vector)
			continue;
		io->redir[pin] = rte & ~IOAPIC_RTE_REMOTE_IRR;
		pin_check_level(io, pin);
	}
}
