/* SPDX-License-Identifier: GPL-2.0-only */
/* tap_probe.c: the IOPM's network path without a guest, for the system
 * tests (tests/system/_iopm.py net_checks): opens tap interface NAME with
 * iopmd's own code (iopm/iopmd_tap.c), attaches it to br0 and plays a
 * guest behind it:
 *
 *   tap_probe NAME     prints one line per step, then "tap_probe: ok" and
 *                      exits 0, or "tap_probe: FAIL: reason" and exits 1
 *
 * 1. tap_open(NAME), tap_attach(NAME, br0);
 * 2. a UDP datagram from the IOPM to 10.0.2.2 port 9 (a socket of its
 *    own): the kernel asks br0 for 10.0.2.2's address, the bridge floods
 *    the ARP request to the tap, tap_read() must see it (who-has 10.0.2.2
 *    tell 10.0.2.1);
 * 3. tap_write() answers it with the made-up address 52:54:00:c0:0b:02;
 * 4. tap_read() must then see the datagram, sent to that address: the
 *    kernel took the written frame.
 * Frames that are none of these (IPv6 neighbour discovery, say) are
 * skipped. Every wait is a poll() for the next frame, 20 s at most. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/if_ether.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "iopmd_tap.h"

static const uint8_t fake_mac[ETH_ALEN] = {0x52, 0x54, 0x00, 0xc0, 0x0b, 0x02};
static const char payload[] = "coopvmm tap probe";

static int fail(const char *why)
{
	printf("tap_probe: FAIL: %s\n", why);
	return 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The next frame, waiting until `deadline`: its length, or -1. */
static int next_frame(int fd, uint8_t *buf, size_t max, double deadline)
{
	for (;;) {
		double left = deadline - now();
		if (left <= 0)
			return -1;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			return -1;
		int n = tap_read(fd, buf, max);
		if (n > 0)
			return n;
		if (n < 0 && n != -EMSGSIZE)
			return -1;
	}
}

static uint16_t ethertype(const uint8_t *f)
{
	struct ether_header eh;
	memcpy(&eh, f, sizeof(eh));
	return ntohs(eh.ether_type);
}

int main(int argc, char **argv)
{
	char err[256];
	uint8_t f[2048];
	struct in_addr self, peer;

	if (argc != 2) {
		fprintf(stderr, "usage: tap_probe NAME\n");
		return 64;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	inet_pton(AF_INET, "10.0.2.1", &self);
	inet_pton(AF_INET, "10.0.2.2", &peer);
	int fd = tap_open(argv[1], err, sizeof(err));
	if (fd < 0)
		return fail(err);
	printf("tap_probe: tap_open %s: fd %d\n", argv[1], fd);
	if (tap_attach(argv[1], TAP_BRIDGE, err, sizeof(err)))
		return fail(err);
	printf("tap_probe: tap_attach %s to %s\n", argv[1], TAP_BRIDGE);

	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr = peer};
	if (s < 0 || sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return fail("cannot send the UDP datagram to 10.0.2.2");

	double deadline = now() + 20;
	struct ether_header eh;
	struct ether_arp req;
	for (;;) {
		int n = next_frame(fd, f, sizeof(f), deadline);
		if (n < 0)
			return fail("no ARP request for 10.0.2.2 on the tap");
		if (n < (int)(sizeof(eh) + sizeof(req)) || ethertype(f) != ETHERTYPE_ARP)
			continue;
		memcpy(&eh, f, sizeof(eh));
		memcpy(&req, f + sizeof(eh), sizeof(req));
		if (ntohs(req.arp_op) == ARPOP_REQUEST && !memcmp(req.arp_tpa, &peer, 4) &&
		    !memcmp(req.arp_spa, &self, 4))
			break;
	}
	printf("tap_probe: read ARP who-has 10.0.2.2 tell 10.0.2.1 from %02x:%02x:%02x:%02x:%02x:%02x\n",
	       req.arp_sha[0], req.arp_sha[1], req.arp_sha[2], req.arp_sha[3], req.arp_sha[4],
	       req.arp_sha[5]);

	/* The reply: to the asker, from the made-up guest. */
	struct ether_arp rep = req;
	rep.arp_op = htons(ARPOP_REPLY);
	memcpy(rep.arp_tha, req.arp_sha, ETH_ALEN);
	memcpy(rep.arp_tpa, req.arp_spa, 4);
	memcpy(rep.arp_sha, fake_mac, ETH_ALEN);
	memcpy(rep.arp_spa, &peer, 4);
	memcpy(eh.ether_dhost, req.arp_sha, ETH_ALEN);
	memcpy(eh.ether_shost, fake_mac, ETH_ALEN);
	eh.ether_type = htons(ETHERTYPE_ARP);
	memset(f, 0, 60); /* padded to Ethernet's minimum */
	memcpy(f, &eh, sizeof(eh));
	memcpy(f + sizeof(eh), &rep, sizeof(rep));
	int r = tap_write(fd, f, 60);
	if (r) {
		snprintf(err, sizeof(err), "tap_write of the ARP reply: %s", strerror(-r));
		return fail(err);
	}
	printf("tap_probe: wrote ARP 10.0.2.2 is-at 52:54:00:c0:0b:02\n");

	for (;;) {
		int n = next_frame(fd, f, sizeof(f), deadline);
		if (n < 0)
			return fail("no UDP datagram for 52:54:00:c0:0b:02 on the tap");
		struct iphdr ip;
		struct udphdr udp;
		if (n < (int)(sizeof(eh) + sizeof(ip)) || ethertype(f) != ETHERTYPE_IP)
			continue;
		memcpy(&ip, f + sizeof(eh), sizeof(ip));
		size_t at = sizeof(eh) + 4u * ip.ihl;
		if (ip.protocol != IPPROTO_UDP || ip.daddr != peer.s_addr ||
		    (size_t)n < at + sizeof(udp) + sizeof(payload))
			continue;
		memcpy(&udp, f + at, sizeof(udp));
		if (ntohs(udp.dest) != 9 || memcmp(f + at + sizeof(udp), payload, sizeof(payload)))
			continue;
		if (memcmp(f, fake_mac, ETH_ALEN))
			return fail("the UDP datagram went to another address");
		break;
	}
	printf("tap_probe: read the UDP datagram for 10.0.2.2:9 at 52:54:00:c0:0b:02\n");
	printf("tap_probe: ok\n");
	close(s);
	close(fd);
	return 0;
}
