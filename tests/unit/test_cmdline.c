/* SPDX-License-Identifier: GPL-2.0-only */
/* test_cmdline.c: unit tests of the boot command-line parser (vmm/platform/cmdline.c):
 * every key, suffix and number form, every error class with its message, and
 * random input that must never crash. */
#include <stdlib.h>

#include "test.h"
#include "vmm/platform/cmdline.h"
#include "vmm/lib/errno.h"

#define ERR_LEN 256

static struct boot_config parse_ok(const char *line)
{
	struct boot_config cfg;
	char err[ERR_LEN] = "";

	cmdline_defaults(&cfg);
	test_context("%s", line);
	EXPECT_EQ(cmdline_parse(line, &cfg, err, sizeof(err)), 0);
	EXPECT_STREQ(err, "");
	return cfg;
}

TEST(cmdline, defaults)
{
	struct boot_config cfg;

	memset(&cfg, 0xa5, sizeof(cfg));
	cmdline_defaults(&cfg);
	EXPECT_EQ(cfg.vmm_mem, 16 * MiB);
	EXPECT_EQ(cfg.iopm_mem, 128 * MiB);
	EXPECT_EQ(cfg.shared_mem, 2 * MiB);
	EXPECT_EQ(cfg.iopms, 1);
	EXPECT_EQ(cfg.loglevel, 2);
	EXPECT_EQ(cfg.iopm_console_irq, 3);
	EXPECT_FALSE(cfg.iopm_mem_set);
	EXPECT_EQ(cfg.given, 0);
}

TEST(cmdline, empty_lines)
{
	static const char *const lines[] = {"", " ", "\t\n\r \v\f", "   "};
	struct boot_config def, cfg;
	size_t i;

	cmdline_defaults(&def);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		cfg = parse_ok(lines[i]);
		EXPECT_EQ(memcmp(&cfg, &def, sizeof(cfg)), 0);
	}
	cmdline_defaults(&cfg);
	EXPECT_EQ(cmdline_parse(NULL, &cfg, NULL, 0), 0);
	EXPECT_EQ(memcmp(&cfg, &def, sizeof(cfg)), 0);
}

TEST(cmdline, every_key)
{
	struct boot_config cfg =
	    parse_ok("vmm_mem=32M iopm_mem=256M shared_mem=4M iopms=2 loglevel=3 "
		     "iopm_console_irq=4 cpu_enum=mptable timer_ref=pmtimer selftest=ap_pf "
		     "run=cpuid:8M,msr");

	EXPECT_EQ(cfg.vmm_mem, 32 * MiB);
	EXPECT_EQ(cfg.cpu_enum, CPU_ENUM_MPTABLE);
	EXPECT_EQ(cfg.timer_ref, TIMER_REF_PMTIMER);
	EXPECT_EQ(cfg.selftest, SELFTEST_AP_PF);
	EXPECT_STREQ(cfg.run, "cpuid:8M,msr");
	EXPECT_EQ(cfg.iopm_mem, 256 * MiB);
	EXPECT_EQ(cfg.shared_mem, 4 * MiB);
	EXPECT_EQ(cfg.iopms, 2);
	EXPECT_EQ(cfg.loglevel, 3);
	EXPECT_EQ(cfg.iopm_console_irq, 4);
	EXPECT_TRUE(cfg.iopm_mem_set);
	EXPECT_EQ(cfg.given, (1U << CMDLINE_NPARAMS) - 1);
}

TEST(cmdline, given_bits)
{
	struct boot_config cfg = parse_ok("iopms=2");

	EXPECT_TRUE(cmdline_given(&cfg, CMDLINE_IOPMS));
	EXPECT_FALSE(cmdline_given(&cfg, CMDLINE_IOPM_MEM));
	EXPECT_FALSE(cmdline_given(&cfg, CMDLINE_NPARAMS));
	EXPECT_FALSE(cfg.iopm_mem_set);
	cfg = parse_ok("iopm_mem=128M");
	EXPECT_TRUE(cfg.iopm_mem_set);
	EXPECT_TRUE(cmdline_given(&cfg, CMDLINE_IOPM_MEM));
}

/* Size forms: decimal, hex, every suffix in both cases. */
TEST(cmdline, sizes)
{
	static const struct {
		const char *line;
		uint64_t vmm_mem;
	} cases[] = {
	    {"vmm_mem=2097152", 2 * MiB},
	    {"vmm_mem=2048k", 2 * MiB},
	    {"vmm_mem=2048K", 2 * MiB},
	    {"vmm_mem=3m", 3 * MiB},
	    {"vmm_mem=3M", 3 * MiB},
	    {"vmm_mem=1g", 1 * GiB},
	    {"vmm_mem=1G", 1 * GiB},
	    {"vmm_mem=0x200000", 2 * MiB},
	    {"vmm_mem=0X300000", 3 * MiB},
	    {"vmm_mem=0xAbCdEf000", 0xabcdef000ULL},
	    {"vmm_mem=0x800k", 2 * MiB},
	    {"vmm_mem=0x10M", 16 * MiB},
	    {"vmm_mem=0x2G", 2 * GiB},
	    {"vmm_mem=0004M", 4 * MiB},
	    {"vmm_mem=2049M", 2049 * MiB},
	    {"vmm_mem=16777215G", 16777215ULL * GiB},
	    {"vmm_mem=0xfffffffffffff000", 0xfffffffffffff000ULL},
	    {"vmm_mem=17179869183G", 17179869183ULL * GiB},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct boot_config cfg = parse_ok(cases[i].line);

		EXPECT_EQ(cfg.vmm_mem, cases[i].vmm_mem);
	}
}

TEST(cmdline, integers)
{
	EXPECT_EQ(parse_ok("iopms=0").iopms, 0);
	EXPECT_EQ(parse_ok("iopms=8").iopms, 8);
	EXPECT_EQ(parse_ok("iopms=007").iopms, 7);
	EXPECT_EQ(parse_ok("loglevel=0").loglevel, 0);
	EXPECT_EQ(parse_ok("iopm_console_irq=0").iopm_console_irq, 0);
	EXPECT_EQ(parse_ok("iopm_console_irq=15").iopm_console_irq, 15);
}

TEST(cmdline, limits_inclusive)
{
	EXPECT_EQ(parse_ok("vmm_mem=2M").vmm_mem, 2 * MiB);
	EXPECT_EQ(parse_ok("iopm_mem=16M").iopm_mem, 16 * MiB);
	EXPECT_EQ(parse_ok("shared_mem=256K").shared_mem, 256 * KiB);
	EXPECT_EQ(parse_ok("shared_mem=256M").shared_mem, 256 * MiB);
	EXPECT_EQ(parse_ok("shared_mem=266240").shared_mem, 260 * KiB);
}

TEST(cmdline, whitespace)
{
	struct boot_config cfg = parse_ok("\t iopms=2\n\nloglevel=1\r\n  vmm_mem=4M \t");

	EXPECT_EQ(cfg.iopms, 2);
	EXPECT_EQ(cfg.loglevel, 1);
	EXPECT_EQ(cfg.vmm_mem, 4 * MiB);
}

TEST(cmdline, path_word)
{
	struct boot_config cfg = parse_ok("/boot/coopvmm.elf iopms=2");

	EXPECT_EQ(cfg.iopms, 2);
	cfg = parse_ok("  /boot/coopvmm.elf");
	EXPECT_EQ(cfg.iopms, 1);
	cfg = parse_ok("/");
	EXPECT_EQ(cfg.given, 0);
}

struct error_case {
	const char *line;
	const char *prefix;   /* the message starts with this */
	const char *contains; /* and contains this */
};

static const struct error_case error_cases[] = {
    /* unknown key */
    {"frobnicate=1", "frobnicate=1: ", "unknown parameter"},
    {"frobnicate", "frobnicate: ", "unknown parameter"},
    {"IOPMS=1", "IOPMS=1: ", "unknown parameter"},
    {"iopms=1 /boot/x", "/boot/x: ", "unknown parameter"},
    {"vmm_memory=4M", "vmm_memory=4M: ", "unknown parameter"},
    {"=5", "=5: ", "missing parameter name"},
    {"=", "=: ", "missing parameter name"},
    /* missing '=' */
    {"iopms", "iopms: ", "missing '='"},
    {"vmm_mem", "vmm_mem: ", "missing '=' (expected vmm_mem=<size>)"},
    /* empty value */
    {"iopms=", "iopms=: ", "empty value"},
    {"shared_mem=", "shared_mem=: ", "empty value"},
    /* not a number */
    {"iopm_mem=abc", "iopm_mem=abc: ", "not a size (expected a number with optional K, M or G suffix)"},
    {"iopm_mem=K", "iopm_mem=K: ", "not a size"},
    {"vmm_mem=0xZZ", "vmm_mem=0xZZ: ", "not a size"},
    {"vmm_mem=-4M", "vmm_mem=-4M: ", "not a size"},
    {"iopms=x", "iopms=x: ", "not a number (expected a decimal integer)"},
    {"iopms=-1", "iopms=-1: ", "not a number"},
    {"iopms=+1", "iopms=+1: ", "not a number"},
    {"loglevel= 1", "loglevel=: ", "empty value (expected 0 error, 1 warn, 2 info or 3 debug)"},
    {"loglevel=debug", "loglevel=debug: ", "not a number (expected 0 error, 1 warn, 2 info or 3 debug)"},
    /* trailing garbage */
    {"iopm_mem=12Q", "iopm_mem=12Q: ", "not a size, trailing \"Q\""},
    {"vmm_mem=4MB", "vmm_mem=4MB: ", "trailing \"B\""},
    {"vmm_mem=4M4", "vmm_mem=4M4: ", "trailing \"4\""},
    {"vmm_mem=0x", "vmm_mem=0x: ", "trailing \"x\""},
    {"vmm_mem=1.5M", "vmm_mem=1.5M: ", "trailing \".5M\""},
    {"iopms=3x", "iopms=3x: ", "not a number, trailing \"x\""},
    {"iopms=1=2", "iopms=1=2: ", "trailing \"=2\""},
    {"iopms=0x2", "iopms=0x2: ", "trailing \"x2\""},
    {"loglevel=1K", "loglevel=1K: ", "trailing \"K\" (expected 0 error, 1 warn, 2 info or 3 debug)"},
    /* overflow */
    {"vmm_mem=18446744073709551616", "vmm_mem=18446744073709551616: ", "too large"},
    {"vmm_mem=0x10000000000000000", "vmm_mem=0x10000000000000000: ", "too large"},
    {"vmm_mem=17179869184G", "vmm_mem=17179869184G: ", "too large"},
    {"vmm_mem=0x40000000000000M", "vmm_mem=0x40000000000000M: ", "too large"},
    {"vmm_mem=18014398509481984K", "vmm_mem=18014398509481984K: ", "too large"},
    {"iopms=99999999999999999999", "iopms=99999999999999999999: ", "too large"},
    /* below minimum */
    {"vmm_mem=0", "vmm_mem=0: ", "below the minimum of 2M"},
    {"vmm_mem=1M", "vmm_mem=1M: ", "below the minimum of 2M"},
    {"iopm_mem=8M", "iopm_mem=8M: ", "below the minimum of 16M"},
    {"shared_mem=252K", "shared_mem=252K: ", "below the minimum of 256K"},
    /* above maximum */
    {"shared_mem=512M", "shared_mem=512M: ", "above the maximum of 256M"},
    {"shared_mem=0x10001000", "shared_mem=0x10001000: ", "above the maximum of 256M"},
    {"iopms=9", "iopms=9: ", "too many IOPMs (maximum 8)"},
    {"iopms=4294967296", "iopms=4294967296: ", "too many IOPMs (maximum 8)"},
    {"loglevel=4", "loglevel=4: ", "unknown log level (expected 0 error, 1 warn, 2 info or 3 debug)"},
    {"iopm_console_irq=16", "iopm_console_irq=16: ", "not an ISA IRQ (maximum 15)"},
    /* misaligned */
    {"vmm_mem=2049K", "vmm_mem=2049K: ", "not a multiple of 4K"},
    {"vmm_mem=0x200001", "vmm_mem=0x200001: ", "not a multiple of 4K"},
    {"iopm_mem=17M", "iopm_mem=17M: ", "not a multiple of 2M"},
    {"shared_mem=262145", "shared_mem=262145: ", "not a multiple of 4K"},
    /* duplicates */
    {"iopms=1 iopms=2", "iopms=2: ", "duplicate parameter (already given as iopms=1)"},
    {"iopms=1 iopms=x", "iopms=x: ", "duplicate"},
    {"iopms=1 iopms", "iopms: ", "missing '='"},
    {"vmm_mem=4M loglevel=1 vmm_mem=4M", "vmm_mem=4M: ", "already given as vmm_mem=4M"},
    /* the first error wins, later words are not looked at */
    {"iopms=2 frob=1 vmm_mem=1", "frob=1: ", "unknown parameter"},
};

TEST(cmdline, errors)
{
	size_t i;

	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct error_case *c = &error_cases[i];
		struct boot_config cfg, def;
		char err[ERR_LEN];

		test_context("%s", c->line);
		cmdline_defaults(&cfg);
		def = cfg;
		memset(err, 'X', sizeof(err));
		EXPECT_EQ(cmdline_parse(c->line, &cfg, err, sizeof(err)), -EINVAL);
		EXPECT_STRSTARTS(err, c->prefix);
		EXPECT_STRCONTAINS(err, c->contains);
		EXPECT_TRUE(strchr(err, '\n') == NULL);
		/* cfg is left as it was */
		EXPECT_EQ(memcmp(&cfg, &def, sizeof(cfg)), 0);
	}
}

TEST(cmdline, error_long_word_truncated)
{
	char line[300], err[ERR_LEN];
	struct boot_config cfg;

	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "iopms=", 6);
	cmdline_defaults(&cfg);
	EXPECT_EQ(cmdline_parse(line, &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STRSTARTS(err, "iopms=aaaaaaaa");
	EXPECT_STRCONTAINS(err, "...: not a number");
	EXPECT_LT(strlen(err), 200);
}

TEST(cmdline, error_nonprintable_replaced)
{
	char err[ERR_LEN];
	struct boot_config cfg;

	cmdline_defaults(&cfg);
	EXPECT_EQ(cmdline_parse("iopms=\x01\x7f", &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STRSTARTS(err, "iopms=??: ");
}

TEST(cmdline, error_buffer_small_or_absent)
{
	struct boot_config cfg;
	char err[8];

	cmdline_defaults(&cfg);
	memset(err, 'X', sizeof(err));
	EXPECT_EQ(cmdline_parse("iopms=9", &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "iopms=9");
	EXPECT_EQ(cmdline_parse("iopms=9", &cfg, NULL, 0), -EINVAL);
	EXPECT_EQ(cmdline_parse("iopms=9", &cfg, NULL, 100), -EINVAL);
	err[0] = 'X';
	EXPECT_EQ(cmdline_parse("iopms=9", &cfg, err, 0), -EINVAL);
	EXPECT_EQ(err[0], 'X');
	EXPECT_EQ(cmdline_parse("iopms=1", NULL, err, sizeof(err)), -EINVAL);
}

TEST(cmdline, success_clears_err)
{
	struct boot_config cfg;
	char err[ERR_LEN] = "stale";

	cmdline_defaults(&cfg);
	EXPECT_EQ(cmdline_parse("iopms=2", &cfg, err, sizeof(err)), 0);
	EXPECT_STREQ(err, "");
}

TEST(cmdline, describe)
{
	struct boot_config cfg;
	char buf[64];

	cmdline_defaults(&cfg);
	EXPECT_STREQ(cmdline_describe(&cfg, CMDLINE_IOPM_MEM, buf, sizeof(buf)), "iopm_mem (default 128M)");
	EXPECT_STREQ(cmdline_describe(&cfg, CMDLINE_IOPMS, buf, sizeof(buf)), "iopms (default 1)");
	cfg = parse_ok("iopm_mem=0x40000000 iopms=3 shared_mem=790528");
	EXPECT_STREQ(cmdline_describe(&cfg, CMDLINE_IOPM_MEM, buf, sizeof(buf)), "iopm_mem=1G");
	EXPECT_STREQ(cmdline_describe(&cfg, CMDLINE_IOPMS, buf, sizeof(buf)), "iopms=3");
	EXPECT_STREQ(cmdline_describe(&cfg, CMDLINE_SHARED_MEM, buf, sizeof(buf)), "shared_mem=772K");
	EXPECT_STREQ(cmdline_describe(&cfg, CMDLINE_VMM_MEM, buf, sizeof(buf)), "vmm_mem (default 16M)");
	EXPECT_STREQ(cmdline_describe(&cfg, CMDLINE_NPARAMS, buf, sizeof(buf)), "?");
}

TEST(cmdline, format_size)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} cases[] = {
	    {0, "0"},
	    {1, "1"},
	    {1023, "1023"},
	    {1024, "1K"},
	    {1536 * KiB, "1536K"},
	    {2 * MiB, "2M"},
	    {3 * GiB, "3G"},
	    {1025 * MiB, "1025M"},
	    {UINT64_MAX, "18446744073709551615"},
	    {16ULL << 40, "16384G"},
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_STREQ(cmdline_format_size(cases[i].bytes, buf, sizeof(buf)), cases[i].text);
}

/* Random lines built from the characters that matter to the parser: no
 * crash (ASan), 0 or -EINVAL, and on error a message of the promised form. */
TEST(cmdline, random_lines)
{
	static const char alphabet[] = "=0123456789xXkKmMgG \t/_abiopmsvmemlQ\x01\xff";
	static const char *const words[] = {
	    "iopms=", "vmm_mem=", "iopm_mem=", "shared_mem=", "loglevel=", "iopm_console_irq="};
	unsigned int seed = 12345;
	int iter;

	for (iter = 0; iter < 20000; iter++) {
		char line[64], err[ERR_LEN];
		struct boot_config cfg, def;
		size_t len = (size_t)rand_r(&seed) % (sizeof(line) - 20), pos = 0;
		int ret;

		if (rand_r(&seed) % 2) {
			const char *w = words[(size_t)rand_r(&seed) % 6];

			memcpy(line, w, strlen(w));
			pos = strlen(w);
		}
		while (pos < len)
			line[pos++] = alphabet[(size_t)rand_r(&seed) % (sizeof(alphabet) - 1)];
		line[pos] = '\0';
		test_context("iteration %d: \"%s\"", iter, line);
		cmdline_defaults(&cfg);
		def = cfg;
		ret = cmdline_parse(line, &cfg, err, sizeof(err));
		if (ret) {
			EXPECT_EQ(ret, -EINVAL);
			EXPECT_STRCONTAINS(err, ": ");
			EXPECT_EQ(memcmp(&cfg, &def, sizeof(cfg)), 0);
		} else {
			EXPECT_LE(cfg.iopms, CONFIG_MAX_IOPMS);
			EXPECT_LE(cfg.loglevel, 3);
			EXPECT_LE(cfg.iopm_console_irq, 15);
			EXPECT_GE(cfg.vmm_mem, 2 * MiB);
			EXPECT_EQ(cfg.vmm_mem % PAGE_SIZE, 0);
			EXPECT_EQ(cfg.iopm_mem % (2 * MiB), 0);
			EXPECT_GE(cfg.shared_mem, 256 * KiB);
			EXPECT_LE(cfg.shared_mem, 256 * MiB);
		}
	}
}

TEST(cmdline, choice_values)
{
	struct boot_config cfg = parse_ok("timer_ref=pit cpu_enum=acpi selftest=none");

	EXPECT_EQ(cfg.timer_ref, TIMER_REF_PIT);
	EXPECT_EQ(cfg.cpu_enum, CPU_ENUM_ACPI);
	EXPECT_EQ(cfg.selftest, SELFTEST_NONE);
	cfg = parse_ok("selftest=pf");
	EXPECT_EQ(cfg.selftest, SELFTEST_PF);
	cfg = parse_ok("selftest=ud");
	EXPECT_EQ(cfg.selftest, SELFTEST_UD);
	cfg = parse_ok("selftest=nmi");
	EXPECT_EQ(cfg.selftest, SELFTEST_NMI);
}

TEST(cmdline, choice_errors)
{
	struct boot_config cfg;
	char err[256];

	cmdline_defaults(&cfg);
	EXPECT_EQ(cmdline_parse("timer_ref=hpet", &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "timer_ref=hpet: unknown value (expected one of pit|pmtimer)");
	EXPECT_EQ(cmdline_parse("selftest=PF", &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "selftest=PF: unknown value (expected one of none|pf|ud|ap_pf|nmi)");
	EXPECT_EQ(cmdline_parse("cpu_enum=", &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "cpu_enum=: empty value");
	EXPECT_EQ(cmdline_parse("cpu_enum", &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "cpu_enum: missing '=' (expected cpu_enum=<name>)");
	EXPECT_EQ(cfg.cpu_enum, CPU_ENUM_ACPI);
}

TEST(cmdline, run_string)
{
	struct boot_config cfg;
	char err[256], longv[400];

	cmdline_defaults(&cfg);
	EXPECT_STREQ(cfg.run, "");
	memset(longv, 'a', sizeof(longv));
	memcpy(longv, "run=", 4);
	longv[sizeof(longv) - 1] = '\0';
	EXPECT_EQ(cmdline_parse(longv, &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, ": too long (at most 255 characters)");
	EXPECT_EQ(cmdline_parse("run=", &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "run=: empty value");
	EXPECT_EQ(cmdline_parse("run=a run=b", &cfg, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "run=b: duplicate parameter");
	EXPECT_STREQ(cfg.run, "");
}

TEST(cmdline, parse_number_for_other_parameters)
{
	uint64_t v = 0;

	EXPECT_TRUE(cmdline_parse_number("16M", 3, true, &v));
	EXPECT_EQ(v, 16 * MiB);
	EXPECT_TRUE(cmdline_parse_number("0x200000", 8, true, &v));
	EXPECT_EQ(v, 2 * MiB);
	EXPECT_TRUE(cmdline_parse_number("4:rest", 1, false, &v));
	EXPECT_EQ(v, 4);
	EXPECT_FALSE(cmdline_parse_number("4K", 2, false, &v));
	EXPECT_FALSE(cmdline_parse_number("", 0, true, &v));
	EXPECT_FALSE(cmdline_parse_number("99999999999999999999", 20, false, &v));
}
