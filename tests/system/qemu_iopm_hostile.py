#!/usr/bin/env python3
# System test (issue 11), QEMU TCG: a misbehaving IOPM writing its own part
# of the shared zone (iopm/test/hostile.c, added to the IOPM's initramfs of
# an ISO built for this test) cannot forge VMM log lines through the note it
# writes: control characters are escaped.

import _iopm
import lib

STATE_HALTED = 3       # COOP_IOPM_HALTED (shared/coopvmm_abi.h)


def forged_note(t, iso):
    # The note: a newline and a VMM-looking line, a carriage return, an ANSI escape.
    script = _iopm.write_script([
        "expect " + _iopm.PROMPT,
        "hostile note %d \"$(printf 'evil\\n[vmm] forged line\\r\\033[31mred')\"" % STATE_HALTED,
        "expect note written",
    ])
    res = lib.boot("qemu_iopm_hostile_note", "--backend", "qemu", "--cpus", "2", "--timeout", "90",
                   "--script", script, "--until", r"\[iopm\] iopm0 halted", iso=iso)
    t.check("note.ran", res.rc == 0, res.describe())
    t.check("note.no_forged_line", not lib.lines_matching(res.com1, r"^\[vmm\] forged"),
            "a line starting '[vmm] forged' is in the VMM log")
    line = lib.lines_matching(res.com1, r"\[iopm\] iopm0 halted")
    t.check("note.escaped", line and "evil\\x0a[vmm] forged line\\x0d\\x1b[31mred" in line[0],
            "want the note with \\x0a \\x0d \\x1b escapes in the halted line, got %r" % line[:1])
    bad = [c for c in res.com1 if not (c == "\n" or " " <= c <= "~")]
    t.check("note.vmm_log_clean", not bad, "the VMM log has %d control bytes: %r" % (len(bad), bad[:5]))


def body(t):
    if not lib.need_iso(t):
        return
    iso = _iopm.hostile_iso(t, "qemu_iopm_hostile")
    if not iso:
        return
    forged_note(t, iso)


lib.Test("system.qemu_iopm_hostile").run(body)
