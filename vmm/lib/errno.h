/* SPDX-License-Identifier: GPL-2.0-only */
/* errno.h: error numbers returned (negated) by VMM functions.
 * Values match Linux's asm-generic/errno-base.h so host tests that also
 * include the C library's <errno.h> see identical definitions. */
#ifndef VMM_ERRNO_H
#define VMM_ERRNO_H

#ifndef EPERM
#define EPERM 1 /* operation not permitted */
#endif
#ifndef ENOENT
#define ENOENT 2 /* no such entry */
#endif
#ifndef ESRCH
#define ESRCH 3 /* no such VM, vCPU or request */
#endif
#ifndef EIO
#define EIO 5 /* I/O or hardware error */
#endif
#ifndef E2BIG
#define E2BIG 7 /* argument list too long */
#endif
#ifndef ENOMEM
#define ENOMEM 12 /* out of memory */
#endif
#ifndef EFAULT
#define EFAULT 14 /* bad address */
#endif
#ifndef EBUSY
#define EBUSY 16 /* resource busy */
#endif
#ifndef EEXIST
#define EEXIST 17 /* already exists */
#endif
#ifndef ENODEV
#define ENODEV 19 /* no such device */
#endif
#ifndef EINVAL
#define EINVAL 22 /* invalid argument */
#endif
#ifndef ENOSPC
#define ENOSPC 28 /* no space left */
#endif
#ifndef ERANGE
#define ERANGE 34 /* out of range */
#endif
#ifndef ENOSYS
#define ENOSYS 38 /* not implemented by this CPU/platform */
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT 110 /* timed out */
#endif

#endif
