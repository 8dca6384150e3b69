/* SPDX-License-Identifier: GPL-2.0-only */
/* bootinfo.c: copy and parse the Multiboot2 boot information (Multiboot2
 * spec 3.6.1-3.6.8: command line, modules, memory map, ACPI RSDP tags).
 * Every tag is bounds-checked against total_size before it is read. */
#include "vmm/platform/bootinfo.h"

#include "arch/x86/layout.h"
#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"
#include "arch/x86/multiboot2.h"

static uint8_t mbi_copy[MBI_COPY_SIZE] __attribute__((aligned(8)));

static void copy_str(char *dst, size_t cap, const char *src, size_t srclen)
{
	size_t n = strnlen(src, srclen);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int bootinfo_parse(uint32_t magic, uint64_t mbi, struct boot_info *bi, char *err, size_t errlen)
{
	memset(bi, 0, sizeof(*bi));
	if (magic != MB2_BOOTLOADER_MAGIC) {
		snprintf(err, errlen, "not booted by a Multiboot2 loader (magic 0x%x)", magic);
		return -EINVAL;
	}
	uint32_t total = ((const struct mb2_info_header *)(uintptr_t)mbi)->total_size;
	if (total < sizeof(struct mb2_info_header) + sizeof(struct mb2_tag) || total > MBI_COPY_SIZE) {
		snprintf(err, errlen, "Multiboot2 information size %u is out of range", total);
		return -EINVAL;
	}
	memcpy(mbi_copy, (const void *)(uintptr_t)mbi, total);

	uint32_t off = sizeof(struct mb2_info_header);
	bool end = false;
	while (off + sizeof(struct mb2_tag) <= total) {
		const struct mb2_tag *t = (const void *)(mbi_copy + off);
		if (t->size < sizeof(*t) || t->size > total - off) {
			snprintf(err, errlen, "Multiboot2 tag %u at offset %u has bad size %u", t->type, off,
				 t->size);
			return -EINVAL;
		}
		const uint8_t *body = (const uint8_t *)(t + 1);
		uint32_t blen = t->size - (uint32_t)sizeof(*t);
		switch (t->type) {
		case MB2_TAG_END:
			end = true;
			break;
		case MB2_TAG_CMDLINE:
			copy_str(bi->cmdline, sizeof(bi->cmdline), (const char *)body, blen);
			break;
		case MB2_TAG_LOADER_NAME:
			copy_str(bi->loader, sizeof(bi->loader), (const char *)body, blen);
			break;
		case MB2_TAG_MODULE: {
			const struct mb2_tag_module *m = (const void *)t;
			if (t->size < sizeof(*m)) {
				snprintf(err, errlen, "module tag at offset %u is too short (%u bytes)", off,
					 t->size);
				return -EINVAL;
			}
			if (bi->nmodules >= BOOT_MAX_MODULES) {
				snprintf(err, errlen, "more than %u boot modules", BOOT_MAX_MODULES);
				return -E2BIG;
			}
			struct boot_module *bm = &bi->module[bi->nmodules];
			bm->start = m->mod_start;
			bm->end = m->mod_end;
			/* Kept whole, never cut: it names a guest and carries its arguments. */
			size_t slen = t->size - sizeof(*m);
			if (strnlen(m->cmdline, slen) == slen) {
				snprintf(err, errlen,
					 "module %u: command line not NUL-terminated inside its tag",
					 bi->nmodules);
				return -EINVAL;
			}
			bm->name = m->cmdline;
			if (bm->end < bm->start) {
				snprintf(err, errlen,
					 "module %u (%s) ends at 0x%llx before it starts at 0x%llx",
					 bi->nmodules, bm->name, (unsigned long long)bm->end,
					 (unsigned long long)bm->start);
				return -EINVAL;
			}
			bi->nmodules++;
			break;
		}
		case MB2_TAG_MMAP: {
			const struct mb2_tag_mmap *mm = (const void *)t;
			if (t->size < sizeof(*mm) || mm->entry_size < sizeof(struct mb2_mmap_entry))
				break;
			for (uint32_t e = sizeof(*mm); e + mm->entry_size <= t->size; e += mm->entry_size) {
				/* Copied out: an entry size that is not a multiple of 8
				 * leaves the next entry unaligned. */
				struct mb2_mmap_entry me;
				memcpy(&me, (const uint8_t *)t + e, sizeof(me));
				if (memmap_add(&bi->mmap, me.base, me.len, me.type) < 0)
					bi->mmap_dropped++;
			}
			break;
		}
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* Prefer the ACPI 2.0 copy when both are given. */
			if (blen >= ACPI_RSDP_V1_SIZE && (!bi->have_rsdp || t->type == MB2_TAG_ACPI_NEW)) {
				memset(bi->rsdp, 0, sizeof(bi->rsdp));
				memcpy(bi->rsdp, body, MIN(blen, (uint32_t)sizeof(bi->rsdp)));
				bi->have_rsdp = true;
			}
			break;
		default:
			break;
		}
		if (end)
			break;
		off += ALIGN_UP(t->size, MB2_TAG_ALIGN);
	}
	if (!end) {
		snprintf(err, errlen, "Multiboot2 information has no end tag");
		return -EINVAL;
	}
	if (!bi->mmap.count) {
		snprintf(err, errlen, "the boot loader gave no memory map");
		return -ENOENT;
	}
	return 0;
}

const struct boot_module *bootinfo_find_module(const struct boot_info *bi, const char *name,
					       const char **args)
{
	size_t n = strlen(name);
	for (uint32_t i = 0; i < bi->nmodules; i++) {
		const char *w = bi->module[i].name;
		if (w[0] == '/') {
			const char *sp = strchr(w, ' ');
			if (!sp)
				continue;
			w = sp + 1;
		}
		if (!strncmp(w, name, n) && (w[n] == '\0' || w[n] == ' ')) {
			if (args)
				*args = w[n] ? w + n + 1 : "";
			return &bi->module[i];
		}
	}
	return NULL;
}
