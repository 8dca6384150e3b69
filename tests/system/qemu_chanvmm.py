#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test (issue 14), QEMU TCG: the VMM's end of the channel from inside
# the IOPM. iopm/test/chanprobe.c, added to the IOPM's initramfs of a copy
# of the ISO, plays a minimal IOPM on the rings of its part (polling: user
# space takes no IPIs): a HELLO of another ABI version, an unknown type and
# a message before HELLO are refused with the right reasons and counted;
# HELLO is answered with the epoch; N PINGs come back as N PONGs with the
# VMM's counters agreeing; SET_MODE and VM_LIST are answered; the VMM's log
# ring (vmctl dmesg's source) holds its boot lines and the refusal.
import re

import _iopm
import lib

PINGS = 2000


def body(t):
    if not lib.need_iso(t):
        return
    iso = _iopm.overlay_iso(t, "qemu_chanvmm", "chanprobe")
    if not iso:
        return
    script = _iopm.write_script([
        "expect " + _iopm.PROMPT,
        "chanprobe %d; echo PROBE-$?-END" % PINGS,
        r"expect PROBE-\d+-END",
    ])
    res = lib.boot("qemu_chanvmm", "--backend", "qemu", "--cpus", "2", "--timeout", "120",
                   "--script", script, iso=iso)
    t.check("probe.ran", res.rc == 0, res.describe())
    c2 = res.com2.replace("\r", "")
    lines = re.findall(r"^chanprobe: (PASS|FAIL): (\w+): (.*)$", c2, re.M)
    t.check("probe.checks_seen", len(lines) == 12, "chanprobe printed %d of 12 check lines" % len(lines))
    for verdict, key, what in lines:
        t.check("probe." + key, verdict == "PASS", what)
    t.check("probe.exit_0", "PROBE-0-END" in c2, "chanprobe did not exit 0")
    refused = lib.lines_matching(res.com1, r"iopm0: HELLO refused: ABI version \d+, the VMM speaks \d+")
    t.check("vmm.logged_version_refusal", len(refused) == 1, "refusal lines on COM1: %r" % refused)
    t.check("vmm.logged_type_refusal", lib.lines_matching(res.com1, r"iopm0: message \(type 99, id \d+\) refused"),
            "no refusal of the type-99 message on COM1")
    t.check("vmm.no_failure", "FATAL" not in res.com1 and "EXCEPTION" not in res.com1,
            "the VMM log has a failure line")


lib.Test("system.qemu_chanvmm").run(body)
