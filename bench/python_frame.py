#!/usr/bin/python3
"""bench/python_frame.py - measure 7 of `make bench` (bench/README.md): a query
into a pandas DataFrame (ratatouille, bindings/python) against the same query's
result produced in C through librat's public API (bench/frame_read.c).

    /usr/bin/python3 bench/python_frame.py --build BUILD_DIR --dir WORK [--runs N] [--rows N]

Debian's Python (where pandas lives) runs it; run.py calls it and reads the
JSON it prints. A table of 6 columns (BIGINT, DOUBLE, DECIMAL(12,2), DATE,
TIMESTAMP, VARCHAR) is written with `rat write` at two sizes (1 M rows and
--rows, default 10 M) and two shapes of text: names repeating (50,000
distinct, as customers and products do) and names all distinct (the worst
case for sharing equal strings). For each, the median over --runs runs of:
  - c: frame_read's seconds (query + every value copied into C arrays);
  - python: seconds of engine.query("SELECT * FROM ...") in a fresh process,
    the DataFrame built;
  - peak: the process's peak RSS during the query, less its RSS before
    (the engine open, the table bound), against the DataFrame's deep size
    (df.memory_usage(deep=True): every object counted where it is used).
"""
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from ratatouille.workspace import Workspace
table = sys.argv[1]
engine = Workspace.load("frame").get_engine()
engine.query(f"SELECT * FROM {table} LIMIT 1")  # the table bound, the engine warm

def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

before = rss_kb()
start = time.perf_counter()
df = engine.query(f"SELECT * FROM {table}")
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rows": len(df), "peak_bytes": (peak - before) * 1024,
                  "deep_bytes": int(df.memory_usage(deep=True).sum()),
                  "dtypes": [str(t) for t in df.dtypes]}))
"""

SQL = ("SELECT i AS id, (i * 0.5)::DOUBLE AS x, (i % 100000 / 100)::DECIMAL(12,2) AS amount, "
       "DATE '2020-01-01' + (i % 2000)::INTEGER AS day, "
       "TIMESTAMP '2024-01-01' + to_seconds(i) AS at, {name} AS name FROM range({rows}) t(i)")
NAMES = {"repeating": "'customer-' || (i % 50000)", "distinct": "'customer-' || i"}


def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    build, work = os.path.abspath(args["--build"]), os.path.abspath(args["--dir"])
    runs, big = int(args.get("--runs", 3)), int(args.get("--rows", 10_000_000))
    env = dict(os.environ, RAT_HOME=os.path.join(work, "home"),
               RAT_WORKSPACES=os.path.join(work, "workspaces"),
               PYTHONPATH=os.path.join(build, "python"))
    for name in ("WORKSPACE", "NESSIE_URI", "RAT_TOKEN", "RAT_PROFILE", "ICEBERG_WAREHOUSE"):
        env.pop(name, None)
    os.makedirs(env["RAT_WORKSPACES"], exist_ok=True)
    rat = os.path.join(build, "bin", "rat")
    subprocess.run([rat, "init", "frame"], env=env, check=True, capture_output=True)
    results = []
    for rows in sorted({1_000_000, big}):
        for shape, name_sql in NAMES.items():
            table = f"silver.frame_{rows}_{shape}"
            subprocess.run([rat, "write", table, "-w", "frame", "--sql",
                            SQL.format(name=name_sql, rows=rows)], env=env, check=True,
                           capture_output=True)
            c, py = [], []
            for _ in range(runs):  # interleaved, so a slow spell of the machine hits both
                out = subprocess.run([os.path.join(build, "bin", "frame_read"), "frame",
                                      f"SELECT * FROM {table}"], env=env, check=True,
                                     capture_output=True, text=True).stdout
                c.append(float(out.split("seconds=")[1]))
                py.append(json.loads(subprocess.run([sys.executable, "-c", CHILD, table], env=env,
                                                    check=True, capture_output=True,
                                                    text=True).stdout))
            seconds = statistics.median(p["seconds"] for p in py)
            peak = statistics.median(p["peak_bytes"] for p in py)
            results.append({
                "rows": rows, "shape": shape, "c": statistics.median(c), "python": seconds,
                "ratio": seconds / statistics.median(c), "peak_bytes": peak,
                "deep_bytes": py[0]["deep_bytes"], "memory_ratio": peak / py[0]["deep_bytes"],
                "dtypes": py[0]["dtypes"], "c_all": c, "python_all": [p["seconds"] for p in py]})
            subprocess.run([rat, "drop", table, "-w", "frame"], env=env, capture_output=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
