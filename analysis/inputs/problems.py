"""What goes wrong in an input file: `Problem` lines, `InputError`, notes, and their wording helpers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.errors import InputError
from analysis.inputs import schema
from analysis.inputs.schema import KINDS

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
QUOTE_CHARS = 60  # at most this much of a bad value is quoted in a message
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """A value as a message quotes it: repr-style on one line, at most `limit` characters
    of it (then '…' and its length), control characters escaped."""
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    shown = repr(text[:limit - 1])
    return f"{shown[:-1]}…{shown[-1]} ({len(text):,} characters)"


def one_line(text: str) -> str:
    """Text for a message line: every line break shown as \\n."""
    return _LINE_BREAKS.sub(lambda m: repr(m.group())[1:-1], text)


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
        if len(col) > QUOTE_CHARS:
            col = col[:QUOTE_CHARS - 1] + "…"
        return one_line(f"{self.file}:{row}:{col}: {self.message}")


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
