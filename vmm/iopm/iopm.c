/* SPDX-License-Identifier: GPL-2.0-only */
/* iopm.c: the VMM side of the IOPMs: load Debian's bzImage and the
 * initramfs (GRUB modules "iopm-kernel", "iopm-initrd") into IOPM 0's zone
 * per the Linux boot protocol, give it its e820 and command line, start its
 * AP with INIT-SIPI-SIPI into the 32-bit entry (boot/iopm_trampoline.asm),
 * watch its heartbeat, run the VMM's end of its channel (vmm/iopm/channel.c:
 * the notify IPI, the poll, the VMM log copied into its part) and the
 * hardware side of its interrupt routes (vmm/iopm/irq_forward.c decides:
 * ROUTE_PIN and PIN_EOI come on the channel's kernel ring; a routed pin is
 * programmed to the VMM and each interrupt forwarded by IPI on the vector
 * iopm.ko asked for). */
#define LOG_PREFIX "iopm"
#include "vmm/iopm/iopm.h"

#include "vmm/platform/acpi.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/ioapic.h"
#include "arch/x86/layout.h"
#include "arch/x86/pic.h"
#include "arch/x86/pit.h"
#include "arch/x86/serial.h"
#include "arch/x86/trampoline.h"
#include "shared/coop_zone.h"
#include "vmm/lib/errno.h"
#include "vmm/platform/ioapic.h"
#include "vmm/iopm/channel.h"
#include "vmm/iopm/iopm_cmdline.h"
#include "vmm/iopm/iopm_e820.h"
#include "vmm/iopm/irq_forward.h"
#include "vmm/iopm/linux_boot.h"
#include "vmm/platform/log.h"
#include "vmm/platform/percpu.h"
#include "vmm/lib/ratelimit.h"
#include "vmm/lib/sanitize.h"
#include "vmm/lib/spinlock.h"
#include "vmm/platform/smp.h"
#include "vmm/platform/kick.h"
#include "vmm/platform/timer.h"
#include "vmm/platform/trap.h"
#include "vmm/vcpu/ioreq.h"
#include "vmm/vcpu/virq.h"
#include "vmm/vm/vm.h"
#include "vmm/vm/vm_layout.h"
#include "vmm/platform/mm.h"

#define CMDLINE_MAX	 1024
#define VMM_UART_IRQ	 COM1_IRQ /* the VMM's log UART is COM1 */
#define START_WAIT_US	 1000000  /* as a VMM AP's: an emulator's CPU thread may start late */
#define VMM_HEARTBEAT_US 1000000
#define IOPM_LOG_BURST	 20  /* lines an IOPM can make the VMM log at once ... */
#define IOPM_LOG_PER_SEC 5   /* ... and then per second (vmm/lib/ratelimit.h) */
#define NOTE_SHOWN_MAX	 160 /* escaped note characters in a log line (LOG_LINE_MAX 256) */

/* The pin behind an ISA IRQ, once a route claimed it (who owns it and
 * whether it is masked: `pins`, vmm/iopm/irq_forward.c). */
struct pin_hw {
	uint32_t gsi;
	const struct ioapic *io;
	uint32_t io_pin;
};

_Static_assert(ISA_IRQS == COOP_ROUTE_IRQS, "a route names an ISA IRQ");

/* Pins the VMM keeps: its log UART, the PIT (its calibration clock), the
 * 8259 cascade (no device). */
static const uint8_t vmm_irqs[] = {VMM_UART_IRQ, PIT_IRQ, PIC_CASCADE_IRQ};

struct iopm {
	bool started;
	uint32_t cpu;
	struct coop_shared_header *hdr;
	struct coop_vmm_ctrl *vctrl;
	volatile struct coop_iopm_ctrl *ictrl;
	uint32_t last_state;
	uint64_t last_beat, last_beat_tsc;
	bool stalled;
	uint64_t next_vmm_beat;
	struct ratelimit log_rl; /* what this IOPM's writes make the VMM log */
	uint64_t log_unreported; /* suppressed lines not yet reported */
	bool chan_ready;	 /* chan set up over the part (before the IOPM starts) */
	struct chan chan;
};

static struct fwd_table pins;
static struct pin_hw pin_hw[ISA_IRQS];
static struct iopm iopm0;

extern const uint8_t iopm_trampoline_blob[], iopm_trampoline_blob_end[];

/* ISA IRQ -> GSI and polarity/trigger, from the MADT overrides (ISA default: edge, high). */
static void isa_to_gsi(unsigned irq, uint32_t *gsi, bool *level, bool *low)
{
	*gsi = irq;
	*level = false;
	*low = false;
	for (uint32_t i = 0; i < platform.noverrides; i++) {
		const struct irq_override *o = &platform.overrides[i];
		if (o->isa_irq != irq)
			continue;
		*gsi = o->gsi;
		*low = (o->flags & MPS_INTI_ACTIVE_LOW) == MPS_INTI_ACTIVE_LOW;
		*level = (o->flags & MPS_INTI_LEVEL) == MPS_INTI_LEVEL;
	}
}

static const char *state_name(uint32_t s);

/* Every line the IOPM's writes to the shared zone make the VMM log goes
 * through iopm_log_allowed: one token bucket per IOPM, so a misbehaving IOPM
 * cannot flood the VMM log (16 refused routes every poll would be 160 lines
 * a second). Suppressed lines are reported as "N messages suppressed",
 * with the IOPM's state at that moment, before the next line allowed or,
 * if the IOPM has gone quiet, by iopm_log_flush from the poll. */
static void iopm_log_report(struct iopm *m)
{
	log_raw(
	    "[iopm] iopm0: %llu messages suppressed (rate limit: %u at once, then %u a second); state now %s",
	    (unsigned long long)m->log_unreported, IOPM_LOG_BURST, IOPM_LOG_PER_SEC,
	    state_name(m->ictrl->state));
	m->log_unreported = 0;
}

static bool iopm_log_allowed(struct iopm *m)
{
	if (!ratelimit_allow(&m->log_rl, rdtsc()))
		return false;
	m->log_unreported += ratelimit_take_suppressed(&m->log_rl);
	if (m->log_unreported)
		iopm_log_report(m);
	return true;
}

static void iopm_log_flush(struct iopm *m)
{
	m->log_unreported += ratelimit_take_suppressed(&m->log_rl);
	if (!m->log_unreported)
		return;
	if (ratelimit_allow(&m->log_rl, rdtsc()))
		iopm_log_report(m);
	else
		(void)ratelimit_take_suppressed(&m->log_rl); /* this attempt was no suppressed line */
}

static void route_handler(struct trap_frame *f);

/* Program the pin of ISA IRQ `irq` to the VMM's BSP on its route vector,
 * masked (irq_forward.c unmasks it once routed). */
static int pin_claim(void *ctx, uint32_t irq, bool *level)
{
	struct iopm *m = ctx;
	struct pin_hw *h = &pin_hw[irq];
	bool low;
	isa_to_gsi(irq, &h->gsi, level, &low);
	h->io = NULL;
	for (uint32_t i = 0; i < nioapics; i++)
		if (h->gsi >= ioapics[i].gsi_base && h->gsi < ioapics[i].gsi_base + ioapics[i].pins) {
			h->io = &ioapics[i];
			h->io_pin = h->gsi - ioapics[i].gsi_base;
		}
	if (!h->io) {
		if (iopm_log_allowed(m))
			pr_err("ISA IRQ %u (GSI %u): no IOAPIC has this pin", irq, h->gsi);
		return -ENODEV;
	}
	trap_set_handler((uint8_t)(IOPM_ROUTE_VECTOR_BASE + irq), route_handler);
	uint64_t rte = (uint64_t)(IOPM_ROUTE_VECTOR_BASE + irq) | IOAPIC_RTE_MASKED |
		       (*level ? IOAPIC_RTE_LEVEL : 0) | (low ? IOAPIC_RTE_ACTIVE_LOW : 0) |
		       ((uint64_t)cpus[0].apic_id << IOAPIC_RTE_DEST_SHIFT);
	ioapic_write_rte(h->io, h->io_pin, rte);
	if (iopm_log_allowed(m))
		pr_info(
		    "ISA IRQ %u -> GSI %u (ioapic %u pin %u, %s) programmed to the VMM on vector 0x%x for "
		    "iopm0",
		    irq, h->gsi, h->io->id, h->io_pin, *level ? "level" : "edge",
		    IOPM_ROUTE_VECTOR_BASE + irq);
	return 0;
}

static void pin_mask(void *ctx, uint32_t irq)
{
	(void)ctx;
	const struct pin_hw *h = &pin_hw[irq];
	ioapic_write_rte(h->io, h->io_pin, ioapic_read_rte(h->io, h->io_pin) | IOAPIC_RTE_MASKED);
}

static void pin_unmask(void *ctx, uint32_t irq)
{
	(void)ctx;
	const struct pin_hw *h = &pin_hw[irq];
	ioapic_write_rte(h->io, h->io_pin, ioapic_read_rte(h->io, h->io_pin) & ~(uint64_t)IOAPIC_RTE_MASKED);
}

static void pin_eoi(void *ctx)
{
	(void)ctx;
	lapic_eoi();
}

static void pin_send(void *ctx, uint32_t iopm, uint8_t vector)
{
	struct iopm *m = ctx;
	(void)iopm; /* only IOPM 0 is started (iopm_start_all) */
	lapic_send_ipi(cpus[m->cpu].apic_id, ICR_DM_FIXED | vector);
}

static const struct fwd_ops pin_ops = {pin_claim, pin_mask, pin_unmask, pin_eoi, pin_send};

/* The VMM's view of pin `irq` in IOPM 0's control area (vmctl info, the tests). */
static void publish_pin(struct iopm *m, uint32_t irq)
{
	struct coop_pin_view v;
	fwd_view(&pins, 0, irq, &v);
	m->vctrl->pins[irq] = v;
}

/* A routed pin fired: mask (level), forward or hold, EOI -- in that order
 * (vmm/iopm/irq_forward.c says why). */
static void route_handler(struct trap_frame *f)
{
	uint32_t irq = (uint32_t)(f->vector - IOPM_ROUTE_VECTOR_BASE);
	fwd_interrupt(&pins, irq, &pin_ops, &iopm0);
	if (irq < ISA_IRQS)
		publish_pin(&iopm0, irq);
}

/* ---- the channel's needs of the machine (vmm/iopm/channel.h) ---- */

static void chan_notify(void *ctx, uint8_t vector)
{
	struct iopm *m = ctx;
	lapic_send_ipi(cpus[m->cpu].apic_id, ICR_DM_FIXED | vector);
}

/* A VM is served by IOPM 0 when one of its device ranges is. */
static void vm_look(struct vm *vm, void *arg)
{
	struct chan_vm *out = arg;
	out->vcpus = vm->nvcpus;
	out->served = false;
	for (unsigned sp = 0; sp < 2; sp++)
		for (unsigned i = 0; i < vm->iomap.n[sp]; i++)
			if (vm->iomap.r[sp][i].server == IOMAP_IOPM && vm->iomap.r[sp][i].iopm == 0)
				out->served = true;
}

static bool chan_vm_find(void *ctx, uint32_t id, struct chan_vm *out)
{
	(void)ctx;
	return vm_call(id, vm_look, out);
}

/* What a VM_REPLY says of a VM (LIST and INFO). */
static void vm_describe(const struct vm *vm, struct coop_msg_vm *out)
{
	out->state = vm->state == VM_EXITED    ? COOP_VMS_EXITED
		     : vm->state == VM_KILLED  ? COOP_VMS_KILLED
		     : vm->state == VM_CREATED ? COOP_VMS_CREATED
		     : vm->paused	       ? COOP_VMS_PAUSED
					       : COOP_VMS_RUNNING;
	out->iopm = vm->iopm == VM_NO_IOPM ? COOP_VM_NO_IOPM : (uint16_t)vm->iopm;
	out->devices = (uint16_t)vm->devices;
	out->vcpus = vm->nvcpus;
	out->mem = vm->mem_size;
	out->cpu_ns = vm_cpu_ns(vm);
	snprintf(out->name, sizeof(out->name), "%s", vm->name);
}

struct vm_list_arg {
	struct chan_vm_entry *out;
	uint32_t n, max;
};

static void vm_list_one(struct vm *vm, void *arg)
{
	struct vm_list_arg *a = arg;
	if (a->n == a->max)
		return;
	struct chan_vm_entry *e = &a->out[a->n++];
	memset(e, 0, sizeof(*e));
	e->id = vm->id;
	vm_describe(vm, &e->info);
}

static uint32_t chan_vm_list(void *ctx, struct chan_vm_entry *out, uint32_t max)
{
	(void)ctx;
	struct vm_list_arg a = {out, 0, max};
	vm_for_each(vm_list_one, &a);
	return a.n;
}

/* ---- guest requests the IOPM serves (the request path's IOPM server) ---- */

/* One slot per vCPU a VM can have, by the VM's table entry: two live VMs
 * never share a slot; a slot still outstanding for a VM that has ended
 * refuses its successor's requests (EBUSY) until the IOPM answers it. */
_Static_assert(VM_MAX *VM_MAX_VCPUS <= COOP_SLOTS, "a channel slot per vCPU of every VM");

static uint64_t busy_refused; /* requests refused: their slot still held a dead VM's */

static int iopm_serve(struct vm *vm, uint32_t iopm, const struct coop_ioreq *req)
{
	if (iopm != 0 || !iopm0.started)
		return -ENODEV;
	uint32_t slot = vm->table_index * VM_MAX_VCPUS + req->vcpu;
	int r = chan_slot_submit(&iopm0.chan, slot, req);
	if (!r)
		__atomic_fetch_add(&vm->forwarded, 1, __ATOMIC_RELAXED);
	if (r == -COOP_EBUSY)
		__atomic_fetch_add(&busy_refused, 1, __ATOMIC_RELAXED);
	return r ? -EIO : 0;
}

/* A write IOPM 0 takes without answering (IO_POSTED), when it said at
 * HELLO that it does: the vCPU goes on at once. */
static int iopm_post(struct vm *vm, uint32_t iopm, const struct coop_ioreq *req)
{
	if (iopm != 0 || !iopm0.started)
		return -ENODEV;
	if (chan_post(&iopm0.chan, req))
		return -EBUSY; /* not now: a request instead */
	__atomic_fetch_add(&vm->forwarded, 1, __ATOMIC_RELAXED);
	return 0;
}

/* The answer the channel validated, written into the vCPU's request. */
static void serve_from_slot(struct vm *vm, struct coop_ioreq *req, void *arg)
{
	(void)vm;
	const struct coop_ioreq *rsp = arg;
	req->status = rsp->status;
	if (req->dir == COOP_IOREQ_READ) {
		if (req->flags & COOP_IOREQ_STRING)
			memcpy(req->buf, rsp->buf, (size_t)rsp->count * rsp->size);
		else
			req->data = rsp->data;
	}
}

static void chan_io_done(void *ctx, uint32_t slot, const struct coop_ioreq *rsp)
{
	(void)ctx;
	(void)slot;
	/* A VM that has ended meanwhile: refused and counted there. */
	ioreq_complete(rsp->vm, rsp->vcpu, rsp->seq, serve_from_slot, (void *)rsp);
}

struct irq_line_arg {
	uint32_t line, op;
};

static void irq_line_in(struct vm *vm, void *arg)
{
	const struct irq_line_arg *a = arg;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	if (a->op == COOP_IRQ_PULSE) {
		virq_set_gsi(vm, a->line, true);
		virq_set_gsi(vm, a->line, false);
	} else {
		virq_set_gsi(vm, a->line, a->op == COOP_IRQ_RAISE);
	}
	spin_unlock_irqrestore(&vm->lock, flags);
}

static bool chan_irq_line(void *ctx, uint32_t vm, uint32_t line, uint32_t op)
{
	(void)ctx;
	struct irq_line_arg a = {line, op};
	return vm_call(vm, irq_line_in, &a);
}

struct msi_arg {
	uint64_t addr;
	uint32_t data;
	bool ok;
};

static void msi_in(struct vm *vm, void *arg)
{
	struct msi_arg *a = arg;
	uint64_t flags = spin_lock_irqsave(&vm->lock);
	a->ok = virq_msi(vm, a->addr, a->data);
	spin_unlock_irqrestore(&vm->lock, flags);
}

static int chan_msi(void *ctx, uint32_t vm, uint64_t addr, uint32_t data)
{
	(void)ctx;
	struct msi_arg a = {addr, data, false};
	if (!vm_call(vm, msi_in, &a))
		return -1;
	return a.ok;
}

static void announce_ram(struct vm *vm);
static bool chan_ram_done(void *ctx, uint32_t vm);

/* The RAM of ended VMs held until IOPM 0's RAM_DONE ("guest RAM
 * announcements" below; under owed_lock). */
struct held_ram {
	uint32_t vm;
	uint64_t hpa, size;
};
static struct held_ram held[VM_MAX * 2];
static unsigned nheld;
static uint64_t held_bytes;

struct vm_op_arg {
	const struct coop_msg_vm *q;
	int32_t status;
	struct coop_msg_vm *out;
	struct vm *start; /* to start once the VM table's lock is released */
};

/* START: vCPU 0's first state as the boot protocol it names says
 * (Multiboot v1, or Linux's 64-bit entry with the page tables and GDT
 * iopmd's loader put at the ABI's fixed addresses). */
static int32_t vm_boot(struct vm *vm, const struct coop_msg_vm *q)
{
	if (q->boot == COOP_VM_BOOT_LINUX64) {
		/* The page tables and GDT where the ABI says the loader put them. */
		static const struct vcpu_start64 start = {true,
							  COOP_LINUX64_CS,
							  COOP_LINUX64_DS,
							  COOP_LINUX64_GDT_LIMIT,
							  COOP_LINUX64_PML4,
							  COOP_LINUX64_GDT};
		vm_boot_linux64(vm, q->entry, q->arg, &start);
		return 0;
	}
	if (q->boot != COOP_VM_BOOT_MB1)
		return -COOP_EINVAL;
	vm_boot_mb1(vm, q->entry, q->arg);
	return 0;
}

/* Under the VM table's lock (the VM cannot be freed meanwhile). A VM that
 * has not been started (CREATED) is only this CPU's to start: its pointer
 * stays valid after the lock for vm_start(). */
static void vm_op_in(struct vm *vm, void *arg)
{
	struct vm_op_arg *a = arg;
	bool live = vm->state == VM_RUNNING, created = vm->state == VM_CREATED;
	switch (a->q->op) {
	case COOP_VM_INFO:
		vm_describe(vm, a->out);
		a->status = 0;
		break;
	case COOP_VM_START:
		if (!created) {
			a->status = live ? -COOP_EBUSY : -COOP_ENOENT; /* running, or ending */
			break;
		}
		a->status = vm_boot(vm, a->q);
		if (a->status)
			break;
		pr_info("vm %u %s: started by iopm0 at 0x%x (%s at 0x%x)", vm->id, vm->name, a->q->entry,
			a->q->boot == COOP_VM_BOOT_LINUX64 ? "64-bit Linux entry, zero page"
							   : "Multiboot information",
			a->q->arg);
		a->start = vm;
		vm_describe(vm, a->out);
		a->out->state = COOP_VMS_RUNNING;
		break;
	case COOP_VM_PAUSE:
	case COOP_VM_UNPAUSE:
		if (!live) {
			a->status = created ? -COOP_EINVAL : -COOP_ENOENT; /* not started, or ending */
			break;
		}
		if (vm->paused != (a->q->op == COOP_VM_PAUSE))
			pr_info("vm %u %s: %s by iopm0", vm->id, vm->name,
				a->q->op == COOP_VM_PAUSE ? "paused" : "unpaused");
		vm_pause(vm, a->q->op == COOP_VM_PAUSE);
		vm_describe(vm, a->out);
		a->status = 0;
		break;
	case COOP_VM_SHUTDOWN:
		if (!live) {
			a->status = created ? -COOP_EINVAL : -COOP_ENOENT; /* not started, or ending */
			break;
		}
		vm_power_button(vm); /* the guest decides (logged there) */
		vm_describe(vm, a->out);
		a->status = 0;
		break;
	case COOP_VM_DESTROY:
		if (!live && !created) {
			a->status = -COOP_ENOENT;
			break;
		}
		vm_kill(vm, "destroyed by iopm0 (vmctl destroy)");
		vm_pause(vm, false); /* a paused VM's vCPUs must run to stop */
		if (created)
			a->start = vm; /* never started: its vCPUs retire at once */
		a->status = 0;
		break;
	default:
		a->status = -COOP_ENOSYS;
		break;
	}
}

static int32_t chan_vm_op(void *ctx, uint32_t id, const struct coop_msg_vm *q, struct coop_msg_vm *out)
{
	(void)ctx;
	struct vm_op_arg a = {q, -COOP_ENOENT, out, NULL};
	vm_call(id, vm_op_in, &a);
	if (a.start)
		vm_start(a.start);
	return a.status;
}

struct name_arg {
	const char *name;
	bool taken;
};

static void name_taken(struct vm *vm, void *arg)
{
	struct name_arg *a = arg;
	if (!strcmp(vm->name, a->name))
		a->taken = true;
}

static uint32_t next_first_cpu; /* where the next created VM's vCPU 0 goes (round robin) */

/* CREATE: a VM in state CREATED whose RAM IOPM 0 may map (RAM_MAP ADD,
 * sent before the reply) to load its image; START runs it. */
static int32_t chan_vm_create(void *ctx, uint32_t iopm, const struct coop_msg_vm *q, uint32_t *id,
			      struct coop_msg_vm *out)
{
	(void)ctx;
	if (!coop_vm_name_ok(q->name) || !q->vcpus || q->vcpus > VM_MAX_VCPUS || q->mem < VM_MIN_MEM ||
	    !IS_ALIGNED(q->mem, LARGE_PAGE_SIZE) || (q->devices & ~COOP_VM_DEV_ALL) ||
	    (q->iopm == COOP_VM_NO_IOPM && q->devices))
		return -COOP_EINVAL;
	if (q->iopm != COOP_VM_NO_IOPM && (q->iopm != iopm || iopm != 0))
		return -COOP_ENODEV; /* only IOPM 0 runs, and it serves what it creates */
	struct name_arg na = {q->name, false};
	vm_for_each(name_taken, &na);
	if (na.taken)
		return -COOP_EEXIST;
	struct vm *vm;
	char err[160];
	int32_t dev_iopm = q->iopm == COOP_VM_NO_IOPM ? VM_NO_IOPM : (int32_t)q->iopm;
	int r =
	    vm_create(q->name, q->mem, q->vcpus, next_first_cpu, dev_iopm, q->devices, &vm, err, sizeof(err));
	if (r) {
		pr_warn("iopm%u: create %s: %s", iopm, q->name, err);
		if (r == -ENOMEM)
			out->mem = palloc_free_pages(&guest_pool) * PAGE_SIZE;
		return r == -ENOMEM   ? -COOP_ENOMEM
		       : r == -ENOSPC ? -COOP_ENOSPC
		       : r == -ENOSYS ? -COOP_ENOSYS /* no VT-x: no guest at all */
				      : -COOP_EINVAL;
	}
	next_first_cpu += q->vcpus;
	if (!vm->ram_shared)
		announce_ram(vm); /* not served by IOPM 0, but it loads the image */
	pr_info("vm %u %s: created by iopm%u: %llu MiB, %u vCPU(s), devices 0x%x %s", vm->id, vm->name, iopm,
		(unsigned long long)(vm->mem_size / MiB), vm->nvcpus, vm->devices,
		vm->iopm == VM_NO_IOPM ? "(none: COM1 is the VMM log)" : "served by iopm0");
	*id = vm->id;
	vm_describe(vm, out);
	return 0;
}

struct stats_arg {
	uint64_t *v;
};

/* A hot table as STATS's (key << shift, count) pairs, most counted first. */
static void put_hot(uint64_t *pairs, const struct hot *h, unsigned shift)
{
	uint64_t keys[COOP_STAT_HOT], counts[COOP_STAT_HOT];
	unsigned n = hot_top(h, COOP_STAT_HOT, keys, counts, NULL);
	for (unsigned i = 0; i < n; i++) {
		pairs[2 * i] = keys[i] << shift;
		pairs[2 * i + 1] = counts[i];
	}
}

static void vm_stats_in(struct vm *vm, void *arg)
{
	uint64_t *v = ((struct stats_arg *)arg)->v;
	for (uint32_t r = 0; r < EXIT_REASONS && r < COOP_STAT_EXIT_REASONS; r++)
		v[COOP_STAT_EXIT0 + r] = vm->exit_count[r];
	for (uint32_t i = 0; i < vm->nvcpus; i++) {
		v[COOP_STAT_REQUESTS] += vm->vcpu[i].io.requests;
		v[COOP_STAT_WAITS] += vm->vcpu[i].io.waits;
		v[COOP_STAT_POSTED] += vm->vcpu[i].io.posted;
	}
	v[COOP_STAT_FORWARDED] = __atomic_load_n(&vm->forwarded, __ATOMIC_RELAXED);
	v[COOP_STAT_INJECTED] = vm->injected;
	v[COOP_STAT_IPIS] = vm->ipis;
	v[COOP_STAT_UNCLAIMED_IO] = vm->unclaimed_io;
	v[COOP_STAT_UNCLAIMED_MMIO] = vm->unclaimed_mmio;
	v[COOP_STAT_CPU_NS] = vm_cpu_ns(vm);
	put_hot(v + COOP_STAT_HOT_IO, &vm->hot_io, 0);
	put_hot(v + COOP_STAT_HOT_MMIO, &vm->hot_mmio, PAGE_SHIFT);
}

/* The counters are read without stopping the VM: each is a value it had. */
static int32_t chan_vm_stats(void *ctx, uint32_t op, uint32_t id, uint64_t *v, uint32_t max)
{
	(void)ctx;
	if (op == COOP_VM_HOST) {
		if (max < COOP_HOST_STATS)
			return -COOP_EMSGSIZE;
		memset(v, 0, COOP_HOST_STATS * sizeof(*v));
		v[COOP_HOST_GUEST_RAM_FREE] = palloc_free_pages(&guest_pool) * PAGE_SIZE;
		v[COOP_HOST_GUEST_RAM_TOTAL] = palloc_total_pages(&guest_pool) * PAGE_SIZE;
		v[COOP_HOST_HEAP_FREE] = palloc_free_pages(&vmm_heap);
		v[COOP_HOST_HEAP_TOTAL] = palloc_total_pages(&vmm_heap);
		v[COOP_HOST_VMS] = vm_count_running();
		v[COOP_HOST_VMS_MAX] = VM_MAX;
		v[COOP_HOST_VMS_MADE] = vm_count_made();
		v[COOP_HOST_GUEST_RAM_HELD] = __atomic_load_n(&held_bytes, __ATOMIC_RELAXED);
		return COOP_HOST_STATS;
	}
	if (max < COOP_STATS)
		return -COOP_EMSGSIZE;
	memset(v, 0, COOP_STATS * sizeof(*v));
	struct stats_arg a = {v};
	return vm_call(id, vm_stats_in, &a) ? COOP_STATS : -COOP_ENOENT;
}

/* iopm.ko's ROUTE_PIN and PIN_EOI, validated by the channel. */
static void chan_route_pin(void *ctx, uint32_t irq, uint32_t vector, uint32_t flags, struct fwd_result *out)
{
	fwd_route(&pins, 0, irq, vector, flags, &pin_ops, ctx, out);
	if (irq < ISA_IRQS)
		publish_pin(ctx, irq);
}

static int chan_pin_eoi(void *ctx, uint32_t irq, const char **why)
{
	int r = fwd_eoi(&pins, 0, irq, &pin_ops, ctx, why);
	if (!r)
		publish_pin(ctx, irq);
	return r;
}

static const struct chan_ops chan_ops = {
    .notify = chan_notify,
    .vm_find = chan_vm_find,
    .vm_list = chan_vm_list,
    .io_done = chan_io_done,
    .irq_line = chan_irq_line,
    .msi = chan_msi,
    .vm_op = chan_vm_op,
    .vm_create = chan_vm_create,
    .vm_stats = chan_vm_stats,
    .ram_done = chan_ram_done,
    .route_pin = chan_route_pin,
    .pin_eoi = chan_pin_eoi,
};

/* ---- guest RAM announcements (RAM_MAP) ---- */

/* Withdrawals that found the VMM ring full: sent again by iopm_poll; and
 * the RAM of ended VMs held until IOPM 0's RAM_DONE (same lock). */
static struct spinlock owed_lock;
static uint32_t removes_owed[VM_MAX * 2];
static unsigned nremoves_owed;
static uint64_t ram_msgs_lost; /* announcements that found the ring full (counted, logged) */

static int send_ram(uint32_t vm, uint32_t op, uint64_t gpa, uint64_t hpa, uint64_t size)
{
	struct coop_msg_ram r = {gpa, hpa, size, op, 0};
	struct coop_msg m;
	coop_msg_init(&m, COOP_MSG_RAM_MAP, 0, vm, 0, &r, sizeof(r));
	return chan_send(&iopm0.chan, &m);
}

/* Announce a VM's RAM ranges to IOPM 0, each rounded out to pages (the
 * low range ends at 0x9fc00: the rest of that page is the VM's block too),
 * so that iopmd can map exactly this guest's RAM: a VM it serves, or one it
 * created (it loads the image). Withdrawn when the VM has ended. */
static void announce_ram(struct vm *vm)
{
	if (!iopm0.started)
		return;
	vm->ram_shared = true;
	struct vm_ram_range rr[VM_RAM_RANGES_MAX];
	unsigned n = vm_ram_ranges(vm->mem_size, rr);
	for (unsigned i = 0; i < n; i++) {
		uint64_t size = ALIGN_UP(rr[i].size, PAGE_SIZE);
		if (send_ram(vm->id, COOP_RAM_ADD, rr[i].gpa, vm->mem_hpa + rr[i].off, size)) {
			__atomic_fetch_add(&ram_msgs_lost, 1, __ATOMIC_RELAXED);
			pr_warn("vm %u %s: its RAM range 0x%llx+0x%llx not announced to iopm0 (ring full)",
				vm->id, vm->name, (unsigned long long)rr[i].gpa, (unsigned long long)size);
		}
	}
}

/* A VM IOPM 0 serves is created. */
static void vm_created(struct vm *vm)
{
	if (vm->iopm == 0)
		announce_ram(vm);
}

/* It has ended: the IOPM withdraws its mappings and drops its devices.
 * Its RAM is held (not given to another VM) until the IOPM says with
 * RAM_DONE that it maps none of it -- or until the IOPM stops; when the
 * table of held RAM is full it is freed at once (counted, logged). */
static bool vm_ended(struct vm *vm)
{
	if (!vm->ram_shared || !iopm0.started || cpus[iopm0.cpu].state == CPU_STOPPED)
		return false;
	uint64_t flags = spin_lock_irqsave(&owed_lock);
	bool keep = nheld < ARRAY_SIZE(held);
	if (keep) {
		held[nheld++] = (struct held_ram){vm->id, vm->mem_hpa, vm->mem_size};
		held_bytes += vm->mem_size;
	}
	spin_unlock_irqrestore(&owed_lock, flags);
	if (!keep)
		pr_warn("vm %u %s: its RAM is freed before iopm0 has unmapped it (%u blocks held already)",
			vm->id, vm->name, nheld);
	if (!send_ram(vm->id, COOP_RAM_REMOVE, 0, 0, 0))
		return keep;
	flags = spin_lock_irqsave(&owed_lock);
	if (nremoves_owed < ARRAY_SIZE(removes_owed))
		removes_owed[nremoves_owed++] = vm->id;
	else
		__atomic_fetch_add(&ram_msgs_lost, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&owed_lock, flags);
	return keep;
}

/* RAM_DONE: IOPM 0 maps none of VM `vm`'s RAM any more: it is freed. */
static bool chan_ram_done(void *ctx, uint32_t vm)
{
	(void)ctx;
	struct held_ram h = {0, 0, 0};
	uint64_t flags = spin_lock_irqsave(&owed_lock);
	for (unsigned i = 0; i < nheld; i++)
		if (held[i].vm == vm) {
			h = held[i];
			held[i] = held[--nheld];
			held_bytes -= h.size;
			break;
		}
	spin_unlock_irqrestore(&owed_lock, flags);
	if (!h.size)
		return false;
	guest_ram_free(h.hpa, h.size);
	return true;
}

/* IOPM 0 has stopped: nothing of it runs to use a mapping; every block
 * held for it goes back to the pool. */
static void release_held(void)
{
	struct held_ram h[ARRAY_SIZE(held)];
	uint64_t flags = spin_lock_irqsave(&owed_lock);
	unsigned n = nheld;
	memcpy(h, held, n * sizeof(h[0]));
	nheld = 0;
	held_bytes = 0;
	spin_unlock_irqrestore(&owed_lock, flags);
	for (unsigned i = 0; i < n; i++)
		guest_ram_free(h[i].hpa, h[i].size);
	if (n)
		log_raw("[iopm] %u ended guest(s)' RAM released: iopm0 has stopped", n);
}

static void send_owed_removes(void)
{
	uint64_t flags = spin_lock_irqsave(&owed_lock);
	unsigned kept = 0;
	for (unsigned i = 0; i < nremoves_owed; i++)
		if (send_ram(removes_owed[i], COOP_RAM_REMOVE, 0, 0, 0))
			removes_owed[kept++] = removes_owed[i];
	nremoves_owed = kept;
	spin_unlock_irqrestore(&owed_lock, flags);
}

static const struct vm_observer vm_observer = {vm_created, vm_ended};

/* The IOPM's IPI: count it and kick the BSP (this CPU), whose scheduler
 * loop then runs iopm_poll, which drains the ring. Taken between two of
 * the loop's passes, in its HLT, or as an external-interrupt exit of a
 * vCPU of the BSP (vmm/vcpu/vcpu_run.c takes it after the exit). */
static void notify_handler(struct trap_frame *f)
{
	(void)f;
	if (iopm0.chan_ready)
		chan_notified(&iopm0.chan);
	lapic_eoi();
	cpu_kick(this_cpu()->index);
}

/* The log's sink: each line into every channel's log ring (called under the
 * log's lock, from any CPU). */
static void log_sink(const char *s, size_t len)
{
	if (iopm0.chan_ready)
		chan_log_write(&iopm0.chan, s, (uint32_t)len);
}

/* Physical base of IOPM `i`'s part of the shared zone (shared/coopvmm_abi.h). */
static uint64_t part_base(const struct partition_plan *plan, uint32_t i)
{
	return plan->shared.base + (uint64_t)i * COOP_PART_SIZE;
}

static void init_shared(const struct partition_plan *plan, const struct boot_config *cfg, uint32_t cpu)
{
	uint64_t base = part_base(plan, 0);
	uint8_t *z = (uint8_t *)(uintptr_t)base;
	memset(z, 0, COOP_PART_SIZE);
	struct coop_shared_header *h = (void *)(z + COOP_HEADER_OFF);
	coop_part_header_init(h, base);
	h->tsc_khz = timer_rates.tsc_khz;
	h->lapic_khz = timer_rates.lapic_khz;
	h->vmm_apic_id = cpus[0].apic_id;
	h->iopm_apic_id = cpus[cpu].apic_id;
	h->iopm_index = 0;
	h->vmm_notify_vector = IOPM_NOTIFY_VECTOR;
	h->console_irq = cfg->iopm_console_irq;
	h->epoch = 1;
	iopm0.hdr = h;
	iopm0.vctrl = (void *)(z + COOP_VMM_CTRL_OFF);
	iopm0.ictrl = (void *)(z + COOP_IOPM_CTRL_OFF);
	chan_init(&iopm0.chan, 0, z, h->epoch, timer_rates.tsc_khz, &chan_ops, &iopm0);
	trap_set_handler(IOPM_NOTIFY_VECTOR, notify_handler);
	iopm0.chan_ready = true;
	/* The VMM's log from now on, and what it logged since boot, in the part. */
	log_set_sink(log_sink);
}

static uint64_t zone_lo, zone_hi;

static uint8_t *map_iopm_zone(void *ctx, uint64_t addr, uint64_t len)
{
	(void)ctx;
	if (addr < zone_lo || addr + len > zone_hi || addr + len < addr)
		return NULL;
	return (uint8_t *)(uintptr_t)addr;
}

static bool trampoline_started(const void *ctx)
{
	return ((const volatile struct iopm_trampoline_params *)ctx)->started;
}

static bool start_cpu(uint32_t cpu, const struct linux_boot_out *lb)
{
	uint64_t size = (uint64_t)(iopm_trampoline_blob_end - iopm_trampoline_blob);
	ASSERT(size <= PAGE_SIZE);
	memcpy((void *)(uintptr_t)TRAMPOLINE_ADDR, iopm_trampoline_blob, size);
	volatile struct iopm_trampoline_params *tp =
	    (volatile void *)(uintptr_t)(TRAMPOLINE_ADDR + TRAMP_PARAMS_OFFSET);
	tp->zero_page = lb->zero_page;
	tp->entry = lb->entry;
	tp->started = 0;
	mfence();
	return smp_init_sipi_sipi(cpus[cpu].apic_id, trampoline_started, (const void *)tp, START_WAIT_US);
}

unsigned iopm_start_all(const struct boot_config *cfg, const struct partition_plan *plan,
			const struct memmap *mm, const struct boot_info *bi, uint64_t rsdp)
{
	char err[200];
	for (uint32_t i = 0; i < sizeof(vmm_irqs); i++)
		fwd_keep(&pins, vmm_irqs[i]);
	if (!plan->iopms)
		return 0;
	uint32_t cpu = 0;
	for (uint32_t i = 1; i < ncpus; i++)
		if (cpus[i].role == CPU_ROLE_IOPM && cpus[i].iopm == 0)
			cpu = i;
	if (!cpu)
		return 0;
	if (plan->iopms > 1)
		pr_warn("iopms=%u: only IOPM 0 is started by this version; CPUs of the others stay reserved",
			plan->iopms);
	const char *kargs = "";
	const struct boot_module *k = bootinfo_find_module(bi, "iopm-kernel", &kargs),
				 *r = bootinfo_find_module(bi, "iopm-initrd", NULL);
	if (!k) {
		pr_warn("no boot module \"iopm-kernel\": IOPM 0 is not started (its CPU %u stays reserved)",
			cpu);
		return 0;
	}
	if (cfg->iopm_console_irq >= ISA_IRQS || pins.pin[cfg->iopm_console_irq].owner == FWD_VMM) {
		pr_err(
		    "iopm_console_irq=%u: the VMM keeps that pin (its UART, the PIT or the cascade); IOPM 0 "
		    "not started",
		    cfg->iopm_console_irq);
		return 0;
	}
	init_shared(plan, cfg, cpu);
	ratelimit_init(&iopm0.log_rl, IOPM_LOG_BURST, IOPM_LOG_PER_SEC, timer_rates.tsc_khz);
	fwd_assign(&pins, cfg->iopm_console_irq, 0); /* iopm.ko routes it with a ROUTE_PIN */

	struct e820_entry e820[ZP_E820_MAX];
	int ne = iopm_build_e820(mm, plan, 0, e820, ZP_E820_MAX);
	if (ne < 0) {
		pr_err("IOPM 0: e820 table does not fit %u entries; not started", ZP_E820_MAX);
		return 0;
	}
	char cmdline[CMDLINE_MAX];
	struct iopm_cmdline_in ci = {timer_rates.tsc_khz, part_base(plan, 0), COOP_PART_SIZE, kargs};
	if (iopm_build_cmdline(cmdline, sizeof(cmdline), &ci, err, sizeof(err))) {
		pr_err("IOPM 0 not started: %s", err);
		return 0;
	}
	zone_lo = plan->iopm[0].base;
	zone_hi = plan->iopm[0].base + plan->iopm[0].size;
	struct linux_boot_in in = {
	    .image = (const uint8_t *)(uintptr_t)k->start,
	    .image_size = k->end - k->start,
	    .initrd = r ? (const uint8_t *)(uintptr_t)r->start : NULL,
	    .initrd_size = r ? r->end - r->start : 0,
	    .cmdline = cmdline,
	    .zone_base = plan->iopm[0].base,
	    .zone_size = plan->iopm[0].size,
	    .e820 = e820,
	    .e820_count = (uint32_t)ne,
	    .rsdp = rsdp,
	};
	struct linux_boot_out lb;
	if (linux_boot_prepare(map_iopm_zone, NULL, &in, &lb, err, sizeof(err))) {
		pr_err("IOPM 0 kernel refused: %s", err);
		return 0;
	}
	pr_info("iopm0: Linux boot protocol %u.%02u, kernel 0x%llx-0x%llx (entry 0x%x), zero page 0x%x, "
		"initrd %s "
		"0x%llx (%llu KiB), %d e820 entries",
		lb.version >> 8, lb.version & 0xff, (unsigned long long)lb.kernel_base,
		(unsigned long long)lb.kernel_end, lb.entry, lb.zero_page, r ? "at" : "none",
		(unsigned long long)lb.initrd_base, (unsigned long long)(r ? (r->end - r->start) / KiB : 0),
		ne);
	for (int i = 0; i < ne; i++)
		pr_debug("iopm0 e820 0x%016llx-0x%016llx type %u", (unsigned long long)e820[i].addr,
			 (unsigned long long)(e820[i].addr + e820[i].size), e820[i].type);
	pr_info("iopm0: command line \"%s\"", cmdline);
	iopm0.cpu = cpu;
	if (!start_cpu(cpu, &lb)) {
		pr_err("iopm0: cpu %u (apic %u) did not start", cpu, cpus[cpu].apic_id);
		cpus[cpu].state = CPU_FAILED;
		return 0;
	}
	cpus[cpu].state = CPU_ONLINE;
	iopm0.started = true;
	iopm0.last_beat_tsc = rdtsc();
	pr_info("iopm0: started on cpu %u (apic %u)", cpu, cpus[cpu].apic_id);
	/* Guests' ranges of IOPM 0 go into its slots from now on: requests
	 * made before iopmd runs wait in them (iopmd takes every PENDING slot
	 * when it attaches). */
	ioreq_set_iopm_server(iopm_serve, iopm_post);
	vm_set_observer(&vm_observer);
	return 1;
}

/* A VM IOPM 0 serves, when IOPM 0 stops (arg: how it stopped). */
static void pause_served(struct vm *vm, void *arg)
{
	if (vm->iopm != 0 || vm->state != VM_RUNNING)
		return;
	vm_pause(vm, true);
	log_raw("[iopm] vm %u %s paused: its devices' IOPM (iopm0) %s", vm->id, vm->name, (const char *)arg);
}

static const char *state_name(uint32_t s)
{
	switch (s) {
	case COOP_IOPM_OFF:
		return "booting";
	case COOP_IOPM_MODULE:
		return "module loaded";
	case COOP_IOPM_RUNNING:
		return "running";
	case COOP_IOPM_HALTED:
		return "halted";
	case COOP_IOPM_PANICKED:
		return "panicked";
	default:
		return "in an unknown state";
	}
}

uint64_t iopm_poll(uint64_t now)
{
	struct iopm *m = &iopm0;
	static uint64_t next;
	/* The channel first, at every call: an IPI's kick brought us here, or
	 * the IOPM asked the VMM to poll (then chan_poll wants every pass). */
	uint64_t chan_due = UINT64_MAX;
	if (m->started && chan_poll(&m->chan, now))
		chan_due = now;
	if (now < next)
		return MIN(next, chan_due);
	next = now + IOPM_POLL_US * timer_rates.tsc_khz / 1000;
	if (!m->started)
		return next;
	if (now >= m->next_vmm_beat) {
		m->vctrl->heartbeat++;
		m->next_vmm_beat = now + VMM_HEARTBEAT_US * timer_rates.tsc_khz / 1000;
	}
	uint32_t st = m->ictrl->state;
	if (st != m->last_state) {
		/* The note is the IOPM's text: copied once, then escaped, so that
		 * no byte of it can end this log line or start another. */
		char raw[sizeof(m->ictrl->note)], note[NOTE_SHOWN_MAX + 1];
		for (unsigned i = 0; i < sizeof(raw); i++)
			raw[i] = m->ictrl->note[i];
		sanitize_text(note, sizeof(note), raw, sizeof(raw));
		if (st == COOP_IOPM_HALTED || st == COOP_IOPM_PANICKED) {
			if (iopm_log_allowed(m))
				log_raw("[iopm] iopm0 %s: %s; its cpu %u has stopped, the VMM carries on",
					state_name(st), note[0] ? note : "(no reason given)", m->cpu);
			cpus[m->cpu].state = CPU_STOPPED;
			/* Its guests can no longer reach their devices: paused,
			 * each named (they could be unpaused by a restarted IOPM). */
			vm_for_each(pause_served, (void *)state_name(st));
			release_held();
		} else if (iopm_log_allowed(m)) {
			log_raw("[iopm] iopm0 %s", state_name(st));
		}
		m->last_state = st;
		m->last_beat_tsc = now; /* the stall clock starts with the new state */
	}
	if (nremoves_owed)
		send_owed_removes();
	uint64_t beat = m->ictrl->heartbeat;
	if (beat != m->last_beat) {
		if (m->stalled && iopm_log_allowed(m))
			log_raw("[iopm] iopm0 heartbeat resumed at %llu", (unsigned long long)beat);
		m->last_beat = beat;
		m->last_beat_tsc = now;
		m->stalled = false;
	} else if (st == COOP_IOPM_RUNNING && !m->stalled &&
		   now - m->last_beat_tsc > IOPM_STALL_US * timer_rates.tsc_khz / 1000) {
		if (iopm_log_allowed(m))
			log_raw("[iopm] iopm0 stopped beating (heartbeat %llu unchanged for %u s)",
				(unsigned long long)beat, IOPM_STALL_US / 1000000);
		m->stalled = true;
	}
	iopm_log_flush(m);
	return MIN(next, chan_due);
}
