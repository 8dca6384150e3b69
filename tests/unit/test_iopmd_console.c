/* SPDX-License-Identifier: GPL-2.0-only */
/* test_iopmd_console.c: unit tests of iopmd's interactive console
 * (iopm/iopmd_console.c, the "console-attach" protocol of iopm/iopmd_ctl.h)
 * and of a guest's console input (iopm/iopmd_devs.c over the 16550 model):
 * the rest of iopmd (its guest table, the channel, the kernel log) is
 * stubbed here, clients are socketpairs. Checked: refusals (unknown guest,
 * bad request, too many clients), the backlog then live output, by name and
 * by id; input reaching the UART with the queue refilling it as the guest
 * reads (16450 and FIFO modes, the RX interrupt), a full queue dropping the
 * rest and telling the client; a client that does not read losing exactly
 * what the ring overwrote, told so; the guest's end (last output first,
 * then "ended" and the close); a reused guest place; a detach. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iopm/conbuf.h"
#include "iopm/dev/uart16550.h"
#include "iopm/iopmd.h"
#include "iopm/iopmd_virtio.h"
#include "test.h"

/* ---- the rest of iopmd, stubbed ---- */

static struct iopmd d;
static struct guest gs[2];
static unsigned irq_changes;
static int irq_level;

struct guest *guest_find(uint32_t vm)
{
	for (unsigned i = 0; i < 2; i++)
		if (gs[i].used && gs[i].vm == vm)
			return &gs[i];
	return NULL;
}

struct guest *guest_by_name(const char *name)
{
	for (unsigned i = 0; i < 2; i++)
		if (gs[i].used && !strcmp(gs[i].name, name))
			return &gs[i];
	return NULL;
}

void guest_console_put(struct guest *g, uint8_t c)
{
	g->con[g->con_head++ % IOPMD_CONSOLE_SIZE] = c;
}

void guest_irq(struct guest *g, uint32_t line, int level)
{
	(void)g;
	(void)line;
	irq_level = level;
	irq_changes++;
}

/* No virtio console here: typed input goes to the UART. */
int guest_virtio_console_active(const struct guest *g)
{
	(void)g;
	return 0;
}

size_t guest_virtio_console_input(struct guest *g, const uint8_t *buf, size_t n)
{
	(void)g;
	(void)buf;
	(void)n;
	return 0;
}

void klog(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

void ask_names(struct iopmd *dd)
{
	(void)dd;
}

int run_until(struct iopmd *dd, int (*cond)(struct iopmd *), uint64_t ns)
{
	(void)ns;
	return cond(dd);
}

/* ---- the fixture ---- */

#define MAX_FDS 16
static int open_fds[MAX_FDS];
static unsigned nopen;

/* iopmd's loop, once: poll the attached clients (no wait), take events, flush. */
static void loop_once(void)
{
	struct pollfd p[IOPMD_CONSOLE_CLIENTS];
	unsigned n;

	console_flush(&d);
	n = console_pollfds(p, IOPMD_CONSOLE_CLIENTS);
	if (n)
		EXPECT_GE(poll(p, n, 0), 0);
	console_events(&d, p, n);
}

static unsigned attached(void)
{
	struct pollfd p[IOPMD_CONSOLE_CLIENTS];

	return console_pollfds(p, IOPMD_CONSOLE_CLIENTS);
}

static void reset(void)
{
	for (unsigned i = 0; i < nopen; i++)
		close(open_fds[i]);
	nopen = 0;
	for (int k = 0; k < 10 && attached(); k++)
		loop_once(); /* iopmd sees the hang-ups and lets its clients go */
	EXPECT_EQ(attached(), 0);
	for (unsigned i = 0; i < 2; i++) {
		guest_devices_fini(&gs[i]);
		memset(&gs[i], 0, sizeof(gs[i]));
	}
	memset(&d, 0, sizeof(d));
	irq_changes = 0;
	irq_level = 0;
}

static struct guest *add_guest(unsigned i, uint32_t vm, const char *name, bool devices)
{
	struct guest *g = &gs[i];

	g->used = 1;
	g->vm = vm;
	g->d = &d;
	snprintf(g->name, sizeof(g->name), "%s", name);
	if (devices)
		guest_devices_init(g, 0);
	return g;
}

static void guest_writes(struct guest *g, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		guest_console_put(g, (uint8_t)s[i]);
}

/* A client's request on a fresh connection: the client's end. */
static int client(const char *req)
{
	int sv[2];

	EXPECT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	EXPECT_LT(nopen, MAX_FDS);
	open_fds[nopen++] = sv[0];
	EXPECT_EQ(console_attach(&d, sv[1], req), 1);
	return sv[0];
}

/* The next packet for the client (NUL-terminated), its length; -1 none
 * waiting; 0 the connection closed. */
static ssize_t next(int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);

	if (n < 0) {
		EXPECT_MSG(errno == EAGAIN || errno == EWOULDBLOCK, "recv: %s", strerror(errno));
		return -1;
	}
	buf[n] = 0;
	return n;
}

static void expect_packet(int fd, const char *want, size_t len)
{
	static char buf[IOPMD_CTL_MAX + 1];
	ssize_t n = next(fd, buf, sizeof(buf));

	test_context("want a %zu-byte packet \"%.40s\"", len, want);
	EXPECT_EQ(n, (ssize_t)len);
	EXPECT_TRUE(!memcmp(buf, want, len));
}

#define EXPECT_PACKET(fd, lit) expect_packet(fd, lit, sizeof(lit) - 1)

static void send_input(int fd, const char *bytes, size_t n)
{
	static uint8_t pkt[IOPMD_CTL_MAX];

	memcpy(pkt, "in\n", 3);
	memcpy(pkt + 3, bytes, n);
	EXPECT_EQ(send(fd, pkt, n + 3, 0), (ssize_t)(n + 3));
}

/* A guest port access through iopmd_devs.c (COM1 at 0x3f8). */
static uint8_t com1_in(struct guest *g, unsigned reg)
{
	uint32_t v = 0;

	EXPECT_EQ(guest_device_io(g, COM1_PORT + reg, 1, 0, &v), 0);
	return (uint8_t)v;
}

static void com1_out(struct guest *g, unsigned reg, uint8_t val)
{
	uint32_t v = val;

	EXPECT_EQ(guest_device_io(g, COM1_PORT + reg, 1, 1, &v), 0);
}

/* ---- attaching ---- */

TEST(iopmd_console, unknown_guest_refused)
{
	char buf[256];

	reset();
	add_guest(0, 3, "alpha", false);
	int c = client("console-attach nosuch 4096");
	EXPECT_GT(next(c, buf, sizeof(buf)), 0);
	EXPECT_STRCONTAINS(buf, "err 1\nvmctl: console: no guest \"nosuch\" has devices in this IOPM\n");
	EXPECT_EQ(next(c, buf, sizeof(buf)), 0); /* closed */
	EXPECT_EQ(attached(), 0);
}

TEST(iopmd_console, bad_requests_are_usage_errors)
{
	static const char *const bad[] = {
	    "console-attach alpha",	  "console-attach alpha 12x", "console-attach alpha 4096 more",
	    "console-attach alpha 65537", "console-attach  ",
	};
	char buf[256];

	reset();
	add_guest(0, 3, "alpha", false);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_context("request \"%s\"", bad[i]);
		int c = client(bad[i]);
		EXPECT_GT(next(c, buf, sizeof(buf)), 0);
		EXPECT_EQ(strncmp(buf, "err 64\n", 7), 0);
		EXPECT_EQ(next(c, buf, sizeof(buf)), 0);
	}
	EXPECT_EQ(attached(), 0);
	/* Not the console's request: left to iopmd_ctl.c, fd untouched. */
	EXPECT_EQ(console_attach(&d, -1, "console alpha"), 0);
	EXPECT_EQ(console_attach(&d, -1, "list"), 0);
}

TEST(iopmd_console, backlog_then_live_output)
{
	reset();
	struct guest *g = add_guest(0, 3, "alpha", false);
	guest_writes(g, "0123456789abcdef", 16);
	int c = client("console-attach alpha 6");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	EXPECT_PACKET(c, "out\nabcdef"); /* the last 6 bytes */
	loop_once();
	char buf[64];
	EXPECT_EQ(next(c, buf, sizeof(buf)), -1); /* nothing new */
	guest_writes(g, "live\n", 5);
	loop_once();
	EXPECT_PACKET(c, "out\nlive\n");
	/* A backlog of 0: only what comes after. By id. */
	int c2 = client("console-attach 3 0");
	EXPECT_PACKET(c2, "ok\n3 alpha\n");
	EXPECT_EQ(next(c2, buf, sizeof(buf)), -1);
	guest_writes(g, "x", 1);
	loop_once();
	EXPECT_PACKET(c, "out\nx");
	EXPECT_PACKET(c2, "out\nx");
	EXPECT_EQ(attached(), 2);
}

TEST(iopmd_console, backlog_larger_than_written)
{
	reset();
	struct guest *g = add_guest(0, 3, "alpha", false);
	guest_writes(g, "hi", 2);
	int c = client("console-attach alpha 65536");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	EXPECT_PACKET(c, "out\nhi");
}

TEST(iopmd_console, too_many_clients_refused)
{
	char buf[256];

	reset();
	add_guest(0, 3, "alpha", false);
	for (int i = 0; i < IOPMD_CONSOLE_CLIENTS; i++)
		EXPECT_PACKET(client("console-attach alpha 0"), "ok\n3 alpha\n");
	int c = client("console-attach alpha 0");
	EXPECT_GT(next(c, buf, sizeof(buf)), 0);
	EXPECT_STRCONTAINS(buf, "err 1\nvmctl: console: 8 consoles are attached already");
	EXPECT_EQ(attached(), IOPMD_CONSOLE_CLIENTS);
}

TEST(iopmd_console, detach_lets_the_client_go)
{
	reset();
	add_guest(0, 3, "alpha", false);
	int c = client("console-attach alpha 0");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	EXPECT_EQ(attached(), 1);
	close(c);
	open_fds[--nopen] = -1;
	loop_once();
	EXPECT_EQ(attached(), 0);
}

/* ---- input ---- */

TEST(iopmd_console, input_queued_and_refilled_as_the_guest_reads)
{
	static const char text[] = "hello, a line longer than one FIFO";
	char got[sizeof(text)] = {0};

	reset();
	struct guest *g = add_guest(0, 3, "alpha", true);
	int c = client("console-attach alpha 0");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	com1_out(g, UART_MCR, UART_MCR_OUT2); /* 16450 mode: a receiver of one byte */
	com1_out(g, UART_IER, UART_IER_RDI);
	send_input(c, text, sizeof(text) - 1);
	loop_once();
	EXPECT_EQ(irq_level, 1); /* data available */
	EXPECT_EQ(guest_console_queued(g), sizeof(text) - 2);
	for (size_t i = 0; i < sizeof(text) - 1; i++) {
		test_context("byte %zu", i);
		EXPECT_EQ(com1_in(g, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
		got[i] = (char)com1_in(g, UART_RBR); /* the read makes room: the next byte comes */
	}
	EXPECT_STREQ(got, text);
	EXPECT_EQ(com1_in(g, UART_LSR) & UART_LSR_DR, 0);
	EXPECT_EQ(irq_level, 0);
	EXPECT_EQ(guest_console_queued(g), 0);
	char buf[64];
	EXPECT_EQ(next(c, buf, sizeof(buf)), -1); /* nothing dropped, nothing to say */
	/* FIFO mode: 16 at a time; more input while some is queued keeps its order. */
	com1_out(g, UART_FCR, UART_FCR_ENABLE_FIFO);
	send_input(c, "ABCDEFGHIJKLMNOPQRST", 20);
	loop_once();
	EXPECT_EQ(guest_console_queued(g), 4);
	send_input(c, "UVWXYZ", 6);
	loop_once();
	EXPECT_EQ(guest_console_queued(g), 10);
	for (int i = 0; i < 26; i++) {
		test_context("byte %d", i);
		EXPECT_EQ(com1_in(g, UART_RBR), 'A' + i);
	}
	EXPECT_EQ(com1_in(g, UART_LSR) & UART_LSR_DR, 0);
}

TEST(iopmd_console, full_queue_drops_the_rest_and_says_so)
{
	static char big[6000];

	reset();
	struct guest *g = add_guest(0, 3, "alpha", true);
	int c = client("console-attach alpha 0");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	send_input(c, big, sizeof(big));
	loop_once();
	/* One byte in the receiver (16450 mode), CON_INQ_SIZE queued, the rest dropped. */
	EXPECT_EQ(guest_console_queued(g), CON_INQ_SIZE);
	char want[32];
	snprintf(want, sizeof(want), "dropped %d\n", (int)sizeof(big) - 1 - CON_INQ_SIZE);
	expect_packet(c, want, strlen(want));
	/* What was kept arrives in order. */
	for (int i = 0; i < 1 + CON_INQ_SIZE; i++) {
		test_context("byte %d", i);
		EXPECT_EQ(com1_in(g, UART_RBR), 'a' + i % 26);
	}
	EXPECT_EQ(com1_in(g, UART_LSR) & UART_LSR_DR, 0);
}

TEST(iopmd_console, input_in_loopback_waits_for_the_line)
{
	reset();
	struct guest *g = add_guest(0, 3, "alpha", true);
	int c = client("console-attach alpha 0");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	com1_out(g, UART_MCR, UART_MCR_LOOP);
	send_input(c, "ok", 2);
	loop_once();
	EXPECT_EQ(guest_console_queued(g), 2); /* the line is disconnected */
	EXPECT_EQ(com1_in(g, UART_LSR) & UART_LSR_DR, 0);
	com1_out(g, UART_MCR, 0);
	EXPECT_EQ(com1_in(g, UART_RBR), 'o');
	EXPECT_EQ(com1_in(g, UART_RBR), 'k');
	EXPECT_EQ(guest_console_queued(g), 0);
}

TEST(iopmd_console, other_packets_ignored)
{
	reset();
	struct guest *g = add_guest(0, 3, "alpha", true);
	int c = client("console-attach alpha 0");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	EXPECT_EQ(send(c, "break\n", 6, 0), 6);
	EXPECT_EQ(send(c, "i", 1, 0), 1);
	loop_once();
	EXPECT_EQ(attached(), 1);
	EXPECT_EQ(com1_in(g, UART_LSR) & UART_LSR_DR, 0);
}

/* ---- falling behind, ending ---- */

TEST(iopmd_console, client_behind_loses_what_was_overwritten)
{
	static char chunk[4096], buf[IOPMD_CTL_MAX + 1];
	uint64_t got = 0, lost = 0, start;
	unsigned long long n;

	reset();
	struct guest *g = add_guest(0, 3, "alpha", false);
	int c = client("console-attach alpha 0");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	start = g->con_head;
	memset(chunk, 'z', sizeof(chunk));
	/* The client reads nothing: its socket fills, iopmd waits for POLLOUT. */
	for (int k = 0; k < 10000; k++) {
		struct pollfd p[1];
		guest_writes(g, chunk, sizeof(chunk));
		loop_once();
		if (console_pollfds(p, 1) == 1 && (p[0].events & POLLOUT))
			break;
	}
	struct pollfd p[1];
	EXPECT_EQ(console_pollfds(p, 1), 1);
	EXPECT_TRUE(p[0].events & POLLOUT);
	/* Meanwhile the guest writes more than the ring keeps. */
	for (int k = 0; k < 20; k++)
		guest_writes(g, chunk, sizeof(chunk));
	guest_writes(g, "END", 3);
	/* The client reads everything now; iopmd goes on as room appears. */
	for (int k = 0; k < 100000; k++) {
		ssize_t r = next(c, buf, sizeof(buf));
		if (r < 0) {
			loop_once();
			if (got + lost == g->con_head - start)
				break;
			continue;
		}
		EXPECT_GT(r, 0);
		if (!strncmp(buf, "out\n", 4))
			got += (uint64_t)r - 4;
		else if (sscanf(buf, "lost %llu", &n) == 1) {
			lost += n;
			EXPECT_LE(got + lost, g->con_head - start);
		} else
			test_fail(__FILE__, __LINE__, "unexpected packet \"%.20s\"", buf);
	}
	EXPECT_GT(lost, 0);
	EXPECT_EQ(got + lost, g->con_head - start);
	EXPECT_GE(got, IOPMD_CONSOLE_SIZE); /* the whole ring after the loss */
	EXPECT_TRUE(!memcmp(buf + strlen(buf) - 3, "END", 3));
}

TEST(iopmd_console, ended_guest_last_output_then_ended)
{
	char buf[64];

	reset();
	struct guest *g = add_guest(0, 3, "alpha", true);
	int c = client("console-attach alpha 0");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	guest_writes(g, "bye\n", 4);
	g->ended = 1;
	guest_devices_fini(g);
	send_input(c, "late", 4); /* an ended guest takes no input */
	loop_once();
	EXPECT_PACKET(c, "out\nbye\n");
	EXPECT_PACKET(c, "ended\n");
	EXPECT_EQ(next(c, buf, sizeof(buf)), 0); /* iopmd's side is shut */
	loop_once();
	EXPECT_EQ(attached(), 1); /* until the client closes */
	close(c);
	open_fds[0] = -1;
	loop_once();
	EXPECT_EQ(attached(), 0);
	/* Attaching to it: the backlog, then ended at once. */
	int c2 = client("console-attach alpha 100");
	EXPECT_PACKET(c2, "ok\n3 alpha\n");
	EXPECT_PACKET(c2, "out\nbye\n");
	EXPECT_PACKET(c2, "ended\n");
	EXPECT_EQ(next(c2, buf, sizeof(buf)), 0);
}

TEST(iopmd_console, reused_place_ends_the_client)
{
	char buf[64];

	reset();
	struct guest *g = add_guest(0, 3, "alpha", false);
	int c = client("console-attach alpha 0");
	EXPECT_PACKET(c, "ok\n3 alpha\n");
	/* iopmd's table gave the place to another VM (its old guest is gone). */
	memset(g, 0, sizeof(*g));
	add_guest(0, 9, "beta", false);
	guest_writes(g, "not yours", 9);
	loop_once();
	EXPECT_PACKET(c, "ended\n");
	EXPECT_EQ(next(c, buf, sizeof(buf)), 0);
}
