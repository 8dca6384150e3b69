#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# Suite: the VMM's layering (docs/architecture.md "Layers"), checked on the
# source tree by tools/check-layers -- no boot. Every C file and header under
# vmm/, arch/ and shared/ is in a layer's folder and its includes name
# files; no file includes a higher layer (arch/ includes nothing of vmm/);
# no modules include each other in a cycle. The checker itself is tried
# first on a small tree with a back-edge and a cycle it must report.
import importlib.machinery
import importlib.util
import os
import tempfile

import lib

CHECKER = os.path.join(lib.REPO, "tools", "check-layers")


def load_checker():
    loader = importlib.machinery.SourceFileLoader("check_layers_tool", CHECKER)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def write(root, path, text):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)


def selftest(t, cl):
    """A tree with one back-edge inside vmm/, one from arch/ into vmm/ and
    one cycle inside a layer: the checker reports exactly those."""
    with tempfile.TemporaryDirectory() as root:
        write(root, "arch/x86/cpu.h", '#include "vmm/lib/lib.h"\n')
        write(root, "vmm/lib/lib.h", "\n")
        write(root, "vmm/vdev/vpic.c", '#include "vmm/vdev/vpic.h"\n#include "vmm/vm/sched.h"\n')
        write(root, "vmm/vdev/vpic.h", '#include "vmm/lib/lib.h"\n')
        write(root, "vmm/vm/sched.h", "\n")
        write(root, "vmm/vm/sched.c", '#include "vmm/vm/sched.h"\n#include "vmm/vm/vm.h"\n')
        write(root, "vmm/vm/vm.h", "\n")
        write(root, "vmm/vm/vm.c", '#include "vmm/vm/vm.h"\n#include "vmm/vm/sched.h"\n')
        write(root, "vmm/main.c", '#include "vmm/vm/vm.h"\n')
        r = cl.check(root)
        edges = sorted((e[0], e[1]) for e in r.back_edges)
        want = [("arch/x86/cpu.h", "vmm/lib/lib.h"), ("vmm/vdev/vpic.c", "vmm/vm/sched.h")]
        cycles = [sorted(c[0]) for c in r.cycles]
        t.check("checker_selftest",
                edges == want and cycles == [["vmm/vm/sched", "vmm/vm/vm"]] and not r.errors,
                "on a tree with known faults the checker found back-edges %r (want %r), "
                "cycles %r (want [['vmm/vm/sched', 'vmm/vm/vm']]), errors %r"
                % (edges, want, cycles, r.errors))


def body(t):
    if not t.check("checker", os.path.isfile(CHECKER), "%s is missing" % CHECKER):
        return
    cl = load_checker()
    selftest(t, cl)
    r = cl.check(lib.REPO)
    t.check("files_in_layers", not r.errors,
            "; ".join(r.errors[:20]) + (" (and %d more)" % (len(r.errors) - 20) if len(r.errors) > 20 else ""))
    t.check("no_back_edges", not r.back_edges,
            "%d include(s) of a higher layer: %s" % (
                len(r.back_edges), "; ".join(cl.format_back_edge(e) for e in r.back_edges)))
    t.check("no_cycles", not r.cycles,
            "%d include cycle(s): %s" % (
                len(r.cycles), "; ".join(" ".join(cl.format_cycle(c, most=1)) for c in r.cycles)))


lib.Test("layers").run(body)
