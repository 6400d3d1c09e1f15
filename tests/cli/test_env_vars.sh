#!/usr/bin/env bash
# tests/cli/test_env_vars.sh - env_var() in a template reads only what the
# workspace is allowed (issue 15, item 6): RAT_VAR_* and the names its
# workspace.yaml lists in env_vars; the operator's credentials and settings
# never, listed or not. `{{ env_var("S3_SECRET_KEY") }}` used to put the key
# into a gold table and --dry-run printed it.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
csv() { ws_csv shop "$1"; }
export S3_SECRET_KEY=operator-s3-secret-4f1c AWS_SECRET_ACCESS_KEY=operator-aws-secret-9e2d
export HOME_REGION=eu-west RAT_VAR_SHOP_DAYS=7

# the attack: a credential into a table, and on the screen by --dry-run
cat > "$p/gold/leak.sql" <<'SQL'
SELECT '{{ env_var("S3_SECRET_KEY") }}' AS k
SQL
run run -w shop --dry-run
expect_rc 1
expect_err "gold.leak: pipelines/gold/leak.sql:1: environment variable 'S3_SECRET_KEY' is a storage credential of the operator: a workspace never reads it (a pipeline's own credential goes in the workspace's secrets: rat secret set -w shop NAME)"
grep -q operator-s3-secret "$T_DIR/out" "$T_DIR/err" && fail "--dry-run printed the S3 secret key"
run run -w shop
expect_rc 1
expect_err "environment variable 'S3_SECRET_KEY' is a storage credential of the operator"
grep -q operator-s3-secret "$T_DIR/out" "$T_DIR/err" && fail "rat run printed the S3 secret key"
run query -w shop "SELECT * FROM gold.leak"
expect_rc 1
grep -rq operator-s3-secret "$RAT_HOME" && fail "the S3 secret key was written under RAT_HOME"

# a default does not turn the refusal into a silent fallback
cat > "$p/gold/leak.sql" <<'SQL'
SELECT '{{ env_var("AWS_SECRET_ACCESS_KEY", "none") }}' AS k
SQL
run run -w shop gold.leak
expect_rc 1
expect_err "pipelines/gold/leak.sql:1: environment variable 'AWS_SECRET_ACCESS_KEY' is a storage credential of the operator"
cat > "$p/gold/leak.sql" <<'SQL'
SELECT '{{ env_var("RAT_HOME") }}' AS k
SQL
run run -w shop gold.leak
expect_rc 1
expect_err "environment variable 'RAT_HOME' is one of rat's own settings: a workspace never reads it"

# a variable of the operator that the workspace does not list is refused too
cat > "$p/gold/leak.sql" <<'SQL'
SELECT '{{ env_var("HOME_REGION") }}' AS k
SQL
run run -w shop gold.leak
expect_rc 1
expect_err "pipelines/gold/leak.sql:1: environment variable 'HOME_REGION' is not allowed for workspace 'shop' (a workspace reads RAT_VAR_* and the names its workspace.yaml lists in env_vars)"
rm "$p/gold/leak.sql"

# RAT_VAR_* is allowed without a list; a listed name is read
cat > "$p/gold/settings.sql" <<'SQL'
SELECT '{{ env_var("RAT_VAR_SHOP_DAYS") }}' AS days, '{{ env_var("HOME_REGION") }}' AS region,
       '{{ env_var("SHOP_UNSET", "none") }}' AS other
SQL
echo "env_vars: [HOME_REGION, SHOP_UNSET]" >> "$ws/workspace.yaml"
run run -w shop
expect_rc 0
expect_eq "$(csv 'SELECT days, region, other FROM gold.settings')" "7,eu-west,none"

# listing a credential is refused where it is written, even when S3 is not used
echo "env_vars: [HOME_REGION, S3_SECRET_KEY]" > "$T_DIR/line"
sed -i '$d' "$ws/workspace.yaml"
cat "$T_DIR/line" >> "$ws/workspace.yaml"
line=$(wc -l < "$ws/workspace.yaml")
run run -w shop
expect_rc 1
expect_err "workspace.yaml:$line:25: env_vars[1]: S3_SECRET_KEY is a storage credential of the operator: templates and executables never see it, even listed"
