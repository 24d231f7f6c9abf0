"""Periods of a series: its own grain, report periods, complete and partial periods.

- The data's own grain (day, week, month, quarter or year) is read from its
  dates; a value dated 1 January of every year is a yearly figure. A report
  period finer than that grain is refused.
- A period is complete when the data cover it from its first to its last day.
  Only the first and the last period can be incomplete (partial): they are
  marked and left out of growth, peak, trough, moving average and
  year-on-year change.
- A period without any row is missing (no figure), not zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from babel.dates import get_month_names

from analysis.errors import DataError
from analysis.text import i18n

PERIODS = ("day", "week", "month", "quarter", "year")
RANK = {p: i for i, p in enumerate(PERIODS)}
FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q-DEC", "year": "Y-DEC"}
MA_WINDOW = {"day": 28, "week": 13, "month": 12, "quarter": 4, "year": 3}
LOCALES = {"vi": "vi_VN", "en": "en_GB"}


def coarse(period: str) -> str:
    """The period used for shares and small multiples: at least a month, so lines stay readable."""
    return "month" if RANK[period] < RANK["month"] else period


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise DataError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    return period


def combine(qualifiers) -> str:
    """Qualifier of a sum: the same direction stays, anything mixed is 'about'."""
    found = {q for q in qualifiers if isinstance(q, str)} - {"exact"}
    return found.pop() if len(found) == 1 else ("exact" if not found else "about")


def ratio(numerator, denominator) -> np.ndarray:
    """numerator / denominator as floats, NaN where the denominator is 0 or missing (no warning)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    usable = np.isfinite(num) & np.isfinite(den) & (den != 0)
    np.divide(num, den, out=out, where=usable)
    return out


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


def display_label(start: pd.Timestamp, period: str, lang: str) -> str:
    """The label a reader sees: 'Quý 3/2023', 'Aug 2023', '04/08/2023'…"""
    if period == "year":
        return f"{start.year}"
    if period == "quarter":
        return i18n.t("tr_quarter", lang, q=start.quarter, year=start.year)
    if period == "month":
        return i18n.t("tr_month", lang, m=start.month, year=start.year,
                      name=get_month_names("abbreviated", locale=LOCALES[lang])[start.month])
    if period == "week":
        iso = start.isocalendar()
        return i18n.t("tr_week", lang, w=iso[1], year=iso[0])
    return i18n.fmt_date(start, lang)


def labels(starts: pd.DatetimeIndex, period: str) -> list[str]:
    """ISO-style labels: 2023, 2023-Q3, 2023-08, 2023-W31, 2023-08-04."""
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
    last = series["date"].max().to_period(FREQ[grain]).end_time.normalize()
    return first, last, grain


def by_period(series: pd.DataFrame, period: str) -> pd.DataFrame:
    """Donations per period (the contract's tables/by_period.csv) with its marks.

    Columns: period (ISO label), donations (empty when no row falls in the
    period), start, end, status (complete, partial or missing), qualifier
    (published series only), moving_average (over the last MA_WINDOW
    complete periods) and yoy_change (against the same period a year before;
    empty when that period is 0 or missing).
    """
    check_period(period)
    first, last, grain = coverage(series)
    if RANK[period] < RANK[grain]:
        raise DataError(
            f"period {period!r} is finer than the data, which hold one value per {grain}; "
            f"choose one of {', '.join(PERIODS[RANK[grain]:])}"
        )
    per = series["date"].dt.to_period(FREQ[period])
    sums = series["donations"].groupby(per).sum(min_count=1)
    full = pd.period_range(per.min(), per.max(), freq=FREQ[period])
    starts = full.start_time
    ends = full.end_time.normalize()
    table = pd.DataFrame({
        "period": labels(starts, period),
        "donations": sums.reindex(full).astype("Int64").array,
        "start": starts,
        "end": ends,
    })
    complete = (table["start"] >= first) & (table["end"] <= last)
    table["status"] = np.where(table["donations"].isna(), "missing",
                               np.where(complete, "complete", "partial"))
    if "qualifier" in series:
        q = series["qualifier"].groupby(per).agg(combine).reindex(full)
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
    lookup = pd.Series(values.to_numpy(dtype=float, na_value=np.nan), index=pd.MultiIndex.from_frame(key))
    lookup = lookup[~lookup.index.duplicated()]
    prev = lookup.reindex(pd.MultiIndex.from_arrays([key["y"] - 1, key["k"]])).to_numpy()
    change = ratio(values.to_numpy(dtype=float, na_value=np.nan), prev) - 1
    return pd.Series(change, index=values.index, dtype="Float64")
