/* SPDX-License-Identifier: GPL-2.0-only */
/* coopvmm_ioreq.h: one guest device access as a request (docs/architecture.md
 * "The life of a guest I/O request"): what a guest's port or MMIO access
 * becomes after its VM exit, whoever serves it -- a device model in the VMM,
 * or (through the channel) a device model in an IOPM. The channel's
 * per-vCPU I/O slot carries exactly this struct, so that forwarding a
 * request is a copy, not a translation. Fixed-width fields, explicit
 * padding, sizes checked below; shared by the VMM, the IOPM side and the
 * host tests.
 *
 * A request is either one access (count 1: `data` holds the value) or a
 * batch of string I/O elements (COOP_IOREQ_STRING: `count` elements of
 * `size` bytes each in `buf`, element 0 first, in the order the guest's
 * instruction makes them; `step` is how the address moves between them: 0
 * for a port, +size or -size for memory). For a write the VMM fills the
 * data before it dispatches; for a read the server fills it and sets
 * `status` (0, or a negative errno: the device refused the access, the
 * guest reads all ones). */
#ifndef COOPVMM_IOREQ_H
#define COOPVMM_IOREQ_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define COOP_IOREQ_DATA_MAX 512U /* bytes of string data in one request */

/* coop_ioreq.space */
enum coop_ioreq_space {
	COOP_IOREQ_PIO = 0,  /* addr: an I/O port */
	COOP_IOREQ_MMIO = 1, /* addr: a guest-physical address */
};

/* coop_ioreq.dir */
enum coop_ioreq_dir {
	COOP_IOREQ_READ = 0,  /* IN, INS, a load from MMIO */
	COOP_IOREQ_WRITE = 1, /* OUT, OUTS, a store to MMIO */
};

/* coop_ioreq.flags */
#define COOP_IOREQ_STRING (1U << 0) /* the data is in buf (count elements) */

struct coop_ioreq {
	uint64_t seq;	   /* unique per request, never reused (VMM counter) */
	uint64_t addr;	   /* port or guest-physical address of element 0 */
	uint64_t data;	   /* one access: the value written / read (low `size` bytes) */
	uint32_t vm;	   /* the VM's id (vm->id) */
	uint16_t vcpu;	   /* the vCPU's index in its VM */
	uint8_t space;	   /* enum coop_ioreq_space */
	uint8_t dir;	   /* enum coop_ioreq_dir */
	uint8_t size;	   /* bytes per element: 1, 2, 4 or 8 */
	uint8_t flags;	   /* COOP_IOREQ_* */
	int16_t step;	   /* address step between elements */
	uint32_t count;	   /* elements: 1, or up to COOP_IOREQ_DATA_MAX / size */
	int32_t status;	   /* completion: 0, or a negative errno */
	uint32_t reserved; /* 0 */
	uint8_t buf[COOP_IOREQ_DATA_MAX];
};

#ifndef __cplusplus
_Static_assert(sizeof(struct coop_ioreq) == 48 + COOP_IOREQ_DATA_MAX, "coop_ioreq layout");
_Static_assert(__builtin_offsetof(struct coop_ioreq, vm) == 24, "coop_ioreq.vm offset");
_Static_assert(__builtin_offsetof(struct coop_ioreq, count) == 36, "coop_ioreq.count offset");
_Static_assert(__builtin_offsetof(struct coop_ioreq, buf) == 48, "coop_ioreq.buf offset");
#endif

#endif
