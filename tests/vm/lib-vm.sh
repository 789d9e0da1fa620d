# shellcheck shell=bash
# Shared by tests/vm/*.test, sourced after tests/lib.sh (bash).
# A vm test file runs twice: on the host it boots the VM once and runs
# itself inside (vm_self); inside (LUKS2BOX_IN_VM=1) it does its checks,
# whose PASS/FAIL/SKIP lines come out on the host's stdout.

VM=$TOP/tests/vm/vm.sh

in_vm() { [ "${LUKS2BOX_IN_VM:-}" = 1 ]; }

# vm_self [--timeout SECS]: on the host, run this test file in the VM and
# exit with its status; inside the VM, return. When the VM cannot be had
# (no qemu, no kernel package) skip the file, or fail it under CI.
vm_self() {
	local rc why
	in_vm && return 0
	"$VM" --prepare >"$T/prepare.log" 2>&1
	rc=$?
	why=$(grep -v '^vm.sh: \(downloading\|unpacking\|building\)' "$T/prepare.log" |
		sed 's/^vm.sh: \(unavailable: \)\{0,1\}//' | tail -n 3 | paste -sd ' ')
	case $rc in
	0) ;;
	77)
		[ -n "${CI:-}" ] || skip_all "no VM: $why"
		fail "vm" "no VM under CI: $why"
		finish ;;
	*) fail "vm image" "$why"; finish ;;
	esac
	"$VM" "$@" bash "$(printf '%q' "$TOP/tests/vm/$(basename "$0")")"
	rc=$?
	case $rc in
	124) fail "vm" "timed out, VM killed (see build/vm/last-console.log)"; rc=1 ;;
	125) fail "vm" "the VM stopped without an exit status (see build/vm/last-console.log)"; rc=1 ;;
	esac
	exit "$rc"
}

# need_file NAME FILE: skip the check NAME when FILE is not there yet
# (fail under CI, where make check builds everything first).
need_file() {
	[ -e "$2" ] && return 0
	if [ -n "${CI:-}" ]; then
		fail "$1" "$2 not built"
	else
		skip "$1" "$2 not built (make test-progs)"
	fi
	return 1
}
