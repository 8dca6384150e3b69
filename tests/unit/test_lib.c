/* SPDX-License-Identifier: GPL-2.0-only */
/* test_lib.c: the VMM's own string functions and vsnprintf (vmm/lib/lib.c),
 * built for the host under vmm_-prefixed names (see tests/unit/Makefile). */
#include <stdarg.h>
#include <stddef.h>

#include "test.h"

/* Deliberately odd formats (NULL %s, unknown conversions) are under test. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"

int vmm_snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void *vmm_memmove(void *dst, const void *src, size_t n);
int vmm_strncmp(const char *a, const char *b, size_t n);
size_t vmm_strnlen(const char *s, size_t max);
char *vmm_strchr(const char *s, int c);
void *vmm_memset(void *dst, int c, size_t n);
void *vmm_memcpy(void *dst, const void *src, size_t n);

#define CHECK_FMT(expect, ...)                                                                               \
	do {                                                                                                 \
		char b_[64];                                                                                 \
		int n_ = vmm_snprintf(b_, sizeof(b_), __VA_ARGS__);                                          \
		EXPECT_STREQ(b_, expect);                                                                    \
		EXPECT_EQ(n_, strlen(expect));                                                               \
	} while (0)

TEST(lib, snprintf_formats)
{
	CHECK_FMT("42 -7 0", "%d %i %u", 42, -7, 0);
	CHECK_FMT("ff FF 0x00000000deadbeef", "%x %X %p", 255, 255, (void *)0xdeadbeefUL);
	CHECK_FMT("18446744073709551615", "%llu", ~0ULL);
	CHECK_FMT("-9223372036854775808", "%lld", (long long)(-9223372036854775807LL - 1));
	CHECK_FMT("0000000000100000", "%016llx", 0x100000ULL);
	CHECK_FMT("   12|12   |", "%5d|%-5d|", 12, 12);
	CHECK_FMT("-0012", "%05d", -12);
	CHECK_FMT("ab  |  ab|(null)", "%-4s|%4s|%s", "ab", "ab", (char *)NULL);
	CHECK_FMT("x%y", "%c%%%c", 'x', 'y');
	CHECK_FMT("%q", "%q");
	CHECK_FMT("12345678901234567890", "%zu", (size_t)12345678901234567890ULL);
}

/* "%.Ns" prints at most N characters and reads no further (an array
 * without a NUL is fine: ASan would see an over-read). */
TEST(lib, snprintf_string_precision)
{
	static const char abc[3] = {'a', 'b', 'c'};
	CHECK_FMT("abc|ab   |xy|", "%.3s|%-5.2s|%.10s|", abc, "abcdef", "xy");
	CHECK_FMT("   ab|", "%5.2s|", "abcdef");
	CHECK_FMT("|", "%.0s|", "abc");
}

/* memset (REP STOSQ then STOSB) and memcpy (REP MOVSB): every length and
 * alignment up to 40, nothing touched outside. */
TEST(lib, memset_memcpy_every_length_and_offset)
{
	uint8_t buf[64], src[64];
	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 13 + 1);
	for (unsigned off = 0; off < 8; off++)
		for (unsigned len = 0; len <= 40; len++) {
			test_context("offset %u, length %u", off, len);
			memset(buf, 0x11, sizeof(buf));
			EXPECT_TRUE(vmm_memset(buf + off, 0xab, len) == buf + off);
			for (unsigned i = 0; i < sizeof(buf); i++)
				EXPECT_EQ(buf[i], i >= off && i < off + len ? 0xab : 0x11);
			memset(buf, 0x11, sizeof(buf));
			EXPECT_TRUE(vmm_memcpy(buf + off, src + 3, len) == buf + off);
			for (unsigned i = 0; i < sizeof(buf); i++)
				EXPECT_EQ(buf[i], i >= off && i < off + len ? src[3 + i - off] : 0x11);
		}
}

TEST(lib, snprintf_truncates)
{
	char b[8];
	memset(b, 'Z', sizeof(b));
	EXPECT_EQ(vmm_snprintf(b, 5, "%s", "abcdefgh"), 8);
	EXPECT_STREQ(b, "abcd");
	EXPECT_EQ(b[5], 'Z');
	EXPECT_EQ(vmm_snprintf(b, 1, "%d", 1234), 4);
	EXPECT_EQ(b[0], '\0');
	EXPECT_EQ(vmm_snprintf(NULL, 0, "%d", 1234), 4);
}

TEST(lib, strings)
{
	char m[8] = "abcdef";
	vmm_memmove(m + 1, m, 5);
	EXPECT_STREQ(m, "aabcde");
	vmm_memmove(m, m + 1, 5);
	EXPECT_STREQ(m, "abcdee");
	EXPECT_EQ(vmm_strncmp("abc", "abd", 2), 0);
	EXPECT_TRUE(vmm_strncmp("abc", "abd", 3) < 0);
	EXPECT_EQ(vmm_strnlen("abcdef", 3), 3);
	EXPECT_EQ(vmm_strnlen("ab", 5), 2);
	EXPECT_TRUE(vmm_strchr("abc", 'c') != NULL);
	EXPECT_TRUE(vmm_strchr("abc", 'z') == NULL);
}
