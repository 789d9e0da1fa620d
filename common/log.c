/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages with the applet prefix and a level word, one write each. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

static const char *prog = "luks2box";
static enum log_level level = LOG_NORMAL;

void log_set_prog(const char *name)
{
	prog = name;
}

const char *log_prog(void)
{
	return prog;
}

void log_set_level(enum log_level l)
{
	level = l;
}

enum log_level log_get_level(void)
{
	return level;
}

static void vlog(const char *word, const char *fmt, va_list ap)
{
	char buf[1024];
	int n, saved = errno;

	n = snprintf(buf, sizeof(buf), "%s: %s", prog, word);
	if (n < 0 || n >= (int)sizeof(buf))
		return;
	vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	n = strlen(buf);
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, n) < 0) {
		/* nowhere left to report it */
	}
	errno = saved;
}

#define LOGFN(fn, min, word)				\
	void fn(const char *fmt, ...)			\
	{						\
		va_list ap;				\
		if (level < (min))			\
			return;				\
		va_start(ap, fmt);			\
		vlog(word, fmt, ap);			\
		va_end(ap);				\
	}

/* Errors are printed even with -q: -q silences answers, not failures. */
void log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}

LOGFN(log_warn, LOG_NORMAL, "warning: ")
LOGFN(log_info, LOG_NORMAL, "")
LOGFN(log_verbose, LOG_VERBOSE, "")
LOGFN(log_dbg, LOG_DEBUG, "debug: ")

const char *log_printable(char *buf, size_t n, const char *s)
{
	size_t i = 0;

	for (; s && s[i] && i + 1 < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (n)
		buf[i] = 0;
	return buf;
}
