"""ratatouille.workspace: workspaces, as the original guide uses them.

    from ratatouille.workspace import Workspace, get_workspace

    ws = Workspace.create(name="analytics", description="Analytics team workspace")
    ws = Workspace.load("analytics")          # by name (RAT_WORKSPACES) or folder
    ws = get_workspace()                       # cached; $WORKSPACE, else "default"
    ws.name, ws.description, ws.nessie_branch, ws.s3_prefix, ws.config
    ws.s3_path("silver", "cleaned_sales")      # where a table's files live
    ws.list_pipelines()                        # {"bronze": [...], "silver": [...], "gold": [...]}
    engine = ws.get_engine()                   # SQL on its tables into pandas (ratatouille.engine)

A Workspace is librat's loaded workspace: its settings are read once, when it
loads (workspace.yaml, its profile and the environment), as the `rat`
command reads them.
"""
import os
import threading

from ratatouille import _rat

LAYERS = ("bronze", "silver", "gold")

__all__ = ["Workspace", "get_workspace", "clear_cache", "LAYERS"]


class Workspace:
    """A loaded workspace. Make one with Workspace.load() or Workspace.create()."""

    __slots__ = ("_ws", "_engines")

    def __init__(self, handle):
        if not isinstance(handle, _rat.Workspace):
            raise TypeError("use Workspace.load(name_or_path) or Workspace.create(name=...)")
        self._ws = handle
        self._engines = threading.local()

    @classmethod
    def load(cls, name_or_path=None):
        """The workspace of that name (looked up in RAT_WORKSPACES) or folder.

        None: $WORKSPACE, else the workspace enclosing the current folder,
        else "default". Raises NotFoundError saying where it looked, or
        InvalidError naming the file, line and key of a bad workspace.yaml.
        """
        if name_or_path is not None and not isinstance(name_or_path, (str, os.PathLike)):
            raise TypeError(f"a workspace is a name or a folder, not {type(name_or_path).__name__}")
        return cls(_rat.Workspace.open(None if name_or_path is None else os.fspath(name_or_path)))

    @classmethod
    def create(cls, name, description=None, path=None):
        """A new workspace folder with the standard layout and a workspace.yaml, loaded.

        It goes in the first RAT_WORKSPACES folder (or at path). Raises
        ExistsError when the folder exists and is not empty (nothing is
        written then), InvalidError for a bad name.
        """
        if not isinstance(name, str):
            raise TypeError(f"a workspace's name is a str, not {type(name).__name__}")
        return cls(_rat.Workspace.create(name, description,
                                         None if path is None else os.fspath(path)))

    @property
    def name(self):
        return self._ws.name

    @property
    def description(self):
        return self._ws.description

    @property
    def path(self):
        """The workspace's folder."""
        return self._ws.path

    @property
    def nessie_branch(self):
        """The catalog branch the workspace works on (isolation.nessie_branch, resolved)."""
        return self._ws.branch

    @property
    def s3_prefix(self):
        """The workspace's prefix in the warehouse (isolation.s3_prefix)."""
        return self._ws.s3_prefix

    @property
    def config(self):
        """The resolved settings: identity, storage, state, catalog and resource limits."""
        return {
            "name": self._ws.name,
            "description": self._ws.description,
            "version": self._ws.version,
            "path": self._ws.path,
            "config_path": self._ws.config_path,
            "nessie_branch": self._ws.branch,
            "nessie_branch_spec": self._ws.branch_spec,
            "s3_prefix": self._ws.s3_prefix,
            "warehouse": self._ws.warehouse,
            "rat_home": self._ws.home,
            "catalog_server": self._ws.catalog_server,
            "resources": self._ws.resources,
        }

    def s3_path(self, layer, table=None):
        """Where a layer's (or a table's) files live: <warehouse>/<s3_prefix>/<layer>/[<table>/].

        A local folder or an s3:// URL, as the warehouse is.
        """
        if not isinstance(layer, str) or (table is not None and not isinstance(table, str)):
            raise TypeError("s3_path(layer, table=None) takes names (str)")
        return self._ws.storage_path(layer, table)

    def list_pipelines(self):
        """The workspace's pipelines by layer: {"bronze": [...], "silver": [...], "gold": [...]}."""
        return {layer: self._ws.pipelines(layer) for layer in LAYERS}

    def get_engine(self, ref=None):
        """An engine session on the workspace's branch: SQL on its tables into pandas.

        The same session each call from one thread (a session serves one
        thread at a time; each thread gets its own), opened again after
        close(). ref (a branch, tag or commit) opens a new session as of it.
        """
        from ratatouille.engine import Engine

        if ref is not None:
            return Engine(self, ref)
        engine = getattr(self._engines, "engine", None)
        if engine is None or engine.closed:
            engine = self._engines.engine = Engine(self)
        return engine

    def tables(self):
        """The workspace's tables on its branch, as "layer.table" names, sorted."""
        return [key for key, _kind, _rows, _error in self._ws.tables(None)]

    def __repr__(self):
        return f"Workspace({self.name!r}, branch={self.nessie_branch!r})"

    def __eq__(self, other):
        return isinstance(other, Workspace) and other.path == self.path

    def __hash__(self):
        return hash(self.path)


_cache = {}
_cache_lock = threading.Lock()


def get_workspace(name=None):
    """The workspace of that name, loaded once per process and kept (the guide's way).

    None: $WORKSPACE, else "default". clear_cache() forgets them (after
    editing a workspace.yaml, say).
    """
    if name is not None and not isinstance(name, (str, os.PathLike)):
        raise TypeError(f"a workspace is a name or a folder, not {type(name).__name__}")
    key = os.fspath(name) if name is not None else (os.environ.get("WORKSPACE") or "default")
    with _cache_lock:
        ws = _cache.get(key)
        if ws is None:
            ws = _cache[key] = Workspace.load(key)
        return ws


def clear_cache():
    """Forget the workspaces get_workspace() keeps."""
    with _cache_lock:
        _cache.clear()
