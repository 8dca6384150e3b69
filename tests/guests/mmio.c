/* SPDX-License-Identifier: GPL-2.0-only */
/* mmio: every instruction form the VMM's MMIO decoder claims (docs/decoder.md,
 * vmm/vcpu/decode.h), executed against the test device's scratch window at
 * 0xfeb00000 (docs/guest-platform.md "The test device"): MOV load/store of
 * 1/2/4 bytes incl. AH-style registers, MOV of an immediate, MOVZX/MOVSX,
 * MOV with absolute moffs, REP MOVS/STOS RAM<->MMIO (also DF = 1 and
 * MMIO->MMIO), LODS, AND/OR/XOR/ADD/SUB/CMP/TEST with a memory operand
 * (register and immediate forms), XCHG, BT (also a register bit offset that
 * reaches the next dword); base+index*scale+disp8/disp32,
 * index-only, negative displacements, 16-bit address size (0x67) and
 * operand size (0x66) prefixes. Values are checked, ALU results and flags
 * against the same instruction on RAM, and the access count / size / write
 * / offset registers at 0x100-0x110 after each form.
 * Not under coopvmm (plain QEMU) the window is a RAM page and only values
 * are checked, which validates the test itself. */
#include "rt/rt.h"

#include "rt/testdev.h"

#define ARITH_FLAGS (EFLAGS_CF | EFLAGS_PF | (1U << 4) | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF)
#define LOGIC_FLAGS (EFLAGS_CF | EFLAGS_PF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF) /* AF undefined */
#define JUNK_HI	    0xdead0000U /* upper halves that 16-bit addressing must keep */

static uint8_t ram_window[TESTDEV_MMIO_SIZE] __attribute__((aligned(4096)));
static uint8_t ram_ref[TESTDEV_SCRATCH_SIZE] __attribute__((aligned(16)));
static uint8_t ram_buf[64] __attribute__((aligned(16)));
static bool device;	  /* the real test device (else ram_window) */
static uint32_t W;	  /* scratch window base */
static uint32_t alu_base; /* W or ram_ref: where the ALU cases operate */

/* Inputs and outputs of the cases (globals, so a case can run repeatedly). */
static uint32_t in_eax, in_ecx, in_esi, in_edi;
static uint32_t out_eax, out_ecx, out_esi, out_edi, out_flags;

static uint8_t pat(uint32_t off)
{
	return (uint8_t)(0x83 + off * 37);
}

static uint32_t pat_n(uint32_t off, int size)
{
	uint32_t v = 0;
	for (int i = 0; i < size; i++)
		v |= (uint32_t)pat(off + i) << (8 * i);
	return v;
}

/* Write the pattern to [off, off + len) of the window (aligned dwords). */
static void win_fill(uint32_t off, uint32_t len)
{
	for (uint32_t o = off & ~3U; o < off + len; o += 4)
		mmio_write32(W + o, pat_n(o, 4));
}

static uint32_t win_read(uint32_t off, int size)
{
	return size == 1 ? mmio_read8(W + off) : size == 2 ? mmio_read16(W + off) : mmio_read32(W + off);
}

static uint32_t reg_read(uint32_t reg)
{
	return mmio_read32(TESTDEV_MMIO_BASE + reg);
}

/* The count (0x100) and offset (0x110) registers are 8 bytes wide; this
 * 32-bit guest reads their low halves with 4-byte loads (it has no decodable
 * 8-byte load). A device that refuses that answers all ones: then those two
 * checks are skipped, loudly, and the size and write registers still run. */
static bool wide_regs_readable;

static void probe_wide_regs(void)
{
	uint32_t a = reg_read(TESTDEV_ACCESS_COUNT), b = reg_read(TESTDEV_ACCESS_COUNT);
	wide_regs_readable = !(a == 0xffffffff && b == 0xffffffff);
	if (!wide_regs_readable)
		skip("access count and offset checks: 4-byte reads of the 8-byte registers "
		     "0x100/0x110 return all ones (a 32-bit guest has no decodable 8-byte MMIO load)");
}

/* Run fill + fn, and with the device check what the access registers say
 * about fn: `accesses` accesses, the last of `size` bytes, write or not, at
 * `offset`. fill + fn run once per register read, so "the previous access"
 * is fn's last one whichever way the device counts its own registers. */
static void measure(const char *name, uint32_t fill_off, uint32_t fill_len, void (*fn)(void),
		    uint32_t accesses, uint32_t size, uint32_t write, uint32_t offset)
{
	if (!device) {
		win_fill(fill_off, fill_len);
		fn();
		printf("  %-44s ok\n", name);
		return;
	}
	win_fill(fill_off, fill_len);
	uint32_t c0 = reg_read(TESTDEV_ACCESS_COUNT);
	fn();
	uint32_t c1 = reg_read(TESTDEV_ACCESS_COUNT);
	win_fill(fill_off, fill_len);
	fn();
	uint32_t got_size = reg_read(TESTDEV_LAST_SIZE);
	win_fill(fill_off, fill_len);
	fn();
	uint32_t got_write = reg_read(TESTDEV_LAST_WRITE);
	win_fill(fill_off, fill_len);
	fn();
	uint32_t got_offset = reg_read(TESTDEV_LAST_OFFSET);
	printf("  %-44s accesses %u, last: size %u write %u offset %#x\n", name, c1 - c0 - 1, got_size,
	       got_write, got_offset);
	if (wide_regs_readable) {
		EXPECT_EQ(c1 - c0 - 1, accesses);
		EXPECT_EQ(got_offset, offset);
	}
	EXPECT_EQ(got_size, size);
	EXPECT_EQ(got_write, write);
}

/* ---- MOV loads and stores ---- */

static void ld8(void)
{
	uint32_t a = 0xffffff00;
	__asm__ volatile("movb 0x10(%1), %%al" : "+a"(a) : "r"(W) : "memory");
	out_eax = a;
}
static void ld8_high(void)
{
	uint32_t d = 0x11223344;
	__asm__ volatile("movb 0x11(%1), %%dh" : "+d"(d) : "r"(W) : "memory");
	out_eax = d;
}
static void ld16(void)
{
	uint32_t s = 0xabcd0000;
	__asm__ volatile("movw 0x12(%1), %%si" : "+S"(s) : "r"(W) : "memory");
	out_eax = s;
}
static void ld32(void)
{
	uint32_t d;
	__asm__ volatile("movl 0x14(%1), %0" : "=D"(d) : "b"(W) : "memory");
	out_eax = d;
}
static void st8(void)
{
	__asm__ volatile("movb %%cl, 0x20(%0)" : : "r"(W), "c"(0x5a) : "memory");
}
static void st8_high(void)
{
	__asm__ volatile("movb %%bh, 0x21(%0)" : : "r"(W), "b"(0xc300) : "memory");
}
static void st16(void)
{
	__asm__ volatile("movw %%dx, 0x22(%0)" : : "r"(W), "d"(0xbeef) : "memory");
}
static void st32(void)
{
	__asm__ volatile("movl %%esi, 0x24(%0)" : : "r"(W), "S"(0xcafef00d) : "memory");
}
static void sti8(void)
{
	__asm__ volatile("movb $0xa5, 0x28(%0)" : : "r"(W) : "memory");
}
static void sti16(void)
{
	__asm__ volatile("movw $0x8421, 0x2a(%0)" : : "r"(W) : "memory");
}
static void sti32(void)
{
	__asm__ volatile("movl $0x76543210, 0x2c(%0)" : : "r"(W) : "memory");
}

static void check_mov(void)
{
	printf("MOV:\n");
	measure("mov al, [m8] (8A)", 0x10, 4, ld8, 1, 1, 0, 0x10);
	EXPECT_EQ(out_eax, 0xffffff00 | pat(0x10));
	measure("mov dh, [m8] (8A, high byte register)", 0x10, 4, ld8_high, 1, 1, 0, 0x11);
	EXPECT_EQ(out_eax, 0x11220044 | (uint32_t)pat(0x11) << 8);
	measure("mov si, [m16] (66 8B)", 0x10, 4, ld16, 1, 2, 0, 0x12);
	EXPECT_EQ(out_eax, 0xabcd0000 | pat_n(0x12, 2));
	measure("mov edi, [m32] (8B)", 0x14, 4, ld32, 1, 4, 0, 0x14);
	EXPECT_EQ(out_eax, pat_n(0x14, 4));

	measure("mov [m8], cl (88)", 0x20, 4, st8, 1, 1, 1, 0x20);
	EXPECT_EQ(win_read(0x20, 4), (pat_n(0x20, 4) & ~0xffU) | 0x5a);
	measure("mov [m8], bh (88, high byte register)", 0x20, 4, st8_high, 1, 1, 1, 0x21);
	EXPECT_EQ(win_read(0x20, 4), (pat_n(0x20, 4) & ~0xff00U) | 0xc300);
	measure("mov [m16], dx (66 89)", 0x20, 4, st16, 1, 2, 1, 0x22);
	EXPECT_EQ(win_read(0x20, 4), (pat_n(0x20, 4) & 0xffff) | 0xbeef0000);
	measure("mov [m32], esi (89)", 0x24, 4, st32, 1, 4, 1, 0x24);
	EXPECT_EQ(win_read(0x24, 4), 0xcafef00d);

	measure("mov byte [m8], imm8 (C6 /0)", 0x28, 4, sti8, 1, 1, 1, 0x28);
	EXPECT_EQ(win_read(0x28, 4), (pat_n(0x28, 4) & ~0xffU) | 0xa5);
	measure("mov word [m16], imm16 (66 C7 /0)", 0x28, 4, sti16, 1, 2, 1, 0x2a);
	EXPECT_EQ(win_read(0x28, 4), (pat_n(0x28, 4) & 0xffff) | 0x84210000);
	measure("mov dword [m32], imm32 (C7 /0)", 0x2c, 4, sti32, 1, 4, 1, 0x2c);
	EXPECT_EQ(win_read(0x2c, 4), 0x76543210);
}

/* ---- MOVZX / MOVSX: the pattern's byte at 0x31 (0x98) and the words at
 * 0x32 (0xe2bd) and 0x31 (0xbd98, unaligned) have their sign bits set ---- */

static void movzx8(void)
{
	uint32_t r;
	__asm__ volatile("movzbl 0x31(%1), %0" : "=r"(r) : "r"(W) : "memory");
	out_eax = r;
}
static void movzx16(void)
{
	uint32_t r;
	__asm__ volatile("movzwl 0x32(%1), %0" : "=r"(r) : "r"(W) : "memory");
	out_eax = r;
}
static void movsx8(void)
{
	uint32_t r;
	__asm__ volatile("movsbl 0x31(%1), %0" : "=r"(r) : "r"(W) : "memory");
	out_eax = r;
}
static void movsx16(void)
{
	uint32_t r;
	__asm__ volatile("movswl 0x31(%1), %0" : "=r"(r) : "r"(W) : "memory");
	out_eax = r;
}
static void movzx8_16(void)
{
	uint32_t r = 0x55aa0000;
	__asm__ volatile("movzbw 0x31(%1), %%cx" : "+c"(r) : "r"(W) : "memory");
	out_eax = r;
}

static uint32_t sext8(uint8_t v)
{
	return (uint32_t)(int32_t)(int8_t)v;
}
static uint32_t sext16(uint16_t v)
{
	return (uint32_t)(int32_t)(int16_t)v;
}

static void check_movx(void)
{
	printf("MOVZX / MOVSX (byte %#x at 0x31, words %#x at 0x32, %#x at 0x31):\n", pat(0x31),
	       pat_n(0x32, 2), pat_n(0x31, 2));
	EXPECT_TRUE(pat(0x31) & 0x80);
	EXPECT_TRUE(pat_n(0x32, 2) & 0x8000);
	EXPECT_TRUE(pat_n(0x31, 2) & 0x8000);
	measure("movzx r32, [m8] (0F B6)", 0x30, 8, movzx8, 1, 1, 0, 0x31);
	EXPECT_EQ(out_eax, pat(0x31));
	measure("movzx r32, [m16] (0F B7)", 0x30, 8, movzx16, 1, 2, 0, 0x32);
	EXPECT_EQ(out_eax, pat_n(0x32, 2));
	measure("movsx r32, [m8] (0F BE)", 0x30, 8, movsx8, 1, 1, 0, 0x31);
	EXPECT_EQ(out_eax, sext8(pat(0x31)));
	measure("movsx r32, [m16] (0F BF, unaligned)", 0x30, 8, movsx16, 1, 2, 0, 0x31);
	EXPECT_EQ(out_eax, sext16((uint16_t)pat_n(0x31, 2)));
	measure("movzx r16, [m8] (66 0F B6)", 0x30, 8, movzx8_16, 1, 1, 0, 0x31);
	EXPECT_EQ(out_eax, 0x55aa0000 | pat(0x31));
}

/* ---- addressing forms ---- */

static void sib_disp8(void)
{
	uint32_t r;
	__asm__ volatile("movl 0x10(%1,%2,4), %0" : "=r"(r) : "r"(W), "r"(2) : "memory"); /* 0x18 */
	out_eax = r;
}
static void sib_disp32(void)
{
	uint32_t r;
	__asm__ volatile("movl 0x80(%1,%2,2), %0" : "=r"(r) : "r"(W), "r"(0x10) : "memory"); /* 0xa0 */
	out_eax = r;
}
static void sib_nodisp(void)
{
	uint32_t r;
	__asm__ volatile("movl (%1,%2,8), %0" : "=r"(r) : "r"(W), "r"(5) : "memory"); /* 0x28 */
	out_eax = r;
}
static void neg_disp8(void)
{
	uint32_t r;
	__asm__ volatile("movl -8(%1), %0" : "=r"(r) : "r"(W + 0x48) : "memory"); /* 0x40 */
	out_eax = r;
}
static void neg_disp32(void)
{
	__asm__ volatile("movw %%cx, -0x200(%0)" : : "r"(W + 0x23c), "c"(0x7e57) : "memory"); /* 0x3c */
}

/* Absolute and index-only forms need the window's address in the
 * instruction: FS holds a segment based at the window instead. */
static void fs_window(uint16_t sel)
{
	gdt_set_data(sel, W, TESTDEV_MMIO_SIZE - 1);
}

#define WITH_FS(insn) "push %%fs\n\tmov %[sel], %%fs\n\t" insn "\n\tpop %%fs"

static void index_only(void)
{
	uint32_t r;
	__asm__ volatile(WITH_FS("movl %%fs:0x20(,%[i],4), %[r]")
			 : [r] "=r"(r)
			 : [i] "r"(6), [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory"); /* 0x38 */
	out_eax = r;
}
static void moffs_ld32(void)
{
	uint32_t r;
	__asm__ volatile(WITH_FS("movl %%fs:0x30, %%eax")
			 : "=a"(r)
			 : [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory");
	out_eax = r;
}
static void moffs_ld8(void)
{
	uint32_t r = 0x12345600;
	__asm__ volatile(WITH_FS("movb %%fs:0x31, %%al")
			 : "+a"(r)
			 : [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory");
	out_eax = r;
}
static void moffs_st32(void)
{
	__asm__ volatile(WITH_FS("movl %%eax, %%fs:0x34")
			 :
			 : "a"(0x0badcafe), [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory");
}
static void moffs_st16(void)
{
	__asm__ volatile(WITH_FS("movw %%ax, %%fs:0x38")
			 :
			 : "a"(0x1357), [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory");
}
static void moffs_st8(void)
{
	__asm__ volatile(WITH_FS("movb %%al, %%fs:0x3b")
			 :
			 : "a"(0xe1), [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory");
}

/* 0x67: 16-bit addressing ([bx+si], [di], disp16, moffs16). */
static void a16_bx_si(void)
{
	uint32_t r;
	__asm__ volatile(WITH_FS("addr16 movl %%fs:0x10(%%bx,%%si), %%eax")
			 : "=a"(r)
			 : "b"(JUNK_HI | 4), "S"(JUNK_HI | 8), [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory"); /* 0x1c */
	out_eax = r;
}
static void a16_di_store16(void)
{
	__asm__ volatile(WITH_FS("addr16 movw %%ax, %%fs:0x8(%%di)")
			 :
			 : "a"(0x2468), "D"(JUNK_HI | 0x16), [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory"); /* 0x1e */
}
static void a16_bx_imm8(void)
{
	__asm__ volatile(WITH_FS("addr16 movb $0x77, %%fs:(%%bx)")
			 :
			 : "b"(JUNK_HI | 0x19), [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory");
}
static void a16_moffs(void)
{
	uint32_t r;
	__asm__ volatile(WITH_FS("addr16 movl %%fs:0x24, %%eax")
			 : "=a"(r)
			 : [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory");
	out_eax = r;
}

static void check_addressing(void)
{
	printf("addressing forms:\n");
	fs_window(SEL_SPARE0);
	measure("mov r32, [base + index*4 + disp8]", 0x18, 4, sib_disp8, 1, 4, 0, 0x18);
	EXPECT_EQ(out_eax, pat_n(0x18, 4));
	measure("mov r32, [base + index*2 + disp32]", 0xa0, 4, sib_disp32, 1, 4, 0, 0xa0);
	EXPECT_EQ(out_eax, pat_n(0xa0, 4));
	measure("mov r32, [base + index*8]", 0x28, 4, sib_nodisp, 1, 4, 0, 0x28);
	EXPECT_EQ(out_eax, pat_n(0x28, 4));
	measure("mov r32, [base - 8]", 0x40, 4, neg_disp8, 1, 4, 0, 0x40);
	EXPECT_EQ(out_eax, pat_n(0x40, 4));
	measure("mov [base - 0x200], r16", 0x3c, 4, neg_disp32, 1, 2, 1, 0x3c);
	EXPECT_EQ(win_read(0x3c, 4), (pat_n(0x3c, 4) & 0xffff0000) | 0x7e57);
	measure("mov r32, fs:[index*4 + disp32]", 0x38, 4, index_only, 1, 4, 0, 0x38);
	EXPECT_EQ(out_eax, pat_n(0x38, 4));
	measure("mov eax, fs:[moffs32] (A1)", 0x30, 4, moffs_ld32, 1, 4, 0, 0x30);
	EXPECT_EQ(out_eax, pat_n(0x30, 4));
	measure("mov al, fs:[moffs32] (A0)", 0x30, 4, moffs_ld8, 1, 1, 0, 0x31);
	EXPECT_EQ(out_eax, 0x12345600 | pat(0x31));
	measure("mov fs:[moffs32], eax (A3)", 0x34, 4, moffs_st32, 1, 4, 1, 0x34);
	EXPECT_EQ(win_read(0x34, 4), 0x0badcafe);
	measure("mov fs:[moffs32], ax (66 A3)", 0x38, 4, moffs_st16, 1, 2, 1, 0x38);
	EXPECT_EQ(win_read(0x38, 4), (pat_n(0x38, 4) & 0xffff0000) | 0x1357);
	measure("mov fs:[moffs32], al (A2)", 0x38, 4, moffs_st8, 1, 1, 1, 0x3b);
	EXPECT_EQ(win_read(0x38, 4), (pat_n(0x38, 4) & 0x00ffffff) | 0xe1000000);
	measure("addr16 mov eax, fs:[bx + si + disp8]", 0x1c, 4, a16_bx_si, 1, 4, 0, 0x1c);
	EXPECT_EQ(out_eax, pat_n(0x1c, 4));
	measure("addr16 mov fs:[di + disp8], ax", 0x1c, 4, a16_di_store16, 1, 2, 1, 0x1e);
	EXPECT_EQ(win_read(0x1c, 4), (pat_n(0x1c, 4) & 0xffff) | 0x24680000);
	measure("addr16 mov byte fs:[bx], imm8", 0x18, 4, a16_bx_imm8, 1, 1, 1, 0x19);
	EXPECT_EQ(win_read(0x18, 4), (pat_n(0x18, 4) & 0xffff00ff) | 0x7700);
	measure("addr16 mov eax, fs:[moffs16] (67 A1)", 0x24, 4, a16_moffs, 1, 4, 0, 0x24);
	EXPECT_EQ(out_eax, pat_n(0x24, 4));
}

/* ---- string instructions ---- */

#define STR_OP(fname, prefix, insn)                                                                          \
	static void fname(void)                                                                              \
	{                                                                                                    \
		uint32_t a = in_eax, c = in_ecx, s = in_esi, d = in_edi;                                     \
		__asm__ volatile(prefix "\n\t" insn "\n\tcld"                                                \
				 : "+a"(a), "+c"(c), "+S"(s), "+D"(d)                                        \
				 :                                                                           \
				 : "memory");                                                                \
		out_eax = a, out_ecx = c, out_esi = s, out_edi = d;                                          \
	}
STR_OP(rep_movsb, "cld", "rep movsb")
STR_OP(rep_movsw, "cld", "rep movsw")
STR_OP(rep_movsl, "cld", "rep movsl")
STR_OP(rep_movsl_down, "std", "rep movsl")
STR_OP(movsl_once, "cld", "movsl")
STR_OP(rep_stosb, "cld", "rep stosb")
STR_OP(rep_stosw, "cld", "rep stosw")
STR_OP(rep_stosl, "cld", "rep stosl")
STR_OP(rep_stosw_down, "std", "rep stosw")
STR_OP(lodsb_once, "cld", "lodsb")
STR_OP(lodsw_once, "cld", "lodsw")
STR_OP(lodsl_once, "cld", "lodsl")

static void set_regs(uint32_t eax, uint32_t ecx, uint32_t esi, uint32_t edi)
{
	in_eax = eax, in_ecx = ecx, in_esi = esi, in_edi = edi;
}

static void expect_regs(uint32_t ecx, uint32_t esi, uint32_t edi)
{
	EXPECT_EQ(out_ecx, ecx);
	EXPECT_EQ(out_esi, esi);
	EXPECT_EQ(out_edi, edi);
}

static void ram_fill(uint8_t *p, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 13);
}

/* REP MOVS RAM -> MMIO: n elements of size bytes to window offset off. */
static void movs_to_mmio(const char *name, void (*fn)(void), int size, uint32_t n, uint32_t off)
{
	uint32_t bytes = n * size, src = (uint32_t)ram_buf;
	ram_fill(ram_buf, sizeof(ram_buf), (uint8_t)(0x10 * size));
	set_regs(0, n, src, W + off);
	measure(name, off, bytes + 4, fn, n, size, 1, off + bytes - size);
	expect_regs(0, src + bytes, W + off + bytes);
	for (uint32_t i = 0; i < bytes; i++)
		EXPECT_EQ(win_read(off + i, 1), ram_buf[i]);
	EXPECT_EQ(win_read(off + bytes, 1), pat(off + bytes));
}

/* (REP) MOVS MMIO -> RAM: n elements from window offset off (ECX = n: a
 * MOVS without REP leaves it). */
static void movs_from_mmio(const char *name, void (*fn)(void), int size, uint32_t n, uint32_t off, bool rep)
{
	uint32_t bytes = n * size, dst = (uint32_t)ram_buf;
	memset(ram_buf, 0, sizeof(ram_buf));
	set_regs(0, n, W + off, dst);
	measure(name, off, bytes, fn, n, size, 0, off + bytes - size);
	expect_regs(rep ? 0 : n, W + off + bytes, dst + bytes);
	for (uint32_t i = 0; i < bytes; i++)
		EXPECT_EQ(ram_buf[i], pat(off + i));
	EXPECT_EQ(ram_buf[bytes], 0);
}

/* REP STOS: n elements of size bytes of the value in EAX at window offset off. */
static void stos_to_mmio(const char *name, void (*fn)(void), int size, uint32_t n, uint32_t off, uint32_t eax)
{
	uint32_t bytes = n * size;
	set_regs(eax, n, 0, W + off);
	measure(name, off, bytes + 4, fn, n, size, 1, off + bytes - size);
	expect_regs(0, 0, W + off + bytes);
	for (uint32_t i = 0; i < bytes; i++)
		EXPECT_EQ(win_read(off + i, 1), (uint8_t)(eax >> (8 * (i % size))));
	EXPECT_EQ(win_read(off + bytes, 1), pat(off + bytes));
}

/* 16-bit address size: REP STOSB to ES:DI with CX, REP MOVSB FS:SI -> ES:DI. */
static void a16_rep_stosb(void)
{
	uint32_t c = JUNK_HI | 5, d = JUNK_HI | 0x60;
	__asm__ volatile("push %%es\n\t"
			 "mov %[sel], %%es\n\t"
			 "cld\n\t"
			 "addr16 rep stosb\n\t"
			 "pop %%es"
			 : "+c"(c), "+D"(d)
			 : "a"(0x3c), [sel] "r"((uint32_t)SEL_SPARE0)
			 : "memory");
	out_ecx = c, out_edi = d;
}
static void a16_rep_movsb(void)
{
	uint32_t c = JUNK_HI | 6, s = JUNK_HI | 0x70, d = JUNK_HI | 0;
	__asm__ volatile(
	    "push %%es\n\t"
	    "mov %[ram], %%es\n\t" WITH_FS("cld\n\taddr16 rep movsb %%fs:(%%si), %%es:(%%di)") "\n\t"
											       "pop %%es"
	    : "+c"(c), "+S"(s), "+D"(d)
	    : [sel] "r"((uint32_t)SEL_SPARE0), [ram] "r"((uint32_t)SEL_SPARE1)
	    : "memory");
	out_ecx = c, out_esi = s, out_edi = d;
}

static void check_strings(void)
{
	printf("string instructions:\n");
	movs_to_mmio("rep movsb RAM -> MMIO", rep_movsb, 1, 7, 0x80);
	movs_to_mmio("rep movsw RAM -> MMIO", rep_movsw, 2, 5, 0x90);
	movs_to_mmio("rep movsd RAM -> MMIO", rep_movsl, 4, 3, 0xa0);
	movs_from_mmio("rep movsb MMIO -> RAM", rep_movsb, 1, 7, 0x10, true);
	movs_from_mmio("rep movsw MMIO -> RAM (unaligned)", rep_movsw, 2, 5, 0x13, true);
	movs_from_mmio("rep movsd MMIO -> RAM", rep_movsl, 4, 3, 0x20, true);
	movs_from_mmio("movsd MMIO -> RAM (no rep)", movsl_once, 4, 1, 0x2c, false);

	/* DF = 1: from the last element down. */
	ram_fill(ram_buf, sizeof(ram_buf), 0x77);
	set_regs(0, 3, (uint32_t)ram_buf + 8, W + 0xb8);
	measure("std; rep movsd RAM -> MMIO", 0xb0, 12, rep_movsl_down, 3, 4, 1, 0xb0);
	expect_regs(0, (uint32_t)ram_buf - 4, W + 0xac);
	for (uint32_t i = 0; i < 12; i++)
		EXPECT_EQ(win_read(0xb0 + i, 1), ram_buf[i]);

	/* MMIO -> MMIO: a read and a write per element. */
	set_regs(0, 2, W + 0x10, W + 0xc0);
	measure("rep movsd MMIO -> MMIO", 0x10, 0xc0, rep_movsl, 4, 4, 1, 0xc4);
	expect_regs(0, W + 0x18, W + 0xc8);
	EXPECT_EQ(win_read(0xc0, 4), pat_n(0x10, 4));
	EXPECT_EQ(win_read(0xc4, 4), pat_n(0x14, 4));

	stos_to_mmio("rep stosb", rep_stosb, 1, 9, 0xd0, 0x5a);
	stos_to_mmio("rep stosw", rep_stosw, 2, 4, 0xe0, 0xa55a);
	stos_to_mmio("rep stosd", rep_stosl, 4, 3, 0xf0, 0xdeadbeef);
	set_regs(0x6996, 3, 0, W + 0xe4);
	measure("std; rep stosw", 0xe0, 8, rep_stosw_down, 3, 2, 1, 0xe0);
	expect_regs(0, 0, W + 0xde);
	EXPECT_EQ(win_read(0xe0, 4), 0x69966996);
	EXPECT_EQ(win_read(0xe4, 2), 0x6996);
	EXPECT_EQ(win_read(0xe6, 2), pat_n(0xe6, 2));

	set_regs(0xffffff00, 0, W + 0x10, 0);
	measure("lodsb", 0x10, 4, lodsb_once, 1, 1, 0, 0x10);
	EXPECT_EQ(out_eax, 0xffffff00 | pat(0x10));
	EXPECT_EQ(out_esi, W + 0x11);
	set_regs(0xffff0000, 0, W + 0x11, 0);
	measure("lodsw (unaligned)", 0x10, 4, lodsw_once, 1, 2, 0, 0x11);
	EXPECT_EQ(out_eax, 0xffff0000 | pat_n(0x11, 2));
	EXPECT_EQ(out_esi, W + 0x13);
	set_regs(0, 0, W + 0x14, 0);
	measure("lodsd", 0x14, 4, lodsl_once, 1, 4, 0, 0x14);
	EXPECT_EQ(out_eax, pat_n(0x14, 4));
	EXPECT_EQ(out_esi, W + 0x18);

	fs_window(SEL_SPARE0);
	measure("addr16 rep stosb es:[di], cx", 0x60, 8, a16_rep_stosb, 5, 1, 1, 0x64);
	EXPECT_EQ(out_ecx, JUNK_HI);
	EXPECT_EQ(out_edi, JUNK_HI | 0x65);
	for (uint32_t i = 0; i < 5; i++)
		EXPECT_EQ(win_read(0x60 + i, 1), 0x3c);
	EXPECT_EQ(win_read(0x65, 1), pat(0x65));
	memset(ram_buf, 0, sizeof(ram_buf));
	gdt_set_data(SEL_SPARE1, (uint32_t)ram_buf, sizeof(ram_buf) - 1);
	measure("addr16 rep movsb fs:[si] -> es:[di], cx", 0x70, 8, a16_rep_movsb, 6, 1, 0, 0x75);
	EXPECT_EQ(out_ecx, JUNK_HI);
	EXPECT_EQ(out_esi, JUNK_HI | 0x76);
	EXPECT_EQ(out_edi, JUNK_HI | 6);
	for (uint32_t i = 0; i < 6; i++)
		EXPECT_EQ(ram_buf[i], pat(0x70 + i));
	EXPECT_EQ(ram_buf[6], 0);
}

/* ---- ALU, XCHG, BT with a memory operand: compared with RAM ---- */

/* Each form runs on [alu_base + 0x40..]: ECX in/out, EFLAGS out. */
#define ALU_OP(fname, insn)                                                                                  \
	static void fname(void)                                                                              \
	{                                                                                                    \
		uint32_t c = in_ecx, f;                                                                      \
		__asm__ volatile(insn "\n\tpushfl\n\tpopl %0"                                                \
				 : "=&r"(f), "+c"(c)                                                         \
				 : "b"(alu_base)                                                             \
				 : "memory", "cc");                                                          \
		out_ecx = c, out_flags = f;                                                                  \
	}
ALU_OP(and_m32_r32, "andl %%ecx, 0x40(%%ebx)")
ALU_OP(or_m16_r16, "orw %%cx, 0x44(%%ebx)")
ALU_OP(xor_m8_r8, "xorb %%cl, 0x46(%%ebx)")
ALU_OP(add_m32_r32, "addl %%ecx, 0x48(%%ebx)")
ALU_OP(sub_m32_r32, "subl %%ecx, 0x4c(%%ebx)")
ALU_OP(add_r32_m32, "addl 0x40(%%ebx), %%ecx")
ALU_OP(and_r8_m8, "andb 0x41(%%ebx), %%cl")
ALU_OP(sub_r16_m16, "subw 0x42(%%ebx), %%cx")
ALU_OP(or_r32_m32, "orl 0x44(%%ebx), %%ecx")
ALU_OP(xor_r32_m32, "xorl 0x48(%%ebx), %%ecx")
ALU_OP(or_m32_imm32, "orl $0x12345678, 0x50(%%ebx)")
ALU_OP(add_m32_imm8, "addl $-3, 0x54(%%ebx)")
ALU_OP(and_m8_imm8, "andb $0x3c, 0x58(%%ebx)")
ALU_OP(sub_m16_imm8, "subw $0x7f, 0x5a(%%ebx)")
ALU_OP(xor_m32_imm32, "xorl $0xf00ff00f, 0x5c(%%ebx)")
ALU_OP(cmp_m32_r32, "cmpl %%ecx, 0x40(%%ebx)")
ALU_OP(cmp_r32_m32, "cmpl 0x44(%%ebx), %%ecx")
ALU_OP(cmp_m8_imm8, "cmpb $0x80, 0x48(%%ebx)")
ALU_OP(cmp_m32_imm8, "cmpl $-1, 0x4c(%%ebx)")
ALU_OP(cmp_m16_r16, "cmpw %%cx, 0x50(%%ebx)")
ALU_OP(test_m32_r32, "testl %%ecx, 0x54(%%ebx)")
ALU_OP(test_m8_imm8, "testb $0x81, 0x58(%%ebx)")
ALU_OP(test_m32_imm32, "testl $0x00010000, 0x5c(%%ebx)")
ALU_OP(xchg_m32_r32, "xchgl %%ecx, 0x40(%%ebx)")
ALU_OP(xchg_m8_r8, "xchgb %%ch, 0x45(%%ebx)")
ALU_OP(xchg_m16_r16, "xchgw %%cx, 0x46(%%ebx)")
ALU_OP(bt_m32_imm8, "btl $13, 0x48(%%ebx)")
ALU_OP(bt_m32_r32, "btl %%ecx, 0x4c(%%ebx)")
ALU_OP(bt_m16_imm8, "btw $9, 0x50(%%ebx)")

struct alu_case {
	const char *name;
	void (*fn)(void);
	uint32_t ecx;
	uint32_t flags_mask;
	uint32_t accesses, size, write, offset; /* the MMIO run */
};

#define RMW 2, /* read + write */
static const struct alu_case alu_cases[] = {
    {"and [m32], ecx (21)", and_m32_r32, 0xf0f0ff00, LOGIC_FLAGS, RMW 4, 1, 0x40},
    {"or [m16], cx (66 09)", or_m16_r16, 0x8001, LOGIC_FLAGS, RMW 2, 1, 0x44},
    {"xor [m8], cl (30)", xor_m8_r8, 0xff, LOGIC_FLAGS, RMW 1, 1, 0x46},
    {"add [m32], ecx (01)", add_m32_r32, 0x7fffffff, ARITH_FLAGS, RMW 4, 1, 0x48},
    {"sub [m32], ecx (29)", sub_m32_r32, 0x90000000, ARITH_FLAGS, RMW 4, 1, 0x4c},
    {"add ecx, [m32] (03)", add_r32_m32, 0x80000001, ARITH_FLAGS, 1, 4, 0, 0x40},
    {"and cl, [m8] (22)", and_r8_m8, 0x123456f0, LOGIC_FLAGS, 1, 1, 0, 0x41},
    {"sub cx, [m16] (66 2B)", sub_r16_m16, 0xabcd0001, ARITH_FLAGS, 1, 2, 0, 0x42},
    {"or ecx, [m32] (0B)", or_r32_m32, 0x00000100, LOGIC_FLAGS, 1, 4, 0, 0x44},
    {"xor ecx, [m32] (33)", xor_r32_m32, 0xffffffff, LOGIC_FLAGS, 1, 4, 0, 0x48},
    {"or [m32], imm32 (81 /1)", or_m32_imm32, 0, LOGIC_FLAGS, RMW 4, 1, 0x50},
    {"add [m32], imm8 (83 /0)", add_m32_imm8, 0, ARITH_FLAGS, RMW 4, 1, 0x54},
    {"and [m8], imm8 (80 /4)", and_m8_imm8, 0, LOGIC_FLAGS, RMW 1, 1, 0x58},
    {"sub [m16], imm8 (66 83 /5)", sub_m16_imm8, 0, ARITH_FLAGS, RMW 2, 1, 0x5a},
    {"xor [m32], imm32 (81 /6)", xor_m32_imm32, 0, LOGIC_FLAGS, RMW 4, 1, 0x5c},
    {"cmp [m32], ecx (39)", cmp_m32_r32, 0x5d5d5d5d, ARITH_FLAGS, 1, 4, 0, 0x40},
    {"cmp ecx, [m32] (3B)", cmp_r32_m32, 0x00000001, ARITH_FLAGS, 1, 4, 0, 0x44},
    {"cmp [m8], imm8 (80 /7)", cmp_m8_imm8, 0, ARITH_FLAGS, 1, 1, 0, 0x48},
    {"cmp [m32], imm8 (83 /7)", cmp_m32_imm8, 0, ARITH_FLAGS, 1, 4, 0, 0x4c},
    {"cmp [m16], cx (66 39)", cmp_m16_r16, 0x1234, ARITH_FLAGS, 1, 2, 0, 0x50},
    {"test [m32], ecx (85)", test_m32_r32, 0x80000080, LOGIC_FLAGS, 1, 4, 0, 0x54},
    {"test [m8], imm8 (F6 /0)", test_m8_imm8, 0, LOGIC_FLAGS, 1, 1, 0, 0x58},
    {"test [m32], imm32 (F7 /0)", test_m32_imm32, 0, LOGIC_FLAGS, 1, 4, 0, 0x5c},
    {"xchg [m32], ecx (87)", xchg_m32_r32, 0x13579bdf, 0, RMW 4, 1, 0x40},
    {"xchg [m8], ch (86, high byte register)", xchg_m8_r8, 0x0000a500, 0, RMW 1, 1, 0x45},
    {"xchg [m16], cx (66 87)", xchg_m16_r16, 0xffff4242, 0, RMW 2, 1, 0x46},
    {"bt [m32], imm8 (0F BA /4)", bt_m32_imm8, 0, EFLAGS_CF, 1, 4, 0, 0x48},
    {"bt [m32], ecx = 6 (0F A3)", bt_m32_r32, 6, EFLAGS_CF, 1, 4, 0, 0x4c},
    {"bt [m32], ecx = 39: the next dword (0F A3)", bt_m32_r32, 39, EFLAGS_CF, 1, 4, 0, 0x50},
    {"bt [m16], imm8 (66 0F BA /4)", bt_m16_imm8, 0, EFLAGS_CF, 1, 2, 0, 0x50},
};

static const struct alu_case *cur;

static void run_cur(void)
{
	in_ecx = cur->ecx;
	cur->fn();
}

static void check_alu(void)
{
	printf("ALU / XCHG / BT with a memory operand (compared with the same instruction on RAM):\n");
	for (size_t i = 0; i < ARRAY_SIZE(alu_cases); i++) {
		cur = &alu_cases[i];
		/* Reference: RAM holding the same pattern. */
		for (uint32_t o = 0; o < TESTDEV_SCRATCH_SIZE; o++)
			ram_ref[o] = pat(o);
		alu_base = (uint32_t)ram_ref;
		run_cur();
		uint32_t want_ecx = out_ecx, want_flags = out_flags & cur->flags_mask;
		/* The window. */
		alu_base = W;
		measure(cur->name, 0x40, 0x20, run_cur, cur->accesses, cur->size, cur->write, cur->offset);
		EXPECT_EQ(out_ecx, want_ecx);
		EXPECT_EQ(out_flags & cur->flags_mask, want_flags);
		for (uint32_t o = 0x40; o < 0x60; o += 4)
			EXPECT_EQ(win_read(o, 4), *(uint32_t *)(ram_ref + o));
	}
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	device = under_coopvmm();
	W = device ? TESTDEV_MMIO_BASE : (uint32_t)ram_window;
	if (!device)
		skip("test device (not under coopvmm): the window is a RAM page, access registers unchecked");
	printf("window at %#x\n", W);
	if (device)
		probe_wide_regs();
	check_mov();
	check_movx();
	check_addressing();
	check_strings();
	check_alu();
	return 0;
}
