/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only oracle, independent of luks2box's own crypto code: decrypt a
 * dm-crypt segment with OpenSSL directly and write the plaintext to stdout.
 *   oracle_decrypt CIPHER KEYFILE SECTOR_SIZE OFFSET LENGTH IMG
 * CIPHER: aes-xts-plain64 or aes-cbc-essiv:sha256; KEYFILE holds the raw
 * volume key (cryptsetup luksDump --dump-volume-key --volume-key-file).
 * IVs count 512-byte units from the segment start (LUKS2, iv_tweak 0).
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void iv_plain64(uint8_t *iv, size_t n, uint64_t s)
{
	memset(iv, 0, n);
	for (int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(s >> (8 * i));
}

int main(int argc, char **argv)
{
	uint8_t key[128], iv[16], essiv_key[32], *buf;
	size_t klen, ss;
	uint64_t off, len, done;
	const EVP_CIPHER *ciph;
	int essiv, outl;
	FILE *kf, *img;

	if (argc != 7)
		return 2;
	essiv = !strcmp(argv[1], "aes-cbc-essiv:sha256");
	kf = fopen(argv[2], "rb");
	img = fopen(argv[6], "rb");
	if (!kf || !img)
		return 2;
	klen = fread(key, 1, sizeof(key), kf);
	ss = strtoull(argv[3], NULL, 0);
	off = strtoull(argv[4], NULL, 0);
	len = strtoull(argv[5], NULL, 0);
	if (!strcmp(argv[1], "aes-xts-plain64"))
		ciph = klen == 64 ? EVP_aes_256_xts() : EVP_aes_128_xts();
	else if (essiv)
		ciph = klen == 32 ? EVP_aes_256_cbc() : klen == 24 ? EVP_aes_192_cbc() :
		       EVP_aes_128_cbc();
	else
		return 2;
	if (essiv)
		EVP_Digest(key, klen, essiv_key, NULL, EVP_sha256(), NULL);
	buf = malloc(ss);
	if (fseeko(img, (off_t)off, SEEK_SET))
		return 2;
	for (done = 0; done < len; done += ss) {
		EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

		if (fread(buf, 1, ss, img) != ss)
			return 3;
		iv_plain64(iv, 16, done / 512);
		if (essiv) {
			EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
			uint8_t tmp[16];

			EVP_EncryptInit_ex(e, EVP_aes_256_ecb(), NULL, essiv_key, NULL);
			EVP_CIPHER_CTX_set_padding(e, 0);
			EVP_EncryptUpdate(e, tmp, &outl, iv, 16);
			memcpy(iv, tmp, 16);
			EVP_CIPHER_CTX_free(e);
		}
		EVP_DecryptInit_ex(c, ciph, NULL, key, iv);
		EVP_CIPHER_CTX_set_padding(c, 0);
		EVP_DecryptUpdate(c, buf, &outl, buf, (int)ss);
		EVP_CIPHER_CTX_free(c);
		fwrite(buf, 1, ss, stdout);
	}
	free(buf);
	return 0;
}
