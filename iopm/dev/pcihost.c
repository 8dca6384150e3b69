/* SPDX-License-Identifier: GPL-2.0-only */
/* pcihost.c: configuration mechanism #1 (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2) over a table of the functions on bus 0, each a 256-byte
 * configuration space with masks (chapter 6: read-only fields, the
 * status register's write-1-to-clear bits, BAR sizing by the address bits
 * a BAR keeps), and the host bridge at 00:00.0. Why masks and not one
 * callback per device: docs/vdevices.md "Device models in iopmd". */
#include "iopm/dev/pcihost.h"

#include <errno.h>
#include <string.h>

uint32_t pci_fn_get(const struct pci_fn *fn, unsigned off, unsigned size)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)fn->cfg[off + i] << (8 * i);
	return v;
}

static void set_bytes(uint8_t *a, unsigned off, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++)
		a[off + i] = (uint8_t)(val >> (8 * i));
}

void pci_fn_set(struct pci_fn *fn, unsigned off, unsigned size, uint32_t val)
{
	set_bytes(fn->cfg, off, size, val);
}

void pci_fn_init(struct pci_fn *fn, uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code,
		 uint8_t header_type)
{
	memset(fn, 0, sizeof(*fn));
	pci_fn_set(fn, PCI_VENDOR_ID, 2, vendor);
	pci_fn_set(fn, PCI_DEVICE_ID, 2, device);
	pci_fn_set(fn, PCI_REVISION_ID, 1, revision);
	pci_fn_set(fn, PCI_CLASS_PROG, 3, class_code);
	pci_fn_set(fn, PCI_HEADER_TYPE, 1, header_type);
	set_bytes(fn->wmask, PCI_COMMAND, 2,
		  PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		      PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	set_bytes(fn->w1c, PCI_STATUS, 2, PCI_STATUS_WRITE_1_TO_CLEAR);
	fn->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	fn->wmask[PCI_LATENCY_TIMER] = 0xff;
	fn->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

int pci_fn_bar(struct pci_fn *fn, unsigned bar, uint64_t size, uint32_t flags)
{
	bool io = flags & PCI_BAR_IO, wide = !io && (flags & PCI_BAR_MEM_64);
	unsigned off = PCI_BAR0 + 4 * bar;
	if (bar >= PCI_BARS || (wide && bar + 1 >= PCI_BARS) || !power_of_two(size))
		return -EINVAL;
	/* I/O: 64 KiB of ports at most; memory below 4 GiB for a 32-bit BAR. */
	if (io ? flags != PCI_BAR_IO || size < PCI_BAR_IO_MIN || size > 1ull << 16
	       : (flags & ~(uint32_t)(PCI_BAR_MEM_64 | PCI_BAR_PREFETCH)) || size < PCI_BAR_MEM_MIN ||
		     (!wide && size > 1ull << 31))
		return -EINVAL;
	uint64_t mask = ~(size - 1);
	pci_fn_set(fn, off, 4, flags);
	set_bytes(fn->wmask, off, 4, (uint32_t)mask & ~(io ? PCI_BAR_IO_FLAGS : PCI_BAR_MEM_FLAGS));
	set_bytes(fn->w1c, off, 4, 0);
	if (wide) {
		pci_fn_set(fn, off + 4, 4, 0);
		set_bytes(fn->wmask, off + 4, 4, (uint32_t)(mask >> 32));
		set_bytes(fn->w1c, off + 4, 4, 0);
	}
	return 0;
}

uint64_t pci_fn_bar_addr(const struct pci_fn *fn, unsigned bar)
{
	if (bar >= PCI_BARS)
		return 0;
	uint32_t lo = pci_fn_get(fn, PCI_BAR0 + 4 * bar, 4);
	if (lo & PCI_BAR_IO)
		return lo & ~(uint32_t)PCI_BAR_IO_FLAGS;
	uint64_t addr = lo & ~(uint32_t)PCI_BAR_MEM_FLAGS;
	if ((lo & PCI_BAR_MEM_64) && bar + 1 < PCI_BARS)
		addr |= (uint64_t)pci_fn_get(fn, PCI_BAR0 + 4 * (bar + 1), 4) << 32;
	return addr;
}

static struct pci_fn *lookup(struct pcihost *h, unsigned bus, unsigned devfn)
{
	if (bus != 0 || devfn >= PCI_DEVFNS)
		return NULL;
	/* Software finds functions 1-7 only through function 0's header
	 * type; a lone function 3 would be a device nobody scans. */
	struct pci_fn *f0 = h->fns[devfn & ~(PCI_FUNCS - 1)];
	if (!f0 || ((devfn & (PCI_FUNCS - 1)) && !(f0->cfg[PCI_HEADER_TYPE] & PCI_HEADER_MULTI_FUNC)))
		return NULL;
	return h->fns[devfn];
}

static bool cfg_range_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < PCI_CFG_SIZE && size <= PCI_CFG_SIZE - off;
}

uint32_t pcihost_cfg_read(struct pcihost *h, unsigned bus, unsigned devfn, unsigned off, unsigned size)
{
	uint32_t ones = size >= 4 ? PCI_ABSENT : (1u << (8 * size)) - 1;
	struct pci_fn *fn = lookup(h, bus, devfn);
	if (!fn || !cfg_range_ok(off, size))
		return ones;
	uint32_t v = pci_fn_get(fn, off, size);
	if (fn->ops && fn->ops->read)
		fn->ops->read(fn->ctx, fn, off, size, &v);
	return v & ones;
}

void pcihost_cfg_write(struct pcihost *h, unsigned bus, unsigned devfn, unsigned off, unsigned size,
		       uint32_t val)
{
	struct pci_fn *fn = lookup(h, bus, devfn);
	if (!fn || !cfg_range_ok(off, size))
		return; /* master abort: the write goes nowhere */
	for (unsigned i = 0; i < size; i++) {
		unsigned o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i));
		fn->cfg[o] = (uint8_t)((fn->cfg[o] & ~fn->wmask[o]) | (b & fn->wmask[o]));
		fn->cfg[o] &= (uint8_t) ~(b & fn->w1c[o]);
	}
	if (fn->ops && fn->ops->written)
		fn->ops->written(fn->ctx, fn, off, size);
}

int pcihost_attach(struct pcihost *h, unsigned devfn, struct pci_fn *fn)
{
	if (devfn >= PCI_DEVFNS || !fn)
		return -EINVAL;
	if (h->fns[devfn])
		return -EBUSY;
	h->fns[devfn] = fn;
	return 0;
}

void pcihost_init(struct pcihost *h)
{
	memset(h, 0, sizeof(*h));
	struct pci_fn *b = &h->bridge;
	pci_fn_init(b, PCI_VENDOR_INTEL, PCI_DEVICE_I440FX, PCI_I440FX_REVISION, PCI_CLASS_BRIDGE_HOST,
		    PCI_HEADER_TYPE_NORMAL);
	/* The host bridge always decodes memory and masters the bus: those
	 * command bits read 1 and stay; no I/O BAR, no interrupt. */
	pci_fn_set(b, PCI_COMMAND, 2, PCI_I440FX_COMMAND);
	pci_fn_set(b, PCI_STATUS, 2, PCI_I440FX_STATUS);
	set_bytes(b->wmask, PCI_COMMAND, 2, PCI_COMMAND_PARITY | PCI_COMMAND_SERR);
	b->wmask[PCI_CACHE_LINE_SIZE] = 0;
	h->fns[PCI_DEVFN(0, 0)] = b;
}

/* The configuration cycle CONFIG_ADDRESS selects, if enabled. */
static void data_access(struct pcihost *h, unsigned k, unsigned size, bool write, uint32_t *val)
{
	unsigned bus = (h->addr >> PCI_ADDR_BUS_SHIFT) & 0xff;
	unsigned devfn = (h->addr >> PCI_ADDR_DEVFN_SHIFT) & 0xff;
	unsigned off = (h->addr & PCI_ADDR_REG_MASK) + k;
	/* Bytes past 0xcff are the next port's: the CPU splits there. */
	unsigned n = size < PCI_CONFIG_PORTS - k ? size : PCI_CONFIG_PORTS - k;
	bool enabled = h->addr & PCI_ADDR_ENABLE;
	if (write) {
		if (enabled)
			pcihost_cfg_write(h, bus, devfn, off, n == 3 ? 2 : n, *val);
		if (enabled && n == 3) /* a 4-byte access at 0xcfd: bytes 1-3 */
			pcihost_cfg_write(h, bus, devfn, off + 2, 1, *val >> 16);
		return;
	}
	uint32_t v = PCI_ABSENT;
	if (enabled) {
		v = n == 3 ? pcihost_cfg_read(h, bus, devfn, off, 2) |
				 pcihost_cfg_read(h, bus, devfn, off + 2, 1) << 16 | 0xff000000u
			   : pcihost_cfg_read(h, bus, devfn, off, n) | (n == 4 ? 0 : PCI_ABSENT << (8 * n));
	}
	*val = size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

int pcihost_io(struct pcihost *h, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	int ret = 0;
	if (port < PCI_CONFIG_ADDRESS || port >= PCI_CONFIG_DATA + PCI_CONFIG_PORTS)
		ret = -ENOENT;
	else if (size != 1 && size != 2 && size != 4)
		ret = -EINVAL;
	else if (port < PCI_CONFIG_DATA && (port != PCI_CONFIG_ADDRESS || size != 4))
		ret = -EINVAL; /* e.g. 0xcf9, the reset control register of PIIX/ICH */
	if (ret) {
		if (!write)
			*val = PCI_ABSENT;
		return ret;
	}
	if (port == PCI_CONFIG_ADDRESS) {
		if (write)
			h->addr = *val & PCI_ADDR_WRITABLE;
		else
			*val = h->addr;
		return 0;
	}
	data_access(h, port - PCI_CONFIG_DATA, size, write, val);
	return 0;
}
