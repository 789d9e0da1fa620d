# shellcheck shell=bash disable=SC2086
# Our crash states for cryptsetup 2.6.1 to recover, shared by
# tests/interop/reencrypt-crash-ours*.test (sourced after reencrypt-lib.sh).
# build/tests/killwrite.so (tests/crash/killwrite.c) kills hotzone-step
# right before its N-th write or sync on a file under $T.

# killed N: hotzone-step -n 1 killed before its N-th write/sync (exit 137).
killed() {
	KILL_AT=$1 KILL_PATH_PREFIX=$T/ LD_PRELOAD=$KILLWRITE step -n 1 >/dev/null 2>&1
}

# crash_state N SNAP: killed at N from SNAP, luks2-status -q says crash.
crash_state() {
	restore "$2"
	killed "$1"
	[ "$?" = 137 ] || return 2
	st -q >/dev/null 2>&1
	[ "$?" = 11 ]
}

# crash_range SNAP: "FIRST LAST" kill points that leave a crash state in
# the next hotzone of snapshot SNAP (empty when there is none). A logged
# run (KILL_LOG) gives the candidates: FIRST = the call after the first
# write of the primary binary header (offset 0 of H: the resilience
# commit), LAST = the second such write (post commit: JSON area written,
# binary header not). Each is checked; if the guess is wrong the range is
# scanned (FIRST up from call 1, LAST down from the last call).
crash_range() {
	local n first="" last="" calls g1 g2
	restore "$1"
	rm -f "$T/.log"
	KILL_LOG=$T/.log KILL_PATH_PREFIX=$T/ LD_PRELOAD=$KILLWRITE step -n 1 >/dev/null 2>&1
	calls=$(wc -l <"$T/.log")
	read -r g1 g2 < <(awk -v h="$H" '$3 == h && $4 == "0" && $2 ~ /write/ { print $1 }' \
		"$T/.log" | head -n 2 | tr '\n' ' ')
	[ -n "$g1" ] && crash_state $((g1 + 1)) "$1" && first=$((g1 + 1))
	[ -n "$g2" ] && crash_state "$g2" "$1" && last=$g2
	if [ -z "$first" ]; then
		for n in $(seq 1 "$calls"); do
			crash_state "$n" "$1" && { first=$n; break; }
		done
	fi
	[ -n "$first" ] || return
	if [ -z "$last" ]; then
		for n in $(seq "$calls" -1 "$first"); do
			crash_state "$n" "$1" && { last=$n; break; }
		done
	fi
	echo "$first ${last:-$first}"
}

# repair_resume SNAP N FINAL: kill at N from SNAP, then cryptsetup repair
# and cryptsetup reencrypt --resume-only. FINAL=1: the killed hotzone is
# the last one; repair may finish the reencryption ("10 none") or leave it
# clean with nothing left to rewrite: then hotzone-step finishes it, since
# cryptsetup 2.6.1 --resume-only would start a backward decryption over
# from the end of that state and decrypt the plaintext a second time.
repair_resume() {
	local got
	restore "$1"
	killed "$2"
	is "$N: killed (137)" "$?" 137
	states "$N: crash state (ours, libcryptsetup)" 11 crash
	# shellcheck disable=SC2086
	check "$N: cryptsetup repair" cs repair $HA --key-file "$K" "$I"
	got="$(st -q >/dev/null 2>&1; echo $?) $(cs_state)"
	if [ "$3" = 1 ] && [ "$got" = "10 none" ]; then
		pass "$N: cryptsetup repair finished it (ours, libcryptsetup: none)"
	elif [ "$3" = 1 ]; then
		is "$N: after cryptsetup repair: clean" "$got" "0 clean"
		step --all
		is "$N: hotzone-step --all finalizes (10)" "$?" 10
	else
		is "$N: after cryptsetup repair: clean" "$got" "0 clean"
		check "$N: cryptsetup reencrypt --resume-only finishes" cs_resume
	fi
	verify "$N"
}

# ours_crash NAME KIND SECTOR [init options...]
ours_crash() {
	local name=$1 total range
	setup "$2" "$3" || return
	shift 3
	N=$name
	init ours "$@" || return
	snap init
	total=$(step --all --progress-json 2>/dev/null | wc -l)
	restore init
	if ! run "$N: hotzone-step -n 1" step -n 1; then return; fi
	snap second
	range=$(crash_range second)
	if [ -z "$range" ]; then
		fail "$N: a kill point in hotzone 2 leaves a crash state"
		return
	fi
	N="$name: hotzone 2 of $total, killed at call ${range% *}"
	repair_resume second "${range% *}" 0
	N="$name: hotzone 2 of $total, killed at call ${range#* }"
	repair_resume second "${range#* }" 0
	restore init
	if ! run "$N: hotzone-step -n $((total - 1))" step -n $((total - 1)); then return; fi
	snap last
	range=$(crash_range last)
	if [ -z "$range" ]; then
		fail "$name: a kill point in the last hotzone leaves a crash state"
		return
	fi
	N="$name: last hotzone ($total), killed at call ${range% *}"
	repair_resume last "${range% *}" 1
}

