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
from analysis.inputs.header import _header_score, _header_text
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
