/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_load.c: the images of `vmctl create` (docs/vmctl.md): read from
 * the IOPM's file system, then placed into the new VM's RAM through its
 * window of /dev/coopvmm (COOPVMM_MMAP_VM: only the pages the VMM announced
 * with RAM_MAP) by the VMM's own loaders, vmm/vm/mb1_loader.c (Multiboot)
 * and vmm/vm/linux_loader.c (a Linux bzImage), compiled into iopmd as they
 * are into the host unit tests: one loader, one set of checks, whoever
 * loads. */
#define _GNU_SOURCE
#include "iopmd_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coopvmm_ioctl.h"
#include "shared/coopvmm_abi.h"
#include "vmm/vm/acpi_build.h" /* ACPI_BUILD_BASE: the guest's RSDP */
#include "vmm/vm/linux_loader.h"
#include "vmm/vm/mb1_loader.h"
#include "vmm/vm/vm_layout.h"

#define PAGE 4096ULL

/* The whole of `path`, at most `max` bytes; NULL with err set. */
static uint8_t *read_file(const char *what, const char *path, uint64_t max, uint64_t *size, char *err,
			  size_t errlen)
{
	struct stat st;
	uint8_t *buf;
	uint64_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %s: not a regular file", what, path);
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s %s: %llu bytes, more than the guest's %llu MiB of RAM can hold",
			 what, path, (unsigned long long)st.st_size, (unsigned long long)(max >> 20));
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		snprintf(err, errlen, "%s %s: out of memory for %llu bytes", what, path,
			 (unsigned long long)st.st_size);
		close(fd);
		return NULL;
	}
	while (got < (uint64_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)((uint64_t)st.st_size - got));

		if (n <= 0) {
			snprintf(err, errlen, "%s %s: read: %s", what, path,
				 n ? strerror(errno) : "file shrank");
			free(buf);
			close(fd);
			return NULL;
		}
		got += (uint64_t)n;
	}
	close(fd);
	*size = got;
	return buf;
}

int load_read(const struct vmcfg *c, struct load_images *im, char *err, size_t errlen)
{
	memset(im, 0, sizeof(*im));
	im->kernel = read_file("kernel", c->kernel, c->memory, &im->kernel_size, err, errlen);
	if (!im->kernel)
		return -1;
	for (unsigned i = 0; i < c->nmodules; i++) {
		im->module[i] =
		    read_file("module", c->module[i].path, c->memory, &im->module_size[i], err, errlen);
		if (!im->module[i]) {
			load_free(im);
			return -1;
		}
		im->nmodules = i + 1;
	}
	if (c->ramdisk[0]) {
		im->ramdisk = read_file("ramdisk", c->ramdisk, c->memory, &im->ramdisk_size, err, errlen);
		if (!im->ramdisk) {
			load_free(im);
			return -1;
		}
	}
	return 0;
}

void load_free(struct load_images *im)
{
	free(im->kernel);
	for (unsigned i = 0; i < im->nmodules; i++)
		free(im->module[i]);
	free(im->ramdisk);
	memset(im, 0, sizeof(*im));
}

/* The guest's RAM as the loader sees it: one block of `mem` bytes whose
 * offsets are vm_layout.h's, each RAM range mapped at its offset from the
 * VM's window, the rest (behind the PC hole) left inaccessible. */
static uint8_t *map_ram(int fd, uint32_t vm, uint64_t mem, char *err, size_t errlen)
{
	struct vm_ram_range r[VM_RAM_RANGES_MAX];
	unsigned n = vm_ram_ranges(mem, r);
	uint8_t *base = mmap(NULL, mem, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED) {
		snprintf(err, errlen, "cannot reserve %llu MiB of address space: %s",
			 (unsigned long long)(mem >> 20), strerror(errno));
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t size = (r[i].size + PAGE - 1) & ~(PAGE - 1);
		void *p = mmap(base + r[i].off, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
			       (off_t)(COOPVMM_MMAP_VM(vm) + r[i].gpa));

		if (p == MAP_FAILED) {
			snprintf(err, errlen,
				 "cannot map the guest's RAM 0x%llx+0x%llx (was it announced? RAM_MAP): %s",
				 (unsigned long long)r[i].gpa, (unsigned long long)size, strerror(errno));
			munmap(base, mem);
			return NULL;
		}
	}
	return base;
}

/* A bzImage with the Linux loader: kernel and ramdisk, no modules. */
static int load_linux(uint8_t *ram, const struct vmcfg *c, const struct load_images *im,
		      struct load_result *res, char *err, size_t errlen)
{
	struct linux_result lr;
	char why[300];

	if (im->nmodules) {
		snprintf(err, errlen,
			 "kernel %s is a Linux bzImage: it takes no Multiboot modules (ramdisk = PATH for "
			 "its initramfs)",
			 c->kernel);
		return -1;
	}
	if (linux_load(ram, c->memory, im->kernel, im->kernel_size, im->ramdisk, im->ramdisk_size, c->cmdline,
		       ACPI_BUILD_BASE, &lr, why, sizeof(why))) {
		snprintf(err, errlen, "kernel %s: %s", c->kernel, why);
		return -1;
	}
	res->boot = COOP_VM_BOOT_LINUX64;
	res->entry = (uint32_t)lr.entry;
	res->arg = (uint32_t)lr.zero_page;
	res->load_lo = (uint32_t)lr.kernel_base;
	res->load_hi = (uint32_t)lr.kernel_end;
	return 0;
}

int load_into(int fd, uint32_t vm, const struct vmcfg *c, const struct load_images *im,
	      struct load_result *res, char *err, size_t errlen)
{
	struct mb1_module mods[VMCFG_MODULES_MAX];
	struct mb1_result mb;
	char why[200];
	uint8_t *ram = map_ram(fd, vm, c->memory, err, errlen);
	int r;

	if (!ram)
		return -1;
	memset(res, 0, sizeof(*res));
	if (bzimage_is(im->kernel, im->kernel_size)) {
		r = load_linux(ram, c, im, res, err, errlen);
		goto out;
	}
	if (im->ramdisk) {
		snprintf(err, errlen,
			 "kernel %s is no Linux bzImage: ramdisk is for Linux (module = PATH for a Multiboot "
			 "kernel's modules)",
			 c->kernel);
		r = -1;
		goto out;
	}
	r = mb1_load(ram, c->memory, im->kernel, im->kernel_size, c->cmdline, &mb, why, sizeof(why));
	if (r) {
		snprintf(err, errlen, "kernel %s: %s", c->kernel, why);
		goto out;
	}
	for (unsigned i = 0; i < im->nmodules; i++) {
		mods[i].data = im->module[i];
		mods[i].size = im->module_size[i];
		mods[i].cmdline = c->module[i].cmdline;
	}
	r = im->nmodules ? mb1_add_modules(ram, c->memory, mods, im->nmodules, &mb, why, sizeof(why)) : 0;
	if (r) {
		snprintf(err, errlen, "modules: %s", why);
		goto out;
	}
	res->boot = COOP_VM_BOOT_MB1;
	res->entry = mb.entry;
	res->arg = mb.mbi;
	res->load_lo = mb.load_lo;
	res->load_hi = mb.load_hi;
out:
	munmap(ram, c->memory);
	return r ? -1 : 0;
}
