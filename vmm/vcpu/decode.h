/* SPDX-License-Identifier: GPL-2.0-only */
/* decode.h: x86 instruction decoder for the VMM's MMIO emulation (EPT
 * violations). Follows Intel SDM Vol. 2A ch. 2 "Instruction Format" (legacy
 * prefixes 2.1.1, REX 2.2.1, ModRM/SIB tables 2-1..2-3, RIP-relative 2.2.1.6)
 * and Vol. 2D Appendix A (opcode map). Supported forms: docs/decoder.md. */
#ifndef VMM_DECODE_H
#define VMM_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/insn.h" /* INSN_MAX_LEN */

enum cpu_mode {
	CPU_MODE_REAL16,
	CPU_MODE_PROT16,
	CPU_MODE_PROT32,
	CPU_MODE_LONG64
}; /* default operand/address size 16/16/32/32(64 addr) */
enum insn_kind {
	INSN_MOV_LOAD,	    /* reg <- mem: 8A, 8B, A0/A1 (moffs) */
	INSN_MOV_STORE,	    /* mem <- reg: 88, 89, A2/A3 (moffs) */
	INSN_MOV_STORE_IMM, /* mem <- imm: C6 /0, C7 /0 (imm32 sign-extended to 64 with REX.W) */
	INSN_MOVZX,	    /* reg <- zero-extend mem: 0F B6, 0F B7 */
	INSN_MOVSX,	    /* reg <- sign-extend mem: 0F BE, 0F BF, 63 (MOVSXD with REX.W) */
	INSN_MOVS,	    /* A4, A5: [rdi] <- [rsi] (either or both may be MMIO) */
	INSN_STOS,	    /* AA, AB: [rdi] <- al/ax/eax/rax */
	INSN_LODS,	    /* AC, AD: al/.. <- [rsi] */
	INSN_AND,
	INSN_OR,
	INSN_XOR,
	INSN_ADD,
	INSN_SUB,
	INSN_CMP,
	INSN_TEST, /* read-modify-write/compare with mem: 20-23,08-0B,30-33,00-03,28-2B,38-3B, 80/81/83 /x,
		      84/85, F6/F7 /0 */
	INSN_XCHG, /* 86, 87 with mem */
	INSN_BT,   /* 0F A3 reg, 0F BA /4 imm8 (bit test on mem, reads only) */
};

/* GPR numbers as encoded in ModRM/SIB/REX (SDM Vol. 2A Table 2-1..2-3). */
enum insn_gpr {
	INSN_GPR_RAX,
	INSN_GPR_RCX,
	INSN_GPR_RDX,
	INSN_GPR_RBX,
	INSN_GPR_RSP,
	INSN_GPR_RBP,
	INSN_GPR_RSI,
	INSN_GPR_RDI,
	INSN_GPR_R8,
	INSN_GPR_R9,
	INSN_GPR_R10,
	INSN_GPR_R11,
	INSN_GPR_R12,
	INSN_GPR_R13,
	INSN_GPR_R14,
	INSN_GPR_R15,
};
#define INSN_REG_NONE (-1) /* reg, base, index, seg: absent */
#define INSN_BASE_RIP (-2) /* base: RIP-relative (64-bit mode, mod=00 r/m=101) */

/* Segment register numbering of the SDM (Vol. 3A 3.4.2, VMCS field order). */
enum insn_seg { INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS };

struct insn {
	enum insn_kind kind;
	uint8_t len;	  /* total instruction length in bytes (<= 15) */
	uint8_t size;	  /* memory access size: 1, 2, 4 or 8 */
	uint8_t reg_size; /* size of the register operand (MOVZX/MOVSX destination, else == size) */
	int8_t reg;	  /* GPR number 0-15 of the register operand
			     (RAX=0,RCX=1,RDX=2,RBX=3,RSP=4,RBP=5,RSI=6,RDI=7,R8..R15), -1 if none */
	bool reg_high8;	  /* AH/CH/DH/BH (no REX, reg 4-7, byte op): byte 1 of reg-4 */
	uint64_t imm; /* immediate, already sign/zero-extended to the operand size, for *_IMM forms, group-1
			 imm, BT imm */
	bool has_imm;
	uint8_t addr_size; /* 2, 4 or 8 */
	bool rep;	   /* F3 (REP/REPE) */
	bool repne;	   /* F2 */
	int8_t seg; /* segment override prefix: 0=ES 1=CS 2=SS 3=DS 4=FS 5=GS, -1 none (SDM segment register
		       numbering) */
	bool lock;
	/* Memory operand as encoded (for the VMM's cross-check and for guests with paging): */
	bool mem_is_moffs;  /* A0-A3 absolute address form */
	int8_t base, index; /* GPR numbers or -1; base == -2 means RIP-relative */
	uint8_t scale;	    /* 1,2,4,8 */
	int64_t disp;	    /* displacement (sign-extended), or moffs address */

	/* Additions to the brief's API. What the instruction does with its
	 * operands, so the emulator needs no per-opcode knowledge: */
	bool dst_reg;	/* the register is the first (destination) operand
			 * (8A/8B, A0/A1, 02/03-style, MOVZX/MOVSX, LODS,
			 * CMP 3A/3B); otherwise memory is the first operand */
	bool mem_read;	/* the memory operand is read */
	bool mem_write; /* the memory operand is written */
	bool reg_write; /* the register operand is written */
};

/* Notes on the fields:
 * - reg_high8: reg keeps the encoded number 4-7; the operand is bits 15:8
 *   of GPR reg-4 (AH=4 -> RAX). insn_reg_gpr()/insn_reg_shift() do this.
 * - seg: in 64-bit mode the CPU ignores ES/CS/SS/DS overrides, so only FS/GS
 *   are reported there. STOS (and MOVS's destination) always use ES; the
 *   fields describe MOVS's source, DS:[rSI] (overridable); its destination
 *   is ES:[rDI] with the same addr_size. insn_segment() gives the segment
 *   actually used, default or override.
 * - rep/repne: as encoded; both are set when both prefixes are present.
 *   The SDM defines F2 only for CMPS/SCAS; on MOVS/STOS/LODS processors
 *   repeat with F2 as with F3, so an emulator should test rep || repne.
 * - imm: operand-size masked (83 /x ib with 32-bit operand 0x80 -> 0xffffff80);
 *   BT's imm8 is the raw bit offset (the CPU takes it modulo the size).
 * - BT with a register bit offset (0F A3) may access memory outside
 *   [EA, EA+size): the CPU reads size bytes at
 *   EA + size * floor(signed offset / (8 * size)) (SDM Vol. 2A "BT"). */

/* Decode the instruction at bytes[0..avail). Returns 0 and fills *out, or a
 * negative errno: -EINVAL for garbage / truncated input / more than 15 bytes,
 * -ENOSYS for a well-formed instruction the emulator does not support
 * (for instance a register-register form, or an opcode outside the list). */
int decode_insn(const uint8_t *bytes, size_t avail, enum cpu_mode mode, struct insn *out);
/* Effective address of the memory operand from register values regs[16] and
 * rip_next (address of the next instruction), truncated to addr_size. */
uint64_t insn_effective_addr(const struct insn *in, const uint64_t regs[16], uint64_t rip_next);
const char *insn_kind_name(enum insn_kind k);

/* Segment register the memory operand uses: the override, else the default
 * (SS for rBP/rSP-based forms, ES for STOS, else DS; SDM Vol. 1 3.7.4). */
enum insn_seg insn_segment(const struct insn *in);

/* The GPR that holds the register operand, and the bit position of the
 * operand in it (8 for AH/CH/DH/BH, else 0). Only when in->reg >= 0. */
static inline unsigned int insn_reg_gpr(const struct insn *in)
{
	return in->reg_high8 ? (unsigned int)in->reg - 4 : (unsigned int)in->reg;
}

static inline unsigned int insn_reg_shift(const struct insn *in)
{
	return in->reg_high8 ? 8 : 0;
}

#endif
