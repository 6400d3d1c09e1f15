"""bindings/python/tests/test_workspace.py - ratatouille.workspace as the
original guide (../shared/seed/workspaces-guide.md) uses it: its snippets
pasted as they are, then what each gives checked against what `rat` says.
"""
import os
import subprocess

import pytest

import ratatouille
from ratatouille.workspace import Workspace, get_workspace

from conftest import write

RAT = os.environ.get("RAT_BIN", "rat")


def rat(*args):
    return subprocess.run([RAT, *args], capture_output=True, text=True, check=True).stdout


def test_the_guides_create_snippet(lake, capsys):
    # --- the guide, "Creating a Workspace / Via Code", as written
    from ratatouille.workspace import Workspace

    ws = Workspace.create(
        name="analytics",
        description="Analytics team workspace",
    )

    print(f"Created: {ws.name}")
    print(f"Nessie branch: {ws.nessie_branch}")
    print(f"S3 prefix: {ws.s3_prefix}")
    # ---
    out = capsys.readouterr().out
    assert "Created: analytics\n" in out
    assert "Nessie branch: workspace/analytics\n" in out
    assert "S3 prefix: analytics\n" in out
    assert ws.description == "Analytics team workspace"
    for layer in ("bronze", "silver", "gold"):
        assert (lake / "workspaces" / "analytics" / "pipelines" / layer).is_dir()
    shown = rat("workspace", "show", "-w", "analytics")
    assert "Branch:        workspace/analytics" in shown
    assert "Analytics team workspace" in shown


def test_the_guides_loading_snippet(lake, monkeypatch):
    Workspace.create(name="analytics")
    Workspace.create(name="default", description="the default one")
    # --- the guide, "Loading a Workspace", as written
    from ratatouille.workspace import Workspace as W, get_workspace

    # Load by name
    ws = W.load("analytics")

    # Get cached workspace (recommended)
    ws = get_workspace("analytics")

    # Load from environment variable WORKSPACE
    ws = get_workspace()  # Uses $WORKSPACE or "default"
    # ---
    assert ws.name == "default"
    assert get_workspace("analytics") is get_workspace("analytics")  # cached
    monkeypatch.setenv("WORKSPACE", "analytics")
    assert get_workspace().name == "analytics"
    assert get_workspace() is get_workspace("analytics")
    assert Workspace.load(lake / "workspaces" / "analytics").name == "analytics"  # a folder


def test_the_guides_listing_snippet(lake, capsys):
    ws = Workspace.create(name="analytics")
    pipelines_dir = lake / "workspaces" / "analytics" / "pipelines"
    write(pipelines_dir / "bronze" / "sales.sql", "SELECT 1 AS id\n")
    write(pipelines_dir / "silver" / "clean" / "pipeline.sql", "SELECT 1 AS id\n")
    write(pipelines_dir / "gold" / "kpis.sql", "SELECT 1 AS id\n")
    write(pipelines_dir / "gold" / "daily.sql", "SELECT 1 AS id\n")
    # --- the guide, "Listing Pipelines", as written
    ws = Workspace.load("analytics")
    pipelines = ws.list_pipelines()

    print("Bronze pipelines:", pipelines["bronze"])
    print("Silver pipelines:", pipelines["silver"])
    print("Gold pipelines:", pipelines["gold"])
    # ---
    out = capsys.readouterr().out
    assert "Bronze pipelines: ['sales']\n" in out
    assert "Silver pipelines: ['clean']\n" in out
    assert "Gold pipelines: ['daily', 'kpis']\n" in out
    listed = rat("list", "-w", "analytics")
    for name in ("bronze.sales", "silver.clean", "gold.kpis", "gold.daily"):
        assert name in listed


def test_s3_path_and_config(lake, monkeypatch):
    monkeypatch.setenv("ICEBERG_WAREHOUSE", "s3://lake/warehouse")
    ws = Workspace.create(name="analytics")
    assert ws.s3_path("silver", "cleaned_sales") == "s3://lake/warehouse/analytics/silver/cleaned_sales/"
    assert ws.s3_path("gold") == "s3://lake/warehouse/analytics/gold/"
    config = ws.config
    assert config["nessie_branch"] == "workspace/analytics"
    assert config["warehouse"] == "s3://lake/warehouse"
    assert config["catalog_server"] is None
    resources = config["resources"]
    assert resources["profile"] == "small"
    assert resources["engine_memory_mb"] == min(resources["duckdb_memory_mb"],
                                                resources["max_memory_mb"])
    assert str(resources["max_memory_mb"]) in rat("workspace", "show", "-w", "analytics")


def test_errors_are_exceptions_with_librats_message(lake):
    with pytest.raises(ratatouille.NotFoundError) as e:
        Workspace.load("nope")
    assert "workspace 'nope' not found" in str(e.value)
    assert e.value.code == -3
    assert isinstance(e.value, ratatouille.Error)
    Workspace.create(name="analytics")
    with pytest.raises(ratatouille.ExistsError):
        Workspace.create(name="analytics")
    with pytest.raises(ratatouille.InvalidError) as e:
        Workspace.create(name="bad name!")
    assert "bad name!" in str(e.value)
    write(lake / "workspaces" / "broken" / "workspace.yaml", "name: broken\nresources: [1\n")
    with pytest.raises(ratatouille.InvalidError) as e:
        Workspace.load("broken")
    assert "workspace.yaml:" in str(e.value)  # file:line:col: key: message
    ws = Workspace.load("analytics")
    with pytest.raises(ratatouille.InvalidError):
        ws.s3_path("silver", "no/slashes")
    with pytest.raises(ratatouille.InvalidError):
        ws._ws.pipelines("platinum")


def test_bad_arguments_are_type_errors_never_a_crash(lake):
    for bad in (1, 2.5, b"bytes", object(), ["a"]):
        with pytest.raises(TypeError):
            Workspace.load(bad)
        with pytest.raises(TypeError):
            Workspace.create(name=bad)
        with pytest.raises(TypeError):
            get_workspace(bad)
    with pytest.raises(TypeError):
        Workspace("analytics")  # not how a Workspace is made
    ws = Workspace.create(name="analytics")
    with pytest.raises(TypeError):
        ws.s3_path(None)
    with pytest.raises(TypeError):
        ws.s3_path("silver", 3)
    with pytest.raises(TypeError):
        ratatouille._rat.Workspace.open(1)
    with pytest.raises(ValueError):
        Workspace.load("nul\x00inside")
