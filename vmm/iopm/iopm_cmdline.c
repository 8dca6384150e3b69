/* SPDX-License-Identifier: GPL-2.0-only */
/* iopm_cmdline.c: build the IOPM's kernel command line (iopm_cmdline.h). */
#include "vmm/iopm/iopm_cmdline.h"

#include "arch/x86/serial.h"
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define WORD_MAX 256 /* longer words are checked on their first 255 bytes */

/* Extra arguments that would undo what the IOPM's confinement relies on.
 * Linux takes the last occurrence of these (or adds to them), so one after
 * the VMM's own would win. */
static const struct {
	const char *name;
	const char *value; /* refused only if the value contains this; NULL: always */
	const char *why;
} refused[] = {
    {"iomem", "relaxed", "/dev/mem would reach busy ranges again (the VMM's and the guests' RAM)"},
    {"memmap", NULL, "it can turn the VMM's or the guests' RAM into RAM of the IOPM"},
    {"nr_cpus", NULL, "Linux would start the other CPUs (the VMM's)"},
    {"rdinit", NULL, "/init loads iopm.ko and locks the kernel down before anything else runs"},
    {"init", NULL, "/init loads iopm.ko and locks the kernel down before anything else runs"},
    {"coopvmm.shared", NULL, "the VMM passes the shared zone itself"},
    {"iopm.fake", NULL, "iopm.ko would refuse the real zone (test mode)"},
    {"iopm.guard_emergency", NULL, "an emergency restart (sysrq-b) would reset the whole machine"},
};

/* Linux's parameter names: '-' and '_' are the same (kernel/params.c, parameq). */
static bool name_is(const char *word, size_t len, const char *name)
{
	if (strlen(name) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char a = word[i] == '-' ? '_' : word[i], b = name[i] == '-' ? '_' : name[i];
		if (a != b)
			return false;
	}
	return true;
}

static bool contains(const char *s, const char *sub)
{
	size_t n = strlen(sub);
	for (; *s; s++)
		if (!strncmp(s, sub, n))
			return true;
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Split like Linux's next_arg() (lib/cmdline.c: whitespace outside double
 * quotes ends a word; the quotes themselves are dropped) and check every
 * word. Words after "--" (init's arguments) are checked too. */
static int check_extra(const char *s, char *err, size_t errlen)
{
	while (*s) {
		while (is_space(*s))
			s++;
		if (!*s)
			break;
		char word[WORD_MAX];
		size_t n = 0;
		bool quoted = false;
		for (; *s && (quoted || !is_space(*s)); s++) {
			if (*s == '"')
				quoted = !quoted;
			else if (n + 1 < sizeof(word))
				word[n++] = *s;
		}
		word[n] = '\0';
		const char *eq = strchr(word, '=');
		size_t name_len = eq ? (size_t)(eq - word) : n;
		for (unsigned i = 0; i < ARRAY_SIZE(refused); i++) {
			if (!name_is(word, name_len, refused[i].name))
				continue;
			if (refused[i].value && !(eq && contains(eq + 1, refused[i].value)))
				continue;
			snprintf(err, errlen, "IOPM kernel argument \"%s\" refused: %s", word,
				 refused[i].why);
			return -EINVAL;
		}
	}
	return 0;
}

int iopm_build_cmdline(char *buf, size_t len, const struct iopm_cmdline_in *in, char *err, size_t errlen)
{
	int r = check_extra(in->extra, err, errlen);
	if (r)
		return r;
	int n = snprintf(
	    buf, len,
	    "console=ttyS1,115200 nr_cpus=1 noapic panic=0 nokaslr tsc_early_khz=%llu reserve=0x%x,%u "
	    "8250.nr_uarts=2 coopvmm.shared=0x%llx,0x%llx rdinit=/init",
	    (unsigned long long)in->tsc_khz, COM1_PORT, UART_REGS, (unsigned long long)in->shared_base,
	    (unsigned long long)in->shared_size);
	if (in->extra[0])
		n += snprintf(buf + strlen(buf), len - strlen(buf), " %s", in->extra);
	if ((size_t)n >= len) {
		snprintf(err, errlen, "the IOPM command line needs %d bytes, the VMM has %zu", n + 1, len);
		return -ENOSPC;
	}
	return 0;
}
