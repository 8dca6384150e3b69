#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: the guest test suite (tests/guests, docs/guest-tests.md) under
# the VMM in Bochs. Boots build/coopvmm-test.iso with run=NAME,... and reads
# the VMM log (COM1): each well-behaved guest must print "PASS: NAME" and end
# "[vm N NAME] exited: status 1" (one that powers itself off through ACPI S5:
# "[vm N NAME] powered off (ACPI S5)" and status 0); each hostile guest must
# end as its kind requires, beside a well-behaved partner that must still
# pass, and the VMM must print "[vmm] alive" after the guests.
"""Run the tests/guests guests under coopvmm in Bochs and check how each ended."""

import os
import re

import lib
from _guestboot import (TEST_ISO, boot_done, boot_guests, check_all_ended_line, check_boot, check_exit_counts,
                        check_killed, check_passed, check_powered_off, guest_ends, guest_lines, guest_name)

PARTNER = "cpuid"     # the well-behaved guest run beside each hostile one

# Guests that measure no time share one boot; the timing guests get a boot
# each, since a vCPU sharing its CPU sees its time measurements disturbed.
# An entry is what run= takes: NAME, or NAME:MEM:VCPUS for a guest that
# needs more vCPUs (the checks use NAME).
GROUPS = [
    ("guests_basic", ["boot", "msr", "exceptions", "portio", "mmio", "crs", "nmi", "dbg", "hypercall",
                      "poweroff"]),
    ("guests_cpuid", ["cpuid"]),
    ("guests_lapic_timer", ["lapic_timer"]),
    ("guests_hlt", ["hlt"]),
    ("guests_pic_pit", ["pic_pit"]),
    ("guests_ioapic", ["ioapic"]),
    # Two copies sharing CPU 0: what one leaves in DR0-3/DR6/CR2 must not reach the other.
    ("guests_isolation", ["dr_isolation", "dr_isolation2"]),
    # The firmware tables of a 2-vCPU VM and the PM timer (it waits for the
    # timer's wrap, 2 s after the VM was made: alone, so it gets there in time).
    ("guests_acpi", ["acpi:16M:2"]),
]

# Lines a guest must print (regular expressions searched in its output),
# beyond PASS: what a check saw, where the guest alone cannot know what the
# boot asked for (the vCPU count of run=), or that a step ran at all.
MUST_PRINT = {
    "poweroff": [r"^SCI: 1 interrupt\(s\) on vector 0x51 within \d+ ms of TMR_EN, the handler found PM1 "
                 r"status 0x1 and cleared it$",
                 r"^powering off through S5 \(SLP_TYP 7 \| SLP_EN\)$"],
    "acpi": [r"^MADT: 2 enabled processor\(s\), APIC IDs 0 1;",
             r"^MP table at 0xf[0-9a-f]{4}: \d+ entries, 2 enabled processor\(s\), ISA IRQ0 -> pin 2$",
             r"^PM timer across the wrap: 0xf{3}[0-9a-f]{5} -> 0x[0-9a-f]{1,5}, \d+ ticks",
             r"^PM1 status 0x1 after the wrap$"],
}
# Guests that end by powering their machine off (ACPI S5) after their PASS line.
POWERS_OFF = {"poweroff"}

# The VMM's own line about the VM: NAME -> regex (the vCPUs it was given).
VMM_SAYS = {
    "acpi": r"\] vm \d+ acpi: 16 MiB RAM at 0x[0-9a-f]+, 2 vCPU\(s\)",
}

# Guests that must have been switched out and in at least this often (the
# "switches N" line they print), or their check proved nothing.
MIN_SWITCHES = {"dr_isolation": 3, "dr_isolation2": 3}

# How each hostile guest must end: "pass" (exited with status 1 after its
# PASS line), ("killed", REGEX) (killed, the reason matching REGEX, case
# ignored), "runs" (never ends; the VMM must keep scheduling the partner).
HOSTILE = [
    ("hostile_oob", "pass"),
    ("hostile_ioflood", "pass"),
    ("hostile_vmxon", "pass"),
    ("hostile_triplefault", ("killed", r"triple")),
    ("hostile_baddecode", ("killed", r"decode")),
    ("hostile_evdelivery", ("killed", r"event delivery accessed non-RAM")),
    ("hostile_spin", "runs"),
]

def check_printed(t, tag, com1, name):
    out = guest_lines(com1, name)
    for i, want in enumerate(MUST_PRINT.get(name, [])):
        t.check("%s.%s.printed_%d" % (tag, name, i), any(re.search(want, l) for l in out),
                "no line matching %r from %s" % (want, name))
    if name in VMM_SAYS:
        t.check("%s.%s.vmm_line" % (tag, name), re.search(VMM_SAYS[name], com1) is not None,
                "no VMM line matching %r" % VMM_SAYS[name])


def run_group(t, tag, specs):
    names = [guest_name(s) for s in specs]
    res, met = boot_guests(tag, specs, boot_done(names, all_ended=True))
    check_boot(t, tag, res, met)
    ends = guest_ends(res.com1)
    for name in names:
        if name in POWERS_OFF:
            check_powered_off(t, tag, res.com1, name, ends)
        else:
            check_passed(t, tag, res.com1, name, ends)
        check_printed(t, tag, res.com1, name)
    check_exit_counts(t, tag, res.com1, names, EXITS_AT_LEAST)
    for name in names:
        if name in MIN_SWITCHES:
            m = [re.search(r"switches (\d+)", l) for l in guest_lines(res.com1, name)]
            n = max([int(x.group(1)) for x in m if x] or [0])
            t.check("%s.%s.switched" % (tag, name), n >= MIN_SWITCHES[name],
                    "want at least %d switches to the other guest, got %d" % (MIN_SWITCHES[name], n))
    check_all_ended_line(t, tag, res.com1, names)


def run_hostile(t, name, kind):
    tag = "with_" + name
    names = [name, PARTNER]
    ending = [PARTNER] if kind == "runs" else names
    res, met = boot_guests(tag, names, boot_done(ending))
    check_boot(t, tag, res, met)
    ends = guest_ends(res.com1)
    check_passed(t, tag, res.com1, PARTNER, ends)
    if kind == "pass":
        check_passed(t, tag, res.com1, name, ends)
    elif kind == "runs":
        t.check("%s.%s.still_running" % (tag, name), name not in ends,
                "it ended: %r" % (ends[name].line if name in ends else None))
        t.check("%s.%s.started" % (tag, name),
                any(l.startswith("spinning") for l in guest_lines(res.com1, name)),
                "no 'spinning' line from %s" % name)
    else:
        check_killed(t, tag, res.com1, name, ends, kind[1])


# Exits a guest must have caused (its own code makes them; the VMM must
# request them): NAME -> {reason: minimum count}.
EXITS_AT_LEAST = {
    "crs": {"wbinvd": 100, "rdpmc": 1, "cr": 6},
    "nmi": {"nmi-window": 1},   # the NMI sent inside the handler waited for its IRET
}


def body(t):
    if not t.check("test_iso", os.path.isfile(TEST_ISO),
                   "no test ISO at %s (make %s)" % (TEST_ISO, os.path.relpath(TEST_ISO, lib.REPO))):
        return
    for tag, names in GROUPS:
        run_group(t, tag, names)
    for name, kind in HOSTILE:
        run_hostile(t, name, kind)


lib.Test("system.bochs_guests").run(body)
