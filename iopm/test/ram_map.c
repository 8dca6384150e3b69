/* SPDX-License-Identifier: GPL-2.0-only */
/* ram_map.c: map a guest's RAM window of /dev/coopvmm (iopm/coopvmm_ioctl.h
 * COOPVMM_MMAP_VM) as iopmd's device models will, for iopm/test/qemu_iopm.py.
 *
 *   ram_map VM GPA LEN [--wait FILE]
 *
 * Maps LEN bytes of VM's guest-physical GPA, prints "ram_map: mapped" and the
 * first 8 bytes as text, or "ram_map: mmap: <error>" (exit 1). With --wait:
 * then waits until FILE exists and reads the page again, printing
 * "ram_map: read again: <text>" or "ram_map: SIGBUS on read" (the mapping was
 * revoked: exit 2).
 *
 *   ram_map --forge INDEX VM HPA
 *
 * Plays a lying iopmd: COOPVMM_IOC_RAM naming VMM ring entry INDEX as an
 * announcement of VM's 1 MiB at HPA; prints "ram_map: forge: refused: <error>"
 * (exit 0) or "ram_map: forge: ACCEPTED" (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "coopvmm_ioctl.h"

static sigjmp_buf jb;

static void on_bus(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

static void show(const char *what, const volatile char *p)
{
	char t[9];
	int i;

	for (i = 0; i < 8; i++)
		t[i] = (p[i] >= ' ' && p[i] <= '~') ? p[i] : '.';
	t[8] = 0;
	printf("ram_map: %s: %s\n", what, t);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned long long vm, gpa, len;
	const char *volatile wait = NULL;
	struct sigaction sa;
	volatile char *p;
	int fd;

	if (argc == 5 && !strcmp(argv[1], "--forge")) {
		struct coopvmm_ram r = {.ring_index = (uint32_t)strtoul(argv[2], NULL, 0),
					.vm = (uint32_t)strtoul(argv[3], NULL, 0),
					.op = 0,
					.hpa = strtoull(argv[4], NULL, 0),
					.size = 0x100000};

		fd = open("/dev/coopvmm", O_RDWR);
		if (fd >= 0 && ioctl(fd, COOPVMM_IOC_RAM, &r) < 0) {
			printf("ram_map: forge: refused: %s\n", strerror(errno));
			return 0;
		}
		printf("ram_map: forge: %s\n", fd < 0 ? strerror(errno) : "ACCEPTED");
		return 1;
	}
	if ((argc != 4 && argc != 6) || (argc == 6 && strcmp(argv[4], "--wait"))) {
		fprintf(stderr, "usage: ram_map VM GPA LEN [--wait FILE] | ram_map --forge INDEX VM HPA\n");
		return 64;
	}
	vm = strtoull(argv[1], NULL, 0);
	gpa = strtoull(argv[2], NULL, 0);
	len = strtoull(argv[3], NULL, 0);
	if (argc == 6)
		wait = argv[5];
	fd = open("/dev/coopvmm", O_RDWR);
	if (fd < 0) {
		printf("ram_map: /dev/coopvmm: %s\n", strerror(errno));
		return 1;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(COOPVMM_MMAP_VM(vm) + gpa));
	if (p == MAP_FAILED) {
		printf("ram_map: mmap: %s\n", strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_bus;
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(jb, 1)) {
		printf("ram_map: SIGBUS on read\n");
		return 2;
	}
	show("mapped", p);
	if (len > 4096)
		show("last page", p + len - 4096);
	if (!wait)
		return 0;
	while (access(wait, F_OK)) {
		struct timespec t = {0, 50000000L};
		nanosleep(&t, NULL);
	}
	show("read again", p);
	return 0;
}
