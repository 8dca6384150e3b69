/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd_console.c: the interactive guest console (`vmctl console NAME|ID`
 * on a terminal; docs/iopm.md "The interactive console", the protocol in
 * iopm/iopmd_ctl.h). A client's "console-attach" connection is kept open
 * and polled by iopmd's event loop with the channel: iopmd pushes what the
 * guest writes to its UART as it comes (nothing polls), and hands what the
 * client sends to the guest's UART (iopmd_devs.c queues what the receiver
 * cannot take yet). iopmd is single-threaded, so nothing here blocks: every
 * send is MSG_DONTWAIT, and a client whose socket is full waits for POLLOUT
 * while the guest's ring moves on; the bytes overwritten meanwhile are
 * skipped and the client is told how many ("lost N"). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conbuf.h"
#include "iopmd.h"

struct client {
	int fd; /* -1: a free place */
	struct guest *g;
	uint32_t vm;		/* g's VM when attached: the place may be reused since */
	uint64_t pos;		/* the next byte of the guest's console to send */
	uint64_t lost, dropped; /* to be told to the client */
	int blocked;		/* a send found the socket full: wait for POLLOUT */
	int ending;		/* "ended" sent, our side shut: waiting for the client to close */
};

static struct client clients[IOPMD_CONSOLE_CLIENTS];
static int clients_ready;
static uint8_t pkt[IOPMD_CTL_MAX];
static uint64_t logged_drops;

static void clients_init(void)
{
	if (clients_ready)
		return;
	for (unsigned i = 0; i < IOPMD_CONSOLE_CLIENTS; i++)
		clients[i].fd = -1;
	clients_ready = 1;
}

static void drop_client(struct client *c)
{
	close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* One packet, without waiting: 1 sent, 0 the socket is full (the client is
 * blocked until POLLOUT), -1 the client is gone (dropped). */
static int push(struct client *c, const void *buf, size_t len)
{
	if (send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len)
		return 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
		c->blocked = 1;
		return 0;
	}
	drop_client(c);
	return -1;
}

/* A notice line "WORD N\n" for a count not told yet; 1 when told or none. */
static int tell(struct client *c, const char *word, uint64_t *count)
{
	char line[48];
	int n, r;

	if (!*count)
		return 1;
	n = snprintf(line, sizeof(line), "%s %llu\n", word, (unsigned long long)*count);
	r = push(c, line, (size_t)n);
	if (r > 0)
		*count = 0;
	return r > 0;
}

static int names_known(struct iopmd *d)
{
	return !d->names_id;
}

/* A refusal: "err CODE\n" and the message, then the connection closes. */
static void refuse(int fd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void refuse(int fd, int code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n = snprintf(msg, sizeof(msg), "err %d\n", code);

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	send(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
}

int console_attach(struct iopmd *d, int fd, const char *req)
{
	char words[256], *save = NULL, *who, *arg, *end;
	unsigned long id, backlog = 0;
	struct client *c = NULL;
	struct guest *g;
	int n;

	if (strncmp(req, "console-attach ", 15))
		return 0;
	clients_init();
	/* "console-attach NAME|ID BACKLOG": two words, nothing after. */
	snprintf(words, sizeof(words), "%s", req + 15);
	who = strtok_r(words, " \t\n", &save);
	arg = strtok_r(NULL, " \t\n", &save);
	if (arg)
		backlog = strtoul(arg, &end, 10);
	if (!who || !arg || *end || strtok_r(NULL, " \t\n", &save) || strlen(who) >= COOP_VM_NAME_MAX ||
	    backlog > IOPMD_CONSOLE_SIZE) {
		refuse(fd, 64, "vmctl: console: bad request to iopmd (console-attach NAME|ID BACKLOG)\n");
		return 1;
	}
	if (d->hello == HELLO_ACCEPTED) { /* names come with a VM_LIST */
		ask_names(d);
		run_until(d, names_known, 3 * NS);
	}
	id = strtoul(who, &end, 10);
	g = guest_by_name(who);
	if (!g && !*end)
		g = guest_find((uint32_t)id);
	if (!g) {
		refuse(fd, 1, "vmctl: console: no guest \"%s\" has devices in this IOPM\n", who);
		return 1;
	}
	for (unsigned i = 0; i < IOPMD_CONSOLE_CLIENTS && !c; i++)
		if (clients[i].fd < 0)
			c = &clients[i];
	if (!c) {
		refuse(fd, 1, "vmctl: console: %d consoles are attached already (iopmd's most)\n",
		       IOPMD_CONSOLE_CLIENTS);
		return 1;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->g = g;
	c->vm = g->vm;
	c->pos = con_ring_backlog(IOPMD_CONSOLE_SIZE, g->con_head, backlog);
	n = snprintf((char *)pkt, sizeof(pkt), "ok\n%u %s\n", g->vm, g->name);
	if (push(c, pkt, (size_t)n) <= 0) {
		if (c->fd >= 0)
			drop_client(c);
		return 1;
	}
	klog(7, "console: vm %u %s attached (fd %d, from byte %llu of %llu)", g->vm, g->name, fd,
	     (unsigned long long)c->pos, (unsigned long long)g->con_head);
	console_flush(d);
	return 1;
}

unsigned console_pollfds(struct pollfd *p, unsigned max)
{
	unsigned n = 0;

	clients_init();
	for (unsigned i = 0; i < IOPMD_CONSOLE_CLIENTS && n < max; i++) {
		if (clients[i].fd < 0)
			continue;
		p[n].fd = clients[i].fd;
		p[n].events = POLLIN | (clients[i].blocked && !clients[i].ending ? POLLOUT : 0);
		p[n].revents = 0;
		n++;
	}
	return n;
}

static int alive(const struct client *c)
{
	return c->g->used && c->g->vm == c->vm && !c->g->ended;
}

/* What the client sent: "in\n" and the bytes for the guest's UART. Other
 * packets are ignored (a later client may know more words). */
static void client_input(struct client *c)
{
	for (int k = 0; k < 16 && c->fd >= 0; k++) { /* a bound: the others' turn too */
		ssize_t n = recv(c->fd, pkt, sizeof(pkt), MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n <= 0) { /* the client left (vmctl detached) */
			klog(7, "console: vm %u detached (fd %d)", c->vm, c->fd);
			drop_client(c);
			return;
		}
		if (c->ending || n < 3 || memcmp(pkt, "in\n", 3) || !alive(c))
			continue; /* an ended guest takes no input: "ended" follows */
		size_t len = (size_t)n - 3, took = guest_console_input(c->g, pkt + 3, len);

		if (took < len) {
			c->dropped += len - took;
			if (logged_drops++ < LOG_FIRST)
				klog(7,
				     "console: vm %u %s: %zu bytes of input dropped (%zu queued: the guest "
				     "is not reading its COM1)",
				     c->vm, c->g->name, len - took, guest_console_queued(c->g));
		}
	}
}

void console_events(struct iopmd *d, const struct pollfd *p, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		struct client *c = NULL;

		if (!p[k].revents)
			continue;
		for (unsigned i = 0; i < IOPMD_CONSOLE_CLIENTS && !c; i++)
			if (clients[i].fd == p[k].fd)
				c = &clients[i];
		if (!c)
			continue;
		if (p[k].revents & POLLOUT)
			c->blocked = 0;
		if (p[k].revents & (POLLIN | POLLHUP | POLLERR))
			client_input(c);
	}
	console_flush(d);
}

/* Send one client what it has not seen: notices, output, the end. */
static void flush_one(struct client *c)
{
	struct guest *g = c->g;
	int same = g->used && g->vm == c->vm; /* its place was not given to another VM */

	while (same && c->pos < g->con_head) {
		uint64_t pos = c->pos, lost;
		size_t n = con_ring_read(g->con, IOPMD_CONSOLE_SIZE, g->con_head, &pos, pkt + 4,
					 sizeof(pkt) - 4, &lost);

		if (lost) { /* overwritten before the client could take it: skipped, told */
			c->lost += lost;
			c->pos = pos - n;
		}
		if (!tell(c, "lost", &c->lost))
			return;
		memcpy(pkt, "out\n", 4);
		if (push(c, pkt, n + 4) <= 0)
			return;
		c->pos = pos;
	}
	if (!tell(c, "lost", &c->lost) || !tell(c, "dropped", &c->dropped))
		return;
	/* The end: our side is shut, not closed, so the client reads everything
	 * (closing with its input unread would reset the connection: the
	 * client would get ECONNRESET instead of the last packets); it closes
	 * and client_input() lets it go. */
	if ((!same || g->ended) && push(c, "ended\n", 6) > 0) {
		klog(7, "console: vm %u ended: its client (fd %d) told", c->vm, c->fd);
		shutdown(c->fd, SHUT_WR);
		c->ending = 1;
	}
}

void console_flush(struct iopmd *d)
{
	(void)d;
	if (!clients_ready)
		return;
	for (unsigned i = 0; i < IOPMD_CONSOLE_CLIENTS; i++)
		if (clients[i].fd >= 0 && !clients[i].blocked && !clients[i].ending)
			flush_one(&clients[i]);
}
