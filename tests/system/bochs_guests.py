#!/usr/bin/env python3
# System test: the guest test suite (tests/guests, docs/guest-tests.md) under
# the VMM in Bochs. Boots build/coopvmm-test.iso with run=NAME,... and reads
# the VMM log (COM1): each well-behaved guest must print "PASS: NAME" and end
# "[vm N NAME] exited: status 1"; each hostile guest must end as its kind
# requires, beside a well-behaved partner that must still pass, and the VMM
# must print "[vmm] alive" after the guests.
"""Run the tests/guests guests under coopvmm in Bochs and check how each ended."""

import os
import re
import shlex
import signal
import subprocess
import time

import lib

TEST_ISO = os.environ.get("COOPVMM_TEST_ISO", os.path.join(lib.REPO, "build", "coopvmm-test.iso"))
CPUS = "2"            # CPU 0 runs the guests; CPU 1 is the IOPM's (idle without an IOPM module)
BOOT_TIMEOUT = 240    # seconds per boot
NEVER = r"(?!)"       # a --until marker that never matches: this test decides when to stop
PARTNER = "cpuid"     # the well-behaved guest run beside each hostile one

# Guests that measure no time share one boot; the timing guests get a boot
# each, since a vCPU sharing its CPU sees its time measurements disturbed.
# An entry is what run= takes: NAME, or NAME:MEM:VCPUS for a guest that
# needs more vCPUs (the checks use NAME).
GROUPS = [
    ("guests_basic", ["boot", "msr", "exceptions", "portio", "mmio", "crs", "nmi", "dbg", "hypercall"]),
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
# boot asked for (the vCPU count of run=).
MUST_PRINT = {
    "acpi": [r"^MADT: 2 enabled processor\(s\), APIC IDs 0 1;",
             r"^MP table at 0xf[0-9a-f]{4}: \d+ entries, 2 enabled processor\(s\), ISA IRQ0 -> pin 2$",
             r"^PM timer across the wrap: 0xf{3}[0-9a-f]{5} -> 0x[0-9a-f]{1,5}, \d+ ticks",
             r"^PM1 status 0x1 after the wrap$"],
}
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


def boot_done(ending):
    """A stop condition: every guest in ENDING has ended and the VMM said
    '[vmm] alive' after the last of those ends."""
    def done(com1):
        ends = guest_ends(com1)
        if not all(n in ends for n in ending):
            return False
        return alive_after(com1, max(ends[n].pos for n in ending))
    return done


def boot_guests(log_name, names, done):
    """Boot the test ISO with run=NAMES (run= entries) in Bochs; poll COM1 and stop the
    boot (SIGTERM to tools/boot, which kills Bochs) once done(com1) holds.
    Returns (lib.BootResult, condition_met)."""
    log_dir = os.path.join(lib.LOG_ROOT, log_name)
    os.makedirs(log_dir, exist_ok=True)
    com1_path = os.path.join(log_dir, "com1.log")
    if os.path.exists(com1_path):
        os.unlink(com1_path)
    argv = [lib.BOOT, "--log-dir", log_dir, "--backend", "bochs", "--cpus", CPUS,
            "--timeout", str(BOOT_TIMEOUT), "--append", "run=" + ",".join(names),
            "--until", NEVER, "--allow-failure", r"\[guest \S+\]", TEST_ISO]
    print("# %s" % " ".join(shlex.quote(os.path.relpath(a, lib.REPO) if a.startswith(lib.REPO) else a)
                            for a in argv), flush=True)
    out_path = log_dir + ".tools-boot.out"
    start = time.monotonic()
    met = False
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        while proc.poll() is None:
            if done(lib.read_text(com1_path)):
                met = True
                proc.send_signal(signal.SIGTERM)
                break
            time.sleep(0.5)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    seconds = time.monotonic() - start
    output = lib.read_text(out_path)
    res = lib.BootResult(argv, proc.returncode, output, log_dir, seconds)
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


def check_passed(t, tag, com1, name, ends):
    """NAME ran under coopvmm, printed PASS and exited with status 1."""
    out = guest_lines(com1, name)
    fails = [line for line in out if line.startswith("FAIL:")]
    t.check("%s.%s.under_coopvmm" % (tag, name),
            any(line.startswith("%s: start" % name) and "under coopvmm" in line
                and "not under coopvmm" not in line for line in out),
            "no '%s: start (... under coopvmm)' line from the guest: %r" % (name, out[:2]))
    t.check("%s.%s.pass_line" % (tag, name), ("PASS: %s" % name) in out and not fails,
            "guest printed %s" % (fails or out[-3:] or "nothing"))
    e = ends.get(name)
    t.check("%s.%s.exit_status_1" % (tag, name), e is not None and e.status == 1,
            "want '[vm N %s] exited: status 1', got %r" % (name, e.line if e else None))
    for line in out:
        if line.startswith("SKIP:"):
            print("# %s %s" % (name, line))


def check_killed(t, tag, com1, name, ends, why):
    e = ends.get(name)
    t.check("%s.%s.killed" % (tag, name), e is not None and e.killed is not None
            and re.search(why, e.killed, re.I),
            "want '[vm N %s] killed: ...%s...', got %r" % (name, why, e.line if e else None))
    out = guest_lines(com1, name)
    t.check("%s.%s.no_fail_line" % (tag, name), not [l for l in out if l.startswith("FAIL:")],
            "guest printed %r" % out[-3:])


def guest_name(spec):
    """NAME of a run= entry NAME[:MEM[:VCPUS]]."""
    return spec.split(":", 1)[0]


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
    res, met = boot_guests(tag, specs, boot_done(names))
    check_boot(t, tag, res, met)
    ends = guest_ends(res.com1)
    for name in names:
        check_passed(t, tag, res.com1, name, ends)
        check_printed(t, tag, res.com1, name)
    check_exit_counts(t, tag, res.com1, names)
    for name in names:
        if name in MIN_SWITCHES:
            m = [re.search(r"switches (\d+)", l) for l in guest_lines(res.com1, name)]
            n = max([int(x.group(1)) for x in m if x] or [0])
            t.check("%s.%s.switched" % (tag, name), n >= MIN_SWITCHES[name],
                    "want at least %d switches to the other guest, got %d" % (MIN_SWITCHES[name], n))
    if ends and all(n in ends for n in names):
        last = max(ends[n].pos for n in names)
        t.check("%s.all_guests_ended_line" % tag, ALL_ENDED in res.com1[last:],
                "no '%s' after the last guest ended" % ALL_ENDED)


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


def check_exit_counts(t, tag, com1, names):
    for name in names:
        want = EXITS_AT_LEAST.get(name)
        if not want:
            continue
        got = exit_counts(com1, name)
        for reason, least in sorted(want.items()):
            t.check("%s.%s.exits.%s" % (tag, name, reason), got.get(reason, 0) >= least,
                    "want at least %d %s exits, got %r" % (least, reason, got))


def body(t):
    if not t.check("test_iso", os.path.isfile(TEST_ISO),
                   "no test ISO at %s (make %s)" % (TEST_ISO, os.path.relpath(TEST_ISO, lib.REPO))):
        return
    for tag, names in GROUPS:
        run_group(t, tag, names)
    for name, kind in HOSTILE:
        run_hostile(t, name, kind)


lib.Test("system.bochs_guests").run(body)
