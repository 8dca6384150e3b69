/* SPDX-License-Identifier: GPL-2.0-only */
/* log.h: the VMM's levelled log on COM1. Each .c file defines LOG_PREFIX
 * (its subsystem) before including this; lines read "[prefix] message". */
#ifndef VMM_LOG_H
#define VMM_LOG_H

#include "vmm/lib/lib.h"

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

#ifndef LOG_PREFIX
#error "define LOG_PREFIX before including vmm/platform/log.h"
#endif

void log_init(void);
/* Where every line also goes once set (the IOPMs' log rings, vmctl dmesg):
 * called with each whole line (its '\n' included) under the log's lock, on
 * whatever CPU logs it. Set once: it is first handed what was logged so far
 * (the last LOG_HISTORY bytes, kept only until then), so that the boot's
 * lines are there too.
 * The layer above sets it (hooks go down). */
typedef void (*log_sink_fn)(const char *s, size_t len);
#define LOG_HISTORY 0x10000
void log_set_sink(log_sink_fn sink);
void log_set_level(enum log_level level);
void log_printf(enum log_level level, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Raw line output without level or prefix (boot report). */
void log_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "[prefix] FATAL: ..." then stop this CPU. */
__attribute__((noreturn, format(printf, 2, 3))) void log_fatal(const char *prefix, const char *fmt, ...);

#define pr_err(...)   log_printf(LOG_ERROR, LOG_PREFIX, __VA_ARGS__)
#define pr_warn(...)  log_printf(LOG_WARN, LOG_PREFIX, __VA_ARGS__)
#define pr_info(...)  log_printf(LOG_INFO, LOG_PREFIX, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, LOG_PREFIX, __VA_ARGS__)
#define fatal(...)    log_fatal(LOG_PREFIX, __VA_ARGS__)

/* Invariant check: a failed one is a VMM bug, reported like a panic. */
#define ASSERT(cond)                                                                                         \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			log_fatal("assert", "PANIC: %s:%d: %s", __FILE__, __LINE__, #cond);                  \
	} while (0)

#endif
