/* SPDX-License-Identifier: GPL-2.0-only */
/* deferred_io: the request path with answers that come later
 * (docs/guest-platform.md "The deferred test device"): coopvmm's deferred
 * test device is the test device's model at ports 0x500-0x50f and MMIO
 * 0xfeb01000, answered on another CPU a delay (port 0x510, microseconds)
 * after each access, so every access below waits for its completion and
 * is finished when it arrives. Checked with values: IN/OUT of 1, 2 and 4
 * bytes on the byte-laned scratch port, the FIFO with single and REP
 * INS/OUTS (more elements than one request carries, DF = 1, a count that
 * ends mid-way through a batch), MMIO loads and stores of each size,
 * MOVZX/MOVSX, read-modify-write (ADD, OR, XCHG: one read and one write
 * each, per the device's access counter), CMP and BT flags, REP MOVS both
 * ways and between the two test devices (one answers at once, the other
 * later), REP STOS; meanwhile vCPU 1 hammers its own half of the MMIO
 * scratch with stores, loads and XCHGs. Run with two vCPUs
 * (run=deferred_io:16M:2); only under coopvmm. */
#include "rt/rt.h"

#include "rt/lapic.h"
#include "rt/smp.h"
#include "rt/testdev.h"

#define DPORT_SCRATCH 0x500
#define DPORT_FIFO    0x508
#define DPORT_COUNT   0x50c
#define DPORT_DELAY   0x510
#define DMMIO	      0xfeb01000U
#define DELAY_US      200
#define AP_STACK      8192
#define AP_WAIT_MS    1000
#define AP_ROUNDS     200
#define AP_HALF	      0x80 /* vCPU 1 owns scratch 0x80-0xff, vCPU 0 0x00-0x7f */

static uint8_t ap_stack[AP_STACK] __attribute__((aligned(16)));
static volatile uint32_t ap_done, ap_errors, ap_rounds, ap_first_bad;

static uint32_t mmio_count(void)
{
	return mmio_read32(DMMIO + TESTDEV_ACCESS_COUNT);
}

/* vCPU 1: stores, loads and XCHGs on its own half, every value checked. */
static void ap_fn(void *arg)
{
	(void)arg;
	for (uint32_t r = 0; r < AP_ROUNDS; r++) {
		uint32_t off = AP_HALF + (r * 4) % AP_HALF, v = 0x9e3779b9U * (r + 1);
		mmio_write32(DMMIO + off, v);
		uint32_t got = mmio_read32(DMMIO + off);
		uint32_t x = ~v;
		__asm__ volatile("xchgl %0, (%1)" : "+r"(x) : "r"(DMMIO + off) : "memory");
		uint32_t after = mmio_read32(DMMIO + off);
		if (got != v || x != v || after != ~v) {
			if (!ap_errors)
				ap_first_bad = r;
			ap_errors++;
		}
		ap_rounds = r + 1;
	}
	__atomic_store_n(&ap_done, 1, __ATOMIC_SEQ_CST);
}

static void check_ports(void)
{
	outl(DPORT_DELAY, DELAY_US);
	EXPECT_EQ(inl(DPORT_DELAY), DELAY_US);
	EXPECT_EQ(inw(DPORT_DELAY), DELAY_US);
	outl(DPORT_SCRATCH, 0x11223344);
	EXPECT_EQ(inl(DPORT_SCRATCH), 0x11223344);
	outb(DPORT_SCRATCH + 1, 0xab);
	EXPECT_EQ(inl(DPORT_SCRATCH), 0x1122ab44);
	outw(DPORT_SCRATCH + 2, 0xcdef);
	EXPECT_EQ(inw(DPORT_SCRATCH + 2), 0xcdef);
	EXPECT_EQ(inb(DPORT_SCRATCH + 3), 0xcd);
	EXPECT_EQ(inl(DPORT_SCRATCH), 0xcdefab44);
	/* The IRQ pulse port is not part of this device: all ones. */
	EXPECT_EQ(inb(DPORT_SCRATCH + 4), 0xff);
	/* FIFO: single accesses of mixed sizes, in byte order. */
	EXPECT_EQ(inl(DPORT_COUNT), 0);
	EXPECT_EQ(inb(DPORT_FIFO), 0xff); /* empty */
	outb(DPORT_FIFO, 0x01);
	outw(DPORT_FIFO, 0x0302);
	outl(DPORT_FIFO, 0x07060504);
	EXPECT_EQ(inl(DPORT_COUNT), 7);
	EXPECT_EQ(inl(DPORT_FIFO), 0x04030201);
	EXPECT_EQ(inw(DPORT_FIFO), 0x0605);
	EXPECT_EQ(inb(DPORT_FIFO), 0x07);
	EXPECT_EQ(inl(DPORT_COUNT), 0);
	printf("ports: scratch lanes, delay %u us, FIFO single accesses ok\n", DELAY_US);
}

static void check_string_io(void)
{
	static uint8_t out[256], in[256];
	for (int i = 0; i < 256; i++)
		out[i] = (uint8_t)(i * 7 + 3);
	/* 256 bytes: more than one request's batch of elements (the REP goes on
	 * after each completion, where it stopped). */
	uint32_t esi = (uint32_t)out, ecx = 256;
	__asm__ volatile("rep outsb" : "+S"(esi), "+c"(ecx) : "d"(DPORT_FIFO) : "memory");
	EXPECT_EQ(ecx, 0);
	EXPECT_EQ(esi, (uint32_t)out + 256);
	EXPECT_EQ(inl(DPORT_COUNT), 256);
	uint32_t edi = (uint32_t)in;
	ecx = 256;
	__asm__ volatile("rep insb" : "+D"(edi), "+c"(ecx) : "d"(DPORT_FIFO) : "memory");
	EXPECT_EQ(ecx, 0);
	EXPECT_EQ(edi, (uint32_t)in + 256);
	EXPECT_MEMEQ(in, out, 256);
	/* Dwords, 48 of them (192 bytes). */
	memset(in, 0, sizeof(in));
	esi = (uint32_t)out;
	ecx = 48;
	__asm__ volatile("rep outsl" : "+S"(esi), "+c"(ecx) : "d"(DPORT_FIFO) : "memory");
	EXPECT_EQ(inl(DPORT_COUNT), 192);
	edi = (uint32_t)in;
	ecx = 48;
	__asm__ volatile("rep insl" : "+D"(edi), "+c"(ecx) : "d"(DPORT_FIFO) : "memory");
	EXPECT_EQ(edi, (uint32_t)in + 192);
	EXPECT_MEMEQ(in, out, 192);
	/* DF = 1: words from the top down; the element order reverses. */
	memset(in, 0, sizeof(in));
	esi = (uint32_t)&out[2 * 9];
	ecx = 10;
	__asm__ volatile("std; rep outsw; cld" : "+S"(esi), "+c"(ecx) : "d"(DPORT_FIFO) : "memory");
	EXPECT_EQ(esi, (uint32_t)out - 2);
	edi = (uint32_t)in;
	ecx = 10;
	__asm__ volatile("rep insw" : "+D"(edi), "+c"(ecx) : "d"(DPORT_FIFO) : "memory");
	for (int i = 0; i < 10; i++) {
		uint16_t want = (uint16_t)(out[2 * (9 - i)] | out[2 * (9 - i) + 1] << 8);
		EXPECT_EQ(in[2 * i] | in[2 * i + 1] << 8, want);
	}
	/* OUTS without REP; ECX = 0 moves nothing. */
	esi = (uint32_t)out;
	__asm__ volatile("outsb" : "+S"(esi) : "d"(DPORT_FIFO) : "memory");
	EXPECT_EQ(esi, (uint32_t)out + 1);
	ecx = 0;
	__asm__ volatile("rep outsb" : "+S"(esi), "+c"(ecx) : "d"(DPORT_FIFO) : "memory");
	EXPECT_EQ(esi, (uint32_t)out + 1);
	EXPECT_EQ(inl(DPORT_COUNT), 1);
	EXPECT_EQ(inb(DPORT_FIFO), out[0]);
	printf("string I/O: REP OUTSB/INSB 256, OUTSD/INSD 48, STD OUTSW 10, OUTSB, ECX 0 ok\n");
}

static void check_mmio(void)
{
	uintptr_t m = DMMIO;
	uint32_t c0 = mmio_count();
	/* Each size, stored and loaded back. */
	mmio_write8(m + 0x10, 0x5a);
	mmio_write16(m + 0x12, 0xbeef);
	mmio_write32(m + 0x14, 0xcafef00d);
	EXPECT_EQ(*(volatile uint8_t *)(m + 0x10), 0x5a);
	EXPECT_EQ(*(volatile uint16_t *)(m + 0x12), 0xbeef);
	EXPECT_EQ(mmio_read32(m + 0x14), 0xcafef00d);
	/* 3 stores, 3 loads, and the count read itself counts after it. */
	EXPECT_EQ(mmio_count(), c0 + 1 + 6);
	/* MOVZX/MOVSX of a byte and a word. */
	uint32_t zx, sx;
	__asm__ volatile("movzbl (%1), %0" : "=r"(zx) : "r"(m + 0x12));
	__asm__ volatile("movswl (%1), %0" : "=r"(sx) : "r"(m + 0x12));
	EXPECT_EQ(zx, 0xef);
	EXPECT_EQ(sx, 0xffffbeef);
	/* Read-modify-write: one read and one write each. */
	uint32_t c1 = mmio_count();
	uint32_t add = 0x10000001;
	__asm__ volatile("addl %0, (%1)" ::"r"(add), "r"(m + 0x14) : "memory", "cc");
	__asm__ volatile("orl $0xf0, (%0)" ::"r"(m + 0x14) : "memory", "cc");
	uint32_t x = 0x12345678;
	__asm__ volatile("xchgl %0, (%1)" : "+r"(x) : "r"(m + 0x14) : "memory");
	EXPECT_EQ(x, (0xcafef00dU + 0x10000001U) | 0xf0);
	EXPECT_EQ(mmio_read32(m + 0x14), 0x12345678);
	EXPECT_EQ(mmio_count(), c1 + 1 + 6 + 1);
	EXPECT_EQ(mmio_read32(m + TESTDEV_LAST_SIZE), 4);
	/* CMP and BT set flags from the device's value. */
	uint8_t zf, cf;
	__asm__ volatile("cmpl $0x12345678, (%1); setz %0" : "=r"(zf) : "r"(m + 0x14) : "cc");
	EXPECT_EQ(zf, 1);
	__asm__ volatile("btl $3, (%1); setc %0" : "=r"(cf) : "r"(m + 0x14) : "cc");
	EXPECT_EQ(cf, 1); /* 0x...78: bit 3 set */
	__asm__ volatile("btl $0, (%1); setc %0" : "=r"(cf) : "r"(m + 0x14) : "cc");
	EXPECT_EQ(cf, 0);
	/* REP MOVSD RAM -> device and back, REP STOSB. */
	static uint32_t src[16], dst[16];
	for (int i = 0; i < 16; i++)
		src[i] = 0x01010101U * (uint32_t)(i + 1);
	uint32_t c2 = mmio_count();
	uint32_t esi = (uint32_t)src, edi = m + 0x20, ecx = 16;
	__asm__ volatile("rep movsl" : "+S"(esi), "+D"(edi), "+c"(ecx)::"memory");
	EXPECT_EQ(edi, m + 0x60);
	esi = m + 0x20;
	edi = (uint32_t)dst;
	ecx = 16;
	__asm__ volatile("rep movsl" : "+S"(esi), "+D"(edi), "+c"(ecx)::"memory");
	EXPECT_MEMEQ(dst, src, sizeof(src));
	EXPECT_EQ(mmio_count(), c2 + 1 + 32);
	edi = m + 0x60;
	ecx = 8;
	__asm__ volatile("rep stosb" : "+D"(edi), "+c"(ecx) : "a"(0x77) : "memory");
	EXPECT_EQ(mmio_read32(m + 0x60), 0x77777777);
	EXPECT_EQ(mmio_read32(m + 0x64), 0x77777777);
	/* Between the test device (answers at once) and this one (later):
	 * each element one read and one write, each made once. */
	mmio_write32(TESTDEV_MMIO_BASE + 0x40, 0xa1b2c3d4);
	mmio_write32(TESTDEV_MMIO_BASE + 0x44, 0x0badcafe);
	uint32_t t0 = mmio_read32(TESTDEV_MMIO_BASE + TESTDEV_ACCESS_COUNT), c3 = mmio_count();
	esi = TESTDEV_MMIO_BASE + 0x40;
	edi = m + 0x68;
	ecx = 2;
	__asm__ volatile("rep movsl" : "+S"(esi), "+D"(edi), "+c"(ecx)::"memory");
	EXPECT_EQ(mmio_read32(TESTDEV_MMIO_BASE + TESTDEV_ACCESS_COUNT), t0 + 1 + 2);
	EXPECT_EQ(mmio_count(), c3 + 1 + 2);
	EXPECT_EQ(mmio_read32(m + 0x68), 0xa1b2c3d4);
	EXPECT_EQ(mmio_read32(m + 0x6c), 0x0badcafe);
	printf(
	    "MMIO: MOV 1/2/4, MOVZX/MOVSX, ADD/OR/XCHG (1 read + 1 write each), CMP/BT flags, REP MOVSD both "
	    "ways, REP STOSB, MOVSD between the devices ok\n");
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	if (skip_unless_coopvmm("the deferred test device"))
		return 0;
	lapic_enable(false);
	uint32_t cpus = smp_cpus();
	if (cpus < 2)
		fail("one vCPU: run it as run=%s:16M:2", guest_name);
	outl(DPORT_DELAY, DELAY_US);
	bool up = smp_start_ap(1, ap_fn, NULL, ap_stack, sizeof(ap_stack), AP_WAIT_MS);
	EXPECT_TRUE(up);
	check_ports();
	check_string_io();
	for (uint64_t i = 0; !ap_done && i < 2000000000ULL; i++)
		cpu_relax();
	printf("vCPU 1: %u rounds of store/load/XCHG on its half, %u wrong (first at round %u)\n", ap_rounds,
	       ap_errors, ap_first_bad);
	EXPECT_EQ(ap_done, 1);
	EXPECT_EQ(ap_errors, 0);
	EXPECT_EQ(ap_rounds, AP_ROUNDS);
	check_mmio();
	return 0;
}
