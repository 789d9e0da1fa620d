// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Validation rules of luks2_validate() (luks2-format.md §1.8, §2.1, §3.1):
 * one mutation per case on a real cryptsetup 2.6.1 header, verdict as
 * cryptsetup decides (confirmed with tests/helpers/mangle-hdr.sh images).
 * Cases marked CS_ACCEPTS / CS_REPAIRS are where we are deliberately
 * stricter than cryptsetup (see luks2/validate.c).
 *
 *   validate_rules          run: "PASS: validate_rules: <case>" lines
 *   validate_rules --jq     print "<case>\t<base>\t<hdr_size>\t<verdict>\t
 *                           <cryptsetup>\t<jq filter>\t<sed script>" per case,
 *                           for mangle-hdr.sh IMG FILTER SED on the base image
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luks2/json.h"
#include "luks2/validate.h"
#include "tests/unit/validate_rules_cases.h"

static int failed;

static void pass(const char *name) { printf("PASS: validate_rules: %s\n", name); }

static void fail(const char *name, const char *why)
{
	printf("FAIL: validate_rules: %s: %s\n", name, why);
	failed = 1;
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

/* jq turns 4096.0 into 4096 and loses precision above 2^53. */
static int jq_unsafe(const char *lit)
{
	return (lit[0] == '-' || (lit[0] >= '0' && lit[0] <= '9')) &&
	       (strpbrk(lit, ".eE") || strlen(lit) > 15);
}

/*
 * Walk "a/b/c" to the parent of the last component, appending the jq path
 * to jq (if not NULL). Returns the parent, or NULL; *last is the last name.
 */
static struct json_object *walk(struct json_object *root, const char *path,
				char *last, size_t last_len, char *jq, size_t jq_len)
{
	struct json_object *node = root, *next;
	char comp[64];
	const char *p = path, *e;

	if (jq)
		snprintf(jq, jq_len, ".");
	for (;;) {
		e = strchr(p, '/');
		snprintf(comp, sizeof(comp), "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
		if (jq)
			snprintf(jq + strlen(jq), jq_len - strlen(jq),
				 json_object_is_type(node, json_type_array) ?
				 "[%s]" : "[\"%s\"]", comp);
		if (!e)
			break;
		if (json_object_is_type(node, json_type_array))
			next = json_object_array_get_idx(node, (size_t)atoi(comp));
		else if (!json_object_object_get_ex(node, comp, &next))
			next = NULL;
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

static struct json_object *lookup(struct json_object *root, const char *path)
{
	struct json_object *parent, *val;
	char last[64];

	parent = walk(root, path, last, sizeof(last), NULL, 0);
	if (!parent || !json_object_object_get_ex(parent, last, &val))
		return NULL;
	return val;
}

static void cat(char *buf, size_t len, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(buf);

	if (n)
		n += (size_t)snprintf(buf + n, len - n, " | ");
	snprintf(buf + n, len - n, fmt, a, b, a, b);
}

/* Apply one op; with jq != NULL also append its jq filter (and sed). */
static int apply(struct json_object **root, const struct op *op, int idx,
		 char *jq, size_t jq_len, char *sed, size_t sed_len)
{
	struct json_object *parent = NULL, *val = NULL, *src;
	char last[64], path[256] = ".", spath[256], lit[64], mark[16];
	char *fill;
	size_t cur;
	long want;

	if (*op->path) {
		parent = walk(*root, op->path, last, sizeof(last), path, sizeof(path));
		if (!parent)
			return -ENOENT;
	}
	switch (op->kind) {
	case OP_SET:
	case OP_ADD:
		val = parse_lit(op->arg);
		if (!val && strcmp(op->arg, "null"))
			return -EINVAL;
		snprintf(lit, sizeof(lit), "%s", json_object_to_json_string_ext(val,
			 JSON_C_TO_STRING_PLAIN));
		if (jq && jq_unsafe(op->arg)) {
			snprintf(mark, sizeof(mark), "\"@@%d@@\"", idx);
			cat(sed, sed_len, "s/%s/%s/", mark, op->arg);
			snprintf(lit, sizeof(lit), "%s", mark);
		}
		if (jq && strlen(op->arg) < sizeof(lit) - 1 && !jq_unsafe(op->arg))
			snprintf(lit, sizeof(lit), "%s", json_object_to_json_string_ext(val,
				 JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		if (op->kind == OP_ADD) {
			if (jq)
				cat(jq, jq_len, "%s += [%s]", path, lit);
			src = lookup(*root, op->path);
			return json_object_array_add(src, val);
		}
		if (jq)
			cat(jq, jq_len, *op->path ? "%s = %s" : "%.0s%s", path, lit);
		return put(root, parent, last, val);
	case OP_DEL:
		if (jq)
			cat(jq, jq_len, "del(%s)%.0s", path, "");
		if (json_object_is_type(parent, json_type_array))
			return json_object_array_del_idx(parent, (size_t)atoi(last), 1);
		json_object_object_del(parent, last);
		return 0;
	case OP_COPY:
	case OP_MOVE:
		src = lookup(*root, op->arg);
		walk(*root, op->arg, lit, sizeof(lit), spath, sizeof(spath));
		if (!src || json_object_deep_copy(src, &val, NULL) < 0)
			return -ENOENT;
		if (jq)
			cat(jq, jq_len, "%s = %s", path, spath);
		if (put(root, parent, last, val) < 0)
			return -ENOMEM;
		if (op->kind == OP_COPY)
			return 0;
		if (jq)
			cat(jq, jq_len, "del(%s)%.0s", spath, "");
		json_object_object_del(walk(*root, op->arg, lit, sizeof(lit), NULL, 0), lit);
		return 0;
	case OP_FILL:
		/* Pad a string member so the compact text is exactly arg bytes. */
		want = atol(op->arg);
		json_object_object_add(parent, last, json_object_new_string(""));
		cur = strlen(ljson_to_string(*root));
		if (want <= (long)cur)
			return -EINVAL;
		fill = malloc((size_t)want - cur + 1);
		if (!fill)
			return -ENOMEM;
		memset(fill, 'x', (size_t)want - cur);
		fill[want - cur] = '\0';
		json_object_object_add(parent, last, json_object_new_string(fill));
		free(fill);
		if (jq) {
			cat(jq, jq_len, "%s = \"\" | %s", path, path);
			snprintf(jq + strlen(jq), jq_len - strlen(jq),
				 " = (\"x\" * (%ld - (tojson|length)))", want);
		}
		return 0;
	default:
		return 0;
	}
}

static struct json_object *build(const struct vcase *c, char *jq, size_t jq_len,
				 char *sed, size_t sed_len)
{
	struct json_object *root = json_tokener_parse(c->base == P ? base_plain : base_reenc);
	int i;

	if (jq)
		jq[0] = sed[0] = '\0';
	for (i = 0; root && i < MAX_OPS && c->ops[i].kind != OP_END; i++) {
		if (apply(&root, &c->ops[i], i, jq, jq_len, sed, sed_len) < 0) {
			json_object_put(root);
			return NULL;
		}
	}
	return root;
}

static void run_case(const struct vcase *c)
{
	struct json_object *root = build(c, NULL, 0, NULL, 0);
	char why[256], msg[400];
	int r;

	if (!root) {
		fail(c->name, "mutation could not be applied");
		return;
	}
	r = luks2_validate(root, c->hdr_size ? c->hdr_size : 16384, why, sizeof(why));
	json_object_put(root);
	if (c->valid && r) {
		snprintf(msg, sizeof(msg), "want valid, got %d: %s", r, why);
		fail(c->name, msg);
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

static void print_jq(const struct vcase *c)
{
	static const char *const cs[] = { "same", "valid", "repaired" };
	struct json_object *root;
	char jq[2048], sed[512];

	root = build(c, jq, sizeof(jq), sed, sizeof(sed));
	json_object_put(root);
	printf("%s\t%s\t%llu\t%s\t%s\t%s\t%s\n", c->name, c->base == P ? "plain" : "reenc",
	       (unsigned long long)(c->hdr_size ? c->hdr_size : 16384),
	       c->valid ? "valid" : "invalid", cs[c->cs], jq[0] ? jq : ".", sed);
}

static void run_flag_case(const struct flag_case *f)
{
	struct vcase c = { .name = f->name, .base = f->base };
	struct json_object *root;
	char name[64], msg[256];
	int r, unknown;

	memcpy(c.ops, f->ops, sizeof(f->ops));
	root = build(&c, NULL, 0, NULL, 0);
	r = root ? luks2_reencrypt_flag_version(root, &unknown, name, sizeof(name)) : -ENOENT;
	json_object_put(root);
	snprintf(msg, sizeof(msg), "flag version %s", f->name);
	if (r != f->version || (r >= 0 && unknown != f->unknown) ||
	    (r >= 0 && strcmp(name, f->unknown_name))) {
		char why[200];

		snprintf(why, sizeof(why), "got %d unknown=%d \"%s\"", r, unknown, name);
		fail(msg, why);
	} else {
		pass(msg);
	}
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc > 1 && !strcmp(argv[1], "--jq")) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			print_jq(&cases[i]);
		return 0;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	for (i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++)
		run_flag_case(&flag_cases[i]);
	json_helper_tests(pass, fail);
	return failed ? 1 : 0;
}
