"""Regions of a series: which one a report is about, total rows, when each region reports.

- region None sums all regions, unless one region holds, on every date, the
  sum of all the others (a total row): that region is then used as the total.
- A series starts at its first non-zero value. A region whose rows are zeros
  until some date is not reporting before it: those periods are neither
  zeros nor part of its history (no growth, trough or average is read from
  them), and the report says when each region's reporting starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.reports.trends import periods

NOT_BREAKDOWN = {"date", "donations", "region", "qualifier", "source_id"}


@dataclass
class Selection:
    """The series a report is about, and what the region choice did."""

    series: pd.DataFrame  # one row per date, from the first non-zero value
    region: str | None  # the region asked for
    total_region: str | None  # a region found to hold the sum of the others
    regions: list[str] = field(default_factory=list)  # regions other than the total
    file_start: pd.Timestamp | None = None  # the first date in the file, whatever its value

    @property
    def start(self) -> pd.Timestamp:
        """The first date the series reports (its first non-zero value)."""
        return self.series["date"].min()


def breakdown_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns
            if c not in NOT_BREAKDOWN and pd.api.types.is_numeric_dtype(frame[c])]


def detect_total_region(frame: pd.DataFrame) -> str | None:
    """The region whose donations equal, on every date, the sum of all other regions."""
    if "region" not in frame or frame["region"].nunique() < 3:
        return None
    wide = frame.pivot_table(index="date", columns="region", values="donations",
                             aggfunc="sum", fill_value=0, observed=True).astype("float64")
    both = wide.sum(axis=1)
    found = [r for r in wide.columns if (wide[r] > 0).any() and np.array_equal(2 * wide[r], both)]
    return str(found[0]) if len(found) == 1 else None


def select_region(frame: pd.DataFrame, region: str | int | None = None) -> Selection:
    """The series for `region`, or for all regions together (a total row used if there is one).

    A region may be named by a number when the file's regions are numbers (`region: 13`).
    """
    region = None if region is None else str(region)
    has_regions = "region" in frame and frame["region"].notna().any()
    file_start = frame["date"].min()
    if not has_regions:
        if region is not None:
            raise DataError(f"region {region!r} asked for, but the file has no region column")
        return Selection(reporting(by_date(frame)), None, None, [], file_start)
    total = detect_total_region(frame)
    regions = sorted(str(r) for r in frame["region"].dropna().unique() if str(r) != total)
    if region is not None:
        if region not in set(frame["region"].astype(str)):
            known = ", ".join([*regions, *([total] if total else [])])
            raise DataError(f"region {region!r} is not in the file; known: {known}")
        series = reporting(by_date(frame[frame["region"].astype(str) == region]), region)
        return Selection(series, region, total, regions, file_start)
    chosen = frame[frame["region"].astype(str) == total] if total else frame
    return Selection(reporting(by_date(chosen)), None, total, regions, file_start)


def by_date(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum the rows of each date (regions added up), keeping the qualifier where there is one."""
    cols = ["donations", *breakdown_columns(frame)]
    if not frame["date"].duplicated().any():
        keep = ["date", *cols, *[c for c in ("qualifier", "source_id") if c in frame]]
        out = frame[keep].sort_values("date", ignore_index=True)
    else:
        out = frame.groupby("date", sort=True)[cols].sum(min_count=1).reset_index()
        if "qualifier" in frame:
            out["qualifier"] = frame.groupby("date", sort=True)["qualifier"].agg(periods.combine).to_numpy()
    out.attrs["measure"] = frame.attrs.get("measure", "donations")
    return out


def first_report(series: pd.DataFrame) -> pd.Timestamp | None:
    """The date of the first non-zero value of a one-row-per-date series (None: it never reports)."""
    values = pd.to_numeric(series["donations"], errors="coerce").fillna(0).to_numpy()
    found = np.flatnonzero(values > 0)
    return None if not found.size else series["date"].iloc[int(found[0])]


def reporting(series: pd.DataFrame, name: str | None = None) -> pd.DataFrame:
    """The series from its first non-zero value on; a DataError when it has none."""
    start = first_report(series)
    if start is None:
        where = f"region {name!r}" if name is not None else "the series"
        raise DataError(f"{where} holds no value above 0: nothing is reported")
    out = series[series["date"] >= start].reset_index(drop=True)
    out.attrs = dict(series.attrs)
    return out


def starts(frame: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """When each region (other than a total row) starts reporting: region, first_date, late.

    `first_date` is the date of the region's first non-zero value (empty when
    it has none); `late` says it comes after the first date in the file.
    """
    rows = []
    for name in selection.regions:
        first = first_report(by_date(frame[frame["region"].astype(str) == name]))
        rows.append({"region": name, "first_date": first,
                     "late": first is None or first > selection.file_start})
    out = pd.DataFrame(rows, columns=["region", "first_date", "late"])
    out["first_date"] = pd.to_datetime(out["first_date"])
    return out


def by_region(frame: pd.DataFrame, selection: Selection, period: str) -> pd.DataFrame:
    """by_period of every reporting region other than a total row, stacked (for small
    multiples), each from its own first non-zero value, at least monthly."""
    columns = ["region", "period", "start", "donations", "status"]
    period = periods.coarse(period)
    parts = []
    for name in selection.regions:
        series = by_date(frame[frame["region"].astype(str) == name])
        if first_report(series) is None:
            continue
        table = periods.by_period(reporting(series, name), period)
        parts.append(table.assign(region=name)[columns])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def breakdown_shares(series: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each breakdown column's share of donations per period (complete periods only)."""
    cols = breakdown_columns(series)
    if not cols:
        return pd.DataFrame(columns=["period", "start", "breakdown", "donations", "share"])
    period = periods.coarse(period)
    base = periods.by_period(series, period)
    per = series["date"].dt.to_period(periods.FREQ[period])
    parts = series[cols].groupby(per).sum(min_count=1)
    parts.index = parts.index.start_time
    base = base[base["status"] == "complete"].set_index("start")
    long = parts.reindex(base.index).stack(future_stack=True).rename("donations").reset_index()
    long.columns = ["start", "breakdown", "donations"]
    whole = long["start"].map(base["donations"].astype("float64"))
    long["share"] = pd.array(periods.ratio(long["donations"].astype("float64"), whole), dtype="Float64")
    long["period"] = long["start"].map(base["period"])
    return long[["period", "start", "breakdown", "donations", "share"]]
