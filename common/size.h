/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Overflow-checked byte arithmetic. */
#ifndef COMMON_SIZE_H
#define COMMON_SIZE_H

#include <stdint.h>

#define SECTOR_SIZE 512ULL

static inline int size_add(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_add_overflow(a, b, out) ? -1 : 0;
}

static inline uint64_t size_round_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) / align * align;
}

static inline uint64_t size_round_down(uint64_t v, uint64_t align)
{
	return v / align * align;
}

static inline int size_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

#endif
