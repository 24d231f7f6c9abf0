"""nbval guards the key figures: tampering with a stored figure must fail it, name it,
and `make refresh` must name it too and store the value the notebook prints.

Also checks the notebooks' hygiene: outputs stored only in key-figure cells,
each paired with its py:percent file.
"""

from __future__ import annotations

import nbformat
import pytest
from conftest import ROOT

from analysis.run import hygiene

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean_and_paired(path):
    assert hygiene.problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_keeps_a_key_figure_cell(path):
    nb = nbformat.read(path, as_version=4)
    kept = [c for c in nb.cells if c.cell_type == "code" and hygiene.keeps_output(c)]
    assert kept and all(c.outputs for c in kept)
