#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: the guests that look for the holes nobody listed (issue 11
# part 2; docs/guest-tests.md "Hostile guests, fuzzers and isolation") under
# the VMM in Bochs. Boots build/coopvmm-test.iso with run=NAME,...:
#  - the fuzzers and 64-bit guests, sharing boots: each must print its PASS
#    line and end "exited: status 1", and cause the exits it must cause;
#  - victim_pace alone (the measurement must be stable: its "shared" window
#    within 10% of its solo one), then victim_pace beside each resource
#    hostile guest: both must pass, and the victim's pace in the shared
#    window must be at least half its fair share of its solo pace;
#  - in every boot "[vmm] alive" after the guests ended.
# Every boot ends when the events it waits for are in the log, never after a
# fixed time (the boot timeout only catches a hung VMM).
"""Run the fuzzers, the 64-bit hostile guests and the isolation pairs under coopvmm in Bochs."""

import os
import re

import _guestboot as gb
import lib

# Guests that do not measure time share a boot (vCPUs round-robin on CPU 0).
GROUPS = [
    ("hostile_msr_cr", ["fuzz_msr_cr", "fuzz_msr_cr64", "hostile64", "boot64", "smp64:16M:2", "cpuid"]),
    ("hostile_insn", ["fuzz_insn:16M:2", "fuzz_insn64:16M:2"]),
]

# Exits the guests' own instructions make, which the VMM must intercept
# (WBINVD and INVD must never reach the hardware; CR8 is the vLAPIC's).
EXITS_AT_LEAST = {
    "hostile64": {"wbinvd": 2000, "invd": 200},
    "hostile_wbinvd": {"wbinvd": 1000, "invd": 10},
    "hostile_cr8": {"cr": 100},
    "fuzz_msr_cr": {"rdmsr": 16640, "wrmsr": 16640},
    "fuzz_msr_cr64": {"rdmsr": 16640, "wrmsr": 16640},
}

# The resource hostile guests, each run beside victim_pace, with its vCPU
# count: all vCPUs share VMM CPU 0 with the victim's one.
PACE = [
    ("hostile_wbinvd", 1),
    ("hostile_com1flood", 1),
    ("hostile_cr8", 1),
    ("hostile_ipistorm", 2),
    ("hostile_mmiostorm", 1),
]
VICTIM = "victim_pace"
# Alone, the two windows of victim_pace must agree this well (else its
# measurement, not the VMM, is what the pairs would judge).
SOLO_AGREEMENT = 0.9

PACE_RE = re.compile(r"^PACE (solo|shared) counts=([\d,]+) ticks=(\d+)$")


def pace(com1):
    """{'solo'|'shared': (counts, ticks)} from victim_pace's PACE lines."""
    found = {}
    for line in gb.guest_lines(com1, VICTIM):
        m = PACE_RE.match(line)
        if m:
            found[m.group(1)] = ([int(c) for c in m.group(2).split(",")], int(m.group(3)))
    return found


def run_group(t, tag, specs):
    names = [gb.guest_name(s) for s in specs]
    res, met = gb.boot_guests(tag, specs, gb.boot_done(names, all_ended=True))
    gb.check_boot(t, tag, res, met)
    ends = gb.guest_ends(res.com1)
    for name in names:
        gb.check_passed(t, tag, res.com1, name, ends)
    gb.check_exit_counts(t, tag, res.com1, names, EXITS_AT_LEAST)
    gb.check_all_ended_line(t, tag, res.com1, names)
    return res


def check_pace(t, tag, com1, need, what):
    """The shared window against the solo one: the mean over its intervals
    and its slowest interval at least NEED times the solo mean, and the
    timer ticks it received at least NEED times the solo ones."""
    p = pace(com1)
    if not t.check("%s.pace_lines" % tag, "solo" in p and "shared" in p,
                   "no PACE solo/shared lines from %s: %r" % (VICTIM, gb.guest_lines(com1, VICTIM)[-4:])):
        return
    solo, solo_ticks = p["solo"]
    shared, shared_ticks = p["shared"]
    solo_mean = sum(solo) / len(solo)
    mean = sum(shared) / len(shared) / solo_mean
    slowest = min(shared) / solo_mean
    ticks = shared_ticks / solo_ticks if solo_ticks else 0.0
    print("# %s: %s: pace %.1f%% of solo (slowest interval %.1f%%), timer ticks %d of %d (%.1f%%); "
          "required %.1f%%" % (tag, what, 100 * mean, 100 * slowest, shared_ticks, solo_ticks, 100 * ticks,
                               100 * need), flush=True)
    t.check("%s.pace_mean" % tag, mean >= need,
            "%s: shared-window pace %.1f%% of solo, below %.1f%%" % (what, 100 * mean, 100 * need))
    t.check("%s.pace_slowest_interval" % tag, slowest >= need,
            "%s: slowest shared interval %.1f%% of the solo mean, below %.1f%% (counts %r, solo %r)"
            % (what, 100 * slowest, 100 * need, shared, solo))
    t.check("%s.timer_ticks" % tag, ticks >= need,
            "%s: %d timer ticks in the shared window, %d alone: %.1f%%, below %.1f%%"
            % (what, shared_ticks, solo_ticks, 100 * ticks, 100 * need))


def run_solo(t):
    tag = "pace_alone"
    res = run_group(t, tag, [VICTIM])
    check_pace(t, tag, res.com1, SOLO_AGREEMENT, "alone, shared window against solo window")


def run_pair(t, hostile, vcpus):
    tag = "pace_" + hostile
    spec = hostile if vcpus == 1 else "%s:16M:%d" % (hostile, vcpus)
    res = run_group(t, tag, [VICTIM, spec])
    # Round-robin over K = 1 + vcpus always-runnable vCPUs gives the victim
    # 1/K of the CPU; half of that is required (docs/guest-tests.md).
    k = 1 + vcpus
    check_pace(t, tag, res.com1, 1.0 / (2 * k), "beside %s (%d vCPU(s) on its CPU)" % (hostile, k))


def body(t):
    if not t.check("test_iso", os.path.isfile(gb.TEST_ISO),
                   "no test ISO at %s (make build/coopvmm-test.iso)" % gb.TEST_ISO):
        return
    for tag, specs in GROUPS:
        run_group(t, tag, specs)
    run_solo(t)
    for hostile, vcpus in PACE:
        run_pair(t, hostile, vcpus)


lib.Test("system.bochs_hostile").run(body)
