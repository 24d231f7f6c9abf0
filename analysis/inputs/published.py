"""The published figures under data/published/, read once and looked up by key.

Every figure there is entered once with its source and qualifier; notebooks and
tests read them through these functions and never retype a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import InputError, UnknownCampaign
from analysis.inputs.problems import Problem, quote
from analysis.inputs.read import Source
from analysis.qualified import QUALIFIERS, Qualified

# What each published table holds, checked on every read (the files may also be an
# analyst's own copy, named by a *_path parameter): the columns it must have, which are
# dates, which are numbers, and which column qualifies which number. Extra columns are kept.
TABLES = {
    # a source's date is checked, and kept as it is written (text)
    "sources": {"required": ("source_id", "publisher", "title"), "date_texts": ("published_date",)},
    "campaigns": {"required": ("campaign_id", "name"), "dates": ("start_date", "end_date"),
                  "numbers": ("target_units", "sessions_planned", "sites_planned", "registered",
                              "units_collected"),
                  "qualifiers": ("target_qualifier", "registered_qualifier",
                                 "units_collected_qualifier")},
    "totals": {"required": ("as_of", "turns", "units", "qualifier"), "dates": ("as_of",),
               "numbers": ("turns", "units"), "qualifiers": ("qualifier",)},
    "sessions": {"required": ("session_date", "site", "campaign_id", "units"),
                 "dates": ("session_date",), "numbers": ("registered", "units"),
                 "qualifiers": ("registered_qualifier", "units_qualifier")},
    "national": {"required": ("year", "measure", "value", "qualifier"), "numbers": ("year", "value"),
                 "qualifiers": ("qualifier",)},
    "checkpoints": {"required": ("campaign_id", "as_of", "units", "qualifier"), "dates": ("as_of",),
                    "numbers": ("units",), "qualifiers": ("qualifier",)},
}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$")


def _read(path: Path, table: str) -> pd.DataFrame:
    """The published table at `path`, checked against TABLES[table], or InputError with one
    `file:row:column` line per problem. The file passes the same guards as an analyst's
    (a regular file, within the size limit) before pandas reads it."""
    file = str(path)
    Source(Path(path), file)
    spec = TABLES[table]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = [Problem(file, 1, col, f"missing column, expected in a published {table} table")
                for col in spec["required"] if col not in frame.columns]
    if problems:
        raise InputError(problems)
    for col in (*spec.get("dates", ()), *spec.get("date_texts", ())):
        problems += _bad(frame, file, col, lambda v: _ISO_DAY.match(v) is not None,
                         "expected a date written as 2023-08-04")
    for col in spec.get("numbers", ()):
        problems += _bad(frame, file, col, _is_number, "expected a number such as 2300 or 0.85")
    for col in spec.get("qualifiers", ()):
        problems += _bad(frame, file, col, lambda v: v in QUALIFIERS,
                         f"expected one of {', '.join(QUALIFIERS)}")
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row, p.column)))
    out = frame.replace("", pd.NA)
    for col in spec.get("numbers", ()):
        if col in out:
            values = pd.to_numeric(out[col])
            whole = values.dropna().mod(1).eq(0).all()
            out[col] = values.astype("Int64" if whole else "Float64")
    for col in spec.get("dates", ()):
        if col in out:
            out[col] = pd.to_datetime(out[col], format="ISO8601")
    return out


def _is_number(text: str) -> bool:
    try:
        return float(text) >= 0
    except ValueError:
        return False


def _bad(frame: pd.DataFrame, file: str, col: str, ok, expected: str) -> list[Problem]:
    """A problem for each filled cell of `col` that is not `ok` (an empty cell is a missing figure)."""
    if col not in frame:
        return []
    return [Problem(file, row + 2, col, f"{quote(value)} {expected}")
            for row, value in enumerate(frame[col]) if value != "" and not ok(value)]


def sources(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.SOURCES_CSV, "sources")


def campaigns(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.CAMPAIGNS_CSV, "campaigns")


def totals(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.TOTALS_CSV, "totals")


def sessions(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.PUBLISHED_SESSIONS_CSV, "sessions")


def national(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.NATIONAL_CSV, "national")


def checkpoints(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.CHECKPOINTS_CSV, "checkpoints")


@dataclass(frozen=True)
class Campaign:
    """One campaign's plan as published; unknown figures are None."""

    campaign_id: str
    name: str
    start_date: pd.Timestamp | None
    end_date: pd.Timestamp | None
    target_units: int | None
    sessions_planned: int | None
    sites_planned: int | None
    registered: Qualified | None
    units_collected: Qualified | None
    source_ids: tuple[str, ...]
    note: str

    @property
    def year(self) -> int:
        return int(self.campaign_id.rsplit("-", 1)[-1])


def _opt_int(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _opt_date(value) -> pd.Timestamp | None:
    return None if pd.isna(value) else pd.Timestamp(value)


def _opt_qualified(value, qualifier) -> Qualified | None:
    if pd.isna(value):
        return None
    return Qualified(float(value), "exact" if pd.isna(qualifier) else str(qualifier))


def campaign(campaign_id: str, table: pd.DataFrame | None = None) -> Campaign:
    """The campaign `campaign_id` from `table` (default: the published campaigns)."""
    table = campaigns() if table is None else table
    rows = table[table["campaign_id"] == campaign_id]
    if rows.empty:
        known = ", ".join(sorted(table["campaign_id"].astype(str)))
        raise UnknownCampaign(f"campaign_id {campaign_id!r} is not in the campaigns table; known: {known}")
    row = rows.iloc[0]
    get = row.get
    return Campaign(
        campaign_id=campaign_id,
        name=str(get("name", campaign_id)),
        start_date=_opt_date(get("start_date")),
        end_date=_opt_date(get("end_date")),
        target_units=_opt_int(get("target_units")),
        sessions_planned=_opt_int(get("sessions_planned")),
        sites_planned=_opt_int(get("sites_planned")),
        registered=_opt_qualified(get("registered"), get("registered_qualifier")),
        units_collected=_opt_qualified(get("units_collected"), get("units_collected_qualifier")),
        source_ids=tuple(str(get("source_id") or "").split(";")) if not pd.isna(get("source_id")) else (),
        note="" if pd.isna(get("note")) else str(get("note")),
    )


def totals_before(date: pd.Timestamp, table: pd.DataFrame | None = None) -> pd.Series:
    """The latest cumulative snapshot dated on or before `date`."""
    table = totals() if table is None else table
    earlier = table[table["as_of"] <= pd.Timestamp(date)].sort_values("as_of")
    if earlier.empty:
        raise LookupError(f"no published cumulative totals on or before {date:%Y-%m-%d}")
    return earlier.iloc[-1]


def citations(source_ids, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of sources.csv for `source_ids`, in the order given."""
    table = sources() if table is None else table
    ids = [part for s in source_ids for part in str(s).split(";") if part]
    ids = list(dict.fromkeys(ids))
    return table.set_index("source_id").loc[ids].reset_index()
