/* SPDX-License-Identifier: GPL-2.0-only */
/* sanitize.c: escape untrusted text for the VMM log (sanitize.h). */
#include "vmm/lib/sanitize.h"

#define PRINTABLE_FIRST 0x20 /* ' ': ASCII control characters are below */
#define PRINTABLE_LAST	0x7e /* '~': 0x7f is DEL, 0x80-0xff not ASCII */
#define ESCAPE_LEN	4    /* \xNN */

size_t sanitize_text(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	if (!dstlen)
		return 0;
	for (size_t i = 0; i < srclen && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];
		char esc[ESCAPE_LEN];
		size_t len = 0;
		if (c == '\\') {
			esc[len++] = '\\';
			esc[len++] = '\\';
		} else if (c >= PRINTABLE_FIRST && c <= PRINTABLE_LAST) {
			esc[len++] = (char)c;
		} else {
			esc[len++] = '\\';
			esc[len++] = 'x';
			esc[len++] = hex[c >> 4];
			esc[len++] = hex[c & 0xf];
		}
		if (n + len >= dstlen)
			break;
		for (size_t k = 0; k < len; k++)
			dst[n++] = esc[k];
	}
	dst[n] = '\0';
	return n;
}
