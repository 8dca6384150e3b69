/* SPDX-License-Identifier: GPL-2.0-only */
/* cdev.c: /dev/coopvmm, a misc device whose mmap gives iopmd and vmctl the
 * whole shared zone (MAP_SHARED, offset 0..zone size), so userland needs no
 * /dev/mem. Pages of the VMM-written parts (header, VMM control and data
 * areas) are mapped read-only, and a write fault on them is SIGBUS.
 */
#include "iopm.h"

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>

/* True when the zone page at byte offset `off` belongs to an IOPM-written area. */
static bool iopm_writable(u64 off)
{
	return coop_part_iopm_writes(off);
}

/* A write to a read-only PTE of a shared PFN mapping lands here (also after
 * mprotect, which write-protects everything once pfn_mkwrite exists). */
static vm_fault_t iopm_pfn_mkwrite(struct vm_fault *vmf)
{
	u64 off = (vmf->address - vmf->vma->vm_start) + ((u64)vmf->vma->vm_pgoff << PAGE_SHIFT);

	return iopm_writable(off) ? 0 : VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct iopm_vm_ops = {
    .pfn_mkwrite = iopm_pfn_mkwrite,
};

static int iopm_cdev_mmap(struct file *file, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	pgprot_t ro = vm_get_page_prot(vma->vm_flags & ~(VM_WRITE | VM_MAYWRITE));
	unsigned long pfn = iopm_zone.base >> PAGE_SHIFT;
	u64 p;
	int err;

	/* MAP_SHARED sets VM_MAYSHARE always, VM_SHARED only on a writable open. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL; /* a private copy of the zone would be a lie */
	if (off >= iopm_zone.size || len > iopm_zone.size - off)
		return -EINVAL;
	vma->vm_ops = &iopm_vm_ops;
	for (p = 0; p < len; p += PAGE_SIZE) {
		bool rw = iopm_writable(off + p);

		err = remap_pfn_range(vma, vma->vm_start + p, pfn + ((off + p) >> PAGE_SHIFT), PAGE_SIZE,
				      rw ? vma->vm_page_prot : ro);
		if (err)
			return err;
	}
	return 0;
}

static const struct file_operations iopm_cdev_fops = {
    .owner = THIS_MODULE,
    .mmap = iopm_cdev_mmap,
    .llseek = noop_llseek,
};

static struct miscdevice iopm_misc = {
    .minor = MISC_DYNAMIC_MINOR,
    .name = "coopvmm",
    .fops = &iopm_cdev_fops,
    .mode = 0600,
};

int iopm_cdev_init(void)
{
	int err = misc_register(&iopm_misc);

	if (err)
		pr_err("misc_register(/dev/coopvmm): %d\n", err);
	return err;
}

void iopm_cdev_exit(void)
{
	misc_deregister(&iopm_misc);
}
