/* SPDX-License-Identifier: GPL-2.0-only */
/* portio: port I/O against coopvmm's test device (docs/guest-platform.md
 * "The test device"): the scratch register at 0xe0-0xe3 with IN/OUT of 1, 2
 * and 4 bytes in every lane combination; the FIFO at 0xe8 with IN/OUT,
 * REP INS/OUTS of bytes, words and dwords, counts at 0xec, DF = 1, ECX = 0,
 * 16-bit address size (CX/SI/DI), an empty FIFO reading all ones; and an
 * unclaimed port (0x2e0) reading all ones with writes dropped. */
#include "rt/rt.h"

#include "rt/testdev.h"

#define UNCLAIMED_PORT 0x2e0
#define ADDR16_JUNK    0xdead0000U /* upper halves that 16-bit string I/O must keep */

/* ---- string I/O with explicit registers ---- */

struct strio {
	uint32_t ptr; /* ESI (outs) or EDI (ins) afterwards */
	uint32_t ecx; /* ECX afterwards */
};

static struct strio rep_outs(int size, uint16_t port, const void *src, uint32_t count, bool down)
{
	uint32_t esi = (uint32_t)src, ecx = count;
	if (down)
		__asm__ volatile("std");
	switch (size) {
	case 1:
		__asm__ volatile("rep outsb" : "+S"(esi), "+c"(ecx) : "d"(port) : "memory");
		break;
	case 2:
		__asm__ volatile("rep outsw" : "+S"(esi), "+c"(ecx) : "d"(port) : "memory");
		break;
	default:
		__asm__ volatile("rep outsl" : "+S"(esi), "+c"(ecx) : "d"(port) : "memory");
		break;
	}
	__asm__ volatile("cld");
	return (struct strio){esi, ecx};
}

static struct strio rep_ins(int size, uint16_t port, void *dst, uint32_t count, bool down)
{
	uint32_t edi = (uint32_t)dst, ecx = count;
	if (down)
		__asm__ volatile("std");
	switch (size) {
	case 1:
		__asm__ volatile("rep insb" : "+D"(edi), "+c"(ecx) : "d"(port) : "memory");
		break;
	case 2:
		__asm__ volatile("rep insw" : "+D"(edi), "+c"(ecx) : "d"(port) : "memory");
		break;
	default:
		__asm__ volatile("rep insl" : "+D"(edi), "+c"(ecx) : "d"(port) : "memory");
		break;
	}
	__asm__ volatile("cld");
	return (struct strio){edi, ecx};
}

/* 16-bit address size (0x67): count in CX, pointer in SI/DI relative to a
 * segment whose base is buf; the upper halves of ECX/ESI/EDI must survive. */
static struct strio addr16_rep_outsb(uint16_t port, const void *buf, uint16_t count)
{
	uint32_t esi = ADDR16_JUNK, ecx = ADDR16_JUNK | count;
	gdt_set_data(SEL_SPARE0, (uint32_t)buf, 0xffff);
	__asm__ volatile("push %%fs\n\t"
			 "mov %3, %%fs\n\t"
			 "addr16 rep outsb %%fs:(%%si), (%%dx)\n\t"
			 "pop %%fs"
			 : "+S"(esi), "+c"(ecx)
			 : "d"(port), "r"((uint32_t)SEL_SPARE0)
			 : "memory");
	return (struct strio){esi, ecx};
}

static struct strio addr16_rep_insb(uint16_t port, void *buf, uint16_t count)
{
	uint32_t edi = ADDR16_JUNK, ecx = ADDR16_JUNK | count;
	gdt_set_data(SEL_SPARE0, (uint32_t)buf, 0xffff);
	__asm__ volatile("push %%es\n\t"
			 "mov %3, %%es\n\t"
			 "addr16 rep insb (%%dx), %%es:(%%di)\n\t"
			 "pop %%es"
			 : "+D"(edi), "+c"(ecx)
			 : "d"(port), "r"((uint32_t)SEL_SPARE0)
			 : "memory");
	return (struct strio){edi, ecx};
}

static void fill_pattern(uint8_t *p, int n, uint8_t seed)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* ---- unclaimed port ---- */

static void check_unclaimed(void)
{
	uint8_t buf[16];
	printf("unclaimed port %#x: inb %#x inw %#x inl %#x\n", UNCLAIMED_PORT, inb(UNCLAIMED_PORT),
	       inw(UNCLAIMED_PORT), inl(UNCLAIMED_PORT));
	EXPECT_EQ(inb(UNCLAIMED_PORT), 0xff);
	EXPECT_EQ(inw(UNCLAIMED_PORT), 0xffff);
	EXPECT_EQ(inl(UNCLAIMED_PORT), 0xffffffff);
	outl(UNCLAIMED_PORT, 0);
	outb(UNCLAIMED_PORT + 1, 0x12);
	EXPECT_EQ(inl(UNCLAIMED_PORT), 0xffffffff);

	/* String I/O on it: all ones arrive, registers advance as usual. */
	memset(buf, 0, sizeof(buf));
	struct strio r = rep_ins(2, UNCLAIMED_PORT, buf + 2, 5, false);
	EXPECT_EQ(r.ecx, 0);
	EXPECT_EQ(r.ptr, (uint32_t)(buf + 12));
	EXPECT_EQ(buf[1], 0);
	for (int i = 2; i < 12; i++)
		EXPECT_EQ(buf[i], 0xff);
	EXPECT_EQ(buf[12], 0);

	memset(buf, 0, sizeof(buf));
	r = rep_ins(4, UNCLAIMED_PORT, buf + 8, 2, true);
	EXPECT_EQ(r.ecx, 0);
	EXPECT_EQ(r.ptr, (uint32_t)buf);
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(buf[i], i >= 4 && i < 12 ? 0xff : 0);

	memset(buf, 0, sizeof(buf));
	r = addr16_rep_insb(UNCLAIMED_PORT, buf, 3);
	EXPECT_EQ(r.ecx, ADDR16_JUNK);
	EXPECT_EQ(r.ptr, ADDR16_JUNK | 3);
	for (int i = 0; i < 16; i++)
		EXPECT_EQ(buf[i], i < 3 ? 0xff : 0);
	r = rep_outs(1, UNCLAIMED_PORT, buf, 7, false);
	EXPECT_EQ(r.ecx, 0);
	EXPECT_EQ(r.ptr, (uint32_t)(buf + 7));
	r = addr16_rep_outsb(UNCLAIMED_PORT, buf, 5);
	EXPECT_EQ(r.ecx, ADDR16_JUNK);
	EXPECT_EQ(r.ptr, ADDR16_JUNK | 5);
}

/* ---- scratch register ---- */

static uint8_t model[4]; /* what the scratch register should hold, byte lanes */

static void scratch_write(int size, int off, uint32_t v)
{
	for (int i = 0; i < size; i++)
		model[off + i] = (uint8_t)(v >> (8 * i));
	if (size == 1)
		outb(TESTDEV_PORT_SCRATCH + off, (uint8_t)v);
	else if (size == 2)
		outw(TESTDEV_PORT_SCRATCH + off, (uint16_t)v);
	else
		outl(TESTDEV_PORT_SCRATCH + off, v);
}

static uint32_t model_read(int size, int off)
{
	uint32_t v = 0;
	for (int i = 0; i < size; i++)
		v |= (uint32_t)model[off + i] << (8 * i);
	return v;
}

/* Every read the register allows: bytes 0-3, words 0-2, the dword. */
static void scratch_check_all(void)
{
	for (int off = 0; off < 4; off++)
		EXPECT_EQ(inb(TESTDEV_PORT_SCRATCH + off), model_read(1, off));
	for (int off = 0; off < 3; off++)
		EXPECT_EQ(inw(TESTDEV_PORT_SCRATCH + off), model_read(2, off));
	EXPECT_EQ(inl(TESTDEV_PORT_SCRATCH), model_read(4, 0));
}

static void check_scratch(void)
{
	scratch_write(4, 0, 0x11223344);
	printf("scratch: outl 0x11223344 -> inl %#x, inw %#x/%#x/%#x, inb %#x/%#x/%#x/%#x\n",
	       inl(TESTDEV_PORT_SCRATCH), inw(TESTDEV_PORT_SCRATCH), inw(TESTDEV_PORT_SCRATCH + 1),
	       inw(TESTDEV_PORT_SCRATCH + 2), inb(TESTDEV_PORT_SCRATCH), inb(TESTDEV_PORT_SCRATCH + 1),
	       inb(TESTDEV_PORT_SCRATCH + 2), inb(TESTDEV_PORT_SCRATCH + 3));
	scratch_check_all();
	uint32_t v = 0x9e3779b9;
	for (int size = 1; size <= 4; size *= 2)
		for (int off = 0; off + size <= 4; off += (size == 4 ? 4 : 1)) {
			v = v * 1103515245 + 12345;
			scratch_write(size, off, v);
			scratch_check_all();
		}
	printf("scratch: all 1/2/4-byte lanes written and read back\n");
}

/* ---- FIFO ---- */

static uint32_t fifo_count(void)
{
	return inl(TESTDEV_PORT_FIFO_COUNT);
}

static void check_fifo_basic(void)
{
	printf("FIFO: count %u at start; empty reads inb %#x inw %#x inl %#x\n", fifo_count(),
	       inb(TESTDEV_PORT_FIFO), inw(TESTDEV_PORT_FIFO), inl(TESTDEV_PORT_FIFO));
	EXPECT_EQ(fifo_count(), 0);
	EXPECT_EQ(inb(TESTDEV_PORT_FIFO), 0xff);
	EXPECT_EQ(inw(TESTDEV_PORT_FIFO), 0xffff);
	EXPECT_EQ(inl(TESTDEV_PORT_FIFO), 0xffffffff);
	EXPECT_EQ(fifo_count(), 0);

	/* Single OUTs append their bytes low lane first. */
	outb(TESTDEV_PORT_FIFO, 0x11);
	outb(TESTDEV_PORT_FIFO, 0x22);
	EXPECT_EQ(fifo_count(), 2);
	outw(TESTDEV_PORT_FIFO, 0x4433);
	EXPECT_EQ(fifo_count(), 4);
	outl(TESTDEV_PORT_FIFO, 0x88776655);
	EXPECT_EQ(fifo_count(), 8);
	EXPECT_EQ(inb(TESTDEV_PORT_FIFO), 0x11);
	EXPECT_EQ(inw(TESTDEV_PORT_FIFO), 0x3322);
	EXPECT_EQ(fifo_count(), 5);
	EXPECT_EQ(inl(TESTDEV_PORT_FIFO), 0x77665544);
	EXPECT_EQ(inb(TESTDEV_PORT_FIFO), 0x88);
	EXPECT_EQ(fifo_count(), 0);
	EXPECT_EQ(inb(TESTDEV_PORT_FIFO), 0xff);
}

static void check_fifo_string(void)
{
	static uint8_t src[TESTDEV_FIFO_SIZE], dst[TESTDEV_FIFO_SIZE + 8];
	struct strio r;

	for (int size = 1; size <= 4; size *= 2) {
		uint32_t n = 10; /* elements */
		fill_pattern(src, sizeof(src), (uint8_t)(0x30 + size));
		memset(dst, 0, sizeof(dst));
		r = rep_outs(size, TESTDEV_PORT_FIFO, src, n, false);
		EXPECT_EQ(r.ecx, 0);
		EXPECT_EQ(r.ptr, (uint32_t)src + n * size);
		EXPECT_EQ(fifo_count(), n * size);
		r = rep_ins(size, TESTDEV_PORT_FIFO, dst, n, false);
		EXPECT_EQ(r.ecx, 0);
		EXPECT_EQ(r.ptr, (uint32_t)dst + n * size);
		EXPECT_EQ(fifo_count(), 0);
		EXPECT_MEMEQ(dst, src, n * size);
		EXPECT_EQ(dst[n * size], 0);
		printf("FIFO: rep outs/ins, %d-byte elements x %u: round trip ok\n", size, n);
	}

	/* Bytes in, dwords out: little-endian composition. */
	fill_pattern(src, 8, 0xa0);
	rep_outs(1, TESTDEV_PORT_FIFO, src, 8, false);
	uint32_t d[2] = {0, 0};
	rep_ins(4, TESTDEV_PORT_FIFO, d, 2, false);
	EXPECT_MEMEQ(d, src, 8);

	/* DF = 1: OUTS walks down from the last element, INS writes downward. */
	for (int size = 1; size <= 4; size *= 2) {
		uint32_t n = 6;
		fill_pattern(src, sizeof(src), (uint8_t)(0x60 + size));
		memset(dst, 0, sizeof(dst));
		r = rep_outs(size, TESTDEV_PORT_FIFO, src + (n - 1) * size, n, true);
		EXPECT_EQ(r.ecx, 0);
		EXPECT_EQ(r.ptr, (uint32_t)src - size);
		EXPECT_EQ(fifo_count(), n * size);
		r = rep_ins(size, TESTDEV_PORT_FIFO, dst + 4 + (n - 1) * size, n, true);
		EXPECT_EQ(r.ecx, 0);
		EXPECT_EQ(r.ptr, (uint32_t)dst + 4 - size);
		EXPECT_EQ(fifo_count(), 0);
		/* Reversed twice: the original order. */
		EXPECT_MEMEQ(dst + 4, src, n * size);
		EXPECT_EQ(dst[3], 0);
		EXPECT_EQ(dst[4 + n * size], 0);
		/* Reversed once: element order reversed, bytes within an element kept. */
		rep_outs(size, TESTDEV_PORT_FIFO, src + (n - 1) * size, n, true);
		rep_ins(size, TESTDEV_PORT_FIFO, dst, n, false);
		for (uint32_t i = 0; i < n; i++)
			EXPECT_MEMEQ(dst + i * size, src + (n - 1 - i) * size, (size_t)size);
		printf("FIFO: rep outs/ins with DF = 1, %d-byte elements: ok\n", size);
	}

	/* ECX = 0: nothing moves. */
	r = rep_outs(1, TESTDEV_PORT_FIFO, src, 0, false);
	EXPECT_EQ(r.ptr, (uint32_t)src);
	EXPECT_EQ(fifo_count(), 0);
	r = rep_ins(4, TESTDEV_PORT_FIFO, dst, 0, false);
	EXPECT_EQ(r.ptr, (uint32_t)dst);

	/* Exactly full, then empty again. */
	fill_pattern(src, TESTDEV_FIFO_SIZE, 0x01);
	rep_outs(4, TESTDEV_PORT_FIFO, src, TESTDEV_FIFO_SIZE / 4, false);
	EXPECT_EQ(fifo_count(), TESTDEV_FIFO_SIZE);
	memset(dst, 0, sizeof(dst));
	rep_ins(2, TESTDEV_PORT_FIFO, dst, TESTDEV_FIFO_SIZE / 2, false);
	EXPECT_EQ(fifo_count(), 0);
	EXPECT_MEMEQ(dst, src, TESTDEV_FIFO_SIZE);
	printf("FIFO: filled to %u bytes with rep outsl, drained with rep insw\n", TESTDEV_FIFO_SIZE);

	/* 16-bit address size: CX/SI/DI only. */
	fill_pattern(src, 16, 0xc0);
	memset(dst, 0, sizeof(dst));
	r = addr16_rep_outsb(TESTDEV_PORT_FIFO, src, 9);
	EXPECT_EQ(r.ecx, ADDR16_JUNK);
	EXPECT_EQ(r.ptr, ADDR16_JUNK | 9);
	EXPECT_EQ(fifo_count(), 9);
	r = addr16_rep_insb(TESTDEV_PORT_FIFO, dst, 9);
	EXPECT_EQ(r.ecx, ADDR16_JUNK);
	EXPECT_EQ(r.ptr, ADDR16_JUNK | 9);
	EXPECT_EQ(fifo_count(), 0);
	EXPECT_MEMEQ(dst, src, 9);
	EXPECT_EQ(dst[9], 0);
	printf("FIFO: addr16 rep outsb/insb (CX, SI, DI): ok\n");
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	check_unclaimed();
	if (skip_unless_coopvmm("test device ports 0xe0-0xef"))
		return 0;
	check_scratch();
	check_fifo_basic();
	check_fifo_string();
	return 0;
}
