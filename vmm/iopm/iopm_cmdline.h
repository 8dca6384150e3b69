/* SPDX-License-Identifier: GPL-2.0-only */
/* iopm_cmdline.h: the IOPM's kernel command line: the VMM's own parameters
 * (docs/iopm-boot.md, "What Linux gets") followed by the extra arguments of
 * the "iopm-kernel" boot module, which may not undo the IOPM's confinement.
 * Pure C (host-tested in tests/unit/test_iopm_cmdline.c). */
#ifndef VMM_IOPM_CMDLINE_H
#define VMM_IOPM_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

struct iopm_cmdline_in {
	uint64_t tsc_khz;
	uint64_t shared_base, shared_size;
	const char *extra; /* the module's arguments; "" for none */
};

/* Write the command line into buf. Returns 0, -EINVAL when an extra
 * argument is refused (err names it and why) or -ENOSPC when it does not
 * fit `len`. */
int iopm_build_cmdline(char *buf, size_t len, const struct iopm_cmdline_in *in, char *err, size_t errlen);

#endif
