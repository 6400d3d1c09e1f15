"""ratatouille: Ratatouille's lakehouse from Python, over librat (docs/python.md).

    from ratatouille.workspace import Workspace, get_workspace

    ws = Workspace.load("analytics")
    print(ws.nessie_branch, ws.s3_prefix, ws.list_pipelines())

Every librat failure is raised as a subclass of ratatouille.Error named for
its kind (NotFoundError, InvalidError, ConflictError, ...), with librat's
message; its ``code`` attribute is the RAT_E* code.
"""
from ratatouille._rat import (  # noqa: F401  (the package's public names)
    AccessError,
    CanceledError,
    ConflictError,
    Error,
    ExistsError,
    InvalidError,
    IOFailure,
    NotFoundError,
    OutOfMemoryError,
    SQLError,
    TooBigError,
    TypeMismatchError,
)
from ratatouille._rat import version as _librat_version

__version__ = _librat_version()

__all__ = [
    "AccessError", "CanceledError", "ConflictError", "Error", "ExistsError", "InvalidError",
    "IOFailure", "NotFoundError", "OutOfMemoryError", "SQLError", "TooBigError",
    "TypeMismatchError", "__version__",
]
