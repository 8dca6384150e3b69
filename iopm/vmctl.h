/* SPDX-License-Identifier: GPL-2.0-only */
/* vmctl.h: what vmctl's files share: its exit codes, and the interactive
 * console of vmctl_console.c, called by vmctl.c's command dispatch. */
#ifndef VMCTL_H
#define VMCTL_H

/* Exit codes (vmctl --help). */
#define EXIT_FAIL	1  /* no zone, no iopmd, no answer from the VMM, a refusal, no such guest */
#define EXIT_NO_CHANNEL 2  /* the VMM does not serve the request */
#define EXIT_IMPOSSIBLE 3  /* not in this setup: fake zone, no notification vector */
#define EXIT_USAGE	64 /* as sysexits.h: EX_USAGE, EX_DATAERR, EX_NOINPUT */
#define EXIT_DATA	65 /* a bad config file or image */
#define EXIT_NO_INPUT	66 /* a file that cannot be read */

/* `vmctl console NAME|ID` with stdin on a terminal (NAME checked by the
 * caller): the exit code, 0 when the user detached with Ctrl-]. */
int cmd_console(const char *who);

#endif
