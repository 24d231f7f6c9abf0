"""The rules every loaded frame obeys: the schema's column checks and the cross-column rules."""

from __future__ import annotations

import warnings

import pandas as pd
import pandera.pandas as pa

from analysis.inputs import schema
from analysis.inputs.header import _missing_message
from analysis.inputs.problems import Problem, _Context, _fmt_date
from analysis.inputs.schema import EXPECTED, TEXT, YEAR

# ------------------------------------------------------------------- the rules


def _rule_problems(frame: pd.DataFrame, ctx: _Context) -> list[Problem]:
    """Run the kind's pandera schema lazily; each failure worded as a Problem."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pandera's concat of empty cases
            # inplace: no copy of a ten-million-row frame (nothing is coerced, so nothing changes)
            schema.frame_schema(ctx.kind).validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        problems = []
        for err in exc.schema_errors:
            problems += _explain(err, frame, ctx)
        return problems
    return []


def _failed_rows(err: pa.errors.SchemaError) -> list[tuple[int, object]]:
    cases = err.failure_cases
    if not isinstance(cases, pd.DataFrame) or "index" not in cases:
        return []
    if "column" in cases:  # a frame-wide check lists every column of a failing row
        cases = cases.drop_duplicates("index")
    return [(int(i), v) for i, v in zip(cases["index"], cases["failure_case"], strict=True)
            if i is not None and not pd.isna(i)]


def _explain(err: pa.errors.SchemaError, frame: pd.DataFrame, ctx: _Context) -> list[Problem]:
    reason = getattr(err.reason_code, "name", str(err.reason_code))
    name = err.schema.name if isinstance(err.schema, pa.Column) else None
    stats = getattr(err.check, "statistics", None) or {}
    rule = stats.get("rule") or getattr(err.check, "name", None)
    if reason == "COLUMN_NOT_IN_DATAFRAME":
        missing = str(err.failure_cases)
        return [ctx.problem(None, None, _missing_message(missing, ctx.kind, None))]
    if reason == "SERIES_CONTAINS_NULLS":
        return [ctx.problem(row, name, _empty_message(ctx.kind, name))
                for row, _ in _failed_rows(err)]
    if rule in _COLUMN_RULES:
        return [ctx.problem(row, name, _COLUMN_RULES[rule](value, name, stats))
                for row, value in _failed_rows(err)]
    if rule in _FRAME_RULES:
        return _FRAME_RULES[rule](frame, [row for row, _ in _failed_rows(err)], stats, ctx)
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
    return f"{value!r} is not a valid {name.replace('_', ' ')}, expected {hint}"


_COLUMN_RULES = {"not_negative": _not_negative, "year": _year, "allowed": _allowed}


def _order(frame, rows, stats, ctx) -> list[Problem]:
    small, big = stats["small"], stats["big"]
    return [ctx.problem(row, small,
                        f"{frame.at[row, small]} is more than {ctx.header(big)} "
                        f"({frame.at[row, big]}), expected {small} ≤ {big}")
            for row in rows]


def _breakdown(frame, rows, stats, ctx) -> list[Problem]:
    problems = []
    for total, parts in schema.breakdown_groups(frame, ctx.kind):
        added = frame.loc[rows, parts].sum(axis=1, min_count=1)
        names = " + ".join(ctx.header(p) for p in parts)
        for row in rows:
            given = frame.at[row, total]
            if pd.notna(added[row]) and pd.notna(given) and added[row] > given:
                problems.append(ctx.problem(row, total,
                                            f"{names} = {added[row]} is more than {given}, "
                                            f"expected the breakdown not to exceed {total}"))
    return problems


def _repeated(frame, rows, stats, ctx) -> list[Problem]:
    keys = schema.key_columns(frame, ctx.kind)
    # the rows whose key occurs more than once, and of each key the first of them
    involved = frame.loc[frame[keys].duplicated(keep=False).to_numpy(), keys]
    first: dict[tuple, int] = {}
    for row, values in zip(involved.index, involved.itertuples(index=False), strict=True):
        first.setdefault(tuple(values), row)
    same = ", ".join(ctx.header(k) for k in keys)
    return [ctx.problem(row, keys[0],
                        f"repeats row {first[tuple(frame.loc[row, keys])]} (same {same}), "
                        f"expected one row per {' + '.join(keys)}")
            for row in rows]


def _date_order(frame, rows, stats, ctx) -> list[Problem]:
    return [ctx.problem(row, "end_date",
                        f"{_fmt_date(frame.at[row, 'end_date'])} is before the start "
                        f"{_fmt_date(frame.at[row, 'start_date'])}, expected start_date ≤ end_date")
            for row in rows]


def _born_after_visit(frame, rows, stats, ctx) -> list[Problem]:
    return [ctx.problem(row, "birth_year",
                        f"{frame.at[row, 'birth_year']} is after the visit on "
                        f"{_fmt_date(frame.at[row, 'visit_date'])}, expected a birth year "
                        "before the visit")
            for row in rows]


_FRAME_RULES = {
    "order": _order,
    "breakdown": _breakdown,
    "repeated": _repeated,
    "date_order": _date_order,
    "born_after_visit": _born_after_visit,
}
