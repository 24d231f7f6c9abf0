"""Reading a file's bytes and finding its table: the format by content, then CSV, XLSX or Parquet."""

from __future__ import annotations

import codecs
import itertools
import re
import warnings
from pathlib import Path

import pandas as pd

from analysis.inputs.header import _grid_from_rows, _header_score
from analysis.inputs.problems import HEADER_SEARCH_ROWS, _fail
from analysis.inputs.read_parquet import _parquet_grid
from analysis.inputs.read_text import _csv_grid_fast, _csv_rows

# ------------------------------------------------------------- reading bytes

_MAGIC = {
    b"PAR1": "parquet",
    b"PK\x03\x04": "xlsx",
    b"\xd0\xcf\x11\xe0": "xls",
}


def _read_bytes(path: Path, file: str) -> bytes:
    if not path.exists():
        raise _fail(file, "file not found, expected an existing CSV, XLSX or Parquet file")
    if path.is_dir():
        raise _fail(file, "is a folder, expected a CSV, XLSX or Parquet file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(file, f"cannot be read ({exc.strerror or exc}), "
                    "expected a file you may read") from None
    if not _FILLED_BYTE.search(data):  # found near the start: no copy of a big file
        raise _fail(file, "empty file, expected a header row and data rows")
    return data


# a byte that is neither white space, NUL nor part of a UTF-8 or UTF-16 byte-order mark
_FILLED_BYTE = re.compile(b"[^" + re.escape(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE)
                          + b"]")


def _format_of(data: bytes) -> str:
    return next((fmt for magic, fmt in _MAGIC.items() if data.startswith(magic)), "text")


def _read_grid(
    path: Path, data: bytes, kind: str, wanted: dict[str, str], file: str
) -> tuple[int, list[str], pd.DataFrame]:
    """(header row number, header texts, body with row-number index) of any format."""
    fmt = _format_of(data)
    if fmt == "xls":
        raise _fail(file, "an old Excel 97-2003 workbook (.xls), expected .xlsx, CSV or "
                    "Parquet: open it in Excel and save it as .xlsx")
    if fmt == "parquet":
        return _parquet_grid(path, file)
    if fmt == "text" and (fast := _csv_grid_fast(data, kind, wanted)) is not None:
        return fast
    rows = _xlsx_rows(path, kind, wanted, file) if fmt == "xlsx" else _csv_rows(data, kind,
                                                                                 wanted, file)
    return _grid_from_rows(rows, kind, wanted, file)


# --- xlsx


def _xlsx_rows(path: Path, kind: str, wanted: dict[str, str], file: str) -> list[list]:
    """Cell values of the first sheet that holds the kind's header (else the first sheet)."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                rows = _pick_sheet(book.worksheets, kind, wanted)
            finally:
                book.close()
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise _fail(file, f"not a readable Excel workbook ({type(exc).__name__}: {exc}), "
                    "expected an .xlsx file saved by Excel or LibreOffice") from None
    if rows is None:
        raise _fail(file, "the workbook has no sheet, expected one")
    return rows


def _pick_sheet(sheets: list, kind: str, wanted: dict[str, str]) -> list[list] | None:
    """Rows of the first sheet whose top rows hold the kind's header, else of the first sheet."""
    for ws in sheets:
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # some writers store a wrong sheet size; read what is there
        top = itertools.islice(ws.iter_rows(values_only=True), HEADER_SEARCH_ROWS)
        if any(_header_score(list(r), kind, wanted) >= 2 for r in top):
            return [list(r) for r in ws.iter_rows(values_only=True)]
    if not sheets:
        return None
    return [list(r) for r in sheets[0].iter_rows(values_only=True)]
