#!/bin/bash
# Run the named test tiers (unit cli interop crash vm) and print one total.
# Each tier is a directory under tests/; unit runs the binaries built by
# "make test-progs", the others run every *.test file in their directory.
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
files_failed=0

run_one() {	# run_one LABEL CMD...
	local rc label=$1
	echo "=== $label"
	shift
	"$@" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	case $rc in
	0|77) ;;
	*) echo "FAIL: $label: exited $rc" | tee -a "$log"; files_failed=$((files_failed + 1)) ;;
	esac
}

for tier in "$@"; do
	case $tier in
	unit)
		for t in build/tests/*; do
			case $(basename "$t") in cs_*|*.so) continue ;; esac
			[ -f "$t" ] && [ -x "$t" ] && run_one "unit/$(basename "$t")" "$t"
		done ;;
	*)
		[ -d "tests/$tier" ] || { echo "no tier $tier" >&2; exit 1; }
		for t in tests/"$tier"/*.test; do
			[ -e "$t" ] || continue
			run_one "$tier/$(basename "$t")" bash "$t"
		done ;;
	esac
done

p=$(grep -c '^PASS' "$log"); f=$(grep -c '^FAIL' "$log"); s=$(grep -c '^SKIP' "$log")
echo
grep '^FAIL' "$log"
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ] && [ "$files_failed" -eq 0 ]
