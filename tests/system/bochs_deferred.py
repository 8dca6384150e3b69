#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: the request path with answers that come later (issue 12;
# docs/architecture.md "The life of a guest I/O request"). Boots the test
# ISO in Bochs with three CPUs (two VMM CPUs, so a deferred answer comes
# from the other CPU than the waiting vCPU's) and the guests deferred_io
# (every kind of access to the deferred test device, values checked, on two
# vCPUs) and deferred_io_teardown (its VM ends while vCPU 1 waits for an
# answer), beside cpuid, a partner that must pass after that teardown.
"""The deferred test device: waiting vCPUs, completions from another CPU, teardown in flight."""

import os
import re

import lib
from _guestboot import (TEST_ISO, boot_done, boot_guests, check_all_ended_line, check_boot, check_passed,
                        guest_ends, guest_lines)

SPECS = ["deferred_io:16M:2", "deferred_io_teardown:16M:2", "cpuid"]
NAMES = ["deferred_io", "deferred_io_teardown", "cpuid"]
CPUS = "3"   # CPUs 0 and 1 run vCPUs; CPU 2 is the IOPM's

MUST_PRINT = {
    "deferred_io": [r"^ports: scratch lanes, delay 200 us, FIFO single accesses ok$",
                    r"^string I/O: REP OUTSB/INSB 256, OUTSD/INSD 48, STD OUTSW 10, OUTSB, ECX 0 ok$",
                    r"^vCPU 1: 200 rounds of store/load/XCHG on its half, 0 wrong",
                    r"^MMIO: MOV 1/2/4, .* ok$"],
    "deferred_io_teardown": [r"^vCPU 1 waits for its read \d+: ending the VM now$"],
}


def vm_line(com1, name, what):
    m = re.search(r"\[vm \d+ %s\] %s" % (re.escape(name), what), com1)
    return m


def body(t):
    if not t.check("test_iso", os.path.isfile(TEST_ISO),
                   "no test ISO at %s (make %s)" % (TEST_ISO, os.path.relpath(TEST_ISO, lib.REPO))):
        return
    tag = "deferred"
    res, met = boot_guests(tag, SPECS, boot_done(NAMES, all_ended=True), cpus=CPUS)
    check_boot(t, tag, res, met)
    com1 = res.com1
    ends = guest_ends(com1)
    for name in NAMES:
        check_passed(t, tag, com1, name, ends)
        out = guest_lines(com1, name)
        for i, want in enumerate(MUST_PRINT.get(name, [])):
            t.check("%s.%s.printed_%d" % (tag, name, i), any(re.search(want, l) for l in out),
                    "no line matching %r from %s" % (want, name))
    # Its vCPUs were spread over the two VMM CPUs, and the waits were real.
    t.check("%s.deferred_io.two_cpus" % tag,
            re.search(r"vm \d+ deferred_io: 16 MiB RAM at 0x[0-9a-f]+, 2 vCPU\(s\) on CPU\(s\) 0", com1) is not None,
            "no VMM line placing deferred_io's vCPUs from CPU 0")
    m = vm_line(com1, "deferred_io", r"device requests (\d+), completed later (\d+), outstanding at the end (\d+)")
    if t.check("%s.deferred_io.requests_line" % tag, m is not None, "no 'device requests' line"):
        reqs, later, left = (int(m.group(i)) for i in (1, 2, 3))
        # Every access to the deferred device waits: well over 600 here.
        t.check("%s.deferred_io.waited" % tag, later >= 600, "only %d requests completed later" % later)
        t.check("%s.deferred_io.none_left" % tag, left == 0, "%d outstanding at the end" % left)
        t.check("%s.deferred_io.more_requests" % tag, reqs > later, "requests %d, later %d" % (reqs, later))
    m = vm_line(com1, "deferred_io", r"deferred test device: (\d+) element\(s\) answered, (\d+) request\(s\) on another CPU")
    if t.check("%s.deferred_io.device_line" % tag, m is not None, "no 'deferred test device' line"):
        t.check("%s.deferred_io.other_cpu" % tag, int(m.group(2)) >= 600,
                "only %s requests answered on another CPU" % m.group(2))
    # The teardown: one request outstanding when the VM ended, its late
    # completion refused, and the VMM carried on (the partner passed, and
    # the VMM said it is alive after every guest ended).
    m = vm_line(com1, "deferred_io_teardown", r"device requests \d+, completed later \d+, outstanding at the end (\d+)")
    if t.check("%s.teardown.requests_line" % tag, m is not None, "no 'device requests' line"):
        t.check("%s.teardown.outstanding_1" % tag, m.group(1) == "1",
                "outstanding at the end: %s (want 1: vCPU 1's read)" % m.group(1))
        vm_id = re.search(r"\[vm (\d+) deferred_io_teardown\]", com1).group(1)
        t.check("%s.teardown.late_completion_refused" % tag,
                re.search(r"\[defer\] completion of request \d+ of vm %s vcpu 1 refused" % vm_id, com1) is not None,
                "no refused completion for vm %s vcpu 1" % vm_id)
    check_all_ended_line(t, tag, com1, NAMES)


lib.Test("system.bochs_deferred").run(body)
