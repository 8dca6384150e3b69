#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test (issue 16): the malicious virtio driver guest
# tests/guests/hostile_virtio.c on bare QEMU TCG (no coopvmm) with a real
# modern virtio-blk (-device virtio-blk-pci,disable-legacy=on), whose
# answers are the reference for iopmd's virtio-blk. The guest prints one
# "HV: NAME status=0xNN used=N req=... good_after_reset=..." line per
# scenario and "HV: done N scenarios, device alive". Checks: QEMU survives
# (the guest ends through the debug-exit port with its PASS), every
# scenario's line is there and a good read succeeds after the reset that
# follows it, the final read returns status 0 and sector 0 of the image,
# and each scenario ends as QEMU 7.2's device ends it (REFERENCE: the
# device flags NEEDS_RESET, completes the request with a status, or ignores
# it) -- which also proves the guest built the bad thing it means to. What
# iopmd's device is expected to do differently: docs/virtio.md
# "A hostile driver". Logs in build/test-logs/system/qemu_hostile_virtio/.
"""Run hostile_virtio on bare QEMU with a modern virtio-blk."""

import os
import re
import signal
import subprocess

import lib

GUEST = "hostile_virtio"
ELF = os.path.join(lib.REPO, "build", "guests", GUEST + ".elf")
LOG_DIR = os.path.join(lib.LOG_ROOT, "qemu_hostile_virtio")
TIMEOUT = 300           # seconds: a bound for a hung QEMU, not a wait (a run takes about 5 s)
SECTOR0 = b"HVDISK00"   # the image's first bytes, read back by the final request
IMAGE_SIZE = 1 << 20    # 2048 sectors

# Scenario -> what QEMU 7.2's virtio-blk does: "needs_reset" (status has
# 0x40, nothing used), "status=0xNN" (the request completed with that
# status byte, no NEEDS_RESET), "ignored" (nothing used, no NEEDS_RESET).
REFERENCE = {
    "loop": "needs_reset",              # "Looped descriptor"
    "next_oob": "needs_reset",          # "Desc next is 1000"
    "avail_ahead": "needs_reset",       # "Virtqueue size exceeded"
    "addr_fff00000": "status=0x00",     # DMA to unassigned space is dropped
    "addr_4g": "status=0x00",
    "addr_wrap": "status=0x00",
    "huge_len": "needs_reset",          # "bogus descriptor or out of resources"
    "indirect_good": "status=0x00",     # the control: indirect tables work
    "indirect_nested": "needs_reset",   # "Incorrect order for descriptors"
    "indirect_badlen": "needs_reset",   # "Invalid size for indirect buffer table"
    "read_after_write": "needs_reset",  # "Incorrect order for descriptors"
    "no_status": "needs_reset",         # "virtio-blk missing headers"
    "past_capacity": "status=0x01",     # VIRTIO_BLK_S_IOERR
    "sector_huge": "status=0x01",
    "qsize_3": "status=0x00",           # QEMU takes a size that is not a power of 2
    "queue_in_mmio": "ignored",         # the rings read 0 from the BAR: nothing available
    "kick_storm": "ignored",            # and the queue still works (still_works=ok)
}
LINE_RE = re.compile(r"^HV: (\w+) (?:setup=(.*?) )?status=0x([0-9a-f]{2})(?: used=(\d+) req=(none|0x[0-9a-f]{2}))?"
                     r"(.*?) good_after_reset=(\S+)$")


def outcome(status, used, req):
    if status & 0x40:
        return "needs_reset"
    if used and req != "none":
        return "status=" + req
    return "ignored" if not used else "used=%d req=%s" % (used, req)


def run_qemu():
    os.makedirs(LOG_DIR, exist_ok=True)
    img = os.path.join(LOG_DIR, "hv.img")
    with open(img, "wb") as f:
        f.write(SECTOR0 + bytes(IMAGE_SIZE - len(SECTOR0)))
    com1 = os.path.join(LOG_DIR, "com1.log")
    if os.path.exists(com1):
        os.unlink(com1)
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-cpu", "max", "-m", "64", "-nodefaults",
           "-display", "none", "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-serial", "file:" + com1,
           "-device", "virtio-blk-pci,drive=d0,disable-legacy=on",
           "-drive", "if=none,id=d0,file=%s,format=raw" % img, "-kernel", ELF]
    with open(os.path.join(LOG_DIR, "qemu.cmd"), "w") as f:
        f.write(" ".join(cmd) + "\n")
    print("# " + " ".join(cmd), flush=True)
    with open(os.path.join(LOG_DIR, "qemu.log"), "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = None
    return rc, lib.read_text(com1).replace("\r", ""), lib.read_text(os.path.join(LOG_DIR, "qemu.log"))


def body(t):
    if not t.check("elf", os.path.isfile(ELF), "no %s (make guests)" % ELF):
        return
    rc, com1, qemu_log = run_qemu()
    for line in qemu_log.splitlines():
        print("# qemu: " + line, flush=True)
    # isa-debug-exit: status (0 << 1) | 1 after the guest's PASS; a crash or
    # abort of QEMU is a signal (negative) or another status.
    t.equal("qemu_survived", rc, 1, "QEMU exit status (1: the guest's PASS through debug-exit)")
    t.check("device_found", re.search(r"^HV: virtio-blk at 00:[0-9a-f]{2}\.0$", com1, re.M),
            "no 'HV: virtio-blk at' line (%s)" % LOG_DIR)
    t.check("no_fail_line", not re.search(r"^(FAIL|SKIP):", com1, re.M),
            "the guest printed %r" % lib.lines_matching(com1, r"^(FAIL|SKIP):"))
    seen = {}
    for line in com1.splitlines():
        m = LINE_RE.match(line)
        if m:
            seen[m.group(1)] = m
    for name, want in REFERENCE.items():
        m = seen.get(name)
        if not t.check(name + ".line", m, "no line 'HV: %s status=...' (%s)" % (name, LOG_DIR)):
            continue
        t.check(name + ".setup", m.group(2) is None, "the driver's set-up failed: %s" % m.group(2))
        t.equal(name + ".good_after_reset", m.group(7), "ok", "a good read after the reset")
        status = int(m.group(3), 16)
        used = int(m.group(4) or 0)
        got = outcome(status, used, m.group(5) or "none")
        print("# reference %s: %s (%s)" % (name, got, m.group(0)[4:]), flush=True)
        t.equal(name + ".reference", got, want, "what QEMU's device did")
    if "qsize_3" in seen:
        t.check("qsize_3.readback", "qsize_readback=3" in seen["qsize_3"].group(6),
                "QEMU took queue size 3: %r" % seen["qsize_3"].group(0))
    if "kick_storm" in seen:
        t.check("kick_storm.still_works", "still_works=ok" in seen["kick_storm"].group(6),
                "a good read on the stormed queue: %r" % seen["kick_storm"].group(0))
    final = re.search(r"^HV: final_read result=(\S+) status=0x([0-9a-f]{2}) data=([0-9a-f]{16})$", com1, re.M)
    if t.check("final_read.line", final, "no 'HV: final_read' line"):
        t.equal("final_read.result", final.group(1), "ok", "the final good read")
        t.equal("final_read.data", bytes.fromhex(final.group(3)), SECTOR0, "sector 0's first bytes")
    done = re.search(r"^HV: done (\d+) scenarios, device (\w+)$", com1, re.M)
    if t.check("done.line", done, "no 'HV: done' line; last lines %r" % com1.splitlines()[-3:]):
        t.equal("done.count", int(done.group(1)), len(REFERENCE) + 1, "scenarios run (and the final read)")
        t.equal("done.alive", done.group(2), "alive", "the device after all scenarios")


lib.Test("system.qemu_hostile_virtio").run(body)
