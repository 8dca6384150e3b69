# SPDX-License-Identifier: GPL-2.0-only
# tests/system/_iopm.py: shared body of the IOPM system tests (issue 4):
# boot the real ISO, drive the IOPM console (COM2) with a tools/boot script,
# and assert on what COM2 and the VMM log (COM1) show. Not a test itself
# (tests/run skips files starting with "_").
import gzip
import os
import re
import shutil
import subprocess
import tempfile

import lib

PROMPT = r"iopm# "
ZONE_RE = re.compile(r"zone iopm0\s+0x([0-9a-f]+)-0x([0-9a-f]+)")


def write_script(lines):
    fd, path = tempfile.mkstemp(prefix="iopm-script-", suffix=".txt")
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def irq3_count(text, tag):
    m = re.search(tag + r"=\s*3:\s+(\d+)\s+coopvmm", text)
    return int(m.group(1)) if m else None


# The channel (issue 14), from the IOPM's shell: every step ends with a
# marker that is printed whatever happened, so that a VMM that does not
# answer makes the channel checks fail without stalling the other checks of
# the boot. The markers are typed as MARK-$((1))-END so that the shell's echo
# of the command line does not match them. The hostile tool (chan_hostile,
# from the overlay of hostile_iso) runs last: it stops iopmd and breaks the
# IOPM ring on purpose.
def channel_script(n):
    return [
        "vmctl ping -n %d --ipi; echo PING-IPI=$?-$((1))-END" % n,
        r"expect PING-IPI=\d+-1-END",
        "vmctl ping -n %d --poll; echo PING-POLL=$?-$((1))-END" % n,
        r"expect PING-POLL=\d+-1-END",
        "vmctl burst -n 200; echo BURST=$?-$((1))-END",
        r"expect BURST=\d+-1-END",
        "vmctl channel; echo CHANNEL=$?-$((1))-END",
        r"expect CHANNEL=\d+-1-END",
        "vmctl dmesg > /tmp/vmmlog; r=$?; grep -m 3 -e 'coopvmm boot repor[t]' /tmp/vmmlog; "
        "echo DMESG=$r-$(wc -l < /tmp/vmmlog)-$((1))-END",
        r"expect DMESG=\d+-\d+-1-END",
        "kill $(pidof iopmd); sleep 1; chan_hostile; echo HOSTILE=$?-$((1))-END",
        r"expect HOSTILE=\d+-1-END",
        # The VMM carries on after the corrupt prod.
        r"expect-com1 \[vmm\] alive",
    ]


# The guests' network (docs/iopm.md "Network"), from the IOPM's shell: the
# modules /init loaded, br0 with its address and up, a tap made by busybox's
# tunctl and put into br0, and tap_probe (from hostile_iso's overlay) playing
# a guest behind a tap opened by iopmd's own code. Markers as in
# channel_script.
def net_script():
    return [
        "echo NETMODS=$(grep -c -E '^(llc|stp|bridge|tun) ' /proc/modules)-$((1))-END",
        r"expect NETMODS=\d+-1-END",
        "echo BR0=$(test -d /sys/class/net/br0/bridge && echo bridge)"
        "-$(ip -4 addr show dev br0 | grep -o 'inet [0-9./]*')-$(cat /sys/class/net/br0/flags)-$((1))-END",
        r"expect BR0=[^$\n]*-1-END",
        "tunctl -t vtap0 >/dev/null && ip link set vtap0 master br0 && ip link set vtap0 up; "
        "echo TUNCTL=$?-$(readlink /sys/class/net/vtap0/master | sed 's|.*/||')"
        "-$(cat /sys/class/net/vtap0/tun_flags)-$(ls /sys/class/net/br0/brif)-$((1))-END",
        r"expect TUNCTL=[^$\n]*-1-END",
        "tunctl -d vtap0 >/dev/null; echo UNTAP=$?-$(ls /sys/class/net/br0/brif | wc -w)-$((1))-END",
        r"expect UNTAP=\d+-\d+-1-END",
        "tap_probe vtap1; echo TAPPROBE=$?-$((1))-END",
        r"expect TAPPROBE=\d+-1-END",
    ]


def net_checks(t, c2):
    """What net_script() must show."""
    m = re.search(r"^NETMODS=(\d+)-1-END", c2, re.M)
    t.equal("net.modules_loaded", m and int(m.group(1)), 4, "llc, stp, bridge, tun in /proc/modules")
    m = re.search(r"^BR0=([a-z]*)-([^\n]*)-(0x[0-9a-f]+)-1-END", c2, re.M)
    t.check("net.br0_is_a_bridge", m and m.group(1) == "bridge",
            "no /sys/class/net/br0/bridge: %r" % (m and m.group(0)))
    t.equal("net.br0_address", m and m.group(2), "inet 10.0.2.1/24", "br0's IPv4 address")
    t.check("net.br0_up", m and int(m.group(3), 16) & 1, "br0's flags have no IFF_UP: %r" % (m and m.group(3)))
    m = re.search(r"^TUNCTL=(\d+)-([^-\n]*)-(0x[0-9a-f]+)-([^\n]*)-1-END", c2, re.M)
    t.check("net.tunctl_tap_in_br0",
            m and m.group(1) == "0" and m.group(2) == "br0" and "vtap0" in m.group(4).split(),
            "tunctl -t vtap0 and ip link set master br0: %r" % (m and m.group(0)))
    # IFF_TAP (0x0002) and IFF_NO_PI (0x1000): include/uapi/linux/if_tun.h.
    t.check("net.tunctl_tap_flags", m and int(m.group(3), 16) & 0x1002 == 0x1002,
            "vtap0's tun_flags %r: not a tap without packet information" % (m and m.group(3)))
    m = re.search(r"^UNTAP=(\d+)-(\d+)-1-END", c2, re.M)
    t.check("net.tunctl_delete", m and m.group(1) == "0" and m.group(2) == "0",
            "tunctl -d vtap0 left br0 with ports: %r" % (m and m.group(0)))
    m = re.search(r"^TAPPROBE=(\d+)-1-END", c2, re.M)
    lines = [x for x in c2.splitlines() if x.startswith("tap_probe: ")]
    t.check("net.tap_probe", m and m.group(1) == "0" and "tap_probe: ok" in lines,
            "tap_probe (iopmd_tap.c: open, attach, ARP and UDP through br0): %s" % " | ".join(lines[-4:]))


def _counts(text, who):
    m = re.search(r"^%s:\s+msgs sent (\d+) received (\d+) refused (\d+) notifies sent (\d+) received (\d+)"
                  % who, text, re.M)
    return tuple(int(x) for x in m.groups()) if m else None


def _between(text, start_re, end_re):
    """The output of one step: after the command's echo, up to its marker."""
    m = re.search(end_re, text, re.M)
    if not m:
        return None
    head = text[:m.start()]
    s = None
    for s in re.finditer(start_re, head):
        pass
    return head[s.end():] if s else head


def channel_checks(t, res, n):
    """What channel_script(n) must show once both sides of the channel run
    (docs/iopm.md "Verification": the VMM side's message flows and counters)."""
    c2 = res.com2.replace("\r", "")
    t.check("channel.hello_accepted",
            re.search(r"iopmd\[\d+\]: HELLO accepted: VMM ABI version 4, epoch 1\b", c2),
            "no 'iopmd[N]: HELLO accepted: VMM ABI version 4, epoch 1' on the IOPM console")
    t.check("channel.notify_vector",
            re.search(r"iopm: notifications from the VMM: vector 0x3a \(ISA IRQ 10, unused by Linux\), self-test ok", c2),
            "iopm.ko did not take vector 0x3a (IRQ 10) for the VMM's notifications")
    for mode in ("IPI", "POLL"):
        out = _between(c2, r"vmctl ping -n %d --%s; echo" % (n, mode.lower()), r"^PING-%s=\d+-1-END" % mode) or ""
        rc = re.search(r"^PING-%s=(\d+)-1-END" % mode, c2, re.M)
        rtt = re.search(r"round trip \(TSC cycles\): median (\d+) p99 (\d+) min (\d+) max (\d+)", out)
        nt = re.search(r"notifications: sent (\d+) received (\d+)", out)
        t.check("channel.ping_%s" % mode.lower(),
                rc and rc.group(1) == "0" and "ping: %d PINGs answered, %s mode" % (n, mode.lower()) in out and rtt,
                "vmctl ping -n %d --%s: exit %s, output %r" % (n, mode.lower(), rc and rc.group(1), out[-600:]))
        if mode == "IPI":
            t.check("channel.ping_ipi_notifies", nt and int(nt.group(1)) > 0 and int(nt.group(2)) > 0,
                    "IPI mode: want IPIs both ways during the pings, got %r" % (nt and nt.group(0)))
        else:
            t.check("channel.ping_poll_no_ipis", nt and int(nt.group(1)) + int(nt.group(2)) <= 2,
                    "polling mode: want (almost) no IPIs, got %r" % (nt and nt.group(0)))
        if rtt:
            print("# channel: %s mode, %d round trips (TSC cycles): median %s p99 %s min %s max %s; %s"
                  % (mode, n, rtt.group(1), rtt.group(2), rtt.group(3), rtt.group(4), nt and nt.group(0)))
    out = _between(c2, r"vmctl burst -n 200; echo", r"^BURST=\d+-1-END") or ""
    m = re.search(r"notifications: sent (\d+) \(([\d.]+) per message\) received (\d+) \(([\d.]+) per message\)", out)
    # At most one IPI per message each way (suppression: none while the
    # consumer drains); how many fewer depends on how the two CPUs overlap,
    # reported below.
    t.check("channel.burst", "burst: 200 PINGs, 200 PONGs" in out and m and float(m.group(2)) <= 1.0 and
            float(m.group(4)) <= 1.0,
            "vmctl burst -n 200: want every PONG and at most one IPI per message, got %r" % out[-400:])
    if m:
        print("# channel: burst of 200: IPIs to the VMM %s per message, from the VMM %s per message"
              % (m.group(2), m.group(4)))
    out = _between(c2, r"vmctl channel; echo", r"^CHANNEL=\d+-1-END") or ""
    a, b = _counts(out, "iopmd"), _counts(out, "vmm")
    t.check("channel.counts_equal",
            "snapshot: quiet" in out and a and b and a[0] == b[1] and a[1] == b[0] and a[2] == 0 and b[2] == 0,
            "want iopmd's msgs sent/received == the VMM's received/sent, nothing refused, at a quiet moment: "
            "iopmd %s, vmm %s; %r" % (a, b, out[-500:]))
    t.check("channel.counts_cover_pings", a and b and b[1] >= 2 * n + 200 and b[0] >= 2 * n + 200,
            "the VMM's counters (%s) do not cover the %d PINGs and PONGs" % (b, 2 * n + 200))
    m = re.search(r"^DMESG=(\d+)-(\d+)-1-END", c2, re.M)
    out = _between(c2, r"vmctl dmesg > /tmp/vmmlog", r"^DMESG=\d+-\d+-1-END") or ""
    t.check("channel.vmctl_dmesg", m and m.group(1) == "0" and int(m.group(2)) > 0 and "coopvmm boot report" in out,
            "vmctl dmesg: exit %s, %s lines, boot report line %s" % (m and m.group(1), m and m.group(2),
                                                                      "coopvmm boot report" in out))
    out = _between(c2, r"chan_hostile; echo", r"^HOSTILE=\d+-1-END") or ""
    lines = lib.lines_matching(out, r"^(PASS|FAIL): chan_hostile\.")
    fails = [l for l in lines if l.startswith("FAIL")]
    t.check("channel.hostile", len(lines) == 17 and not fails,
            "chan_hostile: %d checks, failed: %s" % (len(lines), "; ".join(fails) or out[-500:]))
    logged = re.search(r"^chan_hostile: VMM log after the corrupt prod \(\d+ bytes\):\n(.*?)^(?:PASS|FAIL): chan_hostile",
                       out, re.M | re.S)
    if logged:
        print("# channel: the VMM logged after the corrupt prod: %r" % logged.group(1)[:300])


KRING_RE = re.compile(r"^kernel rings\s+iopm\.ko sent (\d+) received (\d+) refused (\d+); "
                      r"vmm sent (\d+) received (\d+) refused (\d+)", re.M)


def route_checks(t, com1, c2):
    """The console's route went over the kernel rings (issue 14): iopm.ko's
    ROUTE_PIN for IRQ 3 on vector 0x33 answered ACTIVE by the VMM's
    ROUTE_REPLY (both sides say so), the VMM forwards IRQ 3 (its view in
    vmctl info: valid, edge, forwarded > 0, no EOI for an edge pin), and the
    kernel rings' counts agree, nothing refused."""
    t.check("route.vmm_programmed_pin",
            re.search(r"\[iopm\] ISA IRQ 3 -> GSI \d+ \(ioapic \d+ pin \d+, edge\) programmed to the VMM on "
                      r"vector 0x43 for iopm0", com1),
            "the VMM never logged programming IRQ 3's pin for iopm0")
    # (", masked": Linux still had IRQ 3 masked when iopm.ko asked; its
    # unmask follows as a ROUTE_PIN update, which the VMM logs at debug level.)
    t.check("route.vmm_route_pin_active",
            re.search(r"\[iopm\] iopm0: ROUTE_PIN IRQ 3 -> vector 0x33 \(edge(, masked)?\): ACTIVE", com1),
            "no '[iopm] iopm0: ROUTE_PIN IRQ 3 -> vector 0x33 (edge): ACTIVE' in the VMM log")
    t.check("route.iopm_reply_active",
            re.search(r"iopm: route IRQ 3 -> vector 0x33: ACTIVE \(ROUTE_REPLY to id \d+\)", c2),
            "iopm.ko never logged the VMM's ROUTE_REPLY ACTIVE for IRQ 3")
    m = re.search(r"\n\s*3\s+0x33\s+valid,edge\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", c2)
    t.check("vmctl_route_active", m and int(m.group(1)) > 0 and int(m.group(4)) == 0,
            "vmctl info shows no valid edge route for IRQ 3 on vector 0x33 with forwarded interrupts "
            "and no EOI: %r" % (m and m.group(0)))
    k = KRING_RE.search(c2)
    k = tuple(int(x) for x in k.groups()) if k else None
    t.check("route.kernel_ring_counts",
            k and k[0] >= 1 and k[0] == k[4] and k[1] == k[3] and k[2] == 0 and k[5] == 0,
            "vmctl info: want iopm.ko's kernel-ring sent/received == the VMM's received/sent (>= 1), "
            "nothing refused: %s" % (k,))
    t.check("route.no_refusal_logged", "refused: REFUSED_" not in com1,
            "the VMM refused a route of this IOPM")


def shell_checks(t, backend, timeout, cpus="2", iso=None, channel=0, net=False):
    """Prompt in bounded time, nproc 1, MemTotal inside the IOPM zone, typed
    input echoed, the routed IRQ's count rising, vmctl info, VMM alive; with
    net (and an ISO from hostile_iso), the network checks; with channel=N
    (and an ISO from hostile_iso), the channel checks with N round trips
    per mode."""
    script = write_script([
        "expect " + PROMPT,
        "echo NPROC=$(nproc)",
        "expect " + PROMPT,
        "echo MEM=$(grep MemTotal /proc/meminfo)",
        "expect " + PROMPT,
        "echo IRQA=$(grep ' 3:' /proc/interrupts)",
        "expect " + PROMPT,
        "echo typed-$((6*7))-end",
        "expect typed-42-end",
        "expect " + PROMPT,
        "echo IRQB=$(grep ' 3:' /proc/interrupts)",
        "expect " + PROMPT,
        "vmctl info",
        "expect " + PROMPT,
        "sleep 2",
        "echo DONE",
        "expect DONE",
        # The VMM checks below wait for their events on COM1.
        r"expect-com1 \[iopm\] iopm0 running",
        r"expect-com1 \[vmm\] alive \d+\D",  # the whole line: its number is counted
    ] + (net_script() if net else []) + (channel_script(channel) if channel else []))
    res = lib.boot(backend + "_iopm_shell", "--backend", backend, "--cpus", cpus, "--timeout", str(timeout),
                   "--script", script, iso=iso)
    os.unlink(script)
    t.check("script_ran", res.rc == 0, res.describe())
    c2 = res.com2.replace("\r", "")
    m = re.search(r"NPROC=(\d+)", c2)
    t.equal("nproc", m and int(m.group(1)), 1, "nproc in the IOPM")
    zone = ZONE_RE.search(res.com1)
    m = re.search(r"MEM=MemTotal:\s+(\d+) kB", c2)
    if zone and m:
        zsize = int(zone.group(2), 16) - int(zone.group(1), 16)
        mem = int(m.group(1)) * 1024
        t.check("memtotal_fits_zone", 0.4 * zsize < mem <= zsize,
                "MemTotal %d KiB vs IOPM zone %d KiB (want <= zone and > 40%% of it)" % (mem // 1024, zsize // 1024))
    else:
        t.fail("memtotal_fits_zone", "no MemTotal (%r) or no iopm0 zone in the report" % (m and m.group(0)))
    t.check("typed_input_echoed", "echo typed-$((6*7))-end" in c2 and "\ntyped-42-end" in c2,
            "the typed command or its output is missing on COM2")
    a, b = irq3_count(c2, "IRQA"), irq3_count(c2, "IRQB")
    t.check("irq3_on_coopvmm_chip", a is not None and b is not None,
            "IRQ 3 is not on the coopvmm chip in /proc/interrupts: %r %r" % (a, b))
    t.check("irq3_count_rises", a is not None and b is not None and b > a,
            "IRQ 3 count before %r, after %r" % (a, b))
    route_checks(t, res.com1, c2)
    t.check("vmm_logged_running", "[iopm] iopm0 running" in res.com1, "the VMM never logged 'iopm0 running'")
    after = res.com1.split("[iopm] iopm0 running", 1)[-1]
    t.check("vmm_alive_after", len(lib.alive_counts(after)) >= 1, "no '[vmm] alive' after the IOPM started")
    t.check("no_vmm_failure", "FATAL" not in res.com1 and "EXCEPTION" not in res.com1, "the VMM log has a failure")
    # Linux must not touch COM1 (reserve=0x3f8,8): every byte of the VMM log
    # is printable text, no baud-rate garbage, no Linux line on it.
    bad = [c for c in res.com1 if not (c == "\n" or " " <= c <= "~")]
    t.check("vmm_log_clean", not bad and "Linux version" not in res.com1,
            "the VMM log has %d non-text bytes or Linux output" % len(bad))
    if net:
        net_checks(t, c2)
    if channel:
        channel_checks(t, res, channel)
    return res


def heartbeat_stop(t, backend, timeout):
    """Stopping iopmd (SIGSTOP) freezes the heartbeat: the VMM reports it."""
    script = write_script(["expect " + PROMPT, "kill -STOP $(pidof iopmd); echo STOPPED", "expect STOPPED"])
    res = lib.boot(backend + "_iopm_heartbeat", "--backend", backend, "--cpus", "2", "--timeout", str(timeout),
                   "--script", script, "--until", r"\[iopm\] iopm0 stopped beating")
    os.unlink(script)
    t.check("heartbeat.reported", res.rc == 0 and "[iopm] iopm0 stopped beating" in res.com1, res.describe())
    before = res.com1.split("[iopm] iopm0 stopped beating", 1)[0]
    t.check("heartbeat.was_running", "[iopm] iopm0 running" in before,
            "the IOPM was not running before it stopped beating")


def stop_check(t, backend, timeout, command, state, reason_re):
    """`command` in the IOPM stops only its CPU: the VMM reports `state`
    and keeps printing alive lines."""
    # The end waits for the events checked: the state line, then an alive
    # line after it (a loaded machine only makes it later, never absent).
    script = write_script(["expect " + PROMPT, command, r"expect-com1 \[iopm\] iopm0 " + state,
                           r"expect-com1 \[vmm\] alive \d+\D"])  # the whole line: its number is counted
    res = lib.boot(backend + "_iopm_" + state, "--backend", backend, "--cpus", "2", "--timeout", str(timeout),
                   "--script", script, "--until", r"\[iopm\] iopm0 " + state)
    os.unlink(script)
    t.check(state + ".script_ran", res.rc == 0, res.describe())
    line = lib.lines_matching(res.com1, r"\[iopm\] iopm0 " + state)
    t.check(state + ".reported", line and re.search(reason_re, line[0]),
            "want '[iopm] iopm0 %s: ...%s...', got %r" % (state, reason_re, line))
    after = res.com1.split("[iopm] iopm0 " + state, 1)[-1]
    t.check(state + ".vmm_alive_after", len(lib.alive_counts(after)) >= 1,
            "no '[vmm] alive' line after the IOPM stopped")
    t.check(state + ".no_vmm_failure", "FATAL" not in res.com1 and "EXCEPTION" not in res.com1,
            "the VMM log has a failure line")
    t.check(state + ".machine_not_reset", res.com1.count("coopvmm: starting") == 1,
            "the VMM started more than once: the machine was reset")


def hostile_iso(t, name):
    """An ISO like build/coopvmm.iso whose IOPM initramfs also has
    iopm/test/hostile.c, iopm/test/chan_hostile.c and iopm/test/tap_probe.c
    (an overlay archive, as in iopm/test-qemu.sh): the IOPM can then write
    its part of the zone and its ring like a misbehaving IOPM would, and
    play a guest behind a tap.
    Returns the ISO's path, or None after a FAIL line."""
    d = os.path.join(lib.LOG_ROOT, name + "-iso")
    os.makedirs(d, exist_ok=True)
    overlay = os.path.join(d, "overlay.cpio.gz")
    iso = os.path.join(d, "hostile.iso")
    base = os.path.join(lib.REPO, "build", "iopm", "initramfs.cpio.gz")
    steps, files = [], []
    # Each tool with the iopm/ module it uses: coopdev.c (the zone), or
    # iopmd_tap.c (iopmd's taps, for net_checks).
    for tool, module in (("hostile", "coopdev.c"), ("chan_hostile", "coopdev.c"), ("tap_probe", "iopmd_tap.c")):
        exe = os.path.join(d, tool)
        steps.append(["gcc", "-std=gnu11", "-static", "-O2", "-s", "-Wall", "-Wextra", "-Werror",
                      "-I", os.path.join(lib.REPO, "shared"), "-I", os.path.join(lib.REPO, "iopm"), "-o", exe,
                      os.path.join(lib.REPO, "iopm", "test", tool + ".c"),
                      os.path.join(lib.REPO, "iopm", module)])
        files += ["--file", exe, "usr/sbin/" + tool, "755"]
    steps.append(["python3", os.path.join(lib.REPO, "iopm", "mkinitramfs.py"), "-o", overlay] + files)
    for argv in steps:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            t.fail("hostile_iso", "%s failed: %s" % (argv[0], r.stdout.decode("utf-8", "replace")[-500:]))
            return None
    tree = os.path.join(d, "iso")
    shutil.rmtree(tree, ignore_errors=True)
    for sub in ("boot/grub", "iopm"):
        os.makedirs(os.path.join(tree, sub))
    # One gzip member holding both cpio archives: GRUB unzips a gzip'ed
    # module itself and sizes it from the gzip trailer, so two concatenated
    # members reached the VMM as the first one cut at the second's size.
    cpio = b""
    for part in (base, overlay):
        with open(part, "rb") as f:
            cpio += gzip.decompress(f.read())
    with open(os.path.join(tree, "iopm", "initramfs.cpio.gz"), "wb") as out:
        out.write(gzip.compress(cpio, mtime=0))
    # The same tree as the Makefile's ISO rule.
    shutil.copy(os.path.join(lib.REPO, "build", "coopvmm.elf"), os.path.join(tree, "boot", "coopvmm.elf"))
    shutil.copy(os.path.join(lib.REPO, "boot", "grub.cfg"), os.path.join(tree, "boot", "grub", "grub.cfg"))
    shutil.copy(os.path.join(lib.REPO, "build", "iopm", "vmlinuz"), os.path.join(tree, "iopm", "vmlinuz"))
    r = subprocess.run(["grub-mkrescue", "-o", iso, tree], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if r.returncode != 0:
        t.fail("hostile_iso", "grub-mkrescue failed: %s" % r.stdout.decode("utf-8", "replace")[-500:])
        return None
    return iso


IOMEM_RE = re.compile(r"^( *)([0-9a-f]+)-([0-9a-f]+) : (.+)$", re.M)


def confinement_checks(t, backend, timeout, mem_mib=512):
    """From the IOPM's root shell, physical memory outside the IOPM's own
    partition must be out of reach (docs/iopm.md "Confinement ..."):
    /dev/mem probed every 64 KiB below 1 MiB and every 1 MiB above, by mmap
    (busybox devmem) and by read (dd); the kernel locked down (integrity);
    /proc/iomem shows the VMM's and the guests' RAM as busy "Unusable
    memory" and the shared zone claimed by iopm.ko."""
    # Every marker is printed as NAME-$((1))-END, so that the shell's echo
    # of the typed command (NAME-$((1))-END) does not match it.
    script = write_script([
        "expect " + PROMPT,
        # mmap: devmem exits non-zero when /dev/mem refuses
        "a=0; while [ $a -lt %d ]; do devmem $((a * 0x10000)) 32 >/dev/null 2>&1 && echo RD-$a; "
        "a=$((a + 1)); done; echo LOW-SCAN-$((1))-END" % 16,
        "expect LOW-SCAN-1-END",
        "a=1; while [ $a -lt %d ]; do v=$(devmem $((a * 0x100000)) 32 2>/dev/null) && echo RD-MIB-$a=$v; "
        "a=$((a + 1)); done; echo SCAN-$((1))-END" % mem_mib,
        "expect SCAN-1-END",
        # read(2): the VMM image (1 MiB) and the shared zone's first page
        "dd if=/dev/mem of=/tmp/p bs=4096 count=1 skip=256; echo DD-IMAGE=$?-END",
        "expect DD-IMAGE=\\d+-END",
        "s=$(sed -n 's/.*coopvmm.shared=\\(0x[0-9a-f]*\\),.*/\\1/p' /proc/cmdline); "
        "dd if=/dev/mem of=/tmp/p bs=4096 count=1 skip=$((s / 4096)); echo DD-SHARED=$?-END",
        "expect DD-SHARED=\\d+-END",
        "echo LOCKDOWN=$(cat /sys/kernel/security/lockdown 2>&1)-$((1))-END",
        "expect LOCKDOWN=.*-1-END",
        # an unsigned module (iopm.ko itself: without lockdown, "File exists")
        "insmod /lib/modules/iopm.ko; echo INSMOD=$?-END",
        "expect INSMOD=\\d+-END",
        "cat /proc/iomem; echo IOMEM-$((1))-END",
        "expect IOMEM-1-END",
    ])
    res = lib.boot(backend + "_iopm_confinement", "--backend", backend, "--cpus", "2", "--mem", str(mem_mib),
                   "--timeout", str(timeout), "--script", script)
    os.unlink(script)
    t.check("confine.script_ran", res.rc == 0, res.describe())
    c2 = res.com2.replace("\r", "")
    high = ["0x%x" % (int(n) << 20) for n in re.findall(r"^RD-MIB-(\d+)=", c2, re.M)]
    low = ["0x%x" % (int(n) << 16) for n in re.findall(r"^RD-(\d+)$", c2, re.M)]
    t.check("confine.devmem_mmap_refused", not high and not low and "SCAN-1-END" in c2,
            "/dev/mem mmap allowed at %d addresses above 1 MiB (%s) and %d below (%s)"
            % (len(high), ", ".join(high[:8]), len(low), ", ".join(low[:4])))
    for name in ("IMAGE", "SHARED"):
        m = re.search(r"^DD-%s=(\d+)-END" % name, c2, re.M)
        t.check("confine.devmem_read_refused_" + name.lower(), m and m.group(1) != "0",
                "dd from /dev/mem at the %s page: %s" % (name.lower(), m and "exit " + m.group(1)))
    m = re.search(r"^LOCKDOWN=(.*)-1-END$", c2, re.M)
    t.check("confine.locked_down", m and "[integrity]" in m.group(1),
            "/sys/kernel/security/lockdown: %r" % (m and m.group(1)))
    m = re.search(r"\n(insmod: [^\n]*)\n(?:[^\n]*\n)*?INSMOD=(\d+)-END", c2)
    t.check("confine.unsigned_module_refused", m and m.group(2) != "0" and "Operation not permitted" in m.group(1),
            "insmod of an unsigned module in the IOPM: %r" % (m and m.group(0)))
    try:
        rep = lib.parse_report(res.com1)
    except lib.ReportError as e:
        t.fail("confine.report", e)
        return res
    iomem = [(len(ind), int(a, 16), int(b, 16) + 1, what) for ind, a, b, what in IOMEM_RE.findall(c2)]
    unusable = [(a, b) for ind, a, b, what in iomem if ind == 0 and what == "Unusable memory"]
    for z in rep.zones:
        if z.name in ("image", "heap", "guest") and z.start >= 0x100000:
            t.check("confine.unusable_%s_0x%x" % (z.name, z.start),
                    any(a <= z.start and z.end <= b for a, b in unusable),
                    "zone %r is not inside an 'Unusable memory' range of the IOPM's /proc/iomem: %s"
                    % (z, ["0x%x-0x%x" % r for r in unusable]))
    # iopm.ko claims this IOPM's part of the shared zone (256 KiB per
    # IOPM, coopvmm.shared=BASE,SIZE on its command line), inside the zone.
    sh = rep.zone("shared")
    m = re.search(r"coopvmm\.shared=(0x[0-9a-f]+),(0x[0-9a-f]+)", c2)
    pa, pb = (int(m.group(1), 16), int(m.group(1), 16) + int(m.group(2), 16)) if m else (None, None)
    t.check("confine.shared_zone_claimed",
            m and sh.start <= pa < pb <= sh.end and
            any(a == pa and b == pb and what == "coopvmm shared zone" for ind, a, b, what in iomem),
            "no 'coopvmm shared zone' for the IOPM's part %s (inside the shared zone 0x%x-0x%x) in its /proc/iomem"
            % (m and m.group(0), sh.start, sh.end))
    return res


def guest_iso(t, tag, run, guests):
    """An ISO of the IOPM image (build/iso) whose VMM also starts `run`
    (its run= value), with each of `guests` (names in build/guests, or
    NAME=IMAGE for an image under another name; "NAME ARGS" gives the guest
    the command line ARGS) as a GRUB module; None (and a failed check) when
    it cannot be made."""
    d = os.path.join(lib.LOG_ROOT, tag + "-iso")
    tree, iso = os.path.join(d, "iso"), os.path.join(d, "guest.iso")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(os.path.join(lib.REPO, "build", "iso"), tree)
    os.makedirs(os.path.join(tree, "guests"))
    mods = ""
    for g in guests:
        spec, _, args = g.partition(" ")  # "NAME ARGS": its command line
        name, _, image = spec.partition("=")  # "NAME=IMAGE": the guest IMAGE under another name
        image = image or name
        elf = os.path.join(lib.REPO, "build", "guests", image + ".elf")
        if not t.check("%s.guest_elf" % tag, os.path.isfile(elf), "no %s (make guests)" % elf):
            return None
        shutil.copy(elf, os.path.join(tree, "guests"))
        mods += r"\2module2 /guests/%s.elf %s\n" % (image, (name + " " + args).strip())
    cfg = os.path.join(tree, "boot", "grub", "grub.cfg")
    with open(cfg) as f:
        text = f.read()
    text = re.sub(r"(\n(\s*)multiboot2 /boot/coopvmm.elf)\n", r"\1 run=%s\n%s" % (run, mods), text)
    with open(cfg, "w") as f:
        f.write(text)
    r = subprocess.run(["grub-mkrescue", "-o", iso, tree], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if not t.check("%s.iso" % tag, r.returncode == 0, r.stdout.decode("utf-8", "replace")[-300:]):
        return None
    return iso

