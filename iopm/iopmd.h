/* SPDX-License-Identifier: GPL-2.0-only */
/* iopmd.h: what the two halves of iopmd share -- the daemon's state, the
 * channel operations of iopmd.c (sending, the receive pump, timers, the
 * wait for the VMM), the control socket of iopmd_ctl.c (vmctl's
 * requests, iopm/iopmd_ctl.h) and the attached consoles of
 * iopmd_console.c. */
#ifndef IOPMD_H
#define IOPMD_H

#include <stdint.h>

#include "coopdev.h"
#include "iopmd_ctl.h"
#include "iopmd_io.h"

#define HEARTBEAT_NS	 100000000ULL  /* the heartbeat word: 100 ms */
#define HEARTBEAT_MSG_NS 1000000000ULL /* the HEARTBEAT message: 1 s */
#define HELLO_WAIT_NS	 5000000000ULL /* "no HELLO_REPLY" after 5 s */
#define PONG_WAIT_NS	 5000000000ULL /* one PING's PONG */
#define FULL_WAIT_NS	 1000000000ULL /* a full IOPM ring: give up on a message after 1 s */
#define LOG_FIRST	 20	       /* rate limit: the first 20 lines of a kind, then 1 in 1000 */
#define NS		 1000000000ULL

enum hello_state { HELLO_NONE, HELLO_SENT, HELLO_ACCEPTED, HELLO_REFUSED };

struct iopmd {
	struct coopdev dev;
	struct coop_ring_tx tx;
	struct coop_ring_rx rx;
	int polling; /* our rx: COOP_RING_POLLING */
	int vector;  /* iopm.ko's notify vector, 0: none (then we poll) */
	int fake;    /* iopm.ko fake=1 without fake_vmm=1: no VMM answers */
	int rx_dead; /* the VMM ring's index was impossible: no longer read */
	int tx_dead; /* the VMM's cons of our ring was impossible */
	uint64_t sent, received, refused, notifies_sent, notify_failed, wakeups, dropped;
	uint64_t unserved[COOP_MSG_TYPES];
	/* guest I/O (iopmd_io.c) */
	uint64_t io_served, io_refused, io_repeated, io_malformed, io_posted;
	int virtio_busy; /* virtio requests left after a pass, or a queue polled (io_virtio_work) */
	int virtio_mode; /* enum iopmd_virtio_mode (iopmd_virtio.h) */
	uint32_t next_id;
	enum hello_state hello;
	uint32_t hello_id, epoch;
	uint64_t hello_ns;
	int hello_warned;
	/* PING/PONG */
	uint64_t ping_seq;		 /* last seq sent */
	uint64_t want_seq, got_tsc;	 /* ping: the outstanding seq, its PONG's arrival */
	int got;			 /* ping: that PONG came */
	uint64_t burst_first, burst_got; /* burst: seqs >= burst_first answered */
	uint64_t pongs, pongs_stray, pings_answered;
	/* VM_REQUEST LIST */
	uint32_t vm_id;
	int vm_wait, vm_status;
	uint32_t names_id; /* an outstanding VM_LIST of ask_names(), else 0 */
	/* the VMs the last VM_LIST named (vmctl NAME -> id) */
	struct {
		uint32_t id;
		char name[COOP_VM_NAME_MAX];
	} listed[32];
	unsigned nlisted;
	char vm_out[IOPMD_CTL_MAX - 64];
	size_t vm_len;
	struct coop_msg_vm vm_last; /* the last VM_REPLY (not STATS/HOST) */
	uint32_t vm_last_vm;	    /* its coop_msg.vm: CREATE's new VM */
	/* STATS / HOST: the counters, and how many came in order */
	uint64_t stats[(unsigned)COOP_STATS + (unsigned)COOP_HOST_STATS]; /* room for either */
	uint32_t nstats;
	/* logging */
	uint64_t logged_errors, logged_refusals;
	/* timers (CLOCK_MONOTONIC ns) */
	uint64_t next_beat, next_hbmsg, beat, hbcount;
	int listen_fd;
	uint64_t next_fds_ns; /* polling mode: when to look at the descriptors again */
	uint64_t spin_ns;     /* IPI mode: spin this long on the ring before sleeping (--spin-us) */
	uint64_t last_msg_ns, spun_since_ns; /* the last message taken; the last spin that found none */
};

/* iopmd.c: the channel */
uint64_t now_ns(void);
void klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int send_msg(struct iopmd *d, struct coop_msg *m);
int send_type(struct iopmd *d, uint16_t type, const void *payload, uint16_t len);
void set_mode(struct iopmd *d, int polling);
const char *mode_name(int polling);
const char *vm_state_name(uint32_t state); /* enum coop_vm_state */
/* Learn the names of the guests with devices here (a VM_LIST). */
void ask_names(struct iopmd *d);
/* Take and handle what the VMM ring holds; messages taken. */
int pump(struct iopmd *d);
/* Run the channel until cond(d) holds (1) or `ns` passed (0). */
int run_until(struct iopmd *d, int (*cond)(struct iopmd *), uint64_t ns);

/* iopmd_ctl.c: the control socket */
int ctl_listen(void);
void serve_client(struct iopmd *d);

/* iopmd_console.c: interactive consoles (vmctl console on a terminal) */
#define IOPMD_CONSOLE_CLIENTS 8 /* attached at once */
struct pollfd;
/* A "console-attach" request on the accepted connection `fd`: answered,
 * and fd kept (or closed) by the console (1); 0 for any other request. */
int console_attach(struct iopmd *d, int fd, const char *req);
/* The attached clients' descriptors for poll(); how many (at most max). */
unsigned console_pollfds(struct pollfd *p, unsigned max);
/* After poll(): their input to the guests, hang-ups, room to send again. */
void console_events(struct iopmd *d, const struct pollfd *p, unsigned n);
/* Push what the guests wrote since to their clients; tell those whose guest ended. */
void console_flush(struct iopmd *d);

#endif
