#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test (issue 4), Bochs (the honest bench: its 8259 reaches only CPU
# 0, so the IOPM console works only through the VMM's routing): shell on
# COM2, nproc 1, MemTotal, typed input, the routed IRQ count, and in the same
# boot the VMM <-> IOPM channel (issue 14: ping-pong of 1000 messages by IPI
# and by polling with the counts checked on both sides, malformed messages
# and a version mismatch refused and counted while the VMM stays up, vmctl
# dmesg showing the VMM's log); then a panic and a reboot, each stopping
# only the IOPM's CPU.
import os
import re
import shutil
import subprocess

import _iopm
import lib

GUEST = "hostile_spin"  # spins with IF = 0 forever: it must still run when the IOPM is up


def guest_beside_iopm(t):
    """A guest on the VMM's CPU while the IOPM boots: the IOPM's Linux
    enabling ACPI must not cost the guest its life (it raised an SMI under
    the guest, which Bochs returned from with a triple fault, until the VMM
    put the platform into ACPI mode itself at boot)."""
    iso = _iopm.guest_iso(t, "guest_beside_iopm", GUEST, [GUEST])
    if not iso:
        return
    res = lib.boot("bochs_iopm_guest", "--backend", "bochs", "--cpus", "2", "--timeout", "600",
                   "--until", r"\[iopm\] iopm0 running", iso=iso)
    com1 = res.com1
    t.check("guest_beside_iopm.guest_started", "[guest %s] spinning forever" % GUEST in com1,
            "the guest did not start: %s" % res.describe())
    t.check("guest_beside_iopm.iopm_running", re.search(r"\[iopm\] iopm0 running", com1) is not None,
            "the IOPM did not come up: %s" % res.describe())
    killed = re.search(r"\[vm \d+ %s\] killed: .*" % GUEST, com1)
    t.check("guest_beside_iopm.guest_alive", killed is None,
            "the guest died while the IOPM booted: %s" % (killed.group(0) if killed else ""))
    t.check("guest_beside_iopm.acpi_mode_at_boot", "[acpi] ACPI mode on" in com1,
            "no '[acpi] ACPI mode on' line from the VMM's boot")


def body(t):
    if not lib.need_iso(t):
        return
    iso = _iopm.hostile_iso(t, "bochs_iopm")
    if not iso:
        return
    _iopm.shell_checks(t, "bochs", 1200, iso=iso, channel=1000)
    _iopm.stop_check(t, "bochs", 420, "echo c > /proc/sysrq-trigger", "panicked", r"panicked: .*sysrq")
    _iopm.stop_check(t, "bochs", 420, "reboot", "halted", r"halted: .*reboot")
    guest_beside_iopm(t)


lib.Test("system.bochs_iopm").run(body)
