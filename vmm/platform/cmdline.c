/* SPDX-License-Identifier: GPL-2.0-only */
/* cmdline.c: table-driven parser of the VMM boot command line (the string of
 * the Multiboot2 "boot command line" tag, Multiboot2 spec 3.6.2). The input
 * comes from the bootloader and is never trusted; docs/partitions.md lists
 * the parameters and the error messages. */
#include "vmm/platform/cmdline.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define CMDLINE_MSG_WORD_MAX 48				/* longest word quoted in an error message */
#define CMDLINE_MSG_TAIL_MAX 16				/* longest trailing garbage quoted */
#define CMDLINE_QUOTE_BUF    (CMDLINE_MSG_WORD_MAX + 4) /* + "..." + NUL */
#define CMDLINE_VALUE_BUF    32				/* a formatted size or integer */
#define CMDLINE_CHOICES_BUF  64				/* "a|b|c" list of a choice key's names */
#define CMDLINE_PATH_CHAR    '/'			/* a leading word starting so is the image path */

#define HEX_BASE     16
#define DECIMAL_BASE 10
#define SIZE_SHIFT_K 10
#define SIZE_SHIFT_M 20
#define SIZE_SHIFT_G 30

enum cmdline_kind {
	KIND_SIZE,   /* bytes: decimal or 0x-hex, optional K/M/G suffix */
	KIND_UINT,   /* decimal integer */
	KIND_CHOICE, /* one of a list of names; the value is its index */
	KIND_STRING, /* text copied into a char array (width = its size) */
};

struct cmdline_key {
	const char *key;
	enum cmdline_kind kind;
	size_t offset;		    /* of the field in struct boot_config */
	size_t width;		    /* sizeof the field: 4 or 8 */
	uint64_t def, min, max;	    /* default and inclusive limits */
	uint64_t align;		    /* value must be a multiple (1: any) */
	const char *max_reason;	    /* message for value > max (NULL: generic) */
	const char *const *choices; /* KIND_CHOICE: names, NULL-terminated */
	const char *values;	    /* the accepted values for messages (NULL: by kind) */
};

static const char *const cpu_enum_names[] = {"acpi", "mptable", NULL};
static const char *const timer_ref_names[] = {"pit", "pmtimer", NULL};
static const char *const selftest_names[] = {"none", "pf", "ud", "ap_pf", "nmi", NULL};

#define FIELD(f) offsetof(struct boot_config, f), sizeof(((struct boot_config *)0)->f)

/* Indexed by enum cmdline_param. Adding a key: add the enum value, the field
 * and one row here. */
static const struct cmdline_key cmdline_keys[CMDLINE_NPARAMS] = {
    [CMDLINE_VMM_MEM] = {"vmm_mem", KIND_SIZE, FIELD(vmm_mem), CMDLINE_VMM_MEM_DEFAULT, CMDLINE_VMM_MEM_MIN,
			 UINT64_MAX, CMDLINE_VMM_MEM_ALIGN, NULL},
    [CMDLINE_IOPM_MEM] = {"iopm_mem", KIND_SIZE, FIELD(iopm_mem), CMDLINE_IOPM_MEM_DEFAULT,
			  CMDLINE_IOPM_MEM_MIN, UINT64_MAX, CMDLINE_IOPM_MEM_ALIGN, NULL},
    [CMDLINE_SHARED_MEM] = {"shared_mem", KIND_SIZE, FIELD(shared_mem), CMDLINE_SHARED_MEM_DEFAULT,
			    CMDLINE_SHARED_MEM_MIN, CMDLINE_SHARED_MEM_MAX, CMDLINE_SHARED_MEM_ALIGN, NULL},
    [CMDLINE_IOPMS] = {"iopms", KIND_UINT, FIELD(iopms), CMDLINE_IOPMS_DEFAULT, 0, CONFIG_MAX_IOPMS, 1,
		       "too many IOPMs"},
    [CMDLINE_LOGLEVEL] = {"loglevel", KIND_UINT, FIELD(loglevel), CMDLINE_LOGLEVEL_DEFAULT, 0,
			  CMDLINE_LOGLEVEL_MAX, 1, "unknown log level", NULL, CMDLINE_LOGLEVEL_VALUES},
    [CMDLINE_IOPM_CONSOLE_IRQ] = {"iopm_console_irq", KIND_UINT, FIELD(iopm_console_irq),
				  CMDLINE_CONSOLE_IRQ_DEFAULT, 0, CMDLINE_ISA_IRQ_MAX, 1, "not an ISA IRQ",
				  NULL},
    [CMDLINE_CPU_ENUM] = {"cpu_enum", KIND_CHOICE, FIELD(cpu_enum), CPU_ENUM_ACPI, 0, CPU_ENUM_MPTABLE, 1,
			  NULL, cpu_enum_names},
    [CMDLINE_TIMER_REF] = {"timer_ref", KIND_CHOICE, FIELD(timer_ref), TIMER_REF_PIT, 0, TIMER_REF_PMTIMER, 1,
			   NULL, timer_ref_names},
    [CMDLINE_SELFTEST] = {"selftest", KIND_CHOICE, FIELD(selftest), SELFTEST_NONE, 0, SELFTEST_NMI, 1, NULL,
			  selftest_names},
    [CMDLINE_RUN] = {"run", KIND_STRING, FIELD(run), 0, 0, 0, 1, NULL, NULL},
};

_Static_assert(CMDLINE_NPARAMS <= 32, "boot_config.given has one bit per key");

static const char *const kind_expect[] = {
    [KIND_SIZE] = "a number with optional K, M or G suffix",
    [KIND_UINT] = "a decimal integer",
    [KIND_CHOICE] = "one of the names listed in docs/partitions.md",
    [KIND_STRING] = "text",
};

static const char *const kind_noun[] = {
    [KIND_SIZE] = "not a size",
    [KIND_UINT] = "not a number",
    [KIND_CHOICE] = "unknown value",
    [KIND_STRING] = "not text",
};

enum num_status { NUM_OK, NUM_NOT_NUMBER, NUM_TRAILING, NUM_OVERFLOW };

/* What a message says the key accepts. */
static const char *expected(const struct cmdline_key *k)
{
	return k->values ? k->values : kind_expect[k->kind];
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Value of c as a digit in base, or -1. */
static int digit_value(char c, unsigned int base)
{
	int v = -1;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + DECIMAL_BASE;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + DECIMAL_BASE;
	return v >= 0 && (unsigned int)v < base ? v : -1;
}

static unsigned int size_suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return SIZE_SHIFT_K;
	case 'm':
	case 'M':
		return SIZE_SHIFT_M;
	case 'g':
	case 'G':
		return SIZE_SHIFT_G;
	default:
		return 0;
	}
}

/* Parse s[0..len). On NUM_TRAILING, *stop is the first unparsed character. */
static enum num_status parse_number(const char *s, size_t len, enum cmdline_kind kind, uint64_t *out,
				    size_t *stop)
{
	unsigned int base = DECIMAL_BASE, shift;
	size_t i = 0, first;
	uint64_t v = 0;
	int d;

	if (kind == KIND_SIZE && len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = HEX_BASE;
		i = 2;
	}
	first = i;
	for (; i < len && (d = digit_value(s[i], base)) >= 0; i++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return NUM_OVERFLOW;
		v = v * base + (uint64_t)d;
	}
	if (i == first)
		return NUM_NOT_NUMBER;
	if (kind == KIND_SIZE && i < len && (shift = size_suffix_shift(s[i]))) {
		if (v > (UINT64_MAX >> shift))
			return NUM_OVERFLOW;
		v <<= shift;
		i++;
	}
	if (i < len) {
		*stop = i;
		return NUM_TRAILING;
	}
	*out = v;
	return NUM_OK;
}

bool cmdline_parse_number(const char *s, size_t len, bool size, uint64_t *out)
{
	size_t stop = 0;
	return parse_number(s, len, size ? KIND_SIZE : KIND_UINT, out, &stop) == NUM_OK;
}

/* Match s[0..len) against a choice key's names. */
static enum num_status parse_choice(const struct cmdline_key *k, const char *s, size_t len, uint64_t *out)
{
	for (uint64_t i = 0; k->choices[i]; i++) {
		if (strlen(k->choices[i]) == len && !strncmp(k->choices[i], s, len)) {
			*out = i;
			return NUM_OK;
		}
	}
	return NUM_NOT_NUMBER;
}

/* "a|b|c" for an error message. */
static const char *choice_list(const struct cmdline_key *k, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; k->choices[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "|" : "", k->choices[i]);
	return buf;
}

/* Copy s[0..len) for quoting: non-printable bytes become '?', long words
 * end in "...". */
static const char *quote(const char *s, size_t len, size_t max, char *buf)
{
	size_t i, n = MIN(len, max);

	for (i = 0; i < n; i++)
		buf[i] = (s[i] >= ' ' && s[i] <= '~') ? s[i] : '?';
	if (len > max) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

const char *cmdline_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const struct {
		uint64_t unit;
		const char *suffix;
	} units[] = {
	    {GiB, "G"},
	    {MiB, "M"},
	    {KiB, "K"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (bytes && IS_ALIGNED(bytes, units[i].unit)) {
			snprintf(buf, len, "%llu%s", (unsigned long long)(bytes / units[i].unit),
				 units[i].suffix);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

static const char *format_value(const struct cmdline_key *k, uint64_t v, char *buf, size_t len)
{
	if (k->kind == KIND_SIZE)
		return cmdline_format_size(v, buf, len);
	if (k->kind == KIND_CHOICE) {
		snprintf(buf, len, "%s", k->choices[v]);
		return buf;
	}
	if (k->kind == KIND_STRING) {
		snprintf(buf, len, "...");
		return buf;
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

static uint64_t field_get(const struct boot_config *cfg, const struct cmdline_key *k)
{
	const char *p = (const char *)cfg + k->offset;

	if (k->kind == KIND_STRING)
		return 0;

	if (k->width == sizeof(uint64_t))
		return *(const uint64_t *)(const void *)p;
	return *(const uint32_t *)(const void *)p;
}

static void field_set(struct boot_config *cfg, const struct cmdline_key *k, uint64_t v)
{
	char *p = (char *)cfg + k->offset;

	if (k->kind == KIND_STRING)
		return; /* strings are copied by parse_word() */
	if (k->width == sizeof(uint64_t))
		*(uint64_t *)(void *)p = v;
	else
		*(uint32_t *)(void *)p = (uint32_t)v;
}

void cmdline_defaults(struct boot_config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < ARRAY_SIZE(cmdline_keys); i++)
		field_set(cfg, &cmdline_keys[i], cmdline_keys[i].def);
}

bool cmdline_given(const struct boot_config *cfg, enum cmdline_param p)
{
	return p < CMDLINE_NPARAMS && (cfg->given & (1U << p));
}

const char *cmdline_describe(const struct boot_config *cfg, enum cmdline_param p, char *buf, size_t len)
{
	const struct cmdline_key *k;
	char val[CMDLINE_VALUE_BUF];

	if (p >= CMDLINE_NPARAMS) {
		snprintf(buf, len, "?");
		return buf;
	}
	k = &cmdline_keys[p];
	format_value(k, field_get(cfg, k), val, sizeof(val));
	if (cmdline_given(cfg, p))
		snprintf(buf, len, "%s=%s", k->key, val);
	else
		snprintf(buf, len, "%s (default %s)", k->key, val);
	return buf;
}

static const struct cmdline_key *find_key(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmdline_keys); i++) {
		if (strlen(cmdline_keys[i].key) == len && !strncmp(cmdline_keys[i].key, s, len))
			return &cmdline_keys[i];
	}
	return NULL;
}

/* Check a parsed value against the key's limits. */
static int check_value(const struct cmdline_key *k, uint64_t v, const char *w, char *err, size_t errlen)
{
	char lim[CMDLINE_VALUE_BUF];

	if (v < k->min) {
		snprintf(err, errlen, "%s: below the minimum of %s", w,
			 format_value(k, k->min, lim, sizeof(lim)));
		return -EINVAL;
	}
	if (v > k->max) {
		format_value(k, k->max, lim, sizeof(lim));
		if (k->max_reason && k->values)
			snprintf(err, errlen, "%s: %s (expected %s)", w, k->max_reason, k->values);
		else if (k->max_reason)
			snprintf(err, errlen, "%s: %s (maximum %s)", w, k->max_reason, lim);
		else
			snprintf(err, errlen, "%s: above the maximum of %s", w, lim);
		return -EINVAL;
	}
	if (!IS_ALIGNED(v, k->align)) {
		snprintf(err, errlen, "%s: not a multiple of %s", w,
			 format_value(k, k->align, lim, sizeof(lim)));
		return -EINVAL;
	}
	return 0;
}

/* Parse one word s[0..len) into cfg. first_word[] remembers where each key
 * was first given, for the duplicate message. */
static int parse_word(const char *s, size_t len, struct boot_config *cfg, const char *first_word[],
		      size_t first_len[], char *err, size_t errlen)
{
	char w[CMDLINE_QUOTE_BUF], other[CMDLINE_QUOTE_BUF];
	const char *eq = NULL, *val;
	const struct cmdline_key *k;
	size_t i, keylen, vallen, stop = 0;
	enum num_status st;
	uint64_t v = 0;
	unsigned int idx;

	for (i = 0; i < len && !eq; i++)
		if (s[i] == '=')
			eq = s + i;
	keylen = eq ? (size_t)(eq - s) : len;
	quote(s, len, CMDLINE_MSG_WORD_MAX, w);
	if (keylen == 0) {
		snprintf(err, errlen, "%s: missing parameter name before '='", w);
		return -EINVAL;
	}
	k = find_key(s, keylen);
	if (!k) {
		snprintf(err, errlen, "%s: unknown parameter", w);
		return -EINVAL;
	}
	idx = (unsigned int)(k - cmdline_keys);
	if (!eq) {
		snprintf(err, errlen, "%s: missing '=' (expected %s=<%s>)", w, k->key,
			 k->kind == KIND_SIZE	  ? "size"
			 : k->kind == KIND_CHOICE ? "name"
			 : k->kind == KIND_STRING ? "text"
						  : "integer");
		return -EINVAL;
	}
	if (cfg->given & (1U << idx)) {
		snprintf(err, errlen, "%s: duplicate parameter (already given as %s)", w,
			 quote(first_word[idx], first_len[idx], CMDLINE_MSG_WORD_MAX, other));
		return -EINVAL;
	}
	val = eq + 1;
	vallen = len - keylen - 1;
	if (vallen == 0) {
		snprintf(err, errlen, "%s: empty value (expected %s)", w, expected(k));
		return -EINVAL;
	}
	if (k->kind == KIND_STRING) {
		if (vallen >= k->width) {
			snprintf(err, errlen, "%s: too long (at most %zu characters)", w, k->width - 1);
			return -EINVAL;
		}
		memcpy((char *)cfg + k->offset, val, vallen);
		((char *)cfg + k->offset)[vallen] = '\0';
		cfg->given |= 1U << idx;
		first_word[idx] = s;
		first_len[idx] = len;
		return 0;
	}
	if (k->kind == KIND_CHOICE)
		st = parse_choice(k, val, vallen, &v);
	else
		st = parse_number(val, vallen, k->kind, &v, &stop);
	if (st == NUM_NOT_NUMBER && k->kind == KIND_CHOICE) {
		char names[CMDLINE_CHOICES_BUF];
		snprintf(err, errlen, "%s: unknown value (expected one of %s)", w,
			 choice_list(k, names, sizeof(names)));
		return -EINVAL;
	}
	switch (st) {
	case NUM_OK:
		break;
	case NUM_NOT_NUMBER:
		snprintf(err, errlen, "%s: %s (expected %s)", w, kind_noun[k->kind], expected(k));
		return -EINVAL;
	case NUM_TRAILING:
		snprintf(err, errlen, "%s: %s, trailing \"%s\" (expected %s)", w, kind_noun[k->kind],
			 quote(val + stop, vallen - stop, CMDLINE_MSG_TAIL_MAX, other), expected(k));
		return -EINVAL;
	case NUM_OVERFLOW:
	default:
		snprintf(err, errlen, "%s: number too large (overflows 64 bits)", w);
		return -EINVAL;
	}
	if (check_value(k, v, w, err, errlen))
		return -EINVAL;
	field_set(cfg, k, v);
	cfg->given |= 1U << idx;
	first_word[idx] = s;
	first_len[idx] = len;
	if (idx == CMDLINE_IOPM_MEM)
		cfg->iopm_mem_set = true;
	return 0;
}

int cmdline_parse(const char *cmdline, struct boot_config *cfg, char *err, size_t errlen)
{
	const char *first_word[CMDLINE_NPARAMS] = {NULL};
	size_t first_len[CMDLINE_NPARAMS] = {0};
	struct boot_config tmp;
	const char *p = cmdline, *start;
	bool first = true;
	int ret;

	if (!err)
		errlen = 0; /* snprintf() then writes nothing */
	else if (errlen)
		err[0] = '\0';
	if (!cfg)
		return -EINVAL;
	if (!cmdline)
		return 0;
	tmp = *cfg;
	tmp.given = 0;
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && !is_space(*p))
			p++;
		if (first && *start == CMDLINE_PATH_CHAR) {
			first = false;
			continue;
		}
		first = false;
		ret = parse_word(start, (size_t)(p - start), &tmp, first_word, first_len, err, errlen);
		if (ret)
			return ret;
	}
	*cfg = tmp;
	return 0;
}
