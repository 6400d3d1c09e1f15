#!/usr/bin/env python3
"""bench/run.py - the benchmark `make bench` runs (bench/README.md).

    python3 bench/run.py --build build/release

Seven measures, each reported as the median over BENCH_RUNS runs (6: wrk's):

  1. a full `rat run` of bench/workspace (bronze -> silver -> gold) on
     BENCH_ROWS generated rows, against the same compiled SQL run by
     bench/raw_duckdb.c (libduckdb's C API, writing Parquet);
  2. an incremental merge of 1 % changed rows into silver.orders against
     `rat run --full-refresh silver.orders`, for changed keys that are the
     most recent orders and for changed keys scattered over all orders;
  3. `rat query` cold start (SELECT 1) and a point query on a partitioned
     gold table, with the files it reads and the files the planner prunes;
  4. catalog commits per second and `rat tables` latency with BENCH_TABLES
     tables on a branch;
  5. peak RSS of a run under the tiny profile on landing data 3x its memory
     limit in size;
  6. `rat serve` over loopback, driven by wrk on measure 4's tables:
     loadTable p50/p99 and commits per second at 1, 16 and 64 connections;
  7. a query into a pandas DataFrame (the ratatouille package) against the
     same result produced in C, and its peak memory against the frame's
     size (bench/python_frame.py, run by Debian's Python).

Everything it writes goes under BENCH_DIR (default build/bench/), which it
empties first, except the report, BENCH_OUT (default bench/results/latest.md).

Environment (all optional):
  BENCH_ROWS         rows of the full run (default 20000000)
  BENCH_RUNS         runs per figure, the median is reported (default 3)
  BENCH_FILES        landing files the rows are split into (default 10)
  BENCH_COLD_RUNS    runs of the cold-start and point queries (default 20)
  BENCH_TABLES       tables on the catalog branch (default 1000)
  BENCH_COMMITS      catalog commits timed (default 1000)
  BENCH_TINY_FACTOR  tiny data size / its memory limit (default 3)
  BENCH_TINY         1: run measure 5 (default), 0: skip it
  BENCH_SERVE_SECONDS  seconds of each wrk run of measure 6 (default 5; 0 skips it)
  BENCH_FRAME_ROWS   rows of measure 7's bigger query (default 10000000; 0 skips it)
  BENCH_KEEP         1: keep the tables and data under BENCH_DIR (default 0: remove
                     them as soon as no measure needs them; they take about 10 GB)
  BENCH_DIR, BENCH_OUT
"""
import datetime
import json
import math
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(TOP, "bench")


def env_int(name, default, minimum=1):
    value = os.environ.get(name, "").replace("_", "")
    if not value:
        return default
    try:
        n = int(value)
    except ValueError:
        sys.exit(f"bench: {name} must be an integer, got {os.environ[name]!r}")
    if n < minimum:
        sys.exit(f"bench: {name} must be at least {minimum}")
    return n


ROWS = env_int("BENCH_ROWS", 20_000_000)
RUNS = env_int("BENCH_RUNS", 3)
FILES = env_int("BENCH_FILES", 10)
COLD_RUNS = env_int("BENCH_COLD_RUNS", 20)
TABLES = env_int("BENCH_TABLES", 1000)
COMMITS = env_int("BENCH_COMMITS", 1000)
SERVE_SECONDS = env_int("BENCH_SERVE_SECONDS", 5, minimum=0)  # 0: measure 6 skipped
FRAME_ROWS = env_int("BENCH_FRAME_ROWS", 10_000_000, minimum=0)  # 0: measure 7 skipped
TINY_FACTOR = float(os.environ.get("BENCH_TINY_FACTOR", "3"))
TINY = os.environ.get("BENCH_TINY", "1") != "0"
KEEP = os.environ.get("BENCH_KEEP", "0") not in ("", "0")
WORK = os.path.abspath(os.environ.get("BENCH_DIR", os.path.join(TOP, "build", "bench")))
OUT = os.path.abspath(os.environ.get("BENCH_OUT", os.path.join(BENCH, "results", "latest.md")))

# The point query of measure 3: one day and one product of a gold table partitioned by day.
POINT_DAY = "2024-06-15"
POINT_PRODUCT = "latte mix 7"
POINT_SQL = ("SELECT * FROM gold.daily_product_sales "
             f"WHERE order_date = DATE '{POINT_DAY}' AND product = '{POINT_PRODUCT}'")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes

class Proc:
    """One finished process: exit code, wall seconds, CPU seconds, peak RSS, output."""

    def __init__(self, cmd, rc, wall, cpu, maxrss_kb, out, err, spill_peak):
        self.cmd, self.rc, self.wall, self.cpu = cmd, rc, wall, cpu
        self.maxrss_kb, self.out, self.err, self.spill_peak = maxrss_kb, out, err, spill_peak

    def check(self):
        if self.rc != 0:
            sys.exit(f"bench: command failed ({self.rc}): {' '.join(self.cmd)}\n"
                     f"{self.err[-3000:]}{self.out[-2000:]}")
        return self


def tree_bytes(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def run(cmd, env=None, stdin_text=None, cwd=None, watch=None):
    """Run cmd; its rusage comes from wait4, so the peak RSS is its own.

    watch: a folder whose size is sampled every 0.2 s (the spill folder)."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    stdin = subprocess.DEVNULL
    if stdin_text is not None:
        stdin = tempfile.TemporaryFile()
        stdin.write(stdin_text.encode())
        stdin.seek(0)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.2):
            peak[0] = max(peak[0], tree_bytes(watch))

    sampler = threading.Thread(target=sample, daemon=True) if watch else None
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err, env=env, cwd=cwd)
    if sampler:
        sampler.start()
    _pid, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if sampler:
        done.set()
        sampler.join()
    out.seek(0)
    err.seek(0)
    return Proc(cmd, p.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                peak[0])


def rat_env(home):
    env = dict(os.environ)
    for name in ("WORKSPACE", "RAT_PROFILE", "ICEBERG_WAREHOUSE"):
        env.pop(name, None)
    env.update(RAT_HOME=home, RAT_WORKSPACES=os.path.join(WORK, "workspaces"), NO_COLOR="1")
    return env


def median(values):
    return statistics.median(values) if values else float("nan")


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(math.ceil(q * len(s))) - 1)]


# ---------------------------------------------------------------- data

def order_columns(i, step, change=False):
    """The generated order with id expression i: the same on every machine (DuckDB's hash)."""
    ts = f"to_microseconds({i} * {step} + (hash({i}, 2) % 3600000000)::BIGINT)"
    quantity = f"CASE WHEN hash({i}, 6) % 100 = 0 THEN 0 ELSE 1 + (hash({i}, 7) % 9)::INT END"
    status = ("list_extract(['placed', 'paid', 'shipped', 'delivered', 'returned'], "
              f"(hash({i}, 9) % 5)::INT + 1)")
    updated = f"TIMESTAMP '2023-01-01' + {ts} + INTERVAL 1 HOUR"
    if change:  # a correction: one more unit, returned, updated 30 days later
        quantity = f"({quantity}) + 1"
        status = "'returned'"
        updated = f"{updated} + INTERVAL 30 DAY"
    return f"""{i} AS order_id,
  (hash({i}, 1) % 1000000)::BIGINT AS customer_id,
  TIMESTAMP '2023-01-01' + {ts} AS ordered_at,
  list_extract(['  Espresso Beans', 'latte MIX', 'Flat White ', 'Cappuccino', 'MOCHA', 'Green Tea',
                'chai Latte', 'Cold Brew', 'Hot Chocolate', 'Croissant'],
               (hash({i}, 3) % 10)::INT + 1) || ' ' || (hash({i}, 4) % 25)::VARCHAR AS product,
  list_extract(['de', 'fr', 'nl', 'be', 'es', 'it', 'pt', 'at', 'ch', 'pl', 'se', 'dk', 'no', 'fi',
                'ie', 'gb', 'us', 'ca', 'jp', 'au'], (hash({i}, 5) % 20)::INT + 1) AS country,
  {quantity} AS quantity,
  CAST(1 + (hash({i}, 8) % 5000) / 100.0 AS DECIMAL(10,2)) AS unit_price,
  {status} AS status,
  {updated} AS updated_at"""


def landing_sql(rows, files, folder):
    """COPY statements writing `rows` orders (ids 0..rows-1, two years of them) in `files` files."""
    step = 63_072_000_000_000 // rows  # microseconds of two years, spread over the ids
    per = -(-rows // files)
    statements = []
    for f in range(files):
        lo, hi = f * per, min(rows, (f + 1) * per)
        if lo >= hi:
            break
        statements.append(f"COPY (SELECT {order_columns('i', step)}\nFROM range({lo}, {hi}) t(i))\n"
                          f"TO '{folder}/orders-{f:03d}.parquet' (FORMAT parquet);")
    return "\n".join(statements)


def changes_sql(rows, scenario, path):
    """1 % of the orders again, corrected: the most recent ids, or every 100th id."""
    step = 63_072_000_000_000 // rows
    n = max(1, rows // 100)
    ids = f"range({rows - n}, {rows}) t(i)" if scenario == "recent" else f"range(0, {n}) t(k)"
    i = "i" if scenario == "recent" else "(k * 100 + 37)"
    return (f"COPY (SELECT {order_columns(i, step, change=True)}\nFROM {ids})\n"
            f"TO '{path}' (FORMAT parquet);")


# ---------------------------------------------------------------- the bench

class Bench:
    def __init__(self, build):
        self.build = build
        self.rat = os.path.join(build, "bin", "rat")
        self.raw = os.path.join(build, "bin", "raw_duckdb")
        self.tool = os.path.join(build, "bin", "bench_tool")
        self.results = {}
        self.notes = []

    # -- helpers
    def cleanup(self, *paths):
        """Remove what no later measure reads (unless BENCH_KEEP): the runs leave gigabytes."""
        if not KEEP:
            for path in paths:
                shutil.rmtree(os.path.join(WORK, path), ignore_errors=True)

    def ws_dir(self, name):
        return os.path.join(WORK, "workspaces", name)

    def home(self, name):
        return os.path.join(WORK, "homes", name)

    def rat_cmd(self, home, *args, stdin_text=None, check=True, watch=None):
        p = run([self.rat, *args], env=rat_env(home), stdin_text=stdin_text, cwd=WORK, watch=watch)
        return p.check() if check else p

    def rat_run(self, home, ws, *args, check=True, watch=None):
        p = self.rat_cmd(home, "run", "-w", ws, "--json", *args, check=False, watch=watch)
        try:
            record = json.loads(p.out)
        except ValueError:
            record = None
        if check and (p.rc != 0 or not record or record.get("status") != "success"):
            sys.exit(f"bench: rat run -w {ws} {' '.join(args)} failed:\n{p.err[-3000:]}")
        return p, record

    def reset_branch(self, home, branch, to):
        run([self.tool, "reset-branch", home, branch, to]).check()

    @staticmethod
    def step(record, key):
        for s in record["steps"]:
            if s["pipeline"] == key:
                return s
        sys.exit(f"bench: no step {key} in the run record")

    @staticmethod
    def seconds(s):
        return (s["finished_ms"] - s["started_ms"]) / 1000.0

    def copy_workspace(self, name, yaml_src, overlay=None):
        dst = self.ws_dir(name)
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(os.path.join(BENCH, "workspace", "pipelines"), os.path.join(dst, "pipelines"))
        shutil.copy(yaml_src, os.path.join(dst, "workspace.yaml"))
        for src, rel in (overlay or {}).items():
            shutil.copy(src, os.path.join(dst, rel))
        os.makedirs(os.path.join(dst, "landing", "orders"))
        return dst

    def resources(self, home, ws):
        """The workspace's effective engine settings, as `rat workspace show` prints them."""
        text = self.rat_cmd(home, "workspace", "show", "-w", ws).out
        grab = lambda key: re.search(rf"^\s*{key}\s+(\d+)", text, re.M).group(1)
        return {"profile": re.search(r"^Profile:\s+(\S+)", text, re.M).group(1),
                "memory_mb": int(re.search(r"engine memory_limit\s+(\d+) MiB", text).group(1)),
                "threads": int(grab("threads")), "chunk_size_rows": int(grab("chunk_size_rows")),
                "max_parallel_pipelines": int(grab("max_parallel_pipelines"))}

    # -- machine
    def machine(self):
        def read(path):
            try:
                with open(path) as f:
                    return f.read()
            except OSError:
                return ""
        cpu = re.search(r"^model name\s*:\s*(.+)$", read("/proc/cpuinfo"), re.M)
        mem = re.search(r"^MemTotal:\s*(\d+) kB", read("/proc/meminfo"), re.M)
        osr = re.search(r'^PRETTY_NAME="?([^"\n]+)', read("/etc/os-release"), re.M)
        version = run([self.rat, "--version"]).check().out.strip()
        engine = re.search(r"DuckDB (v[\d.]+)", version)
        git = subprocess.run(["git", "-C", TOP, "describe", "--always", "--dirty"],
                             capture_output=True, text=True).stdout.strip() or "unknown"
        disk = shutil.disk_usage(WORK)
        return {
            "nproc": os.cpu_count(),
            "cpu": cpu.group(1).strip() if cpu else "unknown",
            "memory_gib": int(mem.group(1)) / 1024 / 1024 if mem else 0,
            "os": osr.group(1) if osr else platform.platform(),
            "kernel": platform.release(),
            "rat": version,
            "duckdb": engine.group(1) if engine else "unknown",
            "git": git,
            "disk_free_gib": disk.free / 2**30,
            "load_start": read("/proc/loadavg").split()[:3],
        }

    def generate(self, sql, name):
        """Run COPY statements in raw DuckDB (bench/raw_duckdb.c's plan, `set` lines): a
        workspace session writes no file, and the data is the bench's input, not its work."""
        plan = os.path.join(WORK, f"{name}.plan")
        with open(plan, "w") as f:
            for statement in sql.split(";"):
                if statement.strip():
                    f.write("set " + " ".join(statement.split()) + "\n")
        out = os.path.join(WORK, f"{name}.out")
        os.makedirs(out, exist_ok=True)
        return run([self.raw, plan, out]).check()

    # -- 0: the bench workspace and its landing data
    def prepare(self):
        self.copy_workspace("bench", os.path.join(BENCH, "workspace", "workspace.yaml"))
        self.landing = os.path.join(self.ws_dir("bench"), "landing", "orders")
        home = self.home("gen")
        log(f"generating {ROWS:,} orders in {FILES} Parquet files (raw DuckDB: COPY ... TO landing/)")
        os.makedirs(self.landing, exist_ok=True)
        p = self.generate(landing_sql(ROWS, FILES, self.landing), "landing")
        self.bench_res = self.resources(home, "bench")
        size = tree_bytes(self.landing)
        self.results["data"] = {"rows": ROWS, "files": FILES, "bytes": size, "seconds": p.wall}
        log(f"  {size / 2**20:.0f} MiB in {p.wall:.1f} s")

    # -- 1: full run against raw DuckDB
    def raw_plan(self, record, home):
        """The plan for raw_duckdb: the compiled SQL of each step, partitioned as rat partitioned it."""
        folder = os.path.join(WORK, "raw")
        os.makedirs(os.path.join(folder, "sql"), exist_ok=True)
        res = self.bench_res
        started = datetime.datetime.fromtimestamp(record["started_ms"] / 1000, datetime.timezone.utc)
        lines = [f"set SET memory_limit='{res['memory_mb']}MiB'",
                 f"set SET threads={res['threads']}",
                 "set SET TimeZone='UTC'",
                 f"set SET temp_directory='{os.path.join(folder, 'tmp')}'",
                 f"row_group_size {res['chunk_size_rows']}",
                 f"ingested_at {started.strftime('%Y-%m-%d %H:%M:%S.%f')}+00"]
        for s in record["steps"]:
            key = s["pipeline"]
            text = self.rat_cmd(home, "describe", key, "-w", "bench").out
            part = re.search(r"^Partitioning:\s+(\S+)\s*$", text, re.M)
            part = part.group(1) if part and re.fullmatch(r"[A-Za-z_]\w*", part.group(1)) \
                and part.group(1) != "none" else "-"
            sql_path = os.path.join(folder, "sql", key + ".sql")
            with open(sql_path, "w") as f:
                f.write(s["sql"])
            ingest = 1 if key.startswith("bronze.") else 0
            lines.append(f"step {key} {part} {ingest} {sql_path}")
        plan = os.path.join(folder, "plan.txt")
        with open(plan, "w") as f:
            f.write("\n".join(lines) + "\n")
        return plan

    def run_raw(self, plan):
        out = os.path.join(WORK, "raw", "out")
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(os.path.join(WORK, "raw", "tmp"), ignore_errors=True)
        p = run([self.raw, plan, out]).check()
        steps = {m.group(1): (float(m.group(2)), int(m.group(3)))
                 for m in re.finditer(r"^STEP (\S+) ([\d.]+) (\d+)$", p.out, re.M)}
        return p, steps

    def full_run(self):
        log(f"measure 1: full run, rat vs raw DuckDB, {RUNS} runs each (interleaved)")
        home = self.home("full")
        rat_runs, raw_runs, plan = [], [], None
        for i in range(RUNS):
            shutil.rmtree(home, ignore_errors=True)
            p, record = self.rat_run(home, "bench")
            steps = {s["pipeline"]: (self.seconds(s), s["rows_in"], s["files_added"]) for s in record["steps"]}
            rat_runs.append((p, steps))
            log(f"  rat run #{i + 1}: {p.wall:.2f} s (cpu {p.cpu:.1f} s, peak RSS {p.maxrss_kb / 1024:.0f} MiB)")
            if plan is None:
                plan = self.raw_plan(record, home)
            q, raw_steps = self.run_raw(plan)
            raw_runs.append((q, raw_steps))
            log(f"  raw_duckdb #{i + 1}: {q.wall:.2f} s (cpu {q.cpu:.1f} s, peak RSS {q.maxrss_kb / 1024:.0f} MiB)")
        keys = [s for s in rat_runs[0][1]]
        mismatch = [k for k in keys if rat_runs[0][1][k][1] != raw_runs[0][1].get(k, (0, -1))[1]]
        self.results["full"] = {
            "rat": median([p.wall for p, _ in rat_runs]),
            "raw": median([p.wall for p, _ in raw_runs]),
            "rat_cpu": median([p.cpu for p, _ in rat_runs]),
            "raw_cpu": median([p.cpu for p, _ in raw_runs]),
            "rat_rss": median([p.maxrss_kb for p, _ in rat_runs]),
            "raw_rss": median([p.maxrss_kb for p, _ in raw_runs]),
            "rat_all": [p.wall for p, _ in rat_runs],
            "raw_all": [p.wall for p, _ in raw_runs],
            "steps": [(k, median([s[k][0] for _, s in rat_runs]), median([s[k][0] for _, s in raw_runs]),
                       rat_runs[0][1][k][1], rat_runs[0][1][k][2]) for k in keys],
            "rows_match": not mismatch, "mismatch": mismatch,
            "parallel": self.bench_res["max_parallel_pipelines"],
        }
        self.full_home = home

    # -- 3: cold start and the point query (on the state the last full run left)
    def queries(self):
        log(f"measure 3: cold start and point query, {COLD_RUNS} runs each")
        home = self.full_home
        floor = [run(["true"]).wall for _ in range(COLD_RUNS)]
        version = [run([self.rat, "--version"]).check().wall for _ in range(COLD_RUNS)]
        self.rat_cmd(home, "query", "-w", "bench", "SELECT 1")  # the same files, in the page cache
        cold = [self.rat_cmd(home, "query", "-w", "bench", "SELECT 1").wall for _ in range(COLD_RUNS)]
        # the same in a workspace with no table: the engine, the catalog and the lock-down, no binding
        empty_ws = os.path.join(WORK, "workspaces", "empty")
        os.makedirs(empty_ws, exist_ok=True)
        with open(os.path.join(empty_ws, "workspace.yaml"), "w") as f:
            f.write("# bench: a workspace with no tables, for the cold start without binding\nname: empty\n")
        self.rat_cmd(home, "query", "-w", "empty", "SELECT 1")
        cold_empty = [self.rat_cmd(home, "query", "-w", "empty", "SELECT 1").wall for _ in range(COLD_RUNS)]
        out = self.rat_cmd(home, "query", "-w", "bench", "--format", "csv", POINT_SQL).out
        point_rows = max(0, len(out.strip().splitlines()) - 1)
        point = [self.rat_cmd(home, "query", "-w", "bench", "--format", "csv", POINT_SQL).wall
                 for _ in range(COLD_RUNS)]
        explain = self.rat_cmd(home, "query", "-w", "bench", "--format", "csv",
                               "EXPLAIN ANALYZE " + POINT_SQL).out
        read = re.search(r"Total Files Read:\D*?(\d+)", explain)
        plan = run([self.tool, "plan", self.ws_dir("bench"), "gold.daily_product_sales",
                    "order_date", "=", POINT_DAY], env=rat_env(home)).check().out
        planned = dict(kv.split("=") for kv in plan.split())
        self.results["queries"] = {
            "floor": median(floor), "version": median(version),
            "cold": median(cold), "cold_min": min(cold), "cold_p90": pct(cold, 0.9),
            "cold_empty": median(cold_empty),
            "point": median(point), "point_min": min(point), "point_rows": point_rows,
            "files_read": int(read.group(1)) if read else None,
            "files": int(planned["files"]), "kept": int(planned["kept"]),
            "pruned": int(planned["pruned"]), "plan_ms": float(planned["ms"]),
            "tables": len(self.step_keys()),
        }

    def step_keys(self):
        return [k for k, *_ in self.results["full"]["steps"]]

    # -- 2: incremental merge of 1 % changed rows against a full refresh
    def incremental(self):
        log(f"measure 2: 1 % incremental merge into silver.orders vs full refresh, {RUNS} runs each")
        home, branch = self.full_home, "workspace/bench"
        parked = os.path.join(WORK, "parked")
        os.makedirs(parked, exist_ok=True)
        self.rat_cmd(home, "tag", "create", "bench-base", "-w", "bench")
        silver_files = int(re.search(r"^Files:\s+(\d+)", self.rat_cmd(
            home, "describe", "silver.orders", "-w", "bench").out, re.M).group(1))
        out = {"silver_files": silver_files, "changed": max(1, ROWS // 100)}
        for scenario in ("recent", "scattered"):
            self.reset_branch(home, branch, "bench-base")
            for name in os.listdir(self.landing):
                if name.startswith("changes-"):
                    os.replace(os.path.join(self.landing, name), os.path.join(parked, name))
            path = os.path.join(self.landing, f"changes-{scenario}.parquet")
            self.generate(changes_sql(ROWS, scenario, path), f"changes-{scenario}")
            _p, record = self.rat_run(home, "bench", "bronze.orders")
            s = self.step(record, "bronze.orders")
            if s["files_ingested"] != 1:
                sys.exit(f"bench: bronze ingested {s['files_ingested']} files, expected the one change file")
            tag = f"bench-{scenario}"
            self.rat_cmd(home, "tag", "create", tag, "-w", "bench")
            inc, full = [], []
            for i in range(RUNS):
                self.reset_branch(home, branch, tag)
                p, record = self.rat_run(home, "bench", "silver.orders")
                # the files come from the record as `rat runs show ID --json` prints it
                shown = json.loads(self.rat_cmd(home, "runs", "show", record["id"], "--json", "-w", "bench").out)
                s = self.step(shown, "silver.orders")
                if s["operation"] != "merge":
                    sys.exit(f"bench: silver.orders did a {s['operation']}, not a merge")
                inc.append((p.wall, self.seconds(s), s["files_removed"], s["files_added"], s["rows_in"]))
                log(f"  {scenario} incremental #{i + 1}: {p.wall:.2f} s, files removed {s['files_removed']}"
                    f" added {s['files_added']}, rows written {s['rows_in']}")
                if scenario == "recent":
                    self.reset_branch(home, branch, tag)
                    p, record = self.rat_run(home, "bench", "--full-refresh", "silver.orders")
                    s = self.step(record, "silver.orders")
                    full.append((p.wall, self.seconds(s), s["files_removed"], s["files_added"], s["rows_in"]))
                    log(f"  full refresh #{i + 1}: {p.wall:.2f} s, files removed {s['files_removed']}"
                        f" added {s['files_added']}")
            out[scenario] = {"wall": median([x[0] for x in inc]), "step": median([x[1] for x in inc]),
                             "removed": inc[0][2], "added": inc[0][3], "rows_in": inc[0][4]}
            if full:
                out["full"] = {"wall": median([x[0] for x in full]), "step": median([x[1] for x in full]),
                               "removed": full[0][2], "added": full[0][3], "rows_in": full[0][4]}
        self.results["incremental"] = out

    # -- 4: the catalog
    def catalog(self):
        log(f"measure 4: catalog, {COMMITS} commits, {TABLES} tables")
        home = self.home("catalog")
        shutil.rmtree(home, ignore_errors=True)
        ws = self.ws_dir("catalog")
        os.makedirs(ws, exist_ok=True)
        with open(os.path.join(ws, "workspace.yaml"), "w") as f:
            f.write("# bench: the catalog measure's workspace (tables written by bench_tool)\nname: catalog\n")
        env = rat_env(home)
        parse = lambda text: {k: float(v) for k, v in (kv.split("=") for kv in text.split())}
        empty = parse(run([self.tool, "commits", ws, str(COMMITS)], env=env).check().out)
        log(f"  commits on an empty branch: {empty['per_second']:.0f}/s")
        tables = parse(run([self.tool, "tables", ws, str(TABLES)], env=env).check().out)
        log(f"  {TABLES} table writes: {tables['seconds']:.1f} s ({tables['per_second']:.1f}/s)")
        full = parse(run([self.tool, "commits", ws, str(COMMITS)], env=env).check().out)
        log(f"  commits on a branch of {TABLES} tables: {full['per_second']:.0f}/s")
        # the first listing reads every table's metadata; the next ones only what changed
        # (src/workspace/listing.c), so the first is measured apart, its cache removed each time
        cache = os.path.join(home, "cache", "catalog", "tables.tsv")
        first = []
        for _ in range(3):
            if os.path.exists(cache):
                os.remove(cache)
            listed = self.rat_cmd(home, "tables", "-w", "catalog")
            first.append(listed.wall)
        count = len([l for l in listed.out.splitlines() if re.match(r"^bronze\.t\d+\s", l)])
        if count != TABLES:
            sys.exit(f"bench: rat tables listed {count} tables, expected {TABLES}")
        latency = [self.rat_cmd(home, "tables", "-w", "catalog").wall for _ in range(max(RUNS, 5))]
        empty_ws = self.ws_dir("empty_catalog")
        os.makedirs(empty_ws, exist_ok=True)
        with open(os.path.join(empty_ws, "workspace.yaml"), "w") as f:
            f.write("# bench: a workspace with no tables, for what `rat tables` costs before listing\nname: empty_catalog\n")
        floor = [self.rat_cmd(home, "tables", "-w", "empty_catalog").wall for _ in range(max(RUNS, 5))]
        cold = [self.rat_cmd(home, "query", "-w", "catalog", "SELECT 1").wall for _ in range(max(RUNS, 5))]
        self.results["catalog"] = {"empty": empty, "tables": tables, "full": full,
                                   "tables_latency": median(latency), "tables_first": median(first),
                                   "tables_floor": median(floor), "cold": median(cold)}

    # -- 7: a query into pandas (bench/python_frame.py, under Debian's Python) vs C
    def frame(self):
        log(f"measure 7: query into a DataFrame vs C, 1 M and {FRAME_ROWS:,} rows, {RUNS} runs each")
        out = run(["/usr/bin/python3", os.path.join(BENCH, "python_frame.py"), "--build", self.build,
                   "--dir", os.path.join(WORK, "frame"), "--runs", str(RUNS), "--rows", str(FRAME_ROWS)])
        out.check()
        self.results["frame"] = json.loads(out.out)

    # -- 6: rat serve over loopback, driven by wrk (on the catalog measure's 1,000 tables)
    def serve(self):
        log(f"measure 6: rat serve, wrk for {SERVE_SECONDS} s at 1, 16 and 64 connections")
        home = self.home("catalog")
        env = rat_env(home)
        token = self.rat_cmd(home, "token", "create", "-w", "catalog").out.strip()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        log_path = os.path.join(WORK, "serve.log")
        server = subprocess.Popen([self.rat, "serve", "--listen", f"127.0.0.1:{port}",
                                   "--workspaces", os.path.dirname(self.ws_dir("catalog"))],
                                  env=env, stdout=subprocess.DEVNULL, stderr=open(log_path, "w"))
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "/health", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                sys.exit("bench: rat serve did not start: " + open(log_path).read()[-2000:])
            script = os.path.join(WORK, "commit.lua")
            with open(script, "w") as f:
                f.write(WRK_COMMIT % {"tables": TABLES})
            out = {"load": {}, "commit": {}, "health": {}}
            # how long this machine stops a busy program, with one CPU busy and with all (a
            # virtual machine whose host caps its CPU time pauses whole): wrk's tails hold them
            p = run([self.tool, "pauses", "3"]).check()
            out["pauses"] = {k: float(v) for k, v in (kv.split("=") for kv in p.out.split())}
            log(f"  pauses: {out['pauses']['one_busy_max_ms']:.1f} ms at most with one CPU busy, "
                f"{out['pauses']['all_busy_max_ms']:.1f} ms with all {out['pauses']['cpus']:.0f}")
            auth = ["-H", f"Authorization: Bearer {token}"]
            # the floor: what this machine's loopback, wrk and the HTTP layer give a request
            # that does nothing (GET /health), at the same connection counts
            for conns in (1, 16, 64):
                r = run(["wrk", "-t", "2" if conns > 1 else "1", "-c", str(conns), "-d", f"{SERVE_SECONDS}s",
                         "--latency", f"{url}/health"]).check()
                out["health"][conns] = parse_wrk(r.out)
                log(f"  /health, {conns} connections: p50 {out['health'][conns]['p50'] * 1000:.2f} ms, "
                    f"p99 {out['health'][conns]['p99'] * 1000:.2f} ms")
            for conns in (1, 16, 64):
                r = run(["wrk", "-t", "2" if conns > 1 else "1", "-c", str(conns), "-d", f"{SERVE_SECONDS}s",
                         "--latency", *auth, f"{url}/iceberg/v1/namespaces/bronze/tables/t0001"]).check()
                out["load"][conns] = parse_wrk(r.out)
                log(f"  loadTable, {conns} connections: p50 {out['load'][conns]['p50'] * 1000:.2f} ms, "
                    f"p99 {out['load'][conns]['p99'] * 1000:.2f} ms, {out['load'][conns]['rps']:.0f}/s")
            for conns in (1, 16, 64):
                r = run(["wrk", "-t", "2" if conns > 1 else "1", "-c", str(conns), "-d", f"{SERVE_SECONDS}s",
                         "--latency", "-s", script, *auth, url]).check()
                w = parse_wrk(r.out)
                out["commit"][conns] = w
                log(f"  commits, {conns} connections: {w['ok_rps']:.0f}/s landed "
                    f"({w['non2xx']} not 2xx: 409 when two hit one table), p99 {w['p99'] * 1000:.1f} ms")
        finally:
            server.terminate()
            server.wait(timeout=60)
        self.results["serve"] = out

    # -- 5: the tiny profile on 3x its memory limit
    def tiny(self):
        home = self.home("tiny")
        shutil.rmtree(home, ignore_errors=True)
        yaml_src = os.path.join(BENCH, "tiny", "workspace.yaml")
        ws = self.copy_workspace("tiny", yaml_src)
        res = self.resources(home, "tiny")
        # bytes a row takes in DuckDB's memory: 1 M generated orders in an in-memory table
        sample = 1_000_000
        step = 63_072_000_000_000 // sample
        text = self.rat_cmd(self.home("gen"), "query", "-w", "bench", "--format", "csv",
                            f"CREATE TABLE s AS SELECT {order_columns('i', step)} FROM range({sample}) t(i); "
                            "SELECT sum(memory_usage_bytes) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'").out
        per_row = int(text.split()[-1]) / sample
        limit = res["memory_mb"] * 2**20
        rows = int(math.ceil(TINY_FACTOR * limit / per_row / 1_000_000)) * 1_000_000
        log(f"measure 5: tiny profile ({res['memory_mb']} MiB, {res['threads']} thread), "
            f"{rows:,} rows = {rows * per_row / 2**30:.2f} GiB in memory ({per_row:.0f} B/row)")
        landing = os.path.join(ws, "landing", "orders")
        # generated by raw DuckDB, then moved into tiny's landing/
        gen = os.path.join(self.ws_dir("bench"), "landing", "tiny-gen")
        os.makedirs(gen, exist_ok=True)
        self.generate(landing_sql(rows, FILES, gen), "tiny")
        for name in os.listdir(gen):
            os.replace(os.path.join(gen, name), os.path.join(landing, name))
        os.rmdir(gen)
        spill = os.path.join(home, "tmp")
        out = {"rows": rows, "per_row": per_row, "memory_mb": res["memory_mb"], "threads": res["threads"],
               "in_memory": rows * per_row, "landing_bytes": tree_bytes(landing)}
        p, record = self.rat_run(home, "tiny", check=False, watch=spill)
        out["as_is"] = self.tiny_result(p, record)
        log(f"  rat run (bench pipelines as they are): {out['as_is']['status']} in {p.wall:.1f} s, "
            f"peak RSS {p.maxrss_kb / 1024:.0f} MiB, spill peak {p.spill_peak / 2**20:.0f} MiB")
        split = [s for s in (record or {}).get("steps", []) if s.get("write_passes", 1) > 1]
        out["as_is"]["split"] = [(s["pipeline"], s["write_passes"]) for s in split]
        if split:
            log("  written in unique-key ranges after the engine ran out of memory: " +
                ", ".join(f"{k} ({n} passes)" for k, n in out["as_is"]["split"]))
        if record and (out["as_is"]["status"] != "success" or split):
            # the same compiled SQL in plain DuckDB under the same limits, up to the step that
            # failed or had to be split: is it rat or the engine?
            folder = os.path.join(WORK, "raw-tiny")
            os.makedirs(os.path.join(folder, "sql"), exist_ok=True)
            started = datetime.datetime.fromtimestamp(record["started_ms"] / 1000, datetime.timezone.utc)
            lines = [f"set SET memory_limit='{res['memory_mb']}MiB'", f"set SET threads={res['threads']}",
                     "set SET TimeZone='UTC'", f"set SET temp_directory='{folder}/tmp'",
                     f"row_group_size {res['chunk_size_rows']}",
                     f"ingested_at {started.strftime('%Y-%m-%d %H:%M:%S.%f')}+00"]
            last = split[0]["pipeline"] if split else None
            for s in record["steps"]:
                if not s["sql"]:
                    break
                path = os.path.join(folder, "sql", s["pipeline"] + ".sql")
                with open(path, "w") as f:
                    f.write(s["sql"])
                # the failed table was never created, so `rat describe` cannot tell its
                # partitioning: it is the bench workspace's, as its pipelines declare it
                part = {"silver.orders": "order_month",
                        "gold.daily_product_sales": "order_date"}.get(s["pipeline"], "-")
                lines.append(f"step {s['pipeline']} {part} {1 if s['pipeline'].startswith('bronze.') else 0} {path}")
                if s["pipeline"] == last or s["status"] == "failed":
                    break
            with open(os.path.join(folder, "plan.txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
            q = run([self.raw, os.path.join(folder, "plan.txt"), os.path.join(folder, "out")],
                    watch=os.path.join(folder, "tmp"))
            err = re.search(r"(Out of Memory Error[^\n]*|Error[^\n]*)", q.err)
            out["raw"] = {"rc": q.rc, "wall": q.wall, "rss": q.maxrss_kb, "spill": q.spill_peak,
                          "error": err.group(1) if err else q.err.strip()[-300:]}
            log(f"  raw_duckdb, same SQL and limits, up to the failed step: "
                f"{'ok' if q.rc == 0 else 'failed'} in {q.wall:.1f} s, peak RSS {q.maxrss_kb / 1024:.0f} MiB")
            shutil.rmtree(folder, ignore_errors=True)
        if record and out["as_is"]["status"] != "success":
            self.cleanup("homes/tiny")
            # the same workspace with silver's dedup written so that the engine can spill it
            home2 = self.home("tiny-spillable")
            shutil.rmtree(home2, ignore_errors=True)
            ws2 = self.copy_workspace("tiny_spillable", yaml_src, {
                os.path.join(BENCH, "tiny", "spillable", "silver_orders.sql"): "pipelines/silver/orders.sql"})
            with open(os.path.join(ws2, "workspace.yaml")) as f:
                yaml = f.read().replace("name: tiny", "name: tiny_spillable").replace(
                    "workspace/tiny", "workspace/tiny_spillable").replace('"tiny"', '"tiny_spillable"')
            with open(os.path.join(ws2, "workspace.yaml"), "w") as f:
                f.write(yaml)
            for name in os.listdir(landing):
                os.replace(os.path.join(landing, name), os.path.join(ws2, "landing", "orders", name))
            p, record = self.rat_run(home2, "tiny_spillable", check=False, watch=os.path.join(home2, "tmp"))
            out["spillable"] = self.tiny_result(p, record)
            log(f"  rat run, silver deduplicated by a join: {out['spillable']['status']} in {p.wall:.1f} s, "
                f"peak RSS {p.maxrss_kb / 1024:.0f} MiB, spill peak {p.spill_peak / 2**20:.0f} MiB")
        self.results["tiny"] = out

    def tiny_result(self, p, record):
        status = record["status"] if record else f"exit {p.rc}"
        failed = [s for s in (record or {}).get("steps", []) if s["status"] == "failed"]
        error = (record or {}).get("error") or p.err.strip()[-300:]
        return {"status": status, "wall": p.wall, "cpu": p.cpu, "rss": p.maxrss_kb, "spill": p.spill_peak,
                "rc": p.rc, "failed": failed[0]["pipeline"] if failed else "",
                "error": error.splitlines()[0] if error and status != "success" else ""}


# ---------------------------------------------------------------- the report

# A commit to a random one of the catalog measure's tables (wrk's Lua).
WRK_COMMIT = """
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
init = function(args)
  math.randomseed(os.time() * 100 + id)  -- each thread its own tables
end
local n = 0
request = function()
  n = n + 1
  local t = string.format("t%%04d", math.random(%(tables)d) - 1)
  local body = '{"requirements":[],"updates":[{"action":"set-properties","updates":{"n":"' .. n .. '"}}]}'
  wrk.headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/iceberg/v1/namespaces/bronze/tables/" .. t, nil, body)
end
"""


def parse_wrk(text):
    """wrk --latency's figures: p50 and p99 (s), requests/s, and those that were not 2xx."""
    def secs(v):
        m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
        return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[m.group(2)]
    pcts = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", text, re.M))
    total = int(re.search(r"(\d+) requests in ([\d.]+)(\w+)", text).group(1))
    took = re.search(r"requests in ([\d.]+\w+)", text).group(1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    non2xx = int(bad.group(1)) if bad else 0
    seconds = secs(took)
    return {"p50": secs(pcts["50"]), "p99": secs(pcts["99"]), "rps": total / seconds,
            "ok_rps": (total - non2xx) / seconds, "non2xx": non2xx, "requests": total}


def fmt_s(x):
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def verdict(ok):
    return "**yes**" if ok else "**no**"


def report(b, started, machine):
    r = b.results
    full, inc, q = r["full"], r["incremental"], r["queries"]
    rows = []  # (measure, figure, target, met)
    ratio = full["rat"] / full["raw"]
    rows.append(("1. full run, rat (`rat run`, bronze→silver→gold)", fmt_s(full["rat"]), "", ""))
    rows.append(("1. same SQL, raw DuckDB C API → Parquet", fmt_s(full["raw"]), "", ""))
    rows.append(("1. **ratio rat / raw** (wall)", f"**{ratio:.2f}×**", "≤ 1.25×", verdict(ratio <= 1.25)))
    rows.append(("1. ratio rat / raw (CPU time)", f"{full['rat_cpu'] / full['raw_cpu']:.2f}×", "", ""))
    fr = inc["full"]
    rows.append(("2. silver full refresh (`rat run -f silver.orders`)", fmt_s(fr["wall"]),
                 "", f"{fr['removed']} files removed, {fr['added']} added"))
    for scenario, label in (("recent", "1 % changed, most recent orders"),
                            ("scattered", "1 % changed, scattered over all orders")):
        s = inc[scenario]
        rows.append((f"2. incremental merge, {label}", fmt_s(s["wall"]), "",
                     f"{s['removed']} of {inc['silver_files']} files rewritten, {s['added']} added"))
        rows.append((f"2. **ratio incremental / full refresh** ({scenario})",
                     f"**{s['wall'] / fr['wall']:.3f}×**", "≤ 0.15×", verdict(s["wall"] / fr["wall"] <= 0.15)))
    rows.append(("3. cold `rat query 'SELECT 1'`", f"{q['cold'] * 1000:.1f} ms", "≤ 30 ms",
                 verdict(q["cold"] <= 0.030)))
    rows.append(("3. cold `rat query 'SELECT 1'`, workspace with no table", f"{q['cold_empty'] * 1000:.1f} ms",
                 "", f"`rat --version`: {q['version'] * 1000:.1f} ms"))
    rows.append(("3. point query, gold.daily_product_sales (1 day, 1 product)",
                 f"{q['point'] * 1000:.0f} ms", "", ""))
    rows.append(("3. files read by the point query / files in the table",
                 f"{q['files_read'] if q['files_read'] is not None else 'n/a'} / {q['files']}", "",
                 f"rat's planner (manifests only) would keep {q['kept']}"))
    c = r["catalog"]
    rows.append((f"4. catalog commits/s, branch of {TABLES} tables", f"{c['full']['per_second']:.0f}/s", "",
                 f"{c['empty']['per_second']:.0f}/s on an empty branch"))
    rows.append((f"4. `rat tables` latency, {TABLES} tables", fmt_s(c["tables_latency"]), "≤ 30 ms",
                 verdict(c["tables_latency"] <= 0.030) +
                 f" (first listing {c['tables_first'] * 1000:.0f} ms; no tables {c['tables_floor'] * 1000:.0f} ms)"))
    if "serve" in r:
        sv = r["serve"]
        if "pauses" in sv:
            pz = sv["pauses"]
            rows.append(("6. the machine: longest pause of a busy thread, one CPU busy / all busy",
                         f"{pz['one_busy_max_ms']:.1f} / {pz['all_busy_max_ms']:.1f} ms", "",
                         f"{pz['all_busy_over_10ms']:.0f} pauses over 10 ms in 3 s with all "
                         f"{pz['cpus']:.0f} CPUs busy (wrk and the server keep them busy)"))
        for conns in (1, 16, 64):
            l = sv["load"][conns]
            h = sv["health"][conns]
            floor = f"`/health` (no work): {h['p50'] * 1000:.2f} / {h['p99'] * 1000:.2f} ms"
            rows.append((f"6. `rat serve` loadTable, {conns} connection{'s' if conns > 1 else ''}: p50 / p99",
                         f"{l['p50'] * 1000:.2f} / {l['p99'] * 1000:.2f} ms", "p99 ≤ 5 ms" if conns == 64 else "",
                         (verdict(l["p99"] <= 0.005) + "; " if conns == 64 else "") +
                         f"{l['rps']:.0f} requests/s; {floor}"))
        for conns in (1, 16, 64):
            w = sv["commit"][conns]
            rows.append((f"6. `rat serve` commits/s, {conns} connection{'s' if conns > 1 else ''}",
                         f"{w['ok_rps']:.0f}/s", "",
                         f"p99 {w['p99'] * 1000:.1f} ms; {w['non2xx']} of {w['requests']} not 2xx (409: two on one table)"))
    for f in r.get("frame", []):
        label = f"7. query into pandas, {f['rows'] / 1e6:.0f} M rows × 6 columns, text {f['shape']}"
        rows.append((f"{label}: **ratio Python / C**", f"**{f['ratio']:.2f}×**", "≤ 1.5×",
                     verdict(f["ratio"] <= 1.5) + f" ({f['python']:.2f} s vs {f['c']:.2f} s)"))
        rows.append((f"{label}: peak memory / DataFrame's deep size", f"{f['memory_ratio']:.2f}×",
                     "≤ 1.3×", verdict(f["memory_ratio"] <= 1.3) +
                     f" ({f['peak_bytes'] / 2**20:.0f} MiB / {f['deep_bytes'] / 2**20:.0f} MiB)"))
    if "tiny" in r:
        t = r["tiny"]
        a = t["as_is"]
        done = a["status"] == "success"
        rows.append((f"5. tiny profile, {t['in_memory'] / 2**30:.1f} GiB in memory "
                     f"({t['in_memory'] / (t['memory_mb'] * 2**20):.1f}× its limit): completed?",
                     "yes" if done else f"no: {a['failed'] or a['status']} failed",
                     "completes", verdict(done)))
        rows.append(("5. tiny profile: peak RSS / spill peak",
                     f"{a['rss'] / 1024:.0f} MiB / {a['spill'] / 2**20:.0f} MiB", "", ""))
        for key, passes in a.get("split", []):
            rows.append((f"5. tiny: {key} written in unique-key ranges (engine out of memory)",
                         f"{passes} passes", "", ""))
        if "raw" in t:
            rows.append(("5. tiny: the same SQL in raw DuckDB, same limits: completed?",
                         "yes" if t["raw"]["rc"] == 0 else "no (out of memory)" if "Out of Memory"
                         in t["raw"]["error"] else "no", "", ""))
        if "spillable" in t:
            s = t["spillable"]
            rows.append(("5. tiny, silver dedup by join instead of window: completed?",
                         ("yes" if s["status"] == "success" else "no") +
                         f", peak RSS {s['rss'] / 1024:.0f} MiB, spill {s['spill'] / 2**20:.0f} MiB",
                         "completes", verdict(s["status"] == "success")))

    # the console
    width = max(len(x[0]) for x in rows)
    print()
    print(f"Ratatouille bench: {ROWS:,} rows, median of {RUNS} runs ({machine['nproc']} cores, "
          f"{machine['memory_gib']:.0f} GiB, {machine['rat']})")
    for m, fig, tgt, met in rows:
        print(f"  {m.replace('**', ''):<{width}}  {fig.replace('**', ''):>22}  {tgt:>10}  {met.replace('**', '')}")
    print(f"Written to {OUT}")

    # the file
    lines = []
    w = lines.append
    elapsed = time.time() - started
    w("# Benchmark results\n")
    w(f"Written by `make bench` ({os.path.relpath(__file__, TOP)}) on "
      f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; "
      f"the whole bench took {elapsed / 60:.1f} minutes. See bench/README.md for what each measure does.\n")
    w("## Machine\n")
    w("| | |\n| --- | --- |")
    w(f"| CPU | {machine['cpu']}, {machine['nproc']} cores (nproc) |")
    w(f"| memory | {machine['memory_gib']:.1f} GiB |")
    w(f"| OS | {machine['os']}, Linux {machine['kernel']} |")
    w(f"| rat | {machine['rat']} (source {machine['git']}) |")
    w(f"| DuckDB | {machine['duckdb']} (raw_duckdb links the same libduckdb.so) |")
    w(f"| load average | {' '.join(machine['load_start'])} at the start, "
      f"{' '.join(open('/proc/loadavg').read().split()[:3])} at the end |")
    w("")
    res = b.bench_res
    w("## Settings\n")
    w(f"- BENCH_ROWS={ROWS} orders in BENCH_FILES={FILES} Parquet landing files "
      f"({r['data']['bytes'] / 2**20:.0f} MiB), BENCH_RUNS={RUNS}, BENCH_COLD_RUNS={COLD_RUNS}, "
      f"BENCH_TABLES={TABLES}, BENCH_COMMITS={COMMITS}.")
    w(f"- bench workspace: profile `{res['profile']}` (engine memory_limit {res['memory_mb']} MiB, "
      f"{res['threads']} threads, {res['max_parallel_pipelines']} pipelines at a time, "
      f"Parquet row groups of {res['chunk_size_rows']} rows); raw_duckdb gets the same memory_limit, "
      f"threads and row-group size, and writes the same Hive-style partition folders.")
    w("- Times are wall-clock times of whole processes (started and reaped by run.py), medians "
      "over the runs; CPU is user+system time of the process.\n")
    w("## Results\n")
    w("| measure | median | target | met / detail |\n| --- | --- | --- | --- |")
    for m, fig, tgt, met in rows:
        w(f"| {m} | {fig} | {tgt} | {met} |")
    w("")
    w("### 1. Full run, per pipeline\n")
    w(f"rat builds up to {full['parallel']} pipelines at a time (the three gold ones overlap), "
      "raw_duckdb one after the other, so the per-step times of gold do not add up to the total.\n")
    w("| pipeline | rows | files written (rat) | rat | raw DuckDB | ratio |\n| --- | ---: | ---: | ---: | ---: | ---: |")
    for k, rat_s, raw_s, rows_in, files in full["steps"]:
        w(f"| {k} | {rows_in:,} | {files} | {rat_s:.2f} s | {raw_s:.2f} s | {rat_s / raw_s:.2f}× |")
    w(f"| **whole run (process)** | | | **{full['rat']:.2f} s** | **{full['raw']:.2f} s** | "
      f"**{full['rat'] / full['raw']:.2f}×** |")
    w("")
    w(f"- every run: rat {', '.join(f'{x:.2f}' for x in full['rat_all'])} s; raw "
      f"{', '.join(f'{x:.2f}' for x in full['raw_all'])} s.")
    w(f"- CPU time: rat {full['rat_cpu']:.1f} s, raw {full['raw_cpu']:.1f} s. Peak RSS: rat "
      f"{full['rat_rss'] / 1024:.0f} MiB, raw {full['raw_rss'] / 1024:.0f} MiB.")
    w(f"- rows written per pipeline are the same in both: {'yes' if full['rows_match'] else 'NO: ' + ', '.join(full['mismatch'])}.\n")
    w("### 2. Incremental merge into silver.orders\n")
    w(f"{inc['changed']:,} orders (1 %) land again, corrected, in one more file; `rat run bronze.orders` "
      "ingests it, then each timed run starts from that state (the branch is reset between runs). "
      "Times are of the whole `rat run silver.orders` process; the step column is the pipeline's own "
      "time from the run record.\n")
    w("| run | process | step | files removed | files added | rows written | ratio to full refresh |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, label in (("full", "full refresh"), ("recent", "incremental, most recent 1 %"),
                        ("scattered", "incremental, every 100th order")):
        s = inc[name]
        w(f"| {label} | {s['wall']:.2f} s | {s['step']:.2f} s | {s['removed']} | {s['added']} | "
          f"{s['rows_in']:,} | {s['wall'] / fr['wall']:.3f}× |")
    w(f"\nsilver.orders has {inc['silver_files']} data files (partitioned by order_month).\n")
    w("### 3. Queries\n")
    w(f"- `rat query -w bench 'SELECT 1'`: median {q['cold'] * 1000:.1f} ms, min {q['cold_min'] * 1000:.1f} ms, "
      f"p90 {q['cold_p90'] * 1000:.1f} ms over {COLD_RUNS} runs, in the workspace of {q['tables']} "
      f"tables (a session binds the tables its SQL names; this names none). The same in a workspace with no table: {q['cold_empty'] * 1000:.1f} ms (engine, "
      f"catalog, lock-down). `rat --version`: {q['version'] * 1000:.1f} ms (starting the process and "
      f"loading libduckdb). `true`: {q['floor'] * 1000:.1f} ms (the harness's own cost).")
    w(f"- point query `{POINT_SQL}`: median {q['point'] * 1000:.0f} ms (min {q['point_min'] * 1000:.0f} ms), "
      f"{q['point_rows']} row.")
    w(f"- files: the table has {q['files']} data files. DuckDB's EXPLAIN ANALYZE of the query in a "
      f"`rat query` session reports {q['files_read']} files read: the session reads the table by its "
      f"Hive folders (docs/tables.md), so DuckDB skips the files whose `order_date=` folder the filter "
      f"rules out. For comparison, rat's own planner (src/table/prune.c, through bench_tool), from the "
      f"manifests alone, keeps {q['kept']} and prunes {q['pruned']} for `order_date = {POINT_DAY}` "
      f"(planning took {q['plan_ms']:.1f} ms).\n")
    w("### 4. Catalog\n")
    w(f"- {COMMITS} commits, one key changed each, through the catalog API on a branch forked from the "
      f"workspace's: {c['empty']['per_second']:.0f}/s with no tables, {c['full']['per_second']:.0f}/s "
      f"with {TABLES} tables. The catalog file grew by {c['empty']['db_growth_bytes'] / COMMITS / 1024:.1f} KiB "
      f"per commit on the empty branch and {c['full']['db_growth_bytes'] / COMMITS / 1024:.1f} KiB per commit "
      f"with {TABLES} tables.")
    w(f"- writing the {TABLES} tables (10 rows each; an Iceberg write and a catalog commit per table): "
      f"{c['tables']['seconds']:.1f} s, {c['tables']['per_second']:.1f} tables/s.")
    w(f"- `rat tables` with {TABLES} tables: median {c['tables_latency'] * 1000:.0f} ms once a listing has "
      f"seen them (it keeps what it read of each metadata file, which never changes, and reads only "
      f"new ones); the first listing, which reads every table's metadata and manifests: "
      f"{c['tables_first'] * 1000:.0f} ms; `rat tables` in a workspace with no tables (starting the "
      f"process, the workspace, the catalog): {c['tables_floor'] * 1000:.0f} ms. ")
    w(f"  "
      f"`rat query 'SELECT 1'` in that workspace (a session binds only the tables its SQL names): {c['cold'] * 1000:.0f} ms.\n")
    if "tiny" in r:
        t = r["tiny"]
        w("### 5. tiny profile\n")
        w(f"- data: {t['rows']:,} orders, {t['landing_bytes'] / 2**20:.0f} MiB of Parquet, "
          f"{t['in_memory'] / 2**30:.2f} GiB in DuckDB's memory ({t['per_row']:.0f} bytes a row, measured "
          f"on 1 M generated orders in an in-memory table) = {t['in_memory'] / (t['memory_mb'] * 2**20):.1f}× "
          f"the profile's engine memory_limit of {t['memory_mb']} MiB; {t['threads']} thread.")
        for name, label in (("as_is", "the bench pipelines as they are"),
                            ("spillable", "silver deduplicated by a join on max(updated_at) "
                                          "(bench/tiny/spillable/silver_orders.sql)")):
            if name not in t:
                continue
            s = t[name]
            w(f"- {label}: **{s['status']}** after {s['wall']:.1f} s; peak RSS {s['rss'] / 1024:.0f} MiB; "
              f"spill folder peak {s['spill'] / 2**20:.0f} MiB" +
              (f"; failed in {s['failed']}: `{s['error']}`" if s["status"] != "success" else "") +
              "".join(f"; {k} ran out of engine memory as one COPY and was written in {n} "
                      f"unique-key ranges" for k, n in s.get("split", [])) + ".")
        if "raw" in t:
            x = t["raw"]
            w(f"- the same compiled SQL in raw_duckdb under the same limits (1 thread, {t['memory_mb']} MiB): "
              f"{'completed' if x['rc'] == 0 else 'failed'} after {x['wall']:.1f} s, peak RSS "
              f"{x['rss'] / 1024:.0f} MiB, spill peak {x['spill'] / 2**20:.0f} MiB" +
              (f": `{x['error']}`" if x["rc"] != 0 else "") + ".")
        w("")
    if r.get("frame"):
        w("### 7. A query into pandas\n")
        w("`engine.query(\"SELECT * FROM t\")` (bindings/python) in a fresh Debian Python process, the "
          "table bound first, against bench/frame_read.c producing the same result in C through "
          "librat's public API (every value copied into arrays of its own). Columns: BIGINT, DOUBLE, "
          "DECIMAL(12,2) (100,000 distinct), DATE (2,000 distinct), TIMESTAMP, VARCHAR; dtypes "
          f"{', '.join(r['frame'][0]['dtypes'])}. Equal decimals, dates and short strings are one "
          "shared Python object (as Arrow's deduplicate_objects), so the deep size, which counts each "
          "use, is more than the memory they take.\n")
        w("| rows | text | C | Python | ratio | peak memory | deep size | ratio |")
        w("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for f in r["frame"]:
            w(f"| {f['rows']:,} | {f['shape']} | {f['c']:.2f} s | {f['python']:.2f} s | {f['ratio']:.2f}× | "
              f"{f['peak_bytes'] / 2**20:.0f} MiB | {f['deep_bytes'] / 2**20:.0f} MiB | {f['memory_ratio']:.2f}× |")
        w("")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(WORK, "results.json"), "w") as f:  # the raw figures, for a closer look
        json.dump({"machine": machine, "results": r}, f, indent=1, default=str)


def main():
    args = sys.argv[1:]
    build = os.path.join(TOP, "build", "release")
    if len(args) == 2 and args[0] == "--build":
        build = os.path.abspath(args[1])
    elif args:
        sys.exit("usage: run.py [--build BUILD_DIR]")
    started = time.time()
    # BENCH_DIR is emptied: only a folder this script made (it holds the marker), or a new one
    marker = os.path.join(WORK, ".rat-bench")
    if os.path.isdir(WORK) and os.listdir(WORK) and not os.path.exists(marker):
        sys.exit(f"bench: {WORK} is not empty and was not made by the bench: set BENCH_DIR elsewhere")
    if os.path.isdir(WORK):
        log(f"removing the previous {WORK}")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(os.path.join(WORK, "workspaces"))
    open(marker, "w").close()
    b = Bench(build)
    machine = b.machine()
    log(f"bench: {ROWS:,} rows, {RUNS} runs, in {WORK} ({machine['rat']}, git {machine['git']})")
    b.prepare()
    b.full_run()
    b.queries()
    b.incremental()
    b.cleanup("homes/full", "homes/gen", "raw", "parked")
    b.catalog()
    if SERVE_SECONDS > 0:
        b.serve()
    b.cleanup("homes/catalog")
    if TINY:
        b.tiny()
    if FRAME_ROWS > 0:
        b.frame()
        b.cleanup("frame")
    report(b, started, machine)
    b.cleanup("homes", "workspaces/bench/landing", "workspaces/tiny/landing",
              "workspaces/tiny_spillable/landing")
    log(f"done in {(time.time() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
