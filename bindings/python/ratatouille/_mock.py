"""ratatouille._mock: how `rat test` runs a .py mock (src/quality/pymock.c).

    python -m ratatouille._mock FILE OUT.parquet

Loads FILE, calls its generate() function, or the generate() method of the
first class that has one (the original Ratatouille's generators), and writes
the DataFrame it returns as a Parquet file at OUT.parquet, typed as pandas
had it (ratatouille.engine's write types). Anything else is an error whose
last line `rat test` shows.
"""
import importlib.util
import inspect
import os
import sys


def _generated(module):
    for _name, obj in inspect.getmembers(module, inspect.isclass):
        if obj.__module__ == module.__name__ and callable(getattr(obj, "generate", None)):
            return obj().generate()
    if callable(getattr(module, "generate", None)):
        return module.generate()
    raise LookupError("no generate() function, and no class with a generate() method")


def main(argv):
    if len(argv) != 3:
        print("usage: python -m ratatouille._mock FILE OUT.parquet", file=sys.stderr)
        return 2
    path, out = argv[1], argv[2]
    import pandas as pd

    from ratatouille import _rat
    from ratatouille.engine import columns_of

    spec = importlib.util.spec_from_file_location("rat_mock", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec.loader.exec_module(module)
    df = _generated(module)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"generate() returned a {type(df).__name__}, not a pandas DataFrame")
    _rat.write_parquet(out, columns_of(df), len(df))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
