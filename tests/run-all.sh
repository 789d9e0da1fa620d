#!/bin/bash
# Run the named test tiers (lint unit cli interop crash vm san valgrind) and print
# one total. Each tier is a directory under tests/; unit runs the binaries
# built by "make test-progs", the others run every *.test file in their
# directory. san runs unit, cli and the interop files in SAN_INTEROP on the
# ASan+UBSan build in build/san ("make SAN=1 test-progs"); san-full runs every
# unit, cli and interop file there except those that LD_PRELOAD killwrite.so
# (ASan must come first in the preload list).
#
# Each file's wall time follows its output ("--- LABEL: N s") and the
# slowest files are listed at the end. When vm is named beside other tiers,
# it runs in the background from the start, followed there by fuzz if named
# (the host tiers' tests mostly run one process at a time and leave a core
# to qemu), and that lane's output is printed whole when the other tiers
# are done; VM_BG=0 runs every tier in its place instead.
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
log=$(mktemp)
times=$(mktemp)
vmout=$(mktemp -d)
trap 'rm -rf "$log" "$times" "$vmout"; [ -z "$vm_pid" ] || kill "$vm_pid" 2>/dev/null' EXIT
files_failed=0 vm_pid=

run_one() {	# run_one LABEL CMD...
	local rc label=$1 t0=$SECONDS
	echo "=== $label"
	shift
	"$@" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	case $rc in
	0|77) ;;
	*) echo "FAIL: $label: exited $rc" | tee -a "$log"; files_failed=$((files_failed + 1)) ;;
	esac
	echo "--- $label: $((SECONDS - t0)) s"
	echo "$((SECONDS - t0)) $label" >>"$times"
}

run_unit() {	# run_unit RUNNER LABEL_PREFIX BUILD_DIR
	local t
	for t in "$3"/tests/*; do
		case $(basename "$t") in cs_*|*.so) continue ;; esac
		[ -f "$t" ] && [ -x "$t" ] && "$1" "$2unit/$(basename "$t")" "$t"
	done
}

# --- sanitizer tiers --------------------------------------------------------
# The interop sample of the san tier: the files that reach most of the code
# (every operation, resilience mode and layout, the refusals' error paths,
# the status parser on reencryption metadata) in about 2 minutes of CPU.
SAN_INTEROP=${SAN_INTEROP:-reencrypt-modes reencrypt-layout reencrypt-refuse status-reenc roundtrip}
SAN_DIR=$TOP/build/san

# san_one LABEL CMD...: run_one with ASan's and LSan's reports written to
# files, so that a finding fails the file even where a test only expects a
# non-zero exit; every report is printed. GCC's UBSan runtime ignores
# log_path next to ASan: its findings abort (exit 134, which fails any test
# that expects a given exit code) and are looked for in the output as well.
san_one() {
	local r label=$1 from
	shift
	rm -rf "$SAN_DIR/reports" && mkdir -p "$SAN_DIR/reports" || exit 1
	from=$(($(wc -l <"$log") + 1))
	run_one "$label" "$@"
	if tail -n "+$from" "$log" | grep -q 'runtime error:'; then
		echo "FAIL: $label: UBSan finding in the output" | tee -a "$log"
		files_failed=$((files_failed + 1))
	fi
	for r in "$SAN_DIR"/reports/*; do
		[ -e "$r" ] || continue
		cat "$r"
		echo "FAIL: $label: sanitizer report $(basename "$r")" | tee -a "$log"
		files_failed=$((files_failed + 1))
	done
}

run_san() {	# run_san all|sample
	local t f n
	if [ ! -x "$SAN_DIR/luks2box" ]; then
		echo "FAIL: san: build/san not built (make SAN=1 test-progs)" | tee -a "$log"
		files_failed=$((files_failed + 1))
		return
	fi
	export LUKS2BOX_BUILD=$SAN_DIR
	export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$SAN_DIR/reports/asan"
	export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$SAN_DIR/reports/ubsan"
	run_unit san_one san/ "$SAN_DIR"
	for t in tests/cli/*.test tests/interop/*.test; do
		n=$(basename "$t" .test)
		case $t in
		tests/interop/*)
			grep -q 'killwrite\|LD_PRELOAD' "$t" && continue
			if [ "$1" = sample ]; then
				for f in $SAN_INTEROP; do [ "$f" = "$n" ] && break; done
				[ "$f" = "$n" ] || continue
			fi ;;
		esac
		san_one "san/${t#tests/}" bash "$t"
	done
	unset LUKS2BOX_BUILD ASAN_OPTIONS UBSAN_OPTIONS
}
# --- end of the sanitizer tiers ---------------------------------------------

run_tier() {	# run_tier TIER
	local t
	case $1 in
	unit) run_unit run_one "" build ;;
	lint) run_one lint scripts/lint.sh ;;
	san) run_san sample ;;
	san-full) run_san all ;;
	*)
		for t in tests/"$1"/*.test; do
			[ -e "$t" ] || continue
			run_one "$1/$(basename "$t")" bash "$t"
		done ;;
	esac
}

for tier in "$@"; do
	case $tier in
	unit|lint|san|san-full) ;;
	*) [ -d "tests/$tier" ] || { echo "no tier $tier" >&2; exit 1; } ;;
	esac
done
# The background lane: vm, then fuzz (fixed-time, niced) when both are
# named, so that the host lane does not wait for it.
bg=
if [ $# -gt 1 ] && [ "${VM_BG:-1}" = 1 ]; then
	for tier in "$@"; do [ "$tier" = vm ] && bg=vm; done
	if [ -n "$bg" ]; then
		for tier in "$@"; do [ "$tier" = fuzz ] && bg="vm fuzz"; done
	fi
	[ "$bg" = "vm fuzz" ] && [ $# -eq 2 ] && bg=
fi
inbg() { [[ " $bg " == *" $1 "* ]]; }
if [ -n "$bg" ]; then
	# its own log, times and count, merged below
	(log=$vmout/log times=$vmout/times files_failed=0
	 : >"$log"; : >"$times"
	 for tier in $bg; do run_tier "$tier"; done >"$vmout/out" 2>&1
	 echo "$files_failed" >"$vmout/failed") &
	vm_pid=$!
	echo "=== $bg: running in the background; the output follows the other tiers"
fi
for tier in "$@"; do
	inbg "$tier" || run_tier "$tier"
done
if [ -n "$bg" ]; then
	wait "$vm_pid"
	vm_pid=
	cat "$vmout/out"
	cat "$vmout/log" >>"$log" && cat "$vmout/times" >>"$times"
	files_failed=$((files_failed + $(cat "$vmout/failed" 2>/dev/null || echo 1)))
fi

p=$(grep -c '^PASS' "$log"); f=$(grep -c '^FAIL' "$log"); s=$(grep -c '^SKIP' "$log")
echo
echo "slowest files (s):"
sort -rn "$times" | head -n 12 | sed 's/^/  /'
grep '^FAIL' "$log"
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ] && [ "$files_failed" -eq 0 ]
