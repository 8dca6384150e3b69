/* SPDX-License-Identifier: GPL-2.0-only */
/* fuzz_vmcfg.c: libFuzzer target for the guest config file parser
 * (iopm/vmcfg.c, docs/vmctl.md "Guest config files"). The first byte
 * picks the config file's path (absolute, at the root, relative, long,
 * with a control byte), the size of the error buffer (0 to 512 bytes) and
 * how the rest becomes the text: as it is, or as a script choosing
 * fragments of config files (keys and near-misses, '=', quotes, escapes,
 * values in and out of range, comments, line ends, NUL and control bytes,
 * long runs up to past the line and file limits), so that short inputs
 * reach every check. After each parse: no crash (ASan/UBSan); 0 or -1; the
 * error buffer NUL-terminated inside its size and nothing written past
 * it; on success an empty message and a guest inside every documented
 * range (name rules, memory, vcpus, absolute NUL-terminated paths and
 * strings, unused module slots zero, devices against iopm), and the same
 * guest again from its canonical text (every value quoted); on failure a
 * zeroed guest and one printable line "FILE:" ...; the same result from a
 * second parse with another buffer size (the shorter message a prefix of
 * the longer).
 *
 *   make -C tests/fuzz run-vmcfg [SECONDS=60]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iopm/vmcfg.h"

#define CHECK(c)                                                                                             \
	do {                                                                                                 \
		if (!(c)) {                                                                                  \
			fprintf(stderr, "fuzz_vmcfg: INVARIANT VIOLATED: %s (line %d)\n", #c, __LINE__);     \
			abort();                                                                             \
		}                                                                                            \
	} while (0)

#define TEXT_MAX   (VMCFG_FILE_MAX + 256) /* a built text may pass the file limit */
#define ERR_MAX	   512
#define ERR_GUARD  64
#define GUARD_BYTE 0xa5

static const char *const files[] = {
    "/etc/vm/g.cfg",
    "/g.cfg",
    "g.cfg",
    "/a-folder-long-enough-that-relative-image-paths-come-close-to-the-limit/"
    "of-two-hundred-and-fifty-five-bytes-that-an-image-path-may-have-once-made-absolute/"
    "against-the-config-file-s-folder/and/a/bit/more/here/x/guest.cfg",
    "/tmp/a\nb.cfg",
};

static const size_t errlens[] = {0, 1, 16, 64, 200, ERR_MAX, ERR_MAX, ERR_MAX};

/* What a built text is made of. */
static const char *const frags[] = {
    "name",
    "memory",
    "vcpus",
    "kernel",
    "cmdline",
    "module",
    "modules",
    "devices",
    "iopm",
    "memroy",
    "Name",
    "extra",
    "vcpu",
    "=",
    " = ",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "#",
    " # c\n",
    "\"",
    "\\",
    "\\\"",
    "\\\\",
    ",",
    ", ",
    "none",
    "com1",
    "rtc",
    "pci",
    "g",
    "web-1",
    "123",
    "-x",
    "..",
    "a b",
    "0",
    "1",
    "4",
    "5",
    "7",
    "8",
    "2",
    "64M",
    "3M",
    "1G",
    "1024G",
    "1025G",
    "2048K",
    "16",
    "99999999999999999999999",
    "g.elf",
    "/boot/g.elf",
    "../k",
    "m.bin x",
    "a.bin,b.bin",
    "\x00",
    "\x1b",
    "\xef\xbb\xbf",
    "\xc3\xa9",
    "name = g\n",
    "kernel = g.elf\n",
};

#define NFRAGS (sizeof(frags) / sizeof(frags[0]))

/* The text of a built input: each byte a fragment, or (top bit set) a run
 * of one character as long as the next byte says (times 48: up to
 * 12240 bytes, past a line's limit). */
static size_t build(const uint8_t *in, size_t n, char *out)
{
	static const char runs[] = "aA1 #\"\\/,=\n";
	static char run[255 * 48];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		const char *f;
		size_t fl;
		if (in[i] & 0x80) {
			char ch = runs[in[i] % (sizeof(runs) - 1)];
			fl = (i + 1 < n ? in[++i] : 0) * 48u;
			memset(run, ch, fl);
			f = run;
		} else {
			f = frags[in[i] % NFRAGS];
			fl = f[0] ? strlen(f) : 1; /* the NUL fragment is one byte */
		}
		if (len + fl > TEXT_MAX)
			break;
		memcpy(out + len, f, fl);
		len += fl;
	}
	return len;
}

static bool name_ok(const char *s)
{
	size_t n = strnlen(s, sizeof(((struct vmcfg *)0)->name));
	bool digits = true;
	if (!n || n >= sizeof(((struct vmcfg *)0)->name) || s[0] == '-' || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
		digits = digits && c >= '0' && c <= '9';
	}
	return !digits;
}

static bool string_ok(const char *s, size_t size)
{
	size_t n = strnlen(s, size);
	if (n == size)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 ? s[i] != '\t' : s[i] == 0x7f)
			return false;
	return true;
}

static bool zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void check_guest(const struct vmcfg *c)
{
	CHECK(name_ok(c->name));
	CHECK(c->memory >= VMCFG_MEM_MIN && c->memory <= VMCFG_MEM_MAX && c->memory % VMCFG_MEM_ALIGN == 0);
	CHECK(c->vcpus >= 1 && c->vcpus <= VMCFG_VCPUS_MAX);
	CHECK(c->kernel[0] == '/' && string_ok(c->kernel, sizeof(c->kernel)));
	CHECK(string_ok(c->cmdline, sizeof(c->cmdline)));
	CHECK(c->nmodules <= VMCFG_MODULES_MAX);
	for (unsigned i = 0; i < VMCFG_MODULES_MAX; i++) {
		const struct vmcfg_module *m = &c->module[i];
		if (i >= c->nmodules) {
			CHECK(zero(m, sizeof(*m)));
			continue;
		}
		CHECK(m->path[0] == '/' && string_ok(m->path, sizeof(m->path)));
		CHECK(!strpbrk(m->path, " \t"));
		CHECK(string_ok(m->cmdline, sizeof(m->cmdline)));
		CHECK(m->cmdline[0] != ' ' && m->cmdline[0] != '\t');
	}
	CHECK(!(c->devices & ~VMCFG_DEV_ALL));
	CHECK(c->iopm == VMCFG_NO_IOPM || (c->iopm >= 0 && c->iopm <= 7));
	CHECK(c->iopm != VMCFG_NO_IOPM || !c->devices);
}

/* `s` as a quoted value. */
static size_t quoted(char *out, const char *s)
{
	size_t k = 0;
	out[k++] = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k++] = '"';
	return k;
}

/* The canonical text of a guest: every key, every value quoted. */
static size_t canonical(const struct vmcfg *c, char *out)
{
	char devs[sizeof(VMCFG_DEVICES_NAMES)];
	size_t k = 0;
	k += (size_t)sprintf(out + k, "name = ");
	k += quoted(out + k, c->name);
	k += (size_t)sprintf(out + k, "\nmemory = \"%lluK\"\nvcpus = %u\nkernel = ",
			     (unsigned long long)(c->memory >> 10), c->vcpus);
	k += quoted(out + k, c->kernel);
	k += (size_t)sprintf(out + k, "\ncmdline = ");
	k += quoted(out + k, c->cmdline);
	for (unsigned i = 0; i < c->nmodules; i++) {
		char m[VMCFG_PATH_MAX + 1 + VMCFG_CMDLINE_MAX];
		snprintf(m, sizeof(m), "%s%s%s", c->module[i].path, c->module[i].cmdline[0] ? " " : "",
			 c->module[i].cmdline);
		k += (size_t)sprintf(out + k, "\nmodule = ");
		k += quoted(out + k, m);
	}
	k += (size_t)sprintf(out + k, "\ndevices = %s\n", vmcfg_devices_name(c->devices, devs, sizeof(devs)));
	if (c->iopm == VMCFG_NO_IOPM)
		k += (size_t)sprintf(out + k, "iopm = none\n");
	else
		k += (size_t)sprintf(out + k, "iopm = %d\n", c->iopm);
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[TEXT_MAX], text2[TEXT_MAX];
	static struct vmcfg a, b, c;
	static char err[ERR_MAX + ERR_GUARD], err2[ERR_MAX + ERR_GUARD];

	if (!size)
		return 0;
	uint8_t sel = data[0];
	const char *file = files[(sel & 7) % (sizeof(files) / sizeof(files[0]))];
	size_t errlen = errlens[(sel >> 3) & 7];
	size_t len;
	if (sel & 0x40) {
		len = build(data + 1, size - 1, text);
	} else {
		len = size - 1;
		memcpy(text, data + 1, len);
	}

	memset(err, GUARD_BYTE, sizeof(err));
	memset(&a, 0x5a, sizeof(a));
	int r = vmcfg_parse(text, len, file, &a, errlen ? err : NULL, errlen);
	CHECK(r == 0 || r == -1);
	for (size_t i = errlen; i < sizeof(err); i++)
		CHECK((unsigned char)err[i] == GUARD_BYTE);
	if (errlen) {
		size_t n = strnlen(err, errlen);
		CHECK(n < errlen);
		for (size_t i = 0; i < n; i++)
			CHECK((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
	}

	if (r == 0) {
		if (errlen)
			CHECK(err[0] == '\0');
		check_guest(&a);
		/* The same guest from its canonical text. */
		size_t len2 = canonical(&a, text2);
		CHECK(len2 < VMCFG_FILE_MAX);
		memset(&c, 0xc3, sizeof(c));
		if (vmcfg_parse(text2, len2, "/x/y.cfg", &c, err2, sizeof(err2))) {
			fprintf(stderr, "fuzz_vmcfg: canonical text refused: %s\n%.*s\n", err2, (int)len2,
				text2);
			CHECK(!"the canonical text of a guest parses");
		}
		CHECK(!memcmp(&a, &c, sizeof(a)));
	} else {
		CHECK(zero(&a, sizeof(a)));
		if (errlen == ERR_MAX) {
			size_t fl = strlen(file);
			CHECK(strlen(err) > fl + 2);
			for (size_t i = 0; i < fl; i++)
				CHECK(err[i] == ((unsigned char)file[i] < 0x20 ? '?' : file[i]));
			CHECK(err[fl] == ':');
		}
	}

	/* Again with the largest buffer: the same result, a longer message. */
	memset(err2, GUARD_BYTE, sizeof(err2));
	memset(&b, 0xa5, sizeof(b));
	int r2 = vmcfg_parse(text, len, file, &b, err2, ERR_MAX);
	CHECK(r2 == r);
	CHECK(!memcmp(&a, &b, sizeof(a)));
	if (errlen)
		CHECK(!strncmp(err, err2, strlen(err)));
	return 0;
}
