/* SPDX-License-Identifier: GPL-2.0-only */
/* coopvmm_abi.h: the one definition of the VMM <-> IOPM shared-zone ABI
 * (where the zone lies: docs/partitions.md; how the VMM writes it and the
 * IOPM reads it: docs/iopm-boot.md, docs/iopm.md), included by the VMM, the
 * IOPM kernel module (iopm.ko), the daemon (iopmd), vmctl and the host
 * tests. Fixed-width types, explicit padding, a magic and a version; every
 * part is written by one side only. Layout (offsets from the zone base, all
 * page aligned):
 *
 *   0x0000  struct coop_shared_header   written by the VMM before the IOPM starts
 *   0x1000  struct coop_vmm_ctrl        VMM control area (VMM writes)
 *   0x2000  struct coop_iopm_ctrl       IOPM control area (IOPM writes)
 *   0x3000  VMM data area (ring VMM -> IOPM), up to the middle of the rest
 *   ....    IOPM data area (ring IOPM -> VMM)
 *
 * The rings themselves are defined by the channel issue; this version has
 * the header, the heartbeat/state words and the interrupt-routing requests.
 */
#ifndef COOPVMM_ABI_H
#define COOPVMM_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define COOP_SHARED_MAGIC  0x444d48535f504f43ULL /* "COP_SHMD" little-endian */
#define COOP_ABI_VERSION   1
#define COOP_PAGE	   4096U
#define COOP_HEADER_OFF	   0x0000U
#define COOP_VMM_CTRL_OFF  0x1000U
#define COOP_IOPM_CTRL_OFF 0x2000U
#define COOP_DATA_OFF	   0x3000U
#define COOP_MIN_ZONE	   (64U * 1024U)
#define COOP_MAX_ROUTES	   16
#define COOP_NO_APIC_ID	   0xffffffffU /* an APIC ID field naming no CPU */

/* IOPM states (coop_iopm_ctrl.state), in boot order. */
enum coop_iopm_state {
	COOP_IOPM_OFF = 0,	/* not started (VMM's view before INIT-SIPI-SIPI) */
	COOP_IOPM_MODULE = 1,	/* iopm.ko loaded, shared zone mapped */
	COOP_IOPM_RUNNING = 2,	/* iopmd running: heartbeat counts */
	COOP_IOPM_HALTED = 3,	/* reboot/poweroff/halt requested: its CPU stops */
	COOP_IOPM_PANICKED = 4, /* Linux panicked: its CPU stops */
};

/* coop_iopm_ctrl.reason when state is COOP_IOPM_HALTED. */
enum coop_halt_reason {
	COOP_HALT_NONE = 0,
	COOP_HALT_REBOOT = 1, /* reboot(2) RESTART, or a caught emergency restart */
	COOP_HALT_POWEROFF = 2,
	COOP_HALT_HALT = 3,
};

struct coop_shared_header {
	uint64_t magic;	      /* COOP_SHARED_MAGIC */
	uint32_t version;     /* COOP_ABI_VERSION */
	uint32_t header_size; /* sizeof(struct coop_shared_header) */
	uint64_t zone_base;   /* physical address of the shared zone */
	uint64_t zone_size;
	uint32_t vmm_ctrl_off, vmm_ctrl_size;
	uint32_t iopm_ctrl_off, iopm_ctrl_size;
	uint32_t vmm_data_off, vmm_data_size;
	uint32_t iopm_data_off, iopm_data_size;
	uint64_t tsc_khz;      /* measured by the VMM at boot */
	uint64_t lapic_khz;    /* LAPIC timer input clock */
	uint32_t vmm_apic_id;  /* where IPIs to the VMM go; COOP_NO_APIC_ID in iopm.ko's fake zone */
	uint32_t iopm_apic_id; /* this IOPM's CPU */
	uint32_t iopm_index;
	uint32_t vmm_notify_vector; /* IPI vector the VMM listens on for this IOPM */
	uint32_t console_irq;	    /* ISA IRQ of the IOPM console UART (routed at boot) */
	uint32_t reserved0;
	uint64_t reserved[8];
};

/* Interrupt-routing request (IOPM -> VMM): "deliver ISA IRQ `irq` to my
 * CPU as vector `vector`". flags: COOP_ROUTE_LEVEL for level-triggered. */
#define COOP_ROUTE_VALID  (1U << 0)
#define COOP_ROUTE_LEVEL  (1U << 1)
#define COOP_ROUTE_MASKED (1U << 2) /* Linux masked the IRQ: the VMM holds (does not forward) it */

struct coop_route {
	uint32_t irq;
	uint32_t vector;
	uint32_t flags;
	uint32_t eoi_count; /* level pins: IOPM increments after servicing -> VMM unmasks */
};

/* Written by the IOPM only. */
struct coop_iopm_ctrl {
	uint32_t state;	    /* enum coop_iopm_state */
	uint32_t reason;    /* for HALTED: enum coop_halt_reason */
	uint64_t heartbeat; /* iopmd increments it about every 100 ms */
	uint64_t boot_tsc;  /* TSC when iopm.ko loaded */
	uint32_t route_seq; /* bumped after editing route[] */
	uint32_t reserved0;
	struct coop_route route[COOP_MAX_ROUTES];
	char note[64]; /* last panic message or reason, NUL-terminated */
};

/* Route status values (coop_vmm_ctrl.route_status[]). */
enum coop_route_status {
	COOP_ROUTE_NONE = 0,
	COOP_ROUTE_ACTIVE = 1,
	COOP_ROUTE_REFUSED_OWNED = 2, /* another owner has this pin */
	COOP_ROUTE_REFUSED_BAD = 3,   /* bad IRQ or vector */
};

/* Written by the VMM only. */
struct coop_vmm_ctrl {
	uint64_t heartbeat;	/* VMM increments it once a second */
	uint32_t route_ack_seq; /* last coop_iopm_ctrl.route_seq the VMM applied */
	uint32_t reserved0;
	uint32_t route_status[COOP_MAX_ROUTES];
	uint64_t irqs_forwarded[COOP_MAX_ROUTES];
};

#endif
