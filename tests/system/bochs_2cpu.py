#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: Bochs (emulated VT-x), 2 CPUs, 512 MiB, default parameters.
# CPU 0 runs the VMM with VMXON, CPU 1 is kept for IOPM 0; default zone sizes.
import lib

MEM_MIB = 512


def body(t):
    if not lib.need_iso(t):
        return
    res = lib.boot("bochs_2cpu", "--backend", "bochs", "--cpus", "2", "--mem", str(MEM_MIB))
    rep = lib.check_boot_report(t, res)
    if rep is None:
        return
    t.equal("cpu_count", len(rep.cpus), 2, "cpu lines in the report")
    cpu0 = [c for c in rep.cpus if c.index == 0]
    t.check("cpu0_vmm_online_vmx_on",
            len(cpu0) == 1 and (cpu0[0].role, cpu0[0].state, cpu0[0].vmx) == ("vmm", "online", "on"),
            "want 'cpu 0 ... role vmm state online vmx on', got %r" % cpu0)
    cpu1 = [c for c in rep.cpus if c.index == 1]
    t.check("cpu1_iopm0_reserved",
            len(cpu1) == 1 and (cpu1[0].role, cpu1[0].state, cpu1[0].vmx) == ("iopm0", "reserved", "-"),
            "want 'cpu 1 ... role iopm0 state reserved vmx -', got %r" % cpu1)
    t.equal("vmx_supported", rep.vmx_supported, True, "vmx supported")
    t.equal("vmx_cpus_on", rep.vmx_cpus_on, 1, "vmx cpus_on")
    t.equal("iopm0_size", lib.fmt_size(rep.zone("iopm0").size), "128 MiB", "zone iopm0 size")
    t.equal("shared_size", lib.fmt_size(rep.zone("shared").size), "2 MiB", "zone shared size")
    t.equal("heap_size", lib.fmt_size(rep.zone("heap").size), "16 MiB", "zone heap size")
    t.check("guest_pool", rep.zones_named("guest"), "no 'zone guest' line")
    lib.check_zones_sane(t, rep, MEM_MIB * lib.MIB)
    t.check("tsc_khz", rep.timer["tsc_khz"] > 0, "tsc_khz %d" % rep.timer["tsc_khz"])
    t.check("lapic_khz", rep.timer["lapic_khz"] > 0, "lapic_khz %d" % rep.timer["lapic_khz"])
    # Every IOAPIC pin masked at boot (read back), and x2APIC used where the CPU has it.
    io = lib.lines_matching(res.com1, r"\[ioapic\] ioapic \d+ .*: (\d+)/(\d+) pins masked")
    t.check("ioapic_all_masked", io and all(
        m.group(1) == m.group(2) and int(m.group(2)) >= 24
        for m in (lib.re.search(r"(\d+)/(\d+) pins masked", line) for line in io)),
        "want 'N/N pins masked' with N >= 24, got %r" % io)
    t.check("x2apic_on_haswell", lib.lines_matching(res.com1, r"LAPIC x2APIC at 0xfee00000"),
            "Bochs' Haswell model has x2APIC: the VMM should use it")


lib.Test("system.bochs_2cpu").run(body)
