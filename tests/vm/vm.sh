#!/bin/bash
# Run a shell command line as root inside a qemu VM booting Debian's own
# kernel, with the host's root filesystem mounted (9p) and chrooted into.
#
#   tests/vm/vm.sh [-v] [--timeout SECS] CMD...
#   tests/vm/vm.sh --prepare
#
# CMD... is joined with spaces and run by bash (like ssh), in the same
# directory as on the host; build/luks2box, /usr/sbin/cryptsetup and the
# tests are at the same paths. /tmp, /run, /dev, /proc and /sys are the
# VM's own (tmpfs, devtmpfs, ...). CI is passed in when set, and
# LUKS2BOX_IN_VM=1 is set. CMD's stdout and stderr come out on our stdout;
# the VM's console (kernel messages) goes to build/vm/last-console.log and
# its dmesg to build/vm/last-dmesg.log (-v prints the console to stderr).
#
# Exit status: CMD's; 77 when the VM cannot be had here (no qemu, no
# kernel package); 124 when the VM was killed after the timeout (default
# 600 s); 125 when it stopped without giving an exit status (panic, bad
# setup). --prepare only fetches the kernel and builds the initramfs (0
# ready, 77 unavailable, 1 error); it is what "vm-image" means.
#
# The kernel (newest linux-image-6.1.0-NN-amd64 apt knows of) is fetched
# with apt-get download and unpacked under build/vm/, never installed;
# --refresh looks for a newer one. The initramfs (busybox-static and the
# modules in VM_MODULES with their dependencies) is rebuilt only when its
# inputs change. VM_APPEND adds to the kernel command line.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VMDIR=$TOP/build/vm
# Loaded at boot, in this order, after their dependencies. Nothing else
# loads: module autoloading is off in the VM (it costs seconds per cipher
# under emulation and would pick the AVX variants); add what a test needs.
VM_MODULES="virtio_pci 9pnet_virtio 9p dm-mod dm-crypt dm-delay dm-flakey
	af_alg algif_skcipher algif_hash crypto_user ecb cbc xts essiv aesni_intel
	serpent_generic twofish_common twofish_generic
	sha512_generic rmd160 wp512 streebog_generic loop"
BUSYBOX=/bin/busybox

timeout=600 prepare=0 refresh=0 verbose=0
say() { echo "vm.sh: $*" >&2; }
usage() {
	sed -n '2,/^set -u/{/^#/s/^# \{0,1\}//p}' "$0" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--timeout=*) timeout=${1#*=}; shift ;;
	--prepare|--vm-image) prepare=1; shift ;;
	--refresh) refresh=1; shift ;;
	-v|--verbose) verbose=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) say "unknown option $1"; usage ;;
	*) break ;;
	esac
done
case $timeout in '' | *[!0-9]*) say "bad --timeout '$timeout'"; exit 1 ;; esac
[ $prepare = 1 ] || [ $# -gt 0 ] || usage

# unavailable WHY: the VM cannot run on this machine.
unavailable() { say "unavailable: $*"; exit 77; }

# The newest unpacked kernel tree under build/vm, or nothing.
cached_kernel() {
	local d
	for d in "$VMDIR"/linux-image-*/.unpacked; do
		[ -e "$d" ] && dirname "$d"
	done | sort -V | tail -n 1
}

# The cached .deb of package $1, or nothing.
cached_deb() {
	local f
	for f in "$VMDIR/deb/${1}_"*.deb; do [ -e "$f" ] && echo "$f"; done | tail -n 1
}

# The linux-image-6.1.0-NN-amd64 packages apt knows of, newest first.
list_kernels() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null |
		cut -d' ' -f1 | sort -rV
}

# Download and unpack the newest linux-image-6.1.0-NN-amd64 apt knows of.
fetch_kernel() {
	local pkgs p deb tree old
	pkgs=$(list_kernels)
	if [ -z "$pkgs" ] && [ "$(id -u)" = 0 ]; then
		say "no kernel package known to apt; apt-get update"
		apt-get update -qq >"$VMDIR/apt.log" 2>&1
		pkgs=$(list_kernels)
	fi
	[ -n "$pkgs" ] || return 1
	mkdir -p "$VMDIR/deb" || return 1
	for p in $(echo "$pkgs" | head -n 3); do
		tree=$VMDIR/$p
		[ -e "$tree/.unpacked" ] && { echo "$tree"; return 0; }
		deb=$(cached_deb "$p")
		if [ -z "$deb" ]; then
			say "downloading $p (apt-get download)"
			(cd "$VMDIR/deb" && apt-get download -q "$p") >"$VMDIR/apt.log" 2>&1 ||
				{ say "apt-get download $p failed (see $VMDIR/apt.log)"; continue; }
			deb=$(cached_deb "$p")
			[ -n "$deb" ] || continue
		fi
		say "unpacking $(basename "$deb")"
		rm -rf "$tree.tmp"
		dpkg-deb -x "$deb" "$tree.tmp" || { rm -rf "$tree.tmp"; continue; }
		depmod -b "$tree.tmp" "${p#linux-image-}" || { rm -rf "$tree.tmp"; continue; }
		rm -rf "$tree" && mv "$tree.tmp" "$tree" && touch "$tree/.unpacked" || return 1
		# Keep one kernel: drop older trees and packages.
		for old in "$VMDIR"/linux-image-* "$VMDIR"/deb/linux-image-*.deb; do
			case $old in "$tree" | "$deb") ;; *) rm -rf "$old" ;; esac
		done
		echo "$tree"
		return 0
	done
	return 1
}

# resolve_modules MODDIR NAME...: module paths (relative to MODDIR), each
# after its dependencies; built-in modules are left out.
resolve_modules() {
	local moddir=$1
	shift
	awk -v want="$*" '
	function norm(s) { sub(/.*\//, "", s); sub(/\.ko(\.[a-z]+)?$/, "", s); gsub(/-/, "_", s); return s }
	function visit(p,   i, n, d) {
		if (p in done) return
		done[p] = 1
		n = split(deps[p], d, " ")
		for (i = 1; i <= n; i++) visit(d[i])
		print p
	}
	FILENAME ~ /modules\.builtin$/ { builtin[norm($0)] = 1; next }
	{ p = $1; sub(/:$/, "", p); path[norm(p)] = p; $1 = ""; deps[p] = $0 }
	END {
		n = split(want, w, /[ \t\n]+/)
		for (i = 1; i <= n; i++) {
			m = w[i]; gsub(/-/, "_", m)
			if (m == "") continue
			if (m in path) visit(path[m])
			else if (!(m in builtin)) { print "missing " w[i] > "/dev/stderr"; bad = 1 }
		}
		exit bad
	}' "$moddir/modules.builtin" "$moddir/modules.dep"
}

# The VM's /init (busybox sh). From the kernel command line, in its
# environment: vmrun (the run directory) and vmtok (the output markers).
init_script() {
	cat <<'EOF'
#!/bin/busybox sh
# luks2box vm tier /init, generated by tests/vm/vm.sh
/bin/busybox mkdir -p /proc /sys /dev /host /vmrun /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
# No module autoloading: requests fail at once.
echo >/proc/sys/kernel/modprobe
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
bye() { echo "VMEXIT=$1"; sync; poweroff -f; sleep 5; }
while read -r m; do
	insmod "/modules/$m" || echo "vm-init: insmod $m failed"
done </modules/load-order
echo "vm-init: modules loaded at $(cut -d' ' -f1 /proc/uptime) s"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose hostroot /host ||
	{ echo "vm-init: cannot mount the host root"; bye 125; }
# The run directory stays reachable even when the tmpfs below hides it.
mount --bind "/host$vmrun" /vmrun || { echo "vm-init: no /host$vmrun"; bye 125; }
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm
# a checkout under /tmp (a CI clone) must stay visible: share the host's /tmp
case $vmrun in
/tmp/*) ;;
*) mount -t tmpfs -o mode=1777 tmpfs /host/tmp ;;
esac
mount -t tmpfs -o mode=755 tmpfs /host/run
stty -F /dev/ttyS1 raw -echo
echo "vm-init: command starts at $(cut -d' ' -f1 /proc/uptime) s"
echo "VMSTART=$vmtok" >/dev/ttyS1
{
	chroot /host /usr/bin/env -i /bin/bash -c "$(cat /vmrun/cmd)" vm </dev/null 2>&1
	echo $? >/rc
} | cat >/dev/ttyS1
rc=$(cat /rc 2>/dev/null || echo 125)
echo "VMEND=$vmtok" >/dev/ttyS1
stty -F /dev/ttyS1 raw	# waits until the output is sent
echo "$rc" >/vmrun/exit
dmesg >/vmrun/dmesg
bye "$rc"
EOF
}

# extract_vmlinux BZIMAGE OUT: the uncompressed ELF kernel, which qemu
# boots directly (PVH entry); this saves the ~5 s the emulated CPU takes to
# unpack an xz bzImage. Debian's 6.1 kernels are xz-compressed.
extract_vmlinux() {
	local off
	command -v xz >/dev/null 2>&1 || return 1
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	# xz complains about the data after the stream; the output is whole.
	tail -c +$((off + 1)) "$1" | xz -dc >"$2.tmp" 2>/dev/null
	if [ "$(head -c 4 "$2.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		mv "$2.tmp" "$2"
	else
		rm -f "$2.tmp"
		return 1
	fi
}

# Fetch the kernel and (re)build the initramfs when its inputs changed.
prepare_image() {
	local t kernel kver moddir mods sum stage m
	for t in qemu-system-x86_64 cpio depmod dpkg-deb apt-get flock timeout; do
		command -v "$t" >/dev/null 2>&1 ||
			unavailable "$t not installed (run scripts/install-deps.sh)"
	done
	[ -x "$BUSYBOX" ] || unavailable "no $BUSYBOX (install busybox-static)"
	if ldd "$BUSYBOX" >/dev/null 2>&1; then
		unavailable "$BUSYBOX is not static (install busybox-static)"
	fi
	mkdir -p "$VMDIR" || exit 1
	exec 9>"$VMDIR/.lock"
	flock 9 || exit 1
	kernel=$(cached_kernel)
	if [ -z "$kernel" ] || [ $refresh = 1 ]; then
		kernel=$(fetch_kernel) ||
			unavailable "cannot get linux-image-6.1.0-*-amd64 with apt-get download"
	fi
	kver=${kernel##*/linux-image-}
	moddir=$kernel/lib/modules/$kver
	[ -f "$kernel/boot/vmlinuz-$kver" ] || { say "no vmlinuz in $kernel"; exit 1; }
	# shellcheck disable=SC2086
	mods=$(resolve_modules "$moddir" $VM_MODULES) || { say "modules missing in $kver"; exit 1; }
	sum=$( { echo "$kernel"; echo "$mods"; init_script; sha256sum "$BUSYBOX"; } | sha256sum | cut -d' ' -f1)
	if [ ! -e "$kernel/vmlinux" ]; then
		extract_vmlinux "$kernel/boot/vmlinuz-$kver" "$kernel/vmlinux" ||
			ln -s "boot/vmlinuz-$kver" "$kernel/vmlinux"
	fi
	ln -sfn "$kernel/vmlinux" "$VMDIR/vmlinux"
	if [ -f "$VMDIR/initramfs.cpio" ] && [ "$(cat "$VMDIR/initramfs.sum" 2>/dev/null)" = "$sum" ]; then
		return 0
	fi
	say "building the initramfs for $kver"
	stage=$VMDIR/initramfs.tmp
	rm -rf "$stage"
	mkdir -p "$stage/bin" "$stage/sbin" "$stage/dev" "$stage/modules" || exit 1
	cp "$BUSYBOX" "$stage/bin/busybox" || exit 1
	init_script >"$stage/init"
	chmod 755 "$stage/init"
	mknod "$stage/dev/console" c 5 1 2>/dev/null
	for m in $mods; do
		cp "$moddir/$m" "$stage/modules/" || exit 1
		basename "$m" >>"$stage/modules/load-order"
	done
	# Not compressed: gunzip in the emulated CPU costs a second.
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
		>"$VMDIR/initramfs.tmp.cpio" || exit 1
	mv "$VMDIR/initramfs.tmp.cpio" "$VMDIR/initramfs.cpio" && echo "$sum" >"$VMDIR/initramfs.sum"
	rm -rf "$stage"
}

prepare_image
exec 9>&-
[ $prepare = 1 ] && exit 0

# One directory per run: the command, its exit status, logs.
case $TOP in *[!A-Za-z0-9_./+-]*) say "unsupported characters in $TOP"; exit 1 ;; esac
run=$(mktemp -d "$VMDIR/run.XXXXXX") || exit 1
tok=$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')
{
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/root LC_ALL=C LUKS2BOX_IN_VM=1 TMPDIR=/dev/shm"
	[ -n "${CI+set}" ] && echo "export CI=$(printf '%q' "$CI")"
	printf 'cd -- %q || { echo "vm.sh: %s is not visible in the VM"; exit 125; }\n' "$PWD" "$PWD"
	printf '%s\n' "$*"
} >"$run/cmd"

start=$(date +%s.%N)
{
	timeout -k 5 "$timeout" qemu-system-x86_64 -machine q35 -cpu max -m 2048 -smp 2 \
		-nodefaults -display none -monitor none -no-reboot \
		-kernel "$VMDIR/vmlinux" -initrd "$VMDIR/initramfs.cpio" \
		-append "console=ttyS0 quiet panic=-1 ${VM_APPEND:-} vmrun=$run vmtok=$tok" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,multidevs=remap \
		-serial "file:$run/console" -serial stdio \
		</dev/null 2>"$run/qemu.err"
	echo $? >"$run/qemu.rc"
} | {
	# Pass through what lies between VMSTART and VMEND on ttyS1.
	state=0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line//$'\r'/}
		case $state,$line in
		0,*"VMSTART=$tok") state=1; date +%s.%N >"$run/t.start" ;;
		1,*"VMEND=$tok"*)
			line=${line%%"VMEND=$tok"*}
			[ -n "$line" ] && printf '%s\n' "$line"
			state=2; date +%s.%N >"$run/t.end" ;;
		1,*) printf '%s\n' "$line" ;;
		esac
	done
}
end=$(date +%s.%N)
qrc=$(cat "$run/qemu.rc" 2>/dev/null || echo 125)
tr -d '\r' <"$run/console" >"$VMDIR/last-console.log" 2>/dev/null
cp "$run/dmesg" "$VMDIR/last-dmesg.log" 2>/dev/null
if [ $verbose = 1 ]; then
	cat "$VMDIR/last-console.log" >&2
	t1=$(cat "$run/t.start" 2>/dev/null || echo "$end")
	t2=$(cat "$run/t.end" 2>/dev/null || echo "$end")
	say "$(awk "BEGIN { printf \"boot %.1f s, command %.1f s, power off %.1f s\", \
		$t1 - $start, $t2 - $t1, $end - $t2 }")"
fi

rc=
if [ -s "$run/exit" ]; then
	rc=$(cat "$run/exit")
else
	rc=$(sed -n 's/^VMEXIT=\([0-9]*\)$/\1/p' "$VMDIR/last-console.log" | tail -n 1)
fi
if [ -n "$rc" ]; then
	[ -e "$run/t.end" ] || say "the command's output may be cut short"
	[ "$qrc" = 124 ] && say "the VM did not power off after the command"
	rm -rf "$run"
	exit "$rc"
fi
if [ "$qrc" = 124 ]; then
	say "timed out after $timeout s; VM killed (logs in $run)"
	rc=124
else
	say "the VM stopped without an exit status (qemu exit $qrc; logs in $run)"
	rc=125
fi
head -c 2000 "$run/qemu.err" >&2
tail -n 30 "$VMDIR/last-console.log" >&2
exit $rc
