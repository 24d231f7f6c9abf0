"""Donations over time: totals per period, growth, peak and trough, seasonality, regions.

The input is a timeseries (date, donations, optional region and breakdown
columns). With no file of their own, users get the real published national
series: `inputs.read_series` (beside this module) recognises the layout of data/published/national.csv
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
from statsmodels.tsa.seasonal import STL

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
NOT_BREAKDOWN = {"date", "donations", "region", "qualifier", "source_id"}
_LOCALES = {"vi": "vi_VN", "en": "en_GB"}


# --------------------------------------------------------------------------- reading


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


