#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test (issue 4), QEMU TCG: the IOPM's Linux reaches its shell on
# COM2 with one CPU and its own RAM, the console runs interrupt-driven through
# the VMM's IOAPIC routing, its root cannot reach memory outside its
# partition through /dev/mem (issue 11), and a panic or a reboot in the IOPM
# stops only its CPU while the VMM carries on and reports it; the VMM <->
# IOPM channel (issue 14): HELLO, 1000 round trips by IPI and by polling
# with both sides' counts equal, a burst's IPIs per message, vmctl dmesg, and
# chan_hostile's malformed messages, version mismatch and corrupt index; the
# guests' network: tun and bridge loaded, br0 at 10.0.2.1/24, a tap made and
# put into br0, iopmd's tap code carrying ARP and UDP through it (tap_probe).
import _iopm
import lib


def body(t):
    if not lib.need_iso(t):
        return
    # The shell boot also runs the channel checks (issue 14), on an ISO whose
    # initramfs has the hostile tools.
    iso = _iopm.hostile_iso(t, "qemu_iopm")
    if not iso:
        return
    _iopm.shell_checks(t, "qemu", 600, iso=iso, channel=1000, net=True)
    _iopm.confinement_checks(t, "qemu", 120)
    _iopm.stop_check(t, "qemu", 90, "echo c > /proc/sysrq-trigger", "panicked", r"panicked: .*sysrq")
    _iopm.stop_check(t, "qemu", 90, "reboot", "halted", r"halted: .*reboot")
    _iopm.heartbeat_stop(t, "qemu", 90)


lib.Test("system.qemu_iopm").run(body)
