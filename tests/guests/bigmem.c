/* SPDX-License-Identifier: GPL-2.0-only */
/* bigmem: a guest's RAM as its Multiboot memory map describes it, for guests
 * of any size (run=bigmem:2000M; docs/guest-platform.md "Guest RAM": RAM
 * below 4 GiB ends at 3 GiB at the latest, the rest continues at 4 GiB).
 * Checks: the map's entries are sorted and disjoint; mem_lower = 639 KiB and
 * mem_upper = the usable entry at 1 MiB; no usable RAM in the PC hole or
 * over the device windows (test device, IOAPIC, LAPIC); under coopvmm RAM
 * below 4 GiB ends by 3 GiB and the word past its end reads all ones; the
 * last page of every usable range is RAM: it reads zero at first under
 * coopvmm (the VMM scrubs guest RAM), then keeps a pattern written to it.
 * Ranges above 4 GiB are reached through a PAE paging window (Intel SDM
 * Vol. 3A 4.4). Prints "RAM: N KiB usable in M range(s), top 0x..." for
 * the system test, which knows what size it asked for. */
#include "rt/rt.h"

#define LOW_RAM_END 0x9fc00U
#define ONE_MIB	    0x100000ULL
#define DEVICES	    0xfeb00000ULL /* test device, IOAPIC 0xfec00000, LAPIC 0xfee00000 */
#define FOUR_GIB    0x100000000ULL
#define RAM_32_MAX  0xc0000000ULL /* coopvmm: RAM below 4 GiB ends here at the latest */
#define PAGE	    0x1000U
#define PAGE_2M	    0x200000ULL
#define WINDOW	    0x40000000U /* virtual address of the PAE window (PDPT entry 1) */
#define CR4_PAE	    (1U << 5)
#define PTE_P	    (1ULL << 0)
#define PTE_RW	    (1ULL << 1)
#define PDE_PS	    (1ULL << 7)
#define MAX_RANGES  16

struct range {
	uint64_t base, len;
};

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd_low[512] __attribute__((aligned(4096)));
static uint64_t pd_window[512] __attribute__((aligned(4096)));

static unsigned read_map(const struct mb1_info *mbi, struct range *ram, uint64_t *total)
{
	unsigned n = 0;
	uint64_t prev_end = 0;
	*total = 0;
	for (uint32_t p = mbi->mmap_addr; p < mbi->mmap_addr + mbi->mmap_length;) {
		const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)p;
		printf("mmap: %#llx-%#llx type %u\n", (unsigned long long)e->addr,
		       (unsigned long long)(e->addr + e->len), e->type);
		EXPECT_GE(e->size, 20);
		EXPECT_GE(e->addr, prev_end); /* sorted, disjoint */
		prev_end = e->addr + e->len;
		if (e->type == MB1_MMAP_RAM && e->len) {
			EXPECT_LT(n, MAX_RANGES);
			ram[n++] = (struct range){e->addr, e->len};
			*total += e->len;
		}
		p += e->size + sizeof(e->size);
	}
	return n;
}

static bool overlaps(const struct range *r, uint64_t a, uint64_t b)
{
	return r->base < b && a < r->base + r->len;
}

/* The last page of a range: zero at first under coopvmm, then RAM. */
static void touch(volatile uint32_t *page, uint64_t phys)
{
	bool zero = true;
	for (unsigned i = 0; i < PAGE / 4; i++)
		zero &= page[i] == 0;
	printf("last page %#llx: %s\n", (unsigned long long)phys, zero ? "zero" : "not zero");
	if (under_coopvmm())
		EXPECT_TRUE(zero);
	for (unsigned i = 0; i < PAGE / 4; i++)
		page[i] = (uint32_t)phys ^ (i * 0x9e3779b9U);
	for (unsigned i = 0; i < PAGE / 4; i++)
		EXPECT_EQ(page[i], (uint32_t)phys ^ (i * 0x9e3779b9U));
}

/* A page above 4 GiB: PAE paging, the first 1 GiB identity-mapped (image,
 * stack, information), the 2 MiB page holding `phys` at WINDOW. */
static void touch_high(uint64_t phys)
{
	for (unsigned i = 0; i < 512; i++)
		pd_low[i] = (uint64_t)i * PAGE_2M | PDE_PS | PTE_RW | PTE_P;
	pd_window[0] = (phys & ~(PAGE_2M - 1)) | PDE_PS | PTE_RW | PTE_P;
	pdpt[0] = (uint32_t)pd_low | PTE_P;
	pdpt[1] = (uint32_t)pd_window | PTE_P;
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();
	write_cr3((uint32_t)pdpt);
	write_cr4(cr4 | CR4_PAE);
	write_cr0(cr0 | CR0_PG);
	touch((volatile uint32_t *)(WINDOW + (uint32_t)(phys & (PAGE_2M - 1))), phys);
	write_cr0(cr0);
	write_cr4(cr4);
}

int main(uint32_t magic, const struct mb1_info *mbi)
{
	(void)magic;
	struct range ram[MAX_RANGES];
	uint64_t total;
	EXPECT_TRUE(mbi->flags & MB1_INFO_MEMORY);
	EXPECT_TRUE(mbi->flags & MB1_INFO_MMAP);
	unsigned n = read_map(mbi, ram, &total);
	uint64_t top = ram[n - 1].base + ram[n - 1].len, top32 = 0;
	printf("RAM: %llu KiB usable in %u range(s), top %#llx\n", (unsigned long long)(total / 1024), n,
	       (unsigned long long)top);
	EXPECT_EQ(mbi->mem_lower, LOW_RAM_END / 1024);
	bool upper_found = false;
	for (unsigned i = 0; i < n; i++) {
		EXPECT_FALSE(overlaps(&ram[i], LOW_RAM_END, ONE_MIB));
		EXPECT_FALSE(overlaps(&ram[i], DEVICES, FOUR_GIB));
		if (ram[i].base == ONE_MIB) {
			EXPECT_EQ(ram[i].len, (uint64_t)mbi->mem_upper * 1024);
			upper_found = true;
		}
		if (ram[i].base < FOUR_GIB)
			top32 = ram[i].base + ram[i].len;
	}
	EXPECT_TRUE(upper_found);
	if (under_coopvmm())
		EXPECT_LE(top32, RAM_32_MAX);

	for (unsigned i = 0; i < n; i++) {
		uint64_t last = ram[i].base + ram[i].len - PAGE;
		if (ram[i].base == 0)
			continue; /* low RAM: IVT, the information, maybe the image */
		if (last < FOUR_GIB)
			touch((volatile uint32_t *)(uint32_t)last, last);
		else
			touch_high(last);
	}
	if (top == top32)
		skip("a page above 4 GiB (no RAM there)");

	if (!skip_unless_coopvmm("the word past the RAM below 4 GiB reads all ones")) {
		volatile uint32_t *past = (volatile uint32_t *)(uint32_t)top32;
		EXPECT_EQ(*past, 0xffffffff);
	}
	return 0;
}
