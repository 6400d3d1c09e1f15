#!/usr/bin/env bash
# tests/cli/test_token.sh - `rat token create|list|revoke` and what a token
# is checked against (rat_token_check, through tests/support/token_check): a
# token acts for its workspace only, a read-only one says so, a revoked one
# fails on its next check, a changed secret fails; the store keeps no token
# (only digests), is mode 0600, and is apart from the catalog (a restored
# catalog backup brings back no revoked token).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init a
ws_init b
check() { # $1 workspace, $2 token: prints "ok write|ok read" or the error
	"$RAT_TOKEN_CHECK" "$RAT_WORKSPACES/$1" "$2" 2>&1
}

# no tokens file yet: revoke and list say so, and make no file
run token revoke 0123456789abcdef01234567 -w a
expect_rc 1
expect_err "no token 0123456789abcdef01234567"
run token list -w a
expect_rc 0
expect_out "Workspace a has no tokens"
expect_no_file "$RAT_HOME/tokens.db"

run token create -w a --note "spark on the team's cluster"
expect_rc 0
expect_err "rat: a read-write token for workspace a; it is not shown again"
tok_a="$(cat "$T_DIR/out")"
expect_eq "$(printf '%s\n' "$tok_a" | grep -cE '^rat_a_[0-9a-f]{24}_[0-9a-f]{64}$')" "1"
run token create -w b --read-only
expect_rc 0
tok_b="$(cat "$T_DIR/out")"
expect_eq "$(check a "$tok_a")" "ok write"
expect_eq "$(check b "$tok_b")" "ok read"

# a token acts for its own workspace only; a changed secret, a changed id, junk: invalid
expect_eq "$(check b "$tok_a")" "invalid token"
expect_eq "$(check a "${tok_a%?}0")" "$( [ "${tok_a: -1}" = 0 ] && echo 'ok write' || echo 'invalid token')"
forged="rat_b_${tok_a#rat_a_}"
expect_eq "$(check b "$forged")" "invalid token"
expect_eq "$(check a "rat_a_nothex")" "invalid token"
expect_eq "$(check a "")" "invalid token"

# the store: mode 0600, digests only, no token text
T_CHECKS=$((T_CHECKS + 3))
[ "$(stat -c %a "$RAT_HOME/tokens.db")" = 600 ] || fail "tokens.db is mode $(stat -c %a "$RAT_HOME/tokens.db")"
secret_a="${tok_a##*_}"
! grep -qa "$secret_a" "$RAT_HOME/tokens.db" "$RAT_HOME"/tokens.db-wal 2>/dev/null ||
	fail "tokens.db holds a token's secret"
! grep -rqa "$secret_a" "$RAT_HOME" || fail "RAT_HOME holds a token's secret"

# list: ids and notes, never a token; per workspace or --all
id_a="$(printf '%s' "$tok_a" | cut -d_ -f3)"
run token list -w a
expect_rc 0
expect_out "$id_a  a          write"
expect_out "spark on the team's cluster"
expect_no_out "$secret_a"
expect_no_out "read"
run token list -w a --all --json
expect_rc 0
expect_json "len(d)" 2 "d[0]['id']" "$id_a" "d[0]['read_only']" false "d[1]['read_only']" true \
	"d[1]['workspace']" b "d[0]['revoked_at']" null

# a catalog backup taken now, restored after the revocation, brings back no token
run catalog backup -w a "$T_DIR/catalog.db"
expect_rc 0
run token revoke "$id_a" -w a
expect_rc 0
expect_out "Revoked token $id_a"
expect_eq "$(check a "$tok_a")" "token $id_a was revoked"
run catalog restore -w a "$T_DIR/catalog.db"
expect_rc 0
expect_eq "$(check a "$tok_a")" "token $id_a was revoked"
run token revoke "$id_a" -w a
expect_rc 1
expect_err "token $id_a is revoked already"
run token revoke 0123456789abcdef01234567 -w a
expect_rc 1
expect_err "no token 0123456789abcdef01234567"
run token revoke nope -w a
expect_rc 1
expect_err "'nope' is not a token id (24 hex digits, as \`rat token list\` shows)"
run token list -w a
expect_out "$id_a  a          write"
expect_no_out "  -  "

# usage
run token revoke -w a
expect_rc 2
run token list --read-only -w a
expect_rc 2
run token mint -w a
expect_rc 2
