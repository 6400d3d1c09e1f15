#!/usr/bin/env bash
# tests/cli/test_exec_env.sh - an executable pipeline runs with a clean
# environment in a working folder of its own (issue 15, item 13): what the
# run gives it (RAT_*), HOME and TMPDIR in that folder, PATH, LANG, LC_ALL,
# LC_CTYPE and TZ, and the variables the workspace may read (RAT_VAR_*,
# env_vars). It used to inherit the operator's whole environment (S3 and AWS
# keys, RAT_HOME) and run in the workspace's folder.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
csv() { ws_csv shop "$1"; }

# the operator's environment: credentials, settings, a home with credentials in it
export HOME="$T_DIR/operator"
mkdir -p "$HOME/.aws"
printf '[default]\naws_secret_access_key = home-secret\n' > "$HOME/.aws/credentials"
export S3_SECRET_KEY=operator-s3-secret AWS_SECRET_ACCESS_KEY=operator-aws-secret
export DATABASE_URL=postgres://op:pw@db/prod SHOP_REGION=eu-west RAT_VAR_DAYS=7
echo "env_vars: [SHOP_REGION]" >> "$ws/workspace.yaml"

cat > "$p/bronze/names.sh" <<'SH'
#!/bin/sh
printf 'name\n' > "$RAT_OUTPUT_DIR/names.csv"
env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' |
	grep -v -x -e PWD -e OLDPWD -e SHLVL -e _ | sort -u >> "$RAT_OUTPUT_DIR/names.csv"
SH
cat > "$p/bronze/where.sh" <<'SH'
#!/bin/sh
home_creds=$(cat ~/.aws/credentials 2>/dev/null || echo none)
printf 'cwd,home,tmp,creds,region,days\n%s,%s,%s,%s,%s,%s\n' "$(pwd)" "$HOME" "$TMPDIR" \
	"$home_creds" "$SHOP_REGION" "$RAT_VAR_DAYS" > "$RAT_OUTPUT_DIR/where.csv"
touch "$TMPDIR/scratch" relative-file
SH
run run -w shop
expect_rc 0

# exactly the documented set, whatever the operator's environment holds
expected="HOME PATH RAT_IS_INCREMENTAL RAT_OUTPUT_DIR RAT_PIPELINE RAT_RUN_ID RAT_RUN_STARTED_AT RAT_VAR_DAYS RAT_WORKSPACE SHOP_REGION TMPDIR"
for v in LANG LC_ALL LC_CTYPE TZ; do
	if [ -n "${!v+x}" ]; then expected="$expected $v"; fi
done
expected="$(echo $expected | tr ' ' '\n' | sort | paste -sd' ')"
expect_eq "$(csv "SELECT string_agg(name, ' ' ORDER BY name) FROM bronze.names")" "$expected"

# its own working folder, which is its HOME: not the workspace, not the operator's home
row="$(csv 'SELECT cwd, home, tmp, creds, region, days FROM bronze.where')"
IFS=, read -r cwd home tmp creds region days <<< "$row"
expect_eq "$home" "$cwd"
expect_eq "$tmp" "$cwd/tmp"
expect_eq "$creds" "none"
expect_eq "$region,$days" "eu-west,7"
case "$cwd" in "$ws"*|"$HOME"*) fail "the executable ran in $cwd" ;; esac
case "$cwd" in "$RAT_HOME"/*) ;; *) fail "the working folder $cwd is not under RAT_HOME" ;; esac
# what it leaves in its folder goes with the run
expect_no_file "$ws/relative-file"
expect_no_file "$cwd"
