"""`workbook check FILE --kind K [--columns JSON]`: is this file usable as it is?

Exit codes: 0 the file loads (a one-line summary on stdout); 1 the file has
problems (every problem on stderr, one line each, capped), and so has a file
past one of the bounds of `analysis.inputs.limits` (too many bytes, rows,
columns or characters in a cell: the line names the bound and its setting);
2 the command itself is wrong (an unknown kind, --columns that is not a JSON
object of names, --breakdowns that is not a JSON list of names, a bound's
setting that is not a number), as argparse does for bad arguments.

A time series with a total row (a region named as a total, or matching the
others' sum) is summed from that row only, and the summary says how it was
found and how closely it matches: the total is never added to its parts.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import InputError, InputNote, SettingError
from analysis.inputs import schema
from analysis.inputs.load import load, load_visits
from analysis.inputs.schema import KINDS
from analysis.reports.trends import totals
from analysis.run.params import breakdowns_ok, column_mapping_ok
from analysis.text import i18n

OK, BAD_FILE, BAD_USAGE = 0, 1, 2
SUMMED = {"sessions": ("units", "turns", "registered", "deferred"), "timeseries": ("donations",)}


def run_check(path: str, kind: str, columns_json: str | None = None,
              breakdowns_json: str | None = None) -> int:
    """Load `path` as `kind`; print a summary or every problem; return the exit code."""
    if kind not in KINDS:
        print(f"--kind: unknown kind {kind!r}, expected one of {', '.join(KINDS)}",
              file=sys.stderr)
        return BAD_USAGE
    try:
        columns = parse_columns(columns_json)
    except ValueError as exc:
        print(f"--columns: {exc}", file=sys.stderr)
        return BAD_USAGE
    try:
        declared = parse_breakdowns(breakdowns_json)
    except ValueError as exc:
        print(f"--breakdowns: {exc}", file=sys.stderr)
        return BAD_USAGE
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputNote)
        try:
            if kind == "visits":  # a large file checked in DuckDB, as the donor notebooks read it
                frame = load_visits(_locate(path), columns, name=path)
            else:
                frame = load(_locate(path), kind, columns, name=path, breakdowns=declared)
        except InputError as exc:
            print(str(exc), file=sys.stderr)
            return BAD_FILE
        except SettingError as exc:
            print(f"setting: {exc}", file=sys.stderr)
            return BAD_USAGE
    print(summary(frame, kind, Path(path).name))
    for note in caught:
        if issubclass(note.category, InputNote):
            print(f"note: {note.message}", file=sys.stderr)
    return OK


def _json_option(text: str | None, example: str, ok, wrong: str) -> object:
    """A JSON option's value (None when not given), or ValueError saying what a valid one looks like."""
    if text is None or not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at character {exc.pos}), {example}") from None
    if not ok(value):
        raise ValueError(wrong)
    return value


def parse_columns(columns_json: str | None) -> dict[str, object] | None:
    """The --columns mapping, or ValueError saying what a valid one looks like."""
    example = 'expected a JSON object such as {"units": "Số ĐV", "site": "Nơi hiến"}'
    return _json_option(columns_json, example, column_mapping_ok,
                        f"not a mapping of column names, {example}, a date made of parts as "
                        '{"date": ["year", "month"]}, or null to leave a column out')


def parse_breakdowns(text: str | None) -> object:
    """The --breakdowns list, or ValueError saying what a valid one looks like."""
    example = 'expected a JSON list such as ["plasma", {"whole_blood": ["bag_250", "bag_350"]}]'
    return _json_option(text, example, breakdowns_ok, f"not a list of column names, {example}")


def _locate(path: str) -> Path:
    """A path as typed at the shell: from the current folder first, then the project root.

    A link is left as it is: the loader looks at where it leads."""
    here = Path(path)
    return here.absolute() if here.exists() or here.is_symlink() else config.resolve(path)


def summary(frame: pd.DataFrame, kind: str, name: str) -> str:
    """'sessions.csv: 13 rows, 04/08/2023–25/08/2023, units 2,412, turns 2,873'."""
    parts = [f"{i18n.fmt_int(len(frame), 'en')} rows"]
    dates = _date_range(frame, kind)
    if dates:
        parts.append(dates)
    parts += _count_totals(frame, kind)
    return f"{name}: {', '.join(parts)}"


def _date_range(frame: pd.DataFrame, kind: str) -> str | None:
    columns = [frame[c] for c in schema.date_columns(kind) if c in frame]
    if "day" in frame:  # visits numbered in DuckDB: days since 1970-01-01
        ends = [int(frame["day"].min()), int(frame["day"].max())]
        columns.append(pd.Series(pd.to_datetime(ends, unit="D")))
    days = pd.concat(columns).dropna()
    if days.empty:
        return None
    return f"{i18n.fmt_date(days.min(), 'vi')}–{i18n.fmt_date(days.max(), 'vi')}"


def _count_totals(frame: pd.DataFrame, kind: str) -> list[str]:
    """Sums of the count columns; cumulative totals are shown as their latest figures."""
    if kind == "totals":
        latest = frame.sort_values("as_of").iloc[-1]
        return [f"latest turns {i18n.fmt_int(latest['turns'], 'en')}",
                f"units {i18n.fmt_int(latest['units'], 'en')}"]
    if kind == "visits":
        donors = frame["donor_id"] if "donor_id" in frame else frame["donor"]
        return [f"donors {i18n.fmt_int(donors.nunique(), 'en')}"]
    if kind == "campaigns":
        return [f"campaigns {', '.join(frame['campaign_id'])}"]
    if kind == "timeseries" and "region" in frame and (found := totals.find(frame)) is not None:
        return _with_total_row(frame, found)
    return [f"{c} {i18n.fmt_int(frame[c].sum(), 'en')}"
            for c in SUMMED[kind] if c in frame and frame[c].notna().any()]


RULE_WORDS = {"name": "named as a total", "country": "named as the country",
              "sum": "it matches the sum of the others"}


def _with_total_row(frame: pd.DataFrame, found: totals.TotalRow) -> list[str]:
    """Donations of a series whose total row was found: that row's figure, never the total
    added to its parts, and how the row was found and how closely it matches."""
    own = frame.loc[frame["region"].astype(str) == found.region, "donations"].sum()
    regions = frame["region"].nunique() - 1
    close = ""
    if found.share is not None:
        close = (f", within {i18n.fmt_pct(totals.TOLERANCE, 'en')} of the others' sum on "
                 f"{i18n.fmt_pct(found.share, 'en')} of {i18n.fmt_int(found.dates, 'en')} dates, "
                 f"largest gap {i18n.fmt_pct(found.gap, 'en', 2)}")
    return [f"donations {i18n.fmt_int(own, 'en')} (total row {found.region!r} of {regions} regions: "
            f"{RULE_WORDS[found.rule]}{close}; not added to its parts)"]
