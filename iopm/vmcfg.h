/* SPDX-License-Identifier: GPL-2.0-only */
/* vmcfg.h: guest config files for `vmctl create FILE.cfg`: `key = value`
 * lines (name, memory, vcpus, kernel, cmdline, module/modules, ramdisk,
 * devices, disk, iopm) parsed into a struct vmcfg, for iopmd. Pure: no I/O, no
 * allocation, no global state; the caller reads the file. The format, its
 * defaults, ranges and error messages: docs/vmctl.md "Guest config files". */
#ifndef IOPM_VMCFG_H
#define IOPM_VMCFG_H

#include <stddef.h>
#include <stdint.h>

#define VMCFG_PATH_MAX	  256
#define VMCFG_CMDLINE_MAX 1024
#define VMCFG_MODULES_MAX 8
#define VMCFG_DEV_COM1	  (1U << 0)					   /* ports 0x3f8-0x3ff, IRQ 4 */
#define VMCFG_DEV_RTC	  (1U << 1)					   /* ports 0x70-0x71, IRQ 8 */
#define VMCFG_DEV_PCI	  (1U << 2)					   /* ports 0xcf8-0xcff */
#define VMCFG_DEV_ALL	  (VMCFG_DEV_COM1 | VMCFG_DEV_RTC | VMCFG_DEV_PCI) /* the default */
/* iopmd's virtio devices (docs/virtio.md): on the PCI bus, so with pci. */
#define VMCFG_DEV_VIRTIO_BLK	 (1U << 3) /* 00:02.0, backed by `disk` */
#define VMCFG_DEV_VIRTIO_NET	 (1U << 4) /* 00:03.0, a tap in the IOPM's bridge */
#define VMCFG_DEV_VIRTIO_CONSOLE (1U << 5) /* 00:04.0, hvc0: the guest's console too */
#define VMCFG_DEV_VIRTIO	 (VMCFG_DEV_VIRTIO_BLK | VMCFG_DEV_VIRTIO_NET | VMCFG_DEV_VIRTIO_CONSOLE)
/* The bits the VMM knows (COOP_VM_DEV_*): the virtio devices are iopmd's
 * business; the VMM forwards the PCI bus (ports and memory window). */
#define VMCFG_DEV_VMM VMCFG_DEV_ALL
#define VMCFG_NO_IOPM (-1)

/* What the parser accepts (the VMM's own limits are in vmm/vcpu/vm_types.h;
 * tests/unit/test_vmcfg.c checks that these agree with them). */
#define VMCFG_FILE_MAX	   (64 * 1024)	 /* bytes in a config file */
#define VMCFG_LINE_MAX	   4096		 /* bytes in a line, without its line end */
#define VMCFG_MEM_DEFAULT  (16ULL << 20) /* VM_DEFAULT_MEM */
#define VMCFG_MEM_MIN	   (2ULL << 20)	 /* VM_MIN_MEM */
#define VMCFG_MEM_ALIGN	   (2ULL << 20)	 /* guest RAM is mapped in 2 MiB pages */
#define VMCFG_MEM_MAX	   (1ULL << 40)	 /* the guest layout is below 1 TiB */
#define VMCFG_VCPUS_MAX	   4		 /* VM_MAX_VCPUS */
#define VMCFG_IOPM_DEFAULT 0		 /* IOPM 0: the console's */
#define VMCFG_DEVICES_NAMES                                                                                  \
	"com1, rtc, pci, virtio-blk, virtio-net, virtio-console" /* what vmcfg_devices_name() writes at most \
								  */

struct vmcfg_module {
	char path[VMCFG_PATH_MAX];	 /* absolute after parsing */
	char cmdline[VMCFG_CMDLINE_MAX]; /* the module's string (Multiboot: after the path) */
};

struct vmcfg {
	char name[64];	 /* COOP_VM_NAME_MAX */
	uint64_t memory; /* bytes */
	uint32_t vcpus;
	char kernel[VMCFG_PATH_MAX]; /* absolute after parsing */
	char cmdline[VMCFG_CMDLINE_MAX];
	unsigned nmodules;
	struct vmcfg_module module[VMCFG_MODULES_MAX];
	char ramdisk[VMCFG_PATH_MAX]; /* a Linux kernel's initramfs, absolute; "": none */
	uint32_t devices;	      /* VMCFG_DEV_* */
	char disk[VMCFG_PATH_MAX];    /* virtio-blk's backing (a file or block device), absolute; "": none */
	int32_t iopm;		      /* the IOPM serving the devices, or VMCFG_NO_IOPM */
};

/* Parse the text of config file `file` (its path: used in messages and to make relative
 * paths absolute against the file's directory). 0, or -1 with a one-line message in err
 * ("FILE:LINE: what is wrong" or "FILE: what is missing"). Checks syntax and ranges only;
 * whether the images exist is the caller's business.
 *
 * `text` need not be NUL-terminated (a NUL byte in it is an error). `file`
 * should be absolute: a relative image path in a file given by a relative
 * path is refused (iopmd's working directory is not the user's). On
 * success *out holds the guest (the defaults for what the file does not
 * set) and err is ""; on failure *out is all zeros. err, when errlen > 0,
 * is always NUL-terminated (the message cut to fit), has no control
 * characters (those of `file` are written as '?') and no newline. */
int vmcfg_parse(const char *text, size_t len, const char *file, struct vmcfg *out, char *err, size_t errlen);

/* The defaults of a guest that sets nothing: no name, no kernel, 16 MiB,
 * one vCPU, no command line, no module, every device, IOPM 0. */
void vmcfg_defaults(struct vmcfg *cfg);

/* `devices` as a config file writes it ("com1, rtc, pci", "rtc", "none"),
 * unknown bits ignored; returns buf (always NUL-terminated
 * when len > 0). A buffer of sizeof(VMCFG_DEVICES_NAMES) always fits. */
const char *vmcfg_devices_name(uint32_t devices, char *buf, size_t len);

#endif
