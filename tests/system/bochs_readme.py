#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test of the README's walkthrough (issue 15's acceptance: "the
# README walkthrough works as written"), Bochs, through `make run`'s own
# path (tools/boot --interactive on the plain ISO, stdin and stdout on
# pipes): the commands of README.md's walkthrough block, from `iopm# ls
# /guests` on, are read from README.md and typed in order; every line the
# README shows as their output must appear on the terminal, in order
# (numbers may differ: a VM's id, its CPU time). At `vmctl console hello`
# the test types "hi" and then Ctrl-], as the README says a person does.
# Last, Ctrl-a x leaves with exit 0.
import os
import re

import lib
from _interactive import PROMPT, Interactive

LIMIT = 900  # seconds: a bound for a stuck run, not a wait
STEP_LIMIT = 180  # seconds: a bound for one README step's line that never comes
CTRL_RBRACKET = "\x1d"
CONSOLE_CMD = "vmctl console hello"
TYPED = "hi"  # what the README types to hello


def walkthrough():
    """[(command, [expected output lines])] from README.md's walkthrough block."""
    with open(os.path.join(lib.REPO, "README.md"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip().startswith("iopm# ls /guests"))
    steps = []
    for line in lines[start:]:
        if not line.startswith("    "):
            break
        text = line[4:]
        if text.startswith("iopm# "):
            cmd = text[len("iopm# "):].split("#")[0].strip()
            steps.append((cmd, []))
        elif text.strip().startswith("#") or text.strip() == TYPED:
            continue  # a remark (Ctrl-] here), or what the person types
        else:
            steps[-1][1].append(text.rstrip())
    return steps


def pattern(line):
    """A README output line as a regex: numbers may differ, spaces are any."""
    parts = re.split(r"(\d+|\s+)", line.strip())
    out = []
    for p in parts:
        if not p:
            continue
        if p.isdigit():
            out.append(r"\d+")
        elif p.isspace():
            out.append(r"\s+")
        else:
            out.append(re.escape(p))
    return "".join(out)


def body(t):
    if not lib.need_iso(t):
        return
    steps = walkthrough()
    t.check("readme.walkthrough_found", len(steps) >= 5 and steps[0][0] == "ls /guests",
            "README.md's walkthrough block: %r" % [c for c, _ in steps])
    run = Interactive("bochs_readme", backend="bochs", limit=LIMIT)
    prompt = run.expect(PROMPT)
    t.check("readme.prompt", prompt is not None, "no '%s' within %d s" % (PROMPT, LIMIT))
    # iopmd attached to the VMM before the first vmctl of the README.
    run.send("until vmctl list > /dev/null 2>&1; do sleep 1; done; echo READY-$((6*7))-END")
    ready = prompt and run.expect(r"READY-42-END")
    for n, (cmd, expected) in enumerate(steps):
        if not ready:
            t.fail("readme.step%d" % n, "not run: the IOPM was not ready")
            continue
        run.send(cmd)
        missing = []
        for exp in expected:
            if exp.strip() == "":
                continue
            if cmd == CONSOLE_CMD and exp.startswith('hello: you typed'):
                run.send(TYPED)
            if not run.expect(pattern(exp), within=STEP_LIMIT):
                missing.append(exp)
                break
        if cmd == CONSOLE_CMD:
            run.send(CTRL_RBRACKET, end=b"")
        prompt_back = run.expect(PROMPT, within=STEP_LIMIT)
        t.check("readme.step%d" % n, not missing and prompt_back is not None,
                "`%s`: %s" % (cmd, "no line like %r on the terminal" % missing[0] if missing
                              else "the prompt did not come back"))
    rc = run.quit()
    t.equal("readme.ctrl_a_x_exit0", rc, 0, "tools/boot's exit after Ctrl-a x")
    t.check("readme.no_stray_processes", not lib.processes_in(run.log_dir), "processes left in %s" % run.log_dir)
    com1 = run.com1()
    t.check("readme.vmm_saw_create_and_destroy",
            re.search(r"vm \d+ hello: created by iopm0", com1) is not None and
            re.search(r"\[vm \d+ hello\] killed: destroyed by iopm0 \(vmctl destroy\)", com1) is not None,
            "the VMM log (%s) lacks hello's creation or its destruction" % os.path.join(run.log_dir, "com1.log"))


lib.Test("system.bochs_readme").run(body)
