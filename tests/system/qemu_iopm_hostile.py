#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test (issue 11), QEMU TCG: a misbehaving IOPM writing its own part
# of the shared zone (iopm/test/hostile.c, added to the IOPM's initramfs of
# a copy of the ISO) can neither forge VMM log lines through the note it
# writes (control characters are escaped) nor flood the VMM log with bad
# messages -- ROUTE_PINs for IRQ 99 on the wrong ring, each refused (the VMM
# rate-limits what each IOPM makes it log and says how many lines it
# suppressed).
import re

import _iopm
import lib

FLOOD_SECONDS = 5
MAX_LOGGED = 100       # burst 20 + 5 a second: about 45 lines in 5 s; 7500 unlimited
STATE_HALTED = 3       # COOP_IOPM_HALTED (shared/coopvmm_abi.h)


def flood(t, iso):
    script = _iopm.write_script([
        "expect " + _iopm.PROMPT,
        # iopmd is the IOPM ring's only producer: the flood takes its place.
        "kill $(pidof iopmd); sleep 1; hostile flood %d; echo FLOOD-$?-END" % FLOOD_SECONDS,
        "expect FLOOD-0-END",
    ])
    res = lib.boot("qemu_iopm_hostile_flood", "--backend", "qemu", "--cpus", "2", "--timeout", "90",
                   "--script", script, "--until", r"\[iopm\] warning: iopm0: \d+ channel lines suppressed", iso=iso)
    t.check("flood.ran", res.rc == 0, res.describe())
    refused = lib.lines_matching(res.com1, r"iopm0: ROUTE_PIN \(type 21, id \d+\) refused \(type\): "
                                           r"ROUTE_PIN travels on the kernel ring")
    suppressed = sum(int(n) for n in re.findall(r"iopm0: (\d+) channel lines suppressed", res.com1))
    t.check("flood.log_bounded", 0 < len(refused) <= MAX_LOGGED,
            "%d route refusals logged in a %d s flood (want 1..%d)" % (len(refused), FLOOD_SECONDS, MAX_LOGGED))
    t.check("flood.suppressed_counted", suppressed >= 4 * max(len(refused), 1),
            "the VMM says it suppressed %d lines, logged %d" % (suppressed, len(refused)))
    t.check("flood.vmm_alive", "FATAL" not in res.com1 and len(lib.alive_counts(res.com1)) >= 1,
            "the VMM log has a failure or no alive line")


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
    flood(t, iso)


lib.Test("system.qemu_iopm_hostile").run(body)
