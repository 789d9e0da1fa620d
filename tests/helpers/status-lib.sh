# Helpers shared by tests/interop/status*.test and passphrase.test
# (sourced after tests/lib.sh). They compare build/luks2-status with
# cryptsetup 2.6.1 on image files, offline (--disable-locks).

# shellcheck disable=SC2034 # used by the .test files
CS_REENC=$B/tests/cs_reenc
MANGLE=$TOP/tests/helpers/mangle-hdr.sh
# argon2 kept cheap: 32 KiB, 4 iterations ("time"), 1 thread.
# shellcheck disable=SC2034
ARGON_FAST="--pbkdf-memory 32 --pbkdf-force-iterations 4 --pbkdf-parallel 1"
# shellcheck disable=SC2034
MiB=1048576

# status_ready: skip the whole file when luks2-status was not built.
status_ready() {
	[ -x "$B/luks2-status" ] || skip_all "build/luks2-status not built (run make)"
}

# hdr_args IMG: echo "--header IMG.hdr" when IMG has a detached header
# (convention of these tests: the header of IMG is the file IMG.hdr).
hdr_args() { [ -e "$1.hdr" ] && echo "--header $1.hdr"; }
hdr_file() { if [ -e "$1.hdr" ]; then echo "$1.hdr"; else echo "$1"; fi; }

# fmt IMG SIZE [luksFormat options...]: fresh image formatted by
# cryptsetup with passphrase file $T/pw. With "--header IMG.hdr" among the
# options a 16 MiB header file is prepared first.
fmt() {
	local img=$1 size=$2
	shift 2
	rm -f "$img" "$img.hdr"
	truncate -s "$size" "$img" || return 1
	case " $* " in *" --header "*) truncate -s 16M "$img.hdr" ;; esac
	cs luksFormat --type luks2 --key-file "$T/pw" "$@" "$img" >"$T/.fmt" 2>&1 && return 0
	fail "luksFormat $*" "$(tail -c 300 "$T/.fmt" | tr '\n' ' ')"
	return 1
}

# try NAME CMD...: a setup step; its failure is reported as a FAIL.
try() {
	local name=$1
	shift
	"$@" >"$T/.try" 2>&1 && return 0
	fail "setup: $name" "exit $?: $(tail -c 300 "$T/.try" | tr '\n' ' ')"
	return 1
}

# reenc IMG ARGS...: cs_reenc with passphrase $T/pw and IMG's detached
# header, if any; a failure is reported as a FAIL.
reenc() {
	local img=$1
	shift
	# shellcheck disable=SC2046
	"$CS_REENC" --no-benchmark --key-file "$T/pw" $(hdr_args "$img") "$@" "$img" \
		>"$T/.cse" 2>&1 &&
		return 0
	fail "cs_reenc $* $(basename "$img")" "exit $?: $(tail -c 300 "$T/.cse" | tr '\n' ' ')"
	return 1
}

# cs_json IMG: metadata JSON as cryptsetup sees it, sorted.
cs_json() {
	# shellcheck disable=SC2046
	cryptsetup luksDump --disable-locks --dump-json-metadata $(hdr_args "$1") "$1" |
		jq -S .
}
# eq NAME GOT WANT: pass when the two strings are equal.
eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1" "got '$(echo "$2" | head -c 300 | tr '\n' ' ')' want '$(echo "$3" |
			head -c 300 | tr '\n' ' ')'"
	fi
}
# st IMG ARGS...: luks2-status with the image's detached header, if any.
st() {
	local img=$1
	shift
	# shellcheck disable=SC2046
	luks2-status $(hdr_args "$img") "$@" "$img"
}

# mangle IMG 'jq filter': rewrite both JSON areas and checksums of IMG (or
# of its detached header); a failure is reported as a FAIL.
mangle() {
	_mangle "$@" >"$T/.mangle" 2>&1 && return 0
	fail "mangle $2" "$(tail -c 200 "$T/.mangle" | tr '\n' ' ')"
	return 1
}
_mangle() {
	local img
	img=$(hdr_file "$1")
	if [ -e "$MANGLE" ]; then
		bash "$MANGLE" "$img" "$2"
		return
	fi
	# Fallback (doc/format.md §1.2): sha256 over the 4096-byte
	# binary header with csum (0x1C0, 64 bytes) zeroed + whole JSON area.
	local hs js off json
	hs=$((16#$(xxd -s 8 -l 8 -p "$img"))) || return 1
	js=$((hs - 4096))
	json=$(dd if="$img" bs=4096 iflag=skip_bytes,count_bytes skip=4096 \
		count=$js status=none | tr -d '\0' | jq -c "$2") || return 1
	[ "${#json}" -lt "$js" ] || return 1
	for off in 0 "$hs"; do
		{ printf '%s' "$json"; head -c $((js - ${#json})) /dev/zero; } |
			dd of="$img" bs=4096 oflag=seek_bytes seek=$((off + 4096)) \
				conv=notrunc status=none
		head -c 64 /dev/zero | dd of="$img" bs=64 oflag=seek_bytes \
			seek=$((off + 448)) conv=notrunc status=none
		dd if="$img" bs=4096 iflag=skip_bytes,count_bytes skip="$off" \
			count="$hs" status=none | sha256sum | cut -d' ' -f1 |
			xxd -r -p | dd of="$img" bs=64 oflag=seek_bytes \
				seek=$((off + 448)) conv=notrunc status=none
	done
}

# same_metadata NAME IMG: (a) our --json .metadata == cryptsetup's JSON.
same_metadata() {
	local ours theirs
	ours=$(st "$2" --json 2>"$T/.err" | jq -S .metadata)
	theirs=$(cs_json "$2")
	if [ -n "$theirs" ] && [ "$ours" = "$theirs" ]; then pass "$1"; else
		fail "$1" "metadata differs: $(diff <(echo "$theirs") <(echo "$ours") |
			head -n 8 | tr '\n' ' ') $(head -c 200 "$T/.err")"
	fi
}

# same_fields NAME IMG: (b) uuid/label/subsystem/seqid/hdr_size/data_offset
# from -o and from --json match luksDump.
same_fields() {
	local name=$1 img=$2 dump want got gotj
	# shellcheck disable=SC2046
	dump=$(cryptsetup luksDump --disable-locks $(hdr_args "$img") "$img")
	want=$(echo "$dump" | awk -F'\t' '
		/^UUID:/ { u = $2 } /^Label:/ { l = $2 } /^Subsystem:/ { s = $2 }
		/^Epoch:/ { e = $2 } /^Metadata area:/ { split($2, a, " "); m = a[1] }
		END {
			if (l == "(no label)") l = ""
			if (s == "(no subsystem)") s = ""
			printf "%s\n%s\n%s\n%s\n%s\n", u, l, s, e, m
		}')
	got=$(st "$img" -o uuid,label,subsystem,seqid,hdr_size 2>"$T/.err")
	gotj=$(st "$img" --json 2>>"$T/.err" |
		jq -r '.uuid, .label, .subsystem, (.seqid|tostring), (.hdr_size|tostring)')
	if [ -n "$want" ] && [ "$got" = "$want" ] && [ "$gotj" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "want [$(echo "$want" | tr '\n' '|')] -o [$(echo "$got" |
			tr '\n' '|')] --json [$(echo "$gotj" | tr '\n' '|')] $(head -c 200 "$T/.err")"
	fi
}

# cs_progress IMG: "PROGRESS TOTAL" as libcryptsetup reports them to the
# progress callback before the first hotzone (run on copies: resuming may
# commit the header).
cs_progress() {
	local img=$1 c=$T/.prog
	rm -f "$c" "$c.hdr"
	cp --sparse=always "$img" "$c" || return 1
	[ -e "$img.hdr" ] && cp "$img.hdr" "$c.hdr"
	# shellcheck disable=SC2046
	"$CS_REENC" --no-benchmark --stop-after 1 --print-progress --key-file "$T/pw" \
		$(hdr_args "$c") "$c" 2>/dev/null | awk 'NR == 1 { print $2, $3 }'
	rm -f "$c" "$c.hdr"
}

# seg_remaining DATA_DEV_SIZE <METADATA_JSON: bytes not yet rewritten
# according to the segments: the regular segments that are not in final form
# (type of backup-final and, for crypt, bound to backup-final's digest) or
# are in-reencryption; a dynamic size runs to the end of the data device.
seg_remaining() {
	jq --argjson dev "$1" '
		def has_flag($f): (.flags // []) | any(.[]; . == $f);
		. as $m
		| [$m.segments | to_entries[] | select(.value | has_flag("backup-final"))][0] as $f
		| [$m.digests[] | select(any(.segments[]; . == $f.key))][0].segments as $fd
		| [$m.segments | to_entries[]
		   | select(.value.flags // [] | any(.[]; startswith("backup-")) | not)
		   | select((.value | has_flag("in-reencryption"))
			or .value.type != $f.value.type
			or (.value.type == "crypt" and (.key as $k | $fd | any(.[]; . == $k) | not)))
		   | if .value.size == "dynamic"
		     then $dev - (.value.offset | tonumber)
		     else .value.size | tonumber end]
		| add // 0'
}

# check_state NAME IMG 'STATE MODE DIRECTION RESILIENCE' QRC [MIN_PROGRESS]
# A header in reencryption: -q exits QRC; -o and --json show the expected
# state/mode/direction/resilience; for clean/crash states they agree with
# libcryptsetup's crypt_reencrypt_status() (cs_reenc --status) and the
# stored reencrypt keyslot area type; --json .metadata equals cryptsetup's
# JSON; progress_bytes/total_bytes agree between -o and --json, with
# libcryptsetup's progress callback (clean states, unless NO_LIB_PROGRESS=1:
# libcryptsetup cannot resume that state) and with the segments (total -
# progress = bytes left); progress >= MIN_PROGRESS; nothing was written.
# Sets PROGRESS for the caller.
check_state() {
	local n=$1 img=$2 exp=$3 qrc=$4 min=${5:-0} before j o m ours lib rem p t why=
	before=$(img_sum "$img")
	expect_rc "$n: -q" "$qrc" st "$img" -q
	o=$(st "$img" -o state,mode,direction,resilience,progress_bytes,total_bytes 2>&1)
	j=$(st "$img" --json 2>/dev/null)
	m=$(cs_json "$img")
	ours=$(echo "$o" | head -n 4 | tr '\n' ' ')
	eq "$n: -o state/mode/direction/resilience" "$ours" "$exp "
	eq "$n: --json reencrypt" "$(echo "$j" | jq -r '.reencrypt | .state, .mode,
		.direction, .resilience, .progress_bytes, .total_bytes')" "$o"
	case $exp in
	clean*|crash*)
		# shellcheck disable=SC2046
		lib=$("$CS_REENC" --status $(hdr_args "$img") "$img" 2>&1 | tr ' ' '\n' |
			sed -n 's/^\(state\|mode\|direction\|resilience\)=//p' | tr '\n' ' ')
		eq "$n: same as libcryptsetup" "$ours" "$lib"
		eq "$n: resilience = area type" "${exp##* }" "$(echo "$m" |
			jq -r '.keyslots[] | select(.type == "reencrypt") | .area.type')" ;;
	esac
	eq "$n: json metadata" "$(echo "$j" | jq -S .metadata)" "$m"
	p=$(echo "$o" | sed -n 5p)
	t=$(echo "$o" | sed -n 6p)
	if [ -z "${NO_LIB_PROGRESS:-}" ] && [ "${exp%% *}" = clean ]; then
		lib=$(cs_progress "$img")
		[ "$lib" = "$p $t" ] || why="libcryptsetup says '$lib', ours '$p $t'"
	fi
	rem=$(echo "$m" | seg_remaining "$(stat -c %s "$img")")
	if ! [ "$p" -ge "$min" ] 2>/dev/null || ! [ "$t" -gt 0 ] 2>/dev/null; then
		why="$why; progress '$p' (want >= $min), total '$t'"
	elif [ $((t - p)) -ne "$rem" ]; then
		why="$why; total-progress $((t - p)) but segments leave $rem"
	fi
	if [ -z "$why" ]; then pass "$n: progress"; else fail "$n: progress" "${why#; }"; fi
	PROGRESS=$p
	eq "$n: never writes" "$(img_sum "$img")" "$before"
}

# img_sum IMG: modification times (ns) and checksum of the first 8 MiB
# (headers) of the image and its detached header, to prove "never writes".
img_sum() {
	local f
	for f in "$1" "$1.hdr"; do
		[ -e "$f" ] || continue
		stat -c '%y %z' "$f"
		head -c 8M "$f" | sha256sum
	done | sha256sum | cut -c1-64
}
