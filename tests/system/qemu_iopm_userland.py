#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# System test: the IOPM's userland and confinement hooks under plain QEMU
# TCG without the VMM (iopm/test-qemu.sh, docs/iopm.md "Verification"):
# iopm.ko's fake and real-zone modes, iopmd, vmctl, /dev/coopvmm rules,
# suspend refused, reboot/halt/panic/sysrq-b each stopping only the IOPM CPU.
# Its own PASS/FAIL lines and closing count are passed through.
import os
import subprocess
import sys

import lib

script = os.path.join(lib.REPO, "iopm", "test-qemu.sh")
r = subprocess.run([script], cwd=lib.REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT)
out = r.stdout.decode("utf-8", "replace")
sys.stdout.write(out)
if r.returncode != 0 and "FAIL:" not in out:
    print("FAIL: system.qemu_iopm_userland.run: iopm/test-qemu.sh exited %d without a FAIL line" % r.returncode)
    print("0 passed, 1 failed")
sys.exit(1 if r.returncode else 0)
