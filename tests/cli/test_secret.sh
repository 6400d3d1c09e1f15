#!/usr/bin/env bash
# tests/cli/test_secret.sh - a workspace's secrets (issue 15, item 6):
# `rat secret set|list|rm` (the value from standard input, never the command
# line), kept sealed outside the workspace folder with a key kept apart,
# read in templates as {{ secret('KEY') }} and by executables as KEY, and
# masked in --dry-run, in messages and in the run's record.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
csv() { ws_csv shop "$1"; }
export RAT_SECRETS_KEY_FILE="$T_DIR/keys/secrets.key"
value="tok-5f2a9c81e7d3"
no_value() { # FILE...: none holds the secret's value
	if grep -rq -- "$value" "$@"; then fail "the value shows in: $(grep -rl -- "$value" "$@")"; fi
	T_CHECKS=$((T_CHECKS + 1))
}

# set: from standard input (a trailing newline dropped), never from argv
printf '%s\n' "$value" | "$RAT_BIN" secret set API_TOKEN -w shop > "$T_DIR/out" 2> "$T_DIR/err" || fail "set"
expect_out "Set secret API_TOKEN of workspace shop"
run secret set API_TOKEN "$value" -w shop
expect_rc 2
expect_err "set takes one KEY; the value comes from standard input, never the command line"
expect_eq "$(stat -c %a "$RAT_HOME/secrets")" "700"
expect_eq "$(stat -c %a "$RAT_HOME/secrets/shop.json")" "600"
expect_eq "$(stat -c %a "$RAT_SECRETS_KEY_FILE")" "600"
no_value "$RAT_HOME" "$RAT_WORKSPACES" "$T_DIR/keys"

# bad names and values are refused, naming what is wrong
for bad in RAT_TOKEN HOME PATH; do
	echo "long-enough" | "$RAT_BIN" secret set "$bad" -w shop > "$T_DIR/out" 2> "$T_DIR/err" && fail "set $bad"
	expect_err "secret name '$bad' is taken: an executable pipeline gets RAT_*, HOME, TMPDIR, PATH, LANG, LC_ALL, LC_CTYPE and TZ from its run"
done
echo x | "$RAT_BIN" secret set 1TOKEN -w shop > "$T_DIR/out" 2> "$T_DIR/err" && fail "set 1TOKEN"
expect_err "invalid secret name '1TOKEN'"
echo abc | "$RAT_BIN" secret set SHORT -w shop > "$T_DIR/out" 2> "$T_DIR/err" && fail "set SHORT"
expect_err "secret 'SHORT': a value has 4 to 65536 bytes, got 3"

# list: names and dates, never values
export RAT_NOW="2024-03-01 10:00:00"
echo "db-password-77" | "$RAT_BIN" secret set DB_PASSWORD -w shop > /dev/null || fail "set DB_PASSWORD"
unset RAT_NOW
run secret list -w shop
expect_rc 0
expect_out "DB_PASSWORD  2024-03-01 10:00:00  2024-03-01 10:00:00"
expect_out "API_TOKEN"
no_value "$T_DIR/out"
run secret list -w shop --json
expect_json 'len(d)' 2 'd[1]["name"]' DB_PASSWORD 'd[1]["created_at"]' 2024-03-01T10:00:00.000Z \
	'sorted(d[0].keys())' '["created_at","created_ms","name","updated_at","updated_ms"]'

# a template reads it; the table holds what the SQL made of it
cat > "$p/gold/auth.sql" <<'SQL'
SELECT md5('{{ secret("API_TOKEN") }}') AS h, length('{{ secret("API_TOKEN") }}') AS n
SQL
run run -w shop --dry-run
expect_rc 0
expect_out "SELECT md5('****************') AS h, length('****************') AS n"
no_value "$T_DIR/out" "$T_DIR/err"
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT h, n FROM gold.auth')" "$(printf %s "$value" | md5sum | cut -d' ' -f1),${#value}"

# an executable gets it as KEY; what it prints of it is masked in the error
cat > "$p/bronze/caller.sh" <<'SH'
#!/bin/sh
printf 'n\n%s\n' "${#API_TOKEN}" > "$RAT_OUTPUT_DIR/rows.csv"
[ -z "$FAIL" ] || { echo "calling with token $API_TOKEN"; exit 3; }
SH
run run -w shop bronze.caller
expect_rc 0
expect_eq "$(csv 'SELECT n FROM bronze.caller')" "${#value}"
sed -i 's/\[ -z "\$FAIL" \]/false/' "$p/bronze/caller.sh"
run run -w shop bronze.caller
expect_rc 1
expect_err "calling with token ***"
no_value "$T_DIR/out" "$T_DIR/err"

# a failing query: the engine's message and the compiled SQL are masked
cat > "$p/gold/auth.sql" <<'SQL'
SELECT CAST('{{ secret("API_TOKEN") }}' AS INTEGER) AS n
SQL
run run -w shop gold.auth
expect_rc 1
expect_err "Could not convert string '***' to INT32"
expect_err "compiled | SELECT CAST('****************' AS INTEGER) AS n"
no_value "$T_DIR/out" "$T_DIR/err"
id="$(sed -n 's/^Run \([^ ]*\) on .*/\1/p' "$T_DIR/out")"
run runs show "$id" -w shop --json
expect_rc 0
no_value "$T_DIR/out" "$RAT_HOME/runs"

# a name the workspace does not have, or another workspace's
cat > "$p/gold/auth.sql" <<'SQL'
SELECT '{{ secret("NOPE") }}' AS n
SQL
run run -w shop gold.auth
expect_rc 1
expect_err "pipelines/gold/auth.sql:1: workspace 'shop' has no secret 'NOPE' (rat secret set -w shop NOPE)"
ws_init other
printf "SELECT '{{ secret(\"API_TOKEN\") }}' AS n\n" > "$p/gold/steal.sql"
run run -w other
expect_rc 1
expect_err "workspace 'other' has no secret 'API_TOKEN'"
# its store copied over another's does not open: values are bound to their workspace
sed 's/"workspace": "shop"/"workspace": "other"/' "$RAT_HOME/secrets/shop.json" > "$RAT_HOME/secrets/other.json"
run run -w other
expect_rc 1
expect_err "workspace 'other': its secrets: secret 'API_TOKEN': the value does not open with this key"
rm "$RAT_HOME/secrets/other.json"

# without the key, what needs a secret fails and says where the key was looked for
p="$RAT_WORKSPACES/shop/pipelines"
rm -r "$p/bronze/caller.sh"
printf "SELECT length('{{ secret(\"API_TOKEN\") }}') AS n\n" > "$p/gold/auth.sql"
mv "$RAT_SECRETS_KEY_FILE" "$T_DIR/key.away"
run run -w shop gold.auth
expect_rc 1
expect_err "workspace 'shop' has secrets, but their key $RAT_SECRETS_KEY_FILE is missing (set RAT_SECRETS_KEY_FILE to where it is kept)"
mv "$T_DIR/key.away" "$RAT_SECRETS_KEY_FILE"
chmod 644 "$RAT_SECRETS_KEY_FILE"
run run -w shop gold.auth
expect_rc 1
expect_err "secrets key $RAT_SECRETS_KEY_FILE is readable by others (mode 0644): chmod 600 it"
chmod 600 "$RAT_SECRETS_KEY_FILE"

# the generated documents show a secret's place, never its value, and need no key
printf "SELECT 1 AS n FROM (SELECT 1) WHERE '{{ secret(\"API_TOKEN\") }}' <> ''\n" > "$p/gold/auth.sql"
mv "$RAT_SECRETS_KEY_FILE" "$T_DIR/key.away"
run docs generate -w shop
expect_rc 0
expect_file "$p/gold/auth/docs/business_rules.md"
grep -qF "'***' <> ''" "$p/gold/auth/docs/business_rules.md" || fail "business_rules.md lacks the masked filter"
no_value "$p"
mv "$T_DIR/key.away" "$RAT_SECRETS_KEY_FILE"

# rm
run secret rm API_TOKEN -w shop
expect_rc 0
expect_out "Removed secret API_TOKEN of workspace shop"
run secret rm API_TOKEN -w shop
expect_rc 1
expect_err "workspace 'shop' has no secret 'API_TOKEN'"
run secret rm DB_PASSWORD -w shop
run secret list -w shop
expect_out "Workspace shop has no secrets"
