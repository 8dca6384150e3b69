#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: iopms=2 on 2 CPUs cannot work (the BSP stays with the VMM, so
# only one AP is left): the VMM stops with a FATAL line naming iopms=2 and
# saying that CPUs are lacking.
import re
import lib


def body(t):
    if not lib.need_iso(t):
        return
    res = lib.boot("qemu_iopms", "--backend", "qemu", "--cpus", "2", "--append", "iopms=2")
    t.check("exit2", res.rc == lib.BOOT_FAILURE,
            "want tools/boot exit 2 (failure line), %s" % res.describe())
    fatal = lib.lines_matching(res.com1, r"\bFATAL\b")
    named = [line for line in fatal if "iopms=2" in line]
    t.check("fatal_names_iopms", named,
            "no FATAL line naming 'iopms=2'; FATAL lines: %r" % fatal)
    t.check("fatal_says_cpus_lacking",
            any(re.search(r"\bCPUs?\b", line, re.I) for line in named),
            "the FATAL line does not talk about CPUs: %r" % named)
    t.check("no_boot_complete", "coopvmm: boot complete" not in res.com1,
            "'coopvmm: boot complete' printed despite iopms=2")


lib.Test("system.qemu_iopms").run(body)
