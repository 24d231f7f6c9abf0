"""Spreadsheet cells a reader can open safely: text never runs as a formula.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
read by Excel and LibreOffice as a formula (OWASP's "CSV injection"): a site
named `=HYPERLINK("http://x","click")` would become a live link. Every table
the workbook writes goes through here:

- CSV: such a text gets a leading apostrophe, as spreadsheet users type it to
  mean "this is text"; a text that starts with an apostrophe gets one more, so
  `from_csv` gives back what was written (a carriage return comes back as a
  line feed: in a CSV it would end the row).
- XLSX: such a text is a string cell, never a formula (openpyxl makes a formula
  of any str that starts with `=`), and is marked with Excel's quote prefix.

Control characters (NUL, BEL, ESC, ... but not tab, line feed or carriage
return) are taken out of every text cell and header: openpyxl refuses them, and
no reader needs them. Numbers stay numbers: -5 is written as -5.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
APOSTROPHE = "'"
# control characters but tab, line feed and carriage return; C1 controls too
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """The text without control characters."""
    return _CONTROL.sub("", text)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_text(value: object) -> object:
    """A cell for a CSV file: text cleaned and made inert; anything else as it is.

    A carriage return becomes a line feed: a CSV reader takes a bare one for the
    end of the row, and the writer does not quote it."""
    if not isinstance(value, str):
        return value
    text = clean(value)
    if looks_like_formula(text) or text.startswith(APOSTROPHE):
        text = APOSTROPHE + text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def from_csv_text(value: object) -> object:
    """What `csv_text` was given (a cell read back from a CSV the workbook wrote)."""
    if isinstance(value, str) and value.startswith(APOSTROPHE):
        return value[1:]
    return value


def _texts(frame: pd.DataFrame, fn) -> pd.DataFrame:
    """`fn` applied to every text cell and header of a frame (numbers untouched)."""
    out = frame.copy(deep=False)
    for i, (_, column) in enumerate(frame.items()):
        dtype = column.dtype
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype):
            out.isetitem(i, column.astype(object).map(fn, na_action="ignore"))
    out.columns = [fn(c) for c in frame.columns]
    return out


def for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame to write with `to_csv`: text cells and headers cleaned and inert."""
    return _texts(frame, csv_text)


def from_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame read back from a CSV that `for_csv` wrote, as it was before."""
    return _texts(frame, from_csv_text)


def for_xlsx(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame to write to a sheet: text cells and headers without control characters."""
    return _texts(frame, lambda v: clean(v) if isinstance(v, str) else v)


def make_inert(sheet) -> int:
    """Every formula cell of an openpyxl sheet the workbook wrote becomes a string cell
    with Excel's quote prefix: it shows its text and never runs. Returns how many."""
    changed = 0
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
                cell.quotePrefix = True
                changed += 1
    return changed


def write_sheet(writer: pd.ExcelWriter, frame: pd.DataFrame, sheet_name: str) -> None:
    """`frame.to_excel(writer, sheet_name, index=False)` with every cell inert."""
    for_xlsx(frame).to_excel(writer, sheet_name=sheet_name, index=False)
    make_inert(writer.sheets[sheet_name])
