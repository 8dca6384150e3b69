/* SPDX-License-Identifier: GPL-2.0-only */
/* lowlink: a Multiboot v1 image linked below 1 MiB, at 0x10000 (tests/
 * guests/Makefile: LINK_lowlink), as real-mode tests are; lowlink_over9000
 * is the same at 0x8000, its image over 0x9000, where coopvmm used to put
 * the Multiboot information (docs/guest-platform.md "Boot"). Checks: the
 * image really runs there; its bytes arrived intact (a loader writing the
 * information over the image would show here); the information and
 * everything it points to (memory map, command line, modules) lies in RAM
 * the memory map calls usable and outside the image (.bss and stack
 * included); mem_lower and the map agree; the image is inside a usable
 * range of the map. Under coopvmm the information is at 0x9000, or on the
 * first free page above the image when the image is there.
 * Plain QEMU (7.2) loads such images but keeps its information at a fixed
 * 0x9500 and copies the image over it: lowlink_over9000 detects that and
 * skips its checks there. */
#include "rt/rt.h"

#ifndef LINK_ADDR
#define LINK_ADDR 0x10000U /* = LINK_lowlink in the Makefile */
#endif
#define OLD_MBI	    0x9000U /* where coopvmm put the information before */
#define QEMU_MBI    0x9500U /* where QEMU's -kernel loader puts it */
#define PATTERN_LEN 0x1800U /* bytes from the file, right after the header */
#define LOW_RAM_END 0x9fc00U

extern char __image_start[], __image_end[];

/* Bytes of the file the loader copies: placed with the code, first in the
 * image (this object is linked first), so that they span OLD_MBI. */
#define P(i) ((uint8_t)((i)*7 + 3))
static const volatile uint8_t pattern[PATTERN_LEN] __attribute__((section(".text.lowlink_pattern"))) = {
#define R4(i)	P(i), P(i + 1), P(i + 2), P(i + 3)
#define R16(i)	R4(i), R4(i + 4), R4(i + 8), R4(i + 12)
#define R64(i)	R16(i), R16(i + 16), R16(i + 32), R16(i + 48)
#define R256(i) R64(i), R64(i + 64), R64(i + 128), R64(i + 192)
#define R1K(i)	R256(i), R256(i + 256), R256(i + 512), R256(i + 768)
    R1K(0), R1K(1024), R1K(2048), R1K(3072), R1K(4096), R1K(5120),
};

static uint32_t img_lo, img_hi;

/* Is [a, a + len) inside one usable range of the memory map? */
static bool usable(const struct mb1_info *mbi, uint64_t a, uint64_t len)
{
	for (uint32_t p = mbi->mmap_addr; p < mbi->mmap_addr + mbi->mmap_length;) {
		const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)p;
		if (e->type == MB1_MMAP_RAM && a >= e->addr && a + len <= e->addr + e->len)
			return true;
		p += e->size + sizeof(e->size);
	}
	return false;
}

static void check_area(const struct mb1_info *mbi, const char *what, uint32_t a, uint32_t len)
{
	printf("%s at %#x-%#x\n", what, a, a + len);
	EXPECT_TRUE(a + len <= img_lo || a >= img_hi);
	EXPECT_TRUE(usable(mbi, a, len));
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	img_lo = (uint32_t)__image_start;
	img_hi = (uint32_t)__image_end;
	printf("image %#x-%#x, main at %p, pattern at %p\n", img_lo, img_hi, (void *)main,
	       (const void *)pattern);
	EXPECT_EQ(img_lo, LINK_ADDR);
	EXPECT_LT((uint32_t)main, LOW_RAM_END);
	EXPECT_LT(img_hi, LOW_RAM_END);
	if (LINK_ADDR <= OLD_MBI) { /* the pattern over the old place */
		EXPECT_LE((uint32_t)pattern, OLD_MBI);
		EXPECT_GT((uint32_t)pattern + PATTERN_LEN, OLD_MBI);
	}
	for (uint32_t i = 0; i < PATTERN_LEN; i++)
		if (pattern[i] != P(i))
			fail("image byte at %#x is %#x, not %#x: written over after loading",
			     (uint32_t)&pattern[i], pattern[i], P(i));

	if (!under_coopvmm() && (uint32_t)mbi == QEMU_MBI && QEMU_MBI >= img_lo && QEMU_MBI < img_hi) {
		skip("Multiboot information checks (not under coopvmm: the loader's information at %#x is "
		     "inside "
		     "the image, written over by it)",
		     QEMU_MBI);
		return 0;
	}
	EXPECT_TRUE(mbi->flags & MB1_INFO_MEMORY);
	EXPECT_TRUE(mbi->flags & MB1_INFO_MMAP);
	EXPECT_EQ(mbi->mem_lower, LOW_RAM_END / 1024);
	check_area(mbi, "information", (uint32_t)mbi, sizeof(*mbi));
	check_area(mbi, "memory map", mbi->mmap_addr, mbi->mmap_length);
	EXPECT_TRUE(usable(mbi, img_lo, img_hi - img_lo));
	if (mbi->flags & MB1_INFO_CMDLINE) {
		const char *c = (const char *)mbi->cmdline;
		printf("cmdline '%s'\n", c);
		check_area(mbi, "command line", mbi->cmdline, strlen(c) + 1);
	}
	if (mbi->flags & MB1_INFO_MODS) {
		check_area(mbi, "module list", mbi->mods_addr, mbi->mods_count * 16);
		EXPECT_EQ(mbi->mods_count, 0);
	}
	if (under_coopvmm()) /* 0x9000, or the first free page above the image */
		EXPECT_EQ((uint32_t)mbi, img_lo <= OLD_MBI ? (img_hi + 0xfff) & ~0xfffU : OLD_MBI);
	return 0;
}
