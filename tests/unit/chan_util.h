/* SPDX-License-Identifier: GPL-2.0-only */
/* chan_util.h: a part of the shared zone in host memory with the VMM's
 * channel over it (vmm/iopm/channel.c) and a fake IOPM driving the other
 * ends of the rings with shared/coop_ring.h (iopmd's pair and iopm.ko's
 * kernel rings), for tests/unit/test_channel.c. Routes go to a real pin
 * table (vmm/iopm/irq_forward.c) over fake hardware that records what it
 * was told in `hw`. */
#ifndef TESTS_UNIT_CHAN_UTIL_H
#define TESTS_UNIT_CHAN_UTIL_H

#include <stdarg.h>
#include <stdlib.h>

#include "shared/coop_ring.h"
#include "test.h"
#include "tests/harness/harness.h"
#include "vmm/iopm/channel.h"

#define CW_VMS 4

struct cw_vm {
	uint32_t id, vcpus;
	bool served;
	const char *name;
};

struct cw {
	uint8_t *part;
	struct chan c;
	struct coop_ring_tx itx;  /* the fake IOPM: producer of its ring */
	struct coop_ring_rx irx;  /* ... and consumer of the VMM's */
	struct coop_ring_tx iktx; /* the fake iopm.ko: producer of its kernel ring */
	struct coop_ring_rx ikrx; /* ... and consumer of the VMM's */
	struct fwd_table pins;	  /* VMM keeps IRQ 4; IRQ 5 is IOPM 1's */
	uint32_t level_irqs;	  /* pins the fake IOAPIC says are level (bit per IRQ): 9, 10 */
	uint32_t no_pin_irqs;	  /* pins no IOAPIC has: 13 */
	char hw[512];		  /* what the fake hardware was told, in order */
	unsigned notifies;
	uint8_t last_vector;
	struct cw_vm vm[CW_VMS];
	unsigned nvm;
	unsigned io_dones;
	uint32_t io_done_slot;
	struct coop_ioreq io_done_rsp;
	unsigned irq_lines; /* irq_line calls */
	unsigned msis;	    /* msi calls, and the last one's arguments */
	uint64_t msi_addr;
	uint32_t msi_data;
	uint32_t irq_vm, irq_line, irq_op; /* the last one's arguments */
	uint64_t now;
};

static inline struct cw *cw_of(void *ctx)
{
	return ctx;
}

static inline void cw_notify(void *ctx, uint8_t vector)
{
	cw_of(ctx)->notifies++;
	cw_of(ctx)->last_vector = vector;
}

static inline bool cw_vm_find(void *ctx, uint32_t id, struct chan_vm *out)
{
	struct cw *w = ctx;
	for (unsigned i = 0; i < w->nvm; i++)
		if (w->vm[i].id == id) {
			out->vcpus = w->vm[i].vcpus;
			out->served = w->vm[i].served;
			return true;
		}
	return false;
}

static inline uint32_t cw_vm_list(void *ctx, struct chan_vm_entry *out, uint32_t max)
{
	struct cw *w = ctx;
	uint32_t n = 0;
	for (unsigned i = 0; i < w->nvm && n < max; i++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].id = w->vm[i].id;
		out[n].info.vcpus = w->vm[i].vcpus;
		out[n].info.mem = 0x100000ULL * (i + 1);
		snprintf(out[n].info.name, sizeof(out[n].info.name), "%s", w->vm[i].name);
	}
	return n;
}

static inline void cw_io_done(void *ctx, uint32_t slot, const struct coop_ioreq *rsp)
{
	struct cw *w = ctx;
	w->io_dones++;
	w->io_done_slot = slot;
	w->io_done_rsp = *rsp;
}

static inline bool cw_irq_line(void *ctx, uint32_t vm, uint32_t line, uint32_t op)
{
	struct cw *w = ctx;
	w->irq_lines++;
	w->irq_vm = vm;
	w->irq_line = line;
	w->irq_op = op;
	return true;
}

static inline void cw_hw(struct cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void cw_hw(struct cw *w, const char *fmt, ...)
{
	size_t n = strlen(w->hw);
	if (n && n + 1 < sizeof(w->hw))
		w->hw[n++] = ' ';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->hw + n, sizeof(w->hw) - n, fmt, ap);
	va_end(ap);
}

static inline int cw_claim(void *ctx, uint32_t irq, bool *level)
{
	struct cw *w = ctx;
	if (w->no_pin_irqs & (1U << irq))
		return -1;
	*level = w->level_irqs & (1U << irq);
	cw_hw(w, "claim:%u", irq);
	return 0;
}

static inline void cw_mask(void *ctx, uint32_t irq)
{
	cw_hw(ctx, "mask:%u", irq);
}

static inline void cw_unmask(void *ctx, uint32_t irq)
{
	cw_hw(ctx, "unmask:%u", irq);
}

static inline void cw_eoi(void *ctx)
{
	cw_hw(ctx, "eoi");
}

static inline void cw_send(void *ctx, uint32_t iopm, uint8_t vector)
{
	cw_hw(ctx, "ipi%u:0x%x", iopm, vector);
}

static const struct fwd_ops cw_fwd_ops = {cw_claim, cw_mask, cw_unmask, cw_eoi, cw_send};

static inline void cw_route_pin(void *ctx, uint32_t irq, uint32_t vector, uint32_t flags,
				struct fwd_result *out)
{
	struct cw *w = ctx;
	fwd_route(&w->pins, 0, irq, vector, flags, &cw_fwd_ops, w, out);
}

static inline int cw_pin_eoi(void *ctx, uint32_t irq, const char **why)
{
	struct cw *w = ctx;
	return fwd_eoi(&w->pins, 0, irq, &cw_fwd_ops, w, why);
}

static inline int cw_msi(void *ctx, uint32_t vm, uint64_t addr, uint32_t data)
{
	struct cw *w = ctx;
	(void)vm;
	w->msis++;
	w->msi_addr = addr;
	w->msi_data = data;
	return (data & 0xff) >= 16; /* as virq_msi: an illegal vector is refused */
}

static const struct chan_ops cw_ops = {
    .notify = cw_notify,
    .vm_find = cw_vm_find,
    .vm_list = cw_vm_list,
    .io_done = cw_io_done,
    .irq_line = cw_irq_line,
    .msi = cw_msi,
    .route_pin = cw_route_pin,
    .pin_eoi = cw_pin_eoi,
};

/* The pin of `irq` fires (the VMM's route handler); returns what the
 * hardware was told. */
static inline const char *cw_fire(struct cw *w, uint32_t irq)
{
	w->hw[0] = 0;
	fwd_interrupt(&w->pins, irq, &cw_fwd_ops, w);
	return w->hw;
}

static inline struct coop_vmm_ctrl *cw_vctrl(struct cw *w)
{
	return (struct coop_vmm_ctrl *)(w->part + COOP_VMM_CTRL_OFF);
}

static inline struct coop_iopm_ctrl *cw_ictrl(struct cw *w)
{
	return (struct coop_iopm_ctrl *)(w->part + COOP_IOPM_CTRL_OFF);
}

static inline struct coop_slot_req *cw_vslot(struct cw *w, unsigned i)
{
	return (struct coop_slot_req *)(w->part + COOP_VMM_SLOT_OFF) + i;
}

static inline struct coop_slot_rsp *cw_islot(struct cw *w, unsigned i)
{
	return (struct coop_slot_rsp *)(w->part + COOP_IOPM_SLOT_OFF) + i;
}

/* A fresh part, channel and fake IOPM; VM 1 (2 vCPUs, served) and VM 2
 * (1 vCPU, not served by this IOPM) exist. */
static struct cw *cw_last; /* freed by the next cw_new when a failed test left it */

static inline void cw_free(struct cw *w)
{
	if (w == cw_last)
		cw_last = NULL;
	free(w->part);
	free(w);
}

static inline struct cw *cw_new(void)
{
	if (cw_last)
		cw_free(cw_last);
	struct cw *w = calloc(1, sizeof(*w));
	cw_last = w;
	w->part = aligned_alloc(COOP_PAGE, COOP_PART_SIZE);
	memset(w->part, 0xa5, COOP_PART_SIZE); /* chan_init must clear what it uses */
	fenv_reset();
	chan_init(&w->c, 0, w->part, 7, 1000000, &cw_ops, w);
	coop_ring_tx_init(&w->itx, (struct coop_msg *)(w->part + COOP_IOPM_RING_OFF), COOP_RING_ENTRIES,
			  &cw_ictrl(w)->tx, &cw_vctrl(w)->rx);
	coop_ring_rx_init(&w->irx, (const struct coop_msg *)(w->part + COOP_VMM_RING_OFF), COOP_RING_ENTRIES,
			  &cw_ictrl(w)->rx, &cw_vctrl(w)->tx);
	coop_ring_tx_init(&w->iktx, (struct coop_msg *)(w->part + COOP_IOPM_KRING_OFF), COOP_KRING_ENTRIES,
			  &cw_ictrl(w)->ktx, &cw_vctrl(w)->krx);
	coop_ring_rx_init(&w->ikrx, (const struct coop_msg *)(w->part + COOP_VMM_KRING_OFF),
			  COOP_KRING_ENTRIES, &cw_ictrl(w)->krx, &cw_vctrl(w)->ktx);
	fwd_keep(&w->pins, 4);
	fwd_assign(&w->pins, 5, 1);
	w->level_irqs = (1U << 9) | (1U << 10);
	w->no_pin_irqs = 1U << 13;
	w->vm[0] = (struct cw_vm){1, 2, true, "alpha"};
	w->vm[1] = (struct cw_vm){2, 1, false, "beta"};
	w->nvm = 2;
	w->now = 1000;
	return w;
}

/* The IOPM sends one message (not yet polled by the VMM). */
static inline void cw_put(struct cw *w, uint16_t type, uint16_t len, uint32_t id, uint32_t vm, uint16_t vcpu,
			  uint16_t flags, const void *payload, size_t plen)
{
	struct coop_msg m;
	coop_msg_init(&m, type, id, vm, vcpu, payload, payload ? (uint16_t)plen : 0);
	m.len = len; /* as given: the tests send wrong lengths too */
	m.flags = flags;
	EXPECT_EQ(coop_ring_put(&w->itx, &m), 0);
	coop_ring_push(&w->itx);
}

/* Send a message whose payload is *p with its exact size, and poll. */
#define CW_SEND(w, type, id, vm, vcpu, p)                                                                    \
	do {                                                                                                 \
		cw_put(w, type, sizeof(*(p)), id, vm, vcpu, 0, p, sizeof(*(p)));                             \
		w->now += 1000000000ULL;                                                                     \
		chan_poll(&w->c, w->now);                                                                    \
	} while (0)

static inline void cw_poll(struct cw *w)
{
	w->now += 1000000000ULL; /* a second: the log's rate limit refills */
	chan_poll(&w->c, w->now);
}

/* The next message the VMM sent on `rx`; fails the test when there is none. */
static inline struct coop_msg cw_recv_on(struct coop_ring_rx *rx)
{
	struct coop_msg m;
	memset(&m, 0, sizeof(m));
	EXPECT_EQ(coop_ring_recv(rx, &m), 1);
	return m;
}

static inline struct coop_msg cw_recv(struct cw *w)
{
	return cw_recv_on(&w->irx);
}

static inline void cw_expect_empty(struct cw *w)
{
	EXPECT_EQ(coop_ring_pending(&w->irx), 0);
}

/* The next message on `rx` is an ERROR refusing (type, id) for `reason`. */
static inline struct coop_msg_error cw_expect_error_on(struct coop_ring_rx *rx, uint16_t bad_type,
						       uint32_t bad_id, uint16_t reason)
{
	struct coop_msg m = cw_recv_on(rx);
	struct coop_msg_error e;
	EXPECT_EQ(m.type, COOP_MSG_ERROR);
	EXPECT_EQ(m.len, sizeof(e));
	EXPECT_EQ(m.id, bad_id);
	memcpy(&e, m.payload, sizeof(e));
	EXPECT_EQ(e.bad_type, bad_type);
	EXPECT_EQ(e.bad_id, bad_id);
	EXPECT_EQ(e.reason, reason);
	EXPECT_SLT(e.code, 0);
	EXPECT_EQ(e.reserved, 0);
	EXPECT_TRUE(memchr(e.text, 0, sizeof(e.text)) != NULL);
	return e;
}

static inline struct coop_msg_error cw_expect_error(struct cw *w, uint16_t bad_type, uint32_t bad_id,
						    uint16_t reason)
{
	return cw_expect_error_on(&w->irx, bad_type, bad_id, reason);
}

/* ---- the kernel rings: the fake iopm.ko's end ---- */

/* iopm.ko sends one message on its kernel ring (not yet polled). */
static inline void cw_kput(struct cw *w, uint16_t type, uint16_t len, uint32_t id, uint32_t vm,
			   uint16_t flags, const void *payload, size_t plen)
{
	struct coop_msg m;
	coop_msg_init(&m, type, id, vm, 0, payload, payload ? (uint16_t)plen : 0);
	m.len = len;
	m.flags = flags;
	EXPECT_EQ(coop_ring_put(&w->iktx, &m), 0);
	coop_ring_push(&w->iktx);
}

/* A ROUTE_PIN or PIN_EOI on the kernel ring, polled; `hw` cleared first. */
static inline void cw_ksend_route(struct cw *w, uint16_t type, uint32_t id, uint32_t irq, uint32_t vector,
				  uint32_t flags)
{
	struct coop_msg_route r = {irq, vector, flags, 0};
	w->hw[0] = 0;
	cw_kput(w, type, sizeof(r), id, 0, 0, &r, sizeof(r));
	cw_poll(w);
}

/* The next kernel-ring message is the ROUTE_REPLY to request `id`. */
static inline struct coop_msg_route cw_route_reply(struct cw *w, uint32_t id)
{
	struct coop_msg m = cw_recv_on(&w->ikrx);
	struct coop_msg_route r;
	EXPECT_EQ(m.type, COOP_MSG_ROUTE_REPLY);
	EXPECT_EQ(m.len, sizeof(r));
	EXPECT_EQ(m.id, id);
	EXPECT_EQ(m.flags, 0);
	memcpy(&r, m.payload, sizeof(r));
	return r;
}

/* ROUTE_PIN `id` (irq, vector, flags) answered with `status`; returns the reply. */
static inline struct coop_msg_route cw_route(struct cw *w, uint32_t id, uint32_t irq, uint32_t vector,
					     uint32_t flags, uint32_t status)
{
	cw_ksend_route(w, COOP_MSG_ROUTE_PIN, id, irq, vector, flags);
	struct coop_msg_route r = cw_route_reply(w, id);
	EXPECT_EQ(r.irq, irq);
	EXPECT_EQ(r.vector, vector);
	EXPECT_EQ(r.status, status);
	return r;
}

static inline void cw_kexpect_empty(struct cw *w)
{
	EXPECT_EQ(coop_ring_pending(&w->ikrx), 0);
}

/* HELLO with this build's version, the notify vector `vec`; the reply taken. */
static inline void cw_hello(struct cw *w, uint32_t vec)
{
	cw_ictrl(w)->notify_vector = vec;
	struct coop_msg_hello h = {COOP_ABI_VERSION, 0, 0, 1234};
	CW_SEND(w, COOP_MSG_HELLO, 1, 0, 0, &h);
	struct coop_msg r = cw_recv(w);
	EXPECT_EQ(r.type, COOP_MSG_HELLO_REPLY);
}

#endif
