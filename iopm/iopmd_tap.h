/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_tap.h: the IOPM's tap devices for the guests' virtio-net devices
 * (iopmd_tap.c): a tap interface opened through /dev/net/tun (Ethernet
 * frames, no packet information header, non-blocking), attached to the
 * IOPM's bridge br0, and frames read and written one at a time.
 * docs/iopm.md "Network". */
#ifndef IOPMD_TAP_H
#define IOPMD_TAP_H

#include <stddef.h>
#include <stdint.h>

/* The bridge the IOPM's /init makes (10.0.2.1/24). */
#define TAP_BRIDGE "br0"
/* The longest frame tap_write() passes on (the kernel's own bound). */
#define TAP_FRAME_MAX 65535

/* Create (or attach to) tap interface `name` (1 to 15 characters, no '/',
 * '%', ':' or white space, not "." or ".."): IFF_TAP | IFF_NO_PI, the fd
 * non-blocking and close-on-exec. The interface lives as long as the fd
 * (not persistent). Returns the fd, or -1 with a one-line reason in err. */
int tap_open(const char *name, char *err, size_t errlen);
/* Put tap interface `name` into bridge `bridge` and bring it up. Returns
 * 0, or -1 with a one-line reason in err. */
int tap_attach(const char *name, const char *bridge, char *err, size_t errlen);
/* One frame from the tap: its length (1 to max), 0 if none is waiting, or
 * a negative errno: -EMSGSIZE for a frame longer than max (it is dropped,
 * the first max bytes in buf), -EIO and the like if the fd failed. */
int tap_read(int fd, uint8_t *buf, size_t max);
/* One frame to the tap: 0, -EAGAIN if the tap's queue is full (the frame
 * is not sent: drop it), -EINVAL for len 0 or more than TAP_FRAME_MAX, or
 * another negative errno. */
int tap_write(int fd, const uint8_t *frame, size_t len);

#endif
