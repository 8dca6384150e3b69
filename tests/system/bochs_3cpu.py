#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: Bochs, 3 CPUs, iopm_mem=64M shared_mem=4M appended to the VMM
# command line: two VMM CPUs in VMX root operation, one CPU kept for IOPM 0.
import lib

MEM_MIB = 512
APPEND = "iopm_mem=64M shared_mem=4M"


def body(t):
    if not lib.need_iso(t):
        return
    res = lib.boot("bochs_3cpu", "--backend", "bochs", "--cpus", "3", "--mem", str(MEM_MIB),
                   "--append", APPEND)
    rep = lib.check_boot_report(t, res)
    if rep is None:
        return
    t.check("cmdline", APPEND in rep.cmdline,
            "the report's cmdline %r does not contain %r" % (rep.cmdline, APPEND))
    t.equal("cpu_count", len(rep.cpus), 3, "cpu lines in the report")
    vmm_on = rep.cpus_with(role="vmm", state="online", vmx="on")
    t.check("cpu0_vmm_online_vmx_on", any(c.index == 0 for c in vmm_on),
            "cpu 0 is not 'role vmm state online vmx on': %r" % rep.cpus)
    aps = [c for c in vmm_on if c.index != 0]
    t.check("ap_vmm_online_vmx_on", len(aps) == 1,
            "want one AP with 'role vmm state online vmx on', got %r" % aps)
    iopm = rep.cpus_with(role="iopm0")
    t.check("one_iopm0_reserved", len(iopm) == 1 and iopm[0].state == "reserved"
            and iopm[0].index != 0,
            "want one AP with 'role iopm0 state reserved', got %r" % iopm)
    t.equal("vmx_supported", rep.vmx_supported, True, "vmx supported")
    t.equal("vmx_cpus_on", rep.vmx_cpus_on, 2, "vmx cpus_on")
    t.equal("iopm0_size", lib.fmt_size(rep.zone("iopm0").size), "64 MiB", "zone iopm0 size")
    t.equal("shared_size", lib.fmt_size(rep.zone("shared").size), "4 MiB", "zone shared size")
    lib.check_zones_sane(t, rep, MEM_MIB * lib.MIB)


lib.Test("system.bochs_3cpu").run(body)
