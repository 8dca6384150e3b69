/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_tap.c: tap interfaces for the guests' virtio-net devices: opening
 * one through /dev/net/tun (Linux's Documentation/networking/tuntap.rst),
 * attaching it to the IOPM's bridge, reading and writing frames.
 * docs/iopm.md "Network". */
#include "iopmd_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TUN_PATH "/dev/net/tun"

/* The kernel's own rules (dev_valid_name), and no '%' (a pattern the
 * kernel would number) or ':' (an alias). */
static int valid_name(const char *name)
{
	size_t n = name ? strnlen(name, IFNAMSIZ) : 0;
	if (!n || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= ' ' || c >= 0x7f || c == '/' || c == '%' || c == ':')
			return 0;
	}
	return 1;
}

int tap_open(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd;

	if (!valid_name(name)) {
		snprintf(err, errlen, "tap: bad interface name");
		return -1;
	}
	fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s%s", TUN_PATH, strerror(errno),
			 errno == ENOENT ? " (is tun.ko loaded?)" : "");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "tap %s: TUNSETIFF: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int tap_attach(const char *name, const char *bridge, char *err, size_t errlen)
{
	struct ifreq ifr;
	unsigned idx;
	int s, r = -1;

	if (!valid_name(name) || !valid_name(bridge)) {
		snprintf(err, errlen, "tap: bad interface name");
		return -1;
	}
	idx = if_nametoindex(name);
	if (!idx) {
		snprintf(err, errlen, "tap %s: %s", name, strerror(errno));
		return -1;
	}
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		snprintf(err, errlen, "tap %s: socket: %s", name, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, bridge, strlen(bridge));
	ifr.ifr_ifindex = (int)idx;
	if (ioctl(s, SIOCBRADDIF, &ifr) < 0) {
		snprintf(err, errlen, "tap %s: adding it to bridge %s: %s", name, bridge, strerror(errno));
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0)) {
		snprintf(err, errlen, "tap %s: bringing it up: %s", name, strerror(errno));
		goto out;
	}
	r = 0;
out:
	close(s);
	return r;
}

int tap_read(int fd, uint8_t *buf, size_t max)
{
	ssize_t n;

	if (!max)
		return -EINVAL;
	do
		n = read(fd, buf, max);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	/* The kernel answers a frame's whole length, having copied what
	 * fitted. */
	if ((size_t)n > max)
		return -EMSGSIZE;
	if (!n)
		return -EIO; /* no frame is empty */
	return (int)n;
}

int tap_write(int fd, const uint8_t *frame, size_t len)
{
	ssize_t n;

	if (!len || len > TAP_FRAME_MAX)
		return -EINVAL;
	do
		n = write(fd, frame, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return (size_t)n == len ? 0 : -EIO;
}
