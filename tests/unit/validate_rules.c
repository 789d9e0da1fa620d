// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Validation rules of luks2_validate() (doc/format.md §1.6):
 * one mutation per case on a real cryptsetup 2.6.1 header; the verdict is
 * cryptsetup's, confirmed on images made with tests/helpers/mangle-hdr.sh.
 * STRICT cases are where we reject what cryptsetup accepts (validate.c).
 * Each case is also read as a device (luks2_hdr_read on a memfd) with the
 * mutation in both copies, in the primary only and in the secondary only:
 * no crash, and the other copy is used when only one is broken.
 * Also reenc_flag_version() and a few luks2/json.c helpers.
 *
 *   validate_rules        "PASS: validate_rules: <case>" / "FAIL: ...: <why>"
 *   validate_rules --jq   one line per case, tab separated: name, base
 *                         (plain|reenc), hdr_size, our verdict, cryptsetup
 *                         (same|valid|repaired), jq filter, sed script; feed
 *                         to "mangle-hdr.sh IMG FILTER SED" to build the image
 */
#include <endian.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/crypto_backend/crypto_backend.h"
#include "luks2/json.h"
#include "luks2/luks2.h"
#include "luks2/validate.h"
#include "tests/unit/validate_rules_cases.h"

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

static int failed;

static void pass(const char *name)
{
	printf("PASS: validate_rules: %s\n", name);
}

static void fail(const char *name, const char *why)
{
	printf("FAIL: validate_rules: %s: %s\n", name, why);
	failed = 1;
}

static void check(const char *name, int ok)
{
	if (ok)
		pass(name);
	else
		fail(name, "unexpected result");
}

/* Text of the mutation as a jq filter, plus sed edits jq cannot express. */
struct jq_out {
	char filter[2048];
	char sed[512];
};

static void jq_add(char *buf, size_t len, const char *sep, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void jq_add(char *buf, size_t len, const char *sep, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n)
		n += (size_t)snprintf(buf + n, len - n, "%s", sep);
	if (n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* Literals in the table use ' for " to stay readable. */
static struct json_object *parse_lit(const char *lit)
{
	struct json_object *o;
	char *s = strdup(lit), *p;

	if (!s)
		return NULL;
	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	o = json_tokener_parse(s);
	free(s);
	return o;
}

/* jq prints 4096.0 as 4096 and rounds integers beyond 2^53. */
static int jq_unsafe(const char *lit)
{
	return (lit[0] == '-' || (lit[0] >= '0' && lit[0] <= '9')) &&
	       (strpbrk(lit, ".eE") || strlen(lit) > 15);
}

/*
 * Walk "a/b/c" to the parent of the last component (which goes to last) and
 * write the jq path to jq. Returns the parent or NULL ("" gives NULL too).
 */
static struct json_object *walk(struct json_object *root, const char *path,
				char *last, size_t last_len, char *jq, size_t jq_len)
{
	struct json_object *node = root, *next;
	const char *p = path, *e;
	char comp[64];
	int is_arr;

	snprintf(jq, jq_len, ".");
	if (!*path)
		return NULL;
	for (;;) {
		e = strchr(p, '/');
		snprintf(comp, sizeof(comp), "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
		is_arr = json_object_is_type(node, json_type_array);
		jq_add(jq, jq_len, "", is_arr ? "[%s]" : "[\"%s\"]", comp);
		if (!e)
			break;
		next = NULL;
		if (is_arr)
			next = json_object_array_get_idx(node, (size_t)atoi(comp));
		else
			json_object_object_get_ex(node, comp, &next);
		if (!next)
			return NULL;
		node = next;
		p = e + 1;
	}
	snprintf(last, last_len, "%s", comp);
	return node;
}

static int put(struct json_object **root, struct json_object *parent,
	       const char *last, struct json_object *val)
{
	if (!parent) {
		json_object_put(*root);
		*root = val;
		return 0;
	}
	if (json_object_is_type(parent, json_type_array))
		return json_object_array_put_idx(parent, (size_t)atoi(last), val);
	return json_object_object_add(parent, last, val);
}

static int del(struct json_object *parent, const char *last)
{
	if (json_object_is_type(parent, json_type_array))
		return json_object_array_del_idx(parent, (size_t)atoi(last), 1);
	json_object_object_del(parent, last);
	return 0;
}

static int fill(struct json_object *root, struct json_object *parent,
		const char *last, const char *arg)
{
	size_t want = (size_t)atol(arg), cur;
	char *s;
	int r;

	json_object_object_add(parent, last, json_object_new_string(""));
	cur = strlen(ljson_to_string(root));
	if (want <= cur)
		return -EINVAL;
	s = malloc(want - cur + 1);
	if (!s)
		return -ENOMEM;
	memset(s, 'x', want - cur);
	s[want - cur] = '\0';
	r = json_object_object_add(parent, last, json_object_new_string(s));
	free(s);
	return r;
}

static int apply(struct json_object **root, const struct op *op, int idx,
		 struct jq_out *jq)
{
	struct json_object *parent, *sparent, *val = NULL, *src = NULL;
	char last[64], slast[64], path[256], spath[256], lit[512];

	parent = walk(*root, op->path, last, sizeof(last), path, sizeof(path));
	if (!parent && *op->path)
		return -ENOENT;
	switch (op->kind) {
	case OP_SET:
	case OP_ADD:
		val = parse_lit(op->arg);
		if (!val && strcmp(op->arg, "null"))
			return -EINVAL;
		snprintf(lit, sizeof(lit), "%s", json_object_to_json_string_ext(val,
			 JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		if (jq_unsafe(op->arg)) {
			snprintf(lit, sizeof(lit), "\"@@%d@@\"", idx);
			jq_add(jq->sed, sizeof(jq->sed), ";", "s/%s/%s/", lit, op->arg);
		}
		if (op->kind == OP_ADD) {
			jq_add(jq->filter, sizeof(jq->filter), " | ", "%s += [%s]", path, lit);
			if (!json_object_object_get_ex(parent, last, &src) ||
			    json_object_array_add(src, val) < 0) {
				json_object_put(val);
				return -EINVAL;
			}
			return 0;
		}
		if (*op->path)
			jq_add(jq->filter, sizeof(jq->filter), " | ", "%s = %s", path, lit);
		else
			jq_add(jq->filter, sizeof(jq->filter), " | ", "%s", lit);
		return put(root, parent, last, val);
	case OP_DEL:
		jq_add(jq->filter, sizeof(jq->filter), " | ", "del(%s)", path);
		return del(parent, last);
	case OP_COPY:
	case OP_MOVE:
		sparent = walk(*root, op->arg, slast, sizeof(slast), spath, sizeof(spath));
		if (sparent)
			json_object_object_get_ex(sparent, slast, &src);
		if (!src || json_object_deep_copy(src, &val, NULL) < 0)
			return -ENOENT;
		jq_add(jq->filter, sizeof(jq->filter), " | ", "%s = %s", path, spath);
		if (put(root, parent, last, val) < 0)
			return -ENOMEM;
		if (op->kind == OP_COPY)
			return 0;
		jq_add(jq->filter, sizeof(jq->filter), " | ", "del(%s)", spath);
		return del(sparent, slast);
	case OP_FILL:
		jq_add(jq->filter, sizeof(jq->filter), " | ",
		       "%s = \"\" | %s = (\"x\" * (%s - (tojson|length)))", path, path, op->arg);
		return fill(*root, parent, last, op->arg);
	default:
		return 0;
	}
}

static struct json_object *build(int base, const struct op *ops, struct jq_out *jq)
{
	struct json_object *root = json_tokener_parse(base == P ? base_plain : base_reenc);
	int i;

	memset(jq, 0, sizeof(*jq));
	for (i = 0; root && i < MAX_OPS && ops[i].kind != OP_END; i++) {
		if (apply(&root, &ops[i], i, jq) < 0) {
			json_object_put(root);
			return NULL;
		}
	}
	return root;
}

static void run_case(const struct vcase *c)
{
	struct json_object *root;
	struct jq_out jq;
	char why[256], msg[400];
	int r;

	root = build(c->base, c->ops, &jq);
	if (!root) {
		fail(c->name, "mutation could not be applied");
		return;
	}
	why[0] = 'X';
	r = luks2_validate(root, c->hdr_size ? c->hdr_size : 16384, why, sizeof(why));
	json_object_put(root);
	if (c->valid && r) {
		snprintf(msg, sizeof(msg), "want valid, got %d: %s", r, why);
		fail(c->name, msg);
	} else if (c->valid && why[0]) {
		fail(c->name, "valid but reason not cleared");
	} else if (!c->valid && r != -EINVAL) {
		snprintf(msg, sizeof(msg), "want -EINVAL, got %d", r);
		fail(c->name, msg);
	} else if (!c->valid && (!why[0] || strchr(why, '\n'))) {
		fail(c->name, "no one-line reason");
	} else if (!c->valid && c->want && !strstr(why, c->want)) {
		snprintf(msg, sizeof(msg), "reason \"%s\" lacks \"%s\"", why, c->want);
		fail(c->name, msg);
	} else {
		pass(c->name);
	}
}

/* Write one header copy (sha256 checksum) holding text at off. */
static int put_copy(int fd, uint64_t off, uint64_t hdr_size, const char *text)
{
	size_t area_len = hdr_size - LUKS2_HDR_BIN_LEN, len = strlen(text);
	struct luks2_hdr_disk bin;
	struct crypt_hash *h;
	char *area = calloc(1, area_len);
	int r;

	if (!area)
		return -ENOMEM;
	memcpy(area, text, len < area_len ? len : area_len);
	memset(&bin, 0, sizeof(bin));
	memcpy(bin.magic, off ? LUKS2_MAGIC_2ND : LUKS2_MAGIC_1ST, LUKS2_MAGIC_LEN);
	bin.version = htobe16(2);
	bin.hdr_size = htobe64(hdr_size);
	bin.seqid = htobe64(7);
	bin.hdr_offset = htobe64(off);
	strcpy(bin.checksum_alg, "sha256");
	strcpy(bin.uuid, "6e3d5b52-4e4c-4a3a-9d59-0b5d6f0e2c11");
	r = crypt_hash_init(&h, "sha256");
	if (!r) {
		r = crypt_hash_write(h, &bin, sizeof(bin));
		if (!r)
			r = crypt_hash_write(h, area, area_len);
		if (!r)
			r = crypt_hash_final(h, bin.csum, 32);
		crypt_hash_destroy(h);
	}
	if (!r && (pwrite(fd, &bin, sizeof(bin), (off_t)off) != (ssize_t)sizeof(bin) ||
		   pwrite(fd, area, area_len, (off_t)(off + sizeof(bin))) != (ssize_t)area_len))
		r = -EIO;
	free(area);
	return r;
}

/* where: 0 both copies mutated, 1 primary only, 2 secondary only. */
static int read_image(const char *bad, const char *good, uint64_t hdr_size, int where,
		      struct luks2_hdr *hdr)
{
	int fd = memfd_create("validate_rules", 0), err = dup(2), null, r;

	if (fd < 0 || err < 0 || ftruncate(fd, 64 << 20) < 0)
		return -EIO;
	r = put_copy(fd, 0, hdr_size, where == 2 ? good : bad);
	if (!r)
		r = put_copy(fd, hdr_size, hdr_size, where == 1 ? good : bad);
	if (!r) {
		/* the reader logs why a copy is unusable: keep the output PASS lines */
		null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		r = luks2_hdr_read(fd, hdr);
		dup2(err, 2);
		close(null);
	}
	close(err);
	close(fd);
	return r;
}

static void read_case(const struct vcase *c, int where)
{
	static const char *const names[] = { "both copies", "primary only", "secondary only" };
	int ok = c->valid || c->cs == CS_REPAIRS, r, want_r;
	struct json_object *root, *base;
	struct luks2_hdr hdr;
	struct jq_out jq;
	char name[300];
	char *text;

	snprintf(name, sizeof(name), "read, %s: %s", names[where], c->name);
	root = build(c->base, c->ops, &jq);
	base = json_tokener_parse(c->base == P ? base_plain : base_reenc);
	text = root ? strdup(ljson_to_string(root)) : NULL;
	if (!text || !base) {
		fail(name, "mutation could not be applied");
		goto out;
	}
	r = read_image(text, ljson_to_string(base), c->hdr_size ? c->hdr_size : 16384,
		       where, &hdr);
	want_r = ok || where ? 0 : -EINVAL;
	if (r != want_r) {
		fail(name, r ? "read failed" : "read succeeded");
	} else if (!r && (hdr.copy[0].ok != (ok || where == 2) ||
			  hdr.copy[1].ok != (ok || where == 1))) {
		fail(name, "wrong copy reported unusable");
	} else {
		pass(name);
	}
	if (!r)
		luks2_hdr_free(&hdr);
out:
	free(text);
	json_object_put(root);
	json_object_put(base);
}

static void print_jq(const struct vcase *c)
{
	static const char *const cs[] = { "same", "valid", "repaired" };
	struct jq_out jq;

	json_object_put(build(c->base, c->ops, &jq));
	printf("%s\t%s\t%llu\t%s\t%s\t%s\t%s\n", c->name, c->base == P ? "plain" : "reenc",
	       (unsigned long long)(c->hdr_size ? c->hdr_size : 16384),
	       c->valid ? "valid" : "invalid", cs[c->cs], jq.filter[0] ? jq.filter : ".",
	       jq.sed);
}

static void run_flag_case(const struct flag_case *f)
{
	struct json_object *root;
	struct jq_out jq;
	char name[64], msg[128], why[200];
	int r, unknown = -1;

	root = build(f->base, f->ops, &jq);
	r = root ? reenc_flag_version(root, &unknown, name, sizeof(name)) : -ENOENT;
	json_object_put(root);
	snprintf(msg, sizeof(msg), "flag version: %s", f->name);
	if (r != f->version ||
	    (r >= 0 && (unknown != f->unknown || strcmp(name, f->unknown_name)))) {
		snprintf(why, sizeof(why), "got %d unknown=%d \"%s\"", r, unknown,
			 r >= 0 ? name : "");
		fail(msg, why);
	} else {
		pass(msg);
	}
}

static int b64_case(const char *text, size_t want_len, int expect)
{
	struct json_object *o = json_object_new_object();
	unsigned char buf[8];
	int r;

	json_object_object_add(o, "b", json_object_new_string(text));
	r = ljson_get_b64(o, "b", buf, sizeof(buf), want_len);
	json_object_put(o);
	return r == expect;
}

static void json_tests(void)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	unsigned char in[32], out[32];
	uint64_t v = 0;
	size_t i;

	check("json: u64 max", !ljson_parse_u64("18446744073709551615", &v) && v == UINT64_MAX);
	check("json: u64 overflow", ljson_parse_u64("18446744073709551616", &v) == -EINVAL);
	check("json: u64 junk", ljson_parse_u64("", &v) < 0 && ljson_parse_u64("+1", &v) < 0 &&
	      ljson_parse_u64(" 1", &v) < 0 && ljson_parse_u64("-1", &v) < 0);
	check("json: b64 padding", b64_case("AA==", 0, 1) && b64_case("AAA=", 0, 2) &&
	      b64_case("AAAA", 0, 3) && b64_case("", 0, 0));
	check("json: b64 bad", b64_case("A", 0, -EINVAL) && b64_case("AA=A", 0, -EINVAL) &&
	      b64_case("A===", 0, -EINVAL) && b64_case("AA A", 0, -EINVAL));
	check("json: b64 lengths", b64_case("AAA=", 3, -EINVAL) &&
	      b64_case("AAAAAAAAAAAA", 0, -ENOBUFS));
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 1);
	check("json: b64 round trip", !ljson_set_b64(o, "salt", in, sizeof(in)) &&
	      ljson_get_b64(o, "salt", out, sizeof(out), 32) == 32 && !memcmp(in, out, 32) &&
	      strlen(json_object_get_string(ljson_get(o, "salt"))) == 44);
	check("json: numeric names", ljson_is_numeric_name("0") && ljson_is_numeric_name("17") &&
	      !ljson_is_numeric_name("") && !ljson_is_numeric_name("01") &&
	      !ljson_is_numeric_name("2147483648") && !ljson_is_numeric_name("1a"));
	ljson_set_u64(o, "0", 1);
	ljson_set_u64(o, "2", UINT64_MAX);
	check("json: ids", ljson_free_id(o) == 1 && ljson_max_id(o) == 2 &&
	      !ljson_get_u64(o, "2", &v) && v == UINT64_MAX && ljson_get_id(o, 0));
	check("json: u32", !ljson_set_int(o, "k", 4294967295LL) && !ljson_get_u32(o, "k", NULL) &&
	      !ljson_set_int(o, "k", 4294967296LL) && ljson_get_u32(o, "k", NULL) == -EINVAL &&
	      ljson_get_u32(o, "0", NULL) == -EINVAL && ljson_get_u32(o, "nope", NULL) == -ENOENT);
	check("json: arrays", !ljson_array_add_str(arr, "1") && !ljson_array_add_str(arr, "1") &&
	      json_object_array_length(arr) == 1 && ljson_array_has_str(arr, "1") == 1 &&
	      !ljson_array_del_str(arr, "1") && ljson_array_has_str(arr, "1") == 0 &&
	      ljson_array_has_str(NULL, "1") == 0 && ljson_array_has_str(o, "1") == 0);
	check("json: compact text", !ljson_set_str(o, "p", "a/b") &&
	      strstr(ljson_to_string(o), "\"p\":\"a/b\"") && !strchr(ljson_to_string(o), ' '));
	json_object_put(arr);
	json_object_put(o);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc > 1 && !strcmp(argv[1], "--jq")) {
		for (i = 0; i < NCASES(cases); i++)
			print_jq(&cases[i]);
		return 0;
	}
	if (crypt_backend_init(CRYPT_BACKEND_AUTO) < 0) {
		fail("crypto backend", "cannot initialize");
		return 1;
	}
	for (i = 0; i < NCASES(cases); i++) {
		run_case(&cases[i]);
		for (int where = 0; where < 3; where++)
			if (!where || !cases[i].hdr_size)
				read_case(&cases[i], where);
	}
	for (i = 0; i < NCASES(flag_cases); i++)
		run_flag_case(&flag_cases[i]);
	json_tests();
	return failed ? 1 : 0;
}
