"""What a report stands on: its input files (kind, rows, sha256) and the software that made it."""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import hashlib
import sys
from pathlib import Path

# A report's key figures and what they stand on (written by the Recorder, read by the index and summary).
METRICS_FILE = "metrics.json"
# The packages whose versions a report names (metrics.json meta.versions and the appendix).
VERSIONED = ("pandas", "numpy", "matplotlib", "seaborn", "papermill", "scipy", "statsmodels")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """Python's version and those of the packages in VERSIONED that are installed."""
    import importlib.metadata as md

    found = {"python": sys.version.split()[0]}
    for name in VERSIONED:
        with contextlib.suppress(md.PackageNotFoundError):
            found[name] = md.version(name)
    return found


def data_kind(kinds: list[str]) -> str:
    """'real', 'simulated' or 'mixed' for the kinds of a report's inputs (published counts as real)."""
    found = set(kinds)
    if found == {"simulated"}:
        return "simulated"
    if "simulated" in found:
        return "mixed"
    return "real"


def kind_set(kinds: list[str]) -> str:
    """Which banner a report's inputs call for: the kinds present, in a fixed order, joined by '_'.

    'published', 'real', 'published_real', 'simulated', 'published_simulated',
    'real_simulated', 'published_real_simulated', or 'none' when nothing was read.
    """
    found = set(kinds)
    return "_".join(k for k in ("published", "real", "simulated") if k in found) or "none"


def rows_in_file(path: Path) -> int | None:
    """Data rows in an input file, counted cheaply (the header row not counted); None if unknown.

    CSV: records with any filled cell, less the header; XLSX: the first sheet's
    filled rows, less the header; Parquet: the row count its footer states.
    """
    try:
        from analysis.inputs import limits

        if path.stat().st_size > limits.limit("bytes"):
            return None  # the loaders refuse it before reading it: it is not read here either
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head == b"PAR1":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if head == b"PK\x03\x04":
            return _xlsx_rows(path)
        filled = _plain_csv_records(path)
        if filled is None:
            filled = _csv_records(path, "utf-16" if head.startswith(_UTF16) else "utf-8-sig")
        return max(filled - 1, 0)
    except Exception:  # a count is a courtesy: a file the loaders accepted never fails a report here
        return None


_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BLOCK = 1 << 24
_LINE = 1 << 24  # the longest line the streamed count reads (characters)
# The characters str.strip() removes (str.isspace), as UTF-8; tests/unit/test_report_layout.py
# checks the list against Python's own. A line of these and commas is a record with no filled cell.
_SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
           "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_FEW_QUOTED = 1000  # lines with a quote in a block read one by one; more: the csv module reads the file


@functools.cache
def _blank():
    """A line with no filled cell (only commas and spaces), found after the end of the line before."""
    import re

    inline = [c for c in _SPACES if c not in "\r\n"]
    alternatives = "|".join(re.escape(c.encode("utf-8")).decode("latin-1") for c in [",", *inline])
    return re.compile(f"\n(?:{alternatives})*\r?(?=\n)".encode("latin-1"))


def _plain_csv_records(path: Path) -> int | None:
    """Records with a filled cell, counted on the bytes, block by block, in bounded memory: a
    line is a record unless a quoted cell spans lines. None when the file is not plain that way
    (UTF-16, a line with an odd number of quotes, a line ended by a lone carriage return, many
    quoted lines), for `_csv_records` to count. On a plain file both give the csv module's count."""
    filled = 0
    with open(path, "rb") as fh:
        rest = fh.read(4)
        if rest.startswith(_UTF16):
            return None
        rest = rest.removeprefix(codecs.BOM_UTF8)
        for block in iter(lambda: fh.read(_BLOCK), b""):
            data = rest + block
            cut = data.rfind(b"\n") + 1
            lines, rest = data[:cut], data[cut:]
            if len(rest) > _BLOCK:
                return None  # a line longer than a block: the csv module's cell limit decides
            count = _plain_lines(lines)
            if count is None:
                return None
            filled += count
    if not rest:
        return filled
    count = _plain_lines(rest + b"\n")
    return None if count is None else filled + count


def _plain_lines(lines: bytes) -> int | None:
    """Filled records among whole lines (None: not plain); a line with quotes is read by csv."""
    if b"\r" in lines and lines.count(b"\r") != lines.count(b"\r\n"):
        return None
    with_quotes, at = [], lines.find(b'"')
    while at >= 0:
        if len(with_quotes) == _FEW_QUOTED:
            return None
        first, end = lines.rfind(b"\n", 0, at) + 1, lines.find(b"\n", at) + 1
        line = lines[first:end]
        if line.count(b'"') % 2:
            return None  # a quoted cell goes on to the next line, or a stray quote
        with_quotes.append(line.decode("utf-8", errors="replace").rstrip("\r\n"))
        at = lines.find(b'"', end)
    quoted_filled = sum(1 for row in csv.reader(with_quotes) if any(c.strip() for c in row))
    blank = len(_blank().findall(b"\n" + lines))  # a line with a quote is never one of these
    return lines.count(b"\n") - blank - len(with_quotes) + quoted_filled


def _csv_records(path: Path, encoding: str) -> int:
    """Records with a filled cell, as the csv module reads the file, streamed; a line longer
    than `_LINE` is a ValueError (no count), not a line read whole into memory."""
    with open(path, encoding=encoding, errors="replace", newline="") as fh:

        def lines():
            while line := fh.readline(_LINE):
                if len(line) == _LINE and not line.endswith(("\n", "\r")):
                    raise ValueError(f"a line of more than {_LINE} characters")
                yield line

        return sum(1 for row in csv.reader(lines()) if any(c.strip() for c in row))


def _xlsx_rows(path: Path) -> int:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        filled = sum(1 for row in sheet.iter_rows(values_only=True) if any(v not in (None, "") for v in row))
    finally:
        book.close()
    return max(filled - 1, 0)
