/* SPDX-License-Identifier: GPL-2.0-only */
/* confine.c: keep a reboot, power-off, halt or panic of the IOPM's Linux on
 * the IOPM's own CPU (issue 4 Deliver 3): record it in the shared zone, where
 * the VMM's watch sees it, then stop this CPU for good, before Linux reaches
 * ACPI/i8042/CF9 resets or machine_shutdown() (which rewrites the IOAPIC and
 * PIC). Hooks: reboot notifier, panic notifier, PM notifier, and kprobes on
 * the x86 emergency paths that bypass the reboot notifier (sysrq-b, panic=N).
 */
#include "iopm.h"

#include <linux/kprobes.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/reboot.h>
#include <linux/string.h>
#include <linux/suspend.h>
#include <asm/irqflags.h>

static const char *state_name(u32 state)
{
	return state == COOP_IOPM_PANICKED ? "PANICKED" : "HALTED";
}

static const char *reason_name(u32 reason)
{
	switch (reason) {
	case COOP_HALT_REBOOT:
		return "reboot";
	case COOP_HALT_POWEROFF:
		return "poweroff";
	case COOP_HALT_HALT:
		return "halt";
	default:
		return "-";
	}
}

void __noreturn iopm_stop_cpu(u32 state, u32 reason, const char *note)
{
	struct coop_iopm_ctrl *c = iopm_zone.ctrl;

	local_irq_disable();
	if (c) {
		strscpy(c->note, note, sizeof(c->note));
		WRITE_ONCE(c->reason, reason);
		smp_wmb(); /* note and reason before the state the VMM polls */
		WRITE_ONCE(c->state, state);
	}
	pr_emerg("IOPM CPU stopped: state %s, reason %s: %s\n", state_name(state), reason_name(reason), note);
	for (;;)
		native_halt();
}

static int iopm_reboot_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	char note[sizeof(iopm_zone.ctrl->note)];
	const char *cmd = data;
	u32 reason;

	switch (action) {
	case SYS_RESTART:
		reason = COOP_HALT_REBOOT;
		break;
	case SYS_HALT:
		reason = COOP_HALT_HALT;
		break;
	case SYS_POWER_OFF:
		reason = COOP_HALT_POWEROFF;
		break;
	default:
		return NOTIFY_DONE;
	}
	snprintf(note, sizeof(note), "%s requested%s%s", reason_name(reason), cmd ? ": " : "",
		 cmd ? cmd : "");
	iopm_stop_cpu(COOP_IOPM_HALTED, reason, note);
}

/* Lowest priority: every other notifier has run; device_shutdown() and
 * machine_shutdown() (IOAPIC/PIC/LAPIC rewrites) never run. */
static struct notifier_block reboot_nb = {
    .notifier_call = iopm_reboot_notify,
    .priority = INT_MIN,
};

static int iopm_panic_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	iopm_stop_cpu(COOP_IOPM_PANICKED, COOP_HALT_NONE, data ? data : "panic");
}

static struct notifier_block panic_nb = {
    .notifier_call = iopm_panic_notify,
    .priority = INT_MIN,
};

/* Suspend or hibernation would use ACPI sleep states: the whole machine. */
static int iopm_pm_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	switch (action) {
	case PM_SUSPEND_PREPARE:
	case PM_HIBERNATION_PREPARE:
	case PM_RESTORE_PREPARE:
		pr_warn(
		    "refusing suspend/hibernate: ACPI sleep would stop the whole machine, VMM included\n");
		return notifier_from_errno(-EPERM);
	default:
		return NOTIFY_DONE;
	}
}

static struct notifier_block pm_nb = {
    .notifier_call = iopm_pm_notify,
};

/* Backstop for paths that never call the reboot notifier: emergency_restart()
 * (sysrq-b, panic with panic=N, watchdogs) and machine_restart() both end in
 * machine_ops.emergency_restart = native_machine_emergency_restart (ACPI reset
 * register, keyboard controller, triple fault, CF9: all reset the machine). */
static int emergency_restart_pre(struct kprobe *p, struct pt_regs *regs)
{
	iopm_stop_cpu(COOP_IOPM_HALTED, COOP_HALT_REBOOT, "emergency restart caught (sysrq-b, panic=N, ...)");
}

static int emergency_poweroff_pre(struct kprobe *p, struct pt_regs *regs)
{
	iopm_stop_cpu(COOP_IOPM_HALTED, COOP_HALT_POWEROFF, "machine power-off caught");
}

static struct kprobe kp_restart = {
    .symbol_name = "native_machine_emergency_restart",
    .pre_handler = emergency_restart_pre,
};

static struct kprobe kp_poweroff = {
    .symbol_name = "native_machine_power_off",
    .pre_handler = emergency_poweroff_pre,
};

static struct kprobe *const guards[] = {&kp_restart, &kp_poweroff};
static bool guard_on[ARRAY_SIZE(guards)];

static void guards_register(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(guards); i++) {
		err = register_kprobe(guards[i]);
		if (err) {
			pr_err("cannot guard %s (register_kprobe: %d): that path WILL reset or power off the "
			       "machine\n",
			       guards[i]->symbol_name, err);
			continue;
		}
		guard_on[i] = true;
		pr_info("guarding %s at %pS (%s)\n", guards[i]->symbol_name, guards[i]->addr,
			(guards[i]->flags & KPROBE_FLAG_FTRACE) ? "ftrace" : "int3");
	}
}

static void guards_unregister(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(guards); i++) {
		if (guard_on[i])
			unregister_kprobe(guards[i]);
		guard_on[i] = false;
	}
}

int iopm_confine_init(bool guard_emergency)
{
	int err;

	err = register_reboot_notifier(&reboot_nb);
	if (err) {
		pr_err("register_reboot_notifier: %d\n", err);
		return err;
	}
	err = atomic_notifier_chain_register(&panic_notifier_list, &panic_nb);
	if (err) {
		pr_err("panic notifier: %d\n", err);
		goto err_reboot;
	}
	err = register_pm_notifier(&pm_nb);
	if (err) {
		pr_err("register_pm_notifier: %d\n", err);
		goto err_panic;
	}
	if (guard_emergency)
		guards_register();
	else
		pr_warn("guard_emergency=0: emergency restarts (sysrq-b, panic=N) WILL reset the whole "
			"machine\n");
	pr_info("confinement: reboot/poweroff/halt and panic stop this CPU only; suspend refused\n");
	return 0;

err_panic:
	atomic_notifier_chain_unregister(&panic_notifier_list, &panic_nb);
err_reboot:
	unregister_reboot_notifier(&reboot_nb);
	return err;
}

void iopm_confine_exit(void)
{
	guards_unregister();
	unregister_pm_notifier(&pm_nb);
	atomic_notifier_chain_unregister(&panic_notifier_list, &panic_nb);
	unregister_reboot_notifier(&reboot_nb);
}
