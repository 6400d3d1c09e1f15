#!/usr/bin/env bash
# tests/cli/test_docs_links.sh - `rat docs generate` follows no symbolic
# link (issue 15, item 12): a pipeline's README.md, or its docs/ folder,
# that is a link is refused naming it, and neither the link's target nor
# anything else is read into the documents or written through the link.
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

ws_init shop
printf 'SELECT 1 AS a\n' > "$p/gold/kpis.sql"
run run -w shop
expect_rc 0
printf '# Someone else\n\nTHE OTHER TEAM SECRET\n' > "$T_DIR/secret.md"
mkdir -p "$p/gold/kpis"
ln -s "$T_DIR/secret.md" "$p/gold/kpis/README.md"
run docs generate -w shop
expect_rc 1
expect_err "gold.kpis: pipelines/gold/kpis/README.md is a symbolic link: rat docs follows none (make it a file or a folder of its own)"
expect_eq "$(cat "$T_DIR/secret.md")" "$(printf '# Someone else\n\nTHE OTHER TEAM SECRET')"
T_CHECKS=$((T_CHECKS + 1))
! grep -rqs "SECRET" "$p/gold/kpis/docs" || fail "the link's target was copied"

# a docs/ folder that is a link: nothing is written through it
rm "$p/gold/kpis/README.md"
mkdir "$T_DIR/elsewhere"
ln -s "$T_DIR/elsewhere" "$p/gold/kpis/docs"
run docs generate -w shop
expect_rc 1
expect_err "pipelines/gold/kpis/docs is a symbolic link: rat docs follows none"
expect_eq "$(ls -A "$T_DIR/elsewhere" | wc -l)" "0"

# as files, it works
rm "$p/gold/kpis/docs"
run docs generate -w shop
expect_rc 0
expect_file "$p/gold/kpis/README.md"
