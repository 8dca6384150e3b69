/* SPDX-License-Identifier: GPL-2.0-only */
/* dr_isolation: the registers VMX does not switch -- DR0-DR3, DR6 (Intel
 * SDM Vol. 3B 17.2; only DR7 is in the VMCS) and CR2 -- belong to this
 * guest alone. The system test runs two copies (dr_isolation and
 * dr_isolation2) on one VMM CPU: each writes its own pattern and checks
 * it after every time slice the other copy took (a jump in the TSC), so
 * a value leaking from one guest to the other fails the check. DR7 stays
 * 0: the addresses arm no breakpoint. */
#include "rt/rt.h"

#include "rt/timer.h"

#define RUN_MS	   400
#define GAP_MS	   2	       /* a TSC jump this long: another vCPU ran */
#define DR6_FIXED1 0xffff0ff0U /* reads as 1 (17.2.3) */
#define DR6_B_MASK 0xfU	       /* B0-B3, writable */

#define DEFINE_DR(n)                                                                                         \
	static inline uint32_t read_dr##n(void)                                                              \
	{                                                                                                    \
		uint32_t v;                                                                                  \
		__asm__ volatile("mov %%db" #n ", %0" : "=r"(v));                                            \
		return v;                                                                                    \
	}                                                                                                    \
	static inline void write_dr##n(uint32_t v)                                                           \
	{                                                                                                    \
		__asm__ volatile("mov %0, %%db" #n : : "r"(v) : "memory");                                   \
	}
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)

struct regs {
	uint32_t dr[4], dr6, cr2;
};

static void read_all(struct regs *r)
{
	r->dr[0] = read_dr0();
	r->dr[1] = read_dr1();
	r->dr[2] = read_dr2();
	r->dr[3] = read_dr3();
	r->dr6 = read_dr6();
	r->cr2 = read_cr2();
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	(void)mbi;
	/* A pattern of our own: the low TSC bits differ between the copies. */
	uint32_t p = (uint32_t)rdtsc() * 2654435761U;
	struct regs want = {{p, p ^ 0x11111111U, p ^ 0x22222222U, p ^ 0x33333333U},
			    DR6_FIXED1 | (p & DR6_B_MASK),
			    p ^ 0x5a5a0000U};
	write_dr0(want.dr[0]);
	write_dr1(want.dr[1]);
	write_dr2(want.dr[2]);
	write_dr3(want.dr[3]);
	write_dr6(want.dr6);
	write_cr2(want.cr2);
	printf("pattern %#x: DR0 %#x DR6 %#x CR2 %#x\n", p, want.dr[0], want.dr6, want.cr2);

	uint64_t gap = ms_to_tsc(GAP_MS), end = rdtsc() + ms_to_tsc(RUN_MS);
	uint64_t prev = rdtsc();
	uint32_t switches = 0, checks = 0;
	for (uint64_t now = prev; now < end; prev = now, now = rdtsc()) {
		if (now - prev < gap)
			continue;
		switches++;
		struct regs got;
		read_all(&got);
		checks++;
		for (int i = 0; i < 4; i++)
			EXPECT_EQ(got.dr[i], want.dr[i]);
		EXPECT_EQ(got.dr6, want.dr6);
		EXPECT_EQ(got.cr2, want.cr2);
	}
	struct regs last;
	read_all(&last);
	EXPECT_MEMEQ(&last, &want, sizeof(last));
	printf("switches %u, checks %u: DR0-DR3, DR6 and CR2 kept\n", switches, checks);
	return 0;
}
