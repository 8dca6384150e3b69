#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: Bochs, 3 CPUs, CPUs enumerated from the MP table only
# (cpu_enum=mptable) and the TSC calibrated against the ACPI PM timer only
# (timer_ref=pmtimer). Bochs runs the TSC at ips = 100 MHz of emulated time
# (clock: sync=none), so both calibrations must find about 100000 kHz.
import lib

BOCHS_TSC_KHZ = 100000   # tools/boot's bochsrc: ips=100000000
TOLERANCE = 0.03


def near(v, want):
    return abs(v - want) <= want * TOLERANCE


def body(t):
    if not lib.need_iso(t):
        return
    res = lib.boot("bochs_mptable_pmtimer", "--backend", "bochs", "--cpus", "3",
                   "--append", "cpu_enum=mptable timer_ref=pmtimer")
    rep = lib.check_boot_report(t, res)
    if rep is None:
        return
    src = lib.lines_matching(res.com1, r"\d+ CPU\(s\) from MP table")
    t.check("cpus_from_mp_table", src and src[0].split("] ", 1)[1].startswith("3 CPU(s)"),
            "want '3 CPU(s) from MP table', got %r" % src)
    t.equal("cpu_count", len(rep.cpus), 3, "cpu lines")
    t.equal("vmx_cpus_on", rep.vmx_cpus_on, 2, "vmx cpus_on")
    t.equal("timer_source", rep.timer["source"], "pmtimer", "timer source")
    t.check("tsc_khz", near(rep.timer["tsc_khz"], BOCHS_TSC_KHZ),
            "tsc_khz %d is not within 3%% of %d" % (rep.timer["tsc_khz"], BOCHS_TSC_KHZ))
    t.check("lapic_khz", near(rep.timer["lapic_khz"], BOCHS_TSC_KHZ),
            "lapic_khz %d is not within 3%% of %d (Bochs' LAPIC timer runs at the TSC rate)"
            % (rep.timer["lapic_khz"], BOCHS_TSC_KHZ))


lib.Test("system.bochs_mptable_pmtimer").run(body)
