#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# tests/run: after differential_bare bochs_guests bochs_hostile bochs_smp
# System test, second half of the differential test (docs/guest-tests.md,
# "The differential test"): each guest's lines on bare Bochs and on bare
# QEMU (differential_bare.py's logs) against its lines under coopvmm in
# Bochs (the logs of bochs_guests.py, bochs_hostile.py, bochs_smp.py; the
# line above makes tests/run start this suite after them), line by line,
# after the normalisations of docs/guest-tests.md. A difference fails the
# check NAME.bochs_vs_coopvmm / NAME.qemu_vs_coopvmm unless a row of
# docs/guest-platform.md "Known differences from the bare machine" lists
# it. A log that is missing or older than what it ran is made here first.
"""Compare the guests' lines on the bare machines with their lines under coopvmm."""

import os
import time

import _differential as d
import lib


def show(lines):
    return "[%s]" % ", ".join(repr(l) for l in lines)


def selftest():
    """The comparer on made-up lines: what it must catch and what a row
    must explain. Returns the first thing it got wrong, or None."""
    import re
    rx = re.compile

    def row(bare, coop, guests="g"):
        return d.Known("selftest", [guests], "both", bare if bare in (d.ABSENT, d.REST) else rx(bare),
                       coop if coop in (d.ABSENT, d.REST) else rx(coop), "selftest")

    bare = ["g: start", "a 1 ok", "b ok", "PASS: g"]
    coop = ["g: start", "a 1 accesses 1", "b accesses 2", "extra", "PASS: g"]
    cases = [
        ("no rows", [], 3),
        ("paired by name", [row(r"(?P<f>\w)( 1)? ok", r"(?P<f>\w)( 1)? accesses \d"), row("-", "extra")], 0),
        ("named groups must agree", [row(r"(?P<f>\w) ok", r"(?P<x>\w) accesses \d"),
                                     row(r"(?P<f>\w) 1 ok", r"(?P<f>b) accesses \d"), row("-", "extra")], 1),
        ("another guest's row", [row(r".* ok", r".* accesses \d", guests="h"), row("-", "extra", guests="h")], 3),
        ("bare stopped", [row("a 1 ok", d.REST)], 0),
    ]
    for what, rows, want in cases:
        diffs, _ = d.compare("g", "bochs", bare, coop, rows)
        if len(diffs) != want:
            return "%s: %d differences, want %d: %s" % (what, len(diffs), want,
                                                        "; ".join(x.describe() for x in diffs))
    return None


def body(t):
    start = time.monotonic()
    wrong = selftest()
    t.check("comparer_selftest", wrong is None, "the comparer on made-up lines: %s" % wrong)
    try:
        norms = d.read_normalisations()
        known = d.read_known()
    except (d.DocError, OSError) as e:
        t.fail("tables", e)
        return
    t.ok("tables")
    print("# %d normalisations (%s), %d known differences (%s)" % (
        len(norms), os.path.relpath(d.DOC_TESTS, lib.REPO), len(known),
        os.path.relpath(d.DOC_PLATFORM, lib.REPO)), flush=True)

    names = {g.name for g in d.GUESTS}
    missing = [n for n in d.all_guest_names() if n not in names and n not in d.EXCLUDED]
    t.check("every_guest_considered", not missing,
            "guests neither compared nor excluded (tests/system/_differential.py GUESTS / EXCLUDED): %s"
            % ", ".join(missing))
    for name, why in sorted(d.EXCLUDED.items()):
        print("# not compared: %s: %s" % (name, why))

    coop_logs = {}
    for g in d.GUESTS:
        com1 = d.coopvmm_fresh(g, g.coopvmm)
        if com1 is None:
            print("# %s: no log of it under coopvmm in %s newer than the test ISO: booting it"
                  % (g.name, os.path.relpath(os.path.join(lib.LOG_ROOT, g.coopvmm), lib.REPO)), flush=True)
            com1 = d.boot_coopvmm(g)
        coop_logs[g.name] = com1
        for pair in g.pairs:
            check = "%s.%s_vs_coopvmm" % (g.name, pair)
            bare = d.bare_fresh(pair, g)
            if bare is None:
                print("# %s: no complete %s run of it newer than what it ran: booting it" % (g.name, pair),
                      flush=True)
                d.boot_qemu(g) if pair == "qemu" else d.boot_bochs(g)
                bare = d.bare_fresh(pair, g)
            if bare is None:
                t.fail(check, "no bare %s run of %s (%s)" % (pair, g.name, d.bare_dir(pair, g.name)))
                continue
            end, bare_com1 = bare
            b = d.normalise(d.bare_lines(pair, end, bare_com1), g.name, norms)
            c = d.normalise(d.coopvmm_lines(pair, com1, g.name), g.name, norms)
            if not [l for l in c if not l.startswith("== end:")]:
                t.fail(check, "no '[guest %s]' lines under coopvmm (%s)" % (g.name, g.coopvmm))
                continue
            diffs, used = d.compare(g.name, pair, b, c, known)
            listed = sorted({k.where for k in used}, key=lambda w: int(w.rsplit(":", 1)[1]))
            print("# %s %s: %d and %d lines, %d differences not listed%s" % (
                g.name, pair, len(b), len(c), len(diffs),
                "; listed ones: " + ", ".join(w.rsplit(":", 1)[1] for w in listed) if listed else ""))
            shown = set()
            for x in diffs:
                print("#   DIFFERENCE %s %s: %s" % (g.name, pair, x.describe()))
                key = id(x.block)
                if key not in shown:
                    shown.add(key)
                    print("#     in the block: bare %s" % show(x.block[0]))
                    print("#                   coopvmm %s" % show(x.block[1]))
            t.check(check, not diffs, "%d difference(s) not in %s (see above), first: %s" % (
                len(diffs), os.path.relpath(d.DOC_PLATFORM, lib.REPO), diffs[0].describe() if diffs else ""))
    unused = [k for k in known if not k.used]
    for k in unused:
        print("# note: %s matched no line (stale? guests %s, pair %s)" % (k.where, ",".join(k.guests), k.pair))
    print("# differential: compared in %.0f s" % (time.monotonic() - start), flush=True)


lib.Test("system.differential").run(body)
