/* SPDX-License-Identifier: GPL-2.0-only */
/* test_vpit.c: unit tests of the virtual 8254 (vmm/vdev/vpit.c) against a
 * reference clock computed here with 128-bit arithmetic: periodic IRQ0 edge
 * counts over long spans at 2.4 GHz, 100 MHz and 5 GHz, mode 0 OUT2 timing
 * to the CLK edge, the TSC calibration loops of vmm/platform/timer.c,
 * tests/guests/rt/timer.c and Linux replayed against the model, latch and
 * read-back, flip-flops, GATE, reprogramming, every mode, BCD, and
 * vpit_next_edge() against vpit_irq0_edges(). */
#include <stdlib.h>

#include "test.h"
#include "vmm/lib/errno.h"
#include "vmm/vdev/vpit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define KHZ_2G4	    2400000ULL
#define KHZ_100M    100000ULL
#define KHZ_5G	    5000000ULL
#define TSC_HZ(khz) ((khz)*1000ULL)
#define YEAR_S	    (365ULL * 24 * 3600)

/* Control words: channel << 6 | access << 4 | mode << 1 | bcd */
#define CW(ch, rw, mode) ((uint8_t)((ch) << 6 | (rw) << 4 | (mode) << 1))
#define LO		 1
#define HI		 2
#define LOHI		 3
#define CH2_GATE_ON	 0x01
#define OUT2		 0x20

/* Reference clock: CLK edges in (0, t], and the TSC time of edge k. */
static uint64_t ref_clk(uint64_t khz, uint64_t t)
{
	return (uint64_t)((unsigned __int128)t * PIT_HZ / TSC_HZ(khz));
}

static uint64_t ref_tsc(uint64_t khz, uint64_t k)
{
	unsigned __int128 num = (unsigned __int128)k * TSC_HZ(khz);

	return (uint64_t)((num + PIT_HZ - 1) / PIT_HZ);
}

static void out(struct vpit *p, uint16_t port, uint8_t v, uint64_t t)
{
	EXPECT_EQ(vpit_io(p, port, true, &v, t), 0);
}

static uint8_t in(struct vpit *p, uint16_t port, uint64_t t)
{
	uint8_t v = 0x5a;

	EXPECT_EQ(vpit_io(p, port, false, &v, t), 0);
	return v;
}

/* Program a channel: control word then the count in lo/hi order, all at t.
 * Returns the CLK edge that loads the count (the edge after t). */
static uint64_t program(struct vpit *p, uint64_t khz, unsigned ch, unsigned mode, uint16_t count, uint64_t t)
{
	out(p, PIT_CMD, CW(ch, LOHI, mode), t);
	out(p, (uint16_t)(PIT_CH0_DATA + ch), (uint8_t)count, t);
	out(p, (uint16_t)(PIT_CH0_DATA + ch), (uint8_t)(count >> 8), t);
	return ref_clk(khz, t) + 1;
}

static bool out2(struct vpit *p, uint64_t t)
{
	return in(p, PORT_SYS_CTRL_B, t) & OUT2;
}

static uint16_t read_lohi(struct vpit *p, unsigned ch, uint64_t t)
{
	uint16_t lo = in(p, (uint16_t)(PIT_CH0_DATA + ch), t);

	return (uint16_t)(lo | in(p, (uint16_t)(PIT_CH0_DATA + ch), t) << 8);
}

static uint16_t latch_read(struct vpit *p, unsigned ch, uint64_t t)
{
	out(p, PIT_CMD, CW(ch, 0, 0), t); /* counter latch command */
	return read_lohi(p, ch, t);
}

TEST(vpit, ports)
{
	static const uint16_t ports[] = {0x3f, 0x44, 0x60, 0x62, 0x20, 0x4d0, 0xffff};
	struct vpit p;
	uint8_t v = 0x77;

	vpit_init(&p, KHZ_2G4);
	for (size_t i = 0; i < N(ports); i++) {
		test_context("port %#x", ports[i]);
		EXPECT_EQ(vpit_io(&p, ports[i], false, &v, 0), -ENOENT);
		EXPECT_EQ(v, 0x77);
		EXPECT_EQ(vpit_io(&p, ports[i], true, &v, 0), -ENOENT);
	}
	EXPECT_EQ(in(&p, PIT_CMD, 0), 0xff); /* write-only */
}

TEST(vpit, power_on_state)
{
	struct vpit p;

	vpit_init(&p, KHZ_2G4);
	EXPECT_EQ(vpit_irq0_edges(&p, 1000000000ULL), 0);
	EXPECT_EQ(vpit_next_edge(&p, 1000000000ULL), UINT64_MAX);
	/* Port 0x61: gate off, OUT2 high (mode 3, no count), bits 6-7 clear. */
	EXPECT_EQ(in(&p, PORT_SYS_CTRL_B, 0) & ~SYS_CTRL_B_REFRESH, OUT2);
	out(&p, PIT_CMD, 0xe2, 0); /* read-back status of channel 0 */
	EXPECT_EQ(in(&p, PIT_CH0_DATA, 0), 0x80 | 0x40 | 0x36);
	EXPECT_EQ(read_lohi(&p, 0, 0), 0);
}

TEST(vpit, tsc_rate_clamped)
{
	struct vpit p;

	vpit_init(&p, 0);
	EXPECT_EQ(p.tsc_hz, TSC_HZ(VPIT_MIN_TSC_KHZ));
	program(&p, VPIT_MIN_TSC_KHZ, 0, 2, 100, UINT64_MAX - 1000000);
	EXPECT_GT(vpit_irq0_edges(&p, UINT64_MAX - 10), 0);
	EXPECT_EQ(vpit_next_edge(&p, UINT64_MAX - 10), UINT64_MAX); /* beyond the TSC range */
	(void)vpit_irq0_edges(&p, UINT64_MAX);
	vpit_init(&p, UINT64_MAX);
	EXPECT_EQ(p.tsc_hz, TSC_HZ(VPIT_MAX_TSC_KHZ));
	program(&p, VPIT_MAX_TSC_KHZ, 0, 2, 2, UINT64_MAX - TSC_HZ(VPIT_MAX_TSC_KHZ));
	EXPECT_EQ(vpit_irq0_edges(&p, UINT64_MAX),
		  (ref_clk(VPIT_MAX_TSC_KHZ, UINT64_MAX) -
		   ref_clk(VPIT_MAX_TSC_KHZ, UINT64_MAX - TSC_HZ(VPIT_MAX_TSC_KHZ)) - 1) /
		      2);
}

/* Periodic modes: edges at load + k*n, collected at irregular intervals. */
TEST(vpit, periodic_edge_counts)
{
	static const struct {
		uint64_t khz;
		unsigned mode;
		uint16_t count;	 /* 0 = 65536 */
		uint64_t start;	 /* TSC of the programming */
		uint64_t span_s; /* seconds observed */
	} cases[] = {
	    {KHZ_2G4, 2, 11932, 12345, 3600}, /* Linux HZ=100 */
	    {KHZ_2G4, 3, 11932, 999999937, 3600},
	    {KHZ_100M, 2, 1193, 7, 7200},				 /* 1 kHz */
	    {KHZ_100M, 3, 0, 5, 86400},					 /* BIOS 18.2 Hz, a day */
	    {KHZ_2G4, 3, 3, 1, 60},					 /* odd, tiny */
	    {KHZ_5G, 2, 2, 3, 100},					 /* the fastest legal rate */
	    {KHZ_5G, 2, 11932, 10 * YEAR_S * TSC_HZ(KHZ_5G), 3 * 86400}, /* after 10 years */
	    {2999999ULL, 3, 65535, 77, 36000},
	};
	unsigned seed = 42;

	for (size_t i = 0; i < N(cases); i++) {
		uint64_t khz = cases[i].khz, n = cases[i].count ? cases[i].count : 65536;
		uint64_t end = cases[i].start + cases[i].span_s * TSC_HZ(khz);
		uint64_t total = 0, t = cases[i].start, load, expect;
		struct vpit p;

		test_context("case %zu", i);
		vpit_init(&p, khz);
		load = program(&p, khz, 0, cases[i].mode, cases[i].count, cases[i].start);
		while (t < end) {
			t += (uint64_t)rand_r(&seed) % (TSC_HZ(khz) / 7) + 1;
			if (t > end)
				t = end;
			total += vpit_irq0_edges(&p, t);
		}
		expect = (ref_clk(khz, end) - load) / n;
		EXPECT_EQ(total, expect);
		EXPECT_EQ(vpit_next_edge(&p, end), ref_tsc(khz, load + (expect + 1) * n));
	}
}

TEST(vpit, one_year_in_one_call)
{
	uint64_t khz = KHZ_5G, t0 = 1000, t1 = t0 + YEAR_S * TSC_HZ(KHZ_5G);
	struct vpit p;
	uint64_t load, expect;

	vpit_init(&p, khz);
	load = program(&p, khz, 0, 2, 11932, t0);
	expect = (ref_clk(khz, t1) - load) / 11932;
	EXPECT_LT(expect, 0xffffffffULL);
	EXPECT_GT(expect, 3000000000ULL);
	EXPECT_EQ(vpit_irq0_edges(&p, t1), expect);
	/* The count register reads match the reference after all that time. */
	EXPECT_EQ(latch_read(&p, 0, t1), 11932 - (ref_clk(khz, t1) - load) % 11932);
}

TEST(vpit, edges_saturate_and_carry)
{
	uint64_t khz = KHZ_2G4, t1 = 10 * 3600 * TSC_HZ(KHZ_2G4);
	struct vpit p;
	uint64_t load, expect, got;

	vpit_init(&p, khz);
	load = program(&p, khz, 0, 2, 2, 0);
	expect = (ref_clk(khz, t1) - load) / 2;
	EXPECT_GT(expect, 0xffffffffULL);
	got = vpit_irq0_edges(&p, t1);
	EXPECT_EQ(got, 0xffffffffULL);
	EXPECT_EQ(vpit_next_edge(&p, t1), t1); /* more are waiting */
	got += vpit_irq0_edges(&p, t1);
	got += vpit_irq0_edges(&p, t1);
	got += vpit_irq0_edges(&p, t1);
	got += vpit_irq0_edges(&p, t1);
	got += vpit_irq0_edges(&p, t1);
	EXPECT_EQ(got, expect);
	EXPECT_GT(vpit_next_edge(&p, t1), t1);
}

/* OUT2 in mode 0 rises exactly at CLK edge (write + 1 + N). */
TEST(vpit, mode0_out2_exact)
{
	static const uint64_t rates[] = {KHZ_2G4, KHZ_100M, KHZ_5G, 3579545ULL};
	static const uint16_t counts[] = {1, 2, 255, 256, 11931, 11932, 65535, 0};
	static const uint64_t starts[] = {0, 1, 123456789, 987654321987ULL};

	for (size_t r = 0; r < N(rates); r++)
		for (size_t c = 0; c < N(counts); c++)
			for (size_t s = 0; s < N(starts); s++) {
				uint64_t khz = rates[r], n = counts[c] ? counts[c] : 65536, t;
				struct vpit p;

				test_context("khz %llu count %u start %llu", (unsigned long long)khz,
					     counts[c], (unsigned long long)starts[s]);
				vpit_init(&p, khz);
				out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, starts[s]);
				t = ref_tsc(khz, program(&p, khz, 2, 0, counts[c], starts[s]) + n);
				EXPECT_FALSE(out2(&p, starts[s]));
				EXPECT_FALSE(out2(&p, t - 1));
				EXPECT_TRUE(out2(&p, t));
				EXPECT_TRUE(out2(&p, t + TSC_HZ(khz))); /* stays high */
			}
}

/* Replays vmm/platform/timer.c pit_window() and timer_calibrate() against the model:
 * every port access costs `cost` TSC cycles (a VM exit). */
struct sim {
	struct vpit p;
	uint64_t tsc, cost;
};

static uint8_t sim_inb(struct sim *s, uint16_t port)
{
	uint8_t v;

	s->tsc += s->cost;
	EXPECT_EQ(vpit_io(&s->p, port, false, &v, s->tsc), 0);
	return v;
}

static void sim_outb(struct sim *s, uint16_t port, uint8_t v)
{
	s->tsc += s->cost;
	EXPECT_EQ(vpit_io(&s->p, port, true, &v, s->tsc), 0);
}

#define CAL_WINDOW_MS 10

static uint64_t vmm_pit_window(struct sim *s)
{
	uint32_t count = PIT_HZ / (1000 / CAL_WINDOW_MS);
	uint8_t b = sim_inb(s, PORT_SYS_CTRL_B);
	uint64_t t0;

	sim_outb(s, PORT_SYS_CTRL_B, (uint8_t)((b & ~SYS_CTRL_B_SPEAKER) | CH2_GATE_ON));
	sim_outb(s, PIT_CMD, 0xb0); /* PIT_CMD_CH2_LOHI_MODE0 */
	sim_outb(s, PIT_CH2_DATA, (uint8_t)count);
	s->tsc += 3 * s->cost; /* lapic_count_start() */
	sim_outb(s, PIT_CH2_DATA, (uint8_t)(count >> 8));
	t0 = s->tsc += 25; /* rdtsc */
	for (int guard = 0; !(sim_inb(s, PORT_SYS_CTRL_B) & OUT2); guard++)
		EXPECT_LT(guard, 100000000);
	s->tsc += 25;
	sim_outb(s, PORT_SYS_CTRL_B, b & ~(SYS_CTRL_B_SPEAKER | CH2_GATE_ON));
	return s->tsc - 25 - t0 - s->cost;
}

TEST(vpit, vmm_timer_calibration_measures_tsc)
{
	static const struct {
		uint64_t khz, cost;
	} cases[] = {
	    {KHZ_2G4, 3000}, {KHZ_2G4, 40},	 {KHZ_100M, 150},
	    {KHZ_5G, 9000},  {2893421ULL, 2500}, {1000000ULL, 1},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct sim s = {.tsc = 987654321, .cost = cases[i].cost};
		uint64_t w[3], khz;

		test_context("khz %llu", (unsigned long long)cases[i].khz);
		vpit_init(&s.p, cases[i].khz);
		for (int k = 0; k < 3; k++)
			w[k] = vmm_pit_window(&s);
		/* median of three, as timer_calibrate() does */
		khz = (w[0] > w[1]) == (w[0] < w[2]) ? w[0] : (w[1] > w[0]) == (w[1] < w[2]) ? w[1] : w[2];
		khz /= CAL_WINDOW_MS;
		/* The window is 11931 + 1 PIT ticks (load on the next CLK): the
		 * measurement is within 2 ticks plus one poll of the truth. */
		EXPECT_MSG(khz * 11931 <=
			       cases[i].khz * 11931 + cases[i].khz * 2 + cases[i].cost * 11931 / 10,
			   "measured %llu kHz", (unsigned long long)khz);
		EXPECT_MSG(khz * 11931 + cases[i].khz * 2 >= cases[i].khz * 11931, "measured %llu kHz",
			   (unsigned long long)khz);
	}
}

/* tests/guests/rt/timer.c: the gate is low while programming, counting
 * starts when the gate rises, then kHz = dt * PIT_HZ / (11932 * 1000). */
TEST(vpit, guest_runtime_calibration)
{
	static const uint64_t rates[] = {KHZ_2G4, KHZ_100M, 3100000ULL};

	for (size_t i = 0; i < N(rates); i++) {
		struct sim s = {.tsc = 5, .cost = 2000};
		uint8_t ctrl;
		uint64_t t0, t1, khz, load_edge;

		test_context("khz %llu", (unsigned long long)rates[i]);
		vpit_init(&s.p, rates[i]);
		ctrl = sim_inb(&s, PORT_SYS_CTRL_B);
		sim_outb(&s, PORT_SYS_CTRL_B, (uint8_t)(ctrl & ~(SYS_CTRL_B_SPEAKER | CH2_GATE_ON)));
		sim_outb(&s, PIT_CMD, 0xb0);
		sim_outb(&s, PIT_CH2_DATA, 11932 & 0xff);
		sim_outb(&s, PIT_CH2_DATA, 11932 >> 8);
		t0 = s.tsc;
		sim_outb(&s, PORT_SYS_CTRL_B, (uint8_t)((ctrl & ~SYS_CTRL_B_SPEAKER) | CH2_GATE_ON));
		/* Counting resumes at the gate: OUT2 rises 11932 CLKs later. */
		load_edge = ref_clk(rates[i], s.tsc);
		do
			t1 = s.tsc;
		while (!(sim_inb(&s, PORT_SYS_CTRL_B) & OUT2));
		EXPECT_EQ(ref_clk(rates[i], s.tsc) >= load_edge + 11932, true);
		EXPECT_EQ(ref_clk(rates[i], t1) < load_edge + 11932, true);
		khz = (t1 - t0) * PIT_HZ / (11932 * 1000ULL);
		EXPECT_MSG(khz <= rates[i] && khz * 1000 >= rates[i] * 999, "measured %llu kHz",
			   (unsigned long long)khz);
	}
}

/* Linux quick_pit_calibrate(): channel 2 mode 0 with 0xffff, then pairs of
 * unlatched reads (LSB, MSB); the MSB counts down every 256 CLKs. */
TEST(vpit, linux_quick_calibrate_msb)
{
	uint64_t khz = KHZ_2G4, t = 1000, load;
	struct vpit p;

	vpit_init(&p, khz);
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, t);
	load = program(&p, khz, 2, 0, 0xffff, t);
	for (int i = 0; i < 2000; i++) {
		uint64_t e;
		uint16_t expect;

		t += 30011;
		e = ref_clk(khz, t) >= load ? ref_clk(khz, t) - load : 0;
		expect = (uint16_t)(0xffff - e);
		EXPECT_EQ(in(&p, PIT_CH2_DATA, t), expect & 0xff);
		EXPECT_EQ(in(&p, PIT_CH2_DATA, t), expect >> 8);
	}
}

TEST(vpit, counter_latch)
{
	uint64_t khz = KHZ_100M, t = 777, load, t1;
	struct vpit p;

	vpit_init(&p, khz);
	load = program(&p, khz, 0, 2, 1000, t);
	t1 = ref_tsc(khz, load + 2345);
	out(&p, PIT_CMD, 0x00, t1);			   /* latch channel 0 */
	out(&p, PIT_CMD, 0x00, ref_tsc(khz, load + 2400)); /* ignored: not read yet */
	EXPECT_EQ(in(&p, PIT_CH0_DATA, ref_tsc(khz, load + 2500)), (1000 - 345) & 0xff);
	EXPECT_EQ(in(&p, PIT_CH0_DATA, ref_tsc(khz, load + 2600)), (1000 - 345) >> 8);
	/* Latched again at a new time, then unlatched reads follow the count. */
	t1 = ref_tsc(khz, load + 2999);
	EXPECT_EQ(latch_read(&p, 0, t1), 1);
	t1 = ref_tsc(khz, load + 3000);
	EXPECT_EQ(read_lohi(&p, 0, t1), 1000); /* reloaded */
	/* A control word throws a pending latch away. */
	out(&p, PIT_CMD, 0x00, t1);
	out(&p, PIT_CMD, 0x34, t1);
	EXPECT_EQ(read_lohi(&p, 0, t1), 1000); /* the stale element */
}

TEST(vpit, latch_single_byte_access)
{
	uint64_t khz = KHZ_100M, load;
	struct vpit p;

	vpit_init(&p, khz);
	out(&p, PIT_CMD, CW(1, LO, 2), 0);
	out(&p, PIT_CH1_DATA, 18, 0); /* DRAM refresh style */
	load = ref_clk(khz, 0) + 1;
	out(&p, PIT_CMD, 0x40, ref_tsc(khz, load + 5)); /* latch ch1 */
	EXPECT_EQ(in(&p, PIT_CH1_DATA, ref_tsc(khz, load + 9)), 13);
	EXPECT_EQ(in(&p, PIT_CH1_DATA, ref_tsc(khz, load + 9)), 9); /* live again */
	out(&p, PIT_CMD, CW(1, HI, 2), 0);
	out(&p, PIT_CH1_DATA, 0x12, ref_tsc(khz, load + 20)); /* count 0x1200 */
	EXPECT_EQ(in(&p, PIT_CH1_DATA, ref_tsc(khz, load + 21)), 0x12);
	EXPECT_EQ(in(&p, PIT_CH1_DATA, ref_tsc(khz, load + 21 + 0x100)), 0x11);
}

TEST(vpit, read_back_command)
{
	uint64_t khz = KHZ_2G4, t = 100, load;
	struct vpit p;

	vpit_init(&p, khz);
	out(&p, PIT_CMD, 0x30, t);			 /* ch0 mode 0 */
	out(&p, PIT_CMD, 0xe2, t);			 /* status ch0 */
	EXPECT_EQ(in(&p, PIT_CH0_DATA, t), 0x40 | 0x30); /* OUT low, null count */
	out(&p, PIT_CH0_DATA, 0x10, t);
	out(&p, PIT_CMD, 0xe2, t);
	EXPECT_EQ(in(&p, PIT_CH0_DATA, t), 0x70); /* half a count */
	out(&p, PIT_CH0_DATA, 0x00, t);		  /* count 16 */
	load = ref_clk(khz, t) + 1;
	out(&p, PIT_CMD, 0xe2, t);
	EXPECT_EQ(in(&p, PIT_CH0_DATA, t), 0x70); /* not loaded yet */
	out(&p, PIT_CMD, 0xe2, ref_tsc(khz, load));
	EXPECT_EQ(in(&p, PIT_CH0_DATA, ref_tsc(khz, load)), 0x30);
	/* Count and status together: status first, then the count. */
	out(&p, PIT_CMD, 0xc2, ref_tsc(khz, load + 6));
	EXPECT_EQ(in(&p, PIT_CH0_DATA, ref_tsc(khz, load + 100)), 0x30);
	EXPECT_EQ(read_lohi(&p, 0, ref_tsc(khz, load + 100)), 10);
	out(&p, PIT_CMD, 0xe2, ref_tsc(khz, load + 16));
	EXPECT_EQ(in(&p, PIT_CH0_DATA, ref_tsc(khz, load + 16)), 0xb0); /* OUT high */
	/* Several channels at once; a second status latch is ignored. */
	program(&p, khz, 2, 3, 500, ref_tsc(khz, load + 120)); /* gate low */
	out(&p, PIT_CMD, 0xda, ref_tsc(khz, load + 121));      /* count ch0 + ch2 */
	out(&p, PIT_CMD, 0xea, ref_tsc(khz, load + 122));      /* status ch0 + ch2 */
	out(&p, PIT_CMD, 0xe8, ref_tsc(khz, load + 140));      /* status ch2 again */
	EXPECT_EQ(in(&p, PIT_CH2_DATA, ref_tsc(khz, load + 150)), 0x80 | 0x36);
	EXPECT_EQ(read_lohi(&p, 2, ref_tsc(khz, load + 150)), 500);
	EXPECT_EQ(in(&p, PIT_CH0_DATA, ref_tsc(khz, load + 150)), 0xb0);
	EXPECT_EQ(read_lohi(&p, 0, ref_tsc(khz, load + 150)), (uint16_t)(16 - 121));
	/* Read-back with no channel selected, and with the reserved bit 0. */
	out(&p, PIT_CMD, 0xc0, ref_tsc(khz, load + 160));
	out(&p, PIT_CMD, 0xe3, ref_tsc(khz, load + 160));
	EXPECT_EQ(in(&p, PIT_CH0_DATA, ref_tsc(khz, load + 160)), 0xb0);
}

TEST(vpit, lohi_flip_flops)
{
	uint64_t khz = KHZ_100M, load;
	struct vpit p;

	vpit_init(&p, khz);
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, 0);
	out(&p, PIT_CMD, CW(2, LOHI, 2), 0);
	out(&p, PIT_CH2_DATA, 0x34, 0);
	/* A control word resets the write flip-flop: the next byte is lo. */
	out(&p, PIT_CMD, CW(2, LOHI, 2), 0);
	out(&p, PIT_CH2_DATA, 0x00, 0);
	out(&p, PIT_CH2_DATA, 0x12, 0); /* 0x1200 */
	load = ref_clk(khz, 0) + 1;
	EXPECT_EQ(in(&p, PIT_CH2_DATA, ref_tsc(khz, load)), 0x00);
	/* An unlatched read pair may straddle a decrement, like the chip. */
	EXPECT_EQ(in(&p, PIT_CH2_DATA, ref_tsc(khz, load + 1)), 0x11);
	EXPECT_EQ(in(&p, PIT_CH2_DATA, ref_tsc(khz, load + 1)), 0xff);
	EXPECT_EQ(in(&p, PIT_CH2_DATA, ref_tsc(khz, load + 1)), 0x11);
	/* Read and write flip-flops are independent (datasheet example). */
	EXPECT_EQ(in(&p, PIT_CH2_DATA, ref_tsc(khz, load + 2)), 0xfe);
	out(&p, PIT_CH2_DATA, 0x00, ref_tsc(khz, load + 2));
	EXPECT_EQ(in(&p, PIT_CH2_DATA, ref_tsc(khz, load + 2)), 0x11);
	out(&p, PIT_CH2_DATA, 0x01, ref_tsc(khz, load + 2)); /* next period: 0x100 */
	EXPECT_EQ(latch_read(&p, 2, ref_tsc(khz, load + 0x1200)), 0x100);
}

TEST(vpit, gate_low_stops_counting)
{
	uint64_t khz = KHZ_2G4, t = 1000, load, stop, resume;
	struct vpit p;

	vpit_init(&p, khz);
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, t);
	load = program(&p, khz, 2, 0, 1000, t);
	stop = load + 300;
	out(&p, PORT_SYS_CTRL_B, 0, ref_tsc(khz, stop));
	EXPECT_EQ(latch_read(&p, 2, ref_tsc(khz, stop + 5000)), 700);
	EXPECT_FALSE(out2(&p, ref_tsc(khz, stop + 5000)));
	resume = stop + 100000;
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, ref_tsc(khz, resume));
	EXPECT_EQ(latch_read(&p, 2, ref_tsc(khz, resume + 1)), 699);
	EXPECT_FALSE(out2(&p, ref_tsc(khz, resume + 700) - 1));
	EXPECT_TRUE(out2(&p, ref_tsc(khz, resume + 700)));

	/* Mode 2: gate low forces OUT high and stops; a rising gate reloads. */
	load = program(&p, khz, 2, 2, 50, ref_tsc(khz, resume + 1000));
	EXPECT_FALSE(out2(&p, ref_tsc(khz, load + 49)));
	out(&p, PORT_SYS_CTRL_B, 0, ref_tsc(khz, load + 49));
	EXPECT_TRUE(out2(&p, ref_tsc(khz, load + 49)));
	EXPECT_EQ(latch_read(&p, 2, ref_tsc(khz, load + 80)), 1);
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, ref_tsc(khz, load + 90));
	EXPECT_EQ(latch_read(&p, 2, ref_tsc(khz, load + 91)), 50);
	EXPECT_TRUE(out2(&p, ref_tsc(khz, load + 91 + 48)));
	EXPECT_FALSE(out2(&p, ref_tsc(khz, load + 91 + 49)));

	/* Mode 0 programmed with the gate low waits for it. */
	out(&p, PORT_SYS_CTRL_B, 0, ref_tsc(khz, load + 200));
	load = program(&p, khz, 2, 0, 10, ref_tsc(khz, load + 200));
	EXPECT_EQ(latch_read(&p, 2, ref_tsc(khz, load + 1000)), 10);
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, ref_tsc(khz, load + 1000));
	EXPECT_FALSE(out2(&p, ref_tsc(khz, load + 1009)));
	EXPECT_TRUE(out2(&p, ref_tsc(khz, load + 1010)));
}

TEST(vpit, reprogram_mid_count)
{
	uint64_t khz = KHZ_2G4, load, w;
	struct vpit p;

	vpit_init(&p, khz);
	load = program(&p, khz, 0, 2, 1000, 50);
	EXPECT_EQ(vpit_next_edge(&p, 50), ref_tsc(khz, load + 1000));
	/* Mode 2: a new count waits for the end of the current period. */
	w = ref_tsc(khz, load + 2500);
	EXPECT_EQ(vpit_irq0_edges(&p, w), 2);
	out(&p, PIT_CH0_DATA, 500 & 0xff, w);
	out(&p, PIT_CH0_DATA, 500 >> 8, w);
	EXPECT_EQ(vpit_next_edge(&p, w), ref_tsc(khz, load + 3000));
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 3000)), 1);
	EXPECT_EQ(vpit_next_edge(&p, ref_tsc(khz, load + 3000)), ref_tsc(khz, load + 3500));
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 4999)), 3);
	EXPECT_EQ(latch_read(&p, 0, ref_tsc(khz, load + 4999)), 1);
	/* Written exactly at a reload edge: loads at the next one. */
	w = ref_tsc(khz, load + 5000);
	out(&p, PIT_CH0_DATA, 100, w);
	out(&p, PIT_CH0_DATA, 0, w);
	EXPECT_EQ(vpit_irq0_edges(&p, w), 1);
	EXPECT_EQ(vpit_next_edge(&p, w + 1), ref_tsc(khz, load + 5500));
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 5500)), 1);
	EXPECT_EQ(vpit_next_edge(&p, ref_tsc(khz, load + 5500)), ref_tsc(khz, load + 5600));
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 5600)), 1);

	/* Mode 0: a new count restarts at once; the first byte stops it. */
	load = program(&p, khz, 0, 0, 5000, ref_tsc(khz, load + 6000));
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load)), 4); /* mode 2 until then */
	w = ref_tsc(khz, load + 4000);
	out(&p, PIT_CH0_DATA, 0x10, w);
	EXPECT_EQ(latch_read(&p, 0, ref_tsc(khz, load + 4500)), 1000);
	EXPECT_EQ(vpit_next_edge(&p, ref_tsc(khz, load + 4500)), UINT64_MAX);
	out(&p, PIT_CH0_DATA, 0x00, ref_tsc(khz, load + 4600)); /* 16 */
	EXPECT_EQ(vpit_next_edge(&p, ref_tsc(khz, load + 4600)), ref_tsc(khz, load + 4601 + 16));
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 4601 + 16)), 1);
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 99999)), 0);
}

/* Linux's oneshot clockevent: 0x38 (mode 4), then lo/hi per event. */
TEST(vpit, mode4_software_strobe)
{
	uint64_t khz = KHZ_2G4, load, t;
	struct vpit p;

	vpit_init(&p, khz);
	out(&p, PIT_CMD, 0x38, 10);
	EXPECT_EQ(vpit_irq0_edges(&p, 10), 0);
	out(&p, PIT_CH0_DATA, 100, 10);
	out(&p, PIT_CH0_DATA, 0, 10);
	load = ref_clk(khz, 10) + 1;
	/* OUT low for the one CLK at terminal count, the IRQ0 edge after it. */
	EXPECT_EQ(vpit_next_edge(&p, 10), ref_tsc(khz, load + 101));
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 101) - 1), 0);
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 101)), 1);
	EXPECT_EQ(vpit_next_edge(&p, ref_tsc(khz, load + 101)), UINT64_MAX);
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 200000)), 0);
	/* Next event. */
	t = ref_tsc(khz, load + 200000);
	out(&p, PIT_CH0_DATA, 0x34, t);
	out(&p, PIT_CH0_DATA, 0x12, t);
	load = ref_clk(khz, t) + 1;
	EXPECT_EQ(vpit_next_edge(&p, t), ref_tsc(khz, load + 0x1234 + 1));
	/* On channel 2, OUT2 low exactly for that CLK. */
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, t);
	load = program(&p, khz, 2, 4, 7, t);
	EXPECT_TRUE(out2(&p, ref_tsc(khz, load + 6)));
	EXPECT_FALSE(out2(&p, ref_tsc(khz, load + 7)));
	EXPECT_TRUE(out2(&p, ref_tsc(khz, load + 8)));
}

TEST(vpit, mode1_and_mode5_gate_triggered)
{
	uint64_t khz = KHZ_100M, trig, t;
	struct vpit p;

	vpit_init(&p, khz);
	program(&p, khz, 2, 1, 100, 0);
	EXPECT_TRUE(out2(&p, 1000000)); /* waits for a trigger */
	trig = ref_clk(khz, 1000000);
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, 1000000);
	EXPECT_TRUE(out2(&p, ref_tsc(khz, trig + 1) - 1));
	EXPECT_FALSE(out2(&p, ref_tsc(khz, trig + 1)));
	EXPECT_FALSE(out2(&p, ref_tsc(khz, trig + 50)));
	/* Gate low does not matter in mode 1; a new rising edge retriggers. */
	t = ref_tsc(khz, trig + 60);
	out(&p, PORT_SYS_CTRL_B, 0, t);
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, t);
	EXPECT_FALSE(out2(&p, ref_tsc(khz, trig + 160)));
	EXPECT_TRUE(out2(&p, ref_tsc(khz, trig + 161)));
	/* A retrigger loads the latest count. */
	out(&p, PIT_CH2_DATA, 10, ref_tsc(khz, trig + 200));
	out(&p, PIT_CH2_DATA, 0, ref_tsc(khz, trig + 200));
	EXPECT_TRUE(out2(&p, ref_tsc(khz, trig + 300)));
	out(&p, PORT_SYS_CTRL_B, 0, ref_tsc(khz, trig + 300));
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, ref_tsc(khz, trig + 300));
	EXPECT_FALSE(out2(&p, ref_tsc(khz, trig + 310)));
	EXPECT_TRUE(out2(&p, ref_tsc(khz, trig + 311)));

	/* Mode 5: one low CLK at terminal count after each trigger. */
	t = ref_tsc(khz, trig + 400);
	out(&p, PORT_SYS_CTRL_B, 0, t);
	program(&p, khz, 2, 5, 20, t);
	trig = ref_clk(khz, t) + 10;
	out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, ref_tsc(khz, trig));
	EXPECT_TRUE(out2(&p, ref_tsc(khz, trig + 20)));
	EXPECT_FALSE(out2(&p, ref_tsc(khz, trig + 21)));
	EXPECT_TRUE(out2(&p, ref_tsc(khz, trig + 22)));
	/* Channel 0's gate is tied high: mode 1 there never triggers. */
	program(&p, khz, 0, 1, 5, ref_tsc(khz, trig + 30));
	EXPECT_EQ(vpit_next_edge(&p, ref_tsc(khz, trig + 30)), UINT64_MAX);
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, trig + 3000)), 0);
}

TEST(vpit, mode3_duty_cycle)
{
	static const uint16_t counts[] = {2, 3, 4, 5, 10, 11};
	uint64_t khz = KHZ_100M;

	for (size_t i = 0; i < N(counts); i++) {
		unsigned n = counts[i];
		struct vpit p;
		uint64_t load;

		test_context("count %u", n);
		vpit_init(&p, khz);
		out(&p, PORT_SYS_CTRL_B, CH2_GATE_ON, 0);
		load = program(&p, khz, 2, 3, (uint16_t)n, 0);
		for (unsigned k = 0; k < 3 * n; k++) {
			bool high = k % n < (n + 1) / 2;

			EXPECT_EQ(out2(&p, ref_tsc(khz, load + k)), high);
		}
	}
}

TEST(vpit, illegal_count_one)
{
	uint64_t khz = KHZ_2G4;
	struct vpit p;

	vpit_init(&p, khz);
	program(&p, khz, 0, 2, 1, 0);
	EXPECT_EQ(vpit_next_edge(&p, 0), UINT64_MAX);
	EXPECT_EQ(vpit_irq0_edges(&p, TSC_HZ(khz)), 0);
	EXPECT_EQ(latch_read(&p, 0, TSC_HZ(khz)), 1);
	program(&p, khz, 0, 3, 1, 2 * TSC_HZ(khz));
	EXPECT_EQ(vpit_irq0_edges(&p, 3 * TSC_HZ(khz)), 0);
	/* Mode 0 with 1 fires after two CLKs. */
	program(&p, khz, 0, 0, 1, 4 * TSC_HZ(khz));
	EXPECT_EQ(vpit_next_edge(&p, 4 * TSC_HZ(khz)), ref_tsc(khz, ref_clk(khz, 4 * TSC_HZ(khz)) + 2));
}

TEST(vpit, bcd_counting)
{
	uint64_t khz = KHZ_100M, load;
	struct vpit p;

	vpit_init(&p, khz);
	out(&p, PIT_CMD, 0x35, 0); /* ch0 lohi mode 2 BCD */
	out(&p, PIT_CH0_DATA, 0x00, 0);
	out(&p, PIT_CH0_DATA, 0x10, 0); /* 1000 */
	load = ref_clk(khz, 0) + 1;
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 10000)), 10);
	EXPECT_EQ(latch_read(&p, 0, ref_tsc(khz, load + 10001)), 0x0999);
	EXPECT_EQ(latch_read(&p, 0, ref_tsc(khz, load + 10123)), 0x0877);
	out(&p, PIT_CMD, 0xe2, ref_tsc(khz, load + 10123));
	EXPECT_EQ(in(&p, PIT_CH0_DATA, ref_tsc(khz, load + 10123)), 0x80 | 0x35);
	/* 0 is 10000 in BCD. */
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 20000)), 10);
	out(&p, PIT_CMD, 0x35, ref_tsc(khz, load + 20000));
	out(&p, PIT_CH0_DATA, 0, ref_tsc(khz, load + 20000));
	out(&p, PIT_CH0_DATA, 0, ref_tsc(khz, load + 20000));
	EXPECT_EQ(vpit_next_edge(&p, ref_tsc(khz, load + 20000)), ref_tsc(khz, load + 20001 + 10000));
	EXPECT_EQ(latch_read(&p, 0, ref_tsc(khz, load + 20001 + 1)), 0x9999);
	/* Bad digits count with their binary value: 0x00ff is 165. */
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 40000)), 1);
	out(&p, PIT_CMD, 0x35, ref_tsc(khz, load + 40000));
	out(&p, PIT_CH0_DATA, 0xff, ref_tsc(khz, load + 40000));
	out(&p, PIT_CH0_DATA, 0x00, ref_tsc(khz, load + 40000));
	/* OUT was low (the CLK before a reload): the control word raised it. */
	EXPECT_EQ(vpit_irq0_edges(&p, ref_tsc(khz, load + 40000)), 1);
	EXPECT_EQ(vpit_next_edge(&p, ref_tsc(khz, load + 40000)), ref_tsc(khz, load + 40001 + 165));
}

TEST(vpit, control_word_edge_is_reported)
{
	uint64_t khz = KHZ_2G4, t = 5000;
	struct vpit p;

	vpit_init(&p, khz);
	program(&p, khz, 0, 0, 0xffff, t); /* OUT0 low */
	t += 1000000;
	out(&p, PIT_CMD, 0x34, t); /* mode 2: OUT0 high at once */
	EXPECT_EQ(vpit_next_edge(&p, t), t);
	EXPECT_EQ(vpit_irq0_edges(&p, t), 1);
	EXPECT_EQ(vpit_next_edge(&p, t), UINT64_MAX); /* no count yet */
	/* Linux's shutdown: mode 0 with count 0 drives OUT low, no edge. */
	out(&p, PIT_CMD, 0x30, t);
	out(&p, PIT_CH0_DATA, 0, t);
	out(&p, PIT_CH0_DATA, 0, t);
	EXPECT_EQ(vpit_irq0_edges(&p, t + 1000), 0);
	EXPECT_EQ(vpit_next_edge(&p, t + 1000), ref_tsc(khz, ref_clk(khz, t) + 1 + 65536));
}

TEST(vpit, next_edge_matches_edges)
{
	uint64_t khz = KHZ_2G4, t = 123;
	unsigned seed = 7;
	struct vpit p;

	vpit_init(&p, khz);
	for (int i = 0; i < 3000; i++) {
		unsigned r = (unsigned)rand_r(&seed);
		uint64_t next;

		test_context("step %d", i);
		if (r % 7 == 0) {
			static const unsigned modes[] = {0, 2, 3, 4};
			uint16_t count = (uint16_t)(r >> 8 & (r & 0x10 ? 0xff : 0xffff));

			program(&p, khz, 0, modes[(r >> 4) % N(modes)], count, t);
		}
		(void)vpit_irq0_edges(&p, t);
		next = vpit_next_edge(&p, t);
		if (next == UINT64_MAX) {
			t += (uint64_t)r % 100000000;
			continue;
		}
		EXPECT_GT(next, t);
		EXPECT_EQ(vpit_next_edge(&p, next - 1), next);
		EXPECT_EQ(vpit_irq0_edges(&p, next - 1), 0);
		EXPECT_EQ(vpit_irq0_edges(&p, next), 1);
		t = next + (uint64_t)r % 3;
	}
}

TEST(vpit, time_never_runs_backwards)
{
	uint64_t khz = KHZ_2G4, e;
	struct vpit p;

	vpit_init(&p, khz);
	program(&p, khz, 0, 2, 100, 1000000000ULL);
	e = ref_clk(khz, 2000000000ULL) - ref_clk(khz, 1000000000ULL) - 1; /* decrements */
	EXPECT_EQ(vpit_irq0_edges(&p, 2000000000ULL), e / 100);
	EXPECT_EQ(vpit_irq0_edges(&p, 5), 0);
	EXPECT_GT(vpit_next_edge(&p, 5), 2000000000ULL);
	out(&p, PIT_CMD, 0x00, 7);
	EXPECT_EQ(read_lohi(&p, 0, 7), 100 - e % 100);
}

TEST(vpit, port61_bits)
{
	uint64_t khz = KHZ_100M;
	struct vpit p;

	vpit_init(&p, khz);
	out(&p, PORT_SYS_CTRL_B, 0xff, 0);
	EXPECT_EQ(in(&p, PORT_SYS_CTRL_B, 0) & ~(SYS_CTRL_B_REFRESH | OUT2), 0x0f);
	out(&p, PORT_SYS_CTRL_B, 0x02, 0);
	EXPECT_EQ(in(&p, PORT_SYS_CTRL_B, 0) & 0x0f, 0x02);
	/* Refresh toggle: flips every 18 CLKs. */
	for (uint64_t k = 0; k < 200; k++)
		EXPECT_EQ(!!(in(&p, PORT_SYS_CTRL_B, ref_tsc(khz, k)) & SYS_CTRL_B_REFRESH), (k / 18) & 1);
}

TEST(vpit, random_garbage)
{
	static const uint16_t ports[] = {PIT_CH0_DATA, PIT_CH1_DATA, PIT_CH2_DATA, PIT_CMD, PORT_SYS_CTRL_B};
	unsigned seed = 99;

	for (int round = 0; round < 40; round++) {
		uint64_t khz = round & 1 ? KHZ_2G4 : KHZ_100M, t = (uint64_t)round << 40;
		struct vpit p;

		vpit_init(&p, khz);
		for (int i = 0; i < 5000; i++) {
			unsigned r = (unsigned)rand_r(&seed);
			uint8_t v = (uint8_t)(r >> 8);
			uint64_t next;

			test_context("round %d step %d", round, i);
			t += r & 0x100 ? (uint64_t)(r >> 17) : (r >> 24);
			EXPECT_EQ(vpit_io(&p, ports[r % N(ports)], r & 0x10000, &v, t), 0);
			if (r % 13 == 0)
				(void)vpit_irq0_edges(&p, t);
			next = vpit_next_edge(&p, t);
			EXPECT_TRUE(next >= t);
			for (unsigned c = 0; c < PIT_CHANNELS; c++) {
				EXPECT_LE(p.ch[c].mode, 5);
				EXPECT_LE(p.ch[c].state, VPIT_PAUSED);
				EXPECT_TRUE(p.ch[c].state != VPIT_RUNNING || p.ch[c].n >= 1);
				EXPECT_LE(p.ch[c].n, 65536);
			}
		}
	}
}
