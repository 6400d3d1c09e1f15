#!/usr/bin/env bash
# tests/cli/test_refs.sh - refs and their owners (issue 15, item 4): every
# ref records the workspace that made it; a workspace writes only its own
# refs (branch create/delete, tag, merge --into, dev, runs), never main (only
# `rat main merge` does), and reads another's only when one of its products
# grants it; dev/NAME is the workspace's dev/<workspace>/NAME; refs made
# before owners are given to their workspace when the catalog is opened.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init a
cat > "$p/silver/x.sql" <<'SQL'
SELECT 42 AS secret
SQL
ws_init b
run run -w a
expect_rc 0
run tag create rel-a -w a
expect_rc 0

# b writes none of a's refs, and a's tables are still there
run branch delete workspace/a -w b
expect_rc 1
expect_err "rat: error: workspace 'b' cannot write 'workspace/a': it belongs to workspace 'a'"
run tag delete rel-a -w b
expect_rc 1
expect_err "workspace 'b' cannot write 'rel-a': it belongs to workspace 'a'"
run merge workspace/b --into workspace/a -w b
expect_rc 1
expect_err "workspace 'b' cannot write 'workspace/a': it belongs to workspace 'a'"
run branch create dev/a/exp -w b
expect_rc 1
expect_err "workspace 'b' cannot create 'dev/a/exp': its dev and run branches are dev/b/NAME"
run branch create workspace/a-copy --from workspace/a -w b
expect_rc 1
expect_err "workspace 'b' cannot read 'workspace/a': it belongs to workspace 'a', and no product of 'a' grants 'b' access"
run init c --path "$T_DIR/elsewhere/c"
expect_rc 0
run branch create workspace/c2 -w b # a name nobody claims: b's
expect_rc 0
expect_eq "$(ws_csv a 'SELECT secret FROM silver.x')" "42"

# b reads none of a's refs: log, query --ref, diff, tables --ref
run log -w b --ref workspace/a
expect_rc 1
expect_err "workspace 'b' cannot read 'workspace/a': it belongs to workspace 'a'"
run log rel-a -w b
expect_rc 1
expect_err "workspace 'b' cannot read 'rel-a'"
run query -w b --ref workspace/a "SELECT * FROM silver.x"
expect_rc 1
expect_err "workspace 'b' cannot read 'workspace/a'"
run diff workspace/b workspace/a -w b
expect_rc 1
expect_err "workspace 'b' cannot read 'workspace/a'"
run tables -w b --ref workspace/a
expect_rc 1
expect_err "workspace 'b' cannot read 'workspace/a'"
# b's listing does not even name a's refs
run branch -w b --all
expect_rc 0
expect_no_out "workspace/a"
expect_out "workspace/b"
# nor a's commits by their hash (as a's listing shows it)
h="$("$RAT_BIN" branch -w a | awk '$2 == "workspace/a" { print $3 }')"
run query -w b --ref "$h" "SELECT * FROM silver.x"
expect_rc 1
expect_err "workspace 'b' cannot read commit $h: no ref it may read (main, its own, or one a product grants it) reaches it"
expect_eq "$(ws_csv a --ref "$h" 'SELECT secret FROM silver.x')" "42"

# main is the operator's: no workspace command writes it
run merge workspace/a --into main -w a
expect_rc 1
expect_err "workspace 'a' cannot write main: main is written only by the operator's \`rat main merge\`"
run branch delete main -w a
expect_rc 1
run main merge workspace/a --dry-run -w a
expect_rc 0
expect_out "Would merge workspace/a into main (fast-forward); nothing written"
run main merge workspace/a -w a
expect_rc 0
expect_out "Merged workspace/a into main (fast-forward)"
run diff main workspace/a -w a
expect_rc 0
expect_out "No table differs"

# dev and run branches are named for their workspace; each has its own exp
run dev start exp -w a
expect_rc 0
expect_out "Started dev/a/exp from workspace/a"
run dev start exp -w b
expect_rc 0
expect_out "Started dev/b/exp from workspace/b"
run run -w a --branch dev/exp
expect_rc 0
expect_eq "$(ws_csv a --ref dev/exp 'SELECT secret FROM silver.x')" "42"
expect_eq "$(ws_csv a --ref dev/a/exp 'SELECT secret FROM silver.x')" "42"
run query -w b --ref dev/a/exp "SELECT 1"
expect_rc 1
expect_err "workspace 'b' cannot read 'dev/a/exp': it belongs to workspace 'a'"
run dev drop exp -w b
expect_rc 0
expect_out "Dropped dev/b/exp"
expect_eq "$("$RAT_BIN" branch -w a | grep -c 'dev/a/exp')" "1"

# a product of a that grants b lets b read a's refs
cat >> "$RAT_WORKSPACES/a/workspace.yaml" <<'YAML'
products:
  - name: x
    source: silver.x
    access:
      - workspace: "b"
        level: read
YAML
run products publish x -w a
expect_rc 0
run log -w b --ref workspace/a -n 1
expect_rc 0
run products revoke x b -w a
expect_rc 0
run log -w b --ref workspace/a -n 1
expect_rc 1
expect_err "workspace 'b' cannot read 'workspace/a'"

# refs made before owners: given to the workspace they fork from, renamed
db="$RAT_HOME/catalog.db"
run write silver.y -w a --sql "SELECT 1 AS y" # a's branch ahead of main: dev/old forks from it
expect_rc 0
run dev start old -w a
expect_rc 0
run run -w a --branch dev/old
expect_rc 0
run branch create dev/b/fresh --from main -w b
expect_rc 0
sqlite3 "$db" "UPDATE refs SET owner = '', name = 'dev/old' WHERE name = 'dev/a/old';
	UPDATE refs SET owner = '', name = 'dev/fresh' WHERE name = 'dev/b/fresh';
	UPDATE refs SET owner = '' WHERE name = 'workspace/a'; DELETE FROM workspaces WHERE name = 'a'"
run branch -w a
expect_rc 0
expect_out "  dev/a/old"
expect_out "* workspace/a"
expect_eq "$(sqlite3 "$db" "SELECT owner FROM refs WHERE name IN ('dev/a/old', 'workspace/a')" | paste -sd' ')" "a a"
# one that forks from main as much as from a stays the operator's: no workspace reads it
expect_eq "$(sqlite3 "$db" "SELECT owner FROM refs WHERE name = 'dev/fresh'")" ""
run log -w b --ref dev/fresh # b's dev/fresh is dev/b/fresh
expect_rc 1
expect_err "no branch, tag or commit named 'dev/b/fresh'"
# a plain branch made before owners is never given away: the operator's
sqlite3 "$db" "UPDATE refs SET owner = '' WHERE name = 'workspace/c2'"
run log -w b --ref workspace/c2
expect_rc 1
expect_err "workspace 'b' cannot read 'workspace/c2': it belongs to no workspace (it predates refs' owners); only the operator reads it"
run branch delete workspace/c2 -w b
expect_rc 1
expect_err "workspace 'b' cannot write 'workspace/c2': it belongs to no workspace (it predates refs' owners)"
