#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the fuzz seed corpus from images made by cryptsetup 2.6.1:
#   make-seeds.sh OUTDIR CS_REENC
# OUTDIR/base/NN-STATE.img   small images (1.25-1.5 MiB) whose keyslots open
#                            with "fuzz-pass" (PBKDF2, 1000 iterations), in
#                            every reencryption state: none, clean at the
#                            start and part way, crash, for checksum,
#                            journal, none and datashift (encryption with
#                            --reduce-device-size) resilience
# OUTDIR/corpus/hdr/STATE    both header copies of each, checksum fields
#                            zeroed (the targets fix them), plus 64 KiB
#                            metadata variants
# OUTDIR/corpus/reenc/STATE  base index byte + the header copies (and
#                            STATE-resigned: index + 128, see fuzz_reenc.c)
# CS_REENC is build/tests/cs_reenc (stops and crashes through libcryptsetup).
set -u
out=$1
csr=$2
die() { echo "make-seeds.sh: $*" >&2; exit 1; }
command -v cryptsetup >/dev/null || die "cryptsetup is required"
[ -x "$csr" ] || die "$csr not built"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/luks2box-seeds.XXXXXX") || die "mktemp"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out/base" "$out/corpus"
mkdir -p "$out/base" "$out/corpus/hdr" "$out/corpus/reenc" || die "mkdir $out"
printf fuzz-pass >"$tmp/pw"
FAST="--pbkdf pbkdf2 --pbkdf-force-iterations 1000"
cs() { cryptsetup --disable-locks --batch-mode "$@" >/dev/null 2>&1; }
n=0

# seed NAME IMG: keep IMG as base image NN-NAME and its headers as seeds.
seed() {
	local name base hs
	name=$(printf '%02d-%s' "$n" "$1")
	base="$out/base/$name.img"
	cp "$2" "$base"
	hs=$((16#$(od -An -tx1 -j8 -N8 "$2" | tr -d ' \n')))
	[ "$hs" -ge 16384 ] && [ "$hs" -le 4194304 ] || die "$1: no LUKS2 header"
	head -c $((2 * hs)) "$2" >"$out/corpus/hdr/$name"
	for off in 0 "$hs"; do
		dd if=/dev/zero of="$out/corpus/hdr/$name" bs=1 seek=$((off + 0x1C0)) count=64 \
			conv=notrunc status=none
	done
	{ printf "\\$(printf %03o "$n")"; cat "$out/corpus/hdr/$name"; } >"$out/corpus/reenc/$name"
	# the same with the reencryption digest re-created (fuzz_reenc.c)
	{ printf "\\$(printf %03o $((n + 128)))"; cat "$out/corpus/hdr/$name"; } \
		>"$out/corpus/reenc/$name-resigned"
	n=$((n + 1))
}
# fmt IMG [METADATA_SIZE]: LUKS2, data at 1 MiB, 256 KiB of data.
fmt() {
	truncate -s 1280k "$1" &&
		cs luksFormat --type luks2 $FAST --key-size 256 --key-file "$tmp/pw" \
			--luks2-metadata-size "${2:-16k}" --luks2-keyslots-size 768k \
			--offset 2048 "$1"
}
init() { cs reencrypt --init-only --force-offline-reencrypt $FAST --key-file "$tmp/pw" "$@"; }

fmt "$tmp/plain" || die "luksFormat"
seed plain "$tmp/plain"
for res in checksum journal none; do
	cp "$tmp/plain" "$tmp/r" && init --resilience "$res" "$tmp/r" || die "init $res"
	seed "reencrypt-$res-clean" "$tmp/r"
	cp "$tmp/r" "$tmp/s"
	"$csr" --no-benchmark --stop-after 3 --hotzone-size 65536 --key-file "$tmp/pw" "$tmp/s" >/dev/null 2>&1 &&
		seed "reencrypt-$res-part" "$tmp/s"
	[ "$res" = none ] && continue	# no crash state: progress is committed at the end
	cp "$tmp/r" "$tmp/c"
	"$csr" --no-benchmark --crash-after 2 --hotzone-size 65536 --key-file "$tmp/pw" "$tmp/c" >/dev/null 2>&1 &&
		seed "reencrypt-$res-crash" "$tmp/c"
done
# Backward reencryption with a data shift is cryptsetup's encryption mode:
# plaintext image, header written into the reduced space.
truncate -s 1536k "$tmp/e" &&
	cs reencrypt --encrypt --init-only --force-offline-reencrypt $FAST --key-size 256 \
		--key-file "$tmp/pw" --reduce-device-size 512k --luks2-metadata-size 16k \
		--luks2-keyslots-size 256k "$tmp/e" || die "init encrypt"
seed encrypt-datashift-clean "$tmp/e"
cp "$tmp/e" "$tmp/ec"
"$csr" --no-benchmark --crash-after 1 --key-file "$tmp/pw" "$tmp/ec" >/dev/null 2>&1 &&
	seed encrypt-datashift-crash "$tmp/ec"
cp "$tmp/e" "$tmp/ep"
"$csr" --no-benchmark --stop-after 2 --key-file "$tmp/pw" "$tmp/ep" >/dev/null 2>&1 &&
	seed encrypt-datashift-part "$tmp/ep"
# 64 KiB metadata (other hdr_size and secondary offset).
fmt "$tmp/p64" 64k || die "luksFormat 64k"
seed plain-64k "$tmp/p64"
cp "$tmp/p64" "$tmp/r64" && init "$tmp/r64" || die "init 64k"
seed reencrypt-64k-clean "$tmp/r64"
echo "make-seeds.sh: $n seeds in $out"
