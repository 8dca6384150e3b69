/* SPDX-License-Identifier: GPL-2.0-only */
/* iopm.h: what the parts of iopm.ko share: the mapped shared zone
 * (shared/coopvmm_abi.h), and the entry points of zone.c, route.c,
 * confine.c and cdev.c. Included first by every .c file (it sets pr_fmt).
 */
#ifndef IOPM_H
#define IOPM_H

#define pr_fmt(fmt) "iopm: " fmt

#include <linux/compiler.h>
#include <linux/types.h>

#include "coop_zone.h"

/* The shared zone as this module sees it. The VMM-written parts (header,
 * vmm control and data areas) are only ever read here. */
struct iopm_zone {
	phys_addr_t base;
	size_t size;
	void *virt;
	bool fake; /* allocated by fake=1, no VMM behind it */
	const struct coop_shared_header *hdr;
	const struct coop_vmm_ctrl *vmm;
	struct coop_iopm_ctrl *ctrl;
};

extern struct iopm_zone iopm_zone;

/* zone.c */
int iopm_zone_map(phys_addr_t base, u64 size);
int iopm_zone_fake(unsigned int console_irq);
void iopm_zone_report(void);
void iopm_zone_unmap(void);

/* route.c */
int iopm_route_console(unsigned int timeout_ms);
void iopm_route_release_all(void);

/* confine.c */
int iopm_confine_init(bool guard_emergency);
void iopm_confine_exit(void);
void __noreturn iopm_stop_cpu(u32 state, u32 reason, const char *note);

/* cdev.c */
int iopm_cdev_init(void);
void iopm_cdev_exit(void);

#endif
