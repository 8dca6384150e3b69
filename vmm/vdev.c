/* SPDX-License-Identifier: GPL-2.0-only */
/* vdev.c: the tables of port and MMIO ranges of a coopvmm VM
 * (docs/guest-platform.md "Devices inside the VMM") and their dispatch.
 * The vLAPIC page is looked up first, at the vCPU's current APIC base
 * (Intel SDM Vol. 3A 10.4.5 relocation). */
#include "vmm/vdev.h"

#include "arch/x86/cpu.h"
#include "vmm/errno.h"
#include "vmm/lib.h"
#include "vmm/vm.h"

#define VIOAPIC_LAST (VIOAPIC_BASE + IOAPIC_MMIO_SIZE - 1)

static int pio_debug_exit(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	(void)port;
	if (!write)
		return -EINVAL;
	/* QEMU isa-debug-exit: status (v << 1) | 1; the VM ends at its next exit check. */
	v->vm->exit_status = (int)(((uint64_t)(*val & size_mask(size)) << 1) | 1);
	v->vm->exit_pending = true;
	return 0;
}

static int pio_testdev(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	return testdev_io(&v->vm->testdev, port, size, write, val);
}

static int pio_pic(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	(void)size;
	uint8_t b = (uint8_t)*val;
	int r = vpic_io(&v->vm->pic, port, write, &b);
	*val = b;
	return r;
}

static int pio_pit(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	(void)size;
	uint8_t b = (uint8_t)*val;
	int r = vpit_io(&v->vm->pit, port, write, &b, rdtsc());
	*val = b;
	return r;
}

static int pio_uart(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	(void)size;
	uint8_t b = (uint8_t)*val;
	int r = vuart_io(&v->vm->uart, port, write, &b);
	*val = b;
	return r;
}

static int pio_pm(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	return vpm_io(&v->vm->pm, port, size, write, val, rdtsc());
}

static const struct vdev_range pio_ranges[] = {
	{ "pic-master", PIC1_CMD, PIC1_DATA, VDEV_LOCAL, true, pio_pic, NULL },
	{ "pit", PIT_CH0_DATA, PIT_CMD, VDEV_LOCAL, true, pio_pit, NULL },
	{ "port61", PORT_SYS_CTRL_B, PORT_SYS_CTRL_B, VDEV_LOCAL, true, pio_pit, NULL },
	{ "pic-slave", PIC2_CMD, PIC2_DATA, VDEV_LOCAL, true, pio_pic, NULL },
	{ "testdev", TESTDEV_PORT_FIRST, TESTDEV_PORT_LAST, VDEV_LOCAL, false, pio_testdev, NULL },
	{ "debug-exit", DEBUG_EXIT_PORT_FIRST, DEBUG_EXIT_PORT_LAST, VDEV_LOCAL, false, pio_debug_exit, NULL },
	{ "com1", COM1_PORT, COM1_PORT + UART_REGS - 1, VDEV_LOCAL, true, pio_uart, NULL },
	{ "elcr", PIC_ELCR1, PIC_ELCR2, VDEV_LOCAL, true, pio_pic, NULL },
	{ "acpi-pm", VPM_PORT_BASE, VPM_PORT_LAST, VDEV_LOCAL, false, pio_pm, NULL },
};

static int mmio_ioapic(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	return vioapic_mmio_sized(&v->vm->ioapic, gpa - VIOAPIC_BASE, size, write, val);
}

static int mmio_testdev(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	return testdev_mmio(&v->vm->testdev, gpa - TESTDEV_MMIO_BASE, size, write, val);
}

static const struct vdev_range mmio_ranges[] = {
	{ "testdev", TESTDEV_MMIO_BASE, TESTDEV_MMIO_BASE + TESTDEV_MMIO_SIZE - 1, VDEV_LOCAL, false, NULL,
	  mmio_testdev },
	{ "ioapic", VIOAPIC_BASE, VIOAPIC_LAST, VDEV_LOCAL, false, NULL, mmio_ioapic },
};

static const struct vdev_range *find(const struct vdev_range *t, unsigned n, uint64_t a)
{
	for (unsigned i = 0; i < n; i++)
		if (a >= t[i].first && a <= t[i].last)
			return &t[i];
	return NULL;
}

bool vdev_pio(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	bool claimed = false;
	uint32_t out = 0;
	for (unsigned off = 0; off < size;) {
		uint16_t p = (uint16_t)(port + off);
		const struct vdev_range *d = find(pio_ranges, ARRAY_SIZE(pio_ranges), p);
		unsigned n = (!d || d->bytewise) ? 1 : size - off;
		uint32_t part = write ? (uint32_t)((*val >> (8 * off)) & size_mask(n)) : (uint32_t)size_mask(n);
		if (d && d->where == VDEV_LOCAL && d->pio(v, p, n, write, &part) == 0)
			claimed = true;
		else
			part = (uint32_t)size_mask(n);
		out |= (part & (uint32_t)size_mask(n)) << (8 * off);
		off += n;
	}
	if (!write)
		*val = out;
	return claimed;
}

bool vdev_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	uint64_t base = vlapic_get_apic_base(&v->lapic);
	uint64_t apic = base & ~(APIC_MMIO_SIZE - 1) & ((1ULL << PHYS_ADDR_BITS_MAX) - 1);
	if ((base & APIC_BASE_ENABLE) && !(base & APIC_BASE_X2APIC) && gpa >= apic && gpa < apic + APIC_MMIO_SIZE) {
		/* 32-bit accesses only; others read 0 and are dropped (vmm/vlapic.h). */
		uint32_t v32 = (uint32_t)*val;
		if (size != 4 || vlapic_mmio(&v->lapic, (uint32_t)(gpa - apic), write, &v32, rdtsc()))
			v32 = 0;
		if (!write)
			*val = v32;
		return true;
	}
	const struct vdev_range *d = find(mmio_ranges, ARRAY_SIZE(mmio_ranges), gpa);
	if (!d || d->where != VDEV_LOCAL) {
		if (!write)
			*val = size_mask(size);
		return false;
	}
	if (d->mmio(v, gpa, size, write, val) && !write)
		*val = size_mask(size);
	return true;
}
