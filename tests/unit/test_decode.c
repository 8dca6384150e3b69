/* SPDX-License-Identifier: GPL-2.0-only */
/* test_decode.c: table-driven tests of the instruction decoder (vmm/vcpu/decode.c,
 * SDM Vol. 2A ch. 2 and Vol. 2D Appendix A). Each accepted row was assembled
 * with GNU as, and its text column is objdump -M intel's disassembly of the
 * bytes; the expected fields were derived from that text (docs/decoder.md). */
#include "test.h"
#include "vmm/vcpu/decode.h"
#include "vmm/lib/errno.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Row vocabulary: modes, sizes, registers, segments, flags. */
#define R16	CPU_MODE_REAL16
#define P16	CPU_MODE_PROT16
#define P32	CPU_MODE_PROT32
#define L64	CPU_MODE_LONG64
#define A16	2
#define A32	4
#define A64	8
#define B(...)	{__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define I(v)	true, (v)
#define NOI	false, 0
#define NO	INSN_REG_NONE
#define RIP	INSN_BASE_RIP
#define RAX	INSN_GPR_RAX
#define RCX	INSN_GPR_RCX
#define RDX	INSN_GPR_RDX
#define RBX	INSN_GPR_RBX
#define RSP	INSN_GPR_RSP
#define RBP	INSN_GPR_RBP
#define RSI	INSN_GPR_RSI
#define RDI	INSN_GPR_RDI
#define R8	INSN_GPR_R8
#define R9	INSN_GPR_R9
#define R10	INSN_GPR_R10
#define R11	INSN_GPR_R11
#define R12	INSN_GPR_R12
#define R13	INSN_GPR_R13
#define R14	INSN_GPR_R14
#define R15	INSN_GPR_R15
#define AH	4 /* with HI8: bits 15:8 of GPR reg-4 */
#define CH	5
#define DH	6
#define BH	7
#define ES	INSN_SEG_ES
#define CS	INSN_SEG_CS
#define SS	INSN_SEG_SS
#define DS	INSN_SEG_DS
#define FS	INSN_SEG_FS
#define GS	INSN_SEG_GS
#define HI8	0x001 /* reg_high8 */
#define REP	0x002 /* F3 */
#define REPNE	0x004 /* F2 */
#define LOCK	0x008 /* F0 */
#define MOFFS	0x010 /* mem_is_moffs */
#define DST_REG 0x020 /* dst_reg */
#define MR	0x040 /* mem_read */
#define MW	0x080 /* mem_write */
#define RW	0x100 /* reg_write */

struct row {
	enum cpu_mode mode;
	const char *text; /* objdump -M intel of bytes */
	uint8_t bytes[INSN_MAX_LEN];
	size_t n;
	enum insn_kind kind;
	uint8_t size, reg_size;
	int8_t reg;
	bool has_imm;
	uint64_t imm;
	uint8_t addr_size;
	int8_t seg, base, index;
	uint8_t scale;
	int64_t disp;
	unsigned int flags;
};

/* Accepted forms: mode, objdump text, bytes, kind, size, reg_size, reg,
 * imm, addr_size, seg, base, index, scale, disp, flags. len is the number
 * of bytes. */
/* clang-format off */
static const struct row rows[] = {
	/* MOV load/store, 16-bit real mode: every ModRM addressing form (SDM Table 2-1) */
	{ R16, "mov ax,WORD PTR [bx+si]", B(0x8b, 0x00), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBX, RSI, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov cx,WORD PTR [bx+di]", B(0x8b, 0x09), INSN_MOV_LOAD, 2, 2, RCX, NOI, A16, NO, RBX, RDI, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov dx,WORD PTR [bp+si]", B(0x8b, 0x12), INSN_MOV_LOAD, 2, 2, RDX, NOI, A16, NO, RBP, RSI, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov bx,WORD PTR [bp+di]", B(0x8b, 0x1b), INSN_MOV_LOAD, 2, 2, RBX, NOI, A16, NO, RBP, RDI, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov sp,WORD PTR [si]", B(0x8b, 0x24), INSN_MOV_LOAD, 2, 2, RSP, NOI, A16, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov bp,WORD PTR [di]", B(0x8b, 0x2d), INSN_MOV_LOAD, 2, 2, RBP, NOI, A16, NO, RDI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov si,WORD PTR ds:0x1234", B(0x8b, 0x36, 0x34, 0x12), INSN_MOV_LOAD, 2, 2, RSI, NOI, A16, NO, NO, NO, 1, 0x1234, DST_REG|MR|RW },
	{ R16, "mov di,WORD PTR [bx]", B(0x8b, 0x3f), INSN_MOV_LOAD, 2, 2, RDI, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR ds:0x8000", B(0x8b, 0x06, 0x00, 0x80), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, NO, NO, 1, -0x8000, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bx+si-0x10]", B(0x8b, 0x40, 0xf0), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBX, RSI, 1, -0x10, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bx+di+0x7f]", B(0x8b, 0x41, 0x7f), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBX, RDI, 1, 0x7f, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bp+si-0x80]", B(0x8b, 0x42, 0x80), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBP, RSI, 1, -0x80, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bp+di+0x1]", B(0x8b, 0x43, 0x01), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBP, RDI, 1, 0x1, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [si-0x1]", B(0x8b, 0x44, 0xff), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RSI, NO, 1, -0x1, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [di+0x10]", B(0x8b, 0x45, 0x10), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RDI, NO, 1, 0x10, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bp+0x0]", B(0x8b, 0x46, 0x00), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBP, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bx+0x20]", B(0x8b, 0x47, 0x20), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x20, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bx+si+0x1234]", B(0x8b, 0x80, 0x34, 0x12), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBX, RSI, 1, 0x1234, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bx+di-0x1234]", B(0x8b, 0x81, 0xcc, 0xed), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBX, RDI, 1, -0x1234, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bp+si+0x7fff]", B(0x8b, 0x82, 0xff, 0x7f), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBP, RSI, 1, 0x7fff, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bp+di-0x8000]", B(0x8b, 0x83, 0x00, 0x80), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBP, RDI, 1, -0x8000, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [si+0x100]", B(0x8b, 0x84, 0x00, 0x01), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RSI, NO, 1, 0x100, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [di+0xfff]", B(0x8b, 0x85, 0xff, 0x0f), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RDI, NO, 1, 0xfff, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bp+0x200]", B(0x8b, 0x86, 0x00, 0x02), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBP, NO, 1, 0x200, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [bx+0x4000]", B(0x8b, 0x87, 0x00, 0x40), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x4000, DST_REG|MR|RW },
	{ R16, "mov al,BYTE PTR [bx]", B(0x8a, 0x07), INSN_MOV_LOAD, 1, 1, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov ah,BYTE PTR [bx]", B(0x8a, 0x27), INSN_MOV_LOAD, 1, 1, AH, NOI, A16, NO, RBX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ R16, "mov bh,BYTE PTR [si]", B(0x8a, 0x3c), INSN_MOV_LOAD, 1, 1, BH, NOI, A16, NO, RSI, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ R16, "mov BYTE PTR [bx],ch", B(0x88, 0x2f), INSN_MOV_STORE, 1, 1, CH, NOI, A16, NO, RBX, NO, 1, 0x0, HI8|MW },
	{ R16, "mov BYTE PTR [bx+si],dh", B(0x88, 0x30), INSN_MOV_STORE, 1, 1, DH, NOI, A16, NO, RBX, RSI, 1, 0x0, HI8|MW },
	{ R16, "mov WORD PTR [di],ax", B(0x89, 0x05), INSN_MOV_STORE, 2, 2, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, MW },
	{ R16, "mov eax,DWORD PTR [bx]", B(0x66, 0x8b, 0x07), INSN_MOV_LOAD, 4, 4, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov DWORD PTR [bp+0x2],ebx", B(0x66, 0x89, 0x5e, 0x02), INSN_MOV_STORE, 4, 4, RBX, NOI, A16, NO, RBP, NO, 1, 0x2, MW },
	{ R16, "mov eax,DWORD PTR [ebx+ecx*4]", B(0x67, 0x66, 0x8b, 0x04, 0x8b), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RBX, RCX, 4, 0x0, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR [esp+0x8]", B(0x67, 0x8b, 0x44, 0x24, 0x08), INSN_MOV_LOAD, 2, 2, RAX, NOI, A32, NO, RSP, NO, 1, 0x8, DST_REG|MR|RW },
	{ R16, "addr32 mov eax,ds:0x12345678", B(0x67, 0x66, 0xa1, 0x78, 0x56, 0x34, 0x12), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, NO, NO, 1, 0x12345678, MOFFS|DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR es:[bx]", B(0x26, 0x8b, 0x07), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, ES, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR cs:[bx]", B(0x2e, 0x8b, 0x07), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, CS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR ss:[bx]", B(0x36, 0x8b, 0x07), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, SS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR ds:[bp+0x0]", B(0x3e, 0x8b, 0x46, 0x00), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, DS, RBP, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR fs:[bx]", B(0x64, 0x8b, 0x07), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, FS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov ax,WORD PTR gs:[bx]", B(0x65, 0x8b, 0x07), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, GS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "es mov ax,WORD PTR fs:[bx]", B(0x26, 0x64, 0x8b, 0x07), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, FS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov eax,DWORD PTR [ebx]", B(0x66, 0x67, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "mov eax,DWORD PTR [ebx]", B(0x67, 0x66, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "data32 mov eax,DWORD PTR [bx]", B(0x66, 0x66, 0x8b, 0x07), INSN_MOV_LOAD, 4, 4, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P16, "mov ax,WORD PTR [bx+si+0x4]", B(0x8b, 0x40, 0x04), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBX, RSI, 1, 0x4, DST_REG|MR|RW },
	{ P16, "mov eax,DWORD PTR [ebx]", B(0x67, 0x66, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P16, "mov BYTE PTR [bx],0x12", B(0xc6, 0x07, 0x12), INSN_MOV_STORE_IMM, 1, 1, NO, I(0x12), A16, NO, RBX, NO, 1, 0x0, MW },
	/* moffs 16-bit */
	{ R16, "mov al,ds:0x1234", B(0xa0, 0x34, 0x12), INSN_MOV_LOAD, 1, 1, RAX, NOI, A16, NO, NO, NO, 1, 0x1234, MOFFS|DST_REG|MR|RW },
	{ R16, "mov ax,ds:0x1234", B(0xa1, 0x34, 0x12), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, NO, NO, 1, 0x1234, MOFFS|DST_REG|MR|RW },
	{ R16, "mov ds:0x8000,al", B(0xa2, 0x00, 0x80), INSN_MOV_STORE, 1, 1, RAX, NOI, A16, NO, NO, NO, 1, 0x8000, MOFFS|MW },
	{ R16, "mov ds:0xfffe,ax", B(0xa3, 0xfe, 0xff), INSN_MOV_STORE, 2, 2, RAX, NOI, A16, NO, NO, NO, 1, 0xfffe, MOFFS|MW },
	{ R16, "mov eax,ds:0x1234", B(0x66, 0xa1, 0x34, 0x12), INSN_MOV_LOAD, 4, 4, RAX, NOI, A16, NO, NO, NO, 1, 0x1234, MOFFS|DST_REG|MR|RW },
	{ R16, "addr32 mov ax,ds:0x12345678", B(0x67, 0xa1, 0x78, 0x56, 0x34, 0x12), INSN_MOV_LOAD, 2, 2, RAX, NOI, A32, NO, NO, NO, 1, 0x12345678, MOFFS|DST_REG|MR|RW },
	{ R16, "mov ax,es:0x1234", B(0x26, 0xa1, 0x34, 0x12), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, ES, NO, NO, 1, 0x1234, MOFFS|DST_REG|MR|RW },
	{ R16, "mov ds:0x1234,ax", B(0x3e, 0xa3, 0x34, 0x12), INSN_MOV_STORE, 2, 2, RAX, NOI, A16, DS, NO, NO, 1, 0x1234, MOFFS|MW },
	/* MOV imm 16-bit */
	{ R16, "mov BYTE PTR [bx+si],0xff", B(0xc6, 0x00, 0xff), INSN_MOV_STORE_IMM, 1, 1, NO, I(0xff), A16, NO, RBX, RSI, 1, 0x0, MW },
	{ R16, "mov WORD PTR [bx],0x1234", B(0xc7, 0x07, 0x34, 0x12), INSN_MOV_STORE_IMM, 2, 2, NO, I(0x1234), A16, NO, RBX, NO, 1, 0x0, MW },
	{ R16, "mov WORD PTR [bp-0x2],0x8000", B(0xc7, 0x46, 0xfe, 0x00, 0x80), INSN_MOV_STORE_IMM, 2, 2, NO, I(0x8000), A16, NO, RBP, NO, 1, -0x2, MW },
	{ R16, "mov DWORD PTR [di],0x12345678", B(0x66, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12), INSN_MOV_STORE_IMM, 4, 4, NO, I(0x12345678), A16, NO, RDI, NO, 1, 0x0, MW },
	{ R16, "mov WORD PTR ds:0x100,0x7", B(0xc7, 0x06, 0x00, 0x01, 0x07, 0x00), INSN_MOV_STORE_IMM, 2, 2, NO, I(0x7), A16, NO, NO, NO, 1, 0x100, MW },
	/* MOVZX/MOVSX 16-bit */
	{ R16, "movzx ax,BYTE PTR [bx]", B(0x0f, 0xb6, 0x07), INSN_MOVZX, 1, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "movzx eax,BYTE PTR [bx]", B(0x66, 0x0f, 0xb6, 0x07), INSN_MOVZX, 1, 4, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "movzx eax,WORD PTR [bx]", B(0x66, 0x0f, 0xb7, 0x07), INSN_MOVZX, 2, 4, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "movzx ax,WORD PTR [bx]", B(0x0f, 0xb7, 0x07), INSN_MOVZX, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "movsx ax,BYTE PTR [si]", B(0x0f, 0xbe, 0x04), INSN_MOVSX, 1, 2, RAX, NOI, A16, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "movsx eax,BYTE PTR [si]", B(0x66, 0x0f, 0xbe, 0x04), INSN_MOVSX, 1, 4, RAX, NOI, A16, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "movsx eax,WORD PTR [si]", B(0x66, 0x0f, 0xbf, 0x04), INSN_MOVSX, 2, 4, RAX, NOI, A16, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "movsx ax,WORD PTR [si]", B(0x0f, 0xbf, 0x04), INSN_MOVSX, 2, 2, RAX, NOI, A16, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	/* strings 16-bit */
	{ R16, "movs BYTE PTR es:[di],BYTE PTR ds:[si]", B(0xa4), INSN_MOVS, 1, 1, NO, NOI, A16, NO, RSI, NO, 1, 0x0, MR|MW },
	{ R16, "movs WORD PTR es:[di],WORD PTR ds:[si]", B(0xa5), INSN_MOVS, 2, 2, NO, NOI, A16, NO, RSI, NO, 1, 0x0, MR|MW },
	{ R16, "movs DWORD PTR es:[di],DWORD PTR ds:[si]", B(0x66, 0xa5), INSN_MOVS, 4, 4, NO, NOI, A16, NO, RSI, NO, 1, 0x0, MR|MW },
	{ R16, "rep movs BYTE PTR es:[di],BYTE PTR ds:[si]", B(0xf3, 0xa4), INSN_MOVS, 1, 1, NO, NOI, A16, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ R16, "rep movs WORD PTR es:[di],WORD PTR ds:[si]", B(0xf3, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A16, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ R16, "rep movs DWORD PTR es:[di],DWORD PTR ds:[si]", B(0xf3, 0x66, 0xa5), INSN_MOVS, 4, 4, NO, NOI, A16, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ R16, "rep movs DWORD PTR es:[di],DWORD PTR ds:[si]", B(0x66, 0xf3, 0xa5), INSN_MOVS, 4, 4, NO, NOI, A16, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ R16, "rep movs WORD PTR es:[edi],WORD PTR ds:[esi]", B(0x67, 0xf3, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A32, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ R16, "rep movs DWORD PTR es:[edi],DWORD PTR ds:[esi]", B(0xf3, 0x67, 0x66, 0xa5), INSN_MOVS, 4, 4, NO, NOI, A32, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ R16, "movs BYTE PTR es:[di],BYTE PTR es:[si]", B(0x26, 0xa4), INSN_MOVS, 1, 1, NO, NOI, A16, ES, RSI, NO, 1, 0x0, MR|MW },
	{ R16, "rep movs WORD PTR es:[di],WORD PTR cs:[si]", B(0x2e, 0xf3, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A16, CS, RSI, NO, 1, 0x0, REP|MR|MW },
	{ R16, "movs BYTE PTR es:[di],BYTE PTR ds:[si]", B(0x3e, 0xa4), INSN_MOVS, 1, 1, NO, NOI, A16, DS, RSI, NO, 1, 0x0, MR|MW },
	{ R16, "stos BYTE PTR es:[di],al", B(0xaa), INSN_STOS, 1, 1, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, MW },
	{ R16, "stos WORD PTR es:[di],ax", B(0xab), INSN_STOS, 2, 2, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, MW },
	{ R16, "rep stos WORD PTR es:[di],ax", B(0xf3, 0xab), INSN_STOS, 2, 2, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, REP|MW },
	{ R16, "rep stos DWORD PTR es:[di],eax", B(0x66, 0xf3, 0xab), INSN_STOS, 4, 4, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, REP|MW },
	{ R16, "stos WORD PTR es:[edi],ax", B(0x67, 0xab), INSN_STOS, 2, 2, RAX, NOI, A32, NO, RDI, NO, 1, 0x0, MW },
	{ R16, "fs stos BYTE PTR es:[di],al", B(0x64, 0xaa), INSN_STOS, 1, 1, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, MW },
	{ R16, "lods al,BYTE PTR ds:[si]", B(0xac), INSN_LODS, 1, 1, RAX, NOI, A16, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "lods ax,WORD PTR ds:[si]", B(0xad), INSN_LODS, 2, 2, RAX, NOI, A16, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "lods eax,DWORD PTR ds:[si]", B(0x66, 0xad), INSN_LODS, 4, 4, RAX, NOI, A16, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "lods al,BYTE PTR gs:[si]", B(0x65, 0xac), INSN_LODS, 1, 1, RAX, NOI, A16, GS, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "rep lods al,BYTE PTR ds:[si]", B(0xf3, 0xac), INSN_LODS, 1, 1, RAX, NOI, A16, NO, RSI, NO, 1, 0x0, REP|DST_REG|MR|RW },
	{ R16, "repnz movs BYTE PTR es:[di],BYTE PTR ds:[si]", B(0xf2, 0xa4), INSN_MOVS, 1, 1, NO, NOI, A16, NO, RSI, NO, 1, 0x0, REPNE|MR|MW },
	{ R16, "rep repnz movs WORD PTR es:[di],WORD PTR ds:[si]", B(0xf3, 0xf2, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A16, NO, RSI, NO, 1, 0x0, REP|REPNE|MR|MW },
	/* ALU 16-bit */
	{ R16, "add BYTE PTR [bx],al", B(0x00, 0x07), INSN_ADD, 1, 1, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "add WORD PTR [bx],ax", B(0x01, 0x07), INSN_ADD, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "add al,BYTE PTR [bx]", B(0x02, 0x07), INSN_ADD, 1, 1, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "add ax,WORD PTR [bx]", B(0x03, 0x07), INSN_ADD, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "or BYTE PTR [bx+si],cl", B(0x08, 0x08), INSN_OR, 1, 1, RCX, NOI, A16, NO, RBX, RSI, 1, 0x0, MR|MW },
	{ R16, "or WORD PTR [bx+si],cx", B(0x09, 0x08), INSN_OR, 2, 2, RCX, NOI, A16, NO, RBX, RSI, 1, 0x0, MR|MW },
	{ R16, "or cl,BYTE PTR [bx+si]", B(0x0a, 0x08), INSN_OR, 1, 1, RCX, NOI, A16, NO, RBX, RSI, 1, 0x0, DST_REG|MR|RW },
	{ R16, "or cx,WORD PTR [bx+si]", B(0x0b, 0x08), INSN_OR, 2, 2, RCX, NOI, A16, NO, RBX, RSI, 1, 0x0, DST_REG|MR|RW },
	{ R16, "and BYTE PTR [bp+di],ah", B(0x20, 0x23), INSN_AND, 1, 1, AH, NOI, A16, NO, RBP, RDI, 1, 0x0, HI8|MR|MW },
	{ R16, "and WORD PTR [bp+di],dx", B(0x21, 0x13), INSN_AND, 2, 2, RDX, NOI, A16, NO, RBP, RDI, 1, 0x0, MR|MW },
	{ R16, "and dh,BYTE PTR [bp+di]", B(0x22, 0x33), INSN_AND, 1, 1, DH, NOI, A16, NO, RBP, RDI, 1, 0x0, HI8|DST_REG|MR|RW },
	{ R16, "and edx,DWORD PTR [bp+di]", B(0x66, 0x23, 0x13), INSN_AND, 4, 4, RDX, NOI, A16, NO, RBP, RDI, 1, 0x0, DST_REG|MR|RW },
	{ R16, "sub BYTE PTR [si],bl", B(0x28, 0x1c), INSN_SUB, 1, 1, RBX, NOI, A16, NO, RSI, NO, 1, 0x0, MR|MW },
	{ R16, "sub WORD PTR [si],bx", B(0x29, 0x1c), INSN_SUB, 2, 2, RBX, NOI, A16, NO, RSI, NO, 1, 0x0, MR|MW },
	{ R16, "sub bh,BYTE PTR [si]", B(0x2a, 0x3c), INSN_SUB, 1, 1, BH, NOI, A16, NO, RSI, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ R16, "sub bx,WORD PTR [si]", B(0x2b, 0x1c), INSN_SUB, 2, 2, RBX, NOI, A16, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "xor BYTE PTR [di],al", B(0x30, 0x05), INSN_XOR, 1, 1, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, MR|MW },
	{ R16, "xor DWORD PTR [di],eax", B(0x66, 0x31, 0x05), INSN_XOR, 4, 4, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, MR|MW },
	{ R16, "xor al,BYTE PTR [di]", B(0x32, 0x05), INSN_XOR, 1, 1, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "xor ax,WORD PTR [di]", B(0x33, 0x05), INSN_XOR, 2, 2, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, DST_REG|MR|RW },
	{ R16, "cmp BYTE PTR [bx],ch", B(0x38, 0x2f), INSN_CMP, 1, 1, CH, NOI, A16, NO, RBX, NO, 1, 0x0, HI8|MR },
	{ R16, "cmp WORD PTR [bx],cx", B(0x39, 0x0f), INSN_CMP, 2, 2, RCX, NOI, A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "cmp ch,BYTE PTR [bx]", B(0x3a, 0x2f), INSN_CMP, 1, 1, CH, NOI, A16, NO, RBX, NO, 1, 0x0, HI8|DST_REG|MR },
	{ R16, "cmp cx,WORD PTR [bx]", B(0x3b, 0x0f), INSN_CMP, 2, 2, RCX, NOI, A16, NO, RBX, NO, 1, 0x0, DST_REG|MR },
	{ R16, "test BYTE PTR [bx],al", B(0x84, 0x07), INSN_TEST, 1, 1, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "test WORD PTR [bx],ax", B(0x85, 0x07), INSN_TEST, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "xchg BYTE PTR [bx],al", B(0x86, 0x07), INSN_XCHG, 1, 1, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, MR|MW|RW },
	{ R16, "xchg WORD PTR [bx],ax", B(0x87, 0x07), INSN_XCHG, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, MR|MW|RW },
	{ R16, "xchg DWORD PTR [bx],eax", B(0x66, 0x87, 0x07), INSN_XCHG, 4, 4, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, MR|MW|RW },
	{ R16, "add BYTE PTR [bx],0x80", B(0x80, 0x07, 0x80), INSN_ADD, 1, 1, NO, I(0x80), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "or BYTE PTR [bx],0x1", B(0x80, 0x0f, 0x01), INSN_OR, 1, 1, NO, I(0x1), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "and BYTE PTR [bx],0xfe", B(0x80, 0x27, 0xfe), INSN_AND, 1, 1, NO, I(0xfe), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "sub BYTE PTR [bx],0x2", B(0x80, 0x2f, 0x02), INSN_SUB, 1, 1, NO, I(0x2), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "xor BYTE PTR [bx],0x3", B(0x80, 0x37, 0x03), INSN_XOR, 1, 1, NO, I(0x3), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "cmp BYTE PTR [bx],0x4", B(0x80, 0x3f, 0x04), INSN_CMP, 1, 1, NO, I(0x4), A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "add BYTE PTR [bx],0x5", B(0x82, 0x07, 0x05), INSN_ADD, 1, 1, NO, I(0x5), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "cmp BYTE PTR [bx],0xff", B(0x82, 0x3f, 0xff), INSN_CMP, 1, 1, NO, I(0xff), A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "add WORD PTR [bx],0x1234", B(0x81, 0x07, 0x34, 0x12), INSN_ADD, 2, 2, NO, I(0x1234), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "or WORD PTR [bx],0x80", B(0x81, 0x0f, 0x80, 0x00), INSN_OR, 2, 2, NO, I(0x80), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "and DWORD PTR [bx],0x80000000", B(0x66, 0x81, 0x27, 0x00, 0x00, 0x00, 0x80), INSN_AND, 4, 4, NO, I(0x80000000), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "add WORD PTR [bx],0xffff", B(0x83, 0x07, 0xff), INSN_ADD, 2, 2, NO, I(0xffff), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "sub WORD PTR [bx],0xff80", B(0x83, 0x2f, 0x80), INSN_SUB, 2, 2, NO, I(0xff80), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "xor DWORD PTR [bx],0xffffffff", B(0x66, 0x83, 0x37, 0xff), INSN_XOR, 4, 4, NO, I(0xffffffff), A16, NO, RBX, NO, 1, 0x0, MR|MW },
	{ R16, "cmp WORD PTR [bx],0x7f", B(0x83, 0x3f, 0x7f), INSN_CMP, 2, 2, NO, I(0x7f), A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "test BYTE PTR [bx],0x40", B(0xf6, 0x07, 0x40), INSN_TEST, 1, 1, NO, I(0x40), A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "test WORD PTR [bx],0x4000", B(0xf7, 0x07, 0x00, 0x40), INSN_TEST, 2, 2, NO, I(0x4000), A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "test DWORD PTR [bx],0x40000000", B(0x66, 0xf7, 0x07, 0x00, 0x00, 0x00, 0x40), INSN_TEST, 4, 4, NO, I(0x40000000), A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "lock add WORD PTR [bx],ax", B(0xf0, 0x01, 0x07), INSN_ADD, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ R16, "lock or BYTE PTR [bx],0x1", B(0xf0, 0x80, 0x0f, 0x01), INSN_OR, 1, 1, NO, I(0x1), A16, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ R16, "lock xchg WORD PTR [bx],ax", B(0xf0, 0x87, 0x07), INSN_XCHG, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, LOCK|MR|MW|RW },
	{ R16, "bt WORD PTR [bx],0x3", B(0x0f, 0xba, 0x27, 0x03), INSN_BT, 2, 2, NO, I(0x3), A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "bt DWORD PTR [bx],0x1f", B(0x66, 0x0f, 0xba, 0x27, 0x1f), INSN_BT, 4, 4, NO, I(0x1f), A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "bt WORD PTR [bx],ax", B(0x0f, 0xa3, 0x07), INSN_BT, 2, 2, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, MR },
	{ R16, "bt DWORD PTR [bx],eax", B(0x66, 0x0f, 0xa3, 0x07), INSN_BT, 4, 4, RAX, NOI, A16, NO, RBX, NO, 1, 0x0, MR },
	/* 32-bit protected mode: ModRM forms (SDM Table 2-2) and SIB (Table 2-3) */
	{ P32, "mov eax,DWORD PTR [eax]", B(0x8b, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov ecx,DWORD PTR [ecx]", B(0x8b, 0x09), INSN_MOV_LOAD, 4, 4, RCX, NOI, A32, NO, RCX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov edx,DWORD PTR [edx]", B(0x8b, 0x12), INSN_MOV_LOAD, 4, 4, RDX, NOI, A32, NO, RDX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov ebx,DWORD PTR [ebx]", B(0x8b, 0x1b), INSN_MOV_LOAD, 4, 4, RBX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov esp,DWORD PTR [esi]", B(0x8b, 0x26), INSN_MOV_LOAD, 4, 4, RSP, NOI, A32, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov ebp,DWORD PTR [edi]", B(0x8b, 0x2f), INSN_MOV_LOAD, 4, 4, RBP, NOI, A32, NO, RDI, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov esi,DWORD PTR ds:0x12345678", B(0x8b, 0x35, 0x78, 0x56, 0x34, 0x12), INSN_MOV_LOAD, 4, 4, RSI, NOI, A32, NO, NO, NO, 1, 0x12345678, DST_REG|MR|RW },
	{ P32, "mov edi,DWORD PTR ds:0x80000000", B(0x8b, 0x3d, 0x00, 0x00, 0x00, 0x80), INSN_MOV_LOAD, 4, 4, RDI, NOI, A32, NO, NO, NO, 1, -0x80000000LL, DST_REG|MR|RW },
	{ P32, "mov edi,DWORD PTR [eax+0x10]", B(0x8b, 0x78, 0x10), INSN_MOV_LOAD, 4, 4, RDI, NOI, A32, NO, RAX, NO, 1, 0x10, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [ebp-0x4]", B(0x8b, 0x45, 0xfc), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RBP, NO, 1, -0x4, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [ebp+0x0]", B(0x8b, 0x45, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RBP, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [esi+0x12345678]", B(0x8b, 0x86, 0x78, 0x56, 0x34, 0x12), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RSI, NO, 1, 0x12345678, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [edi-0x1000]", B(0x8b, 0x87, 0x00, 0xf0, 0xff, 0xff), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RDI, NO, 1, -0x1000, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [esp]", B(0x8b, 0x04, 0x24), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RSP, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [esp+0x8]", B(0x8b, 0x44, 0x24, 0x08), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RSP, NO, 1, 0x8, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [esp+0x1000]", B(0x8b, 0x84, 0x24, 0x00, 0x10, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RSP, NO, 1, 0x1000, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [eax+ebx*1]", B(0x8b, 0x04, 0x18), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RAX, RBX, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [eax+ebx*2]", B(0x8b, 0x04, 0x58), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RAX, RBX, 2, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [eax+ebx*4]", B(0x8b, 0x04, 0x98), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RAX, RBX, 4, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [eax+ebx*8]", B(0x8b, 0x04, 0xd8), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RAX, RBX, 8, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [ebx*4+0x1000]", B(0x8b, 0x04, 0x9d, 0x00, 0x10, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, NO, RBX, 4, 0x1000, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [ebp*1+0x20]", B(0x8b, 0x04, 0x2d, 0x20, 0x00, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, NO, RBP, 1, 0x20, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [eiz*1+0x1000]", B(0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, NO, NO, 1, 0x1000, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [eiz*2+0x1000]", B(0x8b, 0x04, 0x65, 0x00, 0x10, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, NO, NO, 1, 0x1000, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [ebp+ecx*2+0x0]", B(0x8b, 0x44, 0x4d, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RBP, RCX, 2, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [ebp+ecx*2+0x7f]", B(0x8b, 0x44, 0x4d, 0x7f), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RBP, RCX, 2, 0x7f, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [esp+ecx*8-0x80]", B(0x8b, 0x44, 0xcc, 0x80), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RSP, RCX, 8, -0x80, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [ecx+esi*4+0x12345]", B(0x8b, 0x84, 0xb1, 0x45, 0x23, 0x01, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RCX, RSI, 4, 0x12345, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [eax+eiz*1+0x10]", B(0x8b, 0x44, 0x20, 0x10), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RAX, NO, 1, 0x10, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [eax+eiz*8]", B(0x8b, 0x04, 0xe0), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov al,BYTE PTR [eax]", B(0x8a, 0x00), INSN_MOV_LOAD, 1, 1, RAX, NOI, A32, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov ah,BYTE PTR [eax]", B(0x8a, 0x20), INSN_MOV_LOAD, 1, 1, AH, NOI, A32, NO, RAX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ P32, "mov ch,BYTE PTR [eax]", B(0x8a, 0x28), INSN_MOV_LOAD, 1, 1, CH, NOI, A32, NO, RAX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ P32, "mov dh,BYTE PTR [eax]", B(0x8a, 0x30), INSN_MOV_LOAD, 1, 1, DH, NOI, A32, NO, RAX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ P32, "mov bh,BYTE PTR [eax]", B(0x8a, 0x38), INSN_MOV_LOAD, 1, 1, BH, NOI, A32, NO, RAX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ P32, "mov BYTE PTR [eax],bh", B(0x88, 0x38), INSN_MOV_STORE, 1, 1, BH, NOI, A32, NO, RAX, NO, 1, 0x0, HI8|MW },
	{ P32, "mov ax,WORD PTR [eax]", B(0x66, 0x8b, 0x00), INSN_MOV_LOAD, 2, 2, RAX, NOI, A32, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov WORD PTR [eax],ax", B(0x66, 0x89, 0x00), INSN_MOV_STORE, 2, 2, RAX, NOI, A32, NO, RAX, NO, 1, 0x0, MW },
	{ P32, "mov DWORD PTR [ecx+edx*4],esi", B(0x89, 0x34, 0x91), INSN_MOV_STORE, 4, 4, RSI, NOI, A32, NO, RCX, RDX, 4, 0x0, MW },
	{ P32, "mov ax,WORD PTR [bx+si]", B(0x67, 0x66, 0x8b, 0x00), INSN_MOV_LOAD, 2, 2, RAX, NOI, A16, NO, RBX, RSI, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR [bp+di+0x8]", B(0x67, 0x8b, 0x43, 0x08), INSN_MOV_LOAD, 4, 4, RAX, NOI, A16, NO, RBP, RDI, 1, 0x8, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR ds:0x1234", B(0x67, 0x8b, 0x06, 0x34, 0x12), INSN_MOV_LOAD, 4, 4, RAX, NOI, A16, NO, NO, NO, 1, 0x1234, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR fs:[ebx]", B(0x64, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, FS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR gs:[ebx+0x8]", B(0x65, 0x8b, 0x43, 0x08), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, GS, RBX, NO, 1, 0x8, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR es:[ebx]", B(0x26, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, ES, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR ss:[ebx]", B(0x36, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, SS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR ds:[ebp+0x0]", B(0x3e, 0x8b, 0x45, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, DS, RBP, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov eax,DWORD PTR cs:[ebx]", B(0x2e, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, CS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov ax,WORD PTR fs:[ebx]", B(0x64, 0x66, 0x8b, 0x03), INSN_MOV_LOAD, 2, 2, RAX, NOI, A32, FS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "mov ax,WORD PTR fs:[ebx]", B(0x66, 0x64, 0x8b, 0x03), INSN_MOV_LOAD, 2, 2, RAX, NOI, A32, FS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "data16 data16 mov ax,WORD PTR [ebx]", B(0x66, 0x66, 0x66, 0x8b, 0x03), INSN_MOV_LOAD, 2, 2, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "cs ds mov eax,DWORD PTR es:[ebx]", B(0x2e, 0x3e, 0x26, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, ES, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	/* moffs 32-bit */
	{ P32, "mov al,ds:0x12345678", B(0xa0, 0x78, 0x56, 0x34, 0x12), INSN_MOV_LOAD, 1, 1, RAX, NOI, A32, NO, NO, NO, 1, 0x12345678, MOFFS|DST_REG|MR|RW },
	{ P32, "mov eax,ds:0x12345678", B(0xa1, 0x78, 0x56, 0x34, 0x12), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, NO, NO, 1, 0x12345678, MOFFS|DST_REG|MR|RW },
	{ P32, "mov ax,ds:0x12345678", B(0x66, 0xa1, 0x78, 0x56, 0x34, 0x12), INSN_MOV_LOAD, 2, 2, RAX, NOI, A32, NO, NO, NO, 1, 0x12345678, MOFFS|DST_REG|MR|RW },
	{ P32, "mov ds:0x12345678,al", B(0xa2, 0x78, 0x56, 0x34, 0x12), INSN_MOV_STORE, 1, 1, RAX, NOI, A32, NO, NO, NO, 1, 0x12345678, MOFFS|MW },
	{ P32, "mov ds:0xfee00000,eax", B(0xa3, 0x00, 0x00, 0xe0, 0xfe), INSN_MOV_STORE, 4, 4, RAX, NOI, A32, NO, NO, NO, 1, 0xfee00000, MOFFS|MW },
	{ P32, "mov ds:0xfec00000,ax", B(0x66, 0xa3, 0x00, 0x00, 0xc0, 0xfe), INSN_MOV_STORE, 2, 2, RAX, NOI, A32, NO, NO, NO, 1, 0xfec00000, MOFFS|MW },
	{ P32, "addr16 mov eax,ds:0x1234", B(0x67, 0xa1, 0x34, 0x12), INSN_MOV_LOAD, 4, 4, RAX, NOI, A16, NO, NO, NO, 1, 0x1234, MOFFS|DST_REG|MR|RW },
	{ P32, "addr16 data16 mov al,ds:0x1234", B(0x67, 0x66, 0xa0, 0x34, 0x12), INSN_MOV_LOAD, 1, 1, RAX, NOI, A16, NO, NO, NO, 1, 0x1234, MOFFS|DST_REG|MR|RW },
	{ P32, "mov eax,fs:0x10", B(0x64, 0xa1, 0x10, 0x00, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, FS, NO, NO, 1, 0x10, MOFFS|DST_REG|MR|RW },
	/* MOV imm 32-bit */
	{ P32, "mov BYTE PTR [eax],0x80", B(0xc6, 0x00, 0x80), INSN_MOV_STORE_IMM, 1, 1, NO, I(0x80), A32, NO, RAX, NO, 1, 0x0, MW },
	{ P32, "mov WORD PTR [eax],0xffff", B(0x66, 0xc7, 0x00, 0xff, 0xff), INSN_MOV_STORE_IMM, 2, 2, NO, I(0xffff), A32, NO, RAX, NO, 1, 0x0, MW },
	{ P32, "mov DWORD PTR [eax],0xfee00000", B(0xc7, 0x00, 0x00, 0x00, 0xe0, 0xfe), INSN_MOV_STORE_IMM, 4, 4, NO, I(0xfee00000), A32, NO, RAX, NO, 1, 0x0, MW },
	{ P32, "mov DWORD PTR [ebx+ecx*4+0x10],0x1", B(0xc7, 0x44, 0x8b, 0x10, 0x01, 0x00, 0x00, 0x00), INSN_MOV_STORE_IMM, 4, 4, NO, I(0x1), A32, NO, RBX, RCX, 4, 0x10, MW },
	{ P32, "mov DWORD PTR ds:0x1000,0x12345678", B(0xc7, 0x05, 0x00, 0x10, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12), INSN_MOV_STORE_IMM, 4, 4, NO, I(0x12345678), A32, NO, NO, NO, 1, 0x1000, MW },
	{ P32, "mov BYTE PTR [ebp-0x1],0x7", B(0xc6, 0x45, 0xff, 0x07), INSN_MOV_STORE_IMM, 1, 1, NO, I(0x7), A32, NO, RBP, NO, 1, -0x1, MW },
	/* MOVZX/MOVSX 32-bit */
	{ P32, "movzx eax,BYTE PTR [ebx]", B(0x0f, 0xb6, 0x03), INSN_MOVZX, 1, 4, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "movzx ax,BYTE PTR [ebx]", B(0x66, 0x0f, 0xb6, 0x03), INSN_MOVZX, 1, 2, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "movzx eax,WORD PTR [ebx]", B(0x0f, 0xb7, 0x03), INSN_MOVZX, 2, 4, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "movzx ax,WORD PTR [ebx]", B(0x66, 0x0f, 0xb7, 0x03), INSN_MOVZX, 2, 2, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "movsx ecx,BYTE PTR [ebx]", B(0x0f, 0xbe, 0x0b), INSN_MOVSX, 1, 4, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "movsx cx,BYTE PTR [ebx]", B(0x66, 0x0f, 0xbe, 0x0b), INSN_MOVSX, 1, 2, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "movsx ecx,WORD PTR [ebx]", B(0x0f, 0xbf, 0x0b), INSN_MOVSX, 2, 4, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "movzx esp,BYTE PTR [esp+0x4]", B(0x0f, 0xb6, 0x64, 0x24, 0x04), INSN_MOVZX, 1, 4, RSP, NOI, A32, NO, RSP, NO, 1, 0x4, DST_REG|MR|RW },
	/* strings 32-bit */
	{ P32, "movs BYTE PTR es:[edi],BYTE PTR ds:[esi]", B(0xa4), INSN_MOVS, 1, 1, NO, NOI, A32, NO, RSI, NO, 1, 0x0, MR|MW },
	{ P32, "movs WORD PTR es:[edi],WORD PTR ds:[esi]", B(0x66, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A32, NO, RSI, NO, 1, 0x0, MR|MW },
	{ P32, "movs DWORD PTR es:[edi],DWORD PTR ds:[esi]", B(0xa5), INSN_MOVS, 4, 4, NO, NOI, A32, NO, RSI, NO, 1, 0x0, MR|MW },
	{ P32, "rep movs DWORD PTR es:[edi],DWORD PTR ds:[esi]", B(0xf3, 0xa5), INSN_MOVS, 4, 4, NO, NOI, A32, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ P32, "rep movs WORD PTR es:[edi],WORD PTR ds:[esi]", B(0x66, 0xf3, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A32, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ P32, "rep movs BYTE PTR es:[di],BYTE PTR ds:[si]", B(0x67, 0xf3, 0xa4), INSN_MOVS, 1, 1, NO, NOI, A16, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ P32, "rep movs DWORD PTR es:[edi],DWORD PTR fs:[esi]", B(0xf3, 0x64, 0xa5), INSN_MOVS, 4, 4, NO, NOI, A32, FS, RSI, NO, 1, 0x0, REP|MR|MW },
	{ P32, "rep movs WORD PTR es:[di],WORD PTR gs:[si]", B(0x65, 0xf3, 0x67, 0x66, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A16, GS, RSI, NO, 1, 0x0, REP|MR|MW },
	{ P32, "stos BYTE PTR es:[edi],al", B(0xaa), INSN_STOS, 1, 1, RAX, NOI, A32, NO, RDI, NO, 1, 0x0, MW },
	{ P32, "stos DWORD PTR es:[edi],eax", B(0xab), INSN_STOS, 4, 4, RAX, NOI, A32, NO, RDI, NO, 1, 0x0, MW },
	{ P32, "rep stos DWORD PTR es:[edi],eax", B(0xf3, 0xab), INSN_STOS, 4, 4, RAX, NOI, A32, NO, RDI, NO, 1, 0x0, REP|MW },
	{ P32, "rep stos WORD PTR es:[edi],ax", B(0xf3, 0x66, 0xab), INSN_STOS, 2, 2, RAX, NOI, A32, NO, RDI, NO, 1, 0x0, REP|MW },
	{ P32, "stos BYTE PTR es:[di],al", B(0x67, 0xaa), INSN_STOS, 1, 1, RAX, NOI, A16, NO, RDI, NO, 1, 0x0, MW },
	{ P32, "cs stos DWORD PTR es:[edi],eax", B(0x2e, 0xab), INSN_STOS, 4, 4, RAX, NOI, A32, NO, RDI, NO, 1, 0x0, MW },
	{ P32, "lods al,BYTE PTR ds:[esi]", B(0xac), INSN_LODS, 1, 1, RAX, NOI, A32, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "lods eax,DWORD PTR ds:[esi]", B(0xad), INSN_LODS, 4, 4, RAX, NOI, A32, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "lods ax,WORD PTR ds:[esi]", B(0x66, 0xad), INSN_LODS, 2, 2, RAX, NOI, A32, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "lods eax,DWORD PTR fs:[si]", B(0x64, 0x67, 0xad), INSN_LODS, 4, 4, RAX, NOI, A16, FS, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "repnz movs DWORD PTR es:[edi],DWORD PTR ds:[esi]", B(0xf2, 0xa5), INSN_MOVS, 4, 4, NO, NOI, A32, NO, RSI, NO, 1, 0x0, REPNE|MR|MW },
	/* ALU 32-bit */
	{ P32, "add BYTE PTR [ebx],cl", B(0x00, 0x0b), INSN_ADD, 1, 1, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "add DWORD PTR [ebx],ecx", B(0x01, 0x0b), INSN_ADD, 4, 4, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "add cl,BYTE PTR [ebx]", B(0x02, 0x0b), INSN_ADD, 1, 1, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "add ecx,DWORD PTR [ebx]", B(0x03, 0x0b), INSN_ADD, 4, 4, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "or BYTE PTR [ebx],dl", B(0x08, 0x13), INSN_OR, 1, 1, RDX, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "or WORD PTR [ebx],dx", B(0x66, 0x09, 0x13), INSN_OR, 2, 2, RDX, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "or dl,BYTE PTR [ebx]", B(0x0a, 0x13), INSN_OR, 1, 1, RDX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "or edx,DWORD PTR [ebx]", B(0x0b, 0x13), INSN_OR, 4, 4, RDX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "and BYTE PTR [ebx],bh", B(0x20, 0x3b), INSN_AND, 1, 1, BH, NOI, A32, NO, RBX, NO, 1, 0x0, HI8|MR|MW },
	{ P32, "and DWORD PTR [ebx],edi", B(0x21, 0x3b), INSN_AND, 4, 4, RDI, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "and bh,BYTE PTR [ebx]", B(0x22, 0x3b), INSN_AND, 1, 1, BH, NOI, A32, NO, RBX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ P32, "and edi,DWORD PTR [ebx]", B(0x23, 0x3b), INSN_AND, 4, 4, RDI, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "sub BYTE PTR [ebx],al", B(0x28, 0x03), INSN_SUB, 1, 1, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "sub DWORD PTR [ebx],eax", B(0x29, 0x03), INSN_SUB, 4, 4, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "sub al,BYTE PTR [ebx]", B(0x2a, 0x03), INSN_SUB, 1, 1, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "sub ax,WORD PTR [ebx]", B(0x66, 0x2b, 0x03), INSN_SUB, 2, 2, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "xor BYTE PTR [ebx],ah", B(0x30, 0x23), INSN_XOR, 1, 1, AH, NOI, A32, NO, RBX, NO, 1, 0x0, HI8|MR|MW },
	{ P32, "xor DWORD PTR [ebx],esi", B(0x31, 0x33), INSN_XOR, 4, 4, RSI, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "xor ah,BYTE PTR [ebx]", B(0x32, 0x23), INSN_XOR, 1, 1, AH, NOI, A32, NO, RBX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ P32, "xor esi,DWORD PTR [ebx]", B(0x33, 0x33), INSN_XOR, 4, 4, RSI, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ P32, "cmp BYTE PTR [ebx],dh", B(0x38, 0x33), INSN_CMP, 1, 1, DH, NOI, A32, NO, RBX, NO, 1, 0x0, HI8|MR },
	{ P32, "cmp DWORD PTR [ebx],ebp", B(0x39, 0x2b), INSN_CMP, 4, 4, RBP, NOI, A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "cmp dh,BYTE PTR [ebx]", B(0x3a, 0x33), INSN_CMP, 1, 1, DH, NOI, A32, NO, RBX, NO, 1, 0x0, HI8|DST_REG|MR },
	{ P32, "cmp ebp,DWORD PTR [ebx]", B(0x3b, 0x2b), INSN_CMP, 4, 4, RBP, NOI, A32, NO, RBX, NO, 1, 0x0, DST_REG|MR },
	{ P32, "test BYTE PTR [ebx],ch", B(0x84, 0x2b), INSN_TEST, 1, 1, CH, NOI, A32, NO, RBX, NO, 1, 0x0, HI8|MR },
	{ P32, "test DWORD PTR [ebx],esp", B(0x85, 0x23), INSN_TEST, 4, 4, RSP, NOI, A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "xchg BYTE PTR [ebx],dh", B(0x86, 0x33), INSN_XCHG, 1, 1, DH, NOI, A32, NO, RBX, NO, 1, 0x0, HI8|MR|MW|RW },
	{ P32, "xchg DWORD PTR [ebx],edx", B(0x87, 0x13), INSN_XCHG, 4, 4, RDX, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW|RW },
	{ P32, "xchg WORD PTR [ebx],dx", B(0x66, 0x87, 0x13), INSN_XCHG, 2, 2, RDX, NOI, A32, NO, RBX, NO, 1, 0x0, MR|MW|RW },
	{ P32, "add BYTE PTR [ebx],0x7f", B(0x80, 0x03, 0x7f), INSN_ADD, 1, 1, NO, I(0x7f), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "or BYTE PTR [ebx],0x80", B(0x80, 0x0b, 0x80), INSN_OR, 1, 1, NO, I(0x80), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "and BYTE PTR [ebx],0xf0", B(0x80, 0x23, 0xf0), INSN_AND, 1, 1, NO, I(0xf0), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "sub BYTE PTR [ebx],0x1", B(0x80, 0x2b, 0x01), INSN_SUB, 1, 1, NO, I(0x1), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "xor BYTE PTR [ebx],0xff", B(0x80, 0x33, 0xff), INSN_XOR, 1, 1, NO, I(0xff), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "cmp BYTE PTR [ebx],0x0", B(0x80, 0x3b, 0x00), INSN_CMP, 1, 1, NO, I(0x0), A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "and BYTE PTR [ebx],0xf", B(0x82, 0x23, 0x0f), INSN_AND, 1, 1, NO, I(0xf), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "add DWORD PTR [ebx],0x12345678", B(0x81, 0x03, 0x78, 0x56, 0x34, 0x12), INSN_ADD, 4, 4, NO, I(0x12345678), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "or DWORD PTR [ebx],0x80000000", B(0x81, 0x0b, 0x00, 0x00, 0x00, 0x80), INSN_OR, 4, 4, NO, I(0x80000000), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "and WORD PTR [ebx],0xff00", B(0x66, 0x81, 0x23, 0x00, 0xff), INSN_AND, 2, 2, NO, I(0xff00), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "sub DWORD PTR [ebx],0x1000", B(0x81, 0x2b, 0x00, 0x10, 0x00, 0x00), INSN_SUB, 4, 4, NO, I(0x1000), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "xor DWORD PTR [ebx],0x11111111", B(0x81, 0x33, 0x11, 0x11, 0x11, 0x11), INSN_XOR, 4, 4, NO, I(0x11111111), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "cmp DWORD PTR [ebx],0x1000", B(0x81, 0x3b, 0x00, 0x10, 0x00, 0x00), INSN_CMP, 4, 4, NO, I(0x1000), A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "add DWORD PTR [ebx],0x1", B(0x83, 0x03, 0x01), INSN_ADD, 4, 4, NO, I(0x1), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "or DWORD PTR [ebx],0xffffffff", B(0x83, 0x0b, 0xff), INSN_OR, 4, 4, NO, I(0xffffffff), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "and DWORD PTR [ebx],0xfffffff0", B(0x83, 0x23, 0xf0), INSN_AND, 4, 4, NO, I(0xfffffff0), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "and WORD PTR [ebx],0xfff0", B(0x66, 0x83, 0x23, 0xf0), INSN_AND, 2, 2, NO, I(0xfff0), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "sub DWORD PTR [ebx],0x7f", B(0x83, 0x2b, 0x7f), INSN_SUB, 4, 4, NO, I(0x7f), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "xor DWORD PTR [ebx],0xffffff80", B(0x83, 0x33, 0x80), INSN_XOR, 4, 4, NO, I(0xffffff80), A32, NO, RBX, NO, 1, 0x0, MR|MW },
	{ P32, "cmp WORD PTR [ebx],0xfffe", B(0x66, 0x83, 0x3b, 0xfe), INSN_CMP, 2, 2, NO, I(0xfffe), A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "test BYTE PTR [ebx],0x1", B(0xf6, 0x03, 0x01), INSN_TEST, 1, 1, NO, I(0x1), A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "test DWORD PTR [ebx],0x80000000", B(0xf7, 0x03, 0x00, 0x00, 0x00, 0x80), INSN_TEST, 4, 4, NO, I(0x80000000), A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "test WORD PTR [ebx],0x8000", B(0x66, 0xf7, 0x03, 0x00, 0x80), INSN_TEST, 2, 2, NO, I(0x8000), A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "lock add DWORD PTR [ebx],eax", B(0xf0, 0x01, 0x03), INSN_ADD, 4, 4, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ P32, "lock or DWORD PTR [ebx],0x10", B(0xf0, 0x83, 0x0b, 0x10), INSN_OR, 4, 4, NO, I(0x10), A32, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ P32, "lock and BYTE PTR [ebx],0x7f", B(0xf0, 0x80, 0x23, 0x7f), INSN_AND, 1, 1, NO, I(0x7f), A32, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ P32, "lock sub DWORD PTR [ebx],0x1", B(0xf0, 0x83, 0x2b, 0x01), INSN_SUB, 4, 4, NO, I(0x1), A32, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ P32, "lock xor DWORD PTR [ebx],ecx", B(0xf0, 0x31, 0x0b), INSN_XOR, 4, 4, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ P32, "lock xchg DWORD PTR [ebx],eax", B(0xf0, 0x87, 0x03), INSN_XCHG, 4, 4, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, LOCK|MR|MW|RW },
	{ P32, "lock or WORD PTR [ebx],ax", B(0x66, 0xf0, 0x09, 0x03), INSN_OR, 2, 2, RAX, NOI, A32, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	/* BT 32-bit */
	{ P32, "bt DWORD PTR [ebx],0x5", B(0x0f, 0xba, 0x23, 0x05), INSN_BT, 4, 4, NO, I(0x5), A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "bt WORD PTR [ebx],0xf", B(0x66, 0x0f, 0xba, 0x23, 0x0f), INSN_BT, 2, 2, NO, I(0xf), A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "bt DWORD PTR [ebx],0xff", B(0x0f, 0xba, 0x23, 0xff), INSN_BT, 4, 4, NO, I(0xff), A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "bt DWORD PTR [ebx],ecx", B(0x0f, 0xa3, 0x0b), INSN_BT, 4, 4, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, MR },
	{ P32, "bt WORD PTR [ebx],cx", B(0x66, 0x0f, 0xa3, 0x0b), INSN_BT, 2, 2, RCX, NOI, A32, NO, RBX, NO, 1, 0x0, MR },
	/* 64-bit mode: REX (SDM 2.2.1), RIP-relative (2.2.1.6), r12/r13 special cases */
	{ L64, "mov eax,DWORD PTR [rax]", B(0x8b, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov rax,QWORD PTR [rax]", B(0x48, 0x8b, 0x00), INSN_MOV_LOAD, 8, 8, RAX, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov ax,WORD PTR [rax]", B(0x66, 0x8b, 0x00), INSN_MOV_LOAD, 2, 2, RAX, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "data16 mov rax,QWORD PTR [rax]", B(0x66, 0x48, 0x8b, 0x00), INSN_MOV_LOAD, 8, 8, RAX, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov ax,WORD PTR [rax]", B(0x48, 0x66, 0x8b, 0x00), INSN_MOV_LOAD, 2, 2, RAX, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r8]", B(0x48, 0x41, 0x8b, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R8, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov rax,QWORD PTR [rax]", B(0x41, 0x48, 0x8b, 0x00), INSN_MOV_LOAD, 8, 8, RAX, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "repz mov eax,DWORD PTR [rax]", B(0x48, 0xf3, 0x8b, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RAX, NO, 1, 0x0, REP|DST_REG|MR|RW },
	{ L64, "mov r8,QWORD PTR [rax]", B(0x4c, 0x8b, 0x00), INSN_MOV_LOAD, 8, 8, R8, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov r15d,DWORD PTR [rax]", B(0x44, 0x8b, 0x38), INSN_MOV_LOAD, 4, 4, R15, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov r9w,WORD PTR [rax]", B(0x66, 0x44, 0x8b, 0x08), INSN_MOV_LOAD, 2, 2, R9, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r8]", B(0x41, 0x8b, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R8, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r15]", B(0x41, 0x8b, 0x07), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R15, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r12]", B(0x41, 0x8b, 0x04, 0x24), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R12, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r13+0x0]", B(0x41, 0x8b, 0x45, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R13, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r13+0x8]", B(0x41, 0x8b, 0x45, 0x08), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R13, NO, 1, 0x8, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r12+0x8]", B(0x41, 0x8b, 0x44, 0x24, 0x08), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R12, NO, 1, 0x8, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [rsp]", B(0x8b, 0x04, 0x24), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RSP, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [rbp+0x0]", B(0x8b, 0x45, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RBP, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [rbx+r12*2]", B(0x42, 0x8b, 0x04, 0x63), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RBX, R12, 2, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r12+r13*4]", B(0x43, 0x8b, 0x04, 0xac), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R12, R13, 4, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r13+r12*8+0x0]", B(0x43, 0x8b, 0x44, 0xe5, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R13, R12, 8, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r13+rax*1+0x0]", B(0x41, 0x8b, 0x44, 0x05, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R13, RAX, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR ds:0x1000", B(0x41, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, NO, NO, 1, 0x1000, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [riz*2+0x1000]", B(0x41, 0x8b, 0x04, 0x65, 0x00, 0x10, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, NO, NO, 1, 0x1000, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r12*1+0x1000]", B(0x43, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, NO, R12, 1, 0x1000, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR ds:0xffffffff80000000", B(0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x80), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, NO, NO, 1, -0x80000000LL, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR ds:0x10", B(0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, NO, NO, 1, 0x10, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r13+0x0]", B(0x41, 0x8b, 0x45, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, R13, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov r15,QWORD PTR [r12+riz*8+0x10]", B(0x4d, 0x8b, 0x7c, 0xe4, 0x10), INSN_MOV_LOAD, 8, 8, R15, NOI, A64, NO, R12, NO, 1, 0x10, DST_REG|MR|RW },
	{ L64, "mov rax,QWORD PTR [r11+r10*8+0x12345678]", B(0x4b, 0x8b, 0x84, 0xd3, 0x78, 0x56, 0x34, 0x12), INSN_MOV_LOAD, 8, 8, RAX, NOI, A64, NO, R11, R10, 8, 0x12345678, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [rip+0x10]", B(0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RIP, NO, 1, 0x10, DST_REG|MR|RW },
	{ L64, "mov rax,QWORD PTR [rip+0xfffffffffffff000]", B(0x48, 0x8b, 0x05, 0x00, 0xf0, 0xff, 0xff), INSN_MOV_LOAD, 8, 8, RAX, NOI, A64, NO, RIP, NO, 1, -0x1000, DST_REG|MR|RW },
	{ L64, "mov r14,QWORD PTR [rip+0x7fffffff]", B(0x4c, 0x8b, 0x35, 0xff, 0xff, 0xff, 0x7f), INSN_MOV_LOAD, 8, 8, R14, NOI, A64, NO, RIP, NO, 1, 0x7fffffff, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [rip+0x10]", B(0x41, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RIP, NO, 1, 0x10, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [eip+0x10]", B(0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RIP, NO, 1, 0x10, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [eax]", B(0x67, 0x8b, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR [r8d+r9d*2+0x4]", B(0x67, 0x43, 0x8b, 0x44, 0x48, 0x04), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, R8, R9, 2, 0x4, DST_REG|MR|RW },
	{ L64, "mov al,BYTE PTR [rax]", B(0x8a, 0x00), INSN_MOV_LOAD, 1, 1, RAX, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov ah,BYTE PTR [rax]", B(0x8a, 0x20), INSN_MOV_LOAD, 1, 1, AH, NOI, A64, NO, RAX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ L64, "mov bh,BYTE PTR [rax]", B(0x8a, 0x38), INSN_MOV_LOAD, 1, 1, BH, NOI, A64, NO, RAX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ L64, "mov spl,BYTE PTR [rax]", B(0x40, 0x8a, 0x20), INSN_MOV_LOAD, 1, 1, RSP, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov bpl,BYTE PTR [rax]", B(0x40, 0x8a, 0x28), INSN_MOV_LOAD, 1, 1, RBP, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov sil,BYTE PTR [rax]", B(0x40, 0x8a, 0x30), INSN_MOV_LOAD, 1, 1, RSI, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov dil,BYTE PTR [rax]", B(0x40, 0x8a, 0x38), INSN_MOV_LOAD, 1, 1, RDI, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov spl,BYTE PTR [rax]", B(0x40, 0x8a, 0x20), INSN_MOV_LOAD, 1, 1, RSP, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov BYTE PTR [rax],dil", B(0x40, 0x88, 0x38), INSN_MOV_STORE, 1, 1, RDI, NOI, A64, NO, RAX, NO, 1, 0x0, MW },
	{ L64, "mov r8b,BYTE PTR [rax]", B(0x44, 0x8a, 0x00), INSN_MOV_LOAD, 1, 1, R8, NOI, A64, NO, RAX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov BYTE PTR [rax],r15b", B(0x44, 0x88, 0x38), INSN_MOV_STORE, 1, 1, R15, NOI, A64, NO, RAX, NO, 1, 0x0, MW },
	{ L64, "mov BYTE PTR [rax],ch", B(0x88, 0x28), INSN_MOV_STORE, 1, 1, CH, NOI, A64, NO, RAX, NO, 1, 0x0, HI8|MW },
	{ L64, "mov QWORD PTR [rax],r9", B(0x4c, 0x89, 0x08), INSN_MOV_STORE, 8, 8, R9, NOI, A64, NO, RAX, NO, 1, 0x0, MW },
	{ L64, "mov DWORD PTR [rax+rbx*1],r10d", B(0x44, 0x89, 0x14, 0x18), INSN_MOV_STORE, 4, 4, R10, NOI, A64, NO, RAX, RBX, 1, 0x0, MW },
	{ L64, "mov WORD PTR [rsp+0x8],r11w", B(0x66, 0x44, 0x89, 0x5c, 0x24, 0x08), INSN_MOV_STORE, 2, 2, R11, NOI, A64, NO, RSP, NO, 1, 0x8, MW },
	{ L64, "mov rax,QWORD PTR fs:0x28", B(0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00), INSN_MOV_LOAD, 8, 8, RAX, NOI, A64, FS, NO, NO, 1, 0x28, DST_REG|MR|RW },
	{ L64, "mov eax,DWORD PTR gs:[rbx]", B(0x65, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, GS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "fs mov eax,DWORD PTR gs:[rbx]", B(0x64, 0x65, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, GS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "gs mov eax,DWORD PTR gs:[rbx]", B(0x65, 0x2e, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, GS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "cs mov eax,DWORD PTR [rbx]", B(0x2e, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "es mov eax,DWORD PTR [rbx]", B(0x26, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "ss mov eax,DWORD PTR [rbx]", B(0x36, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "ds mov eax,DWORD PTR [rbx]", B(0x3e, 0x8b, 0x03), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "mov rax,QWORD PTR fs:[rbx]", B(0x64, 0x48, 0x8b, 0x03), INSN_MOV_LOAD, 8, 8, RAX, NOI, A64, FS, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "repnz mov DWORD PTR [rbx],eax", B(0xf2, 0x89, 0x03), INSN_MOV_STORE, 4, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, REPNE|MW },
	{ L64, "xrelease mov DWORD PTR [rbx],eax", B(0xf3, 0x89, 0x03), INSN_MOV_STORE, 4, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, REP|MW },
	/* moffs 64-bit */
	{ L64, "movabs al,ds:0x1122334455667788", B(0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), INSN_MOV_LOAD, 1, 1, RAX, NOI, A64, NO, NO, NO, 1, 0x1122334455667788, MOFFS|DST_REG|MR|RW },
	{ L64, "movabs eax,ds:0x1122334455667788", B(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, NO, NO, 1, 0x1122334455667788, MOFFS|DST_REG|MR|RW },
	{ L64, "movabs ax,ds:0x1122334455667788", B(0x66, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), INSN_MOV_LOAD, 2, 2, RAX, NOI, A64, NO, NO, NO, 1, 0x1122334455667788, MOFFS|DST_REG|MR|RW },
	{ L64, "movabs rax,ds:0xfffffffffee00000", B(0x48, 0xa1, 0x00, 0x00, 0xe0, 0xfe, 0xff, 0xff, 0xff, 0xff), INSN_MOV_LOAD, 8, 8, RAX, NOI, A64, NO, NO, NO, 1, -0x1200000, MOFFS|DST_REG|MR|RW },
	{ L64, "movabs ds:0x1122334455667788,al", B(0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), INSN_MOV_STORE, 1, 1, RAX, NOI, A64, NO, NO, NO, 1, 0x1122334455667788, MOFFS|MW },
	{ L64, "movabs ds:0x1122334455667788,eax", B(0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), INSN_MOV_STORE, 4, 4, RAX, NOI, A64, NO, NO, NO, 1, 0x1122334455667788, MOFFS|MW },
	{ L64, "movabs ds:0x8000000000000000,rax", B(0x48, 0xa3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80), INSN_MOV_STORE, 8, 8, RAX, NOI, A64, NO, NO, NO, 1, INT64_MIN, MOFFS|MW },
	{ L64, "addr32 mov eax,ds:0x11223344", B(0x67, 0xa1, 0x44, 0x33, 0x22, 0x11), INSN_MOV_LOAD, 4, 4, RAX, NOI, A32, NO, NO, NO, 1, 0x11223344, MOFFS|DST_REG|MR|RW },
	{ L64, "addr32 mov ds:0xfee00000,rax", B(0x67, 0x48, 0xa3, 0x00, 0x00, 0xe0, 0xfe), INSN_MOV_STORE, 8, 8, RAX, NOI, A32, NO, NO, NO, 1, 0xfee00000, MOFFS|MW },
	{ L64, "addr32 mov al,ds:0xffffffff", B(0x67, 0xa0, 0xff, 0xff, 0xff, 0xff), INSN_MOV_LOAD, 1, 1, RAX, NOI, A32, NO, NO, NO, 1, 0xffffffff, MOFFS|DST_REG|MR|RW },
	{ L64, "movabs eax,fs:0x28", B(0x64, 0xa1, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, FS, NO, NO, 1, 0x28, MOFFS|DST_REG|MR|RW },
	{ L64, "rex.B movabs eax,ds:0x8", B(0x41, 0xa1, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), INSN_MOV_LOAD, 4, 4, RAX, NOI, A64, NO, NO, NO, 1, 0x8, MOFFS|DST_REG|MR|RW },
	/* MOV imm 64-bit */
	{ L64, "mov BYTE PTR [rax],0x80", B(0xc6, 0x00, 0x80), INSN_MOV_STORE_IMM, 1, 1, NO, I(0x80), A64, NO, RAX, NO, 1, 0x0, MW },
	{ L64, "mov WORD PTR [rax],0x8000", B(0x66, 0xc7, 0x00, 0x00, 0x80), INSN_MOV_STORE_IMM, 2, 2, NO, I(0x8000), A64, NO, RAX, NO, 1, 0x0, MW },
	{ L64, "mov DWORD PTR [rax],0x80000000", B(0xc7, 0x00, 0x00, 0x00, 0x00, 0x80), INSN_MOV_STORE_IMM, 4, 4, NO, I(0x80000000), A64, NO, RAX, NO, 1, 0x0, MW },
	{ L64, "mov QWORD PTR [rax],0xffffffffffffffff", B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), INSN_MOV_STORE_IMM, 8, 8, NO, I(0xffffffffffffffff), A64, NO, RAX, NO, 1, 0x0, MW },
	{ L64, "mov QWORD PTR [rax],0x7fffffff", B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f), INSN_MOV_STORE_IMM, 8, 8, NO, I(0x7fffffff), A64, NO, RAX, NO, 1, 0x0, MW },
	{ L64, "mov QWORD PTR [rax],0xffffffff80000000", B(0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80), INSN_MOV_STORE_IMM, 8, 8, NO, I(0xffffffff80000000), A64, NO, RAX, NO, 1, 0x0, MW },
	{ L64, "mov QWORD PTR [r12],0x5", B(0x49, 0xc7, 0x04, 0x24, 0x05, 0x00, 0x00, 0x00), INSN_MOV_STORE_IMM, 8, 8, NO, I(0x5), A64, NO, R12, NO, 1, 0x0, MW },
	{ L64, "mov DWORD PTR [rip+0x100],0x12345678", B(0xc7, 0x05, 0x00, 0x01, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12), INSN_MOV_STORE_IMM, 4, 4, NO, I(0x12345678), A64, NO, RIP, NO, 1, 0x100, MW },
	{ L64, "mov BYTE PTR [rip+0xfffffffffffffff0],0x1", B(0xc6, 0x05, 0xf0, 0xff, 0xff, 0xff, 0x01), INSN_MOV_STORE_IMM, 1, 1, NO, I(0x1), A64, NO, RIP, NO, 1, -0x10, MW },
	{ L64, "data16 mov QWORD PTR [rax],0xffffffffffffffff", B(0x66, 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), INSN_MOV_STORE_IMM, 8, 8, NO, I(0xffffffffffffffff), A64, NO, RAX, NO, 1, 0x0, MW },
	/* MOVZX/MOVSX/MOVSXD 64-bit */
	{ L64, "movzx eax,BYTE PTR [rbx]", B(0x0f, 0xb6, 0x03), INSN_MOVZX, 1, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movzx ax,BYTE PTR [rbx]", B(0x66, 0x0f, 0xb6, 0x03), INSN_MOVZX, 1, 2, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movzx rax,BYTE PTR [rbx]", B(0x48, 0x0f, 0xb6, 0x03), INSN_MOVZX, 1, 8, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movzx eax,WORD PTR [rbx]", B(0x0f, 0xb7, 0x03), INSN_MOVZX, 2, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movzx rax,WORD PTR [rbx]", B(0x48, 0x0f, 0xb7, 0x03), INSN_MOVZX, 2, 8, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movzx r12d,BYTE PTR [r13+0x0]", B(0x45, 0x0f, 0xb6, 0x65, 0x00), INSN_MOVZX, 1, 4, R12, NOI, A64, NO, R13, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movsx eax,BYTE PTR [rbx]", B(0x0f, 0xbe, 0x03), INSN_MOVSX, 1, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movsx ax,BYTE PTR [rbx]", B(0x66, 0x0f, 0xbe, 0x03), INSN_MOVSX, 1, 2, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movsx rax,BYTE PTR [rbx]", B(0x48, 0x0f, 0xbe, 0x03), INSN_MOVSX, 1, 8, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movsx eax,WORD PTR [rbx]", B(0x0f, 0xbf, 0x03), INSN_MOVSX, 2, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movsx r9,WORD PTR [rbx]", B(0x4c, 0x0f, 0xbf, 0x0b), INSN_MOVSX, 2, 8, R9, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movsxd rax,DWORD PTR [rbx]", B(0x48, 0x63, 0x03), INSN_MOVSX, 4, 8, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "movsxd r10,DWORD PTR [rip+0x40]", B(0x4c, 0x63, 0x15, 0x40, 0x00, 0x00, 0x00), INSN_MOVSX, 4, 8, R10, NOI, A64, NO, RIP, NO, 1, 0x40, DST_REG|MR|RW },
	{ L64, "movsxd eax,DWORD PTR [rbx]", B(0x63, 0x03), INSN_MOVSX, 4, 4, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	/* strings 64-bit */
	{ L64, "movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]", B(0xa4), INSN_MOVS, 1, 1, NO, NOI, A64, NO, RSI, NO, 1, 0x0, MR|MW },
	{ L64, "movs WORD PTR es:[rdi],WORD PTR ds:[rsi]", B(0x66, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A64, NO, RSI, NO, 1, 0x0, MR|MW },
	{ L64, "movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi]", B(0xa5), INSN_MOVS, 4, 4, NO, NOI, A64, NO, RSI, NO, 1, 0x0, MR|MW },
	{ L64, "movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]", B(0x48, 0xa5), INSN_MOVS, 8, 8, NO, NOI, A64, NO, RSI, NO, 1, 0x0, MR|MW },
	{ L64, "rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]", B(0xf3, 0xa4), INSN_MOVS, 1, 1, NO, NOI, A64, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ L64, "rep movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]", B(0xf3, 0x48, 0xa5), INSN_MOVS, 8, 8, NO, NOI, A64, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ L64, "rep movs DWORD PTR es:[edi],DWORD PTR ds:[esi]", B(0x67, 0xf3, 0xa5), INSN_MOVS, 4, 4, NO, NOI, A32, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ L64, "rep movs WORD PTR es:[rdi],WORD PTR ds:[rsi]", B(0x66, 0xf3, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A64, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ L64, "rep movs WORD PTR es:[rdi],WORD PTR ds:[rsi]", B(0xf3, 0x66, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A64, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ L64, "rep movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]", B(0xf3, 0x48, 0xa5), INSN_MOVS, 8, 8, NO, NOI, A64, NO, RSI, NO, 1, 0x0, REP|MR|MW },
	{ L64, "rep movs QWORD PTR es:[rdi],QWORD PTR fs:[rsi]", B(0x64, 0xf3, 0x48, 0xa5), INSN_MOVS, 8, 8, NO, NOI, A64, FS, RSI, NO, 1, 0x0, REP|MR|MW },
	{ L64, "movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]", B(0x2e, 0xa4), INSN_MOVS, 1, 1, NO, NOI, A64, NO, RSI, NO, 1, 0x0, MR|MW },
	{ L64, "movs WORD PTR es:[rdi],WORD PTR ds:[rsi]", B(0x48, 0x66, 0xa5), INSN_MOVS, 2, 2, NO, NOI, A64, NO, RSI, NO, 1, 0x0, MR|MW },
	{ L64, "stos BYTE PTR es:[rdi],al", B(0xaa), INSN_STOS, 1, 1, RAX, NOI, A64, NO, RDI, NO, 1, 0x0, MW },
	{ L64, "stos QWORD PTR es:[rdi],rax", B(0x48, 0xab), INSN_STOS, 8, 8, RAX, NOI, A64, NO, RDI, NO, 1, 0x0, MW },
	{ L64, "rep stos QWORD PTR es:[rdi],rax", B(0xf3, 0x48, 0xab), INSN_STOS, 8, 8, RAX, NOI, A64, NO, RDI, NO, 1, 0x0, REP|MW },
	{ L64, "rep stos BYTE PTR es:[rdi],al", B(0xf3, 0xaa), INSN_STOS, 1, 1, RAX, NOI, A64, NO, RDI, NO, 1, 0x0, REP|MW },
	{ L64, "rep stos QWORD PTR es:[edi],rax", B(0x67, 0xf3, 0x48, 0xab), INSN_STOS, 8, 8, RAX, NOI, A32, NO, RDI, NO, 1, 0x0, REP|MW },
	{ L64, "stos WORD PTR es:[rdi],ax", B(0x66, 0xab), INSN_STOS, 2, 2, RAX, NOI, A64, NO, RDI, NO, 1, 0x0, MW },
	{ L64, "gs stos BYTE PTR es:[rdi],al", B(0x65, 0xaa), INSN_STOS, 1, 1, RAX, NOI, A64, NO, RDI, NO, 1, 0x0, MW },
	{ L64, "lods al,BYTE PTR ds:[rsi]", B(0xac), INSN_LODS, 1, 1, RAX, NOI, A64, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "lods rax,QWORD PTR ds:[rsi]", B(0x48, 0xad), INSN_LODS, 8, 8, RAX, NOI, A64, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "lods ax,WORD PTR ds:[rsi]", B(0x66, 0xad), INSN_LODS, 2, 2, RAX, NOI, A64, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "lods rax,QWORD PTR gs:[rsi]", B(0x65, 0x48, 0xad), INSN_LODS, 8, 8, RAX, NOI, A64, GS, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "lods al,BYTE PTR ds:[esi]", B(0x67, 0xac), INSN_LODS, 1, 1, RAX, NOI, A32, NO, RSI, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "repnz movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]", B(0xf2, 0x48, 0xa5), INSN_MOVS, 8, 8, NO, NOI, A64, NO, RSI, NO, 1, 0x0, REPNE|MR|MW },
	/* ALU 64-bit */
	{ L64, "add BYTE PTR [rbx],r8b", B(0x44, 0x00, 0x03), INSN_ADD, 1, 1, R8, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "add QWORD PTR [rbx],r8", B(0x4c, 0x01, 0x03), INSN_ADD, 8, 8, R8, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "add r8b,BYTE PTR [rbx]", B(0x44, 0x02, 0x03), INSN_ADD, 1, 1, R8, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "add r8,QWORD PTR [rbx]", B(0x4c, 0x03, 0x03), INSN_ADD, 8, 8, R8, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "or BYTE PTR [rbx],sil", B(0x40, 0x08, 0x33), INSN_OR, 1, 1, RSI, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "or DWORD PTR [rbx],r9d", B(0x44, 0x09, 0x0b), INSN_OR, 4, 4, R9, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "or sil,BYTE PTR [rbx]", B(0x40, 0x0a, 0x33), INSN_OR, 1, 1, RSI, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "or r9w,WORD PTR [rbx]", B(0x66, 0x44, 0x0b, 0x0b), INSN_OR, 2, 2, R9, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "and BYTE PTR [rbx],ah", B(0x20, 0x23), INSN_AND, 1, 1, AH, NOI, A64, NO, RBX, NO, 1, 0x0, HI8|MR|MW },
	{ L64, "and QWORD PTR [rbx],rax", B(0x48, 0x21, 0x03), INSN_AND, 8, 8, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "and ah,BYTE PTR [rbx]", B(0x22, 0x23), INSN_AND, 1, 1, AH, NOI, A64, NO, RBX, NO, 1, 0x0, HI8|DST_REG|MR|RW },
	{ L64, "and rax,QWORD PTR [rbx]", B(0x48, 0x23, 0x03), INSN_AND, 8, 8, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "sub BYTE PTR [rbx],dil", B(0x40, 0x28, 0x3b), INSN_SUB, 1, 1, RDI, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "sub QWORD PTR [rbx],rdi", B(0x48, 0x29, 0x3b), INSN_SUB, 8, 8, RDI, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "sub dil,BYTE PTR [rbx]", B(0x40, 0x2a, 0x3b), INSN_SUB, 1, 1, RDI, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "sub rdi,QWORD PTR [rbx]", B(0x48, 0x2b, 0x3b), INSN_SUB, 8, 8, RDI, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "xor BYTE PTR [rbx],r15b", B(0x44, 0x30, 0x3b), INSN_XOR, 1, 1, R15, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "xor QWORD PTR [rbx],r15", B(0x4c, 0x31, 0x3b), INSN_XOR, 8, 8, R15, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "xor r15b,BYTE PTR [rbx]", B(0x44, 0x32, 0x3b), INSN_XOR, 1, 1, R15, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "xor r15d,DWORD PTR [rbx]", B(0x44, 0x33, 0x3b), INSN_XOR, 4, 4, R15, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR|RW },
	{ L64, "cmp BYTE PTR [rbx],al", B(0x38, 0x03), INSN_CMP, 1, 1, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "cmp QWORD PTR [rbx],r12", B(0x4c, 0x39, 0x23), INSN_CMP, 8, 8, R12, NOI, A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "cmp al,BYTE PTR [rbx]", B(0x3a, 0x03), INSN_CMP, 1, 1, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR },
	{ L64, "cmp r12,QWORD PTR [rbx]", B(0x4c, 0x3b, 0x23), INSN_CMP, 8, 8, R12, NOI, A64, NO, RBX, NO, 1, 0x0, DST_REG|MR },
	{ L64, "test BYTE PTR [rbx],bpl", B(0x40, 0x84, 0x2b), INSN_TEST, 1, 1, RBP, NOI, A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "test QWORD PTR [rbx],r13", B(0x4c, 0x85, 0x2b), INSN_TEST, 8, 8, R13, NOI, A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "xchg BYTE PTR [rbx],spl", B(0x40, 0x86, 0x23), INSN_XCHG, 1, 1, RSP, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW|RW },
	{ L64, "xchg QWORD PTR [rbx],r14", B(0x4c, 0x87, 0x33), INSN_XCHG, 8, 8, R14, NOI, A64, NO, RBX, NO, 1, 0x0, MR|MW|RW },
	{ L64, "xchg BYTE PTR [rbx],bh", B(0x86, 0x3b), INSN_XCHG, 1, 1, BH, NOI, A64, NO, RBX, NO, 1, 0x0, HI8|MR|MW|RW },
	{ L64, "add BYTE PTR [rbx],0x80", B(0x80, 0x03, 0x80), INSN_ADD, 1, 1, NO, I(0x80), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "or BYTE PTR [r8],0x1", B(0x41, 0x80, 0x08, 0x01), INSN_OR, 1, 1, NO, I(0x1), A64, NO, R8, NO, 1, 0x0, MR|MW },
	{ L64, "and BYTE PTR [rbx],0xf", B(0x80, 0x23, 0x0f), INSN_AND, 1, 1, NO, I(0xf), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "sub BYTE PTR [rbx],0x10", B(0x80, 0x2b, 0x10), INSN_SUB, 1, 1, NO, I(0x10), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "xor BYTE PTR [rbx],0xaa", B(0x80, 0x33, 0xaa), INSN_XOR, 1, 1, NO, I(0xaa), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "cmp BYTE PTR [rip+0x20],0x55", B(0x80, 0x3d, 0x20, 0x00, 0x00, 0x00, 0x55), INSN_CMP, 1, 1, NO, I(0x55), A64, NO, RIP, NO, 1, 0x20, MR },
	{ L64, "add QWORD PTR [rbx],0x12345678", B(0x48, 0x81, 0x03, 0x78, 0x56, 0x34, 0x12), INSN_ADD, 8, 8, NO, I(0x12345678), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "add QWORD PTR [rbx],0xffffffffedcba988", B(0x48, 0x81, 0x03, 0x88, 0xa9, 0xcb, 0xed), INSN_ADD, 8, 8, NO, I(0xffffffffedcba988), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "or DWORD PTR [rbx],0x80000000", B(0x81, 0x0b, 0x00, 0x00, 0x00, 0x80), INSN_OR, 4, 4, NO, I(0x80000000), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "and QWORD PTR [rbx],0xfffffffffffff000", B(0x48, 0x81, 0x23, 0x00, 0xf0, 0xff, 0xff), INSN_AND, 8, 8, NO, I(0xfffffffffffff000), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "sub WORD PTR [rbx],0x1234", B(0x66, 0x81, 0x2b, 0x34, 0x12), INSN_SUB, 2, 2, NO, I(0x1234), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "xor DWORD PTR [rbx],0xffffffff", B(0x83, 0x33, 0xff), INSN_XOR, 4, 4, NO, I(0xffffffff), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "cmp QWORD PTR [rbx],0x7fffffff", B(0x48, 0x81, 0x3b, 0xff, 0xff, 0xff, 0x7f), INSN_CMP, 8, 8, NO, I(0x7fffffff), A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "add QWORD PTR [rbx],0x1", B(0x48, 0x83, 0x03, 0x01), INSN_ADD, 8, 8, NO, I(0x1), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "or QWORD PTR [rbx],0xffffffffffffffff", B(0x48, 0x83, 0x0b, 0xff), INSN_OR, 8, 8, NO, I(0xffffffffffffffff), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "and DWORD PTR [rbx],0xfffffff0", B(0x83, 0x23, 0xf0), INSN_AND, 4, 4, NO, I(0xfffffff0), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "sub WORD PTR [rbx],0xffff", B(0x66, 0x83, 0x2b, 0xff), INSN_SUB, 2, 2, NO, I(0xffff), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "xor QWORD PTR [rbx],0x7f", B(0x48, 0x83, 0x33, 0x7f), INSN_XOR, 8, 8, NO, I(0x7f), A64, NO, RBX, NO, 1, 0x0, MR|MW },
	{ L64, "cmp DWORD PTR [rbx],0xffffff80", B(0x83, 0x3b, 0x80), INSN_CMP, 4, 4, NO, I(0xffffff80), A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "test BYTE PTR [rbx],0x80", B(0xf6, 0x03, 0x80), INSN_TEST, 1, 1, NO, I(0x80), A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "test DWORD PTR [rbx],0x80000000", B(0xf7, 0x03, 0x00, 0x00, 0x00, 0x80), INSN_TEST, 4, 4, NO, I(0x80000000), A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "test QWORD PTR [rbx],0xfffffffffffffffe", B(0x48, 0xf7, 0x03, 0xfe, 0xff, 0xff, 0xff), INSN_TEST, 8, 8, NO, I(0xfffffffffffffffe), A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "test WORD PTR [rbx],0x8000", B(0x66, 0xf7, 0x03, 0x00, 0x80), INSN_TEST, 2, 2, NO, I(0x8000), A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "lock add QWORD PTR [rbx],rax", B(0xf0, 0x48, 0x01, 0x03), INSN_ADD, 8, 8, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ L64, "lock or QWORD PTR [rbx],0x80", B(0xf0, 0x48, 0x81, 0x0b, 0x80, 0x00, 0x00, 0x00), INSN_OR, 8, 8, NO, I(0x80), A64, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ L64, "lock and DWORD PTR [r12],0x7fffffff", B(0xf0, 0x41, 0x81, 0x24, 0x24, 0xff, 0xff, 0xff, 0x7f), INSN_AND, 4, 4, NO, I(0x7fffffff), A64, NO, R12, NO, 1, 0x0, LOCK|MR|MW },
	{ L64, "lock sub BYTE PTR [rbx],0x1", B(0xf0, 0x80, 0x2b, 0x01), INSN_SUB, 1, 1, NO, I(0x1), A64, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ L64, "lock xor QWORD PTR [rip+0x10],r8", B(0xf0, 0x4c, 0x31, 0x05, 0x10, 0x00, 0x00, 0x00), INSN_XOR, 8, 8, R8, NOI, A64, NO, RIP, NO, 1, 0x10, LOCK|MR|MW },
	{ L64, "lock xchg QWORD PTR [rbx],r8", B(0xf0, 0x4c, 0x87, 0x03), INSN_XCHG, 8, 8, R8, NOI, A64, NO, RBX, NO, 1, 0x0, LOCK|MR|MW|RW },
	{ L64, "data16 lock add QWORD PTR [rbx],rax", B(0x66, 0xf0, 0x48, 0x01, 0x03), INSN_ADD, 8, 8, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	{ L64, "lock add WORD PTR [rbx],ax", B(0xf0, 0x66, 0x01, 0x03), INSN_ADD, 2, 2, RAX, NOI, A64, NO, RBX, NO, 1, 0x0, LOCK|MR|MW },
	/* BT 64-bit */
	{ L64, "bt DWORD PTR [rbx],0x5", B(0x0f, 0xba, 0x23, 0x05), INSN_BT, 4, 4, NO, I(0x5), A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "bt QWORD PTR [rbx],0x3f", B(0x48, 0x0f, 0xba, 0x23, 0x3f), INSN_BT, 8, 8, NO, I(0x3f), A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "bt WORD PTR [rbx],0x80", B(0x66, 0x0f, 0xba, 0x23, 0x80), INSN_BT, 2, 2, NO, I(0x80), A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "bt QWORD PTR [rbx],rcx", B(0x48, 0x0f, 0xa3, 0x0b), INSN_BT, 8, 8, RCX, NOI, A64, NO, RBX, NO, 1, 0x0, MR },
	{ L64, "bt DWORD PTR [r9],r10d", B(0x45, 0x0f, 0xa3, 0x11), INSN_BT, 4, 4, R10, NOI, A64, NO, R9, NO, 1, 0x0, MR },
	{ L64, "bt WORD PTR [rbx],cx", B(0x66, 0x0f, 0xa3, 0x0b), INSN_BT, 2, 2, RCX, NOI, A64, NO, RBX, NO, 1, 0x0, MR },
};
/* clang-format on */

static const char *mode_name(enum cpu_mode m)
{
	static const char *const names[] = {"real16", "prot16", "prot32", "long64"};

	return (unsigned int)m < N(names) ? names[m] : "?";
}

static void check_row(const struct row *r, enum cpu_mode mode, const struct insn *in)
{
	EXPECT_STREQ(insn_kind_name(in->kind), insn_kind_name(r->kind));
	EXPECT_EQ(in->len, r->n);
	EXPECT_EQ(in->size, r->size);
	EXPECT_EQ(in->reg_size, r->reg_size);
	EXPECT_EQ(in->reg, r->reg);
	EXPECT_EQ(in->reg_high8, !!(r->flags & HI8));
	EXPECT_EQ(in->has_imm, r->has_imm);
	EXPECT_EQ(in->imm, r->imm);
	EXPECT_EQ(in->addr_size, r->addr_size);
	EXPECT_EQ(in->rep, !!(r->flags & REP));
	EXPECT_EQ(in->repne, !!(r->flags & REPNE));
	EXPECT_EQ(in->lock, !!(r->flags & LOCK));
	EXPECT_EQ(in->seg, r->seg);
	EXPECT_EQ(in->mem_is_moffs, !!(r->flags & MOFFS));
	EXPECT_EQ(in->base, r->base);
	EXPECT_EQ(in->index, r->index);
	EXPECT_EQ(in->scale, r->scale);
	EXPECT_EQ(in->disp, r->disp);
	EXPECT_EQ(in->dst_reg, !!(r->flags & DST_REG));
	EXPECT_EQ(in->mem_read, !!(r->flags & MR));
	EXPECT_EQ(in->mem_write, !!(r->flags & MW));
	EXPECT_EQ(in->reg_write, !!(r->flags & RW));
	(void)mode;
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

/* Every row decodes to its expected fields; real-mode rows decode the same
 * in 16-bit protected mode. */
TEST(decode, table)
{
	size_t i;

	for (i = 0; i < N(rows); i++) {
		const struct row *r = &rows[i];
		struct insn in;

		test_context("row %zu, %s: %s", i, mode_name(r->mode), r->text);
		EXPECT_EQ(decode_insn(r->bytes, r->n, r->mode, &in), 0);
		check_row(r, r->mode, &in);
		if (r->mode == R16) {
			EXPECT_EQ(decode_insn(r->bytes, r->n, P16, &in), 0);
			check_row(r, P16, &in);
		}
	}
}

/* Bytes after the instruction change nothing; every truncation is -EINVAL. */
TEST(decode, table_trailing_and_truncated)
{
	size_t i, k, fill;

	for (i = 0; i < N(rows); i++) {
		const struct row *r = &rows[i];
		uint8_t buf[2 * INSN_MAX_LEN];
		struct insn ref, in;

		test_context("row %zu, %s: %s", i, mode_name(r->mode), r->text);
		EXPECT_EQ(decode_insn(r->bytes, r->n, r->mode, &ref), 0);
		for (fill = 0; fill < 3; fill++) {
			static const uint8_t fills[] = {0x00, 0x66, 0xff};

			memset(buf, fills[fill], sizeof(buf));
			memcpy(buf, r->bytes, r->n);
			EXPECT_EQ(decode_insn(buf, sizeof(buf), r->mode, &in), 0);
			EXPECT_TRUE(same_insn(&in, &ref));
		}
		for (k = 0; k < r->n; k++)
			EXPECT_EQ(decode_insn(r->bytes, k, r->mode, &in), -EINVAL);
	}
}

struct refusal {
	enum cpu_mode mode;
	const char *what; /* objdump -M intel of the bytes, or why they are refused */
	uint8_t bytes[2 * INSN_MAX_LEN];
	size_t n;
	int err;
};

/* clang-format off */
static const struct refusal refusals[] = {
	/* register operands: no memory access (mod=11) */
	{ R16, "mov ax,ax", B(0x8b, 0xc0), -ENOSYS },
	{ P32, "mov eax,eax", B(0x8b, 0xc0), -ENOSYS },
	{ L64, "mov rax,r8", B(0x49, 0x8b, 0xc0), -ENOSYS },
	{ L64, "mov al,ah", B(0x88, 0xe0), -ENOSYS },
	{ P32, "add eax,ebx", B(0x01, 0xd8), -ENOSYS },
	{ P32, "add ebx,eax", B(0x03, 0xd8), -ENOSYS },
	{ L64, "add al,0x5", B(0x80, 0xc0, 0x05), -ENOSYS },
	{ L64, "add eax,0x12345678", B(0x81, 0xc0, 0x78, 0x56, 0x34, 0x12), -ENOSYS },
	{ L64, "add eax,0x1", B(0x83, 0xc0, 0x01), -ENOSYS },
	{ P32, "mov al,0x5", B(0xc6, 0xc0, 0x05), -ENOSYS },
	{ L64, "mov rax,0x1", B(0x48, 0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00), -ENOSYS },
	{ L64, "xabort 0x1", B(0xc6, 0xf8, 0x01), -ENOSYS },
	{ L64, "test al,0x1", B(0xf6, 0xc0, 0x01), -ENOSYS },
	{ L64, "test eax,eax", B(0x85, 0xc0), -ENOSYS },
	{ L64, "xchg al,al", B(0x86, 0xc0), -ENOSYS },
	{ L64, "xchg r8,rax", B(0x49, 0x87, 0xc0), -ENOSYS },
	{ L64, "movzx eax,al", B(0x0f, 0xb6, 0xc0), -ENOSYS },
	{ L64, "movsx eax,ax", B(0x0f, 0xbf, 0xc0), -ENOSYS },
	{ L64, "movsxd rax,eax", B(0x48, 0x63, 0xc0), -ENOSYS },
	{ L64, "bt eax,eax", B(0x0f, 0xa3, 0xc0), -ENOSYS },
	{ L64, "bt eax,0x5", B(0x0f, 0xba, 0xe0, 0x05), -ENOSYS },
	{ R16, "cmp al,bl", B(0x38, 0xd8), -ENOSYS },
	{ R16, "lock add ax,ax (register form is refused before LOCK)", B(0xf0, 0x01, 0xc0), -ENOSYS },
	/* opcodes outside the list */
	{ L64, "ud2", B(0x0f, 0x0b), -ENOSYS },
	{ L64, "cpuid", B(0x0f, 0xa2), -ENOSYS },
	{ L64, "vmcall", B(0x0f, 0x01, 0xc1), -ENOSYS },
	{ P32, "vmcall", B(0x0f, 0x01, 0xc1), -ENOSYS },
	{ L64, "hlt", B(0xf4), -ENOSYS },
	{ L64, "nop", B(0x90), -ENOSYS },
	{ L64, "inc DWORD PTR [rax]", B(0xff, 0x00), -ENOSYS },
	{ L64, "push QWORD PTR [rax]", B(0xff, 0x30), -ENOSYS },
	{ L64, "pop QWORD PTR [rax]", B(0x8f, 0x00), -ENOSYS },
	{ L64, "inc BYTE PTR [rax]", B(0xfe, 0x00), -ENOSYS },
	{ L64, "adc BYTE PTR [rax],0x5", B(0x80, 0x10, 0x05), -ENOSYS },
	{ L64, "sbb DWORD PTR [rax],0x1", B(0x83, 0x18, 0x01), -ENOSYS },
	{ L64, "adc DWORD PTR [rax],eax", B(0x11, 0x00), -ENOSYS },
	{ L64, "sbb eax,DWORD PTR [rax]", B(0x1b, 0x00), -ENOSYS },
	{ L64, "not DWORD PTR [rax]", B(0xf7, 0x10), -ENOSYS },
	{ L64, "neg BYTE PTR [rax]", B(0xf6, 0x18), -ENOSYS },
	{ L64, "mul DWORD PTR [rax]", B(0xf7, 0x20), -ENOSYS },
	{ L64, "test DWORD PTR [rax],0x1 (F7 /1, undocumented alias)", B(0xf7, 0x08, 0x01, 0x00, 0x00, 0x00), -ENOSYS },
	{ L64, "bts DWORD PTR [rax],0x5", B(0x0f, 0xba, 0x28, 0x05), -ENOSYS },
	{ L64, "btr DWORD PTR [rax],0x5", B(0x0f, 0xba, 0x30, 0x05), -ENOSYS },
	{ L64, "btc DWORD PTR [rax],0x5", B(0x0f, 0xba, 0x38, 0x05), -ENOSYS },
	{ L64, "bts DWORD PTR [rax],eax", B(0x0f, 0xab, 0x00), -ENOSYS },
	{ L64, "cmpxchg DWORD PTR [rax],ecx", B(0x0f, 0xb1, 0x08), -ENOSYS },
	{ L64, "xadd DWORD PTR [rax],ecx", B(0x0f, 0xc1, 0x08), -ENOSYS },
	{ L64, "cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]", B(0xa6), -ENOSYS },
	{ L64, "scas eax,DWORD PTR es:[rdi]", B(0xaf), -ENOSYS },
	{ P32, "ins BYTE PTR es:[edi],dx", B(0x6c), -ENOSYS },
	{ P32, "outs dx,DWORD PTR ds:[esi]", B(0x6f), -ENOSYS },
	{ L64, "movups xmm0,XMMWORD PTR [rax]", B(0x0f, 0x10, 0x00), -ENOSYS },
	{ L64, "vmovdqu ymm0,YMMWORD PTR [rax]", B(0xc5, 0xfe, 0x6f, 0x00), -ENOSYS },
	{ P32, "les eax,FWORD PTR [eax]", B(0xc4, 0x00), -ENOSYS },
	{ L64, "movnti DWORD PTR [rax],eax", B(0x0f, 0xc3, 0x00), -ENOSYS },
	{ L64, "mov rax,cr0", B(0x0f, 0x20, 0xc0), -ENOSYS },
	{ L64, "lea eax,[rax]", B(0x8d, 0x00), -ENOSYS },
	{ L64, "mov WORD PTR [rax],es", B(0x8c, 0x00), -ENOSYS },
	{ P32, "arpl WORD PTR [eax],ax", B(0x63, 0x00), -ENOSYS },
	{ R16, "arpl WORD PTR [bx+si],ax", B(0x63, 0x00), -ENOSYS },
	{ L64, "movsxd ax,DWORD PTR [rax] (16-bit MOVSXD: vendors disagree on the source size)", B(0x66, 0x63, 0x00), -ENOSYS },
	/* 40-4F outside 64-bit mode are INC/DEC, not REX */
	{ P32, "inc eax", B(0x40, 0x8b, 0x00), -ENOSYS },
	{ P32, "dec eax", B(0x48, 0x8b, 0x00), -ENOSYS },
	{ R16, "inc cx", B(0x41, 0x8b, 0x00), -ENOSYS },
	/* #UD encodings */
	{ L64, "82 /0 is invalid in 64-bit mode", B(0x82, 0x00, 0x05), -EINVAL },
	{ L64, "C6 /1 with a memory operand", B(0xc6, 0x08, 0x05), -EINVAL },
	{ L64, "C7 /7 with a memory operand", B(0xc7, 0x38, 0x05, 0x00, 0x00, 0x00), -EINVAL },
	{ L64, "0F BA /0", B(0x0f, 0xba, 0x00, 0x05), -EINVAL },
	{ L64, "0F BA /3", B(0x0f, 0xba, 0x18, 0x05), -EINVAL },
	/* LOCK on a form that does not write memory or is not lockable */
	{ L64, "lock mov eax,DWORD PTR [rax]", B(0xf0, 0x8b, 0x00), -EINVAL },
	{ L64, "lock mov DWORD PTR [rax],eax", B(0xf0, 0x89, 0x00), -EINVAL },
	{ L64, "lock mov DWORD PTR [rax],0x1", B(0xf0, 0xc7, 0x00, 0x01, 0x00, 0x00, 0x00), -EINVAL },
	{ L64, "lock cmp DWORD PTR [rax],eax", B(0xf0, 0x39, 0x00), -EINVAL },
	{ L64, "lock cmp DWORD PTR [rax],0x1", B(0xf0, 0x83, 0x38, 0x01), -EINVAL },
	{ L64, "lock add eax,DWORD PTR [rax]", B(0xf0, 0x03, 0x00), -EINVAL },
	{ L64, "lock test DWORD PTR [rax],eax", B(0xf0, 0x85, 0x00), -EINVAL },
	{ L64, "lock bt DWORD PTR [rax],eax", B(0xf0, 0x0f, 0xa3, 0x00), -EINVAL },
	{ L64, "lock movzx eax,BYTE PTR [rax]", B(0xf0, 0x0f, 0xb6, 0x00), -EINVAL },
	{ L64, "lock movs", B(0xf0, 0xa5), -EINVAL },
	{ L64, "lock stos", B(0xf0, 0xab), -EINVAL },
	{ R16, "lock lods", B(0xf0, 0xac), -EINVAL },
	/* nothing, or only prefixes */
	{ L64, "empty", B(0x90), -EINVAL }, /* n is set to 0 in the test */
	{ L64, "66 alone", B(0x66), -EINVAL },
	{ L64, "REX alone", B(0x48), -EINVAL },
	{ L64, "0F alone", B(0x0f), -EINVAL },
	{ L64, "prefixes then 0F", B(0xf3, 0x48, 0x0f), -EINVAL },
	/* more than 15 bytes */
	{ L64, "14 prefixes + mov eax,[rax]: 16 bytes",
	  B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x8b, 0x00), -EINVAL },
	{ P32, "16 prefixes",
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x8b, 0x00),
	  -EINVAL },
	{ L64, "15 REX prefixes", B(0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x48, 0x8b, 0x00), -EINVAL },
	{ L64, "4 prefixes + REX + an 11-byte mov: 16 bytes",
	  B(0x66, 0x66, 0x66, 0x64, 0x48, 0xc7, 0x84, 0x18, 0x78, 0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12), -EINVAL },
};
/* clang-format on */

TEST(decode, refusals)
{
	size_t i;

	for (i = 0; i < N(refusals); i++) {
		const struct refusal *r = &refusals[i];
		size_t n = strcmp(r->what, "empty") ? r->n : 0;
		struct insn in;

		test_context("refusal %zu, %s: %s", i, mode_name(r->mode), r->what);
		EXPECT_EQ(decode_insn(r->bytes, n, r->mode, &in), r->err);
	}
}

TEST(decode, bad_arguments)
{
	static const uint8_t mov[] = {0x8b, 0x00};
	struct insn in;

	EXPECT_EQ(decode_insn(NULL, 0, L64, &in), -EINVAL);
	EXPECT_EQ(decode_insn(NULL, 15, L64, &in), -EINVAL);
	EXPECT_EQ(decode_insn(mov, sizeof(mov), L64, NULL), -EINVAL);
	EXPECT_EQ(decode_insn(mov, sizeof(mov), (enum cpu_mode)4, &in), -EINVAL);
	EXPECT_EQ(decode_insn(mov, sizeof(mov), (enum cpu_mode) - 1, &in), -EINVAL);
}

/* The longest legal instruction: 15 bytes, whatever follows. */
TEST(decode, fifteen_bytes)
{
	static const uint8_t prefixed[] = {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
					   0x66, 0x66, 0x66, 0x66, 0x66, 0x8b, 0x00, 0x90};
	/* data16 fs mov QWORD PTR [rax+rbx*1+0x12345678],0x12345678 */
	static const uint8_t big[] = {0x66, 0x64, 0x48, 0xc7, 0x84, 0x18, 0x78,
				      0x56, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12};
	uint8_t buf[16];
	struct insn in;

	EXPECT_EQ(decode_insn(prefixed, sizeof(prefixed), P32, &in), 0);
	EXPECT_EQ(in.len, 15);
	EXPECT_EQ(in.size, 2); /* a repeated 66 still means 16 bits, it does not toggle back */
	EXPECT_EQ(decode_insn(prefixed, 14, P32, &in), -EINVAL);

	EXPECT_EQ(decode_insn(big, sizeof(big), L64, &in), 0);
	EXPECT_EQ(in.len, 14);
	EXPECT_EQ(in.size, 8);
	EXPECT_EQ(in.imm, 0x12345678);
	EXPECT_EQ(in.seg, FS);
	buf[0] = 0x26; /* ignored in 64-bit mode, but it counts towards 15 */
	memcpy(buf + 1, big, sizeof(big));
	EXPECT_EQ(decode_insn(buf, 15, L64, &in), 0);
	EXPECT_EQ(in.len, 15);
	EXPECT_EQ(in.seg, FS);
}

/* AH/CH/DH/BH: reg keeps 4-7, the helpers name the GPR and the shift. */
TEST(decode, high8_helpers)
{
	static const uint8_t mov_bh[] = {0x8a, 0x3b};	     /* mov bh,[rbx] */
	static const uint8_t mov_dil[] = {0x40, 0x8a, 0x3b}; /* mov dil,[rbx] */
	static const uint8_t mov_edi[] = {0x8b, 0x3b};	     /* mov edi,[rbx] */
	struct insn in;

	EXPECT_EQ(decode_insn(mov_bh, sizeof(mov_bh), L64, &in), 0);
	EXPECT_EQ(in.reg, 7);
	EXPECT_TRUE(in.reg_high8);
	EXPECT_EQ(insn_reg_gpr(&in), RBX);
	EXPECT_EQ(insn_reg_shift(&in), 8);
	EXPECT_EQ(decode_insn(mov_dil, sizeof(mov_dil), L64, &in), 0);
	EXPECT_EQ(insn_reg_gpr(&in), RDI);
	EXPECT_EQ(insn_reg_shift(&in), 0);
	EXPECT_EQ(decode_insn(mov_edi, sizeof(mov_edi), L64, &in), 0);
	EXPECT_FALSE(in.reg_high8);
	EXPECT_EQ(insn_reg_gpr(&in), RDI);
}

TEST(decode, kind_names)
{
	enum insn_kind k, j;

	for (k = INSN_MOV_LOAD; k <= INSN_BT; k++) {
		EXPECT_STRCONTAINS("mov_load mov_store mov_store_imm movzx movsx movs stos lods and or xor "
				   "add sub cmp test xchg bt",
				   insn_kind_name(k));
		for (j = INSN_MOV_LOAD; j < k; j++)
			EXPECT_MSG(strcmp(insn_kind_name(j), insn_kind_name(k)), "%d and %d", j, k);
	}
	EXPECT_STREQ(insn_kind_name((enum insn_kind)99), "unknown");
}

/* Effective addresses: SIB, RIP/EIP-relative, 16- and 32-bit wrap-around. */
TEST(decode, effective_addr)
{
	static const struct {
		enum cpu_mode mode;
		const char *text;
		uint8_t bytes[INSN_MAX_LEN];
		size_t n;
		uint64_t rip_next_base; /* rip_next = this + len */
		uint64_t ea;
	} cases[] = {
	    {L64, "mov eax,DWORD PTR [rbx+rcx*4+0x10]", B(0x8b, 0x44, 0x8b, 0x10), 0, 0x1000 + 3 * 4 + 0x10},
	    {L64, "mov rax,QWORD PTR [r11+r10*8+0x12345678]",
	     B(0x4b, 0x8b, 0x84, 0xd3, 0x78, 0x56, 0x34, 0x12), 0,
	     0xb0b0b0b000000000ULL + 0xa0a0a0a0a0a0a0a0ULL * 8 + 0x12345678},
	    {L64, "mov eax,DWORD PTR [r13*8+0x100]", B(0x42, 0x8b, 0x04, 0xed, 0x00, 0x01, 0x00, 0x00), 0,
	     0xd0d0d0d0d0d0d0d0ULL * 8 + 0x100},
	    {L64, "mov eax,DWORD PTR [rbx-0x8]", B(0x8b, 0x43, 0xf8), 0, 0x1000 - 8},
	    {L64, "mov eax,DWORD PTR [rip+0x10]", B(0x8b, 0x05, 0x10, 0x00, 0x00, 0x00),
	     0xffffffff80001000ULL, 0xffffffff80001000ULL + 6 + 0x10},
	    {L64, "mov rax,QWORD PTR [rip+0xfffffffffffff000]", B(0x48, 0x8b, 0x05, 0x00, 0xf0, 0xff, 0xff),
	     0x400000, 0x400000 + 7 - 0x1000},
	    {L64, "mov eax,DWORD PTR [eip+0x10] (wraps at 4 GiB)",
	     B(0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), 0xfffffff0,
	     (0xfffffff0ULL + 7 + 0x10) & 0xffffffff},
	    {L64, "mov eax,DWORD PTR [eax] (upper half of rax ignored)", B(0x67, 0x8b, 0x00), 0, 0x00000fff},
	    {L64, "mov eax,DWORD PTR ds:0xffffffff80000000", B(0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x80), 0,
	     0xffffffff80000000ULL},
	    {L64, "movabs eax,ds:0x8000000000000000", B(0xa1, 0, 0, 0, 0, 0, 0, 0, 0x80), 0,
	     0x8000000000000000ULL},
	    {L64, "stos DWORD PTR es:[rdi],eax", B(0xab), 0, 0x7070707070707070ULL},
	    {L64, "movs (source rsi)", B(0xa5), 0, 0x6060606060606060ULL},
	    {L64, "lods eax,DWORD PTR ds:[esi]", B(0x67, 0xad), 0, 0x60606060},
	    {P32, "mov eax,DWORD PTR [esp+ecx*8-0x80] (wraps)", B(0x8b, 0x44, 0xcc, 0x80), 0,
	     (0x40ULL + 3 * 8 - 0x80) & 0xffffffff},
	    {P32, "mov eax,DWORD PTR [ebp*1+0x20]", B(0x8b, 0x04, 0x2d, 0x20, 0x00, 0x00, 0x00), 0,
	     0x50 + 0x20},
	    {P32, "mov eax,DWORD PTR ds:0x80000000", B(0x8b, 0x05, 0x00, 0x00, 0x00, 0x80), 0, 0x80000000},
	    {P32, "mov eax,ds:0xfee00000", B(0xa1, 0x00, 0x00, 0xe0, 0xfe), 0, 0xfee00000},
	    {R16, "mov ax,WORD PTR [bx+si+0x10] (wraps at 64 KiB)", B(0x8b, 0x40, 0x10), 0,
	     (0x1000 + 0x6060 + 0x10) & 0xffff},
	    {R16, "mov ax,WORD PTR [bp-0x2] (bp=0x50)", B(0x8b, 0x46, 0xfe), 0, 0x4e},
	    {R16, "mov ax,WORD PTR [bp+di-0x8000]", B(0x8b, 0x83, 0x00, 0x80), 0,
	     (0x50 + 0x7070 - 0x8000) & 0xffff},
	    {R16, "mov ax,WORD PTR ds:0x8000", B(0x8b, 0x06, 0x00, 0x80), 0, 0x8000},
	    {R16, "mov ax,WORD PTR [si+0xffff] = [si-1]", B(0x8b, 0x84, 0xff, 0xff), 0, 0x605f},
	    {R16, "mov eax,DWORD PTR [ebx+ecx*4] (67)", B(0x66, 0x67, 0x8b, 0x04, 0x8b), 0, 0x1000 + 3 * 4},
	    {R16, "mov ax,ds:0xfffe", B(0xa1, 0xfe, 0xff), 0, 0xfffe},
	};
	uint64_t regs[16];
	size_t i;

	for (i = 0; i < 16; i++)
		regs[i] = 0x1010101010101010ULL * i;
	regs[RAX] = 0xdeadbeef00000fffULL;
	regs[RCX] = 3;
	regs[RBX] = 0x1000;
	regs[RSP] = 0x40;
	regs[RBP] = 0x50;
	regs[R11] = 0xb0b0b0b000000000ULL;
	for (i = 0; i < N(cases); i++) {
		struct insn in;

		test_context("%s", cases[i].text);
		EXPECT_EQ(decode_insn(cases[i].bytes, cases[i].n, cases[i].mode, &in), 0);
		EXPECT_EQ(insn_effective_addr(&in, regs, cases[i].rip_next_base + in.len), cases[i].ea);
	}
}

TEST(decode, segment)
{
	static const struct {
		enum cpu_mode mode;
		const char *text;
		uint8_t bytes[INSN_MAX_LEN];
		size_t n;
		enum insn_seg seg;
	} cases[] = {
	    {R16, "mov ax,WORD PTR [bx+si]", B(0x8b, 0x00), DS},
	    {R16, "mov ax,WORD PTR [bp+si]", B(0x8b, 0x02), SS},
	    {R16, "mov ax,WORD PTR [bp+0x0]", B(0x8b, 0x46, 0x00), SS},
	    {R16, "mov ax,WORD PTR ds:0x1234", B(0x8b, 0x06, 0x34, 0x12), DS},
	    {R16, "mov ax,WORD PTR es:[bp+0x0]", B(0x26, 0x8b, 0x46, 0x00), ES},
	    {P32, "mov eax,DWORD PTR [esp+0x8]", B(0x8b, 0x44, 0x24, 0x08), SS},
	    {P32, "mov eax,DWORD PTR [ebp+ecx*2+0x0]", B(0x8b, 0x44, 0x4d, 0x00), SS},
	    {P32, "mov eax,DWORD PTR [ebp*1+0x20] (ebp as index)", B(0x8b, 0x04, 0x2d, 0x20, 0, 0, 0), DS},
	    {P32, "mov eax,DWORD PTR fs:[ebx]", B(0x64, 0x8b, 0x03), FS},
	    {P32, "mov eax,ds:0xfee00000", B(0xa1, 0x00, 0x00, 0xe0, 0xfe), DS},
	    {P32, "movs (source)", B(0xa5), DS},
	    {P32, "movs with gs", B(0x65, 0xa5), GS},
	    {P32, "stos", B(0xab), ES},
	    {P32, "fs stos (override ignored)", B(0x64, 0xab), ES},
	    {L64, "mov rax,QWORD PTR gs:0x28", B(0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0), GS},
	    {L64, "cs mov eax,DWORD PTR [rbx]", B(0x2e, 0x8b, 0x03), DS},
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		struct insn in;

		test_context("%s", cases[i].text);
		EXPECT_EQ(decode_insn(cases[i].bytes, cases[i].n, cases[i].mode, &in), 0);
		EXPECT_EQ(insn_segment(&in), cases[i].seg);
	}
}

/* Exhaustive: every ModRM byte after 8B, in every mode, with room for any
 * SIB/displacement: register forms refused, memory forms consistent. */
TEST(decode, every_modrm)
{
	enum cpu_mode mode;
	unsigned int m, rex;

	for (mode = CPU_MODE_REAL16; mode <= CPU_MODE_LONG64; mode++) {
		for (rex = 0; rex < (mode == L64 ? 16u : 1u); rex++) {
			for (m = 0; m < 256; m++) {
				uint8_t buf[INSN_MAX_LEN] = {0};
				size_t at = 0;
				struct insn in;
				int err;

				if (mode == L64)
					buf[at++] = (uint8_t)(0x40 | rex);
				buf[at++] = 0x8b;
				buf[at++] = (uint8_t)m;
				test_context("%s rex %x modrm %02x", mode_name(mode), rex, m);
				err = decode_insn(buf, sizeof(buf), mode, &in);
				if ((m >> 6) == 3) {
					EXPECT_EQ(err, -ENOSYS);
					continue;
				}
				EXPECT_EQ(err, 0);
				EXPECT_EQ(in.reg, ((m >> 3) & 7) | ((rex & 4) ? 8 : 0));
				EXPECT_LE(in.len, at + 1 + 4); /* SIB + disp32 at most */
				EXPECT_TRUE(in.scale == 1 || in.scale == 2 || in.scale == 4 || in.scale == 8);
				EXPECT_TRUE(in.base >= -2 && in.base < 16);
				EXPECT_TRUE(in.index >= -1 && in.index < 16);
				EXPECT_TRUE(in.index >= 0 || in.scale == 1);
				EXPECT_TRUE(in.base != RIP || mode == L64);
				EXPECT_EQ(decode_insn(buf, in.len - 1, mode, &in), -EINVAL);
			}
		}
	}
}
