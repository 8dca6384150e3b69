#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: a bad VMM parameter stops the boot with a FATAL line naming it.
# Bochs: iopm_mem=999G (does not fit); QEMU: frobnicate=1 (unknown key) and
# loglevel=verbose (a log level by a name it does not have: the line lists the
# accepted values).
import re
import lib


def expect_fatal(t, prefix, res, param, also=None):
    """tools/boot exit 2, a FATAL line naming PARAM (and matching ALSO), no
    'boot complete'."""
    t.check(prefix + "_exit2", res.rc == lib.BOOT_FAILURE,
            "want tools/boot exit 2 (failure line), %s" % res.describe())
    fatal = lib.lines_matching(res.com1, r"\bFATAL\b")
    named = [line for line in fatal if param in line]
    t.check(prefix + "_fatal_names_param", named,
            "no FATAL line naming %r on COM1; FATAL lines: %r" % (param, fatal))
    if also:
        t.check(prefix + "_fatal_says_" + also[0], any(re.search(also[1], line, re.I) for line in named),
                "FATAL line does not match /%s/: %r" % (also[1], named))
    t.check(prefix + "_no_boot_complete", "coopvmm: boot complete" not in res.com1,
            "'coopvmm: boot complete' printed despite %s" % param)


def body(t):
    if not lib.need_iso(t):
        return
    res = lib.boot("bochs_badparam", "--backend", "bochs", "--cpus", "2",
                   "--append", "iopm_mem=999G")
    expect_fatal(t, "bochs_iopm_mem_999G", res, "iopm_mem=999G")
    res = lib.boot("bochs_badparam-qemu", "--backend", "qemu", "--cpus", "2",
                   "--append", "frobnicate=1")
    expect_fatal(t, "qemu_unknown_key", res, "frobnicate", ("unknown", r"unknown"))
    # tools/boot appends no loglevel=3 of its own when --append has one.
    res = lib.boot("bochs_badparam-loglevel", "--backend", "qemu", "--cpus", "2",
                   "--append", "loglevel=verbose")
    expect_fatal(t, "qemu_loglevel_name", res, "loglevel=verbose",
                 ("the_levels", r"loglevel=verbose: not a number \(expected 0 error, 1 warn, 2 info or 3 debug\)"))


lib.Test("system.bochs_badparam").run(body)
