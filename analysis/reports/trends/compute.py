"""Donations over time: totals per period, growth, peak and trough, seasonality, regions.

The input is a timeseries (date, donations, optional region and breakdown
columns). With no file of their own, users get the real published national
series: `read_series` recognises the layout of data/published/national.csv
(year, scope, measure, value, unit, qualifier, source_id) and takes its
national units, one value per year, each with its qualifier ("about",
"at least") kept beside the number.

Rules, in one place:
- The data's own grain (day, week, month, quarter or year) is read from its
  dates; a value dated 1 January of every year is a yearly figure. A report
  period finer than that grain is refused.
- A period is complete when the data cover it from its first to its last day.
  Only the first and the last period can be incomplete: they are marked and
  left out of growth, peak, trough, moving average and year-on-year change.
- A period without any row is missing (no figure), not zero.
- growth_rate is the compound growth per year between the first and the last
  complete calendar years with data: (last / first) ** (1 / years apart) − 1.
  It reads yearly totals whatever the report period, so it does not change
  when the period does.
- Seasonality is read on calendar months (quarters for quarterly data): the
  seasonal profile is the mean of each month over complete months, and
  seasonal_amplitude = (highest − lowest monthly mean) ÷ mean of the monthly
  means. It needs 24 complete months with every month present (8 quarters
  for quarterly data), otherwise it is None; so does the STL decomposition.
- region None sums all regions, unless one region holds, on every date, the
  sum of all the others (a total row): that region is then used as the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from babel.dates import get_month_names

from analysis.errors import DataError
from analysis import config
from analysis.text import i18n
from analysis import inputs
from analysis.inputs import published
from analysis.qualified import Qualified

PERIODS = ("day", "week", "month", "quarter", "year")
_RANK = {p: i for i, p in enumerate(PERIODS)}
_FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q-DEC", "year": "Y-DEC"}
MA_WINDOW = {"day": 28, "week": 13, "month": 12, "quarter": 4, "year": 3}
PUBLISHED_LAYOUT = {"year", "scope", "measure", "value"}
NOT_BREAKDOWN = {"date", "donations", "region", "qualifier", "source_id"}
_LOCALES = {"vi": "vi_VN", "en": "en_GB"}


# --------------------------------------------------------------------------- reading


def read_series(path: str | Path, columns: dict[str, str] | None = None) -> pd.DataFrame:
    """A timeseries file through the loaders, or the published national units.

    The frame has date, donations and whatever region / breakdown columns the
    file has; the published series also has qualifier and source_id.
    `attrs["measure"]` is "units" for the published series, else "donations".
    """
    full = config.resolve(path)
    if _is_published_layout(full):
        return national_series(published.national(full))
    frame = inputs.load(full, "timeseries", columns)
    frame.attrs["measure"] = "donations"
    return frame


def _is_published_layout(path: Path) -> bool:
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return False
    return PUBLISHED_LAYOUT <= set(header)


def national_series(table: pd.DataFrame, scope: str = "national", measure: str = "units") -> pd.DataFrame:
    """One row per published year (dated 1 January) of `scope`'s `measure`, qualifier kept."""
    rows = table[(table["scope"] == scope) & (table["measure"] == measure)].sort_values("year")
    if rows.empty:
        raise DataError(f"no {measure!r} figures for scope {scope!r} in the published table")
    frame = pd.DataFrame({
        "date": pd.to_datetime(rows["year"].astype(int).astype(str), format="%Y").to_numpy(),
        "donations": rows["value"].round().astype("Int64").to_numpy(),
        "qualifier": rows["qualifier"].fillna("exact").astype(str).to_numpy(),
        "source_id": rows["source_id"].astype(str).to_numpy(),
    })
    frame.attrs["measure"] = "units"
    return frame


def sources(series: pd.DataFrame) -> pd.DataFrame | None:
    """Citations of a published series (None for a user's file)."""
    if "source_id" not in series:
        return None
    return published.citations(series["source_id"].dropna().astype(str))


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise DataError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    return period


# --------------------------------------------------------------------------- regions


@dataclass
class Selection:
    """The series a report is about, and what the region choice did."""

    series: pd.DataFrame  # one row per date
    region: str | None  # the region asked for
    total_region: str | None  # a region found to hold the sum of the others
    regions: list[str] = field(default_factory=list)  # regions other than the total


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


def select_region(frame: pd.DataFrame, region: str | None = None) -> Selection:
    """The series for `region`, or for all regions together (a total row used if there is one)."""
    has_regions = "region" in frame and frame["region"].notna().any()
    if not has_regions:
        if region is not None:
            raise DataError(f"region {region!r} asked for, but the file has no region column")
        return Selection(by_date(frame), None, None, [])
    total = detect_total_region(frame)
    regions = sorted(str(r) for r in frame["region"].dropna().unique() if str(r) != total)
    if region is not None:
        if region not in set(frame["region"].astype(str)):
            known = ", ".join([*regions, *([total] if total else [])])
            raise DataError(f"region {region!r} is not in the file; known: {known}")
        return Selection(by_date(frame[frame["region"].astype(str) == region]), region, total, regions)
    chosen = frame[frame["region"].astype(str) == total] if total else frame
    return Selection(by_date(chosen), None, total, regions)


def by_date(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum the rows of each date (regions added up), keeping the qualifier where there is one."""
    cols = ["donations", *breakdown_columns(frame)]
    if not frame["date"].duplicated().any():
        keep = ["date", *cols, *[c for c in ("qualifier", "source_id") if c in frame]]
        out = frame[keep].sort_values("date", ignore_index=True)
    else:
        out = frame.groupby("date", sort=True)[cols].sum(min_count=1).reset_index()
        if "qualifier" in frame:
            out["qualifier"] = frame.groupby("date", sort=True)["qualifier"].agg(_combine).to_numpy()
    out.attrs["measure"] = frame.attrs.get("measure", "donations")
    return out


def _combine(qualifiers) -> str:
    """Qualifier of a sum: the same direction stays, anything mixed is 'about'."""
    found = {q for q in qualifiers if isinstance(q, str)} - {"exact"}
    return found.pop() if len(found) == 1 else ("exact" if not found else "about")


# --------------------------------------------------------------------------- periods


def native_grain(dates: pd.Series) -> str:
    """The grain the data are recorded at, read from their dates."""
    d = pd.DatetimeIndex(pd.Series(dates).dropna().unique()).sort_values()
    if d.empty:
        raise DataError("the series has no date")
    first_of_month = (d.day == 1).all()
    if first_of_month and (d.month == 1).all():
        return "year"
    step = d.to_series().diff().min().days if len(d) > 1 else None
    if first_of_month and d.month.isin([1, 4, 7, 10]).all() and step is not None and step >= 89:
        return "quarter"
    if first_of_month and (step is None or step >= 28):
        return "month"
    if (d.dayofweek == 0).all() and step is not None and step >= 7:
        return "week"
    return "day"


def period_label(start: pd.Timestamp, period: str) -> str:
    """ISO-style label: 2023, 2023-Q3, 2023-08, 2023-W31, 2023-08-04."""
    if period == "year":
        return f"{start.year}"
    if period == "quarter":
        return f"{start.year}-Q{start.quarter}"
    if period == "month":
        return f"{start.year}-{start.month:02d}"
    if period == "week":
        iso = start.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"
    return start.date().isoformat()


def display_label(start: pd.Timestamp, period: str, lang: str) -> str:
    """The label a reader sees: 'Quý 3/2023', 'Aug 2023', '04/08/2023'…"""
    if period == "year":
        return f"{start.year}"
    if period == "quarter":
        return i18n.t("tr_quarter", lang, q=start.quarter, year=start.year)
    if period == "month":
        return i18n.t("tr_month", lang, m=start.month, year=start.year,
                      name=get_month_names("abbreviated", locale=_LOCALES[lang])[start.month])
    if period == "week":
        iso = start.isocalendar()
        return i18n.t("tr_week", lang, w=iso[1], year=iso[0])
    return i18n.fmt_date(start, lang)


def _labels(starts: pd.DatetimeIndex, period: str) -> list[str]:
    if period == "year":
        return [str(y) for y in starts.year]
    if period == "quarter":
        return [f"{y}-Q{q}" for y, q in zip(starts.year, starts.quarter, strict=True)]
    if period == "month":
        return list(starts.strftime("%Y-%m"))
    if period == "week":
        iso = starts.isocalendar()
        return [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    return list(starts.strftime("%Y-%m-%d"))


def coverage(series: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """First and last day the data cover, and their grain (a yearly value covers its year)."""
    grain = native_grain(series["date"])
    first = series["date"].min()
    last = series["date"].max().to_period(_FREQ[grain]).end_time.normalize()
    return first, last, grain


def by_period(series: pd.DataFrame, period: str) -> pd.DataFrame:
    """Donations per period (the contract's tables/by_period.csv) with its marks.

    Columns: period (ISO label), donations (empty when no row falls in the
    period), start, end, status (complete, partial or missing), qualifier
    (published series only), moving_average (over the last MA_WINDOW
    complete periods) and yoy_change (against the same period a year before).
    """
    check_period(period)
    first, last, grain = coverage(series)
    if _RANK[period] < _RANK[grain]:
        raise DataError(
            f"period {period!r} is finer than the data, which hold one value per {grain}; "
            f"choose one of {', '.join(PERIODS[_RANK[grain]:])}"
        )
    per = series["date"].dt.to_period(_FREQ[period])
    sums = series["donations"].groupby(per).sum(min_count=1)
    full = pd.period_range(per.min(), per.max(), freq=_FREQ[period])
    starts = full.start_time
    ends = full.end_time.normalize()
    table = pd.DataFrame({
        "period": _labels(starts, period),
        "donations": sums.reindex(full).astype("Int64").array,
        "start": starts,
        "end": ends,
    })
    complete = (table["start"] >= first) & (table["end"] <= last)
    table["status"] = np.where(table["donations"].isna(), "missing",
                               np.where(complete, "complete", "partial"))
    if "qualifier" in series:
        q = series["qualifier"].groupby(per).agg(_combine).reindex(full)
        table["qualifier"] = q.to_numpy()
    usable = table["donations"].astype("Float64").where(table["status"] == "complete")
    window = MA_WINDOW[period]
    table["moving_average"] = usable.rolling(window, min_periods=window).mean().astype("Float64")
    table["yoy_change"] = _year_on_year(table["start"], usable, period)
    return table


def _season_key(starts: pd.Series, period: str) -> pd.DataFrame:
    """(year, position in year) of each period, for matching the same period a year before."""
    s = pd.DatetimeIndex(starts)
    if period == "week":
        iso = s.isocalendar()
        return pd.DataFrame({"y": iso["year"].to_numpy(dtype=int), "k": iso["week"].to_numpy(dtype=int)})
    k = {"year": np.zeros(len(s), dtype=int), "quarter": s.quarter, "month": s.month,
         "day": s.month * 100 + s.day}[period]
    return pd.DataFrame({"y": np.asarray(s.year, dtype=int), "k": np.asarray(k, dtype=int)})


def _year_on_year(starts: pd.Series, values: pd.Series, period: str) -> pd.Series:
    key = _season_key(starts, period)
    lookup = pd.Series(values.to_numpy(), index=pd.MultiIndex.from_frame(key))
    lookup = lookup[~lookup.index.duplicated()]
    prev = lookup.reindex(pd.MultiIndex.from_arrays([key["y"] - 1, key["k"]])).to_numpy()
    change = values.to_numpy(dtype=float, na_value=np.nan) / prev.astype(float) - 1
    return pd.Series(change, index=values.index, dtype="Float64")


# --------------------------------------------------------------------------- key figures


def annual_changes(series: pd.DataFrame) -> pd.DataFrame:
    """Complete calendar years with data, each with its change from the previous such year,
    annualised across gaps ((v / v_prev) ** (1 / years apart) − 1)."""
    years = by_period(series, "year")
    years = years[years["status"] == "complete"].reset_index(drop=True)
    v = years["donations"].to_numpy(dtype=float, na_value=np.nan)
    y = years["start"].dt.year.to_numpy()
    change = np.full(len(years), np.nan)
    change[1:] = (v[1:] / v[:-1]) ** (1 / (y[1:] - y[:-1])) - 1
    out = years[["period", "donations"] + (["qualifier"] if "qualifier" in years else [])].copy()
    out["year"] = y
    out["previous_year"] = pd.array(np.r_[np.nan, y[:-1]] if len(y) else [], dtype="Int64")
    out["annual_change"] = pd.array(change, dtype="Float64")
    return out


def compound_growth(series: pd.DataFrame) -> dict[str, object]:
    """Compound growth per year between the first and the last complete years with data."""
    years = annual_changes(series)
    if len(years) < 2:
        return {"growth_rate": None, "growth_from": None, "growth_to": None, "growth_qualifier": None}
    a, b = years.iloc[0], years.iloc[-1]
    span = int(b["year"] - a["year"])
    rate = (float(b["donations"]) / float(a["donations"])) ** (1 / span) - 1
    qa = a.get("qualifier", "exact") if "qualifier" in years else "exact"
    qb = b.get("qualifier", "exact") if "qualifier" in years else "exact"
    ratio = Qualified(float(b["donations"]), qb) / Qualified(float(a["donations"]), qa)
    return {"growth_rate": rate, "growth_from": str(a["period"]), "growth_to": str(b["period"]),
            "growth_qualifier": ratio.qualifier}


def seasonal_profile(series: pd.DataFrame) -> pd.DataFrame | None:
    """Mean, lowest and highest donations of each calendar month (quarter) over complete ones.

    None when the data are yearly or hold under two years of complete months
    (under 8 complete quarters for quarterly data), or when a month never appears.
    """
    grain = native_grain(series["date"])
    if grain == "year":
        return None
    unit = "quarter" if grain == "quarter" else "month"
    slots, need = (4, 8) if unit == "quarter" else (12, 24)
    table = by_period(series, unit)
    done = table[table["status"] == "complete"]
    if len(done) < need:
        return None
    season = done["start"].dt.quarter if unit == "quarter" else done["start"].dt.month
    if season.nunique() < slots:
        return None
    values = done["donations"].astype("float64")
    profile = values.groupby(season.to_numpy()).agg(["mean", "min", "max", "count"])
    profile.index.name = unit
    profile = profile.reset_index().rename(columns={"count": "years"})
    profile["index"] = profile["mean"] / profile["mean"].mean()
    return profile


def seasonal_amplitude(profile: pd.DataFrame | None) -> float | None:
    if profile is None:
        return None
    return float((profile["mean"].max() - profile["mean"].min()) / profile["mean"].mean())


def decompose(series: pd.DataFrame):
    """STL decomposition (statsmodels, robust) of complete monthly (quarterly) totals,
    or None when seasonality cannot be read or the complete months have a gap."""
    if seasonal_profile(series) is None:
        return None
    grain = native_grain(series["date"])
    unit = "quarter" if grain == "quarter" else "month"
    table = by_period(series, unit)
    done = table[table["status"] == "complete"]
    if done["donations"].isna().any() or (done.index.to_series().diff().dropna() != 1).any():
        return None
    from statsmodels.tsa.seasonal import STL

    values = pd.Series(done["donations"].to_numpy(dtype=float), index=pd.DatetimeIndex(done["start"]))
    return STL(values, period=4 if unit == "quarter" else 12, robust=True).fit()


def key_figures(table: pd.DataFrame, selection: Selection) -> dict[str, object]:
    """The trends key figures under the contract's names, and a few more."""
    series = selection.series
    done = table[table["status"] == "complete"]
    peak = done.loc[done["donations"].astype("Float64").idxmax()] if len(done) else None
    trough = done.loc[done["donations"].astype("Float64").idxmin()] if len(done) else None
    total_q = (_combine(series["qualifier"]) if "qualifier" in series else "exact")
    profile = seasonal_profile(series)
    figs: dict[str, object] = {
        "period_start": table["period"].iloc[0],
        "period_end": table["period"].iloc[-1],
        "total_donations": int(series["donations"].sum()),
        "periods": int(len(table)),
        **compound_growth(series),
        "peak_period": None if peak is None else peak["period"],
        "trough_period": None if trough is None else trough["period"],
        "seasonal_amplitude": seasonal_amplitude(profile),
        "periods_with_data": int((table["status"] != "missing").sum()),
        "partial_periods": int((table["status"] == "partial").sum()),
        "peak_donations": None if peak is None else int(peak["donations"]),
        "trough_donations": None if trough is None else int(trough["donations"]),
        "total_qualifier": total_q,
        "data_grain": native_grain(series["date"]),
        "region": selection.region,
        "total_region": selection.total_region,
    }
    if profile is not None:
        unit = profile.columns[0]
        figs["seasonal_peak"] = int(profile.loc[profile["mean"].idxmax(), unit])
        figs["seasonal_trough"] = int(profile.loc[profile["mean"].idxmin(), unit])
    return figs


# --------------------------------------------------------------------------- breakdowns, regions


def coarse(period: str) -> str:
    """The period used for shares and small multiples: at least a month, so lines stay readable."""
    return "month" if _RANK[period] < _RANK["month"] else period


def breakdown_shares(series: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each breakdown column's share of donations per period (complete periods only)."""
    cols = breakdown_columns(series)
    if not cols:
        return pd.DataFrame(columns=["period", "start", "breakdown", "donations", "share"])
    period = coarse(period)
    base = by_period(series, period)
    per = series["date"].dt.to_period(_FREQ[period])
    parts = series[cols].groupby(per).sum(min_count=1)
    parts.index = parts.index.start_time
    base = base[base["status"] == "complete"].set_index("start")
    long = parts.reindex(base.index).stack(future_stack=True).rename("donations").reset_index()
    long.columns = ["start", "breakdown", "donations"]
    long["share"] = long["donations"] / long["start"].map(base["donations"].astype("float64"))
    long["period"] = long["start"].map(base["period"])
    return long[["period", "start", "breakdown", "donations", "share"]]


def by_region(frame: pd.DataFrame, selection: Selection, period: str) -> pd.DataFrame:
    """by_period of every region other than a total row, stacked (for small multiples)."""
    if not selection.regions:
        return pd.DataFrame(columns=["region", "period", "start", "donations", "status"])
    period = coarse(period)
    parts = []
    for name in selection.regions:
        t = by_period(by_date(frame[frame["region"].astype(str) == name]), period)
        parts.append(t.assign(region=name)[["region", "period", "start", "donations", "status"]])
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- report text


def shown(table: pd.DataFrame, period: str, lang: str) -> pd.DataFrame:
    """by_period as the reader sees it: localised labels and numbers, marks spelled out."""
    quals = table["qualifier"] if "qualifier" in table else pd.Series("exact", index=table.index)
    out = pd.DataFrame({
        i18n.t("tr_col_period", lang): [display_label(s, period, lang) for s in table["start"]],
        i18n.t("tr_col_donations", lang): [
            i18n.t("tr_no_figure", lang) if pd.isna(v) else i18n.fmt_qualified(i18n.fmt_int(v, lang), q, lang)
            for v, q in zip(table["donations"], quals, strict=True)
        ],
        i18n.t("tr_col_status", lang): [i18n.t("tr_status_" + s, lang) for s in table["status"]],
        i18n.t("tr_col_moving_average", lang): [
            "" if pd.isna(v) else i18n.fmt_int(v, lang) for v in table["moving_average"]],
        i18n.t("tr_col_yoy", lang): [
            "" if pd.isna(v) else i18n.fmt_pct(v, lang) for v in table["yoy_change"]],
    })
    return out


def story(figs: dict, table: pd.DataFrame, selection: Selection, period: str, lang: str,
          measure: str = "donations") -> dict[str, str]:
    """The report's text, section by section, in the reader's language."""
    f_int = lambda v: i18n.fmt_int(v, lang)  # noqa: E731
    what = i18n.t("tr_measure_" + measure, lang)
    label = {r.period: display_label(r.start, period, lang) for r in table.itertuples()}
    missing = table.loc[table["status"] == "missing", "period"].map(label).tolist()
    partial = table.loc[table["status"] == "partial", "period"].map(label).tolist()
    if selection.region:
        scope = i18n.t("tr_scope_region", lang, region=selection.region)
    elif selection.total_region:
        scope = i18n.t("tr_scope_total", lang, region=selection.total_region,
                       n=len(selection.regions))
    elif selection.regions:
        scope = i18n.t("tr_scope_sum", lang, n=len(selection.regions))
    else:
        scope = ""
    notes = []
    if missing:
        notes.append(i18n.t("tr_missing", lang, n=len(missing), periods=_list(missing, lang)))
    if partial:
        notes.append(i18n.t("tr_partial", lang, periods=_list(partial, lang)))
    if "qualifier" in table:
        notes.append(i18n.t("tr_qualifiers", lang))
    total = i18n.fmt_qualified(f_int(figs["total_donations"]), figs["total_qualifier"], lang)
    text = {
        "title": i18n.t("tr_title", lang, what=what),
        "overview": i18n.t(
            "tr_overview", lang, start=label[figs["period_start"]], end=label[figs["period_end"]],
            periods=f_int(figs["periods"]), with_data=f_int(figs["periods_with_data"]),
            period_word=i18n.t("tr_period_" + period, lang), total=total, what=what, scope=scope,
        ) + ("\n\n" + " ".join(notes) if notes else ""),
        "breakdown": i18n.t("tr_breakdown", lang),
        "regions": i18n.t("tr_regions", lang),
        "key_figures": i18n.t("tr_key_figures", lang),
    }
    if figs["growth_rate"] is None:
        text["growth"] = i18n.t("tr_no_growth", lang)
    else:
        rate = i18n.fmt_pct(figs["growth_rate"], lang)
        text["growth"] = i18n.t(
            "tr_growth", lang, rate=i18n.fmt_qualified(rate, figs["growth_qualifier"], lang),
            start=figs["growth_from"], end=figs["growth_to"],
        )
    if figs["peak_period"] is not None:
        text["growth"] += " " + i18n.t(
            "tr_peak", lang, peak=label[figs["peak_period"]], peak_v=f_int(figs["peak_donations"]),
            trough=label[figs["trough_period"]], trough_v=f_int(figs["trough_donations"]),
        )
    if figs["seasonal_amplitude"] is None:
        text["season"] = i18n.t("tr_no_season", lang)
    else:
        months = get_month_names("wide", locale=_LOCALES[lang])
        unit = "quarter" if figs["data_grain"] == "quarter" else "month"
        name = (lambda k: i18n.t("tr_quarter_name", lang, q=k)) if unit == "quarter" else months.get
        text["season"] = i18n.t(
            "tr_season", lang, amp=i18n.fmt_pct(figs["seasonal_amplitude"], lang),
            peak=name(figs["seasonal_peak"]), trough=name(figs["seasonal_trough"]),
        )
    return text


def _list(items: list[str], lang: str, limit: int = 12) -> str:
    shown_items = items[:limit]
    more = len(items) - len(shown_items)
    text = ", ".join(shown_items)
    return text + (i18n.t("tr_and_more", lang, n=more) if more else "")


LABELS = {
    "tr_title": {"vi": "# Xu hướng {what} theo thời gian", "en": "# {what} over time"},
    "tr_measure_units": {"vi": "đơn vị máu", "en": "Units"},
    "tr_measure_donations": {"vi": "lượt hiến máu", "en": "Donations"},
    "tr_overview": {
        "vi": "## Tổng quan\n\nTừ {start} đến {end}: {periods} {period_word}, trong đó {with_data} "
        "có số liệu; tổng cộng {total} ({what}) trong các kỳ có số liệu. {scope}",
        "en": "## Overview\n\nFrom {start} to {end}: {periods} {period_word}s, {with_data} of them "
        "with a figure; {total} in all over the periods with a figure ({what}). {scope}",
    },
    "tr_scope_region": {"vi": "Chỉ xét khu vực {region}.", "en": "Region {region} only."},
    "tr_scope_total": {
        "vi": "Khu vực \"{region}\" có số liệu bằng đúng tổng của {n} khu vực còn lại ở mọi ngày, "
        "nên được dùng làm tổng (không cộng hai lần).",
        "en": "Region \"{region}\" equals the sum of the other {n} regions on every date, so it "
        "is used as the total (not added twice).",
    },
    "tr_scope_sum": {"vi": "Cộng gộp {n} khu vực.", "en": "The {n} regions added together."},
    "tr_missing": {
        "vi": "{n} kỳ không có số liệu công bố: {periods}; kỳ thiếu để trống, không coi là 0.",
        "en": "{n} periods have no published figure: {periods}; they are left empty, not read as 0.",
    },
    "tr_partial": {
        "vi": "Kỳ chưa trọn (dữ liệu không phủ hết kỳ): {periods}; được đánh dấu và không dùng để "
        "tính tăng trưởng, cao nhất, thấp nhất.",
        "en": "Incomplete periods (the data do not cover the whole period): {periods}; they are "
        "marked and left out of growth, peak and trough.",
    },
    "tr_and_more": {"vi": " và {n} kỳ khác", "en": " and {n} more"},
    "tr_qualifiers": {
        "vi": "Các số liệu công bố đi kèm mức độ chính xác của nguồn: \"khoảng\" là số ước, "
        "\"ít nhất\" là cận dưới (nguồn viết \"hơn\"). Các phép tính giữ mức độ đó.",
        "en": "Published figures keep their source's wording: \"about\" is an estimate, \"at "
        "least\" a lower bound (the source says \"more than\"). Computed figures carry it on.",
    },
    "tr_growth": {
        "vi": "## Tăng trưởng\n\nTăng trưởng kép {rate} mỗi năm, từ {start} đến {end} (các năm "
        "trọn vẹn có số liệu).",
        "en": "## Growth\n\nCompound growth of {rate} a year from {start} to {end} (complete years "
        "with a figure).",
    },
    "tr_no_growth": {
        "vi": "## Tăng trưởng\n\nChưa đủ hai năm trọn vẹn có số liệu để tính tăng trưởng kép.",
        "en": "## Growth\n\nFewer than two complete years with a figure: no compound growth.",
    },
    "tr_peak": {
        "vi": "Kỳ cao nhất: {peak} ({peak_v}); thấp nhất: {trough} ({trough_v}).",
        "en": "Highest period: {peak} ({peak_v}); lowest: {trough} ({trough_v}).",
    },
    "tr_season": {
        "vi": "## Mùa vụ\n\nTrung bình, tháng cao nhất ({peak}) và thấp nhất ({trough}) chênh nhau "
        "{amp} so với mức trung bình một tháng.",
        "en": "## Seasonality\n\nOn average the busiest month ({peak}) and the quietest "
        "({trough}) differ by {amp} of an average month.",
    },
    "tr_no_season": {
        "vi": "## Mùa vụ\n\nChưa đủ hai năm số liệu theo tháng (hoặc quý) để xét tính mùa vụ.",
        "en": "## Seasonality\n\nUnder two years of monthly (or quarterly) data: no seasonal "
        "profile.",
    },
    "tr_quarter": {"vi": "Quý {q}/{year}", "en": "Q{q} {year}"},
    "tr_quarter_name": {"vi": "quý {q}", "en": "Q{q}"},
    "tr_month": {"vi": "{m:02d}/{year}", "en": "{name} {year}"},
    "tr_week": {"vi": "Tuần {w}/{year}", "en": "Week {w} {year}"},
    "tr_period_day": {"vi": "ngày", "en": "day"},
    "tr_period_week": {"vi": "tuần", "en": "week"},
    "tr_period_month": {"vi": "tháng", "en": "month"},
    "tr_period_quarter": {"vi": "quý", "en": "quarter"},
    "tr_period_year": {"vi": "năm", "en": "year"},
    "tr_status_complete": {"vi": "trọn kỳ", "en": "complete"},
    "tr_status_partial": {"vi": "chưa trọn kỳ", "en": "incomplete"},
    "tr_status_missing": {"vi": "không có số liệu", "en": "no figure"},
    "tr_no_figure": {"vi": "—", "en": "—"},
    "tr_col_period": {"vi": "Kỳ", "en": "Period"},
    "tr_col_donations": {"vi": "Số lượng", "en": "Count"},
    "tr_col_status": {"vi": "Tình trạng", "en": "Status"},
    "tr_col_moving_average": {"vi": "Trung bình trượt", "en": "Moving average"},
    "tr_col_yoy": {"vi": "So với cùng kỳ năm trước", "en": "Year on year"},
    "tr_key_figures": {"vi": "## Các chỉ số chính", "en": "## Key figures"},
    "tr_breakdown": {
        "vi": "## Cơ cấu\n\nTỷ trọng của từng cột phân nhóm trong tổng số, theo kỳ trọn vẹn.",
        "en": "## Breakdown\n\nEach breakdown column's share of the total, per complete period.",
    },
    "tr_regions": {
        "vi": "## Theo khu vực\n\nMỗi ô một khu vực, trục dọc riêng cho từng ô.",
        "en": "## By region\n\nOne panel per region, each with its own vertical scale.",
    },
    # charts
    "tr_chart_series_title": {"vi": "{what} theo {period}", "en": "{what} per {period}"},
    "tr_chart_ma": {"vi": "Trung bình trượt {n} {period}", "en": "Moving average, {n} {period}s"},
    "tr_chart_partial": {"vi": "Kỳ chưa trọn", "en": "Incomplete period"},
    "tr_chart_missing": {"vi": "Không có số liệu", "en": "No figure"},
    "tr_chart_peak": {"vi": "Cao nhất", "en": "Peak"},
    "tr_chart_trough": {"vi": "Thấp nhất", "en": "Trough"},
    "tr_chart_q_exact": {"vi": "Số chính xác", "en": "Exact"},
    "tr_chart_q_about": {"vi": "Khoảng", "en": "About"},
    "tr_chart_q_at_least": {"vi": "Ít nhất (cận dưới)", "en": "At least (lower bound)"},
    "tr_chart_q_at_most": {"vi": "Nhiều nhất (cận trên)", "en": "At most (upper bound)"},
    "tr_chart_growth_line": {"vi": "Tăng trưởng kép {rate}/năm", "en": "Compound growth {rate}/year"},
    "tr_chart_change_title": {
        "vi": "Thay đổi so với năm có số liệu trước đó (quy về mỗi năm)",
        "en": "Change from the previous year with a figure (per year)"},
    "tr_chart_change_y": {"vi": "Thay đổi mỗi năm", "en": "Change per year"},
    "tr_chart_season_title": {
        "vi": "Mùa vụ: trung bình mỗi tháng (thấp nhất – cao nhất)",
        "en": "Seasonal profile: mean per month (lowest to highest)"},
    "tr_chart_season_q_title": {
        "vi": "Mùa vụ: trung bình mỗi quý (thấp nhất – cao nhất)",
        "en": "Seasonal profile: mean per quarter (lowest to highest)"},
    "tr_chart_stl_title": {"vi": "Phân rã STL theo tháng", "en": "STL decomposition, monthly"},
    "tr_chart_stl_observed": {"vi": "Số liệu", "en": "Observed"},
    "tr_chart_stl_trend": {"vi": "Xu hướng", "en": "Trend"},
    "tr_chart_stl_seasonal": {"vi": "Mùa vụ", "en": "Seasonal"},
    "tr_chart_stl_resid": {"vi": "Phần dư", "en": "Residual"},
    "tr_chart_shares_title": {"vi": "Tỷ trọng theo nhóm", "en": "Shares by breakdown"},
    "tr_chart_share": {"vi": "Tỷ trọng", "en": "Share"},
    "tr_chart_regions_title": {
        "vi": "{what} theo khu vực, mỗi {period}", "en": "{what} by region, per {period}"},
}
i18n.register(LABELS)
