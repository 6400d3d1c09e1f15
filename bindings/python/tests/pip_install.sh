#!/usr/bin/env bash
# bindings/python/tests/pip_install.sh - the README's second way to install the
# package, as a user does it: a virtual environment of Debian's Python that sees
# its packages, `pip install --no-build-isolation` of a copy of bindings/python
# (no package index: --no-index), then the package imported from there, away
# from the build tree. Takes RAT_PYTHON, RAT_INCLUDE_DIR, RAT_LIB_DIR, SCRATCH.
set -euo pipefail
: "${RAT_PYTHON:?}" "${RAT_INCLUDE_DIR:?}" "${RAT_LIB_DIR:?}" "${SCRATCH:?}"
here="$(cd "$(dirname "$0")/.." && pwd)"
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
cp -R "$here" "$SCRATCH/src"
rm -rf "$SCRATCH/src/build" "$SCRATCH/src"/*.egg-info
"$RAT_PYTHON" -m venv --system-site-packages "$SCRATCH/venv"
"$SCRATCH/venv/bin/pip" install -q --no-build-isolation --no-index "$SCRATCH/src"
cd "$SCRATCH"
unset PYTHONPATH
mkdir -p workspaces
RAT_WORKSPACES="$SCRATCH/workspaces" RAT_HOME="$SCRATCH/.rat" "$SCRATCH/venv/bin/python" - <<'PY'
import ratatouille
from ratatouille.workspace import Workspace
assert "/venv/" in ratatouille.__file__, ratatouille.__file__
ws = Workspace.create(name="pipped", description="installed with pip")
assert ws.nessie_branch == "workspace/pipped"
assert Workspace.load("pipped").description == "installed with pip"
print("pip install: ok,", ratatouille.__file__)
PY
rm -rf "$SCRATCH"
