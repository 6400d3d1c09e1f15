#!/usr/bin/env bash
# tests/cli/test_s3_defaults.sh - the guide's S3 defaults (issue 14, item
# 12): with ICEBERG_WAREHOUSE=s3://... and none of S3_ENDPOINT,
# S3_ACCESS_KEY, S3_SECRET_KEY set, rat talks to the local MinIO the guide
# sets up, http://localhost:9000, signing with ratatouille/ratatouille123;
# `rat workspace show` says so (never the secret); S3_ENDPOINT=aws means AWS.
#
# The test runs in a network namespace of its own (unshare -n), where it can
# take port 9000 without meeting anything else on the machine: a SigV4
# checking proxy (fault_proxy.py --verify-sigv4) listens there, in front of
# moto_server. An unsigned request, or one signed with other keys, is
# refused by the proxy; a request to AWS finds no network.
if [ -z "${RAT_TEST_NETNS:-}" ]; then
	exec unshare -n env RAT_TEST_NETNS=1 bash "$0" "$@"
fi
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
ip link set lo up || fail "cannot bring up the namespace's loopback"
unset S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_REGION RAT_NOW

bash "$RAT_SOURCE_DIR/tests/support/s3_server.sh" moto "$T_DIR/moto" lake $$ || fail "moto_server did not start"
mkdir -p "$T_DIR/proxy"
: > "$T_DIR/proxy/rules"
setsid python3 "$RAT_SOURCE_DIR/tests/support/fault_proxy.py" --port 9000 \
	--upstream "127.0.0.1:$(cat "$T_DIR/moto/port")" --rules "$T_DIR/proxy/rules" \
	--log "$T_DIR/proxy/log" --verify-sigv4 ratatouille:ratatouille123:us-east-1 \
	>"$T_DIR/proxy/server.log" 2>&1 </dev/null &
echo $! > "$T_DIR/proxy/pid"
trap 'kill -- -"$(cat "$T_DIR/moto/pid")" -"$(cat "$T_DIR/proxy/pid")" 2>/dev/null || true' EXIT
for i in $(seq 1 100); do # listening (a connection, no request: the log holds rat's alone)
	(exec 3<>/dev/tcp/127.0.0.1/9000) 2>/dev/null && break
	sleep 0.1
done

run init shop
expect_rc 0
echo "SELECT 42 AS answer" > "$RAT_WORKSPACES/shop/pipelines/gold/answer.sql"
export ICEBERG_WAREHOUSE=s3://lake/warehouse

run workspace show -w shop
expect_rc 0
expect_out "S3 endpoint:   http://localhost:9000 (default: S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY unset)"
expect_out "S3 region:     us-east-1"
expect_out "S3 access key: ratatouille (requests signed)"
T_CHECKS=$((T_CHECKS + 1))
! grep -q ratatouille123 "$T_DIR/out" || fail "workspace show printed the secret key"

# nothing but the warehouse set: the run writes to the guide's MinIO, signed
run run -w shop
expect_rc 0
expect_out "success"
run query -w shop --format csv "SELECT answer FROM gold.answer"
expect_rc 0
expect_out "42"
T_CHECKS=$((T_CHECKS + 1))
grep -q ' pass ' "$T_DIR/proxy/log" || fail "no request reached localhost:9000"
T_CHECKS=$((T_CHECKS + 1))
! grep -q badsig "$T_DIR/proxy/log" || fail "a request was not signed with the guide's keys: $(grep badsig "$T_DIR/proxy/log" | head -3)"
T_CHECKS=$((T_CHECKS + 1))
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url "http://127.0.0.1:$(cat "$T_DIR/moto/port")" \
	s3 ls --recursive s3://lake/warehouse/shop/gold/answer/ > "$T_DIR/bucket.txt" || fail "aws s3 ls"
grep -q '\.parquet$' "$T_DIR/bucket.txt" || fail "no data file of gold.answer in the bucket"

# keys of one's own: no default endpoint is made up for them (AWS), and the guide's keys are not sent
S3_ACCESS_KEY=mine S3_SECRET_KEY=other run workspace show -w shop
expect_out "S3 endpoint:   https://s3.us-east-1.amazonaws.com (AWS: S3_ENDPOINT unset)"
expect_out "S3 access key: mine (requests signed)"
# an endpoint of one's own, without keys: unsigned, and the proxy says so
S3_ENDPOINT=http://localhost:9000 run query -w shop "SELECT answer FROM gold.answer"
expect_rc 1
expect_err "403"
S3_ENDPOINT=http://localhost:9000 run workspace show -w shop
expect_out "S3 endpoint:   http://localhost:9000 (S3_ENDPOINT)"
expect_out "S3 access key: none (requests not signed: public buckets only)"
# real AWS, asked for by name or with an empty endpoint
S3_ENDPOINT=aws S3_REGION=eu-west-3 run workspace show -w shop
expect_out "S3 endpoint:   https://s3.eu-west-3.amazonaws.com (AWS: S3_ENDPOINT=aws)"
expect_out "S3 region:     eu-west-3"
S3_ENDPOINT= run workspace show -w shop
expect_out "S3 endpoint:   https://s3.us-east-1.amazonaws.com (AWS: S3_ENDPOINT empty)"
S3_ENDPOINT=aws run query -w shop "SELECT answer FROM gold.answer"
expect_rc 1
expect_err "https://s3.us-east-1.amazonaws.com"
# a local warehouse uses no S3 and shows none
unset ICEBERG_WAREHOUSE
run workspace show -w shop
expect_rc 0
expect_no_out "S3 endpoint"
