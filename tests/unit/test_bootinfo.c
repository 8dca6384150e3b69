/* SPDX-License-Identifier: GPL-2.0-only */
/* test_bootinfo.c: the Multiboot2 information parser (vmm/platform/bootinfo.c)
 * against hand-built MBIs, well-formed and hostile (Multiboot2 spec 3.6). */
#include "test.h"

#include "vmm/platform/bootinfo.h"
#include "vmm/lib/errno.h"
#include "arch/x86/multiboot2.h"

struct mbi_builder {
	uint8_t buf[8192] __attribute__((aligned(8)));
	uint32_t len;
};

static void mbi_start(struct mbi_builder *b)
{
	memset(b, 0, sizeof(*b));
	b->len = sizeof(struct mb2_info_header);
}

static void *mbi_tag(struct mbi_builder *b, uint32_t type, uint32_t size)
{
	struct mb2_tag *t = (void *)(b->buf + b->len);
	t->type = type;
	t->size = size;
	b->len += (size + MB2_TAG_ALIGN - 1) & ~(MB2_TAG_ALIGN - 1);
	return t;
}

static void mbi_string(struct mbi_builder *b, uint32_t type, const char *s)
{
	uint32_t n = (uint32_t)strlen(s) + 1;
	struct mb2_tag *t = mbi_tag(b, type, sizeof(*t) + n);
	memcpy(t + 1, s, n);
}

static void mbi_module(struct mbi_builder *b, uint32_t start, uint32_t end, const char *name)
{
	uint32_t n = (uint32_t)strlen(name) + 1;
	struct mb2_tag_module *m = mbi_tag(b, MB2_TAG_MODULE, sizeof(*m) + n);
	m->mod_start = start;
	m->mod_end = end;
	memcpy(m->cmdline, name, n);
}

static void mbi_mmap(struct mbi_builder *b, const struct mb2_mmap_entry *e, uint32_t n, uint32_t esize)
{
	struct mb2_tag_mmap *m = mbi_tag(b, MB2_TAG_MMAP, sizeof(*m) + n * esize);
	m->entry_size = esize;
	m->entry_version = 0;
	for (uint32_t i = 0; i < n; i++)
		memcpy((uint8_t *)(m + 1) + i * esize, &e[i], sizeof(e[i]));
}

static uint64_t mbi_end(struct mbi_builder *b)
{
	mbi_tag(b, MB2_TAG_END, sizeof(struct mb2_tag));
	((struct mb2_info_header *)b->buf)->total_size = b->len;
	return (uint64_t)(uintptr_t)b->buf;
}

static const struct mb2_mmap_entry qemu_map[] = {
    {0, 0x9fc00, MEM_USABLE, 0},
    {0xf0000, 0x10000, MEM_RESERVED, 0},
    {0x100000, 0x1fee0000, MEM_USABLE, 0},
};

static struct mbi_builder b;
static struct boot_info bi;
static char err[256];

TEST(bootinfo, well_formed)
{
	mbi_start(&b);
	mbi_string(&b, MB2_TAG_CMDLINE, "iopm_mem=64M iopms=1");
	mbi_string(&b, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	mbi_module(&b, 0x200000, 0x300000, "/boot/bzImage console=ttyS1");
	mbi_module(&b, 0x300000, 0x380000, "/boot/initrd");
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	struct acpi_rsdp rsdp = {.signature = "RSD PTR ", .revision = 2, .rsdt_address = 0x1234};
	struct mb2_tag *t = mbi_tag(&b, MB2_TAG_ACPI_NEW, sizeof(*t) + sizeof(rsdp));
	memcpy(t + 1, &rsdp, sizeof(rsdp));
	rsdp.rsdt_address = 0x9999;
	t = mbi_tag(&b, MB2_TAG_ACPI_OLD, sizeof(*t) + ACPI_RSDP_V1_SIZE);
	memcpy(t + 1, &rsdp, ACPI_RSDP_V1_SIZE);
	uint64_t mbi = mbi_end(&b);

	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), 0);
	EXPECT_STREQ(bi.cmdline, "iopm_mem=64M iopms=1");
	EXPECT_STREQ(bi.loader, "GRUB 2.06");
	EXPECT_EQ(bi.nmodules, 2);
	EXPECT_EQ(bi.module[0].start, 0x200000);
	EXPECT_EQ(bi.module[0].end, 0x300000);
	EXPECT_STREQ(bi.module[0].name, "/boot/bzImage console=ttyS1");
	EXPECT_STREQ(bi.module[1].name, "/boot/initrd");
	EXPECT_EQ(bi.mmap.count, 3);
	EXPECT_EQ(bi.mmap.r[2].base, 0x100000);
	EXPECT_EQ(bi.mmap.r[2].size, 0x1fee0000);
	EXPECT_EQ(bi.mmap.r[1].type, MEM_RESERVED);
	EXPECT_TRUE(bi.have_rsdp);
	/* the ACPI 2.0 copy wins over the 1.0 copy that came after it */
	EXPECT_EQ(((struct acpi_rsdp *)bi.rsdp)->rsdt_address, 0x1234);
}

TEST(bootinfo, bad_magic)
{
	mbi_start(&b);
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(0x2badb002, mbi, &bi, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "not booted by a Multiboot2 loader (magic 0x2badb002)");
}

TEST(bootinfo, total_size_out_of_range)
{
	mbi_start(&b);
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	uint64_t mbi = mbi_end(&b);
	((struct mb2_info_header *)b.buf)->total_size = 4;
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "size 4 is out of range");
	((struct mb2_info_header *)b.buf)->total_size = 0x7fffffff;
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "out of range");
}

TEST(bootinfo, tag_runs_past_the_end)
{
	mbi_start(&b);
	struct mb2_tag *t = mbi_tag(&b, MB2_TAG_CMDLINE, 16);
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	uint64_t mbi = mbi_end(&b);
	t->size = 0x10000;
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "tag 1 at offset 8 has bad size 65536");
	t->size = 4; /* smaller than a tag header */
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "bad size 4");
}

TEST(bootinfo, no_end_tag)
{
	mbi_start(&b);
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	((struct mb2_info_header *)b.buf)->total_size = b.len;
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, (uint64_t)(uintptr_t)b.buf, &bi, err, sizeof(err)),
		  -EINVAL);
	EXPECT_STRCONTAINS(err, "no end tag");
}

TEST(bootinfo, no_memory_map)
{
	mbi_start(&b);
	mbi_string(&b, MB2_TAG_CMDLINE, "");
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), -ENOENT);
	EXPECT_STRCONTAINS(err, "no memory map");
}

TEST(bootinfo, mmap_entry_size_too_small_is_ignored)
{
	mbi_start(&b);
	mbi_mmap(&b, qemu_map, 3, 16);
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), -ENOENT);
}

TEST(bootinfo, mmap_larger_entries_are_stepped_over)
{
	mbi_start(&b);
	mbi_mmap(&b, qemu_map, 3, 32); /* a future entry_version with more fields */
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), 0);
	EXPECT_EQ(bi.mmap.count, 3);
	EXPECT_EQ(bi.mmap.r[2].size, 0x1fee0000);
}

TEST(bootinfo, mmap_odd_entry_size_read_unaligned)
{
	/* 28-byte entries: every other entry starts 4 bytes off an 8-byte
	 * boundary; UBSan flags a direct 64-bit read of it. */
	mbi_start(&b);
	mbi_mmap(&b, qemu_map, 3, 28);
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), 0);
	EXPECT_EQ(bi.mmap.count, 3);
	EXPECT_EQ(bi.mmap.r[1].type, MEM_RESERVED);
	EXPECT_EQ(bi.mmap.r[2].base, 0x100000);
	EXPECT_EQ(bi.mmap.r[2].size, 0x1fee0000);
}

TEST(bootinfo, too_many_modules)
{
	mbi_start(&b);
	for (uint32_t i = 0; i <= BOOT_MAX_MODULES; i++)
		mbi_module(&b, 0x200000 + i * 0x1000, 0x201000 + i * 0x1000, "m");
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), -E2BIG);
	EXPECT_STRCONTAINS(err, "more than 64 boot modules");
}

TEST(bootinfo, unterminated_and_long_strings_are_bounded)
{
	mbi_start(&b);
	mbi_module(&b, 0x200000, 0x201000, "m");
	struct mb2_tag *t = mbi_tag(&b, MB2_TAG_CMDLINE, sizeof(*t) + 4);
	memcpy(t + 1, "abcd", 4); /* no NUL inside the tag */
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), 0);
	EXPECT_STREQ(bi.cmdline, "abcd");
}

/* A module's command line names a guest ("NAME/MOD args") and carries its
 * arguments: kept whole however long (issue 13 item 4), never cut. */
TEST(bootinfo, long_module_command_line_is_kept_whole)
{
	char longname[3000];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	mbi_start(&b);
	mbi_module(&b, 0x200000, 0x201000, longname);
	mbi_module(&b, 0x201000, 0x202000, "next");
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), 0);
	EXPECT_EQ(bi.nmodules, 2);
	EXPECT_EQ(strlen(bi.module[0].name), sizeof(longname) - 1);
	EXPECT_STREQ(bi.module[0].name, longname);
	EXPECT_STREQ(bi.module[1].name, "next");
}

/* A module string without its NUL: refused (cutting it would be silent). */
TEST(bootinfo, unterminated_module_string_is_refused)
{
	mbi_start(&b);
	struct mb2_tag_module *m = mbi_tag(&b, MB2_TAG_MODULE, sizeof(*m) + 4);
	m->mod_start = 0x200000;
	m->mod_end = 0x201000;
	memcpy(m->cmdline, "abcd", 4);
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "module 0: command line not NUL-terminated");
}

TEST(bootinfo, module_end_before_start)
{
	mbi_start(&b);
	mbi_module(&b, 0x300000, 0x200000, "backwards");
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "module 0 (backwards) ends at 0x200000 before it starts at 0x300000");
}

TEST(bootinfo, find_module_by_name)
{
	mbi_start(&b);
	mbi_module(&b, 0x200000, 0x201000, "lapic_timer guest=lapic_timer");
	mbi_module(&b, 0x202000, 0x203000, "/boot/vmlinuz iopm-kernel quiet");
	mbi_module(&b, 0x204000, 0x205000, "lapic");
	mbi_mmap(&b, qemu_map, 3, sizeof(struct mb2_mmap_entry));
	uint64_t mbi = mbi_end(&b);
	EXPECT_EQ(bootinfo_parse(MB2_BOOTLOADER_MAGIC, mbi, &bi, err, sizeof(err)), 0);
	const char *args = NULL;
	const struct boot_module *m = bootinfo_find_module(&bi, "lapic_timer", &args);
	EXPECT_TRUE(m == &bi.module[0]);
	EXPECT_STREQ(args, "guest=lapic_timer");
	m = bootinfo_find_module(&bi, "iopm-kernel", &args);
	EXPECT_TRUE(m == &bi.module[1]);
	EXPECT_STREQ(args, "quiet");
	m = bootinfo_find_module(&bi, "lapic", &args);
	EXPECT_TRUE(m == &bi.module[2]);
	EXPECT_STREQ(args, "");
	EXPECT_TRUE(bootinfo_find_module(&bi, "lapic_t", NULL) == NULL);
	EXPECT_TRUE(bootinfo_find_module(&bi, "guest=lapic_timer", NULL) == NULL);
}
