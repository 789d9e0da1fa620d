#!/bin/bash
# make lint: the static checks of the house, warnings as errors. Prints each
# finding on one line and "FAIL: lint: N problem(s)", exit 1; else one PASS
# line (tests/run-all.sh counts both).
#   1. no file over 500 lines outside tests/ (every tracked file)
#   2. no include cycle, no upward include, no call cycle between the object
#      files of LINT_OBJDIR (default build/obj: build first; make lint does)
#      (scripts/check-includes.sh)
#   3. cppcheck (warning, style, performance, portability) on every C file
#      of applets/, luks2/ and common/
#   4. clang-tidy with .clang-tidy on the same files and on the public
#      header luks2/reenc.h compiled on its own
# LINT_JOBS (default: the CPU count) clang-tidy processes run at once.
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
MAX_LINES=500
# The Makefile's CPPFLAGS (without its -MMD -MP).
FLAGS=(-std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. '-DLUKS2BOX_VERSION="lint"')
JOBS=${LINT_JOBS:-$(nproc 2>/dev/null || echo 2)}
problems=0

for tool in cppcheck clang-tidy; do
	command -v "$tool" >/dev/null 2>&1 && continue
	echo "lint: $tool not installed (scripts/install-deps.sh)" >&2
	exit 1
done

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files | grep -v '^tests/')
else
	files=$(find . -path ./.git -prune -o -path ./build -prune -o -path ./tests -prune \
		-o -type f -print | sed 's|^\./||')
fi
while IFS= read -r f; do
	[ -f "$f" ] || continue
	n=$(wc -l <"$f")
	[ "$n" -le $MAX_LINES ] && continue
	echo "size: $f has $n lines (at most $MAX_LINES outside tests/)"
	problems=$((problems + 1))
done <<<"$files"

out=$(scripts/check-includes.sh "${LINT_OBJDIR:-build/obj}") ||
	problems=$((problems + $(grep -c . <<<"$out")))
[ -n "$out" ] && echo "$out"

mapfile -t srcs < <(find applets luks2 common -name '*.c' | sort)

# variableScope: the house declares variables at the top of a block.
out=$(cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
	--suppress=variableScope --inline-suppr -I. -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
	--template='{file}:{line}:{column}: {severity}: {message} [cppcheck-{id}]' \
	-j "$JOBS" "${srcs[@]}" 2>&1)
[ -n "$out" ] && echo "$out" && problems=$((problems + $(grep -c . <<<"$out")))

# One clang-tidy per file, JOBS at a time. Only the finding lines are kept
# (clang-tidy FILE shows the analyzer's path), a header's finding once.
out=$(printf '%s\n' "${srcs[@]}" luks2/reenc.h |
	xargs -P "$JOBS" -I{} sh -c 'clang-tidy --quiet "$1" -- -x c "$@" 2>/dev/null' sh {} "${FLAGS[@]}" |
	grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): ' | sed "s|^$TOP/||; s|^\./||" | sort -u)
[ -n "$out" ] && echo "$out" && problems=$((problems + $(grep -c . <<<"$out")))

if [ "$problems" -eq 0 ]; then
	echo "PASS: lint: sizes, includes, cppcheck, clang-tidy (${#srcs[@]} C files)"
	exit 0
fi
echo "FAIL: lint: $problems problem(s)"
exit 1
