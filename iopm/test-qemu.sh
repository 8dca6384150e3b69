#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# iopm/test-qemu.sh: test the IOPM's Linux userland end to end under plain
# QEMU TCG, without the VMM: iopm.ko in its fake=1 mode (a zone it allocates
# and fills itself), iopmd, vmctl, /init, and the reboot/poweroff/halt/panic
# confinement. Builds `make iopm`, adds a test-only overlay (zone_rw) to the
# initramfs, runs iopm/test/qemu_iopm.py; closes with "N passed, N failed".
# Usage: iopm/test-qemu.sh [--no-build] [--quick]
set -eu
cd "$(dirname "$0")/.."

build=1
pyargs=""
for a in "$@"; do
    case "$a" in
    --no-build) build=0 ;;
    --quick) pyargs="$pyargs --quick" ;;
    *) echo "usage: iopm/test-qemu.sh [--no-build] [--quick]" >&2; exit 64 ;;
    esac
done

out=build/iopm
if [ "$build" = 1 ]; then
    make --no-print-directory iopm >&2
fi
mkdir -p "$out/test"
for t in zone_rw chan_hostile ram_map; do
    gcc -std=gnu11 -static -O2 -s -Wall -Wextra -Werror -Ishared -Iiopm \
        -o "$out/test/$t" "iopm/test/$t.c" iopm/coopdev.c
done
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -Ishared -o "$out/test/mkzone" iopm/test/mkzone.c
python3 iopm/mkinitramfs.py -o "$out/test/overlay.cpio.gz" \
    --file "$out/test/zone_rw" usr/sbin/zone_rw 755 \
    --file "$out/test/chan_hostile" usr/sbin/chan_hostile 755 \
    --file "$out/test/ram_map" usr/sbin/ram_map 755 >&2
# The kernel unpacks concatenated archives in order: the overlay adds the tools.
cat "$out/initramfs.cpio.gz" "$out/test/overlay.cpio.gz" >"$out/test/initramfs-test.cpio.gz"
# shellcheck disable=SC2086 # optional flags
exec python3 iopm/test/qemu_iopm.py --kernel "$out/vmlinuz" --initrd "$out/test/initramfs-test.cpio.gz" $pyargs
