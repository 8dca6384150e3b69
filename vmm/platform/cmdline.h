/* SPDX-License-Identifier: GPL-2.0-only */
/* cmdline.h: the VMM boot command line (Multiboot2 tag type 1, "boot command
 * line"), parsed into struct boot_config. The parameters, their defaults and
 * limits are documented in docs/partitions.md. */
#ifndef VMM_CMDLINE_H
#define VMM_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/pic.h"	/* ISA_IRQS */
#include "arch/x86/serial.h"	/* COM2_IRQ */
#include "shared/coopvmm_abi.h" /* COOP_PART_SIZE */
#include "vmm/lib/lib.h"

#define CONFIG_MAX_IOPMS 8 /* most IOPMs the VMM can run (each owns one AP) */

/* Defaults and limits of the parameters (sizes in bytes). */
#define CMDLINE_VMM_MEM_DEFAULT	    (16 * MiB)
#define CMDLINE_VMM_MEM_MIN	    (2 * MiB)
#define CMDLINE_VMM_MEM_ALIGN	    PAGE_SIZE
#define CMDLINE_IOPM_MEM_DEFAULT    (128 * MiB)
#define CMDLINE_IOPM_MEM_MIN	    (16 * MiB)
#define CMDLINE_IOPM_MEM_ALIGN	    LARGE_PAGE_SIZE
#define CMDLINE_SHARED_MEM_DEFAULT  (2 * MiB)
#define CMDLINE_SHARED_MEM_MIN	    COOP_PART_SIZE /* one IOPM's part of the zone */
#define CMDLINE_SHARED_MEM_MAX	    (256 * MiB)
#define CMDLINE_SHARED_MEM_ALIGN    PAGE_SIZE
#define CMDLINE_IOPMS_DEFAULT	    1
#define CMDLINE_LOGLEVEL_DEFAULT    2 /* info */
#define CMDLINE_LOGLEVEL_MAX	    3 /* debug */
#define CMDLINE_CONSOLE_IRQ_DEFAULT COM2_IRQ
#define CMDLINE_ISA_IRQ_MAX	    (ISA_IRQS - 1)
#define CMDLINE_RUN_MAX		    256 /* run= value, including the NUL */

/* What an error message about loglevel= says it accepts (vmm/platform/log.h). */
#define CMDLINE_LOGLEVEL_VALUES "0 error, 1 warn, 2 info or 3 debug"

/* Values of the choice parameters (index into their name lists). */
enum cpu_enum_source { CPU_ENUM_ACPI, CPU_ENUM_MPTABLE }; /* cpu_enum=acpi|mptable */
enum timer_ref { TIMER_REF_PIT, TIMER_REF_PMTIMER };	  /* timer_ref=pit|pmtimer */
enum selftest {
	SELFTEST_NONE,
	SELFTEST_PF,
	SELFTEST_UD,
	SELFTEST_AP_PF,
	SELFTEST_NMI
}; /* selftest=none|pf|ud|ap_pf|nmi */

/* One bit per parameter in boot_config.given, in command-line table order. */
enum cmdline_param {
	CMDLINE_VMM_MEM,
	CMDLINE_IOPM_MEM,
	CMDLINE_SHARED_MEM,
	CMDLINE_IOPMS,
	CMDLINE_LOGLEVEL,
	CMDLINE_IOPM_CONSOLE_IRQ,
	CMDLINE_CPU_ENUM,
	CMDLINE_TIMER_REF,
	CMDLINE_SELFTEST,
	CMDLINE_RUN,
	CMDLINE_NPARAMS
};

struct boot_config {
	uint64_t vmm_mem;	   /* VMM heap size, bytes */
	uint64_t iopm_mem;	   /* RAM per IOPM, bytes */
	uint64_t shared_mem;	   /* shared zone size, bytes */
	uint32_t iopms;		   /* number of IOPMs, 0..CONFIG_MAX_IOPMS */
	uint32_t loglevel;	   /* 0=error 1=warn 2=info 3=debug */
	uint32_t iopm_console_irq; /* ISA IRQ of the IOPM console UART */
	uint32_t cpu_enum;	   /* enum cpu_enum_source: where CPUs are listed */
	uint32_t timer_ref;	   /* enum timer_ref: calibration reference */
	uint32_t selftest;	   /* enum selftest: deliberate fault after boot */
	char run[CMDLINE_RUN_MAX]; /* guests to start: NAME[:MEM[:VCPUS]],... */
	bool iopm_mem_set;	   /* iopm_mem was given explicitly */
	uint32_t given;		   /* bit (1 << enum cmdline_param) per given key */
};

/* Fill cfg with the defaults of every parameter. */
void cmdline_defaults(struct boot_config *cfg);

/* Parse a NUL-terminated command line into cfg, which the caller has filled
 * with cmdline_defaults(). An optional leading word starting with '/' (the
 * image path some loaders pass) is skipped. NULL or empty means defaults.
 * Returns 0, or -EINVAL with cfg unchanged and a one-line message in err
 * that starts with the offending "key=value" word (or key) and ": ". */
int cmdline_parse(const char *cmdline, struct boot_config *cfg, char *err, size_t errlen);

/* Parse s[0..len) as the command line parses a size (size: decimal or 0x
 * hex, optional K/M/G) or an integer (decimal); false on anything else or
 * a 64-bit overflow. For values inside other parameters (run=). */
bool cmdline_parse_number(const char *s, size_t len, bool size, uint64_t *out);

/* True when parameter p was given on the command line. */
bool cmdline_given(const struct boot_config *cfg, enum cmdline_param p);

/* Name parameter p for a message: "iopm_mem=256M" when it was given,
 * "iopm_mem (default 128M)" when not. Returns buf. */
const char *cmdline_describe(const struct boot_config *cfg, enum cmdline_param p, char *buf, size_t len);

/* Format a byte count with the largest exact binary suffix: "16M", "3G",
 * "64K", "1000". Returns buf. */
const char *cmdline_format_size(uint64_t bytes, char *buf, size_t len);

#endif
