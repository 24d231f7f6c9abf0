"""Notebook hygiene: stored outputs only in key-figure cells, jupytext pairs in sync.

python -m analysis.run.hygiene            check (make lint)
python -m analysis.run.hygiene --refresh  re-run each notebook on its defaults, store the
                                      outputs of its `keep_output` cells, strip the rest,
                                      print each key figure that moved (make refresh)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat

from analysis import config
from analysis.output.record import key_figure_text

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


# key figures -------------------------------------------------------------------
def printed_text(outputs) -> str:
    """What a cell printed (its stdout), from stored or freshly collected outputs."""
    stdout = [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stdout"]
    texts = [o.get("text", "") for o in stdout]
    return "".join("".join(t) if isinstance(t, list) else t for t in texts)


def key_figures(text: str) -> dict[str, str]:
    """A key-figure cell's printed lines (`name  value`, from Recorder.finish) as {name: value}."""
    figures = {}
    for line in text.splitlines():
        name, _, value = line.strip().partition(" ")
        if name:
            figures[name] = value.strip()
    return figures


def _at_precision(value: str | None) -> str | None:
    """A printed value as finish() would print it today: numbers at KEY_FIGURE_DECIMALS."""
    try:
        return key_figure_text(float(value)) if value and "." in value else value
    except ValueError:
        return value


def moved(stored: str, now: str) -> list[tuple[str, str | None, str | None]]:
    """(name, stored value, value now) of each key figure that moved; None where one side lacks it."""
    before, after = key_figures(stored), key_figures(now)
    names = list(before) + [n for n in after if n not in before]
    return [
        (n, before.get(n), after.get(n))
        for n in names
        if _at_precision(before.get(n)) != _at_precision(after.get(n))
    ]


def moved_lines(rows: list[tuple[str, str | None, str | None]]) -> list[str]:
    """`name  stored → now`, one line per moved key figure, aligned."""
    shown = [(n, "(none)" if old is None else old, "(none)" if new is None else new) for n, old, new in rows]
    name_width = max((len(n) for n, _, _ in shown), default=0)
    old_width = max((len(old) for _, old, _ in shown), default=0)
    return [f"{n:<{name_width}}  {old:>{old_width}} → {new}" for n, old, new in shown]


def _key_figure_text(nb) -> str:
    return "".join(printed_text(c.outputs) for c in nb.cells if c.cell_type == "code" and keeps_output(c))


def refresh(path: Path) -> list[tuple[str, str | None, str | None]]:
    """Execute on default parameters and keep only the key-figure outputs; return what moved."""
    import papermill

    from analysis.run.runner import KERNEL_ARGUMENTS

    os.environ.setdefault("MPLBACKEND", "agg")
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / path.name
        papermill.execute_notebook(
            str(path),
            str(executed),
            kernel_name="python3",
            progress_bar=False,
            cwd=str(config.ROOT),
            extra_arguments=KERNEL_ARGUMENTS,
        )
        ran = nbformat.read(executed, as_version=4)
    nb = nbformat.read(path, as_version=4)
    stored = _key_figure_text(nb)
    by_id = {c.get("id"): c for c in ran.cells}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = by_id[cell.get("id")].outputs if keeps_output(cell) else []
    strip(nb)
    nbformat.write(nb, path)
    return moved(stored, _key_figure_text(nb))


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
            print(f"refreshing {path.name}", flush=True)
            lines = moved_lines(refresh(path)) or ["no key figure moved"]
            print("\n".join("    " + line for line in lines), flush=True)
        return 0
    found = [p for path in paths for p in problems(path)]
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
