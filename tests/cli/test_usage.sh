#!/usr/bin/env bash
# tests/cli/test_usage.sh - --version, --help everywhere, and exit codes
# 0 ok / 1 failure / 2 usage.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run --version
expect_rc 0
expect_out "rat 0.1.0"
expect_out "DuckDB v1.4.4"

run --help
expect_rc 0
expect_out "Usage: rat"
for cmd in init workspace query branch tag log diff merge dev tables describe history preview; do
	expect_out "  $cmd "
done
for cmd in init workspace query branch tag log diff merge dev tables describe history preview; do
	run "$cmd" --help
	expect_rc 0
	expect_out "Usage: rat $cmd"
	run help "$cmd"
	expect_rc 0
	expect_out "Usage: rat $cmd"
	run "$cmd" --no-such-option
	expect_rc 2
	expect_err "unknown option '--no-such-option'"
	expect_err "Try 'rat $cmd --help'"
done

run
expect_rc 2
expect_err "Usage: rat"
run frobnicate
expect_rc 2
expect_err "unknown command 'frobnicate'"
run help frobnicate
expect_rc 2
run init
expect_rc 2
expect_err "missing workspace NAME"
run init a b
expect_rc 2
run workspace
expect_rc 2
expect_err "missing subcommand"
run workspace frob
expect_rc 2
expect_err "unknown subcommand 'frob'"
run query
expect_rc 2
expect_err "missing SQL"
run query "SELECT 1" --format xml
expect_rc 2
expect_err "unknown format 'xml' (table, csv, json)"
run query "SELECT 1" --max-rows lots
expect_rc 2

# the shared options (-w, --ref, --limit) fail the same way in every command
for bad in lots -3 ""; do
	run log --limit "$bad"
	expect_rc 2
	expect_err "--limit wants a count, got '$bad'"
	run preview bronze.t --limit "$bad"
	expect_rc 2
	expect_err "--limit wants a count, got '$bad'"
done
run tables --limit 3
expect_rc 2
expect_err "unknown option '--limit'"
run diff --ref main a
expect_rc 2
expect_err "unknown option '--ref'"
run tables extra
expect_rc 2
expect_err "takes no arguments"
for cmd in describe history preview; do
	run "$cmd"
	expect_rc 2
	expect_err "wants one TABLE (layer.table)"
	run "$cmd" bronze.a bronze.b
	expect_rc 2
	expect_err "wants one TABLE (layer.table)"
done
run log a b
expect_rc 2
expect_err "too many arguments"
run diff
expect_rc 2
expect_err "wants A [B]"
run dev
expect_rc 2
expect_err "missing subcommand (start, list, diff, merge, drop, run)"
run dev start
expect_rc 2
expect_err "start needs one NAME"
