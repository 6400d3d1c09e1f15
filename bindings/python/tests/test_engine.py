"""bindings/python/tests/test_engine.py - ratatouille.engine: the guide's
engine snippet as written, then every type rat writes read into pandas
and checked value by value against `rat query --format json`, written back
with write_parquet() and read again the same; parameters, write modes,
checks, threads and errors.
"""
import datetime
import decimal
import json
import os
import subprocess
import threading
import time
import uuid

import numpy as np
import pandas as pd
import pytest

import ratatouille
from ratatouille.engine import Engine
from ratatouille.workspace import Workspace, get_workspace

from conftest import write

RAT = os.environ.get("RAT_BIN", "rat")


def rat(*args):
    done = subprocess.run([RAT, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def rat_json(workspace, sql):
    return json.loads(rat("query", "-w", workspace, sql, "--format", "json"))


def sales(workspace="analytics", rows=300):
    rat("write", "bronze.sales", "-w", workspace, "--sql",
        f"SELECT i AS id, 'product-' || (i % 7) AS product, (i % 5 + 1)::INTEGER AS quantity, "
        f"(i * 1.25)::DECIMAL(10,2) AS amount, DATE '2024-01-01' + (i % 30)::INTEGER AS day "
        f"FROM range({rows}) t(i)")


def test_the_guides_engine_snippet(lake):
    Workspace.create(name="analytics")
    sales()
    # --- the guide, "Using the Engine", as written
    ws = Workspace.load("analytics")
    engine = ws.get_engine()

    # Query data
    df = engine.query("SELECT * FROM bronze.sales LIMIT 100")

    # Write data
    engine.write_parquet(df, ws.s3_path("silver", "cleaned_sales"))
    # ---
    assert len(df) == 100
    assert list(df.columns) == ["id", "product", "quantity", "amount", "day"]
    back = rat_json("analytics", "SELECT * FROM silver.cleaned_sales ORDER BY id")
    assert len(back) == 100
    first = df.sort_values("id").iloc[0]
    assert back[0]["id"] == first["id"] and back[0]["product"] == first["product"]
    assert decimal.Decimal(str(back[0]["amount"])) == first["amount"]
    assert back[0]["day"] == first["day"].isoformat()
    assert "silver.cleaned_sales" in rat("tables", "-w", "analytics")
    assert engine.tables() == ["bronze.sales", "silver.cleaned_sales"]
    assert ws.tables() == engine.tables()
    assert engine.table("silver.cleaned_sales", limit=5).shape == (5, 5)


# Every type rat writes (Iceberg's), with NULLs, extremes and awkward text.
TYPES_SQL = """
SELECT * FROM (VALUES
  (1, true, 7::INTEGER, 9007199254740993::BIGINT, 1.5::FLOAT, 0.1::DOUBLE,
   12.34::DECIMAL(9,2), 123456789012345678901234567.891::DECIMAL(38,3), DATE '2024-02-29',
   TIME '23:59:59.999999', TIMESTAMP '2024-03-10 02:30:00.123456',
   TIMESTAMPTZ '2024-03-10 02:30:00.5+00', 'héllo "quoted" <b>', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID,
   '\\x00\\xFFab'::BLOB, [1, NULL, 3]::INTEGER[], {'k': 'v', 'n': 2}::STRUCT(k VARCHAR, n INTEGER)),
  (2, false, (-2147483648)::INTEGER, (-9223372036854775808)::BIGINT, (-0.0)::FLOAT, (-1e300)::DOUBLE,
   (-0.01)::DECIMAL(9,2), (-0.001)::DECIMAL(38,3), DATE '0001-01-01',
   TIME '00:00:00', TIMESTAMP '1970-01-01 00:00:00', TIMESTAMPTZ '1999-12-31 23:59:59+00', '', NULL,
   ''::BLOB, []::INTEGER[], {'k': NULL, 'n': NULL}::STRUCT(k VARCHAR, n INTEGER)),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) t(id, b, i, l, f, d, m, w, day, tm, ts, tz, s, u, raw, lst, st)
"""


def make_types(workspace="analytics"):
    Workspace.create(name=workspace)
    rat("write", "silver.types", "-w", workspace, "--sql", TYPES_SQL)


def test_types_and_nulls_match_rat_query(lake):
    make_types()
    engine = get_workspace("analytics").get_engine()
    df = engine.query("SELECT * FROM silver.types ORDER BY id")
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "id": "Int32", "b": "boolean", "i": "Int32", "l": "Int64", "f": "float32", "d": "float64",
        "m": "object", "w": "object", "day": "object", "tm": "object", "ts": "datetime64[ns]",
        "tz": "datetime64[ns, UTC]", "s": "object", "u": "object", "raw": "object",
        "lst": "object", "st": "object"}
    want = rat_json("analytics", "SELECT * FROM silver.types ORDER BY id")
    for row, expected in zip(df.itertuples(index=False), want):
        got = row._asdict()
        for column, value in expected.items():
            assert same(got[column], value), (column, got[column], value)
    # the NULL row is NULL everywhere, each in its dtype's way
    last = df.iloc[2]
    assert last["b"] is pd.NA and last["i"] is pd.NA and np.isnan(last["d"])
    assert last["ts"] is pd.NaT and last["tz"] is pd.NaT
    assert all(last[c] is None for c in ("m", "w", "day", "tm", "s", "u", "raw", "lst", "st"))
    # exact values, where JSON is not
    assert df["l"][0] == 9007199254740993
    assert df["w"][0] == decimal.Decimal("123456789012345678901234567.891")
    assert df["m"][1] == decimal.Decimal("-0.01") and str(df["w"][1]) == "-0.001"
    assert df["day"][1] == datetime.date(1, 1, 1)
    assert df["tm"][0] == datetime.time(23, 59, 59, 999999)
    assert df["ts"][0] == pd.Timestamp("2024-03-10 02:30:00.123456")
    assert df["tz"][0] == pd.Timestamp("2024-03-10 02:30:00.5", tz="UTC")
    assert df["u"][0] == uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
    assert df["raw"][0] == b"\x00\xffab" and df["raw"][1] == b""
    assert df["lst"][0] == [1, None, 3] and df["st"][1] == {"k": None, "n": None}


def same(got, want):
    """A DataFrame cell against rat's JSON for it."""
    if want is None:
        return got is None or got is pd.NA or got is pd.NaT or (isinstance(got, float) and np.isnan(got))
    if isinstance(got, decimal.Decimal):  # JSON's number may be a rounded one (38 digits)
        return got == decimal.Decimal(str(want)) or float(got) == want
    if isinstance(got, (float, np.floating)):
        return float(got) == want
    if isinstance(got, pd.Timestamp):
        return got == pd.Timestamp(want)
    if isinstance(got, (datetime.date, datetime.time)):
        return got == type(got).fromisoformat(want)
    if isinstance(got, (uuid.UUID, bytes)):
        return str(got) == want if isinstance(got, uuid.UUID) else True  # bytes: checked exactly above
    return got == want


def test_a_frame_written_back_reads_the_same(lake):
    make_types()
    ws = get_workspace("analytics")
    engine = ws.get_engine()
    df = engine.query("SELECT * FROM silver.types ORDER BY id")
    engine.write_parquet(df, ws.s3_path("gold", "types_again"))
    # the same rows, the same types: rat's own reading of both tables agrees
    assert (rat_json("analytics", "SELECT * FROM gold.types_again ORDER BY id")
            == rat_json("analytics", "SELECT * FROM silver.types ORDER BY id"))
    types = rat_json("analytics", "SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_schema = 'gold' AND table_name = 'types_again' "
                                  "ORDER BY ordinal_position")
    assert [t["data_type"] for t in types] == [
        "INTEGER", "BOOLEAN", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL(9,2)",
        "DECIMAL(38,3)", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "VARCHAR", "UUID",
        "BLOB", "INTEGER[]", "STRUCT(k VARCHAR, n INTEGER)"]


def test_a_frame_of_pythons_own_values(lake):
    ws = Workspace.create(name="analytics")
    engine = ws.get_engine()
    df = pd.DataFrame({
        "id": np.arange(3, dtype=np.int16),
        "price": [decimal.Decimal("1.50"), None, decimal.Decimal("-22.125")],
        "name": ["a", None, "c'; DROP TABLE x; --"],
        "at": pd.to_datetime(["2024-01-01 10:00", None, "2024-01-03"]).tz_localize("Europe/Paris"),
        "ok": pd.array([True, None, False], dtype="boolean"),
        "n": pd.array([1, None, 3], dtype="Int64"),
        "x": [1.5, np.nan, 3.0],
        "tags": [["a", "b"], None, []],
        "day": [datetime.date(2024, 1, 1), None, datetime.date(2024, 1, 3)],
        "st": [{"a": 1}, {"a": 2, "b": "x"}, None],
        "cat": pd.Categorical(["u", "v", "u"]),
    })
    done = engine.write_parquet(df, "silver.py_values")
    assert done["rows_written"] == 3 and done["branch"] == "workspace/analytics"
    got = rat_json("analytics", "SELECT * FROM silver.py_values ORDER BY id")
    assert got[0]["price"] == 1.5 and got[2]["price"] == -22.125 and got[1]["price"] is None
    assert got[2]["name"] == "c'; DROP TABLE x; --" and got[1]["name"] is None
    assert got[0]["at"].startswith("2024-01-01 09:00:00")  # 10:00 in Paris, kept as UTC
    assert [g["ok"] for g in got] == [True, None, False]
    assert [g["n"] for g in got] == [1, None, 3]
    assert got[1]["x"] is None  # NaN is NULL
    assert got[0]["tags"] == ["a", "b"] and got[2]["tags"] == []
    assert got[0]["st"] == {"a": 1, "b": None} and got[2]["st"] is None
    assert [g["cat"] for g in got] == ["u", "v", "u"]
    assert got[2]["day"] == "2024-01-03"
    types = {t["column_name"]: t["data_type"] for t in rat_json(
        "analytics", "SELECT column_name, data_type FROM information_schema.columns "
                     "WHERE table_name = 'py_values'")}
    assert types["price"] == "DECIMAL(5,3)" and types["at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["id"] == "INTEGER" and types["n"] == "BIGINT" and types["day"] == "DATE"
    assert types["tags"] == "VARCHAR[]" and types["st"] == "STRUCT(a BIGINT, b VARCHAR)"
    # what an Iceberg table cannot hold is refused, saying so
    with pytest.raises(ratatouille.InvalidError, match="'wait' is INTERVAL"):
        engine.write_parquet(pd.DataFrame({"wait": pd.to_timedelta(["1s", None])}), "silver.w")


def test_write_modes_and_the_table_after(lake):
    ws = Workspace.create(name="analytics")
    engine = ws.get_engine()
    first = pd.DataFrame({"id": [1, 2], "v": ["a", "b"]})
    engine.write_parquet(first, "bronze.t")
    engine.write_parquet(pd.DataFrame({"id": [3], "v": ["c"], "extra": [True]}), "bronze.t",
                         mode="append")
    after = engine.table("bronze.t").sort_values("id").reset_index(drop=True)
    assert after["id"].tolist() == [1, 2, 3]
    assert after["extra"].tolist()[:2] == [pd.NA, pd.NA] and after["extra"][2] is np.True_
    engine.write_parquet(pd.DataFrame({"id": [9]}), "bronze.t")  # overwrite: rows and schema
    assert list(engine.table("bronze.t").columns) == ["id"]
    assert rat_json("analytics", "SELECT count(*) AS n FROM bronze.t") == [{"n": 1}]
    # an empty frame is an empty table with its columns
    engine.write_parquet(pd.DataFrame({"id": pd.Series([], dtype="int64")}), "bronze.empty")
    assert engine.table("bronze.empty").shape == (0, 1)


def test_parameters_are_bound_not_spliced(lake):
    Workspace.create(name="analytics")
    sales()
    engine = get_workspace("analytics").get_engine()
    df = engine.query("SELECT count(*) AS n FROM bronze.sales WHERE day = ? AND quantity > ?",
                      [datetime.date(2024, 1, 2), np.int64(2)])
    assert df["n"][0] == len(rat_json("analytics", "SELECT id FROM bronze.sales WHERE "
                                                   "day = DATE '2024-01-02' AND quantity > 2"))
    named = engine.query("SELECT $name AS s, $n + 1 AS n, $d AS d",
                         {"name": "it's'; --", "n": 41, "d": decimal.Decimal("1.10")})
    assert named["s"][0] == "it's'; --" and named["n"][0] == 42 and named["d"][0] == "1.10"
    assert engine.query("SELECT ?::INTEGER IS NULL AS x", [None])["x"][0]
    with pytest.raises(ratatouille.SQLError, match="takes 2 parameters, 1 given"):
        engine.query("SELECT ?, ?", [1])
    with pytest.raises(TypeError, match="no SQL parameter"):
        engine.query("SELECT ?", [object()])
    with pytest.raises(TypeError):
        engine.query("SELECT ?", "not a sequence")


def test_a_failing_check_writes_nothing(lake):
    ws = Workspace.create(name="analytics")
    folder = lake / "workspaces" / "analytics" / "pipelines" / "silver" / "clean"
    write(folder / "pipeline.sql", "SELECT 1 AS id, 'x' AS name\n")
    write(folder / "config.yaml", "columns:\n  - name: id\n    tests: [not_null]\n")
    engine = ws.get_engine()
    engine.write_parquet(pd.DataFrame({"id": [1, 2], "name": ["a", "b"]}), "silver.clean")
    with pytest.raises(ratatouille.Error, match="not_null"):
        engine.write_parquet(pd.DataFrame({"id": pd.array([None], dtype="Int64"), "name": ["z"]}),
                             "silver.clean")
    assert rat_json("analytics", "SELECT id FROM silver.clean ORDER BY id") == [{"id": 1}, {"id": 2}]


def test_many_batches_and_threads(lake):
    ws = Workspace.create(name="analytics")
    engine = ws.get_engine()
    df = engine.query("SELECT i, i::DOUBLE / 3 AS x, 'v' || i AS s FROM range(250000) t(i)")
    assert len(df) == 250000 and df["i"].sum() == 250000 * 249999 // 2
    assert df["s"].iloc[-1] == "v249999"
    # each thread has its own session from get_engine(); one session refuses a second thread
    seen = {}
    worker = threading.Thread(target=lambda: seen.update(e=ws.get_engine()))
    worker.start()
    worker.join()
    assert seen["e"] is not engine and ws.get_engine() is engine
    # the GIL is released while DuckDB works: this thread runs meanwhile
    ticks, done = [0], threading.Event()

    def long_query():
        try:
            engine.query("SELECT count(*) FROM range(400000000) t(i) WHERE i % 7 = 3")
        finally:
            done.set()

    runner = threading.Thread(target=long_query)
    runner.start()
    time.sleep(0.05)
    with pytest.raises(ratatouille.InvalidError, match="busy"):
        engine.query("SELECT 1")
    while not done.is_set():
        ticks[0] += 1
        time.sleep(0.001)
    runner.join()
    assert ticks[0] > 10


def test_big_results_read_at_once_and_dropped(lake):
    # the objects of a big result live in arenas carved while it is read (src/arena.c):
    # two threads reading at once, a read that fails half-way, and every arena freed after
    ws = Workspace.create(name="analytics")
    sql = "SELECT i, 'customer-' || i AS s, (i % 1000 / 10)::DECIMAL(8,1) AS d FROM range({n}) t(i)"
    out, errors = {}, []

    def read(key, n):
        try:
            out[key] = ws.get_engine().query(sql.format(n=n))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=read, args=(k, n)) for k, n in (("a", 300000), ("b", 200000))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for key, n in (("a", 300000), ("b", 200000)):
        df = out[key]
        assert len(df) == n and df["s"].nunique() == n
        assert df["s"].iloc[n - 1] == f"customer-{n - 1}" and df["d"].iloc[n - 1] == decimal.Decimal("99.9")
    with pytest.raises(ratatouille.Error, match="late"):
        ws.get_engine().query("SELECT 'v' || i AS s, CASE WHEN i = 240000 THEN error('late') END AS e "
                              "FROM range(250000) t(i)")
    out.clear()
    again = ws.get_engine().query(sql.format(n=300000))
    assert again["s"].str.len().sum() == sum(len(f"customer-{i}") for i in range(300000))


def test_errors_cross_as_exceptions_never_a_crash(lake):
    ws = Workspace.create(name="analytics")
    engine = ws.get_engine()
    with pytest.raises(ratatouille.SQLError, match="Catalog Error.*nope"):
        engine.query("SELECT * FROM bronze.nope")
    with pytest.raises(ratatouille.SQLError, match="rat write"):
        engine.query("CREATE TABLE silver.x AS SELECT 1")
    with pytest.raises(TypeError):
        engine.query(None)
    with pytest.raises(TypeError):
        Engine("analytics")
    with pytest.raises(TypeError):
        engine.write_parquet([1, 2], "silver.x")
    with pytest.raises(ValueError, match="no table of workspace"):
        engine.write_parquet(pd.DataFrame({"a": [1]}), "/elsewhere/silver/x")
    with pytest.raises(ValueError, match="mode"):
        engine.write_parquet(pd.DataFrame({"a": [1]}), "silver.x", mode="upsert")
    with pytest.raises(TypeError, match="one type"):
        engine.write_parquet(pd.DataFrame({"a": [1, "x"]}), "silver.x")
    with pytest.raises(ValueError, match="duplicate"):
        engine.write_parquet(pd.DataFrame([[1, 2]], columns=["a", "a"]), "silver.x")
    with pytest.raises(ratatouille.NotFoundError, match="no namespace platinum"):
        engine.write_parquet(pd.DataFrame({"a": [1]}), "platinum.x")
    assert "silver.x" not in engine.tables()
    # no temporary table is left behind by a failed write
    assert engine.query("SELECT count(*) AS n FROM duckdb_tables() WHERE temporary")["n"][0] == 0
    engine.close()
    engine.close()
    assert engine.closed
    with pytest.raises(ratatouille.InvalidError, match="closed"):
        engine.query("SELECT 1")
    assert not ws.get_engine().closed  # get_engine() opens a new one
    with pytest.raises(ratatouille.NotFoundError):
        ws.get_engine(ref="no-such-branch").query("SELECT 1")
