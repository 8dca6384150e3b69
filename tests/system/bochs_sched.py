#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: scheduling of guests across VMM CPUs (issue 3, Deliver 5).
# (a) Bochs, 3 CPUs (CPU 1 reserved for IOPM 0, CPUs 0 and 2 run guests):
#     two guests are placed on two different VMM CPUs and both pass.
# (b) Bochs, 2 CPUs (CPU 0 is the only VMM CPU): three guests share it
#     round-robin on the preemption timer and all three pass.
import re

import lib

TEST_ISO = lib.os.path.join(lib.REPO, "build", "coopvmm-test.iso")
PLACED_RE = re.compile(r"\[vm\] vm (\d+) (\S+): .* vCPU\(s\) on CPU\(s\) (\d+)")
END_RE = re.compile(r"\[vm (\d+) (\S+)\] (?:exited: status (\d+)|killed: (.*))")


def run(t, tag, cpus, guests):
    res = lib.boot("bochs_sched_" + tag, "--backend", "bochs", "--cpus", str(cpus), "--timeout", "240",
                   "--append", "run=" + ",".join(guests), "--until", "coopvmm: all guests ended",
                   iso=TEST_ISO)
    t.check(tag + ".boot", res.rc == 0, res.describe())
    placed = {m.group(2): int(m.group(3)) for m in PLACED_RE.finditer(res.com1)}
    ends = {m.group(2): m for m in END_RE.finditer(res.com1)}
    for g in guests:
        e = ends.get(g)
        t.check(tag + "." + g + "_passed", e is not None and e.group(3) == "1" and
                ("[guest %s] PASS: %s" % (g, g)) in res.com1,
                "guest %s: end line %r" % (g, e and e.group(0)))
    return placed


def body(t):
    if not t.check("test_iso", lib.os.path.isfile(TEST_ISO), "no %s (make build/coopvmm-test.iso)" % TEST_ISO):
        return
    placed = run(t, "two_cpus", 3, ["msr", "portio"])
    t.check("two_cpus.placed_apart", placed.get("msr") is not None and placed.get("portio") is not None
            and placed["msr"] != placed["portio"] and set(placed.values()) == {0, 2},
            "want msr and portio on VMM CPUs 0 and 2, got %r" % placed)
    placed = run(t, "one_cpu", 2, ["boot", "msr", "portio"])
    t.check("one_cpu.all_on_cpu0", placed == {"boot": 0, "msr": 0, "portio": 0},
            "want all three guests on CPU 0, got %r" % placed)


lib.Test("system.bochs_sched").run(body)
