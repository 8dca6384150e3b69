/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_load.h: reading a guest's images and loading them into its RAM
 * (iopmd_load.c) for `vmctl create`. */
#ifndef IOPMD_LOAD_H
#define IOPMD_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "vmcfg.h"
#include "vmm/vm/mb1_loader.h"

/* A config's files, read whole. */
struct load_images {
	uint8_t *kernel;
	uint64_t kernel_size;
	unsigned nmodules;
	uint8_t *module[VMCFG_MODULES_MAX];
	uint64_t module_size[VMCFG_MODULES_MAX];
	uint8_t *ramdisk; /* NULL: none */
	uint64_t ramdisk_size;
};

/* What START needs, and what the log says of a load. */
struct load_result {
	uint16_t boot;		   /* enum coop_vm_boot: COOP_VM_BOOT_MB1 or COOP_VM_BOOT_LINUX64 */
	uint32_t entry;		   /* START's entry */
	uint32_t arg;		   /* START's arg: the Multiboot information or the zero page */
	uint32_t load_lo, load_hi; /* the kernel's lowest and highest loaded byte + 1 */
};

/* Read the kernel, the modules and the ramdisk `c` names (each at most the guest's RAM
 * in size): 0, or -1 with err naming the file and what is wrong. Nothing
 * to free on failure. */
int load_read(const struct vmcfg *c, struct load_images *im, char *err, size_t errlen);
void load_free(struct load_images *im);
/* Load them into the RAM of VM `vm` (c->memory bytes, announced by the VMM)
 * through /dev/coopvmm `fd`: a kernel that is a bzImage (the 'HdrS' header)
 * with the Linux loader (vmm/vm/linux_loader.c, the 64-bit entry; the
 * ramdisk its initramfs, no modules), any other with the Multiboot v1
 * loader (modules, no ramdisk). 0 and *res, or -1 with err set. */
int load_into(int fd, uint32_t vm, const struct vmcfg *c, const struct load_images *im,
	      struct load_result *res, char *err, size_t errlen);

#endif
