"""bindings/python/setup.py - the C extension ratatouille._rat, over librat.

librat's header and library: RAT_INCLUDE_DIR and RAT_LIB_DIR when set, else
this checkout's include/ and build/release/lib (`make build` first). The
library's folder is recorded in the extension (its run path), so nothing
else needs setting to import it.
"""
import glob
import os

import numpy
from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.normpath(os.path.join(here, "..", ".."))
include_dir = os.environ.get("RAT_INCLUDE_DIR") or os.path.join(top, "include")
lib_dir = os.environ.get("RAT_LIB_DIR") or os.path.join(top, "build", "release", "lib")
if not os.path.exists(os.path.join(include_dir, "rat.h")):
    raise SystemExit(f"rat.h is not in {include_dir}: set RAT_INCLUDE_DIR to librat's headers")
if not os.path.isdir(lib_dir) or not any(n.startswith("librat.so") for n in os.listdir(lib_dir)):
    raise SystemExit(f"librat.so is not in {lib_dir}: run `make build`, or set RAT_LIB_DIR")

setup(
    ext_modules=[
        Extension(
            "ratatouille._rat",
            sources=sorted(os.path.relpath(p, here) for p in glob.glob(os.path.join(here, "src", "*.c"))),
            depends=glob.glob(os.path.join(here, "src", "*.h")),
            include_dirs=[include_dir, numpy.get_include()],
            library_dirs=[lib_dir],
            libraries=["rat"],
            runtime_library_dirs=[lib_dir],
            extra_compile_args=["-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"],
        )
    ],
)
