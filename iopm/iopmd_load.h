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
};

/* Read the kernel and the modules `c` names (each at most the guest's RAM
 * in size): 0, or -1 with err naming the file and what is wrong. Nothing
 * to free on failure. */
int load_read(const struct vmcfg *c, struct load_images *im, char *err, size_t errlen);
void load_free(struct load_images *im);
/* Load them into the RAM of VM `vm` (c->memory bytes, announced by the VMM)
 * through /dev/coopvmm `fd` with the Multiboot v1 loader: 0 and *res (the
 * entry and the information's address), or -1 with err set. */
int load_into(int fd, uint32_t vm, const struct vmcfg *c, const struct load_images *im,
	      struct mb1_result *res, char *err, size_t errlen);

#endif
