#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: QEMU TCG has no VT-x. The VMM says so in its report, keeps
# running, and its idle loop prints '[vmm] alive N' about once a second.
import lib


def body(t):
    if not lib.need_iso(t):
        return
    res = lib.boot("qemu_novtx", "--backend", "qemu", "--cpus", "2",
                   "--until", r"\[vmm\] alive 3\b")
    rep = lib.check_boot_report(t, res)
    if rep is None:
        return
    t.equal("vmx_supported", rep.vmx_supported, False, "vmx supported")
    t.equal("vmx_cpus_on", rep.vmx_cpus_on, 0, "vmx cpus_on")
    # QEMU TCG's CPU model here has no x2APIC: the xAPIC (MMIO) path is used
    t.check("xapic_mode", lib.lines_matching(res.com1, r"LAPIC (x2APIC|xAPIC) at 0xfee00000"),
            "no LAPIC mode line")
    why = lib.lines_matching(res.com1, r"VT-x not available")
    t.check("vtx_not_available_line", why, "no line matches 'VT-x not available'")
    cpu0 = [c for c in rep.cpus if c.index == 0]
    t.check("cpu0_vmm_online_no_vmx",
            len(cpu0) == 1 and cpu0[0].role == "vmm" and cpu0[0].state == "online"
            and cpu0[0].vmx != "on",
            "want cpu 0 role vmm state online and vmx not on, got %r" % cpu0)
    after = res.com1.split("coopvmm: boot complete", 1)[-1]
    counts = lib.alive_counts(after)
    t.check("alive_after_boot", counts and max(counts) >= 3,
            "want '[vmm] alive N' up to N >= 3 after boot complete, got %r" % counts)
    t.check("alive_increasing", counts == sorted(set(counts)) and len(counts) >= 3,
            "alive counts not strictly increasing: %r" % counts)


lib.Test("system.qemu_novtx").run(body)
