/* SPDX-License-Identifier: GPL-2.0-only */
/* vmctl.c: the IOPM console's management tool, subcommands in the style of
 * xl/virsh (docs/iopm.md "vmctl"). `info`, `dmesg` and `channel` read the
 * shared zone through /dev/coopvmm (read-only); `ping`, `burst`, `mode`,
 * `list` and iopmd's counters go through iopmd's control socket
 * (iopm/iopmd_ctl.h: iopmd is the only producer of the IOPM ring), and so
 * do the guests' lifecycle commands (create, start, pause, unpause,
 * shutdown, destroy) and their counters (stats, host).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "coopdev.h"
#include "iopmd_ctl.h"
#include "vmctl.h"

/* Commands on one guest, served by iopmd (iopm/iopmd_ctl.h). */
static const char *const vm_cmds[] = {"console", "pause", "unpause",  "destroy",
				      "info",	 "start", "shutdown", "stats"};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmctl COMMAND [ARGS]\n"
		"  info              shared zone header, IOPM and VMM state, heartbeats, interrupt routes\n"
		"  info NAME|ID      one guest: id, name, state, vCPUs, memory, CPU time\n"
		"  dmesg [-f]        the VMM's log (its log ring in the shared zone); -f: follow\n"
		"  channel           both sides' channel counters and ring indices, and iopmd's\n"
		"  ping [-n N] [--poll|--ipi]\n"
		"                    N PINGs (default 10) to the VMM one at a time through iopmd:\n"
		"                    round trip in TSC cycles (median, p99, min, max), notifications\n"
		"  burst [-n N]      N PINGs back to back (default 100): notifications per message\n"
		"  mode poll|ipi     how iopmd and the VMM learn of messages: polling or IPIs\n"
		"  list              the guests: id, name, state, vCPUs, memory (MiB), CPU time (ms)\n"
		"  create [--paused] FILE.cfg\n"
		"                    create a guest from a config file (docs/vmctl.md) and start it;\n"
		"                    --paused: loaded but not started (then vmctl start)\n"
		"  start NAME|ID     start a guest made with create --paused\n"
		"  pause NAME|ID     stop running a guest's vCPUs (its state is kept)\n"
		"  unpause NAME|ID   run them again\n"
		"  shutdown NAME|ID  ask a guest to shut down (an ACPI power-button press)\n"
		"  destroy NAME|ID   stop a guest at once and free it\n"
		"  console NAME|ID   the guest's COM1. stdin a terminal: interactive -- what it wrote\n"
		"                    lately (4 KiB), then live; what you type goes to it; Ctrl-]\n"
		"                    detaches (exit 0; 1 if the guest ends meanwhile). Otherwise what\n"
		"                    it has written so far (the last 8 KiB), and exit\n"
		"  stats NAME|ID     a guest's counters: exits by reason, device requests, requests\n"
		"                    forwarded to the IOPM, interrupts injected, IPIs, CPU time\n"
		"  host              the VMM's resources: guest memory, heap, guests\n"
		"  virtio [notify|poll|adaptive]\n"
		"                    the guests' virtio devices and their counters; with a mode, how\n"
		"                    iopmd learns of their requests: the guest's notifications (an\n"
		"                    exit each), polling the queues (none), or polling while busy\n"
		"  --help            this text\n"
		"Exit codes: 0 done; 1 failed (no /dev/coopvmm, iopmd not running, no answer from the VMM,\n"
		"the VMM refused, no such guest); 2 the VMM does not serve the request; 3 impossible here\n"
		"(fake zone, no notification vector); 64 usage; 65 a bad config file or image; 66 a file\n"
		"that cannot be read.\n");
}

static const char *state_name(uint32_t s)
{
	switch (s) {
	case COOP_IOPM_OFF:
		return "OFF";
	case COOP_IOPM_MODULE:
		return "MODULE";
	case COOP_IOPM_RUNNING:
		return "RUNNING";
	case COOP_IOPM_HALTED:
		return "HALTED";
	case COOP_IOPM_PANICKED:
		return "PANICKED";
	default:
		return "?";
	}
}

static const char *reason_name(uint32_t r)
{
	switch (r) {
	case COOP_HALT_NONE:
		return "-";
	case COOP_HALT_REBOOT:
		return "reboot";
	case COOP_HALT_POWEROFF:
		return "poweroff";
	case COOP_HALT_HALT:
		return "halt";
	default:
		return "?";
	}
}

/* iopm.ko's fake=1 test mode: no VMM writes this zone. */
static int zone_is_fake(void)
{
	FILE *f = fopen("/sys/module/iopm/parameters/fake", "r");
	int c = f ? fgetc(f) : 'N';

	if (f)
		fclose(f);
	return c == 'Y' || c == '1';
}

static void print_apic_id(const char *name, uint32_t id)
{
	if (id == COOP_NO_APIC_ID)
		printf("%s none", name);
	else
		printf("%s %u", name, id);
}

/* The kernel rings' counts, and each ISA IRQ routed to this IOPM as the
 * VMM sees it (coop_vmm_ctrl.pins, published by the VMM). */
static void print_routes(const struct coopdev *d)
{
	const struct coop_vmm_ctrl *v = d->vmm;
	const struct coop_iopm_ctrl *c = d->ctrl;
	int irq, shown = 0;

	printf("kernel rings  iopm.ko sent %llu received %llu refused %llu; vmm sent %llu received %llu "
	       "refused %llu\n",
	       (unsigned long long)c->kmsgs_sent, (unsigned long long)c->kmsgs_received,
	       (unsigned long long)c->kmsgs_refused, (unsigned long long)v->kmsgs_sent,
	       (unsigned long long)v->kmsgs_received, (unsigned long long)v->kmsgs_refused);
	printf("routes        (the VMM's view)\n");
	for (irq = 0; irq < COOP_ROUTE_IRQS; irq++) {
		const struct coop_pin_view *p = &v->pins[irq];
		char flags[64];

		if (!p->vector)
			continue;
		if (!shown++)
			printf("  irq  vector  flags              forwarded  held  dropped  eois\n");
		snprintf(flags, sizeof(flags), "%s,%s%s",
			 (p->flags & COOP_ROUTE_VALID) ? "valid" : "released",
			 (p->flags & COOP_ROUTE_LEVEL) ? "level" : "edge",
			 (p->flags & COOP_ROUTE_MASKED) ? ",masked" : "");
		printf("  %-4d 0x%02x    %-18s %-10llu %-5llu %-8llu %llu\n", irq, p->vector, flags,
		       (unsigned long long)p->forwarded, (unsigned long long)p->held,
		       (unsigned long long)p->dropped, (unsigned long long)p->eois);
	}
	if (!shown)
		printf("  (none)\n");
}

static int cmd_info(void)
{
	struct coopdev d;
	const struct coop_shared_header *h;
	char err[256];

	if (coopdev_open(&d, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmctl: info: %s\n", err);
		return 1;
	}
	h = d.hdr;
	printf("shared zone\n");
	printf("  magic       0x%016llx (ok)\n", (unsigned long long)h->magic);
	printf("  version     %u (vmctl built for %u), header %u bytes\n", h->version, COOP_ABI_VERSION,
	       h->header_size);
	printf("  zone        base 0x%llx size 0x%llx (%llu KiB)%s\n", (unsigned long long)h->zone_base,
	       (unsigned long long)h->zone_size, (unsigned long long)h->zone_size / 1024,
	       zone_is_fake() ? "  [FAKE: iopm.ko fake=1, no VMM behind it]" : "");
	printf("  area        offset      size\n");
	printf("  header      0x%08x  0x%08x\n", COOP_HEADER_OFF, h->header_size);
	printf("  vmm ctrl    0x%08x  0x%08x\n", h->vmm_ctrl_off, h->vmm_ctrl_size);
	printf("  iopm ctrl   0x%08x  0x%08x\n", h->iopm_ctrl_off, h->iopm_ctrl_size);
	printf("  vmm ring    0x%08x  0x%08x\n", h->vmm_ring_off, h->ring_entries * h->msg_size);
	printf("  iopm ring   0x%08x  0x%08x\n", h->iopm_ring_off, h->ring_entries * h->msg_size);
	printf("  vmm slots   0x%08x  0x%08x\n", h->vmm_slot_off, h->slots * h->slot_size);
	printf("  iopm slots  0x%08x  0x%08x\n", h->iopm_slot_off, h->slots * h->slot_size);
	printf("  vmm kring   0x%08x  0x%08x\n", h->vmm_kring_off, h->kring_entries * h->msg_size);
	printf("  iopm kring  0x%08x  0x%08x\n", h->iopm_kring_off, h->kring_entries * h->msg_size);
	printf("  vmm log     0x%08x  0x%08x\n", h->log_off, h->log_size);
	printf("clocks        tsc %llu kHz, lapic ", (unsigned long long)h->tsc_khz);
	if (h->lapic_khz)
		printf("%llu kHz\n", (unsigned long long)h->lapic_khz);
	else
		printf("unknown\n");
	printf("apic ids      ");
	print_apic_id("vmm", h->vmm_apic_id);
	print_apic_id(", iopm", h->iopm_apic_id);
	printf(", iopm index %u\n", h->iopm_index);
	printf("vmm notify    vector 0x%02x\n", h->vmm_notify_vector);
	printf("console irq   %u\n", h->console_irq);
	printf("iopm          state %s (%u), heartbeat %llu, boot tsc %llu, reason %s, note \"%.*s\"\n",
	       state_name(d.ctrl->state), d.ctrl->state, (unsigned long long)d.ctrl->heartbeat,
	       (unsigned long long)d.ctrl->boot_tsc, reason_name(d.ctrl->reason), (int)sizeof(d.ctrl->note),
	       d.ctrl->note);
	printf("vmm           heartbeat %llu\n", (unsigned long long)d.vmm->heartbeat);
	print_routes(&d);
	coopdev_close(&d);
	return 0;
}

/* ---- the VMM log ---- */

static int cmd_dmesg(int follow)
{
	struct coopdev d;
	const volatile uint8_t *log;
	static uint8_t buf[COOP_LOG_SIZE];
	uint64_t pos = 0, lost;
	char err[256];
	uint32_t n;

	if (coopdev_open(&d, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmctl: dmesg: %s\n", err);
		return EXIT_FAIL;
	}
	log = (const volatile uint8_t *)d.base + d.hdr->log_off;
	for (;;) {
		n = coop_log_read(log, &d.vmm->log_head, &pos, buf, sizeof(buf), &lost);
		if (lost)
			fprintf(stderr,
				"vmctl: dmesg: %llu bytes of the VMM log were overwritten before they were "
				"read\n",
				(unsigned long long)lost);
		for (uint32_t i = 0; i < n; i++) /* the VMM's text, made printable */
			buf[i] = (buf[i] == '\n' || buf[i] == '\t' || (buf[i] >= ' ' && buf[i] <= '~'))
				     ? buf[i]
				     : '?';
		if (n)
			fwrite(buf, 1, n, stdout);
		if (!follow) {
			if (pos == 0)
				fprintf(stderr, "vmctl: dmesg: the VMM log is empty%s\n",
					zone_is_fake() ? " (fake zone: no VMM)" : "");
			break;
		}
		fflush(stdout);
		if (!n) {
			struct timespec t = {0, 200000000L};
			nanosleep(&t, NULL);
		}
	}
	coopdev_close(&d);
	return 0;
}

/* ---- iopmd's control socket ---- */

/* Send one request to iopmd; print its answer. Returns the exit code. */
static int iopmd_request(const char *cmd, const char *req, int quiet_missing)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	static char ans[IOPMD_CTL_MAX + 1];
	ssize_t n = -1;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	strncpy(a.sun_path, IOPMD_SOCK, sizeof(a.sun_path) - 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int missing = quiet_missing;

		if (!missing)
			fprintf(stderr, "vmctl: %s: cannot reach iopmd at %s: %s (is iopmd running?)\n", cmd,
				IOPMD_SOCK, strerror(errno));
		else
			printf("iopmd: not running (%s: %s)\n", IOPMD_SOCK, strerror(errno));
		if (fd >= 0)
			close(fd);
		return missing ? 0 : EXIT_FAIL; /* channel: the zone's counters were enough */
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0 || (n = recv(fd, ans, IOPMD_CTL_MAX, 0)) <= 0) {
		fprintf(stderr, "vmctl: %s: iopmd did not answer: %s\n", cmd,
			n == 0 ? "closed" : strerror(errno));
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	ans[n] = 0;
	if (!strncmp(ans, "ok\n", 3)) {
		fputs(ans + 3, stdout);
		return 0;
	}
	int code = EXIT_FAIL;
	char *nl = strchr(ans, '\n');
	if (!strncmp(ans, "err ", 4))
		code = atoi(ans + 4);
	fputs(nl ? nl + 1 : ans, stderr);
	return code ? code : EXIT_FAIL;
}

static void print_cons(const char *what, const volatile struct coop_ring_cons *c)
{
	printf("%s cons %u event %u flags 0x%x%s", what, c->cons, c->event, c->flags,
	       (c->flags & COOP_RING_POLLING) ? " (polling)" : "");
}

static int cmd_channel(void)
{
	struct coopdev d;
	const struct coop_vmm_ctrl *v;
	const struct coop_iopm_ctrl *c;
	char err[256];

	if (coopdev_open(&d, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmctl: channel: %s\n", err);
		return EXIT_FAIL;
	}
	v = d.vmm;
	c = d.ctrl;
	printf("vmm    msgs sent %llu received %llu refused %llu, notifies sent %llu received %llu\n",
	       (unsigned long long)v->msgs_sent, (unsigned long long)v->msgs_received,
	       (unsigned long long)v->msgs_refused, (unsigned long long)v->notifies_sent,
	       (unsigned long long)v->notifies_received);
	printf("       VMM ring prod %u; IOPM ring", v->tx.prod);
	print_cons("", &v->rx);
	printf("; vector 0x%02x at APIC ID ", d.hdr->vmm_notify_vector);
	if (d.hdr->vmm_apic_id == COOP_NO_APIC_ID)
		printf("none\n");
	else
		printf("%u\n", d.hdr->vmm_apic_id);
	printf("       log %llu bytes written, heartbeat %llu, epoch %u\n", (unsigned long long)v->log_head,
	       (unsigned long long)v->heartbeat, d.hdr->epoch);
	printf("iopm   msgs sent %llu received %llu refused %llu, notifies sent %llu received %llu\n",
	       (unsigned long long)c->msgs_sent, (unsigned long long)c->msgs_received,
	       (unsigned long long)c->msgs_refused, (unsigned long long)c->notifies_sent,
	       (unsigned long long)c->notifies_received);
	printf("       IOPM ring prod %u; VMM ring", c->tx.prod);
	print_cons("", &c->rx);
	printf("; vector 0x%02x%s\n", c->notify_vector, c->notify_vector ? "" : " (none: polls)");
	printf("       in flight: %u to the VMM, %u to the IOPM\n", c->tx.prod - v->rx.cons,
	       v->tx.prod - c->rx.cons);
	coopdev_close(&d);
	fflush(stdout);
	return iopmd_request("channel", "stats", 1);
}

static long parse_n(const char *cmd, const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*end || n < 1 || n > IOPMD_PING_MAX) {
		fprintf(stderr, "vmctl: %s: -n wants 1..%d, not '%s'\n", cmd, IOPMD_PING_MAX, s);
		return -1;
	}
	return n;
}

/* ping [-n N] [--poll|--ipi]; burst [-n N] */
static int cmd_ping(int argc, char **argv, int burst)
{
	const char *mode = "";
	long n = burst ? 100 : 10;
	char req[64];
	int i;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = parse_n(argv[1], argv[++i]);
			if (n < 0)
				return EXIT_USAGE;
		} else if (!burst && (!strcmp(argv[i], "--poll") || !strcmp(argv[i], "--ipi"))) {
			mode = argv[i][2] == 'p' ? " poll" : " ipi";
		} else {
			fprintf(stderr, "vmctl: %s: unknown argument '%s' (see vmctl --help)\n", argv[1],
				argv[i]);
			return EXIT_USAGE;
		}
	}
	snprintf(req, sizeof(req), "%s %ld%s", burst ? "burst" : "ping", n, mode);
	return iopmd_request(argv[1], req, 0);
}

/* create [--paused] FILE: iopmd reads the file, so it gets an absolute path. */
static int cmd_create(int argc, char **argv)
{
	char path[PATH_MAX], req[PATH_MAX + 32];
	int paused = argc == 4 && !strcmp(argv[2], "--paused");

	if (argc != 3 + paused || argv[argc - 1][0] == '-') {
		fprintf(stderr, "vmctl: create: usage: vmctl create [--paused] FILE.cfg\n");
		return EXIT_USAGE;
	}
	if (!realpath(argv[argc - 1], path)) {
		fprintf(stderr, "vmctl: create: %s: %s\n", argv[argc - 1], strerror(errno));
		return EXIT_NO_INPUT;
	}
	if (strpbrk(path, " \t\n") || strlen(path) > 900) {
		fprintf(stderr, "vmctl: create: %s: a path without spaces, at most 900 characters\n", path);
		return EXIT_USAGE;
	}
	snprintf(req, sizeof(req), "create %s%s", paused ? "--paused " : "", path);
	return iopmd_request("create", req, 0);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 2; i < (size_t)argc; i++) /* vmctl COMMAND --help: the same text */
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
	if (!strcmp(argv[1], "info") && argc == 2)
		return cmd_info();
	if (!strcmp(argv[1], "dmesg") && (argc == 2 || (argc == 3 && !strcmp(argv[2], "-f"))))
		return cmd_dmesg(argc == 3);
	if (!strcmp(argv[1], "channel") && argc == 2)
		return cmd_channel();
	if (!strcmp(argv[1], "ping") || !strcmp(argv[1], "burst"))
		return cmd_ping(argc, argv, argv[1][0] == 'b');
	if (!strcmp(argv[1], "mode") && argc == 3 && (!strcmp(argv[2], "poll") || !strcmp(argv[2], "ipi"))) {
		char req[32];

		snprintf(req, sizeof(req), "mode %s", argv[2]);
		return iopmd_request("mode", req, 0);
	}
	if (!strcmp(argv[1], "list") && argc == 2)
		return iopmd_request("list", "list", 0);
	if (!strcmp(argv[1], "host") && argc == 2)
		return iopmd_request("host", "host", 0);
	if (!strcmp(argv[1], "virtio") && (argc == 2 || argc == 3)) {
		char req[48];

		snprintf(req, sizeof(req), "virtio%s%.20s", argc == 3 ? " " : "", argc == 3 ? argv[2] : "");
		return iopmd_request("virtio", req, 0);
	}
	if (!strcmp(argv[1], "create"))
		return cmd_create(argc, argv);
	for (i = 0; i < sizeof(vm_cmds) / sizeof(vm_cmds[0]); i++) {
		if (strcmp(argv[1], vm_cmds[i]))
			continue;
		if (argc != 3 || !argv[2][0] || strlen(argv[2]) >= COOP_VM_NAME_MAX ||
		    strpbrk(argv[2], " \t\n")) {
			fprintf(stderr, "vmctl: %s: one guest name or id (up to %d characters, no spaces)\n",
				argv[1], COOP_VM_NAME_MAX - 1);
			return EXIT_USAGE;
		}
		if (!strcmp(argv[1], "console") && isatty(STDIN_FILENO))
			return cmd_console(argv[2]); /* interactive: vmctl_console.c */
		char req[32 + COOP_VM_NAME_MAX];

		snprintf(req, sizeof(req), "%s %s", argv[1], argv[2]);
		return iopmd_request(argv[1], req, 0);
	}
	if (!strcmp(argv[1], "dmesg") || !strcmp(argv[1], "channel") || !strcmp(argv[1], "mode") ||
	    !strcmp(argv[1], "list") || !strcmp(argv[1], "info") || !strcmp(argv[1], "host") ||
	    !strcmp(argv[1], "virtio")) {
		usage(stderr);
		return EXIT_USAGE;
	}
	fprintf(stderr, "vmctl: unknown command '%s' (see vmctl --help)\n", argv[1]);
	return EXIT_USAGE;
}
