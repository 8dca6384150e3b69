#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: what the Multiboot v1 loader used to refuse (issue 13 item 4;
# docs/guest-platform.md "Boot", "Guest RAM"), in one Bochs boot of the test
# ISO with 4096 MiB:
# - bigmem:1920M, the largest round size Debian's Bochs 2.7 runs safely (it
#   holds at most 2048 MiB of emulated RAM in host memory, VMM and BIOS
#   included, and corrupts memory when a guest touches more: see
#   docs/guest-tests.md "bigmem"): its map has 1920 MiB less the PC hole's
#   385 KiB usable in two ranges, the last page is zero, then RAM;
# - bigmem:8G, more than the pool holds: refused with a line saying so, the
#   other guests unaffected;
# - lowlink (linked at 0x10000) and lowlink_over9000 (at 0x8000, over the
#   old information place 0x9000): loaded, the information outside the image
#   (at 0x9000 and at the first free page above the image);
# - modules: 10 modules (the old limit was 8) with 153-byte strings and a
#   204-byte command line (the old limit cut at 127), all whole;
# - boot under a 43-character name (the old limit was 31).
# Each guest must print PASS and end "[vm N NAME] exited: status 1".
import re

import lib

TEST_ISO = lib.os.environ.get("COOPVMM_TEST_ISO", lib.os.path.join(lib.REPO, "build", "coopvmm-test.iso"))
BIG_MIB = 1920
HOLE_KIB = (0x100000 - 0x9FC00) // 1024          # 0x9fc00-0xfffff: reserved and the PC hole
LONG_NAME = "boot_under_a_name_longer_than_31_characters"
SMALL = ["lowlink:2M", "lowlink_over9000:2M", "modules:4M", LONG_NAME + ":2M"]
RUN = ["bigmem:8G", "bigmem:%dM" % BIG_MIB] + SMALL


def lines_of(com1, name):
    prefix = "[guest %s] " % name
    return [line[len(prefix):] for line in com1.splitlines() if line.startswith(prefix)]


def body(t):
    if not t.check("test_iso", lib.os.path.isfile(TEST_ISO), "no %s (make build/coopvmm-test.iso)" % TEST_ISO):
        return
    res = lib.boot("bochs_loader", "--backend", "bochs", "--mem", "4096", "--timeout", "300",
                   "--append", "run=" + ",".join(RUN), "--until", "coopvmm: all guests ended", iso=TEST_ISO)
    t.check("boot", res.rc == 0, res.describe())
    com1 = res.com1
    print("#   %s took %.1f s" % (res.log_dir, res.seconds), flush=True)

    t.check("too_big_refused", re.search(r"\[guests\] error: guest bigmem: no 8192 MiB of contiguous guest RAM "
                                         r"left in the pool", com1) is not None,
            "no line refusing bigmem:8G for want of pool RAM")
    t.check("big_created", re.search(r"\[vm\] vm \d+ bigmem: %d MiB RAM at " % BIG_MIB, com1) is not None,
            "no 'vm N bigmem: %d MiB RAM' line" % BIG_MIB)

    for spec in ["bigmem"] + [s.split(":")[0] for s in SMALL]:
        out = lines_of(com1, spec)
        for line in out:
            if line.startswith("SKIP:"):
                print("#   %s: %s" % (spec, line), flush=True)
        fails = [line for line in out if line.startswith("FAIL:")]
        t.check(spec + ".no_fail_line", not fails, " | ".join(fails))
        guest = "boot" if spec == LONG_NAME else spec   # the image prints its own name
        t.check(spec + ".pass", "PASS: %s" % guest in out, "no 'PASS: %s' (see %s)" % (guest, res.log_dir))
        end = re.search(r"\[vm \d+ %s\] (exited: status (\d+)|killed: .*)" % re.escape(spec), com1)
        t.equal(spec + ".exit", end and end.group(1).split(" after")[0], "exited: status 1", "end line")

    big = lines_of(com1, "bigmem")
    ram = [re.match(r"RAM: (\d+) KiB usable in (\d+) range\(s\), top (0x[0-9a-f]+)", x) for x in big]
    ram = [m for m in ram if m]
    t.equal("bigmem.usable_kib", ram and int(ram[0].group(1)), BIG_MIB * 1024 - HOLE_KIB)
    t.equal("bigmem.ranges", ram and int(ram[0].group(2)), 2)
    t.equal("bigmem.top", ram and int(ram[0].group(3), 16), BIG_MIB << 20)
    t.check("bigmem.last_page_zero", "last page %#x: zero" % ((BIG_MIB << 20) - 0x1000) in big,
            "no 'last page ...: zero' line for the top page")

    t.check("lowlink.info_at_0x9000", "information at 0x9000-0x9034" in lines_of(com1, "lowlink"),
            "lowlink's information not at 0x9000")
    over = lines_of(com1, "lowlink_over9000")
    img = [re.match(r"image 0x8000-(0x[0-9a-f]+),", x) for x in over]
    img = [m for m in img if m]
    want = img and "information at %#x-" % ((int(img[0].group(1), 16) + 0xfff) & ~0xfff)
    t.check("lowlink_over9000.info_moved", want and any(x.startswith(want) for x in over),
            "want '%s...' (the first free page above the image)" % want)

    mods = lines_of(com1, "modules")
    t.check("modules.cmdline", "cmdline: 204 bytes" in mods, "no 'cmdline: 204 bytes'")
    t.check("modules.count", any(x.startswith("modules: 10, list at ") for x in mods), "no 'modules: 10'")
    whole = [x for x in mods if re.match(r"module \d: .* 153 bytes: 'm\d\d\.\.\.'", x)]
    t.equal("modules.strings_whole", len(whole), 10, "module lines with 153-byte strings")


lib.Test("system.bochs_loader").run(body)
