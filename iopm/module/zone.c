/* SPDX-License-Identifier: GPL-2.0-only */
/* zone.c: map the VMM <-> IOPM shared zone (shared/coopvmm_abi.h) and refuse
 * a zone whose header is not exactly what this build expects; or, with
 * fake=1, allocate a zone and write a valid header for tests without a VMM.
 * The zone is e820-reserved RAM in the IOPM's map, so it is memremap'ed WB,
 * and claimed exclusively, so that /dev/mem refuses it: userland gets the
 * zone only through /dev/coopvmm, whose VMM-written pages are read-only.
 */
#include "iopm.h"

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/apic.h>
#include <asm/tsc.h>

struct iopm_zone iopm_zone;

/*
 * /dev/mem confinement relies on the kernel's STRICT_DEVMEM checks:
 * devmem_is_allowed() refuses System RAM and, above 1 MiB, every range
 * iomem_is_exclusive() calls exclusive: an IORESOURCE_EXCLUSIVE claim (the
 * shared zone, below) and, with IO_STRICT_DEVMEM, any busy range (the
 * "Unusable memory" the VMM gives its own and the guests' RAM). The module
 * is built against the headers of exactly the kernel it runs on.
 */
#if !IS_ENABLED(CONFIG_STRICT_DEVMEM) || !IS_ENABLED(CONFIG_IO_STRICT_DEVMEM)
#error                                                                                                       \
    "the IOPM kernel needs CONFIG_STRICT_DEVMEM=y and CONFIG_IO_STRICT_DEVMEM=y (docs/iopm.md, Confinement)"
#endif

/* Validate a copy of the header (the VMM wrote it before starting us; a copy
 * also keeps a misbehaving writer from changing it between check and use):
 * the layout must be exactly this build's (shared/coop_zone.h). */
static int check_header(const struct coop_shared_header *h, phys_addr_t base, u64 size)
{
	const char *bad;

	if (h->magic != COOP_SHARED_MAGIC) {
		pr_err("refusing the shared zone at %pa: magic 0x%016llx, expected 0x%016llx\n", &base,
		       h->magic, COOP_SHARED_MAGIC);
		return -EINVAL;
	}
	if (h->version != COOP_ABI_VERSION || h->header_size != sizeof(*h)) {
		pr_err("refusing the shared zone: ABI version %u header %u bytes, this build is version %u, "
		       "%zu bytes\n",
		       h->version, h->header_size, COOP_ABI_VERSION, sizeof(*h));
		return -EINVAL;
	}
	if (h->zone_base != base || h->zone_size != size) {
		pr_err("refusing the shared zone: header says 0x%llx+0x%llx, command line says %pa+0x%llx\n",
		       h->zone_base, h->zone_size, &base, size);
		return -EINVAL;
	}
	bad = coop_part_header_check(h, base, size);
	if (bad) {
		pr_err("refusing the shared zone: header field %s is not this build's layout\n", bad);
		return -EINVAL;
	}
	if (h->console_irq >= 16 || h->console_irq == 2) {
		pr_err("refusing the shared zone: console_irq %u is not a routable ISA IRQ\n",
		       h->console_irq);
		return -EINVAL;
	}
	return 0;
}

static int zone_attach(void *virt, phys_addr_t base, u64 size)
{
	struct coop_shared_header copy;
	int err;

	memcpy(&copy, virt, sizeof(copy));
	err = check_header(&copy, base, size);
	if (err)
		return err;
	iopm_zone.virt = virt;
	iopm_zone.base = base;
	iopm_zone.size = size;
	iopm_zone.hdr = virt;
	iopm_zone.vmm = virt + copy.vmm_ctrl_off;
	iopm_zone.ctrl = virt + copy.iopm_ctrl_off;
	return 0;
}

int iopm_zone_map(phys_addr_t base, u64 size)
{
	void *virt;
	int err;

	if (base % PAGE_SIZE || size != COOP_PART_SIZE) {
		pr_err("refusing shared_base=%pa shared_size=0x%llx: need page aligned, 0x%x bytes (one "
		       "IOPM's part)\n",
		       &base, size, COOP_PART_SIZE);
		return -EINVAL;
	}
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("refusing the shared zone %pa+0x%llx: it overlaps System RAM in this kernel's e820 "
		       "(the VMM must mark it reserved, or Linux may allocate it)\n",
		       &base, size);
		return -EINVAL;
	}
	if (!request_mem_region_exclusive(base, size, "coopvmm shared zone")) {
		pr_err("refusing the shared zone %pa+0x%llx: cannot claim it exclusively (busy in "
		       "/proc/iomem)\n",
		       &base, size);
		return -EBUSY;
	}
	virt = memremap(base, size, MEMREMAP_WB);
	if (!virt) {
		pr_err("memremap of the shared zone %pa+0x%llx failed\n", &base, size);
		err = -ENOMEM;
		goto err_release;
	}
	err = zone_attach(virt, base, size);
	if (err) {
		memunmap(virt);
		goto err_release;
	}
	if (iopm_zone.hdr->iopm_apic_id != read_apic_id()) {
		pr_err("refusing the shared zone: it is for APIC ID %u, this CPU is APIC ID %u\n",
		       iopm_zone.hdr->iopm_apic_id, read_apic_id());
		iopm_zone_unmap();
		return -EINVAL;
	}
	return 0;

err_release:
	release_mem_region(base, size);
	return err;
}

/* fake=1: a zone in this kernel's own RAM with the header a VMM would write.
 * Nothing answers in it (unless fake_vmm=1): the VMM heartbeat stays 0 and
 * route requests time out. */
int iopm_zone_fake(unsigned int console_irq)
{
	struct coop_shared_header *h;
	void *virt;
	int err;

	virt = alloc_pages_exact(COOP_PART_SIZE, GFP_KERNEL | __GFP_ZERO);
	if (!virt)
		return -ENOMEM;
	h = virt;
	coop_part_header_init(h, virt_to_phys(virt));
	h->tsc_khz = tsc_khz; /* Linux's own calibration: there is no VMM to measure it */
	h->lapic_khz = 0;     /* unknown to a module */
	h->vmm_apic_id = COOP_NO_APIC_ID;
	h->iopm_apic_id = read_apic_id();
	h->iopm_index = 0;
	h->vmm_notify_vector = 0;
	h->console_irq = console_irq;
	h->epoch = 1;

	err = zone_attach(virt, h->zone_base, COOP_PART_SIZE);
	if (err) {
		free_pages_exact(virt, COOP_PART_SIZE);
		return err;
	}
	iopm_zone.fake = true;
	pr_warn("fake=1: TEST MODE: zone allocated in IOPM RAM, header written by iopm.ko, no VMM\n");
	return 0;
}

void iopm_zone_report(void)
{
	const struct coop_shared_header *h = iopm_zone.hdr;

	pr_info("shared zone %pa size 0x%zx (%zu KiB): magic ok, ABI version %u, header %u bytes%s\n",
		&iopm_zone.base, iopm_zone.size, iopm_zone.size / 1024, h->version, h->header_size,
		iopm_zone.fake ? " [fake]" : "");
	pr_info("  area       offset      size\n");
	pr_info("  header     0x%08x  0x%08x\n", COOP_HEADER_OFF, h->header_size);
	pr_info("  vmm ctrl   0x%08x  0x%08x\n", h->vmm_ctrl_off, h->vmm_ctrl_size);
	pr_info("  iopm ctrl  0x%08x  0x%08x\n", h->iopm_ctrl_off, h->iopm_ctrl_size);
	pr_info("  vmm ring   0x%08x  0x%08x\n", h->vmm_ring_off, h->ring_entries * h->msg_size);
	pr_info("  iopm ring  0x%08x  0x%08x\n", h->iopm_ring_off, h->ring_entries * h->msg_size);
	pr_info("  vmm slots  0x%08x  0x%08x\n", h->vmm_slot_off, h->slots * h->slot_size);
	pr_info("  iopm slots 0x%08x  0x%08x\n", h->iopm_slot_off, h->slots * h->slot_size);
	pr_info("  vmm kring  0x%08x  0x%08x\n", h->vmm_kring_off, h->kring_entries * h->msg_size);
	pr_info("  iopm kring 0x%08x  0x%08x\n", h->iopm_kring_off, h->kring_entries * h->msg_size);
	pr_info("  vmm log    0x%08x  0x%08x\n", h->log_off, h->log_size);
	pr_info("clocks: tsc %llu kHz (Linux uses %u kHz), lapic %llu kHz\n", h->tsc_khz, tsc_khz,
		h->lapic_khz);
	pr_info("apic ids: vmm %u, iopm %u (this CPU %u); iopm index %u; vmm notify vector 0x%x; console irq "
		"%u\n",
		h->vmm_apic_id, h->iopm_apic_id, read_apic_id(), h->iopm_index, h->vmm_notify_vector,
		h->console_irq);
}

void iopm_zone_unmap(void)
{
	if (!iopm_zone.virt)
		return;
	if (iopm_zone.fake) {
		free_pages_exact(iopm_zone.virt, iopm_zone.size);
	} else {
		memunmap(iopm_zone.virt);
		release_mem_region(iopm_zone.base, iopm_zone.size);
	}
	memset(&iopm_zone, 0, sizeof(iopm_zone));
}
