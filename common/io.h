/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole-buffer I/O, device size and device identity. */
#ifndef COMMON_IO_H
#define COMMON_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Open a device or image file. Block devices opened for writing get
 * O_EXCL (offline use). Returns fd or negative errno (logged). */
int io_open(const char *path, int flags);
/* Read/write exactly len bytes at off; short I/O is -EIO. */
int io_pread(int fd, void *buf, size_t len, uint64_t off);
int io_pwrite(int fd, const void *buf, size_t len, uint64_t off);
int io_fsync(int fd);
int io_fdatasync(int fd);
/* Size in bytes of a regular file or block device. */
int io_size(int fd, uint64_t *size);
/* 1 block device, 0 regular file, -ENODEV otherwise. */
int io_is_blockdev(int fd);
/* Logical block size (512 for regular files). */
int io_logical_block(int fd, uint64_t *bs);
/* Page-aligned buffer for O_DIRECT and AF_ALG; free with free(). */
void *io_alloc(size_t len);

#endif
