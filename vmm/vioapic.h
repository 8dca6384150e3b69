/* vioapic.h: a guest's virtual I/O APIC: 24 pins, one MMIO page at
 * 0xFEC00000. Intel 82093AA I/O APIC datasheet 3.0 (IOREGSEL/IOWIN, ID,
 * version, arbitration ID, redirection table), with the EOI register at
 * 0x40 of I/O APIC version 0x20. Deliveries go to a caller callback. */
#ifndef VMM_VIOAPIC_H
#define VMM_VIOAPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIOAPIC_BASE      0xfec00000ULL /* guest-physical MMIO page */
#define VIOAPIC_MMIO_SIZE 0x1000
#define VIOAPIC_PINS      24
#define VIOAPIC_VERSION   0x20          /* has the EOI register */

/* MMIO offsets */
#define VIOAPIC_IOREGSEL  0x00
#define VIOAPIC_IOWIN     0x10
#define VIOAPIC_EOI       0x40

/* Register indices (IOREGSEL) */
#define VIOAPIC_REG_ID     0x00
#define VIOAPIC_REG_VER    0x01
#define VIOAPIC_REG_ARB    0x02
#define VIOAPIC_REG_REDTBL 0x10 /* pin n: low half 0x10 + 2n, high half 0x11 + 2n */

#define VIOAPIC_ID_SHIFT   24   /* ID and ARB: bits 27:24 */
#define VIOAPIC_ID_MASK    0xfu
#define VIOAPIC_VER_MRE_SHIFT 16 /* VER bits 23:16: maximum redirection entry */

/* Redirection table entry */
#define VIOAPIC_RTE_VECTOR     0xffULL
#define VIOAPIC_RTE_DM_SHIFT   8        /* delivery mode, bits 10:8 */
#define VIOAPIC_RTE_DM_MASK    0x7ULL
#define VIOAPIC_RTE_LOGICAL    (1ULL << 11) /* destination mode */
#define VIOAPIC_RTE_DELIVS     (1ULL << 12) /* delivery status (RO, always 0 here) */
#define VIOAPIC_RTE_POLARITY   (1ULL << 13) /* 1 = active low (stored only) */
#define VIOAPIC_RTE_REMOTE_IRR (1ULL << 14) /* RO */
#define VIOAPIC_RTE_LEVEL      (1ULL << 15) /* trigger mode */
#define VIOAPIC_RTE_MASKED     (1ULL << 16)
#define VIOAPIC_RTE_DEST_SHIFT 56           /* destination, bits 63:56 */

/* Delivery modes */
#define VIOAPIC_DM_FIXED    0
#define VIOAPIC_DM_LOWEST   1
#define VIOAPIC_DM_SMI      2
#define VIOAPIC_DM_NMI      4
#define VIOAPIC_DM_INIT     5
#define VIOAPIC_DM_EXTINT   7

/* What to deliver to the VM's LAPIC(s). */
struct vioapic_msg {
	uint32_t dest;         /* RTE bits 63:56 */
	uint8_t vector;
	uint8_t delivery_mode; /* VIOAPIC_DM_* */
	bool logical;          /* destination mode */
	bool level;            /* level-triggered: the LAPIC must report its EOI */
};

/* Called with the VM's lock held. It must not call back into this vioapic
 * (queue the interrupt; the EOI comes later through vioapic_eoi()). */
typedef void (*vioapic_deliver_fn)(void *ctx, const struct vioapic_msg *m);

struct vioapic {
	uint64_t redir[VIOAPIC_PINS]; /* redirection table */
	uint32_t line;                /* asserted input pins, bit per pin */
	uint8_t id;                   /* 4-bit I/O APIC ID (ARB follows it) */
	uint8_t regsel;               /* IOREGSEL */
	vioapic_deliver_fn deliver;   /* NULL: deliveries are dropped */
	void *ctx;
};

/* Reset state: every pin masked, edge, vector 0; all lines deasserted. */
void vioapic_init(struct vioapic *io, uint32_t id, vioapic_deliver_fn fn, void *ctx);

/* A 32-bit access at offset (from VIOAPIC_BASE) to IOREGSEL, IOWIN or EOI;
 * a read stores the value in *val. Returns 0; any other offset reads all
 * ones, ignores writes and returns -EINVAL (the caller counts them). */
int vioapic_mmio(struct vioapic *io, uint64_t offset, bool write, uint32_t *val);

/* The same for an access of size bytes (1, 2, 4 or 8): anything but a
 * 4-byte access reads all ones (size bytes of them), ignores writes and
 * returns -EINVAL; 4-byte accesses go to vioapic_mmio(). */
int vioapic_mmio_sized(struct vioapic *io, uint64_t offset, unsigned size, bool write,
		       uint64_t *val);

/* Drive input pin 0-23 (others ignored); level is "asserted", whatever the
 * programmed polarity. Edge pins deliver on 0->1 if unmasked (an edge
 * while masked is lost); level pins deliver while asserted, unmasked and
 * remote IRR clear. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);

/* EOI of vector (LAPIC EOI of a level-triggered vector, or the EOI
 * register): clears remote IRR of every pin with that vector and delivers
 * again where the line is still asserted and the pin unmasked. */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

#endif
