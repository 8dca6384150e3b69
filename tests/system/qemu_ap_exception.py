#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: an exception on one VMM CPU stops that CPU only. QEMU, 3
# CPUs (cpu 2 is a VMM AP); selftest=ap_pf sends cpu 2 an IPI whose handler
# reads address 0. The report names cpu 2, and the BSP keeps printing
# '[vmm] alive N' afterwards.
import os
import re
import tempfile

import lib


def body(t):
    if not lib.need_iso(t):
        return
    # Ends once two alive lines followed the stop (the events checked below).
    with tempfile.NamedTemporaryFile("w", suffix=".script", delete=False) as f:
        f.write("expect-com1 cpu 2 stopped\nexpect-com1 \\[vmm\\] alive\nexpect-com1 \\[vmm\\] alive\n")
    res = lib.boot("qemu_ap_exception", "--backend", "qemu", "--cpus", "3", "--timeout", "60",
                   "--append", "selftest=ap_pf",
                   "--allow-failure", r"EXCEPTION #PF page fault \(vector 14\) on cpu 2,",
                   "--script", f.name)
    os.unlink(f.name)
    rep = lib.check_boot_report(t, res)
    if rep is None:
        return
    vmm_aps = rep.cpus_with(role="vmm", state="online")
    t.check("cpu2_was_online", any(c.index == 2 for c in vmm_aps),
            "cpu 2 is not an online VMM CPU in the report: %r" % rep.cpus)
    exc = lib.lines_matching(res.com1, r"EXCEPTION")
    t.check("one_exception_on_cpu2", len(exc) == 1 and "on cpu 2, error code 0x0" in exc[0],
            "want one EXCEPTION line naming cpu 2, got %r" % exc)
    cr2 = re.search(r"cr2 ([0-9a-f]{16})", res.com1)
    t.check("cr2_is_zero", cr2 and int(cr2.group(1), 16) == 0, "cr2 %r" % (cr2 and cr2.group(1)))
    t.check("cpu2_stopped", "cpu 2 stopped" in res.com1, "no 'cpu 2 stopped' line")
    after = res.com1.split("cpu 2 stopped", 1)[-1]
    counts = lib.alive_counts(after)
    t.check("bsp_alive_after", len(counts) >= 2 and counts == sorted(set(counts)),
            "want increasing '[vmm] alive N' lines after cpu 2 stopped, got %r" % counts)


lib.Test("system.qemu_ap_exception").run(body)
