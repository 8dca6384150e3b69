/* SPDX-License-Identifier: GPL-2.0-only */
/* test_vioapic.c: unit tests of the virtual I/O APIC (vmm/vdev/vioapic.c):
 * IOREGSEL/IOWIN, ID/VER/ARB, redirection entries as two 32-bit halves
 * with read-only bits, edge and level delivery, masking, remote IRR and EOI
 * (LAPIC path and the EOI register), hostile indices, bad offsets and
 * sizes, and random garbage. Deliveries are recorded by a fake LAPIC. */
#include <stdlib.h>

#include "test.h"
#include "vmm/lib/errno.h"
#include "vmm/vdev/vioapic.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_LOG 64

struct fake_lapic {
	unsigned count;
	struct vioapic_msg log[MAX_LOG];
};

static void record(void *ctx, const struct vioapic_msg *m)
{
	struct fake_lapic *l = ctx;

	if (l->count < MAX_LOG)
		l->log[l->count] = *m;
	l->count++;
}

static void reg_write(struct vioapic *io, uint32_t reg, uint32_t v)
{
	EXPECT_EQ(vioapic_mmio(io, IOAPIC_REGSEL, true, &reg), 0);
	EXPECT_EQ(vioapic_mmio(io, IOAPIC_WIN, true, &v), 0);
}

static uint32_t reg_read(struct vioapic *io, uint32_t reg)
{
	uint32_t v = 0x5a5a5a5a;

	EXPECT_EQ(vioapic_mmio(io, IOAPIC_REGSEL, true, &reg), 0);
	EXPECT_EQ(vioapic_mmio(io, IOAPIC_WIN, false, &v), 0);
	return v;
}

/* Linux's order: high half (destination) first, then the low half. */
static void rte_write(struct vioapic *io, unsigned pin, uint64_t rte)
{
	reg_write(io, IOAPIC_REG_REDTBL_BASE + 2 * pin + 1, (uint32_t)(rte >> 32));
	reg_write(io, IOAPIC_REG_REDTBL_BASE + 2 * pin, (uint32_t)rte);
}

static uint64_t rte_read(struct vioapic *io, unsigned pin)
{
	uint64_t lo = reg_read(io, IOAPIC_REG_REDTBL_BASE + 2 * pin);

	return lo | (uint64_t)reg_read(io, IOAPIC_REG_REDTBL_BASE + 2 * pin + 1) << 32;
}

#define EDGE(vec, dest)	 ((uint64_t)(vec) | (uint64_t)(dest) << IOAPIC_RTE_DEST_SHIFT)
#define LEVEL(vec, dest) (EDGE(vec, dest) | IOAPIC_RTE_LEVEL | IOAPIC_RTE_ACTIVE_LOW)

static void setup(struct vioapic *io, struct fake_lapic *l)
{
	memset(l, 0, sizeof(*l));
	vioapic_init(io, 2, record, l);
}

TEST(vioapic, reset_state)
{
	struct vioapic io;
	struct fake_lapic l;

	setup(&io, &l);
	EXPECT_EQ(reg_read(&io, IOAPIC_REG_ID), 2u << 24);
	EXPECT_EQ(reg_read(&io, IOAPIC_REG_VER), 0x00170020); /* 24 entries, version 0x20 */
	EXPECT_EQ(reg_read(&io, IOAPIC_REG_ARB), 2u << 24);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		test_context("pin %u", pin);
		EXPECT_EQ(rte_read(&io, pin), IOAPIC_RTE_MASKED);
		vioapic_set_irq(&io, pin, true);
	}
	EXPECT_EQ(l.count, 0);
	vioapic_init(&io, 0x12345678, record, &l);
	EXPECT_EQ(reg_read(&io, IOAPIC_REG_ID), 8u << 24); /* 4 bits */
}

TEST(vioapic, register_select_and_window)
{
	struct vioapic io;
	struct fake_lapic l;
	uint32_t v;

	setup(&io, &l);
	v = 0xabcdef13;
	EXPECT_EQ(vioapic_mmio(&io, IOAPIC_REGSEL, true, &v), 0);
	EXPECT_EQ(vioapic_mmio(&io, IOAPIC_REGSEL, false, &v), 0);
	EXPECT_EQ(v, 0x13); /* 8-bit register address */
	v = 0x12345678;
	EXPECT_EQ(vioapic_mmio(&io, IOAPIC_WIN, true, &v), 0); /* pin 1 high half */
	EXPECT_EQ(rte_read(&io, 1), IOAPIC_RTE_MASKED | 0x12ULL << 56);
	/* ID writes keep bits 27:24; ARB follows; VER is read-only. */
	reg_write(&io, IOAPIC_REG_ID, 0xffffffff);
	EXPECT_EQ(reg_read(&io, IOAPIC_REG_ID), 0x0f000000);
	EXPECT_EQ(reg_read(&io, IOAPIC_REG_ARB), 0x0f000000);
	reg_write(&io, IOAPIC_REG_VER, 0);
	reg_write(&io, IOAPIC_REG_ARB, 0);
	EXPECT_EQ(reg_read(&io, IOAPIC_REG_VER), 0x00170020);
	EXPECT_EQ(reg_read(&io, IOAPIC_REG_ARB), 0x0f000000);
}

TEST(vioapic, redirection_entry_bits)
{
	static const struct {
		uint32_t lo_written, lo_read;
		uint32_t hi_written, hi_read;
	} cases[] = {
	    {0x00000031, 0x00000031, 0x01000000, 0x01000000},
	    {0xffffffff, 0x0001afff, 0xffffffff, 0xff000000}, /* RO and reserved bits */
	    {0x00005000, 0x00000000, 0x00ffffff, 0x00000000}, /* delivery status, remote IRR */
	    {0x00018f45, 0x00018f45, 0xa5000000, 0xa5000000},
	    {0x00010000, 0x00010000, 0x00000000, 0x00000000},
	};
	struct vioapic io;
	struct fake_lapic l;

	setup(&io, &l);
	for (size_t i = 0; i < N(cases); i++) {
		for (unsigned pin = 0; pin < VIOAPIC_PINS; pin += 23) {
			test_context("case %zu pin %u", i, pin);
			reg_write(&io, IOAPIC_REG_REDTBL_BASE + 2 * pin, cases[i].lo_written);
			reg_write(&io, IOAPIC_REG_REDTBL_BASE + 2 * pin + 1, cases[i].hi_written);
			EXPECT_EQ(reg_read(&io, IOAPIC_REG_REDTBL_BASE + 2 * pin), cases[i].lo_read);
			EXPECT_EQ(reg_read(&io, IOAPIC_REG_REDTBL_BASE + 2 * pin + 1), cases[i].hi_read);
		}
	}
	EXPECT_EQ(l.count, 0); /* no line is asserted */
	/* Each entry is separate. */
	rte_write(&io, 5, EDGE(0x45, 3));
	rte_write(&io, 6, EDGE(0x46, 4) | IOAPIC_RTE_LOGICAL);
	EXPECT_EQ(rte_read(&io, 5), EDGE(0x45, 3));
	EXPECT_EQ(rte_read(&io, 6), EDGE(0x46, 4) | IOAPIC_RTE_LOGICAL);
	EXPECT_EQ(rte_read(&io, 7), IOAPIC_RTE_MASKED);
}

TEST(vioapic, edge_delivery)
{
	struct vioapic io;
	struct fake_lapic l;

	setup(&io, &l);
	rte_write(&io, 4, EDGE(0x34, 1) | APIC_DM_LOWEST << 8 | IOAPIC_RTE_LOGICAL);
	vioapic_set_irq(&io, 4, true);
	EXPECT_EQ(l.count, 1);
	EXPECT_EQ(l.log[0].vector, 0x34);
	EXPECT_EQ(l.log[0].dest, 1);
	EXPECT_EQ(l.log[0].delivery_mode, APIC_DM_LOWEST);
	EXPECT_TRUE(l.log[0].logical);
	EXPECT_FALSE(l.log[0].level);
	vioapic_set_irq(&io, 4, true); /* no edge */
	EXPECT_EQ(l.count, 1);
	vioapic_set_irq(&io, 4, false);
	EXPECT_EQ(l.count, 1);
	vioapic_set_irq(&io, 4, true);
	EXPECT_EQ(l.count, 2);
	EXPECT_EQ(rte_read(&io, 4) & (IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS), 0);
	/* An EOI for an edge vector changes nothing. */
	vioapic_eoi(&io, 0x34);
	EXPECT_EQ(l.count, 2);
}

TEST(vioapic, masked_edge_is_lost)
{
	struct vioapic io;
	struct fake_lapic l;

	setup(&io, &l);
	rte_write(&io, 1, EDGE(0x31, 0) | IOAPIC_RTE_MASKED);
	vioapic_set_irq(&io, 1, true);
	EXPECT_EQ(l.count, 0);
	rte_write(&io, 1, EDGE(0x31, 0)); /* unmasking does not replay it */
	EXPECT_EQ(l.count, 0);
	vioapic_set_irq(&io, 1, false);
	vioapic_set_irq(&io, 1, true);
	EXPECT_EQ(l.count, 1);
}

TEST(vioapic, level_remote_irr_and_eoi)
{
	struct vioapic io;
	struct fake_lapic l;

	setup(&io, &l);
	rte_write(&io, 10, LEVEL(0x5a, 7));
	vioapic_set_irq(&io, 10, true);
	EXPECT_EQ(l.count, 1);
	EXPECT_TRUE(l.log[0].level);
	EXPECT_EQ(l.log[0].vector, 0x5a);
	EXPECT_EQ(l.log[0].dest, 7);
	EXPECT_TRUE(rte_read(&io, 10) & IOAPIC_RTE_REMOTE_IRR);
	vioapic_set_irq(&io, 10, true); /* still high, IRR set: nothing */
	EXPECT_EQ(l.count, 1);
	vioapic_eoi(&io, 0x5b); /* other vector */
	EXPECT_EQ(l.count, 1);
	vioapic_eoi(&io, 0x5a); /* still high: delivered again */
	EXPECT_EQ(l.count, 2);
	EXPECT_TRUE(rte_read(&io, 10) & IOAPIC_RTE_REMOTE_IRR);
	vioapic_set_irq(&io, 10, false);
	vioapic_eoi(&io, 0x5a);
	EXPECT_EQ(l.count, 2);
	EXPECT_FALSE(rte_read(&io, 10) & IOAPIC_RTE_REMOTE_IRR);
	vioapic_eoi(&io, 0x5a); /* a stray EOI */
	EXPECT_EQ(l.count, 2);
	vioapic_set_irq(&io, 10, true);
	EXPECT_EQ(l.count, 3);
	/* Writing the entry does not clear remote IRR (read-only). */
	reg_write(&io, IOAPIC_REG_REDTBL_BASE + 20, (uint32_t)LEVEL(0x5a, 0));
	EXPECT_TRUE(rte_read(&io, 10) & IOAPIC_RTE_REMOTE_IRR);
	EXPECT_EQ(l.count, 3);
}

TEST(vioapic, eoi_register)
{
	struct vioapic io;
	struct fake_lapic l;
	uint32_t v;

	setup(&io, &l);
	rte_write(&io, 16, LEVEL(0x61, 0));
	rte_write(&io, 17, LEVEL(0x61, 1));
	rte_write(&io, 18, LEVEL(0x62, 0));
	vioapic_set_irq(&io, 16, true);
	vioapic_set_irq(&io, 17, true);
	vioapic_set_irq(&io, 18, true);
	EXPECT_EQ(l.count, 3);
	v = 0xffffff61; /* only bits 7:0 are the vector */
	EXPECT_EQ(vioapic_mmio(&io, IOAPIC_EOI, true, &v), 0);
	EXPECT_EQ(l.count, 5); /* both pins with vector 0x61 again */
	EXPECT_EQ(l.log[3].dest, 0);
	EXPECT_EQ(l.log[4].dest, 1);
	EXPECT_TRUE(rte_read(&io, 18) & IOAPIC_RTE_REMOTE_IRR);
	EXPECT_EQ(vioapic_mmio(&io, IOAPIC_EOI, false, &v), 0);
	EXPECT_EQ(v, 0); /* write-only */
}

TEST(vioapic, unmask_level_delivers)
{
	struct vioapic io;
	struct fake_lapic l;

	setup(&io, &l);
	rte_write(&io, 11, LEVEL(0x70, 0) | IOAPIC_RTE_MASKED);
	vioapic_set_irq(&io, 11, true);
	EXPECT_EQ(l.count, 0);
	EXPECT_FALSE(rte_read(&io, 11) & IOAPIC_RTE_REMOTE_IRR);
	rte_write(&io, 11, LEVEL(0x70, 0));
	EXPECT_EQ(l.count, 1);
	/* Masking while IRR is set, EOI, unmask: delivered once more. */
	rte_write(&io, 11, LEVEL(0x70, 0) | IOAPIC_RTE_MASKED);
	vioapic_eoi(&io, 0x70);
	EXPECT_EQ(l.count, 1);
	rte_write(&io, 11, LEVEL(0x70, 0));
	EXPECT_EQ(l.count, 2);
	/* Switching edge -> level with the line high delivers too. */
	rte_write(&io, 12, EDGE(0x71, 0));
	vioapic_set_irq(&io, 12, true);
	EXPECT_EQ(l.count, 3);
	rte_write(&io, 12, LEVEL(0x71, 0));
	EXPECT_EQ(l.count, 4);
}

TEST(vioapic, edge_mode_clears_remote_irr)
{
	struct vioapic io;
	struct fake_lapic l;

	setup(&io, &l);
	rte_write(&io, 9, LEVEL(0x49, 0));
	vioapic_set_irq(&io, 9, true);
	EXPECT_TRUE(rte_read(&io, 9) & IOAPIC_RTE_REMOTE_IRR);
	vioapic_set_irq(&io, 9, false);
	/* Pre-0x20 Linux: mask, set edge, set level again. */
	rte_write(&io, 9, EDGE(0x49, 0) | IOAPIC_RTE_MASKED);
	EXPECT_FALSE(rte_read(&io, 9) & IOAPIC_RTE_REMOTE_IRR);
	rte_write(&io, 9, LEVEL(0x49, 0));
	EXPECT_EQ(l.count, 1);
	vioapic_set_irq(&io, 9, true);
	EXPECT_EQ(l.count, 2);
}

TEST(vioapic, special_delivery_modes)
{
	static const struct {
		unsigned dm;
		bool delivered;
	} cases[] = {
	    {APIC_DM_SMI, true},    {APIC_DM_NMI, true}, {APIC_DM_INIT, true},
	    {APIC_DM_EXTINT, true}, {3, false},		 {6, false},
	};
	struct vioapic io;
	struct fake_lapic l;

	for (size_t i = 0; i < N(cases); i++) {
		test_context("delivery mode %u", cases[i].dm);
		setup(&io, &l);
		/* Programmed level-triggered: these modes are edge regardless. */
		rte_write(&io, 0, LEVEL(0, 0xff) | (uint64_t)cases[i].dm << 8);
		vioapic_set_irq(&io, 0, true);
		EXPECT_EQ(l.count, cases[i].delivered);
		EXPECT_FALSE(rte_read(&io, 0) & IOAPIC_RTE_REMOTE_IRR);
		vioapic_set_irq(&io, 0, true);
		EXPECT_EQ(l.count, cases[i].delivered);
		if (cases[i].delivered) {
			EXPECT_EQ(l.log[0].delivery_mode, cases[i].dm);
			EXPECT_FALSE(l.log[0].level);
			EXPECT_EQ(l.log[0].dest, 0xff);
		}
	}
}

TEST(vioapic, hostile_register_indices)
{
	struct vioapic io;
	struct fake_lapic l;

	setup(&io, &l);
	rte_write(&io, 0, EDGE(0x30, 1));
	rte_write(&io, 23, LEVEL(0x47, 2));
	for (uint32_t reg = 0; reg < 0x100; reg++) {
		bool implemented = reg <= IOAPIC_REG_ARB || (reg >= IOAPIC_REG_REDTBL_BASE &&
							     reg < IOAPIC_REG_REDTBL_BASE + 2 * VIOAPIC_PINS);

		if (implemented)
			continue;
		test_context("register %#x", reg);
		EXPECT_EQ(reg_read(&io, reg), 0);
		reg_write(&io, reg, 0xffffffff);
		EXPECT_EQ(reg_read(&io, reg), 0);
	}
	/* IOREGSEL keeps 8 bits: 0x110 selects register 0x10. */
	reg_write(&io, 0x110, 0x31);
	EXPECT_EQ(rte_read(&io, 0), EDGE(0x31, 1));
	EXPECT_EQ(rte_read(&io, 23), LEVEL(0x47, 2));
	EXPECT_EQ(reg_read(&io, IOAPIC_REG_ID), 2u << 24);
	EXPECT_EQ(l.count, 0);
}

TEST(vioapic, bad_offsets)
{
	static const uint64_t offsets[] = {
	    0x01, 0x02, 0x03, 0x04, 0x08,  0x0c,   0x11,   0x14,	  0x20,	 0x30,
	    0x3c, 0x41, 0x44, 0x80, 0xfff, 0x1000, 0x1010, 0xfec00000ULL, ~0ULL,
	};
	struct vioapic io, before;
	struct fake_lapic l;

	setup(&io, &l);
	rte_write(&io, 3, LEVEL(0x33, 0));
	vioapic_set_irq(&io, 3, true);
	before = io;
	for (size_t i = 0; i < N(offsets); i++) {
		uint32_t v = 0;

		test_context("offset %#llx", (unsigned long long)offsets[i]);
		EXPECT_EQ(vioapic_mmio(&io, offsets[i], false, &v), -EINVAL);
		EXPECT_EQ(v, 0xffffffff);
		v = 0x33;
		EXPECT_EQ(vioapic_mmio(&io, offsets[i], true, &v), -EINVAL);
		EXPECT_EQ(memcmp(io.redir, before.redir, sizeof(io.redir)), 0);
		EXPECT_EQ(io.line, before.line);
		EXPECT_EQ(io.id, before.id);
		EXPECT_EQ(io.regsel, before.regsel);
	}
	EXPECT_EQ(l.count, 1);
}

TEST(vioapic, access_sizes)
{
	static const struct {
		unsigned size;
		uint64_t all_ones;
	} cases[] = {
	    {1, 0xff}, {2, 0xffff}, {3, 0xffffff}, {8, ~0ULL}, {0, ~0ULL}, {16, ~0ULL},
	};
	struct vioapic io;
	struct fake_lapic l;
	uint64_t v;

	setup(&io, &l);
	for (size_t i = 0; i < N(cases); i++) {
		test_context("size %u", cases[i].size);
		v = 0;
		EXPECT_EQ(vioapic_mmio_sized(&io, IOAPIC_REGSEL, cases[i].size, false, &v), -EINVAL);
		EXPECT_EQ(v, cases[i].all_ones);
		v = 0x12;
		EXPECT_EQ(vioapic_mmio_sized(&io, IOAPIC_REGSEL, cases[i].size, true, &v), -EINVAL);
		EXPECT_EQ(io.regsel, 0);
	}
	v = 0x11;
	EXPECT_EQ(vioapic_mmio_sized(&io, IOAPIC_REGSEL, 4, true, &v), 0);
	v = 0xab000000;
	EXPECT_EQ(vioapic_mmio_sized(&io, IOAPIC_WIN, 4, true, &v), 0);
	v = ~0ULL;
	EXPECT_EQ(vioapic_mmio_sized(&io, IOAPIC_WIN, 4, false, &v), 0);
	EXPECT_EQ(v, 0xab000000);
	EXPECT_EQ(vioapic_mmio_sized(&io, 0x20, 4, false, &v), -EINVAL);
	EXPECT_EQ(v, 0xffffffff);
}

TEST(vioapic, pins_out_of_range_and_no_callback)
{
	struct vioapic io;

	vioapic_init(&io, 0, NULL, NULL);
	rte_write(&io, 0, LEVEL(0x40, 0));
	for (unsigned pin = VIOAPIC_PINS; pin < 300; pin += 7)
		vioapic_set_irq(&io, pin, true);
	vioapic_set_irq(&io, ~0u, true);
	EXPECT_EQ(io.line, 0);
	vioapic_set_irq(&io, 0, true); /* dropped, but remote IRR as usual */
	EXPECT_TRUE(rte_read(&io, 0) & IOAPIC_RTE_REMOTE_IRR);
	vioapic_eoi(&io, 0x40);
	EXPECT_TRUE(rte_read(&io, 0) & IOAPIC_RTE_REMOTE_IRR);
}

TEST(vioapic, random_garbage)
{
	static const uint64_t offsets[] = {IOAPIC_REGSEL, IOAPIC_WIN, IOAPIC_EOI, 0x20};
	unsigned seed = 2024;

	for (int round = 0; round < 30; round++) {
		struct vioapic io;
		struct fake_lapic l;

		setup(&io, &l);
		for (int i = 0; i < 5000; i++) {
			unsigned r = (unsigned)rand_r(&seed);
			uint32_t v = (uint32_t)rand_r(&seed) ^ (uint32_t)r << 16;
			unsigned before = l.count;

			test_context("round %d step %d", round, i);
			switch (r % 4) {
			case 0:
			case 1:
				(void)vioapic_mmio(&io, offsets[(r >> 8) % N(offsets)], r & 0x8000, &v);
				break;
			case 2:
				vioapic_set_irq(&io, (r >> 8) % 30, r & 0x8000);
				break;
			default:
				vioapic_eoi(&io, (uint8_t)(r >> 8));
				break;
			}
			EXPECT_LE(l.count - before, VIOAPIC_PINS);
			for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
				uint64_t rte = io.redir[pin];

				EXPECT_EQ(rte & IOAPIC_RTE_DELIVS, 0);
				EXPECT_EQ(rte & 0x00fffffffffe0000ULL, 0); /* reserved */
				if (rte & IOAPIC_RTE_REMOTE_IRR)
					EXPECT_TRUE(rte & IOAPIC_RTE_LEVEL);
			}
			EXPECT_LE(io.id, 15);
		}
	}
}
