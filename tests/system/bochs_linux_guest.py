#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# tests/run: timeout 3000
# System test (issue 16 point 1, Linux guests), Bochs: one boot of the
# Linux-guest image (`make linux-guest-iso`: the plain image with
# tests/linux-guest/linux.cfg, the IOPM's own kernel and a small busybox
# initramfs in the IOPM's /guests). In the IOPM's shell, `vmctl create
# /guests/linux.cfg` loads the bzImage with the Linux loader
# (vmm/vm/linux_loader.c in iopmd) and starts it at its 64-bit entry
# (COOP_VM_BOOT_LINUX64); the guest kernel's console lines arrive on its
# COM1 (`vmctl console linux`): "Linux version", its command line, and the
# e820 map the loader gave it; it brings up its second vCPU and its
# initramfs's /init runs. Its virtio disk is the machine's IDE disk, driven
# by the IOPM's Linux; a second boot of the whole machine finds on that disk
# what the guest wrote.
import os
import re

import _iopm
import lib
from _interactive import PROMPT, Interactive

ISO = os.path.join(lib.REPO, "build", "coopvmm-linux-guest.iso")
# The machine's disk (tools/boot --disk: Bochs's primary IDE slave), which
# IOPM 0 drives (coopvmm.ata=1) and serves to the guest as its virtio disk
# (linux.cfg: disk = /dev/sda). 20 cylinders of 16 x 63 sectors.
DISK = os.path.join(lib.LOG_ROOT, "bochs_linux_guest-disk.img")
DISK_SECTORS = 20 * 16 * 63
README_LIMIT = 2400  # seconds: bounds for a stuck run, not waits
STEP_LIMIT = 300
GUEST_BOOT_LIMIT = 1200
CTRL_RBRACKET = "\x1d"


def wait_init(n, name="linux"):
    """Wait until the guest's /init said so (or it ended), in the IOPM's
    shell; if it never does (10 minutes of the emulator's time), what the
    guest, iopmd and the VMM say."""
    return ["i=0; until vmctl console %s < /dev/null | grep -qE 'LINUX-GUEST-INIT|Kernel panic' || "
            "! vmctl info %s > /dev/null 2>&1 || [ $i -ge 600 ]; "
            "do sleep 1; i=$((i+1)); done; if [ $i -ge 600 ]; then vmctl console %s < /dev/null | tail -40; "
            "dmesg | tail -30; vmctl stats %s; vmctl virtio; fi; echo INIT%d-$((1))-END" % (name, name, name, name, n),
            r"expect INIT%d-1-END" % n]


def in_guest(cmds, name="linux"):
    """Attach to the guest's console (interactive: the IOPM's shell is on a
    terminal), type each (command, marker regex) into its shell, detach."""
    out = ["vmctl console %s" % name,
           r"expect vmctl: console: connected to guest %s \(vm \d+\); Ctrl-\] detaches" % name,
           # The shell's prompt: it was printed before we attached, so ask again.
           "echo GUEST-$((4+4))-UP",
           r"expect GUEST-8-UP"]
    for cmd, marker in cmds:
        out += [cmd, "expect " + marker]
    return out + [r"send-raw \x1d", "expect " + _iopm.PROMPT]


DD_REQS = 200  # 4 KiB direct reads per mode: one request each


def modes_script():
    """The same 4 KiB direct reads in each of iopmd's virtio modes, with
    iopmd's counters (vmctl virtio) and the VMM's (vmctl stats) before and
    after each (the figures: tools/bench --linux)."""
    out = []
    for i, mode in enumerate(["notify", "poll", "adaptive"]):
        out += ["vmctl virtio %s > /dev/null; vmctl virtio | sed 's/^/%s0: /'; "
                "vmctl stats linux | sed 's/^/%s0: /'; echo M%d-$((1))-END" % (mode, mode, mode, i),
                r"expect M%d-1-END" % i]
        out += in_guest([("dd if=/dev/vda of=/dev/null bs=4k count=%d skip=%d iflag=direct 2> /dev/null; "
                          "echo D%d-$((1))-END" % (DD_REQS, i * DD_REQS, i), r"D%d-1-END" % i)])
        out += ["vmctl virtio | sed 's/^/%s1: /'; vmctl stats linux | sed 's/^/%s1: /'; "
                "echo N%d-$((1))-END" % (mode, mode, i), r"expect N%d-1-END" % i]
    return out


def blk_counters(text, tag):
    """virtio-blk's counters in the `vmctl virtio` lines tagged `tag`."""
    lines = "\n".join(l[len(tag) + 2:] for l in text.splitlines() if l.startswith(tag + ": "))
    m = re.search(r"virtio-blk: \S+ (\w+), reads (\d+) writes (\d+) .* kicks (\d+), polled (\d+), "
                  r"to-poll (\d+) to-notify (\d+)", lines)
    if not m:
        return None
    return {"polling": m.group(1) == "polling", "reads": int(m.group(2)), "kicks": int(m.group(4)),
            "polled": int(m.group(5)), "to_poll": int(m.group(6))}


def script():
    return ["expect " + _iopm.PROMPT,
            "until vmctl list > /dev/null 2>&1; do sleep 1; done; echo READY-$((1))-END",
            r"expect READY-1-END",
            # The guest's virtio disk: the machine's IDE disk, which the
            # IOPM's Linux drives (its routed IRQs 14 and 15; the probe is
            # asynchronous: wait for sda).
            "i=0; until [ -b /dev/sda ] || [ $i -ge 300 ]; do sleep 1; i=$((i+1)); done; "
            "cat /sys/block/sda/size | sed 's/^/SDA=/'; dmesg | grep 'route IRQ 1[45] .*ACTIVE' | "
            "sed 's/^/ROUTE: /'; echo DD-$((1))-END",
            r"expect DD-1-END",
            # A file the guest fetches over TCP from the IOPM (busybox httpd on br0).
            "mkdir -p /tmp/www && dd if=/dev/urandom of=/tmp/www/blob bs=1k count=256 2> /dev/null && "
            "md5sum /tmp/www/blob | sed 's/ .*//;s/^/IOPMSUM=/' && httpd -p 10.0.2.1:8080 -h /tmp/www; "
            "echo WWW-$((1))-END",
            r"expect WWW-1-END",
            "vmctl create /guests/linux.cfg; echo CREATE=$?-$((1))-END",
            r"expect CREATE=\d+-1-END",
            # The guest kernel's first lines on its COM1: iopmd keeps the
            # last 64 KiB of a console, so they are taken when they come
            # (the e820 map follows "Linux version" and the command line).
            "i=0; until vmctl console linux < /dev/null > /tmp/early; "
            "grep -q 'BIOS-e820: .mem 0x0000000000100000' /tmp/early || ! vmctl info linux > /dev/null 2>&1 "
            "|| [ $i -ge 20000 ]; do i=$((i+1)); done; sed 's/^/EARLY: /' /tmp/early; "
            "[ $i -ge 20000 ] && { dmesg | tail -30; vmctl stats linux; }; echo UP-$((1))-END",
            r"expect UP-1-END"] + wait_init(1) + [
            "vmctl console linux < /dev/null | sed 's/^/CON: /'; echo CONDONE-$((1))-END",
            r"expect CONDONE-1-END"] + in_guest([
                # The disk, its driver's interrupts (MSI-X), its PCI function.
                ("echo SIZE=$(cat /sys/block/vda/size)-$((1))-END", r"SIZE=\S*-1-END"),
                ("grep -c 'PCI-MSI.*virtio0' /proc/interrupts | sed 's/^/MSIX=/'; echo IRQ-$((1))-END",
                 r"IRQ-1-END"),
                ("cat /sys/bus/pci/devices/0000:00:02.0/vendor /sys/bus/pci/devices/0000:00:02.0/device "
                 "| tr '\\n' ' ' | sed 's/^/PCIID=/'; echo; echo ID-$((1))-END", r"ID-1-END"),
                # A file system on it, a file written, the disk synced and unmounted.
                ("mke2fs -q /dev/vda && mkdir -p /mnt && mount -t ext2 /dev/vda /mnt && "
                 "echo coopvmm-disk-$((6*7)) > /mnt/f && "
                 "dd if=/dev/urandom of=/mnt/big bs=64k count=32 2> /dev/null && "
                 "md5sum /mnt/big | sed 's/ .*//;s/^/SUM1=/' && umount /mnt; echo WRITE=$?-$((2))-END",
                 r"WRITE=\d+-2-END"),
                # virtio-net: its address on the IOPM's bridge, ping and a
                # TCP transfer (HTTP) both ways, the bytes checked by md5.
                ("ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && "
                 "ping -c 3 10.0.2.1 | grep -c 'bytes from' | sed 's/^/PINGS=/'; echo P-$((1))-END", r"P-1-END"),
                ("wget -q -O /tmp/blob http://10.0.2.1:8080/blob && md5sum /tmp/blob | "
                 "sed 's/ .*//;s/^/GUESTGOT=/'; echo G-$((1))-END", r"G-1-END"),
                ("mkdir -p /tmp/gw && dd if=/dev/urandom of=/tmp/gw/gblob bs=1k count=128 2> /dev/null && "
                 "md5sum /tmp/gw/gblob | sed 's/ .*//;s/^/GSUM=/' && httpd -p 8081 -h /tmp/gw; "
                 "echo GW-$((1))-END", r"GW-1-END"),
                # hvc0 (virtio-console): a shell on it says so through it;
                # from then on typed input goes to hvc0, and its answer
                # comes back through it.
                ("setsid sh -c 'echo HVC-UP-$((2+3)) > /dev/hvc0; exec sh -i < /dev/hvc0 > /dev/hvc0 2>&1' &",
                 r"HVC-UP-5"),
                ("echo HVC-$((5*5))-$(tty)", r"HVC-25-\S+"),
            ]) + [
            "ping -c 3 10.0.2.15 | grep -c 'bytes from' | sed 's/^/IPINGS=/'; "
            "wget -q -O /tmp/gblob http://10.0.2.15:8081/gblob && md5sum /tmp/gblob | "
            "sed 's/ .*//;s/^/IOPMGOT=/'; echo IW-$((1))-END",
            r"expect IW-1-END",
            "vmctl virtio | sed 's/^/VIRTIO: /'; echo VIO-$((1))-END",
            r"expect VIO-1-END",
            "vmctl destroy linux; echo DESTROY=$?-$((1))-END",
            r"expect DESTROY=\d+-1-END",
            # The same disk for a new guest of the same config: the file is there.
            "vmctl create /guests/linux.cfg; echo CREATE2=$?-$((1))-END",
            r"expect CREATE2=\d+-1-END"] + wait_init(2) + in_guest([
                ("mkdir -p /mnt && mount -t ext2 /dev/vda /mnt && cat /mnt/f && "
                 "md5sum /mnt/big | sed 's/ .*//;s/^/SUM2=/'; echo READ=$?-$((3))-END",
                 r"READ=\d+-3-END"),
                ("ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0; echo IP2-$((1))-END", r"IP2-1-END"),
            ]) + modes_script() + [
            # A second Linux guest beside it (linux2.cfg: one vCPU, its own
            # tap): both run, and they reach each other over br0.
            "vmctl create /guests/linux2.cfg; echo CREATE3=$?-$((1))-END",
            r"expect CREATE3=\d+-1-END"] + wait_init(3, "linux2") + in_guest([
                ("ip link set eth0 up && ip addr add 10.0.2.16/24 dev eth0 && "
                 "ping -c 3 10.0.2.15 | grep -c 'bytes from' | sed 's/^/G2G=/'; echo GG-$((1))-END", r"GG-1-END"),
                # pci=nomsi (linux2.cfg): after the ping, its virtio-net's
                # INTx line (IO-APIC pin 11, the _PRT's GSI) and its count,
                # no MSI, and the kernel found the GSI ("no GSI" otherwise).
                ("grep -E '^ *11:' /proc/interrupts | sed 's/^/INTX=/'; "
                 "echo MSI2=$(grep -c PCI-MSI /proc/interrupts)-$(dmesg | grep -c 'no GSI')-$(dmesg | wc -l); "
                 "echo IX-$((1))-END", r"IX-1-END"),
            ], "linux2") + [
            # (listed before the destroy: the bridge's messages about the
            # tap leaving come on this terminal and would cut the lines)
            # The IDE interrupts the VMM forwarded to the IOPM by now.
            "vmctl list | sed 's/^/BOTH: /'; grep -E '^ *1[45]:' /proc/interrupts | sed 's/^/IDEIRQ: /'; "
            "echo BL-$((1))-END",
            r"expect BL-1-END",
            "vmctl destroy linux2; echo DESTROY3=$?-$((1))-END",
            r"expect DESTROY3=\d+-1-END",
            "vmctl destroy linux; echo DESTROY2=$?-$((1))-END",
            r"expect DESTROY2=\d+-1-END"]
# (No sync in the IOPM before the machine goes: what the guest wrote must
# already be on the machine's disk, by the guest's flush at its umount --
# iopmd's fdatasync of /dev/sda.)


def readme_steps():
    """[(typed, [expected output lines])] from README.md's Linux walkthrough
    (the block from `iopm# vmctl create /guests/linux.cfg` on): the IOPM's
    commands (`iopm# `), the guest's (`/ # `), Ctrl-] (the `# Ctrl-]`
    remark); the other lines are output, in order."""
    with open(os.path.join(lib.REPO, "README.md"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "iopm# vmctl create /guests/linux.cfg")
    steps = []
    for line in lines[start:]:
        if not line.startswith("    "):
            break
        text = line[4:]
        for prompt in ("iopm# ", "/ # "):
            if text.startswith(prompt):
                steps.append((text[len(prompt):].split("#")[0].strip(), []))
                break
        else:
            if text.strip() == "# Ctrl-]":
                steps.append((CTRL_RBRACKET, []))
            else:
                steps[-1][1].append(text.strip())
    return steps


def readme_pattern(line):
    """A README output line as a regex: numbers may differ, spaces are any,
    `...` is anything."""
    out = []
    for p in re.split(r"(\.\.\.|\d+|\s+)", line):
        if p == "...":
            out.append(".*?")
        elif p.isdigit():
            out.append(r"\d+")
        elif p and p.isspace():
            out.append(r"\s+")
        elif p:
            out.append(re.escape(p))
    return "".join(out)


def reboot_and_readme(t, s1):
    """The whole machine stopped (tools/boot killed the emulator) and booted
    again with the same disk, the way `make run-linux` boots it (tools/boot
    --interactive --disk): the guest's file system is on the disk as it
    wrote it; then README.md's Linux walkthrough, typed as a person would."""
    run = Interactive("bochs_linux_guest-readme", "--disk", DISK, backend="bochs", limit=README_LIMIT, iso=ISO)
    ready = run.expect(PROMPT) is not None
    run.send("until vmctl list > /dev/null 2>&1; do sleep 1; done; i=0; until [ -b /dev/sda ] || [ $i -ge 300 ]; "
             "do sleep 1; i=$((i+1)); done; echo READY-$((6*7))-END")
    ready = ready and run.expect(r"READY-42-END") is not None
    t.check("reboot_iopm_ready", ready, "the IOPM of the second boot did not come up (%s)" % run.log_dir)
    # (the markers are made by the shell, so that the echoed command line
    # does not match them)
    run.send("mkdir -p /mnt && mount -t ext2 -o ro /dev/sda /mnt && sed \"s/^/AGAIN$((1))=/\" /mnt/f && "
             "md5sum /mnt/big | sed \"s/ .*//;s/^/SUM$((3))=/\"; umount /mnt; echo R-$((2+3))-END")
    m = ready and run.expect(r"R-5-END", within=STEP_LIMIT)
    text = run.text().replace("\r", "")
    t.equal("machine_disk_file_survives_reboot", (re.search(r"AGAIN1=(\S+)", text) or [None, None])[1],
            "coopvmm-disk-42")
    s3 = re.search(r"SUM3=([0-9a-f]{32})", text)
    t.check("machine_disk_big_file_survives_reboot", m and s1 is not None and s3 is not None
            and s1.group(1) == s3.group(1), "md5 of the 2 MiB file: written %s, after the reboot %s"
            % (s1 and s1.group(1), s3 and s3.group(1)))
    steps = readme_steps()
    t.check("readme_linux_walkthrough_found", len(steps) >= 6 and steps[0][0] == "vmctl create /guests/linux.cfg"
            and any(c == CTRL_RBRACKET for c, _ in steps), "README.md's Linux block: %r" % [c for c, _ in steps])
    in_guest = False
    for n, (cmd, expected) in enumerate(steps):
        if not ready:
            t.fail("readme_linux.step%d" % n, "not run: the IOPM was not ready")
            continue
        run.send(cmd, end=b"" if cmd == CTRL_RBRACKET else b"\n")
        missing = [e for e in expected if e and not run.expect(readme_pattern(e), within=GUEST_BOOT_LIMIT
                                                                if cmd.startswith("vmctl console") else STEP_LIMIT)]
        if cmd.startswith("vmctl console"):
            in_guest = True
        elif cmd == CTRL_RBRACKET:
            in_guest = False
        back = in_guest or run.expect(PROMPT, within=STEP_LIMIT) is not None
        t.check("readme_linux.step%d" % n, not missing and back,
                "`%s`: %s" % (cmd.replace(CTRL_RBRACKET, "Ctrl-]"), "no line like %r on the terminal" % missing[0]
                              if missing else "the prompt did not come back"))
    t.equal("readme_linux.ctrl_a_x_exit0", run.quit(), 0, "tools/boot's exit after Ctrl-a x")


def code3(c2):
    m = re.search(r"CREATE3=(\d+)-1-END", c2)
    return m and int(m.group(1))


def body(t):
    if not os.path.exists(ISO):
        t.check("linux_guest_iso_built", False, "%s missing: make linux-guest-iso" % ISO)
        return
    os.makedirs(lib.LOG_ROOT, exist_ok=True)
    with open(DISK, "wb") as f:  # a new, zeroed disk each run
        f.truncate(DISK_SECTORS * 512)
    if os.path.exists(DISK + ".lock"):  # Bochs's, left by a run killed before tools/boot removed it
        os.unlink(DISK + ".lock")
    path = _iopm.write_script(script())
    res = lib.boot("bochs_linux_guest", "--backend", "bochs", "--cpus", "2", "--timeout", "2400",
                   "--disk", DISK, "--script", path, iso=ISO)
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
    # Its virtio disk (issue 16 point 2): found on the PCI bus at 00:02.0
    # (1af4:1042, modern virtio-blk), 8 MiB = 16384 sectors, interrupts by
    # MSI-X; an ext2 file system made, written and read back by a second
    # guest made from the same config after the first was destroyed.
    t.equal("virtio_blk_pci_id", (re.search(r"PCIID=(0x\w+ 0x\w+)", c2) or [None, None])[1], "0x1af4 0x1042")
    t.equal("virtio_blk_sectors", (re.search(r"SIZE=(\d+)-1-END", c2) or [None, None])[1], str(DISK_SECTORS))
    # The machine's disk (point 2): IOPM 0's Linux drives it, its IRQs 14
    # and 15 routed by the VMM, and it served the guest's virtio disk.
    t.equal("machine_disk_in_the_iopm", (re.search(r"SDA=(\d+)", c2) or [None, None])[1], str(DISK_SECTORS))
    t.equal("machine_disk_irqs_routed", len(re.findall(r"^ROUTE: .*route IRQ 1[45] -> vector 0x3[ef]: ACTIVE",
                                                        c2, re.M)), 2)
    m = re.search(r"^IDEIRQ: +14: +(\d+) +coopvmm +-edge +ata_piix", c2, re.M)
    t.check("machine_disk_interrupts_forwarded", m is not None and int(m.group(1)) > 10,
            "IRQ 14 in the IOPM's /proc/interrupts: %r" % (m and m.group(0)))
    m = re.search(r"MSIX=(\d+)", c2)
    t.check("virtio_blk_msix", m is not None and int(m.group(1)) >= 1,
            "no PCI-MSI interrupt of virtio0 in the guest's /proc/interrupts")
    t.equal("virtio_blk_write", (re.search(r"WRITE=(\d+)-2-END", c2) or [None, None])[1], "0")
    t.equal("virtio_blk_read_back_exit", (re.search(r"READ=(\d+)-3-END", c2) or [None, None])[1], "0")
    t.check("virtio_blk_file_survives_recreate", "coopvmm-disk-42" in c2.split("CREATE2=")[-1],
            "the second guest did not read the file the first wrote")
    s1, s2 = re.search(r"SUM1=([0-9a-f]{32})", c2), re.search(r"SUM2=([0-9a-f]{32})", c2)
    t.check("virtio_blk_big_file_same_bytes", s1 is not None and s2 is not None and s1.group(1) == s2.group(1),
            "md5 of the 2 MiB file: written %s, read back %s" % (s1 and s1.group(1), s2 and s2.group(1)))
    # virtio-net (point 2): ping both ways, and a file over TCP each way
    # with the same bytes (md5) at both ends.
    t.equal("virtio_net_guest_pings_iopm", (re.search(r"PINGS=(\d+)", c2) or [None, None])[1], "3")
    t.equal("virtio_net_iopm_pings_guest", (re.search(r"IPINGS=(\d+)", c2) or [None, None])[1], "3")
    a, b = re.search(r"IOPMSUM=([0-9a-f]{32})", c2), re.search(r"GUESTGOT=([0-9a-f]{32})", c2)
    t.check("virtio_net_tcp_iopm_to_guest", a is not None and b is not None and a.group(1) == b.group(1),
            "md5 sent %s, received %s" % (a and a.group(1), b and b.group(1)))
    a, b = re.search(r"GSUM=([0-9a-f]{32})", c2), re.search(r"IOPMGOT=([0-9a-f]{32})", c2)
    t.check("virtio_net_tcp_guest_to_iopm", a is not None and b is not None and a.group(1) == b.group(1),
            "md5 sent %s, received %s" % (a and a.group(1), b and b.group(1)))
    # hvc0: the shell started on it answered through it.
    t.check("virtio_console_output", "HVC-UP-5" in c2, "nothing the guest wrote to hvc0 reached its console")
    t.equal("virtio_console_input_reaches_hvc0", (re.search(r"HVC-25-(\S+)", c2) or [None, None])[1], "/dev/hvc0")
    vio = "\n".join(l[8:] for l in c2.splitlines() if l.startswith("VIRTIO: "))
    m = re.search(r"virtio-blk: ok \w+, reads (\d+) writes (\d+) .* kicks (\d+)", vio)
    t.check("virtio_blk_counters", m is not None and int(m.group(1)) > 0 and int(m.group(2)) > 0
            and int(m.group(3)) > 0, "vmctl virtio: %r" % vio)
    t.check("virtio_console_listed", re.search(r"virtio-console: ok, hvc0 in use", vio) is not None,
            "vmctl virtio: %r" % vio)
    # Point 3: the same 200 4 KiB direct reads in each mode. Notified: a
    # kick (an MMIO exit) per request. Polling: no kick at all, every
    # request found by iopmd's loop. Adaptive: polling while the reads come.
    deltas = {}
    for mode in ("notify", "poll", "adaptive"):
        a, b = blk_counters(c2, mode + "0"), blk_counters(c2, mode + "1")
        deltas[mode] = None if a is None or b is None else {k: b[k] - a[k] for k in a if k != "polling"}
        if b is not None:
            deltas[mode]["polling_after"] = b["polling"]
    n = deltas["notify"]
    t.check("notify_mode_reads_kick", n is not None and n["reads"] >= DD_REQS and n["kicks"] >= DD_REQS
            and n["polled"] == 0, "notify: %r" % n)
    p = deltas["poll"]
    t.check("poll_mode_no_kicks", p is not None and p["reads"] >= DD_REQS and p["kicks"] == 0
            and p["polled"] >= DD_REQS and p["polling_after"], "poll: %r" % p)
    a = deltas["adaptive"]
    t.check("adaptive_mode_polls_while_busy", a is not None and a["reads"] >= DD_REQS and a["to_poll"] >= 1
            and a["kicks"] < DD_REQS // 4, "adaptive: %r" % a)
    # Two Linux guests at once (point 4): both listed running, guest to guest over br0.
    both = "\n".join(l[6:] for l in c2.splitlines() if l.startswith("BOTH: "))
    t.check("two_linux_guests_running", re.search(r"\blinux\s+running\b", both) is not None and
            re.search(r"\blinux2\s+running\b", both) is not None, "vmctl list: %r" % both)
    t.equal("second_guest_create_exit", code3(c2), 0)
    t.equal("guest_to_guest_ping", (re.search(r"G2G=(\d+)", c2) or [None, None])[1], "3")
    # linux2's virtio-net on INTx (pci=nomsi): the DSDT's _PRT gave its
    # INTA# GSI 11, which the guest's I/O APIC took level-triggered
    # (fasteoi) for virtio0, and the ping above came through it.
    m = re.search(r"INTX=\s*11:((?:\s+\d+)+)\s+IO-APIC\s+11-fasteoi\s+(\S+)", c2)
    t.check("second_guest_intx_line", m is not None and "virtio" in m.group(2) and
            sum(int(n) for n in m.group(1).split()) > 0,
            "linux2 /proc/interrupts pin 11: %r" % (m and m.group(0)))
    m = re.search(r"MSI2=(\d+)-(\d+)-(\d+)", c2)
    t.check("second_guest_no_msi_and_a_gsi", m is not None and m.group(1) == "0" and m.group(2) == "0"
            and int(m.group(3)) > 0, "linux2: PCI-MSI lines, 'no GSI' lines, kernel log lines: %r"
            % (m and m.group(0)))
    t.check("no_vmm_failure", "FATAL" not in com1 and "EXCEPTION" not in com1, "the VMM log has a failure")
    reboot_and_readme(t, s1)


lib.Test("system.bochs_linux_guest").run(body)
