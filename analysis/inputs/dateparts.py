"""Dates written in parts or at a coarser grain than a day.

- A date column may be mapped to a list of the file's columns: `[year, month]`
  (the first day of the month, month grain), `[year, month, day]`, `[year,
  week]` (ISO weeks, from their Monday), `[year, quarter]` or `[year]`. Which
  column is which is read from its header (year/năm, month/tháng, week/tuần,
  quarter/quý, day/ngày), else from its place in the list (year, month, day);
  a mapping `{"year": "Năm", "week": "Tuần"}` says it outright.
- A single text may be written at its grain: `2023-08`, `08/2023`, `8/2023`,
  `Tháng 8/2023`, `T8/2023` (months), `Q3/2023`, `Quý 3/2023`, `Quý III/2023`
  (quarters), `2023-W31` (ISO weeks). The date is the first day of the period.

The grain of each date column (day, week, month, quarter, year) is kept in
the loaded frame's `attrs["grains"]`, so a report never takes monthly figures
for daily ones.
"""

from __future__ import annotations

import calendar
import re

import numpy as np
import pandas as pd

from analysis.inputs import schema
from analysis.inputs.dateroles import grain_of
from analysis.inputs.periodtext import BOUNDS, EXPECTED, ROMAN, date_of
from analysis.inputs.problems import Problem, _Context, quote
from analysis.inputs.values import encode_values, parse_count

_PREFIX = {"month": r"(?:thang|thg|th|t|m)", "week": r"(?:tuan|week|wk|w)", "quarter": r"(?:quy|quarter|q)"}
_MONTH_NAMES = {name.casefold(): k for k in range(1, 13)
                for name in (calendar.month_name[k], calendar.month_abbr[k])}


def part_name(name: str, role: str) -> str:
    """The column name a part holds until the date is made of it: 'date⟨month⟩'."""
    return f"{name}⟨{role}⟩"


_PART = re.compile(r"^(?P<name>.+)⟨(?P<role>year|month|day|week|quarter)⟩$")


# --------------------------------------------------------------------- making the date


def combine(frame: pd.DataFrame, ctx: _Context) -> tuple[pd.DataFrame, list[Problem], dict[str, str]]:
    """The frame with each date made of its part columns (the parts dropped), the problems
    of parts that cannot be read, and the grain of each date so made."""
    found: dict[str, dict[str, str]] = {}
    for column in frame.columns:
        if m := _PART.match(str(column)):
            found.setdefault(m["name"], {})[m["role"]] = column
    if not found:
        return frame, [], {}
    problems: list[Problem] = []
    grains: dict[str, str] = {}
    out = frame
    for name, parts in found.items():
        numbers = {}
        bad = np.zeros(len(frame), dtype=bool)
        for role, column in parts.items():
            values, errors = _part_values(frame[column], role)
            numbers[role] = values
            for row, message in errors.items():
                problems.append(ctx.problem(row, column, message))
            bad |= frame.index.isin(list(errors))
        dates, errors = _dates(numbers, frame.index, bad)
        for row, (role, message) in errors.items():
            problems.append(ctx.problem(row, parts[role], message))
        out = out.drop(columns=list(parts.values()))
        out[name] = dates
        grains[name] = grain_of(parts)
        ctx.headers.setdefault(name, " + ".join(ctx.header(c) for c in parts.values()))
    return out, problems, grains


def _part_values(series: pd.Series, role: str) -> tuple[np.ndarray, dict[int, str]]:
    """The numbers of a part column (-1 where empty) and an error per row that is not one."""
    codes, uniques = encode_values(series)
    table = np.full(len(uniques) + 1, -1, dtype=np.int64)
    bad: dict[int, str] = {}
    for k, value in enumerate(uniques):
        number, error = _part_number(value, role)
        if error:
            bad[k] = error
        elif number is not None:
            table[k] = number
    errors = {}
    if bad:
        failed = np.isin(codes, list(bad))
        errors = {row: bad[int(code)] for row, code in zip(series.index[failed], codes[failed], strict=True)}
    return table[codes], errors


def _part_number(value: object, role: str) -> tuple[int | None, str | None]:
    if isinstance(value, str):
        text = schema.folded_key(value).replace(".", "")
        if role in _PREFIX and (m := re.fullmatch(_PREFIX[role] + r"?(\d{1,2}|i{1,3}|iv)", text)):
            number = ROMAN.get(m[1]) if role == "quarter" and m[1] in ROMAN else None
            if number is None and m[1].isdigit():
                number = int(m[1])
            if number is not None:
                return _bounded(number, role, value)
        if role == "month" and text in _MONTH_NAMES:
            return _MONTH_NAMES[text], None
    number, error = parse_count(value)
    if error:
        return None, f"{quote(str(value).strip())} is not a {role}, expected {EXPECTED[role]}"
    if number is None:
        return None, None
    return _bounded(number, role, value)


def _bounded(number: int, role: str, value: object) -> tuple[int | None, str | None]:
    low, high = BOUNDS[role]
    if low <= number <= high:
        return number, None
    return None, f"{quote(str(value).strip())} is not a {role}, expected {EXPECTED[role]}"


def _dates(numbers: dict[str, np.ndarray], index: pd.Index, bad: np.ndarray
           ) -> tuple[pd.Series, dict[int, tuple[str, str]]]:
    """Each row's date from its parts (NaT where a part is empty or wrong), and an error per
    row whose parts are numbers but no date (31 February, week 53 of a 52-week year)."""
    roles = list(numbers)
    stack = np.stack([numbers[r] for r in roles], axis=1)
    usable = ~bad & (stack >= 0).all(axis=1)
    out = np.full(len(index), np.datetime64("NaT"), dtype="datetime64[ns]")
    errors: dict[int, tuple[str, str]] = {}
    if usable.any():
        combos, inverse = np.unique(stack[usable], axis=0, return_inverse=True)
        days = np.full(len(combos), np.datetime64("NaT"), dtype="datetime64[ns]")
        wrong: dict[int, tuple[str, str]] = {}
        for k, combo in enumerate(combos):
            day, error = date_of(dict(zip(roles, (int(v) for v in combo), strict=True)))
            if error:
                wrong[k] = error
            else:
                days[k] = np.datetime64(day, "ns")
        out[usable] = days[inverse.ravel()]
        if wrong:
            rows = index[usable]
            for row, k in zip(rows, inverse.ravel(), strict=True):
                if int(k) in wrong:
                    errors[row] = wrong[int(k)]
    return pd.Series(out, index=index), errors
