/* SPDX-License-Identifier: GPL-2.0-only */
/* test_ioreq.c: the request path (vmm/vcpu/ioreq.c, vmm/vcpu/iomap.c, the deferred
 * test device's model vmm/vdev/testdev_defer.c): the range map's rules, and in
 * the exit harness (manual mode: the test completes each deferred request
 * when it wants) a vCPU that waits after IN/OUT, INS/OUTS and MMIO to the
 * deferred test device, is not entered while it waits, and finishes the
 * instruction when the completion arrives; every device access made once;
 * stale and forged completions refused; a VM destroyed with a request in
 * flight. */
#include "exit_util.h"

#include "vmm/lib/errno.h"
#include "vmm/vcpu/iomap.h"
#include "vmm/vcpu/ioreq.h"
#include "vmm/vdev/testdev_defer.h"

#define DPORT_SCRATCH 0x500
#define DPORT_FIFO    0x508
#define DPORT_COUNT   0x50c
#define DPORT_DELAY   0x510
#define DMMIO	      0xfeb01000ULL

static int pio_stub(struct vcpu *v, uint16_t port, unsigned size, bool write, uint32_t *val)
{
	(void)v, (void)port, (void)size, (void)write, (void)val;
	return 0;
}

static int defer_stub(struct vm *vm, const struct coop_ioreq *req)
{
	(void)vm, (void)req;
	return 0;
}

TEST(iomap, add_find_and_refusals)
{
	struct iomap m;
	iomap_init(&m);
	struct iomap_range a = {
	    .name = "a", .space = COOP_IOREQ_PIO, .first = 0x10, .last = 0x13, .pio = pio_stub};
	EXPECT_EQ(iomap_add(&m, &a), 0);
	struct iomap_range b = a;
	b.first = 0x13, b.last = 0x20;
	EXPECT_EQ(iomap_add(&m, &b), -EEXIST); /* overlaps a */
	b.space = COOP_IOREQ_MMIO, b.pio = NULL, b.defer = defer_stub;
	EXPECT_EQ(iomap_add(&m, &b), 0); /* same numbers, other space */
	struct iomap_range c = {
	    .name = "c", .space = COOP_IOREQ_PIO, .first = 0x30, .last = 0x2f, .pio = pio_stub};
	EXPECT_EQ(iomap_add(&m, &c), -EINVAL); /* first > last */
	c.last = 0x10000;
	EXPECT_EQ(iomap_add(&m, &c), -EINVAL); /* beyond port 0xffff */
	c.last = 0x30, c.defer = defer_stub;
	EXPECT_EQ(iomap_add(&m, &c), -EINVAL); /* two handlers */
	c.pio = NULL, c.defer = NULL;
	EXPECT_EQ(iomap_add(&m, &c), -EINVAL); /* a VMM range without a handler */
	c.server = IOMAP_IOPM, c.iopm = 3;
	EXPECT_EQ(iomap_add(&m, &c), 0); /* an IOPM's range: no handler */
	EXPECT_TRUE(iomap_find(&m, COOP_IOREQ_PIO, 0x30) != NULL);
	EXPECT_EQ(iomap_find(&m, COOP_IOREQ_PIO, 0x30)->iopm, 3);
	EXPECT_TRUE(iomap_find(&m, COOP_IOREQ_PIO, 0x14) == NULL);
	EXPECT_TRUE(iomap_find(&m, COOP_IOREQ_PIO, 0x13) == &m.r[COOP_IOREQ_PIO][0]);
	EXPECT_TRUE(iomap_contains(&m.r[COOP_IOREQ_PIO][0], 0x12, 2));
	EXPECT_FALSE(iomap_contains(&m.r[COOP_IOREQ_PIO][0], 0x12, 4));
	EXPECT_FALSE(iomap_contains(&m.r[COOP_IOREQ_PIO][0], 0x12, 0));
	struct iomap_range d = {.name = "d", .space = COOP_IOREQ_MMIO, .defer = defer_stub};
	for (unsigned i = m.n[COOP_IOREQ_MMIO]; i < IOMAP_MAX_RANGES; i++) {
		d.first = d.last = 0x100000ULL + i;
		EXPECT_EQ(iomap_add(&m, &d), 0);
	}
	d.first = d.last = 0x200000ULL;
	EXPECT_EQ(iomap_add(&m, &d), -ENOSPC);
}

TEST(testdev_defer, model_ports_mmio_and_delay)
{
	struct testdev_defer t;
	testdev_defer_init(&t);
	EXPECT_EQ(t.delay_us, TESTDEV_DEFER_DELAY_INIT_US);
	struct coop_ioreq r;
	memset(&r, 0, sizeof(r));
	r.space = COOP_IOREQ_PIO, r.dir = COOP_IOREQ_WRITE, r.size = 2, r.count = 1;
	r.addr = DPORT_DELAY + 1, r.data = 0x0001; /* lanes 1-2: 1000 = 0x3e8 -> 0x1e8 */
	testdev_defer_serve(&t, &r);
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(t.delay_us, 0x1e8);
	r.size = 4, r.addr = DPORT_DELAY, r.data = 0xffffffff;
	testdev_defer_serve(&t, &r);
	EXPECT_EQ(t.delay_us, TESTDEV_DEFER_DELAY_MAX_US); /* clamped */
	r.dir = COOP_IOREQ_READ, r.data = 0;
	testdev_defer_serve(&t, &r);
	EXPECT_EQ(r.data, TESTDEV_DEFER_DELAY_MAX_US);
	r.addr = DPORT_DELAY - 2; /* straddles the FIFO count and the delay */
	testdev_defer_serve(&t, &r);
	EXPECT_EQ(r.status, -EINVAL);
	EXPECT_EQ(r.data, 0xffffffffULL);
	r.addr = DPORT_SCRATCH + 4, r.size = 1; /* no IRQ pulse here */
	testdev_defer_serve(&t, &r);
	EXPECT_EQ(r.status, -EINVAL);
	/* A string of 3 words into the FIFO, then out again. */
	r.addr = DPORT_FIFO, r.size = 2, r.count = 3, r.flags = COOP_IOREQ_STRING, r.dir = COOP_IOREQ_WRITE;
	memcpy(r.buf, "\x01\x02\x03\x04\x05\x06", 6);
	testdev_defer_serve(&t, &r);
	EXPECT_EQ(t.dev.fifo_len, 6);
	r.dir = COOP_IOREQ_READ, r.size = 1, r.count = 6;
	memset(r.buf, 0, 6);
	testdev_defer_serve(&t, &r);
	EXPECT_MEMEQ(r.buf, "\x01\x02\x03\x04\x05\x06", 6);
	/* MMIO: the scratch page, and nothing beyond the page. */
	memset(&r, 0, sizeof(r));
	r.space = COOP_IOREQ_MMIO, r.dir = COOP_IOREQ_WRITE, r.size = 8, r.count = 1;
	r.addr = DMMIO + 8, r.data = 0x1122334455667788ULL;
	testdev_defer_serve(&t, &r);
	r.dir = COOP_IOREQ_READ, r.data = 0;
	testdev_defer_serve(&t, &r);
	EXPECT_EQ(r.data, 0x1122334455667788ULL);
	r.addr = DMMIO + 0x1000;
	testdev_defer_serve(&t, &r);
	EXPECT_EQ(r.status, -EINVAL);
}

/* A VM with two vCPUs, deferred requests completed by the test. */
static struct vm *manual_vm(enum hv_mode m)
{
	struct vm *vm = hv_create(HV_MEM, 2, m);
	if (!vm)
		test_fail(__FILE__, __LINE__, "hv_create: %s", hv_violation_text(0));
	fenv_defer_manual(true);
	return vm;
}

TEST(ioreq, in_waits_then_completes_with_the_data)
{
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	vm->testdev_defer.dev.port_scratch = 0xa1b2c3d4;
	v->regs[RAX] = 0xffffffff00000000ULL;
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(DPORT_SCRATCH, 2, true), 1);
	EXPECT_TRUE(r.waiting);
	EXPECT_FALSE(r.enter);
	EXPECT_EQ(r.rip_after, r.rip_before); /* not finished yet */
	EXPECT_EQ(v->regs[RAX], 0xffffffff00000000ULL);
	EXPECT_EQ(fenv_deferred(), 1);
	const struct coop_ioreq *q = fenv_deferred_req(0);
	EXPECT_EQ(q->space, COOP_IOREQ_PIO);
	EXPECT_EQ(q->dir, COOP_IOREQ_READ);
	EXPECT_EQ(q->addr, DPORT_SCRATCH);
	EXPECT_EQ(q->size, 2);
	EXPECT_EQ(q->count, 1);
	EXPECT_EQ(q->vm, vm->id);
	EXPECT_EQ(q->vcpu, 0);
	/* Still waiting: not entered. */
	r = hv_resume(v);
	EXPECT_TRUE(r.waiting);
	EXPECT_FALSE(r.enter);
	unsigned kicks = fenv_kicks();
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	EXPECT_EQ(fenv_kicks(), kicks + 1); /* the vCPU's CPU is woken */
	r = hv_resume(v);
	EXPECT_FALSE(r.waiting);
	EXPECT_TRUE(r.enter);
	EXPECT_EQ(r.rip_after, r.rip_before + 1);
	EXPECT_EQ(v->regs[RAX], 0xffffffff0000c3d4ULL); /* AX only */
	EXPECT_EQ(v->io.requests, 1);
	EXPECT_EQ(v->io.waits, 1);
	EXIT_DONE(vm);
}

TEST(ioreq, out_then_in_on_the_other_vcpu)
{
	struct vm *vm = manual_vm(HV_LONG64);
	struct vcpu *v1 = &vm->vcpu[1];
	v1->regs[RAX] = 0x12345678;
	struct hv_result r = hv_run_insn(v1, EXIT_IO_INSTRUCTION, IOQ(DPORT_SCRATCH, 4, false), 1);
	EXPECT_TRUE(r.waiting);
	EXPECT_EQ(vm->testdev_defer.dev.port_scratch, 0); /* served when completed */
	EXPECT_EQ(fenv_deferred_req(0)->vcpu, 1);
	EXPECT_EQ(fenv_deferred_req(0)->data, 0x12345678);
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	EXPECT_EQ(vm->testdev_defer.dev.port_scratch, 0x12345678);
	r = hv_resume(v1);
	EXPECT_EQ(r.rip_after, r.rip_before + 1);
	EXIT_DONE(vm);
}

TEST(ioreq, stale_and_forged_completions_are_refused)
{
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(DPORT_SCRATCH, 4, true), 1);
	const struct coop_ioreq q = *fenv_deferred_req(0);
	uint64_t stale = ioreq_stale_completions();
	/* Wrong sequence number, wrong vCPU, vCPU out of range, no such VM. */
	EXPECT_EQ(ioreq_complete(q.vm, q.vcpu, q.seq + 1, NULL, NULL), -ESRCH);
	EXPECT_EQ(ioreq_complete(q.vm, 1, q.seq, NULL, NULL), -ESRCH);
	EXPECT_EQ(ioreq_complete(q.vm, 7, q.seq, NULL, NULL), -ESRCH);
	EXPECT_EQ(ioreq_complete(q.vm + 100, q.vcpu, q.seq, NULL, NULL), -ESRCH);
	EXPECT_EQ(ioreq_stale_completions(), stale + 4);
	EXPECT_TRUE(hv_resume(v).waiting);
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	/* Completed once; a second completion of the same request is stale. */
	EXPECT_EQ(ioreq_complete(q.vm, q.vcpu, q.seq, NULL, NULL), -ESRCH);
	EXPECT_FALSE(hv_resume(v).waiting);
	EXIT_DONE(vm);
}

TEST(ioreq, vm_destroyed_with_a_request_in_flight)
{
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[1];
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(DPORT_SCRATCH, 4, true), 1);
	EXPECT_TRUE(r.waiting);
	const struct coop_ioreq q = *fenv_deferred_req(0);
	/* The other vCPU ends the VM through the debug-exit port. */
	struct vcpu *v0 = &vm->vcpu[0];
	v0->regs[RAX] = 0;
	hv_run_insn(v0, EXIT_IO_INSTRUCTION, IOQ(0xf4, 1, false), 1);
	EXPECT_EQ(vm->state, VM_EXITED);
	/* The late answer finds the VM ended: refused, nothing touched. */
	EXPECT_EQ(fenv_complete_deferred(0), -ESRCH);
	EXPECT_EQ(v->io.state, IOREQ_PENDING);
	hv_destroy(vm);
	EXPECT_CLEAN();
	/* And once the VM is freed the id is unknown. */
	EXPECT_EQ(ioreq_complete(q.vm, q.vcpu, q.seq, NULL, NULL), -ESRCH);
}

TEST(ioreq, rep_outs_and_ins_in_batches)
{
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	uint8_t *src = hv_gpa(vm, 0x5000, 200), *dst = hv_gpa(vm, 0x6000, 200);
	for (int i = 0; i < 200; i++)
		src[i] = (uint8_t)(i ^ 0x5a);
	v->regs[RSI] = 0x5000;
	v->regs[RCX] = 200;
	struct hv_exit e = string_exit(DPORT_FIFO, 1, false, true, 1, 3);
	struct hv_result r = hv_run(v, &e);
	EXPECT_TRUE(r.waiting);
	EXPECT_EQ(fenv_deferred_req(0)->count, EXIT_REP_BATCH); /* one batch per request */
	EXPECT_MEMEQ(fenv_deferred_req(0)->buf, src, EXIT_REP_BATCH);
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	r = hv_resume(v);
	EXPECT_EQ(v->regs[RCX], 200 - EXIT_REP_BATCH);
	EXPECT_EQ(v->regs[RSI], 0x5000 + EXIT_REP_BATCH);
	EXPECT_EQ(r.rip_after, r.rip_before); /* the REP goes on after the next entry */
	r = hv_run(v, &e);
	EXPECT_EQ(fenv_deferred_req(0)->count, 200 - EXIT_REP_BATCH);
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	r = hv_resume(v);
	EXPECT_EQ(v->regs[RCX], 0);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(vm->testdev_defer.dev.fifo_len, 200);
	/* Back with REP INSW (100 words). */
	v->regs[RDI] = 0x6000;
	v->regs[RCX] = 100;
	e = string_exit(DPORT_FIFO, 2, true, true, 1, 3);
	r = hv_run(v, &e);
	EXPECT_TRUE(r.waiting);
	EXPECT_EQ(fenv_deferred_req(0)->count, 100);
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	r = hv_resume(v);
	EXPECT_EQ(v->regs[RCX], 0);
	EXPECT_EQ(v->regs[RDI], 0x6000 + 200);
	EXPECT_MEMEQ(dst, src, 200);
	EXIT_DONE(vm);
}

TEST(ioreq, mmio_xchg_reads_once_and_writes_once)
{
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	static const uint8_t xchg[] = {0x87, 0x03}; /* xchg [ebx], eax */
	memcpy(&vm->testdev_defer.dev.scratch[0x20], "\x11\x22\x33\x44", 4);
	v->regs[RBX] = DMMIO + 0x20;
	v->regs[RAX] = 0xaabbccdd;
	struct hv_result r = mmio_exit(v, xchg, 2, DMMIO + 0x20, DMMIO + 0x20, false);
	EXPECT_TRUE(r.waiting);
	EXPECT_EQ(fenv_deferred_req(0)->dir, COOP_IOREQ_READ);
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	r = hv_resume(v);
	EXPECT_TRUE(r.waiting);		     /* now the write */
	EXPECT_EQ(v->regs[RAX], 0xaabbccdd); /* nothing done before the write */
	EXPECT_EQ(fenv_deferred_req(0)->dir, COOP_IOREQ_WRITE);
	EXPECT_EQ(fenv_deferred_req(0)->data, 0xaabbccdd);
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	r = hv_resume(v);
	EXPECT_FALSE(r.waiting);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_EQ(v->regs[RAX], 0x44332211);
	uint32_t now;
	memcpy(&now, &vm->testdev_defer.dev.scratch[0x20], 4);
	EXPECT_EQ(now, 0xaabbccdd);
	EXPECT_EQ(vm->testdev_defer.dev.count, 2); /* one read, one write */
	EXIT_DONE(vm);
}

TEST(ioreq, movs_between_devices_makes_each_access_once)
{
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	static const uint8_t rep_movsd[] = {0xf3, 0xa5};
	memcpy(&vm->testdev.scratch[0x40], "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	v->regs[RSI] = 0xfeb00040;   /* the test device: answers at once */
	v->regs[RDI] = DMMIO + 0x80; /* the deferred one */
	v->regs[RCX] = 2;
	struct hv_result r = mmio_exit(v, rep_movsd, 2, 0xfeb00040, 0xfeb00040, false);
	EXPECT_TRUE(r.waiting);
	EXPECT_EQ(fenv_deferred_req(0)->addr, DMMIO + 0x80);
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	r = hv_resume(v); /* element 2: its write waits */
	EXPECT_TRUE(r.waiting);
	EXPECT_EQ(v->regs[RCX], 1);
	EXPECT_EQ(fenv_deferred_req(0)->addr, DMMIO + 0x84);
	EXPECT_EQ(fenv_complete_deferred(0), 0);
	r = hv_resume(v);
	EXPECT_FALSE(r.waiting);
	EXPECT_EQ(v->regs[RCX], 0);
	EXPECT_EQ(r.rip_after, r.rip_before + 2);
	EXPECT_MEMEQ(&vm->testdev_defer.dev.scratch[0x80], "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	EXPECT_EQ(vm->testdev.count, 2); /* each source element read once */
	EXPECT_EQ(vm->testdev_defer.dev.count, 2);
	EXIT_DONE(vm);
}

/* The IOPMs' server as the channel registers it: records each request. */
static unsigned served;
static uint32_t served_iopm;
static struct coop_ioreq served_req;
static int served_result;

static int iopm_server_stub(struct vm *vm, uint32_t iopm, const struct coop_ioreq *req)
{
	(void)vm;
	served++;
	served_iopm = iopm;
	served_req = *req;
	return served_result;
}

static void copy_answer(struct vm *vm, struct coop_ioreq *req, void *arg)
{
	(void)vm;
	req->data = *(uint64_t *)arg;
}

/* With a server registered, an IOPM's range becomes a request handed to
 * it (the IOPM's number, the access); the vCPU waits, and the completion
 * (from the channel's IO_DONE) finishes the IN. A server that refuses
 * (the slot busy) makes the access read all ones at once. */
TEST(ioreq, iopm_range_goes_to_the_registered_server)
{
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	struct iomap_range r0 = {.name = "iopm",
				 .space = COOP_IOREQ_PIO,
				 .first = 0x6f8,
				 .last = 0x6ff,
				 .server = IOMAP_IOPM,
				 .iopm = 2};
	EXPECT_EQ(iomap_add(&vm->iomap, &r0), 0);
	served = 0;
	served_result = 0;
	ioreq_set_iopm_server(iopm_server_stub, NULL);
	v->regs[RAX] = 0x12345600;
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x6fd, 1, true), 1);
	EXPECT_TRUE(r.waiting);
	EXPECT_EQ(served, 1);
	EXPECT_EQ(served_iopm, 2);
	EXPECT_EQ(served_req.space, COOP_IOREQ_PIO);
	EXPECT_EQ(served_req.dir, COOP_IOREQ_READ);
	EXPECT_EQ(served_req.addr, 0x6fd);
	EXPECT_EQ(served_req.size, 1);
	EXPECT_EQ(served_req.vm, vm->id);
	EXPECT_EQ(served_req.vcpu, 0);
	uint64_t answer = 0x60;
	EXPECT_EQ(ioreq_complete(vm->id, 0, served_req.seq, copy_answer, &answer), 0);
	r = hv_resume(v);
	EXPECT_TRUE(r.enter);
	EXPECT_EQ(v->regs[RAX], 0x12345660);
	/* Refused by the server: all ones now, counted as unclaimed. */
	served_result = -EIO;
	r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x6fd, 1, true), 1);
	EXPECT_FALSE(r.waiting);
	EXPECT_EQ(served, 2);
	EXPECT_EQ(v->regs[RAX] & 0xff, 0xff);
	EXPECT_EQ(vm->unclaimed_io, 1);
	ioreq_set_iopm_server(NULL, NULL);
	EXIT_DONE(vm);
}

static unsigned posts;
static int post_result;
static struct coop_ioreq posted_req;

static int post_stub(struct vm *vm, uint32_t iopm, const struct coop_ioreq *req)
{
	(void)vm;
	EXPECT_EQ(iopm, 2);
	posts++;
	posted_req = *req;
	return post_result;
}

TEST(ioreq, iopm_range_writes_are_posted_when_the_channel_takes_them)
{
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	struct iomap_range r0 = {.name = "iopm-posted",
				 .space = COOP_IOREQ_PIO,
				 .first = 0x6f8,
				 .last = 0x6ff,
				 .server = IOMAP_IOPM,
				 .iopm = 2,
				 .posted = true};
	EXPECT_EQ(iomap_add(&vm->iomap, &r0), 0);
	served = 0;
	served_result = 0;
	posts = 0;
	post_result = 0;
	ioreq_set_iopm_server(iopm_server_stub, post_stub);
	/* A single OUT: posted, the vCPU goes on at once, RIP past it. */
	v->regs[RAX] = 0x5a;
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x6fd, 1, false), 1);
	EXPECT_FALSE(r.waiting);
	EXPECT_EQ(r.rip_after, r.rip_before + 1);
	EXPECT_EQ(posts, 1);
	EXPECT_EQ(served, 0);
	EXPECT_EQ(posted_req.dir, COOP_IOREQ_WRITE);
	EXPECT_EQ(posted_req.addr, 0x6fd);
	EXPECT_EQ(posted_req.data, 0x5a);
	EXPECT_EQ(posted_req.size, 1);
	EXPECT_EQ(posted_req.vm, vm->id);
	EXPECT_EQ(v->io.posted, 1);
	EXPECT_EQ(v->io.state, IOREQ_IDLE);
	uint64_t first_seq = posted_req.seq;
	/* The channel cannot take it now: it becomes a request, later seq. */
	post_result = -EBUSY;
	r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x6fd, 1, false), 1);
	EXPECT_TRUE(r.waiting);
	EXPECT_EQ(posts, 2);
	EXPECT_EQ(served, 1);
	EXPECT_EQ(served_req.dir, COOP_IOREQ_WRITE);
	EXPECT_TRUE(served_req.seq > first_seq);
	EXPECT_EQ(ioreq_complete(vm->id, 0, served_req.seq, copy_answer, &(uint64_t){0}), 0);
	r = hv_resume(v);
	EXPECT_TRUE(r.enter);
	/* A read is never posted. */
	post_result = 0;
	r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x6fd, 1, true), 1);
	EXPECT_TRUE(r.waiting);
	EXPECT_EQ(posts, 2);
	EXPECT_EQ(served, 2);
	EXPECT_EQ(served_req.dir, COOP_IOREQ_READ);
	ioreq_set_iopm_server(NULL, NULL);
	EXIT_DONE(vm);
}

TEST(ioreq, iopm_range_is_refused_until_the_channel)
{
	ioreq_set_iopm_server(NULL, NULL);
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	struct iomap_range r0 = {.name = "iopm",
				 .space = COOP_IOREQ_PIO,
				 .first = 0x700,
				 .last = 0x707,
				 .server = IOMAP_IOPM,
				 .iopm = 1};
	EXPECT_EQ(iomap_add(&vm->iomap, &r0), 0);
	v->regs[RAX] = 0;
	struct hv_result r = hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x700, 2, true), 1);
	EXPECT_FALSE(r.waiting);
	EXPECT_EQ(v->regs[RAX], 0xffff);
	EXPECT_EQ(vm->unclaimed_io, 1);
	EXIT_DONE(vm);
}

/* vmctl stats's hot lists: every port access counted by port, every MMIO
 * access by page, whether a device claims it or not. */
TEST(ioreq, accesses_counted_by_port_and_page)
{
	struct vm *vm = manual_vm(HV_PROT32);
	struct vcpu *v = &vm->vcpu[0];
	for (int i = 0; i < 5; i++)
		hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x80, 1, false), 2);
	for (int i = 0; i < 2; i++)
		hv_run_insn(v, EXIT_IO_INSTRUCTION, IOQ(0x70, 1, true), 1);
	uint64_t val = 0;
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(ioreq_mmio(v, 0xfe800010, 4, false, &val), IOREQ_DONE); /* unclaimed */
	uint64_t k[HOT_SLOTS], c[HOT_SLOTS];
	EXPECT_EQ(hot_top(&vm->hot_io, HOT_SLOTS, k, c, NULL), 2);
	EXPECT_EQ(k[0], 0x80);
	EXPECT_EQ(c[0], 5);
	EXPECT_EQ(k[1], 0x70);
	EXPECT_EQ(c[1], 2);
	EXPECT_EQ(hot_top(&vm->hot_mmio, HOT_SLOTS, k, c, NULL), 1);
	EXPECT_EQ(k[0], 0xfe800);
	EXPECT_EQ(c[0], 3);
	EXIT_DONE(vm);
}
