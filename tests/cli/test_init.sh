#!/usr/bin/env bash
# tests/cli/test_init.sh - `rat init` creates the seed's layout and defaults,
# refuses a non-empty target without touching it, and `rat workspace
# list|show` report the resolved settings (W1, W2, W5, W6).
source "$RAT_SOURCE_DIR/tests/cli/lib.sh"

run init analytics
expect_rc 0
expect_out "Created workspace 'analytics'"
ws="$RAT_WORKSPACES/analytics"
for d in pipelines/bronze pipelines/silver pipelines/gold schemas macros notebooks landing; do
	expect_file "$ws/$d"
done
expect_eq "$(cat "$ws/landing/.gitignore")" "$(printf "*\n!.gitignore")"
expect_file "$ws/workspace.yaml"
yaml="$ws/workspace.yaml"
# the seed's defaults, as written
for line in 'name: analytics' 'version: "1.0"' 'nessie_branch: "workspace/analytics"' \
	's3_prefix: "analytics"' 'profile: small' 'retention_days: 90' 'retention_days: 365' \
	'retention_days: null' 'partition_by: [_ingested_date]'; do
	T_CHECKS=$((T_CHECKS + 1))
	grep -qF -- "$line" "$yaml" || fail "workspace.yaml lacks: $line"
done

# ... and as resolved
run workspace show -w analytics
expect_rc 0
expect_out "Workspace:     analytics"
expect_out "Description:   analytics workspace"
expect_out "Branch:        workspace/analytics"
expect_out "S3 prefix:     analytics"
expect_out "Storage path:  $RAT_HOME/warehouse/analytics/"
expect_out "Profile:       small (built-in)"
expect_out "max_memory_mb           4096"
expect_out "duckdb_memory_mb        8192"
expect_out "chunk_size_rows         50000"
expect_out "max_parallel_pipelines  2"
expect_out "engine memory_limit     4096 MiB (duckdb_memory_mb capped by max_memory_mb)"
expect_out "bronze  retention 90 days by load time, partition_by [_ingested_date]"
expect_out "silver  retention 365 days"
expect_out "gold    retention forever"
expect_out "bronze  (none)"

# a second init over it is refused and changes nothing
before="$(sha256sum "$yaml")"
run init analytics
expect_rc 1
expect_err "is not empty"
expect_eq "$(sha256sum "$yaml")" "$before"

# a non-empty --path target is refused; an empty one is fine
mkdir -p "$T_DIR/occupied" "$T_DIR/empty"
echo keep > "$T_DIR/occupied/notes.txt"
run init other --path "$T_DIR/occupied"
expect_rc 1
expect_err "$T_DIR/occupied is not empty"
expect_no_file "$T_DIR/occupied/workspace.yaml"
expect_eq "$(cat "$T_DIR/occupied/notes.txt")" "keep"
expect_eq "$(ls -A "$T_DIR" | grep -c '\.init\.' || true)" "0"
run init other --path "$T_DIR/empty" --description 'Other "quoted" team'
expect_rc 0
expect_file "$T_DIR/empty/workspace.yaml"
run workspace show -w "$T_DIR/empty"
expect_rc 0
expect_out 'Description:   Other "quoted" team'
echo > "$T_DIR/afile"
run init third --path "$T_DIR/afile"
expect_rc 1
expect_err "not a folder"

run init 'bad name'
expect_rc 1
expect_err "invalid workspace name 'bad name'"
run init ../escape
expect_rc 1
expect_err "invalid workspace name"

# overrides show as the effective limits
cat > "$yaml" <<'YAML'
name: analytics
description: "Analytics team workspace - BI and reporting"
isolation:
  nessie_branch: "team/analytics"
  s3_prefix: "acme/analytics"
resources:
  profile: small
  overrides:
    max_memory_mb: 8192
    max_parallel_pipelines: 4
layers:
  silver:
    retention_days: 30
    partition_by: [_date]
products:
  - name: daily_sales_kpis
    source: gold.daily_sales
    sla:
      freshness_hours: 24
    access:
      - workspace: "*"
        level: read
subscriptions:
  - product: external/inventory
    alias: inventory
    version_constraint: "^1.0.0"
YAML
mkdir -p "$ws/pipelines/bronze/orders" "$ws/pipelines/gold"
touch "$ws/pipelines/bronze/sales.sql" "$ws/pipelines/bronze/sales.yaml" \
	"$ws/pipelines/bronze/orders/pipeline.sql" "$ws/pipelines/gold/kpis.sql" "$ws/pipelines/bronze/README.md"
run workspace show -w analytics
expect_rc 0
expect_out "Branch:        team/analytics"
expect_out "S3 prefix:     acme/analytics"
expect_out "Storage path:  $RAT_HOME/warehouse/acme/analytics/"
expect_out "max_memory_mb           8192      (override)"
expect_out "max_parallel_pipelines  4         (override)"
expect_out "engine memory_limit     8192 MiB"
expect_no_out "capped by"
expect_out "bronze  retention 90 days"
expect_out "silver  retention 30 days by load time, partition_by [_date]"
expect_out "bronze  orders, sales"
expect_out "gold    kpis"
expect_out "daily_sales_kpis <- gold.daily_sales, fresh within 24 h, access: *=read"
expect_out "products.inventory <- external/inventory ^1.0.0"

# a pipeline defined twice is an error naming it
touch "$ws/pipelines/gold/kpis.py"
run workspace show -w analytics
expect_rc 1
expect_err "pipeline 'kpis' is defined twice"
rm "$ws/pipelines/gold/kpis.py"

# ICEBERG_WAREHOUSE moves the storage path
ICEBERG_WAREHOUSE=s3://lake/root/ run workspace show -w analytics
expect_rc 0
expect_out "Storage path:  s3://lake/root/acme/analytics/"

# list
run workspace list
expect_rc 0
expect_out "analytics"
expect_out "team/analytics"
expect_no_out "other" # created outside RAT_WORKSPACES

# resolution: -w PATH, $WORKSPACE, the enclosing folder, then 'default'
run workspace show -w "$ws"
expect_rc 0
expect_out "Workspace:     analytics"
WORKSPACE=analytics run workspace show
expect_rc 0
expect_out "Workspace:     analytics"
(cd "$ws/pipelines/bronze" && run workspace show && expect_rc 0 && expect_out "Workspace:     analytics")
run workspace show
expect_rc 1
expect_err "workspace 'default' not found (looked in $RAT_WORKSPACES"
run workspace show -w nosuch
expect_rc 1
expect_err "workspace 'nosuch' not found"
run workspace show -w ./nowhere
expect_rc 1
expect_err "no workspace.yaml in this folder"
# RAT_WORKSPACES holds several folders
mkdir -p "$T_DIR/more"
RAT_WORKSPACES="$T_DIR/nothing-here:$T_DIR/more" run init teamb
expect_rc 0
expect_file "$T_DIR/nothing-here/teamb/workspace.yaml"
RAT_WORKSPACES="$T_DIR/more:$T_DIR/nothing-here" run workspace show -w teamb
expect_rc 0
expect_out "Workspace:     teamb"

# profiles: RAT_PROFILE is the default when workspace.yaml names none
sed -i '/profile: small/d' "$T_DIR/nothing-here/teamb/workspace.yaml"
RAT_WORKSPACES="$T_DIR/nothing-here" RAT_PROFILE=medium run workspace show -w teamb
expect_rc 0
expect_out "Profile:       medium (built-in)"
expect_out "max_memory_mb           16384"
RAT_WORKSPACES="$T_DIR/nothing-here" RAT_PROFILE=huge run workspace show -w teamb
expect_rc 1
expect_err "RAT_PROFILE: unknown profile 'huge'"

# a custom profile file is validated like workspace.yaml, naming its own file
mkdir -p "$T_DIR/nothing-here/teamb/profiles"
printf 'extends: tiny\nresources:\n  max_memory_mb: 512\n  threds: 1\n' > "$T_DIR/nothing-here/teamb/profiles/ci.yaml"
printf 'name: teamb\nresources:\n  profile: ci\n' > "$T_DIR/nothing-here/teamb/workspace.yaml"
RAT_WORKSPACES="$T_DIR/nothing-here" run workspace show -w teamb
expect_rc 1
expect_err "workspace.yaml:3:12: resources.profile: $T_DIR/nothing-here/teamb/profiles/ci.yaml:4:3: resources.threds: unknown key, did you mean 'threads'?"
printf 'extends: tiny\nresources:\n  max_memory_mb: 512\n' > "$T_DIR/nothing-here/teamb/profiles/ci.yaml"
RAT_WORKSPACES="$T_DIR/nothing-here" run workspace show -w teamb
expect_rc 0
expect_out "Profile:       ci ($T_DIR/nothing-here/teamb/profiles/ci.yaml)"
expect_out "max_memory_mb           512"
expect_out "chunk_size_rows         10000"
