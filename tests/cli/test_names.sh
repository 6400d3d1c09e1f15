#!/usr/bin/env bash
# tests/cli/test_names.sh - a workspace's name (issue 14, item 15): in a
# workspaces folder the folder's name is the workspace's name (the guide's
# rule), so what `rat workspace list` shows is what -w finds. A workspace.yaml
# whose name: disagrees with its folder is an error naming both, in `list`
# and with -w, and `rat init` refuses to make one. A workspace reached by its
# path alone, outside any workspaces folder, names itself.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init analytics
expect_rc 0
mkdir -p "$RAT_WORKSPACES/proj-analytics"
cp "$RAT_WORKSPACES/analytics/workspace.yaml" "$RAT_WORKSPACES/proj-analytics/"
sed -i 's/^name: analytics$/name: analytics2/' "$RAT_WORKSPACES/proj-analytics/workspace.yaml"
mismatch="workspaces/proj-analytics/workspace.yaml:2:7: name: 'analytics2' is not the name of the workspace's folder, 'proj-analytics' (in a workspaces folder, the folder's name is the workspace's name: rename the folder to 'analytics2', or write name: proj-analytics)"

# list names what -w finds, and says which folder disagrees
run workspace list
expect_rc 1
expect_out "analytics  workspace/analytics"
expect_no_out "analytics2"
expect_err "rat: error: $T_DIR/workspaces/proj-analytics: $mismatch"
run workspace show -w proj-analytics
expect_rc 1
expect_err "rat: error: $mismatch"
run workspace show -w analytics2
expect_rc 1
expect_err "workspace 'analytics2' not found"
run query -w "$RAT_WORKSPACES/proj-analytics" "SELECT 1"
expect_rc 1
expect_err "$mismatch"

# agreeing again: listed, and found by the name listed
sed -i 's/^name: analytics2$/name: proj-analytics/' "$RAT_WORKSPACES/proj-analytics/workspace.yaml"
sed -i 's|workspace/analytics|workspace/proj-analytics|; s|s3_prefix: "analytics"|s3_prefix: "proj-analytics"|' \
	"$RAT_WORKSPACES/proj-analytics/workspace.yaml"
run workspace list
expect_rc 0
expect_out "proj-analytics  workspace/proj-analytics"
for name in $(awk 'NR > 1 { print $1 }' "$T_DIR/out"); do
	run workspace show -w "$name"
	expect_rc 0
	expect_out "Workspace:     $name"
done

# the folder a workspaces folder (named so, or in RAT_WORKSPACES) holds must carry the name
mkdir -p "$T_DIR/lake/workspaces"
run init sales --path "$T_DIR/lake/workspaces/sales-team"
expect_rc 1
expect_err "rat: error: init: $T_DIR/lake/workspaces/sales-team: a workspace in a workspaces folder is named by its folder, so it cannot be named 'sales' (use the path $T_DIR/lake/workspaces/sales, or the name 'sales-team')"
expect_no_file "$T_DIR/lake/workspaces/sales-team"
expect_no_file "$T_DIR/lake/.rat"
run init sales --path "$T_DIR/workspaces/sales-team"
expect_rc 1
expect_err "so it cannot be named 'sales'"

# outside any workspaces folder, a workspace reached by path names itself
run init billing --path "$T_DIR/repos/billing-repo"
expect_rc 0
run workspace show -w "$T_DIR/repos/billing-repo"
expect_rc 0
expect_out "Workspace:     billing"
expect_out "Branch:        workspace/billing"
