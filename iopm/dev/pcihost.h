/* SPDX-License-Identifier: GPL-2.0-only */
/* pcihost.h: a guest's PCI bus 0 behind configuration mechanism #1 (PCI
 * Local Bus Specification 3.0, 3.2.2.3.2; configuration space, chapter 6)
 * for iopmd: the CONFIG_ADDRESS/CONFIG_DATA ports, a table of the
 * functions on bus 0, and the host bridge at 00:00.0. A state machine: no
 * I/O, no allocation. docs/vdevices.md "Device models in iopmd". */
#ifndef IOPM_DEV_PCIHOST_H
#define IOPM_DEV_PCIHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/pci.h"

struct pci_fn;

/* Both optional. */
struct pci_fn_ops {
	/* A read of `size` bytes at `off`: *val holds the bytes of cfg[];
	 * change it for a register whose value is computed. */
	void (*read)(void *ctx, struct pci_fn *fn, unsigned off, unsigned size, uint32_t *val);
	/* After a write of `size` bytes at `off` went into cfg[] through the
	 * masks: act on it (a BAR moved, decoding turned on). */
	void (*written)(void *ctx, struct pci_fn *fn, unsigned off, unsigned size);
};

/* One function's configuration space: what reads return, which bits a
 * write sets (wmask), and which a 1 clears (w1c, the status errors). A
 * device owns its struct and fills it with the pci_fn_* helpers. */
struct pci_fn {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
	uint8_t w1c[PCI_CFG_SIZE];
	const struct pci_fn_ops *ops;
	void *ctx;
};

struct pcihost {
	uint32_t addr;			/* CONFIG_ADDRESS as written (reserved bits 0) */
	struct pci_fn *fns[PCI_DEVFNS]; /* bus 0, by device << 3 | function; NULL: none */
	struct pci_fn bridge;		/* 00:00.0 */
};

/* Bus 0 with the host bridge (an Intel 82441FX: 8086:1237 rev 02, class
 * 06/00/00) at 00:00.0 and nothing else; CONFIG_ADDRESS 0. */
void pcihost_init(struct pcihost *h);
/* Put `fn` at 00:dev.fn (devfn = PCI_DEVFN(dev, fn)). -EINVAL for
 * devfn >= 256, -EBUSY if taken. Function 0 of a device must be attached
 * for its other functions to be found, with PCI_HEADER_MULTI_FUNC. */
int pcihost_attach(struct pcihost *h, unsigned devfn, struct pci_fn *fn);
/* A guest access of `size` bytes (1, 2, 4) at `port`: a 4-byte access at
 * 0xcf8 is CONFIG_ADDRESS; 0xcfc-0xcff is CONFIG_DATA, each byte at the
 * register CONFIG_ADDRESS selects plus its offset in the dword (bytes past
 * 0xcff read 0xff). Returns 0, -ENOENT (not these ports) or -EINVAL (a
 * byte or word access at 0xcf8-0xcfb, another register on a PC, or a bad
 * size); on a refused read *val is all ones. */
int pcihost_io(struct pcihost *h, uint16_t port, unsigned size, bool write, uint32_t *val);
/* Configuration accesses by address (for the tests and for a memory-mapped
 * mechanism later): `size` bytes at `off`, off + size <= 256. An absent
 * function reads all ones and ignores writes. */
uint32_t pcihost_cfg_read(struct pcihost *h, unsigned bus, unsigned devfn, unsigned off, unsigned size);
void pcihost_cfg_write(struct pcihost *h, unsigned bus, unsigned devfn, unsigned off, unsigned size,
		       uint32_t val);

/* A type 0 header: IDs, class code (base << 16 | sub << 8 | prog-if) and
 * header type read-only; command (I/O, memory, bus master, parity, SERR,
 * INTx disable), cache line size, latency timer and interrupt line
 * writable; status errors write-1-to-clear; everything else reads 0. */
void pci_fn_init(struct pci_fn *fn, uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code,
		 uint8_t header_type);
/* BAR `bar` decodes a region of `size` bytes (a power of two, at least
 * PCI_BAR_IO_MIN or PCI_BAR_MEM_MIN), of kind `flags` (PCI_BAR_IO, or
 * memory with PCI_BAR_MEM_64 and PCI_BAR_PREFETCH; a 64-bit BAR takes
 * bar + 1 too). -EINVAL if impossible. */
int pci_fn_bar(struct pci_fn *fn, unsigned bar, uint64_t size, uint32_t flags);
/* Where the guest put BAR `bar` (its address bits; 64 bits for PCI_BAR_MEM_64). */
uint64_t pci_fn_bar_addr(const struct pci_fn *fn, unsigned bar);
/* Little-endian field access to cfg[] (off + size <= 256). */
uint32_t pci_fn_get(const struct pci_fn *fn, unsigned off, unsigned size);
void pci_fn_set(struct pci_fn *fn, unsigned off, unsigned size, uint32_t val);

#endif
