/* SPDX-License-Identifier: GPL-2.0-only */
/* main.c: the host unit-test runner. Runs every registered TEST (sorted by
 * suite.name), or those whose "suite.name" contains the PATTERN argument (or
 * matches it as a glob when it has * ? or [). Prints "PASS: suite.name" or
 * "FAIL: suite.name: file:line: expression (values)" per test, then
 * "N passed, N failed" (", N skipped" when known-bug tests failed as
 * expected: TEST_KNOWN_BUG in test.h); exits 1 if any failed or nothing
 * matched. */
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>

#include "test.h"

#define FULLNAME_MAX 128
#define MESSAGE_MAX  1024
#define CONTEXT_MAX  256

static struct test_case *test_list;
static size_t test_count;
static jmp_buf test_jmp;
static char test_message[MESSAGE_MAX];
static char test_ctx[CONTEXT_MAX];

void test_register(struct test_case *t)
{
	t->next = test_list;
	test_list = t;
	test_count++;
}

void test_context(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(test_ctx, sizeof(test_ctx), fmt, ap);
	va_end(ap);
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	snprintf(test_message, sizeof(test_message), "%s:%d: ", file, line);
	n = strlen(test_message);
	if (test_ctx[0]) {
		snprintf(test_message + n, sizeof(test_message) - n, "[%s] ", test_ctx);
		n = strlen(test_message);
	}
	va_start(ap, fmt);
	vsnprintf(test_message + n, sizeof(test_message) - n, fmt, ap);
	va_end(ap);
	longjmp(test_jmp, 1);
}

static void full_name(const struct test_case *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%s", t->suite, t->name);
}

static int by_name(const void *a, const void *b)
{
	char na[FULLNAME_MAX], nb[FULLNAME_MAX];

	full_name(*(const struct test_case *const *)a, na, sizeof(na));
	full_name(*(const struct test_case *const *)b, nb, sizeof(nb));
	return strcmp(na, nb);
}

static bool matches(const char *name, const char *pattern)
{
	if (!pattern)
		return true;
	if (strpbrk(pattern, "*?["))
		return fnmatch(pattern, name, 0) == 0;
	return strstr(name, pattern) != NULL;
}

/* Returns 1 when the test passed, 0 when it failed, -1 for a known bug
 * that still reproduces. */
static int run_one(struct test_case *t, const char *name)
{
	static volatile bool failed;

	failed = false;
	test_ctx[0] = '\0';
	if (setjmp(test_jmp) == 0)
		t->fn();
	else
		failed = true;
	if (t->known_bug) {
		if (failed)
			printf("XFAIL: %s: known VMM bug: %s (%s)\n", name, t->known_bug, test_message);
		else
			printf("XPASS: %s: the known bug is fixed (%s): make it a plain TEST\n", name,
			       t->known_bug);
		fflush(stdout);
		return failed ? -1 : 1;
	}
	if (failed)
		printf("FAIL: %s: %s\n", name, test_message);
	else
		printf("PASS: %s\n", name);
	fflush(stdout);
	return !failed;
}

int main(int argc, char **argv)
{
	const char *pattern = argc > 1 ? argv[1] : NULL;
	struct test_case **all, *t;
	size_t i = 0, passed = 0, failed = 0, skipped = 0;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [PATTERN]\n", argv[0]);
		return 2;
	}
	all = calloc(test_count ? test_count : 1, sizeof(*all));
	if (!all)
		return 2;
	for (t = test_list; t; t = t->next)
		all[i++] = t;
	qsort(all, test_count, sizeof(*all), by_name);
	for (i = 0; i < test_count; i++) {
		char name[FULLNAME_MAX];

		full_name(all[i], name, sizeof(name));
		if (!matches(name, pattern))
			continue;
		switch (run_one(all[i], name)) {
		case 1:
			passed++;
			break;
		case 0:
			failed++;
			break;
		default:
			skipped++;
			break;
		}
	}
	free(all);
	if (!passed && !failed && !skipped)
		fprintf(stderr, "no test matches \"%s\"\n", pattern ? pattern : "");
	if (skipped)
		printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
	else
		printf("%zu passed, %zu failed\n", passed, failed);
	return failed || (!passed && !skipped) ? 1 : 0;
}
