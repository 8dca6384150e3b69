# SPDX-License-Identifier: GPL-2.0-only
# tests/system/_differential.py: the differential test's machinery (issue 13):
# boot a test guest on the bare emulators (Bochs through GRUB's Multiboot v1
# loader, QEMU TCG with -kernel), take its lines under coopvmm in Bochs from
# the guest suites' logs, normalise what varies from run to run, and compare
# line by line; a difference must be listed in docs/guest-platform.md
# ("Known differences from the bare machine"), which this module reads.
# docs/guest-tests.md ("The differential test") describes it. Not a test
# itself (tests/run skips files starting with '_'): differential_bare.py
# boots the bare machines, differential.py compares.
"""Guests on the bare machine against the same guests under coopvmm."""

import difflib
import fnmatch
import os
import re
import shlex
import signal
import subprocess
import time

import _guestboot as gb
import lib

BARE_ISO = os.environ.get("COOPVMM_BARE_ISO", os.path.join(lib.REPO, "build", "guests-bare.iso"))
GUEST_BUILD = os.path.join(lib.REPO, "build", "guests")
OUT_ROOT = os.path.join(lib.LOG_ROOT, "differential")   # bare logs: bochs-NAME/, qemu-NAME/
DOC_PLATFORM = os.path.join(lib.REPO, "docs", "guest-platform.md")
DOC_TESTS = os.path.join(lib.REPO, "docs", "guest-tests.md")

BARE_MEM = 16           # MiB: coopvmm's default guest RAM
BOCHS_TIMEOUT = 120     # seconds per bare Bochs boot (the slowest guest needs about 20)
QEMU_TIMEOUT = 60       # seconds per bare QEMU run (the slowest needs about 3)
NEVER = r"(?!)"
END_FILE = "end.txt"    # how the bare run ended, written next to com1.log
VERDICT_RE = re.compile(r"^(PASS|FAIL): ")
PAIRS = ("bochs", "qemu")


class Guest:
    """A guest the differential test compares.
    cpus: CPUs of the bare machine (and vCPUs under coopvmm); bare_cpus:
    another count for one bare machine ({"qemu": 1});
    coopvmm: the log directory (under build/test-logs/system) of the guest
    suites' boot that ran it under coopvmm; pairs: the bare machines it is
    compared with."""

    def __init__(self, name, coopvmm, cpus=1, pairs=PAIRS, bare_cpus=None):
        self.name = name
        self.coopvmm = coopvmm
        self.cpus = cpus
        self.pairs = pairs
        self.bare_cpus = bare_cpus or {}

    def cpus_on(self, pair):
        return self.bare_cpus.get(pair, self.cpus)

    @property
    def spec(self):
        """run= entry for a boot of its own under coopvmm."""
        return self.name if self.cpus == 1 else "%s:16M:%d" % (self.name, self.cpus)


# Where each guest ran under coopvmm in `make test`: the boots of
# bochs_guests.py, bochs_hostile.py and bochs_smp.py (differential.py runs
# after them; a guest whose log is missing or older than the test ISO gets a
# boot of its own).
GUESTS = [
    Guest("boot", "guests_basic"),
    Guest("msr", "guests_basic"),
    Guest("exceptions", "guests_basic"),
    Guest("portio", "guests_basic"),
    Guest("mmio", "guests_basic"),
    Guest("crs", "guests_basic"),
    Guest("nmi", "guests_basic"),
    Guest("dbg", "guests_basic"),
    Guest("hypercall", "guests_basic"),
    Guest("cpuid", "guests_cpuid"),
    Guest("lapic_timer", "guests_lapic_timer"),
    Guest("hlt", "guests_hlt"),
    Guest("pic_pit", "guests_pic_pit"),
    Guest("ioapic", "guests_ioapic"),
    Guest("dr_isolation", "guests_isolation"),
    Guest("dr_isolation2", "guests_isolation"),
    # SeaBIOS's MP table (QEMU 7.2, -smp 2) lists the boot CPU only, its
    # MADT both: the guest would stop there (docs/guest-platform.md).
    Guest("acpi", "guests_acpi", cpus=2, bare_cpus={"qemu": 1}),
    Guest("boot64", "hostile_msr_cr"),
    Guest("smp64", "hostile_msr_cr", cpus=2),
    Guest("smp_ipi", "bochs_smp_one_cpu", cpus=2),
    Guest("victim_pace", "pace_alone"),
    Guest("hostile_oob", "with_hostile_oob"),
    Guest("hostile_vmxon", "with_hostile_vmxon"),
    Guest("hostile_ioflood", "with_hostile_ioflood"),
    Guest("hostile_baddecode", "with_hostile_baddecode"),
    Guest("hostile_triplefault", "with_hostile_triplefault"),
    Guest("hostile64", "hostile_msr_cr"),
    Guest("hostile_wbinvd", "pace_hostile_wbinvd"),
    Guest("hostile_mmiostorm", "pace_hostile_mmiostorm"),
    Guest("hostile_ipistorm", "pace_hostile_ipistorm", cpus=2),
    # Bochs 2.7 never wakes it from its CR8 = 14 halt (docs/guest-platform.md).
    Guest("hostile_cr8", "pace_hostile_cr8", pairs=("qemu",)),
]

# Guests left out, and why (printed by the suites).
EXCLUDED = {
    "fuzz_msr_cr": "a random round (seed from RDRAND) and outcome counts summed over both rounds",
    "fuzz_msr_cr64": "a random round (seed from RDRAND) and outcome counts summed over both rounds",
    "fuzz_insn": "a random round (seed from RDRAND); counts of random outcomes",
    "fuzz_insn64": "a random round (seed from RDRAND); counts of random outcomes",
    "hostile_com1flood": "its output is the attack: coopvmm's COM1 rate limit drops lines by design",
    "hostile_spin": "never ends (only the preemption timer stops it)",
    "hostile_evdelivery": "never ends on the bare machines (the push into unclaimed memory is just lost there)",
    "lowlink": "where the Multiboot information lies is each loader's choice (GRUB, QEMU, coopvmm differ); "
               "its checks hold on each",
    "lowlink_over9000": "as lowlink; plain QEMU copies the image over its fixed information (a SKIP line)",
    "modules": "its command line and modules come from coopvmm's test ISO lines; the bare boots give none",
    "deferred_io": "the deferred test device exists only under coopvmm (bare: one SKIP line)",
    "deferred_io_teardown": "the deferred test device exists only under coopvmm (bare: one SKIP line)",
    "iodev": "its COM1, RTC and PCI are an IOPM's under coopvmm (run=iodev:16M:1:iopm0, system.bochs_iopm_guests); "
             "without one the VMM's write-only COM1 makes it SKIP",
    "ticker": "never ends (vmctl destroy ends it in system.bochs_iopm_guests)",
    "hello": "waits for input on its COM1 and ends on the line 'quit' (qemu-check feeds it lines; "
             "system.bochs_iopm_guests types to it through vmctl console)",
    "poweroff": "ends through ACPI S5, not the debug-exit port, and prints each machine's own PM block, SCI "
                "route and \\_S5 value; tests/guests/qemu-check runs it on bare QEMU (poweroff=off)",
    "bigmem": "its memory map and sizes are those of the RAM each boot gives it (1920 MiB under coopvmm)",
    "hostile_virtio": "needs a virtio-blk (none on the differential's machines: a SKIP line on each); "
                      "against QEMU's device in system.qemu_hostile_virtio, against iopmd's in "
                      "system.bochs_iopm_create",
}


def guest(name):
    return next(g for g in GUESTS if g.name == name)


def all_guest_names():
    """Every tests/guests/NAME.c."""
    d = os.path.join(lib.REPO, "tests", "guests")
    return sorted(f[:-2] for f in os.listdir(d) if f.endswith(".c"))


# ---------------------------------------------------------------- booting

def bare_dir(pair, name):
    return os.path.join(OUT_ROOT, "%s-%s" % (pair, name))


def mtime(path):
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0


def show_argv(argv):
    return " ".join(shlex.quote(os.path.relpath(a, lib.REPO) if a.startswith(lib.REPO) else a)
                    for a in argv)


def complete_lines(text):
    """The lines of TEXT that end in a newline."""
    return text.replace("\r", "").split("\n")[:-1]


def verdict_seen(text):
    return any(VERDICT_RE.match(line) for line in complete_lines(text))


def write_end(log_dir, end):
    with open(os.path.join(log_dir, END_FILE), "w") as f:
        f.write(end + "\n")


def boot_bochs(g):
    """Boot guest G on bare Bochs: GRUB's `multiboot` from the bare ISO,
    G.cpus CPUs, 16 MiB. Bochs has no debug-exit device (the guest halts
    after its last line), so the boot is stopped once a complete PASS:/FAIL:
    line is on COM1, or ends with the emulator (a triple fault stops
    Bochs). Returns (end, seconds); end is also written to end.txt."""
    log_dir = bare_dir("bochs", g.name)
    os.makedirs(log_dir, exist_ok=True)
    for f in ("com1.log", END_FILE):
        if os.path.exists(os.path.join(log_dir, f)):
            os.unlink(os.path.join(log_dir, f))
    com1_path = os.path.join(log_dir, "com1.log")
    argv = [lib.BOOT, "--log-dir", log_dir, "--backend", "bochs", "--cpus", str(g.cpus_on("bochs")),
            "--mem", str(BARE_MEM), "--timeout", str(BOCHS_TIMEOUT), "--grub-entry", g.name,
            "--until", NEVER, "--allow-failure", ".", BARE_ISO]
    print("# %s" % show_argv(argv), flush=True)
    out_path = log_dir + ".tools-boot.out"
    rc, stopped, seconds = lib.boot_until(argv, com1_path, out_path, verdict_seen, poll=0.2)
    com1 = lib.read_text(com1_path)
    if stopped or verdict_seen(com1):
        end = "verdict"
    elif "3rd (13) exception with no resolution" in lib.read_text(os.path.join(log_dir, "bochs-stdout.log")):
        end = "triple fault"
    elif rc == lib.BOOT_TIMEOUT:
        end = "timeout after %d s" % BOCHS_TIMEOUT
    else:
        tail = [l for l in lib.read_text(out_path).splitlines() if l.strip()][-2:]
        end = "tools/boot exit %d: %s" % (rc, " | ".join(tail))
    write_end(log_dir, end)
    print("#   bochs %s: %s after %.1f s" % (g.name, end, seconds), flush=True)
    return end, seconds


def boot_qemu(g):
    """Run guest G on bare QEMU TCG as tests/guests/qemu-check does
    (-kernel, -cpu max, -icount, isa-debug-exit), with 16 MiB and G.cpus
    CPUs; qemu-system-x86_64 for every guest (its -cpu max has long mode, as
    the Bochs CPU model has). Returns (end, seconds)."""
    log_dir = bare_dir("qemu", g.name)
    os.makedirs(log_dir, exist_ok=True)
    for f in ("com1.log", END_FILE, "qemu.log"):
        if os.path.exists(os.path.join(log_dir, f)):
            os.unlink(os.path.join(log_dir, f))
    # A copy under a fixed name: QEMU passes the file name as the command line.
    elf = g.name + ".elf"
    with open(os.path.join(GUEST_BUILD, elf), "rb") as src, open(os.path.join(log_dir, elf), "wb") as dst:
        dst.write(src.read())
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-cpu", "max", "-m", str(BARE_MEM),
           "-smp", str(g.cpus_on("qemu")), "-icount", "shift=5,sleep=off", "-display", "none",
           "-monitor", "none", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", "file:com1.log", "-kernel", elf]
    with open(os.path.join(log_dir, "qemu.cmd"), "w") as f:
        f.write(" ".join(cmd) + "\n")
    print("# (cd %s && %s)" % (os.path.relpath(log_dir, lib.REPO), " ".join(cmd)), flush=True)
    start = time.monotonic()
    with open(os.path.join(log_dir, "qemu.log"), "wb") as out:
        proc = subprocess.Popen(cmd, cwd=log_dir, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=QEMU_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = None
    seconds = time.monotonic() - start
    if rc is None:
        end = "timeout after %d s" % QEMU_TIMEOUT
    elif rc == 0:
        end = "reset or triple fault"     # -no-reboot
    elif rc & 1:
        end = "status %d" % rc            # isa-debug-exit: (v << 1) | 1
    else:
        end = "qemu exit %d" % rc
    write_end(log_dir, end)
    print("#   qemu %s: %s after %.1f s" % (g.name, end, seconds), flush=True)
    return end, seconds


def bare_fresh(pair, g):
    """The bare run's (end, COM1 bytes) if it is complete and not older than
    what it booted; else None."""
    log_dir = bare_dir(pair, g.name)
    end_path = os.path.join(log_dir, END_FILE)
    source = BARE_ISO if pair == "bochs" else os.path.join(GUEST_BUILD, g.name + ".elf")
    if not os.path.exists(end_path) or mtime(end_path) < mtime(source):
        return None
    try:
        with open(os.path.join(log_dir, "com1.log"), "rb") as f:
            com1 = f.read()
    except OSError:
        com1 = b""
    return lib.read_text(end_path).strip(), com1


def coopvmm_fresh(g, log_name):
    """COM1 text of LOG_NAME if guest G ended there and the log is not
    older than the test ISO or the guest; else None."""
    path = os.path.join(lib.LOG_ROOT, log_name, "com1.log")
    t = mtime(path)
    if t == 0.0 or t < mtime(gb.TEST_ISO) or t < mtime(os.path.join(GUEST_BUILD, g.name + ".elf")):
        return None
    com1 = lib.read_text(path)
    return com1 if g.name in gb.guest_ends(com1) else None


def boot_coopvmm(g):
    """A boot of its own for G under coopvmm in Bochs (when the guest
    suites' log is missing); returns the COM1 text."""
    tag = "differential_coopvmm_" + g.name
    res, met = gb.boot_guests(tag, [g.spec], gb.boot_done([g.name]))
    return res.com1


# ---------------------------------------------------------------- lines

COM1_LINE_MAX = 159     # vmm/vdev/vuart.c: VUART_LINE_MAX - 1


def com1_view(data):
    """Lines of the bytes DATA as coopvmm's COM1 stand-in would log them
    (vmm/vdev/vuart.c; docs/guest-platform.md, Devices): '\r' dropped, a byte
    outside 0x20-0x7e shown as '?', a line cut every 159 characters. The
    last line counts even without its newline."""
    lines, cur = [], []
    for c in data:
        if c == 0x0a:
            lines.append("".join(cur))
            cur = []
            continue
        if c == 0x0d:
            continue
        cur.append(chr(c) if 0x20 <= c < 0x7f else "?")
        if len(cur) >= COM1_LINE_MAX:
            lines.append("".join(cur))
            cur = []
    if cur:
        lines.append("".join(cur))
    return lines


def bare_lines(pair, end, com1):
    """What the guest printed on the bare machine (COM1 bytes), as
    coopvmm's COM1 would show it, up to its verdict; for QEMU an end line
    with the exit status as coopvmm reports it."""
    out = []
    for line in com1_view(com1):
        out.append(line)
        if VERDICT_RE.match(line):
            break
    if pair == "qemu":
        out.append("== end: " + end)
    return out


def coopvmm_lines(pair, com1, name):
    """What guest NAME printed under coopvmm (its '[guest NAME] ' lines);
    for the QEMU pair an end line from '[vm N NAME] exited/killed'."""
    out = gb.guest_lines(com1, name)
    if pair == "qemu":
        e = gb.guest_ends(com1).get(name)
        if e is None:
            out.append("== end: none")
        elif e.status is not None:
            out.append("== end: status %d" % e.status)
        else:
            out.append("== end: killed: %s" % e.killed)
    return out


# ---------------------------------------------------------------- tables

class DocError(Exception):
    pass


def split_row(line):
    """Cells of a markdown table row; '\\|' is a literal '|'."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells = re.split(r"(?<!\\)\|", body)
    return [c.strip().replace("\\|", "|") for c in cells]


def code(cell):
    """A cell's text without the backticks of a code span."""
    m = re.fullmatch(r"(`+)(.*?)\1", cell)
    return m.group(2) if m else cell


def read_table(path, header):
    """Rows (lists of cells) of the markdown table in PATH whose header row
    has the cells HEADER; each row also gets its line number."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("|") and [c.lower() for c in split_row(line)] == header:
            rows = []
            for j in range(i + 2, len(lines)):
                if not lines[j].lstrip().startswith("|"):
                    break
                cells = split_row(lines[j])
                if len(cells) != len(header):
                    raise DocError("%s:%d: %d cells, want %d (%s)" % (
                        os.path.relpath(path, lib.REPO), j + 1, len(cells), len(header),
                        " | ".join(header)))
                rows.append((j + 1, cells))
            return rows
    raise DocError("%s: no table with the header | %s |" % (os.path.relpath(path, lib.REPO),
                                                             " | ".join(header)))


def compile_re(text, where):
    try:
        return re.compile(text)
    except re.error as e:
        raise DocError("%s: bad regular expression %r: %s" % (where, text, e))


def globs(cell):
    return [w.strip() for w in code(cell).split(",") if w.strip()]


class Normalisation:
    def __init__(self, where, guests, pattern, replacement, why):
        self.where = where
        self.guests = guests
        self.pattern = pattern
        self.replacement = replacement
        self.why = why

    def applies(self, name):
        return any(fnmatch.fnmatchcase(name, p) for p in self.guests)


NORM_HEADER = ["guests", "pattern", "replaced by", "why"]


def read_normalisations(path=DOC_TESTS):
    out = []
    for n, cells in read_table(path, NORM_HEADER):
        where = "%s:%d" % (os.path.relpath(path, lib.REPO), n)
        out.append(Normalisation(where, globs(cells[0]), compile_re(code(cells[1]), where),
                                 code(cells[2]), cells[3]))
    return out


def normalise(lines, name, norms):
    out = []
    for line in lines:
        for n in norms:
            if n.applies(name):
                line = n.pattern.sub(n.replacement, line)
        out.append(line)
    return out


ABSENT = "-"       # no counterpart on this side
REST = "(rest)"    # every following line of this side (the other side stopped here)


class Known:
    """A row of 'Known differences from the bare machine'."""

    def __init__(self, where, guests, pair, bare, coop, reason):
        self.where = where
        self.guests = guests
        self.pair = pair
        self.bare = bare          # compiled regex, ABSENT or REST
        self.coop = coop
        self.reason = reason
        self.used = 0

    def applies(self, name, pair):
        return self.pair in (pair, "both") and any(fnmatch.fnmatchcase(name, p) for p in self.guests)


KNOWN_HEADER = ["guests", "pair", "bare machine prints", "coopvmm prints", "reason"]


def read_known(path=DOC_PLATFORM):
    out = []
    for n, cells in read_table(path, KNOWN_HEADER):
        where = "%s:%d" % (os.path.relpath(path, lib.REPO), n)
        pair = code(cells[1])
        if pair not in ("bochs", "qemu", "both"):
            raise DocError("%s: pair %r: want bochs, qemu or both" % (where, pair))
        sides = []
        for cell in cells[2:4]:
            text = code(cell)
            sides.append(text if text in (ABSENT, REST) else compile_re(text, where))
        if all(s in (ABSENT, REST) for s in sides):
            raise DocError("%s: one side must be a regular expression" % where)
        if not cells[4]:
            raise DocError("%s: no reason given" % where)
        out.append(Known(where, globs(cells[0]), pair, sides[0], sides[1], cells[4]))
    return out


# ---------------------------------------------------------------- compare

def regex(side):
    return side not in (ABSENT, REST)


def full(rx, line):
    return rx.fullmatch(line) if regex(rx) else None


def pair_match(row, b, c):
    """Row ROW pairs bare line B with coopvmm line C: both match, and the
    named groups the two patterns share have equal values."""
    mb, mc = full(row.bare, b), full(row.coop, c)
    if not (mb and mc):
        return False
    gb_, gc = mb.groupdict(), mc.groupdict()
    return all(gb_[k] == gc[k] for k in gb_ if k in gc)


class Difference:
    def __init__(self, bare, coop, block):
        self.bare = bare        # the unexplained line (None: none on this side)
        self.coop = coop
        self.block = block      # (bare lines, coopvmm lines) of the diff block

    def describe(self):
        if self.bare is not None and self.coop is not None:
            return "bare %r, coopvmm %r" % (self.bare, self.coop)
        if self.bare is not None:
            return "bare %r, no such line under coopvmm" % self.bare
        return "coopvmm %r, no such line on the bare machine" % self.coop


def explain_block(rows, bare, coop, bl, cl, used):
    """Explain lines of a diff block (bare indexes BL, coopvmm indexes CL):
    first lines replaced by other lines (in order, each pair by one row
    with both patterns), then lines with no counterpart. Returns the sets of
    explained indexes."""
    ok_b, ok_c = set(), set()
    last = -1
    for i in bl:
        for j in cl:
            if j <= last:
                continue
            k = next((k for k in rows if regex(k.bare) and regex(k.coop)
                      and pair_match(k, bare[i], coop[j])), None)
            if k:
                ok_b.add(i)
                ok_c.add(j)
                used.append(k)
                last = j
                break
    for i in bl:
        if i not in ok_b:
            k = next((k for k in rows if k.coop == ABSENT and full(k.bare, bare[i])), None)
            if k:
                ok_b.add(i)
                used.append(k)
    for j in cl:
        if j not in ok_c:
            k = next((k for k in rows if k.bare == ABSENT and full(k.coop, coop[j])), None)
            if k:
                ok_c.add(j)
                used.append(k)
    return ok_b, ok_c


def compare(name, pair, bare, coop, known):
    """Differences between the normalised line lists BARE and COOP that no
    row of KNOWN explains; the rows used get their count raised."""
    rows = [k for k in known if k.applies(name, pair)]
    used = []
    unexplained = []
    sm = difflib.SequenceMatcher(None, bare, coop, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        bl = list(range(i1, i2))
        cl = list(range(j1, j2))
        # A row with "(rest)": one side stopped at this line (a check that
        # fails there); nothing after it on either side is comparable.
        rest = None
        for i in bl:
            k = next((k for k in rows if k.coop == REST and full(k.bare, bare[i])), None)
            if k:
                rest = (k, i, None)
                break
        for j in cl:
            k = next((k for k in rows if k.bare == REST and full(k.coop, coop[j])), None)
            if k and (rest is None or j - j1 < rest[1] - i1):
                rest = (k, None, j)
                break
        if rest:
            k, i, j = rest
            bl = [x for x in bl if i is None or x < i]
            cl = [x for x in cl if j is None or x < j]
        ok_b, ok_c = explain_block(rows, bare, coop, bl, cl, used)
        if rest:
            used.append(rest[0])
            if rest[1] is not None:     # the bare side stopped: every coopvmm line from here
                ok_c.update(cl)
            else:
                ok_b.update(bl)
        left_b = [bare[i] for i in bl if i not in ok_b]
        left_c = [coop[j] for j in cl if j not in ok_c]
        block = (bare[i1:i2], coop[j1:j2])
        for n in range(max(len(left_b), len(left_c))):
            unexplained.append(Difference(left_b[n] if n < len(left_b) else None,
                                          left_c[n] if n < len(left_c) else None, block))
        if rest:
            break
    for k in used:
        k.used += 1
    return unexplained, used
