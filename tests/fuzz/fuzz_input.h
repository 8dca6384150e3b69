/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_input.h: what the libFuzzer targets fuzz_devmodels.c, fuzz_virtio.c,
 * fuzz_virtio_blk.c, fuzz_virtio_console.c and fuzz_virtio_net.c share:
 * CHECK(), which aborts with the fuzzer's name (FUZZ_NAME, defined before
 * this header is included), the expression and its line; and the input
 * read as a script: bytes, then little-endian halves and words, 0 once it
 * is used up. */
#ifndef TESTS_FUZZ_FUZZ_INPUT_H
#define TESTS_FUZZ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                                             \
	do {                                                                                                 \
		if (!(c)) {                                                                                  \
			fprintf(stderr, FUZZ_NAME ": INVARIANT VIOLATED: %s (line %d)\n", #c, __LINE__);     \
			abort();                                                                             \
		}                                                                                            \
	} while (0)

struct input {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t byte(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t half(struct input *in)
{
	uint16_t lo = byte(in);
	return (uint16_t)(lo | byte(in) << 8);
}

static inline uint32_t word(struct input *in)
{
	uint32_t lo = half(in);
	return lo | (uint32_t)half(in) << 16;
}

#endif
