/* SPDX-License-Identifier: GPL-2.0-only */
/* test_virtq.c: unit tests of the split virtqueue's device side
 * (iopm/dev/virtq.c) against a driver written here as Linux's virtio_ring
 * does it (tests/unit/virtio_util.h): set up and its checks, chains of
 * readable then writable buffers, the used ring, interrupt suppression by
 * flag and by used_event, notification suppression by flag and by
 * avail_event, indirect tables, the 16-bit indices wrapping; then hostile
 * drivers (loops, out-of-RAM and wrapping addresses, giant lengths, too
 * many buffers, nested or malformed indirect tables, bad indices), each
 * answered by its error and a queue that stays broken until reset. */
#include <stdlib.h>

#include "iopm/dev/virtq.h"
#include "test.h"
#include "virtio_util.h"

#define F_EVENT_IDX (1ull << VIRTIO_F_EVENT_IDX)
#define F_INDIRECT  (1ull << VIRTIO_F_INDIRECT_DESC)
#define BUF	    (GRAM_BASE + 0x20000) /* data buffers, after the rings */
#define MAXLEN	    (1u << 20)

static struct gmem *mem_new(void)
{
	struct gmem *m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	return m;
}

static void setup(struct virtq *q, struct vdrv *d, struct gmem *m, uint16_t size, uint64_t features)
{
	vdrv_init(d, m, size, GRAM_BASE, features & F_EVENT_IDX);
	EXPECT_EQ(virtq_setup(q, &gmem_ops, m, size, d->desc, d->avail, d->used, features, MAXLEN), 0);
	EXPECT_FALSE(q->broken);
}

/* The queue is broken with `err`, and stays so. */
static void expect_broken(struct virtq *q, int err)
{
	struct virtq_seg segs[4];
	struct virtq_chain c;
	EXPECT_TRUE(q->broken);
	EXPECT_EQ(q->error, err);
	EXPECT_EQ(virtq_pop(q, segs, 4, &c), -EIO);
	EXPECT_EQ(virtq_push(q, 0, 0), -EIO);
	EXPECT_FALSE(virtq_need_interrupt(q));
	EXPECT_FALSE(virtq_pending(q));
	EXPECT_FALSE(virtq_set_notify(q, true));
}

TEST(virtq, setup_checks_size_alignment_and_ram)
{
	struct gmem *m = mem_new();
	struct virtq q;
	uint64_t b = GRAM_BASE;
	static const uint16_t bad_sizes[] = {0, 3, 6, 100, 32767, 32769, 65535};
	for (unsigned i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		test_context("size %u", bad_sizes[i]);
		EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, bad_sizes[i], b, b + 0x10000, b + 0x20000, 0, 0),
			  -EINVAL);
		expect_broken(&q, -EINVAL);
	}
	test_context("alignment");
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, b + 8, b + 0x1000, b + 0x2000, 0, 0), -EINVAL);
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, b, b + 0x1001, b + 0x2000, 0, 0), -EINVAL);
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, b, b + 0x1000, b + 0x2002, 0, 0), -EINVAL);
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, b, b + 0x1002, b + 0x2004, 0, 0), 0);
	test_context("RAM");
	/* The descriptor table runs past the end of RAM; the rings in a hole. */
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, b + GRAM_SIZE - 64, b, b + 0x1000, 0, 0), -EFAULT);
	expect_broken(&q, -EFAULT);
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, b, 0x1000, b + 0x1000, 0, 0), -EFAULT);
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, b, b + 0x1000, 0xfffffffffffffff0ull, 0, 0), -EFAULT);
	/* The used ring must be writable: not in the ROM; the rest may be. */
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, b, b + 0x1000, GROM_BASE, 0, 0), -EFAULT);
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, GROM_BASE, GROM_BASE + 0x800, b, 0, 0), 0);
	/* The largest queue fits, and a reset forgets everything. */
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, VIRTQ_MAX_SIZE, b, b + 0x10000, b + 0x30000, 0, 0),
		  -EFAULT); /* 512 KiB of descriptors do not fit in 256 KiB */
	EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 4096, b, b + 0x10000, b + 0x12000, 0, 0), 0);
	virtq_reset(&q);
	EXPECT_EQ(q.size, 0);
	EXPECT_FALSE(q.broken);
	struct virtq_seg s;
	struct virtq_chain c;
	EXPECT_EQ(virtq_pop(&q, &s, 1, &c), -EIO); /* not set up */
	free(m);
}

TEST(virtq, chain_pop_push_and_interrupt)
{
	struct gmem *m = mem_new();
	struct virtq q;
	struct vdrv d;
	struct virtq_seg segs[8];
	struct virtq_chain c;
	setup(&q, &d, m, 16, 0);
	EXPECT_EQ(virtq_pop(&q, segs, 8, &c), 0); /* empty */
	EXPECT_FALSE(virtq_pending(&q));
	/* A block request's shape: header and data out, status in. */
	uint64_t a[3] = {BUF, BUF + 0x100, BUF + 0x1000};
	uint32_t l[3] = {16, 512, 1};
	uint16_t head = vdrv_add(&d, 3, a, l, 1);
	EXPECT_TRUE(virtq_pending(&q));
	EXPECT_EQ(virtq_pop(&q, segs, 8, &c), 1);
	EXPECT_EQ(c.head, head);
	EXPECT_EQ(c.nsegs, 3);
	EXPECT_EQ(c.ndesc, 3);
	EXPECT_EQ(c.read_len, 528);
	EXPECT_EQ(c.write_len, 1);
	for (unsigned i = 0; i < 3; i++) {
		test_context("segment %u", i);
		EXPECT_EQ(segs[i].gpa, a[i]);
		EXPECT_EQ(segs[i].len, l[i]);
		EXPECT_EQ(segs[i].write, i == 2);
	}
	EXPECT_EQ(virtq_pop(&q, segs, 8, &c), 0);
	EXPECT_EQ(virtq_push(&q, head, 1), 0);
	uint32_t id, len;
	EXPECT_TRUE(vdrv_used(&d, &id, &len));
	EXPECT_EQ(id, head);
	EXPECT_EQ(len, 1);
	EXPECT_FALSE(vdrv_used(&d, &id, &len));
	EXPECT_TRUE(virtq_need_interrupt(&q));
	EXPECT_FALSE(virtq_need_interrupt(&q)); /* nothing new */
	/* VIRTQ_AVAIL_F_NO_INTERRUPT: the driver polls. */
	vdrv_set_no_interrupt(&d, true);
	head = vdrv_add(&d, 1, a, l, 0);
	EXPECT_EQ(virtq_pop(&q, segs, 8, &c), 1);
	EXPECT_EQ(c.write_len, 0);
	EXPECT_EQ(virtq_push(&q, head, 0), 0);
	EXPECT_FALSE(virtq_need_interrupt(&q));
	vdrv_set_no_interrupt(&d, false);
	head = vdrv_add(&d, 1, a, l, 1);
	EXPECT_EQ(virtq_pop(&q, segs, 8, &c), 1);
	EXPECT_EQ(c.read_len, 0);
	EXPECT_EQ(c.write_len, 16);
	EXPECT_EQ(virtq_push(&q, head, 16), 0);
	EXPECT_TRUE(virtq_need_interrupt(&q));
	/* Zero-length buffers are walked but not listed. */
	uint32_t z[3] = {0, 8, 0};
	head = vdrv_add(&d, 3, a, z, 1);
	EXPECT_EQ(virtq_pop(&q, segs, 1, &c), 1);
	EXPECT_EQ(c.nsegs, 1);
	EXPECT_EQ(c.ndesc, 3);
	EXPECT_EQ(segs[0].gpa, a[1]);
	EXPECT_EQ(m->refused, 0);
	free(m);
}

TEST(virtq, event_idx_interrupts)
{
	struct gmem *m = mem_new();
	struct virtq q;
	struct vdrv d;
	struct virtq_seg segs[2];
	struct virtq_chain c;
	setup(&q, &d, m, 8, F_EVENT_IDX);
	uint64_t a = BUF;
	uint32_t l = 64;
	/* Linux's virtqueue_enable_cb_delayed: interrupt after the 3rd. */
	vdrv_set_used_event(&d, 2);
	uint16_t heads[6];
	for (unsigned i = 0; i < 6; i++)
		heads[i] = vdrv_add(&d, 1, &a, &l, 1);
	/* The first decision always interrupts (no earlier one to compare). */
	EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
	EXPECT_EQ(virtq_push(&q, c.head, 1), 0);
	EXPECT_TRUE(virtq_need_interrupt(&q));
	for (unsigned i = 1; i < 6; i++) {
		test_context("entry %u", i);
		EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
		EXPECT_EQ(c.head, heads[i]);
		EXPECT_EQ(virtq_push(&q, c.head, 1), 0);
		/* used idx goes i -> i + 1: interrupt when it passes 2 only. */
		EXPECT_EQ(virtq_need_interrupt(&q), i == 2);
	}
	/* Several pushes at once, used_event among them. */
	vdrv_set_used_event(&d, 7);
	for (unsigned i = 0; i < 4; i++)
		vdrv_add(&d, 1, &a, &l, 1);
	for (unsigned i = 0; i < 4; i++) {
		EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
		EXPECT_EQ(virtq_push(&q, c.head, 1), 0);
	}
	EXPECT_TRUE(virtq_need_interrupt(&q)); /* 6 -> 10 passes 7 */
	vdrv_add(&d, 1, &a, &l, 1);
	EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
	EXPECT_EQ(virtq_push(&q, c.head, 1), 0);
	EXPECT_FALSE(virtq_need_interrupt(&q)); /* 10 -> 11, event 7 behind */
	/* The flag means nothing with EVENT_IDX. */
	vdrv_set_no_interrupt(&d, true);
	vdrv_set_used_event(&d, 11);
	vdrv_add(&d, 1, &a, &l, 1);
	EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
	EXPECT_EQ(virtq_push(&q, c.head, 1), 0);
	EXPECT_TRUE(virtq_need_interrupt(&q));
	free(m);
}

TEST(virtq, notification_suppression_for_polling)
{
	struct gmem *m = mem_new();
	struct virtq q;
	struct vdrv d;
	struct virtq_seg segs[2];
	struct virtq_chain c;
	uint64_t a = BUF;
	uint32_t l = 64;
	/* Without EVENT_IDX: the used ring's NO_NOTIFY flag. */
	setup(&q, &d, m, 8, 0);
	EXPECT_TRUE(vdrv_kick_needed(&d, 0));
	EXPECT_FALSE(virtq_set_notify(&q, false));
	EXPECT_EQ(gm_get(m, d.used + VIRTQ_USED_FLAGS, 2), VIRTQ_USED_F_NO_NOTIFY);
	uint16_t old = d.avail_idx;
	vdrv_add(&d, 1, &a, &l, 0);
	EXPECT_FALSE(vdrv_kick_needed(&d, old));
	/* Back on: the entry added meanwhile is reported. */
	EXPECT_TRUE(virtq_set_notify(&q, true));
	EXPECT_EQ(gm_get(m, d.used + VIRTQ_USED_FLAGS, 2), 0);
	EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
	EXPECT_FALSE(virtq_set_notify(&q, true)); /* nothing pending */

	/* With EVENT_IDX: avail_event follows what the device took, while on. */
	setup(&q, &d, m, 8, F_EVENT_IDX);
	uint64_t avail_event = d.used + VIRTQ_USED_RING + 8ull * 8;
	old = d.avail_idx;
	vdrv_add(&d, 1, &a, &l, 0);
	EXPECT_TRUE(vdrv_kick_needed(&d, old)); /* avail_event 0: kick for entry 0 */
	EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
	EXPECT_EQ(gm_get(m, avail_event, 2), 1);
	/* Off right after taking everything: not even one more kick. */
	EXPECT_FALSE(virtq_set_notify(&q, false));
	EXPECT_EQ(gm_get(m, avail_event, 2), 0); /* one behind: polling */
	EXPECT_EQ(gm_get(m, d.used + VIRTQ_USED_FLAGS, 2), 0);
	old = d.avail_idx;
	vdrv_add(&d, 1, &a, &l, 0);
	EXPECT_FALSE(vdrv_kick_needed(&d, old));
	EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
	EXPECT_EQ(gm_get(m, avail_event, 2), 0); /* pops leave it */
	for (unsigned i = 0; i < 3; i++) {
		old = d.avail_idx;
		vdrv_add(&d, 1, &a, &l, 0);
		EXPECT_FALSE(vdrv_kick_needed(&d, old));
	}
	EXPECT_TRUE(virtq_set_notify(&q, true));
	EXPECT_EQ(gm_get(m, avail_event, 2), 2);
	for (unsigned i = 0; i < 3; i++)
		EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
	EXPECT_EQ(gm_get(m, avail_event, 2), 5);
	/* A polling device taking thousands of entries: no kick at all. */
	EXPECT_FALSE(virtq_set_notify(&q, false));
	unsigned kicks = 0;
	for (unsigned i = 0; i < 5000; i++) {
		old = d.avail_idx;
		vdrv_add(&d, 1, &a, &l, 0);
		kicks += vdrv_kick_needed(&d, old);
		EXPECT_EQ(virtq_pop(&q, segs, 2, &c), 1);
		EXPECT_EQ(virtq_push(&q, c.head, 0), 0);
	}
	EXPECT_EQ(kicks, 0);
	/* Back on: the next entry is kicked. */
	EXPECT_FALSE(virtq_set_notify(&q, true));
	old = d.avail_idx;
	vdrv_add(&d, 1, &a, &l, 0);
	EXPECT_TRUE(vdrv_kick_needed(&d, old));
	free(m);
}

TEST(virtq, indirect_descriptors)
{
	struct gmem *m = mem_new();
	struct virtq q;
	struct vdrv d;
	struct virtq_seg segs[9];
	struct virtq_chain c;
	setup(&q, &d, m, 4, F_INDIRECT);
	uint64_t table = BUF + 0x8000;
	/* Linux's virtqueue_add_split with an indirect table: header, data,
	 * status in the table; one descriptor in the ring. */
	vdrv_desc(&d, table, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	vdrv_desc(&d, table, 2, BUF + 0x200, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	vdrv_desc(&d, table, 1, BUF + 0x2000, 1, VIRTQ_DESC_F_WRITE, 0);
	vdrv_desc(&d, d.desc, 3, table, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(&d, 3);
	EXPECT_EQ(virtq_pop(&q, segs, 8, &c), 1);
	EXPECT_EQ(c.head, 3);
	EXPECT_EQ(c.nsegs, 3);
	EXPECT_EQ(c.ndesc, 4);
	EXPECT_EQ(segs[1].gpa, BUF + 0x200);
	EXPECT_EQ(segs[1].len, 4096);
	EXPECT_TRUE(segs[1].write && segs[2].write && !segs[0].write);
	EXPECT_EQ(c.read_len, 16);
	EXPECT_EQ(c.write_len, 4097);
	EXPECT_EQ(virtq_push(&q, 3, 4097), 0);
	/* A direct descriptor before the indirect one is allowed; an indirect
	 * table of more entries than the queue's size too. */
	for (unsigned i = 0; i < 8; i++)
		vdrv_desc(&d, table, i, BUF + 0x100 * i, 8, i < 7 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	vdrv_desc(&d, d.desc, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	vdrv_desc(&d, d.desc, 1, table, 8 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	vdrv_publish(&d, 0);
	EXPECT_EQ(virtq_pop(&q, segs, 9, &c), 1);
	EXPECT_EQ(c.nsegs, 9);
	EXPECT_EQ(c.read_len, 4 + 64);
	/* Without the feature an indirect descriptor is bad. */
	setup(&q, &d, m, 4, 0);
	vdrv_desc(&d, d.desc, 0, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(&d, 0);
	EXPECT_EQ(virtq_pop(&q, segs, 8, &c), -EINVAL);
	expect_broken(&q, -EINVAL);
	free(m);
}

/* Many round trips on a 4-entry queue: the 16-bit indices wrap, with and
 * without EVENT_IDX, and the driver kicks exactly when it must. */
TEST(virtq, indices_wrap_at_16_bits)
{
	struct gmem *m = mem_new();
	for (int ev = 0; ev < 2; ev++) {
		struct virtq q;
		struct vdrv d;
		struct virtq_seg segs[2];
		struct virtq_chain c;
		uint64_t a[2] = {BUF, BUF + 0x100};
		uint32_t l[2] = {8, 8};
		setup(&q, &d, m, 4, ev ? F_EVENT_IDX : 0);
		unsigned kicks = 0, irqs = 0;
		for (unsigned i = 0; i < 70000; i++) {
			uint16_t old = d.avail_idx;
			uint16_t head = vdrv_add(&d, 2, a, l, 1);
			if (vdrv_kick_needed(&d, old))
				kicks++;
			if (ev)
				vdrv_set_used_event(&d, d.last_used); /* interrupt for the next */
			if (virtq_pop(&q, segs, 2, &c) != 1 || c.head != head || c.nsegs != 2)
				EXPECT_TRUE(false && "pop");
			if (virtq_push(&q, head, 8))
				EXPECT_TRUE(false && "push");
			if (virtq_need_interrupt(&q))
				irqs++;
			uint32_t id, len;
			if (!vdrv_used(&d, &id, &len) || id != head || len != 8)
				EXPECT_TRUE(false && "used");
		}
		test_context("event_idx %d", ev);
		EXPECT_EQ(q.last_avail, (uint16_t)70000);
		EXPECT_EQ(q.used_idx, (uint16_t)70000);
		EXPECT_EQ(gm_get(m, d.used + VIRTQ_USED_IDX, 2), (uint16_t)70000);
		EXPECT_EQ(kicks, 70000);
		EXPECT_EQ(irqs, 70000);
		EXPECT_FALSE(q.broken);
	}
	free(m);
}

/* A hostile driver: build the bad chain, pop, the error, and broken. */
struct hostile {
	const char *what;
	int err;
	uint64_t features;
	void (*build)(struct vdrv *d);
};

/* Zero-length buffers in the loops: with lengths the caller's array or
 * max_chain_len fills first (-E2BIG, the same broken queue). */
static void h_loop(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, BUF, 0, VIRTQ_DESC_F_NEXT, 1);
	vdrv_desc(d, d->desc, 1, BUF, 0, VIRTQ_DESC_F_NEXT, 0);
	vdrv_publish(d, 0);
}

static void h_self_loop(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 5, BUF, 0, VIRTQ_DESC_F_NEXT, 5);
	vdrv_publish(d, 5);
}

static void h_next_out_of_table(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 8);
	vdrv_publish(d, 0);
}

static void h_head_out_of_table(struct vdrv *d)
{
	vdrv_publish(d, 8);
}

static void h_avail_idx_too_far(struct vdrv *d)
{
	gm_put(d->m, d->avail + VIRTQ_AVAIL_IDX, 2, 9); /* 9 entries in an 8-entry ring */
}

static void h_buffer_outside_ram(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, GRAM_BASE + GRAM_SIZE - 4, 8, 0, 0);
	vdrv_publish(d, 0);
}

static void h_buffer_in_hole(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, 0x1000, 8, 0, 0);
	vdrv_publish(d, 0);
}

static void h_buffer_wraps(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, 0xfffffffffffffff0ull, 0x20, 0, 0);
	vdrv_publish(d, 0);
}

static void h_writable_in_rom(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, GROM_BASE, 8, 0, 1); /* reading the ROM is fine */
	vdrv_desc(d, d->desc, 0, GROM_BASE, 8, VIRTQ_DESC_F_NEXT, 1);
	vdrv_desc(d, d->desc, 1, GROM_BASE, 8, VIRTQ_DESC_F_WRITE, 0);
	vdrv_publish(d, 0);
}

static void h_giant_length(struct vdrv *d)
{
	/* Each buffer in RAM, the sum over max_chain_len: the same 256 KiB
	 * eight times. */
	for (uint16_t i = 0; i < 8; i++)
		vdrv_desc(d, d->desc, i, GRAM_BASE, (uint32_t)GRAM_SIZE, i < 7 ? VIRTQ_DESC_F_NEXT : 0,
			  (uint16_t)(i + 1));
	vdrv_publish(d, 0);
}

static void h_too_many_buffers(struct vdrv *d)
{
	for (uint16_t i = 0; i < 5; i++)
		vdrv_desc(d, d->desc, i, BUF, 8, i < 4 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	vdrv_publish(d, 0);
}

static void h_read_after_write(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, BUF, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	vdrv_desc(d, d->desc, 1, BUF, 8, 0, 0);
	vdrv_publish(d, 0);
}

#define TABLE (BUF + 0x8000)

static void h_indirect_in_indirect(struct vdrv *d)
{
	vdrv_desc(d, TABLE, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vdrv_desc(d, TABLE, 1, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_desc(d, d->desc, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(d, 0);
}

static void h_indirect_with_next(struct vdrv *d)
{
	vdrv_desc(d, TABLE, 0, BUF, 8, 0, 0);
	vdrv_desc(d, d->desc, 0, TABLE, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	vdrv_desc(d, d->desc, 1, BUF, 8, 0, 0);
	vdrv_publish(d, 0);
}

static void h_indirect_odd_length(struct vdrv *d)
{
	vdrv_desc(d, TABLE, 0, BUF, 8, 0, 0);
	vdrv_desc(d, d->desc, 0, TABLE, 24, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(d, 0);
}

static void h_indirect_empty(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, TABLE, 0, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(d, 0);
}

static void h_indirect_outside_ram(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, GRAM_BASE + GRAM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(d, 0);
}

static void h_indirect_loop(struct vdrv *d)
{
	vdrv_desc(d, TABLE, 0, BUF, 0, VIRTQ_DESC_F_NEXT, 1);
	vdrv_desc(d, TABLE, 1, BUF, 0, VIRTQ_DESC_F_NEXT, 0);
	vdrv_desc(d, d->desc, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(d, 0);
}

static void h_indirect_next_out(struct vdrv *d)
{
	vdrv_desc(d, TABLE, 0, BUF, 8, VIRTQ_DESC_F_NEXT, 2);
	vdrv_desc(d, d->desc, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(d, 0);
}

static void h_indirect_huge(struct vdrv *d)
{
	vdrv_desc(d, d->desc, 0, GRAM_BASE, (VIRTQ_MAX_SIZE + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vdrv_publish(d, 0);
}

TEST(virtq, hostile_drivers_break_the_queue)
{
	static const struct hostile cases[] = {
	    {"two descriptors in a loop", -ELOOP, 0, h_loop},
	    {"a descriptor pointing at itself", -ELOOP, 0, h_self_loop},
	    {"next out of the table", -EINVAL, 0, h_next_out_of_table},
	    {"head out of the table", -EINVAL, 0, h_head_out_of_table},
	    {"avail idx more than size ahead", -EINVAL, 0, h_avail_idx_too_far},
	    {"a buffer across the end of RAM", -EFAULT, 0, h_buffer_outside_ram},
	    {"a buffer in a hole", -EFAULT, 0, h_buffer_in_hole},
	    {"a buffer wrapping around 2^64", -EFAULT, 0, h_buffer_wraps},
	    {"a writable buffer in ROM", -EFAULT, 0, h_writable_in_rom},
	    {"a chain longer than max_chain_len", -E2BIG, 0, h_giant_length},
	    {"more buffers than the caller takes", -E2BIG, 0, h_too_many_buffers},
	    {"a readable buffer after a writable one", -EINVAL, 0, h_read_after_write},
	    {"indirect inside indirect", -EINVAL, F_INDIRECT, h_indirect_in_indirect},
	    {"indirect with NEXT", -EINVAL, F_INDIRECT, h_indirect_with_next},
	    {"an indirect table of 1.5 descriptors", -EINVAL, F_INDIRECT, h_indirect_odd_length},
	    {"an empty indirect table", -EINVAL, F_INDIRECT, h_indirect_empty},
	    {"an indirect table across the end of RAM", -EFAULT, F_INDIRECT, h_indirect_outside_ram},
	    {"a loop in an indirect table", -ELOOP, F_INDIRECT, h_indirect_loop},
	    {"next out of an indirect table", -EINVAL, F_INDIRECT, h_indirect_next_out},
	    {"an indirect table over 32768 entries", -EINVAL, F_INDIRECT, h_indirect_huge},
	};
	struct gmem *m = mem_new();
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hostile *h = &cases[i];
		struct virtq q;
		struct vdrv d;
		struct virtq_seg segs[4];
		struct virtq_chain c;
		test_context("%s", h->what);
		vdrv_init(&d, m, 8, GRAM_BASE, false);
		EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, d.desc, d.avail, d.used, h->features, 1u << 20),
			  0);
		h->build(&d);
		uint16_t used_before = (uint16_t)gm_get(m, d.used + VIRTQ_USED_IDX, 2);
		EXPECT_EQ(virtq_pop(&q, segs, 4, &c), h->err);
		expect_broken(&q, h->err);
		/* Nothing was given back, and the driver's kick changes nothing. */
		EXPECT_EQ(gm_get(m, d.used + VIRTQ_USED_IDX, 2), used_before);
		vdrv_desc(&d, d.desc, 0, BUF, 8, 0, 0);
		vdrv_publish(&d, 0);
		expect_broken(&q, h->err);
		/* A reset and a new set up: the queue works again. */
		virtq_reset(&q);
		vdrv_init(&d, m, 8, GRAM_BASE, false);
		EXPECT_EQ(virtq_setup(&q, &gmem_ops, m, 8, d.desc, d.avail, d.used, h->features, 1u << 20),
			  0);
		vdrv_desc(&d, d.desc, 0, BUF, 8, 0, 0);
		vdrv_publish(&d, 0);
		EXPECT_EQ(virtq_pop(&q, segs, 4, &c), 1);
	}
	free(m);
}

TEST(virtq, device_errors_break_the_queue)
{
	struct gmem *m = mem_new();
	struct virtq q;
	struct vdrv d;
	setup(&q, &d, m, 8, 0);
	EXPECT_EQ(virtq_push(&q, 8, 0), -EINVAL); /* a head the queue cannot have */
	expect_broken(&q, -EINVAL);
	free(m);
}
