"""What a report stands on: its input files (kind, rows, sha256) and the software that made it."""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
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
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head == b"PAR1":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if head == b"PK\x03\x04":
            return _xlsx_rows(path)
        return _csv_rows(path.read_bytes())
    except Exception:  # a count is a courtesy: a file the loaders accepted never fails a report here
        return None


def _csv_rows(data: bytes) -> int:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        text = data.decode("utf-8-sig", errors="replace")
    filled = sum(1 for row in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in row))
    return max(filled - 1, 0)


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
