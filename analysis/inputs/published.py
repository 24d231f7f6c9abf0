"""The published figures under data/published/, read once and looked up by key.

Every figure there is entered once with its source and qualifier; notebooks and
tests read them through these functions and never retype a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import config
from analysis.errors import UnknownCampaign
from analysis.qualified import Qualified


def _read(path, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype_backend="numpy_nullable", keep_default_na=True)
    for col in dates:
        frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    return frame


def sources(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.SOURCES_CSV)


def campaigns(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.CAMPAIGNS_CSV, ("start_date", "end_date"))


def totals(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.TOTALS_CSV, ("as_of",))


def sessions(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.PUBLISHED_SESSIONS_CSV, ("session_date",))


def national(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.NATIONAL_CSV)


def checkpoints(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.CHECKPOINTS_CSV, ("as_of",))


def facts(path=None) -> pd.DataFrame:
    return _read(config.resolve(path) if path else config.FACTS_CSV)


def fact(fact_id: str) -> Qualified:
    row = facts().set_index("fact_id").loc[fact_id]
    return Qualified(float(row["value"]), row["qualifier"])


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
