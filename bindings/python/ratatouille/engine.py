"""ratatouille.engine: SQL on a workspace's tables into pandas, and DataFrames written back.

    ws = get_workspace()
    engine = ws.get_engine()
    df = engine.query("SELECT * FROM bronze.sales LIMIT 100")
    df = engine.query("SELECT * FROM silver.sales WHERE day = ?", ["2024-03-01"])
    engine.write_parquet(df, ws.s3_path("silver", "cleaned_sales"))   # or "silver.cleaned_sales"
    engine.table("silver.cleaned_sales"), engine.tables()

An Engine is a session of librat's engine (embedded DuckDB) on the
workspace's branch, locked down as `rat query`'s is: SQL reads the
workspace's tables and cannot change them; a table changes through
write_parquet(), which commits on the branch as `rat write` does
(write-audit-publish: the table's checks run first), so every client sees
it. Results come from DuckDB's vectors straight into NumPy arrays, with
the GIL released while DuckDB works. A session serves one thread at a time.
"""
import datetime
import decimal
import itertools
import json
import math
import re
import uuid

import numpy as np
import pandas as pd

from ratatouille import _rat

__all__ = ["Engine"]

_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_names = itertools.count(1)


class Engine:
    """An engine session of a workspace (ws.get_engine(), or Engine(ws, ref=...))."""

    def __init__(self, workspace, ref=None):
        from ratatouille.workspace import Workspace

        if not isinstance(workspace, Workspace):
            raise TypeError(f"Engine(workspace): a Workspace, not {type(workspace).__name__}")
        if ref is not None and not isinstance(ref, str):
            raise TypeError(f"a ref is a branch, tag or commit name (str), not {type(ref).__name__}")
        self.workspace = workspace
        self.ref = ref
        self._e = _rat.Engine(workspace._ws, ref)

    # --- reading -------------------------------------------------------------------------

    def query(self, sql, params=None):
        """The rows of sql as a DataFrame.

        params binds the last statement's parameters: a sequence for `?` (or
        `$1`, `$2`...), a dict for `$name`. Values are never spliced into the
        SQL. Types: nullable Int8..Int64/UInt8..UInt32 and boolean (NULLs
        kept), float32/float64 (NULL as NaN), datetime64[ns] and
        datetime64[ns, UTC] (NaT), and objects for the rest: Decimal,
        datetime.date, datetime.time, str, bytes, int, uuid.UUID, and lists
        and dicts for LIST, STRUCT and MAP.
        """
        if not isinstance(sql, str):
            raise TypeError(f"sql is a str, not {type(sql).__name__}")
        rows, columns = self._e.query(sql, _params(params))
        return _frame(rows, columns)

    def table(self, name, limit=None):
        """A table ("layer.table") as a DataFrame: all its rows, or the first limit."""
        if not isinstance(name, str) or name.count(".") != 1:
            raise ValueError(f"a table is named 'layer.table', not {name!r}")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise ValueError(f"limit is a count of rows, not {limit!r}")
        layer, table = name.split(".")
        sql = f"SELECT * FROM {_ident(layer)}.{_ident(table)}"
        return self.query(sql + (f" LIMIT {limit}" if limit is not None else ""))

    def tables(self):
        """The workspace's tables at the engine's ref, as "layer.table" names, sorted."""
        return [key for key, _kind, _rows, _error in self.workspace._ws.tables(self.ref)]

    # --- writing -------------------------------------------------------------------------

    def write_parquet(self, df, path, mode="overwrite"):
        """Write df as a table of the workspace, on its branch: one Iceberg commit.

        path is where the guide puts it, ws.s3_path(layer, table), or the
        table's name "layer.table". mode "overwrite" makes the rows the
        table (its schema becomes df's); "append" adds them (new columns
        are added, missing ones written as NULL). The table's checks run
        before the commit (a failing one writes nothing). The index is not
        written; NaN and NaT are NULL. Returns what was written: branch,
        commit, snapshot_id, rows_written, rows.
        """
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"write_parquet writes a pandas DataFrame, not {type(df).__name__}")
        if mode not in ("overwrite", "append"):
            raise ValueError(f"mode is 'overwrite' or 'append', not {mode!r}")
        table = self._table_of(path)
        temp = f"rat_frame_{next(_names)}"
        self._e.register(temp, columns_of(df), len(df))
        try:
            return self._e.write_table(table, f"SELECT * FROM temp.main.{_ident(temp)}", mode)
        finally:
            if not self._e.closed:
                try:
                    self._e.execute(f"DROP TABLE IF EXISTS temp.main.{_ident(temp)}")
                except _rat.Error:
                    pass  # a failed write's own error is the one to raise; the rows stay temporary

    def _table_of(self, path):
        if not isinstance(path, str):
            raise TypeError(f"a table's path is a str, not {type(path).__name__}")
        if "/" not in path and "://" not in path:
            if path.count(".") != 1:
                raise ValueError(f"a table is 'layer.table' or ws.s3_path(layer, table), not {path!r}")
            return path
        trimmed = path.rstrip("/")
        for layer in ("bronze", "silver", "gold"):
            root = self.workspace.s3_path(layer).rstrip("/") + "/"
            if trimmed.startswith(root) and "/" not in trimmed[len(root):] and trimmed[len(root):]:
                return f"{layer}.{trimmed[len(root):]}"
        raise ValueError(f"{path!r} is no table of workspace '{self.workspace.name}': "
                         f"a table's path is ws.s3_path(layer, table), e.g. "
                         f"{self.workspace.s3_path('silver', 'sales')!r}")

    # --- the session ---------------------------------------------------------------------

    def execute(self, sql):
        """Run statements whose results are not wanted (temporary tables, SET of the session)."""
        if not isinstance(sql, str):
            raise TypeError(f"sql is a str, not {type(sql).__name__}")
        self._e.execute(sql)

    def interrupt(self):
        """Stop the statement another thread runs in this session (it raises SQLError)."""
        self._e.interrupt()

    def close(self):
        """Free the session. Later calls raise InvalidError; closing again is allowed."""
        self._e.close()

    @property
    def closed(self):
        return self._e.closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self.closed else (self.ref or self.workspace.nessie_branch)
        return f"Engine({self.workspace.name!r}, {state})"


def _ident(name):
    return '"' + name.replace('"', '""') + '"'


# --- parameters --------------------------------------------------------------------------

def _param(v):
    if v is None or isinstance(v, (bool, int, float, str, bytes)):
        return None if isinstance(v, float) and math.isnan(v) else v
    if isinstance(v, np.generic):
        return _param(v.item())
    if v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, (decimal.Decimal, uuid.UUID)):
        return str(v)
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, datetime.timedelta):
        return f"{v // datetime.timedelta(microseconds=1)} microseconds"
    raise TypeError(f"a {type(v).__name__} is no SQL parameter value")


def _params(params):
    if params is None:
        return None
    if isinstance(params, dict):
        return {str(k).lstrip("$"): _param(v) for k, v in params.items()}
    if isinstance(params, (str, bytes)) or not hasattr(params, "__iter__"):
        raise TypeError("params is a sequence (for ?) or a dict (for $name)")
    return [_param(v) for v in params]


# --- a result as a DataFrame -------------------------------------------------------------

def _array(rows, kind, dtype, values, mask):
    if kind == "object":
        return values  # already an array of objects
    data = np.frombuffer(values, dtype=dtype) if rows else np.empty(0, dtype=dtype)
    if kind in ("int", "bool"):
        nulls = np.frombuffer(mask, dtype=np.bool_) if rows else np.empty(0, dtype=np.bool_)
        return (pd.arrays.BooleanArray if kind == "bool" else pd.arrays.IntegerArray)(data, nulls)
    if kind == "timestamptz":
        return pd.arrays.DatetimeArray(data, dtype=pd.DatetimeTZDtype(tz="UTC"))
    return data


def _frame(rows, columns):
    index = pd.RangeIndex(rows)
    arrays = {}
    for i, (_name, kind, dtype, values, mask, _sql) in enumerate(columns):
        array = _array(rows, kind, dtype, values, mask)
        if kind == "object":  # as it is: no copy, no scan for dates to convert
            array = pd.Series(array, index=index, dtype=object, copy=False)
        arrays[i] = array
    df = pd.DataFrame(arrays, index=index, copy=False)
    df.columns = [c[0] for c in columns]
    # the SQL types, for what pandas has no dtype of its own (a DECIMAL's precision):
    # write_parquet() writes such a column back as the type it was read as
    df.attrs["sql_types"] = {c[0]: c[5] for c in columns}
    return df


# --- a DataFrame as columns of rows --------------------------------------------------------

_INTS = {"int8": "TINYINT", "int16": "SMALLINT", "int32": "INTEGER", "int64": "BIGINT",
         "uint8": "SMALLINT", "uint16": "INTEGER", "uint32": "BIGINT", "uint64": "BIGINT"}


def _valid(series):
    return series.notna().to_numpy(dtype=np.uint8)


def _column(name, s, declared=None):
    """(name, sql_type, kind, values, valid): how one column goes to the engine.

    declared: the column's SQL type when it was read (df.attrs["sql_types"]), or None.
    """
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _column(name, s.astype(dtype.categories.dtype))
    kind = getattr(dtype, "kind", "O")
    if kind == "b" or isinstance(dtype, pd.BooleanDtype):
        return (name, "BOOLEAN", "bool", s.to_numpy(dtype=np.uint8, na_value=0), _valid(s))
    if kind in "iu":
        numpy_name = np.dtype(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype).name
        if numpy_name == "uint64" and s.max(skipna=True) > np.iinfo(np.int64).max:
            raise ValueError(f"column '{name}': values past 2^63 - 1 do not fit a table's integers")
        return (name, _INTS[numpy_name], "int64", s.to_numpy(dtype=np.int64, na_value=0),
                _valid(s))
    if kind == "f":
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        sql = "FLOAT" if np.dtype(getattr(dtype, "numpy_dtype", dtype)).itemsize == 4 else "DOUBLE"
        return (name, sql, "double", values, (~np.isnan(values)).astype(np.uint8))
    if kind == "M":
        if getattr(dtype, "tz", None) is not None:
            s, sql = s.dt.tz_convert("UTC").dt.tz_localize(None), "TIMESTAMP WITH TIME ZONE"
        else:
            sql = "TIMESTAMP"
        ns = s.to_numpy(dtype="datetime64[ns]").view(np.int64)
        return (name, sql, "int64", ns // 1000, _valid(s))
    if kind == "m":
        us = s.to_numpy(dtype="timedelta64[ns]").view(np.int64) // 1000
        texts = [None if not ok else f"{u} microseconds" for u, ok in zip(us, s.notna())]
        return (name, "INTERVAL", "text", texts, None)
    return _object_column(name, s, declared)


def _object_column(name, s, declared=None):
    values = s.tolist()
    seen = {type(v) for v in values if v is not None and not _missing(v)}
    values = [None if v is None or _missing(v) else v for v in values]
    if not seen or seen <= {str}:
        return (name, "VARCHAR", "text", values, None)
    if seen <= {bytes, bytearray, memoryview}:
        return (name, "BLOB", "text", [None if v is None else bytes(v) for v in values], None)
    if seen <= {bool, np.bool_}:
        return _bools(name, values)
    if seen & {bool, np.bool_}:
        raise TypeError(f"column '{name}' mixes booleans with other values: one type per column")
    if all(issubclass(t, (int, np.integer)) and not issubclass(t, (bool, np.bool_)) for t in seen):
        if all(-2**63 <= v < 2**63 for v in values if v is not None):
            return _numbers(name, values, "BIGINT", "int64", np.int64)
        return (name, "HUGEINT", "text", [None if v is None else str(v) for v in values], None)
    if all(issubclass(t, (float, int, np.floating, np.integer)) for t in seen):
        return _numbers(name, values, "DOUBLE", "double", np.float64)
    if all(issubclass(t, decimal.Decimal) for t in seen):
        return _decimals(name, values, declared)
    if all(issubclass(t, datetime.datetime) for t in seen):
        return _datetimes(name, values)
    if all(issubclass(t, datetime.date) and not issubclass(t, datetime.datetime) for t in seen):
        days = [None if v is None else v.toordinal() - _EPOCH_ORDINAL for v in values]
        return _numbers(name, days, "DATE", "int64", np.int64)
    if seen <= {datetime.time}:
        us = [None if v is None else ((v.hour * 60 + v.minute) * 60 + v.second) * 1000000 + v.microsecond
              for v in values]
        return _numbers(name, us, "TIME", "int64", np.int64)
    if seen <= {uuid.UUID}:
        return (name, "UUID", "text", [None if v is None else str(v) for v in values], None)
    if all(issubclass(t, (list, tuple, dict, np.ndarray)) for t in seen):
        t = _nested_type(name, values)
        texts = [None if v is None else json.dumps(_complete(v, t), default=_json_default,
                                                   ensure_ascii=False) for v in values]
        nested = declared and (declared.endswith("]") or declared.startswith(("STRUCT(", "MAP(")))
        return (name, declared if nested else _sql_type(t), "json", texts, None)
    kinds = ", ".join(sorted(t.__name__ for t in seen))
    raise TypeError(f"column '{name}' holds {kinds}: a table's column has one type "
                    f"(convert it first, e.g. df['{name}'].astype(str))")


def _missing(v):
    return v is pd.NaT or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _bools(name, values):
    return (name, "BOOLEAN", "bool", np.array([bool(v) if v is not None else False for v in values],
                                              dtype=np.uint8),
            np.array([v is not None for v in values], dtype=np.uint8))


def _numbers(name, values, sql, kind, dtype):
    data = np.array([0 if v is None else v for v in values], dtype=dtype)
    return (name, sql, kind, data, np.array([v is not None for v in values], dtype=np.uint8))


def _decimals(name, values, declared=None):
    scale, digits = 0, 1
    for v in values:
        if v is None:
            continue
        if not v.is_finite():
            raise ValueError(f"column '{name}': {v} is no decimal a table can hold")
        sign, ds, exp = v.as_tuple()
        scale = max(scale, -exp)
        digits = max(digits, len(ds) + exp)  # digits before the point
    precision = digits + scale
    if precision > 38:
        raise ValueError(f"column '{name}': decimals of {precision} digits (at most 38)")
    sql = f"DECIMAL({max(precision, 1)},{scale})"
    was = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", declared or "")
    if was and int(was[2]) >= scale and int(was[1]) - int(was[2]) >= digits:
        sql = declared  # the values still fit the type they were read as
    texts = [None if v is None else format(v, "f") for v in values]
    return (name, sql, "text", texts, None)


def _datetimes(name, values):
    aware = {v.tzinfo is not None and v.utcoffset() is not None for v in values if v is not None}
    if len(aware) > 1:
        raise TypeError(f"column '{name}' mixes datetimes with and without a time zone")
    tz = aware == {True}
    epoch = _EPOCH_UTC if tz else _EPOCH
    one = datetime.timedelta(microseconds=1)
    us = [None if v is None else (v - epoch) // one for v in values]
    return _numbers(name, us, "TIMESTAMP WITH TIME ZONE" if tz else "TIMESTAMP", "int64", np.int64)


def _json_default(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, uuid.UUID):
        return str(v)
    raise TypeError(f"a {type(v).__name__} inside a list or dict")


def _nested_type(name, values):
    """The DuckDB type of lists and dicts: LIST of the elements' type, STRUCT of the keys'."""
    t = None
    for v in values:
        if v is not None:
            t = _unify(name, t, _type_of(name, v))
    return t


def _complete(v, t):
    """v with every key of its STRUCT type present (None where a dict lacks one): DuckDB wants all."""
    if v is None or not isinstance(t, tuple):
        return v
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if t[0] == "list":
        return [_complete(item, t[1]) for item in v]
    return {k: _complete(v.get(k), kt) for k, kt in t[1].items()}


def _type_of(name, v):
    """A value's type: a SQL name, ("list", element) or ("struct", {key: type}); None unknown."""
    if v is None:
        return None
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, (bool, np.bool_)):
        return "BOOLEAN"
    if isinstance(v, (int, np.integer)):
        return "BIGINT"
    if isinstance(v, (float, np.floating, decimal.Decimal)):
        return "DOUBLE"
    if isinstance(v, str):
        return "VARCHAR"
    if isinstance(v, datetime.datetime):
        return "TIMESTAMP WITH TIME ZONE" if v.tzinfo is not None else "TIMESTAMP"
    if isinstance(v, datetime.date):
        return "DATE"
    if isinstance(v, (list, tuple)):
        t = None
        for item in v:
            t = _unify(name, t, _type_of(name, item))
        return ("list", t)
    if isinstance(v, dict):
        fields = {}
        for k, item in v.items():
            if not isinstance(k, str):
                raise TypeError(f"column '{name}': a dict's keys are field names (str), not {k!r}")
            fields[k] = _type_of(name, item)
        return ("struct", fields)
    raise TypeError(f"column '{name}': a {type(v).__name__} inside a list or dict")


def _unify(name, a, b):
    """One type for values of types a and b (a key missing from a dict is NULL)."""
    if a is None or b is None or a == b:
        return b if a is None else a
    if isinstance(a, str) and isinstance(b, str) and {a, b} == {"BIGINT", "DOUBLE"}:
        return "DOUBLE"
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "list":
        return ("list", _unify(name, a[1], b[1]))
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "struct":
        keys = list(a[1]) + [k for k in b[1] if k not in a[1]]
        return ("struct", {k: _unify(name, a[1].get(k), b[1].get(k)) for k in keys})
    raise TypeError(f"column '{name}' holds values of types {_sql_type(a)} and {_sql_type(b)}: "
                    f"one type per column")


def _sql_type(t):
    if t is None:
        return "VARCHAR"
    if isinstance(t, str):
        return t
    if t[0] == "list":
        return f"{_sql_type(t[1])}[]"
    return "STRUCT(" + ", ".join(f"{_ident(k)} {_sql_type(v)}" for k, v in t[1].items()) + ")"


def columns_of(df):
    """The frame's columns as the engine takes them (Engine.register, rat_engine_register_rows)."""
    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"the DataFrame has duplicate columns: {', '.join(dup)}")
    if not names:
        raise ValueError("the DataFrame has no column")
    declared = df.attrs.get("sql_types") or {}
    return [_column(name, s, declared.get(name)) for name, (_label, s) in zip(names, df.items())]
