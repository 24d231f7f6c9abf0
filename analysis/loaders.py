"""Reading analysts' own files into checked frames of the five input kinds.

`load(path, kind, columns, campaigns)` is `read_table` (find the header, map
the columns) followed by `validate` (parse the values, apply the rules of
`analysis.schema`); visits then go through `protect_visits`. Whatever is
wrong with a file becomes an `InputError` listing every problem as
`file:row:column: what is wrong, what was expected`, with the row number a
spreadsheet shows and the column as the file's own header names it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import importlib
import io
import itertools
import json
import math
import numbers
import os
import re
import unicodedata
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc

from analysis import config, schema
from analysis.schema import COUNT, DATE, EXPECTED, KINDS, TEXT, YEAR

__all__ = [
    "KINDS",
    "InputError",
    "InputNote",
    "Problem",
    "UncheckedWarning",
    "load",
    "protect_visits",
    "read_table",
    "validate",
]

MAX_PROBLEMS = 20
HEADER_SEARCH_ROWS = 30  # a title block above the header is never longer than this
ROW = "row"  # index name of a frame whose index holds spreadsheet row numbers
FIRST_YEAR, LAST_YEAR = 1900, 2100
_RECORD = {
    "campaigns": "campaign",
    "totals": "published figure",
    "sessions": "session",
    "timeseries": "date and region",
    "visits": "visit",
}


_QUOTED_VALUE = re.compile(r"""^('[^']*'|"[^"]*")""")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, where a user can find it."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = "" if self.row is None else str(self.row)
        col = self.column or ""
        return f"{self.file}:{row}:{col}: {self.message}"


class InputError(Exception):
    """Bad input: every problem found, one line each (the first `limit` of them)."""

    def __init__(self, problems: list[Problem], limit: int = MAX_PROBLEMS):
        self.problems = problems
        lines = [str(p) for p in problems[:limit]]
        if len(problems) > limit:
            lines.append(f"... and {len(problems) - limit} more problems")
        super().__init__("\n".join(lines))


class InputNote(UserWarning):
    """Something a user should know about a file that loaded (shown by `workbook check`)."""


class UncheckedWarning(InputNote):
    """A rule that could not be applied (e.g. a campaign without published dates)."""


# ---------------------------------------------------------------------- public


def load(
    path: str | Path,
    kind: str,
    columns: Mapping[str, str] | None = None,
    campaigns: pd.DataFrame | str | Path | None = None,
    *,
    name: str | None = None,
) -> pd.DataFrame:
    """The checked frame of `kind` in the file at `path`, or InputError.

    `columns` maps canonical names to the file's headers ({"units": "Số ĐV"});
    `campaigns` (a frame or a path; default: the published campaigns) is where
    a sessions file's campaign_id is looked up. `name` is how messages call the
    file (default: the path as given).
    """
    table = read_table(path, kind, columns, name=name)
    if kind != "visits":
        return validate(table, kind, campaigns=campaigns)
    # donor_id stays a categorical (codes + distinct ids) for the pseudonyms, made once per
    # donor; the few sexes, sites and outcomes stay categoricals too (a byte a visit)
    file = table.attrs["file"]
    frame = _validate(table, kind, campaigns, keep_codes=VISITS_CATEGORICAL)
    del table
    return protect_visits(frame, file, simulated=config.is_simulated(config.resolve(path)))


# The text columns a loaded visits frame holds as categoricals: the pseudonymised
# donor_id (categories in order of first appearance) and the few sexes, sites and
# outcomes (categories sorted), so one file gives one frame whatever its format.
VISITS_CATEGORICAL = ("donor_id", "sex", "site", "outcome")
FEW_CATEGORIES = 1000


def protect_visits(frame: pd.DataFrame, file: str = "<frame>", simulated: bool = False) -> pd.DataFrame:
    """A checked visits frame through `analysis.privacy.protect_visits`, when that module exists.

    Privacy (dropping direct identifiers, keyed pseudonyms for donor_id) lives
    in its own module; this is the one place the loader calls it. The columns
    it drops are named in an InputNote; a missing or bad key is an InputError.
    Simulated visits (under data/example/) hold no real person, so they take a
    fixed public key and never need a key file.
    """
    try:
        privacy = importlib.import_module("analysis.privacy")
    except ModuleNotFoundError as exc:
        if exc.name != "analysis.privacy":
            raise
        if "donor_id" in frame and isinstance(frame["donor_id"].dtype, pd.CategoricalDtype):
            frame = frame.assign(donor_id=_as_objects(frame["donor_id"]))
        return frame
    try:
        result = privacy.protect_visits(frame, privacy.SIMULATED_KEY if simulated else None)
    except getattr(privacy, "PseudonymKeyError", ()) as exc:
        raise _fail(file, f"donor_id cannot be pseudonymised: {exc}") from None
    protected, dropped = result if isinstance(result, tuple) else (result, [])
    if dropped:
        warnings.warn(f"{file}: direct identifiers dropped on load: {', '.join(dropped)}",
                      InputNote, stacklevel=2)
    return protected


def read_table(
    path: str | Path,
    kind: str,
    columns: Mapping[str, str] | None = None,
    *,
    name: str | None = None,
) -> pd.DataFrame:
    """The table in a CSV, XLSX or Parquet file with its columns named canonically.

    Values are as read (text from a CSV, typed cells from XLSX or Parquet):
    `validate` parses them. Text read by the fast CSV and Parquet readers comes
    as pandas categoricals (the same values, each distinct one held once).
    The index holds spreadsheet row numbers; `attrs` holds the file name and
    which header each canonical column came from. Columns that match no alias
    keep their header text.
    """
    file = name or str(path)
    _check_kind(kind, file)
    mapping = _check_mapping(columns, kind, file)
    resolved = config.resolve(path)
    data = _read_bytes(resolved, file)
    wanted = {schema.header_key(v): k for k, v in mapping.items()}
    header_row, header, body = _read_grid(resolved, data, kind, wanted, file)
    names, problems = _map_columns(header, kind, mapping, file, header_row)
    if body.empty and not problems:
        problems.append(Problem(file, header_row, None,
                                f"no data rows below the header (row {header_row}), "
                                f"expected one row per {_RECORD[kind]}"))
    if problems:
        raise InputError(problems)
    body.columns = [names[i] for i in range(len(header))]
    body.attrs = {
        "file": file,
        "kind": kind,
        "header_row": header_row,
        "headers": {names[i]: header[i] for i in range(len(header))},
    }
    return body


def validate(
    frame: pd.DataFrame,
    kind: str,
    campaigns: pd.DataFrame | str | Path | None = None,
    *,
    file: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Parse and check a frame with canonical column names; the typed frame, or InputError.

    Rows are reported by the index when it is named "row" (as `read_table`
    leaves it), else as in a CSV whose header is row 1. `headers` maps
    canonical names back to the file's headers for the messages.
    """
    return _validate(frame, kind, campaigns, file=file, headers=headers)


def _validate(
    frame: pd.DataFrame,
    kind: str,
    campaigns: pd.DataFrame | str | Path | None = None,
    *,
    file: str | None = None,
    headers: Mapping[str, str] | None = None,
    keep_codes: tuple[str, ...] = (),
) -> pd.DataFrame:
    """`validate`; text columns named in `keep_codes` are returned as categoricals.

    Every column is parsed on its distinct values (see `_encode`), so the cost
    follows the number of distinct cells, not of rows.
    """
    file = file or frame.attrs.get("file") or "<frame>"
    _check_kind(kind, file)
    ctx = _Context(file, kind, {**frame.attrs.get("headers", {}), **(headers or {})})
    work = _with_row_numbers(frame)
    encoded: dict[str, tuple[np.ndarray, list]] = {}
    problems, work = _total_rows(work, ctx, encoded)
    parsed, parse_problems = _parse_frame(work, ctx, encoded)
    del work, encoded
    failed = {(p.row, p.column) for p in parse_problems}
    problems += parse_problems
    problems += [p for p in _rule_problems(parsed, ctx) if (p.row, p.column) not in failed]
    if kind == "sessions" and "campaign_id" in parsed and parsed["campaign_id"].notna().any():
        problems += _campaign_problems(parsed, _campaign_table(campaigns), ctx)
    if problems:
        if kind == "visits":  # donor records: say what is wrong, never echo the value
            problems = [replace(p, message=_QUOTED_VALUE.sub("this value", p.message, 1)) for p in problems]
        raise InputError(_in_row_order(problems))
    return _finish(parsed, kind, keep_codes)


# --------------------------------------------------------------- small helpers


@dataclass(frozen=True)
class _Context:
    file: str
    kind: str
    headers: dict[str, str]

    def header(self, name: str) -> str:
        return str(self.headers.get(name, name))

    def problem(self, row: int | None, name: str | None, message: str) -> Problem:
        return Problem(self.file, row, None if name is None else self.header(name), message)


def _fail(file: str, message: str) -> InputError:
    """An InputError about the file as a whole."""
    return InputError([Problem(file, None, None, message)])


def _check_kind(kind: str, file: str) -> None:
    if kind not in KINDS:
        raise _fail(file, f"unknown kind {kind!r}, expected one of {', '.join(KINDS)}")


def _check_mapping(columns: Mapping[str, str] | None, kind: str, file: str) -> dict[str, str]:
    """The column mapping, refused when it names a column the kind does not have."""
    if not columns:
        return {}
    if not isinstance(columns, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise _fail(file, "the column mapping is not of the form "
                    '{"canonical_name": "header in the file"}')
    known = [c.name for c in schema.columns(kind)]
    problems = []
    for name in columns:
        # a time series may rename its breakdown columns freely
        if name not in known and kind != "timeseries":
            problems.append(Problem(file, None, None,
                                    f"the column mapping names {name!r}, which a {kind} file "
                                    f"does not have, expected one of {', '.join(known)}"))
    if problems:
        raise InputError(problems)
    return dict(columns)


def _fmt_date(value: pd.Timestamp) -> str:
    return f"{value:%d/%m/%Y}"


def _fmt_value(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return _fmt_date(value)
    return str(value)


def _in_row_order(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: -1 if p.row is None else p.row)


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


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


# --- text


def _decode(data: bytes, file: str) -> str:
    """Text of a CSV: UTF-8 (with or without BOM) or UTF-16 as Excel writes it."""
    encoding = _text_encoding(data, file)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding.startswith("utf-16"):
            raise _fail(file, "not valid UTF-16 text (cut short?), expected a complete "
                        "file as Excel saves 'Unicode text'") from None
        if _looks_binary(data):
            raise _binary(file) from None
        line = data[: exc.start].count(b"\n") + 1
        raise InputError([Problem(file, line, None,
                                  f"not UTF-8 text (byte 0x{data[exc.start]:02X}), expected a CSV "
                                  "saved as UTF-8: in Excel use Save As > 'CSV UTF-8'")]) from None
    text = text.lstrip("\ufeff")
    if _control_share(text[:10000]) > 0.01:
        raise _binary(file)
    if not text.strip():
        raise _fail(file, "empty file, expected a header row and data rows")
    return text


def _text_encoding(data: bytes, file: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4096]
    if b"\x00" not in head:
        return "utf-8"
    # UTF-16 without a BOM: every other byte of Latin text is zero
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    raise _binary(file)


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return controls > 0.01 * len(head)


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    return bad / len(text)


def _binary(file: str) -> InputError:
    return _fail(file, "not a table (binary content), expected a CSV, XLSX or "
                    "Parquet file")


def _csv_rows(data: bytes, kind: str, wanted: dict[str, str], file: str) -> list[list]:
    text = _decode(data, file)
    delimiter = _delimiter(text, kind, wanted)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _fail(file, f"not a readable CSV ({exc}), expected comma-, semicolon- or "
                    "tab-separated text") from None


def _delimiter(text: str, kind: str, wanted: dict[str, str]) -> str:
    """The separator under which a header row matches most known columns.

    Excel writes ',' or ';' depending on the locale, and tabs for "Unicode text";
    a first line "sep=;" (another Excel habit) settles it.
    """
    first = text.split("\n", 1)[0].strip()
    if re.fullmatch(r"sep=.", first):
        return first[-1]

    head = text[:65536]  # the header is near the top; a big file is not copied three times

    def score(delim: str) -> tuple[int, int]:
        try:
            rows = list(itertools.islice(csv.reader(io.StringIO(head, newline=""),
                                                    delimiter=delim), HEADER_SEARCH_ROWS))
        except csv.Error:
            return (-1, 0)
        matches = max((_header_score(r, kind, wanted) for r in rows), default=0)
        widths = max((len(r) for r in rows), default=0)
        return (matches, widths)

    return max([",", ";", "\t"], key=score)


# A CSV of millions of rows is read by Arrow's multi-threaded parser instead of
# csv.reader + a list per row. It takes only what it reads exactly as the general
# reader would: UTF-8, a header among the top rows, every row as wide as the header
# (an empty line is a row of empty cells to both, numbered and then dropped).
# Anything else (ragged rows, bad bytes, a cell over csv's size limit, any file
# Arrow refuses) goes the general way, which also words every problem; both give
# the same grid, cell for cell and row number for row number.
_HEAD_CHARS = 65536  # what `_delimiter` looks at
_HEAD_BYTES = 4 * _HEAD_CHARS + 16  # enough UTF-8 for that many characters


class _CountingLines:
    """Lines of a text for csv.reader, counting the characters handed out."""

    def __init__(self, text: str):
        self._lines = io.StringIO(text, newline="")
        self.used = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._lines.readline()
        if not line:
            raise StopIteration
        self.used += len(line)
        return line


def _csv_grid_fast(data: bytes, kind: str, wanted: dict[str, str]
                   ) -> tuple[int, list[str], pd.DataFrame] | None:
    """(header row, header texts, body) of a plain UTF-8 CSV read by Arrow, else None.

    The body's columns are categoricals of the cells as text; blank cells are
    empty and blank rows dropped, as `_grid_from_rows` leaves them.
    """
    try:
        if _text_encoding(data, "") not in ("utf-8", "utf-8-sig"):
            return None
    except InputError:
        return None
    start = 0
    while data.startswith(codecs.BOM_UTF8, start):  # as _decode's lstrip("\ufeff")
        start += len(codecs.BOM_UTF8)
    whole = len(data) - start <= _HEAD_BYTES
    try:
        head = codecs.getincrementaldecoder("utf-8")().decode(data[start:start + _HEAD_BYTES],
                                                            final=whole)
    except UnicodeDecodeError:
        return None
    if (not whole and (len(head) < _HEAD_CHARS or "\n" not in head)) or not head.strip() \
            or _control_share(head[:10000]) > 0.01:
        return None
    delimiter = _delimiter(head, kind, wanted)
    if delimiter in '"\r\n' or len(delimiter.encode("utf-8")) != 1:
        return None
    found = _header_in_head(head, delimiter, kind, wanted)
    if found is None:
        return None
    header_row, header_cells, used = found
    if not whole and used >= len(head):  # the header might run on past the head
        return None
    table = _arrow_csv(data, start + len(head[:used].encode("utf-8")), delimiter,
                       len(header_cells))
    if table is None or table.num_rows == 0:
        return None
    with ThreadPoolExecutor(_workers(table.num_columns)) as pool:
        columns = list(pool.map(_blank_free_categorical, table.columns))
    del table
    width = len(header_cells)
    empty = [np.asarray(c.codes) < 0 for c in columns]
    blank_rows = np.logical_and.reduce(empty)
    keep = [i for i in range(width) if not _is_blank(header_cells[i]) or not empty[i].all()]
    body = pd.DataFrame({n: columns[i] for n, i in enumerate(keep)},
                        index=pd.RangeIndex(header_row + 1, header_row + 1 + len(blank_rows),
                                            name=ROW), copy=False)
    if blank_rows.any():
        body = body[~blank_rows]
    return header_row, [_header_text(header_cells[i], i) for i in keep], body


def _header_in_head(head: str, delimiter: str, kind: str, wanted: dict[str, str]
                    ) -> tuple[int, list[str], int] | None:
    """(row number, cells, characters up to the end of that row) of the header, as
    `_grid_from_rows` finds it; None when no top row names two known columns."""
    lines = _CountingLines(head)
    filled = 0
    try:
        for number, row in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
            if not any(not _is_blank(c) for c in row):
                continue
            if _header_score(row, kind, wanted) >= 2:
                return number, row, lines.used
            filled += 1
            if filled >= HEADER_SEARCH_ROWS:
                return None
    except csv.Error:
        return None
    return None


def _arrow_csv(data: bytes, offset: int, delimiter: str, width: int):
    """The rows below the header as an Arrow table of text columns, or None if Arrow
    cannot read them as csv.reader does (ragged rows, bad UTF-8, huge cells)."""
    import pyarrow.csv as arrow_csv

    names = [f"c{i}" for i in range(width)]
    try:
        table = arrow_csv.read_csv(
            arrow.BufferReader(arrow.py_buffer(data)[offset:]),
            read_options=arrow_csv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=arrow_csv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                newlines_in_values=data.find(b'"', offset) >= 0, ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(
                column_types={n: arrow.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False, check_utf8=True),
        )
    except (arrow.ArrowException, ValueError):
        return None
    limit = csv.field_size_limit()
    for column in table.columns:  # csv.reader refuses a cell over its limit
        longest = pc.max(pc.utf8_length(column)).as_py() if len(column) else 0
        if longest is not None and longest > limit:
            return None
    return table


def _blank_free_categorical(column) -> pd.Categorical:
    """An Arrow text column as a categorical; cells that are blank become empty."""
    codes, dictionary = _dictionary_codes(column)
    blank = _blank_mask(dictionary)
    if blank.any():
        renumber = np.full(len(dictionary) + 1, -1, dtype=np.int64)
        renumber[np.flatnonzero(~blank)] = np.arange(int((~blank).sum()))
        codes = renumber[codes]
        dictionary = dictionary.filter(arrow.array(~blank))
    return _categorical(codes, dictionary.to_numpy(zero_copy_only=False))


def _workers(tasks: int) -> int:
    return max(1, min(tasks, os.cpu_count() or 1))


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


# --- parquet


def _parquet_grid(path: Path, file: str) -> tuple[int, list[str], pd.DataFrame]:
    """Parquet has typed columns and no title rows: the header counts as row 1.

    Text columns come as categoricals (read as Arrow dictionaries, each distinct
    value once), dates as datetime64 when every one lies in 1900-2100 (else as
    the date objects pandas gives, whose years are checked one by one); other
    columns as pandas reads them. A file the fast reader does not take (a stored
    index, repeated column names, a broken file) is read by pandas as before.
    """
    try:
        frame = _parquet_frame(path)
    except Exception:  # noqa: BLE001 - whatever it is, pandas below says it in its words
        frame = None
    if frame is not None:
        header = [str(c) for c in frame.columns]
        frame.columns = range(len(header))
        frame.index = pd.RangeIndex(2, len(frame) + 2, name=ROW)
        return 1, header, frame
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise _fail(file, f"not a readable Parquet file ({type(exc).__name__}: {exc}), "
                    "expected a file written by pandas, pyarrow or DuckDB") from None
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame = frame.reset_index(drop=True)
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype(object)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name=ROW)
    header = [str(c) for c in frame.columns]
    frame.columns = range(len(header))
    return 1, header, frame


def _parquet_frame(path: Path) -> pd.DataFrame | None:
    """The file's columns; row groups are read in parallel, text as dictionaries."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    names = schema.names
    if len(set(names)) != len(names):
        return None
    pandas_meta = json.loads((schema.metadata or {}).get(b"pandas", b"{}"))
    if any(not isinstance(i, dict) for i in pandas_meta.get("index_columns", [])) \
            or len(pandas_meta.get("column_indexes", [])) > 1:
        return None  # a stored index or several header levels: pandas knows how
    text = [f.name for f in schema if _is_text_type(f.type)]
    with pq.ParquetFile(path, read_dictionary=text) as whole:
        groups = whole.num_row_groups
        if groups <= 1:
            table = whole.read()

    def group(i: int):
        with pq.ParquetFile(path, read_dictionary=text) as file:  # a reader per thread
            return file.read_row_group(i, use_threads=False)

    if groups > 1:
        with ThreadPoolExecutor(_workers(groups)) as pool:
            table = arrow.concat_tables(list(pool.map(group, range(groups))))
    columns: dict[str, object] = {}
    for name in names:
        column = table.column(name)
        if name in text:
            codes, dictionary = _dictionary_codes(column)
            if dictionary.null_count:
                return None
            columns[name] = _categorical(codes, dictionary.to_numpy(zero_copy_only=False))
        elif arrow.types.is_date32(column.type) and _dates_in_range(column):
            columns[name] = column.cast(arrow.timestamp("ns")).to_numpy()
        else:
            columns[name] = None  # below, as pandas converts it
    rest = [n for n, v in columns.items() if v is None]
    if rest:
        converted = table.select(rest).to_pandas()
        for name in rest:
            values = converted[name]
            if isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype(object)
            columns[name] = values.array  # by position: pandas may restore a stored index
    del table
    return pd.DataFrame(columns, copy=False)


def _is_text_type(type_) -> bool:
    if arrow.types.is_dictionary(type_):
        type_ = type_.value_type
    return arrow.types.is_string(type_) or arrow.types.is_large_string(type_)


def _dates_in_range(column) -> bool:
    """Every date of a date32 column lies in the years `parse_date` accepts."""
    days = column.cast(arrow.int32())
    low, high = pc.min(days).as_py(), pc.max(days).as_py()
    first, last = (int(np.datetime64(d, "D").astype(np.int64))
                   for d in (f"{FIRST_YEAR}-01-01", f"{LAST_YEAR}-12-31"))
    return low is None or (first <= low and high <= last)


# --- header


def _header_score(row: list, kind: str, wanted: dict[str, str]) -> int:
    """How many cells of `row` name a column of `kind` (or one the mapping asks for)."""
    hits = set()
    for cell in row:
        if _is_blank(cell) or not isinstance(cell, str):
            continue
        key = schema.header_key(cell)
        name = wanted.get(key) or schema.canonical_for(cell, kind)
        if name:
            hits.add(name)
    return len(hits)


def _grid_from_rows(
    rows: list[list], kind: str, wanted: dict[str, str], file: str
) -> tuple[int, list[str], pd.DataFrame]:
    """Header row number, header texts and body of a sheet; blank rows and columns dropped."""
    filled = ((n, r) for n, r in enumerate(rows, start=1) if any(not _is_blank(c) for c in r))
    top = list(itertools.islice(filled, HEADER_SEARCH_ROWS))
    if not top:
        raise _fail(file, "empty file, expected a header row and data rows")
    # the header is the first row that names known columns: title rows above it are skipped
    header_row, header_cells = next(
        ((n, r) for n, r in top if _header_score(r, kind, wanted) >= 2), top[0]
    )
    data = rows[header_row:]
    # a note typed right of the table becomes an unnamed column ('column H'), not an error
    width = max([len(header_cells), *(len(r) for r in data)])
    body = pd.DataFrame(
        [r if len(r) == width else list(r) + [None] * (width - len(r)) for r in data],
        columns=range(width),
        index=pd.RangeIndex(header_row + 1, header_row + 1 + len(data), name=ROW),
        dtype=object,
    )
    blank = body.apply(_blank_cells) if len(body) else body.isna()
    body = body.mask(blank)[~blank.all(axis=1)]
    header_cells = list(header_cells) + [None] * (width - len(header_cells))
    keep = [i for i in range(width) if not _is_blank(header_cells[i]) or not blank[i].all()]
    header = [_header_text(header_cells[i], i) for i in keep]
    body = body[keep]
    body.columns = range(len(keep))
    return header_row, header, body


def _blank_cells(column: pd.Series) -> pd.Series:
    codes, uniques = _factorize(column)
    spaces = [k for k, u in enumerate(uniques) if isinstance(u, str) and not u.strip()]
    return pd.Series((codes == -1) | np.isin(codes, spaces), index=column.index)


def _header_text(cell: object, position: int) -> str:
    """A header cell as text; an unnamed column that holds data is called 'column C'."""
    if _is_blank(cell):
        return f"column {_letter(position + 1)}"
    return " ".join(unicodedata.normalize("NFC", str(cell)).split())


def _letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _map_columns(
    header: list[str], kind: str, mapping: dict[str, str], file: str, header_row: int
) -> tuple[dict[int, str], list[Problem]]:
    """Canonical name (or kept header text) for each column position, and what is missing."""
    problems: list[Problem] = []
    names: dict[int, str] = {}
    keys = [schema.header_key(h) for h in header]
    folded = [schema.folded_key(h) for h in header]
    for name, in_file in mapping.items():
        at = _find(keys, schema.header_key(in_file))
        if at is None:
            at = _find(folded, schema.folded_key(in_file))
        if at is None:
            problems.append(Problem(file, header_row, None,
                                    f"the column mapping gives {in_file!r} for {name}, but no "
                                    f"column is headed so; found: {', '.join(header)}"))
        else:
            names[at] = name
    by_alias: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        name = schema.canonical_for(h, kind)
        if i not in names and name and name not in mapping:
            by_alias.setdefault(name, []).append(i)
    for name, positions in by_alias.items():
        if len(positions) > 1:
            found = " and ".join(repr(header[i]) for i in positions)
            problems.append(Problem(file, header_row, header[positions[1]],
                                    f"{found} could both be {name}, expected one: name the right "
                                    f'one in the column mapping, e.g. {{"{name}": '
                                    f'"{header[positions[0]]}"}}'))
        names[positions[0]] = name
    taken = set(names.values())
    for i, h in enumerate(header):
        if i not in names:
            names[i] = _unique_name(h, taken)
            taken.add(names[i])
    missing = [n for n in schema.required(kind) if n not in taken]
    for name in missing:
        problems.append(Problem(file, header_row, None, _missing_message(name, kind, header)))
    if missing:
        problems += _other_kind_hint(header, kind, file, header_row)
    return names, problems


def _find(keys: list[str], key: str) -> int | None:
    return next((i for i, k in enumerate(keys) if k == key), None)


def _unique_name(text: str, taken: set[str]) -> str:
    name, n = text, 2
    while name in taken:
        name, n = f"{text} ({n})", n + 1
    return name


def _missing_message(name: str, kind: str, header: list[str] | None) -> str:
    aliases = [a for a in schema.column(kind, name).aliases][:4]
    found = f"; found: {', '.join(header)}" if header else ""
    return (f"missing column {name}, expected a header such as {', '.join(aliases)} "
            f'(or map yours: {{"{name}": "<your header>"}}){found}')


def _other_kind_hint(header: list[str], kind: str, file: str, header_row: int) -> list[Problem]:
    """Suggest the kind whose columns the file has, when it fits better than the one asked for."""

    def matched(k: str) -> set[str]:
        return {n for n in (schema.canonical_for(h, k) for h in header) if n}

    asked = len(matched(kind))
    for other in KINDS:
        found = matched(other)
        if other != kind and set(schema.required(other)) <= found and len(found) > asked:
            return [Problem(file, header_row, None,
                            f"these columns fit a {other} file, expected a {kind} file: "
                            "is the kind right?")]
    return []


# -------------------------------------------------------------- parsing values

_NA_WORDS = {"", "-", "–", "—", "na", "n/a", "nan", "null", "none", "nat"}
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
                         "\u2212": "-"})
_WHOLE = re.compile(r"-?\d+")
_GROUPED = re.compile(r"-?\d{1,3}(?P<sep>[., '])\d{3}(?:(?P=sep)\d{3})*")
# 12.0 or 12,00: how tools that keep counts as decimals write them
_ZERO_FRACTION = re.compile(r"-?\d+[.,]0{1,2}")
_DECIMAL = re.compile(r"-?(?:\d{1,3}(?:[., ']\d{3})*|\d+)[.,]\d+")
_TIME = r"(?:(?:[ T]|,\s*)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time part is ignored
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME)
_TOTAL_WORDS = {"tong", "tongcong", "tongso", "cong", "total", "grandtotal"}


def _missing(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in _NA_WORDS
    return _is_blank(value)


def parse_count(value: object) -> tuple[int | None, str | None]:
    """A whole number from a cell: 26203, 26.203, 26,203, '26 203'; or an error."""
    if _missing(value):
        return None, None
    if isinstance(value, bool):
        return None, f"{value} is not a number, expected {EXPECTED[COUNT]}"
    if isinstance(value, numbers.Integral):
        return int(value), None
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            return None, f"{value} is not a number, expected {EXPECTED[COUNT]}"
        if float(value).is_integer():
            return int(value), None
        return None, f"{value} is not a whole number, expected {EXPECTED[COUNT]}"
    if not isinstance(value, str):
        return None, f"{_fmt_value(value)!r} is not a number, expected {EXPECTED[COUNT]}"
    text = " ".join(value.translate(_SPACES).split())
    if _WHOLE.fullmatch(text) or _GROUPED.fullmatch(text):
        number = int(re.sub(r"[., ']", "", text))
    elif _ZERO_FRACTION.fullmatch(text):
        number = int(re.split(r"[.,]", text)[0])
    elif _DECIMAL.fullmatch(text):
        return None, f"{value.strip()!r} is not a whole number, expected {EXPECTED[COUNT]}"
    else:
        return None, f"{value.strip()!r} is not a number, expected {EXPECTED[COUNT]}"
    if abs(number) >= 2**62:
        return None, f"{value.strip()!r} is too large, expected {EXPECTED[COUNT]}"
    return number, None


def parse_date(value: object) -> tuple[pd.Timestamp | None, str | None]:
    """A day from a cell: a date cell, 2023-08-04, or day-first 4/8/2023, 04-08-2023."""
    if _missing(value):
        return None, None
    if isinstance(value, bool):
        return None, f"{value} is not a date, expected {EXPECTED[DATE]}"
    if isinstance(value, numbers.Number):
        return None, (f"{value} is a number, not a date, expected {EXPECTED[DATE]} "
                      "(in Excel, format the column as Date)")
    if isinstance(value, str):
        return _parse_date_text(value.strip())
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None, f"{_fmt_value(value)!r} is not a date, expected {EXPECTED[DATE]}"
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return _checked_day(stamp.year, stamp.month, stamp.day, _fmt_value(value))


@functools.lru_cache(maxsize=8192)
def _parse_date_text(text: str) -> tuple[pd.Timestamp | None, str | None]:
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        return None, f"{text!r} is not a date, expected {EXPECTED[DATE]}"
    return _checked_day(year, month, day, text)


def _checked_day(year: int, month: int, day: int, text: str) -> tuple[pd.Timestamp | None,
                                                                      str | None]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None, (f"{text!r} has the year {year}, expected a date between "
                      f"{FIRST_YEAR} and {LAST_YEAR}")
    try:
        return pd.Timestamp(year, month, day), None
    except ValueError:
        return None, f"{text!r} is not a real date, expected day/month/year such as 04/08/2023"


def parse_text(value: object) -> str | None:
    """A cell as tidy text (NFC, single spaces); numbers without a spurious '.0'."""
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime):
        stamp = pd.Timestamp(value)
        value = f"{stamp:%Y-%m-%d}" if stamp == stamp.normalize() else stamp.isoformat()
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text or None


def _all_whole(series: pd.Series) -> bool:
    """Every given cell is a whole number: a breakdown column of a time series."""
    results = [parse_count(v) for v in _factorize(series)[1]]
    return any(v is not None for v, _ in results) and not any(e for _, e in results)


def _parse_column(series: pd.Series, type_: str, encoded: tuple[np.ndarray, list] | None = None
                  ) -> tuple[pd.Series, dict[int, str]]:
    """The column in its canonical type, and an error per row that could not be read.

    Text comes back as a categorical (see `_finish`). `encoded` is the column's
    `_encode` when the caller has it already.
    """
    if type_ in (COUNT, YEAR) and pd.api.types.is_integer_dtype(series.dtype):
        return series.astype("Int64"), {}
    if type_ == DATE and pd.api.types.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        if series.dtype == "datetime64[ns]" and _at_midnight(series.to_numpy()):
            return series, {}  # days already (a Parquet date column)
        return series.dt.normalize().astype("datetime64[ns]"), {}
    if type_ in (COUNT, YEAR) and isinstance(series.dtype, np.dtype) and series.dtype.kind == "f":
        whole = _whole_floats(series)
        if whole is not None:
            return whole, {}
    # each distinct cell is parsed once: a column of 10^6 visits holds a few thousand dates
    codes, uniques = encoded if encoded is not None else encode_values(series)
    if type_ == TEXT:
        parsed, unchanged = _parse_texts(uniques)
        if unchanged and isinstance(series.dtype, pd.CategoricalDtype):
            return series, {}  # already tidy text: no new categorical of a million donor ids
        if not unchanged:
            codes, parsed = _recode(codes, parsed)
        return pd.Series(_categorical(codes, parsed), index=series.index), {}
    parse, plain = (parse_date, _plain_dates) if type_ == DATE else (parse_count, _plain_counts)
    text = _arrow_text(uniques)
    easy, easy_values = plain(text) if text is not None else (np.zeros(len(uniques), bool), None)
    rest = np.flatnonzero(~easy)
    results = [parse(uniques[k]) for k in rest]
    given = [v for v, _ in results]
    bad = {int(k): e for k, (_, e) in zip(rest, results, strict=True) if e}
    # code -1 (an empty cell) takes the empty value appended at the end
    if type_ == DATE:
        table = np.full(len(uniques) + 1, np.datetime64("NaT"), dtype="datetime64[ns]")
        if easy_values is not None:
            table[:-1][easy] = easy_values[easy]
        if len(rest):
            table[rest] = pd.array(given, dtype="datetime64[ns]").to_numpy()
        out = pd.Series(table[codes], index=series.index)
    else:
        data = np.zeros(len(uniques) + 1, dtype=np.int64)
        empty = np.ones(len(uniques) + 1, dtype=bool)
        if easy_values is not None:
            data[:-1][easy] = easy_values[easy]
            empty[:-1][easy] = False
        if len(rest):
            numbers_ = pd.array(given, dtype="Int64")
            data[rest] = numbers_.to_numpy(dtype=np.int64, na_value=0)
            empty[rest] = numbers_.isna()
        out = pd.Series(pd.arrays.IntegerArray(data[codes], empty[codes]), index=series.index)
    errors = {}
    if bad:
        failed = np.isin(codes, list(bad))
        errors = {row: bad[code] for row, code in zip(series.index[failed], codes[failed],
                                                       strict=True)}
    return out, errors


_DAY_NS = 86_400_000_000_000


def _at_midnight(values: np.ndarray) -> bool:
    """Every given datetime64[ns] value is a day at midnight."""
    ns = values.view(np.int64)
    given = ns != np.iinfo(np.int64).min  # NaT aside
    if not given.all():
        ns = ns[given]
    return bool((ns // _DAY_NS * _DAY_NS == ns).all())


def _whole_floats(series: pd.Series) -> pd.Series | None:
    """A float column of whole numbers (and gaps) as Int64; None if any cell needs a message."""
    values = series.to_numpy()
    empty = np.isnan(values)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(values) & (np.floor(values) == values) & (np.abs(values) < 2**62)
    if not (whole | empty).all():
        return None
    return pd.Series(pd.arrays.IntegerArray(np.where(whole, values, 0).astype(np.int64), empty),
                     index=series.index)


def _factorize(series: pd.Series) -> tuple[np.ndarray, list]:
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists in a Parquet column): compare them as text
        codes, uniques = pd.factorize(series.map(lambda v: None if _is_blank(v) else str(v)))
    return np.asarray(codes), list(uniques)


# ------------------------------------------------------ columns as codes + values
#
# A column of ten million visits holds far fewer distinct cells (a few thousand
# dates, one id per donor, a dozen sites). Each column is split once into
# integer codes and its distinct values; every parse and check runs on the
# distinct values, and the results reach the rows through the codes. Text stays
# a categorical (the same split) until `_finish` makes Python strings of it.
# Where many distinct values are text, Arrow first picks out, all at once, the
# ones any reader would take as they are ("S0012345", "2023-08-04", "350"); the
# others go through parse_text / parse_date / parse_count one by one, so every
# message is the one those functions word.

_VECTOR_MIN = 512  # fewer distinct values than this are simply parsed one by one
_PLAIN_TEXT = r"^[!-~]+(?: [!-~]+)*$"  # printable ASCII words, single spaces: already tidy
_PLAIN_COUNT = r"^-?[0-9]{1,18}$"  # below 2**62 whatever the digits
_PLAIN_ISO = r"^(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})$"
_PLAIN_DAY_FIRST = r"^(?P<d>[0-9]{1,2})[-/.](?P<m>[0-9]{1,2})[-/.](?P<y>[0-9]{4})$"


def encode_values(series: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (-1: an empty cell) and the distinct values of a column.

    A categorical gives its own; its unused categories stay among the values,
    which is harmless: a value only reaches the rows through their codes.
    Text is dictionary-encoded by Arrow, twice as fast as pandas' hashing.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return np.asarray(series.cat.codes), series.cat.categories.tolist()
    if series.dtype == object or isinstance(series.dtype, pd.StringDtype):
        values = series.to_numpy() if series.dtype == object else series.array
        try:
            text = arrow.array(values, from_pandas=True)
        except (arrow.ArrowInvalid, arrow.ArrowTypeError, arrow.ArrowNotImplementedError,
                UnicodeError):
            text = None  # not all text: numbers, dates, lists...
        if text is not None and _is_text_type(text.type):
            codes, dictionary = _dictionary_codes(text)
            return codes, dictionary.to_pylist()
    return _factorize(series)


def _dictionary_codes(column) -> tuple[np.ndarray, arrow.Array]:
    """Codes (-1 for null) and dictionary of an Arrow text column, plain or dictionary-encoded."""
    if isinstance(column, arrow.Array):
        column = arrow.chunked_array([column])
    if not arrow.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)  # one dictionary, shared by every chunk
    chunks = column.chunks
    if not chunks:
        return np.zeros(0, dtype=np.int32), arrow.array([], type=column.type.value_type)
    first = chunks[0].dictionary
    if not all(c.dictionary.equals(first) for c in chunks[1:]):
        chunks = column.unify_dictionaries().chunks
        first = chunks[0].dictionary
    codes = [pc.fill_null(c.indices, -1).to_numpy(zero_copy_only=False) for c in chunks]
    return (codes[0] if len(codes) == 1 else np.concatenate(codes)), first


def _categorical(codes: np.ndarray, values) -> pd.Categorical:
    """Codes onto distinct values, which must be unique and not empty."""
    return pd.Categorical.from_codes(codes, categories=pd.Index(values, dtype=object),
                                     validate=False)


def _recode(codes: np.ndarray, values: list) -> tuple[np.ndarray, list]:
    """Codes onto the distinct members of `values` (one per old code; None: empty)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    new_codes, distinct = pd.factorize(array)
    return np.append(new_codes, -1)[codes], list(distinct)


def _as_objects(series: pd.Series) -> np.ndarray:
    """A categorical column as an object array of its values, None where empty."""
    values = np.append(series.cat.categories.to_numpy(dtype=object), None)
    return values[np.asarray(series.cat.codes)]


def _arrow_text(values: list) -> arrow.Array | None:
    """Many distinct values, all text, as an Arrow array; else None."""
    if len(values) < _VECTOR_MIN:
        return None
    try:
        return arrow.array(values, type=arrow.string())
    except (arrow.ArrowInvalid, arrow.ArrowTypeError, UnicodeError):
        return None


# Every character str.isspace() takes for white space (what str.strip() and str.split()
# remove), and every one whose casefold is t, c or g; tests check both against Python.
PY_SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
             "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
TOTAL_INITIALS = "CGTcgt"


def _char_class(chars: str) -> str:
    """The body of a regex character class (RE2 syntax) of exactly these characters."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in chars)


def _spaces() -> str:
    return _char_class(PY_SPACES)


def _total_initials() -> str:
    return _char_class(TOTAL_INITIALS)


def _blank_mask(text: arrow.Array) -> np.ndarray:
    """Which values are blank (nothing but white space, as str.strip sees it)."""
    if len(text) == 0:
        return np.zeros(0, dtype=bool)
    hits = pc.match_substring_regex(text, f"^[{_spaces()}]*$")
    return pc.fill_null(hits, False).to_numpy(zero_copy_only=False)


def _parse_texts(uniques: list) -> tuple[list, bool]:
    """parse_text of each value, and whether every one came out as it went in."""
    text = _arrow_text(uniques)
    if text is None:
        parsed = [parse_text(u) for u in uniques]
        return parsed, all(type(u) is str and p == u for u, p in zip(uniques, parsed, strict=True))
    na_words = arrow.array(sorted(w for w in _NA_WORDS if w.isascii()))
    tidy = pc.and_(pc.match_substring_regex(text, _PLAIN_TEXT),
                   pc.invert(pc.is_in(pc.utf8_lower(text), value_set=na_words)))
    parsed = list(uniques)
    unchanged = True
    for k in np.flatnonzero(~tidy.to_numpy(zero_copy_only=False)):
        parsed[k] = parse_text(uniques[k])
        unchanged = unchanged and parsed[k] == uniques[k]
    return parsed, unchanged


def _plain_counts(text: arrow.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which values are plain whole numbers ("350", "-5"), and their values."""
    easy = pc.match_substring_regex(text, _PLAIN_COUNT).to_numpy(zero_copy_only=False)
    values = np.zeros(len(text), dtype=np.int64)
    if easy.any():
        values[easy] = pc.cast(text.filter(arrow.array(easy)), arrow.int64()).to_numpy()
    return easy, values


def _plain_dates(text: arrow.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which values are plainly a real day of 1900-2100 (2023-08-04, 4/8/2023), and that day.

    These are the texts parse_date reads through its ISO or day-first pattern
    without a time part and accepts; every other value is left to it.
    """
    easy = np.zeros(len(text), dtype=bool)
    days = np.zeros(len(text), dtype="datetime64[D]")
    for pattern in (_PLAIN_ISO, _PLAIN_DAY_FIRST):
        found = pc.extract_regex(text, pattern)
        matched = found.is_valid().to_numpy(zero_copy_only=False) & ~easy
        if not matched.any():
            continue
        parts = found.filter(arrow.array(matched))
        y, m, d = (pc.cast(parts.field(f), arrow.int64()).to_numpy() for f in "ymd")
        month = ((y - 1970) * 12 + m - 1).astype("datetime64[M]")
        day = month.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
        real = ((FIRST_YEAR <= y) & (y <= LAST_YEAR) & (1 <= m) & (m <= 12) & (1 <= d) & (d <= 31)
                & (day.astype("datetime64[M]") == month))
        where = np.flatnonzero(matched)
        easy[where[real]] = True
        days[where[real]] = day[real]
    return easy, days.astype("datetime64[ns]")


def _normalise_words(series: pd.Series, name: str) -> pd.Series:
    """Written forms (Nam/Nữ, đã hiến/hoãn, khoảng...) onto canonical values."""
    if name == "campaign_id":
        return _map_given(series, str.lower)
    words = schema.vocabulary(name)
    if not words:
        return series
    return _map_given(series, lambda v: words.get(schema.folded_key(v), v))


def _map_given(series: pd.Series, fn) -> pd.Series:
    """`fn` applied once per distinct given value; empty cells stay empty."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        given = series.cat.categories.tolist()
        values = [fn(v) for v in given]
        if all(type(v) is type(g) and v == g for v, g in zip(values, given, strict=True)):
            return series  # already canonical ("M", "donated"): nothing to rewrite
        codes, values = _recode(np.asarray(series.cat.codes), values)
        return pd.Series(_categorical(codes, values), index=series.index, name=series.name)
    lookup = {v: fn(v) for v in series.dropna().unique()}
    return series.map(lookup).astype(object).where(series.notna(), None)


def _with_row_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    work = frame.copy(deep=False)  # the columns are only read, never written
    if work.index.name != ROW or not work.index.is_unique:
        work.index = pd.RangeIndex(2, len(work) + 2, name=ROW)  # as a CSV with its header in row 1
    return work


def _may_hold_text(dtype) -> bool:
    api = pd.api.types
    return not (api.is_numeric_dtype(dtype) or api.is_bool_dtype(dtype)
                or api.is_datetime64_any_dtype(dtype) or api.is_timedelta64_dtype(dtype))


def _total_rows(frame: pd.DataFrame, ctx: _Context, encoded: dict | None = None
                ) -> tuple[list[Problem], pd.DataFrame]:
    """A 'Tổng cộng' row at the bottom of a sheet is refused by name, not as a bad session.

    The columns looked at are encoded into `encoded` for `_parse_frame` to reuse.
    """
    encoded = {} if encoded is None else encoded
    problems: dict[int, Problem] = {}
    for name in frame.columns[:3]:  # the label of a total row sits at the left
        if not _may_hold_text(frame[name].dtype):  # numbers and dates hold no label
            continue
        codes, uniques = encoded[name] = encode_values(frame[name])
        labels = {k: uniques[k] for k in _total_candidates(uniques) if _is_total_label(uniques[k])}
        if not labels:
            continue
        hits = np.isin(codes, list(labels))
        for row, code in zip(frame.index[hits], codes[hits], strict=True):
            if row not in problems:
                problems[row] = ctx.problem(row, name,
                                            f"{labels[code].strip()!r} looks like a total row, "
                                            f"expected one row per {_RECORD[ctx.kind]}: delete it "
                                            "(the workbook adds up by itself)")
    if not problems:
        return [], frame
    encoded.clear()  # rows are dropped: the codes no longer fit
    return list(problems.values()), frame.drop(index=list(problems))


def _total_candidates(uniques: list):
    """Positions of the values that may be a total label: short, starting with t, c or g."""
    text = _arrow_text(uniques)
    if text is None:
        return range(len(uniques))
    short = pc.less_equal(pc.utf8_length(text), 16)
    initial = pc.match_substring_regex(text, f"^[{_spaces()}]*(?:[{_total_initials()}]|$)")
    return np.flatnonzero(pc.and_(short, initial).to_numpy(zero_copy_only=False))


def _is_total_label(cell: object) -> bool:
    # cheap tests first: a column of 10^6 donor ids holds no total label
    return (isinstance(cell, str) and len(cell) <= 16 and cell.strip()[:1].casefold() in "tcg"
            and schema.folded_key(cell) in _TOTAL_WORDS)


def _parse_frame(frame: pd.DataFrame, ctx: _Context, encoded: dict | None = None
                 ) -> tuple[pd.DataFrame, list[Problem]]:
    encoded = {} if encoded is None else encoded
    problems: list[Problem] = []
    parsed = {}
    for name in frame.columns:
        col = schema.column(ctx.kind, name)
        if col is not None:
            type_ = col.type
        elif ctx.kind == "timeseries" and _all_whole(frame[name]):
            type_ = COUNT  # a breakdown column (blood group, age band, new/repeat...)
        else:
            type_ = TEXT
        values, errors = _parse_column(frame[name], type_, encoded.pop(name, None))
        if type_ == TEXT:
            values = _normalise_words(values, name)
        parsed[name] = values
        problems += [ctx.problem(row, name, msg) for row, msg in errors.items()]
    out = pd.DataFrame(parsed, index=frame.index, copy=False)
    return out, problems


def _finish(frame: pd.DataFrame, kind: str, keep_codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Canonical columns first in schema order, then the file's other columns; index 0..n-1.

    Text columns become Python strings (None where empty), except those in
    `keep_codes`, which stay categoricals: with their categories sorted and
    only those used when they are few (a million ids are left as they are).
    """
    known = [c.name for c in schema.columns(kind) if c.name in frame]
    extra = [c for c in frame.columns if c not in known]
    columns = {}
    for name in known + extra:
        series = frame[name]
        if not isinstance(series.dtype, pd.CategoricalDtype):
            columns[name] = series.array
        elif name not in keep_codes:
            columns[name] = _as_objects(series)
        elif len(series.cat.categories) <= FEW_CATEGORIES:
            used = series.cat.remove_unused_categories()
            columns[name] = used.cat.reorder_categories(sorted(used.cat.categories)).array
        else:
            columns[name] = series.array
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)), copy=False)


# ------------------------------------------------------------------- the rules


def _rule_problems(frame: pd.DataFrame, ctx: _Context) -> list[Problem]:
    """Run the kind's pandera schema lazily; each failure worded as a Problem."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pandera's concat of empty cases
            # inplace: no copy of a ten-million-row frame (nothing is coerced, so nothing changes)
            schema.frame_schema(ctx.kind).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        problems = []
        for err in exc.schema_errors:
            problems += _explain(err, frame, ctx)
        return problems
    return []


def _failed_rows(err: pa.errors.SchemaError) -> list[tuple[int, object]]:
    cases = err.failure_cases
    if not isinstance(cases, pd.DataFrame) or "index" not in cases:
        return []
    if "column" in cases:  # a frame-wide check lists every column of a failing row
        cases = cases.drop_duplicates("index")
    return [(int(i), v) for i, v in zip(cases["index"], cases["failure_case"], strict=True)
            if i is not None and not pd.isna(i)]


def _explain(err: pa.errors.SchemaError, frame: pd.DataFrame, ctx: _Context) -> list[Problem]:
    reason = getattr(err.reason_code, "name", str(err.reason_code))
    name = err.schema.name if isinstance(err.schema, pa.Column) else None
    stats = getattr(err.check, "statistics", None) or {}
    rule = stats.get("rule") or getattr(err.check, "name", None)
    if reason == "COLUMN_NOT_IN_DATAFRAME":
        missing = str(err.failure_cases)
        return [ctx.problem(None, None, _missing_message(missing, ctx.kind, None))]
    if reason == "SERIES_CONTAINS_NULLS":
        return [ctx.problem(row, name, _empty_message(ctx.kind, name))
                for row, _ in _failed_rows(err)]
    if rule in _COLUMN_RULES:
        return [ctx.problem(row, name, _COLUMN_RULES[rule](value, name, stats))
                for row, value in _failed_rows(err)]
    if rule in _FRAME_RULES:
        return _FRAME_RULES[rule](frame, [row for row, _ in _failed_rows(err)], stats, ctx)
    first_line = str(err).strip().splitlines()[0] if str(err).strip() else reason
    return [ctx.problem(None, name, first_line)]


def _empty_message(kind: str, name: str) -> str:
    col = schema.column(kind, name)
    what = EXPECTED[col.type] if col and col.type != TEXT else f"a {name.replace('_', ' ')}"
    return f"empty, expected {what}"


def _not_negative(value, name, stats) -> str:
    return f"{value} is negative, expected a count of 0 or more"


def _year(value, name, stats) -> str:
    return f"{value} is not a plausible year, expected {EXPECTED[YEAR]}"


_ALLOWED_HINTS = {
    "sex": "M or F (Nam / Nữ)",
    "outcome": "donated or deferred (đã hiến / hoãn)",
}


def _allowed(value, name, stats) -> str:
    allowed = [str(v) for v in stats.get("allowed_values", ())]
    hint = _ALLOWED_HINTS.get(name) or ", ".join(allowed[:-1]) + " or " + allowed[-1]
    return f"{value!r} is not a valid {name.replace('_', ' ')}, expected {hint}"


_COLUMN_RULES = {"not_negative": _not_negative, "year": _year, "allowed": _allowed}


def _order(frame, rows, stats, ctx) -> list[Problem]:
    small, big = stats["small"], stats["big"]
    return [ctx.problem(row, small,
                        f"{frame.at[row, small]} is more than {ctx.header(big)} "
                        f"({frame.at[row, big]}), expected {small} ≤ {big}")
            for row in rows]


def _breakdown(frame, rows, stats, ctx) -> list[Problem]:
    problems = []
    for total, parts in schema.breakdown_groups(frame, ctx.kind):
        added = frame.loc[rows, parts].sum(axis=1, min_count=1)
        names = " + ".join(ctx.header(p) for p in parts)
        for row in rows:
            given = frame.at[row, total]
            if pd.notna(added[row]) and pd.notna(given) and added[row] > given:
                problems.append(ctx.problem(row, total,
                                            f"{names} = {added[row]} is more than {given}, "
                                            f"expected the breakdown not to exceed {total}"))
    return problems


def _repeated(frame, rows, stats, ctx) -> list[Problem]:
    keys = schema.key_columns(frame, ctx.kind)
    # the rows whose key occurs more than once, and of each key the first of them
    involved = frame.loc[frame[keys].duplicated(keep=False).to_numpy(), keys]
    first: dict[tuple, int] = {}
    for row, values in zip(involved.index, involved.itertuples(index=False), strict=True):
        first.setdefault(tuple(values), row)
    same = ", ".join(ctx.header(k) for k in keys)
    return [ctx.problem(row, keys[0],
                        f"repeats row {first[tuple(frame.loc[row, keys])]} (same {same}), "
                        f"expected one row per {' + '.join(keys)}")
            for row in rows]


def _date_order(frame, rows, stats, ctx) -> list[Problem]:
    return [ctx.problem(row, "end_date",
                        f"{_fmt_date(frame.at[row, 'end_date'])} is before the start "
                        f"{_fmt_date(frame.at[row, 'start_date'])}, expected start_date ≤ end_date")
            for row in rows]


def _born_after_visit(frame, rows, stats, ctx) -> list[Problem]:
    return [ctx.problem(row, "birth_year",
                        f"{frame.at[row, 'birth_year']} is after the visit on "
                        f"{_fmt_date(frame.at[row, 'visit_date'])}, expected a birth year "
                        "before the visit")
            for row in rows]


_FRAME_RULES = {
    "order": _order,
    "breakdown": _breakdown,
    "repeated": _repeated,
    "date_order": _date_order,
    "born_after_visit": _born_after_visit,
}


# --------------------------------------------------------- session vs campaign


def _campaign_table(campaigns: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    if campaigns is None:
        return load(config.CAMPAIGNS_CSV, "campaigns")
    if isinstance(campaigns, str | Path):
        return load(campaigns, "campaigns")
    return validate(campaigns, "campaigns", file=campaigns.attrs.get("file", "campaigns table"))


def _campaign_problems(
    sessions: pd.DataFrame, campaigns: pd.DataFrame, ctx: _Context
) -> list[Problem]:
    """Each session's campaign is known and its date lies inside the campaign.

    A campaign whose dates were never published (2022) cannot be checked: the
    rows pass with an UncheckedWarning instead of an error, since the file is
    not at fault. A campaign with only one known end is checked against it.
    """
    known = campaigns.set_index("campaign_id")
    problems = []
    unchecked: dict[str, int] = {}
    rows = sessions[sessions["campaign_id"].notna()]
    for cid, group in rows.groupby(rows["campaign_id"].astype(object), sort=False):
        if cid not in known.index:
            problems.append(ctx.problem(group.index[0], "campaign_id",
                                        f"unknown campaign {cid!r} ({_rows(len(group))}), expected "
                                        f"one of {', '.join(known.index)}"))
            continue
        start, end = known.at[cid, "start_date"], known.at[cid, "end_date"]
        if pd.isna(start) and pd.isna(end):
            unchecked[cid] = len(group)
            continue
        for row, day in group["session_date"].dropna().items():
            if (pd.notna(start) and day < start) or (pd.notna(end) and day > end):
                span = f"{_fmt_or_unknown(start)}–{_fmt_or_unknown(end)}"
                problems.append(ctx.problem(row, "session_date",
                                            f"{_fmt_date(day)} is outside campaign {cid} ({span}), "
                                            "expected a date within the campaign"))
    for cid, n in unchecked.items():
        warnings.warn(f"{ctx.file}: campaign {cid} has no published dates; the dates of its "
                      f"{n} sessions were not checked", UncheckedWarning, stacklevel=4)
    return problems


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n} rows"


def _fmt_or_unknown(day: pd.Timestamp) -> str:
    return "?" if pd.isna(day) else _fmt_date(day)
