/* SPDX-License-Identifier: GPL-2.0-only */
/* lib.h: the small C library the freestanding VMM provides (vmm/lib/lib.c).
 * Names and semantics follow ISO C so that host unit tests can link the same
 * VMM sources against the system C library instead. */
#ifndef VMM_LIB_H
#define VMM_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/paging.h" /* PAGE_SIZE, PAGE_SHIFT, LARGE_PAGE_SIZE */

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Subset of printf formats: %d %i %u %x %X %p %s %c %%, flags '-' '0',
 * field width, precision for %s only (%.Ns), length modifiers l ll z. Always NUL-terminates when n > 0;
 * returns the length the full output would have had. */
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	 (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))

#define KiB	  (1024ULL)
#define MiB	  (1024ULL * KiB)
#define GiB	  (1024ULL * MiB)
#define KHZ	  1000ULL /* Hz per kHz (rates are kept in kHz) */
#define BYTE_BITS 8

/* All ones in the low `size` bytes (size 1 to 8): the value range of an
 * access of that size, an unclaimed read's result. */
static inline uint64_t size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

#endif
