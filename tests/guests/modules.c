/* SPDX-License-Identifier: GPL-2.0-only */
/* modules: a guest with more Multiboot modules than the old limit of 8, each
 * with a command line longer than the old 127 bytes, and a command line of
 * its own longer than 127 bytes (docs/guest-platform.md "Boot"; Multiboot
 * 0.6.96 3.3). Its lines in the test ISO's grub.cfg are the "grub:" lines
 * below (tests/guests/Makefile): the module data is this guest's own ELF
 * file. Checks: the command line whole; 10 modules in order, each string
 * "mK " and 150 digits K, whole; each module page aligned, an ELF file, all
 * the same size, in usable RAM, apart from each other, from the image and
 * from the information, the module list and the strings. */
#include "rt/rt.h"

// clang-format off
// grub: module2 /guests/modules.elf modules cmdline-longer-than-127-bytes:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:end
// grub: module2 /guests/modules.elf modules/m0 000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
// grub: module2 /guests/modules.elf modules/m1 111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111
// grub: module2 /guests/modules.elf modules/m2 222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222
// grub: module2 /guests/modules.elf modules/m3 333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333
// grub: module2 /guests/modules.elf modules/m4 444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444
// grub: module2 /guests/modules.elf modules/m5 555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555555
// grub: module2 /guests/modules.elf modules/m6 666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666
// grub: module2 /guests/modules.elf modules/m7 777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777
// grub: module2 /guests/modules.elf modules/m8 888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888888
// grub: module2 /guests/modules.elf modules/m9 999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999
// clang-format on

#define CMD_HEAD "cmdline-longer-than-127-bytes:"
#define CMD_FILL 170
#define CMD_TAIL ":end"
#define NMODS	 10
#define MOD_FILL 150
#define PAGE	 0x1000U

extern char __image_start[], __image_end[];

struct mod {
	uint32_t start, end, string, reserved;
};

static bool apart(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
	return a + alen <= b || b + blen <= a;
}

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

static void check_cmdline(const struct mb1_info *mbi)
{
	EXPECT_TRUE(mbi->flags & MB1_INFO_CMDLINE);
	const char *c = (const char *)mbi->cmdline;
	size_t n = strlen(c), head = strlen(CMD_HEAD);
	printf("cmdline: %u bytes\n", (unsigned)n);
	if (!under_coopvmm()) { /* QEMU -kernel: "PATH [ARGS]", no modules */
		skip("command line and modules (not under coopvmm: no grub.cfg lines)");
		return;
	}
	EXPECT_EQ(n, head + CMD_FILL + strlen(CMD_TAIL));
	EXPECT_MEMEQ(c, CMD_HEAD, head);
	for (size_t i = head; i < head + CMD_FILL; i++)
		EXPECT_EQ(c[i], 'x');
	EXPECT_MEMEQ(c + head + CMD_FILL, CMD_TAIL, strlen(CMD_TAIL));
}

static void check_modules(const struct mb1_info *mbi)
{
	EXPECT_TRUE(mbi->flags & MB1_INFO_MODS);
	printf("modules: %u, list at %#x\n", mbi->mods_count, mbi->mods_addr);
	EXPECT_EQ(mbi->mods_count, NMODS);
	const struct mod *m = (const struct mod *)mbi->mods_addr;
	uint32_t img = (uint32_t)__image_start, img_len = (uint32_t)__image_end - img;
	uint32_t list_len = NMODS * sizeof(*m);
	EXPECT_TRUE(usable(mbi, mbi->mods_addr, list_len));
	EXPECT_TRUE(apart(mbi->mods_addr, list_len, (uint32_t)mbi, sizeof(*mbi)));
	EXPECT_TRUE(apart(mbi->mods_addr, list_len, img, img_len));
	for (uint32_t k = 0; k < NMODS; k++) {
		const char *s = (const char *)m[k].string;
		uint32_t slen = strlen(s) + 1, len = m[k].end - m[k].start;
		printf("module %u: %#x-%#x, string at %#x, %u bytes: '%c%c%c...'\n", k, m[k].start, m[k].end,
		       m[k].string, slen - 1, s[0], s[1], s[3]);
		EXPECT_EQ(slen - 1, 3 + MOD_FILL);
		EXPECT_EQ(s[0], 'm');
		EXPECT_EQ(s[1], '0' + k);
		EXPECT_EQ(s[2], ' ');
		for (uint32_t i = 3; i < 3 + MOD_FILL; i++)
			EXPECT_EQ(s[i], '0' + k);
		EXPECT_EQ(m[k].start % PAGE, 0);
		EXPECT_GT(len, 4);
		EXPECT_EQ(len, m[0].end - m[0].start);
		EXPECT_MEMEQ((const void *)m[k].start,
			     "\x7f"
			     "ELF",
			     4);
		EXPECT_TRUE(usable(mbi, m[k].start, len));
		EXPECT_TRUE(usable(mbi, m[k].string, slen));
		EXPECT_TRUE(apart(m[k].start, len, img, img_len));
		EXPECT_TRUE(apart(m[k].start, len, (uint32_t)mbi, sizeof(*mbi)));
		EXPECT_TRUE(apart(m[k].start, len, mbi->mods_addr, list_len));
		EXPECT_TRUE(apart(m[k].start, len, mbi->cmdline, strlen((const char *)mbi->cmdline) + 1));
		EXPECT_TRUE(apart(m[k].string, slen, img, img_len));
		EXPECT_TRUE(apart(m[k].string, slen, (uint32_t)mbi, sizeof(*mbi)));
		if (k)
			EXPECT_GE(m[k].start, m[k - 1].end);
		for (uint32_t j = 0; j < k; j++)
			EXPECT_TRUE(
			    apart(m[k].string, slen, m[j].string, strlen((const char *)m[j].string) + 1));
	}
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	check_cmdline(mbi);
	if (!under_coopvmm())
		return 0;
	check_modules(mbi);
	return 0;
}
