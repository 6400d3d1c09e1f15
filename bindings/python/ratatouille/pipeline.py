"""ratatouille.pipeline: pipelines written in Python, as the original Ratatouille wrote them.

    # pipelines/bronze/ingest_sales.py
    import pandas as pd
    from ratatouille.pipeline import bronze_pipeline

    @bronze_pipeline(name="raw_sales", schedule="0 6 * * *", owner="data@example.com")
    def ingest_sales(context):
        for path in context.landing_files:        # the new files (landing: in its YAML)
            df = pd.read_csv(path)
            context.log.info(f"{path}: {len(df)} rows")
            context.write("bronze.raw_sales", df)

`rat run` finds the decorator without running Python (its arguments are
literals), names the table by its name= (else the function's name), and
runs the function under Debian's Python as a child process with a Context.
What it writes becomes the table through the run's write-audit-publish, as
a SQL pipeline's SELECT does: the YAML beside the file (materialized,
unique_key, columns and their tests, landing) applies; checks run before
anything is published; a failure publishes nothing.
"""
import datetime
import os

__all__ = ["pipeline", "bronze_pipeline", "silver_pipeline", "gold_pipeline", "is_pipeline",
           "get_pipeline_meta", "Context"]

LAYERS = ("bronze", "silver", "gold")


def pipeline(name=None, layer="bronze", schedule=None, merge_keys=None, partition_by=None,
             owner=None, description=None, tags=None, depends_on=None, unique_key=None):
    """Declare a function f(context) a pipeline of layer writing the table layer.name.

    name: the table's name (default: the function's). schedule: a cron
    expression or preset (for `rat serve`). merge_keys (or unique_key) and
    partition_by: as a SQL pipeline's unique_key and partition_by.
    depends_on: tables ("silver.orders") it reads, so that `rat run` builds
    them first. Every argument is a literal: rat reads them without running
    Python.
    """
    if callable(name):  # used bare: @pipeline
        return pipeline()(name)
    if layer not in LAYERS:
        raise ValueError(f"layer is one of {', '.join(LAYERS)}, not {layer!r}")

    def decorator(func):
        func._pipeline_meta = {
            "name": name or func.__name__,
            "layer": layer,
            "schedule": schedule,
            "merge_keys": list(merge_keys or unique_key or []),
            "partition_by": list(partition_by or []),
            "owner": owner,
            "description": description or (func.__doc__ or "").strip(),
            "tags": tags or {},
            "depends_on": list(depends_on or []),
        }
        return func

    return decorator


def _layer_decorator(layer):
    def decorate(name=None, schedule=None, **kwargs):
        if callable(name):  # used bare: @bronze_pipeline
            return pipeline(layer=layer)(name)
        if kwargs.get("layer", layer) != layer:
            raise ValueError(f"@{layer}_pipeline writes a {layer} table, not {kwargs['layer']}")
        kwargs.pop("layer", None)
        return pipeline(name=name, layer=layer, schedule=schedule, **kwargs)

    decorate.__name__ = f"{layer}_pipeline"
    decorate.__doc__ = f"@pipeline(layer={layer!r}, ...)."
    return decorate


bronze_pipeline = _layer_decorator("bronze")
silver_pipeline = _layer_decorator("silver")
gold_pipeline = _layer_decorator("gold")


def is_pipeline(obj):
    """Whether obj is a function declared with a pipeline decorator."""
    return callable(obj) and hasattr(obj, "_pipeline_meta")


def get_pipeline_meta(func):
    """The decorator's settings of a pipeline function."""
    if not is_pipeline(func):
        raise ValueError(f"{getattr(func, '__name__', func)!r} is not a pipeline function")
    return func._pipeline_meta


class _Log:
    """context.log: lines kept in the run's record (`rat runs show ID`) and shown as they come."""

    def __init__(self, path):
        self._path = path
        self._file = None

    def _line(self, level, message):
        text = " ".join(str(message).splitlines())
        print(f"{level} {text}", flush=True)
        if self._path:
            if self._file is None:  # opened once, on the first line
                self._file = open(self._path, "a", encoding="utf-8")
            self._file.write(f"{level} {text}\n")
            self._file.flush()  # kept even when the function then fails

    def debug(self, message):
        self._line("DEBUG", message)

    def info(self, message):
        self._line("INFO", message)

    def warning(self, message):
        self._line("WARNING", message)

    warn = warning

    def error(self, message):
        self._line("ERROR", message)


class Context:
    """What `rat run` gives a Python pipeline's function (from the run's environment).

    table: the table it writes ("bronze.raw_sales"); workspace, run_id;
    run_started_at (a UTC datetime); is_incremental (its table exists and it
    is materialized incrementally: write only what is new);
    landing_dir and landing_files (with `landing:` in its YAML: the folder,
    and the files this run has not ingested yet); log.
    """

    def __init__(self, environ=None):
        env = os.environ if environ is None else environ
        self.table = env.get("RAT_PIPELINE", "")
        self.workspace = env.get("RAT_WORKSPACE", "")
        self.run_id = env.get("RAT_RUN_ID", "")
        self.run_started_at = _parse_time(env.get("RAT_RUN_STARTED_AT", ""))
        self.is_incremental = env.get("RAT_IS_INCREMENTAL", "0") == "1"
        self.landing_dir = env.get("RAT_LANDING_DIR")
        self.landing_files = _lines(env.get("RAT_LANDING_FILES"))
        self.log = _Log(env.get("RAT_LOG_FILE"))
        self._output = env.get("RAT_OUTPUT_DIR")
        self._workspace_path = env.get("RAT_WORKSPACE_PATH")
        self._branch = env.get("RAT_RUN_BRANCH")
        self._engine = None
        self._parts = 0
        self.rows_written = 0

    def write(self, table, df=None):
        """Hand df's rows to the run as the pipeline's table (several calls add up).

        table is the pipeline's own ("bronze.raw_sales"); write(df) alone
        means it too. The rows become the table as the pipeline's YAML says
        (replaced, appended or merged on its unique_key), after its checks.
        """
        import pandas as pd
        from ratatouille import _rat
        from ratatouille.engine import columns_of

        if df is None and isinstance(table, pd.DataFrame):
            table, df = self.table, table
        if table != self.table:
            raise ValueError(f"this pipeline writes {self.table}, not {table!r}: a Python "
                             f"pipeline writes its own table (another pipeline writes another)")
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"context.write takes a pandas DataFrame, not {type(df).__name__}")
        if not self._output:
            raise RuntimeError("context.write works inside `rat run` (RAT_OUTPUT_DIR is not set)")
        if len(df.columns) == 0:
            raise ValueError("the DataFrame has no column")
        self._parts += 1
        _rat.write_parquet(os.path.join(self._output, f"part-{self._parts:05d}.parquet"),
                           columns_of(df), len(df))
        self.rows_written += len(df)

    def query(self, sql, params=None):
        """The rows of sql as a DataFrame, read on the run's branch: the tables as this run left them."""
        return self._session().query(sql, params)

    def watermark(self, column):
        """The greatest value of column in the pipeline's table (None before its first build).

        The incremental pattern: new_rows = rows[rows[column] > context.watermark(column)].
        """
        from ratatouille import Error

        layer, name = self.table.split(".", 1)
        ident = '"' + column.replace('"', '""') + '"'
        try:
            df = self.query(f'SELECT max({ident}) AS m FROM "{layer}"."{name}"')
        except Error:
            if not self.is_incremental:
                return None  # no table yet
            raise
        value = df["m"].iloc[0] if len(df) else None
        return None if value is None or _missing(value) else value

    def _session(self):
        if self._engine is None:
            from ratatouille.engine import Engine
            from ratatouille.workspace import Workspace

            if not self._workspace_path:
                raise RuntimeError("context.query works inside `rat run` (no workspace is set)")
            self._engine = Engine(Workspace.load(self._workspace_path), self._branch)
        return self._engine

    def close(self):
        if self._engine is not None:
            self._engine.close()
            self._engine = None


def _missing(value):
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or a dict: a value
        return False


def _lines(path):
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def _parse_time(text):
    try:  # "2026-11-23 10:15:00+00"
        return datetime.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
