/* SPDX-License-Identifier: GPL-2.0-only */
/* mb1_image.h: a hand-built Multiboot v1 ELF32 image for the loader tests
 * (test_mb1.c, test_guests.c): ELF header at 0, one PT_LOAD program header
 * at 0x34, the Multiboot header at 0x1000 (inside the first 8 KiB), the
 * segment's file bytes from 0x1000 on (System V ABI i386 supplement). */
#ifndef TESTS_UNIT_MB1_IMAGE_H
#define TESTS_UNIT_MB1_IMAGE_H

#include <stdint.h>
#include <string.h>

#include "vmm/vm/mb1_loader.h"

struct mb1_image {
	uint8_t b[0x3000];
	uint32_t len;
};

static inline void mb1_image_put32(struct mb1_image *im, uint32_t off, uint32_t v)
{
	memcpy(im->b + off, &v, 4);
}
static inline void mb1_image_put16(struct mb1_image *im, uint32_t off, uint16_t v)
{
	memcpy(im->b + off, &v, 2);
}

/* One segment of memsz bytes at paddr (vaddr = paddr), filesz of them from
 * the file; entry point `entry`. */
static inline void mb1_image_build(struct mb1_image *im, uint32_t paddr, uint32_t filesz, uint32_t memsz,
				   uint32_t entry)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->b,
	       "\x7f"
	       "ELF",
	       4);
	im->b[4] = 1; /* ELFCLASS32 */
	im->b[5] = 1; /* little endian */
	im->b[6] = 1;
	mb1_image_put16(im, 16, 2); /* ET_EXEC */
	mb1_image_put16(im, 18, 3); /* EM_386 */
	mb1_image_put32(im, 20, 1);
	mb1_image_put32(im, 24, entry);
	mb1_image_put32(im, 28, 0x34); /* phoff */
	mb1_image_put16(im, 40, 0x34);
	mb1_image_put16(im, 42, 0x20); /* phentsize */
	mb1_image_put16(im, 44, 1);    /* phnum */
	/* PT_LOAD: offset 0x1000, vaddr = paddr */
	mb1_image_put32(im, 0x34, 1);
	mb1_image_put32(im, 0x38, 0x1000);
	mb1_image_put32(im, 0x3c, paddr);
	mb1_image_put32(im, 0x40, paddr);
	mb1_image_put32(im, 0x44, filesz);
	mb1_image_put32(im, 0x48, memsz);
	mb1_image_put32(im, 0x1000, MB1_HEADER_MAGIC);
	mb1_image_put32(im, 0x1004, 0x3);
	mb1_image_put32(im, 0x1008, (uint32_t) - (MB1_HEADER_MAGIC + 0x3));
	for (uint32_t i = 0x100c; i < 0x1000 + filesz && i < sizeof(im->b); i++)
		im->b[i] = (uint8_t)i;
	im->len = 0x1000 + filesz;
}

#endif
