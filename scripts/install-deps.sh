#!/bin/sh
# Install the Debian packages luks2box needs to build and test.
# As root it runs apt-get; otherwise it prints the exact command.
set -u

BUILD="make gcc pkg-config libjson-c-dev libdevmapper-dev libkcapi-dev libssl-dev libargon2-dev uuid-dev libblkid-dev"
TEST="cryptsetup-bin libcryptsetup-dev jq xxd busybox-static cpio qemu-system-x86 kmod util-linux xz-utils dmsetup valgrind"

want="$BUILD"
case "${1:-all}" in
build) ;;
*) want="$BUILD $TEST" ;;
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
