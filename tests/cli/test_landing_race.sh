#!/usr/bin/env bash
# tests/cli/test_landing_race.sh - a landing file swapped for a link while a
# session reads it (issue 15, item 2: time of check, time of use). Workspace
# b's landing file is replaced, again and again while b's queries and runs
# read it, by a symbolic link to workspace a's file (and a folder on its
# way by a link to a's landing folder); no query or run of b ever reads a
# row of a's: each reads b's own rows or fails saying a link is not
# followed. Bounded: a fixed number of queries and runs, the swapper stopped
# by the test at the end of a round (and by itself after 120 s).
source "${RAT_SOURCE_DIR:?RAT_SOURCE_DIR must name the source tree}/tests/cli/lib.sh"

# rows ROWS VALUE: a CSV of ROWS rows "i,VALUE"
rows() {
	echo "id,v"
	seq 1 "$1" | sed "s/\$/,$2/"
}

ws_init a
a_land="$ws/landing/secret"
mkdir -p "$a_land"
rows 2000 SECRET > "$a_land/f.csv"
ws_init b
b_land="$ws/landing/x"
mkdir -p "$b_land"
rows 200000 mine > "$T_DIR/own.csv"
cp "$T_DIR/own.csv" "$b_land/f.csv"
cat > "$p/bronze/f.sql" <<'SQL'
-- @landing: x
SELECT v, filename FROM read_csv({{ landing_files }}, header = true, filename = true)
SQL

# the swapper: b's file, then a link to a's file in its place; b's folder, then a link to
# a's folder in its place (a's file has the same name there)
swapper() {
	local end=$((SECONDS + 120)) round=0
	while [ $SECONDS -lt $end ] && [ ! -e "$T_DIR/stop" ]; do
		ln -sfn "$a_land/f.csv" "$b_land/.l" && mv -T "$b_land/.l" "$b_land/f.csv"
		cp "$T_DIR/own.csv" "$b_land/.f" && mv -T "$b_land/.f" "$b_land/f.csv"
		round=$((round + 1))
		[ $((round % 4)) -eq 0 ] || continue
		mv -T "$ws/landing/x" "$ws/landing/.x" && ln -sfn "$a_land" "$ws/landing/x"
		rm -f "$ws/landing/x" && mv -T "$ws/landing/.x" "$ws/landing/x"
	done
}
swapper 2>/dev/null &
swap_pid=$!
t_cleanup() { touch "$T_DIR/stop"; wait $swap_pid 2>/dev/null || true; }

# a refusal says why: a link, or the file (or its folder) not there at that moment
refusal() {
	grep -qF -e "is a symbolic link" -e "No files found that match the pattern" \
		-e "does not exist" -e "landing/x: No such file or directory" "$T_DIR/err"
}

leaks=0 refused=0 read=0 runs_refused=0
for i in $(seq 1 40); do
	run query "SELECT count(*) FILTER (WHERE v = 'SECRET') AS leaked, count(*) AS n
		FROM read_csv('$b_land/f.csv', header = true)" -w b --format csv
	if [ "$RC" -eq 0 ]; then
		read=$((read + 1))
		[ "$(tail -n 1 "$T_DIR/out" | cut -d, -f1)" = "0" ] || leaks=$((leaks + 1))
	elif refusal; then
		refused=$((refused + 1))
	else
		fail "a query failed otherwise"
	fi
done
for i in $(seq 1 6); do
	run run -f -w b
	if [ "$RC" -eq 0 ]; then
		expect_eq "$(ws_csv b "SELECT count(*) FROM bronze.f WHERE v = 'SECRET'")" "0"
		# the rows name b's landing file, never a staged copy or a's file
		expect_eq "$(ws_csv b 'SELECT DISTINCT filename FROM bronze.f')" "$b_land/f.csv"
	else
		refusal || fail "a run failed otherwise"
		runs_refused=$((runs_refused + 1))
	fi
done
# stopped at the end of a round: b's folder and file are b's own again
touch "$T_DIR/stop"
wait $swap_pid 2>/dev/null || true
expect_eq "$leaks" "0"
# then b's run reads its file, and its rows name it
run run -f -w b
expect_rc 0
expect_eq "$(ws_csv b "SELECT count(*), count(*) FILTER (WHERE v = 'SECRET') FROM bronze.f")" "200000,0"
expect_eq "$(ws_csv b 'SELECT DISTINCT filename FROM bronze.f')" "$b_land/f.csv"
# both happened: reads of b's own file, and refusals of the link
[ "$read" -gt 0 ] || fail "no query read b's file ($refused refused)"
[ "$refused" -gt 0 ] || fail "no query met the link ($read read)"
echo "landing race: $read reads, $refused refused, $leaks leaks; $runs_refused of 6 runs refused"
