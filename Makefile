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

C_SRCS := $(wildcard vmm/*.c) $(filter-out arch/x86/asm_defs.c,$(wildcard arch/x86/*.c))
ASM_SRCS := boot/multiboot2.asm boot/trampoline_blob.asm arch/x86/isr.asm arch/x86/vmx_entry.asm
OBJS := $(C_SRCS:%.c=$(BUILD)/%.o) $(ASM_SRCS:%.asm=$(BUILD)/%.o)

ELF := $(BUILD)/coopvmm.elf
ISO := $(BUILD)/coopvmm.iso

.PHONY: all iso deps run test unit-tests clean format
all: $(ISO)
iso: $(ISO)

deps:
	@tools/deps build

$(BUILD)/.deps-ok: tools/deps
	@tools/deps build
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/asm_defs.inc: arch/x86/asm_defs.c $(wildcard arch/x86/*.h vmm/*.h) | $(BUILD)/.deps-ok
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
	$(CPP) -P -undef -D__LINKER__ -I. -o $@ $<

$(ELF): $(OBJS) $(BUILD)/linker.ld
	$(LD) $(LDFLAGS) -T $(BUILD)/linker.ld -o $@ $(OBJS)

$(ISO): $(ELF) boot/grub.cfg
	rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(ELF) $(BUILD)/iso/boot/coopvmm.elf
	cp boot/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2> $(BUILD)/grub-mkrescue.log || { cat $(BUILD)/grub-mkrescue.log; exit 1; }

unit-tests: | $(BUILD)/.deps-ok
	$(MAKE) -C tests/unit BUILD=$(abspath $(BUILD))/tests/unit

run: $(ISO)
	@tools/deps run
	tools/boot --backend auto --interactive $(ISO)

test: $(ISO)
	@tools/deps test
	$(MAKE) unit-tests
	tests/run

format:
	clang-format -i $(C_SRCS) $(wildcard vmm/*.h arch/x86/*.h shared/*.h tests/unit/*.c)

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
	awk -v mods=$(BUILD)/guests/grub-modules.cfg '{ print } $$1 == "multiboot2" { \
		match($$0, /^[ \t]*/); indent = substr($$0, 1, RLENGTH); \
		while ((getline line < mods) > 0) print indent line }' \
		boot/grub.cfg > $(BUILD)/iso-test/boot/grub/grub.cfg
	grep -q '^[[:space:]]*module2 /guests/' $(BUILD)/iso-test/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso-test 2> $(BUILD)/grub-mkrescue-test.log || \
		{ cat $(BUILD)/grub-mkrescue-test.log; exit 1; }

test: $(TEST_ISO)
