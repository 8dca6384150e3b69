#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: a guest with two vCPUs (run=smp_ipi:16M:2, tests/guests/smp_ipi.c,
# docs/guest-tests.md "smp_ipi"): vCPU 0 starts vCPU 1 with INIT-SIPI-SIPI
# through its vLAPIC, then 100 IPI round trips between them, broadcast IPIs
# and self IPIs. The guest must PASS and exit with status 1 in both
# placements:
# (a) Bochs, 3 CPUs: VMM CPUs 0 and 2 (CPU 1 is reserved for IOPM 0), so the
#     two vCPUs are pinned to different CPUs (round-robin, docs/vcpu.md) and
#     every IPI between them is a kick IPI between physical CPUs;
# (b) Bochs, 2 CPUs: CPU 0 is the only VMM CPU and runs both vCPUs.
# The VMM log names only vCPU 0's CPU ("... 2 vCPU(s) on CPU(s) 0..."): the
# placement of vCPU 1 follows from the VMM CPUs in the boot report.
import re

import lib

TEST_ISO = lib.os.path.join(lib.REPO, "build", "coopvmm-test.iso")
GUEST = "smp_ipi"
PLACED_RE = re.compile(r"\[vm\] vm (\d+) %s: .* (\d+) vCPU\(s\) on CPU\(s\) (\d+)" % GUEST)
END_RE = re.compile(r"\[vm (\d+) %s\] (?:exited: status (\d+)|killed: (.*))" % GUEST)
GUEST_LINE = "[guest %s] " % GUEST
TRIPS_RE = re.compile(r"AP counted (\d+) ping\(s\), vCPU 0 (\d+) pong\(s\); (\d+) us in all, "
                      r"(\d+) us per trip, worst (\d+) us")
ROUND_TRIPS = 100


def run(t, tag, cpus, want_vmm_cpus):
    res = lib.boot("bochs_smp_" + tag, "--backend", "bochs", "--cpus", str(cpus), "--timeout", "240",
                   "--append", "run=%s:16M:2" % GUEST, "--until", "coopvmm: all guests ended",
                   iso=TEST_ISO)
    t.check(tag + ".boot", res.rc == 0, res.describe())
    t.check(tag + ".no_stray_processes", not res.leftovers,
            "processes still running in %s: %r" % (res.log_dir, res.leftovers))
    try:
        rep = lib.parse_report(res.com1)
        vmm_cpus = sorted(c.index for c in rep.cpus_with(role="vmm", state="online", vmx="on"))
    except lib.ReportError as e:
        vmm_cpus = "no boot report (%s)" % e
    t.equal(tag + ".vmm_cpus", vmm_cpus, want_vmm_cpus, "VMM CPUs online with VMX on")
    m = PLACED_RE.search(res.com1)
    t.check(tag + ".placed", m is not None and m.group(2) == "2" and int(m.group(3)) == want_vmm_cpus[0],
            "want '%s: ... 2 vCPU(s) on CPU(s) %d...', got %r"
            % (GUEST, want_vmm_cpus[0], m and m.group(0)))

    out = [line[len(GUEST_LINE):] for line in res.com1.splitlines() if line.startswith(GUEST_LINE)]
    for line in out:
        if line.startswith("SKIP:"):
            print("#   %s" % line, flush=True)
    fails = [line for line in out if line.startswith("FAIL:")]
    t.check(tag + ".no_fail_line", not fails, " | ".join(fails))
    skipped_ap = [line for line in out if line.startswith("SKIP:") and "AP start-up" in line]
    t.check(tag + ".ap_started", not skipped_ap and any("AP online" in line for line in out),
            "no 'AP online' line: %s" % (" | ".join(skipped_ap) or "(see %s)" % res.log_dir))
    trips = [TRIPS_RE.search(line) for line in out]
    trips = [x for x in trips if x]
    if trips:
        print("#   %s: %s" % (tag, trips[-1].group(0)), flush=True)
    t.check(tag + ".round_trips", trips and int(trips[-1].group(1)) == ROUND_TRIPS
            and int(trips[-1].group(2)) == ROUND_TRIPS,
            "want %d pings and %d pongs, got %r" % (ROUND_TRIPS, ROUND_TRIPS, trips and trips[-1].group(0)))
    e = END_RE.search(res.com1)
    t.check(tag + ".passed", e is not None and e.group(2) == "1" and ("PASS: %s" % GUEST) in out,
            "end line %r" % (e and e.group(0)))


def body(t):
    if not t.check("test_iso", lib.os.path.isfile(TEST_ISO), "no %s (make build/coopvmm-test.iso)" % TEST_ISO):
        return
    run(t, "two_cpus", 3, [0, 2])
    run(t, "one_cpu", 2, [0])


lib.Test("system.bochs_smp").run(body)
