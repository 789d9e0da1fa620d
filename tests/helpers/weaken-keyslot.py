#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Test-only: give a LUKS2 keyslot a PBKDF2 iteration count below
cryptsetup's minimum, as an old or foreign tool might have written it.

    weaken-keyslot.py IMG KEYSLOT PASSFILE ITERATIONS

The keyslot (pbkdf2, aes-xts-plain64 area, as luksFormat --pbkdf pbkdf2
makes it) is decrypted with its key and encrypted again with the key of
ITERATIONS iterations (same salt); the caller then sets kdf.iterations with
tests/helpers/mangle-hdr.sh. Needs python3-cryptography.
"""
import base64
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def xts(key, data, encrypt):
    out = bytearray()
    for i in range(0, len(data), 512):
        c = Cipher(algorithms.AES(key), modes.XTS(struct.pack("<QQ", i // 512, 0)))
        op = c.encryptor() if encrypt else c.decryptor()
        out += op.update(data[i:i + 512]) + op.finalize()
    return bytes(out)


def main():
    img, ks_id, pass_file, iters = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(pass_file, "rb") as f:
        pw = f.read()
    with open(img, "r+b") as f:
        hdr_size = struct.unpack(">Q", f.read(16)[8:16])[0]
        f.seek(4096)
        meta = json.loads(f.read(hdr_size - 4096).split(b"\0")[0])
        ks = meta["keyslots"][ks_id]
        kdf, area = ks["kdf"], ks["area"]
        assert kdf["type"] == "pbkdf2" and area["encryption"] == "aes-xts-plain64"
        salt = base64.b64decode(kdf["salt"])
        n = ks["key_size"] * 4000
        n = (n + 511) // 512 * 512
        off = int(area["offset"])
        f.seek(off)
        data = f.read(n)
        old = hashlib.pbkdf2_hmac(kdf["hash"], pw, salt, kdf["iterations"], area["key_size"])
        new = hashlib.pbkdf2_hmac(kdf["hash"], pw, salt, iters, area["key_size"])
        f.seek(off)
        f.write(xts(new, xts(old, data, False), True))


if __name__ == "__main__":
    main()
