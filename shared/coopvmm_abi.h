/* SPDX-License-Identifier: GPL-2.0-only */
/* coopvmm_abi.h: the one definition of the VMM <-> IOPM shared-zone ABI
 * (docs/channel.md: the picture, the message catalogue, the slot state
 * machine and the notification rules; where the zone lies:
 * docs/partitions.md), included by the VMM, the IOPM kernel module
 * (iopm.ko), the daemon (iopmd), vmctl and the host tests. Fixed-width
 * types, explicit padding, every size and offset checked below.
 *
 * The shared zone is cut into one part per IOPM (COOP_PART_SIZE each, part
 * i at zone base + i * COOP_PART_SIZE); an IOPM is told the base of its own
 * part only and never sees another's. Inside a part every area is written
 * by one side only (the IOPM maps the VMM's areas read-only):
 *
 *   offset   area                     writer  contents
 *   0x00000  struct coop_shared_header VMM    layout, rates, APIC IDs, epoch
 *   0x01000  struct coop_vmm_ctrl      VMM    ring indices, suppression words,
 *                                             heartbeat, log head, counters
 *   0x02000  struct coop_iopm_ctrl     IOPM   state, ring indices, suppression
 *                                             words, heartbeat, counters
 *   0x04000  VMM ring                  VMM    COOP_RING_ENTRIES struct coop_msg,
 *                                             VMM -> IOPM
 *   0x0c000  IOPM ring                 IOPM   COOP_RING_ENTRIES struct coop_msg,
 *                                             IOPM -> VMM
 *   0x14000  VMM slot halves           VMM    COOP_SLOTS struct coop_slot_req
 *   0x1d000  IOPM slot halves          IOPM   COOP_SLOTS struct coop_slot_rsp
 *   0x26000  VMM kernel ring           VMM    COOP_KRING_ENTRIES struct coop_msg,
 *                                             VMM -> iopm.ko
 *   0x27000  IOPM kernel ring          iopm.ko COOP_KRING_ENTRIES struct coop_msg,
 *                                             iopm.ko -> VMM (user space maps it
 *                                             read-only)
 *   0x30000  VMM log                   VMM    COOP_LOG_SIZE bytes of text
 *   0x40000  end of the part
 *
 * Two ring pairs: iopmd's (the VMM ring and the IOPM ring, 256 entries
 * each: HELLO, PING, slots, VM requests, ...) and iopm.ko's kernel rings
 * (32 entries each: interrupt routes and their EOIs, which iopm.ko sends
 * from process, atomic and interrupt context, where iopmd cannot). Each
 * ring has one producer; coop_msg_rings() says which pair a type takes.
 *
 * Ordering: every index, state word and the log head is published with
 * coop_store_release() after the data it covers and read with
 * coop_load_acquire() before the data; the one store-then-load that needs
 * more (a consumer arming its event word, then re-checking the producer's
 * index) uses coop_fence(). These three helpers are the only barriers of
 * the protocol, in all four programs.
 */
#ifndef COOPVMM_ABI_H
#define COOPVMM_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#include "coopvmm_ioreq.h"

#define COOP_SHARED_MAGIC 0x444d48535f504f43ULL /* "COP_SHMD" little-endian */
#define COOP_ABI_VERSION  4			/* 4: VM_REQUEST CREATE/START/STATS/HOST fields */
#define COOP_PAGE	  4096U
#define COOP_MAX_IOPMS	  8
#define COOP_PART_SIZE	  0x40000U    /* one IOPM's part of the zone: 256 KiB */
#define COOP_ROUTE_IRQS	  16	      /* ISA IRQs 0-15: what a ROUTE_PIN or PIN_EOI may name */
#define COOP_VECTOR_MIN	  0x20U	      /* vectors the VMM sends the IOPM's CPU: not an exception ... */
#define COOP_VECTOR_MAX	  0xefU	      /* ... nor one of the VMM's own (0xf0 and up) */
#define COOP_NO_APIC_ID	  0xffffffffU /* an APIC ID field naming no CPU */

/* Offsets inside a part (the header repeats them; a reader checks that it
 * says exactly these). */
#define COOP_HEADER_OFF	    0x00000U
#define COOP_VMM_CTRL_OFF   0x01000U
#define COOP_IOPM_CTRL_OFF  0x02000U
#define COOP_VMM_RING_OFF   0x04000U
#define COOP_IOPM_RING_OFF  0x0c000U
#define COOP_VMM_SLOT_OFF   0x14000U
#define COOP_IOPM_SLOT_OFF  0x1d000U
#define COOP_VMM_KRING_OFF  0x26000U
#define COOP_IOPM_KRING_OFF 0x27000U
#define COOP_LOG_OFF	    0x30000U

#define COOP_RING_ENTRIES  256U /* per ring of iopmd's pair; a power of two */
#define COOP_KRING_ENTRIES 32U	/* per kernel ring; a power of two (docs/channel.md: why 32) */
#define COOP_MSG_SIZE	   128U
#define COOP_MSG_PAYLOAD   (COOP_MSG_SIZE - 16U)
#define COOP_SLOTS	   64U	    /* per IOPM: one per vCPU it serves */
#define COOP_SLOT_SIZE	   576U	    /* each half */
#define COOP_LOG_SIZE	   0x10000U /* a power of two */

/* ---- barriers: the one ordering protocol of the channel ---- */

/* Publish `v` at `p` after every earlier load and store of this side. */
static inline void coop_store_release(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void coop_store_release64(volatile uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Read the peer's published word before anything it covers. */
static inline uint32_t coop_load_acquire(const volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint64_t coop_load_acquire64(const volatile uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* A full fence: orders an earlier store before a later load (x86: MFENCE
 * or a locked instruction). */
static inline void coop_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ---- the IOPM's state ---- */

/* coop_iopm_ctrl.state, in boot order. */
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

/* ---- the header (VMM writes, before the IOPM starts) ---- */

struct coop_shared_header {
	uint64_t magic;	      /* COOP_SHARED_MAGIC */
	uint32_t version;     /* COOP_ABI_VERSION */
	uint32_t header_size; /* sizeof(struct coop_shared_header) */
	uint64_t zone_base;   /* physical address of this part */
	uint64_t zone_size;   /* COOP_PART_SIZE */
	uint32_t vmm_ctrl_off, vmm_ctrl_size;
	uint32_t iopm_ctrl_off, iopm_ctrl_size;
	uint32_t vmm_ring_off, iopm_ring_off;
	uint32_t ring_entries, msg_size; /* COOP_RING_ENTRIES, COOP_MSG_SIZE */
	uint32_t vmm_slot_off, iopm_slot_off;
	uint32_t slots, slot_size; /* COOP_SLOTS, COOP_SLOT_SIZE */
	uint32_t log_off, log_size;
	uint64_t tsc_khz;	    /* measured by the VMM at boot */
	uint64_t lapic_khz;	    /* LAPIC timer input clock */
	uint32_t vmm_apic_id;	    /* where IPIs to the VMM go; COOP_NO_APIC_ID in iopm.ko's fake zone */
	uint32_t iopm_apic_id;	    /* this IOPM's CPU */
	uint32_t iopm_index;	    /* which IOPM this part belongs to */
	uint32_t vmm_notify_vector; /* the IPI vector the VMM takes this IOPM's notifications on */
	uint32_t console_irq;	    /* ISA IRQ of the IOPM console UART (routed at boot) */
	uint32_t epoch;		    /* bumped each time this IOPM is (re)started */
	uint32_t vmm_kring_off, iopm_kring_off; /* the kernel rings */
	uint32_t kring_entries;			/* COOP_KRING_ENTRIES */
	uint32_t reserved0;
	uint64_t reserved[6];
};

/* ---- rings ---- */

/* The producer's half of a ring's control: in the producer's ctrl area. */
struct coop_ring_prod {
	uint32_t prod; /* free-running: messages ever produced */
	uint32_t reserved;
};

/* The consumer's half: in the consumer's ctrl area. The producer notifies
 * (IPI) after moving prod from old to new only if `event` lies in
 * (old, new] (free-running, modulo 2^32) and COOP_RING_POLLING is clear.
 * A consumer about to sleep sets event = cons + 1, then coop_fence(), then
 * reads prod again: a message produced meanwhile is seen there, or its
 * producer saw the new event and notifies. */
#define COOP_RING_POLLING (1U << 0) /* the consumer polls: never notify */

struct coop_ring_cons {
	uint32_t cons;	/* free-running: messages ever consumed */
	uint32_t event; /* notify when prod passes this index */
	uint32_t flags; /* COOP_RING_* */
	uint32_t reserved;
};

/* Message types. Requests from the IOPM carry an id that the reply echoes
 * (coop_msg.id); messages that need no reply have id 0 or any value. */
enum coop_msg_type {
	COOP_MSG_NONE = 0,
	/* either way */
	COOP_MSG_ERROR = 1, /* struct coop_msg_error: the message `id` of type `bad_type` was refused */
	COOP_MSG_PING = 2,  /* struct coop_msg_ping: answer with PONG, same payload */
	COOP_MSG_PONG = 3,
	/* IOPM -> VMM */
	COOP_MSG_HELLO = 16,	 /* struct coop_msg_hello: the IOPM attaches (its ABI version) */
	COOP_MSG_HEARTBEAT = 17, /* struct coop_msg_heartbeat */
	COOP_MSG_IO_DONE = 18,	 /* struct coop_msg_slot: the slot's request is COMPLETE */
	COOP_MSG_IRQ_LINE = 19,	 /* struct coop_msg_irq_line: raise/lower/pulse a guest line */
	COOP_MSG_MSI = 20,	 /* struct coop_msg_msi: a guest MSI */
	COOP_MSG_ROUTE_PIN =
	    21,		       /* struct coop_msg_route: route, update or release a host pin (kernel ring) */
	COOP_MSG_PIN_EOI = 22, /* struct coop_msg_route (irq): a level pin was serviced (kernel ring) */
	COOP_MSG_VM_REQUEST = 23, /* struct coop_msg_vm: a lifecycle request (enum coop_vm_op) */
	COOP_MSG_SET_MODE = 24,	  /* struct coop_msg_mode: how the VMM learns of this IOPM's messages */
	COOP_MSG_RAM_DONE = 25,	  /* struct coop_msg_ram (REMOVE): a VM's RAM_MAP REMOVE applied */
	/* VMM -> IOPM */
	COOP_MSG_HELLO_REPLY = 32, /* struct coop_msg_hello: accepted (the VMM's version, the epoch) */
	COOP_MSG_IO_REQUEST = 33,  /* struct coop_msg_slot: the slot holds a PENDING request */
	COOP_MSG_IO_POSTED = 34,   /* struct coop_msg_posted: a write that needs no answer */
	COOP_MSG_RAM_MAP = 35,	   /* struct coop_msg_ram: a guest RAM range (un)announced */
	COOP_MSG_ROUTE_REPLY = 36, /* struct coop_msg_route: the route's status (kernel ring) */
	COOP_MSG_VM_REPLY = 37,	   /* struct coop_msg_vm: the answer to a VM_REQUEST */
	COOP_MSG_TYPES
};

/* coop_msg_error.code and other status fields: 0 or a negative errno of
 * this list (values as Linux's). */
#define COOP_EPERM	     1
#define COOP_ENOENT	     2
#define COOP_EIO	     5
#define COOP_ENOMEM	     12
#define COOP_EBUSY	     16
#define COOP_EEXIST	     17
#define COOP_ENODEV	     19
#define COOP_EINVAL	     22
#define COOP_ENOSPC	     28
#define COOP_ENOSYS	     38
#define COOP_EPROTO	     71
#define COOP_EMSGSIZE	     90
#define COOP_EPROTONOSUPPORT 93

struct coop_msg {
	uint16_t type; /* enum coop_msg_type */
	uint16_t len;  /* payload bytes used, <= COOP_MSG_PAYLOAD */
	uint32_t id;   /* request id, echoed by the reply */
	uint32_t vm;   /* a VM id where the type has one, else 0 */
	uint16_t vcpu; /* a vCPU index where the type has one, else 0 */
	uint16_t flags;
	uint8_t payload[COOP_MSG_PAYLOAD];
};

/* Why a message was refused (coop_msg_error.reason). */
enum coop_err_reason {
	COOP_ERR_NONE = 0,
	COOP_ERR_TYPE = 1,    /* unknown type or wrong direction */
	COOP_ERR_LEN = 2,     /* len not the type's payload size */
	COOP_ERR_VM = 3,      /* no such VM, or not served by this IOPM */
	COOP_ERR_VCPU = 4,    /* no such vCPU */
	COOP_ERR_SLOT = 5,    /* slot index out of range or not PENDING/COMPLETE as said */
	COOP_ERR_SEQ = 6,     /* the sequence number is not the outstanding one */
	COOP_ERR_FIELD = 7,   /* a field out of range (see text) */
	COOP_ERR_STATE = 8,   /* not now (before HELLO, a version refused, ...) */
	COOP_ERR_VERSION = 9, /* HELLO with another ABI version */
	COOP_ERR_FLAGS = 10,  /* unknown flag or reserved field not 0 */
};

struct coop_msg_error {
	int32_t code;	   /* -COOP_E* */
	uint16_t bad_type; /* the refused message's type */
	uint16_t reason;   /* enum coop_err_reason */
	uint32_t bad_id;   /* the refused message's id */
	uint32_t reserved;
	char text[64]; /* NUL-terminated, for the log */
};

struct coop_msg_ping {
	uint64_t seq;
	uint64_t tsc; /* the sender's TSC when sent */
};

/* HELLO (IOPM -> VMM) and HELLO_REPLY (VMM -> IOPM). */
struct coop_msg_hello {
	uint32_t abi_version; /* COOP_ABI_VERSION of the sender */
	uint32_t epoch;	      /* the reply: this IOPM's epoch (the header's) */
	uint32_t features;    /* COOP_FEAT_* the sender supports */
	uint32_t pid;	      /* iopmd's pid (HELLO), 0 (reply) */
};

#define COOP_FEAT_POSTED (1U << 0) /* IO_POSTED messages */

struct coop_msg_heartbeat {
	uint64_t count;
};

/* SET_MODE: COOP_MODE_IPI, the VMM sleeps on the ring and wants an IPI
 * (with suppression); COOP_MODE_POLL, the VMM polls the ring on each pass
 * of its scheduler and asks for no IPIs. No reply unless refused (ERROR);
 * the mode in force shows in the VMM's rx.flags (COOP_RING_POLLING). */
enum coop_mode {
	COOP_MODE_IPI = 0,
	COOP_MODE_POLL = 1,
};

struct coop_msg_mode {
	uint32_t vmm_mode; /* enum coop_mode */
	uint32_t reserved;
};

/* IO_REQUEST / IO_DONE: a doorbell for slot `slot` holding request `seq`. */
struct coop_msg_slot {
	uint32_t slot;
	uint32_t reserved;
	uint64_t seq;
};

/* IO_POSTED: a single write that needs no answer (coop_msg.vm/.vcpu say
 * whose). Fields as in struct coop_ioreq. */
struct coop_msg_posted {
	uint64_t seq;
	uint64_t addr;
	uint64_t data;
	uint8_t space; /* enum coop_ioreq_space */
	uint8_t size;  /* 1, 2, 4 or 8 */
	uint8_t reserved[6];
};

/* IRQ_LINE ops */
enum coop_irq_op {
	COOP_IRQ_LOWER = 0,
	COOP_IRQ_RAISE = 1,
	COOP_IRQ_PULSE = 2, /* raise then lower: an edge */
};

struct coop_msg_irq_line {
	uint32_t line; /* the guest's GSI (its virtual IOAPIC pin; ISA IRQs 0-15 also reach its PIC) */
	uint32_t op;   /* enum coop_irq_op */
};

/* The guest GSI of the PCI bus's INTx: iopmd ORs the INTA# of every
 * function it serves into this one line (level: raised while any function
 * asserts it, lowered when none does) and the VMM's DSDT routes every
 * slot's INTA#-INTD# to it (\_SB.PCI0._PRT, docs/guest-platform.md), so the
 * guest programs its I/O APIC pin level-triggered, active low, shared. A
 * choice of the guest platform, not a hardware fact; an ISA IRQ number, so
 * a guest using its PIC reaches it too (ELCR level). */
#define COOP_GUEST_GSI_PCI_INTX 11

struct coop_msg_msi {
	uint64_t addr; /* as the guest programmed it (0xfeeXXXXX) */
	uint32_t data;
	uint32_t reserved;
};

/* RAM_MAP: guest RAM at [gpa, gpa + size) is host-physical [hpa, hpa + size)
 * (COOP_RAM_ADD), or the VM's RAM is gone (COOP_RAM_REMOVE: all ranges of
 * coop_msg.vm). iopm.ko lets iopmd map exactly the announced ranges.
 * RAM_DONE (IOPM -> VMM, op REMOVE, gpa, hpa and size 0): the IOPM has
 * applied the REMOVE of VM coop_msg.vm: no mapping of its RAM is left in
 * the IOPM, so the VMM may give the memory to another VM (it holds it
 * until then: docs/channel.md "Guest RAM"). */
#define COOP_RAM_ADD	0U
#define COOP_RAM_REMOVE 1U

struct coop_msg_ram {
	uint64_t gpa;
	uint64_t hpa;
	uint64_t size;
	uint32_t op; /* COOP_RAM_* */
	uint32_t reserved;
};

/* ROUTE_PIN (iopm.ko -> VMM), PIN_EOI (irq only), ROUTE_REPLY (VMM ->
 * iopm.ko), on the kernel rings only (docs/channel.md "Interrupt routes").
 * ROUTE_PIN with VALID asks the VMM to forward ISA IRQ `irq` to this IOPM's
 * CPU as a fixed IPI on `vector` (or updates the route: MASKED, vector);
 * without VALID it releases the route (vector and the other flags 0). Every
 * ROUTE_PIN gets a ROUTE_REPLY echoing its id, irq and vector, with the
 * route as the VMM applied it in `flags` (LEVEL: the pin's trigger mode) and
 * `status`. A level pin stays masked from each forwarded interrupt until the
 * PIN_EOI for it. */
#define COOP_ROUTE_VALID  (1U << 0)
#define COOP_ROUTE_LEVEL  (1U << 1) /* level-triggered: the IOPM sends a PIN_EOI per interrupt */
#define COOP_ROUTE_MASKED (1U << 2) /* Linux masked the IRQ: the VMM holds (does not forward) it */

/* coop_msg_route.status of a ROUTE_REPLY. */
enum coop_route_status {
	COOP_ROUTE_NONE = 0,	      /* released (or there was no route) */
	COOP_ROUTE_ACTIVE = 1,	      /* the VMM forwards the pin */
	COOP_ROUTE_REFUSED_OWNED = 2, /* the VMM keeps this pin, or another IOPM has it */
	COOP_ROUTE_REFUSED_BAD = 3,   /* bad IRQ, vector or trigger mode, or no IOAPIC pin */
};

struct coop_msg_route {
	uint32_t irq;	 /* ISA IRQ */
	uint32_t vector; /* on the IOPM's CPU, COOP_VECTOR_MIN-COOP_VECTOR_MAX */
	uint32_t flags;	 /* COOP_ROUTE_* */
	uint32_t status; /* reply: enum coop_route_status; 0 in a request */
};

/* VM_REQUEST ops (docs/channel.md "Lifecycle requests"). LIST, CREATE and
 * HOST name no VM (coop_msg.vm 0); the others name one in coop_msg.vm. An
 * op the VMM does not serve is answered with status -COOP_ENOSYS. */
enum coop_vm_op {
	COOP_VM_LIST = 0,   /* reply: one VM_REPLY per VM (flags COOP_VM_MORE but the last) */
	COOP_VM_INFO = 1,   /* reply: the VM as LIST describes it */
	COOP_VM_CREATE = 2, /* name, vcpus, mem, iopm, devices: a VM in state CREATED, its RAM
			     * announced (RAM_MAP ADD) to the requesting IOPM before the reply;
			     * the reply's coop_msg.vm is its id */
	COOP_VM_START = 3,  /* boot, entry, arg: vCPU 0 starts there (a CREATED VM only) */
	COOP_VM_PAUSE = 4,
	COOP_VM_UNPAUSE = 5,
	COOP_VM_SHUTDOWN = 6, /* the guest is asked: an ACPI power-button press */
	COOP_VM_DESTROY = 7,  /* the VM is stopped and freed */
	COOP_VM_STATS = 8,    /* reply: struct coop_msg_vm_stats messages, enum coop_vm_stat */
	COOP_VM_HOST = 9,     /* reply: struct coop_msg_vm_stats, enum coop_host_stat */
	COOP_VM_OPS
};

/* coop_msg_vm.state of a reply. */
enum coop_vm_state {
	COOP_VMS_RUNNING = 0,
	COOP_VMS_PAUSED = 1,
	COOP_VMS_EXITED = 2,  /* ended on its own (debug-exit port, ACPI S5); being freed */
	COOP_VMS_KILLED = 3,  /* stopped by the VMM or destroyed; being freed */
	COOP_VMS_CREATED = 4, /* made by CREATE, not yet started */
};

/* coop_msg_vm.devices: the platform devices the serving IOPM models. */
#define COOP_VM_DEV_COM1 (1U << 0) /* ports 0x3f8-0x3ff, the guest's IRQ 4 */
#define COOP_VM_DEV_RTC	 (1U << 1) /* ports 0x70-0x71, IRQ 8 */
#define COOP_VM_DEV_PCI                                                                                      \
	(1U << 2) /* ports 0xcf8-0xcff (configuration mechanism #1) and the PCI memory window                \
		     0xfe000000-0xfe0fffff */
#define COOP_VM_DEV_ALL (COOP_VM_DEV_COM1 | COOP_VM_DEV_RTC | COOP_VM_DEV_PCI)
#define COOP_VM_NO_IOPM 0xffffU /* coop_msg_vm.iopm: the VMM serves COM1 (its log), no other device */

/* coop_msg_vm.boot of a START: how vCPU 0 begins. */
enum coop_vm_boot {
	/* Multiboot v1 (Multiboot 0.6.96 3.2): 32-bit protected mode, flat
	 * segments, paging off, EIP = entry, EAX = 0x2BADB002, EBX = arg. */
	COOP_VM_BOOT_MB1 = 0,
	/* Linux's 64-bit boot protocol (Documentation/arch/x86/boot.rst
	 * "64-bit boot protocol"): long mode, paging on with CR3 =
	 * COOP_LINUX64_PML4, GDTR = COOP_LINUX64_GDT + COOP_LINUX64_GDT_LIMIT,
	 * CS = COOP_LINUX64_CS (64-bit code), DS/ES/SS/FS/GS = COOP_LINUX64_DS
	 * (flat), interrupts off, RIP = entry, RSI = arg (the zero page). The
	 * loader (vmm/vm/linux_loader.c) builds the page tables (0-4 GiB
	 * identity-mapped) and the GDT at these fixed guest-physical addresses
	 * (docs/guest-platform.md "Boot (Linux, 64-bit)"). */
	COOP_VM_BOOT_LINUX64 = 1,
};
#define COOP_LINUX64_GDT       0x1000U
#define COOP_LINUX64_GDT_LIMIT (4 * 8 - 1) /* null, null, CS, DS */
#define COOP_LINUX64_PML4      0x2000U
#define COOP_LINUX64_CS	       0x10 /* __BOOT_CS of boot.rst */
#define COOP_LINUX64_DS	       0x18 /* __BOOT_DS */

#define COOP_VM_MORE	 (1U << 0) /* coop_msg.flags of a VM_REPLY: more replies follow */
#define COOP_VM_NAME_MAX 64

/* A guest name as CREATE takes it (docs/vmctl.md "Guest config files"): 1
 * to COOP_VM_NAME_MAX-1 characters, each coop_vm_name_char; not beginning
 * with '-' (vmctl would take it for an option), not all digits (vmctl
 * takes NAME|ID), not "." or "..". */
static inline int coop_vm_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '-';
}

static inline int coop_vm_name_ok(const char *s)
{
	unsigned n = 0, digits = 0;
	for (; s[n] && n < COOP_VM_NAME_MAX; n++) {
		if (!coop_vm_name_char(s[n]))
			return 0;
		digits += s[n] >= '0' && s[n] <= '9';
	}
	if (!n || n >= COOP_VM_NAME_MAX || s[0] == '-' || digits == n)
		return 0;
	return !(s[0] == '.' && (n == 1 || (n == 2 && s[1] == '.')));
}

/* VM_REQUEST and VM_REPLY (but the replies of STATS and HOST). Fields a
 * request's op does not use are 0; status, state and cpu_ns are always 0
 * in a request. */
struct coop_msg_vm {
	uint32_t op;		     /* enum coop_vm_op */
	int32_t status;		     /* reply: 0 or -COOP_E* */
	uint32_t state;		     /* reply: enum coop_vm_state */
	uint32_t vcpus;		     /* CREATE, replies */
	uint64_t mem;		     /* CREATE, replies: bytes */
	uint64_t cpu_ns;	     /* reply: CPU time used */
	char name[COOP_VM_NAME_MAX]; /* CREATE, replies: NUL-terminated */
	uint16_t iopm;		     /* CREATE, replies: the IOPM serving its devices, or COOP_VM_NO_IOPM */
	uint16_t devices;	     /* CREATE, replies: COOP_VM_DEV_* (0 with COOP_VM_NO_IOPM) */
	uint16_t boot;		     /* START: enum coop_vm_boot */
	uint16_t reserved;
	uint32_t entry; /* START: where vCPU 0 begins (guest-physical, below 4 GiB) */
	uint32_t arg;	/* START: the boot protocol's argument (Multiboot: EBX) */
};

/* Counters of one VM (STATS), index into coop_msg_vm_stats.value as
 * `first` + i. */
#define COOP_STAT_EXIT_REASONS 80 /* basic exit reasons counted (SDM Vol. 3D Appendix C) */
#define COOP_STAT_HOT	       4  /* I/O ports and MMIO pages listed by how often they are accessed */
enum coop_vm_stat {
	COOP_STAT_EXIT0 = 0,			     /* + reason: VM exits for that basic exit reason */
	COOP_STAT_REQUESTS = COOP_STAT_EXIT_REASONS, /* device accesses made requests */
	COOP_STAT_WAITS,			     /* of them, answered later (the vCPU waited) */
	COOP_STAT_FORWARDED,			     /* of them, sent to an IOPM (in its slot, or posted) */
	COOP_STAT_POSTED,   /* of them, writes posted (IO_POSTED: the vCPU did not wait) */
	COOP_STAT_INJECTED, /* interrupts injected */
	COOP_STAT_IPIS,	    /* IPIs its vCPUs sent (its virtual LAPICs' ICR) */
	COOP_STAT_UNCLAIMED_IO,
	COOP_STAT_UNCLAIMED_MMIO,
	COOP_STAT_CPU_NS, /* time its vCPUs ran */
	/* The I/O ports its port accesses went to most, most first:
	 * COOP_STAT_HOT pairs (port, accesses); accesses 0: no more. Counted
	 * in fixed space (vmm/lib/hot.h): exact for a key that stayed in the
	 * table, else an over-estimate (docs/vmctl.md "stats"). */
	COOP_STAT_HOT_IO,
	/* The same for its MMIO accesses, by page: (guest-physical address of
	 * the 4 KiB page, accesses). */
	COOP_STAT_HOT_MMIO = COOP_STAT_HOT_IO + 2 * COOP_STAT_HOT,
	COOP_STATS = COOP_STAT_HOT_MMIO + 2 * COOP_STAT_HOT
};

/* The VMM's resources (HOST). */
enum coop_host_stat {
	COOP_HOST_GUEST_RAM_FREE = 0, /* bytes of the guest-RAM pool free (not one block: see docs) */
	COOP_HOST_GUEST_RAM_TOTAL,
	COOP_HOST_HEAP_FREE, /* pages of the VMM heap free */
	COOP_HOST_HEAP_TOTAL,
	COOP_HOST_VMS,		  /* VMs that exist (any state) */
	COOP_HOST_VMS_MAX,	  /* VMs that can exist at once */
	COOP_HOST_VMS_MADE,	  /* VMs ever created */
	COOP_HOST_GUEST_RAM_HELD, /* bytes of ended VMs' RAM held until the IOPM's RAM_DONE */
	COOP_HOST_STATS
};

#define COOP_VM_STATS_VALUES 12

/* The VM_REPLY of STATS and HOST: counters [first, first + count), several
 * replies (COOP_VM_MORE but the last) covering them all in order. */
struct coop_msg_vm_stats {
	uint32_t op; /* COOP_VM_STATS or COOP_VM_HOST */
	int32_t status;
	uint32_t first;
	uint32_t count; /* <= COOP_VM_STATS_VALUES */
	uint64_t value[COOP_VM_STATS_VALUES];
};

/* The payload size of a message of `type` going to the VMM (`to_vmm`) or
 * to the IOPM; 0 when no such message travels that way. A message's len
 * must be exactly this. */
static inline uint16_t coop_msg_len(uint16_t type, int to_vmm)
{
	switch (type) {
	case COOP_MSG_ERROR:
		return sizeof(struct coop_msg_error);
	case COOP_MSG_PING:
	case COOP_MSG_PONG:
		return sizeof(struct coop_msg_ping);
	case COOP_MSG_HELLO:
		return to_vmm ? sizeof(struct coop_msg_hello) : 0;
	case COOP_MSG_HEARTBEAT:
		return to_vmm ? sizeof(struct coop_msg_heartbeat) : 0;
	case COOP_MSG_IO_DONE:
		return to_vmm ? sizeof(struct coop_msg_slot) : 0;
	case COOP_MSG_IRQ_LINE:
		return to_vmm ? sizeof(struct coop_msg_irq_line) : 0;
	case COOP_MSG_MSI:
		return to_vmm ? sizeof(struct coop_msg_msi) : 0;
	case COOP_MSG_ROUTE_PIN:
	case COOP_MSG_PIN_EOI:
		return to_vmm ? sizeof(struct coop_msg_route) : 0;
	case COOP_MSG_VM_REQUEST:
		return to_vmm ? sizeof(struct coop_msg_vm) : 0;
	case COOP_MSG_SET_MODE:
		return to_vmm ? sizeof(struct coop_msg_mode) : 0;
	case COOP_MSG_RAM_DONE:
		return to_vmm ? sizeof(struct coop_msg_ram) : 0;
	case COOP_MSG_HELLO_REPLY:
		return to_vmm ? 0 : sizeof(struct coop_msg_hello);
	case COOP_MSG_IO_REQUEST:
		return to_vmm ? 0 : sizeof(struct coop_msg_slot);
	case COOP_MSG_IO_POSTED:
		return to_vmm ? 0 : sizeof(struct coop_msg_posted);
	case COOP_MSG_RAM_MAP:
		return to_vmm ? 0 : sizeof(struct coop_msg_ram);
	case COOP_MSG_ROUTE_REPLY:
		return to_vmm ? 0 : sizeof(struct coop_msg_route);
	case COOP_MSG_VM_REPLY:
		return to_vmm ? 0 : sizeof(struct coop_msg_vm);
	default:
		return 0;
	}
}

/* Which ring pair a type travels on (a bit set): iopm.ko's kernel rings
 * carry the interrupt routes, iopmd's rings everything else; ERROR, PING
 * and PONG travel on both. A message on the other pair's ring is refused
 * like an unknown type (COOP_ERR_TYPE). */
#define COOP_RINGS_DAEMON (1U << 0)
#define COOP_RINGS_KERNEL (1U << 1)

static inline unsigned int coop_msg_rings(uint16_t type)
{
	switch (type) {
	case COOP_MSG_ERROR:
	case COOP_MSG_PING:
	case COOP_MSG_PONG:
		return COOP_RINGS_DAEMON | COOP_RINGS_KERNEL;
	case COOP_MSG_ROUTE_PIN:
	case COOP_MSG_PIN_EOI:
	case COOP_MSG_ROUTE_REPLY:
		return COOP_RINGS_KERNEL;
	default:
		return COOP_RINGS_DAEMON;
	}
}

/* ---- request slots ---- */

/* A slot is two halves, each written by one side. Its state is read from
 * both (docs/channel.md "The slot"):
 *
 *   FREE       req.state == COOP_SLOT_FREE                          VMM owns it
 *   PENDING    req.state == COOP_SLOT_PENDING, rsp.seq != req.req.seq
 *              or rsp.state not PROCESSING/COMPLETE                  IOPM may take it
 *   PROCESSING req.state == PENDING, rsp.state == PROCESSING,
 *              rsp.seq == req.req.seq                               IOPM owns it
 *   COMPLETE   req.state == PENDING, rsp.state == COMPLETE,
 *              rsp.seq == req.req.seq                               VMM owns it
 *
 * The VMM fills req.req, then publishes req.state = PENDING; the IOPM
 * publishes rsp.state (PROCESSING, then COMPLETE after the answer); the
 * VMM copies the answer, then publishes req.state = FREE. Each state word
 * is written last, with coop_store_release(). */
enum coop_slot_req_state {
	COOP_SLOT_FREE = 0,
	COOP_SLOT_PENDING = 1,
};

enum coop_slot_rsp_state {
	COOP_SLOT_IDLE = 0,
	COOP_SLOT_PROCESSING = 2,
	COOP_SLOT_COMPLETE = 3,
};

struct coop_slot_req {	/* VMM writes */
	uint32_t state; /* enum coop_slot_req_state */
	uint32_t reserved;
	struct coop_ioreq req;
	uint8_t pad[COOP_SLOT_SIZE - 8 - sizeof(struct coop_ioreq)];
};

struct coop_slot_rsp {	/* IOPM writes */
	uint32_t state; /* enum coop_slot_rsp_state */
	int32_t status; /* 0 or -COOP_E*: the device refused (the guest reads all ones) */
	uint64_t seq;	/* the request answered */
	uint64_t data;	/* one read: the value */
	uint32_t count; /* string read: elements in buf (== the request's count) */
	uint32_t reserved;
	uint8_t buf[COOP_IOREQ_DATA_MAX];
	uint8_t pad[COOP_SLOT_SIZE - 32 - COOP_IOREQ_DATA_MAX];
};

/* ---- control areas ---- */

/* The VMM's view of one ISA IRQ routed to this IOPM (coop_vmm_ctrl.pins,
 * by IRQ), published after every change: for vmctl and the tests, never an
 * answer (ROUTE_REPLY is). */
struct coop_pin_view {
	uint32_t vector;    /* the route's vector; 0: never routed to this IOPM */
	uint32_t flags;	    /* COOP_ROUTE_* as the VMM applies them */
	uint64_t forwarded; /* interrupts sent to the IOPM by IPI */
	uint64_t held;	    /* fired while Linux had the IRQ masked: held for the unmask */
	uint64_t dropped;   /* fired with no route (before it, or after a release) */
	uint64_t eois;	    /* PIN_EOIs taken: the level pin unmasked */
};

/* Written by the VMM only. */
struct coop_vmm_ctrl {
	uint64_t heartbeat;	  /* VMM increments it once a second */
	struct coop_ring_prod tx; /* VMM ring (VMM -> IOPM) */
	struct coop_ring_cons rx; /* IOPM ring (IOPM -> VMM) */
	uint64_t log_head;	  /* bytes ever written to the log; the log holds the last COOP_LOG_SIZE */
	/* What the VMM counted on iopmd's rings (vmctl, the tests). */
	uint64_t msgs_sent, msgs_received, msgs_refused, notifies_sent, notifies_received;
	/* The kernel rings (iopm.ko's pair) and what the VMM counted on them. */
	struct coop_ring_prod ktx; /* VMM kernel ring (VMM -> iopm.ko) */
	struct coop_ring_cons krx; /* IOPM kernel ring (iopm.ko -> VMM) */
	uint64_t kmsgs_sent, kmsgs_received, kmsgs_refused;
	struct coop_pin_view pins[COOP_ROUTE_IRQS];
	uint64_t reserved[8];
};

/* Written by the IOPM only: iopmd (its rings, heartbeat, RUNNING) and
 * iopm.ko (state, note, notify vector, the kernel rings). */
struct coop_iopm_ctrl {
	uint32_t state;		  /* enum coop_iopm_state */
	uint32_t reason;	  /* for HALTED: enum coop_halt_reason */
	uint64_t heartbeat;	  /* iopmd increments it about every 100 ms */
	uint64_t boot_tsc;	  /* TSC when iopm.ko loaded */
	char note[64];		  /* last panic message or reason, NUL-terminated */
	struct coop_ring_prod tx; /* IOPM ring (IOPM -> VMM) */
	struct coop_ring_cons rx; /* VMM ring (VMM -> IOPM) */
	uint32_t notify_vector;	  /* the IPI vector the IOPM takes the VMM's notifications on; 0: poll */
	uint32_t reserved1;
	uint64_t msgs_sent, msgs_received, msgs_refused, notifies_sent, notifies_received;
	struct coop_ring_prod ktx; /* IOPM kernel ring (iopm.ko -> VMM) */
	struct coop_ring_cons krx; /* VMM kernel ring (VMM -> iopm.ko) */
	uint64_t kmsgs_sent, kmsgs_received, kmsgs_refused;
	uint64_t reserved[8];
};

/* ---- layout checks ---- */

#ifndef __cplusplus
#define COOP_ABI_ASSERT(e, what) _Static_assert(e, what)
#else
#define COOP_ABI_ASSERT(e, what) static_assert(e, what)
#endif

COOP_ABI_ASSERT(sizeof(struct coop_shared_header) == 192, "coop_shared_header size");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_shared_header, tsc_khz) == 88, "header.tsc_khz offset");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_shared_header, epoch) == 124, "header.epoch offset");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_shared_header, vmm_kring_off) == 128,
		"header.vmm_kring_off offset");
COOP_ABI_ASSERT(sizeof(struct coop_ring_prod) == 8, "coop_ring_prod size");
COOP_ABI_ASSERT(sizeof(struct coop_ring_cons) == 16, "coop_ring_cons size");
COOP_ABI_ASSERT(sizeof(struct coop_msg) == COOP_MSG_SIZE, "coop_msg size");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_msg, payload) == 16, "coop_msg.payload offset");
COOP_ABI_ASSERT(sizeof(struct coop_msg_error) == 80, "coop_msg_error size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_ping) == 16, "coop_msg_ping size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_hello) == 16, "coop_msg_hello size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_heartbeat) == 8, "coop_msg_heartbeat size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_mode) == 8, "coop_msg_mode size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_slot) == 16, "coop_msg_slot size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_posted) == 32, "coop_msg_posted size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_irq_line) == 8, "coop_msg_irq_line size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_msi) == 16, "coop_msg_msi size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_ram) == 32, "coop_msg_ram size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_route) == 16, "coop_msg_route size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_vm) == 112, "coop_msg_vm size");
COOP_ABI_ASSERT(sizeof(struct coop_msg_vm_stats) == sizeof(struct coop_msg_vm), "a VM_REPLY's two forms");
COOP_ABI_ASSERT(sizeof(struct coop_msg_vm) <= COOP_MSG_PAYLOAD, "coop_msg_vm fits a message");
COOP_ABI_ASSERT(sizeof(struct coop_msg_error) <= COOP_MSG_PAYLOAD, "coop_msg_error fits a message");
COOP_ABI_ASSERT(sizeof(struct coop_slot_req) == COOP_SLOT_SIZE, "coop_slot_req size");
COOP_ABI_ASSERT(sizeof(struct coop_slot_rsp) == COOP_SLOT_SIZE, "coop_slot_rsp size");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_slot_req, req) == 8, "coop_slot_req.req offset");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_slot_rsp, buf) == 32, "coop_slot_rsp.buf offset");
COOP_ABI_ASSERT(sizeof(struct coop_pin_view) == 40, "coop_pin_view size");
COOP_ABI_ASSERT(sizeof(struct coop_vmm_ctrl) == 832, "coop_vmm_ctrl size");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_vmm_ctrl, tx) == 8, "coop_vmm_ctrl.tx offset");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_vmm_ctrl, ktx) == 80, "coop_vmm_ctrl.ktx offset");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_vmm_ctrl, pins) == 128, "coop_vmm_ctrl.pins offset");
COOP_ABI_ASSERT(sizeof(struct coop_iopm_ctrl) == 272, "coop_iopm_ctrl size");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_iopm_ctrl, tx) == 88, "coop_iopm_ctrl.tx offset");
COOP_ABI_ASSERT(__builtin_offsetof(struct coop_iopm_ctrl, ktx) == 160, "coop_iopm_ctrl.ktx offset");
COOP_ABI_ASSERT(sizeof(struct coop_vmm_ctrl) <= COOP_PAGE && sizeof(struct coop_iopm_ctrl) <= COOP_PAGE,
		"control areas fit a page");
COOP_ABI_ASSERT((COOP_RING_ENTRIES & (COOP_RING_ENTRIES - 1)) == 0, "ring entries: a power of two");
COOP_ABI_ASSERT(COOP_VMM_RING_OFF + COOP_RING_ENTRIES * COOP_MSG_SIZE <= COOP_IOPM_RING_OFF, "VMM ring fits");
COOP_ABI_ASSERT(COOP_IOPM_RING_OFF + COOP_RING_ENTRIES * COOP_MSG_SIZE <= COOP_VMM_SLOT_OFF,
		"IOPM ring fits");
COOP_ABI_ASSERT(COOP_VMM_SLOT_OFF + COOP_SLOTS * COOP_SLOT_SIZE <= COOP_IOPM_SLOT_OFF, "VMM slots fit");
COOP_ABI_ASSERT(COOP_IOPM_SLOT_OFF + COOP_SLOTS * COOP_SLOT_SIZE <= COOP_VMM_KRING_OFF, "IOPM slots fit");
COOP_ABI_ASSERT((COOP_KRING_ENTRIES & (COOP_KRING_ENTRIES - 1)) == 0, "kernel ring entries: a power of two");
COOP_ABI_ASSERT(COOP_KRING_ENTRIES *COOP_MSG_SIZE == COOP_PAGE,
		"a kernel ring is one page (its own protection)");
COOP_ABI_ASSERT(COOP_VMM_KRING_OFF + COOP_KRING_ENTRIES * COOP_MSG_SIZE <= COOP_IOPM_KRING_OFF,
		"VMM kernel ring fits");
COOP_ABI_ASSERT(COOP_IOPM_KRING_OFF + COOP_KRING_ENTRIES * COOP_MSG_SIZE <= COOP_LOG_OFF,
		"IOPM kernel ring fits");
COOP_ABI_ASSERT((COOP_LOG_SIZE & (COOP_LOG_SIZE - 1)) == 0, "log size: a power of two");
COOP_ABI_ASSERT(COOP_LOG_OFF + COOP_LOG_SIZE <= COOP_PART_SIZE, "log fits the part");
COOP_ABI_ASSERT(COOP_VMM_SLOT_OFF % COOP_PAGE == 0 && COOP_IOPM_SLOT_OFF % COOP_PAGE == 0 &&
		    COOP_VMM_RING_OFF % COOP_PAGE == 0 && COOP_IOPM_RING_OFF % COOP_PAGE == 0 &&
		    COOP_VMM_KRING_OFF % COOP_PAGE == 0 && COOP_IOPM_KRING_OFF % COOP_PAGE == 0 &&
		    COOP_LOG_OFF % COOP_PAGE == 0,
		"areas are page aligned (the IOPM maps each with its own protection)");

#endif
