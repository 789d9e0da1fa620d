# shellcheck shell=bash disable=SC2034,SC2086
# Helpers shared by tests/interop/reencrypt*.test (sourced after
# tests/lib.sh): cryptsetup 2.6.1 and luks2box reencrypt, encrypt and decrypt
# the same image files offline and check each other. The plaintext is always
# checked with build/tests/helpers/oracle_decrypt (OpenSSL only) and the
# volume key cryptsetup dumps, never with our own code.
#
# One scenario at a time, in globals:
#   KIND  reenc    luksFormat, data at 4 MiB of a 12 MiB image (8 MiB data)
#         enc-hdr  8 MiB plaintext image, encrypt with a new detached header
#         enc-red  16 MiB plaintext, encrypt --reduce-device-size 4M
#                  (backward datashift, data at 2 MiB, 12 MiB kept)
#         enc-big  16 MiB plaintext, encrypt --reduce-device-size 12M: less
#                  data than the shift (data at 6 MiB, 4 MiB kept, all of
#                  it the moved segment)
#         dec-hdr  luksFormat --header, 8 MiB data at offset 0
#         dec-rm   luksFormat --offset 10240 (data at 5 MiB of 24 MiB),
#                  decrypt with header removal into a new header file
#   MODE  reencrypt | encrypt | decrypt;  DIR  the direction cryptsetup uses
#   I     the data image; H its header (I or I.hdr); HA "--header H" or ""
#   P     the expected plaintext (PL bytes) after the run
#   OFF   expected data offset of the final segment
#   HZ    hotzone size in bytes for hotzone-step and cryptsetup (1 MiB)
# $F (PBKDF options) and $HA split into words on purpose.

CS_REENC=$B/tests/cs_reenc
ORACLE=$B/tests/helpers/oracle_decrypt
MANGLE=$TOP/tests/helpers/mangle-hdr.sh
KILLWRITE=$B/tests/killwrite.so
MiB=1048576
F=$CS_FAST
K=$T/pw
I=$T/img
P=$T/plain
HZ=$MiB
mkpass "$K" "reencrypt interop passphrase"

# reenc_ready: skip the whole file unless the tools and helpers are built.
reenc_ready() {
	local x
	need cryptsetup jq cmp
	for x in luks2-status luks2-init-reencrypt hotzone-step luks2-recover \
		tests/cs_reenc tests/helpers/oracle_decrypt; do
		[ -x "$B/$x" ] || skip_all "build/$x not built (make && make test-progs)"
	done
}

# run NAME CMD...: a setup step; a failure is reported as a FAIL (with
# the command's message) and returns 1.
run() {
	local name=$1 rc
	shift
	"$@" >"$T/.run" 2>&1 && return 0
	rc=$?
	fail "$name" "exit $rc from: $* ($(tail -c 300 "$T/.run" | tr '\n' ' '))"
	return 1
}

# fill FILE OFFSET LENGTH: random bytes (MiB aligned).
fill() {
	head -c "$3" /dev/urandom |
		dd of="$1" bs=1M seek=$(($2 / MiB)) conv=notrunc status=none
}

# vkey HEADER OUT: the raw volume key, as cryptsetup dumps it.
vkey() {
	rm -f "$2"
	cryptsetup luksDump --disable-locks -q --dump-volume-key \
		--volume-key-file "$2" --key-file "$K" "$1" >/dev/null 2>&1
}

# cs_json: the metadata of H as cryptsetup reads it.
cs_json() { cryptsetup luksDump --disable-locks --dump-json-metadata "$H"; }

# oracle_plain OFFSET LENGTH OUT [CIPHER SECTOR]: decrypt LENGTH bytes from
# OFFSET of I with the key cryptsetup dumps from H; cipher and sector size
# of segment 0 as cryptsetup reports them unless given.
oracle_plain() {
	local enc=${4:-} ss=${5:-}
	vkey "$H" "$T/vk" || return 1
	[ -n "$enc" ] || read -r enc ss < <(cs_json |
		jq -r '.segments["0"] | "\(.encryption) \(.sector_size)"')
	"$ORACLE" "$enc" "$T/vk" "$ss" "$1" "$2" "$I" >"$3"
}

# setup KIND [SECTOR [luksFormat options...]]: a fresh scenario.
setup() {
	local ss=${2:-512}
	KIND=$1
	shift $(($# < 2 ? $# : 2))
	rm -f "$I" "$I.hdr" "$P" "$T"/LUKS2-temp-*
	H=$I HA=
	case $KIND in
	reenc)
		MODE=reencrypt DIR=forward OFF=$((4 * MiB)) PL=$((8 * MiB))
		truncate -s 12M "$I"
		run "setup $KIND: luksFormat" cs luksFormat --type luks2 $F \
			--offset 8192 --sector-size "$ss" --key-file "$K" "$@" "$I" || return 1
		fill "$I" "$OFF" "$PL"
		oracle_plain "$OFF" "$PL" "$P" aes-xts-plain64 "$ss" ;;
	enc-hdr|enc-red|enc-big)
		MODE=encrypt
		if [ "$KIND" = enc-hdr ]; then
			OFF=0 PL=$((8 * MiB)) H=$I.hdr HA="--header $I.hdr" DIR=forward
			truncate -s 8M "$I"
		elif [ "$KIND" = enc-big ]; then
			OFF=$((6 * MiB)) PL=$((4 * MiB)) DIR=backward
			truncate -s 16M "$I"
		else
			OFF=$((2 * MiB)) PL=$((12 * MiB)) DIR=backward
			truncate -s 16M "$I"
		fi
		fill "$I" 0 "$(stat -c %s "$I")"
		head -c "$PL" "$I" >"$P" ;;
	dec-hdr)
		MODE=decrypt DIR=backward OFF=0 PL=$((8 * MiB)) H=$I.hdr HA="--header $I.hdr"
		truncate -s 8M "$I"
		run "setup $KIND: luksFormat" cs luksFormat --type luks2 $F \
			--header "$H" --sector-size "$ss" --key-file "$K" "$@" "$I" || return 1
		fill "$I" 0 "$PL"
		oracle_plain 0 "$PL" "$P" aes-xts-plain64 "$ss" ;;
	dec-rm)
		MODE=decrypt DIR=forward OFF=0 PL=$((19 * MiB))
		truncate -s 24M "$I"
		run "setup $KIND: luksFormat" cs luksFormat --type luks2 $F \
			--offset 10240 --sector-size "$ss" --key-file "$K" "$@" "$I" || return 1
		fill "$I" $((5 * MiB)) "$PL"
		oracle_plain $((5 * MiB)) "$PL" "$P" aes-xts-plain64 "$ss"
		H=$I.hdr HA="--header $I.hdr" ;;	# the header after init
	*) fail "setup: unknown kind $KIND"; return 1 ;;
	esac
	[ "$(stat -c %s "$P" 2>/dev/null)" = "$PL" ] && return 0
	fail "setup $KIND: plaintext from the oracle" "$(stat -c %s "$P" 2>&1)"
	return 1
}

# kind_args: the mode options for KIND (both tools use the same names).
kind_args() {
	case $KIND in
	enc-hdr) echo "--encrypt --header $H" ;;
	enc-red) echo "--encrypt --reduce-device-size 4M" ;;
	enc-big) echo "--encrypt --reduce-device-size 12M" ;;
	dec-*) echo "--decrypt --header $H" ;;
	esac
}

# ours_init [options...]: luks2-init-reencrypt for the scenario.
# shellcheck disable=SC2046
ours_init() {
	luks2-init-reencrypt -q -d "$K" $(kind_args) $([ "$MODE" = decrypt ] || echo $F) "$@" "$I"
}

# cs_init [options...]: cryptsetup reencrypt --init-only for the scenario
# (run in $T: encrypt without --header writes its temporary header there).
# shellcheck disable=SC2046
cs_init() {
	(cd "$T" && cryptsetup reencrypt --disable-locks --batch-mode --init-only \
		--force-offline-reencrypt $(kind_args) $([ "$MODE" = encrypt ] && echo --type luks2) \
		$([ "$MODE" = decrypt ] || echo $F) --key-file "$K" "$@" "$I")
}

# init TOOL [options...]: TOOL = ours | cs.
init() {
	local tool=$1
	shift
	run "$N: $tool init" "${tool}_init" "$@"
}

# step [hotzone-step options]: hotzone-step on the scenario.
# shellcheck disable=SC2086
step() { hotzone-step -q $HA -d "$K" --hotzone-size "$HZ" "$@" "$I"; }
# cs_resume [options]: cryptsetup reencrypt --resume-only.
# shellcheck disable=SC2086
cs_resume() {
	cryptsetup reencrypt --disable-locks --batch-mode --resume-only \
		--force-offline-reencrypt $HA --key-file "$K" --hotzone-size "$HZ" "$@" "$I"
}
# csr ARGS...: the cs_reenc helper (libcryptsetup) on the scenario.
# shellcheck disable=SC2086
csr() { "$CS_REENC" --key-file "$K" --hotzone-size "$HZ" $HA "$@" "$I"; }
# cs_state: libcryptsetup's reencryption state (none, clean, crash, ...).
# shellcheck disable=SC2086
cs_state() { "$CS_REENC" --status $HA "$I" 2>&1 | sed -n 's/^state=\([a-z]*\).*/\1/p'; }
# cs_status: "STATE MODE DIRECTION RESILIENCE" as libcryptsetup reports them.
# shellcheck disable=SC2086
cs_status() {
	"$CS_REENC" --status $HA "$I" 2>&1 | tr ' ' '\n' |
		sed -n 's/^\(state\|mode\|direction\|resilience\)=//p' | tr '\n' ' ' | sed 's/ $//'
}
# st ARGS...: luks2-status on the scenario.
# shellcheck disable=SC2086
st() { luks2-status $HA "$@" "$I"; }

# is NAME GOT WANT
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1" "got '$(printf '%s' "$2" | head -c 300 | tr '\n' '|')' want '$(printf '%s' "$3" | head -c 300 | tr '\n' '|')'"
	fi
}

# states NAME OURS CS: luks2-status -q exit code and libcryptsetup's state.
states() {
	local rc
	st -q >/dev/null 2>&1
	rc=$?
	is "$1" "$rc $(cs_state)" "$2 $3"
}

# verify NAME: the finished scenario. luks2-status -q says "no
# reencryption", cryptsetup accepts the header (luksDump) and opens it
# (except after decryption: no keyslots left), segment 0 is the only one
# and sits at OFF, and the plaintext, decrypted by the oracle (or read
# raw after decryption), is bit-identical to P.
verify() {
	local n="$1" nseg type off size enc ss nks
	expect_rc "$n: luks2-status -q exits 10" 10 st -q
	if cryptsetup luksDump --disable-locks --dump-json-metadata "$H" >"$T/j" 2>&1
	then pass "$n: cryptsetup luksDump accepts the header"
	else fail "$n: cryptsetup luksDump accepts the header" "$(head -c 300 "$T/j")"; fi
	read -r nseg type off size enc ss nks < <(jq -r '[(.segments | length),
		(.segments["0"] | .type, .offset, .size, .encryption, .sector_size),
		(.keyslots | length)] | map(tostring) | join(" ")' "$T/j" 2>/dev/null)
	rm -f "$T/got"
	if [ "$MODE" = decrypt ]; then
		is "$n: one linear segment at 0, no keyslots" \
			"$nseg $type $off $size $nks" "1 linear 0 dynamic 0"
		head -c "$PL" "$I" >"$T/got"
	else
		# shellcheck disable=SC2086
		check "$n: cryptsetup opens it (--test-passphrase)" cryptsetup open \
			--disable-locks --test-passphrase $HA --key-file "$K" "$I"
		is "$n: one crypt segment at $OFF" "$nseg $type $off $size" "1 crypt $OFF dynamic"
		oracle_plain "$OFF" "$PL" "$T/got" "$enc" "$ss"
	fi
	if cmp -s "$T/got" "$P"; then pass "$n: plaintext bit-identical (oracle)"
	else fail "$n: plaintext bit-identical (oracle)" "$(cmp "$T/got" "$P" 2>&1 | head -c 200)"; fi
	rm -f "$T/got" "$T/j"
}

# snap NAME / restore NAME: copy the scenario's files (image, header).
snap() {
	cp --sparse=always "$I" "$T/$1.img"
	rm -f "$T/$1.hdr"
	[ "$H" = "$I" ] || [ ! -e "$H" ] || cp --sparse=always "$H" "$T/$1.hdr"
}
restore() {
	cp --sparse=always "$T/$1.img" "$I"
	rm -f "$I.hdr"
	[ ! -e "$T/$1.hdr" ] || cp --sparse=always "$T/$1.hdr" "$I.hdr"
}

# segs: the regular and backup segments as luks2-status --json shows them.
segs() { st --json 2>/dev/null | jq -S '.metadata.segments'; }
# digest_segs: the digests' segments arrays, as a set of sorted arrays.
digest_segs() { st --json 2>/dev/null | jq -c '[.metadata.digests[].segments | sort] | sort'; }

# handoff NAME KIND SECTOR [init options...]: one tool starts, the other
# finishes, on copies of one original image:
#   cs-init   cryptsetup reencrypt --init-only; hotzone-step --all finishes
#   ours-init luks2-init-reencrypt; cryptsetup reencrypt --resume-only
#   cs-stop   cryptsetup init + 2 hotzones (cs_reenc --stop-after 3);
#             hotzone-step --all finishes
#   ours-stop our init + hotzone-step -n 2; cryptsetup --resume-only
handoff() {
	local name=$1 rc
	setup "$2" "$3" || return
	shift 3
	snap orig
	N="$name: cs-init"
	restore orig
	if init cs "$@"; then
		is "$N: luks2-status -q: clean" "$(st -q >/dev/null 2>&1; echo $?)" 0
		step --all
		is "$N: hotzone-step --all finishes (10)" "$?" 10
		verify "$N"
	fi
	N="$name: ours-init"
	restore orig
	if init ours "$@"; then
		check "$N: cryptsetup reencrypt --resume-only finishes" cs_resume
		verify "$N"
	fi
	N="$name: cs-stop"
	restore orig
	if init cs "$@" && run "$N: cs_reenc --stop-after 3" csr --stop-after 3; then
		states "$N: clean after 2 hotzones (ours, libcryptsetup)" 0 clean
		step --all
		is "$N: hotzone-step --all finishes (10)" "$?" 10
		verify "$N"
	fi
	N="$name: ours-stop"
	restore orig
	if init ours "$@"; then
		step -n 2
		rc=$?
		is "$N: hotzone-step -n 2 exits 0" "$rc" 0
		states "$N: clean after 2 hotzones (ours, libcryptsetup)" 0 clean
		check "$N: cryptsetup reencrypt --resume-only finishes" cs_resume
		verify "$N"
	fi
}
