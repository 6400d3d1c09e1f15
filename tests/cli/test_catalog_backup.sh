#!/usr/bin/env bash
# tests/cli/test_catalog_backup.sh - `rat catalog backup FILE` and `rat
# catalog restore FILE`: a backup taken while runs commit is a whole catalog
# (integrity ok, every ref at a commit it has); restore puts it back, keeps
# the catalog it replaced, and the workspace reads the tables as they were
# then; an existing FILE is never replaced; a file that is not a catalog, a
# damaged one, one of a newer version or the catalog itself is refused and
# changes nothing.
# Bounded: a fixed number of runs, each under a timeout.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
cat > "$p/bronze/n.sql" <<'SQL'
SELECT {{ var('n', 1) }} AS n
SQL
run run -w shop
expect_rc 0

# a backup taken while runs commit
(
	for i in $(seq 2 13); do
		timeout 60 "$RAT_BIN" run -w shop --var "n=$i" >>"$T_DIR/runs.log" 2>&1 ||
			echo "run $i failed" >>"$T_DIR/runs.log"
	done
) &
runs=$!
sleep 0.3
run catalog backup -w shop "$T_DIR/during.db"
expect_rc 0
expect_out "Wrote a copy of $RAT_HOME/catalog.db to $T_DIR/during.db"
wait "$runs"
T_CHECKS=$((T_CHECKS + 1))
! grep -q "failed" "$T_DIR/runs.log" || fail "a run failed beside the backup: $(cat "$T_DIR/runs.log")"
expect_eq "$(sqlite3 "$T_DIR/during.db" 'PRAGMA integrity_check')" "ok"
expect_eq "$(sqlite3 "$T_DIR/during.db" \
	'SELECT count(*) FROM refs WHERE hash NOT IN (SELECT hash FROM commits)')" "0"
expect_eq "$(ws_csv shop 'SELECT n FROM bronze.n')" "13"

# a quiet backup at n = 13, then more runs; restore brings back n = 13
run catalog backup -w shop "$T_DIR/at13.db"
expect_rc 0
head13="$(sqlite3 "$RAT_HOME/catalog.db" "SELECT hash FROM refs WHERE name = 'workspace/shop'")"
run run -w shop --var n=14
expect_rc 0
expect_eq "$(ws_csv shop 'SELECT n FROM bronze.n')" "14"
# an existing file is never replaced
run catalog backup -w shop "$T_DIR/at13.db"
expect_rc 1
expect_err "$T_DIR/at13.db already exists: a backup is a new file"
run catalog restore -w shop "$T_DIR/at13.db"
expect_rc 0
expect_out "Restored $RAT_HOME/catalog.db from $T_DIR/at13.db"
expect_out "The catalog it replaced is kept in $RAT_HOME/catalog.db.before-restore-"
expect_eq "$(ws_csv shop 'SELECT n FROM bronze.n')" "13"
expect_eq "$(sqlite3 "$RAT_HOME/catalog.db" "SELECT hash FROM refs WHERE name = 'workspace/shop'")" \
	"$head13"
# the kept copy is the catalog at n = 14: restoring it goes forward again
kept="$(sed -n 's/^The catalog it replaced is kept in //p' "$T_DIR/out")"
run catalog restore -w shop "$kept"
expect_rc 0
expect_eq "$(ws_csv shop 'SELECT n FROM bronze.n')" "14"
run run -w shop --var n=15
expect_rc 0

# files that are not a whole catalog change nothing
before="$(sqlite3 "$RAT_HOME/catalog.db" 'SELECT name, hash FROM refs ORDER BY name')"
printf 'not a database\n' > "$T_DIR/junk.db"
run catalog restore -w shop "$T_DIR/junk.db"
expect_rc 1
expect_err "$T_DIR/junk.db is not a catalog backup"
sqlite3 "$T_DIR/other.db" 'CREATE TABLE t(x)'
run catalog restore -w shop "$T_DIR/other.db"
expect_rc 1
expect_err "$T_DIR/other.db is not a catalog backup: it has no refs, commits and trees"
cp "$T_DIR/at13.db" "$T_DIR/damaged.db"
printf '\377\377\377\377\377\377\377\377' |
	dd of="$T_DIR/damaged.db" bs=1 seek=4096 conv=notrunc 2>/dev/null # page 2's b-tree header
run catalog restore -w shop "$T_DIR/damaged.db"
expect_rc 1
expect_err "$T_DIR/damaged.db is damaged (integrity check: "
expect_err "): not restored"
cp "$T_DIR/at13.db" "$T_DIR/newer.db"
sqlite3 "$T_DIR/newer.db" 'PRAGMA user_version = 9'
run catalog restore -w shop "$T_DIR/newer.db"
expect_rc 1
expect_err "$T_DIR/newer.db has schema version 9; this rat reads versions up to 4"
run catalog restore -w shop "$RAT_HOME/catalog.db"
expect_rc 1
expect_err "$RAT_HOME/catalog.db is the catalog itself: restore a backup of it"
ln -s "$RAT_HOME/catalog.db" "$T_DIR/link.db"
run catalog restore -w shop "$T_DIR/link.db"
expect_rc 1
expect_err "is the catalog itself"
run catalog backup -w shop ""
expect_rc 1
expect_err "a backup needs a file name"
run catalog restore -w shop "$T_DIR/missing.db"
expect_rc 1
expect_err "missing.db"
expect_eq "$(sqlite3 "$RAT_HOME/catalog.db" 'SELECT name, hash FROM refs ORDER BY name')" "$before"
expect_eq "$(ws_csv shop 'SELECT n FROM bronze.n')" "15"

# usage
run catalog backup -w shop
expect_rc 2
run catalog copy x -w shop
expect_rc 2
