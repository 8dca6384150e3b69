/* SPDX-License-Identifier: GPL-2.0-only */
/* sanitize.h: make text that a less trusted source wrote (the IOPM's note in
 * the shared zone, later guest output) safe to put into one VMM log line:
 * printable ASCII stays, everything else -- newline, carriage return,
 * escape sequences, bytes >= 0x7f -- becomes a visible \xNN, and a
 * backslash becomes \\ so that an escape cannot be faked. Pure C
 * (host-tested in tests/unit/test_sanitize.c). */
#ifndef VMM_SANITIZE_H
#define VMM_SANITIZE_H

#include <stddef.h>

/* Copy at most `srclen` bytes of `src`, stopping at a NUL, into `dst`
 * escaped as above. `dst` is always NUL-terminated (when dstlen > 0) and
 * never ends in half an escape. Returns the length written. A `dst` of
 * 4 * srclen + 1 bytes always holds the whole text. */
size_t sanitize_text(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
