#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test (issue 16: "when the emulator gives the machine a disk, the
# IOPM's Linux drives it"), QEMU TCG: the plain ISO with tools/boot --disk
# (QEMU's primary IDE master; coopvmm.ata=1 on the IOPM kernel's line).
# In the IOPM: iopm.ko asked the VMM for IRQs 14 and 15 and got them,
# ata_piix and sd_mod found the disk as /dev/sda with the image's size, and
# 64 KiB of random bytes written to it with O_DIRECT at a sector offset come
# back the same. After the boot the test reads the image file itself: the
# bytes are there, at that offset -- they went through the VMM-routed IDE
# interrupts to the emulator's disk.
import hashlib
import os
import re

import _iopm
import lib

CYLINDERS = 4
SIZE = CYLINDERS * 16 * 63 * 512
OFFSET_SECTORS = 1000
DISK = os.path.join(lib.LOG_ROOT, "qemu_machine_disk.img")


def script():
    return ["expect " + _iopm.PROMPT,
            "i=0; until [ -b /dev/sda ] || [ $i -ge 120 ]; do sleep 1; i=$((i+1)); done; "
            "echo SDA$((1))=$(cat /sys/block/sda/size); dmesg | grep 'route IRQ 1[45] .*ACTIVE' | "
            "sed 's/^/ROUTE: /'; echo A-$((1))-END",
            r"expect A-1-END",
            "dd if=/dev/urandom of=/tmp/r bs=64k count=1 2> /dev/null && "
            "dd if=/tmp/r of=/dev/sda bs=512 seek=%d oflag=direct 2> /dev/null && "
            "dd if=/dev/sda of=/tmp/r2 bs=512 skip=%d count=128 iflag=direct 2> /dev/null && "
            "md5sum /tmp/r /tmp/r2 | sed 's/ .*//;s/^/MD5: /'; "
            "grep -E '^ *14:' /proc/interrupts | sed 's/^/IRQ14: /'; echo B-$((1))-END"
            % (OFFSET_SECTORS, OFFSET_SECTORS),
            r"expect B-1-END"]


def body(t):
    if not lib.need_iso(t):
        return
    os.makedirs(lib.LOG_ROOT, exist_ok=True)
    with open(DISK, "wb") as f:
        f.truncate(SIZE)
    path = _iopm.write_script(script())
    res = lib.boot("qemu_machine_disk", "--backend", "qemu", "--cpus", "2", "--timeout", "300",
                   "--disk", DISK, "--script", path)
    c2 = res.com2.replace("\r", "")
    t.check("script_ran", res.rc == 0, res.describe())
    t.equal("sda_sectors", (re.search(r"SDA1=(\d+)", c2) or [None, None])[1], str(SIZE // 512))
    t.equal("irqs_14_15_routed", sorted(re.findall(r"^ROUTE: .*route IRQ (1[45]) -> vector 0x3[ef]: ACTIVE",
                                                   c2, re.M)), ["14", "15"])
    sums = re.findall(r"^MD5: ([0-9a-f]{32})", c2, re.M)
    t.check("direct_write_reads_back", len(sums) == 2 and sums[0] == sums[1], "md5 written/read: %r" % sums)
    m = re.search(r"^IRQ14: +14: +(\d+) +coopvmm +-edge +ata_piix", c2, re.M)
    t.check("irq14_forwarded", m is not None and int(m.group(1)) > 0, "IRQ 14 in /proc/interrupts: %r"
            % (m and m.group(0)))
    with open(DISK, "rb") as f:
        f.seek(OFFSET_SECTORS * 512)
        data = f.read(65536)
    t.check("bytes_in_the_image_file", len(sums) == 2 and hashlib.md5(data).hexdigest() == sums[0],
            "md5 of the image at sector %d: %s, the IOPM wrote %s" % (OFFSET_SECTORS, hashlib.md5(data).hexdigest(),
                                                                  sums[0] if sums else None))

lib.Test("system.qemu_machine_disk").run(body)
