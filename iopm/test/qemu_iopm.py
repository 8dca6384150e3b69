#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# qemu_iopm.py: the IOPM's Linux, iopm.ko (fake=1 zone), iopmd, vmctl and the
# initramfs, end to end under plain QEMU TCG (no VMM). Drives the console on
# COM2 like a person, reads guest memory through the QEMU monitor as the VMM
# would, and prints PASS/FAIL lines and "N passed, N failed" (run by
# iopm/test-qemu.sh).
"""IOPM userland test under QEMU TCG (see docs/iopm.md, "Verification")."""

import argparse
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PROMPT = "iopm# "
BOOT_TIMEOUT = 120          # s, from QEMU start to the shell prompt (TCG on a loaded host)
CMD_TIMEOUT = 120          # s, an upper bound for one shell command (TCG on a loaded host: 30 s was once too short)
BASE_APPEND = ("console=ttyS1,115200 nr_cpus=1 noapic panic=0 nokaslr reserve=0x3f8,8 "
               "8250.nr_uarts=2 rdinit=/init iopm.fake=1")

passed = failed = skipped = 0


def result(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS: %s" % name, flush=True)
    else:
        failed += 1
        print("FAIL: %s: %s" % (name, why), flush=True)
    return ok


def skip(name, why):
    global skipped
    skipped += 1
    print("SKIP: %s: %s" % (name, why), flush=True)


def abi_offsets():
    """Field offsets from shared/coopvmm_abi.h itself (never written twice)."""
    src = r'''
#include <stdio.h>
#include <stddef.h>
#include "coopvmm_abi.h"
int main(void) {
    printf("state %zu\nreason %zu\nheartbeat %zu\nnote %zu\nktx_prod %zu\nkring %u\n",
           offsetof(struct coop_iopm_ctrl, state), offsetof(struct coop_iopm_ctrl, reason),
           offsetof(struct coop_iopm_ctrl, heartbeat), offsetof(struct coop_iopm_ctrl, note),
           offsetof(struct coop_iopm_ctrl, ktx.prod), COOP_IOPM_KRING_OFF);
    printf("ROUTE_VALID %u\nROUTE_MASKED %u\nROUTE_ACTIVE %d\nROUTE_REFUSED_OWNED %d\nROUTE_PIN %d\n",
           COOP_ROUTE_VALID, COOP_ROUTE_MASKED, COOP_ROUTE_ACTIVE, COOP_ROUTE_REFUSED_OWNED,
           COOP_MSG_ROUTE_PIN);
    printf("HALTED %d\nPANICKED %d\nRUNNING %d\nREBOOT %d\nPOWEROFF %d\nHALT %d\n",
           COOP_IOPM_HALTED, COOP_IOPM_PANICKED, COOP_IOPM_RUNNING,
           COOP_HALT_REBOOT, COOP_HALT_POWEROFF, COOP_HALT_HALT);
    return 0;
}
'''
    with tempfile.TemporaryDirectory() as d:
        c, exe = os.path.join(d, "o.c"), os.path.join(d, "o")
        with open(c, "w") as f:
            f.write(src)
        subprocess.run(["gcc", "-I", os.path.join(REPO, "shared"), "-o", exe, c], check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return {k: int(v) for k, v in (line.split() for line in out.splitlines())}


class Qemu:
    """One QEMU TCG run: COM1 to a file (the VMM's port: must stay empty),
    COM2 on pipes (the IOPM console), HMP monitor on a unix socket."""

    def __init__(self, args, name, append, extra=(), initrd=None):
        self.name = name
        self.logdir = os.path.join(args.logdir, name)
        os.makedirs(self.logdir, exist_ok=True)
        self.com1 = os.path.join(self.logdir, "com1.log")
        self.monpath = os.path.join(self.logdir, "monitor.sock")
        for p in (self.com1, self.monpath):
            if os.path.exists(p):
                os.unlink(p)
        self.argv = [args.qemu, "-m", "256", "-smp", "1", "-no-reboot", "-display", "none",
                     "-kernel", args.kernel, "-initrd", initrd or args.initrd, "-append", append,
                     "-serial", "file:" + self.com1, "-serial", "stdio",
                     "-monitor", "unix:%s,server=on,wait=off" % self.monpath] + list(extra)
        self.out = ""
        self.cursor = 0
        self.lock = threading.Lock()
        self.start = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.mon = None

    def _read(self):
        while True:
            data = self.proc.stdout.read(4096)
            if not data:
                return
            with self.lock:
                self.out += data.decode("utf-8", "replace").replace("\r", "")

    def text(self):
        with self.lock:
            return self.out

    def expect(self, pattern, timeout=CMD_TIMEOUT):
        """Wait for PATTERN after the cursor; move the cursor past it. Returns the match or None."""
        rx = re.compile(pattern, re.M)
        end = time.monotonic() + timeout
        while True:
            with self.lock:
                m = rx.search(self.out, self.cursor)
                if m:
                    self.cursor = m.end()
                    return m
            if time.monotonic() > end or (self.proc.poll() is not None and not self.reader.is_alive()):
                return None
            time.sleep(0.05)

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\r")
        self.proc.stdin.flush()

    def run(self, cmd, timeout=CMD_TIMEOUT):
        """Run CMD in the IOPM shell; return (output, exit code) or (None, None)."""
        tag = "__%d__" % (int(time.monotonic() * 1000) % 100000000)
        self.send("%s; echo %s=$?=" % (cmd, tag))
        m = self.expect(r"%s=(\d+)=" % tag, timeout)
        if not m:
            return None, None
        body = self.out[:m.start()]
        start = body.rfind("%s=$?=" % tag)
        if start >= 0:
            body = body[start + len(tag) + 4:]
        else:
            # A kernel message cut the echoed command line (it prints on the
            # same console): the output starts after the "=$?=" that ends
            # the echo, after the last prompt.
            p = max(body.rfind(PROMPT), 0)
            e = body.find("=$?=", p)
            body = body[e + 4:] if e >= 0 else body[p:]
        self.expect(re.escape(PROMPT), 5)
        return body.strip("\n"), int(m.group(1))

    def monitor(self, command):
        if self.mon is None:
            self.mon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.mon.connect(self.monpath)
            self._mon_read()
        self.mon.sendall(command.encode() + b"\n")
        return self._mon_read()

    def _mon_read(self):
        buf = b""
        end = time.monotonic() + 10
        while not buf.endswith(b"(qemu) ") and time.monotonic() < end:
            r, _, _ = select.select([self.mon], [], [], 0.5)
            if r:
                chunk = self.mon.recv(65536)
                if not chunk:
                    break
                buf += chunk
        return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", buf.decode("utf-8", "replace"))

    def read_u32(self, addr, count):
        out = self.monitor("xp /%dwx 0x%x" % (count, addr))
        words = []
        for line in out.splitlines():
            m = re.match(r"\s*([0-9a-f]+):((?:\s+0x[0-9a-f]+)+)\s*$", line)
            if m:
                words += [int(w, 16) for w in m.group(2).split()]
        return words[:count]

    def read_str(self, addr, size):
        out = self.monitor("xp /%dbx 0x%x" % (size, addr))
        data = bytearray()
        for line in out.splitlines():
            m = re.match(r"\s*([0-9a-f]+):((?:\s+0x[0-9a-f]+)+)\s*$", line)
            if m:
                data += bytes(int(b, 16) for b in m.group(2).split())
        return data[:size].split(b"\0")[0].decode("ascii", "replace")

    def alive_after(self, seconds):
        try:
            self.proc.wait(seconds)
            return False
        except subprocess.TimeoutExpired:
            return True

    def stop(self):
        if self.mon:
            self.mon.close()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(5)
        with open(os.path.join(self.logdir, "com2.log"), "w") as f:
            f.write(self.text())

    def boot(self):
        """Wait for the prompt; return the fake zone's physical base or None."""
        if not self.expect(re.escape(PROMPT), BOOT_TIMEOUT):
            return None
        m = re.search(r"iopm: shared zone 0x([0-9a-f]+) size", self.text())
        return int(m.group(1), 16) if m else None


def vmctl_info(q):
    out, rc = q.run("vmctl info")
    if rc != 0:
        return None, out
    m = re.search(r"heartbeat (\d+),", out or "")
    return (int(m.group(1)) if m else None), out


def interrupts_irq3(q):
    out, rc = q.run("cat /proc/interrupts")
    m = re.search(r"^\s*3:\s+(\d+)\s+(\S+)\s.*$", out or "", re.M)
    return (int(m.group(1)), m.group(0)) if m else (None, out)


def main_boot(args, off):
    q = Qemu(args, "main", BASE_APPEND)
    try:
        base = q.boot()
        t = time.monotonic() - q.start
        if not result(base is not None, "shell prompt '%s' on COM2 (%.0f s)" % (PROMPT.strip(), t),
                      "no prompt within %d s; console tail: %r" % (BOOT_TIMEOUT, q.text()[-600:])):
            return
        log = q.text()
        i_mod = log.find("iopm: loaded: state MODULE")
        i_ban = log.find("coopvmm IOPM ready")
        result(0 <= i_mod < i_ban, "iopm.ko loaded before /init wrote anything (banner after it)",
               "module line at %d, banner at %d" % (i_mod, i_ban))
        for pat, name in [
            (r"iopm: shared zone 0x[0-9a-f]+ size 0x40000 \(256 KiB\): magic ok, ABI version 4",
             "module maps the zone and checks magic/version"),
            (r"iopm:   iopm ctrl  0x00002000  0x00001000", "module logs the area layout"),
            (r"iopm:   iopm kring 0x00027000  0x00001000", "module logs the kernel rings in the layout"),
            (r"iopm: kernel rings: 32 entries each at 0x27000 \(iopm.ko -> VMM\) and 0x26000 \(VMM -> iopm.ko\), "
             r"attached at prod 0 cons 0", "module attaches to its kernel rings"),
            (r"iopm: apic ids: vmm \d+, iopm 0 \(this CPU 0\).*console irq 3", "module logs apic ids and console irq"),
            (r"iopm: guarding native_machine_emergency_restart .*\(ftrace\)", "emergency-restart guard placed (ftrace kprobe)"),
            (r"iopm: route request: IRQ 3 -> vector 0x33 on APIC ID 0 \(edge\), ROUTE_PIN on the kernel ring",
             "route request for IRQ 3 on vector ISA_IRQ_VECTOR(3)=0x33 on the kernel ring"),
            (r"iopm: route IRQ 3: no VMM answer after 3000 ms to ROUTE_PIN id 1 \(kernel ring: 1 sent, the VMM took 0\)",
             "no VMM: route request times out and says so"),
            (r"iopm: self-test: a self-IPI on vector 0x33 reached IRQ 3 through the coopvmm chip",
             "vector 0x33 reaches IRQ 3's handler through the coopvmm chip"),
            (r"iopm: route IRQ 3: released; IRQ 3 is back on Linux's 8259 chip", "route released, 8259 chip restored"),
            (r"iopm: notifications from the VMM: vector 0x3a \(ISA IRQ 10, unused by Linux\), self-test ok",
             "module takes ISA IRQ 10's vector 0x3a for the VMM's notifications (self-IPI arrives)"),
            (r"iopmd\[\d+\]: started: state RUNNING", "iopmd logs its start to /dev/kmsg"),
            (r"iopmd\[\d+\]: channel: ipi mode \(spin 50 us\), notify vector 0x3a", "iopmd attaches to the rings in IPI mode"),
        ]:
            result(re.search(pat, log) is not None, name, "no /%s/ in the console log" % pat)

        hb1, info = vmctl_info(q)
        ok = info is not None and hb1 is not None
        for pat in [r"magic\s+0x444d48535f504f43 \(ok\)", r"version\s+4 \(vmctl built for 4\)",
                    r"size 0x40000 \(256 KiB\)\s+\[FAKE", r"iopm ctrl\s+0x00002000\s+0x00001000",
                    r"iopm kring\s+0x00027000\s+0x00001000",
                    r"console irq\s+3", r"state RUNNING \(2\)", r"vmm\s+heartbeat 0",
                    r"kernel rings\s+iopm\.ko sent 2 received 0 refused 0; vmm sent 0 received 0 refused 0",
                    r"routes\s+\(the VMM's view\)\n\s+\(none\)"]:
            if not re.search(pat, info or ""):
                ok = False
                result(False, "vmctl info shows the fake header", "no /%s/ in:\n%s" % (pat, info))
                break
        else:
            result(ok, "vmctl info shows the fake header, IOPM state, heartbeats, the kernel rings (request and "
                   "release sent, nothing answered) and no route")
        t0 = time.monotonic()
        q.run("sleep 2")
        hb2, _ = vmctl_info(q)
        dt = time.monotonic() - t0
        result(hb1 is not None and hb2 is not None and hb2 >= hb1 + 5,
               "heartbeat increases between two vmctl info (%s -> %s in %.1f s)" % (hb1, hb2, dt),
               "heartbeat %s -> %s" % (hb1, hb2))

        # Raw memory, as the VMM reads it: state and heartbeat at zone + iopm ctrl.
        ctrl = base + 0x2000
        w = q.read_u32(ctrl + off["state"], 1)
        hb_lo = q.read_u32(ctrl + off["heartbeat"], 1)
        result(w == [off["RUNNING"]] and hb_lo and hb_lo[0] >= hb2,
               "guest memory (QEMU monitor) has state RUNNING and the heartbeat at the ABI offsets",
               "state %s heartbeat %s" % (w, hb_lo))

        out, rc = q.run("nproc")
        result(rc == 0 and "1" in (out or "").splitlines(), "nproc is 1", "nproc: %r rc %s" % (out, rc))

        n1, line = interrupts_irq3(q)
        result(n1 is not None and "XT-PIC" in line and "ttyS1" in line,
               "cat /proc/interrupts works; IRQ 3 is the 8259's again, ttyS1 on it", "IRQ 3 row: %r" % line)
        q.run("echo typed-input-echo-check")
        n2, _ = interrupts_irq3(q)
        result(n1 is not None and n2 is not None and n2 > n1,
               "typed input is echoed and IRQ 3's count rises (%s -> %s)" % (n1, n2), "%s -> %s" % (n1, n2))

        out, rc = q.run("vmctl list")
        result(rc == 3 and "vmctl: list: fake zone (iopm.ko fake=1): no VMM to talk to" in (out or ""),
               "vmctl list (through iopmd): fake zone, no VMM to ask, exit 3", "rc %s out %r" % (rc, out))
        bad = []
        for cmd, want_rc, want in (("create /nonexistent.cfg", 66, "/nonexistent.cfg: No such file or directory"),
                                   ("create /guests/hello.cfg", 3, "no VMM to talk to"),
                                   ("stats", 64, "one guest name or id")):
            out, rc = q.run("vmctl %s" % cmd)
            if rc != want_rc or want not in (out or ""):
                bad.append("%s: rc %s out %r" % (cmd, rc, out))
        result(not bad, "vmctl create: a missing file exit 66, no VMM exit 3; stats without a guest: usage",
               "; ".join(bad))
        bad = []
        for cmd in ("pause x", "unpause x", "destroy x", "info x", "start x", "shutdown x", "stats x"):
            out, rc = q.run("vmctl %s" % cmd)
            if rc != 3 or "no VMM to talk to" not in (out or ""):
                bad.append("%s: rc %s out %r" % (cmd, rc, out))
        result(not bad, "vmctl pause/unpause/destroy/info NAME: fake zone, no VMM to ask, exit 3", "; ".join(bad))
        out, rc = q.run("vmctl console x")
        result(rc == 1 and 'no guest "x"' in (out or ""), "vmctl console of an unknown guest: exit 1, named",
               "rc %s out %r" % (rc, out))
        out, rc = q.run("vmctl ping -n 3; echo PING-RC=$?; vmctl dmesg; echo DMESG-RC=$?")
        result("PING-RC=3" in (out or "") and "no VMM to talk to" in out and "DMESG-RC=0" in out and
               "the VMM log is empty (fake zone: no VMM)" in out,
               "fake zone: vmctl ping refused (exit 3), vmctl dmesg says the VMM log is empty",
               "got:\n%s" % out)
        out, rc = q.run("vmctl --help")
        result(rc == 0 and "usage: vmctl" in (out or "") and "info" in out, "vmctl --help", "rc %s" % rc)

        out, rc = q.run("grep -i 03f8 /proc/ioports; cat /proc/tty/driver/serial")
        result(re.search(r"03f8-03ff : reserved", out or "") is not None and
               re.search(r"^0: uart:unknown port:000003F8", out or "", re.M) is not None and
               re.search(r"^1: uart:16550A port:000002F8 irq:3", out or "", re.M) is not None,
               "reserve=0x3f8,8: Linux's 8250 leaves COM1 (the VMM's log) unprobed", "got:\n%s" % out)

        out, rc = q.run("pidof iopmd")
        pid = (out or "").strip()
        q.run("kill -HUP %s" % pid)
        hb3, _ = vmctl_info(q)
        q.run("sleep 1")
        out2, _ = q.run("pidof iopmd")
        hb4, _ = vmctl_info(q)
        result(pid.isdigit() and (out2 or "").strip() == pid and hb3 is not None and hb4 is not None and hb4 > hb3
               and re.search(r"iopmd\[%s\]: SIGHUP: carrying on" % pid, q.text()) is not None,
               "iopmd survives SIGHUP (logs it, same pid, heartbeat goes on)",
               "pid %r -> %r, heartbeat %s -> %s" % (pid, out2, hb3, hb4))

        out, rc = q.run("cat /sys/power/state")
        if "mem" not in (out or ""):
            skip("suspend refused", "no 'mem' in /sys/power/state: %r" % out)
        else:
            out, rc = q.run("echo mem > /sys/power/state")
            alive, _ = q.run("echo still-here")
            result(rc != 0 and "refusing suspend/hibernate" in q.text() and "still-here" in (alive or "").splitlines(),
                   "echo mem > /sys/power/state is refused by iopm.ko (the machine does not sleep)",
                   "rc %s, alive %r" % (rc, alive))

        out, rc = q.run("zone_rw")
        lines = [l for l in (out or "").splitlines() if l.startswith("zone_rw:")]
        fails = [l for l in lines if "FAIL" in l]
        result(rc == 0 and len(lines) >= 13 and not fails,
               "/dev/coopvmm mmap rules (%d checks: IOPM areas writable, VMM pages SIGBUS, ...)" % (len(lines) - 1),
               "rc %s: %s" % (rc, "; ".join(fails) or out))

        out1, rc1 = q.run("rmmod iopm")
        q.run("kill $(pidof iopmd); sleep 0.5")
        out2, rc2 = q.run("rmmod iopm && ! test -e /dev/coopvmm && grep -c coopvmm /proc/interrupts; "
                          "insmod /lib/modules/iopm.ko fake=1 route_timeout_ms=100 && iopmd -d && sleep 1")
        hb, info = vmctl_info(q)
        bases = re.findall(r"iopm: shared zone 0x([0-9a-f]+) size", q.text())
        base = int(bases[-1], 16)   # the reloaded module allocated a new fake zone
        result(rc1 != 0 and "iopm: unloaded" in q.text() and rc2 == 0 and re.search(r"^0$", out2, re.M) and
               hb is not None and hb > 0 and "state RUNNING" in info,
               "rmmod refused while iopmd maps the zone; after iopmd stops: unload, reload, iopmd restarts",
               "rmmod rc %s, reload rc %s %r, heartbeat %s" % (rc1, rc2, out2, hb))

        size = os.path.getsize(q.com1)
        result(size == 0, "COM1 (the VMM's log port) got no byte from the IOPM's Linux",
               "%d bytes in %s" % (size, q.com1))

        # Finally: poweroff through busybox init -> reboot(2) -> iopm.ko's notifier.
        stop_check(q, base, off, "poweroff", off["HALTED"], off["POWEROFF"], "poweroff requested",
                   r"iopm: IOPM CPU stopped: state HALTED, reason poweroff")
    finally:
        q.stop()


def stop_check(q, base, off, cmd, state, reason, note_prefix, console_pat):
    """Run CMD (which must stop the IOPM's CPU), then check what the VMM would see."""
    q.send(cmd)
    m = q.expect(console_pat, 60)
    alive = q.alive_after(2)
    ctrl = base + 0x2000
    words = q.read_u32(ctrl + off["state"], 2) if alive else []
    note = q.read_str(ctrl + off["note"], 64) if alive else ""
    hb1 = q.read_u32(ctrl + off["heartbeat"], 1) if alive else []
    time.sleep(1.5)
    hb2 = q.read_u32(ctrl + off["heartbeat"], 1) if alive else []
    result(m is not None and alive and words == [state, reason] and note.startswith(note_prefix) and hb1 == hb2,
           "`%s`: only the IOPM's CPU stops (no reset/poweroff of the machine); zone says state %d reason %d "
           "note %r; heartbeat frozen" % (cmd, state, reason, note),
           "console match %s, machine alive %s, state/reason %s, note %r, heartbeat %s -> %s; tail %r"
           % (m is not None, alive, words, note, hb1, hb2, q.text()[-400:]))


def stop_boot(args, off, name, cmd, state, reason, note_prefix, console_pat, extra=""):
    q = Qemu(args, name, BASE_APPEND + " iopm.route_timeout_ms=200" + extra)
    try:
        base = q.boot()
        if not result(base is not None, "%s: boot to the prompt" % name, "no prompt; tail %r" % q.text()[-400:]):
            return
        stop_check(q, base, off, cmd, state, reason, note_prefix, console_pat)
    finally:
        q.stop()


def unguarded_sysrq_b(args):
    """The finding behind the kprobe guard: sysrq-b calls emergency_restart(),
    which never runs the reboot notifier and resets the whole machine."""
    q = Qemu(args, "sysrq-b-unguarded", BASE_APPEND + " iopm.route_timeout_ms=200 iopm.guard_emergency=0")
    try:
        base = q.boot()
        if not result(base is not None, "sysrq-b-unguarded: boot to the prompt", "no prompt"):
            return
        q.send("echo b > /proc/sysrq-trigger")
        exited = not q.alive_after(30)
        result(exited and "IOPM CPU stopped" not in q.text(),
               "finding: with guard_emergency=0, sysrq-b bypasses the reboot notifier and resets the "
               "machine (QEMU -no-reboot exited)", "QEMU still running: %s" % (not exited))
    finally:
        q.stop()

RAM_HPA = 0x7100000   # reserved (memmap=) RAM the fake VMM announces as VM 1's 1 MiB


def counts(text, who):
    m = re.search(r"^%s:\s+msgs sent (\d+) received (\d+) refused (\d+) notifies sent (\d+) received (\d+)"
                  % who, text or "", re.M)
    return tuple(int(x) for x in m.groups()) if m else None


def channel_boot(args):
    """iopm.ko's fake VMM (fake_vmm=1) answers the channel: iopmd's HELLO,
    vmctl ping/burst/mode/channel/dmesg/list, /dev/coopvmm's guest RAM
    windows (announced, refused, forged, revoked) and chan_hostile."""
    os.makedirs(args.logdir, exist_ok=True)
    pattern = os.path.join(args.logdir, "ram-pattern.bin")
    data = bytearray(0x100000)
    data[0:8] = b"COOPRAM!"
    data[0xff000:0xff008] = b"LASTPAGE"
    with open(pattern, "wb") as f:
        f.write(data)
    q = Qemu(args, "channel", BASE_APPEND + " iopm.fake_vmm=1 iopm.fake_vmm_ram=0x%x iopm.route_timeout_ms=100 "
             "memmap=0x100000$0x%x" % (RAM_HPA, RAM_HPA),
             ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (pattern, RAM_HPA)])
    try:
        base = q.boot()
        hello = r"iopmd\[\d+\]: HELLO accepted: VMM ABI version 4, epoch 1"
        if not result(base is not None and (re.search(hello, q.text()) or q.expect(hello, 30)),
                      "channel: fake VMM (fake_vmm=1) accepts iopmd's HELLO",
                      "no prompt or no HELLO accepted; tail %r" % q.text()[-600:]):
            return
        # The console's ROUTE_PIN went over the kernel rings: the fake VMM
        # forwards no interrupt and says so (REFUSED_OWNED), and the console
        # stays on the 8259, interrupt-driven.
        log = q.text()
        result(re.search(r"iopm: route IRQ 3: REFUSED: the pin has another owner \(status 2, IRQ 3, vector 0x33", log)
               and "route IRQ 3: no VMM answer" not in log,
               "channel: the fake VMM answers the console's ROUTE_PIN on the kernel ring (REFUSED_OWNED), "
               "no timeout", "no REFUSED_OWNED line for IRQ 3; tail %r" % log[-600:])
        n1, line = interrupts_irq3(q)
        out, rc = q.run("vmctl info")
        m = re.search(r"kernel rings\s+iopm\.ko sent (\d+) received (\d+) refused (\d+); "
                      r"vmm sent (\d+) received (\d+) refused (\d+)", out or "")
        k = tuple(int(x) for x in m.groups()) if m else None
        result(n1 is not None and "XT-PIC" in line and k and k[0] == 2 and k[4] == 2 and k[1] == 2 and k[3] == 2
               and k[2] == 0 and k[5] == 0,
               "channel: IRQ 3 back on the 8259; kernel rings: iopm.ko sent 2 (request, release), the fake VMM "
               "took 2 and answered 2", "IRQ 3 %r, kernel rings %s" % (line, k))
        out, rc = q.run("vmctl ping -n 200")
        m = re.search(r"notifications: sent (\d+) received (\d+)", out or "")
        result(rc == 0 and "ping: 200 PINGs answered, ipi mode" in out and
               re.search(r"round trip \(TSC cycles\): median \d+ p99 \d+ min \d+ max \d+", out) and m and
               int(m.group(1)) > 0,
               "vmctl ping -n 200 (IPI mode): 200 round trips measured, IPIs sent to the VMM",
               "rc %s:\n%s" % (rc, out))
        out, rc = q.run("vmctl ping -n 200 --poll")
        result(rc == 0 and "ping: 200 PINGs answered, poll mode" in out and
               "notifications: sent 0 received 0" in out,
               "vmctl ping -n 200 --poll: 200 round trips, no IPI either way", "rc %s:\n%s" % (rc, out))
        out, rc = q.run("vmctl burst -n 200")
        m = re.search(r"notifications: sent (\d+) \(([\d.]+) per message\)", out or "")
        result(rc == 0 and "burst: 200 PINGs, 200 PONGs" in out and m and float(m.group(2)) <= 1.0,
               "vmctl burst -n 200: every PONG back, at most one IPI per message (%s per message: the fake VMM "
               "shares the one CPU)" % (m and m.group(2)),
               "rc %s:\n%s" % (rc, out))
        out, rc = q.run("vmctl channel")
        a, b = counts(out, "iopmd"), counts(out, "vmm")
        result(rc == 0 and "snapshot: quiet" in out and a and b and a[0] == b[1] and a[1] == b[0] and
               a[0] >= 600 and a[2] == 0 and b[2] == 0,
               "vmctl channel: iopmd's sent/received equal the VMM's received/sent (%s / %s)" % (a, b),
               "rc %s:\n%s" % (rc, out))
        out, rc = q.run("vmctl mode poll && vmctl channel | grep -c '(polling)'; vmctl mode ipi")
        result(rc == 0 and re.search(r"^2$", out or "", re.M) and "mode ipi: iopmd sleeps" in out,
               "vmctl mode poll: both rings' consumers say polling; vmctl mode ipi back", "rc %s:\n%s" % (rc, out))
        out, rc = q.run("vmctl dmesg")
        result(rc == 0 and "coopvmm boot report" in (out or "") and "HELLO from pid" in out,
               "vmctl dmesg prints the (fake) VMM's log ring", "rc %s:\n%s" % (rc, out))
        out, rc = q.run("vmctl list")
        result(rc == 2 and "the VMM does not serve this request (VM_REPLY -ENOSYS)" in (out or ""),
               "vmctl list: VM_REQUEST answered -ENOSYS by the VMM: says so, exit 2", "rc %s: %r" % (rc, out))

        # Guest RAM windows (docs/iopm.md "Guest RAM windows").
        log = q.text()
        result(re.search(r"iopm: RAM_MAP: vm 1 gpa 0x0-0xfffff = hpa 0x7100000 \(1024 KiB\) announced", log) and
               re.search(r"iopm: RAM_MAP vm 2 hpa 0x[0-9a-f]+ size 0x1000: in this IOPM's own RAM or zone", log),
               "RAM_MAP: VM 1's reserved RAM accepted, VM 2's page inside the IOPM's own RAM refused",
               "no accept/refuse lines in the log")
        out, rc = q.run("ram_map 1 0 0x100000")
        result(rc == 0 and "ram_map: mapped: COOPRAM!" in (out or "") and "ram_map: last page: LASTPAGE" in out,
               "mmap of VM 1's window shows the announced host pages", "rc %s: %r" % (rc, out))
        out, rc = q.run("ram_map 1 0x100000 0x1000; ram_map 1 0xff000 0x2000; ram_map 2 0 0x1000; ram_map 3 0 0x1000")
        result((out or "").count("ram_map: mmap: No such device or address") == 4,
               "mmap past the announced range, across its end, of the refused VM 2 and of VM 3: ENXIO",
               "got %r" % out)
        out, rc = q.run("p=$(vmctl channel | sed -n 's/.*VMM ring prod \\([0-9]*\\);.*/\\1/p'); "
                        "ram_map --forge $((p - 1)) 1 0x7100000; ram_map --forge $p 1 0x7100000; "
                        "ram_map --forge 0 1 0x7100000")
        result((out or "").count("ram_map: forge: refused") == 3 and "ACCEPTED" not in out,
               "a lying iopmd (COOPVMM_IOC_RAM naming the last consumed entry, an unproduced one, the first one) is refused",
               "got %r" % out)
        out, rc = q.run("rm -f /tmp/go; ram_map 1 0 4096 --wait /tmp/go & sleep 1; "
                        "echo 1 > /sys/module/iopm/parameters/fake_vmm_remove; sleep 1; touch /tmp/go; wait $!; "
                        "echo RC=$?; ram_map 1 0 0x1000")
        result("ram_map: mapped: COOPRAM!" in (out or "") and "ram_map: SIGBUS on read" in out and "RC=2" in out and
               "ram_map: mmap: No such device or address" in out and
               "iopm: RAM_MAP: vm 1: 1 range(s) withdrawn, mappings revoked" in q.text(),
               "RAM_MAP REMOVE revokes a live mapping (SIGBUS) and later mmaps (ENXIO)", "got %r" % out)

        out, rc = q.run("kill $(pidof iopmd); sleep 0.5; chan_hostile", 180)
        lines = [l for l in (out or "").splitlines() if l.startswith(("PASS: chan_hostile", "FAIL: chan_hostile"))]
        fails = [l for l in lines if l.startswith("FAIL")]
        result(rc == 0 and len(lines) == 17 and not fails,
               "chan_hostile against the fake VMM: version 99 refused, bad type/len/VM/slot/flags/reserved and "
               "ROUTE_PIN/PIN_EOI on the wrong ring each refused and counted, PING answered after, corrupt "
               "kernel-ring prod logged and counted with the IOPM ring still served, corrupt prod logged, VMM "
               "heartbeat goes on (%d checks)" % len(lines),
               "rc %s: %s" % (rc, "; ".join(fails) or out))
    finally:
        q.stop()


ZONE_BASE, ZONE_SIZE = 0x7000000, 0x40000   # one IOPM's part (COOP_PART_SIZE)
REAL_APPEND = (BASE_APPEND.replace(" iopm.fake=1", "") +
               " coopvmm.shared=0x%x,0x%x" % (ZONE_BASE, ZONE_SIZE))


def zone_image(args, name, ack, bad_magic=False):
    """A zone's first pages as a VMM leaves them (iopm/test/mkzone.c), loaded
    into reserved guest RAM (memmap=) by QEMU's generic loader."""
    os.makedirs(args.logdir, exist_ok=True)
    path = os.path.join(args.logdir, "zone-%s.bin" % name)
    argv = [args.mkzone, path, hex(ZONE_BASE), hex(ZONE_SIZE), ack] + (["bad-magic"] if bad_magic else [])
    subprocess.run(argv, check=True)
    return ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (path, ZONE_BASE)]


def real_zone_boots(args, off):
    reserve = " memmap=0x%x$0x%x" % (ZONE_SIZE, ZONE_BASE)

    # VMM answer ACTIVE (pre-written): the real memremap path, the ACTIVE
    # branch and the kick. Plain QEMU has no VMM to forward IRQ 3 after that,
    # so the console's transmitter stalls: checked through printk and memory.
    q = Qemu(args, "real-active", REAL_APPEND + reserve, zone_image(args, "active", str(off["ROUTE_ACTIVE"])))
    try:
        m = q.expect(r"iopmd\[\d+\]: started", BOOT_TIMEOUT)
        log = q.text()
        ok = m is not None
        for pat in [r"iopm: shared zone 0x0000000007000000 size 0x40000 \(256 KiB\): magic ok, ABI version 4, header \d+ bytes\n",
                    r"iopm: clocks: tsc 1000000 kHz \(Linux uses \d+ kHz\), lapic 1000000 kHz",
                    r"iopm: apic ids: vmm 7, iopm 0 \(this CPU 0\); iopm index 0; vmm notify vector 0xf0; console irq 3",
                    r"iopm: route IRQ 3 -> vector 0x33: ACTIVE \(ROUTE_REPLY to id 1\)",
                    r"iopm: route IRQ 3: kicked once \(self-IPI on vector 0x33\)",
                    r"iopm: loaded: state MODULE\n"]:
            if not re.search(pat, log):
                ok = False
                break
        result(ok, "real zone (reserved RAM, loaded by QEMU): mapped, checked, layout logged; the VMM's "
               "ROUTE_REPLY ACTIVE on the kernel ring -> route kept and kicked once", "no /%s/ in the log" % pat)
        time.sleep(1)
        ctrl = ZONE_BASE + 0x2000
        st = q.read_u32(ctrl + off["state"], 1)
        hb1 = q.read_u32(ctrl + off["heartbeat"], 1)
        time.sleep(1.5)
        hb2 = q.read_u32(ctrl + off["heartbeat"], 1)
        # iopm.ko's kernel ring, as the VMM would read it: the request (id 1;
        # Linux still had IRQ 3 masked: the tty opens later) and, once the
        # 8250 driver unmasked it, the coalesced mask update (id 0, no wait).
        prod = q.read_u32(ctrl + off["ktx_prod"], 1)
        ent = [q.read_u32(ZONE_BASE + off["kring"] + i * 128, 8) for i in range(2)]
        v, m = off["ROUTE_VALID"], off["ROUTE_MASKED"]
        want = [[off["ROUTE_PIN"] | 16 << 16, 1, 0, 0, 3, 0x33, v | m, 0],
                [off["ROUTE_PIN"] | 16 << 16, 0, 0, 0, 3, 0x33, v, 0]]
        result(st == [off["RUNNING"]] and hb1 and hb2 and hb2[0] > hb1[0] and prod == [2] and ent == want,
               "real zone in guest memory: state RUNNING, heartbeat rising (%s -> %s); on iopm.ko's kernel ring "
               "the ROUTE_PIN request (id 1, IRQ 3, vector 0x33, VALID, MASKED) and Linux's unmask as a "
               "ROUTE_PIN update (id 0, VALID)" % (hb1, hb2),
               "state %s heartbeat %s -> %s kernel prod %s entries %s (want %s)" % (st, hb1, hb2, prod, ent, want))
    finally:
        q.stop()

    # VMM answer REFUSED_OWNED: the IRQ goes back to the 8259 and the console works.
    q = Qemu(args, "real-refused", REAL_APPEND + reserve,
             zone_image(args, "refused", str(off["ROUTE_REFUSED_OWNED"])))
    try:
        base = q.boot()
        ok = base == ZONE_BASE and re.search(r"iopm: route IRQ 3: REFUSED: the pin has another owner \(status 2, "
                                             r"IRQ 3, vector 0x33, the VMM's flags 0x0\): IRQ 3 stays on the 8259",
                                             q.text())
        result(bool(ok), "the VMM's ROUTE_REPLY REFUSED_OWNED: logged, IRQ 3 stays on the 8259, shell prompt comes",
               "zone %s, tail %r" % (base, q.text()[-500:]))
        out, rc = q.run("vmctl info")
        result(rc == 0 and "FAKE" not in out and "vmm           heartbeat 42" in out
               and re.search(r"kernel rings\s+iopm\.ko sent 2 received 1 refused 0; vmm sent 1 received 0 refused 0",
                             out)
               and "base 0x7000000 size 0x40000" in out and "clocks        tsc 1000000 kHz, lapic 1000000 kHz" in out,
               "vmctl info on the real zone: VMM heartbeat, clocks, the kernel rings (request and release sent, "
               "the VMM's one reply taken)", "rc %s:\n%s" % (rc, out))
        # Confinement (docs/iopm.md): iopm.ko claims the zone exclusively,
        # /init locks the kernel down, /dev/mem refuses the zone either way.
        out, rc = q.run("grep -i 'coopvmm' /proc/iomem; cat /sys/kernel/security/lockdown; "
                        "devmem 0x%x 32; echo devmem=$?" % ZONE_BASE)
        result(rc == 0 and re.search(r"^\s+07000000-0703ffff : coopvmm shared zone$", out or "", re.M) and
               "[integrity]" in out and re.search(r"devmem: .*Operation not permitted", out) and
               "devmem=1" in out,
               "real zone: claimed in /proc/iomem ('coopvmm shared zone'), kernel locked down (integrity), "
               "/dev/mem refuses the zone", "got:\n%s" % out)
    finally:
        q.stop()

    # A zone whose magic is wrong: iopm.ko refuses to load; /init says so and
    # still gives a shell.
    q = Qemu(args, "real-badmagic", REAL_APPEND + reserve, zone_image(args, "badmagic", "none", bad_magic=True))
    try:
        prompt = q.expect(re.escape(PROMPT), BOOT_TIMEOUT)
        log = q.text()
        result(prompt is not None and
               re.search(r"iopm: refusing the shared zone at 0x0000000007000000: magic 0x0123456789abcdef, "
                         r"expected 0x444d48535f504f43", log) is not None and
               "iopm: insmod iopm.ko shared_base=0x7000000 shared_size=0x40000 failed" in log,
               "bad magic: iopm.ko refuses with the values, /init says insmod failed, shell still comes",
               "tail %r" % log[-600:])
        out, rc = q.run("vmctl info")
        result(rc == 1 and "(is iopm.ko loaded?)" in (out or ""), "vmctl info without iopm.ko: says why, exit 1",
               "rc %s out %r" % (rc, out))
    finally:
        q.stop()

    # The zone given on the command line is ordinary RAM in Linux's e820.
    q = Qemu(args, "real-inram", REAL_APPEND)
    try:
        prompt = q.expect(re.escape(PROMPT), BOOT_TIMEOUT)
        result(prompt is not None and re.search(r"iopm: refusing the shared zone 0x0000000007000000\+0x40000: it "
                                                r"overlaps System RAM", q.text()) is not None,
               "zone inside System RAM: iopm.ko refuses it (Linux could allocate it)", "tail %r" % q.text()[-600:])
    finally:
        q.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kernel", default=os.path.join(REPO, "build", "iopm", "vmlinuz"))
    ap.add_argument("--initrd", default=os.path.join(REPO, "build", "iopm", "test", "initramfs-test.cpio.gz"))
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--logdir", default=os.path.join(REPO, "build", "test-logs", "iopm-qemu"))
    ap.add_argument("--mkzone", default=os.path.join(REPO, "build", "iopm", "test", "mkzone"))
    ap.add_argument("--quick", action="store_true", help="main boot only")
    args = ap.parse_args()
    for f in (args.kernel, args.initrd):
        if not os.path.exists(f):
            print("FAIL: setup: %s missing (run make iopm)" % f)
            print("0 passed, 1 failed")
            return 1
    off = abi_offsets()

    main_boot(args, off)
    if not args.quick:
        channel_boot(args)
        real_zone_boots(args, off)
        stop_boot(args, off, "reboot", "reboot", off["HALTED"], off["REBOOT"], "reboot requested",
                  r"iopm: IOPM CPU stopped: state HALTED, reason reboot")
        stop_boot(args, off, "halt", "halt", off["HALTED"], off["HALT"], "halt requested",
                  r"iopm: IOPM CPU stopped: state HALTED, reason halt")
        stop_boot(args, off, "panic", "echo c > /proc/sysrq-trigger", off["PANICKED"], 0,
                  "sysrq triggered crash", r"iopm: IOPM CPU stopped: state PANICKED")
        stop_boot(args, off, "sysrq-b", "echo b > /proc/sysrq-trigger", off["HALTED"], off["REBOOT"],
                  "emergency restart caught", r"iopm: IOPM CPU stopped: state HALTED, reason reboot")
        unguarded_sysrq_b(args)

    print("%d passed, %d failed%s" % (passed, failed, ", %d skipped" % skipped if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
