"""Notebook hygiene: stored outputs only in key-figure cells, jupytext pairs in sync.

python -m analysis.run.hygiene            check (make lint)
python -m analysis.run.hygiene --refresh  re-run each notebook on its defaults, store the
                                      outputs of its `keep_output` cells, strip the rest
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat

from analysis import config

VOLATILE_METADATA = ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled")


def keeps_output(cell) -> bool:
    return bool(cell.get("metadata", {}).get("keep_output"))


def strip(nb) -> None:
    """Drop outputs and run metadata except in cells marked keep_output."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        if not keeps_output(cell):
            cell.outputs = []
        # nbval treats a stored output without an execution count as an error;
        # a fixed count keeps diffs quiet.
        cell.execution_count = 1 if cell.outputs else None
        for output in cell.get("outputs", []):
            if "execution_count" in output:
                output["execution_count"] = 1


def refresh(path: Path) -> None:
    """Execute on default parameters and keep only the key-figure outputs."""
    import papermill

    os.environ.setdefault("MPLBACKEND", "agg")
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / path.name
        papermill.execute_notebook(
            str(path), str(executed), kernel_name="python3", progress_bar=False, cwd=str(config.ROOT)
        )
        ran = nbformat.read(executed, as_version=4)
    nb = nbformat.read(path, as_version=4)
    by_id = {c.get("id"): c for c in ran.cells}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = by_id[cell.get("id")].outputs if keeps_output(cell) else []
    strip(nb)
    nbformat.write(nb, path)


def problems(path: Path) -> list[str]:
    """What is wrong with a committed notebook, one line each."""
    import jupytext

    found = []
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.outputs and not keeps_output(cell):
            found.append(f"{path.name}: cell {i} stores outputs but is not marked keep_output")
        if keeps_output(cell) and not cell.outputs:
            found.append(f"{path.name}: key-figure cell {i} has no stored output (run --refresh)")
        if any("image/png" in o.get("data", {}) for o in cell.outputs):
            found.append(f"{path.name}: cell {i} stores an image")
    paired = path.with_suffix(".py")
    if not paired.is_file():
        found.append(f"{path.name}: no paired {paired.name} (jupytext py:percent)")
    else:
        text = jupytext.read(paired)
        if [c.source for c in text.cells] != [c.source for c in nb.cells]:
            found.append(f"{path.name}: differs from {paired.name}; run jupytext --sync")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--refresh", action="store_true")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(config.NOTEBOOKS.glob("*.ipynb"))
    if args.refresh:
        for path in paths:
            print(f"refreshing {path.name}")
            refresh(path)
        return 0
    found = [p for path in paths for p in problems(path)]
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
