"""Donations over time: the tables and key figures of the trends report.

The input is a timeseries (date, donations, optional region and breakdown
columns). With no file of their own, users get the real published national
series: `inputs.read_series` (beside this module) recognises the layout of
data/published/national.csv (year, scope, measure, value, unit, qualifier,
source_id) and takes its national units, one value per year, each with its
qualifier ("about", "at least") kept beside the number.

The rules are written once, each beside the code that applies it: periods
(grain, complete, partial and missing periods) in `periods`, regions (total
rows, when a region starts reporting) in `regions`, growth and seasonality in
`growth`.

Every table leaves this module as a `disclosure.Safe` table through
`disclosure.no_people`: the series counts donations (or units, or whatever
the file counts), never identifiable people, so no cell needs hiding. Text,
charts and files are made from these tables only.
"""

from __future__ import annotations

import pandas as pd

from analysis.inputs import published
from analysis.model import disclosure
from analysis.reports.trends import growth, periods, regions
from analysis.reports.trends.regions import Selection, select_region

__all__ = ["Selection", "select_region", "sources", "key_figures", "period_table", "change_table",
           "season_table", "decomposition_table", "shares_table", "regions_table", "starts_table"]


def sources(series: pd.DataFrame) -> pd.DataFrame | None:
    """Citations of a published series (None for a user's file)."""
    if "source_id" not in series:
        return None
    return published.citations(series["source_id"].dropna().astype(str))


# --------------------------------------------------------------------------- tables


def period_table(series: pd.DataFrame, period: str) -> disclosure.Safe:
    """Donations per period with their marks (tables/by_period.csv; see periods.by_period)."""
    return disclosure.no_people(periods.by_period(series, period))


def change_table(series: pd.DataFrame) -> disclosure.Safe:
    """Complete years with their change from the previous year with data (growth.annual_changes)."""
    return disclosure.no_people(growth.annual_changes(series))


def season_table(series: pd.DataFrame) -> disclosure.Safe:
    """The seasonal profile (growth.seasonal_profile); empty when seasonality cannot be read."""
    profile = growth.seasonal_profile(series)
    return disclosure.no_people(profile if profile is not None else
                                pd.DataFrame(columns=["month", "mean", "min", "max", "years", "index"]))


def decomposition_table(series: pd.DataFrame) -> disclosure.Safe:
    """The STL decomposition (growth.decompose); empty when it cannot be made."""
    parts = growth.decompose(series)
    return disclosure.no_people(parts if parts is not None else
                                pd.DataFrame(columns=["start", "observed", "trend", "seasonal", "resid"]))


def shares_table(series: pd.DataFrame, period: str) -> disclosure.Safe:
    """Each breakdown column's share per complete period (regions.breakdown_shares)."""
    return disclosure.no_people(regions.breakdown_shares(series, period))


def regions_table(frame: pd.DataFrame, selection: Selection, period: str) -> disclosure.Safe:
    """Each region's series per period, from its own first report (regions.by_region)."""
    return disclosure.no_people(regions.by_region(frame, selection, period))


def starts_table(frame: pd.DataFrame, selection: Selection) -> disclosure.Safe:
    """When each region starts reporting (regions.starts)."""
    return disclosure.no_people(regions.starts(frame, selection))


# --------------------------------------------------------------------------- key figures


def key_figures(table: disclosure.Safe, selection: Selection) -> dict[str, object]:
    """The trends key figures under the contract's names, and a few more, from the
    period table and the selected series."""
    frame = disclosure.require(table).frame
    series = selection.series
    done = frame[frame["status"] == "complete"]
    peak = done.loc[done["donations"].astype("Float64").idxmax()] if len(done) else None
    trough = done.loc[done["donations"].astype("Float64").idxmin()] if len(done) else None
    total_q = periods.combine(series["qualifier"]) if "qualifier" in series else "exact"
    profile = growth.seasonal_profile(series)
    figs: dict[str, object] = {
        "period_start": frame["period"].iloc[0],
        "period_end": frame["period"].iloc[-1],
        "total_donations": int(series["donations"].sum()),
        "periods": int(len(frame)),
        **growth.compound_growth(series),
        "peak_period": None if peak is None else peak["period"],
        "trough_period": None if trough is None else trough["period"],
        "seasonal_amplitude": growth.seasonal_amplitude(profile),
        "periods_with_data": int((frame["status"] != "missing").sum()),
        "partial_periods": int((frame["status"] == "partial").sum()),
        "peak_donations": None if peak is None else int(peak["donations"]),
        "trough_donations": None if trough is None else int(trough["donations"]),
        "total_qualifier": total_q,
        "data_grain": periods.native_grain(series["date"]),
        "region": selection.region,
        "total_region": selection.total_region,
    }
    if profile is not None:
        unit = profile.columns[0]
        figs["seasonal_peak"] = int(profile.loc[profile["mean"].idxmax(), unit])
        figs["seasonal_trough"] = int(profile.loc[profile["mean"].idxmin(), unit])
    return figs
