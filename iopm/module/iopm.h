/* SPDX-License-Identifier: GPL-2.0-only */
/* iopm.h: what the parts of iopm.ko share: the mapped shared zone
 * (shared/coopvmm_abi.h), and the entry points of zone.c, kring.c,
 * route.c, confine.c and cdev.c. Included first by every .c file (it sets
 * pr_fmt).
 */
#ifndef IOPM_H
#define IOPM_H

#define pr_fmt(fmt) "iopm: " fmt

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/types.h>

#include "coop_zone.h"
#include "coopvmm_ioctl.h"

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

/* kring.c: the kernel rings. iopm_kring_lock() takes their lock with
 * interrupts off; iopm_kring_unlock() takes the VMM's messages, lets
 * route.c put what it holds, publishes, unlocks, then notifies the VMM and
 * arms the retry timer as needed. __ functions: lock held. */
struct wait_queue_head;
extern struct wait_queue_head iopm_kring_wq; /* woken when a VMM message arrived */
int iopm_kring_init(void);
void iopm_kring_exit(void);
unsigned long iopm_kring_lock(void);
void iopm_kring_unlock(unsigned long flags);
void iopm_kring_poll(void);
int __iopm_kring_put(const struct coop_msg *m, unsigned int keep_free);

/* route.c */
int iopm_route_console(unsigned int timeout_ms);
int iopm_route_irq(unsigned int irq, unsigned int timeout_ms);
void iopm_route_release_all(void);
void __iopm_route_msg(const struct coop_msg *m);
bool __iopm_route_flush(void);

/* confine.c */
int iopm_confine_init(bool guard_emergency);
void iopm_confine_exit(void);
void __noreturn iopm_stop_cpu(u32 state, u32 reason, const char *note);

/* cdev.c */
int iopm_cdev_init(void);
void iopm_cdev_exit(void);

/* An open file of /dev/coopvmm. */
struct iopm_file {
	struct list_head link; /* ram.c's list: mappings to revoke */
	struct file *file;
	u64 seen; /* notifications counted by the last read */
};

/* notify.c */
struct wait_queue_head;
extern struct wait_queue_head iopm_notify_wq;
extern atomic64_t iopm_notifies_received;
void iopm_notify_init(int irq_param, const unsigned int *avoid, unsigned int navoid);
void iopm_notify_exit(void);
int iopm_notify_vmm(void);
void iopm_notify_info(struct coopvmm_info *info);

/* fakevmm.c (fake=1 fake_vmm=1: a kernel thread answers as the VMM) */
int iopm_fakevmm_start(u64 ram_hpa);
int iopm_fakevmm_remove(u32 vm);
void iopm_fakevmm_stop(void);
bool iopm_fakevmm_on(void);
void iopm_fakevmm_notify(void);

/* ram.c */
struct vm_area_struct;
void iopm_ram_file_add(struct iopm_file *f);
void iopm_ram_file_del(struct iopm_file *f);
long iopm_ram_ioctl(void __user *uarg);
void iopm_ram_info(struct coopvmm_info *info);
int iopm_ram_mmap(struct vm_area_struct *vma);
void iopm_ram_exit(void);

#endif
