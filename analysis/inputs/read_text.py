"""Text files: encoding (UTF-8, BOM, UTF-16), delimiter, and a fast Arrow reader for large CSVs."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc

from analysis.errors import InputError
from analysis.inputs import limits, schema
from analysis.inputs.header import _header_of, _header_score, _header_text, _letter, _map_columns
from analysis.inputs.problems import HEADER_SEARCH_ROWS, ROW, Problem, _fail, _is_blank
from analysis.inputs.values import _blank_mask, _categorical, _dictionary_codes

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
    """Every row of a CSV as a list of texts, within the row and column limits.

    A quoted cell that runs on over lines that look like rows of their own (a
    quote never closed swallows the rows after it) is refused, not read as one cell.
    """
    text = _decode(data, file)
    delimiter = _delimiter(text, kind, wanted)
    most_rows, most_columns = limits.limit("rows"), limits.limit("columns")
    lines = _checked_lines(text, file)
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[list] = []
    runaway: list[tuple[int, int, int]] = []  # (row, column, lines) of cells holding rows
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > most_rows:
                raise limits.breach(file, "rows", f"more than {most_rows:,} rows")
            if len(row) > most_columns:
                raise limits.breach(file, "columns", f"{len(row):,} cells", row=len(rows))
            for i, cell in enumerate(row):
                if ("\n" in cell or "\r" in cell) and _holds_rows(cell, delimiter, len(row)):
                    runaway.append((len(rows), i, len(cell.splitlines())))
    except csv.Error as exc:
        row_number = len(rows) + 1
        if "field limit" in str(exc):
            raise limits.breach(file, "cell_chars",
                                f"a cell of more than {csv.field_size_limit():,} characters",
                                row=row_number) from None
        raise InputError([Problem(file, row_number, None,
                                  f"not a readable CSV ({exc}), expected comma-, semicolon- or "
                                  "tab-separated text")]) from None
    if runaway:
        raise InputError([_runaway_problem(rows, kind, wanted, file, *r) for r in runaway])
    return rows


def _holds_rows(cell: str, delimiter: str, width: int) -> bool:
    """A cell whose later lines hold as many separators as a row: a quote left open."""
    need = max(width - 1, 1)
    return any(line.count(delimiter) >= need for line in cell.splitlines()[1:])


def _runaway_problem(rows: list[list], kind: str, wanted: dict[str, str], file: str,
                     row: int, column: int, lines: int) -> Problem:
    header_row, header = _header_of(rows[:row], kind, wanted)
    name = (_header_text(header[column], column) if row > header_row and column < len(header)
            else f"column {_letter(column + 1)}")
    return Problem(file, row, name,
                   f"a quote (\") opens a cell that runs on over {lines} lines, which look like "
                   "rows of their own, expected the quote to close in the same cell: "
                   "is a closing quote missing?")


def _line_bound() -> int:
    """The most characters one line can hold within the column and cell limits (every
    cell quoted, its quotes doubled, and a separator after it)."""
    return limits.limit("columns") * (2 * limits.limit("cell_chars") + 3)


def _checked_lines(text: str, file: str):
    """The lines of a text for csv.reader; a line longer than any row within the limits
    is refused before it is split into cells."""
    bound = _line_bound()
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > bound:
            raise _long_line(line, number, file, complete=True)
        yield line


def _long_line(line: str, number: int, file: str, complete: bool) -> InputError:
    """A line too long for the limits: too many cells, or a cell too long."""
    more = "" if complete else " or more"
    cells = max(line.count(d) for d in ",;\t") + 1
    if cells > limits.limit("columns"):
        return limits.breach(file, "columns", f"line {number} holds {cells:,} cells{more}",
                             row=number)
    return limits.breach(file, "cell_chars",
                         f"line {number} is {len(line):,} characters long{more} and holds a cell "
                         f"of more than {limits.limit('cell_chars'):,} characters", row=number)


def _head_text(head: bytes, whole: bool, file: str) -> str | None:
    """The first megabytes of a text file as text; None when they are not valid in their
    encoding (the whole file is then read, and the bad byte shown with its line)."""
    try:
        encoding = _text_encoding(head, file)
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
    except UnicodeDecodeError:
        return None
    text = text.lstrip("\ufeff")
    if _control_share(text[:10000]) > 0.01:
        raise _binary(file)
    return text


def _line_problem(text: str, whole: bool, file: str, delimiter: str | None = None
                  ) -> InputError | None:
    """A line of `text` longer than any row within the limits, or (with its `delimiter`,
    and no quote to hide one) holding more cells than the column limit."""
    bound, most_columns = _line_bound(), limits.limit("columns")
    if max(map(len, text.split("\n"))) <= most_columns:  # at C speed: the usual answer
        return None
    start = 0
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        start += len(line)
        more = "" if whole or start < len(text) else " or more"
        if len(line) > bound:
            return _long_line(line, number, file, complete=not more)
        if delimiter and len(line) > most_columns and '"' not in line \
                and line.count(delimiter) >= most_columns:
            return limits.breach(file, "columns",
                                 f"line {number} holds {line.count(delimiter) + 1:,} cells{more}",
                                 row=number)
    return None


def _head_problems(head: bytes, whole: bool, kind: str, mapping: dict[str, str], file: str
                   ) -> InputError | None:
    """What the first megabytes of a text file already show, before it is read whole.

    A line too long for the limits; or, when none of the top rows could be a
    header (nothing in them names a column of any kind), the missing columns,
    which is all reading the whole file would say. None: read it whole.
    """
    text = _head_text(head, whole, file)
    if text is None:
        return None
    wanted = {schema.header_key(v): k for k, v in mapping.items()}
    delimiter = _delimiter(text, kind, wanted)
    if problem := _line_problem(text, whole, file, delimiter):
        return problem
    if whole:
        return None
    lines = _CountingLines(text)
    top: list[tuple[int, list]] = []
    try:
        for number, row in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
            if lines.used >= len(text):
                return None  # the row may run on past the head
            if any(not _is_blank(c) for c in row):
                top.append((number, row))
                if len(top) >= HEADER_SEARCH_ROWS:
                    break
    except csv.Error:
        return None
    if len(top) < HEADER_SEARCH_ROWS or any(_header_score(r, kind, wanted) >= 2 for _, r in top):
        return None
    header_row, cells = top[0]
    header = [_header_text(c, i) for i, c in enumerate(cells)]
    if any(schema.is_known_header(h) for h in header):
        return None
    _, problems = _map_columns(header, kind, mapping, file, header_row)
    return InputError(problems) if problems else None


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


def _csv_grid_fast(data: bytes, kind: str, wanted: dict[str, str], file: str
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
    if len(header_cells) > limits.limit("columns"):
        raise limits.breach(file, "columns", f"{len(header_cells):,} cells", row=header_row)
    table = _arrow_csv(data, start + len(head[:used].encode("utf-8")), delimiter,
                       len(header_cells))
    if table is None or table.num_rows == 0:
        return None
    if header_row + table.num_rows > limits.limit("rows"):
        raise limits.breach(file, "rows", f"{header_row + table.num_rows:,} rows")
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
    quoted = data.find(b'"', offset) >= 0
    try:
        table = arrow_csv.read_csv(
            arrow.BufferReader(arrow.py_buffer(data)[offset:]),
            read_options=arrow_csv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=arrow_csv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                newlines_in_values=quoted, ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(
                column_types={n: arrow.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False, check_utf8=True),
        )
    except MemoryError:
        raise
    except (arrow.ArrowException, ValueError):
        return None
    limit = csv.field_size_limit()
    for column in table.columns:  # csv.reader refuses a cell over its limit
        longest = pc.max(pc.utf8_length(column)).as_py() if len(column) else 0
        if longest is not None and longest > limit:
            return None
        # a cell over several lines: the general reader tells one from a quote left open
        if quoted and len(column) and pc.any(pc.match_substring_regex(column, "[\\r\\n]")).as_py():
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
