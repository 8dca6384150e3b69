/* test_mb1.c: the Multiboot v1 guest loader (vmm/mb1_loader.c) against
 * hand-built ELF32 images, well-formed and hostile. */
#include <stdlib.h>

#include "test.h"

#include "vmm/errno.h"
#include "vmm/mb1_loader.h"

#define RAM (16U << 20)

struct img {
	uint8_t b[0x3000];
	uint32_t len;
};

static uint8_t *ram;
static struct img im;
static struct mb1_result res;
static char err[200];

static void put32(uint32_t off, uint32_t v) { memcpy(im.b + off, &v, 4); }
static void put16(uint32_t off, uint16_t v) { memcpy(im.b + off, &v, 2); }

/* ELF header at 0, one program header at 0x34, Multiboot header at 0x1000
 * (inside the first 8 KiB), code bytes after it: loaded at 1 MiB. */
static void build(uint32_t paddr, uint32_t filesz, uint32_t memsz, uint32_t entry)
{
	memset(&im, 0, sizeof(im));
	memcpy(im.b, "\x7f" "ELF", 4);
	im.b[4] = 1;   /* ELFCLASS32 */
	im.b[5] = 1;   /* little endian */
	im.b[6] = 1;
	put16(16, 2);  /* ET_EXEC */
	put16(18, 3);  /* EM_386 */
	put32(20, 1);
	put32(24, entry);
	put32(28, 0x34);  /* phoff */
	put16(40, 0x34);
	put16(42, 0x20);  /* phentsize */
	put16(44, 1);     /* phnum */
	/* PT_LOAD: offset 0x1000, vaddr=paddr */
	put32(0x34, 1);
	put32(0x38, 0x1000);
	put32(0x3c, paddr);
	put32(0x40, paddr);
	put32(0x44, filesz);
	put32(0x48, memsz);
	put32(0x1000, MB1_HEADER_MAGIC);
	put32(0x1004, 0x3);
	put32(0x1008, (uint32_t)-(MB1_HEADER_MAGIC + 0x3));
	for (uint32_t i = 0x100c; i < 0x1000 + filesz && i < sizeof(im.b); i++)
		im.b[i] = (uint8_t)i;
	im.len = 0x1000 + filesz;
}

static void fresh_ram(void)
{
	if (!ram)
		ram = malloc(RAM);
	memset(ram, 0xcc, RAM);
}

TEST(mb1, loads_and_builds_info)
{
	fresh_ram();
	build(0x100000, 0x800, 0x2000, 0x10000c);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "hello world", &res, err, sizeof(err)), 0);
	EXPECT_EQ(res.entry, 0x10000c);
	EXPECT_EQ(res.mbi, MB1_INFO_GPA);
	EXPECT_EQ(res.load_lo, 0x100000);
	EXPECT_EQ(res.load_hi, 0x102000);
	EXPECT_EQ(memcmp(ram + 0x100000, im.b + 0x1000, 0x800), 0);
	EXPECT_EQ(ram[0x100800], 0);      /* bss zeroed */
	EXPECT_EQ(ram[0x101fff], 0);
	EXPECT_EQ(ram[0x102000], 0xcc);   /* nothing beyond memsz */
	uint32_t info[13];
	memcpy(info, ram + MB1_INFO_GPA, sizeof(info));
	EXPECT_EQ(info[0], 0x45);         /* MEM | CMDLINE | MMAP */
	EXPECT_EQ(info[1], 639);
	EXPECT_EQ(info[2], (RAM - 0x100000) / 1024);
	EXPECT_STREQ((char *)ram + info[4], "hello world");
	EXPECT_EQ(info[11], 3 * 24);      /* mmap_length: three 24-byte entries */
	uint64_t base, len;
	uint32_t type;
	memcpy(&base, ram + info[12] + 2 * 24 + 4, 8);
	memcpy(&len, ram + info[12] + 2 * 24 + 12, 8);
	memcpy(&type, ram + info[12] + 2 * 24 + 20, 4);
	EXPECT_EQ(base, 0x100000);
	EXPECT_EQ(len, RAM - 0x100000);
	EXPECT_EQ(type, 1);
}

TEST(mb1, refusals)
{
	fresh_ram();
	build(0x100000, 0x100, 0x100, 0x100000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, 0x40, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "no Multiboot header");

	build(0x100000, 0x100, 0x100, 0x100000);
	put32(0x1008, 0);   /* bad checksum */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "no Multiboot header");

	build(0x100000, 0x100, 0x100, 0x100000);
	put32(0x1004, 0x4);  /* video mode info: unsupported required feature */
	put32(0x1008, (uint32_t)-(MB1_HEADER_MAGIC + 0x4));
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "unsupported features (flags 0x4)");

	build(0x100000, 0x100, 0x100, 0x100000);
	im.b[4] = 2;   /* ELF64 */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "not an ELF32 i386 executable");

	build(0x100000, 0x100, 0x100, 0x100000);
	put32(0x38, 0x2f00);   /* segment file range past the image */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "outside the image");

	build(0x100000, 0x100, 0x100, 0x100000);
	put32(0x44, 0x200);    /* filesz > memsz */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);

	build(RAM - 0x80, 0x100, 0x100, RAM - 0x80);   /* runs past guest RAM */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err, "outside guest RAM");

	build(0x8000, 0x100, 0x100, 0x8000);           /* below 1 MiB: would hit the info */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);

	build(0xfffffff0, 0x100, 0x100, 0xfffffff0);   /* address arithmetic wraps */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -ENOSPC);

	build(0x100000, 0x100, 0x100, 0x200000);       /* entry outside the segments */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "entry point 0x200000");

	build(0x100000, 0x100, 0x100, 0x100000);
	put16(44, 0x7fff);     /* phnum: headers past the image */
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "", &res, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "program headers run past");
}

TEST(mb1, long_command_line_is_cut)
{
	static char line[2000];
	fresh_ram();
	memset(line, 'x', sizeof(line) - 1);
	build(0x100000, 0x100, 0x100, 0x100000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, line, &res, err, sizeof(err)), 0);
	uint32_t cmd;
	memcpy(&cmd, ram + MB1_INFO_GPA + 16, 4);
	EXPECT_EQ(strlen((char *)ram + cmd), 0x3ff);
}

TEST(mb1, modules_follow_the_image)
{
	static uint8_t m0[5000], m1[10];
	fresh_ram();
	memset(m0, 0xab, sizeof(m0));
	memset(m1, 0xcd, sizeof(m1));
	build(0x100000, 0x100, 0x1800, 0x100000);
	EXPECT_EQ(mb1_load(ram, RAM, im.b, im.len, "k", &res, err, sizeof(err)), 0);
	const struct mb1_module mods[] = { { m0, sizeof(m0), "initrd one" }, { m1, sizeof(m1), "two" } };
	EXPECT_EQ(mb1_add_modules(ram, RAM, mods, 2, &res, err, sizeof(err)), 0);
	uint32_t info[13];
	memcpy(info, ram + MB1_INFO_GPA, sizeof(info));
	EXPECT_EQ(info[0] & 0x8, 0x8);      /* MODS flag */
	EXPECT_EQ(info[5], 2);              /* mods_count */
	uint32_t e[8];
	memcpy(e, ram + info[6], sizeof(e));
	EXPECT_EQ(e[0], 0x102000);          /* page after the 0x1800-byte image */
	EXPECT_EQ(e[1], 0x102000 + sizeof(m0));
	EXPECT_STREQ((char *)ram + e[2], "initrd one");
	EXPECT_EQ(e[4], 0x104000);
	EXPECT_EQ(e[5], 0x104000 + sizeof(m1));
	EXPECT_STREQ((char *)ram + e[6], "two");
	EXPECT_EQ(ram[e[0]], 0xab);
	EXPECT_EQ(ram[e[5] - 1], 0xcd);
	EXPECT_EQ(res.load_hi, 0x105000);
	/* too big for RAM; too many */
	static const struct mb1_module huge = { m0, RAM, "huge" };
	EXPECT_EQ(mb1_add_modules(ram, RAM, &huge, 1, &res, err, sizeof(err)), -ENOSPC);
	EXPECT_STRCONTAINS(err, "does not fit");
	struct mb1_module many[MB1_MAX_MODULES + 1];
	for (unsigned i = 0; i <= MB1_MAX_MODULES; i++)
		many[i] = mods[1];
	EXPECT_EQ(mb1_add_modules(ram, RAM, many, MB1_MAX_MODULES + 1, &res, err, sizeof(err)), -E2BIG);
}
