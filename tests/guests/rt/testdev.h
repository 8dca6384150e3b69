/* SPDX-License-Identifier: GPL-2.0-only */
/* testdev.h: coopvmm's test device (docs/guest-platform.md "The test
 * device"): an MMIO page with a scratch window and access registers, and
 * ports with a scratch register, an IRQ pulser and a FIFO. Written here from
 * the contract, independently of the VMM's model, so a mistake on either
 * side shows up as a failing guest. */
#ifndef GUEST_RT_TESTDEV_H
#define GUEST_RT_TESTDEV_H

#define TESTDEV_MMIO_BASE    0xfeb00000U
#define TESTDEV_MMIO_SIZE    0x1000
#define TESTDEV_SCRATCH	     0x000 /* 0x000-0x0ff: RW scratch memory, any size/alignment */
#define TESTDEV_SCRATCH_SIZE 0x100
#define TESTDEV_ACCESS_COUNT 0x100 /* R: accesses to the page so far (this read counts after it) */
#define TESTDEV_LAST_SIZE    0x108 /* R: size in bytes of the previous access */
#define TESTDEV_LAST_WRITE   0x10c /* R: 1 if the previous access was a write */
#define TESTDEV_LAST_OFFSET  0x110 /* R: offset of the previous access */

#define TESTDEV_PORT_SCRATCH	0xe0 /* 0xe0-0xe3: 32-bit scratch register, byte lanes */
#define TESTDEV_PORT_IRQ	0xe4 /* W1: pulse ISA IRQ n (PIC input n, IOAPIC pin n) */
#define TESTDEV_PORT_FIFO	0xe8 /* RW: 256-byte FIFO; empty reads all ones */
#define TESTDEV_PORT_FIFO_COUNT 0xec /* R4: bytes in the FIFO */
#define TESTDEV_FIFO_SIZE	256

#endif
