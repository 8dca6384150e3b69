# SPDX-License-Identifier: GPL-2.0-only
# coopvmm: build the VMM image and the bootable ISO, run it, test it.
# `make` builds, `make run` boots interactively, `make test` runs every test.
# Missing Debian packages are installed by tools/deps (as root) or the exact
# apt-get line is printed.

BUILD   ?= build
CC      := gcc
LD      := ld
NASM    := nasm
CPP     := cpp

CFLAGS := -std=gnu11 -O2 -g -I. \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-delete-null-pointer-checks \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wundef -Wvla -Wno-address-of-packed-member -MMD -MP
NASMFLAGS := -I$(BUILD)/ -Werror
LDFLAGS   := -n -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments -z noexecstack

C_SRCS := $(wildcard vmm/*.c vmm/*/*.c) $(filter-out arch/x86/asm_defs.c,$(wildcard arch/x86/*.c))
ASM_SRCS := boot/multiboot2.asm boot/trampoline_blob.asm arch/x86/isr.asm arch/x86/vmx_entry.asm
OBJS := $(C_SRCS:%.c=$(BUILD)/%.o) $(ASM_SRCS:%.asm=$(BUILD)/%.o)

ELF := $(BUILD)/coopvmm.elf
ISO := $(BUILD)/coopvmm.iso

.PHONY: format-check all iso deps run test unit-tests clean format
all: $(ISO)
iso: $(ISO)

deps:
	@tools/deps build

$(BUILD)/.deps-ok: tools/deps
	@tools/deps build
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/asm_defs.inc: arch/x86/asm_defs.c $(wildcard arch/x86/*.h vmm/*.h vmm/*/*.h) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -S -o $(BUILD)/asm_defs.s $<
	sed -n 's/.*->\([A-Za-z0-9_]*\) \([0-9]*\) \([0-9]*\) \([0-9]*\) \([0-9]*\).*/%define \1 ((\2 << 48) | (\3 << 32) | (\4 << 16) | \5)/p' \
		$(BUILD)/asm_defs.s > $@.tmp
	mv $@.tmp $@

$(BUILD)/%.o: %.c Makefile | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/trampoline.bin: boot/trampoline.asm $(BUILD)/asm_defs.inc
	$(NASM) $(NASMFLAGS) -f bin -o $@ $<

$(BUILD)/iopm_trampoline.bin: boot/iopm_trampoline.asm $(BUILD)/asm_defs.inc
	$(NASM) $(NASMFLAGS) -f bin -o $@ $<

$(BUILD)/boot/trampoline_blob.o: $(BUILD)/trampoline.bin $(BUILD)/iopm_trampoline.bin
$(BUILD)/%.o: %.asm $(BUILD)/asm_defs.inc
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) -f elf64 -o $@ $<

$(BUILD)/linker.ld: linker.ld arch/x86/layout.h
	@mkdir -p $(dir $@)
	$(CPP) -P -undef -D__LINKER__ -I. -o $@ $<

$(ELF): $(OBJS) $(BUILD)/linker.ld
	$(LD) $(LDFLAGS) -T $(BUILD)/linker.ld -o $@ $(OBJS)

# The ISO: the VMM, the IOPM kernel and initramfs (iopm/, built by the
# IOPM block below) as GRUB modules named iopm-kernel and iopm-initrd.
$(ISO): $(ELF) boot/grub.cfg $(BUILD)/iopm/vmlinuz $(BUILD)/iopm/initramfs.cpio.gz
	rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub $(BUILD)/iso/iopm
	cp $(ELF) $(BUILD)/iso/boot/coopvmm.elf
	cp $(BUILD)/iopm/vmlinuz $(BUILD)/iopm/initramfs.cpio.gz $(BUILD)/iso/iopm/
	cp boot/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || { cat $(BUILD)/grub-mkrescue.log; exit 1; }

# The unit tests, and the check that the VMM sources they test call nothing
# outside vmm/lib/lib.h when built freestanding (tests/unit/Makefile).
unit-tests: | $(BUILD)/.deps-ok
	$(MAKE) -C tests/unit BUILD=$(abspath $(BUILD))/tests/unit all freestanding-check

# `make run`: the terminal is the IOPM's console; the VMM log goes to
# $(BUILD)/run/com1.log (tools/boot prints the path). RUN_ARGS adds tools/boot
# options, e.g. RUN_ARGS="--vmm-log-on-terminal --vmm-loglevel 3" for the
# VMM log on the terminal too, heartbeat included (docs/tools.md).
RUN_ARGS ?=
run: $(ISO)
	@tools/deps run
	tools/boot --backend auto --interactive --log-dir $(BUILD)/run $(RUN_ARGS) $(ISO)

test: $(ISO)
	@tools/deps test
	$(MAKE) unit-tests
	tests/run

# Every C file and header of the tree in the style of .clang-format
# (format rewrites them; format-check, a suite of make test, only checks).
format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@tools/check-format

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d)

# --- guest tests (tests/guests) ---
# The guest test suite (docs/guest-tests.md). `make guests` builds each
# tests/guests/NAME.c as $(BUILD)/guests/NAME.elf. The test ISO is the VMM
# ISO plus every guest as a Multiboot module: its grub.cfg is boot/grub.cfg
# with the module2 lines of $(BUILD)/guests/grub-modules.cfg (one
# `module2 /guests/NAME.elf NAME` per guest, written by tests/guests/Makefile)
# after the multiboot2 line; the VMM runs the guests named by run=NAME,...
# (tools/boot --append "run=NAME").
GUEST_SRCS := $(wildcard tests/guests/*.c tests/guests/*.ld tests/guests/Makefile tests/guests/rt/*)
TEST_ISO   := $(BUILD)/coopvmm-test.iso

.PHONY: guests
guests: | $(BUILD)/.deps-ok
	$(MAKE) -C tests/guests BUILD=$(abspath $(BUILD))/guests

$(TEST_ISO): $(ELF) boot/grub.cfg $(GUEST_SRCS) | $(BUILD)/.deps-ok
	$(MAKE) -C tests/guests BUILD=$(abspath $(BUILD))/guests
	rm -rf $(BUILD)/iso-test && mkdir -p $(BUILD)/iso-test/boot/grub $(BUILD)/iso-test/guests
	cp $(ELF) $(BUILD)/iso-test/boot/coopvmm.elf
	cp $(BUILD)/guests/*.elf $(BUILD)/iso-test/guests/
	awk -v mods=$(BUILD)/guests/grub-modules.cfg '/\/iopm\// { next } { print } $$1 == "multiboot2" { \
		match($$0, /^[ \t]*/); indent = substr($$0, 1, RLENGTH); \
		while ((getline line < mods) > 0) print indent line }' \
		boot/grub.cfg > $(BUILD)/iso-test/boot/grub/grub.cfg
	grep -q '^[[:space:]]*module2 /guests/' $(BUILD)/iso-test/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso-test 2> $(BUILD)/grub-mkrescue-test.log || \
		{ cat $(BUILD)/grub-mkrescue-test.log; exit 1; }

test: $(TEST_ISO)

# The bare-machine ISO of the differential test (docs/guest-tests.md): every
# guest as a menu entry of its own, loaded by GRUB's Multiboot v1 loader
# (`multiboot`), no VMM; `tools/boot --grub-entry NAME` picks the entry.
BARE_ISO := $(BUILD)/guests-bare.iso

$(BARE_ISO): $(GUEST_SRCS) | $(BUILD)/.deps-ok
	$(MAKE) -C tests/guests BUILD=$(abspath $(BUILD))/guests
	rm -rf $(BUILD)/iso-bare && mkdir -p $(BUILD)/iso-bare/boot/grub $(BUILD)/iso-bare/guests
	cp $(BUILD)/guests/*.elf $(BUILD)/iso-bare/guests/
	{ printf 'set timeout=0\nset default=0\n'; \
	  for f in $(BUILD)/iso-bare/guests/*.elf; do g=$$(basename $$f .elf); \
	    printf 'menuentry "%s" --id %s {\n\tmultiboot /guests/%s.elf\n\tboot\n}\n' $$g $$g $$g; \
	  done; } > $(BUILD)/iso-bare/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso-bare 2> $(BUILD)/grub-mkrescue-bare.log || \
		{ cat $(BUILD)/grub-mkrescue-bare.log; exit 1; }

test: $(BARE_ISO)

# --- IOPM (iopm/) ---
# The IOPM's Linux and userland (docs/iopm.md). tools/iopm-fetch downloads
# Debian's stock cloud kernel, its matching headers and busybox-static into
# downloads/ (reused) and unpacks them under $(BUILD)/iopm (never /boot);
# iopm.ko is built by Kbuild against those headers (in a copy of iopm/module
# under $(BUILD)/iopm/module, so the source tree stays clean); iopmd and
# vmctl are static; iopm/mkinitramfs.py writes the cpio newc initramfs.
IOPM_OUT         := $(BUILD)/iopm
IOPM_FETCHED     := $(IOPM_OUT)/kernel.env
IOPM_KO          := $(IOPM_OUT)/module/iopm.ko
IOPM_INITRAMFS   := $(IOPM_OUT)/initramfs.cpio.gz
IOPM_MOD_SRCS    := $(wildcard iopm/module/*.c iopm/module/*.h) iopm/module/Kbuild
IOPM_TREE        := $(shell find iopm/initramfs -type f)
IOPM_USER_CFLAGS := -std=gnu11 -static -O2 -s -Wall -Wextra -Werror -Ishared -Iiopm

.PHONY: iopm iopm-test
all: iopm
iopm: $(IOPM_OUT)/vmlinuz $(IOPM_INITRAMFS)

$(IOPM_FETCHED): tools/iopm-fetch | $(BUILD)/.deps-ok
	tools/iopm-fetch --out $(IOPM_OUT) --downloads downloads
	touch $@

$(IOPM_OUT)/vmlinuz $(IOPM_OUT)/busybox: $(IOPM_FETCHED)
	test -f $@ && touch $@

$(IOPM_KO): $(IOPM_MOD_SRCS) shared/coopvmm_abi.h shared/coop_ring.h shared/coop_zone.h iopm/coopvmm_ioctl.h $(IOPM_FETCHED)
	rm -rf $(IOPM_OUT)/module && mkdir -p $(IOPM_OUT)/module
	cp $(IOPM_MOD_SRCS) $(IOPM_OUT)/module/
	$(MAKE) -C $(IOPM_OUT)/kdir M=$(abspath $(IOPM_OUT)/module) COOPVMM_SHARED=$(abspath shared) COOPVMM_IOPM=$(abspath iopm) modules

IOPM_USER_DEPS := iopm/coopdev.c iopm/coopdev.h iopm/coopvmm_ioctl.h iopm/iopmd_ctl.h shared/coopvmm_abi.h \
	shared/coop_ring.h shared/coop_zone.h
# iopmd's guest device models (iopm/dev, docs/vdevices.md "Device models in
# iopmd"): plain C11 without iopmd's headers, compiled on their own (they
# take their constants from arch/x86: -I.) and linked into iopmd.
IOPM_DEV_SRCS    := iopm/dev/uart16550.c iopm/dev/pcihost.c iopm/dev/rtc.c iopm/dev/virtq.c iopm/dev/virtio_pci.c \
	iopm/dev/virtio_blk.c iopm/dev/virtio_console.c iopm/dev/virtio_net.c
IOPM_DEV_OBJS    := $(IOPM_DEV_SRCS:iopm/dev/%.c=$(IOPM_OUT)/iopmd-dev/%.o)
IOPM_DEV_CFLAGS  := -std=c11 -O2 -Wall -Wextra -Werror -Wpedantic -I.
$(IOPM_OUT)/iopmd-dev/%.o: iopm/dev/%.c $(wildcard iopm/dev/*.h) arch/x86/serial.h arch/x86/pci.h arch/x86/rtc.h \
		| $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(IOPM_DEV_CFLAGS) -c -o $@ $<
# iopm/vmcfg.c: the guest config file parser (docs/vmctl.md "Guest config
# files"), pure like the device models and tested by tests/unit. iopmd
# loads guest images with the VMM's own loader (vmm/vm/mb1_loader.c,
# host-buildable C, as the unit tests build it): one loader per format.
IOPMD_LOADER_SRCS := vmm/vm/mb1_loader.c vmm/vm/linux_loader.c vmm/vm/vm_layout.c
IOPMD_SRCS := iopm/iopmd.c iopm/iopmd_ctl.c iopm/iopmd_io.c iopm/iopmd_devs.c iopm/iopmd_console.c \
	iopm/iopmd_virtio.c iopm/iopmd_tap.c iopm/conbuf.c iopm/iopmd_load.c iopm/vmcfg.c iopm/coopdev.c $(IOPMD_LOADER_SRCS)
$(IOPM_OUT)/iopmd: $(IOPMD_SRCS) iopm/iopmd.h iopm/iopmd_io.h iopm/conbuf.h iopm/iopmd_load.h iopm/vmcfg.h \
		$(wildcard iopm/dev/*.h) vmm/vm/mb1_loader.h vmm/vm/linux_loader.h vmm/vm/acpi_build.h vmm/vm/vm_layout.h arch/x86/vmcs.h $(IOPM_USER_DEPS) \
		$(IOPM_DEV_OBJS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(IOPM_USER_CFLAGS) -I. -o $@ $(IOPMD_SRCS) $(IOPM_DEV_OBJS)
VMCTL_SRCS := iopm/vmctl.c iopm/vmctl_console.c iopm/coopdev.c
$(IOPM_OUT)/vmctl: $(VMCTL_SRCS) iopm/vmctl.h iopm/conbuf.h $(IOPM_USER_DEPS) | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(IOPM_USER_CFLAGS) -o $@ $(VMCTL_SRCS)

# The initramfs gets the module without its DWARF (Debian's config has -g).
$(IOPM_OUT)/iopm-nodebug.ko: $(IOPM_KO)
	strip --strip-debug -o $@ $<

# /guests in the IOPM image: each iopm/guests/NAME.cfg with the test guest
# it names (tests/guests/NAME.c, built as $(BUILD)/guests/NAME.elf), ready
# for `vmctl create /guests/NAME.cfg` (docs/vmctl.md).
IOPM_GUEST_CFGS := $(wildcard iopm/guests/*.cfg)
IOPM_GUEST_ELFS := $(IOPM_GUEST_CFGS:iopm/guests/%.cfg=$(BUILD)/guests/%.elf)
$(IOPM_GUEST_ELFS): $(GUEST_SRCS) | $(BUILD)/.deps-ok
	$(MAKE) -C tests/guests BUILD=$(abspath $(BUILD))/guests $(abspath $@)

# The guests' network (docs/iopm.md "Network"): Debian's tun and bridge
# modules with bridge's dependencies (modinfo: bridge needs stp and llc, stp
# needs llc), in the order /init loads them, as lib/modules/NAME.ko. Copied
# as they are: stripping them would break Debian's signatures.
IOPM_NET_MODULES := net/llc/llc net/802/stp net/bridge/bridge drivers/net/tun
# The machine's IDE disks (coopvmm.ata=1 on the IOPM's line, docs/iopm.md
# "The machine's disks"): ata_piix and sd_mod with their dependencies
# (modinfo: sd_mod needs scsi_mod; ata_piix libata; libata scsi_mod and
# scsi_common; scsi_mod scsi_common), in /init's order.
IOPM_ATA_MODULES := drivers/scsi/scsi_common drivers/scsi/scsi_mod drivers/ata/libata drivers/ata/ata_piix \
	drivers/scsi/sd_mod

$(IOPM_INITRAMFS): iopm/mkinitramfs.py $(IOPM_TREE) $(IOPM_OUT)/iopm-nodebug.ko $(IOPM_OUT)/iopmd $(IOPM_OUT)/vmctl $(IOPM_OUT)/busybox \
		$(IOPM_GUEST_CFGS) $(IOPM_GUEST_ELFS) $(IOPM_FETCHED)
	. $(abspath $(IOPM_FETCHED)) && \
	python3 iopm/mkinitramfs.py -o $@ --busybox $(IOPM_OUT)/busybox --tree iopm/initramfs \
		--file $(IOPM_OUT)/iopm-nodebug.ko lib/modules/iopm.ko 644 \
		$(foreach m,$(IOPM_NET_MODULES) $(IOPM_ATA_MODULES),--file \
		  $(IOPM_OUT)/root/lib/modules/$$KERNEL_RELEASE/kernel/$(m).ko lib/modules/$(notdir $(m)).ko 644) \
		--file $(IOPM_OUT)/iopmd usr/sbin/iopmd 755 \
		--file $(IOPM_OUT)/vmctl usr/sbin/vmctl 755 \
		$(foreach c,$(IOPM_GUEST_CFGS),--file $(c) guests/$(notdir $(c)) 644 \
		  --file $(BUILD)/guests/$(notdir $(c:.cfg=.elf)) guests/$(notdir $(c:.cfg=.elf)) 644)

# The IOPM userland end to end under plain QEMU TCG, with iopm.ko's fake zone.
iopm-test: iopm
	@tools/deps run
	iopm/test-qemu.sh

# The Linux-guest image (tests/system/bochs_linux_guest.py): the plain ISO
# but for an IOPM initramfs with a Linux guest in /guests, appended as an
# overlay archive (the two cpio archives in one gzip member: GRUB's module2
# unpacks only the first member of a gzip file) -- tests/linux-guest/linux.cfg, the IOPM's own kernel as
# its kernel and a small busybox initramfs (tests/linux-guest/init). Kept
# out of the plain image: the kernel adds 14 MB to the IOPM's RAM.
LINUX_GUEST_ISO := $(BUILD)/coopvmm-linux-guest.iso
.PHONY: linux-guest-iso
linux-guest-iso: $(LINUX_GUEST_ISO)
# The guest's virtio drivers: modules of the same Debian kernel.
LINUX_GUEST_MODULES := virtio/virtio virtio/virtio_ring virtio/virtio_pci_modern_dev virtio/virtio_pci_legacy_dev \
	virtio/virtio_pci block/virtio_blk char/virtio_console net/net_failover net/virtio_net
$(IOPM_OUT)/linux-guest-initrd.cpio.gz: iopm/mkinitramfs.py tests/linux-guest/init $(IOPM_OUT)/busybox
	. $(IOPM_FETCHED) && mods=$(IOPM_OUT)/root/lib/modules/$$KERNEL_RELEASE/kernel && \
	python3 iopm/mkinitramfs.py -o $@ --busybox $(IOPM_OUT)/busybox --file tests/linux-guest/init init 755 \
		$(foreach m,$(LINUX_GUEST_MODULES),--file $$mods/drivers/$(m).ko lib/modules/$(notdir $(m)).ko 644) \
		--file $$mods/net/core/failover.ko lib/modules/failover.ko 644
$(IOPM_OUT)/initramfs-linux-guest.cpio.gz: $(IOPM_INITRAMFS) $(IOPM_OUT)/vmlinuz $(IOPM_OUT)/linux-guest-initrd.cpio.gz \
		tests/linux-guest/linux.cfg tests/linux-guest/linux2.cfg
	python3 iopm/mkinitramfs.py -o $@.overlay --file tests/linux-guest/linux.cfg guests/linux.cfg 644 \
		--file tests/linux-guest/linux2.cfg guests/linux2.cfg 644 \
		--file $(IOPM_OUT)/vmlinuz guests/vmlinuz 644 \
		--file $(IOPM_OUT)/linux-guest-initrd.cpio.gz guests/linux-initrd.cpio.gz 644
	{ gzip -dc $(IOPM_INITRAMFS); gzip -dc $@.overlay; } | gzip -n > $@ && rm -f $@.overlay
$(LINUX_GUEST_ISO): $(ELF) boot/grub.cfg $(IOPM_OUT)/vmlinuz $(IOPM_OUT)/initramfs-linux-guest.cpio.gz
	rm -rf $(BUILD)/iso-linux-guest && mkdir -p $(BUILD)/iso-linux-guest/boot/grub $(BUILD)/iso-linux-guest/iopm
	cp $(ELF) $(BUILD)/iso-linux-guest/boot/coopvmm.elf
	cp $(IOPM_OUT)/vmlinuz $(BUILD)/iso-linux-guest/iopm/vmlinuz
	cp $(IOPM_OUT)/initramfs-linux-guest.cpio.gz $(BUILD)/iso-linux-guest/iopm/initramfs.cpio.gz
	cp boot/grub.cfg $(BUILD)/iso-linux-guest/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso-linux-guest 2> $(BUILD)/grub-mkrescue-linux-guest.log || \
		{ cat $(BUILD)/grub-mkrescue-linux-guest.log; exit 1; }
test: $(LINUX_GUEST_ISO)
# make run with the Linux guest in the IOPM's /guests (README "A Linux guest").
# The machine gets a disk of its own (made once, 64 cylinders of 16 x 63
# sectors, ~32 MiB; kept between runs like a real disk): /dev/sda in the
# IOPM, the Linux guest's virtio disk (linux.cfg: disk = /dev/sda).
LINUX_MACHINE_DISK := $(BUILD)/linux-machine-disk.img
.PHONY: run-linux
run-linux: $(LINUX_GUEST_ISO)
	@tools/deps run
	@test -f $(LINUX_MACHINE_DISK) || truncate -s $$((64 * 16 * 63 * 512)) $(LINUX_MACHINE_DISK)
	tools/boot --backend auto --interactive --log-dir $(BUILD)/run-linux --disk $(LINUX_MACHINE_DISK) \
		$(RUN_ARGS) $(LINUX_GUEST_ISO)
# --- end IOPM ---

# --- benchmarks (tests/bench) ---
# Guest-measured exit costs (docs/benchmarks.md); not part of `make test`.
# `make bench` runs tools/bench: it builds the VMM (this tree, or a clean
# export of a git revision with BENCH_ARGS="--rev REV"), the tests/bench
# guests (`make bench-guests`: $(BUILD)/bench/NAME.elf), an ISO of their own
# ($(BUILD)/coopvmm-bench.iso: boot/grub.cfg without the IOPM modules, plus
# `module2 /bench/NAME.elf NAME` lines), boots it in Bochs (BENCH_ARGS=
# "--backend kvm" on a host with nested VT-x) and writes the figures into
# docs/benchmarks.md. `make bench-linux` (tools/bench --linux) measures the
# Linux guest's virtio disk and its boot time instead (the Linux-guest ISO,
# each run two long Bochs boots; BENCH_ARGS="--runs N" applies too).
BENCH_ARGS ?=

.PHONY: bench bench-guests bench-linux
bench-guests: | $(BUILD)/.deps-ok
	$(MAKE) -C tests/bench BUILD=$(abspath $(BUILD))/bench

bench: | $(BUILD)/.deps-ok
	@tools/deps run
	tools/bench --build $(BUILD) $(BENCH_ARGS)

bench-linux: | $(BUILD)/.deps-ok
	@tools/deps run
	tools/bench --build $(BUILD) --linux $(BENCH_ARGS)
# --- end benchmarks ---
