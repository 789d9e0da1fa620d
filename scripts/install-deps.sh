#!/bin/sh
# The Debian packages luks2box needs.
#   install-deps.sh [build|all]   install what is missing of the build set or
#                                 of everything (default): as root through
#                                 apt-get; otherwise print the exact command
#   install-deps.sh list [build|all]   print the package names, one a line
#   install-deps.sh check         probe the C compiler ($CC, default cc) for
#                                 each build library (header and -l); name
#                                 the package of any missing one (make runs
#                                 this before the first compile)
set -u

BUILD="make gcc pkg-config libjson-c-dev libdevmapper-dev libkcapi-dev libssl-dev libargon2-dev uuid-dev libblkid-dev"
# The test tiers; qemu, busybox-static and cpio only for the vm tier,
# cppcheck and clang-tidy for the lint tier (make lint).
TEST="cryptsetup-bin libcryptsetup-dev clang libclang-rt-dev jq xxd e2fsprogs busybox-static cpio qemu-system-x86 kmod util-linux xz-utils dmsetup valgrind python3-pexpect python3-cryptography cppcheck clang-tidy"
# header, library, package: what the Makefile compiles and links against
LIBS="json-c/json.h:json-c:libjson-c-dev openssl/evp.h:crypto:libssl-dev
kcapi.h:kcapi:libkcapi-dev argon2.h:argon2:libargon2-dev uuid/uuid.h:uuid:uuid-dev
blkid/blkid.h:blkid:libblkid-dev"

check() {
	cc=${CC:-cc}
	tmp=$(mktemp -d) || exit 1
	missing=""
	for l in $LIBS; do
		h=${l%%:*} p=${l##*:} lib=${l#*:}
		lib=${lib%%:*}
		printf '#include <%s>\nint main(void) { return 0; }\n' "$h" >"$tmp/probe.c"
		# shellcheck disable=SC2086 # CC may carry flags, as in make
		$cc -o "$tmp/probe" "$tmp/probe.c" "-l$lib" >"$tmp/log" 2>&1 && continue
		if ! command -v "${cc%% *}" >/dev/null 2>&1; then
			echo "luks2box: no C compiler '$cc': install gcc (scripts/install-deps.sh build)" >&2
			rm -rf "$tmp"
			exit 1
		fi
		echo "luks2box: missing <$h> or -l$lib: Debian package $p" >&2
		sed -n '/error/{s/^/  /p;q}' "$tmp/log" >&2
		missing="$missing $p"
	done
	rm -rf "$tmp"
	[ -z "$missing" ] && exit 0
	echo "luks2box: install it with scripts/install-deps.sh build (as root), or: apt-get install$missing" >&2
	exit 1
}

want="$BUILD $TEST"
case "${1:-all}" in
check) check ;;
list)
	[ "${2:-all}" = build ] && want=$BUILD
	# shellcheck disable=SC2086 # one name a line
	printf '%s\n' $want
	exit 0 ;;
build) want=$BUILD ;;
all) ;;
*) echo "usage: install-deps.sh [build|all] | list [build|all] | check" >&2; exit 1 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing" >&2
	echo "install-deps: run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
