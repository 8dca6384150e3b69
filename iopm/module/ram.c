/* SPDX-License-Identifier: GPL-2.0-only */
/* ram.c: guest RAM as the VMM announced it (issue 14, docs/iopm.md "Guest
 * RAM windows"). The VMM announces a range with a RAM_MAP message on its
 * ring; iopmd consumes the ring and passes each announcement on with
 * COOPVMM_IOC_RAM. iopmd is not trusted with it: it only names the ring
 * entry, and this file reads that entry from the VMM ring itself (a page
 * only the VMM writes), checks that it is a produced entry not yet released
 * to the VMM and later than the last one applied (no replay of a withdrawn
 * range), that it is a well-formed RAM_MAP, and that the range is page
 * aligned, lies outside this kernel's System RAM and the shared zone, and
 * overlaps no other announced range. Only then can /dev/coopvmm map it, at
 * COOPVMM_MMAP_VM(vm) + gpa, page by page at fault time, so that a
 * withdrawal (RAM_REMOVE) revokes every existing mapping
 * (unmap_mapping_range) and a later access is SIGBUS.
 */
#include "iopm.h"

#include <linux/fs.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define IOPM_RAM_MAX	 64
#define IOPM_RAM_GPA_END (1ULL << COOPVMM_MMAP_VM_SHIFT)

struct iopm_ram_range {
	u32 vm;
	u64 gpa, hpa, size;
	void *kva; /* memremap(WB): reserves the WB memtype the user mappings get */
};

static DEFINE_MUTEX(ram_lock); /* everything below; taken under mmap_lock, never around it */
static struct iopm_ram_range ranges[IOPM_RAM_MAX];
static unsigned int nranges;
static u64 ram_bytes;
static u32 refused;
static bool applied_any;
static u32 last_index;
static LIST_HEAD(ram_files); /* open files of /dev/coopvmm: their mappings are revoked on REMOVE */

void iopm_ram_file_add(struct iopm_file *f)
{
	mutex_lock(&ram_lock);
	list_add(&f->link, &ram_files);
	mutex_unlock(&ram_lock);
}

void iopm_ram_file_del(struct iopm_file *f)
{
	mutex_lock(&ram_lock);
	list_del(&f->link);
	mutex_unlock(&ram_lock);
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static int ram_add(const struct coop_msg *m, const struct coop_msg_ram *r)
{
	struct iopm_ram_range *n;
	unsigned int i;
	void *kva;

	if (!r->size || (r->gpa | r->hpa | r->size) & ~PAGE_MASK || r->gpa + r->size < r->gpa ||
	    r->gpa + r->size > IOPM_RAM_GPA_END || r->hpa + r->size < r->hpa ||
	    m->vm >= COOPVMM_MMAP_VM_MAX) {
		pr_warn_ratelimited(
		    "RAM_MAP vm %u gpa 0x%llx hpa 0x%llx size 0x%llx: unaligned or out of range\n", m->vm,
		    r->gpa, r->hpa, r->size);
		return -EINVAL;
	}
	if (region_intersects(r->hpa, r->size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) != REGION_DISJOINT ||
	    overlaps(r->hpa, r->size, iopm_zone.base, iopm_zone.size)) {
		pr_warn_ratelimited("RAM_MAP vm %u hpa 0x%llx size 0x%llx: in this IOPM's own RAM or zone\n",
				    m->vm, r->hpa, r->size);
		return -EPERM;
	}
	for (i = 0; i < nranges; i++) {
		if (overlaps(r->hpa, r->size, ranges[i].hpa, ranges[i].size) ||
		    (ranges[i].vm == m->vm && overlaps(r->gpa, r->size, ranges[i].gpa, ranges[i].size))) {
			pr_warn_ratelimited("RAM_MAP vm %u gpa 0x%llx hpa 0x%llx: overlaps vm %u's\n", m->vm,
					    r->gpa, r->hpa, ranges[i].vm);
			return -EEXIST;
		}
	}
	if (nranges == IOPM_RAM_MAX)
		return -ENOSPC;
	kva = memremap(r->hpa, r->size, MEMREMAP_WB);
	if (!kva)
		return -ENOMEM;
	n = &ranges[nranges++];
	*n = (struct iopm_ram_range){.vm = m->vm, .gpa = r->gpa, .hpa = r->hpa, .size = r->size, .kva = kva};
	ram_bytes += r->size;
	pr_info("RAM_MAP: vm %u gpa 0x%llx-0x%llx = hpa 0x%llx (%llu KiB) announced\n", m->vm, r->gpa,
		r->gpa + r->size - 1, r->hpa, r->size >> 10);
	return 0;
}

/* Drop every range of `vm` (all VMs when `all`), revoking the mappings. */
static unsigned int ram_remove(u32 vm, bool all)
{
	struct iopm_file *f;
	unsigned int i, gone = 0;

	for (i = 0; i < nranges;) {
		if (!all && ranges[i].vm != vm) {
			i++;
			continue;
		}
		/* No fault maps it from here on (ram_lock); zap what is mapped. */
		list_for_each_entry(f, &ram_files, link) unmap_mapping_range(
		    f->file->f_mapping, COOPVMM_MMAP_VM(ranges[i].vm) + ranges[i].gpa, ranges[i].size, 1);
		memunmap(ranges[i].kva);
		ram_bytes -= ranges[i].size;
		ranges[i] = ranges[--nranges];
		gone++;
	}
	return gone;
}

long iopm_ram_ioctl(void __user *uarg)
{
	const struct coop_msg *ring = iopm_zone.virt + COOP_VMM_RING_OFF;
	struct coopvmm_ram req;
	struct coop_msg_ram r;
	struct coop_msg m;
	u32 prod, cons, i;
	long err;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	mutex_lock(&ram_lock);
	i = req.ring_index;
	prod = smp_load_acquire(&iopm_zone.vmm->tx.prod); /* before the entry it covers */
	cons = READ_ONCE(iopm_zone.ctrl->rx.cons);
	err = -ERANGE;
	if ((u32)(prod - i - 1) >= COOP_RING_ENTRIES) /* not produced, or overwritten since */
		goto refuse;
	if ((u32)(i - cons) >= COOP_RING_ENTRIES) /* released to the VMM: it may be rewriting it */
		goto refuse;
	err = -EALREADY;
	if (applied_any && (s32)(i - last_index) <= 0) /* a replay, or out of ring order */
		goto refuse;
	memcpy(&m, &ring[i & (COOP_RING_ENTRIES - 1)], sizeof(m));
	smp_rmb(); /* the copy before prod is read again */
	err = -ESTALE;
	if ((u32)(READ_ONCE(iopm_zone.vmm->tx.prod) - i - 1) >= COOP_RING_ENTRIES)
		goto refuse;
	memcpy(&r, m.payload, sizeof(r));
	err = -EPROTO;
	if (m.type != COOP_MSG_RAM_MAP || m.len != sizeof(r) || m.vcpu || m.flags || r.reserved ||
	    (r.op != COOP_RAM_ADD && r.op != COOP_RAM_REMOVE))
		goto refuse;
	err = -ESTALE;
	if (req.vm != m.vm || req.op != r.op || req.gpa != r.gpa || req.hpa != r.hpa || req.size != r.size ||
	    req.reserved)
		goto refuse;
	if (r.op == COOP_RAM_ADD) {
		err = ram_add(&m, &r);
		if (err)
			goto refuse;
	} else {
		pr_info("RAM_MAP: vm %u: %u range(s) withdrawn, mappings revoked\n", m.vm,
			ram_remove(m.vm, false));
	}
	applied_any = true;
	last_index = i;
	mutex_unlock(&ram_lock);
	return 0;

refuse:
	refused++;
	mutex_unlock(&ram_lock);
	pr_warn_ratelimited("COOPVMM_IOC_RAM: VMM ring entry %u (vmm prod %u, iopm cons %u) refused: %ld\n",
			    i, prod, cons, err);
	return err;
}

void iopm_ram_info(struct coopvmm_info *info)
{
	mutex_lock(&ram_lock);
	info->ram_ranges = nranges;
	info->ram_bytes = ram_bytes;
	info->ram_refused = refused;
	mutex_unlock(&ram_lock);
}

static void decode(u64 off, u32 *vm, u64 *gpa)
{
	*vm = (off & ~COOPVMM_MMAP_VM_FLAG) >> COOPVMM_MMAP_VM_SHIFT;
	*gpa = off & (IOPM_RAM_GPA_END - 1);
}

/* The range holding guest page `gpa` of `vm` (ram_lock held), or NULL. */
static struct iopm_ram_range *ram_find(u32 vm, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < nranges; i++)
		if (ranges[i].vm == vm && gpa >= ranges[i].gpa && gpa - ranges[i].gpa < ranges[i].size)
			return &ranges[i];
	return NULL;
}

static vm_fault_t ram_fault(struct vm_fault *vmf)
{
	struct iopm_ram_range *r;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	u64 gpa;
	u32 vm;

	decode((u64)vmf->pgoff << PAGE_SHIFT, &vm, &gpa);
	mutex_lock(&ram_lock);
	r = ram_find(vm, gpa);
	if (r)
		ret = vmf_insert_pfn(vmf->vma, vmf->address, (r->hpa + (gpa - r->gpa)) >> PAGE_SHIFT);
	mutex_unlock(&ram_lock);
	return ret;
}

static const struct vm_operations_struct ram_vm_ops = {
    .fault = ram_fault,
};

/* mmap of a VM window: every page must be announced now (and each fault
 * checks again). Nothing is mapped here: faults map it. */
int iopm_ram_mmap(struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT, len = vma->vm_end - vma->vm_start, gpa, p;
	int err = 0;
	u32 vm;

	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	decode(off, &vm, &gpa);
	if (vm >= COOPVMM_MMAP_VM_MAX || gpa + len > IOPM_RAM_GPA_END)
		return -EINVAL;
	mutex_lock(&ram_lock);
	for (p = 0; p < len && !err; p += PAGE_SIZE)
		if (!ram_find(vm, gpa + p))
			err = -ENXIO;
	mutex_unlock(&ram_lock);
	if (err)
		return err;
	vma->vm_flags |= VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &ram_vm_ops;
	return 0;
}

void iopm_ram_exit(void)
{
	mutex_lock(&ram_lock);
	ram_remove(0, true);
	mutex_unlock(&ram_lock);
}
