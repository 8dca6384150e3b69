/* SPDX-License-Identifier: GPL-2.0-only */
/* printf.c: the printf subset of the guests: %d %i %u %x %X %o %c %s %p %%,
 * flags '-' '0' '#', a field width (or '*'), length modifiers h, l, ll, z.
 * No floating point (guests are built with -mgeneral-regs-only). */
#include "rt/rt.h"

struct out {
	char *buf; /* NULL: COM1 */
	size_t size;
	size_t len; /* characters produced (even when cut) */
};

static void emit(struct out *o, char c)
{
	if (!o->buf)
		putchar(c);
	else if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void emit_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

/* Digits of v in base, most significant first, into tmp; returns the count. */
static int to_digits(uint64_t v, uint32_t base, bool upper, char *tmp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	int n = 0;
	do {
		uint32_t r;
		v = udiv64(v, base, &r);
		rev[n++] = digits[r];
	} while (v);
	for (int i = 0; i < n; i++)
		tmp[i] = rev[n - 1 - i];
	return n;
}

static int vformat(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			emit(o, *fmt);
			continue;
		}
		fmt++;
		bool left = false, zero = false, alt = false;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		int width = 0;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		int lng = 0; /* 0 int, 1 long, 2 long long */
		while (*fmt == 'l' || *fmt == 'h' || *fmt == 'z') {
			if (*fmt == 'l')
				lng++;
			fmt++;
		}
		char tmp[24];
		const char *s = tmp, *prefix = "";
		int n;
		uint64_t u;
		bool neg = false;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t x = lng >= 2 ? va_arg(ap, long long)
				    : lng    ? va_arg(ap, long)
					     : va_arg(ap, int);
			neg = x < 0;
			u = neg ? -(uint64_t)x : (uint64_t)x;
			n = to_digits(u, 10, false, tmp);
			prefix = neg ? "-" : "";
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = lng >= 2 ? va_arg(ap, unsigned long long)
			    : lng    ? va_arg(ap, unsigned long)
				     : va_arg(ap, unsigned int);
			n = to_digits(u, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16, *fmt == 'X', tmp);
			if (alt && *fmt != 'u' && u)
				prefix = *fmt == 'o' ? "0" : *fmt == 'X' ? "0X" : "0x";
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			n = to_digits(u, 16, false, tmp);
			prefix = "0x";
			break;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			n = 1;
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			n = (int)strlen(s);
			break;
		case '%':
			tmp[0] = '%';
			n = 1;
			break;
		default: /* unknown: print it as written */
			emit(o, '%');
			if (!*fmt)
				return (int)o->len;
			emit(o, *fmt);
			continue;
		}
		int plen = (int)strlen(prefix), pad = width - n - plen;
		if (!left && !zero)
			emit_pad(o, ' ', pad);
		for (const char *p = prefix; *p; p++)
			emit(o, *p);
		if (!left && zero)
			emit_pad(o, '0', pad);
		for (int i = 0; i < n; i++)
			emit(o, s[i]);
		if (left)
			emit_pad(o, ' ', pad);
	}
	return (int)o->len;
}

int vprintf(const char *fmt, va_list ap)
{
	struct out o = {NULL, 0, 0};
	return vformat(&o, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct out o = {buf, size, 0};
	va_list ap;
	va_start(ap, fmt);
	vformat(&o, fmt, ap);
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}
