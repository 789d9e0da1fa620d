# Crash tier helpers, sourced by tests/crash/*.test (bash).
#
# build/tests/killwrite.so (tests/crash/killwrite.c, "make test-progs") is
# LD_PRELOADed into one applet run and ends the process (_exit 137, page
# cache kept, like a crash of the process) right before the N-th write or
# sync on a file under the scratch directory (KILL_MODE=before), right after
# it (after), or after writing the first half of its buffer cut at a
# 512-byte boundary (torn); powercut.test also undoes writes not yet
# synced (KILL_MODE=powercut, see killwrite.c). A reference run of each
# operation counts its kill points (KILL_COUNT_FILE) and logs them
# (KILL_LOG); then, for every N,
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
# Environment: CRASH_JOBS (parallel workers, default nproc, at most 8), CRASH_STRIDE
# (test every k-th kill point only, default 1 = all), CRASH_KMODES (kill
# modes, default "before torn"; "after" adds the kill right after each
# call, mostly equivalent to "before" of the next one), CRASH_KEEP_FAILS (failing images kept
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
JOBS=${CRASH_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=2
[ "$JOBS" -le 8 ] || JOBS=8
STRIDE=${CRASH_STRIDE:-1}
KMODES=${CRASH_KMODES:-before torn}
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
	reencrypt-none)
		# no crash safety by design: only for the signal tests
		M_KIND=reencrypt M_DEV=$((12 * MiB))
		M_FMT=(--offset 8192 --sector-size 4096)
		M_INIT=(--resilience none)
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
		M_MOVED=$((2 * MiB)) M_COPY=$((10 * MiB))
		M_OLD="linear 0 $((8 * MiB))"
		M_FINAL="crypt 512 $((2 * MiB)) $((8 * MiB))" ;;
	encrypt-reduce-big)
		# 12 MiB, R = 10 MiB: shift 5 MiB, 2 MiB of data (less than the
		# shift): all of it is the moved segment, copied to 7 MiB
		M_KIND=encrypt-reduce M_DEV=$((12 * MiB))
		M_INIT=(--encrypt --reduce-device-size 10M)
		M_MOVED=$((2 * MiB)) M_COPY=$((7 * MiB))
		M_OLD="linear 0 $((2 * MiB))"
		M_FINAL="crypt 512 $((5 * MiB)) $((2 * MiB))" ;;
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
# (after init), w.* (the working copy; w.hdr is the header file of modes
# with one), pt (the plaintext), vk.old, vk.new, uuid. The helpers avoid
# subshells: a kill point costs about ten program runs, nothing more.

# set_ha D: HA=(--header D/w.hdr) when the mode has a header file and it
# exists, else ().
set_ha() {
	HA=()
	[ "$M_HDR" = 1 ] && [ -e "$1/w.hdr" ] && HA=(--header "$1/w.hdr")
	return 0
}

# snap D FROM TO: copy the image set FROM.* to TO.* inside D.
snap() {
	[ ! -e "$1/$3.hdr" ] || rm -f "$1/$3.hdr"
	cp "$1/$2.img" "$1/$3.img" || return 1
	[ ! -e "$1/$2.hdr" ] || cp "$1/$2.hdr" "$1/$3.hdr"
}

# state_hash D: sets H to the hashes of the working image (and header).
state_hash() {
	local a b
	{ read -r a _; read -r b _; } < <(sha256sum "$1/w.img" "$1/w.hdr" 2>/dev/null)
	H=$a${b:+-$b}
}

# status D [--no-header]: S = exit code of luks2-status -q on the working copy.
status() {
	set_ha "$1"
	[ "${2:-}" != --no-header ] || HA=()
	luks2-status -q "${HA[@]}" "$1/w.img" >/dev/null 2>&1
	S=$?
}

# is_pt D SPEC VKFILE: the plaintext that SPEC describes equals D/pt.
is_pt() {
	local d=$1 vk=$3
	# shellcheck disable=SC2086
	set -- $2
	if [ "$1" = crypt ]; then
		"$ORACLE" aes-xts-plain64 "$vk" "$2" "$3" "$4" "$d/w.img" | cmp -s - "$d/pt"
	else
		cmp -s -n "$3" -i "$2:0" "$d/w.img" "$d/pt"
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

# The killwrite settings of the next run_init/run_step: kill_set AT MODE
# [COUNTFILE LOGFILE]; kill_off for a run without the library.
kill_set() { KL_PRE=$KW KL_AT=$1 KL_MODE=$2 KL_COUNT=${3:-} KL_LOG=${4:-}; }
kill_off() { KL_PRE='' KL_AT='' KL_MODE='' KL_COUNT='' KL_LOG=''; }
kill_off

# run_init D: luks2-init-reencrypt on the working copy.
run_init() {
	local d=$1 h=() u=() uuid
	[ "$M_HDR" = 1 ] && h=(--header "$d/w.hdr")
	case $M_KIND in encrypt-*) read -r uuid <"$d/uuid"; u=(--uuid "$uuid") ;; esac
	LD_PRELOAD=$KL_PRE KILL_PATH_PREFIX=$PFX KILL_AT=$KL_AT KILL_MODE=$KL_MODE \
	KILL_COUNT_FILE=$KL_COUNT KILL_LOG=$KL_LOG \
		luks2-init-reencrypt -q -d "$K" "${FAST[@]}" "${h[@]}" "${u[@]}" \
		"${M_INIT[@]}" "$d/w.img" >>"$d/out" 2>&1
}

# run_step D: hotzone-step --all on the working copy.
run_step() {
	set_ha "$1"
	LD_PRELOAD=$KL_PRE KILL_PATH_PREFIX=$PFX KILL_AT=$KL_AT KILL_MODE=$KL_MODE \
	KILL_COUNT_FILE=$KL_COUNT KILL_LOG=$KL_LOG \
		hotzone-step -q -d "$K" "${HA[@]}" "${M_STEP[@]}" --all "$1/w.img" >>"$1/out" 2>&1
}

lastline() { tail -n 1 "$1/out" | tr -d '\n'; }

# prep D UUID: the image before init (pre.*), vk.old, pt.
prep() {
	local d=$1 uuid=$2 h=()
	mkdir -p "$d"
	echo "$uuid" >"$d/uuid"
	rm -f "$d"/w.*
	case $M_KIND in
	encrypt-*)
		# a test file may define crash_plaintext BYTES (its own data)
		if declare -F crash_plaintext >/dev/null; then
			crash_plaintext "$M_DEV" >"$d/w.img"
		else
			head -c "$M_DEV" /dev/urandom >"$d/w.img"
		fi ;;
	*)
		truncate -s "$M_DEV" "$d/w.img"
		if [ "$M_KIND" = decrypt-detached ]; then
			truncate -s 8M "$d/w.hdr"
			h=(--header "$d/w.hdr")
		fi
		cryptsetup luksFormat --type luks2 --disable-locks -q "${FAST[@]}" \
			--key-file "$K" --uuid "$uuid" "${M_FMT[@]}" "${h[@]}" "$d/w.img" \
			>"$d/out" 2>&1 || return 1
		# shellcheck disable=SC2086
		set -- $M_OLD
		dd if=/dev/urandom of="$d/w.img" bs=4096 seek=$(($3 / 4096)) count=$(($4 / 4096)) \
			conv=notrunc status=none
		dump_vk "$d" "$d/vk.old" || return 1 ;;
	esac
	# shellcheck disable=SC2086
	set -- $M_OLD
	if [ "$1" = crypt ]; then
		"$ORACLE" aes-xts-plain64 "$d/vk.old" "$2" "$3" "$4" "$d/w.img" >"$d/pt" || return 1
	else
		head -c "$3" "$d/w.img" >"$d/pt"
	fi
	if [ "$M_KIND" = encrypt-reduce ]; then
		# init moves the first M_MOVED bytes to M_COPY
		head -c "$M_MOVED" "$d/w.img" >"$d/head"
	fi
	snap "$d" w pre
}

# reference D: one whole run counting the kill points; post.*, vk.new.
reference() {
	local d=$1 rc
	snap "$d" pre w
	kill_set "" before "$d/n.init" "$d/log.init"
	run_init "$d"
	rc=$?
	[ $rc -eq 0 ] || { echo "reference luks2-init-reencrypt exit $rc: $(lastline "$d")"; return 1; }
	snap "$d" w post
	kill_set "" before "$d/n.step" "$d/log.step"
	run_step "$d"
	rc=$?
	kill_off
	[ $rc -eq 10 ] || { echo "reference hotzone-step --all exit $rc: $(lastline "$d")"; return 1; }
	status "$d"
	[ "$S" = 10 ] || { echo "reference run: state is not none at the end ($S)"; return 1; }
	if [ "${M_FINAL%% *}" = crypt ]; then
		dump_vk "$d" "$d/vk.new" || { echo "cannot dump the new volume key"; return 1; }
	fi
	is_pt "$d" "$M_FINAL" "$d/vk.new" || { echo "reference run: plaintext differs"; return 1; }
	if declare -F crash_final_check >/dev/null && ! crash_final_check "$d"; then
		echo "reference run: $WHY"
		return 1
	fi
	return 0
}

# recover_run D VK: the recovery sequence after a kill. Returns false with
# the reason in WHY. Sets ST (luks2-status -q right after the kill).
recover_run() {
	local d=$1 vk=$2 rc
	status "$d"
	ST=$S
	case $ST in
	11)
		luks2-recover -q -d "$K" "${HA[@]}" "$d/w.img" >>"$d/out" 2>&1
		rc=$?
		[ $rc -eq 0 ] || { WHY="luks2-recover exit $rc (state crash): $(lastline "$d")"; return 1; } ;;
	0|10) ;;
	*) WHY="luks2-status -q exit $ST after the kill"; return 1 ;;
	esac
	run_step "$d"
	rc=$?
	[ $rc -eq 10 ] || { WHY="hotzone-step --all exit $rc (state after the kill: $ST): $(lastline "$d")"; return 1; }
	status "$d"
	[ "$S" = 10 ] || { WHY="luks2-status -q exit $S at the end, want 10 (none)"; return 1; }
	if [ -z "$vk" ] && [ "${M_FINAL%% *}" = crypt ]; then
		vk=$d/vk.run
		dump_vk "$d" "$vk" || { WHY="cryptsetup cannot dump the new volume key at the end"; return 1; }
	fi
	is_pt "$d" "$M_FINAL" "$vk" || { WHY="final plaintext differs (state after the kill: $ST)"; return 1; }
	# a test file may define crash_final_check D (false with WHY set)
	if declare -F crash_final_check >/dev/null; then
		crash_final_check "$d" || { WHY="$WHY (state after the kill: $ST)"; return 1; }
	fi
	return 0
}

# undo_init D: after a kill inside luks2-init-reencrypt before its commit:
# check that nothing is lost and put the device back the way it was, so
# that init can run again (false with the reason in WHY). Sets WINDOW=1 when
# the device itself had already changed: the documented window of encrypt
# --reduce-device-size (from the first write to the device head until the
# new header's first copy is on disk, the first shift bytes of plaintext
# exist only in their copy at the device end), and that of header removal
# (the device head holds moved ciphertext; the exported header file, already
# synced, is the only header and still describes intact data).
undo_init() {
	local d=$1
	WINDOW=0
	case $M_KIND in
	reencrypt|decrypt-detached)
		status "$d"
		[ "$S" = 10 ] || { WHY="state $S after an uncommitted init, want 10 (none)"; return 1; }
		is_pt "$d" "$M_OLD" "$d/vk.old" || { WHY="old plaintext changed by an uncommitted init"; return 1; } ;;
	encrypt-header)
		is_pt "$d" "$M_OLD" "" || { WHY="plaintext changed by an uncommitted init"; return 1; }
		rm -f "$d/w.hdr" ;;
	encrypt-reduce)
		if ! is_pt "$d" "$M_OLD" ""; then
			cmp -s -n "$M_MOVED" -i "$M_COPY":0 "$d/w.img" "$d/head" ||
				{ WHY="plaintext changed and no intact copy of the moved bytes at $M_COPY"; return 1; }
			dd if="$d/w.img" of="$d/w.img" bs=1M skip=$((M_COPY / MiB)) count=$((M_MOVED / MiB)) \
				conv=notrunc status=none
			WINDOW=1
			is_pt "$d" "$M_OLD" "" ||
				{ WHY="plaintext beyond the moved bytes changed by an uncommitted init"; return 1; }
		fi ;;
	decrypt-removal)
		status "$d" --no-header
		if [ "$S" != 10 ]; then
			[ -e "$d/w.hdr" ] || { WHY="device header gone (status $S) and no exported header"; return 1; }
			status "$d"
			[ "$S" = 10 ] || { WHY="device header gone and the exported header is not usable ($S)"; return 1; }
			is_pt "$d" "$M_OLD" "$d/vk.old" || { WHY="data behind the exported header changed"; return 1; }
			dd if="$d/w.hdr" of="$d/w.img" bs=1M conv=notrunc status=none
			WINDOW=1
			status "$d" --no-header
			[ "$S" = 10 ] || { WHY="header restored from the exported file is not usable ($S)"; return 1; }
		fi
		rm -f "$d/w.hdr"
		is_pt "$d" "$M_OLD" "$d/vk.old" || { WHY="old plaintext changed by an uncommitted init"; return 1; } ;;
	esac
	return 0
}

# point D PHASE N KMODE: one kill point; RES = "verdict detail" where
# verdict is ok, eqv or FAIL. Before sweeps of hotzone-step also record
# "N crash-image-hash verdict" in D/hash.before.
point() {
	local d=$1 ph=$2 n=$3 km=$4 rc vk=$1/vk.new memo pre=
	: >"$d/out"
	WINDOW=0 ST=- WHY='' H=''
	kill_set "$n" "$km"
	if [ "$ph" = init ]; then
		snap "$d" pre w
		run_init "$d"
		rc=$?
		kill_off
		[ $rc -eq 137 ] || { RES="FAIL kill point not reached (init exit $rc)"; return; }
		status "$d"
		if [ "$S" != 0 ]; then
			undo_init "$d" || { RES="FAIL uncommitted init: $WHY"; return; }
			run_init "$d"
			rc=$?
			[ $rc -eq 0 ] || { RES="FAIL init run again after the kill: exit $rc: $(lastline "$d")"; return; }
			pre=none
		fi
		vk=
	else
		snap "$d" post w
		run_step "$d"
		rc=$?
		kill_off
		[ $rc -eq 137 ] || { RES="FAIL kill point not reached (hotzone-step exit $rc)"; return; }
		state_hash "$d"
		if [ "$km" != before ] && [ -e "$d/hash.before" ]; then
			memo=$(grep -m1 " $H " "$d/hash.before")
			if [ -n "$memo" ]; then
				if [ "${memo##* }" = ok ]; then
					RES="eqv same image as before-${memo%% *}"
				else
					RES="FAIL same image as before-${memo%% *}, which failed"
				fi
				return
			fi
		fi
	fi
	if recover_run "$d" "$vk"; then
		RES="ok state=${pre:-$ST} window=$WINDOW"
	else
		RES="FAIL $WHY"
	fi
	[ "$ph" = step ] && [ "$km" = before ] && echo "$n $H ${RES%% *}" >>"$d/hash.before"
	return 0
}

# points_of D PHASE KMODE: the kill points of one phase (torn: only writes
# of at least 1024 bytes; a shorter write or a sync is not torn).
points_of() {
	local n
	read -r n <"$1/n.$2"
	if [ "$3" = torn ]; then
		awk '$2 ~ /write/ && $5 >= 1024 { print $1 }' "$1/log.$2"
	else
		seq 1 "$n"
	fi | awk -v s="$STRIDE" -v n="$n" '(NR - 1) % s == 0 || $1 == n'
}

# worker D KMODE LIST: run the points "PHASE N" listed in file LIST in
# worker directory D; results in D/res.KMODE ("PHASE N verdict detail").
worker() {
	local d=$1 km=$2 ph n
	: >"$d/res.$km"
	while read -r ph n; do
		point "$d" "$ph" "$n" "$km"
		echo "$ph $n $RES" >>"$d/res.$km"
	done <"$3"
}

# keep_fail D PHASE N KMODE WHY: replay the kill into
# /tmp/luks2box-crash-fail-MODE-KMODE-PHASEN with the crash image, the log
# of writes up to the kill, luks2-status --json and how to reproduce.
keep_fail() {
	local d=$1 ph=$2 n=$3 km=$4 why=$5 f
	f=/tmp/luks2box-crash-fail-$M_NAME-$km-$ph$n
	rm -rf "$f"
	mkdir -p "$f"
	: >"$d/out"
	kill_set "$n" "$km" "" "$f/kill.log"
	if [ "$ph" = init ]; then
		snap "$d" pre w
		cp "$d/pre.img" "$f/pre.img"
		[ ! -e "$d/pre.hdr" ] || cp "$d/pre.hdr" "$f/pre.hdr"
		run_init "$d"
	else
		snap "$d" post w
		cp "$d/post.img" "$f/post.img"
		[ ! -e "$d/post.hdr" ] || cp "$d/post.hdr" "$f/post.hdr"
		run_step "$d"
	fi
	kill_off
	cp "$d/w.img" "$f/crash.img"
	[ ! -e "$d/w.hdr" ] || cp "$d/w.hdr" "$f/crash.hdr"
	cp "$K" "$f/key"
	cp "$d/pt" "$f/plaintext"
	for v in vk.old vk.new log.init log.step; do
		[ ! -e "$d/$v" ] || cp "$d/$v" "$f/"
	done
	set_ha "$d"
	luks2-status --json "${HA[@]}" "$d/w.img" >"$f/status.json" 2>&1
	luks2-status "${HA[@]}" "$d/w.img" >"$f/status.txt" 2>&1
	{
		echo "mode $M_NAME, kill mode $km, phase $ph, kill point $n"
		echo "failure: $why"
		echo "init options: ${M_INIT[*]}; hotzone-step options: ${M_STEP[*]} --all"
		echo "final plaintext: $M_FINAL (file plaintext; crypt: key vk.new)"
		echo "crash.*: the image right after the kill; pre.*/post.*: before init/hotzone-step"
		echo "kill.log: the counted writes and syncs up to the kill (N op path offset length);"
		echo "log.init, log.step: those of the whole reference run"
		if [ "$ph" = step ]; then
			echo "reproduce: cp post.img w.img; ${HA[*]:+cp post.hdr w.hdr; }LD_PRELOAD=$KW" \
				"KILL_PATH_PREFIX=\$PWD/ KILL_AT=$n KILL_MODE=$km hotzone-step -d key" \
				"${HA[*]:+--header w.hdr }${M_STEP[*]} --all w.img"
		else
			echo "reproduce: cp pre.img w.img; LD_PRELOAD=$KW KILL_PATH_PREFIX=\$PWD/" \
				"KILL_AT=$n KILL_MODE=$km luks2-init-reencrypt -d key ${FAST[*]}" \
				"${M_INIT[*]} ${HA[*]:+--header w.hdr }w.img"
		fi
		echo "then: luks2-status -q; luks2-recover -d key; hotzone-step -d key --all"
	} >"$f/README"
	echo "$f"
}

# sweep_prepare NAME: mode_setup NAME, then JOBS worker directories
# (DIRS), each with its prepared image and a reference run; NI and NS: the
# kill point counts of init and hotzone-step. False after a FAIL line.
sweep_prepare() {
	local name=$1 w d
	DIRS=()
	mode_setup "$name" || { fail "$name" "unknown mode"; return 1; }
	for ((w = 0; w < JOBS; w++)); do
		d=$T/$name.$w
		DIRS+=("$d")
		CRASH_UUIDS+=("$(new_uuid)")
		(
			prep "$d" "${CRASH_UUIDS[-1]}" || { echo "prep failed: $(lastline "$d")" >"$d/ref.err"; exit 1; }
			reference "$d" >"$d/ref.err" || exit 1
		) &
	done
	if ! wait_all; then
		fail "$name: reference run" "$(cat "${DIRS[0]}/ref.err" "${DIRS[-1]}/ref.err" | head -n 2 | tr '\n' ' ')"
		return 1
	fi
	read -r NI <"${DIRS[0]}/n.init"
	read -r NS <"${DIRS[0]}/n.step"
	for d in "${DIRS[@]}"; do
		if [ "$(cat "$d/n.init") $(cat "$d/n.step")" != "$NI $NS" ]; then
			fail "$name: reference run" "kill point counts differ between workers" \
				"($NI $NS vs $(cat "$d/n.init") $(cat "$d/n.step"))"
			return 1
		fi
	done
}

# sweep NAME: every kill point of mode NAME for each kill mode in KMODES;
# one PASS or FAIL line per kill mode.
sweep() {
	local name=$1 w d lo hi km ph n v rest total bad first kept tally ns
	local -a dirs
	sweep_prepare "$name" || return
	dirs=("${DIRS[@]}") ns=$NS
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
		total=0 bad=0 first='' kept=0
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
		tally=$(sweep_tally "${dirs[@]/%//res.$km}")
		if [ "$total" -eq 0 ]; then
			fail "$name/$km" "no kill points"
		elif [ $bad -eq 0 ]; then
			pass "$name/$km: survived $total of $total kill points ($tally)"
		else
			fail "$name/$km: survived $((total - bad)) of $total kill points" "first failure: $first"
		fi
	done
}

# sweep_tally RESFILE...: one phrase counting the verdicts of the result
# lines "PHASE N verdict state=S window=W ..." in the files.
sweep_tally() {
	cat "$@" | awk '
		$1 == "init" { i++ }
		$3 == "eqv" { e++ } $3 == "ok" { split($4, a, "="); s[a[2]]++ }
		$5 == "window=1" { win++ }
		END {
			printf "init %d, %d recovered from a crash state, %d clean, %d finished", i, s[11], s[0], s[10]
			if (s["none"]) printf ", %d before the init commit", s["none"]
			if (win) printf " (%d in the init window)", win
			if (e) printf ", %d equivalent to a before point", e
		}'
}

# wait_all: wait for every background job; false when one failed.
wait_all() {
	local p r=0
	for p in $(jobs -p); do
		wait "$p" || r=1
	done
	return $r
}
