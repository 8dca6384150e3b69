#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test (issue 15, forwarding and lifecycle), Bochs: a guest whose COM1, RTC and PCI
# configuration ports are served by IOPM 0 (run=iodev:16M:1:iopm0): each of
# its accesses goes through the request path into its vCPU's slot, iopmd's
# device models answer (iopm/dev/), the vCPU resumes on the IO_DONE; its
# UART's interrupt comes back as IRQ_LINE messages. The guest (tests/guests/
# iodev.c, which passes on bare QEMU too) must pass, what it wrote must be
# in its console (vmctl console, in the IOPM's shell), and both sides must
# count the requests. In the same boot a second guest, ticker (a line every
# 20 ms), is listed, paused (its console and requests stand still while the
# VMM beats twice), unpaused (it ticks on), and destroyed (the VMM kills and
# frees it; it is no longer listed); bad requests are refused. Last, the
# IOPM panics: the VMM pauses the guest it still serves (ticker2), names it,
# and carries on. The interactive console (console.*): the IOPM's console is
# a serial terminal, so `vmctl console hello` there is interactive; the
# script types a line to the guest hello (tests/guests/hello.c), reads its
# answer, detaches with Ctrl-] (a raw 0x1d), checks the shell and the
# terminal's settings are back, attaches again (the earlier exchange in the
# backlog) and types "quit": the guest ends while attached, vmctl says so.
import re

import _iopm
import lib

GUEST = "iodev"
TICKER = "ticker"
ORPHAN = "ticker2"  # a second ticker, paused by the VMM when the IOPM panics
HELLO = "hello"    # the interactive console's guest
HELLO_NAME = "console-test"  # its Multiboot command line: the name it greets with
LINE = "hi there, a line longer than the sixteen-byte FIFO"


def console_script():
    """The interactive console's steps (console_checks reads their output)."""
    return [
        # hello starts at boot, before the IOPM's Linux: wait for its greeting.
        "until vmctl console %s < /dev/null 2>/dev/null | grep -q '^hello: type a line'; do sleep 0.2; done; "
        "echo HELLO-UP-$((1))-END" % HELLO,
        r"expect HELLO-UP-1-END",
        "stty -g > /tmp/tty0; vmctl console %s; echo ATTACH1=$?-$((1))-END" % HELLO,
        r"expect vmctl: console: connected to guest %s \(vm \d+\); Ctrl-\] detaches" % HELLO,
        r"expect hello: input by IRQ 4",  # the backlog: what it wrote before the attach
        LINE,
        r'expect hello: you typed "%s"' % LINE,
        r"send-raw \x1d",
        r"expect ATTACH1=\d+-1-END",
        "stty -g > /tmp/tty1; [ -s /tmp/tty0 ] && cmp -s /tmp/tty0 /tmp/tty1 && echo TTY1=same-$((1))-END "
        "|| echo TTY1=changed-$((1))-END",
        r"expect TTY1=\w+-1-END",
        "echo typed-$((6*7))-back",
        r"expect typed-42-back",
        # Again: the earlier exchange in the backlog; "quit" ends the guest while attached.
        "vmctl console %s; echo ATTACH2=$?-$((1))-END" % HELLO,
        r"expect vmctl: console: connected to guest %s" % HELLO,
        r'expect hello: you typed "%s"' % LINE,
        "quit",
        r"expect ATTACH2=\d+-1-END",
        "stty -g > /tmp/tty2; cmp -s /tmp/tty0 /tmp/tty2 && echo TTY2=same-$((1))-END || echo TTY2=changed-$((1))-END",
        r"expect TTY2=\w+-1-END",
        r"expect-com1 \[vm \d+ %s\] exited" % HELLO,
    ]


def console_checks(t, com1, c2):
    def step(start_re, end_re):
        return _iopm._between(c2, start_re, end_re) or ""
    first = step(r"vmctl console %s; echo ATTACH1" % HELLO, r"^ATTACH1=\d+-1-END")
    m = re.search(r"^ATTACH1=(\d+)-1-END", c2, re.M)
    t.equal("console.detach_exit", m and m.group(1), "0", "vmctl console's exit after Ctrl-]")
    t.check("console.connected", re.search(r"vmctl: console: connected to guest %s \(vm \d+\); Ctrl-\] detaches"
                                           % HELLO, first), "no 'connected' line: %r" % first[-400:])
    t.check("console.backlog_greeting", re.search(r"^Hello from coopvmm guest %s\s*$" % HELLO_NAME, first, re.M),
            "the backlog lacks the greeting with the guest's command line: %r" % first[:600])
    t.check("console.guest_input_by_irq4", "hello: input by IRQ 4, a tick every 10 s" in first,
            "the guest does not take its input by IRQ 4: %r" % first[:600])
    t.check("console.line_echoed", re.search(r"^%s\s*$" % re.escape(LINE), first, re.M),
            "the guest did not echo the typed line on a line of its own")
    t.check("console.line_answered", re.search(r'^hello: you typed "%s"\s*$' % re.escape(LINE), first, re.M),
            "no answer to the typed line: %r" % first[-600:])
    t.equal("console.tty_restored_after_detach", (re.search(r"^TTY1=(\w+)-1-END", c2, re.M) or [0, None])[1],
            "same", "stty -g before the attach and after the detach")
    t.check("console.shell_back_after_detach", re.search(r"\ntyped-42-back\r?\n", c2) is not None,
            "the shell did not run a typed command after the detach")
    second = step(r"vmctl console %s; echo ATTACH2" % HELLO, r"^ATTACH2=\d+-1-END")
    t.check("console.backlog_on_reattach", 'hello: you typed "%s"' % LINE in second,
            "the second attach does not show the earlier answer: %r" % second[:600])
    t.check("console.guest_said_bye", "hello: bye (1 line(s) answered)" in second, "no 'hello: bye': %r" % second[-600:])
    t.check("console.guest_ended_said", re.search(r"^vmctl: console: guest %s ended\s*$" % HELLO, second, re.M),
            "vmctl did not say the guest ended: %r" % second[-600:])
    m = re.search(r"^ATTACH2=(\d+)-1-END", c2, re.M)
    t.equal("console.guest_ended_exit", m and m.group(1), "1", "vmctl console's exit when the guest ended")
    t.equal("console.tty_restored_after_end", (re.search(r"^TTY2=(\w+)-1-END", c2, re.M) or [0, None])[1],
            "same", "stty -g before the attach and after the guest ended")
    m = re.search(r"\[vm \d+ %s\] (exited: status (\d+)|killed: .*)" % HELLO, com1)
    t.check("console.guest_exited_pass", m is not None and m.group(2) == "1",
            "hello's end: %s" % (m.group(0) if m else "none"))


def lifecycle_checks(t, com1, c2):
    def code(tag):
        m = re.search(r"%s=(\d+)-1-END" % tag, c2)
        return int(m.group(1)) if m else None
    t.equal("list_exit", code("LIST"), 0)
    t.check("list_shows_ticker_running",
            re.search(r"^\d+\s+%s\s+running\s+1\s+16\s+\d+" % TICKER, c2, re.M) is not None,
            "no 'ID ticker running 1 16 CPU' line in vmctl list")
    t.equal("info_exit", code("INFO"), 0)
    t.equal("pause_exit", code("PAUSE"), 0)
    t.check("pause_logged", re.search(r"vm \d+ %s: paused by iopm0" % TICKER, com1) is not None, "no VMM line")
    p1 = re.search(r"PAUSED1=guest \d+ %s: requests (\d+), .* console (\d+) bytes" % TICKER, c2)
    p2 = re.search(r"PAUSED2=guest \d+ %s: requests (\d+), .* console (\d+) bytes" % TICKER, c2)
    if t.check("paused_counts", p1 is not None and p2 is not None, "no counts around the pause"):
        t.check("pause_stops_progress", p1.groups() == p2.groups(),
                "requests/console bytes moved while paused: %s -> %s" % (p1.groups(), p2.groups()))
        t.check("ticked_before_pause", int(p1.group(2)) > 20, "console bytes %s before the pause" % p1.group(2))
    t.check("info_says_paused", re.search(r"PAUSEDINFO: \d+\s+%s\s+paused" % TICKER, c2) is not None,
            "vmctl info does not say paused")
    t.equal("unpause_exit", code("UNPAUSE"), 0)
    t.check("unpause_resumes", "RESUMED-1-END" in c2, "the console did not grow after unpause")
    t.equal("destroy_exit", code("DESTROY"), 0)
    t.check("destroy_kills", re.search(r"\[vm \d+ %s\] killed: destroyed by iopm0 \(vmctl destroy\)" % TICKER, com1)
            is not None, "no 'killed: destroyed' line for the ticker")
    t.check("destroyed_not_listed", not re.search(r"^AFTER: \d+\s+%s\s" % TICKER, c2, re.M),
            "the destroyed guest is still listed")
    t.equal("info_of_destroyed_fails", code("GONE"), 1)
    t.equal("pause_unknown_fails", code("BADNAME"), 1)
    t.check("pause_unknown_says_why", 'vmctl: pause: no guest "nosuchguest"' in c2, "no message naming the guest")
    t.equal("pause_without_name_is_usage", code("NOARG"), 64)


def body(t):
    if not lib.need_iso(t):
        return
    iso = _iopm.guest_iso(t, "iopm_guests", "%s:16M:1:iopm0,%s:16M:1:iopm0,%s:16M:1:iopm0,%s:16M:1:iopm0"
                          % (GUEST, TICKER, ORPHAN, HELLO),
                          [GUEST, TICKER, ORPHAN + "=" + TICKER, HELLO + " " + HELLO_NAME])
    if not iso:
        return
    script = _iopm.write_script([
        "expect " + _iopm.PROMPT,
        r"expect-com1 \[vm \d+ %s\] (exited|killed)" % GUEST,
        r"expect-com1 \[vm \d+ %s\] device requests" % GUEST,
        "vmctl console %s < /dev/null > /tmp/con; echo CON=$?-$((1))-END" % GUEST,
        r"expect CON=\d+-1-END",
        "sed 's/^/CONSOLE: /' /tmp/con; echo CAT-$((1))-END",
        r"expect CAT-1-END",
        "vmctl channel; echo CHANNEL=$?-$((1))-END",
        r"expect CHANNEL=\d+-1-END",
        "vmctl console nosuchguest; echo NOSUCH=$?-$((1))-END",
        r"expect NOSUCH=\d+-1-END",
    ] + console_script() + [
        # The lifecycle of a running guest.
        "vmctl list; echo LIST=$?-$((1))-END",
        r"expect LIST=\d+-1-END",
        "vmctl info %s; echo INFO=$?-$((1))-END" % TICKER,
        r"expect INFO=\d+-1-END",
        "vmctl pause %s; echo PAUSE=$?-$((1))-END" % TICKER,
        r"expect PAUSE=\d+-1-END",
        "vmctl channel | grep ' %s:' > /tmp/p1; echo P1-$((1))-END" % TICKER,
        r"expect P1-1-END",
        # Two heartbeats of the VMM: at least a second, about 50 ticks.
        r"expect-com1 \[vmm\] alive",
        r"expect-com1 \[vmm\] alive",
        "vmctl channel | grep ' %s:' > /tmp/p2; echo PAUSED1=$(cat /tmp/p1); echo PAUSED2=$(cat /tmp/p2); "
        "echo P2-$((1))-END" % TICKER,
        r"expect P2-1-END",
        "vmctl info %s | tail -1 | sed 's/^/PAUSEDINFO: /'; echo PI-$((1))-END" % TICKER,
        r"expect PI-1-END",
        "vmctl unpause %s; echo UNPAUSE=$?-$((1))-END" % TICKER,
        r"expect UNPAUSE=\d+-1-END",
        "b=$(sed 's/.*console \\([0-9]*\\) bytes.*/\\1/' /tmp/p2); "
        "until [ $(vmctl channel | grep ' %s:' | sed 's/.*console \\([0-9]*\\) bytes.*/\\1/') -gt $b ]; do :; done; "
        "echo RESUMED-$((1))-END" % TICKER,
        r"expect RESUMED-1-END",
        "vmctl destroy %s; echo DESTROY=$?-$((1))-END" % TICKER,
        r"expect DESTROY=\d+-1-END",
        r"expect-com1 \[vm \d+ %s\] unclaimed io" % TICKER,
        "vmctl list | sed 's/^/AFTER: /'; vmctl info %s; echo GONE=$?-$((1))-END" % TICKER,
        r"expect GONE=\d+-1-END",
        "vmctl pause nosuchguest; echo BADNAME=$?-$((1))-END",
        r"expect BADNAME=\d+-1-END",
        "vmctl pause; echo NOARG=$?-$((1))-END",
        r"expect NOARG=\d+-1-END",
        # Last: the IOPM panics; the guest it serves is paused, the VMM goes on.
        "echo c > /proc/sysrq-trigger",
        r"expect-com1 \[iopm\] vm \d+ %s paused: its devices' IOPM \(iopm0\) panicked" % ORPHAN,
        r"expect-com1 \[vmm\] alive",
    ])
    res = lib.boot("bochs_iopm_guests", "--backend", "bochs", "--cpus", "2", "--timeout", "1200",
                   "--script", script, iso=iso)
    com1, c2 = res.com1, res.com2.replace("\r", "")
    t.check("script_ran", res.rc == 0, res.describe())
    t.check("vm_served_by_iopm0",
            re.search(r"guest %s: loaded" % GUEST, com1) is not None, "the guest was not loaded")
    m = re.search(r"\[vm \d+ %s\] (exited: status (\d+)|killed: .*)" % GUEST, com1)
    t.check("guest_passed", m is not None and m.group(2) == "1",
            "the guest's end: %s" % (m.group(0) if m else "none (%s)" % res.describe()))
    m = re.search(r"\[vm \d+ %s\] device requests (\d+), completed later (\d+), outstanding at the end (\d+)"
                  % GUEST, com1)
    if t.check("requests_line", m is not None, "no 'device requests' line"):
        later = int(m.group(2))
        t.check("completed_later", later >= 200, "only %d requests completed later (by the IOPM)" % later)
        t.equal("none_outstanding", int(m.group(3)), 0)
    t.equal("console_exit", (re.search(r"CON=(\d+)-1-END", c2) or [None, None])[1], "0", "vmctl console's exit")
    con = "\n".join(l[len("CONSOLE: "):] for l in c2.splitlines() if l.startswith("CONSOLE: "))
    for name, pat in [("console.uart", r"^uart: scratch, divisor latch, loopback MSR, FIFO IIR, loopback byte ok$"),
                      ("console.uart_irq", r"^uart: THR-empty interrupt on IRQ 4, once$"),
                      ("console.pci", r"^pci: host bridge at 00:00.0 \(class 06/00/00, header type 0\), 00:1f.7 absent$"),
                      ("console.rtc", r"^rtc: VRT set, date and time in range, the seconds move on$"),
                      ("console.pass", r"^PASS: %s$" % GUEST)]:
        t.check(name, re.search(pat, con, re.M) is not None, "not in the guest's console:\n%s" % con[-600:])
    m = re.search(r"guest requests served (\d+), refused (\d+), repeated \d+, malformed (\d+)", c2)
    if t.check("iopmd_counts", m is not None, "no 'guest requests' line from vmctl channel"):
        t.check("iopmd_served", int(m.group(1)) >= 200, "iopmd served %s" % m.group(1))
        t.equal("iopmd_refused", int(m.group(2)), 0)
        t.equal("iopmd_malformed", int(m.group(3)), 0)
    m = re.search(r"guest \d+ %s: requests (\d+), interrupt line changes (\d+)" % GUEST, c2)
    if t.check("guest_counts", m is not None, "no line for the guest in vmctl channel"):
        t.check("guest_irq_lines", int(m.group(2)) >= 2, "line changes %s (the THRE interrupt: raise, lower)" % m.group(2))
    # Its RAM announced to the IOPM at its start (each range, page-rounded)
    # and withdrawn at its end, then iopmd drops its devices.
    ann = re.findall(r"RAM_MAP: vm (\d+) gpa 0x([0-9a-f]+)-0x([0-9a-f]+) = hpa 0x[0-9a-f]+ \((\d+) KiB\) announced", c2)
    t.check("ram_announced", len(ann) >= 2 and sum(int(a[3]) for a in ann) >= 15 * 1024,
            "RAM_MAP announcements: %s" % ann)
    t.check("ram_withdrawn", re.search(r"RAM_MAP: vm \d+: \d+ range\(s\) withdrawn", c2) is not None,
            "no withdrawal of the guest's RAM")
    t.check("iopmd_dropped_devices", re.search(r"vm \d+ %s ended: its devices dropped" % GUEST, c2) is not None,
            "iopmd did not drop the ended guest's devices")
    t.check("unknown_guest_refused", re.search(r"NOSUCH=1-1-END", c2) is not None and
            "no guest \"nosuchguest\"" in c2, "vmctl console of an unknown guest")
    lifecycle_checks(t, com1, c2)
    console_checks(t, com1, c2)
    t.check("iopm_panic_pauses_its_guest",
            re.search(r"\[iopm\] vm \d+ %s paused: its devices' IOPM \(iopm0\) panicked" % ORPHAN, com1) is not None,
            "no line pausing %s when the IOPM panicked" % ORPHAN)
    t.check("iopm_panic_only_its_guests", not re.search(r"\[iopm\] vm \d+ (%s|%s) paused" % (GUEST, TICKER), com1),
            "an ended guest was paused")
    t.check("vmm_alive_after", re.search(r"\[vmm\] alive", com1[com1.rfind("panicked"):]) is not None,
            "no '[vmm] alive' after the IOPM's panic")


lib.Test("system.bochs_iopm_guests").run(body)
