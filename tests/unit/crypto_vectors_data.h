/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Known-answer vectors for tests/unit/crypto_vectors.c. The source of each
 * group is named above it. Generated once with a throwaway script that
 * checked every value against a second implementation (libgcrypt 1.10,
 * Python hashlib/hmac, python-cryptography, the argon2 CLI, cryptsetup).
 *
 * Byte strings (inputs) are written as
 *   "0x<hex>"            raw bytes
 *   "rep:<hex>:<count>"  one byte repeated
 *   "seq:<n>"            n bytes 00 01 02 .. ff 00 01 ..
 *   anything else        the ASCII text itself
 * Expected outputs are plain hex, or the same notation for cipher text.
 */
#ifndef CRYPTO_VECTORS_DATA_H
#define CRYPTO_VECTORS_DATA_H

#include <stddef.h>
#include <stdint.h>

struct hash_tv {
	const char *name;
	const char *hash;
	const char *msg;
	unsigned int repeat;	/* msg is hashed this many times in a row */
	const char *digest;
};

struct hmac_tv {
	const char *name;
	const char *hash;
	const char *key;
	const char *msg;
	const char *mac;	/* shorter than the hash: truncated MAC */
};

struct kdf_tv {
	const char *name;
	const char *kdf;	/* "pbkdf2", "argon2i", "argon2id" */
	const char *hash;	/* PBKDF2 only */
	const char *password;
	const char *salt;
	uint32_t iterations;
	uint32_t memory_kb;	/* Argon2 only */
	uint32_t parallel;	/* Argon2 only */
	const char *key;
};

struct cipher_tv {
	const char *name;
	const char *cipher;
	const char *mode;
	const char *key;
	const char *iv;		/* NULL for ecb */
	const char *pt;
	const char *ct;
};

struct storage_tv {
	const char *spec;
	size_t sector_size;
	uint64_t iv_offset;
	size_t length;
	size_t key_len;
	const char *source;
	const char *ct_head;	/* first 16 bytes of the cipher text */
	const char *ct_sha256;
};

/* SHA-1/SHA-2: FIPS 180-2 examples; RIPEMD-160: its authors' list;
 * Whirlpool: ISO/IEC 10118-3. All re-checked with libgcrypt and hashlib. */
static const struct hash_tv hash_tvs[] = {
	{ "sha1-abc", "sha1",
		"abc", 1,
		"a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "sha1-empty", "sha1",
		"", 1,
		"da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ "sha1-448bit", "sha1",
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		"84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	{ "sha1-million-a", "sha1",
		"a", 1000000,
		"34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
	{ "sha256-abc", "sha256",
		"abc", 1,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "sha256-empty", "sha256",
		"", 1,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "sha256-448bit", "sha256",
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "sha256-million-a", "sha256",
		"a", 1000000,
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	{ "sha512-abc", "sha512",
		"abc", 1,
		"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a"
		"274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	{ "sha512-empty", "sha512",
		"", 1,
		"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c"
		"5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
	{ "sha512-896bit", "sha512",
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
		"jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
		"8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e"
		"4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
	{ "ripemd160-empty", "ripemd160",
		"", 1,
		"9c1185a5c5e9fc54612808977ee8f548b2258d31" },
	{ "ripemd160-abc", "ripemd160",
		"abc", 1,
		"8eb208f7e05d987a9b044a8e98c6b087f15a0bfc" },
	{ "ripemd160-message-digest", "ripemd160",
		"message digest", 1,
		"5d0689ef49d2fae572b881b123a85ffa21595f36" },
	{ "ripemd160-million-a", "ripemd160",
		"a", 1000000,
		"52783243c1697bdbe16d37f97f68f08325dc1528" },
	{ "whirlpool-empty", "whirlpool",
		"", 1,
		"19fa61d75522a4669b44e39c1d2e1726c530232130d407f89afee0964997f7a73e83be69"
		"8b288febcf88e3e03c4f0757ea8964e59b63d93708b138cc42a66eb3" },
	{ "whirlpool-abc", "whirlpool",
		"abc", 1,
		"4e2448a4c6f486bb16b6562c73b4020bf3043e3a731bce721ae1b303d97e6d4c7181eebd"
		"b6c57e277d0e34957114cbd6c797fc9d95d8b582d225292076d4eef5" },
};

/* RFC 4231 (HMAC-SHA-256/512, tc5 truncated to 128 bits) and RFC 2202
 * (HMAC-SHA-1); re-checked with Python's hmac. */
static const struct hmac_tv hmac_tvs[] = {
	{ "sha256-rfc4231-tc1", "sha256", "rep:0b:20",
		"Hi There",
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "sha256-rfc4231-tc2", "sha256", "Jefe",
		"what do ya want for nothing?",
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "sha256-rfc4231-tc3", "sha256", "rep:aa:20",
		"rep:dd:50",
		"773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	{ "sha256-rfc4231-tc4", "sha256", "0x0102030405060708090a0b0c0d0e0f10111213141516171819",
		"rep:cd:50",
		"82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
	{ "sha256-rfc4231-tc5", "sha256", "rep:0c:20",
		"Test With Truncation",
		"a3b6167473100ee06e0c796c2955552b" },
	{ "sha256-rfc4231-tc6", "sha256", "rep:aa:131",
		"Test Using Larger Than Block-Size Key - Hash Key First",
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ "sha256-rfc4231-tc7", "sha256", "rep:aa:131",
		"This is a test using a larger than block-size key and a larger than bloc"
		"k-size data. The key needs to be hashed before being used by the HMAC al"
		"gorithm.",
		"9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	{ "sha512-rfc4231-tc1", "sha512", "rep:0b:20",
		"Hi There",
		"87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7"
		"d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ "sha512-rfc4231-tc2", "sha512", "Jefe",
		"what do ya want for nothing?",
		"164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75"
		"c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ "sha512-rfc4231-tc3", "sha512", "rep:aa:20",
		"rep:dd:50",
		"fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e8482"
		"79a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
	{ "sha512-rfc4231-tc4", "sha512", "0x0102030405060708090a0b0c0d0e0f10111213141516171819",
		"rep:cd:50",
		"b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c1"
		"1aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
	{ "sha512-rfc4231-tc5", "sha512", "rep:0c:20",
		"Test With Truncation",
		"415fad6271580a531d4179bc891d87a6" },
	{ "sha512-rfc4231-tc6", "sha512", "rep:aa:131",
		"Test Using Larger Than Block-Size Key - Hash Key First",
		"80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037"
		"e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	{ "sha512-rfc4231-tc7", "sha512", "rep:aa:131",
		"This is a test using a larger than block-size key and a larger than bloc"
		"k-size data. The key needs to be hashed before being used by the HMAC al"
		"gorithm.",
		"e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac"
		"3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
	{ "sha1-rfc2202-tc1", "sha1", "rep:0b:20",
		"Hi There",
		"b617318655057264e28bc0b6fb378c8ef146be00" },
	{ "sha1-rfc2202-tc2", "sha1", "Jefe",
		"what do ya want for nothing?",
		"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ "sha1-rfc2202-tc3", "sha1", "rep:aa:20",
		"rep:dd:50",
		"125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	{ "sha1-rfc2202-tc4", "sha1", "0x0102030405060708090a0b0c0d0e0f10111213141516171819",
		"rep:cd:50",
		"4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
	{ "sha1-rfc2202-tc5", "sha1", "rep:0c:20",
		"Test With Truncation",
		"4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
	{ "sha1-rfc2202-tc6", "sha1", "rep:aa:80",
		"Test Using Larger Than Block-Size Key - Hash Key First",
		"aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	{ "sha1-rfc2202-tc7", "sha1", "rep:aa:80",
		"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Dat"
		"a",
		"e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
};

/* PBKDF2: RFC 6070 (SHA-1; the 16777216-iteration case is left out), the
 * same inputs with SHA-256 and SHA-512, RFC 7914 section 11; re-checked
 * with hashlib.pbkdf2_hmac. Argon2 v1.3: the *-ref-* ones are in the
 * reference implementation's src/test.c (phc-winner-argon2); all were
 * computed with Debian's argon2 CLI 0~20171227, e.g.
 *   printf password | argon2 somesalt -i -t 2 -m 16 -p 1 -l 32 -r */
static const struct kdf_tv kdf_tvs[] = {
	{ "pbkdf2-rfc6070-1", "pbkdf2", "sha1",
		"password", "salt",
		1, 0, 0,
		"0c60c80f961f0e71f3a9b524af6012062fe037a6" },
	{ "pbkdf2-rfc6070-2", "pbkdf2", "sha1",
		"password", "salt",
		2, 0, 0,
		"ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957" },
	{ "pbkdf2-rfc6070-3", "pbkdf2", "sha1",
		"password", "salt",
		4096, 0, 0,
		"4b007901b765489abead49d926f721d065a429c1" },
	{ "pbkdf2-rfc6070-5", "pbkdf2", "sha1",
		"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt",
		4096, 0, 0,
		"3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038" },
	{ "pbkdf2-rfc6070-6", "pbkdf2", "sha1",
		"0x7061737300776f7264", "0x7361006c74",
		4096, 0, 0,
		"56fa6aa75548099dcc37d7f03425e0c3" },
	{ "pbkdf2-sha256-1", "pbkdf2", "sha256",
		"password", "salt",
		1, 0, 0,
		"120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b" },
	{ "pbkdf2-sha256-2", "pbkdf2", "sha256",
		"password", "salt",
		2, 0, 0,
		"ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43" },
	{ "pbkdf2-sha256-3", "pbkdf2", "sha256",
		"password", "salt",
		4096, 0, 0,
		"c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
	{ "pbkdf2-sha256-5", "pbkdf2", "sha256",
		"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt",
		4096, 0, 0,
		"348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c"
		"7dac47e9" },
	{ "pbkdf2-sha256-6", "pbkdf2", "sha256",
		"0x7061737300776f7264", "0x7361006c74",
		4096, 0, 0,
		"89b69d0516f829893c696226650a8687" },
	{ "pbkdf2-rfc7914", "pbkdf2", "sha256",
		"passwd", "salt",
		1, 0, 0,
		"55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9ccc"
		"f179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783" },
	{ "pbkdf2-sha512-1", "pbkdf2", "sha512",
		"password", "salt",
		1, 0, 0,
		"867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a"
		"285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce" },
	{ "argon2i-ref-m16", "argon2i", NULL,
		"password", "somesalt",
		2, 65536, 1,
		"c1628832147d9720c5bd1cfd61367078729f6dfb6f8fea9ff98158e0d7816ed0" },
	{ "argon2id-ref-m16", "argon2id", NULL,
		"password", "somesalt",
		2, 65536, 1,
		"09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7" },
	{ "argon2i-ref-m8", "argon2i", NULL,
		"password", "somesalt",
		2, 256, 1,
		"89e9029f4637b295beb027056a7336c414fadd43f6b208645281cb214a56452f" },
	{ "argon2id-p4", "argon2id", NULL,
		"differentpassword", "diffsalt_0123456",
		3, 1024, 4,
		"c1c37435a98ad803d3d58ceddcdc82273bf6f58e077cd802213dda53ed7f7c9c" },
	{ "argon2i-p2-k64", "argon2i", NULL,
		"luks2box passphrase", "0123456789abcdef0123456789abcdef",
		4, 4096, 2,
		"afec80e19bb4f93f1aa03cf7d3761f2adda5c704623f34a42a9439ef8d16e1d3650d2c83"
		"bff473bed795ead2bf371ef19e56077fa3962e41ccf13155357b8b9f" },
	{ "argon2id-p4-k64", "argon2id", NULL,
		"luks2box passphrase", "0123456789abcdef0123456789abcdef",
		4, 4096, 4,
		"718a052902fa2f3a5c51227c0b0c0b905807febfa205e0286891bc6844e93e0075b4febc"
		"fbc31dceca896b1a9f46a878a9ce3e100fa092c79c3aa5bb2b6955d1" },
};

/* AES-ECB/CBC: NIST SP 800-38A F.1 and F.2. XTS-AES: IEEE Std 1619-2007
 * Annex B vectors 1-5 and 10 (IV = data unit sequence number, little
 * endian), as in golang.org/x/crypto xts_test.go. CAVS XTSGenAES128/256
 * count 101 inputs with AES (NIST result), serpent and twofish (results
 * as in cryptsetup tests/crypto-vectors.c). Everything re-checked with
 * libgcrypt 1.10 and, for AES, python-cryptography. */
#define IEEE1619_V4_CT \
		"0x27a7479befa1d476489f308cd4cfa6e2a96e4bbe3208ff25287dd3819616e89cc78cf7" \
		"f5e543445f8333d8fa7f56000005279fa5d8b5e4ad40e736ddb4d35412328063fd2aab53" \
		"e5ea1e0a9f332500a5df9487d07a5c92cc512c8866c7e860ce93fdf166a24912b4229761" \
		"46ae20ce846bb7dc9ba94a767aaef20c0d61ad02655ea92dc4c4e41a8952c651d33174be" \
		"51a10c421110e6d81588ede82103a252d8a750e8768defffed9122810aaeb99f9172af82" \
		"b604dc4b8e51bcb08235a6f4341332e4ca60482a4ba1a03b3e65008fc5da76b70bf1690d" \
		"b4eae29c5f1badd03c5ccf2a55d705ddcd86d449511ceb7ec30bf12b1fa35b913f9f747a" \
		"8afd1b130e94bff94effd01a91735ca1726acd0b197c4e5b03393697e126826fb6bbde8e" \
		"cc1e08298516e2c9ed03ff3c1b7860f6de76d4cecd94c8119855ef5297ca67e9f3e7ff72" \
		"b1e99785ca0a7e7720c5b36dc6d72cac9574c8cbbc2f801e23e56fd344b07f22154beba0" \
		"f08ce8891e643ed995c94d9a69c9f1b5f499027a78572aeebd74d20cc39881c213ee770b" \
		"1010e4bea718846977ae119f7a023ab58cca0ad752afe656bb3c17256a9f6e9bf19fdd5a" \
		"38fc82bbe872c5539edb609ef4f79c203ebb140f2e583cb2ad15b4aa5b655016a8449277" \
		"dbd477ef2c8d6c017db738b18deb4a427d1923ce3ff262735779a418f20a282df920147b" \
		"eabe421ee5319d0568"

static const struct cipher_tv cipher_tvs[] = {
	{ "ecb-aes-128-f.1.1", "aes", "ecb",
		"0x2b7e151628aed2a6abf7158809cf4f3c",
		NULL,
		"0x6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c"
		"46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
		"0x3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd"
		"7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4" },
	{ "ecb-aes-256-f.1.5", "aes", "ecb",
		"0x603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		NULL,
		"0x6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c"
		"46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
		"0xf3eed1bdb5d2a03c064b5a7e3db181f8591ccb10d410ed26dc5ba74a31362870b6ed21"
		"b99ca6f4f9f153e7b1beafed1d23304b7a39f9f3ff067d8d8f9e24ecc7" },
	{ "cbc-aes-128-f.2.1", "aes", "cbc",
		"0x2b7e151628aed2a6abf7158809cf4f3c",
		"0x000102030405060708090a0b0c0d0e0f",
		"0x6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c"
		"46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
		"0x7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6"
		"b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7" },
	{ "cbc-aes-192-f.2.3", "aes", "cbc",
		"0x8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
		"0x000102030405060708090a0b0c0d0e0f",
		"0x6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c"
		"46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
		"0x4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a571b24"
		"2012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd" },
	{ "cbc-aes-256-f.2.5", "aes", "cbc",
		"0x603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		"0x000102030405060708090a0b0c0d0e0f",
		"0x6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c"
		"46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
		"0xf58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f233"
		"69a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b" },
	{ "xts-aes-128-v1", "aes", "xts",
		"0x0000000000000000000000000000000000000000000000000000000000000000",
		"0x00000000000000000000000000000000",
		"0x0000000000000000000000000000000000000000000000000000000000000000",
		"0x917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e" },
	{ "xts-aes-128-v2", "aes", "xts",
		"0x1111111111111111111111111111111122222222222222222222222222222222",
		"0x33333333330000000000000000000000",
		"0x4444444444444444444444444444444444444444444444444444444444444444",
		"0xc454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0" },
	{ "xts-aes-128-v3", "aes", "xts",
		"0xfffefdfcfbfaf9f8f7f6f5f4f3f2f1f022222222222222222222222222222222",
		"0x33333333330000000000000000000000",
		"0x4444444444444444444444444444444444444444444444444444444444444444",
		"0xaf85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89" },
	{ "xts-aes-128-v4", "aes", "xts",
		"0x2718281828459045235360287471352631415926535897932384626433832795",
		"0x00000000000000000000000000000000",
		"seq:512",
		IEEE1619_V4_CT },
	{ "xts-aes-128-v5", "aes", "xts",
		"0x2718281828459045235360287471352631415926535897932384626433832795",
		"0x01000000000000000000000000000000",
		IEEE1619_V4_CT,
		"0x264d3ca8512194fec312c8c9891f279fefdd608d0c027b60483a3fa811d65ee59d52d9"
		"e40ec5672d81532b38b6b089ce951f0f9c35590b8b978d175213f329bb1c2fd30f2f7f30"
		"492a61a532a79f51d36f5e31a7c9a12c286082ff7d2394d18f783e1a8e72c722caaaa52d"
		"8f065657d2631fd25bfd8e5baad6e527d763517501c68c5edc3cdd55435c532d7125c861"
		"4deed9adaa3acade5888b87bef641c4c994c8091b5bcd387f3963fb5bc37aa922fbfe3df"
		"4e5b915e6eb514717bdd2a74079a5073f5c4bfd46adf7d282e7a393a52579d11a028da4d"
		"9cd9c77124f9648ee383b1ac763930e7162a8d37f350b2f74b8472cf09902063c6b32e8c"
		"2d9290cefbd7346d1c779a0df50edcde4531da07b099c638e83a755944df2aef1aa31752"
		"fd323dcb710fb4bfbb9d22b925bc3577e1b8949e729a90bbafeacf7f7879e7b1147e28ba"
		"0bae940db795a61b15ecf4df8db07b824bb062802cc98a9545bb2aaeed77cb3fc6db15dc"
		"d7d80d7d5bc406c4970a3478ada8899b329198eb61c193fb6275aa8ca340344a75a862ae"
		"be92eee1ce032fd950b47d7704a3876923b4ad62844bf4a09c4dbe8b4397184b7471360c"
		"9564880aedddb9baa4af2e75394b08cd32ff479c57a07d3eab5d54de5f9738b8d27f27a9"
		"f0ab11799d7b7ffefb2704c95c6ad12c39f1e867a4b7b1d7818a4b753dfd2a89ccb45e00"
		"1a03a867b187f225dd" },
	{ "xts-aes-256-v10", "aes", "xts",
		"0x2718281828459045235360287471352662497757247093699959574966967627314159"
		"2653589793238462643383279502884197169399375105820974944592",
		"0xff000000000000000000000000000000",
		"seq:512",
		"0x1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b5d31e2"
		"76f8fe4a8d66b317f9ac683f44680a86ac35adfc3345befecb4bb188fd5776926c49a309"
		"5eb108fd1098baec70aaa66999a72a82f27d848b21d4a741b0c5cd4d5fff9dac89aeba12"
		"2961d03a757123e9870f8acf1000020887891429ca2a3e7a7d7df7b10355165c8b9a6d0a"
		"7de8b062c4500dc4cd120c0f7418dae3d0b5781c34803fa75421c790dfe1de1834f280d7"
		"667b327f6c8cd7557e12ac3a0f93ec05c52e0493ef31a12d3d9260f79a289d6a379bc70c"
		"50841473d1a8cc81ec583e9645e07b8d9670655ba5bbcfecc6dc3966380ad8fecb17b6ba"
		"02469a020a84e18e8f84252070c13e9f1f289be54fbc481457778f616015e1327a02b140"
		"f1505eb309326d68378f8374595c849d84f4c333ec4423885143cb47bd71c5edae9be69a"
		"2ffeceb1bec9de244fbe15992b11b77c040f12bd8f6a975a44a0f90c29a9abc3d4d89392"
		"7284c58754cce294529f8614dcd2aba991925fedc4ae74ffac6e333b93eb4aff0479da9a"
		"410e4450e0dd7ae4c6e2910900575da401fc07059f645e8b7e9bfdef33943054ff840114"
		"93c27b3429eaedb4ed5376441a77ed43851ad77f16f541dfd269d50d6a5f14fb0aab1cbb"
		"4c1550be97f7ab4066193c4caa773dad38014bd2092fa755c824bb5e54c4f36ffda9fcea"
		"70b9c6e693e148c151" },
	{ "xts-aes-cavs128-101", "aes", "xts",
		"0xb7b93f516aef295eff3a29d837cf1f135347e8a21dae616ff5062b2e8d78ce5e",
		"0x873edea653b643bd8bcf51403197ed14",
		"0x236f8a5b58dd55f6194ed70c4ac1a17f1fe60ec9a6c454d087ccb77d6b638c47",
		"0x22e6a3c6379dcf7599b052b5a749c7f78ad8a11b9f1aa9430cf3aef445682e19" },
	{ "xts-aes-cavs256-101", "aes", "xts",
		"0x266c336b3b01489f3267f52835fd92f674374b88b4e1ebd2d36a5f457581d9d042c3ee"
		"f7b0b7e5137b086496b4d9e6ac658d7196a23f23f036172fdb8faee527",
		"0x06b209a7a22f486ecbfadb0f3137ba42",
		"0xca7d65ef8d3dfad345b61ccddca1ad81de830b9e86c7b426d76cb7db766852d981c6b2"
		"1409399d78f42cc0b33a7bbb06",
		"0xc73256870cc2f4dd57acc74b5456dbd776912a128bc1f77d72cdebbf270044b7a43cee"
		"d29025e1e8be211fa3c3ed002d" },
	{ "xts-serpent-cavs128-101", "serpent", "xts",
		"0xb7b93f516aef295eff3a29d837cf1f135347e8a21dae616ff5062b2e8d78ce5e",
		"0x873edea653b643bd8bcf51403197ed14",
		"0x236f8a5b58dd55f6194ed70c4ac1a17f1fe60ec9a6c454d087ccb77d6b638c47",
		"0x6da2a42b187157dc03af8b8228663df1708b7598d2ddbf729eb3b4c23f18dfa1" },
	{ "xts-serpent-cavs256-101", "serpent", "xts",
		"0x266c336b3b01489f3267f52835fd92f674374b88b4e1ebd2d36a5f457581d9d042c3ee"
		"f7b0b7e5137b086496b4d9e6ac658d7196a23f23f036172fdb8faee527",
		"0x06b209a7a22f486ecbfadb0f3137ba42",
		"0xca7d65ef8d3dfad345b61ccddca1ad81de830b9e86c7b426d76cb7db766852d981c6b2"
		"1409399d78f42cc0b33a7bbb06",
		"0x37e4c0a9f149e53e73b91fecdce0bdc531d7ef086520e3add98460dc616f2686b8d529"
		"4b044152590500b0c29b30da48" },
	{ "xts-twofish-cavs128-101", "twofish", "xts",
		"0xb7b93f516aef295eff3a29d837cf1f135347e8a21dae616ff5062b2e8d78ce5e",
		"0x873edea653b643bd8bcf51403197ed14",
		"0x236f8a5b58dd55f6194ed70c4ac1a17f1fe60ec9a6c454d087ccb77d6b638c47",
		"0x2695fa03816bb6221a0a8a440c1505e774a3ae6fbe3c1244f51b41876fc2c62b" },
	{ "xts-twofish-cavs256-101", "twofish", "xts",
		"0x266c336b3b01489f3267f52835fd92f674374b88b4e1ebd2d36a5f457581d9d042c3ee"
		"f7b0b7e5137b086496b4d9e6ac658d7196a23f23f036172fdb8faee527",
		"0x06b209a7a22f486ecbfadb0f3137ba42",
		"0xca7d65ef8d3dfad345b61ccddca1ad81de830b9e86c7b426d76cb7db766852d981c6b2"
		"1409399d78f42cc0b33a7bbb06",
		"0xe6f00206e74263b71f22a9c3e18f0b05a4b49c38350e82fe782f05f624bd441128da44"
		"69f50dcd7fc66a363ae48ff151" },
};

/*
 * Storage layer. Plaintext byte i = i * 31 + (i >> 9) * 101 + 7 (mod 256),
 * key byte i = 0x10 + 7 * i (mod 256). Expected: the first 16 bytes and
 * the SHA-256 of the ciphertext. Sources: "cryptsetup 2.6.1" = Debian's
 * cryptsetup reencrypt --encrypt on a file with a detached header and that
 * volume key (its userspace storage code), equal to the libgcrypt model;
 * "libgcrypt" = a model of the dm-crypt IV rules over libgcrypt 1.10;
 * "openssl enc" = openssl enc -aes-N-cbc -nopad -K -iv per sector.
 */
static const struct storage_tv storage_tvs[] = {
	{ "aes-xts-plain64", 4096, 0x0, 65536, 64, "cryptsetup 2.6.1",
		"bd5eb74fea5afcfcceae4c4875e7a591",
		"f4eb6314db1a1de664e10f58c431d668833db25c9b436c926c6fa659121c0b50" },
	{ "aes-xts-plain64", 512, 0x0, 65536, 64, "cryptsetup 2.6.1",
		"bd5eb74fea5afcfcceae4c4875e7a591",
		"4c97c110e91a855db9b3c936b3027b2b301aa11d6072c515dd266ffb55d4ef65" },
	{ "aes-xts-plain64", 512, 0x0, 65536, 32, "cryptsetup 2.6.1",
		"dc5d27eb5e108ca1f1aaabacb6755814",
		"67dd3479b63dc4dd6427f00f724a6ef7854597f71119495eaedb2adf20e1aadb" },
	{ "aes-xts-plain64be", 4096, 0x0, 65536, 64, "cryptsetup 2.6.1",
		"bd5eb74fea5afcfcceae4c4875e7a591",
		"546cbe1a239ff09b446eb3c8bcaebaefaf7f0693f0aaf773b3da6333a5c6c5cc" },
	{ "aes-cbc-essiv:sha256", 512, 0x0, 65536, 32, "cryptsetup 2.6.1",
		"53cc755127386b1fb5d622265232f17a",
		"f0f9e4864bb401ef86b538f5bf53e596cb172434793e8485cfe92a3c84783a0f" },
	{ "aes-cbc-essiv:sha256", 4096, 0x0, 65536, 16, "cryptsetup 2.6.1",
		"6a741c09aeb5ad857f5e870e540d4998",
		"93f1f6a8f71250d570e5f454640271ee83db00c97b706b578c975cbabb636613" },
	{ "aes-xts-plain", 512, 0x0, 65536, 64, "cryptsetup 2.6.1",
		"bd5eb74fea5afcfcceae4c4875e7a591",
		"4c97c110e91a855db9b3c936b3027b2b301aa11d6072c515dd266ffb55d4ef65" },
	{ "aes-cbc-plain64", 4096, 0x0, 65536, 32, "cryptsetup 2.6.1",
		"82634962d2703e533a5fd30c4182c3a8",
		"2a7538b62b0cbd5af58be663b8992ccfcf729592a224a83c57e9562ea27f7859" },
	{ "aes-xts-essiv:sha256", 512, 0x0, 65536, 64, "cryptsetup 2.6.1",
		"2ef96bbb12ba7d450ee8c7b27d9a5750",
		"ac73c8357ea84404d93bc9cdc79c248e663cc3ec6d7aa6c3714b797b19bd9388" },
	{ "aes-xts-null", 512, 0x0, 65536, 32, "cryptsetup 2.6.1",
		"dc5d27eb5e108ca1f1aaabacb6755814",
		"2c909920a3a02d5f6d824ef1e0844f943db4760159f9c7702128f56d396b61b6" },
	{ "aes-ecb", 512, 0x0, 65536, 32, "cryptsetup 2.6.1",
		"82634962d2703e533a5fd30c4182c3a8",
		"86c699174cfeb945ee51624297167061650b84c82185e2d6029e9ea246a9fa9e" },
	{ "aes-xts-plain64", 512, 0x123456789, 2048, 64, "libgcrypt",
		"2baa48309a45d944ebc58a35ed0c5879",
		"711c93d3503badde9d82916c81033a23ac0df9105a96ec3de2ef6bf58a7d4ab6" },
	{ "aes-xts-plain64", 4096, 0x8, 8192, 64, "libgcrypt",
		"4324cf5e3c2401ca06b7ba8d103ed05a",
		"2e07d4d00f1373ad97999e9b69a4074abd58163b358f19445df365046bd317e1" },
	{ "aes-xts-plain", 512, 0xfffffffe, 2048, 64, "libgcrypt",
		"b991934ab23b561604e876437a4f8bd5",
		"5fae5a29baec9e17a0c3dccdfecd7194b7a3fcc11e131876bbb7156f19790f98" },
	{ "aes-xts-plain64be", 512, 0x102030405, 1024, 64, "libgcrypt",
		"29f6866eedad333df3f94fefb70613a3",
		"cc7be51c54de181e24decb3d0dcaa9436c385c1a76f04818bb69e18f37835734" },
	{ "aes-xts-plain64be", 4096, 0x10, 8192, 32, "libgcrypt",
		"e50b9f80d1867a910e77df86291f0b39",
		"2a856e848768e3cae1e895a106149b290276ff4f52e3edbf9445bc20498d6e2a" },
	{ "aes-cbc-essiv:sha256", 4096, 0x100000000, 8192, 32, "libgcrypt",
		"6f3db7a17324534fdc18c9b0812bdf28",
		"e0ee1889ab0e63feedb01abcac38c1e7193ef9958570fdeb3985f3148e426e74" },
	{ "aes-cbc-plain64", 4096, 0x10, 8192, 32, "libgcrypt, openssl enc",
		"9a712e82896816e181770738a6e0b230",
		"a3b27d40385417172fc2ec0beb9940379d15aba01df1a7c46193a3654e2f8d9d" },
	{ "aes-cbc-plain", 512, 0x1fffffffe, 2048, 16, "libgcrypt, openssl enc",
		"33bcf5a0d90c45df5dc088992b4d2280",
		"7db8ccd30ff6b098fe7bec5dcc685a257ce714e463af5df773d130ab826b68dc" },
	{ "cipher_null-ecb", 512, 0x0, 1024, 0, "identity",
		"0726456483a2c1e0ff1e3d5c7b9ab9d8",
		"957db2d8af084c40f11933aa99429f4bf8369c6f7e1647fbc776d8bfee06d6cb" },
	{ "serpent-xts-plain64", 512, 0x0, 65536, 64, "libgcrypt",
		"44f41fee04b6f1bf69818590d6bbd19b",
		"8135b21994595ff5e79d6185d5098cad56e3d23028e609d2eda4d5079859221d" },
	{ "serpent-xts-plain64", 4096, 0x8, 8192, 64, "libgcrypt",
		"6c827ae97fa93405f37de870e855d2d1",
		"132731d656b8bedefdebc12b26f38b01711ff804d9ff0f5bab923ae917afb9c2" },
	{ "twofish-xts-plain64", 512, 0x1000, 2048, 32, "libgcrypt",
		"f8d7e5558bf7106833ec0a5229f38048",
		"cbd0b20decbb4622059d866d0cbcdd08edecdb30bb5888631f92b45f3ff0788c" },
	{ "twofish-xts-plain64", 4096, 0x0, 65536, 64, "libgcrypt",
		"bfee10c24cb0594a8437fbcb36c2cb8d",
		"3cacd4e81ced9941a9acfd078017198e5b3dfee5c62f6db99ba6dcd6e23957cf" },
	{ "serpent-cbc-essiv:sha256", 512, 0x3, 2048, 32, "libgcrypt",
		"297057aeaa666f5bca6dda8c2a151f04",
		"a5d43b873e283b2b052f1e866859978c4bdcd2d6d07b8ffe22471f29c02c0bcb" },
};

#endif
