#!/usr/bin/env bash
# tests/cli/test_state.sh - where a workspace's state is (issue 14, item 3):
# without RAT_HOME, the catalog is found from the workspace's own folder
# (.rat/ beside the workspaces/ folder that holds it, else in its parent
# folder), so every command sees the same tables from any current folder,
# and none creates a .rat/ where it stands. A read-only command on a
# workspace that has no state yet creates nothing and says where it looked.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"
unset RAT_HOME RAT_WORKSPACES RAT_NOW

mkdir -p lake elsewhere/deep
(cd lake && "$RAT_BIN" init analytics >/dev/null) || fail "init"
echo "SELECT 42 AS answer" > lake/workspaces/analytics/pipelines/gold/answer.sql
(cd lake && "$RAT_BIN" run -w analytics >/dev/null) || fail "the run"
expect_file "$T_DIR/lake/.rat/catalog.db"

# the same tables from another folder, by path; nothing created there
cd "$T_DIR/elsewhere/deep"
run tables -w ../../lake/workspaces/analytics
expect_rc 0
expect_out "gold.answer"
run query -w "$T_DIR/lake/workspaces/analytics" --format csv "SELECT answer FROM gold.answer"
expect_rc 0
expect_out "42"
run log -w ../../lake/workspaces/analytics -n 1
expect_rc 0
expect_out "run "
run workspace show -w ../../lake/workspaces/analytics
expect_rc 0
expect_out "RAT_HOME:      $T_DIR/lake/.rat (beside the workspaces/ folder that holds the workspace)"
expect_no_file "$T_DIR/elsewhere/deep/.rat"
expect_no_file "$T_DIR/elsewhere/.rat"
expect_no_file "$T_DIR/.rat"
# from inside the workspace, and by name from the lake (./workspaces): the same state
cd "$T_DIR/lake/workspaces/analytics/pipelines"
run tables
expect_rc 0
expect_out "gold.answer"
cd "$T_DIR/lake"
run tables -w analytics
expect_rc 0
expect_out "gold.answer"
expect_no_file "$T_DIR/lake/workspaces/.rat"

# a workspace outside any workspaces/ folder keeps its state in its parent folder
cd "$T_DIR"
run init solo --path "$T_DIR/projects/solo"
expect_rc 0
expect_file "$T_DIR/projects/.rat/catalog.db"
echo "SELECT 1 AS one" > projects/solo/pipelines/gold/one.sql
(cd elsewhere && "$RAT_BIN" run -w ../projects/solo >/dev/null) || fail "the solo run"
run tables -w projects/solo
expect_rc 0
expect_out "gold.one"
expect_no_file "$T_DIR/elsewhere/.rat"

# no state yet (a folder cloned from Git): read-only commands create nothing and say where they looked
mkdir -p fresh/workspaces
cp -r lake/workspaces/analytics fresh/workspaces/
cd "$T_DIR/elsewhere"
looked="no catalog at $T_DIR/fresh/.rat/catalog.db"
run tables -w ../fresh/workspaces/analytics
expect_rc 0
expect_out "No tables on workspace/analytics"
expect_err "rat: note: workspace 'analytics' has no state yet: $looked (RAT_HOME $T_DIR/fresh/.rat, beside the workspaces/ folder that holds the workspace; set RAT_HOME to use another)"
run describe gold.answer -w ../fresh/workspaces/analytics
expect_rc 1
expect_err "rat: error: no table gold.answer on workspace/analytics: $looked: nothing has been run with this state folder yet"
run log -w ../fresh/workspaces/analytics
expect_err "\`rat run -w analytics\` creates it, or set RAT_HOME to the state folder to use"
for command in log branch "products list" "retention apply --dry-run" "vacuum --dry-run"; do
	# shellcheck disable=SC2086 # the command's words
	run $command -w ../fresh/workspaces/analytics
	expect_rc 1
	expect_err "$looked"
done
run query -w ../fresh/workspaces/analytics --format csv "SELECT 6 * 7 AS answer"
expect_rc 0
expect_out "42"
run query -w ../fresh/workspaces/analytics "SELECT * FROM gold.answer"
expect_rc 1
expect_err "rat: note: workspace 'analytics' has no state yet: $looked"
run runs -w ../fresh/workspaces/analytics
expect_rc 0
expect_no_file "$T_DIR/fresh/.rat"
expect_no_file "$T_DIR/elsewhere/.rat"
# the first run creates it, where the others will look
run run -w ../fresh/workspaces/analytics
expect_rc 0
expect_file "$T_DIR/fresh/.rat/catalog.db"
expect_no_file "$T_DIR/elsewhere/.rat"
run tables -w ../fresh/workspaces/analytics
expect_out "gold.answer"

# RAT_HOME still wins, from anywhere
export RAT_HOME="$T_DIR/chosen"
run workspace show -w ../lake/workspaces/analytics
expect_out "RAT_HOME:      $T_DIR/chosen (set by RAT_HOME)"
run tables -w ../lake/workspaces/analytics
expect_rc 0
expect_out "No tables on workspace/analytics"
expect_no_file "$T_DIR/chosen"
