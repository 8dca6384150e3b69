/* SPDX-License-Identifier: GPL-2.0-only */
/* test_channel.c: the VMM's end of the channel (vmm/iopm/channel.c) over a
 * part in host memory, driven by a fake IOPM (chan_util.h): HELLO and its
 * refusals, PING/PONG, SET_MODE, VM_REQUEST, every validation failure
 * (an ERROR reply with the reason, the id, msgs_refused counted), corrupt
 * ring indices, and the VMM's half of the request slots. */
#include "chan_util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

TEST(channel, hello_accepted_replies_epoch_and_takes_the_vector)
{
	struct cw *w = cw_new();
	cw_ictrl(w)->notify_vector = 0x61;
	struct coop_msg_hello h = {COOP_ABI_VERSION, 0, COOP_FEAT_POSTED | (1U << 5), 99};
	CW_SEND(w, COOP_MSG_HELLO, 42, 0, 0, &h);
	struct coop_msg r = cw_recv(w);
	EXPECT_EQ(r.type, COOP_MSG_HELLO_REPLY);
	EXPECT_EQ(r.id, 42);
	EXPECT_EQ(r.len, sizeof(h));
	struct coop_msg_hello rh;
	memcpy(&rh, r.payload, sizeof(rh));
	EXPECT_EQ(rh.abi_version, COOP_ABI_VERSION);
	EXPECT_EQ(rh.epoch, 7);
	EXPECT_EQ(rh.features, COOP_FEAT_POSTED); /* both do IO_POSTED; bit 5 is nobody's */
	/* The IOPM was armed (event 1): the reply is notified on its vector. */
	EXPECT_EQ(w->notifies, 1);
	EXPECT_EQ(w->last_vector, 0x61);
	/* The vector was read once: changing it later changes nothing. */
	cw_ictrl(w)->notify_vector = 0x90;
	EXPECT_EQ(coop_ring_arm(&w->irx), false);
	struct coop_msg_ping p = {5, 6};
	CW_SEND(w, COOP_MSG_PING, 2, 0, 0, &p);
	EXPECT_EQ(w->notifies, 2);
	EXPECT_EQ(w->last_vector, 0x61);
	EXPECT_EQ(cw_vctrl(w)->msgs_received, 2);
	EXPECT_EQ(cw_vctrl(w)->msgs_sent, 2);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 0);
	EXPECT_EQ(cw_vctrl(w)->notifies_sent, 2);
	cw_free(w);
}

TEST(channel, a_draining_iopm_gets_no_ipi)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61); /* notified once: the IOPM was armed */
	EXPECT_EQ(w->notifies, 1);
	/* The IOPM does not re-arm (it is draining): no more IPIs. */
	for (uint64_t i = 0; i < 10; i++) {
		struct coop_msg_ping p = {i, 0};
		CW_SEND(w, COOP_MSG_PING, 10 + (uint32_t)i, 0, 0, &p);
	}
	EXPECT_EQ(w->notifies, 1);
	for (int i = 0; i < 10; i++)
		EXPECT_EQ(cw_recv(w).type, COOP_MSG_PONG);
	EXPECT_FALSE(coop_ring_arm(&w->irx));
	struct coop_msg_ping p = {0, 0};
	CW_SEND(w, COOP_MSG_PING, 30, 0, 0, &p);
	EXPECT_EQ(w->notifies, 2);
	cw_free(w);
}

TEST(channel, bad_notify_vectors_mean_no_ipis)
{
	static const uint32_t bad[] = {0, 0x10, 0x1f, 0xf0, 0xff, 0x100, 0xffffffff};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		test_context("vector 0x%x", bad[i]);
		struct cw *w = cw_new();
		cw_hello(w, bad[i]);
		EXPECT_EQ(w->c.notify_vec, 0);
		EXPECT_EQ(w->notifies, 0);
		cw_free(w);
	}
	static const uint32_t good[] = {0x20, 0xef};
	for (unsigned i = 0; i < ARRAY_SIZE(good); i++) {
		struct cw *w = cw_new();
		cw_hello(w, good[i]);
		EXPECT_EQ(w->notifies, 1);
		EXPECT_EQ(w->last_vector, good[i]);
		cw_free(w);
	}
}

TEST(channel, hello_version_mismatch_refused)
{
	struct cw *w = cw_new();
	struct coop_msg_hello h = {COOP_ABI_VERSION + 1, 0, 0, 1};
	CW_SEND(w, COOP_MSG_HELLO, 5, 0, 0, &h);
	struct coop_msg_error e = cw_expect_error(w, COOP_MSG_HELLO, 5, COOP_ERR_VERSION);
	EXPECT_EQ(e.code, -COOP_EPROTONOSUPPORT);
	char want[64];
	snprintf(want, sizeof(want), "ABI version %u, the VMM speaks %u", COOP_ABI_VERSION + 1,
		 COOP_ABI_VERSION);
	EXPECT_STREQ(e.text, want);
	char log[96];
	snprintf(log, sizeof(log), "[iopm] iopm0: HELLO refused: %s", want);
	EXPECT_STREQ(fenv_last_log(), log);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 1);
	EXPECT_FALSE(w->c.hello);
	/* Still not attached: a heartbeat is refused for its state. */
	struct coop_msg_heartbeat b = {1};
	CW_SEND(w, COOP_MSG_HEARTBEAT, 6, 0, 0, &b);
	cw_expect_error(w, COOP_MSG_HEARTBEAT, 6, COOP_ERR_STATE);
	/* A good HELLO afterwards attaches; a bad one after that detaches. */
	cw_hello(w, 0);
	EXPECT_TRUE(w->c.hello);
	h.abi_version = 1;
	CW_SEND(w, COOP_MSG_HELLO, 8, 0, 0, &h);
	cw_expect_error(w, COOP_MSG_HELLO, 8, COOP_ERR_VERSION);
	EXPECT_FALSE(w->c.hello);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 3);
	cw_free(w);
}

TEST(channel, messages_before_hello_refused_but_ping)
{
	struct cw *w = cw_new();
	struct coop_msg_ping p = {0x1122334455667788ULL, 0x99};
	CW_SEND(w, COOP_MSG_PING, 3, 0, 0, &p);
	struct coop_msg r = cw_recv(w);
	EXPECT_EQ(r.type, COOP_MSG_PONG);
	EXPECT_EQ(r.id, 3);
	EXPECT_MEMEQ(r.payload, &p, sizeof(p));
	struct coop_msg_mode mo = {COOP_MODE_POLL, 0};
	CW_SEND(w, COOP_MSG_SET_MODE, 4, 0, 0, &mo);
	cw_expect_error(w, COOP_MSG_SET_MODE, 4, COOP_ERR_STATE);
	EXPECT_FALSE(w->c.polling);
	struct coop_msg_vm q = {0};
	CW_SEND(w, COOP_MSG_VM_REQUEST, 5, 0, 0, &q);
	cw_expect_error(w, COOP_MSG_VM_REQUEST, 5, COOP_ERR_STATE);
	CW_SEND(w, COOP_MSG_PONG, 6, 0, 0, &p);
	cw_expect_error(w, COOP_MSG_PONG, 6, COOP_ERR_STATE);
	cw_expect_empty(w);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 3);
	EXPECT_EQ(cw_vctrl(w)->msgs_received, 4);
	cw_free(w);
}

TEST(channel, ping_pong_echoes_payload_and_counts)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	for (uint32_t i = 0; i < 1000; i++) {
		struct coop_msg_ping p = {i * 3ULL, ~(uint64_t)i};
		CW_SEND(w, COOP_MSG_PING, 100 + i, 0, 0, &p);
		struct coop_msg r = cw_recv(w);
		EXPECT_EQ(r.type, COOP_MSG_PONG);
		EXPECT_EQ(r.id, 100 + i);
		EXPECT_EQ(r.len, sizeof(p));
		EXPECT_MEMEQ(r.payload, &p, sizeof(p));
	}
	struct coop_msg_heartbeat b = {77};
	CW_SEND(w, COOP_MSG_HEARTBEAT, 0, 0, 0, &b);
	EXPECT_EQ(w->c.heartbeat, 77);
	EXPECT_EQ(cw_vctrl(w)->msgs_received, 1002);
	EXPECT_EQ(cw_vctrl(w)->msgs_sent, 1001);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 0);
	cw_free(w);
}

TEST(channel, set_mode_switches_polling)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	EXPECT_EQ(cw_vctrl(w)->rx.flags, 0);
	EXPECT_EQ(cw_vctrl(w)->rx.event, cw_vctrl(w)->rx.cons + 1); /* armed after the drain */
	struct coop_msg_mode mo = {COOP_MODE_POLL, 0};
	CW_SEND(w, COOP_MSG_SET_MODE, 9, 0, 0, &mo);
	cw_expect_empty(w); /* no reply */
	EXPECT_TRUE(w->c.polling);
	EXPECT_EQ(cw_vctrl(w)->rx.flags, COOP_RING_POLLING);
	EXPECT_TRUE(chan_poll(&w->c, w->now)); /* polling: run me on every pass */
	/* The IOPM's pushes now never ask for an IPI. */
	struct coop_msg m;
	memset(&m, 0, sizeof(m));
	m.type = COOP_MSG_HEARTBEAT;
	m.len = sizeof(struct coop_msg_heartbeat);
	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(coop_ring_put(&w->itx, &m), 0);
		EXPECT_FALSE(coop_ring_push(&w->itx));
	}
	cw_poll(w);
	EXPECT_EQ(w->c.n.heartbeats, 5);
	mo.vmm_mode = COOP_MODE_IPI;
	CW_SEND(w, COOP_MSG_SET_MODE, 10, 0, 0, &mo);
	EXPECT_FALSE(w->c.polling);
	EXPECT_EQ(cw_vctrl(w)->rx.flags, 0);
	EXPECT_FALSE(chan_poll(&w->c, w->now));
	EXPECT_EQ(coop_ring_put(&w->itx, &m), 0);
	EXPECT_TRUE(coop_ring_push(&w->itx)); /* the VMM re-armed: this one is notified */
	cw_free(w);
}

/* Each row: a message that must be refused, and why. */
struct bad_row {
	const char *what;
	uint16_t type, len, flags, vcpu;
	uint32_t vm;
	uint8_t payload[COOP_MSG_PAYLOAD];
	uint16_t reason;
	int32_t code;
};

#define PL(...) ((const uint8_t *)(const uint32_t[COOP_MSG_PAYLOAD / 4]){__VA_ARGS__})

static void check_bad(const char *what, uint16_t type, uint16_t len, uint32_t vm, uint16_t vcpu,
		      uint16_t flags, const void *payload, size_t plen, uint16_t reason, int32_t code)
{
	test_context("%s", what);
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	w->c.n.msgs_refused = 0;
	uint64_t refused = cw_vctrl(w)->msgs_refused;
	cw_put(w, type, len, 0xabc0 + type, vm, vcpu, flags, payload, plen);
	cw_poll(w);
	struct coop_msg_error e = cw_expect_error(w, type, 0xabc0 + type, reason);
	if (code)
		EXPECT_EQ(e.code, code);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, refused + 1);
	EXPECT_STRCONTAINS(fenv_last_log(), "refused");
	cw_expect_empty(w);
	cw_free(w);
}

TEST(channel, every_validation_failure_refused_with_its_reason)
{
	struct coop_msg_ping ping = {1, 2};
	struct coop_msg_heartbeat hb = {1};
	/* type and direction */
	check_bad("type 0", COOP_MSG_NONE, 0, 0, 0, 0, NULL, 0, COOP_ERR_TYPE, -COOP_EINVAL);
	check_bad("type 99", 99, 0, 0, 0, 0, NULL, 0, COOP_ERR_TYPE, -COOP_EINVAL);
	check_bad("type 0xffff", 0xffff, 16, 0, 0, 0, NULL, 0, COOP_ERR_TYPE, 0);
	check_bad("HELLO_REPLY is VMM -> IOPM", COOP_MSG_HELLO_REPLY, 16, 0, 0, 0, NULL, 0, COOP_ERR_TYPE, 0);
	check_bad("IO_REQUEST is VMM -> IOPM", COOP_MSG_IO_REQUEST, 16, 0, 0, 0, NULL, 0, COOP_ERR_TYPE, 0);
	check_bad("VM_REPLY is VMM -> IOPM", COOP_MSG_VM_REPLY, 112, 0, 0, 0, NULL, 0, COOP_ERR_TYPE, 0);
	/* length */
	check_bad("PING len 15", COOP_MSG_PING, 15, 0, 0, 0, &ping, 15, COOP_ERR_LEN, -COOP_EMSGSIZE);
	check_bad("PING len 17", COOP_MSG_PING, 17, 0, 0, 0, &ping, 16, COOP_ERR_LEN, 0);
	check_bad("HEARTBEAT len 0xffff", COOP_MSG_HEARTBEAT, 0xffff, 0, 0, 0, &hb, 8, COOP_ERR_LEN, 0);
	/* flags and reserved fields */
	check_bad("PING flags 1", COOP_MSG_PING, 16, 0, 0, 1, &ping, 16, COOP_ERR_FLAGS, -COOP_EINVAL);
	check_bad("HEARTBEAT with a VM", COOP_MSG_HEARTBEAT, 8, 1, 0, 0, &hb, 8, COOP_ERR_FLAGS, 0);
	check_bad("HEARTBEAT with a vCPU", COOP_MSG_HEARTBEAT, 8, 0, 1, 0, &hb, 8, COOP_ERR_FLAGS, 0);
	check_bad("SET_MODE reserved", COOP_MSG_SET_MODE, 8, 0, 0, 0, PL(0, 1), 8, COOP_ERR_FLAGS, 0);
	check_bad("IO_DONE reserved", COOP_MSG_IO_DONE, 16, 1, 0, 0, PL(0, 1, 0, 0), 16, COOP_ERR_FLAGS, 0);
	check_bad("MSI reserved", COOP_MSG_MSI, 16, 1, 0, 0, PL(0xfee00000, 0, 0x30, 1), 16, COOP_ERR_FLAGS,
		  0);
	check_bad("IRQ_LINE with a vCPU", COOP_MSG_IRQ_LINE, 8, 1, 1, 0, PL(4, 1), 8, COOP_ERR_FLAGS, 0);
	check_bad("VM_REQUEST status set", COOP_MSG_VM_REQUEST, 112, 0, 0, 0, PL(0, 5), 112, COOP_ERR_FLAGS,
		  0);
	/* VM */
	check_bad("IRQ_LINE no such VM", COOP_MSG_IRQ_LINE, 8, 9, 0, 0, PL(4, 1), 8, COOP_ERR_VM,
		  -COOP_ENOENT);
	check_bad("IRQ_LINE VM 0", COOP_MSG_IRQ_LINE, 8, 0, 0, 0, PL(4, 1), 8, COOP_ERR_VM, 0);
	check_bad("IRQ_LINE VM not served", COOP_MSG_IRQ_LINE, 8, 2, 0, 0, PL(4, 1), 8, COOP_ERR_VM, 0);
	check_bad("MSI VM not served", COOP_MSG_MSI, 16, 2, 0, 0, PL(0xfee00000, 0, 0x30, 0), 16, COOP_ERR_VM,
		  0);
	/* slot and sequence: nothing outstanding (whatever VM it names) */
	check_bad("IO_DONE slot 64", COOP_MSG_IO_DONE, 16, 1, 0, 0, PL(64, 0, 1, 0), 16, COOP_ERR_SLOT, 0);
	check_bad("IO_DONE slot ~0", COOP_MSG_IO_DONE, 16, 1, 0, 0, PL(0xffffffff, 0, 1, 0), 16,
		  COOP_ERR_SLOT, 0);
	check_bad("IO_DONE slot 3 not outstanding", COOP_MSG_IO_DONE, 16, 1, 0, 0, PL(3, 0, 1, 0), 16,
		  COOP_ERR_SLOT, 0);
	check_bad("IO_DONE slot 9999 of VM 0", COOP_MSG_IO_DONE, 16, 0, 0, 0, PL(9999, 0, 1, 0), 16,
		  COOP_ERR_SLOT, 0);
	check_bad("VM_REQUEST INFO no such VM", COOP_MSG_VM_REQUEST, 112, 9, 0, 0, PL(COOP_VM_INFO), 112,
		  COOP_ERR_VM, 0);
	check_bad("VM_REQUEST LIST with a VM", COOP_MSG_VM_REQUEST, 112, 1, 0, 0, PL(COOP_VM_LIST), 112,
		  COOP_ERR_VM, 0);
	/* fields */
	check_bad("SET_MODE mode 2", COOP_MSG_SET_MODE, 8, 0, 0, 0, PL(2, 0), 8, COOP_ERR_FIELD,
		  -COOP_EINVAL);
	check_bad("IRQ_LINE line 24", COOP_MSG_IRQ_LINE, 8, 1, 0, 0, PL(24, 1), 8, COOP_ERR_FIELD, 0);
	check_bad("IRQ_LINE op 3", COOP_MSG_IRQ_LINE, 8, 1, 0, 0, PL(4, 3), 8, COOP_ERR_FIELD, 0);
	check_bad("MSI address 0", COOP_MSG_MSI, 16, 1, 0, 0, PL(0, 0, 0x30, 0), 16, COOP_ERR_FIELD, 0);
	check_bad("MSI address 0xfef00000", COOP_MSG_MSI, 16, 1, 0, 0, PL(0xfef00000, 0, 0x30, 0), 16,
		  COOP_ERR_FIELD, 0);
	check_bad("VM_REQUEST op 10", COOP_MSG_VM_REQUEST, 112, 0, 0, 0, PL(COOP_VM_OPS), 112, COOP_ERR_FIELD,
		  0);
	uint8_t vmq[112];
	memset(vmq, 0, sizeof(vmq)); /* op CREATE, every other field 0; the name unterminated */
	vmq[0] = COOP_VM_CREATE;
	memset(vmq + 32, 'x', COOP_VM_NAME_MAX);
	check_bad("VM_REQUEST name unterminated", COOP_MSG_VM_REQUEST, 112, 0, 0, 0, vmq, 112, COOP_ERR_FIELD,
		  0);
	check_bad("MSI vector 5", COOP_MSG_MSI, 16, 1, 0, 0, PL(0xfee01000, 0, 0x05, 0), 16, COOP_ERR_FIELD,
		  0);
	/* the kernel ring's types on iopmd's ring, well formed as they are */
	check_bad("ROUTE_PIN on iopmd's ring", COOP_MSG_ROUTE_PIN, 16, 0, 0, 0, PL(3, 0x33, 1, 0), 16,
		  COOP_ERR_TYPE, -COOP_EINVAL);
	check_bad("PIN_EOI on iopmd's ring", COOP_MSG_PIN_EOI, 16, 0, 0, 0, PL(9), 16, COOP_ERR_TYPE, 0);
	check_bad("ROUTE_REPLY (VMM -> IOPM)", COOP_MSG_ROUTE_REPLY, 16, 0, 0, 0, NULL, 0, COOP_ERR_TYPE, 0);
}

TEST(channel, an_error_from_the_iopm_is_counted_never_answered)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	struct coop_msg_error e = {-COOP_EINVAL, COOP_MSG_IO_REQUEST, COOP_ERR_SLOT, 77, 0, "bad\nslot"};
	CW_SEND(w, COOP_MSG_ERROR, 1, 0, 0, &e);
	cw_expect_empty(w);
	EXPECT_EQ(w->c.n.errors_received, 1);
	EXPECT_STRCONTAINS(fenv_last_log(), "bad\\x0aslot"); /* its text escaped */
	e.reserved = 1;
	CW_SEND(w, COOP_MSG_ERROR, 2, 0, 0, &e);
	cw_expect_empty(w); /* refused, counted, still not answered */
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 1);
	cw_free(w);
}

TEST(channel, vm_requests)
{
	struct cw *w = cw_new();
	cw_hello(w, 0);
	struct coop_msg_vm q;
	memset(&q, 0, sizeof(q));
	q.op = COOP_VM_INFO;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 20, 2, 0, &q);
	struct coop_msg r = cw_recv(w);
	struct coop_msg_vm a;
	EXPECT_EQ(r.type, COOP_MSG_VM_REPLY);
	EXPECT_EQ(r.id, 20);
	memcpy(&a, r.payload, sizeof(a));
	EXPECT_EQ(a.op, COOP_VM_INFO);
	EXPECT_EQ(a.status, -COOP_ENOSYS);
	q.op = COOP_VM_LIST;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 21, 0, 0, &q);
	for (unsigned i = 0; i < 2; i++) {
		r = cw_recv(w);
		memcpy(&a, r.payload, sizeof(a));
		EXPECT_EQ(r.type, COOP_MSG_VM_REPLY);
		EXPECT_EQ(r.id, 21);
		EXPECT_EQ(r.vm, w->vm[i].id);
		EXPECT_EQ(r.flags, i == 0 ? COOP_VM_MORE : 0);
		EXPECT_EQ(a.status, 0);
		EXPECT_EQ(a.vcpus, w->vm[i].vcpus);
		EXPECT_EQ(a.mem, 0x100000ULL * (i + 1));
		EXPECT_STREQ(a.name, w->vm[i].name);
	}
	cw_expect_empty(w);
	w->nvm = 0;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 22, 0, 0, &q);
	r = cw_recv(w);
	memcpy(&a, r.payload, sizeof(a));
	EXPECT_EQ(a.status, -COOP_ENOENT);
	EXPECT_EQ(r.flags, 0);
	cw_expect_empty(w);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 0);
	cw_free(w);
}

/* The lifecycle ops with fields: CREATE's, START's; STATS and HOST in
 * several replies; who may ask what. */
static struct coop_msg_vm last_q;
static uint32_t creates, vm_ops;

static int32_t fk_vm_create(void *ctx, uint32_t iopm, const struct coop_msg_vm *q, uint32_t *id,
			    struct coop_msg_vm *out)
{
	(void)ctx;
	(void)iopm;
	creates++;
	last_q = *q;
	if (q->mem > 64 * 0x100000ULL) {
		out->mem = 48 * 0x100000ULL; /* what is free */
		snprintf(out->name, sizeof(out->name), "leaked?");
		return -COOP_ENOMEM;
	}
	if (!strcmp(q->name, "taken"))
		return -COOP_EEXIST;
	*id = 7;
	out->state = COOP_VMS_CREATED;
	out->mem = q->mem;
	snprintf(out->name, sizeof(out->name), "%s", q->name);
	return 0;
}

static int32_t fk_vm_op(void *ctx, uint32_t vm, const struct coop_msg_vm *q, struct coop_msg_vm *out)
{
	(void)ctx;
	(void)vm;
	vm_ops++;
	last_q = *q;
	out->state = COOP_VMS_RUNNING;
	return 0;
}

static int32_t fk_vm_stats(void *ctx, uint32_t op, uint32_t vm, uint64_t *v, uint32_t max)
{
	(void)ctx;
	uint32_t n = op == COOP_VM_HOST ? COOP_HOST_STATS : COOP_STATS;
	EXPECT_TRUE(max >= n);
	for (uint32_t i = 0; i < n; i++)
		v[i] = 1000 * vm + i;
	return (int32_t)n;
}

/* The channel of w with the fakes above for the lifecycle ops (`ops` must
 * outlive it). */
static void fake_lifecycle(struct cw *w, struct chan_ops *ops)
{
	*ops = *w->c.ops;
	ops->vm_create = fk_vm_create;
	ops->vm_op = fk_vm_op;
	ops->vm_stats = fk_vm_stats;
	w->c.ops = ops;
	creates = vm_ops = 0;
}

static struct coop_msg_vm vm_reply(struct cw *w, uint32_t id, uint32_t vm, uint16_t flags)
{
	struct coop_msg r = cw_recv(w);
	struct coop_msg_vm a;
	EXPECT_EQ(r.type, COOP_MSG_VM_REPLY);
	EXPECT_EQ(r.len, sizeof(a));
	EXPECT_EQ(r.id, id);
	EXPECT_EQ(r.vm, vm);
	EXPECT_EQ(r.flags, flags);
	memcpy(&a, r.payload, sizeof(a));
	return a;
}

TEST(channel, vm_create_start_stats_and_their_fields)
{
	struct cw *w = cw_new();
	struct chan_ops ops;
	fake_lifecycle(w, &ops);
	cw_hello(w, 0);
	struct coop_msg_vm q;
	memset(&q, 0, sizeof(q));
	q.op = COOP_VM_CREATE;
	q.vcpus = 2;
	q.mem = 16 * 0x100000ULL;
	q.devices = COOP_VM_DEV_ALL;
	snprintf(q.name, sizeof(q.name), "hello");
	CW_SEND(w, COOP_MSG_VM_REQUEST, 30, 0, 0, &q);
	struct coop_msg_vm a = vm_reply(w, 30, 7, 0); /* the new VM's id in coop_msg.vm */
	EXPECT_EQ(a.status, 0);
	EXPECT_EQ(a.op, COOP_VM_CREATE);
	EXPECT_EQ(a.state, COOP_VMS_CREATED);
	EXPECT_STREQ(a.name, "hello");
	EXPECT_EQ(last_q.vcpus, 2);
	EXPECT_EQ(last_q.devices, COOP_VM_DEV_ALL);
	/* not enough RAM: the refusal says how much there is, nothing else */
	q.mem = 128 * 0x100000ULL;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 31, 0, 0, &q);
	a = vm_reply(w, 31, 0, 0);
	EXPECT_EQ(a.status, -COOP_ENOMEM);
	EXPECT_EQ(a.mem, 48 * 0x100000ULL);
	EXPECT_STREQ(a.name, "leaked?"); /* the VMM's text, its own business */
	q.mem = 16 * 0x100000ULL;
	snprintf(q.name, sizeof(q.name), "taken");
	CW_SEND(w, COOP_MSG_VM_REQUEST, 32, 0, 0, &q);
	a = vm_reply(w, 32, 0, 0);
	EXPECT_EQ(a.status, -COOP_EEXIST);
	EXPECT_EQ(a.mem, 0);
	/* START carries boot, entry, arg; names its VM */
	struct coop_msg_vm s;
	memset(&s, 0, sizeof(s));
	s.op = COOP_VM_START;
	s.entry = 0x100000;
	s.arg = 0x9000;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 33, 2, 0, &s);
	a = vm_reply(w, 33, 2, 0);
	EXPECT_EQ(a.status, 0);
	EXPECT_EQ(last_q.entry, 0x100000);
	EXPECT_EQ(last_q.arg, 0x9000);
	/* fields an op does not use are refused */
	struct coop_msg_vm bad = s;
	bad.op = COOP_VM_PAUSE; /* with START's entry */
	CW_SEND(w, COOP_MSG_VM_REQUEST, 34, 2, 0, &bad);
	bad = q;
	bad.op = COOP_VM_START; /* with CREATE's name, vcpus, mem */
	CW_SEND(w, COOP_MSG_VM_REQUEST, 35, 2, 0, &bad);
	bad = q;
	bad.reserved = 1;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 36, 0, 0, &bad);
	bad = q;
	bad.boot = 1; /* CREATE with START's field */
	CW_SEND(w, COOP_MSG_VM_REQUEST, 37, 0, 0, &bad);
	for (uint32_t id = 34; id <= 37; id++) {
		struct coop_msg r = cw_recv(w);
		struct coop_msg_error e;
		memcpy(&e, r.payload, sizeof(e));
		EXPECT_EQ(r.type, COOP_MSG_ERROR);
		EXPECT_EQ(e.bad_id, id);
		EXPECT_EQ(e.reason, COOP_ERR_FLAGS);
	}
	EXPECT_EQ(creates, 3);
	EXPECT_EQ(vm_ops, 1);
	/* STATS: every counter, COOP_VM_STATS_VALUES per reply, in order */
	struct coop_msg_vm st;
	memset(&st, 0, sizeof(st));
	st.op = COOP_VM_STATS;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 40, 1, 0, &st);
	uint32_t next = 0;
	for (;;) {
		struct coop_msg r = cw_recv(w);
		struct coop_msg_vm_stats v;
		EXPECT_EQ(r.type, COOP_MSG_VM_REPLY);
		EXPECT_EQ(r.id, 40);
		memcpy(&v, r.payload, sizeof(v));
		EXPECT_EQ(v.op, COOP_VM_STATS);
		EXPECT_EQ(v.status, 0);
		EXPECT_EQ(v.first, next);
		EXPECT_TRUE(v.count > 0 && v.count <= COOP_VM_STATS_VALUES);
		for (uint32_t i = 0; i < v.count; i++)
			EXPECT_EQ(v.value[i], 1000 + next + i);
		next += v.count;
		if (!(r.flags & COOP_VM_MORE))
			break;
	}
	EXPECT_EQ(next, COOP_STATS);
	/* HOST names no VM */
	st.op = COOP_VM_HOST;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 41, 0, 0, &st);
	struct coop_msg r = cw_recv(w);
	struct coop_msg_vm_stats hv;
	memcpy(&hv, r.payload, sizeof(hv));
	EXPECT_EQ(r.flags, 0);
	EXPECT_EQ(hv.count, COOP_HOST_STATS);
	EXPECT_EQ(hv.value[COOP_HOST_VMS_MAX], COOP_HOST_VMS_MAX);
	CW_SEND(w, COOP_MSG_VM_REQUEST, 42, 1, 0, &st);
	r = cw_recv(w);
	EXPECT_EQ(r.type, COOP_MSG_ERROR);
	cw_expect_empty(w);
	cw_free(w);
}

TEST(channel, only_the_managing_iopm_creates_and_sees_the_host)
{
	struct cw *w = cw_new();
	struct chan_ops ops;
	fake_lifecycle(w, &ops);
	w->c.index = 1; /* IOPM 1: serves VM 1 only (w->vm[0].served) */
	cw_hello(w, 0);
	struct coop_msg_vm q;
	memset(&q, 0, sizeof(q));
	q.op = COOP_VM_CREATE;
	q.vcpus = 1;
	q.mem = 0x200000;
	snprintf(q.name, sizeof(q.name), "x");
	CW_SEND(w, COOP_MSG_VM_REQUEST, 50, 0, 0, &q);
	EXPECT_EQ(vm_reply(w, 50, 0, 0).status, -COOP_EPERM);
	memset(&q, 0, sizeof(q));
	q.op = COOP_VM_HOST;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 51, 0, 0, &q);
	EXPECT_EQ(vm_reply(w, 51, 0, 0).status, -COOP_EPERM);
	q.op = COOP_VM_STATS; /* a VM it does not serve */
	CW_SEND(w, COOP_MSG_VM_REQUEST, 52, 2, 0, &q);
	EXPECT_EQ(vm_reply(w, 52, 2, 0).status, -COOP_EPERM);
	q.op = COOP_VM_DESTROY;
	CW_SEND(w, COOP_MSG_VM_REQUEST, 53, 2, 0, &q);
	EXPECT_EQ(vm_reply(w, 53, 2, 0).status, -COOP_EPERM);
	CW_SEND(w, COOP_MSG_VM_REQUEST, 54, 1, 0, &q); /* its own */
	EXPECT_EQ(vm_reply(w, 54, 1, 0).status, 0);
	EXPECT_EQ(creates, 0);
	EXPECT_EQ(vm_ops, 1);
	cw_expect_empty(w);
	cw_free(w);
}

TEST(channel, posted_writes_only_with_the_feature_and_in_order)
{
	struct cw *w = cw_new();
	struct coop_ioreq q;
	memset(&q, 0, sizeof(q));
	q.space = COOP_IOREQ_PIO;
	q.dir = COOP_IOREQ_WRITE;
	q.addr = 0x3f8;
	q.size = 1;
	q.count = 1;
	q.data = 0x41;
	q.seq = 9;
	q.vm = 1;
	EXPECT_EQ(chan_post(&w->c, &q), -COOP_ENOSYS); /* before HELLO */
	struct coop_msg_hello h = {COOP_ABI_VERSION, 0, 0, 1};
	CW_SEND(w, COOP_MSG_HELLO, 1, 0, 0, &h);
	cw_recv(w);
	EXPECT_EQ(chan_post(&w->c, &q), -COOP_ENOSYS); /* the IOPM did not offer it */
	h.features = COOP_FEAT_POSTED;
	CW_SEND(w, COOP_MSG_HELLO, 2, 0, 0, &h);
	cw_recv(w);
	EXPECT_EQ(chan_post(&w->c, &q), 0);
	struct coop_msg m = cw_recv(w);
	struct coop_msg_posted p;
	memcpy(&p, m.payload, sizeof(p));
	EXPECT_EQ(m.type, COOP_MSG_IO_POSTED);
	EXPECT_EQ(m.len, sizeof(p));
	EXPECT_EQ(m.vm, 1);
	EXPECT_EQ(p.seq, 9);
	EXPECT_EQ(p.addr, 0x3f8);
	EXPECT_EQ(p.data, 0x41);
	EXPECT_EQ(p.size, 1);
	EXPECT_EQ(p.space, COOP_IOREQ_PIO);
	EXPECT_EQ(w->c.n.posted, 1);
	/* Not a single write: refused. */
	struct coop_ioreq bad = q;
	bad.dir = COOP_IOREQ_READ;
	EXPECT_EQ(chan_post(&w->c, &bad), -COOP_EINVAL);
	bad = q;
	bad.flags = COOP_IOREQ_STRING;
	EXPECT_EQ(chan_post(&w->c, &bad), -COOP_EINVAL);
	bad = q;
	bad.size = 3;
	EXPECT_EQ(chan_post(&w->c, &bad), -COOP_EINVAL);
	/* A full ring: refused (the vCPU makes it a request), and a doorbell
	 * owed from then goes before any later posted write. */
	unsigned sent = 0;
	while (chan_post(&w->c, &q) == 0)
		sent++;
	EXPECT_EQ(sent, COOP_RING_ENTRIES); /* the IOPM took the rest */
	EXPECT_EQ(chan_post(&w->c, &q), -COOP_ENOSPC);
	struct coop_ioreq rd = q;
	rd.dir = COOP_IOREQ_READ;
	rd.seq = 10;
	EXPECT_EQ(chan_slot_submit(&w->c, 3, &rd), 0); /* its doorbell owed */
	for (unsigned i = 0; i < 4; i++)
		cw_recv(w); /* the IOPM takes 4 */
	EXPECT_EQ(chan_post(&w->c, &q), 0);
	unsigned n = 0, doorbell_at = 0, last_posted_at = 0;
	while (coop_ring_pending(&w->irx) > 0) {
		m = cw_recv(w);
		n++;
		if (m.type == COOP_MSG_IO_REQUEST)
			doorbell_at = n;
		else
			last_posted_at = n;
	}
	EXPECT_TRUE(doorbell_at > 0 && doorbell_at < last_posted_at);
	cw_free(w);
}

static uint32_t ram_done_vm;

static bool fk_ram_done(void *ctx, uint32_t vm)
{
	(void)ctx;
	ram_done_vm = vm;
	return vm == 5; /* the VMM holds VM 5's RAM only */
}

TEST(channel, ram_done_frees_what_is_held_and_nothing_else)
{
	struct cw *w = cw_new();
	struct chan_ops ops = *w->c.ops;
	ops.ram_done = fk_ram_done;
	w->c.ops = &ops;
	cw_hello(w, 0);
	struct coop_msg_ram r = {0, 0, 0, COOP_RAM_REMOVE, 0};
	CW_SEND(w, COOP_MSG_RAM_DONE, 60, 5, 0, &r); /* an ended VM: not in the VM table */
	cw_expect_empty(w);
	EXPECT_EQ(ram_done_vm, 5);
	EXPECT_EQ(w->c.n.ram_done, 1);
	CW_SEND(w, COOP_MSG_RAM_DONE, 61, 6, 0, &r);
	cw_expect_error(w, COOP_MSG_RAM_DONE, 61, COOP_ERR_VM);
	struct coop_msg_ram bad = r;
	bad.size = 4096;
	CW_SEND(w, COOP_MSG_RAM_DONE, 62, 5, 0, &bad);
	cw_expect_error(w, COOP_MSG_RAM_DONE, 62, COOP_ERR_FLAGS);
	bad = r;
	bad.op = COOP_RAM_ADD;
	CW_SEND(w, COOP_MSG_RAM_DONE, 63, 5, 0, &bad);
	cw_expect_error(w, COOP_MSG_RAM_DONE, 63, COOP_ERR_FIELD);
	CW_SEND(w, COOP_MSG_RAM_DONE, 64, 5, 1, &r); /* with a vCPU */
	cw_expect_error(w, COOP_MSG_RAM_DONE, 64, COOP_ERR_FLAGS);
	EXPECT_EQ(w->c.n.ram_done, 1);
	w->c.ops = &cw_ops; /* no hook: refused */
	CW_SEND(w, COOP_MSG_RAM_DONE, 65, 5, 0, &r);
	cw_expect_error(w, COOP_MSG_RAM_DONE, 65, COOP_ERR_VM);
	cw_free(w);
}

TEST(channel, replies_to_a_full_ring_are_dropped_and_counted)
{
	struct cw *w = cw_new();
	cw_hello(w, 0);
	struct coop_msg_ping p = {1, 2};
	for (unsigned i = 0; i < COOP_RING_ENTRIES + 3; i++) {
		cw_put(w, COOP_MSG_PING, sizeof(p), i, 0, 0, 0, &p, sizeof(p));
		if (i % 128 == 127)
			cw_poll(w); /* the IOPM's ring holds 256 */
	}
	cw_poll(w);
	EXPECT_EQ(w->c.n.msgs_received, COOP_RING_ENTRIES + 4);
	EXPECT_EQ(w->c.n.msgs_sent, COOP_RING_ENTRIES + 1); /* HELLO_REPLY (taken) + 256 PONGs */
	EXPECT_EQ(w->c.n.replies_dropped, 3);
	EXPECT_EQ(coop_ring_pending(&w->irx), (int)COOP_RING_ENTRIES);
	cw_free(w);
}

TEST(channel, corrupt_iopm_prod_stops_reading_its_ring)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	cw_ictrl(w)->tx.prod = w->c.rx.cons + COOP_RING_ENTRIES + 1;
	cw_poll(w);
	EXPECT_TRUE(w->c.rx_broken);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 1);
	EXPECT_STRCONTAINS(fenv_last_log(), "no longer read");
	unsigned logs = fenv_log_count();
	/* A sane index later: the ring stays unread, nothing more logged. */
	cw_ictrl(w)->tx.prod = w->c.rx.cons + 1;
	EXPECT_FALSE(chan_poll(&w->c, w->now));
	EXPECT_EQ(w->c.n.msgs_received, 1);
	EXPECT_EQ(fenv_log_count(), logs);
	cw_free(w);
	/* prod behind cons (cons - 1 = 2^32 - 1 outstanding) is as impossible. */
	struct cw *w2 = cw_new();
	cw_hello(w2, 0);
	cw_ictrl(w2)->tx.prod = w2->c.rx.cons - 1;
	cw_poll(w2);
	EXPECT_TRUE(w2->c.rx_broken);
	cw_free(w2);
}

TEST(channel, corrupt_iopm_cons_stops_sending)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	cw_ictrl(w)->rx.cons = 12345;
	struct coop_msg m;
	memset(&m, 0, sizeof(m));
	m.type = COOP_MSG_PING;
	EXPECT_EQ(chan_send(&w->c, &m), -COOP_EPROTO);
	EXPECT_TRUE(w->c.tx_broken);
	EXPECT_STRCONTAINS(fenv_last_log(), "nothing more is sent");
	cw_ictrl(w)->rx.cons = 1;
	EXPECT_EQ(chan_send(&w->c, &m), -COOP_EPROTO);
	EXPECT_EQ(w->c.n.msgs_sent, 1);
	cw_free(w);
}

/* ---- slots ---- */

static struct coop_ioreq pio_read(uint64_t seq, uint32_t vm, uint16_t vcpu, uint8_t size)
{
	struct coop_ioreq q;
	memset(&q, 0, sizeof(q));
	q.seq = seq;
	q.addr = 0x3f8;
	q.vm = vm;
	q.vcpu = vcpu;
	q.space = COOP_IOREQ_PIO;
	q.dir = COOP_IOREQ_READ;
	q.size = size;
	q.count = 1;
	return q;
}

/* The fake IOPM answers slot `s` (its doorbell taken first). */
static void iopm_answer(struct cw *w, unsigned s, uint32_t state, uint64_t seq, int32_t status, uint64_t data,
			uint32_t count)
{
	struct coop_slot_rsp *r = cw_islot(w, s);
	r->seq = seq;
	r->status = status;
	r->data = data;
	r->count = count;
	for (unsigned i = 0; i < sizeof(r->buf); i++)
		r->buf[i] = (uint8_t)(i ^ 0x5a);
	coop_store_release(&r->state, state);
}

static void send_io_done(struct cw *w, uint32_t id, uint32_t vm, uint16_t vcpu, uint32_t slot, uint64_t seq)
{
	struct coop_msg_slot d = {slot, 0, seq};
	CW_SEND(w, COOP_MSG_IO_DONE, id, vm, vcpu, &d);
}

/* A valid IRQ_LINE reaches the machine's op, with its VM, line and op;
 * no reply. */
TEST(channel, irq_line_acted_on)
{
	struct cw *w = cw_new();
	cw_hello(w, 0);
	struct coop_msg_irq_line l = {4, COOP_IRQ_RAISE};
	CW_SEND(w, COOP_MSG_IRQ_LINE, 5, 1, 0, &l);
	cw_expect_empty(w);
	EXPECT_EQ(w->irq_lines, 1);
	EXPECT_EQ(w->irq_vm, 1);
	EXPECT_EQ(w->irq_line, 4);
	EXPECT_EQ(w->irq_op, COOP_IRQ_RAISE);
	l = (struct coop_msg_irq_line){23, COOP_IRQ_PULSE};
	CW_SEND(w, COOP_MSG_IRQ_LINE, 6, 1, 0, &l);
	cw_expect_empty(w);
	EXPECT_EQ(w->irq_lines, 2);
	EXPECT_EQ(w->irq_line, 23);
	EXPECT_EQ(w->irq_op, COOP_IRQ_PULSE);
	EXPECT_EQ(w->c.n.irq_lines, 2);
	cw_free(w);
}

/* A valid MSI reaches the machine's op with its address and data. */
TEST(channel, msi_delivered)
{
	struct cw *w = cw_new();
	cw_hello(w, 0);
	struct coop_msg_msi x = {0xfee01004ULL, 0x4041, 0};
	CW_SEND(w, COOP_MSG_MSI, 9, 1, 0, &x);
	cw_expect_empty(w);
	EXPECT_EQ(w->msis, 1);
	EXPECT_EQ(w->msi_addr, 0xfee01004ULL);
	EXPECT_EQ(w->msi_data, 0x4041);
	EXPECT_EQ(w->c.n.msis, 1);
	cw_free(w);
}

TEST(channel, slot_submit_and_complete)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	struct coop_ioreq q = pio_read(500, 1, 1, 2);
	EXPECT_EQ(chan_slot_submit(&w->c, 3, &q), 0);
	EXPECT_EQ(cw_vslot(w, 3)->state, COOP_SLOT_PENDING);
	EXPECT_MEMEQ(&cw_vslot(w, 3)->req, &q, sizeof(q));
	struct coop_msg d = cw_recv(w);
	struct coop_msg_slot ds;
	memcpy(&ds, d.payload, sizeof(ds));
	EXPECT_EQ(d.type, COOP_MSG_IO_REQUEST);
	EXPECT_EQ(d.len, sizeof(ds));
	EXPECT_EQ(d.vm, 1);
	EXPECT_EQ(d.vcpu, 1);
	EXPECT_EQ(ds.slot, 3);
	EXPECT_EQ(ds.seq, 500);
	EXPECT_EQ(chan_slot_submit(&w->c, 3, &q), -COOP_EBUSY);
	iopm_answer(w, 3, COOP_SLOT_COMPLETE, 500, 0, 0xdeadbeefcafeULL, 0);
	send_io_done(w, 7, 1, 1, 3, 500);
	cw_expect_empty(w);
	EXPECT_EQ(w->io_dones, 1);
	EXPECT_EQ(w->io_done_slot, 3);
	EXPECT_EQ(w->io_done_rsp.seq, 500);
	EXPECT_EQ(w->io_done_rsp.data, 0xcafe); /* a 2-byte read: the low 2 bytes */
	EXPECT_EQ(w->io_done_rsp.status, 0);
	EXPECT_EQ(cw_vslot(w, 3)->state, COOP_SLOT_FREE);
	/* Completed once: the same doorbell again is refused. */
	send_io_done(w, 8, 1, 1, 3, 500);
	cw_expect_error(w, COOP_MSG_IO_DONE, 8, COOP_ERR_SLOT);
	EXPECT_EQ(w->io_dones, 1);
	cw_free(w);
}

TEST(channel, slot_string_read_copies_count_elements)
{
	struct cw *w = cw_new();
	cw_hello(w, 0);
	struct coop_ioreq q = pio_read(9, 1, 0, 2);
	q.flags = COOP_IOREQ_STRING;
	q.count = 100;
	EXPECT_EQ(chan_slot_submit(&w->c, 0, &q), 0);
	EXPECT_EQ(cw_recv(w).type, COOP_MSG_IO_REQUEST);
	iopm_answer(w, 0, COOP_SLOT_COMPLETE, 9, 0, 0, 99);
	send_io_done(w, 1, 1, 0, 0, 9); /* count 99 of 100: refused */
	cw_expect_error(w, COOP_MSG_IO_DONE, 1, COOP_ERR_FIELD);
	EXPECT_EQ(w->io_dones, 0);
	iopm_answer(w, 0, COOP_SLOT_COMPLETE, 9, 0, 0, 100);
	send_io_done(w, 2, 1, 0, 0, 9);
	cw_expect_empty(w);
	EXPECT_EQ(w->io_dones, 1);
	EXPECT_MEMEQ(w->io_done_rsp.buf, cw_islot(w, 0)->buf, 200);
	EXPECT_EQ(w->io_done_rsp.count, 100);
	cw_free(w);
}

TEST(channel, slot_bad_requests_refused_by_submit)
{
	struct cw *w = cw_new();
	struct coop_ioreq q = pio_read(1, 1, 0, 4);
	EXPECT_EQ(chan_slot_submit(&w->c, COOP_SLOTS, &q), -COOP_EINVAL);
	q.size = 3;
	EXPECT_EQ(chan_slot_submit(&w->c, 0, &q), -COOP_EINVAL);
	q = pio_read(1, 1, 0, 4);
	q.count = 2; /* not a string */
	EXPECT_EQ(chan_slot_submit(&w->c, 0, &q), -COOP_EINVAL);
	q.flags = COOP_IOREQ_STRING;
	q.count = COOP_IOREQ_DATA_MAX / 4 + 1;
	EXPECT_EQ(chan_slot_submit(&w->c, 0, &q), -COOP_EINVAL);
	q = pio_read(1, 1, 0, 4);
	q.flags = 0x80;
	EXPECT_EQ(chan_slot_submit(&w->c, 0, &q), -COOP_EINVAL);
	q = pio_read(1, 1, 0, 4);
	q.space = 2;
	EXPECT_EQ(chan_slot_submit(&w->c, 0, &q), -COOP_EINVAL);
	EXPECT_EQ(cw_vslot(w, 0)->state, COOP_SLOT_FREE);
	cw_free(w);
}

/* Each bad completion of an outstanding request is refused with its
 * reason, the slot stays outstanding, and a good one still completes. */
TEST(channel, slot_every_bad_completion_rejected)
{
	struct row {
		const char *what;
		uint32_t state;
		uint64_t rsp_seq, msg_seq;
		int32_t status;
		uint32_t reserved, count, msg_vm;
		uint16_t msg_vcpu, reason;
		bool string;
	} rows[] = {
	    {"still PROCESSING", COOP_SLOT_PROCESSING, 40, 40, 0, 0, 0, 1, 1, COOP_ERR_SLOT, false},
	    {"IDLE", COOP_SLOT_IDLE, 40, 40, 0, 0, 0, 1, 1, COOP_ERR_SLOT, false},
	    {"state 7", 7, 40, 40, 0, 0, 0, 1, 1, COOP_ERR_SLOT, false},
	    {"doorbell for another seq", COOP_SLOT_COMPLETE, 40, 41, 0, 0, 0, 1, 1, COOP_ERR_SEQ, false},
	    {"answer for another seq", COOP_SLOT_COMPLETE, 39, 40, 0, 0, 0, 1, 1, COOP_ERR_SEQ, false},
	    {"unknown status", COOP_SLOT_COMPLETE, 40, 40, -99, 0, 0, 1, 1, COOP_ERR_FIELD, false},
	    {"positive status", COOP_SLOT_COMPLETE, 40, 40, 5, 0, 0, 1, 1, COOP_ERR_FIELD, false},
	    {"reserved set", COOP_SLOT_COMPLETE, 40, 40, 0, 1, 0, 1, 1, COOP_ERR_FLAGS, false},
	    {"string count short", COOP_SLOT_COMPLETE, 40, 40, 0, 0, 7, 1, 1, COOP_ERR_FIELD, true},
	    {"string count huge", COOP_SLOT_COMPLETE, 40, 40, 0, 0, 0xffffffff, 1, 1, COOP_ERR_FIELD, true},
	    {"doorbell names another vCPU", COOP_SLOT_COMPLETE, 40, 40, 0, 0, 0, 1, 0, COOP_ERR_VCPU, false},
	    {"doorbell names another VM", COOP_SLOT_COMPLETE, 40, 40, 0, 0, 0, 3, 1, COOP_ERR_VM, false},
	    {"doorbell names VM 0", COOP_SLOT_COMPLETE, 40, 40, 0, 0, 0, 0, 1, COOP_ERR_VM, false},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *r = &rows[i];
		test_context("%s", r->what);
		struct cw *w = cw_new();
		cw_hello(w, 0);
		struct coop_ioreq q = pio_read(40, 1, 1, 1);
		if (r->string) {
			q.flags = COOP_IOREQ_STRING;
			q.count = 8;
		}
		EXPECT_EQ(chan_slot_submit(&w->c, 5, &q), 0);
		EXPECT_EQ(cw_recv(w).type, COOP_MSG_IO_REQUEST);
		iopm_answer(w, 5, r->state, r->rsp_seq, r->status, 0x1234, r->count);
		cw_islot(w, 5)->reserved = r->reserved;
		send_io_done(w, 60 + i, r->msg_vm, r->msg_vcpu, 5, r->msg_seq);
		cw_expect_error(w, COOP_MSG_IO_DONE, 60 + i, r->reason);
		EXPECT_EQ(w->io_dones, 0);
		EXPECT_EQ(cw_vslot(w, 5)->state, COOP_SLOT_PENDING);
		EXPECT_EQ(cw_vctrl(w)->msgs_refused, 1);
		/* The right answer still completes it. */
		iopm_answer(w, 5, COOP_SLOT_COMPLETE, 40, 0, 0x1234, r->string ? 8 : 0);
		cw_islot(w, 5)->reserved = 0;
		send_io_done(w, 90, 1, 1, 5, 40);
		cw_expect_empty(w);
		EXPECT_EQ(w->io_dones, 1);
		if (r->string)
			EXPECT_MEMEQ(w->io_done_rsp.buf, cw_islot(w, 5)->buf, 8);
		else
			EXPECT_EQ(w->io_done_rsp.data, 0x34);
		EXPECT_EQ(cw_vslot(w, 5)->state, COOP_SLOT_FREE);
		cw_free(w);
	}
}

TEST(channel, slot_doorbell_waits_for_room)
{
	struct cw *w = cw_new();
	cw_hello(w, 0);
	struct coop_msg m;
	memset(&m, 0, sizeof(m));
	m.type = COOP_MSG_PING;
	while (chan_send(&w->c, &m) == 0)
		;
	struct coop_ioreq q = pio_read(77, 1, 0, 1);
	EXPECT_EQ(chan_slot_submit(&w->c, 2, &q), 0);
	EXPECT_EQ(cw_vslot(w, 2)->state, COOP_SLOT_PENDING);
	EXPECT_EQ(w->c.doorbells_owed, 1ULL << 2);
	for (unsigned i = 0; i < COOP_RING_ENTRIES; i++)
		(void)cw_recv(w);
	cw_poll(w);
	struct coop_msg d = cw_recv(w);
	EXPECT_EQ(d.type, COOP_MSG_IO_REQUEST);
	EXPECT_EQ(w->c.doorbells_owed, 0);
	cw_free(w);
}

TEST(channel, log_lines_go_to_the_part)
{
	struct cw *w = cw_new();
	chan_log_write(&w->c, "hello\n", 6);
	chan_log_write(&w->c, "world\n", 6);
	EXPECT_EQ(cw_vctrl(w)->log_head, 12);
	EXPECT_MEMEQ(w->part + COOP_LOG_OFF, "hello\nworld\n", 12);
	cw_free(w);
}

/* ---- the kernel rings: iopm.ko's interrupt routes ---- */

#define RV COOP_ROUTE_VALID
#define RL COOP_ROUTE_LEVEL
#define RM COOP_ROUTE_MASKED

TEST(channel, kernel_route_pin_accepted_replies_active_and_forwards)
{
	struct cw *w = cw_new();
	/* No HELLO: iopm.ko routes the console before iopmd runs. */
	struct coop_msg_route r = cw_route(w, 1, 3, 0x33, RV, COOP_ROUTE_ACTIVE);
	EXPECT_EQ(r.flags, RV);
	EXPECT_STREQ(w->hw, "claim:3 unmask:3");
	EXPECT_STREQ(fenv_last_log(), "[iopm] iopm0: ROUTE_PIN IRQ 3 -> vector 0x33 (edge): ACTIVE");
	cw_kexpect_empty(w);
	cw_expect_empty(w); /* nothing on iopmd's ring */
	EXPECT_EQ(cw_vctrl(w)->kmsgs_received, 1);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_sent, 1);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_refused, 0);
	EXPECT_EQ(cw_vctrl(w)->msgs_received, 0); /* iopmd's counts are its own */
	EXPECT_EQ(w->c.kn.msgs_handled, 1);
	EXPECT_STREQ(cw_fire(w, 3), "ipi0:0x33 eoi");
	/* A level pin: LEVEL in the reply, masked from the forward to the EOI. */
	r = cw_route(w, 2, 9, 0x39, RV | RL, COOP_ROUTE_ACTIVE);
	EXPECT_EQ(r.flags, RV | RL);
	EXPECT_STRCONTAINS(fenv_last_log(), "ROUTE_PIN IRQ 9 -> vector 0x39 (level): ACTIVE");
	EXPECT_STREQ(cw_fire(w, 9), "mask:9 ipi0:0x39 eoi");
	cw_free(w);
}

TEST(channel, kernel_route_pin_of_an_owned_pin_refused_owned)
{
	struct cw *w = cw_new();
	cw_route(w, 7, 4, 0x34, RV, COOP_ROUTE_REFUSED_OWNED); /* the VMM's UART */
	EXPECT_STREQ(fenv_last_log(),
		     "[iopm] iopm0: ROUTE_PIN IRQ 4 vector 0x34 (id 7) refused: REFUSED_OWNED: the VMM keeps "
		     "this pin");
	cw_route(w, 8, 5, 0x35, RV, COOP_ROUTE_REFUSED_OWNED); /* IOPM 1's */
	EXPECT_STRCONTAINS(fenv_last_log(), "another IOPM has this pin");
	cw_route(w, 9, 4, 0, 0, COOP_ROUTE_REFUSED_OWNED); /* nor may it release it */
	EXPECT_STREQ(w->hw, "");			   /* no pin was touched */
	EXPECT_EQ(cw_vctrl(w)->kmsgs_refused, 3);
	EXPECT_EQ(w->c.kn.msgs_handled, 0);
	EXPECT_STREQ(cw_fire(w, 4), "eoi");
	cw_kexpect_empty(w);
	cw_free(w);
}

TEST(channel, kernel_route_pin_bad_irq_vector_or_trigger_refused_bad)
{
	static const struct {
		uint32_t irq, vector, flags;
		const char *why;
	} rows[] = {
	    {16, 0x40, RV, "not an ISA IRQ (0-15)"},
	    {99, 0x40, RV, "not an ISA IRQ (0-15)"},
	    {3, 0x1f, RV, "vector outside 0x20-0xef"},
	    {3, 0xf0, RV, "vector outside 0x20-0xef"},
	    {3, 0, RV, "vector outside 0x20-0xef"},
	    {13, 0x3d, RV, "no IOAPIC pin for this IRQ"},
	    {9, 0x39, RV, "the pin is level-triggered: the route must say LEVEL"},
	    {3, 0x33, RV | RL, "the pin is edge-triggered: the route must not say LEVEL"},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(rows); i++) {
		test_context("IRQ %u vector 0x%x flags 0x%x", rows[i].irq, rows[i].vector, rows[i].flags);
		struct cw *w = cw_new();
		cw_route(w, 30 + i, rows[i].irq, rows[i].vector, rows[i].flags, COOP_ROUTE_REFUSED_BAD);
		EXPECT_STRCONTAINS(fenv_last_log(), "refused: REFUSED_BAD: ");
		EXPECT_STRCONTAINS(fenv_last_log(), rows[i].why);
		EXPECT_EQ(cw_vctrl(w)->kmsgs_refused, 1);
		EXPECT_TRUE(strstr(w->hw, "unmask") == NULL);
		cw_kexpect_empty(w);
		cw_free(w);
	}
}

/* A message on the kernel ring that must be refused with an ERROR there. */
static void check_kbad(const char *what, uint16_t type, uint16_t len, uint32_t vm, uint16_t flags,
		       const void *payload, size_t plen, uint16_t reason)
{
	test_context("%s", what);
	struct cw *w = cw_new();
	w->hw[0] = 0;
	cw_kput(w, type, len, 0x5a00 + type, vm, flags, payload, plen);
	cw_poll(w);
	cw_expect_error_on(&w->ikrx, type, 0x5a00 + type, reason);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_refused, 1);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 0);
	EXPECT_STRCONTAINS(fenv_last_log(), "on the kernel ring refused");
	EXPECT_STREQ(w->hw, "");
	cw_kexpect_empty(w);
	cw_expect_empty(w);
	cw_free(w);
}

TEST(channel, kernel_ring_validation_failures_refused_with_an_error_there)
{
	struct coop_msg_ping ping = {1, 2};
	struct coop_msg_hello h = {COOP_ABI_VERSION, 0, 0, 1};
	/* iopmd's types (and the VMM's) on the kernel ring */
	check_kbad("HELLO", COOP_MSG_HELLO, 16, 0, 0, &h, sizeof(h), COOP_ERR_TYPE);
	check_kbad("HEARTBEAT", COOP_MSG_HEARTBEAT, 8, 0, 0, PL(1), 8, COOP_ERR_TYPE);
	check_kbad("SET_MODE", COOP_MSG_SET_MODE, 8, 0, 0, PL(1), 8, COOP_ERR_TYPE);
	check_kbad("IO_DONE", COOP_MSG_IO_DONE, 16, 1, 0, PL(0, 0, 1, 0), 16, COOP_ERR_TYPE);
	check_kbad("VM_REQUEST", COOP_MSG_VM_REQUEST, 112, 0, 0, PL(0), 112, COOP_ERR_TYPE);
	check_kbad("ROUTE_REPLY", COOP_MSG_ROUTE_REPLY, 16, 0, 0, PL(3, 0x33, 1, 1), 16, COOP_ERR_TYPE);
	check_kbad("type 0", COOP_MSG_NONE, 0, 0, 0, NULL, 0, COOP_ERR_TYPE);
	check_kbad("type 0xffff", 0xffff, 16, 0, 0, NULL, 0, COOP_ERR_TYPE);
	/* length, flags, VM, reserved fields */
	check_kbad("ROUTE_PIN len 12", COOP_MSG_ROUTE_PIN, 12, 0, 0, PL(3, 0x33, 1), 12, COOP_ERR_LEN);
	check_kbad("PIN_EOI len 4", COOP_MSG_PIN_EOI, 4, 0, 0, PL(9), 4, COOP_ERR_LEN);
	check_kbad("PING len 15", COOP_MSG_PING, 15, 0, 0, &ping, 15, COOP_ERR_LEN);
	check_kbad("ROUTE_PIN message flags", COOP_MSG_ROUTE_PIN, 16, 0, 2, PL(3, 0x33, 1, 0), 16,
		   COOP_ERR_FLAGS);
	check_kbad("ROUTE_PIN with a VM", COOP_MSG_ROUTE_PIN, 16, 1, 0, PL(3, 0x33, 1, 0), 16,
		   COOP_ERR_FLAGS);
	check_kbad("ROUTE_PIN unknown route flag", COOP_MSG_ROUTE_PIN, 16, 0, 0, PL(3, 0x33, 0x9, 0), 16,
		   COOP_ERR_FLAGS);
	check_kbad("ROUTE_PIN status set", COOP_MSG_ROUTE_PIN, 16, 0, 0, PL(3, 0x33, 1, 1), 16,
		   COOP_ERR_FLAGS);
	check_kbad("release with a vector", COOP_MSG_ROUTE_PIN, 16, 0, 0, PL(3, 0x33, 0, 0), 16,
		   COOP_ERR_FLAGS);
	check_kbad("release saying MASKED", COOP_MSG_ROUTE_PIN, 16, 0, 0, PL(3, 0, RM, 0), 16,
		   COOP_ERR_FLAGS);
	check_kbad("PIN_EOI with a vector", COOP_MSG_PIN_EOI, 16, 0, 0, PL(9, 0x39), 16, COOP_ERR_FLAGS);
	check_kbad("PIN_EOI with flags", COOP_MSG_PIN_EOI, 16, 0, 0, PL(9, 0, RV), 16, COOP_ERR_FLAGS);
	/* fields */
	check_kbad("PIN_EOI IRQ 99", COOP_MSG_PIN_EOI, 16, 0, 0, PL(99), 16, COOP_ERR_FIELD);
	check_kbad("PIN_EOI of a pin never routed", COOP_MSG_PIN_EOI, 16, 0, 0, PL(9), 16, COOP_ERR_FIELD);
	check_kbad("PIN_EOI of the VMM's pin", COOP_MSG_PIN_EOI, 16, 0, 0, PL(4), 16, COOP_ERR_FIELD);
}

TEST(channel, kernel_ping_pong_and_errors_stay_on_the_kernel_ring)
{
	struct cw *w = cw_new();
	struct coop_msg_ping p = {0x77, 0x88};
	cw_kput(w, COOP_MSG_PING, sizeof(p), 41, 0, 0, &p, sizeof(p));
	cw_poll(w);
	struct coop_msg m = cw_recv_on(&w->ikrx);
	EXPECT_EQ(m.type, COOP_MSG_PONG);
	EXPECT_EQ(m.id, 41);
	EXPECT_MEMEQ(m.payload, &p, sizeof(p));
	cw_expect_empty(w);
	/* An ERROR from iopm.ko: counted, logged, never answered. */
	struct coop_msg_error e = {-COOP_EINVAL, COOP_MSG_ROUTE_REPLY, COOP_ERR_FIELD, 9, 0, "odd reply"};
	cw_kput(w, COOP_MSG_ERROR, sizeof(e), 42, 0, 0, &e, sizeof(e));
	cw_poll(w);
	cw_kexpect_empty(w);
	EXPECT_EQ(w->c.kn.errors_received, 1);
	EXPECT_EQ(w->c.n.errors_received, 0);
	EXPECT_STRCONTAINS(fenv_last_log(), "odd reply");
	EXPECT_EQ(cw_vctrl(w)->kmsgs_received, 2);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_sent, 1);
	cw_free(w);
}

TEST(channel, kernel_wrong_ring_route_messages_change_no_pin)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	struct coop_msg_route r = {3, 0x33, RV, 0};
	w->hw[0] = 0;
	CW_SEND(w, COOP_MSG_ROUTE_PIN, 11, 0, 0, &r);
	struct coop_msg_error e = cw_expect_error(w, COOP_MSG_ROUTE_PIN, 11, COOP_ERR_TYPE);
	EXPECT_STREQ(e.text, "ROUTE_PIN travels on the kernel ring (iopm.ko's)");
	EXPECT_STREQ(w->hw, "");
	EXPECT_FALSE(w->pins.pin[3].routed);
	cw_route(w, 12, 3, 0x33, RV, COOP_ROUTE_ACTIVE); /* the same on the kernel ring works */
	cw_kexpect_empty(w);
	struct coop_msg_route eoi = {3, 0, 0, 0};
	CW_SEND(w, COOP_MSG_PIN_EOI, 13, 0, 0, &eoi);
	cw_expect_error(w, COOP_MSG_PIN_EOI, 13, COOP_ERR_TYPE);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 2);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_refused, 0);
	cw_free(w);
}

TEST(channel, kernel_pin_eoi_unmasks_exactly_the_level_pin_that_waits)
{
	struct cw *w = cw_new();
	cw_route(w, 1, 9, 0x39, RV | RL, COOP_ROUTE_ACTIVE);
	cw_route(w, 2, 10, 0x3a, RV | RL, COOP_ROUTE_ACTIVE);
	cw_route(w, 3, 3, 0x33, RV, COOP_ROUTE_ACTIVE);
	EXPECT_STREQ(cw_fire(w, 9), "mask:9 ipi0:0x39 eoi");
	EXPECT_STREQ(cw_fire(w, 10), "mask:10 ipi0:0x3a eoi");
	cw_ksend_route(w, COOP_MSG_PIN_EOI, 4, 10, 0, 0);
	EXPECT_STREQ(w->hw, "unmask:10"); /* only pin 10 */
	cw_kexpect_empty(w);		  /* an EOI taken is not answered */
	EXPECT_EQ(w->pins.pin[9].hold, FWD_WAIT_EOI);
	EXPECT_EQ(w->pins.pin[10].hold, FWD_OPEN);
	cw_ksend_route(w, COOP_MSG_PIN_EOI, 5, 9, 0, 0);
	EXPECT_STREQ(w->hw, "unmask:9");
	EXPECT_EQ(w->pins.pin[9].eois, 1);
	EXPECT_EQ(w->pins.pin[10].eois, 1);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_refused, 0);
	EXPECT_EQ(w->c.kn.msgs_handled, 5);
	cw_free(w);
}

TEST(channel, kernel_pin_eoi_not_owed_refused_and_counted)
{
	struct cw *w = cw_new();
	cw_route(w, 1, 9, 0x39, RV | RL, COOP_ROUTE_ACTIVE);
	cw_route(w, 2, 3, 0x33, RV, COOP_ROUTE_ACTIVE);
	/* Routed, nothing forwarded: no EOI is owed. */
	cw_ksend_route(w, COOP_MSG_PIN_EOI, 10, 9, 0, 0);
	struct coop_msg_error e = cw_expect_error_on(&w->ikrx, COOP_MSG_PIN_EOI, 10, COOP_ERR_STATE);
	EXPECT_STREQ(e.text, "IRQ 9: not waiting for an EOI");
	EXPECT_STREQ(w->hw, "");
	EXPECT_STRCONTAINS(fenv_last_log(), "PIN_EOI (type 22, id 10) on the kernel ring refused (state)");
	/* One forwarded, one EOI taken; the second is not owed. */
	cw_fire(w, 9);
	cw_ksend_route(w, COOP_MSG_PIN_EOI, 11, 9, 0, 0);
	EXPECT_STREQ(w->hw, "unmask:9");
	cw_ksend_route(w, COOP_MSG_PIN_EOI, 12, 9, 0, 0);
	cw_expect_error_on(&w->ikrx, COOP_MSG_PIN_EOI, 12, COOP_ERR_STATE);
	EXPECT_STREQ(w->hw, "");
	/* An edge pin takes none. */
	cw_fire(w, 3);
	cw_ksend_route(w, COOP_MSG_PIN_EOI, 13, 3, 0, 0);
	cw_expect_error_on(&w->ikrx, COOP_MSG_PIN_EOI, 13, COOP_ERR_STATE);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_refused, 3);
	EXPECT_EQ(w->pins.pin[9].eois, 1);
	cw_kexpect_empty(w);
	cw_free(w);
}

TEST(channel, kernel_masked_route_holds_the_interrupt_until_the_unmask)
{
	struct cw *w = cw_new();
	/* Edge: held one deep while Linux masks it, forwarded at the unmask. */
	cw_route(w, 1, 3, 0x33, RV, COOP_ROUTE_ACTIVE);
	struct coop_msg_route r = cw_route(w, 2, 3, 0x33, RV | RM, COOP_ROUTE_ACTIVE);
	EXPECT_EQ(r.flags, RV | RM);
	EXPECT_STREQ(cw_fire(w, 3), "eoi");
	cw_route(w, 3, 3, 0x33, RV, COOP_ROUTE_ACTIVE);
	EXPECT_STREQ(w->hw, "ipi0:0x33");
	/* Level: masked at the pin while Linux masks it, opened at the unmask. */
	cw_route(w, 4, 9, 0x39, RV | RL | RM, COOP_ROUTE_ACTIVE);
	EXPECT_STREQ(w->hw, "claim:9"); /* programmed masked, stays masked */
	cw_route(w, 5, 9, 0x39, RV | RL, COOP_ROUTE_ACTIVE);
	EXPECT_STREQ(w->hw, "unmask:9");
	cw_route(w, 6, 9, 0x39, RV | RL | RM, COOP_ROUTE_ACTIVE);
	EXPECT_STREQ(cw_fire(w, 9), "mask:9 eoi");
	cw_route(w, 7, 9, 0x39, RV | RL, COOP_ROUTE_ACTIVE);
	EXPECT_STREQ(w->hw, "unmask:9");
	EXPECT_EQ(w->pins.pin[9].held, 1);
	EXPECT_EQ(w->pins.pin[3].held, 1);
	EXPECT_EQ(w->pins.pin[3].forwarded, 1);
	cw_free(w);
}

TEST(channel, kernel_release_then_the_pin_is_no_longer_forwarded)
{
	struct cw *w = cw_new();
	cw_route(w, 1, 3, 0x33, RV, COOP_ROUTE_ACTIVE);
	EXPECT_STREQ(cw_fire(w, 3), "ipi0:0x33 eoi");
	struct coop_msg_route r = cw_route(w, 2, 3, 0, 0, COOP_ROUTE_NONE);
	EXPECT_EQ(r.flags, 0);
	EXPECT_STREQ(w->hw, "mask:3");
	EXPECT_STREQ(fenv_last_log(), "[iopm] iopm0: ROUTE_PIN IRQ 3 released");
	EXPECT_STREQ(cw_fire(w, 3), "eoi");
	EXPECT_EQ(w->pins.pin[3].forwarded, 1);
	EXPECT_EQ(w->pins.pin[3].dropped, 1);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_refused, 0);
	/* A level route released while it waited for an EOI: the pin stays
	 * masked, and the late EOI is refused. */
	cw_route(w, 3, 9, 0x39, RV | RL, COOP_ROUTE_ACTIVE);
	cw_fire(w, 9);
	cw_route(w, 4, 9, 0, 0, COOP_ROUTE_NONE);
	EXPECT_STREQ(w->hw, "");
	cw_ksend_route(w, COOP_MSG_PIN_EOI, 5, 9, 0, 0);
	cw_expect_error_on(&w->ikrx, COOP_MSG_PIN_EOI, 5, COOP_ERR_FIELD);
	EXPECT_STREQ(w->hw, "");
	EXPECT_STREQ(cw_fire(w, 9), "mask:9 eoi");
	cw_free(w);
}

TEST(channel, kernel_corrupt_prod_stops_only_that_direction)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	cw_route(w, 1, 3, 0x33, RV, COOP_ROUTE_ACTIVE);
	cw_ictrl(w)->ktx.prod = w->c.krx.cons + COOP_KRING_ENTRIES + 1;
	cw_poll(w);
	EXPECT_TRUE(w->c.krx_broken);
	EXPECT_FALSE(w->c.rx_broken);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_refused, 1);
	EXPECT_EQ(cw_vctrl(w)->msgs_refused, 0);
	EXPECT_STRCONTAINS(fenv_last_log(), "its kernel ring is impossible");
	unsigned logs = fenv_log_count();
	/* A sane index later: still unread, nothing more logged. */
	cw_ictrl(w)->ktx.prod = w->c.krx.cons + 1;
	cw_poll(w);
	EXPECT_EQ(w->c.kn.msgs_received, 1);
	EXPECT_EQ(fenv_log_count(), logs);
	/* The route made before stays; iopmd's ring still works both ways. */
	EXPECT_STREQ(cw_fire(w, 3), "ipi0:0x33 eoi");
	struct coop_msg_ping p = {5, 6};
	CW_SEND(w, COOP_MSG_PING, 20, 0, 0, &p);
	EXPECT_EQ(cw_recv(w).type, COOP_MSG_PONG);
	EXPECT_FALSE(w->c.ktx_broken);
	cw_free(w);
}

TEST(channel, kernel_corrupt_cons_stops_only_sending_on_it)
{
	struct cw *w = cw_new();
	cw_hello(w, 0x61);
	cw_ictrl(w)->krx.cons = 777; /* iopm.ko "consumed" replies never sent */
	cw_ksend_route(w, COOP_MSG_ROUTE_PIN, 1, 3, 0x33, RV);
	EXPECT_TRUE(w->c.ktx_broken);
	EXPECT_STRCONTAINS(fenv_last_log(), "nothing more is sent on it");
	EXPECT_EQ(w->c.kn.replies_dropped, 1);
	EXPECT_TRUE(w->pins.pin[3].routed); /* the route itself was made */
	cw_kexpect_empty(w);
	/* The kernel ring is still read; iopmd's pair is untouched. */
	cw_ictrl(w)->krx.cons = 0;
	cw_fire(w, 3);
	struct coop_msg_ping p = {1, 2};
	cw_kput(w, COOP_MSG_PING, sizeof(p), 2, 0, 0, &p, sizeof(p));
	cw_poll(w);
	EXPECT_EQ(w->c.kn.msgs_received, 2);
	EXPECT_EQ(w->c.kn.replies_dropped, 2);
	cw_kexpect_empty(w);
	CW_SEND(w, COOP_MSG_PING, 3, 0, 0, &p);
	EXPECT_EQ(cw_recv(w).type, COOP_MSG_PONG);
	EXPECT_FALSE(w->c.tx_broken);
	cw_free(w);
}

TEST(channel, kernel_ring_notifications)
{
	struct cw *w = cw_new();
	/* Before HELLO the VMM knows no vector: iopm.ko polls for its reply. */
	cw_route(w, 1, 3, 0x33, RV, COOP_ROUTE_ACTIVE);
	EXPECT_EQ(w->notifies, 0);
	cw_hello(w, 0x61);
	unsigned n = w->notifies;
	/* iopm.ko armed its consumer (coop_ring_rx_init: event 1, taken 1): the next reply is notified once.
	 */
	EXPECT_FALSE(coop_ring_arm(&w->ikrx));
	cw_route(w, 2, 3, 0x33, RV | RM, COOP_ROUTE_ACTIVE);
	EXPECT_EQ(w->notifies, n + 1);
	EXPECT_EQ(w->last_vector, 0x61);
	EXPECT_EQ(w->c.kn.notifies_sent, 1);
	EXPECT_EQ(cw_vctrl(w)->notifies_sent, w->notifies); /* IPIs to the IOPM, both ring pairs */
	/* Not re-armed (draining): no IPI. */
	cw_route(w, 3, 3, 0x33, RV, COOP_ROUTE_ACTIVE);
	EXPECT_EQ(w->notifies, n + 1);
	/* The VMM's consumer end is armed after each drain: iopm.ko's push asks for an IPI. */
	struct coop_msg_route q = {3, 0x33, RV, 0};
	struct coop_msg m;
	coop_msg_init(&m, COOP_MSG_ROUTE_PIN, 4, 0, 0, &q, sizeof(q));
	EXPECT_EQ(coop_ring_put(&w->iktx, &m), 0);
	EXPECT_TRUE(coop_ring_push(&w->iktx));
	/* SET_MODE poll: the VMM polls the kernel ring too and asks for no IPIs. */
	cw_poll(w);
	(void)cw_route_reply(w, 4);
	struct coop_msg_mode mo = {COOP_MODE_POLL, 0};
	CW_SEND(w, COOP_MSG_SET_MODE, 9, 0, 0, &mo);
	EXPECT_EQ(cw_vctrl(w)->krx.flags, COOP_RING_POLLING);
	EXPECT_EQ(coop_ring_put(&w->iktx, &m), 0);
	EXPECT_FALSE(coop_ring_push(&w->iktx));
	cw_free(w);
}

TEST(channel, kernel_published_pins_and_counters_add_up)
{
	struct cw *w = cw_new();
	cw_route(w, 1, 9, 0x39, RV | RL, COOP_ROUTE_ACTIVE);
	cw_route(w, 2, 4, 0x34, RV, COOP_ROUTE_REFUSED_OWNED);
	cw_fire(w, 9);
	cw_ksend_route(w, COOP_MSG_PIN_EOI, 3, 9, 0, 0);
	cw_ksend_route(w, COOP_MSG_PIN_EOI, 4, 9, 0, 0); /* not owed */
	(void)cw_recv_on(&w->ikrx);
	const struct chan_counters *k = &w->c.kn;
	EXPECT_EQ(k->msgs_received, 4);
	EXPECT_EQ(k->msgs_received, k->msgs_handled + k->msgs_refused - k->broken);
	EXPECT_EQ(k->msgs_refused, 2);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_received, 4);
	EXPECT_EQ(cw_vctrl(w)->kmsgs_sent, 3); /* 2 ROUTE_REPLY, 1 ERROR */
	EXPECT_EQ(cw_vctrl(w)->krx.cons, 4);
	EXPECT_EQ(cw_vctrl(w)->ktx.prod, 3);
	cw_free(w);
}
