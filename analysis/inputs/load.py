"""Reading analysts' own files into checked frames of the five input kinds.

`load(path, kind, columns, campaigns)` is `read_table` (find the header, map
the columns) followed by `validate` (parse the values, apply the rules of
`schema`); visits then go through `protect_visits`. Whatever is wrong with a
file becomes an `InputError` listing every problem as
`file:row:column: what is wrong, what was expected`, with the row number a
spreadsheet shows and the column as the file's own header names it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config, errors
from analysis.errors import InputError, InputNote, UncheckedWarning
from analysis.inputs import breakdowns, dateparts, pseudonyms, shape
from analysis.inputs.frame import VISITS_CATEGORICAL, _finish, _parse_frame, _total_rows, _with_row_numbers
from analysis.inputs.header import _map_columns
from analysis.inputs.problems import (
    _QUOTED_VALUE,
    _RECORD,
    Problem,
    _check_kind,
    _check_mapping,
    _Context,
    _fail,
    _fmt_date,
    _in_row_order,
    quote,
)
from analysis.inputs.read import Source, _read_grid
from analysis.inputs.rules import _rule_problems

# ---------------------------------------------------------------------- public


def load(
    path: str | Path,
    kind: str,
    columns: Mapping[str, str] | None = None,
    campaigns: pd.DataFrame | str | Path | None = None,
    *,
    name: str | None = None,
    breakdowns: object = None,
) -> pd.DataFrame:
    """The checked frame of `kind` in the file at `path`, or InputError.

    `columns` maps canonical names to the file's headers ({"units": "Số ĐV"});
    `campaigns` (a frame or a path; default: the published campaigns) is where
    a sessions file's campaign_id is looked up. `name` is how messages call the
    file (default: the path as given). `breakdowns` declares a time series' breakdown
    columns (`*_breakdowns`; see `analysis.inputs.breakdowns`).
    """
    if kind == "visits":
        from analysis.inputs import engine  # DuckDB, for large CSV and Parquet files

        protected = engine.read_visits(path, columns, name=name)  # None: not a file it takes
        if protected is not None:
            return protected
    table = read_table(path, kind, columns, name=name)
    if kind != "visits":
        return validate(table, kind, campaigns=campaigns, declared=breakdowns)
    # donor_id stays a categorical (codes + distinct ids) for the pseudonyms, made once per
    # donor; the few sexes, sites and outcomes stay categoricals too (a byte a visit)
    file = table.attrs["file"]
    frame = validate(table, kind, campaigns, keep_codes=VISITS_CATEGORICAL)
    del table
    return protect_visits(frame, file, simulated=config.is_simulated(config.resolve(path)))


def load_visits(path: str | Path, columns: Mapping[str, str] | None = None, *, name: str | None = None,
                sites: bool = True):
    """A visits file for reports that need only sums of it: a large CSV or Parquet file checked
    in DuckDB and numbered there (`engine.compact_visits`: one row a visit sorted by donor and
    day, donors as meaningless numbers, no id), else the frame `load(path, "visits", columns)`
    gives. `returns.prepare` takes either. Same rules and messages either way: a file the
    engine does not take goes to the loader. Within `workbook run`, the compact frame its
    check made is handed to the notebooks (`handoff`): the file is read once a run.

    `sites=False`: the report counts nothing by site, so a compact frame comes without each
    visit's site (DuckDB then sorts one column less). Within a run the file is still read
    with sites, for whichever of the run's notebooks wants them.
    """
    from analysis.inputs import engine, handoff

    resolved = config.resolve(path)
    compact = handoff.take(resolved, columns)
    if compact is None:
        compact = engine.compact_visits(path, columns, name=name, sites=sites or handoff.active())
        if compact is None:
            return load(path, "visits", columns, name=name)
        handoff.keep(resolved, columns, compact)
    if not sites and "site" in compact:
        del compact["site"]  # a frame of its own (made here, or read from the run's copy): no copy
    return compact


def protect_visits(frame: pd.DataFrame, file: str = "<frame>", simulated: bool = False) -> pd.DataFrame:
    """A checked visits frame with direct identifiers dropped and donor_id pseudonymised.

    This is the one place the loader calls `pseudonyms.protect_visits`. The
    columns it drops are named in an InputNote; a missing or bad key is an
    InputError. Simulated visits (under data/example/) hold no real person, so
    they take a fixed public key and never need a key file.
    """
    try:
        protected, dropped = pseudonyms.protect_visits(frame, pseudonyms.SIMULATED_KEY if simulated else None)
    except errors.PseudonymKeyError as exc:
        raise _fail(file, f"donor_id cannot be pseudonymised: {exc}") from None
    if dropped:
        warnings.warn(f"{file}: direct identifiers dropped on load: {', '.join(dropped)}",
                      InputNote, stacklevel=2)
    return protected


def read_table(
    path: str | Path,
    kind: str,
    columns: Mapping[str, str] | None = None,
    *,
    name: str | None = None,
) -> pd.DataFrame:
    """The table in a CSV, XLSX or Parquet file with its columns named canonically.

    Values are as read (text from a CSV, typed cells from XLSX or Parquet):
    `validate` parses them. Text read by the fast CSV and Parquet readers comes
    as pandas categoricals (the same values, each distinct one held once).
    The index holds spreadsheet row numbers; `attrs` holds the file name and
    which header each canonical column came from. Columns that match no alias
    keep their header text.
    """
    file = name or str(path)
    _check_kind(kind, file)
    mapping, left_out = shape.flatten(_check_mapping(columns, kind, file))
    resolved = config.resolve(path)
    header_row, header, body = _read_grid(Source(resolved, file), kind, mapping, file)
    body = shape.drop_notes(body, file)
    header, body, problems = shape.leave_out(header, body, left_out, kind, file, header_row)
    names, mapping_problems = _map_columns(header, kind, mapping, file, header_row)
    problems += mapping_problems
    if body.empty and not problems:
        problems.append(Problem(file, header_row, None,
                                f"no data rows below the header (row {header_row}), "
                                f"expected one row per {_RECORD[kind]}"))
    if problems:
        raise InputError(problems)
    body.columns = [names[i] for i in range(len(header))]
    body.attrs = {
        "note_rows": body.attrs.get("note_rows", []),
        "file": file,
        "kind": kind,
        "header_row": header_row,
        "headers": {names[i]: header[i] for i in range(len(header))},
    }
    return body


def validate(
    frame: pd.DataFrame,
    kind: str,
    campaigns: pd.DataFrame | str | Path | None = None,
    *,
    file: str | None = None,
    headers: Mapping[str, str] | None = None,
    keep_codes: tuple[str, ...] = (),
    declared: object = None,
) -> pd.DataFrame:
    """Parse and check a frame with canonical column names; the typed frame, or InputError.

    Rows are reported by the index when it is named "row" (as `read_table`
    leaves it), else as in a CSV whose header is row 1. `headers` maps
    canonical names back to the file's headers for the messages. Text columns
    named in `keep_codes` are returned as categoricals. Every column is parsed
    on its distinct values, so the cost follows the number of distinct cells.
    `declared` is a time series' `*_breakdowns` (see `breakdowns`).
    """
    file = file or frame.attrs.get("file") or "<frame>"
    _check_kind(kind, file)
    ctx = _Context(file, kind, {**frame.attrs.get("headers", {}), **(headers or {})})
    work = _with_row_numbers(frame)
    work, date_problems, grains = dateparts.combine(work, ctx)
    plan = breakdowns.plan(list(work.columns), ctx, declared) if kind == "timeseries" else None
    if plan is not None and plan.silent:
        work = work.drop(columns=plan.silent)
    encoded: dict[str, tuple[np.ndarray, list]] = {}
    problems, work = _total_rows(work, ctx, encoded)
    parsed, parse_problems = _parse_frame(work, ctx, encoded, None if plan is None else plan.counts)
    del work, encoded
    if plan is not None:
        problems += plan.problems
        parsed.attrs["breakdowns"] = [{"total": g.total, "parts": list(g.parts), "name": g.name}
                                      for g in plan.groups]
    grains = {**parsed.attrs.get("grains", {}), **grains}
    failed = {(p.row, p.column) for p in parse_problems}
    failed |= {(p.row, ctx.header(name)) for p in date_problems for name in grains}
    problems += date_problems + parse_problems
    problems += [p for p in _rule_problems(parsed, ctx) if (p.row, p.column) not in failed]
    if kind == "sessions" and "campaign_id" in parsed and parsed["campaign_id"].notna().any():
        problems += _campaign_problems(parsed, _campaign_table(campaigns), ctx)
    if problems:
        if kind == "visits":  # donor records: say what is wrong, never echo the value
            problems = [replace(p, message=_QUOTED_VALUE.sub("this value", p.message, 1)) for p in problems]
        raise InputError(_in_row_order(problems))
    if plan is not None and plan.ignored:
        parsed = parsed.drop(columns=plan.ignored)
    out = _finish(parsed, kind, keep_codes)
    out.attrs["grains"] = grains
    # what the loader read for the analyst, for a report to say: notes skipped, unit words
    out.attrs["note_rows"] = list(frame.attrs.get("note_rows", []))
    out.attrs["unit_words"] = [ctx.header(n) for n in parsed.attrs.get("unit_words", [])]
    if plan is not None:
        out.attrs["breakdowns"] = parsed.attrs["breakdowns"]
        out.attrs["ignored_columns"] = [ctx.header(n) for n in plan.ignored]
        if plan.ignored:
            warnings.warn(f"{file}: {_columns_word(len(plan.ignored))} ignored (neither a known "
                          f"breakdown nor declared in the breakdowns): "
                          f"{', '.join(map(quote, out.attrs['ignored_columns']))}; map "
                          f"{'it' if len(plan.ignored) == 1 else 'them'} to null to leave "
                          f"{'it' if len(plan.ignored) == 1 else 'them'} out quietly",
                          InputNote, stacklevel=2)
    return out


def _columns_word(n: int) -> str:
    return "1 column" if n == 1 else f"{n} columns"


# --------------------------------------------------------- session vs campaign


def _campaign_table(campaigns: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    if campaigns is None:
        return load(config.CAMPAIGNS_CSV, "campaigns")
    if isinstance(campaigns, str | Path):
        return load(campaigns, "campaigns")
    return validate(campaigns, "campaigns", file=campaigns.attrs.get("file", "campaigns table"))


def _campaign_problems(
    sessions: pd.DataFrame, campaigns: pd.DataFrame, ctx: _Context
) -> list[Problem]:
    """Each session's campaign is known and its date lies inside the campaign.

    A campaign whose dates were never published (2022) cannot be checked: the
    rows pass with an UncheckedWarning instead of an error, since the file is
    not at fault. A campaign with only one known end is checked against it.
    """
    known = campaigns.set_index("campaign_id")
    problems = []
    unchecked: dict[str, int] = {}
    rows = sessions[sessions["campaign_id"].notna()]
    for cid, group in rows.groupby(rows["campaign_id"].astype(object), sort=False):
        if cid not in known.index:
            problems.append(ctx.problem(group.index[0], "campaign_id",
                                        f"unknown campaign {cid!r} ({_rows(len(group))}), expected "
                                        f"one of {', '.join(known.index)}"))
            continue
        start, end = known.at[cid, "start_date"], known.at[cid, "end_date"]
        if pd.isna(start) and pd.isna(end):
            unchecked[cid] = len(group)
            continue
        for row, day in group["session_date"].dropna().items():
            if (pd.notna(start) and day < start) or (pd.notna(end) and day > end):
                span = f"{_fmt_or_unknown(start)}–{_fmt_or_unknown(end)}"
                problems.append(ctx.problem(row, "session_date",
                                            f"{_fmt_date(day)} is outside campaign {cid} ({span}), "
                                            "expected a date within the campaign"))
    for cid, n in unchecked.items():
        warnings.warn(f"{ctx.file}: campaign {cid} has no published dates; the dates of its "
                      f"{n} sessions were not checked", UncheckedWarning, stacklevel=4)
    return problems


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n} rows"


def _fmt_or_unknown(day: pd.Timestamp) -> str:
    return "?" if pd.isna(day) else _fmt_date(day)
