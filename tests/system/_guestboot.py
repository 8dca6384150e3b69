# SPDX-License-Identifier: GPL-2.0-only
# tests/system/_guestboot.py: booting the guest-test ISO in Bochs with
# run=NAME,... and reading how each guest ended (the helpers of
# bochs_guests.py, as a module: bochs_hostile.py uses them; docs/guest-tests.md).
# Not a test itself (tests/run skips files starting with '_').
"""Boot build/coopvmm-test.iso with guests, watch COM1, read their ends."""

import os
import re
import shlex

import lib

TEST_ISO = os.environ.get("COOPVMM_TEST_ISO", os.path.join(lib.REPO, "build", "coopvmm-test.iso"))
CPUS = "2"            # CPU 0 runs the guests; CPU 1 is the IOPM's (idle without an IOPM module)
BOOT_TIMEOUT = 240    # seconds per boot
NEVER = r"(?!)"       # a --until marker that never matches: the test decides when to stop

# "[vm N NAME] exited: status S" (maybe "... after T ms") / "[vm N NAME] killed: REASON"
END_RE = re.compile(r"\[vm (\d+) ([^\]\s]+)\] (?:exited: status (-?\d+)|killed: (.*))")
ALIVE_RE = re.compile(r"\[vmm\] alive \d+")
ALL_ENDED = "coopvmm: all guests ended"


class End:
    def __init__(self, m):
        self.vm = int(m.group(1))
        self.name = m.group(2)
        self.status = int(m.group(3)) if m.group(3) is not None else None
        self.killed = m.group(4)
        self.pos = m.end()
        self.line = m.group(0)


def guest_name(spec):
    """run= entry NAME[:MEM[:VCPUS]] -> NAME."""
    return spec.split(":", 1)[0]


def guest_ends(com1):
    """NAME -> End for every guest-end line in the log (the last one wins)."""
    return {e.name: e for e in (End(m) for m in END_RE.finditer(com1))}


def guest_lines(com1, name):
    """What guest NAME printed on its COM1 ("[guest NAME] TEXT" in the VMM log)."""
    prefix = "[guest %s] " % name
    return [line.split(prefix, 1)[1] for line in com1.splitlines() if prefix in line]


def exit_counts(com1, name):
    """Exit counts by reason from the '[vm N NAME] exits: reason count ...'
    lines the VMM prints when guest NAME ends."""
    counts = {}
    for m in re.finditer(r"\[vm \d+ %s\] exits:(.*)" % re.escape(name), com1):
        words = m.group(1).split()
        for reason, n in zip(words[0::2], words[1::2]):
            counts[reason] = counts.get(reason, 0) + int(n)
    return counts


def alive_after(com1, pos):
    return ALIVE_RE.search(com1, pos) is not None


def report_end_pos(com1, end):
    """Where the VMM's end report of the guest of END is complete (after its
    last line, "[vm N NAME] unclaimed io ..."), or None while it is still
    being printed. The report comes line by line from the CPU that ran the
    guest's last vCPU; other CPUs' lines may come in between."""
    m = re.compile(r"\[vm %d %s\] unclaimed io [^\n]*\n" % (end.vm, re.escape(end.name))).search(com1, end.pos)
    return m.end() if m else None


def boot_done(ending, all_ended=False):
    """A stop condition: every guest in ENDING has ended, the VMM's report
    of each end is complete, with ALL_ENDED, the VMM said that no guest
    is left, and the VMM said '[vmm] alive' after all of that."""
    def done(com1):
        ends = guest_ends(com1)
        if not all(n in ends for n in ending):
            return False
        last = 0
        for n in ending:
            pos = report_end_pos(com1, ends[n])
            if pos is None:
                return False
            last = max(last, pos)
        if all_ended:
            pos = com1.find(ALL_ENDED, last)
            if pos < 0:
                return False
            last = pos
        return alive_after(com1, last)
    return done


def boot_guests(log_name, specs, done, cpus=CPUS, timeout=BOOT_TIMEOUT):
    """Boot the test ISO with run=SPECS in Bochs; poll COM1 and stop the
    boot (SIGTERM to tools/boot, which kills Bochs) once done(com1) holds.
    Returns (lib.BootResult, condition_met)."""
    log_dir = os.path.join(lib.LOG_ROOT, log_name)
    os.makedirs(log_dir, exist_ok=True)
    com1_path = os.path.join(log_dir, "com1.log")
    if os.path.exists(com1_path):
        os.unlink(com1_path)
    argv = [lib.BOOT, "--log-dir", log_dir, "--backend", "bochs", "--cpus", cpus,
            "--timeout", str(timeout), "--append", "run=" + ",".join(specs),
            "--until", NEVER, "--allow-failure", r"\[guest \S+\]", TEST_ISO]
    print("# %s" % " ".join(shlex.quote(os.path.relpath(a, lib.REPO) if a.startswith(lib.REPO) else a)
                            for a in argv), flush=True)
    out_path = log_dir + ".tools-boot.out"
    rc, met, seconds = lib.boot_until(argv, com1_path, out_path, done)
    output = lib.read_text(out_path)
    res = lib.BootResult(argv, rc, output, log_dir, seconds)
    met = met or done(res.com1)
    for line in output.splitlines():
        print("#   %s" % line)
    print("# tools/boot exit %d after %.1f s (%s)" % (res.rc, seconds,
          "stopped by this test" if met else "condition not met"), flush=True)
    return res, met


def check_boot(t, tag, res, met):
    t.check("%s.no_stray_processes" % tag, not res.leftovers,
            "processes still running in %s: %r" % (res.log_dir, res.leftovers))
    t.check("%s.guests_ended_vmm_alive" % tag, met,
            "the guests did not all end with '[vmm] alive' after them: %s" % res.describe())


def check_ran_and_passed(t, tag, com1, name):
    """NAME ran under coopvmm and printed PASS, no FAIL; its SKIP lines are
    echoed as comments."""
    out = guest_lines(com1, name)
    fails = [line for line in out if line.startswith("FAIL:")]
    t.check("%s.%s.under_coopvmm" % (tag, name),
            any(line.startswith("%s: start" % name) and "under coopvmm" in line
                and "not under coopvmm" not in line for line in out),
            "no '%s: start (... under coopvmm)' line from the guest: %r" % (name, out[:2]))
    t.check("%s.%s.pass_line" % (tag, name), ("PASS: %s" % name) in out and not fails,
            "guest printed %s" % (fails or out[-3:] or "nothing"))
    for line in out:
        if line.startswith("SKIP:"):
            print("# %s %s" % (name, line))


def check_passed(t, tag, com1, name, ends):
    """NAME ran under coopvmm, printed PASS and exited with status 1."""
    check_ran_and_passed(t, tag, com1, name)
    e = ends.get(name)
    t.check("%s.%s.exit_status_1" % (tag, name), e is not None and e.status == 1,
            "want '[vm N %s] exited: status 1', got %r" % (name, e.line if e else None))


def powered_off(com1, end):
    """Did the VMM say '[vm N NAME] powered off (ACPI S5)' before END's line?"""
    return re.search(r"\[vm %d %s\] powered off \(ACPI S5\)" % (end.vm, re.escape(end.name)),
                     com1[:end.pos]) is not None


def check_powered_off(t, tag, com1, name, ends):
    """NAME ran under coopvmm, printed PASS, then powered its machine off
    (ACPI S5): the VMM's '[vm N NAME] powered off (ACPI S5)' and
    'exited: status 0'."""
    check_ran_and_passed(t, tag, com1, name)
    e = ends.get(name)
    t.check("%s.%s.exit_status_0" % (tag, name), e is not None and e.status == 0,
            "want '[vm N %s] exited: status 0', got %r" % (name, e.line if e else None))
    t.check("%s.%s.powered_off_line" % (tag, name), e is not None and powered_off(com1, e),
            "no '[vm N %s] powered off (ACPI S5)' before its end line" % name)


def check_killed(t, tag, com1, name, ends, why):
    e = ends.get(name)
    t.check("%s.%s.killed" % (tag, name), e is not None and e.killed is not None
            and re.search(why, e.killed, re.I),
            "want '[vm N %s] killed: ...%s...', got %r" % (name, why, e.line if e else None))
    out = guest_lines(com1, name)
    t.check("%s.%s.no_fail_line" % (tag, name), not [l for l in out if l.startswith("FAIL:")],
            "guest printed %r" % out[-3:])


def check_exit_counts(t, tag, com1, names, at_least):
    """Exits the guests' own code makes and the VMM must request:
    at_least = NAME -> {reason: minimum count}."""
    for name in names:
        want = at_least.get(name)
        if not want:
            continue
        got = exit_counts(com1, name)
        for reason, least in sorted(want.items()):
            t.check("%s.%s.exits.%s" % (tag, name, reason), got.get(reason, 0) >= least,
                    "want at least %d %s exits, got %r" % (least, reason, got))


def check_all_ended_line(t, tag, com1, names):
    ends = guest_ends(com1)
    if ends and all(n in ends for n in names):
        last = max(ends[n].pos for n in names)
        t.check("%s.all_guests_ended_line" % tag, ALL_ENDED in com1[last:],
                "no '%s' after the last guest ended" % ALL_ENDED)
