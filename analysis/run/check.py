"""`workbook check FILE --kind K [--columns JSON]`: is this file usable as it is?

Exit codes: 0 the file loads (a one-line summary on stdout); 1 the file has
problems (every problem on stderr, one line each, capped), and so has a file
past one of the bounds of `analysis.inputs.limits` (too many bytes, rows,
columns or characters in a cell: the line names the bound and its setting);
2 the command itself is wrong (an unknown kind, --columns that is not a JSON
object of names, a bound's setting that is not a number), as argparse does for
bad arguments.
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
from analysis.inputs.load import load
from analysis.inputs.schema import KINDS
from analysis.text import i18n

OK, BAD_FILE, BAD_USAGE = 0, 1, 2
SUMMED = {"sessions": ("units", "turns", "registered", "deferred"), "timeseries": ("donations",)}


def run_check(path: str, kind: str, columns_json: str | None = None) -> int:
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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputNote)
        try:
            frame = load(_locate(path), kind, columns, name=path)
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


def parse_columns(columns_json: str | None) -> dict[str, str] | None:
    """The --columns mapping, or ValueError saying what a valid one looks like."""
    if columns_json is None or not columns_json.strip():
        return None
    example = 'expected a JSON object such as {"units": "Số ĐV", "site": "Nơi hiến"}'
    try:
        value = json.loads(columns_json)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at character {exc.pos}), {example}") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(f"not a mapping of column names, {example}")
    return value


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
    days = pd.concat([frame[c] for c in schema.date_columns(kind) if c in frame]).dropna()
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
        return [f"donors {i18n.fmt_int(frame['donor_id'].nunique(), 'en')}"]
    if kind == "campaigns":
        return [f"campaigns {', '.join(frame['campaign_id'])}"]
    return [f"{c} {i18n.fmt_int(frame[c].sum(), 'en')}"
            for c in SUMMED[kind] if c in frame and frame[c].notna().any()]
