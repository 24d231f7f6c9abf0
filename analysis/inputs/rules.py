"""The rules every loaded frame obeys: the schema's column checks and the cross-column rules.

The column checks run as a pandera schema, built here from `schema`'s columns. pandera
is imported when a frame is checked, not with the package: a large visits file read by
DuckDB (inputs/engine.py) is checked in SQL and never needs it.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.inputs import schema
from analysis.inputs.header import _missing_message
from analysis.inputs.problems import Problem, _Context, _fmt_date, quote
from analysis.inputs.schema import EXPECTED, TEXT, YEAR

if TYPE_CHECKING:
    import pandera.pandas as pa

# ------------------------------------------------------------------- the pandera schema


def _column_schema(col: schema.Column) -> pa.Column:
    import pandera.pandas as pa

    # the check's name is its rule, which the loader words for the reader
    checks = []
    if col.type == schema.COUNT:
        checks.append(pa.Check.ge(0, name="not_negative", error=f"{col.name} must be >= 0"))
    if col.type == schema.YEAR:
        checks.append(pa.Check.in_range(schema.FIRST_YEAR, 2100, name="year",
                                        error=f"{col.name} must be a year"))
    if col.allowed:
        checks.append(pa.Check.isin(col.allowed, name="allowed",
                                    error=f"{col.name} must be one of {', '.join(col.allowed)}"))
    # text is checked as the loader holds it, a categorical or Python strings: it makes
    # every text column itself, so only the values' rules are checked here
    dtype = None if col.type == schema.TEXT else schema.DTYPES[col.type]
    return pa.Column(dtype, checks, required=col.required, nullable=col.nullable, name=col.name)


@cache
def frame_schema(kind: str) -> pa.DataFrameSchema:
    """The pandera schema of a parsed frame of `kind`: its columns' checks (extra columns
    allowed). The checks across columns (`schema.frame_rules`) are not in it: the loader
    runs those itself, since pandera's report of a frame-wide check costs milliseconds a
    failing row."""
    import pandera.pandas as pa

    return pa.DataFrameSchema({c.name: _column_schema(c) for c in schema.COLUMNS[kind]},
                              strict=False, name=kind)


# ------------------------------------------------------------------- the rules


def _rule_problems(frame: pd.DataFrame, ctx: _Context) -> list[Problem]:
    """Run the kind's pandera schema lazily, then the checks across columns; each failure
    worded as a Problem. Every check runs on whole columns at once, and so does the
    wording of its failures: 100,000 repeated rows are said in a fraction of a second."""
    import pandera.pandas as pa

    problems = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pandera's concat of empty cases
            # inplace: no copy of a ten-million-row frame (nothing is coerced, so nothing changes)
            frame_schema(ctx.kind).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        for err in exc.schema_errors:
            problems += _explain(err, frame, ctx)
    for rule in schema.frame_rules(ctx.kind):
        ok = np.asarray(rule.fn(frame), dtype=bool)
        if not ok.all():
            problems += _FRAME_RULES[rule.rule](frame, list(frame.index[~ok]), rule.stats, ctx)
    return problems


def _failed_rows(err: pa.errors.SchemaError) -> list[tuple[int, object]]:
    cases = err.failure_cases
    if not isinstance(cases, pd.DataFrame) or "index" not in cases:
        return []
    if "column" in cases:  # a frame-wide check lists every column of a failing row
        cases = cases.drop_duplicates("index")
    return [(int(i), v) for i, v in zip(cases["index"], cases["failure_case"], strict=True)
            if i is not None and not pd.isna(i)]


def _explain(err: pa.errors.SchemaError, frame: pd.DataFrame, ctx: _Context) -> list[Problem]:
    import pandera.pandas as pa

    reason = getattr(err.reason_code, "name", str(err.reason_code))
    name = err.schema.name if isinstance(err.schema, pa.Column) else None
    stats = getattr(err.check, "statistics", None) or {}
    rule = getattr(err.check, "name", None)
    if reason == "COLUMN_NOT_IN_DATAFRAME":
        missing = str(err.failure_cases)
        return [ctx.problem(None, None, _missing_message(missing, ctx.kind, None))]
    if reason == "SERIES_CONTAINS_NULLS":
        return [ctx.problem(row, name, _empty_message(ctx.kind, name))
                for row, _ in _failed_rows(err)]
    if rule in _COLUMN_RULES:
        return [ctx.problem(row, name, _COLUMN_RULES[rule](value, name, stats))
                for row, value in _failed_rows(err)]
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
    return f"{quote(value)} is not a valid {name.replace('_', ' ')}, expected {hint}"


_COLUMN_RULES = {"not_negative": _not_negative, "year": _year, "allowed": _allowed}


def _values(frame: pd.DataFrame, rows: list, name: str) -> list:
    """The cells of column `name` in `rows`, as one list (no lookup a row)."""
    return frame[name].reindex(rows).tolist()


def _order(frame, rows, stats, ctx) -> list[Problem]:
    small, big = stats["small"], stats["big"]
    return [ctx.problem(row, small,
                        f"{a} is more than {ctx.header(big)} ({b}), expected {small} ≤ {big}")
            for row, a, b in zip(rows, _values(frame, rows, small), _values(frame, rows, big),
                                 strict=True)]


def _breakdown(frame, rows, stats, ctx) -> list[Problem]:
    problems = []
    for total, parts in schema.breakdown_groups(frame, ctx.kind):
        added = frame.loc[rows, parts].sum(axis=1, min_count=1)
        over = (added > frame.loc[rows, total]).fillna(False).astype(bool)
        names = " + ".join(ctx.header(p) for p in parts)
        for row, sum_, given in zip(added.index[over], added[over].tolist(),
                                    frame.loc[rows, total][over].tolist(), strict=True):
            problems.append(ctx.problem(row, total,
                                        f"{names} = {sum_} is more than {given}, "
                                        f"expected the breakdown not to exceed {total}"))
    return problems


def _repeated(frame, rows, stats, ctx) -> list[Problem]:
    keys = schema.key_columns(frame, ctx.kind)
    # each row's key as a group number; of each group the position of its first row
    groups = frame.groupby(keys, sort=False, dropna=False, observed=True).ngroup().to_numpy()
    _, first = np.unique(groups, return_index=True)
    where = frame.index.get_indexer(rows)
    firsts = frame.index.to_numpy()[first[groups[where]]].tolist()
    same = ", ".join(ctx.header(k) for k in keys)
    expected = f"expected one row per {' + '.join(keys)}"
    column = ctx.header(keys[0])
    return _region_hint(frame, keys, ctx) + [
        Problem(ctx.file, row, column, f"repeats row {earlier} (same {same}), {expected}")
        for row, earlier in zip(rows, firsts, strict=True)]


def _region_hint(frame: pd.DataFrame, keys: list[str], ctx: _Context) -> list[Problem]:
    """When a time series' dates repeat and a text column no alias named would tell the rows
    apart, one line naming it: it is most likely the region."""
    if ctx.kind != "timeseries" or "region" in frame or keys != ["date"]:
        return []
    for name in frame.columns:
        if schema.column(ctx.kind, name) is not None or pd.api.types.is_numeric_dtype(frame[name]):
            continue
        if frame[name].notna().all() and not frame[["date", name]].duplicated().any():
            header = ctx.header(name)
            return [Problem(ctx.file, None, header,
                            f"dates repeat, and column {quote(header)} tells the rows apart: if it "
                            f'holds the regions, map it: {{"region": "{header}"}}')]
    return []


def _date_order(frame, rows, stats, ctx) -> list[Problem]:
    return [ctx.problem(row, "end_date",
                        f"{_fmt_date(end)} is before the start {_fmt_date(start)}, "
                        "expected start_date ≤ end_date")
            for row, end, start in zip(rows, _values(frame, rows, "end_date"),
                                       _values(frame, rows, "start_date"), strict=True)]


def _born_after_visit(frame, rows, stats, ctx) -> list[Problem]:
    return [ctx.problem(row, "birth_year",
                        f"{year} is after the visit on {_fmt_date(day)}, expected a birth year "
                        "before the visit")
            for row, year, day in zip(rows, _values(frame, rows, "birth_year"),
                                      _values(frame, rows, "visit_date"), strict=True)]


_FRAME_RULES = {
    "order": _order,
    "breakdown": _breakdown,
    "repeated": _repeated,
    "date_order": _date_order,
    "born_after_visit": _born_after_visit,
}
