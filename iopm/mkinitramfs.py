#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# mkinitramfs.py: write the IOPM initramfs as a gzip'ed cpio "newc" archive
# (the format of the kernel's Documentation/driver-api/early-userspace/
# buffer-format.rst), with no root rights and no cpio tool: owners 0:0, fixed
# mtimes (reproducible), /dev/console made here as a device node.
"""Build the IOPM initramfs.

usage: mkinitramfs.py -o OUT.cpio.gz [--busybox BUSYBOX] [--tree DIR]...
                      [--file SRC DEST MODE]... [--list]

--busybox  static busybox: installed as /bin/busybox, with a symlink for
           every applet it lists (`busybox --list-full`), plus the base
           directories and /dev/console. Without it the archive holds only
           what --tree/--file name (an overlay: the kernel unpacks
           concatenated archives in order).
--tree     directory copied to / (files keep their exec bit).
--file     one file: SRC copied to DEST with octal MODE.
"""

import argparse
import gzip
import io
import os
import stat
import subprocess
import sys

MTIME = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
DIRS = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "lib", "lib/modules",
        "dev", "proc", "sys", "tmp", "run", "root"]


class Archive:
    def __init__(self):
        self.entries = {}      # path -> (mode, data, rdev)

    def add_dir(self, path):
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            p = "/".join(parts[:i])
            if p and p not in self.entries:
                self.entries[p] = (stat.S_IFDIR | 0o755, b"", (0, 0))

    def add(self, path, mode, data=b"", rdev=(0, 0)):
        path = path.strip("/")
        parent = os.path.dirname(path)
        if parent:
            self.add_dir(parent)
        self.entries[path] = (mode, data, rdev)

    def add_file(self, src, dest, perm):
        with open(src, "rb") as f:
            self.add(dest, stat.S_IFREG | perm, f.read())

    def add_symlink(self, dest, target):
        self.add(dest, stat.S_IFLNK | 0o777, target.encode())

    def newc(self):
        out = io.BytesIO()
        ino = 1

        def put(name, mode, data, rdev):
            nonlocal ino
            nm = name.encode() + b"\0"
            fields = (ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, MTIME, len(data),
                      0, 0, rdev[0], rdev[1], len(nm), 0)
            out.write(b"070701" + b"".join(b"%08X" % v for v in fields))
            out.write(nm)
            out.write(b"\0" * (-(110 + len(nm)) % 4))
            out.write(data)
            out.write(b"\0" * (-len(data) % 4))
            ino += 1

        # Sorted paths put every directory before its contents.
        for path in sorted(self.entries):
            mode, data, rdev = self.entries[path]
            put(path, mode, data, rdev)
        put("TRAILER!!!", 0, b"", (0, 0))
        return out.getvalue()


def main():
    ap = argparse.ArgumentParser(description="Build the IOPM initramfs (cpio newc, gzip).")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--busybox")
    ap.add_argument("--tree", action="append", default=[])
    ap.add_argument("--file", nargs=3, action="append", default=[], metavar=("SRC", "DEST", "MODE"))
    ap.add_argument("--list", action="store_true", help="print the archive's paths")
    args = ap.parse_args()

    a = Archive()
    if args.busybox:
        for d in DIRS:
            a.add_dir(d)
        a.add("dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))   # init's stdio before devtmpfs
        a.add_file(args.busybox, "bin/busybox", 0o755)
        listing = subprocess.run([args.busybox, "--list-full"], check=True, capture_output=True,
                                 text=True).stdout.split()
        if "bin/sh" not in listing or "sbin/init" not in listing:
            sys.exit("mkinitramfs: %s lacks sh or init" % args.busybox)
        for applet in listing:
            if applet != "bin/busybox":
                a.add_symlink(applet, "/bin/busybox")

    for tree in args.tree:
        for root, dirs, files in os.walk(tree):
            dirs.sort()
            rel = os.path.relpath(root, tree)
            for name in sorted(files):
                src = os.path.join(root, name)
                dest = os.path.normpath(os.path.join(rel, name))
                a.add_file(src, dest, 0o755 if os.access(src, os.X_OK) else 0o644)
    for src, dest, mode in args.file:
        a.add_file(src, dest, int(mode, 8))

    data = a.newc()
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=MTIME, compresslevel=9) as g:
            g.write(data)
    os.replace(tmp, args.output)
    if args.list:
        for p in sorted(a.entries):
            print(p)
    print("mkinitramfs: %s: %d entries, %d bytes (cpio %d)" %
          (args.output, len(a.entries) + 1, os.path.getsize(args.output), len(data)))


if __name__ == "__main__":
    main()
