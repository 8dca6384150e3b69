#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test, first half of the differential test (docs/guest-tests.md,
# "The differential test"): boot each compared guest on the bare machines,
# no coopvmm: QEMU TCG (-kernel) and Bochs (GRUB's Multiboot v1 loader from
# build/guests-bare.iso, the entry picked with tools/boot --grub-entry). Logs
# in build/test-logs/system/differential/{qemu,bochs}-NAME/; differential.py
# compares them with the guests' lines under coopvmm. Checks here: each bare
# run printed the guest's start line and ended (a PASS:/FAIL: line, an exit
# status, a triple fault), not a hang.
"""Boot the differential test's guests on bare QEMU and bare Bochs."""

import os
import re
import time

import _differential as d
import lib


def check_run(t, pair, g, end):
    log_dir = d.bare_dir(pair, g.name)
    com1 = lib.read_text(os.path.join(log_dir, "com1.log"))
    lines = com1.split("\n")
    tag = "%s.%s" % (pair, g.name)
    t.check(tag + ".started",
            re.match(r"%s: start \(.*, not under coopvmm\)$" % re.escape(g.name), lines[0]),
            "first COM1 line %r, want '%s: start (..., not under coopvmm)' (%s)"
            % (lines[0][:100], g.name, log_dir))
    ended = end == "verdict" or end.startswith("status ") or end in ("triple fault", "reset or triple fault")
    t.check(tag + ".ended", ended, "the guest did not end: %s; last line %r (%s)"
            % (end, [l for l in lines if l.strip()][-1:], log_dir))


def body(t):
    if not t.check("bare_iso", os.path.isfile(d.BARE_ISO),
                   "no bare ISO at %s (make %s)" % (d.BARE_ISO, os.path.relpath(d.BARE_ISO, lib.REPO))):
        return
    for name, why in sorted(d.EXCLUDED.items()):
        print("# not compared: %s: %s" % (name, why))
    total = {}
    for pair in ("qemu", "bochs"):
        start = time.monotonic()
        for g in d.GUESTS:
            if pair in g.pairs:
                end, _ = d.boot_qemu(g) if pair == "qemu" else d.boot_bochs(g)
                check_run(t, pair, g, end)
        total[pair] = time.monotonic() - start
    print("# bare runs: QEMU %.0f s, Bochs %.0f s" % (total["qemu"], total["bochs"]), flush=True)


lib.Test("system.differential_bare").run(body)
