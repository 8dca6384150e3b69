/* SPDX-License-Identifier: GPL-2.0-only */
/* guests.c: the guests to run at boot: each run= entry names a GRUB module
 * (the first word of its command line); the VMM creates a VM, loads the
 * module as a Multiboot v1 image (vmm/vm/mb1_loader.c) and starts vCPU 0 in
 * 32-bit protected mode with EAX = 0x2BADB002, EBX = the info address. */
#define LOG_PREFIX "guests"
#include "vmm/vm/guests.h"

#include "shared/coopvmm_abi.h" /* COOP_MAX_IOPMS */
#include "vmm/platform/cmdline.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/log.h"
#include "vmm/vm/mb1_loader.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vm/vm.h"

int guests_parse_run(const char *run, struct run_entry *out, unsigned max, char *err, size_t errlen)
{
	unsigned n = 0;
	const char *p = run;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *f[4] = {p, NULL, NULL, NULL};
		size_t flen[4] = {len, 0, 0, 0};
		unsigned nf = 1;
		for (size_t i = 0; i < len; i++) {
			if (p[i] != ':')
				continue;
			if (nf == 4) {
				snprintf(err, errlen, "run=%s: entry %u has more than NAME:MEM:VCPUS:IOPM",
					 run, n);
				return -EINVAL;
			}
			flen[nf - 1] = (size_t)(p + i - f[nf - 1]);
			f[nf] = p + i + 1;
			flen[nf] = len - i - 1;
			nf++;
		}
		if (n == max) {
			snprintf(err, errlen, "run=%s: more than %u guests", run, max);
			return -EINVAL;
		}
		struct run_entry *e = &out[n];
		if (!flen[0]) {
			snprintf(err, errlen, "run=%s: entry %u: empty name", run, n);
			return -EINVAL;
		}
		if (flen[0] >= sizeof(e->name)) {
			snprintf(err, errlen,
				 "run=: entry %u: name \"%.16s...\" is %zu characters long (maximum %zu)", n,
				 f[0], flen[0], sizeof(e->name) - 1);
			return -EINVAL;
		}
		memcpy(e->name, f[0], flen[0]);
		e->name[flen[0]] = '\0';
		e->mem = VM_DEFAULT_MEM;
		e->vcpus = 1;
		uint64_t v;
		if (nf > 1 && (!cmdline_parse_number(f[1], flen[1], true, &e->mem) || e->mem < VM_MIN_MEM ||
			       e->mem % LARGE_PAGE_SIZE)) {
			snprintf(err, errlen, "run=%s: %s: bad memory size (a multiple of 2M, at least 2M)",
				 run, e->name);
			return -EINVAL;
		}
		if (nf > 2) {
			if (!cmdline_parse_number(f[2], flen[2], false, &v) || !v || v > VM_MAX_VCPUS) {
				snprintf(err, errlen, "run=%s: %s: bad vCPU count (1-%u)", run, e->name,
					 VM_MAX_VCPUS);
				return -EINVAL;
			}
			e->vcpus = (uint32_t)v;
		}
		e->iopm = VM_NO_IOPM;
		if (nf > 3) {
			/* "iopmN": IOPM N serves its platform devices. */
			if (flen[3] < 5 || strncmp(f[3], "iopm", 4) ||
			    !cmdline_parse_number(f[3] + 4, flen[3] - 4, false, &v) || v >= COOP_MAX_IOPMS) {
				snprintf(err, errlen, "run=%s: %s: bad IOPM \"%.*s\" (iopm0-iopm%u)", run,
					 e->name, (int)flen[3], f[3], COOP_MAX_IOPMS - 1);
				return -EINVAL;
			}
			e->iopm = (int32_t)v;
		}
		n++;
		p += len;
		if (*p == ',')
			p++;
	}
	return (int)n;
}

unsigned guests_start(const char *run, const struct boot_info *bi)
{
	struct run_entry e[RUN_MAX];
	char err[160];
	int n = guests_parse_run(run, e, RUN_MAX, err, sizeof(err));
	if (n < 0) {
		pr_err("%s", err);
		return 0;
	}
	unsigned started = 0;
	for (int i = 0; i < n; i++) {
		const char *args;
		const struct boot_module *m = bootinfo_find_module(bi, e[i].name, &args);
		if (!m) {
			pr_err("run=%s: no boot module named %s", run, e[i].name);
			continue;
		}
		struct vm *vm;
		if (vm_create(e[i].name, e[i].mem, e[i].vcpus, started, e[i].iopm, COOP_VM_DEV_ALL, &vm, err,
			      sizeof(err))) {
			pr_err("guest %s: %s", e[i].name, err);
			continue;
		}
		struct mb1_result r;
		/* The loader writes only below the PC hole (the info) and at 1 MiB and up. */
		if (mb1_load((uint8_t *)(uintptr_t)vm->mem_hpa, vm->mem_size,
			     (const uint8_t *)(uintptr_t)m->start, m->end - m->start, args, &r, err,
			     sizeof(err))) {
			pr_err("guest %s: bad image: %s", e[i].name, err);
			vm_kill(vm, "bad image: %s", err);
			vm_start(vm); /* its vCPUs retire at once and free it */
			continue;
		}
		/* Guest modules: GRUB modules named "NAME/MOD args" (docs/guest-platform.md),
		 * every one of them (a boot has at most BOOT_MAX_MODULES). */
		struct mb1_module gm[BOOT_MAX_MODULES];
		unsigned ngm = 0;
		size_t nl = strlen(e[i].name);
		for (uint32_t k = 0; k < bi->nmodules; k++) {
			const char *w = bi->module[k].name;
			if (!strncmp(w, e[i].name, nl) && w[nl] == '/') {
				gm[ngm].data = (const uint8_t *)(uintptr_t)bi->module[k].start;
				gm[ngm].size = bi->module[k].end - bi->module[k].start;
				gm[ngm].cmdline = w + nl + 1;
				ngm++;
			}
		}
		if (ngm && mb1_add_modules((uint8_t *)(uintptr_t)vm->mem_hpa, vm->mem_size, gm, ngm, &r, err,
					   sizeof(err))) {
			pr_err("guest %s: %s", e[i].name, err);
			vm_kill(vm, "modules: %s", err);
			vm_start(vm);
			continue;
		}
		vm_boot_mb1(vm, r.entry, r.mbi);
		snprintf(vm->cmdline, sizeof(vm->cmdline), "%s", args);
		size_t alen = strlen(args);
		pr_info("guest %s: loaded 0x%x-0x%x, entry 0x%x, %u module(s), command line \"%.64s%s\" (%zu "
			"bytes)",
			vm->name, r.load_lo, r.load_hi, r.entry, ngm, args, alen > 64 ? "..." : "", alen);
		vm_start(vm);
		started++;
	}
	return started;
}
