"""Dates written at a grain coarser than a day, and the days such parts stand for.

`2023-08`, `08/2023`, `8/2023`, `Tháng 8/2023`, `T8/2023` are months; `Q3/2023`,
`Quý 3/2023`, `Quý III/2023` quarters; `2023-W31` an ISO week. The date is the
first day of the period (a week's Monday).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from analysis.inputs.problems import FIRST_YEAR, LAST_YEAR, quote
from analysis.inputs.schema import fold_accents

BOUNDS = {"year": (FIRST_YEAR, LAST_YEAR), "month": (1, 12), "day": (1, 31), "week": (1, 53),
          "quarter": (1, 4)}
EXPECTED = {
    "year": "a four-digit year such as 2023",
    "month": "a month from 1 to 12 (8, 08, T8, Tháng 8, Aug)",
    "day": "a day of the month from 1 to 31",
    "week": "an ISO week from 1 to 53 (31, W31, Tuần 31)",
    "quarter": "a quarter from 1 to 4 (3, Q3, Quý 3, Quý III)",
}
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def date_of(parts: dict[str, int]) -> tuple[dt.date | None, tuple[str, str] | None]:
    year = parts["year"]
    if "week" in parts:
        try:
            return dt.date.fromisocalendar(year, parts["week"], 1), None
        except ValueError:
            return None, ("week", f"{year} has no ISO week {parts['week']}, expected a week from 1 "
                                  f"to {dt.date(year, 12, 28).isocalendar()[1]}")
    if "quarter" in parts:
        return dt.date(year, 3 * parts["quarter"] - 2, 1), None
    month = parts.get("month", 1)
    day = parts.get("day", 1)
    try:
        return dt.date(year, month, day), None
    except ValueError:
        return None, ("day", f"{day}/{month}/{year} is not a real date, expected a day of that month")



_MONTH_TEXT = (
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})", re.ASCII),
    re.compile(r"(?:(?:thang|thg|th|t)\s*)?(?P<m>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})", re.ASCII),
)
_QUARTER_TEXT = re.compile(r"(?:quy|q)\s*(?P<q>[1-4]|i{1,3}|iv)\s*[-/.]?\s*(?P<y>\d{4})", re.ASCII)
_YEAR_QUARTER = re.compile(r"(?P<y>\d{4})\s*[-/.]?\s*(?:quy|q)\s*(?P<q>[1-4]|i{1,3}|iv)", re.ASCII)
_WEEK_TEXT = re.compile(r"(?P<y>\d{4})\s*-?\s*w(?P<w>\d{1,2})", re.ASCII)


def period_date(text: str) -> tuple[pd.Timestamp | None, str | None, str | None]:
    """(first day, grain, error) of a date written at a month, quarter or week grain;
    (None, None, None) when the text is not written so (a day, or not a date)."""
    key = fold_accents(text).casefold().strip()
    parts = None
    for pattern in _MONTH_TEXT:
        if m := pattern.fullmatch(key):
            parts, grain = {"year": int(m["y"]), "month": int(m["m"])}, "month"
            break
    else:
        if m := (_QUARTER_TEXT.fullmatch(key) or _YEAR_QUARTER.fullmatch(key)):
            q = ROMAN.get(m["q"]) or int(m["q"])
            parts, grain = {"year": int(m["y"]), "quarter": q}, "quarter"
        elif m := _WEEK_TEXT.fullmatch(key):
            parts, grain = {"year": int(m["y"]), "week": int(m["w"])}, "week"
    if parts is None:
        return None, None, None
    for role, number in parts.items():
        low, high = BOUNDS[role]
        if not low <= number <= high:
            return None, grain, f"{quote(text)} has no {role} {number}, expected {EXPECTED[role]}"
    day, error = date_of(parts)
    if error:
        return None, grain, f"{quote(text)}: {error[1]}"
    return pd.Timestamp(day), grain, None


def text_grain(uniques: list) -> str | None:
    """The grain every given text of a date column is written at (month, quarter, week);
    None when any is a day or not a text."""
    grains = set()
    for value in uniques:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        if not isinstance(value, str) or not value.strip():
            continue
        _, grain, _ = period_date(value.strip())
        if grain is None:
            return None
        grains.add(grain)
    return grains.pop() if len(grains) == 1 else None
