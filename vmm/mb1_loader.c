/* mb1_loader.c: Multiboot v1 guest loading (Multiboot 0.6.96 3.1-3.3) from
 * an ELF32 image (System V ABI i386 supplement: ELF header, program headers,
 * PT_LOAD). The image comes from outside the VMM: every offset and size is
 * checked against the file and against guest RAM before anything is copied. */
#include "vmm/mb1_loader.h"

#include "vmm/errno.h"
#include "vmm/lib.h"

#define MB1_FLAG_AOUT_KLUDGE (1U << 16)
#define MB1_FLAGS_REQUIRED_MASK 0xffffU   /* bits 0-15: loader must support */
#define MB1_FLAGS_SUPPORTED 0x3U          /* page align, memory info */
#define MBI_FLAG_MEM (1U << 0)
#define MBI_FLAG_CMDLINE (1U << 2)
#define MBI_FLAG_MMAP (1U << 6)
#define MMAP_USABLE 1
#define MMAP_RESERVED 2
#define ELF_MAGIC "\x7f" "ELF"
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_386 3
#define PT_LOAD 1
#define LOW_RAM_TOP 0x9fc00ULL
#define HIGH_RAM_START 0x100000ULL
#define MBI_MMAP_OFF 0x100
#define MBI_CMDLINE_OFF 0x200
#define MBI_CMDLINE_MAX 0x400
#define MBI_MODS_OFF 0x600
#define MBI_MODSTR_OFF 0x700
#define MBI_FLAG_MODS (1U << 3)
#define MB1_PAGE 0x1000ULL

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

static void build_info(uint8_t *ram, uint64_t ram_size, const char *cmdline, struct mb1_result *out)
{
	struct mb1_info info;
	memset(&info, 0, sizeof(info));
	info.flags = MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MMAP;
	info.mem_lower = MB1_LOW_KIB;
	info.mem_upper = (uint32_t)((ram_size - HIGH_RAM_START) / 1024);
	const struct mb1_mmap mm[] = {
		{ sizeof(struct mb1_mmap) - 4, 0, LOW_RAM_TOP, MMAP_USABLE },
		{ sizeof(struct mb1_mmap) - 4, LOW_RAM_TOP, HIGH_RAM_START - LOW_RAM_TOP, MMAP_RESERVED },
		{ sizeof(struct mb1_mmap) - 4, HIGH_RAM_START, ram_size - HIGH_RAM_START, MMAP_USABLE },
	};
	info.mmap_addr = (uint32_t)(MB1_INFO_GPA + MBI_MMAP_OFF);
	info.mmap_length = sizeof(mm);
	memcpy(ram + info.mmap_addr, mm, sizeof(mm));
	info.cmdline = (uint32_t)(MB1_INFO_GPA + MBI_CMDLINE_OFF);
	size_t n = cmdline ? strnlen(cmdline, MBI_CMDLINE_MAX - 1) : 0;
	memcpy(ram + info.cmdline, cmdline ? cmdline : "", n);
	ram[info.cmdline + n] = '\0';
	memcpy(ram + MB1_INFO_GPA, &info, sizeof(info));
	out->mbi = (uint32_t)MB1_INFO_GPA;
}

int mb1_load(uint8_t *ram, uint64_t ram_size, const uint8_t *image, uint64_t size, const char *cmdline,
	     struct mb1_result *out, char *err, size_t errlen)
{
	uint32_t flags;
	memset(out, 0, sizeof(*out));
	if (ram_size <= HIGH_RAM_START || ram_size > 0xffffffffULL) {
		snprintf(err, errlen, "guest RAM of %llu bytes: must be above 1 MiB and below 4 GiB",
			 (unsigned long long)ram_size);
		return -EINVAL;
	}
	if (find_header(image, size, &flags)) {
		snprintf(err, errlen, "no Multiboot header (magic 0x%x with a valid checksum) in the first %u bytes",
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
		snprintf(err, errlen, "image too small for an ELF header (%llu bytes)", (unsigned long long)size);
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
	uint64_t lo = UINT64_MAX, hi = 0;
	bool entry_ok = false;
	for (uint32_t i = 0; i < eh.phnum; i++) {
		struct elf32_phdr ph;
		memcpy(&ph, image + eh.phoff + (uint64_t)i * eh.phentsize, sizeof(ph));
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		if (ph.filesz > ph.memsz || !in_range(ph.offset, ph.filesz, size)) {
			snprintf(err, errlen, "segment %u: file range 0x%x+0x%x is outside the image", i, ph.offset,
				 ph.filesz);
			return -EINVAL;
		}
		if (ph.paddr < HIGH_RAM_START || !in_range(ph.paddr, ph.memsz, ram_size)) {
			snprintf(err, errlen, "segment %u: 0x%x-0x%llx is outside guest RAM 0x%llx-0x%llx", i,
				 ph.paddr, (unsigned long long)ph.paddr + ph.memsz,
				 (unsigned long long)HIGH_RAM_START, (unsigned long long)ram_size);
			return -ENOSPC;
		}
		memcpy(ram + ph.paddr, image + ph.offset, ph.filesz);
		memset(ram + ph.paddr + ph.filesz, 0, ph.memsz - ph.filesz);
		lo = MIN(lo, (uint64_t)ph.paddr);
		hi = MAX(hi, (uint64_t)ph.paddr + ph.memsz);
		if (eh.entry >= ph.paddr && eh.entry < ph.paddr + ph.memsz)
			entry_ok = true;
	}
	if (hi == 0) {
		snprintf(err, errlen, "no loadable segment");
		return -EINVAL;
	}
	if (!entry_ok) {
		snprintf(err, errlen, "entry point 0x%x is not inside a loaded segment", eh.entry);
		return -EINVAL;
	}
	build_info(ram, ram_size, cmdline, out);
	out->entry = eh.entry;
	out->load_lo = (uint32_t)lo;
	out->load_hi = (uint32_t)hi;
	return 0;
}

struct mb1_mod_entry {
	uint32_t mod_start, mod_end, string, reserved;
} __attribute__((packed));

int mb1_add_modules(uint8_t *ram, uint64_t ram_size, const struct mb1_module *mods, unsigned n,
		    struct mb1_result *res, char *err, size_t errlen)
{
	if (n > MB1_MAX_MODULES) {
		snprintf(err, errlen, "%u modules for one guest (maximum %u)", n, MB1_MAX_MODULES);
		return -E2BIG;
	}
	uint64_t at = ALIGN_UP((uint64_t)res->load_hi, MB1_PAGE);
	struct mb1_info info;
	memcpy(&info, ram + res->mbi, sizeof(info));
	for (unsigned i = 0; i < n; i++) {
		if (!in_range(at, mods[i].size, ram_size)) {
			snprintf(err, errlen, "module %u (%llu KiB) does not fit in guest RAM above 0x%llx", i,
				 (unsigned long long)(mods[i].size / 1024), (unsigned long long)at);
			return -ENOSPC;
		}
		memcpy(ram + at, mods[i].data, mods[i].size);
		uint32_t str = (uint32_t)(MB1_INFO_GPA + MBI_MODSTR_OFF + i * MB1_MODSTR_MAX);
		size_t len = strnlen(mods[i].cmdline, MB1_MODSTR_MAX - 1);
		memcpy(ram + str, mods[i].cmdline, len);
		ram[str + len] = '\0';
		struct mb1_mod_entry e = { (uint32_t)at, (uint32_t)(at + mods[i].size), str, 0 };
		memcpy(ram + MB1_INFO_GPA + MBI_MODS_OFF + i * sizeof(e), &e, sizeof(e));
		at = ALIGN_UP(at + mods[i].size, MB1_PAGE);
	}
	info.flags |= MBI_FLAG_MODS;
	info.mods_count = n;
	info.mods_addr = (uint32_t)(MB1_INFO_GPA + MBI_MODS_OFF);
	memcpy(ram + res->mbi, &info, sizeof(info));
	res->load_hi = (uint32_t)at;
	return 0;
}
