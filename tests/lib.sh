# Shared shell test helpers, sourced by tests/*/*.test (bash).
# Each check prints one line: "PASS: name", "FAIL: name: why" or
# "SKIP: name: why". tests/run-all.sh counts those lines.
# A test file exits 1 if any check failed, 77 if it skipped as a whole.

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# LUKS2BOX_BUILD picks another build directory, e.g. build/san (make SAN=1;
# tests/run-all.sh san sets it).
B=${LUKS2BOX_BUILD:-$TOP/build}
PATH=$B:$PATH
export PATH TOP B
T_FAILED=0
T_NAME=$(basename "$0" .test)

# A scratch directory per test file, removed on exit.
T=$(mktemp -d "${TMPDIR:-/tmp}/luks2box-$T_NAME.XXXXXX")
trap 'rm -rf "$T"' EXIT

pass() { echo "PASS: $T_NAME: $1"; }
fail() {
	local f
	echo "FAIL: $T_NAME: $1${2:+: $2}"
	# backtrace, as cryptsetup's tests do with bash caller
	local i=0
	while f=$(caller $i); do echo "    at $f"; i=$((i + 1)); done
	T_FAILED=1
}
skip() { echo "SKIP: $T_NAME: $1${2:+: $2}"; }
# skip_all REASON: the whole file cannot run here (exit 77).
skip_all() { skip all "$1"; exit 77; }
finish() { exit "$T_FAILED"; }

# check NAME CMD...: pass when CMD exits 0.
check() {
	local name=$1; shift
	if "$@" >"$T/.out" 2>&1; then pass "$name"; else
		fail "$name" "exit $? from: $* ($(head -c 300 "$T/.out" | tr '\n' ' '))"
	fi
}

# expect_rc NAME CODE CMD...: pass when CMD exits with CODE.
expect_rc() {
	local name=$1 want=$2 rc; shift 2
	"$@" >"$T/.out" 2>"$T/.err"; rc=$?
	if [ "$rc" -eq "$want" ]; then pass "$name"; else
		fail "$name" "exit $rc, want $want: $* ($(head -c 300 "$T/.err" | tr '\n' ' '))"
	fi
}

# testcmd NAME "ARGS" "EXPECTED_STDOUT" (toybox style, no input file)
testcmd() {
	local out
	out=$(eval "$2" 2>"$T/.err")
	if [ "$out" = "$3" ]; then pass "$1"; else
		fail "$1" "got '$(echo "$out" | head -c 200)' want '$(echo "$3" | head -c 200)'"
	fi
}

# need CMD...: skip the file when a tool is missing (fail under CI).
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [ -n "${CI:-}" ]; then
			fail "need $c" "not installed (run scripts/install-deps.sh)"
			finish
		fi
		skip_all "$c not installed"
	done
}

# have_py MODULE: python3 imports MODULE (Debian's python3-MODULE, which
# scripts/install-deps.sh installs); false otherwise, and a FAIL under CI.
have_py() {
	python3 -c "import $1" 2>/dev/null && return 0
	[ -n "${CI:-}" ] && fail "need python3 $1" "not installed (run scripts/install-deps.sh)"
	return 1
}

# A passphrase file with the given text and no newline.
mkpass() { printf '%s' "$2" >"$1"; }

# cryptsetup on image files without device-mapper, AF_ALG or locks.
CS_FAST="--pbkdf pbkdf2 --pbkdf-force-iterations 1000"
cs() { cryptsetup --disable-locks --batch-mode "$@"; }

# sha256 of a file range: sha_range FILE OFFSET LENGTH (bytes, 4K aligned)
sha_range() {
	dd if="$1" bs=4096 skip=$(($2 / 4096)) count=$(($3 / 4096)) status=none |
		sha256sum | cut -d' ' -f1
}
