/* SPDX-License-Identifier: GPL-2.0-only */
/* rt.h: the test-guest runtime: output on COM1, exit through the debug-exit
 * port, assertions, memory helpers and the boot state. Include this (it
 * pulls in io.h and trap.h); docs/guest-tests.md describes the API. */
#ifndef GUEST_RT_RT_H
#define GUEST_RT_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt/io.h"
#include "rt/mb1.h"
#include "rt/trap.h"

/* What the loader left, recorded by entry.asm before anything else. */
struct rt_boot_state {
	uint32_t magic; /* EAX */
	uint32_t mbi;	/* EBX */
	uint32_t eflags;
	uint32_t cr0;
	uint32_t cs, ds, es, fs, gs, ss;
};
extern struct rt_boot_state rt_boot;

/* Each guest's .c file is compiled with -DGUEST_NAME='"name"' (its file
 * name) and is the only file that defines guest_name. */
extern const char guest_name[];
#ifdef GUEST_NAME
const char guest_name[] = GUEST_NAME;
#endif

/* The guest's test body: return 0 to pass ("PASS: name", exit status 1). */
int main(uint32_t magic, const struct mb1_info *mbi);

/* Output (COM1, polled). */
int putchar(int c);
int puts(const char *s); /* adds the newline */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Ending: exit() writes CODE to the debug-exit port (status (CODE << 1) | 1,
 * 0 = PASS) and halts forever should the port be absent. */
#define DEBUG_EXIT_PORT 0xf4
#define EXIT_PASS	0
#define EXIT_FAIL	1
__attribute__((noreturn)) void exit(int code); /* CODE: 0..255 */
__attribute__((noreturn)) void pass(void);     /* "PASS: name", exit(0) */
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt,
							  ...);	       /* "FAIL: name: ...", exit(1) */
void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* "SKIP: name: ..." */

/* Am I running under coopvmm (CPUID leaf 0x40000000 says "CoopVMMCoopV")? */
bool under_coopvmm(void);
/* Print "SKIP: name: WHAT (not under coopvmm)" and return true when not. */
bool skip_unless_coopvmm(const char *what);

/* Assertions: print file:line, the expression and both values, then FAIL. */
__attribute__((noreturn)) void rt_fail_cmp(const char *file, int line, const char *expr, const char *op,
					   uint64_t a, uint64_t b);
__attribute__((noreturn)) void rt_fail_expr(const char *file, int line, const char *expr);

#define EXPECT_CMP_(a, op, b)                                                                                \
	do {                                                                                                 \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                             \
		if (!(a_ op b_))                                                                             \
			rt_fail_cmp(__FILE__, __LINE__, #a " " #op " " #b, #op, a_, b_);                     \
	} while (0)
#define EXPECT_EQ(a, b) EXPECT_CMP_(a, ==, b)
#define EXPECT_NE(a, b) EXPECT_CMP_(a, !=, b)
#define EXPECT_LT(a, b) EXPECT_CMP_(a, <, b) /* unsigned */
#define EXPECT_LE(a, b) EXPECT_CMP_(a, <=, b)
#define EXPECT_GT(a, b) EXPECT_CMP_(a, >, b)
#define EXPECT_GE(a, b) EXPECT_CMP_(a, >=, b)
#define EXPECT_TRUE(c)                                                                                       \
	do {                                                                                                 \
		if (!(c))                                                                                    \
			rt_fail_expr(__FILE__, __LINE__, #c);                                                \
	} while (0)
#define EXPECT_FALSE(c) EXPECT_TRUE(!(c))
/* lo <= v <= hi (unsigned). */
#define EXPECT_RANGE(v, lo, hi)                                                                              \
	do {                                                                                                 \
		EXPECT_GE(v, lo);                                                                            \
		EXPECT_LE(v, hi);                                                                            \
	} while (0)
#define EXPECT_MEMEQ(a, b, n)                                                                                \
	do {                                                                                                 \
		if (memcmp((a), (b), (n)) != 0)                                                              \
			rt_fail_mem(__FILE__, __LINE__, #a " == " #b, (a), (b), (n));                        \
	} while (0)
__attribute__((noreturn)) void rt_fail_mem(const char *file, int line, const char *expr, const void *a,
					   const void *b, size_t n);

/* Memory and strings (gcc may emit calls to the first four itself). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* 64-by-32 division without libgcc (32-bit guests have no __udivdi3). */
uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
