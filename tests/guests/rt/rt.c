/* SPDX-License-Identifier: GPL-2.0-only */
/* rt.c: the runtime's start, its endings (PASS/FAIL/SKIP lines, the
 * debug-exit port with QEMU isa-debug-exit semantics) and its assertions.
 * Contract: docs/guest-platform.md ("Boot", "debug exit"). */
#include "rt/rt.h"

#include "rt/hv.h"
#include "rt/pic.h"

void serial_init(void);
__attribute__((noreturn)) void rt_start(const struct rt_boot_state *bs);

struct rt_boot_state rt_boot;

__attribute__((noreturn)) void exit(int code)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)code);
	for (;;) /* the port is absent: stop here */
		__asm__ volatile("cli; hlt");
}

__attribute__((noreturn)) void pass(void)
{
	printf("PASS: %s\n", guest_name);
	exit(EXIT_PASS);
}

__attribute__((noreturn)) void fail(const char *fmt, ...)
{
	va_list ap;
	cli();
	printf("FAIL: %s: ", guest_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(EXIT_FAIL);
}

void skip(const char *fmt, ...)
{
	va_list ap;
	printf("SKIP: %s: ", guest_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *basename(const char *path)
{
	const char *b = path;
	for (; *path; path++)
		if (*path == '/')
			b = path + 1;
	return b;
}

__attribute__((noreturn)) void rt_fail_cmp(const char *file, int line, const char *expr, const char *op,
					   uint64_t a, uint64_t b)
{
	fail("%s:%d: EXPECT(%s) failed: left %#llx (%llu), right %#llx (%llu) [%s]", basename(file), line,
	     expr, (unsigned long long)a, (unsigned long long)a, (unsigned long long)b, (unsigned long long)b,
	     op);
}

__attribute__((noreturn)) void rt_fail_expr(const char *file, int line, const char *expr)
{
	fail("%s:%d: EXPECT_TRUE(%s) failed", basename(file), line, expr);
}

__attribute__((noreturn)) void rt_fail_mem(const char *file, int line, const char *expr, const void *a,
					   const void *b, size_t n)
{
	const uint8_t *pa = a, *pb = b;
	size_t i = 0;
	while (i < n && pa[i] == pb[i])
		i++;
	fail("%s:%d: EXPECT_MEMEQ(%s, %u bytes) failed: first difference at byte %u: %#x != %#x",
	     basename(file), line, expr, (unsigned)n, (unsigned)i, pa[i], pb[i]);
}

bool under_coopvmm(void)
{
	static int cached = -1;
	if (cached < 0)
		cached = hv_signature_is(HV_SIGNATURE_COOPVMM);
	return cached;
}

bool skip_unless_coopvmm(const char *what)
{
	if (under_coopvmm())
		return false;
	skip("%s (not under coopvmm)", what);
	return true;
}

__attribute__((noreturn)) void rt_start(const struct rt_boot_state *bs)
{
	rt_boot = *bs;
	serial_init();
	trap_init();
	/* A BIOS (e.g. QEMU's) may leave the 8259 on vectors 8-15 with IRQ0 open:
	 * move it off the exception vectors and mask every line. */
	pic_init(PIC1_VECTOR_BASE, PIC2_VECTOR_BASE);
	printf("%s: start (magic %#x, mbi %#x, %s)\n", guest_name, bs->magic, bs->mbi,
	       under_coopvmm() ? "under coopvmm" : "not under coopvmm");
	if (bs->magic != MB1_BOOT_MAGIC)
		fail("entered with EAX %#x, not the Multiboot v1 magic %#x", bs->magic, MB1_BOOT_MAGIC);
	int r = main(bs->magic, (const struct mb1_info *)(uintptr_t)bs->mbi);
	if (r != 0)
		fail("main returned %d", r);
	pass();
}

/* ---- memory and strings ---- */

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (uint8_t)*a - (uint8_t)*b;
}

uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem)
{
#ifdef __x86_64__
	if (d == 0)
		fail("udiv64: division by zero");
	if (rem)
		*rem = (uint32_t)(n % d);
	return n / d;
#else
	/* Two 64/32 DIV steps: high word first, its remainder feeds the low one. */
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n, qhi = 0, qlo, r = 0;
	if (d == 0)
		fail("udiv64: division by zero");
	if (hi >= d) {
		qhi = hi / d;
		hi %= d;
	}
	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
	if (rem)
		*rem = r;
	return ((uint64_t)qhi << 32) | qlo;
#endif
}
