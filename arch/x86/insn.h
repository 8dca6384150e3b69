/* SPDX-License-Identifier: GPL-2.0-only */
/* insn.h: x86 instruction encoding (Intel SDM Vol. 2A ch. 2 "Instruction
 * Format", Vol. 2D Appendix A "Opcode Map"): the prefixes, opcodes and
 * ModRM/SIB fields that the MMIO decoder (vmm/vcpu/decode.c) knows. */
#ifndef ARCH_X86_INSN_H
#define ARCH_X86_INSN_H

/* An instruction is at most 15 bytes; a longer one raises #GP (SDM Vol. 3A
 * 6.15, interrupt 13 causes). */
#define INSN_MAX_LEN 15

/* Legacy prefixes (SDM Vol. 2A 2.1.1). */
#define PFX_OPSIZE   0x66 /* operand-size override */
#define PFX_ADDRSIZE 0x67 /* address-size override */
#define PFX_LOCK     0xf0
#define PFX_REPNE    0xf2 /* REPNE/REPNZ */
#define PFX_REP	     0xf3 /* REP/REPE/REPZ */
#define PFX_SEG_ES   0x26
#define PFX_SEG_CS   0x2e
#define PFX_SEG_SS   0x36
#define PFX_SEG_DS   0x3e
#define PFX_SEG_FS   0x64
#define PFX_SEG_GS   0x65

/* REX prefix 0100WRXB (SDM Vol. 2A 2.2.1, 64-bit mode only). */
#define REX_HI_MASK 0xf0
#define REX_HI	    0x40
#define REX_W	    0x08 /* 64-bit operand size */
#define REX_R	    0x04 /* extends ModRM.reg */
#define REX_X	    0x02 /* extends SIB.index */
#define REX_B	    0x01 /* extends ModRM.rm and SIB.base */

/* One-byte opcode map (SDM Vol. 2D Table A-2). */
#define OP_ADD_EB_GB   0x00
#define OP_ADD_EV_GV   0x01
#define OP_ADD_GB_EB   0x02
#define OP_ADD_GV_EV   0x03
#define OP_OR_EB_GB    0x08
#define OP_OR_EV_GV    0x09
#define OP_OR_GB_EB    0x0a
#define OP_OR_GV_EV    0x0b
#define OP_ESCAPE_0F   0x0f /* two-byte opcode map follows */
#define OP_AND_EB_GB   0x20
#define OP_AND_EV_GV   0x21
#define OP_AND_GB_EB   0x22
#define OP_AND_GV_EV   0x23
#define OP_SUB_EB_GB   0x28
#define OP_SUB_EV_GV   0x29
#define OP_SUB_GB_EB   0x2a
#define OP_SUB_GV_EV   0x2b
#define OP_XOR_EB_GB   0x30
#define OP_XOR_EV_GV   0x31
#define OP_XOR_GB_EB   0x32
#define OP_XOR_GV_EV   0x33
#define OP_CMP_EB_GB   0x38
#define OP_CMP_EV_GV   0x39
#define OP_CMP_GB_EB   0x3a
#define OP_CMP_GV_EV   0x3b
#define OP_MOVSXD      0x63 /* 64-bit mode; ARPL Ew,Gw elsewhere */
#define OP_GRP1_EB_IB  0x80
#define OP_GRP1_EV_IZ  0x81
#define OP_GRP1_EB_IB2 0x82 /* alias of 0x80, invalid in 64-bit mode */
#define OP_GRP1_EV_IB  0x83
#define OP_TEST_EB_GB  0x84
#define OP_TEST_EV_GV  0x85
#define OP_XCHG_EB_GB  0x86
#define OP_XCHG_EV_GV  0x87
#define OP_MOV_EB_GB   0x88
#define OP_MOV_EV_GV   0x89
#define OP_MOV_GB_EB   0x8a
#define OP_MOV_GV_EV   0x8b
#define OP_MOV_AL_OB   0xa0 /* moffs forms */
#define OP_MOV_RAX_OV  0xa1
#define OP_MOV_OB_AL   0xa2
#define OP_MOV_OV_RAX  0xa3
#define OP_MOVSB       0xa4
#define OP_MOVSV       0xa5
#define OP_STOSB       0xaa
#define OP_STOSV       0xab
#define OP_LODSB       0xac
#define OP_LODSV       0xad
#define OP_GRP11_EB_IB 0xc6 /* MOV Eb,Ib is /0 */
#define OP_GRP11_EV_IZ 0xc7
#define OP_GRP3_EB     0xf6 /* TEST Eb,Ib is /0 */
#define OP_GRP3_EV     0xf7

/* Two-byte opcode map, after 0F (SDM Vol. 2D Table A-3). */
#define OP2_BT_EV_GV	0xa3
#define OP2_GRP8_EV_IB	0xba /* BT Ev,Ib is /4 */
#define OP2_MOVZX_GV_EB 0xb6
#define OP2_MOVZX_GV_EW 0xb7
#define OP2_MOVSX_GV_EB 0xbe
#define OP2_MOVSX_GV_EW 0xbf

/* ModRM and SIB fields (SDM Vol. 2A 2.1.5). */
#define MODRM_MOD(b)  ((b) >> 6)
#define MODRM_REG(b)  (((b) >> 3) & 7)
#define MODRM_RM(b)   ((b)&7)
#define SIB_SCALE(b)  ((b) >> 6)
#define SIB_INDEX(b)  (((b) >> 3) & 7)
#define SIB_BASE(b)   ((b)&7)
#define MOD_NO_DISP   0 /* mod=00: no displacement (but see RM_DISP32/RM16_DISP16) */
#define MOD_DISP8     1
#define MOD_DISP_FULL 2 /* disp16 or disp32 */
#define MOD_REGISTER  3 /* r/m names a register: not a memory access */
#define RM_SIB	      4 /* 32/64-bit: a SIB byte follows */
#define RM_DISP32     5 /* 32/64-bit, mod=00: disp32 (RIP-relative in 64-bit mode) */
#define SIB_NO_INDEX  4 /* index=100 without REX.X: no index */
#define SIB_NO_BASE   5 /* base=101 with mod=00: disp32, no base */
#define RM16_DISP16   6 /* 16-bit, mod=00: disp16, no base */

#endif
