#!/usr/bin/env bash
# tests/cli/test_options.sh - one option parser for every command (issue 13):
# from the parser's own tables (`rat __options`), no short flag and no long
# name has two meanings; each command's help lists its options; the spellings
# (--opt=v, -xv, clusters, prefixes, --) work everywhere; the old spellings
# still work and warn; and `rat <typo>` suggests the nearest command.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

# --- the tables ------------------------------------------------------------
# check_options FILE: print every conflict in a listing of `rat __options`
# (fields: command, option|alias, spelling, --name, value or flag, what) and
# fail when there is one.
check_options() {
	awk -F'\t' '
	function bad(msg) { print msg; status = 1 }
	$2 == "option" {
		if (seen[$1, $4]++) bad($1 ": " $4 " listed twice")
		if ($3 != "-" && seen[$1, $3]++) bad($1 ": " $3 " listed twice")
		if ($3 != "-" && ($3 in letter) && letter[$3] != $4)
			bad("short flag " $3 " means " letter[$3] " and " $4 " (" $1 ")")
		if ($3 != "-") letter[$3] = $4
		# `rat --version` is rat'"'"'s own: the long names of the commands are checked apart
		sig = $3 " " $5
		if ($1 != "rat" && ($4 in name) && name[$4] != sig)
			bad("long name " $4 " is \"" name[$4] "\" and \"" sig "\" (" $1 ")")
		if ($1 != "rat") name[$4] = sig
		value[$1, $3] = $5; value[$1, $4] = $5; what[$1, $4] = $6
		if ($6 ~ /^sets:/) sets[$1, $4] = substr($6, 6)
	}
	$2 == "alias" {
		if (!(($1, $4) in value)) bad($1 ": old spelling " $3 " names " $4 ", which " $1 " does not take")
		if ((($1, $3) in value) && $6 == "always")
			bad($1 ": old spelling " $3 " hides what " $3 " means now")
		if ((($1, $3) in value) && (value[$1, $3] == "flag") != ($5 == "flag"))
			bad($1 ": " $3 " takes a value one way and not the other")
		if (alias[$1, $3]++) bad($1 ": old spelling " $3 " listed twice")
	}
	END {
		for (k in sets) { # an option standing for another (--json): that one takes the value
			split(k, cmd, SUBSEP); split(sets[k], target, " ")
			w = what[cmd[1], target[1]]; found = w == "any"
			n = split(substr(w, 8), choice, ", ")
			for (i = 1; i <= n; i++) if (w ~ /^one-of:/ && choice[i] == target[2]) found = 1
			if (!found) bad(cmd[1] ": " cmd[2] " sets " sets[k] ", which " cmd[1] " does not accept")
		}
		exit status
	}' "$1"
}

run __options
expect_rc 0
cp "$T_DIR/out" "$T_DIR/options"
expect_out "query	option	-o	--format	FORMAT	one-of:table, csv, json"
T_CHECKS=$((T_CHECKS + 1))
check_options "$T_DIR/options" || fail "the option tables conflict"
# the checker does find conflicts: a second meaning for -f, a second form of --workspace,
# an old spelling that would hide a current one
for doctored in "query	option	-f	--fake	flag	-" "tag	option	-	--workspace	NAME|PATH	any" \
	"test	alias	-o	--format	FORMAT	always" "merge	alias	-q	--nothing	flag	always" \
	"diff	option	-	--json	flag	sets:--format json"; do
	{ cat "$T_DIR/options"; echo "$doctored"; } > "$T_DIR/doctored"
	T_CHECKS=$((T_CHECKS + 1))
	! check_options "$T_DIR/doctored" >/dev/null || fail "the checker missed: $doctored"
done
# the short flags SPEC and README give
for pair in -w:--workspace -o:--format -f:--full-refresh -p:--pipeline -t:--type -l:--layer \
	-r:--ref -n:--limit -v:--verbose -x:--fail-fast -s:--select -h:--help; do
	T_CHECKS=$((T_CHECKS + 1))
	grep -qP "^[a-z]+\toption\t${pair%%:*}\t${pair#*:}\t" "$T_DIR/options" || fail "no ${pair%%:*} for ${pair#*:}"
done
# every command's help lists every option it takes
while IFS=$'\t' read -r cmd kind short long _; do
	[ "$kind" = option ] && [ "$cmd" != rat ] || continue
	run "$cmd" --help
	expect_rc 0
	if [ "$short" = - ]; then expect_out "    $long"; else expect_out "  $short, $long"; fi
done < "$T_DIR/options"
run __options
expect_no_out "__options"
run --help
expect_no_out "__options"

# --- spellings -------------------------------------------------------------
run init analytics
expect_rc 0
csv_of() { tr -d '\r' < "$T_DIR/out" | paste -sd' '; }
for spelling in "--format csv" "--format=csv" "-o csv" "-ocsv" "--form csv"; do
	# shellcheck disable=SC2086 # the spelling is several words
	run query "SELECT 42 AS a" $spelling -w analytics
	expect_rc 0
	expect_eq "$(csv_of)" "a 42"
	expect_eq "$(cat "$T_DIR/err")" ""
done
run query -wanalytics --workspace=analytics --json "SELECT 1 AS x"
expect_rc 0
expect_out '{"x":1}'
run query -w analytics --format csv -- "SELECT 7 AS seven"
expect_rc 0
expect_eq "$(csv_of)" "seven 7"
run query -w analytics -n 2 "SELECT * FROM range(5)"
expect_rc 0
expect_out "2 rows shown; more not shown (--limit 0 shows all)"
run query -w analytics --limit=0 "SELECT * FROM range(5)"
expect_rc 0
expect_out "5 rows"
run test -w analytics -vx --json
expect_rc 0
expect_out '"total": 0'
run run -w analytics --dry-run=yes
expect_rc 2
expect_err "option '--dry-run' takes no value"
run query "SELECT 1" -w
expect_rc 2
expect_err "option '-w' wants a value (NAME|PATH)"
run run --f
expect_rc 2
expect_err "option '--f' is ambiguous (--full-refresh, --format)"
run query "SELECT 1" --fromat csv
expect_rc 2
expect_err "unknown option '--fromat'; did you mean --format?"
expect_err "Try 'rat query --help'"
run query "SELECT 1" -q
expect_rc 2
expect_err "unknown option '-q'"
run test --format xml
expect_rc 2
expect_err "unknown format 'xml' (console, json, junit)"

# --- old spellings: they work, and say what they are now -------------------
run query -w analytics -f csv "SELECT 42 AS a"
expect_rc 0
expect_eq "$(csv_of)" "a 42"
expect_err "rat: warning: 'rat query -f csv' is now '-o csv' (--format)"
run query -w analytics -o answer.csv --format csv "SELECT 42 AS a"
expect_rc 0
expect_eq "$(tr -d '\r' < answer.csv | paste -sd' ')" "a 42"
expect_err "rat: warning: 'rat query -o answer.csv' is now '--output answer.csv'"
run query -w analytics --max-rows 3 "SELECT * FROM range(10)"
expect_rc 0
expect_out "3 rows shown"
expect_err "rat: warning: 'rat query --max-rows 3' is now '-n 3' (--limit)"
run query -w analytics --max-rows=lots "SELECT 1"
expect_rc 2
expect_err "--limit wants a count, got 'lots'"
run test -w analytics --output junit
expect_rc 0
expect_out "<testsuites"
expect_err "rat: warning: 'rat test --output junit' is now '-o junit' (--format)"
run branch create b1 -f workspace/analytics -w analytics
expect_rc 0
expect_out "Created branch b1 from workspace/analytics"
expect_err "rat: warning: 'rat branch -f workspace/analytics' is now '--from workspace/analytics'"
run tag create t1 -fb1 -w analytics
expect_rc 0
expect_out "Created tag t1 from b1"
expect_err "'rat tag -f b1' is now '--from b1'"
run merge b1 -n -w analytics
expect_rc 0
expect_err "rat: warning: 'rat merge -n' is now '--dry-run'"
run retention apply -n -w analytics
expect_rc 0
expect_out "Dry run: nothing changed."
expect_err "rat: warning: 'rat retention -n' is now '--dry-run'"
run vacuum -w analytics -vn -o 0
expect_rc 0
expect_out "Would delete"
expect_err "rat: warning: 'rat vacuum -n' is now '--dry-run'"
expect_err "rat: warning: 'rat vacuum -o 0' is now '--older-than 0'"
run vacuum -w analytics -o soon
expect_rc 2
expect_err "--older-than wants an age like 7d, 12h or 0, got 'soon'"
run run -w analytics --dry-run -v day=1
expect_rc 0
expect_err "rat: warning: 'rat run -v day=1' is now '--var day=1'"
run run -w analytics --dry-run -v day
expect_rc 2
expect_err "--var wants NAME=VALUE, got 'day'"
run init second -p "$T_DIR/second" --description "the second"
expect_rc 0
expect_file "$T_DIR/second/workspace.yaml"
expect_err "rat: warning: 'rat init -p $T_DIR/second' is now '--path $T_DIR/second'"
run products publish nothing -V 1.0.0 -w analytics
expect_err "rat: warning: 'rat products -V 1.0.0' is now '--version 1.0.0'"
# the new spellings say nothing
run runs -w analytics -n 1 --json
expect_rc 0
expect_eq "$(cat "$T_DIR/err")" ""

# --- typos -----------------------------------------------------------------
for typo in rnu:run tabels:tables qeury:query lgo:log; do
	run "${typo%%:*}"
	expect_rc 2
	expect_err "unknown command '${typo%%:*}'; did you mean '${typo#*:}'?"
	expect_err "Try 'rat --help'."
done
run help rnu
expect_rc 2
expect_err "unknown command 'rnu'; did you mean 'run'?"
run frobnicate
expect_rc 2
expect_err "unknown command 'frobnicate'"
T_CHECKS=$((T_CHECKS + 1))
! grep -q "did you mean" "$T_DIR/err" || fail "a suggestion for frobnicate"
run --verison
expect_rc 2
expect_err "unknown option '--verison'; did you mean --version?"
run docs genrate -w analytics
expect_rc 2
expect_err "unknown subcommand 'genrate' (generate, check); did you mean 'generate'?"
run workspace shwo
expect_rc 2
expect_err "unknown subcommand 'shwo' (list, show, move); did you mean 'show'?"
run products publsh
expect_rc 2
expect_err "did you mean 'publish'?"
run branch craete x -w analytics
expect_rc 2
expect_err "did you mean 'create'?"
run dev strat x
expect_rc 2
expect_err "did you mean 'start'?"
run runs shwo 1
expect_rc 2
expect_err "did you mean 'show'?"
run retention aply
expect_rc 2
expect_err "did you mean 'apply'?"
