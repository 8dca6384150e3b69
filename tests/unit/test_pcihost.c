/* SPDX-License-Identifier: GPL-2.0-only */
/* test_pcihost.c: unit tests of iopmd's PCI configuration mechanism #1 and
 * host bridge (iopm/dev/pcihost.c): CONFIG_ADDRESS and its reserved bits,
 * byte and word accesses at 0xcf8-0xcfb refused, the enable bit, every
 * size at every CONFIG_DATA offset (0xcfd-0xcff unaligned included), the
 * host bridge's header and its read-only fields, all ones for every
 * absent function and bus, write-1-to-clear status bits, BAR sizing (I/O,
 * 32- and 64-bit memory), multi-function devices, the hooks, Linux's
 * type 1 probe, then random accesses checked against invariants. */
#include <errno.h>
#include <stdlib.h>

#include "iopm/dev/pcihost.h"
#include "test.h"

static uint32_t in(struct pcihost *h, uint16_t port, unsigned size)
{
	uint32_t v = 0x5a5a5a5a;
	EXPECT_EQ(pcihost_io(h, port, size, false, &v), 0);
	if (size < 4)
		EXPECT_LT(v, 1u << (8 * size));
	return v;
}

static void out(struct pcihost *h, uint16_t port, unsigned size, uint32_t v)
{
	EXPECT_EQ(pcihost_io(h, port, size, true, &v), 0);
}

static uint32_t addr(unsigned bus, unsigned devfn, unsigned reg)
{
	return PCI_ADDR_ENABLE | bus << PCI_ADDR_BUS_SHIFT | devfn << PCI_ADDR_DEVFN_SHIFT | (reg & 0xfc);
}

/* Linux's pci_conf1_read/write (arch/x86/pci/direct.c): the address, then
 * the data port at the register's offset in the dword. */
static uint32_t conf1_read(struct pcihost *h, unsigned bus, unsigned devfn, unsigned reg, unsigned len)
{
	out(h, PCI_CONFIG_ADDRESS, 4, addr(bus, devfn, reg));
	return in(h, (uint16_t)(PCI_CONFIG_DATA + (reg & (len == 2 ? 2 : len == 1 ? 3 : 0))), len);
}

static void conf1_write(struct pcihost *h, unsigned bus, unsigned devfn, unsigned reg, unsigned len,
			uint32_t v)
{
	out(h, PCI_CONFIG_ADDRESS, 4, addr(bus, devfn, reg));
	out(h, (uint16_t)(PCI_CONFIG_DATA + (reg & (len == 2 ? 2 : len == 1 ? 3 : 0))), len, v);
}

TEST(pcihost, config_address_register)
{
	struct pcihost h;
	pcihost_init(&h);
	EXPECT_EQ(in(&h, PCI_CONFIG_ADDRESS, 4), 0);
	out(&h, PCI_CONFIG_ADDRESS, 4, PCI_ADDR_ENABLE);
	EXPECT_EQ(in(&h, PCI_CONFIG_ADDRESS, 4), PCI_ADDR_ENABLE);
	/* Bits 30:24 and 1:0 are reserved and read 0. */
	out(&h, PCI_CONFIG_ADDRESS, 4, 0xffffffff);
	EXPECT_EQ(in(&h, PCI_CONFIG_ADDRESS, 4), 0x80fffffc);
	out(&h, PCI_CONFIG_ADDRESS, 4, 0x7f000003);
	EXPECT_EQ(in(&h, PCI_CONFIG_ADDRESS, 4), 0);
}

TEST(pcihost, small_accesses_at_cf8_are_not_the_address)
{
	struct pcihost h;
	pcihost_init(&h);
	out(&h, PCI_CONFIG_ADDRESS, 4, addr(0, 0, 0));
	for (uint16_t port = PCI_CONFIG_ADDRESS; port < PCI_CONFIG_DATA; port++) {
		for (unsigned size = 1; size <= 4; size *= 2) {
			if (port == PCI_CONFIG_ADDRESS && size == 4)
				continue;
			test_context("port 0x%x size %u", port, size);
			uint32_t v = 0x01;
			EXPECT_EQ(pcihost_io(&h, port, size, true, &v), -EINVAL);
			EXPECT_EQ(pcihost_io(&h, port, size, false, &v), -EINVAL);
			EXPECT_EQ(v, 0xffffffffu);
		}
	}
	EXPECT_EQ(in(&h, PCI_CONFIG_ADDRESS, 4), addr(0, 0, 0)); /* untouched */
	uint32_t v = 0;
	EXPECT_EQ(pcihost_io(&h, PCI_CONFIG_ADDRESS - 1, 1, false, &v), -ENOENT);
	EXPECT_EQ(v, 0xffffffffu);
	EXPECT_EQ(pcihost_io(&h, PCI_CONFIG_DATA + 4, 4, false, &v), -ENOENT);
	EXPECT_EQ(pcihost_io(&h, 0, 4, true, &v), -ENOENT);
	static const unsigned bad[] = {0, 3, 5, 8};
	for (unsigned i = 0; i < 4; i++) {
		EXPECT_EQ(pcihost_io(&h, PCI_CONFIG_DATA, bad[i], false, &v), -EINVAL);
		EXPECT_EQ(v, 0xffffffffu);
		EXPECT_EQ(pcihost_io(&h, PCI_CONFIG_ADDRESS, bad[i], true, &v), -EINVAL);
	}
	EXPECT_EQ(in(&h, PCI_CONFIG_ADDRESS, 4), addr(0, 0, 0));
}

TEST(pcihost, enable_bit_clear_reads_all_ones)
{
	struct pcihost h;
	pcihost_init(&h);
	out(&h, PCI_CONFIG_ADDRESS, 4, addr(0, 0, PCI_COMMAND) & ~PCI_ADDR_ENABLE);
	EXPECT_EQ(in(&h, PCI_CONFIG_DATA, 4), 0xffffffffu);
	EXPECT_EQ(in(&h, PCI_CONFIG_DATA + 2, 2), 0xffff);
	EXPECT_EQ(in(&h, PCI_CONFIG_DATA + 1, 1), 0xff);
	out(&h, PCI_CONFIG_DATA, 2, 0); /* dropped */
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_COMMAND, 2), PCI_I440FX_COMMAND);
	out(&h, PCI_CONFIG_ADDRESS, 4, addr(0, 0, PCI_LATENCY_TIMER) & ~PCI_ADDR_ENABLE);
	out(&h, PCI_CONFIG_DATA + 1, 1, 0x40);
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_LATENCY_TIMER, 1), 0);
}

TEST(pcihost, host_bridge_header)
{
	struct pcihost h;
	pcihost_init(&h);
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_VENDOR_ID, 4), 0x12378086);
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_VENDOR_ID, 2), PCI_VENDOR_INTEL);
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_DEVICE_ID, 2), PCI_DEVICE_I440FX);
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_STATUS, 2), 0x0280);
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_REVISION_ID, 4), 0x06000002);
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_CLASS_PROG + 1, 2), 0x0600); /* what Linux's sanity check reads */
	EXPECT_EQ(conf1_read(&h, 0, 0, PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL);
	for (unsigned reg = PCI_BAR0; reg < PCI_CFG_SIZE; reg += 4)
		EXPECT_EQ(conf1_read(&h, 0, 0, reg, 4), 0); /* no BARs, capabilities, interrupt */
}

TEST(pcihost, absent_functions_and_buses_read_all_ones)
{
	struct pcihost h;
	pcihost_init(&h);
	for (unsigned bus = 0; bus < PCI_BUSES; bus += bus < 4 ? 1 : 37) {
		for (unsigned devfn = 0; devfn < PCI_DEVFNS; devfn++) {
			if (bus == 0 && devfn == 0)
				continue;
			test_context("bus %u devfn 0x%x", bus, devfn);
			for (unsigned reg = 0; reg < PCI_CFG_SIZE; reg += 60) {
				EXPECT_EQ(conf1_read(&h, bus, devfn, reg, 4), 0xffffffffu);
				EXPECT_EQ(conf1_read(&h, bus, devfn, reg + 2, 2), 0xffff);
				EXPECT_EQ(conf1_read(&h, bus, devfn, reg + 1, 1), 0xff);
				conf1_write(&h, bus, devfn, reg, 4, 0);
			}
		}
	}
	/* Bus 1 device 0 is not the host bridge. */
	EXPECT_EQ(pcihost_cfg_read(&h, 1, 0, 0, 4), 0xffffffffu);
	EXPECT_EQ(pcihost_cfg_read(&h, 0, 0, 0, 4), 0x12378086);
	/* Direct accesses: out of range or bad size read all ones. */
	EXPECT_EQ(pcihost_cfg_read(&h, 0, 0, 254, 4), 0xffffffffu);
	EXPECT_EQ(pcihost_cfg_read(&h, 0, 0, 256, 1), 0xff);
	EXPECT_EQ(pcihost_cfg_read(&h, 0, 256, 0, 2), 0xffff);
	EXPECT_EQ(pcihost_cfg_read(&h, 0, 0, 0, 3), 0xffffff);
	pcihost_cfg_write(&h, 0, 0, 255, 4, 0); /* ignored, no overflow */
}

TEST(pcihost, data_port_offsets_and_unaligned_accesses)
{
	struct pcihost h;
	pcihost_init(&h);
	out(&h, PCI_CONFIG_ADDRESS, 4, addr(0, 0, PCI_VENDOR_ID)); /* 86 80 37 12 */
	EXPECT_EQ(in(&h, 0xcfc, 1), 0x86);
	EXPECT_EQ(in(&h, 0xcfd, 1), 0x80);
	EXPECT_EQ(in(&h, 0xcfe, 1), 0x37);
	EXPECT_EQ(in(&h, 0xcff, 1), 0x12);
	EXPECT_EQ(in(&h, 0xcfc, 2), 0x8086);
	EXPECT_EQ(in(&h, 0xcfd, 2), 0x3780);
	EXPECT_EQ(in(&h, 0xcfe, 2), 0x1237);
	EXPECT_EQ(in(&h, 0xcff, 2), 0xff12); /* the byte at 0xd00 is no one's */
	EXPECT_EQ(in(&h, 0xcfc, 4), 0x12378086);
	EXPECT_EQ(in(&h, 0xcfd, 4), 0xff123780);
	EXPECT_EQ(in(&h, 0xcfe, 4), 0xffff1237);
	EXPECT_EQ(in(&h, 0xcff, 4), 0xffffff12);
	/* Bits 1:0 of the register are the data port's offset, not CONFIG_ADDRESS's. */
	out(&h, PCI_CONFIG_ADDRESS, 4, addr(0, 0, PCI_REVISION_ID) | 3);
	EXPECT_EQ(in(&h, 0xcfc, 1), PCI_I440FX_REVISION);
	EXPECT_EQ(in(&h, 0xcff, 1), 0x06);
	/* Unaligned writes reach the right bytes: 0x0c cache line (read-only
	 * on the bridge), 0x0d latency timer, 0x0e header type (read-only). */
	out(&h, PCI_CONFIG_ADDRESS, 4, addr(0, 0, PCI_CACHE_LINE_SIZE));
	out(&h, 0xcfd, 1, 0x20);
	EXPECT_EQ(in(&h, 0xcfc, 4), 0x00002000);
	out(&h, 0xcfd, 2, 0xff40);
	EXPECT_EQ(in(&h, 0xcfc, 4), 0x00004000);
	out(&h, 0xcfc, 4, 0xffffffff);
	EXPECT_EQ(in(&h, 0xcfc, 4), 0x0000ff00);
	out(&h, 0xcfe, 2, 0xffff);
	out(&h, 0xcff, 4, 0xffffffff);
	EXPECT_EQ(in(&h, 0xcfc, 4), 0x0000ff00);
	out(&h, 0xcfd, 4, 0x11); /* bytes 0x0d-0x0f */
	EXPECT_EQ(in(&h, 0xcfc, 4), 0x00001100);
}

TEST(pcihost, read_only_fields_stay)
{
	struct pcihost h;
	pcihost_init(&h);
	uint8_t before[PCI_CFG_SIZE];
	for (unsigned reg = 0; reg < PCI_CFG_SIZE; reg++)
		before[reg] = (uint8_t)conf1_read(&h, 0, 0, reg, 1);
	for (unsigned reg = 0; reg < PCI_CFG_SIZE; reg += 4)
		conf1_write(&h, 0, 0, reg, 4, 0xffffffff);
	for (unsigned reg = 0; reg < PCI_CFG_SIZE; reg++) {
		test_context("register 0x%02x", reg);
		uint8_t want = before[reg];
		if (reg == PCI_COMMAND)
			want |= PCI_COMMAND_PARITY;
		else if (reg == PCI_COMMAND + 1)
			want |= PCI_COMMAND_SERR >> 8;
		else if (reg == PCI_LATENCY_TIMER || reg == PCI_INTERRUPT_LINE)
			want = 0xff;
		EXPECT_EQ(conf1_read(&h, 0, 0, reg, 1), want);
	}
	/* And back: only the writable bits clear. */
	for (unsigned reg = 0; reg < PCI_CFG_SIZE; reg += 4)
		conf1_write(&h, 0, 0, reg, 4, 0);
	for (unsigned reg = 0; reg < PCI_CFG_SIZE; reg++) {
		test_context("register 0x%02x", reg);
		EXPECT_EQ(conf1_read(&h, 0, 0, reg, 1), reg == PCI_LATENCY_TIMER ? 0 : before[reg]);
	}
}

TEST(pcihost, status_errors_write_one_to_clear)
{
	struct pcihost h;
	struct pci_fn fn;
	pcihost_init(&h);
	pci_fn_init(&fn, 0x1af4, 0x1000, 0, 0x020000, PCI_HEADER_TYPE_NORMAL);
	EXPECT_EQ(pcihost_attach(&h, PCI_DEVFN(3, 0), &fn), 0);
	pci_fn_set(&fn, PCI_STATUS, 2, PCI_STATUS_WRITE_1_TO_CLEAR | PCI_STATUS_CAP_LIST);
	conf1_write(&h, 0, PCI_DEVFN(3, 0), PCI_STATUS, 2, 0);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(3, 0), PCI_STATUS, 2), 0xf910);
	conf1_write(&h, 0, PCI_DEVFN(3, 0), PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(3, 0), PCI_STATUS, 2), 0xd910);
	/* A dword write of the command register with ones in the status half. */
	conf1_write(&h, 0, PCI_DEVFN(3, 0), PCI_COMMAND, 4, 0xffff0007);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(3, 0), PCI_COMMAND, 4), 0x00100007);
	conf1_write(&h, 0, PCI_DEVFN(3, 0), PCI_COMMAND, 2, 0xffff);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(3, 0), PCI_COMMAND, 2), 0x0547);
}

TEST(pcihost, bar_sizing_and_addresses)
{
	struct pcihost h;
	struct pci_fn fn;
	unsigned d = PCI_DEVFN(4, 0);
	pcihost_init(&h);
	pci_fn_init(&fn, 0x1af4, 0x1041, 1, 0x020000, PCI_HEADER_TYPE_NORMAL);
	EXPECT_EQ(pci_fn_bar(&fn, 0, 32, PCI_BAR_IO), 0);
	EXPECT_EQ(pci_fn_bar(&fn, 1, 4096, 0), 0);
	EXPECT_EQ(pci_fn_bar(&fn, 2, 16384, PCI_BAR_MEM_64 | PCI_BAR_PREFETCH), 0);
	EXPECT_EQ(pci_fn_bar(&fn, 4, 1ull << 33, PCI_BAR_MEM_64), 0);
	EXPECT_EQ(pcihost_attach(&h, d, &fn), 0);
	/* Unprogrammed: the kind bits only. */
	EXPECT_EQ(conf1_read(&h, 0, d, PCI_BAR0, 4), PCI_BAR_IO);
	EXPECT_EQ(conf1_read(&h, 0, d, PCI_BAR0 + 8, 4), PCI_BAR_MEM_64 | PCI_BAR_PREFETCH);
	/* Sizing as an OS does: all ones, read back. */
	for (unsigned bar = 0; bar < PCI_BARS; bar++)
		conf1_write(&h, 0, d, PCI_BAR0 + 4 * bar, 4, 0xffffffff);
	EXPECT_EQ(conf1_read(&h, 0, d, PCI_BAR0, 4), 0xffffffe1);
	EXPECT_EQ(conf1_read(&h, 0, d, PCI_BAR0 + 4, 4), 0xfffff000);
	EXPECT_EQ(conf1_read(&h, 0, d, PCI_BAR0 + 8, 4), 0xffffc00c);
	EXPECT_EQ(conf1_read(&h, 0, d, PCI_BAR0 + 12, 4), 0xffffffff);
	EXPECT_EQ(conf1_read(&h, 0, d, PCI_BAR0 + 16, 4), 0x00000004);
	EXPECT_EQ(conf1_read(&h, 0, d, PCI_BAR0 + 20, 4), 0xfffffffe);
	/* Placed. */
	conf1_write(&h, 0, d, PCI_BAR0, 4, 0xc040);
	conf1_write(&h, 0, d, PCI_BAR0 + 4, 4, 0xfebff123);
	conf1_write(&h, 0, d, PCI_BAR0 + 8, 4, 0xfe000000);
	conf1_write(&h, 0, d, PCI_BAR0 + 12, 4, 0x1);
	EXPECT_EQ(pci_fn_bar_addr(&fn, 0), 0xc040);
	EXPECT_EQ(pci_fn_bar_addr(&fn, 1), 0xfebff000);
	EXPECT_EQ(pci_fn_bar_addr(&fn, 2), 0x1fe000000ull);
	EXPECT_EQ(pci_fn_bar_addr(&fn, 6), 0);
	/* Impossible BARs. */
	EXPECT_EQ(pci_fn_bar(&fn, 6, 16, 0), -EINVAL);
	EXPECT_EQ(pci_fn_bar(&fn, 5, 16, PCI_BAR_MEM_64), -EINVAL);
	EXPECT_EQ(pci_fn_bar(&fn, 0, 24, 0), -EINVAL);
	EXPECT_EQ(pci_fn_bar(&fn, 0, 8, 0), -EINVAL);
	EXPECT_EQ(pci_fn_bar(&fn, 0, 2, PCI_BAR_IO), -EINVAL);
	EXPECT_EQ(pci_fn_bar(&fn, 0, 1ull << 17, PCI_BAR_IO), -EINVAL);
	EXPECT_EQ(pci_fn_bar(&fn, 0, 1ull << 32, 0), -EINVAL);
	EXPECT_EQ(pci_fn_bar(&fn, 0, 16, PCI_BAR_IO | PCI_BAR_PREFETCH), -EINVAL);
	EXPECT_EQ(pci_fn_bar(&fn, 0, 16, 0x2), -EINVAL);
}

TEST(pcihost, functions_and_multi_function_devices)
{
	struct pcihost h;
	struct pci_fn f0, f1, other;
	pcihost_init(&h);
	pci_fn_init(&f0, 0x8086, 0x7000, 0, 0x060100, PCI_HEADER_TYPE_NORMAL);
	pci_fn_init(&f1, 0x8086, 0x7010, 0, 0x010180, PCI_HEADER_TYPE_NORMAL);
	pci_fn_init(&other, 1, 2, 3, 0xff0000, PCI_HEADER_TYPE_NORMAL);
	EXPECT_EQ(pcihost_attach(&h, PCI_DEVFN(1, 1), &f1), 0);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(1, 1), 0, 4), 0xffffffffu); /* no function 0 */
	EXPECT_EQ(pcihost_attach(&h, PCI_DEVFN(1, 0), &f0), 0);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(1, 1), 0, 4), 0xffffffffu); /* not multi-function */
	f0.cfg[PCI_HEADER_TYPE] |= PCI_HEADER_MULTI_FUNC;
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(1, 1), 0, 4), 0x70108086);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(1, 0), PCI_HEADER_TYPE, 1), 0x80);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(1, 2), 0, 4), 0xffffffffu);
	EXPECT_EQ(pcihost_attach(&h, PCI_DEVFN(1, 0), &other), -EBUSY);
	EXPECT_EQ(pcihost_attach(&h, PCI_DEVFN(0, 0), &other), -EBUSY); /* the host bridge */
	EXPECT_EQ(pcihost_attach(&h, PCI_DEVFNS, &other), -EINVAL);
	EXPECT_EQ(pcihost_attach(&h, 5, NULL), -EINVAL);
	EXPECT_EQ(pcihost_attach(&h, PCI_DEVFN(31, 7), &other), 0); /* lone function 7: unseen */
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(31, 7), 0, 4), 0xffffffffu);
}

struct hook_log {
	unsigned reads, writes;
	unsigned off[8], size[8];
};

static void hook_read(void *ctx, struct pci_fn *fn, unsigned off, unsigned size, uint32_t *val)
{
	struct hook_log *l = ctx;
	(void)fn;
	l->reads++;
	if (off == 0x40 && size == 4)
		*val = 0xcafef00d; /* a computed register */
}

static void hook_written(void *ctx, struct pci_fn *fn, unsigned off, unsigned size)
{
	struct hook_log *l = ctx;
	(void)fn;
	if (l->writes < 8) {
		l->off[l->writes] = off;
		l->size[l->writes] = size;
	}
	l->writes++;
}

TEST(pcihost, hooks)
{
	static const struct pci_fn_ops ops = {hook_read, hook_written};
	struct pcihost h;
	struct pci_fn fn;
	struct hook_log log = {0};
	pcihost_init(&h);
	pci_fn_init(&fn, 0x1af4, 0x1000, 0, 0, 0);
	fn.ops = &ops;
	fn.ctx = &log;
	EXPECT_EQ(pcihost_attach(&h, PCI_DEVFN(2, 0), &fn), 0);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(2, 0), 0x40, 4), 0xcafef00d);
	EXPECT_EQ(conf1_read(&h, 0, PCI_DEVFN(2, 0), 0x40, 2), 0);
	EXPECT_EQ(log.reads, 2);
	conf1_write(&h, 0, PCI_DEVFN(2, 0), PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_EQ(log.writes, 1);
	EXPECT_EQ(log.off[0], PCI_COMMAND);
	EXPECT_EQ(log.size[0], 2);
	/* A 4-byte write at 0xcfd: bytes 1-3 as a word and a byte. */
	out(&h, PCI_CONFIG_ADDRESS, 4, addr(0, PCI_DEVFN(2, 0), 0x0c));
	out(&h, 0xcfd, 4, 0x00ff20);
	EXPECT_EQ(log.writes, 3);
	EXPECT_EQ(log.off[1], 0x0d);
	EXPECT_EQ(log.size[1], 2);
	EXPECT_EQ(log.off[2], 0x0f);
	EXPECT_EQ(log.size[2], 1);
	EXPECT_EQ(in(&h, 0xcfc, 4), 0x00002000); /* latency 0x20; header type, BIST read-only */
	/* Nothing reaches an absent function's neighbour. */
	conf1_write(&h, 0, PCI_DEVFN(2, 1), PCI_COMMAND, 2, 0xffff);
	EXPECT_EQ(log.writes, 3);
}

TEST(pcihost, linux_type1_probe)
{
	struct pcihost h;
	pcihost_init(&h);
	/* pci_check_type1(): a byte to 0xcfb (refused: the caller drops it),
	 * save CONFIG_ADDRESS, write the enable bit alone, read it back. */
	uint32_t v = 0x01;
	EXPECT_EQ(pcihost_io(&h, 0xcfb, 1, true, &v), -EINVAL);
	uint32_t tmp = in(&h, PCI_CONFIG_ADDRESS, 4);
	out(&h, PCI_CONFIG_ADDRESS, 4, PCI_ADDR_ENABLE);
	EXPECT_EQ(in(&h, PCI_CONFIG_ADDRESS, 4), PCI_ADDR_ENABLE);
	/* pci_sanity_check(): some function on bus 0 is a host bridge (class
	 * 0x0600) or VGA, or an Intel or Compaq device. */
	bool found = false;
	for (unsigned devfn = 0; devfn < PCI_DEVFNS && !found; devfn++) {
		uint32_t cls = conf1_read(&h, 0, devfn, PCI_CLASS_PROG + 1, 2);
		uint32_t vendor = conf1_read(&h, 0, devfn, PCI_VENDOR_ID, 2);
		found = cls == 0x0600 || cls == 0x0300 || vendor == 0x8086 || vendor == 0x0e11;
	}
	EXPECT_TRUE(found);
	out(&h, PCI_CONFIG_ADDRESS, 4, tmp);
	EXPECT_EQ(in(&h, PCI_CONFIG_ADDRESS, 4), tmp);
}

TEST(pcihost, random_accesses_keep_the_invariants)
{
	struct pcihost h;
	struct pci_fn fn;
	pcihost_init(&h);
	pci_fn_init(&fn, 0x1af4, 0x1000, 0, 0x020000, PCI_HEADER_MULTI_FUNC);
	pci_fn_bar(&fn, 0, 64, PCI_BAR_IO);
	pcihost_attach(&h, PCI_DEVFN(3, 0), &fn);
	srand(440);
	for (unsigned n = 0; n < 200000; n++) {
		uint16_t port = (uint16_t)(PCI_CONFIG_ADDRESS - 1 + rand() % 10);
		unsigned size = (unsigned)rand() % 6;
		uint32_t v = (uint32_t)rand() << 1 ^ (uint32_t)rand();
		if (rand() % 4 == 0) /* mostly plausible addresses */
			v = addr(rand() % 3 ? 0 : (unsigned)rand() % 256, (unsigned)rand() % 40,
				 (unsigned)rand());
		bool write = rand() & 1;
		int ret = pcihost_io(&h, port, size, write, &v);
		if (ret) {
			EXPECT_TRUE(ret == -EINVAL || ret == -ENOENT);
			if (!write)
				EXPECT_EQ(v, 0xffffffffu);
		} else if (!write && size < 4) {
			EXPECT_LT(v, 1u << (8 * size));
		}
		if (n % 1024 == 0) {
			EXPECT_EQ(pcihost_cfg_read(&h, 0, 0, 0, 4), 0x12378086);
			EXPECT_EQ(pcihost_cfg_read(&h, 0, 0, PCI_REVISION_ID, 4), 0x06000002);
			EXPECT_EQ(pcihost_cfg_read(&h, 0, PCI_DEVFN(3, 0), 0, 4), 0x10001af4);
			EXPECT_EQ(pcihost_cfg_read(&h, 0, PCI_DEVFN(3, 1), 0, 4), 0xffffffffu);
			EXPECT_EQ(pcihost_cfg_read(&h, 0, PCI_DEVFN(7, 0), 0, 4), 0xffffffffu);
			EXPECT_EQ(h.addr & ~PCI_ADDR_WRITABLE, 0);
		}
	}
}
