/* SPDX-License-Identifier: GPL-2.0-only */
/* test_iopm_cmdline.c: the IOPM's kernel command line and the extra
 * arguments the VMM refuses (vmm/iopm/iopm_cmdline.c). */
#include "test.h"

#include "vmm/lib/errno.h"
#include "vmm/iopm/iopm_cmdline.h"

static char line[1024], err[200];

static int build(const char *extra)
{
	struct iopm_cmdline_in in = {2095879, 0x1fc00000, 0x200000, extra};
	err[0] = 0;
	return iopm_build_cmdline(line, sizeof(line), &in, err, sizeof(err));
}

TEST(iopm_cmdline, vmm_parameters_then_extra)
{
	EXPECT_EQ(build(""), 0);
	EXPECT_STREQ(line, "console=ttyS1,115200 nr_cpus=1 noapic panic=0 nokaslr tsc_early_khz=2095879 "
			   "reserve=0x3f8,8 8250.nr_uarts=2 coopvmm.shared=0x1fc00000,0x200000 rdinit=/init");
	EXPECT_EQ(build("loglevel=7 iomem=strict memtest=0"), 0);
	EXPECT_STRCONTAINS(line, "rdinit=/init loglevel=7 iomem=strict memtest=0");
}

TEST(iopm_cmdline, iomem_relaxed_refused_in_every_spelling)
{
	/* Linux's iomem= handler looks for "relaxed" anywhere in the value
	 * (strstr), its parser strips quotes, and the last iomem= wins: these
	 * would let /dev/mem reach busy ranges again (the last one would not,
	 * "strict" is looked for after "relaxed": refused all the same). */
	static const char *const bad[] = {
	    "iomem=relaxed",   "quiet iomem=relaxed",	     "\"iomem=relaxed\"",    "iomem=\"relaxed\"",
	    "iomem=xrelaxedx", "iomem=strict iomem=relaxed", "debug\tiomem=relaxed", "iomem=relaxed,strict",
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_context("%s", bad[i]);
		EXPECT_EQ(build(bad[i]), -EINVAL);
		EXPECT_STRCONTAINS(err, "iomem=");
		EXPECT_STRCONTAINS(err, "/dev/mem");
	}
	test_context("%s", "");
	EXPECT_EQ(build("foo=\"a iomem=relaxed b\""), 0); /* inside another parameter's quoted value */
	EXPECT_EQ(build("iomemx=relaxed"), 0);
}

TEST(iopm_cmdline, confinement_parameters_refused)
{
	static const struct {
		const char *extra, *why;
	} bad[] = {
	    {"memmap=64M@0x1000000", "RAM"},
	    {"memmap=exactmap", "RAM"},
	    {"nr_cpus=2", "CPUs"},
	    {"nr-cpus=4", "CPUs"}, /* Linux: '-' and '_' are the same in names */
	    {"rdinit=/bin/sh", "/init"},
	    {"init=/bin/sh", "/init"},
	    {"coopvmm.shared=0x1000,0x1000", "shared zone"},
	    {"iopm.fake=1", "iopm.ko"},
	    {"iopm.guard_emergency=0", "emergency"},
	    {"iopm.guard-emergency=0", "emergency"},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_context("%s", bad[i].extra);
		EXPECT_EQ(build(bad[i].extra), -EINVAL);
		EXPECT_STRCONTAINS(err, bad[i].why);
	}
	test_context("%s", "");
	EXPECT_EQ(build("initcall_debug iopm.route_timeout_ms=500 console=tty0"), 0);
}

TEST(iopm_cmdline, too_long_refused)
{
	static char extra[1100];
	memset(extra, 'a', sizeof(extra) - 1);
	EXPECT_EQ(build(extra), -ENOSPC);
	EXPECT_STRCONTAINS(err, "bytes");
}
