"""Opening an input and finding its table: a regular file, its format by content, then
CSV, XLSX or Parquet, each read within the bounds of `limits`."""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import InputError
from analysis.inputs import limits, schema
from analysis.inputs.header import _grid_from_rows
from analysis.inputs.problems import _fail
from analysis.inputs.read_parquet import _parquet_grid
from analysis.inputs.read_text import _csv_grid_fast, _csv_rows, _head_problems, _head_text, _line_problem
from analysis.inputs.read_xlsx import _xlsx_rows

# ------------------------------------------------------------- reading bytes

_MAGIC = {
    b"PAR1": "parquet",
    b"PK\x03\x04": "xlsx",
    b"\xd0\xcf\x11\xe0": "xls",
}
HEAD_BYTES = 8 * 2**20  # what is looked at before a text file is read whole
_NOT_REGULAR = [
    (stat.S_ISDIR, "is a folder"),
    (stat.S_ISFIFO, "is a named pipe (FIFO)"),
    (stat.S_ISCHR, "is a device"),
    (stat.S_ISBLK, "is a device"),
    (stat.S_ISSOCK, "is a socket"),
]


class Source:
    """An input file checked to be a regular file within the byte limit; its first bytes read."""

    def __init__(self, path: Path, file: str):
        limits.check_settings()
        self.path, self.file = path, file
        self.size = _regular_size(path, file)
        self.head = self._read(HEAD_BYTES)
        self.whole = len(self.head) < HEAD_BYTES or len(self.head) == self.size
        if not _FILLED_BYTE.search(self.head) and self.whole:
            raise _fail(file, "empty file, expected a header row and data rows")

    def _read(self, most: int) -> bytes:
        """Up to `most` bytes from the start, opened without blocking and checked again once
        open (the path may have been swapped for a pipe since it was looked at)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise _unreadable(self.file, exc) from None
        with open(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise _fail(self.file, "is not a regular file, expected a CSV, XLSX or Parquet file")
            return handle.read(most)

    def data(self) -> bytes:
        """Every byte of the file (a file that grew past the byte limit meanwhile is refused)."""
        if self.whole:
            return self.head
        bound = limits.limit("bytes")
        data = self._read(bound + 1)
        if len(data) > bound:
            raise limits.breach(self.file, "bytes", f"more than {bound:,} bytes")
        if not _FILLED_BYTE.search(data):
            raise _fail(self.file, "empty file, expected a header row and data rows")
        return data


def _regular_size(path: Path, file: str) -> int:
    """The size of a regular file (or of the one a link leads to), or a one-line refusal.

    Nothing is opened here: a pipe or a device is refused by what `stat` says of it.
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise _fail(file, "file not found, expected an existing CSV, XLSX or Parquet file") from None
    except OSError as exc:
        raise _unreadable(file, exc) from None
    for test, what in _NOT_REGULAR:
        if test(info.st_mode):
            raise _fail(file, f"{what}, expected a CSV, XLSX or Parquet file")
    if not stat.S_ISREG(info.st_mode):
        raise _fail(file, "is not a regular file, expected a CSV, XLSX or Parquet file")
    if not _lands_near(path):
        raise _fail(file, "is a link to a file outside its own folder and the project, expected "
                    "the file itself: give its real path or copy it here")
    if info.st_size > limits.limit("bytes"):
        raise limits.breach(file, "bytes", f"the file holds {info.st_size:,} bytes")
    return info.st_size


def _lands_near(path: Path) -> bool:
    """A path leads to a file in its own folder or in the project (links are followed)."""
    target = path.resolve()
    return any(target.is_relative_to(place) for place in (path.parent.resolve(), config.ROOT))


def _unreadable(file: str, exc: OSError) -> InputError:
    return _fail(file, f"cannot be read ({exc.strerror or type(exc).__name__}), "
                 "expected a file you may read")


def file_problem(path: Path) -> str | None:
    """Why `path` cannot be an input of any kind, or None: not found, a folder or a pipe
    (nothing is opened then), past the byte limit, or a text whose first megabytes hold
    a line longer than any row within the limits (which no reader should be given)."""
    try:
        source = Source(path, str(path))
        if _format_of(source.head) == "text":
            text = _head_text(source.head, source.whole, str(path))
            if text is not None and (problem := _line_problem(text, source.whole, str(path))):
                raise problem
    except InputError as exc:
        return exc.problems[0].message
    return None


# a byte that is neither white space, NUL nor part of a UTF-8 or UTF-16 byte-order mark
_FILLED_BYTE = re.compile(b"[^" + re.escape(b" \t\r\n\x00" + codecs.BOM_UTF8 + codecs.BOM_UTF16_LE)
                          + b"]")


def _format_of(data: bytes) -> str:
    return next((fmt for magic, fmt in _MAGIC.items() if data.startswith(magic)), "text")


def _read_grid(
    source: Source, kind: str, mapping: dict[str, str], file: str
) -> tuple[int, list[str], pd.DataFrame]:
    """(header row number, header texts, body with row-number index) of any format.

    `mapping` is the user's {canonical_name: header in the file}."""
    wanted = {schema.header_key(v): k for k, v in mapping.items()}
    fmt = _format_of(source.head)
    if fmt == "xls":
        raise _fail(file, "an old Excel 97-2003 workbook (.xls), expected .xlsx, CSV or "
                    "Parquet: open it in Excel and save it as .xlsx")
    if fmt == "parquet":
        return _parquet_grid(source.path, file)
    if fmt == "xlsx":
        return _grid_from_rows(_xlsx_rows(source.path, kind, wanted, file), kind, wanted, file)
    # text: what the first megabytes show (a line too long, no header at all) is said
    # before the file is read whole
    problems = _head_problems(source.head, source.whole, kind, mapping, file)
    if problems:
        raise problems
    data = source.data()
    if (fast := _csv_grid_fast(data, kind, wanted, file)) is not None:
        return fast
    return _grid_from_rows(_csv_rows(data, kind, wanted, file), kind, wanted, file)
