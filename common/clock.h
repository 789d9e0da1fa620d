/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Elapsed time for benchmarks and progress (common/clock.c). */
#ifndef COMMON_CLOCK_H
#define COMMON_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC: only differences mean something. */
double now_ms(void);

#endif
