/* SPDX-License-Identifier: GPL-2.0-only */
/* aml_util.h: for the ACPI table tests (test_acpi_build.c,
 * test_acpi_pci.c): the DSDT's AML read back as an interpreter would
 * (ACPI 6.4 chapter 20): opcodes, PkgLength, integers. The values are
 * written here on purpose, not taken from arch/x86/acpi_tables.h. */
#ifndef TESTS_UNIT_AML_UTIL_H
#define TESTS_UNIT_AML_UTIL_H

#include <stdint.h>

#include "test.h"

#define AML_ZERO   0x00
#define AML_ONE	   0x01
#define AML_NAME   0x08
#define AML_BYTE   0x0a
#define AML_WORD   0x0b
#define AML_DWORD  0x0c
#define AML_QWORD  0x0e
#define AML_SCOPE  0x10
#define AML_BUFFER 0x11
#define AML_PKG	   0x12
#define AML_EXT	   0x5b
#define AML_DEVICE 0x82 /* after AML_EXT */
#define AML_ONES   0xff

struct aml {
	const uint8_t *p;
	uint32_t at, end;
};

static inline uint8_t aml_byte(struct aml *a)
{
	EXPECT_LT(a->at, a->end);
	return a->p[a->at++];
}

/* PkgLength (20.2.4): the lead byte's bits 7:6 count the bytes that
 * follow; with none, bits 5:0 are the length, else bits 3:0 are its low
 * nibble. The length counts itself. Returns where the package ends. */
static inline uint32_t aml_pkglen(struct aml *a)
{
	uint32_t start = a->at;
	uint8_t lead = aml_byte(a);
	unsigned follow = lead >> 6;
	uint32_t len = follow ? lead & 0x0f : lead & 0x3f;
	if (follow)
		EXPECT_EQ(lead & 0x30, 0); /* bits 5:4 reserved */
	for (unsigned i = 0; i < follow; i++)
		len |= (uint32_t)aml_byte(a) << (4 + 8 * i);
	EXPECT_LE(start + len, a->end);
	return start + len;
}

/* A ComputationalData integer (20.2.3). */
static inline uint64_t aml_integer(struct aml *a)
{
	uint8_t op = aml_byte(a);
	unsigned n = op == AML_BYTE ? 1 : op == AML_WORD ? 2 : op == AML_DWORD ? 4 : op == AML_QWORD ? 8 : 0;
	if (!n) {
		if (op != AML_ZERO && op != AML_ONE && op != AML_ONES)
			test_fail(__FILE__, __LINE__, "opcode %#x at %u is not an integer", op, a->at - 1);
		return op == AML_ONES ? ~0ULL : op;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)aml_byte(a) << (8 * i);
	return v;
}

#endif
