/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_mmiostorm: MMIO exits as fast as the guest can make them
 * (docs/guest-platform.md "Devices", docs/guest-tests.md "Resource
 * isolation"). First, accesses that straddle the end of guest RAM: the
 * RAM part must be read and written as RAM, the rest reads all ones and
 * drops writes (as a PC bus does; under coopvmm only, QEMU reads 0 there).
 * Then, after a quiet start (rt/pace.h), until the end of the attack: 1, 2
 * and 4-byte reads and writes of an unclaimed page (all ones, dropped), of
 * the test device's scratch window (read back), of the vLAPIC (TPR written
 * and read back, version, EOI with nothing in service, timer count) and of
 * the vIOAPIC (version through the index register), REP MOVSD from and REP
 * STOSD to the unclaimed page; every value is checked. */
#include "rt/rt.h"

#include "rt/ioapic.h"
#include "rt/lapic.h"
#include "rt/pace.h"
#include "rt/testdev.h"
#include "rt/timer.h"

#define UNCLAIMED     0xfe800000U
#define STRING_DWORDS 16
#define IOAPIC_VER_ID 0x20 /* docs/guest-platform.md: version 0x20, 24 pins */

static uint32_t buf[STRING_DWORDS];
static uint32_t bad;

static bool coop;

static void expect_val(const char *what, uint32_t got, uint32_t want)
{
	if (got != want && bad++ < 10)
		printf("  %s: read %#x, expected %#x\n", what, got, want);
}

/* A 4-byte access whose first 2 bytes are the last ones of RAM: judged at
 * the end (the storm runs either way); returns the wrong values seen. */
static uint32_t check_split(uint32_t ram_end)
{
	uintptr_t a = ram_end - 2;
	volatile uint16_t *last = (volatile uint16_t *)a;
	*last = 0x5a3c;
	uint32_t v = mmio_read32(a), wrong = 0;
	printf("4-byte read at %#lx (RAM ends at %#x): %#x\n", (unsigned long)a, ram_end, v);
	if (!under_coopvmm()) {
		skip("RAM/unclaimed straddling access values (not under coopvmm: QEMU reads 0 past RAM)");
		return 0;
	}
	if (v != 0xffff5a3c) {
		printf("SPLIT read: %#x, expected 0xffff5a3c (RAM 0x5a3c below all ones)\n", v);
		wrong++;
	}
	mmio_write32(a, 0x11223344);
	uint16_t ram = *last;
	v = mmio_read32(a);
	printf("4-byte write 0x11223344 there: RAM part %#x, read back %#x\n", ram, v);
	if (ram != 0x3344) {
		printf("SPLIT write: RAM part %#x, expected 0x3344\n", ram);
		wrong++;
	}
	if (v != 0xffff0000U + ram) {
		printf("SPLIT read after the write: %#x, expected %#x\n", v, 0xffff0000U + ram);
		wrong++;
	}
	return wrong;
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	pace_t0();
	uint32_t ram_end = 0x100000 + mbi->mem_upper * 1024;
	uint32_t split_wrong = check_split(ram_end);
	lapic_enable(false);
	uint32_t version = lapic_read(APIC_VERSION);
	uint32_t ioapic_ver = ioapic_read(IOAPIC_REG_VER);
	printf("LAPIC version %#x, IOAPIC version %#x\n", version, ioapic_ver);
	if (under_coopvmm())
		EXPECT_EQ(ioapic_ver & 0xff, IOAPIC_VER_ID);

	pace_hostile_start("an MMIO storm");
	uint32_t rounds = 0;
	coop = under_coopvmm();
	/* Unclaimed addresses read all ones under coopvmm, 0 in QEMU. */
	uint32_t ones = coop ? 0xffffffff : 0;
	while (pace_hostile_running()) {
		uint32_t off = (rounds * 4) & 0xffc;
		expect_val("unclaimed dword", mmio_read32(UNCLAIMED + off), ones);
		expect_val("unclaimed word", mmio_read16(UNCLAIMED + off + 2), ones & 0xffff);
		expect_val("unclaimed byte", mmio_read8(UNCLAIMED + off + 1), ones & 0xff);
		mmio_write32(UNCLAIMED + off, rounds);
		mmio_write8(UNCLAIMED + off + 3, (uint8_t)rounds);
		if (coop) {
			uint32_t s = TESTDEV_MMIO_BASE + TESTDEV_SCRATCH + (off & 0xfc);
			mmio_write32(s, rounds ^ 0xa5a5a5a5);
			expect_val("test device scratch", mmio_read32(s), rounds ^ 0xa5a5a5a5);
			mmio_write8(s + 1, 0x77);
			expect_val("test device scratch byte", mmio_read8(s + 1), 0x77);
		}
		lapic_write(APIC_TPR, (rounds & 7) << 4);
		expect_val("LAPIC TPR", lapic_read(APIC_TPR), (rounds & 7) << 4);
		expect_val("LAPIC version", lapic_read(APIC_VERSION), version);
		lapic_eoi();
		(void)lapic_read(APIC_TIMER_CCR);
		expect_val("IOAPIC version", ioapic_read(IOAPIC_REG_VER), ioapic_ver);
		uintptr_t c = STRING_DWORDS, s = UNCLAIMED + off / 2, d = (uintptr_t)buf;
		__asm__ volatile("cld; rep movsl" : "+c"(c), "+S"(s), "+D"(d) : : "memory");
		for (int i = 0; i < STRING_DWORDS; i++)
			expect_val("REP MOVSD from unclaimed", buf[i], ones);
		c = STRING_DWORDS;
		d = UNCLAIMED + off / 4;
		__asm__ volatile("cld; rep stosl" : "+c"(c), "+D"(d) : "a"(rounds) : "memory");
		rounds++;
	}
	lapic_write(APIC_TPR, 0);
	printf("%u rounds of MMIO accesses, %u wrong values\n", rounds, bad);
	EXPECT_GT(rounds, 0);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(split_wrong, 0);
	return 0;
}
