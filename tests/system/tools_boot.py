#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test of the test machinery itself: the boot-report parser on the
# documented sample, tools/boot's usage/KVM/timeout exit codes, cleanup of the
# emulator, the COM2 socket used by --script (QEMU and Bochs), and the
# loglevel=3 headless runs append. (--interactive: system.qemu_run.)
import os
import subprocess
import lib

SAMPLE = """\
noise before
==== coopvmm boot report ====
cmdline: iopm_mem=64M
zone image    0x0000000000100000-0x0000000000134000     208 KiB
zone heap     0x0000000000200000-0x0000000001200000      16 MiB
zone shared   0x000000001fe00000-0x0000000020000000       2 MiB
zone iopm0    0x0000000017e00000-0x000000001fe00000     128 MiB
zone iopm0-low 0x0000000000010000-0x000000000009f000     572 KiB
zone guest    0x0000000001200000-0x0000000017e00000     364 MiB
module 0 0x0000000000400000-0x0000000000500000 iopm-kernel
cpu 0 apic 0 role vmm   state online vmx on
cpu 1 apic 1 role vmm   state online vmx on
cpu 2 apic 2 role iopm0 state reserved vmx -
timer tsc_khz 1000000 lapic_khz 1000000 source pit
vmx supported yes cpus_on 2
==== end of boot report ====
coopvmm: boot complete
"""


def parser_checks(t):
    rep = lib.parse_report(SAMPLE)
    t.equal("parser_cmdline", rep.cmdline, "iopm_mem=64M")
    t.equal("parser_zone_count", len(rep.zones), 6)
    t.equal("parser_iopm0", (rep.zone("iopm0").start, rep.zone("iopm0").size),
            (0x17e00000, 128 * lib.MIB))
    t.equal("parser_low_size", rep.zone("iopm0-low").size, 0x8f000)
    t.equal("parser_printed_size", [z.printed_size() == z.size for z in rep.zones], [True] * 6)
    t.equal("parser_disjoint", rep.overlaps(), [])
    t.equal("parser_modules", rep.modules, [(0, 0x400000, 0x500000, "iopm-kernel")])
    t.equal("parser_cpus", [(c.index, c.apic, c.role, c.state, c.vmx) for c in rep.cpus],
            [(0, 0, "vmm", "online", "on"), (1, 1, "vmm", "online", "on"),
             (2, 2, "iopm0", "reserved", "-")])
    t.equal("parser_timer", rep.timer, {"tsc_khz": 1000000, "lapic_khz": 1000000,
                                        "source": "pit"})
    t.equal("parser_vmx", (rep.vmx_supported, rep.vmx_cpus_on), (True, 2))
    bad = SAMPLE.replace("0x0000000000200000-0x0000000001200000", "0x0000000000200000-0x0000000001300000")
    t.equal("parser_overlap_found", [(a.name, b.name) for a, b in lib.parse_report(bad).overlaps()],
            [("heap", "guest")])
    try:
        lib.parse_report(SAMPLE.replace("==== end of boot report ====", ""))
        t.fail("parser_needs_end", "a report without its end line was accepted")
    except lib.ReportError:
        t.ok("parser_needs_end")


def run_boot(*args):
    r = subprocess.run([lib.BOOT] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def kvm_qualified():
    try:
        with open("/proc/cpuinfo") as f:
            if " vmx" not in f.read():
                return False
        with open("/sys/module/kvm_intel/parameters/nested") as f:
            return f.read().strip() in ("Y", "1")
    except OSError:
        return False


def usage_checks(t):
    for check, args in (("usage_bad_cpus", ["--cpus", "0"]),
                        ("usage_bad_option", ["--no-such-option"]),
                        ("usage_bad_regex", ["--until", "("]),
                        ("usage_no_iso", ["/nonexistent/coopvmm.iso"]),
                        ("usage_loglevel_twice", ["--vmm-loglevel", "2", "--append", "loglevel=1"]),
                        ("usage_bad_loglevel", ["--vmm-loglevel", "4"]),
                        ("usage_log_on_terminal_headless", ["--vmm-log-on-terminal"])):
        rc, out = run_boot(*args)
        t.check(check, rc == 64, "tools/boot %s: exit %d, want 64: %s"
                % (" ".join(args), rc, out.strip()[-200:]))
    # --disk: an absent image, and one Bochs could not describe (not whole
    # cylinders): exit 64, the second with the truncate that fixes it.
    odd = os.path.join(lib.LOG_ROOT, "tools_boot-odd-disk.img")
    os.makedirs(lib.LOG_ROOT, exist_ok=True)
    with open(odd, "wb") as f:
        f.truncate(1000)
    rc, out = run_boot("--disk", "/nonexistent/disk.img", lib.ISO)
    t.check("usage_disk_missing", rc == 64 and "/nonexistent/disk.img" in out,
            "exit %d, want 64 naming the file: %s" % (rc, out.strip()[-200:]))
    rc, out = run_boot("--backend", "bochs", "--disk", odd, lib.ISO)
    t.check("usage_disk_not_whole_cylinders", rc == 64 and "truncate -s 516096 " in out,
            "exit %d, want 64 with the fix: %s" % (rc, out.strip()[-200:]))
    if kvm_qualified():
        t.skip("kvm_refused", "this host has nested VT-x: KVM is not refused here")
    else:
        rc, out = run_boot("--backend", "kvm", lib.ISO)
        t.check("kvm_refused", rc == 5 and "refusing --backend kvm" in out,
                "exit %d, want 5 with a reason: %s" % (rc, out.strip()[-200:]))


def boot_checks(t):
    res = lib.boot("tools_boot-timeout", "--backend", "qemu", "--timeout", "4",
                   "--until", "this marker never appears")
    t.check("timeout_exit3", res.rc == lib.BOOT_TIMEOUT and "last 20 lines of COM1" in res.output,
            "want exit 3 and the COM1 tail, %s" % res.describe())
    t.check("timeout_no_stray_processes", not res.leftovers,
            "processes left in %s: %r" % (res.log_dir, res.leftovers))

    script = os.path.join(lib.LOG_ROOT, "tools_boot.script")
    os.makedirs(lib.LOG_ROOT, exist_ok=True)
    with open(script, "w") as f:
        f.write("# connect to COM2 and send a line; the VMM does not read it yet\n"
                "sleep 0.2\nsend-raw \\n\n")
    for backend in ("qemu", "bochs"):
        res = lib.boot("tools_boot-script-" + backend, "--backend", backend,
                       "--script", script, "--until", "coopvmm: boot complete")
        t.check("script_socket_" + backend, res.rc == 0 and "script finished" in res.output,
                "tools/boot --script with COM2 as a socket: %s" % res.describe())
        t.check("script_no_stray_processes_" + backend, not res.leftovers,
                "processes left in %s: %r" % (res.log_dir, res.leftovers))


def expect_com1_checks(t):
    """expect-com1 waits for COM1 lines in order, each after the last match."""
    script = os.path.join(lib.LOG_ROOT, "tools_boot-com1.script")
    with open(script, "w") as f:
        f.write("expect-com1 coopvmm: boot complete\nexpect-com1 \\[vmm\\] alive 1\\b\n"
                "expect-com1 \\[vmm\\] alive 2\\b\n")
    res = lib.boot("tools_boot-expect-com1", "--backend", "qemu", "--timeout", "60", "--script", script)
    counts = lib.alive_counts(res.com1)
    t.check("expect_com1_waits", res.rc == 0 and counts[-1:] == [2],
            "want exit 0 right after 'alive 2', %s; alive lines %r" % (res.describe(), counts))
    # A headless run asks for the VMM's debug level, the alive lines' level.
    t.check("headless_loglevel_3", lib.lines_matching(res.com1, r"^cmdline: ") == ["cmdline: loglevel=3"],
            "want the report's 'cmdline: loglevel=3', got %r" % lib.lines_matching(res.com1, r"^cmdline: "))
    with open(script, "w") as f:
        f.write("expect-com1 \\[vmm\\] alive 1\\b\nexpect-com1 coopvmm: boot complete\n")
    res = lib.boot("tools_boot-expect-com1-order", "--backend", "qemu", "--timeout", "6", "--script", script)
    t.check("expect_com1_in_order", res.rc == lib.BOOT_TIMEOUT,
            "a line before the last match must not satisfy the next expect-com1: %s" % res.describe())


def body(t):
    parser_checks(t)
    usage_checks(t)
    if lib.need_iso(t):
        boot_checks(t)
        expect_com1_checks(t)


lib.Test("system.tools_boot").run(body)
