/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Case table of validate_rules.c. Bases: the JSON areas of a fresh
 * cryptsetup 2.6.1 luksFormat (pbkdf2, 16 KiB metadata, 32 MiB file) and of
 * the same after "cryptsetup reencrypt --init-only" (online-reencrypt-v2,
 * checksum resilience). Paths are "a/b/c"; literals use ' for ".
 */
#ifndef TESTS_UNIT_VALIDATE_RULES_CASES_H
#define TESTS_UNIT_VALIDATE_RULES_CASES_H

#include <errno.h>
#include <stdint.h>

enum op_kind { OP_END, OP_SET, OP_DEL, OP_ADD, OP_COPY, OP_MOVE, OP_FILL };
struct op {
	enum op_kind kind;
	const char *path;
	const char *arg;	/* literal, source path, or total length */
};
#define MAX_OPS 6

enum { P, R };					/* base */
enum { CS_SAME, CS_ACCEPTS, CS_REPAIRS };	/* cryptsetup's luksDump */

struct vcase {
	const char *name;
	int base;
	uint64_t hdr_size;	/* 0: 16384 */
	int valid;
	int cs;
	const char *want;	/* substring of the reason when invalid */
	struct op ops[MAX_OPS];
};

struct flag_case {
	const char *name;
	int base;
	int version;
	int unknown;
	const char *unknown_name;
	struct op ops[MAX_OPS];
};

#define NOP		{ OP_END, NULL, NULL }
#define S(p, v)		{ OP_SET, p, v }
#define D(p)		{ OP_DEL, p, NULL }
#define A(p, v)		{ OP_ADD, p, v }
#define CP(d, s)	{ OP_COPY, d, s }
#define MV(d, s)	{ OP_MOVE, d, s }
#define FILL(p, n)	{ OP_FILL, p, #n }

#define OK(n, b, ...)		{ n, b, 0, 1, CS_SAME, NULL, { __VA_ARGS__ } }
#define BAD(n, b, w, ...)	{ n, b, 0, 0, CS_SAME, w, { __VA_ARGS__ } }
#define OKH(n, b, h, ...)	{ n, b, h, 1, CS_SAME, NULL, { __VA_ARGS__ } }
#define BADH(n, b, h, w, ...)	{ n, b, h, 0, CS_SAME, w, { __VA_ARGS__ } }
/* We reject, cryptsetup accepts (as is, or after its in-memory kdf repair). */
#define STRICT(n, b, cs, w, ...) { n, b, 0, 0, cs, w, { __VA_ARGS__ } }

static const char base_plain[] =
	"{\"keyslots\":{\"0\":{\"type\":\"luks2\",\"key_size\":64,\"af\":{\"type\":\"luks1\","
	"\"stripes\":4000,\"hash\":\"sha256\"},\"area\":{\"type\":\"raw\",\"offset\":\"32768"
	"\",\"size\":\"258048\",\"encryption\":\"aes-xts-plain64\",\"key_size\":64},\"kdf"
	"\":{\"type\":\"pbkdf2\",\"hash\":\"sha256\",\"iterations\":1000,\"salt\":\"iyxm3Mn"
	"sM2mMWccHbliKtppzGLL7b0GS4248JYxRar4=\"}}},\"tokens\":{},\"segments\":{\"0"
	"\":{\"type\":\"crypt\",\"offset\":\"16777216\",\"size\":\"dynamic\",\"iv_tweak\":\"0"
	"\",\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096}},\"digests\":{\"0\""
	":{\"type\":\"pbkdf2\",\"keyslots\":[\"0\"],\"segments\":[\"0\"],\"hash\":\"sha256\","
	"\"iterations\":1000,\"salt\":\"uU4a6vKzPCFMf9Kg+2L0CyL7tIuwqj5sTmmbHhYFqc"
	"k=\",\"digest\":\"dZzM8RWCMFiz+eoHxNS3jpGlylwocHt+7/YowZJO3DM=\"}},\"confi"
	"g\":{\"json_size\":\"12288\",\"keyslots_size\":\"16744448\"}}";
static const char base_reenc[] =
	"{\"keyslots\":{\"0\":{\"type\":\"luks2\",\"key_size\":64,\"af\":{\"type\":\"luks1\","
	"\"stripes\":4000,\"hash\":\"sha256\"},\"area\":{\"type\":\"raw\",\"offset\":\"32768"
	"\",\"size\":\"258048\",\"encryption\":\"aes-xts-plain64\",\"key_size\":64},\"kdf"
	"\":{\"type\":\"pbkdf2\",\"hash\":\"sha256\",\"iterations\":1000,\"salt\":\"iyxm3Mn"
	"sM2mMWccHbliKtppzGLL7b0GS4248JYxRar4=\"}},\"1\":{\"type\":\"luks2\",\"key_si"
	"ze\":64,\"af\":{\"type\":\"luks1\",\"stripes\":4000,\"hash\":\"sha256\"},\"area\":{"
	"\"type\":\"raw\",\"offset\":\"290816\",\"size\":\"258048\",\"encryption\":\"aes-xts"
	"-plain64\",\"key_size\":64},\"kdf\":{\"type\":\"pbkdf2\",\"hash\":\"sha256\",\"ite"
	"rations\":1000,\"salt\":\"NljqROUTs7vMnMj4Tb/whWIvSoSNqER2BWZ7DYiB3lo=\"}"
	"},\"2\":{\"area\":{\"offset\":\"548864\",\"size\":\"16228352\",\"type\":\"checksum\""
	",\"hash\":\"sha256\",\"sector_size\":4096},\"type\":\"reencrypt\",\"key_size\":1"
	",\"mode\":\"reencrypt\",\"direction\":\"forward\",\"priority\":0}},\"tokens\":{}"
	",\"segments\":{\"0\":{\"type\":\"crypt\",\"offset\":\"16777216\",\"size\":\"dynamic"
	"\",\"iv_tweak\":\"0\",\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096},"
	"\"1\":{\"type\":\"crypt\",\"offset\":\"16777216\",\"size\":\"dynamic\",\"iv_tweak\":"
	"\"0\",\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096,\"flags\":[\"back"
	"up-previous\"]},\"2\":{\"type\":\"crypt\",\"offset\":\"16777216\",\"size\":\"dynam"
	"ic\",\"iv_tweak\":\"0\",\"encryption\":\"aes-xts-plain64\",\"sector_size\":4096"
	",\"flags\":[\"backup-final\"]}},\"digests\":{\"0\":{\"type\":\"pbkdf2\",\"keyslot"
	"s\":[\"0\"],\"segments\":[\"0\",\"1\"],\"hash\":\"sha256\",\"iterations\":1000,\"sal"
	"t\":\"uU4a6vKzPCFMf9Kg+2L0CyL7tIuwqj5sTmmbHhYFqck=\",\"digest\":\"dZzM8RWC"
	"MFiz+eoHxNS3jpGlylwocHt+7/YowZJO3DM=\"},\"1\":{\"type\":\"pbkdf2\",\"keyslot"
	"s\":[\"1\"],\"segments\":[\"2\"],\"hash\":\"sha256\",\"iterations\":1000,\"salt\":\""
	"Jgm45DZvF7Cuh3QSfGUi5NoHFpoJgn/rMYFk1K166Zo=\",\"digest\":\"aHkPFkIs3htV"
	"WowYkDVNDlHJzSthDOn44+zskUKSQvg=\"},\"2\":{\"type\":\"pbkdf2\",\"keyslots\":["
	"\"2\"],\"segments\":[],\"hash\":\"sha256\",\"iterations\":1000,\"salt\":\"vkuBHVm"
	"h5YWrVAJ1dYcUMJoW1nxyfhZsX6BNSBtMpmQ=\",\"digest\":\"rBUGMusrw/JRDoNIgHq"
	"qabQTGe4UpzRP75rgLbqQAS4=\"}},\"config\":{\"json_size\":\"12288\",\"keyslots"
	"_size\":\"16744448\",\"requirements\":{\"mandatory\":[\"online-reencrypt-v2\""
	"]}}}";

#define K0	"keyslots/0/"
#define K1	"keyslots/1/"
#define K2	"keyslots/2/"
#define KDF	"keyslots/0/kdf"
#define S0	"segments/0/"
#define MAND	"config/requirements/mandatory"
#define SEG_2ND	"{'type':'crypt','offset':'20971520','size':'dynamic','iv_tweak':'8192'," \
		"'encryption':'aes-xts-plain64','sector_size':4096}"
#define TOKEN(ks)	"{'type':'luks2-keyring','keyslots':" ks ",'key_description':'k'}"
#define SALT	"'iyxm3MnsM2mMWccHbliKtppzGLL7b0GS4248JYxRar4='"
#define ARGON(extra)	"{'type':'argon2id','salt':" SALT \
			extra "}"

static const struct vcase cases[] = {
	/* whole object and sections */
	OK("plain base", P, NOP),
	OK("reencrypt base", R, NOP),
	BAD("top level is an array", P, "top level", S("", "[]")),
	BAD("keyslots missing", P, "keyslots", D("keyslots")),
	BAD("tokens is a number", P, "tokens", S("tokens", "42")),
	BAD("digests missing", P, "digests", D("digests")),
	BAD("segments missing", P, "segments", D("segments")),
	BAD("config missing", P, "config", D("config")),
	/* every section and entry of the wrong JSON type (no crash: hdr.c too) */
	BAD("keyslots is an array", P, "keyslots: missing or not an object", S("keyslots", "[]")),
	BAD("keyslots is a string", P, "keyslots: missing or not an object", S("keyslots", "'x'")),
	BAD("keyslots is a number", P, "keyslots: missing or not an object", S("keyslots", "42")),
	BAD("keyslots is null", P, "keyslots: missing or not an object", S("keyslots", "null")),
	BAD("keyslots is a bool", P, "keyslots: missing or not an object", S("keyslots", "true")),
	BAD("segments is an array", P, "segments: missing or not an object", S("segments", "[]")),
	BAD("segments is a string", P, "segments: missing or not an object", S("segments", "'x'")),
	BAD("segments is a number", P, "segments: missing or not an object", S("segments", "42")),
	BAD("segments is null", P, "segments: missing or not an object", S("segments", "null")),
	BAD("segments is a bool", P, "segments: missing or not an object", S("segments", "true")),
	BAD("digests is an array", P, "digests: missing or not an object", S("digests", "[]")),
	BAD("digests is a string", P, "digests: missing or not an object", S("digests", "'x'")),
	BAD("digests is a number", P, "digests: missing or not an object", S("digests", "42")),
	BAD("digests is null", P, "digests: missing or not an object", S("digests", "null")),
	BAD("digests is a bool", P, "digests: missing or not an object", S("digests", "true")),
	BAD("config is an array", P, "config: missing or not an object", S("config", "[]")),
	BAD("config is a string", P, "config: missing or not an object", S("config", "'x'")),
	BAD("config is a number", P, "config: missing or not an object", S("config", "42")),
	BAD("config is null", P, "config: missing or not an object", S("config", "null")),
	BAD("config is a bool", P, "config: missing or not an object", S("config", "true")),
	BAD("tokens is an array", P, "tokens: missing or not an object", S("tokens", "[]")),
	BAD("tokens is a string", P, "tokens: missing or not an object", S("tokens", "'x'")),
	BAD("tokens is null", P, "tokens: missing or not an object", S("tokens", "null")),
	BAD("tokens is a bool", P, "tokens: missing or not an object", S("tokens", "true")),
	BAD("tokens missing", P, "tokens: missing", D("tokens")),
	BAD("keyslot 0 is an array", P, "keyslot 0", S("keyslots/0", "[]")),
	BAD("segment 0 is an array", P, "segment 0", S("segments/0", "[]")),
	BAD("digest 0 is an array", P, "digest 0: type missing", S("digests/0", "[]")),
	BAD("token 0 is an array", P, "token 0: type missing", S("tokens/0", "[]")),
	BAD("kdf is an array", P, "kdf, af or area", S(KDF, "[]")),
	BAD("keyslot area is an array", P, "area", S(K0 "area", "[]")),
	BAD("reencrypt area is an array", R, "area", S(K2 "area", "[]")),
	BAD("config requirements is an array", P, "requirements", S("config/requirements", "[]")),
	BAD("keyslot 0 is a string", P, "keyslot 0", S("keyslots/0", "'x'")),
	BAD("segment 0 is a string", P, "segment 0", S("segments/0", "'x'")),
	BAD("digest 0 is a string", P, "digest 0: type missing", S("digests/0", "'x'")),
	BAD("token 0 is a string", P, "token 0: type missing", S("tokens/0", "'x'")),
	BAD("kdf is a string", P, "kdf, af or area", S(KDF, "'x'")),
	BAD("keyslot area is a string", P, "area", S(K0 "area", "'x'")),
	BAD("reencrypt area is a string", R, "area", S(K2 "area", "'x'")),
	BAD("segment flags is a string", R, "flags", S("segments/1/flags", "'x'")),
	BAD("config requirements is a string", P, "requirements", S("config/requirements", "'x'")),
	BAD("keyslot 0 is a number", P, "keyslot 0", S("keyslots/0", "42")),
	BAD("segment 0 is a number", P, "segment 0", S("segments/0", "42")),
	BAD("digest 0 is a number", P, "digest 0: type missing", S("digests/0", "42")),
	BAD("token 0 is a number", P, "token 0: type missing", S("tokens/0", "42")),
	BAD("kdf is a number", P, "kdf, af or area", S(KDF, "42")),
	BAD("keyslot area is a number", P, "area", S(K0 "area", "42")),
	BAD("reencrypt area is a number", R, "area", S(K2 "area", "42")),
	BAD("segment flags is a number", R, "flags", S("segments/1/flags", "42")),
	BAD("config requirements is a number", P, "requirements", S("config/requirements", "42")),
	BAD("keyslot 0 is null", P, "keyslot 0", S("keyslots/0", "null")),
	BAD("segment 0 is null", P, "segment 0", S("segments/0", "null")),
	BAD("digest 0 is null", P, "digest 0: type missing", S("digests/0", "null")),
	BAD("token 0 is null", P, "token 0: type missing", S("tokens/0", "null")),
	BAD("kdf is null", P, "kdf, af or area", S(KDF, "null")),
	BAD("keyslot area is null", P, "area", S(K0 "area", "null")),
	BAD("reencrypt area is null", R, "area", S(K2 "area", "null")),
	BAD("segment flags is null", R, "flags", S("segments/1/flags", "null")),
	BAD("config requirements is null", P, "requirements", S("config/requirements", "null")),
	BAD("keyslot 0 is a bool", P, "keyslot 0", S("keyslots/0", "true")),
	BAD("segment 0 is a bool", P, "segment 0", S("segments/0", "true")),
	BAD("digest 0 is a bool", P, "digest 0: type missing", S("digests/0", "true")),
	BAD("token 0 is a bool", P, "token 0: type missing", S("tokens/0", "true")),
	BAD("kdf is a bool", P, "kdf, af or area", S(KDF, "true")),
	BAD("keyslot area is a bool", P, "area", S(K0 "area", "true")),
	BAD("reencrypt area is a bool", R, "area", S(K2 "area", "true")),
	BAD("segment flags is a bool", R, "flags", S("segments/1/flags", "true")),
	BAD("config requirements is a bool", P, "requirements", S("config/requirements", "true")),
	BAD("segments empty", P, "no segment", S("segments", "{}"), S("digests/0/segments", "[]")),
	/* 1. requirements */
	BAD("requirements not an object", P, "requirements is not an object",
	    S("config/requirements", "[]")),
	BAD("mandatory not an array", P, "mandatory is not an array",
	    S("config/requirements", "{'mandatory':'online-reencrypt-v2'}")),
	BAD("mandatory holds a number", P, "non-string",
	    S("config/requirements", "{'mandatory':[2]}")),
	BAD("two reencrypt flags v2 v3", R, "more than one", A(MAND, "'online-reencrypt-v3'")),
	BAD("two reencrypt flags v2 v999", R, "more than one", A(MAND, "'online-reencrypt-v999'")),
	OK("unknown flag v999 without reencrypt keyslot", P,
	   S("config/requirements", "{'mandatory':['online-reencrypt-v999']}")),
	OK("unknown flag foo", P, S("config/requirements", "{'mandatory':['foo']}")),
	OK("empty requirements", P, S("config/requirements", "{}")),
	OK("offline-reencrypt next to v2", R, A(MAND, "'offline-reencrypt'")),
	OK("flag online-reencrypt v1", R, S(MAND, "['online-reencrypt']")),
	OK("flag online-reencrypt-v3", R, S(MAND, "['online-reencrypt-v3']")),
	OK("flag v999 skips segment consistency", R, S(MAND, "['online-reencrypt-v999']"),
	   S(S0 "encryption", "'aes-cbc-essiv:sha256'")),
	BAD("flag online-reencrypt-vx is no candidate", R, "without online-reencrypt flag",
	    S(MAND, "['online-reencrypt-vx']")),
	BAD("requirements removed", R, "without online-reencrypt flag", D("config/requirements")),
	/* 2. tokens */
	OK("keyring token", P, S("tokens/0", TOKEN("['0']"))),
	BAD("token name not a number", P, "name is not a number", S("tokens/a", TOKEN("[]"))),
	BAD("token type missing", P, "type missing", S("tokens/0", "{'keyslots':[]}")),
	BAD("token type empty", P, "type missing", S("tokens/0", "{'type':'','keyslots':[]}")),
	BAD("token keyslots missing", P, "keyslots missing", S("tokens/0", "{'type':'x'}")),
	BAD("token keyslots not an array", P, "keyslots missing", S("tokens/0", TOKEN("'0'"))),
	BAD("token keyslots holds a number", P, "non-string", S("tokens/0", TOKEN("[0]"))),
	BAD("token references missing keyslot", P, "references missing keyslot 5",
	    S("tokens/0", TOKEN("['5']"))),
	STRICT("token name empty", P, CS_ACCEPTS, "name is not a number",
	       S("tokens/", TOKEN("[]"))),
	STRICT("token name with leading zero", P, CS_ACCEPTS, "name is not a number",
	       S("tokens/01", TOKEN("[]"))),
	/* 3. digests */
	BAD("digest name not a number", P, "name is not a number",
	    S("digests/x", "{'type':'pbkdf2','keyslots':[],'segments':[]}")),
	STRICT("digest name with leading zero", P, CS_ACCEPTS, "name is not a number",
	       MV("digests/00", "digests/0")),
	BAD("digest type missing", P, "type missing", D("digests/0/type")),
	BAD("digest keyslots missing", P, "keyslots missing", D("digests/0/keyslots")),
	BAD("digest segments not an array", P, "segments missing", S("digests/0/segments", "'0'")),
	BAD("digest segments holds a number", P, "non-string", S("digests/0/segments", "[0]")),
	BAD("digest references missing keyslot", P, "digest 0: references missing keyslot 7",
	    A("digests/0/keyslots", "'7'")),
	BAD("digest references missing segment", P, "digest 0: references missing segment 3",
	    A("digests/0/segments", "'3'")),
	OK("unused digest", P, S("digests/1", "{'type':'pbkdf2','keyslots':[],'segments':[]}")),
	BAD("keyslot in two digests", P, "in 2 digests",
	    S("digests/1", "{'type':'pbkdf2','keyslots':['0'],'segments':[]}")),
	BAD("keyslot in no digest", P, "in 0 digests", S("digests/0/keyslots", "[]")),
	BAD("crypt segment in no digest", P, "not in any digest", S("digests/0/segments", "[]")),
	/* 4. segments: generic fields */
	BAD("segment name not a number", P, "name is not a number", CP("segments/x", "segments/0")),
	BAD("segment type missing", P, "type missing", D(S0 "type")),
	BAD("segment type is a number", P, "type missing", S(S0 "type", "42")),
	BAD("segment type empty", P, "type missing", S(S0 "type", "''")),
	BAD("segment offset missing", P, "offset", D(S0 "offset")),
	BAD("segment offset is an integer", P, "offset", S(S0 "offset", "16777216")),
	BAD("segment offset negative", P, "offset", S(S0 "offset", "'-16777216'")),
	BAD("segment offset hex", P, "offset", S(S0 "offset", "'0x1000000'")),
	BAD("segment offset overflows", P, "offset", S(S0 "offset", "'18446744073709551616'")),
	BAD("segment offset not 512 aligned", P, "segment 0: offset is not a multiple of 512",
	    S(S0 "offset", "'16777217'")),
	BAD("segment size zero", P, "size", S(S0 "size", "'0'")),
	BAD("segment size empty", P, "size", S(S0 "size", "''")),
	BAD("segment size not 512 aligned", P, "segment 0: size is not a multiple of 512",
	    S(S0 "size", "'513'")),
	OK("segment size near uint64 max", P, S(S0 "size", "'18446744073709547520'")),
	BAD("segment size overflows", P, "size", S(S0 "size", "'18446744073709551616'")),
	BAD("segment size negative", P, "size", S(S0 "size", "'-4096'")),
	BAD("segment size is an integer", P, "size", S(S0 "size", "4096")),
	BAD("segment flags not an array", P, "flags is not an array", S(S0 "flags", "'backup-x'")),
	BAD("segment flags holds a number", P, "flags holds a non-string", S(S0 "flags", "[1]")),
	OK("unknown segment flag", P, S(S0 "flags", "['dead-parrot']")),
	OK("unknown segment type", P,
	   S("segments/0", "{'type':'foo','offset':'16777216','size':'dynamic'}")),
	OK("linear segment", P,
	   S("segments/0", "{'type':'linear','offset':'16777216','size':'dynamic'}")),
	OK("data segment at offset 0", P, S(S0 "offset", "'0'")),
	/* 4. segments: crypt fields */
	BAD("crypt encryption missing", P, "encryption missing", D(S0 "encryption")),
	BAD("crypt encryption empty", P, "encryption missing", S(S0 "encryption", "''")),
	BAD("crypt iv_tweak missing", P, "iv_tweak missing", D(S0 "iv_tweak")),
	BAD("crypt iv_tweak is an integer", P, "iv_tweak missing", S(S0 "iv_tweak", "0")),
	BAD("crypt iv_tweak not a number", P, "iv_tweak is not a number",
	    S(S0 "iv_tweak", "'abc'")),
	BAD("crypt iv_tweak overflows", P, "iv_tweak is not a number",
	    S(S0 "iv_tweak", "'18446744073709551616'")),
	BAD("crypt sector_size missing", P, "sector_size missing", D(S0 "sector_size")),
	BAD("crypt sector_size is a string", P, "sector_size missing",
	    S(S0 "sector_size", "'4096'")),
	BAD("crypt sector_size is a double", P, "sector_size missing",
	    S(S0 "sector_size", "4096.0")),
	BAD("crypt sector_size zero", P, "not a multiple of 512", S(S0 "sector_size", "0")),
	BAD("crypt sector_size 1000", P, "not a multiple of 512", S(S0 "sector_size", "1000")),
	OK("crypt sector_size 1536", P, S(S0 "sector_size", "1536")),
	BAD("crypt sector_size negative", P, "out of range", S(S0 "sector_size", "-4096")),
	BAD("crypt sector_size above uint32", P, "out of range", S(S0 "sector_size", "4294967296")),
	BAD("crypt size not a multiple of sector_size", P, "multiple of sector_size 4096",
	    S(S0 "size", "'1024'")),
	OK("crypt integrity", P,
	   S(S0 "integrity", "{'type':'hmac(sha256)','journal_encryption':'none',"
	     "'journal_integrity':'none'}")),
	BAD("crypt integrity not an object", P, "integrity", S(S0 "integrity", "'hmac(sha256)'")),
	BAD("crypt integrity incomplete", P, "integrity",
	    S(S0 "integrity", "{'type':'hmac(sha256)','journal_encryption':'none'}")),
	/* 4. segments: several */
	OK("two segments", P, S(S0 "size", "'4194304'"), S("segments/1", SEG_2ND),
	   A("digests/0/segments", "'1'")),
	BAD("second crypt segment in no digest", P, "segment 1: crypt segment is not in any digest",
	    S(S0 "size", "'4194304'"), S("segments/1", SEG_2ND)),
	BAD("segments overlap", P, "overlaps", S(S0 "size", "'8388608'"), S("segments/1", SEG_2ND),
	    A("digests/0/segments", "'1'")),
	BAD("segment offset plus size overflows", P, "segment 0: offset + size overflows",
	    S(S0 "size", "'18446744073709547520'"), S("segments/1", SEG_2ND),
	    A("digests/0/segments", "'1'")),
	BAD("segment is not an object", P, "segment 0: type missing", S("segments/0", "42"),
	    S("digests/0/segments", "[]")),
	BAD("dynamic segment not last", P, "dynamic but not the last", S(S0 "offset", "'20971520'"),
	    S("segments/1", SEG_2ND), S("segments/1/offset", "'16777216'"),
	    S("segments/1/size", "'4194304'"), A("digests/0/segments", "'1'")),
	BAD("gap in segment ids", P, "contiguous", S(S0 "size", "'4194304'"),
	    S("segments/2", SEG_2ND), A("digests/0/segments", "'2'")),
	BAD("gap before backup segment", R, "contiguous", MV("segments/3", "segments/2"),
	    S("digests/1/segments", "['3']")),
	BAD("regular segment after backups", R, "regular segment after backup",
	    S(S0 "size", "'4194304'"), S("segments/3", SEG_2ND), A("digests/0/segments", "'3'")),
	STRICT("regular segment after backups, keys unordered", R, CS_ACCEPTS,
	       "regular segment after backup", S("segments/3", SEG_2ND),
	       A("digests/0/segments", "'3'"), MV("tmp", "segments/1"), MV("segments/1", "tmp"),
	       MV("tmp", "segments/2"), MV("segments/2", "tmp")),
	BAD("no regular segment", R, "no regular segment",
	    S(S0 "flags", "['backup-moved-segment']")),
	BAD("backup crypt segment in no digest", R, "segment 2: crypt segment is not in any digest",
	    S("digests/1/segments", "[]")),
	OK("backup segment without reencryption", P,
	   S("segments/1", "{'type':'linear','offset':'512','size':'512','flags':['backup-x']}")),
	/* 5. reencryption segment consistency */
	BAD("reencryption without backup-final", R, "backup-final", D("segments/2"),
	    S("digests/1/segments", "[]")),
	BAD("segment cipher matches no backup", R, "segment 0: matches neither",
	    S(S0 "encryption", "'aes-cbc-essiv:sha256'")),
	BAD("segment sector_size matches no backup", R, "matches neither",
	    S(S0 "sector_size", "512")),
	BAD("segment type matches no backup", R, "matches neither",
	    S("segments/0", "{'type':'linear','offset':'16777216','size':'dynamic'}")),
	OK("new cipher in backup-final", R, S("segments/2/encryption", "'serpent-xts-plain64'")),
	OK("in-reencryption segment matches backup-final", R, S(S0 "flags", "['in-reencryption']")),
	BAD("in-reencryption segment matches only backup-previous", R, "in-reencryption",
	    S("segments/2/encryption", "'serpent-xts-plain64'"),
	    S(S0 "flags", "['in-reencryption']")),
	/* 6. keyslots: generic */
	BAD("keyslot name not a number", P, "keyslot \"a\": name is not a number",
	    MV("keyslots/a", "keyslots/0"), S("digests/0/keyslots", "['a']")),
	BAD("keyslot is not an object", P, "keyslot 0: type missing", S("keyslots/0", "[]"),
	    S("digests/0/keyslots", "[]")),
	BAD("keyslot type missing", P, "keyslot 0: type missing", D(K0 "type")),
	BAD("keyslot type empty", P, "type missing", S(K0 "type", "''")),
	BAD("keyslot key_size is a string", P, "key_size missing", S(K0 "key_size", "'64'")),
	BAD("keyslot key_size negative", P, "key_size is out of range", S(K0 "key_size", "-1")),
	BAD("keyslot key_size above uint32", P, "out of range", S(K0 "key_size", "4294967296")),
	OK("keyslot key_size uint32 max", P, S(K0 "key_size", "4294967295")),
	OK("unknown keyslot type", P, S(K0 "type", "'foo'")),
	/* 7. config */
	BAD("json_size missing", P, "json_size", D("config/json_size")),
	BAD("json_size is an integer", P, "json_size", S("config/json_size", "12288")),
	BAD("json_size not a number", P, "json_size", S("config/json_size", "'abc'")),
	STRICT("json_size with plus sign", P, CS_ACCEPTS, "json_size",
	       S("config/json_size", "'+12288'")),
	BADH("metadata size not allowed", P, 24576, "not an allowed metadata size",
	     S("config/json_size", "'20480'")),
	BADH("json_size does not match header", P, 32768, "does not match header size", NOP),
	OKH("4 MiB metadata", P, 4194304, S("config/json_size", "'4190208'"),
	    S("config/keyslots_size", "'8388608'"), S(K0 "area/offset", "'8388608'")),
	BAD("keyslots_size missing", P, "keyslots_size", D("config/keyslots_size")),
	BAD("keyslots_size is an integer", P, "keyslots_size",
	    S("config/keyslots_size", "16744448")),
	BAD("keyslots_size not 4 KiB aligned", P, "4 KiB", S("config/keyslots_size", "'16744960'")),
	BAD("keyslots_size above 128 MiB", P, "128 MiB", S("config/keyslots_size", "'134221824'")),
	BAD("keyslots area reaches data", P, "beyond data offset",
	    S("config/keyslots_size", "'16748544'")),
	OK("keyslots_size exactly fits keyslot", P, S("config/keyslots_size", "'258048'")),
	BAD("config flags not an array", P, "flags is not an array",
	    S("config/flags", "'allow-discards'")),
	BAD("config flags holds a number", P, "flags holds a non-string", S("config/flags", "[1]")),
	OK("config flags unknown", P, S("config/flags", "['allow-discards','no-such-flag']")),
	/* 8. keyslot areas */
	BAD("area missing", P, "area", D(K0 "area")),
	BAD("area is a number", P, "area", S(K0 "area", "42")),
	BAD("area type missing", P, "area or area type missing", D(K0 "area/type")),
	BAD("area offset is an integer", P, "not a number string", S(K0 "area/offset", "32768")),
	BAD("area offset not a number", P, "not a number string", S(K0 "area/offset", "'abc'")),
	BAD("area size overflows", P, "not a number string",
	    S(K0 "area/size", "'18446744073709551616'")),
	BAD("area inside the metadata", P, "inside the metadata", S(K0 "area/offset", "'16384'")),
	BAD("area size zero", P, "area size is zero", S(K0 "area/size", "'0'")),
	BAD("area offset plus size overflows", P, "overflows",
	    S(K0 "area/size", "'18446744073709551615'")),
	BAD("area ends beyond keyslots area", P, "ends beyond", S(K0 "area/offset", "'16744448'")),
	BAD("keyslots_size too small for area", P, "ends beyond",
	    S("config/keyslots_size", "'253952'")),
	OK("area ends at keyslots area end", P, S(K0 "area/offset", "'16519168'")),
	BAD("areas identical", R, "area overlaps keyslot", S(K1 "area/offset", "'32768'")),
	BAD("areas intersect", R, "keyslot 1: area overlaps keyslot 0",
	    S(K1 "area/offset", "'286720'")),
	BAD("area inside another", R, "keyslot 2: area overlaps keyslot 1",
	    S(K2 "area/offset", "'294912'"), S(K2 "area/size", "'4096'")),
	/* 9. JSON size */
	OK("JSON text leaves one NUL", P, FILL("config/pad", 12287)),
	BAD("JSON text fills the area", P, "leave no NUL", FILL("config/pad", 12288)),
	/* 10. luks2 keyslots */
	BAD("kdf missing", P, "kdf, af or area", D(KDF)),
	BAD("af missing", P, "kdf, af or area", D(K0 "af")),
	BAD("kdf type missing", P, "kdf type", D(KDF "/type")),
	BAD("pbkdf2 salt missing", P, "pbkdf2", D(KDF "/salt")),
	BAD("pbkdf2 iterations is a string", P, "pbkdf2", S(KDF "/iterations", "'1000'")),
	BAD("pbkdf2 hash empty", P, "pbkdf2", S(KDF "/hash", "''")),
	OK("pbkdf2 iterations negative", P, S(KDF "/iterations", "-5")),
	STRICT("pbkdf2 leftover argon2 member", P, CS_REPAIRS, "pbkdf2", S(KDF "/time", "4")),
	OK("argon2id kdf", P, S(KDF, ARGON(",'time':4,'memory':32,'cpus':1"))),
	BAD("argon2i cpus missing", P, "argon2i kdf",
	    S(KDF, ARGON(",'time':4,'memory':32")), S(KDF "/type", "'argon2i'")),
	BAD("argon2id memory is a string", P, "argon2id kdf",
	    S(KDF, ARGON(",'time':4,'memory':'32','cpus':1"))),
	STRICT("argon2id leftover pbkdf2 member", P, CS_REPAIRS, "argon2id kdf",
	       S(KDF, ARGON(",'time':4,'memory':32,'cpus':1,'hash':'sha256'"))),
	OK("unknown kdf type argon2", P, S(KDF "/type", "'argon2'")),
	BAD("af type luks2", P, "af type is not luks1", S(K0 "af/type", "'luks2'")),
	BAD("af stripes is a string", P, "af needs", S(K0 "af/stripes", "'4000'")),
	BAD("af hash missing", P, "af needs", D(K0 "af/hash")),
	OK("af stripes ignored", P, S(K0 "af/stripes", "1")),
	BAD("luks2 area type none", P, "area type is not raw", S(K0 "area/type", "'none'")),
	BAD("raw area encryption missing", P, "raw area", D(K0 "area/encryption")),
	BAD("raw area key_size is a string", P, "raw area", S(K0 "area/key_size", "'64'")),
	/* 10. reencrypt keyslot */
	BAD("reencrypt key_size 2", R, "keyslot 2: reencrypt key_size is not 1",
	    S(K2 "key_size", "2")),
	BAD("reencrypt key_size is a string", R, "key_size missing", S(K2 "key_size", "'1'")),
	BAD("reencrypt mode missing", R, "needs integer key_size, mode, direction", D(K2 "mode")),
	BAD("reencrypt mode unknown", R, "mode is not", S(K2 "mode", "'foo'")),
	OK("reencrypt mode encrypt", R, S(K2 "mode", "'encrypt'")),
	OK("reencrypt mode decrypt", R, S(K2 "mode", "'decrypt'")),
	BAD("reencrypt direction unknown", R, "direction is not", S(K2 "direction", "'sideways'")),
	BAD("reencrypt direction is a number", R, "needs integer key_size", S(K2 "direction", "1")),
	OK("reencrypt direction backward", R, S(K2 "direction", "'backward'")),
	BAD("checksum hash missing", R, "needs hash", D(K2 "area/hash")),
	BAD("checksum sector_size 256", R, "2^n >= 512", S(K2 "area/sector_size", "256")),
	BAD("checksum sector_size 1536", R, "2^n >= 512", S(K2 "area/sector_size", "1536")),
	BAD("checksum sector_size is a string", R, "needs hash",
	    S(K2 "area/sector_size", "'4096'")),
	OK("checksum sector_size 1024", R, S(K2 "area/sector_size", "1024")),
	OK("resilience none", R, S(K2 "area/type", "'none'"), D(K2 "area/hash"),
	   D(K2 "area/sector_size")),
	OK("resilience journal", R, S(K2 "area/type", "'journal'"), D(K2 "area/hash"),
	   D(K2 "area/sector_size")),
	OK("resilience type not checked", R, S(K2 "area/type", "'bogus'")),
	BAD("datashift without shift_size", R, "needs shift_size",
	    S(K2 "area/type", "'datashift'")),
	OK("datashift", R, S(K2 "area/type", "'datashift'"), S(K2 "area/shift_size", "'4194304'")),
	BAD("datashift shift_size zero", R, "shift_size is not", S(K2 "area/type", "'datashift'"),
	    S(K2 "area/shift_size", "'0'")),
	BAD("datashift shift_size unaligned", R, "shift_size is not",
	    S(K2 "area/type", "'datashift'"), S(K2 "area/shift_size", "'1000'")),
	BAD("datashift shift_size is an integer", R, "needs shift_size",
	    S(K2 "area/type", "'datashift'"), S(K2 "area/shift_size", "4194304")),
	BAD("datashift-journal without shift_size", R, "needs shift_size",
	    S(K2 "area/type", "'datashift-journal'")),
	OK("datashift-checksum without shift_size", R, S(K2 "area/type", "'datashift-checksum'")),
	BAD("datashift-checksum without hash", R, "needs hash",
	    S(K2 "area/type", "'datashift-checksum'"), D(K2 "area/hash")),
	BAD("two reencrypt keyslots", R, "at most one", S(K2 "area/size", "'8114176'"),
	    CP("keyslots/3", "keyslots/2"), S("keyslots/3/area/offset", "'8663040'"),
	    S("keyslots/3/area/size", "'4096'")),
	OK("reencrypt keyslot in no digest", R, S("digests/2/keyslots", "[]")),
	BAD("reencrypt keyslot missing", R, "no reencrypt keyslot", D("keyslots/2"),
	    D("digests/2")),
	BAD("reencrypt keyslot on plain header", P, "keyslot 1: reencrypt keyslot without",
	    S("keyslots/1", "{'type':'reencrypt','key_size':1,'mode':'reencrypt',"
	      "'direction':'forward','area':{'type':'none','offset':'290816','size':'4096'}}")),
};

static const struct flag_case flag_cases[] = {
	{ "none", P, 0, 0, "", { NOP } },
	{ "v2", R, 2, 0, "", { NOP } },
	{ "v1", R, 1, 0, "", { S(MAND, "['online-reencrypt']") } },
	{ "v3", R, 3, 0, "", { S(MAND, "['online-reencrypt-v3']") } },
	{ "v999", R, 999, 1, "online-reencrypt-v999", { S(MAND, "['online-reencrypt-v999']") } },
	{ "v2 with foo", R, 2, 1, "foo", { A(MAND, "'foo'") } },
	{ "offline only", P, 0, 0, "",
	  { S("config/requirements", "{'mandatory':['offline-reencrypt']}") } },
	{ "duplicate", R, -EINVAL, 0, "", { A(MAND, "'online-reencrypt-v3'") } },
	{ "malformed", P, -EINVAL, 0, "", { S("config/requirements", "{'mandatory':'x'}") } },
};

#endif
