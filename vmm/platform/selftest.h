/* SPDX-License-Identifier: GPL-2.0-only */
/* selftest.h: deliberate faults requested with selftest= on the command
 * line, so that system tests can check the exception report and that a
 * fault stops only the CPU it happened on. */
#ifndef VMM_SELFTEST_H
#define VMM_SELFTEST_H

#include "vmm/platform/cmdline.h"

void selftest_run(enum selftest which);

#endif
