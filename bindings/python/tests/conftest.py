"""bindings/python/tests/conftest.py - every test in a scratch lake of its own.

RAT_HOME and RAT_WORKSPACES point into a temporary folder, the current folder
is that folder, WORKSPACE is unset, and get_workspace()'s cache starts empty.
The package is imported from the build tree (PYTHONPATH, set by ctest).
"""
import os

import pytest

from ratatouille import workspace as rw


@pytest.fixture(autouse=True)
def lake(tmp_path, monkeypatch):
    monkeypatch.setenv("RAT_HOME", str(tmp_path / ".rat"))
    monkeypatch.setenv("RAT_WORKSPACES", str(tmp_path / "workspaces"))
    for name in ("WORKSPACE", "ICEBERG_WAREHOUSE", "NESSIE_URI", "RAT_TOKEN", "RAT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "workspaces").mkdir()
    rw.clear_cache()
    yield tmp_path
    rw.clear_cache()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
