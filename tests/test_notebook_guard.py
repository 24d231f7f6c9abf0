"""nbval guards the key figures: tampering with a stored figure must fail it.

Also checks the notebooks' hygiene: outputs stored only in key-figure cells,
each paired with its py:percent file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT

from analysis import hygiene

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _nbval(path, cwd):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(ROOT / "tests" / "sanitize.cfg"),
            "-o",
            "addopts=",
            str(path),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean_and_paired(path):
    assert hygiene.problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_keeps_a_key_figure_cell(path):
    nb = nbformat.read(path, as_version=4)
    kept = [c for c in nb.cells if c.cell_type == "code" and hygiene.keeps_output(c)]
    assert kept and all(c.outputs for c in kept)


@pytest.mark.slow
def test_tampered_key_figure_fails_nbval(tmp_path):
    source = ROOT / "notebooks" / "historical_vs_campaign.ipynb"
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and hygiene.keeps_output(c))
    stream = next(o for o in cell.outputs if o.output_type == "stream")
    assert "0.8529" in stream.text
    stream.text = stream.text.replace("0.8529", "0.9529")
    copy = tmp_path / "tampered.ipynb"
    nbformat.write(nb, copy)
    # the untouched notebook passes from the same place, so the failure is the tampering
    shutil.copy(source, tmp_path / "untouched.ipynb")
    assert _nbval(tmp_path / "untouched.ipynb", ROOT).returncode == 0
    res = _nbval(copy, ROOT)
    assert res.returncode == 1
    assert "0.9529" in res.stdout or "mismatch" in res.stdout.lower()
