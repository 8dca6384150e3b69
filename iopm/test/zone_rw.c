/* SPDX-License-Identifier: GPL-2.0-only */
/* zone_rw.c: checks /dev/coopvmm's mmap rules from inside the IOPM (run by
 * iopm/test-qemu.sh, packed into a test-only initramfs): IOPM areas writable,
 * VMM-written pages and iopm.ko's kernel ring SIGBUS on write, read-only
 * opens refuse PROT_WRITE, private and oversized mappings refused. Prints
 * PASS/FAIL lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coopdev.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("zone_rw: %s: %s\n", ok ? "PASS" : "FAIL", what);
	failures += !ok;
}

/* Write one byte at `p` in a child; return the signal that killed it (0 if none). */
static int write_signal(volatile char *p)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		*p = 0x5a;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

int main(void)
{
	struct coopdev d;
	char err[256];
	char *base;
	void *p;
	int fd;

	if (coopdev_open(&d, 1, err, sizeof(err)) < 0) {
		printf("zone_rw: FAIL: open: %s\n", err);
		return 1;
	}
	base = d.base;
	check(write_signal((volatile char *)d.ctrl->note + 63) == 0, "write to the iopm ctrl area succeeds");
	check(write_signal(base + d.hdr->iopm_ring_off) == 0, "write to the iopm ring succeeds");
	check(write_signal(base + d.hdr->iopm_slot_off) == 0, "write to the iopm slot halves succeeds");
	check(write_signal(base + 8) == SIGBUS, "write to the header page -> SIGBUS");
	check(write_signal(base + d.hdr->vmm_ctrl_off) == SIGBUS, "write to the vmm ctrl area -> SIGBUS");
	check(write_signal(base + d.hdr->vmm_ring_off) == SIGBUS, "write to the vmm ring -> SIGBUS");
	check(write_signal(base + d.hdr->vmm_slot_off) == SIGBUS, "write to the vmm slot halves -> SIGBUS");
	check(write_signal(base + d.hdr->log_off) == SIGBUS, "write to the vmm log -> SIGBUS");
	check(write_signal(base + d.hdr->vmm_kring_off) == SIGBUS, "write to the vmm kernel ring -> SIGBUS");
	check(write_signal(base + d.hdr->iopm_kring_off) == SIGBUS,
	      "write to iopm.ko's kernel ring -> SIGBUS (iopm.ko is its only producer)");
	check(mprotect(base, d.size, PROT_READ) == 0 && mprotect(base, d.size, PROT_READ | PROT_WRITE) == 0 &&
		  write_signal(base + d.hdr->vmm_ctrl_off) == SIGBUS &&
		  write_signal(base + d.hdr->iopm_ctrl_off + 300) == 0,
	      "after mprotect RO->RW: vmm ctrl still SIGBUS, iopm ctrl still writable");
	check(((volatile struct coop_shared_header *)d.hdr)->magic == COOP_SHARED_MAGIC,
	      "header unchanged after the refused writes");

	fd = open(COOPDEV_PATH, O_RDONLY);
	p = mmap(NULL, COOP_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(p == MAP_FAILED && errno == EACCES, "O_RDONLY open: PROT_WRITE mapping refused (EACCES)");
	p = mmap(NULL, COOP_PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "MAP_PRIVATE refused (EINVAL)");
	p = mmap(NULL, d.size + COOP_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	check(p == MAP_FAILED && errno == EINVAL, "mapping past the zone refused (EINVAL)");
	p = mmap(NULL, COOP_PAGE, PROT_READ, MAP_SHARED, fd, d.hdr->iopm_ctrl_off);
	check(p != MAP_FAILED && ((struct coop_iopm_ctrl *)p)->heartbeat == d.ctrl->heartbeat,
	      "mapping at an offset shows the same iopm ctrl");
	close(fd);
	coopdev_close(&d);
	printf("zone_rw: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
