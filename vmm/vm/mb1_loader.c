/* SPDX-License-Identifier: GPL-2.0-only */
/* mb1_loader.c: Multiboot v1 guest loading (Multiboot 0.6.96 3.1-3.3) from
 * an ELF32 image (System V ABI i386 supplement: ELF header, program headers,
 * PT_LOAD). The image comes from outside the VMM: every offset and size is
 * checked against the file and against guest RAM (vmm/vm/vm_layout.h) before
 * anything is copied. The information goes to low RAM where no segment is
 * (find_low_area), the modules above the image and 1 MiB. */
#include "vmm/vm/mb1_loader.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"
#include "vmm/vm/vm_layout.h"

#define MB1_FLAG_AOUT_KLUDGE	(1U << 16)
#define MB1_FLAGS_REQUIRED_MASK 0xffffU /* bits 0-15: loader must support */
#define MB1_FLAGS_SUPPORTED	0x3U	/* page align, memory info */
#define MBI_FLAG_MEM		(1U << 0)
#define MBI_FLAG_CMDLINE	(1U << 2)
#define MBI_FLAG_MODS		(1U << 3)
#define MBI_FLAG_MMAP		(1U << 6)
#define MBI_INFO_SIZE		0x80 /* the whole 3.3 structure, framebuffer fields included, zeroed */
#define MMAP_USABLE		1
#define MMAP_RESERVED		2
#define MMAP_MAX		(VM_RAM_RANGES_MAX + 1) /* RAM ranges and the reserved 0x9fc00-0xfffff */
#define ELF_MAGIC                                                                                            \
	"\x7f"                                                                                               \
	"ELF"
#define ELFCLASS32   1
#define ELFDATA2LSB  1
#define ET_EXEC	     2
#define EM_386	     3
#define PT_LOAD	     1
#define ADDR32_LIMIT 0x100000000ULL /* Multiboot v1 addresses are 32-bit */
#define MB1_PAGE     0x1000ULL

struct elf32_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __attribute__((packed));

struct elf32_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
} __attribute__((packed));

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

struct mb1_mmap {
	uint32_t size;
	uint64_t base, len;
	uint32_t type;
} __attribute__((packed));

static bool in_range(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

/* Host pointer to guest-physical [gpa, gpa + len) if it is RAM. */
static uint8_t *gpa_ptr(uint8_t *ram, uint64_t ram_size, uint64_t gpa, uint64_t len)
{
	uint64_t off;
	return vm_ram_offset(ram_size, gpa, len, &off) ? ram + off : NULL;
}

/* "0x0-0xa0000, 0x100000-0x1000000" for messages. */
static void describe_ram(uint64_t ram_size, char *buf, size_t len)
{
	struct vm_ram_range r[VM_RAM_RANGES_MAX];
	unsigned n = vm_ram_ranges(ram_size, r);
	size_t at = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s0x%llx-0x%llx", i ? ", " : "",
				       (unsigned long long)r[i].gpa,
				       (unsigned long long)(r[i].gpa + r[i].size));
}

static int find_header(const uint8_t *image, uint64_t size, uint32_t *flags)
{
	uint64_t n = MIN(size, (uint64_t)MB1_SEARCH_LEN);
	for (uint64_t off = 0; off + 12 <= n; off += 4) {
		uint32_t h[3];
		memcpy(h, image + off, sizeof(h));
		if (h[0] == MB1_HEADER_MAGIC && (uint32_t)(h[0] + h[1] + h[2]) == 0) {
			*flags = h[1];
			return 0;
		}
	}
	return -EINVAL;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool area_free(const struct mb1_result *res, uint64_t at, uint64_t size)
{
	for (uint32_t i = 0; i < res->nseg; i++)
		if (overlaps(at, size, res->seg[i].start, res->seg[i].end - res->seg[i].start))
			return false;
	if (res->info_area.end &&
	    overlaps(at, size, res->info_area.start, res->info_area.end - res->info_area.start))
		return false;
	return true;
}

/* A place for `size` bytes of loader data in usable low RAM that no segment
 * and no earlier area overlaps: the first free page from MB1_INFO_GPA up,
 * else from MB1_INFO_MIN up. 0 when there is none. */
static uint64_t find_low_area(const struct mb1_result *res, uint64_t ram_size, uint64_t size)
{
	uint64_t top = MIN(ram_size, VM_LOW_USABLE_END);
	for (int pass = 0; pass < 2; pass++) {
		uint64_t from = pass ? MB1_INFO_MIN : MB1_INFO_GPA, to = pass ? MB1_INFO_GPA : top;
		for (uint64_t at = from; at < to && size <= top - at; at += MB1_PAGE)
			if (area_free(res, at, size))
				return at;
	}
	return 0;
}

static void no_room(const struct mb1_result *res, uint64_t size, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "no room for the %s (%llu bytes) in low RAM 0x%llx-0x%llx: the image's segments take it "
		 "(%u segment(s) from 0x%x to 0x%x)",
		 what, (unsigned long long)size, MB1_INFO_MIN, VM_LOW_USABLE_END, res->nseg, res->load_lo,
		 res->load_hi);
}

/* The memory map (Multiboot 3.3 mmap_*): the RAM ranges of vm_layout.h,
 * low RAM usable up to VM_LOW_USABLE_END, the rest below 1 MiB reserved
 * (the firmware tables' BIOS area included). */
static unsigned build_mmap(uint64_t ram_size, struct mb1_mmap *mm)
{
	struct vm_ram_range r[VM_RAM_RANGES_MAX];
	unsigned nr = vm_ram_ranges(ram_size, r), n = 0;
	for (unsigned i = 0; i < nr; i++) {
		uint64_t gpa = r[i].gpa, len = r[i].size;
		if (gpa == VM_BIOS_START) {
			gpa = VM_HOLE_END;
			len -= VM_HOLE_END - VM_BIOS_START;
		}
		if (gpa == 0)
			len = MIN(len, VM_LOW_USABLE_END);
		mm[n++] = (struct mb1_mmap){sizeof(struct mb1_mmap) - 4, gpa, len, MMAP_USABLE};
		if (gpa == 0)
			mm[n++] = (struct mb1_mmap){sizeof(struct mb1_mmap) - 4, len, VM_HOLE_END - len,
						    MMAP_RESERVED};
	}
	return n;
}

/* The information area: info, memory map, command line (whole: no limit
 * but room), in low RAM where no segment is. */
static int build_info(uint8_t *ram, uint64_t ram_size, const char *cmdline, struct mb1_result *out, char *err,
		      size_t errlen)
{
	struct mb1_mmap mm[MMAP_MAX];
	unsigned nmm = build_mmap(ram_size, mm);
	if (!cmdline)
		cmdline = "";
	uint64_t cmd_len = strlen(cmdline) + 1;
	uint64_t mmap_off = MBI_INFO_SIZE, cmd_off = mmap_off + nmm * sizeof(mm[0]);
	uint64_t size = cmd_off + cmd_len;
	uint64_t at = find_low_area(out, ram_size, size);
	if (!at) {
		no_room(out, size, "Multiboot information", err, errlen);
		return -ENOSPC;
	}
	struct mb1_info info;
	memset(&info, 0, sizeof(info));
	info.flags = MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MMAP;
	info.mem_lower = (uint32_t)(VM_LOW_USABLE_END / 1024);
	info.mem_upper = (uint32_t)((MIN(ram_size, VM_MMIO_START) - VM_HOLE_END) / 1024);
	info.mmap_addr = (uint32_t)(at + mmap_off);
	info.mmap_length = (uint32_t)(nmm * sizeof(mm[0]));
	info.cmdline = (uint32_t)(at + cmd_off);
	uint8_t *p = gpa_ptr(ram, ram_size, at, size);
	if (!p) { /* find_low_area looks in RAM only: never, but not trusted */
		no_room(out, size, "Multiboot information", err, errlen);
		return -ENOSPC;
	}
	memset(p, 0, MBI_INFO_SIZE);
	memcpy(p, &info, sizeof(info));
	memcpy(p + mmap_off, mm, nmm * sizeof(mm[0]));
	memcpy(p + cmd_off, cmdline, cmd_len);
	out->mbi = (uint32_t)at;
	out->info_area.start = (uint32_t)at;
	out->info_area.end = (uint32_t)(at + size);
	return 0;
}

int mb1_load(uint8_t *ram, uint64_t ram_size, const uint8_t *image, uint64_t size, const char *cmdline,
	     struct mb1_result *out, char *err, size_t errlen)
{
	uint32_t flags;
	char desc[96];
	memset(out, 0, sizeof(*out));
	if (ram_size <= VM_HOLE_END) {
		snprintf(err, errlen, "guest RAM of %llu bytes: must be above 1 MiB",
			 (unsigned long long)ram_size);
		return -EINVAL;
	}
	if (find_header(image, size, &flags)) {
		snprintf(err, errlen,
			 "no Multiboot header (magic 0x%x with a valid checksum) in the first %u bytes",
			 MB1_HEADER_MAGIC, MB1_SEARCH_LEN);
		return -EINVAL;
	}
	if ((flags & MB1_FLAGS_REQUIRED_MASK) & ~MB1_FLAGS_SUPPORTED) {
		snprintf(err, errlen, "Multiboot header asks for unsupported features (flags 0x%x)", flags);
		return -EINVAL;
	}
	if (flags & MB1_FLAG_AOUT_KLUDGE) {
		snprintf(err, errlen, "a.out-kludge images are not supported: give an ELF32 image");
		return -EINVAL;
	}
	struct elf32_ehdr eh;
	if (size < sizeof(eh)) {
		snprintf(err, errlen, "image too small for an ELF header (%llu bytes)",
			 (unsigned long long)size);
		return -EINVAL;
	}
	memcpy(&eh, image, sizeof(eh));
	if (memcmp(eh.ident, ELF_MAGIC, 4) || eh.ident[4] != ELFCLASS32 || eh.ident[5] != ELFDATA2LSB ||
	    eh.type != ET_EXEC || eh.machine != EM_386 || eh.phentsize < sizeof(struct elf32_phdr) ||
	    !eh.phnum) {
		snprintf(err, errlen, "not an ELF32 i386 executable with program headers");
		return -EINVAL;
	}
	if (!in_range(eh.phoff, (uint64_t)eh.phnum * eh.phentsize, size)) {
		snprintf(err, errlen, "program headers run past the end of the image");
		return -EINVAL;
	}
	/* Check every segment before copying any. */
	uint64_t lo = UINT64_MAX, hi = 0;
	bool entry_ok = false;
	for (uint32_t pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < eh.phnum; i++) {
			struct elf32_phdr ph;
			memcpy(&ph, image + eh.phoff + (uint64_t)i * eh.phentsize, sizeof(ph));
			if (ph.type != PT_LOAD || !ph.memsz)
				continue;
			uint8_t *dst = gpa_ptr(ram, ram_size, ph.paddr, ph.memsz);
			if (pass) {
				memcpy(dst, image + ph.offset, ph.filesz);
				memset(dst + ph.filesz, 0, ph.memsz - ph.filesz);
				continue;
			}
			if (ph.filesz > ph.memsz || !in_range(ph.offset, ph.filesz, size)) {
				snprintf(err, errlen, "segment %u: file range 0x%x+0x%x is outside the image",
					 i, ph.offset, ph.filesz);
				return -EINVAL;
			}
			if (!dst) {
				describe_ram(ram_size, desc, sizeof(desc));
				snprintf(err, errlen, "segment %u: 0x%x-0x%llx is not guest RAM (RAM: %s)", i,
					 ph.paddr, (unsigned long long)ph.paddr + ph.memsz, desc);
				return -ENOSPC;
			}
			if (ph.paddr < VM_HOLE_END && ph.paddr + (uint64_t)ph.memsz > VM_BIOS_START) {
				snprintf(
				    err, errlen,
				    "segment %u: 0x%x-0x%llx overlaps the firmware tables at 0x%llx-0x%llx",
				    i, ph.paddr, (unsigned long long)ph.paddr + ph.memsz, VM_BIOS_START,
				    VM_HOLE_END);
				return -ENOSPC;
			}
			if (out->nseg == MB1_MAX_SEGMENTS) {
				snprintf(err, errlen, "more than %u loadable segments", MB1_MAX_SEGMENTS);
				return -EINVAL;
			}
			out->seg[out->nseg].start = ph.paddr;
			out->seg[out->nseg].end = (uint32_t)(ph.paddr + ph.memsz);
			out->nseg++;
			lo = MIN(lo, (uint64_t)ph.paddr);
			hi = MAX(hi, (uint64_t)ph.paddr + ph.memsz);
			if (eh.entry >= ph.paddr && eh.entry - ph.paddr < ph.memsz)
				entry_ok = true;
		}
		if (pass)
			break;
		if (!out->nseg) {
			snprintf(err, errlen, "no loadable segment");
			return -EINVAL;
		}
		if (!entry_ok) {
			snprintf(err, errlen, "entry point 0x%x is not inside a loaded segment", eh.entry);
			return -EINVAL;
		}
		out->load_lo = (uint32_t)lo;
		out->load_hi = (uint32_t)hi;
		int r = build_info(ram, ram_size, cmdline, out, err, errlen);
		if (r)
			return r;
	}
	out->entry = eh.entry;
	return 0;
}

struct mb1_mod_entry {
	uint32_t mod_start, mod_end, string, reserved;
} __attribute__((packed));

int mb1_add_modules(uint8_t *ram, uint64_t ram_size, const struct mb1_module *mods, unsigned n,
		    struct mb1_result *res, char *err, size_t errlen)
{
	if (!n)
		return 0;
	/* The modules themselves: from 1 MiB or the image's end up, below 4 GiB. */
	uint64_t at = ALIGN_UP(MAX((uint64_t)res->load_hi, VM_HOLE_END), MB1_PAGE);
	uint64_t list_size = (uint64_t)n * sizeof(struct mb1_mod_entry), size = list_size;
	for (unsigned i = 0; i < n; i++) {
		uint64_t end = at + mods[i].size;
		if (mods[i].size > ADDR32_LIMIT || end > ADDR32_LIMIT ||
		    (mods[i].size && !gpa_ptr(ram, ram_size, at, mods[i].size))) {
			char desc[96];
			describe_ram(ram_size, desc, sizeof(desc));
			snprintf(err, errlen,
				 "module %u (%s, %llu KiB) does not fit in guest RAM below 4 GiB from 0x%llx "
				 "(RAM: %s)",
				 i, mods[i].cmdline, (unsigned long long)(mods[i].size / 1024),
				 (unsigned long long)at, desc);
			return -ENOSPC;
		}
		at = ALIGN_UP(end, MB1_PAGE);
		size += strlen(mods[i].cmdline) + 1;
	}
	/* The list and the strings: in low RAM, like the information. */
	uint64_t area = find_low_area(res, ram_size, size);
	if (!area) {
		no_room(res, size, "module list", err, errlen);
		return -ENOSPC;
	}
	uint8_t *list = gpa_ptr(ram, ram_size, area, size);
	uint64_t str = area + list_size;
	at = ALIGN_UP(MAX((uint64_t)res->load_hi, VM_HOLE_END), MB1_PAGE);
	for (unsigned i = 0; i < n; i++) {
		if (mods[i].size)
			memcpy(gpa_ptr(ram, ram_size, at, mods[i].size), mods[i].data, mods[i].size);
		size_t len = strlen(mods[i].cmdline) + 1;
		memcpy(list + (str - area), mods[i].cmdline, len);
		struct mb1_mod_entry e = {(uint32_t)at, (uint32_t)(at + mods[i].size), (uint32_t)str, 0};
		memcpy(list + i * sizeof(e), &e, sizeof(e));
		str += len;
		at = ALIGN_UP(at + mods[i].size, MB1_PAGE);
	}
	struct mb1_info info;
	uint8_t *ip = gpa_ptr(ram, ram_size, res->mbi, sizeof(info));
	memcpy(&info, ip, sizeof(info));
	info.flags |= MBI_FLAG_MODS;
	info.mods_count = n;
	info.mods_addr = (uint32_t)area;
	memcpy(ip, &info, sizeof(info));
	res->mods_area.start = (uint32_t)area;
	res->mods_area.end = (uint32_t)(area + size);
	res->load_hi = (uint32_t)at;
	return 0;
}
