/* SPDX-License-Identifier: GPL-2.0-only */
/* test.h: the host unit-test framework. TEST(suite, name) defines a test
 * that registers itself (a constructor), so a new test file only has to be
 * dropped into tests/unit/. EXPECT_* macros stop the test at the first
 * failure and print the expression and the values. Runner: main.c. */
#ifndef TESTS_UNIT_TEST_H
#define TESTS_UNIT_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *suite, *name;
	void (*fn)(void);
	struct test_case *next;
	const char *known_bug; /* TEST_KNOWN_BUG: what is wrong in the VMM */
};

void test_register(struct test_case *t);

/* Record a failure of the running test and leave it (longjmp). */
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* Context shown in a failure message, e.g. the table row being checked.
 * Cleared before each test. */
void test_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST(suite, name) TEST_KNOWN_BUG(suite, name, NULL)

/* A test of the right behaviour that fails because of a VMM bug that is
 * reported but not fixed yet. It runs like any test: a failure prints
 * "XFAIL: name: bug: message" and counts as skipped, a pass prints
 * "XPASS: name" (the bug is fixed: make it a plain TEST) and counts as
 * passed. */
#define TEST_KNOWN_BUG(suite, name, bug)                                                                     \
	static void test_##suite##_##name(void);                                                             \
	static struct test_case test_case_##suite##_##name = {#suite, #name, test_##suite##_##name, NULL,    \
							      bug};                                          \
	__attribute__((constructor)) static void test_register_##suite##_##name(void)                        \
	{                                                                                                    \
		test_register(&test_case_##suite##_##name);                                                  \
	}                                                                                                    \
	static void test_##suite##_##name(void)

/* Integer comparisons; values printed in decimal (signed) and hex. */
#define EXPECT_CMP_(a, op, b, name)                                                                          \
	do {                                                                                                 \
		unsigned long long a_ = (unsigned long long)(a);                                             \
		unsigned long long b_ = (unsigned long long)(b);                                             \
		if (!(a_ op b_))                                                                             \
			test_fail(__FILE__, __LINE__, name "(%s, %s) (%lld = 0x%llx, %lld = 0x%llx)", #a,    \
				  #b, (long long)a_, a_, (long long)b_, b_);                                 \
	} while (0)

/* Signed comparisons for orderings (EXPECT_EQ works for both). */
#define EXPECT_SCMP_(a, op, b, name)                                                                         \
	do {                                                                                                 \
		long long a_ = (long long)(a), b_ = (long long)(b);                                          \
		if (!(a_ op b_))                                                                             \
			test_fail(__FILE__, __LINE__, name "(%s, %s) (%lld = 0x%llx, %lld = 0x%llx)", #a,    \
				  #b, a_, (unsigned long long)a_, b_, (unsigned long long)b_);               \
	} while (0)

#define EXPECT_EQ(a, b) EXPECT_CMP_(a, ==, b, "EXPECT_EQ")
#define EXPECT_NE(a, b) EXPECT_CMP_(a, !=, b, "EXPECT_NE")
/* Unsigned orderings (addresses and sizes). */
#define EXPECT_LT(a, b) EXPECT_CMP_(a, <, b, "EXPECT_LT")
#define EXPECT_LE(a, b) EXPECT_CMP_(a, <=, b, "EXPECT_LE")
#define EXPECT_GT(a, b) EXPECT_CMP_(a, >, b, "EXPECT_GT")
#define EXPECT_GE(a, b) EXPECT_CMP_(a, >=, b, "EXPECT_GE")
/* Signed orderings (return codes). */
#define EXPECT_SLT(a, b) EXPECT_SCMP_(a, <, b, "EXPECT_SLT")

#define EXPECT_TRUE(c)                                                                                       \
	do {                                                                                                 \
		if (!(c))                                                                                    \
			test_fail(__FILE__, __LINE__, "EXPECT_TRUE(%s)", #c);                                \
	} while (0)

#define EXPECT_FALSE(c)                                                                                      \
	do {                                                                                                 \
		if (c)                                                                                       \
			test_fail(__FILE__, __LINE__, "EXPECT_FALSE(%s)", #c);                               \
	} while (0)

/* Like EXPECT_TRUE with an explanation (printf format). */
#define EXPECT_MSG(c, ...)                                                                                   \
	do {                                                                                                 \
		if (!(c)) {                                                                                  \
			char m_[256];                                                                        \
			snprintf(m_, sizeof(m_), __VA_ARGS__);                                               \
			test_fail(__FILE__, __LINE__, "EXPECT_MSG(%s) (%s)", #c, m_);                        \
		}                                                                                            \
	} while (0)

#define EXPECT_STR_(a, b, test, name)                                                                        \
	do {                                                                                                 \
		const char *a_ = (a), *b_ = (b);                                                             \
		if (!a_ || !b_ || !(test))                                                                   \
			test_fail(__FILE__, __LINE__, name "(%s, %s) (\"%s\", \"%s\")", #a, #b,              \
				  a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                   \
	} while (0)

#define EXPECT_STREQ(a, b) EXPECT_STR_(a, b, !strcmp(a_, b_), "EXPECT_STREQ")
/* n bytes at a equal n bytes at b */
#define EXPECT_MEMEQ(a, b, n)                                                                                \
	EXPECT_MSG(!memcmp((a), (b), (n)), "%s and %s differ in their %u bytes", #a, #b, (unsigned)(n))
/* a contains b */
#define EXPECT_STRCONTAINS(a, b) EXPECT_STR_(a, b, strstr(a_, b_) != NULL, "EXPECT_STRCONTAINS")
/* a starts with b */
#define EXPECT_STRSTARTS(a, b) EXPECT_STR_(a, b, !strncmp(a_, b_, strlen(b_)), "EXPECT_STRSTARTS")

#endif
