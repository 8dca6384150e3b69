#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test (issue 16 point 1, Linux guests), Bochs: one boot of the
# Linux-guest image (`make linux-guest-iso`: the plain image with
# tests/linux-guest/linux.cfg, the IOPM's own kernel and a small busybox
# initramfs in the IOPM's /guests). In the IOPM's shell, `vmctl create
# /guests/linux.cfg` loads the bzImage with the Linux loader
# (vmm/vm/linux_loader.c in iopmd) and starts it at its 64-bit entry
# (COOP_VM_BOOT_LINUX64); the guest kernel's console lines arrive on its
# COM1 (`vmctl console linux`): "Linux version", its command line, and the
# e820 map the loader gave it; it brings up its second vCPU and its
# initramfs's /init runs.
import os
import re

import _iopm
import lib

ISO = os.path.join(lib.REPO, "build", "coopvmm-linux-guest.iso")


def script():
    return ["expect " + _iopm.PROMPT,
            "until vmctl list > /dev/null 2>&1; do sleep 1; done; echo READY-$((1))-END",
            r"expect READY-1-END",
            "vmctl create /guests/linux.cfg; echo CREATE=$?-$((1))-END",
            r"expect CREATE=\d+-1-END",
            # The guest kernel's first lines on its COM1: iopmd keeps the
            # last 8 KiB of a console, so they are taken when they come
            # (the e820 map follows "Linux version" and the command line).
            "until vmctl console linux < /dev/null > /tmp/early; "
            "grep -q 'BIOS-e820: .mem 0x0000000000100000' /tmp/early || ! vmctl info linux > /dev/null 2>&1; "
            "do :; done; sed 's/^/EARLY: /' /tmp/early; echo UP-$((1))-END",
            r"expect UP-1-END",
            # Its user space (or its end).
            "until vmctl console linux < /dev/null | grep -qE 'LINUX-GUEST-INIT|Kernel panic' || "
            "! vmctl info linux > /dev/null 2>&1; "
            "do sleep 1; done; echo INIT-$((1))-END",
            r"expect INIT-1-END",
            "vmctl console linux < /dev/null | sed 's/^/CON: /'; echo CONDONE-$((1))-END",
            r"expect CONDONE-1-END",
            "vmctl destroy linux; echo DESTROY=$?-$((1))-END",
            r"expect DESTROY=\d+-1-END"]


def body(t):
    if not os.path.exists(ISO):
        t.check("linux_guest_iso_built", False, "%s missing: make linux-guest-iso" % ISO)
        return
    path = _iopm.write_script(script())
    res = lib.boot("bochs_linux_guest", "--backend", "bochs", "--cpus", "2", "--timeout", "2400",
                   "--script", path, iso=ISO)
    com1, c2 = res.com1, res.com2.replace("\r", "")
    early = "\n".join(l[7:] for l in c2.splitlines() if l.startswith("EARLY: "))
    con = "\n".join(l[5:] for l in c2.splitlines() if l.startswith("CON: "))
    t.check("script_ran", res.rc == 0, res.describe())
    m = re.search(r"CREATE=(\d+)-1-END", c2)
    t.equal("create_exit", m and int(m.group(1)), 0)
    t.check("vmm_started_it_at_the_64bit_entry",
            re.search(r"vm \d+ linux: started by iopm0 at 0x1000200 \(64-bit Linux entry, zero page at 0x8000\)",
                      com1) is not None, "no 'started by iopm0 at 0x1000200 (64-bit Linux entry' line")
    t.check("guest_says_linux_version", re.search(r"Linux version \d+\.\d+", early) is not None,
            "no 'Linux version' on the guest's console")
    t.check("guest_got_its_command_line", re.search(r"Command line: .*rdinit=/init", early) is not None,
            "the command line is not in the guest's log")
    # The e820 map of linux_load(): low RAM, the EBDA/BIOS area, RAM from 1 MiB to 96 MiB.
    t.check("guest_e820", re.search(r"BIOS-e820: \[mem 0x0000000000100000-0x0000000005ffffff\] usable", early)
            is not None, "no e820 line for 1-96 MiB")
    t.check("guest_initramfs_init_ran", "LINUX-GUEST-INIT:" in con, "the initramfs's /init did not say so")
    # Two vCPUs (linux.cfg): the second started by the guest's INIT-SIPI,
    # both online in /proc/cpuinfo.
    t.check("guest_smp_two_cpus", re.search(r"LINUX-GUEST-INIT: \S+, 2 CPU\(s\)", con) is not None,
            "the guest's /proc/cpuinfo does not list its 2 vCPUs")
    t.check("no_vmm_failure", "FATAL" not in com1 and "EXCEPTION" not in com1, "the VMM log has a failure")


lib.Test("system.bochs_linux_guest").run(body)
