/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnostics to stderr, one write(2) per message:
 *   "hotzone-step: error: cannot read header of /dev/sdb: Input/output error"
 * stdout is kept for answers (status lines, JSON).
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stddef.h>

enum log_level { LOG_QUIET = 0, LOG_NORMAL, LOG_VERBOSE, LOG_DEBUG };

void log_set_prog(const char *name);
const char *log_prog(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed unless -q: what the tool is about to do. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s for a terminal: at most n-1 bytes, anything but printable ASCII as
 * '?' (strings read from a disk are hostile). Returns buf. */
const char *log_printable(char *buf, size_t n, const char *s);

#endif
