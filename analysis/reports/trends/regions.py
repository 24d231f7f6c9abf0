"""Regions of a series: which one a report is about, total rows, when each region reports.

- region None sums all regions, unless one region is the total of the others
  (named so, or matching their sum within a tolerance: see `totals`): that
  region is then used as the total, never added to its parts.
- `exclude_regions` leaves regions out before anything else is read.
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
from analysis.inputs.breakdowns import recognised
from analysis.reports.trends import periods, totals

KEPT_ATTRS = ("measure", "measure_name", "grains", "breakdowns")  # what a series keeps when summed by date
NOT_BREAKDOWN = {"date", "donations", "region", "qualifier", "source_id"}


@dataclass
class Selection:
    """The series a report is about, and what the region choice did."""

    series: pd.DataFrame  # one row per date, from the first non-zero value
    region: str | None  # the region asked for
    total_region: str | None  # a region found to hold the sum of the others
    regions: list[str] = field(default_factory=list)  # regions other than the total
    file_start: pd.Timestamp | None = None  # the first date in the file, whatever its value
    total: totals.TotalRow | None = None  # how the total row was found, and how closely it matches
    excluded: list[str] = field(default_factory=list)  # regions left out by exclude_regions
    ignored: list[str] = field(default_factory=list)  # the file's columns that were ignored
    unit_words: list[str] = field(default_factory=list)  # columns whose counts had a unit word
    note_rows: list[int] = field(default_factory=list)  # rows under the table read as notes

    @property
    def start(self) -> pd.Timestamp:
        """The first date the series reports (its first non-zero value)."""
        return self.series["date"].min()


def breakdown_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns
            if c not in NOT_BREAKDOWN and pd.api.types.is_numeric_dtype(frame[c])]


def detect_total_region(frame: pd.DataFrame) -> str | None:
    """The region that is the total of the others (see `totals.find`), or None."""
    found = totals.find(frame)
    return None if found is None else found.region


def select_region(frame: pd.DataFrame, region: str | int | None = None,
                  exclude: list | None = None) -> Selection:
    """The series for `region`, or for all regions together (a total row used if there is one).

    A region may be named by a number when the file's regions are numbers (`region: 13`).
    Regions in `exclude` are left out first; naming one the file does not hold is an error.
    """
    region = None if region is None else str(region)
    has_regions = "region" in frame and frame["region"].notna().any()
    file_start = frame["date"].min()
    read = {"ignored": list(frame.attrs.get("ignored_columns", [])),
            "unit_words": list(frame.attrs.get("unit_words", [])),
            "note_rows": list(frame.attrs.get("note_rows", []))}
    excluded = [str(r) for r in (exclude or [])]
    if not has_regions:
        if region is not None or excluded:
            asked = f"region {region!r}" if region is not None else "exclude_regions"
            raise DataError(f"{asked} given, but the file has no region column")
        return Selection(reporting(by_date(frame)), None, None, [], file_start, **read)
    names = set(frame["region"].dropna().astype(str))
    unknown = [r for r in excluded if r not in names]
    if unknown:
        raise DataError(f"exclude_regions names {', '.join(map(repr, unknown))}, not in the file; "
                        f"known: {', '.join(sorted(names))}")
    if excluded:
        attrs = dict(frame.attrs)
        frame = frame[~frame["region"].astype(str).isin(excluded)]
        frame.attrs = attrs
        if region in excluded:
            raise DataError(f"region {region!r} is asked for and left out by exclude_regions")
    found = totals.find(frame)
    total = None if found is None else found.region
    regions = sorted(str(r) for r in frame["region"].dropna().unique() if str(r) != total)
    extra = {"total": found, "excluded": excluded, **read}
    if region is not None:
        if region not in set(frame["region"].astype(str)):
            known = ", ".join([*regions, *([total] if total else [])])
            raise DataError(f"region {region!r} is not in the file; known: {known}")
        series = reporting(by_date(frame[frame["region"].astype(str) == region]), region)
        return Selection(series, region, total, regions, file_start, **extra)
    chosen = frame[frame["region"].astype(str) == total] if total else frame
    return Selection(reporting(by_date(chosen)), None, total, regions, file_start, **extra)


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
    out.attrs = {k: frame.attrs[k] for k in KEPT_ATTRS if k in frame.attrs}
    out.attrs.setdefault("measure", "donations")
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


def breakdown_groups(series: pd.DataFrame) -> list[tuple[str, str, list[str]]]:
    """(group name, total column, parts) of a series' breakdowns: as the loader found or was
    told them (`analysis.inputs.breakdowns`), else its numeric columns grouped by the name
    they are recognised by (or, failing that, by their prefix before '_')."""
    cols = breakdown_columns(series)
    declared = series.attrs.get("breakdowns")
    if declared is not None:
        groups = [(g["name"], g["total"], [p for p in g["parts"] if p in cols]) for g in declared]
        return [(n, t, parts) for n, t, parts in groups if parts and (t == "donations" or t in cols)]
    found: dict[str, list[str]] = {}
    for name in cols:
        found.setdefault(recognised(name) or str(name).split("_", 1)[0], []).append(name)
    return [(group, "donations", parts) for group, parts in found.items()]


def breakdown_shares(series: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each breakdown column's share of its group's total per period (complete periods only):
    period, start, group, total (the column the group adds up to), breakdown, donations, share."""
    columns = ["period", "start", "group", "total", "breakdown", "donations", "share"]
    groups = breakdown_groups(series)
    if not groups:
        return pd.DataFrame(columns=columns)
    period = periods.coarse(period)
    base = periods.by_period(series, period)
    base = base[base["status"] == "complete"].set_index("start")
    per = series["date"].dt.to_period(periods.FREQ[period])
    cols = sorted({c for _, t, parts in groups for c in [*parts, *([t] if t != "donations" else [])]},
                  key=list(series.columns).index)
    sums = series[["donations", *cols]].groupby(per).sum(min_count=1)
    sums.index = sums.index.start_time
    sums = sums.reindex(base.index)
    parts_out = []
    for group, total, parts in groups:
        long = sums[parts].stack(future_stack=True).rename("donations").reset_index()
        long.columns = ["start", "breakdown", "donations"]
        whole = long["start"].map(sums[total].astype("float64"))
        long["share"] = pd.array(periods.ratio(long["donations"].astype("float64"), whole), dtype="Float64")
        parts_out.append(long.assign(group=group, total=total))
    long = pd.concat(parts_out, ignore_index=True)
    long["period"] = long["start"].map(base["period"])
    return long[columns]
