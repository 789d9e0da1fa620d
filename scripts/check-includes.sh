#!/bin/bash
# The include rule of `make lint` (scripts/lint.sh): among the project's C
# files (applets/, luks2/, common/) no include cycle, and no upward include.
#   - A module is a .c file and the .h of the same name (luks2/json.c and
#     luks2/json.h); a header without a .c is a module of its own. Module A
#     depends on module B when a file of A includes a header of B; the
#     dependency graph must have no cycle (tsort finds one).
#   - Layers: applets/ may include luks2/ and common/, luks2/ may include
#     common/, common/ includes neither.
# Prints each violation on one line and exits 1, else exits 0 silently.
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

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
		[ "${f%.*}" = "${target%.*}" ] || echo "${f%.*} ${target%.*}" >>"$edges"
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(find applets luks2 common -name '*.[ch]' | sort)

# tsort names the modules of each cycle on stderr.
cycle=$(tsort "$edges" 2>&1 >/dev/null | grep -v 'input contains a loop')
if [ -n "$cycle" ]; then
	echo "include: cycle among modules:" $(echo "$cycle" | sed 's/^tsort: //')
	bad=1
fi
exit $bad
