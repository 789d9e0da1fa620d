/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LUKS2 binary header + JSON area: read both copies, write both copies. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crypto_backend/crypto_backend.h"
#include "common/io.h"
#include "common/log.h"
#include "luks2/json.h"
#include "luks2/luks2.h"
#include "luks2/validate.h"

/* Where a secondary copy may start when the primary is unusable
 * (doc/format.md §1.1). */
const uint64_t luks2_hdr2_offsets[LUKS2_HDR2_OFFSETS_N] = {
	0x4000, 0x8000, 0x10000, 0x20000, 0x40000,
	0x80000, 0x100000, 0x200000, 0x400000,
};

int luks2_hdr_size_allowed(uint64_t s)
{
	for (size_t i = 0; i < LUKS2_HDR2_OFFSETS_N; i++)
		if (s == luks2_hdr2_offsets[i])
			return 1;
	return 0;
}

/* Hash of the binary header with csum zeroed, then the whole JSON area. */
static int hdr_checksum(const char *alg, const struct luks2_hdr_disk *bin,
			const char *json, size_t json_len, uint8_t *out, int *out_len)
{
	struct luks2_hdr_disk tmp = *bin;
	struct crypt_hash *h;
	int n = crypt_hash_size(alg), r;

	if (n <= 0 || n > LUKS2_CSUM_LEN)
		return -ENOENT;
	memset(tmp.csum, 0, sizeof(tmp.csum));
	r = crypt_hash_init(&h, alg);
	if (r < 0)
		return r;
	r = crypt_hash_write(h, &tmp, sizeof(tmp));
	if (!r)
		r = crypt_hash_write(h, json, json_len);
	if (!r)
		r = crypt_hash_final(h, out, n);
	crypt_hash_destroy(h);
	*out_len = n;
	return r;
}

static void cstr(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Parse the JSON area: '{' first, NUL only after the text
 * (doc/format.md §1.4). */
static int parse_json_area(const char *area, size_t len, struct json_object **out,
			   char *why, size_t why_len)
{
	struct json_tokener *tok;
	struct json_object *j;
	size_t end;

	if (len == 0 || area[0] != '{') {
		snprintf(why, why_len, "JSON area does not start with '{'");
		return -EINVAL;
	}
	if (!memchr(area, '\0', len)) {
		snprintf(why, why_len, "JSON area has no terminating NUL");
		return -EINVAL;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	j = json_tokener_parse_ex(tok, area, (int)strnlen(area, len));
	end = (size_t)json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!j || !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		snprintf(why, why_len, "JSON area does not hold a JSON object");
		return -EINVAL;
	}
	for (; end < len; end++)
		if (area[end] != '\0') {
			json_object_put(j);
			snprintf(why, why_len, "forbidden byte 0x%02x after the JSON text at offset %zu",
				 (unsigned char)area[end], end);
			return -EINVAL;
		}
	*out = j;
	return 0;
}

/* cryptsetup before 2.0.3 left fields of another kdf type in keyslots;
 * like cryptsetup, drop them in memory and validate again. 1 if changed. */
static int repair_kdf(struct json_object *root)
{
	static const char *const pbkdf2[] = { "type", "salt", "hash", "iterations", NULL };
	static const char *const argon2[] = { "type", "salt", "time", "memory", "cpus", NULL };
	int changed = 0;

	/* Runs on JSON that failed validation: no member has a known type. */
	ljson_foreach(ljson_get(root, "keyslots"), name, ks) {
		struct json_object *kdf = ljson_get_type(ks, "kdf", json_type_object);
		const char *t = ljson_get_str(kdf, "type");
		const char *const *keep;
		const char *drop[16];
		int n = 0;

		(void)name;
		if (!t)
			continue;
		keep = !strcmp(t, "pbkdf2") ? pbkdf2 :
		       !strcmp(t, "argon2i") || !strcmp(t, "argon2id") ? argon2 : NULL;
		if (!keep)
			continue;
		ljson_foreach(kdf, k, v) {
			int known = 0;

			(void)v;
			for (int i = 0; keep[i]; i++)
				known |= !strcmp(k, keep[i]);
			if (!known && n < 16)
				drop[n++] = k;
		}
		for (int i = 0; i < n; i++)
			json_object_object_del(kdf, drop[i]);
		changed |= n > 0;
	}
	return changed;
}

/* Read and check one copy at off. ok=1 and *json set when usable;
 * *bin_ok tells whether the binary header and checksum were good. */
static int read_copy(int fd, uint64_t off, int secondary, uint64_t dev_size,
		     struct luks2_hdr_disk *bin, struct json_object **json,
		     struct luks2_copy_state *st, int *bin_ok)
{
	const char *magic = secondary ? LUKS2_MAGIC_2ND : LUKS2_MAGIC_1ST;
	uint8_t sum[LUKS2_CSUM_LEN];
	uint64_t hs;
	char *area = NULL;
	int r, n;

	*bin_ok = 0;
	st->ok = 0;
	st->offset = off;
	if (off + LUKS2_HDR_BIN_LEN > dev_size) {
		snprintf(st->why, sizeof(st->why), "device too small for a header at %ju",
			 (uintmax_t)off);
		return -EINVAL;
	}
	r = io_pread(fd, bin, sizeof(*bin), off);
	if (r < 0) {
		snprintf(st->why, sizeof(st->why), "read error: %s", strerror(-r));
		return r;
	}
	if (memcmp(bin->magic, magic, LUKS2_MAGIC_LEN)) {
		snprintf(st->why, sizeof(st->why), "no %s header magic", secondary ? "secondary" : "LUKS");
		return -EINVAL;
	}
	hs = be64toh(bin->hdr_size);
	st->seqid = be64toh(bin->seqid);
	if (be16toh(bin->version) != 2) {
		snprintf(st->why, sizeof(st->why), "header version %u, not 2", be16toh(bin->version));
		return -EINVAL;
	}
	if (be64toh(bin->hdr_offset) != off || !luks2_hdr_size_allowed(hs) ||
	    (secondary && off != hs)) {
		snprintf(st->why, sizeof(st->why), "bad hdr_size %ju or hdr_offset %ju",
			 (uintmax_t)hs, (uintmax_t)be64toh(bin->hdr_offset));
		return -EINVAL;
	}
	if (off + hs > dev_size) {
		snprintf(st->why, sizeof(st->why), "device too small for hdr_size %ju", (uintmax_t)hs);
		return -EINVAL;
	}
	area = malloc(hs - LUKS2_HDR_BIN_LEN);
	if (!area)
		return -ENOMEM;
	r = io_pread(fd, area, hs - LUKS2_HDR_BIN_LEN, off + LUKS2_HDR_BIN_LEN);
	if (r < 0) {
		snprintf(st->why, sizeof(st->why), "read error: %s", strerror(-r));
		goto out;
	}
	{
		char alg[33];

		cstr(alg, bin->checksum_alg, 32);
		r = hdr_checksum(alg, bin, area, hs - LUKS2_HDR_BIN_LEN, sum, &n);
		if (r < 0) {
			snprintf(st->why, sizeof(st->why), "unknown checksum algorithm '%s'", alg);
			goto out;
		}
	}
	if (crypt_backend_memeq(sum, bin->csum, n)) {
		snprintf(st->why, sizeof(st->why), "checksum mismatch");
		r = -EINVAL;
		goto out;
	}
	*bin_ok = 1;
	r = parse_json_area(area, hs - LUKS2_HDR_BIN_LEN, json, st->why, sizeof(st->why));
	if (r < 0)
		goto out;
	r = luks2_validate(*json, hs, st->why, sizeof(st->why));
	if (r < 0 && repair_kdf(*json))
		r = luks2_validate(*json, hs, st->why, sizeof(st->why));
	if (r < 0) {
		json_object_put(*json);
		*json = NULL;
		goto out;
	}
	st->ok = 1;
out:
	free(area);
	return r;
}

static void fill_hdr(struct luks2_hdr *hdr, const struct luks2_hdr_disk *bin,
		     struct json_object *json)
{
	hdr->hdr_size = be64toh(bin->hdr_size);
	hdr->seqid = be64toh(bin->seqid);
	cstr(hdr->label, bin->label, 48);
	cstr(hdr->subsystem, bin->subsystem, 48);
	cstr(hdr->checksum_alg, bin->checksum_alg, 32);
	cstr(hdr->uuid, bin->uuid, 40);
	hdr->jobj = json;
}

/* Classify a device whose primary is unusable: LUKS1? too small? */
static int not_luks2_reason(int fd, uint64_t dev_size)
{
	char b[8];

	if (dev_size < LUKS2_HDR_BIN_LEN || io_pread(fd, b, sizeof(b), 0) < 0) {
		log_err("not a LUKS2 device: too small (%ju bytes)", (uintmax_t)dev_size);
		return -ENODEV;
	}
	if (!memcmp(b, LUKS2_MAGIC_1ST, LUKS2_MAGIC_LEN) && b[6] == 0 && b[7] == 1) {
		log_err("LUKS1 header found; only LUKS2 is supported");
		return -ENODEV;
	}
	if (memcmp(b, LUKS2_MAGIC_1ST, LUKS2_MAGIC_LEN)) {
		log_err("not a LUKS device: no LUKS header magic");
		return -ENODEV;
	}
	return 0;
}

/*
 * One copy is unusable or older: cryptsetup would rewrite it, but not next
 * to another signature ("Device contains ambiguous signatures").
 * A writer refuses; read-only callers (foreign_ok) get a warning and
 * hdr->foreign, which makes luks2_hdr_write refuse.
 */
static int check_foreign(int fd, struct luks2_hdr *hdr, int bad, int foreign_ok)
{
	struct luks2_copy_state *st = &hdr->copy[bad];
	size_t n;

	if (!luks2_foreign_signature(fd, hdr->foreign, sizeof(hdr->foreign)))
		return 0;
	n = strlen(st->why);
	if (!st->ok)
		snprintf(st->why + n, sizeof(st->why) - n, "; device holds %s", hdr->foreign);
	if (!foreign_ok) {
		log_err("device contains ambiguous signatures (%s) beside a %s %s LUKS2 header "
			"copy; not using it (cryptsetup repair would rewrite that copy over "
			"the other signature)", hdr->foreign, st->ok ? "stale" : "damaged",
			bad ? "secondary" : "primary");
		return -EINVAL;
	}
	log_warn("device contains ambiguous signatures (%s) beside a %s %s LUKS2 header "
		 "copy; writers refuse this device", hdr->foreign,
		 st->ok ? "stale" : "damaged", bad ? "secondary" : "primary");
	return 0;
}

static int hdr_read(int fd, struct luks2_hdr *hdr, int foreign_ok)
{
	struct luks2_hdr_disk bin[2];
	struct json_object *json[2] = { NULL, NULL };
	uint64_t dev_size;
	int bin_ok, pick, r;

	memset(hdr, 0, sizeof(*hdr));
	r = io_size(fd, &dev_size);
	if (r < 0)
		return r;
	read_copy(fd, 0, 0, dev_size, &bin[0], &json[0], &hdr->copy[0], &bin_ok);
	if (bin_ok) {
		read_copy(fd, be64toh(bin[0].hdr_size), 1, dev_size, &bin[1], &json[1],
			  &hdr->copy[1], &bin_ok);
	} else {
		for (size_t i = 0; i < LUKS2_HDR2_OFFSETS_N; i++) {
			read_copy(fd, luks2_hdr2_offsets[i], 1, dev_size, &bin[1], &json[1],
				  &hdr->copy[1], &bin_ok);
			if (hdr->copy[1].ok)
				break;
		}
		if (!hdr->copy[1].ok)
			snprintf(hdr->copy[1].why, sizeof(hdr->copy[1].why),
				 "no valid secondary header found");
	}
	if (!hdr->copy[0].ok && !hdr->copy[1].ok) {
		r = not_luks2_reason(fd, dev_size);
		if (r < 0)
			return r;
		log_err("invalid LUKS2 header: primary: %s; secondary: %s",
			hdr->copy[0].why, hdr->copy[1].why);
		return -EINVAL;
	}
	if (hdr->copy[0].ok && hdr->copy[1].ok)
		pick = hdr->copy[1].seqid > hdr->copy[0].seqid;
	else
		pick = hdr->copy[1].ok;
	fill_hdr(hdr, &bin[pick], json[pick]);
	json_object_put(json[1 - pick]);
	/* as LUKS2_disk_hdr_read(): an older valid copy needs recovery too */
	if ((!hdr->copy[1 - pick].ok || hdr->copy[0].seqid != hdr->copy[1].seqid) &&
	    check_foreign(fd, hdr, 1 - pick, foreign_ok) < 0) {
		luks2_hdr_free(hdr);
		return -EINVAL;
	}
	memcpy(hdr->salt[0], bin[0].salt, 64);
	memcpy(hdr->salt[1], bin[1].salt, 64);
	if (!hdr->copy[1 - pick].ok) {
		log_verbose("%s header copy unusable (%s); using the %s copy",
			    pick ? "primary" : "secondary", hdr->copy[1 - pick].why,
			    pick ? "secondary" : "primary");
		crypt_backend_rng(hdr->salt[1 - pick], 64);
	}
	if (dev_size < 2 * hdr->hdr_size + luks2_keyslots_size(hdr)) {
		log_err("device too small (%ju bytes) for its LUKS2 metadata (%ju bytes)",
			(uintmax_t)dev_size,
			(uintmax_t)(2 * hdr->hdr_size + luks2_keyslots_size(hdr)));
		luks2_hdr_free(hdr);
		return -EINVAL;
	}
	return 0;
}

/* Fixed-size on-disk string: at most size-1 bytes, NUL padded. */
static void put_field(char *dst, const char *src, size_t size)
{
	memcpy(dst, src, strnlen(src, size - 1));
}

static int write_copy(int fd, struct luks2_hdr *hdr, int secondary,
		      const char *area, size_t area_len)
{
	struct luks2_hdr_disk bin;
	uint64_t off = secondary ? hdr->hdr_size : 0;
	int n, r;

	memset(&bin, 0, sizeof(bin));
	memcpy(bin.magic, secondary ? LUKS2_MAGIC_2ND : LUKS2_MAGIC_1ST, LUKS2_MAGIC_LEN);
	bin.version = htobe16(2);
	bin.hdr_size = htobe64(hdr->hdr_size);
	bin.seqid = htobe64(hdr->seqid);
	put_field(bin.label, hdr->label, sizeof(bin.label));
	put_field(bin.checksum_alg, hdr->checksum_alg, sizeof(bin.checksum_alg));
	memcpy(bin.salt, hdr->salt[secondary], 64);
	put_field(bin.uuid, hdr->uuid, sizeof(bin.uuid));
	put_field(bin.subsystem, hdr->subsystem, sizeof(bin.subsystem));
	bin.hdr_offset = htobe64(off);
	r = hdr_checksum(hdr->checksum_alg, &bin, area, area_len, bin.csum, &n);
	if (r < 0)
		return r;
	/* JSON first: until the binary header lands, the copy fails its
	 * checksum, so a torn write leaves this copy invalid, never mixed. */
	r = io_pwrite(fd, area, area_len, off + LUKS2_HDR_BIN_LEN);
	if (!r)
		r = io_pwrite(fd, &bin, sizeof(bin), off);
	if (!r)
		r = io_fsync(fd);
	return r;
}

int luks2_hdr_read(int fd, struct luks2_hdr *hdr)
{
	return hdr_read(fd, hdr, 0);
}

int luks2_hdr_write(int fd, struct luks2_hdr *hdr)
{
	size_t area_len = hdr->hdr_size - LUKS2_HDR_BIN_LEN;
	const char *text;
	char *area;
	int r;

	if (hdr->foreign[0]) {
		log_err("refusing to write a LUKS2 header over another signature (%s)",
			hdr->foreign);
		return -EINVAL;
	}
	r = luks2_hdr_check(hdr, &text);
	if (r < 0)
		return r;
	area = calloc(1, area_len);
	if (!area)
		return -ENOMEM;
	memcpy(area, text, strlen(text));
	hdr->seqid++;
	r = write_copy(fd, hdr, 0, area, area_len);
	if (!r)
		r = write_copy(fd, hdr, 1, area, area_len);
	free(area);
	if (r < 0)
		log_err("cannot write the LUKS2 header: %s", strerror(-r));
	return r;
}

void luks2_hdr_free(struct luks2_hdr *hdr)
{
	json_object_put(hdr->jobj);
	hdr->jobj = NULL;
}

int luks2_dev_open(struct luks2_dev *d, const char *path, const char *header,
		   int writable)
{
	int flags = writable ? O_RDWR : O_RDONLY, r;

	memset(d, 0, sizeof(*d));
	d->fd = d->hdr_fd = -1;
	d->path = path;
	d->hdr_path = header ? header : path;
	d->writable = writable;
	d->fd = io_open(path, flags);
	if (d->fd < 0)
		return d->fd;
	if (header) {
		d->hdr_fd = io_open(header, flags);
		if (d->hdr_fd < 0) {
			r = d->hdr_fd;
			goto fail;
		}
	} else {
		d->hdr_fd = d->fd;
	}
	r = io_size(d->fd, &d->size);
	if (r < 0)
		goto fail;
	r = hdr_read(d->hdr_fd, &d->hdr, !writable);
	if (r < 0)
		goto fail;
	return 0;
fail:
	luks2_dev_close(d);
	return r;
}

void luks2_dev_close(struct luks2_dev *d)
{
	luks2_hdr_free(&d->hdr);
	if (d->hdr_fd >= 0 && d->hdr_fd != d->fd)
		close(d->hdr_fd);
	if (d->fd >= 0)
		close(d->fd);
	d->fd = d->hdr_fd = -1;
}
