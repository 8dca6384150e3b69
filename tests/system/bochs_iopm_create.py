#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test (issue 15, guests made from the IOPM's console), Bochs: one
# boot of the plain image (no guest on the VMM's command line); in the
# IOPM's shell, `vmctl create` makes guests from the config files in
# /guests (iopmd reads the images and loads them through the VM's RAM
# window with the VMM's own Multiboot loader), they run (iodev's device
# probes pass, ticker ticks), `vmctl list`/`stats`/`host` report them, a
# guest is created paused and started, destroyed and created again under
# the same name; each bad input (an unknown key, a missing image, a missing
# file, too much memory, a duplicate name, an image that is not Multiboot)
# is answered with its error and exit code and leaves the VMM's resources
# as they were; last, 100 create/destroy cycles leave the VMM's free guest
# memory and heap, iopm.ko's announced RAM ranges and iopmd's resident
# memory where they started.
import re

import _iopm
import lib

CYCLES = 100


def run(tag, cmd):
    """The shell line running `cmd` and the expect for its exit code."""
    return ["%s; echo %s=$?-$((1))-END" % (cmd, tag), r"expect %s=\d+-1-END" % tag]


def run_err(tag, cmd, pattern):
    """As run(), with its stderr printed after it as TAGMSG: lines (for the
    failure's message) and how many of them match the extended regular
    expression `pattern`, counted by grep in the IOPM: TAG=CODE-MATCHES-1-END
    (a kernel line on the console may cut a printed line, not the count)."""
    return ["%s 2>/tmp/e; r=$?; sed 's/^/%sMSG: /' /tmp/e; echo %s=$r-$(grep -cE '%s' /tmp/e)-$((1))-END"
            % (cmd, tag, tag, pattern), r"expect %s=\d+-\d+-1-END" % tag]


def code(c2, tag):
    m = re.search(r"%s=(\d+)-(?:\d+-)?1-END" % tag, c2)
    return int(m.group(1)) if m else None


def said(c2, tag):
    """run_err's count of message lines that matched."""
    m = re.search(r"%s=\d+-(\d+)-1-END" % tag, c2)
    return int(m.group(1)) if m else 0


def prefixed(c2, prefix):
    return "\n".join(l[len(prefix):] for l in c2.splitlines() if l.startswith(prefix))


def host(c2, prefix):
    """(guest memory free KiB, heap pages free, guests) of a `vmctl host` printed with `prefix`."""
    text = prefixed(c2, prefix)
    mem = re.search(r"guest memory free\s+(\d+) KiB", text)
    heap = re.search(r"VMM heap free\s+(\d+) pages", text)
    vms = re.search(r"guests\s+(\d+) \(", text)
    if not (mem and heap and vms):
        return None
    return int(mem.group(1)), int(heap.group(1)), int(vms.group(1))


def script():
    s = ["expect " + _iopm.PROMPT,
         # iopmd attached (its HELLO answered): vmctl list answers.
         "until vmctl list > /dev/null 2>&1; do sleep 1; done; echo READY-$((1))-END",
         r"expect READY-1-END",
         # An ended guest's RAM comes back once iopmd has said RAM_DONE.
         "held0() { until vmctl host | grep -q 'guest memory held    0 KiB'; do :; done; }",
         "vmctl host | sed 's/^/HOST0: /'; echo H0-$((1))-END", r"expect H0-1-END"]
    s += run("CREATE_TICKER", "vmctl create /guests/ticker.cfg")
    s += run("CREATE_IODEV", "vmctl create /guests/iodev.cfg")
    s += [r"expect-com1 \[vm \d+ iodev\] unclaimed io"]
    s += run("CON", "vmctl console iodev < /dev/null > /tmp/con; sed 's/^/CONSOLE: /' /tmp/con")
    s += run("LIST", "vmctl list | sed 's/^/LIST: /'")
    s += run("STATS", "vmctl stats ticker | sed 's/^/STATS: /'")
    s += ["vmctl host | sed 's/^/HOST1: /'; echo H1-$((1))-END", r"expect H1-1-END"]
    # Bad inputs: each its error; the VMM's resources unchanged after all of them.
    s += run_err("DUP", "vmctl create /guests/ticker.cfg", 'a guest named "ticker" exists already')
    s += ["printf 'name = bad\\nmemroy = 16M\\nkernel = /guests/ticker.elf\\n' > /tmp/bad1.cfg"]
    s += run_err("BADKEY", "vmctl create /tmp/bad1.cfg", "^vmctl: create: /tmp/bad1.cfg:2: .*memroy")
    s += ["printf 'name = noimg\\nkernel = /guests/nosuch.elf\\n' > /tmp/bad2.cfg"]
    s += run_err("NOIMG", "vmctl create /tmp/bad2.cfg", "/guests/nosuch.elf: No such file or directory")
    s += run_err("NOFILE", "vmctl create /tmp/nosuch.cfg", "/tmp/nosuch.cfg: No such file or directory")
    s += ["printf 'name = huge\\nmemory = 64G\\nkernel = /guests/ticker.elf\\n' > /tmp/bad3.cfg"]
    s += run_err("HUGE", "vmctl create /tmp/bad3.cfg",
                 "not enough guest memory: huge needs 65536 MiB in one block, the VMM has [0-9]+ MiB free")
    s += ["printf 'name = notmb\\nkernel = /guests/ticker.cfg\\n' > /tmp/bad4.cfg"]
    s += run_err("NOTMB", "vmctl create /tmp/bad4.cfg", "kernel /guests/ticker.cfg: .*destroyed again")
    s += ["until ! vmctl info notmb > /dev/null 2>&1; do :; done; held0; "
          "vmctl host | sed 's/^/HOST2: /'; vmctl list | sed 's/^/LIST2: /'; echo H2-$((1))-END",
          r"expect H2-1-END"]
    # Created paused, then started.
    s += ["printf 'name = later\\nmemory = 4M\\nkernel = /guests/ticker.elf\\n' > /tmp/later.cfg"]
    s += run("PCREATE", "vmctl create --paused /tmp/later.cfg")
    s += run("PLIST", "vmctl list | grep later | sed 's/^/PLIST: /'")
    s += run("SHUT_CREATED", "vmctl shutdown later 2>/dev/null")
    s += run("START", "vmctl start later")
    s += run("START2", "vmctl start later 2>/dev/null")
    s += ["until [ $(vmctl console later < /dev/null | grep -c tick) -gt 2 ]; do :; done; "
          "echo LATERTICKS-$((1))-END", r"expect LATERTICKS-1-END"]
    s += run("DLATER", "vmctl destroy later")
    # Asked to shut down: hello handles the power button and powers off (S5).
    s += run("CREATE_HELLO", "vmctl create /guests/hello.cfg")
    s += ["until vmctl console hello < /dev/null | grep -q 'power button powers me off'; do :; done; "
          "echo HELLOUP-$((1))-END", r"expect HELLOUP-1-END"]
    s += run("SHUTDOWN", "vmctl shutdown hello")
    s += [r"expect-com1 \[vm \d+ hello\] unclaimed io",
          "vmctl console hello < /dev/null | sed 's/^/HELLOCON: /'; echo HC-$((1))-END", r"expect HC-1-END"]
    # Destroyed and created again under the same name.
    s += run("DTICK", "vmctl destroy ticker")
    s += ["until ! vmctl info ticker > /dev/null 2>&1; do :; done; echo GONE-$((1))-END", r"expect GONE-1-END"]
    s += run("RECREATE", "vmctl create /guests/ticker.cfg")
    s += ["until [ $(vmctl console ticker < /dev/null | grep -c tick) -gt 2 ]; do :; done; "
          "echo NEWTICKS-$((1))-END", r"expect NEWTICKS-1-END"]
    # A malicious virtio driver (tests/guests/hostile_virtio.c) against
    # iopmd's virtio-blk, beside ticker: bad chains, addresses outside its
    # RAM, a kick storm; iopmd and ticker go on.
    s += ["printf HVDISK00 > /tmp/hv.img; dd if=/dev/zero bs=512 count=7 >> /tmp/hv.img 2> /dev/null; "
          "echo HVIMG-$((1))-END", r"expect HVIMG-1-END"]
    s += run("CREATE_HV", "vmctl create /guests/hostile_virtio.cfg")
    s += ["i=0; until vmctl console hostile-virtio < /dev/null | grep -q 'HV: done' || "
          "! vmctl info hostile-virtio > /dev/null 2>&1 || [ $i -ge 900 ]; do sleep 1; i=$((i+1)); done; "
          "vmctl console hostile-virtio < /dev/null | sed 's/^/HVCON: /'; vmctl virtio | sed 's/^/HVVIO: /'; "
          "echo HVDONE-$((1))-END", r"expect HVDONE-1-END"]
    s += ["a=$(vmctl console ticker < /dev/null | grep tick | tail -1); "
          "until [ \"$(vmctl console ticker < /dev/null | grep tick | tail -1)\" != \"$a\" ]; do :; done; "
          "echo TICKAFTER-$((1))-END", r"expect TICKAFTER-1-END"]
    s += run("DHV", "vmctl destroy hostile-virtio 2> /dev/null")  # (it ends itself after its PASS)
    s += run("DTICK2", "vmctl destroy ticker")
    s += ["until ! vmctl info ticker > /dev/null 2>&1 && ! vmctl info later > /dev/null 2>&1 && "
          "! vmctl info hostile-virtio > /dev/null 2>&1; do :; done; "
          "held0; echo ALLGONE-$((1))-END", r"expect ALLGONE-1-END"]
    # The leak test.
    s += ["printf 'name = leak\\nmemory = 2M\\nkernel = /guests/ticker.elf\\n' > /tmp/leak.cfg",
          "vmctl host | sed 's/^/HOSTA: /'; vmctl channel | grep -o 'ram ranges [0-9]*' | sed 's/^/RAMA: /'; "
          "grep VmRSS /proc/$(pidof iopmd)/status | sed 's/^/RSSA: /'; echo HA-$((1))-END",
          r"expect HA-1-END",
          "cycles() { i=0; while [ $i -lt $1 ]; do vmctl create /tmp/leak.cfg > /dev/null || break; "
          "vmctl destroy leak > /dev/null || break; while vmctl info leak > /dev/null 2>&1; do :; done; "
          "i=$((i+1)); done; echo $i; }",
          "echo HALF1=$(cycles %d)-$((1))-END" % (CYCLES // 2),
          r"expect HALF1=\d+-1-END",
          "grep VmRSS /proc/$(pidof iopmd)/status | sed 's/^/RSSH: /'; echo HH-$((1))-END",
          r"expect HH-1-END",
          "echo HALF2=$(cycles %d)-$((1))-END" % (CYCLES - CYCLES // 2),
          r"expect HALF2=\d+-1-END",
          "held0; echo HELD0-$((1))-END", r"expect HELD0-1-END",
          "vmctl host | sed 's/^/HOSTB: /'; vmctl channel | grep -o 'ram ranges [0-9]*' | sed 's/^/RAMB: /'; "
          "grep VmRSS /proc/$(pidof iopmd)/status | sed 's/^/RSSB: /'; echo HB-$((1))-END",
          r"expect HB-1-END",
          r"expect-com1 \[vmm\] alive"]
    return s


HV_SCENARIOS = ["loop", "next_oob", "huge_len", "indirect_nested", "indirect_badlen", "read_after_write",
                "avail_ahead", "addr_fff00000", "addr_4g", "addr_wrap", "indirect_good", "no_status",
                "past_capacity", "sector_huge", "qsize_3", "queue_in_mmio", "kick_storm"]


def hostile_virtio_checks(t, c2):
    """issue 16 point 4: the malicious driver leaves iopmd and the other
    guests running; each scenario's device answer, then a good request."""
    t.equal("hostile_virtio.created", code(c2, "CREATE_HV"), 0)
    con = prefixed(c2, "HVCON: ")
    t.check("hostile_virtio.done", re.search(r"HV: done \d+ scenarios, device alive", con) is not None,
            "no 'HV: done' line: %r" % con[-600:])
    for sc in HV_SCENARIOS:
        m = re.search(r"HV: %s \S.*" % sc, con)
        t.check("hostile_virtio.%s" % sc, m is not None and "good_after_reset=ok" in m.group(0),
                m.group(0) if m else "no line for %s" % sc)
    # Buffers outside its RAM: refused (NEEDS_RESET), never followed.
    for sc in ("addr_fff00000", "addr_4g", "addr_wrap", "loop", "next_oob"):
        m = re.search(r"HV: %s status=0x(\w+)" % sc, con)
        t.check("hostile_virtio.%s_needs_reset" % sc, m is not None and int(m.group(1), 16) & 0x40,
                m.group(0) if m else "no status for %s" % sc)
    # The disk's first bytes, "HVDISK00", as the guest prints them in hex.
    t.check("hostile_virtio.disk_read_back", "final_read result=ok status=0x0f data=48564449534b3030" in con,
            "the final read did not return the disk's bytes")
    t.check("hostile_virtio.guest_passed", "PASS: hostile_virtio" in con, "no PASS line")
    t.check("hostile_virtio.ticker_runs_after", "TICKAFTER-1-END" in c2, "ticker stopped")


def body(t):
    if not lib.need_iso(t):
        return
    path = _iopm.write_script(script())
    res = lib.boot("bochs_iopm_create", "--backend", "bochs", "--cpus", "2", "--timeout", "1200",
                   "--script", path)
    com1, c2 = res.com1, res.com2.replace("\r", "")
    t.check("script_ran", res.rc == 0, res.describe())
    # Created from /guests and run.
    t.equal("create_ticker_exit", code(c2, "CREATE_TICKER"), 0)
    t.check("create_says_started", re.search(r"^ticker: created as VM \d+ and started: 16 MiB, 1 vCPU", c2, re.M)
            is not None, "no 'ticker: created as VM N and started' line")
    t.equal("create_iodev_exit", code(c2, "CREATE_IODEV"), 0)
    t.check("vmm_logged_create", re.search(r"vm \d+ iodev: created by iopm0: 16 MiB, 1 vCPU\(s\), devices 0x7", com1)
            is not None, "no 'created by iopm0' line in the VMM log")
    m = re.search(r"\[vm \d+ iodev\] (exited: status (\d+)|killed: .*)", com1)
    t.check("iodev_passed", m is not None and m.group(2) == "1", "iodev's end: %s" % (m and m.group(0)))
    con = prefixed(c2, "CONSOLE: ")
    for name, pat in [("console.pci", r"^pci: host bridge at 00:00.0"), ("console.rtc", r"^rtc: VRT set"),
                      ("console.pass", r"^PASS: iodev$")]:
        t.check(name, re.search(pat, con, re.M) is not None, "not in iodev's console:\n%s" % con[-400:])
    t.check("list_shows_ticker", re.search(r"^LIST: \d+\s+ticker\s+running\s+1\s+16\s", c2, re.M) is not None,
            "vmctl list: %s" % prefixed(c2, "LIST: "))
    st = prefixed(c2, "STATS: ")
    t.equal("stats_exit", code(c2, "STATS"), 0)
    m = re.search(r"^\s+hlt\s+(\d+)$", st, re.M)
    t.check("stats_hlt_exits", m is not None and int(m.group(1)) > 0, "stats:\n%s" % st)
    m = re.search(r"forwarded to IOPM\s+(\d+)", st)
    t.check("stats_forwarded", m is not None and int(m.group(1)) > 0, "stats:\n%s" % st)
    m = re.search(r"interrupts injected\s+(\d+)", st)
    t.check("stats_injected", m is not None and int(m.group(1)) > 0, "stats:\n%s" % st)
    # Bad inputs.
    t.equal("duplicate_exit", code(c2, "DUP"), 1)
    t.equal("duplicate_says_why", said(c2, "DUP"), 1, "message: %s" % prefixed(c2, "DUPMSG: "))
    t.equal("unknown_key_exit", code(c2, "BADKEY"), 65)
    t.equal("unknown_key_names_line", said(c2, "BADKEY"), 1, "message: %s" % prefixed(c2, "BADKEYMSG: "))
    t.equal("missing_image_exit", code(c2, "NOIMG"), 66)
    t.equal("missing_image_named", said(c2, "NOIMG"), 1, "message: %s" % prefixed(c2, "NOIMGMSG: "))
    t.equal("missing_config_exit", code(c2, "NOFILE"), 66)
    t.equal("missing_config_named", said(c2, "NOFILE"), 1, "message: %s" % prefixed(c2, "NOFILEMSG: "))
    t.equal("too_much_memory_exit", code(c2, "HUGE"), 1)
    t.equal("too_much_memory_says_why", said(c2, "HUGE"), 1, "message: %s" % prefixed(c2, "HUGEMSG: "))
    t.equal("not_multiboot_exit", code(c2, "NOTMB"), 65)
    t.equal("not_multiboot_says_why", said(c2, "NOTMB"), 1, "message: %s" % prefixed(c2, "NOTMBMSG: "))
    h1, h2 = host(c2, "HOST1: "), host(c2, "HOST2: ")
    t.check("bad_inputs_change_nothing", h1 is not None and h1 == h2, "vmctl host before %s, after %s" % (h1, h2))
    t.check("bad_inputs_listed_nothing", not re.search(r"^LIST2: \d+\s+(bad|noimg|huge|notmb)\s", c2, re.M),
            "a refused guest is listed: %s" % prefixed(c2, "LIST2: "))
    # Paused, started; destroyed, created again.
    t.equal("create_paused_exit", code(c2, "PCREATE"), 0)
    t.check("paused_listed_created", re.search(r"^PLIST: \d+\s+later\s+created\s", c2, re.M) is not None,
            "vmctl list: %s" % prefixed(c2, "PLIST: "))
    t.equal("shutdown_of_unstarted_refused", code(c2, "SHUT_CREATED"), 1)
    t.equal("start_exit", code(c2, "START"), 0)
    t.equal("start_again_refused", code(c2, "START2"), 1)
    t.check("started_guest_ticks", "LATERTICKS-1-END" in c2, "the started guest never ticked")
    t.equal("create_hello_exit", code(c2, "CREATE_HELLO"), 0)
    t.equal("shutdown_exit", code(c2, "SHUTDOWN"), 0)
    t.check("shutdown_pressed_the_button", re.search(r"vm \d+ hello: power button pressed", com1) is not None,
            "no 'power button pressed' line in the VMM log")
    t.check("shutdown_powered_off", re.search(r"\[vm \d+ hello\] powered off \(ACPI S5\)", com1) is not None,
            "hello did not power off")
    m = re.search(r"\[vm \d+ hello\] exited: status (\d+)", com1)
    t.check("shutdown_clean_exit", m is not None and m.group(1) == "0", "hello's end: %s" % (m and m.group(0)))
    hc = prefixed(c2, "HELLOCON: ")
    t.check("hello_greeted", "Hello from coopvmm guest hello" in hc, "hello's console:\n%s" % hc[-300:])
    t.check("hello_said_power_off", "power button: powering off" in hc, "hello's console:\n%s" % hc[-300:])
    t.equal("destroy_exit", code(c2, "DTICK"), 0)
    t.equal("recreate_exit", code(c2, "RECREATE"), 0)
    t.check("recreated_guest_ticks", "NEWTICKS-1-END" in c2, "the re-created ticker never ticked")
    # Resources come back.
    h1, h2 = re.search(r"HALF1=(\d+)-1-END", c2), re.search(r"HALF2=(\d+)-1-END", c2)
    t.equal("leak_cycles", h1 and h2 and int(h1.group(1)) + int(h2.group(1)), CYCLES,
            "create/destroy cycles completed")
    ha, hb = host(c2, "HOSTA: "), host(c2, "HOSTB: ")
    t.check("leak_vmm_memory_back", ha is not None and ha == hb, "vmctl host before %s, after %s" % (ha, hb))
    h0 = host(c2, "HOST0: ")
    t.check("leak_back_to_boot", h0 is not None and ha is not None and h0 == ha,
            "vmctl host at boot %s, after every guest ended %s" % (h0, ha))
    ra, rb = prefixed(c2, "RAMA: "), prefixed(c2, "RAMB: ")
    t.check("leak_iopm_ram_ranges_back", ra != "" and ra == rb, "iopm.ko's RAM ranges %r -> %r" % (ra, rb))
    sa = re.search(r"RSSA: VmRSS:\s+(\d+) kB", c2)
    sh = re.search(r"RSSH: VmRSS:\s+(\d+) kB", c2)
    sb = re.search(r"RSSB: VmRSS:\s+(\d+) kB", c2)
    if t.check("iopmd_rss_read", sa and sh and sb, "no VmRSS lines"):
        # iopmd keeps an ended guest's console (64 KiB) in its table of 32
        # until the place is needed: its resident memory grows until the
        # table has gone round once (within the first half), then not at
        # all, cycle after cycle.
        a, h, b = int(sa.group(1)), int(sh.group(1)), int(sb.group(1))
        t.check("leak_iopmd_memory_bounded", h <= a + 32 * 64 + 256,
                "iopmd VmRSS %d kB -> %d kB after %d cycles" % (a, h, CYCLES // 2))
        t.check("leak_iopmd_memory_back", b == h,
                "iopmd VmRSS %d kB after %d cycles, %d kB after %d" % (h, CYCLES // 2, b, CYCLES))
    t.check("leak_ram_held_until_unmapped", re.search(r"HOSTA: guest memory held\s+0 KiB", c2) is not None and
            re.search(r"HOSTB: guest memory held\s+0 KiB", c2) is not None, "vmctl host has no 'held 0 KiB' line")
    made = re.findall(r"vm \d+ leak: created by iopm0", com1)
    t.equal("leak_vmm_saw_every_create", len(made), CYCLES)
    hostile_virtio_checks(t, c2)
    t.check("no_vmm_failure", "FATAL" not in com1 and "EXCEPTION" not in com1, "the VMM log has a failure")


lib.Test("system.bochs_iopm_create").run(body)
