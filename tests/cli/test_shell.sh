#!/usr/bin/env bash
# tests/cli/test_shell.sh - `rat shell` (SPEC E1; issue 14, item 14): on a
# terminal (a pseudo-terminal, tests/support/pty_drive.py) a statement
# spans lines with a continuation prompt, dot commands work, an error does
# not end the shell, Ctrl-C cancels the line being typed and stops a running
# statement, Ctrl-D leaves, and the history is kept across sessions in
# $RAT_HOME/shell_history. Standard input that is not a terminal is a script:
# no prompts, every statement's result, the first error stops it.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init shop
expect_rc 0
ws="$RAT_WORKSPACES/shop"
cat > "$ws/pipelines/silver/orders.sql" <<'SQL'
SELECT i AS id, i * 10 AS amount FROM range(1, 4) t(i)
SQL
run run -w shop
expect_rc 0

# --- a script on standard input ----------------------------------------------
shell() { # SCRIPT ARGS...: rat shell ARGS with SCRIPT on standard input
	local script="$1"
	shift
	set +e
	printf '%s' "$script" | "$RAT_BIN" shell "$@" >"$T_DIR/out" 2>"$T_DIR/err"
	RC=$?
	set -e
}
shell "SELECT sum(amount) AS total FROM silver.orders;
SELECT 'a;b' AS quoted, -- a comment; with a semicolon
  2 AS two; SELECT /* ; nested /* ; */ ; */ 3 AS three;
-- a line of comment only
;
.format csv
SELECT \$\$x;y\$\$ AS dollar, 'it''s' AS doubled;
.tables
SELECT 4 AS last_without_semicolon" -w shop --lf
expect_rc 0
expect_out "│      60 │"
expect_out "│ a;b     │       2 │"
expect_out "│       3 │"
expect_block "$(printf 'dollar,doubled\nx;y,it'"'"'s')"
expect_out "silver.orders"
expect_block "$(printf 'last_without_semicolon\n4')"
expect_no_out "rat>"
expect_eq "$(cat "$T_DIR/err")" ""
# the first error stops a script, with status 1; what came before ran
shell "SELECT 1 AS before;
SELECT nope;
SELECT 2 AS after;" -w shop -o csv
expect_rc 1
expect_out "before"
expect_no_out "after"
expect_err 'Referenced column "nope" was not found'
shell ".fromat csv" -w shop
expect_rc 1
expect_err "rat: error: unknown command '.fromat'; did you mean '.format'?"
shell ".limit lots" -w shop
expect_rc 1
expect_err "rat: error: .limit wants a count (0: all), got 'lots'"
shell ".describe silver.nope" -w shop
expect_rc 1
expect_err "rat: error: no table silver.nope on workspace/shop"
# the same locked session as rat query
shell "SELECT * FROM read_csv('/etc/passwd');" -w shop
expect_rc 1
expect_err "Permission Error"
shell ".describe silver.orders
.format json
SELECT id FROM silver.orders ORDER BY id LIMIT 2;" -w shop
expect_rc 0
expect_out "Table:         silver.orders"
expect_block "$(printf '[\n{"id":1},\n{"id":2}\n]')"
run shell -w nowhere
expect_rc 1
expect_err "nowhere"
run shell "SELECT 1" -w shop
expect_rc 2
expect_err "rat shell: takes no arguments (type the SQL at the prompt)"

# --- on a terminal ----------------------------------------------------------------
# drive SCRIPT: rat shell -w shop in a pseudo-terminal, typing as SCRIPT says
# (tests/support/pty_drive.py); the screen in $T_DIR/out, ending "exit N"
drive() {
	printf '%s\n' "$1" | python3 "$RAT_SOURCE_DIR/tests/support/pty_drive.py" --timeout 60 \
		"$T_DIR/out" -- "$RAT_BIN" shell -w shop || fail "pty_drive: $(tail -n 30 "$T_DIR/out")"
}
drive 'expect shop> 
send SELECT sum(amount)\r
expect  ...> 
send   AS total FROM silver.orders;\r
expect 1 row
send .tables\r
expect silver.orders
expect shop> 
send .describe silver.orders\r
expect Partitioning:
send SELECT nope;\r
expect Binder Error
expect shop> 
send SELECT 99999 AS cancelled_value
sleep 0.3
send \x03
expect ^C
expect shop> 
send SELECT 5 AS five;\r
expect 1 row
send SELECT count(*) FROM range(1000000000000) t(a) WHERE a % 7 = 3;\r
sleep 1
send \x03
expect INTERRUPT Error: Interrupted!
expect shop> 
send .format csv\r
send SELECT 6 AS six;\r
expect six\n6\nshop> 
# (a Ctrl-D typed before the line editor is ready would be taken by the terminal)
sleep 0.5
send \x04
wait'
expect_out "exit 0"
expect_out "rat shell on workspace/shop (shop)."
expect_out "│      60 │"
expect_out "│ five    │"
expect_no_out "Parser Error" # the cancelled line was not kept
expect_no_out "99999 │" # nor run
expect_block "$(printf 'six\n6')"
T_CHECKS=$((T_CHECKS + 1))
[ "$(stat -c %a "$RAT_HOME/shell_history")" = 600 ] || fail "the history is not private"
# a second session finds the history: the Up arrow brings back the last statement, then the
# multi-line one
drive 'expect shop> 
sleep 0.3
send \e[A
sleep 0.3
send \r
expect six
expect 1 row\nshop> 
send \e[A\e[A\e[A\e[A\e[A\e[A\e[A\e[A\e[A
sleep 0.3
send \r
expect total
expect 1 row
send .quit\r
wait'
expect_out "exit 0"
expect_out "│ six     │"
expect_out "│      60 │"

# a script that ends inside a quote runs nothing of it, and says so
shell "SELECT 1 AS fine;
SELECT 'never closed" -w shop
expect_rc 1
expect_out "fine"
expect_err "rat: error: shell: the script ends inside a quote or a comment"
# a last line that ends in a comment, with no newline, runs
shell "SELECT 8 AS eight -- the answer" -w shop -o csv
expect_rc 0
expect_eq "$(cat "$T_DIR/out")" "$(printf 'eight\r\n8\r')"
# a script's line over 64 MiB is refused, not held whole
set +e
head -c $((65 << 20)) /dev/zero | tr '\0' ' ' | "$RAT_BIN" shell -w shop >"$T_DIR/out" 2>"$T_DIR/err"
RC=$?
set -e
expect_rc 1
expect_err "rat: error: shell: a line of more than 64 MiB, or out of memory"
