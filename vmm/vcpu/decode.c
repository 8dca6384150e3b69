/* SPDX-License-Identifier: GPL-2.0-only */
/* decode.c: decoder of the x86 instructions that may access MMIO, for the
 * VMM's EPT-violation emulation. Follows Intel SDM Vol. 2A ch. 2 "Instruction
 * Format" (2.1.1 prefixes, 2.2.1 REX, Tables 2-1..2-3 ModRM/SIB) and Vol. 2D
 * Appendix A (opcode map). The bytes are guest-controlled: nothing is read
 * past avail or past 15 bytes, and every loop is bounded by that. */
#include "vmm/vcpu/decode.h"

#include "arch/x86/insn.h"
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

/* How the operands of an opcode are encoded. */
enum op_form {
	FORM_NONE,   /* not supported: -ENOSYS */
	FORM_MR,     /* ModRM: memory (r/m) is the first operand, reg the second */
	FORM_RM,     /* ModRM: reg is the first operand, memory the second */
	FORM_MI,     /* ModRM /digit (kind from a group) and an immediate */
	FORM_MOFFS,  /* A0-A3: accumulator and an absolute address */
	FORM_STRING, /* MOVS/STOS/LODS: rSI and/or rDI */
};

#define OPF_BYTE   0x001 /* byte operation: operand size 1 */
#define OPF_SRC8   0x002 /* memory is 8 bits, the register the operand size */
#define OPF_SRC16  0x004 /* memory is 16 bits, the register the operand size */
#define OPF_SRC32  0x008 /* MOVSXD: memory is 32 bits */
#define OPF_IMM8   0x010 /* imm8, as is */
#define OPF_IMM8S  0x020 /* imm8, sign-extended to the operand size */
#define OPF_IMMZ   0x040 /* imm16, or imm32 (sign-extended with REX.W) */
#define OPF_NO64   0x080 /* #UD in 64-bit mode */
#define OPF_ONLY64 0x100 /* a different, unsupported instruction outside 64-bit mode */

/* Opcode extension groups, selected by ModRM.reg (SDM Vol. 2D Table A-6). */
enum op_group { GRP1, GRP3, GRP8, GRP11, GRP_COUNT };
#define GRP_UNSUPPORTED (-1) /* a valid instruction the emulator lacks: -ENOSYS */
#define GRP_UNDEFINED	(-2) /* #UD: -EINVAL */

struct opcode {
	uint8_t form;	/* enum op_form */
	uint8_t kind;	/* enum insn_kind; enum op_group for FORM_MI */
	uint16_t flags; /* OPF_* */
};

static const struct opcode one_byte_map[256] = {
    [OP_ADD_EB_GB] = {FORM_MR, INSN_ADD, OPF_BYTE},
    [OP_ADD_EV_GV] = {FORM_MR, INSN_ADD, 0},
    [OP_ADD_GB_EB] = {FORM_RM, INSN_ADD, OPF_BYTE},
    [OP_ADD_GV_EV] = {FORM_RM, INSN_ADD, 0},
    [OP_OR_EB_GB] = {FORM_MR, INSN_OR, OPF_BYTE},
    [OP_OR_EV_GV] = {FORM_MR, INSN_OR, 0},
    [OP_OR_GB_EB] = {FORM_RM, INSN_OR, OPF_BYTE},
    [OP_OR_GV_EV] = {FORM_RM, INSN_OR, 0},
    [OP_AND_EB_GB] = {FORM_MR, INSN_AND, OPF_BYTE},
    [OP_AND_EV_GV] = {FORM_MR, INSN_AND, 0},
    [OP_AND_GB_EB] = {FORM_RM, INSN_AND, OPF_BYTE},
    [OP_AND_GV_EV] = {FORM_RM, INSN_AND, 0},
    [OP_SUB_EB_GB] = {FORM_MR, INSN_SUB, OPF_BYTE},
    [OP_SUB_EV_GV] = {FORM_MR, INSN_SUB, 0},
    [OP_SUB_GB_EB] = {FORM_RM, INSN_SUB, OPF_BYTE},
    [OP_SUB_GV_EV] = {FORM_RM, INSN_SUB, 0},
    [OP_XOR_EB_GB] = {FORM_MR, INSN_XOR, OPF_BYTE},
    [OP_XOR_EV_GV] = {FORM_MR, INSN_XOR, 0},
    [OP_XOR_GB_EB] = {FORM_RM, INSN_XOR, OPF_BYTE},
    [OP_XOR_GV_EV] = {FORM_RM, INSN_XOR, 0},
    [OP_CMP_EB_GB] = {FORM_MR, INSN_CMP, OPF_BYTE},
    [OP_CMP_EV_GV] = {FORM_MR, INSN_CMP, 0},
    [OP_CMP_GB_EB] = {FORM_RM, INSN_CMP, OPF_BYTE},
    [OP_CMP_GV_EV] = {FORM_RM, INSN_CMP, 0},
    [OP_MOVSXD] = {FORM_RM, INSN_MOVSX, OPF_SRC32 | OPF_ONLY64},
    [OP_GRP1_EB_IB] = {FORM_MI, GRP1, OPF_BYTE | OPF_IMM8},
    [OP_GRP1_EV_IZ] = {FORM_MI, GRP1, OPF_IMMZ},
    [OP_GRP1_EB_IB2] = {FORM_MI, GRP1, OPF_BYTE | OPF_IMM8 | OPF_NO64},
    [OP_GRP1_EV_IB] = {FORM_MI, GRP1, OPF_IMM8S},
    [OP_TEST_EB_GB] = {FORM_MR, INSN_TEST, OPF_BYTE},
    [OP_TEST_EV_GV] = {FORM_MR, INSN_TEST, 0},
    [OP_XCHG_EB_GB] = {FORM_MR, INSN_XCHG, OPF_BYTE},
    [OP_XCHG_EV_GV] = {FORM_MR, INSN_XCHG, 0},
    [OP_MOV_EB_GB] = {FORM_MR, INSN_MOV_STORE, OPF_BYTE},
    [OP_MOV_EV_GV] = {FORM_MR, INSN_MOV_STORE, 0},
    [OP_MOV_GB_EB] = {FORM_RM, INSN_MOV_LOAD, OPF_BYTE},
    [OP_MOV_GV_EV] = {FORM_RM, INSN_MOV_LOAD, 0},
    [OP_MOV_AL_OB] = {FORM_MOFFS, INSN_MOV_LOAD, OPF_BYTE},
    [OP_MOV_RAX_OV] = {FORM_MOFFS, INSN_MOV_LOAD, 0},
    [OP_MOV_OB_AL] = {FORM_MOFFS, INSN_MOV_STORE, OPF_BYTE},
    [OP_MOV_OV_RAX] = {FORM_MOFFS, INSN_MOV_STORE, 0},
    [OP_MOVSB] = {FORM_STRING, INSN_MOVS, OPF_BYTE},
    [OP_MOVSV] = {FORM_STRING, INSN_MOVS, 0},
    [OP_STOSB] = {FORM_STRING, INSN_STOS, OPF_BYTE},
    [OP_STOSV] = {FORM_STRING, INSN_STOS, 0},
    [OP_LODSB] = {FORM_STRING, INSN_LODS, OPF_BYTE},
    [OP_LODSV] = {FORM_STRING, INSN_LODS, 0},
    [OP_GRP11_EB_IB] = {FORM_MI, GRP11, OPF_BYTE | OPF_IMM8},
    [OP_GRP11_EV_IZ] = {FORM_MI, GRP11, OPF_IMMZ},
    [OP_GRP3_EB] = {FORM_MI, GRP3, OPF_BYTE | OPF_IMM8},
    [OP_GRP3_EV] = {FORM_MI, GRP3, OPF_IMMZ},
};

static const struct opcode two_byte_map[256] = {
    [OP2_BT_EV_GV] = {FORM_MR, INSN_BT, 0},
    [OP2_GRP8_EV_IB] = {FORM_MI, GRP8, OPF_IMM8},
    [OP2_MOVZX_GV_EB] = {FORM_RM, INSN_MOVZX, OPF_SRC8},
    [OP2_MOVZX_GV_EW] = {FORM_RM, INSN_MOVZX, OPF_SRC16},
    [OP2_MOVSX_GV_EB] = {FORM_RM, INSN_MOVSX, OPF_SRC8},
    [OP2_MOVSX_GV_EW] = {FORM_RM, INSN_MOVSX, OPF_SRC16},
};

/* Kind per ModRM.reg (/0../7), or GRP_UNSUPPORTED / GRP_UNDEFINED. */
static const int8_t group_map[GRP_COUNT][8] = {
    /* ADD OR ADC SBB AND SUB XOR CMP */
    [GRP1] = {INSN_ADD, INSN_OR, GRP_UNSUPPORTED, GRP_UNSUPPORTED, INSN_AND, INSN_SUB, INSN_XOR, INSN_CMP},
    /* TEST, (undocumented TEST alias), NOT NEG MUL IMUL DIV IDIV */
    [GRP3] = {INSN_TEST, GRP_UNSUPPORTED, GRP_UNSUPPORTED, GRP_UNSUPPORTED, GRP_UNSUPPORTED, GRP_UNSUPPORTED,
	      GRP_UNSUPPORTED, GRP_UNSUPPORTED},
    /* -, -, -, -, BT BTS BTR BTC */
    [GRP8] = {GRP_UNDEFINED, GRP_UNDEFINED, GRP_UNDEFINED, GRP_UNDEFINED, INSN_BT, GRP_UNSUPPORTED,
	      GRP_UNSUPPORTED, GRP_UNSUPPORTED},
    /* MOV, then undefined with a memory operand */
    [GRP11] = {INSN_MOV_STORE_IMM, GRP_UNDEFINED, GRP_UNDEFINED, GRP_UNDEFINED, GRP_UNDEFINED, GRP_UNDEFINED,
	       GRP_UNDEFINED, GRP_UNDEFINED},
};

/* 16-bit addressing, SDM Vol. 2A Table 2-1: base and index per r/m. */
static const int8_t rm16_base[8] = {
    INSN_GPR_RBX, INSN_GPR_RBX, INSN_GPR_RBP, INSN_GPR_RBP, /* [BX+SI] [BX+DI] [BP+SI] [BP+DI] */
    INSN_GPR_RSI, INSN_GPR_RDI, INSN_GPR_RBP, INSN_GPR_RBX, /* [SI] [DI] [BP] [BX] */
};
static const int8_t rm16_index[8] = {
    INSN_GPR_RSI,  INSN_GPR_RDI,  INSN_GPR_RSI,	 INSN_GPR_RDI,
    INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE,
};

/* Bounded reader over the guest's bytes. */
struct cursor {
	const uint8_t *bytes;
	size_t limit; /* min(avail, INSN_MAX_LEN) */
	size_t pos;
};

struct prefixes {
	bool opsize, addrsize, lock, rep, repne;
	int8_t seg;
	uint8_t rex; /* the REX byte in effect, 0 if none */
};

static uint64_t sign_extend(uint64_t v, unsigned int bytes)
{
	uint64_t mask = size_mask(bytes);

	v &= mask;
	if (bytes < 8 && (v >> (8 * bytes - 1)) & 1)
		v |= ~mask;
	return v;
}

/* Little-endian value of n (1..8) bytes; -EINVAL past the limit. */
static int fetch(struct cursor *c, unsigned int n, uint64_t *v)
{
	unsigned int i;

	*v = 0;
	if (n > c->limit - c->pos)
		return -EINVAL;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)c->bytes[c->pos + i] << (8 * i);
	c->pos += n;
	return 0;
}

static int fetch_byte(struct cursor *c, uint8_t *b)
{
	uint64_t v;
	int err = fetch(c, 1, &v);

	*b = (uint8_t)v;
	return err;
}

static int fetch_disp(struct cursor *c, unsigned int n, int64_t *disp)
{
	uint64_t v;
	int err = fetch(c, n, &v);

	*disp = (int64_t)sign_extend(v, n);
	return err;
}

static bool is_long(enum cpu_mode mode)
{
	return mode == CPU_MODE_LONG64;
}

/* Legacy prefixes in any order and number, then REX (64-bit mode) right
 * before the opcode. Returns the first opcode byte in *op. */
static int read_prefixes(struct cursor *c, enum cpu_mode mode, struct prefixes *p, uint8_t *op)
{
	int8_t seg;

	while (c->pos < c->limit) {
		uint8_t b = c->bytes[c->pos++];

		switch (b) {
		case PFX_OPSIZE:
			p->opsize = true;
			break;
		case PFX_ADDRSIZE:
			p->addrsize = true;
			break;
		case PFX_LOCK:
			p->lock = true;
			break;
		case PFX_REPNE:
			p->repne = true;
			break;
		case PFX_REP:
			p->rep = true;
			break;
		case PFX_SEG_ES:
			seg = INSN_SEG_ES;
			goto segment;
		case PFX_SEG_CS:
			seg = INSN_SEG_CS;
			goto segment;
		case PFX_SEG_SS:
			seg = INSN_SEG_SS;
			goto segment;
		case PFX_SEG_DS:
			seg = INSN_SEG_DS;
			goto segment;
		case PFX_SEG_FS:
			seg = INSN_SEG_FS;
			goto segment;
		case PFX_SEG_GS:
			seg = INSN_SEG_GS;
		segment:
			/* 64-bit mode ignores ES/CS/SS/DS overrides (2.2.1). */
			if (!is_long(mode) || seg >= INSN_SEG_FS)
				p->seg = seg;
			break;
		default:
			if (is_long(mode) && (b & REX_HI_MASK) == REX_HI) {
				p->rex = b; /* a later REX replaces it */
				continue;
			}
			*op = b;
			return 0;
		}
		p->rex = 0; /* REX followed by a legacy prefix is ignored (2.2.1) */
	}
	return -EINVAL; /* truncated, or only prefixes for 15 bytes */
}

static uint8_t operand_size(enum cpu_mode mode, const struct prefixes *p)
{
	if (is_long(mode))
		return (p->rex & REX_W) ? 8 : p->opsize ? 2 : 4;
	return ((mode == CPU_MODE_PROT32) != p->opsize) ? 4 : 2;
}

static uint8_t address_size(enum cpu_mode mode, const struct prefixes *p)
{
	if (is_long(mode))
		return p->addrsize ? 4 : 8;
	return ((mode == CPU_MODE_PROT32) != p->addrsize) ? 4 : 2;
}

/* Memory operand of a ModRM byte whose mod is not 11 (Table 2-1). */
static int decode_mem16(struct cursor *c, uint8_t modrm, struct insn *in)
{
	unsigned int mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm);

	in->scale = 1;
	if (mod == MOD_NO_DISP && rm == RM16_DISP16) {
		in->base = INSN_REG_NONE;
		in->index = INSN_REG_NONE;
		return fetch_disp(c, 2, &in->disp);
	}
	in->base = rm16_base[rm];
	in->index = rm16_index[rm];
	if (mod == MOD_DISP8)
		return fetch_disp(c, 1, &in->disp);
	if (mod == MOD_DISP_FULL)
		return fetch_disp(c, 2, &in->disp);
	return 0;
}

/* Memory operand for 32/64-bit addressing (Tables 2-2, 2-3; 2.2.1 REX). */
static int decode_mem32(struct cursor *c, uint8_t modrm, uint8_t rex, bool long_mode, struct insn *in)
{
	unsigned int mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm);
	unsigned int disp_bytes = mod == MOD_DISP8 ? 1 : mod == MOD_DISP_FULL ? 4 : 0;
	int err;

	in->scale = 1;
	in->index = INSN_REG_NONE;
	if (rm == RM_SIB) { /* also r12 as base: REX.B does not matter here */
		uint8_t sib, index, base;

		err = fetch_byte(c, &sib);
		if (err)
			return err;
		index = (uint8_t)(SIB_INDEX(sib) | ((rex & REX_X) ? 8 : 0));
		if (index != SIB_NO_INDEX) { /* index 12 (r12) is valid */
			in->index = (int8_t)index;
			in->scale = (uint8_t)(1u << SIB_SCALE(sib));
		} /* without an index the scale is ignored and reported as 1 */
		base = SIB_BASE(sib);
		if (base == SIB_NO_BASE && mod == MOD_NO_DISP) { /* also with REX.B */
			in->base = INSN_REG_NONE;
			disp_bytes = 4;
		} else {
			in->base = (int8_t)(base | ((rex & REX_B) ? 8 : 0));
		}
	} else if (rm == RM_DISP32 && mod == MOD_NO_DISP) { /* also r13: REX.B does not matter */
		in->base = long_mode ? INSN_BASE_RIP : INSN_REG_NONE;
		disp_bytes = 4;
	} else {
		in->base = (int8_t)(rm | ((rex & REX_B) ? 8 : 0));
	}
	return disp_bytes ? fetch_disp(c, disp_bytes, &in->disp) : 0;
}

/* Immediate per OPF_IMM*, extended and masked to the operand size. */
static int decode_imm(struct cursor *c, uint16_t flags, unsigned int opsize, struct insn *in)
{
	uint64_t v;
	int err;

	if (flags & OPF_IMM8) {
		err = fetch(c, 1, &v);
	} else if (flags & OPF_IMM8S) {
		err = fetch(c, 1, &v);
		v = sign_extend(v, 1);
	} else if (flags & OPF_IMMZ) {
		unsigned int n = opsize == 2 ? 2 : 4;

		err = fetch(c, n, &v);
		v = sign_extend(v, n);
	} else {
		return 0;
	}
	if (err)
		return err;
	in->imm = v & size_mask(opsize);
	in->has_imm = true;
	return 0;
}

static bool writes_first_operand(enum insn_kind k)
{
	return k != INSN_CMP && k != INSN_TEST && k != INSN_BT;
}

static bool lockable(const struct insn *in)
{
	switch (in->kind) {
	case INSN_AND:
	case INSN_OR:
	case INSN_XOR:
	case INSN_ADD:
	case INSN_SUB:
	case INSN_XCHG:
		return in->mem_write;
	default:
		return false;
	}
}

/* ModRM forms: register operand, memory operand, group kind, immediate. */
static int decode_modrm_form(struct cursor *c, const struct opcode *op, const struct prefixes *p,
			     bool long_mode, unsigned int opsize, struct insn *in)
{
	uint8_t modrm;
	int err = fetch_byte(c, &modrm);

	if (err)
		return err;
	if (MODRM_MOD(modrm) == MOD_REGISTER)
		return -ENOSYS; /* register operand: no memory access to emulate */
	if (op->form == FORM_MI) {
		int8_t kind = group_map[op->kind][MODRM_REG(modrm)];

		if (kind == GRP_UNDEFINED)
			return -EINVAL;
		if (kind == GRP_UNSUPPORTED)
			return -ENOSYS;
		in->kind = (enum insn_kind)kind;
	} else {
		unsigned int reg = MODRM_REG(modrm) | ((p->rex & REX_R) ? 8 : 0);

		in->reg = (int8_t)reg;
		/* Without any REX, byte registers 4-7 are AH CH DH BH (2.2.1.2). */
		in->reg_high8 = (op->flags & OPF_BYTE) && !p->rex && reg >= 4;
		in->dst_reg = op->form == FORM_RM;
	}
	if (in->addr_size == 2)
		err = decode_mem16(c, modrm, in);
	else
		err = decode_mem32(c, modrm, p->rex, long_mode, in);
	if (err)
		return err;
	return decode_imm(c, op->flags, opsize, in);
}

static int decode_moffs(struct cursor *c, struct insn *in)
{
	uint64_t addr;
	int err = fetch(c, in->addr_size, &addr); /* zero-extended address */

	if (err)
		return err;
	in->mem_is_moffs = true;
	in->disp = (int64_t)addr;
	in->reg = INSN_GPR_RAX;
	in->dst_reg = in->kind == INSN_MOV_LOAD;
	return 0;
}

static void decode_string(struct insn *in)
{
	switch (in->kind) {
	case INSN_MOVS: /* fields describe the source, seg:[rSI]; dest is ES:[rDI] */
		in->base = INSN_GPR_RSI;
		break;
	case INSN_STOS: /* ES:[rDI] <- rAX; ES cannot be overridden */
		in->base = INSN_GPR_RDI;
		in->reg = INSN_GPR_RAX;
		in->seg = INSN_REG_NONE;
		break;
	default: /* LODS: rAX <- seg:[rSI] */
		in->base = INSN_GPR_RSI;
		in->reg = INSN_GPR_RAX;
		in->dst_reg = true;
		break;
	}
}

int decode_insn(const uint8_t *bytes, size_t avail, enum cpu_mode mode, struct insn *out)
{
	struct cursor c = {bytes, MIN(avail, (size_t)INSN_MAX_LEN), 0};
	struct prefixes p = {.seg = INSN_REG_NONE};
	struct insn in = {.reg = INSN_REG_NONE,
			  .seg = INSN_REG_NONE,
			  .base = INSN_REG_NONE,
			  .index = INSN_REG_NONE,
			  .scale = 1};
	const struct opcode *op;
	unsigned int opsize;
	uint8_t b;
	int err;

	if (!out || (!bytes && avail) || (unsigned int)mode > CPU_MODE_LONG64)
		return -EINVAL;
	err = read_prefixes(&c, mode, &p, &b);
	if (err)
		return err;
	if (b == OP_ESCAPE_0F) {
		err = fetch_byte(&c, &b);
		if (err)
			return err;
		op = &two_byte_map[b];
	} else {
		op = &one_byte_map[b];
	}
	if (op->form == FORM_NONE)
		return -ENOSYS;
	if ((op->flags & OPF_NO64) && is_long(mode))
		return -EINVAL;
	if ((op->flags & OPF_ONLY64) && !is_long(mode))
		return -ENOSYS; /* 63 is ARPL there */

	opsize = operand_size(mode, &p);
	in.kind = (enum insn_kind)op->kind;
	in.addr_size = address_size(mode, &p);
	in.rep = p.rep;
	in.repne = p.repne;
	in.lock = p.lock;
	in.seg = p.seg;
	if (op->flags & OPF_BYTE) {
		opsize = 1;
		in.size = 1;
	} else if (op->flags & OPF_SRC8) {
		in.size = 1;
	} else if (op->flags & OPF_SRC16) {
		in.size = 2;
	} else if (op->flags & OPF_SRC32) {
		/* MOVSXD r16: Intel documents r/m16, AMD and binutils r/m32. */
		if (opsize == 2)
			return -ENOSYS;
		in.size = 4;
	} else {
		in.size = (uint8_t)opsize;
	}
	in.reg_size = (uint8_t)opsize;

	switch (op->form) {
	case FORM_MOFFS:
		err = decode_moffs(&c, &in);
		break;
	case FORM_STRING:
		decode_string(&in);
		break;
	default:
		err = decode_modrm_form(&c, op, &p, is_long(mode), opsize, &in);
		break;
	}
	if (err)
		return err;

	in.mem_read = in.kind != INSN_MOV_STORE && in.kind != INSN_MOV_STORE_IMM && in.kind != INSN_STOS;
	in.mem_write = (!in.dst_reg && writes_first_operand(in.kind)) || in.kind == INSN_XCHG;
	in.reg_write = (in.dst_reg && writes_first_operand(in.kind)) || in.kind == INSN_XCHG;
	if (in.lock && !lockable(&in))
		return -EINVAL; /* #UD (SDM Vol. 2A "LOCK") */
	in.len = (uint8_t)c.pos;
	*out = in;
	return 0;
}

uint64_t insn_effective_addr(const struct insn *in, const uint64_t regs[16], uint64_t rip_next)
{
	uint64_t ea = (uint64_t)in->disp;

	if (in->base == INSN_BASE_RIP)
		ea += rip_next;
	else if (in->base >= 0 && in->base < 16)
		ea += regs[in->base];
	if (in->index >= 0 && in->index < 16)
		ea += regs[in->index] * in->scale;
	return ea & size_mask(in->addr_size);
}

enum insn_seg insn_segment(const struct insn *in)
{
	if (in->kind == INSN_STOS)
		return INSN_SEG_ES;
	if (in->seg >= INSN_SEG_ES && in->seg <= INSN_SEG_GS)
		return (enum insn_seg)in->seg;
	if (in->base == INSN_GPR_RBP || in->base == INSN_GPR_RSP)
		return INSN_SEG_SS;
	return INSN_SEG_DS;
}

const char *insn_kind_name(enum insn_kind k)
{
	switch (k) {
	case INSN_MOV_LOAD:
		return "mov_load";
	case INSN_MOV_STORE:
		return "mov_store";
	case INSN_MOV_STORE_IMM:
		return "mov_store_imm";
	case INSN_MOVZX:
		return "movzx";
	case INSN_MOVSX:
		return "movsx";
	case INSN_MOVS:
		return "movs";
	case INSN_STOS:
		return "stos";
	case INSN_LODS:
		return "lods";
	case INSN_AND:
		return "and";
	case INSN_OR:
		return "or";
	case INSN_XOR:
		return "xor";
	case INSN_ADD:
		return "add";
	case INSN_SUB:
		return "sub";
	case INSN_CMP:
		return "cmp";
	case INSN_TEST:
		return "test";
	case INSN_XCHG:
		return "xchg";
	case INSN_BT:
		return "bt";
	}
	return "unknown";
}
