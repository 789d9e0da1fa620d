# Shared by tests/fuzz/*.test (the fuzz tier; see tests/fuzz/README).
# fuzz_target TARGET SUBDIR: build the targets and the seed corpus, run the
# reproducers in tests/fuzz/regress/SUBDIR once each, then fuzz for
# FUZZ_TIME seconds (default 60) from the seeds in build/fuzz/corpus/SUBDIR.
. "$(dirname "$0")/../lib.sh"
FZ=$B/fuzz
FUZZ_TIME=${FUZZ_TIME:-60}
need clang cryptsetup

fuzz_target() {
	local t=$1 sub=$2 f rc execs start secs n
	if ! make -s -C "$TOP" fuzz-progs >"$T/make.log" 2>&1; then
		fail "$t: make fuzz-progs" "$(tail -n 3 "$T/make.log" | tr '\n' ' ')"
		return
	fi
	n=$(find "$FZ/corpus/$sub" -type f | wc -l)
	if [ "$n" -ge 10 ]; then pass "$t: $n seeds made by cryptsetup"
	else fail "$t: seeds made by cryptsetup" "only $n in $FZ/corpus/$sub"; fi
	for f in "$TOP/tests/fuzz/regress/$sub"/*; do
		[ -f "$f" ] || continue
		expect_rc "$t: reproducer $(basename "$f") runs clean" 0 \
			"$FZ/$t" -close_fd_mask=3 "$f"
	done
	mkdir -p "$T/corpus"
	start=$(date +%s)
	nice -n 10 "$FZ/$t" -max_total_time="$FUZZ_TIME" -print_final_stats=1 \
		-close_fd_mask=3 -timeout=30 -rss_limit_mb=4096 \
		-dict="$TOP/tests/fuzz/luks2.dict" -artifact_prefix="$T/" \
		"$T/corpus" "$FZ/corpus/$sub" >"$T/log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$T/log")
	echo "# $t: ${execs:-?} executions in $secs s"
	if [ "$rc" = 0 ] && [ -n "$execs" ]; then
		pass "$t: ${FUZZ_TIME} s of fuzzing without a crash, leak or timeout"
	else
		mkdir -p "$FZ/artifacts"
		cp "$T"/crash-* "$T"/leak-* "$T"/timeout-* "$T"/oom-* "$FZ/artifacts/" 2>/dev/null
		cp "$T/log" "$FZ/artifacts/$t.log"
		fail "$t: fuzzing found a problem (inputs and log in $FZ/artifacts)" \
			"exit $rc: $(grep -m 3 -E 'ERROR|SUMMARY|runtime error' "$T/log" | tr '\n' ' ')"
	fi
}
