# SPDX-License-Identifier: GPL-2.0-only
# tests/system/lib.py: shared helpers of the system tests: run tools/boot on
# the real ISO, parse the VMM's boot report (format: docs/boot-report.md), and
# print PASS/FAIL lines plus the closing "N passed, N failed" line.
"""Helpers for the coopvmm system tests (tests/system/*.py)."""

import os
import re
import shlex
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOOT = os.path.join(REPO, "tools", "boot")
ISO = os.environ.get("COOPVMM_ISO", os.path.join(REPO, "build", "coopvmm.iso"))
LOG_ROOT = os.environ.get("COOPVMM_TEST_LOGS",
                          os.path.join(REPO, "build", "test-logs", "system"))

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
UNITS = {"KiB": KIB, "MiB": MIB, "GiB": GIB}

# tools/boot exit codes (docs/tools.md)
BOOT_OK, BOOT_FAILURE, BOOT_TIMEOUT, BOOT_EMU_EXIT, BOOT_UNAVAIL = 0, 2, 3, 4, 5


# ------------------------------------------------------------------ running

class BootResult:
    def __init__(self, argv, rc, output, log_dir, seconds):
        self.argv = argv
        self.rc = rc
        self.output = output
        self.log_dir = log_dir
        self.seconds = seconds
        self.com1 = read_text(os.path.join(log_dir, "com1.log"))
        self.com2 = read_text(os.path.join(log_dir, "com2.log"))
        self.leftovers = processes_in(log_dir)

    def describe(self):
        """One line for a FAIL reason: the exit code and the last output."""
        tail = [line for line in self.output.splitlines() if line.strip()][-3:]
        return "tools/boot exit %d after %.0f s (logs: %s): %s" % (
            self.rc, self.seconds, self.log_dir, " | ".join(tail))


def processes_in(directory):
    """PIDs of processes whose working directory is DIRECTORY: tools/boot
    runs the emulator there, so after it exits there must be none."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.readlink("/proc/%s/cwd" % pid) == os.path.realpath(directory):
                pids.append(int(pid))
        except OSError:
            pass
    return pids


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").replace("\r", "")
    except OSError:
        return ""


def boot_until(argv, com1_path, out_path, done, poll=0.5):
    """Run tools/boot (argv) with its output in out_path, polling COM1 and
    stopping the boot (SIGTERM to tools/boot, which kills the emulator) as
    soon as done(com1 text) holds. Returns (returncode, stopped, seconds):
    stopped is True when done() held while the boot still ran."""
    start = time.monotonic()
    stopped = False
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        while proc.poll() is None:
            if done(read_text(com1_path)):
                stopped = True
                proc.send_signal(signal.SIGTERM)
                break
            time.sleep(poll)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode, stopped, time.monotonic() - start


def boot(log_name, *boot_args, quiet=False, iso=None):
    """Run tools/boot on the ISO (default: the VMM's; iso= another, e.g. the
    guest-test ISO) with a log dir of its own under
    build/test-logs/system/LOG_NAME; return a BootResult."""
    log_dir = os.path.join(LOG_ROOT, log_name)
    argv = [BOOT, "--log-dir", log_dir] + list(boot_args) + [iso or ISO]
    if not quiet:
        print("# %s" % " ".join(shlex.quote(os.path.relpath(a, REPO) if a.startswith(REPO) else a)
                                for a in argv), flush=True)
    start = time.monotonic()
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    seconds = time.monotonic() - start
    output = r.stdout.decode("utf-8", "replace")
    result = BootResult(argv, r.returncode, output, log_dir, seconds)
    if not quiet:
        for line in output.splitlines():
            print("#   %s" % line)
        print("# tools/boot exit %d after %.1f s" % (r.returncode, seconds), flush=True)
    return result


# ------------------------------------------------------------ boot report

class ReportError(Exception):
    pass


class Zone:
    def __init__(self, name, start, end, size_text, line):
        self.name = name
        self.start = start
        self.end = end          # exclusive
        self.size_text = size_text
        self.line = line

    @property
    def size(self):
        return self.end - self.start

    def printed_size(self):
        """The SIZE column in bytes (None when unparsable)."""
        m = re.fullmatch(r"(\d+)\s*(KiB|MiB|GiB)", self.size_text)
        return int(m.group(1)) * UNITS[m.group(2)] if m else None

    def __repr__(self):
        return "%s 0x%x-0x%x (%s)" % (self.name, self.start, self.end, fmt_size(self.size))


class Cpu:
    def __init__(self, index, apic, role, state, vmx, line):
        self.index = index
        self.apic = apic
        self.role = role
        self.state = state
        self.vmx = vmx
        self.line = line

    def __repr__(self):
        return self.line


class Report:
    """The last boot report found in a COM1 log."""

    def __init__(self):
        self.cmdline = None
        self.zones = []
        self.modules = []
        self.cpus = []
        self.timer = None       # dict: tsc_khz, lapic_khz (int), source (str)
        self.vmx_supported = None
        self.vmx_cpus_on = None
        self.unknown = []       # lines of the report this parser does not know

    def zone(self, name):
        """The one zone called NAME (ReportError if none or several)."""
        found = [z for z in self.zones if z.name == name]
        if len(found) != 1:
            raise ReportError("expected one 'zone %s' line, found %d" % (name, len(found)))
        return found[0]

    def zones_named(self, name):
        return [z for z in self.zones if z.name == name]

    def cpus_with(self, **attrs):
        return [c for c in self.cpus
                if all(getattr(c, k) == v for k, v in attrs.items())]

    def overlaps(self):
        """Pairs of zones that overlap (should be none)."""
        pairs = []
        for i, a in enumerate(self.zones):
            for b in self.zones[i + 1:]:
                if a.start < b.end and b.start < a.end:
                    pairs.append((a, b))
        return pairs


REPORT_BEGIN = "==== coopvmm boot report ===="
REPORT_END = "==== end of boot report ===="
HEX = r"0x[0-9a-fA-F]+"


def parse_report(com1):
    """Parse the last complete boot report in COM1 text; ReportError if none
    or if a known line is malformed."""
    lines = com1.replace("\r", "").split("\n")
    begins = [i for i, line in enumerate(lines) if line.strip() == REPORT_BEGIN]
    if not begins:
        raise ReportError("no '%s' line in the COM1 log" % REPORT_BEGIN)
    first = begins[-1]
    ends = [i for i, line in enumerate(lines) if i > first and line.strip() == REPORT_END]
    if not ends:
        raise ReportError("the boot report has no '%s' line" % REPORT_END)
    rep = Report()
    for line in lines[first + 1:ends[0]]:
        words = line.split()
        if not words:
            continue
        key = words[0]
        if key == "cmdline:":
            rep.cmdline = line.split(":", 1)[1].strip()
        elif key == "zone":
            m = re.fullmatch(r"zone\s+(\S+)\s+(%s)-(%s)\s+(\d+\s*\S+)" % (HEX, HEX), line.strip())
            if not m:
                raise ReportError("malformed zone line: %r" % line)
            start, end = int(m.group(2), 16), int(m.group(3), 16)
            if end <= start:
                raise ReportError("zone with END <= START: %r" % line)
            rep.zones.append(Zone(m.group(1), start, end, m.group(4), line))
        elif key == "module":
            m = re.fullmatch(r"module\s+(\d+)\s+(%s)-(%s)\s*(.*)" % (HEX, HEX), line.strip())
            if not m:
                raise ReportError("malformed module line: %r" % line)
            rep.modules.append((int(m.group(1)), int(m.group(2), 16),
                                int(m.group(3), 16), m.group(4)))
        elif key == "cpu":
            m = re.fullmatch(r"cpu\s+(\d+)\s+apic\s+(\d+)\s+role\s+(\S+)\s+state\s+(\S+)"
                             r"\s+vmx\s+(\S+)", line.strip())
            if not m:
                raise ReportError("malformed cpu line: %r" % line)
            rep.cpus.append(Cpu(int(m.group(1)), int(m.group(2)), m.group(3),
                                m.group(4), m.group(5), line.strip()))
        elif key == "timer":
            m = re.fullmatch(r"timer\s+tsc_khz\s+(\d+)\s+lapic_khz\s+(\d+)\s+source\s+(\S+)",
                             line.strip())
            if not m:
                raise ReportError("malformed timer line: %r" % line)
            rep.timer = {"tsc_khz": int(m.group(1)), "lapic_khz": int(m.group(2)),
                         "source": m.group(3)}
        elif key == "vmx":
            m = re.fullmatch(r"vmx\s+supported\s+(yes|no)\s+cpus_on\s+(\d+)", line.strip())
            if not m:
                raise ReportError("malformed vmx line: %r" % line)
            rep.vmx_supported = m.group(1) == "yes"
            rep.vmx_cpus_on = int(m.group(2))
        else:
            rep.unknown.append(line)
    missing = [what for what, value in (("cmdline", rep.cmdline), ("timer", rep.timer),
                                        ("vmx", rep.vmx_supported))
               if value is None]
    if not rep.zones:
        missing.append("zone")
    if not rep.cpus:
        missing.append("cpu")
    if missing:
        raise ReportError("the boot report lacks its %s line(s)" % ", ".join(missing))
    return rep


def fmt_size(n):
    for unit, mult in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if n % mult == 0:
            return "%d %s" % (n // mult, unit)
    return "%d bytes" % n


def alive_counts(com1):
    """The N of every '[vmm] alive N' line, in order."""
    return [int(m.group(1)) for m in re.finditer(r"\[vmm\] alive (\d+)", com1)]


def lines_matching(text, pattern):
    rx = re.compile(pattern)
    return [line for line in text.splitlines() if rx.search(line)]


# ---------------------------------------------------------------- results

class Test:
    """Collects checks of one system test and prints them:
    'PASS: system.NAME.check' or 'FAIL: system.NAME.check: reason', then
    'N passed, N failed'."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def ok(self, check, reason=""):
        self.passed += 1
        print("PASS: %s.%s" % (self.name, check), flush=True)

    def fail(self, check, reason):
        self.failed += 1
        reason = " ".join(str(reason).split())      # one line
        print("FAIL: %s.%s: %s" % (self.name, check, reason), flush=True)

    def skip(self, check, reason):
        self.skipped += 1
        print("SKIP: %s.%s: %s" % (self.name, check, reason), flush=True)

    def check(self, check, cond, reason):
        """Record CHECK as passed when cond is true, else failed with reason."""
        if cond:
            self.ok(check)
        else:
            self.fail(check, reason)
        return bool(cond)

    def equal(self, check, got, want, what=None):
        return self.check(check, got == want, "%s: got %r, want %r"
                          % (what or check, got, want))

    def run(self, body):
        """Run body(self), turning exceptions into a FAIL; print the closing
        line and exit 0/1."""
        try:
            body(self)
        except ReportError as e:
            self.fail("report", e)
        except Exception as e:          # a bug in the test: still a FAIL line
            import traceback
            traceback.print_exc(file=sys.stdout)
            self.fail("internal", "%s: %s" % (type(e).__name__, e))
        if self.passed + self.failed == 0:
            self.fail("nothing", "no check ran")
        skipped = ", %d skipped" % self.skipped if self.skipped else ""
        print("%d passed, %d failed%s" % (self.passed, self.failed, skipped), flush=True)
        sys.exit(1 if self.failed else 0)


def need_iso(t):
    """FAIL (not skip) when the ISO is missing: make test builds it first."""
    return t.check("iso", os.path.isfile(ISO), "no ISO at %s (run 'make iso')" % ISO)


def check_boot_report(t, res):
    """Common checks after a boot that should reach 'boot complete':
    exit 0, a parsable report. Returns the Report or None."""
    t.check("no_stray_processes", not res.leftovers,
            "processes still running in %s: %r" % (res.log_dir, res.leftovers))
    if not t.check("boot", res.rc == 0, res.describe()):
        return None
    rep = parse_report(res.com1)
    t.ok("report_parsed")
    return rep


def check_zones_sane(t, rep, mem_bytes):
    """Zones pairwise disjoint, inside the RAM size, printed sizes true."""
    pairs = rep.overlaps()
    t.check("zones_disjoint", not pairs, "overlapping zones: %s"
            % "; ".join("%r / %r" % p for p in pairs))
    outside = [z for z in rep.zones if z.end > mem_bytes]
    t.check("zones_within_ram", not outside, "zones beyond %s: %r"
            % (fmt_size(mem_bytes), outside))
    wrong = [z.line.strip() for z in rep.zones if z.printed_size() != z.size]
    t.check("zone_sizes_match_ranges", not wrong,
            "SIZE column differs from END-START in: %s" % " | ".join(wrong))
