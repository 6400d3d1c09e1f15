#!/usr/bin/env bash
# tests/cli/test_identity.sh - a workspace's identity (issue 15, item 3): the
# catalog records each workspace's name, branch, storage prefix and folder,
# and refuses a second workspace that claims one of them, nested or reserved
# prefixes, reserved branches, and a forged name; `rat workspace move`
# records a moved workspace, and the prefix it leaves stays its own.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init a
a="$ws"
ws_init b
b="$ws"
run write silver.x -w a --sql "SELECT 42 AS secret"
expect_rc 0
isolation() { # WORKSPACE-FOLDER BRANCH PREFIX
	sed -i "s#^  nessie_branch: .*#  nessie_branch: \"$2\"#; s#^  s3_prefix: .*#  s3_prefix: \"$3\"#" \
		"$1/workspace.yaml"
}

# b claims a's branch: refused, naming both
isolation "$b" workspace/a b
run query -w b "SELECT * FROM silver.x"
expect_rc 1
expect_err "rat: error: workspace 'b' claims branch 'workspace/a', which overlaps branch 'workspace/a' of workspace 'a'"
# a's prefix, and a prefix inside it
isolation "$b" workspace/b a
run query -w b "SELECT 1"
expect_rc 1
expect_err "workspace 'b' claims storage prefix 'a', which overlaps storage prefix 'a' of workspace 'a' (prefixes may not be equal or nested)"
isolation "$b" workspace/b a/silver
run query -w b "SELECT 1"
expect_rc 1
expect_err "workspace 'b' claims storage prefix 'a/silver', which overlaps storage prefix 'a' of workspace 'a'"
# a git: prefix over a's branch
isolation "$b" "git:workspace/" b
run tables -w b
expect_rc 1
expect_err "workspace 'b' claims every branch under 'workspace/', which overlaps branch 'workspace/a' of workspace 'a'"
# reserved: _products and main are refused where they are written
isolation "$b" workspace/b _products
run query -w b "SELECT 1"
expect_rc 1
expect_err "rat: error: workspaces/b/workspace.yaml:9:14: isolation.s3_prefix: '_products' is reserved: prefixes starting with '_' are librat's"
isolation "$b" main b
run query -w b "SELECT 1"
expect_rc 1
expect_err "isolation.nessie_branch: 'main' is reserved (main is written only by \`rat main merge\`"
isolation "$b" dev/a/x b
run query -w b "SELECT 1"
expect_rc 1
expect_err "isolation.nessie_branch: 'dev/a/x' is reserved"
isolation "$b" workspace/b b
run query -w b "SELECT 1"
expect_rc 0

# a workspace elsewhere naming itself a (same RAT_HOME): its folder is not a's
mkdir -p "$T_DIR/elsewhere"
cp -r "$b" "$T_DIR/elsewhere/forged"
sed -i 's/^name: .*/name: a/' "$T_DIR/elsewhere/forged/workspace.yaml"
isolation "$T_DIR/elsewhere/forged" workspace/a a
run query -w "$T_DIR/elsewhere/forged" "SELECT * FROM silver.x"
expect_rc 1
expect_err "workspace 'a' is in the folder $T_DIR/elsewhere/forged, but the catalog records $a for workspace 'a'"
# and it cannot publish as a (the products' rules trust the recorded name)
cat >> "$T_DIR/elsewhere/forged/workspace.yaml" <<'YAML'
products:
  - name: kpis
    source: silver.x
    access:
      - workspace: "*"
        level: read
YAML
run products publish kpis -w "$T_DIR/elsewhere/forged"
expect_rc 1
expect_err "but the catalog records $a for workspace 'a'"
run products grant kpis "*" read -w "$T_DIR/elsewhere/forged"
expect_rc 1
expect_err "but the catalog records $a for workspace 'a'"
# nor read or replace a's secrets (the store is named by the workspace's name)
export RAT_SECRETS_KEY_FILE="$T_DIR/keys/secrets.key"
echo "a-token-1234" | "$RAT_BIN" secret set API_TOKEN -w a >/dev/null 2>&1 || fail "secret set -w a"
echo "forged-9999" > "$T_DIR/forged_value"
run secret set API_TOKEN -w "$T_DIR/elsewhere/forged" < "$T_DIR/forged_value"
expect_rc 1
expect_err "but the catalog records $a for workspace 'a'"
run secret rm API_TOKEN -w "$T_DIR/elsewhere/forged"
expect_rc 1
expect_err "but the catalog records $a for workspace 'a'"
run secret list -w "$T_DIR/elsewhere/forged"
expect_rc 1
expect_err "but the catalog records $a for workspace 'a'"
run secret list -w a
expect_rc 0
expect_out "API_TOKEN"

# a moved prefix: refused until `rat workspace move`, then b's old prefix stays b's
isolation "$b" workspace/b b2
run query -w b "SELECT 1"
expect_rc 1
expect_err "workspace 'b' has storage prefix b2, but the catalog records b for workspace 'b': another workspace cannot take its name, and a workspace that moved records its new place with \`rat workspace move -w b\`"
run workspace move -w b
expect_rc 0
expect_out "Recorded workspace 'b': folder $b, branch workspace/b, storage prefix b2"
run query -w b "SELECT 1"
expect_rc 0
ws_init c
isolation "$ws" workspace/c b
run query -w c "SELECT 1"
expect_rc 1
expect_err "workspace 'c' claims storage prefix 'b', which overlaps storage prefix 'b' of workspace 'b'"
# a move is refused what another workspace claims
isolation "$b" workspace/b c
run workspace move -w b
expect_rc 1
expect_err "rat: error: workspace move: workspace 'b' claims storage prefix 'c', which overlaps storage prefix 'c' of workspace 'c'"
run workspace move -w nope
expect_rc 1
