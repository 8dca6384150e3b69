/* SPDX-License-Identifier: GPL-2.0-only */
/* hostile_oob: guest-physical accesses outside the guest's RAM
 * (docs/guest-platform.md: "unclaimed MMIO (not RAM, not a device) reads
 * all ones, writes are dropped"): loads of 1/2/4 bytes and REP MOVS/STOS at
 * 1 GiB, 0xfe000000, the VGA hole 0xa0000-0xfffff and 4 GiB - 4; writes
 * there must not land anywhere the guest can see. The VMM must neither
 * crash nor give the guest memory it does not own; the guest then passes. */
#include "rt/rt.h"

static const uint32_t targets[] = {
    0x40000000U, /* 1 GiB: far past the default 16 MiB of RAM */
    0xfe000000U, /* unclaimed MMIO (the PCI window: a guest without an IOPM has none there) */
    0x000b8000U, /* legacy VGA text buffer: not RAM */
    0xfffffffcU, /* the last dword of the 4 GiB space */
};

static uint32_t buf[64];

static void probe(uint32_t addr, bool coop)
{
	uint32_t b = mmio_read8(addr), w = mmio_read16(addr), l = mmio_read32(addr);
	mmio_write32(addr, 0x12345678);
	mmio_write8(addr, 0x9a);
	uint32_t after = mmio_read32(addr);
	printf("%#010x: read %#x/%#x/%#x, after writes %#x\n", addr, b, w, l, after);
	if (!coop)
		return;
	EXPECT_EQ(b, 0xff);
	EXPECT_EQ(w, 0xffff);
	EXPECT_EQ(l, 0xffffffff);
	EXPECT_EQ(after, 0xffffffff);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	bool coop = under_coopvmm();
	if (!coop)
		skip("all-ones values (not under coopvmm): accesses done, values only printed");
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++)
		probe(targets[i], coop);

	/* String forms: 256 bytes in from outside RAM, 256 out to it. */
	for (size_t i = 0; i < ARRAY_SIZE(buf); i++)
		buf[i] = (uint32_t)i;
	uint32_t c = ARRAY_SIZE(buf), s = targets[0], d = (uint32_t)buf;
	__asm__ volatile("cld; rep movsl" : "+c"(c), "+S"(s), "+D"(d) : : "memory");
	EXPECT_EQ(c, 0);
	c = ARRAY_SIZE(buf), d = targets[1];
	__asm__ volatile("cld; rep stosl" : "+c"(c), "+D"(d) : "a"(0) : "memory");
	EXPECT_EQ(c, 0);
	if (coop) {
		for (size_t i = 0; i < ARRAY_SIZE(buf); i++)
			EXPECT_EQ(buf[i], 0xffffffff);
		EXPECT_EQ(mmio_read32(targets[1]), 0xffffffff);
	}
	printf("still alive after out-of-RAM accesses\n");
	return 0;
}
