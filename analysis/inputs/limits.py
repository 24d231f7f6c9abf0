"""How much of a file the workbook reads: every bound on an input, stated once.

A file past a bound is refused before it is read whole, with one line that
names the bound and the setting that raises it. Each bound is an environment
variable holding a whole number (`_` may group digits: 4_000_000_000); it is
read when a file is opened, so a setting takes effect for the next command.
The defaults fit a national registry: a bigger file is more likely a mistake
(or a trap) than a table, and whoever means it raises the bound.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from analysis.errors import LimitError, SettingError
from analysis.inputs.problems import Problem


@dataclass(frozen=True)
class Limit:
    key: str  # how the code asks for it
    setting: str  # the environment variable that raises it
    default: int
    what: str  # what is counted, in words: "bytes in one file"

    def value(self) -> int:
        text = os.environ.get(self.setting, "").strip()
        if not text:
            return self.default
        try:
            number = int(text)
        except ValueError:
            number = 0
        if number < 1:
            raise SettingError(f"{self.setting}={text!r} is not a whole number of {self.unit}, "
                               f"expected 1 or more (default {self.default:,})")
        return number

    @property
    def unit(self) -> str:
        return self.what.split(" ", 1)[0]


LIMITS = {
    limit.key: limit
    for limit in [
        Limit("bytes", "WORKBOOK_MAX_BYTES", 2 * 2**30, "bytes in one input file"),
        Limit("rows", "WORKBOOK_MAX_ROWS", 50_000_000, "rows in one table"),
        Limit("columns", "WORKBOOK_MAX_COLUMNS", 1_000, "columns in one table"),
        Limit("cell_chars", "WORKBOOK_MAX_CELL_CHARS", 1_000, "characters in one text cell or header"),
        Limit("xlsx_bytes", "WORKBOOK_MAX_XLSX_BYTES", 512 * 2**20,
              "bytes in an xlsx workbook once unzipped"),
        Limit("xlsx_parts", "WORKBOOK_MAX_XLSX_PARTS", 10_000, "parts (files) inside an xlsx workbook"),
        Limit("xlsx_ratio", "WORKBOOK_MAX_XLSX_RATIO", 100,
              "times a part of an xlsx workbook may grow when unzipped"),
    ]
}

# Not a bound but a threshold: a visits file (CSV or Parquet) of this size or more is read,
# checked and pseudonymised by DuckDB (analysis/inputs/engine.py), a smaller one by the loader.
ENGINE_BYTES = Limit("engine_bytes", "WORKBOOK_ENGINE_BYTES", 32 * 2**20,
                     "bytes in a visits file from which DuckDB reads it")

# A part of an xlsx workbook smaller than this is never refused for its compression ratio.
RATIO_FLOOR_BYTES = 2**20


def check_settings() -> None:
    """Every bound's setting, read once: one that is not a number is a SettingError."""
    for bound in LIMITS.values():
        bound.value()


def limit(key: str) -> int:
    """The bound called `key` (see LIMITS), as set in the environment or by default."""
    return LIMITS[key].value()


def breach(file: str, key: str, found: str, row: int | None = None,
           column: str | None = None) -> LimitError:
    """The one-line error for a file past a bound: what was found, the bound, its setting.

    `found` says what the file holds ("3,000,000 rows", "a cell in column XFD").
    """
    bound = LIMITS[key]
    message = (f"{found}, more than the limit of {bound.value():,} {bound.what} "
               f"(raise it with the setting {bound.setting})")
    return LimitError([Problem(file, row, column, message)], key)

