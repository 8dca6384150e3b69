#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# tools/boot --interactive (`make run`) driven like a person: its stdin and
# stdout on pipes; send() types, expect() waits for the terminal to show a
# pattern; quit() presses Ctrl-a x. For system.qemu_run and
# system.bochs_readme.
import ctypes
import os
import re
import select
import shlex
import signal
import subprocess
import time

import lib

PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent():
    """In the child: SIGTERM when the test dies (even by SIGKILL, e.g.
    tests/run's suite timeout): tools/boot then kills its emulator. The
    child has a session of its own (the terminal's), so the suite's group
    kill does not reach it."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass

PROMPT = "iopm# "
QUIT = b"\x01x"    # Ctrl-a x: tools/boot --interactive stops the emulator


class Interactive:
    """tools/boot --interactive on the real ISO with stdin and stdout on
    pipes: send() types, expect() waits for the terminal to show a pattern."""

    def __init__(self, name, *args, backend="qemu", limit=240, iso=None):
        self.log_dir = os.path.join(lib.LOG_ROOT, name)
        self.limit = limit   # seconds: a bound for a stuck boot, not a wait
        self.argv = [lib.BOOT, "--log-dir", os.path.relpath(self.log_dir, lib.REPO), "--backend", backend,
                     "--interactive"] + list(args) + [iso or lib.ISO]
        print("# %s" % " ".join(shlex.quote(os.path.relpath(a, lib.REPO) if a.startswith(lib.REPO) else a)
                                for a in self.argv), flush=True)
        self.start = time.monotonic()
        self.proc = subprocess.Popen(self.argv, cwd=lib.REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=die_with_parent)
        self.out = b""
        self.pos = 0      # expect() searches from here: after the last match
        self.rc = None

    def text(self):
        return self.out.decode("utf-8", "replace")

    def _read(self, until):
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], max(0.0, min(until - time.monotonic(), 0.5)))
        if not ready:
            return True
        data = os.read(fd, 65536)
        self.out += data
        return bool(data)

    def expect(self, pattern, within=None):
        """The match of PATTERN in what the terminal showed since the last
        match, waiting for it (at most until the run's limit, and `within`
        seconds from now when given: a bound for a lost line, not a wait);
        None if it never came."""
        rx = re.compile(pattern.encode())
        until = self.start + self.limit
        if within is not None:
            until = min(until, time.monotonic() + within)
        while True:
            m = rx.search(self.out, self.pos)
            if m:
                self.pos = m.end()
                return m
            if time.monotonic() > until or not self._read(until):
                return None

    def send(self, line, end=b"\n"):
        try:
            self.proc.stdin.write(line.encode() + end)
            self.proc.stdin.flush()
        except OSError:
            pass

    def quit(self):
        """Ctrl-a x, as a person leaves; return tools/boot's exit code."""
        try:
            self.proc.stdin.write(QUIT)
            self.proc.stdin.flush()
        except OSError:
            pass
        until = time.monotonic() + 60
        while self.proc.poll() is None and time.monotonic() < until:
            self._read(until)
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait()
        self.out += self.proc.stdout.read()     # the rest, up to EOF
        self.rc = self.proc.returncode
        for line in self.text().splitlines():
            print("#   %s" % line)
        print("# tools/boot exit %d after %.1f s" % (self.rc, time.monotonic() - self.start), flush=True)
        return self.rc

    def com1(self):
        return lib.read_text(os.path.join(self.log_dir, "com1.log"))
