/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_decode.c: libFuzzer target for the instruction decoder (vmm/vcpu/decode.c,
 * SDM Vol. 2A ch. 2). Decodes the input in all four CPU modes and checks the
 * invariants the emulator relies on; any violation aborts with the input.
 * Build and run: make -C tests/fuzz run SECONDS=60 (docs/decoder.md). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vcpu/decode.h"
#include "vmm/lib/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const mode_names[] = {"real16", "prot16", "prot32", "long64"};

static void fail(enum cpu_mode mode, const char *what)
{
	fprintf(stderr, "fuzz_decode: %s: invariant violated: %s\n", mode_names[mode], what);
	abort();
}

#define CHECK(mode, cond)                                                                                    \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			fail(mode, #cond);                                                                   \
	} while (0)

static bool is_size(unsigned int s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static bool same_insn(const struct insn *a, const struct insn *b)
{
	return a->kind == b->kind && a->len == b->len && a->size == b->size && a->reg_size == b->reg_size &&
	       a->reg == b->reg && a->reg_high8 == b->reg_high8 && a->imm == b->imm &&
	       a->has_imm == b->has_imm && a->addr_size == b->addr_size && a->rep == b->rep &&
	       a->repne == b->repne && a->seg == b->seg && a->lock == b->lock &&
	       a->mem_is_moffs == b->mem_is_moffs && a->base == b->base && a->index == b->index &&
	       a->scale == b->scale && a->disp == b->disp && a->dst_reg == b->dst_reg &&
	       a->mem_read == b->mem_read && a->mem_write == b->mem_write && a->reg_write == b->reg_write;
}

static bool is_16bit_addr_reg(int r)
{
	return r == INSN_GPR_RBX || r == INSN_GPR_RBP || r == INSN_GPR_RSI || r == INSN_GPR_RDI;
}

/* Field invariants of a successful decode of avail bytes. */
static void check_fields(enum cpu_mode m, const struct insn *in, size_t avail)
{
	uint64_t mask = in->addr_size == 8 ? ~0ULL : (1ULL << (8 * in->addr_size)) - 1;

	CHECK(m, in->len >= 1 && in->len <= INSN_MAX_LEN && in->len <= avail);
	CHECK(m, in->kind >= INSN_MOV_LOAD && in->kind <= INSN_BT);
	CHECK(m, strcmp(insn_kind_name(in->kind), "unknown") != 0);
	CHECK(m, is_size(in->size) && is_size(in->reg_size));
	CHECK(m, in->size == in->reg_size || in->kind == INSN_MOVZX || in->kind == INSN_MOVSX);
	CHECK(m, in->size <= in->reg_size);
	CHECK(m, in->size != 8 || m == CPU_MODE_LONG64);
	CHECK(m, in->reg >= -1 && in->reg <= 15);
	CHECK(m, !in->reg_high8 || (in->reg >= 4 && in->reg <= 7 && in->reg_size == 1));
	CHECK(m, in->reg <= 7 || m == CPU_MODE_LONG64);
	CHECK(m, in->addr_size == 2 || in->addr_size == 4 || in->addr_size == 8);
	CHECK(m, in->addr_size != 8 || m == CPU_MODE_LONG64);
	CHECK(m, in->addr_size != 2 || m != CPU_MODE_LONG64);
	CHECK(m, in->seg >= -1 && in->seg <= INSN_SEG_GS);
	CHECK(m, m != CPU_MODE_LONG64 || in->seg == -1 || in->seg >= INSN_SEG_FS);
	CHECK(m, in->base >= INSN_BASE_RIP && in->base <= 15);
	CHECK(m, in->base != INSN_BASE_RIP || m == CPU_MODE_LONG64);
	CHECK(m, in->index >= -1 && in->index <= 15 && in->index != INSN_GPR_RSP);
	CHECK(m, in->scale == 1 || ((in->scale == 2 || in->scale == 4 || in->scale == 8) && in->index >= 0));
	CHECK(m, !in->mem_is_moffs || (in->base == -1 && in->index == -1 && in->reg == INSN_GPR_RAX));
	CHECK(m, in->mem_read || in->mem_write);
	CHECK(m, !in->has_imm || (in->imm & ~(in->size == 8 ? ~0ULL : (1ULL << (8 * in->size)) - 1)) == 0 ||
		     in->kind == INSN_BT);
	CHECK(m, !in->has_imm || in->reg == -1);
	CHECK(m, in->reg >= 0 || in->has_imm || in->kind == INSN_MOVS);
	CHECK(m, !in->lock || in->mem_write);
	CHECK(m, insn_segment(in) <= INSN_SEG_GS);
	if (in->addr_size == 2 && !in->mem_is_moffs && in->kind != INSN_MOVS && in->kind != INSN_STOS &&
	    in->kind != INSN_LODS) {
		CHECK(m, in->base == -1 || is_16bit_addr_reg(in->base));
		CHECK(m, in->index == -1 || in->index == INSN_GPR_RSI || in->index == INSN_GPR_RDI);
	}
	if (!in->mem_is_moffs) /* displacements are at most 32 bits, sign-extended */
		CHECK(m, in->disp >= INT32_MIN && in->disp <= INT32_MAX);
	if (in->mem_is_moffs)
		CHECK(m, ((uint64_t)in->disp & ~mask) == 0);
	{
		uint64_t regs[16];
		unsigned int i;

		for (i = 0; i < 16; i++)
			regs[i] = 0x0123456789abcdefULL * (i + 1);
		CHECK(m, (insn_effective_addr(in, regs, 0xfedcba9876543210ULL) & ~mask) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum cpu_mode m;

	for (m = CPU_MODE_REAL16; m <= CPU_MODE_LONG64; m++) {
		struct insn a, b;
		int ra, rb;

		memset(&a, 0x5a, sizeof(a));
		ra = decode_insn(data, size, m, &a);
		CHECK(m, ra == 0 || ra == -EINVAL || ra == -ENOSYS);
		rb = decode_insn(data, size, m, &b);
		CHECK(m, ra == rb); /* deterministic */
		if (ra)
			continue;
		CHECK(m, same_insn(&a, &b));
		check_fields(m, &a, size);
		{
			/* Only the first len bytes matter; an exactly-sized heap
			 * copy lets ASan catch a read past them. */
			uint8_t *copy = malloc(a.len);

			if (!copy)
				abort();
			memcpy(copy, data, a.len);
			rb = decode_insn(copy, a.len, m, &b);
			CHECK(m, rb == 0 && same_insn(&a, &b));
			CHECK(m, decode_insn(copy, a.len - 1u, m, &b) == -EINVAL);
			free(copy);
		}
	}
	return 0;
}
