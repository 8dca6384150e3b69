/* SPDX-License-Identifier: GPL-2.0-only */
/* log.c: serialized, levelled output to COM1. One lock keeps lines from
 * different CPUs whole; a line is formatted first, then written to COM1 and
 * to the sink once one is set (vmm/platform/log.h log_set_sink); until then
 * to the history (the last LOG_HISTORY bytes), which the sink is given when
 * it is set: the history exists only to replay the boot's lines. */
#define LOG_PREFIX "log"
#include "vmm/platform/log.h"

#include "arch/x86/serial.h"
#include "vmm/lib/spinlock.h"

#define LOG_LINE_MAX 256
#define LOG_BAUD     115200

static struct spinlock log_lock;
static enum log_level log_level = LOG_INFO;
/* Problems are tagged; debug lines are not: they are there only when asked
 * for (loglevel=3), and read like info lines ("[vmm] alive N"). */
static const char *const level_tag[] = {"error: ", "warning: ", "", ""};
static char history[LOG_HISTORY]; /* a byte ring: what was logged before the sink was set */
static uint64_t history_head;	  /* bytes ever logged */
static log_sink_fn sink;

_Static_assert((LOG_HISTORY & (LOG_HISTORY - 1)) == 0, "LOG_HISTORY: a power of two");

void log_init(void)
{
	serial_init(COM1_PORT, LOG_BAUD);
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

void log_set_sink(log_sink_fn fn)
{
	uint64_t flags = spin_lock_irqsave(&log_lock);
	uint64_t first = history_head > LOG_HISTORY ? history_head - LOG_HISTORY : 0;
	uint64_t at = first & (LOG_HISTORY - 1), n = history_head - first;
	uint64_t part = MIN(n, LOG_HISTORY - at);
	fn(history + at, part);
	if (n > part)
		fn(history, n - part);
	sink = fn;
	spin_unlock_irqrestore(&log_lock, flags);
}

static void emit(const char *line)
{
	uint64_t flags = spin_lock_irqsave(&log_lock);
	size_t len = 0;
	for (const char *p = line; *p; p++, len++) {
		if (*p == '\n')
			serial_putc(COM1_PORT, '\r');
		serial_putc(COM1_PORT, *p);
	}
	if (sink)
		sink(line, len);
	else
		for (size_t i = 0; i < len; i++)
			history[history_head++ & (LOG_HISTORY - 1)] = line[i];
	spin_unlock_irqrestore(&log_lock, flags);
}

static void vlog(const char *prefix, const char *tag, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n = 0;
	if (prefix)
		n = (size_t)snprintf(line, sizeof(line), "[%s] %s", prefix, tag);
	if (n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = strlen(line);
	if (n + 2 > sizeof(line))
		n = sizeof(line) - 2;
	line[n] = '\n';
	line[n + 1] = '\0';
	emit(line);
}

void log_printf(enum log_level level, const char *prefix, const char *fmt, ...)
{
	if (level > log_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(prefix, level_tag[level], fmt, ap);
	va_end(ap);
}

void log_raw(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, "", fmt, ap);
	va_end(ap);
}

void log_fatal(const char *prefix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(prefix, "FATAL: ", fmt, ap);
	va_end(ap);
	log_raw("coopvmm: halted");
	cpu_stop();
}
