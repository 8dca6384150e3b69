/* SPDX-License-Identifier: GPL-2.0-only */
/* test_vm_layout.c: a guest's RAM in its guest-physical space
 * (vmm/vm/vm_layout.c) for guests from 2 MiB to 5 GiB, and what vm_create()
 * builds from it (vmm/vm/vm.c in the exit-handler harness): the EPT maps
 * exactly the RAM ranges, never the PC hole or the device windows at
 * 3-4 GiB, and vm_gpa_ptr() agrees (issue 13 item 4: guests of 2 GiB and
 * more). */
#include "test.h"

#include "tests/harness/harness.h"
#include "vmm/platform/ept.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vm/vm_layout.h"

#define G (1ULL << 30)
#define M (1ULL << 20)

struct layout_case {
	uint64_t mem;
	unsigned n;
	struct vm_ram_range r[VM_RAM_RANGES_MAX];
};

static const struct layout_case cases[] = {
    {2 * M, 2, {{0, 0xa0000, 0}, {0xf0000, 2 * M - 0xf0000, 0xf0000}}},
    {16 * M, 2, {{0, 0xa0000, 0}, {0xf0000, 16 * M - 0xf0000, 0xf0000}}},
    {2 * G, 2, {{0, 0xa0000, 0}, {0xf0000, 2 * G - 0xf0000, 0xf0000}}},
    {3 * G, 2, {{0, 0xa0000, 0}, {0xf0000, 3 * G - 0xf0000, 0xf0000}}},
    {3 * G + 2 * M, 3, {{0, 0xa0000, 0}, {0xf0000, 3 * G - 0xf0000, 0xf0000}, {4 * G, 2 * M, 3 * G}}},
    {4 * G, 3, {{0, 0xa0000, 0}, {0xf0000, 3 * G - 0xf0000, 0xf0000}, {4 * G, G, 3 * G}}},
    {5 * G, 3, {{0, 0xa0000, 0}, {0xf0000, 3 * G - 0xf0000, 0xf0000}, {4 * G, 2 * G, 3 * G}}},
};

TEST(vm_layout, ranges)
{
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct layout_case *k = &cases[c];
		struct vm_ram_range r[VM_RAM_RANGES_MAX];
		test_context("mem %llu MiB", (unsigned long long)(k->mem / M));
		unsigned n = vm_ram_ranges(k->mem, r);
		EXPECT_EQ(n, k->n);
		uint64_t sum = 0;
		for (unsigned i = 0; i < n; i++) {
			EXPECT_EQ(r[i].gpa, k->r[i].gpa);
			EXPECT_EQ(r[i].size, k->r[i].size);
			EXPECT_EQ(r[i].off, k->r[i].off);
			EXPECT_LE(r[i].off + r[i].size, k->mem); /* inside the host block */
			sum += r[i].size;
		}
		EXPECT_EQ(sum, k->mem - (VM_BIOS_START - VM_HOLE_START)); /* all but the hole's bytes */
	}
}

struct off_case {
	uint64_t mem, gpa, len;
	bool ram;
	uint64_t off;
};

TEST(vm_layout, offsets)
{
	static const struct off_case oc[] = {
	    {16 * M, 0, 1, true, 0},
	    {16 * M, 0x9fffc, 4, true, 0x9fffc},
	    {16 * M, 0x9fffc, 5, false, 0}, /* into the hole */
	    {16 * M, 0xa0000, 1, false, 0},
	    {16 * M, 0xeffff, 1, false, 0},
	    {16 * M, 0xefffc, 8, false, 0},	 /* from the hole into RAM */
	    {16 * M, 0xf0000, 1, true, 0xf0000}, /* the firmware tables' BIOS area */
	    {16 * M, 0xffffc, 8, true, 0xffffc}, /* ... continues into RAM from 1 MiB */
	    {16 * M, M, 0, true, M},		 /* length 0 counts as 1 */
	    {16 * M, 16 * M - 4, 4, true, 16 * M - 4},
	    {16 * M, 16 * M - 4, 5, false, 0},
	    {16 * M, 16 * M, 0, false, 0},
	    {16 * M, M, UINT64_MAX, false, 0}, /* no wrap-around */
	    {2 * G, 2 * G - 8, 8, true, 2 * G - 8},
	    {2 * G, 2 * G, 1, false, 0},
	    {3 * G, 3 * G - 1, 1, true, 3 * G - 1},
	    {5 * G, 3 * G - 4, 4, true, 3 * G - 4},
	    {5 * G, 3 * G - 4, 8, false, 0},  /* into the device hole */
	    {5 * G, 0xfeb00000, 4, false, 0}, /* test device */
	    {5 * G, 0xfec00000, 4, false, 0}, /* IOAPIC */
	    {5 * G, 0xfee00000, 4, false, 0}, /* LAPIC */
	    {5 * G, 4 * G - 4, 8, false, 0},
	    {5 * G, 4 * G, 8, true, 3 * G},
	    {5 * G, 6 * G - 8, 8, true, 5 * G - 8},
	    {5 * G, 6 * G - 8, 9, false, 0},
	    {5 * G, 6 * G, 1, false, 0},
	};
	for (unsigned c = 0; c < sizeof(oc) / sizeof(oc[0]); c++) {
		uint64_t off = 12345;
		test_context("mem %llu MiB, gpa 0x%llx + 0x%llx", (unsigned long long)(oc[c].mem / M),
			     (unsigned long long)oc[c].gpa, (unsigned long long)oc[c].len);
		EXPECT_EQ(vm_ram_offset(oc[c].mem, oc[c].gpa, oc[c].len, &off), oc[c].ram);
		if (oc[c].ram)
			EXPECT_EQ(off, oc[c].off);
	}
}

/* vm_create() of large guests in the harness (guest RAM is a sparse host
 * mapping there): the EPT and vm_gpa_ptr() follow the layout. */
TEST(vm_layout, large_guests_ept_and_gpa_ptr)
{
	static const uint64_t sizes[] = {2 * G, 3 * G, 4 * G, 5 * G};
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint64_t mem = sizes[s];
		test_context("mem %llu MiB", (unsigned long long)(mem / M));
		struct vm *vm = hv_create(mem, 1, HV_PROT32);
		EXPECT_TRUE(vm != NULL);
		uint64_t hpa = 0, perms = 0;
		uint64_t low_top = mem < 3 * G ? mem : 3 * G;
		const uint64_t ram_gpas[] = {0, 0x9f000, 0xf0000, 0xff000, M, low_top - 0x1000};
		for (unsigned i = 0; i < sizeof(ram_gpas) / sizeof(ram_gpas[0]); i++) {
			test_context("mem %llu MiB, RAM gpa 0x%llx", (unsigned long long)(mem / M),
				     (unsigned long long)ram_gpas[i]);
			EXPECT_TRUE(ept_lookup(&vm->ept, ram_gpas[i], &hpa, &perms));
			EXPECT_EQ(hpa, vm->mem_hpa + ram_gpas[i]);
			EXPECT_EQ(perms, EPT_RWX);
			EXPECT_EQ((uintptr_t)vm_gpa_ptr(vm, ram_gpas[i], 0x1000), vm->mem_hpa + ram_gpas[i]);
		}
		const uint64_t not_ram[] = {0xa0000,	0xef000,    low_top,
					    0xc0000000, 0xfeb00000, 0xfec00000,
					    0xfee00000, 0xfffff000, 4 * G + (mem - low_top)};
		for (unsigned i = 0; i < sizeof(not_ram) / sizeof(not_ram[0]); i++) {
			test_context("mem %llu MiB, gpa 0x%llx not RAM", (unsigned long long)(mem / M),
				     (unsigned long long)not_ram[i]);
			EXPECT_FALSE(ept_lookup(&vm->ept, not_ram[i], NULL, NULL));
			EXPECT_TRUE(vm_gpa_ptr(vm, not_ram[i], 1) == NULL);
		}
		if (mem > 3 * G) { /* the rest from 4 GiB, after the first 3 GiB of the block */
			const uint64_t high[] = {4 * G, 4 * G + (mem - 3 * G) - 0x1000};
			for (unsigned i = 0; i < 2; i++) {
				test_context("mem %llu MiB, high gpa 0x%llx", (unsigned long long)(mem / M),
					     (unsigned long long)high[i]);
				EXPECT_TRUE(ept_lookup(&vm->ept, high[i], &hpa, NULL));
				EXPECT_EQ(hpa, vm->mem_hpa + 3 * G + (high[i] - 4 * G));
				EXPECT_EQ((uintptr_t)vm_gpa_ptr(vm, high[i], 0x1000), hpa);
			}
		}
		/* 2 MiB pages wherever both sides are aligned: the first 2 MiB holds
		 * the hole (4 KiB pages), everything else is large. */
		EXPECT_EQ(vm->ept.pages_4k, 0xa0000 / 0x1000 + (2 * M - VM_BIOS_START) / 0x1000);
		EXPECT_EQ(vm->ept.pages_2m, (mem - 2 * M) / (2 * M));
		hv_destroy(vm);
		EXPECT_EQ(hv_violations(), 0);
	}
}
