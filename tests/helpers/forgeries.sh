# shellcheck shell=bash disable=SC2016,SC2034
# Forgeries of LUKS2 reencryption metadata for tests/interop/reencrypt-mangle.test
# (sourced). Each line of forgeries_digestless / forgeries_protected is
#   NAME<TAB>JQ FILTER
# to be prefixed with $FORGE_DEFS and applied with tests/helpers/mangle-hdr.sh.
# A filter that leaves the JSON as it is does not apply to that base (e.g.
# the hash of a resilience without one) and is skipped by the caller.

# Helpers: rk = the reencrypt keyslot id, rd = its digest (D_re), vd = the
# first other digest (a volume key's), bk(F) = id of the backup segment
# flagged F, ks/area/bseg edit those objects, add(N) a number string.
FORGE_DEFS='
def rk: [.keyslots | to_entries[] | select(.value.type == "reencrypt") | .key][0];
def rd: rk as $k | [.digests | to_entries[] | select(.value.keyslots | index($k)) | .key][0];
def vd: rk as $k | [.digests | to_entries[] | select(.value.keyslots | index($k) | not) | .key][0];
def bk($f): [.segments | to_entries[] | select((.value.flags // []) | index($f)) | .key][0];
def ks(f): rk as $k | .keyslots[$k] |= f;
def area(f): ks(.area |= f);
def bseg($f; g): bk($f) as $s | if $s then .segments[$s] |= g else . end;
def add($n): ((tonumber + $n) | tostring);
def flag($v): .config.requirements.mandatory = [$v];
def nodigest: rd as $d | if $d then del(.digests[$d]) else . end;
def vflag: .config.requirements.mandatory[0];
'

# Metadata without a reencryption digest: only a confirmed luks2-recover
# may sign it. (v1 = the "online-reencrypt" flag of cryptsetup 2.2-2.4.2.)
forgeries_digestless() {
	cat <<'EOF'
v1 flag, digest removed	nodigest | flag("online-reencrypt")
v1 flag, digest kept	flag("online-reencrypt")
v2/v3 flag, digest removed	nodigest
v1 flag, no digest, mode decrypt	nodigest | flag("online-reencrypt") | ks(.mode = "decrypt")
v1 flag, no digest, direction flipped	nodigest | flag("online-reencrypt") | ks(.direction = (if .direction == "forward" then "backward" else "forward" end))
v2 flag, D_re bound to no keyslot	rd as $d | .digests[$d].keyslots = [] | flag("online-reencrypt-v2")
EOF
}

# One change to a field the reencryption digest covers (or to the digest
# itself): the digest no longer verifies, nothing may act on it.
forgeries_protected() {
	local f
	cat <<'EOF'
mode	ks(.mode = (if .mode == "reencrypt" then "decrypt" elif .mode == "decrypt" then "reencrypt" else "decrypt" end))
mode (2)	ks(.mode = (if .mode == "encrypt" then "reencrypt" else "encrypt" end))
direction	ks(.direction = (if .direction == "forward" then "backward" else "forward" end))
resilience checksum->journal	area(if .type == "checksum" then .type = "journal" | del(.hash, .sector_size) else . end)
resilience ->none	area(if .type == "checksum" or .type == "journal" then .type = "none" | del(.hash, .sector_size) else . end)
resilience journal->checksum	area(if .type == "journal" or .type == "none" then .type = "checksum" | .hash = "sha256" | .sector_size = 4096 else . end)
resilience datashift-checksum->datashift-journal	area(if .type == "datashift-checksum" then .type = "datashift-journal" | del(.hash, .sector_size) else . end)
resilience datashift->datashift-checksum	area(if .type == "datashift" or .type == "datashift-journal" then .type = "datashift-checksum" | .hash = "sha256" | .sector_size = 4096 else . end)
resilience hash	area(if .hash then .hash = (if .hash == "sha256" then "sha1" else "sha256" end) else . end)
resilience sector_size	area(if .sector_size then .sector_size = (if .sector_size == 4096 then 512 else 4096 end) else . end)
shift_size	area(if .shift_size then .shift_size = (.shift_size | add(-4096)) else . end)
area offset	area(if (.size | tonumber) > 8192 then .offset = (.offset | add(4096)) | .size = (.size | add(-4096)) else . end)
area size	area(if (.size | tonumber) > 8192 then .size = (.size | add(-4096)) else . end)
D_re := a volume key digest	rk as $k | rd as $r | vd as $v | .digests[$r] = (.digests[$v] | .keyslots = [$k] | .segments = [])
D_re and volume key digest swap keyslots	rd as $r | vd as $v | .digests[$r].keyslots as $a | .digests[$r].keyslots = .digests[$v].keyslots | .digests[$v].keyslots = $a
D_re and volume key digest swap values	rd as $r | vd as $v | .digests[$r] as $a | .digests[$r] = (.digests[$r] + (.digests[$v] | {salt, digest, iterations, hash})) | .digests[$v] = (.digests[$v] + ($a | {salt, digest, iterations, hash}))
D_re iterations	rd as $r | .digests[$r].iterations = 1111
D_re hash	rd as $r | .digests[$r].hash = "sha512"
flag v2<->v3	flag(if vflag == "online-reencrypt-v2" then "online-reencrypt-v3" else "online-reencrypt-v2" end)
flag v4 (unknown version)	flag("online-reencrypt-v4")
reencrypt keyslot key_size	ks(.key_size = 16)
EOF
	for f in backup-previous backup-final backup-moved-segment; do
		cat <<EOF
$f offset	bseg("$f"; .offset = (.offset | add(4096)))
$f size	bseg("$f"; .size = (if .size == "dynamic" then "1048576" else (.size | add(-4096)) end))
$f iv_tweak	bseg("$f"; if .type == "crypt" then .iv_tweak = (.iv_tweak | add(8)) else . end)
$f cipher	bseg("$f"; if .type == "crypt" then .encryption = "aes-cbc-essiv:sha256" else . end)
$f sector_size	bseg("$f"; if .type == "crypt" then .sector_size = (if .sector_size == 4096 then 512 else 4096 end) else . end)
$f type	bseg("$f"; if .type == "crypt" then {type: "linear", offset, size, flags} else . + {type: "crypt", iv_tweak: "0", encryption: "aes-xts-plain64", sector_size: 512} end)
EOF
	done
}

# A forged decryption on a LUKS2 device that is not in reencryption
# (CVE-2021-4122): whoever can write the disk turns the volume key's only
# segment into "decrypt forward" with a linear backup-final.
# forge_decrypt_filter FLAG RESILIENCE [crash]
forge_decrypt_filter() {
	local flag=$1 res=$2 crash=${3:-} area
	case $res in
	checksum) area='{"type":"checksum","hash":"sha256","sector_size":4096,"offset":"290816","size":"262144"}' ;;
	journal) area='{"type":"journal","offset":"290816","size":"262144"}' ;;
	*) area='{"type":"none","offset":"290816","size":"4096"}' ;;
	esac
	cat <<EOF
.keyslots["1"] = {"type":"reencrypt","key_size":1,"priority":0,"mode":"decrypt",
	"direction":"forward","area":$area}
| .segments["0"] as \$s
| .segments = (if "$crash" == "" then
	{"0": \$s, "1": (\$s + {"flags":["backup-previous"]}),
	 "2": {"type":"linear","offset":\$s.offset,"size":"dynamic","flags":["backup-final"]}}
  else
	{"0": {"type":"linear","offset":\$s.offset,"size":"1048576","flags":["in-reencryption"]},
	 "1": (\$s + {"offset": (\$s.offset | add(1048576)), "iv_tweak": "2048"}),
	 "2": (\$s + {"flags":["backup-previous"]}),
	 "3": {"type":"linear","offset":\$s.offset,"size":"dynamic","flags":["backup-final"]}}
  end)
| .digests["0"].segments = (if "$crash" == "" then ["0","1"] else ["1","2"] end)
| .config.requirements = {"mandatory":["$flag"]}
EOF
}
