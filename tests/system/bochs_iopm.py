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
import _iopm
import lib


def body(t):
    if not lib.need_iso(t):
        return
    iso = _iopm.hostile_iso(t, "bochs_iopm")
    if not iso:
        return
    _iopm.shell_checks(t, "bochs", 1200, iso=iso, channel=1000)
    _iopm.stop_check(t, "bochs", 420, "echo c > /proc/sysrq-trigger", "panicked", r"panicked: .*sysrq")
    _iopm.stop_check(t, "bochs", 420, "reboot", "halted", r"halted: .*reboot")


lib.Test("system.bochs_iopm").run(body)
