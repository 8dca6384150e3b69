/* SPDX-License-Identifier: GPL-2.0-only */
/* test_vmcfg.c: unit tests of the guest config file parser (iopm/vmcfg.c,
 * docs/vmctl.md "Guest config files"): a full file and the defaults, the
 * syntax (comments, blank lines, spaces and tabs, quoting and its two
 * escapes, CRLF, no final newline, a byte order mark), every key's values
 * and ranges, the module/modules lists, devices against iopm, and every
 * error message with the line it names (exact texts), the error buffer's
 * bounds, and the limits against the VMM's own (vmm/vcpu/vm_types.h). */
#include <stdlib.h>

#include "iopm/vmcfg.h"
#include "shared/coopvmm_abi.h"
#include "test.h"
#include "vmm/lib/lib.h" /* MiB */
#include "vmm/vcpu/vm_types.h"

#define FILE_PATH "/etc/vm/g.cfg"
#define BASE	  "name = g\nkernel = g.elf\n"

static struct vmcfg cfg;
static char err[512];

static int parse_file(const char *text, const char *file)
{
	memset(err, 'x', sizeof(err) - 1);
	err[sizeof(err) - 1] = '\0';
	return vmcfg_parse(text, strlen(text), file, &cfg, err, sizeof(err));
}

static int parse(const char *text)
{
	return parse_file(text, FILE_PATH);
}

/* The text parses; err is "". */
#define EXPECT_OK(text)                                                                                      \
	do {                                                                                                 \
		int r_ = parse(text);                                                                        \
		EXPECT_MSG(r_ == 0, "parse failed: %.200s", err);                                            \
		EXPECT_STREQ(err, "");                                                                       \
	} while (0)

/* The text is refused with exactly this message, and *out is zeroed. */
#define EXPECT_ERR(text, msg)                                                                                \
	do {                                                                                                 \
		EXPECT_EQ(parse(text), -1);                                                                  \
		EXPECT_STREQ(err, msg);                                                                      \
		EXPECT_TRUE(all_zero(&cfg, sizeof(cfg)));                                                    \
	} while (0)

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* A string of n copies of c (static buffer, one at a time). */
static const char *rep(char c, size_t n)
{
	static char buf[8192];
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

TEST(vmcfg, limits_agree_with_the_vmm)
{
	EXPECT_EQ(VMCFG_VCPUS_MAX, VM_MAX_VCPUS);
	EXPECT_EQ(VMCFG_MEM_MIN, VM_MIN_MEM);
	EXPECT_EQ(VMCFG_MEM_DEFAULT, VM_DEFAULT_MEM);
	EXPECT_EQ(VMCFG_MEM_ALIGN, LARGE_PAGE_SIZE);
	EXPECT_EQ(sizeof(cfg.name), COOP_VM_NAME_MAX);
	EXPECT_EQ(sizeof(cfg.name), VM_NAME_MAX);
	EXPECT_EQ(VMCFG_NO_IOPM, VM_NO_IOPM);
}

TEST(vmcfg, good_file)
{
	/* The example of docs/vmctl.md "Guest config files". */
	EXPECT_OK("# A test guest: two vCPUs, its devices served by IOPM 0.\n"
		  "name    = ticker-2\n"
		  "memory  = 64M\n"
		  "vcpus   = 2\n"
		  "kernel  = ticker.elf            # next to this file\n"
		  "cmdline = \"console=com1 # not a comment\"\n"
		  "module  = data.bin mod1 x=1\n"
		  "module  = /srv/images/extra.bin\n"
		  "devices = com1, rtc\n"
		  "iopm    = 0\n");
	EXPECT_STREQ(cfg.name, "ticker-2");
	EXPECT_EQ(cfg.memory, 64ULL << 20);
	EXPECT_EQ(cfg.vcpus, 2);
	EXPECT_STREQ(cfg.kernel, "/etc/vm/ticker.elf");
	EXPECT_STREQ(cfg.cmdline, "console=com1 # not a comment");
	EXPECT_EQ(cfg.nmodules, 2);
	EXPECT_STREQ(cfg.module[0].path, "/etc/vm/data.bin");
	EXPECT_STREQ(cfg.module[0].cmdline, "mod1 x=1");
	EXPECT_STREQ(cfg.module[1].path, "/srv/images/extra.bin");
	EXPECT_STREQ(cfg.module[1].cmdline, "");
	EXPECT_EQ(cfg.devices, VMCFG_DEV_COM1 | VMCFG_DEV_RTC);
	EXPECT_EQ(cfg.iopm, 0);
}

TEST(vmcfg, defaults)
{
	EXPECT_OK(BASE);
	EXPECT_STREQ(cfg.name, "g");
	EXPECT_STREQ(cfg.kernel, "/etc/vm/g.elf");
	EXPECT_EQ(cfg.memory, 16ULL << 20);
	EXPECT_EQ(cfg.vcpus, 1);
	EXPECT_STREQ(cfg.cmdline, "");
	EXPECT_EQ(cfg.nmodules, 0);
	EXPECT_EQ(cfg.devices, VMCFG_DEV_ALL);
	EXPECT_EQ(cfg.iopm, 0);

	struct vmcfg d;
	memset(&d, 0x5a, sizeof(d));
	vmcfg_defaults(&d);
	EXPECT_EQ(d.memory, VMCFG_MEM_DEFAULT);
	EXPECT_EQ(d.vcpus, 1);
	EXPECT_EQ(d.devices, VMCFG_DEV_ALL);
	EXPECT_EQ(d.iopm, VMCFG_IOPM_DEFAULT);
	EXPECT_STREQ(d.name, "");
	EXPECT_EQ(d.nmodules, 0);
}

TEST(vmcfg, comments_blank_lines_and_spaces)
{
	EXPECT_OK("\n# comment\n   # indented comment\n\t\n   \n"
		  "\t name\t=\tg  \t\n"
		  "kernel=g.elf\n"
		  "vcpus    =3\n"
		  "memory=   4\n\n\n");
	EXPECT_STREQ(cfg.name, "g");
	EXPECT_STREQ(cfg.kernel, "/etc/vm/g.elf");
	EXPECT_EQ(cfg.vcpus, 3);
	EXPECT_EQ(cfg.memory, 4ULL << 20);
}

TEST(vmcfg, comment_after_an_unquoted_value)
{
	EXPECT_OK(BASE "cmdline = a b   # the rest is a comment\nvcpus = 2# no space needed\n");
	EXPECT_STREQ(cfg.cmdline, "a b");
	EXPECT_EQ(cfg.vcpus, 2);
	/* Only a comment: the value is empty. */
	EXPECT_ERR(BASE "vcpus = # two\n", FILE_PATH ":3: empty value for vcpus");
}

TEST(vmcfg, quoted_values)
{
	EXPECT_OK("name = \"g\"\nkernel = \"my kernel.elf\"\ncmdline = \"  lead and trail  \"  # comment\n");
	EXPECT_STREQ(cfg.name, "g");
	EXPECT_STREQ(cfg.kernel, "/etc/vm/my kernel.elf");
	EXPECT_STREQ(cfg.cmdline, "  lead and trail  ");
	/* '#' inside quotes is data; quotes inside an unquoted value are data. */
	EXPECT_OK(BASE "cmdline = \"a#b\"\n");
	EXPECT_STREQ(cfg.cmdline, "a#b");
	EXPECT_OK(BASE "cmdline = root=x opt=\"a b\"\n");
	EXPECT_STREQ(cfg.cmdline, "root=x opt=\"a b\"");
	/* A backslash outside quotes is data too. */
	EXPECT_OK(BASE "cmdline = a\\b\n");
	EXPECT_STREQ(cfg.cmdline, "a\\b");
}

TEST(vmcfg, escapes)
{
	EXPECT_OK(BASE "cmdline = \"say \\\"hi\\\" \\\\o/\"\n");
	EXPECT_STREQ(cfg.cmdline, "say \"hi\" \\o/");
	EXPECT_ERR(BASE "cmdline = \"a\\nb\"\n",
		   FILE_PATH ":3: unknown escape: a backslash and 'n' at column 13 (only \\\" and \\\\)");
	EXPECT_ERR(BASE "cmdline = \"a\\ b\"\n",
		   FILE_PATH ":3: unknown escape: a backslash and a space at column 13 (only \\\" and \\\\)");
}

TEST(vmcfg, unterminated_quote)
{
	EXPECT_ERR(BASE "cmdline = \"abc\n",
		   FILE_PATH ":3: unterminated quote (the '\"' at column 11 has no closing '\"')");
	/* An escaped quote does not close it; a quote does not run into the next line. */
	EXPECT_ERR(BASE "cmdline = \"abc\\\"\nvcpus = 2\"\n",
		   FILE_PATH ":3: unterminated quote (the '\"' at column 11 has no closing '\"')");
	EXPECT_ERR(BASE "cmdline = \"abc\\",
		   FILE_PATH ":3: unterminated quote (the '\"' at column 11 has no closing '\"')");
}

TEST(vmcfg, trailing_garbage_after_quote)
{
	EXPECT_ERR(BASE "cmdline = \"a b\" c\n", FILE_PATH
		   ":3: trailing garbage after the closing quote: \"c\" (a comment starts with '#')");
	EXPECT_ERR(BASE "module = \"a.bin\" args\n", FILE_PATH
		   ":3: trailing garbage after the closing quote: \"args\" (a comment starts with '#')");
	EXPECT_OK(BASE "cmdline = \"a b\"\t \n");
	EXPECT_STREQ(cfg.cmdline, "a b");
}

TEST(vmcfg, crlf_line_ends)
{
	EXPECT_OK("name = g\r\nkernel = g.elf\r\ncmdline = \"x \"\r\n# c\r\n\r\nvcpus = 2\r\n");
	EXPECT_STREQ(cfg.name, "g");
	EXPECT_STREQ(cfg.kernel, "/etc/vm/g.elf");
	EXPECT_STREQ(cfg.cmdline, "x ");
	EXPECT_EQ(cfg.vcpus, 2);
	/* Lines are still counted right. */
	EXPECT_ERR("name = g\r\n\r\nkernel = g.elf\r\nvcpus = 9\r\n",
		   FILE_PATH ":4: vcpus 9 is out of range (1-4)");
	/* A CR elsewhere is a control character. */
	EXPECT_ERR(BASE "cmdline = a\rb\n",
		   FILE_PATH ":3: control character 0x0d at column 12 (only tabs and line ends)");
}

TEST(vmcfg, no_final_newline)
{
	EXPECT_OK("name = g\nkernel = g.elf");
	EXPECT_STREQ(cfg.kernel, "/etc/vm/g.elf");
	EXPECT_OK("name = g\nkernel = g.elf\r");
	EXPECT_STREQ(cfg.kernel, "/etc/vm/g.elf");
	EXPECT_OK(BASE "cmdline = \"q\"");
	EXPECT_STREQ(cfg.cmdline, "q");
}

TEST(vmcfg, byte_order_mark)
{
	EXPECT_OK("\xef\xbb\xbfname = g\nkernel = g.elf\n");
	EXPECT_STREQ(cfg.name, "g");
	/* Not at the start: part of a key. */
	EXPECT_ERR(BASE "\xef\xbb\xbfvcpus = 2\n",
		   FILE_PATH ":3: unknown key \"\xef\xbb\xbfvcpus\" (the keys: name, memory, vcpus, kernel, "
			     "cmdline, module, modules, ramdisk, devices, disk, iopm)");
}

TEST(vmcfg, nul_byte)
{
	static const char text[] = "name = g\nkernel = g.elf\nvcpus = 1\0\n";
	EXPECT_EQ(vmcfg_parse(text, sizeof(text) - 1, FILE_PATH, &cfg, err, sizeof(err)), -1);
	EXPECT_STREQ(err, FILE_PATH ":3: NUL byte at column 10 (a config file is text)");
	/* Even in a comment. */
	static const char text2[] = "name = g\n# \0\nkernel = g.elf\n";
	EXPECT_EQ(vmcfg_parse(text2, sizeof(text2) - 1, FILE_PATH, &cfg, err, sizeof(err)), -1);
	EXPECT_STREQ(err, FILE_PATH ":2: NUL byte at column 3 (a config file is text)");
	EXPECT_TRUE(all_zero(&cfg, sizeof(cfg)));
}

TEST(vmcfg, control_characters)
{
	EXPECT_ERR(BASE "cmdline = \"a\x1b[0m\"\n",
		   FILE_PATH ":3: control character 0x1b at column 13 (only tabs and line ends)");
	EXPECT_ERR("# \x7f\n" BASE,
		   FILE_PATH ":1: control character 0x7f at column 3 (only tabs and line ends)");
	/* Bytes above 0x7f (UTF-8) are data. */
	EXPECT_OK(BASE "cmdline = caf\xc3\xa9\n");
	EXPECT_STREQ(cfg.cmdline, "caf\xc3\xa9");
}

TEST(vmcfg, line_too_long)
{
	char *text = malloc(2 * VMCFG_LINE_MAX);
	EXPECT_TRUE(text != NULL);
	/* A comment line of exactly the limit, then one byte more. */
	snprintf(text, 2 * VMCFG_LINE_MAX, BASE "#%s\n", rep('c', VMCFG_LINE_MAX - 1));
	EXPECT_OK(text);
	snprintf(text, 2 * VMCFG_LINE_MAX, BASE "#%s\r\n", rep('c', VMCFG_LINE_MAX - 1));
	EXPECT_OK(text);
	snprintf(text, 2 * VMCFG_LINE_MAX, BASE "#%s\n", rep('c', VMCFG_LINE_MAX));
	EXPECT_ERR(text, FILE_PATH ":3: line too long (4097 bytes, at most 4096)");
	free(text);
}

TEST(vmcfg, file_too_large)
{
	size_t n = VMCFG_FILE_MAX + 1;
	char *text = malloc(n);
	EXPECT_TRUE(text != NULL);
	memset(text, '\n', n);
	memcpy(text, BASE, strlen(BASE));
	EXPECT_EQ(vmcfg_parse(text, n, FILE_PATH, &cfg, err, sizeof(err)), -1);
	EXPECT_STREQ(err, FILE_PATH ": too large (65537 bytes, at most 65536)");
	EXPECT_EQ(vmcfg_parse(text, n - 1, FILE_PATH, &cfg, err, sizeof(err)), 0);
	free(text);
}

TEST(vmcfg, missing_equals_and_key)
{
	EXPECT_ERR(BASE "vcpus 2\n", FILE_PATH ":3: missing '=' after \"vcpus\" (a line is key = value)");
	EXPECT_ERR(BASE "vcpus\n", FILE_PATH ":3: missing '=' after \"vcpus\" (a line is key = value)");
	EXPECT_ERR(BASE "vcpus # = 2\n", FILE_PATH ":3: missing '=' after \"vcpus\" (a line is key = value)");
	EXPECT_ERR(BASE "kernel path = x\n",
		   FILE_PATH ":3: missing '=' after \"kernel\" (a line is key = value)");
	EXPECT_ERR(BASE " = 2\n", FILE_PATH ":3: no key before '=' (a line is key = value)");
}

TEST(vmcfg, empty_values)
{
	EXPECT_ERR("name =\nkernel = g.elf\n", FILE_PATH ":1: empty value for name");
	EXPECT_ERR("name = \"\"\nkernel = g.elf\n", FILE_PATH ":1: empty value for name");
	EXPECT_ERR(BASE "memory =   \t\n", FILE_PATH ":3: empty value for memory");
	EXPECT_ERR(BASE "module = \"\"\n", FILE_PATH ":3: empty value for module");
	EXPECT_ERR(BASE "cmdline =\n",
		   FILE_PATH ":3: empty value for cmdline (cmdline = \"\" for an empty command line)");
	/* A quoted empty command line is one. */
	EXPECT_OK(BASE "cmdline = \"\"\n");
	EXPECT_STREQ(cfg.cmdline, "");
}

TEST(vmcfg, unknown_key_suggests)
{
	EXPECT_ERR(BASE "memroy = 64M\n", FILE_PATH ":3: unknown key \"memroy\" (did you mean memory?)");
	EXPECT_ERR(BASE "vcpu = 2\n", FILE_PATH ":3: unknown key \"vcpu\" (did you mean vcpus?)");
	EXPECT_ERR(BASE "Name = h\n", FILE_PATH ":3: unknown key \"Name\" (did you mean name?)");
	EXPECT_ERR(BASE "kernl = x\n", FILE_PATH ":3: unknown key \"kernl\" (did you mean kernel?)");
	EXPECT_ERR(BASE "device = rtc\n", FILE_PATH ":3: unknown key \"device\" (did you mean devices?)");
	EXPECT_ERR(BASE "modle = x\n", FILE_PATH ":3: unknown key \"modle\" (did you mean module?)");
	/* Other tools' keys. */
	EXPECT_ERR(BASE "extra = quiet\n", FILE_PATH ":3: unknown key \"extra\" (did you mean cmdline?)");
	EXPECT_ERR(BASE "initrd = x\n", FILE_PATH ":3: unknown key \"initrd\" (did you mean ramdisk?)");
	EXPECT_ERR(BASE "initramfs = x\n", FILE_PATH ":3: unknown key \"initramfs\" (did you mean ramdisk?)");
	EXPECT_ERR(BASE "mem = 2\n", FILE_PATH ":3: unknown key \"mem\" (did you mean memory?)");
	/* Nothing near. */
	EXPECT_ERR(BASE "frobnicate = 1\n", FILE_PATH
		   ":3: unknown key \"frobnicate\" (the keys: name, memory, vcpus, kernel, cmdline, "
		   "module, modules, ramdisk, devices, disk, iopm)");
	EXPECT_ERR(BASE "io = 1\n", FILE_PATH
		   ":3: unknown key \"io\" (the keys: name, memory, vcpus, kernel, cmdline, module, "
		   "modules, ramdisk, devices, disk, iopm)");
	/* A long key is cut in the message. */
	char text[256];
	snprintf(text, sizeof(text), BASE "%s = 1\n", rep('k', 60));
	EXPECT_ERR(text, FILE_PATH
		   ":3: unknown key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...\" (the keys: "
		   "name, memory, vcpus, kernel, cmdline, module, modules, ramdisk, devices, disk, iopm)");
}

TEST(vmcfg, key_given_twice)
{
	EXPECT_ERR("name = a\nkernel = g.elf\n\nname = b\n",
		   FILE_PATH ":4: name given twice (first on line 1)");
	EXPECT_ERR(BASE "vcpus = 1\n# c\nvcpus = 1\n", FILE_PATH ":5: vcpus given twice (first on line 3)");
	EXPECT_ERR(BASE "modules = a\nmodules = b\n", FILE_PATH ":4: modules given twice (first on line 3)");
	EXPECT_ERR(BASE "iopm = none\ndevices = none\niopm = 1\n",
		   FILE_PATH ":5: iopm given twice (first on line 3)");
}

TEST(vmcfg, name_rules)
{
	char text[256];
	snprintf(text, sizeof(text), "name = %s\nkernel = k\n", rep('n', 63));
	EXPECT_OK(text);
	EXPECT_EQ(strlen(cfg.name), 63);
	snprintf(text, sizeof(text), "name = %s\nkernel = k\n", rep('n', 64));
	EXPECT_ERR(text,
		   FILE_PATH ":1: name \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...\" is 64 characters long "
			     "(at most 63)");
	EXPECT_OK("name = A.b_c-9\nkernel = k\n");
	EXPECT_STREQ(cfg.name, "A.b_c-9");
	EXPECT_OK("name = 1a\nkernel = k\n");
	EXPECT_OK("name = 1.2\nkernel = k\n");
	EXPECT_OK("name = a-\nkernel = k\n");
	EXPECT_ERR("name = 123\nkernel = k\n",
		   FILE_PATH ":1: name \"123\" is all digits (vmctl would take it for a guest ID)");
	EXPECT_ERR("name = -a\nkernel = k\n",
		   FILE_PATH ":1: name \"-a\" starts with '-' (vmctl would take it for an option)");
	EXPECT_ERR("name = a/b\nkernel = k\n",
		   FILE_PATH ":1: name \"a/b\" has '/' (letters, digits, '_', '.' and '-' only)");
	EXPECT_ERR("name = \"a b\"\nkernel = k\n",
		   FILE_PATH ":1: name \"a b\" has a space (letters, digits, '_', '.' and '-' only)");
	EXPECT_ERR("name = caf\xc3\xa9\nkernel = k\n", FILE_PATH
		   ":1: name \"caf\xc3\xa9\" has byte 0xc3 (letters, digits, '_', '.' and '-' only)");
	EXPECT_ERR("name = ..\nkernel = k\n",
		   FILE_PATH ":1: name \"..\" is not a name ('.' and '..' are reserved)");
	EXPECT_ERR("name = .\nkernel = k\n",
		   FILE_PATH ":1: name \".\" is not a name ('.' and '..' are reserved)");
	EXPECT_OK("name = ...\nkernel = k\n");
}

TEST(vmcfg, memory_sizes)
{
	static const struct {
		const char *v;
		uint64_t bytes;
	} ok[] = {
	    {"2", 2ULL << 20},	   {"64", 64ULL << 20},	    {"64M", 64ULL << 20},  {"64m", 64ULL << 20},
	    {"2048K", 2ULL << 20}, {"4096k", 4ULL << 20},   {"1G", 1ULL << 30},	   {"3g", 3ULL << 30},
	    {"1024G", 1ULL << 40}, {"1048576", 1ULL << 40}, {"0002M", 2ULL << 20}, {"\"8M\"", 8ULL << 20},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[128];
		test_context("memory = %s", ok[i].v);
		snprintf(text, sizeof(text), BASE "memory = %s\n", ok[i].v);
		EXPECT_OK(text);
		EXPECT_EQ(cfg.memory, ok[i].bytes);
	}
}

TEST(vmcfg, memory_errors)
{
	static const struct {
		const char *v, *msg;
	} bad[] = {
	    {"3M", "memory 3M is not a multiple of 2M"},
	    {"3", "memory 3 is not a multiple of 2M"},
	    {"2049K", "memory 2049K is not a multiple of 2M"},
	    {"1M", "memory 1M is less than 2M"},
	    {"0", "memory 0 is less than 2M"},
	    {"1024K", "memory 1024K is less than 2M"},
	    {"1025G", "memory 1025G is more than 1024G (1 TiB)"},
	    {"1048578", "memory 1048578 is more than 1024G (1 TiB)"},
	    {"99999999999999999999999M", "memory 99999999999999999999999M is more than 1024G (1 TiB)"},
	    {"64MB", "memory \"64MB\" is not a size (digits and an optional K, M or G: 512M, 2G; a bare "
		     "number is MiB)"},
	    {"M", "memory \"M\" is not a size (digits and an optional K, M or G: 512M, 2G; a bare number "
		  "is MiB)"},
	    {"64T", "memory \"64T\" is not a size (digits and an optional K, M or G: 512M, 2G; a bare "
		    "number is MiB)"},
	    {"-2", "memory \"-2\" is not a size (digits and an optional K, M or G: 512M, 2G; a bare number "
		   "is MiB)"},
	    {"0x40", "memory \"0x40\" is not a size (digits and an optional K, M or G: 512M, 2G; a bare "
		     "number is MiB)"},
	    {"64 M", "memory \"64 M\" is not a size (digits and an optional K, M or G: 512M, 2G; a bare "
		     "number is MiB)"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128], msg[256];
		test_context("memory = %s", bad[i].v);
		snprintf(text, sizeof(text), BASE "memory = %s\n", bad[i].v);
		snprintf(msg, sizeof(msg), FILE_PATH ":3: %s", bad[i].msg);
		EXPECT_ERR(text, msg);
	}
}

TEST(vmcfg, vcpus_range)
{
	EXPECT_OK(BASE "vcpus = 1\n");
	EXPECT_EQ(cfg.vcpus, 1);
	EXPECT_OK(BASE "vcpus = 4\n");
	EXPECT_EQ(cfg.vcpus, 4);
	EXPECT_ERR(BASE "vcpus = 0\n", FILE_PATH ":3: vcpus 0 is out of range (1-4)");
	EXPECT_ERR(BASE "vcpus = 5\n", FILE_PATH ":3: vcpus 5 is out of range (1-4)");
	EXPECT_ERR(BASE "vcpus = 18446744073709551617\n",
		   FILE_PATH ":3: vcpus 18446744073709551617 is out of range (1-4)");
	EXPECT_ERR(BASE "vcpus = two\n", FILE_PATH ":3: vcpus \"two\" is not a number (1-4)");
	EXPECT_ERR(BASE "vcpus = +2\n", FILE_PATH ":3: vcpus \"+2\" is not a number (1-4)");
	EXPECT_ERR(BASE "vcpus = 2 3\n", FILE_PATH ":3: vcpus \"2 3\" is not a number (1-4)");
}

TEST(vmcfg, kernel_paths)
{
	EXPECT_OK("name = g\nkernel = /boot/g.elf\n");
	EXPECT_STREQ(cfg.kernel, "/boot/g.elf");
	EXPECT_OK("name = g\nkernel = sub/dir/g.elf\n");
	EXPECT_STREQ(cfg.kernel, "/etc/vm/sub/dir/g.elf");
	EXPECT_OK("name = g\nkernel = ../g.elf\n");
	EXPECT_STREQ(cfg.kernel, "/etc/vm/../g.elf");
	/* A file in the root folder. */
	EXPECT_EQ(parse_file("name = g\nkernel = g.elf\n", "/g.cfg"), 0);
	EXPECT_STREQ(cfg.kernel, "/g.elf");
	/* A relative file cannot resolve a relative path; an absolute path is fine. */
	EXPECT_EQ(parse_file("name = g\nkernel = g.elf\n", "g.cfg"), -1);
	EXPECT_STREQ(err, "g.cfg:2: kernel path \"g.elf\" is relative, and the config file's own path is not "
			  "absolute (nothing to resolve it against)");
	EXPECT_EQ(parse_file("name = g\nkernel = g.elf\n", "vm/g.cfg"), -1);
	EXPECT_EQ(parse_file("name = g\nkernel = /g.elf\n", "g.cfg"), 0);
	EXPECT_STREQ(cfg.kernel, "/g.elf");
}

TEST(vmcfg, path_too_long)
{
	char text[1024];
	/* Absolute: 255 bytes fit, 256 do not. */
	snprintf(text, sizeof(text), "name = g\nkernel = /%s\n", rep('p', VMCFG_PATH_MAX - 2));
	EXPECT_OK(text);
	EXPECT_EQ(strlen(cfg.kernel), VMCFG_PATH_MAX - 1);
	snprintf(text, sizeof(text), "name = g\nkernel = /%s\n", rep('p', VMCFG_PATH_MAX - 1));
	EXPECT_ERR(text,
		   FILE_PATH ":2: kernel path \"/ppppppppppppppppppppppppppppppppppppppp...\" is 256 bytes "
			     "long (at most 255)");
	/* Relative: "/etc/vm/" and the path together. */
	size_t room = VMCFG_PATH_MAX - 1 - strlen("/etc/vm/");
	snprintf(text, sizeof(text), "name = g\nkernel = %s\n", rep('r', room));
	EXPECT_OK(text);
	EXPECT_EQ(strlen(cfg.kernel), VMCFG_PATH_MAX - 1);
	EXPECT_TRUE(!strncmp(cfg.kernel, "/etc/vm/rrr", 11));
	snprintf(text, sizeof(text), "name = g\nkernel = %s\n", rep('r', room + 1));
	EXPECT_ERR(text,
		   FILE_PATH ":2: kernel path \"rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr...\" made absolute "
			     "is 256 bytes long (at most 255)");
	snprintf(text, sizeof(text), BASE "module = %s a\n", rep('m', room + 1));
	EXPECT_ERR(text,
		   FILE_PATH ":3: module path \"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm...\" made absolute "
			     "is 256 bytes long (at most 255)");
}

TEST(vmcfg, cmdline_length)
{
	char *text = malloc(2 * VMCFG_CMDLINE_MAX + 64);
	EXPECT_TRUE(text != NULL);
	snprintf(text, 2 * VMCFG_CMDLINE_MAX + 64, BASE "cmdline = %s\n", rep('c', VMCFG_CMDLINE_MAX - 1));
	EXPECT_OK(text);
	EXPECT_EQ(strlen(cfg.cmdline), VMCFG_CMDLINE_MAX - 1);
	snprintf(text, 2 * VMCFG_CMDLINE_MAX + 64, BASE "cmdline = %s\n", rep('c', VMCFG_CMDLINE_MAX));
	EXPECT_ERR(text, FILE_PATH ":3: cmdline is 1024 bytes long (at most 1023)");
	/* Module arguments: the same limit. */
	snprintf(text, 2 * VMCFG_CMDLINE_MAX + 64, BASE "module = m.bin %s\n",
		 rep('a', VMCFG_CMDLINE_MAX - 1));
	EXPECT_OK(text);
	EXPECT_EQ(strlen(cfg.module[0].cmdline), VMCFG_CMDLINE_MAX - 1);
	snprintf(text, 2 * VMCFG_CMDLINE_MAX + 64, BASE "module = m.bin %s\n", rep('a', VMCFG_CMDLINE_MAX));
	EXPECT_ERR(text,
		   FILE_PATH ":3: module arguments \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" are 1024 "
			     "bytes long (at most 1023)");
	free(text);
}

TEST(vmcfg, module_with_arguments)
{
	EXPECT_OK(BASE "module = data.bin mod1 x=1\n"
		       "module = \t/abs/m2.bin\t  a  b \n"
		       "module = \"m3.bin  keep # this  \"\n"
		       "module = m4.bin\n");
	EXPECT_EQ(cfg.nmodules, 4);
	EXPECT_STREQ(cfg.module[0].path, "/etc/vm/data.bin");
	EXPECT_STREQ(cfg.module[0].cmdline, "mod1 x=1");
	EXPECT_STREQ(cfg.module[1].path, "/abs/m2.bin");
	EXPECT_STREQ(cfg.module[1].cmdline, "a  b");
	EXPECT_STREQ(cfg.module[2].path, "/etc/vm/m3.bin");
	EXPECT_STREQ(cfg.module[2].cmdline, "keep # this  ");
	EXPECT_STREQ(cfg.module[3].path, "/etc/vm/m4.bin");
	EXPECT_STREQ(cfg.module[3].cmdline, "");
	EXPECT_ERR(BASE "module = \" m.bin\"\n",
		   FILE_PATH ":3: module \" m.bin\" starts with a space: the value is PATH [ARGS]");
}

TEST(vmcfg, module_count)
{
	char text[1024];
	int n = snprintf(text, sizeof(text), "%s", BASE);
	for (int i = 0; i < VMCFG_MODULES_MAX; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "module = m%d.bin %d\n", i, i);
	EXPECT_OK(text);
	EXPECT_EQ(cfg.nmodules, VMCFG_MODULES_MAX);
	EXPECT_STREQ(cfg.module[7].path, "/etc/vm/m7.bin");
	EXPECT_STREQ(cfg.module[7].cmdline, "7");
	snprintf(text + n, sizeof(text) - (size_t)n, "# one too many\nmodule = m8.bin\n");
	EXPECT_ERR(text, FILE_PATH ":12: module: more than 8 modules (module and modules together)");
}

TEST(vmcfg, modules_list)
{
	EXPECT_OK(BASE "modules = a.bin, /b.bin ,c.bin\n");
	EXPECT_EQ(cfg.nmodules, 3);
	EXPECT_STREQ(cfg.module[0].path, "/etc/vm/a.bin");
	EXPECT_STREQ(cfg.module[1].path, "/b.bin");
	EXPECT_STREQ(cfg.module[2].path, "/etc/vm/c.bin");
	EXPECT_STREQ(cfg.module[2].cmdline, "");
	/* With module lines, in the file's order. */
	EXPECT_OK(BASE "module = first.bin x\nmodules = second.bin, third.bin\nmodule = fourth.bin\n");
	EXPECT_EQ(cfg.nmodules, 4);
	EXPECT_STREQ(cfg.module[0].path, "/etc/vm/first.bin");
	EXPECT_STREQ(cfg.module[0].cmdline, "x");
	EXPECT_STREQ(cfg.module[1].path, "/etc/vm/second.bin");
	EXPECT_STREQ(cfg.module[2].path, "/etc/vm/third.bin");
	EXPECT_STREQ(cfg.module[3].path, "/etc/vm/fourth.bin");
	EXPECT_ERR(BASE "modules = a.bin x=1, b.bin\n",
		   FILE_PATH ":3: modules item \"a.bin x=1\" has a space: the list takes paths only "
			     "(module = PATH ARGS for a module with arguments)");
	EXPECT_ERR(BASE "modules = a.bin,,b.bin\n",
		   FILE_PATH ":3: modules \"a.bin,,b.bin\": item 2 is empty");
	EXPECT_ERR(BASE "modules = a.bin,\n", FILE_PATH ":3: modules \"a.bin,\": item 2 is empty");
	EXPECT_ERR(BASE "modules = 1,2,3,4,5,6,7,8,9\n",
		   FILE_PATH ":3: modules \"1,2,3,4,5,6,7,8,9\": more than 8 items");
	EXPECT_ERR(BASE "module = a\nmodule = b\nmodules = 1,2,3,4,5,6,7\n",
		   FILE_PATH ":5: modules: more than 8 modules (module and modules together)");
}

TEST(vmcfg, devices_list)
{
	static const struct {
		const char *v;
		uint32_t devices;
	} ok[] = {
	    {"com1, rtc, pci", VMCFG_DEV_ALL},
	    {"pci,com1", VMCFG_DEV_PCI | VMCFG_DEV_COM1},
	    {"rtc", VMCFG_DEV_RTC},
	    {"none", 0},
	    {" com1 ,\trtc ", VMCFG_DEV_COM1 | VMCFG_DEV_RTC},
	    {"\"pci\"", VMCFG_DEV_PCI},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[128];
		test_context("devices = %s", ok[i].v);
		snprintf(text, sizeof(text), BASE "devices = %s\n", ok[i].v);
		EXPECT_OK(text);
		EXPECT_EQ(cfg.devices, ok[i].devices);
	}
	test_context("%s", "");
	EXPECT_ERR(BASE "devices = com2\n",
		   FILE_PATH ":3: devices: unknown device \"com2\" (com1, rtc, pci, virtio-blk, virtio-net, "
			     "virtio-console, or none)");
	EXPECT_ERR(BASE "devices = COM1\n",
		   FILE_PATH ":3: devices: unknown device \"COM1\" (com1, rtc, pci, virtio-blk, virtio-net, "
			     "virtio-console, or none)");
	EXPECT_ERR(BASE "devices = com1 rtc\n", FILE_PATH
		   ":3: devices: unknown device \"com1 rtc\" (com1, rtc, pci, virtio-blk, virtio-net, "
		   "virtio-console, or none)");
	EXPECT_ERR(BASE "devices = rtc, rtc\n", FILE_PATH ":3: devices \"rtc, rtc\": rtc is listed twice");
	EXPECT_ERR(BASE "devices = rtc, none\n", FILE_PATH ":3: devices \"rtc, none\": none goes alone");
	EXPECT_ERR(BASE "devices = rtc,,pci\n", FILE_PATH ":3: devices \"rtc,,pci\": item 2 is empty");
	EXPECT_ERR(BASE "devices = com1,rtc,pci,com1\n",
		   FILE_PATH ":3: devices \"com1,rtc,pci,com1\": com1 is listed twice");
	EXPECT_ERR(BASE "devices = com1,rtc,pci,virtio-blk,virtio-net,virtio-console,com1\n", FILE_PATH
		   ":3: devices \"com1,rtc,pci,virtio-blk,virtio-net,virti...\": more than 6 items");
}

TEST(vmcfg, iopm_values)
{
	EXPECT_OK(BASE "iopm = 7\n");
	EXPECT_EQ(cfg.iopm, 7);
	EXPECT_EQ(cfg.devices, VMCFG_DEV_ALL);
	EXPECT_OK(BASE "iopm = 0\n");
	EXPECT_EQ(cfg.iopm, 0);
	EXPECT_ERR(BASE "iopm = 8\n", FILE_PATH ":3: iopm 8 is out of range (0-7, or none)");
	EXPECT_ERR(BASE "iopm = iopm0\n", FILE_PATH ":3: iopm \"iopm0\" is not a number (0-7, or none)");
	EXPECT_ERR(BASE "iopm = None\n", FILE_PATH ":3: iopm \"None\" is not a number (0-7, or none)");
	/* An IOPM that serves nothing is allowed. */
	EXPECT_OK(BASE "iopm = 3\ndevices = none\n");
	EXPECT_EQ(cfg.iopm, 3);
	EXPECT_EQ(cfg.devices, 0);
}

TEST(vmcfg, iopm_none_and_devices)
{
	/* No IOPM: no devices by default (COM1 is the VMM's stand-in). */
	EXPECT_OK(BASE "iopm = none\n");
	EXPECT_EQ(cfg.iopm, VMCFG_NO_IOPM);
	EXPECT_EQ(cfg.devices, 0);
	EXPECT_OK(BASE "devices = none\niopm = none\n");
	EXPECT_EQ(cfg.devices, 0);
	/* Devices without an IOPM to serve them: refused on the devices line, either order. */
	EXPECT_ERR(BASE "iopm = none\n\ndevices = com1\n",
		   FILE_PATH ":5: guest g: devices = com1 needs an IOPM, and iopm = none (line 3): write "
			     "devices = none, or name an IOPM");
	EXPECT_ERR(BASE "devices = rtc, pci\niopm = none\n",
		   FILE_PATH ":3: guest g: devices = rtc, pci needs an IOPM, and iopm = none (line 4): write "
			     "devices = none, or name an IOPM");
}

TEST(vmcfg, required_keys)
{
	EXPECT_ERR("kernel = g.elf\n", FILE_PATH ": name is missing (every guest needs name = NAME)");
	EXPECT_ERR("", FILE_PATH ": name is missing (every guest needs name = NAME)");
	EXPECT_ERR("# nothing\n\n", FILE_PATH ": name is missing (every guest needs name = NAME)");
	EXPECT_ERR("name = web\nvcpus = 2\n",
		   FILE_PATH ": guest web: kernel is missing (kernel = PATH of a Multiboot v1 ELF)");
	/* A syntax error comes first, in the file's order. */
	EXPECT_ERR("vcpus = 9\n", FILE_PATH ":1: vcpus 9 is out of range (1-4)");
	EXPECT_EQ(vmcfg_parse(NULL, 0, FILE_PATH, &cfg, err, sizeof(err)), -1);
	EXPECT_STREQ(err, FILE_PATH ": name is missing (every guest needs name = NAME)");
}

TEST(vmcfg, error_buffer_bounds)
{
	char small[12];
	memset(small, 'x', sizeof(small));
	EXPECT_EQ(vmcfg_parse("vcpus = 9\n", 10, FILE_PATH, &cfg, small, sizeof(small)), -1);
	EXPECT_STREQ(small, "/etc/vm/g.c");
	char one[1] = {'x'};
	EXPECT_EQ(vmcfg_parse("vcpus = 9\n", 10, FILE_PATH, &cfg, one, 1), -1);
	EXPECT_EQ(one[0], '\0');
	/* No buffer at all. */
	EXPECT_EQ(vmcfg_parse("vcpus = 9\n", 10, FILE_PATH, &cfg, NULL, 0), -1);
	EXPECT_EQ(vmcfg_parse(BASE, strlen(BASE), FILE_PATH, &cfg, NULL, 0), 0);
	/* The message is cut where the path leaves no room. */
	char mid[24];
	EXPECT_EQ(vmcfg_parse("vcpus = 9\n", 10, FILE_PATH, &cfg, mid, sizeof(mid)), -1);
	EXPECT_STREQ(mid, FILE_PATH ":1: vcpus ");
}

TEST(vmcfg, file_name_in_messages)
{
	/* Control characters of the path are shown as '?'; no newline. */
	EXPECT_EQ(parse_file("vcpus = 9\n", "/tmp/a\nb\x1b.cfg"), -1);
	EXPECT_STREQ(err, "/tmp/a?b?.cfg:1: vcpus 9 is out of range (1-4)");
	/* No path given. */
	EXPECT_EQ(parse_file("vcpus = 9\n", NULL), -1);
	EXPECT_STREQ(err, "(config):1: vcpus 9 is out of range (1-4)");
}

TEST(vmcfg, result_on_success_and_failure)
{
	/* A failure after good lines leaves nothing of them. */
	EXPECT_ERR("name = g\nkernel = g.elf\nmodule = m\ncmdline = x\nvcpus = 0\n",
		   FILE_PATH ":5: vcpus 0 is out of range (1-4)");
	/* A success after a failure starts from the defaults. */
	EXPECT_OK(BASE);
	EXPECT_EQ(cfg.nmodules, 0);
	EXPECT_STREQ(cfg.cmdline, "");
	/* Parsing does not depend on the buffer's previous contents. */
	struct vmcfg a, b;
	memset(&a, 0x00, sizeof(a));
	memset(&b, 0xff, sizeof(b));
	static const char text[] = "name = g\nkernel = g.elf\nmodule = m x\n";
	EXPECT_EQ(vmcfg_parse(text, sizeof(text) - 1, FILE_PATH, &a, NULL, 0), 0);
	EXPECT_EQ(vmcfg_parse(text, sizeof(text) - 1, FILE_PATH, &b, NULL, 0), 0);
	EXPECT_STREQ(a.module[0].cmdline, b.module[0].cmdline);
	EXPECT_STREQ(a.kernel, b.kernel);
	EXPECT_EQ(a.memory, b.memory);
}

TEST(vmcfg, text_is_not_read_past_len)
{
	/* A text that is not NUL-terminated: only len bytes count. */
	char *text = malloc(strlen(BASE) + 16);
	EXPECT_TRUE(text != NULL);
	memcpy(text, BASE "vcpus = 2", strlen(BASE) + 9);
	EXPECT_EQ(vmcfg_parse(text, strlen(BASE) + 9, FILE_PATH, &cfg, err, sizeof(err)), 0);
	EXPECT_EQ(cfg.vcpus, 2);
	/* Cut inside the value. */
	EXPECT_EQ(vmcfg_parse(text, strlen(BASE) + 8, FILE_PATH, &cfg, err, sizeof(err)), -1);
	EXPECT_STREQ(err, FILE_PATH ":3: empty value for vcpus");
	free(text);
}

TEST(vmcfg, devices_name)
{
	char buf[sizeof(VMCFG_DEVICES_NAMES)];
	EXPECT_STREQ(vmcfg_devices_name(VMCFG_DEV_ALL, buf, sizeof(buf)), "com1, rtc, pci");
	EXPECT_STREQ(vmcfg_devices_name(VMCFG_DEV_RTC, buf, sizeof(buf)), "rtc");
	EXPECT_STREQ(vmcfg_devices_name(VMCFG_DEV_COM1 | VMCFG_DEV_PCI, buf, sizeof(buf)), "com1, pci");
	EXPECT_STREQ(vmcfg_devices_name(0, buf, sizeof(buf)), "none");
	EXPECT_STREQ(vmcfg_devices_name(1U << 7, buf, sizeof(buf)), "none");
	char small[6];
	EXPECT_STREQ(vmcfg_devices_name(VMCFG_DEV_ALL, small, sizeof(small)), "com1,");
	EXPECT_STREQ(vmcfg_devices_name(VMCFG_DEV_ALL, small, 3), "co");
	EXPECT_EQ(vmcfg_devices_name(VMCFG_DEV_ALL, small, 0), small);
	/* What the parser accepts back. */
	for (uint32_t d = 0; d <= VMCFG_DEV_ALL; d++) {
		char text[128];
		test_context("devices %u", d);
		snprintf(text, sizeof(text), BASE "devices = %s\n", vmcfg_devices_name(d, buf, sizeof(buf)));
		EXPECT_OK(text);
		EXPECT_EQ(cfg.devices, d);
	}
}

TEST(vmcfg, ramdisk)
{
	/* a Linux kernel's initramfs: a path, made absolute like kernel's */
	EXPECT_OK("name = l\nkernel = vmlinuz\nramdisk = initrd.gz\n");
	EXPECT_STREQ(cfg.ramdisk, "/etc/vm/initrd.gz");
	EXPECT_EQ(cfg.nmodules, 0);
	EXPECT_OK("name = l\nkernel = /boot/vmlinuz\nramdisk = /boot/initrd.img # Debian's\n");
	EXPECT_STREQ(cfg.ramdisk, "/boot/initrd.img");
	/* none by default */
	EXPECT_OK(BASE);
	EXPECT_STREQ(cfg.ramdisk, "");
	/* once, with a value, and a path that fits */
	EXPECT_ERR(BASE "ramdisk = a\nramdisk = b\n", FILE_PATH ":4: ramdisk given twice (first on line 3)");
	EXPECT_ERR(BASE "ramdisk =\n", FILE_PATH ":3: empty value for ramdisk");
	char text[600];
	snprintf(text, sizeof(text), BASE "ramdisk = /%s\n", rep('r', 300));
	EXPECT_ERR(text,
		   FILE_PATH ":3: ramdisk path \"/rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr...\" is 301 bytes "
			     "long (at most 255)");
	EXPECT_EQ(parse_file("name = l\nkernel = /k\nramdisk = r.gz\n", "g.cfg"), -1);
	EXPECT_STRCONTAINS(err, "ramdisk path \"r.gz\" is relative");
}

TEST(vmcfg, virtio_devices_and_their_disk)
{
	EXPECT_OK("name = l\nkernel = k\ndevices = com1, pci, virtio-blk, virtio-console\ndisk = d.img\n");
	EXPECT_EQ(cfg.devices,
		  VMCFG_DEV_COM1 | VMCFG_DEV_PCI | VMCFG_DEV_VIRTIO_BLK | VMCFG_DEV_VIRTIO_CONSOLE);
	EXPECT_STREQ(cfg.disk, "/etc/vm/d.img");
	/* only the bus's bits go to the VMM */
	EXPECT_EQ(cfg.devices & VMCFG_DEV_VMM, VMCFG_DEV_COM1 | VMCFG_DEV_PCI);
	EXPECT_OK("name = l\nkernel = k\ndevices = pci, virtio-net\n");
	EXPECT_EQ(cfg.devices, VMCFG_DEV_PCI | VMCFG_DEV_VIRTIO_NET);
	EXPECT_STREQ(cfg.disk, "");
	/* a block device as the backing */
	EXPECT_OK("name = l\nkernel = k\ndevices = pci, virtio-blk\ndisk = /dev/sda\n");
	EXPECT_STREQ(cfg.disk, "/dev/sda");
	/* virtio without the bus; a disk without its device, and the reverse */
	EXPECT_ERR("name = l\nkernel = k\ndevices = com1, virtio-blk\ndisk = d\n",
		   FILE_PATH ":3: guest l: virtio devices sit on the PCI bus: add pci to devices");
	EXPECT_ERR("name = l\nkernel = k\ndevices = pci, virtio-blk\n",
		   FILE_PATH ":3: guest l: virtio-blk needs a disk (disk = PATH of an image file or block "
			     "device)");
	EXPECT_ERR("name = l\nkernel = k\ndisk = d\n",
		   FILE_PATH ":3: guest l: disk = ... needs virtio-blk in devices (devices = com1, rtc, pci, "
			     "virtio-blk)");
	EXPECT_ERR(BASE "vda = x\n", FILE_PATH ":3: unknown key \"vda\" (did you mean disk?)");
	/* the names, as written back */
	char names[sizeof(VMCFG_DEVICES_NAMES)];
	EXPECT_STREQ(vmcfg_devices_name(VMCFG_DEV_ALL | VMCFG_DEV_VIRTIO, names, sizeof(names)),
		     VMCFG_DEVICES_NAMES);
}
