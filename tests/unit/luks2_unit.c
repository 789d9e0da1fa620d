/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: size parsing, AF split/merge, header write/read round trip,
 * segment mapping, reencryption progress and the D_re byte layout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crypto_backend/crypto_backend.h"
#include "common/io.h"
#include "common/log.h"
#include "common/opt.h"
#include "luks2/json.h"
#include "luks2/luks2.h"
#include "luks2/reenc_internal.h"

static int failed;

static void ok(int cond, const char *name, const char *why)
{
	if (cond) {
		printf("PASS: luks2_unit: %s\n", name);
	} else {
		printf("FAIL: luks2_unit: %s: %s\n", name, why);
		failed = 1;
	}
}

static void test_sizes(void)
{
	static const struct { const char *s; uint64_t v; int r; } c[] = {
		{ "0", 0, 0 }, { "512", 512, 0 }, { "4K", 4096, 0 }, { "4KiB", 4096, 0 },
		{ "1M", 1048576, 0 }, { "2G", 2147483648ULL, 0 }, { "8s", 4096, 0 },
		{ "1T", 1099511627776ULL, 0 }, { "-1", 0, -EINVAL }, { "1X", 0, -EINVAL },
		{ "", 0, -EINVAL }, { "99999999999999999999", 0, -EINVAL },
		{ "17179869184G", 0, -EINVAL },
	};
	uint64_t v;
	int r, good = 1;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		v = 0;
		r = opt_parse_size(c[i].s, &v);
		if (r != c[i].r || (!r && v != c[i].v)) {
			printf("    size '%s': r=%d v=%ju\n", c[i].s, r, (uintmax_t)v);
			good = 0;
		}
	}
	ok(good, "size parsing", "see above");
}

static void test_af(void)
{
	static const char *hashes[] = { "sha1", "sha256", "sha512" };
	static const size_t lens[] = { 16, 32, 33, 64, 65 };
	uint8_t key[65], out[65], *buf = malloc(65 * LUKS2_STRIPES);
	char name[64];
	int r;

	for (size_t h = 0; h < 3; h++)
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			crypt_backend_rng(key, lens[l]);
			r = luks2_af_split(key, buf, lens[l], hashes[h]);
			if (!r)
				r = luks2_af_merge(buf, out, lens[l], hashes[h]);
			snprintf(name, sizeof(name), "af round trip %s %zu", hashes[h], lens[l]);
			ok(!r && !memcmp(key, out, lens[l]), name, "merge(split(k)) != k");
			/* one flipped bit anywhere changes the key */
			buf[lens[l] * 1234 + 3] ^= 1;
			luks2_af_merge(buf, out, lens[l], hashes[h]);
			snprintf(name, sizeof(name), "af diffusion %s %zu", hashes[h], lens[l]);
			ok(memcmp(key, out, lens[l]) != 0, name, "bit flip not diffused");
		}
	free(buf);
}

/* doc/format.md §3.2 example: reencrypt forward, crash in the 2nd step,
 * 32 MiB device. */
static const char *crash_json =
	"{\"keyslots\":{\"2\":{\"type\":\"reencrypt\",\"key_size\":1,\"mode\":\"reencrypt\","
	"\"direction\":\"forward\",\"priority\":0,\"area\":{\"type\":\"checksum\","
	"\"offset\":\"548864\",\"size\":\"3661824\",\"hash\":\"sha256\",\"sector_size\":4096}}},"
	"\"tokens\":{},\"segments\":{"
	"\"0\":{\"type\":\"crypt\",\"offset\":\"5242880\",\"size\":\"4194304\",\"iv_tweak\":\"0\","
	"\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096},"
	"\"1\":{\"type\":\"crypt\",\"offset\":\"9437184\",\"size\":\"4194304\",\"iv_tweak\":\"8192\","
	"\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096,\"flags\":[\"in-reencryption\"]},"
	"\"2\":{\"type\":\"crypt\",\"offset\":\"13631488\",\"size\":\"dynamic\",\"iv_tweak\":\"16384\","
	"\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096},"
	"\"3\":{\"type\":\"crypt\",\"offset\":\"5242880\",\"size\":\"dynamic\",\"iv_tweak\":\"0\","
	"\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096,\"flags\":[\"backup-previous\"]},"
	"\"4\":{\"type\":\"crypt\",\"offset\":\"5242880\",\"size\":\"dynamic\",\"iv_tweak\":\"0\","
	"\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096,\"flags\":[\"backup-final\"]}},"
	"\"digests\":{\"0\":{\"type\":\"pbkdf2\",\"keyslots\":[],\"segments\":[\"1\",\"2\",\"3\"]},"
	"\"1\":{\"type\":\"pbkdf2\",\"keyslots\":[],\"segments\":[\"0\",\"1\",\"4\"]},"
	"\"2\":{\"type\":\"pbkdf2\",\"keyslots\":[\"2\"],\"segments\":[]}},"
	"\"config\":{\"json_size\":\"12288\",\"keyslots_size\":\"4177920\","
	"\"requirements\":{\"mandatory\":[\"online-reencrypt-v2\"]}}}";

static void test_segments(void)
{
	struct luks2_hdr hdr = { .hdr_size = 16384 };
	struct luks2_map m;
	struct reenc_status ri;
	uint64_t dev = 32 << 20;
	int r;

	hdr.jobj = json_tokener_parse(crash_json);
	ok(luks2_segment_count(&hdr) == 3, "segment count", "want 3 regular");
	r = luks2_segment_map(&hdr, dev, 0, &m);
	ok(!r && m.seg.id == 0 && m.physical == 5242880 && m.iv == 0 && m.len == 4194304,
	   "map L=0", "wrong mapping");
	r = luks2_segment_map(&hdr, dev, 4194304 + 4096, &m);
	ok(!r && m.seg.id == 1 && m.physical == 9437184 + 4096 && m.iv == 8192 + 8,
	   "map L in hotzone", "wrong mapping");
	r = luks2_segment_map(&hdr, dev, 8388608, &m);
	ok(!r && m.seg.id == 2 && m.physical == 13631488 && m.iv == 16384 &&
	   m.len == dev - 13631488, "map L in dynamic tail", "wrong mapping");
	r = luks2_segment_map(&hdr, dev, dev - 5242880, &m);
	ok(r == -ERANGE, "map past end", "want -ERANGE");
	r = reenc_status_read(&hdr, dev, &ri);
	ok(!r && ri.state == REENC_STATE_CRASH && ri.total == dev - 5242880 &&
	   ri.progress == 4194304 && ri.resilience == REENC_RES_CHECKSUM &&
	   ri.sector_size == 4096, "reencrypt info crash", "wrong state/progress");
	json_object_put(hdr.jobj);
}

/* doc/format.md §3.3 worked length: D_re of a forward checksum reencrypt
 * is 274 bytes. */
static void test_dre(void)
{
	struct luks2_hdr hdr = { .hdr_size = 16384 };
	struct volume_key *a = vk_alloc(64, NULL), *b = vk_alloc(64, NULL);
	uint8_t buf[1024];
	int n;

	hdr.jobj = json_tokener_parse(crash_json);
	/* make it clean: plain segments as after init */
	json_object_object_del(ljson_get(hdr.jobj, "segments"), "1");
	n = reenc_digest_data(&hdr, 2, a, b, buf, sizeof(buf));
	ok(n == 274, "D_re length reencrypt/checksum (A.1)", "want 274");
	ok(n > 2 && buf[0] == 'v' && buf[1] == '2', "D_re version bytes", "want v2");
	n = reenc_digest_data(&hdr, 2, NULL, b, buf, sizeof(buf));
	ok(n == 210, "D_re without old key", "want 210");
	n = reenc_digest_data(&hdr, 2, NULL, NULL, buf, sizeof(buf));
	ok(n == -EINVAL, "D_re needs a key", "want -EINVAL");
	vk_free(a);
	vk_free(b);
	json_object_put(hdr.jobj);
}

/* cryptsetup's PBKDF minimums (lib/utils_pbkdf.c verify_pbkdf_params). */
static void test_pbkdf_limits(void)
{
	struct luks2_pbkdf p2 = { "pbkdf2", "sha256", 1000, 0, 0, 0 };
	struct luks2_pbkdf a2 = { "argon2id", NULL, 4, 32, 1, 0 };
	char why[96];

	ok(!luks2_pbkdf_check(&p2, why, sizeof(why)), "pbkdf2 1000 iterations", why);
	p2.iterations = 999;
	ok(luks2_pbkdf_check(&p2, why, sizeof(why)) == -EINVAL, "pbkdf2 999 refused", "accepted");
	p2.iterations = 0;
	ok(!luks2_pbkdf_check(&p2, why, sizeof(why)), "pbkdf2 benchmark", why);
	p2.hash = "bogus";
	ok(luks2_pbkdf_check(&p2, why, sizeof(why)) == -EINVAL, "pbkdf2 bogus hash", "accepted");
	ok(!luks2_pbkdf_check(&a2, why, sizeof(why)), "argon2id 4/32/1", why);
	a2.iterations = 3;
	ok(luks2_pbkdf_check(&a2, why, sizeof(why)) == -EINVAL, "argon2 time 3 refused", "accepted");
	a2.iterations = 4;
	a2.memory_kb = 31;
	ok(luks2_pbkdf_check(&a2, why, sizeof(why)) == -EINVAL, "argon2 31 KiB refused", "accepted");
	a2.memory_kb = 4194305;
	ok(luks2_pbkdf_check(&a2, why, sizeof(why)) == -EINVAL, "argon2 4 GiB + 1 refused",
	   "accepted");
	a2.memory_kb = 32;
	a2.parallel = 0;
	ok(luks2_pbkdf_check(&a2, why, sizeof(why)) == -EINVAL, "argon2 0 threads refused",
	   "accepted");
}

int main(void)
{
	if (crypt_backend_init(CRYPT_BACKEND_USER) < 0) {
		printf("FAIL: luks2_unit: crypto backend\n");
		return 1;
	}
	log_set_level(LOG_QUIET);
	test_sizes();
	test_af();
	test_segments();
	test_dre();
	test_pbkdf_limits();
	return failed;
}
