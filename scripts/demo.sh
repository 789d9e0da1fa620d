#!/bin/sh
# make demo: encrypt a plaintext demo image in place, reencrypt it with a new
# volume key, decrypt it in place again, and verify every byte.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=$top/build
W=${DEMO_DIR:-$top/build/demo}
SIZE_MB=${DEMO_SIZE_MB:-128}
R=${PROGRESS:---progress-json}
[ -t 2 ] && R=''
fail() { echo "demo: FAILED: $1" >&2; exit 1; }
step() { printf '\n== %s\n' "$1"; }

rm -rf "$W" && mkdir -p "$W" || exit 1
cd "$W" || exit 1
printf 'demo passphrase' > key
fast="--pbkdf pbkdf2 --pbkdf-force-iterations 1000"

step "plaintext image: $SIZE_MB MiB of random data (the last 8 MiB make room for the header)"
dd if=/dev/urandom of=disk.img bs=1M count="$SIZE_MB" status=none || fail "dd"
keep=$(( (SIZE_MB - 8) * 1048576 ))
head -c "$keep" disk.img | sha256sum | cut -d' ' -f1 > plain.sha256
echo "sha256 of the data: $(cat plain.sha256)"

step "encrypt in place (datashift, backward), then step through the hotzones"
# shellcheck disable=SC2086
"$B/luks2-init-reencrypt" --encrypt --reduce-device-size 8M -d key $fast disk.img || fail "init encrypt"
"$B/luks2-status" -o state,mode,direction,resilience,total_bytes disk.img | paste -sd' '
# shellcheck disable=SC2086 # $R is empty or one word
"$B/hotzone-step" -d key --all $R disk.img
[ $? -eq 10 ] || fail "encryption did not finish"

step "reencrypt with a new volume key (checksum resilience), via the wrapper"
# shellcheck disable=SC2086
"$top/scripts/luks2-reencrypt" -d key $fast --hotzone-size 16M $R disk.img || fail "reencrypt"
"$B/luks2-status" -o state,segment.0.offset,segment.0.encryption disk.img | paste -sd' '
"$B/luks2-status" --test-passphrase -d key disk.img || fail "passphrase after reencrypt"
if command -v cryptsetup >/dev/null 2>&1; then
	cryptsetup open --disable-locks --test-passphrase --key-file key disk.img ||
		fail "cryptsetup does not open the reencrypted image"
	echo "cryptsetup 2.x opens the reencrypted header"
fi

step "decrypt in place, moving the header out to header.img"
"$B/luks2-init-reencrypt" --decrypt --header header.img -d key disk.img || fail "init decrypt"
# shellcheck disable=SC2086
"$B/hotzone-step" --header header.img -d key --all $R disk.img
[ $? -eq 10 ] || fail "decryption did not finish"

step "verify every byte"
got=$(head -c "$keep" disk.img | sha256sum | cut -d' ' -f1)
echo "sha256 after encrypt, reencrypt, decrypt: $got"
[ "$got" = "$(cat plain.sha256)" ] || fail "data differs"
echo "demo: OK: all $keep bytes identical"
