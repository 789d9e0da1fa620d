# Helpers shared by tests/interop/status*.test and passphrase.test
# (sourced after tests/lib.sh). They compare build/luks2-status with
# cryptsetup 2.6.1 on image files, offline (--disable-locks).

CS_REENC=$B/tests/cs_reenc
MANGLE=$TOP/tests/helpers/mangle-hdr.sh
# argon2 kept cheap: 32 KiB, 4 iterations ("time"), 1 thread.
ARGON_FAST="--pbkdf-memory 32 --pbkdf-force-iterations 4 --pbkdf-parallel 1"
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
# cs_dump_field IMG 'Field': one field of luksDump's text output.
cs_dump_field() {
	# shellcheck disable=SC2046
	cryptsetup luksDump --disable-locks $(hdr_args "$1") "$1" |
		sed -n "s/^$2:[[:space:]]*//p" | head -n1
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
	# Fallback (docs/luks2-format.md §1.3): sha256 over the 4096-byte
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

# rs_expect NAME IMG 'state mode direction resilience': -o of the four
# reencryption keys (one per line) equals the expectation.
rs_expect() {
	local got want
	want=$(echo "$3" | tr ' ' '\n')
	got=$(st "$2" -o state,mode,direction,resilience 2>&1)
	if [ "$got" = "$want" ]; then pass "$1"; else
		fail "$1" "got '$(echo "$got" | tr '\n' ' ')' want '$3'"
	fi
}

# rs_libcs NAME IMG: state/mode/direction/resilience also agree with
# libcryptsetup's crypt_reencrypt_status() (cs_reenc --status) and with
# the reencrypt keyslot as stored.
rs_libcs() {
	local line ours theirs area
	# shellcheck disable=SC2046
	line=$("$CS_REENC" --status $(hdr_args "$2") "$2" 2>&1)
	theirs=$(echo "$line" | tr ' ' '\n' |
		sed -n 's/^\(state\|mode\|direction\|resilience\)=//p')
	ours=$(st "$2" -o state,mode,direction,resilience 2>&1)
	area=$(cs_json "$2" | jq -r '.keyslots[] | select(.type == "reencrypt") | .area.type')
	if [ "$ours" = "$theirs" ] && [ "$(echo "$ours" | sed -n 4p)" = "$area" ]; then
		pass "$1"
	else
		fail "$1" "ours '$(echo "$ours" | tr '\n' ' ')' libcryptsetup '$line' area '$area'"
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

# seg_remaining IMG: bytes not yet rewritten according to the segments: the
# regular segments that are not in final form (type of backup-final and, for
# crypt, bound to backup-final's digest) or are in-reencryption; a dynamic
# size runs to the end of the data device.
seg_remaining() {
	cs_json "$1" | jq --argjson dev "$(stat -c %s "$1")" '
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

# progress_check NAME IMG [MIN]: --json progress_bytes/total_bytes and -o
# agree with each other, with libcryptsetup's progress callback (clean
# states only) and with the segments (total - progress = bytes left);
# progress >= MIN. Sets PROGRESS for the caller.
progress_check() {
	local name=$1 img=$2 min=${3:-0} j p t po to lib rem why=
	j=$(st "$img" --json 2>/dev/null)
	p=$(echo "$j" | jq -r '.reencrypt.progress_bytes')
	t=$(echo "$j" | jq -r '.reencrypt.total_bytes')
	po=$(st "$img" -o progress_bytes 2>/dev/null)
	to=$(st "$img" -o total_bytes 2>/dev/null)
	rem=$(seg_remaining "$img")
	[ "$p" = "$po" ] && [ "$t" = "$to" ] || why="json $p/$t vs -o $po/$to"
	# NO_LIB_PROGRESS=1: libcryptsetup cannot resume this state.
	if [ -z "${NO_LIB_PROGRESS:-}" ] && [ "$(st "$img" -o state 2>/dev/null)" = clean ]; then
		lib=$(cs_progress "$img")
		[ "$lib" = "$p $t" ] || why="$why; libcryptsetup says '$lib', ours '$p $t'"
	fi
	[ "$p" -ge 0 ] 2>/dev/null && [ "$t" -gt 0 ] 2>/dev/null ||
		why="$why; not numbers: '$p' '$t'"
	[ -z "$why" ] && [ $((t - p)) -ne "$rem" ] &&
		why="total-progress $((t - p)) but segments leave $rem"
	[ -z "$why" ] && [ "$p" -lt "$min" ] && why="progress $p, want >= $min"
	if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why"; fi
	PROGRESS=$p
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
