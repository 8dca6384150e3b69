/* SPDX-License-Identifier: GPL-2.0-only */
/* vmctl_console.c: `vmctl console NAME|ID` with stdin on a terminal, the
 * interactive console in the style of `xl console` (docs/iopm.md "The
 * interactive console"): attach to the guest through iopmd
 * ("console-attach", iopm/iopmd_ctl.h), put the terminal in raw mode, show
 * what the guest wrote lately and then everything it writes as iopmd pushes
 * it, send what is typed to the guest's COM1; Ctrl-] detaches and restores
 * the terminal. The output side of the terminal keeps its processing
 * (OPOST/ONLCR), so a guest ending its lines with "\n" alone still starts
 * each at the left margin. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "conbuf.h"
#include "coopvmm_abi.h"
#include "iopmd_ctl.h"
#include "vmctl.h"

#define ESCAPE	     0x1d		 /* Ctrl-]: detach (as xl console, virsh console, telnet) */
#define BACKLOG	     4096		 /* bytes of the guest's past output shown first */
#define INPUT_CHUNK  (IOPMD_CTL_MAX - 3) /* typed bytes in one "in\n" packet */
#define PENDING_MAX  (4 * INPUT_CHUNK)	 /* typed bytes waiting for iopmd to take them */
#define ANSWER_WAIT  10000		 /* ms for iopmd's answer to the attach (it may list the VMs) */
#define FINAL_SEND_S 1			 /* s a last send may wait for room (before detaching) */

static struct termios saved;
static int raw;
static volatile sig_atomic_t got_signal;
static int at_line_start = 1; /* the guest's output so far ends with "\n" */

static void restore(void)
{
	if (raw) {
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
		raw = 0;
	}
}

static void on_signal(int sig)
{
	got_signal = sig;
}

/* Input raw (no echo, no line editing, no signals, no flow control, 8 bits);
 * output processing as it was. */
static int make_raw(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return -1;
	t = saved;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF);
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		return -1;
	raw = 1;
	atexit(restore);
	return 0;
}

/* The guest's output to stdout: 0, or -1 when stdout is gone (EPIPE...). */
static int show(const uint8_t *p, size_t n)
{
	if (n)
		at_line_start = p[n - 1] == '\n';
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A message of ours on stderr, on a line of its own. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	if (!at_line_start)
		fputc('\n', stderr);
	at_line_start = 1;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* Send the typed bytes waiting, "in\n" packets of up to INPUT_CHUNK bytes:
 * without waiting (flags MSG_DONTWAIT), or waiting up to FINAL_SEND_S. */
static int send_pending(int fd, uint8_t *pending, size_t *len, int flags)
{
	static uint8_t pkt[IOPMD_CTL_MAX];

	while (*len) {
		size_t n = *len < INPUT_CHUNK ? *len : INPUT_CHUNK;

		memcpy(pkt, "in\n", 3);
		memcpy(pkt + 3, pending, n);
		if (send(fd, pkt, n + 3, flags | MSG_NOSIGNAL) < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
		memmove(pending, pending + n, *len - n);
		*len -= n;
	}
	return 0;
}

/* The attach: connect, ask, read "ok\nID NAME\n". 0 with *fd, id and name
 * set, else the exit code (the reason said). */
static int attach(const char *who, int *fd, unsigned *id, char *name, size_t name_size)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct timeval tv = {FINAL_SEND_S, 0};
	static char ans[IOPMD_CTL_MAX + 1];
	char req[64 + COOP_VM_NAME_MAX];
	struct pollfd p;
	ssize_t n = -1;
	int r, s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	strncpy(a.sun_path, IOPMD_SOCK, sizeof(a.sun_path) - 1);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "vmctl: console: cannot reach iopmd at %s: %s (is iopmd running?)\n",
			IOPMD_SOCK, strerror(errno));
		if (s >= 0)
			close(s);
		return EXIT_FAIL;
	}
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	snprintf(req, sizeof(req), "console-attach %s %d", who, BACKLOG);
	p = (struct pollfd){.fd = s, .events = POLLIN};
	if (send(s, req, strlen(req), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "vmctl: console: sending to iopmd: %s\n", strerror(errno));
		close(s);
		return EXIT_FAIL;
	}
	r = poll(&p, 1, ANSWER_WAIT);
	if (r > 0)
		n = recv(s, ans, IOPMD_CTL_MAX, MSG_DONTWAIT);
	if (n <= 0) {
		fprintf(stderr, "vmctl: console: iopmd did not answer: %s\n",
			n == 0	 ? "it closed the connection"
			: r == 0 ? "nothing within 10 s"
				 : strerror(errno));
		close(s);
		return EXIT_FAIL;
	}
	ans[n] = 0;
	if (!strncmp(ans, "err ", 4)) {
		char *nl = strchr(ans, '\n');
		int code = atoi(ans + 4);

		fputs(nl ? nl + 1 : ans, stderr);
		close(s);
		return code > 0 ? code : EXIT_FAIL;
	}
	char fmt[32];
	snprintf(fmt, sizeof(fmt), "ok\n%%u %%%zus", name_size - 1);
	if (sscanf(ans, fmt, id, name) != 2) {
		fprintf(stderr, "vmctl: console: unexpected answer from iopmd: %.40s\n", ans);
		close(s);
		return EXIT_FAIL;
	}
	*fd = s;
	return 0;
}

/* Leave after a signal as the signal would have left, the terminal restored. */
static void die_of_signal(int sig)
{
	restore();
	say("vmctl: console: %s: detached\n", strsignal(sig));
	signal(sig, SIG_DFL);
	raise(sig);
	exit(EXIT_FAIL);
}

int cmd_console(const char *who)
{
	static uint8_t pkt[IOPMD_CTL_MAX + 1], pending[PENDING_MAX], typed[INPUT_CHUNK];
	char name[COOP_VM_NAME_MAX];
	size_t npending = 0;
	uint64_t dropped_here = 0;
	struct sigaction sa;
	unsigned id;
	int fd, r, stdin_open = 1;

	r = attach(who, &fd, &id, name, sizeof(name));
	if (r)
		return r;
	if (make_raw() < 0) {
		fprintf(stderr, "vmctl: console: cannot put the terminal in raw mode: %s\n", strerror(errno));
		close(fd);
		return EXIT_FAIL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL); /* only kill -INT: the terminal's ISIG is off */
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* stdout closed: write() says so, the terminal is restored */
	fprintf(stderr, "vmctl: console: connected to guest %s (vm %u); Ctrl-] detaches\n", name, id);

	for (;;) {
		struct pollfd p[2] = {
		    {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
		    {.fd = fd, .events = POLLIN | (npending ? POLLOUT : 0)},
		};

		if (got_signal)
			die_of_signal(got_signal);
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			say("vmctl: console: poll: %s\n", strerror(errno));
			return EXIT_FAIL;
		}
		if (p[0].revents) {
			ssize_t n = read(STDIN_FILENO, typed, sizeof(typed));
			uint8_t *esc = n > 0 ? memchr(typed, ESCAPE, (size_t)n) : NULL;

			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				stdin_open = 0; /* the terminal hung up: stay for the output */
				n = 0;
			}
			if (esc)
				n = esc - typed; /* what came before Ctrl-] still goes */
			if (n > 0) {
				size_t room = PENDING_MAX - npending,
				       take = (size_t)n < room ? (size_t)n : room;

				memcpy(pending + npending, typed, take);
				npending += take;
				dropped_here += (size_t)n - take;
			}
			if (esc) {
				send_pending(fd, pending, &npending, 0);
				restore();
				if (!at_line_start)
					fputc('\n', stderr);
				close(fd);
				return 0;
			}
			if (dropped_here) {
				say("vmctl: console: %llu typed bytes dropped: iopmd is not taking input\n",
				    (unsigned long long)dropped_here);
				dropped_here = 0;
			}
		}
		if (npending && send_pending(fd, pending, &npending, MSG_DONTWAIT) < 0) {
			restore();
			say("vmctl: console: sending to iopmd: %s\n", strerror(errno));
			return EXIT_FAIL;
		}
		if (!(p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (;;) {
			ssize_t n = recv(fd, pkt, IOPMD_CTL_MAX, MSG_DONTWAIT);
			unsigned long long count;

			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				break;
			if (n <= 0) {
				restore();
				say("vmctl: console: iopmd closed the connection%s%s\n", n ? ": " : "",
				    n ? strerror(errno) : "");
				return EXIT_FAIL;
			}
			pkt[n] = 0;
			if (n >= 4 && !memcmp(pkt, "out\n", 4)) {
				if (show(pkt + 4, (size_t)n - 4) < 0) {
					int e = errno;

					restore();
					say("vmctl: console: writing the guest's output: %s\n", strerror(e));
					return EXIT_FAIL;
				}
			} else if (sscanf((char *)pkt, "lost %llu", &count) == 1) {
				say("vmctl: console: %llu bytes of the guest's output lost: this terminal "
				    "fell "
				    "behind\n",
				    count);
			} else if (sscanf((char *)pkt, "dropped %llu", &count) == 1) {
				say("vmctl: console: %llu typed bytes dropped: the guest is not reading its "
				    "COM1 "
				    "(iopmd queues %d bytes)\n",
				    count, CON_INQ_SIZE);
			} else if (!strcmp((char *)pkt, "ended\n")) {
				restore();
				say("vmctl: console: guest %s ended\n", name);
				close(fd);
				return EXIT_FAIL;
			} /* anything else: from a newer iopmd, ignored */
		}
	}
}
