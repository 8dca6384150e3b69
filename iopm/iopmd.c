/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd.c: the IOPM daemon (docs/iopm.md "iopmd and vmctl"). At this stage it
 * maps the shared zone through /dev/coopvmm, marks the IOPM RUNNING and
 * increments the heartbeat word every 100 ms, which the VMM watches; the
 * request channel comes with the next issue. Survives SIGHUP; -d daemonizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coopdev.h"

#define HEARTBEAT_NS 100000000L /* 100 ms */

static volatile sig_atomic_t got_hup;

static void on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

/* One line to the kernel log (and so the console), as "iopmd[pid]: ...". */
static void klog(int level, const char *fmt, ...)
{
	char msg[256];
	int n, fd;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "<%d>iopmd[%d]: ", level, (int)getpid());
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n - 1, fmt, ap);
	va_end(ap);
	strcat(msg, "\n"); /* without it the kernel holds the record as a continuation */
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, msg, strlen(msg)) < 0)
		fprintf(stderr, "%s", msg + 3);
	if (fd >= 0)
		close(fd);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: iopmd [-d]\n"
		   "  Map the shared zone (" COOPDEV_PATH "), set the IOPM state RUNNING and\n"
		   "  increment its heartbeat every 100 ms.\n"
		   "  -d  daemonize (fork, new session, stdio to /dev/null)\n");
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct coopdev dev;
	struct timespec next;
	char err[256];
	int opt, background = 0;
	uint64_t beat;

	while ((opt = getopt(argc, argv, "dh")) != -1) {
		switch (opt) {
		case 'd':
			background = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 64;
	}
	if (coopdev_open(&dev, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "iopmd: %s\n", err);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	if (background && daemonize() < 0) {
		fprintf(stderr, "iopmd: daemonize: %s\n", strerror(errno));
		return 1;
	}

	beat = __atomic_load_n(&dev.ctrl->heartbeat, __ATOMIC_RELAXED);
	__atomic_store_n(&dev.ctrl->state, COOP_IOPM_RUNNING, __ATOMIC_RELEASE);
	klog(6, "started: state RUNNING, heartbeat every 100 ms from %llu (zone 0x%llx, %llu KiB)",
	     (unsigned long long)beat, (unsigned long long)dev.hdr->zone_base,
	     (unsigned long long)dev.size / 1024);

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		next.tv_nsec += HEARTBEAT_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
			if (got_hup) {
				got_hup = 0;
				klog(6, "SIGHUP: carrying on (heartbeat %llu)", (unsigned long long)beat);
			}
		}
		__atomic_store_n(&dev.ctrl->heartbeat, ++beat, __ATOMIC_RELEASE);
	}
}
