"""ratatouille._runner: how `rat run` runs a Python pipeline (src/run/exec.c).

    python -m ratatouille._runner FILE FUNCTION

Loads FILE as a module, calls FUNCTION with a Context made from the run's
environment (ratatouille.pipeline.Context), and exits 0 when it returns.
A function that takes no argument is called without one; a DataFrame it
returns, when it wrote nothing, is what it writes. An exception ends the
process with status 1, its traceback printed, and a last line naming where
in FILE it was raised: what `rat run` shows of a failed step.
"""
import importlib.util
import inspect
import os
import sys
import traceback


def _load(path):
    name = "rat_pipeline_" + "".join(c if c.isalnum() else "_" for c in
                                     os.path.splitext(os.path.basename(path))[0])
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} cannot be loaded as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))  # its helpers beside it
    spec.loader.exec_module(module)
    return module


def _where(exc, path):
    """The last frame of exc's traceback in path (else the last of all): 'file:line in f()'."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if os.path.abspath(f.filename) == os.path.abspath(path)]
    frame = (mine or frames or [None])[-1]
    if frame is None:
        return os.path.basename(path)
    return f"{os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}()"


def main(argv):
    if len(argv) != 3:
        print("usage: python -m ratatouille._runner FILE FUNCTION", file=sys.stderr)
        return 2
    path, function = argv[1], argv[2]
    from ratatouille.pipeline import Context

    context = Context()
    try:
        module = _load(path)
        func = getattr(module, function, None)
        if not callable(func):
            raise LookupError(f"{os.path.basename(path)} has no function {function}()")
        takes = len(inspect.signature(func).parameters)
        result = func(context) if takes else func()
        if result is not None and context.rows_written == 0 and context._parts == 0:
            import pandas as pd

            if isinstance(result, pd.DataFrame):
                context.write(result)
        return 0
    except BaseException as exc:  # noqa: BLE001 (whatever it raised fails the step)
        traceback.print_exc()
        where = _where(exc, path)
        message = str(exc).splitlines()[0] if str(exc) else ""
        print(f"{context.table or function}: {type(exc).__name__} at {where}"
              f"{': ' + message if message else ''}", file=sys.stderr, flush=True)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        context.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
