/* SPDX-License-Identifier: GPL-2.0-only */
/* report.h: the boot report printed at the end of the boot (format in
 * docs/boot-report.md). */
#ifndef VMM_REPORT_H
#define VMM_REPORT_H

#include "vmm/platform/bootinfo.h"
#include "vmm/platform/partition.h"

void boot_report(const char *cmdline, const struct partition_plan *p, const struct boot_info *bi);

#endif
