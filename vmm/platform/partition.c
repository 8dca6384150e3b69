/* SPDX-License-Identifier: GPL-2.0-only */
/* partition.c: the partition planner. Carves the usable RAM of the normalized
 * memory map into the AP trampoline page, the IOPM low slices, the shared
 * zone, the IOPM zones, the VMM heap and the guest-RAM pool, keeping the VMM
 * image and the boot modules out of all of them (docs/partitions.md). */
#include "vmm/platform/partition.h"

#include "vmm/lib/errno.h"
#include "vmm/lib/lib.h"

#define IOPM_MEM_LOWER_LIMIT_DIVISOR 2	/* default IOPM zones may take RAM / 2... */
#define IOPM_MEM_LOWER_DIVISOR	     4	/* ...else they get RAM / 4 in all */
#define PARAM_DESC_BUF		     80 /* a parameter description */
#define SIZE_BUF		     32 /* a formatted size */

/* Free RAM at or above PLAN_HIGH_BASE, sorted and disjoint. Room for every
 * usable range plus one split per protected range and per placed zone. */
#define FREE_MAX (MEMMAP_MAX + 1 + PLAN_MAX_RANGES + 1 + CONFIG_MAX_IOPMS + 1)

struct free_list {
	uint32_t n;
	struct zone r[FREE_MAX];
};

static uint64_t zone_end(const struct zone *z)
{
	return z->base + z->size;
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	return a < b_end && b < a_end;
}

/* "380 MiB", or "64 KiB" below 1 MiB (rounded down). */
static const char *fmt_mem(uint64_t bytes, char *buf)
{
	if (bytes >= MiB)
		snprintf(buf, SIZE_BUF, "%llu MiB", (unsigned long long)(bytes / MiB));
	else
		snprintf(buf, SIZE_BUF, "%llu KiB", (unsigned long long)(bytes / KiB));
	return buf;
}

/* Empty the caller's message buffer; a NULL one gets length 0 so that
 * snprintf() writes nothing. */
static void err_init(char *err, size_t *errlen)
{
	if (!err)
		*errlen = 0;
	else if (*errlen)
		err[0] = '\0';
}

static const char *param(const struct boot_config *cfg, enum cmdline_param p, char *buf)
{
	return cmdline_describe(cfg, p, buf, PARAM_DESC_BUF);
}

/* Remove [base, end) from the free list. */
static int free_remove(struct free_list *fl, uint64_t base, uint64_t end)
{
	uint32_t i = 0;

	while (i < fl->n) {
		struct zone *r = &fl->r[i];
		uint64_t r_end = zone_end(r);

		if (!overlaps(base, end, r->base, r_end)) {
			i++;
		} else if (base <= r->base && end >= r_end) {
			memmove(r, r + 1, (fl->n - i - 1) * sizeof(*r));
			fl->n--;
		} else if (base > r->base && end < r_end) {
			if (fl->n == FREE_MAX)
				return -ENOSPC;
			memmove(r + 2, r + 1, (fl->n - i - 1) * sizeof(*r));
			r[1].base = end;
			r[1].size = r_end - end;
			r->size = base - r->base;
			fl->n++;
			return 0;
		} else if (base <= r->base) {
			r->base = end;
			r->size = r_end - end;
			i++;
		} else {
			r->size = base - r->base;
			i++;
		}
	}
	return 0;
}

static uint64_t free_total(const struct free_list *fl)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < fl->n; i++)
		sum += fl->r[i].size;
	return sum;
}

static uint64_t free_largest(const struct free_list *fl)
{
	uint64_t best = 0;
	uint32_t i;

	for (i = 0; i < fl->n; i++)
		best = MAX(best, fl->r[i].size);
	return best;
}

/* Highest align-aligned base of a size-byte block ending at or below limit;
 * false if none. */
static bool find_top_down(const struct free_list *fl, uint64_t size, uint64_t align, uint64_t limit,
			  uint64_t *out)
{
	bool found = false;
	uint32_t i;

	for (i = 0; i < fl->n; i++) {
		const struct zone *r = &fl->r[i];
		uint64_t end = MIN(zone_end(r), limit), b;

		if (end <= r->base || end - r->base < size)
			continue;
		b = ALIGN_DOWN(end - size, align);
		if (b >= r->base && (!found || b > *out)) {
			*out = b;
			found = true;
		}
	}
	return found;
}

/* Place a zone top-down, below PLAN_PREFER_BELOW if it fits there. */
static int place_top_down(struct free_list *fl, uint64_t size, struct zone *z)
{
	uint64_t b;

	if (!find_top_down(fl, size, PLAN_ZONE_ALIGN, PLAN_PREFER_BELOW, &b) &&
	    !find_top_down(fl, size, PLAN_ZONE_ALIGN, MEMMAP_PHYS_LIMIT, &b))
		return -ENOSPC;
	z->base = b;
	z->size = size;
	return free_remove(fl, b, b + size);
}

/* Place a zone bottom-up: the lowest free range that holds it. */
static int place_bottom_up(struct free_list *fl, uint64_t size, struct zone *z)
{
	uint32_t i;

	for (i = 0; i < fl->n; i++) {
		if (fl->r[i].size >= size) {
			z->base = fl->r[i].base;
			z->size = size;
			return free_remove(fl, z->base, z->base + size);
		}
	}
	return -ENOSPC;
}

static int fit_error(const struct free_list *fl, const char *who, const char *what, uint64_t size,
		     bool aligned, char *err, size_t errlen)
{
	char s1[SIZE_BUF], s2[SIZE_BUF], s3[SIZE_BUF];

	snprintf(err, errlen,
		 "%s: %s (%s%s) does not fit: largest free RAM range is %s (%s free above 1 MiB)", who, what,
		 fmt_mem(size, s1), aligned ? ", 2 MiB aligned" : "", fmt_mem(free_largest(fl), s2),
		 fmt_mem(free_total(fl), s3));
	return -ENOSPC;
}

/* The configuration normally comes from cmdline_parse(); recheck what the
 * planner relies on. */
static int check_config(const struct boot_config *cfg, char *err, size_t errlen)
{
	const struct {
		enum cmdline_param p;
		uint64_t value, align;
	} sizes[] = {
	    {CMDLINE_VMM_MEM, cfg->vmm_mem, CMDLINE_VMM_MEM_ALIGN},
	    {CMDLINE_IOPM_MEM, cfg->iopm_mem, CMDLINE_IOPM_MEM_ALIGN},
	    {CMDLINE_SHARED_MEM, cfg->shared_mem, CMDLINE_SHARED_MEM_ALIGN},
	};
	char d[PARAM_DESC_BUF], s[SIZE_BUF];
	size_t i;

	if (cfg->iopms > CONFIG_MAX_IOPMS) {
		snprintf(err, errlen, "%s: too many IOPMs (maximum %u)", param(cfg, CMDLINE_IOPMS, d),
			 CONFIG_MAX_IOPMS);
		return -EINVAL;
	}
	if (cfg->shared_mem < (uint64_t)cfg->iopms * COOP_PART_SIZE) {
		snprintf(err, errlen, "%s: too small for %u IOPM(s): each needs %s of the shared zone",
			 param(cfg, CMDLINE_SHARED_MEM, d), cfg->iopms,
			 cmdline_format_size(COOP_PART_SIZE, s, sizeof(s)));
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t v = sizes[i].value;

		if (!v || !IS_ALIGNED(v, sizes[i].align) || v >= MEMMAP_PHYS_LIMIT) {
			snprintf(err, errlen, "%s: must be a non-zero multiple of %s",
				 param(cfg, sizes[i].p, d),
				 cmdline_format_size(sizes[i].align, s, sizeof(s)));
			return -EINVAL;
		}
	}
	return 0;
}

/* Record the image and modules, page-rounded. */
static int protect(struct partition_plan *plan, uint64_t image_base, uint64_t image_end,
		   const struct zone *modules, uint32_t nmodules, char *err, size_t errlen)
{
	uint32_t i;

	if (image_end <= image_base || image_end > MEMMAP_PHYS_LIMIT) {
		snprintf(err, errlen, "VMM image range 0x%llx-0x%llx is invalid",
			 (unsigned long long)image_base, (unsigned long long)image_end);
		return -EINVAL;
	}
	plan->image.base = ALIGN_DOWN(image_base, PAGE_SIZE);
	plan->image.size = ALIGN_UP(image_end, PAGE_SIZE) - plan->image.base;
	if (nmodules > PLAN_MAX_RANGES || (nmodules && !modules)) {
		snprintf(err, errlen, "too many boot modules (%u, maximum %u)", nmodules, PLAN_MAX_RANGES);
		return -EINVAL;
	}
	for (i = 0; i < nmodules; i++) {
		const struct zone *m = &modules[i];
		struct zone *z = &plan->module[plan->modules];

		if (!m->size)
			continue;
		if (m->base >= MEMMAP_PHYS_LIMIT || m->size > MEMMAP_PHYS_LIMIT - m->base) {
			snprintf(err, errlen, "boot module %u at 0x%llx size 0x%llx is invalid", i,
				 (unsigned long long)m->base, (unsigned long long)m->size);
			return -EINVAL;
		}
		z->base = ALIGN_DOWN(m->base, PAGE_SIZE);
		z->size = ALIGN_UP(zone_end(m), PAGE_SIZE) - z->base;
		plan->modules++;
	}
	return 0;
}

/* Fail if the image or a module overlaps [base, end), used below 1 MiB. */
static int check_low_unprotected(const struct partition_plan *plan, uint64_t base, uint64_t end,
				 const char *what, char *err, size_t errlen)
{
	uint32_t i;

	if (overlaps(base, end, plan->image.base, zone_end(&plan->image))) {
		snprintf(err, errlen, "VMM image at 0x%llx-0x%llx overlaps %s",
			 (unsigned long long)plan->image.base, (unsigned long long)zone_end(&plan->image),
			 what);
		return -EINVAL;
	}
	for (i = 0; i < plan->modules; i++) {
		const struct zone *m = &plan->module[i];

		if (overlaps(base, end, m->base, zone_end(m))) {
			snprintf(err, errlen, "boot module at 0x%llx-0x%llx overlaps %s",
				 (unsigned long long)m->base, (unsigned long long)zone_end(m), what);
			return -EINVAL;
		}
	}
	return 0;
}

/* The trampoline page and the IOPM low slices, below 1 MiB. */
static int plan_low(const struct memmap *mm, const struct boot_config *cfg, struct partition_plan *plan,
		    char *err, size_t errlen)
{
	char d[PARAM_DESC_BUF], s1[SIZE_BUF], s2[SIZE_BUF], s3[SIZE_BUF];
	uint64_t top = 0, slice;
	uint32_t i;
	int ret;

	if (!memmap_is_usable(mm, TRAMPOLINE_ADDR, PAGE_SIZE)) {
		snprintf(err, errlen, "AP trampoline page 0x%llx is not usable RAM", TRAMPOLINE_ADDR);
		return -EINVAL;
	}
	ret = check_low_unprotected(plan, TRAMPOLINE_ADDR, TRAMPOLINE_ADDR + PAGE_SIZE,
				    "the AP trampoline page", err, errlen);
	if (ret)
		return ret;
	plan->trampoline.base = TRAMPOLINE_ADDR;
	plan->trampoline.size = PAGE_SIZE;
	if (!cfg->iopms)
		return 0;

	for (i = 0; i < mm->count; i++) {
		const struct mem_range *r = &mm->r[i];

		if (r->type == MEM_USABLE && r->base <= PLAN_LOW_BASE && r->base + r->size > PLAN_LOW_BASE)
			top = ALIGN_DOWN(MIN(r->base + r->size, PLAN_LOW_LIMIT), PAGE_SIZE);
	}
	if (top <= PLAN_LOW_BASE) {
		snprintf(err, errlen, "%s: no usable RAM at 0x%llx for the IOPM low-memory slices",
			 param(cfg, CMDLINE_IOPMS, d), PLAN_LOW_BASE);
		return -ENOSPC;
	}
	slice = ALIGN_DOWN((top - PLAN_LOW_BASE) / cfg->iopms, PAGE_SIZE);
	if (slice < PLAN_LOW_SLICE_MIN) {
		snprintf(err, errlen,
			 "%s: too many IOPMs for low memory: %s at 0x%llx-0x%llx gives %s each, need %s",
			 param(cfg, CMDLINE_IOPMS, d), fmt_mem(top - PLAN_LOW_BASE, s1), PLAN_LOW_BASE,
			 (unsigned long long)top, fmt_mem(slice, s2), fmt_mem(PLAN_LOW_SLICE_MIN, s3));
		return -ENOSPC;
	}
	ret = check_low_unprotected(plan, PLAN_LOW_BASE, PLAN_LOW_BASE + slice * cfg->iopms,
				    "the IOPM low-memory slices", err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < cfg->iopms; i++) {
		plan->iopm_low[i].base = PLAN_LOW_BASE + i * slice;
		plan->iopm_low[i].size = slice;
	}
	return 0;
}

/* Usable RAM at or above PLAN_HIGH_BASE, page-rounded inwards, minus the
 * image and the modules. */
static int build_free(const struct memmap *mm, const struct partition_plan *plan, struct free_list *fl)
{
	uint32_t i;
	int ret;

	fl->n = 0;
	for (i = 0; i < mm->count; i++) {
		const struct mem_range *r = &mm->r[i];
		uint64_t b = ALIGN_UP(MAX(r->base, PLAN_HIGH_BASE), PAGE_SIZE);
		uint64_t e = ALIGN_DOWN(r->base + r->size, PAGE_SIZE);

		if (r->type != MEM_USABLE || b >= e)
			continue;
		fl->r[fl->n].base = b;
		fl->r[fl->n].size = e - b;
		fl->n++;
	}
	ret = free_remove(fl, plan->image.base, zone_end(&plan->image));
	for (i = 0; !ret && i < plan->modules; i++)
		ret = free_remove(fl, plan->module[i].base, zone_end(&plan->module[i]));
	return ret;
}

/* The default iopm_mem is lowered on small machines: when the IOPM zones
 * would take more than half of usable RAM, each gets usable RAM / (4 *
 * iopms) instead (2 MiB aligned, at least the minimum). An explicit
 * iopm_mem is never changed. */
static void choose_iopm_mem(const struct memmap *mm, const struct boot_config *cfg,
			    struct partition_plan *plan)
{
	uint64_t usable = memmap_usable_bytes(mm), lowered;

	plan->iopm_mem = cfg->iopm_mem;
	if (cfg->iopm_mem_set || !cfg->iopms)
		return;
	if (plan->iopm_mem * cfg->iopms <= usable / IOPM_MEM_LOWER_LIMIT_DIVISOR)
		return;
	lowered = ALIGN_DOWN(usable / (IOPM_MEM_LOWER_DIVISOR * cfg->iopms), PLAN_ZONE_ALIGN);
	plan->iopm_mem = MAX(lowered, CMDLINE_IOPM_MEM_MIN);
	plan->iopm_mem_lowered = plan->iopm_mem != cfg->iopm_mem;
}

static const char *describe_iopm_mem(const struct boot_config *cfg, const struct partition_plan *plan,
				     char *buf)
{
	char s1[SIZE_BUF], s2[SIZE_BUF];

	if (!plan->iopm_mem_lowered)
		return param(cfg, CMDLINE_IOPM_MEM, buf);
	snprintf(buf, PARAM_DESC_BUF, "iopm_mem (default %s, lowered to %s for small RAM)",
		 cmdline_format_size(cfg->iopm_mem, s1, sizeof(s1)),
		 cmdline_format_size(plan->iopm_mem, s2, sizeof(s2)));
	return buf;
}

/* Shared zone, then the IOPM zones, top-down; then the VMM heap bottom-up. */
static int place_zones(struct free_list *fl, const struct boot_config *cfg, struct partition_plan *plan,
		       char *err, size_t errlen)
{
	char d[PARAM_DESC_BUF], what[PARAM_DESC_BUF];
	uint32_t i;

	if (place_top_down(fl, cfg->shared_mem, &plan->shared))
		return fit_error(fl, param(cfg, CMDLINE_SHARED_MEM, d), "shared zone", cfg->shared_mem, true,
				 err, errlen);
	for (i = 0; i < cfg->iopms; i++) {
		if (place_top_down(fl, plan->iopm_mem, &plan->iopm[i])) {
			snprintf(what, sizeof(what), "IOPM zone %u of %u", i, cfg->iopms);
			return fit_error(fl, describe_iopm_mem(cfg, plan, d), what, plan->iopm_mem, true, err,
					 errlen);
		}
	}
	plan->iopms = cfg->iopms;
	if (place_bottom_up(fl, cfg->vmm_mem, &plan->vmm_heap))
		return fit_error(fl, param(cfg, CMDLINE_VMM_MEM, d), "VMM heap", cfg->vmm_mem, false, err,
				 errlen);
	return 0;
}

/* Everything left is the guest pool; past PLAN_MAX_RANGES ranges the
 * smallest are left out (counted in guest_dropped). */
static void fill_pool(struct free_list *fl, struct partition_plan *plan)
{
	while (fl->n > PLAN_MAX_RANGES) {
		uint32_t i, small = 0;

		for (i = 1; i < fl->n; i++)
			if (fl->r[i].size < fl->r[small].size)
				small = i;
		plan->guest_dropped += fl->r[small].size;
		memmove(&fl->r[small], &fl->r[small + 1], (fl->n - small - 1) * sizeof(fl->r[0]));
		fl->n--;
	}
	memcpy(plan->guest, fl->r, fl->n * sizeof(fl->r[0]));
	plan->guest_ranges = fl->n;
}

int plan_partitions(const struct memmap *mm, const struct boot_config *cfg, uint64_t image_base,
		    uint64_t image_end, const struct zone *modules, uint32_t nmodules,
		    struct partition_plan *plan, char *err, size_t errlen)
{
	struct free_list fl;
	int ret;

	err_init(err, &errlen);
	memset(plan, 0, sizeof(*plan));
	if (!mm || !mm->count) {
		snprintf(err, errlen, "no memory map from the bootloader");
		return -EINVAL;
	}
	if (!memmap_is_normalized(mm)) {
		snprintf(err, errlen, "memory map is not normalized");
		return -EINVAL;
	}
	ret = check_config(cfg, err, errlen);
	if (!ret)
		ret = protect(plan, image_base, image_end, modules, nmodules, err, errlen);
	if (!ret)
		ret = plan_low(mm, cfg, plan, err, errlen);
	if (ret)
		return ret;
	if (build_free(mm, plan, &fl)) {
		snprintf(err, errlen, "memory map too fragmented");
		return -ENOSPC;
	}
	choose_iopm_mem(mm, cfg, plan);
	ret = place_zones(&fl, cfg, plan, err, errlen);
	if (ret)
		return ret;
	fill_pool(&fl, plan);
	return 0;
}

int plan_check_cpus(const struct boot_config *cfg, uint32_t ncpus, char *err, size_t errlen)
{
	char d[PARAM_DESC_BUF];
	uint64_t need = 1 + (uint64_t)cfg->iopms;

	err_init(err, &errlen);
	if (ncpus >= need)
		return 0;
	snprintf(err, errlen, "%s: needs %llu CPUs (1 VMM + %u IOPM) but the machine has %u",
		 param(cfg, CMDLINE_IOPMS, d), (unsigned long long)need, cfg->iopms, ncpus);
	return -EINVAL;
}

bool plan_is_guest_ram(const struct partition_plan *p, uint64_t base, uint64_t size)
{
	uint32_t i;

	if (!size || base > UINT64_MAX - size)
		return false;
	for (i = 0; i < p->guest_ranges && i < PLAN_MAX_RANGES; i++)
		if (base >= p->guest[i].base && base + size <= zone_end(&p->guest[i]))
			return true;
	return false;
}
