"""nbval on a tampered key-figure cell: the failure names the figure, and make refresh accepts it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT

from analysis.run import hygiene


def _nbval(path, cwd):
    """nbval on one notebook, with the suite's plugin that names moved key figures (-p conftest),
    in a pytest-xdist worker as `make test` runs it (the report crosses from worker to controller)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "1",
            "-p",
            "no:cacheprovider",
            "-p",
            "conftest",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(ROOT / "tests" / "sanitize.cfg"),
            "-o",
            "addopts=",
            str(path),
        ],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT / "tests")},
        capture_output=True,
        text=True,
        timeout=600,
    )


def _key_figure_text(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(hygiene.printed_text(c.outputs) for c in nb.cells if hygiene.keeps_output(c))


@pytest.mark.slow
def test_tampered_key_figure_fails_nbval_named_and_refresh_accepts_it(tmp_path):
    source = ROOT / "notebooks" / "historical_vs_campaign.ipynb"
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and hygiene.keeps_output(c))
    stream = next(o for o in cell.outputs if o.output_type == "stream")
    assert "hist_yield                0.8529\n" in stream.text
    stream.text = stream.text.replace("0.8529", "0.9529")
    copy = tmp_path / "tampered.ipynb"
    nbformat.write(nb, copy)
    moved = re.compile(r"^ +hist_yield +0\.9529 → 0\.8529$")

    res = _nbval(copy, ROOT)
    assert res.returncode == 1
    summary = res.stdout.rsplit("key figures that moved", 1)[-1]  # the end-of-run summary
    named = [line for line in summary.splitlines() if line.startswith("    ") and "→" in line]
    assert len(named) == 1 and moved.match(named[0]), res.stdout[-3000:]  # the tampered figure, only
    assert "make refresh" in summary

    # what `make refresh` runs, on the copy: it names the same move and stores what the notebook prints
    res = subprocess.run(
        [sys.executable, "-m", "analysis.run.hygiene", "--refresh", str(copy)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    named = [line for line in res.stdout.splitlines() if "→" in line]
    assert len(named) == 1 and moved.match(named[0]), res.stdout
    assert _key_figure_text(copy) == _key_figure_text(source)
