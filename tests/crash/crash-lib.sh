# Crash tier helpers, sourced by tests/crash/*.test (bash).
#
# build/tests/killwrite.so (tests/crash/killwrite.c, "make test-progs") is
# LD_PRELOADed into one applet run and ends the process (_exit 137, page
# cache kept, like a crash of the process) right before the N-th write or
# sync on a file under the scratch directory (KILL_MODE=before), right after
# it (after), or after writing the first half of its buffer cut at a
# 512-byte boundary (torn). A reference run of each operation counts its
# kill points (KILL_COUNT_FILE) and logs them (KILL_LOG); then, for every N,
# a fresh copy of the prepared image is run with KILL_AT=N and recovered:
#
#   luks2-status -q: 11 -> luks2-recover (exit 0); 0 or 10 -> nothing;
#   hotzone-step --all (exit 10); luks2-status -q (exit 10); the final
#   plaintext (oracle_decrypt with the new volume key, or the raw bytes
#   after a decryption) is exactly the plaintext from before.
#
# Kill points inside luks2-init-reencrypt come first (init N, before its
# single commit the device must be as it was: state none and the old
# plaintext; then init is run again), then those of hotzone-step --all,
# which always starts from the same post-init image.
#
# KILL_MODE=after at call N leaves the same bytes on disk as KILL_MODE=before
# at call N+1 (nothing is written between two calls). The after sweep
# therefore hashes the crash image and, when it equals the image the before
# sweep recovered for N+1, reuses that verdict instead of recovering it
# again ("equivalent"); any other image (and every torn image not seen
# before) goes through the whole recovery. The summary line says how many
# points were equivalent.
#
# Environment: CRASH_JOBS (parallel workers, default 2), CRASH_STRIDE
# (test every k-th kill point only, default 1 = all), CRASH_KMODES (kill
# modes, default "before after torn"), CRASH_KEEP_FAILS (failing images kept
# per sweep, default 3), TMPDIR (default /dev/shm when writable: the runs are
# fsync-bound and a tmpfs keeps the tier within its time budget).

if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
T_NAME=crash
need cryptsetup
KW=$B/tests/killwrite.so
ORACLE=$B/tests/helpers/oracle_decrypt
[ -r "$KW" ] || skip_all "$KW not built (make test-progs)"
[ -x "$ORACLE" ] || skip_all "$ORACLE not built (make test-progs)"
[ -x "$B/hotzone-step" ] || skip_all "build/hotzone-step not built (run make)"

K=$T/key
mkpass "$K" "crash-tier-passphrase"
PFX=$(cd "$T" && pwd -P)/
JOBS=${CRASH_JOBS:-2}
STRIDE=${CRASH_STRIDE:-1}
KMODES=${CRASH_KMODES:-before after torn}
KEEP_FAILS=${CRASH_KEEP_FAILS:-3}
FAST=(--pbkdf pbkdf2 --pbkdf-force-iterations 1000)
MiB=1048576
CRASH_UUIDS=()

crash_cleanup() {
	local u
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	# the reencryption locks of our throwaway UUIDs (flock files, empty)
	for u in "${CRASH_UUIDS[@]}"; do
		rm -f "/run/cryptsetup/LN_LUKS2-reencryption-$u"
	done
	rm -rf "$T"
}
trap crash_cleanup EXIT

new_uuid() { cat /proc/sys/kernel/random/uuid; }

# ---------------------------------------------------------------- modes
# mode_setup NAME sets:
#   M_KIND   reencrypt | encrypt-header | encrypt-reduce | decrypt-detached |
#            decrypt-removal (how the image is prepared and how an
#            uncommitted init is checked and undone)
#   M_INIT   luks2-init-reencrypt options (the header option is added)
#   M_STEP   hotzone-step options
#   M_HDR    1 when a header file D/w.hdr is used (existing or created)
#   M_FINAL  "crypt SECTOR OFFSET LENGTH" or "linear OFFSET LENGTH"
#   M_OLD    the same for the data before init (crypt: key D/vk.old)
#   M_DEV    device size, M_FMT luksFormat options (cryptsetup formats)
mode_setup() {
	M_NAME=$1 M_HDR=0 M_FMT=() M_STEP=(--hotzone-size 2M)
	case $1 in
	reencrypt-checksum|reencrypt-journal)
		M_KIND=reencrypt M_DEV=$((12 * MiB))
		M_FMT=(--offset 8192 --sector-size 4096)
		M_INIT=(--resilience "${1#reencrypt-}")
		M_OLD="crypt 4096 $((4 * MiB)) $((8 * MiB))"
		M_FINAL="crypt 4096 $((4 * MiB)) $((8 * MiB))" ;;
	reencrypt-sector)
		M_KIND=reencrypt M_DEV=$((12 * MiB))
		M_FMT=(--offset 8192 --sector-size 512)
		M_INIT=(--resilience checksum --sector-size 4096 --force-offline-reencrypt)
		M_OLD="crypt 512 $((4 * MiB)) $((8 * MiB))"
		M_FINAL="crypt 4096 $((4 * MiB)) $((8 * MiB))" ;;
	encrypt-header-checksum|encrypt-header-journal)
		M_KIND=encrypt-header M_DEV=$((8 * MiB)) M_HDR=1
		M_INIT=(--encrypt --resilience "${1#encrypt-header-}" --luks2-keyslots-size 4M)
		M_OLD="linear 0 $((8 * MiB))"
		M_FINAL="crypt 512 0 $((8 * MiB))" ;;
	encrypt-reduce)
		# 12 MiB, R = 4 MiB: shift 2 MiB, 8 MiB of data at 2 MiB
		M_KIND=encrypt-reduce M_DEV=$((12 * MiB))
		M_INIT=(--encrypt --reduce-device-size 4M)
		M_OLD="linear 0 $((8 * MiB))"
		M_FINAL="crypt 512 $((2 * MiB)) $((8 * MiB))" ;;
	decrypt-detached)
		M_KIND=decrypt-detached M_DEV=$((8 * MiB)) M_HDR=1
		M_FMT=(--luks2-keyslots-size 4M --sector-size 4096)
		M_INIT=(--decrypt)
		M_OLD="crypt 4096 0 $((8 * MiB))"
		M_FINAL="linear 0 $((8 * MiB))" ;;
	decrypt-removal-checksum|decrypt-removal-journal)
		# data at 2 MiB: the moved segment is 2 MiB, then 3 shifted chunks
		M_KIND=decrypt-removal M_DEV=$((10 * MiB)) M_HDR=1
		M_INIT=(--decrypt)
		if [ "$1" = decrypt-removal-journal ]; then
			M_INIT+=(--resilience journal)
			M_FMT=(--offset 4096 --sector-size 4096)
			M_OLD="crypt 4096 $((2 * MiB)) $((8 * MiB))"
		else
			M_FMT=(--offset 4096 --sector-size 512)
			M_OLD="crypt 512 $((2 * MiB)) $((8 * MiB))"
		fi
		M_FINAL="linear 0 $((8 * MiB))" ;;
	*) echo "unknown crash mode $1" >&2; return 1 ;;
	esac
}

# ---------------------------------------------------------------- helpers
# All per-worker state lives in a directory D: pre.* (before init), post.*
# (after init), w.* (the working copy), vk.old, vk.new, pt.sha, uuid.

hargs() { [ "$M_HDR" = 1 ] && [ -e "$1/w.hdr" ] && echo "--header $1/w.hdr"; }

# snap D FROM TO: copy the image set FROM.* to TO.* inside D.
snap() {
	rm -f "$1/$3.img" "$1/$3.hdr"
	cp "$1/$2.img" "$1/$3.img" || return 1
	[ ! -e "$1/$2.hdr" ] || cp "$1/$2.hdr" "$1/$3.hdr"
}

state_hash() { cat "$1/w.img" "$1/w.hdr" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# st D [--no-header]: exit code of luks2-status -q on the working copy.
st() {
	local h
	[ "${2:-}" = --no-header ] || h=$(hargs "$1")
	# shellcheck disable=SC2086
	luks2-status -q $h "$1/w.img" >/dev/null 2>&1
	echo $?
}

# spec_sha D SPEC VKFILE: sha256 of the plaintext that SPEC describes.
spec_sha() {
	local d=$1 vk=$3
	set -- $2
	if [ "$1" = crypt ]; then
		"$ORACLE" aes-xts-plain64 "$vk" "$2" "$3" "$4" "$d/w.img" | sha256sum | cut -d' ' -f1
	else
		sha_range "$d/w.img" "$2" "$3"
	fi
}

# dump_vk D OUT: the volume key of the working copy's keyslot (cryptsetup).
dump_vk() {
	local h=$1/w.img
	[ "$M_HDR" = 1 ] && [ -e "$1/w.hdr" ] && h=$1/w.hdr
	rm -f "$2"
	cryptsetup luksDump --disable-locks -q --dump-volume-key --volume-key-file "$2" \
		--key-file "$K" "$h" >/dev/null 2>&1
}

# run_init D [VAR=VALUE...]: luks2-init-reencrypt on the working copy.
run_init() {
	local d=$1 h=() u=()
	shift
	[ "$M_HDR" = 1 ] && h=(--header "$d/w.hdr")
	case $M_KIND in encrypt-*) u=(--uuid "$(cat "$d/uuid")") ;; esac
	env "$@" luks2-init-reencrypt -q -d "$K" "${FAST[@]}" "${h[@]}" "${u[@]}" \
		"${M_INIT[@]}" "$d/w.img" >>"$d/out" 2>&1
}

# run_step D [VAR=VALUE...]: hotzone-step --all on the working copy.
run_step() {
	local d=$1
	shift
	# shellcheck disable=SC2046
	env "$@" hotzone-step -q -d "$K" $(hargs "$d") "${M_STEP[@]}" --all "$d/w.img" \
		>>"$d/out" 2>&1
}

kill_env() {	# kill_env D N KMODE
	echo "LD_PRELOAD=$KW KILL_PATH_PREFIX=$PFX KILL_AT=$2 KILL_MODE=$3"
}

# prep D UUID: the image before init (pre.*), vk.old, pt.sha.
prep() {
	local d=$1 u=$2 h=()
	mkdir -p "$d"
	echo "$u" >"$d/uuid"
	rm -f "$d"/w.*
	case $M_KIND in
	encrypt-*)
		head -c "$M_DEV" /dev/urandom >"$d/w.img" ;;
	*)
		truncate -s "$M_DEV" "$d/w.img"
		if [ "$M_KIND" = decrypt-detached ]; then
			truncate -s 8M "$d/w.hdr"
			h=(--header "$d/w.hdr")
		fi
		cryptsetup luksFormat --type luks2 --disable-locks -q "${FAST[@]}" \
			--key-file "$K" --uuid "$u" "${M_FMT[@]}" "${h[@]}" "$d/w.img" \
			>"$d/out" 2>&1 || return 1
		set -- $M_OLD
		dd if=/dev/urandom of="$d/w.img" bs=4096 seek=$(($3 / 4096)) count=$(($4 / 4096)) \
			conv=notrunc status=none
		dump_vk "$d" "$d/vk.old" || return 1 ;;
	esac
	spec_sha "$d" "$M_OLD" "$d/vk.old" >"$d/pt.sha"
	if [ "$M_KIND" = encrypt-reduce ]; then
		# the first shift bytes are moved to the end by init
		sha_range "$d/w.img" 0 $((2 * MiB)) >"$d/head.sha"
	fi
	snap "$d" w pre
}

# reference D: one whole run counting the kill points; post.*, vk.new.
reference() {
	local d=$1 rc
	snap "$d" pre w
	run_init "$d" LD_PRELOAD="$KW" KILL_PATH_PREFIX="$PFX" KILL_COUNT_FILE="$d/n.init" \
		KILL_LOG="$d/log.init"
	rc=$?
	[ $rc -eq 0 ] || { echo "reference luks2-init-reencrypt exit $rc: $(tail -n 2 "$d/out")"; return 1; }
	snap "$d" w post
	run_step "$d" LD_PRELOAD="$KW" KILL_PATH_PREFIX="$PFX" KILL_COUNT_FILE="$d/n.step" \
		KILL_LOG="$d/log.step"
	rc=$?
	[ $rc -eq 10 ] || { echo "reference hotzone-step --all exit $rc: $(tail -n 2 "$d/out")"; return 1; }
	[ "$(st "$d")" = 10 ] || { echo "reference run: state is not none at the end"; return 1; }
	if [ "${M_FINAL%% *}" = crypt ]; then
		dump_vk "$d" "$d/vk.new" || { echo "cannot dump the new volume key"; return 1; }
	fi
	[ "$(spec_sha "$d" "$M_FINAL" "$d/vk.new")" = "$(cat "$d/pt.sha")" ] ||
		{ echo "reference run: plaintext differs"; return 1; }
	return 0
}

# recover_run D VK: the recovery sequence after a kill. Returns false with the
# reason in WHY. Sets ST (luks2-status -q right after the kill).
recover_run() {
	local d=$1 vk=$2 rc
	ST=$(st "$d")
	case $ST in
	11)
		# shellcheck disable=SC2046
		luks2-recover -q -d "$K" $(hargs "$d") "$d/w.img" >>"$d/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || { WHY="luks2-recover exit $rc (state crash): $(tail -n 1 "$d/out")"; return 1; } ;;
	0|10) ;;
	*) WHY="luks2-status -q exit $ST after the kill"; return 1 ;;
	esac
	run_step "$d"
	rc=$?
	[ $rc -eq 10 ] || { WHY="hotzone-step --all exit $rc (state after the kill: $ST): $(tail -n 1 "$d/out")"; return 1; }
	rc=$(st "$d")
	[ "$rc" = 10 ] || { WHY="luks2-status -q exit $rc at the end, want 10 (none)"; return 1; }
	if [ -z "$vk" ] && [ "${M_FINAL%% *}" = crypt ]; then
		vk=$d/vk.run
		dump_vk "$d" "$vk" || { WHY="cryptsetup cannot dump the new volume key at the end"; return 1; }
	fi
	[ "$(spec_sha "$d" "$M_FINAL" "$vk")" = "$(cat "$d/pt.sha")" ] ||
		{ WHY="final plaintext differs (state after the kill: $ST)"; return 1; }
	return 0
}

# undo_init D: after a kill inside luks2-init-reencrypt before its commit:
# check that nothing is lost and put the device back the way it was, so
# that init can run again (false with the reason in WHY). Sets WINDOW=1 when the device itself was already
# changed (the documented windows: encrypt --reduce-device-size between
# the first write to the device head and the commit; header removal between
# the first moved chunk and the commit).
undo_init() {
	local d=$1 s
	WINDOW=0
	case $M_KIND in
	reencrypt|decrypt-detached)
		s=$(st "$d")
		[ "$s" = 10 ] || { WHY="state $s after an uncommitted init, want 10 (none)"; return 1; }
		[ "$(spec_sha "$d" "$M_OLD" "$d/vk.old")" = "$(cat "$d/pt.sha")" ] ||
			{ WHY="old plaintext changed by an uncommitted init"; return 1; } ;;
	encrypt-header)
		[ "$(spec_sha "$d" "$M_OLD" "")" = "$(cat "$d/pt.sha")" ] ||
			{ WHY="plaintext changed by an uncommitted init"; return 1; }
		rm -f "$d/w.hdr" ;;
	encrypt-reduce)
		if [ "$(spec_sha "$d" "$M_OLD" "")" != "$(cat "$d/pt.sha")" ]; then
			# window: the head is being overwritten; its copy is at the end
			[ "$(sha_range "$d/w.img" $((M_DEV - 2 * MiB)) $((2 * MiB)))" = "$(cat "$d/head.sha")" ] ||
				{ WHY="plaintext changed and no intact copy of the first 2 MiB at the device end"; return 1; }
			dd if="$d/w.img" of="$d/w.img" bs=1M skip=$((M_DEV / MiB - 2)) count=2 \
				conv=notrunc status=none
			WINDOW=1
			[ "$(spec_sha "$d" "$M_OLD" "")" = "$(cat "$d/pt.sha")" ] ||
				{ WHY="plaintext beyond the first 2 MiB changed by an uncommitted init"; return 1; }
		fi ;;
	decrypt-removal)
		s=$(st "$d" --no-header)
		if [ "$s" != 10 ]; then
			# window: the device head holds moved data; the exported
			# header file must be whole and describe intact data
			[ -e "$d/w.hdr" ] && [ "$(st "$d")" = 10 ] ||
				{ WHY="device header gone (status $s) and no usable exported header"; return 1; }
			[ "$(spec_sha "$d" "$M_OLD" "$d/vk.old")" = "$(cat "$d/pt.sha")" ] ||
				{ WHY="data behind the exported header changed"; return 1; }
			dd if="$d/w.hdr" of="$d/w.img" bs=1M conv=notrunc status=none
			WINDOW=1
			[ "$(st "$d" --no-header)" = 10 ] ||
				{ WHY="header restored from the exported file is not usable"; return 1; }
		fi
		rm -f "$d/w.hdr"
		[ "$(spec_sha "$d" "$M_OLD" "$d/vk.old")" = "$(cat "$d/pt.sha")" ] ||
			{ WHY="old plaintext changed by an uncommitted init"; return 1; } ;;
	esac
	return 0
}

# point D PHASE N KMODE: one kill point. Prints "verdict detail" where
# verdict is ok, eqv or FAIL; before sweeps of hotzone-step also record
# "N crash-image-hash verdict" in D/hash.before.
point() {
	local d=$1 ph=$2 n=$3 km=$4 rc h= vk=$1/vk.new memo pre=
	: >"$d/out"
	WINDOW=0 ST=- WHY=
	if [ "$ph" = init ]; then
		snap "$d" pre w
		# shellcheck disable=SC2046
		run_init "$d" $(kill_env "$d" "$n" "$km")
		rc=$?
		[ $rc -eq 137 ] || { echo "FAIL kill point not reached (init exit $rc)"; return; }
		if [ "$(st "$d")" != 0 ]; then
			undo_init "$d" || { echo "FAIL uncommitted init: $WHY"; return; }
			run_init "$d"
			rc=$?
			[ $rc -eq 0 ] || { echo "FAIL init run again after the kill: exit $rc: $(tail -n 1 "$d/out")"; return; }
			pre=none
		fi
		vk=
	else
		snap "$d" post w
		# shellcheck disable=SC2046
		run_step "$d" $(kill_env "$d" "$n" "$km")
		rc=$?
		[ $rc -eq 137 ] || { echo "FAIL kill point not reached (hotzone-step exit $rc)"; return; }
		h=$(state_hash "$d")
		if [ "$km" != before ]; then
			memo=$(grep -m1 " $h " "$d/hash.before" 2>/dev/null)
			if [ -n "$memo" ]; then
				if [ "${memo##* }" = ok ]; then
					echo "eqv same image as before-${memo%% *}"
				else
					echo "FAIL same image as before-${memo%% *}, which failed"
				fi
				return
			fi
		fi
	fi
	if recover_run "$d" "$vk"; then
		WHY="ok state=${pre:-$ST} window=$WINDOW"
	else
		WHY="FAIL $WHY"
	fi
	[ "$ph" = step ] && [ "$km" = before ] && echo "$n $h ${WHY%% *}" >>"$d/hash.before"
	echo "$WHY"
}

# points_of D PHASE KMODE: the kill points of one phase (torn: only writes
# of at least 1024 bytes; a shorter write or a sync is not torn).
points_of() {
	local n
	n=$(cat "$1/n.$2")
	if [ "$3" = torn ]; then
		awk '$2 ~ /write/ && $5 >= 1024 { print $1 }' "$1/log.$2"
	else
		seq 1 "$n"
	fi | awk -v s="$STRIDE" -v n="$n" '(NR - 1) % s == 0 || $1 == n'
}

# worker W KMODE LIST: run the points "PHASE N" listed in file LIST in
# worker directory W; results in W/res.KMODE ("PHASE N verdict detail").
worker() {
	local d=$1 km=$2 ph n
	: >"$d/res.$km"
	while read -r ph n; do
		echo "$ph $n $(point "$d" "$ph" "$n" "$km")" >>"$d/res.$km"
	done <"$3"
}

# keep_fail D PHASE N KMODE WHY: replay the kill into
# /tmp/luks2box-crash-fail-MODE-KMODE-N with the crash image, the log of
# writes up to the kill, luks2-status --json and the reproduction.
keep_fail() {
	local d=$1 ph=$2 n=$3 km=$4 why=$5 f h
	f=/tmp/luks2box-crash-fail-$M_NAME-$km-$ph$n
	rm -rf "$f"
	mkdir -p "$f"
	: >"$d/out"
	if [ "$ph" = init ]; then
		snap "$d" pre w
		# shellcheck disable=SC2046
		run_init "$d" $(kill_env "$d" "$n" "$km") KILL_LOG="$f/kill.log"
	else
		snap "$d" post w
		cp "$d/post.img" "$f/post.img"
		[ ! -e "$d/post.hdr" ] || cp "$d/post.hdr" "$f/post.hdr"
		# shellcheck disable=SC2046
		run_step "$d" $(kill_env "$d" "$n" "$km") KILL_LOG="$f/kill.log"
	fi
	cp "$d/w.img" "$f/crash.img"
	[ ! -e "$d/w.hdr" ] || cp "$d/w.hdr" "$f/crash.hdr"
	cp "$K" "$f/key"
	cp "$d/pt.sha" "$f/"
	[ ! -e "$d/vk.old" ] || cp "$d/vk.old" "$f/"
	[ ! -e "$d/vk.new" ] || cp "$d/vk.new" "$f/"
	h=$(hargs "$d")
	# shellcheck disable=SC2086
	luks2-status --json $h "$d/w.img" >"$f/status.json" 2>&1
	# shellcheck disable=SC2086
	luks2-status $h "$d/w.img" >"$f/status.txt" 2>&1
	{
		echo "mode $M_NAME, kill mode $km, phase $ph, kill point $n"
		echo "failure: $why"
		echo "init options: ${M_INIT[*]}; hotzone-step options: ${M_STEP[*]} --all"
		echo "final plaintext: $M_FINAL (sha256 in pt.sha)"
		echo "crash.img/crash.hdr: the image right after the kill; post.*: before hotzone-step"
		echo "kill.log: the counted writes and syncs up to the kill (N op path offset length)"
		echo "reproduce: cp post.img w.img; LD_PRELOAD=$KW KILL_PATH_PREFIX=\$PWD/ KILL_AT=$n" \
			"KILL_MODE=$km hotzone-step -d key ${h:+--header w.hdr }${M_STEP[*]} --all w.img"
	} >"$f/README"
	echo "$f"
}

# sweep NAME: every kill point of mode NAME for each kill mode in KMODES;
# one PASS or FAIL line per kill mode.
sweep() {
	local name=$1 w d ni ns lo hi km ph n v rest total bad first kept tally
	local -a dirs=()
	mode_setup "$name" || { fail "$name" "unknown mode"; return; }
	for ((w = 0; w < JOBS; w++)); do
		d=$T/$name.$w
		dirs+=("$d")
		CRASH_UUIDS+=("$(new_uuid)")
		(
			prep "$d" "${CRASH_UUIDS[-1]}" || { echo "prep failed: $(tail -n 2 "$d/out")" >"$d/ref.err"; exit 1; }
			reference "$d" >"$d/ref.err" || exit 1
		) &
	done
	if ! wait_all; then
		fail "$name: reference run" "$(cat "${dirs[0]}/ref.err" "${dirs[-1]}/ref.err" | head -n 2 | tr '\n' ' ')"
		return
	fi
	ni=$(cat "${dirs[0]}/n.init") ns=$(cat "${dirs[0]}/n.step")
	for d in "${dirs[@]}"; do
		if [ "$(cat "$d/n.init") $(cat "$d/n.step")" != "$ni $ns" ]; then
			fail "$name: reference run" "kill point counts differ between workers" \
				"($ni $ns vs $(cat "$d/n.init") $(cat "$d/n.step"))"
			return
		fi
	done
	for km in $KMODES; do
		# init points round robin; step points in contiguous ranges, the
		# after sweep shifted down by one so N+1 was swept by the same worker
		for ((w = 0; w < JOBS; w++)); do
			d=${dirs[$w]}
			points_of "$d" init "$km" | awk -v j="$JOBS" -v w="$w" '(NR - 1) % j == w { print "init", $1 }' >"$d/list"
			lo=$((w * ns / JOBS + 1)) hi=$(((w + 1) * ns / JOBS))
			if [ "$km" = after ]; then
				lo=$((lo - 1)); [ $lo -ge 1 ] || lo=1
				[ $w -eq $((JOBS - 1)) ] || hi=$((hi - 1))
			fi
			points_of "$d" step "$km" | awk -v lo="$lo" -v hi="$hi" '$1 >= lo && $1 <= hi { print "step", $1 }' >>"$d/list"
			[ "$km" != before ] || rm -f "$d/hash.before"
			worker "$d" "$km" "$d/list" &
		done
		wait_all
		total=0 bad=0 first= kept=0 tally=
		while read -r ph n v rest; do
			total=$((total + 1))
			case $v in
			ok|eqv) ;;
			*)
				bad=$((bad + 1))
				if [ $kept -lt "$KEEP_FAILS" ]; then
					d=$(grep -l "^$ph $n " "${dirs[@]/%//res.$km}" | head -n1)
					d=${d%/res.*}
					rest="$rest [kept in $(keep_fail "$d" "$ph" "$n" "$km" "$rest")]"
					kept=$((kept + 1))
				fi
				[ -n "$first" ] || first="$ph kill point $n: $rest"
				;;
			esac
		done < <(cat "${dirs[@]/%//res.$km}" | sort -k1,1 -k2,2n)
		tally=$(cat "${dirs[@]/%//res.$km}" | awk '
			$3 == "eqv" { e++ } $3 == "ok" { split($4, a, "="); s[a[2]]++ }
			$5 == "window=1" { win++ }
			END {
				printf "%d recovered from a crash state, %d clean, %d finished", s[11], s[0], s[10]
				if (s["none"]) printf ", %d before the init commit", s["none"]
				if (win) printf " (%d in the init window)", win
				if (e) printf ", %d equivalent to a before point", e
			}')
		if [ "$total" -eq 0 ]; then
			fail "$name/$km" "no kill points"
		elif [ $bad -eq 0 ]; then
			pass "$name/$km: survived $total of $total kill points (init $(cat "${dirs[@]/%//list}" | grep -c '^init'), $tally)"
		else
			fail "$name/$km: survived $((total - bad)) of $total kill points" "first failure: $first"
		fi
	done
}

# wait_all: wait for every background job; false when one failed.
wait_all() {
	local p r=0
	for p in $(jobs -p); do
		wait "$p" || r=1
	done
	return $r
}
