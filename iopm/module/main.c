/* SPDX-License-Identifier: GPL-2.0-only */
/* main.c: iopm.ko, the IOPM's link to the VMM (docs/iopm.md "iopm.ko",
 * issue 4): map the shared zone, take over the console IRQ's routing,
 * confine reboot/poweroff/panic to this CPU, and offer /dev/coopvmm.
 * Load order and unwinding follow the order of the calls below.
 */
#include "iopm.h"

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kstrtox.h>
#include <asm/msr.h>

static unsigned long shared_base;
module_param(shared_base, ulong, 0444);
MODULE_PARM_DESC(shared_base, "physical base of the shared zone (coopvmm.shared=BASE,SIZE)");

static unsigned long shared_size;
module_param(shared_size, ulong, 0444);
MODULE_PARM_DESC(shared_size, "size of the shared zone in bytes");

static bool fake;
module_param(fake, bool, 0444);
MODULE_PARM_DESC(fake, "test mode: allocate a zone and write a valid header here (no VMM behind it)");

static unsigned int fake_console_irq = 3;
module_param(fake_console_irq, uint, 0444);
MODULE_PARM_DESC(fake_console_irq, "fake=1: console_irq written into the fake header (default 3, COM2)");

static bool fake_vmm;
module_param(fake_vmm, bool, 0444);
MODULE_PARM_DESC(fake_vmm, "fake=1: a kernel thread answers the channel as the VMM would (test mode)");

static unsigned long fake_vmm_ram;
module_param(fake_vmm_ram, ulong, 0444);
MODULE_PARM_DESC(fake_vmm_ram,
		 "fake_vmm=1: announce VM 1's RAM (1 MiB) at this physical address (reserved RAM)");

static int fake_vmm_remove_set(const char *val, const struct kernel_param *kp)
{
	u32 vm;
	int err = kstrtou32(val, 0, &vm);

	return err ? err : iopm_fakevmm_remove(vm);
}

static const struct kernel_param_ops fake_vmm_remove_ops = {
    .set = fake_vmm_remove_set,
};

module_param_cb(fake_vmm_remove, &fake_vmm_remove_ops, NULL, 0200);
MODULE_PARM_DESC(fake_vmm_remove,
		 "fake_vmm=1: write a VM id: the fake VMM withdraws its RAM (RAM_MAP REMOVE)");

static bool route_console = true;
module_param(route_console, bool, 0444);
MODULE_PARM_DESC(route_console, "ask the VMM to route the console IRQ to this CPU (default 1)");

static unsigned int route_timeout_ms = 3000;
module_param(route_timeout_ms, uint, 0444);
MODULE_PARM_DESC(route_timeout_ms,
		 "how long to wait for the VMM's ROUTE_REPLY to a route request (default 3000)");

static unsigned int route_irqs[COOP_ROUTE_IRQS];
static unsigned int route_irqs_n;
module_param_array(route_irqs, uint, &route_irqs_n, 0444);
MODULE_PARM_DESC(route_irqs, "more ISA IRQs (edge) for the VMM to route to this CPU, e.g. 14,15 for the "
			     "IDE disks' drivers (default none)");

static int notify_irq = -1;
module_param(notify_irq, int, 0444);
MODULE_PARM_DESC(
    notify_irq, "ISA IRQ whose vector takes the VMM's notifications (default -1: a free one; 0: none, poll)");

static bool guard_emergency = true;
module_param(guard_emergency, bool, 0444);
MODULE_PARM_DESC(
    guard_emergency,
    "catch emergency restarts/power-offs (sysrq-b, panic=N) that bypass the reboot notifier (default 1)");

static int __init iopm_init(void)
{
	unsigned int i;
	int err;

	if (fake_vmm && !fake) {
		pr_err("refusing to load: fake_vmm=1 needs fake=1\n");
		return -EINVAL;
	}
	if (fake && (shared_base || shared_size)) {
		pr_err("refusing to load: fake=1 and shared_base/shared_size both given\n");
		return -EINVAL;
	}
	if (fake)
		err = iopm_zone_fake(fake_console_irq);
	else if (shared_base && shared_size)
		err = iopm_zone_map(shared_base, shared_size);
	else {
		pr_err("refusing to load: no shared zone: pass shared_base= and shared_size= "
		       "(the VMM's coopvmm.shared=BASE,SIZE) or fake=1\n");
		return -EINVAL;
	}
	if (err)
		return err;
	iopm_zone_report();

	WRITE_ONCE(iopm_zone.ctrl->boot_tsc, rdtsc());
	smp_wmb();
	WRITE_ONCE(iopm_zone.ctrl->state, COOP_IOPM_MODULE);

	err = iopm_confine_init(guard_emergency);
	if (err)
		goto err_zone;
	/* never fatal: without a vector the channel polls */
	iopm_notify_init(notify_irq, route_irqs, route_irqs_n);
	if (fake_vmm) {
		err = iopm_fakevmm_start(fake_vmm_ram);
		if (err)
			goto err_notify;
	}
	err = iopm_cdev_init();
	if (err)
		goto err_notify;
	/* Attached just before the first route request, never fatal: without
	 * the kernel rings no route is asked for. */
	iopm_kring_init();
	if (route_console)
		iopm_route_console(route_timeout_ms); /* logs its outcome; never fatal */
	else
		pr_info("route_console=0: console IRQ left on Linux's own 8259 chip\n");
	for (i = 0; i < route_irqs_n; i++)
		iopm_route_irq(route_irqs[i], route_timeout_ms); /* logs its outcome; never fatal */
	pr_info("loaded: state MODULE%s\n", iopm_zone.fake ? " (fake zone, no VMM)" : "");
	return 0;

err_notify:
	iopm_fakevmm_stop();
	iopm_notify_exit();
	iopm_confine_exit();
err_zone:
	WRITE_ONCE(iopm_zone.ctrl->state, COOP_IOPM_OFF);
	iopm_zone_unmap();
	return err;
}

static void __exit iopm_exit(void)
{
	iopm_route_release_all();
	iopm_cdev_exit();
	iopm_ram_exit();
	iopm_fakevmm_stop();
	iopm_notify_exit();
	iopm_kring_exit();
	iopm_confine_exit();
	WRITE_ONCE(iopm_zone.ctrl->state, COOP_IOPM_OFF);
	iopm_zone_unmap();
	pr_info("unloaded\n");
}

module_init(iopm_init);
module_exit(iopm_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("coopvmm");
MODULE_DESCRIPTION(
    "coopvmm IOPM: shared zone, interrupt routing, confinement, channel notifications, /dev/coopvmm");
