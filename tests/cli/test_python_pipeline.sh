#!/usr/bin/env bash
# tests/cli/test_python_pipeline.sh - Python pipelines in the original
# Ratatouille's style (@bronze_pipeline(name=..., schedule=...), pandas,
# context.write) run in `rat run` beside SQL pipelines: named by their
# decorator, their rows typed as pandas had them, their log in the run's
# record; skipped when their landing files, source and inputs did not
# change, merged per their YAML; context.query and watermark read the run
# branch; an exception fails the run naming the file, line and function,
# and publishes nothing.
. "$(dirname "$0")/lib.sh"

export RAT_SECRETS_KEY_FILE="$T_DIR/keys/secrets.key"
run init shop
expect_rc 0
W="$RAT_WORKSPACES/shop"
echo "tok-5ecret-value" | "$RAT_BIN" secret set SHOP_TOKEN -w shop >/dev/null 2>&1 || fail "secret set"
mkdir -p "$W/landing/sales"
printf 'id,product,amount,day\n1,apple,1.50,2024-03-01\n2,pear,2.25,2024-03-01\n' >"$W/landing/sales/a.csv"
cat >"$W/pipelines/bronze/ingest_sales.py" <<'EOF'
"""Sales exports as they land."""
import datetime
import decimal
import os

import pandas as pd
from ratatouille.pipeline import bronze_pipeline


@bronze_pipeline(name="raw_sales", schedule="0 6 * * *", owner="data@example.com",
                 description="Sales exports, as they land", tags=["sales"])
def ingest_sales(context):
    assert context.table == "bronze.raw_sales" and context.run_started_at.tzinfo
    context.log.info(f"token {os.environ['SHOP_TOKEN']}")  # a secret, as the workspace gives it
    for path in context.landing_files:
        df = pd.read_csv(path, dtype={"amount": str})
        df["amount"] = df["amount"].map(decimal.Decimal)
        df["day"] = df["day"].map(datetime.date.fromisoformat)
        context.log.info(f"{path.rsplit('/', 1)[-1]}: {len(df)} rows")
        context.write("bronze.raw_sales", df)
EOF
printf 'landing: sales/\n' >"$W/pipelines/bronze/ingest_sales.yaml"
cat >"$W/pipelines/silver/sales.sql" <<'EOF'
SELECT id, product, amount, day FROM {{ ref('bronze.raw_sales') }}
EOF
# a silver pipeline in Python reading what the run built before it, on the run branch
cat >"$W/pipelines/gold/daily.py" <<'EOF'
from ratatouille.pipeline import gold_pipeline


@gold_pipeline(depends_on=["silver.sales"])
def daily_revenue(context):
    context.log.warning(f"watermark before: {context.watermark('day')}")
    df = context.query("SELECT day, sum(amount) AS revenue, count(*) AS orders "
                       "FROM silver.sales GROUP BY day ORDER BY day")
    return df
EOF

# -- named by the decorator, its settings read without running Python
run list -w shop
expect_rc 0
expect_out "bronze.raw_sales             python"
expect_out "gold.daily_revenue"
run list -w shop --json
expect_rc 0
expect_out '"owner": "data@example.com"'
expect_out '"description": "Sales exports, as they land"'

# -- a run: bronze in Python, silver in SQL, gold in Python reading silver on the run branch
run run -w shop
expect_rc 0
expect_out "bronze.raw_sales             ok       create                 2"
expect_out "gold.daily_revenue           ok       create                 1"
run query -w shop --format json "SELECT id, product, amount, day, typeof(amount) AS t, typeof(day) AS d FROM silver.sales ORDER BY id"
expect_rc 0
expect_out '{"id":1,"product":"apple","amount":1.50,"day":"2024-03-01","t":"DECIMAL(3,2)","d":"DATE"}'
run query -w shop --format csv "SELECT day, revenue, orders FROM gold.daily_revenue"
expect_out "2024-03-01,3.75,2"
# the log lines are the step's, in its record
run runs -w shop --json
expect_out '"log": "INFO token ****************\nINFO a.csv: 2 rows"'
expect_out '"log": "WARNING watermark before: None"'
grep -q "5ecret" "$T_DIR/out" && fail "a secret's value is in the run's record"
T_CHECKS=$((T_CHECKS + 1))
ID=$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])' <"$T_DIR/out")
run runs show "$ID" -w shop
expect_out "log: INFO a.csv: 2 rows"

# -- nothing new: the landing pipeline is skipped without running; one more file: it runs again
run run -w shop
expect_rc 0
expect_out "bronze.raw_sales             skipped  up to date"
printf 'id,product,amount,day\n3,fig,9.99,2024-03-02\n' >"$W/landing/sales/b.csv"
run run -w shop
expect_rc 0
expect_out "bronze.raw_sales             ok       overwrite              3          3"
expect_out "gold.daily_revenue           ok       overwrite              2          2"

# -- incremental on its unique key: only the new files are read, their rows merged
printf 'landing: sales/\nmaterialized: incremental\nunique_key: [id]\n' >"$W/pipelines/bronze/ingest_sales.yaml"
run run -w shop -f bronze.raw_sales
expect_rc 0
printf 'id,product,amount,day\n3,fig,8.88,2024-03-02\n4,kiwi,0.50,2024-03-03\n' >"$W/landing/sales/c.csv"
run run -w shop bronze.raw_sales
expect_rc 0
expect_out "bronze.raw_sales             ok       merge"
run query -w shop --format csv "SELECT id, amount FROM bronze.raw_sales ORDER BY id"
expect_out "3,8.88"
expect_out "4,0.50"
run runs -w shop --json
expect_out '"log": "INFO token ****************\nINFO c.csv: 2 rows"'

# -- an exception fails the run where it was raised; nothing is published
run query -w shop --format csv "SELECT count(*) AS n FROM gold.daily_revenue"
before="$(cat "$T_DIR/out")"
cat >"$W/pipelines/gold/daily.py" <<'EOF'
from ratatouille.pipeline import gold_pipeline


def helper(rows):
    return rows["no_such_column"]


@gold_pipeline(depends_on=["silver.sales"])
def daily_revenue(context):
    df = context.query("SELECT * FROM silver.sales")
    return helper(df)
EOF
run run -w shop -f
expect_rc 1
expect_err "gold.daily_revenue"
expect_err "KeyError at daily.py:5 in helper(): 'no_such_column'"
run query -w shop --format csv "SELECT count(*) AS n FROM gold.daily_revenue"
[ "$(cat "$T_DIR/out")" = "$before" ] || fail "a failed run changed gold.daily_revenue"
T_CHECKS=$((T_CHECKS + 1))

# -- writing another pipeline's table is refused, saying which it writes
cat >"$W/pipelines/gold/daily.py" <<'EOF'
import pandas as pd
from ratatouille.pipeline import gold_pipeline


@gold_pipeline(name="daily_revenue")
def build(context):
    context.write("silver.sales", pd.DataFrame({"x": [1]}))
EOF
run run -w shop gold.daily_revenue
expect_rc 1
expect_err "this pipeline writes gold.daily_revenue, not 'silver.sales'"

# -- a decorator rat cannot read without running Python is an error at its line
cat >"$W/pipelines/gold/daily.py" <<'EOF'
from ratatouille.pipeline import gold_pipeline

NAME = "daily_revenue"


@gold_pipeline(name=NAME)
def build(context):
    pass
EOF
run list -w shop
expect_rc 1
expect_err "pipelines/gold/daily.py:6: name: a string literal is needed"
# and a second pipeline of the same name, a clash named with both files
printf '@gold_pipeline(name="kpis")\ndef a(context):\n    pass\n' >"$W/pipelines/gold/daily.py"
printf 'SELECT 1 AS x\n' >"$W/pipelines/gold/kpis.sql"
run list -w shop
expect_rc 1
expect_err "'daily' and 'kpis' both define gold.kpis"

# -- .py mocks for rat test: the original's generators, typed as pandas has them
rm -f "$W/pipelines/gold/daily.py" "$W/pipelines/gold/kpis.sql"
mkdir -p "$W/pipelines/silver/sales/tests/mocks" "$W/pipelines/silver/sales/tests/unit"
cat >"$W/pipelines/silver/sales/tests/mocks/generator.py" <<'EOF2'
# @generates: bronze.raw_sales
import datetime
import decimal

import pandas as pd


class SalesGenerator:
    def generate(self):
        return pd.DataFrame({"id": [10, 11], "product": ["tea", None],
                             "amount": [decimal.Decimal("1.10"), decimal.Decimal("2.20")],
                             "day": [datetime.date(2024, 5, 1)] * 2})
EOF2
cat >"$W/pipelines/silver/sales/tests/unit/from_generator.sql" <<'EOF2'
-- @expect_count: 2
SELECT 10 AS id, 'tea' AS product, 1.10 AS amount, DATE '2024-05-01' AS day
UNION ALL SELECT 11, NULL, 2.20, DATE '2024-05-01'
EOF2
run test -w shop -p silver.sales -t unit
expect_rc 0
expect_out "from_generator"
# a generator that fails is an error naming the mock file, with what Python said last
cat >"$W/pipelines/silver/sales/tests/mocks/generator.py" <<'EOF2'
# @generates: bronze.raw_sales
def generate():
    return [1, 2]
EOF2
run test -w shop -p silver.sales -t unit
expect_rc 1
expect_out "tests/mocks/generator.py: the generator failed (exit status 1): TypeError: generate() returned a list, not a pandas DataFrame"

# -- a log too big for a record is said, not kept; the run goes on
cat >"$W/pipelines/gold/chatty.py" <<'EOF2'
import pandas as pd
from ratatouille.pipeline import gold_pipeline


@gold_pipeline()
def chatty(context):
    for i in range(12000):
        context.log.info(f"line {i:05d} " + "x" * 80)
    return pd.DataFrame({"n": [1]})
EOF2
run run -w shop gold.chatty
expect_rc 0
run runs -w shop --json
expect_out '"log": "WARNING its log is over 1 MiB and was not kept (log less, or log counts)"'

# -- rat python: the workspace selected, Python's exit status; a missing workspace refused
run python -w shop -- -c 'import sys; from ratatouille.workspace import get_workspace; print(get_workspace().name); sys.exit(3)'
expect_rc 3
expect_out "shop"
run python -w nope -- -c 'print(1)'
expect_rc 1
expect_err "nope"
