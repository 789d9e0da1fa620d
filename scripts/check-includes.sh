#!/bin/bash
# check-includes.sh [OBJDIR]: the dependency rules of `make lint`
# (scripts/lint.sh) among the project's C files (applets/, luks2/, common/):
# no include cycle, no upward include and, with OBJDIR (build/obj), no call
# cycle between files.
#   - A module is a .c file and the .h of the same name (luks2/json.c and
#     luks2/json.h); a header without a .c is a module of its own. Module A
#     depends on module B when a file of A includes a header of B; the
#     dependency graph must have no cycle (tsort finds one).
#   - Layers: applets/ may include luks2/reenc.h (the engine's public
#     interface, nothing else of luks2/) and common/, luks2/ may include
#     common/, common/ includes neither.
#   - Calls: file A depends on file B when A's object file uses a symbol
#     that B's defines (nm); no cycle. A shared header hides such a cycle
#     from the include graph (validate.c and validate_keyslots.c calling
#     each other through validate_internal.h, issue 8), this graph sees it.
# Prints each violation on one line and exits 1, else exits 0 silently.
TOP=$(cd "$(dirname "$0")/.." && pwd)
OBJDIR=${1:+$(realpath "$1")}
cd "$TOP" || exit 1
bad=0
edges=$(mktemp)
trap 'rm -f "$edges" "$edges".*' EXIT

layer() {	# layer FILE: 0 common, 1 luks2, 2 applets
	case $1 in
	common/*) echo 0 ;;
	luks2/*) echo 1 ;;
	applets/*) echo 2 ;;
	esac
}

while IFS= read -r f; do
	dir=$(dirname "$f")
	while IFS= read -r inc; do
		# "x.h" is looked up next to the file, then from the top (-I.).
		if [ -f "$dir/$inc" ]; then
			target=$dir/$inc
		elif [ -f "$inc" ]; then
			target=$inc
		else
			continue
		fi
		target=$(realpath -m --relative-to=. "$target")
		if [ "$(layer "$target")" -gt "$(layer "$f")" ]; then
			echo "include: $f includes $target (upward: applets/ -> luks2/ -> common/)"
			bad=1
		fi
		# the engine's interface: applets see luks2/reenc.h only
		case $f:$target in
		applets/*:luks2/reenc.h) ;;
		applets/*:luks2/*)
			echo "include: $f includes $target (applets use the public luks2/reenc.h only)"
			bad=1 ;;
		esac
		[ "${f%.*}" = "${target%.*}" ] || echo "${f%.*} ${target%.*}" >>"$edges"
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(find applets luks2 common -name '*.[ch]' | sort)

# report_cycles WHAT EDGES: tsort names the members of each cycle.
report_cycles() {
	local out
	out=$(tsort "$2" 2>&1 >/dev/null) || true
	[ -n "$out" ] || return 0
	# one line per cycle: "tsort: FILE: input contains a loop:" starts one
	awk -v what="$1" '/input contains a loop/ { if (c) print what ": cycle:" c; c = ""; next }
	     { sub(/^tsort: /, ""); c = c " " $0 }
	     END { if (c) print what ": cycle:" c }' <<<"$out"
	bad=1
}
report_cycles include "$edges"

if [ -n "$OBJDIR" ]; then
	# "symbol file" for what each object defines and what it uses.
	while IFS= read -r o; do
		f=${o#"$OBJDIR"/}
		f=${f%.o}
		case $f in applets/*|luks2/*|common/*) ;; *) continue ;; esac
		[ -f "$f.c" ] || continue	# a stale object of a removed file
		nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print $3, f }' >>"$edges.def"
		nm -u "$o" | awk -v f="$f" '{ print $NF, f }' >>"$edges.use"
	done < <(find "$OBJDIR" -name '*.o' 2>/dev/null | sort)
	if [ ! -s "$edges.def" ]; then
		echo "calls: no object files under $OBJDIR (make first)"
		exit 1
	fi
	sort -o "$edges.def" "$edges.def"
	sort -o "$edges.use" "$edges.use"
	join "$edges.use" "$edges.def" | awk '$2 != $3 { print $2, $3 }' | sort -u >"$edges.calls"
	report_cycles calls "$edges.calls"
fi
exit $bad
