// SPDX-License-Identifier: GPL-2.0-or-later
/* Elapsed time for benchmarks and progress. */
#include <time.h>

#include "common/clock.h"

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
