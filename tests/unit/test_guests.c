/* SPDX-License-Identifier: GPL-2.0-only */
/* test_guests.c: starting the guests of run= (vmm/vm/guests.c) in the
 * exit-handler harness: run= parsing (names up to VM_NAME_MAX - 1
 * characters, a clear error naming the entry beyond), and guests_start()
 * giving a guest every one of its GRUB modules "NAME/MOD args" with whole
 * strings, however many and however long (issue 13 item 4: nothing cut or
 * dropped silently). */
#include "mb1_image.h"
#include "test.h"

#include "tests/harness/harness.h"
#include "vmm/platform/bootinfo.h"
#include "vmm/lib/errno.h"
#include "vmm/vm/guests.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vm/vm.h"

static struct run_entry e[RUN_MAX];
static char err[200];

TEST(guests, run_names_up_to_63_characters)
{
	char run[200], name63[64], name64[65];
	memset(name63, 'a', 63);
	name63[63] = '\0';
	memset(name64, 'b', 64);
	name64[64] = '\0';
	snprintf(run, sizeof(run), "boot_under_a_name_longer_than_31_characters:32M,%s:4M:2", name63);
	EXPECT_EQ(guests_parse_run(run, e, RUN_MAX, err, sizeof(err)), 2);
	EXPECT_STREQ(e[0].name, "boot_under_a_name_longer_than_31_characters");
	EXPECT_EQ(e[0].mem, 32ULL << 20);
	EXPECT_EQ(e[0].vcpus, 1);
	EXPECT_STREQ(e[1].name, name63);
	EXPECT_EQ(e[1].mem, 4ULL << 20);
	EXPECT_EQ(e[1].vcpus, 2);

	snprintf(run, sizeof(run), "boot,%s:4M", name64);
	EXPECT_EQ(guests_parse_run(run, e, RUN_MAX, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "run=: entry 1: name \"bbbbbbbbbbbbbbbb...\" is 64 characters long (maximum 63)");
	EXPECT_EQ(guests_parse_run("a,,b", e, RUN_MAX, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "entry 1: empty name");
}

/* The fourth field names the IOPM serving the guest's platform devices. */
TEST(guests, run_iopm_field)
{
	EXPECT_EQ(guests_parse_run("a:16M:1:iopm0,b:16M:2:iopm7,c", e, RUN_MAX, err, sizeof(err)), 3);
	EXPECT_EQ(e[0].iopm, 0);
	EXPECT_EQ(e[1].iopm, 7);
	EXPECT_EQ(e[1].vcpus, 2);
	EXPECT_EQ(e[2].iopm, VM_NO_IOPM);
	EXPECT_EQ(guests_parse_run("a:16M:1:iopm8", e, RUN_MAX, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "run=a:16M:1:iopm8: a: bad IOPM \"iopm8\" (iopm0-iopm7)");
	EXPECT_EQ(guests_parse_run("a:16M:1:io", e, RUN_MAX, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "bad IOPM \"io\"");
	EXPECT_EQ(guests_parse_run("a:16M:1:iopm", e, RUN_MAX, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(guests_parse_run("a:16M:1:iopm0:x", e, RUN_MAX, err, sizeof(err)), -EINVAL);
	EXPECT_STRCONTAINS(err, "more than NAME:MEM:VCPUS:IOPM");
}

/* A large guest size parses to 64 bits: 5G is 5 GiB. */
TEST(guests, run_sizes_of_large_guests)
{
	EXPECT_EQ(guests_parse_run("big:5G,b2:2048M", e, RUN_MAX, err, sizeof(err)), 2);
	EXPECT_EQ(e[0].mem, 5ULL << 30);
	EXPECT_EQ(e[1].mem, 2ULL << 30);
}

#define NMODS  12
#define ARGLEN 300

static struct mb1_image im;
static struct boot_info bi;
static uint8_t data[NMODS][64];
static char names[NMODS][ARGLEN + 16];
static char guest_line[ARGLEN + 16];

static struct vm *find_vm(const char *name)
{
	for (unsigned i = 0; i < VM_MAX; i++)
		if (vms[i] && !strcmp(vms[i]->name, name))
			return vms[i];
	return NULL;
}

static void end_vm(struct vm *vm)
{
	uint32_t n = vm->nvcpus;
	for (uint32_t i = 0; i < n; i++)
		vm_vcpu_stopped(&vm->vcpu[i]);
}

/* 12 modules (the old limit was 8) with 300-byte arguments (the old limit
 * cut at 127), and a guest command line of 300 bytes: all whole. */
TEST(guests, start_gives_every_module_whole)
{
	fcpu_reset();
	fvmcs_reset();
	fenv_reset();
	mb1_image_build(&im, 0x100000, 0x100, 0x1000, 0x100000);
	memset(&bi, 0, sizeof(bi));
	memset(guest_line, 'c', sizeof(guest_line) - 1);
	memcpy(guest_line, "g ", 2);
	guest_line[2 + ARGLEN] = '\0';
	bi.module[0] = (struct boot_module){(uintptr_t)im.b, (uintptr_t)im.b + im.len, guest_line};
	for (unsigned k = 0; k < NMODS; k++) {
		memset(data[k], 0x40 + (int)k, sizeof(data[k]));
		int n = snprintf(names[k], sizeof(names[k]), "g/m%u ", k);
		memset(names[k] + n, 'a' + (char)k, ARGLEN);
		names[k][n + ARGLEN] = '\0';
		bi.module[1 + k] = (struct boot_module){(uintptr_t)data[k],
							(uintptr_t)(data[k] + sizeof(data[k])), names[k]};
	}
	bi.nmodules = 1 + NMODS;
	EXPECT_EQ(guests_start("g:16M", &bi), 1);
	struct vm *vm = find_vm("g");
	EXPECT_TRUE(vm != NULL);
	uint32_t mbi = (uint32_t)vm->vcpu[0].regs[RBX];
	uint32_t info[13];
	memcpy(info, vm_gpa_ptr(vm, mbi, sizeof(info)), sizeof(info));
	EXPECT_EQ(info[0] & 0x8, 0x8); /* mods */
	EXPECT_EQ(info[5], NMODS);
	const char *cmd = vm_gpa_ptr(vm, info[4], ARGLEN + 1);
	EXPECT_TRUE(cmd != NULL);
	EXPECT_STREQ(cmd, guest_line + 2);
	for (unsigned k = 0; k < NMODS; k++) {
		uint32_t m[4];
		test_context("module %u", k);
		memcpy(m, vm_gpa_ptr(vm, info[6] + k * 16, 16), 16);
		EXPECT_EQ(m[1] - m[0], sizeof(data[k]));
		EXPECT_EQ(memcmp(vm_gpa_ptr(vm, m[0], sizeof(data[k])), data[k], sizeof(data[k])), 0);
		const char *s = vm_gpa_ptr(vm, m[2], ARGLEN + 8);
		EXPECT_TRUE(s != NULL);
		EXPECT_STREQ(s, names[k] + 2); /* "mK aaa...": without "g/" */
	}
	end_vm(vm);
	EXPECT_TRUE(find_vm("g") == NULL);
	EXPECT_EQ(fenv_live_allocations(), 0);
}

/* A name beyond the limit: no guest starts, the log names the entry. */
TEST(guests, start_reports_a_name_too_long)
{
	char run[100];
	fenv_reset();
	memset(run, 'n', 70);
	run[70] = '\0';
	memset(&bi, 0, sizeof(bi));
	EXPECT_EQ(guests_start(run, &bi), 0);
	EXPECT_STRCONTAINS(fenv_last_log(),
			   "run=: entry 0: name \"nnnnnnnnnnnnnnnn...\" is 70 characters long (maximum 63)");
}
