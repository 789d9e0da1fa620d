# shellcheck shell=bash
# Shared by the online vm tests (tests/vm/online.test, online-init.test,
# wrapper-online.test, online-interop.test, online-faults.test,
# online-kernel.test), sourced in the VM after tests/lib.sh and
# tests/vm/lib-vm.sh: scratch devices and their cleanup, the writer
# (tests/helpers/pattern_io.c) on the active device, lanes (one per
# virtual CPU), and the sampler that looks for secrets in every
# process's /proc/PID/cmdline and /proc/PID/environ during a run.
# The callers set K (passphrase file), DM (the lane's device name prefix),
# and may define cleanup_pre (their own processes and mounts, undone
# first by cleanup).

export DM_DISABLE_UDEV=1
# shellcheck disable=SC2034 # used by the test files
F=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
PIO=$B/tests/helpers/pattern_io
LOOPS='' MAPS='' WRITER='' SAMPLER=''

# A lane's dm devices go top first: an active device, its helpers, then
# the devices under it (MAPS holds them in the order they were made).
cleanup() {
	local m l rev=''
	! declare -F cleanup_pre >/dev/null || cleanup_pre
	[ -n "$WRITER" ] && kill "$WRITER" 2>/dev/null
	[ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
	for m in $MAPS; do rev="$m $rev"; done
	for m in $rev; do
		for l in "$m-hotzone-forward" "$m-hotzone-backward" "$m-overlay"; do
			[ -e "/dev/mapper/$l" ] || continue
			dmsetup load "$l" --table "0 $(blockdev --getsz "/dev/mapper/$l") error" 2>/dev/null
			dmsetup resume "$l" 2>/dev/null
		done
		dmsetup resume "$m" 2>/dev/null
		cryptsetup close "$m" 2>/dev/null
		for l in "$m" "$m-overlay" "$m-hotzone-forward" "$m-hotzone-backward"; do
			dmsetup remove "$l" 2>/dev/null
		done
	done
	for l in $LOOPS; do losetup -d "$l" 2>/dev/null; done
}

run() {
	local name=$1 rc
	shift
	"$@" </dev/null >"$T/.run" 2>&1 && return 0
	rc=$?
	fail "$name" "exit $rc from: $* ($(tail -c 300 "$T/.run" | tr '\n' ' '))"
	return 1
}

# rc_is NAME CODE CMD...: CMD exits with CODE (stderr in $T/.err).
rc_is() {
	local name=$1 want=$2 rc
	shift 2
	"$@" </dev/null >"$T/.out" 2>"$T/.err"
	rc=$?
	[ "$rc" -eq "$want" ] && { pass "$name"; return 0; }
	fail "$name" "exit $rc, want $want: $* ($(tail -c 400 "$T/.err" | tr '\n' ' '))"
	return 1
}
sha() { sha256sum "$@" | cut -d' ' -f1; }
state() { luks2-status -o state "$@" 2>/dev/null; }
unmap() { MAPS=${MAPS/ $1/}; }
# unloop: detach $LOOP (a scenario done with it).
unloop() {
	losetup -d "$LOOP"
	LOOPS=${LOOPS/ $LOOP/}
}

# mkloop NAME FILE: a loop device of FILE in $LOOP.
mkloop() {
	LOOP=$(losetup -f --show "$2") || { fail "$1: losetup"; return 1; }
	LOOPS="$LOOPS $LOOP"
}

# writer_start NAME: the writer on /dev/mapper/$DM, done with its first fill
# (writer_launch: started; writer_ready NAME: the fill done).
writer_start() { writer_launch && writer_ready "$1"; }
writer_launch() {
	rm -f "$T/ready" "$T/stop"
	"$PIO" "/dev/mapper/$DM" "$T/ready" "$T/stop" >"$T/writer.out" 2>"$T/writer.err" &
	WRITER=$!
}
writer_ready() {
	for _ in $(seq 120); do
		[ -e "$T/ready" ] && return 0
		kill -0 "$WRITER" 2>/dev/null || break
		sleep 1
	done
	fail "$1: writer ready" "$(cat "$T/writer.err")"
	return 1
}

# writer_done NAME: stop the writer; zero mismatches (its last pass reads
# every block it knows back: the exact bytes it wrote).
writer_done() {
	local rc
	touch "$T/stop"
	timeout 120 tail --pid="$WRITER" -f /dev/null
	wait "$WRITER"
	rc=$?
	WRITER=''
	if [ "$rc" -eq 0 ] && grep -q 'mismatches=0$' "$T/writer.out"; then
		pass "$1: writer: $(cat "$T/writer.out")"
	else
		fail "$1: writer" "exit $rc: $(cat "$T/writer.out") $(head -c 300 "$T/writer.err")"
	fi
}

# reopen NAME DEV [--header HDR]: the bytes $DM gives are the same after
# cryptsetup close + open of DEV, no helper is left, the metadata is final;
# then $DM is closed. Compared over the size $DM had: after an encryption
# with --reduce-device-size the active device keeps the size of the data
# encrypted (cryptsetup 2.6.1 likewise reloads it with the reencryption's
# device size, lib/luks2/luks2_reencrypt.c reencrypt_teardown_ok), a new
# open maps the whole data segment.
reopen() {
	local name=$1 dev=$2 a b n
	shift 2
	n=$(blockdev --getsize64 "/dev/mapper/$DM")
	a=$(sha "/dev/mapper/$DM")
	testcmd "$name: no helper device left" \
		"dmsetup ls | grep -c '^$DM-\\(overlay\\|hotzone\\)'" 0
	run "$name: cryptsetup close" cryptsetup close "$DM" || return 1
	run "$name: cryptsetup open" cryptsetup open "$@" --key-file "$K" "$dev" "$DM" || return 1
	b=$(head -c "$n" "/dev/mapper/$DM" | sha)
	testcmd "$name: cryptsetup close + open read the same bytes" "echo $b" "$a"
	testcmd "$name: state" "state $* $dev" none
	run "$name: cryptsetup close (end)" cryptsetup close "$DM" && unmap "$DM"
}

# one_error NAME FILE PATTERN: FILE (a run's stderr) has exactly one error
# line, and it matches PATTERN (grep -E).
one_error() {
	local n
	n=$(grep -c 'error:' "$2")
	if [ "$n" = 1 ] && grep 'error:' "$2" | grep -qE "$3"; then
		pass "$1: one error line: $(grep 'error:' "$2")"
	else
		fail "$1: one error line matching '$3'" "$n: $(head -c 600 "$2" | tr '\n' '|')"
	fi
}

# --- Secrets in /proc ---------------------------------------------------------

# vk_hex DEV OUT [cryptsetup options]: the hex of DEV's volume key
# (cryptsetup luksDump --dump-volume-key) appended to the secrets list OUT.
vk_hex() {
	local dev=$1 out=$2
	shift 2
	cryptsetup luksDump --dump-volume-key --batch-mode "$@" --key-file "$K" \
		--volume-key-file "$T/vk.bin" "$dev" >/dev/null 2>&1 || return 1
	xxd -p "$T/vk.bin" | tr -d '\n' >>"$out"
	echo >>"$out"
	rm -f "$T/vk.bin"
}

# sampler_start FILE: until sampler_stop, every 100 ms, the NUL-separated
# words of every process's cmdline and environ (one a line, each sample
# deduplicated) are appended to FILE; FILE.seen counts the samples that
# saw a process whose argv[0] is hotzone-step. The patterns are never
# put on a command line: grep -f reads them from a file.
sampler_start() {
	local out=$1
	: >"$out"
	rm -f "$out.stop"
	(
		n=0
		while [ ! -e "$out.stop" ]; do
			cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null |
				tr '\0' '\n' | sort -u >"$out.cur"
			grep -q '\(^\|/\)hotzone-step$' "$out.cur" && n=$((n + 1))
			cat "$out.cur" >>"$out"
			sleep 0.1
		done
		echo "$n" >"$out.seen"
	) &
	SAMPLER=$!
}
sampler_stop() {
	touch "$1.stop"
	wait "$SAMPLER"
	SAMPLER=''
}

# no_secrets NAME SAMPLES SECRETS: no line of SECRETS (the passphrase, key
# hex) appears in the samples (case-insensitive), and the samples saw
# hotzone-step at least once.
no_secrets() {
	local name=$1 s=$2 sec=$3 seen
	seen=$(cat "$s.seen" 2>/dev/null || echo 0)
	if [ "$seen" -lt 1 ]; then
		fail "$name: /proc sampled while hotzone-step ran" "no sample saw it"
	elif grep -aqiF -f "$sec" "$s"; then
		fail "$name: no secret in /proc/*/cmdline or environ" \
			"found in $(grep -aciF -f "$sec" "$s") sampled words"
	else
		pass "$name: no secret in /proc/*/cmdline or environ ($seen samples saw hotzone-step, $(wc -l <"$sec") secrets looked for)"
	fi
}

# sampler_control NAME SECRETS: the sampler does find a secret: a process
# with the first secret in its environ and the last on its command line
# (a bash that waits for its sleep: one that exec'ed it would drop its $0).
sampler_control() {
	local name=$1 sec=$2 pid s=$T/control found=0
	head -n 1 "$sec" >"$s.first"
	tail -n 1 "$sec" >"$s.last"
	sampler_start "$s"
	L2B_CONTROL=$(head -n 1 "$sec") bash -c 'sleep 60 & echo $! >"$1"; wait' \
		"$(tail -n 1 "$sec")" "$s.pid" &
	pid=$!
	for _ in $(seq 150); do
		grep -aqiF -f "$s.first" "$s" && grep -aqiF -f "$s.last" "$s" && found=1 && break
		sleep 0.1
	done
	[ -s "$s.pid" ] && kill "$(cat "$s.pid")"
	wait "$pid" 2>/dev/null
	sampler_stop "$s"
	if [ "$found" = 1 ]; then
		pass "$name: control: the sampler finds a secret in environ and on a command line"
	else
		fail "$name: control: the sampler finds a secret" "$(wc -l <"$s") words sampled"
	fi
	rm -f "$s"*
}

# --- Lanes ----------------------------------------------------------------------

LANES=''
# lane NAME FUNCTION...: the functions in a subshell of their own, with T,
# DM, LOOPS, MAPS, WRITER and SAMPLER of its own, in the background.
lane() {
	local name=$1
	shift
	mkdir "$T/$name" || { fail "lane $name" "mkdir"; return; }
	# shellcheck disable=SC2030,SC2031
	(
		T=$T/$name DM=$DM-$name LOOPS='' MAPS='' WRITER='' SAMPLER=''
		trap cleanup EXIT
		# shellcheck disable=SC2086
		for f in "$@"; do
			s=$SECONDS
			$f
			echo "# $f: $((SECONDS - s)) s"
		done
		exit "$T_FAILED"
	) >"$T/$name.log" 2>&1 </dev/null &
	LANES="$LANES $name:$!"
}
lanes_wait() {
	local l
	for l in $LANES; do
		wait "${l#*:}" || T_FAILED=1
		# shellcheck disable=SC2031
		cat "$T/${l%%:*}.log"
	done
}
