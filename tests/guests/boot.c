/* SPDX-License-Identifier: GPL-2.0-only */
/* boot: the machine state and Multiboot v1 information a guest starts with
 * (docs/guest-platform.md "Boot"; Multiboot spec 0.6.96 3.2, 3.3): EAX magic,
 * EFLAGS.IF = 0 and VM = 0, CR0.PE = 1 and PG = 0, A20 on; the information's
 * flags (memory, cmdline, mmap; no modules), mem_lower = 639 KiB, a memory
 * map with RAM below 0x9fc00, nothing usable in 0x9fc00-0xfffff, RAM from
 * 1 MiB matching mem_upper; the command line after the module name (the
 * test ISO's line `module2 /guests/boot.elf boot` leaves ""); RAM ends where
 * the map says: its last word is RAM, the first word past it reads all ones
 * and drops writes. */
#include "rt/rt.h"

/* In the test ISO also under a name longer than the old limit of 31
 * characters (tests/guests/Makefile: "grub:" lines). */
// clang-format off
// grub: module2 /guests/boot.elf boot
// grub: module2 /guests/boot.elf boot_under_a_name_longer_than_31_characters
// clang-format on

#define LOW_RAM_END 0x9fc00U /* RAM below it; reserved from here to 1 MiB */
#define ONE_MIB	    0x100000U
#define A20_PROBE   0x180000U /* and its alias with A20 off, A20_PROBE - 1 MiB */

static void check_machine_state(void)
{
	printf("entry: EAX %#x EBX %#x EFLAGS %#x CR0 %#x CS %#x DS %#x ES %#x FS %#x GS %#x SS %#x\n",
	       rt_boot.magic, rt_boot.mbi, rt_boot.eflags, rt_boot.cr0, rt_boot.cs, rt_boot.ds, rt_boot.es,
	       rt_boot.fs, rt_boot.gs, rt_boot.ss);
	EXPECT_EQ(rt_boot.magic, MB1_BOOT_MAGIC);
	EXPECT_NE(rt_boot.mbi, 0);
	EXPECT_EQ(rt_boot.eflags & EFLAGS_IF, 0);
	EXPECT_EQ(rt_boot.eflags & EFLAGS_VM, 0);
	EXPECT_TRUE(rt_boot.cr0 & CR0_PE);
	EXPECT_FALSE(rt_boot.cr0 & CR0_PG);

	volatile uint32_t *hi = (volatile uint32_t *)A20_PROBE,
			  *lo = (volatile uint32_t *)(A20_PROBE - ONE_MIB);
	*lo = 0x11111111;
	*hi = 0x22222222;
	printf("A20: %#x at %#x, %#x at %#x\n", *lo, A20_PROBE - ONE_MIB, *hi, A20_PROBE);
	EXPECT_EQ(*lo, 0x11111111);
	EXPECT_EQ(*hi, 0x22222222);
}

/* Sum of the RAM entries' overlap with [start, end). */
static uint64_t ram_in(const struct mb1_info *mbi, uint64_t start, uint64_t end)
{
	uint64_t sum = 0;
	for (uint32_t p = mbi->mmap_addr; p < mbi->mmap_addr + mbi->mmap_length;) {
		const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)p;
		if (e->type == MB1_MMAP_RAM) {
			uint64_t a = e->addr > start ? e->addr : start;
			uint64_t b = e->addr + e->len < end ? e->addr + e->len : end;
			if (b > a)
				sum += b - a;
		}
		p += e->size + sizeof(e->size);
	}
	return sum;
}

static uint64_t check_info(const struct mb1_info *mbi)
{
	printf("mbi at %p: flags %#x mem_lower %u KiB mem_upper %u KiB mods %u mmap %#x+%u\n",
	       (const void *)mbi, mbi->flags, mbi->mem_lower, mbi->mem_upper, mbi->mods_count, mbi->mmap_addr,
	       mbi->mmap_length);
	EXPECT_TRUE(mbi->flags & MB1_INFO_MEMORY);
	EXPECT_TRUE(mbi->flags & MB1_INFO_CMDLINE);
	EXPECT_TRUE(mbi->flags & MB1_INFO_MMAP);
	if (mbi->flags & MB1_INFO_MODS)
		EXPECT_EQ(mbi->mods_count, 0);
	EXPECT_EQ(mbi->mem_lower, LOW_RAM_END / 1024);
	EXPECT_NE(mbi->mem_upper, 0);

	int n = 0;
	for (uint32_t p = mbi->mmap_addr; p < mbi->mmap_addr + mbi->mmap_length; n++) {
		const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)p;
		printf("  mmap: %#llx-%#llx type %u\n", (unsigned long long)e->addr,
		       (unsigned long long)(e->addr + e->len), e->type);
		EXPECT_GE(e->size, 20);
		EXPECT_LT(n, 64);
		p += e->size + sizeof(e->size);
	}
	uint64_t upper = (uint64_t)mbi->mem_upper * 1024;
	EXPECT_EQ(ram_in(mbi, 0, LOW_RAM_END), LOW_RAM_END);
	EXPECT_EQ(ram_in(mbi, LOW_RAM_END, ONE_MIB), 0);
	EXPECT_EQ(ram_in(mbi, ONE_MIB, ONE_MIB + upper), upper);
	if (under_coopvmm()) /* one RAM range from 1 MiB, nothing else */
		EXPECT_EQ(ram_in(mbi, ONE_MIB, 1ULL << 36), upper);
	return ONE_MIB + upper;
}

static void check_cmdline(const struct mb1_info *mbi)
{
	const char *cmdline = (const char *)mbi->cmdline;
	printf("cmdline: '%s'\n", cmdline);
	for (const char *p = cmdline; *p; p++)
		EXPECT_RANGE((uint8_t)*p, 0x20, 0x7e);
	if (under_coopvmm())
		EXPECT_EQ(cmdline[0], '\0');
	else /* QEMU -kernel: "PATH [ARGS]" */
		EXPECT_GT(strlen(cmdline), 0);
}

static void check_ram_end(uint64_t end)
{
	if (end > 0xfec00000U) {
		skip("RAM end at %#llx: no unclaimed address right above it", (unsigned long long)end);
		return;
	}
	volatile uint32_t *last = (volatile uint32_t *)(uint32_t)(end - 4),
			  *past = (volatile uint32_t *)(uint32_t)end;
	*last = 0xa5a5c3c3;
	EXPECT_EQ(*last, 0xa5a5c3c3);
	if (skip_unless_coopvmm("unclaimed GPA past RAM reads all ones"))
		return;
	printf("RAM end %#llx: last word %#x, next word %#x\n", (unsigned long long)end, *last, *past);
	EXPECT_EQ(*past, 0xffffffff);
	*past = 0;
	EXPECT_EQ(*past, 0xffffffff);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	check_machine_state();
	uint64_t end = check_info(mbi);
	check_cmdline(mbi);
	check_ram_end(end);
	return 0;
}
