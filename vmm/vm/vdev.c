/* SPDX-License-Identifier: GPL-2.0-only */
/* vdev.c: the devices of a coopvmm VM (docs/guest-platform.md "Devices
 * inside the VMM"): each device model's port and MMIO ranges, entered in
 * the VM's range map (vmm/vcpu/iomap.h) when the VM is made, and the small
 * adapters between a request and the model. The vLAPIC page is not in the
 * map: it moves with each vCPU's APIC base (vmm/vcpu/ioreq.c looks it up). */
#include "vmm/vm/vdev.h"

#include "arch/x86/cpu.h"
#include "arch/x86/pci.h"
#include "arch/x86/rtc.h"
#include "shared/coopvmm_abi.h" /* COOP_VM_DEV_* */
#include "vmm/vcpu/defer.h"
#include "vmm/lib/errno.h"
#include "vmm/vcpu/iomap.h"
#include "vmm/lib/lib.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vcpu/vm_types.h"
#include "vmm/vm/vm_layout.h" /* VM_PCI_MMIO_BASE */

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

/* The PM block's callbacks, made from inside a vpm call: under vm->lock
 * (the request path, vm_power_button, virq_prepare_entry hold it). */

/* The SCI: ISA IRQ 9's line, level (its vIOAPIC pin, which the MADT
 * declares level/active high, and its vPIC input, level if the guest
 * sets ELCR bit 9). virq_set_gsi kicks the CPUs that must look. */
static void pm_sci(void *ctx, bool level)
{
	struct vm *vm = ctx;
	virq_set_gsi(vm, virq_isa_pin(VPM_SCI_IRQ), level);
}

/* S5: the VM ends with status 0 once the request path drops the lock (as
 * for the debug-exit port); its end report says it powered off. */
static void pm_power_off(void *ctx)
{
	struct vm *vm = ctx;
	if (vm->state != VM_RUNNING || vm->exit_pending)
		return; /* already ending: keep how */
	vm->powered_off = true;
	vm->exit_status = 0;
	vm->exit_pending = true;
}

static const struct vpm_ops pm_ops = {.sci = pm_sci, .power_off = pm_power_off};

void vdev_pm_init(struct vm *vm, uint64_t tsc_khz, uint64_t now_tsc)
{
	vpm_init(&vm->pm, tsc_khz, now_tsc, &pm_ops, vm);
}

static int mmio_ioapic(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	return vioapic_mmio_sized(&v->vm->ioapic, gpa - VIOAPIC_BASE, size, write, val);
}

static int mmio_testdev(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	return testdev_mmio(&v->vm->testdev, gpa - TESTDEV_MMIO_BASE, size, write, val);
}

/* The deferred test device: answered on another CPU after its delay. */
static void serve_testdev_defer(struct vm *vm, struct coop_ioreq *req, void *remote)
{
	testdev_defer_serve(&vm->testdev_defer, req);
	if (remote)
		vm->testdev_defer.served_remote++;
}

static int defer_testdev(struct vm *vm, const struct coop_ioreq *req)
{
	return defer_request(vm->vcpu[req->vcpu].cpu, req, vm->testdev_defer.delay_us, serve_testdev_defer);
}

#define PIO(n, a, b, bw, fn)                                                                                 \
	{                                                                                                    \
		.name = n, .space = COOP_IOREQ_PIO, .first = a, .last = b, .bytewise = bw, .pio = fn         \
	}
#define MMIO(n, a, b, fn)                                                                                    \
	{                                                                                                    \
		.name = n, .space = COOP_IOREQ_MMIO, .first = a, .last = b, .mmio = fn                       \
	}

static const struct iomap_range vmm_ranges[] = {
    PIO("pic-master", PIC1_CMD, PIC1_DATA, true, pio_pic),
    PIO("pit", PIT_CH0_DATA, PIT_CMD, true, pio_pit),
    PIO("port61", PORT_SYS_CTRL_B, PORT_SYS_CTRL_B, true, pio_pit),
    PIO("pic-slave", PIC2_CMD, PIC2_DATA, true, pio_pic),
    PIO("testdev", TESTDEV_PORT_FIRST, TESTDEV_PORT_LAST, false, pio_testdev),
    PIO("debug-exit", DEBUG_EXIT_PORT_FIRST, DEBUG_EXIT_PORT_LAST, false, pio_debug_exit),
    PIO("com1", COM1_PORT, COM1_PORT + UART_REGS - 1, true, pio_uart),
    PIO("elcr", PIC_ELCR1, PIC_ELCR2, true, pio_pic),
    PIO("acpi-pm", VPM_PORT_BASE, VPM_PORT_LAST, false, pio_pm),
    {.name = "testdev-defer",
     .space = COOP_IOREQ_PIO,
     .first = TESTDEV_DEFER_PORT_FIRST,
     .last = TESTDEV_DEFER_PORT_LAST,
     .defer = defer_testdev},
    MMIO("testdev", TESTDEV_MMIO_BASE, TESTDEV_MMIO_BASE + TESTDEV_MMIO_SIZE - 1, mmio_testdev),
    {.name = "testdev-defer",
     .space = COOP_IOREQ_MMIO,
     .first = TESTDEV_DEFER_MMIO_BASE,
     .last = TESTDEV_DEFER_MMIO_BASE + TESTDEV_DEFER_MMIO_SIZE - 1,
     .defer = defer_testdev},
    MMIO("ioapic", VIOAPIC_BASE, VIOAPIC_LAST, mmio_ioapic),
};

/* The platform devices an IOPM serves (iopmd's device models,
 * docs/vdevices.md "Device models in iopmd") for a VM made with one. */
#define IOPM_PIO(n, a, b)                                                                                    \
	{                                                                                                    \
		.name = n, .space = COOP_IOREQ_PIO, .first = a, .last = b, .server = IOMAP_IOPM,             \
		.posted = true                                                                               \
	}

static const struct iomap_range iopm_ranges[] = {
    IOPM_PIO("com1", COM1_PORT, COM1_PORT + UART_REGS - 1),
    IOPM_PIO("rtc", RTC_INDEX_PORT, RTC_DATA_PORT),
    IOPM_PIO("pci-conf", PCI_CONFIG_ADDRESS, PCI_CONFIG_DATA + PCI_CONFIG_PORTS - 1),
    /* The PCI bus's memory window (its functions' BARs): with the bus. A
     * single write is posted, as a PCI memory write is: a virtqueue's
     * notification costs the vCPU no round trip. */
    {.name = "pci-mmio",
     .space = COOP_IOREQ_MMIO,
     .first = VM_PCI_MMIO_BASE,
     .last = VM_PCI_MMIO_BASE + VM_PCI_MMIO_SIZE - 1,
     .server = IOMAP_IOPM,
     .posted = true},
};
/* Which of vm->devices each of iopm_ranges is. */
static const uint32_t iopm_range_device[ARRAY_SIZE(iopm_ranges)] = {COOP_VM_DEV_COM1, COOP_VM_DEV_RTC,
								    COOP_VM_DEV_PCI, COOP_VM_DEV_PCI};

int vdev_attach(struct vm *vm)
{
	iomap_init(&vm->iomap);
	bool iopm = vm->iopm != VM_NO_IOPM;
	for (unsigned i = 0; i < ARRAY_SIZE(vmm_ranges); i++) {
		if (iopm && vmm_ranges[i].pio == pio_uart)
			continue; /* the IOPM's UART instead */
		int r = iomap_add(&vm->iomap, &vmm_ranges[i]);
		if (r)
			return r;
	}
	for (unsigned i = 0; iopm && i < ARRAY_SIZE(iopm_ranges); i++) {
		if (!(vm->devices & iopm_range_device[i]))
			continue; /* not this guest's: its ports are unclaimed, as on a PC without it */
		struct iomap_range d = iopm_ranges[i];
		d.iopm = (uint32_t)vm->iopm;
		int r = iomap_add(&vm->iomap, &d);
		if (r)
			return r;
	}
	return 0;
}
