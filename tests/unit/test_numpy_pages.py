"""Importing the package turns off numpy's huge-page advice, unless the analyst chose otherwise.

Each case runs in a fresh interpreter: numpy reads the variable once, when imported.
"""

import os
import subprocess
import sys

import pytest

PROBE = ("import analysis, os, numpy\n"
         "from numpy._core import multiarray\n"
         "print(os.environ['NUMPY_MADVISE_HUGEPAGE'], multiarray._get_madvise_hugepage())")


def _probe(value: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if value is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = value
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="numpy gives huge-page advice on Linux only")
def test_advice_off_by_default():
    assert _probe(None) == ["0", "False"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="numpy gives huge-page advice on Linux only")
def test_analyst_choice_kept():
    assert _probe("1") == ["1", "True"]
