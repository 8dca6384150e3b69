/* SPDX-License-Identifier: GPL-2.0-only */
/* test_sanitize.c: escaping untrusted text for the VMM log (vmm/lib/sanitize.c). */
#include "test.h"

#include "vmm/lib/sanitize.h"

static char out[300];

static const char *san(const char *s, size_t srclen, size_t dstlen)
{
	memset(out, 0x55, sizeof(out));
	sanitize_text(out, dstlen, s, srclen);
	return out;
}

TEST(sanitize, printable_text_unchanged)
{
	const char *s = "reboot requested: 0123 ABC xyz ~!@#$%^&*()_+{}|:\"<>?`-=[];',./";
	EXPECT_STREQ(san(s, strlen(s), sizeof(out)), s);
}

TEST(sanitize, newline_cannot_start_a_new_log_line)
{
	const char *s = "evil\n[vmm] forged line";
	EXPECT_STREQ(san(s, strlen(s), sizeof(out)), "evil\\x0a[vmm] forged line");
	EXPECT_TRUE(strchr(out, '\n') == NULL);
}

TEST(sanitize, every_control_and_high_byte_escaped)
{
	char s[256];
	for (int i = 1; i < 256; i++)
		s[i - 1] = (char)i;
	s[255] = 0;
	static char big[256 * 4 + 1];
	/* 31 controls and 129 bytes 0x7f-0xff as \xNN, 94 printable, one \\ */
	EXPECT_EQ(sanitize_text(big, sizeof(big), s, sizeof(s)), 31 * 4 + 129 * 4 + 94 + 2);
	for (const char *p = big; *p; p++)
		EXPECT_MSG(*p >= 0x20 && *p <= 0x7e, "byte 0x%02x at %td", (unsigned char)*p, p - big);
	EXPECT_STRSTARTS(big, "\\x01\\x02");
	EXPECT_STRCONTAINS(big, "\\x0d\\x0e");
	EXPECT_STRCONTAINS(big, "\\x1b\\x1c\\x1d\\x1e\\x1f !");
	EXPECT_STRCONTAINS(big, "[\\\\]"); /* a backslash doubles */
	EXPECT_STRCONTAINS(big, "}~\\x7f\\x80");
	EXPECT_TRUE(strlen(big) >= 4 && !strcmp(big + strlen(big) - 4, "\\xff"));
}

TEST(sanitize, faked_escape_stays_distinguishable)
{
	/* the text "\x0a" (4 characters) is not shown as an escaped newline */
	EXPECT_STREQ(san("a\\x0ab", 6, sizeof(out)), "a\\\\x0ab");
}

TEST(sanitize, stops_at_nul_or_srclen_without_nul)
{
	EXPECT_STREQ(san("abc\0def", 7, sizeof(out)), "abc");
	char unterminated[4] = {'w', 'x', 'y', 'z'};
	EXPECT_STREQ(san(unterminated, sizeof(unterminated), sizeof(out)), "wxyz");
	EXPECT_STREQ(san("", 0, sizeof(out)), "");
}

TEST(sanitize, truncates_on_whole_escapes)
{
	/* room for 5 characters + NUL: "ab" fits, "\x0a" (4) does not */
	EXPECT_EQ(sanitize_text(out, 6, "ab\ncd", 5), 2);
	EXPECT_STREQ(out, "ab");
	EXPECT_EQ(sanitize_text(out, 7, "ab\ncd", 5), 6);
	EXPECT_STREQ(out, "ab\\x0a");
	EXPECT_EQ(sanitize_text(out, 1, "abc", 3), 0);
	EXPECT_STREQ(out, "");
	out[0] = 'q';
	EXPECT_EQ(sanitize_text(out, 0, "abc", 3), 0);
	EXPECT_EQ(out[0], 'q'); /* dstlen 0: nothing written */
}
