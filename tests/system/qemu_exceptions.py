#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: a CPU exception in the VMM is reported (vector, error code,
# RIP, CR2, registers) and stops that CPU cleanly. selftest=pf makes the BSP
# read address 0 (page 0 is unmapped) and selftest=ud execute UD2, after the
# boot report. tools/boot must see the EXCEPTION line and exit 2.
import re

import lib

REG_LINE = re.compile(r"rax [0-9a-f]{16} rbx [0-9a-f]{16} rcx [0-9a-f]{16} rdx [0-9a-f]{16}")


def one(t, name, selftest, title, vector, cr2_zero):
    res = lib.boot("qemu_exc_" + name, "--backend", "qemu", "--cpus", "2", "--timeout", "60",
                   "--append", "selftest=" + selftest,
                   # a BSP that survived its fault would reach this marker (exit 0)
                   "--until", r"\[vmm\] alive 1\b")
    t.check(name + ".no_stray_processes", not res.leftovers, "processes left: %r" % res.leftovers)
    t.equal(name + ".exit_code", res.rc, lib.BOOT_FAILURE, "tools/boot exit code")
    t.check(name + ".report_first", "coopvmm: boot complete" in res.com1,
            "the boot did not complete before the self-test")
    head = lib.lines_matching(res.com1, r"EXCEPTION")
    want = "EXCEPTION %s (vector %d) on cpu 0, error code 0x0" % (title, vector)
    t.check(name + ".exception_line", len(head) == 1 and want in head[0],
            "want one line with %r, got %r" % (want, head))
    rip = re.search(r"rip ([0-9a-f]{16}) cs 0008", res.com1)
    # the faulting RIP lies inside the VMM image (zone image of the report)
    rep = lib.parse_report(res.com1)
    img = rep.zone("image")
    t.check(name + ".rip_in_image", rip and img.start <= int(rip.group(1), 16) < img.end,
            "rip %r not inside the image %r" % (rip and rip.group(1), img))
    cr2 = re.search(r"cr2 ([0-9a-f]{16})", res.com1)
    if cr2_zero:
        t.check(name + ".cr2_is_zero", cr2 and int(cr2.group(1), 16) == 0,
                "want cr2 0 for the NULL read, got %r" % (cr2 and cr2.group(1)))
    t.check(name + ".registers_dumped", REG_LINE.search(res.com1), "no rax..rdx register line")
    t.check(name + ".cpu_stopped", "cpu 0 stopped" in res.com1, "no 'cpu 0 stopped' line")
    after = res.com1.split("cpu 0 stopped", 1)[-1]
    t.check(name + ".no_double_fault", "EXCEPTION" not in after and "#DF" not in res.com1,
            "a second exception followed the first")


def body(t):
    if not lib.need_iso(t):
        return
    one(t, "pf", "pf", "#PF page fault", 14, True)
    one(t, "ud", "ud", "#UD invalid opcode", 6, False)


lib.Test("system.qemu_exceptions").run(body)
