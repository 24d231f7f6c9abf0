"""Cells refused whatever their column: a formula without a saved result, a text past
the cell limit, a control character in a text."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as arrow
import pyarrow.compute as pc

from analysis.inputs import limits
from analysis.inputs.problems import quote
from analysis.inputs.schema import TEXT

# control characters that are not white space (white space is tidied): BEL, ESC, NUL...
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


class UncachedFormula:
    """A spreadsheet formula whose result was never saved in the file.

    Not a str, so that no text reader takes it for a value; `str()` gives the formula.
    """

    __slots__ = ("formula",)

    def __init__(self, formula: str):
        self.formula = formula

    def __str__(self) -> str:
        return self.formula

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UncachedFormula) and other.formula == self.formula

    def __hash__(self) -> int:
        return hash(("UncachedFormula", self.formula))


def _uncached(formula: UncachedFormula) -> str:
    return (f"the formula {quote(formula)} has no saved result, expected a value: open the "
            "file in Excel or LibreOffice and save it again (or paste the values)")


def _refused(uniques: list, type_: str, text: arrow.Array | None) -> dict[int, str]:
    """Distinct values refused whatever the column: a formula without a saved result, a
    text longer than the cell limit, and in a text column a control character.

    `text` is `uniques` as an Arrow array when they are many and all text, else None.
    """
    most = limits.limit("cell_chars")
    refused = {}
    if text is not None:  # many distinct texts: the few suspects picked out at once
        long = pc.greater(pc.utf8_length(text), most)
        control = pc.match_substring_regex(text, _CONTROL.pattern)
        suspects = np.flatnonzero(pc.or_(long, control).to_numpy(zero_copy_only=False))
    else:
        suspects = range(len(uniques))
    for k in suspects:
        value = uniques[k]
        if isinstance(value, UncachedFormula):
            refused[k] = _uncached(value)
        elif not isinstance(value, str):
            continue
        elif len(value) > most:
            bound = limits.LIMITS["cell_chars"]
            # the quote says the length: 'xxx…' (120,000 characters)
            refused[k] = (f"{quote(value)} is more than the limit of {most:,} {bound.what} "
                          f"(raise it with the setting {bound.setting})")
        elif type_ == TEXT and (found := _CONTROL.search(value)):
            refused[k] = (f"{quote(value)} holds a control character (U+{ord(found.group()):04X}), "
                          "expected plain text: delete it from the cell")
    return refused
