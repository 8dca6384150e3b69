/* SPDX-License-Identifier: GPL-2.0-only */
/* vmctl.c: the IOPM console's management tool, subcommands in the style of
 * xl/virsh (docs/iopm.md "iopmd and vmctl"). `info` reads the shared zone through
 * /dev/coopvmm; the guest commands need the VMM <-> IOPM request channel
 * (next issue) and say so instead of pretending.
 */
#include <stdio.h>
#include <string.h>

#include "coopdev.h"

#define EXIT_USAGE	64
#define EXIT_NO_CHANNEL 2

static const char *const channel_cmds[] = {"list", "create", "start", "stop", "destroy", "console", "stats"};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmctl COMMAND [ARGS]\n"
		"  info              shared zone header, IOPM and VMM state, heartbeats, interrupt routes\n"
		"  list              list guests\n"
		"  create FILE       create a guest from a description\n"
		"  start NAME        start a guest\n"
		"  stop NAME         ask a guest to shut down\n"
		"  destroy NAME      stop a guest at once\n"
		"  console NAME      attach to a guest's console\n"
		"  stats [NAME]      I/O and exit statistics\n"
		"  --help            this text\n"
		"Only `info` works in this build: the others need the VMM <-> IOPM request channel.\n");
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

static const char *route_status_name(uint32_t s)
{
	switch (s) {
	case COOP_ROUTE_NONE:
		return "NONE";
	case COOP_ROUTE_ACTIVE:
		return "ACTIVE";
	case COOP_ROUTE_REFUSED_OWNED:
		return "REFUSED_OWNED";
	case COOP_ROUTE_REFUSED_BAD:
		return "REFUSED_BAD";
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

static void print_routes(const struct coopdev *d)
{
	const struct coop_iopm_ctrl *c = d->ctrl;
	int i, shown = 0;

	printf("routes        seq %u, vmm acked seq %u\n", c->route_seq, d->vmm->route_ack_seq);
	for (i = 0; i < COOP_MAX_ROUTES; i++) {
		const struct coop_route *r = &c->route[i];
		char flags[64];

		if (!r->flags && !r->irq && !r->vector)
			continue;
		if (!shown++)
			printf("  #   irq  vector  flags                 eoi  status         forwarded\n");
		snprintf(flags, sizeof(flags), "%s,%s%s",
			 (r->flags & COOP_ROUTE_VALID) ? "valid" : "withdrawn",
			 (r->flags & COOP_ROUTE_LEVEL) ? "level" : "edge",
			 (r->flags & COOP_ROUTE_MASKED) ? ",masked" : "");
		printf("  %-3d %-4u 0x%02x    %-21s %-4u %-14s %llu\n", i, r->irq, r->vector, flags,
		       r->eoi_count, route_status_name(d->vmm->route_status[i]),
		       (unsigned long long)d->vmm->irqs_forwarded[i]);
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
	if (!strcmp(argv[1], "info"))
		return argc == 2 ? cmd_info() : (usage(stderr), EXIT_USAGE);
	for (i = 0; i < sizeof(channel_cmds) / sizeof(channel_cmds[0]); i++) {
		if (!strcmp(argv[1], channel_cmds[i])) {
			fprintf(stderr,
				"vmctl: %s: needs the VMM <-> IOPM request channel, which this build does "
				"not have yet\n",
				argv[1]);
			return EXIT_NO_CHANNEL;
		}
	}
	fprintf(stderr, "vmctl: unknown command '%s' (see vmctl --help)\n", argv[1]);
	return EXIT_USAGE;
}
