/* SPDX-License-Identifier: GPL-2.0-only */
/* log.c: serialized, levelled output to COM1. One lock keeps lines from
 * different CPUs whole; a line is formatted first, then written. */
#define LOG_PREFIX "log"
#include "vmm/platform/log.h"

#include "arch/x86/serial.h"
#include "vmm/lib/spinlock.h"

#define LOG_LINE_MAX 256
#define LOG_BAUD     115200

static struct spinlock log_lock;
static enum log_level log_level = LOG_INFO;
static const char *const level_tag[] = {"error: ", "warning: ", "", "debug: "};

void log_init(void)
{
	serial_init(COM1_PORT, LOG_BAUD);
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

static void emit(const char *line)
{
	uint64_t flags = spin_lock_irqsave(&log_lock);
	for (const char *p = line; *p; p++) {
		if (*p == '\n')
			serial_putc(COM1_PORT, '\r');
		serial_putc(COM1_PORT, *p);
	}
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
