"""bindings/python/tests/test_notebook.py - the demo's notebook, executed headless
(nbclient, Debian's) on the demo workspace after its run, gives its outputs with no
error: the workspace, the gold table, a chart. And `rat notebook` serves the
workspace's notebooks/ folder on 127.0.0.1, the workspace selected.
"""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import nbformat
import pytest
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
RAT = os.environ.get("RAT_BIN", "rat")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo as `make demo` leaves it: its workspace run, in a folder of its own."""
    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run(["bash", os.path.join(SOURCE, "examples", "demo.sh"), RAT, str(folder)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return folder


@pytest.fixture
def demo_env(demo, monkeypatch):
    monkeypatch.setenv("RAT_HOME", str(demo / ".rat"))
    monkeypatch.setenv("RAT_WORKSPACES", str(demo / "workspaces"))
    monkeypatch.setenv("WORKSPACE", "demo")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return demo


def outputs(cell, kind):
    return [o for o in cell.get("outputs", []) if o.get("output_type") == kind]


def text_of(cell):
    parts = []
    for o in cell.get("outputs", []):
        parts.append(o.get("text", ""))
        parts.append(o.get("data", {}).get("text/plain", ""))
        parts.append(o.get("data", {}).get("text/html", ""))
    return "".join(parts)


def test_the_demo_notebook_runs_headless(demo_env):
    notebooks = demo_env / "workspaces" / "demo" / "notebooks"
    nb = nbformat.read(notebooks / "daily_kpis.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(notebooks)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not outputs(c, "error") for c in code), [outputs(c, "error") for c in code]
    # the workspace get_workspace() found, and its tables
    assert "demo workspace/demo" in text_of(code[0])
    assert "gold.daily_kpis" in text_of(code[0])
    # the gold table as a DataFrame: the demo's first day as `rat query` shows it
    shown = text_of(code[1])
    assert "revenue" in shown and "2024-03-01" in shown and "3580.70" in shown
    # the chart, as an image
    assert any("image/png" in o.get("data", {}) for o in outputs(code[2], "display_data"))
    assert "product" in text_of(code[3])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass  # gone already
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_rat_notebook_serves_the_workspace(demo_env):
    port = free_port()
    root = ["--allow-root"] if os.geteuid() == 0 else []  # Jupyter refuses root without it
    jupyter = subprocess.Popen(
        [RAT, "notebook", "-w", "demo", "--", "--no-browser", f"--port={port}",
         "--NotebookApp.token=", "--NotebookApp.password=", "--port-retries=0", *root],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        listing, deadline = None, time.time() + 120
        while listing is None and time.time() < deadline and jupyter.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents", timeout=5) as r:
                    listing = json.load(r)
            except OSError:
                time.sleep(0.5)
        assert listing is not None, jupyter.stdout.read1().decode(errors="replace")
        assert "daily_kpis.ipynb" in [item["name"] for item in listing["content"]]
    finally:
        stop(jupyter)
    log = jupyter.stdout.read().decode(errors="replace")
    assert "rat notebook: workspace demo" in log
    assert "127.0.0.1" in log


def test_rat_notebook_refuses_a_missing_workspace(demo_env):
    done = subprocess.run([RAT, "notebook", "-w", "nope"], capture_output=True, text=True)
    assert done.returncode == 1
    assert "nope" in done.stderr
