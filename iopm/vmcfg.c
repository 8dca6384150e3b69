/* SPDX-License-Identifier: GPL-2.0-only */
/* vmcfg.c: the parser of guest config files (iopm/vmcfg.h; the format:
 * docs/vmctl.md "Guest config files"). One pass over the lines: each is
 * checked as text (length, NUL and control bytes), split into key and value
 * (the value unquoted and unescaped), and the value checked and stored by
 * its key; then what is required or depends on two keys. The first error
 * ends the parse. */
#include "vmcfg.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "shared/coopvmm_abi.h"

_Static_assert(sizeof(((struct vmcfg *)0)->name) == COOP_VM_NAME_MAX,
	       "a guest name as the channel carries it");
_Static_assert(VMCFG_LINE_MAX > VMCFG_CMDLINE_MAX + 16, "a line holds the longest cmdline");

enum key {
	K_NAME,
	K_MEMORY,
	K_VCPUS,
	K_KERNEL,
	K_CMDLINE,
	K_MODULE,
	K_MODULES,
	K_RAMDISK,
	K_DEVICES,
	K_DISK,
	K_IOPM,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
    [K_NAME] = "name",	     [K_MEMORY] = "memory", [K_VCPUS] = "vcpus",     [K_KERNEL] = "kernel",
    [K_CMDLINE] = "cmdline", [K_MODULE] = "module", [K_MODULES] = "modules", [K_RAMDISK] = "ramdisk",
    [K_DEVICES] = "devices", [K_IOPM] = "iopm",	    [K_DISK] = "disk",
};

/* Keys of other tools (xl, QEMU) and likely slips that are no small typo
 * of ours: the key meant. */
static const struct {
	const char *alias, *key;
} key_aliases[] = {
    {"mem", "memory"},	 {"ram", "memory"},	{"maxmem", "memory"},  {"cpus", "vcpus"},
    {"smp", "vcpus"},	 {"extra", "cmdline"},	{"append", "cmdline"}, {"args", "cmdline"},
    {"image", "kernel"}, {"device", "devices"}, {"initrd", "ramdisk"}, {"initramfs", "ramdisk"},
    {"drive", "disk"},	 {"hda", "disk"},	{"vda", "disk"},
};

static const struct {
	const char *name;
	uint32_t bit;
} device_names[] = {
    {"com1", VMCFG_DEV_COM1},
    {"rtc", VMCFG_DEV_RTC},
    {"pci", VMCFG_DEV_PCI},
    {"virtio-blk", VMCFG_DEV_VIRTIO_BLK},
    {"virtio-net", VMCFG_DEV_VIRTIO_NET},
    {"virtio-console", VMCFG_DEV_VIRTIO_CONSOLE},
};

#define DEVICE_COUNT  (sizeof(device_names) / sizeof(device_names[0]))
#define SHOW_MAX      40 /* bytes of a value quoted in a message */
#define SUGGEST_LIMIT 32 /* keys longer than this get no suggestion */

struct parser {
	const char *file;
	char *err;
	size_t errlen;
	struct vmcfg *out;
	unsigned line;		 /* the line being parsed, from 1 */
	unsigned given[K_COUNT]; /* the line that set each key, 0: not set */
};

static int vfail(struct parser *p, unsigned line, const char *fmt, va_list ap)
{
	if (!p->err || !p->errlen)
		return -1;
	int n = line ? snprintf(p->err, p->errlen, "%s:%u: ", p->file, line)
		     : snprintf(p->err, p->errlen, "%s: ", p->file);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	/* One printable line, whatever the file's path holds. */
	for (char *c = p->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

/* "FILE:LINE: ..." about the line being parsed. */
__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(p, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

/* "FILE:LINE: ..." about another line, or "FILE: ..." with line 0. */
__attribute__((format(printf, 3, 4))) static int fail_at(struct parser *p, unsigned line, const char *fmt,
							 ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(p, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* A value for a message: its first SHOW_MAX bytes, "..." when cut. */
struct shown {
	char s[SHOW_MAX + 4];
};

static struct shown show(const char *v, size_t n)
{
	struct shown r;
	size_t k = n > SHOW_MAX ? SHOW_MAX : n;
	memcpy(r.s, v, k);
	if (n > SHOW_MAX) {
		memcpy(r.s + k, "...", 3);
		k += 3;
	}
	r.s[k] = '\0';
	return r;
}

/* A byte for a message: 'c', or "a space", or "byte 0xNN". */
struct byte_shown {
	char s[16];
};

static struct byte_shown show_byte(unsigned char c)
{
	struct byte_shown r;
	if (c == ' ')
		snprintf(r.s, sizeof(r.s), "a space");
	else if (c == '\t')
		snprintf(r.s, sizeof(r.s), "a tab");
	else if (c > 0x20 && c < 0x7f)
		snprintf(r.s, sizeof(r.s), "'%c'", c);
	else
		snprintf(r.s, sizeof(r.s), "byte 0x%02x", c);
	return r;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && is_ws(s[i]))
		i++;
	return i;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

enum num { NUM_OK, NUM_SYNTAX, NUM_OVERFLOW };

/* Decimal digits only: no sign, no base prefix, no space. */
static enum num parse_dec(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	if (!n)
		return NUM_SYNTAX;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return NUM_SYNTAX;
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10) {
			/* Still a number: the rest must be digits for the range message. */
			for (; i < n; i++)
				if (!is_digit(s[i]))
					return NUM_SYNTAX;
			return NUM_OVERFLOW;
		}
		x = x * 10 + d;
	}
	*v = x;
	return NUM_OK;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Optimal string alignment distance (insertions, deletions, substitutions
 * and transpositions of neighbours), letters compared without case. */
static unsigned key_distance(const char *a, size_t na, const char *b)
{
	unsigned d[SUGGEST_LIMIT + 1][SUGGEST_LIMIT + 1];
	size_t nb = strlen(b);
	for (size_t i = 0; i <= na; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= nb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= na; i++) {
		for (size_t j = 1; j <= nb; j++) {
			unsigned cost = lower(a[i - 1]) != b[j - 1];
			unsigned m = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < m)
				m = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < m)
				m = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && lower(a[i - 1]) == b[j - 2] && lower(a[i - 2]) == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	}
	return d[na][nb];
}

/* The known key an unknown one most likely meant, or NULL. */
static const char *suggest_key(const char *k, size_t n)
{
	if (n > SUGGEST_LIMIT)
		return NULL;
	for (size_t i = 0; i < sizeof(key_aliases) / sizeof(key_aliases[0]); i++) {
		const char *a = key_aliases[i].alias;
		if (strlen(a) == n && key_distance(k, n, a) == 0)
			return key_aliases[i].key;
	}
	const char *best = NULL;
	unsigned best_d = 3; /* at most 2 edits */
	for (unsigned i = 0; i < K_COUNT; i++) {
		size_t kl = strlen(key_names[i]);
		unsigned dist = key_distance(k, n, key_names[i]);
		/* Two edits of a 4-letter key are most of it: one at most there. */
		if (dist < best_d && (dist <= 1 || kl > 4)) {
			best = key_names[i];
			best_d = dist;
		}
	}
	return best;
}

static int find_key(const char *k, size_t n)
{
	for (int i = 0; i < K_COUNT; i++)
		if (strlen(key_names[i]) == n && !memcmp(k, key_names[i], n))
			return i;
	return -1;
}

static int set_name(struct parser *p, const char *v, size_t n)
{
	struct shown sv = show(v, n);
	if (n >= sizeof(p->out->name))
		return fail(p, "name \"%s\" is %zu characters long (at most %zu)", sv.s, n,
			    sizeof(p->out->name) - 1);
	bool digits = true;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (!coop_vm_name_char(c))
			return fail(p, "name \"%s\" has %s (letters, digits, '_', '.' and '-' only)", sv.s,
				    show_byte((unsigned char)c).s);
		digits = digits && is_digit(c);
	}
	if (digits)
		return fail(p, "name \"%s\" is all digits (vmctl would take it for a guest ID)", sv.s);
	if (v[0] == '-')
		return fail(p, "name \"%s\" starts with '-' (vmctl would take it for an option)", sv.s);
	if ((n == 1 && v[0] == '.') || (n == 2 && v[0] == '.' && v[1] == '.'))
		return fail(p, "name \"%s\" is not a name ('.' and '..' are reserved)", sv.s);
	memcpy(p->out->name, v, n);
	p->out->name[n] = '\0';
	return 0;
}

static int set_memory(struct parser *p, const char *v, size_t n)
{
	struct shown sv = show(v, n);
	uint64_t x = 0, unit = 1ULL << 20; /* a bare number is MiB */
	size_t digits = n;
	if (n && !is_digit(v[n - 1])) {
		digits = n - 1;
		switch (v[n - 1]) {
		case 'K':
		case 'k':
			unit = 1ULL << 10;
			break;
		case 'M':
		case 'm':
			unit = 1ULL << 20;
			break;
		case 'G':
		case 'g':
			unit = 1ULL << 30;
			break;
		default:
			digits = 0; /* not a size */
		}
	}
	enum num r = parse_dec(v, digits, &x);
	if (r == NUM_SYNTAX)
		return fail(p,
			    "memory \"%s\" is not a size (digits and an optional K, M or G: 512M, 2G; "
			    "a bare number is MiB)",
			    sv.s);
	if (r == NUM_OVERFLOW || x > VMCFG_MEM_MAX / unit)
		return fail(p, "memory %s is more than %lluG (1 TiB)", sv.s, VMCFG_MEM_MAX >> 30);
	x *= unit;
	if (x < VMCFG_MEM_MIN)
		return fail(p, "memory %s is less than %lluM", sv.s, VMCFG_MEM_MIN >> 20);
	if (x % VMCFG_MEM_ALIGN)
		return fail(p, "memory %s is not a multiple of %lluM", sv.s, VMCFG_MEM_ALIGN >> 20);
	p->out->memory = x;
	return 0;
}

static int set_vcpus(struct parser *p, const char *v, size_t n)
{
	struct shown sv = show(v, n);
	uint64_t x = 0;
	enum num r = parse_dec(v, n, &x);
	if (r == NUM_SYNTAX)
		return fail(p, "vcpus \"%s\" is not a number (1-%u)", sv.s, VMCFG_VCPUS_MAX);
	if (r == NUM_OVERFLOW || x < 1 || x > VMCFG_VCPUS_MAX)
		return fail(p, "vcpus %s is out of range (1-%u)", sv.s, VMCFG_VCPUS_MAX);
	p->out->vcpus = (uint32_t)x;
	return 0;
}

static int set_iopm(struct parser *p, const char *v, size_t n)
{
	struct shown sv = show(v, n);
	uint64_t x = 0;
	if (n == 4 && !memcmp(v, "none", 4)) {
		p->out->iopm = VMCFG_NO_IOPM;
		return 0;
	}
	enum num r = parse_dec(v, n, &x);
	if (r == NUM_SYNTAX)
		return fail(p, "iopm \"%s\" is not a number (0-%u, or none)", sv.s, COOP_MAX_IOPMS - 1);
	if (r == NUM_OVERFLOW || x >= COOP_MAX_IOPMS)
		return fail(p, "iopm %s is out of range (0-%u, or none)", sv.s, COOP_MAX_IOPMS - 1);
	p->out->iopm = (int32_t)x;
	return 0;
}

/* An image path made absolute against the config file's folder. */
static int set_path(struct parser *p, const char *what, const char *v, size_t n, char dst[VMCFG_PATH_MAX])
{
	struct shown sv = show(v, n);
	if (v[0] == '/') {
		if (n >= VMCFG_PATH_MAX)
			return fail(p, "%s path \"%s\" is %zu bytes long (at most %d)", what, sv.s, n,
				    VMCFG_PATH_MAX - 1);
		memcpy(dst, v, n);
		dst[n] = '\0';
		return 0;
	}
	const char *slash = strrchr(p->file, '/');
	if (p->file[0] != '/' || !slash)
		return fail(p,
			    "%s path \"%s\" is relative, and the config file's own path is not absolute "
			    "(nothing to resolve it against)",
			    what, sv.s);
	size_t dir = (size_t)(slash - p->file); /* without the slash: "" for "/x.cfg" */
	if (dir + 1 + n >= VMCFG_PATH_MAX)
		return fail(p, "%s path \"%s\" made absolute is %zu bytes long (at most %d)", what, sv.s,
			    dir + 1 + n, VMCFG_PATH_MAX - 1);
	memcpy(dst, p->file, dir);
	dst[dir] = '/';
	memcpy(dst + dir + 1, v, n);
	dst[dir + 1 + n] = '\0';
	return 0;
}

static int add_module(struct parser *p, const char *key, const char *path, size_t npath, const char *args,
		      size_t nargs)
{
	struct vmcfg *o = p->out;
	if (o->nmodules == VMCFG_MODULES_MAX)
		return fail(p, "%s: more than %d modules (module and modules together)", key,
			    VMCFG_MODULES_MAX);
	struct vmcfg_module *m = &o->module[o->nmodules];
	if (nargs >= VMCFG_CMDLINE_MAX)
		return fail(p, "module arguments \"%s\" are %zu bytes long (at most %d)", show(args, nargs).s,
			    nargs, VMCFG_CMDLINE_MAX - 1);
	if (set_path(p, "module", path, npath, m->path))
		return -1;
	memcpy(m->cmdline, args, nargs);
	m->cmdline[nargs] = '\0';
	o->nmodules++;
	return 0;
}

/* module = PATH [ARGS]: the path ends at the first space or tab. */
static int set_module(struct parser *p, const char *v, size_t n)
{
	size_t e = 0;
	while (e < n && !is_ws(v[e]))
		e++;
	if (!e)
		return fail(p, "module \"%s\" starts with %s: the value is PATH [ARGS]", show(v, n).s,
			    show_byte((unsigned char)v[0]).s);
	size_t a = skip_ws(v, n, e);
	return add_module(p, "module", v, e, v + a, n - a);
}

/* A comma-separated list: each item without the spaces around it, in
 * items[]; -1 (the message written) on an empty item or more than max. */
struct item {
	const char *s;
	size_t n;
};

static int split_list(struct parser *p, const char *key, const char *v, size_t n, struct item *items,
		      unsigned max, unsigned *count)
{
	size_t i = 0;
	unsigned k = 0;
	for (;;) {
		size_t b = skip_ws(v, n, i), e = b;
		while (e < n && v[e] != ',')
			e++;
		size_t t = e;
		while (t > b && is_ws(v[t - 1]))
			t--;
		if (t == b)
			return fail(p, "%s \"%s\": item %u is empty", key, show(v, n).s, k + 1);
		if (k == max)
			return fail(p, "%s \"%s\": more than %u items", key, show(v, n).s, max);
		items[k].s = v + b;
		items[k].n = t - b;
		k++;
		if (e == n)
			break;
		i = e + 1;
	}
	*count = k;
	return 0;
}

static int set_modules(struct parser *p, const char *v, size_t n)
{
	struct item it[VMCFG_MODULES_MAX];
	unsigned cnt;
	if (split_list(p, "modules", v, n, it, VMCFG_MODULES_MAX, &cnt))
		return -1;
	for (unsigned i = 0; i < cnt; i++) {
		for (size_t j = 0; j < it[i].n; j++)
			if (is_ws(it[i].s[j]))
				return fail(p,
					    "modules item \"%s\" has %s: the list takes paths only "
					    "(module = PATH ARGS for a module with arguments)",
					    show(it[i].s, it[i].n).s, show_byte((unsigned char)it[i].s[j]).s);
		if (add_module(p, "modules", it[i].s, it[i].n, "", 0))
			return -1;
	}
	return 0;
}

static int set_devices(struct parser *p, const char *v, size_t n)
{
	struct item it[DEVICE_COUNT + 1];
	unsigned cnt;
	uint32_t set = 0;
	if (n == 4 && !memcmp(v, "none", 4)) {
		p->out->devices = 0;
		return 0;
	}
	if (split_list(p, "devices", v, n, it, DEVICE_COUNT, &cnt))
		return -1;
	for (unsigned i = 0; i < cnt; i++) {
		uint32_t bit = 0;
		for (size_t d = 0; d < DEVICE_COUNT; d++)
			if (it[i].n == strlen(device_names[d].name) &&
			    !memcmp(it[i].s, device_names[d].name, it[i].n))
				bit = device_names[d].bit;
		if (!bit && it[i].n == 4 && !memcmp(it[i].s, "none", 4))
			return fail(p, "devices \"%s\": none goes alone", show(v, n).s);
		if (!bit)
			return fail(p, "devices: unknown device \"%s\" (" VMCFG_DEVICES_NAMES ", or none)",
				    show(it[i].s, it[i].n).s);
		if (set & bit)
			return fail(p, "devices \"%s\": %s is listed twice", show(v, n).s,
				    show(it[i].s, it[i].n).s);
		set |= bit;
	}
	p->out->devices = set;
	return 0;
}

/* The value of a line from `i` (just after '=' and its spaces) into val;
 * *quoted when it was written in double quotes. */
static int read_value(struct parser *p, const char *s, size_t n, size_t i, char *val, size_t *vlen,
		      bool *quoted)
{
	size_t k = 0;
	*quoted = i < n && s[i] == '"';
	if (!*quoted) {
		size_t e = i;
		while (e < n && s[e] != '#')
			e++;
		while (e > i && is_ws(s[e - 1]))
			e--;
		memcpy(val, s + i, e - i);
		*vlen = e - i;
		return 0;
	}
	size_t open = i++;
	for (;;) {
		if (i == n)
			return fail(p, "unterminated quote (the '\"' at column %zu has no closing '\"')",
				    open + 1);
		char c = s[i++];
		if (c == '"')
			break;
		if (c == '\\') {
			if (i == n)
				return fail(p,
					    "unterminated quote (the '\"' at column %zu has no closing '\"')",
					    open + 1);
			c = s[i++];
			if (c != '"' && c != '\\')
				return fail(
				    p,
				    "unknown escape: a backslash and %s at column %zu (only \\\" and \\\\)",
				    show_byte((unsigned char)c).s, i - 1); /* the backslash's column */
		}
		val[k++] = c;
	}
	size_t after = skip_ws(s, n, i);
	if (after < n && s[after] != '#')
		return fail(p, "trailing garbage after the closing quote: \"%s\" (a comment starts with '#')",
			    show(s + after, n - after).s);
	*vlen = k;
	return 0;
}

static int parse_line(struct parser *p, const char *s, size_t n)
{
	size_t i = skip_ws(s, n, 0);
	if (i == n || s[i] == '#')
		return 0;
	size_t k0 = i;
	while (i < n && !is_ws(s[i]) && s[i] != '=' && s[i] != '#')
		i++;
	const char *key = s + k0;
	size_t klen = i - k0;
	if (!klen)
		return fail(p, "no key before '=' (a line is key = value)");
	i = skip_ws(s, n, i);
	if (i == n || s[i] != '=')
		return fail(p, "missing '=' after \"%s\" (a line is key = value)", show(key, klen).s);
	i = skip_ws(s, n, i + 1);

	int k = find_key(key, klen);
	if (k < 0) {
		const char *hint = suggest_key(key, klen);
		if (hint)
			return fail(p, "unknown key \"%s\" (did you mean %s?)", show(key, klen).s, hint);
		return fail(p,
			    "unknown key \"%s\" (the keys: name, memory, vcpus, kernel, cmdline, module, "
			    "modules, ramdisk, devices, disk, iopm)",
			    show(key, klen).s);
	}
	if (k != K_MODULE && p->given[k])
		return fail(p, "%s given twice (first on line %u)", key_names[k], p->given[k]);

	char val[VMCFG_LINE_MAX + 1];
	size_t vlen = 0;
	bool quoted = false;
	if (read_value(p, s, n, i, val, &vlen, &quoted))
		return -1;
	val[vlen] = '\0';
	if (!vlen && !(quoted && k == K_CMDLINE))
		return fail(p, "empty value for %s%s", key_names[k],
			    k == K_CMDLINE ? " (cmdline = \"\" for an empty command line)" : "");
	if (!p->given[k])
		p->given[k] = p->line;

	switch (k) {
	case K_NAME:
		return set_name(p, val, vlen);
	case K_MEMORY:
		return set_memory(p, val, vlen);
	case K_VCPUS:
		return set_vcpus(p, val, vlen);
	case K_KERNEL:
		return set_path(p, "kernel", val, vlen, p->out->kernel);
	case K_CMDLINE:
		if (vlen >= VMCFG_CMDLINE_MAX)
			return fail(p, "cmdline is %zu bytes long (at most %d)", vlen, VMCFG_CMDLINE_MAX - 1);
		memcpy(p->out->cmdline, val, vlen + 1);
		return 0;
	case K_MODULE:
		return set_module(p, val, vlen);
	case K_MODULES:
		return set_modules(p, val, vlen);
	case K_RAMDISK:
		return set_path(p, "ramdisk", val, vlen, p->out->ramdisk);
	case K_DEVICES:
		return set_devices(p, val, vlen);
	case K_DISK:
		return set_path(p, "disk", val, vlen, p->out->disk);
	default:
		return set_iopm(p, val, vlen);
	}
}

/* What needs the whole file: the required keys, devices against iopm. */
static int finish(struct parser *p)
{
	struct vmcfg *o = p->out;
	if (!p->given[K_NAME])
		return fail_at(p, 0, "name is missing (every guest needs name = NAME)");
	if (!p->given[K_KERNEL])
		return fail_at(p, 0, "guest %s: kernel is missing (kernel = PATH of a Multiboot v1 ELF)",
			       o->name);
	if ((o->devices & VMCFG_DEV_VIRTIO) && !(o->devices & VMCFG_DEV_PCI))
		return fail_at(p, p->given[K_DEVICES],
			       "guest %s: virtio devices sit on the PCI bus: add pci to devices", o->name);
	if ((o->devices & VMCFG_DEV_VIRTIO_BLK) && !p->given[K_DISK])
		return fail_at(
		    p, p->given[K_DEVICES],
		    "guest %s: virtio-blk needs a disk (disk = PATH of an image file or block device)",
		    o->name);
	if (p->given[K_DISK] && !(o->devices & VMCFG_DEV_VIRTIO_BLK))
		return fail_at(p, p->given[K_DISK],
			       "guest %s: disk = ... needs virtio-blk in devices (devices = com1, rtc, pci, "
			       "virtio-blk)",
			       o->name);
	if (o->iopm == VMCFG_NO_IOPM) {
		if (!p->given[K_DEVICES]) {
			o->devices = 0;
		} else if (o->devices) {
			char names[sizeof(VMCFG_DEVICES_NAMES)];
			return fail_at(p, p->given[K_DEVICES],
				       "guest %s: devices = %s needs an IOPM, and iopm = none (line %u): "
				       "write devices = none, or name an IOPM",
				       o->name, vmcfg_devices_name(o->devices, names, sizeof(names)),
				       p->given[K_IOPM]);
		}
	}
	return 0;
}

void vmcfg_defaults(struct vmcfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->memory = VMCFG_MEM_DEFAULT;
	cfg->vcpus = 1;
	cfg->devices = VMCFG_DEV_ALL;
	cfg->iopm = VMCFG_IOPM_DEFAULT;
}

const char *vmcfg_devices_name(uint32_t devices, char *buf, size_t len)
{
	size_t at = 0;
	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t d = 0; d < DEVICE_COUNT; d++) {
		if (!(devices & device_names[d].bit))
			continue;
		int w = snprintf(buf + at, len - at, "%s%s", at ? ", " : "", device_names[d].name);
		if (w < 0 || (size_t)w >= len - at)
			return buf; /* cut, NUL-terminated by snprintf */
		at += (size_t)w;
	}
	if (!at)
		snprintf(buf, len, "none");
	return buf;
}

int vmcfg_parse(const char *text, size_t len, const char *file, struct vmcfg *out, char *err, size_t errlen)
{
	struct parser p = {.file = file ? file : "(config)", .err = err, .errlen = errlen, .out = out};
	size_t pos = 0;

	if (err && errlen)
		err[0] = '\0';
	vmcfg_defaults(out);
	if (!text)
		len = 0;
	if (len > VMCFG_FILE_MAX) {
		fail_at(&p, 0, "too large (%zu bytes, at most %d)", len, VMCFG_FILE_MAX);
		goto failed;
	}
	/* A UTF-8 byte order mark, as some editors write, is not a key. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + (nl ? 1 : 0);
		p.line++;
		if (n && s[n - 1] == '\r') /* CRLF */
			n--;
		if (n > VMCFG_LINE_MAX) {
			fail(&p, "line too long (%zu bytes, at most %d)", n, VMCFG_LINE_MAX);
			goto failed;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (!c) {
				fail(&p, "NUL byte at column %zu (a config file is text)", i + 1);
				goto failed;
			}
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				fail(&p, "control character 0x%02x at column %zu (only tabs and line ends)",
				     c, i + 1);
				goto failed;
			}
		}
		if (parse_line(&p, s, n))
			goto failed;
	}
	if (finish(&p))
		goto failed;
	return 0;
failed:
	memset(out, 0, sizeof(*out));
	return -1;
}
