#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test of `make run` (issue 15), QEMU TCG: tools/boot --interactive,
# its stdin and stdout on pipes and driven like a person, puts only the IOPM
# console (COM2) on the terminal and the VMM log (COM1) in the file whose
# path it prints; at the VMM's default log level that log has its boot lines
# but no '[vmm] alive' line over three of the VMM's own once-a-second beats,
# and neither has `vmctl dmesg`; with --vmm-loglevel 3 the same window has
# them (and still not on the terminal); --vmm-log-on-terminal and a boot
# without an IOPM put COM1 on the terminal. Ctrl-a x quits; Ctrl-] goes to
# the IOPM (vmctl console detaches with it) and does not stop the run.
import os
import re

import lib
from _interactive import PROMPT, Interactive
CTRL_RBRACKET = "\x1d"   # the IOPM's: typed to the shell, it must not stop the run
LIMIT = 240       # seconds: a bound for a stuck boot, not a wait
PATH_RE = re.compile(r"^tools/boot: VMM log \(COM1\) in (\S+) \(also: vmctl dmesg in the IOPM\)\r?$", re.M)
# Lines only the VMM writes: "[prefix] ..." (vmm/platform/log.h; Linux's
# lines start "[    2.1]"), the boot report, "coopvmm: ...".
VMM_LINE_RE = re.compile(r"^(\[[a-z0-9_]+\] |==== coopvmm boot report|coopvmm: (starting|boot complete))",
                         re.M)
# The IOPM waits until the VMM's heartbeat in the shared zone (incremented
# once a second by the BSP's scheduler loop, which prints the alive line at
# loglevel=3) has counted 3 more: the window of the checks, at least 2 s of
# the VMM's time, in which the loglevel=3 run must show >= 2 alive lines. Typed as one line;
# the marker's $((6*7)) keeps the shell's echo of the line from matching.
HB = "vmctl info | sed -n 's/^vmm  *heartbeat //p'"
WINDOW = ("h0=$(%s); h=$h0; while [ \"$h\" -lt $((h0 + 3)) ]; do sleep 0.1; h=$(%s); done; "
          "echo BEATS=$h0..$h-$((6*7))-END" % (HB, HB))
WINDOW_RE = r"BEATS=(\d*)\.\.(\d*)-42-END"
DMESG = ("echo DMESG=$(vmctl dmesg | grep -c 'coopvmm: boot complet[e]')/"
         "$(vmctl dmesg | grep -c '^.vmm. aliv[e]')-$((6*7))-END")
DMESG_RE = r"DMESG=(\d+)/(\d+)-42-END"
LIST = "vmctl list; echo LIST=$?-$((6*7))-END"
LIST_RE = r"LIST=(\d+)-42-END"
# Ctrl-] on a line of its own (the shell may say it is no command), then a marker.
ESCAPE_PASSES = CTRL_RBRACKET + "\necho ESC-PASSED-$((6*7))-END"
ESCAPE_RE = r"ESC-PASSED-42-END"


def window_passed(got):
    w = got["window"]
    return w and w.group(1) and w.group(2) and int(w.group(2)) >= int(w.group(1)) + 3


def count_alive(text):
    return len(lib.alive_counts(text))


def console_run(t, tag, *args):
    """Boot to the IOPM's prompt, run vmctl list, the window, vmctl dmesg,
    type Ctrl-] (the run goes on); leave with Ctrl-a x. Returns
    (Interactive, {step: match or None})."""
    run = Interactive("qemu_run-" + tag, *args)
    got = {"prompt": run.expect(PROMPT)}
    for step, line, rx in (("list", LIST, LIST_RE), ("window", WINDOW, WINDOW_RE), ("dmesg", DMESG, DMESG_RE),
                           ("escape", ESCAPE_PASSES, ESCAPE_RE)):
        if got["prompt"]:
            run.send(line)
            got[step] = run.expect(rx)
        else:
            got[step] = None
    com1_at_end = run.com1()   # the log as it stood when the window had passed
    rc = run.quit()
    t.check(tag + ".prompt", got["prompt"], "no '%s' on the terminal within %d s" % (PROMPT, LIMIT))
    t.check(tag + ".ctrl_rbracket_goes_to_the_iopm", got["escape"],
            "after Ctrl-] the shell must still answer (tools/boot must not quit on it)")
    t.check(tag + ".ctrl_a_x_exit0", rc == 0 and "Ctrl-a x pressed" in run.text(),
            "Ctrl-a x must stop the run with exit 0: exit %s" % rc)
    t.check(tag + ".no_stray_processes", not lib.processes_in(run.log_dir),
            "processes left in %s" % run.log_dir)
    return run, got, com1_at_end


def default_level(t):
    """make run's view: the console alone, the log in the printed file,
    no periodic line at the VMM's default level."""
    run, got, com1 = console_run(t, "default")
    out = run.text()
    m = PATH_RE.search(out)
    printed = m and os.path.normpath(os.path.join(lib.REPO, m.group(1)))
    t.equal("default.log_path_printed", printed, os.path.join(run.log_dir, "com1.log"),
            "the path after 'VMM log (COM1) in'")
    t.check("default.path_before_console", m and m.start() < out.find(PROMPT),
            "the path must be printed before the console's output")
    t.check("default.command_output_on_terminal", got["list"] and got["list"].group(1) == b"0"
            and re.search(r"\nID\s+NAME\s+STATE\s+VCPUS\s+MEM\(MiB\)\s+CPU\(ms\)\s*\r?\n", out),
            "vmctl list: want exit 0 and its 'ID NAME' header on the terminal (no VM runs)")
    vmm_lines = VMM_LINE_RE.findall(out)
    t.check("default.no_vmm_line_on_terminal", got["dmesg"] and not vmm_lines and "[vmm] alive" not in out,
            "VMM log lines on the terminal: %r" % vmm_lines[:5])
    # The file: the boot's lines, the IOPM's start, no alive line although
    # three heartbeats passed (the verbose run shows what they bring).
    t.check("default.file_has_boot_report", "==== coopvmm boot report ====" in com1
            and "coopvmm: boot complete" in com1 and "[iopm] iopm0 running" in com1,
            "com1.log lacks the report, 'boot complete' or 'iopm0 running'")
    t.check("default.window_passed", window_passed(got),
            "the VMM heartbeat did not advance by 3 (window %r)" % (got["window"] and got["window"].group(0)))
    t.equal("default.file_alive_lines", count_alive(com1), 0, "'[vmm] alive' lines in com1.log")
    t.check("default.cmdline_without_loglevel", re.search(r"^cmdline: *$", com1, re.M),
            "tools/boot --interactive must append nothing: %r" % lib.lines_matching(com1, r"^cmdline:"))
    d = got["dmesg"]
    t.equal("default.dmesg_boot_complete_and_alive", d and (int(d.group(1)), int(d.group(2))), (1, 0),
            "vmctl dmesg: ('coopvmm: boot complete' lines, alive lines)")


def verbose_level(t):
    """The control: the same window at loglevel=3 has alive lines, in the
    file and in vmctl dmesg, and still none on the terminal."""
    run, got, com1 = console_run(t, "verbose", "--vmm-loglevel", "3")
    out = run.text()
    t.check("verbose.cmdline_loglevel_3", re.search(r"^cmdline: loglevel=3$", com1, re.M),
            "want 'cmdline: loglevel=3': %r" % lib.lines_matching(com1, r"^cmdline:"))
    t.check("verbose.window_passed", window_passed(got), "the window did not end")
    alive = count_alive(com1)
    t.check("verbose.file_alive_lines", alive >= 2, "want >= 2 '[vmm] alive' lines in com1.log, got %d" % alive)
    d = got["dmesg"]
    t.check("verbose.dmesg_alive_lines", d and int(d.group(1)) == 1 and int(d.group(2)) >= 2,
            "vmctl dmesg: want 1 'boot complete' and >= 2 alive lines, got %r" % (d and d.group(0)))
    t.check("verbose.no_vmm_line_on_terminal", got["dmesg"] and not VMM_LINE_RE.search(out),
            "VMM log lines on the terminal: %r" % VMM_LINE_RE.findall(out)[:5])


def log_on_terminal(t):
    """--vmm-log-on-terminal (the old make run): the VMM's lines, heartbeat
    included at loglevel=3, reach the terminal beside the console."""
    run = Interactive("qemu_run-log-on-terminal", "--vmm-log-on-terminal", "--vmm-loglevel", "3")
    said = run.expect(r"tools/boot: this terminal shows the VMM log \(COM1, also in \S+\) and the IOPM console")
    done = run.expect(r"\ncoopvmm: boot complete\r?\n")
    prompt = run.expect(PROMPT)
    alive = run.expect(r"\n\[vmm\] alive \d+\r?\n")
    rc = run.quit()
    t.check("log_on_terminal.said", said, "tools/boot did not say what the terminal shows")
    t.check("log_on_terminal.vmm_lines", done and alive, "'coopvmm: boot complete' or an alive line "
            "missing on the terminal")
    t.check("log_on_terminal.console_too", prompt, "no IOPM prompt on the terminal")
    t.equal("log_on_terminal.exit", rc, 0, "exit code after Ctrl-a x")


def no_iopm(t):
    """iopms=0: no console but the VMM's, which the terminal then shows."""
    run = Interactive("qemu_run-no-iopm", "--append", "iopms=0")
    said = run.expect(r"tools/boot: no IOPM in this boot")
    done = run.expect(r"coopvmm: boot complete")
    rc = run.quit()
    t.check("no_iopm.said", said, "tools/boot did not say the boot has no IOPM")
    t.check("no_iopm.vmm_log_on_terminal", done and "==== coopvmm boot report ====" in run.text(),
            "the boot report and 'coopvmm: boot complete' must reach the terminal")
    t.equal("no_iopm.exit", rc, 0, "exit code after Ctrl-a x")


def body(t):
    if not lib.need_iso(t):
        return
    default_level(t)
    verbose_level(t)
    log_on_terminal(t)
    no_iopm(t)


lib.Test("system.qemu_run").run(body)
