"""`make bench`: every benchmark of benchmarks/, one after the other.

    .venv/bin/python benchmarks/run_all.py                 # all of them
    .venv/bin/python benchmarks/run_all.py runner imports  # only bench_runner.py and bench_imports.py
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    unknown = set(names) - {s.stem.removeprefix("bench_") for s in scripts}
    if unknown:
        print(f"no such benchmark: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    for script in scripts:
        if names and script.stem.removeprefix("bench_") not in names:
            continue
        print(f"\n== {script.stem} ==", flush=True)
        sys.argv = [str(script)]
        runpy.run_path(str(script), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
