#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: an NMI reaching a VMM CPU (none is meant for the VMM: a
# watchdog, a compromised IOPM, one that interrupted a guest) is counted and
# the CPU carries on. QEMU, 3 CPUs (0 and 2 VMM CPUs, 1 the IOPM's);
# selftest=nmi sends an NMI IPI to every VMM CPU after the boot report. The
# run ends once the VMM reported the NMIs and printed two alive lines after.
import os
import re
import tempfile

import lib


def body(t):
    if not lib.need_iso(t):
        return
    with tempfile.NamedTemporaryFile("w", suffix=".script", delete=False) as f:
        f.write("expect-com1 cpu 0 took 1 NMI\\(s\\)\n"
                "expect-com1 \\[vmm\\] alive\nexpect-com1 \\[vmm\\] alive\n")
    res = lib.boot("qemu_nmi", "--backend", "qemu", "--cpus", "3", "--timeout", "60",
                   "--append", "selftest=nmi", "--script", f.name)
    os.unlink(f.name)
    t.check("ran", res.rc == 0, res.describe())
    sent = lib.lines_matching(res.com1, r"sending an NMI to cpu \d+")
    t.check("nmis_sent", len(sent) == 2, "want NMIs sent to cpus 0 and 2, got %r" % sent)
    taken = sorted(int(m.group(1)) for m in re.finditer(r"cpu (\d+) took 1 NMI\(s\) \(ignored\)", res.com1))
    t.check("nmis_counted", taken == [0, 2], "want cpu 0 and cpu 2 to report 1 NMI each, got %r" % taken)
    t.check("no_exception", "EXCEPTION" not in res.com1 and "stopped" not in res.com1,
            "an NMI stopped a CPU: %r" % lib.lines_matching(res.com1, r"EXCEPTION|stopped"))
    after = res.com1.split("took 1 NMI", 1)[-1]
    t.check("alive_after", len(lib.alive_counts(after)) >= 2, "fewer than two alive lines after the NMIs")


lib.Test("system.qemu_nmi").run(body)
