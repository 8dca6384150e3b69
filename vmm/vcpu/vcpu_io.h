/* SPDX-License-Identifier: GPL-2.0-only */
/* vcpu_io.h: a vCPU's device access in flight (docs/architecture.md "The
 * life of a guest I/O request"): the request it made, whether it waits for
 * the completion, and what the exit handler needs to finish the
 * instruction when the completion arrives -- the IN's register, the string
 * I/O's registers, or the MMIO instruction that is being carried out. */
#ifndef VMM_VCPU_IO_H
#define VMM_VCPU_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/coopvmm_ioreq.h"
#include "vmm/vcpu/decode.h"

/* Device accesses one MMIO instruction can make: an 8-byte operand split
 * across two pages goes byte by byte, read and write (16); MOVS from one
 * device to another likewise. */
#define MMIO_ACCESS_MAX 16

/* vcpu_io.state */
enum ioreq_state {
	IOREQ_IDLE,	/* no request outstanding */
	IOREQ_PENDING,	/* dispatched: the vCPU waits (is not run) */
	IOREQ_COMPLETE, /* the server answered: the vCPU's CPU finishes the instruction */
};

/* What the exit handler resumes when the completion arrives. */
enum io_cont {
	IO_CONT_PIO,	    /* IN/OUT */
	IO_CONT_PIO_STRING, /* INS/OUTS, with or without REP */
	IO_CONT_MMIO,	    /* an instruction accessing MMIO */
};

/* One device access an MMIO instruction made, and its result. */
struct mmio_access {
	uint64_t gpa, val;
	uint8_t size;
	bool write;
};

/* The memory operand of a non-string MMIO instruction: its linear address
 * and, when it lies in one page, its guest-physical address; an operand
 * split across two pages (RAM and MMIO, say) goes byte by byte through the
 * guest's paging, each byte to whatever it is. */
struct mmio_operand {
	uint64_t la, gpa;
	bool split;
};

struct vcpu_io {
	struct coop_ioreq req;	 /* the request (state != IDLE: outstanding) */
	volatile uint32_t state; /* enum ioreq_state */
	enum io_cont cont;
	uint64_t seq;		  /* the last request's number */
	uint64_t requests, waits; /* requests made; of them, completed later */
	uint64_t posted;	  /* of them, writes posted to their server (no answer awaited) */
	/* Port I/O. */
	uint32_t insn_len; /* to step RIP past the IN/OUT/INS/OUTS */
	uint8_t asize;	   /* string I/O: address size (2, 4, 8) */
	bool rep;
	bool down;	   /* string I/O: EFLAGS.DF */
	bool bp_armed;	   /* string I/O: DR7 enables a breakpoint */
	uint64_t mem_base; /* string I/O: the memory operand's segment base */
	/* MMIO: the instruction, decoded once at the exit and carried out again
	 * (from this copy, never fetched again) after each completion; the
	 * device accesses it made so far are replayed from `acc`, so each
	 * happens once. */
	struct insn insn;
	struct mmio_operand op; /* its memory operand */
	uint64_t exit_gpa;	/* the access that exited (for messages) */
	unsigned nacc;		/* accesses recorded in acc[] */
	unsigned next_acc;	/* the next one while carrying the instruction out */
	bool diverged;		/* carried out again, it made other accesses */
	struct mmio_access acc[MMIO_ACCESS_MAX];
};

#endif
