#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Source checks (boot nothing): each runs a script of tools/ on the tree and
# passes when it exits 0. constants.defined_once: tools/check-constants
# (every macro defined once, architectural ones only in arch/x86);
# license.spdx_everywhere: tools/check-spdx (every source file carries its
# SPDX-License-Identifier line); docs.references_exist: tools/check-doc-refs
# (every cited .md document is in the repository); format.clang_format:
# tools/check-format (every .c/.h as clang-format writes it; make format).
# Output as the other suites (tests/system/lib.py): 'PASS: name' or
# 'FAIL: name: reason' per check, then 'N passed, N failed'.
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKS = (
    ("constants.defined_once", ["tools/check-constants"]),
    ("license.spdx_everywhere", ["tools/check-spdx"]),
    ("docs.references_exist", ["tools/check-doc-refs"]),
    ("format.clang_format", ["tools/check-format"]),
)


def main():
    passed = failed = 0
    for name, argv in CHECKS:
        try:
            res = subprocess.run([sys.executable] + [os.path.join(REPO, argv[0])] + argv[1:], cwd=REPO,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=120)
            out, rc = res.stdout.decode("utf-8", "replace"), res.returncode
        except (OSError, subprocess.TimeoutExpired) as e:
            out, rc = str(e), None
        if rc == 0:
            passed += 1
            print("PASS: %s" % name, flush=True)
            continue
        failed += 1
        lines = [line for line in out.splitlines() if line.strip()]
        print("\n".join(lines), flush=True)
        print("FAIL: %s: %s exit %s: %s" % (name, argv[0], rc, lines[-1] if lines else "no output"),
              flush=True)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
