"""XLSX workbooks, read within bounds: the zip directory first, then the strings and
sheets streamed, each row only as wide as its last filled cell.

openpyxl's own read-only worksheet is not used: it makes every row as wide as
the widest (16,384 cells for one cell in column XFD), and, when a sheet states
no size, parses the whole sheet just to measure it. The parts openpyxl reads
well (content types, workbook, styles) it still reads; its streaming cell
parser (`WorkSheetParser`, of the pinned openpyxl) reads the rows.
"""

from __future__ import annotations

import itertools
import warnings
import zipfile
from pathlib import Path

from analysis.errors import InputError, WorkbookError
from analysis.inputs import limits
from analysis.inputs.guards import UncachedFormula
from analysis.inputs.header import _header_score, _letter
from analysis.inputs.problems import HEADER_SEARCH_ROWS, _fail, one_line

XLSX_LAST_ROW = 1_048_576  # the last row a sheet can have
# The fewest bytes of sheet a cell that uses a shared string takes: <c t="s"><v>0</v></c>
# less a little. A table of more strings than that is not one a spreadsheet saved.
SHEET_BYTES_PER_STRING = 16
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _xlsx_rows(path: Path, kind: str, wanted: dict[str, str], file: str) -> list[list]:
    """Cell values of the first sheet that holds the kind's header (else the first sheet)."""
    sheet_bytes = _check_parts(path, file)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            book = _Book(path, file, sheet_bytes)
            try:
                rows = _pick_sheet(book, kind, wanted)
            finally:
                book.close()
    except (WorkbookError, MemoryError):
        raise
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise _unreadable(file, exc) from None
    if rows is None:
        raise _fail(file, "the workbook has no sheet, expected one")
    return rows


def _unreadable(file: str, exc: BaseException) -> InputError:
    return _fail(file, f"not a readable Excel workbook ({_said(exc)}), "
                 "expected an .xlsx file saved by Excel or LibreOffice")


def _said(exc: BaseException) -> str:
    """What an exception says, on one short line."""
    text = one_line(" ".join(str(exc).split()))
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"


def _check_parts(path: Path, file: str) -> int:
    """The zip directory, read before any part is opened: the number of parts, their
    size once unzipped, and how much each grows. Returns the bytes of the sheets."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(file, exc) from None
    if len(parts) > limits.limit("xlsx_parts"):
        raise limits.breach(file, "xlsx_parts", f"the workbook holds {len(parts):,} parts")
    unzipped = sum(p.file_size for p in parts)
    if unzipped > limits.limit("xlsx_bytes"):
        raise limits.breach(file, "xlsx_bytes", f"the workbook unzips to {unzipped:,} bytes")
    ratio = limits.limit("xlsx_ratio")
    for part in parts:
        grows = part.file_size / max(part.compress_size, 1)
        if part.file_size > limits.RATIO_FLOOR_BYTES and grows > ratio:
            raise limits.breach(file, "xlsx_ratio",
                                f"the part {part.filename[:60]} grows {grows:,.0f} times when unzipped")
    return sum(p.file_size for p in parts if "worksheets/" in p.filename)


class _Book:
    """What rows need of a workbook: its sheets, shared strings and date styles."""

    def __init__(self, path: Path, file: str, sheet_bytes: int):
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
        from openpyxl.xml.constants import SHARED_STRINGS

        self.file = file
        self.reader = ExcelReader(path, read_only=True, data_only=True)
        self.reader.read_manifest()
        strings = self.reader.package.find(SHARED_STRINGS)
        self.strings: list[str] = []
        if strings is not None:
            with self.reader.archive.open(strings.PartName[1:]) as source:
                self.strings = _shared_strings(source, sheet_bytes // SHEET_BYTES_PER_STRING, file)
        self.reader.read_workbook()
        apply_stylesheet(self.reader.archive, self.reader.wb)
        self.sheets = [rel.target for _, rel in self.reader.parser.find_sheets()
                       if rel.target in self.reader.valid_files and "chartsheet" not in rel.Type]

    def rows(self, sheet: str):
        return _sheet_rows(self, sheet)

    def close(self) -> None:
        self.reader.archive.close()


def _shared_strings(source, most: int, file: str) -> list[str]:
    """The shared-strings table, as openpyxl reads it, refused once it holds more
    strings than the sheets have room to use."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.functions import iterparse

    strings: list[str] = []
    for _, node in iterparse(source):
        if node.tag == f"{_MAIN}si":
            strings.append(Text.from_tree(node).content.replace("x005F_", ""))
            node.clear()
            if len(strings) > most:
                raise _fail(file, f"the workbook's table of shared texts holds more than {most:,} "
                            "texts, more than its sheets have room to use, expected a workbook "
                            "saved by Excel or LibreOffice")
    return strings


def _pick_sheet(book: _Book, kind: str, wanted: dict[str, str]) -> list[list] | None:
    """Rows of the first sheet whose top rows hold the kind's header, else of the first sheet."""
    for sheet in book.sheets:
        top = itertools.islice(book.rows(sheet), HEADER_SEARCH_ROWS)
        if any(_header_score(r, kind, wanted) >= 2 for r in top):
            return list(book.rows(sheet))
    if not book.sheets:
        return None
    return list(book.rows(book.sheets[0]))


def _sheet_rows(book: _Book, sheet: str):
    """The rows of a sheet as lists of values, each as wide as its last filled cell.

    A cell right of the column limit, or a row below the row limit, is refused as
    soon as it is met. A formula cell without a saved result comes as an
    `UncachedFormula`, which the value parsers refuse.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and cell["data_type"] not in ("str", "s", "inlineStr"):
                formula = element.find(f"{_MAIN}f")
                if formula is not None:
                    cell["value"] = UncachedFormula("=" + (formula.text or ""))
            return cell

    file = book.file
    most_columns, most_rows = limits.limit("columns"), min(limits.limit("rows"), XLSX_LAST_ROW)
    wb = book.reader.wb
    with book.reader.archive.open(sheet) as source:
        parser = Parser(source, book.strings, data_only=True, epoch=wb.epoch,
                        date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        expected = 1
        for number, cells in parser.parse():
            if number < expected:
                continue  # a row given twice: openpyxl keeps the first
            if number > most_rows:
                if number > XLSX_LAST_ROW:
                    raise _fail(file, f"row {number:,} is past the last row of an xlsx sheet "
                                f"({XLSX_LAST_ROW:,}), expected a workbook saved by Excel or "
                                "LibreOffice")
                raise limits.breach(file, "rows", f"the sheet has a row {number:,}")
            for _ in range(expected, number):
                yield ()
            expected = number + 1
            filled = {c["column"]: c["value"] for c in cells if c["value"] is not None}
            if not filled:
                yield ()
                continue
            last = max(filled)
            if last > most_columns:
                raise limits.breach(file, "columns", f"a cell in column {_letter(last)} (the {last:,}th)",
                                    row=number, column=f"column {_letter(last)}")
            row = [None] * last
            for column, value in filled.items():
                row[column - 1] = value
            yield row
