#!/bin/sh
# make bench: our offline reencryption against cryptsetup's on the same
# image, per resilience mode: MiB/s, peak memory and the ratio.
# BENCH_DIR (default /dev/shm) and BENCH_MB (default 1024) choose where and
# how much; each run starts from the same freshly formatted image.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=$top/build
dir=${BENCH_DIR:-/dev/shm}/luks2box-bench.$$
mb=${BENCH_MB:-1024}
modes=${BENCH_MODES:-checksum journal none}
command -v cryptsetup >/dev/null || { echo "bench: cryptsetup not installed" >&2; exit 1; }
mkdir -p "$dir" || exit 1
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
printf 'bench' > key
fast="--pbkdf pbkdf2 --pbkdf-force-iterations 1000"
cs="--disable-locks --force-offline-reencrypt -q --key-file key"

truncate -s $((mb + 16))M base.img
# shellcheck disable=SC2086
cryptsetup luksFormat --type luks2 --disable-locks -q $fast --key-file key base.img || exit 1
data=$((mb * 1048576))

# run LABEL CMD...: seconds and peak KiB of CMD
measure() {
	/usr/bin/time -f '%e %M' -o t.out "$@" >/dev/null 2>&1
	tail -n 1 t.out
}
printf '%-9s %12s %12s %10s %10s %7s\n' mode "ours MiB/s" "cs MiB/s" "ours MiB" "cs MiB" ratio
for m in $modes; do
	cp base.img a.img
	# shellcheck disable=SC2086
	"$B/luks2-init-reencrypt" -q -d key $fast --resilience "$m" a.img || exit 1
	# shellcheck disable=SC2046 # two numbers
	set -- $(measure "$B/hotzone-step" -q -d key --all a.img)
	ours_s=$1 ours_kb=$2
	cp base.img a.img
	# shellcheck disable=SC2086
	cryptsetup reencrypt --init-only $cs $fast --resilience "$m" a.img || exit 1
	# shellcheck disable=SC2086
	# shellcheck disable=SC2046 # two numbers
	set -- $(measure cryptsetup reencrypt --resume-only $cs a.img)
	cs_s=$1 cs_kb=$2
	awk -v m="$m" -v d="$data" -v os="$ours_s" -v cs="$cs_s" -v ok="$ours_kb" -v ck="$cs_kb" \
		'BEGIN { o = d / 1048576 / (os > 0 ? os : 0.01); c = d / 1048576 / (cs > 0 ? cs : 0.01);
		printf "%-9s %12.0f %12.0f %10.0f %10.0f %6.1fx\n", m, o, c, ok / 1024, ck / 1024, o / c }'
done
echo "($mb MiB of data in $dir, $(nproc) CPUs; cryptsetup $(cryptsetup --version | cut -d' ' -f2))"
