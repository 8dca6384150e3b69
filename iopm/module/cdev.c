/* SPDX-License-Identifier: GPL-2.0-only */
/* cdev.c: /dev/coopvmm, a misc device whose mmap gives iopmd and vmctl the
 * whole shared zone (MAP_SHARED, offset 0..zone size), so userland needs no
 * /dev/mem. Pages of the VMM-written parts (header, VMM control and data
 * areas) and iopm.ko's own kernel ring are mapped read-only, and a write
 * fault on them is SIGBUS. Past the
 * zone: guest RAM windows (ram.c), read/poll for the VMM's notifications
 * (notify.c) and the ioctls of iopm/coopvmm_ioctl.h.
 */
#include "iopm.h"

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

/* True when the zone page at byte offset `off` is one user space writes
 * (not the VMM's, not iopm.ko's kernel ring). */
static bool iopm_writable(u64 off)
{
	return coop_part_user_writes(off);
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

	if (off & COOPVMM_MMAP_VM_FLAG)
		return iopm_ram_mmap(vma);
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

static int iopm_cdev_open(struct inode *inode, struct file *file)
{
	struct iopm_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->file = file;
	f->seen = atomic64_read(&iopm_notifies_received);
	file->private_data = f;
	iopm_ram_file_add(f);
	return 0;
}

static int iopm_cdev_release(struct inode *inode, struct file *file)
{
	struct iopm_file *f = file->private_data;

	iopm_ram_file_del(f);
	kfree(f);
	return 0;
}

/* 8 bytes: how many notifications came since this file's last read. */
static ssize_t iopm_cdev_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct iopm_file *f = file->private_data;
	u64 now, n;
	int err;

	if (len < sizeof(u64))
		return -EINVAL;
	for (;;) {
		now = atomic64_read(&iopm_notifies_received);
		if (now != READ_ONCE(f->seen))
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(iopm_notify_wq,
					       atomic64_read(&iopm_notifies_received) != READ_ONCE(f->seen));
		if (err)
			return err;
	}
	n = now - f->seen;
	WRITE_ONCE(f->seen, now);
	if (copy_to_user(buf, &n, sizeof(n)))
		return -EFAULT;
	return sizeof(n);
}

static __poll_t iopm_cdev_poll(struct file *file, poll_table *wait)
{
	struct iopm_file *f = file->private_data;

	poll_wait(file, &iopm_notify_wq, wait);
	return atomic64_read(&iopm_notifies_received) != READ_ONCE(f->seen) ? EPOLLIN | EPOLLRDNORM : 0;
}

static long iopm_cdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct coopvmm_info info;

	switch (cmd) {
	case COOPVMM_IOC_NOTIFY:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return iopm_notify_vmm();
	case COOPVMM_IOC_INFO:
		memset(&info, 0, sizeof(info));
		iopm_notify_info(&info);
		iopm_ram_info(&info);
		return copy_to_user((void __user *)arg, &info, sizeof(info)) ? -EFAULT : 0;
	case COOPVMM_IOC_RAM:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return iopm_ram_ioctl((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations iopm_cdev_fops = {
    .owner = THIS_MODULE,
    .open = iopm_cdev_open,
    .release = iopm_cdev_release,
    .read = iopm_cdev_read,
    .poll = iopm_cdev_poll,
    .unlocked_ioctl = iopm_cdev_ioctl,
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
